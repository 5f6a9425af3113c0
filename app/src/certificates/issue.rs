//! Issue a registration's certificate (organisers): for programmes with `manual` issuance, or
//! after a revoked one. The completion rule must be met.

use chrono::Utc;
use kompetens_domain::ids::RegistrationId;
use kompetens_domain::registration::RegistrationStatus;
use kompetens_persistence::repo::{certificates, registrations};

use super::Certificate;
use crate::completion::{self, certificate_exists, progress_of};
use crate::registrations::visible;
use crate::{App, AppError, Caller, FieldError, Once, Outcome};

pub async fn issue(
    app: &App,
    caller: &Caller,
    id: RegistrationId,
    once: Once<'_, Certificate>,
) -> Result<Outcome<Certificate>, AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    let (mut r, programme, organiser) = visible(&tx, caller, id, true).await?;
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    if !organiser {
        return Err(AppError::Forbidden(
            "only the programme's organisers issue certificates".into(),
        ));
    }
    if let Some(live) = certificates::live_for_registration(&tx, r.id).await? {
        return Err(certificate_exists(Some(live.id)));
    }
    let progress = progress_of(&tx, &programme, &r).await?;
    if !progress.completion.met {
        return Err(AppError::ConflictWith {
            code: "completion-not-met",
            detail: "the completion rule is not met; `errors` says what is missing".into(),
            errors: progress
                .completion
                .shortfalls
                .iter()
                .map(|s| {
                    FieldError::at(
                        match s.activity_type {
                            Some(a) => format!("/completion_rule/per_activity_type/{a}"),
                            None => "/completion_rule/min_attended_percent".to_string(),
                        },
                        format!(
                            "{} of the {} minutes required are attended; {} missing",
                            s.attended_minutes, s.required_minutes, s.missing_minutes
                        ),
                    )
                })
                .collect(),
        });
    }
    if r.status == RegistrationStatus::Confirmed {
        // Met but not yet settled (the rule or the budget changed since the last recording).
        r.status = RegistrationStatus::Completed;
        r.version += 1;
        r.updated_at = now;
        registrations::save(&tx, &r).await?;
    }
    let issuer = completion::issuer(&tx, &programme).await?;
    let certificate = completion::issue(
        &tx,
        &programme,
        &issuer,
        &r,
        &progress,
        Some(caller.account.id),
        now,
    )
    .await?;
    once.remember(&tx, caller.account_id(), &certificate, now)
        .await?;
    tx.commit().await?;
    Ok(Outcome::Fresh(certificate))
}
