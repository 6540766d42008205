//! The keys that work right now. When they do not all fit, the least needed go first; `?` and
//! `q` always stay.

use crate::tui::app::App;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let mut keys = app.key_hints();
    let width = |keys: &[(&str, &str)]| -> usize {
        keys.iter()
            .map(|(k, l)| k.chars().count() + l.chars().count() + 3)
            .sum::<usize>()
            + 1
    };
    while width(&keys) > area.width as usize {
        match keys.iter().rposition(|(k, _)| *k != "?" && *k != "q") {
            Some(i) => {
                keys.remove(i);
            }
            None => break,
        }
    }
    let key_style = Style::default()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD);
    let mut spans = vec![Span::raw(" ")];
    for (key, label) in keys {
        spans.push(Span::styled(key, key_style));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
