//! The fake on its own: auth, routing, validation bodies, idempotency, the spec's examples.

mod common;

use common::*;
use rampsim_paxos::fake::{
    PaxosFake, FILL_AFTER_MS, SCENARIO_APPROVED, SCENARIO_DENIED, SCENARIO_DUPLICATE_CIP_ID,
    SCENARIO_EDD_REQUIRED, SCENARIO_INSUFFICIENT_FUNDS,
};
use rampsim_paxos::{SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET};
use rampsim_plugin_sdk::{Fake, FakeNote, FakeRequest, HttpRequest};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// OAuth and bearer checks
// ---------------------------------------------------------------------------------------------

/// A token request's form fields, the status it gets and the exact body.
type TokenCase = (Vec<(&'static str, &'static str)>, u16, Value);
/// A change to the sample body and the detail of the 400 it gets.
type BodyCase = (Box<dyn FnOnce(&mut Value)>, String);

fn token_request(fields: &[(&str, &str)]) -> HttpRequest {
    HttpRequest::post("oauth", "/oauth2/token").form(fields)
}

#[test]
fn token_is_issued_for_good_credentials_with_the_requested_scopes() {
    let mut h = H::new(SCENARIO_APPROVED);
    let r = h.send(&token_request(&[
        ("grant_type", "client_credentials"),
        ("client_id", SANDBOX_CLIENT_ID),
        ("client_secret", SANDBOX_CLIENT_SECRET),
        ("scope", "identity:read_identity identity:write_identity"),
    ]));
    assert_eq!(r.status, 200);
    let b = body(&r);
    assert_eq!(b["expires_in"], 3599);
    assert_eq!(b["token_type"], "bearer");
    assert_eq!(b["scope"], "identity:read_identity identity:write_identity");
    assert!(b["access_token"].as_str().is_some_and(|t| t.len() > 20));
}

#[test]
fn token_refused_without_or_with_wrong_credentials() {
    let mut h = H::new(SCENARIO_APPROVED);
    let cases: Vec<TokenCase> = vec![
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", SANDBOX_CLIENT_ID),
                ("client_secret", "wrong"),
            ],
            401,
            json!({"type": "about:blank", "title": "Unauthorized", "status": 401,
                   "detail": "client authentication failed", "meta": {"error": "invalid_client"}}),
        ),
        (
            vec![("grant_type", "client_credentials")],
            401,
            json!({"type": "about:blank", "title": "Unauthorized", "status": 401,
                   "detail": "client_id and client_secret are required", "meta": {"error": "invalid_client"}}),
        ),
        (
            vec![
                ("client_id", SANDBOX_CLIENT_ID),
                ("client_secret", SANDBOX_CLIENT_SECRET),
            ],
            400,
            json!({"type": "about:blank", "title": "Bad Request", "status": 400,
                   "detail": "grant_type is required", "meta": {"error": "invalid_request"}}),
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", SANDBOX_CLIENT_ID),
                ("client_secret", SANDBOX_CLIENT_SECRET),
            ],
            400,
            json!({"type": "about:blank", "title": "Bad Request", "status": 400,
                   "detail": "only grant_type client_credentials is supported", "meta": {"error": "unsupported_grant_type"}}),
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", SANDBOX_CLIENT_ID),
                ("client_secret", SANDBOX_CLIENT_SECRET),
                (
                    "scope",
                    "identity:read_identity settlement:write_transaction",
                ),
            ],
            400,
            json!({"type": "about:blank", "title": "Bad Request", "status": 400,
                   "detail": "the API key is not allowed the scope settlement:write_transaction", "meta": {"error": "invalid_scope"}}),
        ),
    ];
    for (fields, status, expected) in cases {
        let r = h.send(&token_request(&fields));
        assert_eq!(r.status, status, "{fields:?}");
        assert_eq!(content_type(&r), "application/problem+json");
        assert_eq!(body(&r), expected);
    }
    let json_token = HttpRequest::post("oauth", "/oauth2/token")
        .json(&json!({"grant_type": "client_credentials"}));
    assert_eq!(h.send(&json_token).status, 400);
}

#[test]
fn api_calls_need_a_valid_bearer_and_the_scope() {
    let mut h = H::new(SCENARIO_APPROVED);
    let create = HttpRequest::post("api", "/v2/identity/identities").json(&sample_identity());
    let r = h.send(&create);
    assert_eq!(r.status, 401);
    assert_eq!(
        body(&r),
        json!({"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "no authorization header set"})
    );
    let r = h.send(&create.clone().bearer("made-up"));
    assert_eq!(
        (r.status, body(&r)["detail"].clone()),
        (401, json!("invalid access token"))
    );
    let r = h.send(
        &create
            .clone()
            .with_header("Authorization", "Basic Zm9vOmJhcg=="),
    );
    assert_eq!(r.status, 401);

    // A token with read scope only cannot create.
    let read_only = token_with(&mut h, &["identity:read_identity"]);
    let r = h.send(&create.clone().bearer(&read_only));
    assert_eq!(r.status, 403);
    assert_eq!(
        body(&r),
        json!({"type": "about:blank", "title": "Forbidden", "status": 403,
               "detail": "access token is missing the required scope identity:write_identity",
               "meta": {"required_scope": "identity:write_identity"}})
    );
    // Identity scopes only: the account call names its scope.
    let identity_only = token_with(
        &mut h,
        &["identity:read_identity", "identity:write_identity"],
    );
    let r = post(
        &mut h,
        &identity_only,
        "/v2/identity/accounts",
        &json!({"account": {"identity_id": "x"}}),
    );
    assert_eq!(r.status, 403);
    assert!(body(&r)["detail"]
        .as_str()
        .unwrap()
        .ends_with("identity:write_account"));

    // Tokens expire after 3599 s.
    let t = token(&mut h);
    h.now_ms += 3_599_000;
    let r = get(&mut h, &t, "/v2/identity/identities/anything");
    assert_eq!(
        (r.status, body(&r)["detail"].clone()),
        (401, json!("access token expired"))
    );
}

#[test]
fn unknown_routes_get_404_and_wrong_methods_405() {
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let r = get(&mut h, &t, "/v2/nothing/here");
    assert_eq!(r.status, 404);
    assert_eq!(content_type(&r), "application/problem+json");
    assert_eq!(
        body(&r),
        json!({"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no route for GET /v2/nothing/here"})
    );
    let r = h.send(&HttpRequest::new("api", "DELETE", "/v2/identity/identities").bearer(&t));
    assert_eq!(r.status, 405);
    assert_eq!(
        body(&r),
        json!({"type": "about:blank", "title": "Method Not Allowed", "status": 405, "detail": "Not implemented"})
    );
    // The token route lives on the oauth host only, the API on the api host only.
    assert_eq!(
        h.send(&HttpRequest::post("api", "/oauth2/token")).status,
        404
    );
    assert_eq!(
        h.send(&HttpRequest::get("oauth", "/v2/identity/identities/x").bearer(&t))
            .status,
        404
    );
    assert_eq!(
        h.send(&HttpRequest::get("oauth", "/oauth2/token")).status,
        405
    );
    let r = get(&mut h, &t, "/v2/identity/identities/does-not-exist");
    assert_eq!(body(&r)["detail"], "identity not found: does-not-exist");
}

// ---------------------------------------------------------------------------------------------
// Create identity validation
// ---------------------------------------------------------------------------------------------

/// The 400 the fake gives for the sample body changed by `change`: (detail, meta.fields names).
fn refused(change: impl FnOnce(&mut Value)) -> (String, Vec<String>) {
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let mut b = sample_identity();
    change(&mut b);
    let r = post(&mut h, &t, "/v2/identity/identities", &b);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(content_type(&r), "application/problem+json");
    let v = body(&r);
    assert_eq!(v["type"], "about:blank");
    assert_eq!(v["title"], "Bad Request");
    assert_eq!(v["status"], 400);
    let fields = v["meta"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    (v["detail"].as_str().unwrap().to_string(), fields)
}

fn pd(b: &mut Value) -> &mut serde_json::Map<String, Value> {
    b["person_details"].as_object_mut().unwrap()
}

#[test]
fn the_sample_person_is_accepted_and_answered_pending() {
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let r = post(&mut h, &t, "/v2/identity/identities", &sample_identity());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(content_type(&r), "application/json");
    let b = body(&r);
    assert_eq!(b["status"], "PENDING");
    assert_eq!(b["ref_id"], "user-billy-duncan-001");
    assert_eq!(b["person_details"]["date_of_birth"], "1960-01-01T00:00:00Z");
    assert_eq!(b["person_details"]["verifier_type"], "PASSTHROUGH");
    for k in ["id", "created_at", "updated_at"] {
        assert!(b[k].as_str().is_some_and(|s| !s.is_empty()), "{k}");
    }
    // Auto-approval: the next GET is APPROVED; details only on request.
    h.now_ms += 1;
    let id = b["id"].as_str().unwrap();
    let g = body(&get(&mut h, &t, &format!("/v2/identity/identities/{id}")));
    assert_eq!(g["status"], "APPROVED");
    assert!(g.get("person_details").is_none());
    let g = body(&get(
        &mut h,
        &t,
        &format!("/v2/identity/identities/{id}?include_details=true"),
    ));
    assert_eq!(g["person_details"]["last_name"], "Duncan");
    assert_eq!(
        g["person_details"]["sanctions_verification_status"],
        "APPROVED"
    );
}

#[test]
fn every_passthrough_field_is_required_for_passthrough() {
    for key in [
        "passthrough_verifier_type",
        "passthrough_verified_at",
        "passthrough_verification_id",
        "passthrough_verification_status",
        "passthrough_verification_fields",
    ] {
        let (detail, fields) = refused(|b| {
            pd(b).remove(key);
        });
        assert_eq!(
            detail,
            format!("person_details.{key}: is required when verifier_type is PASSTHROUGH")
        );
        assert_eq!(fields, vec![format!("person_details.{key}")]);
    }
    // Not for PAXOS verification.
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let mut b = sample_identity();
    pd(&mut b).insert("verifier_type".into(), json!("PAXOS"));
    pd(&mut b).retain(|k, _| !k.starts_with("passthrough_"));
    assert_eq!(post(&mut h, &t, "/v2/identity/identities", &b).status, 200);
}

#[test]
fn countries_must_be_upper_case_alpha3() {
    for (key, value) in [
        ("nationality", "usa"),
        ("nationality", "US"),
        ("cip_id_country", "Usa"),
    ] {
        let (detail, fields) = refused(|b| {
            pd(b).insert(key.into(), json!(value));
        });
        assert_eq!(
            detail,
            format!(
                "person_details.{key}: must be an ISO 3166-1 alpha-3 code matching ^[A-Z]{{3}}$"
            )
        );
        assert_eq!(fields, vec![format!("person_details.{key}")]);
    }
    let (detail, _) = refused(|b| b["person_details"]["address"]["country"] = json!("us"));
    assert_eq!(
        detail,
        "person_details.address.country: must be an ISO 3166-1 alpha-3 code matching ^[A-Z]{3}$"
    );
    let (detail, _) = refused(|b| b["person_details"]["nationality"] = json!("XYZ"));
    assert_eq!(
        detail,
        "person_details.nationality: is not an ISO 3166-1 alpha-3 country code"
    );
}

#[test]
fn formats_enums_and_lengths_are_checked() {
    let pattern = "value does not match regex pattern ^[0-9A-Za-z /?:().,&'+-]+$";
    let cases: Vec<BodyCase> = vec![
        (Box::new(|b| b["person_details"]["last_name"] = json!("Dunçan")), format!("person_details.last_name: {pattern}")),
        (
            Box::new(|b| b["person_details"]["address"]["address1"] = json!("Hauptstraße 5")),
            format!("person_details.address.address1: {pattern}"),
        ),
        (
            Box::new(|b| b["person_details"]["address"]["address1"] = json!("123 Main Street Northwest Building 4")),
            "person_details.address.address1: must be at most 35 characters".into(),
        ),
        (
            Box::new(|b| b["person_details"]["date_of_birth"] = json!("01/01/1960")),
            "person_details.date_of_birth: must be a date matching ^[0-9]{4}-[0-9]{2}-[0-9]{2}$".into(),
        ),
        (
            Box::new(|b| b["person_details"]["date_of_birth"] = json!("2099-01-01")),
            "person_details.date_of_birth: must not be in the future".into(),
        ),
        (
            Box::new(|b| b["person_details"]["passthrough_verifier_type"] = json!("VERIFF")),
            "person_details.passthrough_verifier_type: must be one of JUMIO, ALLOY, LEXISNEXIS, MITEK, SUMSUB, MICROBILT, ONFIDO, CUSTOMER, EQUIFAX, ID3_AUTHENTICATE, FIS, PROVE, PERSONA, PLAID, DOTFILE".into(),
        ),
        (
            Box::new(|b| b["person_details"]["passthrough_verification_fields"] = json!(["FULL_LEGAL_NAME", "LIVENESS"])),
            "person_details.passthrough_verification_fields[1]: must be one of FULL_LEGAL_NAME, ADDRESS, DATE_OF_BIRTH, CIP_ID".into(),
        ),
        (
            Box::new(|b| b["person_details"]["passthrough_verified_at"] = json!("June 16th")),
            "person_details.passthrough_verified_at: must be an RFC 3339 date-time".into(),
        ),
        (
            Box::new(|b| b["person_details"]["cip_id"] = json!("073051120")),
            "person_details.cip_id: SSN and ITIN format is xxx-xx-xxxx".into(),
        ),
        (
            Box::new(|b| {
                b["person_details"]["cip_id_type"] = json!("PASSPORT");
                b["person_details"]["cip_id"] = json!("P12345678");
            }),
            "person_details.cip_id_type: US residents must use SSN or ITIN".into(),
        ),
        (
            Box::new(|b| b["customer_due_diligence"]["estimated_yearly_income"] = json!("50k_to_100k")),
            "customer_due_diligence.estimated_yearly_income: must be one of INCOME_0_TO_50K, INCOME_50K_TO_100K, INCOME_100K_TO_250K, INCOME_250K_TO_500K, INCOME_500K_TO_750K, INCOME_750K_TO_1M, INCOME_ABOVE_1M".into(),
        ),
        (Box::new(|b| b["ref_id"] = json!("")), "ref_id: is required".into()),
        (Box::new(|b| b["person_details"]["first_name"] = json!(42)), "person_details.first_name: must be a string".into()),
    ];
    for (change, expected) in cases {
        let (detail, _) = refused(change);
        assert_eq!(detail, expected);
    }
}

#[test]
fn due_diligence_needs_all_five_answers() {
    let (detail, fields) = refused(|b| {
        b.as_object_mut().unwrap().remove("customer_due_diligence");
    });
    assert_eq!(detail, "customer_due_diligence: is required");
    assert_eq!(fields, vec!["customer_due_diligence"]);
    let (detail, fields) = refused(|b| b["customer_due_diligence"] = json!({}));
    assert_eq!(fields.len(), 5, "{detail}");
    assert!(
        detail.starts_with("customer_due_diligence.estimated_yearly_income: is required; "),
        "{detail}"
    );
    assert!(
        detail.ends_with("customer_due_diligence.employment_industry_sector: is required"),
        "{detail}"
    );
}

#[test]
fn several_errors_are_reported_together() {
    let (detail, fields) = refused(|b| {
        pd(b).remove("first_name");
        pd(b).insert("nationality".into(), json!("usa"));
    });
    assert_eq!(
        fields,
        vec!["person_details.first_name", "person_details.nationality"]
    );
    assert_eq!(
        detail,
        "person_details.first_name: is required; person_details.nationality: must be an ISO 3166-1 alpha-3 code matching ^[A-Z]{3}$"
    );
}

#[test]
fn duplicate_ref_id_and_cip_id_get_409() {
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let first = create_identity(&mut h, &t, &sample_identity());
    // Same ref_id (even with another person): duplicate ref_id.
    let mut other = sample_identity();
    other["person_details"]["cip_id"] = json!("111-11-1234");
    let r = post(&mut h, &t, "/v2/identity/identities", &other);
    assert_eq!(r.status, 409);
    assert_eq!(content_type(&r), "application/problem+json");
    assert_eq!(
        body(&r),
        json!({"type": "https://developer.paxos.com/docs/v2/problems/already-exists", "title": "Already Exists",
               "status": 409, "detail": "duplicate ref_id provided", "meta": {"existing": {"id": first}}})
    );
    // Another ref_id with the same SSN: duplicate cip_id.
    let mut same_ssn = sample_identity();
    same_ssn["ref_id"] = json!("user-someone-else");
    let r = post(&mut h, &t, "/v2/identity/identities", &same_ssn);
    assert_eq!(
        body(&r),
        json!({"type": "https://developer.paxos.com/docs/v2/problems/already-exists", "title": "Already Exists",
               "status": 409, "detail": "duplicate (cip_id, cip_id_type, cip_id_country) provided",
               "meta": {"existing": {"id": first}}})
    );
}

#[test]
fn duplicate_cip_id_scenario_refuses_the_first_create() {
    let mut h = H::new(SCENARIO_DUPLICATE_CIP_ID);
    let t = token(&mut h);
    let r = post(&mut h, &t, "/v2/identity/identities", &sample_identity());
    assert_eq!(r.status, 409);
    let b = body(&r);
    assert_eq!(
        b["detail"],
        "duplicate (cip_id, cip_id_type, cip_id_country) provided"
    );
    let existing = b["meta"]["existing"]["id"].as_str().unwrap().to_string();
    // The existing identity is real: it can be read, and is someone's approved identity.
    let g = body(&get(
        &mut h,
        &t,
        &format!("/v2/identity/identities/{existing}"),
    ));
    assert_eq!(g["status"], "APPROVED");
    // Trying again meets the same existing identity, not a new one.
    let again = body(&post(
        &mut h,
        &t,
        "/v2/identity/identities",
        &sample_identity(),
    ));
    assert_eq!(again["meta"]["existing"]["id"], existing.as_str());
}

#[test]
fn edd_and_denied_timelines() {
    let mut h = H::new(SCENARIO_EDD_REQUIRED);
    let t = token(&mut h);
    let id = create_identity(&mut h, &t, &sample_identity());
    h.now_ms += 24 * 3_600_000;
    let t = token(&mut h);
    let g = body(&get(&mut h, &t, &format!("/v2/identity/identities/{id}")));
    assert_eq!(g["status"], "PENDING");
    assert_eq!(
        g["status_details"]["requirements"],
        json!([{"type": "ENHANCED_DUE_DILIGENCE", "status": "PENDING", "awaiting_action_from": "CLIENT",
                "errors": [{"code": "documents_required", "description": "Enhanced due diligence documents are required."}]}])
    );

    let mut h = H::new(SCENARIO_DENIED);
    let t = token(&mut h);
    let id = create_identity(&mut h, &t, &sample_identity());
    h.now_ms += 60_000;
    assert_eq!(
        body(&get(&mut h, &t, &format!("/v2/identity/identities/{id}")))["status"],
        "PENDING"
    );
    h.now_ms += 61_000;
    let g = body(&get(
        &mut h,
        &t,
        &format!("/v2/identity/identities/{id}?include_details=true"),
    ));
    assert_eq!(g["status"], "DENIED");
    assert_eq!(g["summary_status"], "DENIED");
    assert_eq!(g["person_details"]["additional_screening_status"], "DENIED");
    // A denied identity cannot open an account.
    let r = post(
        &mut h,
        &t,
        "/v2/identity/accounts",
        &json!({"create_profile": true, "account": {"identity_id": id}}),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        body(&r)["detail"],
        format!("identity {id} is DENIED: accounts can only be created for APPROVED identities")
    );
}

#[test]
fn a_denied_passthrough_leads_to_denial_whatever_the_scenario() {
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let mut b = sample_identity();
    b["person_details"]["passthrough_verification_status"] = json!("DENIED");
    let id = create_identity(&mut h, &t, &b);
    h.now_ms += 10 * 60_000;
    assert_eq!(
        body(&get(&mut h, &t, &format!("/v2/identity/identities/{id}")))["status"],
        "DENIED"
    );
}

#[test]
fn sandbox_status_forces_sub_statuses() {
    let mut h = H::new(SCENARIO_EDD_REQUIRED);
    let t = token(&mut h);
    let id = create_identity(&mut h, &t, &sample_identity());
    let put = |h: &mut H, b: Value| {
        h.send(
            &HttpRequest::put(
                "api",
                format!("/v2/identity/identities/{id}/sandbox-status"),
            )
            .bearer(&t)
            .json(&b),
        )
    };
    let r = put(
        &mut h,
        json!({"id_verification_status": "APPROVED", "sanctions_verification_status": "APPROVED"}),
    );
    assert_eq!((r.status, body(&r)), (200, json!({})));
    assert_eq!(
        body(&get(&mut h, &t, &format!("/v2/identity/identities/{id}")))["status"],
        "APPROVED"
    );
    put(&mut h, json!({"user_disabled": {"disabled": true}}));
    assert_eq!(
        body(&get(&mut h, &t, &format!("/v2/identity/identities/{id}")))["status"],
        "DISABLED"
    );
    let r = put(&mut h, json!({"sanctions_verification_status": "MAYBE"}));
    assert_eq!(r.status, 400);
    assert_eq!(
        body(&r)["detail"],
        "sanctions_verification_status: must be one of PENDING, ERROR, APPROVED, DENIED, DISABLED"
    );
}

// ---------------------------------------------------------------------------------------------
// The spec's own examples
// ---------------------------------------------------------------------------------------------

/// `paths./identity/identities.post.requestBody...examples["Create Person Identity"]` of
/// specs/paxos-v2.openapi.json, verbatim.
fn spec_create_person_identity() -> Value {
    json!({
        "person_details": {
            "verifier_type": "PASSTHROUGH",
            "passthrough_verifier_type": "JUMIO",
            "passthrough_verified_at": "2021-06-16T09:28:14Z",
            "first_name": "John",
            "last_name": "Doe",
            "date_of_birth": "1980-01-01",
            "phone_number": "+1 555 678 1234",
            "email": "example@somemail.org",
            "cip_id": "111-11-1234",
            "cip_id_type": "SSN",
            "cip_id_country": "USA",
            "nationality": "USA",
            "address": {"country": "USA", "address1": "1 Example St", "city": "New York", "province": "NY", "zip_code": "10001"},
            "metadata": {"custom_property1": "custom value 1", "custom_property2": "custom value 2"}
        },
        "ref_id": "33ece656-eef1-43b5-a851-b6b9099089a5"
    })
}

#[test]
fn spec_example_create_identity_is_accepted_with_the_seeds_required_fields() {
    // The seed (the specification) requires every passthrough field and the five due diligence
    // answers, which the older spec example leaves out: with them added, everything the example
    // holds (spaced phone number, person_details.metadata, its address) is accepted as is.
    let mut b = spec_create_person_identity();
    let p = pd(&mut b);
    p.insert(
        "passthrough_verification_id".into(),
        json!("775300ef-4edb-47b9-8ec4-f45fe3cbf41f"),
    );
    p.insert("passthrough_verification_status".into(), json!("APPROVED"));
    p.insert(
        "passthrough_verification_fields".into(),
        json!(["FULL_LEGAL_NAME", "DATE_OF_BIRTH"]),
    );
    b["customer_due_diligence"] = json!({
        "estimated_yearly_income": "INCOME_50K_TO_100K",
        "expected_transfer_value": "TRANSFER_VALUE_25K_TO_50K",
        "source_of_wealth": "EMPLOYMENT_INCOME",
        "employment_status": "FULL_TIME",
        "employment_industry_sector": "ARTS_ENTERTAINMENT_RECREATION"
    });
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let r = post(&mut h, &t, "/v2/identity/identities", &b);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = body(&r);
    assert_eq!(v["ref_id"], "33ece656-eef1-43b5-a851-b6b9099089a5");
    assert_eq!(v["person_details"]["phone_number"], "+1 555 678 1234");
    assert_eq!(v["person_details"]["date_of_birth"], "1980-01-01T00:00:00Z");
}

#[test]
fn spec_example_create_identity_as_published_is_refused_naming_what_the_seed_requires() {
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let r = post(
        &mut h,
        &t,
        "/v2/identity/identities",
        &spec_create_person_identity(),
    );
    assert_eq!(r.status, 400);
    let fields: Vec<String> = body(&r)["meta"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        fields,
        vec![
            "person_details.passthrough_verification_id",
            "person_details.passthrough_verification_status",
            "person_details.passthrough_verification_fields",
            "customer_due_diligence",
        ]
    );
}

#[test]
fn spec_example_orders_are_accepted() {
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let id = create_identity(&mut h, &t, &sample_identity());
    h.now_ms += 1;
    let (_, profile) = create_account(&mut h, &t, &id, "acct-1");
    let path = format!("/v2/profiles/{profile}/orders");
    // "Market Buy" and "Limit Buy" of CreateOrder's request examples, verbatim.
    let market_buy = json!({"side": "BUY", "market": "ETHUSD", "type": "MARKET", "quote_amount": "300.00",
                            "metadata": {"customer_id": "9b8c9cba-801e-4418-adc0-ede709df6339"}});
    let limit_buy = json!({"side": "BUY", "market": "ETHUSD", "type": "LIMIT", "price": "190.23", "base_amount": "2.35781498",
                           "metadata": {"customer_id": "9b8c9cba-801e-4418-adc0-ede709df6339"}});
    let r = post(&mut h, &t, &path, &market_buy);
    assert_eq!(r.status, 200, "{}", r.body);
    let o = body(&r);
    assert_eq!(
        (
            o["status"].as_str(),
            o["market"].as_str(),
            o["quote_amount"].as_str()
        ),
        (Some("SUBMITTED"), Some("ETHUSD"), Some("300.00"))
    );
    let r = post(&mut h, &t, &path, &limit_buy);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(body(&r)["status"], "OPEN");
    // "Market Sell" on a profile without ETH: the documented insufficient funds problem.
    let market_sell =
        json!({"side": "SELL", "market": "ETHUSD", "type": "MARKET", "base_amount": "3.48127123"});
    let r = post(&mut h, &t, &path, &market_sell);
    assert_eq!(r.status, 403);
    assert_eq!(
        body(&r),
        json!({"type": "https://developer.paxos.com/docs/v2/problems/insufficient-funds", "title": "Insufficient Funds",
               "status": 403,
               "detail": format!("insufficient ETH funds in profile {profile}: 3.48127123 needed, 0 available"),
               "meta": {"profile_id": profile, "asset": "ETH", "available": "0", "needed": "3.48127123"}})
    );
}

// ---------------------------------------------------------------------------------------------
// Accounts and orders
// ---------------------------------------------------------------------------------------------

fn order_body(identity: &str, account: &str, amount: &str) -> Value {
    json!({"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": amount,
           "identity_id": identity, "identity_account_id": account, "ref_id": "order-1"})
}

#[test]
fn accounts_need_an_approved_identity_and_give_a_profile() {
    let mut h = H::new(rampsim_paxos::fake::SCENARIO_SLOW_REVIEW);
    let t = token(&mut h);
    let id = create_identity(&mut h, &t, &sample_identity());
    let req = json!({"create_profile": true, "account": {"identity_id": id, "ref_id": "acct-1", "type": "BROKERAGE"}});
    let r = post(&mut h, &t, "/v2/identity/accounts", &req);
    assert_eq!(r.status, 403);
    assert_eq!(
        body(&r),
        json!({"type": "about:blank", "title": "Forbidden", "status": 403,
               "detail": format!("identity {id} is PENDING: accounts can only be created for APPROVED identities")})
    );
    h.now_ms += rampsim_paxos::fake::SLOW_REVIEW_MS;
    let r = post(&mut h, &t, "/v2/identity/accounts", &req);
    assert_eq!(r.status, 200);
    let a = body(&r);
    assert_eq!(a["identity_id"], id.as_str());
    assert_eq!(a["type"], "BROKERAGE");
    assert!(a["profile_id"].as_str().is_some());
    let again = post(&mut h, &t, "/v2/identity/accounts", &req);
    assert_eq!(again.status, 409);
    assert_eq!(body(&again)["meta"]["existing"], a);
    let r = post(
        &mut h,
        &t,
        "/v2/identity/accounts",
        &json!({"account": {"identity_id": id, "nickname": "x"}}),
    );
    assert_eq!(
        body(&r)["detail"],
        "account.nickname: is not allowed in create"
    );
    let r = get(
        &mut h,
        &t,
        &format!("/v2/identity/accounts/{}", a["id"].as_str().unwrap()),
    );
    assert_eq!(body(&r), a);
}

#[test]
fn orders_are_idempotent_by_ref_id() {
    let mut h = H::new(SCENARIO_APPROVED);
    let t = token(&mut h);
    let id = create_identity(&mut h, &t, &sample_identity());
    h.now_ms += 1;
    let (account, profile) = create_account(&mut h, &t, &id, "acct-1");
    let path = format!("/v2/profiles/{profile}/orders");
    let first = post(&mut h, &t, &path, &order_body(&id, &account, "100.00"));
    assert_eq!(first.status, 200, "{}", first.body);
    let order = body(&first);
    let order_id = order["id"].as_str().unwrap().to_string();
    assert_eq!(
        h.fake.take_notes(),
        vec![FakeNote::order_created("user-billy-duncan-001", order_id)]
    );
    // Same ref_id, same body: the same order, not a second one.
    let again = post(&mut h, &t, &path, &order_body(&id, &account, "100.00"));
    assert_eq!(again.status, 200);
    assert_eq!(body(&again)["id"], order["id"]);
    assert_eq!(h.fake.take_notes(), vec![], "a replay creates no order");
    // Same ref_id, another body: 409 with the existing order.
    let changed = post(&mut h, &t, &path, &order_body(&id, &account, "250.00"));
    assert_eq!(changed.status, 409);
    assert_eq!(content_type(&changed), "application/problem+json");
    let p = body(&changed);
    assert_eq!(p["detail"], "order already exists with ref_id 'order-1'");
    assert_eq!(p["title"], "Already Exists");
    assert_eq!(p["meta"]["existing"]["id"], order["id"]);
    assert_eq!(p["meta"]["existing"]["quote_amount"], "100.00");
    // The order fills shortly after; GET shows it.
    h.now_ms += FILL_AFTER_MS;
    let g = body(&get(
        &mut h,
        &t,
        &format!("{path}/{}", order["id"].as_str().unwrap()),
    ));
    assert_eq!(g["status"], "FILLED");
    assert_eq!(g["amount_filled"], "0.00166667");
    assert_eq!(get(&mut h, &t, &format!("{path}/nope")).status, 404);
}

#[test]
fn orders_check_fields_funds_and_the_trader() {
    let mut h = H::new(SCENARIO_INSUFFICIENT_FUNDS);
    let mut scopes = rampsim_paxos::SCOPES.to_vec();
    scopes.push("funding:read_profile");
    let t = token_with(&mut h, &scopes);
    let id = create_identity(&mut h, &t, &sample_identity());
    h.now_ms += 1;
    let (account, profile) = create_account(&mut h, &t, &id, "acct-1");
    let path = format!("/v2/profiles/{profile}/orders");
    let r = post(&mut h, &t, &path, &order_body(&id, &account, "100.00"));
    assert_eq!(r.status, 403);
    assert_eq!(
        body(&r)["detail"],
        format!("insufficient USD funds in profile {profile}: 100 needed, 0 available")
    );
    // A sandbox deposit funds the profile.
    let r = post(
        &mut h,
        &t,
        &format!("/v2/sandbox/profiles/{profile}/deposit"),
        &json!({"asset": "USD", "amount": "500"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        post(&mut h, &t, &path, &order_body(&id, &account, "100.00")).status,
        200
    );

    let bad = |b: Value| b;
    let cases = [
        (bad(json!({"side": "BUY", "market": "BTCUSD", "type": "MARKET"})), "quote_amount: is required for a MARKET BUY"),
        (
            bad(json!({"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "-10"})),
            "quote_amount: invalid amount '-10': must be positive decimal; quote_amount: is required for a MARKET BUY",
        ),
        (
            bad(json!({"side": "HOLD", "market": "DOGEUSD", "type": "MARKET", "quote_amount": "1"})),
            "side: must be one of BUY, SELL; market: must be one of ETHEUR, ETHSGD, ETHUSD, BTCEUR, BTCSGD, BTCUSD, PAXGUSD, BCHUSD, LTCUSD, USDPUSD, LINKUSD, MATICUSD, AAVEUSD, UNIUSD",
        ),
        (
            bad(json!({"side": "BUY", "market": "BTCUSD", "type": "MARKET", "quote_amount": "1", "identity_id": id})),
            "identity_account_id: identity_id and identity_account_id must be used together",
        ),
    ];
    for (b, detail) in cases {
        let r = post(&mut h, &t, &path, &b);
        assert_eq!(r.status, 400, "{b}");
        assert_eq!(body(&r)["detail"], detail);
    }
    // The account must be the identity's.
    let mut b = order_body(&id, "someone-elses-account", "1.00");
    b["ref_id"] = json!("order-2");
    let r = post(&mut h, &t, &path, &b);
    assert_eq!(
        body(&r),
        json!({"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "InvalidIdentityAccountId"})
    );
    let r = post(
        &mut h,
        &t,
        "/v2/profiles/nope/orders",
        &order_body(&id, &account, "1.00"),
    );
    assert_eq!(body(&r)["detail"], "profile not found: nope");
}

// ---------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------

#[test]
fn garbage_requests_get_error_answers_never_panics() {
    // Raw requests straight to a fake, with a valid token so they reach validation.
    let mut fake = PaxosFake::new();
    let issue = FakeRequest {
        endpoint: "oauth".into(),
        method: "POST".into(),
        path: "/oauth2/token".into(),
        headers: vec![("Content-Type".into(), "application/x-www-form-urlencoded".into())],
        body: format!(
            "grant_type=client_credentials&client_id={SANDBOX_CLIENT_ID}&client_secret={SANDBOX_CLIENT_SECRET}&scope=identity:write_identity+exchange:write_order+identity:write_account"
        ),
        ..Default::default()
    };
    let issued = fake.handle(&issue, 0, "approved");
    let own: Value = serde_json::from_str(&issued.body).unwrap();
    let bearer = format!("Bearer {}", own["access_token"].as_str().unwrap());
    let bodies = [
        "".to_string(),
        "not json".into(),
        "[1,2,3]".into(),
        "null".into(),
        r#"{"person_details": "x"}"#.into(),
        r#"{"ref_id": 7, "person_details": {"address": [], "passthrough_verification_fields": "ALL"}, "customer_due_diligence": 1}"#.into(),
        r#"{"account": {"identity_id": 1}}"#.into(),
        r#"{"side": null, "metadata": {"a": 1}}"#.into(),
        "{\"first_name\": \"\u{0}\u{ffff}\"}".into(),
        "x".repeat(2 << 20),
    ];
    let paths = [
        ("POST", "/v2/identity/identities"),
        ("POST", "/v2/identity/accounts"),
        ("POST", "/v2/profiles/p/orders"),
        ("PUT", "/v2/identity/identities/x/sandbox-status"),
        ("POST", "/v2/sandbox/profiles/p/deposit"),
        ("POST", "/oauth2/token"),
        ("GET", "/v2/identity/identities/%00"),
        ("GET", "//v2///identity"),
    ];
    for (method, path) in paths {
        for b in &bodies {
            let req = FakeRequest {
                endpoint: String::new(),
                method: method.into(),
                path: path.into(),
                headers: vec![("Authorization".into(), bearer.clone())],
                body: b.clone(),
                ..Default::default()
            };
            let r = fake.handle(&req, 1, "approved");
            assert!(
                r.status >= 400,
                "{method} {path} {:.40}: {} {}",
                b,
                r.status,
                r.body
            );
            assert!(
                serde_json::from_str::<Value>(&r.body).is_ok(),
                "error bodies are JSON"
            );
        }
    }
    let huge = FakeRequest {
        method: "POST".into(),
        path: "/v2/identity/identities".into(),
        body: "x".repeat(2 << 20),
        ..Default::default()
    };
    assert_eq!(fake.handle(&huge, 1, "approved").status, 413);
}
