//! Popup frames, and the small popups: the curl command and the LIVE confirmation.

use super::dim;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// A rectangle `percent_w` x `percent_h` of `area` (at least `min_w` x `min_h`), centred.
pub fn centered(area: Rect, percent_w: u16, percent_h: u16, min_w: u16, min_h: u16) -> Rect {
    let w = (area.width * percent_w / 100).max(min_w).min(area.width);
    let h = (area.height * percent_h / 100).max(min_h).min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears `rect` and draws a popup frame; returns the inside.
pub fn frame_popup(frame: &mut Frame, rect: Rect, title: String) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::default().fg(Color::Cyan))
        .title(Span::styled(
            title,
            Style::default().add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

pub fn draw_curl(frame: &mut Frame, area: Rect, command: &str, note: &str) {
    let rect = centered(area, 85, 70, 76, 16);
    let inner = frame_popup(frame, rect, " Request as curl (redacted) ".into());
    let text_h = inner.height.saturating_sub(2);
    let lines: Vec<Line> = command.lines().map(|l| Line::from(l.to_string())).collect();
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }),
        Rect::new(inner.x, inner.y, inner.width, text_h),
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            note.to_string(),
            Style::default().fg(Color::Green),
        ))
        .wrap(Wrap { trim: true }),
        Rect::new(
            inner.x,
            inner.y + text_h,
            inner.width,
            inner.height - text_h,
        ),
    );
}

pub fn draw_confirm_live(frame: &mut Frame, area: Rect, provider: &str) {
    let rect = centered(area, 60, 30, 64, 9);
    let inner = frame_popup(frame, rect, " LIVE provider ".into());
    let red = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
    let lines = vec![
        Line::from(Span::styled(
            format!("{provider} is configured mode = \"live\"."),
            red,
        )),
        Line::from(""),
        Line::from("A journey sends real requests with the profile's real KYC data"),
        Line::from("to the provider, with the credentials from your environment."),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", red),
            Span::raw(" send to the live provider   "),
            Span::styled("n", Style::default().add_modifier(Modifier::BOLD)),
            Span::styled(" stay (pick another provider with p)", dim()),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn draw_confirm_kyc(frame: &mut Frame, area: Rect, provider: &str, request: &str) {
    let rect = centered(area, 60, 30, 64, 9);
    let inner = frame_popup(frame, rect, " Send KYC data? ".into());
    let red = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
    let lines = vec![
        Line::from(Span::styled(
            format!("{provider} is LIVE. The next request carries the profile's KYC data:"),
            red,
        )),
        Line::from(""),
        Line::from(request.to_string()),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", red),
            Span::raw(" send it   "),
            Span::styled("n", Style::default().add_modifier(Modifier::BOLD)),
            Span::styled(" do not send (the stage fails, nothing leaves)", dim()),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
