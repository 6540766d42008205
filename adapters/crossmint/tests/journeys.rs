//! Every scenario of the manifest, end to end against the fake, and what a support engineer
//! checks in the report: outcome, KYC status, provider word, what was sent and redacted.

use rampsim_crossmint::fake::{MISSING_KYC_MESSAGE, PROCESSING_MS};
use rampsim_crossmint::{CrossmintPlugin, SANDBOX_API_KEY, SANDBOX_API_KEY_NO_ORDERS};
use rampsim_plugin_sdk::testing::{
    assert_every_scenario_ends, garbage_answers, run_with_replaced_answer, sample_profile, Harness,
    JourneyReport,
};
use rampsim_plugin_sdk::{Adapter, KycStatus, Next, Outcome, Plugin, Stage};
use serde_json::{json, Value};

type H = Harness<CrossmintPlugin>;

/// (scenario, final kyc status, final provider status) — a new scenario must be added here.
const EXPECTED: &[(&str, KycStatus, &str)] = &[
    ("approved", KycStatus::Approved, "awaiting-payment"),
    ("kyc_processing", KycStatus::Approved, "awaiting-payment"),
    ("missing_kyc", KycStatus::ActionRequired, "requires-data"),
    ("rejected", KycStatus::Rejected, "rejected"),
    ("order_failed_kyc", KycStatus::Rejected, "failed-kyc"),
    ("manual_kyc", KycStatus::ActionRequired, "manual-kyc"),
];

fn run(scenario: &str) -> JourneyReport {
    H::new(scenario)
        .run(sample_profile())
        .expect("journey runs")
}

fn requests(r: &JourneyReport, method: &str, path_end: &str) -> usize {
    r.exchanges
        .iter()
        .filter(|e| e.request.method == method && e.request.path.ends_with(path_end))
        .count()
}

#[test]
fn every_scenario_ends_as_declared() {
    let manifest = CrossmintPlugin::manifest();
    assert_eq!(
        manifest.default_scenario().unwrap().name,
        "approved",
        "happy path first"
    );
    for (s, r) in assert_every_scenario_ends::<CrossmintPlugin>(&sample_profile(), EXPECTED) {
        assert_eq!(
            r.order_id.is_some(),
            !matches!(s.name.as_str(), "missing_kyc" | "rejected"),
            "{}",
            s.name
        );
        // The order is created once, however many polls follow.
        assert!(
            requests(&r, "POST", "/2022-06-09/orders") <= 1,
            "{}",
            s.name
        );
    }
}

#[test]
fn journeys_keep_kyc_values_and_secrets_out_of_messages() {
    let p = sample_profile();
    let private = [
        p.first_name.as_str(),
        p.last_name.as_str(),
        p.date_of_birth.as_str(),
        p.email.as_str(),
        p.document.number.as_str(),
        p.tax_id.number.as_str(),
        p.address.line1.as_str(),
        SANDBOX_API_KEY,
    ];
    for s in CrossmintPlugin::manifest().scenarios {
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
fn approved_journey_sends_what_the_seed_describes() {
    let r = run("approved");
    assert_eq!(r.outcome, Outcome::OrderCreated);
    let order_id = r.order_id.clone().unwrap();
    assert_eq!(order_id.len(), 36, "UUID order id: {order_id}");

    let paths: Vec<(Stage, String, String)> = r
        .exchanges
        .iter()
        .map(|e| (e.stage, e.request.method.clone(), e.request.path.clone()))
        .collect();
    let loc = "/2025-06-09/users/userId:user-billy-duncan-001";
    assert_eq!(
        paths[0],
        (
            Stage::Register,
            "PUT".into(),
            format!("{loc}/legal-documents")
        )
    );
    assert_eq!(paths[1], (Stage::Register, "PUT".into(), loc.to_string()));
    assert_eq!(
        paths[2],
        (Stage::IdvPassthrough, "PUT".into(), loc.to_string())
    );
    assert_eq!(
        paths[3],
        (
            Stage::AwaitKyc,
            "GET".into(),
            format!("{loc}/identity-verification")
        )
    );
    assert_eq!(
        paths[4],
        (
            Stage::AwaitKyc,
            "PUT".into(),
            format!("{loc}/identity-verification")
        ),
        "trigger once"
    );
    assert_eq!(requests(&r, "PUT", "/identity-verification"), 1);
    assert_eq!(paths.last().unwrap().2, "/2022-06-09/orders");

    // Every request carries the key; only the full-record PUT is marked as carrying KYC.
    for e in &r.exchanges {
        assert_eq!(e.request.header("X-API-KEY"), Some(SANDBOX_API_KEY));
        assert_eq!(
            e.request.carries_kyc,
            e.stage == Stage::IdvPassthrough,
            "{}",
            e.request.path
        );
    }
    let record: Value =
        serde_json::from_str(r.exchanges[2].request.body.as_deref().unwrap()).unwrap();
    assert_eq!(record["userDetails"]["countryOfResidence"], "US");
    assert_eq!(record["dueDiligence"]["employmentStatus"], "full time");
    assert_eq!(
        serde_json::from_str::<Value>(&r.exchanges[2].response.body).unwrap(),
        json!({"userId": "user-billy-duncan-001", "userDetails": true, "kycData": true, "dueDiligence": true,
               "enhancedDueDiligence": false, "verificationHistory": true, "email": "example@somemail.org",
               "phoneNumber": "+15556781234",
               "legalDocuments": [{"type": "crossmint-privacy-policy", "acceptedAt": "2026-01-01T00:00:00.000Z", "isValidVersion": true}]})
    );
    // register sends userDetails only: the whole record follows at idv_passthrough.
    let details: Value =
        serde_json::from_str(r.exchanges[1].request.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        details.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["userDetails"]
    );

    let order_req: Value =
        serde_json::from_str(r.exchanges.last().unwrap().request.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        order_req["payment"]["receiptEmail"], record["kycData"]["email"],
        "matched by email"
    );
    assert_eq!(
        order_req["recipient"]["walletAddress"],
        "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"
    );
    assert_eq!(
        r.exchanges.last().unwrap().request.idempotency_key,
        None,
        "Crossmint documents no idempotency key"
    );

    // The client secret is redacted; the review polled at least once.
    let answer: Value = serde_json::from_str(&r.exchanges.last().unwrap().response.body).unwrap();
    let secret = answer["clientSecret"].as_str().unwrap();
    assert!(r.sensitive.iter().any(|s| s == secret));
    assert_eq!(answer["order"]["phase"], "payment");
    assert!(r.polls >= 1);
    assert_eq!(
        r.stage(Stage::AwaitKyc).unwrap().kyc_status,
        Some(KycStatus::Approved)
    );
}

#[test]
fn kyc_processing_polls_the_order_without_creating_another() {
    let r = run("kyc_processing");
    assert_eq!(r.outcome, Outcome::OrderCreated);
    assert_eq!(requests(&r, "POST", "/2022-06-09/orders"), 1);
    let id = r.order_id.clone().unwrap();
    let gets = requests(&r, "GET", &format!("/2022-06-09/orders/{id}"));
    assert!(gets >= 1, "polled the order");
    let first = r
        .exchanges
        .iter()
        .find(|e| e.request.method == "POST" && e.request.path.ends_with("/orders"))
        .unwrap();
    let body: Value = serde_json::from_str(&first.response.body).unwrap();
    assert_eq!(
        body["order"]["payment"]["status"],
        "processing-kyc-verification"
    );
    let last = r.exchanges.last().unwrap();
    let body: Value = serde_json::from_str(&last.response.body).unwrap();
    assert_eq!(
        body["payment"]["status"], "awaiting-payment",
        "GET answers the bare order"
    );
    assert!(r.stage(Stage::CreateOrder).unwrap().message.contains(&id));
}

#[test]
fn kyc_processing_lasts_the_scenarios_sandbox_time() {
    // Polled by hand: still processing just before 30 s, awaiting-payment after.
    let mut h = H::new("kyc_processing");
    let mut a =
        rampsim_crossmint::adapter::CrossmintAdapter::new(h.init(sample_profile())).unwrap();
    for stage in [Stage::Register, Stage::IdvPassthrough] {
        assert_eq!(
            h.run_stage_once(&mut a, stage, 0).unwrap().result.next,
            Next::Continue
        );
    }
    let created = h.now_ms;
    assert_eq!(
        h.run_stage_once(&mut a, Stage::CreateOrder, 0)
            .unwrap()
            .result
            .next,
        Next::Poll
    );
    h.now_ms = created + PROCESSING_MS - 10;
    let res = h
        .run_stage_once(&mut a, Stage::CreateOrder, 1)
        .unwrap()
        .result;
    assert_eq!(
        (res.next, res.provider_status.as_deref()),
        (Next::Poll, Some("processing-kyc-verification"))
    );
    h.now_ms = created + PROCESSING_MS + 10;
    let res = h
        .run_stage_once(&mut a, Stage::CreateOrder, 2)
        .unwrap()
        .result;
    assert_eq!(
        (res.next, res.provider_status.as_deref()),
        (Next::Continue, Some("awaiting-payment"))
    );
    assert!(res.order_id.is_some());
}

#[test]
fn missing_kyc_shows_the_seed_message_and_what_is_missing() {
    let r = run("missing_kyc");
    assert_eq!(r.outcome, Outcome::ActionRequired);
    let await_kyc = r.stage(Stage::AwaitKyc).unwrap();
    assert_eq!(
        await_kyc.next,
        Next::Continue,
        "goes on to the order for Crossmint's verdict"
    );
    assert_eq!(await_kyc.kyc_status, Some(KycStatus::ActionRequired));
    assert!(
        await_kyc
            .message
            .contains("enhancedDueDiligence.proofOfAddress"),
        "{}",
        await_kyc.message
    );

    let order = r
        .exchanges
        .iter()
        .find(|e| e.request.method == "POST")
        .unwrap();
    assert_eq!(order.response.status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&order.response.body).unwrap(),
        json!({"error": true, "message": "Required full KYC user data is missing to complete the order"})
    );
    let last = r.stage(Stage::CreateOrder).unwrap();
    assert!(
        last.message.contains(MISSING_KYC_MESSAGE),
        "{}",
        last.message
    );
    assert!(
        last.message.contains("proof-of-address"),
        "{}",
        last.message
    );
    assert!(last.next_step.as_deref().unwrap().contains("receiptEmail"));
}

#[test]
fn rejected_names_the_failure_reason() {
    let r = run("rejected");
    let res = r.stage(Stage::AwaitKyc).unwrap();
    assert_eq!(res.next, Next::Finish(Outcome::Rejected));
    assert!(
        res.message.contains("id-document-expired"),
        "{}",
        res.message
    );
    assert!(res.next_step.is_some());
    assert!(
        r.stage(Stage::CreateOrder).is_none(),
        "no order for a rejected user"
    );
}

#[test]
fn a_key_without_orders_create_is_refused_at_the_order() {
    let mut h = H::new("approved");
    let mut init = h.init(sample_profile());
    init.settings
        .insert("api_key".into(), SANDBOX_API_KEY_NO_ORDERS.into());
    let r = h.run_with(init).unwrap();
    assert_eq!(r.outcome, Outcome::Failed);
    let res = r.stage(Stage::CreateOrder).unwrap();
    assert_eq!(
        res.message,
        "Crossmint answered 403 to the order creation: Forbidden: the API key lacks the scope orders.create required for this call"
    );
    assert!(res.next_step.as_deref().unwrap().contains("api_key"));
}

#[test]
fn a_wrong_key_fails_at_the_first_call() {
    let mut h = H::new("approved");
    let mut init = h.init(sample_profile());
    init.settings
        .insert("api_key".into(), "sk_staging_wrong".into());
    let r = h.run_with(init).unwrap();
    assert_eq!(r.outcome, Outcome::Failed);
    assert_eq!(r.exchanges.len(), 1);
    assert_eq!(
        r.stage(Stage::Register).unwrap().message,
        "Crossmint answered 401 to the privacy-policy acceptance: Unauthorized: invalid API key"
    );
}

#[test]
fn an_empty_key_or_bad_profile_is_refused_before_sending() {
    let h = H::new("approved");
    let mut init = h.init(sample_profile());
    init.settings.insert("api_key".into(), " ".into());
    let e = rampsim_crossmint::adapter::CrossmintAdapter::new(init)
        .err()
        .unwrap();
    assert!(e.message.starts_with("settings.api_key"), "{}", e.message);

    let mut p = sample_profile();
    p.address.country = "USA".into();
    let e = H::new("approved").run(p).unwrap_err();
    assert!(
        e.message.starts_with("profile.address.country"),
        "{}",
        e.message
    );
}

#[test]
fn pending_privacy_policy_asks_for_the_acceptance() {
    // The record is imported without the acceptance (register not run).
    let mut h = H::new("approved");
    let mut a =
        rampsim_crossmint::adapter::CrossmintAdapter::new(h.init(sample_profile())).unwrap();
    assert_eq!(
        h.run_stage_once(&mut a, Stage::IdvPassthrough, 0)
            .unwrap()
            .result
            .next,
        Next::Continue
    );
    let res = h.run_stage_once(&mut a, Stage::AwaitKyc, 0).unwrap().result;
    assert_eq!(res.next, Next::Finish(Outcome::ActionRequired));
    assert_eq!(
        res.provider_status.as_deref(),
        Some("pending-privacy-policy")
    );
    assert!(res.next_step.unwrap().contains("register"));
}

#[test]
fn not_started_after_the_trigger_keeps_waiting() {
    // Without the KYC import the user has data missing: requires-data names it.
    let mut h = H::new("approved");
    let mut a =
        rampsim_crossmint::adapter::CrossmintAdapter::new(h.init(sample_profile())).unwrap();
    assert_eq!(
        h.run_stage_once(&mut a, Stage::Register, 0)
            .unwrap()
            .result
            .next,
        Next::Continue
    );
    let res = h.run_stage_once(&mut a, Stage::AwaitKyc, 0).unwrap().result;
    assert_eq!(res.provider_status.as_deref(), Some("requires-data"));
    assert!(
        res.message.contains("kycData.identityDocument"),
        "{}",
        res.message
    );
}

#[test]
fn garbage_at_every_step_fails_cleanly() {
    for stage in Stage::ALL {
        for index in 0..4 {
            for (what, g) in garbage() {
                let Some(res) = run_with_replaced_answer::<CrossmintPlugin>(
                    "kyc_processing",
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
                    res.message.starts_with("Crossmint answered"),
                    "{stage}#{index} {what}: {}",
                    res.message
                );
                assert!(
                    !res.message.contains("<html>"),
                    "garbage is described, not echoed"
                );
            }
        }
        assert!(
            run_with_replaced_answer::<CrossmintPlugin>(
                "kyc_processing",
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
}

/// Garbage a broken proxy or provider could answer; the 500 in Crossmint's own error shape.
fn garbage() -> Vec<(&'static str, rampsim_plugin_sdk::HttpResponse)> {
    garbage_answers(
        r#"{"userId": "user-1", "userDetails": tr"#,
        r#"{"error": true, "message": "Internal server error"}"#,
    )
}
