//! The `solaris-conformance` command: `run` the feature files against a target, or serve the
//! `mock`. Parsing, dispatch and exit codes only; the work is in the library.

use clap::{Args, Parser, Subcommand};
use solaris_conformance::check::redact::JsonPath;
use solaris_conformance::check::snapshot::SnapshotMode;
use solaris_conformance::client::{SANDBOX_API_URL, SANDBOX_AUTH_URL, Target};
use solaris_conformance::mock::{self, MockConfig};
use solaris_conformance::runner::{
    self, CucumberOpts, ReportOptions, RunConfig, TargetChoice, WebhookOptions, exit,
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
  3  the target cannot be used: unreachable, or it refused the credentials";

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
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Feature files or folders [default: features]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// `mock` (the embedded mock), `sandbox` (the Solaris sandbox) or an API base URL.
    #[arg(long, default_value = "mock", value_name = "mock|sandbox|URL")]
    target: String,

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
    #[arg(long, default_value = "reports", value_name = "DIR")]
    report_dir: PathBuf,

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

    /// Timeout of one HTTP request, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,

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

    /// Client secret the token endpoint accepts [default: mock-secret]
    #[arg(
        long,
        env = "SOLARIS_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    client_secret: Option<String>,
}

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
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

fn target(args: &RunArgs) -> Result<TargetChoice, String> {
    let defaults = MockConfig::default();
    if args.target == "mock" {
        return Ok(TargetChoice::Mock {
            client_id: args.client_id.clone().unwrap_or(defaults.client_id),
            client_secret: args.client_secret.clone().unwrap_or(defaults.client_secret),
        });
    }
    let (api_url, default_auth) = if args.target == "sandbox" {
        (SANDBOX_API_URL.to_string(), SANDBOX_AUTH_URL.to_string())
    } else {
        let url = base_url("--target", &args.target)?;
        (url.clone(), url)
    };
    let auth_url = match &args.auth_url {
        Some(u) => base_url("--auth-url", u)?,
        None => default_auth,
    };
    let (Some(client_id), Some(client_secret)) =
        (args.client_id.clone(), args.client_secret.clone())
    else {
        return Err(format!(
            "error: target {} needs client credentials\n  = pass --client-id and --client-secret, or set SOLARIS_CLIENT_ID and SOLARIS_CLIENT_SECRET",
            args.target
        ));
    };
    Ok(TargetChoice::Remote(Target {
        name: api_url.clone(),
        api_url,
        auth_url,
        client_id,
        client_secret,
        simulation: false,
    }))
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
    let target = match target(&args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    let snapshot_mode = match SnapshotMode::from_env() {
        SnapshotMode::Ci => SnapshotMode::Ci,
        _ if args.update_snapshots => SnapshotMode::Always,
        mode => mode,
    };
    let config = RunConfig {
        paths: args.paths,
        target,
        report_dir: args.report_dir,
        snapshot_mode,
        cucumber: args.cucumber,
        request_timeout: Duration::from_secs(args.timeout),
        webhooks: WebhookOptions {
            port: args.webhook_port,
            public_url: args.webhook_url,
        },
        reports: ReportOptions {
            redact: args.redact,
            ..ReportOptions::default()
        },
    };
    runner::run::<steps::Journey>(config).await
}

async fn serve_mock(args: MockArgs) -> i32 {
    let defaults = MockConfig::default();
    let config = MockConfig {
        client_id: args.client_id.unwrap_or(defaults.client_id),
        client_secret: args.client_secret.unwrap_or(defaults.client_secret),
    };
    let bind = SocketAddr::new(args.bind, args.port);
    let running = match mock::start(config, bind).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: cannot listen on {bind}: {e}");
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
