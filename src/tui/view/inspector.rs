//! The selected exchange in full: URL, headers (credentials masked), bodies pretty-printed,
//! timing. Scrolls by line; long lines wrap.

use super::format::{latency_ms, reason, status_color};
use super::{dim, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::body::BodyView;
use crate::tui::journey_state::Exchange;
use crate::tui::redact::mask_header;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Title,
    Meta,
    Heading,
    Header,
    Body,
    Blank,
    Error,
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Pane::Inspector;
    let Some(x) = app.selected_exchange() else {
        let block = pane_block(" Inspector ".into(), focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new(Span::styled("select a request to see it here", dim())),
            inner,
        );
        return;
    };
    let content = content(x, app.journey.started_at_ms);
    let scroll = app.inspector_scroll.min(content.len().saturating_sub(1));
    let more = if content.len() > 1 {
        format!(" · line {}/{}", scroll + 1, content.len())
    } else {
        String::new()
    };
    let block = pane_block(format!(" Inspector · #{}{more} ", x.id), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let status = x.response.as_ref().map(|r| r.status);
    let lines: Vec<Line> = content
        .iter()
        .skip(scroll)
        .take(inner.height as usize)
        .map(|(kind, text)| styled(*kind, app.redactor.redact_str(text), status))
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// How many lines the inspector has for `x` (the scroll range).
pub fn line_count(x: &Exchange) -> usize {
    content(x, None).len()
}

fn styled(kind: Kind, text: String, status: Option<u16>) -> Line<'static> {
    let style = match kind {
        Kind::Title => Style::default().add_modifier(Modifier::BOLD),
        Kind::Meta | Kind::Blank => dim(),
        Kind::Heading => {
            let color = if text.starts_with("Response") {
                status.map(status_color).unwrap_or(Color::Cyan)
            } else {
                Color::Cyan
            };
            Style::default().fg(color).add_modifier(Modifier::BOLD)
        }
        Kind::Header => Style::default(),
        Kind::Body => Style::default().fg(Color::Gray),
        Kind::Error => Style::default().fg(Color::Red),
    };
    Line::from(Span::styled(text, style))
}

fn content(x: &Exchange, journey_start: Option<i64>) -> Vec<(Kind, String)> {
    let mut out = Vec::with_capacity(32);
    out.push((Kind::Title, format!("{} {}", x.method, x.path)));
    out.push((Kind::Header, x.url.clone()));
    let mut meta = format!(
        "{} · endpoint {} · attempt {}",
        x.stage, x.endpoint, x.attempt
    );
    if let Some(t0) = journey_start {
        meta.push_str(&format!(
            " · sent at +{}",
            super::format::duration_ms(x.sent_at_ms - t0)
        ));
    }
    if let Some(l) = x.latency_ms() {
        meta.push_str(&format!(" · latency {}", latency_ms(l)));
    }
    out.push((Kind::Meta, meta));
    out.push((Kind::Blank, String::new()));
    out.push((
        Kind::Heading,
        format!("Request headers ({})", x.headers.len()),
    ));
    headers(&mut out, &x.headers);
    if let Some(body) = &x.body {
        body_lines(&mut out, "Request body", body);
    }
    out.push((Kind::Blank, String::new()));
    match (&x.response, &x.failure) {
        (Some(r), _) => {
            out.push((
                Kind::Heading,
                format!(
                    "Response {} {} · {}",
                    r.status,
                    reason(r.status),
                    latency_ms(r.latency_ms)
                ),
            ));
            headers(&mut out, &r.headers);
            body_lines(&mut out, "Response body", &r.body);
        }
        (None, Some(f)) => {
            out.push((
                Kind::Error,
                format!(
                    "No response after {}: {}{}",
                    latency_ms(f.latency_ms),
                    f.error,
                    if f.will_retry { " (retrying)" } else { "" }
                ),
            ));
        }
        (None, None) => out.push((Kind::Meta, "waiting for the response…".into())),
    }
    out
}

fn headers(out: &mut Vec<(Kind, String)>, headers: &[(String, String)]) {
    for (name, value) in headers {
        out.push((
            Kind::Header,
            format!("  {name}: {}", mask_header(name, value)),
        ));
    }
}

fn body_lines(out: &mut Vec<(Kind, String)>, title: &str, body: &BodyView) {
    out.push((
        Kind::Heading,
        format!("{title} · {} · {} bytes", body.kind.word(), body.bytes),
    ));
    for line in &body.lines {
        out.push((Kind::Body, format!("  {line}")));
    }
}
