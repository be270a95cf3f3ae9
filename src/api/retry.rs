//! When to try a request again, and how long to wait first.

use std::time::Duration;

/// Whether a request may be sent again after a failure that left its outcome unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Safety {
    /// GET, PUT, DELETE: sending twice has the effect of sending once.
    Idempotent,
    /// Create and set-password: retried only when the request surely never arrived
    /// (connection refused, or a 429 that says it was not processed).
    OnceOnly,
}

/// Bounds on retrying: how many tries, and how long in all.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub max_attempts: u32,
    /// The wait before the second try; it doubles for each try after.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first try.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_total: Duration::from_secs(45),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// The wait before try `attempt + 1` (`attempt` >= 1 tries have failed): exponential,
    /// with "equal jitter" (half fixed, half random) so that many clients do not retry in step.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self.base_delay.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exponential.min(self.max_delay);
        let half = capped / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// The wait before the next try, or `None` when the budget is spent. A server's
    /// `Retry-After` is honoured: never retry sooner than it asks.
    pub fn next_delay(&self, attempts_made: u32, elapsed: Duration, retry_after: Option<Duration>) -> Option<Duration> {
        if attempts_made >= self.max_attempts {
            return None;
        }
        let delay = self.backoff(attempts_made).max(retry_after.unwrap_or_default());
        (elapsed + delay <= self.max_total).then_some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..Default::default()
        };
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
            let third = policy.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400), "{third:?}");
            assert!(policy.backoff(30) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn budget_bounds_tries_and_total_time_and_honours_retry_after() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
            max_total: Duration::from_secs(2),
        };
        assert!(policy.next_delay(1, Duration::ZERO, None).is_some());
        assert!(policy.next_delay(3, Duration::ZERO, None).is_none(), "three tries made");
        assert!(policy.next_delay(1, Duration::from_secs(2), None).is_none(), "time is up");
        assert_eq!(policy.next_delay(1, Duration::ZERO, Some(Duration::from_secs(1))), Some(Duration::from_secs(1)));
        assert!(
            policy.next_delay(1, Duration::ZERO, Some(Duration::from_secs(5))).is_none(),
            "would wait past the budget"
        );
    }
}
