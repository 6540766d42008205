//! Prints every request and response of the scenario journeys (and of a few refusals) as JSON
//! lines for tools/validate_against_spec.py, which checks them against Paxos's OpenAPI schemas.
//! Ignored by default: it asserts nothing itself.

mod common;

use common::*;
use rampsim_paxos::PaxosPlugin;
use rampsim_plugin_sdk::testing::sample_profile;
use rampsim_plugin_sdk::{HttpRequest, HttpResponse, Plugin};
use serde_json::json;

fn emit(request: &HttpRequest, response: &HttpResponse) {
    let line = json!({
        "endpoint": request.endpoint,
        "method": request.method,
        "path": request.path,
        "request": request.body,
        "status": response.status,
        "content_type": response.header("content-type"),
        "response": response.body,
    });
    println!("SPECDUMP {line}");
}

#[test]
#[ignore = "run by tools/validate_against_spec.py"]
fn dump_exchanges() {
    for sc in PaxosPlugin::manifest().scenarios {
        let mut h = H::new(&sc.name);
        let report = h.run(sample_profile()).unwrap();
        for e in &report.exchanges {
            emit(&e.request, &e.response);
        }
        // A re-run: 409s for identity and account, the same order again.
        for e in &h.run(sample_profile()).unwrap().exchanges {
            emit(&e.request, &e.response);
        }
    }
    let mut h = H::new("approved");
    let t = token(&mut h);
    let mut b = sample_identity();
    b["person_details"]["nationality"] = json!("usa");
    let req = HttpRequest::post("api", "/v2/identity/identities")
        .bearer(&t)
        .json(&b);
    emit(&req, &h.send(&req));
    let req = HttpRequest::get("api", "/v2/identity/identities/nope").bearer(&t);
    emit(&req, &h.send(&req));
    let id = create_identity(&mut h, &t, &sample_identity());
    let req = HttpRequest::get(
        "api",
        format!("/v2/identity/identities/{id}?include_details=true"),
    )
    .bearer(&t);
    emit(&req, &h.send(&req));
    let req = HttpRequest::get("api", "/v2/identity/identities/x");
    emit(&req, &h.send(&req));
}
