//! Erase one's own account (GDPR art. 17), proven by the current password.
//!
//! Registrations that still hold or wait for a place are cancelled (their places go to those
//! waiting, in order), every session and API token ends, roles end, and what identifies the
//! person goes; what they took part in still counts in the figures.

use chrono::Utc;
use kompetens_domain::password::Password;
use kompetens_domain::registration::RegistrationStatus;
use kompetens_persistence::repo::{erasure, programmes, registrations, sign_in_failures};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{check_failure_limit, email_scope, record_failure, verify_password};
use crate::registrations::{end, promote};
use crate::{App, AppError, Caller};

/// Your current password, to prove that it is you who erases the account.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery"}))]
pub struct EraseRequest {
    /// Required: a wrong one answers 403 (`/problems/password-mismatch`) and counts as a failed
    /// sign-in.
    #[serde(default)]
    #[schema(required = true, nullable = false)]
    pub password: Option<Password>,
}

pub async fn erase(app: &App, caller: &Caller, request: EraseRequest) -> Result<(), AppError> {
    let Some(password) = request.password else {
        return Err(AppError::invalid("/password", "is required"));
    };
    let now = Utc::now();
    let account = &caller.account;
    // A wrong password here is a failed sign-in: the same limit guards both.
    let scope = email_scope(account.email.as_str());
    check_failure_limit(
        app,
        &scope,
        app.config().sign_in_max_failures_per_account,
        now,
    )
    .await?;
    let stored = account.password_hash.clone();
    if !verify_password(stored, password.into_string()).await? {
        record_failure(app, &[&scope], now).await?;
        tracing::info!(account_id = %account.id, "erasure refused: wrong password");
        return Err(AppError::Refused {
            code: "password-mismatch",
            detail: "the password is wrong; send your current password to erase your account"
                .into(),
        });
    }
    if account.is_admin {
        return Err(AppError::Forbidden(
            "an instance admin cannot erase themself; have another admin take over first".into(),
        ));
    }
    let tx = app.begin().await?;
    sign_in_failures::clear(&tx, &scope).await?;
    let held = registrations::cancellable_for_participant(&tx, account.id).await?;
    let mut programme_ids: Vec<_> = held.iter().map(|r| r.programme_id).collect();
    // Programme rows are locked in one order, so two erasures never wait on each other.
    programme_ids.sort_unstable();
    programme_ids.dedup();
    for id in programme_ids {
        let Some(programme) = programmes::find(&tx, id, true).await? else {
            continue;
        };
        for r in held.iter().filter(|r| r.programme_id == id) {
            // Re-read under the lock.
            let Some(mut r) = registrations::find(&tx, r.id).await? else {
                continue;
            };
            if r.status.is_cancellable() {
                end(
                    &tx,
                    &programme,
                    &mut r,
                    RegistrationStatus::Cancelled,
                    Some("the participant erased their account".into()),
                    now,
                )
                .await?;
            }
        }
        promote(&tx, &programme, now).await?;
    }
    erasure::erase(&tx, account.id, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %account.id, "account erased");
    Ok(())
}
