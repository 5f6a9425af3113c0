//! The `venues` table.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "venues")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_path: String,
    pub name: String,
    pub address: String,
    pub city: String,
    pub postal_code: Option<String>,
    pub country: String,
    pub capacity: Option<i32>,
    pub accessibility: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub concurrent_sessions: i32,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
