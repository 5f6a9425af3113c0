//! What every handler shares: the application (its use cases, database and token keys) and the
//! HTTP layer's own settings.

use kompetens_app::App;

use crate::config::Settings;

pub struct AppState {
    pub app: App,
    pub settings: Settings,
}
