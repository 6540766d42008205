//! The rampsim plugin SDK: everything a provider plugin needs, and nothing of the host.
//!
//! A plugin is a `cdylib` with two halves:
//! - an [`Adapter`]: a sans-IO driver of the canonical stages. The host asks it what to do for a
//!   stage; it answers with an HTTP request to send or with the stage's result, and the host hands
//!   every response back. No sockets, threads, clocks or async here: the host owns all of that.
//! - a [`Fake`]: the provider's sandbox as a pure function of (state, request, time, scenario),
//!   which the host serves on loopback so journeys run offline.
//!
//! [`export_plugin!`] turns a [`Plugin`] into the C table the host loads; no `unsafe` needed.
//! [`testing`] drives an adapter against its fake in-process for a plugin's own tests.

pub mod abi;
pub mod amount;
pub mod codec;
pub mod country;
#[doc(hidden)]
pub mod export;
pub mod http;
pub mod json;
pub mod phone;
pub mod testing;
pub mod text;
pub mod time;
pub mod wire;

pub use abi::{ABI_VERSION, PROTOCOL_VERSION};
pub use wire::*;

/// Ties a plugin's manifest, adapter and fake together for [`export_plugin!`].
pub trait Plugin: 'static {
    type Adapter: Adapter;
    type Fake: Fake;
    /// Called first, before any other call; must be cheap and never fail.
    fn manifest() -> Manifest;
}

/// Drives one journey at one provider. A new adapter is made for each journey.
pub trait Adapter: Send + 'static {
    /// Checks and keeps the journey's inputs. A profile the provider would refuse (a name with
    /// characters it does not accept, a missing field) is best reported here, by field name.
    fn new(init: AdapterInit) -> Result<Self, PluginError>
    where
        Self: Sized;

    /// Start `stage`, or poll it again (`cx.poll()` > 0) after the host waited.
    fn begin(&mut self, stage: Stage, cx: &mut Cx) -> Result<Step, PluginError>;

    /// The response to the last request this adapter asked for. Any status, any body: the
    /// adapter must answer garbage with a `StageResult::failed`, never a panic.
    fn on_response(
        &mut self,
        stage: Stage,
        response: HttpResponse,
        cx: &mut Cx,
    ) -> Result<Step, PluginError>;
}

/// The provider's sandbox. One fake holds the sandbox state of one journey (or of one
/// `rampsim sandbox` scenario).
pub trait Fake: Send + 'static {
    fn new() -> Self
    where
        Self: Sized;

    /// Answer `request` as the provider's sandbox would at `now_ms` (Unix ms, the host's clock)
    /// when playing `scenario`. Unknown routes get the provider's own 404 shape.
    fn handle(&mut self, request: &FakeRequest, now_ms: i64, scenario: &str) -> HttpResponse;

    /// Facts for the host's audit gathered since the last call, e.g. one
    /// [`FakeNote::order_created`] per order the fake really created (an idempotent replay
    /// creates none). Batch runs use it to prove no user got two orders.
    fn take_notes(&mut self) -> Vec<FakeNote> {
        Vec::new()
    }
}

/// Per-call context for an adapter: the host's time, the poll count, and a place to put log
/// lines and values to redact.
#[derive(Debug, Default)]
pub struct Cx {
    now_ms: i64,
    poll: u32,
    pub(crate) logs: Vec<LogLine>,
    pub(crate) sensitive: Vec<String>,
}

impl Cx {
    pub fn new(now_ms: i64, poll: u32) -> Cx {
        Cx {
            now_ms,
            poll,
            logs: Vec::new(),
            sensitive: Vec::new(),
        }
    }
    /// The host's clock, Unix milliseconds (virtual in tests and batch runs).
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }
    /// How many times this stage was begun before (0 on the first call).
    pub fn poll(&self) -> u32 {
        self.poll
    }
    /// A line for the host's log file. Never put KYC data or secrets here.
    pub fn log(&mut self, level: LogLevel, message: impl Into<String>) {
        self.logs.push(LogLine {
            level,
            message: message.into(),
        });
    }
    /// A value learnt from a response (an access token) that the host must redact everywhere.
    pub fn sensitive(&mut self, value: impl Into<String>) {
        let v = value.into();
        if !v.is_empty() {
            self.sensitive.push(v);
        }
    }
    /// Drains what the adapter recorded (used by the test harness).
    pub fn take(&mut self) -> (Vec<LogLine>, Vec<String>) {
        (
            std::mem::take(&mut self.logs),
            std::mem::take(&mut self.sensitive),
        )
    }
}
