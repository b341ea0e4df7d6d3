//! The feature suite as a test: every feature file runs against the embedded mock through the
//! same code path as `solaris-conformance run`. With `CI=true` a missing snapshot fails.

#[path = "../steps/mod.rs"]
mod steps;

use solaris_conformance::check::snapshot::SnapshotMode;
use solaris_conformance::mock::MockConfig;
use solaris_conformance::runner::{self, CucumberOpts, RunConfig, TargetChoice, exit};
use std::path::PathBuf;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_feature_passes_against_the_embedded_mock() {
    let reports = tempfile::tempdir().expect("a temporary report folder");
    let defaults = MockConfig::default();
    let config = RunConfig {
        paths: vec![PathBuf::from("features")],
        target: TargetChoice::Mock {
            client_id: defaults.client_id,
            client_secret: defaults.client_secret,
            faults: None,
        },
        report_dir: reports.path().to_path_buf(),
        snapshot_mode: SnapshotMode::from_env(),
        cucumber: CucumberOpts::default(),
        request_timeout: Duration::from_secs(30),
        scenario_timeout: Duration::from_secs(300),
        request_retries: 3,
        webhooks: Default::default(),
        seed: None,
        shard: None,
        reports: Default::default(),
        interrupt: Default::default(),
    };
    let code = runner::run::<steps::Journey>(config).await;
    assert_eq!(
        code,
        exit::OK,
        "the feature suite failed against the embedded mock (details above)"
    );
    let junit =
        std::fs::read_to_string(reports.path().join("junit.xml")).expect("junit.xml was written");
    assert!(
        junit.contains("<testsuite name=\"German retail onboarding\""),
        "{junit}"
    );
}

#[test]
fn one_lookup_per_step_type_stands_for_every_definition_on_the_whole_suite() {
    let files = runner::feature_files(&[PathBuf::from("features")]).expect("the feature files");
    let features = runner::parse_features(&files).expect("every feature parses");
    assert!(
        runner::step_lookup::<steps::Journey>(&features, &runner::Selection::default()).is_some(),
        "cucumber would look every step up among all definitions"
    );
}

#[test]
fn every_step_pattern_is_read_at_build_and_no_suite_text_is_ruled_out_from_a_match() {
    let files = runner::feature_files(&[PathBuf::from("features")]).expect("the feature files");
    let features = runner::parse_features(&files).expect("every feature parses");
    match runner::check_step_patterns::<steps::Journey>(&features) {
        Ok(texts) => assert!(texts > 100, "only {texts} step texts"),
        Err(problems) => panic!("{}", problems.join("\n")),
    }
}
