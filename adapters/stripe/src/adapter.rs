//! The journey at Stripe's crypto onramp: create the crypto customer, attach L0+L1 KYC info,
//! wait until no tier is pending, create the onramp session. A purchase above the user's tier
//! comes back as a 400 naming the missing verification, which becomes action_required with the
//! tier and check to do next.

use crate::convert::{convert, Converted, Form};
use crate::reply::{self, text};
use crate::tiers::{any_pending, current_tier, parse_tiers, status_of, Tier, TierStatus};
use rampsim_plugin_sdk::http::encode_path_segment;
use rampsim_plugin_sdk::{
    Adapter, AdapterInit, Cx, HttpRequest, HttpResponse, KycStatus, LogLevel, Outcome, PluginError,
    Stage, StageResult, Step,
};
use serde_json::Value;

pub const CODE_MISSING_MINIMUM: &str = "crypto_onramp_missing_minimum_identity_verification";
pub const CODE_MISSING_IDENTITY: &str = "crypto_onramp_missing_identity_verification";
pub const CODE_MISSING_DOCUMENT: &str = "crypto_onramp_missing_document_verification";
/// Assumed code of the 400 Stripe gives while a verification is pending.
pub const CODE_VERIFICATION_PENDING: &str = "crypto_onramp_verification_pending";

pub const NEXT_L0: &str =
    "L0: the minimum identity information (name, phone, email and address) via attachKYCInfo";
pub const NEXT_L1: &str = "L1: date of birth, id number and id type via attachKYCInfo";
pub const NEXT_L2: &str = "L2: the document check (photo ID and selfie) via verifyIdentity";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    CreateCustomer,
    AttachKyc,
    GetCustomer,
    CreateSession,
}

impl Call {
    fn what(self) -> &'static str {
        match self {
            Call::CreateCustomer => "create crypto customer",
            Call::AttachKyc => "attach KYC info",
            Call::GetCustomer => "retrieve crypto customer",
            Call::CreateSession => "create onramp session",
        }
    }
}

/// Wait after a 429 that gives no Retry-After.
const RATE_LIMIT_WAIT_MS: u64 = 5_000;

#[derive(Debug)]
pub struct StripeAdapter {
    secret_key: String,
    /// The host's id of this journey: it scopes the keys of the customer and KYC POSTs, so a
    /// retry inside the journey replays and a new journey creates anew.
    journey_id: String,
    conv: Converted,
    customer_id: Option<String>,
    /// The current tier learnt in await_kyc, to word the next step of a limit error.
    current: Option<(Tier, TierStatus)>,
    waiting: Option<Call>,
}

fn finish(result: StageResult) -> Result<Step, PluginError> {
    Ok(Step::Finish { result })
}

fn answered(resp: &HttpResponse, call: Call, reason: &str) -> StageResult {
    StageResult::failed(format!(
        "Stripe answered {} to {}: {reason}",
        resp.status,
        call.what()
    ))
}

fn form_refs(form: &Form) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// "l0: rejected, l1: verified, l2: not_started", the provider's own words for the tiers.
fn tiers_word(customer: &Value) -> String {
    parse_tiers(customer)
        .map(|t| {
            Tier::ALL
                .iter()
                .map(|tier| format!("{}: {}", tier.as_str(), status_of(&t, *tier).as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

impl Adapter for StripeAdapter {
    fn new(init: AdapterInit) -> Result<Self, PluginError> {
        let secret_key = match init.settings.get("secret_key").map(|s| s.trim()) {
            Some(k) if !k.is_empty() => k.to_string(),
            _ => {
                return Err(PluginError::invalid(
                    "settings.secret_key: required (sk_test_... or sk_live_...)",
                ))
            }
        };
        Ok(StripeAdapter {
            secret_key,
            journey_id: init.journey_id.clone(),
            conv: convert(&init.profile)?,
            customer_id: None,
            current: None,
            waiting: None,
        })
    }

    fn begin(&mut self, stage: Stage, cx: &mut Cx) -> Result<Step, PluginError> {
        self.waiting = None;
        if stage != Stage::Register && self.customer_id.is_none() {
            return finish(StageResult::failed(
                "no Stripe crypto customer in this journey yet: run register first",
            ));
        }
        let call = match stage {
            Stage::Register => Call::CreateCustomer,
            Stage::IdvPassthrough => Call::AttachKyc,
            Stage::AwaitKyc => Call::GetCustomer,
            Stage::CreateOrder => {
                if let (0, Some(note)) = (cx.poll(), &self.conv.network_note) {
                    cx.log(LogLevel::Warn, note.clone());
                }
                Call::CreateSession
            }
        };
        self.waiting = Some(call);
        Ok(Step::Send {
            request: self.request(call),
        })
    }

    fn on_response(
        &mut self,
        _stage: Stage,
        resp: HttpResponse,
        cx: &mut Cx,
    ) -> Result<Step, PluginError> {
        let Some(call) = self.waiting.take() else {
            return finish(StageResult::failed(
                "a response arrived that the adapter did not ask for",
            ));
        };
        if resp.status == 429 {
            // Refused before being processed: begin the stage again after the wait.
            return finish(
                StageResult::poll(format!(
                    "Stripe is rate limiting (429 to {}); trying again",
                    call.what()
                ))
                .retry_after_ms(resp.retry_after_ms().unwrap_or(RATE_LIMIT_WAIT_MS)),
            );
        }
        finish(match call {
            Call::CreateCustomer => self.on_customer_created(&resp, cx),
            Call::AttachKyc => self.on_kyc_attached(&resp),
            Call::GetCustomer => self.on_customer(&resp),
            Call::CreateSession => self.on_session(&resp, cx),
        })
    }
}

impl StripeAdapter {
    fn customer_path(&self) -> String {
        format!(
            "/v1/crypto/customers/{}",
            encode_path_segment(self.customer_id.as_deref().unwrap_or_default())
        )
    }

    /// Stripe takes an Idempotency-Key on every POST, and the host retries a POST only with one.
    fn keyed(req: HttpRequest, key: String) -> HttpRequest {
        req.with_header("Idempotency-Key", key.clone())
            .idempotency_key(key)
    }

    fn request(&self, call: Call) -> HttpRequest {
        let req = |method: &str, path: String| {
            // Accept: the host then knows an HTML page answering it is a gateway's.
            HttpRequest::new("api", method, path)
                .bearer(&self.secret_key)
                .with_header("Accept", "application/json")
        };
        let (ref_id, journey) = (&self.conv.ref_id, &self.journey_id);
        match call {
            Call::CreateCustomer => Self::keyed(
                req("POST", "/v1/crypto/customers".into()).form(&form_refs(&self.conv.customer)),
                format!("{ref_id}-customer-{journey}"),
            ),
            Call::AttachKyc => Self::keyed(
                req("POST", format!("{}/kyc_info", self.customer_path()))
                    .form(&form_refs(&self.conv.kyc_info))
                    .carrying_kyc(),
                format!("{ref_id}-kyc-info-{journey}"),
            ),
            Call::GetCustomer => req("GET", self.customer_path()),
            Call::CreateSession => {
                let mut form = form_refs(&self.conv.session);
                form.insert(
                    0,
                    (
                        "crypto_customer_id",
                        self.customer_id.as_deref().unwrap_or_default(),
                    ),
                );
                Self::keyed(
                    req("POST", "/v1/crypto/onramp_sessions".into()).form(&form),
                    self.conv.idempotency_key.clone(),
                )
            }
        }
    }

    /// A crypto customer object, checked for its id and type.
    fn customer(resp: &HttpResponse, call: Call) -> Result<(String, Value), StageResult> {
        let obj = reply::object(resp).map_err(|r| answered(resp, call, &r))?;
        let Some(id) = text(&obj, "id") else {
            return Err(answered(resp, call, "no id"));
        };
        if obj
            .get("object")
            .and_then(Value::as_str)
            .is_some_and(|o| o != "crypto.customer")
        {
            return Err(answered(resp, call, "the object is not a crypto.customer"));
        }
        Ok((id.to_string(), obj))
    }

    fn on_customer_created(&mut self, resp: &HttpResponse, cx: &mut Cx) -> StageResult {
        match Self::customer(resp, Call::CreateCustomer) {
            Err(failed) => failed,
            Ok((id, _)) => {
                cx.log(
                    LogLevel::Info,
                    format!("created Stripe crypto customer {id}"),
                );
                self.customer_id = Some(id.clone());
                self.current = None;
                StageResult::done(format!("crypto customer {id} created"))
                    .kyc(KycStatus::NotStarted)
                    .provider_status("not_started")
            }
        }
    }

    fn on_kyc_attached(&mut self, resp: &HttpResponse) -> StageResult {
        match Self::customer(resp, Call::AttachKyc) {
            Err(failed) => failed,
            Ok((id, obj)) => {
                let mut r = StageResult::done(format!(
                    "L0 and L1 KYC info attached to {id}; Stripe verifies asynchronously"
                ));
                if let Ok(t) = parse_tiers(&obj) {
                    if any_pending(&t) {
                        r = r.kyc(KycStatus::Pending);
                    }
                    r = r.provider_status(tiers_word(&obj));
                }
                r
            }
        }
    }

    fn on_customer(&mut self, resp: &HttpResponse) -> StageResult {
        let (id, obj) = match Self::customer(resp, Call::GetCustomer) {
            Ok(v) => v,
            Err(failed) => return failed,
        };
        let tiers = match parse_tiers(&obj) {
            Ok(t) => t,
            Err(reason) => return answered(resp, Call::GetCustomer, &reason),
        };
        let word = tiers_word(&obj);
        self.current = current_tier(&tiers);
        if any_pending(&tiers) {
            let mut r = StageResult::poll(format!("{id}: verification pending ({word})"))
                .kyc(KycStatus::Pending)
                .provider_status(word);
            if let Some(ms) = resp.retry_after_ms() {
                r = r.retry_after_ms(ms);
            }
            return r;
        }
        match self.current {
            None => StageResult::finish(
                Outcome::ActionRequired,
                format!("{id}: no KYC tier started"),
            )
            .kyc(KycStatus::NotStarted)
            .provider_status(word)
            .next_step(NEXT_L0),
            Some((tier, TierStatus::Verified)) => {
                StageResult::done(format!("{id}: verified at {}", tier.label()))
                    .kyc(KycStatus::Approved)
                    .provider_status(word)
            }
            // A failed document check leaves a verified L1 user able to buy within L1 limits.
            Some((Tier::L2, TierStatus::Rejected))
                if status_of(&tiers, Tier::L1) == TierStatus::Verified =>
            {
                self.current = Some((Tier::L1, TierStatus::Verified));
                StageResult::done(format!("{id}: L2 document check rejected; verified at L1"))
                    .kyc(KycStatus::Approved)
                    .provider_status(word)
            }
            Some((tier, _)) => {
                let next = match tier {
                    Tier::L0 => "L1 supersedes a failed L0: submit date of birth, id number and id type via attachKYCInfo",
                    Tier::L1 => "Stripe rejected the L1 check: confirm name, address, date of birth and SSN with the user and resubmit them via attachKYCInfo",
                    Tier::L2 => "Stripe rejected the document check: redo L2 (photo ID and selfie) via verifyIdentity",
                };
                StageResult::finish(
                    Outcome::Rejected,
                    format!("{id}: {} verification rejected", tier.label()),
                )
                .kyc(KycStatus::Rejected)
                .provider_status(word)
                .next_step(next)
            }
        }
    }

    fn on_session(&mut self, resp: &HttpResponse, cx: &mut Cx) -> StageResult {
        if resp.status == 400 {
            if let Some(e) = reply::error(resp) {
                if let Some(result) = self.limit_error(e.code.as_deref().unwrap_or_default()) {
                    cx.log(
                        LogLevel::Info,
                        format!("Stripe refused the session: {}", e.code.unwrap_or_default()),
                    );
                    return result;
                }
            }
        }
        let obj = match reply::object(resp) {
            Ok(o) => o,
            Err(reason) => return answered(resp, Call::CreateSession, &reason),
        };
        let (Some(id), Some(status)) = (text(&obj, "id"), text(&obj, "status")) else {
            return answered(resp, Call::CreateSession, "no id or status");
        };
        if let Some(secret) = text(&obj, "client_secret") {
            cx.sensitive(secret);
        }
        match status {
            "initialized" | "requires_payment" | "fulfillment_processing" | "fulfillment_complete" => {
                StageResult::done(format!("onramp session {id} is {status}"))
                    .order_id(id)
                    .provider_status(status)
                    .kyc(KycStatus::Approved)
            }
            "rejected" => StageResult::finish(Outcome::Rejected, format!("onramp session {id} is rejected"))
                .provider_status(status)
                .next_step("Stripe rejected the session (risk or region); nothing in the request can change that"),
            other => answered(resp, Call::CreateSession, &format!("unknown session status '{other}'")),
        }
    }

    /// The 400s that mean "not at this tier" or "not yet".
    fn limit_error(&self, code: &str) -> Option<StageResult> {
        let next = match code {
            CODE_VERIFICATION_PENDING => {
                return Some(
                    StageResult::poll("Stripe: a verification is still pending")
                        .kyc(KycStatus::Pending)
                        .provider_status(code),
                )
            }
            CODE_MISSING_MINIMUM => NEXT_L0.to_string(),
            CODE_MISSING_IDENTITY => NEXT_L1.to_string(),
            // An L0-only user needs the L1 fields before the document check.
            CODE_MISSING_DOCUMENT if matches!(self.current, Some((Tier::L0, _)) | None) => {
                format!("{NEXT_L1}, then {NEXT_L2}")
            }
            CODE_MISSING_DOCUMENT => NEXT_L2.to_string(),
            _ => return None,
        };
        Some(
            StageResult::finish(
                Outcome::ActionRequired,
                format!("Stripe needs more verification for this order: {code}"),
            )
            .kyc(KycStatus::ActionRequired)
            .provider_status(code)
            .next_step(next),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampsim_plugin_sdk::testing::sample_profile;
    use rampsim_plugin_sdk::{Mode, Next};
    use std::collections::BTreeMap;

    fn adapter() -> StripeAdapter {
        StripeAdapter::new(AdapterInit {
            journey_id: "t".into(),
            mode: Mode::Sandbox,
            profile: sample_profile(),
            settings: BTreeMap::from([("secret_key".to_string(), "sk_test_x".to_string())]),
            now_ms: 0,
        })
        .unwrap()
    }

    #[test]
    fn limit_codes_name_the_tier_and_check() {
        let mut a = adapter();
        a.current = Some((Tier::L1, TierStatus::Verified));
        let cases = [
            (CODE_MISSING_MINIMUM, NEXT_L0.to_string()),
            (CODE_MISSING_IDENTITY, NEXT_L1.to_string()),
            (CODE_MISSING_DOCUMENT, NEXT_L2.to_string()),
        ];
        for (code, next) in cases {
            let r = a.limit_error(code).unwrap();
            assert_eq!(r.next, Next::Finish(Outcome::ActionRequired), "{code}");
            assert_eq!(r.kyc_status, Some(KycStatus::ActionRequired));
            assert_eq!(r.provider_status.as_deref(), Some(code));
            assert_eq!(r.next_step, Some(next), "{code}");
        }
        assert_eq!(
            a.limit_error(CODE_VERIFICATION_PENDING).unwrap().next,
            Next::Poll
        );
        assert!(a.limit_error("parameter_missing").is_none());
    }

    #[test]
    fn an_l0_user_needing_documents_is_told_l1_first() {
        let mut a = adapter();
        a.current = Some((Tier::L0, TierStatus::Verified));
        let r = a.limit_error(CODE_MISSING_DOCUMENT).unwrap();
        assert_eq!(
            r.next_step.as_deref(),
            Some("L1: date of birth, id number and id type via attachKYCInfo, then L2: the document check (photo ID and selfie) via verifyIdentity")
        );
    }

    #[test]
    fn an_l2_rejection_keeps_a_verified_l1_user_going() {
        let mut a = adapter();
        a.customer_id = Some("crc_1".into());
        let body = serde_json::json!({ "id": "crc_1", "object": "crypto.customer", "kyc_tiers": [
            { "tier": "l0", "verification_status": "verified" },
            { "tier": "l1", "verification_status": "verified" },
            { "tier": "l2", "verification_status": "rejected" },
        ]});
        let resp = HttpResponse::json(200, &body);
        let r = a.on_customer(&resp);
        assert_eq!(r.next, Next::Continue, "{r:?}");
        assert_eq!(r.kyc_status, Some(KycStatus::Approved));
        let body = serde_json::json!({ "id": "crc_1", "kyc_tiers": [
            { "tier": "l0", "verification_status": "rejected" },
            { "tier": "l1", "verification_status": "not_available" },
        ]});
        let r = a.on_customer(&HttpResponse::json(200, &body));
        assert_eq!(r.next, Next::Finish(Outcome::Rejected));
        assert!(r
            .next_step
            .unwrap()
            .starts_with("L1 supersedes a failed L0"));
    }
}
