//! rampsim plugin for Crossmint: import a user's KYC data (privacy policy, user details, the full
//! KYC record), wait for the onramp eligibility, then create an onramp order and follow it to
//! `awaiting-payment`. Seed: shared/seeds/000_25eb63fb78b92dc2.txt; see README.md.

pub mod adapter;
pub mod convert;
pub mod fake;

use rampsim_plugin_sdk::{
    EndpointInfo, Manifest, Outcome, Plugin, ScenarioInfo, SettingInfo, Stage, StageInfo,
    PROTOCOL_VERSION,
};

/// The sandbox key the fake accepts with every scope (`users.create users.read orders.create
/// orders.read`); the host uses it in sandbox mode.
pub const SANDBOX_API_KEY: &str = "sk_staging_rampsim_sandbox_all_scopes";
/// A second sandbox key the fake knows, lacking `orders.create` (for 403 tests).
pub const SANDBOX_API_KEY_NO_ORDERS: &str = "sk_staging_rampsim_sandbox_no_orders_create";

pub struct CrossmintPlugin;

fn scenario(name: &str, expected: Outcome, description: &str) -> ScenarioInfo {
    ScenarioInfo {
        name: name.into(),
        description: description.into(),
        expected_outcome: expected,
    }
}

impl Plugin for CrossmintPlugin {
    type Adapter = adapter::CrossmintAdapter;
    type Fake = fake::CrossmintFake;

    fn manifest() -> Manifest {
        let stage = |stage, label: &str| StageInfo {
            stage,
            label: label.into(),
            skipped: None,
        };
        Manifest {
            id: "crossmint".into(),
            name: "Crossmint (KYC data import + onramp order)".into(),
            version: "1.0.0".into(),
            protocol_version: PROTOCOL_VERSION.into(),
            description: "Registers the user under userId:<ref_id>, imports the full KYC record the \
                          company's IDV provider verified, waits for onramp eligibility and creates a \
                          card onramp order."
                .into(),
            stages: vec![
                stage(Stage::Register, "Accept privacy policy + create user (PUT users/{userLocator})"),
                stage(Stage::IdvPassthrough, "Import full KYC record (PUT users/{userLocator})"),
                stage(Stage::AwaitKyc, "Onramp eligibility (identity-verification)"),
                stage(Stage::CreateOrder, "Onramp order until awaiting-payment (POST /2022-06-09/orders)"),
            ],
            endpoints: vec![EndpointInfo {
                name: "api".into(),
                live_base_url: "https://staging.crossmint.com/api".into(),
                description: "Crossmint staging API (production: https://www.crossmint.com/api)".into(),
            }],
            settings: vec![SettingInfo {
                name: "api_key".into(),
                description: "Server API key (X-API-KEY) with scopes users.create, users.read, \
                              orders.create, orders.read"
                    .into(),
                secret: true,
                sandbox_value: Some(SANDBOX_API_KEY.into()),
            }],
            scenarios: vec![
                scenario(
                    fake::APPROVED,
                    Outcome::OrderCreated,
                    "Full KYC data accepted: eligibility pending-review for 20 s then verified; the \
                     order goes straight to payment.status awaiting-payment",
                ),
                scenario(
                    fake::KYC_PROCESSING,
                    Outcome::OrderCreated,
                    "Crossmint runs extra compliance checks: the order sits in \
                     processing-kyc-verification for 30 s, then awaiting-payment",
                ),
                scenario(
                    fake::MISSING_KYC,
                    Outcome::ActionRequired,
                    "The stored KYC data is insufficient: eligibility requires-data (proof of address \
                     and income) and the order answers the seed's 400 'Required full KYC user data \
                     is missing to complete the order'",
                ),
                scenario(
                    fake::REJECTED,
                    Outcome::Rejected,
                    "Crossmint's review rejects the user: eligibility pending-review for 20 s, then \
                     rejected with failure reason id-document-expired",
                ),
                scenario(
                    fake::ORDER_FAILED_KYC,
                    Outcome::Rejected,
                    "Eligibility verified, but the sanctions/PEP screen run for the order fails: \
                     processing-kyc-verification for 30 s, then failed-kyc",
                ),
                scenario(
                    fake::MANUAL_KYC,
                    Outcome::ActionRequired,
                    "Eligibility verified, but the order needs a manual compliance review: \
                     payment.status manual-kyc",
                ),
            ],
        }
    }
}

rampsim_plugin_sdk::export_plugin!(CrossmintPlugin);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_meets_the_hosts_rules() {
        let m = CrossmintPlugin::manifest();
        assert_eq!(m.id, "crossmint", "the directory name");
        assert_eq!(
            (m.version.as_str(), m.protocol_version.as_str()),
            ("1.0.0", PROTOCOL_VERSION)
        );
        assert_eq!(
            m.stages.iter().map(|s| s.stage).collect::<Vec<_>>(),
            Stage::ALL
        );
        let labels: std::collections::HashSet<_> =
            m.stages.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels.len(), 4, "labels are distinct");
        assert!(m.stages.iter().all(|s| s.skipped.is_none()));
        assert_eq!(
            m.endpoint("api").unwrap().live_base_url,
            "https://staging.crossmint.com/api"
        );
        let key = &m.settings[0];
        assert!(key.secret && key.sandbox_value.as_deref() == Some(SANDBOX_API_KEY));
        assert!(m.scenarios.iter().all(|s| !s.description.is_empty()));
    }
}
