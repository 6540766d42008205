//! Reading the few fields an adapter needs from a provider's JSON answer without building a
//! `serde_json::Value` tree: derive `Deserialize` for a struct of the fields you read, mark them
//! `#[serde(default, deserialize_with = "json::string")]` and parse the body with
//! [`HttpResponse::read_json`](crate::wire::HttpResponse::read_json). Unknown fields are
//! skipped without being stored, strings are borrowed from the body when they have no escapes.
//!
//! The readers are lenient the way `value.get("id").and_then(Value::as_str)` is: a field of
//! another type than expected (`"id": 5`, `"id": {}`) counts as absent instead of failing the
//! whole parse, so the adapter still says which field it missed. An empty string counts as
//! absent too.
//!
//! ```
//! use rampsim_plugin_sdk::json;
//! use std::borrow::Cow;
//!
//! #[derive(serde::Deserialize)]
//! struct Created<'a> {
//!     #[serde(borrow, default, deserialize_with = "json::string")]
//!     id: Option<Cow<'a, str>>,
//!     #[serde(default, deserialize_with = "json::integer")]
//!     expires_in: Option<i64>,
//! }
//! let c: Created = serde_json::from_str(r#"{"id": "abc", "expires_in": "soon", "x": [1]}"#).unwrap();
//! assert_eq!(c.id.as_deref(), Some("abc"));
//! assert_eq!(c.expires_in, None);
//! ```

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// `T` read from `text` when it is a JSON object; `None` for another JSON value or what is not
/// JSON. Only objects: a derived struct would also read an array positionally.
pub fn object<'a, T: serde::Deserialize<'a>>(text: &'a str) -> Option<T> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).ok()
    } else {
        None
    }
}

/// A non-empty JSON string, or `None` for anything else (number, object, null, "").
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    Ok(match d.deserialize_any(Any)? {
        Scalar::Str(s) if !s.is_empty() => Some(s),
        _ => None,
    })
}

/// A JSON integer (within i64), or `None` for anything else.
pub fn integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match d.deserialize_any(Any)? {
        Scalar::Int(n) => Some(n),
        _ => None,
    })
}

/// What [`Any`] kept of a value: a string, an integer, or nothing worth keeping.
enum Scalar<'de> {
    Str(Cow<'de, str>),
    Int(i64),
    Other,
}

/// Accepts any JSON value, keeps strings and integers and skips the rest without storing it.
struct Any;

impl<'de> Visitor<'de> for Any {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'de>, E> {
        Ok(i64::try_from(v).map_or(Scalar::Other, Scalar::Int))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug, Default)]
    #[serde(default)]
    struct Fields<'a> {
        #[serde(borrow, deserialize_with = "string")]
        id: Option<Cow<'a, str>>,
        #[serde(deserialize_with = "integer")]
        n: Option<i64>,
    }

    fn read(body: &str) -> Fields<'_> {
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn strings_and_integers_are_read_the_rest_is_absent() {
        let f = read(r#"{"id": "a-1", "n": 3599, "other": {"deep": [1, {"x": null}]}}"#);
        assert_eq!((f.id.as_deref(), f.n), (Some("a-1"), Some(3599)));
        assert!(
            matches!(f.id, Some(Cow::Borrowed(_))),
            "no escapes: borrowed"
        );
        for body in [
            r#"{"id": 5, "n": "5"}"#,
            r#"{"id": {"a": 1}, "n": [1]}"#,
            r#"{"id": null, "n": 1.5}"#,
            r#"{"id": "", "n": true}"#,
            r#"{"n": 18446744073709551615}"#,
            r#"{}"#,
        ] {
            let f = read(body);
            assert_eq!((f.id, f.n), (None, None), "{body}");
        }
    }

    #[test]
    fn an_escaped_string_is_unescaped() {
        let f = read(r#"{"id": "a\"b\u00e9"}"#);
        assert_eq!(f.id.as_deref(), Some("a\"bé"));
    }

    #[test]
    fn only_an_object_is_read() {
        assert_eq!(
            object::<Fields>(r#" {"id": "a"}"#).unwrap().id.as_deref(),
            Some("a")
        );
        for text in [r#"["a", 1]"#, "null", "5", "\"a\"", "<html>", ""] {
            assert!(object::<Fields>(text).is_none(), "{text}");
        }
    }

    #[test]
    fn a_broken_body_is_still_an_error() {
        for body in [r#"{"id": "a"#, r#"{"id": }"#, "<html>", ""] {
            assert!(serde_json::from_str::<Fields>(body).is_err(), "{body}");
        }
    }
}
