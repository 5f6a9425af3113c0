//! The `programme_messages` table: what organisers wrote to a programme's participants.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub programme_id: Uuid,
    pub sent_by: Uuid,
    /// JSON: language tag to text.
    pub subject: String,
    /// JSON: language tag to text.
    pub body: String,
    pub audience: String,
    pub recipients: i32,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
