//! Competence-development plans, each read and written as a whole (needs included).

use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::competence::{Need, PlanStatus, Priority, Theme};
use kompetens_domain::ids::{OrganisationId, ProgrammeId};
use kompetens_domain::organisation::OrganisationPath;
use kompetens_domain::role::JobRole;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Updated, from_json, into_page, page_query, under_any};
use crate::Page;
use crate::entities::competence_plan::{ActiveModel, Column, Entity, Model};
use crate::error::{StoreError, corrupt};

#[derive(Debug, Clone)]
pub struct Plan {
    pub id: Uuid,
    pub organisation_id: OrganisationId,
    pub organisation_path: OrganisationPath,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: PlanStatus,
    pub needs: Vec<Need>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A need as kept in the plan's JSON column.
#[derive(Serialize, Deserialize)]
struct NeedColumn {
    id: Uuid,
    theme: String,
    description: Option<String>,
    job_roles: Vec<String>,
    staff_count: u32,
    priority: String,
    programme_ids: Vec<Uuid>,
}

fn needs_to_json(needs: &[Need]) -> String {
    let columns: Vec<NeedColumn> = needs
        .iter()
        .map(|n| NeedColumn {
            id: n.id,
            theme: n.theme.as_str().to_string(),
            description: n.description.clone(),
            job_roles: n.job_roles.iter().map(|r| r.as_str().to_string()).collect(),
            staff_count: n.staff_count,
            priority: n.priority.as_str().to_string(),
            programme_ids: n.programme_ids.iter().map(|p| p.as_uuid()).collect(),
        })
        .collect();
    serde_json::to_string(&columns).unwrap_or_else(|_| "[]".to_string())
}

fn needs_from_json(raw: &str) -> Result<Vec<Need>, StoreError> {
    let what = "competence_plans.needs";
    let columns: Vec<NeedColumn> = from_json(what, raw)?;
    columns
        .into_iter()
        .map(|c| {
            Ok(Need {
                id: c.id,
                theme: Theme::parse(&c.theme).map_err(|e| corrupt(what, e))?,
                description: c.description,
                job_roles: c
                    .job_roles
                    .iter()
                    .map(|r| JobRole::parse(r))
                    .collect::<Result<_, _>>()
                    .map_err(|e| corrupt(what, e))?,
                staff_count: c.staff_count,
                priority: Priority::parse(&c.priority).map_err(|e| corrupt(what, e))?,
                programme_ids: c
                    .programme_ids
                    .into_iter()
                    .map(ProgrammeId::from_uuid)
                    .collect(),
            })
        })
        .collect()
}

impl TryFrom<Model> for Plan {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        Ok(Plan {
            id: m.id,
            organisation_id: m.organisation_id.into(),
            organisation_path: OrganisationPath::decode(&m.organisation_path)
                .map_err(|e| corrupt("competence_plans.organisation_path", e))?,
            title: m.title,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            status: PlanStatus::parse(&m.status)
                .map_err(|e| corrupt("competence_plans.status", e))?,
            needs: needs_from_json(&m.needs)?,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active(p: &Plan) -> ActiveModel {
    ActiveModel {
        id: Set(p.id),
        organisation_id: Set(p.organisation_id.as_uuid()),
        organisation_path: Set(p.organisation_path.encode()),
        title: Set(p.title.clone()),
        starts_on: Set(p.starts_on),
        ends_on: Set(p.ends_on),
        status: Set(p.status.as_str().to_string()),
        needs: Set(needs_to_json(&p.needs)),
        version: Set(p.version),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

pub async fn insert(conn: &impl ConnectionTrait, plan: &Plan) -> Result<(), StoreError> {
    active(plan).insert(conn).await?;
    Ok(())
}

/// Writes the plan if `expected` (from `If-Match`) is still its version: compare-and-set, so
/// two concurrent edits cannot both win.
pub async fn update(
    conn: &impl ConnectionTrait,
    plan: &Plan,
    expected: i32,
) -> Result<Updated<()>, StoreError> {
    let model = active(plan);
    let result = Entity::update_many()
        .set(model)
        .filter(Column::Id.eq(plan.id))
        .filter(Column::Version.eq(expected))
        .exec(conn)
        .await?;
    if result.rows_affected == 1 {
        return Ok(Updated::Done(()));
    }
    match Entity::find_by_id(plan.id).one(conn).await? {
        Some(_) => Ok(Updated::Stale),
        None => Ok(Updated::NotFound),
    }
}

pub async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Plan>, StoreError> {
    Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(Plan::try_from)
        .transpose()
}

/// Plans of an organisation, or (with `subtree`) of it and every organisation below it.
pub async fn list(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
    subtree: bool,
    status: Option<PlanStatus>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Plan>, StoreError> {
    let mut query = Entity::find();
    query = if subtree {
        query.filter(under_any(Column::OrganisationPath, &[organisation]))
    } else {
        query.filter(Column::OrganisationId.eq(organisation.as_uuid()))
    };
    if let Some(status) = status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    let models = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    let items = models
        .into_iter()
        .map(Plan::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |p| p.id))
}

/// Every plan of the subtree (bounded: plans are few), for roll-ups.
pub async fn all_in_subtree(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
    status: Option<PlanStatus>,
) -> Result<Vec<Plan>, StoreError> {
    let mut query = Entity::find().filter(under_any(Column::OrganisationPath, &[organisation]));
    if let Some(status) = status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    query
        .limit(10_000)
        .all(conn)
        .await?
        .into_iter()
        .map(Plan::try_from)
        .collect()
}
