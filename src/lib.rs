//! rampsim: replay a user's crypto-onramp onboarding, stage by stage, against provider plugins.

// Unsafe code lives in the plugin loader alone (allowed there): nowhere else by accident.
#![deny(unsafe_code)]

pub mod batch;
pub mod check;
pub mod cli;
pub mod clock;
pub mod config;
pub mod headless;
pub mod host;
pub mod interrupt;
pub mod journey;
pub mod logging;
pub mod output;
pub mod plugin;
pub mod redact;
pub mod sandbox;
pub mod transcript;
pub mod tui;
