//! The template plugin: the adapter and the sandbox fake of "Acme", an imaginary onramp
//! provider with one endpoint, an API key, and one call per stage. Copy this crate to add a
//! provider: every `RENAME:` and `CHANGE:` comment marks something to edit, plugins/README.md
//! explains the contract, and `rampsim plugin check` says when the plugin is right.
//!
//! Files: `lib.rs` the manifest (what the host shows and checks), `adapter.rs` the stages as
//! HTTP requests, `fake.rs` the provider's sandbox, `tests/` the plugin's own tests.

pub mod adapter;
pub mod fake;

use rampsim_plugin_sdk::{
    EndpointInfo, Manifest, Outcome, Plugin, ScenarioInfo, SettingInfo, Stage, StageInfo,
    PROTOCOL_VERSION,
};

/// RENAME: the provider id: lower-case `[a-z0-9_-]`, as written in config.toml
/// (`[providers.<id>]`, `--provider <id>`). It must match the lib name in Cargo.toml
/// (`rampsim_<id>`), or the host will not find the library.
pub const ID: &str = "template";

/// CHANGE: the API key the fake accepts. The host hands it to the adapter in sandbox mode when
/// config.toml sets none; in live mode the operator's real key comes from an environment variable.
pub const SANDBOX_API_KEY: &str = "acme-sandbox-key";

/// CHANGE: your scenarios. The first one declared is the default and should be the happy path.
pub const SCENARIO_APPROVED: &str = "approved";
pub const SCENARIO_REJECTED: &str = "rejected";

/// RENAME: one type ties the manifest, the adapter and the fake together.
pub struct TemplatePlugin;

impl Plugin for TemplatePlugin {
    type Adapter = adapter::AcmeAdapter;
    type Fake = fake::AcmeFake;

    /// Called first, before anything else, and again whenever the host wants it: keep it cheap.
    fn manifest() -> Manifest {
        Manifest {
            id: ID.into(),
            // CHANGE: the name and description the stage list and `rampsim plugins` show.
            name: "Acme Onramp (template)".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            protocol_version: PROTOCOL_VERSION.into(),
            description:
                "Imaginary provider: create a user, pass the IDV result through, poll the \
                          KYC decision, place an order."
                    .into(),
            // CHANGE: all four stages, in this order, each with a label saying which call it
            // makes. A stage your provider does not have: `skipped: Some("why".into())`, and the
            // host never calls the adapter for it.
            stages: vec![
                stage(Stage::Register, "Create user (POST /v1/users)"),
                stage(
                    Stage::IdvPassthrough,
                    "Submit IDV result (POST /v1/users/{id}/verifications)",
                ),
                stage(Stage::AwaitKyc, "Poll KYC decision (GET /v1/users/{id})"),
                stage(Stage::CreateOrder, "Place order (POST /v1/orders)"),
            ],
            // CHANGE: one entry per base URL your requests use (`HttpRequest::post("api", ..)`).
            // In sandbox mode the host points each at the fake on loopback.
            endpoints: vec![EndpointInfo {
                name: "api".into(),
                live_base_url: "https://api.acme.example".into(),
                description: "Acme API".into(),
            }],
            // CHANGE: credentials. `secret: true` for anything secret (keys, passwords, tokens):
            // the host then takes it only from an environment variable and redacts it everywhere.
            settings: vec![SettingInfo {
                name: "api_key".into(),
                description: "API key from the Acme dashboard".into(),
                secret: true,
                sandbox_value: Some(SANDBOX_API_KEY.into()),
            }],
            // CHANGE: what your fake can play, each with the outcome a journey must reach.
            scenarios: vec![
                ScenarioInfo {
                    name: SCENARIO_APPROVED.into(),
                    description: "KYC pending for 2 minutes, then approved; the order is created"
                        .into(),
                    expected_outcome: Outcome::OrderCreated,
                },
                ScenarioInfo {
                    name: SCENARIO_REJECTED.into(),
                    description: "KYC pending for 2 minutes, then rejected".into(),
                    expected_outcome: Outcome::Rejected,
                },
            ],
        }
    }
}

fn stage(stage: Stage, label: &str) -> StageInfo {
    StageInfo {
        stage,
        label: label.into(),
        skipped: None,
    }
}

// RENAME: the plugin type. This exports the C table the host loads; no `unsafe` needed.
rampsim_plugin_sdk::export_plugin!(TemplatePlugin);
