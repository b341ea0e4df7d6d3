//! The IDnow video identification as a status machine: [`IdentificationStatus`] and its
//! [`IdentificationStatus::apply`], which refuses impossible moves with a [`TransitionError`].
//!
//! The statuses and their meaning come from the "IDnow status values" appendices of both seed
//! guides: `created` on creation, `pending` once the URL is requested, then the provider's
//! outcome. `aborted` and `canceled` let the customer retry with the same URL;
//! `pending_successful` may still end `failed` or `canceled` (and the account is then
//! blocked); `pending_failed` "might eventually turn to successful, but it is unlikely".
//!
//! [`IdentificationStatus`]: crate::domain::identification::IdentificationStatus
//! [`IdentificationStatus::apply`]: crate::domain::identification::IdentificationStatus::apply
//! [`TransitionError`]: crate::domain::identification::TransitionError

use std::fmt;

/// How long the IDnow URL of a requested identification stays valid ("Valid for 14 days").
pub const URL_VALIDITY_DAYS: i64 = 14;

/// Where a video identification stands. Final states never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentificationStatus {
    /// The identification resource exists; no URL was requested yet.
    Created,
    /// The URL and reference were generated; the customer has to go through the video call.
    Pending,
    /// Successful but under the provider's review; banking services may already be offered.
    PendingSuccessful,
    /// Under review and probably failing; no banking services.
    PendingFailed,
    /// Identified; the customer can be onboarded.
    Successful,
    /// The customer aborted; they can retry with the same URL.
    Aborted,
    /// The provider canceled; the customer should retry with the same URL.
    Canceled,
    /// Unsuccessful; no onboarding and no banking services.
    Failed,
    /// The URL's validity passed; a new identification is needed.
    Expired,
}

/// A refused status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an identification cannot move from {from} to {to}")]
pub struct TransitionError {
    /// The current status.
    pub from: IdentificationStatus,
    /// The status that was asked for.
    pub to: IdentificationStatus,
}

impl IdentificationStatus {
    /// Every status, in the order of the seed's table.
    pub const ALL: [Self; 9] = [
        Self::Created,
        Self::Pending,
        Self::PendingSuccessful,
        Self::PendingFailed,
        Self::Successful,
        Self::Aborted,
        Self::Canceled,
        Self::Failed,
        Self::Expired,
    ];

    /// The API value, e.g. `pending_successful`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Pending => "pending",
            Self::PendingSuccessful => "pending_successful",
            Self::PendingFailed => "pending_failed",
            Self::Successful => "successful",
            Self::Aborted => "aborted",
            Self::Canceled => "canceled",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }

    /// The status for an API value; exact, lowercase match.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Whether the status can never change again: successful, failed or expired.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Successful | Self::Failed | Self::Expired)
    }

    /// Whether banking services may be offered: successful or pending_successful.
    pub fn allows_banking(self) -> bool {
        matches!(self, Self::Successful | Self::PendingSuccessful)
    }

    /// Whether the customer needs a new identification resource: failed or expired.
    pub fn needs_new_identification(self) -> bool {
        matches!(self, Self::Failed | Self::Expired)
    }

    /// Whether the customer can (still or again) use the same URL: pending, aborted, canceled.
    pub fn url_reusable(self) -> bool {
        matches!(self, Self::Pending | Self::Aborted | Self::Canceled)
    }

    /// Whether a move from `self` to `to` is allowed.
    pub fn can_move_to(self, to: Self) -> bool {
        use IdentificationStatus::{
            Aborted, Canceled, Created, Expired, Failed, Pending, PendingFailed, PendingSuccessful,
            Successful,
        };
        match self {
            Created => to == Pending,
            Pending => !matches!(to, Created | Pending),
            // The customer retries with the same URL, so any outcome can follow, including
            // another abort or cancellation.
            Aborted | Canceled => to != Created,
            PendingSuccessful => matches!(to, Successful | Failed | Canceled),
            PendingFailed => matches!(to, Successful | Failed),
            Successful | Failed | Expired => false,
        }
    }

    /// The next status, or why the move is not allowed.
    pub fn apply(self, to: Self) -> Result<Self, TransitionError> {
        if self.can_move_to(to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

impl fmt::Display for IdentificationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for IdentificationStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

/// A string that is not an IDnow identification status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an identification status")]
pub struct UnknownStatus(pub String);

#[cfg(test)]
mod tests {
    use super::IdentificationStatus as S;
    use super::*;

    #[test]
    fn the_full_table_of_moves() {
        // Rows: from. Columns: to, in the order of `ALL`:
        // created pending p_succ p_fail successful aborted canceled failed expired
        let table: [(S, [u8; 9]); 9] = [
            (S::Created, [0, 1, 0, 0, 0, 0, 0, 0, 0]),
            (S::Pending, [0, 0, 1, 1, 1, 1, 1, 1, 1]),
            (S::PendingSuccessful, [0, 0, 0, 0, 1, 0, 1, 1, 0]),
            (S::PendingFailed, [0, 0, 0, 0, 1, 0, 0, 1, 0]),
            (S::Successful, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
            (S::Aborted, [0, 1, 1, 1, 1, 1, 1, 1, 1]),
            (S::Canceled, [0, 1, 1, 1, 1, 1, 1, 1, 1]),
            (S::Failed, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
            (S::Expired, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ];
        for (from, row) in table {
            for (to, allowed) in S::ALL.into_iter().zip(row) {
                let result = from.apply(to);
                if allowed == 1 {
                    assert_eq!(result, Ok(to), "{from} -> {to}");
                } else {
                    assert_eq!(result, Err(TransitionError { from, to }), "{from} -> {to}");
                }
            }
        }
    }

    #[test]
    fn final_states_never_move() {
        for from in S::ALL.into_iter().filter(|s| s.is_final()) {
            assert!(
                S::ALL.into_iter().all(|to| from.apply(to).is_err()),
                "{from}"
            );
        }
    }

    #[test]
    fn the_error_reads_after_failed_to() {
        let err = S::Successful.apply(S::Pending).unwrap_err();
        assert_eq!(
            err.to_string(),
            "an identification cannot move from successful to pending"
        );
    }

    #[test]
    fn strings_round_trip() {
        for status in S::ALL {
            assert_eq!(S::parse(status.as_str()), Some(status));
            assert_eq!(status.as_str().parse::<S>(), Ok(status));
            assert_eq!(status.to_string(), status.as_str());
        }
        for bad in [
            "",
            "SUCCESSFUL",
            "success",
            " pending",
            "authorization_required",
        ] {
            assert_eq!(S::parse(bad), None, "{bad:?}");
        }
        assert_eq!(
            "nope".parse::<S>().unwrap_err().to_string(),
            "`nope` is not an identification status"
        );
    }

    #[test]
    fn predicates_follow_the_rule_table() {
        // (status, is_final, allows_banking, needs_new_identification, url_reusable)
        let rows = [
            (S::Created, false, false, false, false),
            (S::Pending, false, false, false, true),
            (S::PendingSuccessful, false, true, false, false),
            (S::PendingFailed, false, false, false, false),
            (S::Successful, true, true, false, false),
            (S::Aborted, false, false, false, true),
            (S::Canceled, false, false, false, true),
            (S::Failed, true, false, true, false),
            (S::Expired, true, false, true, false),
        ];
        for (status, is_final, banking, new_needed, reusable) in rows {
            assert_eq!(status.is_final(), is_final, "{status}");
            assert_eq!(status.allows_banking(), banking, "{status}");
            assert_eq!(status.needs_new_identification(), new_needed, "{status}");
            assert_eq!(status.url_reusable(), reusable, "{status}");
        }
    }
}
