//! The fake on its own, driven by a hand-written client: auth, TOTP, Sumsub signatures, share
//! tokens, validation bodies, idempotency, routing.

mod common;

use common::*;
use rampsim_kriptomat::fake::*;
use rampsim_plugin_sdk::testing::Harness;
use rampsim_plugin_sdk::HttpRequest;
use serde_json::json;

fn h() -> H {
    Harness::new("passed")
}

// ---- login -----------------------------------------------------------------------------------

#[test]
fn login_accepts_the_current_code_and_one_step_either_side_only() {
    let mut h = h();
    let now = h.now_ms;
    for (offset_s, accepted) in [
        (0, true),
        (-30, true),
        (30, true),
        (-60, false),
        (60, false),
        (-300, false),
    ] {
        let r = h.send(&login_request(&code_at(now + offset_s * 1000)));
        assert_eq!(
            r.status == 200,
            accepted,
            "offset {offset_s}s: {} {}",
            r.status,
            r.body
        );
    }
}

#[test]
fn login_refusals_have_error_bodies() {
    let mut h = h();
    let r = h.send(&login_request("000000"));
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r),
        json!({"status": false, "message": "The given data was invalid.",
               "errors": {"security_code": ["The security code is invalid or expired."]}})
    );
    let r = h.send(
        &HttpRequest::post("api", "/api/v1/partners/auth/login")
            .with_header("X-Requested-With", "XMLHttpRequest")
            .json(&json!({"email": SANDBOX_EMAIL, "password": "wrong", "client_id": 5,
                          "client_secret": SANDBOX_CLIENT_SECRET, "security_code": code_at(h.now_ms)})),
    );
    assert_eq!(r.status, 401);
    assert_eq!(
        body(&r),
        json!({"status": false, "message": "These credentials do not match our records."})
    );
    let r = h.send(
        &HttpRequest::post("api", "/api/v1/partners/auth/login")
            .with_header("X-Requested-With", "XMLHttpRequest")
            .json(&json!({"email": SANDBOX_EMAIL, "client_id": [5]})),
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r),
        json!({"status": false, "message": "The given data was invalid.", "errors": {
            "password": ["The password field is required."],
            "client_id": ["The client id must be an integer."],
            "client_secret": ["The client secret field is required."],
            "security_code": ["The security code field is required."],
        }})
    );
}

#[test]
fn login_answers_a_wrapped_bearer_session() {
    let mut h = h();
    let r = h.send(&login_request(&code_at(h.now_ms)));
    let b = body(&r);
    assert_eq!(b["status"], true);
    assert_eq!(b["data"]["token_type"], "Bearer");
    assert_eq!(b["data"]["expires_in"], 3600);
}

// ---- auth and routing ------------------------------------------------------------------------

#[test]
fn calls_without_or_with_a_wrong_or_expired_session_get_401() {
    let mut h = h();
    let token = login(&mut h);
    let id = create_user(&mut h, &token);
    let path = format!("/api/v1/partners/users/{id}");
    let unauth = json!({"status": false, "message": "Unauthenticated."});
    let r = h.send(
        &HttpRequest::get("api", path.clone()).with_header("X-Requested-With", "XMLHttpRequest"),
    );
    assert_eq!((r.status, body(&r)), (401, unauth.clone()));
    let r = h.send(&api("GET", &path, "kmt-sbx-forged"));
    assert_eq!((r.status, body(&r)), (401, unauth.clone()));
    assert_eq!(h.send(&api("GET", &path, &token)).status, 200);
    h.now_ms += SESSION_MS;
    let r = h.send(&api("GET", &path, &token));
    assert_eq!(
        (r.status, body(&r)),
        (401, unauth),
        "the session ends after 60 minutes"
    );
}

#[test]
fn unknown_routes_404_and_wrong_methods_405() {
    let mut h = h();
    let token = login(&mut h);
    let r = h.send(&api("GET", "/api/v1/partners/nothing", &token));
    assert_eq!(
        (r.status, body(&r)),
        (404, json!({"status": false, "message": "Not found."}))
    );
    let r = h.send(&api("GET", "/api/v1/partners/auth/login", &token));
    assert_eq!(r.status, 405);
    assert_eq!(
        body(&r)["message"],
        "The GET method is not supported for this route. Supported methods: POST."
    );
    let r = h.send(&api("GET", "/api/v1/partners/users/99999", &token));
    assert_eq!(
        (r.status, body(&r)),
        (404, json!({"status": false, "message": "User not found."}))
    );
}

#[test]
fn requests_without_x_requested_with_are_refused() {
    let mut h = h();
    let token = login(&mut h);
    let r = h.send(&HttpRequest::get("api", "/api/v1/partners/users/1").bearer(&token));
    assert_eq!(r.status, 400);
    assert!(body(&r)["message"]
        .as_str()
        .unwrap()
        .contains("X-Requested-With"));
}

#[test]
fn garbage_and_huge_bodies_get_errors_not_panics() {
    let mut h = h();
    let token = login(&mut h);
    let mut q = api("POST", "/api/v1/partners/users", &token);
    q.body = Some("{not json".into());
    let r = h.send(&q);
    assert_eq!(
        (r.status, body(&r)),
        (
            400,
            json!({"status": false, "message": "The request body must be a JSON object."})
        )
    );
    q.body = Some("x".repeat(MAX_BODY + 1));
    assert_eq!(h.send(&q).status, 413);
    q.body = Some("[1,2]".into());
    assert_eq!(h.send(&q).status, 400);
    let mut s = share_token_request(h.now_ms / 1000, SANDBOX_SUMSUB_SECRET_KEY, "abc");
    s.body = Some("\u{0}\u{ffff}".into());
    assert_eq!(
        h.send(&s).status,
        401,
        "a body the signature does not cover"
    );
}

// ---- create user -----------------------------------------------------------------------------

#[test]
fn create_user_missing_field_body() {
    let mut h = h();
    let token = login(&mut h);
    let mut b = user_body();
    b.as_object_mut().unwrap().remove("surname");
    let r = h.send(&api("POST", "/api/v1/partners/users", &token).json(&b));
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r),
        json!({"status": false, "message": "The given data was invalid.",
               "errors": {"surname": ["The surname field is required."]}})
    );
}

#[test]
fn create_user_bad_formats_body() {
    let mut h = h();
    let token = login(&mut h);
    let mut b = user_body();
    b["country"] = json!("US");
    b["date_of_birth"] = json!("01/01/1960");
    b["phone"] = json!("555 678 1234");
    b["email"] = json!("not-an-email");
    b["name"] = json!(42);
    let r = h.send(&api("POST", "/api/v1/partners/users", &token).json(&b));
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r),
        json!({"status": false, "message": "The given data was invalid.", "errors": {
            "email": ["The email must be a valid email address."],
            "name": ["The name must be a string."],
            "phone": ["The phone format is invalid."],
            "date_of_birth": ["The date of birth does not match the format Y-m-d."],
            "country": ["The selected country is invalid."],
        }})
    );
}

#[test]
fn create_user_echoes_the_user_with_not_started_kyc_and_refuses_a_duplicate() {
    let mut h = h();
    let token = login(&mut h);
    let r = h.send(&api("POST", "/api/v1/partners/users", &token).json(&user_body()));
    assert_eq!(r.status, 201);
    let b = body(&r);
    assert_eq!(b["status"], true);
    assert_eq!(b["data"]["country"], "USA");
    assert_eq!(b["data"]["kyc_status"], "not_started");
    assert_eq!(b["data"]["edd_status"], "");
    let r = h.send(&api("POST", "/api/v1/partners/users", &token).json(&user_body()));
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r)["errors"],
        json!({"email": ["The email has already been taken."]})
    );
}

// ---- Sumsub ----------------------------------------------------------------------------------

#[test]
fn sumsub_refuses_a_wrongly_signed_request() {
    let mut h = h();
    let r = h.send(&share_token_request(
        h.now_ms / 1000,
        "not-the-secret",
        "63e092c51b7b4030f2e01154",
    ));
    assert_eq!(r.status, 401);
    let b = body(&r);
    assert_eq!(b["description"], "Request signature mismatch");
    assert_eq!(b["code"], 401);
    assert!(b["correlationId"].as_str().unwrap().starts_with("req-"));
    // Signed for another query than the one sent.
    let mut q = share_token_request(
        h.now_ms / 1000,
        SANDBOX_SUMSUB_SECRET_KEY,
        "63e092c51b7b4030f2e01154",
    );
    q.path = q.path.replace("63e092c5", "00000000");
    assert_eq!(
        body(&h.send(&q))["description"],
        "Request signature mismatch"
    );
}

#[test]
fn sumsub_refuses_missing_token_and_stale_timestamps() {
    let mut h = h();
    let now_s = h.now_ms / 1000;
    let mut q = share_token_request(now_s, SANDBOX_SUMSUB_SECRET_KEY, "abc");
    q.headers.retain(|(k, _)| k != "X-App-Token");
    let r = h.send(&q);
    assert_eq!(
        (r.status, body(&r)["description"].as_str()),
        (401, Some("App token is missing or not valid"))
    );
    for (skew, ok) in [(-300, true), (300, true), (-301, false), (301, false)] {
        let r = h.send(&share_token_request(
            now_s + skew,
            SANDBOX_SUMSUB_SECRET_KEY,
            "abc",
        ));
        assert_eq!(r.status == 200, ok, "skew {skew}: {}", r.body);
    }
}

#[test]
fn sumsub_share_token_shape_and_parameter_errors() {
    let mut h = h();
    let r = h.send(&share_token_request(
        h.now_ms / 1000,
        SANDBOX_SUMSUB_SECRET_KEY,
        "63e092c51b7b4030f2e01154",
    ));
    let b = body(&r);
    assert_eq!(b["forClientId"], SANDBOX_FOR_CLIENT_ID);
    assert!(b["token"].as_str().unwrap().starts_with("_act-"));
    let r = h.send(&share_token_request(
        h.now_ms / 1000,
        SANDBOX_SUMSUB_SECRET_KEY,
        "not%20an%20id",
    ));
    assert_eq!(r.status, 404);
    assert_eq!(body(&r)["description"], "Applicant not found: not an id");
}

#[test]
fn a_share_token_imports_once() {
    let mut h = h();
    let token = login(&mut h);
    let user = create_user(&mut h, &token);
    let share = share_token(&mut h);
    let r = kyc_import(&mut h, &token, user, &share);
    assert_eq!((r.status, body(&r)), (200, json!({"status": true})));
    let r = kyc_import(&mut h, &token, user, &share);
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r),
        json!({"status": false, "message": "The given data was invalid.",
               "errors": {"token": ["The share token has already been used."]}})
    );
}

#[test]
fn an_expired_share_token_is_refused() {
    let mut h = h();
    let token = login(&mut h);
    let user = create_user(&mut h, &token);
    let share = share_token(&mut h);
    h.now_ms += SHARE_TOKEN_TTL_SECS * 1000;
    let r = kyc_import(&mut h, &token, user, &share);
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r)["errors"]["token"],
        json!(["The share token has expired."])
    );
    let r = kyc_import(&mut h, &token, user, "_act-made-up");
    assert_eq!(
        body(&r)["errors"]["token"],
        json!(["The share token is invalid."])
    );
}

// ---- KYC over time and the buy ---------------------------------------------------------------

fn imported_user(h: &mut H) -> (String, u64) {
    let token = login(h);
    let user = create_user(h, &token);
    let share = share_token(h);
    assert_eq!(kyc_import(h, &token, user, &share).status, 200);
    (token, user)
}

fn buy(amount: &str, key: &str) -> serde_json::Value {
    json!({"amount": amount, "pair": "btceur", "idempotency_key": key})
}

#[test]
fn kyc_is_pending_then_the_scenario_decides() {
    for (scenario, kyc, edd) in [
        ("passed", "passed", ""),
        ("declined", "declined", ""),
        ("failed", "failed", ""),
        ("edd_required", "passed", "required"),
    ] {
        let mut h: H = Harness::new(scenario);
        let (token, user) = imported_user(&mut h);
        let path = format!("/api/v1/partners/users/{user}");
        assert_eq!(
            body(&h.send(&api("GET", &path, &token)))["data"]["kyc_status"],
            "pending"
        );
        h.now_ms += REVIEW_MS;
        let b = body(&h.send(&api("GET", &path, &token)));
        assert_eq!(
            (
                b["data"]["kyc_status"].as_str(),
                b["data"]["edd_status"].as_str()
            ),
            (Some(kyc), Some(edd)),
            "{scenario}"
        );
    }
}

#[test]
fn buy_is_refused_before_kyc_passes() {
    let mut h = h();
    let (token, user) = imported_user(&mut h);
    let r = h.send(
        &api(
            "POST",
            &format!("/api/v1/partners/users/{user}/buy"),
            &token,
        )
        .json(&buy("250.00", "k1")),
    );
    assert_eq!(
        (r.status, body(&r)),
        (
            403,
            json!({"status": false, "message": "The user has not passed KYC verification."})
        )
    );
}

#[test]
fn buy_idempotency_same_key_same_body_same_transaction_other_body_error() {
    let mut h = h();
    let (token, user) = imported_user(&mut h);
    h.now_ms += REVIEW_MS;
    let path = format!("/api/v1/partners/users/{user}/buy");
    let first = body(&h.send(&api("POST", &path, &token).json(&buy("250.00", "k1"))));
    assert_eq!(first["status"], true);
    let again = body(&h.send(&api("POST", &path, &token).json(&buy("250.00", "k1"))));
    assert_eq!(first, again);
    let r = h.send(&api("POST", &path, &token).json(&buy("300.00", "k1")));
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r),
        json!({"status": false, "message": "The idempotency key has already been used with different parameters."})
    );
    assert_eq!(h.fake.transaction_count(), 1);
}

#[test]
fn buy_validation_body() {
    let mut h = h();
    let (token, user) = imported_user(&mut h);
    h.now_ms += REVIEW_MS;
    let r = h.send(
        &api(
            "POST",
            &format!("/api/v1/partners/users/{user}/buy"),
            &token,
        )
        .json(&json!({"amount": "250,00", "pair": "btcjpy"})),
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r),
        json!({"status": false, "message": "The given data was invalid.", "errors": {
            "idempotency_key": ["The idempotency key field is required."],
            "amount": ["The amount format is invalid."],
            "pair": ["The selected pair is invalid."],
        }})
    );
}

#[test]
fn transaction_is_pending_then_success_and_only_its_user_sees_it() {
    let mut h = h();
    let (token, user) = imported_user(&mut h);
    h.now_ms += REVIEW_MS;
    let tx = body(
        &h.send(
            &api(
                "POST",
                &format!("/api/v1/partners/users/{user}/buy"),
                &token,
            )
            .json(&buy("250.00", "k")),
        ),
    )["data"]["transaction_id"]
        .as_u64()
        .unwrap();
    let path = format!("/api/v1/partners/users/{user}/transactions/{tx}");
    assert_eq!(
        body(&h.send(&api("GET", &path, &token)))["data"]["state"],
        "PENDING"
    );
    h.now_ms += TX_PENDING_MS;
    assert_eq!(
        body(&h.send(&api("GET", &path, &token)))["data"]["state"],
        "SUCCESS"
    );
    let r = h.send(&api(
        "GET",
        &format!("/api/v1/partners/users/{user}/transactions/999"),
        &token,
    ));
    assert_eq!(
        (r.status, body(&r)["message"].as_str()),
        (404, Some("Transaction not found."))
    );
}
