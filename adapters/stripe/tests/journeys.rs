//! Whole journeys of the Stripe adapter against its fake, through the SDK's Harness, and the
//! requests the adapter sends.

use rampsim_plugin_sdk::testing::{assert_every_scenario_ends, sample_profile, Harness, START_MS};
use rampsim_plugin_sdk::{Adapter, KycStatus, Next, Outcome, Plugin, PluginErrorKind, Stage};
use rampsim_stripe::adapter::NEXT_L2;
use rampsim_stripe::fake::{L1_REVIEW_MS, SANDBOX_SECRET_KEY};
use rampsim_stripe::{StripeAdapter, StripePlugin};
use serde_json::Value;

/// (scenario, kyc_status, provider_status) a journey ends with.
const EXPECTED: [(&str, KycStatus, &str); 4] = [
    ("l1_verified", KycStatus::Approved, "requires_payment"),
    (
        "needs_document",
        KycStatus::ActionRequired,
        "crypto_onramp_missing_document_verification",
    ),
    (
        "l0_failed_l1_supersedes",
        KycStatus::Approved,
        "requires_payment",
    ),
    (
        "rejected",
        KycStatus::Rejected,
        "l0: rejected, l1: rejected, l2: not_started",
    ),
];

#[test]
fn every_scenario_ends_with_its_expected_outcome() {
    let manifest = StripePlugin::manifest();
    assert_eq!(manifest.default_scenario().unwrap().name, "l1_verified");
    for (s, r) in assert_every_scenario_ends::<StripePlugin>(&sample_profile(), &EXPECTED) {
        if s.expected_outcome == Outcome::OrderCreated {
            assert!(
                r.order_id.as_deref().unwrap().starts_with("cos_"),
                "{:?}",
                r.order_id
            );
        }
    }
}

#[test]
fn needs_document_names_l2_and_the_document_check() {
    let mut h = Harness::<StripePlugin>::new("needs_document");
    let r = h.run(sample_profile()).unwrap();
    let last = r.stage(Stage::CreateOrder).unwrap();
    assert_eq!(last.next, Next::Finish(Outcome::ActionRequired));
    assert_eq!(
        last.next_step.as_deref(),
        Some("L2: the document check (photo ID and selfie) via verifyIdentity")
    );
    assert_eq!(NEXT_L2, last.next_step.as_deref().unwrap());
    // KYC itself was fine: verified at L1.
    assert_eq!(
        r.stage(Stage::AwaitKyc).unwrap().kyc_status,
        Some(KycStatus::Approved)
    );
}

#[test]
fn l1_supersedes_a_rejected_l0() {
    let mut h = Harness::<StripePlugin>::new("l0_failed_l1_supersedes");
    let r = h.run(sample_profile()).unwrap();
    let kyc = r.stage(Stage::AwaitKyc).unwrap();
    assert_eq!(
        kyc.provider_status.as_deref(),
        Some("l0: rejected, l1: verified, l2: not_started")
    );
    assert_eq!(kyc.kyc_status, Some(KycStatus::Approved));
    assert!(kyc.message.contains("verified at L1"), "{}", kyc.message);
    assert_eq!(r.outcome, Outcome::OrderCreated);
}

#[test]
fn rejected_says_what_can_be_done() {
    let mut h = Harness::<StripePlugin>::new("rejected");
    let r = h.run(sample_profile()).unwrap();
    let kyc = r.stage(Stage::AwaitKyc).unwrap();
    assert_eq!(
        kyc.message,
        "crc_1RsimSbx0000000000000001: L1 verification rejected"
    );
    assert!(kyc.next_step.as_deref().unwrap().contains("attachKYCInfo"));
}

#[test]
fn verification_is_waited_for_on_the_sandbox_clock() {
    let mut h = Harness::<StripePlugin>::new("l1_verified");
    let r = h.run(sample_profile()).unwrap();
    assert!(
        h.now_ms - START_MS >= L1_REVIEW_MS,
        "{}",
        h.now_ms - START_MS
    );
    let polls: Vec<_> = r
        .exchanges
        .iter()
        .filter(|e| e.stage == Stage::AwaitKyc)
        .collect();
    assert!(polls.len() >= 3, "{}", polls.len());
    assert!(polls.iter().all(|e| e.request.method == "GET"));
}

#[test]
fn requests_are_form_encoded_with_bearer_key_and_idempotency() {
    let mut h = Harness::<StripePlugin>::new("l1_verified");
    let r = h.run(sample_profile()).unwrap();
    let posts: Vec<_> = r
        .exchanges
        .iter()
        .filter(|e| e.request.method == "POST")
        .collect();
    assert_eq!(
        posts
            .iter()
            .map(|e| e.request.path.as_str())
            .collect::<Vec<_>>(),
        vec![
            "/v1/crypto/customers",
            "/v1/crypto/customers/crc_1RsimSbx0000000000000001/kyc_info",
            "/v1/crypto/onramp_sessions"
        ]
    );
    for e in &r.exchanges {
        assert_eq!(
            e.request.header("Authorization"),
            Some(format!("Bearer {SANDBOX_SECRET_KEY}").as_str())
        );
        if e.request.method == "POST" {
            assert_eq!(
                e.request.header("Content-Type"),
                Some("application/x-www-form-urlencoded")
            );
        }
        assert_eq!(
            e.request.carries_kyc,
            e.request.path.ends_with("/kyc_info"),
            "{}",
            e.request.path
        );
    }
    let keys: Vec<_> = posts
        .iter()
        .map(|e| e.request.idempotency_key.clone().unwrap())
        .collect();
    assert_eq!(
        keys,
        vec![
            "user-billy-duncan-001-customer-harness",
            "user-billy-duncan-001-kyc-info-harness",
            "user-billy-duncan-001-order"
        ]
    );
    let session = &posts[2].request;
    assert_eq!(
        session.header("Idempotency-Key"),
        Some("user-billy-duncan-001-order")
    );
    assert_eq!(
        session.idempotency_key.as_deref(),
        Some("user-billy-duncan-001-order")
    );
    assert_eq!(
        session.body.as_deref(),
        Some(
            "crypto_customer_id=crc_1RsimSbx0000000000000001&wallet_address=0x742d35Cc6634C0532925a3b844Bc454e4438f44e\
             &source_amount=100.00&source_currency=usd&destination_currency=btc&destination_network=bitcoin"
        )
    );
    let created: Value = serde_json::from_str(&posts[2].response.body).unwrap();
    let secret = created["client_secret"].as_str().unwrap().to_string();
    assert!(
        r.sensitive.contains(&secret),
        "client_secret must be redacted"
    );
}

#[test]
fn results_never_carry_kyc_values_or_secrets() {
    let p = sample_profile();
    let forbidden = [
        p.first_name.as_str(),
        p.last_name.as_str(),
        p.email.as_str(),
        p.phone.as_str(),
        "073051120",
        "073-05-1120",
        p.address.line1.as_str(),
        "1960",
        SANDBOX_SECRET_KEY,
    ];
    for s in StripePlugin::manifest().scenarios {
        let mut h = Harness::<StripePlugin>::new(&s.name);
        let r = h.run(sample_profile()).unwrap();
        for (_, res) in &r.stages {
            let text = format!(
                "{} {:?} {:?}",
                res.message, res.next_step, res.provider_status
            );
            for f in forbidden {
                assert!(!text.contains(f), "{}: {text:?} contains {f:?}", s.name);
            }
        }
    }
}

#[test]
fn a_missing_secret_key_is_named() {
    let h = Harness::<StripePlugin>::new("l1_verified");
    let mut init = h.init(sample_profile());
    init.settings.insert("secret_key".into(), " ".into());
    let err = StripeAdapter::new(init).unwrap_err();
    assert_eq!(err.kind, PluginErrorKind::Invalid);
    assert!(
        err.message.starts_with("settings.secret_key:"),
        "{}",
        err.message
    );
}

#[test]
fn an_order_while_verification_is_pending_polls_then_succeeds() {
    let mut h = Harness::<StripePlugin>::new("l1_verified");
    let mut a = StripeAdapter::new(h.init(sample_profile())).unwrap();
    h.run_stage_once(&mut a, Stage::Register, 0).unwrap();
    h.run_stage_once(&mut a, Stage::IdvPassthrough, 0).unwrap();
    // Skipping await_kyc (an operator re-running create_order early): Stripe says pending.
    let step = h.run_stage_once(&mut a, Stage::CreateOrder, 0).unwrap();
    let (sent, r) = (step.requests(), step.result);
    assert_eq!(r.next, Next::Poll, "{r:?}");
    assert_eq!(r.kyc_status, Some(KycStatus::Pending));
    assert_eq!(
        r.provider_status.as_deref(),
        Some("crypto_onramp_verification_pending")
    );
    assert_eq!(sent.len(), 1);
    h.now_ms += L1_REVIEW_MS;
    // The retry carries the same key; the refused first try was not stored, so it executes.
    let step = h.run_stage_once(&mut a, Stage::CreateOrder, 1).unwrap();
    let (sent, r) = (step.requests(), step.result);
    assert_eq!(
        sent[0].header("Idempotency-Key"),
        Some("user-billy-duncan-001-order")
    );
    assert_eq!(r.next, Next::Continue, "{r:?}");
    let order = r.order_id.unwrap();
    assert!(order.starts_with("cos_"));
    // A further retry of the same POST replays the same session.
    let again = h
        .run_stage_once(&mut a, Stage::CreateOrder, 2)
        .unwrap()
        .result;
    assert_eq!(again.order_id.as_deref(), Some(order.as_str()));
    assert_eq!(h.fake.session_count(), 1);
    // The host's audit sees one order for the user (by the ref_id kept in metadata).
    let notes = rampsim_plugin_sdk::Fake::take_notes(&mut h.fake);
    assert_eq!(
        notes,
        vec![rampsim_plugin_sdk::FakeNote::order_created(
            "user-billy-duncan-001",
            order
        )]
    );
}

#[test]
fn stages_before_register_fail_clearly() {
    let mut h = Harness::<StripePlugin>::new("l1_verified");
    let mut a = StripeAdapter::new(h.init(sample_profile())).unwrap();
    let step = h.run_stage_once(&mut a, Stage::CreateOrder, 0).unwrap();
    let (sent, r) = (step.requests(), step.result);
    assert_eq!(r.next, Next::Finish(Outcome::Failed));
    assert!(r.message.contains("register"));
    assert!(sent.is_empty());
}

#[test]
fn a_wrong_secret_key_is_reported_with_stripes_message() {
    let mut h = Harness::<StripePlugin>::new("l1_verified");
    let mut init = h.init(sample_profile());
    init.settings
        .insert("secret_key".into(), "sk_test_wrongwrongwrong1234".into());
    let r = h.run_with(init).unwrap();
    assert_eq!(r.outcome, Outcome::Failed);
    assert_eq!(
        r.stages[0].1.message,
        "Stripe answered 401 to create crypto customer: invalid_request_error: Invalid API Key provided: sk_test_***************1234"
    );
}
