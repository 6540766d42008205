//! The engine's rules seen from outside: the deadline ends a review that takes too long
//! (timed_out), Retry-After is honoured, and Ctrl-C cancels a journey that says where it stopped.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use support::*;

#[test]
fn a_review_longer_than_the_deadline_times_out() {
    let dir = shipped_plugins(&["paxos"]);
    // slow_review stays PENDING for 20 minutes of sandbox time; the deadline is 5 minutes.
    let cfg = TestConfig::new(&[dir], "paxos", "[engine]\nkyc_deadline_ms = 300000\n");
    let out = cfg.rampsim(&[
        "run",
        "--scenario",
        "slow_review",
        "--clock",
        "virtual",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(12));
    let fin = finished(&out);
    assert_eq!(fin["outcome"], "timed_out", "{fin}");
    assert_eq!(fin["stage"], "await_kyc");
    assert_eq!(fin["kyc_status"], "pending");
    assert_eq!(fin["provider_status"], "PENDING");
    // The last poll falls on the deadline, not one backoff short of it.
    assert!(
        fin["message"]
            .as_str()
            .unwrap()
            .starts_with("await_kyc still not final after 300 s (deadline 300 s)"),
        "{fin}"
    );
    // Polls backed off: the waits grow (exponential, with jitter) up to poll_max.
    let waits: Vec<u64> = events(&out)
        .iter()
        .filter(|e| e["event"] == "status_polled")
        .map(|e| e["next_poll_ms"].as_u64().unwrap())
        .collect();
    assert!(waits.len() >= 3, "{waits:?}");
    assert!(waits.last() > waits.first(), "backoff grows: {waits:?}");
    assert!(
        waits.iter().all(|w| *w <= 30_000),
        "capped at poll_max_ms: {waits:?}"
    );
    // At the cap the jitter stays: the waits there are not all the same.
    let capped: std::collections::BTreeSet<u64> =
        waits.iter().copied().filter(|w| *w >= 15_000).collect();
    assert!(capped.len() > 1, "jitter at the cap: {waits:?}");
}

#[test]
fn retry_after_is_honoured() {
    let dir = shipped_plugins(&["paxos"]);
    // Every answer is a 429 with Retry-After: 7: the engine waits 7 s (virtual) between tries.
    let cfg = TestConfig::new(
        &[dir],
        "paxos",
        "[engine]\nmax_retries = 2\n\n[faults]\nrate_limit_rate = 1.0\nretry_after_s = 7\n",
    );
    let out = cfg.rampsim(&["run", "--json"]);
    let ev = events(&out);
    let sent: Vec<i64> = ev
        .iter()
        .filter(|e| e["event"] == "request_sent")
        .map(|e| e["at_ms"].as_i64().unwrap())
        .collect();
    assert_eq!(sent.len(), 3, "one try and two retries: {sent:?}");
    for pair in sent.windows(2) {
        assert!(
            pair[1] - pair[0] >= 7000,
            "waited Retry-After between tries: {sent:?}"
        );
    }
    assert_eq!(finished(&out)["outcome"], "failed");
}

#[test]
fn ctrl_c_cancels_and_says_where_the_journey_stopped() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    // Real clock: the review keeps polling for minutes, so the journey is mid-await_kyc.
    let mut child = cfg.spawn(
        &[
            "run",
            "--scenario",
            "slow_review",
            "--clock",
            "real",
            "--json",
        ],
        Stdio::inherit(),
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let polled = line.contains("\"status_polled\"");
        seen.push(line);
        if polled {
            break;
        }
    }
    ctrl_c(&child);
    seen.extend(lines.map(|l| l.unwrap()));
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(13), "{seen:?}");
    let last: serde_json::Value = serde_json::from_str(seen.last().unwrap()).unwrap();
    assert_eq!(last["event"], "journey_finished");
    assert_eq!(last["outcome"], "failed");
    assert_eq!(last["stage"], "await_kyc");
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains("cancelled by the operator during await_kyc"),
        "{last}"
    );
}

/// Runs `rampsim run --json` with `args`, killing it if it has not ended after a minute (a
/// journey that spins would otherwise hang the test run).
fn run_bounded(cfg: &TestConfig, args: &[&str]) -> std::process::Output {
    let mut all = vec!["run"];
    all.extend(args);
    all.push("--json");
    let child = cfg.spawn(&all, Stdio::piped());
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if rx.recv_timeout(std::time::Duration::from_secs(60)).is_err() {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = tx.send(());
    assert!(
        out.status.code().is_some(),
        "still running after a minute (killed): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn retry_after_zero_on_every_answer_does_not_make_a_journey_spin() {
    let dir = shipped_plugins(&["stripe"]);
    // Stripe's adapter polls after a 429 with the provider's Retry-After: 0 here, every time.
    let cfg = TestConfig::new(
        &[dir],
        "stripe",
        "[engine]\nkyc_deadline_ms = 300000\n\n[faults]\nrate_limit_rate = 1.0\nretry_after_s = 0\n",
    );
    let out = run_bounded(&cfg, &["--clock", "virtual"]);
    let fin = finished(&out);
    assert_eq!(fin["outcome"], "timed_out", "{fin}");
    let ev = events(&out);
    let sent = ev.iter().filter(|e| e["event"] == "request_sent").count();
    assert!(
        sent < 200,
        "{sent} requests in five minutes of sandbox time"
    );
    // Each wait is at least the backoff's, which grows.
    let waits: Vec<u64> = ev
        .iter()
        .filter(|e| e["event"] == "status_polled")
        .map(|e| e["next_poll_ms"].as_u64().unwrap())
        .collect();
    assert!(waits.len() >= 3, "{waits:?}");
    assert!(waits.iter().all(|w| *w >= 1000), "{waits:?}");
    assert!(waits.last() > waits.first(), "{waits:?}");
}

#[test]
fn a_retry_after_of_hours_or_absurd_is_not_slept_by_the_transport() {
    let dir = shipped_plugins(&["paxos"]);
    for retry_after in ["86400", "9300000000000000"] {
        let cfg = TestConfig::new(
            std::slice::from_ref(&dir),
            "paxos",
            &format!("[faults]\nrate_limit_rate = 1.0\nretry_after_s = {retry_after}\n"),
        );
        let out = run_bounded(&cfg, &["--clock", "virtual"]);
        let ev = events(&out);
        // The 429 went to the adapter at once: one request, no retry waiting out the header.
        let sent = ev.iter().filter(|e| e["event"] == "request_sent").count();
        assert_eq!(sent, 1, "Retry-After {retry_after}: {ev:?}");
        let fin = ev.last().unwrap();
        assert_eq!(fin["event"], "journey_finished");
        let started = ev[0]["at_ms"].as_i64().unwrap();
        let ended = fin["at_ms"].as_i64().unwrap();
        assert!(
            (0..3_600_000).contains(&(ended - started)),
            "Retry-After {retry_after}: the journey took {} ms of sandbox time",
            ended - started
        );
        assert!(fin["duration_ms"].as_i64().unwrap() >= 0, "{fin}");
        if retry_after == "86400" {
            // The operator learns why the host gave up and when to try again.
            let message = fin["message"].as_str().unwrap();
            assert!(
                message.contains("asked to wait 24 h 0 min (Retry-After)")
                    && message.contains("did not wait"),
                "{fin}"
            );
            assert_eq!(
                fin["next_step"], "run register again once 24 h 0 min have passed",
                "{fin}"
            );
        }
    }
    // An adapter that polls on a 429 (Stripe): the journey times out at once, saying why.
    let dir = shipped_plugins(&["stripe"]);
    let cfg = TestConfig::new(
        &[dir],
        "stripe",
        "[faults]\nrate_limit_rate = 1.0\nretry_after_s = 86400\n",
    );
    let fin = finished(&run_bounded(&cfg, &["--clock", "virtual"]));
    assert_eq!(fin["outcome"], "timed_out", "{fin}");
    assert!(
        fin["message"].as_str().unwrap().contains(
            "asked to wait 24 h 0 min before asking again (Retry-After), past the stage's deadline"
        ),
        "{fin}"
    );
    assert_eq!(
        fin["next_step"], "run register again once 24 h 0 min have passed",
        "{fin}"
    );
}
