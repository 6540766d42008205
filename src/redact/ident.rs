//! Identifiers the operator chose, quoted in messages: profile names, the paths of config and
//! profile files, dotted keys (`profiles.duncan.email`). They are not KYC data even when one
//! spells a value a profile holds (`[profiles.duncan]` for a Mr Duncan), so they are shown as
//! written, while the same text anywhere else (a response body, a plugin's message) is masked.
//!
//! Masking is by value, so only the message knows which occurrence is the identifier: it marks
//! it with [`ident`], and every redactor shows marked text as written and drops the marks, so
//! none leaves the process. A mark counts only around text `ident` marked: the same characters
//! around anything else (a provider's body could hold them) are dropped and what they enclose
//! is redacted as usual.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Display;
use std::sync::{LazyLock, Mutex};

/// Private-use characters: no text rampsim handles means anything by them.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Every text [`ident`] marked, so a mark around anything else can be told apart.
static MARKED: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Default::default);

/// `s` marked as an identifier, to be shown as written by every redactor.
pub fn ident(s: impl Display) -> String {
    let s = s.to_string();
    let marked = format!("{OPEN}{s}{CLOSE}");
    MARKED.lock().unwrap_or_else(|p| p.into_inner()).insert(s);
    marked
}

/// Whether `s` holds a mark: the redactor asks of every text, so one fast scan for the byte
/// both marks start with (only private-use characters start with it) comes first.
fn has_marks(s: &str) -> bool {
    s.as_bytes().contains(&0xEE) && s.contains([OPEN, CLOSE])
}

/// `s` without marks, for what is shown unredacted (the TUI's own screen).
pub fn unmarked(s: &str) -> Cow<'_, str> {
    if has_marks(s) {
        Cow::Owned(s.replace([OPEN, CLOSE], ""))
    } else {
        Cow::Borrowed(s)
    }
}

/// `s` in pieces, each with whether it is an identifier to show as written; `None` when `s`
/// holds no mark (nearly always). Text between identifiers is one piece, marks that count for
/// nothing dropped, so a stray mark cannot split a value and hide it from the redactor.
pub(super) fn pieces(s: &str) -> Option<Vec<(Cow<'_, str>, bool)>> {
    if !has_marks(s) {
        return None;
    }
    let marked = MARKED.lock().unwrap_or_else(|p| p.into_inner());
    let mut out: Vec<(Cow<'_, str>, bool)> = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(at) = rest.find([OPEN, CLOSE]) {
        text.push_str(&rest[..at]);
        let opens = rest[at..].starts_with(OPEN);
        rest = &rest[at + OPEN.len_utf8()..];
        let Some(end) = rest.find([OPEN, CLOSE]).filter(|_| opens) else {
            continue;
        };
        let inside = &rest[..end];
        if rest[end..].starts_with(CLOSE) && marked.contains(inside) {
            if !text.is_empty() {
                out.push((Cow::Owned(std::mem::take(&mut text)), false));
            }
            out.push((Cow::Borrowed(inside), true));
            rest = &rest[end + CLOSE.len_utf8()..];
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push((Cow::Owned(text), false));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_split_the_text_and_only_what_ident_marked_counts() {
        let name = ident("duncan-ident-test");
        let s = format!("profiles: {name}, x");
        let shown = |s: &str| -> Vec<(String, bool)> {
            let p = pieces(s).expect("marks");
            p.into_iter().map(|(t, w)| (t.into_owned(), w)).collect()
        };
        assert_eq!(
            shown(&s),
            vec![
                ("profiles: ".into(), false),
                ("duncan-ident-test".into(), true),
                (", x".into(), false)
            ]
        );
        assert_eq!(unmarked(&s), "profiles: duncan-ident-test, x");
        assert!(pieces("no marks, \u{E0FF}").is_none());
        // Marks around text never marked, and stray ones, count for nothing: what they split
        // is one text again.
        let forged = format!("{OPEN}Duncan{CLOSE} D{CLOSE}un{OPEN}can");
        assert_eq!(shown(&forged), vec![("Duncan Duncan".into(), false)]);
    }
}
