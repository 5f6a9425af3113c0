//! What every handler shares: the database pool, the token keys and the settings.

use kompetens_persistence::DatabaseConnection;

use crate::auth::tokens::JwtKeys;
use crate::config::Settings;

pub struct AppState {
    pub db: DatabaseConnection,
    pub jwt: JwtKeys,
    pub settings: Settings,
}
