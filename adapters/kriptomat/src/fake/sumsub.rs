//! The Sumsub half: `POST /resources/accessTokens/-/shareToken?applicantId=..&forClientId=..`,
//! signed with X-App-Token / X-App-Access-Ts / X-App-Access-Sig. Errors are Sumsub's
//! `{description, code, correlationId}`.

use super::{
    KriptomatFake, ShareToken, MAX_BODY, SANDBOX_FOR_CLIENT_ID, SANDBOX_SUMSUB_APP_TOKEN,
    SANDBOX_SUMSUB_SECRET_KEY, SHARE_TOKEN_TTL_SECS, TS_WINDOW_SECS,
};
use crate::adapter::SHARE_TOKEN_PATH;
use crate::crypto::sumsub_signature;
use rampsim_plugin_sdk::time;
use rampsim_plugin_sdk::{FakeRequest, HttpResponse};
use serde_json::json;

impl KriptomatFake {
    fn sumsub_error(&mut self, status: u16, description: &str) -> HttpResponse {
        let correlation = format!("req-{}", self.next_uuid());
        HttpResponse::json(
            status,
            &json!({ "description": description, "code": status, "correlationId": correlation }),
        )
    }

    pub(crate) fn sumsub(&mut self, req: &FakeRequest, now_ms: i64) -> HttpResponse {
        if req.body.len() > MAX_BODY {
            return self.sumsub_error(413, "Request entity too large");
        }
        // Every Sumsub call is signed; the check comes before routing, as at Sumsub.
        if req.header("x-app-token") != Some(SANDBOX_SUMSUB_APP_TOKEN) {
            return self.sumsub_error(401, "App token is missing or not valid");
        }
        let Some(ts) = req
            .header("x-app-access-ts")
            .and_then(|t| t.trim().parse::<i64>().ok())
        else {
            return self.sumsub_error(
                401,
                "X-App-Access-Ts header is missing or not a Unix timestamp",
            );
        };
        if (time::unix_seconds(now_ms) - ts).abs() > TS_WINDOW_SECS {
            return self.sumsub_error(401, "Request timestamp is too far from the current time");
        }
        let expected = sumsub_signature(
            SANDBOX_SUMSUB_SECRET_KEY,
            &ts.to_string(),
            &req.method,
            &req.path_and_query(),
            &req.body,
        );
        if req.header("x-app-access-sig") != Some(expected.as_str()) {
            return self.sumsub_error(401, "Request signature mismatch");
        }
        if req.path != SHARE_TOKEN_PATH {
            return self.sumsub_error(404, "Not found");
        }
        if req.method != "POST" {
            return self.sumsub_error(405, "Method not allowed");
        }
        self.share_token(req, now_ms)
    }

    fn share_token(&mut self, req: &FakeRequest, now_ms: i64) -> HttpResponse {
        let Some(applicant_id) = req.query_param("applicantId").filter(|a| !a.is_empty()) else {
            return self.sumsub_error(400, "Required parameter 'applicantId' is missing");
        };
        let Some(for_client_id) = req.query_param("forClientId").filter(|c| !c.is_empty()) else {
            return self.sumsub_error(400, "Required parameter 'forClientId' is missing");
        };
        // The sandbox holds an approved applicant under any well-formed id.
        let well_formed = applicant_id.len() <= 64
            && applicant_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return self.sumsub_error(404, &format!("Applicant not found: {applicant_id}"));
        }
        if for_client_id != SANDBOX_FOR_CLIENT_ID {
            return self.sumsub_error(
                400,
                &format!("Client '{for_client_id}' is not a partner you can share applicants with"),
            );
        }
        let ttl = match req.query_param("ttlInSecs") {
            None => SHARE_TOKEN_TTL_SECS,
            Some(t) => match t.parse::<i64>() {
                Ok(t) if (1..=86_400).contains(&t) => t,
                _ => {
                    return self
                        .sumsub_error(400, "'ttlInSecs' must be an integer between 1 and 86400")
                }
            },
        };
        let token = format!("_act-sbx-{}", self.next_uuid());
        self.share_tokens.insert(
            token.clone(),
            ShareToken {
                applicant_id,
                for_client_id: for_client_id.clone(),
                expires_ms: now_ms + ttl * 1000,
                used: false,
            },
        );
        HttpResponse::json(
            200,
            &json!({ "token": token, "forClientId": for_client_id }),
        )
    }
}
