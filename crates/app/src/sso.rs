//! Single sign-on through OpenID Connect (issue 13, item 5): the municipality's identity
//! broker (Context Handler, MitID Erhverv) proves who she is, and Opsøg logs her in as
//! her existing login. The authorisation-code flow with PKCE; the state, the nonce and
//! the PKCE verifier wait in a signed cookie the web sets ([`Pending`]); the ID token's
//! signature, issuer, audience, expiry and nonce are verified by `openidconnect`, then
//! `domain::sso` decides: an accepted assurance level, the municipality's organisation,
//! and a username that is an active login. A login is never created here, and a login
//! at an accepted level counts as two-factor, so it opens no second-factor stage.

use crate::sessions::{LoggedIn, create_at_stage};
use crate::{Caller, Ctx, Error};
use base64::Engine as _;
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::do_not_contact::DncKey;
use domain::sso::{SsoRefusal, SsoRules};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, reqwest,
};

/// The `[sso]` section of the configuration.
#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    /// The broker's issuer URL; its `/.well-known/openid-configuration` is read.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the broker sends her back: `<public url>/login/sso/callback`.
    pub redirect_url: String,
    /// Scopes besides `openid`, e.g. `profile`.
    pub scopes: Vec<String>,
    pub rules: SsoRules,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[hidden]")
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .field("rules", &self.rules)
            .finish()
    }
}

/// What a login begun here must find again when she comes back: kept by the web in a
/// signed, short-lived cookie, never in the database (no row for a visitor).
#[derive(Clone, PartialEq, Eq)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending { .. }")
    }
}

/// How long she may take at the broker.
pub const PENDING_LIFETIME: time::Duration = time::Duration::minutes(10);

const SEAL_PURPOSE: &str = "sso-pending";

impl Pending {
    /// This login and where she was going (`next`), signed with the server key, as a
    /// cookie's value: the fields in base64url, a dot, the signature. It keeps the login
    /// without a session row for a visitor.
    pub fn seal(&self, ctx: &Ctx, next: &str) -> String {
        seal_with(&ctx.dnc_key, self, next, ctx.clock.now().unix_timestamp())
    }

    /// The login and where she was going, if `sealed` is one this server signed less
    /// than [`PENDING_LIFETIME`] ago; `None` for anything else.
    pub fn open(ctx: &Ctx, sealed: &str) -> Option<(Pending, String)> {
        open_with(&ctx.dnc_key, sealed, ctx.clock.now().unix_timestamp())
    }
}

fn seal_with(key: &DncKey, pending: &Pending, next: &str, now: i64) -> String {
    let fields = [pending.state.as_str(), &pending.nonce, &pending.pkce_verifier, &now.to_string(), next].join("\n");
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(fields);
    let mac = key.mac(SEAL_PURPOSE, payload.as_bytes());
    format!("{payload}.{mac}")
}

fn open_with(key: &DncKey, sealed: &str, now: i64) -> Option<(Pending, String)> {
    let (payload, mac) = sealed.split_once('.')?;
    if !crate::auth::same_token(&key.mac(SEAL_PURPOSE, payload.as_bytes()), mac) {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.splitn(5, '\n');
    let (state, nonce, verifier, at, next) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let at: i64 = at.parse().ok()?;
    if now < at || now - at > PENDING_LIFETIME.whole_seconds() {
        return None;
    }
    let pending = Pending { state: state.into(), nonce: nonce.into(), pkce_verifier: verifier.into() };
    Some((pending, next.to_string()))
}

/// A login begun: where to send her, and what to keep until she comes back.
#[derive(Debug)]
pub struct Started {
    pub authorize_url: String,
    pub pending: Pending,
}

/// What her return from the broker came to.
pub enum Finished {
    LoggedIn(Box<LoggedIn>),
    /// Audited; the page says why.
    Refused(SsoRefusal),
}

/// The broker's answer as the callback gets it.
#[derive(Debug, Clone, Default)]
pub struct Callback {
    pub state: String,
    pub code: String,
    /// The broker's own refusal (`error=access_denied`), if it sent one.
    pub error: Option<String>,
    /// The visitor's session before the login, which ends.
    pub replaces: Option<String>,
}

fn http_client() -> Result<reqwest::Client, Error> {
    // No redirects: a token endpoint that redirects could send the code elsewhere.
    reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| Error::unexpected("building the HTTP client for single sign-on", e))
}

async fn discover(settings: &Settings, http: &reqwest::Client) -> Result<CoreProviderMetadata, Error> {
    let issuer = IssuerUrl::new(settings.issuer.clone())
        .map_err(|e| Error::unexpected(format!("the issuer URL {}", settings.issuer), e))?;
    CoreProviderMetadata::discover_async(issuer, http).await.map_err(|e| {
        Error::unexpected(format!("reading the identity broker's configuration at {}", settings.issuer), e)
    })
}

/// The broker as its configuration describes it: an authorisation endpoint, a token
/// endpoint and user info if it names them.
type Broker =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The broker, from its configuration read anew (its keys may have rotated).
async fn broker(settings: &Settings, http: &reqwest::Client) -> Result<Broker, Error> {
    let metadata = discover(settings, http).await?;
    let redirect = RedirectUrl::new(settings.redirect_url.clone())
        .map_err(|e| Error::unexpected(format!("the redirect URL {}", settings.redirect_url), e))?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(settings.client_secret.clone())),
    )
    .set_redirect_uri(redirect))
}

/// Begins a login: the broker's address with a fresh state, nonce and PKCE challenge,
/// asking for the accepted assurance levels.
pub async fn start(settings: &Settings) -> Result<Started, Error> {
    let http = http_client()?;
    let client = broker(settings, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge);
    for scope in &settings.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    for acr in &settings.rules.accepted_acr {
        request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
    }
    let (url, state, nonce) = request.url();
    Ok(Started {
        authorize_url: url.to_string(),
        pending: Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        },
    })
}

/// Her return from the broker: the state must be the one this login began with
/// (`pending`, `None` when the cookie was missing, forged or too old), the code is
/// exchanged for an ID token, which is verified, and `domain::sso` decides. Every
/// outcome is audited.
pub async fn finish(
    ctx: &Ctx,
    settings: &Settings,
    origin: &str,
    pending: Option<Pending>,
    callback: &Callback,
) -> Result<Finished, Error> {
    let refuse = |refusal: SsoRefusal, who: &str, detail: String| {
        let record = AuditRecord {
            actor: AuditActor::anonymous(who),
            action: AuditAction::LoginFailed,
            persons: vec![],
            origin: origin.into(),
            detail: format!("sso {}{detail}", refusal.code()),
        };
        async move {
            ctx.store.append_audit(&record).await?;
            Ok::<_, Error>(Finished::Refused(refusal))
        }
    };
    let Some(pending) = pending.filter(|p| crate::auth::same_token(&p.state, &callback.state)) else {
        return refuse(SsoRefusal::Expired, "sso", String::new()).await;
    };
    if let Some(error) = &callback.error {
        let error: String = error.chars().filter(char::is_ascii_alphanumeric).take(40).collect();
        return refuse(SsoRefusal::Broker, "sso", format!(": {error}")).await;
    }
    let http = http_client()?;
    let client = broker(settings, &http).await?;
    let exchange = match client.exchange_code(AuthorizationCode::new(callback.code.clone())) {
        Ok(request) => request.set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone())),
        Err(e) => return Err(Error::unexpected("the identity broker names no token endpoint", e)),
    };
    let tokens = match exchange.request_async(&http).await {
        Ok(tokens) => tokens,
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on: the token request failed");
            return refuse(SsoRefusal::Broker, "sso", ": token request failed".into()).await;
        }
    };
    use openidconnect::TokenResponse as _;
    let Some(id_token) = tokens.id_token() else {
        return refuse(SsoRefusal::Broker, "sso", ": no ID token".into()).await;
    };
    let verifier = client.id_token_verifier();
    let claims = match id_token.claims(&verifier, &Nonce::new(pending.nonce.clone())) {
        Ok(claims) => claims,
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on: the ID token did not verify");
            return refuse(SsoRefusal::Broker, "sso", ": ID token not verified".into()).await;
        }
    };
    // Claims of the broker's own (the organisation's CVR number) are not in
    // openidconnect's standard set: they are read from the token just verified.
    let all = payload_claims(&id_token.to_string())?;
    let claim = |name: &str| all.get(name).and_then(claim_text);
    let acr = claims.auth_context_ref().map(|a| a.to_string());
    let who = claim(&settings.rules.user_claim).unwrap_or_else(|| "sso".into());
    let username = match settings.rules.username(acr.as_deref(), claim) {
        Ok(username) => username,
        Err(refusal) => return refuse(refusal, &who, String::new()).await,
    };
    let Some((user, _)) = ctx.store.find_login(&username).await? else {
        return refuse(SsoRefusal::NoLogin, &username, String::new()).await;
    };
    if let Some(old) = &callback.replaces {
        ctx.store.delete_session(old).await?;
    }
    let session = create_at_stage(ctx, Some(user.id), None).await?;
    let detail = format!("sso acr={}", acr.unwrap_or_default());
    ctx.store.append_audit(&Caller::new(user.clone(), origin).audit(AuditAction::Login, vec![], detail)).await?;
    Ok(Finished::LoggedIn(Box::new(LoggedIn { user, session, stage: None })))
}

/// The claims of a JWT's payload, as JSON.
fn payload_claims(jwt: &str) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    let payload = jwt.split('.').nth(1).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| Error::unexpected("reading the ID token's claims", e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::unexpected("reading the ID token's claims", e))
}

/// A claim's value as text: a string, or a number (a CVR number may come as one).
fn claim_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_token_s_own_claims_are_read_from_its_payload_and_numbers_count_as_text() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"sub":"x","cvr":29189900,"preferred_username":"mette","groups":["a"]}"#);
        let claims = payload_claims(&format!("header.{payload}.signature")).unwrap();
        assert_eq!(claims.get("cvr").and_then(claim_text).as_deref(), Some("29189900"));
        assert_eq!(claims.get("preferred_username").and_then(claim_text).as_deref(), Some("mette"));
        assert_eq!(claims.get("groups").and_then(claim_text), None);
        assert!(payload_claims("not a token").is_err());
    }

    #[test]
    fn a_pending_login_opens_only_as_sealed_by_this_key_and_within_ten_minutes() {
        let key = DncKey::new(vec![7; 32]).unwrap();
        let other = DncKey::new(vec![8; 32]).unwrap();
        let pending = Pending { state: "st".into(), nonce: "no".into(), pkce_verifier: "ve".into() };
        let sealed = seal_with(&key, &pending, "/people?x=1;y", 1_000);
        assert!(sealed.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{sealed}");
        assert_eq!(open_with(&key, &sealed, 1_600), Some((pending.clone(), "/people?x=1;y".into())));
        assert_eq!(open_with(&key, &sealed, 1_601), None, "more than ten minutes old");
        assert_eq!(open_with(&key, &sealed, 999), None, "from the future");
        assert_eq!(open_with(&other, &sealed, 1_000), None, "another key");
        assert_eq!(open_with(&key, &sealed.replace('.', "x."), 1_000), None, "changed");
        assert_eq!(open_with(&key, "no-dot", 1_000), None);
    }

    #[test]
    fn the_client_secret_and_the_pending_login_never_show_in_debug() {
        let settings = Settings {
            issuer: "https://broker.example".into(),
            client_id: "opsog".into(),
            client_secret: "s3cret-value".into(),
            redirect_url: "https://opsog.example/login/sso/callback".into(),
            scopes: vec![],
            rules: SsoRules {
                accepted_acr: vec!["high".into()],
                organisation_claim: "cvr".into(),
                organisation: "29189900".into(),
                user_claim: "preferred_username".into(),
            },
        };
        assert!(!format!("{settings:?}").contains("s3cret"));
        let pending = Pending { state: "st4te".into(), nonce: "n0nce".into(), pkce_verifier: "v3rifier".into() };
        let shown = format!("{pending:?}");
        assert!(!shown.contains("st4te") && !shown.contains("v3rifier"));
    }
}
