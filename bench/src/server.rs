//! The release server as a child process, on the bench database.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::cli::Config;

pub const ADMIN_EMAIL: &str = "bench-admin@example.org";
pub const PASSWORD: &str = "a long bench password";

pub struct Server {
    binary: PathBuf,
    env: Vec<(String, String)>,
    child: Option<Child>,
    pub base: String,
    data_dir: PathBuf,
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

impl Server {
    pub fn new(config: &Config, database_url: &str) -> anyhow::Result<Server> {
        if !config.server.exists() {
            bail!(
                "no server binary at {} (cargo build --release -p kompetens-api)",
                config.server.display()
            );
        }
        let port = if config.port == 0 {
            free_port()?
        } else {
            config.port
        };
        let data_dir =
            std::env::temp_dir().join(format!("kompetens-bench-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&data_dir).context("creating the server's data directory")?;
        let env = vec![
            ("KOMPETENS_BIND", format!("127.0.0.1:{port}")),
            ("KOMPETENS_DATA_DIR", data_dir.display().to_string()),
            ("DATABASE_URL", database_url.to_string()),
            ("KOMPETENS_DATABASE_POOL_SIZE", config.pool_size.to_string()),
            ("KOMPETENS_WORKERS", config.workers.to_string()),
            ("KOMPETENS_LOG", "warn".to_string()),
            ("KOMPETENS_CONFIG", "/dev/null".to_string()),
            // Long enough that the setup's tokens outlive any run.
            ("KOMPETENS_ACCESS_TOKEN_TTL_SECONDS", "86400".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Ok(Server {
            binary: config.server.clone(),
            env,
            child: None,
            base: format!("http://127.0.0.1:{port}"),
            data_dir,
        })
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.binary);
        c.env_clear();
        for key in ["PATH", "HOME", "TMPDIR"] {
            if let Ok(v) = std::env::var(key) {
                c.env(key, v);
            }
        }
        // glibc's allocator knobs (MALLOC_ARENA_MAX, …) pass through, to experiment with.
        c.envs(std::env::vars().filter(|(k, _)| k.starts_with("MALLOC_")));
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// `kompetens admin create` (which also migrates the database).
    pub fn create_admin(&self) -> anyhow::Result<()> {
        let mut child = self
            .command()
            .args([
                "admin",
                "create",
                "--email",
                ADMIN_EMAIL,
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .context("starting kompetens admin create")?;
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            writeln!(stdin, "{PASSWORD}")?;
        }
        let status = child.wait()?;
        if !status.success() {
            bail!("kompetens admin create failed: {status}");
        }
        Ok(())
    }

    pub async fn start(&mut self, client: &reqwest::Client) -> anyhow::Result<()> {
        let child = self
            .command()
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", self.binary.display()))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("the server exited during start: {status}");
            }
            let ready = client
                .get(format!("{}/health/ready", self.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the server was not ready within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGTERM (via `kill`), then waits up to 10 s before killing.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
