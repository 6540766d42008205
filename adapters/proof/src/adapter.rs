//! The sans-IO driver of one Proof widget journey. KYC happens inside the widget: in sandbox
//! mode the fake's sandbox-only call plays it; in live mode the stage tells the operator and
//! await_kyc waits. The transaction id survives polls, so a poll is only the status GET.

use crate::convert;
use rampsim_plugin_sdk::http::encode_path_segment;
use rampsim_plugin_sdk::{
    Adapter, AdapterInit, Cx, HttpRequest, HttpResponse, KycStatus, Mode, Outcome, PluginError,
    Stage, StageResult, Step,
};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Waiting {
    Nothing,
    RegisterStatus,
    WidgetKyc,
    KycStatus,
    Session,
    Transaction,
}

pub struct ProofAdapter {
    token: String,
    mode: Mode,
    user_id: String,
    user_path: String,
    document_type: &'static str,
    session_body: Value,
    waiting: Waiting,
    /// The KYC status register found (a returning user may already be verified).
    known_status: Option<String>,
    /// The sandbox widget session has been played: nothing more will happen to KYC by itself.
    widget_session_ended: bool,
    transaction_id: Option<String>,
}

const KYC_REQUIRED_NEXT_STEP: &str = "Embed the widget anyway: Proof starts the KYC flow for the user \
     (document upload, then liveness). Or check kyc-status first and ask the user to verify; run the \
     journey again once the status is verified";

fn finish(result: StageResult) -> Result<Step, PluginError> {
    Ok(Step::Finish { result })
}

fn kyc_of(status: &str) -> Option<KycStatus> {
    match status {
        "not_started" => Some(KycStatus::NotStarted),
        "pending" => Some(KycStatus::Pending),
        "verified" => Some(KycStatus::Approved),
        "failed" => Some(KycStatus::Rejected),
        _ => None,
    }
}

/// Proof's `{error, code, message}` as `code: message`, or a short description of a body that
/// is not one. Never echoes an unknown body.
fn reason(r: &HttpResponse) -> String {
    let Some(v) = r.json_body() else {
        return r.why_not_json().into();
    };
    let code = v
        .get("code")
        .or_else(|| v.get("error"))
        .and_then(Value::as_str);
    match (code, v.get("message").and_then(Value::as_str)) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (None, Some(m)) => m.to_string(),
        (Some(c), None) => c.to_string(),
        (None, None) => "JSON without an error message".into(),
    }
}

fn failed(r: &HttpResponse, what: &str, why: &str) -> StageResult {
    let result = StageResult::failed(format!("Proof answered {} to {what}: {why}", r.status));
    if r.status == 401 {
        result.next_step("Check the client_token setting (sent as Authorization: Bearer)")
    } else {
        result
    }
}

fn unexpected(r: &HttpResponse, what: &str) -> StageResult {
    failed(r, what, &reason(r))
}

/// The code of Proof's 404 for an unknown user (a JSON error body, not an HTML 404 page).
fn unknown_user(r: &HttpResponse) -> Option<String> {
    if r.status != 404 {
        return None;
    }
    let v = r.json_body()?;
    v.get("error")?.as_str()?;
    Some(
        v.get("code")
            .and_then(Value::as_str)
            .unwrap_or("not_found")
            .to_string(),
    )
}

impl ProofAdapter {
    fn request(&self, method: &str, path: String) -> HttpRequest {
        // Accept: the host then knows an HTML page answering it is a gateway's, not Proof's.
        HttpRequest::new("widget", method, path)
            .bearer(&self.token)
            .with_header("Accept", "application/json")
    }

    fn expect(&mut self, waiting: Waiting, request: HttpRequest) -> Result<Step, PluginError> {
        self.waiting = waiting;
        Ok(Step::Send { request })
    }

    fn status_request(&self) -> HttpRequest {
        self.request(
            "GET",
            format!("/widget/users/{}/kyc-status", self.user_path),
        )
    }

    /// The user has no submitted KYC. After the sandbox widget session nothing will change by
    /// itself, so the journey goes on and lets the session request show Proof's answer (the
    /// seed's 422 kyc_required); in live mode the user may still be in the widget: wait.
    fn not_started(&self, provider_word: &str) -> StageResult {
        let id = &self.user_id;
        let result = if self.widget_session_ended {
            StageResult::done(format!(
                "KYC of {id} was not submitted in the widget session; requesting a session anyway to \
                 see Proof's answer"
            ))
        } else {
            StageResult::poll(format!(
                "waiting for {id} to complete KYC inside the Proof widget"
            ))
        };
        result
            .kyc(KycStatus::NotStarted)
            .provider_status(provider_word)
    }

    fn kyc_decision(&mut self, r: &HttpResponse) -> StageResult {
        let what = "the KYC status";
        if let Some(code) = unknown_user(r) {
            return self.not_started(&code);
        }
        let Some(body) = r.success_object() else {
            return unexpected(r, what);
        };
        let Some(status) = body.get("status").and_then(Value::as_str) else {
            return failed(r, what, "no status");
        };
        let id = &self.user_id;
        let result = match status {
            "verified" => {
                let at = body.get("verified_at").and_then(Value::as_str).unwrap_or("an unknown time");
                StageResult::done(format!("KYC of {id} verified at {at}"))
            }
            "pending" => StageResult::poll(format!("KYC of {id} is pending (submitted, under review)")),
            "failed" => StageResult::finish(Outcome::Rejected, format!("KYC of {id} failed"))
                .next_step("The user must retry inside the widget (document upload, then liveness); run await_kyc again afterwards"),
            "not_started" => return self.not_started(status),
            other => return failed(r, what, &format!("unknown status `{other}`")),
        };
        match kyc_of(status) {
            Some(k) => result.kyc(k).provider_status(status),
            None => result.provider_status(status),
        }
    }

    fn session(&mut self, r: &HttpResponse, cx: &mut Cx) -> Result<Step, PluginError> {
        let what = "the widget session";
        if r.status == 422 {
            let body = r.json_body();
            if body
                .as_ref()
                .and_then(|v| v.get("error"))
                .and_then(Value::as_str)
                == Some("kyc_required")
            {
                // The seed's body, shown as Proof sent it.
                return finish(
                    StageResult::finish(
                        Outcome::ActionRequired,
                        format!("Proof refused the widget session (422): {}", r.body.trim()),
                    )
                    .kyc(KycStatus::ActionRequired)
                    .provider_status("kyc_required")
                    .next_step(KYC_REQUIRED_NEXT_STEP),
                );
            }
        }
        let Some(body) = r.success_object() else {
            return finish(unexpected(r, what));
        };
        let text = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let (Some(id), Some(_widget), Some(init_token), Some(signature)) = (
            text("merchant_transaction_id"),
            text("widget_id"),
            text("init_token"),
            text("signature"),
        ) else {
            return finish(failed(
                r,
                what,
                "missing merchant_transaction_id, widget_id, init_token or signature",
            ));
        };
        cx.sensitive(init_token);
        if !convert::is_signature(signature) {
            return finish(failed(
                r,
                what,
                "the signature is not v2: followed by 128 lower-case hex digits",
            ));
        }
        self.transaction_id = Some(id.to_string());
        let req = self.request(
            "GET",
            format!("/widget/transactions/{}", encode_path_segment(id)),
        );
        self.expect(Waiting::Transaction, req)
    }

    fn transaction(&mut self, r: &HttpResponse) -> StageResult {
        let what = "the transaction status";
        let Some(body) = r.success_object() else {
            return unexpected(r, what);
        };
        let Some(status) = body.get("status").and_then(Value::as_str) else {
            return failed(r, what, "no status");
        };
        let id = self.transaction_id.clone().unwrap_or_default();
        let result = match status {
            // The transaction exists: its id goes with every poll, so a journey that fails or
            // is cancelled while it is processed still names it.
            "pending" | "processing" => {
                StageResult::poll(format!("transaction {id} is {status}")).order_id(&id)
            }
            "completed" => {
                StageResult::done(format!("transaction {id} is completed")).order_id(&id)
            }
            "failed" | "cancelled" => StageResult::failed(format!("transaction {id} is {status}"))
                .order_id(&id)
                .next_step("Look the transaction up in Proof's partner dashboard for the reason"),
            other => {
                return failed(
                    r,
                    what,
                    &format!("unknown status `{other}` (transaction {id})"),
                )
            }
        };
        result.provider_status(status)
    }
}

impl Adapter for ProofAdapter {
    fn new(init: AdapterInit) -> Result<Self, PluginError> {
        let token = init
            .settings
            .get("client_token")
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        if token.is_empty() {
            return Err(PluginError::invalid(
                "settings.client_token: the partner's Proof client token is required",
            ));
        }
        let session_body = convert::session_body(&init.profile)?;
        // The sandbox plays the document upload, so the document must be one the widget takes.
        let document_type = match (convert::document_type(&init.profile.document.kind), init.mode) {
            (Some(d), _) => d,
            (None, Mode::Live) => "passport", // unused: the user picks in the widget
            (None, Mode::Sandbox) => {
                return Err(PluginError::invalid(format!(
                    "profile.document.type: `{}` cannot be uploaded in the Proof widget (passport, id_card or driving_license)",
                    init.profile.document.kind
                )))
            }
        };
        let user_id = init.profile.ref_id.clone();
        Ok(ProofAdapter {
            token,
            mode: init.mode,
            user_path: encode_path_segment(&user_id),
            user_id,
            document_type,
            session_body,
            waiting: Waiting::Nothing,
            known_status: None,
            widget_session_ended: false,
            transaction_id: None,
        })
    }

    fn begin(&mut self, stage: Stage, _cx: &mut Cx) -> Result<Step, PluginError> {
        let id = self.user_id.clone();
        match stage {
            Stage::Register => {
                let req = self.status_request();
                self.expect(Waiting::RegisterStatus, req)
            }
            Stage::IdvPassthrough => match (self.mode, self.known_status.as_deref()) {
                (Mode::Live, _) => finish(StageResult::skipped(format!(
                    "KYC happens inside the Proof widget: open the widget for user {id} and let them \
                     complete document upload and liveness; rampsim waits for the decision"
                ))),
                (Mode::Sandbox, Some(s @ ("verified" | "pending"))) => finish(StageResult::skipped(format!(
                    "KYC of {id} is already {s} at Proof: returning users skip the widget's KYC"
                ))),
                (Mode::Sandbox, _) => {
                    let req = self
                        .request("POST", format!("/widget/sandbox/users/{}/kyc-session", self.user_path))
                        .json(&json!({ "document_type": self.document_type }));
                    self.expect(Waiting::WidgetKyc, req)
                }
            },
            Stage::AwaitKyc => {
                let req = self.status_request();
                self.expect(Waiting::KycStatus, req)
            }
            Stage::CreateOrder => match &self.transaction_id {
                Some(tx) => {
                    let req = self.request("GET", format!("/widget/transactions/{}", encode_path_segment(tx)));
                    self.expect(Waiting::Transaction, req)
                }
                None => {
                    let req = self.request("POST", "/widget/session".into()).json(&self.session_body);
                    self.expect(Waiting::Session, req)
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
        let id = self.user_id.clone();
        match waiting {
            Waiting::RegisterStatus => {
                // Decision: the partner's own id is the Proof user; 404 = Proof has not met the
                // user yet (the widget creates the profile on first open) = KYC not started.
                if let Some(code) = unknown_user(&r) {
                    return finish(
                        StageResult::done(format!(
                            "Proof has no KYC profile for {id} yet (404 {code}): KYC not started; the \
                             widget creates the user on first open"
                        ))
                        .kyc(KycStatus::NotStarted)
                        .provider_status(code),
                    );
                }
                let Some(status) = r
                    .success_object()
                    .and_then(|b| b.get("status").and_then(Value::as_str).map(str::to_string))
                else {
                    return finish(unexpected(&r, "the user lookup"));
                };
                let Some(kyc) = kyc_of(&status) else {
                    return finish(failed(
                        &r,
                        "the user lookup",
                        &format!("unknown status `{status}`"),
                    ));
                };
                self.known_status = Some(status.clone());
                finish(
                    StageResult::done(format!("{id} is known to Proof: KYC {status}"))
                        .kyc(kyc)
                        .provider_status(status),
                )
            }
            Waiting::WidgetKyc => {
                let what = "the sandbox widget session";
                let Some(body) = r.success_object() else {
                    return finish(unexpected(&r, what));
                };
                let (Some(submitted), Some(status)) = (
                    body.get("submitted").and_then(Value::as_bool),
                    body.get("status").and_then(Value::as_str),
                ) else {
                    return finish(failed(&r, what, "no submitted/status"));
                };
                let Some(kyc) = kyc_of(status) else {
                    return finish(failed(&r, what, &format!("unknown status `{status}`")));
                };
                self.widget_session_ended = true;
                let steps: Vec<String> = body
                    .get("steps")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| {
                                Some(format!(
                                    "{} {}",
                                    s.get("step")?.as_str()?,
                                    s.get("result")?.as_str()?
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let played = if steps.is_empty() {
                    "nothing to replay".to_string()
                } else {
                    steps.join(", ")
                };
                let msg = if submitted {
                    format!("sandbox widget session of {id}: {played}; KYC submitted ({status})")
                } else {
                    format!("sandbox widget session of {id}: {played}; KYC not submitted")
                };
                finish(StageResult::done(msg).kyc(kyc).provider_status(status))
            }
            Waiting::KycStatus => finish(self.kyc_decision(&r)),
            Waiting::Session => self.session(&r, cx),
            Waiting::Transaction => finish(self.transaction(&r)),
            Waiting::Nothing => Err(PluginError::other(format!(
                "{stage}: a response arrived but no request was outstanding"
            ))),
        }
    }
}
