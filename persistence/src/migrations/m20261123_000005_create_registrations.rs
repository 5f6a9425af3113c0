//! Registrations, the idempotency keys that make creates safe to retry, and the outbox of
//! notifications written in the same transactions.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Programmes {
    Table,
    Id,
    CancellationClosesAt,
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Id,
    ProgrammeId,
    ParticipantId,
    Status,
    Arrival,
    RegisteredBy,
    Reason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SessionChoices {
    Table,
    Id,
    SessionId,
    RegistrationId,
    Status,
    Arrival,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PasswordSetups {
    Table,
    TokenHash,
    AccountId,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    AccountId,
    Key,
    RequestHash,
    Status,
    Body,
    Location,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    AccountId,
    Recipient,
    Kind,
    Subject,
    Body,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Until when participants may cancel themselves (organisers may at any time).
        manager
            .alter_table(
                Table::alter()
                    .table(Programmes::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Programmes::CancellationClosesAt,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Registrations::Table)
                    .col(pk_uuid(Registrations::Id))
                    .col(uuid(Registrations::ProgrammeId))
                    .col(uuid(Registrations::ParticipantId))
                    .col(string_len(Registrations::Status, 20))
                    // Order of arrival within the programme: 1, 2, 3, … assigned under the
                    // programme's row lock, so it is the order in which registrations commit.
                    .col(big_integer(Registrations::Arrival))
                    .col(uuid_null(Registrations::RegisteredBy))
                    .col(text_null(Registrations::Reason))
                    .col(integer(Registrations::Version))
                    .col(timestamp_with_time_zone(Registrations::CreatedAt))
                    .col(timestamp_with_time_zone(Registrations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registrations_programme")
                            .from(Registrations::Table, Registrations::ProgrammeId)
                            .to(Programmes::Table, Programmes::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registrations_participant")
                            .from(Registrations::Table, Registrations::ParticipantId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // One arrival number per programme: a second writer with the same number fails.
        manager
            .create_index(
                Index::create()
                    .name("ux_registrations_programme_arrival")
                    .table(Registrations::Table)
                    .col(Registrations::ProgrammeId)
                    .col(Registrations::Arrival)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_registrations_programme_status")
                    .table(Registrations::Table)
                    .col(Registrations::ProgrammeId)
                    .col(Registrations::Status)
                    .col(Registrations::Arrival)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_registrations_participant")
                    .table(Registrations::Table)
                    .col(Registrations::ParticipantId)
                    .to_owned(),
            )
            .await?;
        // A confirmed participant's place (or wait) in a session with its own capacity.
        manager
            .create_table(
                Table::create()
                    .table(SessionChoices::Table)
                    .col(pk_uuid(SessionChoices::Id))
                    .col(uuid(SessionChoices::SessionId))
                    .col(uuid(SessionChoices::RegistrationId))
                    .col(string_len(SessionChoices::Status, 20))
                    // Order of arrival within the session, assigned under the programme's lock.
                    .col(big_integer(SessionChoices::Arrival))
                    .col(timestamp_with_time_zone(SessionChoices::CreatedAt))
                    .col(timestamp_with_time_zone(SessionChoices::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_choices_session")
                            .from(SessionChoices::Table, SessionChoices::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_choices_registration")
                            .from(SessionChoices::Table, SessionChoices::RegistrationId)
                            .to(Registrations::Table, Registrations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_session_choices_session_arrival")
                    .table(SessionChoices::Table)
                    .col(SessionChoices::SessionId)
                    .col(SessionChoices::Arrival)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_session_choices_registration")
                    .table(SessionChoices::Table)
                    .col(SessionChoices::RegistrationId)
                    .to_owned(),
            )
            .await?;
        // One-time codes with which invited people set their first password (stored hashed).
        manager
            .create_table(
                Table::create()
                    .table(PasswordSetups::Table)
                    .col(string_len(PasswordSetups::TokenHash, 64).primary_key())
                    .col(uuid(PasswordSetups::AccountId))
                    .col(timestamp_with_time_zone(PasswordSetups::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordSetups::UsedAt))
                    .col(timestamp_with_time_zone(PasswordSetups::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_password_setups_account")
                            .from(PasswordSetups::Table, PasswordSetups::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(uuid(IdempotencyKeys::AccountId))
                    .col(string_len(IdempotencyKeys::Key, 255))
                    // SHA-256 of method, path and body: the same key with another request is 422.
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(small_integer(IdempotencyKeys::Status))
                    .col(text(IdempotencyKeys::Body))
                    .col(string_len_null(IdempotencyKeys::Location, 2000))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::AccountId)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(uuid(Notifications::AccountId))
                    .col(string_len(Notifications::Recipient, 254))
                    .col(string_len(Notifications::Kind, 40))
                    .col(text(Notifications::Subject))
                    .col(text(Notifications::Body))
                    .col(integer(Notifications::Attempts))
                    .col(timestamp_with_time_zone(Notifications::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Notifications::SentAt))
                    .col(text_null(Notifications::LastError))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notifications_due")
                    .table(Notifications::Table)
                    .col(Notifications::SentAt)
                    .col(Notifications::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            IdempotencyKeys::Table.into_iden(),
            PasswordSetups::Table.into_iden(),
            SessionChoices::Table.into_iden(),
            Registrations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Programmes::Table)
                    .drop_column(Programmes::CancellationClosesAt)
                    .to_owned(),
            )
            .await
    }
}
