//! The one message type of the UI: everything that can change the app's state, whether it comes
//! from the operator (keys, mouse, resize) or from background work (the journey runner, plugin
//! discovery, the clipboard). `App::update` consumes these and answers with [`Effect`]s that the
//! event loop carries out, so the state stays testable without a terminal or a runtime.

use super::plugins::PluginList;
use super::save::SaveJob;
use crate::journey::{Event, JourneySpec};
use crate::redact::SharedRedactor;
use crate::transcript::{Recorder, Redaction};
use rampsim_plugin_sdk::wire::{Manifest, Mode, Profile, Stage};
use std::path::PathBuf;

/// Something happened; `App::update` decides what it means.
pub enum Action {
    // ---- from the operator -------------------------------------------------------------
    /// `n` / Enter: run the next stage.
    RunNext,
    /// `a`: run every remaining stage.
    RunAll,
    /// `r`: run the selected stage again.
    RerunSelected,
    /// `x`: start the journey over with the same choices.
    Reset,
    /// Esc outside a popup: cancel the running stage.
    Cancel,
    OpenProviderPicker,
    OpenScenarioPicker,
    OpenProfileForm,
    /// `c`: the selected request as curl, copied where a clipboard exists.
    ShowCurl,
    /// `w`: save the journey as a HAR transcript in the journeys directory.
    Save,
    /// `U`: unredacted exports on (after a confirmation) or off.
    ToggleUnredacted,
    ShowHelp,
    /// Esc in a popup.
    ClosePopup,
    /// Enter in a popup: pick the highlighted item, apply the form, confirm.
    Confirm,
    /// A character typed into the profile form.
    Input(char),
    Backspace,
    /// Ctrl-U in the profile form: clear the field.
    ClearField,
    FocusNext,
    FocusPrev,
    FocusLeft,
    FocusRight,
    /// Move the selection (or scroll) in the focused pane or popup by this many rows.
    Move(i32),
    /// PgUp / PgDn in a picker: scroll the highlighted item's details, not the list.
    Scroll(i32),
    /// Home / End.
    MoveToStart,
    MoveToEnd,
    /// Mouse wheel at a screen position; `delta` rows (negative: up).
    ScrollAt {
        column: u16,
        row: u16,
        delta: i32,
    },
    /// Left click at a screen position.
    ClickAt {
        column: u16,
        row: u16,
    },
    Resize {
        width: u16,
        height: u16,
    },
    Quit,
    // ---- from background work ----------------------------------------------------------
    /// Periodic wake-up while a real-clock stage runs (countdowns, running durations).
    Tick,
    /// An event of the current journey.
    Journey(Box<Event>),
    Runner(RunnerReport),
    PluginsFound(PluginList),
    /// The clipboard effect finished; the text says what happened.
    Copied(String),
    /// The save effect finished: the new file, or what went wrong.
    Saved {
        result: Result<PathBuf, String>,
        redaction: Redaction,
        /// It was taken while a stage ran (see `SaveJob::while_running`).
        while_running: bool,
    },
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Runner(RunnerCommand),
    /// Scan the plugin directories (on a blocking task) and report `PluginsFound`.
    DiscoverPlugins,
    /// Put this text on the clipboard and report `Copied`.
    Copy(String),
    /// Write this transcript (on a blocking task) and report `Saved`.
    Save(SaveJob),
}

/// What the journey runner is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum RunnerCommand {
    /// Prepare a new journey (the old one, if any, is dropped). Boxed: a profile is large.
    Setup(Box<JourneyChoice>),
    RunNext,
    RunAll,
    Rerun(Stage),
    /// Cancel the running stage; nothing happens when none is running.
    Cancel,
}

/// What the operator chose for the next journey; `None` means config.toml's choice.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JourneyChoice {
    pub provider: Option<String>,
    pub scenario: Option<String>,
    /// A profile edited in the form, with the name shown for it.
    pub profile: Option<(String, Profile)>,
    /// The operator confirmed requests to a live provider.
    pub allow_live: bool,
}

/// What the runner tells the app besides the journey's own events.
pub enum RunnerReport {
    /// A new journey is being prepared (plugin, settings, sandbox session).
    Preparing { provider: String },
    /// The journey is ready; its `journey_started` event follows.
    Ready(Box<JourneyInfo>),
    /// The journey could not be prepared or started.
    SetupFailed { provider: String, message: String },
    /// The provider is configured live: the operator must confirm before anything is sent.
    LiveConfirmationNeeded { provider: String },
    /// Live mode: the engine is about to send the first request carrying KYC data and waits for
    /// the operator's answer (dropping `answer` counts as no).
    ConfirmKyc {
        request: String,
        answer: tokio::sync::oneshot::Sender<bool>,
    },
    /// The runner took a command that runs stages.
    Busy,
    /// The runner finished its command and waits. `sensitive` holds values the plugin asked to
    /// redact (tokens), for the inspector and the curl export.
    Idle { sensitive: Vec<String> },
}

/// What the app needs to know about a prepared journey.
#[derive(Clone)]
pub struct JourneyInfo {
    pub journey_id: String,
    pub manifest: Manifest,
    pub plugin_path: PathBuf,
    pub scenario: Option<String>,
    pub profile_name: String,
    pub profile: Profile,
    pub mode: Mode,
    pub virtual_clock: bool,
    /// Secret setting values: masked wherever they would be shown.
    pub secrets: Vec<String>,
    /// The journey's redactor (secrets, profile, learnt tokens): everything copied out of the
    /// app goes through it.
    pub redactor: SharedRedactor,
    /// Every event of the journey, fed by the runner's sink (not by the app, which may lag
    /// behind): what `w` saves. Cloning shares the recording.
    pub recorder: Recorder,
}

impl JourneyInfo {
    pub fn from_spec(spec: &JourneySpec) -> JourneyInfo {
        JourneyInfo {
            journey_id: spec.journey_id.clone(),
            manifest: spec.plugin.manifest.clone(),
            plugin_path: spec.plugin.path.clone(),
            scenario: spec.scenario.clone(),
            profile_name: spec.profile_name.clone(),
            profile: spec.profile.clone(),
            mode: spec.mode,
            virtual_clock: spec.clock.is_virtual(),
            secrets: spec.secrets.clone(),
            redactor: SharedRedactor::for_journey(&spec.secrets, &spec.profile),
            recorder: Recorder::new(spec),
        }
    }
}

// Secrets and KYC data must not end up in a log line through `{:?}`.
impl std::fmt::Debug for JourneyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JourneyInfo")
            .field("journey_id", &self.journey_id)
            .field("provider", &self.manifest.id)
            .field("scenario", &self.scenario)
            .field("profile_name", &self.profile_name)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}
