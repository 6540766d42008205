//! Drive an adapter against its own fake in-process: no host, no sockets, no threads. For a
//! plugin's own `cargo test`. Every message goes through JSON as it would across the boundary,
//! so a type that does not survive the trip fails here first.
//!
//! The harness is a deliberately simple engine: it runs the four stages in order, polls with a
//! doubling wait on a virtual clock (or the stage's `retry_after_ms` when longer: the backoff is
//! a floor, as in the host's engine), and gives up after one hour of virtual time with
//! `timed_out`. The host's engine adds jitter, timeouts and retries.

use crate::wire::*;
use crate::{Adapter, Cx, Fake, Plugin};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// 2026-01-01T00:00:00Z, where the harness's virtual clock starts.
pub const START_MS: i64 = 1_767_225_600_000;

/// One request and its answer, with the stage that sent it.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub stage: Stage,
    pub request: HttpRequest,
    pub response: HttpResponse,
}

/// How a journey run by the harness ended.
#[derive(Clone, Debug)]
pub struct JourneyReport {
    pub outcome: Outcome,
    pub kyc_status: Option<KycStatus>,
    pub provider_status: Option<String>,
    pub order_id: Option<String>,
    /// The final result of each stage that ran or was skipped.
    pub stages: Vec<(Stage, StageResult)>,
    pub exchanges: Vec<Exchange>,
    /// Values the adapter asked to redact.
    pub sensitive: Vec<String>,
    /// Polls made in all.
    pub polls: u32,
}

impl JourneyReport {
    fn empty() -> Self {
        JourneyReport {
            outcome: Outcome::OrderCreated,
            kyc_status: None,
            provider_status: None,
            order_id: None,
            stages: Vec::new(),
            exchanges: Vec::new(),
            sensitive: Vec::new(),
            polls: 0,
        }
    }

    pub fn stage(&self, stage: Stage) -> Option<&StageResult> {
        self.stages
            .iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, r)| r)
    }
}

/// A fake and a virtual clock, ready to run journeys of plugin `P`.
pub struct Harness<P: Plugin> {
    pub fake: P::Fake,
    pub scenario: String,
    pub now_ms: i64,
    /// Cap on the virtual time a journey may wait before `timed_out`.
    pub deadline_ms: i64,
}

/// Through the boundary's encoding, as a message would cross it.
fn round_trip<T: Serialize + DeserializeOwned>(v: &T) -> T {
    let bytes = crate::codec::encode(v).expect("wire types serialise");
    crate::codec::decode(&bytes).expect("wire types deserialise what they serialise")
}

impl<P: Plugin> Harness<P> {
    pub fn new(scenario: &str) -> Self {
        Harness {
            fake: P::Fake::new(),
            scenario: scenario.to_string(),
            now_ms: START_MS,
            deadline_ms: 3_600_000,
        }
    }

    /// The settings the manifest declares, with their sandbox values.
    pub fn sandbox_settings() -> BTreeMap<String, String> {
        P::manifest()
            .settings
            .into_iter()
            .map(|s| (s.name, s.sandbox_value.unwrap_or_default()))
            .collect()
    }

    /// The `AdapterInit` the host would give for `profile` in sandbox mode.
    pub fn init(&self, profile: Profile) -> AdapterInit {
        AdapterInit {
            journey_id: "harness".to_string(),
            mode: Mode::Sandbox,
            profile,
            settings: Self::sandbox_settings(),
            now_ms: self.now_ms,
        }
    }

    /// Sends one request to the fake, as the host's loopback server would.
    pub fn send(&mut self, request: &HttpRequest) -> HttpResponse {
        let (path, query) = match request.path.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (request.path.clone(), String::new()),
        };
        let fake_request = round_trip(&FakeRequest {
            endpoint: request.endpoint.clone(),
            method: request.method.clone(),
            path,
            query,
            headers: request.headers.clone(),
            body: request.body.clone().unwrap_or_default(),
        });
        round_trip(&self.fake.handle(&fake_request, self.now_ms, &self.scenario))
    }

    /// Runs the four stages for `profile` in sandbox mode.
    pub fn run(&mut self, profile: Profile) -> Result<JourneyReport, PluginError> {
        let init = self.init(profile);
        self.run_with(init)
    }

    /// Runs the four stages with a given `AdapterInit`.
    pub fn run_with(&mut self, init: AdapterInit) -> Result<JourneyReport, PluginError> {
        let manifest = P::manifest();
        let mut adapter = P::Adapter::new(round_trip(&init))?;
        let started = self.now_ms;
        let mut report = JourneyReport::empty();
        for stage in Stage::ALL {
            if let Some(reason) = manifest.stage(stage).and_then(|s| s.skipped.clone()) {
                report.stages.push((stage, StageResult::skipped(reason)));
                continue;
            }
            let mut poll = 0u32;
            let result = loop {
                let result =
                    self.run_stage(&mut adapter, stage, poll, &mut report, &mut no_swap)?;
                if result.next != Next::Poll {
                    break result;
                }
                remember(&mut report, &result);
                poll += 1;
                report.polls += 1;
                self.now_ms += poll_wait_ms(poll, result.retry_after_ms) as i64;
                if self.now_ms - started > self.deadline_ms {
                    report.outcome = Outcome::TimedOut;
                    report.stages.push((stage, result));
                    return Ok(report);
                }
            };
            remember(&mut report, &result);
            report.stages.push((stage, result.clone()));
            if let Next::Finish(outcome) = result.next {
                report.outcome = outcome;
                return Ok(report);
            }
        }
        if report.order_id.is_none() {
            report.outcome = Outcome::Failed;
        }
        Ok(report)
    }

    /// Runs one `begin` of `stage` (poll number `poll`) and the requests it sends against the
    /// fake, as [`Harness::run`] does for each step (every request moves the clock on 1 ms), but
    /// no more: no polling, no other stage, skipped or not. For tests that move the clock by hand
    /// between polls, or look at the requests of one step.
    pub fn run_stage_once(
        &mut self,
        adapter: &mut P::Adapter,
        stage: Stage,
        poll: u32,
    ) -> Result<StageStep, PluginError> {
        self.stage_step(adapter, stage, poll, &mut no_swap)
    }

    fn stage_step(
        &mut self,
        adapter: &mut P::Adapter,
        stage: Stage,
        poll: u32,
        swap: &mut dyn FnMut(&HttpRequest) -> Option<HttpResponse>,
    ) -> Result<StageStep, PluginError> {
        let mut report = JourneyReport::empty();
        let result = self.run_stage(adapter, stage, poll, &mut report, swap)?;
        Ok(StageStep {
            result,
            exchanges: report.exchanges,
            sensitive: report.sensitive,
        })
    }

    /// One step of `stage`; `swap` may answer a request in the fake's place (the fake then
    /// never sees it).
    fn run_stage(
        &mut self,
        adapter: &mut P::Adapter,
        stage: Stage,
        poll: u32,
        report: &mut JourneyReport,
        swap: &mut dyn FnMut(&HttpRequest) -> Option<HttpResponse>,
    ) -> Result<StageResult, PluginError> {
        let mut cx = Cx::new(self.now_ms, poll);
        let mut step = round_trip(&adapter.begin(stage, &mut cx)?);
        for _ in 0..64 {
            report.sensitive.extend(cx.take().1);
            match step {
                Step::Finish { result } => return Ok(result),
                Step::Send { request } => {
                    let response = match swap(&request) {
                        Some(answer) => round_trip(&answer),
                        None => self.send(&request),
                    };
                    self.now_ms += 1;
                    report.exchanges.push(Exchange {
                        stage,
                        request,
                        response: response.clone(),
                    });
                    cx = Cx::new(self.now_ms, poll);
                    step = round_trip(&adapter.on_response(stage, response, &mut cx)?);
                }
            }
        }
        Err(PluginError::other(format!(
            "stage {stage} sent more than 64 requests without finishing"
        )))
    }
}

/// The virtual wait before poll number `poll` (1 for the first poll again): the doubling
/// backoff, or the stage's `retry_after_ms` when longer. The backoff is a floor, as in the host's
/// engine: a provider answering `Retry-After: 0` must not make a journey poll forever without
/// its clock moving towards the deadline.
pub fn poll_wait_ms(poll: u32, retry_after_ms: Option<u64>) -> u64 {
    let backoff = 1000u64.saturating_mul(1 << poll.min(6));
    retry_after_ms.map_or(backoff, |asked| asked.max(backoff))
}

fn no_swap(_: &HttpRequest) -> Option<HttpResponse> {
    None
}

/// What one `begin` of one stage did, run by [`Harness::run_stage_once`].
#[derive(Clone, Debug)]
pub struct StageStep {
    /// The stage's answer; its `next` says whether it wants to be polled, go on or finish.
    pub result: StageResult,
    /// The requests the step sent and the answers it got, in order.
    pub exchanges: Vec<Exchange>,
    /// Values the adapter asked to redact during the step.
    pub sensitive: Vec<String>,
}

impl StageStep {
    /// The requests the step sent, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.exchanges.iter().map(|e| e.request.clone()).collect()
    }
}

/// Runs the journey of `scenario` for `profile` against a fresh fake of `P`, except that the
/// `index`-th request of `stage` (counted from 0 across the stage's polls) is answered with
/// `replacement` and never reaches the fake. Returns the result the stage gave right after
/// that answer, or `None` when the journey never got there (the stage sent fewer requests, or
/// the journey ended before). Stages are polled every 5 s of virtual time, at most 200 times.
pub fn run_with_replaced_answer<P: Plugin>(
    scenario: &str,
    profile: Profile,
    stage: Stage,
    index: usize,
    replacement: &HttpResponse,
) -> Result<Option<StageResult>, PluginError> {
    let mut h = Harness::<P>::new(scenario);
    let mut adapter = P::Adapter::new(round_trip(&h.init(profile)))?;
    let manifest = P::manifest();
    for st in Stage::ALL {
        if manifest.stage(st).and_then(|s| s.skipped.clone()).is_some() {
            continue;
        }
        let mut sent = 0usize;
        let mut replaced = false;
        let mut poll = 0u32;
        loop {
            let mut swap = |_: &HttpRequest| {
                let hit = st == stage && sent == index;
                sent += 1;
                replaced |= hit;
                hit.then(|| replacement.clone())
            };
            let result = h.stage_step(&mut adapter, st, poll, &mut swap)?.result;
            if replaced {
                return Ok(Some(result));
            }
            match result.next {
                Next::Poll if poll < 200 => {
                    poll += 1;
                    h.now_ms += 5_000;
                }
                Next::Continue => break,
                _ => return Ok(None),
            }
        }
        if st == stage {
            return Ok(None);
        }
    }
    Ok(None)
}

/// Names the plugin and the scenario for [`SpoiledOnce`].
pub trait Spoil: 'static {
    /// The plugin whose fake is wrapped; its adapter and manifest are used as they are.
    type Plugin: Plugin;
    /// The scenario the wrapped fake plays, whatever scenario the harness names.
    const SCENARIO: &'static str;
    /// The spoilt answer of kind `kind` (see [`spoilt_response`]).
    fn spoilt(kind: &str) -> HttpResponse;
}

/// Plugin `S::Plugin` with a fake that spoils the first answer to one chosen request. The
/// harness's scenario names the kind of garbage and the request: `"html@POST /kyc-import"`
/// spoils the first `POST` whose path ends with `/kyc-import` (a marker ending in `/`, such as
/// `"GET /users/"`, matches any path containing it). A `429` is answered in the fake's place
/// (the provider refused before acting); any other kind after the fake handled the request
/// (the provider acted, the answer got lost).
pub struct SpoiledOnce<S: Spoil>(std::marker::PhantomData<S>);

impl<S: Spoil> Plugin for SpoiledOnce<S> {
    type Adapter = <S::Plugin as Plugin>::Adapter;
    type Fake = SpoiledOnceFake<S>;
    fn manifest() -> Manifest {
        S::Plugin::manifest()
    }
}

/// The fake of [`SpoiledOnce`].
pub struct SpoiledOnceFake<S: Spoil> {
    pub inner: <S::Plugin as Plugin>::Fake,
    /// Whether the chosen answer was spoilt already.
    pub done: bool,
}

impl<S: Spoil> Fake for SpoiledOnceFake<S> {
    fn new() -> Self {
        SpoiledOnceFake {
            inner: <S::Plugin as Plugin>::Fake::new(),
            done: false,
        }
    }

    fn handle(&mut self, request: &FakeRequest, now_ms: i64, scenario: &str) -> HttpResponse {
        let (kind, target) = scenario
            .split_once('@')
            .expect("the scenario is `{kind}@{METHOD} {path marker}`");
        let (method, marker) = target
            .split_once(' ')
            .expect("the scenario is `{kind}@{METHOD} {path marker}`");
        let hit = !self.done
            && request.method == method
            && (request.path.ends_with(marker)
                || (marker.ends_with('/') && request.path.contains(marker)));
        self.done |= hit;
        if hit && kind == "429" {
            return S::spoilt(kind);
        }
        let real = self.inner.handle(request, now_ms, S::SCENARIO);
        if hit {
            return S::spoilt(kind);
        }
        real
    }
}

/// Garbage a broken proxy or provider could answer, by kind: `html` (a maintenance page with
/// status 200), `truncated` (`truncated_json` with status 200), `500` (a JSON error without
/// the provider's error shape), `empty` (200, no body) and `429` (with `Retry-After: 7`).
pub fn spoilt_response(kind: &str, truncated_json: &str) -> HttpResponse {
    let (status, content_type, body) = match kind {
        "html" => (
            200,
            "text/html",
            "<html><body><h1>Down for maintenance</h1></body></html>",
        ),
        "truncated" => (200, "application/json", truncated_json),
        "500" => (500, "application/json", r#"{"message":"Server Error"}"#),
        "empty" => (200, "application/json", ""),
        "429" => (
            429,
            "application/json",
            r#"{"message":"Too Many Requests"}"#,
        ),
        other => panic!("unknown kind of garbage `{other}`"),
    };
    let mut headers = vec![("Content-Type".to_string(), content_type.to_string())];
    if status == 429 {
        headers.push(("Retry-After".to_string(), "7".to_string()));
    }
    HttpResponse {
        status,
        headers,
        body: body.into(),
    }
}

/// Garbage a broken proxy or provider could answer, to feed an adapter with
/// [`run_with_replaced_answer`]: a `502 Bad Gateway` HTML page under status 200,
/// `truncated_json` (200), `error_json` under status 500, an empty body (200, no headers) and
/// JSON of another shape (`[1, 2, 3]`). Named by what they are.
pub fn garbage_answers(
    truncated_json: &str,
    error_json: &str,
) -> Vec<(&'static str, HttpResponse)> {
    let json = || vec![("Content-Type".to_string(), "application/json".to_string())];
    let answer = |status, headers, body: &str| HttpResponse {
        status,
        headers,
        body: body.to_string(),
    };
    vec![
        (
            "HTML",
            answer(
                200,
                vec![("Content-Type".into(), "text/html".into())],
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            ),
        ),
        ("truncated JSON", answer(200, json(), truncated_json)),
        ("500", answer(500, json(), error_json)),
        ("empty body", answer(200, vec![], "")),
        ("JSON of another shape", answer(200, json(), "[1, 2, 3]")),
    ]
}

fn remember(report: &mut JourneyReport, result: &StageResult) {
    if let Some(k) = result.kyc_status {
        report.kyc_status = Some(k);
    }
    if let Some(p) = &result.provider_status {
        report.provider_status = Some(p.clone());
    }
    if let Some(o) = &result.order_id {
        report.order_id = Some(o.clone());
    }
}

/// Sends `request` to a fresh fake of `P` playing `scenario`, at the harness's start time.
pub fn fake_answer<P: Plugin>(scenario: &str, request: &HttpRequest) -> HttpResponse {
    Harness::<P>::new(scenario).send(request)
}

/// The example person of the Paxos identity guide (Billy Duncan), in canonical form: the
/// profile every shipped plugin's sandbox accepts.
pub fn sample_profile() -> Profile {
    Profile {
        ref_id: "user-billy-duncan-001".into(),
        first_name: "Billy".into(),
        last_name: "Duncan".into(),
        date_of_birth: "1960-01-01".into(),
        email: "example@somemail.org".into(),
        phone: "+15556781234".into(),
        nationality: "US".into(),
        address: Address {
            line1: "123 Main St".into(),
            line2: String::new(),
            city: "New York".into(),
            region: "NY".into(),
            postal_code: "10001".into(),
            country: "US".into(),
        },
        tax_id: TaxId {
            number: "073-05-1120".into(),
            kind: "ssn".into(),
            country: "US".into(),
        },
        document: Document {
            kind: "passport".into(),
            number: "P12345678".into(),
            country: "US".into(),
            front_image: Some("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==".into()),
            back_image: None,
        },
        idv: Idv {
            provider: "jumio".into(),
            verification_id: "775300ef-4edb-47b9-8ec4-f45fe3cbf41f".into(),
            verified_at: "2021-06-16T09:28:14Z".into(),
            status: "approved".into(),
            fields: vec!["full_legal_name".into(), "date_of_birth".into()],
        },
        due_diligence: DueDiligence {
            estimated_yearly_income: "50k_to_100k".into(),
            expected_transfer_value: "25k_to_50k".into(),
            source_of_wealth: "employment_income".into(),
            employment_status: "full_time".into(),
            industry: "arts_entertainment_recreation".into(),
        },
        order: OrderRequest {
            asset: "BTC".into(),
            amount: "100.00".into(),
            currency: "USD".into(),
            wallet_address: "0x742d35Cc6634C0532925a3b844Bc454e4438f44e".into(),
            network: "ethereum".into(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Conformance probes: what `rampsim plugin check` checks, for a plugin's own `cargo test`.
//
// The probes drive a [`Subject`] (an adapter and a fake of one plugin). In a plugin's tests that
// is [`InProcess`]; the host's `rampsim plugin check` drives the same probes across the C ABI,
// so a plugin that passes `assert_conformance::<P>()` in `cargo test` passes those checks too.
// ---------------------------------------------------------------------------------------------

/// A runaway step must end: the host's engine gives up after this many requests in one step.
pub const MAX_REQUESTS_PER_STEP: usize = 64;

/// One adapter and one fake of a plugin, called by message. A panic inside the plugin comes
/// back as an error of kind [`PluginErrorKind::Panic`], as it does across the C ABI.
pub trait Subject {
    fn adapter(&mut self, call: &AdapterCall) -> Result<AdapterReply, PluginError>;
    fn fake(&mut self, call: &FakeCall) -> Result<FakeReply, PluginError>;
}

/// An adapter and a fresh fake of `P`, called directly: every message goes through JSON and
/// every call runs inside `catch_unwind`, as the export glue does. After a panic the half that
/// panicked refuses further calls.
pub struct InProcess<P: Plugin> {
    adapter: P::Adapter,
    fake: P::Fake,
    adapter_poisoned: bool,
    fake_poisoned: bool,
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_string())
}

fn panic_error(message: String) -> PluginError {
    PluginError {
        kind: PluginErrorKind::Panic,
        message,
    }
}

impl<P: Plugin> InProcess<P> {
    /// Creates the adapter for `init` (a panic in `Adapter::new` is an error) and a fresh fake.
    pub fn new(init: &AdapterInit) -> Result<Self, PluginError> {
        let init = round_trip(init);
        let adapter = match catch_unwind(AssertUnwindSafe(|| P::Adapter::new(init))) {
            Ok(r) => r?,
            Err(p) => {
                return Err(panic_error(format!(
                    "plugin panicked in adapter_new: {}",
                    panic_message(p)
                )))
            }
        };
        let fake = catch_unwind(P::Fake::new).map_err(|p| {
            panic_error(format!("plugin panicked in fake_new: {}", panic_message(p)))
        })?;
        Ok(InProcess {
            adapter,
            fake,
            adapter_poisoned: false,
            fake_poisoned: false,
        })
    }
}

impl<P: Plugin> Subject for InProcess<P> {
    fn adapter(&mut self, call: &AdapterCall) -> Result<AdapterReply, PluginError> {
        if self.adapter_poisoned {
            return Err(panic_error(
                "adapter refused: this instance panicked earlier".into(),
            ));
        }
        let call = round_trip(call);
        let (stage, mut cx) = match &call {
            AdapterCall::Begin {
                stage,
                poll,
                now_ms,
            } => (*stage, Cx::new(*now_ms, *poll)),
            AdapterCall::Response { stage, now_ms, .. } => (*stage, Cx::new(*now_ms, 0)),
        };
        let adapter = &mut self.adapter;
        let cx_ref = &mut cx;
        let result = catch_unwind(AssertUnwindSafe(move || match call {
            AdapterCall::Begin { .. } => adapter.begin(stage, cx_ref),
            AdapterCall::Response { response, .. } => adapter.on_response(stage, response, cx_ref),
        }));
        match result {
            Ok(Ok(step)) => {
                let (logs, sensitive) = cx.take();
                Ok(round_trip(&AdapterReply {
                    step,
                    sensitive,
                    logs,
                }))
            }
            Ok(Err(e)) => Err(round_trip(&e)),
            Err(p) => {
                self.adapter_poisoned = true;
                Err(panic_error(format!(
                    "plugin panicked in adapter: {}",
                    panic_message(p)
                )))
            }
        }
    }

    fn fake(&mut self, call: &FakeCall) -> Result<FakeReply, PluginError> {
        if self.fake_poisoned {
            return Err(panic_error(
                "fake refused: this instance panicked earlier".into(),
            ));
        }
        let call = round_trip(call);
        let fake = &mut self.fake;
        match catch_unwind(AssertUnwindSafe(|| {
            fake.handle(&call.request, call.now_ms, &call.scenario)
        })) {
            Ok(response) => Ok(round_trip(&FakeReply {
                response,
                logs: Vec::new(),
                notes: fake.take_notes(),
            })),
            Err(p) => {
                self.fake_poisoned = true;
                Err(panic_error(format!(
                    "plugin panicked in fake: {}",
                    panic_message(p)
                )))
            }
        }
    }
}

/// The `AdapterInit` of a sandbox journey: every declared setting with its sandbox value.
pub fn sandbox_init(manifest: &Manifest, profile: &Profile, now_ms: i64) -> AdapterInit {
    AdapterInit {
        journey_id: "conformance".to_string(),
        mode: Mode::Sandbox,
        profile: profile.clone(),
        settings: manifest
            .settings
            .iter()
            .map(|s| (s.name.clone(), s.sandbox_value.clone().unwrap_or_default()))
            .collect(),
        now_ms,
    }
}

/// Runs the whole journey of `scenario` on `subject`, the way [`Harness`] does (same clock,
/// same polling, same one-hour deadline).
pub fn run_journey<S: Subject>(
    subject: &mut S,
    manifest: &Manifest,
    scenario: &str,
) -> Result<JourneyReport, PluginError> {
    let mut d = Drive::new(subject, manifest, scenario);
    d.run(None)?;
    Ok(d.report)
}

/// A journey over a [`Subject`] on a virtual clock.
struct Drive<'a, S: Subject> {
    s: &'a mut S,
    manifest: &'a Manifest,
    scenario: &'a str,
    now_ms: i64,
    started: i64,
    deadline_ms: i64,
    report: JourneyReport,
    /// The stage running, or the last one that ran.
    at: Option<Stage>,
    /// Requests sent to the fake so far.
    fake_calls: usize,
    /// Requests the fake may be sent before the journey stops (a replay up to a point).
    fake_budget: Option<usize>,
    /// The first request the fake panicked on: its number (from 0) and `METHOD /path`.
    fake_panic: Option<(usize, String)>,
}

impl<'a, S: Subject> Drive<'a, S> {
    fn new(s: &'a mut S, manifest: &'a Manifest, scenario: &'a str) -> Self {
        Drive {
            s,
            manifest,
            scenario,
            now_ms: START_MS,
            started: START_MS,
            deadline_ms: 3_600_000,
            report: JourneyReport {
                outcome: Outcome::OrderCreated,
                kyc_status: None,
                provider_status: None,
                order_id: None,
                stages: Vec::new(),
                exchanges: Vec::new(),
                sensitive: Vec::new(),
                polls: 0,
            },
            at: None,
            fake_calls: 0,
            fake_budget: None,
            fake_panic: None,
        }
    }

    /// Asks the fake, as the host's loopback server would.
    fn fake_send(&mut self, request: &HttpRequest) -> Result<HttpResponse, PluginError> {
        let (path, query) = match request.path.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (request.path.clone(), String::new()),
        };
        let call = FakeCall {
            request: FakeRequest {
                endpoint: request.endpoint.clone(),
                method: request.method.clone(),
                path,
                query,
                headers: request.headers.clone(),
                body: request.body.clone().unwrap_or_default(),
            },
            now_ms: self.now_ms,
            scenario: self.scenario.to_string(),
        };
        if self.fake_budget.is_some_and(|b| self.fake_calls >= b) {
            return Err(PluginError::other("the replay stops here"));
        }
        let n = self.fake_calls;
        self.fake_calls += 1;
        match self.s.fake(&call) {
            Ok(reply) => Ok(reply.response),
            Err(e) => {
                if e.kind == PluginErrorKind::Panic && self.fake_panic.is_none() {
                    let what = format!("{} {}", call.request.method, call.request.path);
                    self.fake_panic = Some((n, what));
                }
                Err(e)
            }
        }
    }

    fn adapter(&mut self, call: AdapterCall) -> Result<Step, PluginError> {
        let reply = self.s.adapter(&call)?;
        self.report.sensitive.extend(reply.sensitive);
        Ok(reply.step)
    }

    fn begin(&mut self, stage: Stage, poll: u32) -> Result<Step, PluginError> {
        let now_ms = self.now_ms;
        self.adapter(AdapterCall::Begin {
            stage,
            poll,
            now_ms,
        })
    }

    fn respond(&mut self, stage: Stage, response: HttpResponse) -> Result<Step, PluginError> {
        let now_ms = self.now_ms;
        self.adapter(AdapterCall::Response {
            stage,
            now_ms,
            response,
        })
    }

    /// One begin..finish exchange with the adapter, every request answered by the fake.
    fn step(&mut self, stage: Stage, poll: u32) -> Result<StageResult, PluginError> {
        let mut step = self.begin(stage, poll)?;
        for _ in 0..MAX_REQUESTS_PER_STEP {
            match step {
                Step::Finish { result } => return Ok(result),
                Step::Send { request } => {
                    let response = self.fake_send(&request)?;
                    self.now_ms += 1;
                    self.report.exchanges.push(Exchange {
                        stage,
                        request,
                        response: response.clone(),
                    });
                    step = self.respond(stage, response)?;
                }
            }
        }
        Err(PluginError::other(format!(
            "stage {stage} sent more than {MAX_REQUESTS_PER_STEP} requests without finishing"
        )))
    }

    /// Runs the stages in order, stopping before `until`. `Ok(true)` when it stopped there,
    /// `Ok(false)` when the journey ended first.
    fn run(&mut self, until: Option<Stage>) -> Result<bool, PluginError> {
        for stage in Stage::ALL {
            if Some(stage) == until {
                return Ok(true);
            }
            self.at = Some(stage);
            if let Some(reason) = self.manifest.stage(stage).and_then(|s| s.skipped.clone()) {
                self.report
                    .stages
                    .push((stage, StageResult::skipped(reason)));
                continue;
            }
            let mut poll = 0u32;
            let result = loop {
                let result = self.step(stage, poll)?;
                if result.next != Next::Poll {
                    break result;
                }
                remember(&mut self.report, &result);
                poll += 1;
                self.report.polls += 1;
                self.now_ms += poll_wait_ms(poll, result.retry_after_ms) as i64;
                if self.now_ms - self.started > self.deadline_ms {
                    self.report.outcome = Outcome::TimedOut;
                    self.report.stages.push((stage, result));
                    return Ok(false);
                }
            };
            remember(&mut self.report, &result);
            self.report.stages.push((stage, result.clone()));
            if let Next::Finish(outcome) = result.next {
                self.report.outcome = outcome;
                return Ok(false);
            }
        }
        if self.report.order_id.is_none() {
            self.report.outcome = Outcome::Failed;
        }
        Ok(false)
    }
}

/// A malformed answer to feed an adapter in place of the real one.
#[derive(Clone, Debug)]
pub struct Malformed {
    /// Short name for reports: `html`, `truncated body`, `wrong status`...
    pub name: &'static str,
    pub response: HttpResponse,
    /// A temporary condition (429, 5xx): polling again is an acceptable answer to it.
    pub transient: bool,
}

const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Bad Gateway</title></head>\
<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n";

/// The malformed answers the probes feed in place of `real`, the answer the fake gave: an HTML
/// page, an empty body, the body cut in half, JSON of another shape, `null`, the same body under
/// the wrong status, a 500 error page and a 429. When the real answer has no body (the adapter
/// has nothing to read) only the status cases apply.
pub fn malformed_responses(real: &HttpResponse) -> Vec<Malformed> {
    let content_type = real
        .header("content-type")
        .unwrap_or("application/json")
        .to_string();
    let ok_status = if real.is_success() { real.status } else { 200 };
    let typed = |status: u16, ct: &str, body: &str| HttpResponse {
        status,
        headers: vec![("Content-Type".to_string(), ct.to_string())],
        body: body.to_string(),
    };
    let mut out = Vec::new();
    if !real.body.trim().is_empty() {
        let cut = real.body.len() / 2;
        let cut = (0..=cut)
            .rev()
            .find(|i| real.body.is_char_boundary(*i))
            .unwrap_or(0);
        out.push(Malformed {
            name: "html instead of json",
            response: typed(ok_status, "text/html; charset=utf-8", HTML_PAGE),
            transient: false,
        });
        out.push(Malformed {
            name: "empty body",
            response: typed(ok_status, &content_type, ""),
            transient: false,
        });
        out.push(Malformed {
            name: "truncated body",
            response: HttpResponse {
                body: real.body[..cut].to_string(),
                ..real.clone()
            },
            transient: false,
        });
        out.push(Malformed {
            name: "unexpected json",
            response: typed(ok_status, &content_type, r#"{"unexpected":"shape"}"#),
            transient: false,
        });
        out.push(Malformed {
            name: "json null",
            response: typed(ok_status, &content_type, "null"),
            transient: false,
        });
    }
    out.push(Malformed {
        name: "wrong status",
        response: HttpResponse {
            status: if real.is_success() { 400 } else { 200 },
            ..real.clone()
        },
        transient: false,
    });
    out.push(Malformed {
        name: "server error",
        response: typed(
            500,
            "text/html",
            "<html><body><h1>500 Internal Server Error</h1></body></html>",
        ),
        transient: true,
    });
    out.push(Malformed {
        name: "rate limited",
        response: typed(
            429,
            "application/json",
            r#"{"error":"rate_limited","message":"too many requests"}"#,
        ),
        transient: true,
    });
    out
}

/// Whether an adapter's final answer to a malformed response is acceptable: `Ok` says how it
/// refused, `Err` what it did wrong. Acceptable: an error (not a panic), a journey ending other
/// than `order_created`, or, for a temporary condition (429, 5xx), polling again. Going on as
/// if the stage succeeded is not.
pub fn judge_malformed_answer(
    malformed: &Malformed,
    answer: &Result<StageResult, PluginError>,
) -> Result<String, String> {
    let status = malformed.response.status;
    match answer {
        Err(e) if e.kind == PluginErrorKind::Panic => Err(e.message.clone()),
        Err(e) => Ok(format!("error: {}", e.message)),
        Ok(r) => match r.next {
            Next::Finish(Outcome::OrderCreated) => Err(format!(
                "ended the journey order_created on a {status} it cannot read ({})",
                r.message
            )),
            Next::Finish(outcome) => Ok(format!("{outcome}: {}", r.message)),
            Next::Poll if malformed.transient => Ok(format!("polls again: {}", r.message)),
            Next::Poll => Err(format!(
                "asked to poll again; a response it cannot use should end the stage failed ({})",
                r.message
            )),
            Next::Continue => Err(format!("went on as if the stage succeeded ({})", r.message)),
            Next::Skipped => Err(format!("reported the stage skipped ({})", r.message)),
        },
    }
}

/// What feeding malformed responses at one stage found.
#[derive(Clone, Debug, PartialEq)]
pub struct StageProbe {
    pub stage: Stage,
    /// The scenario whose journey reached the stage; `None` when none does.
    pub scenario: Option<String>,
    /// When none reached it: the first scenario that should have but failed on the way
    /// (`scenario approved failed at register: ...`). `None` when every scenario ended as
    /// declared before the stage (then none is declared to reach it).
    pub blocked: Option<String>,
    /// Requests the stage's first step sends; each answer was replaced in turn by every
    /// malformed one (and so was every later answer in that step).
    pub requests: usize,
    /// Cases fed.
    pub cases: usize,
    /// One line per unacceptable answer: `request 1 (POST /users), html instead of json: ...`.
    pub problems: Vec<String>,
}

enum Case {
    /// The step ended after `sent` requests without reaching the garbled one.
    Finished { sent: usize },
    /// The request the malformed answers replaced, and the verdict.
    Judged {
        request: String,
        verdict: Result<String, String>,
    },
}

impl<'a, S: Subject> Drive<'a, S> {
    /// The first step of `stage`: real answers up to request `garble_from`, then `kind` in place
    /// of every answer.
    fn garbled_step(
        &mut self,
        stage: Stage,
        garble_from: usize,
        kind: Option<&str>,
    ) -> Result<Case, PluginError> {
        let mut step = self.begin(stage, 0)?;
        let mut sent = 0usize;
        let mut garbling: Option<(String, Malformed)> = None;
        for _ in 0..MAX_REQUESTS_PER_STEP {
            let request = match step {
                Step::Finish { result } => {
                    return Ok(match garbling {
                        None => Case::Finished { sent },
                        Some((request, m)) => Case::Judged {
                            request,
                            verdict: judge_malformed_answer(&m, &Ok(result)),
                        },
                    })
                }
                Step::Send { request } => request,
            };
            let real = self.fake_send(&request)?;
            self.now_ms += 1;
            sent += 1;
            let kind = match kind {
                Some(k) if sent > garble_from => k,
                _ => {
                    step = self.respond(stage, real)?;
                    continue;
                }
            };
            let Some(m) = malformed_responses(&real)
                .into_iter()
                .find(|m| m.name == kind)
            else {
                // This answer has no such malformed form (no body): answer it truly.
                step = self.respond(stage, real)?;
                continue;
            };
            let label = garbling
                .as_ref()
                .map(|(l, _)| l.clone())
                .unwrap_or_else(|| {
                    format!(
                        "request {} ({} {})",
                        sent,
                        request.method,
                        request.path.split('?').next().unwrap_or("")
                    )
                });
            garbling = Some((label.clone(), m.clone()));
            match self.respond(stage, m.response.clone()) {
                Ok(next) => step = next,
                Err(e) => {
                    return Ok(Case::Judged {
                        request: label,
                        verdict: judge_malformed_answer(&m, &Err(e)),
                    })
                }
            }
        }
        Ok(match garbling {
            None => Case::Finished { sent },
            Some((request, m)) => Case::Judged {
                request,
                verdict: Err(format!(
                    "kept sending requests after `{}` ({MAX_REQUESTS_PER_STEP} in one step)",
                    m.name
                )),
            },
        })
    }
}

/// Feeds malformed answers to the adapter at every stage the manifest does not skip: for each
/// request of the stage's first step, each of [`malformed_responses`] replaces the real answer
/// (and every later one in that step). The stage is reached through the first declared
/// scenario whose journey gets there. `new_subject` makes a fresh adapter and fake per case.
pub fn probe_malformed_responses<S: Subject>(
    manifest: &Manifest,
    profile: &Profile,
    mut new_subject: impl FnMut(&AdapterInit) -> Result<S, PluginError>,
) -> Vec<StageProbe> {
    let init = sandbox_init(manifest, profile, START_MS);
    let mut out = Vec::new();
    for stage in Stage::ALL {
        if manifest.stage(stage).is_some_and(|s| s.skipped.is_some()) {
            continue;
        }
        let mut probe = StageProbe {
            stage,
            scenario: None,
            blocked: None,
            requests: 0,
            cases: 0,
            problems: Vec::new(),
        };
        // Find a scenario that reaches the stage, and how many requests its first step sends.
        for sc in &manifest.scenarios {
            let mut s = match new_subject(&init) {
                Ok(s) => s,
                Err(e) => {
                    probe
                        .problems
                        .push(format!("cannot create an adapter: {}", e.message));
                    break;
                }
            };
            let mut d = Drive::new(&mut s, manifest, &sc.name);
            let ran = d.run(Some(stage));
            let at = d.at.map_or("its start".to_string(), |s| s.to_string());
            match ran {
                Ok(true) => {}
                // Ended before the stage: a failure only when it should have ended otherwise.
                Ok(false) if d.report.outcome == sc.expected_outcome => continue,
                Ok(false) => {
                    probe.blocked.get_or_insert(format!(
                        "scenario {} ended {} at {at}",
                        sc.name, d.report.outcome
                    ));
                    continue;
                }
                Err(e) => {
                    probe.blocked.get_or_insert(format!(
                        "scenario {} failed at {at}: {}",
                        sc.name, e.message
                    ));
                    continue;
                }
            }
            match d.garbled_step(stage, 0, None) {
                Ok(Case::Finished { sent }) => {
                    probe.scenario = Some(sc.name.clone());
                    probe.blocked = None;
                    probe.requests = sent;
                    break;
                }
                Ok(Case::Judged { .. }) => unreachable!("no malformed kind was given"),
                Err(e) if e.kind == PluginErrorKind::Panic => {
                    probe.scenario = Some(sc.name.clone());
                    probe.blocked = None;
                    // Name the request when it is the fake that panicked.
                    let on = d.fake_panic.as_ref().map(|(_, r)| format!(" on {r}"));
                    probe.problems.push(format!(
                        "with true answers (scenario {}){}: {}",
                        sc.name,
                        on.unwrap_or_default(),
                        e.message
                    ));
                    break;
                }
                Err(_) => continue,
            }
        }
        let Some(scenario) = probe.scenario.clone() else {
            out.push(probe);
            continue;
        };
        for k in 0..probe.requests {
            for kind in [
                "html instead of json",
                "empty body",
                "truncated body",
                "unexpected json",
                "json null",
                "wrong status",
                "server error",
                "rate limited",
            ] {
                let mut s = match new_subject(&init) {
                    Ok(s) => s,
                    Err(e) => {
                        probe
                            .problems
                            .push(format!("cannot create an adapter: {}", e.message));
                        continue;
                    }
                };
                let mut d = Drive::new(&mut s, manifest, &scenario);
                if !matches!(d.run(Some(stage)), Ok(true)) {
                    continue;
                }
                match d.garbled_step(stage, k, Some(kind)) {
                    Ok(Case::Judged { request, verdict }) => {
                        probe.cases += 1;
                        if let Err(why) = verdict {
                            probe.problems.push(format!("{request}, {kind}: {why}"));
                        }
                    }
                    // Fewer requests this time, or no such malformed form: nothing to judge.
                    Ok(Case::Finished { .. }) => {}
                    Err(e) => {
                        probe.cases += 1;
                        if e.kind == PluginErrorKind::Panic {
                            probe.problems.push(format!(
                                "request {}, {kind}: {}",
                                k + 1,
                                e.message
                            ));
                        }
                    }
                }
            }
        }
        out.push(probe);
    }
    out
}

/// What a probe of the fake found.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FakeProbe {
    pub cases: usize,
    pub problems: Vec<String>,
}

/// The first scenario's journey, which the fake probes replay on a fresh adapter and fake before
/// each probe request, so the fake knows the credentials the journey obtained.
struct JourneyReplay {
    scenario: String,
    /// The requests of the journey that got an answer.
    requests: Vec<HttpRequest>,
    /// How many requests reach the fake before the probe: all of them, unless the fake panicked
    /// on one. A fake that panicked refuses every later request, so the probe then asks a fake
    /// that played the journey up to just before that request, and the probes blame no request
    /// but the one that panics.
    stop_before: Option<usize>,
}

impl JourneyReplay {
    fn record<S: Subject>(
        manifest: &Manifest,
        init: &AdapterInit,
        new_subject: &mut impl FnMut(&AdapterInit) -> Result<S, PluginError>,
    ) -> JourneyReplay {
        let mut replay = JourneyReplay {
            scenario: manifest
                .default_scenario()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            requests: Vec::new(),
            stop_before: None,
        };
        if manifest.default_scenario().is_none() {
            return replay;
        }
        let Ok(mut s) = new_subject(init) else {
            return replay;
        };
        let mut d = Drive::new(&mut s, manifest, &replay.scenario);
        let _ = d.run(None);
        replay.stop_before = d.fake_panic.take().map(|(n, _)| n);
        replay.requests = d.report.exchanges.into_iter().map(|e| e.request).collect();
        replay
    }

    /// Sends `request` to a fresh fake that has just played the journey.
    fn ask<S: Subject>(
        &self,
        manifest: &Manifest,
        init: &AdapterInit,
        new_subject: &mut impl FnMut(&AdapterInit) -> Result<S, PluginError>,
        request: &HttpRequest,
    ) -> Result<HttpResponse, PluginError> {
        let mut s = new_subject(init)?;
        let mut d = Drive::new(&mut s, manifest, &self.scenario);
        d.fake_budget = self.stop_before;
        let _ = d.run(None);
        d.fake_budget = None;
        d.fake_send(request)
    }
}

/// Asks the fake for routes it does not know, each endpoint in turn, with the headers the
/// adapter last sent to it (so credentials are right and only the route is wrong): a GET and a
/// POST of an unknown path, an unknown method on a known path, and an endpoint the manifest
/// does not declare. Each must be answered 404 (405 for the method and the POST) with a body,
/// never with a panic. A 401 or 403 (with a body) is accepted where the credentials cannot fit
/// the probe: the journey sent that endpoint none, or they sign each request (the fake accepts
/// them on the request they were made for, and the probe cannot sign another).
pub fn probe_unknown_routes<S: Subject>(
    manifest: &Manifest,
    profile: &Profile,
    mut new_subject: impl FnMut(&AdapterInit) -> Result<S, PluginError>,
) -> FakeProbe {
    let init = sandbox_init(manifest, profile, START_MS);
    let replay = JourneyReplay::record(manifest, &init, &mut new_subject);
    let requests = &replay.requests;
    const NOT_FOUND: &[u16] = &[404];
    const NOT_FOUND_OR_METHOD: &[u16] = &[404, 405];
    const REFUSED: &[u16] = &[401, 403];
    // (request, statuses wanted, whether an authentication refusal is acceptable)
    let mut cases: Vec<(HttpRequest, &'static [u16], bool)> = Vec::new();
    for e in &manifest.endpoints {
        let last = requests.iter().rev().find(|r| r.endpoint == e.name);
        let refusal_ok = match last {
            None => true,
            // Signed credentials: accepted on their own request, so a refusal elsewhere is
            // about the signature, not the route.
            Some(last) => replay
                .ask(manifest, &init, &mut new_subject, last)
                .is_ok_and(|r| !REFUSED.contains(&r.status)),
        };
        let headers = last.map(|r| r.headers.clone()).unwrap_or_default();
        let with = |method: &str, path: &str| HttpRequest {
            endpoint: e.name.clone(),
            method: method.to_string(),
            path: path.to_string(),
            headers: headers.clone(),
            ..Default::default()
        };
        cases.push((
            with("GET", "/rampsim-check/no-such-route?probe=1"),
            NOT_FOUND,
            refusal_ok,
        ));
        let mut post = with("POST", "/rampsim-check/no-such-route");
        post.body = Some(r#"{"probe":true}"#.to_string());
        post.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        post.headers
            .push(("Content-Type".to_string(), "application/json".to_string()));
        cases.push((post, NOT_FOUND_OR_METHOD, refusal_ok));
        if let Some(last) = last {
            let mut m = last.clone();
            m.method = "PROPFIND".to_string();
            cases.push((m, NOT_FOUND_OR_METHOD, refusal_ok));
        }
    }
    if let Some(first) = manifest.endpoints.first() {
        let last = requests.iter().rev().find(|r| r.endpoint == first.name);
        cases.push((
            HttpRequest {
                endpoint: "rampsim-check-unknown-endpoint".to_string(),
                method: "GET".to_string(),
                path: "/rampsim-check/no-such-route".to_string(),
                headers: last.map(|r| r.headers.clone()).unwrap_or_default(),
                ..Default::default()
            },
            NOT_FOUND,
            false,
        ));
    }
    let mut probe = FakeProbe::default();
    for (request, wanted, refusal_ok) in cases {
        probe.cases += 1;
        let what = format!(
            "{} {} on endpoint `{}`",
            request.method, request.path, request.endpoint
        );
        let accepted =
            |status: u16| wanted.contains(&status) || (refusal_ok && REFUSED.contains(&status));
        match replay.ask(manifest, &init, &mut new_subject, &request) {
            Err(e) => probe.problems.push(format!("{what}: {}", e.message)),
            Ok(r) if !accepted(r.status) => probe.problems.push(format!(
                "{what}: answered {} instead of {} ({})",
                r.status,
                wanted
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
                snippet(&r.body)
            )),
            Ok(r) if r.body.trim().is_empty() => probe.problems.push(format!(
                "{what}: answered {} with an empty body; answer with the provider's own error body",
                r.status
            )),
            Ok(_) => {}
        }
    }
    probe
}

/// Sends the fake the requests of a journey spoilt: without headers (no credentials), and
/// those with a body with an HTML page, a truncated body or none. Any answer will do but a
/// panic (or a status outside 100..=599).
pub fn probe_malformed_requests<S: Subject>(
    manifest: &Manifest,
    profile: &Profile,
    mut new_subject: impl FnMut(&AdapterInit) -> Result<S, PluginError>,
) -> FakeProbe {
    let init = sandbox_init(manifest, profile, START_MS);
    let replay = JourneyReplay::record(manifest, &init, &mut new_subject);
    let mut seen = std::collections::BTreeSet::new();
    let mut cases: Vec<(&'static str, HttpRequest)> = Vec::new();
    for r in &replay.requests {
        let route = (
            r.endpoint.clone(),
            r.method.clone(),
            r.path.split('?').next().unwrap_or("").to_string(),
        );
        if !seen.insert(route) {
            continue;
        }
        cases.push((
            "no headers",
            HttpRequest {
                headers: Vec::new(),
                ..r.clone()
            },
        ));
        if let Some(body) = &r.body {
            let cut = (0..=body.len() / 2)
                .rev()
                .find(|i| body.is_char_boundary(*i))
                .unwrap_or(0);
            cases.push((
                "html body",
                HttpRequest {
                    body: Some(HTML_PAGE.to_string()),
                    ..r.clone()
                },
            ));
            cases.push((
                "truncated body",
                HttpRequest {
                    body: Some(body[..cut].to_string()),
                    ..r.clone()
                },
            ));
            cases.push((
                "empty body",
                HttpRequest {
                    body: None,
                    ..r.clone()
                },
            ));
        }
    }
    let mut probe = FakeProbe::default();
    for (kind, request) in cases {
        probe.cases += 1;
        let what = format!(
            "{} {} with {kind}",
            request.method,
            request.path.split('?').next().unwrap_or("")
        );
        match replay.ask(manifest, &init, &mut new_subject, &request) {
            Err(e) => probe.problems.push(format!("{what}: {}", e.message)),
            Ok(r) if !(100..=599).contains(&r.status) => probe
                .problems
                .push(format!("{what}: answered with status {}", r.status)),
            Ok(_) => {}
        }
    }
    probe
}

fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "empty body".to_string();
    }
    let mut end = one_line.len().min(120);
    while !one_line.is_char_boundary(end) {
        end -= 1;
    }
    if end < one_line.len() {
        format!("{}…", &one_line[..end])
    } else {
        one_line
    }
}

/// Runs every scenario the manifest declares with `profile` through [`Harness`] and returns one
/// line per scenario that does not end with its declared outcome (empty: all do).
pub fn check_every_scenario<P: Plugin>(profile: &Profile) -> Vec<String> {
    let manifest = P::manifest();
    if manifest.scenarios.is_empty() {
        return vec!["the manifest declares no scenario".to_string()];
    }
    let mut problems = Vec::new();
    for sc in &manifest.scenarios {
        let mut h = Harness::<P>::new(&sc.name);
        match h.run(profile.clone()) {
            Ok(r) if r.outcome == sc.expected_outcome => {}
            Ok(r) => {
                let last = r
                    .stages
                    .last()
                    .map(|(stage, res)| format!(" at {stage}: {}", res.message))
                    .unwrap_or_default();
                problems.push(format!(
                    "scenario {}: ended {}{last}; it declares {}",
                    sc.name, r.outcome, sc.expected_outcome
                ));
            }
            Err(e) => problems.push(format!("scenario {}: error: {}", sc.name, e.message)),
        }
    }
    problems
}

/// Runs every declared scenario with `profile` and panics on one that fails to run, ends other
/// than its manifest declares, or ends with another KYC status or provider status than
/// `expected` lists for it (`(scenario, kyc status, provider status)`; every scenario must be
/// listed). Returns each scenario with its report, for the provider's own checks.
pub fn assert_every_scenario_ends<P: Plugin>(
    profile: &Profile,
    expected: &[(&str, KycStatus, &str)],
) -> Vec<(ScenarioInfo, JourneyReport)> {
    let manifest = P::manifest();
    assert!(
        !manifest.scenarios.is_empty(),
        "the manifest declares no scenario"
    );
    manifest
        .scenarios
        .into_iter()
        .map(|s| {
            let (_, kyc, provider) = expected
                .iter()
                .find(|(name, ..)| *name == s.name)
                .unwrap_or_else(|| panic!("list the expected statuses of scenario {}", s.name));
            let r = Harness::<P>::new(&s.name)
                .run(profile.clone())
                .unwrap_or_else(|e| panic!("scenario {}: {}", s.name, e.message));
            let last = r.stages.last().map(|(stage, res)| (stage, &res.message));
            assert_eq!(r.outcome, s.expected_outcome, "{}: {last:?}", s.name);
            assert_eq!(r.kyc_status, Some(*kyc), "{}: {last:?}", s.name);
            assert_eq!(
                r.provider_status.as_deref(),
                Some(*provider),
                "{}: {last:?}",
                s.name
            );
            (s, r)
        })
        .collect()
}

/// Answers each request in `targets` (a [`SpoiledOnce`] target, `"POST /users"`, and the stage
/// it belongs to) in turn with each kind of garbage (`html`, `truncated`, `500`, `empty`), and
/// panics unless the journey then ends `failed` at that stage, with no order, and a message that
/// starts with `who(target)` (`"Acme answered"`) and names the status it got.
pub fn assert_garbage_fails_each_request<S: Spoil>(
    profile: &Profile,
    targets: &[(&str, Stage)],
    who: impl Fn(&str) -> &'static str,
) {
    for kind in ["html", "truncated", "500", "empty"] {
        for (target, stage) in targets {
            let scenario = format!("{kind}@{target}");
            let r = Harness::<SpoiledOnce<S>>::new(&scenario)
                .run(profile.clone())
                .unwrap_or_else(|e| panic!("{scenario}: {}", e.message));
            let (last_stage, last) = r.stages.last().expect("a stage ran");
            assert_eq!(r.outcome, Outcome::Failed, "{scenario}: {last:#?}");
            assert_eq!(last_stage, stage, "{scenario}");
            assert_eq!(last.next, Next::Finish(Outcome::Failed), "{scenario}");
            assert!(
                last.message.starts_with(who(target)),
                "{scenario}: {}",
                last.message
            );
            let status = if kind == "500" { "500" } else { "200" };
            assert!(
                last.message.contains(status),
                "{scenario}: {}",
                last.message
            );
            assert!(r.order_id.is_none(), "{scenario}");
        }
    }
}

fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

/// Panics unless every declared scenario, run with [`sample_profile`], ends with its declared
/// outcome.
pub fn assert_every_scenario<P: Plugin>() {
    assert_no_problems(
        "scenarios that do not end as declared",
        &check_every_scenario::<P>(&sample_profile()),
    );
}

/// Panics unless the adapter answers every malformed response at every stage with an error
/// (see [`probe_malformed_responses`] and [`judge_malformed_answer`]).
pub fn assert_malformed_responses_fail<P: Plugin>() {
    let probes = probe_malformed_responses(&P::manifest(), &sample_profile(), InProcess::<P>::new);
    let mut problems = Vec::new();
    for p in probes {
        match (&p.scenario, &p.blocked) {
            (None, Some(why)) => problems.push(format!("{}: not reached: {why}", p.stage)),
            (None, None) if p.problems.is_empty() => problems.push(format!(
                "{}: no declared scenario reaches this stage, so its answers cannot be checked",
                p.stage
            )),
            _ => {}
        }
        problems.extend(p.problems.iter().map(|m| format!("{}: {m}", p.stage)));
    }
    assert_no_problems("malformed responses not refused", &problems);
}

/// Panics unless the fake answers unknown routes with a 404 and a body, and survives spoilt
/// requests (see [`probe_unknown_routes`] and [`probe_malformed_requests`]).
pub fn assert_fake_refuses_unknown_requests<P: Plugin>() {
    let m = P::manifest();
    let profile = sample_profile();
    let mut problems = probe_unknown_routes(&m, &profile, InProcess::<P>::new).problems;
    problems.extend(probe_malformed_requests(&m, &profile, InProcess::<P>::new).problems);
    assert_no_problems("the fake mishandles unknown requests", &problems);
}

/// Everything above: the in-process part of `rampsim plugin check`.
pub fn assert_conformance<P: Plugin>() {
    assert_every_scenario::<P>();
    assert_malformed_responses_fail::<P>();
    assert_fake_refuses_unknown_requests::<P>();
}

#[cfg(test)]
mod probe_tests {
    //! The probes against a tiny provider built in one of several ways: right, panicking on
    //! malformed answers, going on whatever the answer, and with a fake that panics.
    use super::*;

    const RIGHT: u8 = 0;
    const PANICS: u8 = 1;
    const LENIENT: u8 = 2;
    const FAKE_PANICS: u8 = 3;
    const WRONG_OUTCOME: u8 = 4;
    /// Polls again at once (`retry_after_ms(0)`) without end once await_kyc has polled.
    const POLLS_AT_ONCE: u8 = 5;
    /// The fake panics on `POST /orders` only.
    const FAKE_PANICS_ON_ORDERS: u8 = 6;
    /// The fake answers `POST /users` 500: every journey fails at register.
    const REGISTER_FAILS: u8 = 7;

    struct Tiny<const M: u8>;
    struct TinyAdapter<const M: u8> {
        polls: u32,
    }
    struct TinyFake<const M: u8>;

    impl<const M: u8> Plugin for Tiny<M> {
        type Adapter = TinyAdapter<M>;
        type Fake = TinyFake<M>;
        fn manifest() -> Manifest {
            Manifest {
                id: "tiny".into(),
                name: "Tiny".into(),
                version: "0.0.1".into(),
                protocol_version: crate::PROTOCOL_VERSION.into(),
                description: String::new(),
                stages: Stage::ALL
                    .into_iter()
                    .map(|stage| StageInfo {
                        stage,
                        label: stage.to_string(),
                        skipped: (stage == Stage::IdvPassthrough).then(|| "none".to_string()),
                    })
                    .collect(),
                endpoints: vec![EndpointInfo {
                    name: "api".into(),
                    live_base_url: "https://tiny.invalid".into(),
                    description: String::new(),
                }],
                settings: vec![],
                scenarios: vec![ScenarioInfo {
                    name: "ok".into(),
                    description: String::new(),
                    expected_outcome: Outcome::OrderCreated,
                }],
            }
        }
    }

    impl<const M: u8> Adapter for TinyAdapter<M> {
        fn new(_: AdapterInit) -> Result<Self, PluginError> {
            Ok(TinyAdapter { polls: 0 })
        }
        fn begin(&mut self, stage: Stage, cx: &mut Cx) -> Result<Step, PluginError> {
            if M == POLLS_AT_ONCE && stage == Stage::AwaitKyc && cx.poll() > 0 {
                return Ok(Step::Finish {
                    result: StageResult::poll("still pending").retry_after_ms(0),
                });
            }
            let path = match stage {
                Stage::Register => "/users",
                Stage::AwaitKyc => "/users/1",
                _ => "/orders",
            };
            Ok(Step::Send {
                request: HttpRequest::post("api", path).with_header("X-Key", "k"),
            })
        }
        fn on_response(
            &mut self,
            stage: Stage,
            response: HttpResponse,
            _: &mut Cx,
        ) -> Result<Step, PluginError> {
            let body: serde_json::Value = if M == PANICS {
                serde_json::from_str(&response.body).unwrap()
            } else {
                response.json_body().unwrap_or_default()
            };
            let id = body["id"].as_str();
            let accept = M == LENIENT || (response.is_success() && id.is_some());
            let result = match accept {
                true => match stage {
                    Stage::AwaitKyc if self.polls == 0 => {
                        self.polls += 1;
                        StageResult::poll("pending")
                    }
                    Stage::AwaitKyc if M == WRONG_OUTCOME => {
                        StageResult::finish(Outcome::Rejected, "no")
                    }
                    Stage::CreateOrder => StageResult::done("order").order_id("o-1"),
                    _ => StageResult::done("ok"),
                },
                false => StageResult::failed(format!("tiny answered {}", response.status)),
            };
            Ok(Step::Finish { result })
        }
    }

    impl<const M: u8> Fake for TinyFake<M> {
        fn new() -> Self {
            TinyFake
        }
        fn handle(&mut self, request: &FakeRequest, _: i64, _: &str) -> HttpResponse {
            if request.header("x-key") != Some("k") {
                return HttpResponse::json(401, &serde_json::json!({"error": "unauthorized"}));
            }
            match request.path.as_str() {
                "/orders" if M == FAKE_PANICS_ON_ORDERS => panic!("no orders today"),
                "/users" if M == REGISTER_FAILS => {
                    HttpResponse::json(500, &serde_json::json!({"error": "down"}))
                }
                "/users" | "/users/1" | "/orders" if request.method == "POST" => {
                    HttpResponse::json(200, &serde_json::json!({"id": "1"}))
                }
                _ if M == FAKE_PANICS => panic!("no route"),
                _ => HttpResponse::json(404, &serde_json::json!({"error": "not_found"})),
            }
        }
    }

    fn malformed<P: Plugin>() -> Vec<StageProbe> {
        probe_malformed_responses(&P::manifest(), &sample_profile(), InProcess::<P>::new)
    }

    #[test]
    fn a_right_adapter_refuses_every_malformed_answer() {
        let probes = malformed::<Tiny<RIGHT>>();
        let stages: Vec<Stage> = probes.iter().map(|p| p.stage).collect();
        assert_eq!(
            stages,
            [Stage::Register, Stage::AwaitKyc, Stage::CreateOrder]
        );
        for p in &probes {
            assert_eq!(p.scenario.as_deref(), Some("ok"));
            assert_eq!(p.requests, 1);
            assert_eq!(p.cases, 8, "{p:?}");
            assert!(p.problems.is_empty(), "{p:?}");
        }
    }

    #[test]
    fn a_panic_on_a_malformed_answer_is_reported_with_the_request() {
        let probes = malformed::<Tiny<PANICS>>();
        let first = &probes[0].problems[0];
        assert!(
            first.starts_with(
                "request 1 (POST /users), html instead of json: plugin panicked in adapter:"
            ),
            "{first}"
        );
    }

    #[test]
    fn going_on_after_garbage_is_reported() {
        let probes = malformed::<Tiny<LENIENT>>();
        let first = &probes[0].problems[0];
        assert_eq!(
            first,
            "request 1 (POST /users), html instead of json: went on as if the stage succeeded (ok)"
        );
        // Polling again is fine after a 429, not after an HTML page.
        let kyc = &probes[1].problems;
        assert!(
            kyc.iter()
                .any(|p| p.contains("html instead of json: asked to poll again")),
            "{kyc:?}"
        );
        assert!(!kyc.iter().any(|p| p.contains("rate limited")), "{kyc:?}");
    }

    #[test]
    fn unknown_routes_get_404_and_a_panicking_fake_is_reported() {
        let m = Tiny::<RIGHT>::manifest();
        let ok = probe_unknown_routes(&m, &sample_profile(), InProcess::<Tiny<RIGHT>>::new);
        assert!(ok.cases >= 4 && ok.problems.is_empty(), "{ok:?}");
        let bad = probe_unknown_routes(&m, &sample_profile(), InProcess::<Tiny<FAKE_PANICS>>::new);
        assert!(
            bad.problems[0].starts_with("GET /rampsim-check/no-such-route?probe=1 on endpoint `api`: plugin panicked in fake: no route"),
            "{bad:?}"
        );
        let spoilt = probe_malformed_requests(&m, &sample_profile(), InProcess::<Tiny<RIGHT>>::new);
        assert_eq!(spoilt.cases, 3, "one spoilt request per route: {spoilt:?}");
        assert!(spoilt.problems.is_empty());
    }

    #[test]
    fn a_scenario_ending_otherwise_than_declared_is_reported() {
        assert!(check_every_scenario::<Tiny<RIGHT>>(&sample_profile()).is_empty());
        assert_eq!(
            check_every_scenario::<Tiny<WRONG_OUTCOME>>(&sample_profile()),
            ["scenario ok: ended rejected at await_kyc: no; it declares order_created"]
        );
    }

    /// Runs `f` on a thread of its own and fails the test if it takes more than 30 s (a journey
    /// that never ends would otherwise hang `cargo test`).
    fn within_30_s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(f()));
        rx.recv_timeout(std::time::Duration::from_secs(30))
            .expect("did not end within 30 s")
    }

    #[test]
    fn a_retry_after_of_zero_still_moves_the_clock_to_the_deadline() {
        // The backoff is a floor, as in the host's engine: polls at once never end otherwise.
        let h = within_30_s(|| {
            Harness::<Tiny<POLLS_AT_ONCE>>::new("ok")
                .run(sample_profile())
                .unwrap()
        });
        assert_eq!(h.outcome, Outcome::TimedOut);
        assert_eq!(h.stages.last().unwrap().0, Stage::AwaitKyc);
        assert!(h.polls > 10 && h.polls < 100, "{} polls", h.polls);
        let r = within_30_s(|| {
            let m = Tiny::<POLLS_AT_ONCE>::manifest();
            let init = sandbox_init(&m, &sample_profile(), START_MS);
            let mut s = InProcess::<Tiny<POLLS_AT_ONCE>>::new(&init).unwrap();
            run_journey(&mut s, &m, "ok").unwrap()
        });
        assert_eq!((r.outcome, r.polls), (h.outcome, h.polls));
        // The probes drive the same journeys.
        let probe = within_30_s(|| {
            let m = Tiny::<POLLS_AT_ONCE>::manifest();
            probe_unknown_routes(&m, &sample_profile(), InProcess::<Tiny<POLLS_AT_ONCE>>::new)
        });
        assert!(probe.problems.is_empty(), "{probe:?}");
        assert_eq!(poll_wait_ms(1, Some(0)), 2000);
        assert_eq!(poll_wait_ms(1, Some(9000)), 9000);
        assert_eq!(poll_wait_ms(9, None), 64_000);
    }

    #[test]
    fn a_fake_panicking_on_one_request_is_not_blamed_for_the_probes_after_it() {
        type P = Tiny<FAKE_PANICS_ON_ORDERS>;
        let m = P::manifest();
        let unknown = probe_unknown_routes(&m, &sample_profile(), InProcess::<P>::new);
        assert!(unknown.cases >= 4, "{unknown:?}");
        assert_eq!(unknown.problems, Vec::<String>::new());
        // The spoilt requests are those of the journey up to the panic: none is blamed.
        let spoilt = probe_malformed_requests(&m, &sample_profile(), InProcess::<P>::new);
        assert_eq!(spoilt.problems, Vec::<String>::new());
        // The malformed-answer probe of create_order names the panic with true answers.
        let probes = malformed::<P>();
        let order = probes
            .iter()
            .find(|p| p.stage == Stage::CreateOrder)
            .unwrap();
        assert_eq!(
            order.problems,
            ["with true answers (scenario ok) on POST /orders: plugin panicked in fake: no orders today"]
        );
    }

    #[test]
    fn stages_after_a_failed_one_are_not_reached_because_of_it() {
        let probes = malformed::<Tiny<REGISTER_FAILS>>();
        let register = &probes[0];
        assert_eq!(register.scenario.as_deref(), Some("ok"));
        for p in &probes[1..] {
            assert_eq!(p.scenario, None, "{p:?}");
            assert_eq!(
                p.blocked.as_deref(),
                Some("scenario ok ended failed at register"),
                "{p:?}"
            );
        }
        // A stage no scenario is declared to reach is not blocked: it wants a scenario.
        let right = malformed::<Tiny<RIGHT>>();
        assert!(right.iter().all(|p| p.blocked.is_none()), "{right:?}");
    }

    #[test]
    fn run_stage_once_runs_one_step_and_no_more() {
        let mut h = Harness::<Tiny<RIGHT>>::new("ok");
        let mut a = TinyAdapter::<RIGHT>::new(h.init(sample_profile())).unwrap();
        let step = h.run_stage_once(&mut a, Stage::Register, 0).unwrap();
        assert_eq!(step.result.next, Next::Continue);
        let paths: Vec<String> = step.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/users"]);
        assert_eq!(step.exchanges[0].stage, Stage::Register);
        assert_eq!(step.exchanges[0].response.status, 200);
        assert_eq!(h.now_ms, START_MS + 1, "each request moves the clock 1 ms");
        // A stage that wants polling is not polled: the test does that.
        let first = h.run_stage_once(&mut a, Stage::AwaitKyc, 0).unwrap();
        assert_eq!(first.result.next, Next::Poll);
        let again = h.run_stage_once(&mut a, Stage::AwaitKyc, 1).unwrap();
        assert_eq!(again.result.next, Next::Continue);
        assert_eq!(h.now_ms, START_MS + 3);
    }

    #[test]
    fn a_replaced_answer_reaches_the_adapter_and_not_the_fake() {
        let g = HttpResponse::json(500, &serde_json::json!({"error": "boom"}));
        let run = |stage, index| {
            run_with_replaced_answer::<Tiny<RIGHT>>("ok", sample_profile(), stage, index, &g)
                .unwrap()
        };
        let r = run(Stage::Register, 0).expect("register sends one request");
        assert_eq!(r.next, Next::Finish(Outcome::Failed));
        assert_eq!(r.message, "tiny answered 500");
        assert!(run(Stage::Register, 1).is_none(), "only one request");
        assert!(run(Stage::IdvPassthrough, 0).is_none(), "skipped");
        // Counted across polls: the second request of AwaitKyc is its first poll's.
        let r = run(Stage::AwaitKyc, 1).expect("await_kyc polls once");
        assert_eq!(r.message, "tiny answered 500");
        assert!(run(Stage::AwaitKyc, 2).is_none());
        assert!(run(Stage::CreateOrder, 0).is_some());
    }

    struct TinySpoil;
    impl Spoil for TinySpoil {
        type Plugin = Tiny<RIGHT>;
        const SCENARIO: &'static str = "ok";
        fn spoilt(kind: &str) -> HttpResponse {
            spoilt_response(kind, r#"{"id":"#)
        }
    }

    #[test]
    fn a_spoiled_once_fake_spoils_the_first_matching_answer_only() {
        let run = |scenario: &str| {
            Harness::<SpoiledOnce<TinySpoil>>::new(scenario)
                .run(sample_profile())
                .unwrap()
        };
        let r = run("html@POST /users");
        assert_eq!(r.outcome, Outcome::Failed);
        assert_eq!(r.stages.last().unwrap().0, Stage::Register);
        assert!(r.exchanges[0].response.body.contains("<html>"));
        // A marker ending in `/` matches any path containing it; only the first hit is spoilt.
        let r = run("500@POST /users/");
        assert_eq!(r.stages.last().unwrap().0, Stage::AwaitKyc);
        assert_eq!(r.stages.last().unwrap().1.message, "tiny answered 500");
        let r = run("truncated@POST /orders");
        assert_eq!(r.exchanges.last().unwrap().response.body, r#"{"id":"#);
        assert_eq!(r.outcome, Outcome::Failed);
        // Nothing matches: the journey runs as the wrapped scenario does.
        assert_eq!(run("empty@GET /users").outcome, Outcome::OrderCreated);
        let too_many = spoilt_response("429", "");
        assert_eq!(too_many.status, 429);
        assert_eq!(too_many.header("retry-after"), Some("7"));
    }

    #[test]
    fn run_journey_over_a_subject_matches_the_harness() {
        let m = Tiny::<RIGHT>::manifest();
        let init = sandbox_init(&m, &sample_profile(), START_MS);
        let mut s = InProcess::<Tiny<RIGHT>>::new(&init).unwrap();
        let r = run_journey(&mut s, &m, "ok").unwrap();
        let h = Harness::<Tiny<RIGHT>>::new("ok")
            .run(sample_profile())
            .unwrap();
        assert_eq!(
            (r.outcome, r.polls, r.exchanges.len()),
            (h.outcome, h.polls, h.exchanges.len())
        );
        assert_eq!(r.order_id.as_deref(), Some("o-1"));
    }
}
