//! The API calls of the untimed setup and of the checks afterwards.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};
use reqwest::Method;
use serde_json::{Value, json};

use crate::server::PASSWORD;

#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
}

fn id(body: &Value) -> anyhow::Result<String> {
    body["id"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no id in {body}"))
}

impl Api {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        expected: u16,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if status != expected {
            bail!("{method} {path}: expected {expected}, got {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
        expected: u16,
    ) -> anyhow::Result<Value> {
        self.call(Method::POST, path, token, Some(body), expected)
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> anyhow::Result<Value> {
        self.call(Method::GET, path, token, None, 200).await
    }

    pub async fn sign_in(&self, email: &str) -> anyhow::Result<String> {
        let body = self
            .post(
                "/api/v1/auth/token",
                None,
                json!({"email": email, "password": PASSWORD}),
                200,
            )
            .await?;
        body["access_token"]
            .as_str()
            .map(str::to_string)
            .context("no access_token")
    }

    pub async fn signup(&self, email: &str) -> anyhow::Result<String> {
        let body = self
            .post(
                "/api/v1/auth/signup",
                None,
                json!({"email": email, "password": PASSWORD, "name": "Bench Participant"}),
                201,
            )
            .await?;
        body["tokens"]["access_token"]
            .as_str()
            .map(str::to_string)
            .context("no tokens.access_token")
    }

    /// Signs up `emails`, `concurrency` at a time (argon2 is CPU-bound); returns the tokens in
    /// the same order.
    pub async fn signups(
        &self,
        emails: Vec<String>,
        concurrency: usize,
    ) -> anyhow::Result<Vec<String>> {
        let emails = Arc::new(emails);
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..concurrency.min(emails.len()).max(1) {
            let (api, emails, next) = (self.clone(), emails.clone(), next.clone());
            tasks.spawn(async move {
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(email) = emails.get(i) else {
                        return Ok::<_, anyhow::Error>(done);
                    };
                    done.push((i, api.signup(email).await?));
                }
            });
        }
        let mut tokens = vec![String::new(); emails.len()];
        while let Some(joined) = tasks.join_next().await {
            for (i, token) in joined?? {
                tokens[i] = token;
            }
        }
        Ok(tokens)
    }

    pub async fn organisation(&self, admin: &str) -> anyhow::Result<String> {
        let body = self
            .post(
                "/api/v1/organisations",
                Some(admin),
                json!({"name": format!("Bench organisation {}", uuid::Uuid::now_v7()),
                    "kind": "municipality", "country": "PL", "time_zone": "Europe/Warsaw"}),
                201,
            )
            .await?;
        id(&body)
    }

    pub async fn grant(
        &self,
        admin: &str,
        organisation: &str,
        email: &str,
        role: &str,
    ) -> anyhow::Result<()> {
        self.post(
            &format!("/api/v1/organisations/{organisation}/members"),
            Some(admin),
            json!({"email": email, "role": role}),
            201,
        )
        .await?;
        Ok(())
    }

    /// A published first-come-first-served programme with registration open now.
    pub async fn open_programme(
        &self,
        organiser: &str,
        organisation: &str,
        title: &str,
        capacity: usize,
    ) -> anyhow::Result<String> {
        let now = chrono::Utc::now();
        let body = self
            .post(
                "/api/v1/programmes",
                Some(organiser),
                json!({
                    "organisation_id": organisation, "kind": "residential_training",
                    "title": {"pl": title, "en": title},
                    "starts_on": "2027-06-13", "ends_on": "2027-06-18", "time_zone": "Europe/Warsaw",
                    "capacity": capacity, "registration_policy": "first_come_first_served",
                    "registration_opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
                    "registration_closes_at": (now + chrono::Duration::days(30)).to_rfc3339(),
                    "contact": {"name": "Anna Kowalska", "email": "anna@example.org"}
                }),
                201,
            )
            .await?;
        let id = id(&body)?;
        self.post(
            &format!("/api/v1/programmes/{id}/sessions"),
            Some(organiser),
            json!({"title": {"pl": "Warsztat"}, "activity_type": "workshop", "raise_budget": true,
                "starts_at": "2027-06-13T09:00:00+02:00", "ends_at": "2027-06-13T12:00:00+02:00"}),
            201,
        )
        .await?;
        self.post(
            &format!("/api/v1/programmes/{id}/publish"),
            Some(organiser),
            json!({}),
            200,
        )
        .await?;
        Ok(id)
    }

    /// Every registration of a programme, as its organiser sees them.
    pub async fn registrations(
        &self,
        organiser: &str,
        programme: &str,
    ) -> anyhow::Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => {
                    format!("/api/v1/programmes/{programme}/registrations?limit=200&cursor={c}")
                }
                None => format!("/api/v1/programmes/{programme}/registrations?limit=200"),
            };
            let page = self.get(&path, Some(organiser)).await?;
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return Ok(items),
            }
        }
    }
}
