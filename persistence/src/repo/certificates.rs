//! Certificates: what was certified, as it stood when it was issued.

use kompetens_domain::certificate::VerificationCode;
use kompetens_domain::ids::{AccountId, CertificateId, ProgrammeId, RegistrationId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde::Serialize;
use uuid::Uuid;

use super::{from_json, into_page, page_query};
use crate::Page;
use crate::entities::certificate::{ActiveModel, Column, Entity, Model};
use crate::error::{StoreError, corrupt};

pub use kompetens_domain::certificate::{Certificate, CertifiedHours, Europass};

impl TryFrom<Model> for Certificate {
    type Error = StoreError;

    fn try_from(m: Model) -> Result<Self, StoreError> {
        Ok(Certificate {
            id: m.id.into(),
            registration_id: m.registration_id.into(),
            programme_id: m.programme_id.into(),
            participant_id: m.participant_id.into(),
            code: VerificationCode::parse(&m.code).map_err(|e| corrupt("certificates.code", e))?,
            language: m.language,
            holder_name: m.holder_name,
            programme_title: from_json("certificates.programme_title", &m.programme_title)?,
            organiser_name: m.organiser_name,
            funders: from_json("certificates.funders", &m.funders)?,
            hours: from_json("certificates.hours", &m.hours)?,
            total_minutes: u64::try_from(m.total_minutes)
                .map_err(|e| corrupt("certificates.total_minutes", e))?,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            europass: m
                .europass
                .as_deref()
                .map(|raw| from_json("certificates.europass", raw))
                .transpose()?,
            issued_at: m.issued_at,
            issued_by: m.issued_by.map(Into::into),
            revoked_at: m.revoked_at,
            revoked_by: m.revoked_by.map(Into::into),
            revocation_reason: m.revocation_reason,
            version: m.version,
        })
    }
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

fn active(c: &Certificate) -> ActiveModel {
    ActiveModel {
        id: Set(c.id.as_uuid()),
        registration_id: Set(c.registration_id.as_uuid()),
        programme_id: Set(c.programme_id.as_uuid()),
        participant_id: Set(c.participant_id.as_uuid()),
        code: Set(c.code.as_str().to_string()),
        language: Set(c.language.clone()),
        holder_name: Set(c.holder_name.clone()),
        programme_title: Set(json(&c.programme_title)),
        organiser_name: Set(c.organiser_name.clone()),
        funders: Set(json(&c.funders)),
        hours: Set(json(&c.hours)),
        total_minutes: Set(i64::try_from(c.total_minutes).unwrap_or(i64::MAX)),
        starts_on: Set(c.starts_on),
        ends_on: Set(c.ends_on),
        europass: Set(c.europass.as_ref().map(json)),
        issued_at: Set(c.issued_at),
        issued_by: Set(c.issued_by.map(|a| a.as_uuid())),
        revoked_at: Set(c.revoked_at),
        revoked_by: Set(c.revoked_by.map(|a| a.as_uuid())),
        revocation_reason: Set(c.revocation_reason.clone()),
        version: Set(c.version),
    }
}

/// Stores a new certificate. A second live one for the same registration is refused by
/// `ux_certificates_live_registration`; a code already taken by `ux_certificates_code`.
pub async fn insert(conn: &impl ConnectionTrait, c: &Certificate) -> Result<(), StoreError> {
    active(c).insert(conn).await?;
    Ok(())
}

pub async fn save(conn: &impl ConnectionTrait, c: &Certificate) -> Result<(), StoreError> {
    active(c).update(conn).await?;
    Ok(())
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: CertificateId,
) -> Result<Option<Certificate>, StoreError> {
    Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .map(Certificate::try_from)
        .transpose()
}

pub async fn find_by_code(
    conn: &impl ConnectionTrait,
    code: &VerificationCode,
) -> Result<Option<Certificate>, StoreError> {
    Entity::find()
        .filter(Column::Code.eq(code.as_str()))
        .one(conn)
        .await?
        .map(Certificate::try_from)
        .transpose()
}

/// The certificate in force for a registration, if any.
pub async fn live_for_registration(
    conn: &impl ConnectionTrait,
    registration: RegistrationId,
) -> Result<Option<Certificate>, StoreError> {
    Entity::find()
        .filter(Column::RegistrationId.eq(registration.as_uuid()))
        .filter(Column::RevokedAt.is_null())
        .one(conn)
        .await?
        .map(Certificate::try_from)
        .transpose()
}

/// A holder's certificates, in order of issue.
pub async fn list_for_participant(
    conn: &impl ConnectionTrait,
    participant: AccountId,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Certificate>, StoreError> {
    let query = Entity::find().filter(Column::ParticipantId.eq(participant.as_uuid()));
    let models = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    let items = models
        .into_iter()
        .map(Certificate::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |c| c.id.as_uuid()))
}

/// A programme's certificates, in order of issue.
pub async fn list_for_programme(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Page<Certificate>, StoreError> {
    let query = Entity::find().filter(Column::ProgrammeId.eq(programme.as_uuid()));
    let models = page_query(query, Column::Id, after, limit)
        .all(conn)
        .await?;
    let items = models
        .into_iter()
        .map(Certificate::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |c| c.id.as_uuid()))
}

/// How many certificates of a programme are in force (for reports).
pub async fn count_live(
    conn: &impl ConnectionTrait,
    programme: ProgrammeId,
) -> Result<u64, StoreError> {
    Ok(Entity::find()
        .filter(Column::ProgrammeId.eq(programme.as_uuid()))
        .filter(Column::RevokedAt.is_null())
        .count(conn)
        .await?)
}
