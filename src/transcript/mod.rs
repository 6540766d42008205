//! Saved journeys: HAR 1.2 transcripts (with the journey's inputs, events and outcome in
//! `_rampsim`), curl export, and replay.
//!
//! - [`Recorder`] is fed a journey's events and writes a transcript on demand, redacted with
//!   the journey's redactor unless [`Redaction::Unredacted`] is asked for (which the file then
//!   says, in `_redacted: false` and its comment).
//! - [`TranscriptFile`]: files are created new (`O_CREAT|O_EXCL`, `O_NOFOLLOW`), mode 0600, in a
//!   directory created 0700; an existing file or a symlink at the path is refused.
//! - [`save_to_journeys_dir`]: what the TUI's `w` calls.
//! - [`curl`]: requests as shell-safe curl commands. [`replay`]: `rampsim replay`.
//!
//! The TUI's pieces, in order:
//!
//! ```ignore
//! let recorder = Recorder::new(&spec);                     // before Journey::new
//! let sink = recorder.tee(tui_sink);
//! let journey = Journey::new(spec, sink)?;
//! // on `w`:
//! let path = save_to_journeys_dir(&config.app.journeys_dir, &recorder,
//!                                 &journey.redactor().snapshot(), Redaction::Redacted)?;
//! // inspector / copy: journey.redactor().redact_event(&event), curl::curl_for_event(..)
//! ```

pub mod curl;
mod file;
pub mod har;
mod recorder;
pub mod replay;

pub use file::{create_in_dir, create_private_dir, file_name, TranscriptFile};
pub use har::Har;
pub use recorder::{save_to_journeys_dir, ProfileSource, Recorder};

use std::path::{Path, PathBuf};

/// Whether secrets and KYC values are masked in what is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Redaction {
    #[default]
    Redacted,
    /// Real values: only on the operator's explicit request (`--unredacted`, the TUI's
    /// confirmed toggle), and said so on screen and in the file.
    Unredacted,
}

/// What an unredacted transcript says in its comment.
pub const UNREDACTED_NOTICE: &str =
    "UNREDACTED: this transcript contains real secrets and KYC data (names, dates of birth, document and tax numbers, tokens). Do not share it.";

#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("{} already exists: a transcript is never written over a file; choose a new path", .0.display())]
    Exists(PathBuf),
    #[error("{} is a symbolic link: a transcript is never written through one", .0.display())]
    Symlink(PathBuf),
    #[error("cannot write {}: {error}", path.display())]
    Io { path: PathBuf, error: String },
    #[error("cannot read transcript {}: {error}", path.display())]
    Read { path: PathBuf, error: String },
    #[error("{} is not a rampsim HAR 1.2 transcript: {error}", path.display())]
    Invalid { path: PathBuf, error: String },
}

/// Reads a transcript written by rampsim.
pub fn read(path: &Path) -> Result<Har, TranscriptError> {
    let text = std::fs::read_to_string(path).map_err(|e| TranscriptError::Read {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    let invalid = |error: String| TranscriptError::Invalid {
        path: path.to_path_buf(),
        error,
    };
    // What kind of file it is first: a browser's HAR would otherwise be refused for the first
    // field of ours it happens to lack.
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(format!("not JSON: {e}")))?;
    if value.pointer("/log/_rampsim").is_none() {
        return Err(invalid(if value.pointer("/log/entries").is_some() {
            "a HAR file, but not one rampsim wrote: it has no `log._rampsim` section with the journey's inputs (save one with `w` in the app or `rampsim run --transcript`)".into()
        } else {
            "no `log._rampsim` section: not a HAR file rampsim wrote".into()
        }));
    }
    let har: Har = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    if har.log.version != har::HAR_VERSION {
        return Err(TranscriptError::Invalid {
            path: path.to_path_buf(),
            error: format!("log.version is {:?}, expected \"1.2\"", har.log.version),
        });
    }
    if har.log.rampsim.format != har::RAMPSIM_FORMAT {
        return Err(TranscriptError::Invalid {
            path: path.to_path_buf(),
            error: format!(
                "_rampsim.format is {}, this rampsim reads {}",
                har.log.rampsim.format,
                har::RAMPSIM_FORMAT
            ),
        });
    }
    Ok(har)
}
