//! Timestamps without a clock crate: the adapter and the fake only ever format the host's
//! `now_ms` and check the shape of dates they are given.

/// Unix milliseconds -> `2026-01-01T00:00:00.000Z`.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `YYYY-MM-DD`, a real calendar date.
pub fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(y), digits(m), digits(d)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max).contains(&d)
}

/// ISO 8601 date-time as Crossmint's docs write it: `2025-10-05T14:48:00`, optionally with
/// fractional seconds and `Z` or an offset.
pub fn is_timestamp(s: &str) -> bool {
    let Some((date, time)) = s.split_once('T') else {
        return false;
    };
    if !is_date(date) || time.len() < 8 {
        return false;
    }
    let (hms, rest) = time.split_at(8);
    let hms: Vec<&str> = hms.split(':').collect();
    let [h, m, sec] = hms.as_slice() else {
        return false;
    };
    let ok_hms = matches!((digits(h), digits(m), digits(sec)), (Some(h), Some(m), Some(s)) if h < 24 && m < 60 && s < 61);
    if !ok_hms {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(r) => {
            let frac_len = r.bytes().take_while(u8::is_ascii_digit).count();
            if frac_len == 0 {
                return false;
            }
            &r[frac_len..]
        }
        None => rest,
    };
    match rest {
        "" | "Z" => true,
        off => {
            let b = off.as_bytes();
            b.len() == 6
                && (b[0] == b'+' || b[0] == b'-')
                && b[3] == b':'
                && digits(&off[1..3]).is_some()
                && digits(&off[4..6]).is_some()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_harness_start() {
        assert_eq!(rfc3339(1_767_225_600_000), "2026-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn checks_dates_and_timestamps() {
        assert!(is_date("1960-01-01"));
        assert!(is_date("2000-02-29"));
        assert!(!is_date("1900-02-29"));
        assert!(!is_date("01/01/1960"));
        assert!(!is_date("1960-1-1"));
        assert!(is_timestamp("2024-11-15T10:35:00Z"));
        assert!(is_timestamp("2025-10-05T14:48:00"));
        assert!(is_timestamp("2026-01-01T00:00:00.000Z"));
        assert!(is_timestamp("2026-01-01T00:00:00+02:00"));
        assert!(!is_timestamp("2026-01-01"));
        assert!(!is_timestamp("2026-01-01T25:00:00Z"));
        assert!(!is_timestamp("2026-01-01T00:00:00.Z"));
    }
}
