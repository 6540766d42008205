//! `cargo run` builds only the package that holds the binary, not the other default members, so
//! on a fresh clone it would open the app with no plugin. This script builds the shipped plugins
//! (a nested cargo, into a target directory of its own under OUT_DIR, same profile) and tells
//! the host where they are; discovery searches there after the config's paths and the
//! executable's directory. A plugin that fails to build is a warning, not a failed host build:
//! the app still starts and its picker shows what is missing.

use std::path::PathBuf;
use std::process::Command;

const PLUGINS: &[&str] = &[
    "rampsim-adapter-paxos",
    "rampsim-adapter-crossmint",
    "rampsim-adapter-proof",
    "rampsim-adapter-kriptomat",
    "rampsim-adapter-stripe",
    "rampsim-plugin-template",
];

fn main() {
    for dir in ["adapters", "plugins/sdk", "plugins/template", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={dir}");
    }
    println!("cargo:rerun-if-env-changed=RAMPSIM_SKIP_PLUGIN_BUILD");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("plugins");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let dir = out.join(if release { "release" } else { "debug" });
    println!("cargo:rustc-env=RAMPSIM_BUNDLED_PLUGINS={}", dir.display());
    if std::env::var_os("RAMPSIM_SKIP_PLUGIN_BUILD").is_some() {
        return;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--quiet"]);
    if release {
        cmd.arg("--release");
    }
    for p in PLUGINS {
        cmd.args(["-p", p]);
    }
    cmd.arg("--target-dir")
        .arg(&out)
        .env_remove("CARGO_TARGET_DIR");
    match cmd.output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => println!(
            "cargo:warning=building the shipped plugins failed; the app will start without them: {}",
            String::from_utf8_lossy(&o.stderr).lines().take(5).collect::<Vec<_>>().join(" | ")
        ),
        Err(e) => println!("cargo:warning=cannot run cargo to build the shipped plugins: {e}"),
    }
}
