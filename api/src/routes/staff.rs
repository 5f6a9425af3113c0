//! Staff rosters: whom an organisation employs, kept by its organisers (or municipal IT with an
//! API token of theirs), read and replaced as JSON or as CSV. A person's verified workplace and
//! job role come from these rosters, matched by a verified e-mail address.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use kompetens_app::staff::{self, Changes, RosterRequest, StaffEntry, StaffPageRequest};
use kompetens_domain::email::Email;
use kompetens_domain::ids::OrganisationId;
use kompetens_domain::role::JobRole;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::csv::{line, wants_csv};
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT};
use crate::roster_body::RosterBody;
use crate::state::AppState;

/// One person on a roster.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"email": "olena.kovalenko@sp12.gdansk.pl", "job_role": "intercultural_assistant", "employed_from": "2025-09-01", "employed_until": null}))]
pub struct StaffEntryResponse {
    /// In lower case, as addresses are compared.
    pub email: String,
    pub job_role: JobRole,
    /// The first day employed.
    pub employed_from: NaiveDate,
    /// The last day employed (inclusive); `null` while the employment lasts.
    pub employed_until: Option<NaiveDate>,
}

impl From<&StaffEntry> for StaffEntryResponse {
    fn from(e: &StaffEntry) -> Self {
        StaffEntryResponse {
            email: e.email.as_str().to_string(),
            job_role: e.job_role,
            employed_from: e.employed_from,
            employed_until: e.employed_until,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StaffList {
    /// In order of e-mail address.
    pub items: Vec<StaffEntryResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// What a replacement did.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "added": 1, "changed": 1, "ended": 1, "unchanged": 4998, "total": 5000,
    "added_emails": ["olena.kovalenko@sp12.gdansk.pl"],
    "changed_emails": ["jan.nowak@sp12.gdansk.pl"],
    "ended_emails": ["anna.wisniewska@sp12.gdansk.pl"]
}))]
pub struct RosterChanges {
    /// Entries whose address was not on the roster before.
    pub added: usize,
    /// Entries whose job role or dates changed.
    pub changed: usize,
    /// Entries no longer on the roster: removed.
    pub ended: usize,
    /// Entries as they were.
    pub unchanged: usize,
    /// Entries on the roster now (`added + changed + unchanged`).
    pub total: usize,
    /// The addresses added, in order.
    pub added_emails: Vec<String>,
    /// The addresses whose entries changed, in order.
    pub changed_emails: Vec<String>,
    /// The addresses removed, in order.
    pub ended_emails: Vec<String>,
}

impl From<&Changes> for RosterChanges {
    fn from(c: &Changes) -> Self {
        let emails = |entries: &[StaffEntry]| -> Vec<String> {
            entries
                .iter()
                .map(|e| e.email.as_str().to_string())
                .collect()
        };
        RosterChanges {
            added: c.added.len(),
            changed: c.changed.len(),
            ended: c.ended.len(),
            unchanged: c.unchanged,
            total: c.total(),
            added_emails: emails(&c.added),
            changed_emails: emails(&c.changed),
            ended_emails: c.ended.iter().map(|e| e.as_str().to_string()).collect(),
        }
    }
}

/// `?limit=&cursor=` of a roster (JSON only: the CSV is always the whole roster).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// How many entries to return: 1–200, default 50.
    #[param(minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; omit for the first page.
    pub cursor: Option<String>,
}

impl StaffQuery {
    fn page(&self) -> Result<StaffPageRequest, ApiError> {
        let mut errors = Vec::new();
        let limit = match self.limit {
            None => DEFAULT_PAGE_LIMIT,
            Some(n) if (1..=200).contains(&n) => n.unsigned_abs(),
            Some(_) => {
                errors.push(FieldError::parameter(
                    "limit",
                    format!("must be between 1 and {MAX_PAGE_LIMIT}"),
                ));
                DEFAULT_PAGE_LIMIT
            }
        };
        // The cursor is the last address of the page, base64url: opaque to clients, and
        // nothing but an address passes for one.
        let after = match self.cursor.as_deref() {
            None => None,
            Some(raw) => match URL_SAFE_NO_PAD
                .decode(raw)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|text| Email::parse(&text).ok())
                .filter(|email| URL_SAFE_NO_PAD.encode(email.as_str()) == raw)
            {
                Some(email) => Some(email.as_str().to_string()),
                None => {
                    errors.push(FieldError::parameter(
                        "cursor",
                        "is not a cursor this API returned",
                    ));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(StaffPageRequest { limit, after })
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

const CSV_HEADER: &str = "email,job_role,employed_from,employed_until\r\n";

fn csv_row(e: &StaffEntry) -> String {
    line(&[
        e.email.as_str().to_string(),
        e.job_role.as_str().to_string(),
        e.employed_from.format("%Y-%m-%d").to_string(),
        e.employed_until
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    ])
}

/// An organisation's staff roster, in order of e-mail address.
///
/// Organisers of the organisation (or of one above it) and their API tokens only: to anyone
/// else, trainers and participants of the organisation included, it is 404. `Accept: text/csv`
/// gives the whole roster (`limit` and `cursor` do not apply) as
/// `email,job_role,employed_from,employed_until`, which `PUT` reads back as it is.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), StaffQuery),
    responses(
        (status = 200, description = "A page of the roster, or the whole roster as CSV", body = StaffList,
            content(
                (StaffList = "application/json"),
                (String = "text/csv", example = "email,job_role,employed_from,employed_until\r\njan.nowak@sp12.gdansk.pl,teacher,2019-09-01,2027-08-31\r\nolena.kovalenko@sp12.gdansk.pl,intercultural_assistant,2025-09-01,\r\n")
            )),
        (status = 404, description = "No such organisation, or you do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{id}/staff")]
pub async fn get_staff(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<StaffQuery>,
) -> Result<HttpResponse, ApiError> {
    let organisation = OrganisationId::from_uuid(*id);
    if wants_csv(&req) {
        let roster = staff::list_all(&state.app, &caller, organisation).await?;
        let mut body = String::with_capacity(CSV_HEADER.len() + roster.len() * 64);
        body.push_str(CSV_HEADER);
        for entry in &roster {
            body.push_str(&csv_row(entry));
        }
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(body));
    }
    let page = query.page()?;
    let page = staff::list(&state.app, &caller, organisation, page).await?;
    Ok(HttpResponse::Ok().json(StaffList {
        items: page.items.iter().map(StaffEntryResponse::from).collect(),
        next_cursor: page
            .next_after
            .map(|e| URL_SAFE_NO_PAD.encode(e.as_bytes())),
    }))
}

/// Replace an organisation's staff roster.
///
/// The body is the whole roster, as a JSON array of entries (`Content-Type: application/json`)
/// or as CSV (`Content-Type: text/csv`) with the header `email,job_role,employed_from,employed_until`
/// (columns in any order; `employed_until` may be left out or empty), as HR systems export
/// it: RFC 4180 quoting, CRLF or LF line ends, a UTF-8 byte-order mark and blank lines are
/// fine. Entries not in it are removed (`ended`); the answer says what was added, changed and
/// ended. The replacement is one transaction, all or nothing, and replacements of one roster
/// never interleave.
///
/// Limits, whatever `KOMPETENS_MAX_BODY_BYTES` says: a body of at most 4 MiB (4,194,304 bytes;
/// 413 past it) and at most 20,000 entries (422 past them); 5,000 entries take about 400 KB as
/// CSV. Every problem is listed by pointer: `/3/email` is the fourth entry (for CSV the fourth
/// data row, its line number in the detail); an address twice, an employment ending before it
/// starts, a job role outside the vocabulary and dates not written `YYYY-MM-DD` are refused,
/// and nothing is changed.
///
/// Organisers of the organisation (or of one above it) and their API tokens only: to anyone
/// else it is 404.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    request_body(
        description = "The whole roster, as JSON or as CSV",
        content(
            (RosterRequest = "application/json"),
            (String = "text/csv", example = "email,job_role,employed_from,employed_until\r\nolena.kovalenko@sp12.gdansk.pl,intercultural_assistant,2025-09-01,\r\njan.nowak@sp12.gdansk.pl,teacher,2019-09-01,2027-08-31\r\n")
        )
    ),
    responses(
        (status = 200, description = "The roster is replaced; what changed", body = RosterChanges),
        (status = 404, description = "No such organisation, or you do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 4 MiB (4,194,304 bytes)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither `application/json` nor `text/csv`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid entries (every one by pointer, e.g. `/3/email`; for CSV with its line), more than 20,000 of them, or CSV that is not a roster", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "The request is not valid", "status": 422, "detail": "2 fields are invalid", "errors": [{"pointer": "/3/email", "detail": "line 5: is on the roster twice (first at line 2)"}, {"pointer": "/4/employed_until", "detail": "line 6: must not be before employed_from"}]}))
    )
)]
#[put("/organisations/{id}/staff")]
pub async fn replace_staff(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: RosterBody,
) -> Result<HttpResponse, ApiError> {
    let changes =
        staff::replace(&state.app, &caller, OrganisationId::from_uuid(*id), body.0).await?;
    Ok(HttpResponse::Ok().json(RosterChanges::from(&changes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_the_last_address_and_nothing_else_passes_for_one() {
        let cursor = URL_SAFE_NO_PAD.encode("anna@example.pl".as_bytes());
        let query = StaffQuery {
            limit: Some(10),
            cursor: Some(cursor),
        };
        assert_eq!(
            query.page().ok(),
            Some(StaffPageRequest {
                limit: 10,
                after: Some("anna@example.pl".into())
            })
        );
        let bad = StaffQuery {
            limit: Some(0),
            cursor: Some("!!".into()),
        };
        match bad.page() {
            Err(ApiError::Validation(errors)) => assert_eq!(errors.len(), 2),
            _ => panic!("a bad limit and cursor are refused"),
        }
        // Base64 of something that is not an address is no cursor of ours either.
        let forged = StaffQuery {
            limit: None,
            cursor: Some(URL_SAFE_NO_PAD.encode("nope")),
        };
        assert!(forged.page().is_err());
    }
}
