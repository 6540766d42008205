//! config.toml and profiles: parse, validate (every problem with file:line:column), and resolve
//! provider settings (secrets only from environment variables).
//!
//! - [`Config::load`] reads config.toml: `[app]`, `[sandbox]`, `[engine]`, `[providers.ID]`,
//!   `[profiles.NAME]` (and `[faults]`, kept raw for the sandbox). Every key is optional except
//!   that a profile must be complete; unknown keys are errors.
//! - [`load_profile_file`] reads a standalone profile; [`validate_profile`] checks one in memory.
//! - [`resolve_settings`] matches a provider's settings against its plugin's manifest.

mod error;
mod profile;
mod reader;
mod settings;
mod tree;
mod validate;

#[cfg(test)]
mod tests;

pub use error::{ConfigError, Location, Problem};
pub use profile::{load_profile_file, profile_from_str, read_image, LoadedProfile};
pub(crate) use reader::closest;
pub use settings::{
    resolve_settings, suggested_env_var, ProviderConfig, ResolvedSettings, SettingSource,
};
pub use validate::{
    check_amount, check_country, check_currency, check_date_of_birth, check_email, check_one_of,
    check_phone, check_rfc3339, parse_date, validate_profile, validate_profile_on, FieldProblem,
    DOCUMENT_TYPES, EMPLOYMENT_STATUS, IDV_FIELDS, IDV_STATUSES, INDUSTRY, MAX_IMAGE_BYTES,
    SOURCE_OF_WEALTH, TAX_ID_TYPES, TRANSFER_VALUE, YEARLY_INCOME,
};

use crate::redact::ident;
use crate::sandbox::FaultSpec;
use error::Source;
use profile::{resolve, syntax_error};
use rampsim_plugin_sdk::Mode;
use reader::{Diag, Need, TableReader};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tree::{Key, Node, Value};

/// The whole configuration, with every relative path made absolute against the file's directory.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file as given (used in messages).
    pub path: PathBuf,
    /// The file's directory, absolute: relative paths in the file are relative to it.
    pub dir: PathBuf,
    pub app: AppConfig,
    pub sandbox: SandboxConfig,
    pub engine: EngineConfig,
    pub providers: BTreeMap<String, ProviderConfig>,
    pub profiles: BTreeMap<String, LoadedProfile>,
    /// `[faults]`: what the sandbox injects unless a run says otherwise (`--faults`).
    pub faults: Option<FaultSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppConfig {
    /// The provider a journey uses unless `--provider` says otherwise.
    pub provider: String,
    /// A name under `[profiles]` or a path (relative to the config file) to a profile file.
    pub profile: String,
    pub clock: ClockMode,
    /// Directories searched for plugin libraries before the executable's directory (absolute).
    pub plugin_paths: Vec<PathBuf>,
    /// Where saved transcripts go (absolute).
    pub journeys_dir: PathBuf,
    /// The log file (absolute).
    pub log_file: PathBuf,
}

impl AppConfig {
    fn defaults(dir: &Path) -> AppConfig {
        AppConfig {
            provider: "paxos".into(),
            profile: "billy".into(),
            clock: ClockMode::Real,
            plugin_paths: Vec::new(),
            journeys_dir: dir.join("journeys"),
            log_file: dir.join("rampsim.log"),
        }
    }
}

/// Which clock journeys wait on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ClockMode {
    #[default]
    Real,
    /// Waits advance time instantly (tests, batch runs).
    Virtual,
}

impl ClockMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockMode::Real => "real",
            ClockMode::Virtual => "virtual",
        }
    }
}

impl fmt::Display for ClockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ClockMode {
    type Err = String;
    fn from_str(s: &str) -> Result<ClockMode, String> {
        match s {
            "real" => Ok(ClockMode::Real),
            "virtual" => Ok(ClockMode::Virtual),
            other => Err(format!(
                "{other:?} is not a clock (expected \"real\" or \"virtual\")"
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SandboxConfig {
    /// Serve the plugins' fakes on loopback for providers in sandbox mode.
    pub enabled: bool,
    /// A fixed port for `rampsim sandbox`; `None` picks a free one.
    pub port: Option<u16>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            enabled: true,
            port: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    pub request_timeout_ms: u64,
    pub poll_initial_ms: u64,
    pub poll_max_ms: u64,
    /// `await_kyc` gives up (`timed_out`) after this much (virtual or real) time.
    pub kyc_deadline_ms: u64,
    pub max_retries: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            request_timeout_ms: 10_000,
            poll_initial_ms: 1_000,
            poll_max_ms: 30_000,
            kyc_deadline_ms: 1_800_000,
            max_retries: 3,
        }
    }
}

const ROOT_KEYS: &[&str] = &[
    "app",
    "sandbox",
    "engine",
    "providers",
    "profiles",
    "faults",
];
const APP_KEYS: &[&str] = &[
    "provider",
    "profile",
    "clock",
    "plugin_paths",
    "journeys_dir",
    "log_file",
];
const SANDBOX_KEYS: &[&str] = &["enabled", "port"];
const FAULT_RATES: &[&str] = &[
    "error_rate",
    "rate_limit_rate",
    "reset_rate",
    "hang_rate",
    "malformed_rate",
];
const FAULT_COUNTS: &[&str] = &["seed", "latency_ms", "retry_after_s"];
const FAULT_KEYS: &[&str] = &[
    "seed",
    "latency_ms",
    "retry_after_s",
    "error_rate",
    "rate_limit_rate",
    "reset_rate",
    "hang_rate",
    "malformed_rate",
];
const ENGINE_KEYS: &[&str] = &[
    "request_timeout_ms",
    "poll_initial_ms",
    "poll_max_ms",
    "kyc_deadline_ms",
    "max_retries",
];
const PROVIDER_KEYS: &[&str] = &["mode", "scenario", "profile", "settings", "endpoints"];

impl Config {
    /// Reads and checks config.toml. Every problem found is reported, each with its line.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::file(
                path,
                format!("cannot read config file {}: {e}", path.display()),
            )
        })?;
        Config::from_str(&text, path)
    }

    /// Parses config text; `path` is used for messages and as the base of relative paths.
    pub fn from_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let dir = absolute_dir(path);
        let src = Source::new(path, text);
        let entries = tree::parse(text).map_err(|e| syntax_error(&src, &e))?;
        let mut d = Diag::new(&src);
        let mut root = TableReader::new("", Some(0..0), &entries, ROOT_KEYS);

        let app = match root.table(&mut d, "app", Need::Optional, APP_KEYS) {
            Some(t) => read_app(&mut d, t, &dir),
            None => AppConfig::defaults(&dir),
        };
        let sandbox = match root.table(&mut d, "sandbox", Need::Optional, SANDBOX_KEYS) {
            Some(t) => read_sandbox(&mut d, t),
            None => SandboxConfig::default(),
        };
        let engine = match root.table(&mut d, "engine", Need::Optional, ENGINE_KEYS) {
            Some(t) => read_engine(&mut d, t),
            None => EngineConfig::default(),
        };
        let providers = match root.table(&mut d, "providers", Need::Optional, &[]) {
            Some(t) => read_providers(&mut d, t),
            None => BTreeMap::new(),
        };
        let profiles = match root.table(&mut d, "profiles", Need::Optional, &[]) {
            Some(t) => read_profiles(&mut d, t, &dir),
            None => BTreeMap::new(),
        };
        let faults = root
            .table(&mut d, "faults", Need::Optional, FAULT_KEYS)
            .map(|t| read_faults(&mut d, t));
        root.finish(&mut d);

        if !d.problems.is_empty() {
            return Err(ConfigError::sorted(d.problems));
        }
        Ok(Config {
            path: path.to_path_buf(),
            dir,
            app,
            sandbox,
            engine,
            providers,
            profiles,
            faults,
        })
    }

    /// Resolves `--profile NAME|PATH`: a name under `[profiles]`, else a path (relative to the
    /// current directory; failing that, to the config file's directory) to a standalone
    /// profile file.
    pub fn profile(&self, name_or_path: &str) -> Result<LoadedProfile, ConfigError> {
        // A configured name needs no look at the disk (batches ask thousands of times).
        if let Some(p) = self.profiles.get(name_or_path) {
            return Ok(p.clone());
        }
        let given = Path::new(name_or_path);
        let path = if given.is_file() {
            given.to_path_buf()
        } else {
            resolve(&self.dir, given)
        };
        self.find_profile(name_or_path, &path)
    }

    /// The profile `[app] profile` names: a name under `[profiles]`, else a path relative to the
    /// config file.
    pub fn default_profile(&self) -> Result<LoadedProfile, ConfigError> {
        let name = &self.app.profile;
        self.find_profile(name, &resolve(&self.dir, Path::new(name)))
    }

    fn find_profile(&self, name: &str, path: &Path) -> Result<LoadedProfile, ConfigError> {
        if let Some(p) = self.profiles.get(name) {
            return Ok(p.clone());
        }
        if path.is_file() {
            return load_profile_file(path);
        }
        // Names and paths the operator chose, marked so redaction shows them as written even
        // when one spells a profile's value (`[profiles.duncan]` for a Mr Duncan).
        let config = ident(self.path.display());
        let known = if self.profiles.is_empty() {
            format!("{config} defines no [profiles]")
        } else {
            let names: Vec<String> = self.profiles.keys().map(ident).collect();
            format!("profiles in {config}: {}", names.join(", "))
        };
        Err(ConfigError::single(Problem::new(
            None,
            "profile",
            format!(
                "\"{}\" is neither a profile name nor a profile file; {known}",
                ident(name)
            ),
        )))
    }

    /// The provider's config, or the default (sandbox, no scenario, no settings) when
    /// config.toml has none.
    pub fn provider(&self, id: &str) -> ProviderConfig {
        self.providers
            .get(id)
            .cloned()
            .unwrap_or_else(|| ProviderConfig::default_at(Location::file_only(&self.path)))
    }
}

/// The config file's directory, absolute (relative paths in the file are relative to it).
fn absolute_dir(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

fn read_app(d: &mut Diag, mut t: TableReader, dir: &Path) -> AppConfig {
    let mut app = AppConfig::defaults(dir);
    if let Some(g) = t.string(d, "provider", Need::Optional) {
        if g.value.is_empty() {
            d.report(g.span.as_ref(), &t.field("provider"), "must not be empty");
        }
        app.provider = g.value;
    }
    if let Some(g) = t.string(d, "profile", Need::Optional) {
        if g.value.is_empty() {
            d.report(g.span.as_ref(), &t.field("profile"), "must not be empty");
        }
        app.profile = g.value;
    }
    if let Some(g) = t.string(d, "clock", Need::Optional) {
        match g.value.parse() {
            Ok(c) => app.clock = c,
            Err(message) => d.report(g.span.as_ref(), &t.field("clock"), message),
        }
    }
    if let Some(g) = t.string_list(d, "plugin_paths", Need::Optional) {
        app.plugin_paths = g.value.iter().map(|p| resolve(dir, Path::new(p))).collect();
    }
    for (name, slot) in [
        ("journeys_dir", &mut app.journeys_dir),
        ("log_file", &mut app.log_file),
    ] {
        if let Some(g) = t.string(d, name, Need::Optional) {
            if g.value.is_empty() {
                d.report(g.span.as_ref(), &t.field(name), "must not be empty");
            }
            *slot = resolve(dir, Path::new(&g.value));
        }
    }
    t.finish(d);
    app
}

fn read_sandbox(d: &mut Diag, mut t: TableReader) -> SandboxConfig {
    let mut s = SandboxConfig::default();
    if let Some(g) = t.boolean(d, "enabled", Need::Optional) {
        s.enabled = g.value;
    }
    if let Some(g) = t.integer(d, "port", Need::Optional) {
        match u16::try_from(g.value) {
            Ok(port) => s.port = Some(port),
            Err(_) => d.report(
                g.span.as_ref(),
                &t.field("port"),
                format!("{} is not a port (expected 0 to 65535)", g.value),
            ),
        }
    }
    t.finish(d);
    s
}

/// `[faults]`, every key checked where it is written: counts are whole and not negative,
/// rates are between 0 and 1 and together at most 1.
fn read_faults(d: &mut Diag, mut t: TableReader) -> FaultSpec {
    let mut f = FaultSpec::default();
    for &name in FAULT_COUNTS {
        let Some(g) = t.integer(d, name, Need::Optional) else {
            continue;
        };
        match u64::try_from(g.value) {
            Ok(v) => match name {
                "seed" => f.seed = v,
                "latency_ms" => f.latency_ms = v,
                _ => f.retry_after_s = v,
            },
            Err(_) => d.report(
                g.span.as_ref(),
                &t.field(name),
                format!("{} is negative (expected 0 or more)", g.value),
            ),
        }
    }
    let mut last = None;
    for &name in FAULT_RATES {
        let Some(g) = t.number(d, name, Need::Optional) else {
            continue;
        };
        if !(0.0..=1.0).contains(&g.value) {
            d.report(
                g.span.as_ref(),
                &t.field(name),
                format!(
                    "{} is not a rate (expected 0 to 1: 0.3 is 30% of requests)",
                    g.value
                ),
            );
            continue;
        }
        *match name {
            "error_rate" => &mut f.error_rate,
            "rate_limit_rate" => &mut f.rate_limit_rate,
            "reset_rate" => &mut f.reset_rate,
            "hang_rate" => &mut f.hang_rate,
            _ => &mut f.malformed_rate,
        } = g.value;
        last = Some((name, g.span));
    }
    if let (Err(e), Some((name, span))) = (f.validate(), last) {
        // Each rate is fine alone; their sum is not: say so at the last one written.
        d.report(span.as_ref(), &t.field(name), e);
    }
    t.finish(d);
    f
}

fn read_engine(d: &mut Diag, mut t: TableReader) -> EngineConfig {
    let mut e = EngineConfig::default();
    let mut spans = BTreeMap::new();
    for (name, slot) in [
        ("request_timeout_ms", &mut e.request_timeout_ms),
        ("poll_initial_ms", &mut e.poll_initial_ms),
        ("poll_max_ms", &mut e.poll_max_ms),
        ("kyc_deadline_ms", &mut e.kyc_deadline_ms),
    ] {
        if let Some(g) = t.integer(d, name, Need::Optional) {
            match u64::try_from(g.value) {
                Ok(v) => *slot = v,
                Err(_) => d.report(
                    g.span.as_ref(),
                    &t.field(name),
                    format!("{} is negative (expected milliseconds, 0 or more)", g.value),
                ),
            }
            spans.insert(name, g.span);
        }
    }
    if let Some(g) = t.integer(d, "max_retries", Need::Optional) {
        match u32::try_from(g.value) {
            Ok(v) => e.max_retries = v,
            Err(_) => d.report(
                g.span.as_ref(),
                &t.field("max_retries"),
                format!(
                    "{} is not a retry count (expected 0 to {})",
                    g.value,
                    u32::MAX
                ),
            ),
        }
    }
    let span_of = |name: &str| {
        spans
            .get(name)
            .cloned()
            .flatten()
            .or_else(|| t.anchor.clone())
    };
    for name in ["request_timeout_ms", "poll_initial_ms"] {
        let value = if name == "request_timeout_ms" {
            e.request_timeout_ms
        } else {
            e.poll_initial_ms
        };
        if value == 0 && spans.contains_key(name) {
            d.report(
                span_of(name).as_ref(),
                &t.field(name),
                "must be more than 0",
            );
        }
    }
    if e.poll_initial_ms > e.poll_max_ms {
        d.report(
            span_of("poll_max_ms").as_ref(),
            &t.field("poll_max_ms"),
            format!(
                "{} is less than poll_initial_ms ({})",
                e.poll_max_ms, e.poll_initial_ms
            ),
        );
    }
    t.finish(d);
    e
}

fn read_providers(d: &mut Diag, mut t: TableReader) -> BTreeMap<String, ProviderConfig> {
    let mut out = BTreeMap::new();
    for (key, node) in t.take_all() {
        let field = t.field(&key.name);
        let Value::Table(entries) = &node.value else {
            d.report_broken(
                key.span.as_ref(),
                &field,
                format!(
                    "expected a table [{field}], found {}",
                    node.value.describe()
                ),
            );
            continue;
        };
        let anchor = reader::table_anchor(key, node);
        let location = d
            .src
            .location(anchor.as_ref())
            .unwrap_or_else(|| d.src.start());
        let mut p = TableReader::new(field.clone(), anchor, entries, PROVIDER_KEYS);
        let mut cfg = ProviderConfig::default_at(location);
        if let Some(g) = p.string(d, "mode", Need::Optional) {
            match g.value.as_str() {
                "sandbox" => cfg.mode = Mode::Sandbox,
                "live" => cfg.mode = Mode::Live,
                other => d.report(
                    g.span.as_ref(),
                    &p.field("mode"),
                    format!("{other:?} is not a mode (expected \"sandbox\" or \"live\")"),
                ),
            }
        }
        if let Some(g) = p.string(d, "scenario", Need::Optional) {
            if g.value.is_empty() {
                d.report(
                    g.span.as_ref(),
                    &p.field("scenario"),
                    "must not be empty (leave the key out for the default scenario)",
                );
            }
            cfg.scenario = Some(g.value);
            if let Some(at) = d.src.location(g.span.as_ref()) {
                cfg.key_locations.insert("scenario".into(), at);
            }
        }
        if let Some(g) = p.string(d, "profile", Need::Optional) {
            if g.value.is_empty() {
                d.report(
                    g.span.as_ref(),
                    &p.field("profile"),
                    "must not be empty (leave the key out for [app] profile)",
                );
            }
            cfg.profile = Some(g.value);
        }
        if let Some(mut s) = p.table(d, "endpoints", Need::Optional, &[]) {
            for (k, v) in s.take_all() {
                let field = s.field(&k.name);
                match &v.value {
                    Value::String(url) if is_http_url(url) => {
                        cfg.endpoints
                            .insert(k.name.clone(), url.trim_end_matches('/').to_string());
                        if let Some(at) = d.src.location(k.span.as_ref()) {
                            cfg.key_locations
                                .insert(format!("endpoints.{}", k.name), at);
                        }
                    }
                    _ => d.report(
                        v.span.as_ref().or(k.span.as_ref()),
                        &field,
                        "expected the endpoint's live base URL, an http(s) URL string",
                    ),
                }
            }
            s.finish(d);
        }
        if let Some(mut s) = p.table(d, "settings", Need::Optional, &[]) {
            for (k, v) in s.take_all() {
                if let Some(source) = read_setting(d, &s.field(&k.name), k, v) {
                    cfg.settings.insert(k.name.clone(), source);
                }
            }
            s.finish(d);
        }
        p.finish(d);
        out.insert(key.name.clone(), cfg);
    }
    t.finish(d);
    out
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// `name = "value"` or `name = { env = "VAR" }`.
fn read_setting(d: &mut Diag, field: &str, key: &Key, node: &Node) -> Option<SettingSource> {
    let span = key.span.as_ref().or(node.span.as_ref());
    let location = d.src.location(span).unwrap_or_else(|| d.src.start());
    let expected = "a string or { env = \"VARIABLE\" }";
    match &node.value {
        Value::String(value) => Some(SettingSource::Value {
            value: value.clone(),
            location,
        }),
        Value::Table(entries) => match entries.as_slice() {
            [(
                k,
                Node {
                    value: Value::String(var),
                    ..
                },
            )] if k.name == "env" => {
                let valid = !var.is_empty()
                    && !var.contains(['=', '\0'])
                    && !var.chars().any(char::is_whitespace);
                if valid {
                    Some(SettingSource::Env {
                        var: var.clone(),
                        location,
                    })
                } else {
                    d.report(
                        span,
                        field,
                        format!("{var:?} is not an environment variable name"),
                    );
                    None
                }
            }
            _ => {
                d.report(
                    span,
                    field,
                    format!("expected {expected}, found a table with other keys"),
                );
                None
            }
        },
        other => {
            d.report(
                span,
                field,
                format!("expected {expected}, found {}", other.describe()),
            );
            None
        }
    }
}

fn read_profiles(d: &mut Diag, mut t: TableReader, dir: &Path) -> BTreeMap<String, LoadedProfile> {
    let mut out = BTreeMap::new();
    for (key, node) in t.take_all() {
        let field = t.field(&key.name);
        let Value::Table(entries) = &node.value else {
            d.report_broken(
                key.span.as_ref(),
                &field,
                format!(
                    "expected a table [{field}], found {}",
                    node.value.describe()
                ),
            );
            continue;
        };
        let anchor = reader::table_anchor(key, node);
        let before = d.problems.len();
        let profile = profile::read_profile(d, &field, anchor.clone(), entries, dir);
        if d.problems.len() == before {
            let location = d
                .src
                .location(anchor.as_ref())
                .unwrap_or_else(|| d.src.start());
            out.insert(
                key.name.clone(),
                LoadedProfile {
                    name: key.name.clone(),
                    location,
                    profile,
                    file: None,
                },
            );
        }
    }
    t.finish(d);
    out
}
