//! A TOML document as a tree that keeps every key's and value's byte span, so each problem can
//! name its line. toml 0.8's `Spanned<T>` cannot wrap a whole table generically (implicit tables
//! such as `[providers]` in `[providers.paxos]` have no span, and `Spanned` then fails), so this
//! speaks the same serde protocol as `Spanned` itself and falls back to "no span" instead of
//! failing. Reading the tree never fails on content: every type and key check happens later, in
//! `reader`, where all problems are collected.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;

// The serde protocol `toml::Spanned` (serde_spanned) and `toml::value::Datetime` use to ask the
// toml deserializer for spans and datetimes. If these ever change, spans come back `None` (the
// tests in this file fail) but nothing breaks.
const SPANNED_NAME: &str = "$__serde_spanned_private_Spanned";
const SPAN_START: &str = "$__serde_spanned_private_start";
const SPAN_END: &str = "$__serde_spanned_private_end";
const SPAN_VALUE: &str = "$__serde_spanned_private_value";
const SPANNED_FIELDS: &[&str] = &[SPAN_START, SPAN_END, SPAN_VALUE];
const DATETIME_FIELD: &str = "$__toml_private_datetime";

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Key {
    pub name: String,
    pub span: Option<Range<usize>>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    pub span: Option<Range<usize>>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    /// A TOML date/time literal, as TOML writes it (`1960-01-01`, `2021-06-16T09:28:14Z`).
    Datetime(String),
    Array(Vec<Node>),
    /// Entries in document order.
    Table(Vec<(Key, Node)>),
}

impl Value {
    /// For "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date/time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    /// Like `kind`, with the value only for a boolean: a number or a date written without quotes
    /// may be KYC data (a phone or tax number, a date of birth), and errors are printed.
    pub fn describe(&self) -> String {
        match self {
            Value::Boolean(b) => format!("a boolean ({b})"),
            other => other.kind().to_string(),
        }
    }
}

/// Parses a whole document. Only TOML syntax errors fail here.
pub(crate) fn parse(text: &str) -> Result<Vec<(Key, Node)>, toml::de::Error> {
    let root: Node = toml::from_str(text)?;
    match root.value {
        Value::Table(entries) => Ok(entries),
        // A TOML document is always a table; keep the type honest anyway.
        _ => Ok(Vec::new()),
    }
}

impl<'de> de::Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        // Ask for a span; a deserializer without one for this value answers as for any value.
        deserializer.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, NodeVisitor)
    }
}

/// The value inside a spanned wrapper: asking for a span again would loop.
struct BareNode;

impl<'de> DeserializeSeed<'de> for BareNode {
    type Value = Node;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

fn bare(value: Value) -> Node {
    Node { value, span: None }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(bare(Value::Boolean(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(bare(Value::Integer(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        i64::try_from(v)
            .map(|i| bare(Value::Integer(i)))
            .map_err(|_| E::custom("integer out of range"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(bare(Value::Float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(bare(Value::String(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(bare(Value::String(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(bare(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let Some(first) = map.next_key_seed(KeySeed)? else {
            return Ok(bare(Value::Table(Vec::new())));
        };
        if first.span.is_none() && first.name == SPAN_START {
            return spanned_node(first, map);
        }
        if first.span.is_none() && first.name == DATETIME_FIELD {
            let text: String = map.next_value()?;
            return Ok(bare(Value::Datetime(text)));
        }
        let mut entries = Vec::new();
        let mut key = Some(first);
        while let Some(k) = key {
            let value: Node = map.next_value()?;
            entries.push((k, value));
            key = map.next_key_seed(KeySeed)?;
        }
        Ok(bare(Value::Table(entries)))
    }
}

/// Reads the rest of a `{start, end, value}` span map whose `start` key was just read.
fn spanned_node<'de, A: MapAccess<'de>>(_start_key: Key, mut map: A) -> Result<Node, A::Error> {
    let start: usize = map.next_value()?;
    expect_key(&mut map, SPAN_END)?;
    let end: usize = map.next_value()?;
    expect_key(&mut map, SPAN_VALUE)?;
    let mut node = map.next_value_seed(BareNode)?;
    node.span = Some(start..end);
    Ok(node)
}

fn expect_key<'de, A: MapAccess<'de>>(map: &mut A, name: &str) -> Result<(), A::Error> {
    match map.next_key_seed(KeySeed)? {
        Some(k) if k.name == name => Ok(()),
        _ => Err(de::Error::custom("malformed span")),
    }
}

/// A table key, with its span when the deserializer has one.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key {
            name: v.to_string(),
            span: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Key, A::Error> {
        expect_plain_key(&mut map, SPAN_START)?;
        let start: usize = map.next_value()?;
        expect_plain_key(&mut map, SPAN_END)?;
        let end: usize = map.next_value()?;
        expect_plain_key(&mut map, SPAN_VALUE)?;
        let name: String = map.next_value()?;
        Ok(Key {
            name,
            span: Some(start..end),
        })
    }
}

fn expect_plain_key<'de, A: MapAccess<'de>>(map: &mut A, name: &str) -> Result<(), A::Error> {
    match map.next_key::<String>()? {
        Some(k) if k == name => Ok(()),
        _ => Err(de::Error::custom("malformed key span")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(text: &str, span: &Option<Range<usize>>) -> usize {
        let start = span.as_ref().map(|s| s.start).unwrap_or(usize::MAX);
        text[..start.min(text.len())].matches('\n').count() + 1
    }

    #[test]
    fn keys_and_values_keep_their_spans() {
        let text = "[app]\nprovider = \"paxos\"\n\n[providers.paxos.settings]\nclient_secret = { env = \"X\" }\n[profiles.billy]\ndate_of_birth = 1960-01-01\nfields = [\"a\", 2]\n";
        let root = parse(text).expect("parses");
        let (app_key, app) = &root[0];
        assert_eq!(app_key.name, "app");
        assert_eq!(line_of(text, &app_key.span), 1);
        let Value::Table(app_entries) = &app.value else {
            panic!("app is a table")
        };
        assert_eq!(line_of(text, &app_entries[0].0.span), 2);
        assert_eq!(app_entries[0].1.value, Value::String("paxos".into()));
        assert_eq!(line_of(text, &app_entries[0].1.span), 2);

        // [providers] is implicit: no span of its own, but its children have theirs.
        let (_, providers) = &root[1];
        let Value::Table(p) = &providers.value else {
            panic!("providers is a table")
        };
        let Value::Table(paxos) = &p[0].1.value else {
            panic!("paxos is a table")
        };
        let (settings_key, settings) = &paxos[0];
        assert_eq!(settings_key.name, "settings");
        assert_eq!(line_of(text, &settings.span), 4);
        let Value::Table(s) = &settings.value else {
            panic!("settings is a table")
        };
        assert_eq!(line_of(text, &s[0].0.span), 5);
        assert!(
            matches!(&s[0].1.value, Value::Table(t) if t[0].1.value == Value::String("X".into()))
        );

        let (_, profiles) = &root[2];
        let Value::Table(pr) = &profiles.value else {
            panic!("profiles is a table")
        };
        assert_eq!(line_of(text, &pr[0].0.span), 6);
        let Value::Table(billy) = &pr[0].1.value else {
            panic!("billy is a table")
        };
        assert_eq!(billy[0].1.value, Value::Datetime("1960-01-01".into()));
        assert_eq!(line_of(text, &billy[0].1.span), 7);
        let Value::Array(items) = &billy[1].1.value else {
            panic!("fields is an array")
        };
        assert_eq!(items[1].value, Value::Integer(2));
        assert_eq!(line_of(text, &items[1].span), 8);
    }

    #[test]
    fn syntax_errors_carry_a_span() {
        let err = parse("a = 1\nb = \n").expect_err("syntax error");
        assert!(err.span().is_some());
    }
}
