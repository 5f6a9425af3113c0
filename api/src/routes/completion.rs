//! A participant's progress through a programme: planned, offered and attended minutes, and
//! whether the completion rule is met (`kompetens_app::completion`).

use actix_web::{HttpResponse, get, web};
use kompetens_app::completion::{self, ProgressView};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::RegistrationId;
use kompetens_domain::registration::RegistrationStatus;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct ProgressLineResponse {
    pub activity_type: ActivityType,
    /// From the hour budget.
    pub planned_minutes: u32,
    /// What the sessions open to this participant count for (a parallel group once; sessions
    /// with their own places only where the participant holds one).
    pub offered_minutes: u32,
    /// Attended, each session credited at most its `credit_minutes`.
    pub attended_minutes: u32,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressTotals {
    pub planned_minutes: u64,
    pub offered_minutes: u64,
    pub attended_minutes: u64,
}

/// What the completion rule still asks for: overall (`activity_type` null) or for one type.
#[derive(Serialize, ToSchema)]
pub struct ShortfallResponse {
    pub activity_type: Option<ActivityType>,
    pub required_percent: u8,
    pub required_minutes: u32,
    pub attended_minutes: u32,
    pub missing_minutes: u32,
}

#[derive(Serialize, ToSchema)]
pub struct CompletionResponse {
    /// Whether the programme's completion rule is met.
    pub met: bool,
    /// Empty when met.
    pub missing: Vec<ShortfallResponse>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "registration_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0",
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f",
    "status": "confirmed",
    "lines": [
        {"activity_type": "workshop", "planned_minutes": 900, "offered_minutes": 900, "attended_minutes": 540},
        {"activity_type": "group_supervision", "planned_minutes": 480, "offered_minutes": 480, "attended_minutes": 480}
    ],
    "totals": {"planned_minutes": 1380, "offered_minutes": 1380, "attended_minutes": 1020},
    "completion": {"met": false, "missing": [
        {"activity_type": null, "required_percent": 80, "required_minutes": 1104, "attended_minutes": 1020, "missing_minutes": 84}
    ]},
    "certificate_id": null
}))]
pub struct ProgressResponse {
    pub registration_id: Uuid,
    pub programme_id: Uuid,
    pub participant_id: Uuid,
    pub status: RegistrationStatus,
    pub lines: Vec<ProgressLineResponse>,
    pub totals: ProgressTotals,
    pub completion: CompletionResponse,
    /// The certificate in force, once issued.
    pub certificate_id: Option<Uuid>,
}

impl From<&ProgressView> for ProgressResponse {
    fn from(view: &ProgressView) -> Self {
        let (r, p) = (&view.registration, &view.progress);
        ProgressResponse {
            registration_id: r.id.as_uuid(),
            programme_id: r.programme_id.as_uuid(),
            participant_id: r.participant_id.as_uuid(),
            status: r.status,
            lines: p
                .lines
                .iter()
                .map(|l| ProgressLineResponse {
                    activity_type: l.activity_type,
                    planned_minutes: l.planned_minutes,
                    offered_minutes: l.offered_minutes,
                    attended_minutes: l.attended_minutes,
                })
                .collect(),
            totals: ProgressTotals {
                planned_minutes: p.planned_minutes,
                offered_minutes: p.offered_minutes,
                attended_minutes: p.attended_minutes,
            },
            completion: CompletionResponse {
                met: p.completion.met,
                missing: p
                    .completion
                    .shortfalls
                    .iter()
                    .map(|s| ShortfallResponse {
                        activity_type: s.activity_type,
                        required_percent: s.required_percent,
                        required_minutes: s.required_minutes,
                        attended_minutes: s.attended_minutes,
                        missing_minutes: s.missing_minutes,
                    })
                    .collect(),
            },
            certificate_id: view.certificate_id.map(|c| c.as_uuid()),
        }
    }
}

/// A registration's progress: planned, offered and attended minutes per activity type, and
/// whether the completion rule is met (if not, what is missing). The participant sees their
/// own; the programme's organisers see everyone's.
#[utoipa::path(
    tag = "attendance",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 200, description = "The progress", body = ProgressResponse),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/registrations/{id}/progress")]
pub async fn registration_progress(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = completion::progress(&state.app, &caller, RegistrationId::from_uuid(*id)).await?;
    Ok(HttpResponse::Ok().json(ProgressResponse::from(&view)))
}
