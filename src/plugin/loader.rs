//! Loads one plugin library, checks the handshake, and wraps its C table in safe calls.
//!
//! Libraries are never unloaded: unloading a Rust cdylib is unsound when it has registered
//! thread-local destructors, so each loaded library is leaked for the life of the process.

use super::in_flight;
use rampsim_plugin_sdk::abi::{self, Buffer, EntryFn, PluginApi};
use rampsim_plugin_sdk::codec;
use rampsim_plugin_sdk::wire::{
    AdapterCall, AdapterInit, AdapterReply, Envelope, FakeCall, FakeReply, Manifest,
    PluginErrorKind, Stage,
};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::ffi::c_void;
use std::path::{Path, PathBuf};

/// Why a library could not be used as a plugin. Every variant names the file.
#[derive(Debug, thiserror::Error, Clone)]
pub enum LoadError {
    #[error("plugin `{id}` not found; searched: {}", list_paths(searched))]
    NotFound { id: String, searched: Vec<PathBuf> },
    #[error("{}: not a loadable library: {reason}", path.display())]
    NotLoadable { path: PathBuf, reason: String },
    #[error("{}: not a rampsim plugin: it has no `{symbol}` entry symbol", path.display())]
    NotAPlugin { path: PathBuf, symbol: &'static str },
    #[error("{}: plugin ABI version {plugin} does not match the host's ABI version {host}; rebuild the plugin against rampsim-plugin-sdk with ABI {host}", path.display())]
    AbiMismatch {
        path: PathBuf,
        plugin: u32,
        host: u32,
    },
    #[error("{}: plugin `{id}` {version} speaks protocol {plugin}, the host speaks protocol {host} (loads same major, minor up to its own); rebuild the plugin against the rampsim-plugin-sdk of this host", path.display())]
    ProtocolMismatch {
        path: PathBuf,
        id: String,
        version: String,
        plugin: String,
        host: String,
    },
    #[error("{}: invalid manifest: {reason}", path.display())]
    InvalidManifest {
        path: PathBuf,
        reason: String,
        /// The protocol the manifest declares, when it could be read and the host speaks it:
        /// only the manifest's rules failed.
        protocol: Option<String>,
    },
    /// The host finds plugin `<id>` by its file name alone (`find_plugin`, and discovery by the
    /// same rule), so a library whose manifest declares another id is never that plugin.
    #[error("{}: declares id `{found}` but is named {}, the file of plugin `{expected}`: a plugin's file must be {}{}", path.display(), file_name(path), super::library_file_name("<id>").display(), claimed_also(found, others))]
    IdMismatch {
        path: PathBuf,
        /// The id the file name stands for.
        expected: String,
        /// The id the manifest declares.
        found: String,
        /// Other libraries found for `found`, in search order (discovery fills them in).
        others: Vec<PathBuf>,
    },
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

fn claimed_also(id: &str, others: &[PathBuf]) -> String {
    if others.is_empty() {
        String::new()
    } else {
        format!("; other libraries for `{id}`: {}", list_paths(others))
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A failed call into a plugin. Displays as `plugin paxos 1.0.0: <what happened>`.
#[derive(Debug, thiserror::Error, Clone)]
#[error("plugin {plugin} {version}: {message}")]
pub struct CallError {
    pub plugin: String,
    pub version: String,
    pub kind: PluginErrorKind,
    pub message: String,
}

impl CallError {
    pub fn is_panic(&self) -> bool {
        self.kind == PluginErrorKind::Panic
    }
}

/// A loaded, handshaken plugin. Cheap to share behind an `Arc`.
pub struct LoadedPlugin {
    pub path: PathBuf,
    pub manifest: Manifest,
    api: &'static PluginApi,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("path", &self.path)
            .field("id", &self.manifest.id)
            .field("version", &self.manifest.version)
            .finish()
    }
}

impl LoadedPlugin {
    /// Loads the library at `path` and checks, in this order: that it loads, that it has the
    /// entry symbol, the ABI version, the manifest, the protocol version.
    pub fn load(path: &Path) -> Result<LoadedPlugin, LoadError> {
        let path = path.to_path_buf();
        // SAFETY: loading a library runs its initialisers. We only load files that discovery
        // found under the plugin naming scheme in directories the operator configured or next
        // to our own executable; that is the trust boundary of a plugin system.
        let lib =
            unsafe { libloading::Library::new(&path) }.map_err(|e| LoadError::NotLoadable {
                path: path.clone(),
                // dlerror starts with the path, which the error already names.
                reason: without_path(&e.to_string(), &path),
            })?;
        let lib: &'static libloading::Library = Box::leak(Box::new(lib));
        // SAFETY: the symbol's type is the one every rampsim plugin exports through
        // `export_plugin!`; a library exporting the name with another type is not ours to
        // protect against beyond the ABI number read next.
        let entry = unsafe { lib.get::<EntryFn>(abi::ENTRY_SYMBOL.as_bytes()) }.map_err(|_| {
            LoadError::NotAPlugin {
                path: path.clone(),
                symbol: abi::ENTRY_SYMBOL,
            }
        })?;
        // SAFETY: the entry function takes no arguments and returns a pointer to a static table.
        let table = unsafe { entry() };
        if table.is_null() {
            return Err(LoadError::NotAPlugin {
                path,
                symbol: abi::ENTRY_SYMBOL,
            });
        }
        // SAFETY: every ABI version keeps `abi_version: u32` as the table's first field, so
        // reading it is valid whatever version the plugin speaks.
        let plugin_abi = unsafe { *(table as *const u32) };
        if plugin_abi != abi::ABI_VERSION {
            return Err(LoadError::AbiMismatch {
                path,
                plugin: plugin_abi,
                host: abi::ABI_VERSION,
            });
        }
        // SAFETY: the ABI version matches, so the table has `PluginApi`'s layout; it is static
        // in a library we never unload.
        let api: &'static PluginApi = unsafe { &*table };
        let mut plugin = LoadedPlugin {
            path: path.clone(),
            manifest: placeholder_manifest(),
            api,
        };
        // SAFETY: `manifest` takes no arguments and returns a buffer we free via the plugin.
        let buf = unsafe { (api.manifest)() };
        let manifest: Manifest = match plugin.with_buffer(buf, decode_manifest) {
            Ok(Ok(m)) => m,
            Ok(Err(e)) => {
                return Err(LoadError::InvalidManifest {
                    path,
                    reason: e.message,
                    protocol: None,
                })
            }
            Err(reason) => {
                return Err(LoadError::InvalidManifest {
                    path,
                    reason,
                    protocol: None,
                })
            }
        };
        if !abi::protocol_compatible(abi::PROTOCOL_VERSION, &manifest.protocol_version) {
            return Err(LoadError::ProtocolMismatch {
                path,
                id: manifest.id,
                version: manifest.version,
                plugin: manifest.protocol_version,
                host: abi::PROTOCOL_VERSION.to_string(),
            });
        }
        validate_manifest(&manifest).map_err(|reason| LoadError::InvalidManifest {
            path: path.clone(),
            reason,
            protocol: Some(manifest.protocol_version.clone()),
        })?;
        plugin.manifest = manifest;
        Ok(plugin)
    }

    pub fn id(&self) -> &str {
        &self.manifest.id
    }

    fn error(&self, kind: PluginErrorKind, message: impl Into<String>) -> CallError {
        CallError {
            plugin: self.manifest.id.clone(),
            version: self.manifest.version.clone(),
            kind,
            message: message.into(),
        }
    }

    /// Lets `read` look at a plugin-allocated buffer, then hands it back to the plugin to free
    /// (decoding in place saves a copy of every reply).
    fn with_buffer<R>(&self, buf: Buffer, read: impl FnOnce(&[u8]) -> R) -> R {
        let bytes: &[u8] = if buf.ptr.is_null() || buf.len == 0 {
            &[]
        } else {
            // SAFETY: the plugin returned a buffer of `len` initialised bytes that stays valid
            // until we pass it to `buffer_free`, after `read` is done with this borrow.
            unsafe { std::slice::from_raw_parts(buf.ptr, buf.len) }
        };
        let result = read(bytes);
        // SAFETY: the buffer came from this plugin and is freed exactly once, by its allocator;
        // nothing borrows it any more.
        unsafe { (self.api.buffer_free)(buf) };
        result
    }

    fn reply<T: DeserializeOwned>(&self, what: &str, buf: Buffer) -> Result<T, CallError> {
        match self.with_buffer(buf, decode_envelope::<T>) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.error(e.kind, e.message)),
            Err(reason) => Err(self.error(
                PluginErrorKind::Protocol,
                format!("answered {what} with an unreadable reply: {reason}"),
            )),
        }
    }

    /// Creates an adapter for one journey.
    pub fn new_adapter(
        self: &std::sync::Arc<Self>,
        init: &AdapterInit,
    ) -> Result<AdapterHandle, CallError> {
        let mut input =
            codec::encode(init).map_err(|e| self.error(PluginErrorKind::Protocol, e))?;
        let mut out: *mut c_void = std::ptr::null_mut();
        let under_way = in_flight::enter(self, "adapter new", None);
        // SAFETY: `input` outlives the call; `out` is a valid slot for the instance pointer.
        let buf = unsafe { (self.api.adapter_new)(input.as_ptr(), input.len(), &mut out) };
        drop(under_way);
        self.reply::<()>("adapter_new", buf)?;
        if out.is_null() {
            return Err(self.error(
                PluginErrorKind::Protocol,
                "adapter_new returned no instance",
            ));
        }
        // The buffer is kept for the calls, empty: a call made before any `encode` is an
        // empty message the plugin refuses, never the profile again.
        input.clear();
        Ok(AdapterHandle {
            plugin: self.clone(),
            instance: out,
            poisoned: None,
            input,
            encoded: ("adapter call", None),
        })
    }

    /// Creates a fake with empty sandbox state.
    pub fn new_fake(self: &std::sync::Arc<Self>) -> Result<FakeHandle, CallError> {
        let mut out: *mut c_void = std::ptr::null_mut();
        let under_way = in_flight::enter(self, "fake new", None);
        // SAFETY: `out` is a valid slot for the instance pointer.
        let buf = unsafe { (self.api.fake_new)(&mut out) };
        drop(under_way);
        self.reply::<()>("fake_new", buf)?;
        if out.is_null() {
            return Err(self.error(PluginErrorKind::Protocol, "fake_new returned no instance"));
        }
        Ok(FakeHandle {
            plugin: self.clone(),
            instance: out,
            poisoned: None,
            input: Vec::new(),
        })
    }
}

/// The manifest is the handshake: JSON in every protocol version, so that a plugin of another
/// version is refused by name and version rather than as unreadable bytes.
fn decode_manifest(
    bytes: &[u8],
) -> Result<Result<Manifest, rampsim_plugin_sdk::PluginError>, String> {
    // Not JSON at all and JSON of another shape are different mistakes: say which.
    let json: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "the manifest is not JSON ({e}): the `manifest` function must return the JSON `export_plugin!` writes"
        )
    })?;
    serde_json::from_value::<Envelope<Manifest>>(json)
        .map(Envelope::into_result)
        .map_err(|e| format!("the manifest is JSON but not a manifest this host reads: {e}"))
}

fn decode_envelope<T: DeserializeOwned>(
    bytes: &[u8],
) -> Result<Result<T, rampsim_plugin_sdk::PluginError>, String> {
    codec::decode::<Envelope<T>>(bytes).map(Envelope::into_result)
}

/// `reason` without a leading "`path`: " (the loader's message names the file first) and the
/// wrapper libloading puts around dlerror's text.
fn without_path(reason: &str, path: &std::path::Path) -> String {
    let shown = path.display().to_string();
    match reason.find(&format!("{shown}: ")) {
        Some(i) => reason[i + shown.len() + 2..].to_string(),
        None => reason.to_string(),
    }
}

fn placeholder_manifest() -> Manifest {
    Manifest {
        id: "?".into(),
        name: String::new(),
        version: "?".into(),
        protocol_version: String::new(),
        description: String::new(),
        stages: Vec::new(),
        endpoints: Vec::new(),
        settings: Vec::new(),
        scenarios: Vec::new(),
    }
}

/// The manifest rules every plugin must meet before the host uses it.
pub fn validate_manifest(m: &Manifest) -> Result<(), String> {
    let mut problems = Vec::new();
    let id_ok = !m.id.is_empty()
        && m.id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !id_ok {
        problems.push(format!(
            "id `{}` must be non-empty lower-case [a-z0-9_-]",
            m.id
        ));
    }
    if m.version.split('.').count() != 3 || m.version.split('.').any(|p| p.parse::<u64>().is_err())
    {
        problems.push(format!(
            "version `{}` is not semver MAJOR.MINOR.PATCH",
            m.version
        ));
    }
    let stages: Vec<Stage> = m.stages.iter().map(|s| s.stage).collect();
    if stages != Stage::ALL {
        problems.push(format!(
            "stages must be register, idv_passthrough, await_kyc, create_order in order (got {})",
            stages
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut labels = HashSet::new();
    for s in &m.stages {
        if s.label.trim().is_empty() {
            problems.push(format!("stage {} has an empty label", s.stage));
        } else if !labels.insert(s.label.as_str()) {
            problems.push(format!("stage label `{}` is used twice", s.label));
        }
    }
    if m.endpoints.is_empty() {
        problems.push("declares no endpoints".into());
    }
    let mut names = HashSet::new();
    for e in &m.endpoints {
        if !names.insert(e.name.as_str()) {
            problems.push(format!("endpoint `{}` is declared twice", e.name));
        }
        if e.name.is_empty() || e.name.contains('/') {
            problems.push(format!(
                "endpoint name `{}` must be non-empty without `/`",
                e.name
            ));
        }
        match reqwest::Url::parse(&e.live_base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => problems.push(format!(
                "endpoint `{}` has an invalid live_base_url `{}`",
                e.name, e.live_base_url
            )),
        }
    }
    let mut settings = HashSet::new();
    for s in &m.settings {
        if !settings.insert(s.name.as_str()) {
            problems.push(format!("setting `{}` is declared twice", s.name));
        }
        let looks_secret = ["secret", "password", "token", "key"]
            .iter()
            .any(|w| s.name.to_ascii_lowercase().contains(w));
        if looks_secret && !s.secret && !s.name.ends_with("_id") {
            problems.push(format!(
                "setting `{}` looks like a secret but is not marked `secret: true`",
                s.name
            ));
        }
    }
    if m.scenarios.is_empty() {
        problems.push("declares no scenarios".into());
    }
    let mut scen = HashSet::new();
    for s in &m.scenarios {
        if s.name.is_empty() || !scen.insert(s.name.as_str()) {
            problems.push(format!("scenario `{}` is empty or declared twice", s.name));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// One journey's adapter inside a plugin. Dropping it frees the plugin's instance.
pub struct AdapterHandle {
    plugin: std::sync::Arc<LoadedPlugin>,
    instance: *mut c_void,
    poisoned: Option<CallError>,
    /// The next call's bytes; one buffer for the journey instead of one grown per call.
    input: Vec<u8>,
    /// The SDK function and stage `input` is for (`begin`, `await_kyc`), for [`in_flight`].
    encoded: (&'static str, Option<Stage>),
}

// SAFETY: the SDK requires `Adapter: Send`, and `&mut self` on every call means one call at a
// time, which is all the contract asks.
unsafe impl Send for AdapterHandle {}

impl AdapterHandle {
    pub fn plugin(&self) -> &LoadedPlugin {
        &self.plugin
    }

    /// One call into the adapter. After a panic the handle refuses further calls itself, so a
    /// broken instance is never touched again.
    pub fn call(&mut self, call: &AdapterCall) -> Result<AdapterReply, CallError> {
        self.encode(call)?;
        self.call_encoded()
    }

    /// Encodes the next call, for [`AdapterHandle::call_encoded`]: the engine encodes a
    /// response first and then hands the same response on to its event without a copy.
    pub fn encode(&mut self, call: &AdapterCall) -> Result<(), CallError> {
        self.encoded = match call {
            AdapterCall::Begin { stage, .. } => ("adapter begin", Some(*stage)),
            AdapterCall::Response { stage, .. } => ("adapter on_response", Some(*stage)),
        };
        self.input.clear();
        codec::encode_into(&mut self.input, call).map_err(|e| {
            // Half a message must not go out with the next call.
            self.input.clear();
            self.plugin.error(PluginErrorKind::Protocol, e)
        })
    }

    /// Makes the call [`AdapterHandle::encode`] encoded last.
    pub fn call_encoded(&mut self) -> Result<AdapterReply, CallError> {
        if let Some(e) = &self.poisoned {
            return Err(e.clone());
        }
        let input = &self.input;
        let (function, stage) = self.encoded;
        let under_way = in_flight::enter(&self.plugin, function, stage);
        // SAFETY: `instance` came from this plugin's `adapter_new`, is not yet dropped, and
        // `&mut self` guarantees no concurrent call; `input` outlives the call.
        let buf =
            unsafe { (self.plugin.api.adapter_call)(self.instance, input.as_ptr(), input.len()) };
        drop(under_way);
        let reply = self.plugin.reply::<AdapterReply>("adapter_call", buf);
        if let Err(e) = &reply {
            if e.is_panic() {
                self.poisoned = Some(e.clone());
            }
        }
        reply
    }
}

impl Drop for AdapterHandle {
    fn drop(&mut self) {
        // SAFETY: the instance came from `adapter_new` and is dropped exactly once, here.
        unsafe { (self.plugin.api.adapter_drop)(self.instance) };
    }
}

/// A fake's sandbox state inside a plugin.
pub struct FakeHandle {
    plugin: std::sync::Arc<LoadedPlugin>,
    instance: *mut c_void,
    poisoned: Option<CallError>,
    /// The next call's bytes, kept between calls (see [`AdapterHandle`]).
    input: Vec<u8>,
}

// SAFETY: the SDK requires `Fake: Send`; `&mut self` serialises calls.
unsafe impl Send for FakeHandle {}

impl FakeHandle {
    pub fn plugin(&self) -> &LoadedPlugin {
        &self.plugin
    }

    pub fn call(&mut self, call: &FakeCall) -> Result<FakeReply, CallError> {
        if let Some(e) = &self.poisoned {
            return Err(e.clone());
        }
        self.input.clear();
        codec::encode_into(&mut self.input, call)
            .map_err(|e| self.plugin.error(PluginErrorKind::Protocol, e))?;
        let input = &self.input;
        let under_way = in_flight::enter(&self.plugin, "fake handle", None);
        // SAFETY: as in `AdapterHandle::call`, for an instance from `fake_new`.
        let buf =
            unsafe { (self.plugin.api.fake_call)(self.instance, input.as_ptr(), input.len()) };
        drop(under_way);
        let reply = self.plugin.reply::<FakeReply>("fake_call", buf);
        if let Err(e) = &reply {
            if e.is_panic() {
                self.poisoned = Some(e.clone());
            }
        }
        reply
    }
}

impl Drop for FakeHandle {
    fn drop(&mut self) {
        // SAFETY: the instance came from `fake_new` and is dropped exactly once, here.
        unsafe { (self.plugin.api.fake_drop)(self.instance) };
    }
}
