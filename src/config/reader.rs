//! Typed reading of a spanned TOML table that never stops at the first problem: every getter
//! records what is wrong (wrong type, missing key) and carries on, and `finish` reports the keys
//! nobody asked for. Problems name the dotted field and the line of its key, or for a missing
//! key the line of the table that should hold it.

use super::error::{Problem, Source};
use super::tree::{Key, Node, Value};
use std::collections::BTreeSet;
use std::ops::Range;

/// Problems found so far, and the fields they concern (so later checks do not report the same
/// field twice).
pub(crate) struct Diag<'s> {
    pub src: &'s Source<'s>,
    pub problems: Vec<Problem>,
    /// Full dotted paths with a structural problem (missing, wrong type, unreadable).
    pub broken: BTreeSet<String>,
}

impl<'s> Diag<'s> {
    pub fn new(src: &'s Source<'s>) -> Diag<'s> {
        Diag {
            src,
            problems: Vec::new(),
            broken: BTreeSet::new(),
        }
    }

    pub fn report(&mut self, span: Option<&Range<usize>>, field: &str, message: impl Into<String>) {
        let location = self.src.location(span).or_else(|| Some(self.src.start()));
        self.problems.push(Problem::new(location, field, message));
    }

    /// Reports a structural problem and remembers the field as broken.
    pub fn report_broken(
        &mut self,
        span: Option<&Range<usize>>,
        field: &str,
        message: impl Into<String>,
    ) {
        self.broken.insert(field.to_string());
        self.report(span, field, message);
    }

    /// True when `field` or a table holding it already has a structural problem.
    pub fn is_broken(&self, field: &str) -> bool {
        self.broken.iter().any(|b| {
            field == b
                || (field.starts_with(b.as_str()) && field[b.len()..].starts_with(['.', '[']))
        })
    }
}

/// Whether a key must be present.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Required,
    Optional,
}

/// A value read from the file with the span of its key (what problems point at).
pub(crate) struct Got<T> {
    pub value: T,
    pub span: Option<Range<usize>>,
}

pub(crate) struct TableReader<'t> {
    /// Dotted path of this table (`profiles.billy.address`), empty for the document root.
    pub path: String,
    /// Where the table is introduced (its header or its key), for missing keys.
    pub anchor: Option<Range<usize>>,
    entries: &'t [(Key, Node)],
    allowed: &'static [&'static str],
    used: Vec<bool>,
    /// Required keys found missing, reported at `finish` (a misspelt key may explain them).
    missing: Vec<(&'static str, String)>,
}

impl<'t> TableReader<'t> {
    pub fn new(
        path: impl Into<String>,
        anchor: Option<Range<usize>>,
        entries: &'t [(Key, Node)],
        allowed: &'static [&'static str],
    ) -> TableReader<'t> {
        TableReader {
            path: path.into(),
            anchor,
            entries,
            allowed,
            used: vec![false; entries.len()],
            missing: Vec::new(),
        }
    }

    pub fn field(&self, name: &str) -> String {
        join(&self.path, name)
    }

    /// The entry `name`, marked as read.
    pub fn take(&mut self, name: &str) -> Option<&'t (Key, Node)> {
        let i = self.entries.iter().position(|(k, _)| k.name == name)?;
        if let Some(u) = self.used.get_mut(i) {
            *u = true;
        }
        self.entries.get(i)
    }

    /// Every entry not read yet, marked as read (for tables whose keys are names: profiles,
    /// providers, settings).
    pub fn take_all(&mut self) -> &'t [(Key, Node)] {
        self.used.iter_mut().for_each(|u| *u = true);
        self.entries
    }

    fn absent(&mut self, d: &mut Diag, name: &'static str, need: Need, what: &str) {
        if need == Need::Required {
            d.broken.insert(self.field(name));
            self.missing.push((name, what.to_string()));
        }
    }

    fn wrong_type(&self, d: &mut Diag, key: &Key, node: &Node, expected: &str) {
        let span = key.span.as_ref().or(node.span.as_ref());
        d.report_broken(
            span,
            &self.field(&key.name),
            format!("expected {expected}, found {}", node.value.describe()),
        );
    }

    pub fn string(&mut self, d: &mut Diag, name: &'static str, need: Need) -> Option<Got<String>> {
        self.string_like(d, name, need, false)
    }

    /// A string, or a TOML date/time literal taken as the text TOML writes for it
    /// (`date_of_birth = 1960-01-01` reads as `"1960-01-01"`).
    pub fn string_or_datetime(
        &mut self,
        d: &mut Diag,
        name: &'static str,
        need: Need,
    ) -> Option<Got<String>> {
        self.string_like(d, name, need, true)
    }

    fn string_like(
        &mut self,
        d: &mut Diag,
        name: &'static str,
        need: Need,
        datetime_ok: bool,
    ) -> Option<Got<String>> {
        let Some((key, node)) = self.take(name) else {
            self.absent(d, name, need, "a string");
            return None;
        };
        match &node.value {
            Value::String(s) => Some(got(s.clone(), key, node)),
            Value::Datetime(s) if datetime_ok => Some(got(s.clone(), key, node)),
            _ => {
                self.wrong_type(d, key, node, "a string");
                None
            }
        }
    }

    pub fn integer(&mut self, d: &mut Diag, name: &'static str, need: Need) -> Option<Got<i64>> {
        let Some((key, node)) = self.take(name) else {
            self.absent(d, name, need, "an integer");
            return None;
        };
        match &node.value {
            Value::Integer(i) => Some(got(*i, key, node)),
            _ => {
                self.wrong_type(d, key, node, "an integer");
                None
            }
        }
    }

    /// A number: a float, or an integer read as one (`rate = 1` is `1.0`).
    pub fn number(&mut self, d: &mut Diag, name: &'static str, need: Need) -> Option<Got<f64>> {
        let Some((key, node)) = self.take(name) else {
            self.absent(d, name, need, "a number");
            return None;
        };
        match &node.value {
            Value::Float(x) => Some(got(*x, key, node)),
            Value::Integer(i) => Some(got(*i as f64, key, node)),
            _ => {
                self.wrong_type(d, key, node, "a number");
                None
            }
        }
    }

    pub fn boolean(&mut self, d: &mut Diag, name: &'static str, need: Need) -> Option<Got<bool>> {
        let Some((key, node)) = self.take(name) else {
            self.absent(d, name, need, "true or false");
            return None;
        };
        match &node.value {
            Value::Boolean(b) => Some(got(*b, key, node)),
            _ => {
                self.wrong_type(d, key, node, "true or false");
                None
            }
        }
    }

    /// An array of strings; a wrong element is reported at its own line and left out.
    pub fn string_list(
        &mut self,
        d: &mut Diag,
        name: &'static str,
        need: Need,
    ) -> Option<Got<Vec<String>>> {
        let Some((key, node)) = self.take(name) else {
            self.absent(d, name, need, "an array of strings");
            return None;
        };
        let Value::Array(items) = &node.value else {
            self.wrong_type(d, key, node, "an array of strings");
            return None;
        };
        let field = self.field(name);
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match &item.value {
                Value::String(s) => out.push(s.clone()),
                other => d.report_broken(
                    item.span.as_ref().or(key.span.as_ref()),
                    &format!("{field}[{i}]"),
                    format!("expected a string, found {}", other.describe()),
                ),
            }
        }
        Some(got(out, key, node))
    }

    /// A sub-table (a `[a.b]` header or an inline `{ ... }`).
    pub fn table(
        &mut self,
        d: &mut Diag,
        name: &'static str,
        need: Need,
        allowed: &'static [&'static str],
    ) -> Option<TableReader<'t>> {
        let Some((key, node)) = self.take(name) else {
            self.absent(d, name, need, "a table");
            return None;
        };
        match &node.value {
            Value::Table(entries) => Some(TableReader::new(
                self.field(name),
                table_anchor(key, node),
                entries,
                allowed,
            )),
            _ => {
                self.wrong_type(d, key, node, "a table");
                None
            }
        }
    }

    /// Reports unknown keys (suggesting the closest allowed one) and missing required keys. A
    /// misspelt key that explains a missing one is reported once, at the misspelling.
    pub fn finish(mut self, d: &mut Diag) {
        for (i, (key, _)) in self.entries.iter().enumerate() {
            if self.used.get(i).copied().unwrap_or(true) {
                continue;
            }
            let field = self.field(&key.name);
            let suggestion = closest(&key.name, self.allowed);
            let message = match suggestion {
                Some(s) => {
                    if let Some(pos) = self.missing.iter().position(|(m, _)| *m == s) {
                        self.missing.remove(pos);
                        format!("unknown key; did you mean `{s}`? (`{s}` is required and missing)")
                    } else {
                        format!("unknown key; did you mean `{s}`?")
                    }
                }
                None if self.allowed.is_empty() => "unknown key; this table takes no keys".into(),
                None => format!("unknown key; expected one of: {}", self.allowed.join(", ")),
            };
            d.report_broken(key.span.as_ref(), &field, message);
        }
        for (name, what) in std::mem::take(&mut self.missing) {
            let field = self.field(name);
            let message = if what == "a table" {
                format!("missing table `{name}` (required)")
            } else {
                format!("missing key `{name}` ({what}, required)")
            };
            d.report_broken(self.anchor.as_ref(), &field, message);
        }
    }
}

/// Where a table is introduced: its `[header]` (which starts before the key inside it) or, for an
/// inline table, its key (which starts before the `{`).
pub(crate) fn table_anchor(key: &Key, node: &Node) -> Option<Range<usize>> {
    match (&key.span, &node.span) {
        (Some(k), Some(n)) => Some(if n.start < k.start {
            n.clone()
        } else {
            k.clone()
        }),
        (k, n) => k.clone().or_else(|| n.clone()),
    }
}

fn got<T>(value: T, key: &Key, node: &Node) -> Got<T> {
    Got {
        value,
        span: key.span.clone().or_else(|| node.span.clone()),
    }
}

pub(crate) fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The allowed word closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (edit_distance(word, a), *a))
        .filter(|(dist, a)| *dist <= (a.chars().count() / 3).clamp(1, 3))
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, a)| a)
}

/// Levenshtein distance, counting a swap of two neighbours as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let allowed = &["first_name", "last_name", "email"];
        assert_eq!(closest("frist_name", allowed), Some("first_name"));
        assert_eq!(closest("emial", allowed), Some("email"));
        assert_eq!(closest("nickname", allowed), None);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }

    #[test]
    fn broken_covers_children_only() {
        let src = Source::new(std::path::Path::new("c.toml"), "");
        let mut d = Diag::new(&src);
        d.broken.insert("profiles.billy.address".into());
        assert!(d.is_broken("profiles.billy.address"));
        assert!(d.is_broken("profiles.billy.address.country"));
        assert!(!d.is_broken("profiles.billy.address2"));
        assert!(!d.is_broken("profiles.billy"));
    }
}
