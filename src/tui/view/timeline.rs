//! The journey along its own clock: one row per stage, the stage's span as a thin line and one
//! bar per exchange, so latency and waiting (polls, backoff) show at a glance.

use super::format::{duration_ms, status_color};
use super::{dim, pane_block};
use crate::tui::app::App;
use crate::tui::journey_state::{Exchange, StageStatus};
use rampsim_plugin_sdk::wire::Stage;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

const LABEL_W: usize = 4;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let j = &app.journey;
    // From the first stage's start: the time a prepared journey waits for its first key is
    // no part of it (the bars would all crowd at the right edge).
    let started = Stage::ALL
        .iter()
        .map(|s| j.stage(*s))
        .filter(|v| v.status != StageStatus::Pending)
        .filter_map(|v| v.started_at_ms)
        .min()
        .or(j.started_at_ms);
    let (t0, t1) = match (started, j.last_at_ms) {
        (Some(a), Some(b)) => (a, b.max(a + 1)),
        _ => (0, 1),
    };
    let title = match started {
        Some(_) if j.last_at_ms > started => {
            format!(" Timeline · {} ", duration_ms(t1 - t0))
        }
        _ => " Timeline ".to_string(),
    };
    let block = pane_block(title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let track_w = (inner.width as usize).saturating_sub(LABEL_W);
    if track_w < 2 {
        return;
    }
    let selected = app.selected_exchange().map(|x| x.id);
    let x_of = |t: i64| -> usize {
        let f = (t - t0).clamp(0, t1 - t0) as f64 / (t1 - t0) as f64;
        ((f * (track_w - 1) as f64).round() as usize).min(track_w - 1)
    };
    let mut lines: Vec<Line> = Stage::ALL
        .iter()
        .map(|stage| {
            let view = j.stage(*stage);
            let mut cells: Vec<(char, Style)> = vec![(' ', Style::default()); track_w];
            if let Some(start) = view
                .started_at_ms
                .filter(|_| view.status != StageStatus::Pending)
            {
                // A wall clock stepped back can make a duration negative: never draw backwards.
                let end = view.duration_ms.map(|d| start + d).unwrap_or(t1).max(start);
                for cell in &mut cells[x_of(start)..=x_of(end)] {
                    *cell = ('─', dim());
                }
            }
            // Bars never share a cell: a bar that would land on the previous one moves right.
            let mut next_free = 0;
            for x in j.exchanges_of(*stage) {
                let from = x_of(x.sent_at_ms).max(next_free).min(track_w - 1);
                let to = x_of(x.ended_at_ms()).max(from);
                let style = bar_style(x, selected == Some(x.id));
                let symbol = if selected == Some(x.id) { '▓' } else { '█' };
                for cell in &mut cells[from..=to] {
                    *cell = (symbol, style);
                }
                next_free = (to + 1).min(track_w - 1);
            }
            let mut spans = vec![Span::styled(format!("{:<LABEL_W$}", short(*stage)), dim())];
            spans.extend(runs(&cells));
            Line::from(spans)
        })
        .collect();
    if inner.height as usize > Stage::ALL.len() && j.last_at_ms > started {
        let end = duration_ms(t1 - t0);
        let gap = track_w.saturating_sub(1 + end.chars().count());
        lines.push(Line::from(Span::styled(
            format!("{:<LABEL_W$}0{}{end}", "", " ".repeat(gap)),
            dim(),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Cells as spans, one per run of the same symbol and style (fewer allocations per frame).
fn runs(cells: &[(char, Style)]) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        let (c, style) = cells[i];
        let n = cells[i..]
            .iter()
            .take_while(|(c2, s2)| *c2 == c && *s2 == style)
            .count();
        out.push(Span::styled(c.to_string().repeat(n), style));
        i += n;
    }
    out
}

fn short(stage: Stage) -> &'static str {
    match stage {
        Stage::Register => "reg",
        Stage::IdvPassthrough => "idv",
        Stage::AwaitKyc => "kyc",
        Stage::CreateOrder => "ord",
    }
}

fn bar_style(x: &Exchange, selected: bool) -> Style {
    let color = match (&x.response, &x.failure) {
        (Some(r), _) => status_color(r.status),
        (None, Some(_)) => Color::Red,
        (None, None) => Color::Gray,
    };
    let style = Style::default().fg(color);
    if selected {
        style.add_modifier(Modifier::BOLD)
    } else {
        style
    }
}
