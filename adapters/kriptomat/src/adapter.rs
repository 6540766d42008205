//! The journey at Kriptomat: log in with a TOTP code, create the partner user, share the Sumsub
//! applicant (share token at Sumsub, then kyc-import at Kriptomat), poll the user's KYC, buy and
//! poll the transaction. Sans-IO: every call returns the next request or the stage's result.

use crate::convert::{convert, Converted};
use crate::crypto;
use crate::reply::{self, id_text};
use crate::status::{kyc_decision, tx_state, KycDecision, TxState};
use rampsim_plugin_sdk::http::{encode_path_segment, form_encode};
use rampsim_plugin_sdk::time;
use rampsim_plugin_sdk::{
    Adapter, AdapterInit, Cx, HttpRequest, HttpResponse, KycStatus, LogLevel, Outcome, PluginError,
    Stage, StageResult, Step,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Log in again this long before the session's end, so a call never races the expiry.
const SESSION_MARGIN_MS: i64 = 60_000;
/// Kriptomat's documented session length, used when the login answer does not say.
const DEFAULT_SESSION_SECS: i64 = 3600;
/// Wait after a 429 that gives no Retry-After.
const RATE_LIMIT_WAIT_MS: u64 = 5_000;
/// After a kyc-import, `not_started` is given this long to turn into `pending` before the
/// adapter calls it action_required (the import is asynchronous at Kriptomat's side).
const NOT_STARTED_GRACE_MS: i64 = 120_000;

pub const SHARE_TOKEN_PATH: &str = "/resources/accessTokens/-/shareToken";

/// The settings the manifest declares, read once.
#[derive(Debug, Clone)]
struct Settings {
    email: String,
    password: String,
    client_id: String,
    client_secret: String,
    totp_key: Vec<u8>,
    app_token: String,
    secret_key: String,
    for_client_id: String,
}

fn setting(settings: &BTreeMap<String, String>, name: &str) -> Result<String, PluginError> {
    match settings.get(name).map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Ok(v.to_string()),
        _ => Err(PluginError::invalid(format!("settings.{name}: required"))),
    }
}

impl Settings {
    fn read(s: &BTreeMap<String, String>) -> Result<Settings, PluginError> {
        let totp_key = crypto::base32_decode(&setting(s, "totp_secret")?).ok_or_else(|| {
            PluginError::invalid("settings.totp_secret: not a base32 secret (the key behind the Google Authenticator QR code)")
        })?;
        Ok(Settings {
            email: setting(s, "email")?,
            password: setting(s, "password")?,
            client_id: setting(s, "client_id")?,
            client_secret: setting(s, "client_secret")?,
            totp_key,
            app_token: setting(s, "sumsub_app_token")?,
            secret_key: setting(s, "sumsub_secret_key")?,
            for_client_id: setting(s, "sumsub_for_client_id")?,
        })
    }
}

/// One request of the journey.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    CreateUser,
    ShareToken,
    KycImport { token: String },
    ShowUser,
    Buy,
    ShowTransaction,
}

impl Call {
    fn what(&self) -> &'static str {
        match self {
            Call::CreateUser => "create user",
            Call::ShareToken => "share token",
            Call::KycImport { .. } => "kyc-import",
            Call::ShowUser => "show user",
            Call::Buy => "buy",
            Call::ShowTransaction => "show transaction",
        }
    }
    /// Everything but the Sumsub call goes to Kriptomat with the bearer session.
    fn needs_session(&self) -> bool {
        !matches!(self, Call::ShareToken)
    }
}

#[derive(Debug)]
enum Waiting {
    Login { then: Call },
    Call(Call),
}

#[derive(Debug)]
pub struct KriptomatAdapter {
    settings: Settings,
    conv: Converted,
    /// Bearer token and when it ends (host ms).
    session: Option<(String, i64)>,
    user_id: Option<String>,
    imported_at_ms: Option<i64>,
    transaction_id: Option<String>,
    waiting: Option<Waiting>,
    /// One fresh login per stage call when Kriptomat says 401 to a session we thought valid.
    relogged: bool,
}

fn send(request: HttpRequest) -> Result<Step, PluginError> {
    Ok(Step::Send { request })
}

fn finish(result: StageResult) -> Result<Step, PluginError> {
    Ok(Step::Finish { result })
}

fn answered(resp: &HttpResponse, what: &str, reason: &str) -> StageResult {
    StageResult::failed(format!(
        "Kriptomat answered {} to {what}: {reason}",
        resp.status
    ))
}

impl Adapter for KriptomatAdapter {
    fn new(init: AdapterInit) -> Result<Self, PluginError> {
        Ok(KriptomatAdapter {
            settings: Settings::read(&init.settings)?,
            conv: convert(&init.profile)?,
            session: None,
            user_id: None,
            imported_at_ms: None,
            transaction_id: None,
            waiting: None,
            relogged: false,
        })
    }

    fn begin(&mut self, stage: Stage, cx: &mut Cx) -> Result<Step, PluginError> {
        self.waiting = None;
        self.relogged = false;
        if stage != Stage::Register && self.user_id.is_none() {
            return finish(StageResult::failed(
                "no Kriptomat user in this journey yet: run register first",
            ));
        }
        let call = match stage {
            Stage::Register => Call::CreateUser,
            Stage::IdvPassthrough => Call::ShareToken,
            Stage::AwaitKyc => Call::ShowUser,
            // A poll after the buy only looks at the transaction.
            Stage::CreateOrder if self.transaction_id.is_some() => Call::ShowTransaction,
            Stage::CreateOrder => Call::Buy,
        };
        self.send_call(call, cx)
    }

    fn on_response(
        &mut self,
        _stage: Stage,
        resp: HttpResponse,
        cx: &mut Cx,
    ) -> Result<Step, PluginError> {
        let waiting = self.waiting.take();
        if resp.status == 429 {
            // Refused before being processed: the stage starts over after the wait, keeping
            // what it already learnt (a buy keeps its idempotency key).
            let (who, what) = match &waiting {
                Some(Waiting::Call(Call::ShareToken)) => ("Sumsub", "share token"),
                Some(Waiting::Call(call)) => ("Kriptomat", call.what()),
                _ => ("Kriptomat", "login"),
            };
            return finish(
                StageResult::poll(format!(
                    "{who} is rate limiting (429 to {what}); trying again"
                ))
                .retry_after_ms(resp.retry_after_ms().unwrap_or(RATE_LIMIT_WAIT_MS)),
            );
        }
        match waiting {
            None => finish(StageResult::failed(
                "a response arrived that the adapter did not ask for",
            )),
            Some(Waiting::Login { then }) => self.on_login(resp, then, cx),
            Some(Waiting::Call(call)) => {
                if resp.status == 401 && call.needs_session() && !self.relogged {
                    // The session ended early (revoked, server restart): log in once more.
                    self.relogged = true;
                    self.session = None;
                    cx.log(
                        LogLevel::Info,
                        format!(
                            "Kriptomat refused the session for {}; logging in again",
                            call.what()
                        ),
                    );
                    return self.send_call(call, cx);
                }
                self.on_call(call, resp, cx)
            }
        }
    }
}

impl KriptomatAdapter {
    fn session_token(&self, now_ms: i64) -> Option<&str> {
        match &self.session {
            Some((token, ends)) if now_ms < ends - SESSION_MARGIN_MS => Some(token),
            _ => None,
        }
    }

    fn send_call(&mut self, call: Call, cx: &mut Cx) -> Result<Step, PluginError> {
        let now = cx.now_ms();
        if call.needs_session() && self.session_token(now).is_none() {
            self.waiting = Some(Waiting::Login { then: call });
            return send(self.login_request(now));
        }
        let request = self.request(&call, now);
        self.waiting = Some(Waiting::Call(call));
        send(request)
    }

    fn kriptomat(&self, method: &str, path: String, now_ms: i64) -> HttpRequest {
        let token = self.session_token(now_ms).unwrap_or_default();
        HttpRequest::new("api", method, path)
            .bearer(token)
            .with_header("X-Requested-With", "XMLHttpRequest")
            .with_header("Accept", "application/json")
    }

    fn login_request(&self, now_ms: i64) -> HttpRequest {
        let s = &self.settings;
        let code = crypto::totp(&s.totp_key, time::unix_seconds(now_ms), crypto::TOTP_DIGITS);
        // The docs type client_id as an integer; send it as one when it is one.
        let client_id = s
            .client_id
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(s.client_id.clone()));
        HttpRequest::post("api", "/api/v1/partners/auth/login")
            // A login creates nothing: safe to send again after a fault, while its TOTP code
            // is still accepted (the current 30-second step); after that, a fresh login.
            .retry_safe()
            .valid_for_ms(crypto::TOTP_STEP_SECS as u64 * 1000)
            .with_header("X-Requested-With", "XMLHttpRequest")
            .with_header("Accept", "application/json")
            .json(&json!({
                "email": s.email,
                "password": s.password,
                "client_id": client_id,
                "client_secret": s.client_secret,
                "security_code": code,
            }))
    }

    fn user_path(&self) -> String {
        format!(
            "/api/v1/partners/users/{}",
            encode_path_segment(self.user_id.as_deref().unwrap_or_default())
        )
    }

    fn request(&self, call: &Call, now_ms: i64) -> HttpRequest {
        match call {
            Call::CreateUser => self
                .kriptomat("POST", "/api/v1/partners/users".into(), now_ms)
                .json(&self.conv.user)
                .carrying_kyc(),
            Call::ShareToken => self.share_token_request(now_ms),
            // The seed's path has no /api prefix; kept as the seed writes it.
            Call::KycImport { token } => self
                .kriptomat(
                    "POST",
                    format!(
                        "/v1/users/{}/kyc-import",
                        encode_path_segment(self.user_id.as_deref().unwrap_or_default())
                    ),
                    now_ms,
                )
                .json(&json!({ "token": token }))
                .carrying_kyc(),
            Call::ShowUser => self.kriptomat("GET", self.user_path(), now_ms),
            Call::Buy => self
                .kriptomat("POST", format!("{}/buy", self.user_path()), now_ms)
                .json(&json!({
                    "amount": self.conv.amount,
                    "pair": self.conv.pair,
                    "idempotency_key": self.conv.idempotency_key,
                }))
                .idempotency_key(self.conv.idempotency_key.clone()),
            Call::ShowTransaction => self.kriptomat(
                "GET",
                format!(
                    "{}/transactions/{}",
                    self.user_path(),
                    encode_path_segment(self.transaction_id.as_deref().unwrap_or_default())
                ),
                now_ms,
            ),
        }
    }

    /// Sumsub's signed share-token request: the signature covers ts, method, path with query
    /// and the (empty) body exactly as sent.
    fn share_token_request(&self, now_ms: i64) -> HttpRequest {
        let s = &self.settings;
        let query = form_encode(&[
            ("applicantId", self.conv.applicant_id.as_str()),
            ("forClientId", s.for_client_id.as_str()),
        ]);
        let path = format!("{SHARE_TOKEN_PATH}?{query}");
        let ts = time::unix_seconds(now_ms).to_string();
        let sig = crypto::sumsub_signature(&s.secret_key, &ts, "POST", &path, "");
        HttpRequest::post("sumsub", path)
            .with_header("Accept", "application/json")
            .with_header("X-App-Token", s.app_token.clone())
            .with_header("X-App-Access-Ts", ts)
            .with_header("X-App-Access-Sig", sig)
    }

    fn on_login(
        &mut self,
        resp: HttpResponse,
        then: Call,
        cx: &mut Cx,
    ) -> Result<Step, PluginError> {
        let body = match reply::kriptomat(&resp) {
            Ok(b) => b,
            Err(reason) => {
                return finish(answered(&resp, "login", &reason).next_step(
                    "check the email, password, client_id, client_secret and totp_secret settings; the TOTP code is computed from the host's clock",
                ))
            }
        };
        // The wrapped form `{status, data: {access_token}}`; the older docs show it unwrapped.
        let inner = body.get("data").filter(|d| d.is_object()).unwrap_or(&body);
        let Some(token) = inner
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        else {
            return finish(answered(&resp, "login", "no access_token"));
        };
        let secs = inner
            .get("expires_in")
            .and_then(Value::as_i64)
            .filter(|s| *s > 0)
            .unwrap_or(DEFAULT_SESSION_SECS);
        cx.sensitive(token);
        cx.log(
            LogLevel::Info,
            format!("logged in to Kriptomat; session valid for {secs} s"),
        );
        self.session = Some((
            token.to_string(),
            cx.now_ms().saturating_add(secs.saturating_mul(1000)),
        ));
        self.send_call(then, cx)
    }

    fn on_call(
        &mut self,
        call: Call,
        resp: HttpResponse,
        cx: &mut Cx,
    ) -> Result<Step, PluginError> {
        match call {
            Call::CreateUser => self.on_create_user(&resp, cx),
            Call::ShareToken => self.on_share_token(&resp, cx),
            Call::KycImport { .. } => self.on_kyc_import(&resp, cx),
            Call::ShowUser => self.on_show_user(&resp, cx),
            Call::Buy => self.on_buy(&resp, cx),
            Call::ShowTransaction => self.on_transaction(&resp),
        }
    }

    fn on_create_user(&mut self, resp: &HttpResponse, cx: &mut Cx) -> Result<Step, PluginError> {
        let data = match reply::kriptomat_data(resp) {
            Ok(d) => d,
            Err(reason) => return finish(answered(resp, "create user", &reason)),
        };
        let Some(id) = id_text(data.get("id")) else {
            return finish(answered(resp, "create user", "no data.id"));
        };
        cx.log(
            LogLevel::Info,
            format!("created Kriptomat partner user {id}"),
        );
        self.user_id = Some(id.clone());
        self.imported_at_ms = None;
        self.transaction_id = None;
        let mut result = StageResult::done(format!("Kriptomat partner user {id} created"));
        if let Some(kyc) = data.get("kyc_status").and_then(Value::as_str) {
            result = result.provider_status(kyc);
            if let Some(k) = kyc_decision(kyc, "").canonical() {
                result = result.kyc(k);
            }
        }
        finish(result)
    }

    fn on_share_token(&mut self, resp: &HttpResponse, cx: &mut Cx) -> Result<Step, PluginError> {
        let body = match reply::sumsub(resp) {
            Ok(b) => b,
            Err(reason) => {
                return finish(StageResult::failed(format!(
                    "Sumsub answered {} to share token: {reason}",
                    resp.status
                )))
            }
        };
        let Some(token) = body
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        else {
            return finish(StageResult::failed(format!(
                "Sumsub answered {} to share token: no token",
                resp.status
            )));
        };
        cx.sensitive(token);
        let for_client = body
            .get("forClientId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if for_client != self.settings.for_client_id {
            return finish(StageResult::failed(format!(
                "Sumsub answered {} to share token: the token is for client '{for_client}', not Kriptomat's '{}'",
                resp.status, self.settings.for_client_id
            )));
        }
        cx.log(LogLevel::Info, "got a Sumsub share token for Kriptomat");
        self.send_call(
            Call::KycImport {
                token: token.to_string(),
            },
            cx,
        )
    }

    fn on_kyc_import(&mut self, resp: &HttpResponse, cx: &mut Cx) -> Result<Step, PluginError> {
        if let Err(reason) = reply::kriptomat(resp) {
            return finish(answered(resp, "kyc-import", &reason));
        }
        self.imported_at_ms = Some(cx.now_ms());
        let id = self.user_id.clone().unwrap_or_default();
        finish(StageResult::done(format!(
            "Sumsub applicant shared; Kriptomat accepted the kyc-import for user {id}"
        )))
    }

    fn on_show_user(&mut self, resp: &HttpResponse, cx: &mut Cx) -> Result<Step, PluginError> {
        let data = match reply::kriptomat_data(resp) {
            Ok(d) => d,
            Err(reason) => return finish(answered(resp, "show user", &reason)),
        };
        let Some(kyc) = data.get("kyc_status").and_then(Value::as_str) else {
            return finish(answered(resp, "show user", "no data.kyc_status"));
        };
        let edd = match data.get("edd_status") {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => return finish(answered(resp, "show user", "edd_status is not a string")),
        };
        let id = self.user_id.clone().unwrap_or_default();
        let decision = kyc_decision(kyc, edd);
        let canonical = decision.canonical();
        let result = match decision {
            KycDecision::Approved => {
                StageResult::done(format!("Kriptomat user {id}: KYC passed")).provider_status(kyc)
            }
            KycDecision::Pending => {
                let mut r = StageResult::poll(format!("Kriptomat user {id}: KYC pending")).provider_status(kyc);
                if let Some(ms) = resp.retry_after_ms() {
                    r = r.retry_after_ms(ms);
                }
                r
            }
            KycDecision::NotStarted => match self.imported_at_ms {
                Some(at) if cx.now_ms() - at < NOT_STARTED_GRACE_MS => StageResult::poll(format!(
                    "Kriptomat user {id}: KYC not_started; waiting for the import to start"
                ))
                .provider_status(kyc),
                _ => StageResult::finish(
                    Outcome::ActionRequired,
                    format!("Kriptomat user {id}: KYC not_started after the Sumsub import"),
                )
                .provider_status(kyc)
                .next_step(
                    "Kriptomat has no KYC for this user: check the Sumsub applicant (profile.idv.verification_id) is approved, then re-run idv_passthrough (a share token works only once)",
                ),
            },
            KycDecision::EddRequired => StageResult::finish(
                Outcome::ActionRequired,
                format!("Kriptomat user {id}: Enhanced Due Diligence required (kyc_status {kyc})"),
            )
            .provider_status(format!("edd_status {edd}"))
            .next_step(
                "Kriptomat requires Enhanced Due Diligence for this user: complete the EDD check with Kriptomat, then re-run await_kyc",
            ),
            KycDecision::Rejected => {
                let word = if edd == "failed" { "edd_status failed".to_string() } else { kyc.to_string() };
                StageResult::finish(Outcome::Rejected, format!("Kriptomat user {id}: KYC {word}"))
                    .provider_status(word)
                    .next_step("Kriptomat will not serve this user (failed or declined KYC); there is nothing to retry at Kriptomat")
            }
            KycDecision::Unknown(what) => answered(resp, "show user", &format!("unknown {what}")),
        };
        cx.log(
            LogLevel::Info,
            format!("Kriptomat user {id}: kyc_status {kyc}, edd_status '{edd}'"),
        );
        finish(match canonical {
            Some(k) => result.kyc(k),
            None => result,
        })
    }

    fn on_buy(&mut self, resp: &HttpResponse, cx: &mut Cx) -> Result<Step, PluginError> {
        let data = match reply::kriptomat_data(resp) {
            Ok(d) => d,
            Err(reason) => return finish(answered(resp, "buy", &reason)),
        };
        let Some(tx) = id_text(data.get("transaction_id")) else {
            return finish(answered(resp, "buy", "no data.transaction_id"));
        };
        cx.log(
            LogLevel::Info,
            format!("Kriptomat accepted the buy: transaction {tx}"),
        );
        self.transaction_id = Some(tx);
        self.send_call(Call::ShowTransaction, cx)
    }

    fn on_transaction(&mut self, resp: &HttpResponse) -> Result<Step, PluginError> {
        let data = match reply::kriptomat_data(resp) {
            Ok(d) => d,
            Err(reason) => return finish(answered(resp, "show transaction", &reason)),
        };
        let Some(state) = data.get("state").and_then(Value::as_str) else {
            return finish(answered(resp, "show transaction", "no data.state"));
        };
        let tx = self.transaction_id.clone().unwrap_or_default();
        finish(match tx_state(state) {
            Some(TxState::Pending) => {
                let mut r = StageResult::poll(format!("Kriptomat transaction {tx} is {state}"))
                    .provider_status(state)
                    .order_id(tx);
                if let Some(ms) = resp.retry_after_ms() {
                    r = r.retry_after_ms(ms);
                }
                r
            }
            Some(TxState::Success) => StageResult::done(format!("Kriptomat transaction {tx} is {state}"))
                .provider_status(state)
                .order_id(tx)
                .kyc(KycStatus::Approved),
            Some(TxState::Error) => StageResult::failed(format!("Kriptomat transaction {tx} ended in {state}"))
                .provider_status(state)
                .next_step("ask Kriptomat why the transaction failed; a new buy needs a new idempotency key (another profile.ref_id)"),
            None => answered(resp, "show transaction", &format!("unknown state '{state}'")),
        })
    }
}
