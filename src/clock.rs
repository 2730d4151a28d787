//! The clock every timestamp of the engine reads. It follows real time unless frozen.

use parking_lot::Mutex;

#[derive(Debug, Default)]
pub struct Clock {
    /// Epoch seconds while frozen.
    frozen: Mutex<Option<f64>>,
}

impl Clock {
    /// Epoch seconds, at the millisecond precision AWS reports.
    pub fn now(&self) -> f64 {
        if let Some(t) = *self.frozen.lock() {
            return t;
        }
        let ms = chrono::Utc::now().timestamp_millis();
        ms as f64 / 1000.0
    }

    pub fn freeze(&self, at: f64) {
        *self.frozen.lock() = Some(at);
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
        c.unfreeze();
        assert!(c.now() > 1.7e9);
    }
}
