//! `w`: the journey as a HAR transcript in the journeys directory. The app decides what to save
//! (a [`SaveJob`] in an effect); the event loop runs it on a blocking task, so a slow disk never
//! holds the screen, and reports back with `Action::Saved`.

use super::action::JourneyInfo;
use crate::redact::{global_redact, SharedRedactor};
use crate::transcript::{save_to_journeys_dir, Recorder, Redaction};
use std::path::PathBuf;

/// Everything needed to write one transcript, taken from the journey when `w` was pressed.
#[derive(Clone)]
pub struct SaveJob {
    pub dir: PathBuf,
    pub redaction: Redaction,
    pub journey_id: String,
    /// A stage was running when `w` was pressed: the file ends where the journey stood then.
    pub while_running: bool,
    recorder: Recorder,
    /// The journey's own redactor: it knows the tokens learnt so far.
    redactor: SharedRedactor,
}

impl SaveJob {
    pub fn new(
        dir: PathBuf,
        info: &JourneyInfo,
        redaction: Redaction,
        while_running: bool,
    ) -> SaveJob {
        SaveJob {
            dir,
            redaction,
            journey_id: info.journey_id.clone(),
            while_running,
            recorder: info.recorder.clone(),
            redactor: info.redactor.clone(),
        }
    }

    /// Writes the transcript (everything recorded so far: the journey may still be running).
    /// The error is worded for the screen and passed through the redactor, as every error
    /// message is.
    pub fn run(&self) -> Result<PathBuf, String> {
        save_to_journeys_dir(
            &self.dir,
            &self.recorder,
            &self.redactor.snapshot(),
            self.redaction,
        )
        .map_err(|e| global_redact(&e.to_string()).into_owned())
    }
}

// Effects are compared in the app's tests; the recording itself is not part of the decision.
impl PartialEq for SaveJob {
    fn eq(&self, other: &SaveJob) -> bool {
        (
            &self.dir,
            self.redaction,
            &self.journey_id,
            self.while_running,
        ) == (
            &other.dir,
            other.redaction,
            &other.journey_id,
            other.while_running,
        )
    }
}

impl std::fmt::Debug for SaveJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SaveJob")
            .field("dir", &self.dir)
            .field("redaction", &self.redaction)
            .field("journey_id", &self.journey_id)
            .field("while_running", &self.while_running)
            .finish_non_exhaustive()
    }
}

/// What the status line and the log say about a finished save; one taken while a stage ran
/// says so, as the file holds the journey only up to then.
pub fn outcome_line(
    result: &Result<PathBuf, String>,
    redaction: Redaction,
    while_running: bool,
) -> String {
    let when = if while_running {
        " (journey still running)"
    } else {
        ""
    };
    match (result, redaction) {
        (Ok(path), Redaction::Unredacted) => {
            format!("saved UNREDACTED{when} to {}", path.display())
        }
        (Ok(path), Redaction::Redacted) => format!("saved{when} to {}", path.display()),
        (Err(e), _) => format!("could not save the journey: {e}"),
    }
}
