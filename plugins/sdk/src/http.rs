//! Small helpers for building requests and responses and reading them back.

use crate::wire::{FakeRequest, HttpRequest, HttpResponse};
use serde::Serialize;

impl HttpRequest {
    pub fn new(endpoint: &str, method: &str, path: impl Into<String>) -> HttpRequest {
        HttpRequest {
            endpoint: endpoint.to_string(),
            method: method.to_string(),
            path: path.into(),
            ..Default::default()
        }
    }
    pub fn get(endpoint: &str, path: impl Into<String>) -> HttpRequest {
        HttpRequest::new(endpoint, "GET", path)
    }
    pub fn post(endpoint: &str, path: impl Into<String>) -> HttpRequest {
        HttpRequest::new(endpoint, "POST", path)
    }
    pub fn put(endpoint: &str, path: impl Into<String>) -> HttpRequest {
        HttpRequest::new(endpoint, "PUT", path)
    }
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.to_string(), value.into()));
        self
    }
    pub fn bearer(self, token: &str) -> HttpRequest {
        self.with_header("Authorization", format!("Bearer {token}"))
    }
    /// A JSON body with its content type.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> HttpRequest {
        self.body = Some(serde_json::to_string(body).expect("JSON values always serialise"));
        self.with_header("Content-Type", "application/json")
    }
    /// A form-encoded body with its content type.
    pub fn form(mut self, fields: &[(&str, &str)]) -> HttpRequest {
        self.body = Some(form_encode(fields));
        self.with_header("Content-Type", "application/x-www-form-urlencoded")
    }
    pub fn idempotency_key(mut self, key: impl Into<String>) -> HttpRequest {
        self.idempotency_key = Some(key.into());
        self
    }
    /// Sending this twice does no harm (a token request, a login): the host may retry it.
    pub fn retry_safe(mut self) -> HttpRequest {
        self.retry_safe = true;
        self
    }
    /// What this carries (a TOTP code, a signed timestamp) is good only `ms` after now: the host
    /// does not send it again after that; it hands the last answer back, so that the adapter
    /// builds a fresh one (protocol 2.1).
    pub fn valid_for_ms(mut self, ms: u64) -> HttpRequest {
        self.valid_for_ms = Some(ms);
        self
    }
    pub fn carrying_kyc(mut self) -> HttpRequest {
        self.carries_kyc = true;
        self
    }
}

impl HttpResponse {
    /// A JSON response with `Content-Type: application/json`.
    pub fn json<T: Serialize + ?Sized>(status: u16, body: &T) -> HttpResponse {
        HttpResponse::with_type(status, "application/json", body)
    }
    /// A JSON response with another JSON media type (`application/problem+json`).
    pub fn with_type<T: Serialize + ?Sized>(
        status: u16,
        content_type: &str,
        body: &T,
    ) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body: serde_json::to_string(body).expect("JSON values always serialise"),
        }
    }
    /// The body as JSON, or `None` when it is not JSON (HTML error page, truncated body).
    pub fn json_body(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
    /// The fields of the JSON object in the body that `T` declares, read without building a
    /// JSON tree (see [`crate::json`]); `None` when the body is not a JSON object (a derived
    /// struct would otherwise read an array positionally) or not of `T`'s shape.
    pub fn read_json<'a, T: serde::Deserialize<'a>>(&'a self) -> Option<T> {
        crate::json::object(&self.body)
    }
    /// The JSON object of a 2xx answer; `None` for another status or a body that is not an
    /// object.
    pub fn success_object(&self) -> Option<serde_json::Value> {
        if self.is_success() {
            self.json_body().filter(serde_json::Value::is_object)
        } else {
            None
        }
    }
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> HttpResponse {
        self.headers.push((name.to_string(), value.into()));
        self
    }
    /// Why a body a caller expected to be JSON is not usable, in words for an operator's
    /// message: empty, an HTML page (a proxy's error page), or anything else that does not parse.
    pub fn why_not_json(&self) -> &'static str {
        let body = self.body.trim_start();
        if body.is_empty() {
            "empty body"
        } else if body.starts_with('<') {
            "an HTML page, not JSON"
        } else {
            "a body that is not JSON (truncated or garbled)"
        }
    }

    /// `Retry-After` in milliseconds, when it is given in seconds.
    pub fn retry_after_ms(&self) -> Option<u64> {
        self.header("retry-after")?
            .trim()
            .parse::<u64>()
            .ok()
            .map(|s| s.saturating_mul(1000))
    }
}

impl FakeRequest {
    /// The bearer token of the `Authorization` header.
    pub fn bearer(&self) -> Option<&str> {
        let v = self.header("authorization")?;
        let (scheme, token) = v.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then_some(token.trim())
    }
    pub fn json_body(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
    pub fn form_body(&self) -> Vec<(String, String)> {
        form_decode(&self.body)
    }
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_decode(&self.query)
    }
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
    /// Path segments without empty ones: `/v2/identity/x` -> `["v2", "identity", "x"]`.
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }
}

/// `application/x-www-form-urlencoded` encoding.
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter())
        .finish()
}

/// Decodes a form body or a query string.
pub fn form_decode(s: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(s.as_bytes()).into_owned().collect()
}

/// Percent-encodes one path segment (`userId:abc` stays readable, `/` and spaces do not pass).
pub fn encode_path_segment(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' | b'@' => {
                out.push(b as char)
            }
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xF)] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_round_trip() {
        let s = form_encode(&[("scope", "a b"), ("x", "&=")]);
        assert_eq!(s, "scope=a+b&x=%26%3D");
        assert_eq!(
            form_decode(&s),
            vec![("scope".into(), "a b".into()), ("x".into(), "&=".into())]
        );
    }

    #[test]
    fn says_why_a_body_is_not_json() {
        let r = |b: &str| HttpResponse {
            status: 200,
            headers: vec![],
            body: b.into(),
        };
        assert_eq!(r("  ").why_not_json(), "empty body");
        assert_eq!(
            r("<html>502</html>").why_not_json(),
            "an HTML page, not JSON"
        );
        assert_eq!(
            r("{\"a\": 1").why_not_json(),
            "a body that is not JSON (truncated or garbled)"
        );
    }

    #[test]
    fn retry_after_seconds() {
        let r = HttpResponse::default().with_header("Retry-After", "3");
        assert_eq!(r.retry_after_ms(), Some(3000));
    }

    #[test]
    fn path_segment_encoding() {
        assert_eq!(encode_path_segment("userId:a b/c"), "userId:a%20b%2Fc");
        assert_eq!(encode_path_segment("é~9"), "%C3%A9~9");
    }
}
