//! The journey as the screen shows it, rebuilt from the engine's events: the four stages with
//! their state, every exchange with its request and response, and the outcome.

use super::action::JourneyInfo;
use super::body::{format_body, BodyView};
use crate::journey::{Event, Finished, StageState};
use rampsim_plugin_sdk::wire::{KycStatus, Mode, Stage};
use std::time::Instant;

/// Where a stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageStatus {
    Pending,
    Running,
    Finished(StageState),
}

impl StageStatus {
    pub fn word(self) -> &'static str {
        match self {
            StageStatus::Pending => "pending",
            StageStatus::Running => "running",
            StageStatus::Finished(s) => s.as_str(),
        }
    }
}

/// The engine's announcement of the next poll, and when the app heard it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NextPoll {
    pub in_ms: u64,
    pub heard: Instant,
}

#[derive(Debug, Clone)]
pub struct StageView {
    pub stage: Stage,
    /// What this stage does at this provider (the manifest's label).
    pub label: String,
    /// The manifest says the provider has no such step.
    pub skip_reason: Option<String>,
    pub status: StageStatus,
    /// The engine's last word on the stage (a poll's or the result's message).
    pub message: String,
    pub duration_ms: Option<i64>,
    pub started_at_ms: Option<i64>,
    /// When the app heard the stage start, for a running duration on the real clock.
    pub started: Option<Instant>,
    /// Polls so far (status_polled events, then the final count).
    pub polls: u32,
    pub provider_status: Option<String>,
    pub kyc_status: Option<KycStatus>,
    pub next_poll: Option<NextPoll>,
    /// How many times the stage has been started (re-runs count).
    pub runs: u32,
    /// Its result is from before an earlier stage was re-run: the journey will run it again.
    pub stale: bool,
}

impl StageView {
    fn new(stage: Stage) -> StageView {
        StageView {
            stage,
            label: String::new(),
            skip_reason: None,
            status: StageStatus::Pending,
            message: String::new(),
            duration_ms: None,
            started_at_ms: None,
            started: None,
            polls: 0,
            provider_status: None,
            kyc_status: None,
            next_poll: None,
            runs: 0,
            stale: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ResponseView {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: BodyView,
    pub latency_ms: f64,
    pub at_ms: i64,
}

#[derive(Debug, Clone)]
pub struct FailureView {
    pub error: String,
    pub latency_ms: f64,
    pub will_retry: bool,
    pub at_ms: i64,
}

/// One request and what came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub id: u64,
    pub stage: Stage,
    pub attempt: u32,
    pub endpoint: String,
    pub method: String,
    pub path: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The request body as sent (for curl) and as shown.
    pub body_raw: Option<String>,
    pub body: Option<BodyView>,
    pub sent_at_ms: i64,
    pub response: Option<ResponseView>,
    pub failure: Option<FailureView>,
    /// Which run of its stage sent it (1 the first; a re-run counts up).
    pub run: u32,
}

impl Exchange {
    pub fn latency_ms(&self) -> Option<f64> {
        self.response
            .as_ref()
            .map(|r| r.latency_ms)
            .or(self.failure.as_ref().map(|f| f.latency_ms))
    }

    /// When the exchange ended on the journey's clock (sent time while still in flight).
    pub fn ended_at_ms(&self) -> i64 {
        self.response
            .as_ref()
            .map(|r| r.at_ms)
            .or(self.failure.as_ref().map(|f| f.at_ms))
            .unwrap_or(self.sent_at_ms)
    }
}

#[derive(Debug, Clone)]
pub struct JourneyState {
    pub journey_id: Option<String>,
    pub provider_version: Option<String>,
    pub mode: Option<Mode>,
    pub virtual_clock: bool,
    pub started_at_ms: Option<i64>,
    /// The latest time any event carried: the right end of the timeline.
    pub last_at_ms: Option<i64>,
    pub stages: [StageView; 4],
    pub exchanges: Vec<Exchange>,
    pub finished: Option<Finished>,
    pub duration_ms: Option<i64>,
    /// Index of the stage `n` would run, as the engine counts it.
    pub next_index: usize,
    /// The KYC status last heard, and the stage that first reported it.
    pub kyc_heard: Option<(KycStatus, Stage)>,
}

impl Default for JourneyState {
    fn default() -> Self {
        JourneyState {
            journey_id: None,
            provider_version: None,
            mode: None,
            virtual_clock: false,
            started_at_ms: None,
            last_at_ms: None,
            stages: Stage::ALL.map(StageView::new),
            exchanges: Vec::new(),
            finished: None,
            duration_ms: None,
            next_index: 0,
            kyc_heard: None,
        }
    }
}

impl JourneyState {
    /// A fresh journey with the stage labels and skip reasons of its manifest.
    pub fn from_info(info: &JourneyInfo) -> JourneyState {
        let mut state = JourneyState {
            journey_id: Some(info.journey_id.clone()),
            provider_version: Some(info.manifest.version.clone()),
            mode: Some(info.mode),
            virtual_clock: info.virtual_clock,
            ..JourneyState::default()
        };
        for view in &mut state.stages {
            if let Some(s) = info.manifest.stage(view.stage) {
                view.label = s.label.clone();
                view.skip_reason = s.skipped.clone();
            }
        }
        state
    }

    pub fn stage(&self, stage: Stage) -> &StageView {
        &self.stages[stage.index()]
    }

    fn stage_mut(&mut self, stage: Stage) -> &mut StageView {
        &mut self.stages[stage.index()]
    }

    /// The stage `n` would run; `None` once the journey has finished.
    pub fn next_stage(&self) -> Option<Stage> {
        if self.finished.is_some() {
            return None;
        }
        Stage::ALL.get(self.next_index).copied()
    }

    pub fn running_stage(&self) -> Option<Stage> {
        self.stages
            .iter()
            .find(|s| s.status == StageStatus::Running)
            .map(|s| s.stage)
    }

    pub fn exchanges_of(&self, stage: Stage) -> impl Iterator<Item = &Exchange> + '_ {
        self.exchanges.iter().filter(move |e| e.stage == stage)
    }

    fn exchange_mut(&mut self, id: u64) -> Option<&mut Exchange> {
        self.exchanges.iter_mut().rev().find(|e| e.id == id)
    }

    /// Folds one event in. `now` is when the app heard it.
    pub fn apply(&mut self, event: &Event, now: Instant) {
        if let Some(at) = event_time(event) {
            self.last_at_ms = Some(self.last_at_ms.map_or(at, |t| t.max(at)));
        }
        match event {
            Event::JourneyStarted {
                journey_id,
                provider_version,
                mode,
                virtual_clock,
                at_ms,
                ..
            } => {
                self.journey_id = Some(journey_id.clone());
                self.provider_version = Some(provider_version.clone());
                self.mode = Some(*mode);
                self.virtual_clock = *virtual_clock;
                self.started_at_ms = Some(*at_ms);
            }
            Event::StageStarted {
                stage,
                label,
                at_ms,
                ..
            } => {
                // A re-run opens a finished journey again, as the engine does; the later stages'
                // results are from the run before and will be run again.
                self.finished = None;
                self.duration_ms = None;
                if self.stage(*stage).runs > 0 {
                    for later in Stage::ALL.iter().filter(|s| s.index() > stage.index()) {
                        let v = self.stage_mut(*later);
                        if matches!(v.status, StageStatus::Finished(_)) {
                            v.stale = true;
                        }
                    }
                }
                let view = self.stage_mut(*stage);
                view.stale = false;
                view.label = label.clone();
                view.status = StageStatus::Running;
                view.message.clear();
                view.duration_ms = None;
                view.started_at_ms = Some(*at_ms);
                view.started = Some(now);
                view.polls = 0;
                view.next_poll = None;
                view.runs += 1;
            }
            Event::RequestSent {
                stage,
                exchange,
                attempt,
                endpoint,
                method,
                path,
                url,
                headers,
                body,
                at_ms,
            } => {
                let content_type = header(headers, "content-type");
                let run = self.stage(*stage).runs.max(1);
                self.exchanges.push(Exchange {
                    id: *exchange,
                    stage: *stage,
                    attempt: *attempt,
                    endpoint: endpoint.clone(),
                    method: method.clone(),
                    path: path.clone(),
                    url: url.clone(),
                    headers: headers.clone(),
                    body: body.as_deref().map(|b| format_body(b, content_type)),
                    body_raw: body.clone(),
                    sent_at_ms: *at_ms,
                    response: None,
                    failure: None,
                    run,
                });
            }
            Event::ResponseReceived {
                exchange,
                status,
                headers,
                body,
                latency_ms,
                at_ms,
                ..
            } => {
                let view = ResponseView {
                    status: *status,
                    body: format_body(body, header(headers, "content-type")),
                    headers: headers.clone(),
                    latency_ms: *latency_ms,
                    at_ms: *at_ms,
                };
                if let Some(x) = self.exchange_mut(*exchange) {
                    x.response = Some(view);
                }
            }
            Event::RequestFailed {
                exchange,
                error,
                latency_ms,
                will_retry,
                at_ms,
                ..
            } => {
                if let Some(x) = self.exchange_mut(*exchange) {
                    x.failure = Some(FailureView {
                        error: error.clone(),
                        latency_ms: *latency_ms,
                        will_retry: *will_retry,
                        at_ms: *at_ms,
                    });
                }
            }
            Event::StatusPolled {
                stage,
                poll,
                kyc_status,
                provider_status,
                message,
                next_poll_ms,
                ..
            } => {
                self.hear_kyc(*kyc_status, *stage);
                let view = self.stage_mut(*stage);
                view.polls = poll + 1;
                if kyc_status.is_some() {
                    view.kyc_status = *kyc_status;
                }
                if provider_status.is_some() {
                    view.provider_status = provider_status.clone();
                }
                view.message = message.clone();
                view.next_poll = Some(NextPoll {
                    in_ms: *next_poll_ms,
                    heard: now,
                });
            }
            Event::StageFinished {
                stage,
                state,
                message,
                kyc_status,
                provider_status,
                polls,
                duration_ms,
                ..
            } => {
                self.hear_kyc(*kyc_status, *stage);
                let view = self.stage_mut(*stage);
                view.status = StageStatus::Finished(*state);
                view.message = message.clone();
                view.duration_ms = Some(*duration_ms);
                view.next_poll = None;
                if *state != StageState::Skipped && (*stage == Stage::AwaitKyc || *polls > 0) {
                    // The engine counts polls from 0; the final answer is one more request.
                    view.polls = view.polls.max(*polls + 1);
                }
                if kyc_status.is_some() {
                    view.kyc_status = *kyc_status;
                }
                if provider_status.is_some() {
                    view.provider_status = provider_status.clone();
                }
                if matches!(
                    state,
                    StageState::Done | StageState::Skipped | StageState::Ended
                ) {
                    self.next_index = stage.index() + 1;
                }
            }
            Event::Log { .. } => {}
            Event::JourneyFinished {
                finished,
                duration_ms,
                ..
            } => {
                self.finished = Some(finished.clone());
                self.duration_ms = Some(*duration_ms);
            }
        }
    }
}

impl JourneyState {
    /// Every event carries the journey's KYC status so far: a change says which stage learnt it.
    fn hear_kyc(&mut self, status: Option<KycStatus>, stage: Stage) {
        if let Some(k) = status {
            if self.kyc_heard.map(|(heard, _)| heard) != Some(k) {
                self.kyc_heard = Some((k, stage));
            }
        }
    }

    /// await_kyc has had its say in this journey: it ended done or ended the journey since the
    /// stages before it last ran, or the provider has no such step.
    pub fn kyc_checked(&self) -> bool {
        let view = self.stage(Stage::AwaitKyc);
        view.skip_reason.is_some()
            || (matches!(
                view.status,
                StageStatus::Finished(StageState::Done | StageState::Ended)
            ) && !view.stale)
    }

    /// The KYC status for the outcome line. The engine reports the last one it heard: after a
    /// stage run out of order past an await_kyc that never checked, that one is only as current
    /// as the stage that reported it, and the line says so ("pending as of register").
    pub fn outcome_kyc(&self, finished: &Finished) -> String {
        let plain = finished.kyc_status.map_or("-", |k| k.as_str());
        let past_the_check = finished
            .stage
            .is_some_and(|s| s.index() > Stage::AwaitKyc.index());
        if !past_the_check || self.kyc_checked() {
            return plain.to_string();
        }
        match (finished.kyc_status, self.kyc_heard) {
            (Some(k), Some((heard, from))) if heard == k => format!("{plain} as of {from}"),
            (Some(_), _) => format!("{plain} (not checked)"),
            (None, _) => "not checked".to_string(),
        }
    }
}

pub fn event_time(event: &Event) -> Option<i64> {
    Some(match event {
        Event::JourneyStarted { at_ms, .. }
        | Event::StageStarted { at_ms, .. }
        | Event::RequestSent { at_ms, .. }
        | Event::ResponseReceived { at_ms, .. }
        | Event::RequestFailed { at_ms, .. }
        | Event::StatusPolled { at_ms, .. }
        | Event::StageFinished { at_ms, .. }
        | Event::Log { at_ms, .. }
        | Event::JourneyFinished { at_ms, .. } => *at_ms,
    })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
