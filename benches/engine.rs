//! Engine benchmarks (release): one approved Paxos journey on the virtual clock, batch
//! throughput, and the engine's overhead against a plain reqwest loop sending the same requests
//! to the same fake. Run: `cargo bench --bench engine`. Numbers: BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rampsim::batch::{run_batch, BatchOptions};
use rampsim::config::{ClockMode, Config};
use rampsim::host::{Host, RunOptions};
use rampsim::journey::{Event, EventSink, Journey};
use rampsim_plugin_sdk::wire::{
    AdapterInit, HttpResponse, Next, Outcome, Stage, StageResult, Step,
};
use rampsim_plugin_sdk::{Adapter, Cx};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the engine sent it, when it sent it and what the fake answered.
#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    /// Virtual milliseconds after the journey started: the replay waits as the journey did
    /// between polls, so the fake's identity is approved by the time the account is created.
    sent_after_ms: i64,
    status: u16,
}

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");

/// Builds the Paxos plugin in release into a directory of its own.
fn release_plugins() -> PathBuf {
    let target = PathBuf::from(WORKSPACE)
        .join("target")
        .join("bench-plugins");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(WORKSPACE)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "rampsim-adapter-paxos",
            "--target-dir",
        ])
        .arg(&target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the paxos plugin failed");
    target.join("release")
}

fn host(dir: &std::path::Path, tmp: &tempfile::TempDir) -> Host {
    let profile = std::fs::read_to_string(PathBuf::from(WORKSPACE).join("config.toml")).unwrap();
    let profile = &profile[profile.find("[profiles.billy]").unwrap()..];
    let text = format!(
        "[app]\nprovider = \"paxos\"\nprofile = \"billy\"\nclock = \"virtual\"\nplugin_paths = [{:?}]\nlog_file = {:?}\n\n{profile}",
        dir.display().to_string(),
        tmp.path().join("bench.log").display().to_string(),
    );
    let path = tmp.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    Host::new(Config::load(&path).unwrap())
}

fn opts() -> RunOptions {
    RunOptions {
        provider: Some("paxos".into()),
        scenario: Some("approved".into()),
        clock: Some(ClockMode::Virtual),
        ..Default::default()
    }
}

async fn one_journey(host: &Host, sink: EventSink) -> Outcome {
    let spec = host.prepare(&opts()).await.unwrap();
    let mut j = Journey::new(spec, sink).unwrap();
    j.run_to_end().await.outcome
}

/// What the journey benchmarks share on one runtime: a host (with its own sandbox) and the two
/// baselines built from one recorded journey.
struct Bench {
    host: Arc<Host>,
    plain: PlainLoop,
    direct: DirectLoop,
    quiet: EventSink,
}

fn setup(rt: &tokio::runtime::Runtime, dir: &std::path::Path, tmp: &tempfile::TempDir) -> Bench {
    let host = Arc::new(host(dir, tmp));
    // The same requests through a plain reqwest loop against a fresh fake session: what the
    // engine (plugin calls, events, polling logic) costs on top of the HTTP itself.
    let recorded: Arc<Mutex<(i64, Vec<Recorded>)>> = Arc::default();
    let rec = recorded.clone();
    let capture: EventSink = Arc::new(move |e| {
        let mut rec = rec.lock().unwrap();
        match e {
            Event::JourneyStarted { at_ms, .. } => rec.0 = at_ms,
            Event::RequestSent {
                method,
                url,
                headers,
                body,
                at_ms,
                ..
            } => {
                let sent_after_ms = at_ms - rec.0;
                rec.1.push(Recorded {
                    method,
                    url,
                    headers,
                    body,
                    sent_after_ms,
                    status: 0,
                })
            }
            Event::ResponseReceived { status, .. } => {
                if let Some(last) = rec.1.last_mut() {
                    last.status = status;
                }
            }
            _ => {}
        }
    });
    let h = host.clone();
    let outcome = rt
        .block_on(rt.spawn(async move { one_journey(&h, capture).await }))
        .unwrap();
    assert_eq!(outcome, Outcome::OrderCreated);
    let requests = recorded.lock().unwrap().1.clone();
    let plain = PlainLoop {
        // The host's own client: the same headers on the wire (its User-Agent) and the same
        // settings, so the fake sees the journey's requests byte for byte.
        client: host.http.clone(),
        sandbox: rt.block_on(host.sandbox()).unwrap(),
        plugin: host.plugin("paxos").unwrap(),
        requests,
        timeout: host.engine_settings().request_timeout,
    };
    let direct = DirectLoop {
        plain: plain.clone(),
        init: rt.block_on(async {
            let spec = host.prepare(&opts()).await.unwrap();
            AdapterInit {
                journey_id: "direct".into(),
                mode: spec.mode,
                profile: spec.profile.clone(),
                settings: spec.settings.clone(),
                now_ms: spec.clock.now_ms(),
            }
        }),
        engine: host.engine_settings(),
    };
    Bench {
        host,
        plain,
        direct,
        quiet: Arc::new(|_| {}),
    }
}

fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap()
}

fn benches(c: &mut Criterion) {
    let dir = release_plugins();
    let tmp = tempfile::tempdir().unwrap();
    if let Ok(only) = std::env::var("RAMPSIM_BENCH_LOOP") {
        return one_loop(&only, &dir, &tmp);
    }
    // Two workers, as the app has on this 2-core machine.
    let rt = runtime(2);
    let Bench {
        host,
        plain,
        direct,
        quiet,
    } = setup(&rt, &dir, &tmp);

    let mut g = c.benchmark_group("journey");
    g.measurement_time(Duration::from_secs(5));
    // Every measurement runs its work as a task on the runtime's workers, as `rampsim run`
    // and batch runs do (a future driven from outside the workers pays a thread wake-up for
    // every timer it arms).
    g.bench_function("paxos_approved_virtual_clock", |b| {
        b.iter(|| {
            let (h, q) = (host.clone(), quiet.clone());
            let outcome = rt.block_on(async move {
                tokio::spawn(async move { one_journey(&h, q).await })
                    .await
                    .unwrap()
            });
            assert_eq!(outcome, Outcome::OrderCreated)
        })
    });
    g.bench_function("plain_reqwest_same_requests", |b| {
        b.iter(|| {
            let p = plain.clone();
            rt.block_on(rt.spawn(async move { p.run().await })).unwrap()
        })
    });
    g.bench_function("plain_reqwest_same_adapter_linked", |b| {
        b.iter(|| {
            let d = direct.clone();
            rt.block_on(rt.spawn(async move { d.run().await })).unwrap()
        })
    });
    g.finish();

    // The measurements above run minutes apart, and this VM's speed drifts by more than the
    // difference we are after; this one alternates them, so both see the same machine. Skipped
    // when profiling one benchmark (`--profile-time`), so a profile shows that one alone.
    if !std::env::args().any(|a| a == "--profile-time") {
        paired("two workers", &rt, &host, &plain, &direct, &quiet);
        // With one worker, which thread picks up a woken task is no longer a matter of luck:
        // the ratio is the engine's own cost (BENCHMARKS.md).
        let rt1 = runtime(1);
        let tmp1 = tempfile::tempdir().unwrap();
        let b = setup(&rt1, &dir, &tmp1);
        paired("one worker", &rt1, &b.host, &b.plain, &b.direct, &b.quiet);
    }
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(1000));
    g.bench_function("paxos_approved_1000_journeys_concurrency_16", |b| {
        b.iter(|| {
            let s = rt
                .block_on(run_batch(
                    host.as_ref(),
                    &BatchOptions {
                        provider: Some("paxos".into()),
                        scenario: Some("approved".into()),
                        profile: None,
                        count: 1000,
                        concurrency: 16,
                        faults: None,
                        clock: Some(ClockMode::Virtual),
                        progress: None,
                    },
                ))
                .unwrap();
            assert_eq!(s.outcomes["order_created"], 1000);
        })
    });
    g.finish();
}

/// `RAMPSIM_BENCH_LOOP=journey|replay|linked[:N]`: that loop alone, N times (default 300), on
/// one worker, and nothing else: for counting instructions under callgrind, which no VM's
/// drift moves (`benches/instructions.sh`, BENCHMARKS.md).
fn one_loop(only: &str, dir: &std::path::Path, tmp: &tempfile::TempDir) {
    let (what, n) = only.split_once(':').unwrap_or((only, "300"));
    let n: usize = n.parse().expect("RAMPSIM_BENCH_LOOP=<loop>:<count>");
    let rt = runtime(1);
    let b = setup(&rt, dir, tmp);
    let what = what.to_string();
    rt.block_on(rt.spawn(async move {
        for _ in 0..n {
            match what.as_str() {
                "journey" => {
                    assert_eq!(
                        one_journey(&b.host, b.quiet.clone()).await,
                        Outcome::OrderCreated
                    )
                }
                "replay" => b.plain.run().await,
                "linked" => b.direct.run().await,
                other => {
                    panic!("RAMPSIM_BENCH_LOOP: unknown loop `{other}` (journey, replay, linked)")
                }
            }
        }
    }))
    .unwrap();
}

/// Journey, replay and linked adapter alternated, printed as one line.
fn paired(
    label: &str,
    rt: &tokio::runtime::Runtime,
    host: &Arc<Host>,
    plain: &PlainLoop,
    direct: &DirectLoop,
    quiet: &EventSink,
) {
    let mut times: [Vec<f64>; 3] = Default::default();
    for round in 0..PAIRED_RUNS + PAIRED_WARMUP {
        let (h, p, d, q) = (host.clone(), plain.clone(), direct.clone(), quiet.clone());
        // The three in one task, one after the other.
        let got: [f64; 3] = rt
            .block_on(rt.spawn(async move {
                let t = std::time::Instant::now();
                assert_eq!(one_journey(&h, q).await, Outcome::OrderCreated);
                let j = t.elapsed();
                let t = std::time::Instant::now();
                p.run().await;
                let pl = t.elapsed();
                let t = std::time::Instant::now();
                d.run().await;
                let di = t.elapsed();
                [j, pl, di].map(|d| d.as_secs_f64() * 1e6)
            }))
            .unwrap();
        if round >= PAIRED_WARMUP {
            for (v, g) in times.iter_mut().zip(got) {
                v.push(g);
            }
        }
    }
    let [journey, plain_us, direct_us] = times;
    let total = |v: &[f64]| v.iter().sum::<f64>();
    println!(
        "journey/overhead_paired, {label} ({PAIRED_RUNS} alternating runs, medians): journey {:.0} µs, plain replay {:.0} µs, same adapter linked {:.0} µs; journey / replay {:.2} (totals {:.2}), journey / linked adapter {:.2} (totals {:.2})",
        median(&journey),
        median(&plain_us),
        median(&direct_us),
        median(&journey) / median(&plain_us),
        total(&journey) / total(&plain_us),
        median(&journey) / median(&direct_us),
        total(&journey) / total(&direct_us),
    );
}

const PAIRED_WARMUP: usize = 300;
const PAIRED_RUNS: usize = 3000;

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The requests of one journey, sent again with a plain reqwest loop to a fresh fake session.
#[derive(Clone)]
struct PlainLoop {
    client: reqwest::Client,
    sandbox: Arc<rampsim::sandbox::Sandbox>,
    plugin: Arc<rampsim::plugin::LoadedPlugin>,
    requests: Vec<Recorded>,
    timeout: Duration,
}

impl PlainLoop {
    async fn run(&self) {
        // Same session key shape and a fresh fake, as a journey gets.
        let clock = Arc::new(rampsim::clock::Clock::virtual_now());
        let key = "plain-00000"; // as long as a journey id (`j1-1a2b3c4d`)
        self.sandbox
            .open_session(key, &self.plugin, "approved", clock.clone())
            .unwrap();
        let start = clock.now_ms();
        for r in &self.requests {
            // Wait (virtually) as the journey did between its polls.
            let wait = r.sent_after_ms - (clock.now_ms() - start);
            if wait > 0 {
                clock.sleep(Duration::from_millis(wait as u64)).await;
            }
            let url = rewrite_session(&r.url, key);
            let mut rb = self
                .client
                .request(r.method.parse().unwrap(), url)
                .timeout(self.timeout);
            for (k, v) in &r.headers {
                rb = rb.header(k, v);
            }
            if let Some(b) = &r.body {
                rb = rb.body(b.clone());
            }
            let resp = rb.send().await.unwrap();
            let status = resp.status().as_u16();
            let _ = resp.bytes().await.unwrap();
            // The same answers as the journey got, or this is not the same work.
            assert_eq!(status, r.status, "{} {}", r.method, r.url);
        }
        self.sandbox.close_session(key);
    }
}

/// The same provider code, the Paxos adapter linked into this binary instead of loaded as a
/// plugin, driving a plain reqwest loop against a fresh fake session: what a hand-written client
/// does (build each request, parse each answer, poll), without the engine, the plugin boundary,
/// events, redaction or retries.
#[derive(Clone)]
struct DirectLoop {
    plain: PlainLoop,
    init: AdapterInit,
    engine: rampsim::journey::EngineSettings,
}

impl DirectLoop {
    async fn run(&self) {
        let p = &self.plain;
        let clock = Arc::new(rampsim::clock::Clock::virtual_now());
        let key = "direct-0000";
        let info = p
            .sandbox
            .open_session(key, &p.plugin, "approved", clock.clone())
            .unwrap();
        let mut init = self.init.clone();
        init.now_ms = clock.now_ms();
        let mut adapter = rampsim_paxos::adapter::PaxosAdapter::new(init).unwrap();
        let mut outcome = None;
        for stage in Stage::ALL {
            if p.plugin
                .manifest
                .stage(stage)
                .is_some_and(|s| s.skipped.is_some())
            {
                continue;
            }
            let mut delays = self.engine.poll_delays(None);
            let mut poll = 0;
            let result: StageResult = loop {
                let mut step = adapter
                    .begin(stage, &mut Cx::new(clock.now_ms(), poll))
                    .unwrap();
                let result = loop {
                    let request = match step {
                        Step::Finish { result } => break result,
                        Step::Send { request } => request,
                    };
                    let url = format!("{}{}", info.base_urls[&request.endpoint], request.path);
                    let mut rb = p
                        .client
                        .request(request.method.parse().unwrap(), url)
                        .timeout(p.timeout);
                    for (k, v) in &request.headers {
                        rb = rb.header(k, v);
                    }
                    if let Some(b) = request.body {
                        rb = rb.body(b);
                    }
                    let resp = rb.send().await.unwrap();
                    let status = resp.status().as_u16();
                    let headers = resp
                        .headers()
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                        .collect();
                    let body = resp.text().await.unwrap();
                    let response = HttpResponse {
                        status,
                        headers,
                        body,
                    };
                    step = adapter
                        .on_response(stage, response, &mut Cx::new(clock.now_ms(), 0))
                        .unwrap();
                };
                if result.next != Next::Poll {
                    break result;
                }
                clock.sleep(delays.next().unwrap()).await;
                poll += 1;
            };
            if let Next::Finish(o) = result.next {
                outcome = Some(o);
                break;
            }
            if stage == Stage::CreateOrder {
                assert!(result.order_id.is_some(), "{}", result.message);
            }
        }
        assert_eq!(
            outcome, None,
            "the approved journey goes through every stage"
        );
        p.sandbox.close_session(key);
    }
}

/// `http://127.0.0.1:P/<journey>/api/x` -> `http://127.0.0.1:P/<key>/api/x`.
fn rewrite_session(url: &str, key: &str) -> String {
    let (scheme_host, rest) = url.split_at(url.find("://").map(|i| i + 3).unwrap_or(0));
    let mut parts = rest.splitn(3, '/');
    let host = parts.next().unwrap_or("");
    let _journey = parts.next();
    let tail = parts.next().unwrap_or("");
    format!("{scheme_host}{host}/{key}/{tail}")
}

criterion_group!(engine, benches);
criterion_main!(engine);
