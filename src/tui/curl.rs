//! The selected request as a curl command, for the operator to replay or hand on.

use super::journey_state::Exchange;
use super::redact::mask_header;

/// `redact` is applied to the URL, every header line and the body; credential headers are
/// masked by name before that, whatever `redact` does. `None` is the operator's confirmed
/// unredacted export: every value as it was sent, credentials included.
pub fn curl_command(x: &Exchange, redact: Option<&dyn Fn(&str) -> String>) -> String {
    let shown = |s: &str| redact.map_or_else(|| s.to_string(), |r| r(s));
    let mut parts = vec![format!("curl -X {} {}", x.method, quote(&shown(&x.url)))];
    for (name, value) in &x.headers {
        let value = match redact {
            Some(_) => mask_header(name, value),
            None => value.clone(),
        };
        parts.push(format!("-H {}", quote(&shown(&format!("{name}: {value}")))));
    }
    if let Some(body) = &x.body_raw {
        parts.push(format!("--data-raw {}", quote(&shown(body))));
    }
    parts.join(" \\\n  ")
}

/// Single-quotes for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampsim_plugin_sdk::wire::Stage;

    fn exchange() -> Exchange {
        Exchange {
            id: 1,
            stage: Stage::Register,
            attempt: 1,
            endpoint: "oauth".into(),
            method: "POST".into(),
            path: "/oauth2/token".into(),
            url: "http://127.0.0.1:9/s/oauth/oauth2/token".into(),
            headers: vec![
                ("Authorization".into(), "Basic dXNlcjpwYXNz".into()),
                ("X-App-Token".into(), "t0k3n".into()),
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
            ],
            body_raw: Some("client_id=me&client_secret=hunter22&note=it's".into()),
            body: None,
            sent_at_ms: 0,
            response: None,
            failure: None,
            run: 1,
        }
    }

    #[test]
    fn credentials_and_secret_values_never_reach_the_command() {
        let redact = |s: &str| s.replace("hunter22", "[REDACTED]");
        let cmd = curl_command(&exchange(), Some(&redact));
        assert!(
            cmd.starts_with("curl -X POST 'http://127.0.0.1:9/s/oauth/oauth2/token'"),
            "{cmd}"
        );
        assert!(
            cmd.contains("-H 'Authorization: Basic [REDACTED]'"),
            "{cmd}"
        );
        assert!(cmd.contains("-H 'X-App-Token: [REDACTED]'"), "{cmd}");
        assert!(
            !cmd.contains("dXNlcjpwYXNz") && !cmd.contains("t0k3n") && !cmd.contains("hunter22"),
            "{cmd}"
        );
        assert!(
            cmd.contains(r"note=it'\''s"),
            "quotes survive the shell: {cmd}"
        );
    }

    #[test]
    fn unredacted_means_every_value_as_sent() {
        let cmd = curl_command(&exchange(), None);
        assert!(
            cmd.contains("-H 'Authorization: Basic dXNlcjpwYXNz'"),
            "{cmd}"
        );
        assert!(cmd.contains("-H 'X-App-Token: t0k3n'"), "{cmd}");
        assert!(cmd.contains("client_secret=hunter22"), "{cmd}");
        assert!(!cmd.contains("[REDACTED]"), "{cmd}");
    }
}
