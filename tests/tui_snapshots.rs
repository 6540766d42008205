//! Whole screens of the terminal UI, drawn on ratatui's TestBackend from real journeys: the real
//! loader, the Paxos plugin, its fake over loopback HTTP, the virtual clock. The events are
//! recorded, then fed to the app as the runner would, with keys pressed as an operator would.
//! What changes from run to run (journey ids, the sandbox port, times, latencies, backoff
//! jitter) is normalised so the snapshots are stable.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rampsim::config::Config;
use rampsim::host::{Host, RunOptions};
use rampsim::journey::{Event, EventSink, Journey};
use rampsim::plugin::discover;
use rampsim::tui::{self, Action, App, AppInit, JourneyInfo, PluginList, RunnerReport};
use rampsim_plugin_sdk::wire::Stage;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use support::*;

/// 2026-01-01T00:00:00Z: every journey starts here once normalised.
const T0: i64 = 1_767_225_600_000;
/// Poll waits are configured to this (so the number of polls does not depend on jitter) and
/// normalised to exactly this.
const POLL_MS: i64 = 150_000;
const LATENCY_MS: f64 = 1.5;

struct Recorded {
    info: JourneyInfo,
    events: Vec<Event>,
    sensitive: Vec<String>,
}

/// A directory holding the Paxos plugin alone (the shared build directory also holds the other
/// providers when other tests built them).
fn paxos_dir() -> PathBuf {
    let built = shipped_plugins(&["paxos"]);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui-paxos-only");
    std::fs::create_dir_all(&dir).unwrap();
    copy_library(
        &built.join(lib_name("rampsim_paxos")),
        &dir.join(lib_name("rampsim_paxos")),
    );
    dir
}

/// Copy then rename, so a copy another test has loaded is never rewritten in place (its mapped
/// pages would change under it: a crash).
fn copy_library(from: &Path, to: &Path) {
    let tmp = to.with_file_name(format!(
        ".{}-{:?}.tmp",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::copy(from, &tmp).unwrap();
    std::fs::rename(&tmp, to).unwrap();
}

fn config(dir: &Path) -> TestConfig {
    // Waits of 150-300 s: the denied scenario (PENDING for 2 minutes) always takes two polls.
    let engine = format!("\n[engine]\npoll_initial_ms = {POLL_MS}\npoll_max_ms = {POLL_MS}\n");
    TestConfig::new(&[dir.to_path_buf()], "paxos", &engine)
}

/// Runs one Paxos journey to its end and keeps every event.
fn record(scenario: &str) -> Recorded {
    record_stages(scenario, None)
}

/// Runs one Paxos journey, to its end or `stages` one by one in that order (as `r` runs a stage
/// out of order), and keeps every event.
fn record_stages(scenario: &str, stages: Option<&[Stage]>) -> Recorded {
    let dir = paxos_dir();
    let cfg = config(&dir);
    let mut host = Host::new(Config::load(&cfg.path).expect("test config loads"));
    // Only the test's own plugin directory: the executable's directory holds whatever the
    // last build left there, which must not change the screens.
    host.dirs = vec![dir.clone()];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let opts = RunOptions {
            scenario: Some(scenario.to_string()),
            ..RunOptions::default()
        };
        let spec = host.prepare(&opts).await.expect("journey prepared");
        let info = JourneyInfo::from_spec(&spec);
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink_events = events.clone();
        // As the runner does: the recorder hears every event (unnormalised) for `w`.
        let sink: EventSink = info.recorder.tee(Arc::new(move |e: Event| {
            sink_events.lock().unwrap().push(e)
        }));
        let mut journey =
            Journey::with_redactor(spec, sink, info.redactor.clone()).expect("journey starts");
        match stages {
            None => {
                journey.run_to_end().await;
            }
            Some(stages) => {
                for stage in stages {
                    journey.run_stage(*stage).await;
                }
            }
        }
        let sensitive = journey.sensitive_values().to_vec();
        drop(journey);
        let events = std::mem::take(&mut *events.lock().unwrap());
        normalise(info, events, sensitive)
    })
}

fn normalise(mut info: JourneyInfo, mut events: Vec<Event>, sensitive: Vec<String>) -> Recorded {
    let journey_id = info.journey_id.clone();
    let text = |s: &str| normalise_text(&s.replace(&journey_id, "j1-journey"));
    info.journey_id = "j1-journey".into();
    info.plugin_path = "/plugins/librampsim_paxos.so".into();
    // Times: on the virtual clock only waits move time, so the normalised clock moves by exactly
    // one poll wait after each poll and stands still otherwise.
    let mut now = T0;
    let mut after_poll = false;
    let mut stage_start: HashMap<Stage, i64> = HashMap::new();
    for e in &mut events {
        if after_poll {
            now += POLL_MS;
            after_poll = false;
        }
        match e {
            Event::JourneyStarted {
                journey_id, at_ms, ..
            } => {
                *journey_id = text(journey_id);
                *at_ms = now;
            }
            Event::StageStarted { stage, at_ms, .. } => {
                stage_start.insert(*stage, now);
                *at_ms = now;
            }
            Event::RequestSent {
                url,
                path,
                headers,
                body,
                at_ms,
                ..
            } => {
                *url = text(url);
                *path = text(path);
                normalise_headers(headers, &text);
                if let Some(b) = body {
                    *b = text(b);
                }
                *at_ms = now;
            }
            Event::ResponseReceived {
                headers,
                body,
                latency_ms,
                at_ms,
                ..
            } => {
                normalise_headers(headers, &text);
                *body = text(body);
                *latency_ms = LATENCY_MS;
                *at_ms = now;
            }
            Event::RequestFailed {
                error,
                latency_ms,
                at_ms,
                ..
            } => {
                *error = text(error);
                *latency_ms = LATENCY_MS;
                *at_ms = now;
            }
            Event::StatusPolled {
                message,
                next_poll_ms,
                at_ms,
                ..
            } => {
                *message = text(message);
                *next_poll_ms = POLL_MS as u64;
                *at_ms = now;
                after_poll = true;
            }
            Event::StageFinished {
                stage,
                message,
                duration_ms,
                at_ms,
                ..
            } => {
                *message = text(message);
                *duration_ms = now - stage_start.get(stage).copied().unwrap_or(T0);
                *at_ms = now;
            }
            Event::Log { message, at_ms, .. } => {
                *message = text(message);
                *at_ms = now;
            }
            Event::JourneyFinished {
                finished,
                duration_ms,
                at_ms,
            } => {
                finished.message = text(&finished.message);
                *duration_ms = now - T0;
                *at_ms = now;
            }
        }
    }
    Recorded {
        info,
        events,
        sensitive,
    }
}

fn normalise_headers(headers: &mut [(String, String)], text: &dyn Fn(&str) -> String) {
    for (name, value) in headers.iter_mut() {
        *value = if name.eq_ignore_ascii_case("date") {
            "Thu, 01 Jan 2026 00:00:00 GMT".into()
        } else {
            text(value)
        };
    }
}

/// The sandbox port and RFC 3339 times (the fake stamps records with the virtual clock).
fn normalise_text(s: &str) -> String {
    let s = replace_after(s, "127.0.0.1:", |c| c.is_ascii_digit(), "40000");
    replace_timestamps(&s)
}

fn replace_after(s: &str, marker: &str, part: impl Fn(char) -> bool, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        let n = rest.find(|c| !part(c)).unwrap_or(rest.len());
        if n > 0 {
            out.push_str(with);
        }
        rest = &rest[n..];
    }
    out.push_str(rest);
    out
}

/// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` becomes `2026-01-01T00:00:00Z`.
fn replace_timestamps(s: &str) -> String {
    let b = s.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    let matches_at = |i: usize| {
        i + shape.len() <= b.len()
            && shape.iter().zip(&b[i..]).all(|(p, c)| match p {
                b'd' => c.is_ascii_digit(),
                p => p == c,
            })
    };
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if matches_at(i) {
            let mut j = i + shape.len();
            if j < b.len() && b[j] == b'.' {
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            if j < b.len() && b[j] == b'Z' {
                j += 1;
            } else if j + 6 <= b.len() && (b[j] == b'+' || b[j] == b'-') && b[j + 3] == b':' {
                j += 6;
            }
            out.push_str("2026-01-01T00:00:00Z");
            i = j;
        } else {
            let c = s[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn init(scenario: &str) -> AppInit {
    AppInit {
        provider: "paxos".into(),
        profile: "billy".into(),
        scenario: Some(scenario.into()),
        mode: rampsim_plugin_sdk::wire::Mode::Sandbox,
        log_file: "/home/operator/rampsim/rampsim.log".into(),
        config_path: "/home/operator/rampsim/config.toml".into(),
        journeys_dir: "/home/operator/rampsim/journeys".into(),
        provider_profiles: Default::default(),
    }
}

/// The plugins discovery finds: Paxos, and with `broken` a library built against another ABI.
fn plugin_list(broken: bool) -> PluginList {
    let paxos = paxos_dir();
    let broken_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui-picker-plugins");
    let mut dirs = vec![paxos.clone()];
    if broken {
        std::fs::create_dir_all(&broken_dir).unwrap();
        let built = fixture_plugin(Some("wrong_abi"), "tui_acme");
        copy_library(
            &built.join(lib_name("rampsim_tui_acme")),
            &broken_dir.join(lib_name("rampsim_acme")),
        );
        dirs.push(broken_dir.clone());
    }
    let mut list = PluginList::from_discovery(&discover(&dirs));
    let fix = |p: &Path| -> PathBuf {
        let s = p.display().to_string();
        PathBuf::from(
            s.replace(&broken_dir.display().to_string(), "/opt/rampsim/extra")
                .replace(&paxos.display().to_string(), "/opt/rampsim/plugins"),
        )
    };
    for p in &mut list.plugins {
        p.path = fix(&p.path);
    }
    for f in &mut list.failed {
        f.path = fix(&f.path);
        f.why = fix(Path::new(&f.why)).display().to_string();
    }
    list.searched = list.searched.iter().map(|p| fix(p)).collect();
    list.failed.sort_by(|a, b| a.path.cmp(&b.path));
    list
}

/// An app that has drawn its first frame, found the plugins and prepared the journey.
fn ready_app(recorded: &Recorded, scenario: &str, plugins: PluginList, w: u16, h: u16) -> App {
    let mut app = App::new(init(scenario), w, h);
    app.start();
    app.update(Action::PluginsFound(plugins));
    app.update(Action::Runner(RunnerReport::Preparing {
        provider: "paxos".into(),
    }));
    app.update(Action::Runner(RunnerReport::Ready(Box::new(
        recorded.info.clone(),
    ))));
    app
}

fn press(app: &mut App, code: KeyCode) {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(action) = tui::action_for(app.input_mode(), key) {
        app.update(action);
    }
}

fn feed(app: &mut App, events: &[Event]) {
    for e in events {
        app.update(Action::Journey(Box::new(e.clone())));
    }
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    terminal.draw(|f| tui::view::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

/// Runs `press('a')` and feeds the whole journey as the runner reports it.
fn finished_app(scenario: &str) -> App {
    let recorded = record(scenario);
    let mut app = ready_app(&recorded, scenario, plugin_list(false), 120, 36);
    press(&mut app, KeyCode::Char('a'));
    app.update(Action::Runner(RunnerReport::Busy));
    feed(&mut app, &recorded.events);
    app.update(Action::Runner(RunnerReport::Idle {
        sensitive: recorded.sensitive.clone(),
    }));
    app
}

#[test]
fn start_screen() {
    let recorded = record("approved");
    // The very first frame: nothing loaded yet, nothing waited for.
    let first = App::new(init("approved"), 80, 24);
    insta::assert_snapshot!("start_first_frame_80x24", screen(&first));
    // Filled in: plugins found, journey prepared and announced.
    let mut app = ready_app(&recorded, "approved", plugin_list(false), 80, 24);
    feed(&mut app, &recorded.events[..1]);
    insta::assert_snapshot!("start_ready_80x24", screen(&app));
}

/// The screen of a slow review running, up to its second poll (the provider still says PENDING).
fn at_second_poll(width: u16, height: u16) -> String {
    let recorded = record("slow_review");
    let mut app = ready_app(&recorded, "slow_review", plugin_list(false), width, height);
    press(&mut app, KeyCode::Char('a'));
    app.update(Action::Runner(RunnerReport::Busy));
    let second_poll = recorded
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::StatusPolled { .. }))
        .nth(1)
        .map(|(i, _)| i)
        .expect("slow_review polls more than once");
    feed(&mut app, &recorded.events[..=second_poll]);
    screen(&app)
}

#[test]
fn mid_journey_await_kyc_polling() {
    let shown = at_second_poll(120, 36);
    assert!(shown.contains("running await_kyc"), "{shown}");
    assert!(
        shown.contains("poll 2 · PENDING · next poll in 150.0 s"),
        "{shown}"
    );
    insta::assert_snapshot!("mid_journey_await_kyc", shown);
}

/// At 80x24 the countdown to the next poll still shows.
#[test]
fn mid_journey_polling_at_80x24() {
    let shown = at_second_poll(80, 24);
    assert!(shown.contains("PENDING · poll 3 in 150.0 s"), "{shown}");
    insta::assert_snapshot!("mid_journey_await_kyc_80x24", shown);
}

/// At 80x24 ids give way first, so the status line reaches the next step and each stage's
/// detail says what happened; the whole text stays in the log pane.
#[test]
fn finished_denied_journey_at_80x24() {
    let mut app = finished_app("denied");
    app.update(Action::Resize {
        width: 80,
        height: 24,
    });
    let shown = screen(&app);
    let status = shown.lines().nth(1).unwrap();
    assert!(
        status.contains("identity 7ca6970f… is DENIED · next step: Paxos declined"),
        "{shown}"
    );
    assert!(
        status.trim_end_matches([' ', '"']).ends_with('…'),
        "{shown}"
    );
    assert!(shown.contains("identity 7ca6970f… created"), "{shown}");
    // The KYC wait's id is shortened as register's is, not cut after its first digits.
    let kyc = shown.lines().skip_while(|l| !l.contains("■ await_kyc"));
    let detail = kyc.clone().nth(1).expect("a detail row under await_kyc");
    assert!(
        detail.contains("   DENIED · identity 7ca6970f… is…┃"),
        "{shown}"
    );
    insta::assert_snapshot!("finished_denied_80x24", shown);
}

#[test]
fn finished_approved_journey() {
    let app = finished_app("approved");
    let shown = screen(&app);
    assert!(shown.contains("outcome order_created"), "{shown}");
    insta::assert_snapshot!("finished_approved", shown);
}

#[test]
fn finished_denied_journey() {
    let mut app = finished_app("denied");
    // The operator looks at the decision: the last poll of await_kyc.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::End);
    let shown = screen(&app);
    assert!(shown.contains("outcome rejected"), "{shown}");
    assert!(shown.contains("DENIED"), "{shown}");
    insta::assert_snapshot!("finished_denied", shown);
}

#[test]
fn help_screen() {
    let recorded = record("approved");
    let mut app = ready_app(&recorded, "approved", plugin_list(false), 100, 30);
    press(&mut app, KeyCode::Char('?'));
    let shown = screen(&app);
    assert!(
        shown.contains("/home/operator/rampsim/rampsim.log"),
        "the help shows the log file"
    );
    insta::assert_snapshot!("help", shown);
    // At the smallest supported size every key and the log file still show.
    let mut small = ready_app(&recorded, "approved", plugin_list(false), 80, 24);
    press(&mut small, KeyCode::Char('?'));
    let shown = screen(&small);
    for needle in [
        "n, Enter",
        "q, Ctrl-C",
        "/home/operator/rampsim/rampsim.log",
        "RAMPSIM_LOG",
    ] {
        assert!(shown.contains(needle), "{needle} at 80x24:\n{shown}");
    }
}

#[test]
fn profile_form_with_a_validation_error() {
    let recorded = record("approved");
    let mut app = ready_app(&recorded, "approved", plugin_list(false), 100, 30);
    press(&mut app, KeyCode::Char('e'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    app.update(
        tui::action_for(
            app.input_mode(),
            KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
        )
        .unwrap(),
    );
    for c in "1960-13-45".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let shown = screen(&app);
    assert!(shown.contains("is not a valid date"), "{shown}");
    assert!(shown.contains("1 field to fix"), "{shown}");
    insta::assert_snapshot!("profile_form_invalid_date", shown);
}

/// At 80x24 long values of the fields not being typed in end in `…`, wide characters
/// (two columns each) included, instead of running into the popup's edge.
#[test]
fn profile_form_long_values_at_80x24() {
    let recorded = record("approved");
    let mut app = ready_app(&recorded, "approved", plugin_list(false), 80, 24);
    press(&mut app, KeyCode::Char('e'));
    // address.line1, below the group heading.
    for _ in 0..7 {
        press(&mut app, KeyCode::Down);
    }
    type_over(
        &mut app,
        "東京都千代田区丸の内一丁目九番二号 グラントウキョウサウスタワー",
    );
    press(&mut app, KeyCode::Down);
    type_over(
        &mut app,
        "Suite 4200, attention of the compliance department, floor 42",
    );
    press(&mut app, KeyCode::Down);
    let shown = screen(&app);
    let row = |label: &str| {
        shown
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no {label} row:\n{shown}"))
            .to_string()
    };
    // 45 columns for the value: the ellipsis, then a blank where half a wide character would go.
    assert!(row("line1").contains("九番二号 グラント… │ │\""), "{shown}");
    assert!(
        row("line2").ends_with("attention of the compliance depa…│ │\""),
        "{shown}"
    );
    insta::assert_snapshot!("profile_form_long_values_80x24", shown);
}

/// Ctrl-U, then `text` typed into the selected field of the profile form.
fn type_over(app: &mut App, text: &str) {
    let clear = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    app.update(tui::action_for(app.input_mode(), clear).unwrap());
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

#[test]
fn provider_picker() {
    let recorded = record("approved");
    let mut app = ready_app(&recorded, "approved", plugin_list(true), 120, 36);
    press(&mut app, KeyCode::Char('p'));
    insta::assert_snapshot!("provider_picker", screen(&app));
    // The library that failed to load, with why.
    press(&mut app, KeyCode::Down);
    let shown = screen(&app);
    assert!(shown.contains("ABI version 99 does not match"), "{shown}");
    insta::assert_snapshot!("provider_picker_failed_plugin", shown);
}

/// At 80x24 a provider's scenarios, endpoints and settings are below the popup's edge: the
/// title says so, PgDn scrolls down to the last row and no further, and another row starts
/// at the top again.
#[test]
fn provider_picker_scrolls_at_80x24() {
    let recorded = record("approved");
    let mut app = ready_app(&recorded, "approved", plugin_list(true), 80, 24);
    press(&mut app, KeyCode::Char('p'));
    let top = screen(&app);
    assert!(top.contains("rows 1-17 of"), "{top}");
    assert!(top.contains("PgUp PgDn scroll"), "{top}");
    assert!(!top.contains("Endpoints"), "{top}");
    insta::assert_snapshot!("provider_picker_80x24", top);
    for _ in 0..10 {
        press(&mut app, KeyCode::PageDown);
    }
    let bottom = screen(&app);
    for needle in ["Endpoints", "Settings", "PgUp PgDn scroll"] {
        assert!(bottom.contains(needle), "{needle}:\n{bottom}");
    }
    assert!(!bottom.contains("Paxos Identity"), "{bottom}");
    insta::assert_snapshot!("provider_picker_80x24_scrolled", bottom);
    // Still the same provider: ↑↓ choose, PgUp scrolls back.
    press(&mut app, KeyCode::PageUp);
    assert_ne!(screen(&app), bottom);
    press(&mut app, KeyCode::Down);
    let failed = screen(&app);
    assert!(failed.contains("failed to load"), "{failed}");
    assert!(!failed.contains("PgUp PgDn"), "{failed}");
}

/// `w` on a finished journey, with unredacted exports confirmed first: the question, then the
/// real file written where the app said, then the screen that says where.
#[test]
fn saving_a_finished_journey_unredacted() {
    let mut app = finished_app("approved");
    press(&mut app, KeyCode::Char('U'));
    let shown = screen(&app);
    assert!(
        shown.contains("Export real KYC values and secrets? (y/n)"),
        "{shown}"
    );
    insta::assert_snapshot!("confirm_unredacted", shown);
    press(&mut app, KeyCode::Char('y'));
    let effects = app.update(Action::Save);
    let [tui::Effect::Save(job)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(job.dir, Path::new("/home/operator/rampsim/journeys"));
    // The event loop's part, into a directory that exists here.
    let tmp = tempfile::tempdir().unwrap();
    let mut job = job.clone();
    job.dir = tmp.path().join("journeys");
    let path = job.run().expect("saved");
    let har = rampsim::transcript::read(&path).expect("a transcript");
    assert!(!har.log.redacted, "the file says it is unredacted");
    assert!(
        std::fs::read_to_string(&path).unwrap().contains("Duncan"),
        "real values"
    );
    // Shown under the configured directory's name, so the screen does not depend on the run.
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("paxos-approved-") && name.ends_with(".har"),
        "{name}"
    );
    app.update(Action::Saved {
        result: Ok("/home/operator/rampsim/journeys/paxos-approved-20260101-000000-j1.har".into()),
        redaction: job.redaction,
        while_running: job.while_running,
    });
    let shown = screen(&app);
    assert!(shown.contains("UNREDACTED"), "{shown}");
    assert!(
        shown.contains(
            "saved UNREDACTED to /home/operator/rampsim/journeys/paxos-approved-20260101-000000-j1.har"
        ),
        "{shown}"
    );
    insta::assert_snapshot!("saved_unredacted", shown);
}

#[test]
fn too_small_says_so() {
    let recorded = record("approved");
    let app = ready_app(&recorded, "approved", plugin_list(false), 60, 20);
    let shown = screen(&app);
    assert!(shown.contains("terminal too small"), "{shown}");
    insta::assert_snapshot!("too_small", shown);
}

#[test]
fn normalising_times_and_ports() {
    assert_eq!(
        normalise_text(
            "at 2026-11-22T21:33:41.123Z on http://127.0.0.1:39485/x, 2021-06-16T09:28:14+02:00"
        ),
        "at 2026-01-01T00:00:00Z on http://127.0.0.1:40000/x, 2026-01-01T00:00:00Z"
    );
}

/// A journey prepared a minute before its first stage ran: the timeline starts with that stage,
/// not with the minute spent waiting for a key (its bars would all crowd at the right edge).
#[test]
fn the_timeline_starts_with_the_first_stage_not_with_the_wait_for_a_key() {
    let mut recorded = record("approved");
    match recorded.events.first_mut() {
        Some(Event::JourneyStarted { at_ms, .. }) => *at_ms -= 60_000,
        other => panic!("a journey starts with JourneyStarted, not {other:?}"),
    }
    let mut app = ready_app(&recorded, "approved", plugin_list(false), 120, 36);
    press(&mut app, KeyCode::Char('a'));
    app.update(Action::Runner(RunnerReport::Busy));
    feed(&mut app, &recorded.events);
    let shown = screen(&app);
    let row = shown
        .lines()
        .find_map(|l| l.split_once("│reg "))
        .map(|(_, track)| track.to_string())
        .unwrap_or_else(|| panic!("no timeline row for register: {shown}"));
    assert!(
        row.starts_with(['█', '▓', '─']),
        "register's bar starts at the left of the timeline: {row:?}\n{shown}"
    );
    assert!(!shown.contains("Timeline · 1m"), "{shown}");
}

/// The plugins `p` offers: Paxos, and a second provider (Paxos's plugin under another id, so
/// nothing else needs building) to switch to.
fn paxos_and_crossmint() -> PluginList {
    let mut list = plugin_list(false);
    let mut other = list.plugins[0].clone();
    other.manifest.id = "crossmint".into();
    other.manifest.name = "Crossmint".into();
    list.plugins.push(other);
    list
}

/// The line of the profile form that shows `field`.
fn form_row(shown: &str, field: &str) -> String {
    shown
        .lines()
        .find(|l| l.contains(field))
        .unwrap_or_else(|| panic!("no {field} row:\n{shown}"))
        .to_string()
}

/// `e`, last_name changed to Smith, Enter; then `p` to another provider: the header still says
/// the profile is edited and `e` shows Smith, as after a scenario switch.
#[test]
fn an_edited_profile_stays_across_a_provider_switch() {
    let recorded = record("approved");
    let mut app = ready_app(&recorded, "approved", paxos_and_crossmint(), 120, 36);
    press(&mut app, KeyCode::Char('e'));
    for _ in 0..2 {
        press(&mut app, KeyCode::Down);
    }
    type_over(&mut app, "Smith");
    let effects = app.update(Action::Confirm);
    assert!(!effects.is_empty(), "the edited profile is applied");
    let header = |app: &App| screen(app).lines().next().unwrap().to_string();
    assert!(
        header(&app).contains("profile billy (edited)"),
        "{}",
        screen(&app)
    );
    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Down);
    let effects = app.update(Action::Confirm);
    let Some(tui::Effect::Runner(tui::RunnerCommand::Setup(choice))) = effects.last() else {
        panic!("{effects:?}")
    };
    assert_eq!(choice.provider.as_deref(), Some("crossmint"));
    // As the runner does: the new journey is prepared with the profile it was given.
    app.update(Action::Runner(RunnerReport::Preparing {
        provider: "crossmint".into(),
    }));
    let mut info = recorded.info.clone();
    info.manifest.id = "crossmint".into();
    if let Some((name, profile)) = &choice.profile {
        info.profile_name = name.clone();
        info.profile = profile.clone();
    }
    app.update(Action::Runner(RunnerReport::Ready(Box::new(info))));
    let shown = screen(&app);
    let top = shown.lines().next().unwrap();
    assert!(
        top.contains("provider crossmint") && top.contains("profile billy (edited)"),
        "{shown}"
    );
    assert!(
        shown.contains("profile billy (edited) kept for crossmint"),
        "{shown}"
    );
    press(&mut app, KeyCode::Char('e'));
    let shown = screen(&app);
    assert!(form_row(&shown, "last_name").contains("Smith"), "{shown}");
}

/// `a`, then `w` while await_kyc polls: line 2 says the save was taken mid-journey; once the
/// journey ends it shows the outcome and the next step, as when nothing was saved, and the
/// save stays in the Log pane.
#[test]
fn a_save_mid_journey_gives_way_to_the_outcome() {
    let recorded = record("denied");
    let mut app = ready_app(&recorded, "denied", plugin_list(false), 120, 36);
    press(&mut app, KeyCode::Char('a'));
    app.update(Action::Runner(RunnerReport::Busy));
    let first_poll = recorded
        .events
        .iter()
        .position(|e| matches!(e, Event::StatusPolled { .. }))
        .expect("denied polls await_kyc");
    feed(&mut app, &recorded.events[..=first_poll]);
    let effects = app.update(Action::Save);
    let [tui::Effect::Save(job)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(job.while_running);
    let file = "/home/operator/rampsim/journeys/paxos-denied-20260101-000000-j1.har";
    app.update(Action::Saved {
        result: Ok(file.into()),
        redaction: job.redaction,
        while_running: job.while_running,
    });
    let line2 = |app: &App| screen(app).lines().nth(1).unwrap().to_string();
    assert!(
        line2(&app).contains(&format!("saved (journey still running) to {file}")),
        "{}",
        screen(&app)
    );
    press(&mut app, KeyCode::Esc);
    feed(&mut app, &recorded.events[first_poll + 1..]);
    app.update(Action::Runner(RunnerReport::Idle {
        sensitive: recorded.sensitive.clone(),
    }));
    let shown = screen(&app);
    assert!(shown.contains("outcome rejected"), "{shown}");
    let status = line2(&app);
    assert!(!status.contains("saved"), "{shown}");
    assert!(
        status.contains("is DENIED · next step: Paxos declined"),
        "{shown}"
    );
    assert!(
        shown.contains("saved (journey still running)"),
        "the Log pane: {shown}"
    );
}

/// `n` runs register (identity PENDING); then create_order is chosen in Stages and `r` pressed.
/// The app asks first, says in the log what had not run, and the outcome's KYC status says it
/// is register's, not a check made before the order.
#[test]
fn a_stage_run_out_of_order_is_asked_for_and_said() {
    let recorded = record_stages("approved", Some(&[Stage::Register, Stage::CreateOrder]));
    let mut app = ready_app(&recorded, "approved", plugin_list(false), 120, 36);
    let register_end = recorded
        .events
        .iter()
        .position(|e| matches!(e, Event::StageFinished { .. }))
        .expect("register finishes");
    press(&mut app, KeyCode::Char('n'));
    app.update(Action::Runner(RunnerReport::Busy));
    feed(&mut app, &recorded.events[..=register_end]);
    app.update(Action::Runner(RunnerReport::Idle { sensitive: vec![] }));
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    assert!(
        app.update(Action::RerunSelected).is_empty(),
        "nothing runs before the operator says yes"
    );
    let shown = screen(&app);
    for said in [
        "Run out of order?",
        "await_kyc has not run: the provider decides on its own whether this",
        "user may order.",
        "Run create_order anyway? (y/n)",
    ] {
        assert!(shown.contains(said), "{said}:\n{shown}");
    }
    // Paxos has no idv_passthrough step of its own: nothing to warn about.
    assert!(!shown.contains("idv_passthrough has not run"), "{shown}");
    insta::assert_snapshot!("confirm_out_of_order", shown);
    // n: nothing runs, and the log says so.
    press(&mut app, KeyCode::Char('n'));
    assert!(app.popup.is_none());
    assert!(screen(&app).contains("create_order not run"));
    // y: it runs, and the log says what had not.
    press(&mut app, KeyCode::Char('r'));
    let key = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE);
    let effects = app.update(tui::action_for(app.input_mode(), key).unwrap());
    assert_eq!(
        effects,
        vec![tui::Effect::Runner(tui::RunnerCommand::Rerun(
            Stage::CreateOrder
        ))]
    );
    app.update(Action::Runner(RunnerReport::Busy));
    feed(&mut app, &recorded.events[register_end + 1..]);
    app.update(Action::Runner(RunnerReport::Idle {
        sensitive: recorded.sensitive.clone(),
    }));
    let shown = screen(&app);
    assert!(shown.contains("outcome order_created"), "{shown}");
    // The Log pane's lines, as it wraps them on screen.
    let logged: Vec<&str> = app.log.iter().map(|l| l.text.as_str()).collect();
    assert!(
        logged.contains(&"running create_order out of order: await_kyc had not run"),
        "{shown}"
    );
    let outcome = logged
        .iter()
        .find(|l| l.starts_with("outcome: "))
        .expect("an outcome line");
    assert!(
        outcome.starts_with("outcome: order_created (kyc pending as of register,"),
        "the KYC status is register's: {outcome}"
    );
    assert!(shown.contains("(kyc pending as of"), "{shown}");
}
