//! The bank's rules as plain functions and enums, free of HTTP, storage and test-runner types.
//!
//! Every function here is total: it answers for any input string and never panics. The mock
//! calls these rules to decide what to accept; the steps call them to decide what to expect.
//! The module's main type is [`readiness::Check`], the onboarding checklist row that ties the
//! other rules together.
//!
//! [`readiness::Check`]: crate::domain::readiness::Check

/// Card embossing lines, the sandbox instant-activation marker and card statuses.
pub mod card;
/// The Italian codice fiscale: structure, omocodia and control character.
pub mod codice_fiscale;
/// Customer due diligence statuses (screening, risk classification, vetting) and their colours.
pub mod due_diligence;
/// The webhook event types the guides name.
pub mod events;
/// FATCA screening of a person for hard and soft US indicia.
pub mod fatca;
/// IBAN validation (ISO 13616 mod-97) and German IBAN construction.
pub mod iban;
/// The IDnow identification status machine.
pub mod identification;
/// Money in integer cents and the balance / credit-limit arithmetic of decoupled cards.
pub mod ledger;
/// SEPA Direct Debit mandate numbers and the creditor prefix.
pub mod mandate;
/// Mobile number sanitising and E.164 checks, with the sandbox number and OTP.
pub mod mobile;
/// The first_name / last_name sanitising rules.
pub mod names;
/// The reference-account payout status machine.
pub mod payout;
/// Person data points: mandatory and updatable fields, enums, timestamps, dates and age.
pub mod person;
/// The onboarding readiness checklist that gates account opening.
pub mod readiness;
/// The decoupled-card scorer: credit record and account snapshot to a limit or a rejection.
pub mod scoring;
/// The SDD collection application status machine.
pub mod sdd_application;
/// Person tax identification number (TIN) validity per country.
pub mod tin;
