//! Everything Kompetens keeps about the caller (GDPR art. 15).

use chrono::{DateTime, Utc};
use kompetens_domain::registration::Registration;
use kompetens_persistence::repo::api_tokens::ApiToken;
use kompetens_persistence::repo::attendance::AttendanceRecord;
use kompetens_persistence::repo::certificates::Certificate;
use kompetens_persistence::repo::{api_tokens, attendance, certificates, registrations};

use crate::page::MAX_PAGE_LIMIT;
use crate::{App, AppError, Caller};

/// The caller's data, every page of it.
pub struct Export {
    pub exported_at: DateTime<Utc>,
    pub registrations: Vec<Registration>,
    pub attendance: Vec<AttendanceRecord>,
    pub certificates: Vec<Certificate>,
    pub api_tokens: Vec<ApiToken>,
    /// What rosters verify of the caller's employment today.
    pub employment: Vec<kompetens_domain::staff::Employment>,
}

pub async fn export(app: &App, caller: &Caller) -> Result<Export, AppError> {
    let me = caller.account_id();
    let db = app.db();
    let mut all_registrations = Vec::new();
    let mut after = None;
    loop {
        let page = registrations::list_for_participant(db, me, after, MAX_PAGE_LIMIT).await?;
        all_registrations.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut all_certificates = Vec::new();
    let mut after = None;
    loop {
        let page = certificates::list_for_participant(db, me, after, MAX_PAGE_LIMIT).await?;
        all_certificates.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut tokens = Vec::new();
    let mut after = None;
    loop {
        let page = api_tokens::list_for_account(db, me, after, MAX_PAGE_LIMIT).await?;
        tokens.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let marks = attendance::for_account(db, me).await?;
    let today = Utc::now().date_naive();
    let employment = crate::staff::verified_employment(db, &caller.account, today).await?;
    Ok(Export {
        exported_at: Utc::now(),
        registrations: all_registrations,
        attendance: marks,
        certificates: all_certificates,
        api_tokens: tokens,
        employment,
    })
}
