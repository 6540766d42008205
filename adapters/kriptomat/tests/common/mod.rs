//! Helpers shared by the integration tests: the Sumsub-flavoured sample profile and a
//! hand-written client for the fake (so the fake is tested independently of the adapter). One
//! stage at a time is the SDK's `Harness::run_stage_once`.
#![allow(dead_code)]

use rampsim_kriptomat::crypto::{base32_decode, sumsub_signature, totp};
use rampsim_kriptomat::fake::*;
use rampsim_kriptomat::KriptomatPlugin;
use rampsim_plugin_sdk::testing::{sample_profile, Harness};
use rampsim_plugin_sdk::{HttpRequest, HttpResponse, Profile};
use serde_json::{json, Value};

pub type H = Harness<KriptomatPlugin>;

/// The canonical sample person whose IDV ran at Sumsub (the only change Kriptomat needs).
pub fn kriptomat_profile() -> Profile {
    let mut p = sample_profile();
    p.idv.provider = "sumsub".into();
    p
}

pub fn body(r: &HttpResponse) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

pub fn code_at(now_ms: i64) -> String {
    totp(
        &base32_decode(SANDBOX_TOTP_SECRET).unwrap(),
        rampsim_plugin_sdk::time::unix_seconds(now_ms),
        6,
    )
}

pub fn login_request(code: &str) -> HttpRequest {
    HttpRequest::post("api", "/api/v1/partners/auth/login")
        .with_header("X-Requested-With", "XMLHttpRequest")
        .json(&json!({
            "email": SANDBOX_EMAIL, "password": SANDBOX_PASSWORD, "client_id": 5,
            "client_secret": SANDBOX_CLIENT_SECRET, "security_code": code,
        }))
}

pub fn login(h: &mut H) -> String {
    let r = h.send(&login_request(&code_at(h.now_ms)));
    assert_eq!(r.status, 200, "{}", r.body);
    body(&r)["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn api(method: &str, path: &str, token: &str) -> HttpRequest {
    HttpRequest::new("api", method, path)
        .bearer(token)
        .with_header("X-Requested-With", "XMLHttpRequest")
}

pub fn user_body() -> Value {
    json!({
        "email": "example@somemail.org", "name": "Billy", "surname": "Duncan", "phone": "+15556781234",
        "date_of_birth": "1960-01-01", "address": "123 Main St", "building_number": "123",
        "city": "New York", "postal_code": "10001", "country": "USA",
    })
}

pub fn create_user(h: &mut H, token: &str) -> u64 {
    let r = h.send(&api("POST", "/api/v1/partners/users", token).json(&user_body()));
    assert_eq!(r.status, 201, "{}", r.body);
    body(&r)["data"]["id"].as_u64().unwrap()
}

/// A share-token request signed with `secret` at `ts`.
pub fn share_token_request(ts: i64, secret: &str, applicant: &str) -> HttpRequest {
    let path = format!(
        "/resources/accessTokens/-/shareToken?applicantId={applicant}&forClientId={SANDBOX_FOR_CLIENT_ID}"
    );
    let sig = sumsub_signature(secret, &ts.to_string(), "POST", &path, "");
    HttpRequest::post("sumsub", path)
        .with_header("X-App-Token", SANDBOX_SUMSUB_APP_TOKEN)
        .with_header("X-App-Access-Ts", ts.to_string())
        .with_header("X-App-Access-Sig", sig)
}

pub fn share_token(h: &mut H) -> String {
    let r = h.send(&share_token_request(
        h.now_ms / 1000,
        SANDBOX_SUMSUB_SECRET_KEY,
        "63e092c51b7b4030f2e01154",
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    body(&r)["token"].as_str().unwrap().to_string()
}

pub fn kyc_import(h: &mut H, token: &str, user: u64, share: &str) -> HttpResponse {
    h.send(
        &api("POST", &format!("/v1/users/{user}/kyc-import"), token)
            .json(&json!({ "token": share })),
    )
}
