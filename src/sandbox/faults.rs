//! Injected faults: latency with jitter, 500/503 replies, 429 with `Retry-After`, and
//! dropped connections; for everything or per route, set at start (`--faults`) or
//! changed at run time by tests.
//!
//! Spec: rules separated by `;`, each `[route:]key=value,...`, e.g.
//! `latency=20..200ms,error=0.2,throttle=0.1,drop=0.05;create:drop=1`. A route's rule
//! replaces the global one for that route. Keys: `latency` (`50ms`, `20..200ms`, `1s`),
//! `error`, `throttle`, `drop` (shares from 0 to 1), `retry-after` (seconds, default 1).
//! `seed=N`, outside any route's rule, makes the draws repeatable: the same spec meets the
//! same faults on the same sequence of requests to each route (each route draws from its own
//! generator, so other routes' traffic does not shift it). Without a seed they differ each run.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use axum::http;

/// The routes of the sandbox, as named in fault specs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    Token,
    ListContacts,
    CreateContact,
    GetContact,
    UpdateContact,
    DeleteContact,
    Bookings,
    Cases,
    Orders,
    SecureZones,
    SetSecureZones,
    SetPassword,
    OpenApi,
    Other,
}

impl Route {
    pub const ALL: [Route; 14] = [
        Route::Token,
        Route::ListContacts,
        Route::CreateContact,
        Route::GetContact,
        Route::UpdateContact,
        Route::DeleteContact,
        Route::Bookings,
        Route::Cases,
        Route::Orders,
        Route::SecureZones,
        Route::SetSecureZones,
        Route::SetPassword,
        Route::OpenApi,
        Route::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Route::Token => "token",
            Route::ListContacts => "list",
            Route::CreateContact => "create",
            Route::GetContact => "get",
            Route::UpdateContact => "update",
            Route::DeleteContact => "delete",
            Route::Bookings => "bookings",
            Route::Cases => "cases",
            Route::Orders => "orders",
            Route::SecureZones => "zones",
            Route::SetSecureZones => "set-zones",
            Route::SetPassword => "set-password",
            Route::OpenApi => "openapi",
            Route::Other => "other",
        }
    }

    /// Which route a request is for, from its method and path.
    pub fn classify(method: &http::Method, path: &str) -> Route {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let is = |m: &http::Method| method == m;
        match parts.as_slice() {
            ["api", "v1", "oauth", "token"] => Route::Token,
            ["openapi.json"] => Route::OpenApi,
            ["api", "v2", "admin", "contacts"] if is(&http::Method::GET) => Route::ListContacts,
            ["api", "v2", "admin", "contacts"] if is(&http::Method::POST) => Route::CreateContact,
            ["api", "v2", "admin", "contacts", _] if is(&http::Method::GET) => Route::GetContact,
            ["api", "v2", "admin", "contacts", _] if is(&http::Method::PUT) => Route::UpdateContact,
            ["api", "v2", "admin", "contacts", _] if is(&http::Method::DELETE) => Route::DeleteContact,
            ["api", "v2", "admin", "contacts", _, "bookings"] => Route::Bookings,
            ["api", "v2", "admin", "contacts", _, "cases"] => Route::Cases,
            ["api", "v2", "admin", "contacts", _, "orders"] => Route::Orders,
            ["api", "v2", "admin", "contacts", _, "secure-zones"] if is(&http::Method::PUT) => Route::SetSecureZones,
            ["api", "v2", "admin", "contacts", _, "secure-zones"] => Route::SecureZones,
            ["api", "v2", "admin", "contacts", _, "set-password"] => Route::SetPassword,
            _ => Route::Other,
        }
    }

    fn from_name(name: &str) -> Option<Route> {
        Route::ALL.into_iter().find(|route| route.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// What can happen to one route's requests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultRule {
    /// Added before the request is handled: fixed, or drawn from a range.
    pub latency: Option<(Duration, Duration)>,
    /// Share of requests answered 500 or 503 without being handled.
    pub error: f64,
    /// Share answered 429 with `Retry-After`, without being handled.
    pub throttle: f64,
    /// Share whose connection is dropped after the request was handled: the client cannot
    /// know whether it took effect.
    pub drop: f64,
    pub retry_after_secs: u64,
}

impl FaultRule {
    pub fn latency(fixed: Duration) -> Self {
        Self { latency: Some((fixed, fixed)), ..Self::default() }
    }

    fn parse(text: &str) -> Result<Self, String> {
        let mut rule = FaultRule { retry_after_secs: 1, ..FaultRule::default() };
        for setting in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = setting.split_once('=').ok_or_else(|| format!("`{setting}` is not key=value"))?;
            let share = || -> Result<f64, String> {
                value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (0.0..=1.0).contains(v))
                    .ok_or_else(|| format!("{key}: `{value}` is not a share from 0 to 1"))
            };
            match key.trim() {
                "latency" => rule.latency = Some(parse_latency(value)?),
                "error" => rule.error = share()?,
                "throttle" => rule.throttle = share()?,
                "drop" => rule.drop = share()?,
                "retry-after" => {
                    rule.retry_after_secs =
                        value.trim().parse().map_err(|_| format!("retry-after: `{value}` is not whole seconds"))?
                }
                other => {
                    return Err(format!("unknown fault `{other}` (latency, error, throttle, drop, retry-after, seed)"));
                }
            }
        }
        Ok(rule)
    }
}

/// A global rule, per-route overrides, and the seed of the draws.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultSpec {
    pub global: FaultRule,
    pub routes: HashMap<Route, FaultRule>,
    /// `seed=N`: the draws repeat from one run to the next. `None`: seeded afresh.
    pub seed: Option<u64>,
}

impl FaultSpec {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut spec = FaultSpec::default();
        for rule in text.split(';').map(str::trim).filter(|r| !r.is_empty()) {
            match rule.split_once(':') {
                Some((route, settings)) if !route.contains('=') => {
                    let route = Route::from_name(route).ok_or_else(|| {
                        let names: Vec<&str> = Route::ALL.iter().map(|r| r.name()).collect();
                        format!("unknown route `{route}` (one of {})", names.join(", "))
                    })?;
                    let (seed, settings) = split_seed(settings)?;
                    if seed.is_some() {
                        return Err(format!("seed: one seed serves every route; give it outside `{}:`", route.name()));
                    }
                    spec.routes.insert(route, FaultRule::parse(&settings)?);
                }
                _ => {
                    let (seed, settings) = split_seed(rule)?;
                    // `error=0.2;seed=7`: a rule of only a seed leaves the global rule as it is.
                    if seed.is_none() || !settings.is_empty() {
                        spec.global = FaultRule::parse(&settings)?;
                    }
                    spec.seed = seed.or(spec.seed);
                }
            }
        }
        Ok(spec)
    }
}

/// Takes `seed=N` out of a rule's settings; returns it and the other settings.
fn split_seed(settings: &str) -> Result<(Option<u64>, String), String> {
    let mut seed = None;
    let mut others = Vec::new();
    for setting in settings.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match setting.split_once('=') {
            Some((key, value)) if key.trim() == "seed" => {
                let value = value.trim();
                seed = Some(value.parse().map_err(|_| format!("seed: `{value}` is not a whole number"))?);
            }
            _ => others.push(setting),
        }
    }
    Ok((seed, others.join(",")))
}

fn parse_latency(text: &str) -> Result<(Duration, Duration), String> {
    let text = text.trim();
    let (number_part, unit) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (text, 1.0)
    };
    let millis = |n: &str| -> Result<Duration, String> {
        let value: f64 = n.trim().parse().map_err(|_| format!("latency: `{text}` is not like 50ms or 20..200ms"))?;
        if !(0.0..=600_000.0).contains(&(value * unit)) {
            return Err(format!("latency: `{text}` is out of range"));
        }
        Ok(Duration::from_secs_f64(value * unit / 1000.0))
    };
    match number_part.split_once("..") {
        Some((low, high)) => {
            let (low, high) = (millis(low)?, millis(high)?);
            if low > high {
                return Err(format!("latency: `{text}` has its bounds the wrong way round"));
            }
            Ok((low, high))
        }
        None => millis(number_part).map(|fixed| (fixed, fixed)),
    }
}

/// A fault forced on the next requests of a route, whatever the rules say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forced {
    Error(u16),
    Throttle,
    Drop,
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    pub delay: Duration,
    pub outcome: FaultOutcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultOutcome {
    Serve,
    Error(u16),
    Throttle {
        retry_after_secs: u64,
    },
    /// Handle, then drop the connection instead of answering.
    Drop,
}

/// The live fault settings of a running sandbox.
#[derive(Default)]
pub struct Faults {
    spec: Mutex<FaultSpec>,
    forced: Mutex<HashMap<Route, VecDeque<Forced>>>,
    draws: Mutex<Draws>,
}

/// The random generators of the draws: one per route, so that a route's faults do not depend
/// on how its requests interleave with other routes' ones.
#[derive(Default)]
struct Draws {
    seed: Option<u64>,
    routes: HashMap<Route, fastrand::Rng>,
}

impl Draws {
    fn new(seed: Option<u64>) -> Self {
        Self { seed, routes: HashMap::new() }
    }

    fn of(&mut self, route: Route) -> &mut fastrand::Rng {
        let seed = self.seed;
        self.routes.entry(route).or_insert_with(|| match seed {
            // Each route's own stream: the seed mixed with the route's place in the list.
            Some(seed) => {
                let place = Route::ALL.iter().position(|r| *r == route).unwrap_or(Route::ALL.len()) as u64;
                fastrand::Rng::with_seed(seed ^ (place + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            }
            None => fastrand::Rng::new(),
        })
    }
}

impl Faults {
    pub fn new(spec: FaultSpec) -> Self {
        Self { draws: Mutex::new(Draws::new(spec.seed)), spec: Mutex::new(spec), forced: Mutex::default() }
    }

    /// Replaces the rules; the draws start again from the spec's seed (or afresh without one).
    pub fn set(&self, spec: FaultSpec) {
        *lock(&self.draws) = Draws::new(spec.seed);
        *lock(&self.spec) = spec;
    }

    /// No faults, and none forced.
    pub fn clear(&self) {
        self.set(FaultSpec::default());
        lock(&self.forced).clear();
    }

    pub fn set_route(&self, route: Route, rule: FaultRule) {
        lock(&self.spec).routes.insert(route, rule);
    }

    /// Forces `fault` on the next `count` requests to `route` (a deterministic burst).
    pub fn force(&self, route: Route, fault: Forced, count: usize) {
        lock(&self.forced).entry(route).or_default().extend(std::iter::repeat_n(fault, count));
    }

    pub fn decide(&self, route: Route) -> Decision {
        let rule = {
            let spec = lock(&self.spec);
            spec.routes.get(&route).unwrap_or(&spec.global).clone()
        };
        let mut draws = lock(&self.draws);
        let draw = draws.of(route);
        let delay = match rule.latency {
            Some((low, high)) if high > low => low + (high - low).mul_f64(draw.f64()),
            Some((fixed, _)) => fixed,
            None => Duration::ZERO,
        };
        let forced = lock(&self.forced).get_mut(&route).and_then(VecDeque::pop_front);
        let throttle = FaultOutcome::Throttle { retry_after_secs: rule.retry_after_secs };
        let outcome = match forced {
            Some(Forced::Error(status)) => FaultOutcome::Error(status),
            Some(Forced::Throttle) => throttle,
            Some(Forced::Drop) => FaultOutcome::Drop,
            None if draw.f64() < rule.throttle => throttle,
            None if draw.f64() < rule.error => FaultOutcome::Error(if draw.bool() { 500 } else { 503 }),
            None if draw.f64() < rule.drop => FaultOutcome::Drop,
            None => FaultOutcome::Serve,
        };
        Decision { delay, outcome }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_globally_and_per_route() {
        let spec = FaultSpec::parse("latency=20..200ms,error=0.2,throttle=0.1,drop=0.05; create:drop=1").unwrap();
        assert_eq!(spec.global.latency, Some((Duration::from_millis(20), Duration::from_millis(200))));
        assert_eq!((spec.global.error, spec.global.throttle, spec.global.drop), (0.2, 0.1, 0.05));
        assert_eq!(spec.routes[&Route::CreateContact].drop, 1.0);
        assert_eq!(
            FaultSpec::parse("latency=1s").unwrap().global.latency,
            Some((Duration::from_secs(1), Duration::from_secs(1)))
        );
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        assert!(FaultSpec::parse("error=2").unwrap_err().contains("share from 0 to 1"));
        assert!(FaultSpec::parse("nap=1").unwrap_err().contains("unknown fault"));
        assert!(FaultSpec::parse("nowhere:error=1").unwrap_err().contains("unknown route"));
        assert!(FaultSpec::parse("latency=9..1ms").unwrap_err().contains("wrong way round"));
    }

    #[test]
    fn forced_faults_come_first_then_the_rules() {
        let faults = Faults::new(FaultSpec::default());
        faults.force(Route::ListContacts, Forced::Error(503), 2);
        assert_eq!(faults.decide(Route::ListContacts).outcome, FaultOutcome::Error(503));
        assert_eq!(faults.decide(Route::GetContact).outcome, FaultOutcome::Serve, "other routes are untouched");
        assert_eq!(faults.decide(Route::ListContacts).outcome, FaultOutcome::Error(503));
        assert_eq!(faults.decide(Route::ListContacts).outcome, FaultOutcome::Serve);
        faults.set(FaultSpec::parse("throttle=1,retry-after=3").unwrap());
        assert_eq!(faults.decide(Route::Token).outcome, FaultOutcome::Throttle { retry_after_secs: 3 });
    }

    #[test]
    fn a_seed_is_read_outside_a_route_and_keeps_the_rules_beside_it() {
        let spec = FaultSpec::parse("error=0.2,seed=42;create:drop=1").unwrap();
        assert_eq!((spec.seed, spec.global.error, spec.routes[&Route::CreateContact].drop), (Some(42), 0.2, 1.0));
        let apart = FaultSpec::parse("error=0.2,retry-after=3; seed=42").unwrap();
        assert_eq!((apart.seed, apart.global.error, apart.global.retry_after_secs), (Some(42), 0.2, 3));
        assert_eq!(FaultSpec::parse("error=0.2").unwrap().seed, None);
        assert!(FaultSpec::parse("seed=-1").unwrap_err().contains("not a whole number"));
        assert!(FaultSpec::parse("create:drop=1,seed=3").unwrap_err().contains("every route"));
    }

    /// The outcomes of `count` requests to `route`, as a string of letters.
    fn draws(faults: &Faults, route: Route, count: usize) -> String {
        let letter = |decision: Decision| match decision.outcome {
            FaultOutcome::Serve => 's',
            FaultOutcome::Error(500) => 'e',
            FaultOutcome::Error(_) => 'u',
            FaultOutcome::Throttle { .. } => 't',
            FaultOutcome::Drop => 'd',
        };
        (0..count).map(|_| letter(faults.decide(route))).collect()
    }

    const MIX: &str = "latency=1..9ms,error=0.3,throttle=0.2,drop=0.2";

    #[test]
    fn a_seeded_spec_meets_the_same_faults_each_time() {
        let seeded = || Faults::new(FaultSpec::parse(&format!("{MIX},seed=7")).unwrap());
        let (first, again) = (seeded(), seeded());
        let delays = |faults: &Faults| (0..20).map(|_| faults.decide(Route::GetContact).delay).collect::<Vec<_>>();
        assert_eq!(draws(&first, Route::UpdateContact, 200), draws(&again, Route::UpdateContact, 200));
        assert_eq!(delays(&first), delays(&again));
        // Set again with the seed, the draws start over.
        let reference = draws(&seeded(), Route::ListContacts, 100);
        first.set(FaultSpec::parse(&format!("{MIX},seed=7")).unwrap());
        assert_eq!(draws(&first, Route::ListContacts, 100), reference);
        // Another seed, other draws (two equal runs of 200 would be a one-in-2^200 chance).
        let other = Faults::new(FaultSpec::parse(&format!("{MIX},seed=8")).unwrap());
        assert_ne!(draws(&other, Route::UpdateContact, 200), draws(&seeded(), Route::UpdateContact, 200));
    }

    #[test]
    fn a_routes_draws_do_not_depend_on_other_routes_traffic() {
        let spec = || FaultSpec::parse(&format!("{MIX},seed=11")).unwrap();
        let alone = Faults::new(spec());
        let alone = draws(&alone, Route::UpdateContact, 100);
        let busy = Faults::new(spec());
        let mut interleaved = String::new();
        for i in 0..100 {
            draws(&busy, Route::GetContact, i % 3);
            interleaved += &draws(&busy, Route::UpdateContact, 1);
        }
        assert_eq!(interleaved, alone);
    }

    #[test]
    fn without_a_seed_the_draws_differ_from_run_to_run() {
        let unseeded = || Faults::new(FaultSpec::parse(MIX).unwrap());
        assert_ne!(draws(&unseeded(), Route::UpdateContact, 200), draws(&unseeded(), Route::UpdateContact, 200));
    }

    #[test]
    fn routes_are_classified_by_method_and_path() {
        use http::Method;
        assert_eq!(Route::classify(&Method::POST, "/api/v2/admin/contacts"), Route::CreateContact);
        assert_eq!(Route::classify(&Method::PUT, "/api/v2/admin/contacts/4/secure-zones"), Route::SetSecureZones);
        assert_eq!(Route::classify(&Method::GET, "/api/v2/admin/contacts/4/secure-zones"), Route::SecureZones);
        assert_eq!(Route::classify(&Method::POST, "/api/v1/oauth/token"), Route::Token);
        assert_eq!(Route::classify(&Method::GET, "/nope"), Route::Other);
    }
}
