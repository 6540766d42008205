//! How messages cross the boundary. The manifest (the handshake) is JSON, so any host can read
//! the protocol version of any plugin; every later message of protocol 2 is MessagePack, as maps
//! keyed by field name. The shapes are those of the JSON examples in `plugins/README.md`; only
//! the bytes differ: bodies travel as raw strings, not JSON-escaped, which made the boundary about
//! three times cheaper than JSON (BENCHMARKS.md).

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Encodes a message of protocol 2.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(256);
    encode_into(&mut out, value)?;
    Ok(out)
}

/// Encodes a message of protocol 2 at the end of `out`: a caller that sends many messages keeps
/// one buffer instead of growing a new one from nothing for each (growing is a good part of the
/// cost of encoding a response body).
pub fn encode_into<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), String> {
    rmp_serde::encode::write_named(out, value).map_err(|e| e.to_string())
}

/// Decodes a message of protocol 2. The error never quotes the message: serde writes the
/// offending value in quotes (`invalid type: string "Billy", expected a sequence`, ``unknown
/// variant `Billy` ``), and messages carry profiles and response bodies. Field names stay.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(bytes).map_err(|e| without_quoted_values(&e.to_string()))
}

/// Replaces what stands in `"…"` or `` `…` `` with `…`, except a field name (`` field `x` ``).
fn without_quoted_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let inner = &after[1..];
        let (quoted, tail) = match inner.find(quote) {
            Some(close) => (&inner[..close], &inner[close + 1..]),
            // An unclosed quote hides the rest.
            None => (inner, ""),
        };
        out.push(quote);
        if before.ends_with("field ") {
            out.push_str(quoted);
        } else {
            out.push('…');
        }
        out.push(quote);
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::*;

    #[test]
    fn every_message_survives_the_round_trip() {
        let response = HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: "{\"id\":\"é \\\" \\n\"}".into(),
        };
        let call = AdapterCall::Response {
            stage: Stage::AwaitKyc,
            now_ms: -5,
            response,
        };
        assert_eq!(
            decode::<AdapterCall>(&encode(&call).unwrap()).unwrap(),
            call
        );
        let mut result = StageResult::finish(Outcome::Rejected, "denied");
        result.next_step = Some("call support".into());
        let reply = Envelope::Ok(AdapterReply {
            step: Step::Finish { result },
            sensitive: vec!["tok".into()],
            logs: vec![],
        });
        assert_eq!(
            decode::<Envelope<AdapterReply>>(&encode(&reply).unwrap()).unwrap(),
            reply
        );
        let err: Envelope<()> = Envelope::Err(PluginError::invalid("profile.email: missing"));
        assert_eq!(decode::<Envelope<()>>(&encode(&err).unwrap()).unwrap(), err);
    }

    #[test]
    fn a_decoding_error_does_not_quote_the_message() {
        #[derive(serde::Serialize)]
        struct Wrong<'a> {
            status: u16,
            headers: &'a str,
        }
        let bytes = encode(&Wrong {
            status: 200,
            headers: "Billy Duncan 1960-01-01",
        })
        .unwrap();
        let e = decode::<HttpResponse>(&bytes).unwrap_err();
        assert!(e.contains("invalid type"), "{e}");
        assert!(!e.contains("Billy") && !e.contains("1960"), "{e}");
        #[derive(serde::Serialize)]
        struct WrongStage<'a> {
            begin: BeginWith<'a>,
        }
        #[derive(serde::Serialize)]
        struct BeginWith<'a> {
            stage: &'a str,
        }
        let bytes = encode(&WrongStage {
            begin: BeginWith { stage: "Billy" },
        })
        .unwrap();
        let e = decode::<AdapterCall>(&bytes).unwrap_err();
        assert!(e.contains("unknown variant") && !e.contains("Billy"), "{e}");
        assert_eq!(
            without_quoted_values(r#"missing field `status`; a "x" `y` "unclosed"#),
            r#"missing field `status`; a "…" `…` "…""#
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"{\"ok\":1}", b"\xc1", b"\x81\xa2ok"] {
            assert!(decode::<Envelope<AdapterReply>>(bytes).is_err());
        }
    }
}
