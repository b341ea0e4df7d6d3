//! Fault injection, [`Faults`]: the mock made slow and unreliable on purpose, to see that a
//! client survives a flaky network without lying. `mock --faults latency=50ms,error-rate=0.05`
//! delays every `/v1` answer and refuses a share of them with 503 — decided before the request
//! is handled, so a refused request changes nothing. `lost-rate=0.05` handles a share of them
//! and then answers 504 instead, as a gateway that gave up waiting: the request took effect
//! but the client cannot know it. The draws come from a seeded generator: the same seed gives
//! the same faults in the same order of requests.

use super::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What goes wrong, and how often.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Added before every `/v1` answer.
    pub latency: Duration,
    /// Share of `/v1` requests refused with 503 (0.0 to 1.0).
    pub error_rate: f64,
    /// Share of `/v1` requests handled whose answer is then lost: a 504 instead (0.0 to 1.0).
    pub lost_rate: f64,
    pub seed: u64,
}

impl std::str::FromStr for Faults {
    type Err = String;

    /// `latency=50ms,error-rate=0.05,lost-rate=0.02,seed=7` (any subset; `latency` takes `ms`
    /// or `s`).
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults {
            latency: Duration::ZERO,
            error_rate: 0.0,
            lost_rate: 0.0,
            seed: 1,
        };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                format!(
                    "`{part}` is not key=value; use latency=50ms, error-rate=0.05, lost-rate=0.02 or seed=7"
                )
            })?;
            match key.trim() {
                "latency" => faults.latency = duration(value.trim())?,
                "error-rate" | "error_rate" => faults.error_rate = rate("error-rate", value)?,
                "lost-rate" | "lost_rate" => faults.lost_rate = rate("lost-rate", value)?,
                "seed" => {
                    faults.seed = value
                        .trim()
                        .parse()
                        .map_err(|_| format!("seed `{value}` is not a whole number"))?
                }
                other => {
                    return Err(format!(
                        "unknown fault `{other}`; the faults are latency, error-rate, lost-rate and seed"
                    ));
                }
            }
        }
        Ok(faults)
    }
}

/// A share from 0 to 1.
fn rate(name: &str, value: &str) -> Result<f64, String> {
    let rate: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{name} `{value}` is not a number"))?;
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("{name} {rate} must be between 0 and 1"));
    }
    Ok(rate)
}

fn duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.strip_suffix("ms") {
        Some(n) => (n, 1),
        None => (
            text.strip_suffix('s')
                .ok_or_else(|| format!("latency `{text}` needs a unit: ms or s"))?,
            1000,
        ),
    };
    let n: u64 = number
        .trim()
        .parse()
        .map_err(|_| format!("latency `{text}` is not a whole number of ms or s"))?;
    let ms = n
        .checked_mul(unit)
        .filter(|ms| *ms <= 60_000)
        .ok_or_else(|| format!("latency `{text}` is more than 60 s"))?;
    Ok(Duration::from_millis(ms))
}

/// The faults and the position in their seeded sequence.
#[derive(Debug)]
pub struct Injector {
    pub faults: Faults,
    draws: AtomicU64,
}

impl Injector {
    pub fn new(faults: Faults) -> Self {
        Injector {
            faults,
            draws: AtomicU64::new(0),
        }
    }

    /// The next draw of the sequence.
    fn draw(&self) -> f64 {
        self.faults.draw(self.draws.fetch_add(1, Ordering::Relaxed))
    }
}

impl Faults {
    /// Draw number `n` (from 0) of the seeded sequence, in [0, 1): SplitMix64 over the seed and
    /// `n`. Each `/v1` request takes the next draw for `error-rate` (refused when below it),
    /// then one for `lost-rate` when that is set, so a client that sends its requests one at a
    /// time knows in advance which ones meet a fault.
    pub fn draw(&self, n: u64) -> f64 {
        let mut z = self
            .seed
            .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The layer: delay, then maybe refuse before the handler runs, or lose the handler's answer
/// (a 504 instead). Only `/v1` is affected.
pub async fn inject(
    State(injector): State<Arc<Injector>>,
    request: Request,
    next: Next,
) -> Response {
    if !request.uri().path().starts_with("/v1/") {
        return next.run(request).await;
    }
    if !injector.faults.latency.is_zero() {
        tokio::time::sleep(injector.faults.latency).await;
    }
    if injector.faults.error_rate > 0.0 && injector.draw() < injector.faults.error_rate {
        let error = ApiError::rejected(
            StatusCode::SERVICE_UNAVAILABLE,
            "injected fault: the mock runs with --faults".into(),
        );
        let mut response = error.into_response();
        response
            .headers_mut()
            .insert("Retry-After", HeaderValue::from_static("0"));
        return response;
    }
    let lost = injector.faults.lost_rate > 0.0 && injector.draw() < injector.faults.lost_rate;
    let answer = next.run(request).await;
    if lost {
        return ApiError::rejected(
            StatusCode::GATEWAY_TIMEOUT,
            "injected fault: the request was handled but its answer was lost (--faults lost-rate)"
                .into(),
        )
        .into_response();
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_and_refuse_what_they_should() {
        let f: Faults = "latency=50ms, error-rate=0.05, seed=7"
            .parse()
            .expect("valid");
        assert_eq!(
            f,
            Faults {
                latency: Duration::from_millis(50),
                error_rate: 0.05,
                lost_rate: 0.0,
                seed: 7
            }
        );
        assert_eq!(
            "latency=2s".parse::<Faults>().map(|f| f.latency),
            Ok(Duration::from_secs(2))
        );
        assert_eq!(
            "lost-rate=0.25".parse::<Faults>().map(|f| f.lost_rate),
            Ok(0.25)
        );
        for bad in [
            "latency=5",
            "error-rate=2",
            "error-rate=x",
            "lost-rate=1.5",
            "seed=-1",
            "jitter=1ms",
            "latency",
        ] {
            assert!(bad.parse::<Faults>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_draws_and_the_rate_holds() {
        let faults = Faults {
            latency: Duration::ZERO,
            error_rate: 0.25,
            lost_rate: 0.0,
            seed: 42,
        };
        let (a, b) = (Injector::new(faults.clone()), Injector::new(faults));
        let first: Vec<f64> = (0..1000).map(|_| a.draw()).collect();
        let second: Vec<f64> = (0..1000).map(|_| b.draw()).collect();
        assert_eq!(first, second);
        let refused = first.iter().filter(|d| **d < 0.25).count();
        assert!(
            (200..300).contains(&refused),
            "{refused} of 1000 refused at a 25% rate"
        );
        assert!(first.iter().all(|d| (0.0..1.0).contains(d)));
    }
}
