//! The times a person types for a point-in-time restore, read with one clear rule:
//! an explicit zone (`Z`, `UTC`, `+02:00`) is used as written; a time without one is the
//! machine's local time (the `TZ` variable, else the system zone), as `date` shows it.
//! A local time that a daylight-saving change makes ambiguous or skips is refused.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, TimeZone, Utc};

/// The date-and-time layouts accepted besides RFC 3339 (`T` or a blank between the parts).
const NAIVE: [&str; 6] = [
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
];

/// `text` as an instant; local times in the machine's zone.
pub fn parse(text: &str) -> Result<DateTime<Utc>, String> {
    parse_with(text, &|naive| chrono::Local.from_local_datetime(naive).map(|t| t.fixed_offset()))
}

/// [`parse`] with the local zone given (tests use a fixed one).
pub fn parse_with(
    text: &str,
    local: &dyn Fn(&NaiveDateTime) -> LocalResult<DateTime<FixedOffset>>,
) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    // `2026-12-01 14:03:00 UTC`, `... Z`, `...+02:00`, `... +0200`.
    let (body, utc) = match t.strip_suffix("UTC").or_else(|| t.strip_suffix('Z')) {
        Some(b) => (b.trim_end(), true),
        None => (t, false),
    };
    if utc {
        return naive(body).map(|n| n.and_utc()).ok_or_else(|| unreadable(text));
    }
    for layout in NAIVE {
        for zone in ["%:z", " %:z", "%z", " %z", "%#z", " %#z"] {
            if let Ok(d) = DateTime::parse_from_str(t, &format!("{layout}{zone}")) {
                return Ok(d.with_timezone(&Utc));
            }
        }
    }
    let n = naive(t).ok_or_else(|| unreadable(text))?;
    match local(&n) {
        LocalResult::Single(d) => Ok(d.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Err(format!(
            "`{text}` happens twice in this machine's time zone (a clock change): at {a} and at {b}; write it with its offset or in UTC"
        )),
        LocalResult::None => Err(format!(
            "`{text}` does not exist in this machine's time zone (skipped by a clock change); write it with its offset or in UTC"
        )),
    }
}

fn naive(t: &str) -> Option<NaiveDateTime> {
    NAIVE.iter().find_map(|layout| NaiveDateTime::parse_from_str(t, layout).ok())
}

fn unreadable(text: &str) -> String {
    format!(
        "`{text}` is not a time prisma-guard reads: write `2026-12-01 14:03:00` (this machine's local time), `2026-12-01 14:03:00 UTC`, or RFC 3339 (`2026-12-01T14:03:00+01:00`)"
    )
}

/// The instant in UTC, `2026-12-01T13:03:00Z` (what Litestream and the messages use).
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The instant as PostgreSQL reads a `timestamptz`: `2026-12-01 13:03:00.250+00`.
pub fn postgres(t: &DateTime<Utc>) -> String {
    let frac = t.timestamp_subsec_micros();
    if frac == 0 {
        t.format("%Y-%m-%d %H:%M:%S+00").to_string()
    } else {
        format!("{}.{frac:06}+00", t.format("%Y-%m-%d %H:%M:%S"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_berlin(n: &NaiveDateTime) -> LocalResult<DateTime<FixedOffset>> {
        // A fixed +01:00 zone with a fake fold at 02:30 and a gap at 03:30, for the errors.
        let off = FixedOffset::east_opt(3600).expect("offset");
        match n.format("%H:%M").to_string().as_str() {
            "02:30" => LocalResult::Ambiguous(
                off.from_local_datetime(n).single().expect("t"),
                FixedOffset::east_opt(7200).expect("offset").from_local_datetime(n).single().expect("t"),
            ),
            "03:30" => LocalResult::None,
            _ => off.from_local_datetime(n),
        }
    }

    fn utc(text: &str) -> String {
        rfc3339(&parse_with(text, &in_berlin).expect(text))
    }

    #[test]
    fn a_time_without_a_zone_is_local_time_and_a_zone_is_used_as_written() {
        assert_eq!(utc("2026-12-01 14:03"), "2026-12-01T13:03:00Z");
        assert_eq!(utc("2026-12-01 14:03:00"), "2026-12-01T13:03:00Z");
        assert_eq!(utc("2026-12-01T14:03:05"), "2026-12-01T13:03:05Z");
        assert_eq!(utc("2026-12-01 14:03:00 UTC"), "2026-12-01T14:03:00Z");
        assert_eq!(utc("2026-12-01 14:03Z"), "2026-12-01T14:03:00Z");
        assert_eq!(utc("2026-12-01T14:03:00Z"), "2026-12-01T14:03:00Z");
        assert_eq!(utc("2026-12-01T14:03:00+02:00"), "2026-12-01T12:03:00Z");
        assert_eq!(utc("2026-12-01 14:03:00+02:00"), "2026-12-01T12:03:00Z");
        assert_eq!(utc("2026-12-01 14:03:00 +0200"), "2026-12-01T12:03:00Z");
        assert_eq!(utc("2026-12-01 14:03:00.250 UTC"), "2026-12-01T14:03:00.250Z");
    }

    #[test]
    fn unreadable_ambiguous_and_skipped_local_times_are_refused_with_the_forms_that_work() {
        let e = parse_with("yesterday", &in_berlin).expect_err("not a time");
        assert!(e.contains("2026-12-01 14:03:00 UTC"), "{e}");
        assert!(parse_with("2026-13-01 10:00", &in_berlin).is_err());
        let e = parse_with("2026-10-25 02:30", &in_berlin).expect_err("ambiguous");
        assert!(e.contains("twice"), "{e}");
        let e = parse_with("2026-03-29 03:30", &in_berlin).expect_err("skipped");
        assert!(e.contains("does not exist"), "{e}");
    }

    #[test]
    fn postgres_and_litestream_get_utc() {
        let t = parse_with("2026-12-01 14:03:00.25+01:00", &in_berlin).expect("time");
        assert_eq!(postgres(&t), "2026-12-01 13:03:00.250000+00");
        assert_eq!(rfc3339(&t), "2026-12-01T13:03:00.250Z");
    }
}
