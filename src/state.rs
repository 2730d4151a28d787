//! In-memory state: one `Region` per (account, region), each behind its own lock, so calls
//! for different accounts or regions never contend and calls from many threads are safe.

use crate::buses::EventBus;
use crate::clock::Clock;
use crate::delivery_log::DeliveryLog;
use crate::events::Delivery;
use parking_lot::{Mutex, RwLock};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Who is calling, and where: every operation runs in one account and region.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ctx {
    pub account: String,
    pub region: String,
}

impl Ctx {
    pub fn new(account: &str, region: &str) -> Ctx {
        Ctx {
            account: account.to_owned(),
            region: region.to_owned(),
        }
    }

    pub fn arn(&self, resource: &str) -> String {
        format!(
            "arn:{}:events:{}:{}:{resource}",
            partition(&self.region),
            self.region,
            self.account
        )
    }
}

/// The ARN partition a region belongs to.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Everything EventBridge holds for one account in one region.
#[derive(Debug)]
pub struct Region {
    pub ctx: Ctx,
    /// By name; `default` always exists.
    pub buses: std::collections::BTreeMap<String, EventBus>,
    /// Archives and replays, by name.
    pub archives: crate::archives::Archives,
    /// Partner event sources this (partner) account created, by name.
    pub partner_sources: std::collections::BTreeMap<String, crate::partners::PartnerSource>,
    /// Partner event sources offered to this (customer) account, by name.
    pub event_sources: std::collections::BTreeMap<String, crate::partners::EventSource>,
    /// Global endpoints whose home is this region, by name.
    pub endpoints: std::collections::BTreeMap<String, crate::endpoints::Endpoint>,
    /// Connections, by name.
    pub connections: std::collections::BTreeMap<String, crate::connections::Connection>,
    /// API destinations, by name.
    pub api_destinations:
        std::collections::BTreeMap<String, crate::api_destinations::ApiDestination>,
}

impl Region {
    fn new(ctx: Ctx, now: f64) -> Region {
        let mut buses = std::collections::BTreeMap::new();
        buses.insert("default".to_string(), EventBus::new(&ctx, "default", now));
        Region {
            ctx,
            buses,
            archives: Default::default(),
            partner_sources: Default::default(),
            event_sources: Default::default(),
            endpoints: Default::default(),
            connections: Default::default(),
            api_destinations: Default::default(),
        }
    }
}

/// The whole mock cloud: every account and region, the clock they share, and the log of
/// every delivery to a target.
#[derive(Debug, Default)]
pub struct Backend {
    regions: RwLock<FxHashMap<Ctx, Arc<Mutex<Region>>>>,
    pub clock: Clock,
    deliveries: Mutex<DeliveryLog>,
    /// The time up to which scheduled rules have fired (see `scheduler`).
    pub schedule_progress: Mutex<Option<f64>>,
    /// Set once any rule has had a schedule, so calls skip the scheduler until then.
    schedules_seen: std::sync::atomic::AtomicBool,
    /// Set while a replay may be waiting to run (see `replays::run_pending`).
    replays_pending: std::sync::atomic::AtomicBool,
    /// Adjustable AWS quotas, for tests that need more than AWS's defaults.
    pub quotas: Quotas,
}

/// AWS's adjustable quotas; zero means AWS's default.
#[derive(Debug, Default)]
pub struct Quotas {
    rules_per_bus: std::sync::atomic::AtomicUsize,
}

impl Quotas {
    pub fn rules_per_bus(&self) -> usize {
        match self
            .rules_per_bus
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            0 => crate::rules::MAX_RULES_PER_BUS,
            n => n,
        }
    }

    /// Sets a quota by the name `set_quota` takes; false for an unknown name.
    pub fn set(&self, name: &str, value: usize) -> bool {
        match name {
            "rules_per_bus" => self
                .rules_per_bus
                .store(value, std::sync::atomic::Ordering::Relaxed),
            _ => return false,
        }
        true
    }
}

impl Backend {
    pub fn new() -> Backend {
        Backend::default()
    }

    /// The state of one account and region, created on first use.
    pub fn region(&self, ctx: &Ctx) -> Arc<Mutex<Region>> {
        if let Some(r) = self.regions.read().get(ctx) {
            return r.clone();
        }
        let mut all = self.regions.write();
        all.entry(ctx.clone())
            .or_insert_with(|| Arc::new(Mutex::new(Region::new(ctx.clone(), self.clock.now()))))
            .clone()
    }

    /// The regions of `account` that exist so far, in no particular order.
    pub fn regions_of(&self, account: &str) -> Vec<Arc<Mutex<Region>>> {
        self.regions
            .read()
            .iter()
            .filter(|(ctx, _)| ctx.account == account)
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// Every account and region that has state.
    pub fn regions(&self) -> Vec<Arc<Mutex<Region>>> {
        self.regions.read().values().cloned().collect()
    }

    pub fn note_schedule(&self) {
        self.schedules_seen
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn has_schedules(&self) -> bool {
        self.schedules_seen
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn note_pending_replay(&self) {
        self.replays_pending
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Whether a replay may be waiting, clearing the mark (the caller runs them).
    pub fn take_pending_replays(&self) -> bool {
        self.replays_pending
            .load(std::sync::atomic::Ordering::Relaxed)
            && self
                .replays_pending
                .swap(false, std::sync::atomic::Ordering::AcqRel)
    }

    /// Appends to the delivery log, given the event's compact JSON text when the caller has
    /// it; returns the delivery's index (its number for good, see `delivery_log`).
    pub fn record(&self, d: Delivery, event_text: Option<&Arc<str>>) -> usize {
        self.deliveries.lock().record(d, event_text)
    }

    /// Records that delivery `index` failed after all; nothing if it was dropped.
    pub fn mark_failed(&self, index: usize, error: String) {
        self.deliveries.lock().mark_failed(index, error);
    }

    /// Records whether delivery `index` was forwarded to its target's service, and why not
    /// or what the service answered; nothing if it was dropped.
    pub fn set_forwarded(&self, index: usize, forwarded: bool, note: Option<String>) {
        self.deliveries.lock().set_forwarded(index, forwarded, note);
    }

    /// A copy of the delivery log from the delivery numbered `start` on (or the oldest
    /// kept), oldest first.
    pub fn deliveries(&self, start: usize) -> Vec<Delivery> {
        let log = self.deliveries.lock();
        log.range(start, usize::MAX)
            .map(|(_, e)| e.delivery())
            .collect()
    }

    /// The index the next delivery will get: every delivery logged so far, counted.
    pub fn delivery_count(&self) -> usize {
        self.deliveries.lock().next()
    }

    /// Reads the delivery log under its lock (keep `f` short: every delivery waits on it).
    pub fn with_deliveries<R>(&self, f: impl FnOnce(&DeliveryLog) -> R) -> R {
        f(&self.deliveries.lock())
    }

    /// Keeps at most `max` deliveries (the oldest are dropped and counted); None: all.
    pub fn set_max_deliveries(&self, max: Option<usize>) {
        self.deliveries.lock().set_max(max);
    }

    pub fn clear_deliveries(&self) {
        self.deliveries.lock().clear();
    }

    /// Forgets every resource in every account and region. Each region is emptied in place,
    /// so handles to it (which clients keep) stay valid.
    pub fn reset(&self) {
        let now = self.clock.now();
        for region in self.regions.read().values() {
            let mut r = region.lock();
            let ctx = r.ctx.clone();
            *r = Region::new(ctx, now);
        }
        self.clear_deliveries();
    }
}
