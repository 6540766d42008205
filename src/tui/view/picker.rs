//! The provider and scenario pickers: a list on the left, the highlighted item in full on the
//! right. Plugins that failed to load are listed too, with why.

use super::popup::{centered, frame_popup};
use super::{dim, fit, list_offset, wrap_hanging, SELECTED_MARK};
use crate::tui::app::App;
use crate::tui::plugins::{FailedEntry, PluginEntry};
use rampsim_plugin_sdk::wire::Manifest;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

struct Areas {
    list: Rect,
    details: Rect,
    bottom: Rect,
}

fn areas(area: Rect) -> (Rect, Areas) {
    let popup = centered(area, 90, 80, 76, 20);
    let inner = Rect::new(popup.x + 1, popup.y + 1, popup.width - 2, popup.height - 2);
    let list_w = (inner.width / 3).min(28);
    let body_h = inner.height - 1;
    (
        popup,
        Areas {
            list: Rect::new(inner.x, inner.y, list_w, body_h),
            details: Rect::new(
                inner.x + list_w + 1,
                inner.y,
                inner.width - list_w - 1,
                body_h,
            ),
            bottom: Rect::new(inner.x, inner.y + body_h, inner.width, 1),
        },
    )
}

/// The list row at a screen position, if any.
pub fn row_at(area: Rect, column: u16, row: u16, selected: usize, len: usize) -> Option<usize> {
    let (_, a) = areas(area);
    if !a.list.contains(ratatui::layout::Position::new(column, row)) {
        return None;
    }
    let i = list_offset(selected, len, a.list.height as usize) + (row - a.list.y) as usize;
    (i < len).then_some(i)
}

fn list_lines(
    rows: Vec<(String, Style)>,
    selected: usize,
    height: u16,
    width: u16,
) -> Vec<Line<'static>> {
    let offset = list_offset(selected, rows.len(), height as usize);
    rows.into_iter()
        .enumerate()
        .skip(offset)
        .take(height as usize)
        .map(|(i, (text, style))| {
            let mark = if i == selected { SELECTED_MARK } else { " " };
            let line = Line::from(Span::styled(
                fit(&format!("{mark}{text}"), width as usize),
                style,
            ));
            if i == selected {
                line.patch_style(Style::default().add_modifier(Modifier::REVERSED))
            } else {
                line
            }
        })
        .collect()
}

pub fn draw_providers(frame: &mut Frame, area: Rect, app: &App, selected: usize) {
    let (popup, a) = areas(area);
    frame_popup(frame, popup, " Provider ".into());
    let Some(list) = &app.plugins else {
        frame.render_widget(
            Paragraph::new(Span::styled("looking for plugins…", dim())),
            a.list,
        );
        return;
    };
    let current = app.provider();
    let mut rows: Vec<(String, Style)> = list
        .plugins
        .iter()
        .map(|p| {
            let mark = if p.manifest.id == current { "●" } else { " " };
            (
                format!("{mark} {} {}", p.manifest.id, p.manifest.version),
                Style::default(),
            )
        })
        .collect();
    rows.extend(list.failed.iter().map(|f| {
        let name = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (format!("✗ {name}"), Style::default().fg(Color::Red))
    }));
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no plugins found", dim())),
            a.list,
        );
    } else {
        frame.render_widget(
            Paragraph::new(list_lines(rows, selected, a.list.height, a.list.width)),
            a.list,
        );
    }
    let details = match (
        list.plugins.get(selected),
        selected
            .checked_sub(list.plugins.len())
            .and_then(|i| list.failed.get(i)),
    ) {
        (Some(p), _) => plugin_details(p, a.details.width as usize),
        (None, Some(f)) => failed_details(f),
        (None, None) => Vec::new(),
    };
    frame.render_widget(
        Paragraph::new(details).wrap(Wrap { trim: false }),
        a.details,
    );
    let searched: Vec<String> = list
        .searched
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    frame.render_widget(
        Paragraph::new(Span::styled(
            fit(
                &format!("searched: {}", searched.join(", ")),
                a.bottom.width as usize,
            ),
            dim(),
        )),
        a.bottom,
    );
}

fn heading(text: &str) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD),
    ))
}

fn plugin_details(p: &PluginEntry, width: usize) -> Vec<Line<'static>> {
    let m = &p.manifest;
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(Span::styled(m.name.clone(), bold))];
    let about = format!(
        "{} {} · protocol {} · {}",
        m.id,
        m.version,
        m.protocol_version,
        p.path.display()
    );
    lines.extend(
        wrap_hanging("", &about, width)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, dim()))),
    );
    if !m.description.is_empty() {
        lines.extend(
            wrap_hanging("", &m.description, width)
                .into_iter()
                .map(Line::from),
        );
    }
    lines.push(heading("Stages"));
    for s in &m.stages {
        let what = match &s.skipped {
            Some(r) => format!("skipped: {r}"),
            None => s.label.clone(),
        };
        let prefix = format!("  {:<16} ", s.stage.as_str());
        lines.extend(
            wrap_hanging(&prefix, &what, width)
                .into_iter()
                .map(Line::from),
        );
    }
    lines.push(heading("Scenarios"));
    for s in &m.scenarios {
        lines.push(Line::from(vec![
            Span::raw(format!("  {:<20} → ", s.name)),
            Span::styled(
                s.expected_outcome.as_str().to_string(),
                Style::default().fg(super::format::outcome_color(s.expected_outcome)),
            ),
        ]));
        lines.extend(
            wrap_hanging("      ", &s.description, width)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, dim()))),
        );
    }
    lines.push(heading("Endpoints"));
    for e in &m.endpoints {
        lines.push(Line::from(fit(
            &format!("  {:<16} {}", e.name, e.live_base_url),
            width,
        )));
    }
    if !m.settings.is_empty() {
        lines.push(heading("Settings"));
        for s in &m.settings {
            let secret = if s.secret { "secret · " } else { "" };
            let prefix = format!("  {:<16} ", s.name);
            lines.extend(
                wrap_hanging(&prefix, &format!("{secret}{}", s.description), width)
                    .into_iter()
                    .map(Line::from),
            );
        }
    }
    lines
}

fn failed_details(f: &FailedEntry) -> Vec<Line<'static>> {
    vec![
        Line::from(Span::styled(
            "failed to load",
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        )),
        Line::from(Span::styled(f.path.display().to_string(), dim())),
        Line::from(""),
        Line::from(f.why.clone()),
    ]
}

pub fn draw_scenarios(frame: &mut Frame, area: Rect, app: &App, selected: usize) {
    let (popup, a) = areas(area);
    frame_popup(frame, popup, format!(" Scenario · {} ", app.provider()));
    let Some(m) = app.manifest() else {
        return;
    };
    let current = app.current_scenario();
    let rows: Vec<(String, Style)> = m
        .scenarios
        .iter()
        .map(|s| {
            let mark = if Some(&s.name) == current.as_ref() {
                "●"
            } else {
                " "
            };
            (format!("{mark} {}", s.name), Style::default())
        })
        .collect();
    frame.render_widget(
        Paragraph::new(list_lines(rows, selected, a.list.height, a.list.width)),
        a.list,
    );
    frame.render_widget(
        Paragraph::new(scenario_details(m, selected)).wrap(Wrap { trim: false }),
        a.details,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            "the sandbox's fake plays the scenario; Enter starts a new journey",
            dim(),
        )),
        a.bottom,
    );
}

fn scenario_details(m: &Manifest, selected: usize) -> Vec<Line<'static>> {
    let Some(s) = m.scenarios.get(selected) else {
        return Vec::new();
    };
    vec![
        Line::from(Span::styled(
            s.name.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(vec![
            Span::styled("expected outcome ", dim()),
            Span::styled(
                s.expected_outcome.as_str().to_string(),
                Style::default().fg(super::format::outcome_color(s.expected_outcome)),
            ),
        ]),
        Line::from(""),
        Line::from(s.description.clone()),
    ]
}
