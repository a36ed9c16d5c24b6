//! Slotline: Calendly bookings in a local desktop calendar. The module list, the CLI entry point
//! and `run()` (the Tauri app) live here; only `app` names Tauri.

pub mod app;
pub mod bindings;
pub mod browser;
pub mod calendly;
pub mod cli;
pub mod clients;
pub mod clock;
pub mod config;
pub mod connect;
pub mod core;
pub mod explore;
pub mod export;
pub mod feed;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod heap;
pub mod icsfeed;
pub mod live;
pub mod oauth;
pub mod prefs;
pub mod queries;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod tunnel;
pub mod wake;
pub mod webhook;

use clap::Parser;

/// The binary's entry point: parses the command line, then runs a subcommand or the window.
pub fn main() -> std::process::ExitCode {
    started();
    ignore_file_size_signal();
    init_logging();
    let cli = cli::Cli::parse();
    match cli.command {
        Some(command) => cli::run(command),
        None => run(cli.hidden),
    }
}

/// When the process started (the first call, made first thing in [`main`]).
pub fn started() -> std::time::Instant {
    static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *STARTED.get_or_init(std::time::Instant::now)
}

/// Opens the window, or only the tray icon when `hidden` (a start at login).
pub fn run(hidden: bool) -> std::process::ExitCode {
    app::run(hidden)
}

/// How many daily log files are kept in the data directory's `logs/`.
pub const LOG_FILES_KEPT: usize = 7;

/// Logs go to stderr and to `logs/slotline.YYYY-MM-DD.log` in the data directory (one file a
/// day, the oldest deleted beyond [`LOG_FILES_KEPT`]). The default level, `warn`, holds no
/// personal data; `SLOTLINE_LOG` raises it.
fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    // `target=level` directives (`trace`, `slotline=debug,warn`); what does not parse, or no
    // variable at all, means `warn`. `Targets`, not `EnvFilter`: no regex engine in the binary.
    let filter = std::env::var("SLOTLINE_LOG")
        .ok()
        .and_then(|v| v.parse::<tracing_subscriber::filter::Targets>().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new()
                .with_default(tracing_subscriber::filter::LevelFilter::WARN)
        });
    let dir = config::Config::from_env().data_dir.join("logs");
    // No log file (an unwritable data directory) is not a reason to refuse to start.
    let file = log_appender(&dir).map(|appender| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(appender)
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_writer(std::io::stderr),
        )
        .with(file)
        .try_init();
}

/// The rotating log file in `dir`: daily, `slotline.YYYY-MM-DD.log`, at most [`LOG_FILES_KEPT`].
/// The folder (and a data folder it creates) is the user's alone (0700) and each day's file is
/// created 0600 before the appender opens it, whatever the umask: a trace the user asked for may
/// hold personal data.
pub fn log_appender(dir: &std::path::Path) -> Option<PrivateLog> {
    use config::private;
    private::create_private_dir(dir).ok()?;
    let _ = private::tighten(dir);
    let inner = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("slotline")
        .filename_suffix("log")
        .max_log_files(LOG_FILES_KEPT)
        .build(dir)
        .ok()?;
    let log = PrivateLog {
        dir: dir.to_path_buf(),
        day: std::sync::atomic::AtomicI64::new(i64::MIN),
        inner,
    };
    // The appender opened today's file as it was built: private before the first line.
    log.keep_today_private();
    Some(log)
}

/// The daily log appender, each day's file made 0600 as soon as the appender has opened it
/// (the appender creates it with the umask's mode; created beforehand, it would count against
/// the files the appender keeps).
pub struct PrivateLog {
    dir: std::path::PathBuf,
    /// The UTC day (days since the epoch) whose file was last made private.
    day: std::sync::atomic::AtomicI64,
    inner: tracing_appender::rolling::RollingFileAppender,
}

impl PrivateLog {
    /// Takes group and others off today's file (UTC, named as the appender names it) when the
    /// day changed.
    fn keep_today_private(&self) {
        let now = chrono::Utc::now();
        let today = now.timestamp().div_euclid(86_400);
        if self.day.swap(today, std::sync::atomic::Ordering::Relaxed) != today {
            let name = format!("slotline.{}.log", now.format("%Y-%m-%d"));
            let _ = config::private::tighten(&self.dir.join(name));
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for PrivateLog {
    type Writer = tracing_appender::rolling::RollingWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        // The appender rolls over to a new day's file in here; it is made private right after,
        // before a line is written to it.
        let writer = self.inner.make_writer();
        self.keep_today_private();
        writer
    }
}

/// Under a file-size limit (RLIMIT_FSIZE) a write past it raises SIGXFSZ, whose default action
/// kills the process. Ignored, the write fails with EFBIG instead, which SQLite reports as an I/O
/// error that callers answer (a webhook delivery gets 503 and is retried).
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: SIG_IGN installs no handler code, and `main` calls this before any other thread
    // exists.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}
