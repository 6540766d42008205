//! The results of `rampsim plugin check`: one line per check for people, one JSON document
//! for scripts.

use serde::Serialize;
use std::path::PathBuf;

/// One check and how it went.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// `load`, `manifest`, `scenario approved`, `malformed register`...
    pub name: String,
    pub passed: bool,
    /// What was checked (passed) or the first problem (failed).
    pub detail: String,
    /// Every problem found, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Failed without being run: an earlier failure kept it from running (a plugin call that
    /// hung) or from reaching what it checks (a scenario that failed first). The detail says
    /// which; fixing that failure lets it run.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_run: bool,
}

impl CheckResult {
    pub fn pass(name: impl Into<String>, detail: impl Into<String>) -> CheckResult {
        CheckResult {
            name: name.into(),
            passed: true,
            detail: detail.into(),
            problems: Vec::new(),
            not_run: false,
        }
    }

    pub fn fail(name: impl Into<String>, why: impl Into<String>) -> CheckResult {
        let why = why.into();
        CheckResult {
            name: name.into(),
            passed: false,
            detail: why.clone(),
            problems: vec![why],
            not_run: false,
        }
    }

    /// Not run because of an earlier failure: `why` is `not run: ...` or `not reached: ...`.
    pub fn not_run(name: impl Into<String>, why: impl Into<String>) -> CheckResult {
        CheckResult {
            not_run: true,
            ..CheckResult::fail(name, why)
        }
    }

    /// Passed when `problems` is empty, else failed with the first as the reason.
    pub fn from_problems(
        name: impl Into<String>,
        passed_detail: impl Into<String>,
        problems: Vec<String>,
    ) -> CheckResult {
        match problems.first() {
            None => CheckResult::pass(name, passed_detail),
            Some(first) => CheckResult {
                name: name.into(),
                passed: false,
                detail: first.clone(),
                problems,
                not_run: false,
            },
        }
    }

    /// The result with the profile's values (and any secret `r` knows) masked: a plugin's
    /// messages may quote what it was given.
    pub fn redacted(&self, r: &crate::redact::Redactor) -> CheckResult {
        CheckResult {
            name: self.name.clone(),
            passed: self.passed,
            detail: r.redact_str(&self.detail),
            problems: self.problems.iter().map(|p| r.redact_str(p)).collect(),
            not_run: self.not_run,
        }
    }

    /// `PASS <check>` or `FAIL <check>: <why>`.
    pub fn line(&self) -> String {
        if self.passed {
            return format!("PASS {}", self.name);
        }
        let more = self.problems.len().saturating_sub(1);
        if more == 0 {
            format!("FAIL {}: {}", self.name, self.detail)
        } else {
            format!(
                "FAIL {}: {} (and {more} more; --json lists them all)",
                self.name, self.detail
            )
        }
    }
}

/// The plugin as its manifest describes it, when it loaded.
#[derive(Serialize, Clone, Debug)]
pub struct PluginInfo {
    pub id: String,
    pub name: String,
    pub version: String,
    pub protocol_version: String,
}

/// Everything `rampsim plugin check` found.
#[derive(Serialize, Clone, Debug)]
pub struct Report {
    pub path: PathBuf,
    pub plugin: Option<PluginInfo>,
    /// The profile the journeys used.
    pub profile: String,
    pub passed: bool,
    pub checks: Vec<CheckResult>,
    /// 0 all passed, 1 a check failed, 3 the host's loader refuses the file (not a library,
    /// not a plugin, or its handshake or manifest is wrong: the failed line says which).
    pub exit_code: i32,
}

impl Report {
    pub fn summary(&self) -> String {
        let failed = self.checks.iter().filter(|c| !c.passed).count();
        let not_run = self.checks.iter().filter(|c| c.not_run).count();
        match (failed, not_run) {
            (0, _) => format!("ok: all {} checks passed", self.checks.len()),
            (_, 0) => format!("failed: {failed} of {} checks", self.checks.len()),
            _ => format!(
                "failed: {failed} of {} checks ({not_run} of them not run because of an earlier failure)",
                self.checks.len()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_pass_or_fail_with_why_and_how_many_more() {
        assert_eq!(CheckResult::pass("load", "ok").line(), "PASS load");
        assert_eq!(
            CheckResult::fail("abi", "ABI 99").line(),
            "FAIL abi: ABI 99"
        );
        let r = CheckResult::from_problems(
            "malformed register",
            "-",
            vec!["first".into(), "second".into()],
        );
        assert!(!r.passed);
        assert_eq!(
            r.line(),
            "FAIL malformed register: first (and 1 more; --json lists them all)"
        );
        assert!(CheckResult::from_problems("x", "fine", vec![]).passed);
    }
}
