//! Messages organisers write to a programme's participants, and the link from each e-mail in
//! the outbox to the message it is a copy of (so delivery is counted per message).

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Programmes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProgrammeMessages {
    Table,
    Id,
    ProgrammeId,
    SentBy,
    Subject,
    Body,
    Audience,
    Recipients,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    MessageId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeMessages::Table)
                    .col(pk_uuid(ProgrammeMessages::Id))
                    .col(uuid(ProgrammeMessages::ProgrammeId))
                    .col(uuid(ProgrammeMessages::SentBy))
                    // Multilingual text as JSON objects (language tag to text), as programme
                    // titles are kept: text columns read the same on SQLite and PostgreSQL.
                    .col(text(ProgrammeMessages::Subject))
                    .col(text(ProgrammeMessages::Body))
                    .col(string_len(ProgrammeMessages::Audience, 20))
                    // How many e-mails were queued, fixed when sending: the participants in the
                    // audience under the programme's lock at that moment.
                    .col(integer(ProgrammeMessages::Recipients))
                    .col(timestamp_with_time_zone(ProgrammeMessages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_programme_messages_programme")
                            .from(ProgrammeMessages::Table, ProgrammeMessages::ProgrammeId)
                            .to(Programmes::Table, Programmes::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_programme_messages_sent_by")
                            .from(ProgrammeMessages::Table, ProgrammeMessages::SentBy)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A programme's messages are listed page by page in id order.
        manager
            .create_index(
                Index::create()
                    .name("ix_programme_messages_programme")
                    .table(ProgrammeMessages::Table)
                    .col(ProgrammeMessages::ProgrammeId)
                    .col(ProgrammeMessages::Id)
                    .to_owned(),
            )
            .await?;
        // Null for every other kind of e-mail. No foreign key: SQLite cannot add one to an
        // existing table, and the only writer sets it in the transaction that stores the
        // message.
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(uuid_null(Notifications::MessageId))
                    .to_owned(),
            )
            .await?;
        // Delivery counts are one grouped query over a page's message ids.
        manager
            .create_index(
                Index::create()
                    .name("ix_notifications_message")
                    .table(Notifications::Table)
                    .col(Notifications::MessageId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_notifications_message")
                    .table(Notifications::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .drop_column(Notifications::MessageId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ProgrammeMessages::Table).to_owned())
            .await
    }
}
