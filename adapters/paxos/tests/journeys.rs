//! Whole journeys of the adapter against the fake: every scenario, refused requests, garbage
//! answers at every step, idempotent re-runs.

mod common;

use common::*;
use rampsim_paxos::fake::{SCENARIO_APPROVED, SCENARIO_SLOW_REVIEW, SLOW_REVIEW_MS};
use rampsim_paxos::{PaxosPlugin, SCOPES};
use rampsim_plugin_sdk::testing::{sample_profile, Harness, START_MS};
use rampsim_plugin_sdk::{
    Adapter, AdapterInit, Cx, HttpResponse, KycStatus, Mode, Outcome, Plugin, PluginErrorKind,
    Stage, Step,
};
use serde_json::{json, Value};

#[test]
fn every_scenario_ends_with_its_expected_outcome() {
    for sc in PaxosPlugin::manifest().scenarios {
        let mut h = H::new(&sc.name);
        let report = h
            .run(sample_profile())
            .unwrap_or_else(|e| panic!("{}: {e}", sc.name));
        assert_eq!(
            report.outcome, sc.expected_outcome,
            "scenario {}: {:#?}",
            sc.name, report.stages
        );
        let last = &report.stages.last().expect("a stage").1;
        assert!(!last.message.is_empty(), "{}", sc.name);
        // KYC values never reach the operator's screen.
        for (_, r) in &report.stages {
            for secret in ["Billy", "Duncan", "073-05-1120", "1960-01-01", "somemail"] {
                assert!(
                    !r.message.contains(secret),
                    "{}: {} leaks {secret}",
                    sc.name,
                    r.message
                );
                assert!(
                    !r.next_step.clone().unwrap_or_default().contains(secret),
                    "{}",
                    sc.name
                );
            }
        }
        let await_kyc = report.stage(Stage::AwaitKyc);
        match sc.name.as_str() {
            "approved" | "slow_review" => {
                let k = await_kyc.expect("await_kyc ran");
                assert_eq!(k.kyc_status, Some(KycStatus::Approved), "{}", sc.name);
                assert_eq!(k.provider_status.as_deref(), Some("APPROVED"));
                assert_eq!(report.kyc_status, Some(KycStatus::Approved));
                let order = report.stage(Stage::CreateOrder).expect("create_order ran");
                assert!(order.order_id.is_some(), "{order:?}");
                assert!(
                    ["PENDING_SUBMISSION", "SUBMITTED", "OPEN", "FILLED"]
                        .contains(&order.provider_status.as_deref().unwrap_or("")),
                    "{order:?}"
                );
            }
            "denied" => {
                let k = await_kyc.expect("await_kyc ran");
                assert_eq!(k.kyc_status, Some(KycStatus::Rejected));
                assert_eq!(k.provider_status.as_deref(), Some("DENIED"));
                assert!(report.polls > 0, "denied after a short review, not at once");
                assert!(k.next_step.is_some());
            }
            "edd_required" => {
                let k = await_kyc.expect("await_kyc ran");
                assert_eq!(k.kyc_status, Some(KycStatus::ActionRequired));
                assert_eq!(k.provider_status.as_deref(), Some("PENDING"));
                assert_eq!(
                    report.polls, 0,
                    "action_required at the first GET, not after a deadline"
                );
                assert!(
                    k.next_step
                        .as_deref()
                        .unwrap_or("")
                        .contains("ENHANCED_DUE_DILIGENCE"),
                    "{k:?}"
                );
            }
            "duplicate_cip_id" => {
                let r = report.stage(Stage::Register).expect("register ran");
                assert_eq!(r.kyc_status, Some(KycStatus::ActionRequired));
                assert!(
                    r.message
                        .contains("duplicate (cip_id, cip_id_type, cip_id_country) provided"),
                    "{}",
                    r.message
                );
                let existing = report.exchanges[1].response.body.clone();
                let id = serde_json::from_str::<Value>(&existing).unwrap()["meta"]["existing"]
                    ["id"]
                    .as_str()
                    .unwrap()
                    .to_string();
                assert!(r.message.contains(&id), "{}", r.message);
                assert_eq!(
                    r.next_step.as_deref(),
                    Some(format!(
                        "decide whether it is the same person: decline, or create an account linked to the existing identity {id}"
                    ).as_str())
                );
                assert!(await_kyc.is_none());
            }
            "insufficient_funds" => {
                let o = report.stage(Stage::CreateOrder).expect("create_order ran");
                assert!(
                    o.message.contains("403") && o.message.contains("Insufficient Funds"),
                    "{}",
                    o.message
                );
                assert!(
                    o.next_step.as_deref().unwrap_or("").contains("deposit"),
                    "{o:?}"
                );
            }
            _ => {}
        }
    }
}

#[test]
fn approved_journey_makes_the_documented_calls() {
    let mut h = H::new(SCENARIO_APPROVED);
    let report = h.run(sample_profile()).unwrap();
    let calls: Vec<(Stage, String, String)> = report
        .exchanges
        .iter()
        .map(|e| (e.stage, e.request.method.clone(), e.request.path.clone()))
        .collect();
    let profile_id = calls[4].2.split('/').nth(3).unwrap().to_string();
    let identity_id = calls[2].2.rsplit('/').next().unwrap().to_string();
    assert_eq!(
        calls,
        vec![
            (Stage::Register, "POST".into(), "/oauth2/token".into()),
            (
                Stage::Register,
                "POST".into(),
                "/v2/identity/identities".into()
            ),
            (
                Stage::AwaitKyc,
                "GET".into(),
                format!("/v2/identity/identities/{identity_id}")
            ),
            (
                Stage::CreateOrder,
                "POST".into(),
                "/v2/identity/accounts".into()
            ),
            (
                Stage::CreateOrder,
                "POST".into(),
                format!("/v2/profiles/{profile_id}/orders")
            ),
        ]
    );
    // The token: form fields and every scope; the token itself is redacted.
    let token_req = &report.exchanges[0].request;
    let form = rampsim_plugin_sdk::http::form_decode(token_req.body.as_deref().unwrap());
    let f = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(f("grant_type"), "client_credentials");
    assert_eq!(f("scope"), SCOPES.join(" "));
    assert_eq!(
        f("scope"),
        "identity:read_identity identity:write_identity identity:read_account identity:write_account exchange:read_order exchange:write_order"
    );
    let token = serde_json::from_str::<Value>(&report.exchanges[0].response.body).unwrap()
        ["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(report.sensitive.contains(&token));
    // Register carries KYC and is keyed by ref_id; the create answer is PENDING (seed), the
    // GET right after is APPROVED (sandbox auto-approval).
    let reg = &report.exchanges[1];
    assert!(reg.request.carries_kyc);
    assert_eq!(
        reg.request.idempotency_key.as_deref(),
        Some("user-billy-duncan-001")
    );
    assert_eq!(
        report
            .stage(Stage::Register)
            .unwrap()
            .provider_status
            .as_deref(),
        Some("PENDING")
    );
    assert_eq!(report.polls, 0);
    // The account: a brokerage account with a profile.
    let acct: Value =
        serde_json::from_str(report.exchanges[3].request.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        acct,
        json!({"create_profile": true, "account": {"identity_id": identity_id, "ref_id": "user-billy-duncan-001-account", "type": "BROKERAGE"}})
    );
    // The order: a market buy keyed by a ref_id derived from the profile's.
    let order = &report.exchanges[4].request;
    assert_eq!(
        order.idempotency_key.as_deref(),
        Some("user-billy-duncan-001-order")
    );
    let ob: Value = serde_json::from_str(order.body.as_deref().unwrap()).unwrap();
    let account_id =
        serde_json::from_str::<Value>(&report.exchanges[3].response.body).unwrap()["id"].clone();
    assert_eq!(
        ob,
        json!({"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "100.00",
               "identity_id": identity_id, "identity_account_id": account_id, "ref_id": "user-billy-duncan-001-order"})
    );
    assert!(!order.carries_kyc);
    let created: Value = serde_json::from_str(&report.exchanges[4].response.body).unwrap();
    assert_eq!(report.order_id.as_deref(), created["id"].as_str());
}

#[test]
fn slow_review_polls_for_twenty_minutes_of_sandbox_time() {
    let mut h = H::new(SCENARIO_SLOW_REVIEW);
    let report = h.run(sample_profile()).unwrap();
    assert_eq!(report.outcome, Outcome::OrderCreated);
    assert!(report.polls >= 10, "polls {}", report.polls);
    let gets: Vec<_> = report
        .exchanges
        .iter()
        .filter(|e| e.request.method == "GET")
        .collect();
    let first: Value = serde_json::from_str(&gets[0].response.body).unwrap();
    assert_eq!(first["status"], "PENDING");
    assert_eq!(
        first["status_details"]["requirements"][0]["awaiting_action_from"],
        "PAXOS"
    );
    assert!(h.now_ms - START_MS >= SLOW_REVIEW_MS);
    // A poll is only the status GET: the identity is not created again.
    let creates = report
        .exchanges
        .iter()
        .filter(|e| e.request.path == "/v2/identity/identities")
        .count();
    assert_eq!(creates, 1);
}

#[test]
fn missing_passthrough_field_ends_failed_with_the_fakes_detail() {
    let mut h = H::new(SCENARIO_APPROVED);
    let run = drive(&mut h, sample(), |_, _, req| {
        if req.path == "/v2/identity/identities" {
            let mut b: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
            b["person_details"]
                .as_object_mut()
                .unwrap()
                .remove("passthrough_verification_id");
            req.body = Some(b.to_string());
        }
        Tamper::Send
    });
    let resp = &run.exchanges[1].2;
    assert_eq!(resp.status, 400);
    assert_eq!(content_type(resp), "application/problem+json");
    assert_eq!(
        body(resp),
        json!({
            "type": "about:blank",
            "title": "Bad Request",
            "status": 400,
            "detail": "person_details.passthrough_verification_id: is required when verifier_type is PASSTHROUGH",
            "meta": {"fields": [{"field": "person_details.passthrough_verification_id",
                                 "reason": "is required when verifier_type is PASSTHROUGH"}]}
        })
    );
    assert_eq!(run.outcome, Outcome::Failed);
    let (stage, result) = run.last();
    assert_eq!(*stage, Stage::Register);
    assert_eq!(
        result.message,
        "Paxos answered 400 to create identity: Bad Request: person_details.passthrough_verification_id: \
         is required when verifier_type is PASSTHROUGH"
    );
    assert!(result
        .next_step
        .as_deref()
        .unwrap()
        .contains("fix the field"));
}

#[test]
fn lower_case_country_ends_failed_with_the_fakes_detail() {
    let mut h = H::new(SCENARIO_APPROVED);
    let run = drive(&mut h, sample(), |_, _, req| {
        if req.path == "/v2/identity/identities" {
            let mut b: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
            b["person_details"]["nationality"] = json!("usa");
            req.body = Some(b.to_string());
        }
        Tamper::Send
    });
    let resp = &run.exchanges[1].2;
    assert_eq!(
        body(resp),
        json!({
            "type": "about:blank",
            "title": "Bad Request",
            "status": 400,
            "detail": "person_details.nationality: must be an ISO 3166-1 alpha-3 code matching ^[A-Z]{3}$",
            "meta": {"fields": [{"field": "person_details.nationality",
                                 "reason": "must be an ISO 3166-1 alpha-3 code matching ^[A-Z]{3}$"}]}
        })
    );
    assert_eq!(run.outcome, Outcome::Failed);
    assert!(
        run.last().1.message.ends_with(
            "person_details.nationality: must be an ISO 3166-1 alpha-3 code matching ^[A-Z]{3}$"
        ),
        "{}",
        run.last().1.message
    );
}

#[test]
fn garbage_at_every_exchange_fails_the_stage_without_panicking() {
    let exchanges = H::new(SCENARIO_APPROVED)
        .run(sample_profile())
        .unwrap()
        .exchanges
        .len();
    assert_eq!(exchanges, 5);
    let html = || HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: "<html><body><h1>502 Bad Gateway</h1></body></html>".into(),
    };
    let server_error = || {
        HttpResponse::with_type(
            500,
            "application/problem+json",
            &json!({"type": "about:blank", "title": "Internal Server Error", "status": 500}),
        )
    };
    let empty = || HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: String::new(),
    };
    for target in 0..exchanges {
        for (kind, expect) in [
            ("html", "an HTML page instead of JSON"),
            ("truncated", "not valid JSON"),
            ("500", "500 to"),
            ("empty", "an empty body"),
        ] {
            let mut h = H::new(SCENARIO_APPROVED);
            let run = drive(&mut h, sample(), |i, _, _| match (i == target, kind) {
                (false, _) => Tamper::Send,
                (true, "html") => Tamper::Answer(html()),
                (true, "truncated") => Tamper::Truncate,
                (true, "500") => Tamper::Answer(server_error()),
                (true, _) => Tamper::Answer(empty()),
            });
            let (stage, result) = run.last();
            assert_eq!(
                run.outcome,
                Outcome::Failed,
                "exchange {target} {kind}: {result:?}"
            );
            assert_eq!(*stage, run.exchanges[target].0, "exchange {target} {kind}");
            assert_eq!(
                run.exchanges.len(),
                target + 1,
                "the journey stops at the bad answer"
            );
            assert!(
                result.message.starts_with("Paxos answered "),
                "{kind}: {}",
                result.message
            );
            assert!(
                result.message.contains(expect),
                "exchange {target} {kind}: {}",
                result.message
            );
            assert!(
                !result.message.contains("502 Bad Gateway"),
                "bodies are not quoted"
            );
            if kind == "500" {
                assert!(
                    result.message.ends_with("Internal Server Error"),
                    "{}",
                    result.message
                );
            }
        }
    }
}

#[test]
fn success_json_without_the_needed_fields_fails_by_name() {
    for (target, field) in [
        (0usize, "access_token"),
        (1, "id"),
        (2, "status"),
        (3, "id"),
        (4, "id"),
    ] {
        // Absent, or there with another type than Paxos gives it (read as absent, not as a
        // body that is not JSON).
        for body in [
            json!({"unexpected": true}),
            json!({ field: 5, "status_details": "x" }),
            json!({ field: {"id": "nested"} }),
        ] {
            let mut h = H::new(SCENARIO_APPROVED);
            let run = drive(&mut h, sample(), |i, _, _| {
                if i == target {
                    Tamper::Answer(HttpResponse::json(200, &body))
                } else {
                    Tamper::Send
                }
            });
            assert_eq!(run.outcome, Outcome::Failed);
            assert!(
                run.last().1.message.contains(&format!("no `{field}`")),
                "{target} {body}: {}",
                run.last().1.message
            );
        }
    }
}

#[test]
fn identity_statuses_map_to_canonical_results() {
    // Answers a GET identity with each Paxos status, as the real API could.
    for (status, requirement, outcome, kyc) in [
        ("PENDING", None, None, KycStatus::Pending),
        ("PENDING", Some("PAXOS"), None, KycStatus::Pending),
        (
            "PENDING",
            Some("CLIENT"),
            Some(Outcome::ActionRequired),
            KycStatus::ActionRequired,
        ),
        ("APPROVED", None, None, KycStatus::Approved),
        ("DENIED", None, Some(Outcome::Rejected), KycStatus::Rejected),
        ("DISABLED", None, Some(Outcome::Failed), KycStatus::Rejected),
        ("ERROR", None, Some(Outcome::Failed), KycStatus::Rejected),
    ] {
        let mut a = adapter_with_identity("id-1");
        let mut cx = Cx::new(START_MS, 0);
        let Step::Send { request } = a.begin(Stage::AwaitKyc, &mut cx).unwrap() else {
            panic!("expected a GET")
        };
        assert_eq!(request.path, "/v2/identity/identities/id-1");
        let mut b = json!({"id": "id-1", "status": status});
        if let Some(who) = requirement {
            b["status_details"] = json!({"requirements": [{"type": "DOCUMENT_VERIFICATION", "status": "PENDING", "awaiting_action_from": who}]});
        }
        let Step::Finish { result } = a
            .on_response(Stage::AwaitKyc, HttpResponse::json(200, &b), &mut cx)
            .unwrap()
        else {
            panic!("expected a result")
        };
        assert_eq!(result.kyc_status, Some(kyc), "{status} {requirement:?}");
        assert_eq!(result.provider_status.as_deref(), Some(status));
        match outcome {
            None if status == "APPROVED" => {
                assert_eq!(result.next, rampsim_plugin_sdk::Next::Continue)
            }
            None => assert_eq!(
                result.next,
                rampsim_plugin_sdk::Next::Poll,
                "{status} {requirement:?}"
            ),
            Some(o) => assert_eq!(result.next, rampsim_plugin_sdk::Next::Finish(o), "{status}"),
        }
        if requirement == Some("CLIENT") {
            assert!(result.next_step.unwrap().contains("DOCUMENT_VERIFICATION"));
        }
    }
}

#[test]
fn spec_examples_read_by_the_adapter() {
    // The spec's 409 example for CreateIdentity ("Create Identity with the same SSN").
    let spec_409 = json!({
        "type": "https://developer.paxos.com/docs/v2/problems/already-exists",
        "title": "Already Exists",
        "status": 409,
        "detail": "duplicate (cip_id, cip_id_type, cip_id_country) provided",
        "meta": {"existing": {"id": "36ae1728-c54a-4046-86df-8a403e0ab9b3"}}
    });
    let result = register_answered(HttpResponse::with_type(409, "application/json", &spec_409));
    assert_eq!(
        result.next,
        rampsim_plugin_sdk::Next::Finish(Outcome::ActionRequired)
    );
    assert_eq!(
        result.message,
        "Paxos answered 409 Already Exists: duplicate (cip_id, cip_id_type, cip_id_country) provided; existing identity 36ae1728-c54a-4046-86df-8a403e0ab9b3"
    );
    // The spec's 200 example uses the deprecated summary_status, not status.
    let spec_200 = json!({"id": "36ae1728-c54a-4046-86df-8a413e0ab9b3", "summary_status": "PENDING", "type": "PERSON"});
    let result = register_answered(HttpResponse::json(200, &spec_200));
    assert_eq!(result.next, rampsim_plugin_sdk::Next::Continue);
    assert_eq!(result.provider_status.as_deref(), Some("PENDING"));
    assert_eq!(result.kyc_status, Some(KycStatus::Pending));
    // The spec's order 409 example is someone else's order (other ref_id): failed, not reused.
    let spec_order_409 = json!({
        "type": "https://developer.paxos.com/docs/v2/problems/already-exists", "title": "Already Exists", "status": 409,
        "detail": "order already exists with ref_id 'already_used_ref_id'",
        "meta": {"existing": {"id": "f190b163-208f-4d73-8deb-4fb8b24add00", "ref_id": "already_used_ref_id",
                              "status": "SUBMITTED", "side": "BUY", "market": "BTCUSD", "quote_amount": "100.00"}}
    });
    let mut h = H::new(SCENARIO_APPROVED);
    let run = drive(&mut h, sample(), |i, _, _| {
        if i == 4 {
            Tamper::Answer(HttpResponse::with_type(
                409,
                "application/problem+json",
                &spec_order_409,
            ))
        } else {
            Tamper::Send
        }
    });
    assert_eq!(run.outcome, Outcome::Failed);
    assert!(run
        .last()
        .1
        .message
        .contains("order already exists with ref_id 'already_used_ref_id'"));
}

#[test]
fn rerunning_a_journey_reuses_identity_account_and_order() {
    let mut h = H::new(SCENARIO_APPROVED);
    let first = h.run(sample_profile()).unwrap();
    assert_eq!(first.outcome, Outcome::OrderCreated);
    // Same sandbox, same person: Paxos answers 409 duplicate ref_id (identity, account) and the
    // same order for the same ref_id and body; the adapter carries on with them.
    let second = h.run(sample_profile()).unwrap();
    assert_eq!(
        second.outcome,
        Outcome::OrderCreated,
        "{:#?}",
        second.stages
    );
    assert_eq!(second.order_id, first.order_id);
    let reg = second.stage(Stage::Register).unwrap();
    assert!(
        reg.message.contains("already exists for this ref_id"),
        "{}",
        reg.message
    );
    let statuses: Vec<u16> = second.exchanges.iter().map(|e| e.response.status).collect();
    assert_eq!(statuses, vec![200, 409, 200, 409, 200]);
}

#[test]
fn a_changed_order_under_the_same_ref_id_fails() {
    let mut h = H::new(SCENARIO_APPROVED);
    assert_eq!(
        h.run(sample_profile()).unwrap().outcome,
        Outcome::OrderCreated
    );
    let mut p = sample_profile();
    p.order.amount = "250.00".into();
    let again = h.run(p).unwrap();
    assert_eq!(again.outcome, Outcome::Failed);
    let last = &again.stages.last().unwrap().1;
    assert!(
        last.message.starts_with("Paxos answered 409 to create order: Already Exists: order already exists with ref_id 'user-billy-duncan-001-order'"),
        "{}",
        last.message
    );
}

#[test]
fn an_expired_token_is_replaced_before_the_next_call() {
    let mut h = H::new(SCENARIO_SLOW_REVIEW);
    let mut a = new_adapter(sample_profile());
    let mut cx = Cx::new(h.now_ms, 0);
    let Step::Send { request } = a.begin(Stage::Register, &mut cx).unwrap() else {
        panic!()
    };
    assert_eq!(request.path, "/oauth2/token");
    let r = h.send(&request);
    let Step::Send { request } = a.on_response(Stage::Register, r, &mut cx).unwrap() else {
        panic!()
    };
    let r = h.send(&request);
    let _ = a.on_response(Stage::Register, r, &mut cx).unwrap();
    // Within the hour the token is reused.
    h.now_ms += 30 * 60_000;
    let Step::Send { request } = a.begin(Stage::AwaitKyc, &mut Cx::new(h.now_ms, 1)).unwrap()
    else {
        panic!()
    };
    assert_eq!(request.method, "GET");
    // After 3599 s a new one is fetched first, and the GET follows with it.
    h.now_ms += 30 * 60_000;
    let mut cx = Cx::new(h.now_ms, 2);
    let Step::Send { request } = a.begin(Stage::AwaitKyc, &mut cx).unwrap() else {
        panic!()
    };
    assert_eq!(request.path, "/oauth2/token");
    let r = h.send(&request);
    let Step::Send { request } = a.on_response(Stage::AwaitKyc, r, &mut cx).unwrap() else {
        panic!()
    };
    let r = h.send(&request);
    assert_eq!(r.status, 200, "the new token is accepted: {}", r.body);
}

#[test]
fn a_token_without_the_needed_scopes_fails_with_a_hint() {
    let mut h = H::new(SCENARIO_APPROVED);
    let run = drive(&mut h, sample(), |i, _, _| {
        if i == 0 {
            Tamper::Answer(HttpResponse::json(
                200,
                &json!({"access_token": "t", "expires_in": 3599, "scope": "identity:read_identity identity:write_identity", "token_type": "bearer"}),
            ))
        } else {
            Tamper::Send
        }
    });
    assert_eq!(run.outcome, Outcome::Failed);
    let r = &run.last().1;
    assert!(r.message.contains("identity:read_account, identity:write_account, exchange:read_order, exchange:write_order"), "{}", r.message);
    assert!(r.next_step.as_deref().unwrap().contains("Paxos Support"));
}

#[test]
fn wrong_credentials_end_the_journey_failed() {
    let mut h = H::new(SCENARIO_APPROVED);
    let mut init = h.init(sample_profile());
    init.settings
        .insert("client_secret".into(), "not-the-secret".into());
    let report = h.run_with(init).unwrap();
    assert_eq!(report.outcome, Outcome::Failed);
    let r = &report.stages.last().unwrap().1;
    assert_eq!(
        r.message,
        "Paxos answered 401 to the OAuth token request: Unauthorized: client authentication failed"
    );
    assert!(r.next_step.is_some());
}

#[test]
fn a_token_refused_after_it_was_issued_says_to_run_the_stage_again() {
    // The token request succeeds; the identity call is answered 401 (the token expired on the
    // way, say): the first thing to try is a fresh token, then the credentials.
    let mut h = H::new(SCENARIO_APPROVED);
    let run = drive(&mut h, sample(), |i, _, _| {
        if i == 1 {
            Tamper::Answer(HttpResponse::json(
                401,
                &json!({"type": "about:blank", "title": "Unauthorized", "status": 401}),
            ))
        } else {
            Tamper::Send
        }
    });
    assert_eq!(run.outcome, Outcome::Failed);
    let next = run.last().1.next_step.clone().unwrap_or_default();
    assert!(
        next.starts_with("run register again for a fresh access token;")
            && next.contains("client_id / client_secret"),
        "{next}"
    );
}

/// The field an error must name, and the change to the sample profile that causes it.
type ProfileCase = (&'static str, Box<dyn Fn(&mut rampsim_plugin_sdk::Profile)>);

#[test]
fn profiles_paxos_would_refuse_are_refused_before_sending() {
    let init = |p| AdapterInit {
        journey_id: "t".into(),
        mode: Mode::Live,
        profile: p,
        settings: Harness::<PaxosPlugin>::sandbox_settings(),
        now_ms: START_MS,
    };
    let cases: Vec<ProfileCase> = vec![
        (
            "profile.address.line1",
            Box::new(|p| p.address.line1 = "Apt #4, 123 Main St".into()),
        ),
        (
            "profile.address.line1",
            Box::new(|p| p.address.line1 = "123 Main Street Northwest Building 4000".into()),
        ),
        (
            "profile.first_name",
            Box::new(|p| p.first_name = "王".into()),
        ),
        (
            "profile.nationality",
            Box::new(|p| p.nationality = "us".into()),
        ),
        (
            "profile.idv.verification_id",
            Box::new(|p| p.idv.verification_id.clear()),
        ),
        (
            "profile.due_diligence.estimated_yearly_income",
            Box::new(|p| p.due_diligence.estimated_yearly_income = "500k_to_1m".into()),
        ),
    ];
    for (field, change) in cases {
        let mut p = sample_profile();
        change(&mut p);
        let e = match <PaxosPlugin as Plugin>::Adapter::new(init(p)) {
            Err(e) => e,
            Ok(_) => panic!("{field}: accepted"),
        };
        assert_eq!(e.kind, PluginErrorKind::Invalid);
        assert!(e.message.starts_with(&format!("{field}:")), "{}", e.message);
    }
    // Transliterable names pass, converted.
    let mut p = sample_profile();
    p.last_name = "Dünçan".into();
    assert!(<PaxosPlugin as Plugin>::Adapter::new(init(p)).is_ok());
    // No credentials: named setting.
    let mut i = init(sample_profile());
    i.settings.remove("client_secret");
    let e = <PaxosPlugin as Plugin>::Adapter::new(i).err().unwrap();
    assert!(
        e.message.starts_with("settings.client_secret:"),
        "{}",
        e.message
    );
}

#[test]
fn a_transliterated_profile_is_accepted_by_the_fake() {
    let mut p = sample_profile();
    p.first_name = "Jürgen".into();
    p.address.line1 = "Straße 12".into();
    let report = H::new(SCENARIO_APPROVED).run(p).unwrap();
    assert_eq!(report.outcome, Outcome::OrderCreated);
    let sent: Value =
        serde_json::from_str(report.exchanges[1].request.body.as_deref().unwrap()).unwrap();
    assert_eq!(sent["person_details"]["first_name"], "Juergen");
    assert_eq!(sent["person_details"]["address"]["address1"], "Strasse 12");
}

#[test]
fn stages_out_of_order_finish_without_requests() {
    let mut a = new_adapter(sample_profile());
    let mut cx = Cx::new(START_MS, 0);
    for stage in [Stage::AwaitKyc, Stage::CreateOrder] {
        let Step::Finish { result } = a.begin(stage, &mut cx).unwrap() else {
            panic!("{stage}: sent a request")
        };
        assert_fails_saying(&result, "no Paxos identity yet");
    }
    let Step::Finish { result } = a.begin(Stage::IdvPassthrough, &mut cx).unwrap() else {
        panic!()
    };
    assert_eq!(result.next, rampsim_plugin_sdk::Next::Skipped);
    // A response nobody asked for is a protocol error, not a panic.
    let e = a
        .on_response(Stage::Register, HttpResponse::default(), &mut cx)
        .unwrap_err();
    assert_eq!(e.kind, PluginErrorKind::Other);
}

// ---------------------------------------------------------------------------------------------

fn new_adapter(p: rampsim_plugin_sdk::Profile) -> <PaxosPlugin as Plugin>::Adapter {
    let h = H::new(SCENARIO_APPROVED);
    <PaxosPlugin as Plugin>::Adapter::new(h.init(p)).unwrap()
}

/// An adapter that has a token and has registered identity `id`.
fn adapter_with_identity(id: &str) -> <PaxosPlugin as Plugin>::Adapter {
    let mut a = new_adapter(sample_profile());
    let mut cx = Cx::new(START_MS, 0);
    let _ = a.begin(Stage::Register, &mut cx).unwrap();
    let token = json!({"access_token": "tok", "expires_in": 3599, "scope": SCOPES.join(" "), "token_type": "bearer"});
    let _ = a
        .on_response(Stage::Register, HttpResponse::json(200, &token), &mut cx)
        .unwrap();
    let created = json!({"id": id, "status": "PENDING"});
    let _ = a
        .on_response(Stage::Register, HttpResponse::json(200, &created), &mut cx)
        .unwrap();
    a
}

/// The stage ended the journey `failed`, saying `needle`.
fn assert_fails_saying(result: &rampsim_plugin_sdk::StageResult, needle: &str) {
    assert_eq!(
        result.next,
        rampsim_plugin_sdk::Next::Finish(Outcome::Failed),
        "{}",
        result.message
    );
    assert!(result.message.contains(needle), "{}", result.message);
}

/// The register result when create identity is answered with `r`.
fn register_answered(r: HttpResponse) -> rampsim_plugin_sdk::StageResult {
    let mut a = new_adapter(sample_profile());
    let mut cx = Cx::new(START_MS, 0);
    let _ = a.begin(Stage::Register, &mut cx).unwrap();
    let token = json!({"access_token": "tok", "expires_in": 3599, "scope": SCOPES.join(" "), "token_type": "bearer"});
    let Step::Send { request } = a
        .on_response(Stage::Register, HttpResponse::json(200, &token), &mut cx)
        .unwrap()
    else {
        panic!("expected create identity")
    };
    assert_eq!(request.path, "/v2/identity/identities");
    match a.on_response(Stage::Register, r, &mut cx).unwrap() {
        Step::Finish { result } => result,
        other => panic!("expected a result, got {other:?}"),
    }
}

#[test]
fn odd_shapes_in_an_answer_are_read_as_the_json_says() {
    // One requirement that is not an object does not hide the others.
    let mut a = adapter_with_identity("id-1");
    let mut cx = Cx::new(START_MS, 0);
    let _ = a.begin(Stage::AwaitKyc, &mut cx).unwrap();
    let b = json!({"id": "id-1", "status": "PENDING", "status_details": {"requirements": [
        null,
        "DOCUMENT_VERIFICATION",
        {"type": "DOCUMENT_VERIFICATION", "status": "PENDING", "awaiting_action_from": "CLIENT"}
    ]}});
    let Step::Finish { result } = a
        .on_response(Stage::AwaitKyc, HttpResponse::json(200, &b), &mut cx)
        .unwrap()
    else {
        panic!("expected a result")
    };
    assert_eq!(
        result.next,
        rampsim_plugin_sdk::Next::Finish(Outcome::ActionRequired),
        "{}",
        result.message
    );
    // An array is not an identity, even one whose first element looks like an id.
    let result = register_answered(HttpResponse::json(200, &json!(["abc", "PENDING"])));
    assert_fails_saying(&result, "JSON without the expected fields");
}
