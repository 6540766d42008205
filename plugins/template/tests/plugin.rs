//! The plugin's own tests: the adapter against the fake, in-process, with no host and no
//! sockets (`rampsim_plugin_sdk::testing`). CHANGE: `rampsim_template` and `TemplatePlugin` to
//! your names; keep the conformance tests as they are and replace the detailed ones with your
//! provider's.

use rampsim_plugin_sdk::testing::{self, fake_answer, sample_profile, Harness};
use rampsim_plugin_sdk::{HttpRequest, KycStatus, Outcome, PluginErrorKind, Stage};
use rampsim_template::{TemplatePlugin, SANDBOX_API_KEY, SCENARIO_APPROVED, SCENARIO_REJECTED};

// --- Conformance: what `rampsim plugin check` checks, in-process. Keep these. ---

#[test]
fn every_scenario_ends_with_its_declared_outcome() {
    testing::assert_every_scenario::<TemplatePlugin>();
}

#[test]
fn malformed_responses_end_the_stage_failed_at_every_stage() {
    testing::assert_malformed_responses_fail::<TemplatePlugin>();
}

#[test]
fn the_fake_answers_unknown_and_spoilt_requests_without_panicking() {
    testing::assert_fake_refuses_unknown_requests::<TemplatePlugin>();
}

// --- Your provider in detail. CHANGE: these. ---

#[test]
fn approved_journey_sends_one_call_per_stage_and_creates_the_order() {
    let mut h = Harness::<TemplatePlugin>::new(SCENARIO_APPROVED);
    let r = h.run(sample_profile()).expect("runs");
    assert_eq!(r.outcome, Outcome::OrderCreated);
    assert_eq!(r.kyc_status, Some(KycStatus::Approved));
    assert_eq!(r.order_id.as_deref(), Some("ord_0002"));
    let calls: Vec<String> = r
        .exchanges
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e.request.method, e.request.path, e.response.status
            )
        })
        .collect();
    // Register, passthrough, polls while the 2-minute review runs (Retry-After: 30), order.
    assert_eq!(
        calls.first().map(String::as_str),
        Some("POST /v1/users 201")
    );
    assert_eq!(
        calls.get(1).map(String::as_str),
        Some("POST /v1/users/usr_0001/verifications 202")
    );
    assert_eq!(
        calls.last().map(String::as_str),
        Some("POST /v1/orders 201")
    );
    assert_eq!(r.polls, 4, "{calls:#?}");
    // The requests that carry KYC data say so; the order carries an idempotency key.
    assert!(r.exchanges[0].request.carries_kyc);
    let order = &r.exchanges.last().unwrap().request;
    assert_eq!(
        order.idempotency_key.as_deref(),
        Some("user-billy-duncan-001-order")
    );
    assert_eq!(
        order.header("idempotency-key"),
        order.idempotency_key.as_deref()
    );
}

#[test]
fn rejected_journey_ends_at_await_kyc_with_a_next_step() {
    let r = Harness::<TemplatePlugin>::new(SCENARIO_REJECTED)
        .run(sample_profile())
        .expect("runs");
    assert_eq!(r.outcome, Outcome::Rejected);
    assert_eq!(r.provider_status.as_deref(), Some("rejected"));
    let (stage, last) = r.stages.last().unwrap();
    assert_eq!(*stage, Stage::AwaitKyc);
    assert!(last.next_step.is_some());
    assert!(
        r.exchanges.iter().all(|e| e.request.path != "/v1/orders"),
        "no order"
    );
}

#[test]
fn the_fake_refuses_a_wrong_api_key_with_its_401_body() {
    let req = HttpRequest::get("api", "/v1/users/usr_0001").bearer("wrong");
    let r = fake_answer::<TemplatePlugin>(SCENARIO_APPROVED, &req);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        r#"{"error":{"code":"unauthorized","message":"missing or wrong API key"}}"#
    );
}

#[test]
fn the_fake_names_a_missing_field() {
    let req = HttpRequest::post("api", "/v1/users")
        .json(&serde_json::json!({"first_name": "Billy", "last_name": "Duncan", "country": "US"}))
        .bearer(SANDBOX_API_KEY);
    let r = fake_answer::<TemplatePlugin>(SCENARIO_APPROVED, &req);
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        r#"{"error":{"code":"invalid_request","message":"`email` is required"}}"#
    );
}

#[test]
fn an_order_replayed_with_its_key_is_not_created_twice() {
    let mut h = Harness::<TemplatePlugin>::new(SCENARIO_APPROVED);
    let r = h.run(sample_profile()).expect("runs");
    let order = r.exchanges.last().unwrap();
    // The same request again (a retry): the stored answer, the same order.
    assert_eq!(h.send(&order.request), order.response);
    // The same key with another body: the provider's conflict.
    let mut other = order.request.clone();
    other.body = other.body.map(|b| b.replace("100.00", "999.00"));
    let conflict = h.send(&other);
    assert_eq!(conflict.status, 409, "{}", conflict.body);
}

#[test]
fn the_adapter_refuses_a_profile_without_email_by_field_name() {
    let mut profile = sample_profile();
    profile.email.clear();
    let e = Harness::<TemplatePlugin>::new(SCENARIO_APPROVED)
        .run(profile)
        .expect_err("refused");
    assert_eq!(e.kind, PluginErrorKind::Invalid);
    assert!(e.message.starts_with("profile.email"), "{}", e.message);
}
