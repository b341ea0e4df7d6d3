//! Response checks: the JSON Schema registry ([`SchemaRegistry`], compiled once from the
//! embedded `schemas/`), insta-compatible response snapshots ([`check_snapshot`]), and the
//! redaction both of them and the reports rely on ([`redact_volatile`], [`redact_secrets`]).

pub mod redact;
pub mod schema;
pub mod snapshot;

pub use redact::{redact_secrets, redact_volatile};
pub use schema::{ROUTES, Route, SchemaError, SchemaFailure, SchemaRegistry, Violation};
pub use snapshot::{SnapshotFailure, SnapshotMode, SnapshotOutcome, check_snapshot, snapshot_path};
