//! The `grants` table.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub funder_id: Uuid,
    pub recipient_organisation_id: Uuid,
    pub organisation_path: String,
    pub reference: String,
    pub title: String,
    pub amount_minor: i64,
    pub currency: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub funded_minutes: Option<i32>,
    pub status: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
