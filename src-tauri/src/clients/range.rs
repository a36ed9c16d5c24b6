//! The days a report covers: local days in one IANA zone, inclusive at both ends, with the
//! instants they start at (a DST day is 23 or 25 hours long) and the Monday-based weeks they
//! fall in.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The longest range a report covers (ten years): bounds the weeks it lists.
pub const MAX_DAYS: i64 = 3660;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("{0:?} is not an IANA time zone (for example Europe/Berlin or America/New_York)")]
    Zone(String),
    #[error("{0:?} is not a date; write it as YYYY-MM-DD")]
    Date(String),
    #[error("the range ends ({to}) before it starts ({from}); swap --from and --to")]
    Backwards { from: NaiveDate, to: NaiveDate },
    #[error("the range is longer than {MAX_DAYS} days; pick a shorter one")]
    TooLong,
}

/// Local days `from..=to` in `tz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tz: Tz,
}

impl ReportRange {
    pub fn new(from: NaiveDate, to: NaiveDate, tz: Tz) -> Result<Self, RangeError> {
        if to < from {
            return Err(RangeError::Backwards { from, to });
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(RangeError::TooLong);
        }
        Ok(Self { from, to, tz })
    }

    /// From `YYYY-MM-DD` strings and a zone name (none: the system's zone).
    pub fn parse(from: &str, to: &str, tz: Option<&str>) -> Result<Self, RangeError> {
        let tz = match tz {
            Some(name) => parse_zone(name)?,
            None => system_zone(),
        };
        Self::new(parse_date(from)?, parse_date(to)?, tz)
    }

    /// This month in `tz`, as of `now`: the default when no range is given.
    pub fn this_month(tz: Tz, now: DateTime<Utc>) -> Self {
        let today = now.with_timezone(&tz).date_naive();
        let first = today.with_day(1).unwrap_or(today);
        Self {
            from: first,
            to: last_of_month(first),
            tz,
        }
    }

    /// The instants the range covers: `[start of from, start of the day after to)`, in ms.
    pub fn bounds_ms(&self) -> (i64, i64) {
        (
            day_start(self.tz, self.from).timestamp_millis(),
            day_start(self.tz, self.to + Duration::days(1)).timestamp_millis(),
        )
    }

    /// The local day an instant falls on.
    pub fn local_day(&self, ms: i64) -> Option<NaiveDate> {
        DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.with_timezone(&self.tz).date_naive())
    }

    /// The Monday of every week the range touches, in order.
    pub fn week_starts(&self) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut w = week_start(self.from);
        while w <= self.to {
            out.push(w);
            w += Duration::days(7);
        }
        out
    }

    pub fn zone_name(&self) -> &'static str {
        self.tz.name()
    }
}

pub fn parse_date(s: &str) -> Result<NaiveDate, RangeError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| RangeError::Date(s.to_string()))
}

pub fn parse_zone(name: &str) -> Result<Tz, RangeError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| RangeError::Zone(name.to_string()))
}

/// The system's zone: `TZ` when it names an IANA zone, else the OS setting, else UTC.
pub fn system_zone() -> Tz {
    std::env::var("TZ")
        .ok()
        .map(|z| z.trim_start_matches(':').to_string())
        .and_then(|z| z.parse::<Tz>().ok())
        .or_else(|| iana_time_zone::get_timezone().ok()?.parse().ok())
        .unwrap_or(Tz::UTC)
}

/// The Monday starting the week `day` is in.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

pub fn last_of_month(day: NaiveDate) -> NaiveDate {
    let (y, m) = (day.year(), day.month());
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).unwrap_or(day)
}

/// The first instant of a local day: midnight, or (where a DST change skips midnight) the first
/// wall time after it that exists.
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    for quarter in 0..(24 * 4) {
        let wall = midnight + Duration::minutes(15 * quarter);
        if let Some(t) = tz.from_local_datetime(&wall).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    midnight.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("date")
    }

    #[test]
    fn dst_days_have_their_real_length() {
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        let spring = ReportRange::new(d("2026-03-29"), d("2026-03-29"), berlin).expect("range");
        let (a, b) = spring.bounds_ms();
        assert_eq!(b - a, 23 * 3_600_000);
        let autumn = ReportRange::new(d("2026-10-25"), d("2026-10-25"), berlin).expect("range");
        let (a, b) = autumn.bounds_ms();
        assert_eq!(b - a, 25 * 3_600_000);
        // Santiago skips midnight when its DST starts (2026-09-06): the day starts at 01:00.
        let santiago = parse_zone("America/Santiago").expect("zone");
        let start = day_start(santiago, d("2026-09-06"));
        assert_eq!(
            start.with_timezone(&santiago).format("%H:%M").to_string(),
            "01:00"
        );
    }

    #[test]
    fn weeks_start_on_monday_and_cover_the_range() {
        let r = ReportRange::new(d("2026-03-01"), d("2026-03-31"), Tz::UTC).expect("range");
        let weeks = r.week_starts();
        assert_eq!(weeks.first(), Some(&d("2026-02-23")));
        assert_eq!(weeks.last(), Some(&d("2026-03-30")));
        assert_eq!(weeks.len(), 6);
    }

    #[test]
    fn bad_input_says_what_to_do() {
        assert!(matches!(
            ReportRange::parse("2026-03-05", "2026-03-01", Some("UTC")),
            Err(RangeError::Backwards { .. })
        ));
        assert!(matches!(
            ReportRange::parse("2026-3-5x", "2026-03-01", Some("UTC")),
            Err(RangeError::Date(_))
        ));
        assert!(matches!(
            ReportRange::parse("2026-03-01", "2026-03-01", Some("Mars/Olympus")),
            Err(RangeError::Zone(_))
        ));
        let now = DateTime::parse_from_rfc3339("2026-12-31T23:30:00Z")
            .expect("t")
            .with_timezone(&Utc);
        let m = ReportRange::this_month(parse_zone("Europe/Berlin").expect("zone"), now);
        assert_eq!((m.from, m.to), (d("2027-01-01"), d("2027-01-31")));
    }
}
