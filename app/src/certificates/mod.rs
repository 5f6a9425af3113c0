//! Certificates: issued when the completion rule is met, printed as a PDF, checked by anyone
//! with the code, revoked by an organiser with a reason.

mod get;
mod issue;
mod list;
mod pdf;
mod revoke;
mod verify;

pub use get::get;
pub use issue::issue;
pub use kompetens_domain::certificate::{Certificate, CertifiedHours, Europass};
pub use list::{for_programme, mine};
pub use pdf::{Pdf, pdf};
pub use revoke::{RevokeRequest, revoke};
pub use verify::verify;

use kompetens_domain::certificate::{self as wording, VerificationCode};
use kompetens_domain::ids::CertificateId;
use kompetens_domain::policy;
use kompetens_domain::programme::Programme;
use kompetens_persistence::ConnectionTrait;
use kompetens_persistence::repo::{certificates, programmes};

use crate::{App, AppError, Caller};

/// Where anyone checks a certificate by its code.
pub fn verification_url(app: &App, code: &VerificationCode) -> String {
    format!(
        "{}/api/v1/certificates/verify/{}",
        app.config().public_url,
        code.grouped()
    )
}

/// Loads a certificate the caller may see (as its holder, or organising its programme);
/// `change`: the caller must organise it (403 for the holder, 404 for anyone else). `lock`
/// holds the programme's row and reads the certificate again under it.
pub(crate) async fn visible(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: CertificateId,
    change: bool,
    lock: bool,
) -> Result<(Certificate, Programme), AppError> {
    let certificate = certificates::find(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let programme = programmes::find(conn, certificate.programme_id, lock)
        .await?
        .ok_or(AppError::NotFound)?;
    let holder = certificate.participant_id == caller.account.id;
    AppError::check(policy::certificate(
        &caller.actor,
        &programme.organisation_path,
        holder,
        change,
    ))?;
    let certificate = if lock {
        certificates::find(conn, certificate.id)
            .await?
            .ok_or(AppError::NotFound)?
    } else {
        certificate
    };
    Ok((certificate, programme))
}

/// What is printed: the certificate's fixed words in its language around what it certifies.
pub(crate) fn printed(app: &App, c: &Certificate) -> kompetens_pdf::Certificate {
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
        verification_url: verification_url(app, &c.code),
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
