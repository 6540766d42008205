//! Kriptomat's sandbox and the piece of Sumsub it relies on, as one fake with two endpoints:
//! `api` (Kriptomat: login with TOTP, partner users, kyc-import, buy, transactions) and
//! `sumsub` (the signed share-token call). Share tokens minted by the Sumsub half are redeemed by
//! the Kriptomat half, once, before they expire.

mod api;
mod sumsub;

use rampsim_plugin_sdk::{Fake, FakeNote, FakeRequest, HttpResponse};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

// The credentials the sandbox accepts (the manifest's sandbox values).
pub const SANDBOX_EMAIL: &str = "partner@rampsim.test";
pub const SANDBOX_PASSWORD: &str = "rampsim-sandbox-password";
pub const SANDBOX_CLIENT_ID: &str = "5";
pub const SANDBOX_CLIENT_SECRET: &str = "rampsim-sandbox-client-secret";
/// Base32 TOTP secret of the sandbox partner account.
pub const SANDBOX_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
pub const SANDBOX_SUMSUB_APP_TOKEN: &str = "sbx:rampsim-sandbox-app-token";
pub const SANDBOX_SUMSUB_SECRET_KEY: &str = "rampsim-sandbox-sumsub-secret";
/// Kriptomat's client id at Sumsub, the only partner share tokens may be made for.
pub const SANDBOX_FOR_CLIENT_ID: &str = "KriptomatSandbox";

/// Bearer sessions last 60 minutes (Kriptomat docs).
pub const SESSION_MS: i64 = 60 * 60_000;
/// Sumsub refuses requests whose X-App-Access-Ts is further than this from now.
pub const TS_WINDOW_SECS: i64 = 300;
/// Share-token lifetime when the request gives no ttlInSecs.
pub const SHARE_TOKEN_TTL_SECS: i64 = 1200;
/// How long an imported user stays `pending` before the scenario's decision.
pub const REVIEW_MS: i64 = 10_000;
/// The same for `pending_then_passed`.
pub const SLOW_REVIEW_MS: i64 = 15 * 60_000;
/// How long a buy transaction stays PENDING.
pub const TX_PENDING_MS: i64 = 30_000;
/// Requests larger than this are refused before any parsing.
pub const MAX_BODY: usize = 64 * 1024;

/// The decision path a scenario plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Passed,
    PendingThenPassed,
    Declined,
    Failed,
    EddRequired,
    KycNotStarted,
    OrderError,
}

impl Scenario {
    /// Unknown names play the default (happy) path.
    pub fn parse(name: &str) -> Scenario {
        match name {
            "pending_then_passed" => Scenario::PendingThenPassed,
            "declined" => Scenario::Declined,
            "failed" => Scenario::Failed,
            "edd_required" => Scenario::EddRequired,
            "kyc_not_started" => Scenario::KycNotStarted,
            "order_error" => Scenario::OrderError,
            _ => Scenario::Passed,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: u64,
    /// The fields as created (email, name, ..., country).
    pub fields: Map<String, Value>,
    pub imported_at_ms: Option<i64>,
    /// The Sumsub applicant whose KYC was imported.
    pub applicant_id: Option<String>,
}

impl User {
    /// `(kyc_status, edd_status)` at `now_ms` under `scenario`. `edd_status` is empty when no
    /// EDD is asked for, as in the seed's example.
    pub fn kyc(&self, scenario: Scenario, now_ms: i64) -> (&'static str, &'static str) {
        let Some(at) = self.imported_at_ms else {
            return ("not_started", "");
        };
        if scenario == Scenario::KycNotStarted {
            return ("not_started", "");
        }
        let review = if scenario == Scenario::PendingThenPassed {
            SLOW_REVIEW_MS
        } else {
            REVIEW_MS
        };
        if now_ms < at + review {
            return ("pending", "");
        }
        match scenario {
            Scenario::Declined => ("declined", ""),
            Scenario::Failed => ("failed", ""),
            Scenario::EddRequired => ("passed", "required"),
            _ => ("passed", ""),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ShareToken {
    pub applicant_id: String,
    pub for_client_id: String,
    pub expires_ms: i64,
    pub used: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub id: u64,
    pub user_id: u64,
    pub amount: String,
    pub pair: String,
    pub created_ms: i64,
}

/// One sandbox: its sessions, users, share tokens, buys.
#[derive(Debug, Default)]
pub struct KriptomatFake {
    seq: u64,
    pub(crate) sessions: HashMap<String, i64>,
    pub(crate) users: BTreeMap<u64, User>,
    pub(crate) share_tokens: HashMap<String, ShareToken>,
    /// idempotency_key -> (fingerprint of user, amount and pair; transaction id)
    pub(crate) buys: HashMap<String, (String, u64)>,
    pub(crate) transactions: BTreeMap<u64, Transaction>,
    /// One `order_created` per buy really executed (not an idempotent replay), for the host.
    pub(crate) notes: Vec<FakeNote>,
}

impl KriptomatFake {
    fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A deterministic UUID-shaped string.
    pub(crate) fn next_uuid(&mut self) -> String {
        let n = self.next();
        format!(
            "{:08x}-0000-4000-8000-{:012x}",
            0x5a4d_0000u32 + (n as u32 & 0xffff),
            n
        )
    }

    pub(crate) fn next_id(&mut self, base: u64) -> u64 {
        base + self.next()
    }

    /// How many partner users the sandbox holds.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// How many buy transactions the sandbox holds.
    pub fn transaction_count(&self) -> usize {
        self.transactions.len()
    }

    /// Ends every bearer session now, as a server-side logout or restart would.
    pub fn revoke_sessions(&mut self) {
        self.sessions.clear();
    }
}

impl Fake for KriptomatFake {
    fn new() -> Self {
        KriptomatFake::default()
    }

    fn handle(&mut self, request: &FakeRequest, now_ms: i64, scenario: &str) -> HttpResponse {
        let scenario = Scenario::parse(scenario);
        match request.endpoint.as_str() {
            "sumsub" => self.sumsub(request, now_ms),
            "api" => self.api(request, now_ms, scenario),
            _ => kriptomat_error(404, "Not found."),
        }
    }

    fn take_notes(&mut self) -> Vec<FakeNote> {
        std::mem::take(&mut self.notes)
    }
}

/// `{status: true, data}`.
pub(crate) fn ok(status: u16, data: Value) -> HttpResponse {
    HttpResponse::json(status, &json!({ "status": true, "data": data }))
}

/// `{status: false, message}` (assumed wrapper for errors).
pub(crate) fn kriptomat_error(status: u16, message: &str) -> HttpResponse {
    HttpResponse::json(status, &json!({ "status": false, "message": message }))
}

/// 422 with Laravel-style per-field messages inside the `{status: false}` wrapper.
pub(crate) fn invalid_fields(errors: &[(&str, String)]) -> HttpResponse {
    let mut map = Map::new();
    for (field, msg) in errors {
        let entry = map
            .entry(field.to_string())
            .or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(a) = entry {
            a.push(Value::String(msg.clone()));
        }
    }
    HttpResponse::json(
        422,
        &json!({ "status": false, "message": "The given data was invalid.", "errors": map }),
    )
}
