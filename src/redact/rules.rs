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

fn alternation(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| regex::escape(w))
        .collect::<Vec<_>>()
        .join("|")
}

/// Cheap test first: most text carries none of these words.
static PREFILTER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SECRET_FIELDS.iter().chain(SECRET_HEADERS))
        .expect("static patterns")
});

/// A string value may be cut off by the end of the text (a truncated body): then the rest of
/// the text is the value.
static JSON_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)"({})"(\s*:\s*)(?:"(?:[^"\\]|\\.)*(?:"|\\?\z)|-?[0-9][0-9.eE+\-]*|true|false)"#,
        alternation(SECRET_FIELDS)
    ))
    .expect("valid regex")
});

/// The same inside a JSON string that holds JSON: `\"password\":\"...\"`.
static ESCAPED_JSON_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)\\"({})\\"(\s*:\s*)(?:\\"(?:[^"\\]|\\\\)*\\"|-?[0-9][0-9.eE+\-]*)"#,
        alternation(SECRET_FIELDS)
    ))
    .expect("valid regex")
});

static FORM_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)(^|[?&;\s"'])({})=([^&\s"'<>#;]*)"#,
        alternation(SECRET_FIELDS)
    ))
    .expect("valid regex")
});

/// `Authorization: Bearer x` in free text (a log line, an error message).
static HEADER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)\b({})("?\s*:\s*"?)((?:bearer|basic|token|digest)\s+)?([^\s"',;]+)"#,
        alternation(SECRET_HEADERS)
    ))
    .expect("valid regex")
});

/// Fields that carry a piece of a person's KYC data on their own: a date of birth sent in parts
/// (Stripe's `dob[day]`, `dob[month]`, `dob[year]`) and the house number cut out of the street
/// line (Kriptomat's `building_number`). Their values are too short or too common to register
/// (`1`, `1960`, `123`), so they are found by the field's name. Only a redactor that masks KYC
/// data applies this (see [`super::Redactor::add_profile`]); the screen shows KYC data.
pub const KYC_PART_FIELDS: &[&str] = &["dob[day]", "dob[month]", "dob[year]", "building_number"];

/// What a KYC part becomes.
pub const KYC_PART_MASK: &str = "…";

/// The names as they also appear URL-encoded (`dob%5Bday%5D`).
fn kyc_part_names() -> Vec<String> {
    let mut names = Vec::new();
    for f in KYC_PART_FIELDS {
        names.push(regex::escape(f));
        let encoded = f.replace('[', "%5B").replace(']', "%5D");
        if encoded != *f {
            names.push(regex::escape(&encoded));
        }
    }
    names
}

static KYC_PREFILTER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["dob[", "dob%5b", "building_number"])
        .expect("static patterns")
});

/// In JSON; a string value may be cut off by the end of the text (a truncated body).
static KYC_JSON_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)("(?:{})")(\s*:\s*)(?:"(?:[^"\\]|\\.)*(?:"|\\?\z)|-?[0-9][0-9.eE+\-]*)"#,
        kyc_part_names().join("|")
    ))
    .expect("valid regex")
});

/// The same inside a JSON string that holds JSON: `\"building_number\":\"5\"`.
static KYC_ESCAPED_JSON_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)(\\"(?:{})\\")(\s*:\s*)(?:\\"(?:[^"\\]|\\\\)*(?:\\"|\\?\z)|-?[0-9][0-9.eE+\-]*)"#,
        kyc_part_names().join("|")
    ))
    .expect("valid regex")
});

static KYC_FORM_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)(^|[?&;\s"'])({})=([^&\s"'<>#;]*)"#,
        kyc_part_names().join("|")
    ))
    .expect("valid regex")
});

/// Masks the values of [`KYC_PART_FIELDS`] in JSON, form bodies and query strings; `None` when
/// nothing changed.
pub fn apply_kyc_parts(s: &str) -> Option<String> {
    if !KYC_PREFILTER.is_match(s) {
        return None;
    }
    let json = KYC_JSON_FIELD.replace_all(s, |c: &Captures| {
        format!("{}{}\"{KYC_PART_MASK}\"", &c[1], &c[2])
    });
    let escaped = KYC_ESCAPED_JSON_FIELD.replace_all(&json, |c: &Captures| {
        format!("{}{}\\\"{KYC_PART_MASK}\\\"", &c[1], &c[2])
    });
    let form = KYC_FORM_FIELD.replace_all(&escaped, |c: &Captures| {
        format!("{}{}={KYC_PART_MASK}", &c[1], &c[2])
    });
    (form != s).then(|| form.into_owned())
}

/// Applies every structural rule; `None` when nothing changed.
pub fn apply(s: &str) -> Option<String> {
    if !PREFILTER.is_match(s) {
        return None;
    }
    let mut cur = s.to_string();
    let json_redacted = format!("\"{REDACTED}\"");
    let escaped_redacted = format!("\\\"{REDACTED}\\\"");
    type Replace<'a> = Box<dyn Fn(&Captures) -> String + 'a>;
    let steps: [(&Regex, Replace); 4] = [
        (
            &JSON_FIELD,
            Box::new(|c: &Captures| format!("\"{}\"{}{json_redacted}", &c[1], &c[2])),
        ),
        (
            &ESCAPED_JSON_FIELD,
            Box::new(|c: &Captures| format!("\\\"{}\\\"{}{escaped_redacted}", &c[1], &c[2])),
        ),
        (
            &FORM_FIELD,
            Box::new(|c: &Captures| format!("{}{}={REDACTED}", &c[1], &c[2])),
        ),
        (
            &HEADER_LINE,
            Box::new(|c: &Captures| {
                format!(
                    "{}{}{}{REDACTED}",
                    &c[1],
                    &c[2],
                    c.get(3).map(|m| m.as_str()).unwrap_or("")
                )
            }),
        ),
    ];
    for (re, f) in steps.iter() {
        if let std::borrow::Cow::Owned(next) = re.replace_all(&cur, |c: &Captures| f(c)) {
            cur = next;
        }
    }
    (cur != s).then_some(cur)
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
