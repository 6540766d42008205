//! Just enough calendar to validate `YYYY-MM-DD` dates against the sandbox clock (no clock, no
//! time crate: the host's `now_ms` is the only time there is).

/// `(year, month, day)` of a strict `YYYY-MM-DD` that is a real calendar date.
pub fn parse_ymd(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y as i64, m)).then_some((y as i64, m, d))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 of a Unix-milliseconds instant.
pub fn day_of_ms(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(parse_ymd("1960-01-01"), Some((1960, 1, 1)));
        assert_eq!(parse_ymd("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_ymd("2023-02-29"), None);
        assert_eq!(parse_ymd("1900-02-29"), None);
        assert_eq!(parse_ymd("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_ymd("1960-13-01"), None);
        assert_eq!(parse_ymd("01/01/1960"), None);
        assert_eq!(parse_ymd("1960-1-01"), None);
        assert_eq!(parse_ymd("+960-01-01"), None);
    }

    #[test]
    fn epoch_arithmetic() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        // 2026-01-01T00:00:00Z is the harness's start.
        assert_eq!(days_from_civil(2026, 1, 1), day_of_ms(1_767_225_600_000));
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }
}
