//! The `solaris-conformance` command: `run` the feature files against a target, or serve the
//! `mock`. Parsing, dispatch and exit codes only; the work is in the library.

use clap::{Args, Parser, Subcommand};
use solaris_conformance::check::redact::JsonPath;
use solaris_conformance::check::snapshot::SnapshotMode;
use solaris_conformance::client::{SANDBOX_API_URL, SANDBOX_AUTH_URL, Target};
use solaris_conformance::config::{self, Config};
use solaris_conformance::mock::{self, MockConfig};
use solaris_conformance::runner::{
    self, CucumberOpts, Interrupt, ReportOptions, RunConfig, TargetChoice, WebhookOptions, exit,
};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

#[path = "../steps/mod.rs"]
mod steps;

const EXIT_CODES: &str = "\
Exit codes of `run`:
  0  every scenario passed (or was not applicable to the target)
  1  at least one scenario failed
  2  usage, configuration or feature-file error (nothing was run)
  3  the target cannot be used: unreachable, or it refused the credentials
  130  stopped by Ctrl-C or SIGTERM: the reports hold the scenarios that ran (130 wins over 1)";

#[derive(Debug, Parser)]
#[command(name = "solaris-conformance", version, about = "Conformance runner and stateful mock for the Solaris banking API", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run feature files against the embedded mock (default) or a real sandbox, and write reports.
    #[command(after_help = EXIT_CODES)]
    Run(Box<RunArgs>),
    /// Serve the stateful mock of the Solaris sandbox until interrupted.
    Mock(MockArgs),
    /// Work with reports.
    #[command(subcommand)]
    Report(ReportCommand),
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Join the report folders of a sharded run (`run --shard K/N` on N machines) into one
    /// report: JUnit, Cucumber Messages, Cucumber JSON, HTML and one history record. Exits 1
    /// when a scenario failed in any shard, 2 when a folder holds no run.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// The shards' report folders (each holds the run.json its run wrote).
    #[arg(required = true, value_name = "SHARD_DIR")]
    shards: Vec<PathBuf>,

    /// Where the merged report goes (`--report-dir`, as `run` names it, works too).
    #[arg(
        long,
        visible_alias = "report-dir",
        default_value = "reports",
        value_name = "DIR"
    )]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Feature files or folders [default: features]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// A target named in conformance.yaml, `mock` (the embedded mock), `sandbox` (the Solaris
    /// sandbox) or an API base URL [default: the file's `target`, else mock]
    #[arg(long, value_name = "NAME|mock|sandbox|URL")]
    target: Option<String>,

    /// The configuration file [default: conformance.yaml when it exists]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// OAuth2 server base URL [default: the sandbox's for `sandbox`, else the target URL]
    #[arg(long, value_name = "URL")]
    auth_url: Option<String>,

    /// OAuth2 client id [default for the mock: mock-client]
    #[arg(long, env = "SOLARIS_CLIENT_ID", value_name = "ID")]
    client_id: Option<String>,

    /// OAuth2 client secret [default for the mock: mock-secret]
    #[arg(
        long,
        env = "SOLARIS_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    client_secret: Option<String>,

    /// Where reports go: index.html, junit.xml, messages.ndjson, cucumber.json, history/.
    /// [default: the file's run.report_dir, else reports]
    #[arg(long, value_name = "DIR")]
    report_dir: Option<PathBuf>,

    /// Run a failed scenario up to N more times; one that passes on a retry is reported as
    /// flaky. The same as cucumber's `--retry N`.
    #[arg(long, value_name = "N")]
    retries: Option<usize>,

    /// Hide the values at this JSON path in every report, e.g. `first_name`, `address.line_1`,
    /// `tax_identifications.*.number` (matches at any depth). Repeat it or separate with
    /// commas. Credentials, tokens, webhook secrets and signatures are always hidden.
    #[arg(
        long,
        env = "SOLARIS_REDACT",
        value_name = "PATH",
        value_delimiter = ',',
        value_parser = parse_json_path
    )]
    redact: Vec<JsonPath>,

    /// Run only part K of N of the suite (e.g. `2/4` on the second of four CI machines): a
    /// stable split, balanced by the durations in the report folder's history when it has any.
    #[arg(long, value_name = "K/N")]
    shard: Option<runner::Shard>,

    /// How long one scenario may take, all its steps together, in seconds [default: the file's
    /// run.scenario_timeout_seconds, else 300]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    scenario_timeout: Option<u64>,

    /// Seed of the generated customers: a run prints its seed, and the same seed gives the same
    /// customers (unique per scenario either way).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// Write snapshots that are missing or differ, instead of failing (never with CI=true).
    #[arg(long)]
    update_snapshots: bool,

    /// Public URL the target delivers webhooks to, forwarding to the receiver's port (needed for
    /// a remote sandbox; the mock reaches the receiver directly).
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,

    /// Local port of the runner's webhook receiver; 0 picks a free one.
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    webhook_port: u16,

    /// Take over the webhook subscriptions the run needs even where the target holds one that
    /// delivers elsewhere (one per event type): it is deleted. One that delivers to the run's
    /// own URL, left by a run that was killed, is always replaced.
    #[arg(long)]
    replace_subscriptions: bool,

    /// Which reports to write, e.g. `junit,html` [default: the file's run.formats, else
    /// junit, html, messages, cucumber-json]; run.json and the history record always.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    formats: Vec<solaris_conformance::report::Format>,

    /// Timeout of one HTTP request, in seconds [default: the target's timeout_seconds, else 30]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: Option<u64>,

    #[command(flatten)]
    cucumber: CucumberOpts,
}

#[derive(Debug, Args)]
struct MockArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,

    /// Client id the token endpoint accepts [default: mock-client]
    #[arg(long, env = "SOLARIS_CLIENT_ID", value_name = "ID")]
    client_id: Option<String>,

    /// Faults on purpose: `latency=50ms,error-rate=0.05,lost-rate=0.02,seed=7` (any subset)
    /// delays every /v1 answer, refuses the error-rate share with 503 before handling, and
    /// answers the lost-rate share with 504 after handling, from a seeded sequence.
    #[arg(long, value_name = "SPEC", value_parser = clap::value_parser!(String))]
    faults: Option<String>,

    /// Client secret the token endpoint accepts [default: mock-secret]
    #[arg(
        long,
        env = "SOLARIS_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    client_secret: Option<String>,
}

/// The runner allocates and frees many small records per request; mimalloc does that faster
/// than the system allocator and keeps less memory that is freed but not returned.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if matches!(cli.command, Command::Run(_)) {
        runtime.worker_threads(solaris_conformance::runner::runtime_workers());
    }
    let runtime = match runtime.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(exit::USAGE);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run(*args).await,
            Command::Mock(args) => serve_mock(args).await,
            Command::Report(ReportCommand::Merge(args)) => merge_reports(args),
        }
    });
    std::process::exit(code);
}

fn parse_json_path(text: &str) -> Result<JsonPath, String> {
    JsonPath::parse(text).map_err(|e| e.why.to_string())
}

/// Normalises a base URL: http(s) only, no trailing slash.
fn base_url(flag: &str, url: &str) -> Result<String, String> {
    let trimmed = url.trim_end_matches('/');
    if (trimmed.starts_with("http://") || trimmed.starts_with("https://"))
        && trimmed.len() > "https://".len()
    {
        Ok(trimmed.to_string())
    } else {
        Err(format!(
            "error: {flag} must be `mock`, `sandbox` or an http(s) URL, not `{url}`"
        ))
    }
}

/// What the command line and conformance.yaml decide together: flags first, then the file,
/// then the defaults.
struct Resolved {
    target: TargetChoice,
    timeout: u64,
    retries: u32,
    webhook_url: Option<String>,
    replace_subscriptions: bool,
}

fn resolve(args: &RunArgs, file: &Config) -> Result<Resolved, String> {
    let defaults = MockConfig::default();
    let name = args
        .target
        .clone()
        .or_else(|| file.target.clone())
        .unwrap_or_else(|| "mock".into());
    let profile = file.targets.get(&name).cloned();
    let timeout = args
        .timeout
        .or(profile.as_ref().and_then(|p| p.timeout_seconds))
        .unwrap_or(30);
    let retries = profile
        .as_ref()
        .and_then(|p| p.retries)
        .unwrap_or(solaris_conformance::client::SAFE_RETRIES);
    let webhook_url = args
        .webhook_url
        .clone()
        .or(profile.as_ref().and_then(|p| p.webhook_url.clone()));
    let replace_subscriptions = args.replace_subscriptions
        || profile
            .as_ref()
            .and_then(|p| p.replace_subscriptions)
            .unwrap_or(false);
    let credential = |flag: &Option<String>,
                      env_key: Option<&String>,
                      what: &str|
     -> Result<Option<String>, String> {
        match (flag, env_key) {
            (Some(v), _) => Ok(Some(v.clone())),
            (None, Some(var)) => config::from_env(&name, what, var).map(Some),
            (None, None) => Ok(None),
        }
    };
    let id = credential(
        &args.client_id,
        profile.as_ref().and_then(|p| p.client_id_env.as_ref()),
        "client id",
    )?;
    let secret = credential(
        &args.client_secret,
        profile.as_ref().and_then(|p| p.client_secret_env.as_ref()),
        "client secret",
    )?;
    let embedded = name == "mock" || profile.as_ref().is_some_and(|p| p.api_url.is_none());
    if embedded {
        let faults = profile
            .as_ref()
            .and_then(|p| p.faults.as_deref())
            .map(|f| {
                f.parse::<mock::Faults>()
                    .map_err(|e| format!("error: targets.{name}.faults: {e}"))
            })
            .transpose()?;
        let target = TargetChoice::Mock {
            client_id: id.unwrap_or(defaults.client_id),
            client_secret: secret.unwrap_or(defaults.client_secret),
            faults,
        };
        return Ok(Resolved {
            target,
            timeout,
            retries,
            webhook_url,
            replace_subscriptions,
        });
    }
    let (api_url, default_auth) = match (&profile, name.as_str()) {
        (Some(p), _) => {
            let api = base_url("api_url", p.api_url.as_deref().unwrap_or_default())?;
            let auth = p
                .auth_url
                .as_deref()
                .map(|a| base_url("auth_url", a))
                .transpose()?
                .unwrap_or_else(|| api.clone());
            (api, auth)
        }
        (None, "sandbox") => (SANDBOX_API_URL.to_string(), SANDBOX_AUTH_URL.to_string()),
        (None, url) => {
            let url = base_url("--target", url).map_err(|e| {
                let known: Vec<&String> = file.targets.keys().collect();
                if known.is_empty() {
                    e
                } else {
                    format!("{e}\n  = the configuration names these targets: {known:?}")
                }
            })?;
            (url.clone(), url)
        }
    };
    let auth_url = match &args.auth_url {
        Some(u) => base_url("--auth-url", u)?,
        None => default_auth,
    };
    let (Some(client_id), Some(client_secret)) = (id, secret) else {
        return Err(format!(
            "error: target {name} needs client credentials\n  = pass --client-id and --client-secret, set SOLARIS_CLIENT_ID and SOLARIS_CLIENT_SECRET, or name the variables with client_id_env / client_secret_env in conformance.yaml"
        ));
    };
    let target = Target {
        name: api_url.clone(),
        api_url,
        auth_url,
        client_id,
        client_secret,
        simulation: false,
    };
    Ok(Resolved {
        target: TargetChoice::Remote(target),
        timeout,
        retries,
        webhook_url,
        replace_subscriptions,
    })
}

async fn run(mut args: RunArgs) -> i32 {
    // `--retries` and cucumber's `--retry` are one setting.
    match (args.retries, args.cucumber.runner.retry) {
        (Some(a), Some(b)) if a != b => {
            eprintln!(
                "error: --retries {a} and --retry {b} disagree\n  = they are the same setting: give one of them"
            );
            return exit::USAGE;
        }
        (Some(n), _) => args.cucumber.runner.retry = Some(n),
        _ => {}
    }
    let file = match Config::load(args.config.as_deref()) {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    let resolved = match resolve(&args, &file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    if args.cucumber.runner.concurrency.is_none() {
        args.cucumber.runner.concurrency = file.run.concurrency;
    }
    // The file's run settings, under the flags.
    if args.cucumber.runner.retry.is_none() {
        args.cucumber.runner.retry = file.run.retries;
    }
    let mut redact = args.redact.clone();
    for path in &file.run.redact {
        match parse_json_path(path) {
            Ok(p) => redact.push(p),
            Err(e) => {
                eprintln!("error: run.redact: `{path}`: {e}");
                return exit::USAGE;
            }
        }
    }
    let formats: Vec<solaris_conformance::report::Format> = if !args.formats.is_empty() {
        args.formats.clone()
    } else if let Some(list) = &file.run.formats {
        match list
            .iter()
            .map(|f| f.parse())
            .collect::<Result<Vec<_>, String>>()
        {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: run.formats: {e}");
                return exit::USAGE;
            }
        }
    } else {
        solaris_conformance::report::Format::ALL.to_vec()
    };
    let report_dir = args
        .report_dir
        .clone()
        .or(file.run.report_dir.clone())
        .unwrap_or_else(|| PathBuf::from("reports"));
    let snapshot_mode = match SnapshotMode::from_env() {
        SnapshotMode::Ci => SnapshotMode::Ci,
        _ if args.update_snapshots => SnapshotMode::Always,
        mode => mode,
    };
    let config = RunConfig {
        paths: args.paths,
        target: resolved.target,
        report_dir,
        snapshot_mode,
        cucumber: args.cucumber,
        request_timeout: Duration::from_secs(resolved.timeout),
        request_retries: resolved.retries,
        scenario_timeout: Duration::from_secs(
            args.scenario_timeout
                .or(file.run.scenario_timeout_seconds)
                .unwrap_or(300),
        ),
        seed: args.seed,
        shard: args.shard,
        webhooks: WebhookOptions {
            port: args.webhook_port,
            public_url: resolved.webhook_url,
            replace: resolved.replace_subscriptions,
        },
        reports: ReportOptions {
            redact,
            formats,
            ..ReportOptions::default()
        },
        interrupt: Interrupt::default(),
    };
    let listening = tokio::spawn(stop_on_signal(config.interrupt.clone()));
    let code = runner::run::<steps::Journey>(config).await;
    listening.abort();
    code
}

/// The first Ctrl-C or SIGTERM stops the run gently (the reports hold what ran). A second
/// Ctrl-C ends the process at once; a SIGTERM then does not, since CI systems send one a few
/// seconds after the Ctrl-C of a cancelled job, while the reports are being written.
async fn stop_on_signal(interrupt: Interrupt) {
    let mut first = true;
    loop {
        let Some(ctrl_c) = signalled().await else {
            return;
        };
        if first {
            eprintln!(
                "\ninterrupted: no further scenario starts; the ones under way finish and the reports are written (press Ctrl-C again to stop at once, without reports)"
            );
            interrupt.raise();
            first = false;
        } else if ctrl_c {
            eprintln!("\ninterrupted again: stopping now, without reports");
            std::process::exit(exit::INTERRUPTED);
        }
    }
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM: `Some(true)` for Ctrl-C, `Some(false)` for
/// SIGTERM, `None` when they cannot be listened for.
async fn signalled() -> Option<bool> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            return tokio::signal::ctrl_c().await.ok().map(|()| true);
        };
        tokio::select! {
            c = tokio::signal::ctrl_c() => c.ok().map(|()| true),
            t = term.recv() => t.map(|()| false),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.ok().map(|()| true)
    }
}

async fn serve_mock(args: MockArgs) -> i32 {
    let defaults = MockConfig::default();
    let faults = match args
        .faults
        .as_deref()
        .map(str::parse::<mock::Faults>)
        .transpose()
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: --faults: {e}");
            return exit::USAGE;
        }
    };
    let config = MockConfig {
        client_id: args.client_id.unwrap_or(defaults.client_id),
        client_secret: args.client_secret.unwrap_or(defaults.client_secret),
        faults,
    };
    let bind = SocketAddr::new(args.bind, args.port);
    let running = match mock::start(config, bind).await {
        Ok(m) => m,
        Err(e) => {
            if e.kind() == std::io::ErrorKind::InvalidInput {
                eprintln!("error: the mock's configuration is invalid: {e}");
            } else {
                eprintln!("error: cannot listen on {bind}: {e}");
            }
            return exit::USAGE;
        }
    };
    println!("listening on {}", running.base_url());
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    // Serves until interrupted (Ctrl-C); SIGTERM ends the process as usual.
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    running.shutdown().await;
    exit::OK
}

fn merge_reports(args: MergeArgs) -> i32 {
    use solaris_conformance::report::{self, console, history};
    let mut shards = Vec::new();
    for dir in &args.shards {
        match report::read_run(dir) {
            Ok(r) => shards.push(r),
            Err(e) => {
                eprintln!("error: failed to {e}");
                return exit::USAGE;
            }
        }
    }
    let mut merged = report::merge(shards);
    let past = history::Past::load(&args.out, &merged.target, &merged.started_at);
    history::annotate(&mut merged, past);
    match report::write_all(&merged, &args.out) {
        Ok(paths) => {
            println!("{}", console::summary(&merged));
            let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            println!("merged {} shards: {}", args.shards.len(), list.join(", "));
        }
        Err(e) => {
            eprintln!("error: failed to {e}");
            return exit::USAGE;
        }
    }
    exit::of(&merged)
}
