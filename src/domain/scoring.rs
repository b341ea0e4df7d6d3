//! The consumer decoupled-card scorer of the mock: deterministic, documented in
//! `docs/scoring.md`, so a scenario picks an outcome by the data it sends.
//!
//! Two checks, as the Decoupled Cards guide describes them: the [`initial_scoring`] reads the
//! credit record ([`CreditFacts`]); the [`verify`] step reads the account snapshot
//! ([`SnapshotFacts`]: income, other expenses, recurring credit repayments, balance) and gives
//! a limit from EUR 100 to EUR 1,000 in steps of EUR 50, or a rejection with the documented
//! `rejection_reasons`. Every amount is in integer cents.
//!
//! [`initial_scoring`]: crate::domain::scoring::initial_scoring
//! [`verify`]: crate::domain::scoring::verify
//! [`CreditFacts`]: crate::domain::scoring::CreditFacts
//! [`SnapshotFacts`]: crate::domain::scoring::SnapshotFacts

use super::ledger::{MAX_LIMIT_CENTS, MIN_LIMIT_CENTS, cents_from_euros};
use serde_json::Value;
use std::fmt;

/// Limits are offered in steps of EUR 50.
pub const LIMIT_STEP_CENTS: i64 = 5_000;
/// A credit record without readable findings (the `solarisBank` source, or a partner file that
/// is not the mock's JSON) counts as this SCHUFA-style score, in hundredths of a percent.
pub const DEFAULT_SCORE: i64 = 9_750;
/// Below this score (80.00 %) the initial scoring rejects.
pub const MIN_SCORE: i64 = 8_000;
/// Snapshot length when `days` is absent.
pub const DEFAULT_SNAPSHOT_DAYS: i64 = 90;

/// Why an application is rejected, as the `SDD_COLLECTION_APPLICATION` webhook spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionReason {
    /// The estimated probability of default is too high.
    ProbabilityOfDefault,
    /// The customer could only be offered less than the smallest limit, EUR 100.
    NotPreferredAlternateOffer,
}

impl RejectionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProbabilityOfDefault => "probability_of_default",
            Self::NotPreferredAlternateOffer => "not_preferred_alternate_offer",
        }
    }
}

impl fmt::Display for RejectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the credit record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditFacts {
    /// SCHUFA-style score in hundredths of a percent (9750 = 97.50 %).
    pub score: i64,
    /// Negative entries (defaults, collections).
    pub negative_entries: u32,
}

impl Default for CreditFacts {
    fn default() -> Self {
        CreditFacts {
            score: DEFAULT_SCORE,
            negative_entries: 0,
        }
    }
}

/// The findings of a partner's credit record file (already base64-decoded). The mock reads a
/// JSON object `{"score": 97.5, "negative_entries": 0}` (both optional); any other file (a PDF
/// from SCHUFA, say) has no findings the mock can read and counts as [`CreditFacts::default`].
/// A JSON object with a `score` or `negative_entries` of the wrong kind is refused.
pub fn credit_facts_from_file(file: &[u8]) -> Result<CreditFacts, String> {
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(file) else {
        return Ok(CreditFacts::default());
    };
    let mut facts = CreditFacts::default();
    if let Some(score) = doc.get("score") {
        facts.score = cents_from_euros(score)
            .filter(|s| (0..=10_000).contains(s))
            .ok_or("score must be a number from 0 to 100 with at most two decimals")?;
    }
    if let Some(n) = doc.get("negative_entries") {
        facts.negative_entries = n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or("negative_entries must be a whole number from 0")?;
    }
    Ok(facts)
}

/// The initial scoring: no negative entries and a score of at least 80 %.
pub fn initial_scoring(credit: &CreditFacts) -> Result<(), RejectionReason> {
    if credit.negative_entries > 0 || credit.score < MIN_SCORE {
        Err(RejectionReason::ProbabilityOfDefault)
    } else {
        Ok(())
    }
}

/// The highest limit the credit record allows.
pub fn limit_cap(credit: &CreditFacts) -> i64 {
    match credit.score {
        s if s >= 9_750 => MAX_LIMIT_CENTS,
        s if s >= 9_500 => 75_000,
        s if s >= 9_000 => 50_000,
        _ => 25_000,
    }
}

/// One movement of the snapshot's account, in cents (positive in, negative out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turnover {
    pub amount: i64,
    /// A recurring credit repayment (tagged `repayment` or `loan`).
    pub repayment: bool,
}

/// What the account snapshot says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFacts {
    /// How many days the snapshot covers.
    pub days: i64,
    /// The balance on the snapshot's date, in cents.
    pub balance: i64,
    pub turnovers: Vec<Turnover>,
}

/// Why `snapshot_data` cannot be read: where (a JSON pointer) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotProblem {
    pub pointer: String,
    pub message: String,
}

fn problem(pointer: impl Into<String>, message: &str) -> SnapshotProblem {
    SnapshotProblem {
        pointer: pointer.into(),
        message: message.into(),
    }
}

/// Reads the `snapshot_data` of a `PARTNER` snapshot, in the guide's format (Step 6):
/// `balance.balance`, `days` and `turnovers[].amount` in euros; `turnovers[].tags` marks
/// repayments.
pub fn snapshot_facts(data: &Value) -> Result<SnapshotFacts, SnapshotProblem> {
    if !data.is_object() {
        return Err(problem("", "must be an object"));
    }
    let balance = data
        .pointer("/balance/balance")
        .ok_or_else(|| problem("/balance/balance", "is required"))
        .and_then(|b| {
            cents_from_euros(b).ok_or_else(|| {
                problem(
                    "/balance/balance",
                    "must be an amount in euros with at most two decimals",
                )
            })
        })?;
    let days = match data.get("days") {
        None | Some(Value::Null) => DEFAULT_SNAPSHOT_DAYS,
        Some(d) => d
            .as_i64()
            .filter(|d| (1..=731).contains(d))
            .ok_or_else(|| problem("/days", "must be a whole number of days from 1 to 731"))?,
    };
    let list = data
        .get("turnovers")
        .and_then(Value::as_array)
        .ok_or_else(|| problem("/turnovers", "must be a list of turnovers"))?;
    let mut turnovers = Vec::with_capacity(list.len());
    for (i, t) in list.iter().enumerate() {
        let amount = t.get("amount").and_then(cents_from_euros).ok_or_else(|| {
            problem(
                format!("/turnovers/{i}/amount"),
                "must be an amount in euros with at most two decimals",
            )
        })?;
        let repayment = t.get("tags").and_then(Value::as_array).is_some_and(|tags| {
            tags.iter().filter_map(Value::as_str).any(|tag| {
                tag.eq_ignore_ascii_case("repayment") || tag.eq_ignore_ascii_case("loan")
            })
        });
        turnovers.push(Turnover { amount, repayment });
    }
    Ok(SnapshotFacts {
        days,
        balance,
        turnovers,
    })
}

/// The monthly figures the verification works with, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    pub monthly_income: i64,
    pub monthly_expenses: i64,
    pub monthly_repayments: i64,
    /// Income minus expenses minus repayments.
    pub monthly_free: i64,
    /// Half the free income, less an overdrawn balance; before the cap and the EUR 50 steps.
    pub capacity: i64,
}

/// Monthly averages over the snapshot: its days in whole months of 30 days (at least one).
pub fn assess(snapshot: &SnapshotFacts) -> Assessment {
    let months = (snapshot.days / 30).max(1);
    let mut income = 0i64;
    let mut expenses = 0i64;
    let mut repayments = 0i64;
    for t in &snapshot.turnovers {
        match (t.amount >= 0, t.repayment) {
            (true, _) => income += t.amount,
            (false, true) => repayments -= t.amount,
            (false, false) => expenses -= t.amount,
        }
    }
    let (income, expenses, repayments) = (income / months, expenses / months, repayments / months);
    let free = income - expenses - repayments;
    Assessment {
        monthly_income: income,
        monthly_expenses: expenses,
        monthly_repayments: repayments,
        monthly_free: free,
        capacity: free / 2 + snapshot.balance.min(0),
    }
}

/// The verification's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Offered { limit: i64 },
    Rejected(RejectionReason),
}

/// The verification of the account snapshot, within what the credit record allows.
pub fn verify(credit: &CreditFacts, snapshot: &SnapshotFacts) -> Verdict {
    if let Err(reason) = initial_scoring(credit) {
        return Verdict::Rejected(reason);
    }
    let a = assess(snapshot);
    if a.monthly_income <= 0 || 2 * a.monthly_repayments > a.monthly_income || a.monthly_free <= 0 {
        return Verdict::Rejected(RejectionReason::ProbabilityOfDefault);
    }
    let stepped = a.capacity.div_euclid(LIMIT_STEP_CENTS) * LIMIT_STEP_CENTS;
    let limit = stepped.min(limit_cap(credit));
    if limit < MIN_LIMIT_CENTS {
        Verdict::Rejected(RejectionReason::NotPreferredAlternateOffer)
    } else {
        Verdict::Offered { limit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Three months of a salary, rent and (tagged) loan repayment, in euros.
    fn months(salary: i64, rent: i64, loan: i64, balance: i64) -> SnapshotFacts {
        let mut turnovers = Vec::new();
        for _ in 0..3 {
            turnovers.push(Turnover {
                amount: salary * 100,
                repayment: false,
            });
            if rent > 0 {
                turnovers.push(Turnover {
                    amount: -rent * 100,
                    repayment: false,
                });
            }
            if loan > 0 {
                turnovers.push(Turnover {
                    amount: -loan * 100,
                    repayment: true,
                });
            }
        }
        SnapshotFacts {
            days: 90,
            balance: balance * 100,
            turnovers,
        }
    }

    #[test]
    fn the_table_of_docs_scoring_md() {
        let default = CreditFacts::default();
        let score = |s: i64| CreditFacts {
            score: s,
            negative_entries: 0,
        };
        use RejectionReason::*;
        let offered = |eur: i64| Verdict::Offered { limit: eur * 100 };
        // (credit, salary, rent, loan, balance) → verdict
        let rows = [
            (default, 3_000, 0, 0, 1_000, offered(1_000)),
            (default, 2_500, 700, 0, 0, offered(900)),
            (default, 1_500, 700, 0, 0, offered(400)),
            (default, 1_000, 500, 0, 0, offered(250)),
            (default, 1_000, 750, 0, 0, offered(100)),
            (default, 1_600, 600, 0, -300, offered(200)),
            (score(9_600), 3_000, 0, 0, 0, offered(750)),
            (score(9_200), 3_000, 0, 0, 0, offered(500)),
            (score(8_500), 3_000, 0, 0, 0, offered(250)),
            (
                default,
                800,
                650,
                0,
                0,
                Verdict::Rejected(NotPreferredAlternateOffer),
            ),
            (
                default,
                2_000,
                0,
                1_100,
                0,
                Verdict::Rejected(ProbabilityOfDefault),
            ),
            (
                default,
                1_000,
                1_200,
                0,
                0,
                Verdict::Rejected(ProbabilityOfDefault),
            ),
            (
                default,
                0,
                0,
                0,
                5_000,
                Verdict::Rejected(ProbabilityOfDefault),
            ),
            (
                score(7_999),
                3_000,
                0,
                0,
                0,
                Verdict::Rejected(ProbabilityOfDefault),
            ),
        ];
        for (credit, salary, rent, loan, balance, want) in rows {
            let got = verify(&credit, &months(salary, rent, loan, balance));
            assert_eq!(
                got, want,
                "score {} salary {salary} rent {rent} loan {loan} balance {balance}",
                credit.score
            );
        }
    }

    #[test]
    fn every_offer_is_a_step_within_the_product_range() {
        for salary in (0..6_000).step_by(137) {
            for rent in (0..3_000).step_by(311) {
                if let Verdict::Offered { limit } =
                    verify(&CreditFacts::default(), &months(salary, rent, 0, 0))
                {
                    assert!((MIN_LIMIT_CENTS..=MAX_LIMIT_CENTS).contains(&limit));
                    assert_eq!(limit % LIMIT_STEP_CENTS, 0);
                }
            }
        }
    }

    #[test]
    fn the_initial_scoring_reads_the_credit_record() {
        assert_eq!(initial_scoring(&CreditFacts::default()), Ok(()));
        let bad = CreditFacts {
            negative_entries: 1,
            ..CreditFacts::default()
        };
        assert_eq!(
            initial_scoring(&bad),
            Err(RejectionReason::ProbabilityOfDefault)
        );
        let low = CreditFacts {
            score: 7_999,
            negative_entries: 0,
        };
        assert!(initial_scoring(&low).is_err());
    }

    #[test]
    fn credit_record_files() {
        assert_eq!(
            credit_facts_from_file(b"%PDF-1.4 ..."),
            Ok(CreditFacts::default())
        );
        assert_eq!(
            credit_facts_from_file(br#"{"score": 91.25, "negative_entries": 2}"#),
            Ok(CreditFacts {
                score: 9_125,
                negative_entries: 2
            })
        );
        assert!(credit_facts_from_file(br#"{"score": 101}"#).is_err());
        assert!(credit_facts_from_file(br#"{"negative_entries": -1}"#).is_err());
    }

    #[test]
    fn the_guides_partner_snapshot_reads() {
        let data = json!({
            "account": { "holder": "John Smith", "iban": "DE92370601930002130041" },
            "balance": { "balance": 3720.20, "currency": "EUR", "date": "2022-02-03", "limit": 0 },
            "date": "2022-02-03",
            "days": 90,
            "turnovers": [
                { "amount": 4000.05, "booking_date": "2022-02-01", "purpose": ["LOHN / GEHALT 01/22"], "tags": [] },
                { "amount": 4000.05, "booking_date": "2022-01-02", "tags": [] },
                { "amount": 4000.05, "booking_date": "2021-12-01", "tags": [] },
                { "amount": -350, "booking_date": "2021-12-03", "tags": ["Loan"] },
            ]
        });
        let facts = snapshot_facts(&data).expect("the guide's example reads");
        assert_eq!(facts.balance, 372_020);
        assert_eq!(facts.turnovers.len(), 4);
        assert!(facts.turnovers[3].repayment);
        let a = assess(&facts);
        assert_eq!(a.monthly_income, 400_005);
        assert_eq!(a.monthly_repayments, 11_666);
        assert_eq!(
            verify(&CreditFacts::default(), &facts),
            Verdict::Offered {
                limit: MAX_LIMIT_CENTS
            }
        );
    }

    #[test]
    fn unreadable_snapshots_say_where() {
        let rows = [
            (json!([]), ""),
            (json!({"turnovers": []}), "/balance/balance"),
            (
                json!({"balance": {"balance": "lots"}, "turnovers": []}),
                "/balance/balance",
            ),
            (json!({"balance": {"balance": 1}}), "/turnovers"),
            (
                json!({"balance": {"balance": 1}, "days": 0, "turnovers": []}),
                "/days",
            ),
            (
                json!({"balance": {"balance": 1}, "turnovers": [{"amount": 1.234}]}),
                "/turnovers/0/amount",
            ),
        ];
        for (data, pointer) in rows {
            assert_eq!(
                snapshot_facts(&data).map_err(|p| p.pointer),
                Err(pointer.to_string()),
                "{data}"
            );
        }
    }
}
