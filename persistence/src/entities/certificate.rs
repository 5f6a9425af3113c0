//! The `certificates` table.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registration_id: Uuid,
    pub programme_id: Uuid,
    pub participant_id: Uuid,
    pub code: String,
    pub language: String,
    pub holder_name: String,
    pub programme_title: String,
    pub organiser_name: String,
    pub funders: String,
    pub hours: String,
    pub total_minutes: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub europass: Option<String>,
    pub issued_at: DateTimeUtc,
    pub issued_by: Option<Uuid>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<Uuid>,
    pub revocation_reason: Option<String>,
    pub version: i32,
}

impl ActiveModelBehavior for ActiveModel {}
