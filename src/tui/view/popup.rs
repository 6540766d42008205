//! Popup frames, and the small popups: the curl command, a saved journey, and the questions
//! (LIVE provider, KYC data to a live provider, unredacted exports, a stage run out of order).

use super::{dim, wrap_hanging};
use crate::transcript::Redaction;
use crate::tui::app::App;
use crate::tui::out_of_order::{question, Gap};
use rampsim_plugin_sdk::wire::Stage;
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

/// The curl popup's text cut into rows of its width (not by word, so the count is exact: what
/// is below the popup's edge is reached by scrolling), and how many rows it shows.
pub fn curl_rows(command: &str, area: Rect) -> (Vec<String>, usize) {
    let rect = centered(area, 85, 70, 76, 16);
    let text_w = rect.width.saturating_sub(2).max(1) as usize;
    let text_h = rect.height.saturating_sub(4) as usize;
    let cut = command
        .lines()
        .flat_map(|l| {
            let chars: Vec<char> = l.chars().collect();
            if chars.is_empty() {
                return vec![String::new()];
            }
            chars
                .chunks(text_w)
                .map(|c| c.iter().collect::<String>())
                .collect()
        })
        .collect();
    (cut, text_h)
}

/// The furthest the curl popup scrolls.
pub fn curl_max_scroll(command: &str, area: Rect) -> usize {
    let (cut, text_h) = curl_rows(command, area);
    cut.len().saturating_sub(text_h)
}

pub fn draw_curl(
    frame: &mut Frame,
    area: Rect,
    command: &str,
    note: &str,
    redacted: bool,
    scroll: usize,
) {
    let rect = centered(area, 85, 70, 76, 16);
    let (cut, text_h) = curl_rows(command, area);
    let rows = cut.len();
    let scroll = scroll.min(rows.saturating_sub(text_h));
    let mut title = if redacted {
        " Request as curl (redacted)".to_string()
    } else {
        " Request as curl (UNREDACTED: real secrets and KYC data)".to_string()
    };
    if rows > text_h {
        title.push_str(&format!(
            " · rows {}-{} of {rows} · ↑↓ scroll",
            scroll + 1,
            (scroll + text_h).min(rows)
        ));
    }
    title.push(' ');
    let inner = frame_popup(frame, rect, title);
    let text_h = inner.height.saturating_sub(2);
    let lines: Vec<Line> = cut
        .into_iter()
        .skip(scroll)
        .take(text_h as usize)
        .map(Line::from)
        .collect();
    frame.render_widget(
        Paragraph::new(lines),
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
    while_running: bool,
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
            if while_running {
                lines.push(Line::from(""));
                wrapped(
                    &mut lines,
                    "",
                    "The journey was still running: the file ends where it stood then (w again once it ends saves the whole of it).",
                    dim(),
                );
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

pub fn draw_confirm_out_of_order(frame: &mut Frame, area: Rect, stage: Stage, gaps: &[Gap]) {
    let rect = centered(area, 60, 0, 64, 0);
    let width = rect.width.saturating_sub(2) as usize;
    let yellow = Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    let (said, asked) = question(stage, gaps);
    let mut lines: Vec<Line> = Vec::new();
    for text in &said {
        for row in wrap_hanging("", text, width) {
            lines.push(Line::from(row));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(asked, yellow)));
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled("y", yellow),
        Span::raw(format!(" run {stage}   ")),
        Span::styled("n", Style::default().add_modifier(Modifier::BOLD)),
        Span::styled(" do not run", dim()),
    ]));
    let rect = centered(area, 60, 0, 64, lines.len() as u16 + 2);
    let inner = frame_popup(frame, rect, " Run out of order? ".into());
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod curl_tests {
    use super::draw_curl;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn screen(command: &str, scroll: usize) -> String {
        let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
        t.draw(|f| draw_curl(f, f.area(), command, "copied", true, scroll))
            .unwrap();
        super::super::buffer_text(t.backend().buffer())
    }

    #[test]
    fn a_long_command_scrolls_to_its_last_row_and_no_further() {
        let command: String = (1..=60).map(|i| format!("line-{i:02} \\\n")).collect();
        let top = screen(&command, 0);
        assert!(top.contains("line-01") && !top.contains("line-60"), "{top}");
        assert!(top.contains("rows 1-"), "{top}");
        let bottom = screen(&command, 1000);
        assert!(
            bottom.contains("line-60") && !bottom.contains("line-01"),
            "{bottom}"
        );
        assert!(bottom.contains("of 60"), "{bottom}");
        // A short one has nothing to scroll and says nothing about it.
        let short = screen("curl -X 'GET' 'http://x'", 5);
        assert!(
            short.contains("curl -X 'GET'") && !short.contains("scroll"),
            "{short}"
        );
    }
}
