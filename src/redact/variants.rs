//! What a registered value looks like once masked, and the forms it may take on the wire:
//! reformatted by an adapter (digits only, another date order, transliterated), then escaped for
//! JSON or encoded for a URL or a form body.

use super::{Kind, REDACTED};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Images are matched by the first this-many characters of their base64, then the match runs on
/// over the rest of the base64 run (a 10 MB image never becomes a 10 MB automaton).
pub(crate) const IMAGE_PREFIX: usize = 48;

/// The mask that replaces every form of a value. Masks are built only from characters that are
/// inert in JSON strings, URLs and form bodies (no quote, backslash, `&`, `=` or `%`).
pub(crate) fn mask(kind: Kind, value: &str) -> String {
    let v = value.trim();
    match kind {
        Kind::Secret => REDACTED.to_string(),
        Kind::Name => initial(v),
        Kind::DateOfBirth
        | Kind::DocumentNumber
        | Kind::TaxNumber
        | Kind::Phone
        | Kind::Identifier => {
            format!("…{}", tail(v, 4))
        }
        Kind::Email => match v.rsplit_once('@') {
            Some((local, domain)) => format!("{}@{}", initial(local), sanitize(domain)),
            None => initial(v),
        },
        Kind::Address => "[address]".to_string(),
        Kind::Image => image_summary(v),
        Kind::Wallet => {
            if v.chars().count() >= 14 {
                format!(
                    "{}…{}",
                    sanitize(&v.chars().take(6).collect::<String>()),
                    tail(v, 4)
                )
            } else {
                format!("…{}", tail(v, 4))
            }
        }
    }
}

/// `Billy` -> `B…`.
fn initial(v: &str) -> String {
    match v.chars().find(|c| c.is_alphanumeric()) {
        Some(c) => format!("{c}…"),
        None => "…".to_string(),
    }
}

/// At most the last `max` characters, and never more than half of the value.
fn tail(v: &str, max: usize) -> String {
    let n = v.chars().count();
    let k = max.min(n / 2);
    sanitize(&v.chars().skip(n - k).collect::<String>())
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || "-._:/ ".contains(c) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// The base64 of an image without a `data:...;base64,` prefix or surrounding space.
pub(crate) fn image_base64(v: &str) -> &str {
    let v = v.trim();
    match v.find(";base64,") {
        Some(i) if v.starts_with("data:") => &v[i + ";base64,".len()..],
        _ => v,
    }
}

/// `<image 68 B sha256:1a2b3c4d>`: the decoded size and a short hash, enough to tell two images
/// apart without showing either.
pub fn image_summary(v: &str) -> String {
    let b64 = image_base64(v);
    let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines
        .iter()
        .find_map(|e| e.decode(compact.as_bytes()).ok())
        .unwrap_or_else(|| compact.into_bytes());
    let hash = hex::encode(Sha256::digest(&bytes));
    format!("<image {} B sha256:{}>", bytes.len(), &hash[..8])
}

/// True when `s[start..end]` stands as a word of its own: no letter or digit touches it, except
/// those of an escape before it: a percent-escape (`Bo%20Li`), a JSON or Rust escape (`\nLi`,
/// `\u00a0Li`).
pub(crate) fn is_word(s: &str, start: usize, end: usize) -> bool {
    let before = &s[..start];
    let after_ok = !s[end..].chars().next().is_some_and(char::is_alphanumeric);
    let before_ok = match before.chars().next_back() {
        None => true,
        Some(c) if !c.is_alphanumeric() => true,
        Some(_) => {
            let b = before.as_bytes();
            let tail = |n: usize| {
                b.len() >= n && b[b.len() - n..].iter().skip(1).all(u8::is_ascii_hexdigit)
            };
            (tail(3) && b[b.len() - 3] == b'%')
                || (b.len() >= 2 && b[b.len() - 2] == b'\\' && b"nrtbf".contains(&b[b.len() - 1]))
                || (tail(5) && b.len() >= 6 && b[b.len() - 6] == b'\\' && b[b.len() - 5] == b'u')
        }
    };
    before_ok && after_ok
}

/// The decoded forms a value may take in a request: itself, and the ways adapters rewrite it.
pub(crate) fn forms(kind: Kind, value: &str) -> Vec<String> {
    let v = value.trim();
    let mut out = vec![v.to_string()];
    if value != v {
        out.push(value.to_string());
    }
    match kind {
        Kind::Name | Kind::Address => {
            out.push(plain_latin(v));
            // The SDK's spelling (ä as ae), which adapters that send ASCII use.
            out.push(rampsim_plugin_sdk::text::transliterate(v));
        }
        Kind::DateOfBirth => out.extend(date_forms(v)),
        Kind::DocumentNumber | Kind::TaxNumber | Kind::Phone => out.extend(number_forms(kind, v)),
        Kind::Image => {
            let b64 = image_base64(v);
            let prefix: String = b64.chars().take(IMAGE_PREFIX).collect();
            let url_safe = prefix.replace('+', "-").replace('/', "_");
            // Only the prefix is matched; see IMAGE_PREFIX.
            out = vec![prefix, url_safe];
        }
        Kind::Secret | Kind::Email | Kind::Identifier | Kind::Wallet => {}
    }
    out
}

fn digits(v: &str) -> String {
    v.chars().filter(char::is_ascii_digit).collect()
}

fn number_forms(kind: Kind, v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let alnum: String = v.chars().filter(|c| c.is_alphanumeric()).collect();
    if alnum.chars().count() >= 6 {
        out.push(alnum);
    }
    let d = digits(v);
    if d.len() >= 6 {
        out.push(d.clone());
    }
    if kind == Kind::TaxNumber && d.len() == 9 {
        out.push(format!("{}-{}-{}", &d[..3], &d[3..5], &d[5..]));
        out.push(format!("{} {} {}", &d[..3], &d[3..5], &d[5..]));
    }
    if kind == Kind::Phone && d.len() >= 10 {
        out.push(format!("+{d}"));
        let national = &d[d.len() - 10..];
        out.push(national.to_string());
        let (a, b, c) = (&national[..3], &national[3..6], &national[6..]);
        out.push(format!("({a}) {b}-{c}"));
        out.push(format!("{a}-{b}-{c}"));
        out.push(format!("{a}.{b}.{c}"));
        out.push(format!("{a} {b} {c}"));
    }
    out
}

fn date_forms(v: &str) -> Vec<String> {
    let b = v.as_bytes();
    let is_iso = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !is_iso {
        return Vec::new();
    }
    let (y, m, d) = (&v[..4], &v[5..7], &v[8..]);
    vec![
        format!("{m}/{d}/{y}"),
        format!("{d}/{m}/{y}"),
        format!("{y}/{m}/{d}"),
        format!("{y}{m}{d}"),
        format!("{d}.{m}.{y}"),
        format!("{y}.{m}.{d}"),
        format!("{m}-{d}-{y}"),
        format!("{d}-{m}-{y}"),
    ]
}

/// Latin letters without their diacritics, ä, ö, ü as a, o, u (a provider without German
/// rules); otherwise the SDK's spelling (`ß` -> `ss`, `ł` -> `l`, `’` -> `'`).
fn plain_latin(v: &str) -> String {
    let umlauts_plain: String = v
        .chars()
        .map(|c| match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'Ä' => 'A',
            'Ö' => 'O',
            'Ü' => 'U',
            c => c,
        })
        .collect();
    rampsim_plugin_sdk::text::transliterate(&umlauts_plain)
}

/// A decoded form as it may appear in text: as is, escaped for JSON (once, twice, with `\/`,
/// with `\uXXXX` for non-ASCII), and encoded for a URL or a form body (`+` or `%20` for a
/// space, upper- or lower-case hex).
pub(crate) fn encodings(form: &str) -> Vec<String> {
    let json = json_escape(form);
    let mut out = vec![
        form.to_string(),
        json.clone(),
        json.replace('/', "\\/"),
        json_escape(&json.replace('/', "\\/")),
        json_escape(&json),
        json_escape_ascii(form, false),
        json_escape_ascii(form, true),
    ];
    for enc in [
        percent(form, FORM_SAFE, true),
        percent(form, URI_COMPONENT_SAFE, false),
        percent(form, UNRESERVED, false),
    ] {
        out.push(lower_hex(&enc));
        out.push(enc);
    }
    out
}

fn json_escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_string()
}

fn json_escape_ascii(s: &str, upper: bool) -> String {
    let mut out = String::new();
    for c in json_escape(s).chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                if upper {
                    out.push_str(&format!("\\u{unit:04X}"));
                } else {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

const FORM_SAFE: &str = "*-._";
const URI_COMPONENT_SAFE: &str = "-_.!~*'()";
const UNRESERVED: &str = "-._~";

/// Percent-encodes every byte but ASCII alphanumerics and `safe`; `plus` writes a space as `+`.
fn percent(s: &str, safe: &str, plus: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || safe.as_bytes().contains(&b) {
            out.push(b as char);
        } else if b == b' ' && plus {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%2B` -> `%2b` (some encoders write lower-case hex).
fn lower_hex(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push('%');
            out.push((b[i + 1] as char).to_ascii_lowercase());
            out.push((b[i + 2] as char).to_ascii_lowercase());
            i += 3;
        } else {
            // Only ASCII reaches here: percent() leaves nothing else unencoded.
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// After an image prefix matched at `end`, the end of the base64 run (also through `\/` and
/// `%2B`, `%2F`, `%3D`).
pub(crate) fn extend_base64(s: &str, mut end: usize) -> usize {
    let b = s.as_bytes();
    loop {
        match b.get(end) {
            Some(c)
                if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'-' | b'_') =>
            {
                end += 1
            }
            Some(b'\\') if b.get(end + 1) == Some(&b'/') => end += 2,
            Some(b'%')
                if b.len() >= end + 3
                    && matches!(
                        (b[end + 1], b[end + 2].to_ascii_uppercase()),
                        (b'2', b'B') | (b'2', b'F') | (b'3', b'D')
                    ) =>
            {
                end += 3
            }
            _ => return end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_by_kind() {
        assert_eq!(mask(Kind::Name, "Billy"), "B…");
        assert_eq!(mask(Kind::TaxNumber, "073-05-1120"), "…1120");
        assert_eq!(mask(Kind::DateOfBirth, "1960-01-01"), "…1-01");
        assert_eq!(mask(Kind::Phone, "+15556781234"), "…1234");
        assert_eq!(mask(Kind::DocumentNumber, "P12"), "…2");
        assert_eq!(mask(Kind::Email, "example@somemail.org"), "e…@somemail.org");
        assert_eq!(
            mask(Kind::Wallet, "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"),
            "0x742d…f44e"
        );
        assert_eq!(mask(Kind::Secret, "abc"), "[REDACTED]");
        let img = base64::engine::general_purpose::STANDARD.encode([7u8; 68]);
        assert!(
            mask(Kind::Image, &img).starts_with("<image 68 B sha256:"),
            "{}",
            mask(Kind::Image, &img)
        );
    }

    #[test]
    fn encodings_cover_json_and_urls() {
        let e = encodings("+1 555/\"ü\"");
        for want in [
            "+1 555/\\\"ü\\\"",
            "+1 555\\/\\\"ü\\\"",
            "%2B1+555%2F%22%C3%BC%22",
            "%2B1%20555%2F%22%C3%BC%22",
            "%2b1%20555%2f%22%c3%bc%22",
            "+1 555/\\\"\\u00fc\\\"",
        ] {
            assert!(e.iter().any(|x| x == want), "{want} not in {e:?}");
        }
    }

    #[test]
    fn forms_follow_adapters() {
        assert!(forms(Kind::Name, "Jürgen").contains(&"Juergen".to_string()));
        assert!(forms(Kind::Name, "Jürgen").contains(&"Jurgen".to_string()));
        assert!(forms(Kind::Name, "O’Brien").contains(&"O'Brien".to_string()));
        assert!(forms(Kind::Name, "José").contains(&"Jose".to_string()));
        assert!(forms(Kind::TaxNumber, "073051120").contains(&"073-05-1120".to_string()));
        assert!(forms(Kind::Phone, "+1 555 678 1234").contains(&"+15556781234".to_string()));
        assert!(forms(Kind::Phone, "+15556781234").contains(&"(555) 678-1234".to_string()));
        assert!(forms(Kind::DateOfBirth, "1960-02-01").contains(&"02/01/1960".to_string()));
    }

    #[test]
    fn base64_runs_extend() {
        let s = "x\":\"QUJD\\/RA%2B%3d==\",";
        assert_eq!(&s[..extend_base64(s, 4)], "x\":\"QUJD\\/RA%2B%3d==");
    }
}
