//! Structural rules: secrets recognised by where they sit, with nothing registered. Header values
//! of credential headers, and the values of credential fields in JSON (also JSON escaped inside
//! a JSON string) and in form bodies and query strings.

use super::REDACTED;
use aho_corasick::AhoCorasick;
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// Fields whose value is a credential, wherever they appear (compared ignoring ASCII case).
pub const SECRET_FIELDS: &[&str] = &[
    "client_secret",
    "clientSecret",
    "password",
    "security_code",
    "access_token",
    "refresh_token",
    "id_token",
    "init_token",
    "token",
    "signature",
    "api_key",
    "apiKey",
];

/// Headers whose value is a credential (compared ignoring ASCII case).
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "x-app-token",
    "x-app-access-sig",
    "x-auth-token",
    "x-access-token",
    "cookie",
    "set-cookie",
];

pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

pub fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// A credential header's value, masked: the scheme stays (`Bearer [REDACTED]`).
pub fn mask_header_value(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _))
            if ["bearer", "basic", "token", "digest"]
                .iter()
                .any(|s| s.eq_ignore_ascii_case(scheme)) =>
        {
            format!("{scheme} {REDACTED}")
        }
        _ => REDACTED.to_string(),
    }
}

/// Values found by the name of the field that holds them, in JSON (also JSON escaped inside a
/// JSON string) and in form bodies and query strings. A string value may be cut off by the end
/// of the text (a truncated body): then the rest of the text is the value.
struct FieldRule {
    /// Cheap test first: most text carries none of these names.
    prefilter: AhoCorasick,
    json: Regex,
    escaped_json: Regex,
    form: Regex,
    mask: &'static str,
}

impl FieldRule {
    fn new(fields: &[&str], mask: &'static str) -> FieldRule {
        // Each name also as it appears URL-encoded (`dob%5Bday%5D`).
        let mut names: Vec<String> = Vec::new();
        for f in fields {
            names.push(f.to_string());
            let encoded = f.replace('[', "%5B").replace(']', "%5D");
            if encoded != *f {
                names.push(encoded);
            }
        }
        let alternation = names
            .iter()
            .map(|n| regex::escape(n))
            .collect::<Vec<_>>()
            .join("|");
        let regex = |pattern: String| Regex::new(&pattern).expect("valid regex");
        FieldRule {
            prefilter: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&names)
                .expect("static patterns"),
            json: regex(format!(
                r#"(?i)("(?:{alternation})")(\s*:\s*)(?:"(?:[^"\\]|\\.)*(?:"|\\?\z)|-?[0-9][0-9.eE+\-]*|true|false)"#
            )),
            escaped_json: regex(format!(
                r#"(?i)(\\"(?:{alternation})\\")(\s*:\s*)(?:\\"(?:[^"\\]|\\\\)*(?:\\"|\\?\z)|-?[0-9][0-9.eE+\-]*)"#
            )),
            form: regex(format!(
                r#"(?i)(^|[?&;\s"'])({alternation})=([^&\s"'<>#;]*)"#
            )),
            mask,
        }
    }

    /// The text with every such value masked; `None` when nothing changed.
    fn apply(&self, s: &str) -> Option<String> {
        if !self.prefilter.is_match(s) {
            return None;
        }
        let mask = self.mask;
        let json = self
            .json
            .replace_all(s, |c: &Captures| format!("{}{}\"{mask}\"", &c[1], &c[2]));
        let escaped = self.escaped_json.replace_all(&json, |c: &Captures| {
            format!("{}{}\\\"{mask}\\\"", &c[1], &c[2])
        });
        let form = self.form.replace_all(&escaped, |c: &Captures| {
            format!("{}{}={mask}", &c[1], &c[2])
        });
        (form != s).then(|| form.into_owned())
    }
}

static SECRET_FIELD_RULE: LazyLock<FieldRule> =
    LazyLock::new(|| FieldRule::new(SECRET_FIELDS, REDACTED));

static HEADER_PREFILTER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SECRET_HEADERS)
        .expect("static patterns")
});

/// `Authorization: Bearer x` in free text (a log line, an error message).
static HEADER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    let headers: Vec<String> = SECRET_HEADERS.iter().map(|h| regex::escape(h)).collect();
    Regex::new(&format!(
        r#"(?i)\b({})("?\s*:\s*"?)((?:bearer|basic|token|digest)\s+)?([^\s"',;]+)"#,
        headers.join("|")
    ))
    .expect("valid regex")
});

/// Fields that carry a piece of a person's KYC data on their own: a date of birth sent in parts
/// (Stripe's `dob[day]`, `dob[month]`, `dob[year]`) and the house number cut out of the street
/// line (Kriptomat's `building_number`). Their values are too short or too common to register
/// (`1`, `1960`, `123`), so they are found by the field's name. Only a redactor that masks KYC
/// data applies this (see [`super::Redactor::add_profile`]); the screen shows KYC data.
pub const KYC_PART_FIELDS: &[&str] = &["dob[day]", "dob[month]", "dob[year]", "building_number"];

static KYC_PART_RULE: LazyLock<FieldRule> = LazyLock::new(|| FieldRule::new(KYC_PART_FIELDS, "…"));

/// Masks the values of [`KYC_PART_FIELDS`] in JSON, form bodies and query strings; `None` when
/// nothing changed.
pub fn apply_kyc_parts(s: &str) -> Option<String> {
    KYC_PART_RULE.apply(s)
}

/// Applies every structural rule for secrets; `None` when nothing changed.
pub fn apply(s: &str) -> Option<String> {
    let fields = SECRET_FIELD_RULE.apply(s);
    let cur = fields.as_deref().unwrap_or(s);
    if !HEADER_PREFILTER.is_match(cur) {
        return fields;
    }
    let lines = HEADER_LINE.replace_all(cur, |c: &Captures| {
        format!(
            "{}{}{}{REDACTED}",
            &c[1],
            &c[2],
            c.get(3).map(|m| m.as_str()).unwrap_or("")
        )
    });
    match lines {
        std::borrow::Cow::Owned(next) => Some(next),
        std::borrow::Cow::Borrowed(_) => fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        apply(s).unwrap_or_else(|| s.to_string())
    }

    #[test]
    fn json_fields() {
        assert_eq!(
            r(r#"{"access_token": "eyJ.x\"y", "expires_in": 3599, "security_code": 123456}"#),
            r#"{"access_token": "[REDACTED]", "expires_in": 3599, "security_code": "[REDACTED]"}"#
        );
        assert_eq!(
            r(r#"{"clientSecret":"s3"}"#),
            r#"{"clientSecret":"[REDACTED]"}"#
        );
        // A body cut off inside the value (a truncated answer).
        assert_eq!(
            r(r#"{"data":{"access_token":"kmt-sbx-5a4d0001-00"#),
            r#"{"data":{"access_token":"[REDACTED]""#
        );
        assert_eq!(
            r(r#"{"access_token":"ab\"#),
            r#"{"access_token":"[REDACTED]""#
        );
        assert_eq!(
            r(r#"{"token_type":"Bearer"}"#),
            r#"{"token_type":"Bearer"}"#
        );
        assert_eq!(
            r(r#""body":"{\"password\":\"hunter2\",\"a\":1}""#),
            r#""body":"{\"password\":\"[REDACTED]\",\"a\":1}""#
        );
    }

    #[test]
    fn form_fields_and_queries() {
        assert_eq!(
            r("grant_type=client_credentials&client_id=abc&client_secret=s%2B3&scope=a+b"),
            "grant_type=client_credentials&client_id=abc&client_secret=[REDACTED]&scope=a+b"
        );
        assert_eq!(
            r("GET /w?init_token=abc&x=1"),
            "GET /w?init_token=[REDACTED]&x=1"
        );
        assert_eq!(r("my_token=abc"), "my_token=abc");
    }

    #[test]
    fn header_lines() {
        assert_eq!(
            r("Authorization: Bearer abc.def"),
            "Authorization: Bearer [REDACTED]"
        );
        assert_eq!(r("x-app-access-sig: 0a1b"), "x-app-access-sig: [REDACTED]");
        assert_eq!(mask_header_value("Basic dXNlcg=="), "Basic [REDACTED]");
        assert_eq!(mask_header_value("k-123"), "[REDACTED]");
    }

    #[test]
    fn kyc_parts_are_found_by_their_field_names() {
        let k = |s: &str| apply_kyc_parts(s).unwrap_or_else(|| s.to_string());
        assert_eq!(
            k("first_name=B&dob%5Bday%5D=1&dob%5Bmonth%5D=12&dob%5Byear%5D=1960&id_type=ssn"),
            "first_name=B&dob%5Bday%5D=…&dob%5Bmonth%5D=…&dob%5Byear%5D=…&id_type=ssn"
        );
        assert_eq!(k("dob[year]=1960"), "dob[year]=…");
        assert_eq!(
            k(r#"{"building_number":"123","city":"X","n":{"building_number": 5}}"#),
            r#"{"building_number":"…","city":"X","n":{"building_number": "…"}}"#
        );
        assert_eq!(
            k(r#""body":"{\"building_number\":\"12a\"}""#),
            r#""body":"{\"building_number\":\"…\"}""#
        );
        assert!(apply_kyc_parts("year=1960&day=1&dob=x").is_none());
        // A body cut off inside the value (a truncated answer).
        assert_eq!(k(r#"{"building_number":"12"#), r#"{"building_number":"…""#);
        assert_eq!(
            k(r#"{"building_number":"1\"2","x":1}"#),
            r#"{"building_number":"…","x":1}"#
        );
        assert_eq!(k(&k("dob[day]=3")), "dob[day]=…");
    }

    #[test]
    fn idempotent_and_quiet() {
        for s in [
            r#"{"password":"x"}"#,
            "token=abc",
            "Authorization: Bearer abc",
            "nothing to see",
        ] {
            assert_eq!(r(&r(s)), r(s));
        }
        assert!(apply("a plain line about a journey").is_none());
    }
}
