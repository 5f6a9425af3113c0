//! Lists of registrations: a programme's (its organisers' business) and your own.

use std::collections::BTreeMap;

use kompetens_domain::ids::{AccountId, ProgrammeId, RegistrationId};
use kompetens_domain::question::Question;
use kompetens_domain::registration::RegistrationStatus;
use kompetens_persistence::repo::accounts::{self, Account};
use kompetens_persistence::repo::{registrations, session_choices};

pub use kompetens_persistence::repo::registrations::RegistrationFilter;

use super::{RegistrationView, choice_views, view};
use crate::programmes::organised;
use crate::{App, AppError, Caller, Page, PageRequest};

/// A row of the CSV export: the registration as listed, with who the participant is.
pub struct ExportRow {
    pub view: RegistrationView,
    pub participant: Option<Account>,
}

/// A page of a programme's registrations, with the programme's questions (the CSV export has a
/// column for each).
pub struct ProgrammeRegistrations {
    pub page: Page<ExportRow>,
    pub questions: Vec<Question>,
}

/// A programme's registrations in order of arrival, to its organisers (404 to anyone else,
/// even where they can read the programme); with the participants when `with_people` (the
/// CSV export names them).
pub async fn list_for_programme(
    app: &App,
    caller: &Caller,
    programme: ProgrammeId,
    filter: &RegistrationFilter,
    page: PageRequest,
    with_people: bool,
) -> Result<ProgrammeRegistrations, AppError> {
    let db = app.db();
    let programme = organised(db, &caller.actor, programme, false).await?;
    let found =
        registrations::list_for_programme(db, programme.id, filter, page.after, page.limit).await?;
    // One read of the waiting list's order (the priority group first) for the whole page.
    let waiting: BTreeMap<i64, usize> = registrations::waiting_order(db, programme.id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, arrival)| (arrival, i))
        .collect();
    let position = |status: RegistrationStatus, arrival: i64| {
        (status == RegistrationStatus::Waitlisted)
            .then(|| waiting.get(&arrival))
            .flatten()
            .and_then(|i| u32::try_from(i + 1).ok())
    };
    let ids: Vec<RegistrationId> = found.items.iter().map(|r| r.id).collect();
    let choices = session_choices::active_for_registrations(db, &ids).await?;
    let people: BTreeMap<AccountId, Account> = if with_people {
        let ids: Vec<AccountId> = found.items.iter().map(|r| r.participant_id).collect();
        accounts::find_many(db, &ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut items = Vec::with_capacity(found.items.len());
    for r in found.items {
        let session_choices = choice_views(db, r.id, &choices).await?;
        let participant = people.get(&r.participant_id).cloned();
        let waitlist_position = position(r.status, r.arrival);
        items.push(ExportRow {
            view: RegistrationView {
                registration: r,
                waitlist_position,
                session_choices,
            },
            participant,
        });
    }
    Ok(ProgrammeRegistrations {
        page: Page {
            items,
            next_after: found.next_after,
        },
        questions: programme.questions,
    })
}

/// Your registrations.
pub async fn mine(
    app: &App,
    caller: &Caller,
    page: PageRequest,
) -> Result<Page<RegistrationView>, AppError> {
    let found =
        registrations::list_for_participant(app.db(), caller.account.id, page.after, page.limit)
            .await?;
    let mut items = Vec::with_capacity(found.items.len());
    for r in found.items {
        items.push(view(app.db(), r).await?);
    }
    Ok(Page {
        items,
        next_after: found.next_after,
    })
}
