//! Fair places: a programme's priority group (with places reserved for it until an instant),
//! seat caps per member organisation, a registration form, and eligibility by verified
//! employment; registrations keep whether they were in the group, whether their workplace was
//! verified, and their answers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Programmes {
    Table,
    EligibleVerifiedEmployment,
    /// The group's job roles, `,a,b,` as the other lists; NULL: no priority group.
    PriorityJobRoles,
    PriorityReservedPlaces,
    PriorityReservedUntil,
    /// When the places held for the group went back to everyone (the release is noticed by the
    /// first registration or cancellation after `priority_reserved_until`, or a worker tick).
    ReservationReleasedAt,
    /// JSON `[{"organisation_id": …, "places": n}]`.
    SeatCaps,
    /// JSON: the registration form.
    Questions,
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    EmploymentVerified,
    Priority,
    /// JSON `{question_id: answer}`; NULL once the participant's account is erased.
    Answers,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        let programme_columns = [
            boolean(Programmes::EligibleVerifiedEmployment)
                .default(false)
                .to_owned(),
            text_null(Programmes::PriorityJobRoles).to_owned(),
            integer(Programmes::PriorityReservedPlaces)
                .default(0)
                .to_owned(),
            timestamp_with_time_zone_null(Programmes::PriorityReservedUntil).to_owned(),
            timestamp_with_time_zone_null(Programmes::ReservationReleasedAt).to_owned(),
            text_null(Programmes::SeatCaps).to_owned(),
            text_null(Programmes::Questions).to_owned(),
        ];
        for mut column in programme_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Programmes::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let registration_columns = [
            boolean(Registrations::EmploymentVerified)
                .default(false)
                .to_owned(),
            boolean(Registrations::Priority).default(false).to_owned(),
            text_null(Registrations::Answers).to_owned(),
        ];
        for mut column in registration_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Registrations::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        // The worker's question: whose reservation has ended without anyone noticing yet.
        manager
            .create_index(
                Index::create()
                    .name("ix_programmes_reservation_end")
                    .table(Programmes::Table)
                    .col(Programmes::PriorityReservedUntil)
                    .col(Programmes::ReservationReleasedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_programmes_reservation_end")
                    .table(Programmes::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Registrations::EmploymentVerified,
            Registrations::Priority,
            Registrations::Answers,
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
        for column in [
            Programmes::EligibleVerifiedEmployment,
            Programmes::PriorityJobRoles,
            Programmes::PriorityReservedPlaces,
            Programmes::PriorityReservedUntil,
            Programmes::ReservationReleasedAt,
            Programmes::SeatCaps,
            Programmes::Questions,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Programmes::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
