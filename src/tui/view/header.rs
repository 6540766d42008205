//! Provider, profile, scenario, the SANDBOX/LIVE badge, an UNREDACTED badge while exports carry
//! real values, and where the journey stands: the outcome in the words of `rampsim run --json`
//! once it is known. The second row is the status line.

use super::format::outcome_color;
use super::text::{self, shorten};
use super::{dim, fit};
use crate::tui::app::{App, Setup};
use rampsim_plugin_sdk::wire::{LogLevel, Mode};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let right = right_side(app);
    let right_w = right.width() as u16;
    let left = left_side(app, area.width.saturating_sub(right_w + 1));
    let top = Rect::new(area.x, area.y, area.width, 1);
    frame.render_widget(Paragraph::new(left), top);
    frame.render_widget(Paragraph::new(right).alignment(Alignment::Right), top);
    let status = Rect::new(area.x, area.y + 1, area.width, 1);
    frame.render_widget(
        Paragraph::new(status_line(app, area.width as usize)),
        status,
    );
}

fn left_side(app: &App, width: u16) -> Line<'static> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let version = app
        .journey
        .provider_version
        .as_ref()
        .filter(|_| {
            app.info
                .as_ref()
                .is_some_and(|i| i.manifest.id == app.provider())
        })
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let provider = app.provider().to_string();
    let profile = app.profile_name().to_string();
    let scenario = match app.mode() {
        Mode::Live => "-".to_string(),
        Mode::Sandbox => app.current_scenario().unwrap_or_else(|| "default".into()),
    };
    let long = Line::from(vec![
        Span::styled(" rampsim ", bold.fg(Color::Black).bg(Color::Cyan)),
        Span::styled("  provider ", dim()),
        Span::styled(format!("{provider}{version}"), bold),
        Span::styled("  profile ", dim()),
        Span::styled(profile.clone(), bold),
        Span::styled("  scenario ", dim()),
        Span::styled(scenario.clone(), bold),
    ]);
    if long.width() <= width as usize {
        return long;
    }
    // Profile and scenario share what the provider leaves, so nothing runs under the badges.
    let budget = (width as usize).saturating_sub(1 + text::width(&provider) + 6);
    let (profile_w, scenario_w) = share(text::width(&profile), text::width(&scenario), budget);
    let sep = || Span::styled(" · ", dim());
    Line::from(vec![
        Span::raw(" "),
        Span::styled(provider, bold),
        sep(),
        Span::styled(fit(&profile, profile_w), bold),
        sep(),
        Span::styled(fit(&scenario, scenario_w), bold),
    ])
}

/// Columns for two texts of widths `a` and `b` (at most 20 each) in `budget`: the shorter keeps
/// its width when it takes less than half.
fn share(a: usize, b: usize, budget: usize) -> (usize, usize) {
    let (a, b) = (a.min(20), b.min(20));
    if a + b <= budget {
        return (a, b);
    }
    let half = budget / 2;
    if a <= half {
        (a, budget - a)
    } else if b <= half {
        (budget - b, b)
    } else {
        (half, budget - half)
    }
}

fn right_side(app: &App) -> Line<'static> {
    let badge = match app.mode() {
        Mode::Sandbox => Span::styled(
            " SANDBOX ",
            Style::default().fg(Color::Black).bg(Color::Green),
        ),
        Mode::Live => Span::styled(
            " LIVE ",
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        ),
    };
    let (label, word, color) = match (&app.journey.finished, &app.setup) {
        (Some(f), _) => (
            "outcome ",
            f.outcome.as_str().to_string(),
            outcome_color(f.outcome),
        ),
        (None, Setup::Ready) if app.busy => (
            "",
            match app.journey.running_stage() {
                Some(s) => format!("running {s}"),
                None => "running".into(),
            },
            Color::Cyan,
        ),
        (None, Setup::Ready) => ("", "ready".into(), Color::Cyan),
        (None, Setup::Failed(_)) => ("", "no journey".into(), Color::Red),
        (None, Setup::AwaitingLiveConfirmation) => ("", "confirm LIVE".into(), Color::Red),
        (None, Setup::Starting | Setup::Preparing { .. }) => ("", "preparing…".into(), Color::Cyan),
    };
    let mut spans = Vec::new();
    if app.unredacted {
        spans.push(Span::styled(
            " UNREDACTED ",
            Style::default()
                .fg(Color::White)
                .bg(Color::Magenta)
                .add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(" "));
    }
    spans.extend([
        badge,
        Span::raw("  "),
        Span::styled(label, dim()),
        Span::styled(
            word,
            Style::default().fg(color).add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
    ]);
    Line::from(spans)
}

fn status_line(app: &App, width: usize) -> Line<'static> {
    if let Some(status) = &app.status {
        let style = match status.level {
            LogLevel::Error => Style::default().fg(Color::Red),
            LogLevel::Warn => Style::default().fg(Color::Yellow),
            LogLevel::Info | LogLevel::Debug => Style::default().fg(Color::Green),
        };
        return Line::from(Span::styled(
            shorten(&format!(" {}", status.text), width),
            style,
        ));
    }
    let (text, style) = match (&app.setup, &app.journey.finished) {
        (Setup::Starting | Setup::Preparing { .. }, _) => {
            let mut s = format!(" preparing a journey with {}", app.provider());
            if app.plugins.is_none() {
                s.push_str(" · looking for plugins");
            }
            s.push('…');
            (s, dim())
        }
        (Setup::Failed(message), _) => (
            format!(" setup failed: {message}"),
            Style::default().fg(Color::Red),
        ),
        (Setup::AwaitingLiveConfirmation, _) => (
            format!(
                " {} is configured LIVE: confirm before real requests are sent",
                app.provider()
            ),
            Style::default().fg(Color::Red),
        ),
        (Setup::Ready, Some(f)) => {
            let mut s = format!(" {}", f.message);
            if let Some(next) = &f.next_step {
                s.push_str(&format!(" · next step: {next}"));
            }
            (s, Style::default().fg(outcome_color(f.outcome)))
        }
        (Setup::Ready, None) => match (app.busy, app.journey.next_stage()) {
            (true, _) => (" Esc cancels the running stage".to_string(), dim()),
            (false, Some(stage)) => (
                format!(" n runs {stage} · a runs every remaining stage"),
                dim(),
            ),
            (false, None) => (
                " r re-runs the selected stage · x starts over".to_string(),
                dim(),
            ),
        },
    };
    // The whole text is in the log pane, which wraps.
    Line::from(Span::styled(shorten(&text, width), style))
}

#[cfg(test)]
mod tests {
    use crate::tui::app::{App, AppInit};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn top_row(profile: &str, scenario: &str) -> String {
        let init = AppInit {
            provider: "paxos".into(),
            profile: profile.into(),
            scenario: Some(scenario.into()),
            mode: rampsim_plugin_sdk::wire::Mode::Sandbox,
            log_file: "/l".into(),
            config_path: "/c".into(),
            journeys_dir: "/j".into(),
            provider_profiles: Default::default(),
        };
        let mut app = App::new(init, 80, 24);
        app.unredacted = true;
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| super::draw(f, f.area(), &app)).unwrap();
        let text = crate::tui::view::buffer_text(t.backend().buffer());
        text.lines().next().unwrap().to_string()
    }

    #[test]
    fn the_short_top_row_cuts_with_an_ellipsis_before_the_badges() {
        // The badges take the right side; what is left is shared, each cut with an ellipsis.
        let row = top_row("billy-duncan (edited)", "duplicate_cip_id");
        let (left, _) = row.split_once(" UNREDACTED").unwrap();
        assert_eq!(
            left.trim_end(),
            " paxos · billy-duncan (e… · duplicate_cip_id",
            "{row}"
        );
        let row = top_row("billy-duncan-with-a-long-name", "a-long-scenario-name-too");
        let (left, _) = row.split_once(" UNREDACTED").unwrap();
        assert!(left.ends_with('…') || left.ends_with("… "), "{row}");
        assert_eq!(
            top_row("billy", "approved")
                .split_once(" UNREDACTED")
                .unwrap()
                .0
                .trim_end(),
            " paxos · billy · approved"
        );
    }
}
