//! Numbers as the screen shows them: short, fixed-ish width.

use rampsim_plugin_sdk::wire::Outcome;
use ratatui::style::Color;

/// At most six characters: `850 ms`, `12.4 s`, `20m03s`, `2h05m`.
pub fn duration_ms(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("{}m{:02}s", ms / 60_000, ms % 60_000 / 1000)
    } else {
        format!("{}h{:02}m", ms / 3_600_000, ms % 3_600_000 / 60_000)
    }
}

pub fn latency_ms(ms: f64) -> String {
    if ms < 1_000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

pub fn status_color(status: u16) -> Color {
    match status {
        200..=299 => Color::Green,
        300..=399 => Color::Cyan,
        400..=499 => Color::Yellow,
        _ => Color::Red,
    }
}

pub fn outcome_color(outcome: Outcome) -> Color {
    match outcome {
        Outcome::OrderCreated => Color::Green,
        Outcome::Rejected | Outcome::Failed => Color::Red,
        Outcome::ActionRequired | Outcome::TimedOut => Color::Yellow,
    }
}

/// The reason phrase of the statuses providers use.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_stay_short() {
        for (ms, s) in [
            (0, "0 ms"),
            (999, "999 ms"),
            (1_234, "1.2 s"),
            (1_203_000, "20m03s"),
            (7_500_000, "2h05m"),
        ] {
            assert_eq!(duration_ms(ms), s);
            assert!(s.len() <= 6);
        }
    }
}
