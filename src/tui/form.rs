//! The profile form's state: every text field of the canonical profile, edited in place and
//! validated on each keystroke with the config module's own rules.

use crate::config::{validate_profile, FieldProblem};
use rampsim_plugin_sdk::wire::Profile;

/// Dotted paths, as `validate_profile` names them. Document images are not editable here.
pub const FIELDS: &[&str] = &[
    "ref_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "nationality",
    "address.line1",
    "address.line2",
    "address.city",
    "address.region",
    "address.postal_code",
    "address.country",
    "tax_id.number",
    "tax_id.type",
    "tax_id.country",
    "document.type",
    "document.number",
    "document.country",
    "idv.provider",
    "idv.verification_id",
    "idv.verified_at",
    "idv.status",
    "idv.fields",
    "due_diligence.estimated_yearly_income",
    "due_diligence.expected_transfer_value",
    "due_diligence.source_of_wealth",
    "due_diligence.employment_status",
    "due_diligence.industry",
    "order.asset",
    "order.amount",
    "order.currency",
    "order.wallet_address",
    "order.network",
];

/// One accessor per text field, shared (`&`) and exclusive (`&mut`), from one list.
macro_rules! text_fields {
    ($($name:literal => $($path:ident).+),* $(,)?) => {
        fn slot<'a>(p: &'a Profile, field: &str) -> Option<&'a String> {
            Some(match field { $($name => &p.$($path).+,)* _ => return None })
        }
        fn slot_mut<'a>(p: &'a mut Profile, field: &str) -> Option<&'a mut String> {
            Some(match field { $($name => &mut p.$($path).+,)* _ => return None })
        }
    };
}

text_fields! {
    "ref_id" => ref_id,
    "first_name" => first_name,
    "last_name" => last_name,
    "date_of_birth" => date_of_birth,
    "email" => email,
    "phone" => phone,
    "nationality" => nationality,
    "address.line1" => address.line1,
    "address.line2" => address.line2,
    "address.city" => address.city,
    "address.region" => address.region,
    "address.postal_code" => address.postal_code,
    "address.country" => address.country,
    "tax_id.number" => tax_id.number,
    "tax_id.type" => tax_id.kind,
    "tax_id.country" => tax_id.country,
    "document.type" => document.kind,
    "document.number" => document.number,
    "document.country" => document.country,
    "idv.provider" => idv.provider,
    "idv.verification_id" => idv.verification_id,
    "idv.verified_at" => idv.verified_at,
    "idv.status" => idv.status,
    "due_diligence.estimated_yearly_income" => due_diligence.estimated_yearly_income,
    "due_diligence.expected_transfer_value" => due_diligence.expected_transfer_value,
    "due_diligence.source_of_wealth" => due_diligence.source_of_wealth,
    "due_diligence.employment_status" => due_diligence.employment_status,
    "due_diligence.industry" => due_diligence.industry,
    "order.asset" => order.asset,
    "order.amount" => order.amount,
    "order.currency" => order.currency,
    "order.wallet_address" => order.wallet_address,
    "order.network" => order.network,
}

/// A field's value as text (`idv.fields` comma-separated).
pub fn get(p: &Profile, field: &str) -> String {
    match field {
        "idv.fields" => p.idv.fields.join(", "),
        _ => slot(p, field).cloned().unwrap_or_default(),
    }
}

pub fn set(p: &mut Profile, field: &str, value: String) {
    if field == "idv.fields" {
        p.idv.fields = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    } else if let Some(s) = slot_mut(p, field) {
        *s = value;
    }
}

#[derive(Debug, Clone)]
pub struct ProfileForm {
    pub name: String,
    pub profile: Profile,
    /// What the operator typed, field by field (a list field keeps its trailing comma).
    texts: Vec<String>,
    pub selected: usize,
    pub problems: Vec<FieldProblem>,
    /// Set when Enter was refused, until the next edit.
    pub refused: Option<String>,
    pub changed: bool,
}

impl ProfileForm {
    pub fn new(name: &str, profile: Profile) -> ProfileForm {
        let problems = validate_profile(&profile);
        let texts = FIELDS.iter().map(|f| get(&profile, f)).collect();
        ProfileForm {
            name: name.trim_end_matches(" (edited)").to_string(),
            profile,
            texts,
            selected: 0,
            problems,
            refused: None,
            changed: false,
        }
    }

    pub fn field(&self) -> &'static str {
        FIELDS[self.selected]
    }

    /// The text of field number `index` of [`FIELDS`].
    pub fn text(&self, index: usize) -> &str {
        self.texts.get(index).map(String::as_str).unwrap_or("")
    }

    /// The problems of one field (`idv.fields` may have several).
    pub fn problems_of<'a>(
        &'a self,
        field: &'a str,
    ) -> impl Iterator<Item = &'a FieldProblem> + 'a {
        self.problems.iter().filter(move |p| p.field == field)
    }

    pub fn move_by(&mut self, delta: i32) {
        let last = FIELDS.len() as i32 - 1;
        self.selected = (self.selected as i32 + delta).clamp(0, last) as usize;
    }

    pub fn move_to(&mut self, index: usize) {
        self.selected = index.min(FIELDS.len() - 1);
    }

    /// Changes the selected field's text and validates the whole profile again.
    pub fn edit(&mut self, change: impl FnOnce(&mut String)) {
        let text = &mut self.texts[self.selected];
        change(text);
        set(&mut self.profile, FIELDS[self.selected], text.clone());
        self.problems = validate_profile(&self.profile);
        self.refused = None;
        self.changed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_what_was_set() {
        let mut p = Profile::default();
        for f in FIELDS {
            let v = if *f == "idv.fields" {
                "address, liveness".to_string()
            } else {
                format!("v-{f}")
            };
            set(&mut p, f, v.clone());
            assert_eq!(get(&p, f), v, "{f}");
        }
        assert_eq!(p.idv.fields, vec!["address", "liveness"]);
    }

    #[test]
    fn every_validated_field_is_in_the_form() {
        let problems = validate_profile(&Profile::default());
        assert!(!problems.is_empty());
        for p in problems {
            assert!(
                FIELDS.contains(&p.field.as_str()),
                "{} is validated but not editable",
                p.field
            );
        }
    }
}
