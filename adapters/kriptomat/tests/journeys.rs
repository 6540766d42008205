//! Whole journeys of the Kriptomat adapter against its fake, through the SDK's Harness, and the
//! requests the adapter sends.

mod common;

use common::*;
use rampsim_kriptomat::fake::{SANDBOX_TOTP_SECRET, SLOW_REVIEW_MS};
use rampsim_kriptomat::{KriptomatAdapter, KriptomatPlugin};
use rampsim_plugin_sdk::testing::{assert_every_scenario_ends, sample_profile, Harness, START_MS};
use rampsim_plugin_sdk::{Adapter, KycStatus, Next, Outcome, Plugin, PluginErrorKind, Stage};
use serde_json::Value;

/// (scenario, kyc_status, provider_status) a journey ends with.
const EXPECTED: [(&str, KycStatus, &str); 7] = [
    ("passed", KycStatus::Approved, "SUCCESS"),
    ("pending_then_passed", KycStatus::Approved, "SUCCESS"),
    ("declined", KycStatus::Rejected, "declined"),
    ("failed", KycStatus::Rejected, "failed"),
    (
        "edd_required",
        KycStatus::ActionRequired,
        "edd_status required",
    ),
    ("kyc_not_started", KycStatus::NotStarted, "not_started"),
    ("order_error", KycStatus::Approved, "ERROR"),
];

#[test]
fn every_scenario_ends_with_its_expected_outcome() {
    let manifest = KriptomatPlugin::manifest();
    assert_eq!(manifest.default_scenario().unwrap().name, "passed");
    for (s, r) in assert_every_scenario_ends::<KriptomatPlugin>(&kriptomat_profile(), &EXPECTED) {
        if s.expected_outcome == Outcome::OrderCreated {
            assert!(
                r.order_id
                    .as_deref()
                    .is_some_and(|id| id.parse::<u64>().is_ok()),
                "{:?}",
                r.order_id
            );
        }
    }
}

#[test]
fn pending_then_passed_waits_through_sandbox_minutes() {
    let mut h = Harness::<KriptomatPlugin>::new("pending_then_passed");
    let r = h.run(kriptomat_profile()).unwrap();
    assert_eq!(r.outcome, Outcome::OrderCreated);
    assert!(
        h.now_ms - START_MS >= SLOW_REVIEW_MS,
        "finished after {} ms",
        h.now_ms - START_MS
    );
    let polls_of_kyc = r
        .exchanges
        .iter()
        .filter(|e| e.stage == Stage::AwaitKyc)
        .count();
    assert!(polls_of_kyc > 5, "{polls_of_kyc}");
}

#[test]
fn action_required_and_rejected_endings_say_what_to_do() {
    let mut h = Harness::<KriptomatPlugin>::new("edd_required");
    let r = h.run(kriptomat_profile()).unwrap();
    let last = r.stage(Stage::AwaitKyc).unwrap();
    assert!(
        last.next_step
            .as_deref()
            .unwrap()
            .contains("Enhanced Due Diligence"),
        "{last:?}"
    );
    let mut h = Harness::<KriptomatPlugin>::new("declined");
    let r = h.run(kriptomat_profile()).unwrap();
    let last = r.stage(Stage::AwaitKyc).unwrap();
    assert!(last.message.contains("declined"), "{last:?}");
    assert!(last.next_step.is_some());
}

#[test]
fn happy_journey_sends_the_documented_requests() {
    let mut h = Harness::<KriptomatPlugin>::new("passed");
    let r = h.run(kriptomat_profile()).unwrap();
    let paths: Vec<(Stage, String, String)> = r
        .exchanges
        .iter()
        .map(|e| {
            (
                e.stage,
                e.request.method.clone(),
                e.request.path.split('?').next().unwrap().to_string(),
            )
        })
        .collect();
    let first: Vec<_> = paths.iter().take(4).cloned().collect();
    assert_eq!(
        first,
        vec![
            (
                Stage::Register,
                "POST".into(),
                "/api/v1/partners/auth/login".into()
            ),
            (
                Stage::Register,
                "POST".into(),
                "/api/v1/partners/users".into()
            ),
            (
                Stage::IdvPassthrough,
                "POST".into(),
                "/resources/accessTokens/-/shareToken".into()
            ),
            (
                Stage::IdvPassthrough,
                "POST".into(),
                "/v1/users/1002/kyc-import".into()
            ),
        ]
    );
    // One login for the whole journey: the session lasts 60 minutes.
    assert_eq!(paths.iter().filter(|p| p.2.ends_with("/login")).count(), 1);
    let buys: Vec<_> = r
        .exchanges
        .iter()
        .filter(|e| e.request.path.ends_with("/buy"))
        .collect();
    assert_eq!(buys.len(), 1, "polls only read the transaction");
    let buy = &buys[0].request;
    assert_eq!(
        buy.idempotency_key.as_deref(),
        Some("user-billy-duncan-001-order")
    );
    let b: Value = serde_json::from_str(buy.body.as_deref().unwrap()).unwrap();
    assert_eq!(b["amount"], "100.00");
    assert_eq!(b["pair"], "btcusd");
    assert_eq!(b["idempotency_key"], "user-billy-duncan-001-order");
    for e in &r.exchanges {
        if e.request.endpoint == "api" {
            assert_eq!(
                e.request.header("X-Requested-With"),
                Some("XMLHttpRequest"),
                "{}",
                e.request.path
            );
            if !e.request.path.ends_with("/login") {
                assert!(e
                    .request
                    .header("Authorization")
                    .unwrap()
                    .starts_with("Bearer kmt-sbx-"));
            }
        }
    }
    let kyc_carriers: Vec<_> = r
        .exchanges
        .iter()
        .filter(|e| e.request.carries_kyc)
        .map(|e| e.request.path.clone())
        .collect();
    assert_eq!(
        kyc_carriers,
        vec![
            "/api/v1/partners/users".to_string(),
            "/v1/users/1002/kyc-import".to_string()
        ]
    );
}

#[test]
fn eur_profile_buys_the_seed_pair() {
    let mut p = kriptomat_profile();
    p.order.currency = "EUR".into();
    p.order.amount = "250".into();
    let mut h = Harness::<KriptomatPlugin>::new("passed");
    let r = h.run(p).unwrap();
    assert_eq!(r.outcome, Outcome::OrderCreated);
    let buy = r
        .exchanges
        .iter()
        .find(|e| e.request.path.ends_with("/buy"))
        .unwrap();
    let b: Value = serde_json::from_str(buy.request.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        (b["amount"].as_str(), b["pair"].as_str()),
        (Some("250.00"), Some("btceur"))
    );
}

#[test]
fn share_token_request_is_signed_and_the_token_redacted() {
    let mut h = Harness::<KriptomatPlugin>::new("passed");
    let r = h.run(kriptomat_profile()).unwrap();
    let e = r
        .exchanges
        .iter()
        .find(|e| e.request.endpoint == "sumsub")
        .unwrap();
    let q = &e.request;
    assert_eq!(
        q.path,
        "/resources/accessTokens/-/shareToken?applicantId=775300ef-4edb-47b9-8ec4-f45fe3cbf41f&forClientId=KriptomatSandbox"
    );
    let ts = q.header("X-App-Access-Ts").unwrap();
    assert_eq!(
        ts.parse::<i64>().unwrap(),
        (START_MS + 2) / 1000,
        "Unix seconds of cx.now_ms()"
    );
    let sig = q.header("X-App-Access-Sig").unwrap();
    assert_eq!(sig.len(), 64);
    assert!(sig
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    let token = serde_json::from_str::<Value>(&e.response.body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(r.sensitive.contains(&token), "share token must be redacted");
    let session = r.exchanges[0].response.body.clone();
    let session = serde_json::from_str::<Value>(&session).unwrap()["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        r.sensitive.contains(&session),
        "bearer session must be redacted"
    );
}

#[test]
fn results_never_carry_kyc_values_or_secrets() {
    let p = kriptomat_profile();
    let forbidden = [
        p.first_name.as_str(),
        p.last_name.as_str(),
        p.email.as_str(),
        p.phone.as_str(),
        p.date_of_birth.as_str(),
        p.address.line1.as_str(),
        SANDBOX_TOTP_SECRET,
        rampsim_kriptomat::fake::SANDBOX_PASSWORD,
    ];
    for s in KriptomatPlugin::manifest().scenarios {
        let mut h = Harness::<KriptomatPlugin>::new(&s.name);
        let r = h.run(kriptomat_profile()).unwrap();
        for (_, res) in &r.stages {
            let text = format!("{} {:?}", res.message, res.next_step);
            for f in forbidden {
                assert!(!text.contains(f), "{}: {text:?} contains {f:?}", s.name);
            }
        }
    }
}

#[test]
fn sample_profile_with_jumio_idv_is_refused_naming_the_field() {
    let mut h = Harness::<KriptomatPlugin>::new("passed");
    let err = h.run(sample_profile()).unwrap_err();
    assert_eq!(err.kind, PluginErrorKind::Invalid);
    assert!(
        err.message.starts_with("profile.idv.provider:"),
        "{}",
        err.message
    );
    assert!(h.fake.user_count() == 0, "nothing was sent");
}

#[test]
fn a_bad_totp_secret_setting_is_named() {
    let h = Harness::<KriptomatPlugin>::new("passed");
    let mut init = h.init(kriptomat_profile());
    init.settings
        .insert("totp_secret".into(), "not base32!".into());
    let err = KriptomatAdapter::new(init).unwrap_err();
    assert!(
        err.message.starts_with("settings.totp_secret:"),
        "{}",
        err.message
    );
}

#[test]
fn a_stage_after_the_session_ended_logs_in_again() {
    let mut h = Harness::<KriptomatPlugin>::new("passed");
    let mut a = KriptomatAdapter::new(h.init(kriptomat_profile())).unwrap();
    let r = h.run_stage_once(&mut a, Stage::Register, 0).unwrap().result;
    assert_eq!(r.next, Next::Continue, "{r:?}");
    // 61 minutes later (an operator paused the journey): the bearer session is over.
    h.now_ms += 61 * 60_000;
    let step = h.run_stage_once(&mut a, Stage::IdvPassthrough, 0).unwrap();
    let (sent, r) = (step.requests(), step.result);
    assert_eq!(r.next, Next::Continue, "{r:?}");
    let paths: Vec<_> = sent
        .iter()
        .map(|q| q.path.split('?').next().unwrap().to_string())
        .collect();
    assert_eq!(
        paths,
        vec![
            "/resources/accessTokens/-/shareToken",
            "/api/v1/partners/auth/login",
            "/v1/users/1002/kyc-import"
        ]
    );
}

#[test]
fn a_session_revoked_early_is_renewed_once() {
    let mut h = Harness::<KriptomatPlugin>::new("passed");
    let mut a = KriptomatAdapter::new(h.init(kriptomat_profile())).unwrap();
    h.run_stage_once(&mut a, Stage::Register, 0).unwrap();
    h.run_stage_once(&mut a, Stage::IdvPassthrough, 0).unwrap();
    h.fake.revoke_sessions();
    let step = h.run_stage_once(&mut a, Stage::AwaitKyc, 0).unwrap();
    let (sent, r) = (step.requests(), step.result);
    assert_eq!(r.kyc_status, Some(KycStatus::Pending), "{r:?}");
    let paths: Vec<_> = sent.iter().map(|q| q.path.clone()).collect();
    assert_eq!(
        paths,
        vec![
            "/api/v1/partners/users/1002",
            "/api/v1/partners/auth/login",
            "/api/v1/partners/users/1002"
        ]
    );
}

#[test]
fn stages_before_register_fail_clearly() {
    let mut h = Harness::<KriptomatPlugin>::new("passed");
    let mut a = KriptomatAdapter::new(h.init(kriptomat_profile())).unwrap();
    let step = h.run_stage_once(&mut a, Stage::AwaitKyc, 0).unwrap();
    let (sent, r) = (step.requests(), step.result);
    assert_eq!(r.next, Next::Finish(Outcome::Failed));
    assert!(r.message.contains("register"), "{}", r.message);
    assert!(sent.is_empty());
}

#[test]
fn a_stale_clock_gets_the_login_refusal_reported() {
    let mut h = Harness::<KriptomatPlugin>::new("passed");
    let mut a = KriptomatAdapter::new(h.init(kriptomat_profile())).unwrap();
    // The host's clock is 5 minutes behind the fake's: the TOTP code is stale.
    let mut cx = rampsim_plugin_sdk::Cx::new(h.now_ms - 300_000, 0);
    let step = a.begin(Stage::Register, &mut cx).unwrap();
    let rampsim_plugin_sdk::Step::Send { request } = step else {
        panic!("expected a login")
    };
    let resp = h.send(&request);
    let step = a.on_response(Stage::Register, resp, &mut cx).unwrap();
    let rampsim_plugin_sdk::Step::Finish { result } = step else {
        panic!("expected a result")
    };
    assert_eq!(result.next, Next::Finish(Outcome::Failed));
    assert_eq!(
        result.message,
        "Kriptomat answered 422 to login: The given data was invalid. (security_code: The security code is invalid or expired.)"
    );
    assert!(result.next_step.unwrap().contains("totp_secret"));
}

#[test]
fn a_retried_buy_reuses_the_transaction() {
    let mut h = Harness::<KriptomatPlugin>::new("passed");
    let mut a = KriptomatAdapter::new(h.init(kriptomat_profile())).unwrap();
    h.run_stage_once(&mut a, Stage::Register, 0).unwrap();
    h.run_stage_once(&mut a, Stage::IdvPassthrough, 0).unwrap();
    h.now_ms += 60_000;
    let r = h.run_stage_once(&mut a, Stage::AwaitKyc, 0).unwrap().result;
    assert_eq!(r.kyc_status, Some(KycStatus::Approved));
    let step = h.run_stage_once(&mut a, Stage::CreateOrder, 0).unwrap();
    let (sent, r) = (step.requests(), step.result);
    assert_eq!(r.next, Next::Poll, "PENDING first: {r:?}");
    assert_eq!(r.provider_status.as_deref(), Some("PENDING"));
    // The host retries the POST (same idempotency key): the same transaction comes back.
    let buy = sent
        .iter()
        .find(|q| q.path.ends_with("/buy"))
        .unwrap()
        .clone();
    let again = h.send(&buy);
    assert_eq!(body(&again)["data"]["transaction_id"], 5004);
    h.now_ms += 31_000;
    let step = h.run_stage_once(&mut a, Stage::CreateOrder, 1).unwrap();
    let (sent, r) = (step.requests(), step.result);
    assert_eq!(sent.len(), 1, "a poll is one GET");
    assert_eq!(sent[0].method, "GET");
    assert_eq!(r.order_id.as_deref(), Some("5004"));
    assert_eq!(h.fake.transaction_count(), 1);
    // The host's audit sees one order, not one per POST.
    let notes = rampsim_plugin_sdk::Fake::take_notes(&mut h.fake);
    assert_eq!(
        notes,
        vec![rampsim_plugin_sdk::FakeNote::order_created("1002", "5004")]
    );
}
