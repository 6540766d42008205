//! The fake: Acme's sandbox as a pure function of (state, request, time, scenario). The host
//! serves it on loopback, one instance per journey, so `rampsim run` works with no account and
//! no network. CHANGE: all of it, to answer as your provider's sandbox does (paths, auth,
//! validation and error bodies, statuses that move with time).
//!
//! Sans-IO like the adapter: time is `now_ms` (the host's clock, virtual in tests), ids are
//! counters, and nothing here may panic on what a request contains.

use crate::{SANDBOX_API_KEY, SCENARIO_REJECTED};
use rampsim_plugin_sdk::{Fake, FakeNote, FakeRequest, HttpResponse};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// CHANGE: how long the review takes in sandbox time (the virtual clock skips the wait).
pub const REVIEW_MS: i64 = 2 * 60 * 1000;

struct User {
    external_id: String,
    /// When the IDV result arrived; the decision comes `REVIEW_MS` later.
    verified_at_ms: Option<i64>,
}

/// CHANGE: your sandbox's state for one journey.
#[derive(Default)]
pub struct AcmeFake {
    users: BTreeMap<String, User>,
    /// Orders by idempotency key: the request body and the stored answer.
    orders: BTreeMap<String, (Value, HttpResponse)>,
    next_id: u32,
    /// Orders created since the host last asked (for its audit of batch runs).
    notes: Vec<FakeNote>,
}

/// Acme's error body. CHANGE: your provider's shape, exactly.
fn error(status: u16, code: &str, message: impl Into<String>) -> HttpResponse {
    HttpResponse::json(
        status,
        &json!({"error": {"code": code, "message": message.into()}}),
    )
}

impl AcmeFake {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{:04}", self.next_id)
    }

    fn create_user(&mut self, body: &Value) -> HttpResponse {
        for field in ["first_name", "last_name", "email", "country"] {
            if body[field].as_str().is_none_or(|v| v.trim().is_empty()) {
                return error(400, "invalid_request", format!("`{field}` is required"));
            }
        }
        let id = self.id("usr");
        let user = User {
            external_id: body["external_id"].as_str().unwrap_or_default().to_string(),
            verified_at_ms: None,
        };
        self.users.insert(id.clone(), user);
        HttpResponse::json(201, &json!({"id": id, "kyc_status": "not_started"}))
    }

    fn verify(&mut self, id: &str, body: &Value, now_ms: i64) -> HttpResponse {
        let Some(user) = self.users.get_mut(id) else {
            return error(404, "user_not_found", format!("no user `{id}`"));
        };
        for field in ["provider", "verification_id"] {
            if body[field].as_str().is_none_or(|v| v.trim().is_empty()) {
                return error(400, "invalid_request", format!("`{field}` is required"));
            }
        }
        user.verified_at_ms.get_or_insert(now_ms);
        HttpResponse::json(202, &json!({"id": id, "status": "received"}))
    }

    fn kyc_status(&self, user: &User, now_ms: i64, scenario: &str) -> &'static str {
        match user.verified_at_ms {
            None => "not_started",
            Some(at) if now_ms < at + REVIEW_MS => "pending",
            // CHANGE: the scenario decides the decision.
            Some(_) if scenario == SCENARIO_REJECTED => "rejected",
            Some(_) => "approved",
        }
    }

    fn get_user(&self, id: &str, now_ms: i64, scenario: &str) -> HttpResponse {
        let Some(user) = self.users.get(id) else {
            return error(404, "user_not_found", format!("no user `{id}`"));
        };
        let status = self.kyc_status(user, now_ms, scenario);
        let response = HttpResponse::json(200, &json!({"id": id, "kyc_status": status}));
        if status == "pending" {
            // Acme says when to ask again; the adapter passes it on, the host honours it.
            response.with_header("Retry-After", "30")
        } else {
            response
        }
    }

    fn create_order(
        &mut self,
        request: &FakeRequest,
        body: Value,
        now_ms: i64,
        scenario: &str,
    ) -> HttpResponse {
        let Some(key) = request.header("idempotency-key").map(str::to_string) else {
            return error(
                400,
                "invalid_request",
                "the Idempotency-Key header is required",
            );
        };
        // Same key, same body: the stored answer. Same key, another body: a conflict.
        if let Some((stored_body, stored)) = self.orders.get(&key) {
            return if *stored_body == body {
                stored.clone()
            } else {
                error(
                    409,
                    "idempotency_conflict",
                    "this key was used with another body",
                )
            };
        }
        let user_id = body["user_id"].as_str().unwrap_or_default();
        let Some(user) = self.users.get(user_id) else {
            return error(404, "user_not_found", format!("no user `{user_id}`"));
        };
        if self.kyc_status(user, now_ms, scenario) != "approved" {
            return error(403, "kyc_not_approved", "the user's KYC is not approved");
        }
        let amount_ok = body["amount"].as_str().is_some_and(|a| {
            let (whole, cents) = a.split_once('.').unwrap_or((a, "00"));
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && cents.len() <= 2
                && cents.bytes().all(|b| b.is_ascii_digit())
        });
        if !amount_ok {
            return error(
                400,
                "invalid_request",
                "`amount` must be a decimal string like \"100.00\"",
            );
        }
        let external_id = user.external_id.clone();
        let id = self.id("ord");
        let response = HttpResponse::json(
            201,
            &json!({"id": id, "status": "created", "user_id": user_id, "amount": body["amount"]}),
        );
        self.orders.insert(key, (body, response.clone()));
        self.notes.push(FakeNote::order_created(external_id, id));
        response
    }
}

impl Fake for AcmeFake {
    fn new() -> Self {
        AcmeFake::default()
    }

    fn handle(&mut self, request: &FakeRequest, now_ms: i64, scenario: &str) -> HttpResponse {
        let not_found = || {
            error(
                404,
                "not_found",
                format!("no route {} {}", request.method, request.path),
            )
        };
        // CHANGE: your endpoints (the manifest's names).
        if request.endpoint != "api" {
            return not_found();
        }
        // CHANGE: your provider's authentication and its refusal.
        if request.bearer() != Some(SANDBOX_API_KEY) {
            return error(401, "unauthorized", "missing or wrong API key");
        }
        // A body that is not JSON reaches the handlers as Null and fails their field checks.
        let body = request.json_body().unwrap_or(Value::Null);
        match (request.method.as_str(), request.segments().as_slice()) {
            ("POST", ["v1", "users"]) => self.create_user(&body),
            ("POST", ["v1", "users", id, "verifications"]) => self.verify(id, &body, now_ms),
            ("GET", ["v1", "users", id]) => self.get_user(id, now_ms, scenario),
            ("POST", ["v1", "orders"]) => self.create_order(request, body, now_ms, scenario),
            _ => not_found(),
        }
    }

    fn take_notes(&mut self) -> Vec<FakeNote> {
        std::mem::take(&mut self.notes)
    }
}
