//! Keeps plugin output off the terminal UI's screen and out of `run` and `batch` output. A
//! plugin is native code in our process: a `println!` in it writes to fd 1, which is the
//! terminal the UI draws on (or the pipe a script reads `--json` from), and its text would land
//! in the middle of a frame or a JSON document. While the UI or a headless journey runs, fds 1
//! and 2 point at the log file instead, and the host writes through copies of the original fds
//! taken before the switch.
//!
//! Lives with the loader because it guards against plugins. The `dup2` it needs, which std does
//! not offer, is rustix's safe form for fds 1 and 2: no `unsafe` here.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::sync::Mutex;

/// Copies of the original fds 1 and 2 while redirected. Global (not only in [`StdioRedirect`])
/// so that a panic hook can put the terminal back from any thread without the owner. The lock
/// is only held to put them in or take them out, never across a call that could panic.
static SAVED: Mutex<[Option<OwnedFd>; 2]> = Mutex::new([None, None]);

fn saved() -> std::sync::MutexGuard<'static, [Option<OwnedFd>; 2]> {
    SAVED.lock().unwrap_or_else(|p| p.into_inner())
}

/// fds 1 and 2 redirected to a file until this is dropped (or [`restore`] is called).
#[derive(Debug)]
pub struct StdioRedirect {
    terminal: File,
    terminal_err: File,
}

impl StdioRedirect {
    /// Points fds 1 and 2 at `path` (opened to append; created 0600 if missing), keeping
    /// copies of the originals. Refused while another redirect is active.
    pub fn to_file(path: &Path) -> io::Result<StdioRedirect> {
        if is_redirected() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "stdout and stderr are already redirected",
            ));
        }
        let mut o = OpenOptions::new();
        o.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let file = o.open(path)?;
        // Plugin output goes through a pipe to a thread that redacts each line before it
        // reaches the file: a plugin may print KYC data or a token, and the log file is one of
        // the places that must never carry them.
        let (reader, target) = io::pipe()?;
        spawn_redacting_copier(reader, file)?;
        // What the process printed so far belongs on the terminal, not in the file.
        let _ = io::stdout().flush();
        let _ = io::stderr().flush();
        // Close-on-exec copies: a child process (the clipboard helper) must not get the terminal.
        let terminal = File::from(io::stdout().as_fd().try_clone_to_owned()?);
        let terminal_err = File::from(io::stderr().as_fd().try_clone_to_owned()?);
        let saved_out = io::stdout().as_fd().try_clone_to_owned()?;
        let saved_err = io::stderr().as_fd().try_clone_to_owned()?;
        redirect(&target, Fd::Stdout)?;
        saved()[0] = Some(saved_out);
        if let Err(e) = redirect(&target, Fd::Stderr) {
            restore();
            return Err(e);
        }
        saved()[1] = Some(saved_err);
        // fds 1 and 2 now hold the pipe's write end; dropping ours means the copier sees the
        // end of the stream once they are restored.
        drop(target);
        Ok(StdioRedirect {
            terminal,
            terminal_err,
        })
    }

    /// A writer to the terminal fd 1 was before the redirect (a new handle each call).
    pub fn terminal(&self) -> io::Result<File> {
        self.terminal.try_clone()
    }

    /// A writer to what fd 2 was before the redirect (a new handle each call).
    pub fn terminal_err(&self) -> io::Result<File> {
        self.terminal_err.try_clone()
    }
}

impl Drop for StdioRedirect {
    fn drop(&mut self) {
        restore();
    }
}

/// Whether fds 1 and 2 currently point at a redirect's file.
pub fn is_redirected() -> bool {
    saved().iter().any(Option::is_some)
}

/// Puts fds 1 and 2 back as they were before [`StdioRedirect::to_file`]. Idempotent and safe to
/// call from any thread, a panic hook included; does nothing when nothing is redirected.
pub fn restore() {
    // Text std still buffers was printed while redirected: it goes to the file.
    let _ = io::stdout().flush();
    let _ = io::stderr().flush();
    // Taken out under the lock, put back after it: whoever takes one is its only owner.
    let [out, err] = std::mem::take(&mut *saved());
    for (saved, target) in [(out, Fd::Stdout), (err, Fd::Stderr)] {
        // Nothing sensible is left to do if this fails (a panic hook is calling): the saved
        // copy is closed either way.
        if let Some(saved) = saved {
            let _ = redirect(&saved, target);
        }
    }
    // The pipe's write ends are closed now, unless a child process inherited one (a clipboard
    // helper that stays in the background): wait for the copier, but never for long.
    let finished = COPIER_DONE.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(finished) = finished {
        let _ = finished.recv_timeout(std::time::Duration::from_millis(300));
    }
}

/// Copies what arrives on `reader` to `file` line by line, redacted, until the write ends close.
fn spawn_redacting_copier(reader: io::PipeReader, mut file: File) -> io::Result<()> {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    *COPIER_DONE.lock().unwrap_or_else(|p| p.into_inner()) = Some(finished);
    std::thread::Builder::new()
        .name("plugin-output".into())
        .spawn(move || {
            use std::io::BufRead;
            let mut lines = io::BufReader::new(reader);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match lines.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf);
                        let line = crate::redact::global_redact(line.trim_end_matches('\n'));
                        let _ = writeln!(file, "plugin output: {line}");
                    }
                }
            }
            let _ = done.send(());
        })
        .map(|_| ())
}

/// Signalled when the copier has written everything; [`restore`] waits for it a little.
static COPIER_DONE: std::sync::Mutex<Option<std::sync::mpsc::Receiver<()>>> =
    std::sync::Mutex::new(None);

/// The two fds a redirect replaces.
#[derive(Clone, Copy)]
enum Fd {
    Stdout,
    Stderr,
}

/// Makes `target` refer to what `from` refers to (`dup2`). std's handles keep using fds 1 and 2
/// by number, so replacing what they refer to breaks no ownership: rustix offers it safely.
fn redirect(from: &impl AsFd, target: Fd) -> io::Result<()> {
    match target {
        Fd::Stdout => rustix::stdio::dup2_stdout(from),
        Fd::Stderr => rustix::stdio::dup2_stderr(from),
    }
    .map_err(io::Error::from)
}
