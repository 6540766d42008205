//! The provider picker's data: what plugin discovery found, kept as plain values so the app (and
//! its tests) never hold library handles.

use crate::plugin::Discovery;
use rampsim_plugin_sdk::wire::Manifest;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PluginList {
    pub plugins: Vec<PluginEntry>,
    pub failed: Vec<FailedEntry>,
    pub searched: Vec<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PluginEntry {
    pub path: PathBuf,
    pub manifest: Manifest,
}

/// A library that looked like a plugin but did not load, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedEntry {
    pub path: PathBuf,
    pub why: String,
}

impl PluginList {
    pub fn from_discovery(d: &Discovery) -> PluginList {
        PluginList {
            plugins: d
                .plugins
                .iter()
                .map(|p| PluginEntry {
                    path: p.path.clone(),
                    manifest: p.manifest.clone(),
                })
                .collect(),
            failed: d
                .failed
                .iter()
                .map(|f| FailedEntry {
                    path: f.path.clone(),
                    why: f.error.to_string(),
                })
                .collect(),
            searched: d.searched.clone(),
        }
    }

    pub fn manifest(&self, id: &str) -> Option<&Manifest> {
        self.plugins
            .iter()
            .find(|p| p.manifest.id == id)
            .map(|p| &p.manifest)
    }

    /// Rows of the picker: the plugins, then the failed libraries.
    pub fn len(&self) -> usize {
        self.plugins.len() + self.failed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
