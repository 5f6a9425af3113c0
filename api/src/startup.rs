//! Building and running the application: data directory, database, secret, HTTP server.

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use kompetens_persistence::DatabaseConnection;
use sea_orm::DbErr;
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa_actix_web::AppExt;
use utoipa_scalar::{Scalar, Servable};

use crate::auth::tokens::JwtKeys;
use crate::config::Settings;
use crate::error::ApiError;
use crate::extract::{BodyLimit, json_error, path_error, query_error};
use crate::state::AppState;
use crate::{openapi, routes, telemetry};

/// A built server, listening, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    /// The notification sender, started with the server.
    outbox: Option<crate::mailer::Outbox>,
    /// What the worker's ticks run on (the same use cases the handlers call).
    ticks: (web::Data<AppState>, Duration),
}

/// Creates the data directory, connects and migrates the database. Used by `serve`,
/// `migrate`, `admin`, `demo` and the test harness, so each of them works on a fresh machine by
/// itself.
///
/// PostgreSQL may not be up yet when Kompetens starts (containers start in any order, a
/// database may be created after its server): connecting, and the migration's first queries,
/// are retried with exponential backoff, 0.25 s doubling to 5 s, for at most
/// `KOMPETENS_DATABASE_STARTUP_TIMEOUT_SECONDS`, each failed attempt logged at warn. Wrong
/// credentials, a malformed URL or a failing migration are not retried. SQLite is a local file:
/// if it cannot be opened now, waiting will not help, so it fails at once.
pub async fn prepare_database(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    ensure_data_dir(&settings.data_dir)?;
    let url = settings.effective_database_url();
    let shown = settings.redacted_database_url();
    if !settings.uses_embedded_database() {
        return wait_for_postgres(settings, &url, &shown).await;
    }
    let db = kompetens_persistence::connect(&url, settings.database_pool_size)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the SQLite database {shown}: {e}"))?;
    migrate(&db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot migrate the SQLite database {shown}: {e}"))?;
    Ok(db)
}

const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(5);
/// However short the configured wait, one attempt gets this long to connect.
const SHORTEST_ATTEMPT: Duration = Duration::from_secs(2);
/// A connection to a host that drops packets hangs until the kernel gives up (minutes): cut it
/// off sooner, so that each attempt is logged.
const LONGEST_ATTEMPT: Duration = Duration::from_secs(10);

async fn wait_for_postgres(
    settings: &Settings,
    url: &str,
    shown: &str,
) -> anyhow::Result<DatabaseConnection> {
    let budget = settings.database_startup_timeout;
    let started = Instant::now();
    let mut delay = FIRST_RETRY;
    let mut attempt = 1u32;
    loop {
        let remaining = budget.saturating_sub(started.elapsed());
        let error = match connect_postgres(url, settings.database_pool_size, remaining).await {
            Ok(db) => match migrate(&db).await {
                Ok(()) => return Ok(db),
                Err(e) => {
                    db.close().await.ok();
                    e
                }
            },
            Err(e) => e,
        };
        let detail = scrub(&error.to_string(), url);
        let worth_waiting = match &error {
            Attempt::TimedOut(_) => true,
            Attempt::Failed(e) => kompetens_persistence::db::worth_waiting_for(e),
        };
        if !worth_waiting {
            anyhow::bail!("cannot use the database at {shown}: {detail}");
        }
        let remaining = budget.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            // The caller (`main`) logs this once, at error.
            anyhow::bail!(
                "the database at {shown} was still unreachable after {attempt} attempts in {} s \
                 (KOMPETENS_DATABASE_STARTUP_TIMEOUT_SECONDS={}): {detail}",
                started.elapsed().as_secs(),
                budget.as_secs(),
            );
        }
        let pause = delay.min(remaining);
        tracing::warn!(
            database = %shown,
            attempt,
            retry_in_ms = pause.as_millis() as u64,
            error = %detail,
            "database not reachable yet; retrying"
        );
        tokio::time::sleep(pause).await;
        delay = (delay * 2).min(LONGEST_RETRY);
        attempt += 1;
    }
}

/// Why one start-up attempt failed.
#[derive(Debug, thiserror::Error)]
enum Attempt {
    #[error("no connection within {} s", .0.as_secs_f32())]
    TimedOut(Duration),
    #[error(transparent)]
    Failed(#[from] DbErr),
}

/// One attempt: a bare connection first, whose error says why (a pool would retry refused
/// connections quietly and report only a timeout), then the pool.
async fn connect_postgres(
    url: &str,
    pool_size: u32,
    remaining: Duration,
) -> Result<DatabaseConnection, Attempt> {
    let limit = remaining.clamp(SHORTEST_ATTEMPT, LONGEST_ATTEMPT);
    let attempt = async {
        kompetens_persistence::db::probe_postgres(url).await?;
        kompetens_persistence::connect(url, pool_size).await
    };
    match tokio::time::timeout(limit, attempt).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(Attempt::TimedOut(limit)),
    }
}

/// Applies pending migrations. Not under a time limit: a long migration on a large table must
/// not be cut off and retried; its connection failing is retried like any other.
async fn migrate(db: &DatabaseConnection) -> Result<(), Attempt> {
    let applied = kompetens_persistence::db::migrate(db).await?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    } else {
        tracing::debug!("database schema is up to date");
    }
    Ok(())
}

/// `text` without the URL's password, should a driver ever quote it.
fn scrub(text: &str, url: &str) -> String {
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['?', '#']).next())
        .and_then(|rest| rest.rsplit_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, password)| password)
        .filter(|p| !p.is_empty());
    match password {
        Some(password) => text.replace(password, "***"),
        None => text.to_string(),
    }
}

fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create data directory {}: {e}", dir.display()))?;
        tracing::info!(path = %dir.display(), "created data directory");
    }
    Ok(())
}

/// The JWT signing secret: configured, or (outside production) generated once and kept in the
/// data directory so that tokens survive restarts.
pub fn jwt_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.expose().as_bytes().to_vec());
    }
    let path = settings.data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => anyhow::bail!(
            "{} is too short to be a signing secret; delete it to have a new one generated",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    }
    ensure_data_dir(&settings.data_dir)?;
    let mut bytes = [0u8; 48];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())?;
            file.sync_all()?;
            tracing::info!(path = %path.display(), "generated a JWT signing secret and saved it in the data directory");
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(std::fs::read_to_string(&path)?.trim().as_bytes().to_vec())
        }
        Err(e) => anyhow::bail!("cannot write {}: {e}", path.display()),
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = prepare_database(&settings).await?;
        let listener = TcpListener::bind(settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        Self::with_listener(settings, db, listener)
    }

    /// Builds the server on an existing database and listener (port 0 allowed: read `port()`).
    pub fn with_listener(
        settings: Settings,
        db: DatabaseConnection,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let mut settings = settings;
        // A default public address derived from a bind on port 0 names the port the
        // listener actually got (tests, embedding), so links and the document's server work.
        if let Some(base) = settings.public_url.strip_suffix(":0") {
            settings.public_url = format!("{base}:{port}");
        }
        let secret = jwt_secret(&settings)?;
        let keys = || {
            JwtKeys::new(
                &secret,
                &settings.jwt_issuer,
                &settings.jwt_audience,
                settings.access_token_ttl,
            )
        };
        let app = kompetens_app::App::new(
            db.clone(),
            keys(),
            kompetens_app::Config {
                public_url: settings.public_url.clone(),
                refresh_token_ttl: settings.refresh_token_ttl,
                sign_in_max_failures_per_account: settings.sign_in_max_failures_per_account,
                sign_in_max_failures_per_address: settings.sign_in_max_failures_per_address,
                sign_in_window: settings.sign_in_window,
                race_probe: settings.race_probe,
            },
        );
        let outbox = match &settings.smtp {
            Some(relay) => {
                tracing::info!(host = %relay.host, port = relay.port, "notifications are sent through this SMTP relay");
                Some(crate::mailer::Outbox::new(
                    db.clone(),
                    relay,
                    &settings.mail_from,
                    settings.outbox_poll,
                )?)
            }
            None => {
                tracing::warn!(
                    "no KOMPETENS_SMTP_URL: notifications stay queued in the outbox until one is configured"
                );
                None
            }
        };
        let workers = settings.workers;
        let shutdown = settings.shutdown_timeout.as_secs();
        let body_limit = settings.max_body_bytes;
        let tick = settings.worker_tick;
        let state = web::Data::new(AppState { app, settings });
        let ticks = (state.clone(), tick);
        let document = Arc::new(openapi::document_for(&state.settings.public_url));
        let mut server = HttpServer::new(move || {
            // The document route goes first: the `/api/v1` scope would otherwise claim its path.
            let (app, _) = App::new()
                .route("/api/v1/openapi.json", web::get().to(openapi_json))
                .into_utoipa_app()
                .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure_v1))
                .configure(routes::configure_root)
                .split_for_parts();
            app.app_data(state.clone())
                .app_data(web::Data::from(document.clone()))
                .app_data(BodyLimit(body_limit))
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .app_data(web::JsonConfig::default().error_handler(json_error))
                .service(Scalar::with_url("/docs", (*document).clone()))
                .default_service(web::to(fallback))
                .wrap(from_fn(telemetry::request_context))
        })
        .listen(listener)?
        .shutdown_timeout(shutdown);
        if workers > 0 {
            server = server.workers(workers);
        }
        Ok(Application {
            port,
            server: server.run(),
            outbox,
            ticks,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = self.outbox.map(|outbox| tokio::spawn(outbox.run()));
        let (state, every) = self.ticks;
        let ticker = tokio::spawn(tick(state, every));
        let result = self.server.await;
        if let Some(worker) = worker {
            // Whatever it had claimed but not sent is retried when its lease runs out.
            worker.abort();
        }
        // A round cut short is a transaction rolled back: the next instance's tick redoes it.
        ticker.abort();
        result
    }

    /// A handle to stop the server from elsewhere (tests, embedding).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// The worker's ticks: what must happen at an instant even when no request comes (every
/// instance runs them; each round decides under the same locks the requests take).
async fn tick(state: web::Data<AppState>, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(err) = kompetens_app::registrations::release_reservations(&state.app).await {
            tracing::warn!(error = %err, "worker: could not release ended reservations");
        }
    }
}

async fn openapi_json(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok().json(document.get_ref())
}

/// Unknown routes: 405 with `Allow` when the path exists for other methods, else 404.
async fn fallback(
    req: HttpRequest,
    document: web::Data<OpenApiDocument>,
) -> Result<HttpResponse, ApiError> {
    let allow = allowed_methods(&document, req.path());
    // A method the path's template has, on a path no route took (a segment that is not the
    // shape of an id): no such resource, not a wrong method.
    Err(
        if allow.is_empty() || allow.iter().any(|m| m == req.method().as_str()) {
            ApiError::NotFound
        } else {
            ApiError::MethodNotAllowed { allow }
        },
    )
}

fn allowed_methods(document: &OpenApiDocument, path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut allow = Vec::new();
    let mut add = |method: &str| {
        if !allow.iter().any(|m| m == method) {
            allow.push(method.to_string());
        }
    };
    for (template, item) in document.paths.paths.iter() {
        let parts: Vec<&str> = template.split('/').collect();
        let matches = parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(t, s)| (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s);
        if !matches {
            continue;
        }
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if op.is_some() {
                add(method);
            }
        }
    }
    if ["/api/v1/openapi.json", "/docs"].contains(&path) {
        add("GET");
    }
    allow
}
