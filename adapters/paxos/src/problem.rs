//! Reading Paxos answers on the adapter side: RFC 7807 problem bodies, and a short description of
//! anything that is not the JSON the adapter expected (HTML, empty, truncated). Descriptions
//! never quote a body: it might carry the person's data back.

use rampsim_plugin_sdk::HttpResponse;
use serde_json::Value;

/// A Paxos problem body (`application/problem+json`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problem {
    pub kind: String,
    pub title: String,
    pub status: Option<u16>,
    pub detail: String,
    pub meta: Value,
}

impl Problem {
    /// The problem in `response`, if its body is one (a `title` or `detail`, or OAuth's `error`).
    pub fn parse(response: &HttpResponse) -> Option<Problem> {
        let v = response.json_body()?;
        let obj = v.as_object()?;
        let s = |k: &str| {
            obj.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let mut p = Problem {
            kind: s("type"),
            title: s("title"),
            status: obj
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|n| u16::try_from(n).ok()),
            detail: s("detail"),
            meta: obj.get("meta").cloned().unwrap_or(Value::Null),
        };
        // RFC 6749 token errors (`{error, error_description}`) read as problems too.
        if p.title.is_empty() && p.detail.is_empty() {
            p.title = s("error");
            p.detail = s("error_description");
        }
        (!p.title.is_empty() || !p.detail.is_empty()).then_some(p)
    }

    /// `Bad Request: person_details.nationality: ...`.
    pub fn summary(&self) -> String {
        match (self.title.is_empty(), self.detail.is_empty()) {
            (false, false) => format!("{}: {}", self.title, self.detail),
            (false, true) => self.title.clone(),
            _ => self.detail.clone(),
        }
    }

    /// `meta.existing.id`, which Paxos gives with 409 Already Exists.
    pub fn existing_id(&self) -> Option<&str> {
        self.meta
            .pointer("/existing/id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn is_already_exists(&self) -> bool {
        self.kind.ends_with("/already-exists") || self.title.eq_ignore_ascii_case("already exists")
    }
}

/// Why a response cannot be used, in a few words: the problem's own words when it is one.
pub fn describe(response: &HttpResponse) -> String {
    if let Some(p) = Problem::parse(response) {
        return p.summary();
    }
    let body = response.body.trim_start();
    if body.is_empty() {
        return "an empty body".into();
    }
    let ctype = response
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ctype.contains("html") || body.starts_with('<') {
        return "an HTML page instead of JSON".into();
    }
    if response.json_body().is_none() {
        return "a body that is not valid JSON (truncated?)".into();
    }
    if !response.is_success() {
        return "an error without a problem body".into();
    }
    "JSON without the expected fields".into()
}

/// `Paxos answered 500 to create identity: an HTML page instead of JSON`.
pub fn failure(what: &str, response: &HttpResponse) -> String {
    format!(
        "Paxos answered {} to {what}: {}",
        response.status,
        describe(response)
    )
}

/// `Paxos answered 200 to create identity: no `id` in the identity`.
pub fn missing(what: &str, response: &HttpResponse, field: &str) -> String {
    if response.json_body().is_some() {
        format!(
            "Paxos answered {} to {what}: no `{field}` in the response",
            response.status
        )
    } else {
        failure(what, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, ctype: &str, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), ctype.into())],
            body: body.into(),
        }
    }

    #[test]
    fn problem_bodies_are_read() {
        let r = resp(
            409,
            "application/problem+json",
            r#"{"type":"https://developer.paxos.com/docs/v2/problems/already-exists","title":"Already Exists",
               "status":409,"detail":"duplicate ref_id provided","meta":{"existing":{"id":"abc"}}}"#,
        );
        let p = Problem::parse(&r).unwrap();
        assert!(p.is_already_exists());
        assert_eq!(p.existing_id(), Some("abc"));
        assert_eq!(p.summary(), "Already Exists: duplicate ref_id provided");
        let oauth = resp(
            401,
            "application/json",
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
        );
        assert_eq!(describe(&oauth), "invalid_client: bad secret");
    }

    #[test]
    fn garbage_is_described_without_quoting_it() {
        assert_eq!(
            describe(&resp(502, "text/html", "<html>Billy</html>")),
            "an HTML page instead of JSON"
        );
        assert_eq!(
            describe(&resp(200, "application/json", "")),
            "an empty body"
        );
        assert_eq!(
            describe(&resp(
                200,
                "application/json",
                r#"{"id":"1","first_name":"Bil"#
            )),
            "a body that is not valid JSON (truncated?)"
        );
        assert_eq!(
            describe(&resp(500, "application/json", "{}")),
            "an error without a problem body"
        );
        assert_eq!(
            failure("get identity", &resp(500, "text/plain", "")),
            "Paxos answered 500 to get identity: an empty body"
        );
    }
}
