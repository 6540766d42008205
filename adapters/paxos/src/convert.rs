//! Canonical profile -> Paxos request bodies. Every check Paxos would fail is made here first and
//! reported by profile field name (`PluginError::invalid`), so nothing the API refuses is sent.
//! Error messages name fields and formats, never the person's values.

use crate::formats;
use rampsim_plugin_sdk::country::alpha2_to_alpha3;
use rampsim_plugin_sdk::text::transliterate;
use rampsim_plugin_sdk::time;
use rampsim_plugin_sdk::{PluginError, Profile};
use serde::Serialize;

pub const NAME_MAX: usize = 200;
pub const ADDRESS_LINE_MAX: usize = 35;
pub const TAX_PAYER_ID_MAX: usize = 35;

pub const PASSTHROUGH_VERIFIER_TYPES: &[&str] = &[
    "JUMIO",
    "ALLOY",
    "LEXISNEXIS",
    "MITEK",
    "SUMSUB",
    "MICROBILT",
    "ONFIDO",
    "CUSTOMER",
    "EQUIFAX",
    "ID3_AUTHENTICATE",
    "FIS",
    "PROVE",
    "PERSONA",
    "PLAID",
    "DOTFILE",
];
pub const PASSTHROUGH_FIELDS: &[&str] = &["FULL_LEGAL_NAME", "ADDRESS", "DATE_OF_BIRTH", "CIP_ID"];
pub const CIP_ID_TYPES: &[&str] = &[
    "SSN",
    "ID_CARD",
    "ITIN",
    "PASSPORT",
    "DRIVING_LICENSE",
    "VISA",
];
pub const IDENTITY_STATUSES: &[&str] = &["PENDING", "ERROR", "APPROVED", "DENIED", "DISABLED"];
pub const VERIFIER_TYPES: &[&str] = &["PAXOS", "PASSTHROUGH", "MANUAL"];
pub const YEARLY_INCOME: &[&str] = &[
    "INCOME_0_TO_50K",
    "INCOME_50K_TO_100K",
    "INCOME_100K_TO_250K",
    "INCOME_250K_TO_500K",
    "INCOME_500K_TO_750K",
    "INCOME_750K_TO_1M",
    "INCOME_ABOVE_1M",
];
pub const TRANSFER_VALUE: &[&str] = &[
    "TRANSFER_VALUE_0_TO_25K",
    "TRANSFER_VALUE_25K_TO_50K",
    "TRANSFER_VALUE_50K_TO_100K",
    "TRANSFER_VALUE_100K_TO_250K",
    "TRANSFER_VALUE_250K_TO_500K",
    "TRANSFER_VALUE_500K_TO_750K",
    "TRANSFER_VALUE_750K_TO_1M",
    "TRANSFER_VALUE_1M_TO_2_5M",
    "TRANSFER_VALUE_2_5M_TO_5M",
    "TRANSFER_VALUE_ABOVE_5M",
];
pub const WEALTH_SOURCE: &[&str] = &[
    "INHERITANCE",
    "INVESTMENT_GAINS",
    "BUSINESS_OWNERSHIP_DIVIDENDS",
    "EMPLOYMENT_INCOME",
    "REAL_ESTATE",
    "OTHER_SOURCE_OF_WEALTH",
];
pub const EMPLOYMENT_STATUS: &[&str] = &[
    "CONTRACTUAL",
    "FULL_TIME",
    "PART_TIME",
    "RETIRED",
    "SELF_EMPLOYED",
    "STUDENT",
    "UNEMPLOYED",
];
/// The spec's `InstitutionSubType`, which `employment_industry_sector` uses.
pub const INDUSTRY_SECTOR: &[&str] = &[
    "INVESTMENT",
    "HEDGE_FUND",
    "MONEY_SERVICE_BUSINESS",
    "STO_ISSUER",
    "PRECIOUS_METALS",
    "NON_PROFIT",
    "REGISTERED_INVESTMENT_ADVISOR",
    "AGRICULTURE_FORESTRY_FISHING_HUNTING",
    "MINING",
    "UTILITIES",
    "CONSTRUCTION",
    "MANUFACTURING",
    "WHOLESALE_TRADE",
    "RETAIL_TRADE",
    "TRANSPORTATION_WAREHOUSING",
    "INFORMATION",
    "FINANCE_INSURANCE",
    "REAL_ESTATE_RENTAL_LEASING",
    "PROFESSIONAL_SCIENTIFIC_TECHNICAL_SERVICES",
    "MANAGEMENT_OF_COMPANIES_ENTERPRISES",
    "ADMINISTRATIVE_SUPPORT_WASTE_MANAGEMENT_REMEDIATION_SERVICES",
    "EDUCATIONAL_SERVICES",
    "HEALTH_CARE_SOCIAL_ASSISTANCE",
    "ARTS_ENTERTAINMENT_RECREATION",
    "ACCOMMODATION_FOOD_SERVICES",
    "OTHER_SERVICES",
    "PUBLIC_ADMINISTRATION",
    "NOT_CLASSIFIED",
    "ADULT_ENTERTAINMENT",
    "AUCTIONS",
    "AUTOMOBILES",
    "BLOCKCHAIN",
    "CRYPTO",
    "DRUGS",
    "EXPORT_IMPORT",
    "E_COMMERCE",
    "FINANCIAL_INSTITUTION",
    "GAMBLING",
    "INSURANCE",
    "MARKET_MAKER",
    "SHELL_BANK",
    "TRAVEL_TRANSPORT",
    "WEAPONS",
];
pub const MARKETS: &[&str] = &[
    "ETHEUR", "ETHSGD", "ETHUSD", "BTCEUR", "BTCSGD", "BTCUSD", "PAXGUSD", "BCHUSD", "LTCUSD",
    "USDPUSD", "LINKUSD", "MATICUSD", "AAVEUSD", "UNIUSD",
];

/// What the adapter sends, prepared (and checked) once when the journey starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The CreateIdentity request body.
    pub identity: IdentityBody,
    /// `BTCUSD`.
    pub market: String,
    /// The quote currency amount of the market buy.
    pub quote_amount: String,
}

pub fn prepare(p: &Profile) -> Result<Prepared, PluginError> {
    Ok(Prepared {
        identity: identity_body(p)?,
        market: market(&p.order.asset, &p.order.currency)?,
        quote_amount: quote_amount(&p.order.amount)?,
    })
}

/// The CreateIdentity body: PASSTHROUGH person details and the five due diligence answers.
/// The CreateIdentity body. Fields are declared in alphabetical order, the order Paxos has
/// always been sent them in (they were once built as a sorted JSON map).
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct IdentityBody {
    pub customer_due_diligence: DueDiligence,
    pub person_details: PersonDetails,
    pub ref_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_details: Option<[TaxDetail; 1]>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct PersonDetails {
    pub address: Address,
    pub cip_id: String,
    pub cip_id_country: &'static str,
    pub cip_id_type: &'static str,
    pub date_of_birth: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub nationality: &'static str,
    pub passthrough_verification_fields: Vec<&'static str>,
    pub passthrough_verification_id: String,
    pub passthrough_verification_status: &'static str,
    pub passthrough_verified_at: String,
    pub passthrough_verifier_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    pub verifier_type: &'static str,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Address {
    pub address1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    pub city: String,
    pub country: &'static str,
    pub province: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct DueDiligence {
    pub employment_industry_sector: &'static str,
    pub employment_status: &'static str,
    pub estimated_yearly_income: &'static str,
    pub expected_transfer_value: &'static str,
    pub source_of_wealth: &'static str,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct TaxDetail {
    pub tax_payer_country: &'static str,
    pub tax_payer_id: String,
}

/// The CreateIdentity body of profile `p`, every field checked in the order Paxos lists them
/// (the first problem is the one reported).
pub fn identity_body(p: &Profile) -> Result<IdentityBody, PluginError> {
    if p.ref_id.trim().is_empty() {
        return Err(invalid(
            "profile.ref_id",
            "required: Paxos stores it as the identity's unique ref_id",
        ));
    }
    let (cip_id, cip_id_type, cip_id_country) = cip(p)?;
    let passthrough_verifier_type = verifier_type(&p.idv.provider)?;
    let passthrough_verified_at = verified_at(&p.idv.verified_at)?;
    let passthrough_verification_id =
        required("profile.idv.verification_id", &p.idv.verification_id)?;
    let passthrough_verification_status = idv_status(&p.idv.status)?;
    let passthrough_verification_fields = idv_fields(&p.idv.fields)?;
    let first_name = paxos_text("profile.first_name", &p.first_name, NAME_MAX)?;
    let last_name = paxos_text("profile.last_name", &p.last_name, NAME_MAX)?;
    let date_of_birth = date_of_birth(&p.date_of_birth)?;
    let address = address(p)?;
    let nationality = alpha3("profile.nationality", &p.nationality)?;
    let phone_number = match p.phone.trim().is_empty() {
        true => None,
        false => Some(phone(&p.phone)?),
    };
    let email = match p.email.trim().is_empty() {
        true => None,
        false => Some(email(&p.email)?),
    };
    Ok(IdentityBody {
        customer_due_diligence: due_diligence(p)?,
        person_details: PersonDetails {
            address,
            cip_id,
            cip_id_country,
            cip_id_type,
            date_of_birth,
            email,
            first_name,
            last_name,
            nationality,
            passthrough_verification_fields,
            passthrough_verification_id,
            passthrough_verification_status,
            passthrough_verified_at,
            passthrough_verifier_type,
            phone_number,
            verifier_type: "PASSTHROUGH",
        },
        ref_id: p.ref_id.clone(),
        tax_details: tax_details(p)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Names and addresses
// ---------------------------------------------------------------------------------------------

/// A name or address line Paxos accepts: transliterated, within its pattern and length.
pub fn paxos_text(field: &str, value: &str, max: usize) -> Result<String, PluginError> {
    let t = transliterate(value.trim());
    if t.is_empty() {
        return Err(invalid(field, "required"));
    }
    if let Some(bad) = t.chars().find(|c| !formats::is_paxos_char(*c)) {
        return Err(invalid(
            field,
            &format!(
                "contains '{bad}', which Paxos does not accept and has no Latin transliteration \
                 (allowed: A-Z a-z 0-9 space / ? : ( ) . , & ' + -)"
            ),
        ));
    }
    let n = t.chars().count();
    if n > max {
        return Err(invalid(
            field,
            &format!("is {n} characters long; Paxos allows at most {max}"),
        ));
    }
    Ok(t)
}

fn address(p: &Profile) -> Result<Address, PluginError> {
    let a = &p.address;
    let line = |field: &str, v: &str| paxos_text(field, v, ADDRESS_LINE_MAX);
    let address1 = line("profile.address.line1", &a.line1)?;
    let address2 = match a.line2.trim().is_empty() {
        true => None,
        false => Some(line("profile.address.line2", &a.line2)?),
    };
    let city = line("profile.address.city", &a.city)?;
    if a.region.trim().is_empty() {
        return Err(invalid(
            "profile.address.region",
            "required: Paxos requires address.province",
        ));
    }
    let province = line("profile.address.region", &a.region)?;
    let zip_code = match a.postal_code.trim().is_empty() {
        true => None,
        false => Some(line("profile.address.postal_code", &a.postal_code)?),
    };
    Ok(Address {
        address1,
        address2,
        city,
        country: alpha3("profile.address.country", &a.country)?,
        province,
        zip_code,
    })
}

/// ISO alpha-2 (`US`) to Paxos's alpha-3 (`USA`).
pub fn alpha3(field: &str, code: &str) -> Result<&'static str, PluginError> {
    alpha2_to_alpha3(code.trim()).ok_or_else(|| {
        invalid(
            field,
            &format!("'{code}' is not an ISO 3166-1 alpha-2 country code (upper-case, like US)"),
        )
    })
}

fn date_of_birth(s: &str) -> Result<String, PluginError> {
    if time::is_date(s.trim()) {
        Ok(s.trim().to_string())
    } else {
        Err(invalid(
            "profile.date_of_birth",
            "must be a real date written YYYY-MM-DD",
        ))
    }
}

/// Paxos takes E.164 as is (it also accepts spaces, which the canonical form has none of).
fn phone(s: &str) -> Result<String, PluginError> {
    let s = s.trim();
    if rampsim_plugin_sdk::phone::is_e164(s) {
        Ok(s.to_string())
    } else {
        Err(invalid("profile.phone", "must be E.164, like +15556781234"))
    }
}

fn email(s: &str) -> Result<String, PluginError> {
    let s = s.trim();
    match s.split_once('@') {
        Some((l, d)) if !l.is_empty() && d.contains('.') && !s.contains(' ') => Ok(s.to_string()),
        _ => Err(invalid("profile.email", "is not an email address")),
    }
}

// ---------------------------------------------------------------------------------------------
// CIP id (the unique government id) and tax details
// ---------------------------------------------------------------------------------------------

/// (cip_id, cip_id_type, cip_id_country). An SSN or ITIN when the profile has one (required for
/// US residents), otherwise the identity document.
pub fn cip(p: &Profile) -> Result<(String, &'static str, &'static str), PluginError> {
    let tax_kind = p.tax_id.kind.trim().to_ascii_lowercase();
    let us_tax = match tax_kind.as_str() {
        "ssn" => Some("SSN"),
        "itin" => Some("ITIN"),
        _ => None,
    };
    if let (Some(kind), false) = (us_tax, p.tax_id.number.trim().is_empty()) {
        let number = ssn_format(&p.tax_id.number).ok_or_else(|| {
            invalid(
                "profile.tax_id.number",
                "an SSN or ITIN has 9 digits (xxx-xx-xxxx)",
            )
        })?;
        let country = alpha3("profile.tax_id.country", &p.tax_id.country)?;
        return Ok((number, kind, country));
    }
    if p.address.country.trim() == "US" {
        return Err(invalid(
            "profile.tax_id",
            "Paxos requires an SSN or ITIN as cip_id for US residents (tax_id.type ssn or itin)",
        ));
    }
    let kind = match p.document.kind.trim().to_ascii_lowercase().as_str() {
        "passport" => "PASSPORT",
        "id_card" => "ID_CARD",
        "driving_license" => "DRIVING_LICENSE",
        "visa" => "VISA",
        other => {
            return Err(invalid(
                "profile.document.type",
                &format!(
                "'{other}' is not a Paxos cip_id_type (passport, id_card, driving_license, visa); \
                     without an SSN/ITIN the document is the cip_id"
            ),
            ))
        }
    };
    let number = paxos_text("profile.document.number", &p.document.number, NAME_MAX)?;
    Ok((
        number,
        kind,
        alpha3("profile.document.country", &p.document.country)?,
    ))
}

/// `073051120` or `073-05-1120` -> `073-05-1120` (the spec's SSN/ITIN format).
pub fn ssn_format(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(|c| *c != '-' && *c != ' ').collect();
    let shaped =
        s.trim().len() == 9 || (s.trim().len() == 11 && s.trim().as_bytes().get(3) == Some(&b'-'));
    (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()) && shaped)
        .then(|| format!("{}-{}-{}", &digits[0..3], &digits[3..5], &digits[5..9]))
}

/// The tax id as `tax_details` (the spec wants it unless `tax_details_not_required`).
fn tax_details(p: &Profile) -> Result<Option<[TaxDetail; 1]>, PluginError> {
    let t = &p.tax_id;
    if t.number.trim().is_empty() {
        return Ok(None);
    }
    let number = match t.kind.trim().to_ascii_lowercase().as_str() {
        "ssn" | "itin" => ssn_format(&t.number).ok_or_else(|| {
            invalid(
                "profile.tax_id.number",
                "an SSN or ITIN has 9 digits (xxx-xx-xxxx)",
            )
        })?,
        _ => paxos_text("profile.tax_id.number", &t.number, TAX_PAYER_ID_MAX)?,
    };
    let country = alpha3("profile.tax_id.country", &t.country)?;
    Ok(Some([TaxDetail {
        tax_payer_country: country,
        tax_payer_id: number,
    }]))
}

// ---------------------------------------------------------------------------------------------
// IDV passthrough
// ---------------------------------------------------------------------------------------------

pub fn verifier_type(provider: &str) -> Result<&'static str, PluginError> {
    let up = provider
        .trim()
        .to_ascii_uppercase()
        .replace(['-', ' '], "_");
    let up = match up.as_str() {
        "LEXIS_NEXIS" => "LEXISNEXIS".to_string(),
        "ID3" => "ID3_AUTHENTICATE".to_string(),
        _ => up,
    };
    find(PASSTHROUGH_VERIFIER_TYPES, &up).ok_or_else(|| {
        invalid(
            "profile.idv.provider",
            &format!(
                "'{provider}' is not a Paxos passthrough_verifier_type ({})",
                lower_list(PASSTHROUGH_VERIFIER_TYPES)
            ),
        )
    })
}

fn verified_at(s: &str) -> Result<String, PluginError> {
    if time::is_rfc3339(s.trim()) {
        Ok(s.trim().to_string())
    } else {
        Err(invalid(
            "profile.idv.verified_at",
            "must be an RFC 3339 timestamp like 2021-06-16T09:28:14Z",
        ))
    }
}

pub fn idv_status(s: &str) -> Result<&'static str, PluginError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "approved" => Ok("APPROVED"),
        "denied" => Ok("DENIED"),
        _ => Err(invalid("profile.idv.status", "must be approved or denied")),
    }
}

/// Canonical verified fields -> Paxos's. `liveness` has no Paxos field and is left out.
pub fn idv_fields(fields: &[String]) -> Result<Vec<&'static str>, PluginError> {
    let mut out: Vec<&'static str> = Vec::new();
    for f in fields {
        let mapped = match f.trim().to_ascii_lowercase().as_str() {
            "full_legal_name" | "name" => Some("FULL_LEGAL_NAME"),
            "date_of_birth" | "dob" => Some("DATE_OF_BIRTH"),
            "address" => Some("ADDRESS"),
            "cip_id" | "tax_id" | "ssn" => Some("CIP_ID"),
            "liveness" => None,
            other => {
                return Err(invalid(
                    "profile.idv.fields",
                    &format!("'{other}' is not a field Paxos records (full_legal_name, date_of_birth, address, cip_id)"),
                ))
            }
        };
        if let Some(m) = mapped {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    if out.is_empty() {
        return Err(invalid(
            "profile.idv.fields",
            "must name at least one of full_legal_name, date_of_birth, address, cip_id",
        ));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Customer due diligence: lower_snake canonical -> Paxos UPPER_SNAKE
// ---------------------------------------------------------------------------------------------

/// One canonical enumeration and how it maps onto a Paxos enum.
struct EnumMap {
    field: &'static str,
    /// Canonical value -> Paxos value, where the names differ.
    pairs: &'static [(&'static str, &'static str)],
    /// Prefix that turns a lower_snake Paxos value into the Paxos one (`50k_to_100k` -> `INCOME_...`).
    prefix: &'static str,
    paxos: &'static [&'static str],
    /// Canonical values that span several Paxos values: which to write instead.
    ambiguous: &'static [(&'static str, &'static str)],
}

const INCOME_MAP: EnumMap = EnumMap {
    field: "profile.due_diligence.estimated_yearly_income",
    pairs: &[
        ("under_50k", "INCOME_0_TO_50K"),
        ("over_1m", "INCOME_ABOVE_1M"),
    ],
    prefix: "INCOME_",
    paxos: YEARLY_INCOME,
    ambiguous: &[("500k_to_1m", "500k_to_750k or 750k_to_1m")],
};

const TRANSFER_MAP: EnumMap = EnumMap {
    field: "profile.due_diligence.expected_transfer_value",
    pairs: &[("under_25k", "TRANSFER_VALUE_0_TO_25K")],
    prefix: "TRANSFER_VALUE_",
    paxos: TRANSFER_VALUE,
    ambiguous: &[(
        "over_250k",
        "250k_to_500k, 500k_to_750k, 750k_to_1m, 1m_to_2_5m, 2_5m_to_5m or above_5m",
    )],
};

const WEALTH_MAP: EnumMap = EnumMap {
    field: "profile.due_diligence.source_of_wealth",
    pairs: &[
        ("investments", "INVESTMENT_GAINS"),
        ("business_income", "BUSINESS_OWNERSHIP_DIVIDENDS"),
        // Paxos has no savings category; savings are declared as another source of wealth.
        ("savings", "OTHER_SOURCE_OF_WEALTH"),
        ("other", "OTHER_SOURCE_OF_WEALTH"),
    ],
    prefix: "",
    paxos: WEALTH_SOURCE,
    ambiguous: &[],
};

const EMPLOYMENT_MAP: EnumMap = EnumMap {
    field: "profile.due_diligence.employment_status",
    pairs: &[("contractor", "CONTRACTUAL")],
    prefix: "",
    paxos: EMPLOYMENT_STATUS,
    ambiguous: &[],
};

const INDUSTRY_MAP: EnumMap = EnumMap {
    field: "profile.due_diligence.industry",
    pairs: &[
        ("information_technology", "INFORMATION"),
        ("technology", "INFORMATION"),
        ("healthcare", "HEALTH_CARE_SOCIAL_ASSISTANCE"),
        ("education", "EDUCATIONAL_SERVICES"),
        ("retail", "RETAIL_TRADE"),
        ("real_estate", "REAL_ESTATE_RENTAL_LEASING"),
        ("government", "PUBLIC_ADMINISTRATION"),
        (
            "professional_services",
            "PROFESSIONAL_SCIENTIFIC_TECHNICAL_SERVICES",
        ),
        ("hospitality", "ACCOMMODATION_FOOD_SERVICES"),
        ("transportation", "TRANSPORTATION_WAREHOUSING"),
        ("other", "OTHER_SERVICES"),
    ],
    prefix: "",
    paxos: INDUSTRY_SECTOR,
    ambiguous: &[],
};

fn map_enum(map: &EnumMap, value: &str) -> Result<&'static str, PluginError> {
    let v = value.trim().to_ascii_lowercase();
    if v.is_empty() {
        return Err(invalid(
            map.field,
            "required by Paxos (customer due diligence)",
        ));
    }
    if let Some((_, instead)) = map.ambiguous.iter().find(|(c, _)| *c == v) {
        return Err(invalid(
            map.field,
            &format!("'{v}' spans several Paxos ranges; write {instead} instead"),
        ));
    }
    if let Some((_, p)) = map.pairs.iter().find(|(c, _)| *c == v) {
        return Ok(p);
    }
    let up = v.to_ascii_uppercase();
    find(map.paxos, &up)
        .or_else(|| find(map.paxos, &format!("{}{up}", map.prefix)))
        .ok_or_else(|| {
            invalid(
                map.field,
                &format!(
                    "'{v}' has no Paxos equivalent; use one of {}",
                    lower_list(map.paxos)
                ),
            )
        })
}

pub fn yearly_income(v: &str) -> Result<&'static str, PluginError> {
    map_enum(&INCOME_MAP, v)
}
pub fn transfer_value(v: &str) -> Result<&'static str, PluginError> {
    map_enum(&TRANSFER_MAP, v)
}
pub fn source_of_wealth(v: &str) -> Result<&'static str, PluginError> {
    map_enum(&WEALTH_MAP, v)
}
pub fn employment_status(v: &str) -> Result<&'static str, PluginError> {
    map_enum(&EMPLOYMENT_MAP, v)
}
pub fn industry(v: &str) -> Result<&'static str, PluginError> {
    map_enum(&INDUSTRY_MAP, v)
}

fn due_diligence(p: &Profile) -> Result<DueDiligence, PluginError> {
    let d = &p.due_diligence;
    let estimated_yearly_income = yearly_income(&d.estimated_yearly_income)?;
    let expected_transfer_value = transfer_value(&d.expected_transfer_value)?;
    let source_of_wealth = source_of_wealth(&d.source_of_wealth)?;
    let employment_status = employment_status(&d.employment_status)?;
    Ok(DueDiligence {
        employment_industry_sector: industry(&d.industry)?,
        employment_status,
        estimated_yearly_income,
        expected_transfer_value,
        source_of_wealth,
    })
}

// ---------------------------------------------------------------------------------------------
// Order
// ---------------------------------------------------------------------------------------------

/// `BTC` + `USD` -> `BTCUSD`, when Paxos trades it.
pub fn market(asset: &str, currency: &str) -> Result<String, PluginError> {
    let m = format!(
        "{}{}",
        asset.trim().to_ascii_uppercase(),
        currency.trim().to_ascii_uppercase()
    );
    find(MARKETS, &m).map(str::to_string).ok_or_else(|| {
        invalid(
            "profile.order",
            &format!(
                "Paxos has no market {m} (asset + currency); it has {}",
                MARKETS.join(", ")
            ),
        )
    })
}

fn quote_amount(s: &str) -> Result<String, PluginError> {
    let s = s.trim();
    match formats::decimal_value(s) {
        Some(v) if v > 0.0 => Ok(s.to_string()),
        _ => Err(invalid(
            "profile.order.amount",
            "must be a positive decimal like 100.00",
        )),
    }
}

// ---------------------------------------------------------------------------------------------

fn required(field: &str, v: &str) -> Result<String, PluginError> {
    if v.trim().is_empty() {
        Err(invalid(
            field,
            "required by Paxos for PASSTHROUGH verification",
        ))
    } else {
        Ok(v.trim().to_string())
    }
}

fn find(list: &'static [&'static str], v: &str) -> Option<&'static str> {
    list.iter().copied().find(|x| *x == v)
}

fn lower_list(list: &[&str]) -> String {
    list.iter()
        .map(|s| s.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

fn invalid(field: &str, what: &str) -> PluginError {
    PluginError::invalid(format!("{field}: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampsim_plugin_sdk::testing::sample_profile;
    use serde_json::{json, Value};

    /// The body as a JSON tree, to read fields by name.
    fn create_identity_body(p: &Profile) -> Result<Value, PluginError> {
        identity_body(p).map(|b| serde_json::to_value(b).expect("serialises"))
    }

    #[test]
    fn the_body_is_sent_with_its_keys_in_alphabetical_order() {
        // The bytes earlier versions sent (a sorted JSON map), so recorded journeys compare equal.
        let body = identity_body(&sample_profile()).unwrap();
        let sent = serde_json::to_string(&body).unwrap();
        let sorted = serde_json::to_string(&serde_json::to_value(&body).unwrap()).unwrap();
        assert_eq!(sent, sorted);
    }

    #[test]
    fn sample_profile_becomes_the_seed_body() {
        let body = create_identity_body(&sample_profile()).unwrap();
        let expected = json!({
            "ref_id": "user-billy-duncan-001",
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
                "address": {
                    "address1": "123 Main St",
                    "city": "New York",
                    "province": "NY",
                    "country": "USA",
                    "zip_code": "10001"
                },
                "nationality": "USA",
                "cip_id": "073-05-1120",
                "cip_id_type": "SSN",
                "cip_id_country": "USA",
                "phone_number": "+15556781234",
                "email": "example@somemail.org"
            },
            "customer_due_diligence": {
                "estimated_yearly_income": "INCOME_50K_TO_100K",
                "expected_transfer_value": "TRANSFER_VALUE_25K_TO_50K",
                "source_of_wealth": "EMPLOYMENT_INCOME",
                "employment_status": "FULL_TIME",
                "employment_industry_sector": "ARTS_ENTERTAINMENT_RECREATION"
            },
            "tax_details": [{"tax_payer_id": "073-05-1120", "tax_payer_country": "USA"}]
        });
        assert_eq!(body, expected);
    }

    #[test]
    fn countries_go_to_alpha3_and_bad_codes_name_the_field() {
        assert_eq!(alpha3("f", "DE").unwrap(), "DEU");
        assert_eq!(alpha3("f", "US").unwrap(), "USA");
        let e = alpha3("profile.nationality", "us").unwrap_err();
        assert!(
            e.message.starts_with("profile.nationality:"),
            "{}",
            e.message
        );
        assert!(alpha3("f", "USA").is_err());
    }

    #[test]
    fn due_diligence_enums_convert() {
        assert_eq!(yearly_income("50k_to_100k").unwrap(), "INCOME_50K_TO_100K");
        assert_eq!(yearly_income("under_50k").unwrap(), "INCOME_0_TO_50K");
        assert_eq!(yearly_income("over_1m").unwrap(), "INCOME_ABOVE_1M");
        assert_eq!(yearly_income("750k_to_1m").unwrap(), "INCOME_750K_TO_1M");
        let e = yearly_income("500k_to_1m").unwrap_err();
        assert!(
            e.message.contains("500k_to_750k or 750k_to_1m"),
            "{}",
            e.message
        );
        assert_eq!(
            transfer_value("25k_to_50k").unwrap(),
            "TRANSFER_VALUE_25K_TO_50K"
        );
        assert_eq!(
            transfer_value("under_25k").unwrap(),
            "TRANSFER_VALUE_0_TO_25K"
        );
        assert!(transfer_value("over_250k").is_err());
        assert_eq!(
            source_of_wealth("employment_income").unwrap(),
            "EMPLOYMENT_INCOME"
        );
        assert_eq!(source_of_wealth("investments").unwrap(), "INVESTMENT_GAINS");
        assert_eq!(
            source_of_wealth("business_income").unwrap(),
            "BUSINESS_OWNERSHIP_DIVIDENDS"
        );
        assert_eq!(
            source_of_wealth("savings").unwrap(),
            "OTHER_SOURCE_OF_WEALTH"
        );
        assert_eq!(employment_status("self_employed").unwrap(), "SELF_EMPLOYED");
        assert_eq!(
            industry("arts_entertainment_recreation").unwrap(),
            "ARTS_ENTERTAINMENT_RECREATION"
        );
        assert_eq!(industry("information_technology").unwrap(), "INFORMATION");
        let e = industry("space_piracy").unwrap_err();
        assert!(
            e.message.starts_with("profile.due_diligence.industry:"),
            "{}",
            e.message
        );
        assert!(employment_status("").is_err());
    }

    #[test]
    fn idv_values_convert() {
        assert_eq!(verifier_type("jumio").unwrap(), "JUMIO");
        assert_eq!(verifier_type("sumsub").unwrap(), "SUMSUB");
        assert_eq!(verifier_type("id3").unwrap(), "ID3_AUTHENTICATE");
        assert!(verifier_type("veriff")
            .unwrap_err()
            .message
            .starts_with("profile.idv.provider:"));
        assert_eq!(idv_status("approved").unwrap(), "APPROVED");
        assert_eq!(idv_status("denied").unwrap(), "DENIED");
        assert!(idv_status("maybe").is_err());
        let f = |v: &[&str]| idv_fields(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            f(&[
                "full_legal_name",
                "date_of_birth",
                "address",
                "cip_id",
                "liveness"
            ])
            .unwrap(),
            vec!["FULL_LEGAL_NAME", "DATE_OF_BIRTH", "ADDRESS", "CIP_ID"]
        );
        assert!(f(&["liveness"]).is_err());
        assert!(f(&["retina"]).is_err());
    }

    #[test]
    fn names_are_transliterated_or_refused_by_field() {
        assert_eq!(
            paxos_text("f", "Hauptstraße 5", 35).unwrap(),
            "Hauptstrasse 5"
        );
        let e = paxos_text("profile.address.line1", "Apt #4", 35).unwrap_err();
        assert!(
            e.message.starts_with("profile.address.line1: contains '#'"),
            "{}",
            e.message
        );
        let e = paxos_text("profile.first_name", "李", 200).unwrap_err();
        assert!(
            e.message.starts_with("profile.first_name:"),
            "{}",
            e.message
        );
        let long = "Long Street Name That Goes On And On 1";
        let e = paxos_text("profile.address.line1", long, 35).unwrap_err();
        assert!(e.message.contains("at most 35"), "{}", e.message);
        // Transliteration can push a line over the limit: the limit applies to what is sent.
        let e = paxos_text("profile.address.line1", "ßßßßßßßßßßßßßßßßßß", 35).unwrap_err();
        assert!(e.message.contains("36 characters"), "{}", e.message);
    }

    #[test]
    fn german_profile_converts() {
        let mut p = sample_profile();
        p.first_name = "Jürgen".into();
        p.address = rampsim_plugin_sdk::Address {
            line1: "Hauptstraße 5".into(),
            line2: String::new(),
            city: "München".into(),
            region: "BY".into(),
            postal_code: "80331".into(),
            country: "DE".into(),
        };
        p.nationality = "DE".into();
        p.tax_id = rampsim_plugin_sdk::TaxId {
            number: "12345678901".into(),
            kind: "tin".into(),
            country: "DE".into(),
        };
        p.document.country = "DE".into();
        let body = create_identity_body(&p).unwrap();
        let pd = &body["person_details"];
        assert_eq!(pd["first_name"], "Juergen");
        assert_eq!(pd["address"]["address1"], "Hauptstrasse 5");
        assert_eq!(pd["address"]["city"], "Muenchen");
        assert_eq!(pd["address"]["country"], "DEU");
        assert_eq!(pd["nationality"], "DEU");
        assert_eq!(pd["cip_id_type"], "PASSPORT");
        assert_eq!(pd["cip_id_country"], "DEU");
        assert_eq!(body["tax_details"][0]["tax_payer_country"], "DEU");
    }

    #[test]
    fn us_residents_need_ssn_or_itin() {
        let mut p = sample_profile();
        p.tax_id.kind = "tin".into();
        let e = create_identity_body(&p).unwrap_err();
        assert!(e.message.starts_with("profile.tax_id:"), "{}", e.message);
        assert_eq!(ssn_format("073051120").as_deref(), Some("073-05-1120"));
        assert_eq!(ssn_format("073-05-1120").as_deref(), Some("073-05-1120"));
        assert_eq!(ssn_format("07305112"), None);
    }

    #[test]
    fn region_is_required_and_order_market_checked() {
        let mut p = sample_profile();
        p.address.region.clear();
        assert!(create_identity_body(&p)
            .unwrap_err()
            .message
            .starts_with("profile.address.region:"));
        assert_eq!(market("btc", "usd").unwrap(), "BTCUSD");
        assert!(market("DOGE", "USD")
            .unwrap_err()
            .message
            .starts_with("profile.order:"));
        let mut p = sample_profile();
        p.order.amount = "-5".into();
        assert!(prepare(&p)
            .unwrap_err()
            .message
            .starts_with("profile.order.amount:"));
    }

    #[test]
    fn errors_never_quote_the_persons_values() {
        let mut p = sample_profile();
        p.date_of_birth = "01/01/1960".into();
        let e = create_identity_body(&p).unwrap_err();
        assert!(!e.message.contains("1960"), "{}", e.message);
    }
}
