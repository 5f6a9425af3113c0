//! Kompetens HTTP API: actix-web server, authentication, the OpenAPI document.
//!
//! The API authenticates, parses and maps errors; rules live in `kompetens-domain`, storage in
//! `kompetens-persistence`.

pub mod auth;
pub mod body;
pub mod config;
pub mod csv;
pub mod demo;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod mailer;
pub mod openapi;
pub mod roster_body;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod views;

pub use config::Settings;
pub use startup::Application;
