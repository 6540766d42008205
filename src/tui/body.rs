//! Bodies for the inspector: JSON pretty-printed, forms as one field a line, anything else as
//! text. Formatted once when the event arrives, so drawing a frame never re-parses a body.
//! Values under secret-looking keys are masked here; secret values are masked when drawn.

use crate::redact::rules::is_secret_field;
use crate::redact::REDACTED;

/// Longer strings (base64 document images) are cut: the screen cannot show 13 MB anyway.
const MAX_STRING_CHARS: usize = 160;
const MAX_LINES: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
    Text,
    Empty,
}

impl BodyKind {
    pub fn word(self) -> &'static str {
        match self {
            BodyKind::Json => "JSON",
            BodyKind::Form => "form",
            BodyKind::Text => "text",
            BodyKind::Empty => "empty",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BodyView {
    pub kind: BodyKind,
    pub lines: Vec<String>,
    /// Size of the body as sent or received.
    pub bytes: usize,
}

pub fn format_body(body: &str, content_type: Option<&str>) -> BodyView {
    let bytes = body.len();
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return BodyView {
            kind: BodyKind::Empty,
            lines: Vec::new(),
            bytes,
        };
    }
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let looks_json = trimmed.starts_with('{') || trimmed.starts_with('[');
    if ct.contains("json") || looks_json {
        if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(trimmed) {
            tidy_json(&mut value);
            let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
            return BodyView {
                kind: BodyKind::Json,
                lines: cap(pretty.lines().map(str::to_string)),
                bytes,
            };
        }
    }
    if ct.contains("x-www-form-urlencoded") || (ct.is_empty() && looks_like_form(trimmed)) {
        let lines = trimmed.split('&').filter(|p| !p.is_empty()).map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (k, v) = (percent_decode(k), percent_decode(v));
            let v = if is_secret_field(&k) {
                REDACTED.to_string()
            } else {
                shorten(&v)
            };
            format!("{k} = {v}")
        });
        return BodyView {
            kind: BodyKind::Form,
            lines: cap(lines),
            bytes,
        };
    }
    BodyView {
        kind: BodyKind::Text,
        lines: cap(body.lines().map(shorten)),
        bytes,
    }
}

fn cap(lines: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = lines.take(MAX_LINES + 1).collect();
    if out.len() > MAX_LINES {
        out.truncate(MAX_LINES);
        out.push(format!("… (cut after {MAX_LINES} lines)"));
    }
    out
}

/// Masks secret-looking keys and shortens huge strings, recursively.
fn tidy_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_field(k) && !v.is_null() {
                    *v = serde_json::Value::String(REDACTED.into());
                } else {
                    tidy_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(tidy_json),
        serde_json::Value::String(s) if s.chars().count() > MAX_STRING_CHARS => {
            *s = shorten(s);
        }
        _ => {}
    }
}

fn shorten(s: &str) -> String {
    let n = s.chars().count();
    if n <= MAX_STRING_CHARS {
        return s.to_string();
    }
    let head: String = s.chars().take(60).collect();
    format!("{head}… ({n} chars)")
}

fn looks_like_form(s: &str) -> bool {
    !s.contains(char::is_whitespace)
        && s.split('&').all(|p| {
            p.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-.[]%".contains(c))
            })
        })
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_pretty_printed_with_secret_keys_masked() {
        let b = format_body(r#"{"access_token":"abc","n":1}"#, Some("application/json"));
        assert_eq!(b.kind, BodyKind::Json);
        let text = b.lines.join("\n");
        assert!(text.contains(r#""access_token": "[REDACTED]""#), "{text}");
        assert!(text.contains(r#""n": 1"#), "{text}");
    }

    #[test]
    fn forms_are_one_field_a_line() {
        let b = format_body(
            "grant_type=client_credentials&client_secret=s3cr%21t&scope=a+b",
            None,
        );
        assert_eq!(b.kind, BodyKind::Form);
        assert_eq!(
            b.lines,
            vec![
                "grant_type = client_credentials",
                "client_secret = [REDACTED]",
                "scope = a b"
            ]
        );
    }

    #[test]
    fn huge_strings_are_cut() {
        let big = "A".repeat(10_000);
        let b = format_body(&format!(r#"{{"front_image":"{big}"}}"#), None);
        assert!(b.lines.join("").contains("(10000 chars)"));
    }

    #[test]
    fn percent_decoding_survives_truncated_escapes() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("a%zz"), "a%zz");
        assert_eq!(percent_decode("%41%42"), "AB");
    }
}
