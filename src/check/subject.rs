//! The SDK's conformance probes driven across the C ABI: a [`Subject`] made of the loader's
//! adapter and fake handles, so every message goes exactly where the host sends it.

use crate::plugin::{AdapterHandle, CallError, FakeHandle, LoadedPlugin};
use rampsim_plugin_sdk::testing::Subject;
use rampsim_plugin_sdk::wire::{AdapterCall, AdapterInit, AdapterReply, FakeCall, FakeReply};
use rampsim_plugin_sdk::PluginError;
use std::sync::Arc;

/// A fresh adapter and a fresh fake of a loaded plugin.
pub struct HostSubject {
    adapter: AdapterHandle,
    fake: FakeHandle,
}

fn plugin_error(e: CallError) -> PluginError {
    PluginError {
        kind: e.kind,
        message: e.message,
    }
}

impl HostSubject {
    pub fn new(plugin: &Arc<LoadedPlugin>, init: &AdapterInit) -> Result<HostSubject, PluginError> {
        Ok(HostSubject {
            adapter: plugin.new_adapter(init).map_err(plugin_error)?,
            fake: plugin.new_fake().map_err(plugin_error)?,
        })
    }
}

impl Subject for HostSubject {
    fn adapter(&mut self, call: &AdapterCall) -> Result<AdapterReply, PluginError> {
        let reply = self.adapter.call(call).map_err(plugin_error)?;
        let plugin = self.adapter.plugin().manifest.id.as_str();
        // The plugin's log lines reach the log file as a journey's do, at debug: the probes
        // make many calls (RAMPSIM_LOG=debug shows them).
        for line in &reply.logs {
            tracing::debug!(target: "plugin", plugin, level = ?line.level, "{}", line.message);
        }
        Ok(reply)
    }

    fn fake(&mut self, call: &FakeCall) -> Result<FakeReply, PluginError> {
        self.fake.call(call).map_err(plugin_error)
    }
}
