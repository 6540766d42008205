//! `rampsim batch`: many journeys on the sandbox, each with its own generated user, and a
//! summary that proves the engine's promises: every journey ends in a defined outcome and no
//! user gets two orders.

use crate::host::{Host, RunOptions, SetupError};
use crate::journey::{EventSink, Finished, Journey};
use crate::redact::SharedRedactor;
use crate::sandbox::FaultSpec;
use futures::stream::{self, StreamExt};
use rampsim_plugin_sdk::wire::{FakeNote, Outcome, Profile};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct BatchOptions {
    pub provider: Option<String>,
    pub scenario: Option<String>,
    pub profile: Option<String>,
    pub count: usize,
    pub concurrency: usize,
    pub faults: Option<FaultSpec>,
    pub clock: Option<crate::config::ClockMode>,
    /// Draw a progress bar on this terminal (its stderr; `None` on a pipe or with --json).
    pub progress: Option<std::sync::Arc<std::fs::File>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchSummary {
    pub provider: String,
    pub scenario: Option<String>,
    pub journeys: usize,
    pub outcomes: BTreeMap<String, usize>,
    /// Orders the fakes created, per user: how many users got 0, 1, 2... orders.
    pub users_by_order_count: BTreeMap<u32, usize>,
    pub orders_created: usize,
    /// Must be 0.
    pub users_with_more_than_one_order: usize,
    pub latency_ms_p50: f64,
    pub latency_ms_p99: f64,
    pub wall_ms: f64,
    pub journeys_per_second: f64,
    pub peak_rss_mb: Option<f64>,
    pub faults: Option<FaultSpec>,
    /// The first few failure messages, for a quick look.
    pub sample_failures: Vec<String>,
}

/// One generated user per journey: the base profile with its identifying numbers varied, so
/// providers that refuse duplicates (Paxos's cip_id) see distinct people.
pub fn generated_profile(base: &Profile, i: usize) -> Profile {
    let mut p = base.clone();
    p.ref_id = format!("{}-b{i:06}", base.ref_id);
    p.email = match base.email.split_once('@') {
        Some((local, domain)) => format!("{local}+b{i}@{domain}"),
        None => format!("b{i}-{}", base.email),
    };
    p.tax_id.number = vary_digits(&base.tax_id.number, i);
    p.document.number = vary_digits(&base.document.number, i);
    p.idv.verification_id = format!("{}-{i}", base.idv.verification_id);
    p
}

/// Replaces the trailing digits of `s` (keeping separators) with `i`, wrapping around.
fn vary_digits(s: &str, i: usize) -> String {
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count().min(6);
    if digits == 0 {
        return format!("{s}{i}");
    }
    let modulus = 10usize.pow(digits as u32);
    let mut n = format!("{:0width$}", i % modulus, width = digits).into_bytes();
    let mut out: Vec<char> = s.chars().collect();
    for c in out.iter_mut().rev() {
        if c.is_ascii_digit() {
            match n.pop() {
                Some(d) => *c = d as char,
                None => break,
            }
        }
    }
    out.into_iter().collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Peak resident memory of this process (Linux), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// What a batch keeps of each journey: counts, one latency, a few failure messages. Every
/// generated user is distinct, so a journey's orders are its user's orders.
struct Tally {
    outcomes: BTreeMap<String, usize>,
    latencies: Vec<f64>,
    users_by_order_count: BTreeMap<u32, usize>,
    sample_failures: Vec<String>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            outcomes: Outcome::ALL
                .iter()
                .map(|o| (o.as_str().to_string(), 0))
                .collect(),
            latencies: Vec::new(),
            users_by_order_count: BTreeMap::new(),
            sample_failures: Vec::new(),
        }
    }
}

impl Tally {
    fn add(&mut self, r: Result<(JourneyResult, Vec<FakeNote>), String>) {
        match r {
            Ok((j, notes)) => {
                // A session is one journey of one user, so every order its fake created is
                // this user's, whatever id the fake names the user by.
                let orders = notes.iter().filter(|n| n.kind == "order_created").count() as u32;
                *self.users_by_order_count.entry(orders).or_default() += 1;
                *self
                    .outcomes
                    .entry(j.finished.outcome.as_str().to_string())
                    .or_default() += 1;
                self.latencies.push(j.elapsed.as_secs_f64() * 1000.0);
                if j.finished.outcome == Outcome::Failed && self.sample_failures.len() < 5 {
                    self.sample_failures
                        .push(format!("{}: {}", j.session, j.finished.message));
                }
            }
            Err(e) => {
                *self.outcomes.entry("setup_error".into()).or_default() += 1;
                if self.sample_failures.len() < 5 {
                    self.sample_failures.push(e);
                }
            }
        }
    }
}

struct JourneyResult {
    session: String,
    finished: Finished,
    elapsed: Duration,
}

pub async fn run_batch(host: &Host, opts: &BatchOptions) -> Result<BatchSummary, SetupError> {
    let provider = opts
        .provider
        .clone()
        .unwrap_or_else(|| host.config.app.provider.clone());
    let base_name = opts
        .profile
        .clone()
        .or_else(|| host.config.provider(&provider).profile)
        .unwrap_or_else(|| host.config.app.profile.clone());
    let base = host.config.profile(&base_name)?;
    let clock = opts.clock.or(Some(crate::config::ClockMode::Virtual));
    let sandbox = host.sandbox().await?;
    // Fail fast on setup errors (unknown provider, scenario, settings) before the fan-out.
    let probe = RunOptions {
        provider: Some(provider.clone()),
        scenario: opts.scenario.clone(),
        clock,
        profile_override: Some((base.name.clone(), generated_profile(&base.profile, 0))),
        faults: opts.faults.clone(),
        ..Default::default()
    };
    let probe_spec = host.prepare(&probe).await?;
    let scenario = probe_spec.scenario.clone();
    drop(probe_spec);

    let bar = opts
        .progress
        .as_ref()
        .and_then(|f| f.try_clone().ok())
        .map(|terminal| {
            let term = console::Term::read_write_pair(std::io::stdin(), terminal);
            let b = indicatif::ProgressBar::with_draw_target(
                Some(opts.count as u64),
                indicatif::ProgressDrawTarget::term(term, 20),
            );
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} journeys {per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
    let quiet: EventSink = Arc::new(|_| {});
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut results = stream::iter(0..opts.count)
        .map(|i| {
            let profile = generated_profile(&base.profile, i + 1);
            // Every message that may be printed goes through the journey's redactor, setup
            // failures too (a plugin refusing a profile may quote the field).
            let redactor = SharedRedactor::for_journey(&[], &profile);
            let run = RunOptions {
                provider: Some(provider.clone()),
                scenario: opts.scenario.clone(),
                clock,
                profile_override: Some((base.name.clone(), profile)),
                faults: opts.faults.clone(),
                fault_stream: Some(format!("u{}", i + 1)),
                ..Default::default()
            };
            let (quiet, sandbox, bar) = (quiet.clone(), sandbox.clone(), bar.clone());
            async move {
                let t0 = Instant::now();
                let spec = host
                    .prepare(&run)
                    .await
                    .map_err(|e| redactor.redact_str(&e.to_string()))?;
                redactor.add_secrets(&spec.secrets);
                let session = spec.journey_id.clone();
                let mut journey = Journey::with_redactor(spec, quiet, redactor.clone())
                    .map_err(|e| redactor.redact_str(&e.to_string()))?;
                let mut finished = journey.run_to_end().await;
                finished.message = redactor.redact_str(&finished.message);
                // Read the fake's audit before the journey (and its session) goes away.
                let notes = sandbox.notes(&session);
                drop(journey);
                if let Some(b) = &bar {
                    b.inc(1);
                }
                let result = JourneyResult {
                    session,
                    finished,
                    elapsed: t0.elapsed(),
                };
                Ok((result, notes))
            }
        })
        .buffer_unordered(opts.concurrency.max(1));
    // Fold results as they arrive: memory grows with concurrency, not with the count.
    while let Some(r) = results.next().await {
        tally.add(r);
    }
    drop(results);
    let wall = started.elapsed();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }

    let Tally {
        outcomes,
        mut latencies,
        users_by_order_count,
        sample_failures,
    } = tally;
    latencies.sort_by(|a, b| a.total_cmp(b));
    let journeys = latencies.len() + outcomes.get("setup_error").copied().unwrap_or(0);
    Ok(BatchSummary {
        provider,
        scenario,
        journeys,
        outcomes,
        orders_created: users_by_order_count
            .iter()
            .map(|(n, users)| *n as usize * users)
            .sum(),
        users_with_more_than_one_order: users_by_order_count
            .iter()
            .filter(|(n, _)| **n > 1)
            .map(|(_, users)| users)
            .sum(),
        users_by_order_count,
        latency_ms_p50: percentile(&latencies, 0.50),
        latency_ms_p99: percentile(&latencies, 0.99),
        wall_ms: wall.as_secs_f64() * 1000.0,
        journeys_per_second: journeys as f64 / wall.as_secs_f64().max(1e-9),
        peak_rss_mb: peak_rss_mb(),
        faults: opts.faults.clone(),
        sample_failures,
    })
}
