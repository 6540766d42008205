//! A stage cancelled by dropping its future (the TUI's Esc): `Journey::cancelled` reports how
//! long the stage ran and how many polls it made, not zeros. And Ctrl-C ends `rampsim run` even
//! when a plugin call never returns, so nothing can be cancelled.

mod support;

use rampsim::config::{ClockMode, Config};
use rampsim::host::{Host, RunOptions};
use rampsim::journey::{Event, EventSink, Journey, StageState};
use rampsim_plugin_sdk::wire::{Outcome, Stage};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

const POLL_MS: i64 = 150_000;

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_stage_reports_its_real_duration_and_polls() {
    let dir = shipped_plugins(&["paxos"]);
    // Fixed poll waits (150-300 s with jitter) on the virtual clock.
    let engine = format!("\n[engine]\npoll_initial_ms = {POLL_MS}\npoll_max_ms = {POLL_MS}\n");
    let cfg = TestConfig::new(&[dir], "paxos", &engine);
    let host = Host::new(Config::load(&cfg.path).expect("config loads"));
    let spec = host
        .prepare(&RunOptions {
            scenario: Some("slow_review".into()),
            clock: Some(ClockMode::Virtual),
            ..Default::default()
        })
        .await
        .expect("prepared");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let sink: EventSink = Arc::new(move |e: Event| {
        let _ = tx.send(e);
    });
    let mut journey = Journey::new(spec, sink).expect("journey");
    journey.run_next().await; // register
    journey.run_next().await; // idv_passthrough (skipped at Paxos)
    while rx.try_recv().is_ok() {}

    // Run await_kyc until its second status poll, then drop it as the TUI's Esc does. Events
    // first (biased): the stage is not polled again once the second poll is heard.
    let mut started_at = None;
    {
        let running = journey.run_stage(Stage::AwaitKyc);
        tokio::pin!(running);
        loop {
            tokio::select! {
                biased;
                Some(e) = rx.recv() => match e {
                    Event::StageStarted { at_ms, .. } => started_at = Some(at_ms),
                    Event::StatusPolled { poll: 1, .. } => break,
                    _ => {}
                },
                state = &mut running => panic!("slow_review finished early: {state:?}"),
            }
        }
    }
    let started_at = started_at.expect("the stage started");
    let finished = journey.cancelled(Stage::AwaitKyc);
    assert_eq!(finished.outcome, Outcome::Failed);
    let reported = std::iter::from_fn(|| rx.try_recv().ok())
        .find_map(|e| match e {
            Event::StageFinished {
                state: StageState::Cancelled,
                polls,
                duration_ms,
                at_ms,
                ..
            } => Some((polls, duration_ms, at_ms)),
            _ => None,
        })
        .expect("stage_finished (cancelled)");
    let (polls, duration_ms, at_ms) = reported;
    assert_eq!(
        polls, 1,
        "one wait completed, as a finished stage would count it"
    );
    assert_eq!(duration_ms, at_ms - started_at);
    // Two waits began (the second is where it was cancelled): at least 150 s each.
    assert!(duration_ms >= 2 * POLL_MS, "{duration_ms}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stage_cancelled_before_it_ran_reports_nothing_ran() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let host = Host::new(Config::load(&cfg.path).expect("config loads"));
    let spec = host
        .prepare(&RunOptions::default())
        .await
        .expect("prepared");
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = events.clone();
    let sink: EventSink = Arc::new(move |e: Event| seen.lock().unwrap().push(e));
    let mut journey = Journey::new(spec, sink).expect("journey");
    journey.run_next().await; // register: its numbers must not leak into the next stage
                              // The future is dropped before its first poll: nothing of idv_passthrough ran.
    drop(journey.run_stage(Stage::IdvPassthrough));
    journey.cancelled(Stage::IdvPassthrough);
    let events = events.lock().unwrap();
    let Some(Event::StageFinished {
        stage,
        state,
        polls,
        duration_ms,
        ..
    }) = events
        .iter()
        .rev()
        .find(|e| matches!(e, Event::StageFinished { .. }))
    else {
        panic!("no stage_finished")
    };
    assert_eq!(
        (*stage, *state, *polls, *duration_ms),
        (Stage::IdvPassthrough, StageState::Cancelled, 0, 0)
    );
}

/// `rampsim run` with the fixture whose `begin(await_kyc)` never returns, once it is inside
/// that call (its `stage_started` line is out).
/// `rampsim run` on a plugin stuck in `begin(await_kyc)`, saving its transcript at
/// `<config dir>/stuck.har`.
fn run_stuck_in_begin() -> (TestConfig, Child) {
    let dir = fixture_plugin(Some("spin_adapter"), "fixture");
    let cfg = TestConfig::new(&[dir], "fixture", "");
    let har = cfg.dir.path().join("stuck.har");
    let mut child = cfg.spawn(
        &[
            "run",
            "--clock",
            "virtual",
            "--json",
            "--transcript",
            har.to_str().unwrap(),
        ],
        Stdio::piped(),
    );
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        let line = line.unwrap();
        if line.contains("\"stage_started\"") && line.contains("\"await_kyc\"") {
            break;
        }
    }
    // The stage's first step follows its event at once: give it a moment to be under way.
    std::thread::sleep(Duration::from_millis(300));
    (cfg, child)
}

/// Waits at most `limit` for `child` to end; kills it (and fails) if it has not.
fn exits_within(child: &mut Child, limit: Duration) -> (ExitStatus, String) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status, stderr);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("rampsim was still running {limit:?} after Ctrl-C");
}

const STUCK: &str = "plugin fixture 0.0.1 did not return from adapter begin(await_kyc)";

#[test]
fn ctrl_c_ends_a_run_whose_plugin_call_never_returns() {
    let (cfg, mut child) = run_stuck_in_begin();
    ctrl_c(&child);
    // The grace (2 s) and a margin for a busy machine.
    let (status, stderr) = exits_within(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(13), "{stderr}");
    assert!(
        stderr.contains(&format!("rampsim: {STUCK}; exiting")),
        "{stderr}"
    );
    // The transcript holds the journey so far, not an empty file in the way of the next run.
    let har = cfg.dir.path().join("stuck.har");
    assert!(
        stderr.contains(&format!(
            "transcript of the journey so far written to {}",
            har.display()
        )),
        "{stderr}"
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&har).unwrap()).expect("a whole HAR");
    assert!(
        saved["log"]["entries"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "register's requests are in it"
    );
}

#[test]
fn a_second_ctrl_c_exits_at_once() {
    let (_cfg, mut child) = run_stuck_in_begin();
    ctrl_c(&child);
    std::thread::sleep(Duration::from_millis(300));
    ctrl_c(&child);
    // 130, not the 13 of the grace running out: the second Ctrl-C ended it.
    let (status, stderr) = exits_within(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains(&format!("rampsim: interrupted again; exiting ({STUCK})")),
        "{stderr}"
    );
}
