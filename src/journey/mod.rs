//! The journey engine: drives a plugin's adapter through the four canonical stages, sends its
//! HTTP requests, polls with backoff, and reports everything as [`Event`]s that every front end
//! (headless output, TUI, transcripts, batch) consumes.

mod engine;
mod events;
mod transport;

pub use engine::{EngineSettings, Journey, JourneySpec, KycGate};
pub use events::{Event, EventSink, Finished, StageState};
