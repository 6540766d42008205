//! Canonical profile -> Crossmint's request bodies: alpha-2 countries, Crossmint's enum
//! spellings (the seed's human words: "full time", "employment income"), base64 images within
//! the 10 MB limit. Everything is checked here, by field name, before anything is sent.

use base64::Engine;
use rampsim_plugin_sdk::{country, time};
use rampsim_plugin_sdk::{PluginError, Profile};
use serde_json::{json, Map, Value};

/// The seed's token: USDC on Base Sepolia, what Crossmint's staging onramp delivers.
pub const DEFAULT_TOKEN_LOCATOR: &str = "base-sepolia:0x036CbD53842c5426634e7929541eC2318f3dCF7e";

/// Crossmint's per-image limit (seed: "base 64 encoded file (10mb limit)"), decoded bytes.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

/// canonical `employment_status` -> Crossmint `dueDiligence.employmentStatus` (seed: "full time").
pub const EMPLOYMENT_STATUS: &[(&str, &str)] = &[
    ("full_time", "full time"),
    ("part_time", "part time"),
    ("self_employed", "self employed"),
    ("unemployed", "unemployed"),
    ("retired", "retired"),
    ("student", "student"),
];

/// canonical `source_of_wealth` -> Crossmint `dueDiligence.sourceOfFunds` (seed: "employment income").
pub const SOURCE_OF_FUNDS: &[(&str, &str)] = &[
    ("employment_income", "employment income"),
    ("business_income", "business income"),
    ("investments", "investments"),
    ("inheritance", "inheritance"),
    ("savings", "savings"),
    ("real_estate", "real estate"),
    ("pension", "pension"),
    ("gift", "gift"),
    ("sale_of_assets", "sale of assets"),
    ("other", "other"),
];

/// canonical `industry` (NAICS sectors, the host's list) -> the human words Crossmint's seed uses
/// ("Money Service Business"): NAICS titles. Any other value is title-cased word by word.
const INDUSTRY: &[(&str, &str)] = &[
    (
        "accommodation_food_services",
        "Accommodation and Food Services",
    ),
    (
        "administrative_support_waste_management_remediation_services",
        "Administrative and Support and Waste Management and Remediation Services",
    ),
    (
        "agriculture_forestry_fishing_hunting",
        "Agriculture, Forestry, Fishing and Hunting",
    ),
    (
        "arts_entertainment_recreation",
        "Arts, Entertainment, and Recreation",
    ),
    ("construction", "Construction"),
    ("educational_services", "Educational Services"),
    ("finance_insurance", "Finance and Insurance"),
    (
        "health_care_social_assistance",
        "Health Care and Social Assistance",
    ),
    ("information", "Information"),
    ("information_technology", "Information Technology"),
    (
        "management_of_companies_enterprises",
        "Management of Companies and Enterprises",
    ),
    ("manufacturing", "Manufacturing"),
    ("mining", "Mining, Quarrying, and Oil and Gas Extraction"),
    ("money_service_business", "Money Service Business"),
    ("not_classified", "Not Classified"),
    (
        "other_services",
        "Other Services (except Public Administration)",
    ),
    (
        "professional_scientific_technical_services",
        "Professional, Scientific, and Technical Services",
    ),
    ("public_administration", "Public Administration"),
    (
        "real_estate_rental_leasing",
        "Real Estate and Rental and Leasing",
    ),
    ("retail_trade", "Retail Trade"),
    (
        "transportation_warehousing",
        "Transportation and Warehousing",
    ),
    ("utilities", "Utilities"),
    ("wholesale_trade", "Wholesale Trade"),
];

/// canonical `document.type` -> Crossmint `kycData.identityDocument.type`. ASSUMED spellings:
/// the seed only shows "passport"; the others follow Crossmint's lower-kebab style.
pub const DOCUMENT_TYPE: &[(&str, &str)] = &[
    ("passport", "passport"),
    ("id_card", "id-card"),
    ("driving_license", "drivers-license"),
    ("residence_permit", "residence-permit"),
];

fn lookup(table: &[(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn names(table: &[(&str, &str)]) -> String {
    table.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
}

fn invalid(field: &str, why: impl std::fmt::Display) -> PluginError {
    PluginError::invalid(format!("profile.{field}: {why}"))
}

pub fn employment_status(v: &str) -> Result<&'static str, PluginError> {
    lookup(EMPLOYMENT_STATUS, v).ok_or_else(|| {
        invalid(
            "due_diligence.employment_status",
            format!(
                "`{v}` has no Crossmint equivalent (one of {})",
                names(EMPLOYMENT_STATUS)
            ),
        )
    })
}

pub fn source_of_funds(v: &str) -> Result<&'static str, PluginError> {
    lookup(SOURCE_OF_FUNDS, v).ok_or_else(|| {
        invalid(
            "due_diligence.source_of_wealth",
            format!(
                "`{v}` has no Crossmint equivalent (one of {})",
                names(SOURCE_OF_FUNDS)
            ),
        )
    })
}

/// `arts_entertainment_recreation` -> `Arts, Entertainment and Recreation`; unknown values
/// are title-cased (`space_tourism` -> `Space Tourism`).
pub fn industry(v: &str) -> Result<String, PluginError> {
    if v.is_empty()
        || !v
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
    {
        return Err(invalid(
            "due_diligence.industry",
            "must be a lower_snake_case value",
        ));
    }
    if let Some(name) = lookup(INDUSTRY, v) {
        return Ok(name.to_string());
    }
    Ok(v.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" "))
}

pub fn document_type(v: &str) -> Result<&'static str, PluginError> {
    lookup(DOCUMENT_TYPE, v).ok_or_else(|| {
        invalid(
            "document.type",
            format!(
                "`{v}` is not an identity document Crossmint takes (one of {})",
                names(DOCUMENT_TYPE)
            ),
        )
    })
}

/// An alpha-2 country exactly as Crossmint wants it (`DE`); lower case is an input error.
pub fn alpha2(field: &str, v: &str) -> Result<String, PluginError> {
    if country::is_alpha2(v) {
        Ok(v.to_string())
    } else {
        Err(invalid(
            field,
            format!("`{v}` is not an ISO 3166-1 alpha-2 code"),
        ))
    }
}

/// `userId:<ref_id>`. ASSUMED: Crossmint's userId values are `[A-Za-z0-9._-]` (its examples).
pub fn user_locator(ref_id: &str) -> Result<String, PluginError> {
    let ok = !ref_id.is_empty()
        && ref_id.len() <= 128
        && ref_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(format!("userId:{ref_id}"))
    } else {
        Err(invalid(
            "ref_id",
            "must be 1-128 characters of A-Z a-z 0-9 . _ - to form userId:<ref_id>",
        ))
    }
}

/// Decoded size of a base64 image, or why it cannot be sent.
pub fn check_image(v: &str) -> Result<usize, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v.trim())
        .map_err(|_| "is not valid base64".to_string())?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "is {} bytes decoded, over the 10 MB limit",
            bytes.len()
        ));
    }
    Ok(bytes.len())
}

pub fn is_decimal_amount(v: &str) -> bool {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (!v.contains('.') || !frac.is_empty())
        && v.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

pub fn is_evm_address(v: &str) -> bool {
    v.len() == 42 && v.starts_with("0x") && v[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// `<chain>:<contract>`: the profile's network when it already is a token locator, else the
/// seed's USDC on Base Sepolia (the only token Crossmint's staging onramp is documented with).
pub fn token_locator(profile: &Profile) -> Result<String, PluginError> {
    let n = profile.order.network.trim();
    match n.split_once(':') {
        Some((chain, token)) if !chain.is_empty() && !token.is_empty() => Ok(n.to_string()),
        Some(_) => Err(invalid(
            "order.network",
            "a token locator must be `<chain>:<token address>`",
        )),
        None => Ok(DEFAULT_TOKEN_LOCATOR.to_string()),
    }
}

/// The request bodies of one journey, built once from the profile.
#[derive(Clone, Debug)]
pub struct Bodies {
    pub locator: String,
    /// `PUT users/{loc}` at register: `userDetails` only.
    pub user_details: Value,
    /// `PUT users/{loc}` at idv_passthrough: the whole record (a PUT replaces all data).
    pub full_record: Value,
    pub order: Value,
    pub token_locator: String,
    /// The sections `full_record` carries, to compare with the booleans Crossmint answers.
    pub sections: Vec<&'static str>,
}

fn required<'a>(field: &str, v: &'a str) -> Result<&'a str, PluginError> {
    let t = v.trim();
    if t.is_empty() {
        Err(invalid(field, "is required by Crossmint"))
    } else {
        Ok(t)
    }
}

/// Checks the profile and builds every body the adapter sends.
pub fn bodies(p: &Profile) -> Result<Bodies, PluginError> {
    let locator = user_locator(&p.ref_id)?;
    let dob = required("date_of_birth", &p.date_of_birth)?;
    if !time::is_date(dob) {
        return Err(invalid("date_of_birth", "must be YYYY-MM-DD"));
    }
    let user_details = json!({
        "firstName": required("first_name", &p.first_name)?,
        "lastName": required("last_name", &p.last_name)?,
        "dateOfBirth": dob,
        "countryOfResidence": alpha2("address.country", &p.address.country)?,
    });

    let email = required("email", &p.email)?;
    if !email.contains('@') {
        return Err(invalid("email", "is not an email address"));
    }
    let mut address = Map::new();
    address.insert(
        "line1".into(),
        json!(required("address.line1", &p.address.line1)?),
    );
    if !p.address.line2.trim().is_empty() {
        address.insert("line2".into(), json!(p.address.line2.trim()));
    }
    address.insert(
        "city".into(),
        json!(required("address.city", &p.address.city)?),
    );
    if !p.address.region.trim().is_empty() {
        address.insert("stateOrRegion".into(), json!(p.address.region.trim()));
    }
    address.insert(
        "postalCode".into(),
        json!(required("address.postal_code", &p.address.postal_code)?),
    );

    let mut document = Map::new();
    document.insert("type".into(), json!(document_type(&p.document.kind)?));
    document.insert(
        "number".into(),
        json!(required("document.number", &p.document.number)?),
    );
    document.insert(
        "issuingCountryCode".into(),
        json!(alpha2("document.country", &p.document.country)?),
    );
    let mut image = Map::new();
    for (field, key, value) in [
        ("document.front_image", "frontImg", &p.document.front_image),
        ("document.back_image", "backImg", &p.document.back_image),
    ] {
        if let Some(v) = value {
            check_image(v).map_err(|why| invalid(field, why))?;
            image.insert(key.into(), json!(v.trim()));
        }
    }
    if !image.is_empty() {
        document.insert("image".into(), Value::Object(image));
    }

    let mut kyc = Map::new();
    kyc.insert(
        "nationality".into(),
        json!(alpha2("nationality", &p.nationality)?),
    );
    kyc.insert("addressOfResidence".into(), Value::Object(address));
    kyc.insert("email".into(), json!(email));
    let phone: String = p.phone.chars().filter(|c| !c.is_whitespace()).collect();
    if !phone.is_empty() {
        if !(phone.starts_with('+')
            && phone.len() > 4
            && phone[1..].bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid("phone", "must be E.164 (+15556781234)"));
        }
        kyc.insert("phoneNumber".into(), json!(phone));
    }
    kyc.insert("identityDocument".into(), Value::Object(document));

    let dd = &p.due_diligence;
    let due_diligence = json!({
        "employmentStatus": employment_status(&dd.employment_status)?,
        "sourceOfFunds": source_of_funds(&dd.source_of_wealth)?,
        "industry": industry(&dd.industry)?,
    });

    if p.idv.status != "approved" {
        return Err(invalid(
            "idv.status",
            format!(
                "Crossmint imports users your IDV provider verified; this one is `{}`",
                p.idv.status
            ),
        ));
    }
    let verified_at = required("idv.verified_at", &p.idv.verified_at)?;
    if !time::is_datetime(verified_at) {
        return Err(invalid("idv.verified_at", "must be an RFC 3339 timestamp"));
    }
    let mut history = Map::new();
    history.insert("idVerificationTimestamp".into(), json!(verified_at));
    // Only claim a liveness check the IDV provider actually ran.
    if p.idv.fields.iter().any(|f| f == "liveness") {
        history.insert("livenessVerificationTimestamp".into(), json!(verified_at));
    }

    let full_record = json!({
        "userDetails": user_details.clone(),
        "kycData": Value::Object(kyc),
        "dueDiligence": due_diligence,
        "verificationHistory": Value::Object(history),
    });

    let token_locator = token_locator(p)?;
    let chain = token_locator.split(':').next().unwrap_or_default();
    let wallet = required("order.wallet_address", &p.order.wallet_address)?;
    if !chain.starts_with("solana") && !chain.starts_with("stellar") && !is_evm_address(wallet) {
        return Err(invalid(
            "order.wallet_address",
            format!("`{chain}` is an EVM chain: the wallet must be 0x followed by 40 hex digits"),
        ));
    }
    let amount = required("order.amount", &p.order.amount)?;
    if !is_decimal_amount(amount) {
        return Err(invalid(
            "order.amount",
            "must be a positive decimal string (\"100.00\")",
        ));
    }
    let order = json!({
        "recipient": { "walletAddress": wallet },
        "payment": { "method": "card", "receiptEmail": email },
        "lineItems": {
            "tokenLocator": token_locator,
            "executionParameters": { "mode": "exact-in", "amount": amount },
        },
    });

    Ok(Bodies {
        locator,
        user_details: json!({ "userDetails": user_details }),
        full_record,
        order,
        token_locator,
        sections: vec![
            "userDetails",
            "kycData",
            "dueDiligence",
            "verificationHistory",
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampsim_plugin_sdk::testing::sample_profile;

    #[test]
    fn sample_profile_becomes_crossmint_words() {
        let b = bodies(&sample_profile()).unwrap();
        assert_eq!(b.locator, "userId:user-billy-duncan-001");
        let r = &b.full_record;
        assert_eq!(r["userDetails"]["countryOfResidence"], "US");
        assert_eq!(r["userDetails"]["dateOfBirth"], "1960-01-01");
        assert_eq!(r["kycData"]["nationality"], "US");
        assert_eq!(r["kycData"]["addressOfResidence"]["stateOrRegion"], "NY");
        assert!(
            r["kycData"]["addressOfResidence"].get("line2").is_none(),
            "empty line2 is left out"
        );
        assert_eq!(r["kycData"]["identityDocument"]["type"], "passport");
        assert_eq!(r["kycData"]["identityDocument"]["issuingCountryCode"], "US");
        assert!(r["kycData"]["identityDocument"]["image"]["frontImg"]
            .as_str()
            .unwrap()
            .starts_with("iVBOR"));
        assert!(r["kycData"]["identityDocument"]["image"]
            .get("backImg")
            .is_none());
        assert_eq!(r["dueDiligence"]["employmentStatus"], "full time");
        assert_eq!(r["dueDiligence"]["sourceOfFunds"], "employment income");
        assert_eq!(
            r["dueDiligence"]["industry"],
            "Arts, Entertainment, and Recreation"
        );
        assert_eq!(
            r["verificationHistory"]["idVerificationTimestamp"],
            "2021-06-16T09:28:14Z"
        );
        assert!(r["verificationHistory"]
            .get("livenessVerificationTimestamp")
            .is_none());
        assert_eq!(
            b.user_details,
            json!({"userDetails": r["userDetails"].clone()})
        );
        assert_eq!(b.order["lineItems"]["tokenLocator"], DEFAULT_TOKEN_LOCATOR);
        assert_eq!(
            b.order["lineItems"]["executionParameters"],
            json!({"mode": "exact-in", "amount": "100.00"})
        );
        assert_eq!(
            b.order["payment"],
            json!({"method": "card", "receiptEmail": "example@somemail.org"})
        );
    }

    #[test]
    fn enum_spellings() {
        assert_eq!(employment_status("self_employed").unwrap(), "self employed");
        assert_eq!(
            source_of_funds("business_income").unwrap(),
            "business income"
        );
        assert_eq!(
            industry("money_service_business").unwrap(),
            "Money Service Business"
        );
        assert_eq!(
            industry("mining").unwrap(),
            "Mining, Quarrying, and Oil and Gas Extraction"
        );
        assert_eq!(industry("space_tourism").unwrap(), "Space Tourism");
        assert!(industry("Finance").is_err());
        assert_eq!(document_type("id_card").unwrap(), "id-card");
        assert_eq!(document_type("driving_license").unwrap(), "drivers-license");
        let e = document_type("visa").unwrap_err();
        assert!(
            e.message.starts_with("profile.document.type:"),
            "{}",
            e.message
        );
        let e = employment_status("FULL_TIME").unwrap_err();
        assert!(
            e.message
                .contains("profile.due_diligence.employment_status"),
            "{}",
            e.message
        );
    }

    #[test]
    fn refuses_what_crossmint_would_refuse_by_field() {
        type Edit = fn(&mut Profile);
        let cases: Vec<(Edit, &str)> = vec![
            (
                |p| p.address.country = "USA".into(),
                "profile.address.country",
            ),
            (
                |p| p.address.country = "us".into(),
                "profile.address.country",
            ),
            (
                |p| p.date_of_birth = "01/01/1960".into(),
                "profile.date_of_birth",
            ),
            (|p| p.first_name = " ".into(), "profile.first_name"),
            (|p| p.ref_id = "has space".into(), "profile.ref_id"),
            (
                |p| p.document.front_image = Some("not base64!".into()),
                "profile.document.front_image",
            ),
            (
                |p| p.order.wallet_address = "bc1qxyz".into(),
                "profile.order.wallet_address",
            ),
            (|p| p.order.amount = "1,00".into(), "profile.order.amount"),
            (|p| p.idv.status = "denied".into(), "profile.idv.status"),
            (|p| p.phone = "555-1234".into(), "profile.phone"),
        ];
        for (edit, field) in cases {
            let mut p = sample_profile();
            edit(&mut p);
            let e = bodies(&p).unwrap_err();
            assert!(e.message.starts_with(field), "{field}: {}", e.message);
        }
    }

    #[test]
    fn image_limit_is_ten_megabytes_decoded() {
        let just_under =
            base64::engine::general_purpose::STANDARD.encode(vec![0u8; MAX_IMAGE_BYTES]);
        assert_eq!(check_image(&just_under), Ok(MAX_IMAGE_BYTES));
        let over = base64::engine::general_purpose::STANDARD.encode(vec![0u8; MAX_IMAGE_BYTES + 1]);
        assert!(check_image(&over)
            .unwrap_err()
            .contains("over the 10 MB limit"));
    }

    #[test]
    fn token_locator_from_profile() {
        let mut p = sample_profile();
        p.order.network = "polygon-amoy:0x41e94eb019c0762f9bfcf9fb1e58725bfb0e7582".into();
        assert_eq!(token_locator(&p).unwrap(), p.order.network);
        p.order.network = "ethereum".into();
        assert_eq!(token_locator(&p).unwrap(), DEFAULT_TOKEN_LOCATOR);
        p.order.network = "base:".into();
        assert!(token_locator(&p).is_err());
    }

    #[test]
    fn liveness_timestamp_only_when_claimed() {
        let mut p = sample_profile();
        p.idv.fields.push("liveness".into());
        let b = bodies(&p).unwrap();
        assert_eq!(
            b.full_record["verificationHistory"]["livenessVerificationTimestamp"],
            "2021-06-16T09:28:14Z"
        );
    }

    #[test]
    fn amounts() {
        assert!(is_decimal_amount("100.00"));
        assert!(is_decimal_amount("1"));
        assert!(!is_decimal_amount("0.00"));
        assert!(!is_decimal_amount("1."));
        assert!(!is_decimal_amount("-1"));
        assert!(!is_decimal_amount(""));
    }
}
