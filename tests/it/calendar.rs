//! The calendar's read side against the real sandbox and a real SQLite file: the invitee summary
//! that migration 0005 keeps on each meeting (by triggers) always equals one computed from the
//! invitees, the reschedule chain walks earlier → this → later, and private notes survive syncs
//! (the same apply path as webhooks) and go with the history when it is erased.

use std::time::Duration;

use calendly_sandbox::{BookingSpec, Sandbox, SandboxConfig};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use slotline::calendly::Client;
use slotline::feed;
use slotline::store::{account, notes, Store, StoreError};
use slotline::sync::engine::{self, SyncOptions, Window};

async fn sandbox() -> Sandbox {
    crate::common::sandbox(SandboxConfig {
        seed: 61,
        events: 60,
        latency: Duration::from_millis(1),
        rate_limit_per_minute: 100_000,
        ..SandboxConfig::default()
    })
    .await
}

async fn sync(sb: &Sandbox, store: &Store, now: DateTime<Utc>) {
    let client = Client::new(&sb.base_url(), &sb.personal_access_token()).expect("client");
    let opts = SyncOptions {
        backoff_base: Duration::from_millis(5),
        ..SyncOptions::default()
    };
    engine::sync_with(
        &client,
        store,
        &sb.user_uri(),
        &Window::around(now),
        now,
        &opts,
        |_| {},
    )
    .await
    .expect("sync");
}

fn event_of(invitee_uri: &str) -> String {
    slotline::calendly::models::event_of_invitee_uri(invitee_uri).expect("an invitee URI")
}

/// Every stored meeting's summary columns beside the same summary computed from its invitees.
fn summaries_match(conn: &Connection) -> usize {
    let mut stmt = conn
        .prepare(
            "SELECT e.uri,
                e.invitee_names IS (SELECT group_concat(CASE WHEN i.status = 'active' THEN coalesce(i.name, i.email) END, char(31))
                                      FROM invitees i WHERE i.event_uri = e.uri),
                e.rescheduled_from IS (SELECT max(i.old_invitee) FROM invitees i WHERE i.event_uri = e.uri),
                e.rescheduled_to IS (SELECT max(i.new_invitee) FROM invitees i WHERE i.event_uri = e.uri),
                e.no_shows = (SELECT count(*) FROM invitees i WHERE i.event_uri = e.uri AND i.no_show_uri IS NOT NULL)
             FROM scheduled_events e",
        )
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                [r.get::<_, bool>(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
            ))
        })
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    for (uri, ok) in &rows {
        assert_eq!(
            ok, &[true; 4],
            "summary of {uri} (names, from, to, no-shows)"
        );
    }
    rows.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_the_tile_summary_and_private_notes_through_syncs() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("slotline.db")).expect("store");
    let now = sb.now();
    let day = |d: i64, h: u32| {
        (now + chrono::Duration::days(d))
            .date_naive()
            .and_hms_opt(h, 0, 0)
            .expect("time")
            .and_utc()
    };

    // A booking, moved twice: A → B → C.
    let a = sb
        .book(BookingSpec {
            event_type: Some("intro-call".into()),
            start: Some(day(3, 9)),
            invitee_name: Some("Ada Chain".into()),
            invitee_email: Some("ada.chain@example.com".into()),
            ..BookingSpec::default()
        })
        .expect("book");
    sync(&sb, &store, now).await;
    let n = store
        .read(|tx| Ok::<_, StoreError>(summaries_match(tx)))
        .expect("read");
    assert!(n > 20, "the sandbox's meetings were stored ({n})");

    // A note on A before it moves; it must survive the sync that cancels A.
    store
        .with_tx(|tx| {
            notes::set(
                tx,
                &a.event_uri,
                "Prefers mornings.",
                "2026-01-01T08:00:00Z",
            )
        })
        .expect("note");
    let b_inv = sb.reschedule(&a.invitee_uri, day(4, 9)).expect("A → B");
    let c_inv = sb.reschedule(&b_inv, day(5, 9)).expect("B → C");
    let (b, c) = (event_of(&b_inv), event_of(&c_inv));
    sync(&sb, &store, now).await;
    store
        .with_tx(|tx| notes::set(tx, &b, "Moved because of a clash.", "2026-01-02T08:00:00Z"))
        .expect("note on B");
    // A no-show and its clearing change the summary through the update trigger.
    sb.mark_no_show(&c_inv).expect("no-show");
    sync(&sb, &store, now).await;

    let (chain, tile_b, tile_c, note_a, note_b) = store
        .read(|tx| {
            summaries_match(tx);
            let chain = feed::reschedule_chain(tx, &b)?;
            let tiles = feed::calendar_range(
                tx,
                day(3, 0).timestamp_millis(),
                day(6, 0).timestamp_millis(),
                true,
            )?;
            let tile = |uri: &str| tiles.iter().find(|t| t.uri == uri).cloned();
            Ok::<_, StoreError>((
                chain,
                tile(&b),
                tile(&c),
                feed::private_note(tx, &a.event_uri)?,
                feed::private_note(tx, &b)?,
            ))
        })
        .expect("read");

    let uris: Vec<&str> = chain.iter().map(|l| l.uri.as_str()).collect();
    assert_eq!(uris, [a.event_uri.as_str(), b.as_str(), c.as_str()]);
    assert_eq!(
        chain.iter().map(|l| l.current).collect::<Vec<_>>(),
        [false, true, false]
    );
    assert_eq!(
        chain
            .iter()
            .map(|l| l.status.as_deref())
            .collect::<Vec<_>>(),
        [Some("canceled"), Some("canceled"), Some("active")]
    );
    assert!(chain.iter().all(|l| l.stored && l.start.is_some()));
    assert!(chain[0].start < chain[1].start && chain[1].start < chain[2].start);
    // The same chain from either end.
    let from_c = store
        .read(|tx| feed::reschedule_chain(tx, &c))
        .expect("chain of C");
    assert_eq!(
        from_c.iter().map(|l| l.uri.as_str()).collect::<Vec<_>>(),
        uris
    );
    assert!(from_c[2].current);

    // Tiles link events (not Calendly's invitee URIs) and carry the invitee summary.
    let tile_b = tile_b.expect("B is in the range");
    assert_eq!(
        tile_b.rescheduled_from.as_deref(),
        Some(a.event_uri.as_str())
    );
    assert_eq!(tile_b.rescheduled_to.as_deref(), Some(c.as_str()));
    assert!(tile_b.invitee_names.is_empty(), "B's only invitee moved on");
    let tile_c = tile_c.expect("C is in the range");
    assert_eq!(tile_c.invitee_names, ["Ada Chain"]);
    assert!(tile_c.any_no_show);
    assert_eq!(tile_c.rescheduled_to, None);

    // Notes came through two syncs that rewrote their meetings.
    assert_eq!(note_a.map(|n| n.body), Some("Prefers mornings.".into()));
    assert_eq!(
        note_b.map(|n| n.body),
        Some("Moved because of a clash.".into())
    );

    sb.clear_no_show(&c_inv).expect("clear");
    sync(&sb, &store, now).await;
    let (tile_c, note_b) = store
        .read(|tx| {
            summaries_match(tx);
            let tiles = feed::calendar_range(
                tx,
                day(5, 0).timestamp_millis(),
                day(6, 0).timestamp_millis(),
                false,
            )?;
            Ok::<_, StoreError>((
                tiles.into_iter().find(|t| t.uri == c),
                feed::private_note(tx, &b)?,
            ))
        })
        .expect("read");
    assert!(!tile_c.expect("C").any_no_show);
    assert!(note_b.is_some(), "still there after a third sync");

    // Forgetting the history forgets the notes with it.
    store
        .with_tx(|tx| account::erase_history(tx))
        .expect("erase");
    let left: i64 = store
        .read(|tx| {
            Ok::<_, StoreError>(
                tx.query_row("SELECT count(*) FROM private_notes", [], |r| r.get(0))?,
            )
        })
        .expect("count");
    assert_eq!(left, 0);
}

#[test]
fn upgrading_to_0005_fills_the_summary_of_stored_meetings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v4.db");
    {
        let mut conn = Connection::open(&path).expect("open");
        slotline::store::db::MIGRATIONS
            .to_version(&mut conn, 4)
            .expect("to v4");
        conn.execute_batch(
            "INSERT INTO contacts (id, email, name, created_at, updated_at) VALUES (1, 'a@x.org', 'Ann', 't', 't');
             INSERT INTO scheduled_events (uri, name, status, start_time, end_time, start_ms, end_ms, raw_json, first_seen_via)
               VALUES ('https://api.calendly.com/scheduled_events/E', 'Intro', 'active', '2026-01-01T10:00:00.000000Z',
                       '2026-01-01T10:30:00.000000Z', 1767261600000, 1767263400000, '{}', 'api');
             INSERT INTO invitees (uri, event_uri, contact_id, name, email, status, old_invitee, no_show_uri, raw_json)
               VALUES ('https://api.calendly.com/scheduled_events/E/invitees/1', 'https://api.calendly.com/scheduled_events/E',
                       1, 'Ann', 'a@x.org', 'active', 'https://api.calendly.com/scheduled_events/OLD/invitees/9',
                       'https://api.calendly.com/invitee_no_shows/N', '{}'),
                      ('https://api.calendly.com/scheduled_events/E/invitees/2', 'https://api.calendly.com/scheduled_events/E',
                       1, NULL, 'b@x.org', 'active', NULL, NULL, '{}'),
                      ('https://api.calendly.com/scheduled_events/E/invitees/3', 'https://api.calendly.com/scheduled_events/E',
                       1, 'Gone', 'c@x.org', 'canceled', NULL, NULL, '{}');",
        )
        .expect("v4 rows");
    }
    let store = Store::open(&path).expect("upgrade");
    let tiles = store
        .read(|tx| feed::calendar_range(tx, 1767261600000, 1767263400000, false))
        .expect("range");
    assert_eq!(tiles.len(), 1);
    assert_eq!(tiles[0].invitee_names, ["Ann", "b@x.org"]);
    assert_eq!(
        tiles[0].rescheduled_from.as_deref(),
        Some("https://api.calendly.com/scheduled_events/OLD")
    );
    assert!(tiles[0].any_no_show);
    // The chain shows the earlier booking even though it is not stored.
    let chain = store
        .read(|tx| feed::reschedule_chain(tx, "https://api.calendly.com/scheduled_events/E"))
        .expect("chain");
    assert_eq!(chain.len(), 2);
    assert!(!chain[0].stored && chain[0].start.is_none());
    assert!(chain[1].current);
}
