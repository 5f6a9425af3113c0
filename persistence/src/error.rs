//! What can go wrong in storage, in terms the API can map to a status.

use sea_orm::{DbErr, SqlErr};

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
            "pool timed out",
        ];
        if busy.iter().any(|needle| text.contains(needle)) {
            StoreError::Busy(text)
        } else {
            StoreError::Db(err)
        }
    }
}

pub(crate) fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {err}"))
}
