//! Connecting, migrating and opening write transactions on SQLite or PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::error::SqlxError;
use sea_orm::sqlx::Connection;
use sea_orm::sqlx::postgres::PgConnection;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, DatabaseConnection, DatabaseTransaction, DbErr, RuntimeErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::error::{connection_lost, postgres_sqlstate};
use crate::migrations::Migrator;

pub type Database = DatabaseConnection;

/// Opens a pool for `url` (`sqlite://…` or `postgres://…`).
///
/// SQLite runs in WAL mode so that readers never wait for the writer; `synchronous=NORMAL` in
/// WAL keeps every committed transaction across a process kill (only a power cut can lose the
/// last ones), foreign keys are enforced, and a busy connection waits up to five seconds.
///
/// The pool outlives the database's outages: a connection is pinged before it is handed out
/// (`test_before_acquire`, sea-orm's default, stated here because recovery depends on it) and
/// again when it comes back (sqlx does that itself), and a dead one is dropped and replaced, so
/// a connection killed by a restart, a failover or `pg_terminate_backend` is never given to a
/// request, and the first request after the database is back gets a fresh one. A request that
/// cannot have a connection within `acquire_timeout` (all in use, or the server refusing) fails
/// with `StoreError::Unavailable`. (sea-orm maps `connect_timeout` onto sqlx's acquire timeout
/// too, so only `acquire_timeout` is set.)
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(true)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    sea_orm::Database::connect(options).await
}

/// Opens one PostgreSQL connection outside any pool and closes it again, to learn whether the
/// server can be reached and, if not, why: a pool retries refused connections quietly until its
/// acquire timeout and then reports only that it timed out.
pub async fn probe_postgres(url: &str) -> Result<(), DbErr> {
    let conn_err = |e: SqlxError| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e)));
    let conn = PgConnection::connect(url).await.map_err(conn_err)?;
    conn.close().await.map_err(conn_err)
}

/// Whether a failure to connect or to migrate may go away by waiting: the server is not up
/// yet, refuses or drops connections, or the database has not been created yet. Wrong
/// credentials (SQLSTATE class 28) and a malformed URL will not, so start-up says so at once.
pub fn worth_waiting_for(err: &DbErr) -> bool {
    match postgres_sqlstate(err) {
        Some(code) if code.starts_with("28") => return false,
        // invalid_catalog_name: the database is being provisioned after its server.
        Some("3D000") => return true,
        _ => {}
    }
    if let DbErr::Conn(RuntimeErr::SqlxError(e)) = err
        && matches!(e.as_ref(), SqlxError::Configuration(_))
    {
        return false;
    }
    connection_lost(err)
}

/// Applies every pending migration; returns how many were applied.
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None).await?;
    Ok(pending)
}

/// Opens a transaction that will write.
///
/// On SQLite it is `BEGIN IMMEDIATE`: a deferred transaction that reads and then writes fails
/// at once with SQLITE_BUSY when another writer got there first, ignoring `busy_timeout`;
/// taking the write lock up front makes writers queue instead. PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// A round trip to the database, for readiness checks.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}
