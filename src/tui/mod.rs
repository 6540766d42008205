//! The operator's terminal UI: step through a journey and inspect every exchange.
//!
//! Shape (after slumber and gitui): one [`App`] holding all state, changed only by
//! [`App::update`] from one [`Action`] type; views that read it; the journey on its own task
//! ([`runner`]) reporting by message; an event loop that waits on the terminal and the channel
//! (no polling), redraws only when something changed, and always gives the terminal back.

mod action;
mod app;
mod body;
mod clipboard;
mod curl;
mod form;
mod journey_state;
mod keys;
mod out_of_order;
mod plugins;
mod redact;
mod runner;
mod save;
mod terminal;
pub mod view;

pub use action::{Action, Effect, JourneyChoice, JourneyInfo, RunnerCommand, RunnerReport};
pub use app::{App, AppInit, LogLine, Pane, Popup, Setup};
pub use curl::curl_command;
pub use journey_state::{Exchange, JourneyState, StageStatus};
pub use keys::{action_for, InputMode};
pub use out_of_order::{Gap, GapKind};
pub use plugins::{FailedEntry, PluginEntry, PluginList};
pub use save::SaveJob;

use crate::host::Host;
use crate::plugin::{discover, StdioRedirect};
use crossterm::event::{Event as TermEvent, EventStream, MouseButton, MouseEventKind};
use futures::StreamExt;
use runner::Runner;
use std::fs::File;
use std::io::Write;
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// Most actions handled before a frame is drawn: a burst of events (a virtual-clock journey)
/// becomes one frame, yet the screen still moves during a flood.
const ACTIONS_PER_FRAME: usize = 512;
/// Countdown refresh while a real-clock stage runs; nothing ticks otherwise.
const TICK: Duration = Duration::from_millis(250);

/// Runs the UI until the operator quits. Returns the exit status.
pub async fn run(host: Arc<Host>) -> i32 {
    let started = Instant::now();
    // Dropped last: fds 1 and 2 stay on the log file until the UI has let go of the terminal.
    let (_redirect, writer) = quiet_stdio(&host.config.app.log_file);
    let writer = match writer {
        Ok(w) => w,
        Err(e) => {
            terminal::restore();
            eprintln!("rampsim: cannot open the terminal UI: {e}");
            return 2;
        }
    };
    let (mut tui, _guard) = match terminal::enter(writer) {
        Ok(t) => t,
        Err(e) => {
            terminal::restore();
            eprintln!("rampsim: cannot open the terminal UI: {e}");
            return 2;
        }
    };
    let size = tui.size().unwrap_or_default();
    let mut app = App::new(AppInit::from_host(&host), size.width, size.height);
    // The first frame comes before any plugin is loaded or the sandbox started.
    if let Err(e) = tui.draw(|f| view::draw(f, &app)) {
        return fail(&format!("cannot draw: {e}"));
    }
    log_frame("first frame", started);

    let (tx, mut rx) = unbounded_channel::<Action>();
    let (runner, mut runner_task) = Runner::spawn(host.clone(), tx.clone());
    let effects = app.start();
    carry_out(effects, &host, &runner, &tx, &mut tui);

    let mut input = EventStream::new();
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let termination = terminated();
    tokio::pin!(termination);
    let mut full_frame_logged = false;
    loop {
        let first = tokio::select! {
            input = input.next() => match input {
                Some(Ok(event)) => match translate(&app, event) {
                    Some(a) => a,
                    None => continue,
                },
                Some(Err(e)) => {
                    tracing::error!("terminal input failed: {e}");
                    Action::Quit
                }
                None => Action::Quit,
            },
            Some(action) = rx.recv() => action,
            _ = ticker.tick(), if app.wants_ticks() => Action::Tick,
            _ = &mut termination => Action::Quit,
            _ = &mut runner_task => return fail("the journey runner stopped unexpectedly (see the log)"),
        };
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(action) = next.take() {
            app.now = Instant::now();
            let effects = app.update(action);
            carry_out(effects, &host, &runner, &tx, &mut tui);
            handled += 1;
            if handled < ACTIONS_PER_FRAME && !app.should_quit {
                next = rx.try_recv().ok();
            }
        }
        if app.should_quit {
            break;
        }
        if !terminal::is_active() {
            return fail("internal error (a panic); see the log");
        }
        if app.take_dirty() {
            if let Err(e) = tui.draw(|f| view::draw(f, &app)) {
                return fail(&format!("cannot draw: {e}"));
            }
            if !full_frame_logged && app.filled_in() {
                full_frame_logged = true;
                log_frame("first full frame (plugins found, journey ready)", started);
            }
        }
    }
    runner_task.abort();
    0
}

/// Points fds 1 and 2 at the log file, so nothing (a plugin's `println!`, a child process) is
/// printed over the screen; returns the redirect and a writer to the real terminal for the UI.
/// Without the log file, /dev/null will do; without either the UI still runs, warned in the log.
fn quiet_stdio(log_file: &Path) -> (Option<StdioRedirect>, std::io::Result<File>) {
    let redirect = StdioRedirect::to_file(log_file).or_else(|e| {
        tracing::warn!(
            "cannot send stdout and stderr to {}: {e}; discarding them",
            log_file.display()
        );
        StdioRedirect::to_file(Path::new("/dev/null"))
    });
    match redirect {
        Ok(r) => {
            let writer = r.terminal();
            (Some(r), writer)
        }
        Err(e) => {
            tracing::warn!(
                "stdout and stderr not redirected ({e}): plugin output may show over the screen"
            );
            let writer = std::io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .map(File::from);
            (None, writer)
        }
    }
}

/// Gives the terminal back, then says what went wrong where the operator can read it.
fn fail(message: &str) -> i32 {
    terminal::restore();
    tracing::error!("{message}");
    eprintln!("rampsim: {message}");
    101
}

/// For the startup benchmark: when a frame reached the terminal, on the wall clock and since
/// the UI started.
fn log_frame(what: &str, started: Instant) {
    let unix_us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    tracing::info!(
        target: "rampsim::tui::startup",
        "{what} drawn {} µs after the UI started; unix_us={unix_us}",
        started.elapsed().as_micros()
    );
}

fn translate(app: &App, event: TermEvent) -> Option<Action> {
    match event {
        TermEvent::Key(key) => action_for(app.input_mode(), key),
        TermEvent::Mouse(m) => match m.kind {
            MouseEventKind::ScrollUp => Some(Action::ScrollAt {
                column: m.column,
                row: m.row,
                delta: -1,
            }),
            MouseEventKind::ScrollDown => Some(Action::ScrollAt {
                column: m.column,
                row: m.row,
                delta: 1,
            }),
            MouseEventKind::Down(MouseButton::Left) => Some(Action::ClickAt {
                column: m.column,
                row: m.row,
            }),
            _ => None,
        },
        TermEvent::Resize(width, height) => Some(Action::Resize { width, height }),
        _ => None,
    }
}

fn carry_out(
    effects: Vec<Effect>,
    host: &Arc<Host>,
    runner: &Runner,
    tx: &UnboundedSender<Action>,
    tui: &mut terminal::Tui,
) {
    for effect in effects {
        match effect {
            Effect::Runner(command) => runner.send(command),
            Effect::DiscoverPlugins => {
                let dirs = host.dirs.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let list = match tokio::task::spawn_blocking(move || discover(&dirs)).await {
                        Ok(d) => PluginList::from_discovery(&d),
                        Err(e) => {
                            tracing::error!("plugin discovery failed: {e}");
                            PluginList::default()
                        }
                    };
                    let _ = tx.send(Action::PluginsFound(list));
                });
            }
            Effect::Save(job) => {
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = job.run();
                    let _ = tx.send(Action::Saved {
                        result,
                        redaction: job.redaction,
                        while_running: job.while_running,
                    });
                });
            }
            Effect::Copy(text) => match clipboard::choose() {
                clipboard::Method::Osc52 => {
                    let out = tui.backend_mut();
                    let sent = out
                        .write_all(clipboard::osc52(&text).as_bytes())
                        .and_then(|_| out.flush());
                    let note = match sent {
                        Ok(()) => clipboard::OSC52_NOTE.to_string(),
                        Err(e) => format!("could not reach the terminal's clipboard: {e}"),
                    };
                    let _ = tx.send(Action::Copied(note));
                }
                clipboard::Method::Command { program, args } => {
                    let tx = tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let note = clipboard::copy_with(program, args, &text);
                        let _ = tx.send(Action::Copied(note));
                    });
                }
            },
        }
    }
}

/// SIGTERM or SIGHUP: leave as on `q`, terminal restored. (Ctrl-C is a key in raw mode.)
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>().await
}
