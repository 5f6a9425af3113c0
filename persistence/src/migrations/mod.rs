//! Versioned migrations: the source of truth for the schema, one dated file per concern.

use sea_orm_migration::prelude::*;

mod m20261122_000001_create_organisations;
mod m20261122_000002_create_accounts;
mod m20261122_000003_create_auth;
mod m20261123_000004_create_catalogue;
mod m20261123_000005_create_registrations;
mod m20261201_000006_create_attendance;
mod m20261201_000007_create_reports_and_plans;
mod m20261201_000008_shorten_registration_lock;
mod m20261208_000009_staff_rosters;
mod m20261208_000010_venue_concurrency;
mod m20261208_000011_programme_messages;
mod m20261208_000012_fair_places;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_organisations::Migration),
            Box::new(m20261122_000002_create_accounts::Migration),
            Box::new(m20261122_000003_create_auth::Migration),
            Box::new(m20261123_000004_create_catalogue::Migration),
            Box::new(m20261123_000005_create_registrations::Migration),
            Box::new(m20261201_000006_create_attendance::Migration),
            Box::new(m20261201_000007_create_reports_and_plans::Migration),
            Box::new(m20261201_000008_shorten_registration_lock::Migration),
            Box::new(m20261208_000009_staff_rosters::Migration),
            Box::new(m20261208_000010_venue_concurrency::Migration),
            Box::new(m20261208_000011_programme_messages::Migration),
            Box::new(m20261208_000012_fair_places::Migration),
        ]
    }
}
