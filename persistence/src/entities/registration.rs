//! The `registrations` table.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub programme_id: Uuid,
    pub participant_id: Uuid,
    pub status: String,
    pub arrival: i64,
    pub registered_by: Option<Uuid>,
    pub reason: Option<String>,
    pub workplace_organisation_id: Option<Uuid>,
    pub job_role: Option<String>,
    pub employment_verified: bool,
    pub priority: bool,
    pub answers: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
