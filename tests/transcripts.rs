//! Saved journeys end to end with the real binary and the Paxos plugin: nothing sensitive in
//! any byte written (transcript, curl export, log file, stdout, stderr) unless `--unredacted`
//! is asked for; the transcript is valid HAR 1.2; replay matches, or names the first stage
//! that differs; transcript files are never written over a file or through a symlink.

mod support;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::*;

/// A profile whose every KYC value occurs nowhere else: finding one in the output is a leak.
const DISTINCT: &str = r#"
[profiles.case7781]
ref_id = "ref-qv7-kestrel-4410"
first_name = "Quentavius"
last_name = "Zarkowskiwy"
date_of_birth = "1971-08-23"
email = "qz.distinct-4471@mailexample.org"
phone = "+15559017342"
nationality = "US"

[profiles.case7781.address]
line1 = "4471 O'Hollow Crescent"
line2 = "Apt 9Q Brightwater"
city = "Brackenfield"
region = "NY"
postal_code = "10987-4471"
country = "US"

[profiles.case7781.tax_id]
number = "529-71-4470"
type = "ssn"
country = "US"

[profiles.case7781.document]
type = "passport"
number = "X9Q7Z4471"
country = "US"
front_image = "front.png"

[profiles.case7781.idv]
provider = "jumio"
verification_id = "a9f1c3e5-7777-4b2d-9e1f-0c0ffee4471a"
verified_at = "2021-06-16T09:28:14Z"
status = "approved"
fields = ["full_legal_name", "date_of_birth"]

[profiles.case7781.due_diligence]
estimated_yearly_income = "50k_to_100k"
expected_transfer_value = "25k_to_50k"
source_of_wealth = "employment_income"
employment_status = "full_time"
industry = "arts_entertainment_recreation"

[profiles.case7781.order]
asset = "BTC"
amount = "100.00"
currency = "USD"
wallet_address = "0x9a8B7c6D5e4F3a2B1c0D9e8F7a6B5c4D3e2F1a0B"
network = "ethereum"
"#;

/// The sandbox secret the Paxos fake accepts (a secret setting: registered for redaction).
const PAXOS_SANDBOX_SECRET: &str = "rampsim-paxos-sandbox-secret";
/// Tokens the Paxos fake issues start with this, then hex.
const TOKEN_PREFIX: &str = "pxsbx-";

fn image_bytes() -> Vec<u8> {
    (0..68u8)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect()
}

fn image_base64() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(image_bytes())
}

/// Every KYC value of the profile, as written in config.toml (plus the image's base64).
fn raw_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "ref-qv7-kestrel-4410",
        "Quentavius",
        "Zarkowskiwy",
        "1971-08-23",
        "qz.distinct-4471@mailexample.org",
        "+15559017342",
        "4471 O'Hollow Crescent",
        "Apt 9Q Brightwater",
        "Brackenfield",
        "10987-4471",
        "529-71-4470",
        "X9Q7Z4471",
        "a9f1c3e5-7777-4b2d-9e1f-0c0ffee4471a",
        "0x9a8B7c6D5e4F3a2B1c0D9e8F7a6B5c4D3e2F1a0B",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    v.push(image_base64());
    v
}

fn setup(extra: &str) -> TestConfig {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", &format!("{extra}\n{DISTINCT}"));
    std::fs::write(cfg.dir.path().join("front.png"), image_bytes()).unwrap();
    cfg
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Where each needle occurs in the haystacks (name -> text).
fn leaks(haystacks: &BTreeMap<String, String>, needles: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (name, hay) in haystacks {
        for n in needles {
            if hay.contains(n.as_str()) {
                found.push(format!("{n:?} in {name}"));
            }
        }
        // A token the fake issued: the prefix followed by its hex.
        let mut rest = hay.as_str();
        while let Some(i) = rest.find(TOKEN_PREFIX) {
            let after = &rest[i + TOKEN_PREFIX.len()..];
            if after.chars().next().is_some_and(|c| c.is_ascii_hexdigit()) {
                found.push(format!("an access token ({TOKEN_PREFIX}…) in {name}"));
                break;
            }
            rest = after;
        }
    }
    found
}

fn log_file(cfg: &TestConfig) -> String {
    std::fs::read_to_string(cfg.dir.path().join("rampsim.log")).unwrap_or_default()
}

fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn nothing_sensitive_leaves_the_process() {
    let cfg = setup("");
    let har = cfg.dir.path().join("saved").join("approved.har");
    let mut written = BTreeMap::new();

    // Log everything the host and its libraries say, to give the log writer work.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_rampsim"))
        .env("RAMPSIM_LOG", "trace")
        .args([
            "--config",
            s(&cfg.path),
            "run",
            "--profile",
            "case7781",
            "--scenario",
            "approved",
        ])
        .args(["--json", "--transcript", s(&har)])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("(redacted)"),
        "{}",
        text(&run)
    );
    written.insert("run --json".to_string(), text(&run));

    let human = cfg.rampsim(&["run", "--profile", "case7781", "--scenario", "approved"]);
    assert_eq!(human.status.code(), Some(0), "{}", text(&human));
    written.insert("run (human)".into(), text(&human));

    let curl = cfg.rampsim(&["export", "curl", s(&har)]);
    assert_eq!(curl.status.code(), Some(0), "{}", text(&curl));
    assert!(
        String::from_utf8_lossy(&curl.stdout).contains("curl -X 'POST'"),
        "{}",
        text(&curl)
    );
    written.insert("export curl".into(), text(&curl));

    let replay = cfg.rampsim(&["replay", s(&har)]);
    written.insert("replay".into(), text(&replay));
    let replay_json = cfg.rampsim(&["replay", s(&har), "--scenario", "denied", "--json"]);
    written.insert("replay --json".into(), text(&replay_json));

    written.insert("transcript".into(), std::fs::read_to_string(&har).unwrap());
    let log = log_file(&cfg);
    assert!(
        log.len() > 1000,
        "the trace log has content: {} bytes",
        log.len()
    );
    written.insert("log file".into(), log);

    let mut needles = raw_values();
    needles.push(PAXOS_SANDBOX_SECRET.into());
    // Forms an adapter may write: the tax number's digits, the phone without `+`.
    needles.push("529714470".into());
    needles.push("15559017342".into());
    let found = leaks(&written, &needles);
    assert!(
        found.is_empty(),
        "sensitive values written:\n{}",
        found.join("\n")
    );

    // And the transcript did record the exchanges, with the masks in place.
    let v = read_json(&har);
    assert_eq!(v["log"]["_redacted"], true);
    let t = std::fs::read_to_string(&har).unwrap();
    for mask in [
        "Q…",
        "Z…",
        "…4470",
        "Bearer [REDACTED]",
        "client_secret=[REDACTED]",
        "<image 68 B sha256:",
    ] {
        assert!(t.contains(mask), "{mask} missing from the transcript");
    }
}

#[test]
fn unredacted_exports_say_so_and_carry_the_real_values() {
    let cfg = setup("");
    let har = cfg.dir.path().join("real.har");
    let run = cfg.rampsim(&[
        "run",
        "--profile",
        "case7781",
        "--scenario",
        "approved",
        "--transcript",
        s(&har),
        "--unredacted",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("UNREDACTED"), "the screen says so: {err}");

    let content = std::fs::read_to_string(&har).unwrap();
    let v: serde_json::Value = serde_json::from_str(&content).unwrap();
    assert_eq!(v["log"]["_redacted"], false);
    assert!(
        v["log"]["comment"].as_str().unwrap().contains("UNREDACTED"),
        "{}",
        v["log"]["comment"]
    );
    let mut in_file = BTreeMap::new();
    in_file.insert("unredacted transcript".to_string(), content.clone());
    let mut needles = raw_values();
    needles.push(PAXOS_SANDBOX_SECRET.into());
    let found = leaks(&in_file, &needles);
    assert_eq!(
        found.len(),
        needles.len() + 1,
        "every value and a token: {found:#?}"
    );

    // Re-exported without the flag, it is redacted again.
    let curl = cfg.rampsim(&["export", "curl", s(&har)]);
    assert_eq!(curl.status.code(), Some(0), "{}", text(&curl));
    let mut out = BTreeMap::new();
    out.insert(
        "export curl of an unredacted transcript".to_string(),
        text(&curl),
    );
    let found = leaks(&out, &needles);
    assert!(found.is_empty(), "{found:#?}");

    // With the flag, the real values, and a warning.
    let curl = cfg.rampsim(&["export", "curl", s(&har), "--unredacted"]);
    assert_eq!(curl.status.code(), Some(0), "{}", text(&curl));
    assert!(
        String::from_utf8_lossy(&curl.stderr).contains("UNREDACTED"),
        "{}",
        text(&curl)
    );
    let stdout = String::from_utf8_lossy(&curl.stdout);
    assert!(
        stdout.contains("Quentavius") && stdout.contains(PAXOS_SANDBOX_SECRET),
        "{stdout}"
    );
}

#[test]
fn a_secret_from_the_environment_is_never_written() {
    // A wrong secret: the fake refuses it, the journey fails, and error paths must not leak it.
    const SECRET: &str = "zz-env-secret-5521-qqq";
    let cfg = setup(
        "[providers.paxos]\nmode = \"sandbox\"\n\n[providers.paxos.settings]\nclient_secret = { env = \"RS7_TEST_PAXOS_SECRET\" }\n",
    );
    let har = cfg.dir.path().join("failed.har");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_rampsim"))
        .env("RS7_TEST_PAXOS_SECRET", SECRET)
        .env("RAMPSIM_LOG", "trace")
        .args([
            "--config",
            s(&cfg.path),
            "run",
            "--profile",
            "case7781",
            "--transcript",
            s(&har),
        ])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(13),
        "the fake refuses the secret: {}",
        text(&run)
    );
    let mut written = BTreeMap::new();
    written.insert("run".to_string(), text(&run));
    written.insert("transcript".into(), std::fs::read_to_string(&har).unwrap());
    written.insert("log file".into(), log_file(&cfg));
    let curl = cfg.rampsim(&["export", "curl", s(&har)]);
    written.insert("export curl".into(), text(&curl));
    let mut needles = raw_values();
    needles.push(SECRET.into());
    let found = leaks(&written, &needles);
    assert!(found.is_empty(), "{found:#?}");
    assert!(written["transcript"].contains("client_secret=[REDACTED]"));
}

// ---------------------------------------------------------------------------------------------
// HAR 1.2, read back with a strict model of the spec (unknown fields are errors, except the
// `_`-prefixed custom fields rampsim writes).
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HarFile {
    log: HarLog,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HarLog {
    version: String,
    creator: HarCreator,
    #[serde(default)]
    browser: Option<HarCreator>,
    #[serde(default)]
    pages: Option<Vec<serde_json::Value>>,
    entries: Vec<HarEntry>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(rename = "_redacted")]
    redacted: bool,
    #[serde(rename = "_rampsim")]
    rampsim: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HarCreator {
    name: String,
    version: String,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HarEntry {
    #[serde(default)]
    pageref: Option<String>,
    started_date_time: String,
    time: f64,
    request: HarRequest,
    response: HarResponse,
    cache: serde_json::Map<String, serde_json::Value>,
    timings: HarTimings,
    #[serde(default, rename = "serverIPAddress")]
    server_ip_address: Option<String>,
    #[serde(default)]
    connection: Option<String>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(rename = "_stage")]
    stage: String,
    #[serde(rename = "_exchange")]
    exchange: u64,
    #[serde(rename = "_attempt")]
    attempt: u32,
    #[serde(rename = "_endpoint")]
    endpoint: String,
    #[serde(default, rename = "_error")]
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HarNameValue {
    name: String,
    value: String,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HarRequest {
    method: String,
    url: String,
    http_version: String,
    cookies: Vec<HarNameValue>,
    headers: Vec<HarNameValue>,
    query_string: Vec<HarNameValue>,
    #[serde(default)]
    post_data: Option<HarPostData>,
    headers_size: i64,
    body_size: i64,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HarPostData {
    mime_type: String,
    #[serde(default)]
    params: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HarResponse {
    status: i64,
    status_text: String,
    http_version: String,
    cookies: Vec<HarNameValue>,
    headers: Vec<HarNameValue>,
    content: HarContent,
    #[serde(rename = "redirectURL")]
    redirect_url: String,
    headers_size: i64,
    body_size: i64,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HarContent {
    size: i64,
    #[serde(default)]
    compression: Option<i64>,
    mime_type: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HarTimings {
    #[serde(default)]
    blocked: Option<f64>,
    #[serde(default)]
    dns: Option<f64>,
    #[serde(default)]
    connect: Option<f64>,
    send: f64,
    wait: f64,
    receive: f64,
    #[serde(default)]
    ssl: Option<f64>,
    #[serde(default)]
    comment: Option<String>,
}

fn saved_journey(cfg: &TestConfig, scenario: &str) -> PathBuf {
    let har = cfg.dir.path().join(format!("{scenario}.har"));
    let out = cfg.rampsim(&[
        "run",
        "--scenario",
        scenario,
        "--json",
        "--transcript",
        s(&har),
    ]);
    assert!(out.status.code().is_some(), "{}", text(&out));
    assert!(har.is_file(), "{}", text(&out));
    har
}

#[test]
fn the_transcript_is_har_1_2() {
    let cfg = setup("");
    let path = saved_journey(&cfg, "approved");
    let raw = std::fs::read_to_string(&path).unwrap();
    let har: HarFile =
        serde_json::from_str(&raw).unwrap_or_else(|e| panic!("not HAR 1.2: {e}\n{raw}"));
    let log = &har.log;
    assert_eq!(log.version, "1.2");
    assert_eq!(log.creator.name, "rampsim");
    assert!(!log.creator.version.is_empty() && log.creator.comment.is_none());
    assert!(log.redacted);
    assert!(log.pages.is_none() && log.browser.is_none());
    assert!(log.comment.as_deref().unwrap().contains("redacted"));

    let run = cfg.rampsim(&["run", "--scenario", "approved", "--json"]);
    let sent = events(&run)
        .iter()
        .filter(|e| e["event"] == "request_sent")
        .count();
    assert_eq!(log.entries.len(), sent, "one entry per request sent");
    let stages = ["register", "idv_passthrough", "await_kyc", "create_order"];
    let mut last_exchange = 0;
    for e in &log.entries {
        time::OffsetDateTime::parse(
            &e.started_date_time,
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap_or_else(|err| panic!("startedDateTime {:?}: {err}", e.started_date_time));
        let t = &e.timings;
        assert!(t.comment.is_none());
        for (name, v) in [("send", t.send), ("wait", t.wait), ("receive", t.receive)] {
            assert!(v >= 0.0, "timings.{name} = {v}: must be >= 0");
        }
        for (name, v) in [
            ("blocked", t.blocked),
            ("dns", t.dns),
            ("connect", t.connect),
            ("ssl", t.ssl),
        ] {
            let v = v.unwrap_or(-1.0);
            assert!(v == -1.0 || v >= 0.0, "timings.{name} = {v}: -1 or >= 0");
        }
        let sum: f64 = [t.blocked, t.dns, t.connect]
            .into_iter()
            .flatten()
            .chain([t.send, t.wait, t.receive])
            .filter(|v| *v >= 0.0)
            .sum();
        assert!(
            (e.time - sum).abs() < 1e-6,
            "time {} is the sum of the timings {sum}",
            e.time
        );
        assert!(e.cache.is_empty());
        assert!(stages.contains(&e.stage.as_str()), "_stage {}", e.stage);
        assert!(e.exchange > last_exchange, "exchanges in order");
        last_exchange = e.exchange;
        assert!(e.attempt >= 1 && !e.endpoint.is_empty());
        assert!(e.error.is_none(), "every request was answered");
        assert!(
            e.pageref.is_none()
                && e.server_ip_address.is_none()
                && e.connection.is_none()
                && e.comment.is_none()
        );
        let r = &e.request;
        assert!(["GET", "POST"].contains(&r.method.as_str()));
        assert!(r.url.starts_with("http://127.0.0.1:"), "{}", r.url);
        assert_eq!(r.http_version, "HTTP/1.1");
        assert!(r.cookies.is_empty() && r.comment.is_none());
        assert_eq!(r.headers_size, -1);
        match &r.post_data {
            Some(p) => {
                assert!(r.body_size > 0);
                assert!(
                    !p.mime_type.is_empty()
                        && p.text.is_some()
                        && p.params.is_none()
                        && p.comment.is_none()
                );
            }
            None => assert_eq!(r.body_size, 0),
        }
        assert!(r
            .query_string
            .iter()
            .all(|q| !q.name.is_empty() && q.comment.is_none()));
        assert!(r
            .headers
            .iter()
            .all(|h| !h.name.is_empty() && h.comment.is_none()));
        let p = &e.response;
        assert!((100..600).contains(&p.status), "{}", p.status);
        assert_eq!(p.status_text, "OK");
        assert_eq!(p.http_version, "HTTP/1.1");
        assert!(p.cookies.is_empty() && p.comment.is_none());
        assert!(p.redirect_url.is_empty());
        assert_eq!(p.headers_size, -1);
        assert_eq!(p.body_size, p.content.size);
        assert_eq!(p.content.mime_type, "application/json");
        assert!(p
            .content
            .text
            .as_deref()
            .is_some_and(|t| serde_json::from_str::<serde_json::Value>(t).is_ok()));
        assert!(
            p.content.compression.is_none()
                && p.content.encoding.is_none()
                && p.content.comment.is_none()
        );
        assert!(p.headers.iter().all(|h| h.value.is_ascii()));
    }
    assert!(log.entries.iter().any(|e| e.stage == "await_kyc"));
    assert!(
        log.entries.iter().all(|e| e.stage != "idv_passthrough"),
        "Paxos skips it"
    );

    // The journey's inputs, events and outcome.
    let r = &log.rampsim;
    assert_eq!(r["format"], 1);
    assert_eq!(r["provider"], "paxos");
    assert_eq!(r["scenario"], "approved");
    assert_eq!(r["mode"], "sandbox");
    assert_eq!(r["clock"], "virtual");
    assert_eq!(r["profile"]["name"], "billy");
    assert_eq!(r["profile"]["source"], "config");
    assert_eq!(r["profile"]["reference"], "billy");
    assert_eq!(r["profile"]["data"]["first_name"], "B…");
    assert_eq!(r["profile"]["data"]["tax_id"]["number"], "…1120");
    assert_eq!(r["profile"]["data"]["date_of_birth"], "…1-01");
    assert_eq!(r["profile"]["data"]["email"], "e…@somemail.org");
    assert_eq!(r["stages"], serde_json::json!(stages));
    assert_eq!(r["outcome"]["outcome"], "order_created");
    assert_eq!(r["events"][0]["event"], "journey_started");
    assert_eq!(
        r["events"].as_array().unwrap().last().unwrap()["event"],
        "journey_finished"
    );
    assert!(
        r.get("secrets").is_none(),
        "a redacted file lists no secrets"
    );
    // And the crate's own reader takes it.
    rampsim::transcript::read(&path).expect("rampsim reads its transcript");
}

#[cfg(unix)]
#[test]
fn transcripts_are_private_files_in_a_private_directory() {
    use std::os::unix::fs::PermissionsExt;
    let cfg = setup("");
    let path = cfg.dir.path().join("new").join("dir").join("t.har");
    let out = cfg.rampsim(&["run", "--transcript", s(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(path.parent().unwrap().parent().unwrap()), 0o700);
}

#[test]
fn a_file_at_the_transcript_path_is_not_overwritten() {
    let cfg = setup("");
    let path = cfg.dir.path().join("taken.har");
    std::fs::write(&path, "keep me").unwrap();
    let out = cfg.rampsim(&["run", "--json", "--transcript", s(&path)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already exists"),
        "{}",
        text(&out)
    );
    assert!(
        out.stdout.is_empty(),
        "refused before the journey started: {}",
        text(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_transcript_path_is_refused() {
    let cfg = setup("");
    let target = cfg.dir.path().join("target.txt");
    std::fs::write(&target, "original").unwrap();
    let link = cfg.dir.path().join("link.har");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = cfg.rampsim(&["run", "--transcript", s(&link)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("symbolic link"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "original");

    // A dangling link is refused too (nothing is created at its target).
    let missing = cfg.dir.path().join("nowhere.txt");
    let dangling = cfg.dir.path().join("dangling.har");
    std::os::unix::fs::symlink(&missing, &dangling).unwrap();
    let out = cfg.rampsim(&["run", "--transcript", s(&dangling)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!missing.exists());
}

#[test]
fn replay_of_an_approved_journey_matches() {
    let cfg = setup("");
    let path = saved_journey(&cfg, "approved");
    let out = cfg.rampsim(&["replay", s(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("MATCHES"), "{stdout}");
    for stage in ["register", "idv_passthrough", "await_kyc", "create_order"] {
        assert!(stdout.contains(stage), "{stage} reported: {stdout}");
    }
    let out = cfg.rampsim(&["replay", s(&path), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"], true);
    assert_eq!(v["stages"].as_array().unwrap().len(), 4);
}

/// Saved on the real clock, replayed on the virtual one: the Paxos fake's auto-approval does not
/// depend on time having passed between the create and the first GET.
#[test]
fn a_journey_saved_on_the_real_clock_replays_as_saved() {
    let cfg = setup("");
    let har = cfg.dir.path().join("real.har");
    let out = cfg.rampsim(&["run", "--clock", "real", "--transcript", s(&har)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = cfg.rampsim(&["replay", s(&har)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("MATCHES"),
        "{}",
        text(&out)
    );
}

#[test]
fn replay_against_a_denying_fake_names_the_first_differing_stage() {
    let cfg = setup("");
    let path = saved_journey(&cfg, "approved");
    let out = cfg.rampsim(&["replay", s(&path), "--scenario", "denied"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("first difference at stage 3 (await_kyc)"),
        "{stdout}"
    );
    assert!(stdout.contains("DENIED"), "{stdout}");

    let out = cfg.rampsim(&["replay", s(&path), "--scenario", "denied", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"], false);
    assert_eq!(v["first_difference"]["stage"], "await_kyc");
    assert_eq!(v["first_difference"]["index"], 3);
    let stages = v["stages"].as_array().unwrap();
    assert_eq!(stages[0]["same"], true, "register is the same");
    assert_eq!(stages[1]["same"], true, "idv_passthrough is the same");
    assert_eq!(stages[2]["same"], false);
    assert_eq!(v["saved_outcome"]["outcome"], "order_created");
    assert_eq!(v["replay_outcome"]["outcome"], "rejected");

    // The other way round: a saved denial replayed as saved matches.
    let denied = saved_journey(&cfg, "denied");
    let out = cfg.rampsim(&["replay", s(&denied)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn replay_errors_have_their_exit_statuses() {
    let cfg = setup("");
    let path = saved_journey(&cfg, "approved");
    let out = cfg.rampsim(&["replay", s(&path), "--profile", "nobody"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = cfg.rampsim(&["replay", s(&cfg.path)]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "not a transcript: {}",
        text(&out)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a rampsim HAR 1.2 transcript"));
    // A browser's HAR (no rampsim section): said as such, not as a missing field of ours.
    let browser = cfg.dir.path().join("browser.har");
    std::fs::write(
        &browser,
        r#"{"log":{"version":"1.2","creator":{"name":"Firefox","version":"120"},"entries":[]}}"#,
    )
    .unwrap();
    for cmd in ["replay", "export"] {
        let args: &[&str] = if cmd == "replay" {
            &["replay", s(&browser)]
        } else {
            &["export", "curl", s(&browser)]
        };
        let out = cfg.rampsim(args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("a HAR file, but not one rampsim wrote"),
            "{}",
            text(&out)
        );
    }
    // A provider whose plugin is gone.
    let mut v = read_json(&path);
    v["log"]["_rampsim"]["provider"] = "nosuch".into();
    let edited = cfg.dir.path().join("edited.har");
    std::fs::write(&edited, v.to_string()).unwrap();
    let out = cfg.rampsim(&["replay", s(&edited)]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
}

/// Runs the export through `sh` with a `curl` that prints its arguments, one per NUL.
#[cfg(unix)]
fn shell_args(script: &str) -> Vec<Vec<String>> {
    let prelude = "curl() { for a in \"$@\"; do printf '%s\\0' \"$a\"; done; printf '\\001'; }\n";
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\u{1}')
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.split('\0')
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn curl_export_is_shell_safe() {
    let cfg = setup("");
    let path = cfg.dir.path().join("quotes.har");
    // The unredacted transcript keeps the address's apostrophe, which the shell must not see.
    let out = cfg.rampsim(&[
        "run",
        "--profile",
        "case7781",
        "--transcript",
        s(&path),
        "--unredacted",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let har = read_json(&path);
    for unredacted in [false, true] {
        let mut args = vec!["export", "curl", s(&path)];
        if unredacted {
            args.push("--unredacted");
        }
        let out = cfg.rampsim(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let script = String::from_utf8(out.stdout).unwrap();
        let commands = shell_args(&script);
        let entries = har["log"]["entries"].as_array().unwrap();
        assert_eq!(commands.len(), entries.len(), "{script}");
        for (cmd, e) in commands.iter().zip(entries) {
            let req = &e["request"];
            assert_eq!(cmd[0], "-X");
            assert_eq!(cmd[1], req["method"].as_str().unwrap());
            assert_eq!(cmd[2], req["url"].as_str().unwrap());
            let n_headers = req["headers"].as_array().unwrap().len();
            for i in 0..n_headers {
                assert_eq!(cmd[3 + 2 * i], "-H");
            }
            match req["postData"]["text"].as_str() {
                Some(body) => {
                    assert_eq!(cmd[3 + 2 * n_headers], "--data-raw");
                    let sent = &cmd[4 + 2 * n_headers];
                    if unredacted {
                        assert_eq!(sent, body, "the shell passes the body through unchanged");
                    } else {
                        assert!(!sent.contains("Quentavius"));
                    }
                }
                None => assert_eq!(cmd.len(), 3 + 2 * n_headers),
            }
        }
        if unredacted {
            assert!(
                commands.iter().flatten().any(|a| a.contains("O'Hollow")),
                "the apostrophe reached curl intact"
            );
        }
    }
}

#[test]
fn live_mode_needs_the_flag_and_its_secrets() {
    let live = "[providers.paxos]\nmode = \"live\"\n\n[providers.paxos.settings]\nclient_id = \"my-client\"\nclient_secret = { env = \"RS7_TEST_LIVE_SECRET\" }\n";
    let cfg = setup(live);
    // Without --live: refused before anything is sent.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rampsim"))
        .env("RS7_TEST_LIVE_SECRET", "zz-live-secret-7710")
        .args(["--config", s(&cfg.path), "run", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--live"),
        "{}",
        text(&out)
    );
    assert!(out.stdout.is_empty());
    // With --live but the secret's variable unset: refused, naming the variable.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rampsim"))
        .env_remove("RS7_TEST_LIVE_SECRET")
        .args(["--config", s(&cfg.path), "run", "--live", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("RS7_TEST_LIVE_SECRET") && err.contains("live"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // Never on the virtual clock. The live endpoints here are a closed loopback port, so
    // nothing could leave the machine even if a request were sent.
    let closed = "\n[providers.paxos.endpoints]\napi = \"http://127.0.0.1:9\"\noauth = \"http://127.0.0.1:9\"\n";
    let loopback = setup(&format!("{live}{closed}"));
    let live_run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_rampsim"))
            .env("RS7_TEST_LIVE_SECRET", "zz-live-secret-7710")
            .args(["--config", s(&loopback.path), "run", "--live", "--json"])
            .args(extra)
            .output()
            .unwrap()
    };
    // Asked for: refused before anything is sent.
    let out = live_run(&["--clock", "virtual"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("real clock"),
        "{}",
        text(&out)
    );
    assert!(out.stdout.is_empty());
    // The config's `clock = "virtual"` (this test's) gives way to the real clock.
    let out = live_run(&[]);
    let started = events(&out)
        .into_iter()
        .find(|e| e["event"] == "journey_started")
        .unwrap_or_else(|| panic!("{}", text(&out)));
    assert_eq!(started["virtual_clock"], false, "{started}");
    // Replay never goes live.
    let sandbox = setup("");
    let path = saved_journey(&sandbox, "approved");
    let out = cfg.rampsim(&["replay", s(&path)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sandbox only"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_secret_written_in_the_config_is_refused_without_echoing_it() {
    let cfg = setup("[providers.paxos]\nmode = \"sandbox\"\n\n[providers.paxos.settings]\nclient_secret = \"zz-inline-secret-3301\"\n");
    let out = cfg.rampsim(&["run"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("env = \"PAXOS_CLIENT_SECRET\""),
        "says how to move it: {err}"
    );
    assert!(!err.contains("zz-inline-secret-3301"), "{err}");
    assert!(!log_file(&cfg).contains("zz-inline-secret-3301"));
}

/// What an adapter sends in pieces (Stripe's date of birth as `dob[day]`, `dob[month]`,
/// `dob[year]`; Kriptomat's house number cut out of the street line) or respells (Paxos writes
/// names in ASCII) is masked in the transcript and its curl export like the whole value.
#[test]
fn values_an_adapter_splits_or_respells_are_masked_too() {
    let dir = shipped_plugins(&["stripe", "kriptomat", "paxos"]);
    let cfg = TestConfig::new(&[dir], "stripe", "");
    let profile = billy_profile_file(
        cfg.dir.path(),
        &[
            ("first_name = \"Billy\"", "first_name = \"Guðrún\""),
            ("last_name = \"Duncan\"", "last_name = \"O’Brien\""),
        ],
    );
    let written = |provider: &str, extra: &[&str]| -> String {
        let har = cfg.dir.path().join(format!("{provider}.har"));
        let mut args = vec!["run", "--provider", provider, "--transcript", s(&har)];
        args.extend(extra);
        let run = cfg.rampsim(&args);
        assert_eq!(run.status.code(), Some(0), "{provider}: {}", text(&run));
        let curl = cfg.rampsim(&["export", "curl", s(&har)]);
        assert_eq!(curl.status.code(), Some(0), "{}", text(&curl));
        format!(
            "{}\n{}\n{}",
            std::fs::read_to_string(&har).unwrap(),
            text(&curl),
            text(&run)
        )
    };

    let stripe = written("stripe", &[]);
    assert!(stripe.contains("dob%5Byear%5D=…"), "{stripe}");
    assert!(!stripe.contains("1960"), "Billy's year of birth: {stripe}");

    let kriptomat = written("kriptomat", &[]);
    assert!(
        kriptomat.contains(r#"building_number\":\"…\""#),
        "{kriptomat}"
    );
    for house in [r#"building_number\":\"5\""#, r#"building_number":"5""#] {
        assert!(
            !kriptomat.contains(house),
            "Anna's house number: {kriptomat}"
        );
    }

    let paxos = written("paxos", &["--profile", s(&profile)]);
    assert!(paxos.contains(r#"first_name\":\"G…\""#), "{paxos}");
    for spelled in ["Gudrun", "O'Brien", "O’Brien", "Guðrún"] {
        assert!(!paxos.contains(spelled), "{spelled}: {paxos}");
    }
}

/// A transcript names the profile the journey really used, so `replay` finds the same person:
/// the provider's own `[providers.P] profile`, and a profile file given relative to the config's
/// directory from anywhere else.
#[test]
fn a_transcript_names_the_profile_the_journey_used() {
    let dir = shipped_plugins(&["kriptomat", "paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let run_then_replay = |cwd: &Path, args: &[&str], har: &Path| {
        let rampsim = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_rampsim"))
                .current_dir(cwd)
                .args(["--config", s(&cfg.path)])
                .args(args)
                .output()
                .unwrap()
        };
        let mut run_args = vec!["run", "--transcript", s(har)];
        run_args.extend(args);
        let run = rampsim(&run_args);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run));
        let replay = rampsim(&["replay", s(har), "--json"]);
        assert_eq!(replay.status.code(), Some(0), "{}", text(&replay));
        let report: serde_json::Value = serde_json::from_slice(&replay.stdout).unwrap();
        assert_eq!(report["matches"], true, "{report}");
        read_json(har)
    };

    // Kriptomat's journeys use anna ([providers.kriptomat] profile), not [app] profile (billy).
    let har = cfg.dir.path().join("k.har");
    let v = run_then_replay(cfg.dir.path(), &["--provider", "kriptomat"], &har);
    assert_eq!(
        v["log"]["_rampsim"]["profile"]["reference"], "anna",
        "{}",
        v["log"]["_rampsim"]["profile"]
    );

    // A file named relative to the config's directory, run and replayed from another one.
    std::fs::create_dir_all(cfg.dir.path().join("people")).unwrap();
    let file = billy_profile_file(cfg.dir.path(), &[]);
    std::fs::rename(&file, cfg.dir.path().join("people").join("billy2.toml")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let har = cfg.dir.path().join("rel.har");
    let v = run_then_replay(elsewhere.path(), &["--profile", "people/billy2.toml"], &har);
    let reference = v["log"]["_rampsim"]["profile"]["reference"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        Path::new(&reference),
        cfg.dir
            .path()
            .join("people")
            .join("billy2.toml")
            .canonicalize()
            .unwrap()
            .as_path(),
    );
}

/// Replaying with another profile of the same person (`--profile`, as for a journey whose
/// profile was edited) compares what the provider did, not the masked ids in the paths.
#[test]
fn replay_with_another_profile_file_compares_the_provider_not_the_masks() {
    let dir = shipped_plugins(&["proof"]);
    let cfg = TestConfig::new(&[dir], "proof", "");
    let har = cfg.dir.path().join("proof.har");
    let run = cfg.rampsim(&["run", "--transcript", s(&har)]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let other = billy_profile_file(
        cfg.dir.path(),
        &[("user-billy-duncan-001", "user-billy-duncan-002")],
    );
    let replay = cfg.rampsim(&["replay", s(&har), "--profile", s(&other), "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&replay.stdout).unwrap();
    assert_eq!(report["matches"], true, "{report}");
    assert_eq!(replay.status.code(), Some(0));
}
