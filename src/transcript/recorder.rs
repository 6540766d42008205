//! Records a journey's events (as an [`EventSink`]) and turns them into a HAR transcript.

use super::file::{create_in_dir, file_name, TranscriptFile};
use super::har::*;
use super::{Redaction, TranscriptError};
use crate::journey::{Event, EventSink, JourneySpec};
use crate::redact::{header, redact_event, redact_profile, Redactor};
use rampsim_plugin_sdk::wire::{Mode, Profile};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where a journey's profile came from, so that replay can find it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileSource {
    /// A `[profiles.NAME]` table of config.toml.
    Config(String),
    /// A profile file (absolute path).
    File(PathBuf),
    /// Built by the caller (a batch run's generated user): replay needs `--profile`.
    Given(String),
}

impl ProfileSource {
    fn kind(&self) -> &'static str {
        match self {
            ProfileSource::Config(_) => "config",
            ProfileSource::File(_) => "file",
            ProfileSource::Given(_) => "given",
        }
    }

    fn reference(&self) -> Option<String> {
        match self {
            ProfileSource::Config(n) => Some(n.clone()),
            ProfileSource::File(p) => Some(p.display().to_string()),
            ProfileSource::Given(_) => None,
        }
    }
}

struct State {
    events: Vec<Event>,
    profile_name: String,
    profile: Profile,
    source: ProfileSource,
    mode: Mode,
}

/// Collects a journey's events. Feed it with [`Recorder::sink`] or [`Recorder::tee`]; write it
/// whenever asked (the journey may still be running: the transcript holds what happened so
/// far). Cloning shares the recording.
#[derive(Clone)]
pub struct Recorder {
    state: Arc<Mutex<State>>,
}

impl Recorder {
    /// A recorder for the journey `spec` describes: its profile is named as the journey found
    /// it, the file it was read from (absolute) or its `[profiles]` name.
    pub fn new(spec: &JourneySpec) -> Recorder {
        let source = match &spec.profile_file {
            Some(path) => ProfileSource::File(path.clone()),
            None => ProfileSource::Config(spec.profile_name.clone()),
        };
        Recorder::with_source(spec, source)
    }

    pub fn with_source(spec: &JourneySpec, source: ProfileSource) -> Recorder {
        Recorder::for_profile(&spec.profile_name, &spec.profile, source, spec.mode)
    }

    /// A recorder from the journey's inputs alone, for callers that hold no [`JourneySpec`]
    /// (the TUI's state tests).
    pub fn for_profile(
        profile_name: &str,
        profile: &Profile,
        source: ProfileSource,
        mode: Mode,
    ) -> Recorder {
        Recorder {
            state: Arc::new(Mutex::new(State {
                events: Vec::new(),
                profile_name: profile_name.to_string(),
                profile: profile.clone(),
                source,
                mode,
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn record(&self, e: &Event) {
        self.lock().events.push(e.clone());
    }

    /// A sink that records every event.
    pub fn sink(&self) -> EventSink {
        let r = self.clone();
        Arc::new(move |e: Event| r.record(&e))
    }

    /// A sink that records every event, then hands it to `next`.
    pub fn tee(&self, next: EventSink) -> EventSink {
        let r = self.clone();
        Arc::new(move |e: Event| {
            r.record(&e);
            next(e)
        })
    }

    /// The events so far (unredacted: redact before showing them).
    pub fn events(&self) -> Vec<Event> {
        self.lock().events.clone()
    }

    /// The transcript so far. `redactor` should be the journey's (so that tokens it learnt are
    /// masked too); it is ignored with [`Redaction::Unredacted`].
    pub fn har(&self, redactor: &Redactor, redaction: Redaction) -> Har {
        let st = self.lock();
        build(&st, redactor, redaction)
    }

    /// Writes the transcript into `file` (see [`TranscriptFile::create`]).
    pub fn write(
        &self,
        file: TranscriptFile,
        redactor: &Redactor,
        redaction: Redaction,
    ) -> Result<PathBuf, TranscriptError> {
        let har = self.har(redactor, redaction);
        let bytes = serde_json::to_vec_pretty(&har).map_err(|e| TranscriptError::Io {
            path: file.path().to_path_buf(),
            error: e.to_string(),
        })?;
        file.write(&bytes)
    }

    /// Writes the transcript to a new file at `path`.
    pub fn save(
        &self,
        path: &Path,
        redactor: &Redactor,
        redaction: Redaction,
    ) -> Result<PathBuf, TranscriptError> {
        self.write(TranscriptFile::create(path)?, redactor, redaction)
    }

    /// Writes the transcript to a new file in `dir` (the config's `journeys_dir`), named after
    /// provider, scenario, time and journey id; returns its path.
    pub fn save_to_dir(
        &self,
        dir: &Path,
        redactor: &Redactor,
        redaction: Redaction,
    ) -> Result<PathBuf, TranscriptError> {
        let name = {
            let st = self.lock();
            match st.events.first() {
                Some(Event::JourneyStarted {
                    journey_id,
                    provider,
                    scenario,
                    at_ms,
                    ..
                }) => file_name(provider, scenario.as_deref(), *at_ms, journey_id),
                _ => file_name("journey", None, crate::clock::wall_ms(), "unstarted"),
            }
        };
        self.write(create_in_dir(dir, &name)?, redactor, redaction)
    }
}

/// What the TUI binds to `w`: saves the journey recorded by `recorder` into the journeys
/// directory (`config.app.journeys_dir`, created 0700), redacted with `redactor` (the
/// journey's: `journey.redactor().snapshot()`) unless `redaction` says otherwise. Returns the
/// new file's path to show.
pub fn save_to_journeys_dir(
    journeys_dir: &Path,
    recorder: &Recorder,
    redactor: &Redactor,
    redaction: Redaction,
) -> Result<PathBuf, TranscriptError> {
    recorder.save_to_dir(journeys_dir, redactor, redaction)
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            ))
            .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".into())
}

fn pairs(h: &[(String, String)]) -> Vec<NameValue> {
    h.iter()
        .map(|(k, v)| NameValue {
            name: k.clone(),
            value: v.clone(),
        })
        .collect()
}

/// `a=1&b=x%20y` as name/value pairs, decoded.
fn query_string(url: &str) -> Vec<NameValue> {
    let Some((_, q)) = url.split_once('?') else {
        return Vec::new();
    };
    let q = q.split('#').next().unwrap_or("");
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            NameValue {
                name: decode(k),
                value: decode(v),
            }
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(v) => {
                    out.push(v);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn status_text(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
        .to_string()
}

fn build(st: &State, r: &Redactor, redaction: Redaction) -> Har {
    let redacted = redaction == Redaction::Redacted;
    let shown: Vec<Event> = if redacted {
        st.events.iter().map(|e| redact_event(r, e)).collect()
    } else {
        st.events.clone()
    };
    // Sizes are those of the real bodies, before redaction.
    let mut sizes: HashMap<(u64, bool), i64> = HashMap::new();
    for e in &st.events {
        match e {
            Event::RequestSent { exchange, body, .. } => {
                sizes.insert(
                    (*exchange, true),
                    body.as_ref().map_or(0, |b| b.len() as i64),
                );
            }
            Event::ResponseReceived { exchange, body, .. } => {
                sizes.insert((*exchange, false), body.len() as i64);
            }
            _ => {}
        }
    }

    let mut entries: Vec<Entry> = Vec::new();
    let mut by_exchange: HashMap<u64, usize> = HashMap::new();
    for e in &shown {
        match e {
            Event::RequestSent {
                stage,
                exchange,
                attempt,
                endpoint,
                method,
                url,
                headers,
                body,
                at_ms,
                ..
            } => {
                let mime = header(headers, "content-type").unwrap_or("").to_string();
                let request = Request {
                    method: method.clone(),
                    url: url.clone(),
                    http_version: "HTTP/1.1".into(),
                    cookies: Vec::new(),
                    headers: pairs(headers),
                    query_string: query_string(url),
                    post_data: body.as_ref().map(|b| PostData {
                        mime_type: mime.clone(),
                        text: b.clone(),
                    }),
                    headers_size: -1,
                    body_size: sizes.get(&(*exchange, true)).copied().unwrap_or(0),
                };
                by_exchange.insert(*exchange, entries.len());
                entries.push(Entry {
                    started_date_time: rfc3339(*at_ms),
                    time: 0.0,
                    request,
                    response: Response {
                        status: 0,
                        status_text: String::new(),
                        http_version: "HTTP/1.1".into(),
                        cookies: Vec::new(),
                        headers: Vec::new(),
                        content: Content {
                            size: 0,
                            mime_type: String::new(),
                            text: String::new(),
                        },
                        redirect_url: String::new(),
                        headers_size: -1,
                        body_size: -1,
                    },
                    cache: Cache::default(),
                    timings: Timings::waited(0.0),
                    comment: None,
                    stage: *stage,
                    exchange: *exchange,
                    attempt: *attempt,
                    endpoint: endpoint.clone(),
                    error: Some("no response: the journey stopped before one arrived".into()),
                });
            }
            Event::ResponseReceived {
                exchange,
                status,
                headers,
                body,
                latency_ms,
                ..
            } => {
                let Some(&i) = by_exchange.get(exchange) else {
                    continue;
                };
                let entry = &mut entries[i];
                let size = sizes
                    .get(&(*exchange, false))
                    .copied()
                    .unwrap_or(body.len() as i64);
                entry.response = Response {
                    status: *status,
                    status_text: status_text(*status),
                    http_version: "HTTP/1.1".into(),
                    cookies: Vec::new(),
                    headers: pairs(headers),
                    content: Content {
                        size,
                        mime_type: header(headers, "content-type").unwrap_or("").to_string(),
                        text: body.clone(),
                    },
                    redirect_url: header(headers, "location").unwrap_or("").to_string(),
                    headers_size: -1,
                    body_size: size,
                };
                entry.time = latency_ms.max(0.0);
                entry.timings = Timings::waited(*latency_ms);
                entry.error = None;
            }
            Event::RequestFailed {
                exchange,
                error,
                latency_ms,
                ..
            } => {
                let Some(&i) = by_exchange.get(exchange) else {
                    continue;
                };
                let entry = &mut entries[i];
                entry.time = latency_ms.max(0.0);
                entry.timings = Timings::waited(*latency_ms);
                entry.error = Some(error.clone());
            }
            _ => {}
        }
    }

    // `shown` is redacted already (every string of every event).
    let events: Vec<Value> = shown.iter().map(Event::to_public_json).collect();
    let stages = shown
        .iter()
        .filter_map(|e| match e {
            Event::StageStarted { stage, .. } => Some(*stage),
            _ => None,
        })
        .collect();
    let outcome = shown.iter().rev().find_map(|e| match e {
        Event::JourneyFinished { .. } => Some(e.to_public_json()),
        _ => None,
    });
    let (journey_id, provider, provider_version, scenario, clock) = match st.events.first() {
        Some(Event::JourneyStarted {
            journey_id,
            provider,
            provider_version,
            scenario,
            virtual_clock,
            ..
        }) => (
            journey_id.clone(),
            provider.clone(),
            provider_version.clone(),
            scenario.clone(),
            if *virtual_clock { "virtual" } else { "real" },
        ),
        _ => (String::new(), String::new(), String::new(), None, "real"),
    };
    let data = if redacted {
        redact_profile(r, &st.profile)
    } else {
        serde_json::to_value(&st.profile).unwrap_or(Value::Null)
    };
    // The profile's name and file are how replay finds it again: they are kept as they are
    // (name profiles after the case, not after the person).
    let profile_name = st.profile_name.clone();
    let reference = st.source.reference();
    Har {
        log: Log {
            version: HAR_VERSION.into(),
            creator: Creator {
                name: "rampsim".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            entries,
            comment: Some(if redacted {
                "rampsim journey transcript. Secrets and KYC values are redacted (names to initials, numbers to their last 4 characters, images to size and hash).".into()
            } else {
                super::UNREDACTED_NOTICE.into()
            }),
            redacted,
            rampsim: Rampsim {
                format: RAMPSIM_FORMAT,
                journey_id,
                provider,
                provider_version,
                scenario,
                mode: st.mode,
                clock: clock.into(),
                profile: ProfileInput {
                    name: profile_name,
                    source: st.source.kind().into(),
                    reference,
                    data,
                },
                stages,
                events,
                outcome,
                saved_at: rfc3339(crate::clock::wall_ms()),
                secrets: (!redacted).then(|| r.secrets()),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_decoded() {
        let q = query_string("https://x/y?a=1&b=x%20y+z&c#frag");
        assert_eq!(q.len(), 3);
        assert_eq!(q[1].value, "x y z");
        assert_eq!(q[2].name, "c");
        assert!(query_string("https://x/y").is_empty());
    }
}
