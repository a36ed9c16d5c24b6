//! The command line: clap subcommands mapped onto core calls. Every subcommand but the window
//! runs without a display; errors are one clear line on stderr and a non-zero exit.
//!
//! `args` defines the subcommands, `run` runs each one, `print` renders what `status` shows.

mod args;
mod print;
mod run;

pub use self::args::{Cli, Command, Format};
pub use self::print::status_text;
pub use self::run::run;
