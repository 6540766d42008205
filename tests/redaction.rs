//! Properties of the redactor: for arbitrary secret and KYC values embedded in arbitrary text,
//! JSON, and URL/form encoding, the raw value never survives; redaction is idempotent; text
//! without sensitive values is unchanged. Plus the log file through the real logging setup, and
//! what the binary prints when a profile's name spells one of its values.

mod support;

use proptest::prelude::*;
use rampsim::redact::{Kind, Redactor, SharedRedactor, MIN_LEN};

const KINDS: [Kind; 11] = [
    Kind::Secret,
    Kind::Name,
    Kind::DateOfBirth,
    Kind::DocumentNumber,
    Kind::TaxNumber,
    Kind::Phone,
    Kind::Email,
    Kind::Address,
    Kind::Image,
    Kind::Identifier,
    Kind::Wallet,
];

fn kind() -> impl Strategy<Value = Kind> {
    (0..KINDS.len()).prop_map(|i| KINDS[i])
}

/// A value worth registering: at least MIN_LEN characters after trimming, one of them a letter
/// or digit, drawn from letters, digits, punctuation that JSON, URLs and forms escape, and
/// non-ASCII letters.
fn value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 +\\-./@_\"'\\\\&=%:,{}éüßø李]{3,24}".prop_filter("registrable", |v| {
        let t = v.trim();
        t.chars().count() >= MIN_LEN && t.chars().any(char::is_alphanumeric) && t == v
    })
}

/// Arbitrary surrounding text, including the characters structure is made of.
fn filler() -> impl Strategy<Value = String> {
    "[ -~éü\n]{0,40}"
}

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn json_escaped(s: &str) -> String {
    let q = serde_json::to_string(s).unwrap();
    q[1..q.len() - 1].to_string()
}

fn redactor(values: &[(String, Kind)]) -> Redactor {
    let mut r = Redactor::new();
    for (v, k) in values {
        r.add(v, *k);
    }
    r
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn raw_values_never_survive_in_text(
        values in prop::collection::vec((value(), kind()), 1..4),
        pieces in prop::collection::vec(filler(), 4),
    ) {
        let r = redactor(&values);
        let text = format!(
            "{}{}{}{}{}{}{}",
            pieces[0], values[0].0, pieces[1], values[values.len() - 1].0, pieces[2], values[0].0, pieces[3]
        );
        let out = r.redact_str(&text);
        for (v, _) in &values {
            prop_assert!(!out.contains(v.as_str()), "{v:?} survived in {out:?}");
        }
    }

    #[test]
    fn raw_values_never_survive_in_json(
        values in prop::collection::vec((value(), kind()), 1..4),
        before in filler(),
        after in filler(),
        other in filler(),
    ) {
        let r = redactor(&values);
        let doc = serde_json::json!({
            "field": format!("{before}{}{after}", values[0].0),
            "nested": { "list": [values[values.len() - 1].0.clone(), other] },
            // A body serialized inside a string, as in a log line or an event.
            "embedded": serde_json::json!({"v": values[0].0}).to_string(),
        });
        let text = serde_json::to_string(&doc).unwrap();
        let out = r.redact_str(&text);
        for (v, _) in &values {
            prop_assert!(!out.contains(v.as_str()), "{v:?} survived in {out:?}");
            let esc = json_escaped(v);
            prop_assert!(!out.contains(&esc), "{esc:?} survived in {out:?}");
        }
        // Redacting the value of a JSON string keeps the document valid.
        let mut v = doc.clone();
        rampsim::redact::redact_json(&r, &mut v);
        let again = serde_json::to_string(&v).unwrap();
        for (val, _) in &values {
            prop_assert!(!again.contains(&json_escaped(val)), "{val:?} survived in {again}");
        }
    }

    #[test]
    fn raw_values_never_survive_url_and_form_encoding(
        values in prop::collection::vec((value(), kind()), 1..3),
        key in "[a-z_]{1,10}",
    ) {
        let r = redactor(&values);
        let v = &values[0].0;
        let form = format!("a=1&{key}={}&b=2", form_encode(v));
        let url = format!("https://x.invalid/p?{key}={}&q={}", percent_encode(v), form_encode(v));
        for text in [form, url] {
            let out = r.redact_str(&text);
            prop_assert!(!out.contains(v.as_str()), "{v:?} survived in {out:?}");
            prop_assert!(!out.contains(&form_encode(v)), "form-encoded {v:?} survived in {out:?}");
            prop_assert!(!out.contains(&percent_encode(v)), "percent-encoded {v:?} survived in {out:?}");
        }
    }

    #[test]
    fn redaction_is_idempotent(
        values in prop::collection::vec((value(), kind()), 0..4),
        pieces in prop::collection::vec(filler(), 3),
        structural in prop::sample::select(vec![
            "", "\"password\":\"hunter2\"", "token=abc&x=1", "Authorization: Bearer abc.def",
            "\"security_code\": 123456", "{\\\"init_token\\\":\\\"zz\\\"}",
        ]),
    ) {
        let r = redactor(&values);
        let embedded: String = values.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>().join(&pieces[1]);
        let text = format!("{}{embedded}{structural}{}", pieces[0], pieces[2]);
        let once = r.redact_str(&text);
        let twice = r.redact_str(&once);
        prop_assert_eq!(&twice, &once);
    }

    #[test]
    fn text_without_sensitive_values_is_unchanged(
        values in prop::collection::vec(("[A-Z]{2,6}[0-9]{2,6}", kind()), 0..4),
        text in "[a-z .,!?()/\n-]{0,120}",
    ) {
        // The text has no digit, every value (and every form of it) has one; the text has no
        // `=`, `:` or quote, so no structural rule can apply.
        let values: Vec<(String, Kind)> = values;
        let r = redactor(&values);
        prop_assert_eq!(r.redact_str(&text), text);
    }

    #[test]
    fn images_leave_only_their_summary(bytes in prop::collection::vec(any::<u8>(), 40..400)) {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let mut r = Redactor::new();
        r.add(&b64, Kind::Image);
        // As serde_json writes it, and as an encoder that escapes `/` does.
        let body = format!(r#"{{"frontImg":"{b64}","escaped":"{}"}}"#, b64.replace('/', "\\/"));
        let out = r.redact_str(&body);
        prop_assert!(!out.contains(&b64), "{out}");
        prop_assert!(!out.contains(&b64[..20]), "a prefix survived: {out}");
        let summary = format!("<image {} B sha256:", bytes.len());
        prop_assert_eq!(out.matches(&summary).count(), 2, "{}", out);
    }
}

#[test]
fn fast_enough_for_every_event() {
    // A journey's redactor (a full profile, a few secrets) over a realistic body.
    let mut r = Redactor::new();
    for s in [
        "rampsim-paxos-sandbox-secret",
        "pxsbx-0123456789abcdef0123456789abcdef",
        "sk_test_51HqLyjWDarjtT1zdp7dc",
    ] {
        r.add_secret(s);
    }
    for (v, k) in [
        ("Quentavius", Kind::Name),
        ("Zarkowskiwy", Kind::Name),
        ("1971-08-23", Kind::DateOfBirth),
        ("qz.distinct-4471@mailexample.org", Kind::Email),
        ("+15559017342", Kind::Phone),
        ("529-71-4470", Kind::TaxNumber),
        ("X9Q7Z4471", Kind::DocumentNumber),
        ("4471 Oakhollow Crescent", Kind::Address),
    ] {
        r.add(v, k);
    }
    let clean = format!(
        "{{\"id\":\"7ca6970f-0962-4251-9703-1fcc91bf5805\",\"status\":\"PENDING\",\"requirements\":[{}]}}",
        (0..20).map(|i| format!("{{\"code\":\"screening_{i}\",\"awaiting\":\"PAXOS\"}}")).collect::<Vec<_>>().join(",")
    );
    let dirty = clean.replace("PENDING", "Quentavius Zarkowskiwy 529-71-4470");
    let n = 2000;
    let t0 = std::time::Instant::now();
    for _ in 0..n {
        assert_eq!(r.redact_str(&clean).len(), clean.len());
        assert!(!r.redact_str(&dirty).contains("Quentavius"));
    }
    let per = t0.elapsed() / (2 * n);
    // Generous for debug builds on a loaded machine; a release build is far below.
    assert!(
        per < std::time::Duration::from_millis(2),
        "{per:?} per body"
    );
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    eprintln!("redact: {per:?} per {} B body ({build} build)", clean.len());
}

#[test]
fn shared_redactors_learn_tokens_as_the_journey_goes() {
    let shared = SharedRedactor::new(Redactor::new());
    assert_eq!(
        shared.redact_str("Bearer-less tok-abcdef-1"),
        "Bearer-less tok-abcdef-1"
    );
    shared.add_secret("tok-abcdef-1");
    assert_eq!(
        shared.redact_str("Bearer-less tok-abcdef-1"),
        "Bearer-less [REDACTED]"
    );
    let snap = shared.snapshot();
    assert_eq!(snap.secrets(), vec!["tok-abcdef-1".to_string()]);
}

/// The real logging setup: a journey's values and structural secrets never reach the file.
#[test]
fn the_log_file_is_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logs").join("rampsim.log");
    let guard = rampsim::logging::init(&path).expect("logging starts");
    let mut r = Redactor::new();
    r.add_secret("zz-log-secret-4410");
    r.add("Quentavius", Kind::Name);
    let shared = SharedRedactor::new(r);
    rampsim::redact::register(&shared);
    tracing::info!("token for Quentavius: zz-log-secret-4410");
    tracing::warn!(target: "plugin", plugin = "x", "sent {{\"password\":\"hunter2\"}} with Authorization: Bearer abc");
    drop(guard);
    let log = std::fs::read_to_string(&path).unwrap();
    assert!(log.contains("token for Q…: [REDACTED]"), "{log}");
    assert!(log.contains("\"password\":\"[REDACTED]\""), "{log}");
    assert!(log.contains("Bearer [REDACTED]"), "{log}");
    for raw in ["zz-log-secret-4410", "Quentavius", "hunter2", "Bearer abc"] {
        assert!(!log.contains(raw), "{raw} in {log}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    drop(shared);
}

/// The log file and error messages go through every live redactor at once: a configured
/// profile's mask must not cut into a journey's value and leave the rest of it in clear, and a
/// journey's redactor that is gone must not stand in for the next one.
#[test]
fn every_redactor_masks_in_one_pass_and_none_outlives_its_journey() {
    use rampsim::redact::{global_redact, pin, register};
    let mut configured = Redactor::new();
    configured.add("Zorbelina", Kind::Name);
    pin(SharedRedactor::new(configured));
    let mut journey = Redactor::new();
    journey.add("user-zorbelinatrix-003", Kind::Identifier);
    let journey = SharedRedactor::new(journey);
    register(&journey);
    let line = global_redact("GET /users/user-zorbelinatrix-003/kyc answered 503").into_owned();
    assert_eq!(line, "GET /users/…-003/kyc answered 503");

    drop(journey);
    let mut next = Redactor::new();
    next.add("user-quillabeth-004", Kind::Identifier);
    let next = SharedRedactor::new(next);
    register(&next);
    let line = global_redact("GET /users/user-quillabeth-004/kyc").into_owned();
    assert_eq!(line, "GET /users/…-004/kyc");
    next.add_secret("tok-learnt-later-1");
    assert_eq!(
        global_redact("x tok-learnt-later-1").into_owned(),
        "x [REDACTED]"
    );
}

/// A config whose profiles are named after the people in them (`[profiles.duncan]` for Billy
/// Duncan, `[profiles.anna]` for Anna Schmidt; `billy` too, the same person again).
fn config_named_after_its_people() -> support::TestConfig {
    let dir = support::shipped_plugins(&["paxos"]);
    let duncan = support::billy().replace("[profiles.billy", "[profiles.duncan");
    support::TestConfig::new(&[dir], "paxos", &duncan)
}

/// Profile names and profile files are the operator's identifiers: messages show them as
/// written, though the configured profiles' values are masked in every message.
#[test]
fn profile_names_and_files_in_messages_are_shown_as_written() {
    let cfg = config_named_after_its_people();
    let out = cfg.rampsim(&["run", "--profile", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "profile: \"nope\" is neither a profile name nor a profile file; profiles in {}: anna, billy, duncan",
            cfg.path.display()
        )),
        "{err}"
    );
    // The same person in a profile file of that name, refused for a bad nationality.
    let billy = support::billy_profile_file(
        cfg.dir.path(),
        &[(r#"nationality = "US""#, r#"nationality = "XX""#)],
    );
    let file = billy.with_file_name("duncan.toml");
    std::fs::rename(&billy, &file).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("nationality"))
        .unwrap()
        + 1;
    let out = cfg.rampsim(&["run", "--profile", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:{line}:1: nationality: \"XX\" is not",
            file.display()
        )),
        "{err}"
    );
}

/// The values stay masked, in the same message as the profile's name: a plugin refusing the
/// profile quotes its last name.
#[test]
fn a_kyc_value_quoted_beside_a_profile_name_is_still_masked() {
    let cfg = config_named_after_its_people();
    let lib = support::fixture_plugin(Some("quotes_profile"), "fixture")
        .join(support::lib_name("rampsim_fixture"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rampsim"))
        .current_dir(cfg.dir.path())
        .args(["plugin", "check"])
        .arg(&lib)
        .args(["--profile", "duncan"])
        .output()
        .expect("rampsim runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "FAIL profile: the adapter refuses profile duncan: profile.last_name: 'D…' is not a name this provider accepts"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("Duncan"), "{stdout}");
}
