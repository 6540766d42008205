//! The library API the TUI uses: recording a journey and saving it into the journeys
//! directory, the journey's redactor, and the live-mode confirmation before the first request
//! that carries KYC data.

mod support;

use futures::FutureExt;
use rampsim::config::{ClockMode, Config};
use rampsim::host::{Host, RunOptions};
use rampsim::journey::{Event, Journey, KycGate};
use rampsim::transcript::{save_to_journeys_dir, Recorder, Redaction};
use rampsim_plugin_sdk::wire::{Mode, Stage};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::*;

fn host() -> (TestConfig, Host) {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let config = Config::load(&cfg.path).expect("config loads");
    (cfg, Host::new(config))
}

fn opts() -> RunOptions {
    RunOptions {
        scenario: Some("approved".into()),
        clock: Some(ClockMode::Virtual),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tui_saves_into_the_journeys_dir() {
    let (_cfg, host) = host();
    let spec = host.prepare(&opts()).await.expect("prepared");
    let recorder = Recorder::new(&spec);
    let mut journey = Journey::new(spec, recorder.sink()).expect("journey");
    journey.run_to_end().await;
    let dir = host.config.app.journeys_dir.clone();
    assert!(!dir.exists(), "created on first save");
    let redactor = journey.redactor().snapshot();
    let first =
        save_to_journeys_dir(&dir, &recorder, &redactor, Redaction::Redacted).expect("saved");
    let second =
        save_to_journeys_dir(&dir, &recorder, &redactor, Redaction::Redacted).expect("saved again");
    assert_ne!(first, second, "a second save gets a new name");
    assert!(first.starts_with(&dir) && second.starts_with(&dir));
    let name = first.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("paxos-approved-") && name.ends_with(".har"),
        "{name}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&first), 0o600);
    }
    let har = rampsim::transcript::read(&first).expect("readable");
    assert!(har.log.redacted);
    let text = std::fs::read_to_string(&first).unwrap();
    assert!(
        !text.contains("073-05-1120") && !text.contains("Duncan"),
        "redacted"
    );
    // The token the plugin learnt is in the journey's redactor.
    assert!(!journey.sensitive_values().is_empty());
    for token in journey.sensitive_values() {
        assert!(!text.contains(token.as_str()));
        assert_eq!(journey.redactor().redact_str(token), "[REDACTED]");
    }
    // The inspector's view of an event, and the curl copy.
    let sent = recorder
        .events()
        .into_iter()
        .find(|e| matches!(e, Event::RequestSent { path, .. } if path == "/v2/identity/identities"))
        .expect("create identity sent");
    let shown = journey.redactor().redact_event(&sent);
    let Event::RequestSent { body, headers, .. } = &shown else {
        unreachable!()
    };
    assert!(
        body.as_deref().unwrap().contains("\"last_name\":\"D…\""),
        "{body:?}"
    );
    assert!(headers
        .iter()
        .any(|(k, v)| k == "Authorization" && v == "Bearer [REDACTED]"));
    let curl = rampsim::transcript::curl::curl_for_event(&sent, Some(&redactor)).unwrap();
    assert!(
        curl.starts_with("curl -X 'POST' 'http://127.0.0.1:") && !curl.contains("Duncan"),
        "{curl}"
    );
}

/// A journey told it is live (its requests still go to the sandbox here) asks the gate before
/// the first request that carries KYC data, and only then.
#[tokio::test(flavor = "multi_thread")]
async fn live_journeys_ask_before_the_first_kyc_request() {
    let (_cfg, host) = host();
    for confirm in [false, true] {
        let mut spec = host.prepare(&opts()).await.expect("prepared");
        spec.mode = Mode::Live;
        let recorder = Recorder::new(&spec);
        let mut journey = Journey::new(spec, recorder.sink()).expect("journey");
        let asked = Arc::new(AtomicUsize::new(0));
        let count = asked.clone();
        let gate: KycGate = Arc::new(move |req| {
            assert!(req.carries_kyc);
            count.fetch_add(1, Ordering::SeqCst);
            async move { confirm }.boxed()
        });
        journey.set_kyc_gate(gate);
        let finished = journey.run_to_end().await;
        assert_eq!(
            asked.load(Ordering::SeqCst),
            1,
            "asked once (confirm = {confirm})"
        );
        let paths: Vec<String> = recorder
            .events()
            .iter()
            .filter_map(|e| match e {
                Event::RequestSent { path, .. } => Some(path.clone()),
                _ => None,
            })
            .collect();
        if confirm {
            assert_eq!(finished.outcome.as_str(), "order_created", "{finished:?}");
            assert!(paths.iter().any(|p| p == "/v2/identity/identities"));
        } else {
            assert_eq!(finished.outcome.as_str(), "failed");
            assert_eq!(finished.stage, Some(Stage::Register));
            assert!(
                finished.message.contains("did not confirm"),
                "{}",
                finished.message
            );
            assert_eq!(
                paths,
                vec!["/oauth2/token".to_string()],
                "the KYC request was not sent"
            );
        }
    }
}
