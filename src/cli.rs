//! The command line. Scripts and tests rely on these names and on the exit statuses.

use crate::config::ClockMode;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "rampsim",
    version,
    about = "Replay a user's crypto-onramp onboarding, stage by stage"
)]
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
    /// Run many journeys on the sandbox (distinct generated users) and print a summary.
    Batch(BatchArgs),
    /// Serve the plugins' sandbox fakes on loopback for curl or any client.
    Sandbox {
        /// Port on 127.0.0.1 (default: config's [sandbox] port, else an ephemeral one).
        #[arg(long)]
        port: Option<u16>,
        /// Serve only this provider.
        #[arg(long)]
        provider: Option<String>,
    },
    /// Run a saved journey (a transcript) again against the sandbox on the virtual clock and
    /// report, stage by stage, where the new run differs. The profile is found again by the
    /// name or file the transcript records (or --profile). Exit status: 0 the runs match,
    /// 1 they differ, 2 usage or configuration error, 3 plugin load or contract error.
    Replay(ReplayArgs),
    /// Export a saved journey: `rampsim export curl TRANSCRIPT`.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Tools for plugin authors: `rampsim plugin check PATH`.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum PluginCommand {
    /// Check a plugin library against the contract: handshake and manifest, every scenario end
    /// to end, malformed responses, unknown routes, several threads at once. One line per check;
    /// exit status 0 all passed, 1 a check failed, 3 the host's loader refuses the file.
    /// config.toml is optional here.
    Check {
        /// The plugin library (`target/debug/librampsim_<id>.so`).
        path: PathBuf,
        /// Print the results as one JSON document.
        #[arg(long)]
        json: bool,
        /// The profile journeys use: a name under [profiles] or a profile file (default: the
        /// SDK's sample_profile).
        #[arg(long)]
        profile: Option<String>,
        /// Seconds one plugin call, and one check, may run before the check calls it hung.
        /// After a hang the remaining checks are not run.
        #[arg(long, value_name = "SECS", default_value_t = 120.0, value_parser = positive_secs)]
        time_limit: f64,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct ReplayArgs {
    /// The transcript (a .har file written by `run --transcript` or the UI's `w`).
    pub transcript: PathBuf,
    /// Print the comparison as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Play this scenario of the fake instead of the saved one (what if the provider had
    /// decided otherwise).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Use this profile (a name under [profiles] or a profile file) instead of the saved one.
    #[arg(long)]
    pub profile: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Print the transcript's requests as shell-safe curl commands.
    Curl {
        /// The transcript (.har).
        transcript: PathBuf,
        /// Print the real secrets and KYC values (an unredacted transcript only); says so on
        /// stderr.
        #[arg(long)]
        unredacted: bool,
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
    /// Faults the sandbox injects into this journey instead of config.toml's `[faults]`, e.g.
    /// `seed=7,5xx=20%` (the same seed meets the same faults again).
    #[arg(long, value_parser = crate::sandbox::FaultSpec::parse)]
    pub faults: Option<crate::sandbox::FaultSpec>,
    /// One JSON object per line per event; the last is `journey_finished`.
    #[arg(long)]
    pub json: bool,
    /// Allow a provider configured `mode = "live"` to receive real requests.
    #[arg(long)]
    pub live: bool,
    /// Save the journey as a HAR 1.2 transcript at PATH (a new file, mode 0600: an existing
    /// file or a symlink there is refused before the journey starts).
    #[arg(long, value_name = "PATH")]
    pub transcript: Option<PathBuf>,
    /// Write the transcript with the real secrets and KYC values; says so on stderr and in
    /// the file (`_redacted: false`).
    #[arg(long, requires = "transcript")]
    pub unredacted: bool,
}

#[derive(clap::Args, Debug, Clone)]
pub struct BatchArgs {
    #[arg(long)]
    pub provider: Option<String>,
    #[arg(long)]
    pub scenario: Option<String>,
    /// The profile each generated user starts from.
    #[arg(long)]
    pub profile: Option<String>,
    #[arg(long, default_value_t = 100)]
    pub count: usize,
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Faults injected by the sandbox, e.g. `seed=7,all=30%` or `5xx=0.1,429=0.05,reset=0.05,hang=0.01,malformed=0.05,latency=5`.
    #[arg(long, value_parser = crate::sandbox::FaultSpec::parse)]
    pub faults: Option<crate::sandbox::FaultSpec>,
    /// Default `virtual`.
    #[arg(long, value_parser = parse_clock)]
    pub clock: Option<ClockMode>,
    /// Print only the summary, as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_clock(s: &str) -> Result<ClockMode, String> {
    match s {
        "virtual" => Ok(ClockMode::Virtual),
        "real" => Ok(ClockMode::Real),
        _ => Err(format!("`{s}` is not a clock: use virtual or real")),
    }
}

/// A number of seconds above zero (`0.5`, `120`).
fn positive_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a number of seconds above 0 (at most 86400)"
        )),
    }
}
