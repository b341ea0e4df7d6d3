//! The typed HTTP client the steps use: [`Target`] says where the API is, [`ApiClient`] sends
//! requests with a bearer token it fetches by OAuth2 client credentials and caches until
//! shortly before it expires. One `reqwest::Client` serves the whole run.

pub mod receiver;
pub mod subscriptions;

use crate::report::model::Exchange;
use reqwest::Method;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The documented sandbox hosts.
pub const SANDBOX_API_URL: &str = "https://api.solaris-sandbox.de";
pub const SANDBOX_AUTH_URL: &str = "https://auth.solaris-sandbox.de";

/// How often a safe request is sent again after 429/502/503/504 or no answer.
pub const SAFE_RETRIES: u32 = 3;
/// The longest wait between two attempts, whatever `Retry-After` says.
const MAX_WAIT: Duration = Duration::from_secs(10);

/// `Retry-After` in seconds, if the server sent it (capped).
fn retry_after(r: &Response) -> Option<Duration> {
    r.exchange
        .response_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s).min(MAX_WAIT))
}

/// A busy or failing gateway: the answers after which a safe request is sent again. The request
/// may or may not have been carried out.
pub fn transient(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// 100 ms, 200 ms, 400 ms… plus up to 50% jitter, so parallel scenarios do not retry in step.
pub fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(100) * 2u32.saturating_pow(attempt.saturating_sub(1).min(10));
    let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) * base.as_millis() as u64 / 512;
    (base + Duration::from_millis(jitter)).min(MAX_WAIT)
}

/// A token is renewed this long before it runs out.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// Where requests go and who the runner is there.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    /// How reports name the target, e.g. `mock (embedded)` or the API URL.
    pub name: String,
    /// Base URL of the API, without a trailing slash (`/v1/...` is appended).
    pub api_url: String,
    /// Base URL of the OAuth2 server (`/oauth2/token` is appended).
    pub auth_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// The target answers the `/simulator` controls (the mock does, a sandbox does not).
    pub simulation: bool,
}

impl std::fmt::Debug for Target {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("api_url", &self.api_url)
            .field("auth_url", &self.auth_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("simulation", &self.simulation)
            .finish()
    }
}

/// Why a request got no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("could not reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} refused the client credentials (HTTP {status}){detail}")]
    CredentialsRefused {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("{url} answered the token request with HTTP {status} and no usable token: {body}")]
    BadTokenAnswer {
        url: String,
        status: u16,
        body: String,
    },
    #[error("could not build the HTTP client: {0}")]
    Setup(String),
}

impl ClientError {
    /// A hint for the user on what to check.
    pub fn hint(&self) -> &'static str {
        match self {
            ClientError::Unreachable { .. } => {
                "check the URL, that the server is running, and network access (proxy, VPN, firewall)"
            }
            ClientError::CredentialsRefused { .. } => {
                "check --client-id / --client-secret or SOLARIS_CLIENT_ID / SOLARIS_CLIENT_SECRET"
            }
            ClientError::BadTokenAnswer { .. } => {
                "check --auth-url: it should point at the OAuth2 server"
            }
            ClientError::Setup(_) => "this is a bug in solaris-conformance; please report it",
        }
    }
}

/// An answer from the API.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The body as JSON; `Null` when empty, a JSON string when not JSON.
    pub body: Value,
    /// The body was present but not JSON.
    pub not_json: bool,
    pub exchange: Exchange,
}

impl Response {
    /// The answer `exchange` recorded, read again from its status and body (the exchange
    /// itself is not copied).
    pub fn read(exchange: &Exchange) -> Response {
        let (body, not_json) = read_body(exchange.response_body.as_deref().unwrap_or_default());
        Response {
            status: exchange.status.unwrap_or_default(),
            body,
            not_json,
            exchange: Exchange::default(),
        }
    }
}

#[derive(Debug)]
struct Token {
    value: String,
    renew_after: Instant,
}

/// Sends authenticated requests to one target.
#[derive(Debug)]
pub struct ApiClient {
    http: reqwest::Client,
    target: Target,
    /// The API's base URL, parsed once (`None` when it does not parse: each request then
    /// fails with reqwest's own words for it).
    api_base: Option<reqwest::Url>,
    token: tokio::sync::Mutex<Option<Token>>,
    /// How often a safe request is sent again ([`SAFE_RETRIES`] unless configured).
    safe_retries: u32,
}

fn reason(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    if e.is_timeout() {
        format!("timed out ({text})")
    } else {
        text
    }
}

impl ApiClient {
    pub fn new(target: Target, timeout: Duration) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .user_agent(concat!("solaris-conformance/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Setup(e.to_string()))?;
        Ok(ApiClient {
            http,
            api_base: reqwest::Url::parse(&target.api_url).ok(),
            target,
            token: tokio::sync::Mutex::new(None),
            safe_retries: SAFE_RETRIES,
        })
    }

    /// The same client, sending safe requests again up to `retries` times.
    pub fn with_safe_retries(mut self, retries: u32) -> Self {
        self.safe_retries = retries;
        self
    }

    /// How often a safe request is sent again after a busy or failing gateway or no answer.
    pub fn safe_retries(&self) -> u32 {
        self.safe_retries
    }

    /// The same client, recording whether the target offers the simulation controls.
    pub fn with_simulation(mut self, simulation: bool) -> Self {
        self.target.simulation = simulation;
        self
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// A valid access token, from the cache or freshly fetched.
    pub async fn token(&self) -> Result<String, ClientError> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref()
            && Instant::now() < t.renew_after
        {
            return Ok(t.value.clone());
        }
        let fresh = self.fetch_token().await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }

    /// Forgets the cached token (after a 401, say).
    pub async fn forget_token(&self) {
        *self.token.lock().await = None;
    }

    async fn fetch_token(&self) -> Result<Token, ClientError> {
        let url = format!("{}/oauth2/token", self.target.auth_url);
        let started = Instant::now();
        let answer = self
            .http
            .post(&url)
            .basic_auth(&self.target.client_id, Some(&self.target.client_secret))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=partners")
            .send()
            .await
            .map_err(|e| ClientError::Unreachable {
                url: url.clone(),
                reason: reason(&e),
            })?;
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        if status == 401 || status == 403 {
            let detail = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| error_detail(&v).map(|d| format!(": {d}")))
                .unwrap_or_default();
            return Err(ClientError::CredentialsRefused {
                url,
                status,
                detail,
            });
        }
        let parsed: Option<(String, u64)> =
            serde_json::from_str::<Value>(&text).ok().and_then(|v| {
                Some((
                    v.get("access_token")?.as_str()?.to_string(),
                    v.get("expires_in")?.as_u64()?,
                ))
            });
        match parsed {
            Some((value, expires_in)) if (200..300).contains(&status) => {
                let lifetime = Duration::from_secs(expires_in).saturating_sub(TOKEN_MARGIN);
                Ok(Token {
                    value,
                    renew_after: started + lifetime,
                })
            }
            _ => Err(ClientError::BadTokenAnswer {
                url,
                status,
                body: excerpt(&text, 200),
            }),
        }
    }

    /// Sends one request to `path` (e.g. `/v1/persons`) with an optional JSON body.
    ///
    /// A 401 is answered once by fetching a new token and sending again. Safe requests (GET,
    /// HEAD, OPTIONS) that meet a busy or failing gateway (429, 502, 503, 504) or no answer are
    /// sent again up to [`SAFE_RETRIES`] times (or as configured), after the server's `Retry-After` or an
    /// exponential backoff with jitter. A POST, PATCH, PUT or DELETE is never repeated blindly:
    /// its first answer is the answer.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, ClientError> {
        let safe = matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
        let mut attempt = 0;
        loop {
            let result = self.send_authorized(method.clone(), path, body).await;
            let retry_after = match &result {
                Ok(r) if safe && transient(r.status) => Some(retry_after(r)),
                Err(ClientError::Unreachable { .. }) if safe => Some(None),
                _ => None,
            };
            match retry_after {
                Some(wait) if attempt < self.safe_retries => {
                    attempt += 1;
                    tokio::time::sleep(wait.unwrap_or_else(|| backoff(attempt))).await;
                }
                _ => return result,
            }
        }
    }

    async fn send_authorized(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, ClientError> {
        let first = self.send_once(method.clone(), path, body).await?;
        if first.status != 401 || path.starts_with("/oauth") {
            return Ok(first);
        }
        self.forget_token().await;
        self.send_once(method, path, body).await
    }

    async fn send_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, ClientError> {
        let token = self.token().await?;
        let url = format!("{}{}", self.target.api_url, path);
        let mut request = match &self.api_base {
            Some(base) => self.http.request(method.clone(), under(base, path)),
            None => self.http.request(method.clone(), &url),
        }
        .bearer_auth(&token)
        .header("Accept", "application/json");
        // Serialised once: sent as is, and kept as the exchange's record (the reports show
        // JSON bodies pretty-printed when they redact them, so nothing is formatted twice for
        // a scenario whose bodies are let go of).
        let request_body = body.map(|b| serde_json::to_string(b).unwrap_or_default());
        let mut request_headers = vec![
            ("Authorization".to_string(), "Bearer [redacted]".to_string()),
            ("Accept".to_string(), "application/json".to_string()),
        ];
        if let Some(b) = &request_body {
            request = request
                .header("Content-Type", "application/json")
                .body(b.clone());
            request_headers.push(("Content-Type".into(), "application/json".into()));
        }
        let started = Instant::now();
        let answer = request.send().await.map_err(|e| ClientError::Unreachable {
            url: url.clone(),
            reason: reason(&e),
        })?;
        let status = answer.status().as_u16();
        let response_headers: Vec<(String, String)> = answer
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    v.to_str().unwrap_or("[binary]").to_string(),
                )
            })
            .collect();
        let bytes = answer.bytes().await.map_err(|e| ClientError::Unreachable {
            url: url.clone(),
            reason: reason(&e),
        })?;
        // Checked as UTF-8 at once (reqwest's `text` goes through the slower lossy decoding
        // whatever the body), and read lossily only when it is not.
        let text = String::from_utf8(Vec::from(bytes))
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let duration = started.elapsed();
        let (body, not_json) = read_body(&text);
        let exchange = Exchange {
            method: method.to_string(),
            url,
            request_headers,
            request_body,
            status: Some(status),
            response_headers,
            response_body: (!text.is_empty()).then_some(text),
            duration,
        };
        Ok(Response {
            status,
            body,
            not_json,
            exchange,
        })
    }
}

/// A response body as JSON (`Null` when empty), or as a JSON string when it is not JSON (then
/// `true`).
fn read_body(text: &str) -> (Value, bool) {
    if text.trim().is_empty() {
        return (Value::Null, false);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => (v, false),
        Err(_) => (Value::String(text.to_owned()), true),
    }
}

/// `path` (`/v1/...`, with its query if any) under the API's base URL: what parsing the two
/// joined gives, without parsing the base again. Reqwest parses each request's URL twice more
/// on its own; the host's part of a parse (IDNA) is the dearest, and this one is skipped.
fn under(base: &reqwest::Url, path: &str) -> reqwest::Url {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let mut url = base.clone();
    url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
    url.set_query(query);
    url
}

/// The `detail` of the first error in a Solaris error envelope.
pub fn error_detail(body: &Value) -> Option<&str> {
    body.pointer("/errors/0/detail").and_then(Value::as_str)
}

/// An answer's body on one line, for an error message: an HTML page without its tags (what a
/// web server that is not the API answers), runs of white space as one space, at most `max`
/// characters.
fn excerpt(text: &str, max: usize) -> String {
    let mut plain = String::with_capacity(text.len());
    let html = text.trim_start().starts_with('<');
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' if html => in_tag = true,
            '>' if html && in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            _ if in_tag => {}
            c => plain.push(c),
        }
    }
    truncate(&plain.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_url_under_the_base_is_what_parsing_the_joined_text_gives() {
        for base in [
            "http://127.0.0.1:8080",
            "https://api.solaris-sandbox.de",
            "https://gateway.example/solaris/",
            "http://[::1]:9/api",
        ] {
            let parsed = reqwest::Url::parse(base).expect("a base URL");
            for path in [
                "/v1/persons",
                "/v1/persons/1b2c/identifications/9f/request",
                "/v1/webhooks?page[number]=2&page[size]=100",
                "/v1/persons/a b/ümlaut%20x",
                "/oauth2/token?",
            ] {
                let joined = format!("{}{path}", base.trim_end_matches('/'));
                assert_eq!(
                    under(&parsed, path).as_str(),
                    reqwest::Url::parse(&joined).expect("joined").as_str(),
                    "{base} + {path}"
                );
            }
        }
    }

    #[test]
    fn an_answer_body_in_a_message_is_one_line_without_html_tags() {
        let page = "<!DOCTYPE HTML>\n<html lang=\"en\">\n  <head><title>Error response</title></head>\n  <body>\n    <h1>Error response</h1>\n    <p>Error code: 501</p>\n  </body>\n</html>\n";
        assert_eq!(
            excerpt(page, 200),
            "Error response Error response Error code: 501"
        );
        assert_eq!(
            excerpt("{\"error\":\n  \"invalid_client\"}", 200),
            "{\"error\": \"invalid_client\"}"
        );
        assert_eq!(excerpt("a  b", 2), "a …");
    }

    #[test]
    fn backoff_doubles_with_at_most_half_again_as_jitter() {
        for attempt in 1..=4u32 {
            let base = Duration::from_millis(100 * 2u64.pow(attempt - 1));
            let wait = backoff(attempt);
            assert!(
                wait >= base && wait <= base + base / 2,
                "attempt {attempt}: {wait:?}"
            );
        }
        assert!(backoff(30) <= MAX_WAIT);
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_capped() {
        let with = |v: &str| Response {
            status: 503,
            body: Value::Null,
            not_json: false,
            exchange: Exchange {
                response_headers: vec![("Retry-After".into(), v.into())],
                ..Default::default()
            },
        };
        assert_eq!(retry_after(&with("2")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(&with("3600")), Some(MAX_WAIT));
        assert_eq!(retry_after(&with("Wed, 21 Oct 2015 07:28:00 GMT")), None);
    }
}
