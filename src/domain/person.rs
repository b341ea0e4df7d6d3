//! Person data rules: the mandatory data points per branch ([`mandatory_for`], with the
//! conditional ones in [`conditionally_mandatory`]), the residency countries a branch allows
//! ([`allowed_residency`]), the salutation, birth province and work province rules
//! ([`check_salutation`], [`check_cross_field`]), the fields `PATCH /v1/persons/{id}` may
//! change ([`UPDATABLE`]) with the FREELANCER / SELF_EMPLOYED rule, the documented enums, and
//! parsing of the consent timestamps ([`parse_utc_timestamp`]) and dates ([`parse_date`]).
//!
//! The main type is [`Branch`]: which country's list of data points applies. A person whose
//! `branch` is null or `DE` follows the German rules; `FR`, `IT` and `ES` follow Appendix II of
//! the Decoupled Cards guide ("Required data points by country").
//!
//! [`mandatory_for`]: crate::domain::person::mandatory_for
//! [`conditionally_mandatory`]: crate::domain::person::conditionally_mandatory
//! [`allowed_residency`]: crate::domain::person::allowed_residency
//! [`check_salutation`]: crate::domain::person::check_salutation
//! [`check_cross_field`]: crate::domain::person::check_cross_field
//! [`UPDATABLE`]: crate::domain::person::UPDATABLE
//! [`parse_utc_timestamp`]: crate::domain::person::parse_utc_timestamp
//! [`parse_date`]: crate::domain::person::parse_date
//! [`Branch`]: crate::domain::person::Branch

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use serde_json::{Map, Value};

/// The mandatory data points for retail customers in Germany, as dotted paths, in the order of
/// the Digital Banking guide ("Mandatory data points for retail customers in Germany").
///
/// `salutation` is mandatory too but handled apart, in [`DE_NULLABLE_MANDATORY`]: the key must
/// be present and `null` means gender-neutral. The seeds disagree at the edges: the Decoupled
/// Cards guide also lists `tax_information.tax_assessment` (and `iban` for Bankident only),
/// while its Appendix II for Germany lists `work_country` and `tax_assessment` but neither
/// `data_terms_signed_at` nor `marital_status`. This list follows the Digital Banking guide.
pub const DE_MANDATORY: &[&str] = &[
    "first_name",
    "last_name",
    "address.line_1",
    "address.line_2",
    "address.postal_code",
    "address.city",
    "address.country",
    "mobile_number",
    "birth_date",
    "birth_city",
    "birth_country",
    "nationality",
    "employment_status",
    "fatca_relevant",
    "fatca_crs_confirmed_at",
    "terms_conditions_signed_at",
    "data_terms_signed_at",
    "own_economic_interest_signed_at",
    "tax_information.marital_status",
];

/// Mandatory keys whose value may be `null`: `salutation` (`MR`, `MS`, or `null` for
/// gender-neutral).
pub const DE_NULLABLE_MANDATORY: &[&str] = &["salutation"];

/// The top-level fields `PATCH /v1/persons/{id}` may update, in the seeds' order. Any other
/// field "can only be updated via Customer Support". `address` and `contact_address` take the
/// keys in [`UPDATABLE_ADDRESS`], `tax_information` those in [`UPDATABLE_TAX_INFORMATION`].
pub const UPDATABLE: &[&str] = &[
    "title",
    "salutation",
    "address",
    "contact_address",
    "employment_status",
    "job_title",
    "email",
    "tax_information",
    "fatca_relevant",
    "fatca_crs_confirmed_at",
    "business_purpose",
    "industry",
    "industry_key",
    "own_economic_interest_signed_at",
    "aml_confirmed_on",
    "expected_monthly_revenue_cents",
    "vat_number",
    "website_social_media",
    "business_trading_name",
    "nace_code",
    "business_address_line_1",
    "business_address_line_2",
    "business_postal_code",
    "business_city",
    "business_country",
    "annual_income_range",
    "data_terms_signed_at",
    "branch",
    "birth_province",
    "birth_post_code",
    "socioprofessional_category",
    "purpose_of_account_opening",
    "main_income_source",
    "work_country",
    "work_province",
    "self_declared_as_pep",
    "international_operativity_expectation",
    "registration_number",
];

/// The keys of `address` and `contact_address` that a PATCH may update.
pub const UPDATABLE_ADDRESS: &[&str] = &[
    "line_1",
    "line_2",
    "postal_code",
    "city",
    "state",
    "country",
];

/// The keys of `tax_information` that a PATCH may update.
pub const UPDATABLE_TAX_INFORMATION: &[&str] = &["tax_assessment", "marital_status"];

/// `employment_status` values for Germany (12).
pub const EMPLOYMENT_STATUS: &[&str] = &[
    "EMPLOYED",
    "UNEMPLOYED",
    "PUBLIC_SECTOR_EMPLOYEE",
    "PROFESSIONAL_SOLDIER",
    "FREELANCER",
    "HOUSEWORK",
    "APPRENTICE",
    "MANAGEMENT",
    "RETIRED",
    "STUDENT",
    "SELF_EMPLOYED",
    "MILITARY_OR_COMMUNITY_SERVICE",
];

/// `employment_status` values for France (Appendix II).
pub const EMPLOYMENT_STATUS_FR: &[&str] = &[
    "EMPLOYED",
    "SELF_EMPLOYED",
    "UNEMPLOYED",
    "RETIRED",
    "STUDENT",
];

/// `employment_status` values for Italy ("the only possible values for Italy", Appendix II).
pub const EMPLOYMENT_STATUS_IT: &[&str] = &[
    "EMPLOYED",
    "SELF_EMPLOYED",
    "STUDENT",
    "RETIRED",
    "UNEMPLOYED",
];

/// `salutation` values; `null` (gender-neutral) is allowed in Germany only.
pub const SALUTATIONS: &[&str] = &["MR", "MS"];

/// `tax_information.marital_status` values.
///
/// The seeds only ever show `MARRIED`; this list follows the Solaris API reference.
pub const MARITAL_STATUS: &[&str] = &[
    "SINGLE",
    "MARRIED",
    "DIVORCED",
    "WIDOWED",
    "SEPARATED",
    "REGISTERED_PARTNERSHIP",
    "UNKNOWN",
];

/// `tax_information.tax_assessment` values (single or shared account).
pub const TAX_ASSESSMENT: &[&str] = &["NONE", "SEPARATE", "JOINT"];

/// `annual_income_range` values (Appendix I).
pub const ANNUAL_INCOME_RANGE: &[&str] = &[
    "RANGE_1", "RANGE_2", "RANGE_3", "RANGE_4", "RANGE_5", "RANGE_6", "RANGE_7",
];

/// The mandatory data points for retail customers of the French branch (Appendix II, France),
/// as dotted paths in the appendix's order.
///
/// Conditional ones are in [`conditionally_mandatory`]: `nace_code`,
/// `socioprofessional_category` and `work_country` for `EMPLOYED` and `SELF_EMPLOYED`
/// customers, `birth_post_code` for customers born in France. `birth_province` is for lending
/// products only, so it is checked when given ([`check_cross_field`]) but not required.
/// `salutation` must be `MR` or `MS` ([`check_salutation`]).
pub const FR_MANDATORY: &[&str] = &[
    "salutation",
    "first_name",
    "last_name",
    "branch",
    "address.line_1",
    "address.line_2",
    "address.postal_code",
    "address.city",
    "address.country",
    "contact_address.line_1",
    "contact_address.line_2",
    "contact_address.postal_code",
    "contact_address.city",
    "contact_address.country",
    "email",
    "birth_name",
    "birth_date",
    "birth_city",
    "birth_country",
    "nationality",
    "employment_status",
    "job_title",
    "purpose_of_account_opening",
    "main_income_source",
    "annual_income_range",
    "fatca_relevant",
    "fatca_crs_confirmed_at",
    "terms_conditions_signed_at",
    "own_economic_interest_signed_at",
    "tax_information.tax_assessment",
];

/// The mandatory data points for retail customers of the Italian branch (Appendix II, Italy).
///
/// The appendix asks for `address` (residenza) and `contact_address` (domicilio) with "the
/// street name and house number" but names no sub-fields; this list asks for `line_1`,
/// `postal_code`, `city` and `country` of each. Conditional: `nace_code` and `work_country`
/// for `EMPLOYED` and `SELF_EMPLOYED`, `work_province` when `work_country` is `IT`.
pub const IT_MANDATORY: &[&str] = &[
    "salutation",
    "first_name",
    "last_name",
    "branch",
    "address.line_1",
    "address.postal_code",
    "address.city",
    "address.country",
    "contact_address.line_1",
    "contact_address.postal_code",
    "contact_address.city",
    "contact_address.country",
    "email",
    "birth_date",
    "birth_city",
    "birth_country",
    "birth_province",
    "nationality",
    "employment_status",
    "purpose_of_account_opening",
    "main_income_source",
    "annual_income_range",
    "fatca_relevant",
    "fatca_crs_confirmed_at",
    "self_declared_as_pep",
    "terms_conditions_signed_at",
    "own_economic_interest_signed_at",
];

/// The mandatory data points for retail customers of the Spanish branch (Appendix II, Spain).
///
/// Spain lists no `salutation` (it is optional) and no address sub-fields (this list asks for
/// `line_1`, `postal_code`, `city` and `country`). `work_country` carries no condition in the
/// appendix, so it is always required; `work_province` is required when it is `ES`.
pub const ES_MANDATORY: &[&str] = &[
    "first_name",
    "last_name",
    "branch",
    "address.line_1",
    "address.postal_code",
    "address.city",
    "address.country",
    "email",
    "birth_date",
    "birth_city",
    "birth_country",
    "birth_province",
    "nationality",
    "employment_status",
    "work_country",
    "purpose_of_account_opening",
    "main_income_source",
    "annual_income_range",
    "fatca_relevant",
    "fatca_crs_confirmed_at",
    "terms_conditions_signed_at",
    "own_economic_interest_signed_at",
];

/// The branch codes a person's `branch` may name.
pub const BRANCHES: &[&str] = &["DE", "FR", "IT", "ES"];

/// Whose list of data points a person follows: the branch named in `branch`, or Germany when
/// it is null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branch {
    De,
    Fr,
    It,
    Es,
}

/// How a branch treats `salutation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalutationRule {
    /// Germany: the key must be sent; `MR`, `MS`, or `null` for gender-neutral.
    NullIsGenderNeutral,
    /// France and Italy: `MR` or `MS`; "no gender-neutral options allowed".
    MrOrMs,
    /// Spain: not a required data point; `MR`, `MS` or `null` when sent.
    Optional,
}

impl Branch {
    /// The rules for a `branch` value: `None` (null) and `"DE"` are Germany. `Err` for a value
    /// that names no branch (`"fr"`, `"FRANCE"`, `""`).
    pub fn of(field: Option<&str>) -> Result<Branch, Refusal> {
        match field {
            None | Some("DE") => Ok(Branch::De),
            Some("FR") => Ok(Branch::Fr),
            Some("IT") => Ok(Branch::It),
            Some("ES") => Ok(Branch::Es),
            Some(_) => Err(Refusal::not_in_list("branch", BRANCHES)),
        }
    }

    /// The always-mandatory data points (see [`conditionally_mandatory`] for the others).
    pub fn mandatory(self) -> &'static [&'static str] {
        match self {
            Branch::De => DE_MANDATORY,
            Branch::Fr => FR_MANDATORY,
            Branch::It => IT_MANDATORY,
            Branch::Es => ES_MANDATORY,
        }
    }

    /// The `employment_status` values the branch accepts. Spain publishes no list of its own,
    /// so it takes the full (German) one.
    pub fn employment_statuses(self) -> &'static [&'static str] {
        match self {
            Branch::De | Branch::Es => EMPLOYMENT_STATUS,
            Branch::Fr => EMPLOYMENT_STATUS_FR,
            Branch::It => EMPLOYMENT_STATUS_IT,
        }
    }

    pub fn salutation_rule(self) -> SalutationRule {
        match self {
            Branch::De => SalutationRule::NullIsGenderNeutral,
            Branch::Fr | Branch::It => SalutationRule::MrOrMs,
            Branch::Es => SalutationRule::Optional,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Branch::De => "DE",
            Branch::Fr => "FR",
            Branch::It => "IT",
            Branch::Es => "ES",
        }
    }
}

/// The always-mandatory data points for a `branch` value (null or unknown: Germany).
pub fn mandatory_for(branch: Option<&str>) -> &'static [&'static str] {
    Branch::of(branch).unwrap_or(Branch::De).mandatory()
}

/// A data point that breaks a rule: the field to blame (`source.field`) and the message that
/// follows the field name in the error's `detail`, in Solaris' Rails style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: String,
    pub message: String,
}

impl Refusal {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Refusal {
            field: field.into(),
            message: message.into(),
        }
    }

    /// `is not included in the list [A, B]`, Solaris' wording for an enum.
    pub fn not_in_list(field: impl Into<String>, allowed: &[&str]) -> Self {
        Refusal::new(
            field,
            format!("is not included in the list [{}]", allowed.join(", ")),
        )
    }

    /// `can't be blank`.
    pub fn blank(field: impl Into<String>) -> Self {
        Refusal::new(field, "can't be blank")
    }
}

/// The residency countries (`address.country`) a branch allows. The seed's example shows
/// branch `null` allowing `DE` and `FR`; a named branch allows its own country (Appendix II:
/// France "only France is allowed").
pub fn allowed_residency(branch: Option<&str>) -> &'static [&'static str] {
    match branch {
        None => &["DE", "FR"],
        Some("DE") => &["DE"],
        Some("FR") => &["FR"],
        Some("IT") => &["IT"],
        Some("ES") => &["ES"],
        Some(_) => &[],
    }
}

/// Refuses a residency the branch does not allow, on field `country`, in the seed's words:
/// `Residency Country is not allowed for this branch,allowed residency country values for
/// branch "null" are ["DE", "FR"]`.
pub fn check_residency(branch: Option<&str>, country: &str) -> Result<(), Refusal> {
    let allowed = allowed_residency(branch);
    if allowed.contains(&country) {
        return Ok(());
    }
    let list = allowed
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    Err(Refusal::new(
        "country",
        format!(
            "Residency Country is not allowed for this branch,allowed residency country values \
             for branch \"{}\" are [{list}]",
            branch.unwrap_or("null")
        ),
    ))
}

/// Checks `salutation` for a branch. `value` is `None` when the key was not sent at all,
/// `Some(None)` when it was sent as null.
pub fn check_salutation(branch: Branch, value: Option<Option<&str>>) -> Result<(), Refusal> {
    if let Some(Some(v)) = value {
        return if SALUTATIONS.contains(&v) {
            Ok(())
        } else {
            Err(Refusal::not_in_list("salutation", SALUTATIONS))
        };
    }
    match (branch.salutation_rule(), value) {
        (SalutationRule::NullIsGenderNeutral, None) => Err(Refusal::new(
            "salutation",
            "must be given: MR, MS, or null for gender-neutral",
        )),
        (SalutationRule::MrOrMs, _) => Err(Refusal::new(
            "salutation",
            format!(
                "can't be blank: MR or MS; the {} branch has no gender-neutral option",
                branch.code()
            ),
        )),
        _ => Ok(()),
    }
}

/// `socioprofessional_category` values (Appendix II, France).
pub const SOCIOPROFESSIONAL_CATEGORY: &[&str] = &[
    "FARMERS",
    "CRAFTSMEN",
    "MERCHANTS_AND_COMPANY_MANAGERS",
    "MANAGERS_AND_HIGHER_INTELLECTUAL_PROFESSIONS",
    "INTERMEDIATE_PROFESSIONS",
    "EMPLOYEES",
    "WORKERS",
];

/// `purpose_of_account_opening` values (Appendix II, France, Italy and Spain).
pub const PURPOSE_OF_ACCOUNT_OPENING: &[&str] = &[
    "SAVINGS",
    "DAILY_EXPENSES",
    "TRAVELLING_AND_RELOCATING",
    "FREELANCER_ACTIVITY",
    "ONLINE_SHOPPING",
    "SALARY_OR_PENSION_ACCREDITATION",
    "TRADING",
];

/// `main_income_source` values (Appendix II, France, Italy and Spain).
pub const MAIN_INCOME_SOURCE: &[&str] = &[
    "SALARY_INCOME_OR_OWN_BUSINESS",
    "REAL_ESTATE_INCOME",
    "INCOME_FROM_SAVINGS",
    "SALES_OF_ASSETS",
    "FAMILY_INCOME",
    "DONATIONS",
    "INHERITANCE",
    "PENSION",
    "PUBLIC_SUBSIDIES",
];

/// The French province table of Appendix II: `(INSEE code, département, birth_province value)`.
/// The INSEE codes are written as the table writes them (`1`, not `01`); the overseas
/// départements 971 to 976 all map to `97`, and `99` stands for "not born in France or a
/// French overseas department". There is no `20` (Corsica is `2A` and `2B`) and no `975`.
pub const FR_PROVINCES: &[(&str, &str, &str)] = &[
    ("1", "Ain", "01"),
    ("2", "Aisne", "02"),
    ("3", "Allier", "03"),
    ("4", "Alpes-de-Haute-Provence", "04"),
    ("5", "Hautes-Alpes", "05"),
    ("6", "Alpes-Maritimes", "06"),
    ("7", "Ardèche", "07"),
    ("8", "Ardennes", "08"),
    ("9", "Ariège", "09"),
    ("10", "Aube", "10"),
    ("11", "Aude", "11"),
    ("12", "Aveyron", "12"),
    ("13", "Bouches-du-Rhône", "13"),
    ("14", "Calvados", "14"),
    ("15", "Cantal", "15"),
    ("16", "Charente", "16"),
    ("17", "Charente-Maritime", "17"),
    ("18", "Cher", "18"),
    ("19", "Corrèze", "19"),
    ("21", "Côte-d'Or", "21"),
    ("22", "Côtes-d'Armor", "22"),
    ("23", "Creuse", "23"),
    ("24", "Dordogne", "24"),
    ("25", "Doubs", "25"),
    ("26", "Drôme", "26"),
    ("27", "Eure", "27"),
    ("28", "Eure-et-Loir", "28"),
    ("29", "Finistère", "29"),
    ("2A", "Corse-du-Sud", "2A"),
    ("2B", "Haute-Corse", "2B"),
    ("30", "Gard", "30"),
    ("31", "Haute-Garonne", "31"),
    ("32", "Gers", "32"),
    ("33", "Gironde", "33"),
    ("34", "Hérault", "34"),
    ("35", "Ille-et-Vilaine", "35"),
    ("36", "Indre", "36"),
    ("37", "Indre-et-Loire", "37"),
    ("38", "Isère", "38"),
    ("39", "Jura", "39"),
    ("40", "Landes", "40"),
    ("41", "Loir-et-Cher", "41"),
    ("42", "Loire", "42"),
    ("43", "Haute-Loire", "43"),
    ("44", "Loire-Atlantique", "44"),
    ("45", "Loiret", "45"),
    ("46", "Lot", "46"),
    ("47", "Lot-et-Garonne", "47"),
    ("48", "Lozère", "48"),
    ("49", "Maine-et-Loire", "49"),
    ("50", "Manche", "50"),
    ("51", "Marne", "51"),
    ("52", "Haute-Marne", "52"),
    ("53", "Mayenne", "53"),
    ("54", "Meurthe-et-Moselle", "54"),
    ("55", "Meuse", "55"),
    ("56", "Morbihan", "56"),
    ("57", "Moselle", "57"),
    ("58", "Nièvre", "58"),
    ("59", "Nord", "59"),
    ("60", "Oise", "60"),
    ("61", "Orne", "61"),
    ("62", "Pas-de-Calais", "62"),
    ("63", "Puy-de-Dôme", "63"),
    ("64", "Pyrénées-Atlantiques", "64"),
    ("65", "Hautes-Pyrénées", "65"),
    ("66", "Pyrénées-Orientales", "66"),
    ("67", "Bas-Rhin", "67"),
    ("68", "Haut-Rhin", "68"),
    ("69", "Rhône", "69"),
    ("70", "Haute-Saône", "70"),
    ("71", "Saône-et-Loire", "71"),
    ("72", "Sarthe", "72"),
    ("73", "Savoie", "73"),
    ("74", "Haute-Savoie", "74"),
    ("75", "Paris", "75"),
    ("76", "Seine-Maritime", "76"),
    ("77", "Seine-et-Marne", "77"),
    ("78", "Yvelines", "78"),
    ("79", "Deux-Sèvres", "79"),
    ("80", "Somme", "80"),
    ("81", "Tarn", "81"),
    ("82", "Tarn-et-Garonne", "82"),
    ("83", "Var", "83"),
    ("84", "Vaucluse", "84"),
    ("85", "Vendée", "85"),
    ("86", "Vienne", "86"),
    ("87", "Haute-Vienne", "87"),
    ("88", "Vosges", "88"),
    ("89", "Yonne", "89"),
    ("90", "Territoire de Belfort", "90"),
    ("91", "Essonne", "91"),
    ("92", "Hauts-de-Seine", "92"),
    ("93", "Seine-Saint-Denis", "93"),
    ("94", "Val-de-Marne", "94"),
    ("95", "Val-d'Oise", "95"),
    ("971", "Guadeloupe", "97"),
    ("972", "Martinique", "97"),
    ("973", "Guyane", "97"),
    ("974", "La Réunion", "97"),
    ("976", "Mayotte", "97"),
    ("99", "Other", "99"),
];

/// The `birth_province` value for an INSEE département code (`"1"` or `"01"` → `"01"`,
/// `"971"` → `"97"`, `"2A"` → `"2A"`, `"99"` → `"99"`); `None` for a code not in the table.
pub fn fr_birth_province_for_insee(code: &str) -> Option<&'static str> {
    let unpadded = match code.strip_prefix('0') {
        Some(rest) if rest.len() == 1 => rest,
        _ => code,
    };
    FR_PROVINCES
        .iter()
        .find(|(insee, _, _)| *insee == unpadded)
        .map(|(_, _, value)| *value)
}

/// Whether `value` is a `birth_province` value of the French table (the right-hand column:
/// `01`..`95` without `20`, `2A`, `2B`, `97`, `99`).
pub fn is_fr_birth_province(value: &str) -> bool {
    FR_PROVINCES.iter().any(|(_, _, v)| *v == value)
}

/// Whether `code` is a `birth_post_code` for a customer born in France: the "two- or
/// three-digit code" of a département of the table (`01`..`95`, `2A`, `2B`, `971`..`976`).
pub fn is_fr_birth_post_code(code: &str) -> bool {
    (code.len() == 2 || code.len() == 3)
        && code != "99"
        && FR_PROVINCES
            .iter()
            .any(|(insee, _, _)| *insee == code || format!("0{insee}") == code)
}

/// Birth countries that count as "born in France" for the French rules: France and the
/// overseas départements under their own ISO codes (Guadeloupe, Martinique, Guyane, La
/// Réunion, Mayotte).
pub const FR_BIRTH_COUNTRIES: &[&str] = &["FR", "GP", "MQ", "GF", "RE", "YT"];

/// The value an Italian-branch customer born outside Italy gives as `birth_province`.
pub const IT_BORN_ABROAD: &str = "EE";

/// Whether `value` is a Spanish province code: two digits, `01` to `52`.
pub fn is_es_province(value: &str) -> bool {
    value.len() == 2
        && value.bytes().all(|b| b.is_ascii_digit())
        && matches!(value.parse::<u8>(), Ok(1..=52))
}

/// Whether `value` has the shape of an Italian province code: two uppercase ASCII letters.
pub fn is_it_province(value: &str) -> bool {
    value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())
}

/// What the conditional and cross-field rules read from a person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts<'a> {
    pub employment_status: Option<&'a str>,
    pub birth_country: Option<&'a str>,
    pub birth_province: Option<&'a str>,
    pub birth_post_code: Option<&'a str>,
    pub work_country: Option<&'a str>,
    pub work_province: Option<&'a str>,
    pub contact_country: Option<&'a str>,
    /// Whether the person has a `contact_address` (an object, not null).
    pub has_contact_address: bool,
}

impl<'a> Facts<'a> {
    /// The facts of a person given as the API's JSON object (missing or non-string: `None`).
    pub fn of(person: &'a Map<String, Value>) -> Self {
        let text = |key: &str| person.get(key).and_then(Value::as_str);
        Facts {
            employment_status: text("employment_status"),
            birth_country: text("birth_country"),
            birth_province: text("birth_province"),
            birth_post_code: text("birth_post_code"),
            work_country: text("work_country"),
            work_province: text("work_province"),
            contact_country: person
                .get("contact_address")
                .and_then(|a| a.get("country"))
                .and_then(Value::as_str),
            has_contact_address: person.get("contact_address").is_some_and(Value::is_object),
        }
    }

    fn employed(&self) -> bool {
        matches!(self.employment_status, Some("EMPLOYED" | "SELF_EMPLOYED"))
    }

    fn born_in_france(&self) -> bool {
        self.birth_country
            .is_some_and(|c| FR_BIRTH_COUNTRIES.contains(&c))
    }
}

/// The data points that are mandatory only in some cases, for this person:
///
/// - France: `nace_code`, `socioprofessional_category` and `work_country` when the customer is
///   `EMPLOYED` or `SELF_EMPLOYED`; `birth_post_code` when born in France.
/// - Italy: `nace_code` and `work_country` when `EMPLOYED` or `SELF_EMPLOYED`; `work_province`
///   when `work_country` is `IT`.
/// - Spain: `work_province` when `work_country` is `ES`.
/// - Everywhere: a `contact_address`, when given, has a street, postal code, city and country
///   ([`CONTACT_ADDRESS_PARTS`]).
pub fn conditionally_mandatory(branch: Branch, facts: &Facts) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if facts.has_contact_address {
        fields.extend(CONTACT_ADDRESS_PARTS);
    }
    match branch {
        Branch::De => {}
        Branch::Fr => {
            if facts.employed() {
                fields.extend(["nace_code", "socioprofessional_category", "work_country"]);
            }
            if facts.born_in_france() {
                fields.push("birth_post_code");
            }
        }
        Branch::It => {
            if facts.employed() {
                fields.extend(["nace_code", "work_country"]);
            }
            if facts.work_country == Some("IT") {
                fields.push("work_province");
            }
        }
        Branch::Es => {
            if facts.work_country == Some("ES") {
                fields.push("work_province");
            }
        }
    }
    fields
}

/// What a `contact_address` needs once it is given at all.
pub const CONTACT_ADDRESS_PARTS: [&str; 4] = [
    "contact_address.line_1",
    "contact_address.postal_code",
    "contact_address.city",
    "contact_address.country",
];

/// The first of `paths` (dotted, e.g. `address.line_1`) that `person` lacks: absent, null, or a
/// blank string. When a whole object is missing the answer names the object (`address`), not
/// its first sub-field.
pub fn first_missing<'p>(
    paths: impl IntoIterator<Item = &'p str>,
    person: &Map<String, Value>,
) -> Option<String> {
    for path in paths {
        let mut node: Option<&Value> = None;
        let mut walked = String::new();
        let mut missing = false;
        for part in path.split('.') {
            let next = match node {
                None => person.get(part),
                Some(v) => v.get(part),
            };
            if !walked.is_empty() {
                walked.push('.');
            }
            walked.push_str(part);
            let present = match next {
                None | Some(Value::Null) => false,
                Some(Value::String(s)) => !s.trim().is_empty(),
                Some(_) => true,
            };
            if !present {
                missing = true;
                break;
            }
            node = next;
        }
        if missing {
            return Some(walked);
        }
    }
    None
}

/// The rules that tie fields together, for a person whose fields each passed their own check:
///
/// - France: `contact_address.country` must be `FR` ("only France is allowed");
///   `birth_province`, when given, a value of the French table, `99` exactly when born outside
///   France; `birth_post_code`, for customers born in France, a département code.
/// - Italy: `birth_province` is `EE` when `birth_country` is not `IT`, otherwise a two-letter
///   province code (not `EE`); `work_province` only with `work_country` `IT`, two letters.
/// - Spain: `birth_province` a province code `01`..`52`; `work_province` only with
///   `work_country` `ES`, a province code.
///
/// The first broken rule is answered. Missing values are left to the mandatory checks.
pub fn check_cross_field(branch: Branch, facts: &Facts) -> Result<(), Refusal> {
    match branch {
        Branch::De => Ok(()),
        Branch::Fr => check_fr(facts),
        Branch::It => check_it(facts),
        Branch::Es => check_es(facts),
    }
}

fn check_fr(facts: &Facts) -> Result<(), Refusal> {
    if let Some(country) = facts.contact_country
        && country != "FR"
    {
        return Err(Refusal::new(
            "contact_address.country",
            "must be FR: only France is allowed for the FR branch",
        ));
    }
    if let Some(province) = facts.birth_province {
        if !is_fr_birth_province(province) {
            return Err(Refusal::new(
                "birth_province",
                "must be a value of the French province table (01-95, 2A, 2B, 97 for the \
                 overseas departments, 99 for customers born abroad)",
            ));
        }
        if facts.birth_country.is_some() {
            let born_in_france = facts.born_in_france();
            if born_in_france && province == "99" {
                return Err(Refusal::new(
                    "birth_province",
                    "must be the département of birth: 99 is only for customers not born in \
                     France or a French overseas department",
                ));
            }
            if !born_in_france && province != "99" {
                return Err(Refusal::new(
                    "birth_province",
                    "must be 99 for customers not born in France or a French overseas department",
                ));
            }
        }
    }
    if facts.born_in_france()
        && let Some(code) = facts.birth_post_code
        && !is_fr_birth_post_code(code)
    {
        return Err(Refusal::new(
            "birth_post_code",
            "must be the two- or three-digit code of the département of birth (e.g. 01, 2A, 75, \
             971)",
        ));
    }
    Ok(())
}

fn check_it(facts: &Facts) -> Result<(), Refusal> {
    if let (Some(province), Some(country)) = (facts.birth_province, facts.birth_country) {
        if country != "IT" && province != IT_BORN_ABROAD {
            return Err(Refusal::new(
                "birth_province",
                "must be EE when birth_country is not IT",
            ));
        }
        if country == "IT" && (province == IT_BORN_ABROAD || !is_it_province(province)) {
            return Err(Refusal::new(
                "birth_province",
                "must be the two-letter code of an Italian province (e.g. MI, RM) for customers \
                 born in Italy",
            ));
        }
    }
    if let Some(province) = facts.work_province {
        if facts.work_country != Some("IT") {
            return Err(Refusal::new(
                "work_province",
                "must only be given when work_country is IT",
            ));
        }
        if province == IT_BORN_ABROAD || !is_it_province(province) {
            return Err(Refusal::new(
                "work_province",
                "must be the two-letter code of an Italian province (e.g. MI, RM)",
            ));
        }
    }
    Ok(())
}

fn check_es(facts: &Facts) -> Result<(), Refusal> {
    if let Some(province) = facts.birth_province
        && !is_es_province(province)
    {
        return Err(Refusal::new(
            "birth_province",
            "must be a two-digit Spanish province code (01-52)",
        ));
    }
    if let Some(province) = facts.work_province {
        if facts.work_country != Some("ES") {
            return Err(Refusal::new(
                "work_province",
                "must only be given when work_country is ES",
            ));
        }
        if !is_es_province(province) {
            return Err(Refusal::new(
                "work_province",
                "must be a two-digit Spanish province code (01-52)",
            ));
        }
    }
    Ok(())
}

/// The B2C rule of `PATCH /v1/persons/{id}`: a customer who changes their `employment_status`
/// to `FREELANCER` or `SELF_EMPLOYED` needs, in the same request, a `nace_code`, or `industry`
/// and `industry_key` both set to null. `current` is the status before the change; sending the
/// status the person already has is no change.
pub fn check_self_employed_switch(
    current: Option<&str>,
    patch: &Map<String, Value>,
) -> Result<(), Refusal> {
    let status = patch.get("employment_status").and_then(Value::as_str);
    let Some(new) = status.filter(|s| matches!(*s, "FREELANCER" | "SELF_EMPLOYED")) else {
        return Ok(());
    };
    if current == Some(new) {
        return Ok(());
    }
    let nace = patch
        .get("nace_code")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    let industry_cleared = matches!(patch.get("industry"), Some(Value::Null))
        && matches!(patch.get("industry_key"), Some(Value::Null));
    if nace || industry_cleared {
        Ok(())
    } else {
        Err(Refusal::new(
            "employment_status",
            format!(
                "{new} needs a nace_code, or industry and industry_key set to null, in the same \
                 request"
            ),
        ))
    }
}

/// `aml_confirmed_on` may only be set to today or tomorrow.
pub fn aml_confirmed_on_allowed(date: NaiveDate, today: NaiveDate) -> bool {
    date == today || Some(date) == today.succ_opt()
}

/// The sandbox refuses a person when this many with the same [`IDENTITY_FIELDS`] exist.
pub const IDENTICAL_PERSONS_LIMIT: usize = 1000;

/// The fields that make two sandbox persons "identical".
pub const IDENTITY_FIELDS: [&str; 4] = ["first_name", "last_name", "birth_city", "birth_date"];

/// The [`IDENTITY_FIELDS`] values as one key: two persons are identical when their keys are.
pub fn identity_key(p: &Map<String, Value>) -> String {
    IDENTITY_FIELDS
        .iter()
        .map(|k| p.get(*k).map(Value::to_string).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// A consent timestamp, checked and normalised.
///
/// Accepts RFC 3339 in UTC: `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or
/// `+00:00`. Answers it as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form Solaris echoes (fractions
/// beyond milliseconds are cut). Any other offset, a space instead of `T`, or garbage gives
/// `None`.
pub fn parse_utc_timestamp(s: &str) -> Option<String> {
    let utc_suffix = s.ends_with('Z') || s.ends_with("+00:00");
    if !utc_suffix || s.as_bytes().get(10) != Some(&b'T') || !is_plain_date(s.get(..10)?) {
        return None;
    }
    let parsed = DateTime::parse_from_rfc3339(s).ok()?;
    if parsed.offset().local_minus_utc() != 0 {
        return None;
    }
    Some(
        parsed
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true),
    )
}

/// Whether `s` has the shape `YYYY-MM-DD` (digits and dashes only).
fn is_plain_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// A calendar date in the strict form `YYYY-MM-DD`; anything else, or a date that does not
/// exist, gives `None`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if !is_plain_date(s) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Age in whole years on `today` for someone born on `birth`; 0 if `today` is before `birth`.
///
/// Someone born on 29 February turns a year older on 1 March in common years.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    if today <= birth {
        return 0;
    }
    let years = today.year() - birth.year();
    let had_birthday = (today.month(), today.day()) >= (birth.month(), birth.day());
    let whole = if had_birthday { years } else { years - 1 };
    u32::try_from(whole).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn timestamps_follow_the_rule_table() {
        let rows = [
            ("2022-01-01T00:00:00Z", Some("2022-01-01T00:00:00.000Z")),
            ("2021-09-14T18:18:28.000Z", Some("2021-09-14T18:18:28.000Z")),
            (
                "2021-12-22T15:05:33.634+00:00",
                Some("2021-12-22T15:05:33.634Z"),
            ),
            (
                "2022-04-21T13:59:52+00:00",
                Some("2022-04-21T13:59:52.000Z"),
            ),
            ("2022-04-21T13:59:52.1Z", Some("2022-04-21T13:59:52.100Z")),
            (
                "2022-04-21T13:59:52.123456789Z",
                Some("2022-04-21T13:59:52.123Z"),
            ),
            ("2022-04-21T13:59:52+01:00", None),
            ("2022-04-21T13:59:52-00:00", None),
            ("2022-04-21T13:59:52", None),
            ("2022-04-21 13:59:52Z", None),
            ("2022-04-21t13:59:52Z", None),
            ("2022-04-21", None),
            ("2022-02-30T00:00:00Z", None),
            ("2022-04-21T25:00:00Z", None),
            ("+2022-04-21T13:59:52Z", None),
            ("yesterday", None),
            ("", None),
            ("Z", None),
            ("２022-04-21T13:59:52Z", None),
        ];
        for (input, expected) in rows {
            assert_eq!(parse_utc_timestamp(input).as_deref(), expected, "{input:?}");
        }
    }

    #[test]
    fn dates_follow_the_rule_table() {
        let rows = [
            ("1985-12-14", Some(date(1985, 12, 14))),
            ("2000-02-29", Some(date(2000, 2, 29))),
            ("1900-02-29", None),
            ("1985-13-01", None),
            ("1985-1-14", None),
            ("85-12-14", None),
            ("1985/12/14", None),
            ("1985-12-14T00:00:00Z", None),
            (" 1985-12-14", None),
            ("+1985-12-1", None),
            ("", None),
            ("1985-12-1٤", None),
        ];
        for (input, expected) in rows {
            assert_eq!(parse_date(input), expected, "{input:?}");
        }
    }

    #[test]
    fn age_follows_the_rule_table() {
        let rows = [
            (date(1985, 12, 14), date(2024, 12, 13), 38),
            (date(1985, 12, 14), date(2024, 12, 14), 39),
            (date(2006, 6, 1), date(2024, 5, 31), 17),
            (date(2006, 6, 1), date(2024, 6, 1), 18),
            (date(2004, 2, 29), date(2022, 2, 28), 17),
            (date(2004, 2, 29), date(2022, 3, 1), 18),
            (date(2004, 2, 29), date(2024, 2, 29), 20),
            (date(2024, 1, 1), date(2024, 1, 1), 0),
            (date(2025, 1, 1), date(2024, 1, 1), 0),
        ];
        for (birth, today, expected) in rows {
            assert_eq!(age_on(birth, today), expected, "{birth} on {today}");
        }
    }

    #[test]
    fn the_lists_have_the_documented_sizes() {
        assert_eq!(DE_MANDATORY.len(), 19);
        assert_eq!(UPDATABLE.len(), 38);
        assert_eq!(EMPLOYMENT_STATUS.len(), 12);
        assert!(!UPDATABLE.contains(&"terms_conditions_signed_at"));
        assert!(!UPDATABLE.contains(&"first_name"));
        for list in [DE_MANDATORY, UPDATABLE, EMPLOYMENT_STATUS, MARITAL_STATUS] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "no duplicates");
        }
    }

    #[test]
    fn mandatory_lists_follow_the_branch() {
        let rows: &[(Option<&str>, &[&str])] = &[
            (None, DE_MANDATORY),
            (Some("DE"), DE_MANDATORY),
            (Some("FR"), FR_MANDATORY),
            (Some("IT"), IT_MANDATORY),
            (Some("ES"), ES_MANDATORY),
            (Some("fr"), DE_MANDATORY),
        ];
        for (branch, expected) in rows {
            assert_eq!(mandatory_for(*branch), *expected, "{branch:?}");
        }
        assert_eq!(FR_MANDATORY.len(), 30);
        assert_eq!(IT_MANDATORY.len(), 27);
        assert_eq!(ES_MANDATORY.len(), 22);
        for list in [FR_MANDATORY, IT_MANDATORY, ES_MANDATORY] {
            assert!(list.contains(&"branch"), "the branch must be named");
            for enumerated in [
                "purpose_of_account_opening",
                "main_income_source",
                "annual_income_range",
            ] {
                assert!(list.contains(&enumerated), "{enumerated}");
            }
        }
        assert!(!ES_MANDATORY.contains(&"salutation"), "Spain lists none");
        assert!(IT_MANDATORY.contains(&"self_declared_as_pep"));
        assert!(!FR_MANDATORY.contains(&"birth_province"), "lending only");
    }

    #[test]
    fn branch_values_follow_the_rule_table() {
        let rows = [
            (None, Ok(Branch::De)),
            (Some("DE"), Ok(Branch::De)),
            (Some("FR"), Ok(Branch::Fr)),
            (Some("IT"), Ok(Branch::It)),
            (Some("ES"), Ok(Branch::Es)),
            (Some("fr"), Err("branch")),
            (Some("FRANCE"), Err("branch")),
            (Some(""), Err("branch")),
            (Some("AT"), Err("branch")),
        ];
        for (value, expected) in rows {
            assert_eq!(
                Branch::of(value).map_err(|r| r.field),
                expected.map_err(str::to_string),
                "{value:?}"
            );
        }
        for code in BRANCHES {
            assert_eq!(Branch::of(Some(code)).map(Branch::code), Ok(*code));
        }
    }

    #[test]
    fn residency_follows_the_branch_in_the_seed_wording() {
        let rows = [
            (None, "DE", true),
            (None, "FR", true),
            (None, "IT", false),
            (Some("DE"), "DE", true),
            (Some("DE"), "FR", false),
            (Some("FR"), "FR", true),
            (Some("FR"), "DE", false),
            (Some("IT"), "IT", true),
            (Some("IT"), "ES", false),
            (Some("ES"), "ES", true),
            (Some("ES"), "DE", false),
        ];
        for (branch, country, ok) in rows {
            assert_eq!(
                check_residency(branch, country).is_ok(),
                ok,
                "{branch:?} {country}"
            );
        }
        let refusal = check_residency(None, "IT").unwrap_err();
        assert_eq!(refusal.field, "country");
        assert_eq!(
            format!("{} {}", refusal.field, refusal.message),
            "country Residency Country is not allowed for this branch,allowed residency country \
             values for branch \"null\" are [\"DE\", \"FR\"]",
            "the detail of the seed's example"
        );
        assert!(
            check_residency(Some("IT"), "FR")
                .unwrap_err()
                .message
                .ends_with("for branch \"IT\" are [\"IT\"]")
        );
    }

    #[test]
    fn salutation_follows_the_rule_table() {
        let rows = [
            (Branch::De, Some(Some("MR")), true),
            (Branch::De, Some(Some("MS")), true),
            (Branch::De, Some(None), true),
            (Branch::De, None, false),
            (Branch::De, Some(Some("MRS")), false),
            (Branch::De, Some(Some("mr")), false),
            (Branch::Fr, Some(Some("MS")), true),
            (Branch::Fr, Some(None), false),
            (Branch::Fr, None, false),
            (Branch::It, Some(Some("MR")), true),
            (Branch::It, Some(None), false),
            (Branch::It, None, false),
            (Branch::Es, None, true),
            (Branch::Es, Some(None), true),
            (Branch::Es, Some(Some("MS")), true),
            (Branch::Es, Some(Some("DR")), false),
        ];
        for (branch, value, ok) in rows {
            let got = check_salutation(branch, value);
            assert_eq!(got.is_ok(), ok, "{branch:?} {value:?}");
            if let Err(refusal) = got {
                assert_eq!(refusal.field, "salutation");
            }
        }
        assert!(
            check_salutation(Branch::Fr, Some(None))
                .unwrap_err()
                .message
                .contains("no gender-neutral option")
        );
    }

    #[test]
    fn employment_statuses_are_the_branch_subsets() {
        assert_eq!(Branch::De.employment_statuses(), EMPLOYMENT_STATUS);
        assert_eq!(Branch::Es.employment_statuses(), EMPLOYMENT_STATUS);
        for (branch, refused) in [(Branch::Fr, "FREELANCER"), (Branch::It, "HOUSEWORK")] {
            let list = branch.employment_statuses();
            assert_eq!(list.len(), 5);
            assert!(!list.contains(&refused), "{branch:?}");
            assert!(list.iter().all(|s| EMPLOYMENT_STATUS.contains(s)));
        }
    }

    #[test]
    fn the_enums_have_the_documented_values() {
        assert_eq!(SOCIOPROFESSIONAL_CATEGORY.len(), 7);
        assert_eq!(PURPOSE_OF_ACCOUNT_OPENING.len(), 7);
        assert_eq!(MAIN_INCOME_SOURCE.len(), 9);
        assert_eq!(ANNUAL_INCOME_RANGE.len(), 7);
        assert!(
            SOCIOPROFESSIONAL_CATEGORY.contains(&"MANAGERS_AND_HIGHER_INTELLECTUAL_PROFESSIONS")
        );
        assert!(PURPOSE_OF_ACCOUNT_OPENING.contains(&"SALARY_OR_PENSION_ACCREDITATION"));
        assert!(MAIN_INCOME_SOURCE.contains(&"PUBLIC_SUBSIDIES"));
        for list in [
            SOCIOPROFESSIONAL_CATEGORY,
            PURPOSE_OF_ACCOUNT_OPENING,
            MAIN_INCOME_SOURCE,
            FR_MANDATORY,
            IT_MANDATORY,
            ES_MANDATORY,
        ] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "no duplicates");
        }
    }

    #[test]
    fn the_french_province_table_maps_insee_codes() {
        let rows = [
            ("1", Some("01")),
            ("01", Some("01")),
            ("9", Some("09")),
            ("19", Some("19")),
            ("2A", Some("2A")),
            ("2B", Some("2B")),
            ("75", Some("75")),
            ("95", Some("95")),
            ("971", Some("97")),
            ("972", Some("97")),
            ("973", Some("97")),
            ("974", Some("97")),
            ("976", Some("97")),
            ("99", Some("99")),
            ("975", None),
            ("20", None),
            ("96", None),
            ("98", None),
            ("2a", None),
            ("001", None),
            ("0", None),
            ("", None),
        ];
        for (insee, expected) in rows {
            assert_eq!(fr_birth_province_for_insee(insee), expected, "{insee:?}");
        }
        assert_eq!(FR_PROVINCES.len(), 102);
        let mut values: Vec<&str> = FR_PROVINCES.iter().map(|(_, _, v)| *v).collect();
        values.dedup();
        assert_eq!(
            values.len(),
            98,
            "97 once for the five overseas départements"
        );
        for (insee, _, value) in FR_PROVINCES {
            assert_eq!(fr_birth_province_for_insee(insee), Some(*value));
            assert!(is_fr_birth_province(value));
        }
    }

    #[test]
    fn french_birth_province_and_post_code_values() {
        let provinces = [
            ("01", true),
            ("2A", true),
            ("75", true),
            ("97", true),
            ("99", true),
            ("1", false),
            ("20", false),
            ("971", false),
            ("96", false),
            ("2a", false),
            ("", false),
        ];
        for (value, ok) in provinces {
            assert_eq!(is_fr_birth_province(value), ok, "{value:?}");
        }
        let post_codes = [
            ("01", true),
            ("75", true),
            ("2B", true),
            ("971", true),
            ("976", true),
            ("1", false),
            ("975", false),
            ("99", false),
            ("97", false),
            ("20", false),
            ("0971", false),
            ("75001", false),
        ];
        for (code, ok) in post_codes {
            assert_eq!(is_fr_birth_post_code(code), ok, "{code:?}");
        }
    }

    #[test]
    fn conditional_data_points_follow_the_rule_table() {
        let facts = |status: &'static str, born: &'static str, work: Option<&'static str>| Facts {
            employment_status: Some(status),
            birth_country: Some(born),
            work_country: work,
            ..Facts::default()
        };
        let rows: Vec<(Branch, Facts, Vec<&str>)> = vec![
            (Branch::De, facts("EMPLOYED", "DE", None), vec![]),
            (
                Branch::Fr,
                facts("EMPLOYED", "FR", None),
                vec![
                    "nace_code",
                    "socioprofessional_category",
                    "work_country",
                    "birth_post_code",
                ],
            ),
            (
                Branch::Fr,
                facts("SELF_EMPLOYED", "DE", None),
                vec!["nace_code", "socioprofessional_category", "work_country"],
            ),
            (
                Branch::Fr,
                facts("RETIRED", "FR", None),
                vec!["birth_post_code"],
            ),
            (
                Branch::Fr,
                facts("STUDENT", "GP", None),
                vec!["birth_post_code"],
            ),
            (Branch::Fr, facts("STUDENT", "BE", None), vec![]),
            (
                Branch::It,
                facts("EMPLOYED", "IT", Some("IT")),
                vec!["nace_code", "work_country", "work_province"],
            ),
            (
                Branch::It,
                facts("EMPLOYED", "IT", Some("DE")),
                vec!["nace_code", "work_country"],
            ),
            (Branch::It, facts("RETIRED", "IT", None), vec![]),
            (
                Branch::Es,
                facts("EMPLOYED", "ES", Some("ES")),
                vec!["work_province"],
            ),
            (Branch::Es, facts("EMPLOYED", "ES", Some("PT")), vec![]),
            (
                Branch::De,
                Facts {
                    has_contact_address: true,
                    ..facts("EMPLOYED", "DE", None)
                },
                CONTACT_ADDRESS_PARTS.to_vec(),
            ),
        ];
        for (branch, facts, expected) in rows {
            assert_eq!(
                conditionally_mandatory(branch, &facts),
                expected,
                "{branch:?} {facts:?}"
            );
        }
    }

    #[test]
    fn first_missing_names_the_missing_path() {
        let person = serde_json::json!({
            "first_name": "Theresa",
            "last_name": "  ",
            "salutation": null,
            "fatca_relevant": false,
            "address": { "line_1": "Leopoldstraße", "line_2": null },
            "contact_address": null,
        });
        let person = person.as_object().cloned().unwrap_or_default();
        let rows: &[(&[&str], Option<&str>)] = &[
            (&["first_name"], None),
            (&["fatca_relevant"], None),
            (&["first_name", "last_name"], Some("last_name")),
            (&["salutation"], Some("salutation")),
            (&["address.line_1"], None),
            (
                &["address.line_1", "address.line_2"],
                Some("address.line_2"),
            ),
            (&["address.city"], Some("address.city")),
            (&["contact_address.city"], Some("contact_address")),
            (&["tax_information.marital_status"], Some("tax_information")),
            (&["email"], Some("email")),
            (&[], None),
        ];
        for (paths, expected) in rows {
            assert_eq!(
                first_missing(paths.iter().copied(), &person).as_deref(),
                *expected,
                "{paths:?}"
            );
        }
    }

    #[test]
    fn cross_field_rules_follow_the_rule_table() {
        let fr = |born: &'static str, province: Option<&'static str>| Facts {
            birth_country: Some(born),
            birth_province: province,
            contact_country: Some("FR"),
            ..Facts::default()
        };
        let it = |born: &'static str, province: &'static str| Facts {
            birth_country: Some(born),
            birth_province: Some(province),
            ..Facts::default()
        };
        let works = |country: Option<&'static str>, province: &'static str| Facts {
            work_country: country,
            work_province: Some(province),
            ..Facts::default()
        };
        let rows: Vec<(Branch, Facts, Option<&str>)> = vec![
            // France.
            (Branch::Fr, fr("FR", Some("75")), None),
            (Branch::Fr, fr("FR", Some("2A")), None),
            (Branch::Fr, fr("FR", Some("97")), None),
            (Branch::Fr, fr("GP", Some("97")), None),
            (Branch::Fr, fr("FR", None), None),
            (Branch::Fr, fr("DE", Some("99")), None),
            (Branch::Fr, fr("FR", Some("99")), Some("birth_province")),
            (Branch::Fr, fr("DE", Some("75")), Some("birth_province")),
            (Branch::Fr, fr("FR", Some("971")), Some("birth_province")),
            (Branch::Fr, fr("FR", Some("20")), Some("birth_province")),
            (Branch::Fr, fr("FR", Some("1")), Some("birth_province")),
            (
                Branch::Fr,
                Facts {
                    contact_country: Some("BE"),
                    ..fr("FR", None)
                },
                Some("contact_address.country"),
            ),
            (
                Branch::Fr,
                Facts {
                    birth_post_code: Some("75"),
                    ..fr("FR", None)
                },
                None,
            ),
            (
                Branch::Fr,
                Facts {
                    birth_post_code: Some("75001"),
                    ..fr("FR", None)
                },
                Some("birth_post_code"),
            ),
            (
                Branch::Fr,
                Facts {
                    birth_post_code: Some("75001"),
                    ..fr("DE", None)
                },
                None,
            ),
            // Italy.
            (Branch::It, it("IT", "MI"), None),
            (Branch::It, it("IT", "RM"), None),
            (Branch::It, it("DE", "EE"), None),
            (Branch::It, it("DE", "MI"), Some("birth_province")),
            (Branch::It, it("IT", "EE"), Some("birth_province")),
            (Branch::It, it("IT", "mi"), Some("birth_province")),
            (Branch::It, it("IT", "M1"), Some("birth_province")),
            (Branch::It, it("IT", "MIL"), Some("birth_province")),
            (Branch::It, works(Some("IT"), "TO"), None),
            (Branch::It, works(Some("DE"), "TO"), Some("work_province")),
            (Branch::It, works(None, "TO"), Some("work_province")),
            (Branch::It, works(Some("IT"), "T0"), Some("work_province")),
            // Spain.
            (Branch::Es, it("ES", "28"), None),
            (Branch::Es, it("ES", "01"), None),
            (Branch::Es, it("ES", "52"), None),
            (Branch::Es, it("ES", "53"), Some("birth_province")),
            (Branch::Es, it("ES", "00"), Some("birth_province")),
            (Branch::Es, it("ES", "M"), Some("birth_province")),
            (Branch::Es, it("ES", "２８"), Some("birth_province")),
            (Branch::Es, works(Some("ES"), "08"), None),
            (Branch::Es, works(Some("FR"), "08"), Some("work_province")),
            (Branch::Es, works(Some("ES"), "8"), Some("work_province")),
            // Germany has none of these rules.
            (Branch::De, it("DE", "whatever"), None),
        ];
        for (branch, facts, expected) in rows {
            assert_eq!(
                check_cross_field(branch, &facts)
                    .err()
                    .map(|r| r.field)
                    .as_deref(),
                expected,
                "{branch:?} {facts:?}"
            );
        }
    }

    #[test]
    fn the_self_employed_switch_follows_the_rule_table() {
        let rows = [
            (
                Some("EMPLOYED"),
                serde_json::json!({"email": "a@b.c"}),
                true,
            ),
            (
                Some("EMPLOYED"),
                serde_json::json!({"employment_status": "STUDENT"}),
                true,
            ),
            (
                Some("EMPLOYED"),
                serde_json::json!({"employment_status": "FREELANCER"}),
                false,
            ),
            (
                Some("EMPLOYED"),
                serde_json::json!({"employment_status": "SELF_EMPLOYED"}),
                false,
            ),
            (
                Some("EMPLOYED"),
                serde_json::json!({"employment_status": "FREELANCER", "nace_code": "62.01"}),
                true,
            ),
            (
                Some("EMPLOYED"),
                serde_json::json!({"employment_status": "FREELANCER", "nace_code": " "}),
                false,
            ),
            (
                Some("EMPLOYED"),
                serde_json::json!({"employment_status": "SELF_EMPLOYED", "industry": null, "industry_key": null}),
                true,
            ),
            (
                Some("EMPLOYED"),
                serde_json::json!({"employment_status": "SELF_EMPLOYED", "industry": null}),
                false,
            ),
            (
                Some("EMPLOYED"),
                serde_json::json!({"employment_status": "SELF_EMPLOYED", "industry": null, "industry_key": "X"}),
                false,
            ),
            (
                Some("SELF_EMPLOYED"),
                serde_json::json!({"employment_status": "SELF_EMPLOYED"}),
                true,
            ),
            (
                Some("FREELANCER"),
                serde_json::json!({"employment_status": "SELF_EMPLOYED"}),
                false,
            ),
            (
                None,
                serde_json::json!({"employment_status": "FREELANCER"}),
                false,
            ),
        ];
        for (current, patch, ok) in rows {
            let patch = patch.as_object().cloned().unwrap_or_default();
            let got = check_self_employed_switch(current, &patch);
            assert_eq!(got.is_ok(), ok, "{current:?} {patch:?}");
            if let Err(refusal) = got {
                assert_eq!(refusal.field, "employment_status");
            }
        }
    }

    #[test]
    fn aml_confirmed_on_is_today_or_tomorrow() {
        let today = date(2024, 12, 31);
        let rows = [
            (date(2024, 12, 31), true),
            (date(2025, 1, 1), true),
            (date(2024, 12, 30), false),
            (date(2025, 1, 2), false),
            (date(2023, 12, 31), false),
        ];
        for (day, ok) in rows {
            assert_eq!(aml_confirmed_on_allowed(day, today), ok, "{day}");
        }
    }

    #[test]
    fn identity_is_name_birth_city_and_birth_date() {
        let a = serde_json::json!({"first_name": "A", "last_name": "B", "birth_city": "C", "birth_date": "1990-01-01", "email": "x"});
        let b = serde_json::json!({"first_name": "A", "last_name": "B", "birth_city": "C", "birth_date": "1990-01-01", "email": "y"});
        let c = serde_json::json!({"first_name": "A", "last_name": "B", "birth_city": "C", "birth_date": "1990-01-02"});
        let map = |v: &Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(identity_key(&map(&a)), identity_key(&map(&b)));
        assert_ne!(identity_key(&map(&a)), identity_key(&map(&c)));
        // A value cannot pass for two: "A B" + "C" is not "A" + "B C".
        let d = serde_json::json!({"first_name": "A B", "last_name": "C"});
        let e = serde_json::json!({"first_name": "A", "last_name": "B C"});
        assert_ne!(identity_key(&map(&d)), identity_key(&map(&e)));
        assert_eq!(IDENTICAL_PERSONS_LIMIT, 1000);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in any::<String>()) {
            let _ = parse_utc_timestamp(&s);
            let _ = parse_date(&s);
        }

        #[test]
        fn normalised_timestamps_parse_again(
            secs in 0i64..4_102_444_800, millis in 0u32..1000,
        ) {
            let input = format!(
                "{}Z",
                DateTime::from_timestamp(secs, millis * 1_000_000)
                    .unwrap_or_default()
                    .format("%Y-%m-%dT%H:%M:%S%.3f")
            );
            let normal = parse_utc_timestamp(&input);
            prop_assert_eq!(normal.as_deref(), Some(input.as_str()));
        }

        #[test]
        fn age_never_panics(a in -300_000i32..300_000, b in -300_000i32..300_000) {
            let birth = NaiveDate::from_num_days_from_ce_opt(a).unwrap_or_default();
            let today = NaiveDate::from_num_days_from_ce_opt(b).unwrap_or_default();
            let _ = age_on(birth, today);
        }

        #[test]
        fn person_rules_never_panic(a in any::<String>(), b in any::<String>(), c in any::<String>()) {
            let facts = Facts {
                employment_status: Some(&a),
                birth_country: Some(&b),
                birth_province: Some(&c),
                birth_post_code: Some(&a),
                work_country: Some(&b),
                work_province: Some(&c),
                contact_country: Some(&a),
                has_contact_address: true,
            };
            for branch in [Branch::De, Branch::Fr, Branch::It, Branch::Es] {
                let _ = check_cross_field(branch, &facts);
                let _ = conditionally_mandatory(branch, &facts);
                let _ = check_salutation(branch, Some(Some(&a)));
            }
            let _ = Branch::of(Some(&a));
            let _ = check_residency(Some(&a), &b);
            let _ = fr_birth_province_for_insee(&a);
            let _ = is_fr_birth_post_code(&a);
            let _ = is_es_province(&a);
            let mut inner = Map::new();
            inner.insert(b.clone(), Value::String(c.clone()));
            let mut person = Map::new();
            person.insert(a.clone(), Value::Object(inner));
            let nested = format!("{a}.{b}");
            let _ = first_missing([a.as_str(), nested.as_str(), c.as_str()], &person);
        }
    }
}
