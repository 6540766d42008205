//! Phone numbers as the canonical profile writes them.

/// E.164: `+` then 7 to 15 digits, the first not a zero (`+15556781234`).
pub fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164() {
        assert!(is_e164("+15556781234"));
        assert!(is_e164("+381631283023"));
        assert!(!is_e164("15556781234"));
        assert!(!is_e164("+1 555 678 1234"));
        assert!(!is_e164("+0555678123"));
        assert!(!is_e164("+123456"));
        assert!(!is_e164("+1234567890123456"));
    }
}
