//! Terminal UI benchmarks: drawing one frame of a finished Paxos journey at 200x50 on ratatui's
//! TestBackend, steady (nothing changed since the last frame: the diff finds no cell to write)
//! and full (every cell written, as after a resize). Run: `cargo bench --bench tui`.
//! Start-up time and memory in a real terminal: tests/tui_tmux.rs, `startup_and_memory`.

use criterion::{criterion_group, criterion_main, Criterion};
use rampsim::config::Config;
use rampsim::host::{Host, RunOptions};
use rampsim::journey::{Event, EventSink, Journey};
use rampsim::tui::{self, Action, App, AppInit, JourneyInfo, PluginList, RunnerReport};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");
const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;

/// Builds the Paxos plugin in release (the directory the engine bench uses too).
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
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the paxos plugin failed");
    target.join("release")
}

/// config.toml's sample profile, the plugin directory, the virtual clock.
fn config(dir: &Path, tmp: &Path) -> PathBuf {
    let shipped = std::fs::read_to_string(PathBuf::from(WORKSPACE).join("config.toml")).unwrap();
    let profile = &shipped[shipped.find("[profiles.billy]").unwrap()..];
    let text = format!(
        "[app]\nprovider = \"paxos\"\nprofile = \"billy\"\nclock = \"virtual\"\nplugin_paths = [{:?}]\nlog_file = {:?}\n\n{profile}",
        dir.display().to_string(),
        tmp.join("bench.log").display().to_string(),
    );
    let path = tmp.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// An app that has run an approved Paxos journey to its end, fed as the runner feeds it.
fn finished_app() -> App {
    let dir = release_plugins();
    let tmp = tempfile::tempdir().unwrap();
    let host = Host::new(Config::load(&config(&dir, tmp.path())).expect("config loads"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (info, events) = rt.block_on(async {
        let spec = host
            .prepare(&RunOptions::default())
            .await
            .expect("journey prepared");
        let info = JourneyInfo::from_spec(&spec);
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink_events = events.clone();
        let sink: EventSink = Arc::new(move |e: Event| sink_events.lock().unwrap().push(e));
        let mut journey =
            Journey::with_redactor(spec, sink, info.redactor.clone()).expect("journey starts");
        journey.run_to_end().await;
        let events = std::mem::take(&mut *events.lock().unwrap());
        (info, events)
    });
    let mut app = App::new(AppInit::from_host(&host), WIDTH, HEIGHT);
    app.start();
    app.update(Action::PluginsFound(PluginList::from_discovery(
        &rampsim::plugin::discover(&[dir]),
    )));
    app.update(Action::Runner(RunnerReport::Ready(Box::new(info))));
    app.update(Action::RunAll);
    app.update(Action::Runner(RunnerReport::Busy));
    for e in events {
        app.update(Action::Journey(Box::new(e)));
    }
    app.update(Action::Runner(RunnerReport::Idle {
        sensitive: Vec::new(),
    }));
    assert!(app.journey.finished.is_some(), "the journey finished");
    app
}

fn render(c: &mut Criterion) {
    let app = finished_app();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    terminal.draw(|f| tui::view::draw(f, &app)).unwrap();
    c.bench_function("tui/frame_finished_journey_200x50", |b| {
        b.iter(|| {
            terminal.draw(|f| tui::view::draw(f, &app)).unwrap();
        })
    });
    c.bench_function("tui/full_repaint_finished_journey_200x50", |b| {
        b.iter(|| {
            terminal.clear().unwrap();
            terminal.draw(|f| tui::view::draw(f, &app)).unwrap();
        })
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
