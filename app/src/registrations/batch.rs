//! Register many people at once (organisers; scripts with an API token).

use super::RegistrationView;
use super::register::{RegisterError, RegistrationRequest, register_in};
use crate::programmes::organised;
use crate::{App, AppError, Caller, Once, Outcome};
use chrono::Utc;
use kompetens_domain::ids::ProgrammeId;
use kompetens_persistence::TransactionTrait;
use kompetens_persistence::repo::programmes;

/// The most entries one batch may hold.
pub const MAX_BATCH: usize = 500;

/// Up to [`MAX_BATCH`] registrations, each read on its own: an entry that is not a valid
/// registration request fails alone (its problems become its result), the others go ahead.
pub struct BatchRequest {
    pub entries: Vec<Result<RegistrationRequest, AppError>>,
}

/// The outcome of one entry.
pub type BatchEntry = Result<RegistrationView, AppError>;

/// A result per entry, in the order of the request.
pub struct BatchOutcome {
    pub results: Vec<BatchEntry>,
}

impl BatchOutcome {
    pub fn created(&self) -> usize {
        self.results.iter().filter(|r| r.is_ok()).count()
    }
}

/// Entries are processed in order, each all or nothing (a failed entry leaves no trace, in a
/// savepoint of its own), with a result per entry.
pub async fn batch(
    app: &App,
    caller: &Caller,
    programme: ProgrammeId,
    request: BatchRequest,
    once: Once<'_, BatchOutcome>,
) -> Result<Outcome<BatchOutcome>, AppError> {
    if request.entries.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "/entries",
            format!("may hold at most {MAX_BATCH} items"),
        ));
    }
    let tx = app.begin().await?;
    let programme = organised(&tx, &caller.actor, programme, true).await?;
    let now = Utc::now();
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    let mut results = Vec::with_capacity(request.entries.len());
    for entry in request.entries {
        if let Err(refused) = &entry
            && !matches!(refused, AppError::Validation(_))
        {
            return Err(AppError::bug(
                "a batch entry failed other than by its own fields",
            ));
        }
        let savepoint = tx.begin().await?;
        let outcome = match entry.and_then(RegistrationRequest::subject) {
            // Programme counters moved by earlier entries: read them again.
            Ok(subject) => match programmes::find(&savepoint, programme.id, false).await? {
                Some(current) => {
                    register_in(app, &savepoint, caller, &current, subject, Utc::now()).await
                }
                None => Err(RegisterError::App(AppError::NotFound)),
            },
            Err(e) => Err(RegisterError::App(e)),
        };
        match outcome {
            Ok(done) => {
                savepoint.commit().await?;
                results.push(Ok(done));
            }
            // The database failing is no entry's fault: the whole batch answers it.
            Err(RegisterError::App(e @ (AppError::Internal(_) | AppError::Unavailable { .. }))) => {
                return Err(e);
            }
            Err(refused) => {
                // A failed insert leaves the savepoint unusable on PostgreSQL: roll it back, then
                // look the existing registration up in the transaction.
                savepoint.rollback().await?;
                results.push(Err(refused.explain(&tx, programme.id).await));
            }
        }
    }
    let outcome = BatchOutcome { results };
    once.remember(&tx, caller.account_id(), &outcome, now)
        .await?;
    tx.commit().await?;
    tracing::info!(programme_id = %programme.id, created = outcome.created(), failed = outcome.results.len() - outcome.created(), "registration batch processed");
    Ok(Outcome::Fresh(outcome))
}
