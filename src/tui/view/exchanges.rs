//! The requests of the selected stage: method, path, status, latency.

use super::format::{latency_ms, status_color};
use super::{dim, fit, list_offset, pad, pane_block, selected_style, SELECTED_MARK};
use crate::tui::app::{App, Pane};
use crate::tui::journey_state::{Exchange, StageStatus};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Exchanges;
    let list = app.stage_exchanges();
    let runs = app.journey.stage(app.selected_stage).runs;
    // After a re-run the stage's list holds every run's requests: the title says which run is
    // the latest, and the rows of earlier runs are dimmed and marked.
    let title = if runs > 1 {
        format!(
            " Exchanges · {} ({}) · run {runs} ",
            app.selected_stage,
            list.len()
        )
    } else {
        format!(" Exchanges · {} ({}) ", app.selected_stage, list.len())
    };
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    if list.is_empty() {
        let view = app.journey.stage(app.selected_stage);
        let text = match view.status {
            StageStatus::Finished(crate::journey::StageState::Skipped) => {
                format!("skipped: {}", view.message)
            }
            StageStatus::Pending => "not run yet".to_string(),
            _ => "no requests".to_string(),
        };
        frame.render_widget(
            Paragraph::new(Span::styled(fit(&text, width), dim())),
            inner,
        );
        return;
    }
    let columns = Columns::for_width(width);
    let visible = inner.height.saturating_sub(1) as usize;
    let offset = list_offset(app.selected_exchange, list.len(), visible);
    let mut lines = vec![columns.header()];
    for (i, x) in list.iter().enumerate().skip(offset).take(visible) {
        let line = columns.row(x, i == app.selected_exchange, x.run < runs);
        lines.push(if i == app.selected_exchange {
            line.patch_style(selected_style(focused))
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The exchange (index in the stage's list) drawn at screen row `row`, if any.
pub fn row_at(area: Rect, row: u16, selected: usize, len: usize) -> Option<usize> {
    let first = area.y + 2; // border, then the column header
    let bottom = area.bottom().saturating_sub(1);
    if row < first || row >= bottom {
        return None;
    }
    let visible = (bottom - first) as usize;
    let i = list_offset(selected, len, visible) + (row - first) as usize;
    (i < len).then_some(i)
}

struct Columns {
    show_id: bool,
    path: usize,
}

impl Columns {
    fn for_width(width: usize) -> Columns {
        // marker 1, id 4, method 7, status 7, latency 10
        let show_id = width >= 60;
        let fixed = 1 + if show_id { 4 } else { 0 } + 7 + 7 + 10;
        Columns {
            show_id,
            path: width.saturating_sub(fixed).max(8),
        }
    }

    fn header(&self) -> Line<'static> {
        let mut s = String::from(" ");
        if self.show_id {
            s.push_str("  # ");
        }
        s.push_str(&format!(
            "{:<7}{}{:>7}{:>10}",
            "method",
            pad("path", self.path),
            "status",
            "latency"
        ));
        Line::from(Span::styled(s, dim()))
    }

    fn row(&self, x: &Exchange, selected: bool, earlier_run: bool) -> Line<'static> {
        let mut spans = vec![Span::raw(if selected { SELECTED_MARK } else { " " })];
        if self.show_id {
            spans.push(Span::styled(format!("{:>3} ", x.id), dim()));
        }
        let mut path = if x.attempt > 1 {
            format!("{} (try {})", x.path, x.attempt)
        } else {
            x.path.clone()
        };
        if earlier_run {
            path = format!("(run {}) {path}", x.run);
        }
        let (status, color) = match (&x.response, &x.failure) {
            (Some(r), _) => (r.status.to_string(), status_color(r.status)),
            (None, Some(_)) => ("ERR".to_string(), Color::Red),
            (None, None) => ("…".to_string(), Color::DarkGray),
        };
        let latency = x.latency_ms().map(latency_ms).unwrap_or_default();
        spans.push(Span::raw(format!("{:<7}", fit(&x.method, 6))));
        spans.push(Span::raw(pad(&path, self.path)));
        spans.push(Span::styled(
            format!("{status:>7}"),
            Style::default().fg(color),
        ));
        spans.push(Span::styled(format!("{latency:>10}"), dim()));
        let line = Line::from(spans);
        if earlier_run {
            line.patch_style(dim())
        } else {
            line
        }
    }
}
