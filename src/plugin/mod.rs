//! Finding, loading and calling plugin libraries. `loader` holds the host's only `unsafe` code.

mod discovery;
mod loader;

pub use discovery::{
    discover, find_plugin, library_file_name, search_dirs, Discovery, FailedPlugin,
};
pub use loader::{AdapterHandle, CallError, FakeHandle, LoadError, LoadedPlugin};
