//! The calls into plugins under way right now. A plugin is native code on one of our threads:
//! a call that never returns (a loop in `begin`) cannot be interrupted, only left behind by
//! exiting the process. When rampsim stops waiting for one (Ctrl-C, `q`), this says which plugin
//! and which call it gave up on; `plugin check` asks it which call has run past its limit.

use super::loader::LoadedPlugin;
use rampsim_plugin_sdk::wire::Stage;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One call under way, as [`oldest_call`] reports it.
#[derive(Debug, Clone)]
pub struct CallUnderWay {
    pub plugin: String,
    pub version: String,
    /// Which half and function, and its stage: `adapter begin(await_kyc)`.
    pub call: String,
}

impl CallUnderWay {
    /// `plugin acme 0.1.0 did not return from adapter begin(await_kyc)`.
    pub fn did_not_return(&self) -> String {
        format!(
            "plugin {} {} did not return from {}",
            self.plugin, self.version, self.call
        )
    }
}

/// The call under way that started first, if any.
pub fn oldest_call() -> Option<CallUnderWay> {
    let calls = CALLS.lock().unwrap_or_else(|p| p.into_inner());
    calls.iter().min_by_key(|c| c.since).map(Call::under_way)
}

/// The call under way that started first, when it has run for `limit` or longer, and for how
/// long.
pub fn stuck_call(limit: std::time::Duration) -> Option<(CallUnderWay, std::time::Duration)> {
    let calls = CALLS.lock().unwrap_or_else(|p| p.into_inner());
    calls
        .iter()
        .min_by_key(|c| c.since)
        .map(|c| (c.under_way(), c.since.elapsed()))
        .filter(|(_, running)| *running >= limit)
}

/// Records a call until the returned guard is dropped (when the call returns or unwinds).
pub(super) fn enter(
    plugin: &Arc<LoadedPlugin>,
    function: &'static str,
    stage: Option<Stage>,
) -> Entered {
    record(Some(plugin.clone()), function, stage)
}

fn record(
    plugin: Option<Arc<LoadedPlugin>>,
    function: &'static str,
    stage: Option<Stage>,
) -> Entered {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    // Only what is cheap to keep: the call's text is made when someone asks.
    CALLS.lock().unwrap_or_else(|p| p.into_inner()).push(Call {
        id,
        plugin,
        function,
        stage,
        since: Instant::now(),
    });
    Entered(id)
}

/// A call of no loaded plugin, for the tests of what watches the calls.
#[cfg(test)]
pub(crate) fn enter_for_test(function: &'static str, stage: Option<Stage>) -> Entered {
    record(None, function, stage)
}

/// A call recorded by [`enter`]; dropping it forgets the call.
pub(crate) struct Entered(u64);

impl Drop for Entered {
    fn drop(&mut self) {
        let mut calls = CALLS.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = calls.iter().position(|c| c.id == self.0) {
            calls.swap_remove(i);
        }
    }
}

struct Call {
    id: u64,
    /// `None` only in tests.
    plugin: Option<Arc<LoadedPlugin>>,
    function: &'static str,
    stage: Option<Stage>,
    since: Instant,
}

impl Call {
    fn under_way(&self) -> CallUnderWay {
        let (plugin, version) = self.plugin.as_ref().map_or_else(Default::default, |p| {
            (p.manifest.id.clone(), p.manifest.version.clone())
        });
        CallUnderWay {
            plugin,
            version,
            call: match self.stage {
                Some(stage) => format!("{}({stage})", self.function),
                None => self.function.to_string(),
            },
        }
    }
}

static CALLS: Mutex<Vec<Call>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
