//! The profile form: fields grouped as in a profile file, each problem under its field.

use super::popup::{centered, frame_popup};
use super::text::tail_fit;
use super::{dim, fit, pad, wrap_hanging, SELECTED_MARK};
use crate::tui::form::{ProfileForm, FIELDS};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

const LABEL_W: usize = 28;

pub fn draw(frame: &mut Frame, area: Rect, form: &ProfileForm) {
    let rect = centered(area, 80, 90, 76, 22);
    let inner = frame_popup(frame, rect, format!(" Profile · {} ", form.name));
    let body_h = inner.height.saturating_sub(2) as usize;
    let width = inner.width as usize;
    // Every row of the form, with the field it belongs to, to scroll the selected one in view.
    let mut rows: Vec<(Option<usize>, Line<'static>)> = Vec::new();
    let mut group = "";
    for (i, field) in FIELDS.iter().enumerate() {
        let (g, name) = match field.split_once('.') {
            Some((g, n)) => (g, n),
            None => ("", *field),
        };
        if g != group {
            group = g;
            rows.push((None, Line::from(Span::styled(format!(" {g}"), dim()))));
        }
        let indent = if g.is_empty() { " " } else { "   " };
        let selected = i == form.selected;
        let mut value = form.text(i).to_string();
        if selected {
            value.push('▏');
        }
        let bad = form.problems_of(field).next().is_some();
        let label_style = if bad {
            Style::default().fg(Color::Red)
        } else {
            Style::default()
        };
        let label = pad(&format!("{indent}{name}"), LABEL_W);
        let room = width.saturating_sub(LABEL_W + 1);
        // The field being typed in shows its end, where the cursor is; the others their start.
        let shown = if selected {
            tail_fit(&value, room)
        } else {
            fit(&value, room)
        };
        let mut line = Line::from(vec![
            Span::raw(if selected { SELECTED_MARK } else { " " }),
            Span::styled(label, label_style),
            Span::raw(shown),
        ]);
        if selected {
            line = line.patch_style(Style::default().add_modifier(Modifier::REVERSED));
        }
        rows.push((Some(i), line));
        for p in form.problems_of(field) {
            let prefix = format!("{:LABEL_W$}  ✗ ", "");
            for l in wrap_hanging(&prefix, &p.message, width) {
                rows.push((
                    Some(i),
                    Line::from(Span::styled(l, Style::default().fg(Color::Red))),
                ));
            }
        }
    }
    let first_row = rows
        .iter()
        .position(|(f, _)| *f == Some(form.selected))
        .unwrap_or(0);
    let last_row = rows
        .iter()
        .rposition(|(f, _)| *f == Some(form.selected))
        .unwrap_or(0);
    let offset = if last_row + 1 > body_h {
        (last_row + 1 - body_h).min(first_row)
    } else {
        0
    };
    let lines: Vec<Line> = rows
        .into_iter()
        .skip(offset)
        .take(body_h)
        .map(|(_, l)| l)
        .collect();
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y, inner.width, body_h as u16),
    );
    let n = form.problems.len();
    let (text, style) = match &form.refused {
        Some(why) => (
            why.clone(),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        None if n > 0 => (
            format!(
                "{n} problem{} · Enter applies once every field is valid",
                if n == 1 { "" } else { "s" }
            ),
            Style::default().fg(Color::Yellow),
        ),
        None => (
            "every field is valid · Enter starts a new journey with this profile".to_string(),
            Style::default().fg(Color::Green),
        ),
    };
    frame.render_widget(
        Paragraph::new(Span::styled(fit(&text, width), style)),
        Rect::new(
            inner.x,
            inner.y + inner.height.saturating_sub(1),
            inner.width,
            1,
        ),
    );
}
