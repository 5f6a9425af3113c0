//! Certificates: issued when the completion rule is met, printed as a PDF, checked by anyone
//! with the code, revoked by an organiser with a reason (`kompetens_app::certificates`).

use std::collections::BTreeMap;

use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use kompetens_app::App;
use kompetens_app::certificates::{self, Certificate, Europass, RevokeRequest};
use kompetens_domain::certificate::CertificateStatus;
use kompetens_domain::hour_budget::ActivityType;
use kompetens_domain::ids::{CertificateId, ProgrammeId, RegistrationId};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::body::Json;
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor};
use crate::idempotency::{self, IdempotencyKey};
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

fn certified(app: &App, c: &Certificate) -> CertifiedResponse {
    CertifiedResponse {
        code: c.code.grouped(),
        verification_url: certificates::verification_url(app, &c.code),
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

fn response(app: &App, c: &Certificate) -> CertificateResponse {
    CertificateResponse {
        id: c.id.as_uuid(),
        registration_id: c.registration_id.as_uuid(),
        programme_id: c.programme_id.as_uuid(),
        participant_id: c.participant_id.as_uuid(),
        certified: certified(app, c),
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

/// The PDF itself: the bytes of a one-page A4 document.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary, example = "%PDF-1.7 …")]
pub struct PdfDocument(Vec<u8>);

fn page_request(page: &PageParams) -> Result<kompetens_app::PageRequest, ApiError> {
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    if errors.is_empty() {
        Ok(page)
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn list(app: &App, page: &kompetens_app::Page<Certificate>) -> CertificateList {
    CertificateList {
        items: page.items.iter().map(|c| response(app, c)).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }
}

/// Get a certificate (yours, or one of a programme you organise).
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Certificate id")),
    responses(
        (status = 200, description = "The certificate", body = CertificateResponse),
        (status = 404, description = "No such certificate, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/certificates/{id}")]
pub async fn get_certificate(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let c = certificates::get(&state.app, &caller, CertificateId::from_uuid(*id)).await?;
    Ok(HttpResponse::Ok().json(response(&state.app, &c)))
}

/// A certificate as a one-page A4 PDF in its language (with the verification code and URL).
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Certificate id")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = PdfDocument),
        (status = 404, description = "No such certificate, or not yours to see", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/certificates/{id}.pdf")]
pub async fn certificate_pdf(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let pdf = certificates::pdf(&state.app, &caller, CertificateId::from_uuid(*id)).await?;
    let disposition = format!(
        "inline; filename=\"certificate-{}.pdf\"",
        pdf.certificate.code.as_str()
    );
    let PdfDocument(bytes) = PdfDocument(pdf.bytes);
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((CONTENT_DISPOSITION, disposition))
        .body(bytes))
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
    let c = certificates::verify(&state.app, &code).await?;
    Ok(HttpResponse::Ok().json(VerificationResponse {
        genuine: !c.is_revoked(),
        certified: certified(&state.app, &c),
    }))
}

/// Revoke a certificate (organisers, with a reason): verification then says so.
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    request_body = RevokeRequest,
    params(("id" = Uuid, Path, description = "Certificate id")),
    responses(
        (status = 200, description = "Revoked", body = CertificateResponse),
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
    body: Json<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    let c = certificates::revoke(
        &state.app,
        &caller,
        CertificateId::from_uuid(*id),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(response(&state.app, &c)))
}

/// Issue a registration's certificate (organisers): for programmes with `manual` issuance, or
/// after a revoked one. The completion rule must be met.
///
/// Send `Idempotency-Key` to make retries safe: a retry within 24 hours gets the first
/// response back (the same certificate), with `Idempotent-Replayed: true`.
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Registration id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")
    ),
    responses(
        (status = 201, description = "Issued", body = CertificateResponse, headers(("Location" = String))),
        (status = 403, description = "Your own registration: only organisers issue", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The completion rule is not met (`/problems/completion-not-met`, with what is missing), or a certificate is in force (`/problems/certificate-exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/registrations/{id}/certificate")]
pub async fn issue_certificate(
    state: web::Data<AppState>,
    caller: Authenticated,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let created = |c: &Certificate| {
        idempotency::render(
            201,
            &response(&state.app, c),
            Some(format!("/certificates/{}", c.id)),
            None,
        )
    };
    // The request has no body: the key covers the method and the path.
    let once = key.once(&Value::Null, &created);
    let outcome =
        certificates::issue(&state.app, &caller, RegistrationId::from_uuid(*id), once).await?;
    idempotency::respond(outcome, &created)
}

/// Your certificates.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of your certificates", body = CertificateList),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/me/certificates")]
pub async fn my_certificates(
    state: web::Data<AppState>,
    caller: Authenticated,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = certificates::mine(&state.app, &caller, page_request(&page)?).await?;
    Ok(HttpResponse::Ok().json(list(&state.app, &page)))
}

/// A programme's certificates, in order of issue (organisers).
#[utoipa::path(
    tag = "certificates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), PageParams),
    responses(
        (status = 200, description = "A page of certificates", body = CertificateList),
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
    let page = certificates::for_programme(
        &state.app,
        &caller,
        ProgrammeId::from_uuid(*id),
        page_request(&page)?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(list(&state.app, &page)))
}
