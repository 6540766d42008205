//! The app's state and its one update function. Everything the screen shows is here; views only
//! read it. `update` never blocks and never touches the terminal: it returns [`Effect`]s.

use super::action::{Action, Effect, JourneyChoice, JourneyInfo, RunnerCommand, RunnerReport};
use super::curl::curl_command;
use super::form::ProfileForm;
use super::journey_state::{Exchange, JourneyState};
use super::keys::InputMode;
use super::out_of_order::{self, Gap};
use super::plugins::PluginList;
use super::redact::screen_redactor;
use super::save::{outcome_line, SaveJob};
use super::view;
use crate::headless::{human_line, outcome_lines};
use crate::host::Host;
use crate::journey::Event;
use crate::redact::Redactor;
use crate::transcript::Redaction;
use rampsim_plugin_sdk::wire::{LogLevel, Manifest, Mode, Stage};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::Instant;

/// The log pane keeps this many lines.
const LOG_LINES: usize = 1_000;

/// What the app knows before any plugin is loaded: enough for the first frame.
#[derive(Debug, Clone)]
pub struct AppInit {
    pub provider: String,
    pub profile: String,
    pub scenario: Option<String>,
    pub mode: Mode,
    pub log_file: PathBuf,
    pub config_path: PathBuf,
    /// Where `w` saves transcripts (config.toml's `journeys_dir`).
    pub journeys_dir: PathBuf,
    /// The providers whose `[providers.ID]` names a profile other than `profile`.
    pub provider_profiles: std::collections::HashMap<String, String>,
}

impl AppInit {
    /// The profile a journey with `provider` starts on.
    pub fn profile_for(&self, provider: &str) -> &str {
        self.provider_profiles
            .get(provider)
            .map_or(self.profile.as_str(), String::as_str)
    }
}

impl AppInit {
    pub fn from_host(host: &Host) -> AppInit {
        let app = &host.config.app;
        let provider = host.config.provider(&app.provider);
        let absolute = |p: &PathBuf| {
            if p.is_absolute() {
                p.clone()
            } else {
                std::env::current_dir()
                    .map(|d| d.join(p))
                    .unwrap_or_else(|_| p.clone())
            }
        };
        AppInit {
            provider: app.provider.clone(),
            profile: app.profile.clone(),
            scenario: provider.scenario.clone(),
            mode: provider.mode,
            log_file: absolute(&app.log_file),
            config_path: absolute(&host.config.path),
            journeys_dir: absolute(&app.journeys_dir),
            provider_profiles: host
                .config
                .providers
                .iter()
                .filter_map(|(id, p)| Some((id.clone(), p.profile.clone()?)))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Stages,
    Exchanges,
    Inspector,
    Log,
}

impl Pane {
    const TAB_ORDER: [Pane; 4] = [Pane::Stages, Pane::Exchanges, Pane::Inspector, Pane::Log];

    fn cycle(self, delta: i32) -> Pane {
        let i = Self::TAB_ORDER.iter().position(|p| *p == self).unwrap_or(0) as i32;
        Self::TAB_ORDER[(i + delta).rem_euclid(4) as usize]
    }

    /// Stages and log are on the left, exchanges and inspector on the right.
    fn left(self) -> Pane {
        match self {
            Pane::Exchanges => Pane::Stages,
            Pane::Inspector => Pane::Log,
            p => p,
        }
    }

    fn right(self) -> Pane {
        match self {
            Pane::Stages => Pane::Exchanges,
            Pane::Log => Pane::Inspector,
            p => p,
        }
    }
}

/// Where the journey's preparation stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Setup {
    /// Nothing asked yet (the first frame).
    Starting,
    Preparing {
        provider: String,
    },
    Ready,
    Failed(String),
    AwaitingLiveConfirmation,
}

pub enum Popup {
    Help,
    Providers {
        selected: usize,
        /// Rows the details are scrolled (PgUp PgDn): a plugin's details are longer than the
        /// popup on a small terminal. Back to the top when another row is chosen.
        scroll: usize,
    },
    Scenarios {
        selected: usize,
    },
    Profile(Box<ProfileForm>),
    Curl {
        command: String,
        note: String,
        /// False when copied with unredacted exports on: the title says so.
        redacted: bool,
        /// Rows scrolled (↑↓ PgUp PgDn): a long body does not fit the popup.
        scroll: usize,
    },
    /// `w` finished: where the file is, or why there is none.
    Saved {
        result: Result<PathBuf, String>,
        redaction: Redaction,
        /// Taken while a stage ran: the file ends where the journey stood then.
        while_running: bool,
    },
    /// `U`: real values are about to be allowed out; asks first.
    ConfirmUnredacted,
    /// `r` on a stage whose earlier stages have not all run (or not ended done): asks first.
    ConfirmOutOfOrder {
        stage: Stage,
        gaps: Vec<Gap>,
    },
    ConfirmLive {
        provider: String,
    },
    /// Live mode: the first request with KYC data waits for a yes.
    ConfirmKyc {
        request: String,
        answer: Option<tokio::sync::oneshot::Sender<bool>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub level: LogLevel,
    pub text: String,
}

pub struct App {
    pub init: AppInit,
    /// The time of the action being handled (set by the event loop; fixed in tests).
    pub now: Instant,
    pub width: u16,
    pub height: u16,
    pub setup: Setup,
    pub info: Option<JourneyInfo>,
    pub journey: JourneyState,
    pub choice: JourneyChoice,
    pub plugins: Option<PluginList>,
    /// The runner is working on a command that runs stages.
    pub busy: bool,
    pub focus: Pane,
    pub selected_stage: Stage,
    /// Index into the selected stage's exchanges.
    pub selected_exchange: usize,
    /// Selection follows the running stage and newest request until the operator moves it.
    pub follow: bool,
    pub inspector_scroll: usize,
    pub log: VecDeque<LogLine>,
    /// Lines scrolled up from the newest.
    pub log_scroll: usize,
    pub popup: Option<Popup>,
    /// Masks credentials on screen (see `redact::screen_redactor`).
    pub redactor: Redactor,
    /// `U` confirmed: `w` and `c` export real secrets and KYC values until `U` again.
    pub unredacted: bool,
    /// What the status line says instead of its usual hint (the last save), until a stage
    /// runs or a new journey starts.
    pub status: Option<LogLine>,
    /// The journey a new setup replaced, when it had run stages: `w` saves it until the new
    /// one is ready, so switching provider or resetting loses nothing unsaved.
    pub previous: Option<JourneyInfo>,
    /// Profiles edited with `e`, by the name of the profile edited: a provider that starts on
    /// that profile gets the edit, one configured with another profile starts on its own.
    pub edited: std::collections::HashMap<String, (String, rampsim_plugin_sdk::wire::Profile)>,
    /// The chosen provider asked for the live confirmation: it is configured live.
    pub live_chosen: bool,
    pub should_quit: bool,
    dirty: bool,
}

impl App {
    pub fn new(init: AppInit, width: u16, height: u16) -> App {
        App {
            init,
            now: Instant::now(),
            width,
            height,
            setup: Setup::Starting,
            info: None,
            journey: JourneyState::default(),
            choice: JourneyChoice::default(),
            plugins: None,
            busy: false,
            focus: Pane::Stages,
            selected_stage: Stage::Register,
            selected_exchange: 0,
            follow: true,
            inspector_scroll: 0,
            log: VecDeque::new(),
            log_scroll: 0,
            popup: None,
            redactor: Redactor::new(),
            unredacted: false,
            status: None,
            previous: None,
            edited: std::collections::HashMap::new(),
            live_chosen: false,
            should_quit: false,
            dirty: true,
        }
    }

    /// What to do once the first frame is on screen: find the plugins and prepare a journey.
    pub fn start(&mut self) -> Vec<Effect> {
        self.note(
            LogLevel::Info,
            "looking for plugins and preparing a journey…".into(),
        );
        vec![
            Effect::DiscoverPlugins,
            Effect::Runner(RunnerCommand::Setup(Box::new(self.choice.clone()))),
        ]
    }

    /// Whether something changed since the last frame; clears the flag.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// The screen has everything the start needed: plugins found and a journey ready (or a
    /// reason why not).
    pub fn filled_in(&self) -> bool {
        self.plugins.is_some() && !matches!(self.setup, Setup::Starting | Setup::Preparing { .. })
    }

    /// Periodic redraws are needed only while a real-clock stage runs.
    pub fn wants_ticks(&self) -> bool {
        self.busy && self.info.as_ref().is_some_and(|i| !i.virtual_clock)
    }

    /// Too small for the panes (0x0 included): the screen says so and shows nothing else.
    fn too_small(&self) -> bool {
        view::Panes::compute(self.width, self.height).is_none()
    }

    pub fn input_mode(&self) -> InputMode {
        if view::Panes::compute(self.width, self.height).is_none() && self.width > 0 {
            return InputMode::TooSmall;
        }
        match &self.popup {
            None => InputMode::Main,
            Some(Popup::Providers { .. } | Popup::Scenarios { .. }) => InputMode::Picker,
            Some(Popup::Profile(_)) => InputMode::Form,
            Some(Popup::Help | Popup::Curl { .. } | Popup::Saved { .. }) => InputMode::Reading,
            Some(
                Popup::ConfirmLive { .. }
                | Popup::ConfirmKyc { .. }
                | Popup::ConfirmUnredacted
                | Popup::ConfirmOutOfOrder { .. },
            ) => InputMode::Confirm,
        }
    }

    pub fn provider(&self) -> &str {
        match (&self.info, &self.choice.provider) {
            (Some(i), _) => &i.manifest.id,
            (None, Some(p)) => p,
            (None, None) => &self.init.provider,
        }
    }

    /// The badge: the mode of the journey on screen, else of the chosen provider.
    pub fn mode(&self) -> Mode {
        if let Some(mode) = self.journey.mode.or(self.info.as_ref().map(|i| i.mode)) {
            return mode;
        }
        if self.live_chosen {
            Mode::Live
        } else if self.provider() == self.init.provider {
            self.init.mode
        } else {
            Mode::Sandbox
        }
    }

    /// The manifest of the chosen provider, from the journey or from discovery.
    pub fn manifest(&self) -> Option<&Manifest> {
        match &self.info {
            Some(i) if i.manifest.id == self.provider() => Some(&i.manifest),
            _ => self
                .plugins
                .as_ref()
                .and_then(|p| p.manifest(self.provider())),
        }
    }

    pub fn stage_exchanges(&self) -> Vec<&Exchange> {
        self.journey.exchanges_of(self.selected_stage).collect()
    }

    pub fn selected_exchange(&self) -> Option<&Exchange> {
        self.journey
            .exchanges_of(self.selected_stage)
            .nth(self.selected_exchange)
    }

    pub fn can_run(&self) -> bool {
        self.setup == Setup::Ready && !self.busy
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        self.dirty = true;
        match action {
            Action::Tick => {
                self.dirty = self.wants_ticks();
                Vec::new()
            }
            Action::Resize { width, height } => {
                self.width = width;
                self.height = height;
                Vec::new()
            }
            Action::Quit => {
                self.should_quit = true;
                Vec::new()
            }
            Action::Journey(event) => {
                self.on_event(&event);
                Vec::new()
            }
            Action::Runner(report) => {
                self.on_report(report);
                Vec::new()
            }
            Action::PluginsFound(list) => {
                self.on_plugins(list);
                Vec::new()
            }
            Action::Copied(note) => {
                tracing::info!("{note}");
                if let Some(Popup::Curl { note: shown, .. }) = &mut self.popup {
                    *shown = note.clone();
                }
                self.note(LogLevel::Info, note);
                Vec::new()
            }
            Action::Saved {
                result,
                redaction,
                while_running,
            } => {
                self.on_saved(result, redaction, while_running);
                Vec::new()
            }
            // The "too small" screen hides what a click or the wheel would change.
            Action::ScrollAt { .. } | Action::ClickAt { .. } if self.too_small() => Vec::new(),
            Action::ScrollAt { column, row, delta } => self.scroll_at(column, row, delta),
            Action::ClickAt { column, row } => self.click_at(column, row),
            other if self.popup.is_some() => self.update_popup(other),
            other => self.update_main(other),
        }
    }

    fn update_main(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::RunNext | Action::RunAll => {
                if !self.ready_to_run() {
                    return Vec::new();
                }
                if self.journey.next_stage().is_none() {
                    self.note(
                        LogLevel::Info,
                        "the journey has finished: r re-runs the selected stage, x starts a new journey".into(),
                    );
                    return Vec::new();
                }
                let command = if matches!(action, Action::RunAll) {
                    RunnerCommand::RunAll
                } else {
                    RunnerCommand::RunNext
                };
                self.start_running(command)
            }
            Action::RerunSelected => {
                if !self.ready_to_run() {
                    return Vec::new();
                }
                let stage = self.selected_stage;
                let gaps = out_of_order::gaps_before(&self.journey, stage);
                if !gaps.is_empty() {
                    self.popup = Some(Popup::ConfirmOutOfOrder { stage, gaps });
                    return Vec::new();
                }
                self.start_running(RunnerCommand::Rerun(stage))
            }
            Action::Reset => self.new_journey(),
            Action::Cancel if self.busy => {
                self.note(LogLevel::Warn, "cancelling the running stage…".into());
                vec![Effect::Runner(RunnerCommand::Cancel)]
            }
            Action::OpenProviderPicker => {
                let selected = self
                    .plugins
                    .as_ref()
                    .and_then(|l| {
                        l.plugins
                            .iter()
                            .position(|p| p.manifest.id == self.provider())
                    })
                    .unwrap_or(0);
                self.popup = Some(Popup::Providers {
                    selected,
                    scroll: 0,
                });
                Vec::new()
            }
            Action::OpenScenarioPicker => {
                let Some(m) = self.manifest() else {
                    self.note(
                        LogLevel::Warn,
                        "no scenarios known yet: the plugin is still loading".into(),
                    );
                    return Vec::new();
                };
                let current = self.current_scenario();
                let selected = m
                    .scenarios
                    .iter()
                    .position(|s| Some(&s.name) == current.as_ref())
                    .unwrap_or(0);
                self.popup = Some(Popup::Scenarios { selected });
                Vec::new()
            }
            Action::OpenProfileForm => {
                let form = match (&self.choice.profile, &self.info) {
                    (Some((name, p)), _) => ProfileForm::new(name, p.clone()),
                    (None, Some(info)) => {
                        ProfileForm::new(&info.profile_name, info.profile.clone())
                    }
                    (None, None) => {
                        self.note(LogLevel::Warn, "no profile loaded yet".into());
                        return Vec::new();
                    }
                };
                self.popup = Some(Popup::Profile(Box::new(form)));
                Vec::new()
            }
            Action::ShowCurl => self.show_curl(),
            Action::Save => self.save(),
            Action::ToggleUnredacted => {
                if self.unredacted {
                    self.unredacted = false;
                    self.tell(
                        LogLevel::Info,
                        "unredacted exports off: w and c mask secrets and KYC values again".into(),
                    );
                } else {
                    self.popup = Some(Popup::ConfirmUnredacted);
                }
                Vec::new()
            }
            Action::ShowHelp => {
                self.popup = Some(Popup::Help);
                Vec::new()
            }
            Action::FocusNext => self.focus_on(self.focus.cycle(1)),
            Action::FocusPrev => self.focus_on(self.focus.cycle(-1)),
            Action::FocusLeft => self.focus_on(self.focus.left()),
            Action::FocusRight => self.focus_on(self.focus.right()),
            Action::Move(delta) => {
                self.move_in(self.focus, delta);
                Vec::new()
            }
            Action::MoveToStart => {
                self.move_in(self.focus, i32::MIN / 2);
                Vec::new()
            }
            Action::MoveToEnd => {
                self.move_in(self.focus, i32::MAX / 2);
                Vec::new()
            }
            _ => {
                self.dirty = false;
                Vec::new()
            }
        }
    }

    fn update_popup(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::ClosePopup if matches!(self.popup, Some(Popup::ConfirmUnredacted)) => {
                self.popup = None;
                self.note(LogLevel::Info, "exports stay redacted".into());
            }
            Action::ClosePopup if matches!(self.popup, Some(Popup::ConfirmOutOfOrder { .. })) => {
                if let Some(Popup::ConfirmOutOfOrder { stage, .. }) = self.popup.take() {
                    self.note(LogLevel::Info, format!("{stage} not run"));
                }
            }
            Action::ClosePopup => {
                if let Some(Popup::ConfirmKyc {
                    answer: Some(answer),
                    request,
                }) = self.popup.take()
                {
                    self.note(LogLevel::Warn, format!("not sent: {request}"));
                    let _ = answer.send(false);
                }
            }
            Action::Confirm => return self.confirm_popup(),
            Action::Quit => self.should_quit = true,
            Action::ShowCurl if matches!(self.popup, Some(Popup::Help | Popup::Curl { .. })) => {
                self.popup = None;
                return self.show_curl();
            }
            Action::Move(delta) => self.move_in_popup(delta),
            Action::Scroll(delta) => self.scroll_popup(delta),
            Action::MoveToStart => self.move_in_popup(i32::MIN / 2),
            Action::MoveToEnd => self.move_in_popup(i32::MAX / 2),
            Action::Input(c) => self.edit_form(|s| s.push(c)),
            Action::Backspace => self.edit_form(|s| {
                s.pop();
            }),
            Action::ClearField => self.edit_form(String::clear),
            _ => self.dirty = false,
        }
        Vec::new()
    }

    fn popup_list_len(&self) -> usize {
        match &self.popup {
            Some(Popup::Providers { .. }) => self.plugins.as_ref().map_or(0, PluginList::len),
            Some(Popup::Scenarios { .. }) => self.manifest().map_or(0, |m| m.scenarios.len()),
            _ => 0,
        }
    }

    fn move_in_popup(&mut self, delta: i32) {
        let len = self.popup_list_len();
        match &mut self.popup {
            Some(Popup::Providers { selected, scroll }) => {
                let to = step(*selected, delta, len);
                if to != *selected {
                    *selected = to;
                    *scroll = 0;
                }
            }
            Some(Popup::Scenarios { selected }) => *selected = step(*selected, delta, len),
            Some(Popup::Profile(form)) => form.move_by(delta),
            // From where the view stopped it: a taller or wider terminal lowers the end, and
            // a page up from the old end would not move what is shown.
            Some(Popup::Curl {
                scroll, command, ..
            }) => {
                let area = ratatui::layout::Rect::new(0, 0, self.width, self.height);
                let max = view::popup::curl_max_scroll(command, area);
                *scroll = (*scroll)
                    .min(max)
                    .saturating_add_signed(delta as isize)
                    .min(max);
            }
            _ => self.dirty = false,
        }
    }

    /// PgUp PgDn in a picker: the provider's details scroll; the scenario picker's details fit,
    /// so there they page the list as they always did.
    fn scroll_popup(&mut self, delta: i32) {
        if self.too_small() {
            return;
        }
        let area = ratatui::layout::Rect::new(0, 0, self.width, self.height);
        match &self.popup {
            Some(Popup::Providers { selected, scroll }) => {
                let max = view::picker::provider_max_scroll(self, *selected, area);
                // From where the view stopped it (a resize can lower the end).
                let to = (*scroll)
                    .min(max)
                    .saturating_add_signed(delta as isize)
                    .min(max);
                self.dirty = to != *scroll;
                if let Some(Popup::Providers { scroll, .. }) = &mut self.popup {
                    *scroll = to;
                }
            }
            _ => self.move_in_popup(delta),
        }
    }

    fn edit_form(&mut self, change: impl FnOnce(&mut String)) {
        match &mut self.popup {
            Some(Popup::Profile(form)) => form.edit(change),
            _ => self.dirty = false,
        }
    }

    fn confirm_popup(&mut self) -> Vec<Effect> {
        match self.popup.take() {
            Some(Popup::Providers { selected, scroll }) => {
                let Some(list) = &self.plugins else {
                    self.popup = Some(Popup::Providers { selected, scroll });
                    return Vec::new();
                };
                match list.plugins.get(selected) {
                    Some(p) => {
                        let id = p.manifest.id.clone();
                        let current = self.provider().to_string();
                        if id == current && self.info.is_some() {
                            // Nothing to switch to: the journey on screen stays.
                            self.note(
                                LogLevel::Info,
                                format!("already on {id} (x starts a new journey)"),
                            );
                            return Vec::new();
                        }
                        // The profile is the user's, not the provider's: an edit goes along
                        // to a provider that starts on the profile edited; one configured with
                        // another profile starts on its own (and gets back its edit, if any).
                        let profile = self.init.profile_for(&id).to_string();
                        let leaving = self.choice.profile.take();
                        self.choice.profile = self.edited.get(&profile).cloned();
                        match (&self.choice.profile, leaving) {
                            (Some((name, _)), _) => {
                                self.note(LogLevel::Info, format!("profile {name} kept for {id}"))
                            }
                            (None, Some((name, _))) => self.note(
                                LogLevel::Info,
                                format!("{id} starts on its configured profile {profile}; {name} is kept for the providers that start on it"),
                            ),
                            (None, None) => {}
                        }
                        self.choice.provider = Some(id);
                        self.choice.scenario = None;
                        self.choice.allow_live = false;
                        self.live_chosen = false;
                        self.new_journey()
                    }
                    None => {
                        // A library that failed to load: keep the picker open to read why.
                        self.popup = Some(Popup::Providers { selected, scroll });
                        self.dirty = false;
                        Vec::new()
                    }
                }
            }
            Some(Popup::Scenarios { selected }) => {
                match self
                    .manifest()
                    .and_then(|m| m.scenarios.get(selected))
                    .map(|s| s.name.clone())
                {
                    Some(name) => {
                        self.choice.scenario = Some(name);
                        self.new_journey()
                    }
                    None => Vec::new(),
                }
            }
            Some(Popup::Profile(mut form)) => {
                if !form.problems.is_empty() {
                    let n = form.problems.len();
                    form.refused = Some(format!(
                        "{n} field{} to fix before this profile can be used",
                        if n == 1 { "" } else { "s" }
                    ));
                    self.popup = Some(Popup::Profile(form));
                    return Vec::new();
                }
                if !form.changed {
                    return Vec::new();
                }
                let name = format!("{} (edited)", form.name);
                self.note(
                    LogLevel::Info,
                    format!("profile {name} applied: starting a new journey"),
                );
                self.edited
                    .insert(form.name.clone(), (name.clone(), form.profile.clone()));
                self.choice.profile = Some((name, form.profile));
                self.new_journey()
            }
            Some(Popup::ConfirmLive { provider }) => {
                self.note(
                    LogLevel::Warn,
                    format!("sending real requests to {provider} (LIVE)"),
                );
                self.choice.allow_live = true;
                self.new_journey()
            }
            Some(Popup::ConfirmUnredacted) => {
                self.unredacted = true;
                tracing::warn!("unredacted exports turned on by the operator");
                self.tell(
                    LogLevel::Warn,
                    "UNREDACTED exports on: w and c write real KYC values and secrets (U turns it off)"
                        .into(),
                );
                Vec::new()
            }
            Some(Popup::ConfirmOutOfOrder { stage, gaps }) => {
                if !self.ready_to_run() {
                    return Vec::new();
                }
                let line = out_of_order::log_line(stage, &gaps);
                tracing::warn!("{line}");
                self.note(LogLevel::Warn, line);
                self.start_running(RunnerCommand::Rerun(stage))
            }
            Some(Popup::ConfirmKyc { request, answer }) => {
                self.note(
                    LogLevel::Warn,
                    format!("sending KYC data to the LIVE provider: {request}"),
                );
                if let Some(answer) = answer {
                    let _ = answer.send(true);
                }
                Vec::new()
            }
            Some(Popup::Help | Popup::Curl { .. } | Popup::Saved { .. }) | None => Vec::new(),
        }
    }

    fn ready_to_run(&mut self) -> bool {
        if self.busy {
            self.note(LogLevel::Warn, "a stage is running: Esc cancels it".into());
            return false;
        }
        match &self.setup {
            Setup::Ready => true,
            Setup::Failed(_) => {
                self.note(
                    LogLevel::Warn,
                    "no journey: fix the problem above, or pick another provider (p) or profile (e)".into(),
                );
                false
            }
            _ => {
                self.note(LogLevel::Info, "the journey is still being prepared".into());
                false
            }
        }
    }

    fn start_running(&mut self, command: RunnerCommand) -> Vec<Effect> {
        self.busy = true;
        self.follow = true;
        self.status = None;
        vec![Effect::Runner(command)]
    }

    /// A new journey with the current choices, cancelling a running stage first.
    fn new_journey(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.busy {
            effects.push(Effect::Runner(RunnerCommand::Cancel));
        }
        self.follow = true;
        effects.push(Effect::Runner(RunnerCommand::Setup(Box::new(
            self.choice.clone(),
        ))));
        effects
    }

    pub fn current_scenario(&self) -> Option<String> {
        match &self.info {
            Some(i) if i.manifest.id == self.provider() => i.scenario.clone(),
            _ => self.choice.scenario.clone().or_else(|| {
                (self.provider() == self.init.provider)
                    .then(|| self.init.scenario.clone())
                    .flatten()
            }),
        }
    }

    pub fn profile_name(&self) -> &str {
        match (&self.choice.profile, &self.info) {
            (Some((name, _)), _) => name,
            (None, Some(i)) => &i.profile_name,
            // Before the journey is ready: the profile the chosen provider starts on.
            (None, None) => self.init.profile_for(self.provider()),
        }
    }

    fn show_curl(&mut self) -> Vec<Effect> {
        let Some(x) = self.selected_exchange() else {
            self.note(
                LogLevel::Info,
                "no request selected: pick a stage with requests".into(),
            );
            return Vec::new();
        };
        // What leaves the app goes through the journey's redactor (secrets and KYC values),
        // unless the operator confirmed unredacted exports.
        let command = match (&self.info, self.unredacted) {
            (_, true) => curl_command(x, None),
            (Some(info), false) => curl_command(x, Some(&|s: &str| info.redactor.redact_str(s))),
            (None, false) => curl_command(x, Some(&|s: &str| self.redactor.redact_str(s))),
        };
        if self.unredacted {
            tracing::warn!("curl command copied UNREDACTED");
            self.note(
                LogLevel::Warn,
                "curl UNREDACTED: it carries real secrets and KYC data".into(),
            );
        }
        self.popup = Some(Popup::Curl {
            command: command.clone(),
            note: "copying…".into(),
            redacted: !self.unredacted,
            scroll: 0,
        });
        vec![Effect::Copy(command)]
    }

    /// `w`: asks the event loop to write what the journey recorded so far.
    fn save(&mut self) -> Vec<Effect> {
        let redaction = if self.unredacted {
            Redaction::Unredacted
        } else {
            Redaction::Redacted
        };
        // The journey on screen, or the one a new setup replaced (kept only if stages ran).
        let (info, previous) = match (&self.setup, &self.info, &self.previous) {
            (Setup::Ready, Some(info), _) => (info, false),
            (_, None, Some(previous)) => (previous, true),
            _ => {
                self.tell(
                    LogLevel::Warn,
                    "nothing to save: no journey is ready yet".into(),
                );
                return Vec::new();
            }
        };
        if !previous && self.journey.stages.iter().all(|s| s.runs == 0) {
            self.tell(
                LogLevel::Warn,
                "nothing to save yet: no stage has run (n runs the next stage)".into(),
            );
            return Vec::new();
        }
        // The previous journey was let go: nothing runs in it any more.
        let while_running = self.busy && !previous;
        let job = SaveJob::new(
            self.init.journeys_dir.clone(),
            info,
            redaction,
            while_running,
        );
        if previous {
            let line = format!(
                "saving the previous journey ({} · {}): no new one is ready yet",
                info.manifest.id, info.profile_name
            );
            self.note(LogLevel::Info, line);
        }
        vec![Effect::Save(job)]
    }

    fn on_saved(
        &mut self,
        result: Result<PathBuf, String>,
        redaction: Redaction,
        while_running: bool,
    ) {
        let line = outcome_line(&result, redaction, while_running);
        let level = match (&result, redaction) {
            (Err(_), _) => LogLevel::Error,
            (Ok(_), Redaction::Unredacted) => LogLevel::Warn,
            (Ok(_), Redaction::Redacted) => LogLevel::Info,
        };
        match level {
            LogLevel::Error => tracing::error!("{line}"),
            LogLevel::Warn => tracing::warn!("{line}"),
            _ => tracing::info!("{line}"),
        }
        if while_running && self.journey.finished.is_some() {
            // The journey ended while the file was written: the status line keeps its outcome.
            self.note(level, line);
        } else {
            self.tell(level, line);
        }
        // A question waiting for an answer (live KYC) or a form being edited keeps the screen;
        // the status line and the log still say what happened.
        if self.popup.is_none() {
            self.popup = Some(Popup::Saved {
                result,
                redaction,
                while_running,
            });
        }
    }

    /// A line in the log pane that the status line shows too.
    fn tell(&mut self, level: LogLevel, text: String) {
        self.status = Some(LogLine {
            level,
            text: text.clone(),
        });
        self.note(level, text);
    }

    fn focus_on(&mut self, pane: Pane) -> Vec<Effect> {
        self.dirty = pane != self.focus;
        self.focus = pane;
        Vec::new()
    }

    fn move_in(&mut self, pane: Pane, delta: i32) {
        match pane {
            Pane::Stages => {
                let i = step(self.selected_stage.index(), delta, Stage::ALL.len());
                self.select_stage(Stage::ALL[i]);
            }
            Pane::Exchanges => {
                let len = self.journey.exchanges_of(self.selected_stage).count();
                self.follow = false;
                self.selected_exchange = step(self.selected_exchange, delta, len);
                self.inspector_scroll = 0;
            }
            Pane::Inspector => {
                let len = self
                    .selected_exchange()
                    .map_or(0, view::inspector::line_count);
                self.inspector_scroll = step(self.inspector_scroll, delta, len);
            }
            Pane::Log => {
                // Up goes back in time: the scroll counts lines up from the newest, and stops
                // with the oldest line at the top of a full pane. From where the view stopped
                // it (a resize can lower the end), so Down moves at once.
                let max = view::Panes::compute(self.width, self.height)
                    .map_or(0, |p| view::log::max_scroll(self, p.log));
                self.log_scroll = self
                    .log_scroll
                    .min(max)
                    .saturating_add_signed(-delta as isize)
                    .min(max);
            }
        }
    }

    fn select_stage(&mut self, stage: Stage) {
        self.follow = false;
        if stage != self.selected_stage {
            self.selected_stage = stage;
            self.selected_exchange = 0;
            self.inspector_scroll = 0;
        }
    }

    fn scroll_at(&mut self, column: u16, row: u16, delta: i32) -> Vec<Effect> {
        let area = ratatui::layout::Rect::new(0, 0, self.width, self.height);
        if matches!(self.popup, Some(Popup::Providers { .. }))
            && view::picker::in_details(area, column, row)
        {
            // Text scrolls a few lines a notch, as in the panes.
            return self.update_popup(Action::Scroll(delta * 3));
        }
        if self.popup.is_some() {
            return self.update_popup(Action::Move(delta));
        }
        match view::Panes::compute(self.width, self.height).and_then(|p| p.hit(column, row)) {
            // Text panes scroll a few lines a notch; lists move one item.
            Some(pane @ (Pane::Inspector | Pane::Log)) => self.move_in(pane, delta * 3),
            Some(pane) => self.move_in(pane, delta),
            None => self.dirty = false,
        }
        Vec::new()
    }

    fn click_at(&mut self, column: u16, row: u16) -> Vec<Effect> {
        if self.popup.is_some() {
            return self.click_in_popup(column, row);
        }
        let Some(panes) = view::Panes::compute(self.width, self.height) else {
            return Vec::new();
        };
        let Some(pane) = panes.hit(column, row) else {
            self.dirty = false;
            return Vec::new();
        };
        self.focus = pane;
        match pane {
            Pane::Stages => {
                if let Some(i) = view::stages::row_at(panes.stages, row) {
                    self.select_stage(Stage::ALL[i]);
                }
            }
            Pane::Exchanges => {
                let len = self.journey.exchanges_of(self.selected_stage).count();
                if let Some(i) =
                    view::exchanges::row_at(panes.exchanges, row, self.selected_exchange, len)
                {
                    self.follow = false;
                    self.selected_exchange = i;
                    self.inspector_scroll = 0;
                }
            }
            Pane::Inspector | Pane::Log => {}
        }
        Vec::new()
    }

    fn click_in_popup(&mut self, column: u16, row: u16) -> Vec<Effect> {
        let area = ratatui::layout::Rect::new(0, 0, self.width, self.height);
        let len = self.popup_list_len();
        let moved = match &self.popup {
            Some(Popup::Providers { selected, .. } | Popup::Scenarios { selected }) => {
                view::picker::row_at(area, column, row, *selected, len)
                    .map(|i| i as i32 - *selected as i32)
            }
            _ => None,
        };
        if let Some(delta) = moved {
            self.move_in_popup(delta);
        }
        Vec::new()
    }

    fn on_event(&mut self, event: &Event) {
        self.journey.apply(event, self.now);
        match event {
            Event::StageStarted { stage, .. } if self.follow => {
                self.selected_stage = *stage;
                self.selected_exchange = 0;
                self.inspector_scroll = 0;
            }
            Event::RequestSent { stage, .. } if self.follow && *stage == self.selected_stage => {
                self.selected_exchange =
                    self.journey.exchanges_of(*stage).count().saturating_sub(1);
                self.inspector_scroll = 0;
            }
            Event::JourneyFinished { finished, .. } => {
                tracing::info!(outcome = %finished.outcome, "journey finished: {}", finished.message);
                // The outcome is the news now: a notice from mid-run (a save) stays in the log.
                self.status = None;
            }
            _ => {}
        }
        let level = match event {
            Event::Log { level, .. } => *level,
            Event::RequestFailed { .. } => LogLevel::Warn,
            Event::StageFinished {
                state: crate::journey::StageState::Failed,
                ..
            } => LogLevel::Error,
            _ => LogLevel::Info,
        };
        let text = match event {
            // Requests and responses have their own pane.
            Event::RequestSent { .. } | Event::ResponseReceived { .. } => None,
            Event::Log { message, .. } => Some(message.clone()),
            Event::JourneyFinished { finished, .. } => {
                Some(outcome_lines(finished, &self.journey.outcome_kyc(finished)))
            }
            e => human_line(e),
        };
        for line in text.iter().flat_map(|t| t.lines()) {
            self.note(level, line.trim_start().to_string());
        }
    }

    fn on_report(&mut self, report: RunnerReport) {
        match report {
            RunnerReport::Preparing { provider } => {
                self.let_journey_go();
                self.setup = Setup::Preparing { provider };
            }
            RunnerReport::Ready(info) => {
                self.journey = JourneyState::from_info(&info);
                self.status = None;
                self.redactor = screen_redactor(&info.secrets);
                self.selected_stage = Stage::Register;
                self.selected_exchange = 0;
                self.inspector_scroll = 0;
                self.setup = Setup::Ready;
                self.previous = None;
                self.note(
                    LogLevel::Info,
                    format!(
                        "ready: {} {} · scenario {} · profile {} — n runs the next stage, a runs them all",
                        info.manifest.id,
                        info.manifest.version,
                        info.scenario.as_deref().unwrap_or("-"),
                        info.profile_name
                    ),
                );
                self.info = Some(*info);
            }
            RunnerReport::SetupFailed { provider, message } => {
                tracing::warn!(%provider, "journey setup failed: {message}");
                // The screen shows messages unredacted: only the identifiers' marks go.
                let message = crate::redact::unmarked(&message).into_owned();
                self.busy = false;
                self.note(LogLevel::Error, format!("{provider}: {message}"));
                // The status line says why, not what it said before.
                self.status = None;
                self.setup = Setup::Failed(message);
            }
            RunnerReport::LiveConfirmationNeeded { provider } => {
                // Sent instead of `Preparing`: the runner has let the journey go all the same.
                self.let_journey_go();
                self.live_chosen = true;
                self.setup = Setup::AwaitingLiveConfirmation;
                self.popup = Some(Popup::ConfirmLive { provider });
            }
            RunnerReport::ConfirmKyc { request, answer } => {
                // Whatever popup was open, this question matters more; a replaced question
                // (none is expected) counts as no.
                self.popup = Some(Popup::ConfirmKyc {
                    request,
                    answer: Some(answer),
                });
            }
            RunnerReport::Busy => self.busy = true,
            RunnerReport::Idle { sensitive } => {
                self.busy = false;
                for token in &sensitive {
                    self.redactor.add_secret(token);
                }
            }
        }
    }

    /// The runner has let the journey on screen go (a new one is being set up): the screen
    /// shows the one coming, and `w` can still save the old one until the new one is ready.
    fn let_journey_go(&mut self) {
        if let Some(old) = self.info.take() {
            if self.journey.stages.iter().any(|s| s.runs > 0) {
                self.previous = Some(old);
            }
        }
        self.journey = JourneyState::default();
        self.status = None;
    }

    fn on_plugins(&mut self, list: PluginList) {
        let n = list.plugins.len();
        let ids: Vec<&str> = list
            .plugins
            .iter()
            .map(|p| p.manifest.id.as_str())
            .collect();
        let text = match n {
            0 => {
                let dirs: Vec<String> = list
                    .searched
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect();
                if dirs.is_empty() {
                    "no plugins found".to_string()
                } else {
                    format!("no plugins found (searched: {})", dirs.join(", "))
                }
            }
            1 => format!("found 1 plugin: {}", ids[0]),
            _ => format!("found {n} plugins: {}", ids.join(", ")),
        };
        tracing::info!(failed = list.failed.len(), "{text}");
        self.note(
            if n == 0 {
                LogLevel::Warn
            } else {
                LogLevel::Info
            },
            text,
        );
        for f in &list.failed {
            self.note(LogLevel::Warn, format!("plugin failed to load: {}", f.why));
        }
        self.plugins = Some(list);
    }

    /// A line in the log pane.
    pub fn note(&mut self, level: LogLevel, text: String) {
        if self.log.len() == LOG_LINES {
            self.log.pop_front();
        }
        self.log.push_back(LogLine { level, text });
        if self.log_scroll > 0 {
            // Keep the lines the operator is reading in place.
            self.log_scroll = (self.log_scroll + 1).min(self.log.len().saturating_sub(1));
        }
        self.dirty = true;
    }

    /// The keys that do something right now, for the footer: (key, what it does).
    pub fn key_hints(&self) -> Vec<(&'static str, &'static str)> {
        match &self.popup {
            Some(Popup::Help | Popup::Saved { .. }) => vec![("Esc", "close")],
            Some(Popup::ConfirmUnredacted) => {
                vec![("y", "export real values"), ("n", "keep redacting")]
            }
            Some(Popup::ConfirmOutOfOrder { .. }) => {
                vec![("y", "run it anyway"), ("n", "do not run")]
            }
            Some(Popup::Curl { .. }) => vec![("Esc", "close"), ("c", "copy again")],
            Some(Popup::Providers { selected, .. }) => {
                let mut keys = vec![("↑↓", "choose")];
                let area = ratatui::layout::Rect::new(0, 0, self.width, self.height);
                if view::picker::provider_max_scroll(self, *selected, area) > 0 {
                    keys.push(("PgUp PgDn", "details"));
                }
                keys.extend([("Enter", "use provider"), ("Esc", "close")]);
                keys
            }
            Some(Popup::Scenarios { .. }) => vec![
                ("↑↓", "choose"),
                ("Enter", "use scenario"),
                ("Esc", "close"),
            ],
            Some(Popup::Profile(_)) => vec![
                ("↑↓", "field"),
                ("type", "edit"),
                ("^U", "clear"),
                ("Enter", "apply"),
                ("Esc", "discard"),
            ],
            Some(Popup::ConfirmLive { .. }) => vec![("y", "use the live provider"), ("n", "stay")],
            Some(Popup::ConfirmKyc { .. }) => {
                vec![("y", "send the KYC data"), ("n", "do not send")]
            }
            None => {
                let mut keys = Vec::new();
                if self.busy {
                    keys.push(("Esc", "cancel"));
                } else if self.setup == Setup::Ready {
                    if self.journey.next_stage().is_some() {
                        keys.push(("n", "next"));
                        keys.push(("a", "all"));
                    }
                    keys.push(("r", "rerun"));
                }
                match self.setup {
                    Setup::Ready => keys.push(("x", "reset")),
                    Setup::Failed(_) | Setup::AwaitingLiveConfirmation => keys.push(("x", "retry")),
                    Setup::Starting | Setup::Preparing { .. } => {}
                }
                if self.selected_exchange().is_some() {
                    keys.push(("c", "curl"));
                }
                if self.setup == Setup::Ready && self.journey.stages.iter().any(|s| s.runs > 0) {
                    keys.push(("w", "save"));
                }
                keys.push(("p", "provider"));
                if self.manifest().is_some() {
                    keys.push(("s", "scenario"));
                }
                if self.info.is_some() {
                    keys.push(("e", "profile"));
                }
                keys.push(if self.unredacted {
                    ("U", "redact again")
                } else {
                    ("U", "unredacted")
                });
                keys.push(("?", "help"));
                keys.push(("q", "quit"));
                keys.push(("Tab", "pane"));
                keys.push(("↑↓", "move"));
                keys
            }
        }
    }
}

/// `current + delta` within `0..len`.
fn step(current: usize, delta: i32, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (current as i64 + delta as i64).clamp(0, len as i64 - 1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::{Finished, StageState};
    use rampsim_plugin_sdk::wire::{KycStatus, Outcome, Profile, ScenarioInfo, StageInfo};

    fn init() -> AppInit {
        AppInit {
            provider: "paxos".into(),
            profile: "billy".into(),
            scenario: Some("approved".into()),
            mode: Mode::Sandbox,
            log_file: "/var/log/rampsim.log".into(),
            config_path: "/etc/rampsim/config.toml".into(),
            journeys_dir: "/var/lib/rampsim/journeys".into(),
            provider_profiles: [("kriptomat".to_string(), "anna".to_string())].into(),
        }
    }

    fn manifest() -> Manifest {
        Manifest {
            id: "paxos".into(),
            name: "Paxos".into(),
            version: "1.0.0".into(),
            protocol_version: "1.0".into(),
            description: String::new(),
            stages: Stage::ALL
                .iter()
                .map(|s| StageInfo {
                    stage: *s,
                    label: format!("do {s}"),
                    skipped: (*s == Stage::IdvPassthrough).then(|| "in register".to_string()),
                })
                .collect(),
            endpoints: vec![],
            settings: vec![],
            scenarios: ["approved", "denied"]
                .iter()
                .map(|n| ScenarioInfo {
                    name: n.to_string(),
                    description: String::new(),
                    expected_outcome: Outcome::OrderCreated,
                })
                .collect(),
        }
    }

    fn info() -> JourneyInfo {
        JourneyInfo {
            journey_id: "j1".into(),
            manifest: manifest(),
            plugin_path: "/p/librampsim_paxos.so".into(),
            scenario: Some("approved".into()),
            profile_name: "billy".into(),
            profile: Profile::default(),
            mode: Mode::Sandbox,
            virtual_clock: true,
            secrets: vec!["top-secret".into()],
            redactor: crate::redact::SharedRedactor::for_journey(
                &["top-secret".to_string()],
                &Profile::default(),
            ),
            recorder: crate::transcript::Recorder::for_profile(
                "billy",
                &Profile::default(),
                crate::transcript::ProfileSource::Config("billy".into()),
                Mode::Sandbox,
            ),
        }
    }

    fn ready_app() -> App {
        let mut app = App::new(init(), 120, 40);
        let effects = app.start();
        assert_eq!(effects[0], Effect::DiscoverPlugins);
        app.update(Action::Runner(RunnerReport::Ready(Box::new(info()))));
        app
    }

    fn ev(e: Event) -> Action {
        Action::Journey(Box::new(e))
    }

    fn sent(stage: Stage, id: u64, path: &str) -> Event {
        Event::RequestSent {
            stage,
            exchange: id,
            attempt: 1,
            endpoint: "api".into(),
            method: "GET".into(),
            path: path.into(),
            url: format!("http://h{path}"),
            headers: vec![("Authorization".into(), "Bearer top-secret".into())],
            body: None,
            at_ms: 1_000 + id as i64,
        }
    }

    fn finished_stage(stage: Stage, state: StageState) -> Event {
        Event::StageFinished {
            stage,
            state,
            message: "ok".into(),
            kyc_status: None,
            provider_status: None,
            order_id: None,
            polls: 0,
            duration_ms: 5,
            at_ms: 1_100,
        }
    }

    fn started(stage: Stage) -> Event {
        Event::StageStarted {
            stage,
            label: format!("do {stage}"),
            poll: 0,
            at_ms: 1_000,
        }
    }

    #[test]
    fn start_asks_for_discovery_and_a_journey_and_the_first_frame_needs_neither() {
        let mut app = App::new(init(), 80, 24);
        assert!(!app.filled_in());
        let effects = app.start();
        assert_eq!(
            effects,
            vec![
                Effect::DiscoverPlugins,
                Effect::Runner(RunnerCommand::Setup(Box::default()))
            ]
        );
        app.update(Action::PluginsFound(PluginList::default()));
        app.update(Action::Runner(RunnerReport::Ready(Box::new(info()))));
        assert!(app.filled_in());
    }

    #[test]
    fn n_runs_the_next_stage_once_and_refuses_while_busy() {
        let mut app = ready_app();
        assert_eq!(
            app.update(Action::RunNext),
            vec![Effect::Runner(RunnerCommand::RunNext)]
        );
        assert!(app.busy);
        assert!(
            app.update(Action::RunNext).is_empty(),
            "a second n while running does nothing"
        );
        assert!(app.log.back().unwrap().text.contains("Esc"));
        assert_eq!(
            app.update(Action::Cancel),
            vec![Effect::Runner(RunnerCommand::Cancel)]
        );
        app.update(Action::Runner(RunnerReport::Idle { sensitive: vec![] }));
        assert!(!app.busy);
        assert_eq!(
            app.update(Action::RunAll),
            vec![Effect::Runner(RunnerCommand::RunAll)]
        );
    }

    #[test]
    fn a_setup_error_shows_the_files_it_names_without_their_marks() {
        let mut app = ready_app();
        let at = crate::redact::ident("profiles/duncan.toml:7:1");
        app.update(Action::Runner(RunnerReport::SetupFailed {
            provider: "paxos".into(),
            message: format!("{at}: nationality: \"XX\" is not a country"),
        }));
        let shown = screen(&app);
        assert!(
            shown.contains("profiles/duncan.toml:7:1: nationality"),
            "{shown}"
        );
        assert!(!shown.contains(['\u{E000}', '\u{E001}']), "{shown}");
    }

    #[test]
    fn nothing_runs_before_the_journey_is_ready() {
        let mut app = App::new(init(), 80, 24);
        app.start();
        assert!(app.update(Action::RunNext).is_empty());
        app.update(Action::Runner(RunnerReport::SetupFailed {
            provider: "paxos".into(),
            message: "plugin `paxos` not found".into(),
        }));
        assert!(app.update(Action::RunAll).is_empty());
        assert!(matches!(app.setup, Setup::Failed(_)));
        // x tries again.
        assert!(matches!(
            app.update(Action::Reset)[..],
            [Effect::Runner(RunnerCommand::Setup(_))]
        ));
    }

    #[test]
    fn events_move_stages_through_their_states_and_selection_follows() {
        let mut app = ready_app();
        app.update(Action::RunAll);
        app.update(ev(started(Stage::Register)));
        assert_eq!(app.journey.stage(Stage::Register).status.word(), "running");
        app.update(ev(sent(Stage::Register, 1, "/a")));
        app.update(ev(sent(Stage::Register, 2, "/b")));
        assert_eq!(
            app.selected_exchange().unwrap().path,
            "/b",
            "follows the newest request"
        );
        app.update(ev(finished_stage(Stage::Register, StageState::Done)));
        app.update(ev(started(Stage::IdvPassthrough)));
        app.update(ev(finished_stage(
            Stage::IdvPassthrough,
            StageState::Skipped,
        )));
        app.update(ev(started(Stage::AwaitKyc)));
        assert_eq!(app.selected_stage, Stage::AwaitKyc);
        app.update(ev(sent(Stage::AwaitKyc, 3, "/poll")));
        app.update(ev(Event::StatusPolled {
            stage: Stage::AwaitKyc,
            poll: 0,
            kyc_status: Some(KycStatus::Pending),
            provider_status: Some("PENDING".into()),
            message: "still pending".into(),
            next_poll_ms: 2_000,
            at_ms: 1_200,
        }));
        let kyc = app.journey.stage(Stage::AwaitKyc);
        assert_eq!(
            (kyc.polls, kyc.provider_status.as_deref()),
            (1, Some("PENDING"))
        );
        assert_eq!(kyc.next_poll.map(|p| p.in_ms), Some(2_000));
        assert_eq!(app.journey.stage(Stage::Register).status.word(), "done");
        assert_eq!(
            app.journey.stage(Stage::IdvPassthrough).status.word(),
            "skipped"
        );
        assert_eq!(app.journey.next_stage(), Some(Stage::AwaitKyc));
    }

    #[test]
    fn the_outcome_arrives_and_a_rerun_opens_the_journey_again() {
        let mut app = ready_app();
        app.update(ev(started(Stage::Register)));
        app.update(ev(finished_stage(Stage::Register, StageState::Ended)));
        app.update(ev(Event::JourneyFinished {
            finished: Finished {
                outcome: Outcome::Rejected,
                kyc_status: Some(KycStatus::Rejected),
                provider_status: Some("DENIED".into()),
                order_id: None,
                stage: Some(Stage::Register),
                message: "denied".into(),
                next_step: None,
            },
            duration_ms: 5,
            at_ms: 1_100,
        }));
        assert_eq!(
            app.journey.finished.as_ref().map(|f| f.outcome),
            Some(Outcome::Rejected)
        );
        assert!(
            app.update(Action::RunNext).is_empty(),
            "nothing left to run"
        );
        assert_eq!(
            app.update(Action::RerunSelected),
            vec![Effect::Runner(RunnerCommand::Rerun(Stage::Register))]
        );
        app.update(ev(started(Stage::Register)));
        assert!(app.journey.finished.is_none());
    }

    #[test]
    fn manual_navigation_stops_following() {
        let mut app = ready_app();
        app.update(ev(started(Stage::Register)));
        app.update(ev(sent(Stage::Register, 1, "/a")));
        app.update(Action::FocusNext);
        assert_eq!(app.focus, Pane::Exchanges);
        app.update(Action::Move(-1));
        assert!(!app.follow);
        app.update(ev(sent(Stage::Register, 2, "/b")));
        assert_eq!(
            app.selected_exchange().unwrap().path,
            "/a",
            "stays where the operator put it"
        );
        app.update(Action::FocusLeft);
        assert_eq!(app.focus, Pane::Stages);
        app.update(Action::MoveToEnd);
        assert_eq!(app.selected_stage, Stage::CreateOrder);
    }

    #[test]
    fn reset_during_a_run_cancels_first() {
        let mut app = ready_app();
        app.update(Action::RunAll);
        let effects = app.update(Action::Reset);
        assert_eq!(effects[0], Effect::Runner(RunnerCommand::Cancel));
        assert!(matches!(
            effects[1],
            Effect::Runner(RunnerCommand::Setup(_))
        ));
    }

    /// Discovery found paxos and stripe, and a library that failed to load.
    fn found_paxos_and_stripe(app: &mut App) {
        let mut other = manifest();
        other.id = "stripe".into();
        app.update(Action::PluginsFound(PluginList {
            plugins: vec![
                super::super::plugins::PluginEntry {
                    path: "/p/a".into(),
                    manifest: manifest(),
                },
                super::super::plugins::PluginEntry {
                    path: "/p/b".into(),
                    manifest: other,
                },
            ],
            failed: vec![super::super::plugins::FailedEntry {
                path: "/p/c".into(),
                why: "broken".into(),
            }],
            searched: vec![],
        }));
    }

    /// Picks provider `index` (0 paxos, 1 stripe) in the picker.
    fn pick(app: &mut App, index: usize) -> Vec<Effect> {
        app.update(Action::OpenProviderPicker);
        app.update(Action::MoveToStart);
        app.update(Action::Move(index as i32));
        app.update(Action::Confirm)
    }

    #[test]
    fn picking_a_provider_prepares_a_journey_with_it() {
        let mut app = ready_app();
        found_paxos_and_stripe(&mut app);
        app.update(Action::OpenProviderPicker);
        assert_eq!(app.input_mode(), InputMode::Picker);
        app.update(Action::Move(5));
        assert!(
            app.update(Action::Confirm).is_empty(),
            "a failed plugin cannot be picked"
        );
        app.update(Action::Move(-1));
        let effects = app.update(Action::Confirm);
        let Effect::Runner(RunnerCommand::Setup(choice)) = &effects[0] else {
            panic!("{effects:?}")
        };
        assert_eq!(choice.provider.as_deref(), Some("stripe"));
        assert!(app.popup.is_none());
    }

    #[test]
    fn a_switch_shows_the_chosen_provider_and_keeps_the_old_journey_savable() {
        let mut app = ready_app();
        found_paxos_and_stripe(&mut app);
        app.update(ev(started(Stage::Register)));
        app.update(ev(finished_stage(Stage::Register, StageState::Done)));
        app.status = Some(LogLine {
            level: LogLevel::Warn,
            text: "an old status".into(),
        });
        // Picking the provider already on screen keeps its journey.
        assert!(pick(&mut app, 0).is_empty());
        assert!(app.info.is_some());
        // Stripe is configured live: the runner drops the paxos journey and asks first.
        assert!(!pick(&mut app, 1).is_empty());
        // As the runner does: the question comes instead of `Preparing`.
        app.update(Action::Runner(RunnerReport::LiveConfirmationNeeded {
            provider: "stripe".into(),
        }));
        assert_eq!(app.provider(), "stripe");
        assert_eq!(app.mode(), Mode::Live, "the badge is the chosen provider's");
        assert!(app.status.is_none());
        assert!(app.journey.stages.iter().all(|s| s.runs == 0));
        app.update(Action::ClosePopup);
        // The paxos journey is still there to save.
        let effects = app.update(Action::Save);
        assert!(
            matches!(effects.as_slice(), [Effect::Save(_)]),
            "{effects:?}"
        );
        // Staying off the live provider and picking paxos again prepares paxos.
        let effects = pick(&mut app, 0);
        let Effect::Runner(RunnerCommand::Setup(choice)) = &effects[0] else {
            panic!("{effects:?}")
        };
        assert_eq!(choice.provider.as_deref(), Some("paxos"));
        // A failed setup says why on the status line.
        app.status = Some(LogLine {
            level: LogLevel::Info,
            text: "saved".into(),
        });
        app.update(Action::Runner(RunnerReport::SetupFailed {
            provider: "stripe".into(),
            message: "no secret".into(),
        }));
        assert!(app.status.is_none());
    }

    #[test]
    fn an_edit_goes_to_the_providers_that_start_on_the_profile_edited() {
        let mut app = ready_app();
        found_paxos_and_stripe(&mut app);
        let edited = Profile {
            first_name: "Robert".into(),
            ..Profile::default()
        };
        let edit = ("billy (edited)".to_string(), edited);
        app.edited.insert("billy".into(), edit.clone());
        app.choice.profile = Some(edit);
        let switch = |app: &mut App, index: usize, provider: &str| {
            let effects = pick(app, index);
            let Effect::Runner(RunnerCommand::Setup(choice)) = &effects[0] else {
                panic!("{effects:?}")
            };
            app.update(Action::Runner(RunnerReport::Preparing {
                provider: provider.into(),
            }));
            choice.profile.as_ref().map(|p| p.1.first_name.clone())
        };
        // Stripe starts on billy as well: the edit goes along.
        assert_eq!(switch(&mut app, 1, "stripe"), Some("Robert".into()));
        assert_eq!(switch(&mut app, 0, "paxos"), Some("Robert".into()));
        // Configured with its own profile, stripe starts on it (and says so); paxos gets the
        // edit back.
        app.init
            .provider_profiles
            .insert("stripe".into(), "anna".into());
        assert_eq!(switch(&mut app, 1, "stripe"), None);
        let shown = screen(&app);
        assert!(
            shown.contains("profile anna") && shown.contains("stripe starts on its configured"),
            "{shown}"
        );
        assert_eq!(switch(&mut app, 0, "paxos"), Some("Robert".into()));
    }

    fn screen(app: &App) -> String {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(app.width, app.height))
                .unwrap();
        terminal.draw(|f| view::draw(f, app)).unwrap();
        view::buffer_text(terminal.backend().buffer())
    }

    #[test]
    fn a_log_entry_longer_than_the_pane_shows_its_start() {
        let mut app = App::new(init(), 80, 24);
        app.start();
        app.update(Action::Runner(RunnerReport::Ready(Box::new(info()))));
        let long = format!(
            "outcome: failed at create_order: {}",
            "the provider said no. ".repeat(12)
        );
        app.note(LogLevel::Error, long);
        let shown = screen(&app);
        assert!(shown.contains("outcome: failed at"), "{shown}");
    }

    #[test]
    fn rerunning_an_earlier_stage_marks_the_later_results_as_from_the_run_before() {
        let mut app = ready_app();
        for stage in [Stage::Register, Stage::AwaitKyc] {
            app.update(ev(started(stage)));
            app.update(ev(finished_stage(stage, StageState::Done)));
        }
        assert!(!app.journey.stage(Stage::AwaitKyc).stale);
        app.update(ev(started(Stage::Register)));
        assert!(app.journey.stage(Stage::AwaitKyc).stale);
        assert!(screen(&app).contains("earlier run: "), "{}", screen(&app));
        app.update(ev(finished_stage(Stage::Register, StageState::Done)));
        app.update(ev(started(Stage::AwaitKyc)));
        assert!(!app.journey.stage(Stage::AwaitKyc).stale);
    }

    #[test]
    fn a_rerun_tells_its_requests_from_the_earlier_runs() {
        let mut app = ready_app();
        app.update(ev(started(Stage::Register)));
        app.update(ev(sent(Stage::Register, 1, "/first")));
        app.update(ev(finished_stage(Stage::Register, StageState::Done)));
        app.update(ev(started(Stage::Register)));
        app.update(ev(sent(Stage::Register, 2, "/second")));
        let shown = screen(&app);
        assert!(
            shown.contains("Exchanges · register (2) · run 2"),
            "{shown}"
        );
        assert!(shown.contains("(run 1) /first"), "{shown}");
        assert!(
            shown.contains(" /second") && !shown.contains("(run 2)"),
            "{shown}"
        );
    }

    #[test]
    fn a_stage_whose_clock_stepped_back_is_drawn() {
        // The real clock is the wall clock: stepped back mid-stage, a duration is negative.
        let mut app = ready_app();
        app.update(ev(started(Stage::Register)));
        let mut done = finished_stage(Stage::Register, StageState::Done);
        if let Event::StageFinished { duration_ms, .. } = &mut done {
            *duration_ms = -60_000;
        }
        app.update(ev(done));
        assert!(screen(&app).contains("Timeline"));
    }

    /// A plugin whose details are longer than the provider picker at 80x24, and a second one.
    fn long_plugin_list() -> PluginList {
        let mut long = manifest();
        long.scenarios = (0..30)
            .map(|i| ScenarioInfo {
                name: format!("scenario_{i:02}"),
                description: String::new(),
                expected_outcome: Outcome::OrderCreated,
            })
            .collect();
        let mut other = manifest();
        other.id = "other".into();
        let entry = |manifest| crate::tui::PluginEntry {
            path: "/p/lib.so".into(),
            manifest,
        };
        PluginList {
            plugins: vec![entry(long), entry(other)],
            ..PluginList::default()
        }
    }

    fn picker_scroll(app: &App) -> (usize, usize) {
        match &app.popup {
            Some(Popup::Providers { selected, scroll }) => (*selected, *scroll),
            _ => panic!("the provider picker is closed"),
        }
    }

    /// The provider picker open at 80x24 on plugins whose details are longer than it.
    fn picker_at_80x24() -> App {
        let mut app = ready_app();
        app.update(Action::Resize {
            width: 80,
            height: 24,
        });
        app.update(Action::PluginsFound(long_plugin_list()));
        app.update(Action::OpenProviderPicker);
        app
    }

    #[test]
    fn the_provider_pickers_details_scroll_to_their_end_and_no_further() {
        let mut app = picker_at_80x24();
        let area = ratatui::layout::Rect::new(0, 0, 80, 24);
        let max = view::picker::provider_max_scroll(&app, 0, area);
        assert!(max > 10, "{max}");
        assert!(app.key_hints().contains(&("PgUp PgDn", "details")));
        app.update(Action::Scroll(10));
        assert_eq!(picker_scroll(&app), (0, 10));
        for _ in 0..10 {
            app.update(Action::Scroll(10));
        }
        assert_eq!(picker_scroll(&app), (0, max));
        assert!(screen(&app).contains("scenario_29"), "{}", screen(&app));
        // The wheel scrolls the details under it, three rows a notch, and chooses over the list.
        let (details, list) = ((40, 10), (5, 4));
        assert!(view::picker::in_details(area, details.0, details.1));
        app.update(Action::ScrollAt {
            column: details.0,
            row: details.1,
            delta: -1,
        });
        assert_eq!(picker_scroll(&app), (0, max - 3));
        app.update(Action::ScrollAt {
            column: list.0,
            row: list.1,
            delta: 1,
        });
        assert_eq!(
            picker_scroll(&app),
            (1, 0),
            "another provider starts at the top"
        );
        assert!(!app.key_hints().contains(&("PgUp PgDn", "details")));
        app.update(Action::Scroll(10));
        assert_eq!(picker_scroll(&app), (1, 0), "nothing to scroll");
        // The scenario picker's details fit: there the pages move the list, as before.
        app.update(Action::ClosePopup);
        app.update(Action::OpenScenarioPicker);
        app.update(Action::Scroll(10));
        assert!(matches!(app.popup, Some(Popup::Scenarios { selected: 1 })));
    }

    #[test]
    fn the_provider_picker_on_a_terminal_too_small_ignores_the_mouse_and_never_panics() {
        let mut app = picker_at_80x24();
        app.update(Action::Scroll(10));
        assert_eq!(picker_scroll(&app), (0, 10));
        // The same row chosen again keeps where its details were.
        app.update(Action::Move(-1));
        assert_eq!(picker_scroll(&app), (0, 10));
        for (width, height) in [(80, 2), (2, 24), (40, 12), (0, 0)] {
            app.update(Action::Resize { width, height });
            for column in [0, 1, 10, 30] {
                for row in [0, 1, 4, 6] {
                    app.update(Action::ScrollAt {
                        column,
                        row,
                        delta: 1,
                    });
                    app.update(Action::ClickAt { column, row });
                }
            }
            app.update(Action::Scroll(10));
            assert_eq!(
                picker_scroll(&app),
                (0, 10),
                "{width}x{height}: hidden behind 'too small', nothing changes"
            );
        }
    }

    #[test]
    fn a_terminal_too_small_takes_no_key_but_q() {
        let mut app = ready_app();
        app.update(Action::OpenProfileForm);
        assert_eq!(app.input_mode(), InputMode::Form);
        app.update(Action::Resize {
            width: 60,
            height: 20,
        });
        assert_eq!(app.input_mode(), InputMode::TooSmall);
        let key = |c| {
            crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char(c),
                crossterm::event::KeyModifiers::NONE,
            )
        };
        assert!(super::super::keys::action_for(app.input_mode(), key('x')).is_none());
        assert!(matches!(
            super::super::keys::action_for(app.input_mode(), key('q')),
            Some(Action::Quit)
        ));
    }

    #[test]
    fn the_profile_form_validates_each_field_and_refuses_an_invalid_profile() {
        let mut app = ready_app();
        app.update(Action::OpenProfileForm);
        assert_eq!(app.input_mode(), InputMode::Form);
        // The empty default profile has problems; fix nothing and try to apply.
        assert!(app.update(Action::Confirm).is_empty());
        let Some(Popup::Profile(form)) = &app.popup else {
            panic!("form closed")
        };
        assert!(form.refused.is_some());
        app.update(Action::Move(3));
        for c in "1960-13-45".chars() {
            app.update(Action::Input(c));
        }
        let Some(Popup::Profile(form)) = &app.popup else {
            panic!("form closed")
        };
        assert_eq!(form.field(), "date_of_birth");
        assert!(form.problems_of("date_of_birth").next().is_some());
        assert!(matches!(app.update(Action::ClosePopup)[..], []));
        assert!(app.popup.is_none());
    }

    #[test]
    fn curl_is_redacted_and_copied() {
        let mut app = ready_app();
        app.update(ev(started(Stage::Register)));
        app.update(ev(sent(Stage::Register, 1, "/a")));
        let effects = app.update(Action::ShowCurl);
        let [Effect::Copy(text)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(!text.contains("top-secret"), "{text}");
        app.update(Action::Copied("copied with xclip".into()));
        let Some(Popup::Curl { note, .. }) = &app.popup else {
            panic!()
        };
        assert_eq!(note, "copied with xclip");
    }

    /// The curl popup's title row, which says the rows shown.
    fn curl_title(app: &App) -> String {
        let shown = screen(app);
        let title = shown.lines().find(|l| l.contains("Request as curl"));
        title
            .unwrap_or_else(|| panic!("no curl popup: {shown}"))
            .to_string()
    }

    #[test]
    fn page_up_in_the_curl_popup_moves_at_once_after_the_terminal_grew() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let press = |app: &mut App, code| {
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            let action = super::super::keys::action_for(app.input_mode(), key);
            app.update(action.expect("a key of the curl popup"));
        };
        let mut app = ready_app();
        app.update(Action::Resize {
            width: 80,
            height: 24,
        });
        app.update(ev(started(Stage::Register)));
        let mut request = sent(Stage::Register, 1, "/a");
        if let Event::RequestSent { body, .. } = &mut request {
            // Longer than the popup at both sizes below.
            *body = Some((0..60).map(|i| format!("line {i}\n")).collect());
        }
        app.update(ev(request));
        app.update(Action::ShowCurl);
        press(&mut app, KeyCode::End);
        // A taller terminal shows more rows: the end is nearer the top.
        app.update(Action::Resize {
            width: 80,
            height: 40,
        });
        let at_end = curl_title(&app);
        press(&mut app, KeyCode::PageUp);
        let after = curl_title(&app);
        assert_ne!(after, at_end, "the first PgUp shows earlier rows");
        let first_row = |title: &str| -> usize {
            let rows = title.split("rows ").nth(1).expect("a scrolled popup");
            rows.split('-').next().unwrap().parse().unwrap()
        };
        assert_eq!(
            first_row(&after) + 10,
            first_row(&at_end),
            "a whole page up: {at_end}\n{after}"
        );
    }

    #[test]
    fn a_live_provider_needs_confirmation() {
        let mut app = App::new(init(), 80, 24);
        app.start();
        app.update(Action::Runner(RunnerReport::LiveConfirmationNeeded {
            provider: "paxos".into(),
        }));
        assert_eq!(app.input_mode(), InputMode::Confirm);
        let effects = app.update(Action::Confirm);
        let Effect::Runner(RunnerCommand::Setup(choice)) = &effects[0] else {
            panic!()
        };
        assert!(choice.allow_live);
    }

    #[test]
    fn a_click_selects_and_the_wheel_scrolls_the_pane_under_the_mouse() {
        let mut app = ready_app();
        app.update(ev(started(Stage::Register)));
        app.update(ev(sent(Stage::Register, 1, "/a")));
        app.update(ev(sent(Stage::Register, 2, "/b")));
        let panes = view::Panes::compute(app.width, app.height).unwrap();
        // Third stage: two rows a stage, below the border.
        app.update(Action::ClickAt {
            column: panes.stages.x + 3,
            row: panes.stages.y + 1 + 2 * 2,
        });
        assert_eq!(
            (app.selected_stage, app.focus),
            (Stage::AwaitKyc, Pane::Stages)
        );
        app.update(Action::ClickAt {
            column: panes.stages.x + 3,
            row: panes.stages.y + 1,
        });
        // The first request: below the border and the column header.
        app.update(Action::ClickAt {
            column: panes.exchanges.x + 5,
            row: panes.exchanges.y + 2,
        });
        assert_eq!(app.focus, Pane::Exchanges);
        assert_eq!(app.selected_exchange().unwrap().path, "/a");
        app.update(Action::ScrollAt {
            column: panes.inspector.x + 5,
            row: panes.inspector.y + 3,
            delta: 1,
        });
        assert_eq!(app.inspector_scroll, 3, "three lines a notch");
        assert_eq!(
            app.focus,
            Pane::Exchanges,
            "the wheel does not move the focus"
        );
    }

    #[test]
    fn the_kyc_gate_gets_the_operators_answer() {
        let mut app = ready_app();
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        app.update(Action::Runner(RunnerReport::ConfirmKyc {
            request: "POST /identities".into(),
            answer: tx,
        }));
        assert_eq!(app.input_mode(), InputMode::Confirm);
        app.update(Action::Confirm);
        assert_eq!(rx.try_recv(), Ok(true));
        let (tx, mut rx) = tokio::sync::oneshot::channel();
        app.update(Action::Runner(RunnerReport::ConfirmKyc {
            request: "POST /identities".into(),
            answer: tx,
        }));
        app.update(Action::ClosePopup);
        assert_eq!(rx.try_recv(), Ok(false));
    }

    #[test]
    fn idle_needs_no_ticks_and_ticks_do_not_redraw_when_idle() {
        let mut app = ready_app();
        app.take_dirty();
        assert!(!app.wants_ticks());
        app.update(Action::Tick);
        assert!(!app.take_dirty());
        let mut real = info();
        real.virtual_clock = false;
        app.update(Action::Runner(RunnerReport::Ready(Box::new(real))));
        app.update(Action::RunNext);
        assert!(app.wants_ticks());
    }

    #[test]
    fn the_log_keeps_its_place_when_scrolled_back() {
        let mut app = ready_app();
        for i in 0..20 {
            app.note(LogLevel::Info, format!("line {i}"));
        }
        app.focus = Pane::Log;
        app.update(Action::Move(-3));
        assert_eq!(app.log_scroll, 3);
        app.note(LogLevel::Info, "new".into());
        assert_eq!(app.log_scroll, 4);
    }

    /// The log pane as drawn: its title row, and the rows inside its border.
    fn log_pane(app: &App) -> (String, Vec<String>) {
        let log = view::Panes::compute(app.width, app.height).unwrap().log;
        let shown = screen(app);
        let rows: Vec<String> = shown
            .lines()
            .skip(log.y as usize)
            .take(log.height as usize)
            .map(|l| {
                l.chars()
                    .skip(log.x as usize + 1)
                    .take(log.width as usize - 2)
                    .collect::<String>()
            })
            .collect();
        let title = rows[0].clone();
        let inside = rows[1..rows.len() - 1]
            .iter()
            .map(|r| r.trim_end().to_string())
            .collect();
        (title, inside)
    }

    #[test]
    fn the_log_scrolls_up_to_a_full_pane_and_no_further() {
        let mut app = ready_app();
        // Two rows each: the oldest lines do not end just at the pane's top edge.
        for i in 0..30 {
            app.note(LogLevel::Info, format!("line {i}: {}", "and on ".repeat(6)));
        }
        let oldest = app.log[0].text.clone();
        app.focus = Pane::Log;
        // Up ×10, then PgUp ×3: far past the oldest line.
        for delta in [-1; 10].into_iter().chain([-10; 3]) {
            app.update(Action::Move(delta));
        }
        let (title, rows) = log_pane(&app);
        assert!(
            oldest.starts_with(rows[0].as_str()) && rows[0].starts_with("looking for"),
            "the oldest line at the top: {rows:#?}"
        );
        assert!(
            rows.iter().all(|r| !r.is_empty()),
            "no blank rows: {rows:#?}"
        );
        let newer = |title: &str| -> usize {
            let n = title.split("Log · ").nth(1).expect("scrolled back");
            n.split(' ').next().unwrap().parse().unwrap()
        };
        let at_top = newer(&title);
        // Down moves at once: nothing extra to undo first.
        app.update(Action::Move(1));
        let (title, rows) = log_pane(&app);
        assert_eq!(newer(&title), at_top - 1, "{title}");
        assert!(!rows[0].starts_with("looking for"), "{rows:#?}");
        assert!(rows.iter().all(|r| !r.is_empty()), "{rows:#?}");
    }

    /// As the runner does: the recorder hears the event, then the app.
    fn hear(app: &mut App, e: Event) {
        app.info.as_ref().unwrap().recorder.record(&e);
        app.update(ev(e));
    }

    fn journey_started() -> Event {
        Event::JourneyStarted {
            journey_id: "j1".into(),
            provider: "paxos".into(),
            provider_version: "1.0.0".into(),
            scenario: Some("approved".into()),
            profile: "billy".into(),
            mode: Mode::Sandbox,
            virtual_clock: true,
            at_ms: 1_000,
        }
    }

    fn save_job(effects: &[Effect]) -> &crate::tui::save::SaveJob {
        match effects {
            [Effect::Save(job)] => job,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn w_says_when_there_is_nothing_to_save() {
        let mut app = App::new(init(), 120, 40);
        app.start();
        assert!(app.update(Action::Save).is_empty());
        let said = &app.status.as_ref().unwrap().text;
        assert!(said.starts_with("nothing to save"), "{said}");
        assert_eq!(&app.log.back().unwrap().text, said, "the log says it too");
        let mut app = ready_app();
        hear(&mut app, journey_started());
        assert!(app.update(Action::Save).is_empty());
        assert!(app
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("no stage has run"));
        assert!(!app.key_hints().iter().any(|(k, _)| *k == "w"));
    }

    #[test]
    fn w_saves_mid_journey_and_says_where() {
        let mut app = ready_app();
        hear(&mut app, journey_started());
        app.update(Action::RunAll);
        hear(&mut app, started(Stage::Register));
        hear(&mut app, sent(Stage::Register, 1, "/a"));
        assert!(app.key_hints().iter().any(|(k, _)| *k == "w"));
        let effects = app.update(Action::Save);
        let job = save_job(&effects);
        assert_eq!(job.redaction, Redaction::Redacted);
        assert_eq!(job.dir, PathBuf::from("/var/lib/rampsim/journeys"));
        // What the event loop does with it, into a real directory.
        let tmp = tempfile::tempdir().unwrap();
        let mut job = job.clone();
        job.dir = tmp.path().join("journeys");
        let result = job.run();
        let path = result.clone().expect("saved");
        assert!(path.starts_with(&job.dir));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"_redacted\": true"), "{text}");
        assert!(
            text.contains("/a") && !text.contains("top-secret"),
            "{text}"
        );
        assert!(job.while_running);
        app.update(Action::Saved {
            result,
            redaction: job.redaction,
            while_running: job.while_running,
        });
        let said = format!("saved (journey still running) to {}", path.display());
        assert_eq!(app.status.as_ref().unwrap().text, said);
        assert_eq!(app.log.back().unwrap().text, said);
        assert!(matches!(
            app.popup,
            Some(Popup::Saved { result: Ok(_), .. })
        ));
        assert_eq!(app.input_mode(), InputMode::Reading);
        app.update(Action::ClosePopup);
        assert!(app.popup.is_none());
        // The status line keeps saying it until something runs.
        assert!(app.status.is_some());
        app.update(Action::Runner(RunnerReport::Idle { sensitive: vec![] }));
        app.update(Action::RerunSelected);
        assert!(app.status.is_none());
    }

    #[test]
    fn a_mid_run_save_landing_after_the_end_leaves_the_outcome_on_line_2() {
        let mut app = ready_app();
        hear(&mut app, journey_started());
        app.update(Action::RunAll);
        hear(&mut app, started(Stage::Register));
        let effects = app.update(Action::Save);
        assert!(save_job(&effects).while_running);
        hear(&mut app, finished_stage(Stage::Register, StageState::Ended));
        hear(
            &mut app,
            Event::JourneyFinished {
                finished: Finished {
                    outcome: Outcome::Rejected,
                    kyc_status: Some(KycStatus::Rejected),
                    provider_status: Some("DENIED".into()),
                    order_id: None,
                    stage: Some(Stage::Register),
                    message: "identity is DENIED".into(),
                    next_step: None,
                },
                duration_ms: 5,
                at_ms: 1_100,
            },
        );
        app.update(Action::Saved {
            result: Ok("/j/x.har".into()),
            redaction: Redaction::Redacted,
            while_running: true,
        });
        assert!(app.status.is_none());
        let shown = screen(&app);
        assert!(
            shown.lines().nth(1).unwrap().contains("identity is DENIED"),
            "{shown}"
        );
        assert_eq!(
            app.log.back().unwrap().text,
            "saved (journey still running) to /j/x.har"
        );
    }

    #[test]
    fn a_failed_save_is_shown_and_nothing_breaks() {
        let mut app = ready_app();
        hear(&mut app, journey_started());
        hear(&mut app, started(Stage::Register));
        let effects = app.update(Action::Save);
        let mut job = save_job(&effects).clone();
        // Under a regular file: no directory can be made there, not even by root.
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("file"), "x").unwrap();
        job.dir = tmp.path().join("file").join("journeys");
        let result = job.run();
        let error = result.clone().expect_err("cannot save under a file");
        app.update(Action::Saved {
            result,
            redaction: Redaction::Redacted,
            while_running: false,
        });
        let status = app.status.as_ref().unwrap();
        assert_eq!(status.level, LogLevel::Error);
        assert_eq!(status.text, format!("could not save the journey: {error}"));
        assert!(matches!(
            app.popup,
            Some(Popup::Saved { result: Err(_), .. })
        ));
        // A save that lands while a question is open does not hide the question.
        let (tx, _rx) = tokio::sync::oneshot::channel();
        app.update(Action::ClosePopup);
        app.update(Action::Runner(RunnerReport::ConfirmKyc {
            request: "POST /x".into(),
            answer: tx,
        }));
        app.update(Action::Saved {
            result: Ok("/x.har".into()),
            redaction: Redaction::Redacted,
            while_running: false,
        });
        assert!(matches!(app.popup, Some(Popup::ConfirmKyc { .. })));
        assert_eq!(app.status.as_ref().unwrap().text, "saved to /x.har");
    }

    #[test]
    fn unredacted_exports_need_a_yes_and_u_again_turns_them_off() {
        let mut app = ready_app();
        hear(&mut app, journey_started());
        hear(&mut app, started(Stage::Register));
        hear(&mut app, sent(Stage::Register, 1, "/a"));
        assert!(!app.unredacted, "off by default");
        app.update(Action::ToggleUnredacted);
        assert!(matches!(app.popup, Some(Popup::ConfirmUnredacted)));
        assert_eq!(app.input_mode(), InputMode::Confirm);
        app.update(Action::ClosePopup);
        assert!(!app.unredacted, "n keeps redacting");
        app.update(Action::ToggleUnredacted);
        app.update(Action::Confirm);
        assert!(app.unredacted);
        assert!(app.status.as_ref().unwrap().text.contains("UNREDACTED"));
        assert!(app.key_hints().contains(&("U", "redact again")));
        // Both exports carry the real values now.
        let effects = app.update(Action::ShowCurl);
        let [Effect::Copy(text)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(text.contains("Bearer top-secret"), "{text}");
        assert!(matches!(
            app.popup,
            Some(Popup::Curl {
                redacted: false,
                ..
            })
        ));
        app.update(Action::ClosePopup);
        let effects = app.update(Action::Save);
        assert_eq!(save_job(&effects).redaction, Redaction::Unredacted);
        app.update(Action::Saved {
            result: Ok("/j/x.har".into()),
            redaction: Redaction::Unredacted,
            while_running: false,
        });
        assert_eq!(
            app.status.as_ref().unwrap().text,
            "saved UNREDACTED to /j/x.har"
        );
        app.update(Action::ClosePopup);
        app.update(Action::ToggleUnredacted);
        assert!(!app.unredacted && app.popup.is_none(), "off without asking");
        let effects = app.update(Action::Save);
        assert_eq!(save_job(&effects).redaction, Redaction::Redacted);
        let effects = app.update(Action::ShowCurl);
        let [Effect::Copy(text)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(!text.contains("top-secret"), "{text}");
    }
}
