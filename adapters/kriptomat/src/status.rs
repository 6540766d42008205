//! Kriptomat's words mapped to the canonical decision: `kyc_status` and `edd_status` of the user,
//! and the `state` of a buy transaction.

use rampsim_plugin_sdk::KycStatus;

/// What `GET /api/v1/partners/users/{id}` says about the user's KYC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KycDecision {
    /// `passed`, and no EDD outstanding: go on.
    Approved,
    /// `pending`: wait.
    Pending,
    /// `not_started`: Kriptomat has no KYC for the user (yet).
    NotStarted,
    /// `failed` / `declined` (or EDD `failed`): Kriptomat will not serve the user.
    Rejected,
    /// `edd_status: required`: Enhanced Due Diligence must be completed first.
    EddRequired,
    /// A word the seed does not list.
    Unknown(String),
}

impl KycDecision {
    pub fn canonical(&self) -> Option<KycStatus> {
        match self {
            KycDecision::Approved => Some(KycStatus::Approved),
            KycDecision::Pending => Some(KycStatus::Pending),
            KycDecision::NotStarted => Some(KycStatus::NotStarted),
            KycDecision::Rejected => Some(KycStatus::Rejected),
            KycDecision::EddRequired => Some(KycStatus::ActionRequired),
            KycDecision::Unknown(_) => None,
        }
    }
}

/// The decision for a `kyc_status` / `edd_status` pair. A refusal outranks EDD (a declined user
/// cannot be served whatever EDD says); outstanding EDD outranks `passed` and `pending` (the user
/// cannot buy until it is done, and only the operator can start it). `edd_status` is empty in the
/// seed's example for a passed user, so empty (or absent) means "no EDD".
pub fn kyc_decision(kyc_status: &str, edd_status: &str) -> KycDecision {
    let edd_known = matches!(
        edd_status,
        "" | "not_required" | "required" | "confirmed" | "failed"
    );
    if !edd_known {
        return KycDecision::Unknown(format!("edd_status '{edd_status}'"));
    }
    match kyc_status {
        "failed" | "declined" => KycDecision::Rejected,
        "passed" | "pending" | "not_started" if edd_status == "failed" => KycDecision::Rejected,
        "passed" | "pending" | "not_started" if edd_status == "required" => {
            KycDecision::EddRequired
        }
        "passed" => KycDecision::Approved,
        "pending" => KycDecision::Pending,
        "not_started" => KycDecision::NotStarted,
        other => KycDecision::Unknown(format!("kyc_status '{other}'")),
    }
}

/// The (assumed) transaction `state` of a buy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxState {
    Pending,
    Success,
    Error,
}

pub fn tx_state(state: &str) -> Option<TxState> {
    match state.to_ascii_uppercase().as_str() {
        "PENDING" => Some(TxState::Pending),
        "SUCCESS" => Some(TxState::Success),
        "ERROR" => Some(TxState::Error),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kyc_words_map_to_canonical() {
        use KycDecision::*;
        let cases = [
            ("passed", "", Approved),
            ("passed", "not_required", Approved),
            ("passed", "confirmed", Approved),
            ("passed", "required", EddRequired),
            ("pending", "required", EddRequired),
            ("passed", "failed", Rejected),
            ("pending", "", Pending),
            ("not_started", "", NotStarted),
            ("failed", "", Rejected),
            ("declined", "required", Rejected),
        ];
        for (kyc, edd, want) in cases {
            assert_eq!(kyc_decision(kyc, edd), want, "{kyc}/{edd}");
        }
        assert_eq!(
            kyc_decision("passed", "").canonical(),
            Some(KycStatus::Approved)
        );
        assert_eq!(
            kyc_decision("passed", "required").canonical(),
            Some(KycStatus::ActionRequired)
        );
        assert_eq!(
            kyc_decision("declined", "").canonical(),
            Some(KycStatus::Rejected)
        );
    }

    #[test]
    fn unknown_words_are_not_guessed() {
        assert_eq!(
            kyc_decision("approved", ""),
            KycDecision::Unknown("kyc_status 'approved'".into())
        );
        assert_eq!(
            kyc_decision("passed", "maybe"),
            KycDecision::Unknown("edd_status 'maybe'".into())
        );
        assert_eq!(kyc_decision("PASSED", "").canonical(), None);
    }

    #[test]
    fn transaction_states() {
        assert_eq!(tx_state("PENDING"), Some(TxState::Pending));
        assert_eq!(tx_state("success"), Some(TxState::Success));
        assert_eq!(tx_state("ERROR"), Some(TxState::Error));
        assert_eq!(tx_state("DONE"), None);
    }
}
