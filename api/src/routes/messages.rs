//! Messages to participants: organisers write to those registered for a programme, and see
//! how far the e-mails have got. Each handler reads the request, calls one use case of
//! `kompetens_app::messages` and renders what it returns.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use kompetens_app::messages::{self, Deliveries, MessageAudience, MessageView, NewMessage};
use kompetens_domain::ids::{MessageId, ProgrammeId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{TextMap, text_map};
use crate::auth::Authenticated;
use crate::body::Json;
use crate::error::{ApiError, Problem};
use crate::extract::{PageParams, encode_cursor};
use crate::idempotency::{self, IdempotencyKey, Reply};
use crate::state::AppState;

/// Where a message's e-mails are, one per recipient: the three add up to `recipients`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"queued": 3, "sent": 36, "failed": 1}))]
pub struct MessageDeliveries {
    /// Not sent yet, and still being tried (the outbox retries with backoff).
    pub queued: u32,
    /// Handed to the mail server.
    pub sent: u32,
    /// Given up after the outbox's last attempt, or because the recipient erased their account.
    pub failed: u32,
}

impl From<Deliveries> for MessageDeliveries {
    fn from(d: Deliveries) -> Self {
        MessageDeliveries {
            queued: d.queued,
            sent: d.sent,
            failed: d.failed,
        }
    }
}

/// A message an organiser sent to a programme's participants.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4f10",
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "subject": {"pl": "Informacje organizacyjne", "en": "Organisational details"},
    "body": {
        "pl": "Zbiórka w poniedziałek 13 czerwca o 8:00 przed dworcem w Gdańsku.",
        "en": "We meet on Monday 13 June at 8:00 in front of Gdańsk station."
    },
    "to": "confirmed",
    "sent_by": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5d",
    "created_at": "2027-06-01T10:00:00Z",
    "recipients": 40,
    "deliveries": {"queued": 3, "sent": 36, "failed": 1}
}))]
pub struct MessageResponse {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub subject: TextMap,
    pub body: TextMap,
    /// Whom it went to, by the status of their registration when it was sent.
    pub to: MessageAudience,
    /// The account of the organiser who sent it.
    pub sent_by: Uuid,
    pub created_at: DateTime<Utc>,
    /// How many participants were in the audience when it was sent: one e-mail each, in their
    /// own language.
    pub recipients: u32,
    pub deliveries: MessageDeliveries,
}

impl From<&MessageView> for MessageResponse {
    fn from(v: &MessageView) -> Self {
        let m = &v.message;
        MessageResponse {
            id: m.id.as_uuid(),
            programme_id: m.programme_id.as_uuid(),
            subject: text_map(&m.subject),
            body: text_map(&m.body),
            to: m.audience,
            sent_by: m.sent_by.as_uuid(),
            created_at: m.created_at,
            recipients: m.recipients,
            deliveries: v.deliveries.into(),
        }
    }
}

/// A page of a programme's messages, oldest first.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"items": [{
    "id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4f10",
    "programme_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4eb0",
    "subject": {"pl": "Lista rezerwowa: co dalej"},
    "body": {"pl": "Dziękujemy za cierpliwość. Damy znać, gdy zwolni się miejsce."},
    "to": "waitlisted",
    "sent_by": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e5d",
    "created_at": "2027-06-01T10:00:00Z",
    "recipients": 12,
    "deliveries": {"queued": 0, "sent": 12, "failed": 0}
}], "next_cursor": null}))]
pub struct MessageList {
    pub items: Vec<MessageResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

fn created(view: &MessageView) -> Result<Reply, kompetens_app::AppError> {
    idempotency::render(
        201,
        &MessageResponse::from(view),
        Some(format!(
            "/programmes/{}/messages/{}",
            view.message.programme_id, view.message.id
        )),
        None,
    )
}

/// Write to a programme's participants.
///
/// `to` picks them by the status of their registration: `confirmed` (holding a place:
/// confirmed or completed), `waitlisted`, or `all` (pending, confirmed, waitlisted or
/// completed). The message is stored and one e-mail per participant queued in the outbox in
/// the same transaction, under the programme's lock, so the recipients are exactly those
/// registered at that moment; each e-mail is in the participant's language (their locale, its
/// language, the programme's languages in order, else any the message is written in), with
/// the programme's title and its contact. A message with nobody to reach is still kept
/// (`recipients` 0). Organisers only; send `Idempotency-Key` to make retries safe: a retry
/// gets the first answer and queues no second round of e-mails.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    request_body = NewMessage,
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry for 24 hours")
    ),
    responses(
        (status = 201, description = "Sent: stored, and an e-mail queued for each recipient", body = MessageResponse, headers(("Location" = String))),
        (status = 404, description = "No such programme, or you do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (by pointer, e.g. `/subject`, `/body/pl`, `/to`), or an Idempotency-Key reused for another request", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/programmes/{id}/messages")]
pub async fn send_message(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: Json<NewMessage>,
) -> Result<HttpResponse, ApiError> {
    let once = key.once(body.raw(), &created);
    let outcome = messages::send(
        &state.app,
        &caller,
        ProgrammeId::from_uuid(*id),
        body.into_inner(),
        once,
    )
    .await?;
    idempotency::respond(outcome, &created)
}

/// A programme's messages, oldest first, each with its delivery counts (organisers).
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Programme id"), PageParams),
    responses(
        (status = 200, description = "A page of messages, oldest first", body = MessageList),
        (status = 404, description = "No such programme, or you do not organise it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `limit` or `cursor`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    caller: Authenticated,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = page.request(&mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let page = messages::list(&state.app, &caller, ProgrammeId::from_uuid(*id), page).await?;
    Ok(HttpResponse::Ok().json(MessageList {
        items: page.items.iter().map(MessageResponse::from).collect(),
        next_cursor: page.next_after.map(encode_cursor),
    }))
}

/// One of a programme's messages, with its delivery counts (organisers).
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Programme id"),
        ("message_id" = Uuid, Path, description = "Message id")
    ),
    responses(
        (status = 200, description = "The message", body = MessageResponse),
        (status = 404, description = "No such programme or message, or you do not organise the programme", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/programmes/{id}/messages/{message_id}")]
pub async fn get_message(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (programme, message) = path.into_inner();
    let view = messages::get(
        &state.app,
        &caller,
        ProgrammeId::from_uuid(programme),
        MessageId::from_uuid(message),
    )
    .await?;
    Ok(HttpResponse::Ok().json(MessageResponse::from(&view)))
}
