//! Organisations, arranged in a tree by `parent_id` and a materialised `path`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Organisations {
    Table,
    Id,
    ParentId,
    Path,
    Name,
    Kind,
    Country,
    TimeZone,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(pk_uuid(Organisations::Id))
                    .col(uuid_null(Organisations::ParentId))
                    // `/root/…/self/`: "everything under X" is `path LIKE '/…/X/%'`.
                    .col(string_len(Organisations::Path, 1024))
                    .col(string_len(Organisations::Name, 300))
                    .col(string_len(Organisations::Kind, 40))
                    .col(string_len(Organisations::Country, 2))
                    .col(string_len(Organisations::TimeZone, 64))
                    // Optimistic concurrency: the ETag, checked against If-Match.
                    .col(integer(Organisations::Version))
                    .col(timestamp_with_time_zone(Organisations::CreatedAt))
                    .col(timestamp_with_time_zone(Organisations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organisations_parent")
                            .from(Organisations::Table, Organisations::ParentId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_organisations_path")
                    .table(Organisations::Table)
                    .col(Organisations::Path)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organisations::Table).to_owned())
            .await
    }
}
