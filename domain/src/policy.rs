//! Who may do what: the one place authorization is decided.
//!
//! Handlers ask; this module answers `Allow`, `Forbidden` (the caller may see the resource but
//! not change it: 403) or `NotFound` (the caller may not even know it exists: 404). The rule of
//! DESIGN.md: an organiser acts within their organisation's subtree, a trainer or participant
//! sees the organisation they belong to, an instance admin sees everything.

use crate::ids::{AccountId, OrganisationId};
use crate::organisation::OrganisationPath;
use crate::programme::ProgrammeStatus;
use crate::role::Role;

/// A role held at one organisation (by membership, or by the scope of an API token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub organisation: OrganisationPath,
    pub role: Role,
}

/// The authenticated caller, with everything the policy needs to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: AccountId,
    pub is_admin: bool,
    pub grants: Vec<Grant>,
}

/// The answer to "may this actor do that?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Visible but not changeable by this caller: 403.
    Forbidden,
    /// Not visible to this caller: 404, exactly as if it did not exist.
    NotFound,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// What can be done to an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganisationAction {
    Read,
    Update,
    CreateChild,
    ListMembers,
    ManageMembers,
    /// Read or change competence-development plans and reports: organisers' business.
    Plans,
}

/// How far an actor can see into the organisation tree; lists are filtered with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    Everything,
    /// These organisations and everything below them, plus these single organisations.
    Some {
        subtrees: Vec<OrganisationId>,
        single: Vec<OrganisationId>,
    },
}

impl Actor {
    /// True when the actor is an organiser of the target or of one of its ancestors.
    pub fn organises(&self, target: &OrganisationPath) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::Organiser && target.contains(g.organisation.id()))
    }

    /// True when the actor holds any role at exactly this organisation.
    pub fn belongs_to(&self, target: OrganisationId) -> bool {
        self.grants.iter().any(|g| g.organisation.id() == target)
    }

    pub fn holds(&self, target: OrganisationId, role: Role) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.organisation.id() == target)
    }

    fn sees(&self, target: &OrganisationPath) -> bool {
        self.is_admin || self.organises(target) || self.belongs_to(target.id())
    }

    pub fn visibility(&self) -> Visibility {
        if self.is_admin {
            return Visibility::Everything;
        }
        let mut subtrees = Vec::new();
        let mut single = Vec::new();
        for grant in &self.grants {
            let id = grant.organisation.id();
            if grant.role == Role::Organiser {
                subtrees.push(id);
            } else {
                single.push(id);
            }
        }
        subtrees.sort_unstable();
        subtrees.dedup();
        single.sort_unstable();
        single.dedup();
        Visibility::Some { subtrees, single }
    }
}

/// May the actor do `action` to the organisation at `target`?
pub fn organisation(
    actor: &Actor,
    target: &OrganisationPath,
    action: OrganisationAction,
) -> Decision {
    if actor.is_admin || actor.organises(target) {
        return Decision::Allow;
    }
    if !actor.sees(target) {
        return Decision::NotFound;
    }
    match action {
        OrganisationAction::Read => Decision::Allow,
        OrganisationAction::Update
        | OrganisationAction::CreateChild
        | OrganisationAction::ListMembers
        | OrganisationAction::ManageMembers
        | OrganisationAction::Plans => Decision::Forbidden,
    }
}

/// Top-level organisations (those without a parent) are created by instance admins only.
pub fn create_top_level_organisation(actor: &Actor) -> Decision {
    if actor.is_admin {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

/// May the actor mint an API token acting as `role` at `target`?
///
/// A token never carries more than its owner holds: the owner must hold that role there, or
/// organise the organisation (an organiser may script any role in their subtree).
pub fn api_token(actor: &Actor, target: &OrganisationPath, role: Role) -> Decision {
    if actor.is_admin || actor.organises(target) || actor.holds(target.id(), role) {
        return Decision::Allow;
    }
    if actor.sees(target) {
        Decision::Forbidden
    } else {
        Decision::NotFound
    }
}

/// Who may read a record an organisation keeps (funders, grants, venues).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not (venues: public places).
    Anyone,
    /// Any signed-in caller (funders: public bodies, named on certificates).
    SignedIn,
    /// Only organisers of the owning organisation's subtree (grants: amounts and references).
    Organisers,
}

/// May the caller (`None` when anonymous) read, or `change`, a record owned by `owner`?
///
/// Organisers of the owner's subtree (and admins) do both; others read what the audience
/// allows and get 403 on changes to what they can read, 404 on what they cannot.
pub fn owned_record(
    actor: Option<&Actor>,
    owner: &OrganisationPath,
    audience: Audience,
    change: bool,
) -> Decision {
    if actor.is_some_and(|a| a.is_admin || a.organises(owner)) {
        return Decision::Allow;
    }
    let readable = match audience {
        Audience::Anyone => true,
        Audience::SignedIn => actor.is_some(),
        Audience::Organisers => false,
    };
    match (readable, change) {
        (false, _) => Decision::NotFound,
        (true, false) => Decision::Allow,
        (true, true) => Decision::Forbidden,
    }
}

/// What can be done to a programme (and its budget and sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgrammeAction {
    Read,
    /// Edit the programme, its hour budget and its sessions; move it through its lifecycle.
    Manage,
}

/// May the caller (`None` when anonymous) act on a programme of the organisation at `owner`?
///
/// Published (and closed) programmes are public. Drafts and archived programmes are seen only
/// by organisers of the owner's subtree, admins, and the trainers who teach one of its
/// sessions (`teaches`). Only organisers and admins manage.
pub fn programme(
    actor: Option<&Actor>,
    owner: &OrganisationPath,
    status: ProgrammeStatus,
    teaches: bool,
    action: ProgrammeAction,
) -> Decision {
    if actor.is_some_and(|a| a.is_admin || a.organises(owner)) {
        return Decision::Allow;
    }
    let visible = status.is_public() || (teaches && actor.is_some());
    match (visible, action) {
        (false, _) => Decision::NotFound,
        (true, ProgrammeAction::Read) => Decision::Allow,
        (true, ProgrammeAction::Manage) => Decision::Forbidden,
    }
}

/// What can be done to a session's attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendanceAction {
    Read,
    Record,
}

/// May the actor read or record the attendance of a session of a programme owned at `owner`?
///
/// Organisers of the owner's subtree (and admins) and the session's own trainers (`teaches`)
/// do both. A participant registered in the programme (`registered`) reads (the handler shows
/// them their own entries only) and gets 403 on recording. Anyone else, trainers of other
/// sessions included, gets 404: attendance is personal data.
pub fn attendance(
    actor: &Actor,
    owner: &OrganisationPath,
    teaches: bool,
    registered: bool,
    action: AttendanceAction,
) -> Decision {
    if actor.is_admin || actor.organises(owner) || teaches {
        return Decision::Allow;
    }
    match (registered, action) {
        (false, _) => Decision::NotFound,
        (true, AttendanceAction::Read) => Decision::Allow,
        (true, AttendanceAction::Record) => Decision::Forbidden,
    }
}

/// May the actor see (or, with `change`, issue or revoke) a certificate of a programme owned at
/// `owner`? Its holder sees it; organisers of the owner's subtree and admins do both; the holder
/// gets 403 on changes; anyone else 404.
pub fn certificate(
    actor: &Actor,
    owner: &OrganisationPath,
    holder: bool,
    change: bool,
) -> Decision {
    if actor.is_admin || actor.organises(owner) {
        return Decision::Allow;
    }
    match (holder, change) {
        (false, _) => Decision::NotFound,
        (true, false) => Decision::Allow,
        (true, true) => Decision::Forbidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrganisationId;

    struct World {
        metro: OrganisationPath,
        city: OrganisationPath,
        school: OrganisationPath,
        other_city: OrganisationPath,
    }

    fn world() -> Result<World, crate::Invalid> {
        let metro = OrganisationPath::root(OrganisationId::new());
        let city = metro.child(OrganisationId::new())?;
        let school = city.child(OrganisationId::new())?;
        let other_city = metro.child(OrganisationId::new())?;
        Ok(World {
            metro,
            city,
            school,
            other_city,
        })
    }

    fn actor(grants: &[(&OrganisationPath, Role)]) -> Actor {
        Actor {
            account_id: AccountId::new(),
            is_admin: false,
            grants: grants
                .iter()
                .map(|(p, r)| Grant {
                    organisation: (*p).clone(),
                    role: *r,
                })
                .collect(),
        }
    }

    use OrganisationAction::*;

    #[test]
    fn organisers_act_in_their_subtree_only() -> Result<(), crate::Invalid> {
        let w = world()?;
        let city_organiser = actor(&[(&w.city, Role::Organiser)]);
        for action in [Read, Update, CreateChild, ListMembers, ManageMembers, Plans] {
            assert_eq!(
                organisation(&city_organiser, &w.city, action),
                Decision::Allow
            );
            assert_eq!(
                organisation(&city_organiser, &w.school, action),
                Decision::Allow
            );
            assert_eq!(
                organisation(&city_organiser, &w.metro, action),
                Decision::NotFound
            );
            assert_eq!(
                organisation(&city_organiser, &w.other_city, action),
                Decision::NotFound
            );
        }
        Ok(())
    }

    #[test]
    fn members_see_their_organisation_but_cannot_change_it() -> Result<(), crate::Invalid> {
        let w = world()?;
        for role in [Role::Trainer, Role::Participant] {
            let member = actor(&[(&w.school, role)]);
            assert_eq!(organisation(&member, &w.school, Read), Decision::Allow);
            for action in [Update, CreateChild, ListMembers, ManageMembers, Plans] {
                assert_eq!(
                    organisation(&member, &w.school, action),
                    Decision::Forbidden
                );
            }
            // Membership does not reach up or sideways.
            assert_eq!(organisation(&member, &w.city, Read), Decision::NotFound);
            assert_eq!(
                organisation(&member, &w.other_city, Read),
                Decision::NotFound
            );
        }
        Ok(())
    }

    #[test]
    fn admins_do_everything_and_alone_create_top_level() -> Result<(), crate::Invalid> {
        let w = world()?;
        let mut admin = actor(&[]);
        admin.is_admin = true;
        assert_eq!(
            organisation(&admin, &w.school, ManageMembers),
            Decision::Allow
        );
        assert_eq!(create_top_level_organisation(&admin), Decision::Allow);
        let metro_organiser = actor(&[(&w.metro, Role::Organiser)]);
        assert_eq!(
            create_top_level_organisation(&metro_organiser),
            Decision::Forbidden
        );
        assert_eq!(visibility_of(&admin), Visibility::Everything);
        Ok(())
    }

    fn visibility_of(a: &Actor) -> Visibility {
        a.visibility()
    }

    #[test]
    fn api_tokens_never_exceed_their_owner() -> Result<(), crate::Invalid> {
        let w = world()?;
        let trainer = actor(&[(&w.school, Role::Trainer)]);
        assert_eq!(
            api_token(&trainer, &w.school, Role::Trainer),
            Decision::Allow
        );
        assert_eq!(
            api_token(&trainer, &w.school, Role::Organiser),
            Decision::Forbidden
        );
        assert_eq!(
            api_token(&trainer, &w.city, Role::Trainer),
            Decision::NotFound
        );
        let organiser = actor(&[(&w.city, Role::Organiser)]);
        assert_eq!(
            api_token(&organiser, &w.school, Role::Participant),
            Decision::Allow
        );
        assert_eq!(
            api_token(&organiser, &w.metro, Role::Organiser),
            Decision::NotFound
        );
        Ok(())
    }

    #[test]
    fn visibility_lists_subtrees_and_single_organisations() -> Result<(), crate::Invalid> {
        let w = world()?;
        let a = actor(&[
            (&w.city, Role::Organiser),
            (&w.other_city, Role::Participant),
        ]);
        assert_eq!(
            a.visibility(),
            Visibility::Some {
                subtrees: vec![w.city.id()],
                single: vec![w.other_city.id()]
            }
        );
        Ok(())
    }

    #[test]
    fn drafts_are_seen_by_organisers_and_their_trainers_only() -> Result<(), crate::Invalid> {
        use ProgrammeAction::*;
        use ProgrammeStatus::*;
        let w = world()?;
        let organiser = actor(&[(&w.city, Role::Organiser)]);
        let outsider = actor(&[(&w.other_city, Role::Organiser)]);
        let participant = actor(&[(&w.school, Role::Participant)]);
        let trainer = actor(&[(&w.school, Role::Trainer)]);
        assert_eq!(
            programme(Some(&organiser), &w.school, Draft, false, Manage),
            Decision::Allow
        );
        assert_eq!(
            programme(Some(&outsider), &w.school, Draft, false, Read),
            Decision::NotFound
        );
        assert_eq!(
            programme(Some(&participant), &w.school, Draft, false, Read),
            Decision::NotFound
        );
        assert_eq!(
            programme(None, &w.school, Draft, false, Read),
            Decision::NotFound
        );
        assert_eq!(
            programme(Some(&trainer), &w.school, Draft, true, Read),
            Decision::Allow
        );
        assert_eq!(
            programme(Some(&trainer), &w.school, Draft, true, Manage),
            Decision::Forbidden
        );
        assert_eq!(
            programme(None, &w.school, Published, false, Read),
            Decision::Allow
        );
        assert_eq!(
            programme(None, &w.school, Published, false, Manage),
            Decision::Forbidden
        );
        assert_eq!(
            programme(Some(&outsider), &w.school, Published, false, Manage),
            Decision::Forbidden
        );
        assert_eq!(
            programme(Some(&participant), &w.school, Archived, false, Read),
            Decision::NotFound
        );
        Ok(())
    }

    #[test]
    fn owned_records_follow_their_audience() -> Result<(), crate::Invalid> {
        let w = world()?;
        let organiser = actor(&[(&w.city, Role::Organiser)]);
        let outsider = actor(&[(&w.other_city, Role::Organiser)]);
        for audience in [Audience::Anyone, Audience::SignedIn, Audience::Organisers] {
            assert_eq!(
                owned_record(Some(&organiser), &w.school, audience, true),
                Decision::Allow
            );
        }
        assert_eq!(
            owned_record(None, &w.city, Audience::Anyone, false),
            Decision::Allow
        );
        assert_eq!(
            owned_record(None, &w.city, Audience::Anyone, true),
            Decision::Forbidden
        );
        assert_eq!(
            owned_record(None, &w.city, Audience::SignedIn, false),
            Decision::NotFound
        );
        assert_eq!(
            owned_record(Some(&outsider), &w.city, Audience::SignedIn, true),
            Decision::Forbidden
        );
        assert_eq!(
            owned_record(Some(&outsider), &w.city, Audience::Organisers, false),
            Decision::NotFound
        );
        Ok(())
    }
    #[test]
    fn attendance_is_for_organisers_trainers_of_the_session_and_its_participants()
    -> Result<(), crate::Invalid> {
        use AttendanceAction::*;
        let w = world()?;
        let organiser = actor(&[(&w.city, Role::Organiser)]);
        let outsider = actor(&[(&w.other_city, Role::Organiser)]);
        let trainer = actor(&[(&w.school, Role::Trainer)]);
        let participant = actor(&[(&w.school, Role::Participant)]);
        assert_eq!(
            attendance(&organiser, &w.school, false, false, Record),
            Decision::Allow
        );
        assert_eq!(
            attendance(&outsider, &w.school, false, false, Read),
            Decision::NotFound
        );
        assert_eq!(
            attendance(&trainer, &w.school, true, false, Record),
            Decision::Allow
        );
        // A trainer of another session of the programme: as if it did not exist.
        assert_eq!(
            attendance(&trainer, &w.school, false, false, Record),
            Decision::NotFound
        );
        assert_eq!(
            attendance(&participant, &w.school, false, true, Read),
            Decision::Allow
        );
        assert_eq!(
            attendance(&participant, &w.school, false, true, Record),
            Decision::Forbidden
        );
        assert_eq!(
            attendance(&participant, &w.school, false, false, Record),
            Decision::NotFound
        );
        Ok(())
    }

    #[test]
    fn certificates_are_seen_by_their_holder_and_changed_by_organisers()
    -> Result<(), crate::Invalid> {
        let w = world()?;
        let organiser = actor(&[(&w.city, Role::Organiser)]);
        let holder = actor(&[(&w.school, Role::Participant)]);
        let stranger = actor(&[(&w.other_city, Role::Participant)]);
        assert_eq!(
            certificate(&organiser, &w.school, false, true),
            Decision::Allow
        );
        assert_eq!(
            certificate(&holder, &w.school, true, false),
            Decision::Allow
        );
        assert_eq!(
            certificate(&holder, &w.school, true, true),
            Decision::Forbidden
        );
        assert_eq!(
            certificate(&stranger, &w.school, false, false),
            Decision::NotFound
        );
        Ok(())
    }
}
