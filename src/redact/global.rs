//! Redactors shared across threads, and the process-wide registry the log file and error
//! messages go through (log lines are written from anywhere: the engine, plugins' log lines,
//! setup code).

use super::{Kind, Redactor};
use crate::journey::Event;
use rampsim_plugin_sdk::wire::Profile;
use std::borrow::Cow;
use std::sync::{Arc, Mutex, RwLock, Weak};

/// A redactor that a journey keeps adding to (tokens learnt from responses) while sinks, the
/// TUI and the log writer read it. Cloning shares it.
#[derive(Clone, Default)]
pub struct SharedRedactor(Arc<RwLock<Redactor>>);

impl std::fmt::Debug for SharedRedactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedRedactor")
            .field(&*self.read())
            .finish()
    }
}

impl SharedRedactor {
    pub fn new(r: Redactor) -> SharedRedactor {
        SharedRedactor(Arc::new(RwLock::new(r)))
    }

    /// A journey's redactor: its secret settings and its profile.
    pub fn for_journey(secrets: &[String], profile: &Profile) -> SharedRedactor {
        SharedRedactor::new(Redactor::for_journey(secrets, profile))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Redactor> {
        self.0.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Redactor> {
        self.0.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn add_secret(&self, value: impl AsRef<str>) {
        self.write().add_secret(value);
    }

    pub fn add_secrets<S: AsRef<str>>(&self, values: &[S]) {
        if values.is_empty() {
            return;
        }
        let mut w = self.write();
        for v in values {
            w.add_secret(v);
        }
    }

    pub fn add(&self, value: &str, kind: Kind) {
        self.write().add(value, kind);
    }

    pub fn add_profile(&self, p: &Profile) {
        self.write().add_profile(p);
    }

    /// The redactor as it stands (cheap: the automaton is shared).
    pub fn snapshot(&self) -> Redactor {
        self.read().clone()
    }

    pub fn redact_str(&self, s: &str) -> String {
        self.read().redact_str(s)
    }

    pub fn redact_headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        self.read().redact_headers(headers)
    }

    pub fn redact_body(&self, content_type: Option<&str>, body: &str) -> String {
        self.read().redact_body(content_type, body)
    }

    pub fn redact_json(&self, v: &mut serde_json::Value) {
        super::redact_json(&self.read(), v);
    }

    pub fn redact_event(&self, e: &Event) -> Event {
        super::redact_event(&self.read(), e)
    }
}

/// Journeys' redactors, held weakly: a journey's values apply to the log while it lives.
static ACTIVE: Mutex<Vec<Weak<RwLock<Redactor>>>> = Mutex::new(Vec::new());
/// Redactors that apply for the rest of the process (the configured profiles).
static PINNED: Mutex<Vec<SharedRedactor>> = Mutex::new(Vec::new());

/// Makes `r` apply to everything [`global_redact`] sees (the log file, error messages) for as
/// long as some clone of it lives. [`crate::journey::Journey`] registers its own.
pub fn register(r: &SharedRedactor) {
    let mut active = ACTIVE.lock().unwrap_or_else(|p| p.into_inner());
    active.retain(|w| w.strong_count() > 0);
    active.push(Arc::downgrade(&r.0));
}

/// Makes `r` apply to everything [`global_redact`] sees until the process exits.
pub fn pin(r: SharedRedactor) {
    PINNED.lock().unwrap_or_else(|p| p.into_inner()).push(r);
}

/// Pins a redactor of these profiles (the configured ones): their values are masked in the
/// log file and error messages from now on, whatever journey is running.
pub fn pin_profiles<'a>(profiles: impl IntoIterator<Item = &'a Profile>) {
    let mut r = Redactor::new();
    for p in profiles {
        r.add_profile(p);
    }
    if !r.is_empty() {
        pin(SharedRedactor::new(r));
    }
}

/// Redacts text with the structural rules and every registered and pinned redactor. The log
/// writer and error messages use this.
pub fn global_redact(s: &str) -> Cow<'_, str> {
    let mut redactors: Vec<SharedRedactor> =
        PINNED.lock().unwrap_or_else(|p| p.into_inner()).clone();
    redactors.extend(
        ACTIVE
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter_map(Weak::upgrade)
            .map(SharedRedactor),
    );
    if redactors.is_empty() {
        return Redactor::new().redact(s);
    }
    // One pass over all their values together: applied one after another, one profile's mask
    // could cut into another's value (`anna` inside `user-annabelle-003`) and leave the rest
    // of it in clear.
    let merged = merged(&redactors);
    match merged.redact(s) {
        Cow::Borrowed(_) => Cow::Borrowed(s),
        Cow::Owned(o) => Cow::Owned(o),
    }
}

/// The versions of the redactors [`MERGED`] was built from.
type MergeKey = Vec<u64>;

/// The union of the registered and pinned redactors, rebuilt only when one of them changed.
static MERGED: Mutex<Option<(MergeKey, Arc<Redactor>)>> = Mutex::new(None);

fn merged(redactors: &[SharedRedactor]) -> Arc<Redactor> {
    let key: MergeKey = redactors.iter().map(|r| r.read().version()).collect();
    let mut cache = MERGED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((k, m)) = cache.as_ref() {
        if *k == key {
            return m.clone();
        }
    }
    let mut m = Redactor::new();
    for r in redactors {
        m.merge(&r.read());
    }
    let m = Arc::new(m);
    *cache = Some((key, m.clone()));
    m
}
