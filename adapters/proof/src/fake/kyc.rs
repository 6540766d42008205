//! Users and their KYC as the widget leaves it: the sandbox-only call that plays a user's
//! widget session (document upload, then liveness) with the scenario's result, and kyc-status.

use super::{
    error, invalid, ProofFake, FAILED, FAILED_REVIEW_MS, KYC_REQUIRED, PENDING_THEN_VERIFIED,
    REVIEW_MS,
};
use crate::convert::{is_partner_user_id, DOCUMENT_TYPES};
use rampsim_plugin_sdk::time::rfc3339_seconds_from_ms;
use rampsim_plugin_sdk::{FakeRequest, HttpResponse};
use serde_json::{json, Value};

#[derive(Clone, Copy)]
enum Kyc {
    NotStarted,
    /// Submitted at `at_ms`; the decision lands at `decided_ms`.
    Submitted {
        decided_ms: i64,
        verified: bool,
    },
}

pub(super) struct User {
    kyc: Kyc,
}

impl User {
    pub(super) fn new() -> User {
        User {
            kyc: Kyc::NotStarted,
        }
    }

    /// The seed's status word and `verified_at`.
    pub(super) fn status(&self, now_ms: i64) -> (&'static str, Option<String>) {
        match self.kyc {
            Kyc::NotStarted => ("not_started", None),
            Kyc::Submitted { decided_ms, .. } if now_ms < decided_ms => ("pending", None),
            Kyc::Submitted {
                decided_ms,
                verified: true,
            } => ("verified", Some(rfc3339_seconds_from_ms(decided_ms))),
            Kyc::Submitted {
                verified: false, ..
            } => ("failed", None),
        }
    }
}

pub(super) fn not_found_user(id: &str) -> HttpResponse {
    error(
        404,
        "not_found",
        "user_not_found",
        format!("No KYC profile for partner_user_id {id}"),
    )
}

pub(super) fn bad_user_id() -> HttpResponse {
    invalid(
        "invalid_partner_user_id",
        "partner_user_id must be 1-128 characters of A-Z a-z 0-9 . _ -",
    )
}

impl ProofFake {
    pub(super) fn kyc_status(&self, id: &str, now_ms: i64) -> HttpResponse {
        if !is_partner_user_id(id) {
            return bad_user_id();
        }
        let Some(user) = self.users.get(id) else {
            return not_found_user(id);
        };
        let (status, verified_at) = user.status(now_ms);
        HttpResponse::json(
            200,
            &json!({ "partner_user_id": id, "status": status, "verified_at": verified_at }),
        )
    }

    /// SANDBOX ONLY (no such call in the real API): what the user does inside the widget. Opening
    /// the widget makes the user known; a submission starts the review; a user who is pending
    /// or verified is not replayed (returning users skip KYC).
    pub(super) fn play_widget_kyc(
        &mut self,
        id: &str,
        req: &FakeRequest,
        now_ms: i64,
        scenario: &str,
    ) -> HttpResponse {
        if !is_partner_user_id(id) {
            return bad_user_id();
        }
        let body = if req.body.trim().is_empty() {
            json!({})
        } else {
            match serde_json::from_str::<Value>(&req.body) {
                Ok(v @ Value::Object(_)) => v,
                _ => return invalid("invalid_json", "The request body must be a JSON object"),
            }
        };
        let document = match body.get("document_type") {
            None | Some(Value::Null) => "passport",
            Some(Value::String(d)) if DOCUMENT_TYPES.contains(&d.as_str()) => DOCUMENT_TYPES
                .iter()
                .copied()
                .find(|t| t == d)
                .unwrap_or("passport"),
            Some(_) => {
                return invalid(
                    "invalid_document_type",
                    format!("document_type must be one of {}", DOCUMENT_TYPES.join(", ")),
                )
            }
        };
        let user = self.users.entry(id.to_string()).or_insert_with(User::new);
        let (before, _) = user.status(now_ms);
        let mut steps = Vec::new();
        if matches!(before, "not_started" | "failed") {
            let liveness = if scenario == KYC_REQUIRED {
                "abandoned"
            } else {
                "completed"
            };
            steps.push(json!({ "step": "document_upload", "document_type": document, "result": "completed" }));
            steps.push(json!({ "step": "liveness", "result": liveness }));
            if liveness == "completed" {
                let (review, verified) = match scenario {
                    PENDING_THEN_VERIFIED => (REVIEW_MS, true),
                    FAILED => (FAILED_REVIEW_MS, false),
                    _ => (0, true),
                };
                user.kyc = Kyc::Submitted {
                    decided_ms: now_ms + review,
                    verified,
                };
            }
        }
        let (status, _) = user.status(now_ms);
        HttpResponse::json(
            200,
            &json!({
                "partner_user_id": id,
                "sandbox": true,
                "steps": steps,
                "submitted": status != "not_started",
                "status": status,
            }),
        )
    }

    pub(super) fn is_verified(&self, id: &str, now_ms: i64) -> bool {
        self.users
            .get(id)
            .is_some_and(|u| u.status(now_ms).0 == "verified")
    }

    /// A session request references the user: from then on Proof knows them (not_started).
    pub(super) fn know(&mut self, id: &str) {
        self.users.entry(id.to_string()).or_insert_with(User::new);
    }
}
