//! Grant a role in an organisation: its organisers.

use chrono::Utc;
use kompetens_domain::email::Email;
use kompetens_domain::ids::{AccountId, OrganisationId};
use kompetens_domain::policy::OrganisationAction;
use kompetens_domain::role::Role;
use kompetens_persistence::StoreError;
use kompetens_persistence::repo::{accounts, memberships};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Member, authorised};
use crate::{App, AppError, Caller, Once, Outcome};

/// Grant a role to an account, named by `account_id` or `email` (exactly one of them).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "jan.nowak@example.pl", "role": "trainer"}))]
pub struct AddMemberRequest {
    #[serde(default)]
    pub account_id: Option<AccountId>,
    #[serde(default)]
    pub email: Option<Email>,
    pub role: Role,
}

pub async fn add_member(
    app: &App,
    caller: &Caller,
    id: OrganisationId,
    request: AddMemberRequest,
    once: Once<'_, Member>,
) -> Result<Outcome<Member>, AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    let organisation =
        authorised(&tx, &caller.actor, id, OrganisationAction::ManageMembers).await?;
    let account = match (request.account_id, request.email) {
        (Some(id), None) => accounts::find(&tx, id)
            .await?
            .ok_or_else(|| AppError::invalid("/account_id", "no such account"))?,
        (None, Some(email)) => accounts::find_by_email(&tx, &email).await?.ok_or_else(|| {
            AppError::invalid(
                "/email",
                "no account with this e-mail; ask the person to sign up first",
            )
        })?,
        _ => {
            return Err(AppError::invalid(
                "",
                "send exactly one of account_id and email",
            ));
        }
    };
    let role = request.role;
    let membership = match memberships::grant(&tx, account.id, organisation.id, role, now).await {
        Ok(m) => m,
        Err(StoreError::Duplicate(_)) => {
            return Err(AppError::Conflict {
                code: "membership-exists",
                detail: format!("the account is already {role} here"),
                existing: Some(format!("/api/v1/organisations/{}/members", organisation.id)),
            });
        }
        Err(other) => return Err(other.into()),
    };
    let member = Member {
        membership,
        email: account.email.as_str().to_string(),
        name: account.name.as_ref().map(|n| n.as_str().to_string()),
    };
    once.remember(&tx, caller.account_id(), &member, now)
        .await?;
    tx.commit().await?;
    tracing::info!(organisation_id = %organisation.id, account_id = %account.id, %role, "role granted");
    Ok(Outcome::Fresh(member))
}
