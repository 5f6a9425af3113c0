//! The account as `/me` shows it, shared by the routes that answer with it (`/me`, sign-up):
//! route modules never import each other.

use chrono::{DateTime, NaiveDate, Utc};
use kompetens_app::me::{Account, Employment, Grant};
use kompetens_domain::role::{JobRole, Role};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct MembershipSummary {
    pub organisation_id: Uuid,
    pub role: Role,
}

/// Where a person works and as what, as an organisation's staff roster says: their verified
/// employment.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "job_role": "intercultural_assistant", "employed_from": "2025-09-01", "employed_until": null}))]
pub struct EmploymentSummary {
    /// The organisation whose roster lists the person.
    pub organisation_id: Uuid,
    pub job_role: JobRole,
    pub employed_from: NaiveDate,
    /// The last day employed (inclusive); `null` while the employment lasts.
    pub employed_until: Option<NaiveDate>,
}

impl From<&Employment> for EmploymentSummary {
    fn from(e: &Employment) -> Self {
        EmploymentSummary {
            organisation_id: e.organisation_id.as_uuid(),
            job_role: e.job_role,
            employed_from: e.employed_from,
            employed_until: e.employed_until,
        }
    }
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
    "email_verified": true,
    "employment": [{"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e60", "job_role": "intercultural_assistant", "employed_from": "2025-09-01", "employed_until": null}],
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
    /// Where the person says they work (their own profile; see `employment` for what rosters
    /// verify).
    pub workplace_organisation_id: Option<Uuid>,
    pub job_role: Option<JobRole>,
    /// Instance administrator.
    pub is_admin: bool,
    /// Whether the person has proven their e-mail address (with the code sign-up e-mailed, or
    /// by setting the password of an invitation).
    pub email_verified: bool,
    /// The person's verified employment today (UTC): every staff roster entry for their
    /// address that is current. Empty while the address is unverified; never from the profile.
    pub employment: Vec<EmploymentSummary>,
    /// Roles held, by organisation.
    pub memberships: Vec<MembershipSummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header; send it back in `If-Match` when patching.
    pub version: i32,
}

impl MeResponse {
    pub fn new(account: &Account, grants: &[Grant], employment: &[Employment]) -> Self {
        MeResponse {
            id: account.id.as_uuid(),
            email: account.email.as_str().to_string(),
            name: account.name.as_ref().map(|n| n.as_str().to_string()),
            locale: account.locale.as_str().to_string(),
            workplace_organisation_id: account.workplace_organisation_id.map(|w| w.as_uuid()),
            job_role: account.job_role,
            is_admin: account.is_admin,
            email_verified: account.email_verified_at.is_some(),
            employment: employment.iter().map(EmploymentSummary::from).collect(),
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
