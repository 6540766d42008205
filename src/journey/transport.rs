//! Sends one adapter request over HTTP, with a per-request timeout and retries where a retry
//! cannot do harm: idempotent methods, and POSTs that carry the provider's idempotency key.

use super::engine::Journey;
use super::events::Event;
use rampsim_plugin_sdk::wire::{HttpRequest, HttpResponse, Stage};
use std::time::{Duration, Instant};

/// Why a request produced no response the adapter can look at.
#[derive(Debug, Clone)]
pub struct TransportFailure {
    pub message: String,
}

/// A response the adapter will see. Its `ResponseReceived` event is emitted when it is handed
/// to the adapter (after the call is encoded, so the body is moved, not copied).
pub(crate) struct Received {
    pub response: HttpResponse,
    pub exchange: u64,
    pub latency_ms: f64,
}

pub(crate) fn is_retry_safe(req: &HttpRequest) -> bool {
    ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]
        .iter()
        .any(|m| req.method.eq_ignore_ascii_case(m))
        || req.idempotency_key.is_some()
        || req.retry_safe
}

fn retryable_status(status: u16) -> bool {
    status == 429 || status == 502 || status == 503 || status == 504 || status == 500
}

/// Why a success is not an answer the provider meant to send: its body is declared JSON but is
/// cut off or garbled, or it is an HTML page (a proxy's or gateway's) although the request
/// accepts JSON only. Sent again when the request is safe to repeat, as a 5xx would be;
/// otherwise the adapter sees it. Only successes, and the 409 that answers a repeat of an
/// idempotency key (the body names what the first request made; asking again gets it again):
/// another 4xx says what happened whatever its body (sending a refused login again could lock
/// the account).
pub(crate) fn broken_answer(req: &HttpRequest, response: &HttpResponse) -> Option<&'static str> {
    let success = (200..300).contains(&response.status);
    let our_conflict = response.status == 409 && req.idempotency_key.is_some();
    if !(success || our_conflict) || response.body.is_empty() {
        return None;
    }
    let content_type = response.header("content-type").unwrap_or("");
    if contains_ignore_case(content_type, "json") {
        // A full parse that stores nothing: the adapter reads the body again anyway.
        return serde_json::from_str::<serde::de::IgnoredAny>(&response.body)
            .is_err()
            .then_some("JSON that is cut off or garbled");
    }
    let accepts_json_only = req.header("accept").is_some_and(|a| {
        contains_ignore_case(a, "json") && !contains_ignore_case(a, "html") && !a.contains("*/*")
    });
    let html = content_type
        .get(..9)
        .is_some_and(|t| t.eq_ignore_ascii_case("text/html"));
    (success && accepts_json_only && html).then_some("an HTML page instead of JSON")
}

/// Why a request path cannot be appended to its endpoint's base URL: one without a leading
/// `/` would run into the host's name (`https://api.example` + `v1` is another host, which
/// would receive the credentials), and a fragment is never sent.
fn bad_path(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') {
        Some("a path must start with `/`: it is appended to the endpoint's base URL")
    } else if path.contains('#') {
        Some("a path cannot carry a fragment (`#…`): it is never sent")
    } else if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("a path cannot hold spaces or control characters: percent-encode them")
    } else {
        None
    }
}

/// `needle` (ASCII, lower case) in `haystack` whatever its case, without a lower-cased copy:
/// this runs on every answer.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

impl Journey {
    pub(crate) async fn send(
        &mut self,
        stage: Stage,
        req: &HttpRequest,
    ) -> Result<Received, TransportFailure> {
        if let Some(why) = bad_path(&req.path) {
            let m = &self.spec.plugin.manifest;
            return Err(TransportFailure {
                message: format!(
                    "plugin {} {} asked for {} `{}` on endpoint `{}`: {why} (a contract error in the plugin; nothing was sent)",
                    m.id, m.version, req.method, req.path, req.endpoint
                ),
            });
        }
        if !self.spec.base_urls.contains_key(&req.endpoint) {
            return Err(TransportFailure {
                message: format!(
                    "the adapter asked for endpoint `{}`, which its manifest does not declare",
                    req.endpoint
                ),
            });
        }
        // Upper case as sent; most adapters already write it so, and then nothing is copied.
        let method_name = if req.method.bytes().any(|b| b.is_ascii_lowercase()) {
            std::borrow::Cow::Owned(req.method.to_ascii_uppercase())
        } else {
            std::borrow::Cow::Borrowed(req.method.as_str())
        };
        let method =
            reqwest::Method::from_bytes(method_name.as_bytes()).map_err(|_| TransportFailure {
                message: format!(
                    "the adapter asked for an invalid HTTP method `{}`",
                    req.method
                ),
            })?;
        let live = self.spec.mode == rampsim_plugin_sdk::wire::Mode::Live;
        if live && req.carries_kyc && !self.kyc_confirmed {
            if let Some(gate) = self.kyc_gate.clone() {
                if !gate(req).await {
                    return Err(TransportFailure {
                        message: format!(
                            "{} {} was not sent: the operator did not confirm sending KYC data to the live provider",
                            req.method, req.path
                        ),
                    });
                }
            }
            self.kyc_confirmed = true;
        }
        let retry_safe = is_retry_safe(req);
        // A request whose credential expires (a TOTP code, a signed timestamp) is sent again
        // only while it is still good; after that the adapter must build a fresh one.
        let built_ms = self.now();
        let good_after = |now_ms: i64, wait: Duration| {
            req.valid_for_ms.is_none_or(|valid| {
                let elapsed = u64::try_from(now_ms - built_ms).unwrap_or(0);
                elapsed.saturating_add(wait.as_millis() as u64) <= valid
            })
        };
        let max_retries = self.spec.engine.max_retries;
        let mut delays = self
            .spec
            .engine
            .retry_delays(self.spec.jitter_seed.map(|s| s ^ (self.exchanges << 8)));
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let exchange = self.next_exchange();
            // Built for each attempt: the builder reads it and the event keeps it.
            let url = format!("{}{}", self.spec.base_urls[&req.endpoint], req.path);
            let mut builder = self
                .spec
                .http
                .request(method.clone(), &url)
                .timeout(self.spec.engine.request_timeout);
            self.emit(Event::RequestSent {
                stage,
                exchange,
                attempt,
                endpoint: req.endpoint.clone(),
                method: method_name.clone().into_owned(),
                path: req.path.clone(),
                url,
                headers: req.headers.clone(),
                body: req.body.clone(),
                at_ms: self.now(),
            });
            for (k, v) in &req.headers {
                builder = builder.header(k.as_str(), v.as_str());
            }
            if let Some(body) = &req.body {
                builder = builder.body(body.clone());
            }
            let t0 = Instant::now();
            // Dropped mid-request (a cancel), the journey still knows what was on its way.
            self.in_flight = (!retry_safe).then(|| format!("{} {}", req.method, req.path));
            let result = async {
                let resp = builder.send().await?;
                let status = resp.status().as_u16();
                let headers: Vec<(String, String)> = resp
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                let bytes = resp.bytes().await?;
                Ok::<_, reqwest::Error>(HttpResponse {
                    status,
                    headers,
                    body: body_text(bytes),
                })
            }
            .await;
            self.in_flight = None;
            let latency = t0.elapsed();
            let latency_ms = latency.as_secs_f64() * 1000.0;
            let can_retry = retry_safe && attempt <= max_retries;
            match result {
                Ok(response) => {
                    // A 429 was refused before it was processed (RFC 6585), so any request may
                    // be sent again; other errors only when a retry cannot do harm.
                    // The backoff is the floor of the wait (a "Retry-After: 0" must not make a
                    // burst); a Retry-After longer than a stage may last (`kyc_deadline`) is not
                    // waited out but handed to the adapter: no answer makes a journey sleep for
                    // a day.
                    let backoff = delays.next().unwrap_or(Duration::from_secs(1));
                    let asked = response.retry_after_ms().map(Duration::from_millis);
                    let wait = asked.map_or(backoff, |a| a.max(backoff));
                    let broken = broken_answer(req, &response);
                    let again = attempt <= max_retries
                        && (response.status == 429
                            || (retry_safe
                                && (retryable_status(response.status) || broken.is_some())))
                        && asked.is_none_or(|a| a <= self.spec.engine.kyc_deadline)
                        && good_after(self.now(), wait);
                    if !again {
                        // A 429 the host would have retried but for a wait longer than a stage may
                        // last: if the step fails, it says when to try again. Each answer handed
                        // to the adapter replaces what an earlier one said.
                        // "after N attempts" only when this answer is of the kind that was
                        // retried: a refusal after a retried 503 is not a transient failure.
                        let retried_kind = retryable_status(response.status) || broken.is_some();
                        self.attempts = (attempt > 1 && retried_kind).then_some(attempt);
                        self.rate_limited = if response.status == 429 && attempt <= max_retries {
                            asked.filter(|a| *a > self.spec.engine.kyc_deadline)
                        } else {
                            None
                        };
                        return Ok(Received {
                            response,
                            exchange,
                            latency_ms,
                        });
                    }
                    let status = response.status;
                    self.emit(Event::ResponseReceived {
                        stage,
                        exchange,
                        status,
                        headers: response.headers,
                        body: response.body,
                        latency_ms,
                        at_ms: self.now(),
                    });
                    let with = broken.map(|b| format!(" with {b}")).unwrap_or_default();
                    self.log_info(format!(
                        "{} {} answered {status}{with}; retrying in {} ms",
                        req.method,
                        req.path,
                        wait.as_millis()
                    ));
                    self.spec.clock.sleep(wait).await;
                }
                Err(e) => {
                    let what = describe(&e);
                    let wait = delays.next().unwrap_or(Duration::from_secs(1));
                    let expired = can_retry && !good_after(self.now(), wait);
                    let will_retry = can_retry && !expired;
                    self.emit(Event::RequestFailed {
                        stage,
                        exchange,
                        error: what.clone(),
                        latency_ms,
                        will_retry,
                        at_ms: self.now(),
                    });
                    if will_retry {
                        self.spec.clock.sleep(wait).await;
                        continue;
                    }
                    let message = if expired {
                        format!(
                            "{} {} failed after {attempt} attempts: {what}; not sent again, as what it carries is good for {} ms only (run the stage again for a fresh one)",
                            req.method,
                            req.path,
                            req.valid_for_ms.unwrap_or(0)
                        )
                    } else if retry_safe {
                        format!(
                            "{} {} failed after {attempt} attempts: {what}",
                            req.method, req.path
                        )
                    } else if e.is_connect() {
                        format!("{} {} was not sent: {what}", req.method, req.path)
                    } else {
                        format!(
                            "{} {} failed ({what}) and was not retried: it carries no idempotency key, so the provider may have acted on it. Check at the provider before re-running this stage.",
                            req.method, req.path
                        )
                    };
                    return Err(TransportFailure { message });
                }
            }
        }
    }
}

/// The body as text: UTF-8 as received (the buffer is reused, not copied, when reqwest hands
/// over the only reference to it), anything else with U+FFFD for the bytes that are not.
fn body_text(bytes: bytes::Bytes) -> String {
    String::from_utf8(Vec::from(bytes))
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the response body broke off"
    } else {
        "request error"
    };
    // reqwest's own text includes the URL, which is fine (no secrets in our URLs); the source
    // chain says what happened at the socket.
    let mut detail = String::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        detail = s.to_string();
        src = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_text_and_bytes_that_are_not_utf8_are_replaced() {
        assert_eq!(
            body_text(bytes::Bytes::from("{\"a\":\"é\"}")),
            "{\"a\":\"é\"}"
        );
        assert_eq!(
            body_text(bytes::Bytes::from_static(b"ok \xff\xfe end")),
            "ok \u{FFFD}\u{FFFD} end"
        );
        assert_eq!(body_text(bytes::Bytes::new()), "");
    }

    #[test]
    fn a_path_that_would_change_the_host_or_drop_a_part_is_refused() {
        assert_eq!(bad_path("/v1/users?x=1"), None);
        assert_eq!(bad_path("/v1/users/%20x"), None);
        for path in [
            "v1/users",
            "@evil.example/x",
            "",
            "/v1/users#frag",
            "/v1/a b",
            "/v1/\n",
        ] {
            assert!(bad_path(path).is_some(), "{path:?}");
        }
    }

    #[test]
    fn answers_a_provider_did_not_mean_are_told_apart() {
        let get = HttpRequest::get("api", "/x");
        let get_json = HttpRequest::get("api", "/x").with_header("Accept", "application/json");
        let answer = |status, content_type: &str, body: &str| HttpResponse {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        };
        let cut = answer(200, "application/json", "{\"id\":\"ab");
        assert_eq!(
            broken_answer(&get, &cut),
            Some("JSON that is cut off or garbled")
        );
        let cut_json = answer(201, "application/json; charset=utf-8", "{\"ti");
        assert!(broken_answer(&get, &cut_json).is_some());
        // Media types are read whatever their case.
        let shouted = answer(200, "Application/JSON", "{\"ti");
        assert!(broken_answer(&get, &shouted).is_some());
        // A refusal is an answer whatever its body: it goes to the adapter.
        let cut_refusal = answer(401, "application/problem+json", "{\"ti");
        assert_eq!(broken_answer(&get_json, &cut_refusal), None);
        assert_eq!(
            broken_answer(&get, &answer(409, "application/json", "{\"ti")),
            None
        );
        // Except the conflict a repeated idempotency key meets: asking again is harmless.
        let keyed = HttpRequest::post("api", "/x").idempotency_key("k");
        assert!(broken_answer(&keyed, &answer(409, "application/json", "{\"ti")).is_some());
        assert_eq!(
            broken_answer(&get, &answer(200, "application/json", "{\"id\":1}")),
            None
        );
        assert_eq!(
            broken_answer(&get, &answer(200, "application/json", "")),
            None
        );
        let page = answer(200, "text/html", "<html>502 Bad Gateway</html>");
        assert_eq!(
            broken_answer(&get_json, &page),
            Some("an HTML page instead of JSON")
        );
        // Without a JSON-only Accept an HTML page may be what was asked for; a non-success page
        // is an answer in itself (its status says what happened).
        assert_eq!(broken_answer(&get, &page), None);
        let shouted_page = answer(200, "TEXT/HTML; charset=UTF-8", "<html>502</html>");
        let shouting = HttpRequest::get("api", "/x").with_header("Accept", "Application/JSON");
        assert!(broken_answer(&shouting, &shouted_page).is_some());
        let anything = HttpRequest::get("api", "/x").with_header("Accept", "application/json, */*");
        assert_eq!(broken_answer(&anything, &page), None);
        let error_page = answer(502, "text/html", "<html>502</html>");
        assert_eq!(broken_answer(&get_json, &error_page), None);
        assert_eq!(
            broken_answer(&get_json, &answer(200, "text/plain", "ok")),
            None
        );
    }
}
