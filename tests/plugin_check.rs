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
            "FAIL manifest: stages must be register, idv_passthrough, await_kyc, create_order in order (got register, idv_passthrough, await_kyc)",
            "failed: 1 of 3 checks",
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
