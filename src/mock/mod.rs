//! The sandbox double: [`app`] builds the axum [`Router`] that plays the Solaris API, and
//! [`start`] serves it on a socket (the `mock` command and the runner's embedded target).
//!
//! One file per resource, each with its own `router()`. Handlers stay thin: parse, call the
//! rules in [`crate::domain`], store, answer. Anything outside `/v1` follows
//! `mock-contract.md`: OAuth2 token endpoint, the simulator controls, the error envelope.

mod account_snapshots;
mod accounts;
mod auth;
mod body;
mod cards;
mod clock;
mod credit_records;
mod decoupled;
mod decoupled_accounts;
mod error;
mod faults;
mod identifications;
mod ledger;
mod mobile;
mod payouts;
mod persons;
mod reference_accounts;
mod sdd_applications;
mod simulator;
mod store;
mod tax;
mod timeline;
mod webhooks;

pub use clock::timestamp;
pub use error::ApiError;
pub use faults::Faults;

use axum::Router;
use axum::extract::Request;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use store::Store;

/// Client credentials the mock's token endpoint accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct MockConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Delays and 503s on purpose (`mock --faults`); none by default.
    pub faults: Option<Faults>,
}

impl Default for MockConfig {
    /// The contract's defaults: `mock-client` / `mock-secret`.
    fn default() -> Self {
        MockConfig {
            client_id: "mock-client".into(),
            client_secret: "mock-secret".into(),
            faults: None,
        }
    }
}

/// Everything a handler can reach.
#[derive(Debug)]
pub struct Shared {
    pub config: MockConfig,
    pub clock: clock::Clock,
    store: Mutex<Store>,
    /// Delivers webhooks and runs the time rules in the background.
    pub engine: webhooks::Engine,
    /// For webhook verification and delivery.
    http: reqwest::Client,
    /// When the time rules last ran, on the wall clock (see [`Shared::timeline_turn`]).
    timeline_ran: Mutex<Option<std::time::Instant>>,
    /// What every SDD mandate number starts with ([`creditor_prefix_from_env`]).
    pub creditor_prefix: String,
}

/// The time rules need not run more often than this: on the mock's own pace, time moves with
/// the wall clock, and a run scans every identification, account and application. Moving the
/// clock runs them at once.
const TIMELINE_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

impl Shared {
    /// Whether the time rules should run now: at most every [`TIMELINE_EVERY`] (which keeps a
    /// request's cost flat however many resources the mock holds).
    fn timeline_turn(&self) -> bool {
        let mut last = self.timeline_ran.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        if last.is_some_and(|t| now.duration_since(t) < TIMELINE_EVERY) {
            return false;
        }
        *last = Some(now);
        true
    }

    /// A change may have made a rule due now (a payout confirmed, a TIN recorded): the next
    /// turn is not to wait.
    fn timeline_dirty(&self) {
        *self.timeline_ran.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The state, locked. Never held across an await.
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub type AppState = Arc<Shared>;

/// A fresh state for a mock with these credentials.
pub fn state(config: MockConfig) -> AppState {
    Arc::new(Shared {
        config,
        clock: clock::Clock::default(),
        store: Mutex::new(Store::default()),
        engine: webhooks::Engine::default(),
        http: reqwest::Client::new(),
        timeline_ran: Mutex::new(None),
        creditor_prefix: creditor_prefix_from_env()
            .unwrap_or_else(|_| crate::domain::mandate::DEFAULT_CREDITOR_PREFIX.to_string()),
    })
}

/// The environment variable that sets the creditor prefix of SDD mandate numbers.
pub const CREDITOR_PREFIX_VAR: &str = "SOLARIS_MOCK_CREDITOR_PREFIX";

/// The creditor prefix every SDD mandate number must start with: `RCIAIR` (the Decoupled Cards
/// guide), unless `SOLARIS_MOCK_CREDITOR_PREFIX` names another (1 to 34 characters of
/// `[A-Za-z0-9]`; anything else is an error, which [`start`] reports).
pub fn creditor_prefix_from_env() -> Result<String, String> {
    match std::env::var(CREDITOR_PREFIX_VAR) {
        Ok(prefix) if !prefix.is_empty() => {
            crate::domain::mandate::check_creditor_prefix(&prefix)
                .map_err(|why| format!("{CREDITOR_PREFIX_VAR}: {why}"))?;
            Ok(prefix)
        }
        _ => Ok(crate::domain::mandate::DEFAULT_CREDITOR_PREFIX.to_string()),
    }
}

/// The whole mock as a router.
pub fn app(state: AppState) -> Router {
    let protected = Router::new()
        .merge(persons::router())
        .merge(mobile::router())
        .merge(tax::router())
        .merge(identifications::router())
        .merge(accounts::router())
        .merge(cards::router())
        .merge(simulator::router())
        .merge(webhooks::router())
        .merge(credit_records::router())
        .merge(sdd_applications::router())
        .merge(account_snapshots::router())
        .merge(decoupled_accounts::router())
        .merge(reference_accounts::router())
        .merge(ledger::router())
        .merge(payouts::router())
        .route_layer(from_fn_with_state(state.clone(), on_the_clock))
        .route_layer(from_fn_with_state(state.clone(), auth::require_bearer));
    Router::new()
        .merge(auth::router())
        .merge(protected)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(into_envelope))
        .with_state(state)
}

/// The last line of defence: an error answer that is not already JSON (axum's own rejections,
/// e.g. a path segment that is not valid UTF-8) becomes the Solaris envelope, and no 5xx leaves
/// the mock.
async fn into_envelope(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error())
        || (is_json && status.is_client_error())
    {
        return response;
    }
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    let error = if status.is_server_error() {
        ApiError::validation(format!("the mock could not handle this request: {text}"))
    } else {
        ApiError::rejected(
            status,
            if text.is_empty() {
                "the request was rejected".into()
            } else {
                text
            },
        )
    };
    error.into_response()
}

/// Before a request: the time rules that fell due run (right after any change, otherwise at
/// most every 20 ms), so the request sees the state of the mock's now. After it: the engine is
/// woken to deliver what the request raised.
async fn on_the_clock(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    if state.timeline_turn() {
        let now = state.clock.now();
        timeline::run_due(&mut state.store(), now);
    }
    let changes = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let response = next.run(request).await;
    if changes {
        state.timeline_dirty();
    }
    state.engine.kick();
    response
}

async fn not_found(request: Request) -> Response {
    ApiError::route_not_found(request.method().as_str(), request.uri().path()).into_response()
}

async fn method_not_allowed(request: Request) -> Response {
    ApiError::method_not_allowed(request.method().as_str(), request.uri().path()).into_response()
}

/// A mock serving on a socket until dropped or shut down.
#[derive(Debug)]
pub struct RunningMock {
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningMock {
    /// `http://ADDR`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until the task ends (the `mock` command waits on this).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `bind` (port 0 picks a free one) and serves the mock in a background task.
pub async fn start(config: MockConfig, bind: SocketAddr) -> std::io::Result<RunningMock> {
    creditor_prefix_from_env()
        .map_err(|why| std::io::Error::new(std::io::ErrorKind::InvalidInput, why))?;
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = state(config);
    let engine = webhooks::spawn(&state);
    let faults = state.config.faults.clone();
    let mut router = app(state);
    if let Some(f) = faults {
        let injector = Arc::new(faults::Injector::new(f));
        router = router.layer(from_fn_with_state(injector, faults::inject));
    }
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        engine.abort();
    });
    Ok(RunningMock {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}
