//! What every handler shares: the application (its use cases, database and token keys) and the
//! HTTP layer's own settings.

use kompetens_app::App;
use kompetens_persistence::DatabaseConnection;

use crate::config::Settings;

pub struct AppState {
    pub app: App,
    /// The pool, for the handlers not yet moved to a use case.
    pub db: DatabaseConnection,
    pub jwt: kompetens_app::auth::tokens::JwtKeys,
    pub settings: Settings,
}
