//! Crypto customers: create (assumed `POST /v1/crypto/customers`) and attachKYCInfo (assumed
//! `POST /v1/crypto/customers/{id}/kyc_info`), with Stripe-style parameter validation.

use super::{invalid_request, no_such_customer, Customer, Params, Scenario, StripeFake};
use rampsim_plugin_sdk::country::is_alpha2;
use rampsim_plugin_sdk::phone::is_e164;
use rampsim_plugin_sdk::time;
use rampsim_plugin_sdk::HttpResponse;
use std::collections::BTreeMap;

/// L0 parameters and the `provided_fields` name each fills.
const L0_FIELDS: [(&str, &str, bool); 8] = [
    // (parameter, provided field, required)
    ("first_name", "first_name", true),
    ("last_name", "last_name", true),
    ("address[line1]", "address_line_1", true),
    ("address[line2]", "address_line_2", false),
    ("address[city]", "address_city", true),
    ("address[state]", "address_state", false),
    ("address[postal_code]", "address_postal_code", true),
    ("address[country]", "address_country", true),
];

const L1_PARAMS: [&str; 5] = [
    "dob[day]",
    "dob[month]",
    "dob[year]",
    "id_number",
    "id_type",
];

fn check_email(params: &Params) -> Result<(), HttpResponse> {
    match params.optional("email")? {
        Some(e) if !e.contains('@') || e.contains(char::is_whitespace) => Err(invalid_request(
            Some("email_invalid"),
            "Invalid email address.",
            Some("email"),
        )),
        _ => Ok(()),
    }
}

fn check_phone(params: &Params) -> Result<(), HttpResponse> {
    match params.optional("phone")? {
        Some(p) if !is_e164(p) => Err(invalid_request(
            None,
            "Invalid phone number: use E.164 format, such as +15556781234.",
            Some("phone"),
        )),
        _ => Ok(()),
    }
}

fn int_param(params: &Params, key: &str) -> Result<u32, HttpResponse> {
    let v = params.required(key)?;
    v.parse::<u32>().map_err(|_| {
        invalid_request(
            Some("parameter_invalid_integer"),
            &format!("Invalid integer: {v}"),
            Some(key),
        )
    })
}

fn provide(c: &mut Customer, field: &'static str) {
    if !c.provided.contains(&field) {
        c.provided.push(field);
    }
}

impl StripeFake {
    pub(crate) fn create_customer(
        &mut self,
        params: &Params,
        scenario: Scenario,
        now_ms: i64,
    ) -> HttpResponse {
        let checked = (|| {
            params.unknown(|k| {
                k == "email" || k == "phone" || (k.starts_with("metadata[") && k.ends_with(']'))
            })?;
            params.required("email")?;
            check_email(params)?;
            check_phone(params)
        })();
        if let Err(r) = checked {
            return r;
        }
        let metadata: BTreeMap<String, String> = params
            .map()
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("metadata[")?.strip_suffix(']')?;
                Some((name.to_string(), v.clone()))
            })
            .collect();
        let id = self.next_id("crc");
        let customer = Customer {
            id: id.clone(),
            created_s: time::unix_seconds(now_ms),
            metadata,
            provided: Vec::new(),
            l0_submitted_ms: None,
            l1_submitted_ms: None,
        };
        let view = customer.view(scenario, now_ms);
        self.customers.insert(id, customer);
        HttpResponse::json(200, &view)
    }

    pub(crate) fn attach_kyc(
        &mut self,
        id: &str,
        params: &Params,
        scenario: Scenario,
        now_ms: i64,
    ) -> HttpResponse {
        let Some(has_l0) = self.customers.get(id).map(|c| c.l0_submitted_ms.is_some()) else {
            return no_such_customer(id, 404, "id");
        };
        let (l0, l1) = match validate_kyc(params, has_l0, now_ms) {
            Ok(v) => v,
            Err(r) => return r,
        };
        let Some(c) = self.customers.get_mut(id) else {
            return no_such_customer(id, 404, "id");
        };
        if l0 {
            c.l0_submitted_ms = Some(now_ms);
            for (param, field, _) in L0_FIELDS {
                if params.has(param) {
                    provide(c, field);
                }
            }
        }
        if l1 {
            c.l1_submitted_ms = Some(now_ms);
            for field in ["id_number", "id_type", "dob"] {
                provide(c, field);
            }
        }
        HttpResponse::json(200, &c.view(scenario, now_ms))
    }
}

/// Which tiers the parameters submit: `(l0, l1)`. L0 fields may be left out only when the
/// customer already gave them (the seed's partial L1 upload); L1 fields come all or none.
fn validate_kyc(params: &Params, has_l0: bool, now_ms: i64) -> Result<(bool, bool), HttpResponse> {
    params.unknown(|k| {
        L0_FIELDS.iter().any(|(p, _, _)| *p == k)
            || L1_PARAMS.contains(&k)
            || k == "email"
            || k == "phone"
    })?;
    let l0 = L0_FIELDS.iter().any(|(p, _, _)| params.has(p)) || !has_l0;
    let l1 = L1_PARAMS.iter().any(|p| params.has(p));
    if !l0 && !l1 {
        params.required("first_name")?;
    }
    if l0 {
        for (p, _, required) in L0_FIELDS {
            if required {
                params.required(p)?;
            } else {
                params.optional(p)?;
            }
        }
        let country = params.required("address[country]")?;
        let lower = country.bytes().all(|b| b.is_ascii_lowercase());
        if !lower || !is_alpha2(&country.to_ascii_uppercase()) {
            return Err(invalid_request(
                None,
                "Invalid address[country]: use a lower-case ISO 3166-1 alpha-2 region code, such as 'us'.",
                Some("address[country]"),
            ));
        }
    }
    check_email(params)?;
    check_phone(params)?;
    if l1 {
        let (d, m, y) = (
            int_param(params, "dob[day]")?,
            int_param(params, "dob[month]")?,
            int_param(params, "dob[year]")?,
        );
        let date = format!("{y:04}-{m:02}-{d:02}");
        let Some((y, m, d)) = time::parse_ymd(&date) else {
            return Err(invalid_request(
                None,
                "Invalid dob: not a real date.",
                Some("dob"),
            ));
        };
        if time::days_from_civil(y + 18, m, d) > time::day_of_ms(now_ms) {
            return Err(invalid_request(
                None,
                "The customer must be at least 18 years old.",
                Some("dob"),
            ));
        }
        if params.required("id_type")? != "social_security_number" {
            return Err(invalid_request(
                None,
                "Invalid id_type: must be one of social_security_number",
                Some("id_type"),
            ));
        }
        let number = params.required("id_number")?;
        if number.len() != 9 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid_request(
                None,
                "Invalid id_number: a social security number has 9 digits.",
                Some("id_number"),
            ));
        }
    }
    Ok((l0, l1))
}
