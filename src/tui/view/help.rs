//! Every key, and where the log file and saved journeys are.

use super::popup::{centered, frame_popup};
use super::{dim, wrap_hanging};
use crate::tui::app::App;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

// Each description fits one line of the narrowest popup (76 columns), so the whole help fits
// an 80x24 terminal.
const KEYS: &[(&str, &str)] = &[
    ("n, Enter", "run the next stage"),
    ("a", "run all remaining stages"),
    ("r", "run the selected stage (again, or out of order: asks)"),
    (
        "x",
        "reset: a new journey, same provider, scenario, profile",
    ),
    ("Esc", "cancel the running stage; close a popup"),
    (
        "p",
        "pick the provider (and see plugins that failed, with why)",
    ),
    ("s", "pick the scenario the sandbox plays"),
    ("e", "edit the profile (each field checked as you type)"),
    (
        "c",
        "the selected request as curl (redacted), to the clipboard",
    ),
    ("w", "save the journey (HAR, redacted) in the journeys dir"),
    ("U", "toggle real KYC values and secrets in w and c (asks)"),
    ("Tab, ←→", "move between panes"),
    ("↑↓ PgUp PgDn", "move the selection, scroll"),
    ("PgUp PgDn", "in the provider picker: scroll the details"),
    ("mouse", "wheel scrolls the pane under it; click selects"),
    ("?", "this help"),
    ("q, Ctrl-C", "quit"),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let width = (area.width * 80 / 100)
        .max(76)
        .min(area.width)
        .saturating_sub(2) as usize;
    let key_style = Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = Vec::new();
    for (key, what) in KEYS {
        let prefix = format!(" {key:<14}");
        for (i, l) in wrap_hanging(&prefix, what, width).into_iter().enumerate() {
            lines.push(if i == 0 {
                let (k, rest) = l.split_at(prefix.len());
                Line::from(vec![
                    Span::styled(k.to_string(), key_style),
                    Span::raw(rest.to_string()),
                ])
            } else {
                Line::from(l)
            });
        }
    }
    lines.push(Line::from(""));
    let files = [
        (" log file      ", app.init.log_file.display().to_string()),
        (
            " config        ",
            app.init.config_path.display().to_string(),
        ),
        (
            " journeys      ",
            app.init.journeys_dir.display().to_string(),
        ),
    ];
    for (label, path) in files {
        for (i, l) in wrap_hanging(label, &path, width).into_iter().enumerate() {
            let (head, rest) = l.split_at(label.len());
            let head = if i == 0 {
                Span::styled(head.to_string(), dim())
            } else {
                Span::raw(head.to_string())
            };
            lines.push(Line::from(vec![head, Span::raw(rest.to_string())]));
        }
    }
    let note = "RAMPSIM_LOG=debug: more detail in the log file";
    lines.extend(
        wrap_hanging(" ", note, width)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, dim()))),
    );
    // As tall as its text.
    let rect = centered(area, 80, 0, 76, lines.len() as u16 + 2);
    let inner = frame_popup(frame, rect, " Help ".into());
    frame.render_widget(Paragraph::new(lines), inner);
}
