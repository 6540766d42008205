//! Shared test helpers: a journey driver that can tamper with requests and responses, and
//! shortcuts to talk to the fake directly.
#![allow(dead_code)]

use rampsim_paxos::{PaxosPlugin, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SCOPES};
use rampsim_plugin_sdk::testing::{sample_profile, Harness};
use rampsim_plugin_sdk::{
    Adapter, Cx, HttpRequest, HttpResponse, Next, Outcome, Plugin, Profile, Stage, StageResult,
    Step,
};
use serde_json::{json, Value};

pub type H = Harness<PaxosPlugin>;

/// What `drive` saw.
pub struct Run {
    pub outcome: Outcome,
    pub stages: Vec<(Stage, StageResult)>,
    pub exchanges: Vec<(Stage, HttpRequest, HttpResponse)>,
}

impl Run {
    pub fn last(&self) -> &(Stage, StageResult) {
        self.stages.last().expect("at least one stage ran")
    }
}

/// What `drive` does with one request.
pub enum Tamper {
    /// Send it (possibly changed) to the fake and hand back the fake's answer.
    Send,
    /// Do not send it; answer this instead.
    Answer(HttpResponse),
    /// Send it, then hand back the fake's answer cut in half (truncated JSON).
    Truncate,
}

/// Runs a journey like the harness does, but lets `tamper` change each request before it is
/// sent (index of the exchange, stage, request) and decide what the adapter gets back.
pub fn drive(
    h: &mut H,
    profile: Profile,
    mut tamper: impl FnMut(usize, Stage, &mut HttpRequest) -> Tamper,
) -> Run {
    let manifest = PaxosPlugin::manifest();
    let init = h.init(profile);
    let mut adapter = <PaxosPlugin as Plugin>::Adapter::new(init).expect("profile accepted");
    let mut run = Run {
        outcome: Outcome::Failed,
        stages: vec![],
        exchanges: vec![],
    };
    let started = h.now_ms;
    for stage in Stage::ALL {
        if manifest
            .stage(stage)
            .and_then(|s| s.skipped.clone())
            .is_some()
        {
            continue;
        }
        let mut poll = 0u32;
        loop {
            let mut cx = Cx::new(h.now_ms, poll);
            let mut step = adapter.begin(stage, &mut cx).expect("begin never errs");
            let result = loop {
                match step {
                    Step::Finish { result } => break result,
                    Step::Send { mut request } => {
                        let response = match tamper(run.exchanges.len(), stage, &mut request) {
                            Tamper::Send => h.send(&request),
                            Tamper::Answer(r) => r,
                            Tamper::Truncate => {
                                let mut r = h.send(&request);
                                let half = r.body.len() / 2;
                                r.body.truncate(half);
                                r
                            }
                        };
                        h.now_ms += 1;
                        run.exchanges.push((stage, request, response.clone()));
                        let mut cx = Cx::new(h.now_ms, poll);
                        step = adapter
                            .on_response(stage, response, &mut cx)
                            .expect("on_response never errs");
                    }
                }
            };
            if result.next == Next::Poll {
                poll += 1;
                h.now_ms += 1000 * (1i64 << poll.min(6));
                assert!(h.now_ms - started < 3_600_000, "journey timed out");
                continue;
            }
            run.stages.push((stage, result.clone()));
            if let Next::Finish(o) = result.next {
                run.outcome = o;
                return run;
            }
            break;
        }
    }
    run.outcome = if run
        .stages
        .last()
        .and_then(|(_, r)| r.order_id.as_ref())
        .is_some()
    {
        Outcome::OrderCreated
    } else {
        Outcome::Failed
    };
    run
}

/// Gets a token from the harness's fake with `scopes`.
pub fn token_with(h: &mut H, scopes: &[&str]) -> String {
    let req = HttpRequest::post("oauth", "/oauth2/token").form(&[
        ("grant_type", "client_credentials"),
        ("client_id", SANDBOX_CLIENT_ID),
        ("client_secret", SANDBOX_CLIENT_SECRET),
        ("scope", &scopes.join(" ")),
    ]);
    let r = h.send(&req);
    assert_eq!(r.status, 200, "{}", r.body);
    body(&r)["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

pub fn token(h: &mut H) -> String {
    token_with(h, &SCOPES)
}

pub fn body(r: &HttpResponse) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// The adapter's CreateIdentity body for the sample person.
pub fn sample_identity() -> Value {
    let body = rampsim_paxos::convert::identity_body(&sample_profile()).expect("sample converts");
    serde_json::to_value(body).expect("serialises")
}

pub fn post(h: &mut H, token: &str, path: &str, b: &Value) -> HttpResponse {
    h.send(&HttpRequest::post("api", path).bearer(token).json(b))
}

pub fn get(h: &mut H, token: &str, path: &str) -> HttpResponse {
    h.send(&HttpRequest::get("api", path).bearer(token))
}

/// Creates the sample identity and returns its id.
pub fn create_identity(h: &mut H, token: &str, b: &Value) -> String {
    let r = post(h, token, "/v2/identity/identities", b);
    assert_eq!(r.status, 200, "{}", r.body);
    body(&r)["id"].as_str().expect("id").to_string()
}

/// Creates an account with a profile for `identity`: (account id, profile id).
pub fn create_account(h: &mut H, token: &str, identity: &str, ref_id: &str) -> (String, String) {
    let r = post(
        h,
        token,
        "/v2/identity/accounts",
        &json!({"create_profile": true, "account": {"identity_id": identity, "ref_id": ref_id, "type": "BROKERAGE"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let b = body(&r);
    (
        b["id"].as_str().expect("id").into(),
        b["profile_id"].as_str().expect("profile_id").into(),
    )
}

pub fn content_type(r: &HttpResponse) -> &str {
    r.header("content-type").unwrap_or_default()
}

pub fn sample() -> Profile {
    sample_profile()
}
