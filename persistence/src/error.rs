//! What can go wrong in storage, in terms the API can map to a status.

use sea_orm::error::{SqlxError, SqlxPostgresError};
use sea_orm::{DbErr, RuntimeErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the constraint's name says which.
    #[error("unique constraint violated: {0}")]
    Duplicate(String),
    /// A referenced row does not exist.
    #[error("foreign key constraint violated: {0}")]
    MissingReference(String),
    /// The database is busy or a lock could not be taken in time: the caller may retry.
    #[error("database busy: {0}")]
    Busy(String),
    /// The database cannot be reached: the connection was refused, lost or closed, or no
    /// connection could be had in time. Nothing of the request's transaction was committed
    /// unless the connection died during `COMMIT` itself; the caller may retry (with an
    /// `Idempotency-Key` where it matters), and the pool opens fresh connections meanwhile.
    #[error("database unreachable: {0}")]
    Unavailable(String),
    /// A stored value no longer parses: a bug or manual tampering, never the caller's fault.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                return StoreError::Duplicate(detail);
            }
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => {
                return StoreError::MissingReference(detail);
            }
            _ => {}
        }
        if connection_lost(&err) {
            return StoreError::Unavailable(err.to_string());
        }
        let text = err.to_string();
        // sea-orm knows only unique and foreign-key violations; lock and busy conditions are
        // read from the driver's message: SQLite "database is locked"/SQLITE_BUSY, PostgreSQL
        // 40001 serialization failure, 40P01 deadlock, 55P03 lock_not_available.
        let busy = [
            "database is locked",
            "SQLITE_BUSY",
            "40001",
            "40P01",
            "55P03",
            "lock timeout",
            "deadlock detected",
            "could not serialize",
        ];
        if busy.iter().any(|needle| text.contains(needle)) {
            StoreError::Busy(text)
        } else {
            StoreError::Db(err)
        }
    }
}

/// Whether `err` means the database could not be reached, rather than that it refused this
/// statement. Read from the typed errors, not the message:
///
/// - `DbErr::ConnectionAcquire` (the pool timed out or is closed) and every `DbErr::Conn`
///   (sea-orm's "could not open a connection": refused, unknown host, startup refused);
/// - inside `DbErr::Exec`/`Query`, the sqlx errors that mean the socket or the pool failed:
///   `Io`, `Tls`, `Protocol` (the stream ended mid-message), `PoolTimedOut`, `PoolClosed`,
///   `WorkerCrashed` (SQLite's connection thread died);
/// - PostgreSQL SQLSTATEs of class 08 (connection exception), 57P01 admin_shutdown (what
///   `pg_terminate_backend` and a fast shutdown send), 57P02 crash_shutdown, 57P03
///   cannot_connect_now (starting up, or in recovery) and 53300 too_many_connections.
pub fn connection_lost(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            sqlx_connection_lost(e)
        }
        _ => false,
    }
}

fn sqlx_connection_lost(err: &SqlxError) -> bool {
    match err {
        SqlxError::Io(_)
        | SqlxError::Tls(_)
        | SqlxError::Protocol(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed => true,
        SqlxError::Database(db) => db
            .try_downcast_ref::<SqlxPostgresError>()
            .is_some_and(|pg| connection_sqlstate(pg.code())),
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs that say the connection, not the statement, failed.
fn connection_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// The SQLSTATE of a PostgreSQL error inside `err`, if that is what it is.
pub fn postgres_sqlstate(err: &DbErr) -> Option<&str> {
    match err {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => match e.as_ref() {
            SqlxError::Database(db) => db
                .try_downcast_ref::<SqlxPostgresError>()
                .map(SqlxPostgresError::code),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {err}"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::ConnAcquireErr;

    use super::*;

    fn exec(err: SqlxError) -> DbErr {
        DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err)))
    }

    #[test]
    fn lost_connections_are_unavailable_not_internal() {
        let io = || std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let lost = [
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
            DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            DbErr::Conn(RuntimeErr::Internal("Disconnected".into())),
            DbErr::Conn(RuntimeErr::SqlxError(Arc::new(SqlxError::Io(io())))),
            exec(SqlxError::Io(io())),
            DbErr::Query(RuntimeErr::SqlxError(Arc::new(SqlxError::Io(io())))),
            exec(SqlxError::Protocol("unexpected end of stream".into())),
            exec(SqlxError::PoolTimedOut),
            exec(SqlxError::PoolClosed),
            exec(SqlxError::WorkerCrashed),
            exec(SqlxError::Tls("handshake failed".into())),
        ];
        for err in lost {
            assert!(
                matches!(StoreError::from(err.clone()), StoreError::Unavailable(_)),
                "{err:?}"
            );
        }
    }

    #[test]
    fn statement_failures_are_not_mistaken_for_lost_connections() {
        let kept = [
            exec(SqlxError::RowNotFound),
            exec(SqlxError::ColumnNotFound("title".into())),
            DbErr::Exec(RuntimeErr::Internal("no rows".into())),
            DbErr::Custom("pool timed out".into()),
            DbErr::RecordNotFound("programme".into()),
        ];
        for err in kept {
            assert!(
                !matches!(StoreError::from(err.clone()), StoreError::Unavailable(_)),
                "{err:?}"
            );
        }
    }

    #[test]
    fn connection_sqlstates() {
        for code in [
            "08000", "08003", "08006", "08001", "08P01", "57P01", "57P02", "57P03",
        ] {
            assert!(connection_sqlstate(code), "{code}");
        }
        assert!(connection_sqlstate("53300"));
        for code in [
            "40001", "40P01", "55P03", "23505", "57014", "53200", "3D000",
        ] {
            assert!(!connection_sqlstate(code), "{code}");
        }
    }
}
