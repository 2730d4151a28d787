//! In-memory state: one `Region` per (account, region), each behind its own lock, so calls
//! for different accounts or regions never contend and calls from many threads are safe.

use crate::buses::EventBus;
use crate::clock::Clock;
use crate::events::Delivery;
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
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
}

impl Region {
    fn new(ctx: Ctx, now: f64) -> Region {
        let mut buses = std::collections::BTreeMap::new();
        buses.insert("default".to_string(), EventBus::new(&ctx, "default", now));
        Region { ctx, buses }
    }
}

/// The whole mock cloud: every account and region, the clock they share, and the log of
/// every delivery to a target.
#[derive(Debug, Default)]
pub struct Backend {
    regions: RwLock<HashMap<Ctx, Arc<Mutex<Region>>>>,
    pub clock: Clock,
    deliveries: Mutex<Vec<Delivery>>,
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

    /// Appends to the delivery log; returns the delivery's index.
    pub fn record(&self, d: Delivery) -> usize {
        let mut log = self.deliveries.lock();
        log.push(d);
        log.len() - 1
    }

    pub fn mark_failed(&self, index: usize, error: String) {
        if let Some(d) = self.deliveries.lock().get_mut(index) {
            d.succeeded = false;
            d.error = Some(error);
        }
    }

    /// A copy of the delivery log, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries.lock().clone()
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
