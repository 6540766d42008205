//! The Kriptomat half: login (TOTP), partner users, kyc-import, buy and transactions. Laravel
//! style: `{status: true, data}` on success, `{status: false, message[, errors]}` on failure,
//! 422 with per-field messages for validation.

use super::{
    invalid_fields, kriptomat_error, ok, KriptomatFake, Scenario, Transaction, User, MAX_BODY,
    SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_EMAIL, SANDBOX_FOR_CLIENT_ID,
    SANDBOX_PASSWORD, SANDBOX_TOTP_SECRET, SESSION_MS, TX_PENDING_MS,
};
use crate::convert::is_email;
use crate::crypto::{base32_decode, hotp, totp_step, TOTP_DIGITS};
use rampsim_plugin_sdk::country::is_alpha3;
use rampsim_plugin_sdk::phone::is_e164;
use rampsim_plugin_sdk::time;
use rampsim_plugin_sdk::{FakeNote, FakeRequest, HttpResponse};
use serde_json::{json, Map, Value};

/// Assets and fiat currencies of the sandbox's market pairs (`btceur`). USD pairs are an
/// assumption (the docs price buys in EUR) so the canonical USD sample profile can buy.
const ASSETS: [&str; 8] = ["btc", "eth", "usdc", "usdt", "sol", "xrp", "ltc", "ada"];
const FIATS: [&str; 2] = ["eur", "usd"];

/// The fields of a partner user (the seed's "Show user" response).
const USER_FIELDS: [&str; 10] = [
    "email",
    "name",
    "surname",
    "phone",
    "date_of_birth",
    "address",
    "building_number",
    "city",
    "postal_code",
    "country",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Login,
    CreateUser,
    ShowUser(&'a str),
    Buy(&'a str),
    ShowTransaction(&'a str, &'a str),
    KycImport(&'a str),
}

fn route<'a>(segments: &[&'a str]) -> Option<(Route<'a>, &'static str)> {
    Some(match *segments {
        ["api", "v1", "partners", "auth", "login"] => (Route::Login, "POST"),
        ["api", "v1", "partners", "users"] => (Route::CreateUser, "POST"),
        ["api", "v1", "partners", "users", id] => (Route::ShowUser(id), "GET"),
        ["api", "v1", "partners", "users", id, "buy"] => (Route::Buy(id), "POST"),
        ["api", "v1", "partners", "users", id, "transactions", tx] => {
            (Route::ShowTransaction(id, tx), "GET")
        }
        // The seed documents kyc-import without the /api prefix.
        ["v1", "users", id, "kyc-import"] => (Route::KycImport(id), "POST"),
        _ => return None,
    })
}

type Errors = Vec<(&'static str, String)>;

fn attr(field: &str) -> String {
    field.replace('_', " ")
}

/// A required string field, with Laravel's messages when it is not one.
fn required_str<'a>(
    body: &'a Map<String, Value>,
    field: &'static str,
    errors: &mut Errors,
) -> Option<&'a str> {
    match body.get(field) {
        Some(Value::String(s)) if s.chars().count() > 255 => {
            errors.push((
                field,
                format!(
                    "The {} may not be greater than 255 characters.",
                    attr(field)
                ),
            ));
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.as_str()),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            errors.push((field, format!("The {} field is required.", attr(field))));
            None
        }
        Some(_) => {
            errors.push((field, format!("The {} must be a string.", attr(field))));
            None
        }
    }
}

fn is_amount(s: &str) -> bool {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && whole.len() <= 12
        && digits(whole)
        && digits(frac)
        && frac.len() <= 2
        && (!s.contains('.') || !frac.is_empty())
        && s.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

impl KriptomatFake {
    pub(crate) fn api(
        &mut self,
        req: &FakeRequest,
        now_ms: i64,
        scenario: Scenario,
    ) -> HttpResponse {
        if req.body.len() > MAX_BODY {
            return kriptomat_error(413, "Payload too large.");
        }
        let segments = req.segments();
        let Some((route, method)) = route(&segments) else {
            return kriptomat_error(404, "Not found.");
        };
        if !req.method.eq_ignore_ascii_case(method) {
            return kriptomat_error(
                405,
                &format!(
                    "The {} method is not supported for this route. Supported methods: {method}.",
                    req.method
                ),
            );
        }
        if req.header("x-requested-with") != Some("XMLHttpRequest") {
            return kriptomat_error(
                400,
                "Send X-Requested-With: XMLHttpRequest: this API answers AJAX calls only.",
            );
        }
        if route != Route::Login && !self.authorized(req, now_ms) {
            return kriptomat_error(401, "Unauthenticated.");
        }
        let body = if method == "POST" {
            match req.json_body() {
                Some(Value::Object(m)) => m,
                _ => return kriptomat_error(400, "The request body must be a JSON object."),
            }
        } else {
            Map::new()
        };
        match route {
            Route::Login => self.login(&body, now_ms),
            Route::CreateUser => self.create_user(&body, scenario, now_ms),
            Route::ShowUser(id) => match self.user(id) {
                Some(u) => ok(200, user_view(u, scenario, now_ms)),
                None => kriptomat_error(404, "User not found."),
            },
            Route::KycImport(id) => self.kyc_import(id, &body, now_ms),
            Route::Buy(id) => self.buy(id, &body, scenario, now_ms),
            Route::ShowTransaction(id, tx) => self.show_transaction(id, tx, scenario, now_ms),
        }
    }

    fn authorized(&self, req: &FakeRequest, now_ms: i64) -> bool {
        req.bearer()
            .and_then(|t| self.sessions.get(t))
            .is_some_and(|ends| now_ms < *ends)
    }

    fn user(&self, id: &str) -> Option<&User> {
        self.users.get(&id.parse::<u64>().ok()?)
    }

    fn login(&mut self, body: &Map<String, Value>, now_ms: i64) -> HttpResponse {
        let mut errors = Errors::new();
        let email = required_str(body, "email", &mut errors);
        let password = required_str(body, "password", &mut errors);
        let client_id = match body.get("client_id") {
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            None | Some(Value::Null) | Some(Value::String(_)) => {
                errors.push(("client_id", "The client id field is required.".into()));
                None
            }
            Some(_) => {
                errors.push(("client_id", "The client id must be an integer.".into()));
                None
            }
        };
        let client_secret = required_str(body, "client_secret", &mut errors);
        let code = required_str(body, "security_code", &mut errors);
        let (Some(email), Some(password), Some(client_id), Some(client_secret), Some(code)) =
            (email, password, client_id, client_secret, code)
        else {
            return invalid_fields(&errors);
        };
        if email != SANDBOX_EMAIL
            || password != SANDBOX_PASSWORD
            || client_id != SANDBOX_CLIENT_ID
            || client_secret != SANDBOX_CLIENT_SECRET
        {
            return kriptomat_error(401, "These credentials do not match our records.");
        }
        // Google Authenticator codes: the current 30 s step, or one step either side for drift.
        let key = base32_decode(SANDBOX_TOTP_SECRET).unwrap_or_default();
        let step = totp_step(time::unix_seconds(now_ms));
        let accepted = [step.saturating_sub(1), step, step + 1]
            .iter()
            .any(|s| hotp(&key, *s, TOTP_DIGITS) == code);
        if !accepted {
            return invalid_fields(&[(
                "security_code",
                "The security code is invalid or expired.".into(),
            )]);
        }
        let token = format!("kmt-sbx-{}", self.next_uuid());
        self.sessions.insert(token.clone(), now_ms + SESSION_MS);
        ok(
            200,
            json!({ "access_token": token, "token_type": "Bearer", "expires_in": SESSION_MS / 1000 }),
        )
    }

    fn create_user(
        &mut self,
        body: &Map<String, Value>,
        scenario: Scenario,
        now_ms: i64,
    ) -> HttpResponse {
        let mut errors = Errors::new();
        let mut fields = Map::new();
        for field in USER_FIELDS {
            if field == "building_number" {
                match body.get(field) {
                    None | Some(Value::Null) => continue,
                    Some(Value::String(s)) if s.len() <= 32 => {
                        fields.insert(field.into(), Value::String(s.clone()));
                    }
                    Some(_) => errors.push((field, "The building number must be a string.".into())),
                }
                continue;
            }
            let Some(v) = required_str(body, field, &mut errors) else {
                continue;
            };
            let bad = match field {
                "email" if !is_email(v) => {
                    Some("The email must be a valid email address.".to_string())
                }
                "email"
                    if self
                        .users
                        .values()
                        .any(|u| u.fields.get("email").and_then(Value::as_str) == Some(v)) =>
                {
                    Some("The email has already been taken.".to_string())
                }
                "phone" if !is_e164(v) => Some("The phone format is invalid.".to_string()),
                "country" if !is_alpha3(v) => Some("The selected country is invalid.".to_string()),
                "date_of_birth" => match time::parse_ymd(v) {
                    None => Some("The date of birth does not match the format Y-m-d.".to_string()),
                    Some((y, m, d))
                        if time::days_from_civil(y, m, d) >= time::day_of_ms(now_ms) =>
                    {
                        Some("The date of birth must be a date before today.".to_string())
                    }
                    Some(_) => None,
                },
                _ => None,
            };
            match bad {
                Some(msg) => errors.push((field, msg)),
                None => {
                    fields.insert(field.into(), Value::String(v.to_string()));
                }
            }
        }
        if !errors.is_empty() {
            return invalid_fields(&errors);
        }
        let id = self.next_id(1000);
        let user = User {
            id,
            fields,
            imported_at_ms: None,
            applicant_id: None,
        };
        let view = user_view(&user, scenario, now_ms);
        self.users.insert(id, user);
        ok(201, view)
    }

    fn kyc_import(&mut self, id: &str, body: &Map<String, Value>, now_ms: i64) -> HttpResponse {
        let Some((user_id, imported)) = self.user(id).map(|u| (u.id, u.applicant_id.clone()))
        else {
            return kriptomat_error(404, "User not found.");
        };
        let mut errors = Errors::new();
        let Some(token) = required_str(body, "token", &mut errors) else {
            return invalid_fields(&errors);
        };
        let refusal = match self.share_tokens.get(token) {
            None => Some("The share token is invalid."),
            Some(t) if t.used => Some("The share token has already been used."),
            Some(t) if now_ms >= t.expires_ms => Some("The share token has expired."),
            Some(t) if t.for_client_id != SANDBOX_FOR_CLIENT_ID => {
                Some("The share token was not issued for Kriptomat.")
            }
            Some(t) if imported.as_ref().is_some_and(|a| *a != t.applicant_id) => {
                Some("The user already holds KYC imported from another applicant.")
            }
            Some(_) => None,
        };
        if let Some(msg) = refusal {
            return invalid_fields(&[("token", msg.to_string())]);
        }
        let applicant = self.share_tokens.get_mut(token).map(|t| {
            t.used = true;
            t.applicant_id.clone()
        });
        if let Some(u) = self.users.get_mut(&user_id) {
            u.imported_at_ms.get_or_insert(now_ms);
            u.applicant_id = applicant;
        }
        HttpResponse::json(200, &json!({ "status": true }))
    }

    fn buy(
        &mut self,
        id: &str,
        body: &Map<String, Value>,
        scenario: Scenario,
        now_ms: i64,
    ) -> HttpResponse {
        let Some(user) = self.user(id).cloned() else {
            return kriptomat_error(404, "User not found.");
        };
        let mut errors = Errors::new();
        let amount = required_str(body, "amount", &mut errors);
        let pair = required_str(body, "pair", &mut errors);
        let key = required_str(body, "idempotency_key", &mut errors);
        if amount.is_some_and(|a| !is_amount(a)) {
            errors.push(("amount", "The amount format is invalid.".into()));
        }
        let pair_ok = |p: &str| {
            ASSETS.iter().any(|a| {
                FIATS
                    .iter()
                    .any(|f| p.len() == a.len() + f.len() && p.starts_with(a) && p.ends_with(f))
            })
        };
        if pair.is_some_and(|p| !pair_ok(p)) {
            errors.push(("pair", "The selected pair is invalid.".into()));
        }
        let (Some(amount), Some(pair), Some(key), true) = (amount, pair, key, errors.is_empty())
        else {
            return invalid_fields(&errors);
        };
        let fingerprint = format!("{}|{amount}|{pair}", user.id);
        if let Some((seen, tx)) = self.buys.get(key) {
            return if *seen == fingerprint {
                ok(200, json!({ "transaction_id": tx }))
            } else {
                kriptomat_error(
                    422,
                    "The idempotency key has already been used with different parameters.",
                )
            };
        }
        let (kyc, edd) = user.kyc(scenario, now_ms);
        if kyc != "passed" || edd == "required" {
            return kriptomat_error(403, "The user has not passed KYC verification.");
        }
        let tx = self.next_id(5000);
        self.transactions.insert(
            tx,
            Transaction {
                id: tx,
                user_id: user.id,
                amount: amount.to_string(),
                pair: pair.to_string(),
                created_ms: now_ms,
            },
        );
        self.buys.insert(key.to_string(), (fingerprint, tx));
        self.notes
            .push(FakeNote::order_created(user.id.to_string(), tx.to_string()));
        ok(200, json!({ "transaction_id": tx }))
    }

    fn show_transaction(
        &self,
        id: &str,
        tx: &str,
        scenario: Scenario,
        now_ms: i64,
    ) -> HttpResponse {
        let Some(user) = self.user(id) else {
            return kriptomat_error(404, "User not found.");
        };
        let Some(t) = tx
            .parse::<u64>()
            .ok()
            .and_then(|n| self.transactions.get(&n))
            .filter(|t| t.user_id == user.id)
        else {
            return kriptomat_error(404, "Transaction not found.");
        };
        let state = if now_ms < t.created_ms + TX_PENDING_MS {
            "PENDING"
        } else if scenario == Scenario::OrderError {
            "ERROR"
        } else {
            "SUCCESS"
        };
        ok(
            200,
            json!({ "transaction_id": t.id, "type": "buy", "pair": t.pair, "amount": t.amount, "state": state }),
        )
    }
}

/// The user as "Show user" returns it.
fn user_view(u: &User, scenario: Scenario, now_ms: i64) -> Value {
    let mut v = u.fields.clone();
    let (kyc, edd) = u.kyc(scenario, now_ms);
    v.insert("id".into(), json!(u.id));
    v.insert("status".into(), json!("active"));
    v.insert("kyc_status".into(), json!(kyc));
    v.insert("edd_status".into(), json!(edd));
    Value::Object(v)
}
