//! Fewer statements while a programme's row is locked: the arrival counter moves with the seat
//! counters in one UPDATE, and "already registered" is a unique index instead of a query.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Programmes {
    Table,
    LastArrival,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The arrival number of the latest registration; the next one takes it plus one, in the
        // same UPDATE that moves the seat counters (under the programme's row lock).
        manager
            .alter_table(
                Table::alter()
                    .table(Programmes::Table)
                    .add_column(big_integer(Programmes::LastArrival).default(0))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE programmes SET last_arrival = \
             (SELECT COALESCE(MAX(r.arrival), 0) FROM registrations r WHERE r.programme_id = programmes.id)",
        )
        .await?;
        // One registration in play per participant and programme, whatever the concurrency: a
        // second one fails on this index and is answered 409 already-registered.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_registrations_active_participant \
             ON registrations (programme_id, participant_id) \
             WHERE status IN ('pending', 'confirmed', 'waitlisted', 'completed')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_registrations_active_participant")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Programmes::Table)
                    .drop_column(Programmes::LastArrival)
                    .to_owned(),
            )
            .await
    }
}
