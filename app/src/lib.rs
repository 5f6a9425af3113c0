//! Kompetens use cases: the application layer between the HTTP API and storage.
//!
//! One use case per file, grouped by resource (`registrations/register.rs`, `venues/create.rs`,
//! …). Each opens its transaction, takes its lock, asks the policy and the domain, writes,
//! queues its outbox rows and returns domain results; the HTTP layer calls exactly one use case
//! per request and maps what it returns. Use cases may call each other (through the resource's
//! shared helpers), never the HTTP layer, which this crate does not know.

pub mod api_tokens;
pub mod attendance;
pub mod auth;
pub mod caller;
pub mod certificates;
pub mod competence_plans;
pub mod completion;
pub mod error;
pub mod funders;
pub mod grants;
pub mod idempotency;
pub mod me;
pub mod messages;
pub mod organisations;
pub mod page;
pub mod patch;
pub mod probe;
pub mod programmes;
pub mod registrations;
pub mod reports;
pub mod sessions;
pub mod staff;
pub mod venues;

use std::time::Duration;

use kompetens_persistence::{DatabaseConnection, DatabaseTransaction};

pub use caller::{Caller, Credential};
pub use error::{AppError, FieldError};
pub use idempotency::{Once, Outcome};
pub use page::{Page, PageRequest};

/// The configuration use cases need (the HTTP layer's own settings stay there).
#[derive(Debug, Clone)]
pub struct Config {
    /// Where clients reach the API: printed on certificates as their verification link.
    pub public_url: String,
    pub refresh_token_ttl: Duration,
    pub sign_in_max_failures_per_account: u64,
    pub sign_in_max_failures_per_address: u64,
    pub sign_in_window: Duration,
    /// A race test's probe (test builds only, see `probe`); `None` everywhere else.
    pub race_probe: Option<probe::RaceProbe>,
}

/// Everything a use case runs with: the database, the token keys and the configuration.
pub struct App {
    db: DatabaseConnection,
    tokens: auth::tokens::JwtKeys,
    config: Config,
}

impl App {
    pub fn new(db: DatabaseConnection, tokens: auth::tokens::JwtKeys, config: Config) -> Self {
        Self { db, tokens, config }
    }

    /// The pool, for reads that need no transaction.
    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn tokens(&self) -> &auth::tokens::JwtKeys {
        &self.tokens
    }

    /// Opens a transaction that will write (on SQLite `BEGIN IMMEDIATE`: see
    /// `kompetens_persistence::begin_write`).
    pub(crate) async fn begin(&self) -> Result<DatabaseTransaction, AppError> {
        Ok(kompetens_persistence::begin_write(&self.db).await?)
    }

    /// Whether the database answers: readiness.
    pub async fn ping(&self) -> Result<(), AppError> {
        Ok(kompetens_persistence::db::ping(&self.db).await?)
    }
}

/// A request whose members are checked against each other (an end after its start), beyond
/// what each member's type checks on its own. The HTTP layer runs it right after reading the
/// body, also when other members were refused, so that one answer lists every problem.
pub trait Validate {
    /// The problems between members, each at the pointer of the member to put right.
    fn validate(&self) -> Vec<FieldError>;
}

/// 412 unless `expected` (from `If-Match`) is absent or names the current version.
pub(crate) fn check_version(expected: Option<i32>, current: i32) -> Result<(), AppError> {
    match expected {
        Some(v) if v != current => Err(AppError::PreconditionFailed),
        _ => Ok(()),
    }
}
