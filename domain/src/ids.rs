//! Typed identifiers: UUIDs (v7, time-ordered) that cannot be mixed up with one another.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id (UUID v7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                        utoipa::openapi::schema::KnownFormat::Uuid,
                    )))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// A person who signs in.
    AccountId
);
typed_id!(
    /// A tenant and place of work: association, municipality, school, library, …
    OrganisationId
);
typed_id!(
    /// A role an account holds in an organisation.
    MembershipId
);
typed_id!(
    /// One sign-in: the family of refresh tokens that rotate from it.
    AuthSessionId
);
typed_id!(
    /// A long-lived bearer token for scripts, bound to one organisation and role.
    ApiTokenId
);
typed_id!(
    /// Who pays: UNICEF, an ESF managing authority, a city budget, …
    FunderId
);
typed_id!(
    /// Money a funder awards to an organisation for training.
    GrantId
);
typed_id!(
    /// A place where sessions take place.
    VenueId
);
typed_id!(
    /// What people register for: a course cycle, a training, a conference, a mobility.
    ProgrammeId
);
typed_id!(
    /// One dated occurrence of a programme's activity.
    SessionId
);
typed_id!(
    /// A participant's place (or wait) in a programme.
    RegistrationId
);
typed_id!(
    /// An e-mail waiting in the outbox.
    NotificationId
);
typed_id!(
    /// Proof that a participant completed a programme.
    CertificateId
);
typed_id!(
    /// One recorded change to a session's attendance list.
    AttendanceChangeId
);
typed_id!(
    /// A message an organiser sent to a programme's participants.
    MessageId
);
