//! The C ABI: one exported symbol returning a table of `extern "C"` functions that pass byte
//! buffers (the manifest as JSON, every other message as MessagePack: [`crate::codec`]).
//! Nothing Rust-specific crosses it, so any compiler version can build a plugin.
//!
//! The table's first field is the ABI version, and stays first in every future version, so a
//! host can read it before trusting anything else in the table.

use std::ffi::c_void;

/// Changes only when [`PluginApi`]'s layout or calling rules change.
pub const ABI_VERSION: u32 = 1;

/// The symbol every plugin exports: `extern "C" fn() -> *const PluginApi`.
pub const ENTRY_SYMBOL: &str = "rampsim_plugin_entry";

/// Signature of [`ENTRY_SYMBOL`].
pub type EntryFn = unsafe extern "C" fn() -> *const PluginApi;

/// A byte buffer allocated by the plugin. The host hands it back to `buffer_free`; it never
/// frees it itself (the two sides may use different allocators).
#[repr(C)]
pub struct Buffer {
    pub ptr: *mut u8,
    pub len: usize,
    pub cap: usize,
}

impl Buffer {
    pub fn from_vec(v: Vec<u8>) -> Buffer {
        let mut v = std::mem::ManuallyDrop::new(v);
        Buffer {
            ptr: v.as_mut_ptr(),
            len: v.len(),
            cap: v.capacity(),
        }
    }
}

/// The exported table. Every function returns a [`Buffer`] holding an
/// [`Envelope`](crate::wire::Envelope) (JSON for the manifest, [`crate::codec`] for the rest),
/// except the `*_drop` functions and `buffer_free`.
/// Instances are opaque pointers; the host makes at most one call on an instance at a time.
#[repr(C)]
pub struct PluginApi {
    /// [`ABI_VERSION`] of the SDK the plugin was built with.
    pub abi_version: u32,
    /// Returns `Envelope<Manifest>`.
    pub manifest: unsafe extern "C" fn() -> Buffer,
    /// Input: `AdapterInit`. Writes the instance to `out` on success. Returns `Envelope<()>`.
    pub adapter_new:
        unsafe extern "C" fn(input: *const u8, len: usize, out: *mut *mut c_void) -> Buffer,
    /// Input: `AdapterCall`. Returns `Envelope<AdapterReply>`.
    pub adapter_call:
        unsafe extern "C" fn(instance: *mut c_void, input: *const u8, len: usize) -> Buffer,
    pub adapter_drop: unsafe extern "C" fn(instance: *mut c_void),
    /// Writes a fresh fake (empty sandbox state) to `out`. Returns `Envelope<()>`.
    pub fake_new: unsafe extern "C" fn(out: *mut *mut c_void) -> Buffer,
    /// Input: `FakeCall`. Returns `Envelope<FakeReply>`.
    pub fake_call:
        unsafe extern "C" fn(instance: *mut c_void, input: *const u8, len: usize) -> Buffer,
    pub fake_drop: unsafe extern "C" fn(instance: *mut c_void),
    /// Frees a buffer this plugin returned.
    pub buffer_free: unsafe extern "C" fn(buffer: Buffer),
}

/// The protocol version of the messages this SDK speaks (`MAJOR.MINOR`).
/// 1.1 added `FakeReply.notes` and `HttpRequest.retry_safe`. 2.0 encodes every message after the
/// manifest as MessagePack instead of JSON, and gives `AdapterCall`, `Step` and `Next` one
/// shape each (externally tagged, nothing flattened), which a decoder reads without buffering.
/// 2.1 added `HttpRequest.valid_for_ms`.
pub const PROTOCOL_VERSION: &str = "2.1";

/// A host speaking `host` loads a plugin speaking `plugin` when the majors are equal and the
/// plugin's minor is not newer than the host's: a minor adds optional fields only, so an older
/// plugin's messages are a subset of what the host understands.
pub fn protocol_compatible(host: &str, plugin: &str) -> bool {
    match (parse_protocol(host), parse_protocol(plugin)) {
        (Some((hm, hn)), Some((pm, pn))) => hm == pm && pn <= hn,
        _ => false,
    }
}

/// `"1.2"` -> `(1, 2)`.
pub fn parse_protocol(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_policy() {
        assert!(protocol_compatible("1.0", "1.0"));
        assert!(protocol_compatible("1.3", "1.1"));
        assert!(
            !protocol_compatible("1.1", "1.2"),
            "a newer minor may send fields the host ignores"
        );
        assert!(!protocol_compatible("1.0", "2.0"));
        assert!(!protocol_compatible("1.0", "one"));
    }
}
