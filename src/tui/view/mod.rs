//! Drawing. Every function here reads the app and writes into the frame; none changes state.
//! The layout is a pure function of the terminal size, so mouse hit-testing uses the same rects.

pub mod exchanges;
pub mod footer;
pub mod format;
pub mod header;
pub mod help;
pub mod inspector;
pub mod log;
pub mod picker;
pub mod popup;
pub mod profile_form;
pub mod provider_details;
pub mod stages;
pub mod text;
pub mod timeline;

use super::app::{App, Pane, Popup};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};
use ratatui::Frame;
pub use text::{fit, pad, wrap_hanging};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Where each pane goes on a screen of a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub header: Rect,
    pub stages: Rect,
    pub timeline: Rect,
    pub log: Rect,
    pub exchanges: Rect,
    pub inspector: Rect,
    pub footer: Rect,
}

impl Panes {
    /// `None` below the minimum size.
    pub fn compute(width: u16, height: u16) -> Option<Panes> {
        if width < MIN_WIDTH || height < MIN_HEIGHT {
            return None;
        }
        let body_y = 2;
        let body_h = height - 3;
        let left_w = (width * 3 / 8).clamp(36, 60);
        let right_w = width - left_w;
        let stages_h = 10;
        let timeline_h = if body_h >= 30 { 7 } else { 6 };
        let log_h = body_h - stages_h - timeline_h;
        let exchanges_h = (body_h * 35 / 100).clamp(7, 16);
        Some(Panes {
            header: Rect::new(0, 0, width, 2),
            stages: Rect::new(0, body_y, left_w, stages_h),
            timeline: Rect::new(0, body_y + stages_h, left_w, timeline_h),
            log: Rect::new(0, body_y + stages_h + timeline_h, left_w, log_h),
            exchanges: Rect::new(left_w, body_y, right_w, exchanges_h),
            inspector: Rect::new(left_w, body_y + exchanges_h, right_w, body_h - exchanges_h),
            footer: Rect::new(0, height - 1, width, 1),
        })
    }

    /// The focusable pane under a screen position.
    pub fn hit(&self, column: u16, row: u16) -> Option<Pane> {
        let p = ratatui::layout::Position::new(column, row);
        [
            (self.stages, Pane::Stages),
            (self.exchanges, Pane::Exchanges),
            (self.inspector, Pane::Inspector),
            (self.log, Pane::Log),
        ]
        .into_iter()
        .find(|(r, _)| r.contains(p))
        .map(|(_, pane)| pane)
    }
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let Some(panes) = Panes::compute(area.width, area.height) else {
        too_small(frame, area);
        return;
    };
    header::draw(frame, panes.header, app);
    stages::draw(frame, panes.stages, app);
    timeline::draw(frame, panes.timeline, app);
    log::draw(frame, panes.log, app);
    exchanges::draw(frame, panes.exchanges, app);
    inspector::draw(frame, panes.inspector, app);
    footer::draw(frame, panes.footer, app);
    match &app.popup {
        None => {}
        Some(Popup::Help) => help::draw(frame, area, app),
        Some(Popup::Providers { selected, scroll }) => {
            picker::draw_providers(frame, area, app, *selected, *scroll)
        }
        Some(Popup::Scenarios { selected }) => picker::draw_scenarios(frame, area, app, *selected),
        Some(Popup::Profile(form)) => profile_form::draw(frame, area, form),
        Some(Popup::Curl {
            command,
            note,
            redacted,
            scroll,
        }) => popup::draw_curl(frame, area, command, note, *redacted, *scroll),
        Some(Popup::Saved {
            result,
            redaction,
            while_running,
        }) => popup::draw_saved(frame, area, app, result, *redaction, *while_running),
        Some(Popup::ConfirmUnredacted) => popup::draw_confirm_unredacted(frame, area),
        Some(Popup::ConfirmOutOfOrder { stage, gaps }) => {
            popup::draw_confirm_out_of_order(frame, area, *stage, gaps)
        }
        Some(Popup::ConfirmLive { provider }) => popup::draw_confirm_live(frame, area, provider),
        Some(Popup::ConfirmKyc { request, .. }) => {
            popup::draw_confirm_kyc(frame, area, app.provider(), request)
        }
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from(Span::styled(
            "terminal too small",
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(format!(
            "{}x{} here; rampsim needs at least {MIN_WIDTH}x{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::from("enlarge the window, or press q to quit"),
    ];
    let top = area.height.saturating_sub(text.len() as u16) / 2;
    let rect = Rect::new(area.x, area.y + top, area.width, area.height - top);
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}

/// A pane's frame: highlighted when it has the focus.
pub fn pane_block(title: String, focused: bool) -> Block<'static> {
    let (border, title_style) = if focused {
        (
            Style::default().fg(Color::Cyan),
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        )
    } else {
        (
            Style::default().fg(Color::DarkGray),
            Style::default().add_modifier(Modifier::BOLD),
        )
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(Span::styled(title, title_style))
}

/// The first row of a list of `len` rows shown `visible` at a time, keeping `selected` in view.
/// Stateless, so drawing and clicking agree.
pub fn list_offset(selected: usize, len: usize, visible: usize) -> usize {
    if visible == 0 || len <= visible {
        return 0;
    }
    selected.saturating_sub(visible - 1).min(len - visible)
}

pub const SELECTED_MARK: &str = "›";

pub fn selected_style(focused: bool) -> Style {
    if focused {
        Style::default().add_modifier(Modifier::REVERSED)
    } else {
        Style::default().bg(Color::DarkGray)
    }
}

pub fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// A drawn buffer as text, one line per row (for tests that read the screen).
#[cfg(test)]
pub(crate) fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_offset_keeps_the_selection_visible() {
        assert_eq!(list_offset(0, 10, 4), 0);
        assert_eq!(list_offset(5, 10, 4), 2);
        assert_eq!(list_offset(9, 10, 4), 6);
        assert_eq!(list_offset(3, 2, 4), 0);
    }

    #[test]
    fn no_size_panics_and_small_ones_say_so() {
        assert!(Panes::compute(79, 40).is_none());
        assert!(Panes::compute(120, 23).is_none());
        for (w, h) in [(80, 24), (81, 25), (120, 40), (200, 50), (400, 120)] {
            let p = Panes::compute(w, h).unwrap();
            for r in [
                p.header,
                p.stages,
                p.timeline,
                p.log,
                p.exchanges,
                p.inspector,
                p.footer,
            ] {
                assert!(r.right() <= w && r.bottom() <= h, "{w}x{h}: {r:?}");
                assert!(r.height > 0 && r.width > 0);
            }
        }
    }
}
