//! Numbers as EventBridge compares them.
//!
//! AWS compares numbers in the range -5.0e9..=5.0e9 with six digits after the decimal point
//! (docs/patterns.md). We hold such a number as an integer count of millionths, so that 300,
//! 300.0 and 3.0e2 are the same key. Numbers outside that range only match by their literal.

use serde_json::Number;

/// Largest magnitude that numeric matching accepts.
pub(crate) const LIMIT: f64 = 5.0e9;
pub(crate) const RANGE_MESSAGE: &str = "Value must be between -5.0E9 and 5.0E9, inclusive";

/// The comparable form of a number: millionths, or None when outside AWS's numeric range.
pub(crate) fn comparable(n: &Number) -> Option<i64> {
    // Integers in range are exact as f64, and so is their product with 1e6: the same
    // result as the float path, without it.
    if let Some(i) = n.as_i64() {
        return (-(LIMIT as i64)..=LIMIT as i64)
            .contains(&i)
            .then(|| i * 1_000_000);
    }
    let f = n.as_f64()?;
    comparable_f64(f)
}

pub(crate) fn comparable_f64(f: f64) -> Option<i64> {
    if !f.is_finite() || !(-LIMIT..=LIMIT).contains(&f) {
        return None;
    }
    // |f| * 1e6 <= 5e15 < 2^53, so the product and the cast are exact after rounding.
    Some(round_half_away(f * 1_000_000.0))
}

/// `x.round() as i64` for |x| < 2^53, without the library call: the truncation and the
/// remainder are exact there.
#[inline]
fn round_half_away(x: f64) -> i64 {
    let t = x as i64;
    let rest = x - t as f64;
    if rest >= 0.5 {
        t + 1
    } else if rest <= -0.5 {
        t - 1
    } else {
        t
    }
}

/// Comparable form for a pattern operand; out-of-range values are an error.
pub(crate) fn operand(n: &Number) -> Result<i64, &'static str> {
    comparable(n).ok_or(RANGE_MESSAGE)
}

/// Text of a number token as Jackson's `getText` would show it (best effort: serde keeps
/// the value, not the original spelling).
pub(crate) fn text(n: &Number) -> String {
    n.to_string()
}

/// Human-readable form of a comparable number, for explanations.
pub(crate) fn show(c: i64) -> String {
    let neg = c < 0;
    let a = c.unsigned_abs();
    let (int, frac) = (a / 1_000_000, a % 1_000_000);
    let mut s = if neg { "-".to_string() } else { String::new() };
    s.push_str(&int.to_string());
    if frac != 0 {
        let f = format!("{frac:06}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn spellings_compare_equal() {
        assert_eq!(comparable(&n("300")), comparable(&n("300.0")));
        assert_eq!(comparable(&n("300")), comparable(&n("3.0e2")));
        assert_eq!(comparable(&n("0.3")), Some(300_000));
        assert_eq!(comparable(&n("5000000000")), Some(5_000_000_000_000_000));
        assert_eq!(comparable(&n("5000000000.1")), None);
        assert_eq!(comparable(&n("-5e9")), Some(-5_000_000_000_000_000));
        assert_eq!(comparable(&n("123456789012")), None);
        assert_eq!(show(-1_500_000), "-1.5");
    }

    #[test]
    fn rounding_matches_the_library() {
        let mut xs = vec![
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.4999999,
            -2.5000001,
            4.5e15 + 0.5,
            -0.0,
        ];
        let mut x = 0.3f64;
        for _ in 0..10_000 {
            x = (x * 7.77 + 0.123) % 1.0e7;
            xs.extend([
                x,
                -x,
                x * 1e6,
                -x * 1e6,
                x.floor() + 0.5,
                -(x.floor() + 0.5),
            ]);
        }
        for x in xs {
            assert_eq!(round_half_away(x), x.round() as i64, "{x}");
        }
    }
}
