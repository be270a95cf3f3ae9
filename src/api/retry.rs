//! When to try a request again, and how long to wait first.

use std::time::Duration;

/// The longest wait a site's `Retry-After` may ask for and still be honoured: past it the
/// call fails at once, saying how long the site asked for (a site's number, however large,
/// never reaches a clock or a sleep).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

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
    /// `Retry-After` is honoured: never retry sooner than it asks; and never wait longer than
    /// [`MAX_RETRY_AFTER`] for it.
    pub fn next_delay(&self, attempts_made: u32, elapsed: Duration, retry_after: Option<Duration>) -> Option<Duration> {
        if attempts_made >= self.max_attempts {
            return None;
        }
        let asked = retry_after.unwrap_or_default();
        if asked > MAX_RETRY_AFTER {
            return None;
        }
        let delay = self.backoff(attempts_made).max(asked);
        elapsed.checked_add(delay).is_some_and(|end| end <= self.max_total).then_some(delay)
    }
}

/// [assumed] A `Retry-After` value (RFC 9110): whole seconds, or an HTTP date (read as RFC 2822,
/// which covers the IMF-fixdate form). Seconds past `u64` saturate; a date in the past is no wait;
/// anything else (negative, fractional, garbage) is ignored. No arithmetic here can overflow.
pub(crate) fn parse_retry_after(text: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(text.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?.with_timezone(&chrono::Utc);
    // Both dates lie within chrono's range (a few hundred thousand years): their difference in
    // seconds fits an i64 many times over.
    let seconds = when.signed_duration_since(now).num_seconds();
    Some(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
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

    #[test]
    fn a_huge_retry_after_ends_the_retries_and_never_overflows() {
        let patient = RetryPolicy { max_total: Duration::MAX, ..RetryPolicy::default() };
        for elapsed in [Duration::ZERO, Duration::from_millis(1500), Duration::MAX] {
            for asked in [Duration::from_secs(u64::MAX), Duration::MAX, MAX_RETRY_AFTER + Duration::from_secs(1)] {
                assert_eq!(patient.next_delay(1, elapsed, Some(asked)), None, "{elapsed:?} {asked:?}");
            }
        }
        assert_eq!(patient.next_delay(1, Duration::ZERO, Some(MAX_RETRY_AFTER)), Some(MAX_RETRY_AFTER));
        assert_eq!(patient.next_delay(1, Duration::MAX, Some(Duration::from_secs(1))), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_saturates() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-05-15T12:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let read = |text: &str| parse_retry_after(text, now);
        assert_eq!(read("7"), Some(Duration::from_secs(7)));
        assert_eq!(read(" 18446744073709551615 "), Some(Duration::from_secs(u64::MAX)));
        assert_eq!(read("99999999999999999999999999"), Some(Duration::from_secs(u64::MAX)));
        assert_eq!(read("Fri, 15 May 2026 12:00:30 GMT"), Some(Duration::from_secs(30)));
        assert_eq!(read("Fri, 31 Dec 9999 23:59:59 GMT"), Some(Duration::from_secs(251_623_454_399)));
        assert_eq!(read("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        for ignored in ["-5", "1.5", "", "soon", "+3", "Fri, 99 Foo 2026"] {
            assert_eq!(read(ignored), None, "{ignored}");
        }
    }
}
