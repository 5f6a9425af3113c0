//! Access tokens (JWT, HS256) and opaque tokens (refresh and API tokens).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Prefix of API tokens, so that they are recognised (and found by secret scanners).
pub const API_TOKEN_PREFIX: &str = "kpt_";
/// Prefix of refresh tokens.
pub const REFRESH_TOKEN_PREFIX: &str = "kpr_";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The account id.
    pub sub: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    /// The session the token was issued in; revoking the session revokes the token.
    pub sid: Uuid,
}

/// Signs and checks access tokens.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    pub ttl: Duration,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl: Duration) -> Self {
        // Pin the algorithm (no `alg: none`, no key confusion), require every claim we rely on,
        // and allow only a few seconds of clock skew instead of the library's 60.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.leeway = 5;
        validation.validate_exp = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            ttl,
        }
    }

    pub fn issue(
        &self,
        account: Uuid,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(900);
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: account,
            iat: now.timestamp(),
            exp: now.timestamp() + ttl,
            jti: Uuid::now_v7(),
            sid: session,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of a valid token; `None` for anything forged, expired or malformed.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A new opaque token: the prefix and 256 random bits, base64url.
pub fn new_opaque(prefix: &str) -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// SHA-256, hex: how opaque tokens are stored. They carry 256 random bits, so a fast hash
/// suffices; a leaked table reveals no usable token.
pub fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            &[7u8; 32],
            "kompetens",
            "kompetens-api",
            Duration::from_secs(900),
        )
    }

    #[test]
    fn a_fresh_token_verifies_and_a_tampered_one_does_not() -> anyhow::Result<()> {
        let k = keys();
        let (account, session) = (Uuid::now_v7(), Uuid::now_v7());
        let token = k.issue(account, session, Utc::now())?;
        let claims = k
            .verify(&token)
            .ok_or_else(|| anyhow::anyhow!("should verify"))?;
        assert_eq!((claims.sub, claims.sid), (account, session));
        let mut tampered = token.clone();
        tampered.push('x');
        assert!(k.verify(&tampered).is_none());
        Ok(())
    }

    #[test]
    fn other_issuers_audiences_keys_and_expired_tokens_are_refused() -> anyhow::Result<()> {
        let k = keys();
        let other_aud = JwtKeys::new(
            &[7u8; 32],
            "kompetens",
            "someone-else",
            Duration::from_secs(900),
        );
        let other_iss = JwtKeys::new(
            &[7u8; 32],
            "evil",
            "kompetens-api",
            Duration::from_secs(900),
        );
        let other_key = JwtKeys::new(
            &[8u8; 32],
            "kompetens",
            "kompetens-api",
            Duration::from_secs(900),
        );
        let (a, s) = (Uuid::now_v7(), Uuid::now_v7());
        for forger in [&other_aud, &other_iss, &other_key] {
            assert!(k.verify(&forger.issue(a, s, Utc::now())?).is_none());
        }
        let old = Utc::now() - chrono::Duration::seconds(3600);
        assert!(k.verify(&k.issue(a, s, old)?).is_none());
        Ok(())
    }

    #[test]
    fn unsigned_tokens_are_refused() {
        // {"alg":"none"} with valid-looking claims.
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(
            format!(
                r#"{{"iss":"kompetens","aud":"kompetens-api","sub":"{}","iat":{},"exp":{},"jti":"{}","sid":"{}"}}"#,
                Uuid::now_v7(),
                Utc::now().timestamp(),
                Utc::now().timestamp() + 600,
                Uuid::now_v7(),
                Uuid::now_v7()
            )
            .as_bytes(),
        );
        assert!(keys().verify(&format!("{header}.{body}.")).is_none());
    }

    #[test]
    fn opaque_tokens_are_long_random_and_stored_as_digests() -> anyhow::Result<()> {
        let a = new_opaque(API_TOKEN_PREFIX)?;
        let b = new_opaque(API_TOKEN_PREFIX)?;
        assert_ne!(a, b);
        assert!(a.starts_with("kpt_") && a.len() == 4 + 43);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), digest(&b));
        Ok(())
    }
}
