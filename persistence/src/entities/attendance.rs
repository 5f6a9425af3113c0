//! The `attendance` table: one mark per session and participant.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id: Uuid,
    pub programme_id: Uuid,
    pub registration_id: Uuid,
    pub participant_id: Uuid,
    pub status: String,
    pub attended_minutes: i32,
    pub recorded_by: Uuid,
    pub recorded_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
