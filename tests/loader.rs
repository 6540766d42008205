//! The loader against plugins built for the purpose: each error case names the file and says
//! what is wrong; a panicking plugin fails its journey and the host goes on.

mod support;

use rampsim::plugin::{discover, find_plugin, LoadError, LoadedPlugin};
use std::path::PathBuf;
use support::*;

fn load_fixture(feature: Option<&str>) -> (PathBuf, Result<LoadedPlugin, LoadError>) {
    let dir = fixture_plugin(feature, "fixture");
    let path = dir.join(lib_name("rampsim_fixture"));
    let r = LoadedPlugin::load(&path);
    (path, r)
}

#[test]
fn a_correct_plugin_loads_with_its_manifest() {
    let (_, r) = load_fixture(None);
    let p = r.expect("loads");
    assert_eq!(p.manifest.id, "fixture");
    assert_eq!(p.manifest.scenarios[0].name, "approved");
}

#[test]
fn wrong_abi_version_names_both_versions_and_the_file() {
    let (path, r) = load_fixture(Some("wrong_abi"));
    let e = r.expect_err("refused");
    assert!(
        matches!(
            e,
            LoadError::AbiMismatch {
                plugin: 99,
                host: 1,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("ABI version 99") && msg.contains("ABI version 1"),
        "{msg}"
    );
    assert!(msg.contains(&path.display().to_string()), "{msg}");
}

#[test]
fn missing_entry_symbol_is_not_a_plugin() {
    let (path, r) = load_fixture(Some("no_entry"));
    let e = r.expect_err("refused");
    assert!(matches!(e, LoadError::NotAPlugin { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("rampsim_plugin_entry") && msg.contains(&path.display().to_string()),
        "{msg}"
    );
}

#[test]
fn protocol_mismatch_names_both_versions() {
    let (_, r) = load_fixture(Some("wrong_protocol"));
    let msg = r.expect_err("refused").to_string();
    let host = format!("protocol {}", rampsim_plugin_sdk::PROTOCOL_VERSION);
    assert!(msg.contains("protocol 1.1") && msg.contains(&host), "{msg}");
    assert!(
        msg.contains("fixture") && msg.contains("0.0.1"),
        "names plugin and version: {msg}"
    );
}

#[test]
fn invalid_manifest_says_what_is_wrong() {
    let (path, r) = load_fixture(Some("bad_manifest"));
    let e = r.expect_err("refused");
    assert!(matches!(e, LoadError::InvalidManifest { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("stages must be") && msg.contains(&path.display().to_string()),
        "{msg}"
    );
}

#[test]
fn a_file_that_is_not_a_library() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(lib_name("rampsim_garbage"));
    std::fs::write(&path, "this is a text file, not a shared library\n").unwrap();
    let e = LoadedPlugin::load(&path).expect_err("refused");
    assert!(matches!(e, LoadError::NotLoadable { .. }), "{e:?}");
    assert!(e.to_string().contains(&path.display().to_string()));
    // Discovery reports it among the failures and goes on.
    let d = discover(&[dir.path().to_path_buf()]);
    assert!(d.plugins.is_empty());
    assert_eq!(d.failed.len(), 1);
}

#[test]
fn a_library_in_a_later_directory_is_shadowed_not_loaded() {
    let built = fixture_plugin(None, "fixture").join(lib_name("rampsim_fixture"));
    let first = tempfile::tempdir().unwrap();
    let later = tempfile::tempdir().unwrap();
    std::fs::copy(&built, first.path().join(lib_name("rampsim_fixture"))).unwrap();
    // The later copy would fail to load if it were tried: it is not a library at all.
    let later_copy = later.path().join(lib_name("rampsim_fixture"));
    std::fs::write(&later_copy, "not a library\n").unwrap();
    let d = discover(&[first.path().to_path_buf(), later.path().to_path_buf()]);
    assert_eq!(d.plugins.len(), 1);
    assert!(d.plugins[0].path.starts_with(first.path()));
    assert!(d.failed.is_empty(), "{:?}", d.failed);
    assert_eq!(d.shadowed, vec![later_copy]);
}

#[test]
fn not_found_lists_every_place_searched() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let dirs = vec![a.path().to_path_buf(), b.path().to_path_buf()];
    let msg = find_plugin("nosuch", &dirs)
        .expect_err("missing")
        .to_string();
    for d in &dirs {
        assert!(
            msg.contains(&d.join(lib_name("rampsim_nosuch")).display().to_string()),
            "{msg}"
        );
    }
}

#[test]
fn id_not_matching_the_config_is_refused() {
    // The fixture library copied under another provider's file name.
    let dir = fixture_plugin(None, "paxos");
    let msg = find_plugin("paxos", std::slice::from_ref(&dir))
        .expect_err("mismatch")
        .to_string();
    assert!(
        msg.contains("`fixture`") && msg.contains("`paxos`"),
        "{msg}"
    );
}

/// `rampsim run --json` with the fixture built with `feature`, which must end the journey
/// `failed` (exit 13): its output and last event.
fn failed_run(feature: &str) -> (std::process::Output, serde_json::Value) {
    let dir = fixture_plugin(Some(feature), "fixture");
    let cfg = TestConfig::new(&[dir], "fixture", "");
    let out = cfg.rampsim(&["run", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(13),
        "{feature}: stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fin = finished(&out);
    (out, fin)
}

#[test]
fn a_panicking_adapter_fails_the_journey_and_the_host_goes_on() {
    let (out, fin) = failed_run("panic_adapter");
    assert_eq!(fin["outcome"], "failed");
    let msg = fin["message"].as_str().unwrap();
    assert!(
        msg.contains("panicked") && msg.contains("on purpose") && msg.contains("fixture 0.0.1"),
        "{msg}"
    );
    assert_eq!(fin["stage"], "await_kyc");
    // The panic message never reaches the terminal: stderr carries no panic text.
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_plugin_built_to_abort_on_panic_is_refused_when_it_compiles() {
    // With panic = "abort" no catch_unwind can turn the plugin's panic into an error reply:
    // the host would die with its terminal in raw mode. The SDK refuses to build it, naming why.
    let out = compile_fixture_with(&["-C", "panic=abort"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "it compiled: {stderr}");
    assert!(
        stderr.contains("must be built with panic = \"unwind\"")
            && stderr.contains("Remove `panic = \"abort\"`"),
        "{stderr}"
    );
    // The same crate with the default strategy compiles: the refusal is the strategy's alone.
    let out = compile_fixture_with(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_correct_fixture_runs_end_to_end() {
    let dir = fixture_plugin(None, "fixture");
    let cfg = TestConfig::new(&[dir], "fixture", "");
    let out = cfg.rampsim(&["run", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fin = finished(&out);
    assert_eq!(fin["outcome"], "order_created");
    assert_eq!(fin["order_id"], "order-1");
}

/// `rampsim plugins` lists a library that fails to load once, by its path, with why.
#[test]
fn a_library_that_fails_to_load_is_listed_once_with_why() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join(lib_name("rampsim_broken"));
    std::fs::write(&broken, b"not a library").unwrap();
    let cfg = TestConfig::new(&[dir.path().to_path_buf()], "paxos", "");
    let out = cfg.rampsim(&["plugins"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("FAILED"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let path = broken.display().to_string();
    assert_eq!(line.matches(&path).count(), 1, "{line}");
    assert!(line.starts_with(&format!("FAILED {path}: ")), "{line}");
}

#[test]
fn a_plugin_claiming_an_order_it_never_placed_fails_the_journey() {
    let (_, fin) = failed_run("early_order_created");
    assert_eq!(fin["outcome"], "failed", "{fin}");
    assert_eq!(fin["stage"], "register", "{fin}");
    assert!(
        fin["message"].as_str().unwrap().contains(
            "plugin fixture 0.0.1 ended the journey order_created at register, before create_order (\"done early\")"
        ),
        "{fin}"
    );
}

#[test]
fn a_path_without_its_leading_slash_is_refused_before_anything_is_sent() {
    // `https://api.example` + `users` is another host, which would get the credentials.
    let (out, fin) = failed_run("relative_path");
    assert!(
        fin["message"].as_str().unwrap().contains(
            "plugin fixture 0.0.1 asked for POST `users` on endpoint `api`: a path must start with `/`"
        ),
        "{fin}"
    );
    assert!(
        !events(&out).iter().any(|e| e["event"] == "request_sent"),
        "nothing is sent"
    );
}

/// `rampsim plugins` lists what `run` loads. `run --provider <id>` loads the file named
/// `librampsim_<id>.so`, so a library whose manifest id is not the one its file is named for is
/// listed as failed, naming the other libraries for that id, never as that plugin.
#[test]
fn plugins_lists_no_library_that_run_would_not_load_under_its_id() {
    let refused =
        fixture_plugin(Some("wrong_protocol"), "fixture").join(lib_name("rampsim_fixture"));
    let good = fixture_plugin(None, "fixture").join(lib_name("rampsim_fixture"));
    let mixed = tempfile::tempdir().unwrap();
    let mixed2 = tempfile::tempdir().unwrap();
    // Named for `fixture` but refused; then two good libraries declaring `fixture` under other
    // names (`paxos` shadows the shipped Paxos of the directories searched after these).
    let named = mixed.path().join(lib_name("rampsim_fixture"));
    let renamed = mixed.path().join(lib_name("rampsim_fixture2"));
    let other = mixed2.path().join(lib_name("rampsim_paxos"));
    std::fs::copy(&refused, &named).unwrap();
    std::fs::copy(&good, &renamed).unwrap();
    std::fs::copy(&good, &other).unwrap();
    let cfg = TestConfig::new(
        &[mixed.path().to_path_buf(), mixed2.path().to_path_buf()],
        "fixture",
        "",
    );

    let out = cfg.rampsim(&["plugins"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for path in [&named, &renamed, &other] {
        let path = path.display().to_string();
        assert!(!stdout.contains(&format!("file: {path}")), "{stdout}");
    }
    let failed = |path: &std::path::Path| {
        let start = format!("FAILED {}: ", path.display());
        stdout
            .lines()
            .find(|l| l.starts_with(&start))
            .unwrap_or_else(|| panic!("no {start}…\n{stdout}"))
            .to_string()
    };
    assert!(failed(&named).contains("protocol 1.1"), "{stdout}");
    let rule = lib_name("rampsim_<id>");
    for (line, file, others) in [
        (failed(&renamed), "fixture2", [&named, &other]),
        (failed(&other), "paxos", [&named, &renamed]),
    ] {
        let why = format!(
            "declares id `fixture` but is named {}, the file of plugin `{file}`: a plugin's file must be {rule}; other libraries for `fixture`: {}, {}",
            lib_name(&format!("rampsim_{file}")),
            others[0].display(),
            others[1].display()
        );
        assert!(line.ends_with(&why), "{line}");
    }

    // `run` agrees: `fixture` is the refused library, `paxos` is not Paxos.
    let run = cfg.rampsim(&["run", "--provider", "fixture"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&named.display().to_string()) && stderr.contains("protocol 1.1"),
        "{stderr}"
    );
    let run = cfg.rampsim(&["run", "--provider", "paxos"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&other.display().to_string()) && stderr.contains("`fixture`"),
        "{stderr}"
    );
}
