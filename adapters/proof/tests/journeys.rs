//! Every scenario of the manifest, end to end against the fake, plus live mode, returning
//! users, refused credentials and garbage answers.

use rampsim_plugin_sdk::testing::{
    assert_every_scenario_ends, garbage_answers, run_with_replaced_answer, sample_profile, Harness,
    JourneyReport,
};
use rampsim_plugin_sdk::{Adapter, HttpRequest, KycStatus, Mode, Next, Outcome, Plugin, Stage};
use rampsim_proof::adapter::ProofAdapter;
use rampsim_proof::fake::{session_signature, REVIEW_MS};
use rampsim_proof::{ProofPlugin, SANDBOX_CLIENT_TOKEN};
use serde_json::{json, Value};

type H = Harness<ProofPlugin>;

/// (scenario, final kyc status, final provider status) — a new scenario must be added here.
const EXPECTED: &[(&str, KycStatus, &str)] = &[
    ("verified", KycStatus::Approved, "completed"),
    ("pending_then_verified", KycStatus::Approved, "completed"),
    ("failed", KycStatus::Rejected, "failed"),
    ("kyc_required", KycStatus::ActionRequired, "kyc_required"),
    ("transaction_failed", KycStatus::Approved, "failed"),
];

fn run(scenario: &str) -> JourneyReport {
    H::new(scenario)
        .run(sample_profile())
        .expect("journey runs")
}

fn count(r: &JourneyReport, method: &str, path_start: &str) -> usize {
    r.exchanges
        .iter()
        .filter(|e| e.request.method == method && e.request.path.starts_with(path_start))
        .count()
}

#[test]
fn every_scenario_ends_as_declared() {
    let manifest = ProofPlugin::manifest();
    assert_eq!(
        manifest.default_scenario().unwrap().name,
        "verified",
        "happy path first"
    );
    for (s, r) in assert_every_scenario_ends::<ProofPlugin>(&sample_profile(), EXPECTED) {
        assert!(
            count(&r, "POST", "/widget/session") <= 1,
            "{}: one session, however many polls",
            s.name
        );
        for e in &r.exchanges {
            assert_eq!(
                e.request.header("Authorization"),
                Some(format!("Bearer {SANDBOX_CLIENT_TOKEN}").as_str())
            );
        }
    }
}

#[test]
fn journeys_keep_kyc_values_and_secrets_out_of_messages() {
    let p = sample_profile();
    let private = [
        p.first_name.as_str(),
        p.last_name.as_str(),
        p.email.as_str(),
        p.document.number.as_str(),
        SANDBOX_CLIENT_TOKEN,
    ];
    for s in ProofPlugin::manifest().scenarios {
        let r = run(&s.name);
        for (stage, res) in &r.stages {
            let text = format!("{} {:?}", res.message, res.next_step);
            for v in private {
                assert!(
                    !text.contains(v),
                    "{}/{stage}: `{v}` leaked into {text}",
                    s.name
                );
            }
        }
    }
}

#[test]
fn verified_journey_calls_what_the_seed_describes() {
    let r = run("verified");
    assert_eq!(r.outcome, Outcome::OrderCreated);
    let calls: Vec<(Stage, String, String, u16)> = r
        .exchanges
        .iter()
        .map(|e| {
            (
                e.stage,
                e.request.method.clone(),
                e.request.path.clone(),
                e.response.status,
            )
        })
        .collect();
    let status_path = "/widget/users/user-billy-duncan-001/kyc-status".to_string();
    assert_eq!(
        calls[0],
        (Stage::Register, "GET".into(), status_path.clone(), 404),
        "a new user is unknown"
    );
    assert_eq!(
        calls[1],
        (
            Stage::IdvPassthrough,
            "POST".into(),
            "/widget/sandbox/users/user-billy-duncan-001/kyc-session".into(),
            200
        )
    );
    assert_eq!(calls[2], (Stage::AwaitKyc, "GET".into(), status_path, 200));
    assert_eq!(calls[3].1, "POST");
    assert_eq!(calls[3].2, "/widget/session");
    let register = r.stage(Stage::Register).unwrap();
    assert_eq!(
        (register.kyc_status, register.provider_status.as_deref()),
        (Some(KycStatus::NotStarted), Some("user_not_found"))
    );
    assert!(r
        .stage(Stage::IdvPassthrough)
        .unwrap()
        .message
        .contains("document_upload completed, liveness completed"));

    let session = &r.exchanges[3];
    let sent: Value = serde_json::from_str(session.request.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        sent,
        json!({"partner_user_id": "user-billy-duncan-001", "user_email": "example@somemail.org", "network": "ERC20",
               "currency": "USD", "amount": "100.00", "type": "buy"})
    );
    let answer: Value = serde_json::from_str(&session.response.body).unwrap();
    let id = answer["merchant_transaction_id"].as_str().unwrap();
    assert_eq!(r.order_id.as_deref(), Some(id));
    let sig = session_signature(&[
        id,
        answer["widget_id"].as_str().unwrap(),
        "user-billy-duncan-001",
        "buy",
        "ERC20",
        "USD",
        "100.00",
    ]);
    assert_eq!(answer["signature"], sig);
    assert!(
        r.sensitive
            .iter()
            .any(|s| s == answer["init_token"].as_str().unwrap()),
        "init_token redacted"
    );
    // The transaction was polled through pending and processing to completed.
    let words: Vec<String> = r
        .exchanges
        .iter()
        .filter(|e| e.request.path.starts_with("/widget/transactions/"))
        .map(|e| {
            serde_json::from_str::<Value>(&e.response.body).unwrap()["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(words.first().map(String::as_str), Some("pending"));
    assert!(words.iter().any(|w| w == "processing"), "{words:?}");
    assert_eq!(words.last().map(String::as_str), Some("completed"));
    assert_eq!(
        session.request.idempotency_key, None,
        "the widget API documents no idempotency key"
    );
}

#[test]
fn pending_then_verified_waits_the_scenarios_minutes() {
    let mut h = H::new("pending_then_verified");
    let mut a = ProofAdapter::new(h.init(sample_profile())).unwrap();
    for stage in [Stage::Register, Stage::IdvPassthrough] {
        assert_eq!(
            h.run_stage_once(&mut a, stage, 0).unwrap().result.next,
            Next::Continue
        );
    }
    let submitted = h.now_ms - 1;
    let res = h.run_stage_once(&mut a, Stage::AwaitKyc, 0).unwrap().result;
    assert_eq!(
        (res.next, res.kyc_status),
        (Next::Poll, Some(KycStatus::Pending))
    );
    h.now_ms = submitted + REVIEW_MS - 1_000;
    assert_eq!(
        h.run_stage_once(&mut a, Stage::AwaitKyc, 1)
            .unwrap()
            .result
            .next,
        Next::Poll
    );
    h.now_ms = submitted + REVIEW_MS;
    let res = h.run_stage_once(&mut a, Stage::AwaitKyc, 2).unwrap().result;
    assert_eq!(
        (res.next, res.kyc_status),
        (Next::Continue, Some(KycStatus::Approved))
    );
    assert!(
        res.message.contains("verified at 2026-01-01T00:05:00Z"),
        "{}",
        res.message
    );
}

#[test]
fn kyc_required_sends_the_order_and_shows_the_422() {
    let r = run("kyc_required");
    let await_kyc = r.stage(Stage::AwaitKyc).unwrap();
    assert_eq!(
        (await_kyc.next, await_kyc.kyc_status),
        (Next::Continue, Some(KycStatus::NotStarted))
    );
    assert!(r
        .stage(Stage::IdvPassthrough)
        .unwrap()
        .message
        .contains("liveness abandoned; KYC not submitted"));

    let session = r
        .exchanges
        .iter()
        .find(|e| e.request.path == "/widget/session")
        .expect("the session was requested");
    assert_eq!(session.response.status, 422);
    let seed_body = json!({"error": "kyc_required", "message": "User must complete KYC verification before transacting",
                           "partner_user_id": "user-billy-duncan-001"});
    assert_eq!(
        serde_json::from_str::<Value>(&session.response.body).unwrap(),
        seed_body
    );
    let res = r.stage(Stage::CreateOrder).unwrap();
    assert_eq!(res.next, Next::Finish(Outcome::ActionRequired));
    assert_eq!(
        res.message,
        format!(
            "Proof refused the widget session (422): {}",
            session.response.body
        )
    );
    assert!(res
        .next_step
        .as_deref()
        .unwrap()
        .starts_with("Embed the widget anyway"));
}

#[test]
fn failed_kyc_is_rejected_without_a_session() {
    let r = run("failed");
    let res = r.stage(Stage::AwaitKyc).unwrap();
    assert_eq!(res.next, Next::Finish(Outcome::Rejected));
    assert!(res
        .next_step
        .as_deref()
        .unwrap()
        .contains("retry inside the widget"));
    assert_eq!(count(&r, "POST", "/widget/session"), 0);
}

#[test]
fn live_mode_tells_the_operator_and_waits_for_the_widget() {
    let mut h = H::new("verified");
    let mut init = h.init(sample_profile());
    init.mode = Mode::Live;
    init.profile.document.kind = "visa".into(); // the user picks the document in the widget
    let mut a = ProofAdapter::new(init).unwrap();
    assert_eq!(
        h.run_stage_once(&mut a, Stage::Register, 0)
            .unwrap()
            .result
            .kyc_status,
        Some(KycStatus::NotStarted)
    );
    let res = h
        .run_stage_once(&mut a, Stage::IdvPassthrough, 0)
        .unwrap()
        .result;
    assert_eq!(res.next, Next::Skipped);
    assert_eq!(
        res.message,
        "KYC happens inside the Proof widget: open the widget for user user-billy-duncan-001 and let them complete \
         document upload and liveness; rampsim waits for the decision"
    );
    // Nothing submitted yet: live mode waits instead of going on.
    let res = h.run_stage_once(&mut a, Stage::AwaitKyc, 0).unwrap().result;
    assert_eq!(
        (res.next, res.kyc_status),
        (Next::Poll, Some(KycStatus::NotStarted))
    );
    // The user completes the widget (played here through the sandbox control call).
    let played = HttpRequest::post(
        "widget",
        "/widget/sandbox/users/user-billy-duncan-001/kyc-session",
    )
    .bearer(SANDBOX_CLIENT_TOKEN);
    assert_eq!(h.send(&played).status, 200);
    let res = h.run_stage_once(&mut a, Stage::AwaitKyc, 1).unwrap().result;
    assert_eq!(
        (res.next, res.kyc_status),
        (Next::Continue, Some(KycStatus::Approved))
    );
}

#[test]
fn a_returning_verified_user_skips_the_widget_kyc() {
    let mut h = H::new("verified");
    assert_eq!(
        h.run(sample_profile()).unwrap().outcome,
        Outcome::OrderCreated
    );
    let r = h.run(sample_profile()).unwrap();
    assert_eq!(r.outcome, Outcome::OrderCreated);
    assert_eq!(
        r.stage(Stage::Register).unwrap().provider_status.as_deref(),
        Some("verified")
    );
    let idv = r.stage(Stage::IdvPassthrough).unwrap();
    assert_eq!(idv.next, Next::Skipped);
    assert!(idv.message.contains("already verified"), "{}", idv.message);
    assert_eq!(count(&r, "POST", "/widget/sandbox/"), 0);
}

#[test]
fn a_wrong_token_fails_at_the_first_call() {
    let mut h = H::new("verified");
    let mut init = h.init(sample_profile());
    init.settings
        .insert("client_token".into(), "not-the-token".into());
    let r = h.run_with(init).unwrap();
    assert_eq!(r.outcome, Outcome::Failed);
    assert_eq!(r.exchanges.len(), 1);
    let res = r.stage(Stage::Register).unwrap();
    assert_eq!(
        res.message,
        "Proof answered 401 to the user lookup: invalid_token: The client token is not valid"
    );
    assert!(res.next_step.as_deref().unwrap().contains("client_token"));
}

#[test]
fn inputs_are_checked_before_sending() {
    let h = H::new("verified");
    let mut init = h.init(sample_profile());
    init.settings.insert("client_token".into(), "".into());
    assert!(ProofAdapter::new(init)
        .err()
        .unwrap()
        .message
        .starts_with("settings.client_token"));

    let mut init = h.init(sample_profile());
    init.profile.document.kind = "visa".into();
    assert!(ProofAdapter::new(init)
        .err()
        .unwrap()
        .message
        .starts_with("profile.document.type"));

    let mut p = sample_profile();
    p.order.network = "solana".into();
    assert!(H::new("verified")
        .run(p)
        .unwrap_err()
        .message
        .starts_with("profile.order.network"));
}

#[test]
fn garbage_at_every_step_fails_cleanly() {
    for stage in Stage::ALL {
        for index in 0..4 {
            for (what, g) in garbage() {
                let Some(res) = run_with_replaced_answer::<ProofPlugin>(
                    "verified",
                    sample_profile(),
                    stage,
                    index,
                    &g,
                )
                .expect("the adapter accepts the sample") else {
                    continue;
                };
                assert_eq!(
                    res.next,
                    Next::Finish(Outcome::Failed),
                    "{stage}#{index} {what}: {}",
                    res.message
                );
                assert!(
                    res.message.starts_with("Proof answered"),
                    "{stage}#{index} {what}: {}",
                    res.message
                );
                assert!(!res.message.contains("<html>"));
            }
        }
        assert!(
            run_with_replaced_answer::<ProofPlugin>(
                "verified",
                sample_profile(),
                stage,
                0,
                &garbage()[0].1
            )
            .expect("the adapter accepts the sample")
            .is_some(),
            "{stage} sends at least one request"
        );
    }
    // An HTML 404 (a wrong base URL) is not mistaken for "unknown user".
    let html404 = rampsim_plugin_sdk::HttpResponse {
        status: 404,
        headers: vec![],
        body: "<html>Not Found</html>".into(),
    };
    let res = run_with_replaced_answer::<ProofPlugin>(
        "verified",
        sample_profile(),
        Stage::Register,
        0,
        &html404,
    )
    .expect("the adapter accepts the sample")
    .unwrap();
    assert_eq!(res.next, Next::Finish(Outcome::Failed), "{}", res.message);
}

/// Garbage a broken proxy or provider could answer; the 500 in Proof's own error shape.
fn garbage() -> Vec<(&'static str, rampsim_plugin_sdk::HttpResponse)> {
    garbage_answers(
        r#"{"partner_user_id": "user-1", "status": "verif"#,
        r#"{"error": "internal_error", "code": "internal_error", "message": "Internal server error"}"#,
    )
}
