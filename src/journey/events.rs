use rampsim_plugin_sdk::wire::{KycStatus, LogLevel, Mode, Outcome, Stage};
use serde::Serialize;
use std::sync::Arc;

/// Where a journey's events go. Called on the engine's task; keep it cheap.
pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

/// How a stage ended.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    /// The stage did its work; the journey goes on.
    Done,
    /// The provider has no such step (or not in this mode).
    Skipped,
    /// The journey ended at this stage with a provider decision (rejected, action_required,
    /// timed_out, or an order created early).
    Ended,
    /// An error: the provider's answer was unusable, the network failed, or the plugin failed.
    Failed,
    /// The operator cancelled the stage.
    Cancelled,
}

impl StageState {
    pub fn as_str(self) -> &'static str {
        match self {
            StageState::Done => "done",
            StageState::Skipped => "skipped",
            StageState::Ended => "ended",
            StageState::Failed => "failed",
            StageState::Cancelled => "cancelled",
        }
    }
}

/// The end of a journey, as `rampsim run --json` reports it last.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Finished {
    pub outcome: Outcome,
    pub kyc_status: Option<KycStatus>,
    pub provider_status: Option<String>,
    pub order_id: Option<String>,
    /// The stage the journey ended in.
    pub stage: Option<Stage>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

/// Everything that happens in a journey, in order.
#[derive(Serialize, Clone, Debug)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    JourneyStarted {
        journey_id: String,
        provider: String,
        provider_version: String,
        scenario: Option<String>,
        profile: String,
        mode: Mode,
        virtual_clock: bool,
        at_ms: i64,
    },
    StageStarted {
        stage: Stage,
        label: String,
        poll: u32,
        at_ms: i64,
    },
    RequestSent {
        stage: Stage,
        exchange: u64,
        /// 1 for the first try, 2.. for retries of the same request.
        attempt: u32,
        /// The manifest endpoint and the provider path, as the adapter asked.
        endpoint: String,
        method: String,
        path: String,
        url: String,
        headers: Vec<(String, String)>,
        body: Option<String>,
        at_ms: i64,
    },
    ResponseReceived {
        stage: Stage,
        exchange: u64,
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
        latency_ms: f64,
        at_ms: i64,
    },
    RequestFailed {
        stage: Stage,
        exchange: u64,
        error: String,
        latency_ms: f64,
        will_retry: bool,
        at_ms: i64,
    },
    StatusPolled {
        stage: Stage,
        poll: u32,
        kyc_status: Option<KycStatus>,
        provider_status: Option<String>,
        message: String,
        next_poll_ms: u64,
        at_ms: i64,
    },
    StageFinished {
        stage: Stage,
        state: StageState,
        message: String,
        kyc_status: Option<KycStatus>,
        provider_status: Option<String>,
        order_id: Option<String>,
        polls: u32,
        duration_ms: i64,
        at_ms: i64,
    },
    Log {
        level: LogLevel,
        message: String,
        at_ms: i64,
    },
    JourneyFinished {
        #[serde(flatten)]
        finished: Finished,
        duration_ms: i64,
        at_ms: i64,
    },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::JourneyStarted { .. } => "journey_started",
            Event::StageStarted { .. } => "stage_started",
            Event::RequestSent { .. } => "request_sent",
            Event::ResponseReceived { .. } => "response_received",
            Event::RequestFailed { .. } => "request_failed",
            Event::StatusPolled { .. } => "status_polled",
            Event::StageFinished { .. } => "stage_finished",
            Event::Log { .. } => "log",
            Event::JourneyFinished { .. } => "journey_finished",
        }
    }

    /// The event as one line of `--json` output: headers and bodies left out (they carry KYC
    /// data and secrets; transcripts keep them, redacted).
    pub fn to_public_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(obj) = v.as_object_mut() {
            obj.remove("headers");
            obj.remove("body");
        }
        v
    }
}
