//! Requests as curl commands a shell runs exactly as written: every part single-quoted (a `'`
//! inside becomes `'\''`), the method included.

use super::har::Har;
use crate::journey::Event;
use crate::redact::Redactor;
use rampsim_plugin_sdk::wire::Profile;

/// `it's` -> `'it'\''s'`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `curl -X 'POST' 'https://…' -H 'Name: value' --data-raw '…'`, one part per line.
pub fn curl_command(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> String {
    let mut parts = vec![format!(
        "curl -X {} {}",
        shell_quote(method),
        shell_quote(url)
    )];
    for (k, v) in headers {
        parts.push(format!("-H {}", shell_quote(&format!("{k}: {v}"))));
    }
    if let Some(b) = body {
        parts.push(format!("--data-raw {}", shell_quote(b)));
    }
    parts.join(" \\\n  ")
}

/// The curl command for a `request_sent` event, redacted with `redactor` (`None`: the real
/// values; say so to the operator). For the TUI's copy.
pub fn curl_for_event(event: &Event, redactor: Option<&Redactor>) -> Option<String> {
    let Event::RequestSent {
        method,
        url,
        headers,
        body,
        ..
    } = event
    else {
        return None;
    };
    Some(match redactor {
        Some(r) => {
            let ct = crate::redact::header(headers, "content-type");
            curl_command(
                method,
                &r.redact_str(url),
                &r.redact_headers(headers),
                body.as_deref().map(|b| r.redact_body(ct, b)).as_deref(),
            )
        }
        None => curl_command(method, url, headers, body.as_deref()),
    })
}

/// Every request of a transcript as a curl command, each after a `#` line naming its stage.
/// With `redactor`, every part is redacted again (a no-op on a redacted transcript).
pub fn export(har: &Har, redactor: Option<&Redactor>) -> String {
    let mut out = String::new();
    for e in &har.log.entries {
        let headers: Vec<(String, String)> = e
            .request
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        let body = e.request.post_data.as_ref().map(|p| p.text.clone());
        let status = match e.response.status {
            0 => "no response".to_string(),
            s => s.to_string(),
        };
        let cmd = match redactor {
            Some(r) => {
                let ct = crate::redact::header(&headers, "content-type");
                curl_command(
                    &e.request.method,
                    &r.redact_str(&e.request.url),
                    &r.redact_headers(&headers),
                    body.as_deref().map(|b| r.redact_body(ct, b)).as_deref(),
                )
            }
            None => curl_command(&e.request.method, &e.request.url, &headers, body.as_deref()),
        };
        out.push_str(&format!(
            "# {} · exchange {} · attempt {} · answered {status}\n{cmd}\n\n",
            e.stage, e.exchange, e.attempt
        ));
    }
    out
}

/// The redactor for re-exporting an unredacted transcript: the secrets and the real profile
/// it carries, plus the structural rules.
pub fn redactor_for(har: &Har) -> Redactor {
    let mut r = Redactor::new();
    for s in har.log.rampsim.secrets.iter().flatten() {
        r.add_secret(s);
    }
    if let Ok(p) = serde_json::from_value::<Profile>(har.log.rampsim.profile.data.clone()) {
        r.add_profile(&p);
    }
    r
}

/// `rampsim export curl TRANSCRIPT [--unredacted]`. Exit status 0, or 2 when the transcript
/// cannot be read.
pub fn export_command(path: &std::path::Path, unredacted: bool) -> i32 {
    let har = match super::read(path) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("rampsim: {}", crate::redact::global_redact(&e.to_string()));
            return 2;
        }
    };
    let text = match (har.log.redacted, unredacted) {
        (true, false) => export(&har, Some(&Redactor::new())),
        (true, true) => {
            eprintln!(
                "rampsim: {} is a redacted transcript: its real values are not in it, so these commands carry masks",
                path.display()
            );
            export(&har, Some(&Redactor::new()))
        }
        (false, false) => export(&har, Some(&redactor_for(&har))),
        (false, true) => {
            eprintln!("rampsim: UNREDACTED: these commands carry real secrets and KYC data; do not share them");
            export(&har, None)
        }
    };
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        let c = curl_command(
            "POST",
            "https://x/y?a=1&b=2",
            &[("Content-Type".into(), "application/json".into())],
            Some(r#"{"n":"O'Brien $HOME `x`"}"#),
        );
        assert_eq!(
            c,
            "curl -X 'POST' 'https://x/y?a=1&b=2' \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{\"n\":\"O'\\''Brien $HOME `x`\"}'"
        );
    }
}
