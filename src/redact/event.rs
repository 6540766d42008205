//! Redaction of the structured things that leave the process: journey events, JSON values,
//! profiles.

use super::rules;
use super::Redactor;
use crate::journey::Event;
use rampsim_plugin_sdk::wire::Profile;
use serde_json::Value;

/// A copy of `event` with every header, body, URL and message redacted (for the TUI's
/// inspector, transcripts, and anything printed).
pub fn redact_event(r: &Redactor, event: &Event) -> Event {
    let mut e = event.clone();
    match &mut e {
        // The profile's name is a config key the operator chose, kept so a transcript can be
        // replayed; the profile's values are what is masked.
        Event::JourneyStarted { .. } => {}
        Event::StageStarted { label, .. } => *label = r.redact_str(label),
        Event::RequestSent {
            path,
            url,
            headers,
            body,
            ..
        } => {
            let ct = header(headers, "content-type").map(str::to_string);
            *path = r.redact_str(path);
            *url = r.redact_str(url);
            *headers = r.redact_headers(headers);
            if let Some(b) = body {
                *b = r.redact_body(ct.as_deref(), b);
            }
        }
        Event::ResponseReceived { headers, body, .. } => {
            let ct = header(headers, "content-type").map(str::to_string);
            *headers = r.redact_headers(headers);
            *body = r.redact_body(ct.as_deref(), body);
        }
        Event::RequestFailed { error, .. } => *error = r.redact_str(error),
        Event::StatusPolled {
            provider_status,
            message,
            ..
        } => {
            *message = r.redact_str(message);
            if let Some(p) = provider_status {
                *p = r.redact_str(p);
            }
        }
        Event::StageFinished {
            message,
            provider_status,
            order_id,
            ..
        } => {
            *message = r.redact_str(message);
            if let Some(p) = provider_status {
                *p = r.redact_str(p);
            }
            if let Some(o) = order_id {
                *o = r.redact_str(o);
            }
        }
        Event::Log { message, .. } => *message = r.redact_str(message),
        Event::JourneyFinished { finished, .. } => {
            finished.message = r.redact_str(&finished.message);
            if let Some(n) = &mut finished.next_step {
                *n = r.redact_str(n);
            }
            if let Some(p) = &mut finished.provider_status {
                *p = r.redact_str(p);
            }
            if let Some(o) = &mut finished.order_id {
                *o = r.redact_str(o);
            }
        }
    }
    e
}

/// The first header called `name` (ASCII case ignored).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Redacts every string in a JSON value; the values of credential fields (`client_secret`,
/// `token`, ...) become `[REDACTED]` whatever they are.
pub fn redact_json(r: &Redactor, v: &mut Value) {
    match v {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(o) = r.redact(s) {
                *s = o;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| redact_json(r, i)),
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if rules::is_secret_field(k) && !val.is_null() {
                    *val = Value::String(super::REDACTED.into());
                } else {
                    redact_json(r, val);
                }
            }
        }
        _ => {}
    }
}

/// The profile with every registered value masked (names to initials, images to summaries):
/// what a redacted transcript keeps of its inputs.
pub fn redact_profile(r: &Redactor, p: &Profile) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
    redact_json(r, &mut v);
    v
}
