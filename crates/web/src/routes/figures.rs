//! Funnel counts per initiative. Below coordinator level every figure goes through the
//! one suppression rule in `domain::suppression`.

use super::{deny, render, stage_label};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::layout::Layout;
use crate::session::CurrentUser;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::funnel::Stage;
use domain::policy::{self, Action, Reach};
use domain::suppression::{THRESHOLD, suppress_row};
use store::Store;

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
    let actor = cu.actor();
    if policy::action_reach(actor.role, Action::ViewFigures) != Reach::All {
        return Err(deny(&state, &cu, "GET /figures", None, AppError::Forbidden).await);
    }
    let l = Layout::new(&state, &cu.ctx, "/figures");
    let suppressed = policy::figures_suppressed(actor.role);
    let hidden = l.t1("figures-hidden", "threshold", THRESHOLD);
    let mut tables = Vec::new();
    for initiative in state.store.list_initiatives().await? {
        let counts = state.store.stage_counts(initiative.id).await?;
        let row: Vec<u64> = Stage::ALL
            .iter()
            .map(|s| counts.iter().find(|(code, _)| code == s.code()).map(|(_, n)| *n).unwrap_or(0))
            .collect();
        let (cells, total) = if suppressed {
            let r = suppress_row(&row, THRESHOLD);
            (r.cells, r.total)
        } else {
            (row.iter().map(|n| Some(*n)).collect(), Some(row.iter().sum()))
        };
        let show = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_else(|| hidden.clone());
        tables.push(Table {
            initiative: initiative.name,
            rows: Stage::ALL.iter().zip(cells).map(|(s, v)| (stage_label(&l, *s), show(v))).collect(),
            total: show(total),
        });
    }
    render(&FiguresPage { l, suppressed, tables })
}
