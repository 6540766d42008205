//! The journey actor: a task that owns the journey, takes commands, and reports back through
//! the app's channel (the engine's events, and its own state). A running stage is a future
//! raced against the next command, so Esc cancels it by dropping it: no request or wait of a
//! slow or hung provider can hold the screen.

use super::action::{Action, JourneyChoice, JourneyInfo, RunnerCommand, RunnerReport};
use crate::host::{Host, RunOptions};
use crate::journey::{Event, EventSink, Journey, KycGate};
use crate::transcript::{ProfileSource, Recorder};
use rampsim_plugin_sdk::wire::{HttpRequest, Mode, Stage};
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The way to the actor. Its task handle (returned beside it) ends only if the actor panicked.
pub struct Runner {
    commands: UnboundedSender<RunnerCommand>,
}

impl Runner {
    pub fn spawn(host: Arc<Host>, out: UnboundedSender<Action>) -> (Runner, JoinHandle<()>) {
        let (commands, inbox) = unbounded_channel();
        let task = tokio::spawn(actor(host, inbox, out));
        (Runner { commands }, task)
    }

    pub fn send(&self, command: RunnerCommand) {
        // A closed channel means the actor is gone; the event loop notices through `task`.
        let _ = self.commands.send(command);
    }
}

enum StageRun {
    Completed,
    Cancelled,
    /// A new journey was asked for while the stage ran.
    Interrupted(RunnerCommand),
}

async fn actor(
    host: Arc<Host>,
    mut inbox: UnboundedReceiver<RunnerCommand>,
    out: UnboundedSender<Action>,
) {
    let report = |r: RunnerReport| {
        let _ = out.send(Action::Runner(r));
    };
    let mut journey: Option<Journey> = None;
    let mut queued: Option<RunnerCommand> = None;
    loop {
        let command = match queued.take() {
            Some(c) => c,
            None => match inbox.recv().await {
                Some(c) => c,
                None => return,
            },
        };
        match command {
            RunnerCommand::Setup(choice) => {
                // Drop the old journey first: it closes its sandbox session.
                drop(journey.take());
                journey = setup(&host, *choice, &out).await;
            }
            RunnerCommand::Cancel => {}
            command => {
                let Some(j) = journey.as_mut() else {
                    report(RunnerReport::Idle {
                        sensitive: Vec::new(),
                    });
                    continue;
                };
                report(RunnerReport::Busy);
                queued = run(j, &command, &mut inbox).await;
                report(RunnerReport::Idle {
                    sensitive: j.sensitive_values().to_vec(),
                });
            }
        }
    }
}

async fn setup(
    host: &Host,
    choice: JourneyChoice,
    out: &UnboundedSender<Action>,
) -> Option<Journey> {
    let report = |r: RunnerReport| {
        let _ = out.send(Action::Runner(r));
    };
    let provider = choice
        .provider
        .clone()
        .unwrap_or_else(|| host.config.app.provider.clone());
    if host.config.provider(&provider).mode == Mode::Live && !choice.allow_live {
        report(RunnerReport::LiveConfirmationNeeded { provider });
        return None;
    }
    report(RunnerReport::Preparing {
        provider: provider.clone(),
    });
    // An edited profile is nowhere but in the transcript: replay will need `--profile`.
    let edited = choice.profile.as_ref().map(|(name, _)| name.clone());
    let opts = RunOptions {
        provider: choice.provider,
        scenario: choice.scenario,
        profile_override: choice.profile,
        allow_live: choice.allow_live,
        ..RunOptions::default()
    };
    let spec = match host.prepare(&opts).await {
        Ok(spec) => spec,
        Err(e) => {
            report(RunnerReport::SetupFailed {
                provider,
                message: e.to_string(),
            });
            return None;
        }
    };
    tracing::info!(journey = %spec.journey_id, %provider, "journey prepared");
    let mut info = JourneyInfo::from_spec(&spec);
    info.recorder = match edited {
        Some(name) => Recorder::with_source(&spec, ProfileSource::Given(name)),
        None => Recorder::new(&spec),
    };
    let redactor = info.redactor.clone();
    // The recorder hears every event first, on the journey's side of the channel: `w` saves
    // the whole journey so far even when the screen has not caught up yet.
    let recorder = info.recorder.clone();
    report(RunnerReport::Ready(Box::new(info)));
    let events = out.clone();
    let sink: EventSink = recorder.tee(Arc::new(move |e: Event| {
        let _ = events.send(Action::Journey(Box::new(e)));
    }));
    // The app copies with the same redactor the journey teaches the tokens it learns.
    match Journey::with_redactor(spec, sink, redactor) {
        Ok(mut j) => {
            j.set_kyc_gate(kyc_gate(out.clone()));
            Some(j)
        }
        Err(e) => {
            report(RunnerReport::SetupFailed {
                provider,
                message: e.to_string(),
            });
            None
        }
    }
}

/// Live mode: asks the operator (through the app) before KYC data first leaves for the provider.
fn kyc_gate(out: UnboundedSender<Action>) -> KycGate {
    Arc::new(move |req: &HttpRequest| {
        let out = out.clone();
        let request = format!("{} {} (endpoint {})", req.method, req.path, req.endpoint);
        Box::pin(async move {
            let (answer, answered) = oneshot::channel();
            let _ = out.send(Action::Runner(RunnerReport::ConfirmKyc { request, answer }));
            answered.await.unwrap_or(false)
        })
    })
}

/// Runs what `command` asks; returns a command that arrived meanwhile and must run next.
async fn run(
    j: &mut Journey,
    command: &RunnerCommand,
    inbox: &mut UnboundedReceiver<RunnerCommand>,
) -> Option<RunnerCommand> {
    loop {
        let stage = match command {
            RunnerCommand::Rerun(stage) => *stage,
            _ => j.next_stage()?,
        };
        match run_stage(j, stage, inbox).await {
            StageRun::Completed => {}
            StageRun::Cancelled => return None,
            StageRun::Interrupted(next) => return Some(next),
        }
        if *command != RunnerCommand::RunAll {
            return None;
        }
    }
}

async fn run_stage(
    j: &mut Journey,
    stage: Stage,
    inbox: &mut UnboundedReceiver<RunnerCommand>,
) -> StageRun {
    let result = {
        let running = j.run_stage(stage);
        tokio::pin!(running);
        loop {
            tokio::select! {
                _ = &mut running => break StageRun::Completed,
                command = inbox.recv() => match command {
                    Some(RunnerCommand::Cancel) | None => break StageRun::Cancelled,
                    Some(setup @ RunnerCommand::Setup(_)) => break StageRun::Interrupted(setup),
                    // The app does not send these while a stage runs; ignore strays.
                    Some(_) => tracing::debug!("command ignored: a stage is running"),
                },
            }
        }
    };
    if !matches!(result, StageRun::Completed) {
        // The stage's future is gone (mid-request or mid-wait); the engine reports the end.
        tracing::info!(%stage, "stage cancelled by the operator");
        j.cancelled(stage);
    }
    result
}
