//! Logs go to a file (never to the terminal the TUI draws on), through a non-blocking writer.

use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;

/// Starts logging to `path`. Keep the guard alive until exit so buffered lines are written.
/// `RAMPSIM_LOG` sets the filter (default `info`).
pub fn init(path: &Path) -> Option<WorkerGuard> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file = path.file_name()?;
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, file);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("RAMPSIM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
