//! Sign-in state: sessions with rotating refresh tokens, API tokens, failed sign-ins.
//!
//! No secret is stored in clear: refresh and API tokens are kept as SHA-256 digests (they are
//! long random values, so a fast hash is enough), passwords as argon2id hashes on `accounts`.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20261122_000001_create_organisations::Organisations;
use super::m20261122_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    Id,
    AccountId,
    CreatedAt,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    AccountId,
    OrganisationId,
    Role,
    Name,
    TokenHash,
    Prefix,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    Id,
    Scope,
    FailedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A session is one sign-in; every refresh token rotated from it belongs to it, so
        // revoking the session (logout, or reuse of a rotated token) revokes the whole family.
        manager
            .create_table(
                Table::create()
                    .table(AuthSessions::Table)
                    .col(pk_uuid(AuthSessions::Id))
                    .col(uuid(AuthSessions::AccountId))
                    .col(timestamp_with_time_zone(AuthSessions::CreatedAt))
                    .col(timestamp_with_time_zone_null(AuthSessions::RevokedAt))
                    .col(string_len_null(AuthSessions::RevokedReason, 40))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_auth_sessions_account")
                            .from(AuthSessions::Table, AuthSessions::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(pk_uuid(RefreshTokens::Id))
                    .col(uuid(RefreshTokens::SessionId))
                    .col(string_len(RefreshTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    // Set when rotated; a second use of a used token is theft.
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_tokens_session")
                            .from(RefreshTokens::Table, RefreshTokens::SessionId)
                            .to(AuthSessions::Table, AuthSessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_refresh_tokens_hash")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(pk_uuid(ApiTokens::Id))
                    .col(uuid(ApiTokens::AccountId))
                    .col(uuid(ApiTokens::OrganisationId))
                    .col(string_len(ApiTokens::Role, 20))
                    .col(string_len(ApiTokens::Name, 100))
                    .col(string_len(ApiTokens::TokenHash, 64))
                    // The first characters of the token, to recognise it in a list.
                    .col(string_len(ApiTokens::Prefix, 16))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_tokens_account")
                            .from(ApiTokens::Table, ApiTokens::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_tokens_organisation")
                            .from(ApiTokens::Table, ApiTokens::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_api_tokens_hash")
                    .table(ApiTokens::Table)
                    .col(ApiTokens::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Failed sign-ins, kept in the database so that every API instance enforces one limit.
        // `scope` is a digest of the e-mail or client address, never the value itself.
        manager
            .create_table(
                Table::create()
                    .table(SignInFailures::Table)
                    .col(pk_uuid(SignInFailures::Id))
                    .col(string_len(SignInFailures::Scope, 64))
                    .col(timestamp_with_time_zone(SignInFailures::FailedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sign_in_failures_scope_time")
                    .table(SignInFailures::Table)
                    .col(SignInFailures::Scope)
                    .col(SignInFailures::FailedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SignInFailures::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            AuthSessions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
