//! The JSON messages that cross the plugin boundary. Everything here is plain data:
//! serde derives only, no host code, no I/O.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The canonical journey's stages, in the order the host runs them.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Register,
    IdvPassthrough,
    AwaitKyc,
    CreateOrder,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Register,
        Stage::IdvPassthrough,
        Stage::AwaitKyc,
        Stage::CreateOrder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Register => "register",
            Stage::IdvPassthrough => "idv_passthrough",
            Stage::AwaitKyc => "await_kyc",
            Stage::CreateOrder => "create_order",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The canonical KYC decision; the provider's own word travels beside it.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum KycStatus {
    NotStarted,
    Pending,
    Approved,
    Rejected,
    ActionRequired,
}

impl KycStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KycStatus::NotStarted => "not_started",
            KycStatus::Pending => "pending",
            KycStatus::Approved => "approved",
            KycStatus::Rejected => "rejected",
            KycStatus::ActionRequired => "action_required",
        }
    }
}

impl std::fmt::Display for KycStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a journey ends.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    OrderCreated,
    Rejected,
    ActionRequired,
    TimedOut,
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::OrderCreated,
        Outcome::Rejected,
        Outcome::ActionRequired,
        Outcome::TimedOut,
        Outcome::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::OrderCreated => "order_created",
            Outcome::Rejected => "rejected",
            Outcome::ActionRequired => "action_required",
            Outcome::TimedOut => "timed_out",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a journey talks to the plugin's fake on loopback or to the provider itself.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Sandbox,
    Live,
}

// ---------------------------------------------------------------------------------------------
// Manifest
// ---------------------------------------------------------------------------------------------

/// What a plugin says about itself. Returned by the `manifest` export before anything else.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Manifest {
    /// Short, stable, lower-case id used in config.toml (`paxos`).
    pub id: String,
    /// Human name (`Paxos Identity + Brokerage`).
    pub name: String,
    /// The plugin's own version (semver).
    pub version: String,
    /// The protocol version of the JSON messages this plugin speaks (`MAJOR.MINOR`).
    pub protocol_version: String,
    #[serde(default)]
    pub description: String,
    /// One entry per canonical stage, in order.
    pub stages: Vec<StageInfo>,
    /// The base URLs the adapter's requests are relative to.
    pub endpoints: Vec<EndpointInfo>,
    /// Settings the adapter needs (credentials and the like).
    #[serde(default)]
    pub settings: Vec<SettingInfo>,
    /// Scenarios the fake can play, each with the outcome a journey is expected to reach.
    pub scenarios: Vec<ScenarioInfo>,
}

impl Manifest {
    pub fn stage(&self, stage: Stage) -> Option<&StageInfo> {
        self.stages.iter().find(|s| s.stage == stage)
    }
    pub fn scenario(&self, name: &str) -> Option<&ScenarioInfo> {
        self.scenarios.iter().find(|s| s.name == name)
    }
    pub fn endpoint(&self, name: &str) -> Option<&EndpointInfo> {
        self.endpoints.iter().find(|e| e.name == name)
    }
    /// The scenario a journey plays when none is named: the first one declared.
    pub fn default_scenario(&self) -> Option<&ScenarioInfo> {
        self.scenarios.first()
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct StageInfo {
    pub stage: Stage,
    /// What this stage does at this provider, for the stage list (`Create identity (PASSTHROUGH)`).
    pub label: String,
    /// Set when the provider has no such step; the host reports the stage `skipped` with this reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EndpointInfo {
    /// Name the adapter's requests use (`oauth`, `api`).
    pub name: String,
    /// Base URL of the live provider, no trailing slash.
    pub live_base_url: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SettingInfo {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Secrets are never written to logs, transcripts or screens, and in config.toml may only
    /// be named as an environment variable.
    pub secret: bool,
    /// The value the plugin's own fake accepts, used in sandbox mode when no value is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_value: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ScenarioInfo {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub expected_outcome: Outcome,
}

// ---------------------------------------------------------------------------------------------
// The canonical profile: what the company knows of the user, before any provider's formats.
// ---------------------------------------------------------------------------------------------

/// A user's KYC record in canonical form. Adapters convert to their provider's formats.
/// Countries are ISO 3166-1 alpha-2 (`US`), dates `YYYY-MM-DD`, timestamps RFC 3339 UTC,
/// enumerations lower_snake_case.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The company's own id for the user; providers store it for correlation.
    pub ref_id: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: String,
    pub email: String,
    /// E.164 (`+15556781234`).
    pub phone: String,
    pub nationality: String,
    pub address: Address,
    pub tax_id: TaxId,
    pub document: Document,
    pub idv: Idv,
    pub due_diligence: DueDiligence,
    pub order: OrderRequest,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    #[serde(default)]
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct TaxId {
    pub number: String,
    /// `ssn`, `itin`, `tin`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub country: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// `passport`, `id_card`, `driving_license`, `residence_permit`, `visa`.
    #[serde(rename = "type")]
    pub kind: String,
    pub number: String,
    pub country: String,
    /// Base64 of the front image. In a profile file: a path relative to the file, which the
    /// host reads and encodes before the profile reaches a plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_image: Option<String>,
}

/// The identity verification the company already ran.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Idv {
    /// `jumio`, `sumsub`, `persona`, `onfido`, ...
    pub provider: String,
    /// The record's id at the IDV provider (a Sumsub applicant id for Sumsub).
    pub verification_id: String,
    pub verified_at: String,
    /// `approved` or `denied`.
    pub status: String,
    /// `full_legal_name`, `date_of_birth`, `address`, `cip_id`, `liveness`.
    #[serde(default)]
    pub fields: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct DueDiligence {
    /// `under_50k`, `50k_to_100k`, `100k_to_250k`, `250k_to_500k`, `500k_to_1m`, `over_1m`.
    pub estimated_yearly_income: String,
    /// `under_25k`, `25k_to_50k`, `50k_to_100k`, `100k_to_250k`, `over_250k`.
    pub expected_transfer_value: String,
    /// `employment_income`, `investments`, `inheritance`, `business_income`, `savings`, ...
    pub source_of_wealth: String,
    /// `full_time`, `part_time`, `self_employed`, `unemployed`, `retired`, `student`.
    pub employment_status: String,
    /// `arts_entertainment_recreation`, `finance_insurance`, `information_technology`, ...
    pub industry: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// `BTC`, `ETH`, `USDC`.
    pub asset: String,
    /// Decimal string in `currency` (`"250.00"`).
    pub amount: String,
    /// ISO 4217 (`USD`, `EUR`).
    pub currency: String,
    pub wallet_address: String,
    /// Chain for token deliveries (`ethereum`, `base-sepolia`, `tron`); optional.
    #[serde(default)]
    pub network: String,
}

// ---------------------------------------------------------------------------------------------
// HTTP as plain data
// ---------------------------------------------------------------------------------------------

/// A request an adapter wants sent. The host resolves `endpoint` to a base URL (the fake's on
/// loopback in sandbox mode, the manifest's live URL otherwise) and appends `path`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct HttpRequest {
    pub endpoint: String,
    pub method: String,
    /// Path with query, starting with `/`.
    pub path: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The provider-defined idempotency key this request carries, if any. The host retries a
    /// non-idempotent method only when this is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// True when the body carries KYC data (live mode asks the operator before the first one).
    #[serde(default)]
    pub carries_kyc: bool,
    /// The adapter vouches that sending this request twice does no harm although it is a POST
    /// without an idempotency key (an OAuth token request, a login). The host then retries it
    /// after a 5xx, a reset or a timeout (protocol 1.1).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retry_safe: bool,
    /// The request carries a credential that is good only this long after the adapter built it
    /// (a TOTP code, a signed timestamp). The host sends it again only within that time; after
    /// that it hands the last answer (a 429, a 5xx) to the adapter, which builds a fresh one,
    /// and a transport failure ends the stage, saying the request was not sent again
    /// (protocol 2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_for_ms: Option<u64>,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// A response, as the host received it (to the adapter) or as the fake answers (to the host).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct HttpResponse {
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// What the fake is asked to answer: the request as it arrived on loopback, the endpoint
/// prefix and the host's routing stripped.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct FakeRequest {
    pub endpoint: String,
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string without `?` (may be empty).
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
}

impl FakeRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
    /// Path and query as a client wrote it (`/x?a=b`).
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }
}

pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

// ---------------------------------------------------------------------------------------------
// Adapter messages
// ---------------------------------------------------------------------------------------------

/// Given to the adapter when the host creates it for one journey.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AdapterInit {
    pub journey_id: String,
    pub mode: Mode,
    pub profile: Profile,
    /// Every setting the manifest declares, by name.
    pub settings: BTreeMap<String, String>,
    pub now_ms: i64,
}

/// What the host asks of the adapter.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum AdapterCall {
    /// Start (or, for a polling stage, poll again) `stage`. `poll` counts from 0.
    Begin {
        stage: Stage,
        poll: u32,
        now_ms: i64,
    },
    /// The answer to the request the adapter asked for last.
    Response {
        stage: Stage,
        now_ms: i64,
        response: HttpResponse,
    },
}

/// The adapter's answer: send this request, or the stage is over.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Send { request: HttpRequest },
    Finish { result: StageResult },
}

/// The adapter's reply to one call, with what it wants logged and redacted.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AdapterReply {
    pub step: Step,
    /// Values learnt from responses that must be redacted wherever they appear (tokens).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<String>,
    /// Log lines for the host's log file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogLine>,
}

/// What happens after a stage.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Next {
    /// The stage is done; go on to the next one.
    Continue,
    /// The stage does not exist at this provider (or in this mode); go on.
    Skipped,
    /// Not final yet: the host waits (backoff, Retry-After) and begins the stage again.
    Poll,
    /// The journey ends here with this outcome.
    Finish(Outcome),
}

/// The result of a stage.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct StageResult {
    pub next: Next,
    /// One line for the operator (`identity 1f2e… is APPROVED`).
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kyc_status: Option<KycStatus>,
    /// The provider's own word for the state (`PENDING`, `awaiting-payment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// For `Poll`: the provider asked to wait this long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// What the operator can do next, for action_required and rejected endings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

impl StageResult {
    fn new(next: Next, message: impl Into<String>) -> Self {
        StageResult {
            next,
            message: message.into(),
            kyc_status: None,
            provider_status: None,
            order_id: None,
            retry_after_ms: None,
            next_step: None,
        }
    }
    /// The stage is done; the journey goes on.
    pub fn done(message: impl Into<String>) -> Self {
        Self::new(Next::Continue, message)
    }
    /// The stage does not apply; `reason` says why.
    pub fn skipped(reason: impl Into<String>) -> Self {
        Self::new(Next::Skipped, reason)
    }
    /// Not final yet; the host polls again.
    pub fn poll(message: impl Into<String>) -> Self {
        Self::new(Next::Poll, message)
    }
    /// The journey ends with `outcome`.
    pub fn finish(outcome: Outcome, message: impl Into<String>) -> Self {
        Self::new(Next::Finish(outcome), message)
    }
    /// The journey ends `failed`: the provider answered something the adapter cannot use.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::finish(Outcome::Failed, message)
    }
    pub fn kyc(mut self, status: KycStatus) -> Self {
        self.kyc_status = Some(status);
        self
    }
    pub fn provider_status(mut self, status: impl Into<String>) -> Self {
        self.provider_status = Some(status.into());
        self
    }
    pub fn order_id(mut self, id: impl Into<String>) -> Self {
        self.order_id = Some(id.into());
        self
    }
    pub fn retry_after_ms(mut self, ms: u64) -> Self {
        self.retry_after_ms = Some(ms);
        self
    }
    pub fn next_step(mut self, text: impl Into<String>) -> Self {
        self.next_step = Some(text.into());
        self
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LogLine {
    pub level: LogLevel,
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// Fake messages
// ---------------------------------------------------------------------------------------------

/// What the host asks of the fake: answer this request, at this time, playing this scenario.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FakeCall {
    pub request: FakeRequest,
    pub now_ms: i64,
    pub scenario: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FakeReply {
    pub response: HttpResponse,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogLine>,
    /// What the fake did that the host audits (protocol 1.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<FakeNote>,
}

/// A fact the fake reports about its sandbox, so the host can audit a run without knowing the
/// provider: e.g. `{kind: "order_created", user: "<ref_id>", id: "<order id>"}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FakeNote {
    pub kind: String,
    /// The user the fact is about (the profile's ref_id, or the provider's user id).
    pub user: String,
    pub id: String,
}

impl FakeNote {
    /// The fake created a new order (not a replay of a stored idempotent answer).
    pub fn order_created(user: impl Into<String>, id: impl Into<String>) -> FakeNote {
        FakeNote {
            kind: "order_created".into(),
            user: user.into(),
            id: id.into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// An error the plugin reports instead of a result.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PluginError {
    pub kind: PluginErrorKind,
    pub message: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PluginErrorKind {
    /// The input (profile, settings, response) cannot be used; the message says which field.
    Invalid,
    /// The plugin panicked; the instance is poisoned and refuses further calls.
    Panic,
    /// The host sent a message the plugin does not understand.
    Protocol,
    /// Anything else.
    Other,
}

impl PluginError {
    pub fn invalid(message: impl Into<String>) -> Self {
        PluginError {
            kind: PluginErrorKind::Invalid,
            message: message.into(),
        }
    }
    pub fn other(message: impl Into<String>) -> Self {
        PluginError {
            kind: PluginErrorKind::Other,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PluginError {}

/// The envelope of every reply that crosses the boundary.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Envelope<T> {
    Ok(T),
    Err(PluginError),
}

impl<T> Envelope<T> {
    pub fn into_result(self) -> Result<T, PluginError> {
        match self {
            Envelope::Ok(v) => Ok(v),
            Envelope::Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Serialize + for<'a> Deserialize<'a> + PartialEq + std::fmt::Debug>(
        v: T,
    ) -> String {
        let s = serde_json::to_string(&v).unwrap();
        let back: T = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v, "{s}");
        // The same shapes in the boundary's own encoding.
        let bytes = crate::codec::encode(&v).unwrap();
        assert_eq!(crate::codec::decode::<T>(&bytes).unwrap(), v, "{s}");
        s
    }

    #[test]
    fn messages_keep_their_documented_shape() {
        let s = round_trip(AdapterReply {
            step: Step::Finish {
                result: StageResult::finish(Outcome::Rejected, "denied")
                    .kyc(KycStatus::Rejected)
                    .provider_status("DENIED"),
            },
            sensitive: vec!["tok".into()],
            logs: vec![],
        });
        assert!(
            s.starts_with(r#"{"step":{"finish":{"result":{"next":{"finish":"rejected"}"#),
            "{s}"
        );
        round_trip(AdapterReply {
            step: Step::Finish {
                result: StageResult::poll("wait").retry_after_ms(5),
            },
            sensitive: vec![],
            logs: vec![],
        });
        round_trip(AdapterReply {
            step: Step::Send {
                request: HttpRequest::get("api", "/x"),
            },
            sensitive: vec![],
            logs: vec![LogLine {
                level: LogLevel::Info,
                message: "m".into(),
            }],
        });
        round_trip(Envelope::<()>::Err(PluginError::invalid("x")));
        let s = round_trip(AdapterCall::Begin {
            stage: Stage::AwaitKyc,
            poll: 2,
            now_ms: 5,
        });
        assert_eq!(s, r#"{"begin":{"stage":"await_kyc","poll":2,"now_ms":5}}"#);
        let s = round_trip(StageResult::poll("wait"));
        assert_eq!(s, r#"{"next":"poll","message":"wait"}"#);
    }
}
