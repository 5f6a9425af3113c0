//! `kompetens demo`: the five programmes of DESIGN.md as demonstration data, built through the
//! HTTP API by the same client the end-to-end tests use, so a frontend developer has something
//! real to work against. Loading twice changes nothing: a scenario whose organisation exists is
//! left as it is.

use std::net::TcpListener;

use chrono::Utc;
use kompetens_domain::email::Email;
use kompetens_domain::notification::NotificationKind;
use kompetens_persistence::DatabaseConnection;
use kompetens_persistence::repo::accounts::{self, NewAccount};
use kompetens_persistence::repo::notifications;

use crate::config::Settings;
use crate::{Application, startup};

/// The instance admin the demo creates (or reuses) to build the scenarios.
pub const ADMIN: &str = "demo-admin@kompetens.example";

/// The password of every demo account. Demonstration data only: never on a real instance.
pub const PASSWORD: &str = "kompetens-demo-2026";

pub async fn load(mut settings: Settings) -> anyhow::Result<()> {
    // The scenarios' e-mails go to reserved `.example` addresses: keep them in the outbox.
    settings.smtp = None;
    let db = startup::prepare_database(&settings).await?;
    let email = Email::parse(ADMIN).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = crate::auth::password::hash(PASSWORD)?;
    let now = Utc::now();
    let admin = match accounts::find_by_email(&db, &email).await? {
        Some(existing) => {
            accounts::set_password_and_admin(&db, existing.id, &hash, true, now).await?;
            existing.id
        }
        None => {
            accounts::insert(
                &db,
                NewAccount {
                    email,
                    password_hash: Some(hash),
                    name: kompetens_domain::account::PersonName::parse("Demo Admin").ok(),
                    locale: Default::default(),
                    workplace_organisation_id: None,
                    job_role: None,
                    is_admin: true,
                },
                now,
            )
            .await?
            .id
        }
    };
    // As `kompetens admin create` does: whoever runs the instance vouches for the address.
    accounts::mark_email_verified(&db, admin, now).await?;
    // The scenarios speak HTTP to a server of our own, on a free local port, on the same
    // database the real server uses.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let app = Application::with_listener(settings, db.clone(), listener)?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let server = tokio::spawn(app.run_until_stopped());
    let codes = OutboxCodes { db };
    let result = build_all(&base, &codes).await;
    handle.stop(true).await;
    let _ = server.await;
    result
}

/// The demo sends no e-mail: the verification codes it needs are read from the outbox, where
/// the sign-ups queued them.
struct OutboxCodes {
    db: DatabaseConnection,
}

impl kompetens_scenarios::CodeSource for OutboxCodes {
    fn verification_code<'a>(&'a self, email: &'a str) -> kompetens_scenarios::CodeFuture<'a> {
        Box::pin(async move {
            let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{email}: {e}"))?;
            let message = notifications::latest_for(
                &self.db,
                email.as_str(),
                NotificationKind::EmailVerification,
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("no verification e-mail was queued for {email}"))?;
            kompetens_domain::verification::code_in(&message.body)
                .map(str::to_string)
                .ok_or_else(|| anyhow::anyhow!("the verification e-mail to {email} has no code"))
        })
    }
}

async fn build_all(base: &str, codes: &OutboxCodes) -> anyhow::Result<()> {
    let api = kompetens_scenarios::Api::new(base)?;
    let admin = api
        .sign_in(&kompetens_scenarios::Login {
            id: String::new(),
            email: ADMIN.to_string(),
            password: PASSWORD.to_string(),
            token: String::new(),
        })
        .await?;
    let ctx = kompetens_scenarios::Ctx {
        api: &api,
        admin: &admin.token,
        password: PASSWORD,
        codes,
    };
    let existing = kompetens_scenarios::organisation_names(&ctx).await?;
    println!("Kompetens demonstration data (password of every account below: {PASSWORD})\n");
    for (key, title, organisation, logins) in kompetens_scenarios::SCENARIOS {
        if existing.iter().any(|name| name == organisation) {
            println!("{title}: already loaded");
        } else {
            let scenario = kompetens_scenarios::build(&ctx, key)
                .await
                .map_err(|e| anyhow::anyhow!("loading {key}: {e:#}"))?;
            println!("{title}: loaded ({} programmes)", scenario.programmes.len());
            tracing::info!(scenario = key, "demonstration scenario loaded");
        }
        println!("  organiser    {}", logins[0]);
        println!("  trainer      {}", logins[1]);
        println!("  participant  {}\n", logins[2]);
    }
    println!("instance admin: {ADMIN}");
    println!("Sign in with POST /api/v1/auth/token {{\"email\": …, \"password\": \"{PASSWORD}\"}}");
    Ok(())
}
