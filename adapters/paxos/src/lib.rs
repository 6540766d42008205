//! The Paxos provider plugin: Identity API with IDV passthrough, then an account, a profile and a
//! market buy order. See README.md for the stage mapping, scenarios and assumptions.

pub mod adapter;
pub mod convert;
pub mod fake;
pub mod formats;
pub mod problem;

use rampsim_plugin_sdk::{
    EndpointInfo, Manifest, Outcome, Plugin, ScenarioInfo, SettingInfo, Stage, StageInfo,
    PROTOCOL_VERSION,
};

/// The OAuth scopes the adapter asks for: identity first (the seed), then what the order needs.
pub const SCOPES: [&str; 6] = [
    "identity:read_identity",
    "identity:write_identity",
    "identity:read_account",
    "identity:write_account",
    "exchange:read_order",
    "exchange:write_order",
];

/// The credentials the fake's sandbox account accepts (and the host uses in sandbox mode).
pub const SANDBOX_CLIENT_ID: &str = "rampsim-paxos-sandbox-client";
pub const SANDBOX_CLIENT_SECRET: &str = "rampsim-paxos-sandbox-secret";

pub struct PaxosPlugin;

impl Plugin for PaxosPlugin {
    type Adapter = adapter::PaxosAdapter;
    type Fake = fake::PaxosFake;

    fn manifest() -> Manifest {
        Manifest {
            id: "paxos".into(),
            name: "Paxos Identity + Crypto Brokerage".into(),
            version: "1.1.1".into(),
            protocol_version: PROTOCOL_VERSION.into(),
            description: "Creates a Paxos person identity with IDV passthrough, waits for the \
                          onboarding decision, then opens a brokerage account and places a market buy."
                .into(),
            stages: vec![
                stage(Stage::Register, "Create identity with IDV passthrough (POST /v2/identity/identities)", None),
                stage(
                    Stage::IdvPassthrough,
                    "IDV passthrough",
                    Some("Paxos takes the IDV passthrough fields in the create-identity call (register)"),
                ),
                stage(Stage::AwaitKyc, "Poll the onboarding decision (GET /v2/identity/identities/{id})", None),
                stage(
                    Stage::CreateOrder,
                    "Open a brokerage account + profile, then a market buy (POST /v2/profiles/{id}/orders)",
                    None,
                ),
            ],
            endpoints: vec![
                EndpointInfo {
                    name: "oauth".into(),
                    live_base_url: "https://oauth.sandbox.paxos.com".into(),
                    description: "OAuth2 token server (client credentials). Production: https://oauth.paxos.com"
                        .into(),
                },
                EndpointInfo {
                    name: "api".into(),
                    live_base_url: "https://api.sandbox.paxos.com".into(),
                    description: "Paxos API; requests use the /v2 prefix. Production: https://api.paxos.com"
                        .into(),
                },
            ],
            settings: vec![
                SettingInfo {
                    name: "client_id".into(),
                    description: "API key client id from the Paxos Dashboard".into(),
                    secret: false,
                    sandbox_value: Some(SANDBOX_CLIENT_ID.into()),
                },
                SettingInfo {
                    name: "client_secret".into(),
                    description: "API key client secret from the Paxos Dashboard".into(),
                    secret: true,
                    sandbox_value: Some(SANDBOX_CLIENT_SECRET.into()),
                },
            ],
            scenarios: vec![
                scenario(
                    fake::SCENARIO_APPROVED,
                    "Auto-approval: GET right after create shows APPROVED (the seed's sandbox behaviour)",
                    Outcome::OrderCreated,
                ),
                scenario(
                    fake::SCENARIO_SLOW_REVIEW,
                    "PENDING (Paxos screening) for 20 minutes of sandbox time, then APPROVED",
                    Outcome::OrderCreated,
                ),
                scenario(fake::SCENARIO_DENIED, "PENDING for 2 minutes, then DENIED", Outcome::Rejected),
                scenario(
                    fake::SCENARIO_EDD_REQUIRED,
                    "Stays PENDING with an ENHANCED_DUE_DILIGENCE requirement awaiting the CLIENT",
                    Outcome::ActionRequired,
                ),
                scenario(
                    fake::SCENARIO_DUPLICATE_CIP_ID,
                    "Another identity already has this (cip_id, cip_id_type, cip_id_country): create gets 409",
                    Outcome::ActionRequired,
                ),
                scenario(
                    fake::SCENARIO_INSUFFICIENT_FUNDS,
                    "Approved, but the new profile holds no USD: the order gets 403 Insufficient Funds",
                    Outcome::Failed,
                ),
            ],
        }
    }
}

fn stage(stage: Stage, label: &str, skipped: Option<&str>) -> StageInfo {
    StageInfo {
        stage,
        label: label.into(),
        skipped: skipped.map(str::to_string),
    }
}

fn scenario(name: &str, description: &str, expected_outcome: Outcome) -> ScenarioInfo {
    ScenarioInfo {
        name: name.into(),
        description: description.into(),
        expected_outcome,
    }
}

rampsim_plugin_sdk::export_plugin!(PaxosPlugin);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_declares_stages_endpoints_and_secret_settings() {
        let m = PaxosPlugin::manifest();
        assert_eq!(m.id, "paxos");
        assert_eq!(m.protocol_version, PROTOCOL_VERSION);
        let stages: Vec<Stage> = m.stages.iter().map(|s| s.stage).collect();
        assert_eq!(stages, Stage::ALL.to_vec());
        assert!(m
            .stage(Stage::IdvPassthrough)
            .and_then(|s| s.skipped.as_ref())
            .is_some());
        assert!(m
            .stage(Stage::Register)
            .and_then(|s| s.skipped.as_ref())
            .is_none());
        assert_eq!(
            m.endpoint("oauth").map(|e| e.live_base_url.as_str()),
            Some("https://oauth.sandbox.paxos.com")
        );
        assert_eq!(
            m.endpoint("api").map(|e| e.live_base_url.as_str()),
            Some("https://api.sandbox.paxos.com")
        );
        let secret = m
            .settings
            .iter()
            .find(|s| s.name == "client_secret")
            .map(|s| s.secret);
        assert_eq!(secret, Some(true));
        assert_eq!(
            m.default_scenario().map(|s| s.expected_outcome),
            Some(Outcome::OrderCreated)
        );
    }
}
