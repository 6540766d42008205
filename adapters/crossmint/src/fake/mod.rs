//! Crossmint's staging API as a pure function of (state, request, time, scenario): routing,
//! the X-API-KEY check with scopes, and the `{"error": true, "message"}` error shape.

mod orders;
mod users;

use crate::{SANDBOX_API_KEY, SANDBOX_API_KEY_NO_ORDERS};
use rampsim_plugin_sdk::{Fake, FakeNote, FakeRequest, HttpResponse};
use serde_json::json;
use std::collections::HashMap;

pub const APPROVED: &str = "approved";
pub const KYC_PROCESSING: &str = "kyc_processing";
pub const MISSING_KYC: &str = "missing_kyc";
pub const REJECTED: &str = "rejected";
pub const ORDER_FAILED_KYC: &str = "order_failed_kyc";
pub const MANUAL_KYC: &str = "manual_kyc";

/// How long eligibility stays pending-review after the trigger, in sandbox time.
pub const REVIEW_MS: i64 = 20_000;
/// How long an order sits in processing-kyc-verification in kyc_processing / order_failed_kyc.
pub const PROCESSING_MS: i64 = 30_000;

/// The seed's body for an order whose user has no (or insufficient) KYC data.
pub const MISSING_KYC_MESSAGE: &str =
    "Required full KYC user data is missing to complete the order";

/// Bodies larger than this are refused before parsing (four 10 MB files in base64 fit).
const MAX_BODY: usize = 64 * 1024 * 1024;

#[derive(Default)]
pub struct CrossmintFake {
    users: HashMap<String, users::User>,
    orders: HashMap<String, orders::Order>,
    order_seq: u64,
    /// One `order_created` per order really created, for the host's audit.
    notes: Vec<FakeNote>,
}

/// `{"error": true, "message": ...}`: the seed's error shape, used for every error (ASSUMED for
/// all but the missing-KYC one).
pub fn error(status: u16, message: impl Into<String>) -> HttpResponse {
    HttpResponse::json(status, &json!({ "error": true, "message": message.into() }))
}

/// The scope each route needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scope {
    UsersCreate,
    UsersRead,
    OrdersCreate,
    OrdersRead,
}

impl Scope {
    fn name(self) -> &'static str {
        match self {
            Scope::UsersCreate => "users.create",
            Scope::UsersRead => "users.read",
            Scope::OrdersCreate => "orders.create",
            Scope::OrdersRead => "orders.read",
        }
    }
}

fn scopes_of(key: &str) -> Option<&'static [Scope]> {
    match key {
        SANDBOX_API_KEY => Some(&[
            Scope::UsersCreate,
            Scope::UsersRead,
            Scope::OrdersCreate,
            Scope::OrdersRead,
        ]),
        SANDBOX_API_KEY_NO_ORDERS => {
            Some(&[Scope::UsersCreate, Scope::UsersRead, Scope::OrdersRead])
        }
        _ => None,
    }
}

enum Route<'a> {
    User(&'a str),
    LegalDocuments(&'a str),
    IdentityVerification(&'a str),
    Orders,
    Order(&'a str),
}

fn route<'a>(segments: &[&'a str]) -> Option<Route<'a>> {
    match segments {
        ["2025-06-09", "users", loc] => Some(Route::User(loc)),
        ["2025-06-09", "users", loc, "legal-documents"] => Some(Route::LegalDocuments(loc)),
        ["2025-06-09", "users", loc, "identity-verification"] => {
            Some(Route::IdentityVerification(loc))
        }
        ["2022-06-09", "orders"] => Some(Route::Orders),
        ["2022-06-09", "orders", id] => Some(Route::Order(id)),
        _ => None,
    }
}

/// Percent-decodes a path segment; `None` for a broken escape or non-UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Fake for CrossmintFake {
    fn new() -> Self {
        CrossmintFake::default()
    }

    fn handle(&mut self, req: &FakeRequest, now_ms: i64, scenario: &str) -> HttpResponse {
        let segments = req.segments();
        let Some(route) = route(&segments) else {
            return error(404, format!("Cannot {} {}", req.method, req.path));
        };
        let method = req.method.to_ascii_uppercase();
        let scope = match (&route, method.as_str()) {
            (Route::User(_), "PUT") | (Route::LegalDocuments(_), "PUT") => Scope::UsersCreate,
            (Route::IdentityVerification(_), "PUT") => Scope::UsersCreate,
            (Route::User(_), "GET") | (Route::IdentityVerification(_), "GET") => Scope::UsersRead,
            (Route::Orders, "POST") => Scope::OrdersCreate,
            (Route::Order(_), "GET") => Scope::OrdersRead,
            _ => {
                return error(
                    405,
                    format!("Method {} not allowed on {}", req.method, req.path),
                )
            }
        };
        let Some(key) = req
            .header("x-api-key")
            .map(str::trim)
            .filter(|k| !k.is_empty())
        else {
            return error(401, "Unauthorized: the X-API-KEY header is missing");
        };
        let Some(scopes) = scopes_of(key) else {
            return error(401, "Unauthorized: invalid API key");
        };
        if !scopes.contains(&scope) {
            return error(
                403,
                format!(
                    "Forbidden: the API key lacks the scope {} required for this call",
                    scope.name()
                ),
            );
        }
        if req.body.len() > MAX_BODY {
            return error(413, "Request body too large");
        }
        let decode = |raw: &str| {
            percent_decode(raw)
                .ok_or_else(|| error(400, "Invalid userLocator: bad percent-encoding"))
        };
        match route {
            Route::User(raw) => match decode(raw) {
                Ok(loc) if method == "PUT" => self.put_user(&loc, req, now_ms),
                Ok(loc) => self.get_user(&loc),
                Err(e) => e,
            },
            Route::LegalDocuments(raw) => match decode(raw) {
                Ok(loc) => self.put_legal(&loc, req),
                Err(e) => e,
            },
            Route::IdentityVerification(raw) => match decode(raw) {
                Ok(loc) => self.identity_verification(&loc, method == "PUT", now_ms, scenario),
                Err(e) => e,
            },
            Route::Orders => self.post_order(req, now_ms, scenario),
            Route::Order(id) => self.get_order(id, now_ms),
        }
    }

    fn take_notes(&mut self) -> Vec<FakeNote> {
        std::mem::take(&mut self.notes)
    }
}
