//! The adapter: the four canonical stages as Acme API calls. CHANGE: all of it, for your
//! provider; keep the shape.
//!
//! It is sans-IO: it never sends anything. For each stage the host calls `begin`; the adapter
//! answers with a request to send (`Step::Send`) or with the stage's result (`Step::Finish`).
//! The host sends the request and hands the response to `on_response`, which answers the same
//! way. The host owns sockets, timeouts, retries, waiting between polls, logging and time.

use rampsim_plugin_sdk::{
    Adapter, AdapterInit, Cx, HttpRequest, HttpResponse, KycStatus, LogLevel, Outcome, PluginError,
    Profile, Stage, StageResult, Step,
};
use serde_json::{json, Value};

/// CHANGE: the state of one journey: inputs, and what the provider told us so far.
pub struct AcmeAdapter {
    api_key: String,
    profile: Profile,
    /// The provider's id for the user, learnt in `register`.
    user_id: Option<String>,
}

impl Adapter for AcmeAdapter {
    /// A new adapter per journey. Refuse here, by field name, what the provider would refuse.
    fn new(init: AdapterInit) -> Result<Self, PluginError> {
        let api_key = init.settings.get("api_key").cloned().unwrap_or_default();
        if api_key.is_empty() {
            return Err(PluginError::invalid(
                "settings.api_key: no API key configured",
            ));
        }
        // CHANGE: your provider's required fields and formats.
        let p = &init.profile;
        for (field, value) in [
            ("profile.first_name", &p.first_name),
            ("profile.last_name", &p.last_name),
            ("profile.email", &p.email),
            ("profile.address.country", &p.address.country),
        ] {
            if value.trim().is_empty() {
                return Err(PluginError::invalid(format!("{field}: Acme requires it")));
            }
        }
        Ok(AcmeAdapter {
            api_key,
            profile: init.profile,
            user_id: None,
        })
    }

    /// Starts `stage`, or polls it again when `cx.poll() > 0` (after the host waited).
    fn begin(&mut self, stage: Stage, _cx: &mut Cx) -> Result<Step, PluginError> {
        let p = &self.profile;
        let request = match stage {
            Stage::Register => HttpRequest::post("api", "/v1/users")
                .json(&json!({
                    "external_id": p.ref_id,
                    "first_name": p.first_name,
                    "last_name": p.last_name,
                    "email": p.email,
                    "date_of_birth": p.date_of_birth,
                    "country": p.address.country,
                }))
                // The request carries KYC data: live mode asks the operator first.
                .carrying_kyc(),
            Stage::IdvPassthrough => {
                let Some(id) = &self.user_id else {
                    return Ok(finish(StageResult::failed(
                        "no user id: register did not run",
                    )));
                };
                HttpRequest::post("api", format!("/v1/users/{id}/verifications"))
                    .json(&json!({
                        "provider": p.idv.provider,
                        "verification_id": p.idv.verification_id,
                        "verified_at": p.idv.verified_at,
                        "status": p.idv.status,
                    }))
                    .carrying_kyc()
            }
            Stage::AwaitKyc => {
                let Some(id) = &self.user_id else {
                    return Ok(finish(StageResult::failed(
                        "no user id: register did not run",
                    )));
                };
                // A poll is only the status read: keep the ids learnt, never re-create things.
                HttpRequest::get("api", format!("/v1/users/{id}"))
            }
            Stage::CreateOrder => {
                let Some(id) = &self.user_id else {
                    return Ok(finish(StageResult::failed(
                        "no user id: register did not run",
                    )));
                };
                // The same key on every try, so the host may retry this POST safely.
                let key = format!("{}-order", p.ref_id);
                HttpRequest::post("api", "/v1/orders")
                    .json(&json!({
                        "user_id": id,
                        "asset": p.order.asset,
                        "amount": p.order.amount,
                        "currency": p.order.currency,
                        "wallet_address": p.order.wallet_address,
                    }))
                    .with_header("Idempotency-Key", key.clone())
                    .idempotency_key(key)
            }
        };
        // CHANGE: your provider's authentication. Never log the key, nor any KYC value.
        Ok(Step::Send {
            request: request.bearer(&self.api_key),
        })
    }

    /// The response to the request sent last. Any status, any body: what the adapter does not
    /// expect ends the stage `failed` with a message, never a panic (no `unwrap` on responses).
    fn on_response(
        &mut self,
        stage: Stage,
        response: HttpResponse,
        cx: &mut Cx,
    ) -> Result<Step, PluginError> {
        let body = match response.json_body() {
            Some(body) if response.is_success() => body,
            _ => {
                return Ok(finish(StageResult::failed(describe_error(
                    stage, &response,
                ))))
            }
        };
        // `body["x"]` is Null when missing (and on `null` or an array), never a panic.
        let result = match stage {
            Stage::Register => match body["id"].as_str() {
                Some(id) => {
                    self.user_id = Some(id.to_string());
                    cx.log(LogLevel::Info, format!("created user {id}"));
                    StageResult::done(format!("user {id} created")).kyc(KycStatus::NotStarted)
                }
                None => unexpected(stage, &response, "no `id`"),
            },
            Stage::IdvPassthrough => match body["status"].as_str() {
                Some("received") => StageResult::done("IDV result accepted")
                    .kyc(KycStatus::Pending)
                    .provider_status("received"),
                _ => unexpected(stage, &response, "no `status: received`"),
            },
            // CHANGE: map every provider status to the canonical one, keeping the provider's word.
            Stage::AwaitKyc => match body["kyc_status"].as_str() {
                Some("pending") => {
                    let mut r = StageResult::poll("KYC review pending")
                        .kyc(KycStatus::Pending)
                        .provider_status("pending");
                    if let Some(ms) = response.retry_after_ms() {
                        r = r.retry_after_ms(ms);
                    }
                    r
                }
                Some("approved") => StageResult::done("KYC approved")
                    .kyc(KycStatus::Approved)
                    .provider_status("approved"),
                Some("rejected") => StageResult::finish(Outcome::Rejected, "KYC rejected")
                    .kyc(KycStatus::Rejected)
                    .provider_status("rejected")
                    .next_step("Acme rejected the user; their support can say why"),
                Some("not_started") => {
                    StageResult::finish(Outcome::ActionRequired, "no verification on file")
                        .kyc(KycStatus::NotStarted)
                        .provider_status("not_started")
                        .next_step("re-run idv_passthrough")
                }
                Some(other) => StageResult::failed(format!("unknown KYC status `{other}`"))
                    .provider_status(other),
                None => unexpected(stage, &response, "no `kyc_status`"),
            },
            // A stage that ends with an order id: the journey's outcome is `order_created`.
            Stage::CreateOrder => match body["id"].as_str() {
                Some(id) => StageResult::done(format!("order {id} created"))
                    .order_id(id)
                    .provider_status(body["status"].as_str().unwrap_or("created")),
                None => unexpected(stage, &response, "no order `id`"),
            },
        };
        Ok(finish(result))
    }
}

fn finish(result: StageResult) -> Step {
    Step::Finish { result }
}

fn unexpected(stage: Stage, response: &HttpResponse, what: &str) -> StageResult {
    StageResult::failed(format!(
        "acme answered {} to {stage} without the expected fields ({what})",
        response.status
    ))
}

/// CHANGE: your provider's error body. Put its own code and message in, so the operator sees
/// what the provider said (never the request's KYC values).
fn describe_error(stage: Stage, response: &HttpResponse) -> String {
    let detail = response.json_body().and_then(|b| {
        let e: &Value = &b["error"];
        Some(format!(
            "{}: {}",
            e["code"].as_str()?,
            e["message"].as_str().unwrap_or("")
        ))
    });
    match detail {
        Some(d) => format!("acme answered {} to {stage}: {d}", response.status),
        None => format!(
            "acme answered {} to {stage} with a body that is not the JSON it expects",
            response.status
        ),
    }
}
