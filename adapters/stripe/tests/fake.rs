//! The fake on its own, driven by a hand-written client: auth, form bodies, Stripe's error
//! objects, tiers over sandbox time, the limit errors, idempotency, routing.

mod common;

use common::*;
use rampsim_plugin_sdk::testing::{Harness, START_MS};
use rampsim_plugin_sdk::HttpRequest;
use rampsim_stripe::fake::{L0_REVIEW_MS, L1_REVIEW_MS, MAX_BODY, SANDBOX_SECRET_KEY};
use serde_json::json;

fn h(scenario: &str) -> H {
    Harness::new(scenario)
}

// ---- auth, encoding, routing -----------------------------------------------------------------

#[test]
fn no_key_or_a_wrong_key_gets_401_with_stripes_body() {
    let mut h = h("l1_verified");
    let r = h.send(&HttpRequest::post("api", "/v1/crypto/customers").form(&[("email", "a@b.io")]));
    assert_eq!(r.status, 401);
    let msg = body(&r)["error"]["message"].as_str().unwrap().to_string();
    assert!(msg.starts_with("You did not provide an API key."), "{msg}");
    assert_eq!(body(&r)["error"]["type"], "invalid_request_error");
    let r = h.send(&HttpRequest::get("api", "/v1/crypto/customers/crc_x").bearer("sk_test_abc"));
    assert_eq!(r.status, 401);
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: ***********"}})
    );
}

#[test]
fn a_json_body_is_refused() {
    let mut h = h("l1_verified");
    let q = HttpRequest::post("api", "/v1/crypto/customers")
        .bearer(SANDBOX_SECRET_KEY)
        .json(&json!({"email": "a@b.io"}));
    let r = h.send(&q);
    assert_eq!(r.status, 400);
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error",
            "message": "Invalid request: Stripe's API takes application/x-www-form-urlencoded bodies, not JSON. Send parameters as form fields (nested ones as address[line1])."}})
    );
    assert_eq!(h.fake.customer_count(), 0);
}

#[test]
fn unknown_routes_get_stripes_404() {
    let mut h = h("l1_verified");
    let r = h.send(&get("/v1/crypto/nothing"));
    assert_eq!(r.status, 404);
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error",
            "message": "Unrecognized request URL (GET: /v1/crypto/nothing). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."}})
    );
    let r = h.send(
        &HttpRequest::new("api", "DELETE", "/v1/crypto/customers").bearer(SANDBOX_SECRET_KEY),
    );
    assert_eq!(r.status, 404);
    let r = h.send(&get("/v1/crypto/customers/crc_missing"));
    assert_eq!(r.status, 404);
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error", "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such crypto customer: 'crc_missing'", "param": "id"}})
    );
}

#[test]
fn garbage_and_huge_bodies_get_errors_not_panics() {
    let mut h = h("l1_verified");
    let mut q = post("/v1/crypto/customers", &[]);
    q.body = Some("%%%&&&===\u{0}\u{ffff}".into());
    let r = h.send(&q);
    assert_eq!(r.status, 400, "{}", r.body);
    q.body = Some("a".repeat(MAX_BODY + 1));
    assert_eq!(h.send(&q).status, 400);
}

// ---- customers -------------------------------------------------------------------------------

#[test]
fn create_customer_parameter_errors() {
    let mut h = h("l1_verified");
    let r = h.send(&post("/v1/crypto/customers", &[("phone", "+15556781234")]));
    assert_eq!(r.status, 400);
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error", "code": "parameter_missing",
            "doc_url": "https://stripe.com/docs/error-codes/parameter-missing",
            "message": "Missing required param: email.", "param": "email"}})
    );
    let r = h.send(&post(
        "/v1/crypto/customers",
        &[("email", "a@b.io"), ("nickname", "x")],
    ));
    assert_eq!(body(&r)["error"]["code"], "parameter_unknown");
    assert_eq!(
        body(&r)["error"]["message"],
        "Received unknown parameter: nickname"
    );
    let r = h.send(&post("/v1/crypto/customers", &[("email", "")]));
    assert_eq!(body(&r)["error"]["code"], "parameter_invalid_empty");
    let r = h.send(&post("/v1/crypto/customers", &[("email", "nobody")]));
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error", "code": "email_invalid",
            "doc_url": "https://stripe.com/docs/error-codes/email-invalid",
            "message": "Invalid email address.", "param": "email"}})
    );
}

#[test]
fn a_new_customer_has_no_tier_started() {
    let mut h = h("l1_verified");
    let r = h.send(&post(
        "/v1/crypto/customers",
        &[("email", "a@b.io"), ("metadata[ref_id]", "u-1")],
    ));
    let b = body(&r);
    assert!(b["id"].as_str().unwrap().starts_with("crc_"));
    assert_eq!(b["object"], "crypto.customer");
    assert_eq!(b["created"], START_MS / 1000, "Unix seconds");
    assert_eq!(b["metadata"], json!({"ref_id": "u-1"}));
    assert_eq!(b["provided_fields"], json!([]));
    assert_eq!(
        b["kyc_tiers"],
        json!([
            {"tier": "l0", "verification_status": "not_started", "verification_errors": []},
            {"tier": "l1", "verification_status": "not_started", "verification_errors": []},
            {"tier": "l2", "verification_status": "not_started", "verification_errors": []},
        ])
    );
}

#[test]
fn kyc_info_missing_field_and_bad_formats() {
    let mut h = h("l1_verified");
    let id = create_customer(&mut h);
    let without_city: Vec<_> = L0
        .iter()
        .filter(|(k, _)| *k != "address[city]")
        .copied()
        .collect();
    let r = attach(&mut h, &id, &without_city);
    assert_eq!(r.status, 400);
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error", "code": "parameter_missing",
            "doc_url": "https://stripe.com/docs/error-codes/parameter-missing",
            "message": "Missing required param: address[city].", "param": "address[city]"}})
    );
    let mut upper: Vec<_> = L0.to_vec();
    upper.retain(|(k, _)| *k != "address[country]");
    upper.push(("address[country]", "US"));
    let r = attach(&mut h, &id, &upper);
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error",
            "message": "Invalid address[country]: use a lower-case ISO 3166-1 alpha-2 region code, such as 'us'.",
            "param": "address[country]"}})
    );
    let bad_l1 = |k: &str, v: &'static str| {
        let mut f = l0_and_l1();
        for e in f.iter_mut() {
            if e.0 == k {
                e.1 = v;
            }
        }
        f
    };
    let r = attach(&mut h, &id, &bad_l1("dob[day]", "first"));
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error", "code": "parameter_invalid_integer",
            "doc_url": "https://stripe.com/docs/error-codes/parameter-invalid-integer",
            "message": "Invalid integer: first", "param": "dob[day]"}})
    );
    let r = attach(
        &mut h,
        &id,
        &bad_l1("dob[day]", "30")
            .into_iter()
            .map(|(k, v)| if k == "dob[month]" { (k, "2") } else { (k, v) })
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        body(&r)["error"]["message"],
        "Invalid dob: not a real date."
    );
    let r = attach(&mut h, &id, &bad_l1("dob[year]", "2015"));
    assert_eq!(
        body(&r)["error"]["message"],
        "The customer must be at least 18 years old."
    );
    let r = attach(&mut h, &id, &bad_l1("id_number", "073-05-1120"));
    assert_eq!(
        body(&r)["error"]["message"],
        "Invalid id_number: a social security number has 9 digits."
    );
    let r = attach(&mut h, &id, &bad_l1("id_type", "passport"));
    assert_eq!(body(&r)["error"]["param"], "id_type");
    let partial: Vec<_> = l0_and_l1()
        .into_iter()
        .filter(|(k, _)| *k != "id_type")
        .collect();
    let r = attach(&mut h, &id, &partial);
    assert_eq!(
        body(&r)["error"]["message"],
        "Missing required param: id_type."
    );
    assert_eq!(attach(&mut h, "crc_nobody", &L0).status, 404);
}

#[test]
fn l1_alone_needs_l0_first_then_may_be_uploaded_partially() {
    let mut h = h("l1_verified");
    let id = create_customer(&mut h);
    let r = attach(&mut h, &id, &L1);
    assert_eq!(
        body(&r)["error"]["message"],
        "Missing required param: first_name."
    );
    assert_eq!(attach(&mut h, &id, &L0).status, 200);
    let r = attach(&mut h, &id, &L1);
    assert_eq!(r.status, 200, "{}", r.body);
    let b = body(&r);
    assert_eq!(
        b["provided_fields"],
        json!([
            "first_name",
            "last_name",
            "address_line_1",
            "address_city",
            "address_state",
            "address_postal_code",
            "address_country",
            "id_number",
            "id_type",
            "dob"
        ])
    );
}

#[test]
fn tiers_are_pending_then_the_scenario_decides() {
    for (scenario, l0, l1) in [
        ("l1_verified", "verified", "verified"),
        ("needs_document", "verified", "verified"),
        ("l0_failed_l1_supersedes", "rejected", "verified"),
        ("rejected", "rejected", "rejected"),
    ] {
        let mut h = h(scenario);
        let id = create_customer(&mut h);
        let b = body(&attach(&mut h, &id, &l0_and_l1()));
        assert_eq!(
            b["kyc_tiers"][0]["verification_status"], "pending",
            "{scenario}"
        );
        assert_eq!(
            b["kyc_tiers"][1]["verification_status"], "pending",
            "{scenario}"
        );
        h.now_ms += L0_REVIEW_MS;
        let b = body(&h.send(&get(&format!("/v1/crypto/customers/{id}"))));
        assert_eq!(b["kyc_tiers"][0]["verification_status"], l0, "{scenario}");
        assert_eq!(
            b["kyc_tiers"][1]["verification_status"], "pending",
            "{scenario}"
        );
        h.now_ms += L1_REVIEW_MS;
        let b = body(&h.send(&get(&format!("/v1/crypto/customers/{id}"))));
        assert_eq!(b["kyc_tiers"][1]["verification_status"], l1, "{scenario}");
        assert_eq!(b["kyc_tiers"][2]["verification_status"], "not_started");
        assert_eq!(
            b["verifications"]["kyc_verified"],
            l1 == "verified" || l0 == "verified"
        );
    }
}

// ---- onramp sessions -------------------------------------------------------------------------

fn verified_customer(h: &mut H, fields: &[(&str, &str)]) -> String {
    let id = create_customer(h);
    assert_eq!(attach(h, &id, fields).status, 200);
    h.now_ms += L1_REVIEW_MS;
    id
}

#[test]
fn sessions_are_gated_by_tier_limits() {
    let mut h = h("l1_verified");
    // Nothing submitted: the minimum identity is missing.
    let none = create_customer(&mut h);
    let r = create_session(&mut h, &none, "100.00", None);
    assert_eq!(
        body(&r)["error"]["code"],
        "crypto_onramp_missing_minimum_identity_verification"
    );
    // L0 verified only: L0 cannot buy, L1 is needed.
    let l0 = verified_customer(&mut h, &L0);
    let r = create_session(&mut h, &l0, "100.00", None);
    assert_eq!(
        body(&r)["error"]["code"],
        "crypto_onramp_missing_identity_verification"
    );
    // L1 verified: up to 2,500.00 per order; above that L2 is needed; above 25,000.00 nothing helps.
    let l1 = verified_customer(&mut h, &l0_and_l1());
    assert_eq!(create_session(&mut h, &l1, "2500.00", None).status, 200);
    let r = create_session(&mut h, &l1, "2500.01", None);
    assert_eq!(r.status, 400);
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error", "code": "crypto_onramp_missing_document_verification",
            "doc_url": "https://stripe.com/docs/error-codes/crypto-onramp-missing-document-verification",
            "message": "This purchase requires L2 document verification (photo ID and selfie); the customer may buy up to 2500.00 usd per order.",
            "param": "source_amount"}})
    );
    let r = create_session(&mut h, &l1, "25000.01", None);
    assert_eq!(body(&r)["error"]["code"], "amount_too_large");
}

#[test]
fn needs_document_lowers_the_l1_limit() {
    let mut h = h("needs_document");
    let id = verified_customer(&mut h, &l0_and_l1());
    assert_eq!(create_session(&mut h, &id, "50.00", None).status, 200);
    let r = create_session(&mut h, &id, "100.00", None);
    assert_eq!(
        body(&r)["error"]["code"],
        "crypto_onramp_missing_document_verification"
    );
}

#[test]
fn l1_supersedes_a_rejected_l0_at_the_session() {
    let mut h = h("l0_failed_l1_supersedes");
    let id = verified_customer(&mut h, &l0_and_l1());
    let r = create_session(&mut h, &id, "100.00", None);
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn a_pending_verification_refuses_the_session() {
    let mut h = h("l1_verified");
    let id = create_customer(&mut h);
    attach(&mut h, &id, &l0_and_l1());
    let r = create_session(&mut h, &id, "100.00", None);
    assert_eq!(r.status, 400);
    assert_eq!(
        body(&r)["error"]["code"],
        "crypto_onramp_verification_pending"
    );
}

#[test]
fn a_session_awaits_payment() {
    let mut h = h("l1_verified");
    let id = verified_customer(&mut h, &l0_and_l1());
    let b = body(&create_session(&mut h, &id, "100", None));
    assert!(b["id"].as_str().unwrap().starts_with("cos_"));
    assert_eq!(b["object"], "crypto.onramp_session");
    assert_eq!(b["status"], "requires_payment");
    assert_eq!(b["crypto_customer_id"], id.as_str());
    assert_eq!(b["transaction_details"]["source_amount"], "100.00");
    assert!(b["client_secret"]
        .as_str()
        .unwrap()
        .starts_with(b["id"].as_str().unwrap()));
    let got = body(&h.send(&get(&format!(
        "/v1/crypto/onramp_sessions/{}",
        b["id"].as_str().unwrap()
    ))));
    assert_eq!(got, b);
}

#[test]
fn session_parameter_errors() {
    let mut h = h("l1_verified");
    let id = verified_customer(&mut h, &l0_and_l1());
    let mut form = session_form(&id, "100.00");
    form[5].1 = "bitcoin".into();
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = h.send(&post("/v1/crypto/onramp_sessions", &refs));
    assert_eq!(
        body(&r),
        json!({"error": {"type": "invalid_request_error",
            "message": "destination_currency 'usdc' is not supported on destination_network 'bitcoin'.",
            "param": "destination_network"}})
    );
    let r = create_session(&mut h, &id, "ten", None);
    assert_eq!(body(&r)["error"]["message"], "Invalid decimal: ten");
    let r = create_session(&mut h, "crc_nobody", "100.00", None);
    assert_eq!(r.status, 400);
    assert_eq!(body(&r)["error"]["code"], "resource_missing");
    assert_eq!(body(&r)["error"]["param"], "crypto_customer_id");
}

#[test]
fn idempotency_same_key_same_body_replays_other_body_errors() {
    let mut h = h("l1_verified");
    let id = verified_customer(&mut h, &l0_and_l1());
    let first = create_session(&mut h, &id, "100.00", Some("key-1"));
    let again = create_session(&mut h, &id, "100.00", Some("key-1"));
    assert_eq!(body(&first), body(&again));
    assert_eq!(again.header("Idempotent-Replayed"), Some("true"));
    let other = create_session(&mut h, &id, "200.00", Some("key-1"));
    assert_eq!(other.status, 400);
    assert_eq!(
        body(&other),
        json!({"error": {"type": "idempotency_error",
            "message": "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'key-1' if you meant to execute a different request."}})
    );
    assert_eq!(h.fake.session_count(), 1);
}
