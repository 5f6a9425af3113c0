//! What funder reports and competence-development plans need: each registration keeps the
//! workplace and job role its participant had when registering (so figures survive profile
//! changes and erasure), allocations may carry an amount, erased accounts are marked, and
//! organisations keep competence-development plans.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Registrations {
    Table,
    WorkplaceOrganisationId,
    JobRole,
}

#[derive(DeriveIden)]
enum GrantAllocations {
    Table,
    AmountMinor,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CompetencePlans {
    Table,
    Id,
    OrganisationId,
    OrganisationPath,
    Title,
    StartsOn,
    EndsOn,
    Status,
    Needs,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            uuid_null(Registrations::WorkplaceOrganisationId).to_owned(),
            string_len_null(Registrations::JobRole, 40).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Registrations::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Registrations made before this migration take the profile as it is now.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE registrations SET \
                 workplace_organisation_id = (SELECT a.workplace_organisation_id FROM accounts a WHERE a.id = registrations.participant_id), \
                 job_role = (SELECT a.job_role FROM accounts a WHERE a.id = registrations.participant_id)",
            )
            .await?;
        // The share of the grant's amount given to the programme, in the grant's currency.
        manager
            .alter_table(
                Table::alter()
                    .table(GrantAllocations::Table)
                    .add_column(big_integer_null(GrantAllocations::AmountMinor))
                    .to_owned(),
            )
            .await?;
        // When the person erased their account: the row stays (registrations and attendance
        // still count in reports) with everything that identified them removed.
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(timestamp_with_time_zone_null(Alias::new("erased_at")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CompetencePlans::Table)
                    .col(pk_uuid(CompetencePlans::Id))
                    .col(uuid(CompetencePlans::OrganisationId))
                    // Copied from the organisation (which never moves): subtree filters by prefix.
                    .col(text(CompetencePlans::OrganisationPath))
                    .col(string_len(CompetencePlans::Title, 300))
                    .col(date(CompetencePlans::StartsOn))
                    .col(date(CompetencePlans::EndsOn))
                    .col(string_len(CompetencePlans::Status, 20))
                    // The needs as JSON: each with its id, theme, job roles, staff, priority and
                    // the programmes that answer it. A plan is read and written as a whole.
                    .col(text(CompetencePlans::Needs))
                    .col(integer(CompetencePlans::Version))
                    .col(timestamp_with_time_zone(CompetencePlans::CreatedAt))
                    .col(timestamp_with_time_zone(CompetencePlans::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_competence_plans_organisation")
                            .from(CompetencePlans::Table, CompetencePlans::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_competence_plans_organisation")
                    .table(CompetencePlans::Table)
                    .col(CompetencePlans::OrganisationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CompetencePlans::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Alias::new("erased_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(GrantAllocations::Table)
                    .drop_column(GrantAllocations::AmountMinor)
                    .to_owned(),
            )
            .await?;
        for column in [
            Registrations::JobRole,
            Registrations::WorkplaceOrganisationId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Registrations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
