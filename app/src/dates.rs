//! Dates as the site writes them (`YYYY-MM-DD`, in forms, addresses, the
//! database and catalog files) and the day it is: one type (`time::Date`)
//! and one parser for all of them; and instants as the database keeps
//! them.

#[cfg(feature = "ssr")]
use time::OffsetDateTime;
use time::{Date, Month};

/// How session expiry dates and renewal times are stored: Unix
/// milliseconds (in whole seconds a session could end, or be renewed, up to
/// a second early).
#[cfg(feature = "ssr")]
pub fn unix_millis(time: OffsetDateTime) -> i64 {
    i64::try_from(time.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Today, as the site counts days (UTC, as overdue marks do).
#[cfg(feature = "ssr")]
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// `YYYY-MM-DD`, a real date of the calendar.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// `YYYY-MM-DD`, as the database keeps due dates.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_days_written_in_full() {
        let date = parse_date("2026-02-28").unwrap();
        assert_eq!(iso_date(date), "2026-02-28");
        assert_eq!(iso_date(parse_date("2024-02-29").unwrap()), "2024-02-29");
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-1-05",
            "tomorrow",
            "",
            "2026-01-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
