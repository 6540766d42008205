//! rampsim plugin for the Proof On/Off Ramp hosted widget: KYC happens inside the widget (the
//! fake plays it in sandbox mode), then a widget session is requested and its transaction
//! followed to `completed`. Seed: shared/seeds/001_c620797fe2f1ebdf.txt; see README.md.

pub mod adapter;
pub mod convert;
pub mod fake;

use rampsim_plugin_sdk::{
    EndpointInfo, Manifest, Outcome, Plugin, ScenarioInfo, SettingInfo, Stage, StageInfo,
    PROTOCOL_VERSION,
};

/// The client token the fake accepts; the host uses it in sandbox mode.
pub const SANDBOX_CLIENT_TOKEN: &str = "proof_sandbox_ct_rampsim_0001";

/// Placeholder for the seed's `https://DOMAIN`: the operator must set the real domain.
pub const LIVE_BASE_URL: &str = "https://api.proof.example";

pub struct ProofPlugin;

fn scenario(name: &str, expected: Outcome, description: &str) -> ScenarioInfo {
    ScenarioInfo {
        name: name.into(),
        description: description.into(),
        expected_outcome: expected,
    }
}

impl Plugin for ProofPlugin {
    type Adapter = adapter::ProofAdapter;
    type Fake = fake::ProofFake;

    fn manifest() -> Manifest {
        let stage = |stage, label: &str| StageInfo {
            stage,
            label: label.into(),
            skipped: None,
        };
        Manifest {
            id: "proof".into(),
            name: "Proof On/Off Ramp (hosted widget)".into(),
            version: "1.0.0".into(),
            protocol_version: PROTOCOL_VERSION.into(),
            description: "The partner's user id is the Proof user; KYC (document upload, liveness) \
                          happens inside the widget, played by the fake in sandbox mode; then a widget \
                          session is requested and its transaction followed."
                .into(),
            stages: vec![
                stage(Stage::Register, "Look up partner user (GET kyc-status; 404 = not started)"),
                stage(
                    Stage::IdvPassthrough,
                    "KYC inside the widget (sandbox: played by the fake; live: the user does it)",
                ),
                stage(Stage::AwaitKyc, "KYC decision (GET /widget/users/{id}/kyc-status)"),
                stage(Stage::CreateOrder, "Widget session + transaction (POST /widget/session)"),
            ],
            endpoints: vec![EndpointInfo {
                name: "widget".into(),
                live_base_url: LIVE_BASE_URL.into(),
                description: "PLACEHOLDER: the seed documents https://DOMAIN; set the partner's real \
                              Proof API domain before a live run"
                    .into(),
            }],
            settings: vec![SettingInfo {
                name: "client_token".into(),
                description: "Partner client token, sent as Authorization: Bearer on every /widget call".into(),
                secret: true,
                sandbox_value: Some(SANDBOX_CLIENT_TOKEN.into()),
            }],
            scenarios: vec![
                scenario(
                    fake::VERIFIED,
                    Outcome::OrderCreated,
                    "The widget session passes document upload and liveness and the sandbox verifies \
                     at once; the transaction goes pending -> processing -> completed",
                ),
                scenario(
                    fake::PENDING_THEN_VERIFIED,
                    Outcome::OrderCreated,
                    "KYC stays pending for 5 minutes of sandbox time (the seed's 'a few minutes'), \
                     then verified; order completed",
                ),
                scenario(
                    fake::FAILED,
                    Outcome::Rejected,
                    "KYC pending for 1 minute, then failed: the user must retry inside the widget",
                ),
                scenario(
                    fake::KYC_REQUIRED,
                    Outcome::ActionRequired,
                    "The user leaves the widget before liveness, so KYC is never submitted \
                     (not_started); the session request gets the seed's 422 kyc_required",
                ),
                scenario(
                    fake::TRANSACTION_FAILED,
                    Outcome::Failed,
                    "KYC verified, but the transaction ends failed after processing",
                ),
            ],
        }
    }
}

rampsim_plugin_sdk::export_plugin!(ProofPlugin);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_meets_the_hosts_rules() {
        let m = ProofPlugin::manifest();
        assert_eq!(m.id, "proof", "the directory name");
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
        // idv_passthrough is not skipped in the manifest: it plays the widget in sandbox mode.
        assert!(m.stages.iter().all(|s| s.skipped.is_none()));
        assert_eq!(m.endpoint("widget").unwrap().live_base_url, LIVE_BASE_URL);
        let token = &m.settings[0];
        assert!(token.secret && token.sandbox_value.as_deref() == Some(SANDBOX_CLIENT_TOKEN));
        assert!(m.scenarios.iter().all(|s| !s.description.is_empty()));
    }
}
