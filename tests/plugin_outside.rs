//! A provider added the way a team outside this repository would: copy plugins/template,
//! rename it, build it as a cargo project of its own (its own `[workspace]`, the SDK as a path
//! dependency), and name its target directory in config.toml's `plugin_paths`. The real
//! `rampsim` binary then loads it and runs a journey to `order_created`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&path, &to.join(entry.file_name()));
            }
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// Applies the template's RENAME markers to every `.rs` and `.md` file under `dir`.
fn rename(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rename(&path);
            continue;
        }
        if !matches!(path.extension().and_then(|e| e.to_str()), Some("rs" | "md")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let renamed = text
            .replace(
                r#"pub const ID: &str = "template";"#,
                r#"pub const ID: &str = "outside";"#,
            )
            .replace("rampsim_template", "rampsim_outside")
            .replace("TemplatePlugin", "OutsidePlugin");
        std::fs::write(&path, renamed).unwrap();
    }
}

/// The Cargo.toml of a project outside the workspace: its own `[workspace]`, the SDK by path.
fn standalone_manifest() -> String {
    let sdk = Path::new(WORKSPACE).join("plugins").join("sdk");
    format!(
        r#"[package]
name = "rampsim-plugin-outside"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
name = "rampsim_outside"
crate-type = ["cdylib", "rlib"]

[dependencies]
rampsim-plugin-sdk = {{ path = {sdk:?} }}
serde_json = "1"

# A workspace of its own: this project is not part of rampsim's.
[workspace]
"#,
        sdk = sdk.display().to_string()
    )
}

fn cargo(project: &Path, args: &[&str]) {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(project)
        .args(args)
        .args(["--offline", "--quiet", "--target-dir"])
        .arg(project.join("target"))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?} in {} failed:\n{}{}",
        project.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies and renames the template into a project of its own, builds it (and runs its own
/// tests there), and returns the directory holding `librampsim_outside.so`.
fn build_outside_plugin() -> PathBuf {
    let project = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("outside-plugin");
    with_plugin_build_lock(|| {
        // Fresh sources every run; the target directory is kept so rebuilds are quick.
        for stale in ["src", "tests", "README.md", "Cargo.toml"] {
            let p = project.join(stale);
            if p.is_dir() {
                std::fs::remove_dir_all(&p).unwrap();
            } else if p.exists() {
                std::fs::remove_file(&p).unwrap();
            }
        }
        copy_dir(
            &Path::new(WORKSPACE).join("plugins").join("template"),
            &project,
        );
        rename(&project);
        std::fs::write(project.join("Cargo.toml"), standalone_manifest()).unwrap();
        // Resolve the same versions as the workspace, from the local registry cache.
        std::fs::copy(
            Path::new(WORKSPACE).join("Cargo.lock"),
            project.join("Cargo.lock"),
        )
        .unwrap();
        cargo(&project, &["build"]);
        // The copy's own tests drive its adapter against its fake in-process, outside too.
        cargo(&project, &["test"]);
    });
    project.join("target").join("debug")
}

#[test]
fn a_plugin_copied_from_the_template_and_built_outside_runs_from_config_plugin_paths() {
    let dir = build_outside_plugin();
    assert!(
        dir.join(lib_name("rampsim_outside")).is_file(),
        "built into {}",
        dir.display()
    );
    let cfg = TestConfig::new(std::slice::from_ref(&dir), "outside", "");
    let out = cfg.rampsim(&["run", "--provider", "outside", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let ev = events(&out);
    assert_eq!(ev[0]["event"], "journey_started", "{}", ev[0]);
    assert_eq!(ev[0]["provider"], "outside");
    let fin = finished(&out);
    assert_eq!(fin["outcome"], "order_created", "{fin}");
    assert_eq!(fin["kyc_status"], "approved", "{fin}");
    assert!(fin["order_id"].is_string(), "{fin}");
    // Its other scenario, and the listing of plugins, see it too.
    let out = cfg.rampsim(&[
        "run",
        "--provider",
        "outside",
        "--scenario",
        "rejected",
        "--json",
    ]);
    assert_eq!(finished(&out)["outcome"], "rejected");
    let out = cfg.rampsim(&["plugins", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plugins --json");
    let ids: Vec<&str> = listed["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["manifest"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"outside"), "{ids:?}");
}

#[test]
fn the_outside_plugin_passes_the_check() {
    let lib = build_outside_plugin().join(lib_name("rampsim_outside"));
    let cwd = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rampsim"))
        .current_dir(cwd.path())
        .args(["plugin", "check"])
        .arg(&lib)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.lines().all(|l| !l.starts_with("FAIL")), "{stdout}");
}
