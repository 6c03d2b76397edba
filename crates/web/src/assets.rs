//! Static files embedded at build time (see build.rs), served under a path holding
//! their content hash so browsers may cache them for good.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub fn find(path: &str) -> Option<(&'static str, &'static [u8])> {
    ASSETS.iter().find(|(p, _, _)| *p == path).map(|(_, mime, bytes)| (*mime, *bytes))
}

pub async fn serve(Path((hash, path)): Path<(String, String)>) -> Response {
    match find(&path) {
        Some((mime, bytes)) => {
            let cache = if hash == ASSET_HASH { "public, max-age=31536000, immutable" } else { "no-cache" };
            let mut r = bytes.into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
