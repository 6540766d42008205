use super::events::{Event, EventSink, Finished, StageState};
use super::transport::{Received, TransportFailure};
use crate::clock::Clock;
use crate::plugin::{AdapterHandle, CallError, LoadedPlugin};
use crate::redact::SharedRedactor;
use backon::BackoffBuilder;
use rampsim_plugin_sdk::wire::{
    AdapterCall, AdapterInit, AdapterReply, KycStatus, LogLevel, Mode, Next, Outcome, Profile,
    Stage, StageResult, Step,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Timing rules of the engine (from config.toml's `[engine]`).
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub request_timeout: Duration,
    pub poll_initial: Duration,
    pub poll_max: Duration,
    /// A polling stage gives up (`timed_out`) after this long.
    pub kyc_deadline: Duration,
    /// Retries of one retry-safe request.
    pub max_retries: u32,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            request_timeout: Duration::from_secs(10),
            poll_initial: Duration::from_secs(1),
            poll_max: Duration::from_secs(30),
            kyc_deadline: Duration::from_secs(30 * 60),
            max_retries: 3,
        }
    }
}

impl EngineSettings {
    /// Poll waits: exponential from `poll_initial` to `poll_max`, with jitter. `seed` makes the
    /// jitter reproducible (seeded faults: the same run must wait the same).
    pub fn poll_delays(&self, seed: Option<u64>) -> impl Iterator<Item = Duration> {
        let max = self.poll_max;
        // backon adds up to 100% jitter on top of the capped delay: capping the delay at half
        // of poll_max keeps the jitter once the cap is reached (waits spread over
        // poll_max/2..poll_max, so journeys under one long review do not poll in lockstep).
        let b = backon::ExponentialBuilder::default()
            .with_min_delay(self.poll_initial)
            .with_max_delay((self.poll_max / 2).max(self.poll_initial))
            .with_factor(2.0)
            .with_jitter()
            .without_max_times();
        with_seed(b, seed).build().map(move |d| d.min(max))
    }

    /// Waits between retries of a failed request: short, exponential, with jitter, at most 5 s
    /// (a delay of at most 2.5 s and its jitter).
    pub fn retry_delays(&self, seed: Option<u64>) -> impl Iterator<Item = Duration> {
        let b = backon::ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(200))
            .with_max_delay(Duration::from_millis(2500))
            .with_jitter()
            .without_max_times();
        with_seed(b, seed).build()
    }
}

fn with_seed(b: backon::ExponentialBuilder, seed: Option<u64>) -> backon::ExponentialBuilder {
    match seed {
        Some(s) => b.with_jitter_seed(s),
        None => b,
    }
}

/// Everything one journey needs, prepared by the caller.
pub struct JourneySpec {
    pub journey_id: String,
    pub plugin: Arc<LoadedPlugin>,
    pub profile_name: String,
    /// The standalone profile file the journey's profile was read from (absolute), so a
    /// transcript can name it for a replay; `None` for a configured or given profile.
    pub profile_file: Option<std::path::PathBuf>,
    pub profile: Profile,
    /// Every setting the manifest declares, resolved.
    pub settings: BTreeMap<String, String>,
    pub mode: Mode,
    /// The fake's scenario (sandbox mode).
    pub scenario: Option<String>,
    /// Base URL of each manifest endpoint.
    pub base_urls: BTreeMap<String, String>,
    pub clock: Arc<Clock>,
    pub engine: EngineSettings,
    /// Seeds the jitter of the journey's waits when its faults are seeded, so the same run
    /// waits the same and meets the same faults; `None`: random jitter.
    pub jitter_seed: Option<u64>,
    pub http: reqwest::Client,
    /// Secret setting values, for the redactor.
    pub secrets: Vec<String>,
    /// Things that must live as long as the journey (its sandbox session).
    pub keep_alive: Vec<Box<dyn std::any::Any + Send + Sync>>,
}

/// A journey in progress: an adapter instance and where the journey stands.
pub struct Journey {
    pub(crate) spec: JourneySpec,
    adapter: AdapterHandle,
    sink: EventSink,
    pub(crate) exchanges: u64,
    started_ms: i64,
    next_stage: usize,
    kyc_status: Option<KycStatus>,
    provider_status: Option<String>,
    order_id: Option<String>,
    finished: Option<Finished>,
    /// Values learnt from responses that the plugin asked to redact.
    sensitive: Vec<String>,
    /// The journey's secrets, profile and learnt tokens; registered for the log file.
    redactor: SharedRedactor,
    /// Live mode: asked before the first request that carries KYC data.
    pub(crate) kyc_gate: Option<KycGate>,
    pub(crate) kyc_confirmed: bool,
    /// In the current step, the last request the provider may have acted on although it could
    /// not be sent twice safely: if the step then fails, the operator must check before
    /// running it again.
    acted_on: Option<String>,
    /// In the current step, the wait the last 429 asked for when it was longer than a stage may
    /// last (so the host did not wait it out): if the step then fails, the operator learns when
    /// to run it again.
    pub(crate) rate_limited: Option<Duration>,
    /// How many times the last request was sent, when more than once (its earlier answers
    /// were retried): a failure on its last answer says so.
    pub(crate) attempts: Option<u32>,
    /// A request that cannot be sent twice safely, while it is on its way: a cancel then must
    /// say the provider may have acted on it.
    pub(crate) in_flight: Option<String>,
    /// The running (or last) stage, when it started and its polls so far: a stage cancelled by
    /// dropping its future cannot report them itself, so [`Journey::cancelled`] reads them here.
    current: Option<(Stage, i64, u32)>,
}

/// Asked, in live mode, before the first request that carries KYC data
/// (`HttpRequest::carries_kyc`); `false` stops the request (the stage fails, nothing is sent).
/// The TUI sets one that shows the request and waits for the operator; headless live runs
/// have their confirmation in `--live`.
pub type KycGate = Arc<
    dyn Fn(&rampsim_plugin_sdk::wire::HttpRequest) -> futures::future::BoxFuture<'static, bool>
        + Send
        + Sync,
>;

enum StageFailure {
    Plugin(CallError),
    Transport(TransportFailure),
    TooManyRequests,
}

impl StageFailure {
    fn message(&self, stage: Stage) -> String {
        match self {
            StageFailure::Plugin(e) => e.to_string(),
            StageFailure::Transport(t) => t.message.clone(),
            StageFailure::TooManyRequests => {
                format!("the adapter sent more than {MAX_REQUESTS_PER_STEP} requests in one {stage} step")
            }
        }
    }
}

/// A runaway adapter must not loop forever.
const MAX_REQUESTS_PER_STEP: usize = 64;

impl Journey {
    /// Creates the adapter and announces the journey. A plugin that refuses the inputs (an
    /// invalid profile) or fails here is reported as the error.
    pub fn new(spec: JourneySpec, sink: EventSink) -> Result<Journey, CallError> {
        let redactor = SharedRedactor::for_journey(&spec.secrets, &spec.profile);
        Journey::with_redactor(spec, sink, redactor)
    }

    /// [`Journey::new`] with a redactor the caller already holds (its sink redacts with it);
    /// the journey adds the tokens it learns to it and registers it for the log file.
    pub fn with_redactor(
        mut spec: JourneySpec,
        sink: EventSink,
        redactor: SharedRedactor,
    ) -> Result<Journey, CallError> {
        crate::redact::register(&redactor);
        // The profile and settings are lent to the message and taken back, not copied.
        let init = AdapterInit {
            journey_id: spec.journey_id.clone(),
            mode: spec.mode,
            profile: std::mem::take(&mut spec.profile),
            settings: std::mem::take(&mut spec.settings),
            now_ms: spec.clock.now_ms(),
        };
        let adapter = spec.plugin.new_adapter(&init);
        (spec.profile, spec.settings) = (init.profile, init.settings);
        let adapter = adapter?;
        let started_ms = spec.clock.now_ms();
        let journey = Journey {
            adapter,
            sink,
            exchanges: 0,
            started_ms,
            next_stage: 0,
            kyc_status: None,
            provider_status: None,
            order_id: None,
            finished: None,
            sensitive: Vec::new(),
            redactor,
            kyc_gate: None,
            kyc_confirmed: false,
            acted_on: None,
            rate_limited: None,
            attempts: None,
            in_flight: None,
            current: None,
            spec,
        };
        journey.emit(Event::JourneyStarted {
            journey_id: journey.spec.journey_id.clone(),
            provider: journey.spec.plugin.manifest.id.clone(),
            provider_version: journey.spec.plugin.manifest.version.clone(),
            scenario: journey.spec.scenario.clone(),
            profile: journey.spec.profile_name.clone(),
            mode: journey.spec.mode,
            virtual_clock: journey.spec.clock.is_virtual(),
            at_ms: started_ms,
        });
        Ok(journey)
    }

    pub fn spec(&self) -> &JourneySpec {
        &self.spec
    }

    pub fn finished(&self) -> Option<&Finished> {
        self.finished.as_ref()
    }

    /// The stage `run_next` would run, unless the journey has finished.
    pub fn next_stage(&self) -> Option<Stage> {
        if self.finished.is_some() {
            return None;
        }
        Stage::ALL.get(self.next_stage).copied()
    }

    /// Values to redact that the plugin learnt during the journey (tokens).
    pub fn sensitive_values(&self) -> &[String] {
        &self.sensitive
    }

    /// The journey's redactor (secrets, profile, learnt tokens), for everything shown or saved.
    pub fn redactor(&self) -> &SharedRedactor {
        &self.redactor
    }

    /// In live mode, asks `gate` before the first request that carries KYC data.
    pub fn set_kyc_gate(&mut self, gate: KycGate) {
        self.kyc_gate = Some(gate);
    }

    pub(crate) fn now(&self) -> i64 {
        self.spec.clock.now_ms()
    }

    pub(crate) fn emit(&self, event: Event) {
        (self.sink)(event);
    }

    pub(crate) fn next_exchange(&mut self) -> u64 {
        self.exchanges += 1;
        self.exchanges
    }

    pub(crate) fn log_info(&self, message: String) {
        tracing::info!(journey = %self.spec.journey_id, "{message}");
        self.emit(Event::Log {
            level: LogLevel::Info,
            message,
            at_ms: self.now(),
        });
    }

    /// Runs the next stage; `None` when the journey has finished.
    pub async fn run_next(&mut self) -> Option<StageState> {
        let stage = self.next_stage()?;
        Some(self.run_stage(stage).await)
    }

    /// Runs every remaining stage and returns how the journey ended.
    pub async fn run_to_end(&mut self) -> Finished {
        while self.run_next().await.is_some() {}
        match &self.finished {
            Some(f) => f.clone(),
            None => self.finish(
                Outcome::Failed,
                None,
                "the journey ended without an outcome".into(),
                None,
            ),
        }
    }

    /// Marks the journey cancelled by the operator while `stage` was running (the caller dropped
    /// the stage's future).
    pub fn cancelled(&mut self, stage: Stage) -> Finished {
        let mut message = format!("cancelled by the operator during {stage}");
        if let (Stage::CreateOrder, Some(id)) = (stage, &self.order_id) {
            message.push_str(&format!(" (order {id} exists at the provider)"));
        }
        if let Some(request) = self.in_flight.take() {
            self.acted_on = Some(format!(
                "{request} was on its way and carries no idempotency key: the provider may have acted on it"
            ));
        }
        let message = self.with_acted_on(message);
        let next_step = self.check_first(stage);
        // Dropped before it even started: nothing ran, no time passed.
        let (started_ms, polls) = match self.current {
            Some((s, started_ms, polls)) if s == stage => (started_ms, polls),
            _ => (self.now(), 0),
        };
        self.stage_finished(
            stage,
            StageState::Cancelled,
            message.clone(),
            (polls, started_ms),
        );
        self.finish(Outcome::Failed, Some(stage), message, next_step)
    }

    /// Runs (or re-runs) one stage, polling it until its result is final. Re-running a stage
    /// after the journey finished opens it again: the operator is reproducing by hand.
    pub async fn run_stage(&mut self, stage: Stage) -> StageState {
        self.finished = None;
        let label = self
            .spec
            .plugin
            .manifest
            .stage(stage)
            .map(|s| s.label.clone())
            .unwrap_or_else(|| stage.to_string());
        let stage_start = self.now();
        self.current = Some((stage, stage_start, 0));
        self.emit(Event::StageStarted {
            stage,
            label,
            poll: 0,
            at_ms: stage_start,
        });
        if let Some(reason) = self
            .spec
            .plugin
            .manifest
            .stage(stage)
            .and_then(|s| s.skipped.clone())
        {
            return self.stage_over(stage, StageResult::skipped(reason), 0, stage_start);
        }
        let mut delays = self.spec.engine.poll_delays(
            self.spec
                .jitter_seed
                .map(|s| s ^ (stage.index() as u64 + 1)),
        );
        let mut poll = 0u32;
        loop {
            let result = match self.step(stage, poll).await {
                Ok(r) => r,
                Err(f) => {
                    let message = self.with_acted_on(f.message(stage));
                    self.stage_finished(
                        stage,
                        StageState::Failed,
                        message.clone(),
                        (poll, stage_start),
                    );
                    self.finish(Outcome::Failed, Some(stage), message, None);
                    return StageState::Failed;
                }
            };
            self.remember(&result);
            if result.next != Next::Poll {
                return self.stage_over(stage, result, poll, stage_start);
            }
            // The backoff is the floor: a provider answering "Retry-After: 0" to every poll
            // must not make the engine spin (with the virtual clock, time would never move).
            // A longer Retry-After is honoured, up to the stage's deadline.
            let backoff = delays.next().unwrap_or(self.spec.engine.poll_max);
            let asked = result.retry_after_ms.map(Duration::from_millis);
            let waited = Duration::from_millis((self.now() - stage_start).max(0) as u64);
            let wait = match next_poll(backoff, asked, waited, self.spec.engine.kyc_deadline) {
                NextPoll::After(wait) => wait,
                NextPoll::Over { blame } => {
                    return self.out_of_time(stage, result, blame, (stage_start, poll));
                }
            };
            self.emit(Event::StatusPolled {
                stage,
                poll,
                kyc_status: result.kyc_status,
                provider_status: result.provider_status.clone(),
                message: result.message.clone(),
                next_poll_ms: wait.as_millis() as u64,
                at_ms: self.now(),
            });
            self.spec.clock.sleep(wait).await;
            poll += 1;
            self.current = Some((stage, stage_start, poll));
        }
    }

    /// Ends a polled stage that cannot ask again within its deadline (`timed_out`), saying
    /// whether time ran out or the provider's Retry-After reaches past it.
    fn out_of_time(
        &mut self,
        stage: Stage,
        result: StageResult,
        blame: Option<Duration>,
        (stage_start, polls): (i64, u32),
    ) -> StageState {
        let deadline = self.spec.engine.kyc_deadline;
        let waited = Duration::from_millis((self.now() - stage_start).max(0) as u64);
        let (message, next_step) = match blame {
            Some(asked) => (
                format!(
                    "{stage} not final: {}; the provider asked to wait {} before asking again (Retry-After), past the stage's deadline ({}, {} of it spent)",
                    result.message,
                    span(asked),
                    span(deadline),
                    span(waited)
                ),
                result
                    .next_step
                    .or_else(|| Some(format!("run {stage} again once {} have passed", span(asked)))),
            ),
            None => (
                format!(
                    "{stage} still not final after {} s (deadline {} s): {}",
                    waited.as_secs(),
                    deadline.as_secs(),
                    result.message
                ),
                result.next_step,
            ),
        };
        self.stage_finished(
            stage,
            StageState::Ended,
            message.clone(),
            (polls, stage_start),
        );
        self.finish(Outcome::TimedOut, Some(stage), message, next_step);
        StageState::Ended
    }

    /// The `StageFinished` event of `stage`, with what the journey knows now.
    fn stage_finished(
        &self,
        stage: Stage,
        state: StageState,
        message: String,
        (polls, started_ms): (u32, i64),
    ) {
        self.emit(Event::StageFinished {
            stage,
            state,
            message,
            kyc_status: self.kyc_status,
            provider_status: self.provider_status.clone(),
            order_id: self.order_id.clone(),
            polls,
            duration_ms: self.now() - started_ms,
            at_ms: self.now(),
        });
    }

    fn remember(&mut self, r: &StageResult) {
        if r.kyc_status.is_some() {
            self.kyc_status = r.kyc_status;
        }
        if let Some(p) = &r.provider_status {
            self.provider_status = Some(p.clone());
        }
        if let Some(o) = &r.order_id {
            self.order_id = Some(o.clone());
        }
    }

    /// Reports a stage's final result and moves the journey on (or ends it).
    fn stage_over(
        &mut self,
        stage: Stage,
        mut result: StageResult,
        polls: u32,
        stage_start: i64,
    ) -> StageState {
        // Only create_order, with the id of the order it made, can end a journey
        // order_created: a plugin claiming it elsewhere would report an order nobody placed.
        if result.next == Next::Finish(Outcome::OrderCreated)
            && (stage != Stage::CreateOrder || self.order_id.is_none())
        {
            let m = &self.spec.plugin.manifest;
            let why = if stage == Stage::CreateOrder {
                "with no order id".to_string()
            } else {
                format!("at {stage}, before create_order")
            };
            result = StageResult::failed(format!(
                "plugin {} {} ended the journey order_created {why} (\"{}\"): only create_order, with the order's id, can (a contract error in the plugin)",
                m.id, m.version, result.message
            ));
        }
        let state = match result.next {
            Next::Continue | Next::Poll => StageState::Done,
            Next::Skipped => StageState::Skipped,
            Next::Finish(_) => StageState::Ended,
        };
        self.stage_finished(stage, state, result.message.clone(), (polls, stage_start));
        self.next_stage = stage.index() + 1;
        match result.next {
            Next::Finish(outcome) => {
                self.finish(outcome, Some(stage), result.message, result.next_step);
            }
            _ if stage == Stage::CreateOrder => {
                if self.order_id.is_some() {
                    self.finish(Outcome::OrderCreated, Some(stage), result.message, None);
                } else {
                    let message = self.with_acted_on(format!(
                        "create_order finished without an order id: {}",
                        result.message
                    ));
                    self.finish(Outcome::Failed, Some(stage), message, None);
                }
            }
            _ => {}
        }
        state
    }

    fn finish(
        &mut self,
        outcome: Outcome,
        stage: Option<Stage>,
        message: String,
        next_step: Option<String>,
    ) -> Finished {
        let finished = Finished {
            outcome,
            kyc_status: self.kyc_status,
            provider_status: self.provider_status.clone(),
            order_id: self.order_id.clone(),
            stage,
            message,
            next_step,
        };
        self.finished = Some(finished.clone());
        self.emit(Event::JourneyFinished {
            finished: finished.clone(),
            duration_ms: self.now() - self.started_ms,
            at_ms: self.now(),
        });
        finished
    }

    fn call_adapter(&mut self, call: AdapterCall) -> Result<AdapterReply, StageFailure> {
        let reply = self.adapter.call(&call);
        self.take_reply(reply)
    }

    /// Hands a response to the adapter. The response is encoded for the plugin first and then
    /// moved into its `ResponseReceived` event, so its body is not copied for the event.
    fn hand_response(
        &mut self,
        stage: Stage,
        received: Received,
    ) -> Result<AdapterReply, StageFailure> {
        let call = AdapterCall::Response {
            stage,
            now_ms: self.now(),
            response: received.response,
        };
        let encoded = self.adapter.encode(&call);
        let AdapterCall::Response { response, .. } = call else {
            unreachable!("built as a response above")
        };
        self.emit(Event::ResponseReceived {
            stage,
            exchange: received.exchange,
            status: response.status,
            headers: response.headers,
            body: response.body,
            latency_ms: received.latency_ms,
            at_ms: self.now(),
        });
        let reply = encoded.and_then(|()| self.adapter.call_encoded());
        self.take_reply(reply)
    }

    /// The adapter's reply, with its secrets registered and its log lines logged.
    fn take_reply(
        &mut self,
        reply: Result<AdapterReply, CallError>,
    ) -> Result<AdapterReply, StageFailure> {
        let reply = reply.map_err(|e| {
            if e.is_panic() {
                tracing::error!(plugin = %e.plugin, version = %e.version, "plugin panicked: {}", e.message);
            }
            StageFailure::Plugin(e)
        })?;
        // Before the plugin's own log lines, which may carry what it just marked.
        self.redactor.add_secrets(&reply.sensitive);
        for line in &reply.logs {
            let plugin = self.spec.plugin.manifest.id.as_str();
            match line.level {
                LogLevel::Debug => tracing::debug!(target: "plugin", plugin, "{}", line.message),
                LogLevel::Info => tracing::info!(target: "plugin", plugin, "{}", line.message),
                LogLevel::Warn => tracing::warn!(target: "plugin", plugin, "{}", line.message),
                LogLevel::Error => tracing::error!(target: "plugin", plugin, "{}", line.message),
            }
        }
        self.sensitive.extend(reply.sensitive.iter().cloned());
        Ok(reply)
    }

    /// `message`, and what the provider may have done with a request of this step that could
    /// not be sent twice.
    fn with_acted_on(&self, message: String) -> String {
        match &self.acted_on {
            Some(what) => format!("{message}. {what}"),
            None => message,
        }
    }

    /// A failed step's message and next step, with the Retry-After the host did not wait out.
    fn with_rate_limit(&self, stage: Stage, result: &mut StageResult) {
        if let Some(asked) = self.rate_limited {
            result.message = format!(
                "{}. The provider asked to wait {} (Retry-After), longer than a stage may last here ({}), so the host did not wait",
                result.message,
                span(asked),
                span(self.spec.engine.kyc_deadline)
            );
            if result.next_step.is_none() {
                result.next_step = Some(format!(
                    "run {stage} again once {} have passed",
                    span(asked)
                ));
            }
        }
    }

    /// The next step after such a request: check before running `stage` again.
    fn check_first(&self, stage: Stage) -> Option<String> {
        self.acted_on
            .as_ref()
            .map(|_| format!("check at the provider before re-running {stage}"))
    }

    /// One begin..finish exchange with the adapter for `stage`.
    async fn step(&mut self, stage: Stage, poll: u32) -> Result<StageResult, StageFailure> {
        // What an earlier step sent is not this step's concern, even when its begin fails.
        self.acted_on = None;
        self.rate_limited = None;
        self.attempts = None;
        let mut reply = self.call_adapter(AdapterCall::Begin {
            stage,
            poll,
            now_ms: self.now(),
        })?;
        for _ in 0..MAX_REQUESTS_PER_STEP {
            match reply.step {
                Step::Finish { mut result } => {
                    if result.next == Next::Finish(Outcome::Failed) {
                        if let Some(n) = self.attempts {
                            result.message = format!("{} (after {n} attempts)", result.message);
                        }
                        self.with_rate_limit(stage, &mut result);
                        result.message = self.with_acted_on(result.message);
                        result.next_step = result.next_step.or_else(|| self.check_first(stage));
                    }
                    return Ok(result);
                }
                Step::Send { request } => {
                    let received = self
                        .send(stage, &request)
                        .await
                        .map_err(StageFailure::Transport)?;
                    let status = received.response.status;
                    if !super::transport::is_retry_safe(&request)
                        && (status >= 500 || (200..300).contains(&status))
                    {
                        // A success that is a gateway's page or cut off says nothing for sure.
                        let sure = status < 500
                            && super::transport::broken_answer(&request, &received.response)
                                .is_none();
                        self.acted_on = Some(format!(
                            "{} {} carries no idempotency key and was answered {status}: the provider {} acted on it",
                            request.method,
                            request.path,
                            if sure { "has" } else { "may have" }
                        ));
                    }
                    reply = self.hand_response(stage, received)?;
                }
            }
        }
        Err(StageFailure::TooManyRequests)
    }
}

/// When a polled stage asks again, or why it cannot within its deadline.
#[derive(Debug, PartialEq)]
enum NextPoll {
    After(Duration),
    /// Out of time; `blame` is the provider's Retry-After when that is why.
    Over {
        blame: Option<Duration>,
    },
}

/// The wait before the next poll: the backoff, or the provider's Retry-After when longer. A
/// backoff that would run past the deadline is cut short so the last poll falls on the deadline
/// (the decision may have come meanwhile); a Retry-After is the provider's and is not cut, so
/// when it runs past the deadline it is the reason the stage stops.
fn next_poll(
    backoff: Duration,
    asked: Option<Duration>,
    waited: Duration,
    deadline: Duration,
) -> NextPoll {
    let wait = asked.map_or(backoff, |a| a.max(backoff));
    let left = deadline.saturating_sub(waited);
    match asked {
        _ if wait <= left => NextPoll::After(wait),
        Some(a) if a > left && !left.is_zero() => NextPoll::Over { blame: Some(a) },
        _ if !left.is_zero() => NextPoll::After(left),
        _ => NextPoll::Over { blame: None },
    }
}

/// A wait in words for a message: `45 s`, `12 min`, `27 h 46 min`.
fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..120 => format!("{s} s"),
        120..7200 => format!("{} min", s / 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_poll_falls_on_the_deadline_unless_the_provider_asked_to_wait_longer() {
        let s = Duration::from_secs;
        let after = |secs| NextPoll::After(s(secs));
        let over = |blame: Option<u64>| NextPoll::Over {
            blame: blame.map(s),
        };
        // (backoff, Retry-After, spent, what then) with a 60 s deadline.
        let cases = [
            // Room for the backoff: it is the wait, or the Retry-After when longer.
            (8, None, 10, after(8)),
            (8, Some(20), 10, after(20)),
            (8, Some(2), 10, after(8)),
            // A backoff past the deadline is cut: one last poll at the deadline (42 s spent,
            // 18 s left), not a stop 18 s early.
            (30, None, 42, after(18)),
            (30, Some(5), 42, after(18)),
            // A Retry-After past the deadline is not cut: it is why the stage stops.
            (1, Some(86_400), 0, over(Some(86_400))),
            (30, Some(25), 42, over(Some(25))),
            // Polled at the deadline and still not final: time ran out, whatever was asked.
            (30, None, 60, over(None)),
            (30, Some(5), 61, over(None)),
        ];
        for (backoff, asked, spent, then) in cases {
            assert_eq!(
                next_poll(s(backoff), asked.map(s), s(spent), s(60)),
                then,
                "backoff {backoff} s, Retry-After {asked:?}, {spent} s spent"
            );
        }
    }

    #[test]
    fn waits_read_in_the_unit_a_person_would_use() {
        assert_eq!(span(Duration::from_secs(45)), "45 s");
        assert_eq!(span(Duration::from_secs(12 * 60)), "12 min");
        assert_eq!(
            span(Duration::from_secs(27 * 3600 + 46 * 60)),
            "27 h 46 min"
        );
    }
}
