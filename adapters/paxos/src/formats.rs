//! Field formats Paxos checks, shared by the adapter (check before sending) and the fake (refuse
//! what the real API refuses). Hand-written matchers: the crate has no regex dependency. Dates and
//! timestamps are the SDK's [`rampsim_plugin_sdk::time`].

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
