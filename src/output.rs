//! Where `rampsim run`, `replay` and `batch` print. Plugin output is sent to the log file for the
//! run (see [`crate::plugin::StdioRedirect`]), so what the host prints goes to the terminal (or
//! pipe) as it was before: `--json` output stays a clean document whatever a plugin prints.

use crate::plugin::StdioRedirect;
use crate::redact::SharedRedactor;
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The original stdout and stderr, while plugin output goes to the log file.
pub struct Output {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
    err: Arc<Mutex<Box<dyn Write + Send>>>,
    err_file: Option<Arc<File>>,
    // Fields drop in this order: the redirect is undone (and the copier has written the last
    // plugin lines, redacted) before the redactors those lines need are let go.
    _redirect: Option<StdioRedirect>,
    keep: Mutex<Vec<SharedRedactor>>,
}

impl Output {
    /// Sends plugin output to `log_file` from now on. If that cannot be done (another redirect
    /// is active, the file cannot be opened), prints on the process's own stdout and stderr.
    pub fn open(log_file: &Path) -> Output {
        let redirected = StdioRedirect::to_file(log_file).and_then(|r| {
            let (out, err) = (r.terminal()?, r.terminal_err()?);
            Ok((r, out, err))
        });
        match redirected {
            Ok((redirect, out, err)) => {
                restore_on_panic();
                let err_file = err.try_clone().ok().map(Arc::new);
                Output {
                    out: Arc::new(Mutex::new(Box::new(out))),
                    err: Arc::new(Mutex::new(Box::new(err))),
                    err_file,
                    _redirect: Some(redirect),
                    keep: Mutex::new(Vec::new()),
                }
            }
            Err(e) => {
                // Said where the operator looks: a plugin that prints would now show here.
                tracing::warn!("plugin output is not redirected to the log file: {e}");
                eprintln!("rampsim: warning: plugin output is not redirected to the log file: {e}");
                Output {
                    out: Arc::new(Mutex::new(Box::new(io::stdout()))),
                    err: Arc::new(Mutex::new(Box::new(io::stderr()))),
                    err_file: None,
                    _redirect: None,
                    keep: Mutex::new(Vec::new()),
                }
            }
        }
    }

    /// A line on stdout.
    pub fn out(&self, line: impl std::fmt::Display) {
        write_line(&self.out, line);
    }

    /// A line on stderr.
    pub fn err(&self, line: impl std::fmt::Display) {
        write_line(&self.err, line);
    }

    /// Keeps `r` (a journey's secrets, profile and learnt tokens) registered until plugin
    /// output stops going to the log file, so the last lines a plugin prints are masked too.
    pub fn keep(&self, r: &SharedRedactor) {
        self.keep
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(r.clone());
    }

    /// A stdout writer that can live in an event sink.
    pub fn out_handle(&self) -> Arc<Mutex<Box<dyn Write + Send>>> {
        self.out.clone()
    }

    /// A stderr writer another task can hold (the Ctrl-C watchdog).
    pub fn err_handle(&self) -> Arc<Mutex<Box<dyn Write + Send>>> {
        self.err.clone()
    }

    /// The terminal's stderr as a file, for a progress bar (when redirected).
    pub fn err_file(&self) -> Option<Arc<File>> {
        self.err_file.clone()
    }
}

pub fn write_line(w: &Mutex<Box<dyn Write + Send>>, line: impl std::fmt::Display) {
    let mut w = w.lock().unwrap_or_else(|p| p.into_inner());
    let _ = writeln!(w, "{line}");
    let _ = w.flush();
}

/// A panic of the command itself belongs on the terminal, not in the log file: fds 1 and 2 are
/// put back before its message is printed. The commands run on the main thread; a panic on
/// another thread (a sandbox connection task, which tokio catches) leaves the redirect alone,
/// as the command goes on.
fn restore_on_panic() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some("main") {
                crate::plugin::stdio::restore();
            }
            previous(info);
        }));
    });
}
