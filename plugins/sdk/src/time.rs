//! Dates and timestamps without a clock or a time crate.
//!
//! Plugins are sans-IO: the only time there is, is the host's `now_ms` (Unix milliseconds, from
//! [`Cx::now_ms`](crate::Cx::now_ms) or the fake's `now_ms` argument). These are pure conversions
//! of it, plus the checks of date and date-time strings that adapters and fakes need. Proleptic
//! Gregorian calendar, UTC, any year in `0000..=9999` for the string forms.

/// Milliseconds in a day.
pub const MS_PER_DAY: i64 = 86_400_000;

/// Whole Unix seconds of a Unix-milliseconds instant, rounded down (also before 1970).
pub fn unix_seconds(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

/// Days since 1970-01-01 of a Unix-milliseconds instant, rounded down (also before 1970).
pub fn day_of_ms(ms: i64) -> i64 {
    ms.div_euclid(MS_PER_DAY)
}

/// Gregorian leap year.
pub fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1..=12) of year `y`; 31 for a month out of range.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap_year(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a count of days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Unix milliseconds as RFC 3339 UTC with milliseconds: `2026-01-01T00:00:00.000Z`.
pub fn rfc3339_from_ms(ms: i64) -> String {
    let (date, h, mi, s) = split_ms(ms);
    format!("{date}T{h:02}:{mi:02}:{s:02}.{:03}Z", ms.rem_euclid(1000))
}

/// Unix milliseconds as RFC 3339 UTC in whole seconds (milliseconds dropped):
/// `2026-01-01T00:00:00Z`.
pub fn rfc3339_seconds_from_ms(ms: i64) -> String {
    let (date, h, mi, s) = split_ms(ms);
    format!("{date}T{h:02}:{mi:02}:{s:02}Z")
}

/// The UTC calendar date of a Unix-milliseconds instant: `2026-01-01`.
pub fn date_from_ms(ms: i64) -> String {
    let (y, m, d) = civil_from_days(day_of_ms(ms));
    format!("{y:04}-{m:02}-{d:02}")
}

fn split_ms(ms: i64) -> (String, i64, i64, i64) {
    let sod = unix_seconds(ms).rem_euclid(86_400);
    (date_from_ms(ms), sod / 3600, (sod / 60) % 60, sod % 60)
}

/// `(year, month, day)` of a strict `YYYY-MM-DD` that names a real calendar date.
pub fn parse_ymd(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    // Bytes 4 and 7 are ASCII, so every range below falls on char boundaries.
    let y = digits(&s[0..4])?;
    let m = digits(&s[5..7])?;
    let d = digits(&s[8..10])?;
    let y = i64::from(y);
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then_some((y, m, d))
}

/// `YYYY-MM-DD` and a real calendar date.
pub fn is_date(s: &str) -> bool {
    parse_ymd(s).is_some()
}

/// RFC 3339 date-time: `2021-06-16T09:28:14Z`, optional fraction of a second, `Z` or `+hh:mm`
/// (upper or lower case `T`/`Z`, as RFC 3339 allows).
pub fn is_rfc3339(s: &str) -> bool {
    matches!(datetime_offset(s), Some(true))
}

/// An ISO 8601 date-time in RFC 3339's grammar whose offset may also be left out (a local
/// time): `2025-10-05T14:48:00`, `2025-10-05T14:48:00.5Z`, `2025-10-05T14:48:00+02:00`.
pub fn is_datetime(s: &str) -> bool {
    datetime_offset(s).is_some()
}

/// `Some(has_offset)` of a date-time in RFC 3339's grammar with an optional offset.
fn datetime_offset(s: &str) -> Option<bool> {
    let b = s.as_bytes();
    if b.len() < 19 || !s.is_char_boundary(10) || !is_date(&s[..10]) {
        return None;
    }
    if !matches!(b[10], b'T' | b't') {
        return None;
    }
    let time = &b[11..19];
    let ok_time = time[2] == b':'
        && time[5] == b':'
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| time[i].is_ascii_digit());
    if !ok_time {
        return None;
    }
    let (h, mi, se) = (
        two(time[0], time[1]),
        two(time[3], time[4]),
        two(time[6], time[7]),
    );
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut tail = &b[19..];
    if tail.first() == Some(&b'.') {
        let n = tail[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        tail = &tail[1 + n..];
    }
    match tail {
        [] => Some(false),
        [b'Z' | b'z'] => Some(true),
        [b'+' | b'-', a, b, b':', c, d] => ([a, b, c, d].iter().all(|x| x.is_ascii_digit())
            && two(*a, *b) <= 23
            && two(*c, *d) <= 59)
            .then_some(true),
        _ => None,
    }
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn two(a: u8, b: u8) -> u32 {
    u32::from(a - b'0') * 10 + u32::from(b - b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    const START_MS: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, the harness's start

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_from_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_from_ms(START_MS), "2026-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_from_ms(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(
            rfc3339_from_ms(1_709_164_800_000),
            "2024-02-29T00:00:00.000Z"
        );
        assert_eq!(
            rfc3339_from_ms(1_773_568_800_000),
            "2026-03-15T10:00:00.000Z"
        );
        assert_eq!(rfc3339_from_ms(START_MS - 1), "2025-12-31T23:59:59.999Z");
        assert_eq!(rfc3339_seconds_from_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_seconds_from_ms(START_MS), "2026-01-01T00:00:00Z");
        assert_eq!(
            rfc3339_seconds_from_ms(951_782_400_999),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(date_from_ms(START_MS + MS_PER_DAY - 1), "2026-01-01");
    }

    #[test]
    fn before_1970_rounds_down() {
        assert_eq!(rfc3339_from_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(rfc3339_seconds_from_ms(-1), "1969-12-31T23:59:59Z");
        // 1960-01-01 and 1900-03-01 (after a non-leap February).
        assert_eq!(
            rfc3339_from_ms(-315_619_200_000),
            "1960-01-01T00:00:00.000Z"
        );
        assert_eq!(
            rfc3339_seconds_from_ms(-2_203_891_200_000),
            "1900-03-01T00:00:00Z"
        );
        assert_eq!(unix_seconds(-1), -1);
        assert_eq!(unix_seconds(1999), 1);
        assert_eq!(day_of_ms(-1), -1);
        assert_eq!(day_of_ms(START_MS), 20_454);
    }

    #[test]
    fn civil_days_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2026, 1, 1), day_of_ms(START_MS));
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
        assert_eq!(
            days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28),
            1
        );
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn leap_years_and_month_lengths() {
        assert!(is_leap_year(2000) && is_leap_year(2024) && is_leap_year(1960));
        assert!(!is_leap_year(1900) && !is_leap_year(2023) && !is_leap_year(2100));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2023, 4), 30);
        assert_eq!(days_in_month(2023, 12), 31);
    }

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(parse_ymd("1960-01-01"), Some((1960, 1, 1)));
        assert_eq!(parse_ymd("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_ymd("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_ymd("2023-02-29"), None);
        assert_eq!(parse_ymd("1900-02-29"), None);
        assert_eq!(parse_ymd("1960-13-01"), None);
        assert_eq!(parse_ymd("1960-00-01"), None);
        assert_eq!(parse_ymd("1960-01-00"), None);
        assert_eq!(parse_ymd("1960-04-31"), None);
        assert_eq!(parse_ymd("01/01/1960"), None);
        assert_eq!(parse_ymd("1960-1-01"), None);
        assert_eq!(parse_ymd("1960-1-1"), None);
        assert_eq!(parse_ymd("+960-01-01"), None);
        assert_eq!(parse_ymd("196é-01-01"), None);
        assert_eq!(parse_ymd(""), None);
        assert!(is_date("2000-02-29") && !is_date("1900-02-29"));
    }

    #[test]
    fn checks_rfc3339_date_times() {
        for ok in [
            "2021-06-16T09:28:14Z",
            "2021-06-16t09:28:14z",
            "2024-11-15T10:35:00Z",
            "2022-02-15T05:46:50.957068Z",
            "2021-06-16T09:28:14+02:00",
            "2021-06-16T09:28:14-23:59",
            "2026-01-01T00:00:00.000Z",
            "2016-12-31T23:59:60Z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
            assert!(is_datetime(ok), "{ok}");
        }
    }

    #[test]
    fn an_offset_is_optional_only_for_is_datetime() {
        for local in ["2025-10-05T14:48:00", "2025-10-05T14:48:00.5"] {
            assert!(is_datetime(local), "{local}");
            assert!(!is_rfc3339(local), "{local}");
        }
    }

    #[test]
    fn refuses_malformed_date_times() {
        for bad in [
            "2021-06-16 09:28:14Z",
            "2021-06-16T25:28:14Z",
            "2026-01-01T25:00:00Z",
            "2021-06-16T09:60:14Z",
            "2021-06-16",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+24:00",
            "2026-01-01T00:00:00+0200",
            "2026-01-01T00:00:0\u{e9}",
            "2026-01-01T00:00:00\u{e9}",
            "2023-02-29T00:00:00Z",
            "2026-01-01T00:00:00ZZ",
            "2026-01-01T0:00:00Z",
            "",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
            assert!(!is_datetime(bad), "{bad}");
        }
    }
}
