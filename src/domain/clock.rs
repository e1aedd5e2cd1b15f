//! Time: where "now" comes from (`Clock`, fixed in tests and demos), China Standard Time, parsing the
//! `WANGGE_NOW` instant, and the millisecond form records store. No IO: the caller reads `WANGGE_NOW`.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::{Lang, Localized};

/// UTC+8 in seconds. China has had no daylight saving time since 1991.
const CHINA_OFFSET_SECS: i32 = 8 * 3600;

/// China Standard Time, UTC+8 (no DST). Dates people see and deadlines are China calendar days.
/// An instant (ms since the epoch) in China time, formatted (`-` for one out of range).
pub fn china_time(ms: i64, format: &str) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&china()).format(format).to_string())
        .unwrap_or_else(|| "-".into())
}

pub fn china() -> FixedOffset {
    // A constant, so evaluated while compiling: the `None` arm could only ever be a build error, never a
    // run-time panic (8 h is well within the ±24 h that `east_opt` accepts).
    const CHINA: FixedOffset = match FixedOffset::east_opt(CHINA_OFFSET_SECS) {
        Some(offset) => offset,
        None => panic!("UTC+8 is a valid offset"),
    };
    CHINA
}

/// Where "now" comes from. Tests and demos fix it.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in China time.
    fn today(&self) -> NaiveDate {
        china_date(self.now())
    }
}

/// The computer's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant (tests, demos, `WANGGE_NOW`).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// A `WANGGE_NOW` value that is not an RFC 3339 instant; holds the text as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WANGGE_NOW is not an RFC 3339 instant: {0:?} (expected e.g. 2026-11-28T09:00:00+08:00)")]
pub struct BadInstant(pub String);

impl Localized for BadInstant {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "WANGGE_NOW 的时间格式不对：“{}” 应为 RFC 3339，例如 2026-11-28T09:00:00+08:00",
                self.0
            ),
            Lang::En => format!(
                "WANGGE_NOW has a bad time format: \"{}\" should be RFC 3339, e.g. 2026-11-28T09:00:00+08:00",
                self.0
            ),
        }
    }
}

/// Parses an RFC 3339 instant (the WANGGE_NOW value), e.g. "2026-11-28T09:41:00+08:00" or
/// "2026-11-28T01:41:00Z". Surrounding whitespace is ignored; a date without a time or offset is refused.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, BadInstant> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| BadInstant(s.to_string()))
}

/// A UTC instant as milliseconds since the epoch (records store ms).
pub fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Milliseconds since the epoch back to an instant; `None` when out of chrono's range.
pub fn from_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// The China calendar date of a UTC instant.
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&china()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn china_is_utc_plus_8() {
        assert_eq!(china().local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn parses_offset_and_z_forms_to_the_same_instant() {
        let a = parse_instant("2026-11-28T09:41:00+08:00").unwrap();
        let b = parse_instant("2026-11-28T01:41:00Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_rfc3339(), "2026-11-28T01:41:00+00:00");
        assert_eq!(
            parse_instant(" 2026-11-28T01:41:00.250Z\n")
                .unwrap()
                .timestamp_subsec_millis(),
            250
        );
    }

    #[test]
    fn refuses_garbage_and_keeps_the_text() {
        for bad in [
            "",
            "now",
            "2026-11-28",
            "2026-11-28T09:41:00",
            "2026-13-01T00:00:00Z",
            "1764294060",
        ] {
            assert_eq!(
                parse_instant(bad),
                Err(BadInstant(bad.to_string())),
                "{bad:?}"
            );
        }
        let err = parse_instant("tomorrow").unwrap_err();
        let zh = err.message(Lang::Zh);
        assert!(
            zh.starts_with("WANGGE_NOW 的时间格式不对") && zh.contains("tomorrow"),
            "{zh}"
        );
        assert!(err.message(Lang::En).contains("RFC 3339"));
        assert!(err.to_string().contains("tomorrow"));
    }

    #[test]
    fn today_is_the_china_date_near_midnight() {
        let before = FixedClock(parse_instant("2026-11-27T15:59:59Z").unwrap());
        let after = FixedClock(parse_instant("2026-11-27T16:30:00Z").unwrap());
        assert_eq!(before.today(), date(2026, 11, 27));
        assert_eq!(after.today(), date(2026, 11, 28));
        assert_eq!(
            after.now().date_naive(),
            date(2026, 11, 27),
            "UTC is still the 27th"
        );
        assert_eq!(
            china_date(parse_instant("2026-12-31T23:00:00+08:00").unwrap()),
            date(2026, 12, 31)
        );
    }

    #[test]
    fn system_clock_is_near_utc_now() {
        let diff = (SystemClock.now() - Utc::now()).num_seconds().abs();
        assert!(diff < 5);
    }

    #[test]
    fn ms_round_trip() {
        let t = parse_instant("2026-11-28T09:41:00.123+08:00").unwrap();
        let ms = to_ms(t);
        assert_eq!(ms, 1_795_830_060_123);
        assert_eq!(from_ms(ms), Some(t));
        assert_eq!(from_ms(0), parse_instant("1970-01-01T00:00:00Z").ok());
        assert_eq!(from_ms(-1).map(to_ms), Some(-1));
        assert_eq!(from_ms(i64::MAX), None);
    }
}
