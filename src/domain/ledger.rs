//! Money on a decoupled card account, in integer cents: the [`Money`] objects of the API, the
//! decimal euro amounts of account snapshots, and the arithmetic of balance and credit limit.
//!
//! The one invariant: a balance never goes below minus the account's limit. A card purchase may
//! use the limit ([`purchase_allowed`]); a payout may only move a positive balance back to the
//! reference account, never the limit ([`payout_allowed`]); the daily SEPA Direct Debit brings
//! a negative balance back to zero ([`settlement`]).
//!
//! [`Money`]: crate::domain::ledger::Money

use serde_json::{Value, json};
use std::fmt;

/// The smallest credit limit the scorer offers: EUR 100.
pub const MIN_LIMIT_CENTS: i64 = 10_000;
/// The largest credit limit: EUR 1,000.
pub const MAX_LIMIT_CENTS: i64 = 100_000;
/// No single movement above this is accepted (EUR 1,000,000): keeps every sum far from overflow.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000;

/// `{"value": <integer cents>, "unit": "cents", "currency": "EUR"}`.
pub fn money(cents: i64) -> Value {
    json!({ "value": cents, "unit": "cents", "currency": "EUR" })
}

/// Why a money object is refused; the message reads after the field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyProblem {
    /// Not an object with `value`, `unit` and `currency`.
    NotAnObject,
    /// `value` is not a whole number (a float, a string).
    NotWholeCents,
    /// `unit` is not `cents`.
    WrongUnit,
    /// `currency` is not `EUR`.
    WrongCurrency,
    /// Zero or negative where a positive amount is needed.
    NotPositive,
    /// Above [`MAX_AMOUNT_CENTS`].
    TooLarge,
}

impl MoneyProblem {
    pub fn message(self) -> &'static str {
        match self {
            Self::NotAnObject => {
                "must be a money object {\"value\": <integer cents>, \"unit\": \"cents\", \"currency\": \"EUR\"}"
            }
            Self::NotWholeCents => "value must be a whole number of cents",
            Self::WrongUnit => "unit must be \"cents\"",
            Self::WrongCurrency => "currency must be \"EUR\"",
            Self::NotPositive => "value must be more than 0",
            Self::TooLarge => "value is above the largest amount accepted (EUR 1,000,000)",
        }
    }
}

impl fmt::Display for MoneyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A positive EUR amount in cents from a money object.
pub fn positive_cents(value: &Value) -> Result<i64, MoneyProblem> {
    let cents = cents(value)?;
    if cents <= 0 {
        Err(MoneyProblem::NotPositive)
    } else {
        Ok(cents)
    }
}

/// A EUR amount in cents (zero allowed) from a money object.
pub fn cents(value: &Value) -> Result<i64, MoneyProblem> {
    let m = value.as_object().ok_or(MoneyProblem::NotAnObject)?;
    let raw = m.get("value").ok_or(MoneyProblem::NotAnObject)?;
    let cents = raw.as_i64().ok_or(MoneyProblem::NotWholeCents)?;
    if m.get("unit").and_then(Value::as_str) != Some("cents") {
        return Err(MoneyProblem::WrongUnit);
    }
    if m.get("currency").and_then(Value::as_str) != Some("EUR") {
        return Err(MoneyProblem::WrongCurrency);
    }
    if cents.abs() > MAX_AMOUNT_CENTS {
        return Err(MoneyProblem::TooLarge);
    }
    Ok(cents)
}

/// A decimal euro amount as account snapshots write it (`3720.20`, `-12.5`, `4000`) in cents,
/// read from its text so no float rounding creeps in. `None` for more than two decimals, an
/// exponent, or an amount beyond [`MAX_AMOUNT_CENTS`].
pub fn cents_from_decimal(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || whole.len() > 9
        || fraction.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (digits.contains('.') && fraction.is_empty())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    let cents = whole * 100 + fraction;
    if cents > MAX_AMOUNT_CENTS {
        return None;
    }
    Some(if negative { -cents } else { cents })
}

/// A JSON number (or numeric string) in euros, in cents; see [`cents_from_decimal`].
pub fn cents_from_euros(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => cents_from_decimal(&n.to_string()),
        Value::String(s) => cents_from_decimal(s.trim()),
        _ => None,
    }
}

/// `1,234.50 EUR` for messages.
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02} EUR", abs % 100)
}

/// What the customer can still spend: balance plus limit.
pub fn available(balance: i64, limit: i64) -> i64 {
    balance + limit
}

/// Why a debit is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The purchase needs more than the balance plus the limit.
    AboveAvailable { available: i64 },
    /// The payout needs more than the positive balance; the limit is never paid out.
    AboveBalance { balance: i64 },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::AboveAvailable { available } => write!(
                f,
                "exceeds what the account can spend: balance plus credit limit is {}",
                euros(available)
            ),
            Self::AboveBalance { balance } if balance <= 0 => write!(
                f,
                "cannot be paid out: the balance is {}, and the credit limit is never paid out",
                euros(balance)
            ),
            Self::AboveBalance { balance } => write!(
                f,
                "exceeds the positive balance of {}; the credit limit is never paid out",
                euros(balance)
            ),
        }
    }
}

/// A card purchase of `amount` (> 0): the new balance, never below `-limit`.
pub fn purchase_allowed(balance: i64, limit: i64, amount: i64) -> Result<i64, Refusal> {
    let available = available(balance, limit);
    if amount > available {
        Err(Refusal::AboveAvailable { available })
    } else {
        Ok(balance - amount)
    }
}

/// A payout of `amount` (> 0) to the reference account: only from a positive balance, so the
/// new balance is never below zero.
pub fn payout_allowed(balance: i64, amount: i64) -> Result<i64, Refusal> {
    if amount > balance {
        Err(Refusal::AboveBalance { balance })
    } else {
        Ok(balance - amount)
    }
}

/// The SEPA Direct Debit that settles a negative balance: the used amount, or nothing.
pub fn settlement(balance: i64) -> Option<i64> {
    (balance < 0).then_some(-balance)
}

/// Why a limit the customer asks for is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitProblem {
    /// Below EUR 100.
    BelowMinimum,
    /// Above what the scorer granted.
    AboveGranted { granted: i64 },
    /// Lower than what the customer already uses: the balance would be below the limit.
    BelowUsed { used: i64 },
}

impl fmt::Display for LimitProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BelowMinimum => write!(
                f,
                "must be at least {} (disable the limit with DELETE instead)",
                euros(MIN_LIMIT_CENTS)
            ),
            Self::AboveGranted { granted } => write!(
                f,
                "exceeds the limit the credit scoring granted ({})",
                euros(granted)
            ),
            Self::BelowUsed { used } => write!(
                f,
                "is below what the customer already uses ({}); it is settled daily",
                euros(used)
            ),
        }
    }
}

/// A limit the customer asks for (`CUSTOMER_REQUEST`): from EUR 100 up to the granted limit,
/// and not below what the negative balance already uses.
pub fn customer_limit(requested: i64, granted: i64, balance: i64) -> Result<i64, LimitProblem> {
    if requested < MIN_LIMIT_CENTS {
        return Err(LimitProblem::BelowMinimum);
    }
    if requested > granted {
        return Err(LimitProblem::AboveGranted { granted });
    }
    if balance < 0 && -balance > requested {
        return Err(LimitProblem::BelowUsed { used: -balance });
    }
    Ok(requested)
}

/// Disabling the limit sets it to zero, which a negative balance would break.
pub fn disable_limit(balance: i64) -> Result<i64, LimitProblem> {
    if balance < 0 {
        Err(LimitProblem::BelowUsed { used: -balance })
    } else {
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_objects_are_whole_euro_cents() {
        assert_eq!(positive_cents(&money(2500)), Ok(2500));
        let rows: &[(Value, MoneyProblem)] = &[
            (json!(25), MoneyProblem::NotAnObject),
            (
                json!({"value": 25.5, "unit": "cents", "currency": "EUR"}),
                MoneyProblem::NotWholeCents,
            ),
            (
                json!({"value": "25", "unit": "cents", "currency": "EUR"}),
                MoneyProblem::NotWholeCents,
            ),
            (
                json!({"value": 25, "unit": "euro", "currency": "EUR"}),
                MoneyProblem::WrongUnit,
            ),
            (
                json!({"value": 25, "unit": "cents", "currency": "USD"}),
                MoneyProblem::WrongCurrency,
            ),
            (money(0), MoneyProblem::NotPositive),
            (money(-1), MoneyProblem::NotPositive),
            (money(MAX_AMOUNT_CENTS + 1), MoneyProblem::TooLarge),
        ];
        for (value, problem) in rows {
            assert_eq!(positive_cents(value), Err(*problem), "{value}");
        }
        assert_eq!(cents(&money(0)), Ok(0));
    }

    #[test]
    fn decimal_euros_read_exactly() {
        let rows = [
            ("3720.20", Some(372_020)),
            ("3720.2", Some(372_020)),
            ("4000", Some(400_000)),
            ("-12.05", Some(-1_205)),
            ("0.1", Some(10)),
            ("1.005", None),
            ("1e3", None),
            ("", None),
            ("1.", None),
            (".5", None),
            ("abc", None),
            ("10000000000", None),
        ];
        for (text, want) in rows {
            assert_eq!(cents_from_decimal(text), want, "{text}");
        }
        assert_eq!(cents_from_euros(&json!(4000.05)), Some(400_005));
        assert_eq!(cents_from_euros(&json!("12.30")), Some(1_230));
        assert_eq!(cents_from_euros(&json!(null)), None);
    }

    #[test]
    fn euros_read_like_a_statement() {
        assert_eq!(euros(123_450), "1,234.50 EUR");
        assert_eq!(euros(-5), "-0.05 EUR");
        assert_eq!(euros(100_000_000), "1,000,000.00 EUR");
    }

    #[test]
    fn purchases_use_the_limit_but_never_beyond() {
        assert_eq!(purchase_allowed(0, 50_000, 20_000), Ok(-20_000));
        assert_eq!(purchase_allowed(-20_000, 50_000, 30_000), Ok(-50_000));
        assert_eq!(
            purchase_allowed(-20_000, 50_000, 30_001),
            Err(Refusal::AboveAvailable { available: 30_000 })
        );
        assert_eq!(purchase_allowed(1_000, 0, 1_000), Ok(0));
        assert_eq!(
            purchase_allowed(1_000, 0, 1_001),
            Err(Refusal::AboveAvailable { available: 1_000 })
        );
    }

    #[test]
    fn payouts_only_move_a_positive_balance() {
        assert_eq!(payout_allowed(10_000, 10_000), Ok(0));
        assert_eq!(
            payout_allowed(10_000, 10_001),
            Err(Refusal::AboveBalance { balance: 10_000 })
        );
        assert_eq!(
            payout_allowed(-5_000, 1),
            Err(Refusal::AboveBalance { balance: -5_000 })
        );
        assert!(
            Refusal::AboveBalance { balance: 0 }
                .to_string()
                .contains("never paid out")
        );
    }

    #[test]
    fn settlement_collects_exactly_the_used_amount() {
        assert_eq!(settlement(-12_345), Some(12_345));
        assert_eq!(settlement(0), None);
        assert_eq!(settlement(500), None);
    }

    #[test]
    fn customer_limits_stay_between_the_minimum_the_grant_and_the_debt() {
        assert_eq!(customer_limit(30_000, 50_000, 0), Ok(30_000));
        assert_eq!(customer_limit(50_000, 50_000, -50_000), Ok(50_000));
        assert_eq!(
            customer_limit(9_999, 50_000, 0),
            Err(LimitProblem::BelowMinimum)
        );
        assert_eq!(
            customer_limit(50_001, 50_000, 0),
            Err(LimitProblem::AboveGranted { granted: 50_000 })
        );
        assert_eq!(
            customer_limit(20_000, 50_000, -25_000),
            Err(LimitProblem::BelowUsed { used: 25_000 })
        );
        assert_eq!(disable_limit(0), Ok(0));
        assert_eq!(disable_limit(-1), Err(LimitProblem::BelowUsed { used: 1 }));
    }

    #[test]
    fn no_sequence_of_allowed_moves_goes_below_the_limit() {
        // A small exhaustive walk: every order of these debits and credits keeps the invariant.
        let limit = 30_000;
        let moves: [(char, i64); 6] = [
            ('p', 20_000),
            ('p', 15_000),
            ('o', 5_000),
            ('t', 10_000),
            ('p', 9_000),
            ('o', 12_000),
        ];
        for order in 0..720u32 {
            let mut rest: Vec<(char, i64)> = moves.to_vec();
            let mut code = order;
            let mut balance = 0i64;
            while !rest.is_empty() {
                let pick = (code as usize) % rest.len();
                code /= rest.len() as u32;
                let (kind, amount) = rest.remove(pick);
                balance = match kind {
                    'p' => purchase_allowed(balance, limit, amount).unwrap_or(balance),
                    'o' => payout_allowed(balance, amount).unwrap_or(balance),
                    _ => balance + amount,
                };
                assert!(balance >= -limit, "order {order}: balance {balance}");
            }
        }
    }
}
