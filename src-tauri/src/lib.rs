//! Slotline: Calendly bookings in a local desktop calendar. The module list, the CLI entry point
//! and `run()` (the Tauri app) live here; only `app` names Tauri.

pub mod app;
pub mod bindings;
pub mod browser;
pub mod calendly;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connect;
pub mod explore;
pub mod export;
pub mod feed;
pub mod icsfeed;
pub mod live;
pub mod oauth;
pub mod prefs;
pub mod queries;
pub mod sandbox;
pub mod secrets;
pub mod serve;
pub mod store;
pub mod sync;
pub mod tunnel;
pub mod webhook;

use clap::Parser;

/// The binary's entry point: parses the command line, then runs a subcommand or the window.
pub fn main() -> std::process::ExitCode {
    init_logging();
    let cli = cli::Cli::parse();
    match cli.command {
        Some(command) => cli::run(command),
        None => run(),
    }
}

/// Opens the window.
pub fn run() -> std::process::ExitCode {
    app::run()
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SLOTLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
