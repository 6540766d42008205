//! The Proof widget API as a pure function of (state, request, time, scenario): routing,
//! bearer client-token auth, and `{error, code, message}` errors.

mod kyc;
mod session;

pub use session::{session_signature, SIGNING_KEY};

use crate::SANDBOX_CLIENT_TOKEN;
use rampsim_plugin_sdk::{Fake, FakeNote, FakeRequest, HttpResponse};
use serde_json::json;
use std::collections::HashMap;

pub const VERIFIED: &str = "verified";
pub const PENDING_THEN_VERIFIED: &str = "pending_then_verified";
pub const FAILED: &str = "failed";
pub const KYC_REQUIRED: &str = "kyc_required";
pub const TRANSACTION_FAILED: &str = "transaction_failed";

/// How long KYC stays pending in pending_then_verified (the seed: "a few minutes").
pub const REVIEW_MS: i64 = 5 * 60_000;
/// How long KYC stays pending before failing in `failed`.
pub const FAILED_REVIEW_MS: i64 = 60_000;
/// A transaction is pending until this age, processing until [`SETTLE_MS`], then final.
pub const PENDING_MS: i64 = 10_000;
pub const SETTLE_MS: i64 = 40_000;

/// The seed's 422 message for a session requested by a user who cannot transact yet.
pub const KYC_REQUIRED_MESSAGE: &str = "User must complete KYC verification before transacting";

const MAX_BODY: usize = 1024 * 1024;

#[derive(Default)]
pub struct ProofFake {
    users: HashMap<String, kyc::User>,
    transactions: HashMap<String, session::Transaction>,
    seq: u64,
    /// One `order_created` per transaction really created, for the host's audit.
    notes: Vec<FakeNote>,
}

/// `{error, code, message}` (PROVIDERS.md; the `error`/`code` split is ASSUMED: a category and a
/// specific code).
pub fn error(status: u16, error: &str, code: &str, message: impl Into<String>) -> HttpResponse {
    HttpResponse::json(
        status,
        &json!({ "error": error, "code": code, "message": message.into() }),
    )
}

pub(crate) fn invalid(code: &str, message: impl Into<String>) -> HttpResponse {
    error(400, "invalid_request", code, message)
}

enum Route<'a> {
    KycStatus(&'a str),
    SandboxKycSession(&'a str),
    Session,
    Transaction(&'a str),
}

fn route<'a>(segments: &[&'a str]) -> Option<Route<'a>> {
    match segments {
        ["widget", "users", id, "kyc-status"] => Some(Route::KycStatus(id)),
        ["widget", "sandbox", "users", id, "kyc-session"] => Some(Route::SandboxKycSession(id)),
        ["widget", "session"] => Some(Route::Session),
        ["widget", "transactions", id] => Some(Route::Transaction(id)),
        _ => None,
    }
}

impl Fake for ProofFake {
    fn new() -> Self {
        ProofFake::default()
    }

    fn handle(&mut self, req: &FakeRequest, now_ms: i64, scenario: &str) -> HttpResponse {
        let segments = req.segments();
        let Some(route) = route(&segments) else {
            return error(
                404,
                "not_found",
                "route_not_found",
                format!("No route for {} {}", req.method, req.path),
            );
        };
        let method = req.method.to_ascii_uppercase();
        let allowed = match route {
            Route::KycStatus(_) | Route::Transaction(_) => "GET",
            Route::SandboxKycSession(_) | Route::Session => "POST",
        };
        if method != allowed {
            return error(
                405,
                "method_not_allowed",
                "method_not_allowed",
                format!(
                    "{} is not allowed on {} (use {allowed})",
                    req.method, req.path
                ),
            );
        }
        match req.bearer() {
            None => {
                return error(
                    401,
                    "unauthorized",
                    "missing_token",
                    "Authorization: Bearer <client_token> is required",
                )
            }
            Some(t) if t != SANDBOX_CLIENT_TOKEN => {
                return error(
                    401,
                    "unauthorized",
                    "invalid_token",
                    "The client token is not valid",
                )
            }
            Some(_) => {}
        }
        if req.body.len() > MAX_BODY {
            return error(
                413,
                "invalid_request",
                "body_too_large",
                "The request body is too large",
            );
        }
        match route {
            Route::KycStatus(id) => self.kyc_status(id, now_ms),
            Route::SandboxKycSession(id) => self.play_widget_kyc(id, req, now_ms, scenario),
            Route::Session => self.create_session(req, now_ms, scenario),
            Route::Transaction(id) => self.transaction(id, now_ms),
        }
    }

    fn take_notes(&mut self) -> Vec<FakeNote> {
        std::mem::take(&mut self.notes)
    }
}
