//! Reading Kriptomat's and Sumsub's answers without trusting them: anything unexpected becomes a
//! short reason for a `failed` result, never a panic.

use rampsim_plugin_sdk::HttpResponse;
use serde_json::Value;

/// A JSON string or integer field as text (Kriptomat ids are integers; accept strings too).
pub fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// Kriptomat's error wrapper (`{status: false, message, errors: {field: [..]}}`) as one line.
fn kriptomat_error(body: &Value) -> String {
    let mut out = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no message")
        .to_string();
    if let Some(errors) = body.get("errors").and_then(Value::as_object) {
        let details: Vec<String> = errors
            .iter()
            .map(|(field, msgs)| {
                let msgs = match msgs {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                    Value::String(s) => s.clone(),
                    _ => String::new(),
                };
                format!("{field}: {msgs}")
            })
            .collect();
        if !details.is_empty() {
            out = format!("{out} ({})", details.join("; "));
        }
    }
    out
}

/// The body of a successful Kriptomat answer (`{status: true, ...}`), or the reason it is not one.
pub fn kriptomat(resp: &HttpResponse) -> Result<Value, String> {
    let Some(body) = resp.json_body() else {
        return Err(resp.why_not_json().to_string());
    };
    if !resp.is_success() {
        return Err(kriptomat_error(&body));
    }
    match body.get("status") {
        Some(Value::Bool(true)) => Ok(body),
        Some(Value::Bool(false)) => Err(kriptomat_error(&body)),
        _ => Err("no status:true in the answer".to_string()),
    }
}

/// The `data` object of a successful Kriptomat answer.
pub fn kriptomat_data(resp: &HttpResponse) -> Result<Value, String> {
    let body = kriptomat(resp)?;
    match body.get("data") {
        Some(d @ Value::Object(_)) => Ok(d.clone()),
        _ => Err("no data object in the answer".to_string()),
    }
}

/// The body of a successful Sumsub answer, or Sumsub's `{description, code, correlationId}`.
pub fn sumsub(resp: &HttpResponse) -> Result<Value, String> {
    let Some(body) = resp.json_body() else {
        return Err(resp.why_not_json().to_string());
    };
    if resp.is_success() {
        return Ok(body);
    }
    let description = body
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("no description");
    let mut out = description.to_string();
    if let Some(code) = body.get("code").and_then(Value::as_i64) {
        out.push_str(&format!(" (code {code}"));
        if let Some(id) = body.get("correlationId").and_then(Value::as_str) {
            out.push_str(&format!(", correlationId {id}"));
        }
        out.push(')');
    }
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.to_string(),
        }
    }

    #[test]
    fn reasons_for_garbage() {
        assert_eq!(kriptomat(&resp(200, "")).unwrap_err(), "empty body");
        assert_eq!(
            kriptomat(&resp(502, "<html>bad gateway</html>")).unwrap_err(),
            "an HTML page, not JSON"
        );
        assert!(kriptomat(&resp(200, r#"{"status":tr"#))
            .unwrap_err()
            .contains("not JSON"));
        assert_eq!(
            kriptomat(&resp(200, r#"{"data":{}}"#)).unwrap_err(),
            "no status:true in the answer"
        );
        assert_eq!(
            kriptomat_data(&resp(200, r#"{"status":true}"#)).unwrap_err(),
            "no data object in the answer"
        );
    }

    #[test]
    fn kriptomat_errors_keep_message_and_fields() {
        let r = resp(
            422,
            r#"{"status":false,"message":"The given data was invalid.","errors":{"email":["The email has already been taken."]}}"#,
        );
        assert_eq!(
            kriptomat(&r).unwrap_err(),
            "The given data was invalid. (email: The email has already been taken.)"
        );
        assert_eq!(
            kriptomat(&resp(200, r#"{"status":false,"message":"nope"}"#)).unwrap_err(),
            "nope"
        );
    }

    #[test]
    fn sumsub_errors_keep_code_and_correlation() {
        let r = resp(
            401,
            r#"{"description":"Request signature mismatch","code":401,"correlationId":"req-1"}"#,
        );
        assert_eq!(
            sumsub(&r).unwrap_err(),
            "Request signature mismatch (code 401, correlationId req-1)"
        );
        assert_eq!(
            sumsub(&resp(200, r#"{"token":"t"}"#)).unwrap()["token"],
            "t"
        );
    }

    #[test]
    fn ids_as_text() {
        assert_eq!(id_text(Some(&serde_json::json!(12))).as_deref(), Some("12"));
        assert_eq!(
            id_text(Some(&serde_json::json!("12"))).as_deref(),
            Some("12")
        );
        assert_eq!(id_text(Some(&serde_json::json!(1.5))), None);
        assert_eq!(id_text(Some(&serde_json::json!(""))), None);
        assert_eq!(id_text(None), None);
    }
}
