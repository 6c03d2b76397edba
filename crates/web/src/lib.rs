//! Opsøg's web app: server-rendered pages for staff, Danish by default.
//!
//! Handlers parse forms into domain types, ask `domain::policy` what the user may do,
//! and call the store; they hold no rules of their own.

pub mod access;
pub mod assets;
pub mod auth;
mod client;
mod config;
mod error;
pub mod i18n;
mod layout;
mod public_form;
mod rate_limit;
mod routes;
mod security;
mod session;
mod time_fmt;

pub use config::{Municipality, WebConfig};
pub use error::AppError;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use domain::do_not_contact::DncKey;
use std::sync::Arc;
use store::SqlStore;

#[derive(Clone)]
pub struct AppState {
    /// What the use cases work with; handlers call `app` with it.
    pub app: app::Ctx,
    pub store: SqlStore,
    pub config: Arc<WebConfig>,
    pub i18n: Arc<i18n::I18n>,
    /// Verified against when the user is unknown, so that a wrong username takes as
    /// long to refuse as a wrong password.
    pub dummy_hash: Arc<String>,
    pub dnc_key: Arc<DncKey>,
    pub logo: Option<Arc<(String, Vec<u8>)>>,
    /// The public pages' budgets, per client address (issue 13, item 9).
    pub limits: Arc<rate_limit::PublicLimits>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    I18n(#[from] i18n::I18nError),
    #[error(transparent)]
    Auth(#[from] app::auth::AuthError),
    #[error(transparent)]
    App(#[from] app::Error),
}

impl AppState {
    /// The app as `opsog serve` starts it, and as tests make it.
    pub fn new(store: SqlStore, config: WebConfig, dnc_key: DncKey) -> Result<AppState, StartError> {
        let logo = app::settings::read_logo(&config.municipality)?;
        let letters = app::settings::letter_settings(
            &config.municipality,
            logo.as_deref(),
            &config.public_base_url,
            config.letters_dir.clone(),
        );
        let ctx = app::Ctx::new(store, dnc_key, config.extract_dir.clone(), letters);
        AppState::with_ctx(ctx, config)
    }

    /// The app on a context the caller made (the CLI's, shared with its commands).
    pub fn with_ctx(app: app::Ctx, config: WebConfig) -> Result<AppState, StartError> {
        let logo = match (&config.municipality.logo_path, &app.letters.identity.logo) {
            (Some(path), Some(bytes)) => {
                let mime = if path.ends_with(".svg") { "image/svg+xml" } else { "image/png" };
                Some(Arc::new((mime.to_string(), bytes.clone())))
            }
            _ => None,
        };
        Ok(AppState {
            store: app.store.clone(),
            dnc_key: app.dnc_key.clone(),
            app,
            config: Arc::new(config),
            i18n: Arc::new(i18n::I18n::load()?),
            dummy_hash: Arc::new(app::auth::hash_password("opsog dummy password for timing")?),
            logo,
            limits: Arc::new(rate_limit::PublicLimits::default()),
        })
    }
}

pub fn router(state: AppState) -> Router {
    routes::routes()
        .route_layer(from_fn_with_state(state.clone(), access::enforce))
        .route_layer(from_fn(security::record_route))
        .layer(from_fn_with_state(state.clone(), session::load_session))
        .layer(from_fn(security::request_span))
        .layer(from_fn_with_state(state.clone(), security::render_errors))
        .layer(from_fn_with_state(state.clone(), security::security_headers))
        .with_state(state)
}

/// Serves until ctrl-c or SIGTERM, then lets running requests finish.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    // The peer's address reaches the handlers for the login and public-page limits.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
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
