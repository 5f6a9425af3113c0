//! `Caller`: the authenticated account behind a request, with what the policy needs.
//!
//! Accepts `Authorization: Bearer <token>` where the token is a JWT access token (checked
//! against its live session, so logout takes effect at once) or an API token (`kpt_…`, bound
//! to one organisation and role, and never more than its owner still holds).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

pub use kompetens_app::caller::{Caller, Credential};

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller, as an extractor: `Authorization: Bearer <token>`, checked by the
/// application (`App::authenticate`).
pub struct Authenticated(pub Caller);

impl std::ops::Deref for Authenticated {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_string));
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            let token = match header {
                None => {
                    return Err(ApiError::Unauthenticated(
                        "send Authorization: Bearer <token>".into(),
                    ));
                }
                Some(Err(_)) => {
                    return Err(ApiError::Unauthenticated(
                        "the Authorization header is not readable".into(),
                    ));
                }
                Some(Ok(value)) => match value.split_once(' ') {
                    Some((scheme, token))
                        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
                    {
                        token.trim().to_string()
                    }
                    _ => {
                        return Err(ApiError::Unauthenticated(
                            "the Authorization header must be Bearer <token>".into(),
                        ));
                    }
                },
            };
            Ok(Authenticated(state.app.authenticate(&token).await?))
        })
    }
}

/// The caller when a request may also come anonymously: `None` without an `Authorization`
/// header; a header that does not authenticate is still 401 (never silently anonymous).
pub struct MaybeCaller(pub Option<Caller>);

impl MaybeCaller {
    pub fn actor(&self) -> Option<&kompetens_domain::policy::Actor> {
        self.0.as_ref().map(|c| &c.actor)
    }

    pub fn caller(&self) -> Option<&Caller> {
        self.0.as_ref()
    }
}

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().contains_key(header::AUTHORIZATION) {
            let caller = Authenticated::from_request(req, payload);
            Box::pin(async move { caller.await.map(|c| MaybeCaller(Some(c.0))) })
        } else {
            Box::pin(async { Ok(MaybeCaller(None)) })
        }
    }
}
