//! Helpers shared by the integration tests: a hand-written client for the fake. One stage at a
//! time is the SDK's `Harness::run_stage_once`.
#![allow(dead_code)]

use rampsim_plugin_sdk::testing::Harness;
use rampsim_plugin_sdk::{HttpRequest, HttpResponse};
use rampsim_stripe::fake::SANDBOX_SECRET_KEY;
use rampsim_stripe::StripePlugin;
use serde_json::Value;

pub type H = Harness<StripePlugin>;

pub fn body(r: &HttpResponse) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

pub fn post(path: &str, form: &[(&str, &str)]) -> HttpRequest {
    HttpRequest::post("api", path)
        .bearer(SANDBOX_SECRET_KEY)
        .form(form)
}

pub fn get(path: &str) -> HttpRequest {
    HttpRequest::get("api", path).bearer(SANDBOX_SECRET_KEY)
}

pub const L0: [(&str, &str); 8] = [
    ("first_name", "Billy"),
    ("last_name", "Duncan"),
    ("phone", "+15556781234"),
    ("address[line1]", "123 Main St"),
    ("address[city]", "New York"),
    ("address[state]", "NY"),
    ("address[postal_code]", "10001"),
    ("address[country]", "us"),
];

pub const L1: [(&str, &str); 5] = [
    ("dob[day]", "1"),
    ("dob[month]", "1"),
    ("dob[year]", "1960"),
    ("id_number", "073051120"),
    ("id_type", "social_security_number"),
];

pub fn create_customer(h: &mut H) -> String {
    let r = h.send(&post(
        "/v1/crypto/customers",
        &[("email", "example@somemail.org"), ("phone", "+15556781234")],
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    body(&r)["id"].as_str().unwrap().to_string()
}

pub fn attach(h: &mut H, id: &str, fields: &[(&str, &str)]) -> HttpResponse {
    h.send(&post(
        &format!("/v1/crypto/customers/{id}/kyc_info"),
        fields,
    ))
}

pub fn l0_and_l1() -> Vec<(&'static str, &'static str)> {
    L0.iter().chain(L1.iter()).copied().collect()
}

pub fn session_form(customer: &str, amount: &str) -> Vec<(String, String)> {
    vec![
        ("crypto_customer_id".into(), customer.into()),
        (
            "wallet_address".into(),
            "0x742d35Cc6634C0532925a3b844Bc454e4438f44e".into(),
        ),
        ("source_amount".into(), amount.into()),
        ("source_currency".into(), "usd".into()),
        ("destination_currency".into(), "usdc".into()),
        ("destination_network".into(), "ethereum".into()),
    ]
}

pub fn create_session(h: &mut H, customer: &str, amount: &str, key: Option<&str>) -> HttpResponse {
    let form = session_form(customer, amount);
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut q = post("/v1/crypto/onramp_sessions", &refs);
    if let Some(k) = key {
        q = q.with_header("Idempotency-Key", k);
    }
    h.send(&q)
}
