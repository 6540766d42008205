//! Text cut to terminal columns. A wide character (CJK, most emoji) takes two columns: counted
//! as one, a line runs past its pane and the terminal cuts it there, silently.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns `s` takes on screen.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// The longest start of `s` that takes at most `columns`.
pub fn head(s: &str, columns: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += char_width(c);
        if used > columns {
            return &s[..i];
        }
    }
    s
}

/// `s` cut to `columns`, with an ellipsis when cut.
pub fn fit(s: &str, columns: usize) -> String {
    if width(s) <= columns {
        return s.to_string();
    }
    if columns == 0 {
        return String::new();
    }
    let kept = head(s, columns - 1);
    // Cut right after a shortened id (or the space after it): one ellipsis says it.
    let trimmed = kept.trim_end();
    if trimmed.ends_with('…') {
        return trimmed.to_string();
    }
    format!("{kept}…")
}

/// `s` in `columns`. When too long, ids (UUIDs) first give way to their first eight digits (the
/// whole id is in the log pane and the inspector), then the end is cut with `…`.
pub fn shorten(s: &str, columns: usize) -> String {
    if width(s) <= columns {
        return s.to_string();
    }
    fit(&short_ids(s), columns)
}

/// True when [`shorten`] to `columns` shows the first eight digits of every id it reaches:
/// none is cut off after a digit or two.
pub fn keeps_ids(s: &str, columns: usize) -> bool {
    static SHORT_ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b[0-9A-Fa-f]{8}…").expect("a valid pattern"));
    let short = short_ids(s);
    if width(&short) <= columns {
        return true;
    }
    // `fit` keeps `columns - 1` and adds its ellipsis, which can stand for the id's own.
    let kept = columns.saturating_sub(1);
    SHORT_ID.find_iter(&short).all(|id| {
        let starts = width(&short[..id.start()]);
        let digits_end = starts + 8;
        starts >= kept || digits_end <= kept
    })
}

fn short_ids(s: &str) -> Cow<'_, str> {
    static UUID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b([0-9A-Fa-f]{8})-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b",
        )
        .expect("a valid pattern")
    });
    UUID.replace_all(s, "${1}…")
}

/// `s` cut to its last `columns`, `…` first when cut (a field being typed in shows its end).
pub fn tail_fit(s: &str, columns: usize) -> String {
    if width(s) <= columns {
        return s.to_string();
    }
    if columns == 0 {
        return String::new();
    }
    let mut start = s.len();
    let mut used = 0;
    for (i, c) in s.char_indices().rev() {
        used += char_width(c);
        if used > columns - 1 {
            break;
        }
        start = i;
    }
    format!("…{}", &s[start..])
}

/// `s` cut or padded to exactly `columns` (one less when a wide character would straddle the
/// end is made up with a space).
pub fn pad(s: &str, columns: usize) -> String {
    let s = fit(s, columns);
    let fill = columns.saturating_sub(width(&s));
    format!("{s}{}", " ".repeat(fill))
}

/// `prefix` then `text` word-wrapped to `columns`, continuation lines indented under the text.
pub fn wrap_hanging(prefix: &str, text: &str, columns: usize) -> Vec<String> {
    let indent = width(prefix);
    let room = columns.saturating_sub(indent).max(8);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word = word;
        // A word longer than the room is cut where the room ends (one character at least).
        while width(word) > room {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            let mut cut = head(word, room);
            if cut.is_empty() {
                cut = &word[..word.chars().next().map_or(0, char::len_utf8)];
            }
            lines.push(cut.to_string());
            word = &word[cut.len()..];
        }
        let needed = width(&current) + usize::from(!current.is_empty()) + width(word);
        if needed > room && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    let pad = " ".repeat(indent);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{prefix}{l}")
            } else {
                format!("{pad}{l}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hanging_wrap_indents_continuations() {
        let lines = wrap_hanging("  key  ", "one two three four", 16);
        assert_eq!(lines, vec!["  key  one two", "       three", "       four"]);
        assert_eq!(wrap_hanging("", "", 10), vec![""]);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        // Six characters, twelve columns: cut to ten, with the ellipsis in the tenth.
        let tokyo = "東京都千代田";
        assert_eq!(width(tokyo), 12);
        assert_eq!(fit(tokyo, 10), "東京都千…");
        assert_eq!(width(&fit(tokyo, 10)), 9);
        // A wide character that would straddle the edge is left out, the column padded.
        assert_eq!(pad(tokyo, 10), "東京都千… ");
        assert_eq!(width(&pad(tokyo, 10)), 10);
        assert_eq!(tail_fit("丸の内一丁目▏", 8), "…一丁目▏");
        assert_eq!(fit("ascii", 5), "ascii");
        assert_eq!(fit("ascii!", 5), "asci…");
        for row in wrap_hanging("  ", "東京都千代田区丸の内一丁目九番二号 ok", 12)
        {
            assert!(width(&row) <= 12, "{row}");
        }
    }

    #[test]
    fn ids_give_way_before_the_words_after_them() {
        let s = "identity 7ca6970f-0962-4251-9703-1fcc91bf5805 created; it is PENDING";
        // Room for it all: nothing changes.
        assert_eq!(shorten(s, 80), s);
        assert_eq!(shorten(s, 40), "identity 7ca6970f… created; it is PENDI…");
        assert_eq!(shorten(s, 36), "identity 7ca6970f… created; it is P…");
        assert_eq!(shorten(s, 19), "identity 7ca6970f…");
        assert_eq!(
            shorten(s, 20),
            "identity 7ca6970f…",
            "one ellipsis after the id"
        );
        assert!(keeps_ids(s, 18) && keeps_ids(s, 80));
        assert!(!keeps_ids(s, 12), "{}", shorten(s, 12));
        assert!(keeps_ids(s, 9), "the id is not reached: {}", shorten(s, 9));
        // Hex runs that are not ids stay whole.
        assert_eq!(shorten("sha 0123456789abcdef0123 ok", 12), "sha 0123456…");
    }

    #[test]
    fn the_field_being_typed_in_shows_its_end() {
        assert_eq!(tail_fit("short▏", 10), "short▏");
        assert_eq!(
            tail_fit("full_legal_name, date_of_birth, liveness▏", 12),
            "…, liveness▏"
        );
        assert_eq!(tail_fit("abc", 0), "");
    }
}
