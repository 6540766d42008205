//! Popup frames, and the small popups: the curl command, a saved journey, and the questions
//! (LIVE provider, KYC data to a live provider, unredacted exports).

use super::{dim, wrap_hanging};
use crate::transcript::Redaction;
use crate::tui::app::App;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use std::path::PathBuf;

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

pub fn draw_curl(frame: &mut Frame, area: Rect, command: &str, note: &str, redacted: bool) {
    let rect = centered(area, 85, 70, 76, 16);
    let title = if redacted {
        " Request as curl (redacted) "
    } else {
        " Request as curl (UNREDACTED: real secrets and KYC data) "
    };
    let inner = frame_popup(frame, rect, title.into());
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

/// Where `w` put the journey (the whole path, wrapped), or why it could not.
pub fn draw_saved(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    result: &Result<PathBuf, String>,
    redaction: Redaction,
) {
    let rect = centered(area, 70, 0, 64, 0);
    let width = rect.width.saturating_sub(2) as usize;
    let red = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = Vec::new();
    let wrapped = |lines: &mut Vec<Line>, prefix: &str, text: &str, style: Style| {
        for l in wrap_hanging(prefix, text, width) {
            lines.push(Line::from(Span::styled(l, style)));
        }
    };
    let title = match result {
        Ok(path) => {
            let saved = match redaction {
                Redaction::Redacted => "Saved as a HAR transcript (redacted) to:",
                Redaction::Unredacted => "Saved UNREDACTED as a HAR transcript to:",
            };
            lines.push(Line::from(saved));
            // Cut anywhere, not at spaces: the path must read back exactly.
            let path = path.display().to_string();
            let chars: Vec<char> = path.chars().collect();
            for chunk in chars.chunks(width.max(1)) {
                lines.push(Line::from(Span::styled(
                    chunk.iter().collect::<String>(),
                    Style::default().add_modifier(Modifier::BOLD),
                )));
            }
            if redaction == Redaction::Unredacted {
                lines.push(Line::from(""));
                wrapped(
                    &mut lines,
                    "",
                    "It contains real secrets and KYC data (the file says so too): do not share it.",
                    red,
                );
            }
            " Journey saved "
        }
        Err(e) => {
            wrapped(&mut lines, "", e, red);
            lines.push(Line::from(""));
            let hint = format!(
                "journeys_dir in {} sets where journeys are saved.",
                app.init.config_path.display()
            );
            wrapped(&mut lines, "", &hint, dim());
            " Could not save the journey "
        }
    };
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled("Esc or Enter closes", dim())));
    let rect = centered(area, 70, 0, 64, lines.len() as u16 + 2);
    let inner = frame_popup(frame, rect, title.into());
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn draw_confirm_unredacted(frame: &mut Frame, area: Rect) {
    let rect = centered(area, 60, 30, 64, 10);
    let inner = frame_popup(frame, rect, " Unredacted exports ".into());
    let red = Style::default().fg(Color::Red).add_modifier(Modifier::BOLD);
    let lines = vec![
        Line::from(Span::styled(
            "Export real KYC values and secrets? (y/n)",
            red,
        )),
        Line::from(""),
        Line::from("Until U is pressed again, w saves transcripts and c copies curl"),
        Line::from("commands with the real names, dates of birth, document and tax"),
        Line::from("numbers, API keys and tokens. The header shows UNREDACTED."),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", red),
            Span::raw(" export real values   "),
            Span::styled("n", Style::default().add_modifier(Modifier::BOLD)),
            Span::styled(" keep redacting", dim()),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
