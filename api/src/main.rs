//! `kompetens`: serve the API, migrate, print the OpenAPI document, bootstrap an admin.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kompetens_api::config::{LogFormat, Settings};
use kompetens_api::{Application, startup, telemetry};
use kompetens_domain::email::Email;
use kompetens_domain::password::NewPassword;
use kompetens_persistence::repo::accounts::{self, NewAccount};

/// mimalloc gives the 19 MiB argon2 buffers back after a burst of sign-ins, where glibc's
/// allocator kept them (see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "kompetens",
    version,
    about = "Kompetens: professional-development programmes, as a JSON API"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document as YAML.
    Openapi,
    /// Load the five programmes of DESIGN.md as demonstration data (again: no change) and
    /// print the accounts to sign in with.
    Demo,
    /// Manage instance administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an instance admin, or make an existing account one (and set its password).
    Create {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        return match kompetens_api::openapi::yaml() {
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("cannot render the OpenAPI document: {e}")),
        };
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("kompetens: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    // The demo speaks to a server of its own: its request log would bury the accounts it
    // prints, so it logs warnings only unless KOMPETENS_LOG says otherwise.
    let filter = match cli.command {
        Some(Command::Demo) if std::env::var_os("KOMPETENS_LOG").is_none() => "warn".to_string(),
        _ => settings.log_filter.clone(),
    };
    telemetry::init(settings.log_format, &filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result = runtime.block_on(async move {
        match cli.command {
            None | Some(Command::Serve) => serve(settings).await,
            Some(Command::Migrate) => startup::prepare_database(&settings).await.map(|_| ()),
            Some(Command::Admin {
                command:
                    AdminCommand::Create {
                        email,
                        password_stdin: _,
                    },
            }) => create_admin(settings, &email).await,
            Some(Command::Demo) => kompetens_api::demo::load(settings).await,
            Some(Command::Openapi) => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

fn fail(message: &str) -> ExitCode {
    if message.is_empty() {
        return ExitCode::FAILURE;
    }
    tracing::error!("{message}");
    eprintln!("kompetens: {message}");
    ExitCode::FAILURE
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let embedded = settings.uses_embedded_database();
    let bind = settings.bind;
    let json_logs = settings.log_format == LogFormat::Json;
    let app = Application::build(settings).await?;
    tracing::info!(%bind, embedded_database = embedded, json_logs, "serving Kompetens; API explorer at /docs");
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn create_admin(settings: Settings, email: &str) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = NewPassword::parse(line.trim_end_matches(['\r', '\n']))
        .map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let hash = kompetens_api::auth::password::hash(password.expose())?;
    let db = startup::prepare_database(&settings).await?;
    let now = chrono::Utc::now();
    match accounts::find_by_email(&db, &email).await? {
        Some(existing) => {
            accounts::set_password_and_admin(&db, existing.id, &hash, true, now).await?;
            // Whoever runs the instance vouches for the address.
            accounts::mark_email_verified(&db, existing.id, now).await?;
            println!(
                "account {} is now an instance admin (password updated)",
                existing.id
            );
        }
        None => {
            let new = NewAccount {
                email,
                password_hash: Some(hash),
                name: None,
                locale: Default::default(),
                workplace_organisation_id: None,
                job_role: None,
                is_admin: true,
            };
            let account = accounts::insert(&db, new, now).await?;
            accounts::mark_email_verified(&db, account.id, now).await?;
            println!("created instance admin {}", account.id);
        }
    }
    Ok(())
}
