//! The app's own events, newest at the bottom.

use super::{dim, fit, pane_block};
use crate::tui::app::{App, Pane};
use rampsim_plugin_sdk::wire::LogLevel;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Log;
    let title = if app.log_scroll > 0 {
        format!(" Log · {} newer below ", app.log_scroll)
    } else {
        " Log ".to_string()
    };
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let visible = inner.height as usize;
    let end = app.log.len().saturating_sub(app.log_scroll);
    let start = end.saturating_sub(visible);
    let width = inner.width as usize;
    let lines: Vec<Line> = app
        .log
        .range(start..end)
        .map(|l| {
            let style = match l.level {
                LogLevel::Debug => dim(),
                LogLevel::Info => Style::default(),
                LogLevel::Warn => Style::default().fg(Color::Yellow),
                LogLevel::Error => Style::default().fg(Color::Red),
            };
            Line::from(Span::styled(fit(&l.text, width), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
