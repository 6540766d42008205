//! `rampsim plugin check` on real libraries: the template and every shipped adapter pass, and
//! plugins built to break one rule each fail on their own line, for their own reason. The check
//! runs in a directory with no config.toml, as a plugin author outside this repository would.

mod support;

use std::path::Path;
use std::process::Command;
use support::*;

struct Checked {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Checked {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
    fn line(&self, prefix: &str) -> &str {
        self.lines()
            .into_iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| {
                panic!(
                    "no line starting `{prefix}` in:\n{}\nstderr: {}",
                    self.stdout, self.stderr
                )
            })
    }
}

fn check(lib: &Path, args: &[&str]) -> Checked {
    let cwd = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rampsim"))
        .current_dir(cwd.path())
        .args(["plugin", "check"])
        .arg(lib)
        .args(args)
        .output()
        .expect("rampsim runs");
    Checked {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every check passes: each line is `PASS ...`, every kind of check ran, exit status 0.
fn assert_passes(lib: &Path, args: &[&str]) {
    let c = check(lib, args);
    let failed: Vec<&str> = c
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("FAIL"))
        .collect();
    assert!(
        failed.is_empty(),
        "{}:\n{}",
        lib.display(),
        failed.join("\n")
    );
    assert_eq!(c.code, Some(0), "{}\nstderr: {}", c.stdout, c.stderr);
    for check in [
        "PASS load",
        "PASS abi",
        "PASS protocol",
        "PASS manifest",
        "PASS profile",
        "PASS scenario ",
        "PASS malformed register",
        "PASS malformed await_kyc",
        "PASS malformed create_order",
        "PASS fake unknown routes",
        "PASS fake spoilt requests",
        "PASS concurrency",
    ] {
        c.line(check);
    }
    assert!(
        c.lines().last().is_some_and(|l| l.starts_with("ok: all")),
        "{}",
        c.stdout
    );
}

fn shipped(id: &str) -> std::path::PathBuf {
    shipped_plugins(&[id]).join(lib_name(&format!("rampsim_{id}")))
}

#[test]
fn the_template_passes_every_check() {
    assert_passes(&template_plugin().join(lib_name("rampsim_template")), &[]);
}

#[test]
fn the_template_passes_as_a_json_document() {
    let c = check(
        &template_plugin().join(lib_name("rampsim_template")),
        &["--json"],
    );
    assert_eq!(c.code, Some(0), "{}", c.stderr);
    let v: serde_json::Value = serde_json::from_str(&c.stdout).expect("one JSON document");
    assert_eq!(v["passed"], true);
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["plugin"]["id"], "template");
    assert_eq!(v["profile"], "sample_profile");
    let names: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"scenario approved") && names.contains(&"scenario rejected"),
        "{names:?}"
    );
    assert!(
        names.contains(&"malformed idv_passthrough"),
        "the template has every stage: {names:?}"
    );
    assert!(v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["passed"] == true && c["detail"].is_string()));
}

#[test]
fn paxos_passes_every_check() {
    assert_passes(&shipped("paxos"), &[]);
}

#[test]
fn crossmint_passes_every_check() {
    assert_passes(&shipped("crossmint"), &[]);
}

#[test]
fn proof_passes_every_check() {
    assert_passes(&shipped("proof"), &[]);
}

#[test]
fn stripe_passes_every_check() {
    assert_passes(&shipped("stripe"), &[]);
}

/// Kriptomat imports KYC only through Sumsub applicant sharing: it refuses the sample person's
/// Jumio IDV (and the check says so once), and passes with a Sumsub profile.
#[test]
fn kriptomat_passes_every_check_with_a_sumsub_profile() {
    let lib = shipped("kriptomat");
    let c = check(&lib, &[]);
    assert_eq!(c.code, Some(1), "{}", c.stdout);
    assert!(c
        .line("FAIL profile: the adapter refuses profile sample_profile: ")
        .contains("--profile"));
    assert!(
        !c.stdout.contains("scenario "),
        "no journey runs without a profile: {}",
        c.stdout
    );
    let dir = tempfile::tempdir().unwrap();
    let profile = billy_profile_file(
        dir.path(),
        &[(r#"provider = "jumio""#, r#"provider = "sumsub""#)],
    );
    assert_passes(&lib, &["--profile", profile.to_str().unwrap()]);
}

#[test]
fn a_plugin_quoting_the_profile_is_masked_on_screen_in_json_and_in_the_log() {
    let lib = fixture_plugin(Some("quotes_profile"), "fixture").join(lib_name("rampsim_fixture"));
    let cwd = tempfile::tempdir().unwrap();
    for json in [false, true] {
        let out = Command::new(env!("CARGO_BIN_EXE_rampsim"))
            .current_dir(cwd.path())
            .args(["plugin", "check"])
            .arg(&lib)
            .args(if json { &["--json"][..] } else { &[][..] })
            .output()
            .expect("rampsim runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(
            stdout.contains("profile.last_name: '"),
            "the refusal is reported: {stdout}"
        );
        assert!(!stdout.contains("Duncan"), "json={json}: {stdout}");
    }
    let log = std::fs::read_to_string(cwd.path().join("rampsim.log")).unwrap();
    assert!(log.contains("profile.last_name"), "{log}");
    assert!(!log.contains("Duncan"), "{log}");
}

#[test]
fn a_scenario_ending_with_another_outcome_fails_its_scenario_line() {
    let lib = fixture_plugin(Some("wrong_outcome"), "fixture").join(lib_name("rampsim_fixture"));
    let c = check(&lib, &[]);
    assert_eq!(c.code, Some(1), "{}", c.stdout);
    c.line("PASS manifest");
    assert_eq!(
        c.line("FAIL scenario approved"),
        "FAIL scenario approved: ended rejected at await_kyc: rejected; it declares order_created"
    );
}

#[test]
fn a_panic_on_a_malformed_response_fails_the_malformed_line_and_the_check_goes_on() {
    let lib =
        fixture_plugin(Some("panic_on_malformed"), "fixture").join(lib_name("rampsim_fixture"));
    let c = check(&lib, &[]);
    assert_eq!(c.code, Some(1), "{}", c.stdout);
    // True answers are fine: the journey itself passes.
    c.line("PASS scenario approved");
    let line = c.line("FAIL malformed register");
    assert!(
        line.starts_with(
            "FAIL malformed register: request 1 (POST /users), html instead of json: plugin panicked in adapter: called `Result::unwrap()`"
        ),
        "{line}"
    );
    // Every stage was probed, the later checks ran, and no panic text reached the terminal.
    c.line(
        "FAIL malformed await_kyc: request 1 (GET /users/1), html instead of json: plugin panicked",
    );
    c.line("PASS concurrency");
    assert!(
        c.lines().last().unwrap().starts_with("failed: "),
        "{}",
        c.stdout
    );
    assert!(!c.stderr.contains("panicked"), "stderr: {}", c.stderr);
}

#[test]
fn a_panicking_adapter_fails_the_scenario_with_the_panic_message() {
    let lib = fixture_plugin(Some("panic_adapter"), "fixture").join(lib_name("rampsim_fixture"));
    let c = check(&lib, &[]);
    assert_eq!(c.code, Some(1));
    let line = c.line("FAIL scenario approved");
    assert!(
        line.contains("ended failed at await_kyc")
            && line.contains("panicked")
            && line.contains("on purpose"),
        "{line}"
    );
}

#[test]
fn an_invalid_manifest_fails_the_manifest_line() {
    let lib = fixture_plugin(Some("bad_manifest"), "fixture").join(lib_name("rampsim_fixture"));
    let c = check(&lib, &[]);
    // The host's loader refuses it: nothing else can run.
    assert_eq!(c.code, Some(3), "{}", c.stdout);
    assert_eq!(
        c.lines(),
        [
            "PASS load",
            "PASS abi",
            // The manifest was read and its protocol checked before its rules failed.
            "PASS protocol",
            "FAIL manifest: stages must be register, idv_passthrough, await_kyc, create_order in order (got register, idv_passthrough, await_kyc)",
            "failed: 1 of 4 checks",
        ]
    );
}

#[test]
fn a_text_file_is_not_a_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(lib_name("rampsim_text"));
    std::fs::write(&path, "this is a text file, not a shared library\n").unwrap();
    let c = check(&path, &[]);
    assert_eq!(c.code, Some(3));
    let lines = c.lines();
    assert_eq!(lines.len(), 2, "{}", c.stdout);
    assert!(
        lines[0].starts_with("FAIL load: not a loadable library: "),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "failed: 1 of 1 checks");
}

#[test]
fn a_library_without_the_entry_symbol_is_not_a_plugin() {
    let lib = fixture_plugin(Some("no_entry"), "fixture").join(lib_name("rampsim_fixture"));
    let c = check(&lib, &["--json"]);
    assert_eq!(c.code, Some(3));
    let v: serde_json::Value =
        serde_json::from_str(&c.stdout).expect("JSON even when nothing loads");
    assert_eq!(v["passed"], false);
    assert_eq!(v["plugin"], serde_json::Value::Null);
    assert_eq!(v["checks"][0]["name"], "load");
    assert_eq!(
        v["checks"][0]["detail"],
        "not a rampsim plugin: it has no `rampsim_plugin_entry` entry symbol"
    );
}

#[test]
fn handshake_failures_name_both_versions() {
    let lib = fixture_plugin(Some("wrong_abi"), "fixture").join(lib_name("rampsim_fixture"));
    let c = check(&lib, &[]);
    assert_eq!(c.code, Some(3));
    assert!(c
        .line("FAIL abi: plugin ABI version 99 does not match the host's ABI version 1")
        .contains("rebuild"));
    let lib = fixture_plugin(Some("wrong_protocol"), "fixture").join(lib_name("rampsim_fixture"));
    let c = check(&lib, &[]);
    assert_eq!(c.code, Some(3));
    assert!(c
        .line("FAIL protocol: plugin `fixture` 0.0.1 speaks protocol 1.1")
        .contains(&format!(
            "host speaks protocol {}",
            rampsim_plugin_sdk::abi::PROTOCOL_VERSION
        )));
}

#[test]
fn a_missing_file_fails_the_load_line() {
    let c = check(Path::new("/nonexistent/librampsim_nothing.so"), &[]);
    assert_eq!(c.code, Some(3));
    assert_eq!(
        c.lines(),
        ["FAIL load: no such file", "failed: 1 of 1 checks"]
    );
}

/// What a plugin prints goes to the log file: the report, `--json` or not, stays clean. (The
/// fixture accepts any JSON answer, so its malformed-answer checks fail: not what this is about.)
#[test]
fn a_noisy_plugin_stays_out_of_the_report() {
    let lib = fixture_plugin(Some("noisy"), "fixture").join(lib_name("rampsim_fixture"));
    for json in [false, true] {
        let c = check(&lib, if json { &["--json"][..] } else { &[][..] });
        assert!(
            !c.stdout.contains("NOISY") && !c.stderr.contains("NOISY"),
            "{}\n{}",
            c.stdout,
            c.stderr
        );
        if json {
            let report: serde_json::Value = serde_json::from_str(c.stdout.trim())
                .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", c.stdout));
            assert!(report["checks"].as_array().is_some_and(|c| !c.is_empty()));
        } else {
            c.line("PASS scenario approved");
        }
    }
}

fn fixture(feature: &str) -> std::path::PathBuf {
    fixture_plugin(Some(feature), "fixture").join(lib_name("rampsim_fixture"))
}

/// The lines after the first that starts with `prefix`.
fn lines_after<'a>(c: &'a Checked, prefix: &str) -> Vec<&'a str> {
    c.lines()
        .into_iter()
        .skip_while(|l| !l.starts_with(prefix))
        .skip(1)
        .collect()
}

/// `retry_after_ms(0)` (a provider's `Retry-After: 0` passed through) on a stage that never
/// ends: every journey, the engine's and the probes', still reaches its deadline, so the
/// scenario fails for what it is and no check waits out the time limit.
#[test]
fn a_retry_after_of_zero_ends_in_timed_out_and_hangs_no_check() {
    let c = check(&fixture("retry_after_zero"), &["--time-limit", "20"]);
    assert_eq!(c.code, Some(1), "{}", c.stdout);
    assert!(
        c.line("FAIL scenario approved: ended timed_out at await_kyc")
            .ends_with("it declares order_created"),
        "{}",
        c.stdout
    );
    assert!(
        !c.stdout.contains("did not"),
        "no check hangs: {}",
        c.stdout
    );
    // The probes that drive polls ran to their end. (The fixture accepts any JSON answer, so
    // its malformed-answer lines fail: not what this is about.)
    c.line("FAIL malformed await_kyc: request 1 (GET /users/1), ");
    for line in [
        "PASS fake unknown routes",
        "PASS fake spoilt requests",
        "PASS concurrency",
    ] {
        c.line(line);
    }
}

/// A plugin call that never returns is named, once, after one time limit; the checks after it
/// are not run against the busy plugin.
#[test]
fn a_call_that_never_returns_is_named_and_the_rest_are_not_run() {
    let started = std::time::Instant::now();
    let c = check(&fixture("spin_adapter"), &["--time-limit", "3"]);
    let took = started.elapsed();
    assert_eq!(c.code, Some(1), "{}", c.stdout);
    c.line("PASS profile");
    assert_eq!(
        c.line("FAIL scenario approved"),
        "FAIL scenario approved: adapter begin(await_kyc) did not return within 3 s: it loops or blocks"
    );
    let not_run = "not run: check `scenario approved` is stuck in the plugin";
    assert_eq!(
        lines_after(&c, "FAIL scenario approved"),
        [
            format!("FAIL malformed register: {not_run}"),
            format!("FAIL malformed await_kyc: {not_run}"),
            format!("FAIL malformed create_order: {not_run}"),
            format!("FAIL fake unknown routes: {not_run}"),
            format!("FAIL fake spoilt requests: {not_run}"),
            format!("FAIL concurrency: {not_run}"),
            "failed: 7 of 12 checks (6 of them not run because of an earlier failure)".to_string(),
        ]
    );
    // One time limit, not one per check.
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

/// A fake that panics on one request: the scenario line names the panic and the request, and
/// no probe blames another request for it (each asks a fake that never panicked).
#[test]
fn a_fake_panic_is_named_by_its_request_and_blamed_on_no_other() {
    let c = check(&fixture("panic_fake_on_orders"), &["--json"]);
    assert_eq!(c.code, Some(1), "{}", c.stdout);
    let v: serde_json::Value = serde_json::from_str(&c.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    let find = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no check {name}: {}", c.stdout))
    };
    let scenario = find("scenario approved")["detail"].as_str().unwrap();
    assert!(
        scenario.starts_with(
            "the fake panicked on POST /orders: fixture fake panics on orders on purpose"
        ) && scenario.contains("; then the journey ended failed at create_order: ")
            && scenario.ends_with("; it declares order_created"),
        "{scenario}"
    );
    assert_eq!(find("fake unknown routes")["passed"], true, "{}", c.stdout);
    let problems: Vec<&str> = checks
        .iter()
        .flat_map(|c| c["problems"].as_array().cloned().unwrap_or_default())
        .map(|p| p.as_str().unwrap().to_string().leak() as &str)
        .collect();
    for p in &problems {
        assert!(
            !p.contains("panicked") || p.contains("POST /orders"),
            "blames another request for the panic: {p}"
        );
    }
    assert!(
        problems.iter().any(|p| p.starts_with(
            "with true answers (scenario approved) on POST /orders: plugin panicked in fake"
        )),
        "{problems:?}"
    );
}

/// A panic in `Adapter::new` is the plugin's bug: no advice to pick another profile.
#[test]
fn a_panic_creating_the_adapter_is_not_blamed_on_the_profile() {
    let c = check(&fixture("panic_adapter_new"), &[]);
    assert_eq!(c.code, Some(1), "{}", c.stdout);
    let line = c.line("FAIL profile");
    assert!(
        line.starts_with(
            "FAIL profile: Adapter::new panicked with profile sample_profile: plugin panicked in adapter_new: fixture adapter_new panics on purpose"
        ),
        "{line}"
    );
    assert!(!line.contains("--profile"), "{line}");
}

/// Stages after the one a scenario failed at are not reached: they say so, not that no
/// scenario is declared to reach them.
#[test]
fn stages_after_a_failed_one_are_not_reached() {
    let c = check(&fixture("panic_adapter"), &[]);
    assert_eq!(c.code, Some(1), "{}", c.stdout);
    assert!(
        c.line("FAIL malformed create_order").starts_with(
            "FAIL malformed create_order: not reached: scenario approved failed at await_kyc: plugin panicked in adapter: fixture adapter panics on purpose"
        ),
        "{}",
        c.stdout
    );
    assert!(!c.stdout.contains("declare one that does"), "{}", c.stdout);
    assert!(
        c.lines()
            .last()
            .unwrap()
            .ends_with("(1 of them not run because of an earlier failure)"),
        "{}",
        c.stdout
    );
}

/// A fake answering an invalid HTTP status: the scenario line says so (the adapter saw the
/// sandbox's 500 in its place), and the later stages are not reached.
#[test]
fn a_fake_answering_an_invalid_status_is_named_on_the_scenario_line() {
    let c = check(&fixture("fake_status_42"), &[]);
    assert_eq!(c.code, Some(1), "{}", c.stdout);
    let line = c.line("FAIL scenario approved");
    assert!(
        line.starts_with("FAIL scenario approved: the fake answered POST /users with status 42, not a valid HTTP status (100..=599; the sandbox answered 500 in its place); then the journey ended failed at register: fixture answered 500"),
        "{line}"
    );
    assert_eq!(
        c.line("FAIL malformed await_kyc"),
        "FAIL malformed await_kyc: not reached: scenario approved ended failed at register"
    );
}

#[test]
fn a_directory_is_not_a_library_and_the_libraries_in_it_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let c = check(dir.path(), &[]);
    assert_eq!(c.code, Some(3));
    assert_eq!(
        c.lines(),
        [
            format!(
                "FAIL load: this is a directory: give the plugin's library file, such as target/debug/{} after `cargo build`",
                lib_name("rampsim_<id>")
            )
            .as_str(),
            "failed: 1 of 1 checks"
        ]
    );
    let lib = dir.path().join(lib_name("rampsim_acme"));
    std::fs::write(&lib, "").unwrap();
    let c = check(dir.path(), &[]);
    assert_eq!(
        c.lines()[0],
        format!(
            "FAIL load: this is a directory: give the plugin's library file, such as {}",
            lib.display()
        )
    );
}

#[test]
fn a_manifest_that_is_not_json_says_so() {
    let c = check(&fixture("manifest_not_json"), &[]);
    assert_eq!(c.code, Some(3), "{}", c.stdout);
    let lines = c.lines();
    assert_eq!(lines[..2], ["PASS load", "PASS abi"], "{}", c.stdout);
    assert!(
        lines[2].starts_with(
            "FAIL manifest: the manifest is not JSON (expected value at line 1 column 1)"
        ),
        "{}",
        lines[2]
    );
    assert!(
        !c.stdout.contains("protocol"),
        "not read, so not checked: {}",
        c.stdout
    );
}
