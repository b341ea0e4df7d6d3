//! The SDD collection application of a decoupled card as a status machine:
//! [`ApplicationStatus`] and its [`ApplicationStatus::apply`].
//!
//! The statuses and their order come from the Decoupled Cards guide (Step 5, Step 6, Step 8 and
//! Appendix I): the application starts at `initial_scoring_pending`; the initial scoring (the
//! credit record) leads to `account_snapshot_pending` or `rejected`; linking an account snapshot
//! to `account_snapshot_verification_pending`; the verification (the snapshot) to `offered` or
//! `rejected`; linking the internal account to `overdraft_created`. If a linked snapshot fails
//! before it is verified, the application goes back to `account_snapshot_pending` for a new one.
//!
//! [`ApplicationStatus`]: crate::domain::sdd_application::ApplicationStatus
//! [`ApplicationStatus::apply`]: crate::domain::sdd_application::ApplicationStatus::apply

use std::fmt;

/// Where an SDD collection application stands. `rejected` and `overdraft_created` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationStatus {
    InitialScoringPending,
    AccountSnapshotPending,
    AccountSnapshotVerificationPending,
    Rejected,
    Offered,
    OverdraftCreated,
}

/// Solaris' decision on the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Offered,
    Rejected,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offered => "OFFERED",
            Self::Rejected => "REJECTED",
        }
    }
}

/// A refused status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an SDD collection application cannot move from {from} to {to}")]
pub struct TransitionError {
    pub from: ApplicationStatus,
    pub to: ApplicationStatus,
}

impl ApplicationStatus {
    /// Every status, in the order of the guide's Appendix I.
    pub const ALL: [Self; 6] = [
        Self::InitialScoringPending,
        Self::AccountSnapshotPending,
        Self::AccountSnapshotVerificationPending,
        Self::Rejected,
        Self::Offered,
        Self::OverdraftCreated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InitialScoringPending => "initial_scoring_pending",
            Self::AccountSnapshotPending => "account_snapshot_pending",
            Self::AccountSnapshotVerificationPending => "account_snapshot_verification_pending",
            Self::Rejected => "rejected",
            Self::Offered => "offered",
            Self::OverdraftCreated => "overdraft_created",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// No move leaves a final status.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Rejected | Self::OverdraftCreated)
    }

    /// The decision the application shows in this status; none before the initial scoring.
    pub fn decision(self) -> Option<Decision> {
        match self {
            Self::InitialScoringPending => None,
            Self::Rejected => Some(Decision::Rejected),
            _ => Some(Decision::Offered),
        }
    }

    /// The next status, or why the move is not allowed.
    pub fn apply(self, to: Self) -> Result<Self, TransitionError> {
        use ApplicationStatus::*;
        let allowed = matches!(
            (self, to),
            (InitialScoringPending, AccountSnapshotPending | Rejected)
                | (AccountSnapshotPending, AccountSnapshotVerificationPending)
                | (
                    AccountSnapshotVerificationPending,
                    Offered | Rejected | AccountSnapshotPending
                )
                | (Offered, OverdraftCreated)
        );
        if allowed {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

impl fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ApplicationStatus::*;
    use super::*;

    #[test]
    fn the_documented_order_is_the_only_way_forward() {
        let allowed = [
            (InitialScoringPending, AccountSnapshotPending),
            (InitialScoringPending, Rejected),
            (AccountSnapshotPending, AccountSnapshotVerificationPending),
            (AccountSnapshotVerificationPending, Offered),
            (AccountSnapshotVerificationPending, Rejected),
            (AccountSnapshotVerificationPending, AccountSnapshotPending),
            (Offered, OverdraftCreated),
        ];
        for from in ApplicationStatus::ALL {
            for to in ApplicationStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.apply(to).is_ok(), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn final_statuses_never_move() {
        for from in [Rejected, OverdraftCreated] {
            assert!(from.is_final());
            for to in ApplicationStatus::ALL {
                assert!(from.apply(to).is_err());
            }
        }
    }

    #[test]
    fn statuses_read_back_and_carry_their_decision() {
        for s in ApplicationStatus::ALL {
            assert_eq!(ApplicationStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ApplicationStatus::parse("pending"), None);
        assert_eq!(InitialScoringPending.decision(), None);
        assert_eq!(Rejected.decision(), Some(Decision::Rejected));
        assert_eq!(Offered.decision().map(Decision::as_str), Some("OFFERED"));
    }
}
