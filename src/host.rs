//! Turns config.toml and a run's options into a ready journey: finds and loads the plugin,
//! resolves its settings, picks scenario, profile and clock, and opens a sandbox session.

use crate::clock::Clock;
use crate::config::{resolve_settings, ClockMode, Config, ConfigError};
use crate::journey::{EngineSettings, JourneySpec};
use crate::plugin::{find_plugin, search_dirs, CallError, LoadError, LoadedPlugin};
use crate::sandbox::{FaultSpec, Sandbox};
use rampsim_plugin_sdk::wire::Mode;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a run may override from config.toml.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub provider: Option<String>,
    pub scenario: Option<String>,
    pub profile: Option<String>,
    pub clock: Option<ClockMode>,
    /// The operator allowed requests to a live provider (`--live`, or the TUI's confirmation).
    pub allow_live: bool,
    /// A profile given directly (batch runs generate one per journey), with its name.
    pub profile_override: Option<(String, rampsim_plugin_sdk::Profile)>,
    /// Faults injected into this journey's sandbox session (default: config's `[faults]`).
    pub faults: Option<FaultSpec>,
    /// Which of the seed's streams of faults the journey draws from (default: the journey's
    /// number in this process). A batch names each user's, so the same user meets the same
    /// faults in every run whatever order the journeys start in.
    pub fault_stream: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Load(#[from] LoadError),
    #[error("{0}")]
    Plugin(#[from] CallError),
    #[error("{0}")]
    Io(String),
}

impl SetupError {
    /// The exit status `rampsim` uses for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            SetupError::Config(_) | SetupError::Usage(_) => 2,
            SetupError::Plugin(e) if e.kind == rampsim_plugin_sdk::PluginErrorKind::Invalid => 2,
            SetupError::Load(_) | SetupError::Plugin(_) => 3,
            SetupError::Io(_) => 13,
        }
    }
}

/// The host's shared state: config, loaded plugins, the HTTP client and the sandbox server.
pub struct Host {
    pub config: Config,
    pub dirs: Vec<PathBuf>,
    pub http: reqwest::Client,
    plugins: Mutex<HashMap<String, Arc<LoadedPlugin>>>,
    sandbox: tokio::sync::OnceCell<Arc<Sandbox>>,
    journeys: AtomicU64,
    /// Every `[providers.ID]` names a plugin found, checked once.
    provider_tables: std::sync::OnceLock<Result<(), String>>,
}

impl Host {
    pub fn new(config: Config) -> Host {
        let dirs = search_dirs(&config.app.plugin_paths);
        let http = reqwest::Client::builder()
            .user_agent(concat!("rampsim/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Host {
            config,
            dirs,
            http,
            plugins: Mutex::new(HashMap::new()),
            sandbox: tokio::sync::OnceCell::new(),
            journeys: AtomicU64::new(0),
            provider_tables: std::sync::OnceLock::new(),
        }
    }

    /// A `[providers.ID]` one typo away from an installed plugin's id is refused: the table
    /// would be ignored and the provider it meant run with none of its settings. A table for a
    /// plugin not installed here (a config shared between machines) is only logged.
    fn check_provider_tables(&self) -> Result<(), SetupError> {
        self.provider_tables
            .get_or_init(|| {
                let found = crate::plugin::library_ids(&self.dirs);
                let ids: Vec<&str> = found.iter().map(String::as_str).collect();
                for (id, p) in &self.config.providers {
                    if found.contains(id) {
                        continue;
                    }
                    if let Some(meant) = crate::config::closest(id, &ids) {
                        return Err(format!(
                            "{}: [providers.{id}]: no plugin `{id}` is installed; did you mean `{meant}`? (found: {})",
                            p.location,
                            ids.join(", ")
                        ));
                    }
                    tracing::warn!(
                        "{}: [providers.{id}]: no plugin `{id}` is installed here; its table is not used",
                        p.location
                    );
                }
                Ok(())
            })
            .clone()
            .map_err(SetupError::Usage)
    }

    /// Loads plugin `id` once; later calls share it.
    pub fn plugin(&self, id: &str) -> Result<Arc<LoadedPlugin>, LoadError> {
        let mut plugins = self.plugins.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = plugins.get(id) {
            return Ok(p.clone());
        }
        let p = Arc::new(find_plugin(id, &self.dirs)?);
        plugins.insert(id.to_string(), p.clone());
        Ok(p)
    }

    /// A provider no installed plugin has is a usage error naming the ones that are (and the
    /// likeliest one meant); with none installed at all, the search itself failed (exit 3).
    fn unknown_provider(&self, id: &str, e: LoadError) -> SetupError {
        let LoadError::NotFound { searched, .. } = &e else {
            return e.into();
        };
        let installed = crate::plugin::library_ids(&self.dirs);
        if installed.is_empty() {
            return e.into();
        }
        // Where it looked, for a plugin that is installed somewhere rampsim does not search.
        let looked: Vec<String> = searched.iter().map(|p| p.display().to_string()).collect();
        SetupError::Usage(format!(
            "{} (looked for {})",
            unknown_provider_message(id, &installed),
            looked.join(", ")
        ))
    }

    /// The loopback server, started on first use.
    pub async fn sandbox(&self) -> Result<Arc<Sandbox>, SetupError> {
        let port = self.config.sandbox.port.unwrap_or(0);
        self.sandbox
            .get_or_try_init(|| async move {
                Sandbox::start(port).await.map(Arc::new).map_err(|e| {
                    let message = format!("cannot start the sandbox on 127.0.0.1:{port}: {e}");
                    if crate::sandbox::chosen_port_taken(port, &e) {
                        SetupError::Usage(format!(
                            "{message}; choose another with [sandbox] port in {}",
                            self.config.path.display()
                        ))
                    } else {
                        SetupError::Io(message)
                    }
                })
            })
            .await
            .cloned()
    }

    pub fn engine_settings(&self) -> EngineSettings {
        let e = &self.config.engine;
        EngineSettings {
            request_timeout: Duration::from_millis(e.request_timeout_ms),
            poll_initial: Duration::from_millis(e.poll_initial_ms),
            poll_max: Duration::from_millis(e.poll_max_ms),
            kyc_deadline: Duration::from_millis(e.kyc_deadline_ms),
            max_retries: e.max_retries,
        }
    }

    /// Everything a journey needs, from config and `opts`.
    pub async fn prepare(&self, opts: &RunOptions) -> Result<JourneySpec, SetupError> {
        let provider = opts
            .provider
            .clone()
            .unwrap_or_else(|| self.config.app.provider.clone());
        self.check_provider_tables()?;
        let plugin = self
            .plugin(&provider)
            .map_err(|e| self.unknown_provider(&provider, e))?;
        let pcfg = self.config.provider(&provider);
        if pcfg.mode == Mode::Live && !opts.allow_live {
            return Err(SetupError::Usage(format!(
                "provider `{provider}` is configured live (providers.{provider}.mode in {}): pass --live to send real requests with real KYC data",
                self.config.path.display()
            )));
        }
        // Live journeys never use the sandbox; sandbox ones need it switched on.
        if pcfg.mode == Mode::Sandbox && !self.config.sandbox.enabled {
            return Err(SetupError::Usage(format!(
                "provider `{provider}` is in sandbox mode but [sandbox] enabled = false in {}",
                self.config.path.display()
            )));
        }
        if let Some(unknown) = pcfg
            .endpoints
            .keys()
            .find(|n| plugin.manifest.endpoint(n).is_none())
        {
            let known: Vec<&str> = plugin
                .manifest
                .endpoints
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            return Err(SetupError::Usage(format!(
                "{}: providers.{provider}.endpoints.{unknown}: plugin `{provider}` has no endpoint `{unknown}`; it has: {}",
                pcfg.location_of(&format!("endpoints.{unknown}")),
                known.join(", ")
            )));
        }
        let scenario = match opts.scenario.clone().or_else(|| pcfg.scenario.clone()) {
            Some(s) => s,
            None => plugin
                .manifest
                .default_scenario()
                .map(|s| s.name.clone())
                .ok_or_else(|| {
                    SetupError::Usage(format!("plugin `{provider}` declares no scenario"))
                })?,
        };
        if pcfg.mode == Mode::Sandbox && plugin.manifest.scenario(&scenario).is_none() {
            let known: Vec<&str> = plugin
                .manifest
                .scenarios
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            // Named by the config (not the command line): say where.
            let at = match opts.scenario {
                None => format!(
                    "{}: providers.{provider}.scenario: ",
                    pcfg.location_of("scenario")
                ),
                Some(_) => String::new(),
            };
            return Err(SetupError::Usage(format!(
                "{at}plugin `{provider}` has no scenario `{scenario}`; it has: {}",
                known.join(", ")
            )));
        }
        let (profile_name, profile_file, profile) = match &opts.profile_override {
            Some((name, p)) => (name.clone(), None, p.clone()),
            None => {
                let profile_ref = opts
                    .profile
                    .clone()
                    .or_else(|| pcfg.profile.clone())
                    .unwrap_or_else(|| self.config.app.profile.clone());
                let loaded = self.config.profile(&profile_ref)?;
                (loaded.name, loaded.file, loaded.profile)
            }
        };
        let faults = match &opts.faults {
            Some(f) => Some(f.clone()),
            None => self.config.faults.clone(),
        };
        let env = |name: &str| std::env::var(name).ok();
        let settings = resolve_settings(&provider, &pcfg, &plugin.manifest, &env)?;
        // A live provider is never polled on the virtual clock: its waits would pass at once
        // and the polls and retries reach the real provider in a burst.
        let clock_mode = match (pcfg.mode, opts.clock) {
            (Mode::Live, Some(ClockMode::Virtual)) => {
                return Err(SetupError::Usage(format!(
                    "provider `{provider}` is live: it runs on the real clock (--clock virtual would send its polls and retries without waiting)"
                )))
            }
            (Mode::Live, _) => ClockMode::Real,
            (Mode::Sandbox, asked) => asked.unwrap_or(self.config.app.clock),
        };
        let clock = Arc::new(match clock_mode {
            ClockMode::Real => Clock::real(),
            ClockMode::Virtual => Clock::virtual_now(),
        });
        let n = self.journeys.fetch_add(1, Ordering::Relaxed) + 1;
        let journey_id = format!("j{n}-{:08x}", rand::random::<u32>());
        let mut keep_alive: Vec<Box<dyn std::any::Any + Send + Sync>> = Vec::new();
        let mut jitter_seed = None;
        let base_urls = match pcfg.mode {
            Mode::Sandbox => {
                let sandbox = self.sandbox().await?;
                // Faults are drawn by the journey's number, not its id (whose suffix is random),
                // so the same seed replays the same faults: journey 3 of a batch meets the
                // same ones in every run.
                let stream = opts.fault_stream.clone().unwrap_or_else(|| format!("j{n}"));
                jitter_seed = faults
                    .as_ref()
                    .filter(|f| !f.is_none())
                    .map(|f| crate::sandbox::stream_seed(f.seed, &stream));
                let info = sandbox.open_session_with_faults(
                    &journey_id,
                    &plugin,
                    &scenario,
                    clock.clone(),
                    faults.map(|f| (f, stream.as_str())),
                )?;
                keep_alive.push(Box::new(sandbox.session_guard(&journey_id)));
                info.base_urls
            }
            Mode::Live => plugin
                .manifest
                .endpoints
                .iter()
                .map(|e| {
                    let url = pcfg
                        .endpoints
                        .get(&e.name)
                        .cloned()
                        .unwrap_or_else(|| e.live_base_url.clone());
                    (e.name.clone(), url.trim_end_matches('/').to_string())
                })
                .collect(),
        };
        Ok(JourneySpec {
            journey_id,
            plugin,
            profile_name,
            profile_file,
            profile,
            secrets: settings.secret_values(),
            settings: settings.expose_all(),
            mode: pcfg.mode,
            scenario: (pcfg.mode == Mode::Sandbox).then_some(scenario),
            base_urls,
            clock,
            engine: self.engine_settings(),
            jitter_seed,
            http: self.http.clone(),
            keep_alive,
        })
    }
}

/// `no plugin `Paxos`; installed: crossmint, paxos; did you mean `paxos`?`
pub fn unknown_provider_message(
    id: &str,
    installed: &std::collections::BTreeSet<String>,
) -> String {
    let names: Vec<&str> = installed.iter().map(String::as_str).collect();
    let hint = crate::config::closest(&id.to_ascii_lowercase(), &names)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
    format!(
        "no plugin `{id}` is installed; installed: {}{hint}",
        names.join(", ")
    )
}
