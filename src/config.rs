//! `conformance.yaml`: named targets and run settings, [`Config`]. Unknown keys are refused
//! with the file, line and column; secrets are never read from the file, only from the
//! environment variables it names. Command-line flags override what the file says.
//!
//! ```yaml
//! target: sandbox                 # the target used when --target is not given
//! targets:
//!   local:                        # no api_url: the embedded mock
//!     faults: latency=20ms,error-rate=0.02,seed=7
//!   sandbox:
//!     api_url: https://api.solaris-sandbox.de
//!     auth_url: https://auth.solaris-sandbox.de
//!     client_id_env: SOLARIS_CLIENT_ID
//!     client_secret_env: SOLARIS_CLIENT_SECRET
//!     webhook_url: https://hooks.example.com/solaris
//!     replace_subscriptions: false
//!     timeout_seconds: 30
//! run:
//!   concurrency: 8
//!   report_dir: reports
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file the runner reads when `--config` is not given and it exists.
pub const DEFAULT_PATH: &str = "conformance.yaml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The target used when `--target` is not given: a name under `targets`, `mock` or
    /// `sandbox`, or a URL.
    #[serde(default)]
    pub target: Option<String>,
    /// Named targets.
    #[serde(default)]
    pub targets: BTreeMap<String, TargetProfile>,
    #[serde(default)]
    pub run: RunSettings,
}

/// One named target. Without `api_url` it is the embedded mock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetProfile {
    /// Base URL of the API; absent means the embedded mock.
    pub api_url: Option<String>,
    /// Base URL of the OAuth2 server; defaults to `api_url`.
    pub auth_url: Option<String>,
    /// The environment variable that holds the client id.
    pub client_id_env: Option<String>,
    /// The environment variable that holds the client secret.
    pub client_secret_env: Option<String>,
    /// Public URL the target delivers webhooks to (forwarding to the runner's receiver).
    pub webhook_url: Option<String>,
    /// Take over a subscription the target holds for an event the run needs even when it
    /// delivers elsewhere (`--replace-subscriptions`).
    pub replace_subscriptions: Option<bool>,
    /// Timeout of one HTTP request.
    pub timeout_seconds: Option<u64>,
    /// How often a safe request (GET) is sent again after 429/502/503/504 or no answer.
    pub retries: Option<u32>,
    /// Fault injection for the embedded mock, as `mock --faults` takes it.
    pub faults: Option<String>,
}

/// Settings of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// Scenarios run at once.
    pub concurrency: Option<usize>,
    /// Where reports go.
    pub report_dir: Option<PathBuf>,
    /// How long one scenario may take, all its steps together.
    pub scenario_timeout_seconds: Option<u64>,
    /// Runs of a failed scenario before it counts as failed (a pass on a rerun is flaky).
    pub retries: Option<usize>,
    /// JSON paths whose values every report hides, on top of what is always hidden.
    #[serde(default)]
    pub redact: Vec<String>,
    /// Which reports to write: junit, html, messages, cucumber-json [default: all].
    pub formats: Option<Vec<String>>,
}

/// A configuration file that cannot be used, as a compiler-style message.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("error: cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("error: {path}:{line}:{column}: {message}{hint}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
        hint: String,
    },
    #[error("error: {path}: {message}")]
    Meaning { path: String, message: String },
}

impl Config {
    /// Reads `path`; `Ok(None)` when `path` is the default file and it does not exist.
    pub fn load(path: Option<&Path>) -> Result<Option<Config>, ConfigError> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_PATH), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        Config::parse(&text, &path.display().to_string()).map(Some)
    }

    /// Parses the file's text; `name` is used in messages.
    pub fn parse(text: &str, name: &str) -> Result<Config, ConfigError> {
        let config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            yaml_serde::from_str(text).map_err(|e| {
                let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
                let message = e.to_string();
                // The library appends " at line L column C"; the prefix already says where.
                let message = message.split(" at line ").next().unwrap_or(&message).to_string();
                let hint = if message.contains("`client_secret`") || message.contains("`client_id`") {
                    "\n  = secrets never go in this file: name the environment variable that holds them with client_id_env / client_secret_env".to_string()
                } else {
                    String::new()
                };
                ConfigError::Invalid { path: name.to_string(), line, column, message, hint }
            })?
        };
        for (target, profile) in &config.targets {
            for (key, url) in [
                ("api_url", &profile.api_url),
                ("auth_url", &profile.auth_url),
                ("webhook_url", &profile.webhook_url),
            ] {
                if let Some(u) = url
                    && !(u.starts_with("https://") || u.starts_with("http://"))
                {
                    return Err(ConfigError::Meaning {
                        path: name.to_string(),
                        message: format!(
                            "targets.{target}.{key} must be an http(s) URL, not `{u}`"
                        ),
                    });
                }
            }
            if profile.api_url.is_none()
                && (profile.auth_url.is_some() || profile.webhook_url.is_some())
            {
                return Err(ConfigError::Meaning {
                    path: name.to_string(),
                    message: format!(
                        "targets.{target} has no api_url (so it is the embedded mock) but sets auth_url or webhook_url"
                    ),
                });
            }
            if profile.api_url.is_some() && profile.faults.is_some() {
                return Err(ConfigError::Meaning {
                    path: name.to_string(),
                    message: format!(
                        "targets.{target}.faults applies to the embedded mock only; remove api_url or faults"
                    ),
                });
            }
        }
        if config.run.concurrency == Some(0) {
            return Err(ConfigError::Meaning {
                path: name.to_string(),
                message: "run.concurrency must be at least 1".into(),
            });
        }
        Ok(config)
    }
}

/// The value of the environment variable a profile names, or why it is missing.
pub fn from_env(target: &str, key: &str, variable: &str) -> Result<String, String> {
    match std::env::var(variable) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(format!(
            "error: target {target} takes its {key} from the environment variable {variable}, which is not set"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "target: sandbox\ntargets:\n  local:\n    faults: latency=20ms\n  sandbox:\n    api_url: https://api.solaris-sandbox.de\n    auth_url: https://auth.solaris-sandbox.de\n    client_id_env: SOLARIS_CLIENT_ID\n    client_secret_env: SOLARIS_CLIENT_SECRET\n    replace_subscriptions: true\n    timeout_seconds: 20\nrun:\n  concurrency: 4\n  report_dir: out\n";

    #[test]
    fn the_example_reads_as_written() {
        let c = Config::parse(EXAMPLE, "conformance.yaml").expect("valid");
        assert_eq!(c.target.as_deref(), Some("sandbox"));
        assert_eq!(c.targets["sandbox"].timeout_seconds, Some(20));
        assert_eq!(c.targets["sandbox"].replace_subscriptions, Some(true));
        assert_eq!(c.targets["local"].replace_subscriptions, None);
        assert_eq!(c.targets["local"].faults.as_deref(), Some("latency=20ms"));
        assert_eq!(c.run.concurrency, Some(4));
        assert_eq!(c.run.report_dir, Some(PathBuf::from("out")));
    }

    #[test]
    fn run_settings_and_target_retries_read_as_written() {
        let text = "targets:\n  s:\n    api_url: https://x.example\n    retries: 5\nrun:\n  retries: 2\n  scenario_timeout_seconds: 60\n  redact: [first_name, address.line_1]\n  formats: [junit, html]\n";
        let c = Config::parse(text, "c.yaml").expect("valid");
        assert_eq!(c.targets["s"].retries, Some(5));
        assert_eq!(c.run.retries, Some(2));
        assert_eq!(c.run.scenario_timeout_seconds, Some(60));
        assert_eq!(
            c.run.redact,
            vec!["first_name".to_string(), "address.line_1".to_string()]
        );
        assert_eq!(
            c.run.formats,
            Some(vec!["junit".to_string(), "html".to_string()])
        );
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let text = "targets:\n  sandbox:\n    api_url: https://x.example\n    colour: blue\n";
        let e = Config::parse(text, "c.yaml")
            .expect_err("unknown key")
            .to_string();
        assert!(e.starts_with("error: c.yaml:4:"), "{e}");
        assert!(e.contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn a_literal_secret_is_refused_with_a_hint() {
        let text =
            "targets:\n  sandbox:\n    api_url: https://x.example\n    client_secret: hunter2\n";
        let e = Config::parse(text, "c.yaml")
            .expect_err("secret")
            .to_string();
        assert!(e.contains("c.yaml:4:"), "{e}");
        assert!(e.contains("client_secret_env"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn meaningless_combinations_are_refused() {
        for (text, part) in [
            (
                "targets:\n  a:\n    api_url: ftp://x\n",
                "must be an http(s) URL",
            ),
            ("targets:\n  a:\n    webhook_url: https://x\n", "no api_url"),
            (
                "targets:\n  a:\n    api_url: https://x\n    faults: latency=1ms\n",
                "embedded mock only",
            ),
            ("run:\n  concurrency: 0\n", "at least 1"),
            ("run:\n  concurrency: many\n", "invalid type"),
        ] {
            let e = Config::parse(text, "c.yaml").expect_err(text).to_string();
            assert!(e.contains(part), "{text}: {e}");
        }
    }

    #[test]
    fn an_empty_file_is_an_empty_config_and_a_missing_default_is_none() {
        assert_eq!(Config::parse("", "c.yaml").ok(), Some(Config::default()));
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("nope.yaml");
        assert!(
            Config::load(Some(&missing)).is_err(),
            "an explicit file must exist"
        );
    }
}
