//! The `accounts` table.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub name: Option<String>,
    pub locale: String,
    pub workplace_organisation_id: Option<Uuid>,
    pub job_role: Option<String>,
    pub is_admin: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub erased_at: Option<DateTimeUtc>,
    pub email_verified_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
