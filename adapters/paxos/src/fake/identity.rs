//! Identities: create (with the checks the real API makes), get (status by scenario over time),
//! and the sandbox-only status override.

use super::{
    already_exists, bad_request, bad_request_detail, not_found_detail, problem, FieldError,
    PaxosFake, DENIED_AFTER_MS, SCENARIO_DENIED, SCENARIO_DUPLICATE_CIP_ID, SCENARIO_EDD_REQUIRED,
    SCENARIO_SLOW_REVIEW, SLOW_REVIEW_MS,
};
use crate::convert::{
    CIP_ID_TYPES, EMPLOYMENT_STATUS, IDENTITY_STATUSES, INDUSTRY_SECTOR, PASSTHROUGH_FIELDS,
    PASSTHROUGH_VERIFIER_TYPES, TRANSFER_VALUE, VERIFIER_TYPES, WEALTH_SOURCE, YEARLY_INCOME,
};
use crate::formats;
use rampsim_plugin_sdk::country::is_alpha3;
use rampsim_plugin_sdk::time::{self, rfc3339_from_ms};
use rampsim_plugin_sdk::{FakeRequest, HttpResponse};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The PersonDetails properties the spec defines; others in a request are ignored, as the spec's
/// own example (which puts `metadata` inside person_details) shows the API does.
const PERSON_KEYS: &[&str] = &[
    "first_name",
    "last_name",
    "middle_name",
    "date_of_birth",
    "address",
    "phone_number",
    "email",
    "nationality",
    "verifier_id",
    "verifier_type",
    "passthrough_verifier_type",
    "passthrough_verified_at",
    "passthrough_verification_id",
    "passthrough_verification_status",
    "passthrough_verification_fields",
    "cip_id",
    "cip_id_type",
    "cip_id_country",
    "govt_id",
    "govt_id_type",
    "profession",
    "country_of_birth",
];

const PASSTHROUGH_REQUIRED: &[&str] = &[
    "passthrough_verifier_type",
    "passthrough_verified_at",
    "passthrough_verification_id",
    "passthrough_verification_status",
    "passthrough_verification_fields",
];

const CDD_REQUIRED: &[(&str, &[&str])] = &[
    ("estimated_yearly_income", YEARLY_INCOME),
    ("expected_transfer_value", TRANSFER_VALUE),
    ("source_of_wealth", WEALTH_SOURCE),
    ("employment_status", EMPLOYMENT_STATUS),
    ("employment_industry_sector", INDUSTRY_SECTOR),
];

const NET_WORTH: &[&str] = &[
    "NET_WORTH_0_TO_100K",
    "NET_WORTH_100K_TO_500K",
    "NET_WORTH_500K_TO_1M",
    "NET_WORTH_1M_TO_2_5M",
    "NET_WORTH_2_5M_TO_5M",
    "NET_WORTH_5M_TO_7_5M",
    "NET_WORTH_7_5M_TO_10M",
    "NET_WORTH_10M_TO_25M",
    "NET_WORTH_25M_TO_50M",
    "NET_WORTH_OVER_50M",
];
const FUNDS_SOURCE: &[&str] = &[
    "SALARY_DISBURSEMENT",
    "INHERITANCE_DISTRIBUTION",
    "INVESTMENT_RETURNS",
    "BUSINESS_DIVIDENDS_PROFITS",
    "PROPERTY_SALE",
    "LOAN_DISBURSEMENT",
    "SAVINGS_ACCOUNT_WITHDRAWAL",
    "GOVERNMENT_BENEFITS",
];
const ACCOUNT_PURPOSE: &[&str] = &[
    "INVESTMENT_TRADING",
    "SAVINGS",
    "STABLECOIN_PURCHASE_REDEMPTION",
];

#[derive(Clone, Debug)]
pub struct IdentityRecord {
    pub id: String,
    pub ref_id: String,
    /// The scenario the sandbox played when the identity was created: it fixes the decision path.
    pub scenario: String,
    pub created_ms: i64,
    pub person: Map<String, Value>,
    pub cdd: Value,
    pub tax_details: Option<Value>,
    pub metadata: Option<Value>,
    pub cip: (String, String, String),
    /// The client's own passthrough verdict; DENIED leads to a denial whatever the scenario.
    pub passthrough_status: String,
    pub sandbox: Option<SandboxOverride>,
}

/// Sub-statuses forced through `PUT /v2/identity/identities/{id}/sandbox-status`.
#[derive(Clone, Debug)]
pub struct SandboxOverride {
    pub statuses: BTreeMap<String, String>,
    pub disabled: bool,
    pub at_ms: i64,
}

/// An identity's status at one moment.
#[derive(Clone, Debug)]
pub struct IdentityState {
    pub status: &'static str,
    pub since_ms: i64,
    pub requirements: Vec<Value>,
    pub sub: BTreeMap<String, String>,
}

impl IdentityRecord {
    pub fn state_at(&self, now: i64) -> IdentityState {
        if let Some(o) = &self.sandbox {
            return overridden(o);
        }
        let created = self.created_ms;
        let scenario = if self.passthrough_status == "DENIED" {
            SCENARIO_DENIED
        } else {
            self.scenario.as_str()
        };
        let screening = || {
            vec![requirement(
                "SCREENING_CHECK",
                "PAXOS",
                "screening_in_progress",
                "Screening check is in progress.",
            )]
        };
        match scenario {
            SCENARIO_SLOW_REVIEW if now < created.saturating_add(SLOW_REVIEW_MS) => {
                state("PENDING", created, screening())
            }
            SCENARIO_SLOW_REVIEW => {
                state("APPROVED", created.saturating_add(SLOW_REVIEW_MS), vec![])
            }
            SCENARIO_DENIED if now < created.saturating_add(DENIED_AFTER_MS) => {
                state("PENDING", created, screening())
            }
            SCENARIO_DENIED => state("DENIED", created.saturating_add(DENIED_AFTER_MS), vec![]),
            SCENARIO_EDD_REQUIRED => state(
                "PENDING",
                created,
                vec![requirement(
                    "ENHANCED_DUE_DILIGENCE",
                    "CLIENT",
                    "documents_required",
                    "Enhanced due diligence documents are required.",
                )],
            ),
            // Auto-approval: the create answer says PENDING (see `create`), any GET APPROVED,
            // even one in the same millisecond (the virtual clock does not move between them).
            _ if now < created => state("PENDING", created, screening()),
            _ => state("APPROVED", created, vec![]),
        }
    }

    /// The Identity resource; person details only on create or with `include_details=true`.
    pub fn render(&self, now: i64, with_details: bool) -> Value {
        let st = self.state_at(now);
        let mut v = json!({
            "id": self.id,
            "ref_id": self.ref_id,
            "type": "PERSON",
            "status": st.status,
            "summary_status": st.status,
            "created_at": rfc3339_from_ms(self.created_ms),
            "updated_at": rfc3339_from_ms(st.since_ms.max(self.created_ms)),
            "status_details": { "requirements": st.requirements, "active_controls": [] },
            "user_disabled": false,
            "admin_disabled": false,
        });
        if with_details {
            let mut person = self.person.clone();
            if let Some(dob) = person.get("date_of_birth").and_then(Value::as_str) {
                let dob = format!("{dob}T00:00:00Z");
                person.insert("date_of_birth".into(), json!(dob));
            }
            for (k, s) in &st.sub {
                person.insert(k.clone(), json!(s));
            }
            v["person_details"] = Value::Object(person);
            v["customer_due_diligence"] = self.cdd.clone();
        }
        if let Some(t) = &self.tax_details {
            v["tax_details"] = t.clone();
        }
        if let Some(m) = &self.metadata {
            v["metadata"] = m.clone();
        }
        v
    }
}

fn state(status: &'static str, since_ms: i64, requirements: Vec<Value>) -> IdentityState {
    let (id, sanctions, additional) = match status {
        "APPROVED" => ("APPROVED", "APPROVED", "APPROVED"),
        "DENIED" => ("APPROVED", "APPROVED", "DENIED"),
        _ => ("APPROVED", "PENDING", "PENDING"),
    };
    IdentityState {
        status,
        since_ms,
        requirements,
        sub: BTreeMap::from([
            ("id_verification_status".to_string(), id.to_string()),
            (
                "sanctions_verification_status".to_string(),
                sanctions.to_string(),
            ),
            (
                "additional_screening_status".to_string(),
                additional.to_string(),
            ),
        ]),
    }
}

fn overridden(o: &SandboxOverride) -> IdentityState {
    let get = |k: &str| o.statuses.get(k).map(String::as_str).unwrap_or("PENDING");
    let any = |s: &str| o.statuses.values().any(|v| v == s);
    let status = if o.disabled {
        "DISABLED"
    } else if any("ERROR") {
        "ERROR"
    } else if any("DENIED") {
        "DENIED"
    } else if get("id_verification_status") == "APPROVED"
        && get("sanctions_verification_status") == "APPROVED"
    {
        "APPROVED"
    } else {
        "PENDING"
    };
    let requirements = if status == "PENDING" {
        o.statuses
            .iter()
            .filter(|(_, v)| *v == "PENDING")
            .map(|(k, _)| {
                let kind = k.trim_end_matches("_status").to_ascii_uppercase();
                requirement(&kind, "PAXOS", "in_progress", "Check is in progress.")
            })
            .collect()
    } else {
        vec![]
    };
    IdentityState {
        status,
        since_ms: o.at_ms,
        requirements,
        sub: o.statuses.clone(),
    }
}

fn requirement(kind: &str, who: &str, code: &str, description: &str) -> Value {
    json!({
        "type": kind,
        "status": "PENDING",
        "awaiting_action_from": who,
        "errors": [{ "code": code, "description": description }],
    })
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

pub fn create(fake: &mut PaxosFake, body: &Value, now: i64, scenario: &str) -> HttpResponse {
    if body.get("institution_details").is_some() {
        return problem(
            501,
            "about:blank",
            "Not Implemented",
            "institution identities are not modelled by the rampsim Paxos sandbox",
            None,
        );
    }
    let valid = match validate(body, now) {
        Ok(v) => v,
        Err(errors) => return bad_request(&errors),
    };
    if let Some(existing) = fake.identities.values().find(|i| i.ref_id == valid.ref_id) {
        return already_exists("duplicate ref_id provided", json!({ "id": existing.id }));
    }
    if scenario == SCENARIO_DUPLICATE_CIP_ID
        && !fake.identities.values().any(|i| i.cip == valid.cip)
    {
        // The scenario's premise: someone registered this government id before.
        let id = fake.new_id("identity");
        let earlier = IdentityRecord {
            id: id.clone(),
            ref_id: format!("earlier-{id}"),
            scenario: super::SCENARIO_APPROVED.into(),
            created_ms: now.saturating_sub(30 * 24 * 3_600_000),
            ..record(&valid, String::new(), scenario, now)
        };
        fake.identities.insert(id, earlier);
    }
    if let Some(existing) = fake.identities.values().find(|i| i.cip == valid.cip) {
        return already_exists(
            "duplicate (cip_id, cip_id_type, cip_id_country) provided",
            json!({ "id": existing.id }),
        );
    }
    let id = fake.new_id("identity");
    let rec = record(&valid, id.clone(), scenario, now);
    // The answer shows the identity as just created, the instant before any decision: as of a
    // millisecond earlier, when every scenario says PENDING.
    let rendered = rec.render(now.saturating_sub(1), true);
    fake.identities.insert(id, rec);
    HttpResponse::json(200, &rendered)
}

pub fn get(fake: &PaxosFake, id: &str, req: &FakeRequest, now: i64) -> HttpResponse {
    let details = req
        .query_param("include_details")
        .is_some_and(|v| v == "true");
    match fake.identities.get(id) {
        Some(rec) => HttpResponse::json(200, &rec.render(now, details)),
        None => not_found_detail(&format!("identity not found: {id}")),
    }
}

pub fn sandbox_status(fake: &mut PaxosFake, id: &str, req: &FakeRequest, now: i64) -> HttpResponse {
    let body = match req.json_body() {
        Some(Value::Object(m)) => m,
        _ => return bad_request_detail("request body must be a JSON object"),
    };
    let Some(rec) = fake.identities.get(id) else {
        return not_found_detail(&format!("identity not found: {id}"));
    };
    let current = rec.state_at(now);
    let mut statuses = current.sub.clone();
    let mut disabled = current.status == "DISABLED";
    let mut errors = Vec::new();
    for (k, v) in &body {
        match k.as_str() {
            "id_verification_status"
            | "sanctions_verification_status"
            | "document_verification_status"
            | "additional_screening_status" => match v.as_str() {
                Some(s) if IDENTITY_STATUSES.contains(&s) => {
                    statuses.insert(k.clone(), s.to_string());
                }
                _ => errors.push(FieldError::new(
                    k.clone(),
                    format!("must be one of {}", IDENTITY_STATUSES.join(", ")),
                )),
            },
            "user_disabled" | "admin_disabled" => {
                match v.get("disabled").and_then(Value::as_bool) {
                    Some(d) => disabled = d,
                    None => errors.push(FieldError::new(
                        format!("{k}.disabled"),
                        "must be a boolean",
                    )),
                }
            }
            "id" => {}
            other => errors.push(FieldError::new(other, "unknown field")),
        }
    }
    if !errors.is_empty() {
        return bad_request(&errors);
    }
    if let Some(rec) = fake.identities.get_mut(id) {
        rec.sandbox = Some(SandboxOverride {
            statuses,
            disabled,
            at_ms: now,
        });
    }
    HttpResponse::json(200, &json!({}))
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// What a valid create request holds, ready to store.
pub struct Valid {
    ref_id: String,
    person: Map<String, Value>,
    cdd: Value,
    tax_details: Option<Value>,
    metadata: Option<Value>,
    cip: (String, String, String),
    passthrough_status: String,
}

fn record(v: &Valid, id: String, scenario: &str, now: i64) -> IdentityRecord {
    IdentityRecord {
        id,
        ref_id: v.ref_id.clone(),
        scenario: scenario.to_string(),
        created_ms: now,
        person: v.person.clone(),
        cdd: v.cdd.clone(),
        tax_details: v.tax_details.clone(),
        metadata: v.metadata.clone(),
        cip: v.cip.clone(),
        passthrough_status: v.passthrough_status.clone(),
        sandbox: None,
    }
}

/// Collects every field error rather than stopping at the first.
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn err(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(FieldError::new(field, reason));
    }

    /// The string at `key`: absent -> None (an error when `required`), not a string -> error.
    fn string<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &str,
        required: bool,
    ) -> Option<&'a str> {
        match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.err(path, "is required");
                }
                None
            }
            Some(Value::String(s)) if s.is_empty() && required => {
                self.err(path, "is required");
                None
            }
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.err(path, "must be a string");
                None
            }
        }
    }

    fn text(&mut self, value: Option<&str>, path: &str, max: usize) {
        if let Some(s) = value {
            if !formats::is_paxos_text(s) {
                self.err(
                    path,
                    "value does not match regex pattern ^[0-9A-Za-z /?:().,&'+-]+$",
                );
            } else if s.chars().count() > max {
                self.err(path, format!("must be at most {max} characters"));
            }
        }
    }

    fn country(&mut self, value: Option<&str>, path: &str) {
        if let Some(s) = value {
            if !formats::is_upper3(s) {
                self.err(
                    path,
                    "must be an ISO 3166-1 alpha-3 code matching ^[A-Z]{3}$",
                );
            } else if !is_alpha3(s) {
                self.err(path, "is not an ISO 3166-1 alpha-3 country code");
            }
        }
    }

    fn one_of(&mut self, value: Option<&str>, path: &str, allowed: &[&str]) {
        if let Some(s) = value {
            if !allowed.contains(&s) {
                self.err(path, format!("must be one of {}", allowed.join(", ")));
            }
        }
    }

    fn object<'a>(
        &mut self,
        parent: &'a Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'a Map<String, Value>> {
        match parent.get(key) {
            Some(Value::Object(m)) => Some(m),
            None | Some(Value::Null) => {
                self.err(path, "is required");
                None
            }
            Some(_) => {
                self.err(path, "must be an object");
                None
            }
        }
    }
}

pub fn validate(body: &Value, now: i64) -> Result<Valid, Vec<FieldError>> {
    let empty = Map::new();
    let root = body.as_object().unwrap_or(&empty);
    let mut c = Checker { errors: Vec::new() };
    let ref_id = c
        .string(root, "ref_id", "ref_id", true)
        .unwrap_or_default()
        .to_string();
    let person = c
        .object(root, "person_details", "person_details")
        .cloned()
        .unwrap_or_default();
    let cip = check_person(&mut c, &person, now);
    let cdd = check_cdd(&mut c, root);
    let tax_details = check_tax_details(&mut c, root);
    let metadata = match root.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) if m.values().all(Value::is_string) => {
            Some(Value::Object(m.clone()))
        }
        Some(_) => {
            c.err("metadata", "must be an object of strings");
            None
        }
    };
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let kept: Map<String, Value> = person
        .iter()
        .filter(|(k, _)| PERSON_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let passthrough_status = person
        .get("passthrough_verification_status")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(Valid {
        ref_id,
        person: kept,
        cdd,
        tax_details,
        metadata,
        cip,
        passthrough_status,
    })
}

fn check_person(c: &mut Checker, p: &Map<String, Value>, now: i64) -> (String, String, String) {
    let at = |k: &str| format!("person_details.{k}");
    let verifier = c.string(p, "verifier_type", &at("verifier_type"), true);
    c.one_of(verifier, &at("verifier_type"), VERIFIER_TYPES);
    if verifier == Some("PASSTHROUGH") {
        for key in PASSTHROUGH_REQUIRED {
            if p.get(*key)
                .is_none_or(|v| v.is_null() || v == "" || v == &json!([]))
            {
                c.err(&at(key), "is required when verifier_type is PASSTHROUGH");
            }
        }
    }
    let pvt = c.string(
        p,
        "passthrough_verifier_type",
        &at("passthrough_verifier_type"),
        false,
    );
    c.one_of(
        pvt,
        &at("passthrough_verifier_type"),
        PASSTHROUGH_VERIFIER_TYPES,
    );
    if let Some(t) = c.string(
        p,
        "passthrough_verified_at",
        &at("passthrough_verified_at"),
        false,
    ) {
        if !time::is_rfc3339(t) {
            c.err(
                &at("passthrough_verified_at"),
                "must be an RFC 3339 date-time",
            );
        }
    }
    c.string(
        p,
        "passthrough_verification_id",
        &at("passthrough_verification_id"),
        false,
    );
    let pvs = c.string(
        p,
        "passthrough_verification_status",
        &at("passthrough_verification_status"),
        false,
    );
    c.one_of(
        pvs,
        &at("passthrough_verification_status"),
        IDENTITY_STATUSES,
    );
    match p.get("passthrough_verification_fields") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if !item
                    .as_str()
                    .is_some_and(|s| PASSTHROUGH_FIELDS.contains(&s))
                {
                    let path = format!("person_details.passthrough_verification_fields[{i}]");
                    c.err(
                        &path,
                        format!("must be one of {}", PASSTHROUGH_FIELDS.join(", ")),
                    );
                }
            }
        }
        Some(_) => c.err(&at("passthrough_verification_fields"), "must be an array"),
    }

    for key in ["first_name", "last_name"] {
        let v = c.string(p, key, &at(key), true);
        c.text(v, &at(key), 200);
    }
    if let Some(m) = c.string(p, "middle_name", &at("middle_name"), false) {
        if m.chars().count() > 200 {
            c.err(&at("middle_name"), "must be at most 200 characters");
        }
    }
    if let Some(dob) = c.string(p, "date_of_birth", &at("date_of_birth"), true) {
        let today = time::date_from_ms(now);
        if !time::is_date(dob) {
            c.err(
                &at("date_of_birth"),
                "must be a date matching ^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            );
        } else if dob > today.as_str() {
            c.err(&at("date_of_birth"), "must not be in the future");
        }
    }
    let mut residence = None;
    if let Some(addr) = c.object(p, "address", &at("address")) {
        for (key, required) in [
            ("address1", true),
            ("address2", false),
            ("city", true),
            ("province", true),
            ("zip_code", false),
        ] {
            let path = format!("person_details.address.{key}");
            let v = c.string(addr, key, &path, required);
            c.text(v, &path, 35);
        }
        residence = c.string(addr, "country", "person_details.address.country", true);
        c.country(residence, "person_details.address.country");
    }
    let nationality = c.string(p, "nationality", &at("nationality"), true);
    c.country(nationality, &at("nationality"));

    let cip_id = c.string(p, "cip_id", &at("cip_id"), true);
    c.text(cip_id, &at("cip_id"), 200);
    let cip_type = c.string(p, "cip_id_type", &at("cip_id_type"), true);
    c.one_of(cip_type, &at("cip_id_type"), CIP_ID_TYPES);
    let cip_country = c.string(p, "cip_id_country", &at("cip_id_country"), true);
    c.country(cip_country, &at("cip_id_country"));
    if matches!(cip_type, Some("SSN" | "ITIN")) && cip_id.is_some_and(|s| !is_ssn_shaped(s)) {
        c.err(&at("cip_id"), "SSN and ITIN format is xxx-xx-xxxx");
    }
    if residence == Some("USA") && cip_type.is_some_and(|t| !matches!(t, "SSN" | "ITIN")) {
        c.err(&at("cip_id_type"), "US residents must use SSN or ITIN");
    }

    if let Some(phone) = c.string(p, "phone_number", &at("phone_number"), false) {
        let digits = phone.bytes().filter(u8::is_ascii_digit).count();
        let ok_chars = phone
            .trim_start_matches('+')
            .bytes()
            .all(|b| b.is_ascii_digit() || b" ()-".contains(&b));
        if !ok_chars || !(7..=15).contains(&digits) {
            c.err(
                &at("phone_number"),
                "must be a phone number like +1 555 678 1234",
            );
        }
    }
    if let Some(email) = c.string(p, "email", &at("email"), false) {
        if !email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        {
            c.err(&at("email"), "must be an email address");
        }
    }
    (
        cip_id.unwrap_or_default().to_string(),
        cip_type.unwrap_or_default().to_string(),
        cip_country.unwrap_or_default().to_string(),
    )
}

fn is_ssn_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[3] == b'-'
        && b[6] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 3 || i == 6 || c.is_ascii_digit())
}

fn check_cdd(c: &mut Checker, root: &Map<String, Value>) -> Value {
    let Some(cdd) = c.object(root, "customer_due_diligence", "customer_due_diligence") else {
        return Value::Null;
    };
    for (key, allowed) in CDD_REQUIRED {
        let path = format!("customer_due_diligence.{key}");
        let v = c.string(cdd, key, &path, true);
        c.one_of(v, &path, allowed);
    }
    for (key, allowed) in [
        ("estimated_net_worth", NET_WORTH),
        ("source_of_funds", FUNDS_SOURCE),
        ("purpose_of_account", ACCOUNT_PURPOSE),
        ("industry_sector", INDUSTRY_SECTOR),
    ] {
        let path = format!("customer_due_diligence.{key}");
        let v = c.string(cdd, key, &path, false);
        c.one_of(v, &path, allowed);
    }
    Value::Object(cdd.clone())
}

fn check_tax_details(c: &mut Checker, root: &Map<String, Value>) -> Option<Value> {
    match root.get("tax_details") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let Some(t) = item.as_object() else {
                    c.err(&format!("tax_details[{i}]"), "must be an object");
                    continue;
                };
                let id_path = format!("tax_details[{i}].tax_payer_id");
                let id = c.string(t, "tax_payer_id", &id_path, true);
                c.text(id, &id_path, 35);
                let country_path = format!("tax_details[{i}].tax_payer_country");
                let country = c.string(t, "tax_payer_country", &country_path, true);
                c.country(country, &country_path);
            }
            Some(Value::Array(items.clone()))
        }
        Some(_) => {
            c.err("tax_details", "must be an array");
            None
        }
    }
}
