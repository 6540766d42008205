//! Shared by the integration tests: builds plugin libraries with a nested `cargo build` into a
//! target directory of their own (so `cargo test` needs no earlier build), writes configs, and
//! runs the real `rampsim` binary.
#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// Runs `f` holding a file lock shared by every test binary, so nested builds and the copies
/// that follow them never interleave.
fn with_build_lock<T>(f: impl FnOnce() -> T) -> T {
    let dir = scratch();
    std::fs::create_dir_all(&dir).unwrap();
    let lock = File::create(dir.join("plugin-build.lock")).unwrap();
    lock.lock().unwrap();
    let out = f();
    lock.unlock().unwrap();
    out
}

fn run_cargo_build(args: &[&str], target_dir: &Path) {
    let out = Command::new(cargo())
        .current_dir(WORKSPACE)
        .args(["build", "--quiet"])
        .args(args)
        .arg("--target-dir")
        .arg(target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "nested cargo build {:?} failed:\n{}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn lib_name(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// Builds the shipped adapters `ids` and returns the directory holding their libraries.
pub fn shipped_plugins(ids: &[&str]) -> PathBuf {
    let target = scratch().join("plugins");
    with_build_lock(|| {
        let mut args = Vec::new();
        let pkgs: Vec<String> = ids
            .iter()
            .map(|id| format!("rampsim-adapter-{id}"))
            .collect();
        for p in &pkgs {
            args.push("-p");
            args.push(p.as_str());
        }
        run_cargo_build(&args, &target);
    });
    target.join("debug")
}

/// Builds the fixture plugin with `feature` (or none) and copies it into a directory of its
/// own as `librampsim_<name>.so`. Returns that directory.
pub fn fixture_plugin(feature: Option<&str>, name: &str) -> PathBuf {
    let target = scratch().join("fixture-build");
    let dir = scratch().join(format!("fixture-{}", feature.unwrap_or("ok")));
    with_build_lock(|| {
        let mut args = vec!["-p", "rampsim-fixture-plugin"];
        if let Some(f) = feature {
            args.extend(["--features", f]);
        }
        run_cargo_build(&args, &target);
        std::fs::create_dir_all(&dir).unwrap();
        // Copy then rename: a library another test has loaded must never be overwritten in
        // place (its mapped pages would change under it).
        let dest = dir.join(lib_name(&format!("rampsim_{name}")));
        let tmp = dir.join(format!(".{}.tmp", std::process::id()));
        std::fs::copy(target.join("debug").join(lib_name("rampsim_fixture")), &tmp).unwrap();
        std::fs::rename(&tmp, &dest).unwrap();
    });
    dir
}

/// Compiles the fixture plugin (no features) with extra rustc flags for its own crate only, in
/// the fixture's target directory, and returns what cargo said. Nothing is copied anywhere.
pub fn compile_fixture_with(rustc_flags: &[&str]) -> Output {
    let target = scratch().join("fixture-build");
    with_build_lock(|| {
        Command::new(cargo())
            .current_dir(WORKSPACE)
            .args(["rustc", "--quiet", "-p", "rampsim-fixture-plugin", "--lib"])
            .arg("--target-dir")
            .arg(&target)
            .arg("--")
            .args(rustc_flags)
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .expect("cargo runs")
    })
}

fn default_config() -> String {
    std::fs::read_to_string(Path::new(WORKSPACE).join("config.toml")).unwrap()
}

/// The sample person (the seed's example details) as the `[profiles.billy]` tables of the
/// shipped config.toml, so tests and the default configuration cannot drift apart.
pub fn billy() -> String {
    let cfg = default_config();
    let start = cfg
        .find("[profiles.billy]")
        .expect("config.toml has [profiles.billy]");
    let end = cfg[start..]
        .find("[profiles.anna]")
        .map_or(cfg.len(), |e| start + e);
    cfg[start..end].to_string()
}

/// A Sumsub-verified user for Kriptomat (its KYC import needs a Sumsub applicant).
pub fn anna() -> String {
    let cfg = default_config();
    let start = cfg
        .find("[profiles.anna]")
        .expect("config.toml has [profiles.anna]");
    cfg[start..].to_string()
}

/// A temporary directory with a config.toml searching `plugin_dirs` first.
pub struct TestConfig {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestConfig {
    pub fn new(plugin_dirs: &[PathBuf], provider: &str, extra: &str) -> TestConfig {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<String> = plugin_dirs
            .iter()
            .map(|p| format!("{:?}", p.display().to_string()))
            .collect();
        let text = format!(
            "[app]\nprovider = \"{provider}\"\nprofile = \"billy\"\nclock = \"virtual\"\nplugin_paths = [{}]\nlog_file = {:?}\n\n[providers.kriptomat]\nprofile = \"anna\"\n\n{extra}\n{}\n{}",
            paths.join(", "),
            dir.path().join("rampsim.log").display().to_string(),
            billy(),
            anna()
        );
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        TestConfig { dir, path }
    }

    /// Runs `rampsim --config <this> <args>`.
    /// Starts `rampsim --config <this> ARGS` with stdout piped, for tests that read its output
    /// as it goes (and stop it).
    pub fn spawn(&self, args: &[&str], stderr: std::process::Stdio) -> std::process::Child {
        Command::new(env!("CARGO_BIN_EXE_rampsim"))
            .arg("--config")
            .arg(&self.path)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap()
    }

    /// `rampsim batch ARGS --json`, its summary.
    pub fn batch_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["batch"];
        all.extend(args);
        all.push("--json");
        let out = self.rampsim(&all);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "batch {args:?} printed no summary ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    pub fn rampsim(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rampsim"))
            .arg("--config")
            .arg(&self.path)
            .args(args)
            .output()
            .expect("rampsim runs")
    }
}

/// The `--json` lines of a run, parsed.
pub fn events(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The last event, which must be `journey_finished`.
pub fn finished(out: &Output) -> serde_json::Value {
    let ev = events(out);
    let last = ev.last().cloned().unwrap_or_else(|| {
        panic!(
            "no events; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(last["event"], "journey_finished", "{last}");
    last
}

/// Builds the template plugin (plugins/template) and returns the directory holding its
/// library, `librampsim_template.so`.
pub fn template_plugin() -> PathBuf {
    let target = scratch().join("plugins");
    with_build_lock(|| run_cargo_build(&["-p", "rampsim-plugin-template"], &target));
    target.join("debug")
}

/// Runs `f` holding the lock every nested build takes (for builds of projects outside the
/// workspace).
pub fn with_plugin_build_lock<T>(f: impl FnOnce() -> T) -> T {
    with_build_lock(f)
}

/// The sample person as a standalone profile file (the keys of `[profiles.billy]` at the top
/// level), each `(from, to)` replaced in the text first. Returns the file's path.
pub fn billy_profile_file(dir: &Path, replace: &[(&str, &str)]) -> PathBuf {
    let mut text = billy()
        .replace("[profiles.billy]\n", "")
        .replace("[profiles.billy.", "[");
    for (from, to) in replace {
        assert!(text.contains(from), "the sample profile has no `{from}`");
        text = text.replace(from, to);
    }
    let path = dir.join("billy.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Ctrl-C to a running `rampsim`, as an operator stops it (SIGINT).
pub fn ctrl_c(child: &std::process::Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -INT {}", child.id());
}
