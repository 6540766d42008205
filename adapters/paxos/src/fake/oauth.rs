//! `POST /oauth2/token`: client credentials grant with form fields, as in the seed.

use super::{problem, PaxosFake};
use crate::{SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET};
use rampsim_plugin_sdk::{FakeRequest, HttpResponse};
use serde_json::json;

pub const EXPIRES_IN_S: i64 = 3599;

/// The scopes the sandbox API key is provisioned with (identity write scopes enabled by Support).
pub const KEY_SCOPES: &[&str] = &[
    "identity:read_identity",
    "identity:write_identity",
    "identity:read_account",
    "identity:write_account",
    "exchange:read_order",
    "exchange:write_order",
    "funding:read_profile",
    "funding:write_profile",
];

#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub scopes: Vec<String>,
    pub expires_at_ms: i64,
}

/// An OAuth error as a problem body; `meta.error` carries the RFC 6749 error code.
fn oauth_error(status: u16, code: &str, detail: &str) -> HttpResponse {
    let title = if status == 401 {
        "Unauthorized"
    } else {
        "Bad Request"
    };
    problem(
        status,
        "about:blank",
        title,
        detail,
        Some(json!({ "error": code })),
    )
}

pub fn token(fake: &mut PaxosFake, req: &FakeRequest, now: i64) -> HttpResponse {
    let ctype = req
        .header("content-type")
        .unwrap_or("application/x-www-form-urlencoded");
    if !ctype
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return oauth_error(
            400,
            "invalid_request",
            "token requests must be application/x-www-form-urlencoded",
        );
    }
    let form = req.form_body();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match field("grant_type") {
        None | Some("") => return oauth_error(400, "invalid_request", "grant_type is required"),
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                400,
                "unsupported_grant_type",
                "only grant_type client_credentials is supported",
            )
        }
    }
    match (field("client_id"), field("client_secret")) {
        (Some(SANDBOX_CLIENT_ID), Some(SANDBOX_CLIENT_SECRET)) => {}
        (None | Some(""), _) | (_, None | Some("")) => {
            return oauth_error(
                401,
                "invalid_client",
                "client_id and client_secret are required",
            )
        }
        _ => return oauth_error(401, "invalid_client", "client authentication failed"),
    }
    let requested: Vec<String> = field("scope")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if let Some(bad) = requested.iter().find(|s| !KEY_SCOPES.contains(&s.as_str())) {
        return oauth_error(
            400,
            "invalid_scope",
            &format!("the API key is not allowed the scope {bad}"),
        );
    }
    let value = format!("pxsbx-{}", fake.new_id("token").replace('-', ""));
    let scope = requested.join(" ");
    fake.tokens.insert(
        value.clone(),
        IssuedToken {
            scopes: requested,
            expires_at_ms: now.saturating_add(EXPIRES_IN_S * 1000),
        },
    );
    HttpResponse::json(
        200,
        &json!({ "access_token": value, "expires_in": EXPIRES_IN_S, "scope": scope, "token_type": "bearer" }),
    )
}
