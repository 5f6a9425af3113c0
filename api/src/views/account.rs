//! The account as `/me` shows it, shared by the routes that answer with it (`/me`, sign-up):
//! route modules never import each other.

use chrono::{DateTime, Utc};
use kompetens_app::me::{Account, Grant};
use kompetens_domain::role::{JobRole, Role};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct MembershipSummary {
    pub organisation_id: Uuid,
    pub role: Role,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f",
    "email": "anna.kowalska@example.pl",
    "name": "Anna Kowalska",
    "locale": "pl",
    "workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60",
    "job_role": "intercultural_assistant",
    "is_admin": false,
    "memberships": [{"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "role": "participant"}],
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z",
    "version": 1
}))]
pub struct MeResponse {
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    /// BCP 47 tag used for e-mails and documents.
    pub locale: String,
    /// Where the person works; eligibility rules use it.
    pub workplace_organisation_id: Option<Uuid>,
    pub job_role: Option<JobRole>,
    /// Instance administrator.
    pub is_admin: bool,
    /// Roles held, by organisation.
    pub memberships: Vec<MembershipSummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header; send it back in `If-Match` when patching.
    pub version: i32,
}

impl MeResponse {
    pub fn new(account: &Account, grants: &[Grant]) -> Self {
        MeResponse {
            id: account.id.as_uuid(),
            email: account.email.as_str().to_string(),
            name: account.name.as_ref().map(|n| n.as_str().to_string()),
            locale: account.locale.as_str().to_string(),
            workplace_organisation_id: account.workplace_organisation_id.map(|w| w.as_uuid()),
            job_role: account.job_role,
            is_admin: account.is_admin,
            memberships: grants
                .iter()
                .map(|g| MembershipSummary {
                    organisation_id: g.organisation.id().as_uuid(),
                    role: g.role,
                })
                .collect(),
            created_at: account.created_at,
            updated_at: account.updated_at,
            version: account.version,
        }
    }
}
