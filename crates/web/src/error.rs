//! One error type for every handler. The user sees a friendly page with a request id;
//! the details go to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("the form has expired (CSRF token missing or wrong)")]
    Csrf,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("storage: {0}")]
    Store(#[from] store::StoreError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error("{0}")]
    Internal(String),
    /// A use case's error, mapped here once for every page.
    #[error(transparent)]
    App(#[from] app::Error),
}

/// Left on the response for the error-page middleware, which knows the locale and
/// the request id and renders the page.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage {
    pub status: StatusCode,
    /// Fluent message id of the explanation.
    pub message: &'static str,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Store(store::StoreError::NotFound(_) | store::StoreError::LinkRefused(_)) => {
                StatusCode::NOT_FOUND
            }
            AppError::Store(store::StoreError::Conflict { .. } | store::StoreError::Funnel(_)) => StatusCode::CONFLICT,
            AppError::App(e) => match e {
                app::Error::Refused(app::Refusal::Role) => StatusCode::FORBIDDEN,
                app::Error::Refused(_) | app::Error::Invalid(_) | app::Error::File(_) | app::Error::Select(_) => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                app::Error::NotFound(_) => StatusCode::NOT_FOUND,
                app::Error::Conflict(_) => StatusCode::CONFLICT,
                app::Error::Unexpected { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            },
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> &'static str {
        match self {
            AppError::Csrf => "error-page-csrf",
            _ => message_for(self.status()),
        }
    }
}

/// The error page's explanation for a status (a Fluent message id).
pub fn message_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => "error-page-not-found",
        StatusCode::FORBIDDEN => "error-page-forbidden",
        // "Changed meanwhile — reload", never a 500 (issue 11).
        StatusCode::CONFLICT => "error-page-conflict",
        s if s.is_client_error() => "error-page-bad-request",
        _ => "error-page-internal",
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::info!(error = %self, "request refused");
        }
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage { status, message: self.message() });
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
