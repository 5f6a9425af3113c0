//! Kompetens domain: the rules and the values they work on, free of databases, HTTP and async.
//!
//! Values here cannot be invalid: each is built only through a `parse` that says what is wrong.
//! Rules are plain functions and methods, unit-tested without any infrastructure.

pub mod account;
pub mod attendance;
pub mod calendar;
pub mod certificate;
pub mod competence;
pub mod country;
pub mod email;
pub mod funding;
pub mod hour_budget;
pub mod ids;
pub mod locale;
pub mod message;
pub mod money;
pub mod notification;
pub mod organisation;
pub mod password;
pub mod policy;
pub mod programme;
pub mod progress;
pub mod question;
pub mod registration;
pub mod report;
pub mod role;
pub mod schedule;
pub mod seating;
pub mod session;
pub mod staff;
pub mod text;
pub mod time_zone;
pub mod venue;
pub mod verification;
pub mod wire;

/// Why a value from outside was refused; the text is safe to show to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
