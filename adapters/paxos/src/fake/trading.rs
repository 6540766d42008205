//! Accounts (with their profile), orders on a profile, and sandbox deposits.

use super::{
    already_exists, bad_request, decimal_string, not_found_detail, problem, FieldError, PaxosFake,
    FILL_AFTER_MS, PROBLEM_INSUFFICIENT_FUNDS, SCENARIO_INSUFFICIENT_FUNDS,
};
use crate::convert::MARKETS;
use crate::formats;
use rampsim_plugin_sdk::time::rfc3339_from_ms;
use rampsim_plugin_sdk::{FakeNote, HttpResponse};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const ACCOUNT_TYPES: &[&str] = &[
    "BROKERAGE",
    "TRADITIONAL_IRA",
    "ROTH_IRA",
    "SEP_IRA",
    "FINANCIAL_ADVISOR",
];
/// "Any fields not listed are forbidden in this request" (Create Account), plus `type` from the seed.
const ACCOUNT_FIELDS: &[&str] = &[
    "identity_id",
    "description",
    "metadata",
    "ref_id",
    "members",
    "type",
];
const ORDER_FIELDS: &[&str] = &[
    "ref_id",
    "side",
    "market",
    "type",
    "base_amount",
    "price",
    "quote_amount",
    "metadata",
    "await_fill_millis",
    "time_in_force",
    "expiration_date",
    "identity_id",
    "identity_account_id",
    "stop_price",
    "recipient_profile_id",
    "self_match_prevention_id",
];
const ORDER_TYPES: &[&str] = &[
    "LIMIT",
    "MARKET",
    "POST_ONLY_LIMIT",
    "STOP_MARKET",
    "STOP_LIMIT",
];
const TIME_IN_FORCE: &[&str] = &["GTC", "FOK", "IOC", "GTT"];
/// Market orders above this notional are refused (the spec's table).
const MAX_MARKET_NOTIONAL: f64 = 500_000.0;
/// What a new sandbox profile holds in each fiat currency (an assumption; see README).
pub const STARTING_BALANCE: f64 = 10_000.0;

#[derive(Clone, Debug)]
pub struct AccountRecord {
    pub id: String,
    pub identity_id: String,
    pub ref_id: Option<String>,
    pub kind: String,
    pub description: Option<String>,
    pub metadata: Option<Value>,
    pub profile_id: Option<String>,
    pub created_ms: i64,
}

impl AccountRecord {
    fn render(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "identity_id": self.identity_id,
            "type": self.kind,
            "admin_disabled": false,
            "user_disabled": false,
            "created_at": rfc3339_from_ms(self.created_ms),
            "updated_at": rfc3339_from_ms(self.created_ms),
        });
        if let Some(r) = &self.ref_id {
            v["ref_id"] = json!(r);
        }
        if let Some(d) = &self.description {
            v["description"] = json!(d);
        }
        if let Some(m) = &self.metadata {
            v["metadata"] = m.clone();
        }
        if let Some(p) = &self.profile_id {
            v["profile_id"] = json!(p);
        }
        v
    }
}

#[derive(Clone, Debug, Default)]
pub struct ProfileRecord {
    pub balances: BTreeMap<String, f64>,
}

#[derive(Clone, Debug)]
pub struct OrderRecord {
    pub id: String,
    pub profile_id: String,
    /// The request as sent: a repeat with the same ref_id must be this exact body.
    pub request: Value,
    pub created_ms: i64,
}

impl OrderRecord {
    fn render(&self, now: i64) -> Value {
        let r = &self.request;
        let s = |k: &str| {
            r.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let is_market = s("type") == "MARKET";
        let filled = is_market && now >= self.created_ms.saturating_add(FILL_AFTER_MS);
        let status = match (filled, is_market) {
            (true, _) => "FILLED",
            (false, true) => "SUBMITTED",
            (false, false) => "OPEN",
        };
        let price = reference_price(&s("market"));
        let amount_filled = if filled {
            match (
                formats::decimal_value(&s("quote_amount")),
                formats::decimal_value(&s("base_amount")),
            ) {
                (Some(q), _) => q / price,
                (None, Some(b)) => b,
                _ => 0.0,
            }
        } else {
            0.0
        };
        let tif = r
            .get("time_in_force")
            .and_then(Value::as_str)
            .unwrap_or(if is_market { "IOC" } else { "GTC" });
        let mut v = json!({
            "id": self.id,
            "profile_id": self.profile_id,
            "ref_id": s("ref_id"),
            "status": status,
            "side": s("side"),
            "market": s("market"),
            "type": s("type"),
            "base_amount": s("base_amount"),
            "price": s("price"),
            "quote_amount": s("quote_amount"),
            "created_at": rfc3339_from_ms(self.created_ms),
            "modified_at": rfc3339_from_ms(if filled { self.created_ms.saturating_add(FILL_AFTER_MS) } else { self.created_ms }),
            "amount_filled": decimal_string(amount_filled, 8),
            "volume_weighted_average_price": decimal_string(if filled { price } else { 0.0 }, 8),
            "time_in_force": tif,
            "is_triggered": false,
        });
        for k in ["metadata", "identity_id", "identity_account_id"] {
            if let Some(x) = r.get(k) {
                v[k] = x.clone();
            }
        }
        v
    }
}

/// The fake's fill price for a market (fixed, so journeys are deterministic).
fn reference_price(market: &str) -> f64 {
    match market.get(..3) {
        Some("BTC") => 60_000.0,
        Some("ETH") => 3_000.0,
        Some("USD") => 1.0,
        _ => 100.0,
    }
}

/// `BTCUSD` -> (`BTC`, `USD`).
fn split_market(market: &str) -> (&str, &str) {
    let cut = market.len().saturating_sub(3);
    (
        market.get(..cut).unwrap_or_default(),
        market.get(cut..).unwrap_or_default(),
    )
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

pub fn create_account(
    fake: &mut PaxosFake,
    body: &Value,
    now: i64,
    scenario: &str,
) -> HttpResponse {
    let mut errors = Vec::new();
    let create_profile = match body.get("create_profile") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.push(FieldError::new("create_profile", "must be a boolean"));
            false
        }
    };
    let empty = Map::new();
    let account = match body.get("account") {
        Some(Value::Object(m)) => m,
        _ => {
            errors.push(FieldError::new("account", "is required"));
            &empty
        }
    };
    for k in account
        .keys()
        .filter(|k| !ACCOUNT_FIELDS.contains(&k.as_str()))
    {
        errors.push(FieldError::new(
            format!("account.{k}"),
            "is not allowed in create",
        ));
    }
    let text = |k: &str, errors: &mut Vec<FieldError>| match account.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(FieldError::new(format!("account.{k}"), "must be a string"));
            None
        }
    };
    let identity_id = text("identity_id", &mut errors).filter(|s| !s.is_empty());
    if identity_id.is_none() && !account.is_empty() {
        errors.push(FieldError::new("account.identity_id", "is required"));
    }
    let ref_id = text("ref_id", &mut errors).filter(|s| !s.is_empty());
    let description = text("description", &mut errors);
    let kind = text("type", &mut errors).unwrap_or_else(|| "BROKERAGE".into());
    if !ACCOUNT_TYPES.contains(&kind.as_str()) {
        errors.push(FieldError::new(
            "account.type",
            format!("must be one of {}", ACCOUNT_TYPES.join(", ")),
        ));
    }
    let metadata = account.get("metadata").cloned();
    if !errors.is_empty() {
        return bad_request(&errors);
    }
    let identity_id = identity_id.unwrap_or_default();
    let Some(identity) = fake.identities.get(&identity_id) else {
        return not_found_detail(&format!("identity not found: {identity_id}"));
    };
    let status = identity.state_at(now).status;
    if status != "APPROVED" {
        return problem(
            403,
            "about:blank",
            "Forbidden",
            &format!("identity {identity_id} is {status}: accounts can only be created for APPROVED identities"),
            None,
        );
    }
    if let Some(r) = &ref_id {
        if let Some(existing) = fake
            .accounts
            .values()
            .find(|a| a.ref_id.as_ref() == Some(r))
        {
            return already_exists("duplicate ref_id provided", existing.render());
        }
    }
    let profile_id = if create_profile {
        let pid = fake.new_id("profile");
        let mut profile = ProfileRecord::default();
        if scenario != SCENARIO_INSUFFICIENT_FUNDS {
            for fiat in ["USD", "EUR", "SGD"] {
                profile.balances.insert(fiat.into(), STARTING_BALANCE);
            }
        }
        fake.profiles.insert(pid.clone(), profile);
        Some(pid)
    } else {
        None
    };
    let id = fake.new_id("account");
    let rec = AccountRecord {
        id: id.clone(),
        identity_id,
        ref_id,
        kind,
        description,
        metadata,
        profile_id,
        created_ms: now,
    };
    let out = rec.render();
    fake.accounts.insert(id, rec);
    HttpResponse::json(200, &out)
}

pub fn get_account(fake: &PaxosFake, id: &str) -> HttpResponse {
    match fake.accounts.get(id) {
        Some(a) => HttpResponse::json(200, &a.render()),
        None => not_found_detail(&format!("account not found: {id}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

pub fn create_order(
    fake: &mut PaxosFake,
    profile_id: &str,
    body: &Value,
    now: i64,
) -> HttpResponse {
    if !fake.profiles.contains_key(profile_id) {
        return not_found_detail(&format!("profile not found: {profile_id}"));
    }
    let o = match check_order(body) {
        Ok(o) => o,
        Err(errors) => return bad_request(&errors),
    };
    if let Some(r) = &o.ref_id {
        if let Some(existing) = fake
            .orders
            .values()
            .find(|x| x.request.get("ref_id").and_then(Value::as_str) == Some(r))
        {
            if existing.request == *body && existing.profile_id == profile_id {
                return HttpResponse::json(200, &existing.render(now));
            }
            return already_exists(
                &format!("order already exists with ref_id '{r}'"),
                existing.render(now),
            );
        }
    }
    if let Some(refused) = check_trader(fake, profile_id, &o, now) {
        return refused;
    }
    let (base, quote) = split_market(&o.market);
    let (asset, needed) = match (o.side.as_str(), o.quote_amount, o.base_amount, o.price) {
        ("BUY", Some(q), _, _) => (quote, q),
        ("BUY", None, Some(b), Some(p)) => (quote, b * p),
        (_, _, Some(b), _) => (base, b),
        _ => (quote, 0.0),
    };
    if o.kind == "MARKET" && o.side == "BUY" && needed > MAX_MARKET_NOTIONAL {
        return problem(
            403,
            "https://developer.paxos.com/docs/v2/problems/notional-value-too-large",
            "Notional Value Too Large",
            &format!("notional value too large for {} MARKET order: maximum allowed notional value is 500000", o.market),
            Some(json!({ "market": o.market, "order_type": "MARKET", "max_notional_value": "500000" })),
        );
    }
    let balance = fake
        .profiles
        .get(profile_id)
        .and_then(|p| p.balances.get(asset))
        .copied()
        .unwrap_or(0.0);
    if needed > balance {
        return problem(
            403,
            PROBLEM_INSUFFICIENT_FUNDS,
            "Insufficient Funds",
            &format!(
                "insufficient {asset} funds in profile {profile_id}: {} needed, {} available",
                trim_amount(needed),
                trim_amount(balance)
            ),
            Some(json!({
                "profile_id": profile_id,
                "asset": asset,
                "available": trim_amount(balance),
                "needed": trim_amount(needed),
            })),
        );
    }
    if let Some(p) = fake.profiles.get_mut(profile_id) {
        p.balances.insert(asset.to_string(), balance - needed);
    }
    let id = fake.new_id("order");
    let rec = OrderRecord {
        id: id.clone(),
        profile_id: profile_id.to_string(),
        request: body.clone(),
        created_ms: now,
    };
    let out = rec.render(now);
    // The audit's user is the person's ref_id (the identity's), else the order's own ref_id.
    let user = o
        .identity_id
        .as_ref()
        .and_then(|i| fake.identities.get(i))
        .map(|i| i.ref_id.clone())
        .or(o.ref_id.clone())
        .unwrap_or_default();
    fake.notes.push(FakeNote::order_created(user, id.clone()));
    fake.orders.insert(id, rec);
    HttpResponse::json(200, &out)
}

pub fn get_order(fake: &PaxosFake, profile_id: &str, id: &str, now: i64) -> HttpResponse {
    match fake.orders.get(id).filter(|o| o.profile_id == profile_id) {
        Some(o) => HttpResponse::json(200, &o.render(now)),
        None => not_found_detail(&format!("order not found: {id}")),
    }
}

struct OrderInput {
    ref_id: Option<String>,
    side: String,
    market: String,
    kind: String,
    quote_amount: Option<f64>,
    base_amount: Option<f64>,
    price: Option<f64>,
    identity_id: Option<String>,
    identity_account_id: Option<String>,
}

fn check_order(body: &Value) -> Result<OrderInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let empty = Map::new();
    let m = body.as_object().unwrap_or(&empty);
    for k in m.keys().filter(|k| !ORDER_FIELDS.contains(&k.as_str())) {
        errors.push(FieldError::new(k.clone(), "unknown field"));
    }
    let mut s = |k: &str, allowed: Option<&[&str]>, required: bool| {
        field(m, k, allowed, required, &mut errors)
    };
    let ref_id = s("ref_id", None, false).filter(|r| !r.is_empty());
    let side = s("side", Some(&["BUY", "SELL"]), true).unwrap_or_default();
    let market = s("market", Some(MARKETS), true).unwrap_or_default();
    let kind = s("type", Some(ORDER_TYPES), true).unwrap_or_default();
    s("time_in_force", Some(TIME_IN_FORCE), false);
    let identity_id = s("identity_id", None, false);
    let identity_account_id = s("identity_account_id", None, false);
    let quote_amount = amount(m, "quote_amount", &mut errors);
    let base_amount = amount(m, "base_amount", &mut errors);
    let price = amount(m, "price", &mut errors);
    if let Some(Value::Object(md)) = m.get("metadata") {
        if md.len() > 6
            || md
                .iter()
                .any(|(k, v)| k.len() > 100 || v.as_str().is_none_or(|v| v.len() > 100))
        {
            errors.push(FieldError::new(
                "metadata",
                "up to 6 string pairs, each key and value at most 100 characters",
            ));
        }
    }
    match (kind.as_str(), side.as_str()) {
        ("MARKET", "BUY") if quote_amount.is_none() => errors.push(FieldError::new(
            "quote_amount",
            "is required for a MARKET BUY",
        )),
        ("MARKET", "SELL") if base_amount.is_none() => errors.push(FieldError::new(
            "base_amount",
            "is required for a MARKET SELL",
        )),
        ("LIMIT" | "POST_ONLY_LIMIT", _) if base_amount.is_none() || price.is_none() => errors
            .push(FieldError::new(
                "base_amount",
                "base_amount and price are required for a LIMIT order",
            )),
        _ => {}
    }
    if identity_id.is_some() != identity_account_id.is_some() {
        errors.push(FieldError::new(
            "identity_account_id",
            "identity_id and identity_account_id must be used together",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OrderInput {
        ref_id,
        side,
        market,
        kind,
        quote_amount,
        base_amount,
        price,
        identity_id,
        identity_account_id,
    })
}

/// A string field, checked against `allowed` when given.
fn field(
    m: &Map<String, Value>,
    k: &str,
    allowed: Option<&[&str]>,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match m.get(k) {
        None | Some(Value::Null) => {
            if required {
                errors.push(FieldError::new(k, "is required"));
            }
            None
        }
        Some(Value::String(v)) => {
            if let Some(a) = allowed.filter(|a| !a.contains(&v.as_str())) {
                errors.push(FieldError::new(
                    k,
                    format!("must be one of {}", a.join(", ")),
                ));
            }
            Some(v.clone())
        }
        Some(_) => {
            errors.push(FieldError::new(k, "must be a string"));
            None
        }
    }
}

/// A positive decimal amount field (`^[0-9]*\.?[0-9]+$`), as in the spec's Bad Request example.
fn amount(m: &Map<String, Value>, k: &str, errors: &mut Vec<FieldError>) -> Option<f64> {
    let v = field(m, k, None, false, errors)?;
    match formats::decimal_value(&v) {
        Some(x) if x > 0.0 => Some(x),
        _ => {
            errors.push(FieldError::new(
                k,
                format!("invalid amount '{v}': must be positive decimal"),
            ));
            None
        }
    }
}

/// The end user trading: the account must be the identity's and the profile's, and the identity
/// APPROVED (PENDING and DENIED identities cannot create orders).
fn check_trader(
    fake: &PaxosFake,
    profile_id: &str,
    o: &OrderInput,
    now: i64,
) -> Option<HttpResponse> {
    let (Some(identity_id), Some(account_id)) = (&o.identity_id, &o.identity_account_id) else {
        return None;
    };
    let account_ok = fake.accounts.get(account_id).is_some_and(|a| {
        &a.identity_id == identity_id && a.profile_id.as_deref() == Some(profile_id)
    });
    let identity = fake.identities.get(identity_id);
    if !account_ok || identity.is_none() {
        return Some(problem(
            400,
            "about:blank",
            "Bad Request",
            "InvalidIdentityAccountId",
            None,
        ));
    }
    let status = identity
        .map(|i| i.state_at(now).status)
        .unwrap_or("PENDING");
    (status != "APPROVED").then(|| {
        problem(
            403,
            "about:blank",
            "Forbidden",
            &format!("identity {identity_id} is {status}: it cannot create orders"),
            None,
        )
    })
}

fn trim_amount(v: f64) -> String {
    let s = decimal_string(v, 8);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Sandbox deposits
// ---------------------------------------------------------------------------------------------

pub fn deposit(fake: &mut PaxosFake, profile_id: &str, body: &Value) -> HttpResponse {
    let asset = body
        .get("asset")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let amount = body
        .get("amount")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut errors = Vec::new();
    if asset.is_empty() {
        errors.push(FieldError::new("asset", "is required"));
    }
    let value = formats::decimal_value(amount).filter(|v| *v > 0.0);
    if value.is_none() {
        errors.push(FieldError::new(
            "amount",
            "must be a positive decimal matching ^[0-9]*\\.?[0-9]+$",
        ));
    }
    if !errors.is_empty() {
        return bad_request(&errors);
    }
    if !fake.profiles.contains_key(profile_id) {
        return not_found_detail(&format!("profile not found: {profile_id}"));
    }
    let activity = fake.new_id("deposit");
    if let Some(p) = fake.profiles.get_mut(profile_id) {
        *p.balances.entry(asset).or_insert(0.0) += value.unwrap_or(0.0);
    }
    HttpResponse::json(200, &json!({ "activity_id": activity }))
}
