//! Double-booking: a venue says how many sessions it may host at once, and sessions are found
//! by venue and time, so that the overlap check of every session write stays an index range.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Venues {
    Table,
    ConcurrentSessions,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    VenueId,
    StartsAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One session at a time unless the venue's keeper says more: every existing venue
        // gets 1 through the default.
        manager
            .alter_table(
                Table::alter()
                    .table(Venues::Table)
                    .add_column(integer(Venues::ConcurrentSessions).default(1))
                    .to_owned(),
            )
            .await?;
        // The sessions at a venue overlapping an interval: `venue_id = ? AND starts_at < end`
        // (the trainer check goes through `ix_session_trainers_account`).
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_venue_starts")
                    .table(Sessions::Table)
                    .col(Sessions::VenueId)
                    .col(Sessions::StartsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_sessions_venue_starts")
                    .table(Sessions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Venues::Table)
                    .drop_column(Venues::ConcurrentSessions)
                    .to_owned(),
            )
            .await
    }
}
