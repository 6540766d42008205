//! Stripe's crypto onramp with KYC tiers: a rampsim provider plugin. The adapter creates a crypto
//! customer, attaches L0 and L1 KYC info, waits until no tier is pending, and creates an onramp
//! session; a purchase above the customer's tier becomes action_required naming the tier and
//! check to do. The fake plays Stripe's test mode for these calls.

pub mod adapter;
pub mod convert;
pub mod fake;
pub mod reply;
pub mod tiers;

use rampsim_plugin_sdk::{
    EndpointInfo, Manifest, Outcome, Plugin, ScenarioInfo, SettingInfo, Stage, StageInfo,
    PROTOCOL_VERSION,
};

pub use adapter::StripeAdapter;
pub use fake::StripeFake;

pub struct StripePlugin;

fn scenario(name: &str, description: &str, expected: Outcome) -> ScenarioInfo {
    ScenarioInfo {
        name: name.into(),
        description: description.into(),
        expected_outcome: expected,
    }
}

fn stage(stage: Stage, label: &str) -> StageInfo {
    StageInfo {
        stage,
        label: label.into(),
        skipped: None,
    }
}

impl Plugin for StripePlugin {
    type Adapter = StripeAdapter;
    type Fake = StripeFake;

    fn manifest() -> Manifest {
        Manifest {
            id: "stripe".into(),
            name: "Stripe crypto onramp (KYC tiers)".into(),
            version: "1.0.0".into(),
            protocol_version: PROTOCOL_VERSION.into(),
            description: "Embedded Components onramp: crypto customer, attachKYCInfo (L0/L1), kyc_tiers, onramp session".into(),
            stages: vec![
                stage(Stage::Register, "Create the crypto customer"),
                stage(Stage::IdvPassthrough, "attachKYCInfo: L0 + L1 fields"),
                stage(Stage::AwaitKyc, "Poll kyc_tiers until nothing is pending"),
                stage(Stage::CreateOrder, "Create the onramp session (Idempotency-Key)"),
            ],
            endpoints: vec![EndpointInfo {
                name: "api".into(),
                live_base_url: "https://api.stripe.com".into(),
                description: "Stripe API (secret key as Bearer, form-encoded bodies)".into(),
            }],
            settings: vec![SettingInfo {
                name: "secret_key".into(),
                description: "Stripe secret key (sk_test_... in test mode) of an account approved for the onramp".into(),
                secret: true,
                sandbox_value: Some(fake::SANDBOX_SECRET_KEY.into()),
            }],
            scenarios: vec![
                scenario(
                    "l1_verified",
                    "L0 verified after 10 s, L1 after 90 s; the order is within the L1 limit (2,500.00 per order)",
                    Outcome::OrderCreated,
                ),
                scenario(
                    "needs_document",
                    "L0 and L1 verified, but this customer's L1 limit is 50.00 per order: the order needs L2 (crypto_onramp_missing_document_verification)",
                    Outcome::ActionRequired,
                ),
                scenario(
                    "l0_failed_l1_supersedes",
                    "L0 is rejected, L1 verified: L1 supersedes L0 and the order within L1 limits succeeds",
                    Outcome::OrderCreated,
                ),
                scenario("rejected", "L0 and L1 are both rejected: the current tier (L1) is rejected", Outcome::Rejected),
            ],
        }
    }
}

rampsim_plugin_sdk::export_plugin!(StripePlugin);
