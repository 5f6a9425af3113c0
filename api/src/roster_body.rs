//! The body of a roster replacement (`PUT /organisations/{id}/staff`): a JSON array of entries,
//! or CSV as HR systems export it, under a limit of its own.
//!
//! Rosters are large (a city's schools: thousands of people), so the endpoint does not use
//! `KOMPETENS_MAX_BODY_BYTES`: it takes up to [`MAX_BYTES`] (413 past it) and
//! [`kompetens_domain::staff::MAX_ENTRIES`] entries (422 past them). Both forms come out as one
//! valid `Roster`, every problem of the body listed by pointer (`/3/email`: the fourth entry,
//! the fourth data row of a CSV, whose detail names its line).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use kompetens_app::Validate;
use kompetens_app::staff::{Roster, RosterRequest, roster_from_csv};

use crate::error::ApiError;
use crate::extract::read_limited;

/// The largest roster body accepted: 4 MiB, room for 20,000 entries in either form.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// What a roster may be sent as.
pub const ACCEPTED: &str = "application/json or text/csv";

/// A roster, read from JSON or CSV.
pub struct RosterBody(pub Roster);

impl FromRequest for RosterBody {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let media = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            let form = match media.as_deref() {
                Some("application/json") => Form::Json,
                Some("text/csv") => Form::Csv,
                _ => return Err(ApiError::UnsupportedMediaTypeOf { accepted: ACCEPTED }),
            };
            let body = read_limited(&mut payload, declared_length, MAX_BYTES).await?;
            match form {
                Form::Json => {
                    if body.is_empty() {
                        return Err(ApiError::MalformedJson(
                            "the body is empty; send a JSON array of entries".into(),
                        ));
                    }
                    let value = serde_json::from_slice(&body).map_err(|e| {
                        ApiError::MalformedJson(format!("the body is not valid JSON: {e}"))
                    })?;
                    let request =
                        crate::body::parse_with::<RosterRequest>(value, RosterRequest::validate)?;
                    Ok(RosterBody(request.into_roster()?))
                }
                Form::Csv => {
                    let text = std::str::from_utf8(&body).map_err(|e| {
                        ApiError::invalid(
                            "",
                            format!(
                                "the CSV must be UTF-8 text (byte {} is not)",
                                e.valid_up_to()
                            ),
                        )
                    })?;
                    Ok(RosterBody(roster_from_csv(text)?))
                }
            }
        })
    }
}

enum Form {
    Json,
    Csv,
}
