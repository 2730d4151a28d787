//! eventbridge-mock: an in-process Amazon EventBridge engine.
//!
//! The engine is plain Rust: state per account and region (`state`), one module per
//! EventBridge concept, a validator driven by botocore's service model (`model`,
//! `validate`), and an HTTP server speaking AWS's JSON protocol (`wire`, `server`). `py` is
//! the only module that knows Python.

pub mod api_destinations;
pub mod archives;
pub mod arn;
pub mod buses;
pub mod clock;
pub mod connections;
pub mod delivery_log;
pub mod endpoints;
pub mod error;
pub mod events;
pub mod json;
pub mod model;
pub mod ops;
pub mod paging;
pub mod partners;
pub mod pattern;
pub mod permissions;
pub mod replays;
pub mod request;
pub mod rules;
pub mod schedule;
pub mod scheduler;
pub mod server;
pub mod state;
pub mod tags;
pub mod targets;
pub mod transform;
pub mod validate;
pub mod wire;

#[cfg(feature = "python")]
mod py;

/// mimalloc for the engine's many small, short-lived allocations.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
