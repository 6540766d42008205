//! Each check runs on a thread of its own under a time limit, watched from the caller's: a
//! panic of the check's own code becomes a failed check, and a plugin call that never returns
//! is named (`adapter begin(await_kyc) did not return within 120 s`). Once a call has hung, the
//! plugin is busy for good (its thread is left behind, spinning or blocked), so the checks after
//! it are reported as not run instead of each waiting out the limit again.

use super::report::CheckResult;
use crate::plugin::stuck_call;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

/// How often the calls under way are looked at while a check runs.
const TICK: Duration = Duration::from_millis(50);

/// How a supervised check ended.
#[derive(Debug)]
enum Ended<T> {
    Done(T),
    /// The check's own code panicked (a bug in rampsim).
    Panicked(String),
    /// `why` the check is stuck: a call that has not returned within the limit, or the check
    /// not finished within it.
    Stuck(String),
}

/// `120 s`, `0.5 s`.
pub fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Runs `f` on a thread of its own and waits for it at most `limit`, naming a plugin call
/// that runs `limit` or longer as soon as there is one.
fn supervise<T: Send + 'static>(
    name: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Ended<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(format!("check {name}"))
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Ended::Panicked(format!("cannot start a thread: {e}"));
    }
    let started = Instant::now();
    loop {
        match rx.recv_timeout(TICK) {
            Ok(Ok(v)) => return Ended::Done(v),
            Ok(Err(p)) => {
                let msg = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                return Ended::Panicked(msg);
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Ended::Panicked("its thread ended without a result".into())
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        if let Some((call, _)) = stuck_call(limit) {
            return Ended::Stuck(format!(
                "{} did not return within {}: it loops or blocks",
                call.call,
                secs(limit)
            ));
        }
        // Out of time with a call in flight: give that call its own full limit (it is named
        // if it never returns); the check stops after twice the limit at most.
        let took = started.elapsed();
        if took >= limit && (stuck_call(Duration::ZERO).is_none() || took >= 2 * limit) {
            return Ended::Stuck(format!(
                "did not finish within {}, though each plugin call returned: the check kept calling the plugin",
                secs(limit)
            ));
        }
    }
}

/// Runs the checks in turn, each under supervision, and hands each result to `on_result` as it
/// comes.
pub struct Runner<'a> {
    limit: Duration,
    /// Why the checks stopped: a check is stuck in the plugin.
    stuck: Option<String>,
    on_result: &'a mut dyn FnMut(&CheckResult),
    pub results: Vec<CheckResult>,
}

impl<'a> Runner<'a> {
    pub fn new(limit: Duration, on_result: &'a mut dyn FnMut(&CheckResult)) -> Runner<'a> {
        Runner {
            limit,
            stuck: None,
            on_result,
            results: Vec::new(),
        }
    }

    pub fn push(&mut self, r: CheckResult) {
        (self.on_result)(&r);
        self.results.push(r);
    }

    /// Whether a check got stuck, so the rest are not run.
    #[cfg(test)]
    pub fn stuck(&self) -> bool {
        self.stuck.is_some()
    }

    /// Runs check `name`; false when it did not pass.
    pub fn check(&mut self, name: &str, f: impl FnOnce() -> CheckResult + Send + 'static) -> bool {
        let r = match self.value(name, f) {
            Ok(r) => r,
            Err(r) => r,
        };
        let passed = r.passed;
        self.push(r);
        passed
    }

    /// Runs `f` for check `name` (the name of a failure); `Err` is the failed result (not yet
    /// pushed).
    pub fn value<T: Send + 'static>(
        &mut self,
        name: &str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, CheckResult> {
        if let Some(why) = &self.stuck {
            return Err(CheckResult::not_run(name, format!("not run: {why}")));
        }
        match supervise(name, self.limit, f) {
            Ended::Done(v) => Ok(v),
            Ended::Panicked(msg) => Err(CheckResult::fail(
                name,
                format!("the check itself failed (a bug in rampsim): {msg}"),
            )),
            Ended::Stuck(why) => {
                self.stuck = Some(format!("check `{name}` is stuck in the plugin"));
                Err(CheckResult::fail(name, why))
            }
        }
    }

    /// Reports check `name` as not run because a check got stuck.
    pub fn skip(&mut self, name: &str) {
        let why = self.stuck.clone().unwrap_or_default();
        self.push(CheckResult::not_run(name, format!("not run: {why}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::enter_for_test;
    use rampsim_plugin_sdk::wire::Stage;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    /// The calls under way are the process's: these tests take turns.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    fn run(
        limit: Duration,
        f: impl FnOnce() -> CheckResult + Send + 'static,
    ) -> (Vec<String>, bool) {
        let mut seen = Vec::new();
        let mut on_result = |r: &CheckResult| seen.push(r.line());
        let mut runner = Runner::new(limit, &mut on_result);
        runner.check("first", f);
        runner.check("second", || CheckResult::pass("second", ""));
        let stuck = runner.stuck();
        drop(runner);
        (seen, stuck)
    }

    #[test]
    fn a_plugin_call_that_never_returns_is_named_and_the_rest_do_not_run() {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        static RELEASE: AtomicBool = AtomicBool::new(false);
        let started = Instant::now();
        let (lines, stuck) = run(Duration::from_millis(200), move || {
            let _call = enter_for_test("adapter begin", Some(Stage::AwaitKyc));
            while !RELEASE.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(10));
            }
            CheckResult::pass("first", "")
        });
        assert!(stuck);
        assert_eq!(
            lines,
            [
                "FAIL first: adapter begin(await_kyc) did not return within 0.2 s: it loops or blocks",
                "FAIL second: not run: check `first` is stuck in the plugin",
            ]
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        // Let the left-behind call end, so the next test sees no call under way.
        RELEASE.store(true, Ordering::Relaxed);
        while stuck_call(Duration::ZERO).is_some() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_slow_check_or_a_panicking_one_fails_and_says_why() {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let (lines, _) = run(Duration::from_millis(100), || {
            std::thread::sleep(Duration::from_secs(30));
            CheckResult::pass("first", "")
        });
        assert_eq!(
            lines[0],
            "FAIL first: did not finish within 0.1 s, though each plugin call returned: the check kept calling the plugin"
        );
        let (lines, stuck) = run(Duration::from_secs(5), || panic!("oops"));
        assert!(!stuck);
        assert_eq!(
            lines,
            [
                "FAIL first: the check itself failed (a bug in rampsim): oops",
                "PASS second"
            ]
        );
    }
}
