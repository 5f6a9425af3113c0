//! Staff rosters: who each organisation employs, replaced as a whole, and a person's current
//! employment across every roster.
//!
//! A replacement is written in at most three statements whatever the roster's size (one
//! delete, one update and one insert, each carrying its rows as a single JSON parameter that
//! the database unpacks: `json_each` on SQLite, `json_to_recordset` on PostgreSQL), so that
//! 20,000 entries neither take 20,000 round trips nor run into the databases' limits on bound
//! parameters (32,766 on SQLite, 65,535 on PostgreSQL).

use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::email::Email;
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::organisation::OrganisationPath;
use kompetens_domain::role::JobRole;
use kompetens_domain::staff::{Changes, Employment, StaffEntry};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement, Value,
};
use serde_json::json;

use super::organisations::Organisation;
use crate::entities::organisation;
use crate::entities::staff_roster_entry::{Column, Entity, Model};
use crate::error::{StoreError, corrupt};

impl TryFrom<Model> for StaffEntry {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        Ok(StaffEntry {
            email: Email::parse(&m.email).map_err(|e| corrupt("staff_roster_entries.email", e))?,
            job_role: JobRole::parse(&m.job_role)
                .map_err(|e| corrupt("staff_roster_entries.job_role", e))?,
            employed_from: m.employed_from,
            employed_until: m.employed_until,
        })
    }
}

/// The organisation whose roster is to be replaced, its row locked until the transaction ends
/// (`FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE write transaction already excludes every
/// other writer). Invariant: replacements of one roster never interleave. Each one reads the
/// roster as it is and writes the difference to what it was sent, so two running side by side
/// would each work from the roster before the other and leave a mixture of both.
pub async fn lock_organisation(
    conn: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<Option<Organisation>, StoreError> {
    organisation::Entity::find_by_id(id.as_uuid())
        .lock_exclusive()
        .one(conn)
        .await?
        .map(Organisation::try_from)
        .transpose()
}

/// The whole roster of an organisation, in order of e-mail address.
pub async fn roster(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
) -> Result<Vec<StaffEntry>, StoreError> {
    Entity::find()
        .filter(Column::OrganisationId.eq(organisation.as_uuid()))
        .order_by_asc(Column::Email)
        .all(conn)
        .await?
        .into_iter()
        .map(StaffEntry::try_from)
        .collect()
}

/// One page of a roster in order of e-mail address: up to `limit` entries after the address
/// `after`, and the address to continue after when there are more.
pub async fn page(
    conn: &impl ConnectionTrait,
    organisation: OrganisationId,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<StaffEntry>, Option<String>), StoreError> {
    let mut query = Entity::find().filter(Column::OrganisationId.eq(organisation.as_uuid()));
    if let Some(after) = after {
        query = query.filter(Column::Email.gt(after));
    }
    let mut entries = query
        .order_by_asc(Column::Email)
        .limit(limit + 1)
        .all(conn)
        .await?
        .into_iter()
        .map(StaffEntry::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|e| e.email.as_str().to_string())
    } else {
        None
    };
    Ok((entries, next))
}

/// Writes a replacement of `organisation`'s roster: removes the ended entries, rewrites the
/// changed ones and inserts the added ones, one statement each (none for an empty list).
/// Call under [`lock_organisation`], with `changes` computed from the roster read under it.
pub async fn apply(
    conn: &impl ConnectionTrait,
    organisation: &Organisation,
    changes: &Changes,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    let id = Value::from(organisation.id.as_uuid());
    if !changes.ended.is_empty() {
        let emails = json!(changes.ended.iter().map(Email::as_str).collect::<Vec<_>>()).to_string();
        let sql = match backend {
            DbBackend::Postgres => {
                "DELETE FROM staff_roster_entries WHERE organisation_id = $1 \
                 AND email IN (SELECT json_array_elements_text($2::json))"
            }
            _ => {
                "DELETE FROM staff_roster_entries WHERE organisation_id = ? \
                 AND email IN (SELECT value FROM json_each(?))"
            }
        };
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [id.clone(), Value::from(emails)],
        ))
        .await?;
    }
    if !changes.changed.is_empty() {
        let rows = rows(&changes.changed);
        let statement = match backend {
            DbBackend::Postgres => Statement::from_sql_and_values(
                backend,
                "UPDATE staff_roster_entries AS s SET job_role = d.job_role, \
                 employed_from = d.employed_from, employed_until = d.employed_until, \
                 updated_at = $2 \
                 FROM json_to_recordset($3::json) \
                 AS d(email text, job_role text, employed_from date, employed_until date) \
                 WHERE s.organisation_id = $1 AND s.email = d.email",
                [id.clone(), Value::from(now), Value::from(rows)],
            ),
            _ => Statement::from_sql_and_values(
                backend,
                "UPDATE staff_roster_entries SET job_role = d.job_role, \
                 employed_from = d.employed_from, employed_until = d.employed_until, \
                 updated_at = ? \
                 FROM (SELECT json_extract(value, '$.email') AS email, \
                 json_extract(value, '$.job_role') AS job_role, \
                 json_extract(value, '$.employed_from') AS employed_from, \
                 json_extract(value, '$.employed_until') AS employed_until \
                 FROM json_each(?)) AS d \
                 WHERE staff_roster_entries.organisation_id = ? \
                 AND staff_roster_entries.email = d.email",
                [Value::from(now), Value::from(rows), id.clone()],
            ),
        };
        conn.execute_raw(statement).await?;
    }
    if !changes.added.is_empty() {
        let rows = rows(&changes.added);
        let path = Value::from(organisation.path.encode());
        let statement = match backend {
            DbBackend::Postgres => Statement::from_sql_and_values(
                backend,
                "INSERT INTO staff_roster_entries (organisation_id, organisation_path, email, \
                 job_role, employed_from, employed_until, created_at, updated_at) \
                 SELECT $1, $2, d.email, d.job_role, d.employed_from, d.employed_until, $3, $3 \
                 FROM json_to_recordset($4::json) \
                 AS d(email text, job_role text, employed_from date, employed_until date)",
                [id, path, Value::from(now), Value::from(rows)],
            ),
            _ => Statement::from_sql_and_values(
                backend,
                "INSERT INTO staff_roster_entries (organisation_id, organisation_path, email, \
                 job_role, employed_from, employed_until, created_at, updated_at) \
                 SELECT ?, ?, json_extract(value, '$.email'), json_extract(value, '$.job_role'), \
                 json_extract(value, '$.employed_from'), json_extract(value, '$.employed_until'), \
                 ?, ? FROM json_each(?)",
                [
                    id,
                    path,
                    Value::from(now),
                    Value::from(now),
                    Value::from(rows),
                ],
            ),
        };
        conn.execute_raw(statement).await?;
    }
    Ok(())
}

/// Entries as the JSON array the statements above unpack; dates as `YYYY-MM-DD`, which is how
/// SQLite stores a date and what PostgreSQL reads into one.
fn rows(entries: &[StaffEntry]) -> String {
    let rows: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            json!({
                "email": e.email.as_str(),
                "job_role": e.job_role.as_str(),
                "employed_from": e.employed_from.format("%Y-%m-%d").to_string(),
                "employed_until": e.employed_until.map(|d| d.format("%Y-%m-%d").to_string()),
            })
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// Every roster entry for `email` current on `on`, with its organisation's path: the person's
/// verified employment, if the address is verified (the caller checks that; this does not).
/// One query, on the index by address.
pub async fn current_employment(
    conn: &impl ConnectionTrait,
    email: &Email,
    on: NaiveDate,
) -> Result<Vec<Employment>, StoreError> {
    Entity::find()
        .filter(Column::Email.eq(email.as_str()))
        .filter(Column::EmployedFrom.lte(on))
        .filter(
            sea_orm::Condition::any()
                .add(Column::EmployedUntil.is_null())
                .add(Column::EmployedUntil.gte(on)),
        )
        .order_by_asc(Column::OrganisationPath)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| {
            Ok(Employment {
                organisation_id: m.organisation_id.into(),
                organisation_path: OrganisationPath::decode(&m.organisation_path)
                    .map_err(|e| corrupt("staff_roster_entries.organisation_path", e))?,
                job_role: JobRole::parse(&m.job_role)
                    .map_err(|e| corrupt("staff_roster_entries.job_role", e))?,
                employed_from: m.employed_from,
                employed_until: m.employed_until,
            })
        })
        .collect()
}
