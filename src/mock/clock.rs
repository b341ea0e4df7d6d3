//! The mock's own clock, [`Clock`]: wall time plus an offset that only the simulator moves.
//!
//! Every time rule of the mock (token expiry, the 24-hour card activation block, the 14-day
//! identification link, the six-month proof of address) reads this clock, never the wall clock,
//! so scenarios can move time forward with `POST /simulator/clock/advance`.

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    /// The mock's now.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The mock's today (UTC).
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }

    /// Back to wall time.
    pub fn reset(&self) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) = Duration::zero();
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the one timestamp format the mock writes.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
