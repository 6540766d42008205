//! The plugin calls in flight, for `rampsim plugin check`: a call that never returns (a plugin
//! that loops or blocks) can only be seen from another thread, and the author needs to be told
//! which call it is. Off unless the check asks for it, so journeys pay one atomic load per call.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The plugin calls that started and have not returned yet.
#[derive(Default)]
pub struct CallWatch {
    next: AtomicU64,
    in_flight: Mutex<BTreeMap<u64, (String, Instant)>>,
}

/// One call being watched; it is done when dropped. A call that never returns never drops it.
pub struct Watched<'a> {
    watch: &'a CallWatch,
    id: u64,
}

impl Drop for Watched<'_> {
    fn drop(&mut self) {
        self.watch.lock().remove(&self.id);
    }
}

impl CallWatch {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, (String, Instant)>> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes that call `what` (`adapter begin(await_kyc)`) starts now.
    pub fn start(&self, what: String) -> Watched<'_> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, (what, Instant::now()));
        Watched { watch: self, id }
    }

    /// The oldest call that has been running for `limit` or longer, and for how long.
    pub fn stuck(&self, limit: Duration) -> Option<(String, Duration)> {
        // Ids grow with time: the first entry is the oldest call.
        self.lock()
            .values()
            .next()
            .map(|(what, since)| (what.clone(), since.elapsed()))
            .filter(|(_, running)| *running >= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_stuck_once_it_has_run_for_the_limit_and_forgotten_when_it_returns() {
        let watch = CallWatch::default();
        let returned = watch.start("adapter new".into());
        drop(returned);
        let hung = watch.start("adapter begin(await_kyc)".into());
        let _later = watch.start("fake handle(GET /users/1)".into());
        assert_eq!(watch.stuck(Duration::from_secs(60)), None);
        assert_eq!(
            watch.stuck(Duration::ZERO).map(|(what, _)| what).as_deref(),
            Some("adapter begin(await_kyc)")
        );
        std::mem::forget(hung);
    }
}
