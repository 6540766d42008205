//! Journeys through the real engine: the plugin's adapter driven by `Journey`, its requests
//! sent over HTTP to its own fake in a sandbox session on loopback, on a virtual clock, exactly
//! as `rampsim run --clock virtual` does.

use crate::clock::Clock;
use crate::journey::{EngineSettings, Event, EventSink, Finished, Journey, JourneySpec};
use crate::plugin::LoadedPlugin;
use crate::sandbox::Sandbox;
use rampsim_plugin_sdk::wire::{Mode, Profile};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static JOURNEYS: AtomicU64 = AtomicU64::new(0);

/// The settings a sandbox journey gets when config.toml sets none: the manifest's sandbox
/// values.
fn sandbox_settings(plugin: &LoadedPlugin) -> std::collections::BTreeMap<String, String> {
    plugin
        .manifest
        .settings
        .iter()
        .map(|s| (s.name.clone(), s.sandbox_value.clone().unwrap_or_default()))
        .collect()
}

/// A journey that ran to its end, and what went wrong inside the fake on the way (the adapter
/// saw only the sandbox's 500 in its place).
pub struct Ran {
    pub finished: Finished,
    pub fake_failures: Vec<String>,
}

impl Ran {
    /// The journey's end, after what the fake did wrong: `the fake panicked on POST /orders:
    /// ...; then the journey ended failed at create_order: ...`.
    pub fn describe(&self) -> String {
        match self.fake_failures.as_slice() {
            [] => describe(&self.finished),
            failures => format!(
                "{}; then the journey {}",
                failures.join("; "),
                describe(&self.finished)
            ),
        }
    }
}

/// Runs one journey of `scenario` to its end. `Err` when the journey could not start (the
/// sandbox session or the adapter refused).
pub async fn run_journey(
    plugin: &Arc<LoadedPlugin>,
    sandbox: &Sandbox,
    http: &reqwest::Client,
    scenario: &str,
    profile: &(String, Profile),
) -> Result<Ran, String> {
    let n = JOURNEYS.fetch_add(1, Ordering::Relaxed) + 1;
    let journey_id = format!("check-{n}");
    let clock = Arc::new(Clock::virtual_now());
    let session = sandbox
        .open_session(&journey_id, plugin, scenario, clock.clone())
        .map_err(|e| format!("cannot open a sandbox session: {e}"))?;
    let secrets = plugin
        .manifest
        .settings
        .iter()
        .filter(|s| s.secret)
        .filter_map(|s| s.sandbox_value.clone())
        .collect();
    let spec = JourneySpec {
        journey_id: journey_id.clone(),
        plugin: plugin.clone(),
        profile_name: profile.0.clone(),
        profile_file: None,
        profile: profile.1.clone(),
        settings: sandbox_settings(plugin),
        mode: Mode::Sandbox,
        scenario: Some(scenario.to_string()),
        base_urls: session.base_urls,
        clock,
        engine: EngineSettings::default(),
        jitter_seed: None,
        http: http.clone(),
        secrets,
        keep_alive: vec![Box::new(sandbox.session_guard(&journey_id))],
    };
    let sink: EventSink = Arc::new(|_e: Event| {});
    let mut journey =
        Journey::new(spec, sink).map_err(|e| format!("the adapter refused to start: {e}"))?;
    let finished = journey.run_to_end().await;
    // Read while the journey still holds the session open.
    let fake_failures = sandbox.fake_failures(&journey_id);
    Ok(Ran {
        finished,
        fake_failures,
    })
}

/// `ended rejected at await_kyc: KYC rejected`.
pub fn describe(f: &Finished) -> String {
    let at = f.stage.map(|s| format!(" at {s}")).unwrap_or_default();
    format!("ended {}{at}: {}", f.outcome, f.message)
}
