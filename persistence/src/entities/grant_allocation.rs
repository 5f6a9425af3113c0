//! The `grant_allocations` table: which grants fund which programmes.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grant_allocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub grant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: Uuid,
    pub created_at: DateTimeUtc,
    pub amount_minor: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
