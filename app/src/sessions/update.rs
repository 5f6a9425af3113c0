//! Change a session (with `If-Match`). Moving a session raises its `version`, which calendars
//! publish as the event's SEQUENCE.

use chrono::{DateTime, Utc};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::{AccountId, SessionId, VenueId};
use kompetens_domain::locale::Locale;
use kompetens_domain::policy::ProgrammeAction;
use kompetens_domain::programme::Capacity;
use kompetens_domain::session::{CreditMinutes, ParallelGroup};
use kompetens_domain::text::{LocalizedLine, WebUrl};
use kompetens_persistence::repo::sessions;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    Fields, SessionView, TITLE_CHARS, ensure_bookable, session_and_programme, touch,
    validate_and_fit,
};
use crate::patch::nullable;
use crate::programmes::ensure_editable;
use crate::{App, AppError, Caller, check_version};

/// Fields to change; `null` clears an optional one (`credit_minutes`: back to the session's
/// length).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-06-14T16:00:00+02:00", "ends_at": "2026-06-14T19:00:00+02:00"}))]
pub struct SessionChanges {
    #[serde(default)]
    #[schema(nullable = false)]
    pub title: Option<LocalizedLine<{ TITLE_CHARS }>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub activity_type: Option<ActivityType>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "nullable")]
    pub venue_id: Option<Option<VenueId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub online_url: Option<Option<WebUrl>>,
    /// The whole list of trainers (`null` or `[]`: none).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_items = 20)]
    pub trainer_ids: Option<Option<Vec<AccountId>>>,
    #[serde(default, deserialize_with = "nullable")]
    pub capacity: Option<Option<Capacity>>,
    #[serde(default, deserialize_with = "nullable")]
    pub language: Option<Option<Locale>>,
    #[serde(default, deserialize_with = "nullable")]
    pub credit_minutes: Option<Option<CreditMinutes>>,
    #[serde(default, deserialize_with = "nullable")]
    pub parallel_group: Option<Option<ParallelGroup>>,
    /// Raise the hour-budget line when the change would exceed it, instead of refusing.
    #[serde(default)]
    pub raise_budget: Option<bool>,
}

impl From<SessionChanges> for Fields {
    fn from(c: SessionChanges) -> Self {
        Fields {
            title: c.title,
            activity_type: c.activity_type,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            venue_id: c.venue_id,
            online_url: c.online_url,
            trainer_ids: c.trainer_ids,
            capacity: c.capacity,
            language: c.language,
            credit_minutes: c.credit_minutes,
            parallel_group: c.parallel_group,
            raise_budget: c.raise_budget.unwrap_or(false),
        }
    }
}

pub async fn update(
    app: &App,
    caller: &Caller,
    id: SessionId,
    expected_version: Option<i32>,
    changes: SessionChanges,
) -> Result<SessionView, AppError> {
    if changes
        .trainer_ids
        .as_ref()
        .and_then(Option::as_ref)
        .is_some_and(|t| t.len() > super::MAX_TRAINERS)
    {
        return Err(AppError::invalid(
            "/trainer_ids",
            format!("may hold at most {} items", super::MAX_TRAINERS),
        ));
    }
    let tx = app.begin().await?;
    let (mut s, mut p) =
        session_and_programme(&tx, Some(&caller.actor), id, ProgrammeAction::Manage, true).await?;
    check_version(expected_version, s.version)?;
    ensure_editable(&p)?;
    let booked = (s.time, s.venue_id, s.trainer_ids.clone());
    let mut errors = Vec::new();
    let requested = Fields::from(changes).apply(&mut s, false, &mut errors);
    validate_and_fit(&tx, &p, &mut s, &requested, errors).await?;
    // Moved, or given another venue or other trainers: it must not double-book them. (A change
    // of title alone is not refused for a clash that was already there.)
    if (s.time, s.venue_id, &s.trainer_ids) != (booked.0, booked.1, &booked.2) {
        ensure_bookable(app, &tx, &p, &s).await?;
    }
    s.version += 1;
    s.updated_at = Utc::now();
    sessions::save(&tx, &s).await?;
    touch(&tx, &mut p).await?;
    tx.commit().await?;
    Ok(SessionView {
        session: s,
        programme: p,
    })
}
