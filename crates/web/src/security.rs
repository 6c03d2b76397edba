//! Middleware every response passes: request id and span, security headers, and the
//! rendering of error pages.

use crate::AppState;
use crate::error::ErrorPage;
use crate::layout::Layout;
use crate::session::Ctx;
use askama::Template;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tracing::Instrument;

/// Gives every request an id (shown on error pages) and a span; the route template is
/// filled in by `record_route` once routing has matched.
pub async fn request_span(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    let span = tracing::info_span!("request", method = %req.method(), route = tracing::field::Empty, request_id = %id);
    let mut response = next.run(req).instrument(span.clone()).await;
    span.in_scope(|| tracing::debug!(status = response.status().as_u16(), "response"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
    }
    response
}

/// Names the span by its route template, never the concrete path, which may hold an id.
pub async fn record_route(req: Request, next: Next) -> Response {
    if let Some(m) = req.extensions().get::<MatchedPath>() {
        tracing::Span::current().record("route", m.as_str());
    }
    next.run(req).await
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    if state.config.secure_cookies {
        // Served over HTTPS (secure cookies say so): the browser is to come back over
        // HTTPS only, for a year (issue 13, item 4).
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        // Pages carry personal data: no browser or proxy may keep them.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    l: Layout,
    message: String,
    request_id: String,
    status: u16,
}

/// Turns an `ErrorPage` marker left by a handler into a page in the user's language.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    // A handler's own error leaves its marker; an error from outside the handlers (a
    // malformed id in the path, a form that does not parse, a body too large, a method
    // the route lacks) comes as axum's plain English text, and gets the same page in
    // the user's language (issue 14, item 6).
    let marked = response.extensions().get::<ErrorPage>().copied();
    let plain = || {
        let status = response.status();
        let text = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v.starts_with("text/plain"));
        ((status.is_client_error() || status.is_server_error()) && text)
            .then(|| ErrorPage { status, message: crate::error::message_for(status) })
    };
    let Some(page) = marked.or_else(plain) else {
        return response;
    };
    // This layer sits outside the session and span layers; they leave what it needs
    // on the response.
    let ctx = response.extensions().get::<Ctx>().cloned().unwrap_or_default();
    let request_id =
        response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string).unwrap_or_default();
    let l = Layout::new(&state, &ctx, &path);
    let t =
        ErrorTemplate { message: l.t(page.message), l, request_id: request_id.clone(), status: page.status.as_u16() };
    match t.render() {
        Ok(html) => {
            let mut r = (page.status, Html(html)).into_response();
            if let Ok(v) = HeaderValue::from_str(&request_id) {
                r.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
            }
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            page.status.into_response()
        }
    }
}
