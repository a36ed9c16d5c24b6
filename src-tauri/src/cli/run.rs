//! Each subcommand's runner: one core call (or the sandbox), its output on stdout and its
//! failure as one line on stderr with an exit code.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use super::args::{Command, Format};
use super::print::status_text;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::core::{Core, CoreError, CoreEvent, OAuthRequest};
use crate::export;

use crate::store::Store;
use crate::tunnel::Exposure;
use calendly_sandbox::{Sandbox, SandboxConfig};

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
