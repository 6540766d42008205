//! The one clock a journey and its fake share. With the virtual clock a wait advances time at
//! once, so a review that takes thirty minutes of sandbox time finishes in microseconds.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

#[derive(Debug)]
pub enum Clock {
    Real,
    Virtual(AtomicI64),
}

impl Clock {
    pub fn real() -> Clock {
        Clock::Real
    }

    /// A virtual clock starting at the current wall-clock time (whole seconds).
    pub fn virtual_now() -> Clock {
        Clock::Virtual(AtomicI64::new(wall_ms() / 1000 * 1000))
    }

    pub fn virtual_at(ms: i64) -> Clock {
        Clock::Virtual(AtomicI64::new(ms))
    }

    pub fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual(_))
    }

    /// Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::Real => wall_ms(),
            Clock::Virtual(t) => t.load(Ordering::SeqCst),
        }
    }

    /// Waits `d`: really, or by moving virtual time forward.
    pub async fn sleep(&self, d: Duration) {
        match self {
            Clock::Real => tokio::time::sleep(d).await,
            Clock::Virtual(t) => {
                forward(t, d);
                tokio::task::yield_now().await;
            }
        }
    }

    /// Moves virtual time by the latency of a request, so timestamps stay ordered.
    pub fn advance(&self, d: Duration) {
        if let Clock::Virtual(t) = self {
            forward(t, d);
        }
    }
}

/// Virtual time moves forward and never wraps, whatever wait it is given.
fn forward(t: &AtomicI64, d: Duration) {
    let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let _ = t.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
        Some(now.saturating_add(ms))
    });
}

pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn virtual_sleep_advances_instantly() {
        let c = Clock::virtual_at(1_000);
        let t0 = std::time::Instant::now();
        c.sleep(Duration::from_secs(1800)).await;
        assert_eq!(c.now_ms(), 1_000 + 1_800_000);
        assert!(t0.elapsed() < Duration::from_secs(1));
    }
}
