//! The catalogue: funders and grants, venues, programmes with their hour budgets, and sessions
//! with their trainers.
//!
//! Owned records carry their organisation's materialised path (`organisation_path`), copied at
//! creation: organisations never move, and "everything an organiser may see" stays a prefix
//! match without a join. Multilingual text is stored as JSON text, portable across SQLite and
//! PostgreSQL; `title_search` holds the lower-cased titles for text search.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_create_organisations::Organisations;
use super::m20261122_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Funders {
    Table,
    Id,
    OrganisationId,
    OrganisationPath,
    Name,
    Kind,
    Country,
    Website,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Grants {
    Table,
    Id,
    FunderId,
    RecipientOrganisationId,
    OrganisationPath,
    Reference,
    Title,
    AmountMinor,
    Currency,
    StartsOn,
    EndsOn,
    FundedMinutes,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Venues {
    Table,
    Id,
    OrganisationId,
    OrganisationPath,
    Name,
    Address,
    City,
    PostalCode,
    Country,
    Capacity,
    Accessibility,
    Latitude,
    Longitude,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Programmes {
    Table,
    Id,
    OrganisationId,
    OrganisationPath,
    Status,
    Kind,
    Title,
    TitleSearch,
    Summary,
    Description,
    StartsOn,
    EndsOn,
    TimeZone,
    Languages,
    TargetAudience,
    Capacity,
    RegistrationPolicy,
    RegistrationOpensAt,
    RegistrationClosesAt,
    EligibleWorkplaceId,
    EligibleJobRoles,
    CompletionMinPercent,
    CompletionPerActivity,
    ContactName,
    ContactEmail,
    ContactPhone,
    FeeAmountMinor,
    FeeCurrency,
    ConfirmedCount,
    WaitlistCount,
    PublishedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GrantAllocations {
    Table,
    GrantId,
    ProgrammeId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum HourBudgetLines {
    Table,
    ProgrammeId,
    ActivityType,
    PlannedMinutes,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    ProgrammeId,
    Title,
    ActivityType,
    StartsAt,
    EndsAt,
    VenueId,
    OnlineUrl,
    Capacity,
    Language,
    CreditMinutes,
    ParallelGroup,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SessionTrainers {
    Table,
    SessionId,
    AccountId,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(Alias::new(*col));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};
        manager
            .create_table(
                Table::create()
                    .table(Funders::Table)
                    .col(pk_uuid(Funders::Id))
                    .col(uuid(Funders::OrganisationId))
                    .col(string_len(Funders::OrganisationPath, 1024))
                    .col(string_len(Funders::Name, 300))
                    .col(string_len(Funders::Kind, 40))
                    .col(string_len_null(Funders::Country, 2))
                    .col(string_len_null(Funders::Website, 2000))
                    .col(integer(Funders::Version))
                    .col(timestamp_with_time_zone(Funders::CreatedAt))
                    .col(timestamp_with_time_zone(Funders::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_funders_organisation",
                        (Funders::Table, Funders::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Grants::Table)
                    .col(pk_uuid(Grants::Id))
                    .col(uuid(Grants::FunderId))
                    .col(uuid(Grants::RecipientOrganisationId))
                    .col(string_len(Grants::OrganisationPath, 1024))
                    .col(string_len(Grants::Reference, 200))
                    .col(string_len(Grants::Title, 300))
                    // Integer minor units (grosze, cents): money is never a float.
                    .col(big_integer(Grants::AmountMinor))
                    .col(string_len(Grants::Currency, 3))
                    .col(date(Grants::StartsOn))
                    .col(date(Grants::EndsOn))
                    .col(integer_null(Grants::FundedMinutes))
                    .col(string_len(Grants::Status, 20))
                    .col(integer(Grants::Version))
                    .col(timestamp_with_time_zone(Grants::CreatedAt))
                    .col(timestamp_with_time_zone(Grants::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_grants_funder",
                        (Grants::Table, Grants::FunderId),
                        (Funders::Table, Funders::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_grants_recipient",
                        (Grants::Table, Grants::RecipientOrganisationId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Venues::Table)
                    .col(pk_uuid(Venues::Id))
                    .col(uuid(Venues::OrganisationId))
                    .col(string_len(Venues::OrganisationPath, 1024))
                    .col(string_len(Venues::Name, 300))
                    .col(string_len(Venues::Address, 300))
                    .col(string_len(Venues::City, 200))
                    .col(string_len_null(Venues::PostalCode, 20))
                    .col(string_len(Venues::Country, 2))
                    .col(integer_null(Venues::Capacity))
                    .col(text_null(Venues::Accessibility))
                    .col(double_null(Venues::Latitude))
                    .col(double_null(Venues::Longitude))
                    .col(integer(Venues::Version))
                    .col(timestamp_with_time_zone(Venues::CreatedAt))
                    .col(timestamp_with_time_zone(Venues::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_venues_organisation",
                        (Venues::Table, Venues::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Programmes::Table)
                    .col(pk_uuid(Programmes::Id))
                    .col(uuid(Programmes::OrganisationId))
                    .col(string_len(Programmes::OrganisationPath, 1024))
                    .col(string_len(Programmes::Status, 20))
                    .col(string_len(Programmes::Kind, 40))
                    .col(text(Programmes::Title))
                    .col(text(Programmes::TitleSearch))
                    .col(text_null(Programmes::Summary))
                    .col(text_null(Programmes::Description))
                    .col(date(Programmes::StartsOn))
                    .col(date(Programmes::EndsOn))
                    .col(string_len(Programmes::TimeZone, 64))
                    // `,pl,en,`: a language filter is a LIKE on `,pl,`.
                    .col(string_len(Programmes::Languages, 400))
                    .col(text_null(Programmes::TargetAudience))
                    // Null: unlimited places.
                    .col(integer_null(Programmes::Capacity))
                    .col(string_len(Programmes::RegistrationPolicy, 40))
                    .col(timestamp_with_time_zone_null(
                        Programmes::RegistrationOpensAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        Programmes::RegistrationClosesAt,
                    ))
                    .col(uuid_null(Programmes::EligibleWorkplaceId))
                    .col(string_len_null(Programmes::EligibleJobRoles, 1000))
                    .col(small_integer(Programmes::CompletionMinPercent))
                    .col(text_null(Programmes::CompletionPerActivity))
                    .col(string_len_null(Programmes::ContactName, 200))
                    .col(string_len_null(Programmes::ContactEmail, 254))
                    .col(string_len_null(Programmes::ContactPhone, 40))
                    // Null: free for participants.
                    .col(big_integer_null(Programmes::FeeAmountMinor))
                    .col(string_len_null(Programmes::FeeCurrency, 3))
                    // Seat counters, kept by the registration transactions (never recounted
                    // under load): the conditional UPDATE on them is what prevents overbooking.
                    .col(integer(Programmes::ConfirmedCount).default(0))
                    .col(integer(Programmes::WaitlistCount).default(0))
                    .col(timestamp_with_time_zone_null(Programmes::PublishedAt))
                    .col(integer(Programmes::Version))
                    .col(timestamp_with_time_zone(Programmes::CreatedAt))
                    .col(timestamp_with_time_zone(Programmes::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_programmes_organisation",
                        (Programmes::Table, Programmes::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_programmes_eligible_workplace",
                        (Programmes::Table, Programmes::EligibleWorkplaceId),
                        (Organisations::Table, Organisations::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GrantAllocations::Table)
                    .col(uuid(GrantAllocations::GrantId))
                    .col(uuid(GrantAllocations::ProgrammeId))
                    .col(timestamp_with_time_zone(GrantAllocations::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(GrantAllocations::GrantId)
                            .col(GrantAllocations::ProgrammeId),
                    )
                    .foreign_key(&mut fk(
                        "fk_grant_allocations_grant",
                        (GrantAllocations::Table, GrantAllocations::GrantId),
                        (Grants::Table, Grants::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_grant_allocations_programme",
                        (GrantAllocations::Table, GrantAllocations::ProgrammeId),
                        (Programmes::Table, Programmes::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HourBudgetLines::Table)
                    .col(uuid(HourBudgetLines::ProgrammeId))
                    .col(string_len(HourBudgetLines::ActivityType, 40))
                    .col(integer(HourBudgetLines::PlannedMinutes))
                    .primary_key(
                        Index::create()
                            .col(HourBudgetLines::ProgrammeId)
                            .col(HourBudgetLines::ActivityType),
                    )
                    .foreign_key(&mut fk(
                        "fk_hour_budget_lines_programme",
                        (HourBudgetLines::Table, HourBudgetLines::ProgrammeId),
                        (Programmes::Table, Programmes::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_uuid(Sessions::Id))
                    .col(uuid(Sessions::ProgrammeId))
                    .col(text(Sessions::Title))
                    .col(string_len(Sessions::ActivityType, 40))
                    .col(timestamp_with_time_zone(Sessions::StartsAt))
                    .col(timestamp_with_time_zone(Sessions::EndsAt))
                    .col(uuid_null(Sessions::VenueId))
                    .col(string_len_null(Sessions::OnlineUrl, 2000))
                    .col(integer_null(Sessions::Capacity))
                    .col(string_len_null(Sessions::Language, 35))
                    .col(integer(Sessions::CreditMinutes))
                    .col(string_len_null(Sessions::ParallelGroup, 100))
                    .col(string_len(Sessions::Status, 20))
                    // Also the iCalendar SEQUENCE (version - 1): raised on every change.
                    .col(integer(Sessions::Version))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_sessions_programme",
                        (Sessions::Table, Sessions::ProgrammeId),
                        (Programmes::Table, Programmes::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_sessions_venue",
                        (Sessions::Table, Sessions::VenueId),
                        (Venues::Table, Venues::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SessionTrainers::Table)
                    .col(uuid(SessionTrainers::SessionId))
                    .col(uuid(SessionTrainers::AccountId))
                    .primary_key(
                        Index::create()
                            .col(SessionTrainers::SessionId)
                            .col(SessionTrainers::AccountId),
                    )
                    .foreign_key(&mut fk(
                        "fk_session_trainers_session",
                        (SessionTrainers::Table, SessionTrainers::SessionId),
                        (Sessions::Table, Sessions::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_session_trainers_account",
                        (SessionTrainers::Table, SessionTrainers::AccountId),
                        (Accounts::Table, Accounts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index("ix_funders_path", Funders::Table, &["organisation_path"]),
            index("ix_grants_path", Grants::Table, &["organisation_path"]),
            index("ix_grants_funder", Grants::Table, &["funder_id"]),
            index("ix_venues_path", Venues::Table, &["organisation_path"]),
            index(
                "ix_programmes_path",
                Programmes::Table,
                &["organisation_path"],
            ),
            index(
                "ix_programmes_status",
                Programmes::Table,
                &["status", "starts_on"],
            ),
            index(
                "ix_grant_allocations_programme",
                GrantAllocations::Table,
                &["programme_id"],
            ),
            index(
                "ix_sessions_programme",
                Sessions::Table,
                &["programme_id", "starts_at"],
            ),
            index(
                "ix_session_trainers_account",
                SessionTrainers::Table,
                &["account_id"],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SessionTrainers::Table.into_iden(),
            Sessions::Table.into_iden(),
            HourBudgetLines::Table.into_iden(),
            GrantAllocations::Table.into_iden(),
            Programmes::Table.into_iden(),
            Venues::Table.into_iden(),
            Grants::Table.into_iden(),
            Funders::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
