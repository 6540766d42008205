//! Stripe's KYC tiers (L0, L1, L2) as the seed defines them: the current tier is the highest
//! tier whose `verification_status` is pending, rejected or verified, and the user is verified at
//! that tier when its status is verified. L1 supersedes a failed L0 simply by being higher.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    L0,
    L1,
    L2,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::L0, Tier::L1, Tier::L2];

    pub fn parse(s: &str) -> Option<Tier> {
        match s {
            "l0" => Some(Tier::L0),
            "l1" => Some(Tier::L1),
            "l2" => Some(Tier::L2),
            _ => None,
        }
    }
    /// The API's word (`l1`).
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::L0 => "l0",
            Tier::L1 => "l1",
            Tier::L2 => "l2",
        }
    }
    /// The docs' name (`L1`).
    pub fn label(self) -> &'static str {
        match self {
            Tier::L0 => "L0",
            Tier::L1 => "L1",
            Tier::L2 => "L2",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierStatus {
    NotAvailable,
    NotStarted,
    Pending,
    Rejected,
    Verified,
}

impl TierStatus {
    pub fn parse(s: &str) -> Option<TierStatus> {
        match s {
            "not_available" => Some(TierStatus::NotAvailable),
            "not_started" => Some(TierStatus::NotStarted),
            "pending" => Some(TierStatus::Pending),
            "rejected" => Some(TierStatus::Rejected),
            "verified" => Some(TierStatus::Verified),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TierStatus::NotAvailable => "not_available",
            TierStatus::NotStarted => "not_started",
            TierStatus::Pending => "pending",
            TierStatus::Rejected => "rejected",
            TierStatus::Verified => "verified",
        }
    }
    /// The user has at least attempted this tier.
    fn attempted(self) -> bool {
        matches!(
            self,
            TierStatus::Pending | TierStatus::Rejected | TierStatus::Verified
        )
    }
}

/// One `kyc_tiers` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierEntry {
    pub tier: Tier,
    pub status: TierStatus,
    /// `verification_errors`, as codes (strings, or the `code` of objects).
    pub errors: Vec<String>,
}

/// Reads `kyc_tiers`. Entries for tiers this code does not know are skipped (a future L3 must
/// not break the journey); a known tier with an unknown status is an error.
pub fn parse_tiers(customer: &Value) -> Result<Vec<TierEntry>, String> {
    let Some(list) = customer.get("kyc_tiers").and_then(Value::as_array) else {
        return Err("no kyc_tiers list".to_string());
    };
    let mut out = Vec::new();
    for entry in list {
        let Some(tier) = entry
            .get("tier")
            .and_then(Value::as_str)
            .and_then(Tier::parse)
        else {
            continue;
        };
        let word = entry
            .get("verification_status")
            .and_then(Value::as_str)
            .unwrap_or("");
        let Some(status) = TierStatus::parse(word) else {
            return Err(format!(
                "unknown verification_status '{word}' for {}",
                tier.as_str()
            ));
        };
        let errors = entry
            .get("verification_errors")
            .and_then(Value::as_array)
            .map(|errs| {
                errs.iter()
                    .filter_map(|e| {
                        e.as_str()
                            .or_else(|| e.get("code").and_then(Value::as_str))
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(TierEntry {
            tier,
            status,
            errors,
        });
    }
    Ok(out)
}

pub fn status_of(tiers: &[TierEntry], tier: Tier) -> TierStatus {
    tiers
        .iter()
        .find(|e| e.tier == tier)
        .map(|e| e.status)
        .unwrap_or(TierStatus::NotStarted)
}

/// The highest tier the user has attempted, with its status; `None` when nothing was started.
pub fn current_tier(tiers: &[TierEntry]) -> Option<(Tier, TierStatus)> {
    Tier::ALL
        .iter()
        .rev()
        .map(|t| (*t, status_of(tiers, *t)))
        .find(|(_, s)| s.attempted())
}

/// Some tier is still being verified: Stripe refuses sessions until none is.
pub fn any_pending(tiers: &[TierEntry]) -> bool {
    tiers.iter().any(|e| e.status == TierStatus::Pending)
}

/// The highest verified tier (what the user can buy within).
pub fn highest_verified(tiers: &[TierEntry]) -> Option<Tier> {
    Tier::ALL
        .iter()
        .rev()
        .copied()
        .find(|t| status_of(tiers, *t) == TierStatus::Verified)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tiers(l0: &str, l1: &str, l2: &str) -> Vec<TierEntry> {
        parse_tiers(&json!({ "kyc_tiers": [
            { "tier": "l0", "verification_status": l0, "verification_errors": [] },
            { "tier": "l1", "verification_status": l1, "verification_errors": [] },
            { "tier": "l2", "verification_status": l2, "verification_errors": [] },
        ]}))
        .unwrap()
    }

    #[test]
    fn the_seed_example_is_l1_verified() {
        let t = tiers("verified", "verified", "not_started");
        assert_eq!(current_tier(&t), Some((Tier::L1, TierStatus::Verified)));
        assert_eq!(highest_verified(&t), Some(Tier::L1));
    }

    #[test]
    fn l1_supersedes_a_failed_l0() {
        let t = tiers("rejected", "verified", "not_started");
        assert_eq!(current_tier(&t), Some((Tier::L1, TierStatus::Verified)));
        assert_eq!(highest_verified(&t), Some(Tier::L1));
    }

    #[test]
    fn the_highest_attempted_tier_wins_even_when_it_is_worse() {
        assert_eq!(
            current_tier(&tiers("verified", "rejected", "not_started")),
            Some((Tier::L1, TierStatus::Rejected))
        );
        assert_eq!(
            current_tier(&tiers("verified", "verified", "pending")),
            Some((Tier::L2, TierStatus::Pending))
        );
        assert_eq!(
            current_tier(&tiers("rejected", "not_available", "not_started")),
            Some((Tier::L0, TierStatus::Rejected))
        );
    }

    #[test]
    fn nothing_started_has_no_current_tier() {
        assert_eq!(
            current_tier(&tiers("not_started", "not_started", "not_started")),
            None
        );
        assert_eq!(
            current_tier(&tiers("not_available", "not_available", "not_available")),
            None
        );
        assert_eq!(current_tier(&[]), None);
    }

    #[test]
    fn pending_anywhere_is_pending() {
        assert!(any_pending(&tiers("verified", "pending", "not_started")));
        assert!(!any_pending(&tiers("rejected", "verified", "not_started")));
    }

    #[test]
    fn parsing_tolerates_new_tiers_and_error_objects_but_not_unknown_statuses() {
        let t = parse_tiers(&json!({ "kyc_tiers": [
            { "tier": "l3", "verification_status": "whatever" },
            { "tier": "l0", "verification_status": "rejected",
              "verification_errors": ["address_unverified", { "code": "name_mismatch" }] },
        ]}))
        .unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].errors, vec!["address_unverified", "name_mismatch"]);
        assert_eq!(
            parse_tiers(
                &json!({ "kyc_tiers": [{ "tier": "l1", "verification_status": "approved" }] })
            )
            .unwrap_err(),
            "unknown verification_status 'approved' for l1"
        );
        assert_eq!(parse_tiers(&json!({})).unwrap_err(), "no kyc_tiers list");
    }
}
