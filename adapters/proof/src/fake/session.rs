//! Widget sessions (refused with the seed's 422 for unverified users) and their transactions,
//! which move pending -> processing -> completed (or failed) with sandbox time.

use super::{
    error, invalid, ProofFake, KYC_REQUIRED_MESSAGE, PENDING_MS, SETTLE_MS, TRANSACTION_FAILED,
};
use crate::convert::{is_currency, is_decimal_amount, is_partner_user_id, NETWORKS};
use hmac::{Hmac, Mac};
use rampsim_plugin_sdk::time::rfc3339_seconds_from_ms;
use rampsim_plugin_sdk::{FakeNote, FakeRequest, HttpResponse};
use serde_json::{json, Map, Value};
use sha2::Sha512;

/// The fake's session-signing key (a real partner gets Proof's from its dashboard).
pub const SIGNING_KEY: &[u8] = b"rampsim-proof-sandbox-signing-key";

/// `"v2:" + hex(HMAC-SHA512(key, id|widget_id|partner_user_id|type|network|currency|amount))`.
/// ASSUMED layout: the seed shows only the `v2:` + 128 hex format.
pub fn session_signature(fields: &[&str]) -> String {
    let mut mac = match Hmac::<Sha512>::new_from_slice(SIGNING_KEY) {
        Ok(m) => m,
        Err(_) => return String::new(), // HMAC takes keys of any length; never reached
    };
    mac.update(fields.join("|").as_bytes());
    format!("v2:{}", hex::encode(mac.finalize().into_bytes()))
}

pub(super) struct Transaction {
    id: String,
    partner_user_id: String,
    kind: String,
    network: String,
    currency: String,
    amount: String,
    created_ms: i64,
    fails: bool,
}

impl Transaction {
    fn status(&self, now_ms: i64) -> (&'static str, i64) {
        let age = now_ms - self.created_ms;
        if age < PENDING_MS {
            ("pending", self.created_ms)
        } else if age < SETTLE_MS {
            ("processing", self.created_ms + PENDING_MS)
        } else if self.fails {
            ("failed", self.created_ms + SETTLE_MS)
        } else {
            ("completed", self.created_ms + SETTLE_MS)
        }
    }

    fn to_json(&self, now_ms: i64) -> Value {
        let (status, since) = self.status(now_ms);
        json!({
            "merchant_transaction_id": self.id,
            "partner_user_id": self.partner_user_id,
            "type": self.kind,
            "network": self.network,
            "currency": self.currency,
            "amount": self.amount,
            "status": status,
            "created_at": rfc3339_seconds_from_ms(self.created_ms),
            "updated_at": rfc3339_seconds_from_ms(since),
        })
    }
}

/// splitmix64: deterministic, well-spread ids from a counter.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn uuid(seq: u64) -> String {
    let (a, b) = (mix(seq), mix(seq ^ 0xC0FF_EE00));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48 & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// A required string field, or the 400 naming it.
fn field<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a str, HttpResponse> {
    match body.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(invalid("missing_field", format!("{key} is required")))
        }
        Some(_) => Err(invalid("invalid_field", format!("{key} must be a string"))),
    }
}

type SessionFields<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);

fn validate(body: &Map<String, Value>) -> Result<SessionFields<'_>, HttpResponse> {
    let user = field(body, "partner_user_id")?;
    let email = field(body, "user_email")?;
    let network = field(body, "network")?;
    let currency = field(body, "currency")?;
    let amount = field(body, "amount")?;
    let kind = field(body, "type")?;
    if !is_partner_user_id(user) {
        return Err(super::kyc::bad_user_id());
    }
    if !email
        .split_once('@')
        .is_some_and(|(a, d)| !a.is_empty() && d.contains('.'))
    {
        return Err(invalid(
            "invalid_email",
            "user_email must be a valid email address",
        ));
    }
    if !NETWORKS.contains(&network) {
        return Err(invalid(
            "invalid_network",
            format!("network must be one of {}", NETWORKS.join(", ")),
        ));
    }
    if !is_currency(currency) {
        return Err(invalid(
            "invalid_currency",
            "currency must be an ISO 4217 code (USD)",
        ));
    }
    if !is_decimal_amount(amount) {
        return Err(invalid(
            "invalid_amount",
            "amount must be a positive decimal string",
        ));
    }
    if !matches!(kind, "buy" | "sell") {
        return Err(invalid("invalid_type", "type must be one of buy, sell"));
    }
    Ok((user, email, network, currency, amount, kind))
}

impl ProofFake {
    pub(super) fn create_session(
        &mut self,
        req: &FakeRequest,
        now_ms: i64,
        scenario: &str,
    ) -> HttpResponse {
        let body = match serde_json::from_str::<Value>(&req.body) {
            Ok(Value::Object(m)) => m,
            _ => return invalid("invalid_json", "The request body must be a JSON object"),
        };
        let (user, _email, network, currency, amount, kind) = match validate(&body) {
            Ok(f) => f,
            Err(r) => return r,
        };
        if !self.is_verified(user, now_ms) {
            self.know(user);
            // The seed's body, exactly: no `code` field here.
            return HttpResponse::json(
                422,
                &json!({ "error": "kyc_required", "message": KYC_REQUIRED_MESSAGE, "partner_user_id": user }),
            );
        }
        self.seq += 1;
        let id = uuid(self.seq);
        let widget_id = format!("wdg_{:016x}", mix(self.seq ^ 0x5769_6467));
        let init_token = format!(
            "it_{:016x}{:016x}",
            mix(self.seq ^ 0x1A17),
            mix(self.seq ^ 0x70CE)
        );
        let signature =
            session_signature(&[&id, &widget_id, user, kind, network, currency, amount]);
        let tx = Transaction {
            id: id.clone(),
            partner_user_id: user.to_string(),
            kind: kind.to_string(),
            network: network.to_string(),
            currency: currency.to_string(),
            amount: amount.to_string(),
            created_ms: now_ms,
            fails: scenario == TRANSACTION_FAILED,
        };
        let answer = json!({
            "merchant_transaction_id": id,
            "widget_id": widget_id,
            "init_token": init_token,
            "signature": signature,
            "partner_user_id": user,
            "type": kind,
            "network": network,
            "currency": currency,
            "amount": amount,
            "status": "pending",
            "expires_at": rfc3339_seconds_from_ms(now_ms + 15 * 60_000),
        });
        self.notes.push(FakeNote::order_created(user, id.clone()));
        self.transactions.insert(id, tx);
        HttpResponse::json(200, &answer)
    }

    pub(super) fn transaction(&self, id: &str, now_ms: i64) -> HttpResponse {
        match self.transactions.get(id) {
            Some(t) => HttpResponse::json(200, &t.to_json(now_ms)),
            None => error(
                404,
                "not_found",
                "transaction_not_found",
                format!("No transaction {id}"),
            ),
        }
    }
}
