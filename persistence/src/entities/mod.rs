//! Table definitions, one file per table, kept apart from behaviour (see `repo`).
//! The migrations are the source of truth; these mirror them.

pub mod account;
pub mod api_token;
pub mod attendance;
pub mod attendance_change;
pub mod auth_session;
pub mod certificate;
pub mod competence_plan;
pub mod email_verification;
pub mod funder;
pub mod grant;
pub mod grant_allocation;
pub mod hour_budget_line;
pub mod idempotency_key;
pub mod membership;
pub mod notification;
pub mod organisation;
pub mod password_setup;
pub mod programme;
pub mod programme_message;
pub mod refresh_token;
pub mod registration;
pub mod session;
pub mod session_choice;
pub mod session_trainer;
pub mod sign_in_failure;
pub mod staff_roster_entry;
pub mod venue;
