//! Stripe's test mode for the crypto onramp: bearer secret key, form-encoded bodies, Stripe's
//! error objects, Idempotency-Key on POSTs, crypto customers whose KYC tiers are verified
//! asynchronously on the sandbox clock, and onramp sessions gated by per-tier purchase limits.

mod customers;
mod sessions;

use crate::tiers::{Tier, TierStatus};
use rampsim_plugin_sdk::http::form_decode;
use rampsim_plugin_sdk::{Fake, FakeNote, FakeRequest, HttpResponse};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// The secret key the sandbox accepts (the manifest's sandbox value).
pub const SANDBOX_SECRET_KEY: &str = "sk_test_rampsim_sandbox";

/// How long L0 stays `pending` after attachKYCInfo.
pub const L0_REVIEW_MS: i64 = 10_000;
/// How long L1 stays `pending` after attachKYCInfo.
pub const L1_REVIEW_MS: i64 = 90_000;

/// Per-order purchase limits in cents of the source currency (assumed numbers).
pub const L0_LIMIT_CENTS: u64 = 0;
pub const L1_LIMIT_CENTS: u64 = 250_000;
/// The L1 limit this sandbox applies to the customer in `needs_document`.
pub const NEEDS_DOCUMENT_L1_LIMIT_CENTS: u64 = 5_000;
pub const L2_LIMIT_CENTS: u64 = 2_500_000;

pub const MAX_BODY: usize = 64 * 1024;

/// The decision path a scenario plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    L1Verified,
    NeedsDocument,
    L0FailedL1Supersedes,
    Rejected,
}

impl Scenario {
    /// Unknown names play the default (happy) path.
    pub fn parse(name: &str) -> Scenario {
        match name {
            "needs_document" => Scenario::NeedsDocument,
            "l0_failed_l1_supersedes" => Scenario::L0FailedL1Supersedes,
            "rejected" => Scenario::Rejected,
            _ => Scenario::L1Verified,
        }
    }

    /// The most a customer verified at `tier` may buy in one order, in cents.
    pub fn limit_cents(self, tier: Tier) -> u64 {
        match tier {
            Tier::L0 => L0_LIMIT_CENTS,
            Tier::L1 if self == Scenario::NeedsDocument => NEEDS_DOCUMENT_L1_LIMIT_CENTS,
            Tier::L1 => L1_LIMIT_CENTS,
            Tier::L2 => L2_LIMIT_CENTS,
        }
    }

    /// The result of a tier's verification once it is no longer pending.
    fn decision(self, tier: Tier) -> TierStatus {
        match (self, tier) {
            (Scenario::L0FailedL1Supersedes | Scenario::Rejected, Tier::L0) => TierStatus::Rejected,
            (Scenario::Rejected, Tier::L1) => TierStatus::Rejected,
            _ => TierStatus::Verified,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub id: String,
    pub created_s: i64,
    pub metadata: BTreeMap<String, String>,
    /// `provided_fields`, in the order first given.
    pub provided: Vec<&'static str>,
    pub l0_submitted_ms: Option<i64>,
    pub l1_submitted_ms: Option<i64>,
}

impl Customer {
    pub fn status(&self, tier: Tier, scenario: Scenario, now_ms: i64) -> TierStatus {
        let (submitted, review) = match tier {
            Tier::L0 => (self.l0_submitted_ms, L0_REVIEW_MS),
            Tier::L1 => (self.l1_submitted_ms, L1_REVIEW_MS),
            // The sandbox plays no document flow: L2 is never started.
            Tier::L2 => (None, 0),
        };
        match submitted {
            None => TierStatus::NotStarted,
            Some(at) if now_ms < at + review => TierStatus::Pending,
            Some(_) => scenario.decision(tier),
        }
    }

    /// The crypto customer object.
    pub fn view(&self, scenario: Scenario, now_ms: i64) -> Value {
        let st = |t| self.status(t, scenario, now_ms);
        let tiers: Vec<Value> = Tier::ALL
            .iter()
            .map(|t| {
                let s = st(*t);
                // Assumed shape: error codes as strings.
                let errors: Vec<&str> = match (s, t) {
                    (TierStatus::Rejected, Tier::L0) => vec!["address_unverified"],
                    (TierStatus::Rejected, _) => vec!["id_number_mismatch"],
                    _ => vec![],
                };
                json!({ "tier": t.as_str(), "verification_status": s.as_str(), "verification_errors": errors })
            })
            .collect();
        let kyc_verified = Tier::ALL.iter().any(|t| st(*t) == TierStatus::Verified);
        json!({
            "id": self.id,
            "object": "crypto.customer",
            "created": self.created_s,
            "livemode": false,
            "metadata": self.metadata,
            "provided_fields": self.provided,
            "kyc_tiers": tiers,
            "verifications": {
                "kyc_verified": kyc_verified,
                "phone_verified": kyc_verified,
                "id_document_verified": st(Tier::L2) == TierStatus::Verified,
            },
        })
    }
}

/// One sandbox: customers, sessions, stored idempotent answers.
#[derive(Debug, Default)]
pub struct StripeFake {
    seq: u64,
    pub(crate) customers: BTreeMap<String, Customer>,
    pub(crate) sessions: BTreeMap<String, Value>,
    /// Idempotency-Key -> (fingerprint of the request, the stored answer)
    idempotent: HashMap<String, (String, HttpResponse)>,
    /// One `order_created` per session really created (not an idempotent replay), for the host.
    pub(crate) notes: Vec<FakeNote>,
}

impl StripeFake {
    /// A deterministic Stripe-shaped id (`crc_...`, `cos_...`).
    pub(crate) fn next_id(&mut self, prefix: &str) -> String {
        self.seq += 1;
        format!("{prefix}_1RsimSbx{:016}", self.seq)
    }

    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }

    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }
}

/// `{error: {type, code, message, param, doc_url}}` (code, param and doc_url when known).
pub fn stripe_error(
    status: u16,
    kind: &str,
    code: Option<&str>,
    message: &str,
    param: Option<&str>,
) -> HttpResponse {
    let mut e = Map::new();
    e.insert("type".into(), json!(kind));
    if let Some(c) = code {
        e.insert("code".into(), json!(c));
        e.insert(
            "doc_url".into(),
            json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                c.replace('_', "-")
            )),
        );
    }
    e.insert("message".into(), json!(message));
    if let Some(p) = param {
        e.insert("param".into(), json!(p));
    }
    HttpResponse::json(status, &json!({ "error": e }))
}

pub(crate) fn invalid_request(
    code: Option<&str>,
    message: &str,
    param: Option<&str>,
) -> HttpResponse {
    stripe_error(400, "invalid_request_error", code, message, param)
}

/// The form parameters of a request, with Stripe's checks for unknown, missing and empty ones.
pub(crate) struct Params(BTreeMap<String, String>);

impl Params {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
    pub fn map(&self) -> &BTreeMap<String, String> {
        &self.0
    }
    /// The first parameter that `allowed` refuses, as Stripe's parameter_unknown error.
    pub fn unknown(&self, allowed: impl Fn(&str) -> bool) -> Result<(), HttpResponse> {
        match self.0.keys().find(|k| !allowed(k)) {
            Some(k) => Err(invalid_request(
                Some("parameter_unknown"),
                &format!("Received unknown parameter: {k}"),
                Some(k),
            )),
            None => Ok(()),
        }
    }
    /// A required, non-empty parameter.
    pub fn required(&self, key: &str) -> Result<&str, HttpResponse> {
        match self.get(key) {
            None => Err(invalid_request(
                Some("parameter_missing"),
                &format!("Missing required param: {key}."),
                Some(key),
            )),
            Some("") => Err(empty(key)),
            Some(v) => Ok(v),
        }
    }
    /// An optional parameter; present but empty is refused as Stripe does.
    pub fn optional(&self, key: &str) -> Result<Option<&str>, HttpResponse> {
        match self.get(key) {
            Some("") => Err(empty(key)),
            v => Ok(v),
        }
    }
}

fn empty(key: &str) -> HttpResponse {
    invalid_request(
        Some("parameter_invalid_empty"),
        &format!(
            "You passed an empty string for '{key}'. We assume empty values are an attempt to unset a parameter; however '{key}' cannot be unset. You should remove '{key}' from your request or supply a non-empty value."
        ),
        Some(key),
    )
}

fn unrecognized(req: &FakeRequest) -> HttpResponse {
    stripe_error(
        404,
        "invalid_request_error",
        None,
        &format!(
            "Unrecognized request URL ({}: {}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
            req.method, req.path
        ),
        None,
    )
}

fn authenticate(req: &FakeRequest) -> Result<(), HttpResponse> {
    let Some(key) = req.bearer() else {
        return Err(stripe_error(
            401,
            "invalid_request_error",
            None,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
            None,
        ));
    };
    if key == SANDBOX_SECRET_KEY {
        return Ok(());
    }
    // Stripe shows the key's prefix and last four characters only.
    let shown = if key.len() > 12 && key.is_char_boundary(8) && key.is_char_boundary(key.len() - 4)
    {
        format!(
            "{}{}{}",
            &key[..8],
            "*".repeat(key.len() - 12),
            &key[key.len() - 4..]
        )
    } else {
        "*".repeat(key.chars().count().min(32))
    };
    Err(stripe_error(
        401,
        "invalid_request_error",
        None,
        &format!("Invalid API Key provided: {shown}"),
        None,
    ))
}

/// Form parameters of a POST, refusing JSON.
fn params(req: &FakeRequest) -> Result<Params, HttpResponse> {
    let json_type = req
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("json"));
    let looks_json = matches!(req.body.trim_start().chars().next(), Some('{' | '['));
    if json_type || looks_json {
        return Err(invalid_request(
            None,
            "Invalid request: Stripe's API takes application/x-www-form-urlencoded bodies, not JSON. Send parameters as form fields (nested ones as address[line1]).",
            None,
        ));
    }
    Ok(Params(form_decode(&req.body).into_iter().collect()))
}

impl Fake for StripeFake {
    fn new() -> Self {
        StripeFake::default()
    }

    fn handle(&mut self, req: &FakeRequest, now_ms: i64, scenario: &str) -> HttpResponse {
        if req.body.len() > MAX_BODY {
            return invalid_request(None, "Request body too large.", None);
        }
        if let Err(r) = authenticate(req) {
            return r;
        }
        let scenario = Scenario::parse(scenario);
        let method = req.method.to_ascii_uppercase();
        let segments = req.segments();
        if method == "GET" {
            return match segments[..] {
                ["v1", "crypto", "customers", id] => match self.customers.get(id) {
                    Some(c) => HttpResponse::json(200, &c.view(scenario, now_ms)),
                    None => no_such_customer(id, 404, "id"),
                },
                ["v1", "crypto", "onramp_sessions", id] => match self.sessions.get(id) {
                    Some(s) => HttpResponse::json(200, s),
                    None => stripe_error(
                        404,
                        "invalid_request_error",
                        Some("resource_missing"),
                        &format!("No such crypto onramp session: '{id}'"),
                        Some("id"),
                    ),
                },
                _ => unrecognized(req),
            };
        }
        let known_post = matches!(
            segments[..],
            ["v1", "crypto", "customers"]
                | ["v1", "crypto", "customers", _, "kyc_info"]
                | ["v1", "crypto", "onramp_sessions"]
        );
        if method != "POST" || !known_post {
            return unrecognized(req);
        }
        let params = match params(req) {
            Ok(p) => p,
            Err(r) => return r,
        };
        // Idempotency: same key and parameters -> the stored answer; other parameters -> error.
        let key = req.header("idempotency-key").map(str::to_string);
        let fingerprint = format!("{} {} {:?}", method, req.path, params.map());
        if let Some((seen, stored)) = key.as_ref().and_then(|k| self.idempotent.get(k)) {
            return if *seen == fingerprint {
                stored.clone().with_header("Idempotent-Replayed", "true")
            } else {
                stripe_error(
                    400,
                    "idempotency_error",
                    None,
                    &format!(
                        "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{}' if you meant to execute a different request.",
                        key.unwrap_or_default()
                    ),
                    None,
                )
            };
        }
        let response = match segments[..] {
            ["v1", "crypto", "customers"] => self.create_customer(&params, scenario, now_ms),
            ["v1", "crypto", "customers", id, "kyc_info"] => {
                self.attach_kyc(id, &params, scenario, now_ms)
            }
            _ => self.create_session(&params, scenario, now_ms),
        };
        // Only answers that executed are stored: a refused request may be retried with its key.
        if let (Some(k), true) = (key, response.is_success()) {
            self.idempotent.insert(k, (fingerprint, response.clone()));
        }
        response
    }

    fn take_notes(&mut self) -> Vec<FakeNote> {
        std::mem::take(&mut self.notes)
    }
}

pub(crate) fn no_such_customer(id: &str, status: u16, param: &str) -> HttpResponse {
    stripe_error(
        status,
        "invalid_request_error",
        Some("resource_missing"),
        &format!("No such crypto customer: '{id}'"),
        Some(param),
    )
}
