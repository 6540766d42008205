//! Kriptomat (KriptoAPI partner API) with Sumsub applicant sharing: a rampsim provider plugin.
//! The adapter logs in with a TOTP code, creates the partner user, imports the user's KYC from
//! Sumsub with a share token, waits for `kyc_status`, and buys. The fake plays both Kriptomat
//! and the Sumsub share-token call.

pub mod adapter;
pub mod convert;
pub mod crypto;
pub mod fake;
pub mod reply;
pub mod status;

use rampsim_plugin_sdk::{
    EndpointInfo, Manifest, Outcome, Plugin, ScenarioInfo, SettingInfo, Stage, StageInfo,
    PROTOCOL_VERSION,
};

pub use adapter::KriptomatAdapter;
pub use fake::KriptomatFake;

pub struct KriptomatPlugin;

fn setting(name: &str, description: &str, secret: bool, sandbox: &str) -> SettingInfo {
    SettingInfo {
        name: name.into(),
        description: description.into(),
        secret,
        sandbox_value: Some(sandbox.into()),
    }
}

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

impl Plugin for KriptomatPlugin {
    type Adapter = KriptomatAdapter;
    type Fake = KriptomatFake;

    fn manifest() -> Manifest {
        use fake::*;
        Manifest {
            id: "kriptomat".into(),
            name: "Kriptomat (Sumsub applicant sharing)".into(),
            version: "1.0.0".into(),
            protocol_version: PROTOCOL_VERSION.into(),
            description: "KriptoAPI partner users with KYC imported from Sumsub through a share token, then a buy order".into(),
            stages: vec![
                stage(Stage::Register, "Log in (TOTP) and create the partner user"),
                stage(Stage::IdvPassthrough, "Sumsub share token, then Kriptomat kyc-import"),
                stage(Stage::AwaitKyc, "Poll the user's kyc_status / edd_status"),
                stage(Stage::CreateOrder, "Buy (idempotency_key), then poll the transaction state"),
            ],
            endpoints: vec![
                EndpointInfo {
                    name: "api".into(),
                    live_base_url: "https://api.kriptomat.io".into(),
                    description: "KriptoAPI (partner login, users, kyc-import, buy)".into(),
                },
                EndpointInfo {
                    name: "sumsub".into(),
                    live_base_url: "https://api.sumsub.com".into(),
                    description: "Sumsub API (share token for Kriptomat), signed with your app token".into(),
                },
            ],
            settings: vec![
                setting("email", "Kriptomat API account e-mail", false, SANDBOX_EMAIL),
                setting("password", "Kriptomat API account password", true, SANDBOX_PASSWORD),
                setting("client_id", "client_id from the Kriptomat account page", false, SANDBOX_CLIENT_ID),
                setting("client_secret", "client_secret from the Kriptomat account page", true, SANDBOX_CLIENT_SECRET),
                setting(
                    "totp_secret",
                    "Base32 secret of the account's Google Authenticator 2FA (login's security_code is computed from it)",
                    true,
                    SANDBOX_TOTP_SECRET,
                ),
                setting("sumsub_app_token", "Your Sumsub app token (X-App-Token)", true, SANDBOX_SUMSUB_APP_TOKEN),
                setting(
                    "sumsub_secret_key",
                    "Your Sumsub secret key (signs X-App-Access-Sig)",
                    true,
                    SANDBOX_SUMSUB_SECRET_KEY,
                ),
                setting(
                    "sumsub_for_client_id",
                    "Kriptomat's Sumsub client id (forClientId of the share token), given by Kriptomat",
                    false,
                    SANDBOX_FOR_CLIENT_ID,
                ),
            ],
            scenarios: vec![
                scenario(
                    "passed",
                    "The import is pending for 10 s, then kyc_status passed; the buy is PENDING for 30 s, then SUCCESS",
                    Outcome::OrderCreated,
                ),
                scenario(
                    "pending_then_passed",
                    "kyc_status stays pending for 15 minutes of sandbox time, then passed; the order succeeds",
                    Outcome::OrderCreated,
                ),
                scenario("declined", "After review kyc_status is declined: Kriptomat will not serve the user", Outcome::Rejected),
                scenario("failed", "After review kyc_status is failed: Kriptomat will not serve the user", Outcome::Rejected),
                scenario(
                    "edd_required",
                    "kyc_status passed but edd_status required: Enhanced Due Diligence must be done first",
                    Outcome::ActionRequired,
                ),
                scenario(
                    "kyc_not_started",
                    "kyc-import is accepted but the user's kyc_status stays not_started",
                    Outcome::ActionRequired,
                ),
                scenario("order_error", "KYC passes; the buy transaction ends in state ERROR", Outcome::Failed),
            ],
        }
    }
}

rampsim_plugin_sdk::export_plugin!(KriptomatPlugin);
