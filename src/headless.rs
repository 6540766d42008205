//! The commands without a UI: `run`, `plugins`, `sandbox`, `batch` (`replay` and `export` are
//! in [`crate::transcript`]).

use crate::cli::RunArgs;
use crate::host::{Host, RunOptions, SetupError};
use crate::journey::{Event, EventSink, Journey, StageState};
use crate::output::Output;
use crate::plugin::{discover, LoadedPlugin};
use crate::redact::SharedRedactor;
use crate::transcript::{Recorder, Redaction, TranscriptFile};
use rampsim_plugin_sdk::wire::Outcome;
use std::sync::Arc;

/// Exit status for a journey's outcome.
pub fn exit_code(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::OrderCreated => 0,
        Outcome::Rejected => 10,
        Outcome::ActionRequired => 11,
        Outcome::TimedOut => 12,
        Outcome::Failed => 13,
    }
}

/// `rampsim run`: one journey, printed as it goes.
pub async fn run(host: &Host, args: &RunArgs) -> i32 {
    let opts = RunOptions {
        provider: args.provider.clone(),
        scenario: args.scenario.clone(),
        profile: args.profile.clone(),
        clock: args.clock,
        allow_live: args.live,
        faults: args.faults.clone(),
        ..Default::default()
    };
    crate::redact::pin_profiles(host.config.profiles.values().map(|p| &p.profile));
    // Before any plugin is loaded: what a plugin prints goes to the log file, not into ours.
    let output = Output::open(&host.config.app.log_file);
    // The transcript file is created first: a path that is taken (or a symlink) is refused
    // before anything is sent.
    let redaction = if args.unredacted {
        Redaction::Unredacted
    } else {
        Redaction::Redacted
    };
    let file = match &args.transcript {
        Some(path) => match TranscriptFile::create(path) {
            Ok(f) => Some(f),
            Err(e) => {
                output.err(format!(
                    "rampsim: {}",
                    crate::redact::global_redact(&e.to_string())
                ));
                return 2;
            }
        },
        None => None,
    };
    let spec = match host.prepare(&opts).await {
        Ok(s) => s,
        Err(e) => return report_setup_error(&output, &e),
    };
    if let (Some(f), Redaction::Unredacted) = (&file, redaction) {
        output.err(format!(
            "rampsim: WARNING: the transcript {} will be UNREDACTED: it will contain real secrets and KYC data",
            f.path().display()
        ));
    }
    let redactor = SharedRedactor::for_journey(&spec.secrets, &spec.profile);
    output.keep(&redactor);
    let json = args.json;
    let shown = redactor.clone();
    let out = output.out_handle();
    let print: EventSink = Arc::new(move |e: Event| {
        // Every string of the event redacted (the profile's name, a config key, is kept).
        let e = shown.redact_event(&e);
        if json {
            crate::output::write_line(&out, e.to_public_json());
        } else if let Some(line) = human_line(&e) {
            crate::output::write_line(&out, line);
        }
    });
    let recorder = file.as_ref().map(|_| Recorder::new(&spec));
    let sink = match &recorder {
        Some(r) => r.tee(print),
        None => print,
    };
    let mut journey = match Journey::with_redactor(spec, sink, redactor.clone()) {
        Ok(j) => j,
        Err(e) => return report_setup_error(&output, &SetupError::Plugin(e)),
    };
    // Ctrl-C cancels the running stage; the journey says where it stopped and the transcript,
    // if asked for, still gets written. A plugin call that never returns holds this thread and
    // this select with it: the watchdog, on another thread, then ends the process, writing the
    // transcript of the journey so far. Whichever ends first writes it.
    let pending = Arc::new(std::sync::Mutex::new(file.zip(recorder)));
    let write_pending = {
        let (pending, redactor) = (pending.clone(), redactor.clone());
        move |so_far: &str| {
            let (file, recorder) = pending.lock().unwrap_or_else(|p| p.into_inner()).take()?;
            Some(write_transcript(
                &recorder, file, &redactor, redaction, so_far,
            ))
        }
    };
    let last_words: crate::interrupt::LastWords = {
        let write = write_pending.clone();
        Box::new(move || write(" of the journey so far").map(|r| r.unwrap_or_else(|e| e)))
    };
    let _watchdog = crate::interrupt::Watchdog::start(output.err_handle(), Some(last_words));
    let finished = tokio::select! {
        f = journey.run_to_end() => f,
        _ = tokio::signal::ctrl_c() => {
            let stage = journey.next_stage().unwrap_or(rampsim_plugin_sdk::wire::Stage::CreateOrder);
            journey.cancelled(stage)
        }
    };
    match write_pending("") {
        Some(Ok(said)) => output.err(format!("rampsim: {said}")),
        Some(Err(e)) => {
            output.err(format!("rampsim: {e}"));
            return 13;
        }
        None => {}
    }
    exit_code(finished.outcome)
}

/// Writes the transcript and says where (`so_far`: what it holds, after "transcript"); the
/// error, redacted, when it cannot.
fn write_transcript(
    recorder: &Recorder,
    file: TranscriptFile,
    redactor: &SharedRedactor,
    redaction: Redaction,
    so_far: &str,
) -> Result<String, String> {
    match recorder.write(file, &redactor.snapshot(), redaction) {
        Ok(path) if redaction == Redaction::Unredacted => Ok(format!(
            "UNREDACTED transcript{so_far} written to {}: it contains real secrets and KYC data; do not share it",
            path.display()
        )),
        Ok(path) => Ok(format!(
            "transcript{so_far} written to {} (redacted)",
            path.display()
        )),
        Err(e) => Err(crate::redact::global_redact(&e.to_string()).into_owned()),
    }
}

/// Prints a setup error on stderr, redacted (a plugin refusing a profile may quote a value).
fn report_setup_error(output: &Output, e: &SetupError) -> i32 {
    let msg = crate::redact::global_redact(&e.to_string()).into_owned();
    // The log writer redacts it: given `msg`, it would mask the identifiers redaction kept.
    tracing::error!("{e}");
    output.err(format!("rampsim: {msg}"));
    e.exit_code()
}

/// The readable form of an event, or `None` for events not worth a line.
pub fn human_line(e: &Event) -> Option<String> {
    Some(match e {
        Event::JourneyStarted {
            journey_id,
            provider,
            provider_version,
            scenario,
            profile,
            mode,
            virtual_clock,
            ..
        } => format!(
            "journey {journey_id} · {provider} {provider_version} · scenario {} · profile {profile} · {} · {} clock",
            scenario.as_deref().unwrap_or("-"),
            match mode {
                rampsim_plugin_sdk::Mode::Sandbox => "SANDBOX",
                rampsim_plugin_sdk::Mode::Live => "LIVE",
            },
            if *virtual_clock { "virtual" } else { "real" }
        ),
        Event::StageStarted { stage, label, .. } => format!("▶ {stage}: {label}"),
        Event::RequestSent { method, path, attempt, .. } => {
            if *attempt > 1 {
                format!("    → {method} {path} (attempt {attempt})")
            } else {
                format!("    → {method} {path}")
            }
        }
        Event::ResponseReceived { status, latency_ms, .. } => format!("    ← {status} ({latency_ms:.1} ms)"),
        Event::RequestFailed { error, will_retry, .. } => {
            format!("    ✗ {error}{}", if *will_retry { " (retrying)" } else { "" })
        }
        Event::StatusPolled {
            provider_status,
            next_poll_ms,
            poll,
            ..
        } => format!(
            "    … poll {}: {} — next poll in {:.1} s",
            poll + 1,
            provider_status.as_deref().unwrap_or("?"),
            *next_poll_ms as f64 / 1000.0
        ),
        Event::StageFinished { stage, state, message, .. } => {
            let mark = match state {
                StageState::Done => "✓",
                StageState::Skipped => "↷",
                StageState::Ended => "■",
                StageState::Failed => "✗",
                StageState::Cancelled => "⊘",
            };
            format!("{mark} {stage} {}: {message}", state.as_str())
        }
        Event::Log { .. } => return None,
        Event::JourneyFinished { finished, .. } => {
            outcome_lines(finished, finished.kyc_status.map(|k| k.as_str()).unwrap_or("-"))
        }
    })
}

/// The journey's outcome in three lines at most, with `kyc` as the KYC status (the terminal
/// UI says how current it is when stages ran out of order).
pub fn outcome_lines(finished: &crate::journey::Finished, kyc: &str) -> String {
    let mut s = format!(
        "outcome: {} (kyc {kyc}, provider {}, order {})",
        finished.outcome,
        finished.provider_status.as_deref().unwrap_or("-"),
        finished.order_id.as_deref().unwrap_or("-"),
    );
    s.push_str(&format!("\n  {}", finished.message));
    if let Some(n) = &finished.next_step {
        s.push_str(&format!("\n  next step: {n}"));
    }
    s
}

/// `rampsim batch`.
pub async fn batch(host: &Host, args: &crate::cli::BatchArgs) -> i32 {
    use std::io::IsTerminal;
    // Asked before stderr is redirected: is the operator watching a terminal?
    let on_terminal = !args.json && std::io::stderr().is_terminal();
    // The base profiles are masked in the log file whatever a plugin prints; each generated
    // user's values while its journey lives.
    crate::redact::pin_profiles(host.config.profiles.values().map(|p| &p.profile));
    let output = Output::open(&host.config.app.log_file);
    let opts = crate::batch::BatchOptions {
        provider: args.provider.clone(),
        scenario: args.scenario.clone(),
        profile: args.profile.clone(),
        count: args.count,
        concurrency: args.concurrency,
        faults: args.faults.clone(),
        clock: args.clock,
        progress: on_terminal.then(|| output.err_file()).flatten(),
    };
    let summary = match crate::batch::run_batch(host, &opts).await {
        Ok(s) => s,
        Err(e) => return report_setup_error(&output, &e),
    };
    if args.json {
        output.out(serde_json::to_string(&summary).unwrap_or_default());
    } else {
        output.out(format!(
            "{} journeys of {} / {} in {:.0} ms ({:.0} journeys/s)",
            summary.journeys,
            summary.provider,
            summary.scenario.as_deref().unwrap_or("-"),
            summary.wall_ms,
            summary.journeys_per_second
        ));
        let outcomes: Vec<String> = summary
            .outcomes
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        output.out(format!("outcomes: {}", outcomes.join(", ")));
        output.out(format!(
            "orders created: {} · users with more than one order: {}",
            summary.orders_created, summary.users_with_more_than_one_order
        ));
        let per_user: Vec<String> = summary
            .users_by_order_count
            .iter()
            .map(|(orders, users)| format!("{users} with {orders}"))
            .collect();
        output.out(format!("users by orders: {}", per_user.join(", ")));
        output.out(format!(
            "journey latency: p50 {:.2} ms · p99 {:.2} ms",
            summary.latency_ms_p50, summary.latency_ms_p99
        ));
        if let Some(mb) = summary.peak_rss_mb {
            output.out(format!("peak memory: {mb:.1} MB"));
        }
        for f in &summary.sample_failures {
            output.out(format!("  failed: {f}"));
        }
    }
    if summary.users_with_more_than_one_order > 0 {
        13
    } else {
        0
    }
}

/// `rampsim plugins`.
pub fn plugins(host: &Host, json: bool) -> i32 {
    // Plugin code runs only while the libraries load (their manifests): what it prints then
    // goes to the log file, and the listing below goes to the terminal as usual.
    let d = {
        let _plugin_output_to_log = Output::open(&host.config.app.log_file);
        discover(&host.dirs)
    };
    if json {
        let v = serde_json::json!({
            "searched": d.searched,
            "plugins": d.plugins.iter().map(|p| serde_json::json!({
                "path": p.path, "manifest": p.manifest,
            })).collect::<Vec<_>>(),
            "failed": d.failed.iter().map(|f| serde_json::json!({
                "path": f.path, "error": f.error.to_string(),
            })).collect::<Vec<_>>(),
            "shadowed": d.shadowed,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!(
            "searched: {}",
            d.searched
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        for p in &d.plugins {
            print_manifest(p);
        }
        if d.plugins.is_empty() {
            println!("no plugins found");
        }
        for f in &d.failed {
            // The error names the file first.
            println!("FAILED {}", f.error);
        }
        // Grouped by directory: running from target/release, the bundled directory repeats all.
        let mut by_dir: std::collections::BTreeMap<_, Vec<String>> = Default::default();
        for p in &d.shadowed {
            by_dir
                .entry(p.parent().unwrap_or(p).display().to_string())
                .or_default()
                .push(
                    p.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                );
        }
        for (dir, files) in by_dir {
            println!(
                "not loaded (a directory searched earlier has the same file): {dir}: {}",
                files.join(", ")
            );
        }
    }
    if d.failed.is_empty() {
        0
    } else {
        3
    }
}

fn print_manifest(p: &LoadedPlugin) {
    let m = &p.manifest;
    println!(
        "\n{} {} — {} (protocol {})",
        m.id, m.version, m.name, m.protocol_version
    );
    println!("  file: {}", p.path.display());
    for s in &m.stages {
        match &s.skipped {
            Some(r) => println!("  stage {:<16} skipped: {r}", s.stage.as_str()),
            None => println!("  stage {:<16} {}", s.stage.as_str(), s.label),
        }
    }
    for e in &m.endpoints {
        println!("  endpoint {:<10} {}", e.name, e.live_base_url);
    }
    for s in &m.settings {
        println!(
            "  setting {:<20} {}{}",
            s.name,
            if s.secret { "secret · " } else { "" },
            s.description
        );
    }
    for s in &m.scenarios {
        println!(
            "  scenario {:<24} → {:<16} {}",
            s.name,
            s.expected_outcome.as_str(),
            s.description
        );
    }
}

/// `rampsim sandbox`: serve every fake (or one provider's), one session per scenario, until
/// Ctrl-C.
pub async fn sandbox(host: &Host, port: Option<u16>, only: Option<&str>) -> i32 {
    // Clients send the configured people's data to the fakes: masked in the log file.
    crate::redact::pin_profiles(host.config.profiles.values().map(|p| &p.profile));
    // Before any plugin is loaded: what a fake prints goes to the log file.
    let output = Output::open(&host.config.app.log_file);
    let d = discover(&host.dirs);
    for f in &d.failed {
        // The error names the file first.
        output.err(format!("rampsim: skipping {}", f.error));
    }
    if let Some(id) = only.filter(|id| !d.plugins.iter().any(|p| p.manifest.id == *id)) {
        if !d.plugins.is_empty() {
            let installed = d.plugins.iter().map(|p| p.manifest.id.clone()).collect();
            output.err(format!(
                "rampsim: sandbox --provider: {}",
                crate::host::unknown_provider_message(id, &installed)
            ));
            return 2;
        }
    }
    let port = port.or(host.config.sandbox.port).unwrap_or(0);
    let sandbox = match crate::sandbox::Sandbox::start(port).await {
        Ok(s) => s,
        Err(e) => {
            output.err(format!(
                "rampsim: cannot listen on 127.0.0.1:{port}: {e}; choose another with --port or [sandbox] port"
            ));
            return if crate::sandbox::chosen_port_taken(port, &e) {
                2
            } else {
                13
            };
        }
    };
    let clock = Arc::new(crate::clock::Clock::real());
    let mut served = 0;
    for p in d
        .plugins
        .iter()
        .filter(|p| only.is_none_or(|o| o == p.manifest.id))
    {
        output.out(format!("{} {}", p.manifest.id, p.manifest.version));
        for (i, s) in p.manifest.scenarios.iter().enumerate() {
            let key = format!("{}.{}", p.manifest.id, s.name);
            match sandbox.open_session(&key, p, &s.name, clock.clone()) {
                Ok(info) => {
                    for (name, url) in &info.base_urls {
                        output.out(format!("  {:<24} {:<8} {url}", s.name, name));
                    }
                    if i == 0 {
                        // The default scenario is also served under the bare provider id.
                        let _ = sandbox.open_session(&p.manifest.id, p, &s.name, clock.clone());
                    }
                    served += 1;
                }
                Err(e) => output.err(format!("rampsim: {}: {e}", p.manifest.id)),
            }
        }
    }
    if served == 0 {
        output.err(format!(
            "rampsim: no plugin to serve (searched {:?})",
            d.searched
        ));
        return 3;
    }
    output.out(format!(
        "\nserving on http://{} — Ctrl-C to stop",
        sandbox.addr()
    ));
    let _ = tokio::signal::ctrl_c().await;
    0
}
