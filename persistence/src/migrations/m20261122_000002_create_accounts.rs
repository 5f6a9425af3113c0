//! Accounts (people who sign in) and their roles in organisations.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_create_organisations::Organisations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Accounts {
    Table,
    Id,
    Email,
    PasswordHash,
    Name,
    Locale,
    WorkplaceOrganisationId,
    JobRole,
    IsAdmin,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    AccountId,
    OrganisationId,
    Role,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(pk_uuid(Accounts::Id))
                    // Stored lower-cased by the domain's `Email::parse`, so this unique index
                    // makes addresses unique case-insensitively on both databases.
                    .col(string_len(Accounts::Email, 254))
                    // Null for invited accounts that have not set a password yet.
                    .col(string_len_null(Accounts::PasswordHash, 255))
                    .col(string_len_null(Accounts::Name, 200))
                    .col(string_len(Accounts::Locale, 35))
                    .col(uuid_null(Accounts::WorkplaceOrganisationId))
                    .col(string_len_null(Accounts::JobRole, 40))
                    .col(boolean(Accounts::IsAdmin))
                    .col(integer(Accounts::Version))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_workplace")
                            .from(Accounts::Table, Accounts::WorkplaceOrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_accounts_email")
                    .table(Accounts::Table)
                    .col(Accounts::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(pk_uuid(Memberships::Id))
                    .col(uuid(Memberships::AccountId))
                    .col(uuid(Memberships::OrganisationId))
                    .col(string_len(Memberships::Role, 20))
                    .col(timestamp_with_time_zone(Memberships::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_account")
                            .from(Memberships::Table, Memberships::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_organisation")
                            .from(Memberships::Table, Memberships::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One role once per organisation: granting it twice is a conflict, not a second row.
        manager
            .create_index(
                Index::create()
                    .name("ux_memberships_account_organisation_role")
                    .table(Memberships::Table)
                    .col(Memberships::AccountId)
                    .col(Memberships::OrganisationId)
                    .col(Memberships::Role)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_memberships_organisation")
                    .table(Memberships::Table)
                    .col(Memberships::OrganisationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Memberships::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Accounts::Table).to_owned())
            .await
    }
}
