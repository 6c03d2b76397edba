//! Opsøg's web app: server-rendered pages for staff, Danish by default.
//!
//! Handlers parse forms into domain types, ask `domain::policy` what the user may do,
//! and call the store; they hold no rules of their own.

pub mod assets;
pub mod auth;
mod config;
mod error;
pub mod i18n;
mod layout;
mod rate_limit;
mod routes;
mod security;
mod session;
mod time_fmt;

pub use config::{Municipality, WebConfig, letter_settings};
pub use error::AppError;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use domain::do_not_contact::DncKey;
use std::sync::Arc;
use store::SqlStore;

#[derive(Clone)]
pub struct AppState {
    pub store: SqlStore,
    pub config: Arc<WebConfig>,
    pub i18n: Arc<i18n::I18n>,
    /// Verified against when the user is unknown, so that a wrong username takes as
    /// long to refuse as a wrong password.
    pub dummy_hash: Arc<String>,
    pub dnc_key: Arc<DncKey>,
    pub logo: Option<Arc<(String, Vec<u8>)>>,
    /// Failed guesses at the public answer page.
    pub answer_limiter: Arc<rate_limit::Limiter>,
    /// Requests on the public open-door page: a flood is refused.
    pub open_door_limiter: Arc<rate_limit::Limiter>,
    /// The letter batch being sent, if one is: one at a time, and its progress.
    pub batch_progress: Arc<std::sync::Mutex<BatchProgress>>,
}

/// How far the letter batch being sent has come (`/letters/batch/progress`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BatchProgress {
    pub running: bool,
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    I18n(#[from] i18n::I18nError),
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
    #[error("reading the logo {path}: {source}")]
    Logo { path: String, source: std::io::Error },
}

impl AppState {
    pub fn new(store: SqlStore, config: WebConfig, dnc_key: DncKey) -> Result<AppState, StartError> {
        let logo = match &config.municipality.logo_path {
            None => None,
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|source| StartError::Logo { path: path.clone(), source })?;
                let mime = if path.ends_with(".svg") { "image/svg+xml" } else { "image/png" };
                Some(Arc::new((mime.to_string(), bytes)))
            }
        };
        Ok(AppState {
            store,
            config: Arc::new(config),
            i18n: Arc::new(i18n::I18n::load()?),
            dummy_hash: Arc::new(auth::hash_password("opsog dummy password for timing")?),
            dnc_key: Arc::new(dnc_key),
            logo,
            // 30 failed guesses a minute in all, 5 per visitor: a mistyped code is
            // retyped, a guesser waits.
            answer_limiter: Arc::new(rate_limit::Limiter::new(std::time::Duration::from_secs(60), 30, 5)),
            open_door_limiter: Arc::new(rate_limit::Limiter::new(std::time::Duration::from_secs(60), 20, 3)),
            batch_progress: Arc::default(),
        })
    }
}

pub fn router(state: AppState) -> Router {
    routes::routes()
        .route_layer(from_fn(security::record_route))
        .layer(from_fn_with_state(state.clone(), session::load_session))
        .layer(from_fn(security::request_span))
        .layer(from_fn_with_state(state.clone(), security::render_errors))
        .layer(from_fn(security::security_headers))
        .with_state(state)
}

/// Serves until ctrl-c or SIGTERM, then lets running requests finish.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
