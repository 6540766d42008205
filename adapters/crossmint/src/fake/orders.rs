//! Onramp orders: validated, matched to a registered user through payment.receiptEmail, and
//! moving through payment statuses with sandbox time as the scenario says.

use super::users::{eligibility, Eligibility};
use super::{
    error, CrossmintFake, KYC_PROCESSING, MANUAL_KYC, MISSING_KYC, MISSING_KYC_MESSAGE,
    ORDER_FAILED_KYC, PROCESSING_MS, REJECTED,
};
use crate::convert::{is_decimal_amount, is_evm_address};
use rampsim_plugin_sdk::time::rfc3339_from_ms;
use rampsim_plugin_sdk::{FakeNote, FakeRequest, HttpResponse};
use serde_json::{json, Value};

/// How an order's payment.status moves.
#[derive(Clone, Copy)]
enum Plan {
    Fixed(&'static str),
    Then {
        until_ms: i64,
        before: &'static str,
        after: &'static str,
    },
}

pub(super) struct Order {
    id: String,
    created_ms: i64,
    plan: Plan,
    wallet: String,
    token_locator: String,
    amount: String,
    email: String,
}

impl Order {
    fn status(&self, now_ms: i64) -> &'static str {
        match self.plan {
            Plan::Fixed(s) => s,
            Plan::Then {
                until_ms,
                before,
                after,
            } => {
                if now_ms < until_ms {
                    before
                } else {
                    after
                }
            }
        }
    }

    fn to_json(&self, now_ms: i64) -> Value {
        let status = self.status(now_ms);
        let chain = self.token_locator.split(':').next().unwrap_or_default();
        json!({
            "orderId": self.id,
            "phase": "payment",
            "locale": "en-US",
            "lineItems": [{
                "chain": chain,
                "tokenLocator": self.token_locator,
                "executionParameters": { "mode": "exact-in", "amount": self.amount },
                "delivery": { "status": "awaiting-payment", "recipient": { "walletAddress": self.wallet } },
            }],
            "quote": {
                "status": "valid",
                "quotedAt": rfc3339_from_ms(self.created_ms),
                "expiresAt": rfc3339_from_ms(self.created_ms + 600_000),
                "totalPrice": { "amount": self.amount, "currency": "usd" },
            },
            "payment": {
                "method": "card",
                "currency": "usd",
                "status": status,
                "receiptEmail": self.email,
            },
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

/// The fields of a valid order request, or the 400 message naming the bad field.
fn validate(body: &Value) -> Result<(String, String, String, String), String> {
    if !body.is_object() {
        return Err("Request body must be a JSON object".into());
    }
    let text = |ptr: &str, name: &str| -> Result<String, String> {
        match body.pointer(ptr) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(Value::String(_)) | None | Some(Value::Null) => Err(format!("{name} is required")),
            Some(_) => Err(format!("{name} must be a string")),
        }
    };
    let wallet = text("/recipient/walletAddress", "recipient.walletAddress")?;
    let method = text("/payment/method", "payment.method")?;
    if method != "card" {
        return Err("payment.method must be one of: card".into());
    }
    let email = text("/payment/receiptEmail", "payment.receiptEmail")?;
    if !email.contains('@') {
        return Err("payment.receiptEmail must be a valid email address".into());
    }
    // lineItems: one object, or an array of exactly one (the sandbox sells one token).
    let item = match body.get("lineItems") {
        Some(v @ Value::Object(_)) => v,
        Some(Value::Array(a)) if a.len() == 1 => &a[0],
        Some(Value::Array(_)) => return Err("lineItems must hold exactly one line item".into()),
        _ => return Err("lineItems is required".into()),
    };
    let item_text = |key: &str, name: &str| -> Result<String, String> {
        match item.pointer(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            _ => Err(format!("{name} is required")),
        }
    };
    let token = item_text("/tokenLocator", "lineItems.tokenLocator")?;
    let Some((chain, address)) = token
        .split_once(':')
        .filter(|(c, a)| !c.is_empty() && !a.is_empty())
    else {
        return Err("lineItems.tokenLocator must be <chain>:<tokenAddress>".into());
    };
    let evm = !chain.starts_with("solana") && !chain.starts_with("stellar");
    if evm && !is_evm_address(address) {
        return Err(format!(
            "lineItems.tokenLocator: {address} is not a token address on {chain}"
        ));
    }
    if evm && !is_evm_address(&wallet) {
        return Err(format!(
            "recipient.walletAddress is not a valid {chain} address"
        ));
    }
    if item_text(
        "/executionParameters/mode",
        "lineItems.executionParameters.mode",
    )? != "exact-in"
    {
        return Err("lineItems.executionParameters.mode must be one of: exact-in".into());
    }
    let amount = item_text(
        "/executionParameters/amount",
        "lineItems.executionParameters.amount",
    )?;
    if !is_decimal_amount(&amount) {
        return Err(
            "lineItems.executionParameters.amount must be a positive decimal string".into(),
        );
    }
    Ok((wallet, email, token, amount))
}

impl CrossmintFake {
    pub(super) fn post_order(
        &mut self,
        req: &FakeRequest,
        now_ms: i64,
        scenario: &str,
    ) -> HttpResponse {
        let body: Value = match serde_json::from_str(&req.body) {
            Ok(v) => v,
            Err(_) => return error(400, "Request body must be a JSON object"),
        };
        let (wallet, email, token_locator, amount) = match validate(&body) {
            Ok(f) => f,
            Err(m) => return error(400, m),
        };
        // KYC data is linked to the order through the email (seed + current docs).
        let Some(user) = self.user_by_email(&email) else {
            return error(400, MISSING_KYC_MESSAGE);
        };
        let after = |s| Plan::Then {
            until_ms: now_ms + PROCESSING_MS,
            before: "processing-kyc-verification",
            after: s,
        };
        let plan = match (eligibility(user, now_ms, scenario), scenario) {
            (_, MISSING_KYC)
            | (Eligibility::RequiresData { .. } | Eligibility::PendingPrivacyPolicy, _) => {
                return error(400, MISSING_KYC_MESSAGE)
            }
            (Eligibility::Rejected, _) => Plan::Fixed("failed-kyc"),
            // The review has not decided yet: the order's own screen ends the same way.
            (_, REJECTED) => after("failed-kyc"),
            (_, KYC_PROCESSING) => after("awaiting-payment"),
            (_, ORDER_FAILED_KYC) => after("failed-kyc"),
            (_, MANUAL_KYC) => Plan::Fixed("manual-kyc"),
            // Full data present (the seed's success case), verified or not yet reviewed.
            _ => Plan::Fixed("awaiting-payment"),
        };
        let user_id = user.user_id().to_string();
        self.order_seq += 1;
        let order = Order {
            id: uuid(self.order_seq),
            created_ms: now_ms,
            plan,
            wallet,
            token_locator,
            amount,
            email,
        };
        let secret = format!(
            "_rampsim_cs_{:016x}{:016x}",
            mix(self.order_seq ^ 0x5EC2),
            mix(self.order_seq ^ 0x7)
        );
        let answer = json!({ "clientSecret": secret, "order": order.to_json(now_ms) });
        self.notes
            .push(FakeNote::order_created(user_id, order.id.clone()));
        self.orders.insert(order.id.clone(), order);
        HttpResponse::json(200, &answer)
    }

    pub(super) fn get_order(&self, id: &str, now_ms: i64) -> HttpResponse {
        match self.orders.get(id) {
            Some(o) => HttpResponse::json(200, &o.to_json(now_ms)),
            None => error(404, "Order not found"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_uuids_and_differ() {
        let a = uuid(1);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, uuid(2));
        assert_eq!(a, uuid(1));
    }
}
