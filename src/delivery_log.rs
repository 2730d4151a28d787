//! The delivery log: every delivery of an event to a target, kept compactly, optionally
//! bounded, and read in parts.
//!
//! A delivery is numbered once, in order, and keeps its number for good: dropping the oldest
//! (the bound) or clearing the log never makes a number name another delivery, so a caller
//! holding one (forwarding marks deliveries it sent) cannot touch the wrong delivery.
//!
//! What deliveries share is stored once: the names of a target (account, region, bus, rule,
//! target) in one interned `Route`, an event's compact JSON text in one `Arc<str>` for all its
//! deliveries, and the payload not at all when it is that text (a target without Input,
//! InputPath or InputTransformer).

use crate::events::Delivery;
use rustc_hash::FxHashSet;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::Arc;

/// An event's compact JSON, as a target without Input, InputPath or InputTransformer
/// receives it.
pub fn event_text(event: &Value) -> Arc<str> {
    // serde_json's writer: `Display` (to_string) goes through `fmt::Write` piece by piece,
    // several times slower.
    Arc::from(serde_json::to_string(event).unwrap_or_default())
}

/// Where a delivery went; shared by every delivery through the same target.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Route {
    pub account: String,
    pub region: String,
    pub event_bus_name: String,
    pub rule_name: String,
    pub rule_arn: String,
    pub target_id: String,
    pub target_arn: String,
}

/// One logged delivery.
#[derive(Debug, Clone)]
pub struct Entry {
    pub route: Arc<Route>,
    /// The event as compact JSON.
    pub event: Arc<str>,
    /// What the target received, when it is not `event` itself.
    payload: Option<Arc<str>>,
    /// Epoch seconds.
    pub time: f64,
    pub succeeded: bool,
    pub error: Option<Box<str>>,
    pub forwarded: Option<bool>,
    pub note: Option<Box<str>>,
}

impl Entry {
    /// Exactly what the target received.
    pub fn payload(&self) -> &str {
        self.payload.as_deref().unwrap_or(&self.event)
    }

    /// The delivery as the engine made it (the event parsed again).
    pub fn delivery(&self) -> Delivery {
        let r = &*self.route;
        Delivery {
            account: r.account.clone(),
            region: r.region.clone(),
            event_bus_name: r.event_bus_name.clone(),
            rule_name: r.rule_name.clone(),
            rule_arn: r.rule_arn.clone(),
            target_id: r.target_id.clone(),
            target_arn: r.target_arn.clone(),
            payload: self.payload().to_owned(),
            event: Arc::new(crate::json::parse(&self.event).unwrap_or(Value::Null)),
            time: self.time,
            succeeded: self.succeeded,
            error: self.error.as_deref().map(str::to_owned),
            forwarded: self.forwarded,
            note: self.note.as_deref().map(str::to_owned),
        }
    }
}

/// Which deliveries a reader wants; each member given narrows the choice.
#[derive(Debug, Default, Clone)]
pub struct Filter<'a> {
    /// A target's ARN or Id.
    pub target: Option<&'a str>,
    /// A rule's name or ARN.
    pub rule: Option<&'a str>,
    pub event_bus_name: Option<&'a str>,
    pub succeeded: Option<bool>,
}

impl Filter<'_> {
    fn admits(&self, e: &Entry) -> bool {
        let r = &*e.route;
        self.target
            .is_none_or(|t| t == r.target_arn || t == r.target_id)
            && self
                .rule
                .is_none_or(|n| n == r.rule_name || n == r.rule_arn)
            && self.event_bus_name.is_none_or(|b| b == r.event_bus_name)
            && self.succeeded.is_none_or(|s| s == e.succeeded)
    }
}

#[derive(Debug, Default)]
pub struct DeliveryLog {
    entries: VecDeque<Entry>,
    /// The number of `entries[0]`.
    first: usize,
    /// How many deliveries the bound has dropped since the log was last cleared.
    dropped: u64,
    /// At most this many deliveries are kept (the oldest go first).
    max: Option<usize>,
    routes: FxHashSet<Arc<Route>>,
    /// The last event logged and its text: the deliveries of one event come together.
    last_event: Option<(Arc<Value>, Arc<str>)>,
}

impl DeliveryLog {
    /// Logs a delivery, given the event's compact JSON if the caller has it (else it is
    /// made here); returns the delivery's number.
    pub fn record(&mut self, d: Delivery, text: Option<&Arc<str>>) -> usize {
        let event = self.event_text(&d.event, text);
        let route = self.route(Route {
            account: d.account,
            region: d.region,
            event_bus_name: d.event_bus_name,
            rule_name: d.rule_name,
            rule_arn: d.rule_arn,
            target_id: d.target_id,
            target_arn: d.target_arn,
        });
        let payload = (d.payload != *event).then(|| Arc::from(d.payload));
        self.entries.push_back(Entry {
            route,
            event,
            payload,
            time: d.time,
            succeeded: d.succeeded,
            error: d.error.map(String::into_boxed_str),
            forwarded: d.forwarded,
            note: d.note.map(String::into_boxed_str),
        });
        let number = self.next() - 1;
        self.trim();
        number
    }

    fn event_text(&mut self, event: &Arc<Value>, given: Option<&Arc<str>>) -> Arc<str> {
        if let Some((last, text)) = &self.last_event {
            if Arc::ptr_eq(last, event) {
                return text.clone();
            }
        }
        let text = given.cloned().unwrap_or_else(|| event_text(event));
        self.last_event = Some((event.clone(), text.clone()));
        text
    }

    fn route(&mut self, r: Route) -> Arc<Route> {
        if let Some(known) = self.routes.get(&r) {
            return known.clone();
        }
        let r = Arc::new(r);
        self.routes.insert(r.clone());
        r
    }

    fn trim(&mut self) {
        let Some(max) = self.max else {
            return;
        };
        while self.entries.len() > max {
            self.entries.pop_front();
            self.first += 1;
            self.dropped += 1;
        }
    }

    /// The number the next delivery will get (every delivery ever logged, counted).
    pub fn next(&self) -> usize {
        self.first + self.entries.len()
    }

    /// The number of the oldest delivery kept.
    pub fn first(&self) -> usize {
        self.first
    }

    /// How many deliveries are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn max(&self) -> Option<usize> {
        self.max
    }

    /// Keeps at most `max` deliveries from now on, dropping the oldest beyond it.
    pub fn set_max(&mut self, max: Option<usize>) {
        self.max = max;
        self.trim();
    }

    /// The delivery numbered `number`, if it is kept.
    pub fn get(&self, number: usize) -> Option<&Entry> {
        self.entries.get(number.checked_sub(self.first)?)
    }

    pub fn get_mut(&mut self, number: usize) -> Option<&mut Entry> {
        self.entries.get_mut(number.checked_sub(self.first)?)
    }

    /// The deliveries numbered from `start` to before `stop` that are kept, oldest first.
    pub fn range(&self, start: usize, stop: usize) -> impl Iterator<Item = (usize, &Entry)> {
        let from = start.saturating_sub(self.first).min(self.entries.len());
        let to = stop
            .saturating_sub(self.first)
            .clamp(from, self.entries.len());
        let base = self.first + from;
        self.entries
            .range(from..to)
            .enumerate()
            .map(move |(k, e)| (base + k, e))
    }

    /// The numbers of the kept deliveries from `start` on that `filter` admits, oldest first.
    pub fn find(&self, filter: &Filter, start: usize) -> Vec<usize> {
        self.range(start, usize::MAX)
            .filter(|(_, e)| filter.admits(e))
            .map(|(i, _)| i)
            .collect()
    }

    /// Records that a delivery failed after all; a dropped one is left alone.
    pub fn mark_failed(&mut self, number: usize, error: String) {
        if let Some(e) = self.get_mut(number) {
            e.succeeded = false;
            e.error = Some(error.into_boxed_str());
        }
    }

    /// Records whether a delivery was forwarded, and why not or what the service answered.
    pub fn set_forwarded(&mut self, number: usize, forwarded: bool, note: Option<String>) {
        if let Some(e) = self.get_mut(number) {
            e.forwarded = Some(forwarded);
            e.note = note.map(String::into_boxed_str);
        }
    }

    /// Forgets every delivery; numbering goes on where it was, and the bound stays.
    pub fn clear(&mut self) {
        self.first = self.next();
        self.entries.clear();
        self.dropped = 0;
        self.routes.clear();
        self.last_event = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delivery(event: &Arc<Value>, target: &str, payload: Option<&str>) -> Delivery {
        Delivery {
            account: "1".into(),
            region: "r".into(),
            event_bus_name: "default".into(),
            rule_name: "rule".into(),
            rule_arn: "arn:rule".into(),
            target_id: target.into(),
            target_arn: format!("arn:{target}"),
            payload: payload.map_or_else(|| event.to_string(), str::to_owned),
            event: event.clone(),
            time: 1.5,
            succeeded: true,
            error: None,
            forwarded: None,
            note: None,
        }
    }

    #[test]
    fn shares_what_deliveries_have_in_common() {
        let mut log = DeliveryLog::default();
        let event = Arc::new(json!({"id": "e1", "detail": {"n": 1}}));
        log.record(delivery(&event, "a", None), None);
        log.record(delivery(&event, "a", Some("custom")), None);
        let (x, y) = (log.get(0).unwrap(), log.get(1).unwrap());
        assert!(Arc::ptr_eq(&x.route, &y.route));
        assert!(Arc::ptr_eq(&x.event, &y.event));
        assert!(x.payload.is_none());
        assert_eq!(x.payload(), r#"{"id":"e1","detail":{"n":1}}"#);
        assert_eq!(y.payload(), "custom");
        let d = y.delivery();
        assert_eq!((d.payload.as_str(), &*d.event), ("custom", &*event));
        assert_eq!(d.target_arn, "arn:a");
    }

    #[test]
    fn numbers_survive_the_bound_and_clearing() {
        let mut log = DeliveryLog::default();
        log.set_max(Some(2));
        let event = Arc::new(json!({}));
        for t in ["a", "b", "c", "d", "e"] {
            log.record(delivery(&event, t, None), None);
        }
        assert_eq!(
            (log.first(), log.len(), log.next(), log.dropped()),
            (3, 2, 5, 3)
        );
        let kept: Vec<_> = log
            .range(0, 100)
            .map(|(i, e)| (i, e.route.target_id.as_str()))
            .collect();
        assert_eq!(kept, [(3, "d"), (4, "e")]);
        assert_eq!(log.range(4, 5).count(), 1);
        assert_eq!(log.range(5, 3).count(), 0);
        // A dropped delivery's number names nothing.
        log.mark_failed(1, "late".into());
        log.set_forwarded(2, true, None);
        assert!(log.get(1).is_none());
        log.mark_failed(4, "late".into());
        assert_eq!(log.get(4).unwrap().error.as_deref(), Some("late"));
        let filter = Filter {
            succeeded: Some(false),
            ..Filter::default()
        };
        assert_eq!(log.find(&filter, 0), [4]);
        let filter = Filter {
            target: Some("arn:d"),
            ..Filter::default()
        };
        assert_eq!(log.find(&filter, 0), [3]);
        log.clear();
        assert_eq!(
            (log.first(), log.len(), log.next(), log.dropped()),
            (5, 0, 5, 0)
        );
        log.mark_failed(4, "after clearing".into());
        assert_eq!(log.record(delivery(&event, "f", None), None), 5);
        assert_eq!(log.max(), Some(2));
        log.set_max(Some(0));
        assert_eq!((log.len(), log.dropped()), (0, 1));
    }
}
