//! Desktop notifications for bookings, cancellations and reschedules: which invitees to
//! announce and the text, escaped, since notification servers read their body as markup.

use crate::store::{Store, StoreError};

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// Notification bodies are markup to most Linux notification servers (`<b>`, `<a href>`): a
/// name like `<a href=…>` or `Tom & Jerry` must show as typed, never as markup.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

struct Row {
    who: String,
    status: String,
    is_new_half: bool,
    rescheduled: bool,
    event: String,
    start: String,
}

fn row(store: &Store, uri: &str) -> Result<Row, StoreError> {
    store.read(|tx| {
        tx.query_row(
            "SELECT coalesce(i.name, i.email), i.status, i.old_invitee IS NOT NULL,
                i.rescheduled, e.name, e.start_time
             FROM invitees i JOIN scheduled_events e ON e.uri = i.event_uri WHERE i.uri = ?1",
            [uri],
            |r| {
                Ok(Row {
                    who: r.get(0)?,
                    status: r.get(1)?,
                    is_new_half: r.get(2)?,
                    rescheduled: r.get(3)?,
                    event: r.get(4)?,
                    start: r.get(5)?,
                })
            },
        )
        .map_err(StoreError::from)
    })
}

/// The notice for one applied invitee, or none (the canceled half of a reschedule: the new
/// half announces it).
fn notice_of(r: Row) -> Option<Notice> {
    let when = chrono::DateTime::parse_from_rfc3339(&r.start)
        .map(|d| {
            d.with_timezone(&chrono::Local)
                .format("%a %e %b, %H:%M")
                .to_string()
        })
        .unwrap_or(r.start);
    let (who, event) = (escape(&r.who), escape(&r.event));
    let (title, body) = match (r.status.as_str(), r.is_new_half, r.rescheduled) {
        ("canceled", _, true) => return None,
        ("canceled", _, false) => ("Meeting canceled", format!("{who} — {event}, {when}")),
        (_, true, _) => (
            "Meeting rescheduled",
            format!("{who} — {event}, now {when}"),
        ),
        _ => ("New booking", format!("{who} — {event}, {when}")),
    };
    Some(Notice {
        title: title.into(),
        body,
    })
}

/// The notices for invitees a delivery applied, when the user wants notifications.
pub fn for_invitees<'a>(
    store: &Store,
    invitee_uris: impl IntoIterator<Item = &'a String>,
) -> Vec<Notice> {
    if !crate::prefs::load(store)
        .map(|p| p.notifications)
        .unwrap_or(true)
    {
        return Vec::new();
    }
    invitee_uris
        .into_iter()
        .filter_map(|uri| row(store, uri).ok())
        .filter_map(notice_of)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_shown_as_typed() {
        assert_eq!(
            escape("Tom & <b>Jerry</b> > 1"),
            "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt; &gt; 1"
        );
        let n = notice_of(Row {
            who: "<a href=\"x\">Eve</a>".into(),
            status: "active".into(),
            is_new_half: false,
            rescheduled: false,
            event: "R&D".into(),
            start: "2026-01-05T10:00:00Z".into(),
        })
        .expect("a booking is announced");
        assert!(
            n.body
                .starts_with("&lt;a href=\"x\"&gt;Eve&lt;/a&gt; — R&amp;D, "),
            "{}",
            n.body
        );
    }

    #[test]
    fn the_canceled_half_of_a_reschedule_is_not_announced() {
        let r = |status: &str, new_half, rescheduled| Row {
            who: "A".into(),
            status: status.into(),
            is_new_half: new_half,
            rescheduled,
            event: "E".into(),
            start: "2026-01-05T10:00:00Z".into(),
        };
        assert_eq!(notice_of(r("canceled", false, true)), None);
        assert_eq!(
            notice_of(r("canceled", false, false)).unwrap().title,
            "Meeting canceled"
        );
        assert_eq!(
            notice_of(r("active", true, false)).unwrap().title,
            "Meeting rescheduled"
        );
        assert_eq!(
            notice_of(r("active", false, false)).unwrap().title,
            "New booking"
        );
    }
}
