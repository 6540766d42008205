//! The first checks: the library loads through the host's own loader (`load`), its table has
//! the host's ABI number (`abi`), it speaks a protocol the host understands (`protocol`), and
//! its manifest meets the rules (`manifest`): the loader's `validate_manifest`, and what a
//! plugin needs beyond it to be found and run in sandbox mode.

use super::report::CheckResult;
use crate::plugin::{library_file_name, LoadError, LoadedPlugin};
use rampsim_plugin_sdk::abi::{ABI_VERSION, ENTRY_SYMBOL, PROTOCOL_VERSION};
use rampsim_plugin_sdk::wire::{Manifest, Outcome};
use std::path::Path;
use std::sync::Arc;

/// What loading found: the checks' results, and the plugin when the loader accepted it.
pub struct Loaded {
    pub results: Vec<CheckResult>,
    pub plugin: Option<Arc<LoadedPlugin>>,
}

/// The loader's message without the leading `<path>: ` (the report names the file once).
fn without_path(e: &LoadError, path: &Path) -> String {
    let msg = e.to_string();
    let prefix = format!("{}: ", path.display());
    msg.strip_prefix(&prefix).map(str::to_string).unwrap_or(msg)
}

pub fn load(path: &Path) -> Loaded {
    let loaded_line = || {
        CheckResult::pass(
            "load",
            format!("a loadable library exporting `{ENTRY_SYMBOL}`"),
        )
    };
    let abi_line = || CheckResult::pass("abi", format!("ABI version {ABI_VERSION}, as the host's"));
    let protocol_line = |protocol: &str| {
        CheckResult::pass(
            "protocol",
            format!("the plugin speaks protocol {protocol}, the host {PROTOCOL_VERSION}"),
        )
    };
    if path.is_dir() {
        return Loaded {
            results: vec![CheckResult::fail("load", directory_advice(path))],
            plugin: None,
        };
    }
    if !path.is_file() {
        return Loaded {
            results: vec![CheckResult::fail("load", "no such file")],
            plugin: None,
        };
    }
    match LoadedPlugin::load(path) {
        Ok(p) => {
            let mut results = vec![
                loaded_line(),
                abi_line(),
                protocol_line(&p.manifest.protocol_version),
            ];
            results.push(CheckResult::from_problems(
                "manifest",
                format!(
                    "{} {}: {} stages, {} endpoints, {} settings, {} scenarios",
                    p.manifest.id,
                    p.manifest.version,
                    p.manifest.stages.len(),
                    p.manifest.endpoints.len(),
                    p.manifest.settings.len(),
                    p.manifest.scenarios.len()
                ),
                extra_manifest_rules(&p.manifest, path),
            ));
            Loaded {
                results,
                plugin: Some(Arc::new(p)),
            }
        }
        Err(e) => {
            let why = without_path(&e, path);
            let results = match &e {
                LoadError::AbiMismatch { .. } => vec![loaded_line(), CheckResult::fail("abi", why)],
                LoadError::ProtocolMismatch { .. } => {
                    vec![
                        loaded_line(),
                        abi_line(),
                        CheckResult::fail("protocol", why),
                    ]
                }
                LoadError::InvalidManifest {
                    reason, protocol, ..
                } => {
                    let mut lines = vec![loaded_line(), abi_line()];
                    // Read and found compatible before the manifest's rules failed.
                    lines.extend(protocol.as_deref().map(protocol_line));
                    lines.push(CheckResult::fail("manifest", reason.clone()));
                    lines
                }
                LoadError::NotLoadable { .. }
                | LoadError::NotAPlugin { .. }
                | LoadError::NotFound { .. }
                | LoadError::IdMismatch { .. } => vec![CheckResult::fail("load", why)],
            };
            Loaded {
                results,
                plugin: None,
            }
        }
    }
}

/// A directory was given: say so, and name the plugin libraries in it, if any.
fn directory_advice(dir: &Path) -> String {
    let prefix = format!("{}rampsim_", std::env::consts::DLL_PREFIX);
    let mut libraries: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix) && n.ends_with(std::env::consts::DLL_SUFFIX))
        .collect();
    libraries.sort();
    let example = match libraries.as_slice() {
        [] => format!(
            "such as target/debug/{} after `cargo build`",
            library_file_name("<id>").display()
        ),
        found => format!(
            "such as {}",
            found
                .iter()
                .map(|n| dir.join(n).display().to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    format!("this is a directory: give the plugin's library file, {example}")
}

/// Rules the loader does not enforce but a plugin needs: to be found under its id, to run in
/// sandbox mode with no configuration, and to have its stages exercised.
pub fn extra_manifest_rules(m: &Manifest, path: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let expected = library_file_name(&m.id);
    if let Some(name) = path.file_name() {
        if name != expected.as_os_str() {
            problems.push(format!(
                "the file is named {} but the host looks for plugin `{}` in {}: name the lib `rampsim_{}` in Cargo.toml",
                name.to_string_lossy(),
                m.id,
                expected.display(),
                m.id
            ));
        }
    }
    for s in &m.settings {
        if s.sandbox_value.is_none() {
            problems.push(format!(
                "setting `{}` has no sandbox_value: sandbox journeys need the value the plugin's fake accepts",
                s.name
            ));
        }
    }
    for s in &m.scenarios {
        if !s
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            problems.push(format!(
                "scenario name `{}` must be [A-Za-z0-9_.-] (it appears in URLs and on the command line)",
                s.name
            ));
        }
    }
    if !m.scenarios.is_empty()
        && !m
            .scenarios
            .iter()
            .any(|s| s.expected_outcome == Outcome::OrderCreated)
    {
        problems.push(
            "no scenario is expected to end order_created: declare the happy path (first, as the default)".into(),
        );
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampsim_plugin_sdk::wire::{ScenarioInfo, SettingInfo};

    fn manifest() -> Manifest {
        Manifest {
            id: "acme".into(),
            name: "Acme".into(),
            version: "1.0.0".into(),
            protocol_version: PROTOCOL_VERSION.into(),
            description: String::new(),
            stages: vec![],
            endpoints: vec![],
            settings: vec![SettingInfo {
                name: "api_key".into(),
                description: String::new(),
                secret: true,
                sandbox_value: Some("k".into()),
            }],
            scenarios: vec![ScenarioInfo {
                name: "approved".into(),
                description: String::new(),
                expected_outcome: Outcome::OrderCreated,
            }],
        }
    }

    #[test]
    fn a_right_manifest_in_a_right_file_has_no_problem() {
        let path = Path::new("/x").join(library_file_name("acme"));
        assert_eq!(
            extra_manifest_rules(&manifest(), &path),
            Vec::<String>::new()
        );
    }

    #[test]
    fn each_extra_rule_names_what_is_wrong() {
        let mut m = manifest();
        m.settings[0].sandbox_value = None;
        m.scenarios[0].name = "slow review".into();
        m.scenarios[0].expected_outcome = Outcome::Rejected;
        let path = Path::new("/x").join(library_file_name("other"));
        let problems = extra_manifest_rules(&m, &path);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(
            problems[0].contains("looks for plugin `acme`"),
            "{}",
            problems[0]
        );
        assert!(problems[1].starts_with("setting `api_key` has no sandbox_value"));
        assert!(problems[2].starts_with("scenario name `slow review`"));
        assert!(problems[3].starts_with("no scenario is expected to end order_created"));
    }
}
