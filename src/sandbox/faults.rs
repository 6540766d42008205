//! Seeded, reproducible fault injection for the sandbox: added latency, 5xx answers, 429 with
//! Retry-After, connection resets, requests that never answer, malformed or truncated bodies.
//!
//! Each session draws from its own generator seeded by the spec's seed and the session key,
//! so a journey meets the same faults every time it is replayed with the same seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How often each fault happens. Rates are fractions of requests (0.0 to 1.0) and their sum
/// must not exceed 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FaultSpec {
    pub seed: u64,
    /// Added to every answer (virtual time on the virtual clock).
    pub latency_ms: u64,
    /// A 500/502/503 instead of (or, half the time, after) the fake's answer.
    pub error_rate: f64,
    /// A 429 with `Retry-After: retry_after_s`.
    pub rate_limit_rate: f64,
    pub retry_after_s: u64,
    /// The connection breaks off without a complete answer (half the time after the fake acted).
    pub reset_rate: f64,
    /// No answer at all: the client's timeout must fire.
    pub hang_rate: f64,
    /// The fake's answer with its body cut in half, or an HTML error page with status 200.
    pub malformed_rate: f64,
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// `after` = the fake handled the request before the error (the client cannot tell).
    ServerError {
        status: u16,
        after: bool,
    },
    RateLimited {
        retry_after_s: u64,
    },
    Reset {
        after: bool,
    },
    Hang,
    Truncated,
    Html,
}

impl FaultSpec {
    pub fn is_none(&self) -> bool {
        self.total_rate() == 0.0 && self.latency_ms == 0
    }

    pub fn total_rate(&self) -> f64 {
        self.error_rate
            + self.rate_limit_rate
            + self.reset_rate
            + self.hang_rate
            + self.malformed_rate
    }

    /// Checks the rates; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("error_rate", self.error_rate),
            ("rate_limit_rate", self.rate_limit_rate),
            ("reset_rate", self.reset_rate),
            ("hang_rate", self.hang_rate),
            ("malformed_rate", self.malformed_rate),
        ] {
            if !(0.0..=1.0).contains(&v) || v.is_nan() {
                return Err(format!("{name} = {v} must be between 0 and 1"));
            }
        }
        if self.total_rate() > 1.0 + 1e-9 {
            return Err(format!(
                "the fault rates add up to {:.3}, more than 1",
                self.total_rate()
            ));
        }
        Ok(())
    }

    /// Parses `--faults`: comma-separated `key=value` with keys `seed`, `latency` (ms),
    /// `5xx`, `429`, `retry_after` (s), `reset`, `hang`, `malformed`, and `all=R` spreading a
    /// total rate R evenly over the five kinds. Rates are fractions or percentages (`30%`).
    pub fn parse(text: &str) -> Result<FaultSpec, String> {
        let mut spec = FaultSpec {
            retry_after_s: 1,
            ..Default::default()
        };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}`: expected key=value"))?;
            let (k, v) = (k.trim(), v.trim());
            match k {
                "seed" => spec.seed = v.parse().map_err(|_| format!("seed `{v}` is not a whole number"))?,
                "latency" => {
                    spec.latency_ms = v
                        .trim_end_matches("ms")
                        .parse()
                        .map_err(|_| format!("latency `{v}` is not a number of milliseconds"))?
                }
                "retry_after" => {
                    spec.retry_after_s = v
                        .trim_end_matches('s')
                        .parse()
                        .map_err(|_| format!("retry_after `{v}` is not a number of seconds"))?
                }
                "5xx" => spec.error_rate = rate(k, v)?,
                "429" => spec.rate_limit_rate = rate(k, v)?,
                "reset" => spec.reset_rate = rate(k, v)?,
                "hang" => spec.hang_rate = rate(k, v)?,
                "malformed" => spec.malformed_rate = rate(k, v)?,
                "all" => {
                    let r = rate(k, v)? / 5.0;
                    spec.error_rate = r;
                    spec.rate_limit_rate = r;
                    spec.reset_rate = r;
                    spec.hang_rate = r;
                    spec.malformed_rate = r;
                }
                _ => {
                    return Err(format!(
                        "unknown fault `{k}`: use seed, latency, 5xx, 429, retry_after, reset, hang, malformed or all"
                    ))
                }
            }
        }
        spec.validate()?;
        Ok(spec)
    }
}

fn rate(key: &str, v: &str) -> Result<f64, String> {
    let r = match v.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => v.parse::<f64>(),
    }
    .map_err(|_| format!("{key} `{v}` is not a rate (0.1 or 10%)"))?;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!(
            "{key} `{v}` must be between 0 and 1 (or 0% and 100%)"
        ))
    }
}

/// The seed of one stream of `seed`'s draws. FNV-1a: a hash that stays the same across Rust
/// releases (DefaultHasher may not).
pub fn stream_seed(seed: u64, stream: &str) -> u64 {
    let h = stream.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    seed ^ h
}

/// One session's draws.
pub struct FaultPlan {
    spec: FaultSpec,
    rng: StdRng,
}

impl FaultPlan {
    pub fn new(spec: FaultSpec, stream: &str) -> FaultPlan {
        let rng = StdRng::seed_from_u64(stream_seed(spec.seed, stream));
        FaultPlan { spec, rng }
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.spec.latency_ms)
    }

    /// The fault for the next request.
    pub fn draw(&mut self) -> Fault {
        let x: f64 = self.rng.random();
        let after: bool = self.rng.random();
        let s = &self.spec;
        let mut edge = s.error_rate;
        if x < edge {
            let status = [500, 502, 503][self.rng.random_range(0..3)];
            return Fault::ServerError { status, after };
        }
        edge += s.rate_limit_rate;
        if x < edge {
            return Fault::RateLimited {
                retry_after_s: s.retry_after_s,
            };
        }
        edge += s.reset_rate;
        if x < edge {
            return Fault::Reset { after };
        }
        edge += s.hang_rate;
        if x < edge {
            return Fault::Hang;
        }
        edge += s.malformed_rate;
        if x < edge {
            return if after { Fault::Truncated } else { Fault::Html };
        }
        Fault::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_command_line_form() {
        let s = FaultSpec::parse(
            "seed=7, 5xx=10%, 429=0.05, reset=0.05, hang=1%, malformed=0.04, latency=20ms",
        )
        .unwrap();
        assert_eq!(s.seed, 7);
        assert_eq!(s.latency_ms, 20);
        assert!((s.total_rate() - 0.25).abs() < 1e-9);
        let all = FaultSpec::parse("all=30%").unwrap();
        assert!((all.total_rate() - 0.3).abs() < 1e-9);
        assert!(FaultSpec::parse("5xx=2").unwrap_err().contains("5xx"));
        assert!(FaultSpec::parse("5xx=0.6,429=0.6")
            .unwrap_err()
            .contains("more than 1"));
        assert!(FaultSpec::parse("bogus=1")
            .unwrap_err()
            .contains("unknown fault `bogus`"));
    }

    #[test]
    fn draws_are_reproducible_and_near_the_rates() {
        let spec = FaultSpec::parse("seed=3,all=30%").unwrap();
        let mut a = FaultPlan::new(spec.clone(), "j1");
        let mut b = FaultPlan::new(spec.clone(), "j1");
        let da: Vec<Fault> = (0..2000).map(|_| a.draw()).collect();
        let db: Vec<Fault> = (0..2000).map(|_| b.draw()).collect();
        assert_eq!(da, db, "same seed and session: same faults");
        let faulty = da.iter().filter(|f| **f != Fault::None).count() as f64 / 2000.0;
        assert!((0.25..0.35).contains(&faulty), "{faulty}");
        let mut c = FaultPlan::new(spec, "j2");
        let dc: Vec<Fault> = (0..2000).map(|_| c.draw()).collect();
        assert_ne!(da, dc, "sessions draw independently");
    }
}
