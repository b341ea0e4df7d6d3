//! Typed step parameters, parsed once: which country's customer a scenario plays
//! (`{market}`), a JSON value as the partner would send it (`{value}`), a day relative to the
//! bank's clock (`{day}`) and what comes with a switch to self-employment (`{switch_extra}`).

use cucumber::Parameter;
use serde_json::Value;
use std::str::FromStr;

/// The retail customer a scenario plays: German (branch null), French, Italian or Spanish
/// (branch FR, IT, ES).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "market", regex = "German|French|Italian|Spanish")]
pub enum Market {
    German,
    French,
    Italian,
    Spanish,
}

impl FromStr for Market {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "German" => Ok(Market::German),
            "French" => Ok(Market::French),
            "Italian" => Ok(Market::Italian),
            "Spanish" => Ok(Market::Spanish),
            other => Err(format!("no customers from `{other}` are generated")),
        }
    }
}

/// A JSON literal as it appears in a step: `null`, `true`, `false`, a number, or a string in
/// double quotes (`"MR"`, `" Theresa"` keeps its leading space).
#[derive(Debug, Clone, PartialEq, Parameter)]
#[param(
    name = "value",
    regex = r#"null|true|false|-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*""#
)]
pub struct JsonValue(pub Value);

impl FromStr for JsonValue {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_str(s)
            .map(JsonValue)
            .map_err(|e| format!("`{s}` is not a JSON value: {e}"))
    }
}

/// A day counted from today on the bank's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(
    name = "day",
    regex = "today|tomorrow|yesterday|the day after tomorrow"
)]
pub struct Day(pub i64);

impl FromStr for Day {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "yesterday" => Ok(Day(-1)),
            "today" => Ok(Day(0)),
            "tomorrow" => Ok(Day(1)),
            "the day after tomorrow" => Ok(Day(2)),
            other => Err(format!("`{other}` is not a day this step knows")),
        }
    }
}

/// What the partner sends along when a customer becomes FREELANCER or SELF_EMPLOYED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(
    name = "switch_extra",
    regex = "and nothing else|with a NACE code|clearing industry and industry key|clearing only the industry"
)]
pub enum SwitchExtra {
    Nothing,
    NaceCode,
    IndustryCleared,
    OnlyIndustryCleared,
}

impl FromStr for SwitchExtra {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "and nothing else" => Ok(SwitchExtra::Nothing),
            "with a NACE code" => Ok(SwitchExtra::NaceCode),
            "clearing industry and industry key" => Ok(SwitchExtra::IndustryCleared),
            "clearing only the industry" => Ok(SwitchExtra::OnlyIndustryCleared),
            other => Err(format!("`{other}` is not a way to switch")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_values_parse_as_sent() {
        let rows = [
            ("null", json!(null)),
            ("true", json!(true)),
            ("\"MR\"", json!("MR")),
            ("\" Theresa\"", json!(" Theresa")),
            ("\"Zoë 😀\"", json!("Zoë 😀")),
            ("42", json!(42)),
        ];
        for (text, expected) in rows {
            assert_eq!(
                JsonValue::from_str(text).map(|v| v.0),
                Ok(expected),
                "{text}"
            );
        }
        assert!(JsonValue::from_str("MR").is_err());
    }

    #[test]
    fn days_count_from_today() {
        assert_eq!(Day::from_str("the day after tomorrow"), Ok(Day(2)));
        assert_eq!(Day::from_str("yesterday"), Ok(Day(-1)));
    }
}
