//! Finding, loading and calling plugin libraries. `loader` holds the host's only `unsafe` code
//! (the crate denies it everywhere else).

mod discovery;
mod in_flight;
#[allow(unsafe_code)]
mod loader;
pub mod stdio;

pub use discovery::{
    discover, find_plugin, library_file_name, library_ids, search_dirs, Discovery, FailedPlugin,
};
#[cfg(test)]
pub(crate) use in_flight::enter_for_test;
pub use in_flight::{oldest_call, stuck_call, CallUnderWay};
pub use loader::{AdapterHandle, CallError, FakeHandle, LoadError, LoadedPlugin};
pub use stdio::StdioRedirect;
