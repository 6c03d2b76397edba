//! Embeds the design system (dkfds, installed from npm by scripts/setup-assets) and
//! Opsøg's own assets into the binary, with one content hash for cache busting.
//! Only the files the dkfds stylesheet refers to are embedded, not the whole package.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Normalised, as the stylesheet's references are below: a prefix with `..` in it
    // never matched them, so no font or icon was embedded (issue 14, item 1).
    let root = normalise(&manifest.join("../.."));
    let dist = root.join("node_modules/dkfds/dist");
    let own = manifest.join("assets");
    println!("cargo:rerun-if-changed={}", own.display());
    println!("cargo:rerun-if-changed={}", root.join("node_modules/dkfds/package.json").display());

    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&own) {
        for e in entries.flatten() {
            if e.path().is_file() {
                files.push((format!("app/{}", e.file_name().to_string_lossy()), e.path()));
            }
        }
    }
    let css = dist.join("css/dkfds.min.css");
    match std::fs::read_to_string(&css) {
        Ok(text) => {
            files.push(("dkfds/css/dkfds.min.css".into(), css.clone()));
            files.push(("dkfds/js/dkfds.min.js".into(), dist.join("js/dkfds.min.js")));
            for reference in css_urls(&text) {
                let path = normalise(&dist.join("css").join(&reference));
                if let Ok(rel) = path.strip_prefix(&dist)
                    && path.is_file()
                {
                    let key = format!("dkfds/{}", rel.to_string_lossy());
                    if !files.iter().any(|(k, _)| *k == key) {
                        files.push((key, path.clone()));
                    }
                }
            }
        }
        Err(_) => println!("cargo:warning=dkfds is not installed; run scripts/setup-assets (pages will be unstyled)"),
    }
    files.sort();

    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::from("pub static ASSETS: &[(&str, &str, &[u8])] = &[\n");
    for (key, path) in &files {
        let bytes = std::fs::read(path).unwrap_or_default();
        for b in key.bytes().chain(bytes.iter().copied()) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let _ = writeln!(out, "    ({key:?}, {:?}, include_bytes!({:?})),", mime(key), path.display().to_string());
    }
    out.push_str("];\n");
    // Letters only (a nibble each, `a`–`p`): in hex, one build in some 300 was all
    // digits, and an asset URL then looked like a CPR number to the browser tests'
    // URL check and to anyone scanning the logs for one.
    let letters: String =
        (0..12).rev().map(|i| char::from(b'a' + u8::try_from((hash >> (i * 4)) & 0xf).unwrap_or(0))).collect();
    let _ = writeln!(out, "pub const ASSET_HASH: &str = \"{letters}\";");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("assets.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=could not write {}: {e}", dest.display());
    }
}

/// The `url(…)` references of a stylesheet, without quotes, fragments or queries.
fn css_urls(css: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = css;
    while let Some(i) = rest.find("url(") {
        rest = &rest[i + 4..];
        let end = rest.find(')').unwrap_or(rest.len());
        let raw = rest[..end].trim().trim_matches(|c| c == '"' || c == '\'');
        let clean = raw.split(['#', '?']).next().unwrap_or("");
        if !clean.is_empty() && !clean.starts_with("data:") && !clean.contains("://") {
            urls.push(clean.to_string());
        }
        rest = &rest[end..];
    }
    urls
}

fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn mime(key: &str) -> &'static str {
    match key.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "eot" => "application/vnd.ms-fontobject",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}
