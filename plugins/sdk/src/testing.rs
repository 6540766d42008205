//! Drive an adapter against its own fake in-process: no host, no sockets, no threads. For a
//! plugin's own `cargo test`. Every message goes through JSON as it would across the boundary,
//! so a type that does not survive the trip fails here first.
//!
//! The harness is a deliberately simple engine: it runs the four stages in order, polls with a
//! doubling wait on a virtual clock (honouring `retry_after_ms`), and gives up after one hour of
//! virtual time with `timed_out`. The host's engine adds jitter, timeouts and retries.

use crate::wire::*;
use crate::{Adapter, Cx, Fake, Plugin};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;

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
    pub fn stage(&self, stage: Stage) -> Option<&StageResult> {
        self.stages.iter().find(|(s, _)| *s == stage).map(|(_, r)| r)
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

fn round_trip<T: Serialize + DeserializeOwned>(v: &T) -> T {
    let s = serde_json::to_string(v).expect("wire types serialise");
    serde_json::from_str(&s).expect("wire types deserialise what they serialise")
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
        let mut report = JourneyReport {
            outcome: Outcome::OrderCreated,
            kyc_status: None,
            provider_status: None,
            order_id: None,
            stages: Vec::new(),
            exchanges: Vec::new(),
            sensitive: Vec::new(),
            polls: 0,
        };
        for stage in Stage::ALL {
            if let Some(reason) = manifest.stage(stage).and_then(|s| s.skipped.clone()) {
                report.stages.push((stage, StageResult::skipped(reason)));
                continue;
            }
            let mut poll = 0u32;
            let result = loop {
                let result = self.run_stage(&mut adapter, stage, poll, &mut report)?;
                if result.next != Next::Poll {
                    break result;
                }
                remember(&mut report, &result);
                poll += 1;
                report.polls += 1;
                let wait = result
                    .retry_after_ms
                    .unwrap_or_else(|| 1000u64.saturating_mul(1 << poll.min(6)));
                self.now_ms += wait as i64;
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

    fn run_stage(
        &mut self,
        adapter: &mut P::Adapter,
        stage: Stage,
        poll: u32,
        report: &mut JourneyReport,
    ) -> Result<StageResult, PluginError> {
        let mut cx = Cx::new(self.now_ms, poll);
        let mut step = round_trip(&adapter.begin(stage, &mut cx)?);
        for _ in 0..64 {
            report.sensitive.extend(cx.take().1);
            match step {
                Step::Finish { result } => return Ok(result),
                Step::Send { request } => {
                    let response = self.send(&request);
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
