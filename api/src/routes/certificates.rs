//! Certificates: issued when the completion rule is met, printed as a PDF, checked by anyone
//! with the code, revoked by an organiser with a reason.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use kompetens_domain::certificate::{self as wording, CertificateStatus, VerificationCode};
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::{CertificateId, ProgrammeId};
use kompetens_domain::policy;
use kompetens_domain::registration::{self as registration_rules, RegistrationStatus};
use kompetens_persistence::repo::certificates::{self, Certificate, Europass};
use kompetens_persistence::repo::programmes;
use kompetens_persistence::{ConnectionTrait, begin_write};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::completion::{self, certificate_exists, progress_of};
use super::legacy::organised_programme;
use crate::auth::{Authenticated, Caller};
use crate::error::{ApiError, Problem};
use crate::extract::{OptionalJsonBody, PageParams, encode_cursor, read};
use crate::state::AppState;

/// Minutes of one activity type, as certified.
#[derive(Serialize, ToSchema)]
pub struct CertifiedHoursResponse {
    pub activity_type: ActivityType,
    pub minutes: u32,
}

/// The Europass Mobility fields of a mobility programme's certificate.
#[derive(Serialize, ToSchema)]
pub struct EuropassResponse {
    pub sending_organisation: String,
    pub host_organisation: String,
    pub host_city: Option<String>,
    pub host_country: Option<String>,
    pub mentor: Option<String>,
    pub learning_outcomes: Vec<String>,
}

impl From<&Europass> for EuropassResponse {
    fn from(e: &Europass) -> Self {
        EuropassResponse {
            sending_organisation: e.sending_organisation.clone(),
            host_organisation: e.host_organisation.clone(),
            host_city: e.host_city.clone(),
            host_country: e.host_country.clone(),
            mentor: e.mentor.clone(),
            learning_outcomes: e.learning_outcomes.clone(),
        }
    }
}

/// What a certificate says: exactly what is printed on it, as it was at issue.
#[derive(Serialize, ToSchema)]
pub struct CertifiedResponse {
    /// In groups of four; verification accepts it with or without dashes, in any case.
    #[schema(example = "K7QX-9M2P-4HJD-WT8A-3ZRN")]
    pub code: String,
    /// Where anyone can check it.
    pub verification_url: String,
    /// `valid`, or `revoked` with the date and reason.
    pub status: CertificateStatus,
    /// The language it is worded in.
    pub language: String,
    pub holder_name: String,
    #[schema(value_type = BTreeMap<String, String>)]
    pub programme_title: BTreeMap<String, String>,
    pub organiser_name: String,
    pub funders: Vec<String>,
    pub hours: Vec<CertifiedHoursResponse>,
    pub total_minutes: u64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// For mobility programmes: the Europass Mobility record.
    pub europass: Option<EuropassResponse>,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ef0",
    "registration_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ed0",
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "participant_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5f",
    "code": "K7QX-9M2P-4HJD-WT8A-3ZRN",
    "verification_url": "https://kompetens.example.org/api/v1/certificates/verify/K7QX-9M2P-4HJD-WT8A-3ZRN",
    "status": "valid",
    "language": "pl",
    "holder_name": "Łucja Žemaitytė-Öberg",
    "programme_title": {"pl": "Trening wyjazdowy dla kadry szkół"},
    "organiser_name": "Miasto Gdańsk",
    "funders": ["UNICEF Polska"],
    "hours": [{"activity_type": "workshop", "minutes": 900}, {"activity_type": "group_supervision", "minutes": 480}],
    "total_minutes": 1380,
    "starts_on": "2026-06-13",
    "ends_on": "2026-06-18",
    "europass": null,
    "issued_at": "2026-06-18T16:00:00Z",
    "issued_by": null,
    "revoked_at": null,
    "revocation_reason": null,
    "pdf_url": "/api/v1/certificates/019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4ef0.pdf",
    "version": 1
}))]
pub struct CertificateResponse {
    pub id: Uuid,
    pub registration_id: Uuid,
    pub programme_id: Uuid,
    pub participant_id: Uuid,
    #[serde(flatten)]
    pub certified: CertifiedResponse,
    /// The organiser who issued it; `null` when issued automatically.
    pub issued_by: Option<Uuid>,
    /// The one-page A4 PDF.
    pub pdf_url: String,
    pub version: i32,
}

fn verification_url(state: &AppState, code: &VerificationCode) -> String {
    format!(
        "{}/api/v1/certificates/verify/{}",
        state.settings.public_url,
        code.grouped()
    )
}

fn certified(state: &AppState, c: &Certificate) -> CertifiedResponse {
    CertifiedResponse {
        code: c.code.grouped(),
        verification_url: verification_url(state, &c.code),
        status: if c.is_revoked() {
            CertificateStatus::Revoked
        } else {
            CertificateStatus::Valid
        },
        language: c.language.clone(),
        holder_name: c.holder_name.clone(),
        programme_title: c.programme_title.clone(),
        organiser_name: c.organiser_name.clone(),
        funders: c.funders.clone(),
        hours: c
            .hours
            .iter()
            .map(|h| CertifiedHoursResponse {
                activity_type: h.activity_type,
                minutes: h.minutes,
            })
            .collect(),
        total_minutes: c.total_minutes,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        europass: c.europass.as_ref().map(EuropassResponse::from),
        issued_at: c.issued_at,
        revoked_at: c.revoked_at,
        revocation_reason: c.revocation_reason.clone(),
    }
}

fn response(state: &AppState, c: &Certificate) -> CertificateResponse {
    CertificateResponse {
        id: c.id.as_uuid(),
        registration_id: c.registration_id.as_uuid(),
        programme_id: c.programme_id.as_uuid(),
        participant_id: c.participant_id.as_uuid(),
        certified: certified(state, c),
        issued_by: c.issued_by.map(|a| a.as_uuid()),
        pdf_url: format!("/api/v1/certificates/{}.pdf", c.id),
        version: c.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct CertificateList {
    pub items: Vec<CertificateResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Loads a certificate the caller may see (as its holder, or organising its programme);
/// `change`: the caller must organise it (403 for the holder, 404 for anyone else).
async fn visible(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
    change: bool,
    lock: bool,
) -> Result<(Certificate, programmes::Programme), ApiError> {
    let certificate = certificates::find(conn, CertificateId::from_uuid(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let programme = programmes::find(conn, certificate.programme_id, lock)
        .await?
        .ok_or(ApiError::NotFound)?;
    let holder = certificate.participant_id == caller.account.id;
    ApiError::check(policy::certificate(
        &caller.actor,
        &programme.organisation_path,
        holder,
        change,
    ))?;
    let certificate = if lock {
        certificates::find(conn, certificate.id)
            .await?
            .ok_or(ApiError::NotFound)?
    } else {
        certificate
    };
    Ok((certificate, programme))
}

/// Get a certificate (yours, or one of a programme you organise).
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Certificate id")),
    responses(
        (status = 200, description = "The certificate", body = CertificateResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such certificate, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/certificates/{id}")]
pub async fn get_certificate(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (c, _) = visible(&state.db, &caller, *id, false, false).await?;
    Ok(HttpResponse::Ok().json(response(&state, &c)))
}

/// What is printed: the certificate's fixed words in its language around what it certifies.
fn printed(state: &AppState, c: &Certificate) -> kompetens_pdf::Certificate {
    let language = c.language.as_str();
    let w = wording::wording(language);
    let title = c
        .programme_title
        .get(language)
        .or_else(|| c.programme_title.values().next())
        .cloned()
        .unwrap_or_default();
    let mut facts = vec![
        (w.organiser.to_string(), c.organiser_name.clone()),
        (
            w.dates.to_string(),
            wording::period(c.starts_on, c.ends_on, language),
        ),
    ];
    if !c.funders.is_empty() {
        facts.push((w.funders.to_string(), c.funders.join(", ")));
    }
    let europass = c.europass.as_ref().map(|e| {
        let mut rows = vec![
            (
                w.sending_organisation.to_string(),
                e.sending_organisation.clone(),
            ),
            (
                w.host_organisation.to_string(),
                [
                    Some(e.host_organisation.clone()),
                    e.host_city.clone(),
                    e.host_country.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
            ),
            (
                w.dates.to_string(),
                wording::period(c.starts_on, c.ends_on, language),
            ),
        ];
        if let Some(mentor) = &e.mentor {
            rows.push((w.mentor.to_string(), mentor.clone()));
        }
        kompetens_pdf::Europass {
            heading: w.europass_heading.to_string(),
            rows,
            outcomes_label: w.outcomes.to_string(),
            outcomes: e.learning_outcomes.clone(),
        }
    });
    kompetens_pdf::Certificate {
        language: language.to_string(),
        heading: if c.europass.is_some() {
            w.mobility_heading
        } else {
            w.heading
        }
        .to_string(),
        holder_label: w.holder_label.to_string(),
        holder_name: c.holder_name.clone(),
        completion_text: w.completion_text.to_string(),
        programme_title: title,
        facts,
        hours_heading: w.hours_heading.to_string(),
        hours_columns: (w.activity.to_string(), w.hours.to_string()),
        hours: c
            .hours
            .iter()
            .map(|h| {
                (
                    wording::activity_label(h.activity_type, language).to_string(),
                    wording::duration(u64::from(h.minutes), language),
                )
            })
            .collect(),
        hours_total: (
            w.total.to_string(),
            wording::duration(c.total_minutes, language),
        ),
        europass,
        verification_label: w.verification.to_string(),
        verification_code: c.code.grouped(),
        verification_url: verification_url(state, &c.code),
        issued: format!(
            "{}: {}",
            w.issued,
            wording::date(c.issued_at.date_naive(), language)
        ),
        revoked: c.revoked_at.map(|at| {
            format!(
                "{} {}: {}",
                w.revoked,
                wording::date(at.date_naive(), language),
                c.revocation_reason.as_deref().unwrap_or_default()
            )
        }),
    }
}

/// A certificate as a one-page A4 PDF in its language (with the verification code and URL).
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Certificate id")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = Vec<u8>,
            example = "%PDF-1.7 …"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such certificate, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/certificates/{id}.pdf")]
pub async fn certificate_pdf(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (c, _) = visible(&state.db, &caller, *id, false, false).await?;
    let document = printed(&state, &c);
    // Laying out and subsetting fonts is CPU work: off the actix worker.
    let pdf = web::block(move || kompetens_pdf::render(&document))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("PDF rendering was cancelled: {e}")))?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot render the certificate: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("inline; filename=\"certificate-{}.pdf\"", c.code.as_str()),
        ))
        .body(pdf))
}

/// The answer to "is this certificate genuine?": only what is printed on it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "genuine": true,
    "code": "K7QX-9M2P-4HJD-WT8A-3ZRN",
    "verification_url": "https://kompetens.example.org/api/v1/certificates/verify/K7QX-9M2P-4HJD-WT8A-3ZRN",
    "status": "valid",
    "language": "pl",
    "holder_name": "Łucja Žemaitytė-Öberg",
    "programme_title": {"pl": "Trening wyjazdowy dla kadry szkół"},
    "organiser_name": "Miasto Gdańsk",
    "funders": ["UNICEF Polska"],
    "hours": [{"activity_type": "workshop", "minutes": 900}],
    "total_minutes": 2100,
    "starts_on": "2026-06-13",
    "ends_on": "2026-06-18",
    "europass": null,
    "issued_at": "2026-06-18T16:00:00Z",
    "revoked_at": null,
    "revocation_reason": null
}))]
pub struct VerificationResponse {
    /// True while the certificate stands; false once revoked (see `revoked_at`).
    pub genuine: bool,
    #[serde(flatten)]
    pub certified: CertifiedResponse,
}

/// Check a certificate by its verification code (public).
///
/// Answers what is printed on it and whether it still stands. An unknown code is a plain 404
/// that says nothing more.
#[utoipa::path(
    tag = "certificates",
    security(()),
    params(("code" = String, Path, description = "The code printed on the certificate, with or without dashes")),
    responses(
        (status = 200, description = "A certificate with this code exists; `genuine` says whether it stands", body = VerificationResponse),
        (status = 404, description = "No certificate has this code", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/certificates/verify/{code}")]
pub async fn verify_certificate(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = VerificationCode::parse(&code).map_err(|_| ApiError::NotFound)?;
    let c = certificates::find_by_code(&state.db, &code)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(VerificationResponse {
        genuine: !c.is_revoked(),
        certified: certified(&state, &c),
    }))
}

/// Why an organiser revokes.
#[derive(ToSchema)]
#[schema(example = json!({"reason": "Issued to the wrong person."}))]
#[expect(
    dead_code,
    reason = "documents the body for OpenAPI; handlers read it field by field"
)]
pub struct RevokeRequest {
    reason: String,
}

/// Revoke a certificate (organisers, with a reason): verification then says so.
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    request_body = RevokeRequest,
    params(("id" = Uuid, Path, description = "Certificate id")),
    responses(
        (status = 200, description = "Revoked", body = CertificateResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your own certificate: only organisers revoke", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such certificate, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked (`/problems/invalid-status-transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/certificates/{id}/revoke")]
pub async fn revoke_certificate(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    body: OptionalJsonBody,
) -> Result<HttpResponse, ApiError> {
    let reason = match body.0 {
        Some(body) => {
            let mut f = body.fields()?;
            let reason = f.required("reason", read::parsed(registration_rules::reason));
            f.finish()?;
            reason
        }
        None => None,
    };
    let Some(reason) = reason else {
        return Err(ApiError::invalid("/reason", "is required"));
    };
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let (mut c, _) = visible(&tx, &caller, *id, true, true).await?;
    if c.is_revoked() {
        return Err(ApiError::conflict(
            "invalid-status-transition",
            "the certificate is already revoked",
        ));
    }
    c.revoked_at = Some(now);
    c.revoked_by = Some(caller.account.id);
    c.revocation_reason = Some(reason);
    c.version += 1;
    certificates::save(&tx, &c).await?;
    tx.commit().await?;
    tracing::info!(certificate_id = %c.id, "certificate revoked");
    Ok(HttpResponse::Ok().json(response(&state, &c)))
}

/// Issue a registration's certificate (organisers): for programmes with `manual` issuance, or
/// after a revoked one. The completion rule must be met.
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Registration id")),
    responses(
        (status = 201, description = "Issued", body = CertificateResponse, headers(("Location" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your own registration: only organisers issue", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The completion rule is not met (`/problems/completion-not-met`, with what is missing), or a certificate is in force (`/problems/certificate-exists`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/registrations/{id}/certificate")]
pub async fn issue_certificate(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    use crate::error::FieldError;
    let now = Utc::now();
    let tx = begin_write(&state.db).await?;
    let (mut r, programme, organiser) = super::legacy::visible(&tx, &caller, *id, true).await?;
    if !organiser {
        return Err(ApiError::Forbidden(
            "only the programme's organisers issue certificates".into(),
        ));
    }
    if let Some(live) = certificates::live_for_registration(&tx, r.id).await? {
        return Err(certificate_exists(Some(live.id)));
    }
    let progress = progress_of(&tx, &programme, &r).await?;
    if !progress.completion.met {
        return Err(ApiError::ConflictWith {
            code: "completion-not-met",
            detail: "the completion rule is not met; `errors` says what is missing".into(),
            errors: progress
                .completion
                .shortfalls
                .iter()
                .map(|s| {
                    FieldError::at(
                        match s.activity_type {
                            Some(a) => format!("/completion_rule/per_activity_type/{a}"),
                            None => "/completion_rule/min_attended_percent".to_string(),
                        },
                        format!(
                            "{} of the {} minutes required are attended; {} missing",
                            s.attended_minutes, s.required_minutes, s.missing_minutes
                        ),
                    )
                })
                .collect(),
        });
    }
    if r.status == RegistrationStatus::Confirmed {
        // Met but not yet settled (the rule or the budget changed since the last recording).
        r.status = RegistrationStatus::Completed;
        r.version += 1;
        r.updated_at = now;
        kompetens_persistence::repo::registrations::save(&tx, &r).await?;
    }
    let c = completion::issue(
        &tx,
        &programme,
        &completion::issuer(&tx, &programme).await?,
        &r,
        &progress,
        Some(caller.account.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(HttpResponse::Created()
        .insert_header(super::location(format!("/certificates/{}", c.id)))
        .json(response(&state, &c)))
}

/// Your certificates.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of your certificates", body = CertificateList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/certificates")]
pub async fn my_certificates(
    state: web::Data<AppState>,
    caller: Authenticated,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = page.parse()?;
    let page =
        certificates::list_for_participant(&state.db, caller.account.id, after, limit).await?;
    Ok(HttpResponse::Ok().json(CertificateList {
        items: page.items.iter().map(|c| response(&state, c)).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// A programme's certificates, in order of issue (organisers).
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), PageParams),
    responses(
        (status = 200, description = "A page of certificates", body = CertificateList),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or you do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/certificates")]
pub async fn programme_certificates(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let programme =
        organised_programme(&state.db, &caller.actor, ProgrammeId::from_uuid(*id), false).await?;
    let (limit, after) = page.parse()?;
    let page = certificates::list_for_programme(&state.db, programme.id, after, limit).await?;
    Ok(HttpResponse::Ok().json(CertificateList {
        items: page.items.iter().map(|c| response(&state, c)).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}
