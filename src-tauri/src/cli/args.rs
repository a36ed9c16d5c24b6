//! The command line's arguments: the clap definitions of every subcommand and its options.

use std::net::SocketAddr;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::clients::ReportFormat;
use crate::export;

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
