//! `rampsim plugin check PATH`: tells a plugin's author whether the library is right before it
//! ships. It loads the library through the host's own loader and checks, each on its own line:
//!
//! - `load`, `abi`, `protocol`, `manifest`: the handshake and the manifest rules;
//! - `profile`: the adapter accepts the profile the journeys use (the SDK's sample_profile
//!   unless `--profile` names another);
//! - `scenario <name>`: every declared scenario, run end to end by the real engine against the
//!   plugin's fake in a sandbox session on loopback (virtual clock), ends with its declared
//!   outcome;
//! - `malformed <stage>`: the adapter answers malformed, empty and unexpected responses (wrong
//!   status, HTML instead of JSON, truncated body...) at every request of the stage with an
//!   error, never a panic, never as a success (driven across the C ABI with the SDK's probes);
//! - `fake unknown routes`, `fake spoilt requests`: the fake answers routes it does not know
//!   with its 404 and a body, and spoilt requests without panicking;
//! - `concurrency`: eight threads at once load the library (manifest calls) and run journeys,
//!   engine and in-process, each ending as it does alone.
//!
//! The check never crashes on a bad plugin: the SDK's glue turns a plugin's panic into an error,
//! every check runs on a thread of its own under a time limit (a plugin call that never returns
//! is named, and the checks after it are not run: [`supervise`]), and a panic of the check's own
//! code is a failed check. A plugin built with `panic = "abort"` could not be survived; the SDK's
//! `export_plugin!` refuses to compile one.

mod journeys;
mod load;
mod report;
mod subject;
mod supervise;

pub use load::extra_manifest_rules;
pub use report::{CheckResult, PluginInfo, Report};
pub use subject::HostSubject;

use crate::cli::PluginCommand;
use crate::plugin::LoadedPlugin;
use crate::redact::{ident, Redactor};
use crate::sandbox::Sandbox;
use rampsim_plugin_sdk::testing::{
    probe_malformed_requests, probe_malformed_responses, probe_unknown_routes, run_journey,
    sample_profile, sandbox_init, StageProbe,
};
use rampsim_plugin_sdk::wire::{Outcome, PluginErrorKind, Profile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::Duration;
use supervise::Runner;

/// How long one plugin call, and one check, may take before it fails as hung (`--time-limit`).
pub const CHECK_TIME_LIMIT: Duration = Duration::from_secs(120);

/// Threads of the `concurrency` check.
pub const THREADS: usize = 8;

/// What to check, and with which profile.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub path: PathBuf,
    /// The profile's name (for the report) and the profile the journeys use.
    pub profile: (String, Profile),
    pub time_limit: Duration,
}

impl CheckOptions {
    /// Checks `path` with the SDK's sample profile.
    pub fn new(path: impl Into<PathBuf>) -> CheckOptions {
        CheckOptions {
            path: path.into(),
            profile: ("sample_profile".to_string(), sample_profile()),
            time_limit: CHECK_TIME_LIMIT,
        }
    }
}

/// `rampsim plugin ...`, dispatched before config.toml is required: a plugin's author may run
/// the check from a directory that has none.
pub fn main(config_path: &Path, command: &PluginCommand) -> i32 {
    match command {
        PluginCommand::Check {
            path,
            json,
            profile,
            time_limit,
        } => check_command(
            config_path,
            path,
            *json,
            profile.as_deref(),
            Duration::from_secs_f64(*time_limit),
        ),
    }
}

fn check_command(
    config_path: &Path,
    path: &Path,
    json: bool,
    profile: Option<&str>,
    time_limit: Duration,
) -> i32 {
    // config.toml is optional here; when present it names the log file and the profiles.
    let config = if config_path.is_file() {
        match crate::config::Config::load(config_path) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("rampsim: {}", crate::redact::global_redact(&e.to_string()));
                return 2;
            }
        }
    } else {
        None
    };
    let log_file = config
        .as_ref()
        .map(|c| c.app.log_file.clone())
        .unwrap_or_else(|| PathBuf::from("rampsim.log"));
    let _log = crate::logging::init(&log_file);
    // What the plugin prints goes to the log file (redacted), not into the report.
    let output = crate::output::Output::open(&log_file);
    let mut opts =
        CheckOptions::new(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    opts.time_limit = time_limit;
    if let Some(name) = profile {
        // A name under [profiles] (with a config), else a standalone profile file.
        let loaded = match &config {
            Some(config) => config.profile(name),
            None => crate::config::load_profile_file(Path::new(name)),
        };
        match loaded {
            Ok(p) => opts.profile = (p.name, p.profile),
            Err(e) => {
                output.err(format!(
                    "rampsim: {}",
                    crate::redact::global_redact(&e.to_string())
                ));
                return 2;
            }
        }
    }
    // The log file masks the profile's values too.
    crate::redact::pin_profiles([&opts.profile.1]);
    tracing::info!(path = %opts.path.display(), "plugin check");
    let report = run_checks(&opts, &mut |r: &CheckResult| {
        if !json {
            output.out(r.line());
        }
    });
    for c in report.checks.iter().filter(|c| !c.passed) {
        tracing::warn!(check = %c.name, "plugin check failed: {}", c.problems.join("; "));
    }
    if json {
        output.out(serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        output.out(report.summary());
    }
    report.exit_code
}

/// Runs every check on `opts.path`; `on_result` sees each result as it comes.
/// Every result is reported with the profile's values masked, whatever the plugin wrote.
pub fn run_checks(opts: &CheckOptions, on_result: &mut dyn FnMut(&CheckResult)) -> Report {
    let redactor = Redactor::for_journey(&[], &opts.profile.1);
    let on_result = &mut |r: &CheckResult| on_result(&r.redacted(&redactor));
    let mut checks: Vec<CheckResult> = Vec::new();
    let loaded = load::load(&opts.path);
    // The loader refused the file: the host cannot use it at all.
    let usable = loaded.plugin.is_some();
    for r in loaded.results {
        on_result(&r);
        checks.push(r);
    }
    let plugin_info = loaded.plugin.as_ref().map(|p| PluginInfo {
        id: p.manifest.id.clone(),
        name: p.manifest.name.clone(),
        version: p.manifest.version.clone(),
        protocol_version: p.manifest.protocol_version.clone(),
    });
    if let Some(plugin) = loaded.plugin {
        checks.extend(plugin_checks(&plugin, opts, on_result));
    }
    let checks: Vec<CheckResult> = checks.iter().map(|c| c.redacted(&redactor)).collect();
    let passed = checks.iter().all(|c| c.passed);
    Report {
        path: opts.path.clone(),
        plugin: plugin_info,
        profile: opts.profile.0.clone(),
        passed,
        exit_code: if !usable {
            3
        } else if passed {
            0
        } else {
            1
        },
        checks,
    }
}

/// The checks that need a loaded plugin.
fn plugin_checks(
    plugin: &Arc<LoadedPlugin>,
    opts: &CheckOptions,
    on_result: &mut dyn FnMut(&CheckResult),
) -> Vec<CheckResult> {
    let mut run = Runner::new(opts.time_limit, on_result);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .thread_name("check-runtime")
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            run.push(CheckResult::fail(
                "scenarios",
                format!("cannot start the async runtime: {e}"),
            ));
            return run.results;
        }
    };
    let sandbox = match runtime.block_on(Sandbox::start(0)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            run.push(CheckResult::fail(
                "scenarios",
                format!("cannot start the sandbox on 127.0.0.1: {e}"),
            ));
            runtime.shutdown_background();
            return run.results;
        }
    };
    let http = reqwest::Client::builder()
        .user_agent(concat!("rampsim-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default();
    let env = Env {
        plugin: plugin.clone(),
        profile: opts.profile.clone(),
        sandbox,
        http,
        handle: runtime.handle().clone(),
    };

    // Every other check runs journeys: an adapter that refuses the profile fails them all for
    // that one reason, so say it once.
    let e = env.clone();
    if !run.check("profile", move || profile_check(&e)) {
        drop(env);
        runtime.shutdown_background();
        return run.results;
    }

    // Every declared scenario through the real engine; the outcomes are the baseline of the
    // concurrency check.
    let mut engine_outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    for sc in &plugin.manifest.scenarios {
        let name = format!("scenario {}", sc.name);
        let (tx, rx) = std::sync::mpsc::channel();
        let e = env.clone();
        let scenario = sc.name.clone();
        let expected = sc.expected_outcome;
        let check_name = name.clone();
        run.check(&name, move || {
            let ran = e.journey(&scenario);
            if let Ok(r) = &ran {
                let _ = tx.send(r.finished.outcome);
            }
            match ran {
                Ok(r) if r.finished.outcome == expected && r.fake_failures.is_empty() => {
                    CheckResult::pass(check_name, format!("ended {expected} as declared"))
                }
                Ok(r) => CheckResult::fail(
                    check_name,
                    format!("{}; it declares {expected}", r.describe()),
                ),
                Err(why) => CheckResult::fail(check_name, why),
            }
        });
        if let Ok(o) = rx.try_recv() {
            engine_outcomes.insert(sc.name.clone(), o);
        }
    }

    // Malformed responses at every stage, across the C ABI.
    let e = env.clone();
    let probes = run.value("malformed responses", move || {
        probe_malformed_responses(&e.plugin.manifest, &e.profile.1, |init| {
            HostSubject::new(&e.plugin, init)
        })
    });
    match probes {
        Ok(probes) => {
            for p in probes {
                run.push(malformed_result(p));
            }
        }
        // Not run: one line per stage it would have checked.
        Err(r) if r.not_run => {
            for stage in plugin
                .manifest
                .stages
                .iter()
                .filter(|s| s.skipped.is_none())
            {
                run.skip(&format!("malformed {}", stage.stage));
            }
        }
        Err(r) => run.push(r),
    }

    // The fake: unknown routes, spoilt requests.
    let e = env.clone();
    run.check("fake unknown routes", move || {
        let p = probe_unknown_routes(&e.plugin.manifest, &e.profile.1, |init| {
            HostSubject::new(&e.plugin, init)
        });
        CheckResult::from_problems(
            "fake unknown routes",
            format!(
                "{} unknown requests refused with the fake's 404 and a body",
                p.cases
            ),
            p.problems,
        )
    });
    let e = env.clone();
    run.check("fake spoilt requests", move || {
        let p = probe_malformed_requests(&e.plugin.manifest, &e.profile.1, |init| {
            HostSubject::new(&e.plugin, init)
        });
        CheckResult::from_problems(
            "fake spoilt requests",
            format!("{} spoilt requests answered without a panic", p.cases),
            p.problems,
        )
    });

    // Several threads at once.
    let e = env.clone();
    let path = opts.path.clone();
    run.check("concurrency", move || {
        concurrency(&e, &path, &engine_outcomes)
    });

    drop(env);
    // A worker stuck in a plugin call must not keep the process from ending.
    runtime.shutdown_background();
    run.results
}

/// The adapter accepts the profile. Only a refusal of the profile (an `invalid` error) is
/// helped by another profile; a panic or another error is the plugin's to fix.
fn profile_check(e: &Env) -> CheckResult {
    let init = sandbox_init(
        &e.plugin.manifest,
        &e.profile.1,
        rampsim_plugin_sdk::testing::START_MS,
    );
    let profile = ident(&e.profile.0);
    if let Err(err) = e.plugin.new_adapter(&init) {
        let why = match err.kind {
            PluginErrorKind::Invalid => format!(
                "the adapter refuses profile {profile}: {}; run the check with --profile NAME|FILE naming a profile it accepts",
                err.message
            ),
            PluginErrorKind::Panic => {
                format!("Adapter::new panicked with profile {profile}: {}", err.message)
            }
            _ => format!(
                "Adapter::new failed with profile {profile}: {} (an error of kind {}, not `invalid`: not the profile's fault)",
                err.message,
                kind_name(err.kind)
            ),
        };
        return CheckResult::fail("profile", why);
    }
    if let Err(err) = e.plugin.new_fake() {
        return CheckResult::fail("profile", format!("Fake::new failed: {}", err.message));
    }
    CheckResult::pass("profile", format!("the adapter accepts profile {profile}"))
}

/// `other`, as the kind is spelt in the protocol.
fn kind_name(kind: PluginErrorKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// The line of one stage's malformed-answer probe.
fn malformed_result(p: StageProbe) -> CheckResult {
    let name = format!("malformed {}", p.stage);
    match (&p.scenario, &p.blocked) {
        // A scenario that should reach the stage failed before it: its own line says why.
        (None, Some(why)) if p.problems.is_empty() => {
            CheckResult::not_run(name, format!("not reached: {why}"))
        }
        (None, _) if p.problems.is_empty() => CheckResult::fail(
            name,
            format!(
                "no declared scenario reaches {}, so its answers cannot be checked: declare one that does",
                p.stage
            ),
        ),
        _ => CheckResult::from_problems(
            name,
            format!(
                "{} malformed answers at {} request(s) of scenario {}, each refused",
                p.cases,
                p.requests,
                p.scenario.as_deref().unwrap_or("-")
            ),
            p.problems,
        ),
    }
}

/// What the checks share: the plugin, the profile, the sandbox and a runtime to drive journeys.
#[derive(Clone)]
struct Env {
    plugin: Arc<LoadedPlugin>,
    profile: (String, Profile),
    sandbox: Arc<Sandbox>,
    http: reqwest::Client,
    handle: tokio::runtime::Handle,
}

impl Env {
    /// One engine journey, driven on the calling thread (the sandbox serves on the runtime's).
    fn journey(&self, scenario: &str) -> Result<journeys::Ran, String> {
        self.handle.block_on(journeys::run_journey(
            &self.plugin,
            &self.sandbox,
            &self.http,
            scenario,
            &self.profile,
        ))
    }
}

/// Eight threads, started together: each loads the library again (the handshake and manifest
/// calls), runs an engine journey, and runs every scenario in-process across the C ABI. Every
/// outcome must be the one the same journey reaches alone.
fn concurrency(env: &Env, path: &Path, engine_outcomes: &BTreeMap<String, Outcome>) -> CheckResult {
    let manifest = &env.plugin.manifest;
    let scenarios: Vec<String> = manifest.scenarios.iter().map(|s| s.name.clone()).collect();
    if scenarios.is_empty() {
        return CheckResult::fail("concurrency", "the manifest declares no scenario to run");
    }
    // Alone first: the in-process outcome of each scenario.
    let init = sandbox_init(
        manifest,
        &env.profile.1,
        rampsim_plugin_sdk::testing::START_MS,
    );
    let mut alone: BTreeMap<String, Result<Outcome, String>> = BTreeMap::new();
    for s in &scenarios {
        let r = HostSubject::new(&env.plugin, &init)
            .and_then(|mut subject| run_journey(&mut subject, manifest, s))
            .map(|r| r.outcome)
            .map_err(|e| e.message);
        alone.insert(s.clone(), r);
    }
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let env = env.clone();
            let path = path.to_path_buf();
            let barrier = barrier.clone();
            let scenarios = scenarios.clone();
            let alone = alone.clone();
            let engine_outcomes = engine_outcomes.clone();
            let init = init.clone();
            std::thread::Builder::new()
                .name(format!("check-concurrency-{t}"))
                .spawn(move || {
                    let mut problems = Vec::new();
                    barrier.wait();
                    match LoadedPlugin::load(&path) {
                        Ok(p) if p.manifest == env.plugin.manifest => {}
                        Ok(_) => problems.push(format!("thread {t}: the manifest differs from the first one")),
                        Err(e) => problems.push(format!("thread {t}: loading again failed: {e}")),
                    }
                    let scenario = &scenarios[t % scenarios.len()];
                    match (env.journey(scenario), engine_outcomes.get(scenario)) {
                        (Ok(r), Some(o)) if r.finished.outcome != *o => problems.push(format!(
                            "thread {t}: engine journey of scenario {scenario} {}, alone it ended {o}",
                            r.describe()
                        )),
                        (Err(e), _) => problems.push(format!("thread {t}: engine journey of scenario {scenario}: {e}")),
                        _ => {}
                    }
                    for s in &scenarios {
                        let r = HostSubject::new(&env.plugin, &init)
                            .and_then(|mut subject| run_journey(&mut subject, &env.plugin.manifest, s))
                            .map(|r| r.outcome)
                            .map_err(|e| e.message);
                        match (&r, alone.get(s)) {
                            (a, Some(b)) if a == b => {}
                            (Ok(o), Some(Ok(b))) => problems.push(format!(
                                "thread {t}: scenario {s} ended {o} in-process, alone it ended {b}"
                            )),
                            (Err(e), _) => problems.push(format!("thread {t}: scenario {s} in-process: {e}")),
                            (Ok(o), _) => problems.push(format!("thread {t}: scenario {s} ended {o}, alone it failed")),
                        }
                    }
                    problems
                })
        })
        .collect();
    let mut problems = Vec::new();
    for (t, h) in handles.into_iter().enumerate() {
        match h {
            Ok(h) => match h.join() {
                Ok(p) => problems.extend(p),
                Err(_) => problems.push(format!(
                    "thread {t}: the check's thread panicked (a bug in rampsim)"
                )),
            },
            Err(e) => problems.push(format!("cannot start thread {t}: {e}")),
        }
    }
    CheckResult::from_problems(
        "concurrency",
        format!(
            "{THREADS} threads at once: manifest calls, {THREADS} engine journeys and {} in-process journeys, each ending as alone",
            THREADS * scenarios.len()
        ),
        problems,
    )
}
