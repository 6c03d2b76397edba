//! Uploading an extract and mapping its columns (G-5.1): the file is checked whole
//! before anything is kept.

use super::*;
use register::kinds::ExtractFields;

// ---------------------------------------------------------------------------------
// Upload and mapping
// ---------------------------------------------------------------------------------

/// Why an upload was not kept; the file written so far is deleted before this is shown.
enum Refused {
    Incomplete,
    Interrupted,
    TooLarge,
}

pub async fn upload(State(state): State<AppState>, cu: CurrentUser, mut form: Multipart) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/upload";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    let caller = cu.caller(ORIGIN);
    let mut upload = search::start_upload(&state.app, &caller, state.config.max_upload_bytes).await?;
    let received = receive(&cu, &mut form, &mut upload).await;
    let (kind, file_name) = match received {
        Ok(Ok(got)) => got,
        Ok(Err(why)) => {
            // A refused or interrupted upload leaves nothing behind (issue 13, item 3).
            upload.abandon(&state.app);
            let text = match why {
                Refused::Incomplete => l.t("register-error-upload-incomplete"),
                Refused::Interrupted => l.t("register-error-upload-interrupted"),
                Refused::TooLarge => {
                    l.t1("register-error-upload-too-large", "mib", state.config.max_upload_bytes >> 20)
                }
            };
            return hub(&state, &cu, &initiative, None, Some(text), None).await;
        }
        Err(e) => {
            upload.abandon(&state.app);
            return Err(e);
        }
    };
    match upload.keep(&state.app, &caller, kind, &file_name).await {
        Ok(id) => Ok(Redirect::to(&format!("/register/uploads/{id}")).into_response()),
        Err(app::Error::Invalid(_)) => {
            let name = search::clean_file_name(&file_name);
            let text = l.t1("read-error-empty-file", "file", name) + " " + &l.t("read-error-nothing-imported");
            hub(&state, &cu, &initiative, None, Some(text), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Feeds the form's file to the upload, at most the configured size. The token comes
/// first in the form; nothing is written without it.
async fn receive(
    cu: &CurrentUser,
    form: &mut Multipart,
    upload: &mut search::Upload,
) -> AppResult<Result<(ExtractKind, String), Refused>> {
    let mut csrf = String::new();
    let mut kind = None;
    let mut file_name = None;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Ok(Err(Refused::Interrupted)),
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|_| AppError::BadRequest("unreadable upload"))?,
            Some("kind") => {
                let text = field.text().await.map_err(|_| AppError::BadRequest("unreadable upload"))?;
                kind = ExtractKind::from_code(text.trim());
            }
            Some("file") => {
                crate::session::check_csrf(&cu.ctx, &csrf)?;
                file_name = Some(field.file_name().unwrap_or("").to_string());
                loop {
                    let chunk = match field.chunk().await {
                        Ok(Some(chunk)) => chunk,
                        Ok(None) => break,
                        Err(_) => return Ok(Err(Refused::Interrupted)),
                    };
                    if upload.write(&chunk).await?.is_err() {
                        return Ok(Err(Refused::TooLarge));
                    }
                }
            }
            _ => {}
        }
    }
    crate::session::check_csrf(&cu.ctx, &csrf)?;
    match (kind, file_name) {
        (Some(kind), Some(file_name)) => Ok(Ok((kind, file_name))),
        _ => Ok(Err(Refused::Incomplete)),
    }
}

fn read_pending(
    state: &AppState,
    cu: &CurrentUser,
    id: Uuid,
) -> AppResult<(search::PendingUpload, std::path::PathBuf)> {
    search::pending_upload(&state.app, &cu.caller("register upload"), id).map_err(|_| AppError::NotFound)
}

struct MappingRow {
    field: FormField,
}

#[derive(Template)]
#[template(path = "register_mapping.html")]
struct MappingPage {
    l: Layout,
    id: String,
    file_name: String,
    kind: String,
    format: String,
    headers: Vec<String>,
    sample: Vec<Vec<String>>,
    rows: Vec<MappingRow>,
    sheets: Vec<Opt>,
    encodings: Vec<Opt>,
    is_xlsx: bool,
    problems: Vec<String>,
    /// The header row found (or chosen), and the coordinator's choice as typed.
    header_row: u64,
    header_row_input: String,
    /// A date the file's title row names, and the date given for the extract.
    title_date: String,
    as_of: String,
}

/// What the coordinator chose on the mapping page, shown again with its problems.
struct Chosen {
    mapping: Mapping,
    problems: Vec<String>,
    header_row_input: String,
    as_of: String,
}

/// A sample cell as shown: a CPR number masked (the page needs the columns' look,
/// not her number).
fn shown_cell(cell: &str) -> String {
    match domain::Cpr::parse(cell) {
        Ok(cpr) => cpr.masked(),
        Err(_) => cell.chars().take(40).collect(),
    }
}

async fn mapping_page(state: &AppState, cu: &CurrentUser, id: Uuid, chosen: Option<Chosen>) -> AppResult<Response> {
    let l = Layout::new(state, &cu.ctx, "/register");
    let (meta, file) = read_pending(state, cu, id)?;
    let sheet = chosen.as_ref().and_then(|c| c.mapping.sheet.clone());
    let header_row = chosen.as_ref().and_then(|c| c.mapping.header_row);
    let inspection = match search::inspect(file.clone(), meta.file_name.clone(), sheet, header_row).await {
        Ok(i) => i,
        Err(e) => {
            search::remove_pending(&state.app, id);
            let initiative = crate::routes::current_initiative(state).await?.ok_or(AppError::NotFound)?;
            return hub(state, cu, &initiative, None, Some(error_text(&l, &e)), None).await;
        }
    };
    let failed = chosen.as_ref().is_some_and(|c| !c.problems.is_empty());
    let (mapping, problems, header_row_input, as_of) = match chosen {
        Some(c) => (c.mapping, c.problems, c.header_row_input, c.as_of),
        None => {
            let mapping = search::mapping_for(&state.app, meta.kind, &inspection.headers).await?;
            let header_row_input = mapping.header_row.map(|r| r.to_string()).unwrap_or_default();
            (mapping, Vec::new(), header_row_input, String::new())
        }
    };
    let rows = meta
        .kind
        .fields()
        .iter()
        .map(|spec| {
            let current = mapping.columns.get(&spec.field).cloned().unwrap_or_default();
            let mut options = vec![Opt::new("", l.t("register-not-mapped"), current.is_empty())];
            options.extend(inspection.headers.iter().map(|h| Opt::new(h.clone(), h.clone(), *h == current)));
            let mut f = FormField::select(
                spec.field.code(),
                l.t(&format!("register-field-{}", spec.field.code().replace('_', "-"))),
                options,
            );
            f.required = spec.need == Need::Required;
            if spec.need == Need::NameGroup {
                f.hint = Some(l.t("register-hint-name-group"));
            }
            MappingRow { field: f }
        })
        .collect();
    let is_xlsx = matches!(inspection.format, register::read::Format::Xlsx);
    let format = match inspection.format {
        register::read::Format::Xlsx => "XLSX".to_string(),
        // Named for people, not for the code (issue 14, item 6): "semikolon", "UTF-8 (Unicode)".
        register::read::Format::Csv { separator, encoding } => {
            let separator = match separator {
                b';' => l.t("register-separator-semicolon"),
                b',' => l.t("register-separator-comma"),
                b'\t' => l.t("register-separator-tab"),
                b'|' => l.t("register-separator-pipe"),
                other => format!("«{}»", char::from(other)),
            };
            let encoding = match encoding {
                register::read::Encoding::Utf8 => l.t("register-found-utf8"),
                register::read::Encoding::Utf8Bom => l.t("register-found-utf8-bom"),
                register::read::Encoding::Windows1252 => l.t("register-found-windows1252"),
            };
            format!("CSV · {separator} · {encoding}")
        }
    };
    let encodings = [EncodingChoice::Auto, EncodingChoice::Utf8, EncodingChoice::Windows1252]
        .iter()
        .map(|e| {
            let code = match e {
                EncodingChoice::Auto => "auto",
                EncodingChoice::Utf8 => "utf8",
                EncodingChoice::Windows1252 => "windows1252",
            };
            Opt::new(code, l.t(&format!("register-encoding-{code}")), *e == mapping.encoding)
        })
        .collect();
    let sheets = inspection
        .sheets
        .iter()
        .map(|s| Opt::new(s.clone(), s.clone(), mapping.sheet.as_deref() == Some(s.as_str())))
        .collect();
    let page = MappingPage {
        id: id.to_string(),
        file_name: meta.file_name.clone(),
        kind: kind_label(&l, meta.kind.code()),
        format,
        headers: inspection.headers.clone(),
        sample: inspection.sample.iter().map(|r| r.iter().map(|c| shown_cell(c)).collect()).collect(),
        rows,
        sheets,
        encodings,
        is_xlsx,
        problems,
        header_row: inspection.header_row,
        header_row_input,
        title_date: inspection.title_date.map(domain::text::danish_date).unwrap_or_default(),
        as_of,
        l,
    };
    let mut r = render(&page)?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn mapping_show(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<Uuid>) -> AppResult<Response> {
    require(&state, &cu, Action::RegisterSearch, "GET /register/uploads/{id}").await?;
    mapping_page(&state, &cu, id, None).await
}

pub async fn mapping_save(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    const ORIGIN: &str = "POST /register/uploads/{id}";
    let initiative = require(&state, &cu, Action::RegisterSearch, ORIGIN).await?;
    let l = Layout::new(&state, &cu.ctx, "/register");
    let (meta, file) = read_pending(&state, &cu, id)?;
    let mut columns = BTreeMap::new();
    for spec in meta.kind.fields() {
        if let Some(h) = form.get(spec.field.code()).map(|h| h.trim()).filter(|h| !h.is_empty()) {
            columns.insert(spec.field, h.to_string());
        }
    }
    let encoding = match form.get("encoding").map(String::as_str) {
        Some("utf8") => EncodingChoice::Utf8,
        Some("windows1252") => EncodingChoice::Windows1252,
        _ => EncodingChoice::Auto,
    };
    let sheet = form.get("sheet").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let header_row_input = form.get("header_row").map(|s| s.trim().to_string()).unwrap_or_default();
    let as_of_input = form.get("as_of").map(|s| s.trim().to_string()).unwrap_or_default();
    let mut texts = Vec::new();
    let header_row = match header_row_input.as_str() {
        "" => None,
        s => match s.parse::<u64>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                texts.push(l.t("error-header-row"));
                None
            }
        },
    };
    let as_of = match as_of_input.as_str() {
        "" => None,
        s => match time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")) {
            Ok(d) => Some(d),
            Err(_) => {
                texts.push(l.t("error-as-of"));
                None
            }
        },
    };
    let mapping = Mapping { kind: meta.kind, columns, sheet, encoding, header_row };
    let headers = search::inspect(file.clone(), meta.file_name.clone(), mapping.sheet.clone(), header_row)
        .await
        .map(|i| i.headers)
        .unwrap_or_default();
    if let Err(problems) = mapping.check(&headers) {
        texts.extend(problems.iter().map(|p| mapping_problem_text(&l, p)));
    }
    if !texts.is_empty() {
        let chosen = Chosen { mapping, problems: texts, header_row_input, as_of: as_of_input };
        return mapping_page(&state, &cu, id, Some(chosen)).await;
    }
    let input = ImportInput {
        file: file.clone(),
        file_name: meta.file_name.clone(),
        mapping: mapping.clone(),
        move_file: true,
        as_of,
    };
    let imported = search::import(&state.app, &cu.caller(ORIGIN), input).await;
    match imported {
        Ok(record) => {
            search::remove_pending(&state.app, id);
            Ok(Redirect::to(&format!("/register?imported={}", record.rows)).into_response())
        }
        // A date the file does not tell (or one after today): the coordinator gives it on
        // the same page, the upload kept meanwhile.
        Err(app::Error::Invalid(errors)) => {
            let problems = errors.0.iter().map(|e| l.t(e.message)).collect();
            let chosen = Chosen { mapping, problems, header_row_input, as_of: as_of_input };
            mapping_page(&state, &cu, id, Some(chosen)).await
        }
        Err(e) => {
            // Nothing from a file with an error is kept (issue 3, bad input).
            search::remove_pending(&state.app, id);
            hub(&state, &cu, &initiative, None, Some(error_text(&l, &e)), None).await
        }
    }
}

fn mapping_problem_text(l: &Layout, p: &register::mapping::MappingProblem) -> String {
    use register::mapping::MappingProblem as P;
    let field = |f: &Field| l.t(&format!("register-field-{}", f.code().replace('_', "-")));
    match p {
        P::RequiredNotMapped { field: f } => l.t1("mapping-required-not-mapped", "field", field(f)),
        P::NameNotMapped => l.t("mapping-name-not-mapped"),
        P::NotInFile { field: f, header } => {
            l.t_args2("mapping-header-not-in-file", ("field", field(f)), ("header", header.clone()))
        }
        P::AmbiguousHeader { header, .. } => l.t1("mapping-ambiguous-header", "header", header.clone()),
        P::MappedTwice { header, .. } => l.t1("mapping-mapped-twice", "header", header.clone()),
        P::NotAFieldOfKind { field: f } => l.t1("mapping-not-a-field-of-kind", "field", field(f)),
    }
}
