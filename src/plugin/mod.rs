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
pub use in_flight::{oldest_call, CallUnderWay};
pub use loader::{AdapterHandle, CallError, FakeHandle, LoadError, LoadedPlugin};
pub use stdio::StdioRedirect;
