//! Attendance per session and participant (with every change kept), the programme settings it
//! needs, and the certificates issued when the completion rule is met.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Programmes {
    Table,
    Id,
    AttendanceWindowDays,
    CertificateIssuance,
    Mobility,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    AttendanceRecordedAt,
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    Id,
    SessionId,
    ProgrammeId,
    RegistrationId,
    ParticipantId,
    Status,
    AttendedMinutes,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum AttendanceChanges {
    Table,
    Id,
    SessionId,
    ParticipantId,
    Status,
    AttendedMinutes,
    PreviousStatus,
    PreviousMinutes,
    ChangedBy,
    ChangedAt,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    RegistrationId,
    ProgrammeId,
    ParticipantId,
    Code,
    Language,
    HolderName,
    ProgrammeTitle,
    OrganiserName,
    Funders,
    Hours,
    TotalMinutes,
    StartsOn,
    EndsOn,
    Europass,
    IssuedAt,
    IssuedBy,
    RevokedAt,
    RevokedBy,
    RevocationReason,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            // Days after a session during which its attendance may still be recorded.
            integer(Programmes::AttendanceWindowDays)
                .default(14)
                .to_owned(),
            // `automatic` (issued when the rule is met) or `manual` (by an organiser).
            string_len(Programmes::CertificateIssuance, 20)
                .default("automatic")
                .to_owned(),
            // The Europass fields of a mobility, as JSON.
            text_null(Programmes::Mobility).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Programmes::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Set when attendance is first recorded: from then on the session counts as delivered.
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Sessions::AttendanceRecordedAt,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Attendance::Table)
                    .col(pk_uuid(Attendance::Id))
                    .col(uuid(Attendance::SessionId))
                    .col(uuid(Attendance::ProgrammeId))
                    .col(uuid(Attendance::RegistrationId))
                    .col(uuid(Attendance::ParticipantId))
                    .col(string_len(Attendance::Status, 20))
                    .col(integer(Attendance::AttendedMinutes))
                    .col(uuid(Attendance::RecordedBy))
                    .col(timestamp_with_time_zone(Attendance::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attendance_session")
                            .from(Attendance::Table, Attendance::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attendance_programme")
                            .from(Attendance::Table, Attendance::ProgrammeId)
                            .to(Programmes::Table, Programmes::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attendance_registration")
                            .from(Attendance::Table, Attendance::RegistrationId)
                            .to(Registrations::Table, Registrations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attendance_participant")
                            .from(Attendance::Table, Attendance::ParticipantId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // One mark per participant and session: a resubmitted list replaces, never adds.
        manager
            .create_index(
                Index::create()
                    .name("ux_attendance_session_participant")
                    .table(Attendance::Table)
                    .col(Attendance::SessionId)
                    .col(Attendance::ParticipantId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_attendance_programme_participant")
                    .table(Attendance::Table)
                    .col(Attendance::ProgrammeId)
                    .col(Attendance::ParticipantId)
                    .to_owned(),
            )
            .await?;
        // Every change, with who made it and when; `status` NULL: the mark was removed.
        manager
            .create_table(
                Table::create()
                    .table(AttendanceChanges::Table)
                    .col(pk_uuid(AttendanceChanges::Id))
                    .col(uuid(AttendanceChanges::SessionId))
                    .col(uuid(AttendanceChanges::ParticipantId))
                    .col(string_len_null(AttendanceChanges::Status, 20))
                    .col(integer_null(AttendanceChanges::AttendedMinutes))
                    .col(string_len_null(AttendanceChanges::PreviousStatus, 20))
                    .col(integer_null(AttendanceChanges::PreviousMinutes))
                    .col(uuid(AttendanceChanges::ChangedBy))
                    .col(timestamp_with_time_zone(AttendanceChanges::ChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attendance_changes_session")
                            .from(AttendanceChanges::Table, AttendanceChanges::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_attendance_changes_session")
                    .table(AttendanceChanges::Table)
                    .col(AttendanceChanges::SessionId)
                    .col(AttendanceChanges::Id)
                    .to_owned(),
            )
            .await?;
        // A certificate keeps what it says as it was at issue (name, titles, hours), so it
        // reads the same however the programme or the holder's profile changes later.
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .col(pk_uuid(Certificates::Id))
                    .col(uuid(Certificates::RegistrationId))
                    .col(uuid(Certificates::ProgrammeId))
                    .col(uuid(Certificates::ParticipantId))
                    // 20 characters of Crockford base 32: 100 random bits.
                    .col(string_len(Certificates::Code, 20))
                    .col(string_len(Certificates::Language, 35))
                    .col(text(Certificates::HolderName))
                    .col(text(Certificates::ProgrammeTitle))
                    .col(text(Certificates::OrganiserName))
                    .col(text(Certificates::Funders))
                    .col(text(Certificates::Hours))
                    .col(big_integer(Certificates::TotalMinutes))
                    .col(date(Certificates::StartsOn))
                    .col(date(Certificates::EndsOn))
                    .col(text_null(Certificates::Europass))
                    .col(timestamp_with_time_zone(Certificates::IssuedAt))
                    .col(uuid_null(Certificates::IssuedBy))
                    .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                    .col(uuid_null(Certificates::RevokedBy))
                    .col(text_null(Certificates::RevocationReason))
                    .col(integer(Certificates::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificates_registration")
                            .from(Certificates::Table, Certificates::RegistrationId)
                            .to(Registrations::Table, Registrations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificates_programme")
                            .from(Certificates::Table, Certificates::ProgrammeId)
                            .to(Programmes::Table, Programmes::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_certificates_code")
                    .table(Certificates::Table)
                    .col(Certificates::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_certificates_participant")
                    .table(Certificates::Table)
                    .col(Certificates::ParticipantId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_certificates_programme")
                    .table(Certificates::Table)
                    .col(Certificates::ProgrammeId)
                    .to_owned(),
            )
            .await?;
        // At most one certificate in force per registration, whatever the concurrency; a
        // revoked one may be followed by a new one. (A partial index: both databases have them.)
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_certificates_live_registration \
                 ON certificates (registration_id) WHERE revoked_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Certificates::Table.into_iden(),
            AttendanceChanges::Table.into_iden(),
            Attendance::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::AttendanceRecordedAt)
                    .to_owned(),
            )
            .await?;
        for column in [
            Programmes::Mobility,
            Programmes::CertificateIssuance,
            Programmes::AttendanceWindowDays,
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
