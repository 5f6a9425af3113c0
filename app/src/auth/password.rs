//! argon2id password hashing at OWASP's parameters (19 MiB, 2 iterations, 1 lane).
//!
//! Hashing costs tens of milliseconds of CPU, so it runs on the blocking pool
//! (`web::block`), never on an actix worker thread.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Memory cost in KiB (`Params::new` takes KiB: 19 MiB is 19456, not 19).
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;

fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of a new hash with a fresh random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))
}

/// Checks a password against a stored hash, or against a dummy when there is none, so that a
/// wrong e-mail costs the same time as a wrong password.
pub fn verify(stored: Option<&str>, password: &str) -> bool {
    let target = match stored {
        Some(hash) => hash,
        None => dummy_hash(),
    };
    let Ok(parsed) = PasswordHash::new(target) else {
        return false;
    };
    let Ok(argon) = hasher() else {
        return false;
    };
    // Verification uses the parameters recorded in the hash itself.
    let ok = argon.verify_password(password.as_bytes(), &parsed).is_ok();
    ok && stored.is_some()
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("a password nobody has, hashed once").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_argon2id_at_owasp_parameters() -> anyhow::Result<()> {
        let h = hash("correct horse battery staple")?;
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(Some(&h), "correct horse battery staple"));
        assert!(!verify(Some(&h), "Correct horse battery staple"));
        assert!(!verify(None, "correct horse battery staple"));
        assert!(!verify(Some("not a hash"), "x"));
        Ok(())
    }
}
