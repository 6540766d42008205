//! HAR 1.2 (<http://www.softwareishard.com/blog/har-12-spec/>) as serde structs, with rampsim's
//! custom fields (`_`-prefixed, which the spec allows): `_stage`, `_exchange`, `_attempt`,
//! `_endpoint`, `_error` on entries; `_redacted` and `_rampsim` (the journey's inputs, events and
//! outcome) on the log.
//!
//! Why not the `har` crate: its 0.9 structs have no room for custom fields (they would be
//! dropped on a round trip, and replay needs `_rampsim`), and it needs Rust 1.88 (edition 2024)
//! where this workspace promises 1.85.

use rampsim_plugin_sdk::wire::{Mode, Stage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The HAR version written.
pub const HAR_VERSION: &str = "1.2";
/// The version of the `_rampsim` object.
pub const RAMPSIM_FORMAT: u32 = 1;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Har {
    pub log: Log,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    pub version: String,
    pub creator: Creator,
    pub entries: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// False when the file carries real secrets and KYC values.
    #[serde(rename = "_redacted")]
    pub redacted: bool,
    #[serde(rename = "_rampsim")]
    pub rampsim: Rampsim,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Creator {
    pub name: String,
    pub version: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub started_date_time: String,
    /// Milliseconds: the sum of the timings that are not -1.
    pub time: f64,
    pub request: Request,
    pub response: Response,
    pub cache: Cache,
    pub timings: Timings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The canonical stage the exchange belongs to.
    #[serde(rename = "_stage")]
    pub stage: Stage,
    /// The journey's exchange number (1, 2, ...), as in the events.
    #[serde(rename = "_exchange")]
    pub exchange: u64,
    /// 1 for the first try, 2.. for retries.
    #[serde(rename = "_attempt")]
    pub attempt: u32,
    /// The manifest endpoint the adapter named (`oauth`, `api`).
    #[serde(rename = "_endpoint")]
    pub endpoint: String,
    /// Why there is no response (the transport failed); the response then has status 0.
    #[serde(rename = "_error", default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub method: String,
    pub url: String,
    pub http_version: String,
    pub cookies: Vec<NameValue>,
    pub headers: Vec<NameValue>,
    pub query_string: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
    /// -1: not known (the host does not see the serialized headers).
    pub headers_size: i64,
    pub body_size: i64,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    pub mime_type: String,
    pub text: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    pub status: u16,
    pub status_text: String,
    pub http_version: String,
    pub cookies: Vec<NameValue>,
    pub headers: Vec<NameValue>,
    pub content: Content,
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    pub headers_size: i64,
    pub body_size: i64,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    pub size: i64,
    pub mime_type: String,
    pub text: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct Cache {}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Timings {
    pub blocked: f64,
    pub dns: f64,
    pub connect: f64,
    pub send: f64,
    pub wait: f64,
    pub receive: f64,
    pub ssl: f64,
}

impl Timings {
    /// What the host measures: the whole exchange, from handing the request to the HTTP client
    /// to the last byte of the body, counted as `wait`.
    pub fn waited(ms: f64) -> Timings {
        Timings {
            blocked: -1.0,
            dns: -1.0,
            connect: -1.0,
            send: 0.0,
            wait: ms.max(0.0),
            receive: 0.0,
            ssl: -1.0,
        }
    }
}

/// The journey behind the entries: enough to replay it, and what happened.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Rampsim {
    pub format: u32,
    pub journey_id: String,
    pub provider: String,
    pub provider_version: String,
    /// The fake's scenario (sandbox mode).
    pub scenario: Option<String>,
    pub mode: Mode,
    /// `virtual` or `real`.
    pub clock: String,
    pub profile: ProfileInput,
    /// The stages run, in order (a stage the operator re-ran appears again).
    pub stages: Vec<Stage>,
    /// Every event as `rampsim run --json` prints it (headers and bodies are in the entries).
    pub events: Vec<Value>,
    /// The last `journey_finished` event, if the journey finished.
    pub outcome: Option<Value>,
    pub saved_at: String,
    /// Unredacted files only: the secrets in them, so that `export curl` can redact them again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Vec<String>>,
}

/// Which profile the journey used. A redacted transcript cannot carry the real profile, so
/// replay finds it again by `reference` in the current config (or `--profile`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ProfileInput {
    pub name: String,
    /// `config` (a `[profiles.NAME]` table), `file` (a profile file), or `given` (built by the
    /// caller, e.g. a batch run's generated user; replay needs `--profile`).
    pub source: String,
    /// What `--profile` takes to find it again: the name, or the file's absolute path.
    pub reference: Option<String>,
    /// The profile: masked in a redacted file, real in an unredacted one.
    pub data: Value,
}
