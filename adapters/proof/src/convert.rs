//! Canonical profile -> the widget's fields: the partner's user id, the network enum
//! (TRC20/ERC20/BEP20), decimal-string amounts, and the document the sandbox widget uploads.

use rampsim_plugin_sdk::{PluginError, Profile};
use serde_json::{json, Value};

pub const NETWORKS: [&str; 3] = ["TRC20", "ERC20", "BEP20"];

/// Document types the widget's upload step takes (seed: "passport, national ID, or driver's
/// licence"); spellings ASSUMED.
pub const DOCUMENT_TYPES: [&str; 3] = ["passport", "national_id", "drivers_licence"];

fn invalid(field: &str, why: impl std::fmt::Display) -> PluginError {
    PluginError::invalid(format!("profile.{field}: {why}"))
}

/// The canonical chain name -> the token standard the widget names networks by.
pub fn network(v: &str) -> Result<&'static str, PluginError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "tron" | "trx" | "trc20" => Ok("TRC20"),
        "ethereum" | "eth" | "erc20" => Ok("ERC20"),
        "bsc" | "bnb" | "bnb-smart-chain" | "binance-smart-chain" | "bep20" => Ok("BEP20"),
        "" => Err(invalid("order.network", "is required by Proof (tron, ethereum or bsc)")),
        other => Err(invalid(
            "order.network",
            format!("`{other}` is not a network the Proof widget offers (tron -> TRC20, ethereum -> ERC20, bsc -> BEP20)"),
        )),
    }
}

/// The canonical document type -> the widget's upload choice; `None` when the widget has none.
pub fn document_type(kind: &str) -> Option<&'static str> {
    match kind {
        "passport" => Some("passport"),
        "id_card" => Some("national_id"),
        "driving_license" => Some("drivers_licence"),
        _ => None,
    }
}

/// ASSUMED: partner user ids are `[A-Za-z0-9._-]`, at most 128 characters.
pub fn is_partner_user_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 128
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub fn is_decimal_amount(v: &str) -> bool {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (!v.contains('.') || !frac.is_empty())
        && v.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

pub fn is_currency(v: &str) -> bool {
    v.len() == 3 && v.bytes().all(|b| b.is_ascii_uppercase())
}

/// `"v2:"` followed by 128 lower-case hex digits (an HMAC-SHA512).
pub fn is_signature(v: &str) -> bool {
    v.strip_prefix("v2:").is_some_and(|h| {
        h.len() == 128
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The `POST /widget/session` body for this profile, checked field by field.
pub fn session_body(p: &Profile) -> Result<Value, PluginError> {
    if !is_partner_user_id(&p.ref_id) {
        return Err(invalid(
            "ref_id",
            "must be 1-128 characters of A-Z a-z 0-9 . _ - (it is the partner_user_id)",
        ));
    }
    let email = p.email.trim();
    if !email
        .split_once('@')
        .is_some_and(|(a, d)| !a.is_empty() && d.contains('.'))
    {
        return Err(invalid(
            "email",
            "is not an email address (Proof needs user_email)",
        ));
    }
    let amount = p.order.amount.trim();
    if !is_decimal_amount(amount) {
        return Err(invalid(
            "order.amount",
            "must be a positive decimal string (\"100.00\")",
        ));
    }
    let currency = p.order.currency.trim();
    if !is_currency(currency) {
        return Err(invalid(
            "order.currency",
            "must be an ISO 4217 code in upper case (USD)",
        ));
    }
    Ok(json!({
        "partner_user_id": p.ref_id,
        "user_email": email,
        "network": network(&p.order.network)?,
        "currency": currency,
        "amount": amount,
        "type": "buy",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampsim_plugin_sdk::testing::sample_profile;

    #[test]
    fn sample_profile_session_body() {
        assert_eq!(
            session_body(&sample_profile()).unwrap(),
            json!({"partner_user_id": "user-billy-duncan-001", "user_email": "example@somemail.org",
                   "network": "ERC20", "currency": "USD", "amount": "100.00", "type": "buy"})
        );
    }

    #[test]
    fn networks_map_to_token_standards() {
        assert_eq!(network("tron").unwrap(), "TRC20");
        assert_eq!(network("Ethereum").unwrap(), "ERC20");
        assert_eq!(network("bsc").unwrap(), "BEP20");
        assert_eq!(network("BEP20").unwrap(), "BEP20");
        assert!(network("")
            .unwrap_err()
            .message
            .starts_with("profile.order.network"));
        assert!(network("solana").unwrap_err().message.contains("solana"));
    }

    #[test]
    fn documents_the_widget_takes() {
        assert_eq!(document_type("passport"), Some("passport"));
        assert_eq!(document_type("id_card"), Some("national_id"));
        assert_eq!(document_type("driving_license"), Some("drivers_licence"));
        assert_eq!(document_type("visa"), None);
    }

    #[test]
    fn refuses_by_field() {
        type Edit = fn(&mut Profile);
        let cases: Vec<(Edit, &str)> = vec![
            (|p| p.ref_id = "a/b".into(), "profile.ref_id"),
            (|p| p.email = "nobody".into(), "profile.email"),
            (|p| p.order.amount = "ten".into(), "profile.order.amount"),
            (
                |p| p.order.currency = "usd".into(),
                "profile.order.currency",
            ),
            (
                |p| p.order.network = "dogechain".into(),
                "profile.order.network",
            ),
        ];
        for (edit, field) in cases {
            let mut p = sample_profile();
            edit(&mut p);
            let e = session_body(&p).unwrap_err();
            assert!(e.message.starts_with(field), "{field}: {}", e.message);
        }
    }

    #[test]
    fn signatures() {
        assert!(is_signature(&format!("v2:{}", "ab".repeat(64))));
        assert!(!is_signature(&format!("v2:{}", "AB".repeat(64))));
        assert!(!is_signature(&format!("v1:{}", "ab".repeat(64))));
        assert!(!is_signature("v2:abc"));
    }
}
