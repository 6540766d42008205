//! The embedded sandbox: a loopback HTTP server that routes each request to a plugin's fake.
//!
//! URLs are `http://127.0.0.1:PORT/<session>/<endpoint>/<provider path>`. A session is one fake
//! instance playing one scenario on one clock; the host opens one per journey, so journeys
//! never see each other's state and the host (not the adapter) chooses the scenario.

mod faults;
mod server;

pub use faults::{stream_seed, Fault, FaultPlan, FaultSpec};
pub use server::{chosen_port_taken, Sandbox, SessionGuard, SessionInfo};
