//! The OAuth grants the sandbox has issued: authorization codes (in memory only, they live ten
//! minutes), access tokens and rotating refresh tokens (persisted, so an app's stored tokens keep
//! working across a restart of the in-process sandbox).

use crate::ids::{random_b64, random_hex, ts, uuid_v4};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Authorization codes expire after ten minutes (Calendly's documented lifetime).
pub const CODE_TTL_MINUTES: i64 = 10;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessToken {
    pub client_id: String,
    pub scope: String,
    #[serde(with = "ts")]
    pub issued_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
    /// Tokens descending from one authorization share a family, so revoking a refresh token can
    /// revoke the access tokens issued with it.
    pub family: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshToken {
    pub client_id: String,
    pub scope: String,
    #[serde(with = "ts")]
    pub issued_at: DateTime<Utc>,
    /// Rotation: a refresh token dies the moment it is exchanged.
    pub used: bool,
    pub revoked: bool,
    pub family: String,
}

#[derive(Clone, Debug)]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub scope: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

/// Why a bearer token was refused; each maps to Calendly's 401 message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    Invalid,
    Expired,
    Revoked,
}

impl AuthFailure {
    pub fn message(self) -> &'static str {
        match self {
            AuthFailure::Invalid => "The access token is invalid",
            AuthFailure::Expired => "The access token expired",
            AuthFailure::Revoked => "The access token was revoked",
        }
    }
}

/// Counts only: the snapshot never exposes token values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCounts {
    pub authorization_codes_issued: u64,
    pub access_tokens_issued: u64,
    pub refresh_tokens_issued: u64,
    pub active_access_tokens: u64,
    pub revocations: u64,
    /// Token requests with `grant_type=refresh_token`, answered or refused.
    pub refresh_requests: u64,
    /// Of those, the ones refused with `invalid_grant` (a spent, revoked or unknown token).
    pub refresh_refused: u64,
}

/// A freshly issued access + refresh pair.
#[derive(Clone, Debug)]
pub struct IssuedPair {
    pub access_token: String,
    pub refresh_token: String,
    pub scope: String,
    pub created_at: i64,
    pub expires_in: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TokenStore {
    pub access: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, RefreshToken>,
    #[serde(skip)]
    pub codes: HashMap<String, AuthCode>,
    pub codes_issued: u64,
    pub access_issued: u64,
    pub refresh_issued: u64,
    pub revocations: u64,
    #[serde(default)]
    pub refresh_requests: u64,
    #[serde(default)]
    pub refresh_refused: u64,
}

/// PKCE S256: base64url(SHA-256(verifier)) without padding.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl TokenStore {
    pub fn issue_code(
        &mut self,
        rng: &mut impl RngCore,
        client_id: &str,
        redirect_uri: &str,
        code_challenge: Option<String>,
        scope: &str,
        now: DateTime<Utc>,
    ) -> String {
        // Expired codes are dropped here so the map stays small without a sweeper task.
        self.codes.retain(|_, c| c.expires_at > now);
        let code = random_hex(rng, 32);
        self.codes.insert(
            code.clone(),
            AuthCode {
                client_id: client_id.to_string(),
                redirect_uri: redirect_uri.to_string(),
                code_challenge,
                scope: scope.to_string(),
                expires_at: now + TimeDelta::minutes(CODE_TTL_MINUTES),
                used: false,
            },
        );
        self.codes_issued += 1;
        code
    }

    /// Exchanges a code. The code is burnt by any attempt that names it, successful or not, so a
    /// client that retries a failed exchange learns it must restart the authorization.
    pub fn redeem_code(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        now: DateTime<Utc>,
    ) -> Option<AuthCode> {
        let entry = self.codes.get_mut(code)?;
        if entry.used {
            return None;
        }
        entry.used = true;
        let entry = entry.clone();
        let pkce_ok = match (&entry.code_challenge, verifier) {
            (Some(challenge), Some(v)) => pkce_challenge(v) == *challenge,
            (Some(_), None) => false,
            (None, _) => true,
        };
        let ok = entry.expires_at > now
            && entry.client_id == client_id
            && redirect_uri == Some(entry.redirect_uri.as_str())
            && pkce_ok;
        ok.then_some(entry)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn issue_pair(
        &mut self,
        rng: &mut impl RngCore,
        issuer: &str,
        user_uuid: &str,
        client_id: &str,
        scope: &str,
        family: Option<String>,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> IssuedPair {
        self.access
            .retain(|_, t| t.expires_at + TimeDelta::days(1) > now);
        let family = family.unwrap_or_else(|| uuid_v4(rng));
        let ttl_secs = ttl.as_secs();
        let expires_at =
            now + TimeDelta::milliseconds(ttl.as_millis().min(i64::MAX as u128) as i64);
        let access_token = jwt_looking(rng, issuer, user_uuid, client_id, scope, now, ttl_secs);
        let refresh_token = random_b64(rng, 32);
        self.access.insert(
            access_token.clone(),
            AccessToken {
                client_id: client_id.to_string(),
                scope: scope.to_string(),
                issued_at: now,
                expires_at,
                revoked: false,
                family: family.clone(),
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            RefreshToken {
                client_id: client_id.to_string(),
                scope: scope.to_string(),
                issued_at: now,
                used: false,
                revoked: false,
                family,
            },
        );
        self.access_issued += 1;
        self.refresh_issued += 1;
        IssuedPair {
            access_token,
            refresh_token,
            scope: scope.to_string(),
            created_at: now.timestamp(),
            expires_in: ttl_secs,
        }
    }

    /// Marks a refresh token used and returns it, or `None` when it is unknown, used, revoked or
    /// belongs to another client. The old access token stays valid until it expires.
    pub fn spend_refresh(&mut self, token: &str, client_id: &str) -> Option<RefreshToken> {
        let entry = self.refresh.get_mut(token)?;
        if entry.used || entry.revoked || entry.client_id != client_id {
            return None;
        }
        entry.used = true;
        Some(entry.clone())
    }

    pub fn check_access(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<&AccessToken, AuthFailure> {
        let t = self.access.get(token).ok_or(AuthFailure::Invalid)?;
        if t.revoked {
            Err(AuthFailure::Revoked)
        } else if t.expires_at <= now {
            Err(AuthFailure::Expired)
        } else {
            Ok(t)
        }
    }

    /// The client a token was issued to, if the token is known.
    pub fn owner_client(&self, token: &str) -> Option<&str> {
        self.access
            .get(token)
            .map(|t| t.client_id.as_str())
            .or_else(|| self.refresh.get(token).map(|t| t.client_id.as_str()))
    }

    /// RFC 7009: revoking a refresh token also revokes the access tokens of its family.
    pub fn revoke(&mut self, token: &str) {
        if let Some(t) = self.access.get_mut(token) {
            if !t.revoked {
                t.revoked = true;
                self.revocations += 1;
            }
            return;
        }
        let Some(r) = self.refresh.get_mut(token) else {
            return;
        };
        r.revoked = true;
        let family = r.family.clone();
        self.revocations += 1;
        for t in self.access.values_mut().filter(|t| t.family == family) {
            t.revoked = true;
        }
    }

    #[cfg(any(test, feature = "control"))]
    pub fn counts(&self, now: DateTime<Utc>) -> TokenCounts {
        TokenCounts {
            authorization_codes_issued: self.codes_issued,
            access_tokens_issued: self.access_issued,
            refresh_tokens_issued: self.refresh_issued,
            active_access_tokens: self
                .access
                .values()
                .filter(|t| !t.revoked && t.expires_at > now)
                .count() as u64,
            revocations: self.revocations,
            refresh_requests: self.refresh_requests,
            refresh_refused: self.refresh_refused,
        }
    }
}

/// Calendly's access tokens are long JWTs; clients must store them as unbounded text, so the
/// sandbox's look the same (the signature part is random: nobody verifies it).
fn jwt_looking(
    rng: &mut impl RngCore,
    issuer: &str,
    user_uuid: &str,
    client_id: &str,
    scope: &str,
    now: DateTime<Utc>,
    ttl: u64,
) -> String {
    let header = serde_json::json!({"kid": random_hex(rng, 32), "typ": "JWT", "alg": "ES512"});
    let claims = serde_json::json!({
        "iss": issuer,
        "iat": now.timestamp(),
        "exp": now.timestamp() + ttl as i64,
        "jti": uuid_v4(rng),
        "user_uuid": user_uuid,
        "app_uid": client_id,
        "scope": scope,
    });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        random_b64(rng, 96)
    )
}
