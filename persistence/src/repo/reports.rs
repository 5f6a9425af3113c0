//! What funder reports are computed from, read for one programme at a time.

use chrono::TimeZone as _;
use kompetens_domain::report::{
    CertificateFacts, MarkFacts, ProgrammeFacts, RegistrationFacts, SessionFacts,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::programmes::Programme;
use super::{attendance, programmes, registrations, sessions};
use crate::entities::certificate;
use crate::error::StoreError;

/// A programme's budget, sessions (dated in its time zone), registrations, credited
/// attendance and certificates.
pub async fn programme_facts(
    conn: &impl ConnectionTrait,
    programme: &Programme,
) -> Result<ProgrammeFacts, StoreError> {
    let zone = programme.time_zone.tz();
    let all_sessions = sessions::all_for_programme(conn, programme.id).await?;
    let marks = attendance::for_programme(conn, programme.id)
        .await?
        .into_iter()
        .filter_map(|m| {
            let credit = all_sessions
                .iter()
                .find(|s| s.id == m.session_id)?
                .credit_minutes;
            Some(MarkFacts {
                session: m.session_id,
                credited_minutes: m.mark.credited(credit),
            })
        })
        .collect();
    let sessions = all_sessions
        .iter()
        .map(|s| SessionFacts {
            id: s.id,
            day: zone
                .from_utc_datetime(&s.time.starts_at.naive_utc())
                .date_naive(),
            minutes: s.minutes(),
        })
        .collect();
    let registrations = registrations::all_for_programme(conn, programme.id)
        .await?
        .into_iter()
        .map(|r| RegistrationFacts {
            id: r.id,
            participant: r.participant_id,
            status: r.status,
            workplace: r.workplace_organisation_id,
            job_role: r.job_role,
            created_on: zone
                .from_utc_datetime(&r.created_at.naive_utc())
                .date_naive(),
        })
        .collect();
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::ProgrammeId.eq(programme.id.as_uuid()))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| CertificateFacts {
            issued_on: zone
                .from_utc_datetime(&c.issued_at.naive_utc())
                .date_naive(),
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    Ok(ProgrammeFacts {
        programme: programme.id,
        budget: programmes::budget(conn, programme.id).await?,
        sessions,
        registrations,
        marks,
        certificates,
    })
}
