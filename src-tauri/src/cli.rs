//! The command line: clap subcommands mapped onto core calls. Every subcommand but the window
//! runs without a display; errors are one clear line on stderr and a non-zero exit.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use std::sync::Arc;

use crate::clients::ReportFormat;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::core::{Core, CoreError, CoreEvent, OAuthRequest};
use crate::export;
use crate::feed;
use crate::store::Store;
use crate::tunnel::Exposure;
use calendly_sandbox::{Sandbox, SandboxConfig};

#[derive(Debug, Parser)]
#[command(
    name = "slotline",
    version,
    about = "Calendly bookings, cancellations, reschedules and no-shows in a local calendar.",
    long_about = "Calendly bookings, cancellations, reschedules and no-shows in a local calendar.\n\nWithout a subcommand, opens the Slotline window.\n\nEnvironment: SLOTLINE_DATA_DIR (where the database lives), SLOTLINE_CALENDLY_API_URL and SLOTLINE_CALENDLY_AUTH_URL (default https://api.calendly.com and https://auth.calendly.com), SLOTLINE_LOG (log filter, default warn)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Start in the tray without opening the window (the login item passes this).
    #[arg(long, global = false)]
    pub hidden: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect a Calendly account (personal access token on stdin, or OAuth in the browser).
    Connect {
        /// Read a personal access token from standard input.
        #[arg(long, conflicts_with = "oauth")]
        token_stdin: bool,
        /// Authorize in the system browser (loopback OAuth with PKCE).
        #[arg(long)]
        oauth: bool,
        /// The OAuth app's client ID.
        #[arg(long, requires = "oauth")]
        client_id: Option<String>,
        /// The loopback port registered as the OAuth redirect (default 53682).
        #[arg(long, requires = "oauth")]
        redirect_port: Option<u16>,
        /// Read the OAuth app's client secret from standard input (web apps only).
        #[arg(long, requires = "oauth")]
        client_secret_stdin: bool,
        /// How long to wait for the browser's redirect, in seconds.
        #[arg(long, default_value_t = 300, requires = "oauth")]
        timeout: u64,
    },
    /// Receive webhooks headless, keep the subscription and reconcile.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        #[arg(long, conflicts_with = "tunnel")]
        public_url: Option<String>,
        #[arg(long, value_parser = ["ngrok"])]
        tunnel: Option<String>,
        /// Minutes between reconciles with Calendly's API.
        #[arg(long, default_value_t = 15)]
        reconcile_minutes: u64,
    },
    /// Store the ngrok authtoken (read from stdin) in the keyring; an empty input removes it.
    NgrokToken {
        #[arg(long)]
        stdin: bool,
    },
    /// Fetch scheduled events and invitees from Calendly into the local store.
    Sync,
    /// Print the store to stdout.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// First day (UTC), inclusive.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day (UTC), inclusive.
        #[arg(long)]
        to: Option<NaiveDate>,
        /// Leave canceled meetings out (ICS and CSV meetings; by default ICS marks them
        /// STATUS:CANCELLED). The JSON always has everything.
        #[arg(long)]
        omit_canceled: bool,
        /// Which CSV: one row per meeting or per contact (contacts ignore --from/--to).
        #[arg(long, value_enum, default_value = "meetings")]
        csv: export::CsvKind,
    },
    /// Hours, meetings, cancellations, no-shows and revenue per client, event type and week
    /// over a range of days (JSON, or CSV for invoicing).
    #[command(long_about = REPORT_ABOUT)]
    Report {
        /// First day, inclusive (YYYY-MM-DD, a day in --tz). Default: the first day of this month.
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// Last day, inclusive (YYYY-MM-DD). Default: the last day of this month.
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// The IANA zone the days and weeks are in, e.g. Europe/Berlin. Default: the system's
        /// zone (TZ when set).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
    },
    /// Show the connection, the last sync and the store's size.
    Status,
    /// Forget the account's tokens; keeps the local history unless --erase.
    Disconnect {
        /// Also erase the local meetings, contacts and activity.
        #[arg(long)]
        erase: bool,
    },
    /// Move the database aside (kept next to it under a timestamped name, nothing deleted) and
    /// start with an empty one: the way out of a damaged or foreign database file.
    ResetStore,
    /// Run the offline Calendly-compatible sandbox and print its URLs and a personal access token.
    Sandbox {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// How many scheduled events to generate.
        #[arg(long, default_value_t = 120)]
        events: usize,
        /// Spread the meetings from this many days back (default 60).
        #[arg(long)]
        days_back: Option<u32>,
        /// Spread the meetings until this many days ahead (default 120); a longer span holds
        /// more meetings (about 16 a weekday).
        #[arg(long)]
        days_ahead: Option<u32>,
        /// API requests allowed per minute and token (default 500, as Calendly's).
        #[arg(long)]
        rate_limit: Option<u32>,
        /// The personal access token to accept (default: a random one).
        #[arg(long)]
        token: Option<String>,
        /// Book, cancel, reschedule or mark a no-show every N seconds.
        #[arg(long)]
        live_every: Option<u64>,
        /// Act as a Calendly plan without webhooks (subscriptions answer 403).
        #[arg(long)]
        no_webhooks: bool,
    },
}

const REPORT_ABOUT: &str = "Hours, meetings, cancellations, no-shows and revenue per client, event type and week over a range of days, from the local store.

Range: the meetings whose start falls on a day from --from to --to (both inclusive) in --tz; with neither, this month. Weeks start on Monday in --tz.

Clients: invitees grouped by email domain (case-insensitively); on a free-mail domain (gmail.com, outlook.com, ...) each person is a client of their own. The window's renames, merges and moves apply.

Counting: a meeting counts for a client when it is active and has an active invitee of that client (a group meeting with two clients counts once for each); in event_types and weeks each meeting counts once. A no-show counts in meetings and hours and in no_shows. A cancellation counts in canceled, not in meetings; a reschedule is not a cancellation (the old booking counts nowhere, the new one normally). Hours: durations summed, rounded to 2 decimals. Revenue: successful payments of active invitees, per currency. last_meeting/next_meeting: the client's latest meeting in the range before now and its first one from now on (UTC).

JSON: {from, to, tz, clients: [{name, domain|null, people, meetings, hours, canceled, no_shows, revenue: [{currency, amount}], last_meeting, next_meeting}], event_types: [{name, meetings, hours, canceled, no_shows}], weeks: [{week_start, meetings, hours, canceled, no_shows}]}, every key always present.
CSV: a header, then one row per client: client, domain, people, meetings, hours, canceled, no_shows, one revenue_<CURRENCY> column per currency, last_meeting, next_meeting.";

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Json,
    Ics,
    Csv,
}

#[derive(Debug)]
struct Failure {
    message: String,
    code: u8,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure {
            message: e.to_string(),
            code: 1,
        }
    }
}

pub fn run(command: Command) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("slotline: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(dispatch(command));
    // A blocking task still waiting (another process's sync lock, a keyring call) must not keep
    // a finished command from exiting.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("slotline: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

async fn dispatch(command: Command) -> Result<(), Failure> {
    let config = Config::from_env();
    match command {
        Command::Sandbox {
            listen,
            seed,
            events,
            days_back,
            days_ahead,
            rate_limit,
            token,
            live_every,
            no_webhooks,
        } => {
            let defaults = SandboxConfig::default();
            let mut config = SandboxConfig {
                seed,
                events,
                span_days: (
                    days_back.unwrap_or(defaults.span_days.0),
                    days_ahead.unwrap_or(defaults.span_days.1),
                ),
                rate_limit_per_minute: rate_limit.unwrap_or(defaults.rate_limit_per_minute),
                webhooks_allowed: !no_webhooks,
                live_activity: live_every.map(std::time::Duration::from_secs),
                ..defaults
            };
            if let Some(t) = token {
                config.personal_access_token = t;
            }
            run_sandbox(listen, config).await
        }
        Command::Connect {
            token_stdin: true, ..
        } => {
            let mut token = String::new();
            std::io::stdin()
                .read_to_string(&mut token)
                .map_err(|e| format!("could not read the token from stdin: {e}"))?;
            let acct = Core::open(config)?.connect(&token).await?;
            println!("Connected to Calendly as {} <{}>.", acct.name, acct.email);
            Ok(())
        }
        Command::Connect {
            oauth: true,
            client_id,
            redirect_port,
            client_secret_stdin,
            timeout,
            ..
        } => {
            let client_secret = if client_secret_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| format!("could not read the client secret from stdin: {e}"))?;
                Some(s)
            } else {
                None
            };
            let req = OAuthRequest {
                client_id: client_id
                    .or_else(|| std::env::var("SLOTLINE_OAUTH_CLIENT_ID").ok())
                    .unwrap_or_default(),
                client_secret,
                redirect_port: Some(redirect_port.unwrap_or(crate::oauth::DEFAULT_REDIRECT_PORT)),
                redirect_uri: None,
            };
            connect_oauth(Core::open(config)?, req, timeout).await
        }
        Command::Connect { .. } => Err(Failure {
            message:
                "say how to connect: --token-stdin (a personal access token on stdin) or --oauth"
                    .into(),
            code: 2,
        }),
        Command::Serve {
            listen,
            public_url,
            tunnel,
            reconcile_minutes,
        } => {
            let core = Core::open(config)?;
            let exposure = match (public_url, tunnel) {
                (Some(u), _) => Exposure::PublicUrl(u),
                (None, Some(_)) => {
                    let authtoken = core
                        .ngrok_authtoken()?
                        .or_else(|| std::env::var("NGROK_AUTHTOKEN").ok())
                        .ok_or_else(|| Failure {
                            message: "no ngrok authtoken: store one with `slotline ngrok-token --stdin` (or set NGROK_AUTHTOKEN)".into(),
                            code: 2,
                        })?;
                    Exposure::Ngrok {
                        authtoken,
                        domain: std::env::var("SLOTLINE_NGROK_DOMAIN").ok(),
                        server_addr: std::env::var("SLOTLINE_NGROK_SERVER_ADDR").ok(),
                    }
                }
                (None, None) => Exposure::None,
            };
            let opts = crate::live::LiveOptions {
                listen,
                exposure,
                reconcile_every: std::time::Duration::from_secs(reconcile_minutes.max(1) * 60),
                check_subscription_every: std::time::Duration::from_secs(300),
            };
            let printer = print_events(&core, "serve");
            let served = core.serve(opts, shutdown_signal()).await;
            printer.abort();
            Ok(served?)
        }
        Command::NgrokToken { stdin: _ } => {
            let mut token = String::new();
            std::io::stdin()
                .read_to_string(&mut token)
                .map_err(|e| format!("could not read the authtoken from stdin: {e}"))?;
            if Core::open(config)?.store_ngrok_authtoken(Some(&token))? {
                println!("The ngrok authtoken is stored in the keyring.");
            } else {
                println!("The ngrok authtoken was removed from the keyring.");
            }
            Ok(())
        }
        Command::Sync => {
            let core = Core::open(config)?;
            let printer = print_events(&core, "sync");
            let out = core.sync_outcome().await;
            printer.abort();
            let out = out?;
            let how = if out.elsewhere {
                " (joined the sync another Slotline process was running)"
            } else {
                ""
            };
            eprintln!(
                "sync: done{how} — {} events seen, {} changed, {} new activities, {} rows written",
                out.progress.events_seen,
                out.applied.events_changed,
                out.applied.activities_added,
                out.applied.rows_written
            );
            Ok(())
        }
        Command::Export {
            format,
            from,
            to,
            omit_canceled,
            csv,
        } => {
            let core = Core::open(config)?;
            let format = match format {
                Format::Json => export::ExportFormat::Json,
                Format::Ics => export::ExportFormat::Ics,
                Format::Csv => export::ExportFormat::Csv,
            };
            let opts = export::ExportOptions {
                range: export::Range { from, to },
                include_canceled: !omit_canceled,
                csv,
                now: SystemClock.now(),
            };
            let bytes = export::render(core.store(), format, &opts)?;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
            Ok(())
        }
        Command::Report {
            from,
            to,
            tz,
            format,
        } => {
            let core = Core::open(config)?;
            let bytes = core
                .report_range(from.as_deref(), to.as_deref(), tz.as_deref())
                .and_then(|range| core.render_report(&range, format))
                .map_err(|e| Failure {
                    code: if matches!(e, CoreError::InvalidInput(_)) {
                        2
                    } else {
                        1
                    },
                    message: e.to_string(),
                })?;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
            Ok(())
        }
        Command::Status => {
            let core = Core::open(config.clone())?;
            print!("{}", status_text(&core.status()?, &config));
            Ok(())
        }
        Command::ResetStore => {
            let path = config.db_path();
            match crate::store::db::move_aside(&path, SystemClock.now())? {
                Some(moved) => {
                    Store::open(&path)?;
                    println!(
                        "Moved {} aside to {}; Slotline starts with an empty store (connect and sync again).",
                        path.display(),
                        moved.display()
                    );
                }
                None => println!(
                    "There is no database at {}; nothing to move.",
                    path.display()
                ),
            }
            Ok(())
        }
        Command::Disconnect { erase } => {
            let warnings = Core::open(config)?.disconnect(erase).await?;
            for warning in warnings {
                eprintln!("slotline: {warning}");
            }
            if erase {
                println!("Disconnected. The tokens and the local history were erased.");
            } else {
                println!("Disconnected. The tokens were removed from the keyring; the local history was kept (use --erase to remove it too).");
            }
            Ok(())
        }
    }
}

pub fn status_text(s: &feed::StatusView, config: &Config) -> String {
    let mut out = String::new();
    match &s.account {
        Some(a) => {
            let kind = if a.auth_kind == "oauth" {
                "OAuth"
            } else {
                "personal access token"
            };
            let sandbox = if a.sandbox { " (offline sandbox)" } else { "" };
            out.push_str(&format!(
                "Connected: {} <{}>{sandbox}\nAuth: {kind}\nAPI: {}\n",
                a.name, a.email, a.api_url
            ));
            if let Some(tz) = &a.timezone {
                out.push_str(&format!("Time zone: {tz}\n"));
            }
        }
        None => {
            out.push_str("Connected: no (run `slotline connect --token-stdin` or open the app)\n")
        }
    }
    if let Some(r) = &s.reconnect {
        out.push_str(&format!("Reconnect Calendly: {r}\n"));
    }
    if let Some(w) = &s.token_warning {
        out.push_str(&format!("Sign-in not saved: {w}\n"));
    }
    if let Some(at) = s
        .last_refresh
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
    {
        out.push_str(&format!(
            "Token refreshed: {}\n",
            crate::clock::format_utc(at)
        ));
    }
    out.push_str(&format!(
        "Last sync: {}\n",
        s.last_sync.as_deref().unwrap_or("never")
    ));
    if let Some(e) = &s.last_sync_error {
        out.push_str(&format!("Last sync error: {e}\n"));
    }
    out.push_str(&format!(
        "Store: {} events, {} contacts in {}\n",
        s.events,
        s.contacts,
        config.db_path().display()
    ));
    let i = &s.inbox;
    if i.pending + i.failed + i.unapplied > 0 {
        let reasons = i
            .unapplied_reasons
            .iter()
            .map(|r| format!("{}: {}", r.reason, r.count))
            .collect::<Vec<_>>()
            .join(", ");
        let reasons = if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({reasons})")
        };
        out.push_str(&format!(
            "Webhook inbox: {} pending, {} failed, {} not applied{reasons}\n",
            i.pending, i.failed, i.unapplied
        ));
    }
    out.push_str(&format!("Keyring: {}\n", s.keyring));
    out
}

/// `slotline connect --oauth`: prints the authorize URL, opens the browser, waits.
async fn connect_oauth(core: Arc<Core>, req: OAuthRequest, timeout: u64) -> Result<(), Failure> {
    let start = core.begin_oauth(req).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", start.authorize_url)?;
        out.flush()?;
    }
    if !crate::browser::open(&start.authorize_url) {
        eprintln!("Open the link above in a browser to approve Slotline.");
    }
    eprintln!(
        "Waiting for Calendly's redirect to {} (up to {timeout} s)...",
        start.redirect_uri
    );
    let acct = core
        .finish_sign_in(std::time::Duration::from_secs(timeout))
        .await?;
    println!(
        "Connected to Calendly as {} <{}> (OAuth).",
        acct.name, acct.email
    );
    Ok(())
}

/// Prints the core's sentences and sync progress on stderr, as `<what>: …` lines.
fn print_events(core: &Core, what: &'static str) -> tokio::task::JoinHandle<()> {
    let mut rx = core.subscribe();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match rx.recv().await {
                Ok(CoreEvent::Say(s)) => eprintln!("{what}: {s}"),
                Ok(CoreEvent::Progress(p)) if p.running && p.pages > 0 => {
                    let left = p
                        .requests_left
                        .map(|r| format!(", {r} requests left this minute"))
                        .unwrap_or_default();
                    eprintln!("{what}: page {}, {} events{left}", p.pages, p.events);
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    })
}

async fn run_sandbox(listen: SocketAddr, config: SandboxConfig) -> Result<(), Failure> {
    if !listen.ip().is_loopback() {
        return Err(Failure {
            message: format!("the sandbox only listens on loopback addresses, not {listen}"),
            code: 2,
        });
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("could not listen on {listen}: {e}"))?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let sandbox = Sandbox::start(config, listener, async move {
        let _ = stop_rx.await;
    })
    .await?;
    let base = sandbox.base_url();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Slotline offline sandbox (a Calendly-compatible server on loopback)"
    )?;
    writeln!(out, "API URL: {base}")?;
    writeln!(out, "Auth URL: {base}")?;
    writeln!(out, "OAuth authorize: {base}/oauth/authorize")?;
    writeln!(
        out,
        "Personal access token: {}",
        sandbox.personal_access_token()
    )?;
    writeln!(out, "Try: export SLOTLINE_CALENDLY_API_URL={base} SLOTLINE_CALENDLY_AUTH_URL={base}; echo <token> | slotline connect --token-stdin; slotline sync")?;
    out.flush()?;
    drop(out);
    shutdown_signal().await;
    let _ = stop_tx.send(());
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
