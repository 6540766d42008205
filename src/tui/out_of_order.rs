//! `r` on a stage whose earlier stages did not all run, or did not end done. Support engineers
//! do that on purpose (to reproduce what a user's company did), so it is allowed; but it is
//! asked first and logged, since the provider then sees a journey no real one would send.

use super::journey_state::{JourneyState, StageStatus};
use crate::journey::StageState;
use rampsim_plugin_sdk::wire::Stage;

/// An earlier stage that has not done its part.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub stage: Stage,
    pub kind: GapKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GapKind {
    NotRun,
    /// Ran, but ended otherwise than done: failed, cancelled, or ended the journey (with the
    /// provider's word, when it said one).
    EndedAs(StageState, Option<String>),
    /// Done, but before an earlier stage was run again.
    FromAnEarlierRun,
}

/// The stages before `stage` that the journey has not been through: neither skipped (by the
/// manifest or by the provider) nor done since the stages before them last ran.
pub fn gaps_before(journey: &JourneyState, stage: Stage) -> Vec<Gap> {
    Stage::ALL[..stage.index()]
        .iter()
        .map(|s| journey.stage(*s))
        .filter(|view| view.skip_reason.is_none())
        .filter_map(|view| {
            let kind = match view.status {
                StageStatus::Finished(StageState::Skipped) => return None,
                StageStatus::Finished(StageState::Done) if !view.stale => return None,
                StageStatus::Finished(StageState::Done) => GapKind::FromAnEarlierRun,
                StageStatus::Finished(state) => {
                    GapKind::EndedAs(state, view.provider_status.clone())
                }
                StageStatus::Pending | StageStatus::Running => GapKind::NotRun,
            };
            Some(Gap {
                stage: view.stage,
                kind,
            })
        })
        .collect()
}

impl Gap {
    /// As the question says it: "await_kyc has not run".
    pub fn now(&self) -> String {
        let s = self.stage;
        match &self.kind {
            GapKind::NotRun => format!("{s} has not run"),
            GapKind::EndedAs(state, word) => format!("{s} {}", ended(*state, word.as_deref())),
            GapKind::FromAnEarlierRun => {
                format!("{s} ran, but before an earlier stage was run again")
            }
        }
    }

    /// As the log says it afterwards: "await_kyc had not run".
    pub fn then(&self) -> String {
        let s = self.stage;
        match &self.kind {
            GapKind::NotRun => format!("{s} had not run"),
            GapKind::EndedAs(state, word) => {
                format!("{s} had {}", ended(*state, word.as_deref()))
            }
            GapKind::FromAnEarlierRun => {
                format!("{s} had run before an earlier stage was run again")
            }
        }
    }

    /// What skipping this stage means for `stage`, where it can be said plainly.
    fn consequence(&self, stage: Stage) -> Option<String> {
        Some(match self.stage {
            Stage::Register => format!("{stage} runs without a user registered in this journey"),
            Stage::IdvPassthrough => {
                "the provider has no identity verification from this journey".to_string()
            }
            Stage::AwaitKyc if stage == Stage::CreateOrder => {
                "the provider decides on its own whether this user may order".to_string()
            }
            _ => return None,
        })
    }
}

fn ended(state: StageState, word: Option<&str>) -> String {
    let said = word.map(|w| format!(" ({w})")).unwrap_or_default();
    match state {
        StageState::Ended => format!("ended the journey{said}"),
        StageState::Failed => "failed".to_string(),
        StageState::Cancelled => "was cancelled".to_string(),
        StageState::Done | StageState::Skipped => state.as_str().to_string(),
    }
}

/// The question's lines: one a gap, with what it means, then the question itself.
pub fn question(stage: Stage, gaps: &[Gap]) -> (Vec<String>, String) {
    let lines = gaps
        .iter()
        .map(|g| match g.consequence(stage) {
            Some(c) => format!("{}: {c}.", g.now()),
            None => format!("{}.", g.now()),
        })
        .collect();
    (lines, format!("Run {stage} anyway? (y/n)"))
}

/// The log's line when the operator said yes.
pub fn log_line(stage: Stage, gaps: &[Gap]) -> String {
    let then: Vec<String> = gaps.iter().map(Gap::then).collect();
    format!("running {stage} out of order: {}", then.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::{Event, Finished};
    use rampsim_plugin_sdk::wire::{KycStatus, Outcome};
    use std::time::Instant;

    fn finished(stage: Stage, state: StageState, kyc: Option<KycStatus>) -> Event {
        Event::StageFinished {
            stage,
            state,
            message: "ok".into(),
            kyc_status: kyc,
            provider_status: Some("WORD".into()),
            order_id: None,
            polls: 0,
            duration_ms: 1,
            at_ms: 1,
        }
    }

    fn run(journey: &mut JourneyState, stage: Stage, state: StageState, kyc: Option<KycStatus>) {
        let now = Instant::now();
        let started = Event::StageStarted {
            stage,
            label: String::new(),
            poll: 0,
            at_ms: 1,
        };
        journey.apply(&started, now);
        journey.apply(&finished(stage, state, kyc), now);
    }

    #[test]
    fn only_stages_not_gone_through_are_gaps() {
        let mut journey = JourneyState::default();
        assert!(gaps_before(&journey, Stage::Register).is_empty());
        run(&mut journey, Stage::Register, StageState::Done, None);
        run(
            &mut journey,
            Stage::IdvPassthrough,
            StageState::Skipped,
            None,
        );
        assert!(gaps_before(&journey, Stage::AwaitKyc).is_empty());
        let gaps = gaps_before(&journey, Stage::CreateOrder);
        assert_eq!(
            gaps,
            vec![Gap {
                stage: Stage::AwaitKyc,
                kind: GapKind::NotRun
            }]
        );
        run(&mut journey, Stage::AwaitKyc, StageState::Ended, None);
        let gaps = gaps_before(&journey, Stage::CreateOrder);
        assert_eq!(gaps[0].now(), "await_kyc ended the journey (WORD)");
        run(&mut journey, Stage::AwaitKyc, StageState::Done, None);
        assert!(gaps_before(&journey, Stage::CreateOrder).is_empty());
        // register again: await_kyc's answer was for the journey before it.
        run(&mut journey, Stage::Register, StageState::Done, None);
        let gaps = gaps_before(&journey, Stage::CreateOrder);
        assert_eq!(gaps[0].kind, GapKind::FromAnEarlierRun);
        assert_eq!(
            log_line(Stage::CreateOrder, &gaps),
            "running create_order out of order: await_kyc had run before an earlier stage was run again"
        );
        // A step the provider does not have is never a gap.
        let mut journey = JourneyState::default();
        journey.stages[Stage::IdvPassthrough.index()].skip_reason = Some("in register".into());
        let (said, asked) = question(Stage::AwaitKyc, &gaps_before(&journey, Stage::AwaitKyc));
        assert_eq!(
            said,
            vec!["register has not run: await_kyc runs without a user registered in this journey."]
        );
        assert_eq!(asked, "Run await_kyc anyway? (y/n)");
    }

    fn order_created() -> Finished {
        Finished {
            outcome: Outcome::OrderCreated,
            kyc_status: Some(KycStatus::Pending),
            provider_status: None,
            order_id: Some("o-1".into()),
            stage: Some(Stage::CreateOrder),
            message: "ok".into(),
            next_step: None,
        }
    }

    #[test]
    fn the_outcomes_kyc_status_says_whose_it_is_when_await_kyc_never_checked() {
        let mut journey = JourneyState::default();
        run(
            &mut journey,
            Stage::Register,
            StageState::Done,
            Some(KycStatus::Pending),
        );
        run(
            &mut journey,
            Stage::CreateOrder,
            StageState::Done,
            Some(KycStatus::Pending),
        );
        assert_eq!(
            journey.outcome_kyc(&order_created()),
            "pending as of register"
        );
        let unheard = Finished {
            kyc_status: None,
            ..order_created()
        };
        assert_eq!(journey.outcome_kyc(&unheard), "not checked");
        // In order, the status is simply the journey's.
        run(
            &mut journey,
            Stage::AwaitKyc,
            StageState::Done,
            Some(KycStatus::Approved),
        );
        let approved = Finished {
            kyc_status: Some(KycStatus::Approved),
            ..order_created()
        };
        assert_eq!(journey.outcome_kyc(&approved), "approved");
        // A journey that ends at register says what register heard, as it always did.
        let mut journey = JourneyState::default();
        run(
            &mut journey,
            Stage::Register,
            StageState::Ended,
            Some(KycStatus::Rejected),
        );
        let rejected = Finished {
            outcome: Outcome::Rejected,
            kyc_status: Some(KycStatus::Rejected),
            stage: Some(Stage::Register),
            ..order_created()
        };
        assert_eq!(journey.outcome_kyc(&rejected), "rejected");
    }
}
