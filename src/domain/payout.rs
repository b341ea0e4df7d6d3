//! Payouts from a decoupled card account to its reference account, as a status machine:
//! [`PayoutStatus`] and its [`PayoutStatus::apply`].
//!
//! A payout exists once its change request is confirmed: `ACCEPTED`. It is then executed,
//! `EXECUTED`, when the positive balance covers it at that moment, or `DECLINED` when it no
//! longer does (another payout or a purchase came first). Both are final. The API reference
//! writes the statuses in upper case, the Decoupled Cards guide's example in lower case; the
//! mock writes upper case and [`PayoutStatus::parse`] reads both.
//!
//! [`PayoutStatus`]: crate::domain::payout::PayoutStatus
//! [`PayoutStatus::apply`]: crate::domain::payout::PayoutStatus::apply
//! [`PayoutStatus::parse`]: crate::domain::payout::PayoutStatus::parse

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayoutStatus {
    Accepted,
    Executed,
    Declined,
}

/// A refused status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a payout cannot move from {from} to {to}")]
pub struct TransitionError {
    pub from: PayoutStatus,
    pub to: PayoutStatus,
}

impl PayoutStatus {
    pub const ALL: [Self; 3] = [Self::Accepted, Self::Executed, Self::Declined];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "ACCEPTED",
            Self::Executed => "EXECUTED",
            Self::Declined => "DECLINED",
        }
    }

    /// Either case: `EXECUTED` (API reference) or `executed` (the guide's example).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    pub fn is_final(self) -> bool {
        !matches!(self, Self::Accepted)
    }

    pub fn apply(self, to: Self) -> Result<Self, TransitionError> {
        if self == Self::Accepted && to != Self::Accepted {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

impl fmt::Display for PayoutStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::PayoutStatus::*;
    use super::*;

    #[test]
    fn accepted_ends_executed_or_declined_and_nothing_else_moves() {
        for from in PayoutStatus::ALL {
            for to in PayoutStatus::ALL {
                let expected = from == Accepted && to != Accepted;
                assert_eq!(from.apply(to).is_ok(), expected, "{from} -> {to}");
            }
        }
        assert!(Executed.is_final() && Declined.is_final() && !Accepted.is_final());
    }

    #[test]
    fn both_cases_of_the_docs_read() {
        assert_eq!(PayoutStatus::parse("accepted"), Some(Accepted));
        assert_eq!(PayoutStatus::parse("EXECUTED"), Some(Executed));
        assert_eq!(PayoutStatus::parse("Declined"), Some(Declined));
        assert_eq!(PayoutStatus::parse("pending"), None);
    }
}
