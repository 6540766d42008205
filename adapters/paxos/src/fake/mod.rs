//! The Paxos sandbox as a pure function of (state, request, time, scenario): routing, bearer and
//! scope checks, and the problem bodies every route answers errors with.
//!
//! oauth.rs     POST /oauth2/token
//! identity.rs  /v2/identity/identities (create, get, sandbox-status), validation, status timeline
//! trading.rs   /v2/identity/accounts, /v2/profiles/{id}/orders, /v2/sandbox/profiles/{id}/deposit

mod identity;
mod oauth;
mod trading;

use rampsim_plugin_sdk::{Fake, FakeNote, FakeRequest, HttpResponse};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const SCENARIO_APPROVED: &str = "approved";
pub const SCENARIO_SLOW_REVIEW: &str = "slow_review";
pub const SCENARIO_DENIED: &str = "denied";
pub const SCENARIO_EDD_REQUIRED: &str = "edd_required";
pub const SCENARIO_DUPLICATE_CIP_ID: &str = "duplicate_cip_id";
pub const SCENARIO_INSUFFICIENT_FUNDS: &str = "insufficient_funds";

/// How long `slow_review` stays PENDING after creation.
pub const SLOW_REVIEW_MS: i64 = 20 * 60 * 1000;
/// How long `denied` stays PENDING before the decision.
pub const DENIED_AFTER_MS: i64 = 2 * 60 * 1000;
/// How long a market order stays SUBMITTED before it shows FILLED.
pub const FILL_AFTER_MS: i64 = 2_000;
/// Bodies above this are refused with 413 rather than parsed.
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub const PROBLEM_ALREADY_EXISTS: &str =
    "https://developer.paxos.com/docs/v2/problems/already-exists";
pub const PROBLEM_INSUFFICIENT_FUNDS: &str =
    "https://developer.paxos.com/docs/v2/problems/insufficient-funds";

#[derive(Default)]
pub struct PaxosFake {
    seq: u64,
    tokens: BTreeMap<String, oauth::IssuedToken>,
    identities: BTreeMap<String, identity::IdentityRecord>,
    accounts: BTreeMap<String, trading::AccountRecord>,
    profiles: BTreeMap<String, trading::ProfileRecord>,
    orders: BTreeMap<String, trading::OrderRecord>,
    /// Facts for the host's audit, drained by `take_notes`.
    notes: Vec<FakeNote>,
}

impl Fake for PaxosFake {
    fn new() -> Self {
        PaxosFake::default()
    }

    fn handle(&mut self, request: &FakeRequest, now_ms: i64, scenario: &str) -> HttpResponse {
        if request.body.len() > MAX_BODY_BYTES {
            return problem(
                413,
                "about:blank",
                "Payload Too Large",
                "request body exceeds 1 MiB",
                None,
            );
        }
        let method = request.method.to_ascii_uppercase();
        let segments = request.segments();
        let on = |endpoint: &str| request.endpoint.is_empty() || request.endpoint == endpoint;
        match segments.as_slice() {
            ["oauth2", "token"] if on("oauth") => match method.as_str() {
                "POST" => oauth::token(self, request, now_ms),
                _ => not_allowed(),
            },
            ["v2", rest @ ..] if on("api") => self.api(&method, rest, request, now_ms, scenario),
            _ => not_found(request),
        }
    }

    fn take_notes(&mut self) -> Vec<FakeNote> {
        std::mem::take(&mut self.notes)
    }
}

impl PaxosFake {
    fn api(
        &mut self,
        method: &str,
        path: &[&str],
        req: &FakeRequest,
        now: i64,
        scenario: &str,
    ) -> HttpResponse {
        use identity as id;
        use trading as tr;
        let (scope, allowed): (&str, bool) = match (method, path) {
            ("POST", ["identity", "identities"]) => ("identity:write_identity", true),
            ("GET", ["identity", "identities", _]) => ("identity:read_identity", true),
            ("PUT", ["identity", "identities", _, "sandbox-status"]) => {
                ("identity:write_identity", true)
            }
            ("POST", ["identity", "accounts"]) => ("identity:write_account", true),
            ("GET", ["identity", "accounts", _]) => ("identity:read_account", true),
            ("POST", ["profiles", _, "orders"]) => ("exchange:write_order", true),
            ("GET", ["profiles", _, "orders", _]) => ("exchange:read_order", true),
            ("POST", ["sandbox", "profiles", _, "deposit"]) => ("funding:read_profile", true),
            (_, ["identity", "identities"])
            | (_, ["identity", "identities", _])
            | (_, ["identity", "identities", _, "sandbox-status"])
            | (_, ["identity", "accounts"])
            | (_, ["identity", "accounts", _])
            | (_, ["profiles", _, "orders"])
            | (_, ["profiles", _, "orders", _])
            | (_, ["sandbox", "profiles", _, "deposit"]) => ("", false),
            _ => return not_found(req),
        };
        if !allowed {
            return not_allowed();
        }
        if let Err(refused) = self.authorize(req, now, scope) {
            return refused;
        }
        match (method, path) {
            ("GET", ["identity", "identities", i]) => id::get(self, i, req, now),
            ("PUT", [_, _, i, _]) => id::sandbox_status(self, i, req, now),
            ("GET", ["identity", "accounts", a]) => tr::get_account(self, a),
            ("GET", ["profiles", p, "orders", o]) => tr::get_order(self, p, o, now),
            _ => {
                let body = match req.json_body() {
                    Some(Value::Object(m)) => Value::Object(m),
                    _ => return bad_request_detail("request body must be a JSON object"),
                };
                match path {
                    ["identity", "identities"] => id::create(self, &body, now, scenario),
                    ["identity", "accounts"] => tr::create_account(self, &body, now, scenario),
                    ["profiles", p, "orders"] => tr::create_order(self, p, &body, now),
                    ["sandbox", "profiles", p, "deposit"] => tr::deposit(self, p, &body),
                    _ => not_found(req),
                }
            }
        }
    }

    /// Bearer token valid at `now` and carrying `scope`: 401 / 403 problems otherwise.
    fn authorize(&self, req: &FakeRequest, now: i64, scope: &str) -> Result<(), HttpResponse> {
        let unauthorized = |detail: &str| problem(401, "about:blank", "Unauthorized", detail, None);
        let token = match req.bearer() {
            Some(t) if !t.is_empty() => t,
            _ if req.header("authorization").is_some() => {
                return Err(unauthorized("authorization header is not a bearer token"))
            }
            _ => return Err(unauthorized("no authorization header set")),
        };
        let issued = self
            .tokens
            .get(token)
            .ok_or_else(|| unauthorized("invalid access token"))?;
        if now >= issued.expires_at_ms {
            return Err(unauthorized("access token expired"));
        }
        if !issued.scopes.iter().any(|s| s == scope) {
            return Err(problem(
                403,
                "about:blank",
                "Forbidden",
                &format!("access token is missing the required scope {scope}"),
                Some(json!({ "required_scope": scope })),
            ));
        }
        Ok(())
    }

    /// A deterministic UUID-shaped id: the n-th id this sandbox hands out, mixed.
    fn new_id(&mut self, kind: &str) -> String {
        self.seq += 1;
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in kind.bytes().chain(self.seq.to_le_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let a = splitmix(h);
        let b = splitmix(a);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------------
// Problem bodies (RFC 7807, the spec's Problem schema)
// ---------------------------------------------------------------------------------------------

pub(crate) fn problem(
    status: u16,
    kind: &str,
    title: &str,
    detail: &str,
    meta: Option<Value>,
) -> HttpResponse {
    let mut body = json!({ "type": kind, "title": title, "status": status, "detail": detail });
    if let Some(m) = meta {
        body["meta"] = m;
    }
    HttpResponse::with_type(status, "application/problem+json", &body)
}

/// One field that failed validation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// 400 naming every bad field: in `detail` as text and in `meta.fields` for programs.
pub(crate) fn bad_request(errors: &[FieldError]) -> HttpResponse {
    let detail = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ");
    let fields: Vec<Value> = errors
        .iter()
        .map(|e| json!({ "field": e.field, "reason": e.reason }))
        .collect();
    problem(
        400,
        "about:blank",
        "Bad Request",
        &detail,
        Some(json!({ "fields": fields })),
    )
}

pub(crate) fn bad_request_detail(detail: &str) -> HttpResponse {
    problem(400, "about:blank", "Bad Request", detail, None)
}

pub(crate) fn not_found_detail(detail: &str) -> HttpResponse {
    problem(404, "about:blank", "Not Found", detail, None)
}

fn not_found(req: &FakeRequest) -> HttpResponse {
    // The path is the client's own; it is echoed like the real gateway does.
    not_found_detail(&format!(
        "no route for {} {}",
        req.method.to_ascii_uppercase(),
        req.path
    ))
}

fn not_allowed() -> HttpResponse {
    problem(
        405,
        "about:blank",
        "Method Not Allowed",
        "Not implemented",
        None,
    )
}

pub(crate) fn already_exists(detail: &str, existing: Value) -> HttpResponse {
    problem(
        409,
        PROBLEM_ALREADY_EXISTS,
        "Already Exists",
        detail,
        Some(json!({ "existing": existing })),
    )
}

/// `2.5` -> `"2.50"`-style decimal strings for amounts the fake computes.
pub(crate) fn decimal_string(v: f64, places: usize) -> String {
    format!("{v:.places$}")
}
