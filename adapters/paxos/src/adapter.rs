//! The Paxos adapter: a sans-IO state machine over the four canonical stages.
//!
//! register      POST {oauth}/oauth2/token (when no valid token), POST {api}/v2/identity/identities
//! await_kyc     GET  {api}/v2/identity/identities/{id}, polled while PENDING
//! create_order  POST {api}/v2/identity/accounts (create_profile), POST {api}/v2/profiles/{pid}/orders
//!
//! idv_passthrough is skipped in the manifest: the passthrough fields travel in the register call.

use crate::convert::{self, Prepared};
use crate::formats;
use crate::problem::{self, Problem};
use crate::SCOPES;
use rampsim_plugin_sdk::http::encode_path_segment;
use rampsim_plugin_sdk::{
    json, Adapter, AdapterInit, Cx, HttpRequest, HttpResponse, KycStatus, LogLevel, Outcome,
    PluginError, Stage, StageResult, Step,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;

/// Refresh the token this long before Paxos says it expires, so a call never races the expiry.
const TOKEN_MARGIN_MS: i64 = 60_000;

/// The request the adapter is waiting for an answer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Token,
    CreateIdentity,
    GetIdentity,
    CreateAccount,
    CreateOrder,
}

#[derive(Clone, Debug)]
struct Token {
    value: String,
    expires_at_ms: i64,
}

pub struct PaxosAdapter {
    client_id: String,
    client_secret: String,
    ref_id: String,
    prepared: Prepared,
    token: Option<Token>,
    identity_id: Option<String>,
    account_id: Option<String>,
    profile_id: Option<String>,
    waiting: Option<Call>,
}

/// A stage ends with this result (an early return through `?`).
type Flow<T> = Result<T, StageResult>;

/// The fields the adapter reads from a successful Paxos answer (token, identity, account,
/// order). Read without building a JSON tree, since one is read on every exchange; a field of
/// another type counts as absent (see `rampsim_plugin_sdk::json`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Answer<'a> {
    #[serde(borrow, deserialize_with = "json::string")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "json::string")]
    access_token: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "json::string")]
    scope: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "json::string")]
    status: Option<Cow<'a, str>>,
    /// Deprecated, still in the spec's Identity schema.
    #[serde(borrow, deserialize_with = "json::string")]
    summary_status: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "json::string")]
    profile_id: Option<Cow<'a, str>>,
    #[serde(deserialize_with = "json::integer")]
    expires_in: Option<i64>,
    /// Read only when an identity is PENDING.
    #[serde(borrow)]
    status_details: Option<&'a RawValue>,
}

impl Answer<'_> {
    /// The answer in `r`'s body, when it is a JSON object.
    fn of(r: &HttpResponse) -> Option<Answer<'_>> {
        r.read_json()
    }

    /// `status`, or the deprecated `summary_status`.
    fn identity_status(&self) -> Option<&str> {
        self.status.as_deref().or(self.summary_status.as_deref())
    }
}

/// The CreateAccount body (fields in the order Paxos's examples and earlier runs sent them).
#[derive(Serialize)]
struct CreateAccount<'a> {
    account: AccountFields<'a>,
    create_profile: bool,
}

#[derive(Serialize)]
struct AccountFields<'a> {
    identity_id: Option<&'a str>,
    ref_id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

/// The CreateOrder body: a market buy for the quote amount.
#[derive(Serialize)]
struct CreateOrder<'a> {
    identity_account_id: Option<&'a str>,
    identity_id: Option<&'a str>,
    market: &'a str,
    quote_amount: &'a str,
    ref_id: &'a str,
    side: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

impl Adapter for PaxosAdapter {
    fn new(init: AdapterInit) -> Result<Self, PluginError> {
        let setting = |name: &str| -> Result<String, PluginError> {
            match init.settings.get(name).map(|v| v.trim()) {
                Some(v) if !v.is_empty() => Ok(v.to_string()),
                _ => Err(PluginError::invalid(format!(
                    "settings.{name}: required (Paxos API key)"
                ))),
            }
        };
        Ok(PaxosAdapter {
            client_id: setting("client_id")?,
            client_secret: setting("client_secret")?,
            ref_id: init.profile.ref_id.trim().to_string(),
            prepared: convert::prepare(&init.profile)?,
            token: None,
            identity_id: None,
            account_id: None,
            profile_id: None,
            waiting: None,
        })
    }

    fn begin(&mut self, stage: Stage, cx: &mut Cx) -> Result<Step, PluginError> {
        self.waiting = None;
        Ok(self.next_request(stage, cx))
    }

    fn on_response(
        &mut self,
        stage: Stage,
        response: HttpResponse,
        cx: &mut Cx,
    ) -> Result<Step, PluginError> {
        let call = self.waiting.take().ok_or_else(|| {
            PluginError::other(format!(
                "{stage}: a response arrived but no request was sent"
            ))
        })?;
        let flow = match call {
            Call::Token => self
                .on_token(&response, cx)
                .map(|()| self.next_request(stage, cx)),
            Call::CreateIdentity => self.on_create_identity(&response, cx),
            Call::GetIdentity => self.on_get_identity(&response),
            Call::CreateAccount => self.on_create_account(&response, cx),
            Call::CreateOrder => self.on_create_order(&response),
        };
        Ok(flow.unwrap_or_else(|result| Step::Finish { result }))
    }
}

impl PaxosAdapter {
    /// What the stage needs next given what the journey has learnt so far.
    fn next_request(&mut self, stage: Stage, cx: &mut Cx) -> Step {
        // What cannot be done at all is answered before asking for a token.
        match (stage, &self.identity_id) {
            (Stage::IdvPassthrough, _) => {
                return finish(StageResult::skipped(
                    "Paxos takes the IDV passthrough fields in the create-identity call (register)",
                ))
            }
            (Stage::AwaitKyc | Stage::CreateOrder, None) => {
                return finish(StageResult::failed(format!(
                    "{stage}: no Paxos identity yet (register did not create one)"
                )))
            }
            _ => {}
        }
        let token = match &self.token {
            Some(t) if cx.now_ms().saturating_add(TOKEN_MARGIN_MS) < t.expires_at_ms => {
                t.value.clone()
            }
            _ => return self.send(Call::Token, self.token_request()),
        };
        let identity = self.identity_id.clone().unwrap_or_default();
        match stage {
            Stage::AwaitKyc => {
                let path = format!("/v2/identity/identities/{}", encode_path_segment(&identity));
                self.send(
                    Call::GetIdentity,
                    HttpRequest::get("api", path)
                        .bearer(&token)
                        .with_header("Accept", "application/json"),
                )
            }
            Stage::CreateOrder if self.profile_id.is_none() => {
                self.send(Call::CreateAccount, self.create_account_request(&token))
            }
            Stage::CreateOrder => self.send(Call::CreateOrder, self.create_order_request(&token)),
            _ => self.send(Call::CreateIdentity, self.create_identity_request(&token)),
        }
    }

    fn send(&mut self, call: Call, request: HttpRequest) -> Step {
        self.waiting = Some(call);
        Step::Send { request }
    }

    // -----------------------------------------------------------------------------------------
    // Requests
    // -----------------------------------------------------------------------------------------

    fn token_request(&self) -> HttpRequest {
        let scope = SCOPES.join(" ");
        HttpRequest::post("oauth", "/oauth2/token")
            // A token request creates nothing: safe to send again after a fault.
            .retry_safe()
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("scope", &scope),
            ])
            .with_header("Accept", "application/json")
    }

    fn create_identity_request(&self, token: &str) -> HttpRequest {
        // ref_id makes the create idempotent at Paxos (a repeat gets 409 duplicate ref_id), so the
        // host may retry it.
        HttpRequest::post("api", "/v2/identity/identities")
            .bearer(token)
            .json(&self.prepared.identity)
            .with_header("Accept", "application/json")
            .idempotency_key(self.ref_id.clone())
            .carrying_kyc()
    }

    fn account_ref(&self) -> String {
        format!("{}-account", self.ref_id)
    }

    fn order_ref(&self) -> String {
        format!("{}-order", self.ref_id)
    }

    fn create_account_request(&self, token: &str) -> HttpRequest {
        let ref_id = self.account_ref();
        let body = CreateAccount {
            account: AccountFields {
                identity_id: self.identity_id.as_deref(),
                ref_id: &ref_id,
                kind: "BROKERAGE",
            },
            create_profile: true,
        };
        HttpRequest::post("api", "/v2/identity/accounts")
            .bearer(token)
            .json(&body)
            .with_header("Accept", "application/json")
            .idempotency_key(ref_id)
    }

    fn create_order_request(&self, token: &str) -> HttpRequest {
        let profile = self.profile_id.as_deref().unwrap_or_default();
        let ref_id = self.order_ref();
        let body = CreateOrder {
            identity_account_id: self.account_id.as_deref(),
            identity_id: self.identity_id.as_deref(),
            market: &self.prepared.market,
            quote_amount: &self.prepared.quote_amount,
            ref_id: &ref_id,
            side: "BUY",
            kind: "MARKET",
        };
        HttpRequest::post(
            "api",
            format!("/v2/profiles/{}/orders", encode_path_segment(profile)),
        )
        .bearer(token)
        .json(&body)
        .with_header("Accept", "application/json")
        .idempotency_key(ref_id)
    }

    // -----------------------------------------------------------------------------------------
    // Responses
    // -----------------------------------------------------------------------------------------

    fn on_token(&mut self, r: &HttpResponse, cx: &mut Cx) -> Flow<()> {
        let what = "the OAuth token request";
        if r.status != 200 {
            let mut result = StageResult::failed(problem::failure(what, r));
            if matches!(r.status, 400 | 401) {
                result = result.next_step(
                    "check the client_id / client_secret settings and the API key's scopes",
                );
            }
            return Err(result);
        }
        let body = Answer::of(r).ok_or_else(|| StageResult::failed(problem::failure(what, r)))?;
        let token = body
            .access_token
            .as_deref()
            .ok_or_else(|| StageResult::failed(problem::missing(what, r, "access_token")))?;
        cx.sensitive(token);
        if let Some(granted) = body.scope.as_deref() {
            let granted: Vec<&str> = granted.split_whitespace().collect();
            let lacking: Vec<&str> = SCOPES
                .iter()
                .copied()
                .filter(|s| !granted.contains(s))
                .collect();
            if !lacking.is_empty() {
                return Err(StageResult::failed(format!(
                    "Paxos issued a token without the scope(s) {}",
                    lacking.join(", ")
                ))
                .next_step("ask Paxos Support to enable these scopes for the API key (write scopes are gated)"));
            }
        }
        let expires_in = body.expires_in.unwrap_or(3599).max(0);
        self.token = Some(Token {
            value: token.to_string(),
            expires_at_ms: cx.now_ms().saturating_add(expires_in.saturating_mul(1000)),
        });
        cx.log(
            LogLevel::Info,
            format!("Paxos access token obtained, valid {expires_in} s"),
        );
        Ok(())
    }

    fn on_create_identity(&mut self, r: &HttpResponse, cx: &mut Cx) -> Flow<Step> {
        let what = "create identity";
        if r.is_success() {
            let body =
                Answer::of(r).ok_or_else(|| StageResult::failed(problem::failure(what, r)))?;
            let id = body
                .id
                .as_deref()
                .ok_or_else(|| StageResult::failed(problem::missing(what, r, "id")))?;
            let status = body.identity_status().unwrap_or("PENDING").to_string();
            self.identity_id = Some(id.to_string());
            cx.log(
                LogLevel::Info,
                format!("Paxos identity {id} created ({status})"),
            );
            let mut result = StageResult::done(format!(
                "identity {id} created with IDV passthrough; it is {status}"
            ))
            .provider_status(status.clone());
            if let Some(k) = kyc_of(&status) {
                result = result.kyc(k);
            }
            return Ok(finish(result));
        }
        let problem = Problem::parse(r);
        if let (409, Some(p)) = (r.status, &problem) {
            if p.detail.contains("cip_id") {
                let existing = p.existing_id().unwrap_or("(id not given)");
                return Ok(finish(
                    StageResult::finish(
                        Outcome::ActionRequired,
                        format!("Paxos answered 409 {}: {}; existing identity {existing}", p.title, p.detail),
                    )
                    .kyc(KycStatus::ActionRequired)
                    .provider_status(p.title.clone())
                    .next_step(format!(
                        "decide whether it is the same person: decline, or create an account linked to the \
                         existing identity {existing}"
                    )),
                ));
            }
            if let (true, Some(existing)) = (p.detail.contains("ref_id"), p.existing_id()) {
                // Our own identity from an earlier run (or a retried create): carry on with it.
                self.identity_id = Some(existing.to_string());
                return Ok(finish(
                    StageResult::done(format!(
                        "identity {existing} already exists for this ref_id (Paxos: {}); continuing with it",
                        p.detail
                    ))
                    .provider_status(p.title.clone()),
                ));
            }
        }
        Err(with_hint(
            StageResult::failed(problem::failure(what, r)),
            r.status,
            "register",
        ))
    }

    fn on_get_identity(&mut self, r: &HttpResponse) -> Flow<Step> {
        let what = "get identity";
        if r.status != 200 {
            return Err(with_hint(
                StageResult::failed(problem::failure(what, r)),
                r.status,
                "await_kyc",
            ));
        }
        let body = Answer::of(r).ok_or_else(|| StageResult::failed(problem::failure(what, r)))?;
        let status = body
            .identity_status()
            .ok_or_else(|| StageResult::failed(problem::missing(what, r, "status")))?;
        let id = self.identity_id.clone().unwrap_or_default();
        let result = match status {
            "PENDING" => {
                let details: StatusDetails = body
                    .status_details
                    .and_then(|raw| serde_json::from_str(raw.get()).ok())
                    .unwrap_or_default();
                let client = details.open_for("CLIENT");
                if client.is_empty() {
                    let paxos = details.open_for("PAXOS");
                    let why = if paxos.is_empty() {
                        String::new()
                    } else {
                        format!(" (Paxos: {})", paxos.join(", "))
                    };
                    StageResult::poll(format!("identity {id} is PENDING{why}"))
                        .kyc(KycStatus::Pending)
                        .provider_status("PENDING")
                } else {
                    let types = client.join(", ");
                    StageResult::finish(
                        Outcome::ActionRequired,
                        format!("identity {id} is PENDING awaiting action from the client: {types}"),
                    )
                    .kyc(KycStatus::ActionRequired)
                    .provider_status("PENDING")
                    .next_step(format!(
                        "resolve the Paxos requirement {types}: upload the documents Paxos asks for \
                         (PUT /v2/identity/identities/{id}/documents), then run await_kyc again"
                    ))
                }
            }
            "APPROVED" => StageResult::done(format!("identity {id} is APPROVED"))
                .kyc(KycStatus::Approved)
                .provider_status("APPROVED"),
            "DENIED" => StageResult::finish(Outcome::Rejected, format!("identity {id} is DENIED"))
                .kyc(KycStatus::Rejected)
                .provider_status("DENIED")
                .next_step("Paxos declined onboarding; the user cannot be served through Paxos"),
            "DISABLED" | "ERROR" => StageResult::failed(format!(
                "identity {id} is {status}: Paxos has {} it",
                if status == "ERROR" {
                    "frozen"
                } else {
                    "off-boarded"
                }
            ))
            .kyc(KycStatus::Rejected)
            .provider_status(status)
            .next_step("contact Paxos Support about the identity"),
            other => StageResult::failed(format!(
                "Paxos answered 200 to {what}: unknown status {other}"
            )),
        };
        Ok(finish(result))
    }

    fn on_create_account(&mut self, r: &HttpResponse, cx: &mut Cx) -> Flow<Step> {
        let what = "create account";
        let (id, profile) = if r.is_success() {
            let a = Answer::of(r).ok_or_else(|| StageResult::failed(problem::failure(what, r)))?;
            (a.id.map(Cow::into_owned), a.profile_id.map(Cow::into_owned))
        } else {
            // 409: the account from an earlier run of this journey (same ref_id): reuse it.
            match Problem::parse(r) {
                Some(p)
                    if r.status == 409
                        && p.is_already_exists()
                        && p.meta.pointer("/existing/id").is_some() =>
                {
                    let existing = &p.meta["existing"];
                    let field = |k| str_field(existing, k).map(str::to_string);
                    (field("id"), field("profile_id"))
                }
                _ => {
                    return Err(with_hint(
                        StageResult::failed(problem::failure(what, r)),
                        r.status,
                        "create_order",
                    ))
                }
            }
        };
        let id = id.ok_or_else(|| StageResult::failed(problem::missing(what, r, "id")))?;
        let profile =
            profile.ok_or_else(|| StageResult::failed(problem::missing(what, r, "profile_id")))?;
        cx.log(
            LogLevel::Info,
            format!("Paxos account {id} with profile {profile}"),
        );
        self.account_id = Some(id);
        self.profile_id = Some(profile);
        Ok(self.next_request(Stage::CreateOrder, cx))
    }

    fn on_create_order(&mut self, r: &HttpResponse) -> Flow<Step> {
        let what = "create order";
        let (id, status, reused) = if r.is_success() {
            let o = Answer::of(r).ok_or_else(|| StageResult::failed(problem::failure(what, r)))?;
            (
                o.id.map(Cow::into_owned),
                o.status.map(Cow::into_owned),
                false,
            )
        } else {
            match Problem::parse(r) {
                Some(p)
                    if r.status == 409
                        && p.is_already_exists()
                        && self.is_our_order(&p.meta["existing"]) =>
                {
                    let existing = &p.meta["existing"];
                    let field = |k| str_field(existing, k).map(str::to_string);
                    (field("id"), field("status"), true)
                }
                Some(p) if r.status == 403 && p.kind.ends_with("/insufficient-funds") => {
                    let profile = self.profile_id.clone().unwrap_or_default();
                    return Err(StageResult::failed(problem::failure(what, r)).next_step(format!(
                        "fund profile {profile} (sandbox: POST /v2/sandbox/profiles/{profile}/deposit), then run \
                         create_order again"
                    )));
                }
                _ => {
                    return Err(with_hint(
                        StageResult::failed(problem::failure(what, r)),
                        r.status,
                        "create_order",
                    ))
                }
            }
        };
        let id = id.ok_or_else(|| StageResult::failed(problem::missing(what, r, "id")))?;
        let status = status.as_deref().unwrap_or("SUBMITTED");
        let terms = format!(
            "BUY {} for {}",
            self.prepared.market, self.prepared.quote_amount
        );
        let result = match status {
            "PENDING_SUBMISSION" | "SUBMITTED" | "OPEN" | "FILLED" => {
                let again = if reused {
                    " (already placed with this ref_id)"
                } else {
                    ""
                };
                StageResult::done(format!("order {id} {status}: {terms}{again}")).order_id(id)
            }
            other => StageResult::failed(format!(
                "Paxos {} order {id} ({terms})",
                other.to_ascii_lowercase()
            )),
        };
        Ok(finish(result.provider_status(status)))
    }

    /// A 409's existing order is ours when it has our ref_id and our terms.
    fn is_our_order(&self, existing: &Value) -> bool {
        let amount = |v: &Value| str_field(v, "quote_amount").and_then(formats::decimal_value);
        str_field(existing, "ref_id") == Some(self.order_ref().as_str())
            && str_field(existing, "market") == Some(self.prepared.market.as_str())
            && amount(existing).is_some()
            && amount(existing) == formats::decimal_value(&self.prepared.quote_amount)
    }
}

fn finish(result: StageResult) -> Step {
    Step::Finish { result }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn kyc_of(status: &str) -> Option<KycStatus> {
    match status {
        "PENDING" => Some(KycStatus::Pending),
        "APPROVED" => Some(KycStatus::Approved),
        "DENIED" | "DISABLED" | "ERROR" => Some(KycStatus::Rejected),
        _ => None,
    }
}

/// An identity's `status_details`, of which the adapter reads the requirements. Requirements
/// that are not a list read as none; an entry that is not a requirement object is skipped, the
/// others still count.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusDetails<'a> {
    #[serde(borrow)]
    requirements: Vec<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Requirement<'a> {
    #[serde(borrow, deserialize_with = "json::string")]
    awaiting_action_from: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "json::string")]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type", deserialize_with = "json::string")]
    kind: Option<Cow<'a, str>>,
}

impl StatusDetails<'_> {
    /// Types of the open requirements awaiting `who` (PAXOS or CLIENT).
    fn open_for(&self, who: &str) -> Vec<String> {
        self.requirements
            .iter()
            .filter_map(|raw| json::object::<Requirement>(raw.get()))
            .filter(|r| r.awaiting_action_from.as_deref() == Some(who))
            .filter(|r| matches!(r.status.as_deref(), None | Some("PENDING") | Some("FAILED")))
            .map(|r| r.kind.as_deref().unwrap_or("UNSPECIFIED").to_string())
            .collect()
    }
}

/// What the operator can do about a refused call.
fn with_hint(result: StageResult, status: u16, stage: &str) -> StageResult {
    match status {
        400 | 422 => result.next_step(format!(
            "fix the field Paxos names in the profile, then run {stage} again"
        )),
        // The token was good when sent; it may have expired on the way (a slow answer).
        401 => result.next_step(format!(
            "run {stage} again for a fresh access token; if Paxos refuses that one too, check the client_id / client_secret settings"
        )),
        403 => result.next_step("check the API key's scopes and the identity's status with Paxos"),
        _ => result,
    }
}
