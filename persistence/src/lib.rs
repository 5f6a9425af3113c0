//! Kompetens storage: sea-orm entities, versioned migrations and repositories.
//!
//! Repositories are generic over `ConnectionTrait`, so they run inside a transaction or on the
//! pool alike, and return domain types rather than entities. Both SQLite (the embedded default)
//! and PostgreSQL (production) are supported by every function here.

pub mod db;
pub mod entities;
pub mod error;
pub mod migrations;
pub mod repo;

pub use db::{Database, begin_write, connect};
pub use error::StoreError;
pub use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait,
};

/// One page of a list ordered by id, with the id to continue after.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<uuid::Uuid>,
}
