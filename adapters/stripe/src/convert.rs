//! The canonical profile in Stripe's formats: form fields with nested keys (`address[line1]`,
//! `dob[day]`), lower-case region and currency codes, the SSN as nine digits, and the
//! destination network Stripe names.

use rampsim_plugin_sdk::country::is_alpha2;
use rampsim_plugin_sdk::phone::is_e164;
use rampsim_plugin_sdk::time;
use rampsim_plugin_sdk::{PluginError, Profile};

pub type Form = Vec<(String, String)>;

/// Everything the journey sends, checked and converted once when the adapter is made.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// Create the crypto customer (assumed call).
    pub customer: Form,
    /// attachKYCInfo: the L0 fields plus the L1 fields.
    pub kyc_info: Form,
    /// The onramp session, without `crypto_customer_id` (known only after register).
    pub session: Form,
    /// The company's id for the user (scopes the idempotency keys).
    pub ref_id: String,
    /// The onramp session's key, derived from ref_id, so a retried POST has the same key and a
    /// user gets one order.
    pub idempotency_key: String,
    /// Set when the profile's network was replaced by the asset's own chain (for the log).
    pub network_note: Option<String>,
}

fn invalid(field: &str, why: &str) -> PluginError {
    PluginError::invalid(format!("profile.{field}: {why}"))
}

fn required<'a>(field: &str, value: &'a str) -> Result<&'a str, PluginError> {
    let v = value.trim();
    if v.is_empty() {
        Err(invalid(field, "required by Stripe"))
    } else {
        Ok(v)
    }
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// Checks what Stripe needs and converts it. Errors name the profile field.
pub fn convert(p: &Profile) -> Result<Converted, PluginError> {
    let ref_id = required("ref_id", &p.ref_id)?;
    let email = required("email", &p.email)?;
    if !email.contains('@') || email.contains(char::is_whitespace) {
        return Err(invalid("email", "not an e-mail address"));
    }
    if !is_e164(&p.phone) {
        return Err(invalid("phone", "must be E.164, like +15556781234"));
    }
    let first = required("first_name", &p.first_name)?;
    let last = required("last_name", &p.last_name)?;
    let line1 = required("address.line1", &p.address.line1)?;
    let city = required("address.city", &p.address.city)?;
    let postal = required("address.postal_code", &p.address.postal_code)?;
    let country = region(&p.address.country).ok_or_else(|| {
        invalid(
            "address.country",
            "must be an upper-case ISO 3166-1 alpha-2 code like US",
        )
    })?;
    let (year, month, day) = dob_parts(&p.date_of_birth)
        .ok_or_else(|| invalid("date_of_birth", "must be a real date as YYYY-MM-DD"))?;
    let (id_number, id_type) =
        id_fields(&p.tax_id.kind, &p.tax_id.number).map_err(|(f, why)| invalid(f, &why))?;
    let amount = rampsim_plugin_sdk::amount::two_decimals(&p.order.amount)
        .map_err(|why| invalid("order.amount", &why))?;
    let currency = p.order.currency.trim().to_ascii_lowercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(invalid(
            "order.currency",
            "must be an ISO 4217 code like USD",
        ));
    }
    let asset = p.order.asset.trim().to_ascii_lowercase();
    if asset.is_empty() || !asset.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid("order.asset", "must be an asset code like BTC"));
    }
    let wallet = required("order.wallet_address", &p.order.wallet_address)?;
    let (network, network_note) = destination_network(&asset, &p.order.network);

    let customer = vec![
        pair("email", email),
        pair("phone", &p.phone),
        pair("metadata[ref_id]", ref_id),
    ];
    let mut kyc_info = vec![
        pair("first_name", first),
        pair("last_name", last),
        pair("email", email),
        pair("phone", &p.phone),
        pair("address[line1]", line1),
    ];
    if !p.address.line2.trim().is_empty() {
        kyc_info.push(pair("address[line2]", p.address.line2.trim()));
    }
    kyc_info.push(pair("address[city]", city));
    if !p.address.region.trim().is_empty() {
        kyc_info.push(pair("address[state]", p.address.region.trim()));
    }
    kyc_info.extend([
        pair("address[postal_code]", postal),
        pair("address[country]", &country),
        pair("dob[day]", &day.to_string()),
        pair("dob[month]", &month.to_string()),
        pair("dob[year]", &year.to_string()),
        pair("id_number", &id_number),
        pair("id_type", id_type),
    ]);
    let session = vec![
        pair("wallet_address", wallet),
        pair("source_amount", &amount),
        pair("source_currency", &currency),
        pair("destination_currency", &asset),
        pair("destination_network", &network),
    ];
    Ok(Converted {
        customer,
        kyc_info,
        session,
        ref_id: ref_id.to_string(),
        idempotency_key: format!("{ref_id}-order"),
        network_note,
    })
}

/// Stripe's lower-case region code (`US` -> `us`).
pub fn region(alpha2: &str) -> Option<String> {
    is_alpha2(alpha2).then(|| alpha2.to_ascii_lowercase())
}

/// `1960-01-01` -> `(1960, 1, 1)`, for `dob[year]`, `dob[month]`, `dob[day]`.
pub fn dob_parts(date: &str) -> Option<(i64, u32, u32)> {
    time::parse_ymd(date)
}

/// L1's `id_number` and `id_type`. The seed names the SSN as L1's id; the SSN goes as nine
/// digits (`073-05-1120` -> `073051120`).
pub fn id_fields(
    kind: &str,
    number: &str,
) -> Result<(String, &'static str), (&'static str, String)> {
    match kind.trim() {
        "ssn" => {
            let digits: String = number.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
            if digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()) {
                Ok((digits, "social_security_number"))
            } else {
                Err((
                    "tax_id.number",
                    "an SSN has 9 digits (dashes allowed)".to_string(),
                ))
            }
        }
        other => Err((
            "tax_id.type",
            format!("Stripe's L1 verification takes an SSN; got '{other}'"),
        )),
    }
}

/// Stripe's destination network. Single-chain assets go on their own chain whatever the profile
/// says (the profile's network is for token deliveries); tokens take the profile's network, with
/// testnet names mapped to the chain name Stripe uses in test mode too (`base-sepolia` -> `base`).
pub fn destination_network(asset: &str, profile_network: &str) -> (String, Option<String>) {
    let own_chain = match asset {
        "btc" => Some("bitcoin"),
        "sol" => Some("solana"),
        "xlm" => Some("stellar"),
        "avax" => Some("avalanche"),
        "pol" | "matic" => Some("polygon"),
        _ => None,
    };
    let given = profile_network.trim().to_ascii_lowercase();
    let chain = [
        "-sepolia", "-testnet", "-devnet", "-amoy", "-fuji", "-goerli",
    ]
    .iter()
    .find_map(|suffix| given.strip_suffix(suffix))
    .unwrap_or(&given)
    .to_string();
    match own_chain {
        Some(own) if !chain.is_empty() && chain != own => (
            own.to_string(),
            Some(format!(
                "profile.order.network '{given}' replaced by '{own}': {} is delivered on its own chain",
                asset.to_ascii_uppercase()
            )),
        ),
        Some(own) => (own.to_string(), None),
        None if chain.is_empty() => ("ethereum".to_string(), None),
        None => (chain, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampsim_plugin_sdk::http::form_encode;
    use rampsim_plugin_sdk::testing::sample_profile;

    fn encoded(form: &Form) -> String {
        let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        form_encode(&refs)
    }

    #[test]
    fn sample_profile_as_stripe_forms() {
        let c = convert(&sample_profile()).unwrap();
        assert_eq!(
            encoded(&c.customer),
            "email=example%40somemail.org&phone=%2B15556781234&metadata%5Bref_id%5D=user-billy-duncan-001"
        );
        assert_eq!(
            encoded(&c.kyc_info),
            "first_name=Billy&last_name=Duncan&email=example%40somemail.org&phone=%2B15556781234\
             &address%5Bline1%5D=123+Main+St&address%5Bcity%5D=New+York&address%5Bstate%5D=NY\
             &address%5Bpostal_code%5D=10001&address%5Bcountry%5D=us\
             &dob%5Bday%5D=1&dob%5Bmonth%5D=1&dob%5Byear%5D=1960\
             &id_number=073051120&id_type=social_security_number"
        );
        assert_eq!(
            c.session,
            vec![
                pair(
                    "wallet_address",
                    "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"
                ),
                pair("source_amount", "100.00"),
                pair("source_currency", "usd"),
                pair("destination_currency", "btc"),
                pair("destination_network", "bitcoin"),
            ]
        );
        assert_eq!(c.idempotency_key, "user-billy-duncan-001-order");
        assert!(c
            .network_note
            .unwrap()
            .contains("'ethereum' replaced by 'bitcoin'"));
    }

    #[test]
    fn format_conversions() {
        assert_eq!(region("US").as_deref(), Some("us"));
        assert_eq!(region("us"), None, "the canonical profile is upper-case");
        assert_eq!(region("XX"), None);
        assert_eq!(dob_parts("1960-01-01"), Some((1960, 1, 1)));
        assert_eq!(dob_parts("1999-12-31"), Some((1999, 12, 31)));
        assert_eq!(dob_parts("1999-02-30"), None);
        assert_eq!(
            id_fields("ssn", "073-05-1120").unwrap(),
            ("073051120".to_string(), "social_security_number")
        );
        assert_eq!(
            id_fields("ssn", "073-05-112").unwrap_err().0,
            "tax_id.number"
        );
        assert_eq!(id_fields("itin", "9").unwrap_err().0, "tax_id.type");
    }

    #[test]
    fn networks() {
        assert_eq!(
            destination_network("usdc", "base-sepolia"),
            ("base".into(), None)
        );
        assert_eq!(
            destination_network("usdc", "Ethereum"),
            ("ethereum".into(), None)
        );
        assert_eq!(destination_network("usdc", ""), ("ethereum".into(), None));
        assert_eq!(destination_network("eth", "base"), ("base".into(), None));
        assert_eq!(destination_network("btc", ""), ("bitcoin".into(), None));
        assert_eq!(
            destination_network("btc", "bitcoin"),
            ("bitcoin".into(), None)
        );
        assert_eq!(
            destination_network("sol", "solana-devnet"),
            ("solana".into(), None)
        );
        assert_eq!(destination_network("btc", "ethereum").0, "bitcoin");
    }

    #[test]
    fn bad_fields_are_named() {
        type Mutation = (fn(&mut Profile), &'static str);
        let cases: Vec<Mutation> = vec![
            (
                |p| p.address.country = "USA".into(),
                "profile.address.country:",
            ),
            (
                |p| p.date_of_birth = "01/01/1960".into(),
                "profile.date_of_birth:",
            ),
            (|p| p.tax_id.kind = "tin".into(), "profile.tax_id.type:"),
            (|p| p.tax_id.number = "12".into(), "profile.tax_id.number:"),
            (|p| p.phone = "5556781234".into(), "profile.phone:"),
            (
                |p| p.order.wallet_address = String::new(),
                "profile.order.wallet_address:",
            ),
            (|p| p.order.amount = "ten".into(), "profile.order.amount:"),
            (|p| p.last_name = String::new(), "profile.last_name:"),
        ];
        for (mutate, prefix) in cases {
            let mut p = sample_profile();
            mutate(&mut p);
            let err = convert(&p).unwrap_err();
            assert!(err.message.starts_with(prefix), "{prefix}: {}", err.message);
        }
    }
}
