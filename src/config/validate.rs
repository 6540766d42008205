//! What a valid canonical profile looks like, field by field. Used on profiles read from files
//! and on profiles edited in memory (the TUI's profile form), so it works on the SDK's `Profile`
//! alone and names fields by their dotted path (`address.country`).

use base64::Engine as _;
use rampsim_plugin_sdk::country;
use rampsim_plugin_sdk::Profile;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// The providers' limit for one document image, in bytes (before base64).
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

pub const DOCUMENT_TYPES: &[&str] = &[
    "passport",
    "id_card",
    "driving_license",
    "residence_permit",
    "visa",
];
pub const TAX_ID_TYPES: &[&str] = &["ssn", "itin", "tin", "national_id", "other"];
pub const IDV_STATUSES: &[&str] = &["approved", "denied"];
pub const IDV_FIELDS: &[&str] = &[
    "full_legal_name",
    "date_of_birth",
    "address",
    "cip_id",
    "liveness",
];
pub const YEARLY_INCOME: &[&str] = &[
    "under_50k",
    "50k_to_100k",
    "100k_to_250k",
    "250k_to_500k",
    "500k_to_1m",
    "over_1m",
];
pub const TRANSFER_VALUE: &[&str] = &[
    "under_25k",
    "25k_to_50k",
    "50k_to_100k",
    "100k_to_250k",
    "over_250k",
];
/// The SDK's list (which ends in "...") completed with the remaining sources Paxos accepts.
pub const SOURCE_OF_WEALTH: &[&str] = &[
    "employment_income",
    "investments",
    "inheritance",
    "business_income",
    "savings",
    "real_estate",
    "other",
];
pub const EMPLOYMENT_STATUS: &[&str] = &[
    "full_time",
    "part_time",
    "self_employed",
    "unemployed",
    "retired",
    "student",
];
/// The SDK's list (which ends in "...") completed with the NAICS sectors providers use.
pub const INDUSTRY: &[&str] = &[
    "accommodation_food_services",
    "administrative_support_waste_management_remediation_services",
    "agriculture_forestry_fishing_hunting",
    "arts_entertainment_recreation",
    "construction",
    "educational_services",
    "finance_insurance",
    "health_care_social_assistance",
    "information",
    "information_technology",
    "management_of_companies_enterprises",
    "manufacturing",
    "mining",
    "not_classified",
    "other_services",
    "professional_scientific_technical_services",
    "public_administration",
    "real_estate_rental_leasing",
    "retail_trade",
    "transportation_warehousing",
    "utilities",
    "wholesale_trade",
];

/// One problem with one field of a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    /// Dotted path within the profile: `date_of_birth`, `address.country`, `idv.fields`.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every problem with `p`, each naming its field. Empty when the profile is valid.
pub fn validate_profile(p: &Profile) -> Vec<FieldProblem> {
    validate_profile_on(p, OffsetDateTime::now_utc().date())
}

/// `validate_profile` with "today" given, for dates of birth in the future.
pub fn validate_profile_on(p: &Profile, today: Date) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    let mut check = |field: &str, value: &str, rule: &dyn Fn(&str) -> Result<(), String>| {
        let result = if value.is_empty() {
            Err("must not be empty".to_string())
        } else {
            rule(value)
        };
        if let Err(message) = result {
            out.push(FieldProblem {
                field: field.to_string(),
                message,
            });
        }
    };
    let any = |_: &str| Ok(());
    let one_of = |list: &'static [&'static str]| move |v: &str| check_one_of(v, list);

    check("ref_id", &p.ref_id, &any);
    check("first_name", &p.first_name, &any);
    check("last_name", &p.last_name, &any);
    check("date_of_birth", &p.date_of_birth, &|v| {
        check_date_of_birth(v, today)
    });
    check("email", &p.email, &check_email);
    check("phone", &p.phone, &check_phone);
    check("nationality", &p.nationality, &check_country);

    check("address.line1", &p.address.line1, &any);
    check("address.city", &p.address.city, &any);
    check("address.postal_code", &p.address.postal_code, &any);
    check("address.country", &p.address.country, &check_country);

    check("tax_id.number", &p.tax_id.number, &any);
    check("tax_id.type", &p.tax_id.kind, &one_of(TAX_ID_TYPES));
    check("tax_id.country", &p.tax_id.country, &check_country);

    check("document.type", &p.document.kind, &one_of(DOCUMENT_TYPES));
    check("document.number", &p.document.number, &any);
    check("document.country", &p.document.country, &check_country);
    if let Some(img) = &p.document.front_image {
        check("document.front_image", img, &check_image_base64);
    }
    if let Some(img) = &p.document.back_image {
        check("document.back_image", img, &check_image_base64);
    }

    check("idv.provider", &p.idv.provider, &any);
    check("idv.verification_id", &p.idv.verification_id, &any);
    check("idv.verified_at", &p.idv.verified_at, &check_rfc3339);
    check("idv.status", &p.idv.status, &one_of(IDV_STATUSES));
    for f in &p.idv.fields {
        check("idv.fields", f, &one_of(IDV_FIELDS));
    }

    let dd = &p.due_diligence;
    check(
        "due_diligence.estimated_yearly_income",
        &dd.estimated_yearly_income,
        &one_of(YEARLY_INCOME),
    );
    check(
        "due_diligence.expected_transfer_value",
        &dd.expected_transfer_value,
        &one_of(TRANSFER_VALUE),
    );
    check(
        "due_diligence.source_of_wealth",
        &dd.source_of_wealth,
        &one_of(SOURCE_OF_WEALTH),
    );
    check(
        "due_diligence.employment_status",
        &dd.employment_status,
        &one_of(EMPLOYMENT_STATUS),
    );
    check("due_diligence.industry", &dd.industry, &one_of(INDUSTRY));

    check("order.asset", &p.order.asset, &any);
    check("order.amount", &p.order.amount, &check_amount);
    check("order.currency", &p.order.currency, &check_currency);
    check("order.wallet_address", &p.order.wallet_address, &any);
    out
}

/// A KYC value as an error message may quote it: at most its last 4 characters, so the
/// operator can find it in the file while the message itself carries no personal data.
pub fn masked(value: &str) -> String {
    let n = value.chars().count();
    if n <= 4 {
        return format!("{:?}", "*".repeat(n));
    }
    let tail: String = value.chars().skip(n - 4).collect();
    format!("\"…{tail}\"")
}

/// `YYYY-MM-DD`, a real calendar date, not before 1900 and not after `today`.
pub fn check_date_of_birth(value: &str, today: Date) -> Result<(), String> {
    let v = masked(value);
    let date = parse_date(value)
        .ok_or_else(|| format!("{v} is not a valid date (expected YYYY-MM-DD)"))?;
    if date.year() < 1900 {
        return Err(format!("{v} is before 1900"));
    }
    if date > today {
        return Err(format!("{v} is in the future"));
    }
    Ok(())
}

/// A real calendar date written exactly `YYYY-MM-DD`.
pub fn parse_date(value: &str) -> Option<Date> {
    let b = value.as_bytes();
    let shape_ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    Date::parse(value, format_description!("[year]-[month]-[day]")).ok()
}

/// An RFC 3339 timestamp (`2021-06-16T09:28:14Z`).
pub fn check_rfc3339(value: &str) -> Result<(), String> {
    OffsetDateTime::parse(value, &Rfc3339)
        .map(|_| ())
        .map_err(|_| {
            format!("{value:?} is not an RFC 3339 timestamp (e.g. \"2021-06-16T09:28:14Z\")")
        })
}

/// An ISO 3166-1 alpha-2 code, upper-case (`US`).
pub fn check_country(value: &str) -> Result<(), String> {
    if country::is_alpha2(value) {
        return Ok(());
    }
    let upper = value.to_ascii_uppercase();
    if country::is_alpha2(&upper) {
        return Err(format!(
            "{value:?} must be upper-case: write {upper:?} (ISO 3166-1 alpha-2)"
        ));
    }
    if let Some(a2) = country::alpha3_to_alpha2(&upper) {
        return Err(format!(
            "{value:?} is an alpha-3 code; an ISO 3166-1 alpha-2 code is expected ({a2:?})"
        ));
    }
    Err(format!(
        "{value:?} is not an ISO 3166-1 alpha-2 country code (e.g. \"US\", \"DE\")"
    ))
}

/// A plausible address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn check_email(value: &str) -> Result<(), String> {
    let plausible = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && domain.split('.').all(|label| !label.is_empty())
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if plausible {
        Ok(())
    } else {
        Err(format!(
            "{} is not a plausible email address (expected name@domain.tld)",
            masked(value)
        ))
    }
}

/// E.164: `+`, then 8 to 15 digits, the first not 0 (country codes never start with 0).
pub fn check_phone(value: &str) -> Result<(), String> {
    let ok = value.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len())
            && digits.bytes().all(|c| c.is_ascii_digit())
            && !digits.starts_with('0')
    });
    if ok {
        return Ok(());
    }
    let hint = if value
        .chars()
        .any(|c| matches!(c, ' ' | '-' | '(' | ')' | '.'))
    {
        "; remove spaces, dashes and brackets"
    } else if !value.starts_with('+') {
        "; start with + and the country code"
    } else {
        ""
    };
    Err(format!(
        "{} is not an E.164 phone number (expected + and 8 to 15 digits, e.g. \"+14155550123\"){hint}",
        masked(value)
    ))
}

/// A positive decimal with at most 2 decimals (`100.00`, `25`, `0.5`).
pub fn check_amount(value: &str) -> Result<(), String> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    let shape_ok = !int.is_empty()
        && int.bytes().all(|c| c.is_ascii_digit())
        && frac.bytes().all(|c| c.is_ascii_digit())
        && (frac.len() <= 2)
        && !(value.contains('.') && frac.is_empty());
    let positive = value.bytes().any(|c| (b'1'..=b'9').contains(&c));
    if shape_ok && positive {
        Ok(())
    } else {
        Err(format!(
            "{value:?} is not a positive amount with at most 2 decimals (e.g. \"100.00\")"
        ))
    }
}

/// An ISO 4217 code: 3 upper-case letters (`USD`).
pub fn check_currency(value: &str) -> Result<(), String> {
    if value.len() == 3 && value.bytes().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(format!(
            "{value:?} is not an ISO 4217 currency code (3 upper-case letters, e.g. \"USD\")"
        ))
    }
}

/// One of `list`; the message lists them all and suggests the closest.
pub fn check_one_of(value: &str, list: &[&str]) -> Result<(), String> {
    if list.contains(&value) {
        return Ok(());
    }
    let lower = value.to_ascii_lowercase().replace(['-', ' '], "_");
    let hint = if list.contains(&lower.as_str()) {
        format!(" (write {lower:?}: lower_snake_case)")
    } else if let Some(s) = super::reader::closest(&lower, list) {
        format!(" (did you mean {s:?}?)")
    } else {
        String::new()
    };
    Err(format!(
        "{value:?} is not one of: {}{hint}",
        list.join(", ")
    ))
}

/// Base64 of an image within the providers' size limit.
fn check_image_base64(value: &str) -> Result<(), String> {
    // 4 base64 characters carry 3 bytes; refuse before decoding something huge.
    let max_encoded = MAX_IMAGE_BYTES.div_ceil(3) * 4;
    if value.len() as u64 > max_encoded {
        return Err(format!(
            "the image is larger than the providers' limit of {} MiB",
            MAX_IMAGE_BYTES / (1024 * 1024)
        ));
    }
    match base64::engine::general_purpose::STANDARD.decode(value) {
        Ok(bytes) if bytes.len() as u64 > MAX_IMAGE_BYTES => Err(format!(
            "the image is larger than the providers' limit of {} MiB",
            MAX_IMAGE_BYTES / (1024 * 1024)
        )),
        Ok(_) => Ok(()),
        Err(_) => Err("is not valid base64 (expected the image's bytes in standard base64)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rampsim_plugin_sdk::testing::sample_profile;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 01 - 01);

    type Mutation = Box<dyn Fn(&mut Profile)>;

    #[test]
    fn the_sample_person_is_valid() {
        assert_eq!(validate_profile_on(&sample_profile(), TODAY), vec![]);
        assert_eq!(validate_profile(&sample_profile()), vec![]);
    }

    #[test]
    fn an_empty_profile_names_every_required_field() {
        let problems = validate_profile_on(&Profile::default(), TODAY);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        for f in [
            "ref_id",
            "date_of_birth",
            "address.country",
            "tax_id.type",
            "document.number",
            "idv.verified_at",
            "due_diligence.industry",
            "order.wallet_address",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        assert!(problems.iter().all(|p| p.message == "must not be empty"));
        // optional fields stay quiet
        assert!(!fields.contains(&"address.line2"));
        assert!(!fields.contains(&"order.network"));
    }

    #[test]
    fn each_bad_field_is_named_once() {
        let cases: Vec<(&str, Mutation, &str)> = vec![
            (
                "date_of_birth",
                Box::new(|p| p.date_of_birth = "1960-02-30".into()),
                "is not a valid date (expected YYYY-MM-DD)",
            ),
            (
                "date_of_birth",
                Box::new(|p| p.date_of_birth = "2026-01-02".into()),
                "in the future",
            ),
            (
                "date_of_birth",
                Box::new(|p| p.date_of_birth = "1899-12-31".into()),
                "before 1900",
            ),
            (
                "address.country",
                Box::new(|p| p.address.country = "us".into()),
                "write \"US\"",
            ),
            (
                "nationality",
                Box::new(|p| p.nationality = "USA".into()),
                "alpha-2 code is expected (\"US\")",
            ),
            (
                "email",
                Box::new(|p| p.email = "billy.example.org".into()),
                "plausible email",
            ),
            (
                "phone",
                Box::new(|p| p.phone = "555-678-1234".into()),
                "remove spaces",
            ),
            (
                "order.amount",
                Box::new(|p| p.order.amount = "100.001".into()),
                "at most 2 decimals",
            ),
            (
                "order.currency",
                Box::new(|p| p.order.currency = "usd".into()),
                "ISO 4217",
            ),
            (
                "document.type",
                Box::new(|p| p.document.kind = "pasport".into()),
                "did you mean \"passport\"",
            ),
            (
                "idv.status",
                Box::new(|p| p.idv.status = "APPROVED".into()),
                "write \"approved\"",
            ),
            (
                "idv.fields",
                Box::new(|p| p.idv.fields.push("face".into())),
                "full_legal_name, date_of_birth",
            ),
            (
                "idv.verified_at",
                Box::new(|p| p.idv.verified_at = "2021-06-16 09:28".into()),
                "RFC 3339",
            ),
            (
                "due_diligence.industry",
                Box::new(|p| p.due_diligence.industry = "banking".into()),
                "finance_insurance",
            ),
            (
                "document.front_image",
                Box::new(|p| p.document.front_image = Some("not base64!".into())),
                "base64",
            ),
        ];
        for (field, mutate, needle) in cases {
            let mut p = sample_profile();
            mutate(&mut p);
            let problems = validate_profile_on(&p, TODAY);
            assert_eq!(problems.len(), 1, "{field}: {problems:?}");
            assert_eq!(problems[0].field, field);
            assert!(
                problems[0].message.contains(needle),
                "{field}: {:?} lacks {needle:?}",
                problems[0].message
            );
        }
    }

    #[test]
    fn amounts_and_phones() {
        for ok in ["100.00", "25", "0.5", "0.01", "1000000"] {
            assert_eq!(check_amount(ok), Ok(()), "{ok}");
        }
        for bad in [
            "0", "0.00", "-5", "1.", ".5", "1,00", "1e3", "", "12.345", " 1",
        ] {
            assert!(check_amount(bad).is_err(), "{bad}");
        }
        assert!(check_phone("+15556781234").is_ok());
        assert!(check_phone("+4930123456").is_ok());
        assert!(check_phone("+1234567").is_err());
        assert!(check_phone("+1234567890123456").is_err());
        assert!(check_phone("15556781234")
            .unwrap_err()
            .contains("start with +"));
        assert!(check_phone("+05556781234").is_err());
    }

    proptest! {
        #[test]
        fn checks_never_panic(s in "\\PC*") {
            let _ = check_date_of_birth(&s, TODAY);
            let _ = check_country(&s);
            let _ = check_phone(&s);
            let _ = check_email(&s);
            let _ = check_amount(&s);
            let _ = check_currency(&s);
            let _ = check_rfc3339(&s);
            let _ = check_one_of(&s, DOCUMENT_TYPES);
            let _ = check_image_base64(&s);
        }

        #[test]
        fn dates_are_accepted_exactly_when_real(y in 1850i32..2100, m in 0u8..14, d in 0u8..33) {
            let s = format!("{y:04}-{m:02}-{d:02}");
            let real = time::Month::try_from(m)
                .ok()
                .and_then(|month| Date::from_calendar_date(y, month, d).ok());
            let expected = real.is_some_and(|date| y >= 1900 && date <= TODAY);
            prop_assert_eq!(check_date_of_birth(&s, TODAY).is_ok(), expected, "{}", s);
        }

        #[test]
        fn countries_are_accepted_exactly_when_alpha2(s in "[A-Za-z]{1,4}") {
            prop_assert_eq!(check_country(&s).is_ok(), country::is_alpha2(&s));
            if s.len() == 2 && s.bytes().all(|c| c.is_ascii_uppercase()) {
                prop_assert_eq!(check_country(&s).is_ok(), country::alpha2_to_alpha3(&s).is_some());
            }
        }

        #[test]
        fn e164_numbers_are_accepted(s in "\\+[1-9][0-9]{7,14}") {
            prop_assert_eq!(check_phone(&s), Ok(()));
        }

        #[test]
        fn numbers_without_plus_or_of_wrong_length_are_refused(
            s in "[0-9]{8,15}|\\+[1-9][0-9]{0,6}|\\+[1-9][0-9]{15,20}"
        ) {
            prop_assert!(check_phone(&s).is_err());
        }

        #[test]
        fn plausible_emails_are_accepted(s in "[a-z0-9._+-]{1,20}@[a-z0-9-]{1,10}(\\.[a-z0-9-]{1,10}){1,3}") {
            prop_assert_eq!(check_email(&s), Ok(()));
        }

        #[test]
        fn emails_without_a_single_at_or_dotted_domain_are_refused(
            s in "[a-z.]{0,10}|[a-z]{1,5}@[a-z]{1,5}|[a-z]{1,5}@[a-z]{1,5}@[a-z]{1,5}\\.[a-z]{2}|@[a-z]{1,5}\\.[a-z]{2}"
        ) {
            prop_assert!(check_email(&s).is_err());
        }

        #[test]
        fn amounts_with_up_to_two_decimals_are_accepted(s in "[1-9][0-9]{0,8}(\\.[0-9]{1,2})?") {
            prop_assert_eq!(check_amount(&s), Ok(()));
        }
    }
}
