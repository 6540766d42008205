//! `rampsim sandbox` serves the fakes alone on loopback and prints each endpoint's base URL,
//! so any HTTP client can talk to them.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use support::*;

#[test]
fn serves_the_fakes_and_prints_their_urls() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let mut served = Served::start(&cfg, "paxos", Stdio::null());
    let oauth = served.url("approved", "oauth");
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
    // ...and with the sandbox credentials, a create-identity whose country is lower-case gets
    // Paxos's documented 400 problem body over real HTTP.
    let token: serde_json::Value = serde_json::from_str(
        &client
            .post(format!("{oauth}/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "rampsim-paxos-sandbox-client"),
                ("client_secret", "rampsim-paxos-sandbox-secret"),
                ("scope", "identity:read_identity identity:write_identity"),
            ])
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    let api = oauth.replace("/paxos.approved/oauth", "/paxos.approved/api");
    let mut body: serde_json::Value = serde_json::from_str(SEED_IDENTITY).unwrap();
    body["person_details"]["nationality"] = "usa".into();
    let r = client
        .post(format!("{api}/v2/identity/identities"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = serde_json::from_str(&r.text().unwrap()).unwrap();
    assert_eq!(problem["status"], 400, "{problem}");
    assert_eq!(
        problem["meta"]["fields"][0]["field"], "person_details.nationality",
        "{problem}"
    );
    // ...and an unknown session is answered, not dropped.
    let base = oauth.rsplit_once("/paxos.approved/").unwrap().0.to_string();
    let r = client.get(format!("{base}/nosuch/api/x")).send().unwrap();
    assert_eq!(r.status().as_u16(), 404);
    served.child.kill().unwrap();
    let _ = served.child.wait();
}

/// `rampsim sandbox --provider P` running, with what it printed up to "serving on".
struct Served {
    child: std::process::Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
    printed: Vec<String>,
}

impl Served {
    fn start(cfg: &TestConfig, provider: &str, stderr: Stdio) -> Served {
        let mut child = cfg.spawn(&["sandbox", "--provider", provider], stderr);
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
        Served {
            child,
            lines,
            printed,
        }
    }

    /// The base URL printed for `endpoint` of `scenario`.
    fn url(&self, scenario: &str, endpoint: &str) -> String {
        self.printed
            .iter()
            .find(|l| l.contains(scenario) && l.contains(&format!(" {endpoint} ")))
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or_else(|| {
                panic!(
                    "a {endpoint} URL for the {scenario} scenario: {:?}",
                    self.printed
                )
            })
            .to_string()
    }
}

/// The seed's create-identity example, with the passthrough fields it says are required.
const SEED_IDENTITY: &str = r#"{
    "ref_id": "sandbox-cli-test-1",
    "person_details": {
        "verifier_type": "PASSTHROUGH",
        "passthrough_verifier_type": "JUMIO",
        "passthrough_verified_at": "2021-06-16T09:28:14Z",
        "passthrough_verification_id": "775300ef-4edb-47b9-8ec4-f45fe3cbf41f",
        "passthrough_verification_status": "APPROVED",
        "passthrough_verification_fields": ["FULL_LEGAL_NAME", "DATE_OF_BIRTH"],
        "first_name": "Billy",
        "last_name": "Duncan",
        "date_of_birth": "1960-01-01",
        "address": {"address1": "123 Main St", "city": "New York", "province": "NY", "country": "USA", "zip_code": "10001"},
        "nationality": "USA",
        "cip_id": "073-05-1120",
        "cip_id_type": "SSN",
        "cip_id_country": "USA",
        "phone_number": "+1 555 678 1234",
        "email": "example@somemail.org"
    },
    "customer_due_diligence": {
        "estimated_yearly_income": "INCOME_50K_TO_100K",
        "expected_transfer_value": "TRANSFER_VALUE_25K_TO_50K",
        "source_of_wealth": "EMPLOYMENT_INCOME",
        "employment_status": "FULL_TIME",
        "employment_industry_sector": "ARTS_ENTERTAINMENT_RECREATION"
    }
}"#;

/// What a plugin prints while `rampsim sandbox` serves its fake goes to the log file, not among
/// the URLs the command prints.
#[test]
fn a_noisy_fake_stays_out_of_what_sandbox_prints() {
    let dir = fixture_plugin(Some("noisy"), "fixture");
    let cfg = TestConfig::new(&[dir], "fixture", "");
    let mut served = Served::start(&cfg, "fixture", Stdio::piped());
    let mut stderr = served.child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).unwrap();
        s
    });
    let api = served.url("approved", "api");
    let r = reqwest::blocking::Client::new()
        .post(format!("{api}/users"))
        .header("x-key", "fixture-key")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    ctrl_c(&served.child);
    let mut printed = served.printed;
    printed.extend(served.lines.map(|l| l.unwrap()));
    assert_eq!(served.child.wait().unwrap().code(), Some(0));
    let stdout = printed.join("\n");
    let stderr = stderr.join().unwrap();
    assert!(
        !stdout.contains("NOISY") && !stderr.contains("NOISY"),
        "{stdout}\n{stderr}"
    );
    let log = std::fs::read_to_string(cfg.dir.path().join("rampsim.log")).unwrap();
    assert!(
        log.contains("plugin output: NOISY-MANIFEST-STDOUT"),
        "{log}"
    );
    assert!(
        log.contains("plugin output: NOISY-FAKE-STDOUT POST /users"),
        "{log}"
    );
    assert!(
        log.contains("plugin output: NOISY-FAKE-STDERR POST /users"),
        "{log}"
    );
}

/// A port the operator chose that another program holds is a usage error (exit 2) naming the
/// port, not a failed journey (13).
#[test]
fn a_port_in_use_is_a_usage_error_naming_it() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = cfg.rampsim(&["sandbox", "--port", &port]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn an_unknown_provider_is_a_usage_error_naming_the_installed_ones() {
    let dir = shipped_plugins(&["paxos"]);
    let cfg = TestConfig::new(&[dir], "paxos", "");
    for args in [
        &["run", "--provider", "Paxos"][..],
        &[
            "batch",
            "--provider",
            "Paxos",
            "--scenario",
            "approved",
            "--count",
            "1",
            "--concurrency",
            "1",
        ],
        &["sandbox", "--provider", "Paxos"],
    ] {
        let out = cfg.rampsim(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("no plugin `Paxos` is installed; installed: ")
                && err.contains("paxos")
                && err.contains("did you mean `paxos`?"),
            "{args:?}: {err}"
        );
    }
}
