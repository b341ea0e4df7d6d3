//! FATCA screening (§4.3 of the Digital Banking guide): [`screen`] looks at a person and their
//! identification for US indicia and answers a [`FatcaVerdict`] listing each [`Indicium`].
//!
//! Hard criteria: a US passport (`legitimation_country`), US citizenship (`nationality`), a
//! residential address (`address.country`) or a birth place (`birth_country`) in the US, the
//! US Minor Outlying Islands or the US Virgin Islands. The seed says to reject when one of them
//! is `US` or `USA`; the islands' codes `UM`/`UMI` and `VI`/`VIR` are rejected as well because
//! the criteria name those territories.
//!
//! Soft criteria: a mobile number with country calling code +1, or an address that is a PO box
//! or a c/o address. They ask for clarification: the customer may be onboarded once they give
//! a non-US number and a physical address. Note that the seeds' own sandbox mobile number
//! `+15550101` is a +1 number and so a soft indicium; it is deliberately not special-cased, so
//! an onboarding that uses it must show the clarification step.
//!
//! [`screen`]: crate::domain::fatca::screen
//! [`FatcaVerdict`]: crate::domain::fatca::FatcaVerdict
//! [`Indicium`]: crate::domain::fatca::Indicium

use crate::domain::mobile;

/// The person and identification fields the screen reads. `None` means the field is absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FatcaInput<'a> {
    /// `legitimation_country` of the identification: the country of the ID document.
    pub legitimation_country: Option<&'a str>,
    /// `nationality` of the person.
    pub nationality: Option<&'a str>,
    /// `address.country` of the person.
    pub address_country: Option<&'a str>,
    /// `birth_country` of the person.
    pub birth_country: Option<&'a str>,
    /// The person's mobile number.
    pub mobile_number: Option<&'a str>,
    /// `address.line_1` of the person.
    pub address_line_1: Option<&'a str>,
    /// `address.line_2` of the person.
    pub address_line_2: Option<&'a str>,
}

/// One US indication found on a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicium {
    /// The field, as a dotted path (`nationality`, `address.line_1`, …).
    pub field: &'static str,
    /// The value found there, as given.
    pub value: String,
    /// Hard criteria reject the customer; soft ones ask for clarification.
    pub hard: bool,
    /// What the value means, in plain words.
    pub explanation: String,
}

/// The outcome of a FATCA screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FatcaVerdict {
    /// No indicia: onboarding may go on.
    Clear,
    /// Only soft indicia: the customer has to clarify their phone number and/or address.
    Clarify(Vec<Indicium>),
    /// At least one hard indicium: banking services must be denied. Lists every indicium
    /// found, hard and soft.
    Reject(Vec<Indicium>),
}

impl FatcaVerdict {
    /// The indicia behind the verdict (empty for [`FatcaVerdict::Clear`]).
    pub fn indicia(&self) -> &[Indicium] {
        match self {
            Self::Clear => &[],
            Self::Clarify(found) | Self::Reject(found) => found,
        }
    }

    /// The verdict in a sentence or two, naming each indicium.
    pub fn explain(&self) -> String {
        let list = |found: &[Indicium]| {
            found
                .iter()
                .map(|i| i.explanation.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        match self {
            Self::Clear => "no FATCA indicia found".to_owned(),
            Self::Clarify(found) => format!(
                "soft FATCA indicia found ({}); the customer must clarify with a non-US mobile \
                 number and a physical address before onboarding",
                list(found)
            ),
            Self::Reject(found) => format!(
                "hard FATCA indicia found ({}); banking services must be denied and the \
                 onboarding stopped",
                list(found)
            ),
        }
    }
}

/// The US jurisdiction a country value stands for, if any.
fn us_jurisdiction(value: &str) -> Option<&'static str> {
    match value.trim().to_ascii_uppercase().as_str() {
        "US" | "USA" => Some("the United States"),
        "UM" | "UMI" => Some("the US Minor Outlying Islands"),
        "VI" | "VIR" => Some("the US Virgin Islands"),
        _ => None,
    }
}

/// Token sequences that mark a PO box or a c/o address, after lowercasing and splitting on
/// everything but letters, digits and `/`.
const PO_BOX_OR_CARE_OF: &[&[&str]] = &[
    &["po", "box"],
    &["p", "o", "box"],
    &["pobox"],
    &["post", "office", "box"],
    &["post", "box"],
    &["postbox"],
    &["postfach"],
    &["c/o"],
    &["c", "/", "o"],
    &["care", "of"],
];

/// Whether an address line reads as a PO box or a c/o address ("PO Box 12", "P.O. Box",
/// "Post Office Box", "Postfach 10 01", "c/o Müller", "care of …"), case-insensitively and
/// on word boundaries, so "Tempo Boxhagener Str." does not match.
pub fn is_po_box_or_care_of(line: &str) -> bool {
    let lower = line.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '/'))
        .filter(|t| !t.is_empty())
        .collect();
    PO_BOX_OR_CARE_OF.iter().any(|pattern| {
        tokens
            .windows(pattern.len())
            .any(|window| window == *pattern)
    })
}

/// Screens a person for FATCA indicia.
pub fn screen(input: &FatcaInput) -> FatcaVerdict {
    let mut hard = Vec::new();
    let country_fields: [(&'static str, Option<&str>, &str); 4] = [
        (
            "legitimation_country",
            input.legitimation_country,
            "the customer identified with a document issued by",
        ),
        (
            "nationality",
            input.nationality,
            "the customer is a citizen of",
        ),
        (
            "address.country",
            input.address_country,
            "the customer has a residential address in",
        ),
        (
            "birth_country",
            input.birth_country,
            "the customer was born in",
        ),
    ];
    for (field, value, meaning) in country_fields {
        if let Some(value) = value
            && let Some(place) = us_jurisdiction(value)
        {
            let explanation = if field == "nationality" && place == "the United States" {
                format!("{field} is {value}: the customer is a US citizen")
            } else if field == "legitimation_country" && place == "the United States" {
                format!("{field} is {value}: the customer identified with a US passport")
            } else {
                format!("{field} is {value}: {meaning} {place}")
            };
            hard.push(Indicium {
                field,
                value: value.to_owned(),
                hard: true,
                explanation,
            });
        }
    }

    let mut soft = Vec::new();
    if let Some(number) = input.mobile_number
        && mobile::is_us(number)
    {
        soft.push(Indicium {
            field: "mobile_number",
            value: number.to_owned(),
            hard: false,
            explanation: format!(
                "mobile_number is {number}: country calling code +1 is a US number"
            ),
        });
    }
    for (field, line) in [
        ("address.line_1", input.address_line_1),
        ("address.line_2", input.address_line_2),
    ] {
        if let Some(line) = line
            && is_po_box_or_care_of(line)
        {
            soft.push(Indicium {
                field,
                value: line.to_owned(),
                hard: false,
                explanation: format!(
                    "{field} is \"{line}\": a PO box or c/o address, not a physical address"
                ),
            });
        }
    }

    if !hard.is_empty() {
        hard.extend(soft);
        FatcaVerdict::Reject(hard)
    } else if !soft.is_empty() {
        FatcaVerdict::Clarify(soft)
    } else {
        FatcaVerdict::Clear
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A German customer with nothing American about them.
    fn german() -> FatcaInput<'static> {
        FatcaInput {
            legitimation_country: Some("DE"),
            nationality: Some("DE"),
            address_country: Some("DE"),
            birth_country: Some("DE"),
            mobile_number: Some("+49301234567"),
            address_line_1: Some("Leopoldstraße"),
            address_line_2: Some(" 96"),
        }
    }

    /// The verdict's kind and the fields of its indicia, for compact table rows.
    fn summary(verdict: &FatcaVerdict) -> (&'static str, Vec<&'static str>) {
        let kind = match verdict {
            FatcaVerdict::Clear => "clear",
            FatcaVerdict::Clarify(_) => "clarify",
            FatcaVerdict::Reject(_) => "reject",
        };
        (kind, verdict.indicia().iter().map(|i| i.field).collect())
    }

    #[test]
    fn screen_follows_the_rule_table() {
        let base = german();
        let rows: Vec<(FatcaInput, &str, Vec<&str>)> = vec![
            (base, "clear", vec![]),
            (FatcaInput::default(), "clear", vec![]),
            (
                FatcaInput {
                    nationality: Some("US"),
                    ..base
                },
                "reject",
                vec!["nationality"],
            ),
            (
                FatcaInput {
                    legitimation_country: Some("usa"),
                    ..base
                },
                "reject",
                vec!["legitimation_country"],
            ),
            (
                FatcaInput {
                    address_country: Some(" UM "),
                    ..base
                },
                "reject",
                vec!["address.country"],
            ),
            (
                FatcaInput {
                    birth_country: Some("VIR"),
                    ..base
                },
                "reject",
                vec!["birth_country"],
            ),
            (
                FatcaInput {
                    birth_country: Some("UMI"),
                    address_country: Some("VI"),
                    ..base
                },
                "reject",
                vec!["address.country", "birth_country"],
            ),
            (
                FatcaInput {
                    nationality: Some("US"),
                    mobile_number: Some("+1 202 555 0143"),
                    ..base
                },
                "reject",
                vec!["nationality", "mobile_number"],
            ),
            (
                FatcaInput {
                    mobile_number: Some(mobile::SANDBOX_NUMBER),
                    ..base
                },
                "clarify",
                vec!["mobile_number"],
            ),
            (
                FatcaInput {
                    address_line_1: Some("PO Box 1234"),
                    ..base
                },
                "clarify",
                vec!["address.line_1"],
            ),
            (
                FatcaInput {
                    address_line_2: Some("c/o Klemm"),
                    ..base
                },
                "clarify",
                vec!["address.line_2"],
            ),
            (
                FatcaInput {
                    mobile_number: Some("+15550101"),
                    address_line_1: Some("Postfach 10 01 01"),
                    ..base
                },
                "clarify",
                vec!["mobile_number", "address.line_1"],
            ),
            // Not indicia: other countries, country names, and look-alike words.
            (
                FatcaInput {
                    nationality: Some("AU"),
                    ..base
                },
                "clear",
                vec![],
            ),
            (
                FatcaInput {
                    nationality: Some("USB"),
                    ..base
                },
                "clear",
                vec![],
            ),
            (
                FatcaInput {
                    address_line_1: Some("Tempo Boxhagener Str. 5"),
                    ..base
                },
                "clear",
                vec![],
            ),
            (
                FatcaInput {
                    mobile_number: Some("+41791234567"),
                    ..base
                },
                "clear",
                vec![],
            ),
        ];
        for (input, kind, fields) in rows {
            assert_eq!(summary(&screen(&input)), (kind, fields), "{input:?}");
        }
    }

    #[test]
    fn po_box_and_care_of_patterns() {
        let rows = [
            ("PO Box 12", true),
            ("P.O. Box 12", true),
            ("p.o.box 12", true),
            ("P O Box 12", true),
            ("POBox 12", true),
            ("Post Office Box 7", true),
            ("Postfach 10 01 01", true),
            ("c/o Anna Klemm", true),
            ("C/O Anna Klemm", true),
            ("c / o Anna Klemm", true),
            ("Care of Anna Klemm", true),
            ("Leopoldstraße 96", false),
            ("Boxhagener Straße 12", false),
            ("Tempo Box 3", false),
            ("Postweg 3", false),
            ("Coburger Str. 1", false),
            ("", false),
        ];
        for (line, expected) in rows {
            assert_eq!(is_po_box_or_care_of(line), expected, "{line:?}");
        }
    }

    #[test]
    fn explanations_are_plain_words() {
        let verdict = screen(&FatcaInput {
            nationality: Some("US"),
            legitimation_country: Some("US"),
            birth_country: Some("VI"),
            ..german()
        });
        let explanations: Vec<&str> = verdict
            .indicia()
            .iter()
            .map(|i| i.explanation.as_str())
            .collect();
        assert_eq!(
            explanations,
            [
                "legitimation_country is US: the customer identified with a US passport",
                "nationality is US: the customer is a US citizen",
                "birth_country is VI: the customer was born in the US Virgin Islands",
            ]
        );
        assert!(verdict.explain().starts_with("hard FATCA indicia found ("));
        assert!(verdict.explain().contains("the customer is a US citizen"));
        assert_eq!(FatcaVerdict::Clear.explain(), "no FATCA indicia found");
        let sandbox = screen(&FatcaInput {
            mobile_number: Some(mobile::SANDBOX_NUMBER),
            ..german()
        });
        assert_eq!(
            sandbox.explain(),
            "soft FATCA indicia found (mobile_number is +15550101: country calling code +1 is \
             a US number); the customer must clarify with a non-US mobile number and a \
             physical address before onboarding"
        );
    }

    proptest! {
        #[test]
        fn screen_never_panics(
            a in any::<String>(), b in any::<String>(), c in any::<String>(),
            d in any::<String>(), e in any::<String>(), f in any::<String>(),
        ) {
            let input = FatcaInput {
                legitimation_country: Some(&a),
                nationality: Some(&b),
                address_country: Some(&c),
                birth_country: Some(&d),
                mobile_number: Some(&e),
                address_line_1: Some(&f),
                address_line_2: None,
            };
            let verdict = screen(&input);
            let _ = verdict.explain();
        }
    }
}
