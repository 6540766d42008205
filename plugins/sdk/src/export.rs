//! The glue behind [`export_plugin!`](crate::export_plugin): turns the safe traits into the C
//! table. Plugin authors never call these directly. This file and the host's loader are the
//! only places with `unsafe` code.

use crate::abi::Buffer;
use crate::wire::{
    AdapterCall, AdapterInit, AdapterReply, Envelope, FakeCall, FakeReply, PluginError,
    PluginErrorKind,
};
use crate::{codec, Adapter, Cx, Fake, Plugin};
use serde::Serialize;
use std::cell::RefCell;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces this library's panic hook (a cdylib carries its own std, so the host's hook is not
/// touched): the message is kept for the error reply instead of being printed over the host's
/// terminal.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let payload = info.payload();
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".to_string());
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}{at}")));
        }));
    });
}

fn panic_error(what: &str) -> PluginError {
    let msg = LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| "unknown panic".to_string());
    PluginError {
        kind: PluginErrorKind::Panic,
        message: format!("plugin panicked in {what}: {msg}"),
    }
}

/// The manifest is JSON (the handshake every host can read); everything else is the protocol's
/// encoding ([`crate::codec`]).
fn to_bytes<S: Serialize>(value: &S, json: bool) -> Result<Vec<u8>, String> {
    if json {
        serde_json::to_vec(value).map_err(|e| e.to_string())
    } else {
        // Most replies carry a request or a response body: start at a size that holds one
        // rather than growing (and copying) from a few bytes.
        let mut out = Vec::with_capacity(1024);
        codec::encode_into(&mut out, value)?;
        Ok(out)
    }
}

fn encode<T: Serialize>(env: &Envelope<T>, json: bool) -> Buffer {
    // Encoding our own types cannot fail short of a bug; answer with an error anyway, and with
    // nothing (which the host reports as an unreadable reply) if even that fails.
    let bytes = to_bytes(env, json).unwrap_or_else(|e| {
        let err = Envelope::<()>::Err(PluginError::other(format!("cannot encode reply: {e}")));
        to_bytes(&err, json).unwrap_or_default()
    });
    Buffer::from_vec(bytes)
}

/// Runs `f` so that neither a panic nor a decoding error escapes the boundary.
fn guarded<T: Serialize>(what: &str, f: impl FnOnce() -> Result<T, PluginError>) -> Buffer {
    guarded_as(what, false, f)
}

fn guarded_as<T: Serialize>(
    what: &str,
    json: bool,
    f: impl FnOnce() -> Result<T, PluginError>,
) -> Buffer {
    install_panic_hook();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => encode(&Envelope::Ok(v), json),
        Ok(Err(e)) => encode::<()>(&Envelope::Err(e), json),
        Err(_) => encode::<()>(&Envelope::Err(panic_error(what)), json),
    }
}

/// # Safety
/// `ptr` must point to `len` readable bytes (or be anything when `len` is 0).
unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: the caller promises `ptr` is valid for `len` bytes for the call's duration.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, PluginError> {
    codec::decode(bytes).map_err(|e| PluginError {
        kind: PluginErrorKind::Protocol,
        message: format!("cannot decode {what}: {e}"),
    })
}

/// A plugin object behind an opaque pointer. After a panic it refuses every further call: its
/// state may be half-updated.
struct Instance<T> {
    inner: T,
    poisoned: bool,
}

impl<T> Instance<T> {
    fn call<R>(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut T) -> Result<R, PluginError>,
    ) -> Result<R, PluginError> {
        if self.poisoned {
            return Err(PluginError {
                kind: PluginErrorKind::Panic,
                message: format!("{what} refused: this instance panicked earlier"),
            });
        }
        install_panic_hook();
        match catch_unwind(AssertUnwindSafe(|| f(&mut self.inner))) {
            Ok(r) => r,
            Err(_) => {
                self.poisoned = true;
                Err(panic_error(what))
            }
        }
    }
}

pub unsafe extern "C" fn manifest<P: Plugin>() -> Buffer {
    guarded_as("manifest", true, || Ok(P::manifest()))
}

pub unsafe extern "C" fn adapter_new<P: Plugin>(
    ptr: *const u8,
    len: usize,
    out: *mut *mut c_void,
) -> Buffer {
    // SAFETY: the host passes a buffer it owns for the duration of this call.
    let bytes = unsafe { input(ptr, len) };
    guarded("adapter_new", || {
        let init: AdapterInit = decode(bytes, "AdapterInit")?;
        let adapter = P::Adapter::new(init)?;
        let boxed = Box::new(Instance {
            inner: adapter,
            poisoned: false,
        });
        if out.is_null() {
            return Err(PluginError::other("adapter_new: null out pointer"));
        }
        // SAFETY: `out` is non-null and points to a pointer-sized slot the host owns.
        unsafe { *out = Box::into_raw(boxed) as *mut c_void };
        Ok(())
    })
}

pub unsafe extern "C" fn adapter_call<P: Plugin>(
    instance: *mut c_void,
    ptr: *const u8,
    len: usize,
) -> Buffer {
    // SAFETY: as in `adapter_new`.
    let bytes = unsafe { input(ptr, len) };
    guarded("adapter_call", || {
        if instance.is_null() {
            return Err(PluginError::other("adapter_call: null instance"));
        }
        // SAFETY: `instance` came from `adapter_new` of this plugin and type, has not been
        // dropped, and the host makes one call on it at a time.
        let inst = unsafe { &mut *(instance as *mut Instance<P::Adapter>) };
        let call: AdapterCall = decode(bytes, "AdapterCall")?;
        inst.call("adapter", |a| {
            let (stage, mut cx) = match &call {
                AdapterCall::Begin {
                    stage,
                    poll,
                    now_ms,
                } => (*stage, Cx::new(*now_ms, *poll)),
                AdapterCall::Response { stage, now_ms, .. } => (*stage, Cx::new(*now_ms, 0)),
            };
            let step = match call {
                AdapterCall::Begin { .. } => a.begin(stage, &mut cx)?,
                AdapterCall::Response { response, .. } => {
                    a.on_response(stage, response, &mut cx)?
                }
            };
            Ok(AdapterReply {
                step,
                sensitive: cx.sensitive,
                logs: cx.logs,
            })
        })
    })
}

pub unsafe extern "C" fn adapter_drop<P: Plugin>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    install_panic_hook();
    // SAFETY: `instance` came from `adapter_new` and the host drops it exactly once.
    let boxed = unsafe { Box::from_raw(instance as *mut Instance<P::Adapter>) };
    // A panicking Drop must not unwind into the host.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(boxed)));
}

pub unsafe extern "C" fn fake_new<P: Plugin>(out: *mut *mut c_void) -> Buffer {
    guarded("fake_new", || {
        let boxed = Box::new(Instance {
            inner: P::Fake::new(),
            poisoned: false,
        });
        if out.is_null() {
            return Err(PluginError::other("fake_new: null out pointer"));
        }
        // SAFETY: `out` is non-null and points to a pointer-sized slot the host owns.
        unsafe { *out = Box::into_raw(boxed) as *mut c_void };
        Ok(())
    })
}

pub unsafe extern "C" fn fake_call<P: Plugin>(
    instance: *mut c_void,
    ptr: *const u8,
    len: usize,
) -> Buffer {
    // SAFETY: as in `adapter_new`.
    let bytes = unsafe { input(ptr, len) };
    guarded("fake_call", || {
        if instance.is_null() {
            return Err(PluginError::other("fake_call: null instance"));
        }
        // SAFETY: `instance` came from `fake_new` of this plugin, is live, and the host
        // serialises calls on it.
        let inst = unsafe { &mut *(instance as *mut Instance<P::Fake>) };
        let call: FakeCall = decode(bytes, "FakeCall")?;
        inst.call("fake", |f| {
            let response = f.handle(&call.request, call.now_ms, &call.scenario);
            Ok(FakeReply {
                response,
                logs: Vec::new(),
                notes: f.take_notes(),
            })
        })
    })
}

pub unsafe extern "C" fn fake_drop<P: Plugin>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    install_panic_hook();
    // SAFETY: `instance` came from `fake_new` and the host drops it exactly once.
    let boxed = unsafe { Box::from_raw(instance as *mut Instance<P::Fake>) };
    let _ = catch_unwind(AssertUnwindSafe(move || drop(boxed)));
}

pub unsafe extern "C" fn buffer_free(buffer: Buffer) {
    if buffer.ptr.is_null() {
        return;
    }
    // SAFETY: the buffer was made by `Buffer::from_vec` in this library (same allocator) and
    // the host frees it once.
    drop(unsafe { Vec::from_raw_parts(buffer.ptr, buffer.len, buffer.cap) });
}

/// Exports a [`Plugin`] as a rampsim plugin library. Put it once in the crate root of a
/// `cdylib` crate:
///
/// ```ignore
/// rampsim_plugin_sdk::export_plugin!(MyProvider);
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        // Evaluated in the plugin's crate, so it sees the strategy the plugin is built with. With
        // `abort` a panic would kill the host (and leave its terminal broken) instead of becoming
        // an error reply.
        #[cfg(panic = "abort")]
        compile_error!(
            "a rampsim plugin must be built with panic = \"unwind\" (the default): with \"abort\", its first panic kills the host instead of failing the stage. Remove `panic = \"abort\"` from the [profile.*] that builds this plugin."
        );
        #[no_mangle]
        pub extern "C" fn rampsim_plugin_entry() -> *const $crate::abi::PluginApi {
            static API: $crate::abi::PluginApi = $crate::abi::PluginApi {
                abi_version: $crate::abi::ABI_VERSION,
                manifest: $crate::export::manifest::<$plugin>,
                adapter_new: $crate::export::adapter_new::<$plugin>,
                adapter_call: $crate::export::adapter_call::<$plugin>,
                adapter_drop: $crate::export::adapter_drop::<$plugin>,
                fake_new: $crate::export::fake_new::<$plugin>,
                fake_call: $crate::export::fake_call::<$plugin>,
                fake_drop: $crate::export::fake_drop::<$plugin>,
                buffer_free: $crate::export::buffer_free,
            };
            &API
        }
    };
}
