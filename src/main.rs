use clap::Parser;
use rampsim::cli::{Cli, Command};
use rampsim::config::Config;
use rampsim::host::Host;

fn main() {
    let cli = Cli::parse();
    let config = match Config::load(&cli.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rampsim: {e}");
            std::process::exit(2);
        }
    };
    let _log = rampsim::logging::init(&config.app.log_file);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
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
            Some(Command::Plugins { json }) => rampsim::headless::plugins(&host, *json),
            Some(Command::Sandbox { port, provider }) => {
                rampsim::headless::sandbox(&host, *port, provider.as_deref()).await
            }
            None => {
                eprintln!("rampsim: the terminal UI is not built yet; try `rampsim run --help`");
                2
            }
        }
    });
    drop(runtime);
    std::process::exit(code);
}
