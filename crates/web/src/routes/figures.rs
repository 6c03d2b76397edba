//! Funnel counts per initiative. Below coordinator level every figure goes through the
//! one suppression rule in `domain::suppression`.

use super::{render, stage_label};
use crate::AppState;
use crate::error::AppResult;
use crate::layout::Layout;
use crate::session::CurrentUser;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::funnel::Stage;
use domain::suppression::THRESHOLD;

pub struct Table {
    pub initiative: String,
    pub rows: Vec<(String, String)>,
    pub total: String,
}

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    l: Layout,
    suppressed: bool,
    tables: Vec<Table>,
}

pub async fn show(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let figures = app::overview::figures(&state.app, &cu.caller("GET /figures")).await?;
    let l = Layout::new(&state, &cu.ctx, "/figures");
    let hidden = l.t1("figures-hidden", "threshold", THRESHOLD);
    let show = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_else(|| hidden.clone());
    let tables = figures
        .tables
        .into_iter()
        .map(|t| Table {
            initiative: t.initiative,
            rows: Stage::ALL.iter().zip(t.cells).map(|(s, v)| (stage_label(&l, *s), show(v))).collect(),
            total: show(t.total),
        })
        .collect();
    render(&FiguresPage { l, suppressed: figures.suppressed, tables })
}
