//! Ctrl-C during `rampsim run`. The first cancels the running stage (the journey's own
//! `select!`) and the journey ends within moments, its transcript written. It cannot while a
//! plugin call never returns: the plugin is native code on the thread that runs the journey, and
//! nothing interrupts it. So a [`Watchdog`] also listens, on a worker thread: if the journey has
//! not ended [`GRACE`] after the first Ctrl-C and a plugin call is still under way, it says which
//! and exits without waiting for that thread; a second Ctrl-C exits at once.

use crate::plugin::oldest_call;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::signal::unix::{signal, Signal, SignalKind};

/// How long a cancelled journey may take to end before a stuck plugin call is given up on. Also
/// how long `main` waits for the runtime's threads once a command is over.
pub const GRACE: Duration = Duration::from_secs(2);
/// A stuck call given up on: the journey failed, as any journey cancelled with Ctrl-C.
pub const STUCK_EXIT: i32 = 13;
/// A second Ctrl-C: the shell's status for an interrupted command.
pub const INTERRUPTED_EXIT: i32 = 130;

/// Where the watchdog says why it exits (the terminal's stderr while plugin output is
/// redirected; see [`crate::output::Output`]).
pub type ErrWriter = Arc<Mutex<Box<dyn Write + Send>>>;

/// What to do before leaving a stuck journey behind (write its transcript so far); returns a
/// line to say.
pub type LastWords = Box<dyn FnOnce() -> Option<String> + Send>;

/// Listens for Ctrl-C from [`Watchdog::start`] until dropped.
pub struct Watchdog {
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Watchdog {
    /// Starts listening now, before the journey runs (a call that never returns would leave no
    /// later moment). Call inside the runtime.
    pub fn start(err: ErrWriter, last_words: Option<LastWords>) -> Watchdog {
        match signal(SignalKind::interrupt()) {
            Ok(interrupts) => Watchdog {
                task: Some(tokio::spawn(watch(interrupts, err, last_words))),
            },
            Err(e) => {
                // The journey's own Ctrl-C handling still works; only a stuck call cannot be left.
                tracing::warn!("cannot listen for Ctrl-C to leave a stuck plugin call: {e}");
                Watchdog { task: None }
            }
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

async fn watch(mut interrupts: Signal, err: ErrWriter, mut last_words: Option<LastWords>) {
    // The first Ctrl-C: the journey cancels its stage, and normally this task is dropped soon.
    if interrupts.recv().await.is_none() {
        return;
    }
    let again = tokio::select! {
        r = interrupts.recv() => r.is_some(),
        () = tokio::time::sleep(GRACE) => false,
    };
    if !again {
        if let Some(call) = oldest_call() {
            exit(
                &err,
                &format!("{}; exiting", call.did_not_return()),
                last_words.take(),
                STUCK_EXIT,
            );
        }
        // Winding down (a transcript being written): only a second Ctrl-C cuts that short.
        if interrupts.recv().await.is_none() {
            return;
        }
    }
    let why = match oldest_call() {
        Some(call) => format!("interrupted again; exiting ({})", call.did_not_return()),
        None => "interrupted again; exiting".to_string(),
    };
    exit(&err, &why, last_words, INTERRUPTED_EXIT);
}

/// Says why and ends the process, leaving the journey's thread where it is (after its last
/// words: the process's exit runs no destructor, so nothing else would write or remove a
/// transcript file already created).
fn exit(err: &ErrWriter, why: &str, last_words: Option<LastWords>, code: i32) -> ! {
    tracing::error!("{why}");
    crate::output::write_line(err, format!("rampsim: {why}"));
    if let Some(line) = last_words.and_then(|f| f()) {
        crate::output::write_line(err, format!("rampsim: {line}"));
    }
    std::process::exit(code)
}
