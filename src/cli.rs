//! The command line. Scripts and tests rely on these names and on the exit statuses.

use crate::config::ClockMode;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "rampsim", version, about = "Replay a user's crypto-onramp onboarding, stage by stage")]
pub struct Cli {
    /// The configuration file.
    #[arg(long, global = true, default_value = "config.toml")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one journey without the UI. Exit status: 0 order_created, 10 rejected,
    /// 11 action_required, 12 timed_out, 13 failed, 2 usage or configuration error,
    /// 3 plugin load or contract error.
    Run(RunArgs),
    /// List the discovered plugins with their manifests, and those that failed to load.
    Plugins {
        #[arg(long)]
        json: bool,
    },
    /// Serve the plugins' sandbox fakes on loopback for curl or any client.
    Sandbox {
        /// Port on 127.0.0.1 (default: config's [sandbox] port, else an ephemeral one).
        #[arg(long)]
        port: Option<u16>,
        /// Serve only this provider.
        #[arg(long)]
        provider: Option<String>,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// Provider id (default: config's app.provider).
    #[arg(long)]
    pub provider: Option<String>,
    /// The fake's scenario (default: the provider's configured or first scenario).
    #[arg(long)]
    pub scenario: Option<String>,
    /// A profile name under [profiles] or a path to a profile file.
    #[arg(long)]
    pub profile: Option<String>,
    /// `virtual`: waiting advances time at once; `real`: wall-clock time.
    #[arg(long, value_parser = parse_clock)]
    pub clock: Option<ClockMode>,
    /// One JSON object per line per event; the last is `journey_finished`.
    #[arg(long)]
    pub json: bool,
    /// Allow a provider configured `mode = "live"` to receive real requests.
    #[arg(long)]
    pub live: bool,
}

fn parse_clock(s: &str) -> Result<ClockMode, String> {
    match s {
        "virtual" => Ok(ClockMode::Virtual),
        "real" => Ok(ClockMode::Real),
        _ => Err(format!("`{s}` is not a clock: use virtual or real")),
    }
}
