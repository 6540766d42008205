//! `[providers.ID]` tables and the resolution of a provider's settings against its plugin's
//! manifest: plain values for non-secrets, environment variables for secrets, the plugin's
//! sandbox values as the fallback in sandbox mode.

use super::error::{ConfigError, Location, Problem};
use rampsim_plugin_sdk::{Manifest, Mode};
use secrecy::{ExposeSecret, SecretString};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Where a setting's value comes from, as written in config.toml.
#[derive(Clone, PartialEq, Eq)]
pub enum SettingSource {
    /// `name = "value"`: allowed only for settings the manifest does not mark secret.
    Value { value: String, location: Location },
    /// `name = { env = "VAR" }`.
    Env { var: String, location: Location },
}

impl SettingSource {
    pub fn location(&self) -> &Location {
        match self {
            SettingSource::Value { location, .. } | SettingSource::Env { location, .. } => location,
        }
    }
}

// A plain value may be a secret someone wrote in the file by mistake: never print it.
impl fmt::Debug for SettingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingSource::Value { location, .. } => f
                .debug_struct("Value")
                .field("value", &"[REDACTED]")
                .field("location", location)
                .finish(),
            SettingSource::Env { var, location } => f
                .debug_struct("Env")
                .field("var", var)
                .field("location", location)
                .finish(),
        }
    }
}

/// One `[providers.ID]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderConfig {
    pub mode: Mode,
    /// The fake's scenario (sandbox mode); `None` plays the manifest's default scenario.
    pub scenario: Option<String>,
    /// The profile this provider's journeys use unless the run names one (`[app] profile`
    /// otherwise): e.g. Kriptomat needs a user whose IDV ran at Sumsub.
    pub profile: Option<String>,
    /// Live base URLs overriding the manifest's, by endpoint name (`[providers.ID.endpoints]`).
    pub endpoints: BTreeMap<String, String>,
    pub settings: BTreeMap<String, SettingSource>,
    /// The `[providers.ID]` header; the file with line 0 when config.toml has no such table.
    pub location: Location,
    /// Where `scenario` and each `endpoints.NAME` key are: the plugin that judges them is
    /// loaded only later, and its refusal should point at the key, not the header.
    pub key_locations: BTreeMap<String, Location>,
}

impl ProviderConfig {
    /// Sandbox mode, default scenario, no settings: what a provider gets without a table.
    pub fn default_at(location: Location) -> ProviderConfig {
        ProviderConfig {
            mode: Mode::Sandbox,
            scenario: None,
            profile: None,
            endpoints: BTreeMap::new(),
            settings: BTreeMap::new(),
            location,
            key_locations: BTreeMap::new(),
        }
    }

    /// Where `key` (`scenario`, `endpoints.NAME`) is, else the table's header.
    pub fn location_of(&self, key: &str) -> &Location {
        self.key_locations.get(key).unwrap_or(&self.location)
    }
}

/// Every setting a plugin declares, with its value. Values are kept secret; `Debug` prints names
/// only.
#[derive(Clone, Default)]
pub struct ResolvedSettings {
    pub values: BTreeMap<String, SecretString>,
    /// Names of the settings the manifest marks secret.
    pub secret_names: BTreeSet<String>,
}

impl ResolvedSettings {
    /// Every value in clear, for the plugin's `AdapterInit`.
    pub fn expose_all(&self) -> BTreeMap<String, String> {
        self.values
            .iter()
            .map(|(k, v)| (k.clone(), v.expose_secret().to_string()))
            .collect()
    }

    /// The values of secret settings (non-empty ones), for the redactor.
    pub fn secret_values(&self) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, v)| self.secret_names.contains(*k) && !v.expose_secret().is_empty())
            .map(|(_, v)| v.expose_secret().to_string())
            .collect()
    }
}

impl fmt::Debug for ResolvedSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: BTreeMap<&str, &str> = self
            .values
            .keys()
            .map(|k| {
                let shown = if self.secret_names.contains(k) {
                    "[secret]"
                } else {
                    "[set]"
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("ResolvedSettings")
            .field("values", &names)
            .finish()
    }
}

/// The environment variable suggested for a secret: `PAXOS_CLIENT_SECRET`.
pub fn suggested_env_var(provider_id: &str, setting: &str) -> String {
    format!("{provider_id}_{setting}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Resolves a provider's settings against the plugin's manifest: every setting the manifest
/// declares gets a value, or an error says what to write and where. Reports all problems.
pub fn resolve_settings(
    provider_id: &str,
    cfg: &ProviderConfig,
    manifest: &Manifest,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ResolvedSettings, ConfigError> {
    let mut problems = Vec::new();
    let mut out = ResolvedSettings::default();
    let field = |name: &str| format!("providers.{provider_id}.settings.{name}");
    let declared: Vec<&str> = manifest.settings.iter().map(|s| s.name.as_str()).collect();

    for (name, source) in &cfg.settings {
        if !declared.contains(&name.as_str()) {
            let list = if declared.is_empty() {
                "it declares none".to_string()
            } else {
                format!("declared settings: {}", declared.join(", "))
            };
            problems.push(Problem::new(
                Some(source.location().clone()),
                field(name),
                format!("the {provider_id} plugin has no setting `{name}`; {list}"),
            ));
        }
    }

    for info in &manifest.settings {
        let name = info.name.as_str();
        if info.secret {
            out.secret_names.insert(name.to_string());
        }
        let var = suggested_env_var(provider_id, name);
        let value = match cfg.settings.get(name) {
            Some(SettingSource::Value { value, location }) => {
                if info.secret {
                    problems.push(Problem::new(
                        Some(location.clone()),
                        field(name),
                        format!(
                            "is a secret and cannot be written in the config file; set an environment variable and write {name} = {{ env = \"{var}\" }}"
                        ),
                    ));
                    continue;
                }
                Some(value.clone())
            }
            Some(SettingSource::Env { var, location }) => {
                match env(var).filter(|v| !v.is_empty()) {
                    Some(v) => Some(v),
                    None if cfg.mode == Mode::Sandbox && info.sandbox_value.is_some() => {
                        info.sandbox_value.clone()
                    }
                    None => {
                        let why = if cfg.mode == Mode::Live {
                            "live mode needs it"
                        } else {
                            "the plugin has no sandbox value for it"
                        };
                        problems.push(Problem::new(
                            Some(location.clone()),
                            field(name),
                            format!("environment variable {var} is not set ({why}); export {var}=... before starting rampsim"),
                        ));
                        continue;
                    }
                }
            }
            None => match (cfg.mode, &info.sandbox_value) {
                (Mode::Sandbox, Some(v)) => Some(v.clone()),
                _ => {
                    let line = if info.secret {
                        format!("{name} = {{ env = \"{var}\" }}")
                    } else {
                        format!("{name} = \"...\"")
                    };
                    let why = if cfg.mode == Mode::Live {
                        "live mode needs it"
                    } else {
                        "the plugin has no sandbox value for it"
                    };
                    problems.push(Problem::new(
                        Some(cfg.location.clone()),
                        field(name),
                        format!("not set ({why}); add `{line}` under [providers.{provider_id}.settings]"),
                    ));
                    continue;
                }
            },
        };
        if let Some(v) = value {
            out.values.insert(name.to_string(), SecretString::from(v));
        }
    }

    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ConfigError::sorted(problems))
    }
}
