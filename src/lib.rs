//! solaris-conformance: a conformance runner for the Solaris banking API, with an embedded
//! stateful mock of the Solaris sandbox.
//!
//! The arrows point one way: `steps → client, check → domain` and `mock → domain`.

/// Response checks: JSON Schema registry, snapshots, redaction.
pub mod check;
/// The typed HTTP client the steps use: targets, OAuth2 token cache.
pub mod client;
/// `conformance.yaml`: named targets and run settings.
pub mod config;
/// The bank's rules as plain functions and enums (TINs, IBAN, names, state machines, FATCA, readiness).
pub mod domain;
/// JSON written by hand, as serde_json writes it, for what the mock and the reports write
/// many times a run.
pub mod json;
/// How the allocator gives freed memory back to the system in each phase of a run.
pub mod memory;
/// The sandbox double: an axum app that plays the Solaris API.
pub mod mock;
/// Report writers: console, HTML, JUnit XML, Cucumber Messages and JSON, run history.
pub mod report;
/// Wires cucumber: the World, event collection, exit codes.
pub mod runner;
