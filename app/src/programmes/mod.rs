//! Programmes: what organisers publish and people register for, their lifecycle and hour
//! budgets; and what the other resources ask of a programme (may this caller see it, manage
//! it, is it still editable, is it ready to publish).

mod budget;
mod create;
mod fields;
mod get;
mod list;
mod transition;
mod update;

pub use budget::{
    BudgetLineRequest, HourBudgetRequest, HourBudgetView, hour_budget, replace_hour_budget,
};
pub use create::{NewProgramme, create};
pub use fields::{
    CompletionRuleRequest, ContactRequest, EligibilityRequest, MobilityRequest, PriorityRequest,
    QuestionOptionRequest, QuestionRequest, SeatCapRequest,
};
pub use get::get;
pub use kompetens_domain::programme::Programme;
pub use list::{ProgrammeFilter, list};
pub use transition::{archive, close, publish};
pub use update::{ProgrammeChanges, update};

use kompetens_domain::hour_budget::{Overrun, Tally};
use kompetens_domain::ids::GrantId;
use kompetens_domain::ids::ProgrammeId;
use kompetens_domain::policy::{self, Actor, Decision, ProgrammeAction};
use kompetens_domain::programme::{self as rules, ProgrammeStatus};
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::programmes;
use kompetens_persistence::repo::sessions::{self, Session};

use crate::{AppError, FieldError};

/// A programme with the grants that fund it.
#[derive(Debug, Clone)]
pub struct ProgrammeView {
    pub programme: Programme,
    pub grant_ids: Vec<GrantId>,
}

/// Reads the grants of a programme to show it.
pub(crate) async fn view(
    conn: &impl ConnectionTrait,
    programme: Programme,
) -> Result<ProgrammeView, AppError> {
    let grant_ids = kompetens_persistence::repo::grants::for_programme(conn, programme.id).await?;
    Ok(ProgrammeView {
        programme,
        grant_ids,
    })
}

/// Loads a programme and checks the caller may do `action` to it; `lock` holds its row for the
/// rest of the transaction (every change to a programme, its budget, sessions and
/// registrations is decided under that lock: see docs/ARCHITECTURE.md).
pub(crate) async fn authorised(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    id: ProgrammeId,
    action: ProgrammeAction,
    lock: bool,
) -> Result<Programme, AppError> {
    let programme = programmes::find(conn, id, lock)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut decision = policy::programme(
        actor,
        &programme.organisation_path,
        programme.status,
        false,
        action,
    );
    if decision == Decision::NotFound {
        // Only then is it worth asking whether the caller teaches in it.
        if let Some(actor) = actor
            && programmes::is_taught_by(conn, programme.id, actor.account_id).await?
        {
            decision = policy::programme(
                Some(actor),
                &programme.organisation_path,
                programme.status,
                true,
                action,
            );
        }
    }
    AppError::check(decision)?;
    Ok(programme)
}

/// A programme the caller organises; to anyone else it does not exist (404), even where they
/// can read it: registrations, certificates and reports are the organisers' business.
pub(crate) async fn organised(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: ProgrammeId,
    lock: bool,
) -> Result<Programme, AppError> {
    authorised(conn, Some(actor), id, ProgrammeAction::Manage, lock)
        .await
        .map_err(|e| match e {
            AppError::Forbidden(_) => AppError::NotFound,
            other => other,
        })
}

/// 409 unless the programme can still change.
pub(crate) fn ensure_editable(p: &Programme) -> Result<(), AppError> {
    if p.status.is_editable() {
        Ok(())
    } else {
        Err(AppError::conflict(
            "programme-archived",
            "the programme is archived and can no longer change",
        ))
    }
}

/// The budget tally of a programme's sessions.
pub(crate) fn tally(sessions: &[Session]) -> Tally {
    let minutes: Vec<_> = sessions.iter().filter_map(Session::minutes).collect();
    Tally::of(&minutes)
}

/// Everything that keeps a programme from being published (empty when ready).
pub(crate) async fn missing_for_publication(
    conn: &impl ConnectionTrait,
    p: &Programme,
) -> Result<Vec<FieldError>, AppError> {
    let budget = programmes::budget(conn, p.id).await?;
    let all = sessions::all_for_programme(conn, p.id).await?;
    let tally = tally(&all);
    let overruns = budget.overruns(&tally);
    let session_count = sessions::count_scheduled(conn, p.id).await?;
    Ok(rules::missing_for_publication(&rules::Readiness {
        session_count,
        budget: &budget,
        overruns: &overruns,
        window: p.window(),
        period: p.period,
    })
    .into_iter()
    .map(|m| FieldError::at(m.pointer, m.detail))
    .collect())
}

/// 409 `programme-incomplete` listing what is missing.
pub(crate) fn incomplete(errors: Vec<FieldError>) -> AppError {
    AppError::ConflictWith {
        code: "programme-incomplete",
        detail: "the programme is not ready to be published; `errors` lists what is missing".into(),
        errors,
    }
}

/// A published programme must stay publishable after a change.
pub(crate) async fn ensure_still_publishable(
    conn: &impl ConnectionTrait,
    p: &Programme,
) -> Result<(), AppError> {
    if p.status == ProgrammeStatus::Published {
        let missing = missing_for_publication(conn, p).await?;
        if !missing.is_empty() {
            return Err(incomplete(missing));
        }
    }
    Ok(())
}

/// 409 `hour-budget-exceeded` naming each overrun line.
pub(crate) fn budget_exceeded(overruns: &[Overrun]) -> AppError {
    let detail = overruns
        .iter()
        .map(Overrun::describe)
        .collect::<Vec<_>>()
        .join("; ");
    AppError::ConflictWith {
        code: "hour-budget-exceeded",
        detail: format!(
            "{detail}. Raise the line (PUT …/hour-budget, or send \"raise_budget\": true with the session) or shorten the sessions"
        ),
        errors: overruns
            .iter()
            .map(|o| FieldError::at(format!("/hour_budget/{}", o.activity_type), o.describe()))
            .collect(),
    }
}
