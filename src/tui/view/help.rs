//! Every key, and where the log file is.

use super::dim;
use super::popup::{centered, frame_popup};
use crate::tui::app::App;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

const KEYS: &[(&str, &str)] = &[
    ("n, Enter", "run the next stage"),
    ("a", "run all remaining stages"),
    ("r", "re-run the selected stage"),
    ("x", "reset: a new journey with the same provider, scenario and profile"),
    ("Esc", "cancel the running stage; close a popup"),
    ("p", "pick the provider (plugins found, and those that failed to load)"),
    ("s", "pick the scenario the sandbox plays"),
    ("e", "edit the profile (each field checked as you type)"),
    ("c", "the selected request as curl (redacted), copied to the clipboard"),
    ("Tab, ←→", "move between panes"),
    ("↑↓ PgUp PgDn", "move the selection, scroll"),
    ("mouse", "wheel scrolls the pane under it; click selects"),
    ("?", "this help"),
    ("q, Ctrl-C", "quit"),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    // As tall as its text (plus room for wrapping on narrow screens).
    let rect = centered(area, 80, 0, 76, KEYS.len() as u16 + 7);
    let inner = frame_popup(frame, rect, " Help ".into());
    let key_style = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(k, what)| Line::from(vec![Span::styled(format!(" {k:<14}"), key_style), Span::raw(*what)]))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled(" log file      ", dim()),
        Span::raw(app.init.log_file.display().to_string()),
    ]));
    lines.push(Line::from(vec![
        Span::styled(" config        ", dim()),
        Span::raw(app.init.config_path.display().to_string()),
    ]));
    lines.push(Line::from(Span::styled(
        " RAMPSIM_LOG=debug sets the log's detail; nothing is ever printed over this screen",
        dim(),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
