//! Users: privacy-policy acceptance, the full-record PUT (validated field by field, replacing
//! what was stored), and the eligibility the scenario plays.

use super::{error, CrossmintFake, MISSING_KYC, REJECTED, REVIEW_MS};
use crate::convert::{self, DOCUMENT_TYPE, EMPLOYMENT_STATUS, SOURCE_OF_FUNDS};
use rampsim_plugin_sdk::country::is_alpha2;
use rampsim_plugin_sdk::time::{is_date, is_datetime};
use rampsim_plugin_sdk::{FakeRequest, HttpResponse};
use serde_json::{json, Map, Value};

pub(super) struct User {
    user_id: String,
    accepted_at: Option<String>,
    /// The last full PUT body: each PUT replaces everything (Crossmint's PUT is not additive).
    record: Map<String, Value>,
    triggered_ms: Option<i64>,
}

impl User {
    fn new(locator: &str) -> User {
        User {
            user_id: locator
                .split_once(':')
                .map(|(_, v)| v)
                .unwrap_or(locator)
                .to_string(),
            accepted_at: None,
            record: Map::new(),
            triggered_ms: None,
        }
    }

    pub(super) fn user_id(&self) -> &str {
        &self.user_id
    }

    pub(super) fn kyc_email(&self) -> Option<&str> {
        self.record.get("kycData")?.get("email")?.as_str()
    }

    fn has(&self, section: &str) -> bool {
        self.record.get(section).is_some_and(Value::is_object)
    }

    /// The stored-section booleans Crossmint answers to a PUT or GET of the user.
    fn summary(&self) -> Value {
        let mut v = json!({
            "userId": self.user_id,
            "userDetails": self.has("userDetails"),
            "kycData": self.has("kycData"),
            "dueDiligence": self.has("dueDiligence"),
            "enhancedDueDiligence": self.has("enhancedDueDiligence"),
            "verificationHistory": self.has("verificationHistory"),
        });
        if let Some(e) = self.kyc_email() {
            v["email"] = json!(e);
        }
        if let Some(p) = self
            .record
            .get("kycData")
            .and_then(|k| k.get("phoneNumber"))
        {
            v["phoneNumber"] = p.clone();
        }
        if let Some(at) = &self.accepted_at {
            v["legalDocuments"] = json!([{ "type": "crossmint-privacy-policy", "acceptedAt": at, "isValidVersion": true }]);
        }
        v
    }

    /// Required KYC fields that are absent (requires-data when any is).
    fn missing_kyc_fields(&self) -> Vec<&'static str> {
        let kyc = self.record.get("kycData");
        let mut missing = Vec::new();
        if !self.has("userDetails") {
            missing.push("userDetails");
        }
        for (field, key) in [
            ("kycData.email", "email"),
            ("kycData.addressOfResidence", "addressOfResidence"),
            ("kycData.identityDocument", "identityDocument"),
        ] {
            if kyc.and_then(|k| k.get(key)).is_none() {
                missing.push(field);
            }
        }
        missing
    }
}

/// The onramp eligibility the sandbox reports.
pub(super) enum Eligibility {
    PendingPrivacyPolicy,
    RequiresData {
        data: Vec<&'static str>,
        documents: Vec<&'static str>,
    },
    NotStarted,
    PendingReview,
    Verified,
    Rejected,
}

impl Eligibility {
    fn entry(&self, kind: &str) -> Value {
        let status = match self {
            Eligibility::PendingPrivacyPolicy => "pending-privacy-policy",
            Eligibility::RequiresData { .. } => "requires-data",
            Eligibility::NotStarted => "not-started",
            Eligibility::PendingReview => "pending-review",
            Eligibility::Verified => "verified",
            Eligibility::Rejected => "rejected",
        };
        let mut v = json!({ "type": kind, "status": status });
        match self {
            Eligibility::RequiresData { data, documents } => {
                v["missingData"] = json!(data);
                v["missingDocuments"] = json!(documents);
            }
            Eligibility::Rejected => {
                v["failureReasons"] = json!([{
                    "code": "id-document-expired",
                    "message": "The identity document on file has expired; a valid one is needed.",
                }]);
            }
            _ => {}
        }
        v
    }
}

pub(super) fn eligibility(user: &User, now_ms: i64, scenario: &str) -> Eligibility {
    if user.accepted_at.is_none() {
        return Eligibility::PendingPrivacyPolicy;
    }
    let missing = user.missing_kyc_fields();
    if !missing.is_empty() {
        return Eligibility::RequiresData {
            data: missing,
            documents: Vec::new(),
        };
    }
    let Some(triggered) = user.triggered_ms else {
        return Eligibility::NotStarted;
    };
    if scenario == MISSING_KYC {
        // The scenario's decision: the imported record is not enough for this user.
        return Eligibility::RequiresData {
            data: vec![
                "enhancedDueDiligence.proofOfAddress",
                "enhancedDueDiligence.proofOfIncome",
            ],
            documents: vec!["proof-of-address", "proof-of-income"],
        };
    }
    if now_ms < triggered + REVIEW_MS {
        Eligibility::PendingReview
    } else if scenario == REJECTED {
        Eligibility::Rejected
    } else {
        Eligibility::Verified
    }
}

const LOCATOR_HELP: &str = "Invalid userLocator: expected email:<email>, userId:<userId>, \
                            phoneNumber:<phoneNumber>, twitter:<handle> or x:<handle>";

fn valid_locator(loc: &str) -> bool {
    let Some((kind, value)) = loc.split_once(':') else {
        return false;
    };
    let word = |v: &str| {
        !v.is_empty()
            && v.len() <= 128
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match kind {
        "userId" | "twitter" | "x" => word(value),
        "email" => value
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && d.contains('.')),
        "phoneNumber" => {
            value.len() > 4
                && value.starts_with('+')
                && value[1..].bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

fn json_object(req: &FakeRequest) -> Result<Map<String, Value>, HttpResponse> {
    match serde_json::from_str::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(error(400, "Request body must be a JSON object")),
    }
}

/// A field check's failure: the message names the field, as Crossmint's 400s do (ASSUMED wording).
type Check = Result<(), String>;

fn string<'a>(
    obj: &'a Value,
    parent: &str,
    key: &str,
    required: bool,
) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s)),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(format!("{parent}.{key} is required"))
        }
        Some(_) => Err(format!("{parent}.{key} must be a string")),
    }
}

fn object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    required: bool,
) -> Result<Option<&'a Value>, String> {
    match obj.get(key) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        None | Some(Value::Null) => Err(format!("{key} is required")),
        Some(_) => Err(format!("{key} must be an object")),
    }
}

fn image(obj: &Value, parent: &str, key: &str) -> Check {
    if let Some(v) = string(obj, parent, key, false)? {
        convert::check_image(v).map_err(|why| {
            if why.contains("10 MB") {
                format!("{parent}.{key} exceeds the 10 MB limit")
            } else {
                format!("{parent}.{key} must be a base64 encoded file")
            }
        })?;
    }
    Ok(())
}

fn country(obj: &Value, parent: &str, key: &str, required: bool) -> Check {
    match string(obj, parent, key, required)? {
        Some(c) if !is_alpha2(c) => Err(format!(
            "{parent}.{key} must be an ISO 3166-1 alpha-2 country code"
        )),
        _ => Ok(()),
    }
}

fn one_of(obj: &Value, parent: &str, key: &str, allowed: &[(&str, &str)]) -> Check {
    match string(obj, parent, key, false)? {
        Some(v) if !allowed.iter().any(|(_, a)| *a == v) => Err(format!(
            "{parent}.{key} must be one of: {}",
            allowed
                .iter()
                .map(|(_, a)| *a)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => Ok(()),
    }
}

fn validate_record(body: &Map<String, Value>) -> Check {
    let details = object(body, "userDetails", true)?.unwrap_or(&Value::Null);
    string(details, "userDetails", "firstName", true)?;
    string(details, "userDetails", "lastName", true)?;
    if let Some(d) = string(details, "userDetails", "dateOfBirth", true)? {
        if !is_date(d) {
            return Err("userDetails.dateOfBirth must be a date in YYYY-MM-DD format".into());
        }
    }
    country(details, "userDetails", "countryOfResidence", true)?;

    if let Some(kyc) = object(body, "kycData", false)? {
        if let Some(e) = string(kyc, "kycData", "email", false)? {
            if !e.contains('@') {
                return Err("kycData.email must be a valid email address".into());
            }
        }
        country(kyc, "kycData", "nationality", false)?;
        match kyc.get("addressOfResidence") {
            None | Some(Value::Null) => {}
            Some(a @ Value::Object(_)) => {
                for key in ["line1", "city", "postalCode"] {
                    string(a, "kycData.addressOfResidence", key, true)?;
                }
            }
            Some(_) => return Err("kycData.addressOfResidence must be an object".into()),
        }
        match kyc.get("identityDocument") {
            None | Some(Value::Null) => {}
            Some(d @ Value::Object(_)) => {
                let p = "kycData.identityDocument";
                let types: Vec<(&str, &str)> = DOCUMENT_TYPE
                    .iter()
                    .copied()
                    .chain([("ssn", "ssn")])
                    .collect();
                string(d, p, "type", true)?;
                one_of(d, p, "type", &types)?;
                string(d, p, "number", true)?;
                country(d, p, "issuingCountryCode", false)?;
                match d.get("image") {
                    None | Some(Value::Null) => {}
                    Some(i @ Value::Object(_)) => {
                        image(i, "kycData.identityDocument.image", "frontImg")?;
                        image(i, "kycData.identityDocument.image", "backImg")?;
                    }
                    Some(_) => {
                        return Err("kycData.identityDocument.image must be an object".into())
                    }
                }
            }
            Some(_) => return Err("kycData.identityDocument must be an object".into()),
        }
    }
    if let Some(dd) = object(body, "dueDiligence", false)? {
        one_of(dd, "dueDiligence", "employmentStatus", EMPLOYMENT_STATUS)?;
        one_of(dd, "dueDiligence", "sourceOfFunds", SOURCE_OF_FUNDS)?;
        string(dd, "dueDiligence", "industry", false)?;
    }
    if let Some(edd) = object(body, "enhancedDueDiligence", false)? {
        image(edd, "enhancedDueDiligence", "proofOfIncome")?;
        image(edd, "enhancedDueDiligence", "proofOfAddress")?;
    }
    if let Some(h) = object(body, "verificationHistory", false)? {
        for key in ["idVerificationTimestamp", "livenessVerificationTimestamp"] {
            if let Some(t) = string(h, "verificationHistory", key, false)? {
                if !is_datetime(t) {
                    return Err(format!(
                        "verificationHistory.{key} must be an ISO 8601 date-time"
                    ));
                }
            }
        }
    }
    Ok(())
}

impl CrossmintFake {
    pub(super) fn put_legal(&mut self, loc: &str, req: &FakeRequest) -> HttpResponse {
        if !valid_locator(loc) {
            return error(400, LOCATOR_HELP);
        }
        let body = match json_object(req) {
            Ok(b) => b,
            Err(e) => return e,
        };
        if body.get("type").and_then(Value::as_str) != Some("crossmint-privacy-policy") {
            return error(400, "type must be one of: crossmint-privacy-policy");
        }
        let Some(at) = body
            .get("acceptedAt")
            .and_then(Value::as_str)
            .filter(|t| is_datetime(t))
        else {
            return error(400, "acceptedAt must be an ISO 8601 date-time");
        };
        // Crossmint: this call also creates the user when the locator is new.
        let user = self
            .users
            .entry(loc.to_string())
            .or_insert_with(|| User::new(loc));
        user.accepted_at = Some(at.to_string());
        HttpResponse::json(
            200,
            &json!({ "type": "crossmint-privacy-policy", "acceptedAt": at }),
        )
    }

    pub(super) fn put_user(&mut self, loc: &str, req: &FakeRequest, _now_ms: i64) -> HttpResponse {
        if !valid_locator(loc) {
            return error(400, LOCATOR_HELP);
        }
        let body = match json_object(req) {
            Ok(b) => b,
            Err(e) => return e,
        };
        if let Err(message) = validate_record(&body) {
            return error(400, message);
        }
        let user = self
            .users
            .entry(loc.to_string())
            .or_insert_with(|| User::new(loc));
        user.record = body;
        HttpResponse::json(200, &user.summary())
    }

    pub(super) fn get_user(&self, loc: &str) -> HttpResponse {
        if !valid_locator(loc) {
            return error(400, LOCATOR_HELP);
        }
        match self.users.get(loc) {
            Some(u) => HttpResponse::json(200, &u.summary()),
            None => error(404, "User not found"),
        }
    }

    /// GET reads the eligibility; PUT triggers verification first (Crossmint's "Trigger Identity
    /// Verification"), once the policy is accepted and the KYC data is there.
    pub(super) fn identity_verification(
        &mut self,
        loc: &str,
        trigger: bool,
        now_ms: i64,
        scenario: &str,
    ) -> HttpResponse {
        if !valid_locator(loc) {
            return error(400, LOCATOR_HELP);
        }
        let Some(user) = self.users.get_mut(loc) else {
            return error(404, "User not found");
        };
        if trigger
            && user.triggered_ms.is_none()
            && matches!(eligibility(user, now_ms, scenario), Eligibility::NotStarted)
        {
            user.triggered_ms = Some(now_ms);
        }
        let e = eligibility(user, now_ms, scenario);
        let entries: Vec<Value> = ["onramp", "offramp", "regulated-transfer"]
            .iter()
            .map(|k| e.entry(k))
            .collect();
        HttpResponse::json(
            200,
            &json!({
                "userId": user.user_id,
                "eligibility": entries,
            }),
        )
    }

    /// The user whose KYC email is `email` (Crossmint matches orders through receiptEmail).
    pub(super) fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .values()
            .filter(|u| u.kyc_email().is_some_and(|e| e.eq_ignore_ascii_case(email)))
            .min_by(|a, b| a.user_id.cmp(&b.user_id))
    }
}
