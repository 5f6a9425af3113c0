//! The `attendance_changes` table: every change to a mark, with who made it and when.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id: Uuid,
    pub participant_id: Uuid,
    pub status: Option<String>,
    pub attended_minutes: Option<i32>,
    pub previous_status: Option<String>,
    pub previous_minutes: Option<i32>,
    pub changed_by: Uuid,
    pub changed_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
