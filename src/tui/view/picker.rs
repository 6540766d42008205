//! The provider and scenario pickers: a list on the left, the highlighted item in full on the
//! right. Plugins that failed to load are listed too, with why. A provider's details can be
//! longer than the popup: they scroll (PgUp PgDn, the wheel over them), and the title says so.

use super::popup::{centered, frame_popup};
use super::provider_details;
use super::{dim, fit, list_offset, SELECTED_MARK};
use crate::tui::app::App;
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
    // Saturating: a terminal can report a size too small for any popup (0x0 included).
    let inner = Rect::new(
        popup.x + 1,
        popup.y + 1,
        popup.width.saturating_sub(2),
        popup.height.saturating_sub(2),
    );
    let list_w = (inner.width / 3).min(28);
    let body_h = inner.height.saturating_sub(1);
    (
        popup,
        Areas {
            list: Rect::new(inner.x, inner.y, list_w, body_h),
            details: Rect::new(
                inner.x + list_w + 1,
                inner.y,
                inner.width.saturating_sub(list_w + 1),
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

/// The provider picker's details for list row `selected`, one line a row, and how many rows
/// show: what is below the popup's edge is reached by scrolling.
pub fn provider_rows(app: &App, selected: usize, area: Rect) -> (Vec<Line<'static>>, usize) {
    let (_, a) = areas(area);
    let rows = app.plugins.as_ref().map_or_else(Vec::new, |list| {
        provider_details::rows(list, selected, a.details.width as usize)
    });
    (rows, a.details.height as usize)
}

/// The furthest the provider picker's details scroll.
pub fn provider_max_scroll(app: &App, selected: usize, area: Rect) -> usize {
    let (rows, visible) = provider_rows(app, selected, area);
    rows.len().saturating_sub(visible)
}

/// Whether a screen position is over the picker's details (the wheel scrolls them there).
pub fn in_details(area: Rect, column: u16, row: u16) -> bool {
    let (_, a) = areas(area);
    a.details
        .contains(ratatui::layout::Position::new(column, row))
}

pub fn draw_providers(frame: &mut Frame, area: Rect, app: &App, selected: usize, scroll: usize) {
    let (popup, a) = areas(area);
    let (details, visible) = provider_rows(app, selected, area);
    let total = details.len();
    let scroll = scroll.min(total.saturating_sub(visible));
    let mut title = " Provider ".to_string();
    if total > visible {
        // As the curl popup says it: there is more, and how to reach it.
        title.push_str(&format!(
            "· rows {}-{} of {total} · PgUp PgDn scroll ",
            scroll + 1,
            scroll + visible
        ));
    }
    frame_popup(frame, popup, title);
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
    let shown: Vec<Line> = details.into_iter().skip(scroll).take(visible).collect();
    frame.render_widget(Paragraph::new(shown), a.details);
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
