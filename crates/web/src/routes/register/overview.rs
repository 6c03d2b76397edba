//! A run and its overview (G-5.4): counts by country, area, age and years in
//! Denmark, suppressed below coordinator level.

use super::*;

// ---------------------------------------------------------------------------------
// A run and its overview (G-5.4)
// ---------------------------------------------------------------------------------

struct TableView {
    title: String,
    rows: Vec<(String, String)>,
    total: String,
}

#[derive(serde::Deserialize)]
struct UsedSource {
    kind: String,
    file_name: String,
    sha256: String,
    rows: u64,
}

#[derive(Template)]
#[template(path = "register_run.html")]
struct RunPage {
    l: Layout,
    at: String,
    by: String,
    legal_basis: String,
    plan_version: u32,
    rules_checksum: String,
    sources: Vec<(String, String, String, u64)>,
    dry: Option<DryRunView>,
    tables: Vec<TableView>,
    suppressed: bool,
    show_details: bool,
}

pub async fn run_page(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    const ORIGIN: &str = "GET /register/runs/{id}";
    require(&state, &cu, Action::ViewRunOverview, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    let run = search::run_overview(&state.app, &cu.caller(ORIGIN), id).await?;
    let overview: selection::Overview = serde_json::from_str(&run.overview).unwrap_or_default();
    // One rule for every aggregate below coordinator level (G-5.4, product.md).
    let suppressed = cu.user.role != domain::policy::Role::Coordinator;
    let shown = overview.shown(suppressed);
    let titles = ["overview-by-country", "overview-by-area", "overview-by-age", "overview-by-years"];
    let areas = state.store.list_areas().await?;
    let hidden = l.t("overview-hidden");
    let tables = titles
        .iter()
        .zip(shown.iter())
        .enumerate()
        .map(|(i, (title, t))| TableView {
            title: l.t(title),
            rows: t
                .rows
                .iter()
                .map(|(k, n)| {
                    let label = match i {
                        0 => domain::reference::country(k).map_or_else(|| k.clone(), |c| c.name_da.to_string()),
                        1 => areas.iter().find(|a| a.code == *k).map_or_else(|| k.clone(), |a| a.name.clone()),
                        _ => k.clone(),
                    };
                    (label, n.map_or_else(|| hidden.clone(), |n| n.to_string()))
                })
                .collect(),
            total: t.total.map_or_else(|| hidden.clone(), |n| n.to_string()),
        })
        .collect();
    let show_details = !suppressed;
    let sources: Vec<UsedSource> = serde_json::from_str(&run.sources).unwrap_or_default();
    let counts: Option<Counts> = serde_json::from_str(&run.counts).ok();
    let page = RunPage {
        at: crate::time_fmt::local(run.run_at),
        by: run.run_by_name,
        legal_basis: run.legal_basis,
        plan_version: run.plan_version,
        rules_checksum: run.rules_checksum.chars().take(12).collect(),
        sources: sources
            .into_iter()
            .map(|s| (kind_label(&l, &s.kind), s.file_name, s.sha256.chars().take(12).collect(), s.rows))
            .collect(),
        dry: counts.filter(|_| show_details).map(|c| dry_view(&l, &c)),
        tables,
        suppressed,
        show_details,
        l,
    };
    render(&page)
}
