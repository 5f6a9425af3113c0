//! Add a session to a programme.

use chrono::{DateTime, Utc};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::{AccountId, ProgrammeId, SessionId, VenueId};
use kompetens_domain::locale::Locale;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_domain::programme::Capacity;
use kompetens_domain::session::{
    CreditMinutes, ParallelGroup, Session, SessionStatus, SessionTime,
};
use kompetens_domain::text::{LocalizedLine, LocalizedText, WebUrl};
use kompetens_persistence::repo::sessions;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Fields, SessionView, TITLE_CHARS, ensure_bookable, touch, validate_and_fit};
use crate::programmes::{authorised, ensure_editable};
use crate::{App, AppError, Caller, Once, Outcome};

/// A new session. Instants are RFC 3339 with offset; the session must fall on the programme's
/// dates in its time zone. `credit_minutes` defaults to the session's length. A session that
/// would take its activity type past the hour budget is refused with 409 unless
/// `raise_budget` is `true`, which raises the line to fit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": {"pl": "Superwizja grupowa"},
    "activity_type": "group_supervision",
    "starts_at": "2026-06-14T15:00:00+02:00",
    "ends_at": "2026-06-14T18:00:00+02:00",
    "venue_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e90",
    "trainer_ids": ["019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f"],
    "language": "pl"
}))]
pub struct NewSession {
    pub title: LocalizedLine<{ TITLE_CHARS }>,
    pub activity_type: ActivityType,
    /// RFC 3339 with any offset; shown back in the programme's time zone.
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`; a session lasts less than 31 days.
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub venue_id: Option<VenueId>,
    #[serde(default)]
    pub online_url: Option<WebUrl>,
    /// Accounts holding the trainer role in the programme's organisation, above or below it.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub trainer_ids: Option<Vec<AccountId>>,
    /// Places in this session, when it has its own list (parallel sessions, supervision slots).
    #[serde(default)]
    pub capacity: Option<Capacity>,
    #[serde(default)]
    pub language: Option<Locale>,
    #[serde(default)]
    pub credit_minutes: Option<CreditMinutes>,
    #[serde(default)]
    pub parallel_group: Option<ParallelGroup>,
    /// Raise the hour-budget line when the session would exceed it, instead of refusing.
    #[serde(default)]
    pub raise_budget: Option<bool>,
}

impl crate::Validate for NewSession {
    fn validate(&self) -> Vec<crate::FieldError> {
        match SessionTime::new(self.starts_at, self.ends_at) {
            Ok(_) => Vec::new(),
            Err(e) => vec![crate::FieldError::at("/ends_at", e.0)],
        }
    }
}

impl From<NewSession> for Fields {
    fn from(n: NewSession) -> Self {
        Fields {
            title: Some(n.title),
            activity_type: Some(n.activity_type),
            starts_at: Some(n.starts_at),
            ends_at: Some(n.ends_at),
            venue_id: Some(n.venue_id),
            online_url: Some(n.online_url),
            trainer_ids: n.trainer_ids.map(Some),
            capacity: Some(n.capacity),
            language: Some(n.language),
            // The default: the session's length.
            credit_minutes: Some(n.credit_minutes),
            parallel_group: Some(n.parallel_group),
            raise_budget: n.raise_budget.unwrap_or(false),
        }
    }
}

pub async fn create(
    app: &App,
    caller: &Caller,
    programme: ProgrammeId,
    new: NewSession,
    once: Once<'_, SessionView>,
) -> Result<Outcome<SessionView>, AppError> {
    if new
        .trainer_ids
        .as_ref()
        .is_some_and(|t| t.len() > super::MAX_TRAINERS)
    {
        return Err(AppError::invalid(
            "/trainer_ids",
            format!("may hold at most {} items", super::MAX_TRAINERS),
        ));
    }
    let tx = app.begin().await?;
    let now = Utc::now();
    let mut p = authorised(
        &tx,
        Some(&caller.actor),
        programme,
        ProgrammeAction::Manage,
        true,
    )
    .await?;
    // Under the programme's lock, a retry that committed meanwhile is visible: replay it.
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    ensure_editable(&p)?;
    let mut session = Session {
        id: SessionId::new(),
        programme_id: p.id,
        title: LocalizedText::parse([("en", "-")], 1)
            .map_err(|_| AppError::bug("placeholder title"))?,
        activity_type: ActivityType::Other,
        time: SessionTime::new(new.starts_at, new.starts_at + chrono::Duration::minutes(1))
            .map_err(|_| AppError::bug("placeholder time"))?,
        venue_id: None,
        online_url: None,
        trainer_ids: Vec::new(),
        capacity: None,
        language: None,
        credit_minutes: 0,
        parallel_group: None,
        status: SessionStatus::Scheduled,
        attendance_recorded_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut errors = Vec::new();
    let requested = Fields::from(new).apply(&mut session, true, &mut errors);
    validate_and_fit(&tx, &p, &mut session, &requested, errors).await?;
    ensure_bookable(app, &tx, &p, &session).await?;
    sessions::insert(&tx, &session).await?;
    touch(&tx, &mut p).await?;
    let view = SessionView {
        session,
        programme: p,
    };
    once.remember(&tx, caller.account_id(), &view, now).await?;
    tx.commit().await?;
    tracing::info!(session_id = %view.session.id, programme_id = %view.programme.id, "session created");
    Ok(Outcome::Fresh(view))
}
