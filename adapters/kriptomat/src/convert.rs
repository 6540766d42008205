//! The canonical profile in Kriptomat's formats: the partner-user fields of the seed's "Show user"
//! response (alpha-3 country, `YYYY-MM-DD`, a separate building number), the Sumsub applicant id,
//! and the buy order (decimal-string amount, lower-case pair).

use rampsim_plugin_sdk::country::alpha2_to_alpha3;
use rampsim_plugin_sdk::phone::is_e164;
use rampsim_plugin_sdk::time;
use rampsim_plugin_sdk::{PluginError, Profile};
use serde_json::{json, Value};

/// Everything the journey sends, checked and converted once when the adapter is made.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// Body of the (assumed) create-user call.
    pub user: Value,
    /// The Sumsub applicantId (`profile.idv.verification_id`).
    pub applicant_id: String,
    /// `"250.00"`.
    pub amount: String,
    /// `"btceur"`.
    pub pair: String,
    /// Derived from ref_id, so a retried buy carries the same key.
    pub idempotency_key: String,
}

fn invalid(field: &str, why: &str) -> PluginError {
    PluginError::invalid(format!("profile.{field}: {why}"))
}

fn required<'a>(field: &str, value: &'a str) -> Result<&'a str, PluginError> {
    let v = value.trim();
    if v.is_empty() {
        Err(invalid(field, "required by Kriptomat"))
    } else {
        Ok(v)
    }
}

/// Checks what Kriptomat needs and converts it. Errors name the profile field.
pub fn convert(p: &Profile) -> Result<Converted, PluginError> {
    let ref_id = required("ref_id", &p.ref_id)?;
    let name = required("first_name", &p.first_name)?;
    let surname = required("last_name", &p.last_name)?;
    let email = required("email", &p.email)?;
    if !is_email(email) {
        return Err(invalid("email", "not an e-mail address"));
    }
    if !is_e164(&p.phone) {
        return Err(invalid("phone", "must be E.164, like +15556781234"));
    }
    if time::parse_ymd(&p.date_of_birth).is_none() {
        return Err(invalid(
            "date_of_birth",
            "must be a real date as YYYY-MM-DD",
        ));
    }
    let line1 = required("address.line1", &p.address.line1)?;
    let city = required("address.city", &p.address.city)?;
    let postal_code = required("address.postal_code", &p.address.postal_code)?;
    let country = alpha2_to_alpha3(&p.address.country).ok_or_else(|| {
        invalid(
            "address.country",
            "must be an upper-case ISO 3166-1 alpha-2 code (Kriptomat gets its alpha-3)",
        )
    })?;
    if !p.idv.provider.trim().eq_ignore_ascii_case("sumsub") {
        return Err(invalid(
            "idv.provider",
            &format!(
                "Kriptomat imports KYC only through Sumsub applicant sharing; got '{}' (needs 'sumsub' and the Sumsub applicantId in idv.verification_id)",
                p.idv.provider
            ),
        ));
    }
    let applicant_id = required("idv.verification_id", &p.idv.verification_id)?;
    let amount = rampsim_plugin_sdk::amount::two_decimals(&p.order.amount)
        .map_err(|why| invalid("order.amount", &why))?;
    let pair =
        pair(&p.order.asset, &p.order.currency).map_err(|(field, why)| invalid(field, &why))?;

    let mut user = json!({
        "email": email,
        "name": name,
        "surname": surname,
        "phone": p.phone,
        "date_of_birth": p.date_of_birth,
        "address": street_address(line1, &p.address.line2),
        "city": city,
        "postal_code": postal_code,
        "country": country,
    });
    if let Some(number) = building_number(line1) {
        user["building_number"] = Value::String(number);
    }
    Ok(Converted {
        user,
        applicant_id: applicant_id.to_string(),
        amount,
        pair,
        idempotency_key: format!("{ref_id}-order"),
    })
}

/// Kriptomat's `address` is the whole street line ("Some street 123" in the seed); the second
/// line, when there is one, follows after a comma.
pub fn street_address(line1: &str, line2: &str) -> String {
    let line2 = line2.trim();
    if line2.is_empty() {
        line1.trim().to_string()
    } else {
        format!("{}, {line2}", line1.trim())
    }
}

/// The house number inside a street line: the first word that starts with a digit
/// (`123 Main St` -> `123`, `Some street 123` -> `123`, `Hauptstr. 5a` -> `5a`).
pub fn building_number(line1: &str) -> Option<String> {
    line1
        .split(|c: char| c.is_whitespace() || c == ',')
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .map(|w| w.trim_end_matches(['.', ',']).to_string())
}

/// Kriptomat's market pair: asset then fiat, lower-case (`BTC` + `EUR` -> `btceur`).
pub fn pair(asset: &str, currency: &str) -> Result<String, (&'static str, String)> {
    let letters = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if !letters(asset.trim()) {
        return Err((
            "order.asset",
            format!("'{asset}' is not an asset code like BTC"),
        ));
    }
    let c = currency.trim();
    if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err((
            "order.currency",
            format!("'{currency}' is not an ISO 4217 code like EUR"),
        ));
    }
    Ok(format!(
        "{}{}",
        asset.trim().to_ascii_lowercase(),
        c.to_ascii_lowercase()
    ))
}

pub fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampsim_plugin_sdk::testing::sample_profile;
    use rampsim_plugin_sdk::PluginErrorKind;

    fn sumsub_profile() -> Profile {
        let mut p = sample_profile();
        p.idv.provider = "sumsub".into();
        p
    }

    #[test]
    fn sample_profile_maps_to_kriptomat_user_fields() {
        let c = convert(&sumsub_profile()).unwrap();
        assert_eq!(
            c.user,
            json!({
                "email": "example@somemail.org",
                "name": "Billy",
                "surname": "Duncan",
                "phone": "+15556781234",
                "date_of_birth": "1960-01-01",
                "address": "123 Main St",
                "building_number": "123",
                "city": "New York",
                "postal_code": "10001",
                "country": "USA",
            })
        );
        assert_eq!(c.applicant_id, "775300ef-4edb-47b9-8ec4-f45fe3cbf41f");
        assert_eq!(c.amount, "100.00");
        assert_eq!(c.pair, "btcusd");
        assert_eq!(c.idempotency_key, "user-billy-duncan-001-order");
    }

    #[test]
    fn eur_order_gives_the_seed_pair() {
        let mut p = sumsub_profile();
        p.order.currency = "EUR".into();
        p.order.amount = "250".into();
        let c = convert(&p).unwrap();
        assert_eq!((c.pair.as_str(), c.amount.as_str()), ("btceur", "250.00"));
    }

    #[test]
    fn non_sumsub_idv_is_refused_naming_the_field() {
        let err = convert(&sample_profile()).unwrap_err();
        assert_eq!(err.kind, PluginErrorKind::Invalid);
        assert!(
            err.message.starts_with("profile.idv.provider:"),
            "{}",
            err.message
        );
        assert!(err.message.contains("'jumio'"), "{}", err.message);
    }

    #[test]
    fn bad_fields_are_named() {
        type Mutation = (fn(&mut Profile), &'static str);
        let cases: Vec<Mutation> = vec![
            (
                |p| p.address.country = "XX".into(),
                "profile.address.country:",
            ),
            (
                |p| p.address.country = "us".into(),
                "profile.address.country:",
            ),
            (|p| p.phone = "555 678".into(), "profile.phone:"),
            (|p| p.email = "nobody".into(), "profile.email:"),
            (
                |p| p.date_of_birth = "1960-02-30".into(),
                "profile.date_of_birth:",
            ),
            (|p| p.address.line1 = " ".into(), "profile.address.line1:"),
            (
                |p| p.idv.verification_id = String::new(),
                "profile.idv.verification_id:",
            ),
            (|p| p.order.amount = "1.005".into(), "profile.order.amount:"),
            (
                |p| p.order.currency = "EURO".into(),
                "profile.order.currency:",
            ),
            (|p| p.ref_id = String::new(), "profile.ref_id:"),
        ];
        for (mutate, prefix) in cases {
            let mut p = sumsub_profile();
            mutate(&mut p);
            let err = convert(&p).unwrap_err();
            assert!(err.message.starts_with(prefix), "{prefix}: {}", err.message);
        }
    }

    #[test]
    fn address_conversions() {
        assert_eq!(building_number("123 Main St").as_deref(), Some("123"));
        assert_eq!(building_number("Some street 123").as_deref(), Some("123"));
        assert_eq!(
            building_number("Hauptstraße 5a, Hinterhaus").as_deref(),
            Some("5a")
        );
        assert_eq!(building_number("Main Street"), None);
        assert_eq!(street_address("Some street 123", ""), "Some street 123");
        assert_eq!(street_address("123 Main St", "Apt 4"), "123 Main St, Apt 4");
    }

    #[test]
    fn email_format() {
        assert!(is_email("a@b.io"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@c.io"));
    }
}
