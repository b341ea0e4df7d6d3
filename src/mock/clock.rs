//! The mock's own clock, [`Clock`]: it starts at noon UTC of the current date and runs with the
//! wall clock; only the simulator moves it further.
//!
//! Every time rule of the mock (token expiry, the 24-hour card activation block, the 14-day
//! identification link, the six-month proof of address) reads this clock, never the wall clock,
//! so scenarios can move time forward with `POST /simulator/clock/advance`.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, SecondsFormat, Utc};
use std::sync::Mutex;

/// The mock's day starts at noon UTC of the current date, whatever the wall clock says, so a
/// run never crosses a time-of-day rule (the 22:00 SDD settlement, midnight) by accident: a
/// scenario that is about such a moment moves the clock there itself.
const START_OF_RUN: NaiveTime = match NaiveTime::from_hms_opt(12, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

#[derive(Debug)]
pub struct Clock {
    /// Where the clock started, relative to the wall clock.
    start: Duration,
    offset: Mutex<Duration>,
}

impl Default for Clock {
    fn default() -> Self {
        let wall = Utc::now();
        let start = wall.date_naive().and_time(START_OF_RUN).and_utc() - wall;
        Clock {
            start,
            offset: Mutex::new(start),
        }
    }
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

    /// Back to where it started.
    pub fn reset(&self) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) = self.start;
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the one timestamp format the mock writes.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_starts_at_noon_of_the_wall_clocks_date_and_runs_on() {
        let clock = Clock::default();
        let now = clock.now();
        assert_eq!(now.date_naive(), Utc::now().date_naive());
        assert!(
            now.time() >= START_OF_RUN && now.time() < START_OF_RUN + Duration::seconds(5),
            "{now}"
        );
        clock.advance(Duration::days(2));
        assert_eq!(clock.today(), Utc::now().date_naive() + Duration::days(2));
        clock.reset();
        assert!(clock.now().time() < START_OF_RUN + Duration::seconds(5));
    }
}
