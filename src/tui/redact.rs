//! Masking for what the UI shows and copies. A stopgap until the project's redactor (one
//! redaction point for logs, transcripts and exports) lands: the curl builder takes any
//! `&dyn Fn(&str) -> String`, so that one can be swapped in without touching the UI.

pub const MASK: &str = "****";

/// Headers whose values are credentials.
pub fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "x-api-key" | "cookie" | "set-cookie"
    ) || n.starts_with("x-app-")
}

/// Keys (JSON, form fields) whose values are credentials.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["secret", "password", "token", "api_key", "apikey"]
        .iter()
        .any(|w| k.contains(w))
}

/// The shown value of a header: credentials masked, keeping an auth scheme (`Bearer ****`).
pub fn mask_header(name: &str, value: &str) -> String {
    if !is_secret_header(name) {
        return value.to_string();
    }
    match value.split_once(' ') {
        Some((scheme, _)) if !scheme.is_empty() && scheme.len() <= 16 => format!("{scheme} {MASK}"),
        _ => MASK.to_string(),
    }
}

/// Replaces known secret values (settings marked secret, tokens the plugin flagged) wherever
/// they appear.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    values: Vec<String>,
}

impl Redactor {
    /// Values shorter than this are not masked: they would mask ordinary text.
    const MIN_LEN: usize = 4;

    pub fn new(values: impl IntoIterator<Item = String>) -> Redactor {
        let mut r = Redactor::default();
        r.extend(values);
        r
    }

    pub fn extend(&mut self, values: impl IntoIterator<Item = String>) {
        for v in values {
            if v.len() >= Self::MIN_LEN && !self.values.contains(&v) {
                self.values.push(v);
            }
        }
        // Longest first, so a secret containing another is masked whole.
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), MASK);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_headers_are_masked_keeping_the_scheme() {
        assert_eq!(
            mask_header("Authorization", "Bearer abc.def"),
            "Bearer ****"
        );
        assert_eq!(mask_header("X-API-KEY", "k123"), "****");
        assert_eq!(mask_header("X-App-Secret", "zzz"), "****");
        assert_eq!(
            mask_header("Content-Type", "application/json"),
            "application/json"
        );
    }

    #[test]
    fn secret_values_are_masked_anywhere() {
        let r = Redactor::new(["s3cret-value".to_string(), "ab".to_string()]);
        assert_eq!(r.redact("x=s3cret-value&y=ab"), "x=****&y=ab");
    }
}
