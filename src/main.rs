#![deny(unsafe_code)]

use clap::Parser;
use rampsim::cli::{Cli, Command, ExportCommand};
use rampsim::config::Config;
use rampsim::host::Host;

fn main() {
    let cli = Cli::parse();
    if let Some(Command::Plugin { command }) = &cli.command {
        // Before config.toml is required: a plugin's author may have none.
        std::process::exit(rampsim::check::main(&cli.config, command));
    }
    if let Some(Command::Export {
        command: ExportCommand::Curl {
            transcript,
            unredacted,
        },
    }) = &cli.command
    {
        // A transcript needs no config.toml: whoever receives one may have none.
        let code = rampsim::transcript::curl::export_command(transcript, *unredacted);
        std::process::exit(code);
    }
    let config = match Config::load(&cli.config) {
        Ok(c) => c,
        Err(e) => {
            // Redacted as every message is: its identifiers' marks go (see redact::ident).
            eprintln!(
                "rampsim: {}",
                rampsim::redact::global_redact(&e.to_string())
            );
            std::process::exit(2);
        }
    };
    let level = match &cli.command {
        Some(Command::Batch(_)) => "warn",
        _ => "info",
    };
    let _log = rampsim::logging::init_with_default(&config.app.log_file, level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rampsim: cannot start the async runtime: {e}");
            std::process::exit(13);
        }
    };
    let host = Host::new(config);
    let code = runtime.block_on(async {
        match &cli.command {
            Some(Command::Run(args)) => rampsim::headless::run(&host, args).await,
            Some(Command::Batch(args)) => rampsim::headless::batch(&host, args).await,
            Some(Command::Plugins { json }) => rampsim::headless::plugins(&host, *json),
            Some(Command::Replay(args)) => rampsim::transcript::replay::replay_command(&host, args).await,
            // Dispatched above, before config.toml is read.
            Some(Command::Export { .. }) => 2,
            // Dispatched above, before config.toml is read.
            Some(Command::Plugin { .. }) => 2,
            Some(Command::Sandbox { port, provider }) => {
                rampsim::headless::sandbox(&host, *port, provider.as_deref()).await
            }
            None => {
                // The UI draws on the terminal; scripts and pipes want `rampsim run`.
                if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                    rampsim::tui::run(std::sync::Arc::new(host)).await
                } else {
                    eprintln!("rampsim: the terminal UI needs a terminal on stdout; for scripts use `rampsim run` (see --help)");
                    2
                }
            }
        }
    });
    // Dropping the runtime would wait for every worker thread, and one may be inside a plugin
    // call that never returns (the TUI quit while a stage ran): wait a little, then leave it.
    runtime.shutdown_timeout(rampsim::interrupt::GRACE);
    if let Some(call) = rampsim::plugin::oldest_call() {
        eprintln!("rampsim: {}; exiting", call.did_not_return());
    }
    std::process::exit(code);
}
