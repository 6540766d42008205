//! The four stages: state, duration, and one line of detail (await_kyc: polls, the provider's
//! word, time to the next poll). Two rows per stage, always, so a click maps to a stage.

use super::format::duration_ms;
use super::text::{keeps_ids, shorten, width};
use super::{dim, fit, pad, pane_block, selected_style, SELECTED_MARK};
use crate::journey::StageState;
use crate::tui::app::{App, Pane};
use crate::tui::journey_state::{StageStatus, StageView};
use rampsim_plugin_sdk::wire::Stage;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

const ROWS_PER_STAGE: u16 = 2;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Stages;
    let block = pane_block(" Stages ".into(), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = Vec::with_capacity(8);
    for view in &app.journey.stages {
        let selected = view.stage == app.selected_stage;
        let (first, second) = stage_lines(app, view, width);
        if selected {
            let style = selected_style(focused);
            lines.push(first.patch_style(style));
            lines.push(second.patch_style(style));
        } else {
            lines.push(first);
            lines.push(second);
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The stage drawn at screen row `row`, if any.
pub fn row_at(area: Rect, row: u16) -> Option<usize> {
    let top = area.y + 1;
    if row < top || row >= area.bottom().saturating_sub(1) {
        return None;
    }
    let i = ((row - top) / ROWS_PER_STAGE) as usize;
    (i < Stage::ALL.len()).then_some(i)
}

fn mark(status: StageStatus) -> (&'static str, Color) {
    match status {
        StageStatus::Pending => ("·", Color::DarkGray),
        StageStatus::Running => ("▶", Color::Cyan),
        StageStatus::Finished(StageState::Done) => ("✓", Color::Green),
        StageStatus::Finished(StageState::Skipped) => ("↷", Color::Blue),
        StageStatus::Finished(StageState::Ended) => ("■", Color::Yellow),
        StageStatus::Finished(StageState::Failed) => ("✗", Color::Red),
        StageStatus::Finished(StageState::Cancelled) => ("⊘", Color::Red),
    }
}

fn stage_lines(app: &App, view: &StageView, width: usize) -> (Line<'static>, Line<'static>) {
    let selected = view.stage == app.selected_stage;
    let (symbol, color) = mark(view.status);
    // From the run before an earlier stage was re-run: shown, but dimmed.
    let color = if view.stale { Color::DarkGray } else { color };
    let not_run = view.status == StageStatus::Pending && app.journey.finished.is_some();
    let word = if not_run {
        "not run"
    } else {
        view.status.word()
    };
    let duration = match (view.status, view.duration_ms, view.started) {
        (StageStatus::Finished(_), Some(ms), _) => duration_ms(ms),
        (StageStatus::Running, _, Some(started)) if !app.journey.virtual_clock => {
            duration_ms(app.now.saturating_duration_since(started).as_millis() as i64)
        }
        _ => String::new(),
    };
    // marker 1 + symbol 1 + space + name 15 + space + state 9 = 28 columns before the duration.
    let dur_w = width.saturating_sub(28);
    let first = Line::from(vec![
        Span::raw(if selected { SELECTED_MARK } else { " " }),
        Span::styled(symbol, Style::default().fg(color)),
        Span::raw(" "),
        Span::raw(pad(view.stage.as_str(), 15)),
        Span::raw(" "),
        Span::styled(pad(word, 9), Style::default().fg(color)),
        Span::styled(format!("{:>dur_w$}", fit(&duration, dur_w)), dim()),
    ]);
    let prefix = if view.stale { "earlier run: " } else { "" };
    let (detail, style) = detail(app, view, width.saturating_sub(3 + prefix.len()));
    let style = if view.stale { dim() } else { style };
    let second = Line::from(vec![
        Span::raw("   "),
        Span::styled(format!("{prefix}{detail}"), style),
    ]);
    (first, second)
}

/// The stage's second row, in `columns`.
fn detail(app: &App, view: &StageView, columns: usize) -> (String, Style) {
    let red = Style::default().fg(Color::Red);
    match view.status {
        StageStatus::Pending => (
            shorten(
                &view
                    .skip_reason
                    .as_ref()
                    .map(|r| format!("skips: {r}"))
                    .unwrap_or_else(|| view.label.clone()),
                columns,
            ),
            dim(),
        ),
        StageStatus::Running => match view.next_poll {
            Some(next) => {
                let left_ms = if app.journey.virtual_clock {
                    next.in_ms
                } else {
                    let heard = app.now.saturating_duration_since(next.heard).as_millis() as u64;
                    next.in_ms.saturating_sub(heard)
                };
                let status = view.provider_status.as_deref().unwrap_or("?");
                (
                    poll_line(view.polls, status, left_ms, columns),
                    Style::default().fg(Color::Cyan),
                )
            }
            None => (shorten(&view.label, columns), dim()),
        },
        StageStatus::Finished(state) => {
            let text = if view.stage == Stage::AwaitKyc
                && state != StageState::Skipped
                && view.polls > 0
            {
                let status = view.provider_status.as_deref().unwrap_or("?");
                polled_line(view.polls, status, &view.message, columns)
            } else {
                shorten(&view.message, columns)
            };
            let style = match state {
                StageState::Failed | StageState::Cancelled => red,
                StageState::Ended => Style::default().fg(Color::Yellow),
                _ => Style::default(),
            };
            (text, style)
        }
    }
}

/// A running poll in `columns`. The countdown is what the operator waits on: when the whole
/// line does not fit, the provider's word and the countdown come first, the count folded in.
fn poll_line(polls: u32, status: &str, left_ms: u64, columns: usize) -> String {
    let seconds = format!("{:.1} s", left_ms as f64 / 1000.0);
    let full = format!("poll {polls} · {status} · next poll in {seconds}");
    if width(&full) <= columns {
        return full;
    }
    let short = format!("{status} · poll {} in {seconds}", polls + 1);
    if width(&short) <= columns {
        return short;
    }
    // A long provider word is cut, not the countdown.
    fit(
        &format!("poll {} in {seconds} · {status}", polls + 1),
        columns,
    )
}

/// A finished await_kyc in `columns`: the polls, the provider's word, the message. The message's
/// id is shortened as everywhere else, never cut: the count gives way first, then the provider's
/// word (the message usually says it too).
fn polled_line(polls: u32, status: &str, message: &str, columns: usize) -> String {
    let count = format!("{polls} poll{}", if polls == 1 { "" } else { "s" });
    let full = format!("{count} · {status} · {message}");
    let fitting = [format!("{status} · {message}"), message.to_string()];
    let text = std::iter::once(&full)
        .chain(&fitting)
        .find(|t| keeps_ids(t, columns))
        .unwrap_or(&full);
    shorten(text, columns)
}

#[cfg(test)]
mod tests {
    use super::{poll_line, polled_line};

    #[test]
    fn a_finished_kyc_wait_shortens_its_id_and_never_cuts_it() {
        let denied = "identity 7ca6970f-0962-4251-9703-1fcc91bf5805 is DENIED";
        assert_eq!(
            polled_line(2, "DENIED", denied, 40),
            "2 polls · DENIED · identity 7ca6970f… i…"
        );
        // The stages pane at 80 columns.
        assert_eq!(
            polled_line(2, "DENIED", denied, 31),
            "DENIED · identity 7ca6970f… is…"
        );
        // Cut before the id is reached: nothing of it shows, so nothing gives way.
        assert_eq!(polled_line(2, "DENIED", denied, 20), "2 polls · DENIED · …");
        let approved = "identity 7ca6970f-0962-4251-9703-1fcc91bf5805 is APPROVED";
        assert_eq!(
            polled_line(1, "APPROVED", approved, 31),
            "APPROVED · identity 7ca6970f…"
        );
    }

    #[test]
    fn the_countdown_to_the_next_poll_always_shows() {
        assert_eq!(
            poll_line(2, "PENDING", 150_000, 41),
            "poll 2 · PENDING · next poll in 150.0 s"
        );
        // The stages pane at 80 columns.
        assert_eq!(
            poll_line(2, "PENDING", 150_000, 31),
            "PENDING · poll 3 in 150.0 s"
        );
        assert_eq!(
            poll_line(1, "ENHANCED_DUE_DILIGENCE_REVIEW", 9_500, 31),
            "poll 2 in 9.5 s · ENHANCED_DUE…"
        );
    }
}
