//! Decimal amounts as providers write them: strings with exactly two decimals.

/// A positive decimal string with two decimals: `100` -> `100.00`, `0099.5` -> `99.50`. More
/// than two decimals is refused, not rounded (a support engineer must see the real amount).
pub fn two_decimals(amount: &str) -> Result<String, String> {
    let a = amount.trim();
    let (whole, frac) = a.split_once('.').unwrap_or((a, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || (a.contains('.') && frac.is_empty()) {
        return Err(format!("'{amount}' is not a decimal amount like 100.00"));
    }
    if frac.len() > 2 {
        return Err(format!("'{amount}' has more than 2 decimals"));
    }
    let whole = whole.trim_start_matches('0');
    let out = format!("{}.{frac:0<2}", if whole.is_empty() { "0" } else { whole });
    if out == "0.00" {
        return Err("must be more than 0".to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::two_decimals;

    #[test]
    fn normalises_and_refuses() {
        assert_eq!(two_decimals("250.00").unwrap(), "250.00");
        assert_eq!(two_decimals("250").unwrap(), "250.00");
        assert_eq!(two_decimals("100").unwrap(), "100.00");
        assert_eq!(two_decimals("2500.5").unwrap(), "2500.50");
        assert_eq!(two_decimals("0099.5").unwrap(), "99.50");
        assert_eq!(two_decimals("0.01").unwrap(), "0.01");
        for bad in [
            "", "1.", ".5", "1,00", "-5", "1e3", "0", "0.00", "1.234", "1.999", "abc",
        ] {
            assert!(two_decimals(bad).is_err(), "{bad:?}");
        }
    }
}
