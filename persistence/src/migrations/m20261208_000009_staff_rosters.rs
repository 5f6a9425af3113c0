//! Verified e-mail addresses and staff rosters: a person's verified workplace and job role
//! come from the rosters organisations keep, matched by an address the person has proven.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_create_organisations::Organisations;
use super::m20261122_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailVerifications {
    Table,
    CodeHash,
    AccountId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum StaffRosterEntries {
    Table,
    OrganisationId,
    OrganisationPath,
    Email,
    JobRole,
    EmployedFrom,
    EmployedUntil,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // When the person proved the address (with the code sign-up e-mailed, or by setting
        // the password of an invitation); null: unproven, and no roster entry matches it.
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(timestamp_with_time_zone_null(Alias::new(
                        "email_verified_at",
                    )))
                    .to_owned(),
            )
            .await?;
        // Existing accounts stay unverified; instance admins were set up by whoever runs the
        // instance, who vouches for their address.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE accounts SET email_verified_at = created_at WHERE is_admin = TRUE",
            )
            .await?;
        // One-time codes, kept only as SHA-256 digests (they carry 256 random bits). Their
        // rows also count the codes sent to an account, so that every instance enforces one
        // resend limit.
        manager
            .create_table(
                Table::create()
                    .table(EmailVerifications::Table)
                    .col(string_len(EmailVerifications::CodeHash, 64).primary_key())
                    .col(uuid(EmailVerifications::AccountId))
                    .col(timestamp_with_time_zone(EmailVerifications::CreatedAt))
                    .col(timestamp_with_time_zone(EmailVerifications::ExpiresAt))
                    .col(timestamp_with_time_zone_null(EmailVerifications::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_email_verifications_account")
                            .from(EmailVerifications::Table, EmailVerifications::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_email_verifications_account_time")
                    .table(EmailVerifications::Table)
                    .col(EmailVerifications::AccountId)
                    .col(EmailVerifications::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StaffRosterEntries::Table)
                    .col(uuid(StaffRosterEntries::OrganisationId))
                    // Copied from the organisation (which never moves): subtree filters by prefix.
                    .col(string_len(StaffRosterEntries::OrganisationPath, 1024))
                    // Lower-cased by the domain's `Email::parse`, as `accounts.email` is, so an
                    // account's address matches its entries exactly.
                    .col(string_len(StaffRosterEntries::Email, 254))
                    .col(string_len(StaffRosterEntries::JobRole, 40))
                    .col(date(StaffRosterEntries::EmployedFrom))
                    // The last day employed (inclusive); null while the employment lasts.
                    .col(date_null(StaffRosterEntries::EmployedUntil))
                    .col(timestamp_with_time_zone(StaffRosterEntries::CreatedAt))
                    .col(timestamp_with_time_zone(StaffRosterEntries::UpdatedAt))
                    // An address is on an organisation's roster at most once: the key is
                    // (organisation_id, email), which also serves a roster's reads in order of
                    // address.
                    .primary_key(
                        Index::create()
                            .name("pk_staff_roster_entries")
                            .col(StaffRosterEntries::OrganisationId)
                            .col(StaffRosterEntries::Email),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_roster_entries_organisation")
                            .from(
                                StaffRosterEntries::Table,
                                StaffRosterEntries::OrganisationId,
                            )
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A person's employment across every roster: looked up by address at registration.
        manager
            .create_index(
                Index::create()
                    .name("ix_staff_roster_entries_email")
                    .table(StaffRosterEntries::Table)
                    .col(StaffRosterEntries::Email)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StaffRosterEntries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EmailVerifications::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Alias::new("email_verified_at"))
                    .to_owned(),
            )
            .await
    }
}
