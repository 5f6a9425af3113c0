//! Register for a programme: yourself, or (as an organiser) someone else by account or e-mail.

use chrono::{DateTime, Utc};
use kompetens_domain::account::PersonName;
use kompetens_domain::email::Email;
use kompetens_domain::ids::{AccountId, OrganisationId, ProgrammeId, RegistrationId};
use kompetens_domain::locale::Locale;
use kompetens_domain::notification::{Details, NotificationKind};
use kompetens_domain::organisation::OrganisationPath;
use kompetens_domain::policy::{self, Decision, ProgrammeAction};
use kompetens_domain::programme::Programme;
use kompetens_domain::programme::RegistrationPolicy;
use kompetens_domain::question::{self, Answers};
use kompetens_domain::registration::{
    self as rules, Refusal, Registrant, Registration, RegistrationStatus, counter_change,
};
use kompetens_domain::role::JobRole;
use kompetens_domain::seating::Seat;
use kompetens_persistence::repo::accounts::{self, Account, NewAccount};
use kompetens_persistence::repo::{organisations, password_setups, registrations};
use kompetens_persistence::{ConnectionTrait, DatabaseTransaction};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RegistrationView, details, enqueue, notify};
use crate::auth::tokens::{digest, new_opaque};
use crate::probe::Guard;
use crate::programmes::authorised;
use crate::{App, AppError, Caller, FieldError, Once, Outcome};

/// A registration: an empty object registers yourself. An organiser registers someone else by
/// `participant_id`, or by `email` (creating an invited account, with `name` and `locale`, that
/// can set a password later), and may state where they work (`workplace_organisation_id`,
/// `job_role`): eligibility and reports then go by what the organiser stated, and a new invited
/// account takes it as its profile.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "olena.kovalenko@example.pl", "name": "Olena Kovalenko", "locale": "uk", "workplace_organisation_id": "019a5f3e-7c1d-7b2a-9e4f-0a1b2c3d4e62", "job_role": "intercultural_assistant"}))]
pub struct RegistrationRequest {
    /// An existing account to register (organisers only).
    #[serde(default)]
    pub participant_id: Option<AccountId>,
    /// The e-mail of the person to register (organisers only); an account is created and
    /// invited to set a password if none has this address.
    #[serde(default)]
    pub email: Option<Email>,
    /// The invited person's name (with `email` only).
    #[serde(default)]
    pub name: Option<PersonName>,
    /// The invited person's language (with `email` only); default `en`.
    #[serde(default)]
    pub locale: Option<Locale>,
    /// Where the person works, as the organiser states it.
    #[serde(default)]
    pub workplace_organisation_id: Option<OrganisationId>,
    /// The person's job role, as the organiser states it.
    #[serde(default)]
    pub job_role: Option<JobRole>,
    /// Answers to the programme's `questions`, by question id: text, an option's id, or
    /// true/false. Checked against the form (422 naming the question); required questions
    /// must be answered.
    #[serde(default)]
    pub answers: Option<Answers>,
}

/// Who is registering whom.
pub(crate) enum Subject {
    Myself,
    Account {
        id: AccountId,
        stated: Stated,
    },
    Email {
        email: Email,
        name: Option<PersonName>,
        locale: Option<Locale>,
        stated: Stated,
    },
}

/// Where an organiser says the person works.
#[derive(Default, Clone, Copy)]
pub(crate) struct Stated {
    workplace: Option<OrganisationId>,
    job_role: Option<JobRole>,
}

impl RegistrationRequest {
    /// Who is registered, and with which answers.
    pub(crate) fn subject(self) -> Result<(Subject, Answers), AppError> {
        let answers = self.answers.clone().unwrap_or_default();
        self.who().map(|subject| (subject, answers))
    }

    fn who(self) -> Result<Subject, AppError> {
        let stated = Stated {
            workplace: self.workplace_organisation_id,
            job_role: self.job_role,
        };
        let nothing_stated = stated.workplace.is_none() && stated.job_role.is_none();
        match (self.participant_id, self.email) {
            (None, None) if self.name.is_none() && self.locale.is_none() && nothing_stated => {
                Ok(Subject::Myself)
            }
            (Some(id), None) if self.name.is_none() && self.locale.is_none() => {
                Ok(Subject::Account { id, stated })
            }
            (None, Some(email)) => Ok(Subject::Email {
                email,
                name: self.name,
                locale: self.locale,
                stated,
            }),
            _ => Err(AppError::invalid(
                "",
                "send nothing (to register yourself), or participant_id, or email with optional name and locale; an organiser may add workplace_organisation_id and job_role",
            )),
        }
    }
}

/// How long an invited person has to set a password.
const INVITATION_DAYS: i64 = 14;

/// Creates a one-time code for an invited account and sends it, in the same transaction.
async fn invite(
    conn: &impl ConnectionTrait,
    participant: &Account,
    programme: &Programme,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let code = new_opaque("kps_")?;
    password_setups::create(
        conn,
        participant.id,
        &digest(&code),
        now + chrono::Duration::days(INVITATION_DAYS),
        now,
    )
    .await?;
    let details = Details {
        code: Some(code),
        ..details(participant, programme)
    };
    enqueue(conn, participant, NotificationKind::Invited, &details, now).await
}

/// Why a registration attempt failed.
pub(crate) enum RegisterError {
    App(AppError),
    /// The participant already has a registration in play: the write failed, so the transaction
    /// (or savepoint) must be rolled back before [`RegisterError::explain`] looks it up.
    AlreadyRegistered {
        participant: AccountId,
        by_organiser: bool,
    },
}

impl<E: Into<AppError>> From<E> for RegisterError {
    fn from(e: E) -> Self {
        RegisterError::App(e.into())
    }
}

impl RegisterError {
    /// The problem to answer, with where the existing registration is (read on `conn`, which
    /// must be usable: the pool, or a transaction after its savepoint was rolled back).
    pub(crate) async fn explain(
        self,
        conn: &impl ConnectionTrait,
        programme: ProgrammeId,
    ) -> AppError {
        match self {
            RegisterError::App(e) => e,
            RegisterError::AlreadyRegistered {
                participant,
                by_organiser,
            } => {
                let existing = match registrations::active_for(conn, programme, participant).await {
                    Ok(found) => found,
                    Err(e) => return e.into(),
                };
                AppError::Conflict {
                    code: "already-registered",
                    detail: format!(
                        "{} already registered for this programme{}",
                        if by_organiser {
                            "the participant is"
                        } else {
                            "you are"
                        },
                        existing
                            .as_ref()
                            .map(|r| format!(" ({})", r.status))
                            .unwrap_or_default()
                    ),
                    existing: existing.map(|r| format!("/api/v1/registrations/{}", r.id)),
                }
            }
        }
    }
}

fn refused(refusal: Refusal) -> AppError {
    let detail = refusal.describe();
    match refusal {
        Refusal::NotOrganiser => AppError::Forbidden(detail),
        Refusal::NotPublished(_) | Refusal::WindowClosed => {
            AppError::conflict("registration-not-open", detail)
        }
        Refusal::InvitationOnly => AppError::Refused {
            code: "invitation-required",
            detail,
        },
        Refusal::Ineligible(_) => AppError::Refused {
            code: "not-eligible",
            detail,
        },
    }
}

/// Where the participant works as this registration records it, and whether a roster said so.
struct Snapshot {
    workplace: Option<OrganisationId>,
    workplace_path: Option<OrganisationPath>,
    job_role: Option<JobRole>,
    verified: bool,
}

/// Registers `subject` for the programme: every check, the decision, the write and the
/// notification, inside `tx` (which must hold the programme's lock).
pub(crate) async fn register_in(
    app: &App,
    tx: &DatabaseTransaction,
    caller: &Caller,
    programme: &Programme,
    (subject, answers): (Subject, Answers),
    now: DateTime<Utc>,
) -> Result<RegistrationView, RegisterError> {
    let organiser = policy::programme(
        Some(&caller.actor),
        &programme.organisation_path,
        programme.status,
        false,
        ProgrammeAction::Manage,
    ) == Decision::Allow;
    let by_organiser = !matches!(subject, Subject::Myself);
    let registrant = Registrant {
        for_someone_else: by_organiser,
        organiser,
    };
    rules::may_register(
        registrant,
        programme.status,
        programme.registration_policy,
        programme.window(),
        now,
    )
    .map_err(refused)?;
    let answers = question::check_answers(&programme.questions, &answers).map_err(|problems| {
        AppError::Validation(
            problems
                .into_iter()
                .map(|(at, detail)| FieldError::at(at, detail))
                .collect(),
        )
    })?;
    let stated = match &subject {
        Subject::Myself => Stated::default(),
        Subject::Account { stated, .. } | Subject::Email { stated, .. } => *stated,
    };
    let stated_workplace = match stated.workplace {
        Some(id) => Some(organisations::find(tx, id).await?.ok_or_else(|| {
            AppError::invalid("/workplace_organisation_id", "no such organisation")
        })?),
        None => None,
    };
    let participant = match subject {
        Subject::Myself => caller.account.clone(),
        Subject::Account { id, .. } => accounts::find(tx, id)
            .await?
            .ok_or_else(|| AppError::invalid("/participant_id", "no such account"))?,
        Subject::Email {
            email,
            name,
            locale,
            ..
        } => match accounts::find_by_email(tx, &email).await? {
            Some(account) => account,
            None => {
                let account = accounts::insert(
                    tx,
                    NewAccount {
                        email,
                        password_hash: None,
                        name,
                        locale: locale.unwrap_or_default(),
                        // A new invited account takes the stated workplace as its profile.
                        workplace_organisation_id: stated_workplace.as_ref().map(|o| o.id),
                        job_role: stated.job_role,
                        is_admin: false,
                    },
                    now,
                )
                .await?;
                tracing::info!(account_id = %account.id, "invited account created");
                invite(tx, &account, programme, now).await?;
                account
            }
        },
    };
    let snapshot = if programme.eligibility.verified_employment {
        verified(tx, programme, &participant, now).await?
    } else {
        let snapshot =
            stated_or_profile(tx, programme, &participant, stated, stated_workplace).await?;
        programme
            .eligibility
            .admits(snapshot.workplace_path.as_ref(), snapshot.job_role)
            .map_err(|why| refused(Refusal::Ineligible(why)))?;
        snapshot
    };
    let priority = programme
        .priority
        .as_ref()
        .is_some_and(|p| p.includes(snapshot.job_role));
    let pending = programme.registration_policy == RegistrationPolicy::Approval && !by_organiser;
    // Who gets a place: the newcomer comes last in their part of the line.
    let id = RegistrationId::new();
    let (status, others) = if pending {
        (RegistrationStatus::Pending, Vec::new())
    } else {
        let newcomer = Seat {
            id,
            arrival: i64::MAX,
            priority,
            workplace: snapshot.workplace_path.clone(),
            holds_place: false,
        };
        let (seated, others) = super::seat_candidate(tx, programme, newcomer, now).await?;
        let status = if seated {
            RegistrationStatus::Confirmed
        } else {
            RegistrationStatus::Waitlisted
        };
        (status, others)
    };
    // The decision is taken; a race test widens the gap before the write here.
    app.after_check(Guard::ProgrammeLock).await;
    let change = counter_change(None, status);
    let registration = Registration {
        id,
        programme_id: programme.id,
        participant_id: participant.id,
        status,
        arrival: registrations::take_arrival(tx, programme.id, change.confirmed, change.waitlisted)
            .await?,
        registered_by: by_organiser.then_some(caller.account.id),
        reason: None,
        workplace_organisation_id: snapshot.workplace,
        job_role: snapshot.job_role,
        employment_verified: snapshot.verified,
        priority,
        answers,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    // `ux_registrations_active_participant` answers "already registered" (the caller fills in
    // where the existing registration is, once this transaction or savepoint is rolled back).
    match registrations::insert(tx, &registration).await {
        Ok(()) => {}
        Err(e) if registrations::is_already_registered(&e) => {
            return Err(RegisterError::AlreadyRegistered {
                participant: participant.id,
                by_organiser,
            });
        }
        Err(e) => return Err(e.into()),
    }
    // Those waiting who fit now (the reservation just ended, say) go first in the queue.
    super::confirm_waiting(tx, programme, others, now).await?;
    if programme.priority.is_some() {
        super::notice_release(tx, programme, now).await?;
    }
    let position = match status {
        // Everyone waiting arrived earlier: the newcomer is last (of their part of the line).
        RegistrationStatus::Waitlisted if programme.priority.is_none() => {
            Some(programme.waitlist_count + 1)
        }
        RegistrationStatus::Waitlisted => {
            registrations::waitlist_position(tx, &registration).await?
        }
        _ => None,
    };
    let kind = match status {
        RegistrationStatus::Confirmed => Some(NotificationKind::Confirmed),
        RegistrationStatus::Waitlisted => Some(NotificationKind::Waitlisted),
        _ => None,
    };
    if let Some(kind) = kind {
        notify(tx, &participant, programme, kind, position, None, now).await?;
    }
    Ok(RegistrationView::new(registration, position))
}

/// Where the person works by the staff rosters that list their verified address as employed
/// today (in the programme's time zone): the entry the programme's eligibility admits,
/// preferring one in its priority group. Neither the profile nor an organiser's statement
/// counts, or anyone could edit their way in.
async fn verified(
    tx: &DatabaseTransaction,
    programme: &Programme,
    participant: &Account,
    now: DateTime<Utc>,
) -> Result<Snapshot, AppError> {
    let today = now.with_timezone(&programme.time_zone.tz()).date_naive();
    let employment = crate::staff::verified_employment(tx, participant, today).await?;
    let entries: Vec<(&OrganisationPath, JobRole)> = employment
        .iter()
        .map(|e| (&e.organisation_path, e.job_role))
        .collect();
    let chosen = programme
        .eligibility
        .admits_verified(
            participant.email_verified_at.is_some(),
            &entries,
            programme.priority.as_ref(),
        )
        .map_err(|why| refused(Refusal::Ineligible(why)))?;
    let e = employment
        .get(chosen)
        .ok_or_else(|| AppError::bug("the chosen employment is one of the person's"))?;
    Ok(Snapshot {
        workplace: Some(e.organisation_id),
        workplace_path: Some(e.organisation_path.clone()),
        job_role: Some(e.job_role),
        verified: true,
    })
}

/// Where the person works by what an organiser stated, else by their own profile (programmes
/// that do not ask for verified employment).
async fn stated_or_profile(
    tx: &DatabaseTransaction,
    programme: &Programme,
    participant: &Account,
    stated: Stated,
    stated_workplace: Option<kompetens_persistence::repo::organisations::Organisation>,
) -> Result<Snapshot, AppError> {
    // What the organiser stated goes before the person's own profile.
    let workplace = stated_workplace
        .as_ref()
        .map(|o| o.id)
        .or(participant.workplace_organisation_id);
    let job_role = stated.job_role.or(participant.job_role);
    // The workplace's place in the tree matters only to a rule about workplaces (eligibility
    // or seat caps): no query under the lock otherwise.
    let needs_path =
        programme.eligibility.workplace_within.is_some() || !programme.seat_caps.is_empty();
    let workplace_path = match (&stated_workplace, participant.workplace_organisation_id) {
        (Some(o), _) => Some(o.path.clone()),
        (None, Some(id)) if needs_path => organisations::find(tx, id).await?.map(|o| o.path),
        _ => None,
    };
    Ok(Snapshot {
        workplace,
        workplace_path,
        job_role,
        verified: false,
    })
}

/// Register for a programme. The counters move with the arrival number in `take_arrival`
/// (one `UPDATE … RETURNING`), so `count` is not called here.
pub async fn register(
    app: &App,
    caller: &Caller,
    programme: ProgrammeId,
    request: RegistrationRequest,
    once: Once<'_, RegistrationView>,
) -> Result<Outcome<RegistrationView>, AppError> {
    let subject = request.subject()?;
    let tx = app.begin().await?;
    // The programme's row lock: every decision on its places is taken under it.
    let programme = authorised(
        &tx,
        Some(&caller.actor),
        programme,
        ProgrammeAction::Read,
        app.guarded(Guard::ProgrammeLock),
    )
    .await?;
    // Under the lock, a request with the same key that committed meanwhile is visible: replay.
    if let Some(first) = once.replay(&tx, caller.account_id(), Utc::now()).await? {
        return Ok(Outcome::Replayed(first));
    }
    // Taken after the lock: `created_at` then follows the order of arrival.
    let now = Utc::now();
    let done = match register_in(app, &tx, caller, &programme, subject, now).await {
        Ok(done) => done,
        Err(e) => {
            // Nothing of a refused registration stays; then say why.
            tx.rollback().await?;
            return Err(e.explain(app.db(), programme.id).await);
        }
    };
    once.remember(&tx, caller.account_id(), &done, now).await?;
    tx.commit().await?;
    tracing::info!(
        registration_id = %done.registration.id,
        programme_id = %programme.id,
        status = %done.registration.status,
        "registration created"
    );
    Ok(Outcome::Fresh(done))
}
