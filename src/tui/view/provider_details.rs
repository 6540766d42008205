//! The provider picker's right side: the highlighted plugin in full (stages, scenarios,
//! endpoints, settings), or why a library failed to load. One line a screen row, so the picker
//! knows exactly how far it scrolls.

use super::dim;
use super::text::{fit, pad, width, wrap_hanging};
use crate::tui::plugins::{FailedEntry, PluginEntry, PluginList};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// The rows for list row `selected` (plugins first, then the failed libraries), `columns` wide.
pub fn rows(list: &PluginList, selected: usize, columns: usize) -> Vec<Line<'static>> {
    match (
        list.plugins.get(selected),
        selected
            .checked_sub(list.plugins.len())
            .and_then(|i| list.failed.get(i)),
    ) {
        (Some(p), _) => plugin(p, columns),
        (None, Some(f)) => failed(f, columns),
        (None, None) => Vec::new(),
    }
}

fn heading(text: &str, columns: usize) -> Line<'static> {
    Line::from(Span::styled(
        fit(text, columns),
        Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD),
    ))
}

fn wrapped(prefix: &str, text: &str, columns: usize, style: Style) -> Vec<Line<'static>> {
    // A prefix (a long setting name) that leaves less than a word's room goes on a row of its
    // own, cut to the pane, and the text under it: no row runs past the pane.
    let (first, prefix) = if width(prefix) + 8 > columns {
        (Some(fit(prefix.trim_end(), columns)), "    ")
    } else {
        (None, prefix)
    };
    first
        .into_iter()
        .chain(wrap_hanging(prefix, text, columns))
        .map(|l| Line::from(Span::styled(fit(&l, columns), style)))
        .collect()
}

fn plugin(p: &PluginEntry, columns: usize) -> Vec<Line<'static>> {
    let m = &p.manifest;
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut lines = wrapped("", &m.name, columns, bold);
    let about = format!(
        "{} {} · protocol {} · {}",
        m.id,
        m.version,
        m.protocol_version,
        p.path.display()
    );
    lines.extend(wrapped("", &about, columns, dim()));
    if !m.description.is_empty() {
        lines.extend(wrapped("", &m.description, columns, Style::default()));
    }
    lines.push(heading("Stages", columns));
    for s in &m.stages {
        let what = match &s.skipped {
            Some(r) => format!("skipped: {r}"),
            None => s.label.clone(),
        };
        let prefix = format!("  {:<16} ", s.stage.as_str());
        lines.extend(wrapped(&prefix, &what, columns, Style::default()));
    }
    lines.push(heading("Scenarios", columns));
    for s in &m.scenarios {
        let outcome = s.expected_outcome.as_str();
        // Names line up in 20 columns; a longer one keeps what room the outcome leaves.
        let room = columns.saturating_sub(5 + width(outcome));
        let name = pad(&s.name, width(&s.name).max(20).min(room));
        lines.push(Line::from(vec![
            Span::raw(format!("  {name} → ")),
            Span::styled(
                outcome.to_string(),
                Style::default().fg(super::format::outcome_color(s.expected_outcome)),
            ),
        ]));
        lines.extend(wrapped("      ", &s.description, columns, dim()));
    }
    lines.push(heading("Endpoints", columns));
    for e in &m.endpoints {
        // Not cut: a URL too long for its column goes on rows of its own.
        let one_row = format!("  {:<16} {}", e.name, e.live_base_url);
        if width(&one_row) <= columns {
            lines.push(Line::from(one_row));
        } else {
            lines.push(Line::from(fit(&format!("  {}", e.name), columns)));
            lines.extend(wrapped("    ", &e.live_base_url, columns, Style::default()));
        }
    }
    if !m.settings.is_empty() {
        lines.push(heading("Settings", columns));
        for s in &m.settings {
            let secret = if s.secret { "secret · " } else { "" };
            let prefix = format!("  {:<16} ", s.name);
            let what = format!("{secret}{}", s.description);
            lines.extend(wrapped(&prefix, &what, columns, Style::default()));
        }
    }
    lines
}

fn failed(f: &FailedEntry, columns: usize) -> Vec<Line<'static>> {
    let red = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(Span::styled("failed to load", red))];
    lines.extend(wrapped("", &f.path.display().to_string(), columns, dim()));
    lines.push(Line::from(""));
    lines.extend(wrapped("", &f.why, columns, Style::default()));
    lines
}
