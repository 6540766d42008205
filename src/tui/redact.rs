//! What the screen masks. The operator's own screen shows the KYC data they are debugging, but
//! never a credential: credential headers and fields (the project's structural rules) and the
//! values of secret settings and learnt tokens. Whatever leaves the app (the curl copy) goes
//! through the journey's full redactor instead, KYC values included.

use crate::redact::rules::{is_secret_header, mask_header_value};
use crate::redact::Redactor;

/// The shown value of a header: credentials masked, keeping an auth scheme (`Bearer [REDACTED]`).
pub fn mask_header(name: &str, value: &str) -> String {
    if is_secret_header(name) {
        mask_header_value(value)
    } else {
        value.to_string()
    }
}

/// A redactor for the screen: structural rules and these secret values, no KYC values.
pub fn screen_redactor(secrets: &[String]) -> Redactor {
    let mut r = Redactor::new();
    for s in secrets {
        r.add_secret(s);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_and_kyc_data_is_not() {
        assert_eq!(
            mask_header("Authorization", "Bearer abc.def"),
            "Bearer [REDACTED]"
        );
        assert_eq!(mask_header("X-API-KEY", "k123"), "[REDACTED]");
        assert_eq!(
            mask_header("Content-Type", "application/json"),
            "application/json"
        );
        let r = screen_redactor(&["s3cret-value".to_string()]);
        assert_eq!(
            r.redact_str("x=s3cret-value name=Duncan"),
            "x=[REDACTED] name=Duncan"
        );
    }
}
