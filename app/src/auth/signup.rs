//! Self-sign-up of a participant: an account with no roles yet, signed in at once, and a code
//! e-mailed to prove the address (until it is proven, no staff roster vouches for the person).

use chrono::Utc;
use kompetens_domain::account::PersonName;
use kompetens_domain::email::Email;
use kompetens_domain::locale::Locale;
use kompetens_domain::password::NewPassword;
use kompetens_persistence::StoreError;
use kompetens_persistence::repo::accounts::{self, Account, NewAccount};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{TokenPair, hash_password, send_verification, start_session};
use crate::{App, AppError};

/// Self-sign-up of a participant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "anna.kowalska@example.pl", "password": "correct horse battery", "name": "Anna Kowalska", "locale": "pl"}))]
pub struct SignupRequest {
    /// Unique, case-insensitively.
    pub email: Email,
    /// At least 12 characters.
    pub password: NewPassword,
    #[serde(default)]
    #[schema(nullable = false)]
    pub name: Option<PersonName>,
    /// BCP 47 tag; defaults to `en`.
    #[serde(default)]
    #[schema(nullable = false)]
    pub locale: Option<Locale>,
}

/// The new account and its first token pair.
pub struct SignedUp {
    pub account: Account,
    pub tokens: TokenPair,
}

pub async fn signup(app: &App, request: SignupRequest) -> Result<SignedUp, AppError> {
    let password_hash = hash_password(request.password.expose().to_string()).await?;
    let now = Utc::now();
    let tx = app.begin().await?;
    let new = NewAccount {
        email: request.email,
        password_hash: Some(password_hash),
        name: request.name,
        locale: request.locale.unwrap_or_default(),
        workplace_organisation_id: None,
        job_role: None,
        is_admin: false,
    };
    let account = match accounts::insert(&tx, new, now).await {
        Ok(account) => account,
        Err(StoreError::Duplicate(_)) => {
            return Err(AppError::conflict(
                "email-taken",
                "an account with this e-mail already exists; sign in instead",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    send_verification(&tx, &account, now).await?;
    let tokens = start_session(app, &tx, account.id, now).await?;
    tx.commit().await?;
    tracing::info!(account_id = %account.id, "participant signed up");
    Ok(SignedUp { account, tokens })
}
