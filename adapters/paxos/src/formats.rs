//! Field formats Paxos checks, shared by the adapter (check before sending) and the fake (refuse
//! what the real API refuses). Hand-written matchers: the crate has no regex dependency.

/// `^[0-9A-Za-z /?:().,&'+-]+$`, the spec's pattern for names, address lines and cip ids.
pub fn is_paxos_text(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_paxos_char)
}

pub fn is_paxos_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " /?:().,&'+-".contains(c)
}

/// `^[A-Z]{3}$`.
pub fn is_upper3(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// `YYYY-MM-DD` and a real calendar date.
pub fn is_date(s: &str) -> bool {
    parse_date(s).is_some()
}

/// (year, month, day) of a `YYYY-MM-DD` string that names a real date.
pub fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&s[0..4])?;
    let m = digits(&s[5..7])? as u32;
    let d = digits(&s[8..10])? as u32;
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then_some((y, m, d))
}

/// RFC 3339 date-time: `2021-06-16T09:28:14Z`, optional fraction, `Z` or `+hh:mm`.
pub fn is_rfc3339(s: &str) -> bool {
    if s.len() < 20 || !s.is_char_boundary(10) || !is_date(&s[..10]) {
        return false;
    }
    let rest = &s.as_bytes()[10..];
    if !matches!(rest[0], b'T' | b't') || rest.len() < 10 {
        return false;
    }
    let time = &rest[1..9];
    let ok_time = time[2] == b':'
        && time[5] == b':'
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| time[i].is_ascii_digit());
    if !ok_time {
        return false;
    }
    let (h, mi, se) = (
        two(time[0], time[1]),
        two(time[3], time[4]),
        two(time[6], time[7]),
    );
    if h > 23 || mi > 59 || se > 60 {
        return false;
    }
    let mut tail = &rest[9..];
    if tail.first() == Some(&b'.') {
        let n = tail[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        tail = &tail[1 + n..];
    }
    match tail {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', a, b, b':', c, d] => {
            [a, b, c, d].iter().all(|x| x.is_ascii_digit())
                && two(*a, *b) <= 23
                && two(*c, *d) <= 59
        }
        _ => false,
    }
}

/// `^[0-9]*\.?[0-9]+$`, the spec's pattern for amounts.
pub fn is_decimal(s: &str) -> bool {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    match frac {
        Some(f) => all_digits(int) && !f.is_empty() && all_digits(f),
        None => !int.is_empty() && all_digits(int),
    }
}

/// A decimal amount as a number, for comparisons and balances in the fake.
pub fn decimal_value(s: &str) -> Option<f64> {
    if is_decimal(s) {
        s.parse::<f64>().ok()
    } else {
        None
    }
}

/// Unix milliseconds as RFC 3339 UTC with milliseconds (`2026-01-01T00:00:00.000Z`).
pub fn rfc3339_from_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

fn digits(s: &str) -> Option<i64> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn two(a: u8, b: u8) -> u32 {
    u32::from(a - b'0') * 10 + u32::from(b - b'0')
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paxos_text_pattern() {
        assert!(is_paxos_text("123 Main St, Apt 4/B (rear) & co.'s +-?:"));
        assert!(!is_paxos_text("Hauptstraße 5"));
        assert!(!is_paxos_text("Apt #4"));
        assert!(!is_paxos_text(""));
    }

    #[test]
    fn dates_and_times() {
        assert!(is_date("1960-01-01"));
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("01/01/1960"));
        assert!(!is_date("1960-1-01"));
        assert!(is_rfc3339("2021-06-16T09:28:14Z"));
        assert!(is_rfc3339("2022-02-15T05:46:50.957068Z"));
        assert!(is_rfc3339("2021-06-16T09:28:14+02:00"));
        assert!(!is_rfc3339("2021-06-16 09:28:14"));
        assert!(!is_rfc3339("2021-06-16T25:28:14Z"));
        assert!(!is_rfc3339("2021-06-16"));
        assert_eq!(
            rfc3339_from_ms(1_767_225_600_000),
            "2026-01-01T00:00:00.000Z"
        );
        assert_eq!(rfc3339_from_ms(951_782_400_123), "2000-02-29T00:00:00.123Z");
    }

    #[test]
    fn decimals() {
        assert!(is_decimal("100.00"));
        assert!(is_decimal(".5"));
        assert!(is_decimal("7"));
        assert!(!is_decimal("-10"));
        assert!(!is_decimal("1."));
        assert!(!is_decimal("1e3"));
        assert!(!is_decimal(""));
        assert_eq!(decimal_value("250.50"), Some(250.5));
    }
}
