//! The sans-IO driver of one Crossmint journey. Every stage is a short exchange; what the
//! adapter is waiting for is kept in `waiting`, and what it learnt (the order id) survives polls
//! so a poll is only the status GET.

use crate::convert::{self, Bodies};
use rampsim_plugin_sdk::http::encode_path_segment;
use rampsim_plugin_sdk::time;
use rampsim_plugin_sdk::{
    Adapter, AdapterInit, Cx, HttpRequest, HttpResponse, KycStatus, LogLevel, Outcome, PluginError,
    Stage, StageResult, Step,
};
use serde_json::{json, Value};

const USERS: &str = "/2025-06-09/users";
const ORDERS: &str = "/2022-06-09/orders";

/// The request whose answer comes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Waiting {
    Nothing,
    LegalDocument,
    UserDetails,
    FullRecord,
    Eligibility,
    Trigger,
    OrderCreate,
    OrderStatus,
}

pub struct CrossmintAdapter {
    api_key: String,
    bodies: Bodies,
    /// The locator as a path segment (`userId:...` stays readable).
    locator_path: String,
    waiting: Waiting,
    /// Verification was triggered once already (not-started after that means "wait").
    triggered: bool,
    /// What eligibility said was missing, to repeat it when the order is refused.
    missing: Option<String>,
    order_id: Option<String>,
}

fn finish(result: StageResult) -> Result<Step, PluginError> {
    Ok(Step::Finish { result })
}

fn send(request: HttpRequest) -> Result<Step, PluginError> {
    Ok(Step::Send { request })
}

/// Crossmint's error message (`{"error": true, "message": ...}`) or a short description of a
/// body that is not one. Never echoes an unknown body: it could hold personal data.
fn reason(r: &HttpResponse) -> String {
    match r.json_body() {
        Some(v) => match v.get("message").and_then(Value::as_str) {
            Some(m) => m.to_string(),
            None => "JSON without an error message".into(),
        },
        None => r.why_not_json().into(),
    }
}

fn failed(r: &HttpResponse, what: &str, why: &str) -> StageResult {
    let result = StageResult::failed(format!("Crossmint answered {} to {what}: {why}", r.status));
    if matches!(r.status, 401 | 403) {
        result.next_step(
            "Check the api_key setting: a Crossmint server key with scopes users.create, \
             users.read, orders.create and orders.read",
        )
    } else {
        result
    }
}

fn unexpected(r: &HttpResponse, what: &str) -> StageResult {
    failed(r, what, &reason(r))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl CrossmintAdapter {
    fn request(&self, method: &str, path: String) -> HttpRequest {
        // Accept: the host then knows an HTML page answering it is a gateway's, not Crossmint's.
        HttpRequest::new("api", method, path)
            .with_header("X-API-KEY", self.api_key.clone())
            .with_header("Accept", "application/json")
    }

    fn user_path(&self, suffix: &str) -> String {
        format!("{USERS}/{}{suffix}", self.locator_path)
    }

    fn expect(&mut self, waiting: Waiting, request: HttpRequest) -> Result<Step, PluginError> {
        self.waiting = waiting;
        send(request)
    }

    fn eligibility(&mut self, r: &HttpResponse, cx: &mut Cx) -> Result<Step, PluginError> {
        let what = "the identity-verification status";
        let Some(body) = r.success_object() else {
            return finish(unexpected(r, what));
        };
        let Some(entries) = body.get("eligibility").and_then(Value::as_array) else {
            return finish(failed(r, what, "no eligibility list"));
        };
        let Some(onramp) = entries
            .iter()
            .find(|e| e.get("type").and_then(Value::as_str) == Some("onramp"))
        else {
            return finish(failed(r, what, "no eligibility entry of type onramp"));
        };
        let Some(status) = onramp.get("status").and_then(Value::as_str) else {
            return finish(failed(r, what, "the onramp entry has no status"));
        };
        let loc = &self.bodies.locator;
        let result = match status {
            "not-started" if !self.triggered => {
                // Current docs: register, then trigger verification, then poll.
                self.triggered = true;
                cx.log(
                    LogLevel::Info,
                    format!("onramp eligibility of {loc} not-started: triggering verification"),
                );
                let req = self.request("PUT", self.user_path("/identity-verification"));
                return self.expect(Waiting::Trigger, req);
            }
            "not-started" => {
                StageResult::poll(format!("onramp verification of {loc} is not-started yet"))
                    .kyc(KycStatus::NotStarted)
            }
            "pending-review" => {
                StageResult::poll(format!("onramp eligibility of {loc} is pending-review"))
                    .kyc(KycStatus::Pending)
            }
            "verified" => {
                StageResult::done(format!("{loc} is verified for onramp")).kyc(KycStatus::Approved)
            }
            "pending-privacy-policy" => StageResult::finish(
                Outcome::ActionRequired,
                format!(
                    "{loc} has not accepted Crossmint's privacy policy (pending-privacy-policy)"
                ),
            )
            .kyc(KycStatus::ActionRequired)
            .next_step(
                "Have the user accept Crossmint's privacy policy and run register again to record \
                 the acceptance",
            ),
            "rejected" => {
                let reasons: Vec<String> = onramp
                    .get("failureReasons")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|f| f.get("code").and_then(Value::as_str))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                let (why, next) = if reasons.is_empty() {
                    (
                        "no failure reason given".to_string(),
                        "A rejection without failureReasons is usually risk-based and final; ask Crossmint support",
                    )
                } else {
                    (
                        format!("failure reasons: {}", reasons.join(", ")),
                        "Fix what the failure reasons name (new document, corrected data), run \
                         idv_passthrough again and re-trigger verification",
                    )
                };
                StageResult::finish(
                    Outcome::Rejected,
                    format!("{loc} was rejected for onramp ({why})"),
                )
                .kyc(KycStatus::Rejected)
                .next_step(next)
            }
            "requires-data" => {
                let data = strings(onramp.get("missingData"));
                let docs = strings(onramp.get("missingDocuments"));
                let missing = format!(
                    "missing data: [{}]; missing documents: [{}]",
                    data.join(", "),
                    docs.join(", ")
                );
                self.missing = Some(missing.clone());
                // Not final here: the order endpoint gives Crossmint's own verdict (the seed's
                // missing-KYC error), which ends the journey with both pieces of information.
                StageResult::done(format!(
                    "onramp eligibility of {loc} requires-data ({missing}); creating the order to see \
                     Crossmint's verdict"
                ))
                .kyc(KycStatus::ActionRequired)
                .next_step("Send the missing data with idv_passthrough (or upload the documents) and re-trigger verification")
            }
            other => failed(r, what, &format!("unknown eligibility status `{other}`")),
        };
        finish(result.provider_status(status))
    }

    fn order(&mut self, r: &HttpResponse, order: &Value) -> StageResult {
        let what = "the order";
        let Some(id) = order
            .get("orderId")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        else {
            return failed(r, what, "no orderId");
        };
        self.order_id = Some(id.to_string());
        let Some(status) = order.pointer("/payment/status").and_then(Value::as_str) else {
            return failed(r, what, "no payment.status");
        };
        let result = match status {
            "awaiting-payment" | "completed" => {
                StageResult::done(format!("order {id} is {status}")).order_id(id).kyc(KycStatus::Approved)
            }
            "processing-kyc-verification" => {
                StageResult::poll(format!("order {id} is processing-kyc-verification"))
                    .order_id(id)
                    .kyc(KycStatus::Pending)
            }
            "requires-kyc" | "manual-kyc" => StageResult::finish(
                Outcome::ActionRequired,
                format!("order {id} is {status}: Crossmint needs more KYC before payment"),
            )
            .order_id(id)
            .kyc(KycStatus::ActionRequired)
            .next_step(if status == "manual-kyc" {
                "Crossmint reviews the user manually; wait for its compliance team or contact support"
            } else {
                "The user must complete KYC in Crossmint's checkout, or import the missing data and retry"
            }),
            "failed-kyc" => StageResult::finish(Outcome::Rejected, format!("order {id} is failed-kyc"))
                .order_id(id)
                .kyc(KycStatus::Rejected)
                .next_step("Crossmint's compliance screen refused the user; the order cannot proceed"),
            other => failed(r, what, &format!("unknown payment.status `{other}` (order {id})")),
        };
        result.provider_status(status)
    }

    fn order_created(&mut self, r: &HttpResponse, cx: &mut Cx) -> StageResult {
        if let Some(body) = r.success_object() {
            if let Some(secret) = body.get("clientSecret").and_then(Value::as_str) {
                cx.sensitive(secret);
            }
            return match body.get("order") {
                Some(order) if order.is_object() => self.order(r, order),
                _ => failed(r, "the order creation", "no order object"),
            };
        }
        // The seed's answer for missing KYC: {"error": true, "message": "Required full KYC user
        // data is missing to complete the order"} (status 400 assumed).
        let body = r.json_body();
        let message = body
            .as_ref()
            .and_then(|v| v.get("message"))
            .and_then(Value::as_str);
        let is_error = body.as_ref().and_then(|v| v.get("error")) == Some(&Value::Bool(true));
        match message {
            Some(m) if is_error && r.status == 400 && m.contains("KYC") => {
                let mut msg = format!("Crossmint refused the order (400): {m}");
                if let Some(missing) = &self.missing {
                    msg.push_str(&format!(" ({missing})"));
                }
                StageResult::finish(Outcome::ActionRequired, msg)
                    .kyc(KycStatus::ActionRequired)
                    .next_step(
                        "Import the missing KYC data for this user (idv_passthrough; the order's \
                         receiptEmail must equal kycData.email), then create the order again",
                    )
            }
            _ => unexpected(r, "the order creation"),
        }
    }
}

impl Adapter for CrossmintAdapter {
    fn new(init: AdapterInit) -> Result<Self, PluginError> {
        let api_key = init
            .settings
            .get("api_key")
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        if api_key.is_empty() {
            return Err(PluginError::invalid(
                "settings.api_key: a Crossmint server API key is required",
            ));
        }
        let bodies = convert::bodies(&init.profile)?;
        let locator_path = encode_path_segment(&bodies.locator);
        Ok(CrossmintAdapter {
            api_key,
            bodies,
            locator_path,
            waiting: Waiting::Nothing,
            triggered: false,
            missing: None,
            order_id: None,
        })
    }

    fn begin(&mut self, stage: Stage, cx: &mut Cx) -> Result<Step, PluginError> {
        match stage {
            Stage::Register => {
                let body = json!({
                    "type": "crossmint-privacy-policy",
                    // ASSUMED: the acceptance is recorded at replay time; replay only users who consented.
                    "acceptedAt": time::rfc3339_from_ms(cx.now_ms()),
                });
                let req = self
                    .request("PUT", self.user_path("/legal-documents"))
                    .json(&body);
                self.expect(Waiting::LegalDocument, req)
            }
            Stage::IdvPassthrough => {
                let req = self
                    .request("PUT", self.user_path(""))
                    .json(&self.bodies.full_record)
                    .carrying_kyc();
                self.expect(Waiting::FullRecord, req)
            }
            Stage::AwaitKyc => {
                let req = self.request("GET", self.user_path("/identity-verification"));
                self.expect(Waiting::Eligibility, req)
            }
            Stage::CreateOrder => match &self.order_id {
                Some(id) => {
                    let req = self.request("GET", format!("{ORDERS}/{}", encode_path_segment(id)));
                    self.expect(Waiting::OrderStatus, req)
                }
                None => {
                    let req = self
                        .request("POST", ORDERS.to_string())
                        .json(&self.bodies.order);
                    self.expect(Waiting::OrderCreate, req)
                }
            },
        }
    }

    fn on_response(
        &mut self,
        stage: Stage,
        r: HttpResponse,
        cx: &mut Cx,
    ) -> Result<Step, PluginError> {
        let waiting = std::mem::replace(&mut self.waiting, Waiting::Nothing);
        let loc = self.bodies.locator.clone();
        match waiting {
            Waiting::LegalDocument => {
                if r.success_object().is_none() {
                    return finish(unexpected(&r, "the privacy-policy acceptance"));
                }
                let req = self
                    .request("PUT", self.user_path(""))
                    .json(&self.bodies.user_details);
                self.expect(Waiting::UserDetails, req)
            }
            Waiting::UserDetails => match r.success_object() {
                Some(b) if b.get("userDetails") == Some(&Value::Bool(true)) => finish(
                    StageResult::done(format!(
                        "{loc} created at Crossmint; privacy policy accepted"
                    ))
                    .kyc(KycStatus::NotStarted),
                ),
                Some(_) => finish(failed(
                    &r,
                    "the user creation",
                    "userDetails not reported as stored",
                )),
                None => finish(unexpected(&r, "the user creation")),
            },
            Waiting::FullRecord => {
                let Some(b) = r.success_object() else {
                    return finish(unexpected(&r, "the KYC data import"));
                };
                let stored = |s: &str| b.get(s).and_then(Value::as_bool);
                if self.bodies.sections.iter().any(|s| stored(s).is_none()) {
                    return finish(failed(
                        &r,
                        "the KYC data import",
                        "the stored-section booleans are missing",
                    ));
                }
                let not_stored: Vec<&str> = self
                    .bodies
                    .sections
                    .iter()
                    .copied()
                    .filter(|s| stored(s) != Some(true))
                    .collect();
                let msg = if not_stored.is_empty() {
                    format!(
                        "Crossmint stored {} for {loc}",
                        self.bodies.sections.join(", ")
                    )
                } else {
                    format!(
                        "Crossmint did not store {} for {loc}",
                        not_stored.join(", ")
                    )
                };
                finish(StageResult::done(msg))
            }
            Waiting::Eligibility | Waiting::Trigger => self.eligibility(&r, cx),
            Waiting::OrderCreate => finish(self.order_created(&r, cx)),
            Waiting::OrderStatus => finish(match r.success_object() {
                Some(order) => self.order(&r, &order),
                None => unexpected(&r, "the order status"),
            }),
            Waiting::Nothing => Err(PluginError::other(format!(
                "{stage}: a response arrived but no request was outstanding"
            ))),
        }
    }
}
