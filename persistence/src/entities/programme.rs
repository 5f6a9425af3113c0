//! The `programmes` table.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programmes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_path: String,
    pub status: String,
    pub kind: String,
    pub title: String,
    pub title_search: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub starts_on: Date,
    pub ends_on: Date,
    pub time_zone: String,
    pub languages: String,
    pub target_audience: Option<String>,
    pub capacity: Option<i32>,
    pub registration_policy: String,
    pub registration_opens_at: Option<DateTimeUtc>,
    pub registration_closes_at: Option<DateTimeUtc>,
    pub eligible_workplace_id: Option<Uuid>,
    pub eligible_job_roles: Option<String>,
    pub completion_min_percent: i16,
    pub completion_per_activity: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub fee_amount_minor: Option<i64>,
    pub fee_currency: Option<String>,
    pub confirmed_count: i32,
    pub waitlist_count: i32,
    pub last_arrival: i64,
    pub published_at: Option<DateTimeUtc>,
    pub cancellation_closes_at: Option<DateTimeUtc>,
    pub attendance_window_days: i32,
    pub certificate_issuance: String,
    pub mobility: Option<String>,
    pub eligible_verified_employment: bool,
    pub priority_job_roles: Option<String>,
    pub priority_reserved_places: i32,
    pub priority_reserved_until: Option<DateTimeUtc>,
    pub reservation_released_at: Option<DateTimeUtc>,
    pub seat_caps: Option<String>,
    pub questions: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
