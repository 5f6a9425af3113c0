//! Create an organisation: at the top level (admins), or under one the caller organises.

use chrono::Utc;
use kompetens_domain::country::CountryCode;
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::organisation::{OrganisationKind, OrganisationName, OrganisationPath};
use kompetens_domain::policy::{self, Decision, OrganisationAction};
use kompetens_domain::time_zone::TimeZone;
use kompetens_persistence::repo::organisations::{self as repo, NewOrganisation};
use serde::Deserialize;
use utoipa::ToSchema;

use super::Organisation;
use crate::{App, AppError, Caller, FieldError, Once, Outcome};

/// A new organisation. Without `parent_id` it is a top-level organisation (admins only);
/// with one, a child of an organisation you organise. `country` and `time_zone` default to the
/// parent's.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Szkoła Podstawowa nr 12 w Gdańsku", "kind": "school", "parent_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e61", "country": "PL", "time_zone": "Europe/Warsaw"}))]
pub struct CreateOrganisationRequest {
    pub name: OrganisationName,
    pub kind: OrganisationKind,
    #[serde(default)]
    pub parent_id: Option<OrganisationId>,
    /// ISO 3166-1 alpha-2; required at the top level.
    #[serde(default)]
    pub country: Option<CountryCode>,
    /// IANA time zone; required at the top level.
    #[serde(default)]
    pub time_zone: Option<TimeZone>,
}

pub async fn create(
    app: &App,
    caller: &Caller,
    new: CreateOrganisationRequest,
    once: Once<'_, Organisation>,
) -> Result<Outcome<Organisation>, AppError> {
    let now = Utc::now();
    let tx = app.begin().await?;
    if let Some(first) = once.replay(&tx, caller.account_id(), now).await? {
        return Ok(Outcome::Replayed(first));
    }
    let id = OrganisationId::new();
    let (path, country, time_zone) = match new.parent_id {
        None => {
            AppError::check(policy::create_top_level_organisation(&caller.actor))?;
            match (new.country, new.time_zone) {
                (Some(c), Some(t)) => (OrganisationPath::root(id), c, t),
                (country, time_zone) => {
                    let mut errors = Vec::new();
                    if country.is_none() {
                        errors.push(FieldError::at(
                            "/country",
                            "is required for a top-level organisation",
                        ));
                    }
                    if time_zone.is_none() {
                        errors.push(FieldError::at(
                            "/time_zone",
                            "is required for a top-level organisation",
                        ));
                    }
                    return Err(AppError::Validation(errors));
                }
            }
        }
        Some(parent_id) => {
            let parent = repo::find(&tx, parent_id).await?;
            let decision = parent.as_ref().map_or(Decision::NotFound, |p| {
                policy::organisation(&caller.actor, &p.path, OrganisationAction::CreateChild)
            });
            let parent = match (decision, parent) {
                (Decision::Allow, Some(parent)) => parent,
                (Decision::Forbidden, _) => {
                    return Err(AppError::Forbidden(
                        "only organisers of the parent may add organisations under it".into(),
                    ));
                }
                _ => return Err(AppError::invalid("/parent_id", "no such organisation")),
            };
            let path = parent
                .path
                .child(id)
                .map_err(|e| AppError::refused_value("/parent_id", e))?;
            (
                path,
                new.country.unwrap_or(parent.country),
                new.time_zone.unwrap_or(parent.time_zone),
            )
        }
    };
    let organisation = repo::insert(
        &tx,
        NewOrganisation {
            path,
            name: new.name,
            kind: new.kind,
            country,
            time_zone,
        },
        now,
    )
    .await?;
    once.remember(&tx, caller.account_id(), &organisation, now)
        .await?;
    tx.commit().await?;
    tracing::info!(organisation_id = %organisation.id, "organisation created");
    Ok(Outcome::Fresh(organisation))
}
