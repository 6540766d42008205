//! `rampsim sandbox` serves the fakes alone on loopback and prints each endpoint's base URL,
//! so any HTTP client can talk to them.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use support::*;

#[test]
fn serves_the_fakes_and_prints_their_urls() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampsim"))
        .arg("--config")
        .arg(&cfg.path)
        .args(["sandbox", "--provider", "paxos"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("serving on");
        printed.push(line);
        if done {
            break;
        }
    }
    let oauth = printed
        .iter()
        .find(|l| l.contains("approved") && l.contains(" oauth "))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_else(|| panic!("an oauth URL for the approved scenario: {printed:?}"))
        .to_string();
    assert!(oauth.starts_with("http://127.0.0.1:"), "{oauth}");

    // A plain HTTP client gets the fake's real answers: a refusal without credentials...
    let client = reqwest::blocking::Client::new();
    let r = client
        .post(format!("{oauth}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "x"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: serde_json::Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    assert_eq!(body["status"], 401, "a problem body: {body}");
    // ...and an unknown session is answered, not dropped.
    let base = oauth.rsplit_once("/paxos.approved/").unwrap().0.to_string();
    let r = client.get(format!("{base}/nosuch/api/x")).send().unwrap();
    assert_eq!(r.status().as_u16(), 404);
    child.kill().unwrap();
    let _ = child.wait();
}
