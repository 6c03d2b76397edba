//! The queue of uncertain links from lists without CPR, and the decisions on them.

use super::*;

// ---------------------------------------------------------------------------------
// Review queue
// ---------------------------------------------------------------------------------

struct ReviewRow {
    id: String,
    probability: String,
    list: String,
    list_name: String,
    list_birth: String,
    list_phone: String,
    name: String,
    birth: String,
    cpr: String,
    address: String,
    /// Why the link was made and why not certainly, one line each (issue 12, item 6).
    why: Vec<String>,
}

/// The stored reasons of a link in the page's language: each field's agreement, then
/// the doubts (`register::select::LinkWhy`).
fn why_lines(l: &Layout, evidence: &str) -> Vec<String> {
    let why = register::select::LinkWhy::parse(evidence);
    let field = |f: &str| l.t(&format!("why-field-{f}"));
    let fields = why.fields.iter().map(|(f, agreement)| format!("{}: {}", field(f), l.t(&format!("why-{agreement}"))));
    let doubts = why.doubts.iter().map(|d| match d.split_once(':') {
        Some((code, f)) => format!("{}: {}", field(f), l.t(&format!("why-doubt-{code}"))),
        None => l.t(&format!("why-doubt-{d}")),
    });
    fields.chain(doubts).collect()
}

#[derive(Template)]
#[template(path = "register_review.html")]
struct ReviewPage {
    l: Layout,
    rows: Vec<ReviewRow>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    decided: Option<String>,
}

pub async fn review(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<ReviewQuery>,
) -> AppResult<Response> {
    const ORIGIN: &str = "GET /register/review";
    require(&state, &cu, Action::ReviewLinks, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register/review");
    let pending = search::review_queue(&state.app, &cu.caller(ORIGIN)).await?;
    let rows = pending
        .into_iter()
        .map(|r| {
            let c = r.candidate.as_ref();
            ReviewRow {
                id: r.id.to_string(),
                probability: format!("{:.0} %", r.probability * 100.0),
                list: format!("{} · {}", r.list_file, l.t1("read-error-row", "row", r.list_row)),
                list_name: r.list_name,
                list_birth: r.list_birth_date.map(|d| d.to_string()).unwrap_or_default(),
                list_phone: r.list_phone.unwrap_or_default(),
                name: c.map(|c| format!("{} {}", c.given_name, c.family_name)).unwrap_or_default(),
                birth: c.map(|c| c.birth_date.to_string()).unwrap_or_default(),
                cpr: c.and_then(|c| domain::Cpr::parse(&c.cpr).ok()).map(|c| c.masked()).unwrap_or_default(),
                address: c
                    .map(|c| {
                        [c.street.clone(), c.postcode.clone(), c.city.clone()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
                why: why_lines(&l, &r.evidence),
            }
        })
        .collect();
    let message = match q.decided.as_deref() {
        Some("confirm") => Some(l.t("review-confirmed")),
        Some("reject") => Some(l.t("review-rejected")),
        _ => None,
    };
    render(&ReviewPage { l, rows, message })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
}

pub async fn decide(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/review/{id}";
    require(&state, &cu, Action::ReviewLinks, ORIGIN).await?;
    let decision = match form.decision.as_str() {
        "confirm" => LinkDecision::Confirm,
        "reject" => LinkDecision::Reject,
        _ => return Err(AppError::BadRequest("unknown decision")),
    };
    match search::decide(&state.app, &cu.caller(ORIGIN), id, decision).await {
        // Decided meanwhile by a colleague: the queue shows what is left.
        Ok(_) | Err(app::Error::Conflict(_)) => {
            Ok(Redirect::to(&format!("/register/review?decided={}", form.decision)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
