//! Black-box test harness: the real server on a random port with a fresh database.
//!
//! SQLite by default (a file in a temporary directory); when `DATABASE_URL` names a
//! PostgreSQL server, each test gets its own freshly created database, dropped afterwards.

use std::collections::BTreeMap;

mod client;
pub mod contract;

pub use client::{Client, RequestBuilder, Response};
use kompetens_api::{Application, Settings, startup};
use kompetens_persistence::repo::accounts::{self, NewAccount};
use reqwest::{Method, StatusCode, header::HeaderMap};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    /// Every message the server sent, as received by a real SMTP server in this process.
    pub mailbox: Mailbox,
    /// For requests the helpers below do not make; its responses are checked all the same.
    pub client: Client,
    pub admin_token: String,
    _data_dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
    vars: BTreeMap<String, String>,
}

/// A response: status, headers, JSON body (or `Value::Null`) and the raw text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// `DATABASE_URL` when it names a PostgreSQL server (the suite then runs on PostgreSQL).
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    match url.rfind('/') {
        Some(i) if i > "postgres://".len() => format!("{}/{name}", &url[..i]),
        _ => format!("{url}/{name}"),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let mut vars = BTreeMap::new();
    vars.insert(
        "KOMPETENS_DATA_DIR".to_string(),
        data_dir.path().display().to_string(),
    );
    vars.insert("KOMPETENS_BIND".to_string(), "127.0.0.1:0".to_string());
    vars.insert("KOMPETENS_WORKERS".to_string(), "2".to_string());
    vars.insert("KOMPETENS_DATABASE_POOL_SIZE".to_string(), "4".to_string());
    vars.insert("KOMPETENS_LOG".to_string(), "warn".to_string());
    vars.insert("KOMPETENS_CONFIG".to_string(), "/dev/null".to_string());
    let mailbox = Mailbox::start();
    vars.insert(
        "KOMPETENS_SMTP_URL".to_string(),
        format!("smtp://127.0.0.1:{}", mailbox.port),
    );
    vars.insert("KOMPETENS_OUTBOX_POLL_MS".to_string(), "50".to_string());
    let mut postgres = None;
    if let Some(admin_url) = postgres_admin_url() {
        let name = format!("kompetens_test_{}", uuid::Uuid::now_v7().simple());
        let admin = sea_orm::Database::connect(&admin_url)
            .await
            .expect("connect to PostgreSQL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        admin.close().await.ok();
        vars.insert("DATABASE_URL".to_string(), with_database(&admin_url, &name));
        postgres = Some((admin_url, name));
    }
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::load(&vars).expect("test settings");
    let db = startup::prepare_database(&settings)
        .await
        .expect("database");

    // The instance admin, as `kompetens admin create` would make it.
    let hash = kompetens_api::auth::password::hash(PASSWORD).expect("hash");
    let email = kompetens_domain::email::Email::parse("admin@kompetens.test").expect("email");
    let admin = accounts::insert(
        &db,
        NewAccount {
            email,
            password_hash: Some(hash),
            name: Some(kompetens_domain::account::PersonName::parse("Admin").expect("name")),
            locale: Default::default(),
            workplace_organisation_id: None,
            job_role: None,
            is_admin: true,
        },
        chrono::Utc::now(),
    )
    .await
    .expect("admin");
    accounts::mark_email_verified(&db, admin.id, chrono::Utc::now())
        .await
        .expect("admin verified");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let app = Application::with_listener(settings, db, listener).expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = Client::new();
    let mut test = TestApp {
        address,
        mailbox,
        client,
        admin_token: String::new(),
        _data_dir: data_dir,
        postgres,
        vars,
    };
    test.admin_token = test.sign_in("admin@kompetens.test").await;
    test
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop the test database on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

impl TestApp {
    /// On PostgreSQL, drops this test's database under the running server (to see it fail);
    /// false on SQLite, where the open file cannot be taken away.
    pub async fn drop_database(&self) -> bool {
        let Some((admin_url, name)) = &self.postgres else {
            return false;
        };
        let admin = sea_orm::Database::connect(admin_url.as_str())
            .await
            .expect("connect to PostgreSQL");
        admin
            .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .expect("drop test database");
        admin.close().await.ok();
        true
    }

    /// On PostgreSQL, ends every connection to this test's database from a separate admin
    /// connection, as a failover, a restart or an administrator would; returns how many were
    /// ended. `None` on SQLite, where there are no server connections to end.
    pub async fn terminate_connections(&self) -> Option<u64> {
        let (admin_url, name) = self.postgres.as_ref()?;
        let admin = sea_orm::Database::connect(admin_url.as_str())
            .await
            .expect("connect to PostgreSQL");
        let ended = admin
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!(
                    "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
                     WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                ),
            ))
            .await
            .expect("terminate connections");
        admin.close().await.ok();
        Some(
            ended
                .iter()
                .filter(|row| row.try_get::<bool>("", "ended").unwrap_or(false))
                .count() as u64,
        )
    }

    /// On PostgreSQL, makes this test's database refuse new connections (`accept` false, and
    /// every open one is ended) or take them again; false on SQLite.
    pub async fn accept_connections(&self, accept: bool) -> bool {
        let Some((admin_url, name)) = &self.postgres else {
            return false;
        };
        let admin = sea_orm::Database::connect(admin_url.as_str())
            .await
            .expect("connect to PostgreSQL");
        admin
            .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {accept}"))
            .await
            .expect("alter database");
        admin.close().await.ok();
        if !accept {
            self.terminate_connections().await;
        }
        true
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends a request; `body` of `None` sends none. The response is checked against the
    /// OpenAPI document (see `contract`): one it does not allow fails the test here.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::from(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::DELETE, path, token, None).await
    }

    /// Signs up a participant and returns (account id, access token).
    pub async fn signup(&self, email: &str) -> (String, String) {
        let r = self
            .post(
                "/api/v1/auth/signup",
                None,
                json!({"email": email, "password": PASSWORD, "name": "Test Person"}),
            )
            .await;
        assert_eq!(r.status, 201, "signup: {}", r.text);
        (
            r.body["account"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            r.body["tokens"]["access_token"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    }

    /// Signs up a participant and confirms the address with the code e-mailed to it; returns
    /// (account id, access token).
    pub async fn signup_verified(&self, email: &str) -> (String, String) {
        let signed_up = self.signup(email).await;
        let code = self.mailbox.verification_code(email).await;
        let r = self
            .post("/api/v1/auth/verify-email", None, json!({ "code": code }))
            .await;
        assert_eq!(r.status, 204, "verify {email}: {}", r.text);
        signed_up
    }

    pub async fn tokens(&self, email: &str) -> Reply {
        self.post(
            "/api/v1/auth/token",
            None,
            json!({"email": email, "password": PASSWORD}),
        )
        .await
    }

    pub async fn sign_in(&self, email: &str) -> String {
        let r = self.tokens(email).await;
        assert_eq!(r.status, 200, "sign in: {}", r.text);
        r.body["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Creates an organisation as `token`; returns its id.
    pub async fn organisation(&self, token: &str, name: &str, parent: Option<&str>) -> String {
        let mut body = json!({"name": name, "kind": "municipality", "country": "PL", "time_zone": "Europe/Warsaw"});
        if let Some(parent) = parent {
            body["parent_id"] = json!(parent);
        }
        let r = self.post("/api/v1/organisations", Some(token), body).await;
        assert_eq!(r.status, 201, "create organisation: {}", r.text);
        r.body["id"].as_str().unwrap_or_default().to_string()
    }

    /// Grants `role` in `organisation` to the account with `email`, as the admin.
    pub async fn grant(&self, organisation: &str, email: &str, role: &str) {
        let r = self
            .post(
                &format!("/api/v1/organisations/{organisation}/members"),
                Some(&self.admin_token),
                json!({"email": email, "role": role}),
            )
            .await;
        assert_eq!(r.status, 201, "grant: {}", r.text);
    }
}

impl Reply {
    async fn from(response: Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }
}

impl TestApp {
    /// POSTs `body` as `token`, insists on 201 and returns the new resource's id.
    pub async fn create(&self, path: &str, token: &str, body: Value) -> String {
        let r = self.post(path, Some(token), body).await;
        assert_eq!(r.status, 201, "POST {path}: {}", r.text);
        r.body["id"].as_str().unwrap_or_default().to_string()
    }

    /// Signs up `email`, grants it `role` in `organisation` and returns (account id, token).
    pub async fn member(&self, organisation: &str, email: &str, role: &str) -> (String, String) {
        let (id, _) = self.signup(email).await;
        self.grant(organisation, email, role).await;
        // Sign in again so the new role is in force (roles are read per request anyway).
        (id, self.sign_in(email).await)
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    /// A PATCH with `If-Match`.
    pub async fn patch_if(&self, path: &str, token: &str, etag: &str, body: Value) -> Reply {
        let request = self
            .client
            .request(Method::PATCH, self.url(path))
            .bearer_auth(token)
            .header("if-match", etag)
            .json(&body);
        Reply::from(request.send().await.expect("request sent")).await
    }

    /// Every item of a paginated list, following `next_cursor` with pages of `limit`.
    pub async fn all_pages(&self, path: &str, token: Option<&str>, limit: u32) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let separator = if path.contains('?') { '&' } else { '?' };
        for _ in 0..1000 {
            let url = match &cursor {
                Some(c) => format!("{path}{separator}limit={limit}&cursor={c}"),
                None => format!("{path}{separator}limit={limit}"),
            };
            let r = self.get(&url, token).await;
            assert_eq!(r.status, 200, "GET {url}: {}", r.text);
            let page = r.body["items"].as_array().cloned().unwrap_or_default();
            assert!(page.len() <= limit as usize, "a page larger than its limit");
            items.extend(page);
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return items,
            }
        }
        panic!("pagination never ended for {path}");
    }
}

/// The ids of a list's items.
pub fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A published programme taking registrations now.
pub struct OpenProgramme {
    pub id: String,
    pub organisation: String,
    pub organiser: String,
}

impl TestApp {
    /// A connection to the test's database, for looking behind the API (outbox, counters).
    pub async fn database(&self) -> sea_orm::DatabaseConnection {
        let settings = Settings::load(&self.vars).expect("test settings");
        sea_orm::Database::connect(settings.effective_database_url())
            .await
            .expect("connect to the test database")
    }

    /// The settings this test's server runs with (its database, its secret).
    pub fn settings(&self) -> Settings {
        Settings::load(&self.vars).expect("test settings")
    }

    /// Whether this run is on PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// A second server instance on the same database and secret (as a second API process
    /// behind a load balancer would be), on its own port with its own connection pool.
    pub async fn second_instance(&self) -> String {
        let settings = Settings::load(&self.vars).expect("test settings");
        let db = startup::prepare_database(&settings)
            .await
            .expect("database");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let app = Application::with_listener(settings, db, listener).expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    /// Creates and publishes a programme of a new organisation with registration open now.
    pub async fn open_programme(&self, capacity: Option<u32>, policy: &str) -> OpenProgramme {
        let organisation = self
            .organisation(
                &self.admin_token,
                &format!("Organisation {}", uuid::Uuid::now_v7()),
                None,
            )
            .await;
        let email = format!("organiser-{}@example.org", uuid::Uuid::now_v7().simple());
        let (_, organiser) = self.member(&organisation, &email, "organiser").await;
        let now = chrono::Utc::now();
        let id = self
            .create(
                "/api/v1/programmes",
                &organiser,
                json!({
                    "organisation_id": organisation, "kind": "residential_training",
                    "title": {"pl": "Trening wyjazdowy", "en": "Residential training"},
                    "starts_on": "2027-06-13", "ends_on": "2027-06-18", "time_zone": "Europe/Warsaw",
                    "capacity": capacity, "registration_policy": policy,
                    "registration_opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
                    "registration_closes_at": (now + chrono::Duration::days(30)).to_rfc3339(),
                    "contact": {"name": "Anna Kowalska", "email": "anna@example.org"}
                }),
            )
            .await;
        self.create(
            &format!("/api/v1/programmes/{id}/sessions"),
            &organiser,
            json!({"title": {"pl": "Warsztat"}, "activity_type": "workshop", "raise_budget": true,
                "starts_at": "2027-06-13T09:00:00+02:00", "ends_at": "2027-06-13T12:00:00+02:00"}),
        )
        .await;
        let r = self
            .post(
                &format!("/api/v1/programmes/{id}/publish"),
                Some(&organiser),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "publish: {}", r.text);
        OpenProgramme {
            id,
            organisation,
            organiser,
        }
    }

    /// Signs up `n` participants at once; returns (account id, token) for each.
    pub async fn participants(&self, prefix: &str, n: usize) -> Vec<(String, String)> {
        let mut all = Vec::with_capacity(n);
        // In batches, so the argon2 hashing does not swamp the test machine's cores at once.
        for chunk in (0..n).collect::<Vec<_>>().chunks(25) {
            let futures = chunk
                .iter()
                .map(|i| self.signup_quietly(format!("{prefix}-{i}@example.org")));
            for result in futures_util::future::join_all(futures).await {
                all.push(result);
            }
        }
        all
    }

    async fn signup_quietly(&self, email: String) -> (String, String) {
        self.signup(&email).await
    }
}

/// A message as received: recipients, subject and plain-text body, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// A real SMTP server (mailin-embedded) on a random local port, keeping what it receives.
#[derive(Clone)]
pub struct Mailbox {
    pub port: u16,
    received: std::sync::Arc<std::sync::Mutex<Vec<Mail>>>,
}

#[derive(Clone)]
struct Catcher {
    received: std::sync::Arc<std::sync::Mutex<Vec<Mail>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl mailin_embedded::Handler for Catcher {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let parsed = mail_parser::MessageParser::default().parse(&self.data);
        let (subject, body) = parsed
            .map(|m| {
                (
                    m.subject().unwrap_or_default().to_string(),
                    m.body_text(0).map(|b| b.to_string()).unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        if let Ok(mut received) = self.received.lock() {
            received.push(Mail {
                to: self.to.clone(),
                subject,
                body,
            });
        }
        mailin_embedded::response::OK
    }
}

impl Mailbox {
    fn start() -> Mailbox {
        Mailbox::start_on(0)
    }

    /// A mail server on this port (0: any free port).
    pub fn start_on(port: u16) -> Mailbox {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind SMTP");
        let port = listener.local_addr().expect("SMTP address").port();
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut server = mailin_embedded::Server::new(Catcher {
            received: received.clone(),
            to: Vec::new(),
            data: Vec::new(),
        });
        server
            .with_name("mail.kompetens.test")
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Mailbox { port, received }
    }

    pub fn all(&self) -> Vec<Mail> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Waits (up to 10 s) until `count` messages to `address` have arrived, and returns them.
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<Mail> {
        for _ in 0..200 {
            let mails: Vec<Mail> = self
                .all()
                .into_iter()
                .filter(|m| m.to.iter().any(|t| t == address))
                .collect();
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "expected {count} messages to {address}, got {:?}",
            self.all()
                .into_iter()
                .filter(|m| m.to.iter().any(|t| t == address))
                .collect::<Vec<_>>()
        );
    }
}

impl Mailbox {
    /// The code of the latest verification e-mail to `address`, waiting (up to 10 s) for one.
    pub async fn verification_code(&self, address: &str) -> String {
        for _ in 0..200 {
            let latest = self
                .all()
                .into_iter()
                .rev()
                .filter(|m| m.to.iter().any(|t| t == address))
                .find_map(|m| kompetens_domain::verification::code_in(&m.body).map(str::to_string));
            if let Some(code) = latest {
                return code;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no verification code reached {address}");
    }

    /// Like [`Mailbox::wait_for`], counting only the messages that are not e-mail verification
    /// codes (which every self-sign-up sends first): those about programmes and certificates.
    pub async fn wait_for_about_programmes(&self, address: &str, count: usize) -> Vec<Mail> {
        let about = |mails: Vec<Mail>| -> Vec<Mail> {
            mails
                .into_iter()
                .filter(|m| m.to.iter().any(|t| t == address))
                .filter(|m| kompetens_domain::verification::code_in(&m.body).is_none())
                .collect()
        };
        for _ in 0..200 {
            let mails = about(self.all());
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "expected {count} messages about programmes to {address}, got {:?}",
            about(self.all())
        );
    }
}

impl kompetens_scenarios::CodeSource for Mailbox {
    fn verification_code<'a>(&'a self, email: &'a str) -> kompetens_scenarios::CodeFuture<'a> {
        Box::pin(async move { Ok(Mailbox::verification_code(self, email).await) })
    }
}

/// The text of a PDF as an independent parser reads it, whitespace collapsed to single spaces.
pub fn pdf_text(pdf: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(pdf).expect("a PDF whose text can be read");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How many pages a PDF has.
pub fn pdf_pages(pdf: &[u8]) -> usize {
    pdf_extract::Document::load_mem(pdf)
        .expect("a PDF that parses")
        .get_pages()
        .len()
}

// ---------------------------------------------------------------------------------------------
// The five programmes of DESIGN.md, end to end

impl TestApp {
    /// Builds one of the five scenarios against this server, as a client would.
    pub async fn scenario(&self, key: &str) -> kompetens_scenarios::Scenario {
        // The scenario's client holds every response to the document, as the tests' own do.
        let api = kompetens_scenarios::Api::new(&self.address)
            .expect("client")
            .with_response_check(std::sync::Arc::new(contract::check));
        let ctx = kompetens_scenarios::Ctx {
            api: &api,
            admin: &self.admin_token,
            password: PASSWORD,
            codes: &self.mailbox,
        };
        kompetens_scenarios::build(&ctx, key)
            .await
            .unwrap_or_else(|e| panic!("building scenario {key}: {e:#}"))
    }

    /// Checks each programme's report against what the scenario says it did, and each grant's
    /// report (JSON and CSV) for totals that equal their breakdowns.
    pub async fn check_scenario(&self, s: &kompetens_scenarios::Scenario) {
        let token = &s.organiser.token;
        for (programme, e) in &s.expected {
            let r = self
                .get(
                    &format!("/api/v1/programmes/{programme}/report"),
                    Some(token),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let b = &r.body;
            let what = format!("{} {programme}", s.key);
            assert_eq!(
                b["registrations"]["confirmed"], e.confirmed,
                "{what}: confirmed"
            );
            assert_eq!(
                b["registrations"]["waitlisted"], e.waitlisted,
                "{what}: waitlisted"
            );
            assert_eq!(
                b["registrations"]["cancelled"], e.cancelled,
                "{what}: cancelled"
            );
            assert_eq!(
                b["registrations"]["completed"], e.completed,
                "{what}: completed"
            );
            assert_eq!(
                b["certificates"]["in_force"], e.certificates,
                "{what}: certificates"
            );
            assert_eq!(
                b["minutes_total"]["attended_participant_minutes"], e.attended_minutes,
                "{what}: attended minutes"
            );
            assert_report_adds_up(b);
            let csv = self
                .get_csv(&format!("/api/v1/programmes/{programme}/report"), token)
                .await;
            assert_csv_adds_up(&csv, b);
        }
        for grant in &s.grants {
            let r = self
                .get(&format!("/api/v1/grants/{grant}/report"), Some(token))
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_report_adds_up(&r.body);
            let funding = &r.body["funding"];
            let allocated: i64 = funding["allocated"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["amount"]["amount_minor"].as_i64().unwrap())
                .sum();
            assert_eq!(
                allocated + funding["unallocated"]["amount_minor"].as_i64().unwrap(),
                funding["amount"]["amount_minor"].as_i64().unwrap(),
                "{}: the allocations and what is left make the grant",
                s.key
            );
            let csv = self
                .get_csv(&format!("/api/v1/grants/{grant}/report"), token)
                .await;
            assert_csv_adds_up(&csv, &r.body);
        }
        for (organisation, plan) in &s.plans {
            let r = self
                .get(
                    &format!("/api/v1/organisations/{organisation}/competence-plans/{plan}"),
                    Some(token),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let got: Vec<u64> = r.body["needs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["coverage"]["staff_completed"].as_u64().unwrap())
                .collect();
            assert_eq!(Some(&got), s.coverage.get(plan), "{} plan {plan}", s.key);
            let met: u64 = r.body["needs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| {
                    n["coverage"]["staff_completed"]
                        .as_u64()
                        .unwrap()
                        .min(n["staff_count"].as_u64().unwrap())
                })
                .sum();
            assert_eq!(r.body["totals"]["staff_met"], met);
        }
        // The three people of the scenario sign in with its password.
        for login in [&s.organiser, &s.trainer, &s.participant] {
            assert_eq!(
                self.tokens(&login.email).await.status,
                200,
                "{}",
                login.email
            );
        }
    }

    /// GETs with `Accept: text/csv`; the body.
    pub async fn get_csv(&self, path: &str, token: &str) -> String {
        let r = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .header("accept", "text/csv")
            .send()
            .await
            .expect("request sent");
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"),
            "CSV for {path}"
        );
        r.text().await.unwrap()
    }
}

fn sum_of(items: &Value, metric: &str) -> u64 {
    items
        .as_array()
        .map(|a| a.iter().map(|i| i[metric].as_u64().unwrap_or(0)).sum())
        .unwrap_or(0)
}

/// Every total of a report (JSON) equals the sum of its breakdown.
pub fn assert_report_adds_up(b: &Value) {
    for metric in ["registered", "confirmed", "completed"] {
        let total = b["participants"][metric].as_u64().unwrap();
        assert_eq!(
            sum_of(&b["participants_by_workplace"], metric),
            total,
            "by workplace: {metric}"
        );
        assert_eq!(
            sum_of(&b["participants_by_job_role"], metric),
            total,
            "by job role: {metric}"
        );
    }
    for metric in [
        "planned_minutes",
        "scheduled_minutes",
        "delivered_minutes",
        "attended_participant_minutes",
    ] {
        let total = b["minutes_total"][metric].as_u64().unwrap();
        assert_eq!(sum_of(&b["minutes"], metric), total, "minutes: {metric}");
    }
    let statuses = [
        "pending",
        "confirmed",
        "waitlisted",
        "cancelled",
        "rejected",
        "completed",
    ];
    let total = b["registrations"]["total"].as_u64().unwrap();
    assert_eq!(
        statuses
            .iter()
            .map(|s| b["registrations"][s].as_u64().unwrap())
            .sum::<u64>(),
        total,
        "registrations by status"
    );
    let programmes = b["programmes"].as_array().unwrap();
    if !programmes.is_empty() {
        let over = |section: &str, metric: &str| -> u64 {
            programmes
                .iter()
                .map(|p| p[section][metric].as_u64().unwrap())
                .sum()
        };
        assert_eq!(
            over("registrations", "total"),
            total,
            "registrations by programme"
        );
        for metric in [
            "planned_minutes",
            "scheduled_minutes",
            "delivered_minutes",
            "attended_participant_minutes",
        ] {
            assert_eq!(
                over("minutes", metric),
                b["minutes_total"][metric].as_u64().unwrap(),
                "programme minutes: {metric}"
            );
        }
        for metric in ["issued", "revoked", "in_force"] {
            assert_eq!(
                over("certificates", metric),
                b["certificates"][metric].as_u64().unwrap(),
                "programme certificates: {metric}"
            );
        }
    }
    let c = &b["certificates"];
    assert_eq!(
        c["issued"].as_u64().unwrap(),
        c["revoked"].as_u64().unwrap() + c["in_force"].as_u64().unwrap()
    );
}

/// The CSV of a report says what its JSON says, and its totals equal their breakdowns too.
pub fn assert_csv_adds_up(csv: &str, json: &Value) {
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("section,key,label,metric,value"));
    let rows: Vec<(String, String, String, i64)> = lines
        .map(|line| {
            // Labels may hold commas (quoted): the section, key, metric and value never do.
            let first: Vec<&str> = line.splitn(3, ',').collect();
            let last: Vec<&str> = line.rsplitn(3, ',').collect();
            (
                first[0].to_string(),
                first[1].to_string(),
                last[1].to_string(),
                last[0]
                    .parse()
                    .unwrap_or_else(|_| panic!("a number in {line}")),
            )
        })
        .collect();
    let value = |section: &str, key: &str, metric: &str| -> i64 {
        rows.iter()
            .filter(|r| r.0 == section && r.1 == key && r.2 == metric)
            .map(|r| r.3)
            .sum()
    };
    let sum = |section: &str, metric: &str, skip_total: bool| -> i64 {
        rows.iter()
            .filter(|r| r.0 == section && r.2 == metric && !(skip_total && r.1 == "total"))
            .map(|r| r.3)
            .sum()
    };
    for metric in ["registered", "confirmed", "completed"] {
        let total = value("participants", "total", metric);
        assert_eq!(
            total,
            json["participants"][metric].as_i64().unwrap(),
            "CSV participants {metric}"
        );
        assert_eq!(
            sum("participants_by_workplace", metric, false),
            total,
            "CSV by workplace {metric}"
        );
        assert_eq!(
            sum("participants_by_job_role", metric, false),
            total,
            "CSV by job role {metric}"
        );
    }
    for metric in [
        "planned_minutes",
        "scheduled_minutes",
        "delivered_minutes",
        "attended_participant_minutes",
    ] {
        let total = value("minutes", "total", metric);
        assert_eq!(
            total,
            json["minutes_total"][metric].as_i64().unwrap(),
            "CSV minutes {metric}"
        );
        assert_eq!(
            sum("minutes", metric, true),
            total,
            "CSV minutes by activity {metric}"
        );
        if !json["programmes"].as_array().unwrap().is_empty() {
            assert_eq!(
                sum("programme_minutes", metric, false),
                total,
                "CSV minutes by programme {metric}"
            );
        }
    }
    let registrations = value("registrations", "total", "total");
    assert_eq!(
        registrations,
        json["registrations"]["total"].as_i64().unwrap()
    );
    if !json["programmes"].as_array().unwrap().is_empty() {
        assert_eq!(
            sum("programme_registrations", "total", false),
            registrations
        );
    }
    if let Some(grant) = rows
        .iter()
        .find(|r| r.0 == "grant" && r.2 == "amount_minor")
    {
        let left = rows
            .iter()
            .find(|r| r.0 == "grant" && r.2 == "unallocated_minor")
            .unwrap()
            .3;
        assert_eq!(
            sum("funding", "allocated_minor", false) + left,
            grant.3,
            "CSV funding"
        );
    }
}
