//! Test drivers beyond the SDK harness: one stage at a time, and a journey in which one
//! response is replaced by garbage.
#![allow(dead_code)]

use rampsim_plugin_sdk::testing::Harness;
use rampsim_plugin_sdk::{Adapter, Cx, HttpResponse, Next, Plugin, Stage, StageResult, Step};

/// Runs `stage` once (no polling) against the harness's fake.
pub fn run_stage<P: Plugin>(
    h: &mut Harness<P>,
    adapter: &mut P::Adapter,
    stage: Stage,
    poll: u32,
) -> StageResult {
    let mut cx = Cx::new(h.now_ms, poll);
    let mut step = adapter.begin(stage, &mut cx).expect("begin");
    for _ in 0..64 {
        match step {
            Step::Finish { result } => return result,
            Step::Send { request } => {
                let response = h.send(&request);
                h.now_ms += 1;
                let mut cx = Cx::new(h.now_ms, poll);
                step = adapter
                    .on_response(stage, response, &mut cx)
                    .expect("on_response");
            }
        }
    }
    panic!("{stage} did not finish");
}

/// Runs the journey of `scenario` for the sample profile, but answers the `index`-th request
/// of `stage` (counted across polls) with `garbage`. Returns the result that stage gave right
/// after, or `None` when the stage never sent that many requests.
pub fn run_corrupted<P: Plugin>(
    scenario: &str,
    stage: Stage,
    index: usize,
    garbage: &HttpResponse,
) -> Option<StageResult> {
    let mut h = Harness::<P>::new(scenario);
    let init = h.init(rampsim_plugin_sdk::testing::sample_profile());
    let mut adapter = P::Adapter::new(init).expect("adapter");
    let manifest = P::manifest();
    for st in Stage::ALL {
        if manifest.stage(st).and_then(|s| s.skipped.clone()).is_some() {
            continue;
        }
        let mut sent = 0usize;
        let mut poll = 0u32;
        loop {
            let mut cx = Cx::new(h.now_ms, poll);
            let mut step = adapter.begin(st, &mut cx).expect("begin");
            let mut corrupted = false;
            let result = loop {
                match step {
                    Step::Finish { result } => break result,
                    Step::Send { request } => {
                        let response = if st == stage && sent == index {
                            corrupted = true;
                            garbage.clone()
                        } else {
                            h.send(&request)
                        };
                        sent += 1;
                        h.now_ms += 1;
                        let mut cx = Cx::new(h.now_ms, poll);
                        step = adapter
                            .on_response(st, response, &mut cx)
                            .expect("on_response");
                    }
                }
            };
            if corrupted {
                return Some(result);
            }
            match result.next {
                Next::Poll => {
                    poll += 1;
                    h.now_ms += 5_000;
                    if poll > 200 {
                        return None;
                    }
                }
                Next::Finish(_) => return None,
                _ => break,
            }
        }
        if st == stage {
            return None;
        }
    }
    None
}

/// Garbage a broken proxy or provider could answer.
pub fn garbage() -> Vec<(&'static str, HttpResponse)> {
    vec![
        (
            "HTML",
            HttpResponse {
                status: 200,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: "<html><body><h1>502 Bad Gateway</h1></body></html>".into(),
            },
        ),
        (
            "truncated JSON",
            HttpResponse {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: r#"{"userId": "user-1", "userDetails": tr"#.into(),
            },
        ),
        (
            "500",
            HttpResponse {
                status: 500,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: r#"{"error": true, "message": "Internal server error"}"#.into(),
            },
        ),
        (
            "empty body",
            HttpResponse {
                status: 200,
                headers: vec![],
                body: String::new(),
            },
        ),
        (
            "JSON of another shape",
            HttpResponse {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: r#"[1, 2, 3]"#.into(),
            },
        ),
    ]
}
