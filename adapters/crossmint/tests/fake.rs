//! The fake as Crossmint's staging API: auth and scopes, locator and field validation with the
//! exact error bodies, the 10 MB image limit, PUT-replaces semantics, orders matched by email.

use base64::Engine;
use rampsim_crossmint::fake::{MISSING_KYC_MESSAGE, REVIEW_MS};
use rampsim_crossmint::{CrossmintPlugin, SANDBOX_API_KEY, SANDBOX_API_KEY_NO_ORDERS};
use rampsim_plugin_sdk::testing::Harness;
use rampsim_plugin_sdk::{HttpRequest, HttpResponse};
use serde_json::{json, Value};

type H = Harness<CrossmintPlugin>;
const LOC: &str = "/2025-06-09/users/userId:johnd-123";

fn put(path: &str, body: &Value) -> HttpRequest {
    HttpRequest::put("api", path)
        .with_header("X-API-KEY", SANDBOX_API_KEY)
        .json(body)
}

fn body(r: &HttpResponse) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("not JSON: {}", r.body))
}

fn b64(bytes: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(vec![7u8; bytes])
}

/// The seed's example request, with its placeholders filled in (the seed's e-mail addresses
/// are obfuscated in the published page).
fn seed_user() -> Value {
    json!({
        "userDetails": { "firstName": "John", "lastName": "Doe", "dateOfBirth": "1990-05-15", "countryOfResidence": "DE" },
        "kycData": {
            "addressOfResidence": { "line1": "123 Hauptstrasse", "line2": "Apt 5", "city": "Berlin", "postalCode": "10115" },
            "email": "john.doe@example.com",
            "identityDocument": { "type": "passport", "number": "AS12321", "image": { "frontImg": b64(300), "backImg": b64(200) } }
        },
        "dueDiligence": { "employmentStatus": "full time", "sourceOfFunds": "employment income", "industry": "Money Service Business" },
        "enhancedDueDiligence": { "proofOfIncome": b64(100), "proofOfAddress": b64(100) },
        "verificationHistory": { "idVerificationTimestamp": "2024-11-15T10:35:00Z", "livenessVerificationTimestamp": "2024-11-15T10:35:00Z" }
    })
}

fn seed_order() -> Value {
    json!({
        "recipient": { "walletAddress": "0x742d35Cc6634C0532925a3b844Bc454e4438f44e" },
        "payment": { "method": "card", "receiptEmail": "john.doe@example.com" },
        "lineItems": {
            "tokenLocator": "base-sepolia:0x036CbD53842c5426634e7929541eC2318f3dCF7e",
            "executionParameters": { "mode": "exact-in", "amount": "1" }
        }
    })
}

fn order_req(b: &Value) -> HttpRequest {
    HttpRequest::post("api", "/2022-06-09/orders")
        .with_header("X-API-KEY", SANDBOX_API_KEY)
        .json(b)
}

fn accept(h: &mut H) {
    let r = h.send(&put(
        &format!("{LOC}/legal-documents"),
        &json!({"type": "crossmint-privacy-policy", "acceptedAt": "2025-10-05T14:48:00"}),
    ));
    assert_eq!(r.status, 200, "{}", r.body);
}

fn assert_error(r: &HttpResponse, status: u16, message: &str) {
    assert_eq!(
        (r.status, body(r)),
        (status, json!({"error": true, "message": message}))
    );
}

#[test]
fn the_seed_flow_reaches_awaiting_payment() {
    let mut h = H::new("approved");
    accept(&mut h);
    let r = h.send(&put(LOC, &seed_user()));
    assert_eq!(r.status, 200);
    let b = body(&r);
    assert_eq!(
        (
            b["userId"].clone(),
            b["userDetails"].clone(),
            b["kycData"].clone(),
            b["dueDiligence"].clone(),
            b["verificationHistory"].clone()
        ),
        (
            json!("johnd-123"),
            json!(true),
            json!(true),
            json!(true),
            json!(true)
        )
    );
    let r = h.send(&order_req(&seed_order()));
    assert_eq!(r.status, 200, "{}", r.body);
    let b = body(&r);
    assert!(b["clientSecret"].is_string());
    assert_eq!(b["order"]["phase"], "payment");
    assert_eq!(b["order"]["locale"], "en-US");
    assert_eq!(b["order"]["payment"]["method"], "card");
    assert_eq!(b["order"]["payment"]["currency"], "usd");
    assert_eq!(b["order"]["payment"]["status"], "awaiting-payment");
    // GET answers the bare order.
    let id = b["order"]["orderId"].as_str().unwrap();
    use rampsim_plugin_sdk::Fake;
    assert_eq!(
        h.fake.take_notes(),
        vec![rampsim_plugin_sdk::FakeNote::order_created("johnd-123", id)]
    );
    assert!(h.fake.take_notes().is_empty(), "notes are drained");
    let g = h.send(
        &HttpRequest::get("api", format!("/2022-06-09/orders/{id}"))
            .with_header("X-API-KEY", SANDBOX_API_KEY),
    );
    assert_eq!(body(&g)["orderId"], id);
    assert!(body(&g).get("clientSecret").is_none());
}

#[test]
fn auth_missing_unknown_and_scope() {
    let mut h = H::new("approved");
    let no_key = HttpRequest::put("api", LOC).json(&seed_user());
    assert_error(
        &h.send(&no_key),
        401,
        "Unauthorized: the X-API-KEY header is missing",
    );
    let wrong = HttpRequest::put("api", LOC)
        .with_header("X-API-KEY", "sk_staging_nope")
        .json(&seed_user());
    assert_error(&h.send(&wrong), 401, "Unauthorized: invalid API key");
    let limited = HttpRequest::post("api", "/2022-06-09/orders")
        .with_header("X-API-KEY", SANDBOX_API_KEY_NO_ORDERS)
        .json(&seed_order());
    assert_error(
        &h.send(&limited),
        403,
        "Forbidden: the API key lacks the scope orders.create required for this call",
    );
    // The limited key still creates users.
    let ok = HttpRequest::put("api", LOC)
        .with_header("X-API-KEY", SANDBOX_API_KEY_NO_ORDERS)
        .json(&seed_user());
    assert_eq!(h.send(&ok).status, 200);
}

#[test]
fn malformed_locators_are_400() {
    let mut h = H::new("approved");
    let help = "Invalid userLocator: expected email:<email>, userId:<userId>, phoneNumber:<phoneNumber>, twitter:<handle> or x:<handle>";
    for bad in [
        "johnd-123",
        "userId:",
        "passport:123",
        "userId:john%20doe",
        "email:nobody",
        "phoneNumber:555",
        "userId:%zz",
    ] {
        let r = h.send(&put(&format!("/2025-06-09/users/{bad}"), &seed_user()));
        assert_eq!(r.status, 400, "{bad}");
        let m = body(&r)["message"].as_str().unwrap().to_string();
        assert!(m == help || m.contains("percent-encoding"), "{bad}: {m}");
    }
    assert_eq!(
        h.send(&put(
            "/2025-06-09/users/email:john@example.com",
            &seed_user()
        ))
        .status,
        200
    );
}

#[test]
fn required_user_details_are_named() {
    for field in ["firstName", "lastName", "dateOfBirth", "countryOfResidence"] {
        let mut user = seed_user();
        user["userDetails"].as_object_mut().unwrap().remove(field);
        let r = H::new("approved").send(&put(LOC, &user));
        assert_error(&r, 400, &format!("userDetails.{field} is required"));
    }
    let r = H::new("approved").send(&put(LOC, &json!({"kycData": {"email": "a@b.co"}})));
    assert_error(&r, 400, "userDetails is required");
}

#[test]
fn bad_formats_are_named() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/userDetails/countryOfResidence", json!("DEU"), "userDetails.countryOfResidence must be an ISO 3166-1 alpha-2 country code"),
        ("/userDetails/dateOfBirth", json!("15/05/1990"), "userDetails.dateOfBirth must be a date in YYYY-MM-DD format"),
        ("/kycData/identityDocument/type", json!("national id"), "kycData.identityDocument.type must be one of: passport, id-card, drivers-license, residence-permit, ssn"),
        ("/dueDiligence/employmentStatus", json!("full-time"), "dueDiligence.employmentStatus must be one of: full time, part time, self employed, unemployed, retired, student"),
        ("/verificationHistory/idVerificationTimestamp", json!("yesterday"), "verificationHistory.idVerificationTimestamp must be an ISO 8601 date-time"),
        ("/kycData/email", json!("john.doe"), "kycData.email must be a valid email address"),
    ];
    for (ptr, value, message) in cases {
        let mut user = seed_user();
        *user.pointer_mut(ptr).unwrap() = value;
        assert_error(&H::new("approved").send(&put(LOC, &user)), 400, message);
    }
    let garbage = HttpRequest {
        body: Some("{not json".into()),
        ..put(LOC, &json!({}))
    };
    assert_error(
        &H::new("approved").send(&garbage),
        400,
        "Request body must be a JSON object",
    );
}

#[test]
fn images_must_be_base64_within_10_mb() {
    let limit = 10 * 1024 * 1024;
    let mut h = H::new("approved");
    let mut user = seed_user();
    user["kycData"]["identityDocument"]["image"]["frontImg"] = json!("%%% not base64 %%%");
    assert_error(
        &h.send(&put(LOC, &user)),
        400,
        "kycData.identityDocument.image.frontImg must be a base64 encoded file",
    );

    user["kycData"]["identityDocument"]["image"]["frontImg"] = json!(b64(limit + 1));
    assert_error(
        &h.send(&put(LOC, &user)),
        400,
        "kycData.identityDocument.image.frontImg exceeds the 10 MB limit",
    );

    let mut user = seed_user();
    user["enhancedDueDiligence"]["proofOfAddress"] = json!(b64(limit + 1));
    assert_error(
        &h.send(&put(LOC, &user)),
        400,
        "enhancedDueDiligence.proofOfAddress exceeds the 10 MB limit",
    );

    let mut user = seed_user();
    user["kycData"]["identityDocument"]["image"]["backImg"] = json!(b64(limit));
    assert_eq!(
        h.send(&put(LOC, &user)).status,
        200,
        "exactly 10 MB is accepted"
    );
}

#[test]
fn each_put_replaces_the_users_data_and_repeats_safely() {
    let mut h = H::new("approved");
    let first = h.send(&put(LOC, &seed_user()));
    let again = h.send(&put(LOC, &seed_user()));
    assert_eq!(first, again, "the same PUT twice gives the same answer");
    let only_details = json!({"userDetails": seed_user()["userDetails"].clone()});
    let b = body(&h.send(&put(LOC, &only_details)));
    assert_eq!(
        (
            b["userDetails"].clone(),
            b["kycData"].clone(),
            b["dueDiligence"].clone()
        ),
        (json!(true), json!(false), json!(false))
    );
    // With the KYC data gone, the order can no longer be matched to KYC data.
    accept(&mut h);
    assert_error(&h.send(&order_req(&seed_order())), 400, MISSING_KYC_MESSAGE);
}

#[test]
fn eligibility_moves_with_sandbox_time_and_the_trigger_is_idempotent() {
    let mut h = H::new("approved");
    let iv = format!("{LOC}/identity-verification");
    let get = HttpRequest::get("api", iv.clone()).with_header("X-API-KEY", SANDBOX_API_KEY);
    let trigger = HttpRequest::put("api", iv).with_header("X-API-KEY", SANDBOX_API_KEY);
    let onramp = |r: &HttpResponse| body(r)["eligibility"][0].clone();
    assert_error(&h.send(&get), 404, "User not found");
    accept(&mut h);
    assert_eq!(onramp(&h.send(&get))["status"], "requires-data");
    h.send(&put(LOC, &seed_user()));
    assert_eq!(onramp(&h.send(&get))["status"], "not-started");
    let t0 = h.now_ms;
    assert_eq!(onramp(&h.send(&trigger))["status"], "pending-review");
    h.now_ms = t0 + REVIEW_MS - 1_000;
    assert_eq!(
        onramp(&h.send(&trigger))["status"],
        "pending-review",
        "a second trigger does not restart the review"
    );
    h.now_ms = t0 + REVIEW_MS;
    assert_eq!(
        onramp(&h.send(&get)),
        json!({"type": "onramp", "status": "verified"})
    );
}

#[test]
fn missing_kyc_scenario_answers_the_seed_error() {
    let mut h = H::new("missing_kyc");
    accept(&mut h);
    h.send(&put(LOC, &seed_user()));
    let r = h.send(&order_req(&seed_order()));
    assert_eq!(r.status, 400);
    assert_eq!(
        body(&r),
        json!({"error": true, "message": "Required full KYC user data is missing to complete the order"})
    );
}

#[test]
fn orders_are_matched_by_receipt_email_and_validated() {
    let mut h = H::new("approved");
    accept(&mut h);
    h.send(&put(LOC, &seed_user()));
    let mut o = seed_order();
    o["payment"]["receiptEmail"] = json!("someone.else@example.com");
    assert_error(&h.send(&order_req(&o)), 400, MISSING_KYC_MESSAGE);
    use rampsim_plugin_sdk::Fake;
    assert!(
        h.fake.take_notes().is_empty(),
        "a refused order is not noted"
    );

    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/recipient/walletAddress",
            json!(""),
            "recipient.walletAddress is required",
        ),
        (
            "/recipient/walletAddress",
            json!("bc1qar0srrr"),
            "recipient.walletAddress is not a valid base-sepolia address",
        ),
        (
            "/payment/method",
            json!("paypal"),
            "payment.method must be one of: card",
        ),
        (
            "/payment/receiptEmail",
            json!(null),
            "payment.receiptEmail is required",
        ),
        (
            "/lineItems/tokenLocator",
            json!("usdc"),
            "lineItems.tokenLocator must be <chain>:<tokenAddress>",
        ),
        (
            "/lineItems/executionParameters/mode",
            json!("exact-out"),
            "lineItems.executionParameters.mode must be one of: exact-in",
        ),
        (
            "/lineItems/executionParameters/amount",
            json!("one"),
            "lineItems.executionParameters.amount must be a positive decimal string",
        ),
    ];
    for (ptr, value, message) in cases {
        let mut o = seed_order();
        *o.pointer_mut(ptr).unwrap() = value;
        assert_error(&h.send(&order_req(&o)), 400, message);
    }
    let mut o = seed_order();
    o["lineItems"] = json!([o["lineItems"].clone()]);
    assert_eq!(
        h.send(&order_req(&o)).status,
        200,
        "lineItems may be an array of one"
    );
}

#[test]
fn unknown_routes_and_orders() {
    let mut h = H::new("approved");
    let r = h.send(
        &HttpRequest::get("api", "/2022-06-09/nothing").with_header("X-API-KEY", SANDBOX_API_KEY),
    );
    assert_error(&r, 404, "Cannot GET /2022-06-09/nothing");
    let r =
        h.send(&HttpRequest::new("api", "DELETE", LOC).with_header("X-API-KEY", SANDBOX_API_KEY));
    assert_error(
        &r,
        405,
        "Method DELETE not allowed on /2025-06-09/users/userId:johnd-123",
    );
    let r = h.send(
        &HttpRequest::get(
            "api",
            "/2022-06-09/orders/00000000-0000-4000-8000-000000000000",
        )
        .with_header("X-API-KEY", SANDBOX_API_KEY),
    );
    assert_error(&r, 404, "Order not found");
}
