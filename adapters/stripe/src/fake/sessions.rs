//! `POST /v1/crypto/onramp_sessions` for a crypto customer: refused with a 400 while a
//! verification is pending, or when the amount is above what the customer's verified tier may
//! buy (the three `crypto_onramp_missing_*` codes); otherwise a session awaiting payment.

use super::{invalid_request, no_such_customer, Params, Scenario, StripeFake};
use crate::adapter::{
    CODE_MISSING_DOCUMENT, CODE_MISSING_IDENTITY, CODE_MISSING_MINIMUM, CODE_VERIFICATION_PENDING,
};
use crate::tiers::{Tier, TierStatus};
use rampsim_plugin_sdk::time;
use rampsim_plugin_sdk::{FakeNote, HttpResponse};
use serde_json::json;

const SOURCE_CURRENCIES: [&str; 2] = ["usd", "eur"];

/// Destination currencies and the networks each is delivered on.
const DESTINATIONS: [(&str, &[&str]); 7] = [
    ("btc", &["bitcoin"]),
    ("eth", &["ethereum", "base", "optimism"]),
    (
        "usdc",
        &[
            "ethereum",
            "solana",
            "polygon",
            "base",
            "avalanche",
            "stellar",
            "optimism",
        ],
    ),
    ("sol", &["solana"]),
    ("pol", &["polygon"]),
    ("xlm", &["stellar"]),
    ("avax", &["avalanche"]),
];

const ALLOWED: [&str; 8] = [
    "crypto_customer_id",
    "wallet_address",
    "source_amount",
    "source_currency",
    "destination_currency",
    "destination_network",
    "customer_ip_address",
    "payment_token",
];

/// `"100.00"` -> 10000 cents; at most two decimals.
pub fn cents(amount: &str) -> Option<u64> {
    let (whole, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    if amount.contains('.') && frac.is_empty() {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let frac: u64 = format!("{frac:0<2}").parse().ok()?;
    Some(whole * 100 + frac)
}

fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

impl StripeFake {
    pub(crate) fn create_session(
        &mut self,
        params: &Params,
        scenario: Scenario,
        now_ms: i64,
    ) -> HttpResponse {
        let checked = (|| {
            params.unknown(|k| {
                ALLOWED.contains(&k) || (k.starts_with("metadata[") && k.ends_with(']'))
            })?;
            for key in &ALLOWED[..6] {
                params.required(key)?;
            }
            Ok(())
        })();
        if let Err(r) = checked {
            return r;
        }
        let p = |k: &str| params.get(k).unwrap_or_default();
        let (customer_id, wallet, amount, currency, dest, network) = (
            p("crypto_customer_id"),
            p("wallet_address"),
            p("source_amount"),
            p("source_currency"),
            p("destination_currency"),
            p("destination_network"),
        );
        let Some(amount_cents) = cents(amount).filter(|c| *c > 0) else {
            return invalid_request(
                None,
                &format!("Invalid decimal: {amount}"),
                Some("source_amount"),
            );
        };
        if !SOURCE_CURRENCIES.contains(&currency) {
            return invalid_request(
                None,
                &format!(
                    "Invalid source_currency: must be one of {}",
                    SOURCE_CURRENCIES.join(", ")
                ),
                Some("source_currency"),
            );
        }
        let Some((_, networks)) = DESTINATIONS.iter().find(|(c, _)| *c == dest) else {
            let names: Vec<&str> = DESTINATIONS.iter().map(|(c, _)| *c).collect();
            return invalid_request(
                None,
                &format!(
                    "Invalid destination_currency: must be one of {}",
                    names.join(", ")
                ),
                Some("destination_currency"),
            );
        };
        if !networks.contains(&network) {
            return invalid_request(
                None,
                &format!("destination_currency '{dest}' is not supported on destination_network '{network}'."),
                Some("destination_network"),
            );
        }
        let wallet_ok =
            (20..=128).contains(&wallet.len()) && wallet.bytes().all(|b| b.is_ascii_alphanumeric());
        if !wallet_ok {
            return invalid_request(None, "Invalid wallet_address.", Some("wallet_address"));
        }
        let Some(customer) = self.customers.get(customer_id) else {
            return no_such_customer(customer_id, 400, "crypto_customer_id");
        };
        if let Some(refusal) = kyc_gate(customer, scenario, now_ms, amount_cents, currency) {
            return refusal;
        }
        let user = customer
            .metadata
            .get("ref_id")
            .cloned()
            .unwrap_or_else(|| customer.id.clone());
        let id = self.next_id("cos");
        let session = json!({
            "id": id,
            "object": "crypto.onramp_session",
            "client_secret": format!("{id}_secret_rampsimSandbox{:08}", self.session_count() + 1),
            "created": time::unix_seconds(now_ms),
            "livemode": false,
            "crypto_customer_id": customer_id,
            "kyc_details_provided": true,
            "metadata": {},
            "redirect_url": null,
            // No payment_token yet: the user still has to pay inside Stripe's flow.
            "status": "requires_payment",
            "transaction_details": {
                "destination_amount": null,
                "destination_currency": dest,
                "destination_network": network,
                "fees": null,
                "lock_wallet_address": true,
                "source_amount": money(amount_cents),
                "source_currency": currency,
                "supported_destination_currencies": [dest],
                "supported_destination_networks": [network],
                "transaction_id": null,
                "wallet_address": wallet,
            },
        });
        self.notes.push(FakeNote::order_created(user, id.clone()));
        self.sessions.insert(id, session.clone());
        HttpResponse::json(200, &session)
    }
}

/// The 400 that stops a purchase at this customer's tiers, if any.
fn kyc_gate(
    customer: &super::Customer,
    scenario: Scenario,
    now_ms: i64,
    amount_cents: u64,
    currency: &str,
) -> Option<HttpResponse> {
    let status = |t| customer.status(t, scenario, now_ms);
    if Tier::ALL.iter().any(|t| status(*t) == TierStatus::Pending) {
        return Some(invalid_request(
            Some(CODE_VERIFICATION_PENDING),
            "The crypto customer has an identity verification in progress. Retry once no verification is pending.",
            None,
        ));
    }
    let started = |t| !matches!(status(t), TierStatus::NotStarted | TierStatus::NotAvailable);
    if !started(Tier::L0) && !started(Tier::L1) {
        return Some(invalid_request(
            Some(CODE_MISSING_MINIMUM),
            "The customer has not submitted the minimum identity information (name, phone, email and address).",
            Some("crypto_customer_id"),
        ));
    }
    let limit = Tier::ALL
        .iter()
        .filter(|t| status(**t) == TierStatus::Verified)
        .map(|t| scenario.limit_cents(*t))
        .max()
        .unwrap_or(0);
    if amount_cents <= limit {
        return None;
    }
    let (code, message) = if amount_cents <= scenario.limit_cents(Tier::L1) {
        (
            CODE_MISSING_IDENTITY,
            format!(
                "This purchase requires L1 identity verification (date of birth and SSN); the customer may buy up to {} {currency} per order.",
                money(limit)
            ),
        )
    } else if amount_cents <= scenario.limit_cents(Tier::L2) {
        (
            CODE_MISSING_DOCUMENT,
            format!(
                "This purchase requires L2 document verification (photo ID and selfie); the customer may buy up to {} {currency} per order.",
                money(limit)
            ),
        )
    } else {
        (
            "amount_too_large",
            format!(
                "The amount is above the largest purchase allowed per order ({} {currency}).",
                money(scenario.limit_cents(Tier::L2))
            ),
        )
    };
    Some(invalid_request(Some(code), &message, Some("source_amount")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_cents() {
        assert_eq!(cents("100.00"), Some(10_000));
        assert_eq!(cents("100"), Some(10_000));
        assert_eq!(cents("0.5"), Some(50));
        assert_eq!(cents("1."), None);
        assert_eq!(cents("1.001"), None);
        assert_eq!(cents("-1"), None);
        assert_eq!(cents("1e3"), None);
        assert_eq!(money(5_000), "50.00");
    }
}
