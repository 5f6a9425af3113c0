//! Configuration: `KOMPETENS_*` environment variables over an optional TOML file, validated once
//! at start. A bad value stops the program with one line naming the variable.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A secret that never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// `None`: the embedded SQLite database in the data directory.
    pub database_url: Option<String>,
    pub database_pool_size: u32,
    /// `KOMPETENS_DATABASE_STARTUP_TIMEOUT_SECONDS`: how long start-up waits for a PostgreSQL
    /// server that is not reachable yet before giving up (SQLite never waits).
    pub database_startup_timeout: Duration,
    pub jwt_secret: Option<Secret>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub workers: usize,
    pub max_body_bytes: usize,
    pub trust_forwarded_for: bool,
    pub sign_in_max_failures_per_account: u64,
    pub sign_in_max_failures_per_address: u64,
    pub sign_in_window: Duration,
    pub shutdown_timeout: Duration,
    /// `KOMPETENS_SMTP_URL`, `smtp://[user:password@]host[:port]` (a relay without TLS, such as
    /// a local MTA); `None`: notifications stay queued in the outbox.
    pub smtp: Option<SmtpRelay>,
    pub mail_from: String,
    pub outbox_poll: Duration,
    /// `KOMPETENS_WORKER_TICK_MS`: how often the worker looks for work no request triggers
    /// (reserved places whose reservation ended unnoticed).
    pub worker_tick: Duration,
    /// `KOMPETENS_PUBLIC_URL`: where clients reach this API (behind a proxy, its public
    /// address), printed on certificates as the verification link. Default: `http://<bind>`.
    pub public_url: String,
    /// `KOMPETENS_RACE_PROBE` (builds with the `race-probes` feature, which only the test
    /// suite turns on): switch one guard off or pause after its check, for race tests' twins.
    pub race_probe: Option<kompetens_app::probe::RaceProbe>,
}

/// Where e-mail goes: an SMTP relay without TLS (a local MTA or a mail catcher), optionally
/// with credentials (`smtp://user:password@host:port`).
#[derive(Debug, Clone)]
pub struct SmtpRelay {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, Secret)>,
}

impl SmtpRelay {
    fn parse(raw: &str) -> Result<SmtpRelay, String> {
        let rest = raw.strip_prefix("smtp://").ok_or_else(|| {
            "must look like smtp://host:port or smtp://user:password@host:port".to_string()
        })?;
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((auth, address)) => {
                let (user, password) = auth
                    .split_once(':')
                    .ok_or_else(|| "credentials must be user:password".to_string())?;
                (
                    Some((user.to_string(), Secret::new(password.to_string()))),
                    address,
                )
            }
            None => (None, rest),
        };
        let address = address.trim_end_matches('/');
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| format!("{port:?} is not a port number"))?,
            ),
            None => (address, 25),
        };
        if host.is_empty() {
            return Err("names no host".into());
        }
        Ok(SmtpRelay {
            host: host.to_string(),
            port,
            credentials,
        })
    }
}

/// One configuration problem, naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: String,
    pub message: String,
}

fn error(variable: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_string(),
        message: message.into(),
    }
}

/// Raw values by key (`bind`, `data_dir`, …) with the name of the variable they came from.
struct Raw(BTreeMap<&'static str, (String, String)>);

const KEYS: &[&str] = &[
    "env",
    "bind",
    "data_dir",
    "database_url",
    "database_pool_size",
    "database_startup_timeout_seconds",
    "jwt_secret",
    "jwt_issuer",
    "jwt_audience",
    "access_token_ttl_seconds",
    "refresh_token_ttl_seconds",
    "log_format",
    "log",
    "workers",
    "max_body_bytes",
    "trust_forwarded_for",
    "sign_in_max_failures_per_account",
    "sign_in_max_failures_per_address",
    "sign_in_window_seconds",
    "shutdown_timeout_seconds",
    "smtp_url",
    "mail_from",
    "outbox_poll_ms",
    "worker_tick_ms",
    "public_url",
    "race_probe",
];

impl Raw {
    fn get(&self, key: &str) -> Option<(&str, &str)> {
        self.0
            .get(key)
            .map(|(v, source)| (v.as_str(), source.as_str()))
    }

    fn parse<T: std::str::FromStr>(
        &self,
        key: &str,
        default: T,
        expected: &str,
    ) -> Result<T, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some((value, source)) => value
                .trim()
                .parse()
                .map_err(|_| error(source, format!("{value:?} is not {expected}"))),
        }
    }

    fn seconds(&self, key: &str, default: u64, min: u64) -> Result<Duration, ConfigError> {
        let n: u64 = self.parse(key, default, "a whole number of seconds")?;
        if n < min {
            let source = self
                .get(key)
                .map_or(key.to_string(), |(_, s)| s.to_string());
            return Err(error(&source, format!("must be at least {min} seconds")));
        }
        Ok(Duration::from_secs(n))
    }
}

fn env_name(key: &str) -> String {
    format!("KOMPETENS_{}", key.to_ascii_uppercase())
}

#[cfg(feature = "race-probes")]
fn race_probe(raw: &str) -> Result<kompetens_app::probe::RaceProbe, String> {
    kompetens_app::probe::RaceProbe::parse(raw)
}

#[cfg(not(feature = "race-probes"))]
fn race_probe(_: &str) -> Result<kompetens_app::probe::RaceProbe, String> {
    Err("needs a build with the race-probes feature (the test suite's)".into())
}

impl Settings {
    /// Loads settings from the process environment (and the TOML file it may name).
    pub fn from_env() -> Result<Settings, ConfigError> {
        let vars: BTreeMap<String, String> = std::env::vars().collect();
        Settings::load(&vars)
    }

    /// Loads settings from the given variables; the TOML file is `KOMPETENS_CONFIG` if set,
    /// else `kompetens.toml` in the working directory if it exists. Variables win over the file.
    pub fn load(vars: &BTreeMap<String, String>) -> Result<Settings, ConfigError> {
        let mut raw = Raw(BTreeMap::new());
        let file = match vars.get("KOMPETENS_CONFIG") {
            Some(path) => Some(PathBuf::from(path)),
            None => Some(PathBuf::from("kompetens.toml")).filter(|p| p.exists()),
        };
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                error(
                    "KOMPETENS_CONFIG",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            let table: toml::Table = text.parse().map_err(|e| {
                error(
                    "KOMPETENS_CONFIG",
                    format!("{} is not valid TOML: {e}", path.display()),
                )
            })?;
            for (key, value) in table {
                let Some(known) = KEYS.iter().find(|k| **k == key) else {
                    return Err(error(
                        "KOMPETENS_CONFIG",
                        format!("{} has an unknown key {key:?}", path.display()),
                    ));
                };
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(n) => n.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Float(x) => x.to_string(),
                    _ => {
                        return Err(error(
                            "KOMPETENS_CONFIG",
                            format!(
                                "{} key {key:?} must be a string, number or boolean",
                                path.display()
                            ),
                        ));
                    }
                };
                raw.0
                    .insert(known, (text, format!("{key} in {}", path.display())));
            }
        }
        for key in KEYS {
            let name = env_name(key);
            if let Some(value) = vars.get(&name) {
                raw.0.insert(key, (value.clone(), name));
            }
        }
        // The conventional DATABASE_URL is honoured too; KOMPETENS_DATABASE_URL wins over it.
        if !vars.contains_key("KOMPETENS_DATABASE_URL")
            && let Some(url) = vars.get("DATABASE_URL").filter(|u| !u.is_empty())
        {
            raw.0
                .insert("database_url", (url.clone(), "DATABASE_URL".to_string()));
        }

        let environment = match raw.get("env") {
            None | Some(("development", _)) => Environment::Development,
            Some(("production", _)) => Environment::Production,
            Some((other, source)) => {
                return Err(error(
                    source,
                    format!("{other:?} is not development or production"),
                ));
            }
        };
        let bind = raw.parse(
            "bind",
            SocketAddr::from(([127, 0, 0, 1], 8080)),
            "a socket address such as 127.0.0.1:8080",
        )?;
        let data_dir = PathBuf::from(raw.get("data_dir").map_or("./data", |(v, _)| v));
        let database_url = match raw.get("database_url") {
            None => None,
            Some((url, source)) => {
                if !(url.starts_with("postgres://")
                    || url.starts_with("postgresql://")
                    || url.starts_with("sqlite:"))
                {
                    return Err(error(
                        source,
                        "must start with postgres://, postgresql:// or sqlite:",
                    ));
                }
                Some(url.to_string())
            }
        };
        let database_pool_size: u32 = raw.parse("database_pool_size", 16, "a whole number")?;
        if !(1..=1000).contains(&database_pool_size) {
            return Err(error(
                &env_name("database_pool_size"),
                "must be between 1 and 1000",
            ));
        }
        let jwt_secret = match raw.get("jwt_secret") {
            None => None,
            Some((secret, source)) => {
                if secret.len() < 32 {
                    return Err(error(source, "must be at least 32 characters"));
                }
                Some(Secret::new(secret.to_string()))
            }
        };
        if environment == Environment::Production && jwt_secret.is_none() {
            return Err(error(
                &env_name("jwt_secret"),
                "must be set when KOMPETENS_ENV=production",
            ));
        }
        let log_format = match raw.get("log_format") {
            None | Some(("text", _)) => LogFormat::Text,
            Some(("json", _)) => LogFormat::Json,
            Some((other, source)) => {
                return Err(error(source, format!("{other:?} is not text or json")));
            }
        };
        let workers: usize = raw.parse("workers", 0, "a whole number")?;
        let max_body_bytes: usize = raw.parse(
            "max_body_bytes",
            crate::extract::DEFAULT_MAX_BODY_BYTES,
            "a number of bytes",
        )?;
        if max_body_bytes < 1024 {
            return Err(error(&env_name("max_body_bytes"), "must be at least 1024"));
        }
        let race_probe = match raw.get("race_probe") {
            None | Some(("", _)) => None,
            Some((_, source)) if environment == Environment::Production => {
                return Err(error(source, "is for race tests and refused in production"));
            }
            Some((value, source)) => Some(race_probe(value).map_err(|m| error(source, m))?),
        };
        Ok(Settings {
            race_probe,
            environment,
            bind,
            data_dir,
            database_url,
            database_pool_size,
            database_startup_timeout: raw.seconds("database_startup_timeout_seconds", 60, 0)?,
            jwt_secret,
            jwt_issuer: raw
                .get("jwt_issuer")
                .map_or("kompetens", |(v, _)| v)
                .to_string(),
            jwt_audience: raw
                .get("jwt_audience")
                .map_or("kompetens-api", |(v, _)| v)
                .to_string(),
            access_token_ttl: raw.seconds("access_token_ttl_seconds", 15 * 60, 30)?,
            refresh_token_ttl: raw.seconds("refresh_token_ttl_seconds", 30 * 24 * 3600, 60)?,
            log_format,
            log_filter: raw.get("log").map_or("info", |(v, _)| v).to_string(),
            workers,
            max_body_bytes,
            trust_forwarded_for: raw.parse("trust_forwarded_for", false, "true or false")?,
            sign_in_max_failures_per_account: raw.parse(
                "sign_in_max_failures_per_account",
                5,
                "a whole number",
            )?,
            sign_in_max_failures_per_address: raw.parse(
                "sign_in_max_failures_per_address",
                50,
                "a whole number",
            )?,
            sign_in_window: raw.seconds("sign_in_window_seconds", 15 * 60, 1)?,
            shutdown_timeout: raw.seconds("shutdown_timeout_seconds", 30, 0)?,
            smtp: match raw.get("smtp_url") {
                None | Some(("", _)) => None,
                Some((url, source)) => Some(SmtpRelay::parse(url).map_err(|m| error(source, m))?),
            },
            mail_from: match raw.get("mail_from") {
                None => "Kompetens <no-reply@kompetens.invalid>".to_string(),
                Some((from, source)) => {
                    if !from.contains('@') {
                        return Err(error(
                            source,
                            "must be an address such as Kompetens <no-reply@example.org>",
                        ));
                    }
                    from.to_string()
                }
            },
            outbox_poll: Duration::from_millis(raw.parse(
                "outbox_poll_ms",
                1000,
                "a number of milliseconds",
            )?),
            worker_tick: {
                let ms: u64 = raw.parse("worker_tick_ms", 10_000, "a number of milliseconds")?;
                if ms < 50 {
                    return Err(error(&env_name("worker_tick_ms"), "must be at least 50"));
                }
                Duration::from_millis(ms)
            },
            public_url: match raw.get("public_url") {
                // Listening on every interface says nothing about the public name.
                None | Some(("", _)) if bind.ip().is_unspecified() => {
                    format!("http://localhost:{}", bind.port())
                }
                None | Some(("", _)) => format!("http://{bind}"),
                Some((url, source)) => {
                    let url = url.trim_end_matches('/');
                    let valid = (url.starts_with("https://") || url.starts_with("http://"))
                        && url.len() > "https://".len()
                        && !url.contains(char::is_whitespace);
                    if !valid {
                        return Err(error(
                            source,
                            "must be an http(s) URL such as https://kompetens.example.org",
                        ));
                    }
                    url.to_string()
                }
            },
        })
    }

    /// The database to use: `database_url`, or the SQLite file in the data directory.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("kompetens.db").display()),
        }
    }

    /// `effective_database_url` fit for a log line: without its password.
    pub fn redacted_database_url(&self) -> String {
        redact_credentials(&self.effective_database_url())
    }

    pub fn uses_embedded_database(&self) -> bool {
        self.database_url
            .as_deref()
            .is_none_or(|u| u.starts_with("sqlite:"))
    }
}

/// `url` with the password of its user-info (`user:password@`) and any `password=` query
/// parameter replaced by `***`, so that it can be logged.
pub fn redact_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (before_query, query) = match rest.find(['?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    // The last `@` before the query ends the user-info, even if the password has a `/` in it
    // (a stray `@` in the path only redacts more than needed).
    let before_query = match before_query.rsplit_once('@') {
        Some((userinfo, host_and_path)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host_and_path}"),
            None => before_query.to_string(),
        },
        None => before_query.to_string(),
    };
    let query = match query.strip_prefix('?') {
        Some(pairs) => {
            let pairs: Vec<String> = pairs
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_string(),
                })
                .collect();
            format!("?{}", pairs.join("&"))
        }
        None => query.to_string(),
    };
    format!("{scheme}://{before_query}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::load(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn defaults_serve_locally_on_sqlite() -> Result<(), ConfigError> {
        let s = load(&[])?;
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert!(s.uses_embedded_database());
        assert_eq!(s.access_token_ttl, Duration::from_secs(900));
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        let everywhere = load(&[("KOMPETENS_BIND", "0.0.0.0:9000")])?;
        assert_eq!(everywhere.public_url, "http://localhost:9000");
        let given = load(&[("KOMPETENS_PUBLIC_URL", "https://kompetens.example.org/")])?;
        assert_eq!(given.public_url, "https://kompetens.example.org");
        Ok(())
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            (("KOMPETENS_BIND", "localhost"), "KOMPETENS_BIND"),
            (("KOMPETENS_ENV", "staging"), "KOMPETENS_ENV"),
            (("DATABASE_URL", "mysql://x"), "DATABASE_URL"),
            (
                ("KOMPETENS_ACCESS_TOKEN_TTL_SECONDS", "soon"),
                "KOMPETENS_ACCESS_TOKEN_TTL_SECONDS",
            ),
            (("KOMPETENS_JWT_SECRET", "short"), "KOMPETENS_JWT_SECRET"),
            (("KOMPETENS_LOG_FORMAT", "xml"), "KOMPETENS_LOG_FORMAT"),
            (
                ("KOMPETENS_DATABASE_STARTUP_TIMEOUT_SECONDS", "a minute"),
                "KOMPETENS_DATABASE_STARTUP_TIMEOUT_SECONDS",
            ),
            (
                ("KOMPETENS_PUBLIC_URL", "kompetens.example"),
                "KOMPETENS_PUBLIC_URL",
            ),
        ];
        for ((key, value), named) in cases {
            let err = load(&[(key, value)]).err().map(|e| e.variable);
            assert_eq!(err.as_deref(), Some(named), "{key}={value}");
        }
    }

    #[test]
    fn database_urls_are_logged_without_their_password() {
        let cases = [
            (
                "postgres://kompetens:s3cret@db:5432/kompetens",
                "postgres://kompetens:***@db:5432/kompetens",
            ),
            (
                "postgresql://u:p%40ss@h/d?sslmode=require&password=again",
                "postgresql://u:***@h/d?sslmode=require&password=***",
            ),
            ("postgres://u:a/b@h/d", "postgres://u:***@h/d"),
            (
                "postgres://postgres@127.0.0.1/x",
                "postgres://postgres@127.0.0.1/x",
            ),
            (
                "sqlite://./data/kompetens.db",
                "sqlite://./data/kompetens.db",
            ),
            ("sqlite:kompetens.db", "sqlite:kompetens.db"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact_credentials(url), shown);
        }
        let s = load(&[]).ok().map(|s| s.database_startup_timeout);
        assert_eq!(s, Some(Duration::from_secs(60)));
    }

    #[test]
    fn production_requires_a_secret() {
        let err = load(&[("KOMPETENS_ENV", "production")])
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("KOMPETENS_JWT_SECRET: must be set when KOMPETENS_ENV=production")
        );
        assert!(
            load(&[
                ("KOMPETENS_ENV", "production"),
                ("KOMPETENS_JWT_SECRET", &"s".repeat(32))
            ])
            .is_ok()
        );
    }

    #[test]
    fn the_toml_file_is_read_and_variables_win() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("kompetens-config-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("kompetens.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9000\"\nworkers = 3\n")?;
        let path = file.display().to_string();
        let s = load(&[("KOMPETENS_CONFIG", &path), ("KOMPETENS_WORKERS", "2")])?;
        assert_eq!(s.bind.port(), 9000);
        assert_eq!(s.workers, 2);
        std::fs::write(&file, "bnd = 1\n")?;
        let err = load(&[("KOMPETENS_CONFIG", &path)])
            .err()
            .map(|e| e.variable);
        assert_eq!(err.as_deref(), Some("KOMPETENS_CONFIG"));
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
