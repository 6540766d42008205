//! Every shipped provider, every declared scenario, end to end: the real binary, the real
//! loader, the real cdylib, the fake over loopback HTTP, on the virtual clock.

mod support;

use rampsim::plugin::LoadedPlugin;
use support::*;

fn exit_code(outcome: &str) -> i32 {
    match outcome {
        "order_created" => 0,
        "rejected" => 10,
        "action_required" => 11,
        "timed_out" => 12,
        "failed" => 13,
        other => panic!("unknown outcome {other}"),
    }
}

/// Runs every scenario the plugin declares and checks outcome and exit status.
fn every_scenario_ends_as_declared(provider: &str) {
    let dir = shipped_plugins(&[provider]);
    let plugin =
        LoadedPlugin::load(&dir.join(lib_name(&format!("rampsim_{provider}")))).expect("loads");
    assert!(!plugin.manifest.scenarios.is_empty());
    let cfg = TestConfig::new(&[dir], provider, "");
    for s in &plugin.manifest.scenarios {
        let out = cfg.rampsim(&[
            "run",
            "--provider",
            provider,
            "--scenario",
            &s.name,
            "--clock",
            "virtual",
            "--json",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let fin = finished(&out);
        assert_eq!(
            fin["outcome"],
            s.expected_outcome.as_str(),
            "{provider}/{}: {fin}\nstderr: {stderr}",
            s.name
        );
        assert_eq!(
            out.status.code(),
            Some(exit_code(s.expected_outcome.as_str())),
            "{provider}/{}",
            s.name
        );
        let kyc = fin["kyc_status"].as_str().unwrap_or("null");
        assert!(
            [
                "not_started",
                "pending",
                "approved",
                "rejected",
                "action_required",
                "null"
            ]
            .contains(&kyc),
            "canonical kyc_status: {fin}"
        );
        if s.expected_outcome.as_str() == "order_created" {
            assert!(fin["order_id"].is_string(), "{fin}");
            assert_eq!(fin["kyc_status"], "approved", "{fin}");
        }
    }
}

#[test]
fn paxos_scenarios() {
    every_scenario_ends_as_declared("paxos");
}

#[test]
fn paxos_approved_journey_in_detail() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let out = cfg.rampsim(&["run", "--scenario", "approved", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev = events(&out);
    let names: Vec<&str> = ev.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names[0], "journey_started");
    // idv_passthrough is reported skipped: Paxos takes it in the create-identity call.
    let skipped = ev
        .iter()
        .find(|e| e["event"] == "stage_finished" && e["stage"] == "idv_passthrough")
        .expect("idv stage reported");
    assert_eq!(skipped["state"], "skipped", "{skipped}");
    // The wire: token, create identity, poll, account, order.
    let paths: Vec<String> = ev
        .iter()
        .filter(|e| e["event"] == "request_sent")
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap()
            )
        })
        .collect();
    assert!(paths.iter().any(|p| p == "POST /oauth2/token"), "{paths:?}");
    assert!(
        paths.iter().any(|p| p == "POST /v2/identity/identities"),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("GET /v2/identity/identities/")),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p == "POST /v2/identity/accounts"),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("POST /v2/profiles/") && p.ends_with("/orders")),
        "{paths:?}"
    );
    // No body or header (KYC data, tokens) in the --json stream.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("073-05-1120") && !stdout.contains("Duncan"),
        "KYC data leaked into --json output"
    );
}

#[test]
fn paxos_slow_review_polls_on_the_virtual_clock() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let t0 = std::time::Instant::now();
    let out = cfg.rampsim(&["run", "--scenario", "slow_review", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let polls = events(&out)
        .iter()
        .filter(|e| e["event"] == "status_polled")
        .count();
    assert!(
        polls >= 3,
        "PENDING for minutes of sandbox time means several polls, got {polls}"
    );
    assert!(
        t0.elapsed().as_secs() < 30,
        "virtual time must not wait for real"
    );
}

#[test]
fn a_missing_scenario_is_a_usage_error_listing_the_known_ones() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let out = cfg.rampsim(&["run", "--scenario", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope") && err.contains("approved"), "{err}");
}

#[test]
fn an_unknown_provider_is_a_usage_error_listing_where_it_looked() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(std::slice::from_ref(&dir), "paxos", "");
    let out = cfg.rampsim(&["run", "--provider", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&dir.join(lib_name("rampsim_nosuch")).display().to_string()),
        "{err}"
    );
}

#[test]
fn crossmint_scenarios() {
    every_scenario_ends_as_declared("crossmint");
}

#[test]
fn proof_scenarios() {
    every_scenario_ends_as_declared("proof");
}

#[test]
fn kriptomat_scenarios() {
    every_scenario_ends_as_declared("kriptomat");
}

#[test]
fn stripe_scenarios() {
    every_scenario_ends_as_declared("stripe");
}

/// A plugin that prints on stdout and stderr (its adapter and its fake do) must not get into
/// what `run`, `replay`, `batch` and `plugins` print: `--json` output stays JSON and the lines
/// go to the log file.
#[test]
fn a_noisy_plugin_stays_out_of_run_replay_and_batch_output() {
    let dir = fixture_plugin(Some("noisy"), "fixture");
    let cfg = TestConfig::new(&[dir], "fixture", "");
    let quiet = |out: &std::process::Output| {
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        assert!(
            !stdout.contains("NOISY") && !stderr.contains("NOISY"),
            "{stdout}\n{stderr}"
        );
        stdout
    };
    let one_document = |stdout: &str| -> serde_json::Value {
        serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("not one JSON document ({e}): {stdout}"))
    };

    let har = cfg.dir.path().join("noisy.har");
    let run = cfg.rampsim(&["run", "--json", "--transcript", har.to_str().unwrap()]);
    quiet(&run);
    assert_eq!(finished(&run)["outcome"], "order_created");

    let replay = cfg.rampsim(&["replay", har.to_str().unwrap(), "--json"]);
    let report = one_document(&quiet(&replay));
    assert_eq!(report["matches"], true, "{report}");

    let batch = cfg.rampsim(&["batch", "--count", "3", "--json"]);
    let summary = one_document(&quiet(&batch));
    assert_eq!(summary["journeys"], 3, "{summary}");
    assert_eq!(summary["outcomes"]["order_created"], 3, "{summary}");

    // Plugins print while they load, too.
    let plugins = cfg.rampsim(&["plugins", "--json"]);
    let listed = one_document(&quiet(&plugins));
    assert!(
        listed["plugins"].as_array().is_some_and(|p| !p.is_empty()),
        "{listed}"
    );

    let log = std::fs::read_to_string(cfg.dir.path().join("rampsim.log")).unwrap();
    assert!(
        log.contains("plugin output: NOISY-MANIFEST-STDOUT"),
        "{log}"
    );
    assert!(log.contains("plugin output: NOISY-ADAPTER-STDOUT"), "{log}");
    assert!(log.contains("plugin output: NOISY-ADAPTER-STDERR"), "{log}");
}

/// A `[providers.ID]` a typo away from an installed plugin, a scenario the plugin lacks and an
/// endpoint it does not have are refused, each naming the file and the line of what is wrong
/// (the table's header, or the key itself), instead of running the provider with settings the
/// operator did not mean.
#[test]
fn a_misspelt_provider_table_or_scenario_names_its_line() {
    let dir = shipped_plugins(&["paxos"]);
    // The error a config with `table` gets, and the number of the line that reads `at`.
    let refused = |table: &str, at: &str| -> (String, usize) {
        let cfg = TestConfig::new(std::slice::from_ref(&dir), "paxos", table);
        let out = cfg.rampsim(&["run", "--json"]);
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        assert!(out.stdout.is_empty(), "nothing ran");
        let text = std::fs::read_to_string(&cfg.path).unwrap();
        let line = text.lines().position(|l| l == at).unwrap() + 1;
        (String::from_utf8_lossy(&out.stderr).into_owned(), line)
    };
    let (err, line) = refused(
        "[providers.paxsos]\nscenario = \"denied\"\n",
        "[providers.paxsos]",
    );
    assert!(
        err.contains(&format!(
            "config.toml:{line}:1: [providers.paxsos]: no plugin `paxsos` is installed; did you mean `paxos`?"
        )),
        "{err}"
    );
    // The key's line, not the header's, so a long table needs no searching.
    let (err, line) = refused(
        "[providers.paxos]\nmode = \"sandbox\"\n\nscenario = \"aproved\"\n",
        "scenario = \"aproved\"",
    );
    assert!(
        err.contains(&format!(
            "config.toml:{line}:1: providers.paxos.scenario: plugin `paxos` has no scenario `aproved`"
        )),
        "{err}"
    );
    let (err, line) = refused(
        "[providers.paxos]\n\n[providers.paxos.endpoints]\napi = \"https://api.example\"\nipa = \"https://ipa.example\"\n",
        "ipa = \"https://ipa.example\"",
    );
    assert!(
        err.contains(&format!(
            "config.toml:{line}:1: providers.paxos.endpoints.ipa: plugin `paxos` has no endpoint `ipa`"
        )),
        "{err}"
    );
}
