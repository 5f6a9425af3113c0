//! Funder reports: for a grant (every programme it funds) or one programme. JSON, or CSV with
//! `Accept: text/csv`; every total in them is the sum of its breakdown.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use kompetens_app::reports::{self, Figures, Range};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::{GrantId, ProgrammeId};
use kompetens_domain::locale::Locale;
use kompetens_domain::money::Money;
use kompetens_domain::registration::RegistrationStatus;
use kompetens_domain::report::{self, Minutes, Reach, StatusCounts};
use kompetens_domain::role::JobRole;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{TextMap, text_map};
use crate::auth::Authenticated;
use crate::csv::{field as csv_field, wants_csv};
use crate::error::{ApiError, FieldError, Problem};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day counted (`YYYY-MM-DD`): sessions and their attendance by the day they take
    /// place, registrations by the day they were made, certificates by the day of issue.
    pub from: Option<String>,
    /// Last day counted (`YYYY-MM-DD`).
    pub to: Option<String>,
}

impl RangeQuery {
    fn parse(&self) -> Result<Range, ApiError> {
        let mut errors = Vec::new();
        let date = |raw: &str| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| kompetens_domain::Invalid::new("must be a date, YYYY-MM-DD"))
        };
        let from = super::query_param(&mut errors, "from", self.from.as_deref(), date);
        let to = super::query_param(&mut errors, "to", self.to.as_deref(), date);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            errors.push(FieldError::parameter("to", "must not be before from"));
        }
        if errors.is_empty() {
            Ok(Range { from, to })
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// Distinct people: registered, holding a place (confirmed or completed), completed.
#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct ReachBody {
    pub registered: u64,
    pub confirmed: u64,
    pub completed: u64,
}

impl From<Reach> for ReachBody {
    fn from(r: Reach) -> Self {
        ReachBody {
            registered: r.registered,
            confirmed: r.confirmed,
            completed: r.completed,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WorkplaceReach {
    /// `null`: people who gave no workplace.
    pub organisation_id: Option<Uuid>,
    pub organisation_name: Option<String>,
    #[serde(flatten)]
    pub reach: ReachBody,
}

#[derive(Serialize, ToSchema)]
pub struct JobRoleReach {
    /// `null`: people who gave no job role.
    pub job_role: Option<JobRole>,
    #[serde(flatten)]
    pub reach: ReachBody,
}

/// Registrations by status, and all of them.
#[derive(Serialize, ToSchema)]
pub struct StatusCountsBody {
    pub pending: u64,
    pub confirmed: u64,
    pub waitlisted: u64,
    pub cancelled: u64,
    pub rejected: u64,
    pub completed: u64,
    pub total: u64,
}

impl From<&StatusCounts> for StatusCountsBody {
    fn from(c: &StatusCounts) -> Self {
        use RegistrationStatus::*;
        StatusCountsBody {
            pending: c.of(Pending),
            confirmed: c.of(Confirmed),
            waitlisted: c.of(Waitlisted),
            cancelled: c.of(Cancelled),
            rejected: c.of(Rejected),
            completed: c.of(Completed),
            total: c.total,
        }
    }
}

#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct MinutesBody {
    pub planned_minutes: u64,
    pub scheduled_minutes: u64,
    pub delivered_minutes: u64,
    /// Participant-minutes: every participant's attended minutes (each session credited at
    /// most its `credit_minutes`), added up.
    pub attended_participant_minutes: u64,
}

impl From<Minutes> for MinutesBody {
    fn from(m: Minutes) -> Self {
        MinutesBody {
            planned_minutes: m.planned,
            scheduled_minutes: m.scheduled,
            delivered_minutes: m.delivered,
            attended_participant_minutes: m.attended,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MinutesLineBody {
    pub activity_type: ActivityType,
    #[serde(flatten)]
    pub minutes: MinutesBody,
}

#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct CertificatesBody {
    pub issued: u64,
    pub revoked: u64,
    pub in_force: u64,
}

impl From<report::Certified> for CertificatesBody {
    fn from(c: report::Certified) -> Self {
        CertificatesBody {
            issued: c.issued,
            revoked: c.revoked,
            in_force: c.in_force,
        }
    }
}

/// One programme's figures within a report.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeFiguresBody {
    pub programme_id: Uuid,
    #[schema(value_type = BTreeMap<String, String>)]
    pub title: TextMap,
    pub participants: ReachBody,
    pub registrations: StatusCountsBody,
    pub minutes: MinutesBody,
    pub certificates: CertificatesBody,
    /// The share of the grant given to it (grant reports), if set.
    pub allocated: Option<Money>,
}

#[derive(Serialize, ToSchema)]
pub struct AllocationBody {
    pub programme_id: Uuid,
    pub amount: Money,
}

/// The grant's amount, what is allocated to each programme, and what is left:
/// `amount = sum(allocated) + unallocated`.
#[derive(Serialize, ToSchema)]
pub struct FundingBody {
    pub amount: Money,
    pub allocated: Vec<AllocationBody>,
    pub unallocated: Money,
}

#[derive(Serialize, ToSchema)]
pub struct GrantSummary {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    pub funder_id: Uuid,
    pub funder_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The minutes of training the grant pays for, if it says.
    pub funded_minutes: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct RangeBody {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The figures every report has.
#[derive(Serialize, ToSchema)]
pub struct FiguresBody {
    pub range: RangeBody,
    /// Distinct people across the report's programmes.
    pub participants: ReachBody,
    /// The same people by the workplace of their latest registration: adds up to
    /// `participants`.
    pub participants_by_workplace: Vec<WorkplaceReach>,
    /// The same people by job role: adds up to `participants`.
    pub participants_by_job_role: Vec<JobRoleReach>,
    /// Registrations (a person in two programmes has two): adds up over `programmes`.
    pub registrations: StatusCountsBody,
    /// Per activity type; adds up to `minutes_total`.
    pub minutes: Vec<MinutesLineBody>,
    pub minutes_total: MinutesBody,
    pub certificates: CertificatesBody,
    pub programmes: Vec<ProgrammeFiguresBody>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "grant": {"id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ea0", "reference": "UNICEF/PL/2026/014", "title": "Wsparcie asystentów międzykulturowych", "funder_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e80", "funder_name": "UNICEF Polska", "starts_on": "2026-03-01", "ends_on": "2026-12-31", "funded_minutes": 2400},
    "funding": {"amount": {"amount_minor": 18900000, "currency": "PLN"}, "allocated": [{"programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0", "amount": {"amount_minor": 18900000, "currency": "PLN"}}], "unallocated": {"amount_minor": 0, "currency": "PLN"}},
    "range": {"from": null, "to": null},
    "participants": {"registered": 22, "confirmed": 20, "completed": 16},
    "participants_by_workplace": [{"organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e62", "organisation_name": "SP 12", "registered": 22, "confirmed": 20, "completed": 16}],
    "participants_by_job_role": [{"job_role": "intercultural_assistant", "registered": 22, "confirmed": 20, "completed": 16}],
    "registrations": {"pending": 0, "confirmed": 4, "waitlisted": 0, "cancelled": 2, "rejected": 0, "completed": 16, "total": 22},
    "minutes": [{"activity_type": "workshop", "planned_minutes": 900, "scheduled_minutes": 900, "delivered_minutes": 900, "attended_participant_minutes": 16200}],
    "minutes_total": {"planned_minutes": 900, "scheduled_minutes": 900, "delivered_minutes": 900, "attended_participant_minutes": 16200},
    "certificates": {"issued": 16, "revoked": 0, "in_force": 16},
    "programmes": [{"programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0", "title": {"pl": "Trening wyjazdowy"}, "participants": {"registered": 22, "confirmed": 20, "completed": 16}, "registrations": {"pending": 0, "confirmed": 4, "waitlisted": 0, "cancelled": 2, "rejected": 0, "completed": 16, "total": 22}, "minutes": {"planned_minutes": 900, "scheduled_minutes": 900, "delivered_minutes": 900, "attended_participant_minutes": 16200}, "certificates": {"issued": 16, "revoked": 0, "in_force": 16}, "allocated": {"amount_minor": 18900000, "currency": "PLN"}}]
}))]
pub struct GrantReport {
    pub grant: GrantSummary,
    pub funding: FundingBody,
    #[serde(flatten)]
    pub figures: FiguresBody,
}

/// A grant funding the programme, and the share of it the programme has.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeGrantBody {
    pub grant_id: Uuid,
    pub reference: String,
    pub funder_name: String,
    pub amount: Money,
    pub allocated: Option<Money>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "title": {"pl": "Trening wyjazdowy"},
    "grants": [{"grant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ea0", "reference": "UNICEF/PL/2026/014", "funder_name": "UNICEF Polska", "amount": {"amount_minor": 18900000, "currency": "PLN"}, "allocated": null}],
    "range": {"from": null, "to": null},
    "participants": {"registered": 3, "confirmed": 2, "completed": 1},
    "participants_by_workplace": [{"organisation_id": null, "organisation_name": null, "registered": 3, "confirmed": 2, "completed": 1}],
    "participants_by_job_role": [{"job_role": null, "registered": 3, "confirmed": 2, "completed": 1}],
    "registrations": {"pending": 0, "confirmed": 1, "waitlisted": 1, "cancelled": 0, "rejected": 0, "completed": 1, "total": 3},
    "minutes": [{"activity_type": "workshop", "planned_minutes": 180, "scheduled_minutes": 180, "delivered_minutes": 180, "attended_participant_minutes": 360}],
    "minutes_total": {"planned_minutes": 180, "scheduled_minutes": 180, "delivered_minutes": 180, "attended_participant_minutes": 360},
    "certificates": {"issued": 1, "revoked": 0, "in_force": 1},
    "programmes": []
}))]
pub struct ProgrammeReport {
    pub programme_id: Uuid,
    #[schema(value_type = BTreeMap<String, String>)]
    pub title: TextMap,
    pub grants: Vec<ProgrammeGrantBody>,
    #[serde(flatten)]
    pub figures: FiguresBody,
}

/// The report's figures as the document shows them; `allocated` gives each programme's line
/// its share of the grant.
fn figures_body(f: &Figures, allocated: &BTreeMap<ProgrammeId, Money>) -> FiguresBody {
    let r = &f.report;
    FiguresBody {
        range: RangeBody {
            from: f.range.from,
            to: f.range.to,
        },
        participants: r.participants.into(),
        participants_by_workplace: r
            .by_workplace
            .iter()
            .map(|(workplace, reach)| WorkplaceReach {
                organisation_id: workplace.map(|o| o.as_uuid()),
                organisation_name: workplace.and_then(|o| f.workplace_names.get(&o).cloned()),
                reach: (*reach).into(),
            })
            .collect(),
        participants_by_job_role: r
            .by_job_role
            .iter()
            .map(|(role, reach)| JobRoleReach {
                job_role: *role,
                reach: (*reach).into(),
            })
            .collect(),
        registrations: (&r.registrations).into(),
        minutes: r
            .minutes
            .iter()
            .map(|(a, m)| MinutesLineBody {
                activity_type: *a,
                minutes: (*m).into(),
            })
            .collect(),
        minutes_total: r.minutes_total.into(),
        certificates: r.certificates.into(),
        programmes: r
            .by_programme
            .iter()
            .zip(&f.programmes)
            .map(|(figures, p)| ProgrammeFiguresBody {
                programme_id: figures.programme.as_uuid(),
                title: text_map(&p.title),
                participants: figures.participants.into(),
                registrations: (&figures.registrations).into(),
                minutes: figures.minutes_total.into(),
                certificates: figures.certificates.into(),
                allocated: allocated.get(&figures.programme).copied(),
            })
            .collect(),
    }
}

impl From<&reports::GrantReport> for GrantReport {
    fn from(r: &reports::GrantReport) -> Self {
        let grant = &r.grant;
        GrantReport {
            grant: GrantSummary {
                id: grant.id.as_uuid(),
                reference: grant.reference.clone(),
                title: grant.title.clone(),
                funder_id: grant.funder_id.as_uuid(),
                funder_name: r.funder_name.clone().unwrap_or_default(),
                starts_on: grant.starts_on,
                ends_on: grant.ends_on,
                funded_minutes: grant.funded_minutes,
            },
            funding: FundingBody {
                amount: grant.amount,
                allocated: r
                    .allocated
                    .iter()
                    .map(|(p, m)| AllocationBody {
                        programme_id: p.as_uuid(),
                        amount: *m,
                    })
                    .collect(),
                unallocated: r.unallocated,
            },
            figures: figures_body(&r.figures, &r.allocated),
        }
    }
}

impl From<&reports::ProgrammeReport> for ProgrammeReport {
    fn from(r: &reports::ProgrammeReport) -> Self {
        let mut figures = figures_body(&r.figures, &BTreeMap::new());
        // One programme: its line would repeat the totals.
        figures.programmes.clear();
        ProgrammeReport {
            programme_id: r.programme.id.as_uuid(),
            title: text_map(&r.programme.title),
            grants: r
                .grants
                .iter()
                .map(|g| ProgrammeGrantBody {
                    grant_id: g.grant.id.as_uuid(),
                    reference: g.grant.reference.clone(),
                    funder_name: g.funder_name.clone().unwrap_or_default(),
                    amount: g.grant.amount,
                    allocated: g.allocated,
                })
                .collect(),
            figures,
        }
    }
}

/// One CSV row: `section,key,label,metric,value`.
struct Csv(String);

impl Csv {
    fn new() -> Csv {
        Csv("section,key,label,metric,value\r\n".to_string())
    }

    fn row(&mut self, section: &str, key: &str, label: &str, metric: &str, value: impl ToString) {
        let fields = [section, key, label, metric, &value.to_string()]
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",");
        self.0.push_str(&fields);
        self.0.push_str("\r\n");
    }

    fn reach(&mut self, section: &str, key: &str, label: &str, r: &ReachBody) {
        self.row(section, key, label, "registered", r.registered);
        self.row(section, key, label, "confirmed", r.confirmed);
        self.row(section, key, label, "completed", r.completed);
    }

    fn statuses(&mut self, section: &str, key: &str, label: &str, c: &StatusCountsBody) {
        for (metric, n) in [
            ("pending", c.pending),
            ("confirmed", c.confirmed),
            ("waitlisted", c.waitlisted),
            ("cancelled", c.cancelled),
            ("rejected", c.rejected),
            ("completed", c.completed),
            ("total", c.total),
        ] {
            self.row(section, key, label, metric, n);
        }
    }

    fn minutes(&mut self, section: &str, key: &str, label: &str, m: &MinutesBody) {
        for (metric, n) in [
            ("planned_minutes", m.planned_minutes),
            ("scheduled_minutes", m.scheduled_minutes),
            ("delivered_minutes", m.delivered_minutes),
            (
                "attended_participant_minutes",
                m.attended_participant_minutes,
            ),
        ] {
            self.row(section, key, label, metric, n);
        }
    }

    fn certificates(&mut self, section: &str, key: &str, label: &str, c: &CertificatesBody) {
        self.row(section, key, label, "issued", c.issued);
        self.row(section, key, label, "revoked", c.revoked);
        self.row(section, key, label, "in_force", c.in_force);
    }

    /// The figures: totals keyed `total`, breakdowns keyed by what they break down by.
    fn figures(&mut self, f: &FiguresBody, language: &[&str]) {
        self.reach("participants", "total", "", &f.participants);
        for w in &f.participants_by_workplace {
            let key = w.organisation_id.map(|o| o.to_string()).unwrap_or_default();
            let label = w.organisation_name.clone().unwrap_or_default();
            self.reach("participants_by_workplace", &key, &label, &w.reach);
        }
        for j in &f.participants_by_job_role {
            let key = j.job_role.map(|r| r.as_str()).unwrap_or_default();
            self.reach("participants_by_job_role", key, "", &j.reach);
        }
        self.statuses("registrations", "total", "", &f.registrations);
        for line in &f.minutes {
            self.minutes("minutes", line.activity_type.as_str(), "", &line.minutes);
        }
        self.minutes("minutes", "total", "", &f.minutes_total);
        self.certificates("certificates", "total", "", &f.certificates);
        for p in &f.programmes {
            let key = p.programme_id.to_string();
            let label = p
                .title
                .iter()
                .find(|(tag, _)| language.contains(&tag.as_str()))
                .or_else(|| p.title.iter().next())
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            self.reach("programme_participants", &key, &label, &p.participants);
            self.statuses("programme_registrations", &key, &label, &p.registrations);
            self.minutes("programme_minutes", &key, &label, &p.minutes);
            self.certificates("programme_certificates", &key, &label, &p.certificates);
            if let Some(a) = &p.allocated {
                self.row("funding", &key, &label, "allocated_minor", a.amount_minor());
            }
        }
    }

    fn reply(self) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(self.0)
    }
}

/// A grant's report: the programmes it funds, the people they reached (by workplace and job
/// role), minutes planned, scheduled, delivered and attended per activity type, completions and
/// certificates, and how the grant's amount is allocated. `Accept: text/csv` gives the same
/// figures as rows of `section,key,label,metric,value`. Organisers of the recipient only.
#[utoipa::path(
    tag = "funding",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), RangeQuery),
    responses(
        (status = 200, description = "The report", body = GrantReport,
            content(
                (GrantReport = "application/json"),
                (String = "text/csv", example = "section,key,label,metric,value\r\nparticipants,total,,registered,22\r\nparticipants_by_job_role,teacher,,registered,22\r\n")
            )),
        (status = 404, description = "No such grant, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `from` or `to`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/grants/{id}/report")]
pub async fn grant_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<RangeQuery>,
) -> Result<HttpResponse, ApiError> {
    let range = query.parse()?;
    let report = reports::grant_report(&state.app, &caller, GrantId::from_uuid(*id), range).await?;
    let body = GrantReport::from(&report);
    if wants_csv(&req) {
        let mut csv = Csv::new();
        let (key, label) = (body.grant.id.to_string(), &body.grant.reference);
        for (metric, money) in [
            ("amount_minor", body.funding.amount),
            ("unallocated_minor", body.funding.unallocated),
        ] {
            csv.row("grant", &key, label, metric, money.amount_minor());
        }
        csv.figures(&body.figures, &[]);
        return Ok(csv.reply());
    }
    Ok(HttpResponse::Ok().json(body))
}

/// A programme's report: the same figures as a grant's, for this programme alone, with the
/// grants that fund it. Organisers only.
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), RangeQuery),
    responses(
        (status = 200, description = "The report", body = ProgrammeReport,
            content(
                (ProgrammeReport = "application/json"),
                (String = "text/csv", example = "section,key,label,metric,value\r\nparticipants,total,,registered,3\r\n")
            )),
        (status = 404, description = "No such programme, or you do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `from` or `to`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/report")]
pub async fn programme_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<RangeQuery>,
) -> Result<HttpResponse, ApiError> {
    let range = query.parse()?;
    let report =
        reports::programme_report(&state.app, &caller, ProgrammeId::from_uuid(*id), range).await?;
    let body = ProgrammeReport::from(&report);
    if wants_csv(&req) {
        let languages: Vec<&str> = report
            .programme
            .languages
            .iter()
            .map(Locale::as_str)
            .collect();
        let mut csv = Csv::new();
        for g in &body.grants {
            if let Some(a) = &g.allocated {
                let key = g.grant_id.to_string();
                csv.row(
                    "funding",
                    &key,
                    &g.reference,
                    "allocated_minor",
                    a.amount_minor(),
                );
            }
        }
        csv.figures(&body.figures, &languages);
        return Ok(csv.reply());
    }
    Ok(HttpResponse::Ok().json(body))
}
