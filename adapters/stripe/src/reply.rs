//! Reading Stripe's answers without trusting them: objects on 2xx, `{error: {type, code,
//! message, param}}` otherwise; anything else becomes a short reason for a `failed` result.

use rampsim_plugin_sdk::HttpResponse;
use serde_json::Value;

/// Stripe's error object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeError {
    pub kind: String,
    pub code: Option<String>,
    pub message: String,
    pub param: Option<String>,
}

impl std::fmt::Display for StripeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code.as_deref().unwrap_or(&self.kind))?;
        write!(f, ": {}", self.message)?;
        if let Some(p) = &self.param {
            write!(f, " (param {p})")?;
        }
        Ok(())
    }
}

/// The `error` object of a Stripe error body.
pub fn error(resp: &HttpResponse) -> Option<StripeError> {
    let body = resp.json_body()?;
    let e = body.get("error")?;
    let text = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
    Some(StripeError {
        kind: text("type").unwrap_or_else(|| "api_error".to_string()),
        code: text("code"),
        message: text("message").unwrap_or_else(|| "no message".to_string()),
        param: text("param"),
    })
}

/// The object of a successful answer, or why there is none.
pub fn object(resp: &HttpResponse) -> Result<Value, String> {
    let Some(body) = resp.json_body() else {
        return Err(resp.why_not_json().to_string());
    };
    if !resp.is_success() {
        return Err(match error(resp) {
            Some(e) => e.to_string(),
            None => "no error object in the answer".to_string(),
        });
    }
    if body.is_object() {
        Ok(body)
    } else {
        Err("the answer is not a JSON object".to_string())
    }
}

/// A non-empty string field.
pub fn text<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.into(),
        }
    }

    #[test]
    fn errors_keep_code_message_and_param() {
        let r = resp(
            400,
            r#"{"error":{"type":"invalid_request_error","code":"parameter_missing","message":"Missing required param: email.","param":"email"}}"#,
        );
        assert_eq!(
            object(&r).unwrap_err(),
            "parameter_missing: Missing required param: email. (param email)"
        );
        let r = resp(
            401,
            r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****"}}"#,
        );
        assert_eq!(
            object(&r).unwrap_err(),
            "invalid_request_error: Invalid API Key provided: sk_test_****"
        );
    }

    #[test]
    fn garbage_reasons() {
        assert_eq!(object(&resp(200, "")).unwrap_err(), "empty body");
        assert_eq!(
            object(&resp(200, "<html>")).unwrap_err(),
            "an HTML page, not JSON"
        );
        assert_eq!(
            object(&resp(200, r#"{"id":"crc_"#)).unwrap_err(),
            "a body that is not JSON (truncated or garbled)"
        );
        assert_eq!(
            object(&resp(500, r#"{"oops":1}"#)).unwrap_err(),
            "no error object in the answer"
        );
        assert_eq!(
            object(&resp(200, "[1]")).unwrap_err(),
            "the answer is not a JSON object"
        );
    }
}
