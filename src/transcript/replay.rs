//! `rampsim replay TRANSCRIPT`: runs a saved journey's inputs again against the sandbox, on the
//! virtual clock, and reports stage by stage where the new run differs from the saved one.
//!
//! Inputs: the provider and scenario saved in the transcript (`--scenario` plays another of the
//! fake's scenarios instead: "what if the provider had denied"); the profile found again by
//! the name or file the transcript records (a redacted transcript cannot carry the real
//! profile), or `--profile`; the stages in the saved order.
//!
//! Compared, for each stage run: the requests in order (method, path with ids replaced by
//! `{id}`, status code or `failed`), the provider statuses seen, the KYC status and the state
//! the stage ended in; then the journey's outcome, KYC status and provider status. Repeated
//! identical polls count once (how many polls a review takes depends on the backoff's jitter),
//! and ids, times and latencies are not compared.
//!
//! Exit status: 0 when the runs match, 1 when they differ, 2 for a usage or configuration
//! error (an unreadable transcript, a profile not found, a provider configured live), 3 when
//! the plugin cannot be loaded or fails.

use super::{read, Recorder};
use crate::cli::ReplayArgs;
use crate::config::ClockMode;
use crate::host::{Host, RunOptions, SetupError};
use crate::journey::Journey;
use crate::output::Output;
use crate::redact::{global_redact, redact_json, SharedRedactor};
use rampsim_plugin_sdk::wire::Mode;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// One stage run, as the comparison sees it.
#[derive(Serialize, Debug, Clone, PartialEq, Default)]
pub struct StageRun {
    pub stage: String,
    /// `METHOD /path/{id} STATUS`, repeated identical ones once.
    pub requests: Vec<String>,
    pub provider_statuses: Vec<String>,
    pub kyc_status: Option<String>,
    pub state: Option<String>,
    #[serde(skip)]
    finished_before: bool,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StageComparison {
    /// 1-based position in the stage sequence.
    pub index: usize,
    pub stage: String,
    pub same: bool,
    pub differences: Vec<String>,
    pub saved: Option<StageRun>,
    pub replay: Option<StageRun>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Ending {
    pub outcome: Option<String>,
    pub kyc_status: Option<String>,
    pub provider_status: Option<String>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct FirstDifference {
    /// 1-based position in the stage sequence.
    pub index: usize,
    pub stage: String,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Report {
    pub matches: bool,
    /// The first stage run that differs, if any.
    pub first_difference: Option<FirstDifference>,
    pub stages: Vec<StageComparison>,
    pub saved_outcome: Ending,
    pub replay_outcome: Ending,
    pub outcome_differences: Vec<String>,
    /// Things worth knowing that are not differences (another plugin version, another scenario).
    pub notes: Vec<String>,
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

/// `/v2/identities/1f2e3d4c-.../orders?x=1` -> `/v2/identities/{id}/orders`. A segment that
/// holds a mask (`user-…-001`, `[REDACTED]`) is `{masked}`: the value under it cannot be
/// compared, and replaying with another profile (`--profile`) changes it.
fn path_template(path: &str) -> String {
    let p = path.split(['?', '#']).next().unwrap_or("");
    p.split('/')
        .map(|seg| {
            let digits = seg.chars().filter(char::is_ascii_digit).count();
            if seg.contains('…') || seg.contains("[REDACTED]") || seg.contains("%E2%80%A6") {
                "{masked}"
            } else if digits >= 4 || (seg.len() >= 12 && digits > 0) {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn dedup(v: &mut Vec<String>) {
    v.dedup();
}

/// Splits `--json` events into stage runs, and the last `journey_finished`.
pub fn stage_runs(events: &[Value]) -> (Vec<StageRun>, Option<Value>) {
    let mut runs: Vec<StageRun> = Vec::new();
    let mut finished = None;
    let mut finished_since_stage = false;
    // exchange -> (run, request index)
    let mut pending: HashMap<u64, (usize, usize)> = HashMap::new();
    let mut requests: Vec<Vec<(String, String, Option<String>)>> = Vec::new();
    for e in events {
        let kind = e.get("event").and_then(Value::as_str).unwrap_or("");
        match kind {
            "stage_started" => {
                runs.push(StageRun {
                    stage: s(e, "stage").unwrap_or_default(),
                    finished_before: finished_since_stage,
                    ..StageRun::default()
                });
                requests.push(Vec::new());
                finished_since_stage = false;
            }
            "request_sent" => {
                let Some(i) = runs.len().checked_sub(1) else {
                    continue;
                };
                let ex = e.get("exchange").and_then(Value::as_u64).unwrap_or(0);
                pending.insert(ex, (i, requests[i].len()));
                requests[i].push((
                    s(e, "method").unwrap_or_default(),
                    path_template(&s(e, "path").unwrap_or_default()),
                    None,
                ));
            }
            "response_received" | "request_failed" => {
                let ex = e.get("exchange").and_then(Value::as_u64).unwrap_or(0);
                if let Some(&(i, j)) = pending.get(&ex) {
                    requests[i][j].2 = Some(match e.get("status").and_then(Value::as_u64) {
                        Some(st) if kind == "response_received" => st.to_string(),
                        _ => "failed".into(),
                    });
                }
            }
            "status_polled" => {
                if let (Some(r), Some(p)) = (runs.last_mut(), s(e, "provider_status")) {
                    r.provider_statuses.push(p);
                }
            }
            "stage_finished" => {
                if let Some(r) = runs.last_mut() {
                    if let Some(p) = s(e, "provider_status") {
                        r.provider_statuses.push(p);
                    }
                    r.kyc_status = s(e, "kyc_status");
                    r.state = s(e, "state");
                }
            }
            "journey_finished" => {
                finished = Some(e.clone());
                finished_since_stage = true;
            }
            _ => {}
        }
    }
    for (r, reqs) in runs.iter_mut().zip(requests) {
        r.requests = reqs
            .into_iter()
            .map(|(m, p, st)| format!("{m} {p} {}", st.unwrap_or_else(|| "no response".into())))
            .collect();
        dedup(&mut r.requests);
        dedup(&mut r.provider_statuses);
    }
    (runs, finished)
}

fn ending(v: Option<&Value>) -> Ending {
    Ending {
        outcome: v.and_then(|v| s(v, "outcome")),
        kyc_status: v.and_then(|v| s(v, "kyc_status")),
        provider_status: v.and_then(|v| s(v, "provider_status")),
    }
}

fn show(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(" → ")
    }
}

/// Records `label: saved X, replay Y` when the two optional values differ.
fn differ(out: &mut Vec<String>, label: &str, saved: &Option<String>, replay: &Option<String>) {
    if saved != replay {
        out.push(format!(
            "{label}: saved {}, replay {}",
            show(saved),
            show(replay)
        ));
    }
}

fn compare_runs(saved: &StageRun, replay: &StageRun) -> Vec<String> {
    let mut d = Vec::new();
    if saved.requests != replay.requests {
        let n = saved.requests.len().max(replay.requests.len());
        let first = (0..n)
            .find(|&i| saved.requests.get(i) != replay.requests.get(i))
            .unwrap_or(0);
        d.push(format!(
            "request {}: saved {}, replay {}",
            first + 1,
            saved
                .requests
                .get(first)
                .map(String::as_str)
                .unwrap_or("(none)"),
            replay
                .requests
                .get(first)
                .map(String::as_str)
                .unwrap_or("(none)")
        ));
    }
    if saved.provider_statuses != replay.provider_statuses {
        d.push(format!(
            "provider status: saved {}, replay {}",
            list(&saved.provider_statuses),
            list(&replay.provider_statuses)
        ));
    }
    differ(&mut d, "kyc status", &saved.kyc_status, &replay.kyc_status);
    differ(&mut d, "stage state", &saved.state, &replay.state);
    d
}

/// Compares two journeys' `--json` events.
pub fn compare(saved_events: &[Value], replay_events: &[Value]) -> Report {
    let (saved, saved_end) = stage_runs(saved_events);
    let (replay, replay_end) = stage_runs(replay_events);
    let mut stages = Vec::new();
    for i in 0..saved.len().max(replay.len()) {
        let (a, b) = (saved.get(i), replay.get(i));
        let differences = match (a, b) {
            (Some(a), Some(b)) if a.stage != b.stage => {
                vec![format!("saved ran {}, replay ran {}", a.stage, b.stage)]
            }
            (Some(a), Some(b)) => compare_runs(a, b),
            (Some(_), None) => vec!["saved ran this stage; the replay ended before it".into()],
            (None, Some(_)) => vec!["the replay ran this stage; the saved journey did not".into()],
            (None, None) => Vec::new(),
        };
        stages.push(StageComparison {
            index: i + 1,
            stage: a.or(b).map(|r| r.stage.clone()).unwrap_or_default(),
            same: differences.is_empty(),
            differences,
            saved: a.cloned(),
            replay: b.cloned(),
        });
    }
    let (se, re) = (ending(saved_end.as_ref()), ending(replay_end.as_ref()));
    let mut outcome_differences = Vec::new();
    differ(
        &mut outcome_differences,
        "outcome",
        &se.outcome,
        &re.outcome,
    );
    differ(
        &mut outcome_differences,
        "kyc status",
        &se.kyc_status,
        &re.kyc_status,
    );
    differ(
        &mut outcome_differences,
        "provider status",
        &se.provider_status,
        &re.provider_status,
    );
    let first_difference = stages.iter().find(|c| !c.same).map(|c| FirstDifference {
        index: c.index,
        stage: c.stage.clone(),
    });
    Report {
        matches: first_difference.is_none() && outcome_differences.is_empty(),
        first_difference,
        stages,
        saved_outcome: se,
        replay_outcome: re,
        outcome_differences,
        notes: Vec::new(),
    }
}

fn human(report: &Report) -> String {
    let mut out = String::new();
    for n in &report.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    for c in &report.stages {
        let what = c
            .replay
            .as_ref()
            .or(c.saved.as_ref())
            .map(|r| {
                if r.requests.is_empty() {
                    r.state.clone().unwrap_or_default()
                } else {
                    r.requests.join(" · ")
                }
            })
            .unwrap_or_default();
        if c.same {
            out.push_str(&format!(
                "  {:>2}. {:<16} same     {what}\n",
                c.index, c.stage
            ));
        } else {
            out.push_str(&format!("  {:>2}. {:<16} DIFFERS\n", c.index, c.stage));
            for d in &c.differences {
                out.push_str(&format!("        {d}\n"));
            }
        }
    }
    let e = |x: &Ending| {
        format!(
            "{} (kyc {}, provider {})",
            show(&x.outcome),
            show(&x.kyc_status),
            show(&x.provider_status)
        )
    };
    out.push_str(&format!(
        "outcome: saved {}; replay {}\n",
        e(&report.saved_outcome),
        e(&report.replay_outcome)
    ));
    match &report.first_difference {
        Some(f) => out.push_str(&format!(
            "DIFFERS: first difference at stage {} ({})\n",
            f.index, f.stage
        )),
        None if !report.matches => {
            out.push_str("DIFFERS: the stages match but the outcome does not\n")
        }
        None => out.push_str("MATCHES: the replay ran as saved\n"),
    }
    out
}

fn setup_failed(output: &Output, e: &SetupError) -> i32 {
    let msg = global_redact(&e.to_string()).into_owned();
    // The log writer redacts it: given `msg`, it would mask the identifiers redaction kept.
    tracing::error!("replay: {e}");
    output.err(format!("rampsim: {msg}"));
    e.exit_code()
}

/// `rampsim replay`.
pub async fn replay_command(host: &Host, args: &ReplayArgs) -> i32 {
    crate::redact::pin_profiles(host.config.profiles.values().map(|p| &p.profile));
    // What the plugin prints goes to the log file, not into the report.
    let output = Output::open(&host.config.app.log_file);
    let har = match read(&args.transcript) {
        Ok(h) => h,
        Err(e) => {
            output.err(format!("rampsim: {}", global_redact(&e.to_string())));
            return 2;
        }
    };
    let saved = &har.log.rampsim;
    let provider = saved.provider.clone();
    if host.config.provider(&provider).mode == Mode::Live {
        output.err(format!(
            "rampsim: replay runs against the sandbox only, and providers.{provider}.mode is \"live\" in {}; replay with a config that has it in sandbox mode",
            host.config.path.display()
        ));
        return 2;
    }
    let Some(profile) = args
        .profile
        .clone()
        .or_else(|| saved.profile.reference.clone())
    else {
        output.err(format!(
            "rampsim: the transcript's profile `{}` was not from the config or a file; pass --profile NAME|PATH",
            saved.profile.name
        ));
        return 2;
    };
    // The transcript names the provider: a plugin missing here is this machine's lack (3),
    // not a mistyped name (2).
    if let Err(e) = host.plugin(&provider) {
        output.err(format!(
            "rampsim: the transcript was saved with provider `{provider}`: {}",
            global_redact(&e.to_string())
        ));
        return 3;
    }
    let scenario = args.scenario.clone().or_else(|| saved.scenario.clone());
    let opts = RunOptions {
        provider: Some(provider.clone()),
        scenario: scenario.clone(),
        profile: Some(profile.clone()),
        clock: Some(ClockMode::Virtual),
        allow_live: false,
        // A replay compares the provider's behaviour with the saved run's: the config's
        // [faults] would add failures of their own.
        faults: Some(crate::sandbox::FaultSpec::default()),
        ..Default::default()
    };
    let spec = match host.prepare(&opts).await {
        Ok(s) => s,
        Err(e) => return setup_failed(&output, &e),
    };
    let mut notes = Vec::new();
    if spec.plugin.manifest.version != saved.provider_version {
        notes.push(format!(
            "saved with {provider} {}, replayed with {provider} {}",
            saved.provider_version, spec.plugin.manifest.version
        ));
    }
    if spec.scenario != saved.scenario {
        notes.push(format!(
            "scenario {} instead of the saved {} (--scenario)",
            spec.scenario.as_deref().unwrap_or("-"),
            saved.scenario.as_deref().unwrap_or("-")
        ));
    }
    if saved.mode == Mode::Live {
        notes.push("the saved journey ran live; the replay runs on the sandbox".into());
    }
    let header = format!(
        "replay of {}: {provider} {} · scenario {} · profile {profile} · virtual clock · {} stage(s)",
        args.transcript.display(),
        spec.plugin.manifest.version,
        spec.scenario.as_deref().unwrap_or("-"),
        saved.stages.len()
    );
    let redactor = SharedRedactor::for_journey(&spec.secrets, &spec.profile);
    output.keep(&redactor);
    let recorder = Recorder::new(&spec);
    let mut journey = match Journey::with_redactor(spec, recorder.sink(), redactor.clone()) {
        Ok(j) => j,
        Err(e) => return setup_failed(&output, &SetupError::Plugin(e)),
    };
    let (saved_runs, _) = stage_runs(&saved.events);
    for (i, stage) in saved.stages.iter().enumerate() {
        let saved_went_on = saved_runs.get(i).is_some_and(|r| r.finished_before);
        if journey.finished().is_some() && !saved_went_on {
            break;
        }
        journey.run_stage(*stage).await;
    }
    let replay_events: Vec<Value> = recorder
        .events()
        .iter()
        .map(|e| redactor.redact_event(e).to_public_json())
        .collect();
    let mut saved_events = saved.events.clone();
    if !har.log.redacted {
        let r = redactor.snapshot();
        saved_events.iter_mut().for_each(|v| redact_json(&r, v));
    }
    let mut report = compare(&saved_events, &replay_events);
    report.notes = notes;
    // Broken pipes (`| head`) are not worth a panic: `Output` ignores write errors.
    if args.json {
        let mut v = serde_json::to_value(&report).unwrap_or(Value::Null);
        redactor.redact_json(&mut v);
        output.out(serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        // The header names the transcript, provider, scenario and profile (a config key).
        output.out(header);
        output.out(redactor.redact_str(&human(&report)).trim_end());
    }
    if report.matches {
        0
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn journey(poll_statuses: &[&str], final_status: &str, outcome: &str) -> Vec<Value> {
        let mut ev = vec![
            json!({"event":"stage_started","stage":"register"}),
            json!({"event":"request_sent","exchange":1,"method":"POST","path":"/users"}),
            json!({"event":"response_received","exchange":1,"status":201}),
            json!({"event":"stage_finished","stage":"register","state":"done"}),
            json!({"event":"stage_started","stage":"await_kyc"}),
        ];
        for (i, p) in poll_statuses.iter().enumerate() {
            let ex = 10 + i as u64;
            ev.push(json!({"event":"request_sent","exchange":ex,"method":"GET","path":"/users/1f2e3d4c5b6a"}));
            ev.push(json!({"event":"response_received","exchange":ex,"status":200}));
            ev.push(json!({"event":"status_polled","provider_status":p}));
        }
        ev.push(json!({"event":"stage_finished","stage":"await_kyc","state":"done","provider_status":final_status}));
        ev.push(json!({"event":"journey_finished","outcome":outcome}));
        ev
    }

    #[test]
    fn more_polls_of_the_same_are_the_same() {
        let a = journey(&["PENDING"], "APPROVED", "order_created");
        let b = journey(
            &["PENDING", "PENDING", "PENDING"],
            "APPROVED",
            "order_created",
        );
        let r = compare(&a, &b);
        assert!(r.matches, "{r:?}");
    }

    #[test]
    fn the_first_differing_stage_is_named() {
        let a = journey(&["PENDING"], "APPROVED", "order_created");
        let b = journey(&["PENDING"], "DENIED", "rejected");
        let r = compare(&a, &b);
        assert!(!r.matches);
        assert_eq!(
            r.first_difference,
            Some(FirstDifference {
                index: 2,
                stage: "await_kyc".into()
            })
        );
        assert!(
            r.stages[1].differences[0].contains("APPROVED"),
            "{:?}",
            r.stages[1]
        );
        assert_eq!(r.outcome_differences.len(), 1);
    }

    #[test]
    fn ids_in_paths_are_not_differences() {
        assert_eq!(
            path_template("/v2/identity/identities/1f2e-3d4c?x=1"),
            "/v2/identity/identities/{id}"
        );
        assert_eq!(
            path_template("/v2/profiles/abc/orders"),
            "/v2/profiles/abc/orders"
        );
        assert_eq!(path_template("/users/1"), "/users/1");
        assert_eq!(
            path_template("/widget/users/…-001/kyc-status"),
            path_template("/widget/users/…-002/kyc-status")
        );
    }
}
