//! A programme's hour budget: planned, scheduled and delivered minutes per activity type.

use chrono::Utc;
use kompetens_domain::hour_budget::{ActivityType, BudgetLine, HourBudget, PlannedMinutes, Tally};
use kompetens_domain::ids::ProgrammeId;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_domain::programme::{Programme, ProgrammeStatus};
use kompetens_persistence::repo::{programmes, sessions};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{authorised, budget_exceeded, ensure_editable, incomplete, tally};
use crate::{App, AppError, Caller, FieldError, check_version};

/// The budget with what the sessions schedule and deliver, and the programme it belongs to.
pub struct HourBudgetView {
    pub programme: Programme,
    pub budget: HourBudget,
    pub tally: Tally,
}

/// The whole hour budget, replacing the previous one: at most one line per activity type.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lines": [
    {"activity_type": "workshop", "planned_minutes": 900},
    {"activity_type": "group_supervision", "planned_minutes": 480},
    {"activity_type": "individual_supervision", "planned_minutes": 300},
    {"activity_type": "psychosocial_support", "planned_minutes": 360},
    {"activity_type": "social_skills_training", "planned_minutes": 360}
]}))]
pub struct HourBudgetRequest {
    #[schema(max_items = 12)]
    pub lines: Vec<BudgetLineRequest>,
}

/// One line of an hour budget.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLineRequest {
    pub activity_type: ActivityType,
    pub planned_minutes: PlannedMinutes,
}

/// Get a programme's hour budget (public when the programme is).
pub async fn hour_budget(
    app: &App,
    caller: Option<&Caller>,
    id: ProgrammeId,
) -> Result<HourBudgetView, AppError> {
    let db = app.db();
    let programme = authorised(
        db,
        caller.map(|c| &c.actor),
        id,
        ProgrammeAction::Read,
        false,
    )
    .await?;
    let budget = programmes::budget(db, programme.id).await?;
    let all = sessions::all_for_programme(db, programme.id).await?;
    Ok(HourBudgetView {
        tally: tally(&all),
        budget,
        programme,
    })
}

/// Replace a programme's hour budget. No line may fall below the minutes its sessions already
/// schedule (409 `hour-budget-exceeded`, naming each such line).
pub async fn replace_hour_budget(
    app: &App,
    caller: &Caller,
    id: ProgrammeId,
    expected_version: Option<i32>,
    request: HourBudgetRequest,
) -> Result<HourBudgetView, AppError> {
    if request.lines.len() > ActivityType::ALL.len() {
        return Err(AppError::invalid(
            "/lines",
            format!("may hold at most {} items", ActivityType::ALL.len()),
        ));
    }
    let lines: Vec<BudgetLine> = request
        .lines
        .iter()
        .map(|l| BudgetLine {
            activity_type: l.activity_type,
            planned_minutes: l.planned_minutes.get(),
        })
        .collect();
    let budget = HourBudget::parse(&lines)
        .map_err(|(i, e)| AppError::invalid(&format!("/lines/{i}/activity_type"), e.0))?;
    let tx = app.begin().await?;
    let mut p = authorised(&tx, Some(&caller.actor), id, ProgrammeAction::Manage, true).await?;
    check_version(expected_version, p.version)?;
    ensure_editable(&p)?;
    let all = sessions::all_for_programme(&tx, p.id).await?;
    let tally = tally(&all);
    let overruns = budget.overruns(&tally);
    if !overruns.is_empty() {
        return Err(budget_exceeded(&overruns));
    }
    if p.status == ProgrammeStatus::Published && budget.is_empty() {
        return Err(incomplete(vec![FieldError::at(
            "/hour_budget",
            "a published programme must keep an hour budget",
        )]));
    }
    programmes::replace_budget(&tx, p.id, &budget).await?;
    p.version += 1;
    p.updated_at = Utc::now();
    programmes::save(&tx, &p).await?;
    tx.commit().await?;
    Ok(HourBudgetView {
        programme: p,
        budget,
        tally,
    })
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    #[test]
    fn the_published_line_limit_is_the_number_of_activity_types() {
        let schema = serde_json::to_value(HourBudgetRequest::schema()).unwrap_or_default();
        assert_eq!(
            schema["properties"]["lines"]["maxItems"],
            serde_json::json!(ActivityType::ALL.len())
        );
    }
}
