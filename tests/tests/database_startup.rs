//! Start-up and the database: PostgreSQL that is not there yet is waited for, with bounded
//! backoff, and a clear error naming `KOMPETENS_DATABASE_STARTUP_TIMEOUT_SECONDS` when it never
//! comes; an SQLite file that cannot be opened fails at once, since waiting cannot help.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use kompetens_api::{Settings, startup};
use kompetens_persistence::ConnectionTrait;
use kompetens_tests::{postgres_admin_url, with_database};
use sea_orm::sqlx::ConnectOptions;
use sea_orm::sqlx::postgres::PgConnectOptions;

/// Far below the 60 s default: proof that nothing waited for it, with room for a slow machine.
const AT_ONCE: Duration = Duration::from_secs(20);

fn settings(data_dir: &std::path::Path, pairs: &[(&str, &str)]) -> Settings {
    let mut vars = BTreeMap::new();
    vars.insert("KOMPETENS_CONFIG".to_string(), "/dev/null".to_string());
    vars.insert(
        "KOMPETENS_DATA_DIR".to_string(),
        data_dir.display().to_string(),
    );
    vars.insert("KOMPETENS_DATABASE_POOL_SIZE".to_string(), "2".to_string());
    for (k, v) in pairs {
        vars.insert(k.to_string(), v.to_string());
    }
    Settings::load(&vars).expect("settings")
}

/// A local port nobody listens on (yet).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// A database on the test server that is dropped at the end, whatever happens.
struct Scratch {
    admin_url: String,
    name: String,
}

impl Scratch {
    fn new(admin_url: String) -> Scratch {
        let name = format!("kompetens_test_{}", uuid::Uuid::now_v7().simple());
        Scratch { admin_url, name }
    }

    async fn create(&self) {
        let admin = sea_orm::Database::connect(self.admin_url.as_str())
            .await
            .expect("connect to PostgreSQL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {}", self.name))
            .await
            .expect("create database");
        admin.close().await.ok();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
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
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

async fn assert_migrated(db: &sea_orm::DatabaseConnection) {
    db.execute_unprepared("SELECT count(*) FROM programmes")
        .await
        .expect("the schema is in place");
}

#[tokio::test]
async fn start_up_waits_for_a_postgresql_database_that_is_created_late() {
    let Some(admin_url) = postgres_admin_url() else {
        return;
    };
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let scratch = Scratch::new(admin_url.clone());
    let url = with_database(&admin_url, &scratch.name);
    let settings = settings(data_dir.path(), &[("DATABASE_URL", &url)]);

    let starting = tokio::spawn(async move { startup::prepare_database(&settings).await });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!starting.is_finished(), "start-up did not wait");
    scratch.create().await;

    let db = starting
        .await
        .expect("start-up task")
        .expect("start-up succeeds once the database exists");
    assert_migrated(&db).await;
    db.close().await.ok();
}

#[tokio::test]
async fn start_up_waits_for_a_postgresql_server_that_starts_listening_late() {
    let Some(admin_url) = postgres_admin_url() else {
        return;
    };
    let server = PgConnectOptions::from_str(&admin_url).expect("DATABASE_URL");
    let upstream = format!("{}:{}", server.get_host(), server.get_port());
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let scratch = Scratch::new(admin_url.clone());
    scratch.create().await;
    // The same database, reached through a port that refuses connections until a forwarder to
    // the real server starts listening on it, as a database container coming up would.
    let port = free_port();
    let url = server
        .clone()
        .port(port)
        .database(&scratch.name)
        .to_url_lossy()
        .to_string();
    let settings = settings(data_dir.path(), &[("DATABASE_URL", &url)]);

    let starting = tokio::spawn(async move { startup::prepare_database(&settings).await });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!starting.is_finished(), "start-up did not wait");
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the port is still free");
    let forwarder = tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });

    let db = starting
        .await
        .expect("start-up task")
        .expect("start-up succeeds once the server listens");
    assert_migrated(&db).await;
    db.close().await.ok();
    forwarder.abort();
}

#[tokio::test]
async fn start_up_gives_up_after_its_timeout_naming_the_variable_and_hiding_the_password() {
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "postgres://kompetens:s3cret-pw@127.0.0.1:{}/kompetens",
        free_port()
    );
    let settings = settings(
        data_dir.path(),
        &[
            ("DATABASE_URL", &url),
            ("KOMPETENS_DATABASE_STARTUP_TIMEOUT_SECONDS", "1"),
        ],
    );

    let started = Instant::now();
    let err = startup::prepare_database(&settings)
        .await
        .expect_err("nobody listens there")
        .to_string();

    assert!(
        started.elapsed() < AT_ONCE,
        "waited {:?}",
        started.elapsed()
    );
    assert!(
        err.contains("KOMPETENS_DATABASE_STARTUP_TIMEOUT_SECONDS"),
        "{err}"
    );
    assert!(err.contains("unreachable"), "{err}");
    assert!(err.contains("kompetens:***@127.0.0.1"), "{err}");
    assert!(!err.contains("s3cret-pw"), "{err}");
}

#[tokio::test]
async fn wrong_postgresql_credentials_fail_at_once() {
    let Some(admin_url) = postgres_admin_url() else {
        return;
    };
    let data_dir = tempfile::tempdir().expect("temporary directory");
    // A role that does not exist: refused in the authentication phase (SQLSTATE 28000).
    let url = PgConnectOptions::from_str(&admin_url)
        .expect("DATABASE_URL")
        .username("nobody_kompetens")
        .password("wrong-pw")
        .to_url_lossy()
        .to_string();
    let settings = settings(data_dir.path(), &[("DATABASE_URL", &url)]);

    let started = Instant::now();
    let err = startup::prepare_database(&settings)
        .await
        .expect_err("no such role")
        .to_string();

    assert!(
        started.elapsed() < AT_ONCE,
        "waited {:?}",
        started.elapsed()
    );
    assert!(err.contains("nobody_kompetens"), "{err}");
    assert!(!err.contains("wrong-pw"), "{err}");
}

#[tokio::test]
async fn an_sqlite_database_that_cannot_be_opened_fails_at_once() {
    let scratch = tempfile::tempdir().expect("temporary directory");
    // A data directory that cannot be created: its parent is a file.
    let file = scratch.path().join("a-file");
    std::fs::write(&file, "not a directory").expect("write");
    let blocked = settings(&file.join("data"), &[]);
    let started = Instant::now();
    let err = startup::prepare_database(&blocked)
        .await
        .expect_err("the data directory cannot be created")
        .to_string();
    assert!(
        started.elapsed() < AT_ONCE,
        "waited {:?}",
        started.elapsed()
    );
    assert!(err.contains("cannot create data directory"), "{err}");
    assert!(err.contains("a-file"), "{err}");

    // An SQLite URL in a directory that does not exist (SQLite creates files, not directories).
    let missing = format!(
        "sqlite://{}",
        scratch.path().join("missing/kompetens.db").display()
    );
    let unopenable = settings(scratch.path(), &[("DATABASE_URL", &missing)]);
    let started = Instant::now();
    let err = startup::prepare_database(&unopenable)
        .await
        .expect_err("the file cannot be created")
        .to_string();
    assert!(
        started.elapsed() < AT_ONCE,
        "waited {:?}",
        started.elapsed()
    );
    assert!(err.contains("cannot open the SQLite database"), "{err}");
    assert!(err.contains("missing/kompetens.db"), "{err}");
}
