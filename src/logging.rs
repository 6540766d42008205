//! Logs go to a file (never to the terminal the TUI draws on), through a non-blocking writer.
//! Every line passes through the redactor first, on the thread that logs it: the structural
//! rules and the values of every live journey (see [`crate::redact::global_redact`]), so a
//! plugin's log line or an engine message never writes a secret or a KYC value to the file.

use std::io::Write;
use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::fmt::MakeWriter;

/// Starts logging to `path`. Keep the guard alive until exit so buffered lines are written.
/// `RAMPSIM_LOG` sets the filter (default `info`).
pub fn init(path: &Path) -> Option<WorkerGuard> {
    init_with_default(path, "info")
}

/// As [`init`], with another default level when `RAMPSIM_LOG` is unset (batch runs log at
/// `warn`: thousands of journeys' routine lines would bury the faults worth reading).
pub fn init_with_default(path: &Path, default_level: &str) -> Option<WorkerGuard> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = path.file_name()?;
    std::fs::create_dir_all(dir).ok()?;
    create_private(path);
    let appender = tracing_appender::rolling::never(dir, file);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("RAMPSIM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacting(writer))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Creates the log file readable by its owner only, if it does not exist yet.
fn create_private(path: &Path) {
    let mut o = std::fs::OpenOptions::new();
    o.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let _ = o.open(path);
}

/// A [`MakeWriter`] whose writers redact what they are given before passing it on.
#[derive(Clone, Debug)]
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            inner: self.0.make_writer(),
            buf: Vec::new(),
        }
    }
}

/// Collects one formatted event and writes it redacted when flushed or dropped (the fmt layer
/// makes one writer per event).
pub struct RedactingWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    fn pass_on(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.buf).into_owned();
        self.buf.clear();
        self.inner
            .write_all(crate::redact::global_redact(&text).as_bytes())
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.pass_on()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.pass_on();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{register, Redactor, SharedRedactor};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, d: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(d);
            Ok(d.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn log_lines_are_redacted_with_live_journeys_values() {
        let sink = Sink::default();
        let inner = sink.clone();
        let make = Redacting(move || inner.clone());
        let mut r = Redactor::new();
        r.add_secret("zz-log-secret-991");
        let shared = SharedRedactor::new(r);
        register(&shared);
        {
            let mut w = make.make_writer();
            write!(w, "token zz-log-secret-991 and ").unwrap();
            writeln!(w, "Authorization: Bearer abc").unwrap();
        }
        let out = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            out,
            "token [REDACTED] and Authorization: Bearer [REDACTED]\n"
        );
        drop(shared);
    }
}
