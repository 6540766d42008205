//! Finding, loading and calling plugin libraries. `loader` and `stdio` (which keeps plugins'
//! stdout and stderr off the terminal UI) hold the host's only `unsafe` code.

mod discovery;
mod loader;
pub mod stdio;
mod watch;

pub use discovery::{
    discover, find_plugin, library_file_name, library_ids, search_dirs, Discovery, FailedPlugin,
};
pub use loader::{AdapterHandle, CallError, FakeHandle, LoadError, LoadedPlugin};
pub use stdio::StdioRedirect;
pub use watch::CallWatch;
