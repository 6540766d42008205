//! The app's own events, newest at the bottom.

use super::{dim, pane_block};
use crate::tui::app::{App, Pane};
use rampsim_plugin_sdk::wire::LogLevel;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Log;
    let inner = pane_block(String::new(), focused).inner(area);
    // A resize can lower the furthest scroll below the one kept: the title counts what shows.
    let max = max_scroll(app, area);
    let scroll = app.log_scroll.min(max);
    let title = if scroll > 0 {
        format!(" Log · {scroll} newer below ")
    } else {
        " Log ".to_string()
    };
    frame.render_widget(pane_block(title, focused), area);
    let visible = inner.height as usize;
    let end = app.log.len().saturating_sub(scroll);
    let width = inner.width as usize;
    // Newest at the bottom; a long line wraps (an outcome's reasons and next step are what the
    // operator reads here), its continuation rows indented.
    let mut rows: Vec<Line> = Vec::new();
    for l in app.log.range(..end).rev() {
        if rows.len() >= visible {
            break;
        }
        let style = match l.level {
            LogLevel::Debug => dim(),
            LogLevel::Info => Style::default(),
            LogLevel::Warn => Style::default().fg(Color::Yellow),
            LogLevel::Error => Style::default().fg(Color::Red),
        };
        let mut wrapped = wrap(&l.text, width);
        if rows.is_empty() && wrapped.len() > visible {
            // An entry longer than the pane: its start (the outcome, the stage) matters most;
            // the rest is in the log file.
            wrapped.truncate(visible);
            if let Some(last) = wrapped.last_mut() {
                // Room for the ellipsis, in columns.
                *last = super::text::fit(&format!("{last}…"), width);
                if !last.ends_with('…') {
                    last.push('…');
                }
            }
        }
        for row in wrapped.into_iter().rev() {
            rows.push(Line::from(Span::styled(row, style)));
        }
    }
    if scroll > 0 && scroll == max {
        // At the top: the oldest line whole at the top; the newest one shown may run on below
        // the edge (one Down shows it whole).
        rows.reverse();
        rows.truncate(visible);
    } else {
        rows.truncate(visible);
        rows.reverse();
    }
    frame.render_widget(Paragraph::new(rows), inner);
}

/// The furthest the log pane in `area` scrolls up: the oldest line at the top of a full pane
/// (none when all the lines fit), so scrolling up never leaves blank rows to scroll back.
pub fn max_scroll(app: &App, area: Rect) -> usize {
    let inner = pane_block(String::new(), false).inner(area);
    let (visible, width) = (inner.height as usize, inner.width as usize);
    let mut rows = 0;
    for (i, line) in app.log.iter().enumerate() {
        rows += wrap(&line.text, width).len();
        if rows >= visible {
            // Lines 0..=i fill the pane: the ones after them are below.
            return app.log.len() - (i + 1);
        }
    }
    0
}

/// `text` in rows of at most `width` columns (a wide character takes two), broken at spaces
/// where it can be; rows after the first start with two spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    const INDENT: &str = "  ";
    if width <= INDENT.len() + 1 {
        return vec![super::text::fit(text, width)];
    }
    let mut rows = Vec::new();
    let mut rest = text;
    let mut room = width;
    while super::text::width(rest) > room {
        // The longest start that fits, then back to its last space, or mid-word when a word
        // is longer than a row (at least one character, so a character wider than the row
        // cannot stall the loop).
        let mut fits = super::text::head(rest, room).len();
        if fits == 0 {
            fits = rest.chars().next().map_or(rest.len(), char::len_utf8);
        }
        let cut = rest[..fits]
            .rfind(' ')
            .filter(|i| *i > 0)
            .map_or(fits, |i| i + 1);
        rows.push(rest[..cut].trim_end().to_string());
        rest = &rest[cut..];
        room = width - INDENT.len();
    }
    rows.push(rest.to_string());
    for r in rows.iter_mut().skip(1) {
        r.insert_str(0, INDENT);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_lines_wrap_at_spaces_and_nothing_is_lost() {
        let text = "next step: L2: the document check needs a photo ID and a selfie";
        let rows = wrap(text, 20);
        assert!(rows.iter().all(|r| r.chars().count() <= 20), "{rows:?}");
        assert_eq!(rows[0], "next step: L2: the");
        assert!(rows[1..].iter().all(|r| r.starts_with("  ")), "{rows:?}");
        let joined: Vec<&str> = rows.iter().map(|r| r.trim()).collect();
        assert_eq!(joined.join(" "), text);
        assert_eq!(wrap("short", 20), vec!["short"]);
        let long_word = wrap("abcdefghijklmnopqrstuvwxyz", 10);
        assert_eq!(long_word, vec!["abcdefghij", "  klmnopqr", "  stuvwxyz"]);
    }

    #[test]
    fn wide_characters_wrap_by_the_columns_they_take() {
        // Eight two-column characters take sixteen columns: two rows of ten columns at most.
        let rows = wrap("グラントウッド様の審査", 10);
        assert!(
            rows.iter().all(|r| crate::tui::view::text::width(r) <= 10),
            "{rows:?}"
        );
        assert_eq!(rows.concat().replace(' ', ""), "グラントウッド様の審査");
        // A character wider than the room left still moves on.
        assert_eq!(wrap("ab 界", 4), vec!["ab", "  界"]);
    }
}
