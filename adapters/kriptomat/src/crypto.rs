//! The two pieces of cryptography Kriptomat's flow needs: the RFC 6238 TOTP code its login
//! wants as `security_code`, and Sumsub's request signature for the share-token call.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// TOTP time step (RFC 6238 default, what Google Authenticator uses).
pub const TOTP_STEP_SECS: i64 = 30;
/// Digits of Kriptomat's `security_code`.
pub const TOTP_DIGITS: u32 = 6;

/// RFC 4648 base32 (the alphabet authenticator apps use). Case-insensitive; `=` padding and the
/// spaces apps print for readability are skipped. `None` for any other character or no data.
pub fn base32_decode(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for c in input.chars() {
        let value = match c.to_ascii_uppercase() {
            '=' | ' ' => continue,
            u @ 'A'..='Z' => u as u32 - 'A' as u32,
            d @ '2'..='7' => d as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// RFC 4226 HOTP with HMAC-SHA1 and dynamic truncation, zero-padded to `digits`.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    let code = binary % 10u32.pow(digits.min(9));
    format!("{code:0width$}", width = digits as usize)
}

/// The TOTP step number of a Unix time (times before 1970 count as step 0).
pub fn totp_step(unix_secs: i64) -> u64 {
    unix_secs.div_euclid(TOTP_STEP_SECS).max(0) as u64
}

/// RFC 6238 TOTP (HMAC-SHA1, 30 s step) at `unix_secs`.
pub fn totp(key: &[u8], unix_secs: i64, digits: u32) -> String {
    hotp(key, totp_step(unix_secs), digits)
}

/// Sumsub's `X-App-Access-Sig`: lower-case hex HMAC-SHA256 over
/// `ts + METHOD + path-with-query + body`.
pub fn sumsub_signature(
    secret: &str,
    ts: &str,
    method: &str,
    path_and_query: &str,
    body: &str,
) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(ts.as_bytes());
    mac.update(method.to_ascii_uppercase().as_bytes());
    mac.update(path_and_query.as_bytes());
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA1 rows (key "12345678901234567890", 8 digits).
    const RFC6238_SHA1: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn totp_matches_rfc6238_sha1_vectors() {
        let key = b"12345678901234567890";
        for (t, expected) in RFC6238_SHA1 {
            assert_eq!(totp(key, t, 8), expected, "T={t}");
            // The 6-digit code is the same number modulo 10^6.
            assert_eq!(totp(key, t, 6), expected[2..], "T={t}");
        }
    }

    #[test]
    fn totp_from_base32_secret() {
        // The RFC key as an authenticator app shows it.
        let key = base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        assert_eq!(key, b"12345678901234567890");
        assert_eq!(totp(&key, 59, 6), "287082");
        // Same step, same code; next step, different code.
        assert_eq!(totp(&key, 30, 6), totp(&key, 59, 6));
        assert_ne!(totp(&key, 60, 6), totp(&key, 59, 6));
    }

    #[test]
    fn base32_is_lenient_on_case_padding_spaces_and_strict_otherwise() {
        assert_eq!(base32_decode("mzxw6==="), Some(b"foo".to_vec()));
        assert_eq!(base32_decode("MZXW 6YQ="), Some(b"foob".to_vec()));
        assert_eq!(base32_decode("MZXW6YTBOI"), Some(b"foobar".to_vec()));
        assert_eq!(base32_decode("MZ1W"), None, "1 is not base32");
        assert_eq!(base32_decode(""), None);
    }

    #[test]
    fn sumsub_signature_matches_python_hmac() {
        // python3: hmac.new(b"rampsim-sandbox-sumsub-secret",
        //   (ts+"POST"+path).encode(), hashlib.sha256).hexdigest()
        let path = "/resources/accessTokens/-/shareToken?applicantId=63e092c51b7b4030f2e01154&forClientId=CoolCoinLtd";
        assert_eq!(
            sumsub_signature(
                "rampsim-sandbox-sumsub-secret",
                "1767225600",
                "POST",
                path,
                ""
            ),
            "12399dc62a42026003a76cfd880e64542f67ae7cf9a089b18cf7f08a46afb581"
        );
        // With a body: b"1607551635POST/resources/applicants?levelName=basic-kyc-level"
        //   + b'{"externalUserId":"x"}' under key b"secret".
        assert_eq!(
            sumsub_signature(
                "secret",
                "1607551635",
                "post",
                "/resources/applicants?levelName=basic-kyc-level",
                r#"{"externalUserId":"x"}"#
            ),
            "fcb3b0444ef1fd4277de43be0dbf6fe87912df44a0dc62f357239c120d440a59"
        );
    }
}
