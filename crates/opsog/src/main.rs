//! `opsog`: one binary for the municipality's outreach work.

mod letters_cli;
mod plan_cli;
mod register_cli;
mod settings;

use clap::{Parser, Subcommand};
use domain::audit::{AuditAction, AuditActor, AuditRecord};
use domain::do_not_contact::DncKey;
use settings::{Settings, redact_url};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use store::SqlStore;

#[derive(Parser)]
#[command(name = "opsog", version, about = "Opsøg – outreach to self-supporting women (Danish municipalities)")]
struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, env = "OPSOG_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app.
    Serve {
        #[arg(long)]
        bind: Option<String>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Build a demo municipality with synthetic people (once) and serve it.
    Demo {
        #[arg(long, default_value = "data/demo")]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Number of synthetic women.
        #[arg(long, default_value_t = 2000)]
        size: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Delete the demo data directory first.
        #[arg(long)]
        reset: bool,
        /// Build the data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage logins.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The initiative's plan: show the current version and what changed since the
    /// last approval, and approve its legal basis as a second coordinator (G-5.3).
    Plan {
        #[command(subcommand)]
        command: plan_cli::PlanCommand,
    },
    /// Register search: import extracts, save rules, dry-run and run (G-5).
    Register {
        #[command(subcommand)]
        command: register_cli::RegisterCommand,
    },
    /// Letter batches (G-5.6): preview and send letters to a register run's women.
    Letters {
        #[command(subcommand)]
        command: letters_cli::LettersCommand,
    },
    /// The contact cadence (G-5.7): tell caseworkers of calls that fell due in the
    /// last day (also done daily by `serve`) and print how many are due.
    Contact {
        #[command(subcommand)]
        command: ContactCommand,
    },
    /// The audit log: check that no entry was edited, deleted or inserted.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check the configuration and print it with secrets hidden.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a login. The password is read from standard input, never from the command line.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// coordinator, caseworker, ambassador, partner, analyst or admin
        #[arg(long)]
        role: String,
        /// The team's name.
        #[arg(long)]
        team: Option<String>,
        /// Her direct phone number (printed on letters as her contact).
        #[arg(long)]
        phone: Option<String>,
        /// Languages she speaks, as ISO 639 codes, comma-separated (e.g. "ar,da").
        #[arg(long)]
        languages: Option<String>,
        /// The user who grants the login (checked like the web's user page); without it
        /// the operator on this machine grants it (the first admin).
        #[arg(long = "as")]
        user: Option<String>,
    },
    /// Reset a login that is locked out (issue 13, items 4 and 6): a one-time password,
    /// printed once, which she must replace at her next login, and/or her second
    /// factor (a lost phone), which she sets up again. Her sessions end. As the operator
    /// on this machine any login; `--as` checks the same rule as the user page (a
    /// coordinator's login is reset only here).
    Reset {
        username: String,
        #[arg(long)]
        password: bool,
        #[arg(long = "second-factor")]
        second_factor: bool,
        #[arg(long = "as")]
        user: Option<String>,
    },
}

#[derive(Subcommand)]
enum ContactCommand {
    Due,
}

#[derive(Subcommand)]
enum ConfigCommand {
    Check,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every audit table's hash chain (issue 13, item 10). Exits 0 with the
    /// number of entries when whole, 6 naming the first broken link when not.
    Verify,
}

/// The exit code of `opsog audit verify` when an entry was edited, deleted or inserted.
const EXIT_AUDIT_BROKEN: u8 = 6;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error(transparent)]
    Settings(#[from] settings::SettingsError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{}", app_message(.0))]
    App(#[from] app::Error),
    #[error("starting the web app: {0}")]
    Web(#[from] web::StartError),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error("{0}")]
    Config(String),
    /// A rule of the guide refuses it (the use case audited the refusal).
    #[error("refused: {0}")]
    Refused(String),
}

pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
    let context = context.into();
    move |source| CliError::Io { context, source }
}

/// The web's English text of a Fluent message id; the id itself where there is none.
pub(crate) fn english(id: &str) -> String {
    static TEXTS: std::sync::OnceLock<Option<web::i18n::I18n>> = std::sync::OnceLock::new();
    match TEXTS.get_or_init(|| web::i18n::I18n::load().ok()) {
        Some(i) if i.has(domain::org::Locale::En, id) => i.t(domain::org::Locale::En, id),
        _ => id.to_string(),
    }
}

/// A use case's error as the command line says it, in the web's English texts: every
/// field or file position named.
pub(crate) fn app_message(e: &app::Error) -> String {
    let t = english;
    match e {
        app::Error::Invalid(fields) => {
            let parts: Vec<String> =
                fields.0.iter().map(|f| format!("--{}: {}", f.field.replace('_', "-"), t(f.message))).collect();
            format!("invalid input: {}; nothing was changed", parts.join(" "))
        }
        app::Error::File(r) => format!("{r}; nothing was imported"),
        app::Error::Refused(app::Refusal::Role) => "refused: your role may not do this (the refusal is logged)".into(),
        app::Error::Refused(app::Refusal::LetterBatch(r)) => format!("refused: {} ({r:?})", t(r.message_id())),
        app::Error::Refused(app::Refusal::Search(r)) => format!("refused: {} ({r})", t(r.message_id())),
        app::Error::Conflict(what) => format!("changed meanwhile ({what}); nothing was changed, try again"),
        other => other.to_string(),
    }
}

impl CliError {
    /// Exit codes, one per kind of failure: 1 unexpected, 2 bad input (as clap's usage
    /// errors), 3 refused, 4 not found, 5 changed meanwhile.
    fn exit_code(&self) -> ExitCode {
        match self {
            CliError::App(app::Error::Invalid(_) | app::Error::File(_) | app::Error::Select(_))
            | CliError::Config(_) => ExitCode::from(2),
            CliError::App(app::Error::Refused(_)) | CliError::Refused(_) => ExitCode::from(3),
            CliError::App(app::Error::NotFound(_)) => ExitCode::from(4),
            CliError::App(app::Error::Conflict(_)) => ExitCode::from(5),
            _ => ExitCode::FAILURE,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("opsog: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("opsog: {e}");
            e.exit_code()
        }
    }
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}

fn cli_audit(command: &str, detail: String) -> AuditRecord {
    AuditRecord {
        actor: AuditActor::system("cli"),
        action: AuditAction::CliCommand,
        persons: vec![],
        origin: command.into(),
        detail,
    }
}

async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { bind, database_url } => {
            if let Some(b) = bind {
                settings.bind = b;
            }
            if database_url.is_some() {
                settings.database_url = database_url;
            }
            init_logging(&settings.log_format);
            serve(&settings).await?;
        }
        Command::Demo { data_dir, bind, size, seed, reset, no_serve } => {
            init_logging(&settings.log_format);
            settings.data_dir = data_dir;
            settings.database_url = None;
            settings.dnc_key_file = None;
            settings.bind = bind;
            settings.secure_cookies = false; // the demo runs on plain http://127.0.0.1
            demo(&settings, size, seed, reset, no_serve).await?;
        }
        Command::Migrate => {
            init_logging(&settings.log_format);
            let store = SqlStore::connect_without_migrating(&settings.database_url()).await?;
            let applied = store.migrate().await?;
            store.append_audit(&cli_audit("opsog migrate", format!("applied {applied:?}"))).await?;
            println!(
                "migrations applied: {}",
                if applied.is_empty() { "none (up to date)".to_string() } else { format!("{applied:?}") }
            );
        }
        Command::User { command: UserCommand::Add { username, name, role, team, phone, languages, user } } => {
            init_logging(&settings.log_format);
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).map_err(io("reading the password from standard input"))?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let ctx = open(&settings).await?;
            let input = app::users::UserInput {
                username,
                display_name: name,
                role,
                team: team.unwrap_or_default(),
                direct_phone: phone.unwrap_or_default(),
                languages: languages.unwrap_or_default(),
                password,
            };
            const CMD: &str = "opsog user add";
            let granted_by = match &user {
                Some(u) => Some(caller(&ctx, u, CMD).await?),
                None => None,
            };
            let by = match &granted_by {
                Some(c) => app::users::GrantedBy::User(c),
                None => app::users::GrantedBy::Operator { origin: CMD },
            };
            let created = app::users::create(&ctx, by, &input).await?;
            match created.waits_for {
                None => println!("created {} ({})", created.user.username, created.user.role.code()),
                // Issue 13, item 6: through `--as` the same two-person rule as the web.
                Some(role) => println!(
                    "created {} closed as {}: the role {} waits for a second person's confirmation on the user page",
                    created.user.username,
                    created.user.role.code(),
                    role.code()
                ),
            }
        }
        Command::User { command: UserCommand::Reset { username, password, second_factor, user } } => {
            init_logging(&settings.log_format);
            if !password && !second_factor {
                return Err(CliError::Config(
                    "user reset: say what to reset: --password, --second-factor or both".into(),
                ));
            }
            let ctx = open(&settings).await?;
            const CMD: &str = "opsog user reset";
            let caller = match &user {
                Some(u) => Some(caller(&ctx, u, CMD).await?),
                None => None,
            };
            let by = || match &caller {
                Some(c) => app::users::GrantedBy::User(c),
                None => app::users::GrantedBy::Operator { origin: CMD },
            };
            let target = app::second_factor::Target::Username(&username);
            if second_factor {
                let u = app::second_factor::reset_for(&ctx, by(), target).await?;
                println!("{}: second factor removed; set up again at the next login", u.username);
            }
            if password {
                let (u, one_time) = app::second_factor::reset_password(&ctx, by(), target).await?;
                println!("{}: one-time password {one_time} (shown once; to be replaced at the next login)", u.username);
            }
        }
        Command::Register { command } => {
            init_logging(&settings.log_format);
            let ctx = open(&settings).await?;
            register_cli::run(&ctx, command).await?;
        }
        Command::Plan { command } => {
            init_logging(&settings.log_format);
            let ctx = open(&settings).await?;
            plan_cli::run(&ctx, command).await?;
        }
        Command::Letters { command } => {
            init_logging(&settings.log_format);
            let ctx = open(&settings).await?;
            letters_cli::run(&ctx, command).await?;
        }
        Command::Contact { command: ContactCommand::Due } => {
            init_logging(&settings.log_format);
            let ctx = open(&settings).await?;
            let now = time::OffsetDateTime::now_utc();
            let r = app::contact::post_due_calls(&ctx.store, now, "opsog contact due").await?;
            println!(
                "calls due: {} (told today: {}); not to be called (safe contact only or no phone): {}; \
                 marked unreachable after the cadence's attempts: {}",
                r.due, r.newly_due, r.skipped, r.marked_unreachable
            );
        }
        Command::Audit { command: AuditCommand::Verify } => {
            init_logging(&settings.log_format);
            let ctx = open(&settings).await?;
            let verification = app::audit_chain::verify(&ctx, "opsog audit verify").await?;
            return Ok(print_verification(&verification));
        }
        Command::Config { command: ConfigCommand::Check } => return config_check(&settings).await,
    }
    Ok(ExitCode::SUCCESS)
}

/// What `opsog audit verify` found, table by table, and its exit code.
fn print_verification(v: &app::audit_chain::Verification) -> ExitCode {
    use domain::audit_chain::Break;
    for r in &v.reports {
        let old = if r.unchained > 0 {
            format!(" ({} from before the chain, not checkable)", r.unchained)
        } else {
            String::new()
        };
        println!(
            "{}: {} entries{old}, head {}",
            r.table,
            r.entries,
            if r.head_hash.is_empty() { "-" } else { &r.head_hash }
        );
        for f in &r.findings {
            let id = f.entry_id.as_deref().unwrap_or("-");
            let what = match f.kind {
                Break::Edited => {
                    format!("entry {id} at position {} was edited: its content no longer gives its hash", f.position)
                }
                Break::Deleted if f.entry_id.is_some() => {
                    format!("entries before entry {id} at position {} were deleted: its link skips them", f.position)
                }
                Break::Deleted => {
                    format!(
                        "entries after position {} were deleted: the chain's head names a later one",
                        f.position - 1
                    )
                }
                Break::Inserted => {
                    format!("entry {id} at position {} was inserted: the entry after it links past it", f.position)
                }
                Break::OrphanPersons => format!("persons are recorded for entry {id}, which is not in the table"),
            };
            println!("  {}: {what}", f.kind.code());
        }
        if r.breaks > r.findings.len() as u64 {
            println!("  … and {} more", r.breaks - r.findings.len() as u64);
        }
    }
    match v.first_break() {
        None => {
            println!("audit log intact: {} entries", v.entries());
            ExitCode::SUCCESS
        }
        Some((r, f)) => {
            eprintln!(
                "opsog: the audit log is broken; first broken link: table {}, entry {}, position {} ({})",
                r.table,
                f.entry_id.as_deref().unwrap_or("-"),
                f.position,
                f.kind.code()
            );
            ExitCode::from(EXIT_AUDIT_BROKEN)
        }
    }
}

/// Reads the do-not-contact key, or makes one the first time. Without the same key
/// the list cannot be checked, so the file must be backed up with the database.
fn dnc_key(path: &Path) -> Result<DncKey, CliError> {
    if !path.exists() {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| CliError::Config(format!("no randomness for the key: {e}")))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
        }
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        std::fs::write(path, hex).map_err(io(format!("writing {}", path.display())))?;
        restrict(path)?;
        tracing::warn!(path = %path.display(), "created a new do-not-contact key; back it up with the database");
    }
    let text = std::fs::read_to_string(path).map_err(io(format!("reading {}", path.display())))?;
    let bytes: Vec<u8> = (0..text.trim().len() / 2)
        .filter_map(|i| u8::from_str_radix(text.trim().get(i * 2..i * 2 + 2)?, 16).ok())
        .collect();
    DncKey::new(bytes).map_err(|e| CliError::Config(format!("{}: {e}", path.display())))
}

#[cfg(unix)]
fn restrict(path: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(io(format!("protecting {}", path.display())))
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> Result<(), CliError> {
    Ok(())
}

/// The store, the key and the settings, as every use case takes them.
async fn open(settings: &Settings) -> Result<app::Ctx, CliError> {
    std::fs::create_dir_all(&settings.data_dir).map_err(io(format!("creating {}", settings.data_dir.display())))?;
    let store = SqlStore::connect(&settings.database_url()).await?;
    let key = dnc_key(&settings.dnc_key_file())?;
    settings.app_ctx(store, key)
}

/// The user a command acts as (`--as`): an active login. What she may do is the use
/// case's to check (and to audit when refused).
pub(crate) async fn caller(ctx: &app::Ctx, username: &str, command: &str) -> Result<app::Caller, CliError> {
    let user = ctx
        .store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.username == username && u.active)
        .ok_or_else(|| CliError::Config(format!("--as: no active user {username}")))?;
    Ok(app::Caller::new(user, command))
}

async fn serve_store(settings: &Settings, ctx: app::Ctx) -> Result<(), CliError> {
    // Answer codes of letters sent before they were stored keyed (issue 13, item 9).
    let rekeyed = app::public::rekey_response_codes(&ctx).await?;
    if rekeyed > 0 {
        tracing::info!(rekeyed, "response codes re-keyed");
    }
    let store = ctx.store.clone();
    let state = web::AppState::with_ctx(ctx, settings.web_config()?)?;
    let listener =
        tokio::net::TcpListener::bind(&settings.bind).await.map_err(io(format!("binding {}", settings.bind)))?;
    let idle = settings.session_idle_minutes.max(1);
    // Sessions that timed out are refused at once; this only clears them away.
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
            let cutoff = time::OffsetDateTime::now_utc() - time::Duration::minutes(i64::try_from(idle).unwrap_or(30));
            if let Err(e) = store.delete_idle_sessions(cutoff).await {
                tracing::warn!(error = %e, "clearing idle sessions failed");
            }
        }
    });
    // Scheduled work runs once a day: the day it last ran is in the database, so a
    // restart (or a second server) does not run it again.
    let daily = state.app.clone();
    tokio::spawn(async move {
        loop {
            let today = daily.clock.today();
            // Uploaded extracts are deleted on their date even when no run used them (G-5.5).
            match daily.store.claim_scheduled_run("extract_sweep", today).await {
                Ok(true) => {
                    if let Err(e) = app::register_search::sweep(&daily, "opsog serve: daily extract sweep").await {
                        tracing::warn!(error = %e, "deleting extracts whose date has come failed");
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "reading when the extract sweep last ran failed"),
            }
            // The contact cadence (G-5.7): calls that fell due are put before the caseworkers.
            match daily.store.claim_scheduled_run("calls_due", today).await {
                Ok(true) => {
                    let now = daily.clock.now();
                    if let Err(e) =
                        app::contact::post_due_calls(&daily.store, now, "opsog serve: daily calls due").await
                    {
                        tracing::warn!(error = %e, "announcing the calls due failed");
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "reading when the calls were last announced failed"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
    tracing::info!(bind = %settings.bind, "serving");
    web::serve(listener, state).await.map_err(io("serving"))
}

async fn serve(settings: &Settings) -> Result<(), CliError> {
    let ctx = open(settings).await?;
    serve_store(settings, ctx).await
}

struct CliProgress;

impl app::Progress for CliProgress {
    fn step(&self, what: &str, done: u64, total: u64) {
        eprintln!("  {what}: {done}/{total}");
    }
}

async fn demo(settings: &Settings, size: usize, seed: u64, reset: bool, no_serve: bool) -> Result<(), CliError> {
    if reset && settings.data_dir.exists() {
        std::fs::remove_dir_all(&settings.data_dir).map_err(io(format!("removing {}", settings.data_dir.display())))?;
    }
    let ctx = open(settings).await?;
    let (store, key) = (&ctx.store, &*ctx.dnc_key);
    let existing = store.count_people().await?;
    if existing == 0 {
        println!("Opsøg: bygger demokommunen ({size} syntetiske kvinder, seed {seed}) …");
        let report = app::demo::seed(
            store,
            &app::demo::DemoSettings { seed, size, now: time::OffsetDateTime::now_utc() },
            key,
            &CliProgress,
        )
        .await?;
        app::demo::finish(store).await?;
        println!("Opsøg: {} kvinder oprettet i {}", report.people, settings.data_dir.display());
    } else {
        println!(
            "Opsøg: bruger den eksisterende demokommune i {} ({existing} kvinder; --reset bygger den forfra)",
            settings.data_dir.display()
        );
    }
    let extracts = settings.data_dir.join("udtraek");
    let files = app::demo::write_demo_extracts(&extracts, seed, time::OffsetDateTime::now_utc().date())?;
    println!("Registerudtræk til registersøgningen ({} filer): {}", files.len(), extracts.display());
    let users = store.list_users().await?;
    println!();
    if no_serve {
        println!("Opsøg er klar; `opsog demo --data-dir {}` viser den igen", settings.data_dir.display());
    } else {
        println!("Opsøg kører på http://{}", settings.bind);
    }
    println!("Log ind som (adgangskode: {}):", app::demo::DEMO_PASSWORD);
    for role in domain::policy::Role::ALL {
        let names: Vec<&str> = users.iter().filter(|u| u.role == role).map(|u| u.username.as_str()).collect();
        println!("  {:<12} {}", role.code(), names.join(", "));
    }
    println!("Koordinatorer og administratorer sætter en godkendelses-app op første gang, de logger ind.");
    if no_serve {
        return Ok(());
    }
    serve_store(settings, ctx).await
}

async fn config_check(settings: &Settings) -> Result<ExitCode, CliError> {
    let mut problems = Vec::new();
    println!("{settings:#?}");
    let url = settings.database_url();
    match store::Backend::from_url(&url) {
        Ok(b) => println!("database: {b:?} at {}", redact_url(&url)),
        Err(e) => problems.push(e.to_string()),
    }
    if settings.bind.parse::<std::net::SocketAddr>().is_err() {
        problems.push(format!("bind '{}' is not an address:port", settings.bind));
    }
    let key = settings.dnc_key_file();
    match std::fs::read_to_string(&key) {
        Ok(text) if text.trim().len() >= 64 => {
            println!("do-not-contact key: present ({})", key.display())
        }
        Ok(_) => problems.push(format!("do-not-contact key {} is shorter than 32 bytes", key.display())),
        Err(_) => println!("do-not-contact key: not yet created ({}); `opsog serve` creates it", key.display()),
    }
    if let Some(logo) = &settings.municipality.logo_path
        && !Path::new(logo).is_file()
    {
        problems.push(format!("logo file {logo} does not exist"));
    }
    if let Err(e) = settings.second_factor_rules() {
        problems.push(e.to_string());
    }
    match settings.sso_settings() {
        Ok(Some(sso)) => println!("single sign-on: {} as {}", sso.issuer, sso.client_id),
        Ok(None) => println!("single sign-on: off"),
        Err(e) => problems.push(e.to_string()),
    }
    if !["text", "json"].contains(&settings.log_format.as_str()) {
        problems.push(format!("log_format '{}' must be text or json", settings.log_format));
    }
    if problems.is_empty() {
        println!("configuration OK");
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            eprintln!("problem: {p}");
        }
        Ok(ExitCode::FAILURE)
    }
}
