//! JSON Schema checks of API responses. [`SchemaRegistry`] compiles the schemas embedded from
//! `schemas/` once; [`ROUTES`] says which schema covers which documented (method, path, status).
//!
//! Any answer of 400 or more must be the error envelope, simulator routes are not checked, a 204
//! must have no body, and a success on a route or status the table does not know is a failure:
//! every endpoint the runner touches must have a schema.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use jsonschema::{Registry, Validator};
use serde_json::Value;

/// The base URI of every schema's `$id`; schemas refer to each other relative to it.
pub const SCHEMA_BASE_URI: &str = "https://solaris-conformance.local/schemas/";

/// How many violations a [`SchemaFailure`] keeps and shows.
pub const MAX_VIOLATIONS: usize = 10;

/// How many characters of an offending value a [`Violation`] keeps.
const MAX_VALUE_CHARS: usize = 80;

/// The schema every answer with status 400 or more must match.
pub const ERROR_SCHEMA: &str = "error.json";

/// Every schema file, embedded so the binary works from any directory.
#[rustfmt::skip]
const SCHEMA_FILES: &[(&str, &str)] = &[
    ("common.json",                        include_str!("../../schemas/common.json")),
    ("error.json",                         include_str!("../../schemas/error.json")),
    ("token.json",                         include_str!("../../schemas/token.json")),
    ("person.json",                        include_str!("../../schemas/person.json")),
    ("mobile_number.json",                 include_str!("../../schemas/mobile_number.json")),
    ("change_request.json",                include_str!("../../schemas/change_request.json")),
    ("tax_identification.json",            include_str!("../../schemas/tax_identification.json")),
    ("tax_identification_list.json",       include_str!("../../schemas/tax_identification_list.json")),
    ("identification.json",                include_str!("../../schemas/identification.json")),
    ("identification_list.json",           include_str!("../../schemas/identification_list.json")),
    ("supported_documents.json",           include_str!("../../schemas/supported_documents.json")),
    ("account_opening_request.json",       include_str!("../../schemas/account_opening_request.json")),
    ("account_opening_request_list.json",  include_str!("../../schemas/account_opening_request_list.json")),
    ("account.json",                       include_str!("../../schemas/account.json")),
    ("account_list.json",                  include_str!("../../schemas/account_list.json")),
    ("card.json",                          include_str!("../../schemas/card.json")),
    ("card_list.json",                     include_str!("../../schemas/card_list.json")),
    ("idnow_attempts.json",                include_str!("../../schemas/idnow_attempts.json")),
    ("webhook_potential_account_blocking.json", include_str!("../../schemas/webhook_potential_account_blocking.json")),
    ("webhook_subscription.json",          include_str!("../../schemas/webhook_subscription.json")),
    ("webhook_subscription_list.json",     include_str!("../../schemas/webhook_subscription_list.json")),
    ("webhook_account_opening_request.json", include_str!("../../schemas/webhook_account_opening_request.json")),
    ("webhook_account_block.json",         include_str!("../../schemas/webhook_account_block.json")),
    ("webhook_person_event.json",          include_str!("../../schemas/webhook_person_event.json")),
    ("webhook_id_only.json",               include_str!("../../schemas/webhook_id_only.json")),
    ("credit_record.json",                 include_str!("../../schemas/credit_record.json")),
    ("sdd_collection_application.json",    include_str!("../../schemas/sdd_collection_application.json")),
    ("sdd_collection_application_list.json", include_str!("../../schemas/sdd_collection_application_list.json")),
    ("account_snapshot.json",              include_str!("../../schemas/account_snapshot.json")),
    ("webhook_account_snapshot.json",      include_str!("../../schemas/webhook_account_snapshot.json")),
    ("reference_account.json",             include_str!("../../schemas/reference_account.json")),
    ("reference_account_list.json",        include_str!("../../schemas/reference_account_list.json")),
    ("sdd_collection_limit.json",          include_str!("../../schemas/sdd_collection_limit.json")),
    ("payout.json",                        include_str!("../../schemas/payout.json")),
    ("booking.json",                       include_str!("../../schemas/booking.json")),
    ("booking_list.json",                  include_str!("../../schemas/booking_list.json")),
];

/// Schema files that only hold shared definitions: registered for `$ref`, never a route's target.
const DEFINITION_FILES: &[&str] = &["common.json"];

/// One documented answer: `method` on `path` (a template whose `{}` segments match any one
/// segment) answering `status` carries a body matching `schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template, e.g. `/v1/persons/{}`.
    pub path: &'static str,
    /// HTTP status of a successful answer.
    pub status: u16,
    /// Schema file name in `schemas/`.
    pub schema: &'static str,
}

const fn route(
    method: &'static str,
    path: &'static str,
    status: u16,
    schema: &'static str,
) -> Route {
    Route {
        method,
        path,
        status,
        schema,
    }
}

/// The schema each webhook event's payload must match; `None` for events without one yet.
pub fn webhook_schema(event_type: &str) -> Option<&'static str> {
    Some(match event_type {
        "IDENTIFICATION" => "identification.json",
        "CARD_LIFECYCLE_EVENT" => "card.json",
        "ACCOUNT_OPENING_REQUEST" => "webhook_account_opening_request.json",
        "ACCOUNT_BLOCK" => "webhook_account_block.json",
        "POTENTIAL_ACCOUNT_BLOCKING" => "webhook_potential_account_blocking.json",
        "PERSON_CHANGED" | "PERSON_DELETED" | "PERSON_MOBILE_NUMBER_CREATED" => {
            "webhook_person_event.json"
        }
        "PERSON_MOBILE_NUMBER_DELETED" | "PERSON_TAX_IDENTIFICATION_CHANGED" => {
            "webhook_id_only.json"
        }
        "SDD_COLLECTION_APPLICATION" => "sdd_collection_application.json",
        "ACCOUNT_SNAPSHOT" => "webhook_account_snapshot.json",
        "BOOKING" => "booking.json",
        "PERSON_CREDIT_RECORD" => "credit_record.json",
        _ => return None,
    })
}

/// Which schema covers which successful answer. Answers of 400 or more always use
/// [`ERROR_SCHEMA`]; `/simulator/...` is never checked.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    // Authentication (the mock also serves the deprecated /oauth/token).
    route("POST", "/oauth2/token", 200, "token.json"),
    route("POST", "/oauth/token", 200, "token.json"),
    // Persons.
    route("POST", "/v1/persons", 201, "person.json"),
    // Webhook subscriptions.
    route("POST", "/v1/webhooks", 201, "webhook_subscription.json"),
    route("GET", "/v1/webhooks", 200, "webhook_subscription_list.json"),
    route("GET", "/v1/webhooks/{}", 200, "webhook_subscription.json"),
    route("GET", "/v1/persons/{}", 200, "person.json"),
    route("PATCH", "/v1/persons/{}", 200, "person.json"),
    // Mobile number, and the change requests that guard deleting a verified one.
    route(
        "POST",
        "/v1/persons/{}/mobile_number",
        201,
        "mobile_number.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/mobile_number",
        200,
        "mobile_number.json",
    ),
    route(
        "POST",
        "/v1/persons/{}/mobile_number/authorize",
        201,
        "mobile_number.json",
    ),
    route(
        "POST",
        "/v1/persons/{}/mobile_number/confirm",
        201,
        "mobile_number.json",
    ),
    route(
        "DELETE",
        "/v1/persons/{}/mobile_number",
        200,
        "mobile_number.json",
    ),
    route(
        "DELETE",
        "/v1/persons/{}/mobile_number",
        202,
        "change_request.json",
    ),
    route(
        "POST",
        "/v1/change_requests/{}/authorize",
        201,
        "change_request.json",
    ),
    route(
        "POST",
        "/v1/change_requests/{}/confirm",
        201,
        "change_request.json",
    ),
    // Tax identifications.
    route(
        "POST",
        "/v1/persons/{}/tax_identifications",
        201,
        "tax_identification.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/tax_identifications",
        200,
        "tax_identification_list.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/tax_identifications/{}",
        200,
        "tax_identification.json",
    ),
    route(
        "PATCH",
        "/v1/persons/{}/tax_identifications/{}",
        200,
        "tax_identification.json",
    ),
    // Identifications (KYC).
    route(
        "POST",
        "/v1/persons/{}/identifications",
        201,
        "identification.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/identifications",
        200,
        "identification_list.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/identifications/{}",
        200,
        "identification.json",
    ),
    route(
        "PATCH",
        "/v1/persons/{}/identifications/{}/request",
        200,
        "identification.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/identifications/{}/supported_documents",
        200,
        "supported_documents.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/identifications/{}/idnow_attempts",
        200,
        "idnow_attempts.json",
    ),
    // Account opening and accounts.
    route(
        "POST",
        "/v1/accounts/opening_requests",
        201,
        "account_opening_request.json",
    ),
    route(
        "GET",
        "/v1/accounts/opening_requests",
        200,
        "account_opening_request_list.json",
    ),
    route(
        "GET",
        "/v1/accounts/opening_requests/{}",
        200,
        "account_opening_request.json",
    ),
    route("GET", "/v1/accounts/{}", 200, "account.json"),
    route("GET", "/v1/persons/{}/accounts", 200, "account_list.json"),
    route("GET", "/v1/persons/{}/accounts/{}", 200, "account.json"),
    // Cards.
    route("POST", "/v1/persons/{}/accounts/{}/cards", 201, "card.json"),
    route("GET", "/v1/cards/{}", 200, "card.json"),
    route("POST", "/v1/cards/{}/activate", 200, "card.json"),
    route("GET", "/v1/accounts/{}/cards", 200, "card_list.json"),
    // Decoupled cards: credit records, SDD collection applications, account snapshots.
    route(
        "POST",
        "/v1/persons/{}/credit_records",
        201,
        "credit_record.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/credit_records/{}",
        200,
        "credit_record.json",
    ),
    route(
        "POST",
        "/v1/persons/{}/sdd_collection_applications",
        201,
        "sdd_collection_application.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/sdd_collection_applications",
        200,
        "sdd_collection_application_list.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/sdd_collection_applications/{}",
        200,
        "sdd_collection_application.json",
    ),
    route(
        "PUT",
        "/v1/persons/{}/sdd_collection_applications/{}/account_snapshot",
        200,
        "sdd_collection_application.json",
    ),
    route(
        "PUT",
        "/v1/persons/{}/sdd_collection_applications/{}/account",
        200,
        "sdd_collection_application.json",
    ),
    route(
        "POST",
        "/v1/persons/{}/account_snapshots",
        201,
        "account_snapshot.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/account_snapshots/{}",
        200,
        "account_snapshot.json",
    ),
    // Decoupled cards: the internal account, its limit, reference accounts, payouts, bookings.
    route("POST", "/v1/persons/{}/accounts", 201, "account.json"),
    route(
        "POST",
        "/v1/persons/{}/accounts/{}/sdd_collection_limits",
        201,
        "sdd_collection_limit.json",
    ),
    route(
        "DELETE",
        "/v1/persons/{}/accounts/{}/sdd_collection_limits",
        200,
        "sdd_collection_limit.json",
    ),
    route(
        "POST",
        "/v1/persons/{}/accounts/{}/reference_accounts",
        201,
        "reference_account.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/accounts/{}/reference_accounts",
        200,
        "reference_account_list.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/accounts/{}/reference_accounts/{}",
        200,
        "reference_account.json",
    ),
    route(
        "POST",
        "/v1/persons/{}/accounts/{}/reference_accounts/{}/payouts",
        202,
        "change_request.json",
    ),
    route(
        "POST",
        "/v1/persons/{}/accounts/{}/reference_accounts/{}/payouts",
        200,
        "payout.json",
    ),
    route(
        "GET",
        "/v1/persons/{}/accounts/{}/reference_account_payouts/{}",
        200,
        "payout.json",
    ),
    route("GET", "/v1/accounts/{}/bookings", 200, "booking_list.json"),
];

/// Why the embedded schemas could not be loaded; a bug in `schemas/`, caught by the unit tests.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaError {
    /// A schema file is not JSON.
    #[error("schema `{file}` is not valid JSON: {message}")]
    Parse {
        /// Schema file name.
        file: &'static str,
        /// What the parser said.
        message: String,
    },
    /// A schema file's `$id` is not its own address.
    #[error("schema `{file}` has $id {found}, expected \"{SCHEMA_BASE_URI}{file}\"")]
    WrongId {
        /// Schema file name.
        file: &'static str,
        /// The `$id` found, as JSON.
        found: String,
    },
    /// The schemas could not be registered for `$ref` resolution.
    #[error("schemas could not be registered for $ref resolution: {message}")]
    Register {
        /// What the resolver said.
        message: String,
    },
    /// A schema does not compile (bad keyword, unresolvable `$ref`).
    #[error("schema `{file}` does not compile: {message}")]
    Compile {
        /// Schema file name.
        file: &'static str,
        /// What the compiler said.
        message: String,
    },
    /// The route table names a schema that is not embedded.
    #[error("route {method} {path} names schema `{schema}`, which is not embedded")]
    UnknownSchema {
        /// Route method.
        method: &'static str,
        /// Route path template.
        path: &'static str,
        /// The missing schema file name.
        schema: &'static str,
    },
}

/// One way a body breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the body (`/` for the root).
    pub pointer: String,
    /// The JSON Schema keyword that failed, e.g. `pattern`, `required`, `type`.
    pub keyword: String,
    /// The offending value as JSON, cut to 80 characters.
    pub value: String,
    /// What is wrong, e.g. `"Germany" does not match "^[A-Z]{2}$"`.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at {}: {} (keyword: {})",
            self.pointer, self.message, self.keyword
        )
    }
}

/// A response that does not match what the documented API promises.
#[derive(Debug, thiserror::Error)]
pub enum SchemaFailure {
    /// The body breaks the route's schema.
    #[error("{}", render_mismatch(schema, method, path, *status, violations, *total))]
    Mismatch {
        /// Schema file name.
        schema: &'static str,
        /// Request method.
        method: String,
        /// Request path.
        path: String,
        /// Response status.
        status: u16,
        /// The first [`MAX_VIOLATIONS`] violations.
        violations: Vec<Violation>,
        /// How many violations there were in all.
        total: usize,
    },
    /// A successful answer that no schema covers.
    #[error(
        "no schema covers {method} {path} answering {status}{}",
        known_statuses_hint(known_statuses)
    )]
    Uncovered {
        /// Request method.
        method: String,
        /// Request path.
        path: String,
        /// Response status.
        status: u16,
        /// Statuses the table does cover for this method and path.
        known_statuses: Vec<u16>,
    },
    /// A 204 No Content that carried a body.
    #[error("{method} {path} answered 204 No Content but with a body: {body}")]
    BodyOnNoContent {
        /// Request method.
        method: String,
        /// Request path.
        path: String,
        /// The body, as JSON, cut to 80 characters.
        body: String,
    },
}

impl SchemaFailure {
    /// The violations, empty unless this is a [`SchemaFailure::Mismatch`].
    pub fn violations(&self) -> &[Violation] {
        match self {
            SchemaFailure::Mismatch { violations, .. } => violations,
            _ => &[],
        }
    }

    /// The schema the body was checked against, if there was one.
    pub fn schema(&self) -> Option<&'static str> {
        match self {
            SchemaFailure::Mismatch { schema, .. } => Some(schema),
            _ => None,
        }
    }
}

fn render_mismatch(
    schema: &str,
    method: &str,
    path: &str,
    status: u16,
    violations: &[Violation],
    total: usize,
) -> String {
    let mut out =
        format!("response does not match schema `{schema}` ({method} {path} answered {status})");
    for violation in violations {
        out.push_str("\n  ");
        out.push_str(&violation.to_string());
    }
    if total > violations.len() {
        let more = total - violations.len();
        out.push_str(&format!(
            "\n  ... and {more} more violation{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    out
}

fn known_statuses_hint(known: &[u16]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = known.iter().map(u16::to_string).collect();
        format!(" (schemas exist for {})", list.join(", "))
    }
}

/// The embedded schemas, parsed, with the registry their `$ref`s resolve in: made once per
/// process (the documents are built into the binary).
struct Embedded {
    /// Each file's name, its `$id` and its document.
    documents: Vec<(&'static str, String, Value)>,
}

fn embedded() -> Result<&'static Embedded, SchemaError> {
    static EMBEDDED: OnceLock<Result<Embedded, SchemaError>> = OnceLock::new();
    EMBEDDED
        .get_or_init(|| {
            let mut documents = Vec::with_capacity(SCHEMA_FILES.len());
            for &(file, text) in SCHEMA_FILES {
                let document: Value =
                    serde_json::from_str(text).map_err(|e| SchemaError::Parse {
                        file,
                        message: e.to_string(),
                    })?;
                let expected = format!("{SCHEMA_BASE_URI}{file}");
                let id = document.get("$id");
                if id.and_then(Value::as_str) != Some(expected.as_str()) {
                    let found = id.map_or_else(|| "missing".to_string(), Value::to_string);
                    return Err(SchemaError::WrongId { file, found });
                }
                documents.push((file, expected, document));
            }
            Ok(Embedded { documents })
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn registry() -> Result<&'static Registry<'static>, SchemaError> {
    static REGISTRY: OnceLock<Result<Registry<'static>, SchemaError>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| {
            Registry::new()
                .extend(
                    embedded()?
                        .documents
                        .iter()
                        .map(|(_, uri, document)| (uri.as_str(), document)),
                )
                .and_then(|builder| builder.prepare())
                .map_err(|e| SchemaError::Register {
                    message: e.to_string(),
                })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A schema's validator, compiled the first time a body is checked against it: a run compiles
/// the schemas its scenarios meet, not all of them (each compiles its own copy of the shared
/// patterns: compiling all 34 took about 7 MB and 10 ms at the start of every run).
struct Lazily {
    document: &'static Value,
    compiled: OnceLock<Result<Validator, String>>,
}

impl Lazily {
    fn validator(&self, registry: &'static Registry<'static>) -> Result<&Validator, &str> {
        self.compiled
            .get_or_init(|| {
                jsonschema::options()
                    .with_registry(registry)
                    .build(self.document)
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(String::as_str)
    }
}

/// The embedded schemas, each compiled when first needed ([`SchemaRegistry::load`]); share it
/// behind an `Arc`.
pub struct SchemaRegistry {
    registry: &'static Registry<'static>,
    validators: HashMap<&'static str, Lazily>,
}

impl fmt::Debug for SchemaRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.validators.keys().copied().collect();
        names.sort_unstable();
        f.debug_struct("SchemaRegistry")
            .field("schemas", &names)
            .finish()
    }
}

impl SchemaRegistry {
    /// The embedded schemas, with `common.json` (and every other schema) registered in memory
    /// so `$ref`s resolve without network or file access. Each is compiled when a body is first
    /// checked against it; a test compiles them all.
    pub fn load() -> Result<SchemaRegistry, SchemaError> {
        let registry = registry()?;
        let mut validators = HashMap::new();
        for (file, _, document) in &embedded()?.documents {
            if DEFINITION_FILES.contains(file) {
                continue;
            }
            validators.insert(
                *file,
                Lazily {
                    document,
                    compiled: OnceLock::new(),
                },
            );
        }
        for r in ROUTES {
            if !validators.contains_key(r.schema) {
                return Err(SchemaError::UnknownSchema {
                    method: r.method,
                    path: r.path,
                    schema: r.schema,
                });
            }
        }
        Ok(SchemaRegistry {
            registry,
            validators,
        })
    }

    /// The schema files a body can be checked against (all but the shared definitions).
    pub fn schema_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.validators.keys().copied().collect();
        names.sort_unstable();
        names
    }

    /// Checks a response body against the schema its route and status call for.
    ///
    /// `path` is the URL path without host (a query string is ignored). Answers of 400 or more
    /// must be the error envelope; `/simulator/...` is not checked; a 204 must have no body
    /// (`null` or an empty string); any other answer needs an entry in [`ROUTES`].
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), SchemaFailure> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        if path == "/simulator" || path.starts_with("/simulator/") {
            return Ok(());
        }
        let method = method.to_ascii_uppercase();
        if status == 204 {
            return match body {
                Value::Null => Ok(()),
                Value::String(s) if s.is_empty() => Ok(()),
                other => Err(SchemaFailure::BodyOnNoContent {
                    method,
                    path: path.to_string(),
                    body: truncate(&other.to_string()),
                }),
            };
        }
        let schema = if status >= 400 {
            ERROR_SCHEMA
        } else {
            match lookup(&method, path, status) {
                Lookup::Found(schema) => schema,
                Lookup::Missing { known_statuses } => {
                    return Err(SchemaFailure::Uncovered {
                        method,
                        path: path.to_string(),
                        status,
                        known_statuses,
                    });
                }
            }
        };
        self.validate(schema, body)
            .map_err(|(violations, total)| SchemaFailure::Mismatch {
                schema,
                method,
                path: path.to_string(),
                status,
                violations,
                total,
            })
    }

    /// Checks a value against one schema by file name, e.g. a webhook payload. Returns the
    /// first [`MAX_VIOLATIONS`] violations and the total count; an unknown schema name is a
    /// single violation at the root.
    pub fn validate(&self, schema: &str, value: &Value) -> Result<(), (Vec<Violation>, usize)> {
        let compiled = match self.validators.get(schema) {
            Some(lazily) => lazily.validator(self.registry).map_err(|message| {
                format!("the embedded schema `{schema}` does not compile: {message}")
            }),
            None => Err(format!("no schema named `{schema}` is embedded")),
        };
        let validator = match compiled {
            Ok(v) => v,
            Err(message) => {
                let violation = Violation {
                    pointer: "/".into(),
                    keyword: "$ref".into(),
                    value: truncate(&value.to_string()),
                    message,
                };
                return Err((vec![violation], 1));
            }
        };
        // Nearly every answer conforms: the yes-or-no check is cheaper than collecting
        // errors, which is done only for an answer that does not.
        if validator.is_valid(value) {
            return Ok(());
        }
        let mut violations = Vec::new();
        let mut total = 0;
        for error in validator.iter_errors(value) {
            total += 1;
            if violations.len() < MAX_VIOLATIONS {
                violations.push(violation_of(&error));
            }
        }
        if total == 0 {
            Ok(())
        } else {
            // Stable: violations at the same place keep the schema's order.
            violations.sort_by(|a, b| a.pointer.cmp(&b.pointer));
            Err((violations, total))
        }
    }
}

fn violation_of(error: &jsonschema::ValidationError<'_>) -> Violation {
    let pointer = match error.instance_path().as_str() {
        "" => "/".to_string(),
        p => p.to_string(),
    };
    let value = truncate(&error.instance().to_string());
    Violation {
        pointer,
        keyword: error.kind().keyword().to_string(),
        message: error.masked_with(value.as_str()).to_string(),
        value,
    }
}

/// Cuts `text` to [`MAX_VALUE_CHARS`] characters, marking the cut with an ellipsis.
fn truncate(text: &str) -> String {
    if text.chars().count() <= MAX_VALUE_CHARS {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
        out.push('…');
        out
    }
}

enum Lookup {
    Found(&'static str),
    Missing { known_statuses: Vec<u16> },
}

/// Finds the schema for a successful answer. The path picks its template first, as a router
/// would (a literal segment beats `{}`: `/v1/accounts/opening_requests` is not an account id),
/// then method and status pick the route.
fn lookup(method: &str, path: &str, status: u16) -> Lookup {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let candidates = ROUTES_BY_LENGTH
        .get(&segments.len())
        .map(Vec::as_slice)
        .unwrap_or_default();
    let ranked = || {
        candidates
            .iter()
            .filter_map(|(r, parts)| Some((*r, template_rank(parts, &segments)?)))
    };
    // Two passes over a few routes rather than a list of them: this runs for every answer.
    let Some(best) = ranked().map(|(_, rank)| rank).max() else {
        return Lookup::Missing {
            known_statuses: Vec::new(),
        };
    };
    let same_template = candidates
        .iter()
        .filter(|(r, _)| r.method == method)
        .filter(|(_, parts)| template_rank(parts, &segments) == Some(best))
        .map(|(r, _)| *r);
    let mut known_statuses = Vec::new();
    for r in same_template {
        if r.status == status {
            return Lookup::Found(r.schema);
        }
        known_statuses.push(r.status);
    }
    known_statuses.sort_unstable();
    known_statuses.dedup();
    Lookup::Missing { known_statuses }
}

/// A route and its template's segments.
type SplitRoute = (&'static Route, Vec<&'static str>);

/// [`ROUTES`] with their templates split into segments, by the number of segments: a path is
/// compared only with the templates it could match.
static ROUTES_BY_LENGTH: std::sync::LazyLock<HashMap<usize, Vec<SplitRoute>>> =
    std::sync::LazyLock::new(|| {
        let mut by_length: HashMap<usize, Vec<_>> = HashMap::new();
        for route in ROUTES {
            let parts: Vec<&str> = route.path.split('/').collect();
            by_length
                .entry(parts.len())
                .or_default()
                .push((route, parts));
        }
        by_length
    });

/// Whether a template (split into `parts`) matches the path `segments`, and if so how specific
/// the match is: one bit per segment, the first segment highest, set for a literal, so that a
/// literal beats `{}` from left to right when ranks are compared.
fn template_rank(parts: &[&str], segments: &[&str]) -> Option<u64> {
    if parts.len() != segments.len() || parts.len() > 64 {
        return None;
    }
    let mut rank = 0u64;
    for (part, segment) in parts.iter().zip(segments) {
        rank <<= 1;
        match *part {
            "{}" if !segment.is_empty() => {}
            literal if literal == *segment => rank |= 1,
            _ => return None,
        }
    }
    Some(rank)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn registry() -> SchemaRegistry {
        match SchemaRegistry::load() {
            Ok(r) => r,
            Err(e) => panic!("schemas must load: {e}"),
        }
    }

    const PERSON_ID: &str = "84b3b4e6c7a4082cc73c5bd0e096ee88cper";
    const ACCOUNT_ID: &str = "cb752d28214bcfea4c285de600ad0105cacc";

    /// The person of the Decoupled Cards guide's response example (too big for `json!`'s
    /// default recursion limit, so parsed from text).
    fn person() -> Value {
        parse(PERSON_EXAMPLE)
    }

    fn parse(text: &str) -> Value {
        match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => panic!("example is not JSON: {e}"),
        }
    }

    const PERSON_EXAMPLE: &str = r#"{
    "id": "84b3b4e6c7a4082cc73c5bd0e096ee88cper",
    "salutation": "MS",
    "title": null,
    "first_name": "Theresa",
    "last_name": "Klemm",
    "address": {
        "line_1": "Leopoldstraße", "line_2": " 96", "postal_code": "13347",
        "city": "Berlin", "country": "DE", "state": "BE"
    },
    "contact_address": {
        "line_1": "Ostenderstraße", "line_2": " 70", "postal_code": "13353",
        "city": "Berlin", "country": "DE", "state": "BE"
    },
    "email": "theresa@klemm.com",
    "mobile_number": "+49301234567",
    "birth_name": null,
    "birth_date": "1985-12-14",
    "birth_city": "Berlin",
    "birth_country": "DE",
    "nationality": "DE",
    "employment_status": "EMPLOYED",
    "job_title": null,
    "tax_information": { "tax_assessment": "SEPARATE", "marital_status": "MARRIED" },
    "fatca_relevant": false,
    "fatca_crs_confirmed_at": "2022-01-01T00:00:00.000Z",
    "business_purpose": null,
    "industry": "DEBIT_BALANCE_SALARY_ACCOUNT",
    "industry_key": "ECONOMICALLY_DEPENDENT_INDIVIDUALS",
    "terms_conditions_signed_at": "2022-01-01T00:00:00.000Z",
    "own_economic_interest_signed_at": null,
    "aml_follow_up_date": "2029-03-23",
    "aml_confirmed_on": "2022-09-23",
    "flagged_by_compliance": false,
    "expected_monthly_revenue_cents": null,
    "vat_number": null,
    "website_social_media": null,
    "business_trading_name": null,
    "nace_code": null,
    "business_address_line_1": null,
    "business_address_line_2": null,
    "business_postal_code": null,
    "business_city": null,
    "business_country": null,
    "business_state": null,
    "screening_progress": "NOT_SCREENED",
    "risk_classification_status": "NOT_SCORED",
    "customer_vetting_status": "NOT_VETTED",
    "annual_income_range": null,
    "data_terms_signed_at": "2022-01-01T00:00:00.000Z",
    "branch": null,
    "birth_province": null,
    "birth_post_code": null,
    "socioprofessional_category": null,
    "purpose_of_account_opening": null,
    "main_income_source": null,
    "work_country": null,
    "work_province": null,
    "self_declared_as_pep": null,
    "international_operativity_expectation": [],
    "registration_number": null,
    "legitimation_valid_until": null
}"#;

    fn mobile(verified: bool) -> Value {
        json!({ "id": "91e4d939d781b8eb30d1ee86809761c2cmno", "number": "+15550101", "verified": verified })
    }

    fn tax_identification() -> Value {
        json!({
            "id": "6d768d88f291f5744f9f30e9c6f2efd4ctin",
            "country": "DE",
            "number": "48954371207",
            "primary": true,
            "reason_no_tin": null,
            "reason_description": null
        })
    }

    fn identification() -> Value {
        json!({
            "id": "6dc54352d6793a892e0702850d07b831cidt",
            "person_id": PERSON_ID,
            "reference": "TST-KCCEY",
            "url": "https://go.test.idnow.de/solarisbankvideoidentsandbox/identifications/TST-KCCEY",
            "status": "pending",
            "completed_at": null,
            "method": "idnow",
            "language": "DE",
            "proof_of_address_type": "GAS_BILL",
            "proof_of_address_issued_at": "2022-09-21",
            "legitimation_country": null
        })
    }

    fn account_opening_request() -> Value {
        json!({
            "id": "0f6a8d6b2e3c4d5e6f708192a3b4c5d6aorq",
            "customer_id": PERSON_ID,
            "customer_type": "Person",
            "status": "COMPLETED",
            "product_name": "CURRENT_ACCOUNT_CONSUMER_GERMANY",
            "account_type": "CHECKING_PERSONAL",
            "account_purpose": "primary",
            "account_bic": "SOBKDEB2XXX",
            "account_currency": "EUR",
            "rejection_reason": null,
            "account_id": ACCOUNT_ID,
            "iban": "DE54110101002897397718",
            "created_at": "2024-05-02T10:00:00.000Z",
            "updated_at": "2024-05-02T10:00:01+00:00"
        })
    }

    /// The account of the Decoupled Cards guide, Step 8.
    fn account() -> Value {
        let zero = json!({ "value": 0, "unit": "cents", "currency": "EUR" });
        json!({
            "id": ACCOUNT_ID,
            "iban": "DE54110101002897397718",
            "bic": "SOBKDEBBXXX",
            "type": "DECOUPLED_CARD_PERSONAL",
            "balance": zero,
            "available_balance": zero,
            "locking_status": "NO_BLOCK",
            "locking_reasons": [],
            "account_limit": zero,
            "person_id": "6028c17554ecf6d71cda357d536835e4cper"
        })
    }

    fn card() -> Value {
        json!({
            "id": "8febdba4912a747808ccc6f95f82bbb4",
            "status": "PROCESSING",
            "type": "VIRTUAL_VISA_DEBIT",
            "person_id": PERSON_ID,
            "account_id": ACCOUNT_ID,
            "business_id": null,
            "reference": "61a50bf05278217a57e5ad15ed259e44",
            "representation": {
                "line_1": "THERESA/KLEMM",
                "line_2": null,
                "masked_pan": "535544******1234",
                "formatted_expiration_date": "05/27"
            },
            "expiration_date": "2027-05-31",
            "creation_date": "2024-05-02",
            "new_card_ordered": false
        })
    }

    fn change_request() -> Value {
        json!({
            "id": "7d2f5e9c1b3a4d6e8f0a1b2c3d4e5f60csc",
            "status": "AUTHORIZATION_REQUIRED",
            "updated_at": "2024-05-02T10:00:00.000Z",
            "url": ":env/change_requests/7d2f5e9c1b3a4d6e8f0a1b2c3d4e5f60csc/authorize"
        })
    }

    fn token() -> Value {
        json!({ "access_token": "abc.def", "expires_in": 3599, "scope": "partners", "token_type": "bearer" })
    }

    fn error_envelope(status: Value) -> Value {
        json!({
            "errors": [{
                "id": "029f7bc9-a4dc-4512-b3ee-65d2eb089804",
                "status": status,
                "code": "invalid_model",
                "title": "Invalid Model",
                "detail": "number is not a valid person tax identification number for country: ES",
                "source": { "field": "number", "message": "is not a valid person tax identification number" }
            }]
        })
    }

    fn ok(registry: &SchemaRegistry, method: &str, path: &str, status: u16, body: &Value) {
        if let Err(e) = registry.check_response(method, path, status, body) {
            panic!("{method} {path} {status} should pass:\n{e}");
        }
    }

    fn fails(
        registry: &SchemaRegistry,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> SchemaFailure {
        match registry.check_response(method, path, status, body) {
            Ok(()) => panic!("{method} {path} {status} should fail"),
            Err(e) => e,
        }
    }

    /// The schema a plain scan of every route picks: the most specific matching template,
    /// then method and status. What [`lookup`] must find through its index.
    fn scan(method: &str, path: &str, status: u16) -> Option<&'static str> {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let ranked: Vec<(&Route, u64)> = ROUTES
            .iter()
            .filter_map(|r| {
                let parts: Vec<&str> = r.path.split('/').collect();
                Some((r, template_rank(&parts, &segments)?))
            })
            .collect();
        let best = ranked.iter().map(|(_, rank)| *rank).max()?;
        ranked
            .iter()
            .find(|(r, rank)| *rank == best && r.method == method && r.status == status)
            .map(|(r, _)| r.schema)
    }

    #[test]
    fn each_route_is_found_for_its_own_path_as_a_scan_of_every_route_finds_it() {
        let mut paths: Vec<String> = ROUTES.iter().map(|r| r.path.replace("{}", "p-1")).collect();
        paths.extend(["/v1/persons/p-1/unknown", "/v1", "/", "/v1//accounts"].map(String::from));
        for r in ROUTES {
            for path in &paths {
                let found = match lookup(r.method, path, r.status) {
                    Lookup::Found(schema) => Some(schema),
                    Lookup::Missing { .. } => None,
                };
                assert_eq!(found, scan(r.method, path, r.status), "{} {path}", r.method);
            }
            let own = r.path.replace("{}", "p-1");
            assert!(
                matches!(lookup(r.method, &own, r.status), Lookup::Found(_)),
                "{} {own}",
                r.method
            );
        }
    }

    #[test]
    fn every_schema_compiles_and_every_route_has_one() {
        let registry = registry();
        let names = registry.schema_names();
        for name in &names {
            if let Err(e) = registry.validators[name].validator(registry.registry) {
                panic!("{name} does not compile: {e}");
            }
        }
        for r in ROUTES {
            assert!(
                names.contains(&r.schema),
                "{} {} names {}",
                r.method,
                r.path,
                r.schema
            );
        }
        // Every embedded schema is reachable from the route table or a webhook event (or is the
        // error envelope).
        let events = crate::domain::events::EVENT_TYPES;
        for name in names {
            assert!(
                name == ERROR_SCHEMA
                    || ROUTES.iter().any(|r| r.schema == name)
                    || events.iter().any(|e| webhook_schema(e) == Some(name)),
                "{name} is unused"
            );
        }
    }

    #[test]
    fn a_schema_that_does_not_compile_fails_the_check_with_the_reason_when_it_is_met() {
        let mut registry = registry();
        let broken: &'static Value = Box::leak(Box::new(json!({"type": 12})));
        registry.validators.insert(
            "broken.json",
            Lazily {
                document: broken,
                compiled: OnceLock::new(),
            },
        );
        let (violations, total) = registry
            .validate("broken.json", &json!({}))
            .expect_err("cannot pass");
        assert_eq!(total, 1);
        assert!(
            violations[0]
                .message
                .starts_with("the embedded schema `broken.json` does not compile: "),
            "{}",
            violations[0].message
        );
        // The others are untouched.
        assert!(registry.validate("token.json", &json!({})).is_err());
    }

    #[test]
    fn registry_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SchemaRegistry>();
    }

    #[test]
    fn documented_examples_pass() {
        let r = registry();
        let p = format!("/v1/persons/{PERSON_ID}");
        ok(&r, "POST", "/oauth2/token", 200, &token());
        ok(&r, "POST", "/v1/persons", 201, &person());
        ok(&r, "GET", &p, 200, &person());
        ok(&r, "patch", &p, 200, &person());
        ok(
            &r,
            "POST",
            &format!("{p}/mobile_number"),
            201,
            &mobile(false),
        );
        ok(
            &r,
            "POST",
            &format!("{p}/mobile_number/authorize"),
            201,
            &mobile(false),
        );
        ok(
            &r,
            "POST",
            &format!("{p}/mobile_number/confirm"),
            201,
            &mobile(true),
        );
        ok(&r, "GET", &format!("{p}/mobile_number"), 200, &mobile(true));
        ok(
            &r,
            "DELETE",
            &format!("{p}/mobile_number"),
            200,
            &mobile(false),
        );
        ok(
            &r,
            "DELETE",
            &format!("{p}/mobile_number"),
            202,
            &change_request(),
        );
        let cr = "/v1/change_requests/7d2f5e9c1b3a4d6e8f0a1b2c3d4e5f60csc";
        ok(
            &r,
            "POST",
            &format!("{cr}/authorize"),
            201,
            &change_request(),
        );
        let mut confirmed = change_request();
        confirmed["status"] = json!("COMPLETED");
        confirmed["response_code"] = json!(200);
        confirmed["response_body"] = mobile(true);
        ok(&r, "POST", &format!("{cr}/confirm"), 201, &confirmed);
        ok(
            &r,
            "POST",
            &format!("{p}/tax_identifications"),
            201,
            &tax_identification(),
        );
        ok(
            &r,
            "GET",
            &format!("{p}/tax_identifications"),
            200,
            &json!([tax_identification()]),
        );
        let tin = format!("{p}/tax_identifications/6d768d88f291f5744f9f30e9c6f2efd4ctin");
        ok(&r, "GET", &tin, 200, &tax_identification());
        let mut no_tin = tax_identification();
        no_tin["number"] = Value::Null;
        no_tin["reason_no_tin"] = json!("NOT_ASSIGNED_YET");
        ok(&r, "PATCH", &tin, 200, &no_tin);
        let created = json!({
            "id": "6dc54352d6793a892e0702850d07b831cidt", "reference": null, "url": null,
            "status": "created", "completed_at": null, "method": "idnow", "language": "EN"
        });
        ok(&r, "POST", &format!("{p}/identifications"), 201, &created);
        ok(
            &r,
            "GET",
            &format!("{p}/identifications"),
            200,
            &json!([created, identification()]),
        );
        let idt = format!("{p}/identifications/6dc54352d6793a892e0702850d07b831cidt");
        ok(
            &r,
            "PATCH",
            &format!("{idt}/request"),
            200,
            &identification(),
        );
        let mut successful = identification();
        successful["status"] = json!("successful");
        successful["completed_at"] = json!("2024-05-02T10:00:00.000Z");
        successful["legitimation_country"] = json!("DE");
        ok(&r, "GET", &idt, 200, &successful);
        let documents = json!([{ "type": "PASSPORT", "issuing_countries": ["DE", "FR"] }]);
        ok(
            &r,
            "GET",
            &format!("{idt}/supported_documents"),
            200,
            &documents,
        );
        ok(
            &r,
            "POST",
            "/v1/accounts/opening_requests",
            201,
            &account_opening_request(),
        );
        ok(
            &r,
            "GET",
            "/v1/accounts/opening_requests",
            200,
            &json!([account_opening_request()]),
        );
        let mut rejected = account_opening_request();
        rejected["status"] = json!("REJECTED");
        rejected["account_id"] = Value::Null;
        rejected["iban"] = Value::Null;
        rejected["rejection_reason"] = json!({ "failed_validation": "green_person_vetting", "details": "CustomerVettingStatus must be green" });
        let aor = "/v1/accounts/opening_requests/0f6a8d6b2e3c4d5e6f708192a3b4c5d6aorq";
        ok(&r, "GET", aor, 200, &rejected);
        ok(
            &r,
            "GET",
            &format!("/v1/accounts/{ACCOUNT_ID}"),
            200,
            &account(),
        );
        ok(
            &r,
            "GET",
            &format!("{p}/accounts"),
            200,
            &json!([account()]),
        );
        ok(
            &r,
            "GET",
            &format!("{p}/accounts/{ACCOUNT_ID}"),
            200,
            &account(),
        );
        ok(
            &r,
            "POST",
            &format!("{p}/accounts/{ACCOUNT_ID}/cards"),
            201,
            &card(),
        );
        let mut active = card();
        active["status"] = json!("ACTIVE");
        active["creation_date"] = json!("2024-05-02T10:00:00Z");
        ok(
            &r,
            "POST",
            "/v1/cards/8febdba4912a747808ccc6f95f82bbb4/activate",
            200,
            &active,
        );
        ok(
            &r,
            "GET",
            "/v1/cards/8febdba4912a747808ccc6f95f82bbb4",
            200,
            &active,
        );
        ok(
            &r,
            "GET",
            &format!("/v1/accounts/{ACCOUNT_ID}/cards"),
            200,
            &json!([card(), active]),
        );
    }

    #[test]
    fn broken_person_names_pointer_keyword_and_value() {
        let r = registry();
        let mut body = person();
        body["address"]["country"] = json!("Germany");
        let failure = fails(&r, "POST", "/v1/persons", 201, &body);
        assert_eq!(
            failure.violations(),
            [Violation {
                pointer: "/address/country".into(),
                keyword: "pattern".into(),
                value: "\"Germany\"".into(),
                message: "\"Germany\" does not match \"^[A-Z]{2}$\"".into(),
            }]
        );
        assert_eq!(
            failure.to_string(),
            "response does not match schema `person.json` (POST /v1/persons answered 201)\n  \
             at /address/country: \"Germany\" does not match \"^[A-Z]{2}$\" (keyword: pattern)"
        );
    }

    #[test]
    fn every_violation_is_listed_sorted_by_pointer() {
        let r = registry();
        let mut body = person();
        body.as_object_mut().map(|m| m.remove("first_name"));
        body["fatca_relevant"] = json!("no");
        body["screening_progress"] = json!("GREEN");
        let failure = fails(&r, "GET", &format!("/v1/persons/{PERSON_ID}"), 200, &body);
        let found: Vec<(&str, &str)> = failure
            .violations()
            .iter()
            .map(|v| (v.pointer.as_str(), v.keyword.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("/", "required"),
                ("/fatca_relevant", "type"),
                ("/screening_progress", "enum")
            ]
        );
        let text = failure.to_string();
        assert!(
            text.contains("at /: \"first_name\" is a required property (keyword: required)"),
            "{text}"
        );
        assert!(
            text.contains("at /fatca_relevant: \"no\" is not of type \"boolean\" (keyword: type)"),
            "{text}"
        );
    }

    #[test]
    fn broken_examples_fail_where_expected() {
        let r = registry();
        let p = format!("/v1/persons/{PERSON_ID}");
        let tin = format!("POST {p}/tax_identifications");
        let idt = format!("GET {p}/identifications");
        let acc = format!("GET {p}/accounts/{ACCOUNT_ID}");
        let cards = format!("GET /v1/accounts/{ACCOUNT_ID}/cards");
        let aor =
            "GET /v1/accounts/opening_requests/0f6a8d6b2e3c4d5e6f708192a3b4c5d6aorq".to_string();
        let token_call = "POST /oauth2/token".to_string();
        let person_call = "POST /v1/persons".to_string();
        let mut blocked = account();
        blocked["locking_status"] = json!("DEBIT_BLOCK");
        blocked["locking_reasons"] = json!(["MISSING_TAX_INFORMATION"]);
        ok(&r, "GET", &acc[4..], 200, &blocked);
        // (call, status, a valid example, where to break it, the bad value, the keyword that fails)
        #[rustfmt::skip]
        let cases = [
            (&token_call, 200, token(), "/expires_in", json!(0), "exclusiveMinimum"),
            (&token_call, 200, token(), "/token_type", json!("mac"), "pattern"),
            (&person_call, 201, person(), "/salutation", json!("MRS"), "enum"),
            (&person_call, 201, person(), "/birth_date", json!("14.12.1985"), "pattern"),
            (&person_call, 201, person(), "/tax_information/marital_status", json!(1), "type"),
            (&person_call, 201, person(), "/contact_address/country", json!("DEU"), "pattern"),
            (&person_call, 201, person(), "/terms_conditions_signed_at", Value::Null, "type"),
            (&format!("POST {p}/mobile_number"), 201, mobile(false), "/number", json!("0151 2345"), "pattern"),
            (&tin, 201, tax_identification(), "/id", json!("6d768d88f291f5744f9f30e9c6f2efd4cper"), "pattern"),
            (&tin, 201, tax_identification(), "/reason_no_tin", json!("NONE"), "enum"),
            (&idt, 200, json!([identification()]), "/0/status", json!("done"), "enum"),
            (&idt, 200, json!([identification()]), "/0/language", json!("de"), "enum"),
            (&acc, 200, account(), "/balance/value", json!(10.5), "type"),
            (&acc, 200, account(), "/balance/unit", json!("euro"), "const"),
            (&acc, 200, blocked.clone(), "/locking_reasons/0", json!("TAX"), "enum"),
            (&cards, 200, json!([card()]), "/0/id", json!("8febdba4912a747808ccc6f95f82bbb4mcrd"), "pattern"),
            (&aor, 200, account_opening_request(), "/created_at", json!("2024-05-02 10:00:00"), "pattern"),
            (&aor, 200, account_opening_request(), "/iban", json!("DE54 1101"), "pattern"),
            (&"POST /v1/change_requests/x/confirm".to_string(), 201, change_request(), "/status", json!("done"), "enum"),
        ];
        for (call, status, example, pointer, bad, keyword) in cases {
            let (method, path) = call.split_once(' ').unwrap_or((call, ""));
            let mut body = example;
            match body.pointer_mut(pointer) {
                Some(slot) => *slot = bad,
                None => panic!("{pointer} is not in the example for {call}"),
            }
            let failure = fails(&r, method, path, status, &body);
            let found: Vec<(&str, &str)> = failure
                .violations()
                .iter()
                .map(|v| (v.pointer.as_str(), v.keyword.as_str()))
                .collect();
            assert_eq!(found, [(pointer, keyword)], "{call}:\n{failure}");
        }
    }

    #[test]
    fn error_envelope_accepts_integer_and_string_status() {
        let r = registry();
        ok(&r, "POST", "/v1/persons", 400, &error_envelope(json!(400)));
        ok(
            &r,
            "GET",
            "/v1/persons/unknown",
            404,
            &error_envelope(json!("404")),
        );
        // Any route, even an unknown one, answers errors in the envelope.
        ok(&r, "GET", "/v1/nowhere", 404, &error_envelope(json!(404)));
        let mut without_source = error_envelope(json!(401));
        without_source["errors"][0]
            .as_object_mut()
            .map(|m| m.remove("source"));
        ok(&r, "POST", "/oauth2/token", 401, &without_source);
    }

    #[test]
    fn error_envelope_refuses_bad_status_and_plain_errors() {
        let r = registry();
        let failure = fails(
            &r,
            "POST",
            "/v1/persons",
            400,
            &error_envelope(json!("bad request")),
        );
        assert_eq!(failure.violations()[0].pointer, "/errors/0/status");
        assert_eq!(failure.violations()[0].keyword, "pattern");
        let failure = fails(
            &r,
            "POST",
            "/v1/persons",
            500,
            &json!({ "message": "internal error" }),
        );
        assert_eq!(failure.violations()[0].keyword, "required");
        let failure = fails(&r, "POST", "/v1/persons", 400, &json!({ "errors": [] }));
        assert_eq!(failure.violations()[0].keyword, "minItems");
    }

    #[test]
    fn unknown_route_or_status_is_a_failure() {
        let r = registry();
        let failure = fails(&r, "POST", "/v1/foo", 200, &json!({}));
        assert_eq!(
            failure.to_string(),
            "no schema covers POST /v1/foo answering 200"
        );
        let failure = fails(&r, "POST", "/v1/persons", 200, &person());
        assert_eq!(
            failure.to_string(),
            "no schema covers POST /v1/persons answering 200 (schemas exist for 201)"
        );
        let failure = fails(
            &r,
            "DELETE",
            &format!("/v1/persons/{PERSON_ID}/mobile_number"),
            201,
            &mobile(false),
        );
        assert!(
            failure
                .to_string()
                .ends_with("(schemas exist for 200, 202)"),
            "{failure}"
        );
        // No template has five segments under /v1/accounts.
        let failure = fails(
            &r,
            "GET",
            "/v1/accounts/opening_requests/x/y",
            200,
            &json!({}),
        );
        assert!(matches!(failure, SchemaFailure::Uncovered { .. }));
    }

    #[test]
    fn literal_segments_beat_placeholders() {
        let r = registry();
        // GET /v1/accounts/{} would take this for an account; the index route must win.
        ok(&r, "GET", "/v1/accounts/opening_requests", 200, &json!([]));
        let failure = fails(&r, "GET", "/v1/accounts/opening_requests", 200, &account());
        assert_eq!(failure.schema(), Some("account_opening_request_list.json"));
    }

    #[test]
    fn query_string_is_ignored() {
        let r = registry();
        let path = format!("/v1/persons/{PERSON_ID}/accounts?page[number]=1&page[size]=10");
        ok(&r, "GET", &path, 200, &json!([account()]));
    }

    #[test]
    fn simulator_routes_are_not_checked() {
        let r = registry();
        ok(
            &r,
            "POST",
            "/simulator/clock/advance",
            200,
            &json!({ "anything": true }),
        );
        ok(&r, "GET", "/simulator/clock", 200, &json!("not an object"));
    }

    #[test]
    fn no_content_must_be_empty() {
        let r = registry();
        ok(&r, "POST", "/simulator/reset", 204, &Value::Null);
        ok(&r, "DELETE", "/v1/webhooks/abc", 204, &Value::Null);
        ok(&r, "DELETE", "/v1/webhooks/abc", 204, &json!(""));
        let failure = fails(
            &r,
            "DELETE",
            "/v1/webhooks/abc",
            204,
            &json!({ "id": "abc" }),
        );
        assert_eq!(
            failure.to_string(),
            "DELETE /v1/webhooks/abc answered 204 No Content but with a body: {\"id\":\"abc\"}"
        );
    }

    #[test]
    fn violations_are_capped_and_values_truncated() {
        let r = registry();
        let many: Vec<Value> = (0..15)
            .map(|_| json!({ "type": 1, "issuing_countries": [] }))
            .collect();
        let path = format!("/v1/persons/{PERSON_ID}/identifications/x/supported_documents");
        let failure = fails(&r, "GET", &path, 200, &Value::Array(many));
        assert_eq!(failure.violations().len(), MAX_VIOLATIONS);
        assert!(
            failure
                .to_string()
                .ends_with("\n  ... and 5 more violations"),
            "{failure}"
        );
        let mut body = person();
        body["first_name"] = json!("x".repeat(200));
        let failure = fails(&r, "POST", "/v1/persons", 201, &body);
        let v = &failure.violations()[0];
        assert_eq!(v.keyword, "maxLength");
        assert_eq!(v.value.chars().count(), 80);
        assert!(v.value.ends_with('…'));
        assert!(v.message.starts_with(&v.value), "{}", v.message);
    }

    #[test]
    fn timestamps_accept_documented_forms_only() {
        let r = registry();
        for ts in [
            "2021-09-14T18:18:28.000Z",
            "2020-04-25T12:50:33Z",
            "2021-12-22T15:05:33.634+00:00",
            "2022-04-21T13:59:52+00:00",
        ] {
            let mut body = change_request();
            body["updated_at"] = json!(ts);
            ok(&r, "POST", "/v1/change_requests/x/authorize", 201, &body);
        }
        for ts in [
            "2021-09-14T18:18:28+02:00",
            "2021-09-14",
            "2020-20-03T18:01:48.000Z",
            "2021-09-14 18:18:28Z",
        ] {
            let mut body = change_request();
            body["updated_at"] = json!(ts);
            fails(&r, "POST", "/v1/change_requests/x/authorize", 201, &body);
        }
    }

    #[test]
    fn unknown_schema_name_is_reported() {
        let r = registry();
        let Err((violations, total)) = r.validate("webhook.json", &json!({})) else {
            panic!("unknown schema must fail");
        };
        assert_eq!(total, 1);
        assert_eq!(
            violations[0].message,
            "no schema named `webhook.json` is embedded"
        );
    }
}
