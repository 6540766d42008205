//! The fake as Proof's widget API: bearer auth, 404 for unknown users and routes, the session's
//! validation with exact error bodies, the seed's 422, signatures, and time-driven states.

use rampsim_plugin_sdk::testing::Harness;
use rampsim_plugin_sdk::{HttpRequest, HttpResponse};
use rampsim_proof::fake::{session_signature, PENDING_MS, REVIEW_MS, SETTLE_MS};
use rampsim_proof::{ProofPlugin, SANDBOX_CLIENT_TOKEN};
use serde_json::{json, Value};

type H = Harness<ProofPlugin>;
const USER: &str = "user-123";

fn body(r: &HttpResponse) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("not JSON: {}", r.body))
}

fn get(path: &str) -> HttpRequest {
    HttpRequest::get("widget", path).bearer(SANDBOX_CLIENT_TOKEN)
}

fn status_of(h: &mut H) -> HttpResponse {
    h.send(&get(&format!("/widget/users/{USER}/kyc-status")))
}

fn play(h: &mut H) -> HttpResponse {
    h.send(
        &HttpRequest::post(
            "widget",
            format!("/widget/sandbox/users/{USER}/kyc-session"),
        )
        .bearer(SANDBOX_CLIENT_TOKEN)
        .json(&json!({"document_type": "passport"})),
    )
}

fn session_body() -> Value {
    json!({"partner_user_id": USER, "user_email": "user@example.com", "network": "TRC20", "currency": "USD", "amount": "50.00", "type": "buy"})
}

fn session(h: &mut H, b: &Value) -> HttpResponse {
    h.send(
        &HttpRequest::post("widget", "/widget/session")
            .bearer(SANDBOX_CLIENT_TOKEN)
            .json(b),
    )
}

fn error_body(error: &str, code: &str, message: &str) -> Value {
    json!({"error": error, "code": code, "message": message})
}

#[test]
fn bearer_token_is_required_on_every_call() {
    let mut h = H::new("verified");
    for path in [
        format!("/widget/users/{USER}/kyc-status"),
        "/widget/transactions/x".to_string(),
    ] {
        let r = h.send(&HttpRequest::get("widget", path.clone()));
        assert_eq!(
            (r.status, body(&r)),
            (
                401,
                error_body(
                    "unauthorized",
                    "missing_token",
                    "Authorization: Bearer <client_token> is required"
                )
            )
        );
        let r = h.send(&HttpRequest::get("widget", path).bearer("wrong"));
        assert_eq!(
            (r.status, body(&r)),
            (
                401,
                error_body(
                    "unauthorized",
                    "invalid_token",
                    "The client token is not valid"
                )
            )
        );
    }
    let r = h.send(&HttpRequest::post("widget", "/widget/session").json(&session_body()));
    assert_eq!(r.status, 401);
}

#[test]
fn unknown_user_route_and_transaction_are_404() {
    let mut h = H::new("verified");
    let r = status_of(&mut h);
    assert_eq!(
        (r.status, body(&r)),
        (
            404,
            error_body(
                "not_found",
                "user_not_found",
                "No KYC profile for partner_user_id user-123"
            )
        )
    );
    let r = h.send(&get("/widget/nothing"));
    assert_eq!(
        (r.status, body(&r)),
        (
            404,
            error_body(
                "not_found",
                "route_not_found",
                "No route for GET /widget/nothing"
            )
        )
    );
    let r = h.send(&get(
        "/widget/transactions/00000000-0000-4000-8000-000000000000",
    ));
    assert_eq!(r.status, 404);
    assert_eq!(body(&r)["code"], "transaction_not_found");
    let r = h.send(
        &HttpRequest::new("widget", "DELETE", "/widget/session").bearer(SANDBOX_CLIENT_TOKEN),
    );
    assert_eq!(r.status, 405);
    let r = h.send(&get("/widget/users/bad%20id/kyc-status"));
    assert_eq!(body(&r)["code"], "invalid_partner_user_id");
}

#[test]
fn the_seed_kyc_status_shape() {
    let mut h = H::new("verified");
    play(&mut h);
    let r = status_of(&mut h);
    assert_eq!(r.status, 200);
    assert_eq!(
        body(&r),
        json!({"partner_user_id": "user-123", "status": "verified", "verified_at": "2026-01-01T00:00:00Z"})
    );
}

#[test]
fn session_requires_every_field() {
    for field in [
        "partner_user_id",
        "user_email",
        "network",
        "currency",
        "amount",
        "type",
    ] {
        let mut b = session_body();
        b.as_object_mut().unwrap().remove(field);
        let r = session(&mut H::new("verified"), &b);
        assert_eq!(
            (r.status, body(&r)),
            (
                400,
                error_body(
                    "invalid_request",
                    "missing_field",
                    &format!("{field} is required")
                )
            )
        );
    }
}

#[test]
fn session_checks_formats() {
    let cases: Vec<(&str, Value, Value)> = vec![
        (
            "network",
            json!("TRON"),
            error_body(
                "invalid_request",
                "invalid_network",
                "network must be one of TRC20, ERC20, BEP20",
            ),
        ),
        (
            "amount",
            json!(50),
            error_body(
                "invalid_request",
                "invalid_field",
                "amount must be a string",
            ),
        ),
        (
            "amount",
            json!("-5"),
            error_body(
                "invalid_request",
                "invalid_amount",
                "amount must be a positive decimal string",
            ),
        ),
        (
            "currency",
            json!("usd"),
            error_body(
                "invalid_request",
                "invalid_currency",
                "currency must be an ISO 4217 code (USD)",
            ),
        ),
        (
            "type",
            json!("rent"),
            error_body(
                "invalid_request",
                "invalid_type",
                "type must be one of buy, sell",
            ),
        ),
        (
            "user_email",
            json!("user"),
            error_body(
                "invalid_request",
                "invalid_email",
                "user_email must be a valid email address",
            ),
        ),
    ];
    for (field, value, expected) in cases {
        let mut b = session_body();
        b[field] = value;
        let r = session(&mut H::new("verified"), &b);
        assert_eq!((r.status, body(&r)), (400, expected), "{field}");
    }
    let r = H::new("verified").send(&HttpRequest {
        body: Some("{oops".into()),
        ..HttpRequest::post("widget", "/widget/session").bearer(SANDBOX_CLIENT_TOKEN)
    });
    assert_eq!(
        body(&r),
        error_body(
            "invalid_request",
            "invalid_json",
            "The request body must be a JSON object"
        )
    );
}

#[test]
fn unverified_users_get_the_seeds_422_and_become_known() {
    let mut h = H::new("verified");
    let r = session(&mut h, &session_body());
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r),
        json!({"error": "kyc_required", "message": "User must complete KYC verification before transacting", "partner_user_id": "user-123"})
    );
    assert_eq!(body(&status_of(&mut h))["status"], "not_started");
    use rampsim_plugin_sdk::Fake;
    assert!(
        h.fake.take_notes().is_empty(),
        "a refused session is not noted"
    );
}

#[test]
fn a_verified_users_session_is_signed_and_its_transaction_moves_with_time() {
    let mut h = H::new("verified");
    play(&mut h);
    let created = h.now_ms;
    let r = session(&mut h, &session_body());
    assert_eq!(r.status, 200, "{}", r.body);
    let b = body(&r);
    let id = b["merchant_transaction_id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert!(b["init_token"].as_str().unwrap().starts_with("it_"));
    let sig = b["signature"].as_str().unwrap();
    assert!(
        sig.starts_with("v2:")
            && sig.len() == 131
            && sig[3..]
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(
        sig,
        session_signature(&[
            id,
            b["widget_id"].as_str().unwrap(),
            USER,
            "buy",
            "TRC20",
            "USD",
            "50.00"
        ])
    );

    let tx =
        |h: &mut H| body(&h.send(&get(&format!("/widget/transactions/{id}"))))["status"].clone();
    assert_eq!(tx(&mut h), "pending");
    h.now_ms = created + PENDING_MS;
    assert_eq!(tx(&mut h), "processing");
    h.now_ms = created + SETTLE_MS;
    assert_eq!(tx(&mut h), "completed");
    // A second session is a second transaction (no idempotency key in the widget API).
    let again = body(&session(&mut h, &session_body()));
    assert_ne!(
        again["merchant_transaction_id"],
        b["merchant_transaction_id"]
    );
}

#[test]
fn transaction_failed_scenario_fails_after_processing() {
    let mut h = H::new("transaction_failed");
    play(&mut h);
    let b = body(&session(&mut h, &session_body()));
    h.now_ms += SETTLE_MS;
    let r = h.send(&get(&format!(
        "/widget/transactions/{}",
        b["merchant_transaction_id"].as_str().unwrap()
    )));
    assert_eq!(body(&r)["status"], "failed");
}

#[test]
fn the_sandbox_widget_session_plays_the_scenario_once() {
    let mut h = H::new("pending_then_verified");
    let t0 = h.now_ms;
    let first = body(&play(&mut h));
    assert_eq!(
        first["steps"],
        json!([{"step": "document_upload", "document_type": "passport", "result": "completed"}, {"step": "liveness", "result": "completed"}])
    );
    assert_eq!(
        (first["submitted"].clone(), first["status"].clone()),
        (json!(true), json!("pending"))
    );
    h.now_ms = t0 + REVIEW_MS - 60_000;
    let again = body(&play(&mut h));
    assert_eq!(again["steps"], json!([]), "a pending user is not replayed");
    h.now_ms = t0 + REVIEW_MS;
    assert_eq!(
        body(&status_of(&mut h))["status"],
        "verified",
        "the second call did not restart the review"
    );

    let mut h = H::new("kyc_required");
    let b = body(&play(&mut h));
    assert_eq!(
        b["steps"][1],
        json!({"step": "liveness", "result": "abandoned"})
    );
    assert_eq!(
        (b["submitted"].clone(), b["status"].clone()),
        (json!(false), json!("not_started"))
    );

    let mut h = H::new("failed");
    play(&mut h);
    h.now_ms += 60_000;
    assert_eq!(
        body(&status_of(&mut h)),
        json!({"partner_user_id": "user-123", "status": "failed", "verified_at": null})
    );

    let r = H::new("verified").send(
        &HttpRequest::post(
            "widget",
            format!("/widget/sandbox/users/{USER}/kyc-session"),
        )
        .bearer(SANDBOX_CLIENT_TOKEN)
        .json(&json!({"document_type": "selfie"})),
    );
    assert_eq!(
        (r.status, body(&r)),
        (
            400,
            error_body(
                "invalid_request",
                "invalid_document_type",
                "document_type must be one of passport, national_id, drivers_licence"
            )
        )
    );
}
