//! How messages cross the boundary. The manifest (the handshake) is JSON, so any host can read
//! the protocol version of any plugin; every later message of protocol 2 is MessagePack, as maps
//! keyed by field name. The shapes are those of the JSON examples in `plugins/README.md`; only
//! the bytes differ: bodies travel as raw strings, not JSON-escaped, which made the boundary about
//! three times cheaper than JSON (BENCHMARKS.md).

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Encodes a message of protocol 2.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    rmp_serde::to_vec_named(value).map_err(|e| e.to_string())
}

/// Decodes a message of protocol 2.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(bytes).map_err(|e| e.to_string())
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
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"{\"ok\":1}", b"\xc1", b"\x81\xa2ok"] {
            assert!(decode::<Envelope<AdapterReply>>(bytes).is_err());
        }
    }
}
