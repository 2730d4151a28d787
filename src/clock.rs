//! The clock every timestamp of the engine reads.
//!
//! Unfrozen, it follows the host's time: the time the binding observed on the current call
//! (Python's `time.time()`, so freezegun and time-machine reach the engine), or the system
//! clock when nothing was observed. Frozen, it stands still until a test moves it.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Clock {
    /// Epoch seconds while frozen.
    frozen: Mutex<Option<f64>>,
    /// The last host time observed, as f64 bits; 0 when none was.
    host: AtomicU64,
}

/// Milliseconds: the precision AWS reports.
fn millis(t: f64) -> f64 {
    (t * 1000.0).floor() / 1000.0
}

impl Clock {
    /// Epoch seconds, at the millisecond precision AWS reports.
    pub fn now(&self) -> f64 {
        if let Some(t) = *self.frozen.lock() {
            return t;
        }
        match self.host.load(Ordering::Relaxed) {
            0 => chrono::Utc::now().timestamp_millis() as f64 / 1000.0,
            bits => millis(f64::from_bits(bits)),
        }
    }

    /// The host's current time, as the binding reads it on each call.
    pub fn observe_host(&self, epoch_seconds: f64) {
        if epoch_seconds.is_finite() && epoch_seconds > 0.0 {
            self.host.store(epoch_seconds.to_bits(), Ordering::Relaxed);
        }
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen.lock().is_some()
    }

    pub fn freeze(&self, at: f64) {
        *self.frozen.lock() = Some(millis(at));
    }

    pub fn unfreeze(&self) {
        *self.frozen.lock() = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_stands_still() {
        let c = Clock::default();
        assert!(c.now() > 1.7e9);
        c.freeze(1000.5);
        assert_eq!(c.now(), 1000.5);
        assert!(c.is_frozen());
        c.unfreeze();
        assert!(c.now() > 1.7e9);
    }

    #[test]
    fn follows_the_observed_host_time() {
        let c = Clock::default();
        c.observe_host(2_000_000_000.123_456);
        assert_eq!(c.now(), 2_000_000_000.123);
        c.observe_host(f64::NAN);
        assert_eq!(c.now(), 2_000_000_000.123);
    }
}
