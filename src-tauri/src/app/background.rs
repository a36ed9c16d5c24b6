//! The live service inside the window: started after connecting and at launch, restarted when
//! the real-time settings change, its reports turned into `data-changed` events and desktop
//! notifications. It keeps running while the window is hidden in the tray.

use std::net::SocketAddr;
use std::time::Duration;

use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::mpsc;

use super::events::Emitter;
use super::state::AppState;
use crate::live::{Live, LiveEvent, LiveOptions, LiveTuning};
use crate::prefs;
use crate::secrets::{SecretKind, SecretStore};
use crate::store::account;
use crate::tunnel::Exposure;

/// The receiver's port when the user points their own public URL at this machine.
pub const PUBLIC_URL_PORT: u16 = 8787;

fn free_loopback_port() -> Option<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()
        .map(|a| a.port())
}

/// Stops the running live service (if any) and starts one for the current account and
/// preferences. Does nothing when no account is connected.
pub async fn restart(handle: &AppHandle) {
    let state = handle.state::<AppState>();
    if let Some(old) = state.live.lock().await.take() {
        if let Err(e) = old.stop().await {
            tracing::warn!(error = %e, "the live service did not stop cleanly");
        }
    }
    let Ok(Some(acct)) = state.store.read(|tx| account::get(tx)) else {
        return;
    };
    let prefs = prefs::load(&state.store).unwrap_or_default();
    let (listen, exposure) = if acct.is_sandbox {
        // The offline sandbox is on this machine: it can deliver straight to the receiver.
        let port = free_loopback_port().unwrap_or(0);
        (
            SocketAddr::from(([127, 0, 0, 1], port)),
            Exposure::PublicUrl(format!("http://127.0.0.1:{port}")),
        )
    } else {
        match prefs.webhook_mode.as_str() {
            "public-url" => match &prefs.public_url {
                Some(u) => (
                    SocketAddr::from(([127, 0, 0, 1], PUBLIC_URL_PORT)),
                    Exposure::PublicUrl(u.clone()),
                ),
                None => (SocketAddr::from(([127, 0, 0, 1], 0)), Exposure::None),
            },
            "ngrok" => match state.secrets.get(SecretKind::NgrokAuthtoken) {
                Ok(Some(authtoken)) => (
                    SocketAddr::from(([127, 0, 0, 1], 0)),
                    Exposure::Ngrok {
                        authtoken,
                        domain: prefs.ngrok_domain.clone(),
                        server_addr: std::env::var("SLOTLINE_NGROK_SERVER_ADDR").ok(),
                    },
                ),
                _ => (SocketAddr::from(([127, 0, 0, 1], 0)), Exposure::None),
            },
            _ => (SocketAddr::from(([127, 0, 0, 1], 0)), Exposure::None),
        }
    };
    let tuning = LiveTuning {
        relay: crate::oauth::relay::process_relay(),
        ..LiveTuning::default()
    };
    let opts = LiveOptions {
        listen,
        exposure,
        reconcile_every: Duration::from_secs(u64::from(prefs.reconcile_minutes.max(1)) * 60),
        check_subscription_every: Duration::from_secs(300),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    match Live::start_tuned(state.store.clone(), state.secrets.clone(), opts, tx, tuning).await {
        Ok(live) => {
            *state.live.lock().await = Some(live);
            tauri::async_runtime::spawn(forward(handle.clone(), rx));
        }
        Err(e) => tracing::warn!(error = %e, "the live service did not start"),
    }
    Emitter::new(handle).stale(&["status", "webhooks"]);
}

/// Turns live reports into window events and notifications.
async fn forward(handle: AppHandle, mut rx: mpsc::UnboundedReceiver<LiveEvent>) {
    while let Some(event) = rx.recv().await {
        let emit = Emitter::new(&handle);
        match event {
            LiveEvent::Say(s) => tracing::info!(live = %s),
            LiveEvent::Progress(p) => emit.progress(&p),
            LiveEvent::Woke(_) | LiveEvent::NetworkBack => {}
            LiveEvent::Offline(_) => emit.stale(&["status", "webhooks"]),
            LiveEvent::Status(_) => emit.stale(&["status", "webhooks"]),
            LiveEvent::Synced(o) => {
                if o.applied.rows_written > 0 {
                    emit.stale(&["events", "contacts", "dashboard", "status"]);
                } else {
                    emit.stale(&["status"]);
                }
            }
            LiveEvent::Applied(report) => {
                emit.stale(&["events", "contacts", "dashboard", "status", "webhooks"]);
                notify(&handle, &report.invitee_uris);
            }
        }
    }
}

/// Announces bookings, cancellations and reschedules (when the user wants notifications).
fn notify<'a>(handle: &AppHandle, invitee_uris: impl IntoIterator<Item = &'a String>) {
    let state = handle.state::<AppState>();
    if !prefs::load(&state.store)
        .map(|p| p.notifications)
        .unwrap_or(true)
    {
        return;
    }
    for uri in invitee_uris {
        let row = state.store.read(|tx| {
            tx.query_row(
                "SELECT coalesce(i.name, i.email), i.status, i.old_invitee IS NOT NULL,
                    i.rescheduled, e.name, e.start_time
                 FROM invitees i JOIN scheduled_events e ON e.uri = i.event_uri WHERE i.uri = ?1",
                [uri],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .map_err(crate::store::StoreError::from)
        });
        let Ok((who, status, is_new_half, rescheduled, event, start)) = row else {
            continue;
        };
        let when = chrono::DateTime::parse_from_rfc3339(&start)
            .map(|d| {
                d.with_timezone(&chrono::Local)
                    .format("%a %e %b, %H:%M")
                    .to_string()
            })
            .unwrap_or(start);
        let (title, body) = match (status.as_str(), is_new_half, rescheduled) {
            ("canceled", _, true) => continue, // the created half announces the reschedule
            ("canceled", _, false) => ("Meeting canceled", format!("{who} — {event}, {when}")),
            (_, true, _) => (
                "Meeting rescheduled",
                format!("{who} — {event}, now {when}"),
            ),
            _ => ("New booking", format!("{who} — {event}, {when}")),
        };
        if let Err(e) = handle
            .notification()
            .builder()
            .title(title)
            .body(body)
            .show()
        {
            tracing::warn!(error = %e, "could not show a notification");
        }
    }
}
