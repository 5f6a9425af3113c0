//! A registration as the API shows it.

use chrono::{DateTime, Utc};
use kompetens_app::registrations::{ChoiceView, RegistrationView};
use kompetens_domain::question::Answers;
use kompetens_domain::registration::RegistrationStatus;
use kompetens_domain::role::JobRole;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0",
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f",
    "status": "waitlisted",
    "arrival": 33,
    "waitlist_position": 3,
    "session_ids": [],
    "session_choices": [],
    "registered_by": null,
    "reason": null,
    "workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e62",
    "job_role": "intercultural_assistant",
    "employment_verified": true,
    "priority": true,
    "answers": {"dietary_needs": "vegetarian"},
    "created_at": "2026-05-04T08:00:01Z",
    "updated_at": "2026-05-04T08:00:01Z",
    "version": 1
}))]
pub struct RegistrationResponse {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub participant_id: Uuid,
    pub status: RegistrationStatus,
    /// The order of arrival within the programme (1 = first): registrations are decided one at
    /// a time in this order, which is the order in which they were committed.
    pub arrival: i64,
    /// 1-based and gapless among those waiting, in order of arrival; only while waitlisted.
    pub waitlist_position: Option<u32>,
    /// Sessions with their own places in which the participant holds a place.
    pub session_ids: Vec<Uuid>,
    /// Every session chosen, with the place or the position on its waiting list.
    pub session_choices: Vec<SessionChoiceResponse>,
    /// The organiser who registered the participant, if not the participant themself.
    pub registered_by: Option<Uuid>,
    /// The organiser's reason for a rejection or cancellation.
    pub reason: Option<String>,
    /// Where the participant worked when registering (reports count them there).
    pub workplace_organisation_id: Option<Uuid>,
    /// The participant's job role when registering.
    pub job_role: Option<JobRole>,
    /// Whether that workplace and job role come from a staff roster (verified employment),
    /// rather than the profile or an organiser's statement.
    pub employment_verified: bool,
    /// Whether the person was in the programme's priority group when registering: the group
    /// waits ahead of everyone else.
    pub priority: bool,
    /// The answers to the programme's questions, by question id.
    pub answers: Answers,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// The place held in a chosen session.
#[derive(Serialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum SessionPlace {
    /// A place in the session.
    Confirmed,
    /// On the session's waiting list, at `waitlist_position`.
    Waitlisted,
}

/// A chosen session: `confirmed` (a place) or `waitlisted` (with a position).
#[derive(Serialize, ToSchema, Clone)]
pub struct SessionChoiceResponse {
    pub session_id: Uuid,
    pub status: SessionPlace,
    /// 1-based among those waiting for the session; only while waitlisted.
    pub waitlist_position: Option<u32>,
}

impl From<&ChoiceView> for SessionChoiceResponse {
    fn from(c: &ChoiceView) -> Self {
        SessionChoiceResponse {
            session_id: c.session_id.as_uuid(),
            status: if c.status == "confirmed" {
                SessionPlace::Confirmed
            } else {
                SessionPlace::Waitlisted
            },
            waitlist_position: c.waitlist_position,
        }
    }
}

impl From<&RegistrationView> for RegistrationResponse {
    fn from(v: &RegistrationView) -> Self {
        let r = &v.registration;
        let choices: Vec<SessionChoiceResponse> =
            v.session_choices.iter().map(Into::into).collect();
        RegistrationResponse {
            id: r.id.as_uuid(),
            programme_id: r.programme_id.as_uuid(),
            participant_id: r.participant_id.as_uuid(),
            status: r.status,
            arrival: r.arrival,
            waitlist_position: v.waitlist_position,
            session_ids: choices
                .iter()
                .filter(|c| matches!(c.status, SessionPlace::Confirmed))
                .map(|c| c.session_id)
                .collect(),
            session_choices: choices,
            registered_by: r.registered_by.map(|a| a.as_uuid()),
            reason: r.reason.clone(),
            workplace_organisation_id: r.workplace_organisation_id.map(|o| o.as_uuid()),
            job_role: r.job_role,
            employment_verified: r.employment_verified,
            priority: r.priority,
            answers: r.answers.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationList {
    pub items: Vec<RegistrationResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
