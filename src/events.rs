//! PutEvents: AWS's checks on each entry, the event envelope, routing to the rules of a bus
//! and delivery to their targets, with every delivery recorded in the delivery log.
//!
//! Routing never holds two regions' locks at once: events bound for another bus (an
//! event-bus target, perhaps in another region or account) wait in a queue until the lock of
//! the bus that produced them is released.

use crate::arn;
use crate::error::{self, Result};
use crate::request::{list_of, str_of, Obj, Out};
use crate::state::{Backend, Ctx};
use crate::transform::Input;
use serde_json::{Map, Value};
use std::collections::VecDeque;
use std::sync::Arc;

/// How many buses an event may pass through after the one it was put on. AWS stops events
/// that bounce between buses; see docs/decisions.md.
pub const MAX_BUS_HOPS: u32 = 5;

/// One delivery of one event to one target of one rule: what a test asserts on.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub account: String,
    pub region: String,
    pub event_bus_name: String,
    pub rule_name: String,
    pub rule_arn: String,
    pub target_id: String,
    pub target_arn: String,
    /// Exactly what the target receives.
    pub payload: String,
    /// The event that matched, as the envelope AWS builds (shared, not copied, by every
    /// delivery of one event).
    pub event: Arc<Value>,
    /// Epoch seconds.
    pub time: f64,
    pub succeeded: bool,
    pub error: Option<String>,
    /// Whether it was also sent to the target's real (or moto's) service: None when the
    /// mock does not forward, false when it was held back (`note` says why).
    pub forwarded: Option<bool>,
    /// Why a delivery was not forwarded, or what the target's service answered.
    pub note: Option<String>,
}

/// An event on its way into a bus.
pub(crate) struct Pending {
    ctx: Ctx,
    bus: String,
    /// A replayed event carries its replay's name as `replay-name` in the envelope.
    event: Arc<Value>,
    /// The account that sent it into this bus (for the receiving bus's policy).
    sender: String,
    hops: u32,
    /// The delivery that carried it here, marked failed if the bus refuses it.
    via: Option<usize>,
    /// Only the rules with these ARNs get it (a replay's `FilterArns`); None: every rule.
    rules: Option<Vec<String>>,
    /// The rules in `rules` get it whatever their patterns (a schedule firing its rule).
    unmatched: bool,
}

impl Pending {
    /// An event sent by `sender` into `bus` of `ctx`, for every rule that matches it.
    fn entering(ctx: Ctx, bus: String, event: Arc<Value>, sender: String) -> Pending {
        Pending {
            ctx,
            bus,
            event,
            sender,
            hops: 0,
            via: None,
            rules: None,
            unmatched: false,
        }
    }

    /// An archived event replayed into `bus` (see `archives::start_replay`).
    pub(crate) fn replayed(
        ctx: &Ctx,
        bus: &str,
        event: Value,
        rules: Option<Vec<String>>,
    ) -> Pending {
        Pending {
            rules,
            ..Pending::entering(
                ctx.clone(),
                bus.to_owned(),
                Arc::new(event),
                ctx.account.clone(),
            )
        }
    }
}

/// AWS's limit on the total size of a PutEvents request's entries (1 MiB since 2026-01-29,
/// 256 KiB before; docs/aws-facts-events.md §1.3).
pub const MAX_REQUEST_ENTRY_BYTES: usize = 1024 * 1024;

/// An entry's size as AWS computes it: 14 bytes for a Time, then the UTF-8 bytes of Source,
/// DetailType, Detail and each of Resources.
pub fn entry_size(entry: &Value) -> usize {
    let text = |k: &str| str_of(entry, k).map_or(0, str::len);
    let time = if entry.get("Time").is_some() { 14 } else { 0 };
    let resources: usize = list_of(entry, "Resources")
        .iter()
        .filter_map(Value::as_str)
        .map(str::len)
        .sum();
    time + text("Source") + text("DetailType") + text("Detail") + resources
}

/// AWS's per-entry checks: `Err((ErrorCode, ErrorMessage))` for a failed entry.
fn check_entry(entry: &Value) -> std::result::Result<Value, (&'static str, String)> {
    let missing = |member: &str| {
        (
            "InvalidArgument",
            format!("Parameter {member} is not valid. Reason: {member} is a required argument."),
        )
    };
    // An empty string is as good as missing.
    let given = |member: &str| str_of(entry, member).filter(|s| !s.is_empty());
    given("Source").ok_or_else(|| missing("Source"))?;
    given("DetailType").ok_or_else(|| missing("DetailType"))?;
    let detail = given("Detail").ok_or_else(|| missing("Detail"))?;
    if str_of(entry, "Source").is_some_and(|s| s.starts_with("aws.")) {
        // Only AWS services may send events with an `aws.` source.
        return Err((
            "NotAuthorizedForSourceException",
            "Not authorized for the source.".to_owned(),
        ));
    }
    match crate::json::parse(detail) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(("MalformedDetail", "Detail is malformed.".to_owned())),
    }
}

/// `2026-11-26T12:00:00Z`: AWS's `time`, to the second. Written by hand: it is on the path
/// of every event, and a general date formatter costs far more.
pub fn iso_time(epoch_seconds: f64) -> String {
    let secs = if epoch_seconds.is_finite() {
        epoch_seconds
            .floor()
            .clamp(-62_135_596_800.0, 253_402_300_799.0) as i64
    } else {
        0
    };
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The envelope AWS delivers, keys in AWS's order.
pub fn envelope(ctx: &Ctx, id: &str, entry: &Value, detail: Value, now: f64) -> Value {
    let time = entry.get("Time").and_then(Value::as_f64).unwrap_or(now);
    let mut e = Map::with_capacity(9);
    e.insert("version".into(), "0".into());
    e.insert("id".into(), id.into());
    e.insert(
        "detail-type".into(),
        str_of(entry, "DetailType").unwrap_or_default().into(),
    );
    e.insert(
        "source".into(),
        str_of(entry, "Source").unwrap_or_default().into(),
    );
    e.insert("account".into(), ctx.account.as_str().into());
    e.insert("time".into(), iso_time(time).into());
    e.insert("region".into(), ctx.region.as_str().into());
    e.insert(
        "resources".into(),
        Value::Array(list_of(entry, "Resources").to_vec()),
    );
    e.insert("detail".into(), detail);
    Value::Object(e)
}

pub fn put_events(backend: &Backend, ctx: &Ctx, input: &Value, now: f64) -> Result<Out> {
    let total: usize = list_of(input, "Entries").iter().map(entry_size).sum();
    if total > MAX_REQUEST_ENTRY_BYTES {
        return Err(error::put_events_too_large());
    }
    // Through a global endpoint, events go to its primary region (and to its secondary
    // region too while replication is on): see `endpoints::routing_regions`.
    let targets = match str_of(input, "EndpointId") {
        Some(id) => crate::endpoints::routing_regions(backend, ctx, id)?,
        None => vec![ctx.clone()],
    };
    let mut results = Vec::new();
    let mut failed = 0usize;
    let mut queue = VecDeque::new();
    for entry in list_of(input, "Entries") {
        match check_entry(entry) {
            Err((code, message)) => {
                failed += 1;
                results.push(
                    Obj::new()
                        .put("ErrorCode", code)
                        .put("ErrorMessage", message)
                        .build(),
                );
            }
            Ok(detail) => {
                let id = uuid::Uuid::new_v4().to_string();
                for target in &targets {
                    queue.push_back(Pending::entering(
                        target.clone(),
                        arn::bus_name(str_of(entry, "EventBusName")).to_owned(),
                        Arc::new(envelope(target, &id, entry, detail.clone(), now)),
                        ctx.account.clone(),
                    ));
                }
                results.push(Obj::new().put("EventId", id).build());
            }
        }
    }
    route(backend, queue, now);
    Ok(Obj::new()
        .put("FailedEntryCount", failed)
        .put("Entries", results)
        .build())
}

/// Routes events that enter bus `.1` of `.0` on behalf of that bus's own account (as
/// PutPartnerEvents does), with the same discipline as PutEvents.
pub fn deliver(backend: &Backend, events: Vec<(Ctx, String, Value)>, now: f64) {
    let queue = events
        .into_iter()
        .map(|(ctx, bus, event)| {
            let sender = ctx.account.clone();
            Pending::entering(ctx, bus, Arc::new(event), sender)
        })
        .collect();
    route(backend, queue, now);
}

/// Sends `event` to the targets of one rule, whatever its pattern: a schedule firing.
pub fn fire_rule(backend: &Backend, ctx: &Ctx, bus: &str, rule_arn: &str, event: Value, now: f64) {
    let pending = Pending {
        rules: Some(vec![rule_arn.to_owned()]),
        unmatched: true,
        ..Pending::entering(
            ctx.clone(),
            bus.to_owned(),
            Arc::new(event),
            ctx.account.clone(),
        )
    };
    route(backend, VecDeque::from([pending]), now);
}

/// Whether a bus's resource policy lets `sender` put events on it.
fn admits(policy: Option<&Value>, sender: &str) -> bool {
    let statements = policy
        .and_then(|p| p.get("Statement"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let root = format!(":iam::{sender}:root");
    statements.iter().any(|s| {
        let allows = s.get("Effect").and_then(Value::as_str) == Some("Allow");
        let action = match s.get("Action") {
            Some(Value::String(a)) => a == "events:PutEvents" || a == "events:*",
            Some(Value::Array(a)) => a
                .iter()
                .any(|x| matches!(x.as_str(), Some("events:PutEvents" | "events:*"))),
            _ => false,
        };
        let principal = match s.get("Principal") {
            Some(Value::String(p)) => p == "*",
            Some(p) => match p.get("AWS") {
                Some(Value::String(a)) => a == sender || a.ends_with(&root) || a == "*",
                Some(Value::Array(a)) => a.iter().any(|x| {
                    x.as_str()
                        .is_some_and(|a| a == sender || a.ends_with(&root) || a == "*")
                }),
                _ => false,
            },
            None => false,
        };
        // A condition (an organization) cannot be proven for a mock account: not admitted.
        allows && action && principal && s.get("Condition").is_none()
    })
}

pub(crate) fn route(backend: &Backend, mut queue: VecDeque<Pending>, now: f64) {
    while let Some(p) = queue.pop_front() {
        let region = backend.region(&p.ctx);
        let mut r = region.lock();
        let Some(bus) = r.buses.get(&p.bus) else {
            refuse(
                backend,
                p.via,
                format!("Event bus {} does not exist.", p.bus),
            );
            continue;
        };
        if p.sender != p.ctx.account && !admits(bus.policy.as_ref(), &p.sender) {
            refuse(
                backend,
                p.via,
                format!(
                    "Account {} is not authorized to put events on event bus {}.",
                    p.sender, bus.arn
                ),
            );
            continue;
        }
        let mut delivered = Vec::new();
        // The event's compact JSON, made once: what every target without Input, InputPath
        // or InputTransformer receives, and what the delivery log keeps.
        let mut text: Option<Arc<str>> = None;
        let names: Vec<&str> = match (&p.rules, p.unmatched) {
            // A rule ARN ends with the rule's name.
            (Some(only), true) => only
                .iter()
                .filter_map(|arn| {
                    let name = arn.rsplit('/').next()?;
                    let (key, rule) = bus.rules.get_key_value(name)?;
                    (rule.arn == *arn).then_some(key.as_str())
                })
                .collect(),
            _ => bus.matcher.matches_value(&p.event),
        };
        for name in names {
            let Some(rule) = bus.rules.get(name) else {
                continue;
            };
            if p.rules
                .as_ref()
                .is_some_and(|only| !only.contains(&rule.arn))
            {
                continue;
            }
            for target in &rule.targets {
                let target_arn = str_of(target, "Arn").unwrap_or_default();
                let rendered = match Input::of(target) {
                    // The event's text is made once, for every target that sends it whole.
                    Input::WholeEvent => {
                        let t =
                            text.get_or_insert_with(|| crate::delivery_log::event_text(&p.event));
                        Ok(String::from(&**t))
                    }
                    input => render(input, &p.event, rule, now),
                };
                let (payload, error) = match rendered {
                    Ok(payload) => (payload, None),
                    Err(e) => (String::new(), Some(e)),
                };
                let forward = bus_target(target_arn);
                let d = Delivery {
                    account: p.ctx.account.clone(),
                    region: p.ctx.region.clone(),
                    event_bus_name: bus.name.clone(),
                    rule_name: rule.name.clone(),
                    rule_arn: rule.arn.clone(),
                    target_id: str_of(target, "Id").unwrap_or_default().to_owned(),
                    target_arn: target_arn.to_owned(),
                    payload,
                    event: p.event.clone(),
                    time: now,
                    succeeded: error.is_none(),
                    error,
                    forwarded: None,
                    note: None,
                };
                delivered.push((d, forward));
            }
        }
        // The bus's archives keep what entered the bus (replayed events excepted); a
        // schedule's event goes to its rule's targets without entering the bus.
        if !p.unmatched {
            r.archives.record(&p.bus, &p.event, now);
        }
        drop(r);
        for (d, forward) in delivered {
            let ok = d.succeeded;
            let index = backend.record(d, text.as_ref());
            if let (true, Some((ctx, bus))) = (ok, forward) {
                if p.hops >= MAX_BUS_HOPS {
                    refuse(
                        backend,
                        Some(index),
                        "The event has passed through too many event buses.".into(),
                    );
                    continue;
                }
                queue.push_back(Pending {
                    hops: p.hops + 1,
                    via: Some(index),
                    ..Pending::entering(ctx, bus, p.event.clone(), p.ctx.account.clone())
                });
            }
        }
    }
}

/// Marks the delivery that carried an event to a bus as failed.
fn refuse(backend: &Backend, via: Option<usize>, error: String) {
    if let Some(i) = via {
        backend.mark_failed(i, error);
    }
}

/// The account, region and bus of an event-bus target.
fn bus_target(target_arn: &str) -> Option<(Ctx, String)> {
    let a = arn::parse(target_arn)?;
    (a.kind == "event-bus" && !a.path.is_empty())
        .then(|| (Ctx::new(a.account, a.region), a.path.to_owned()))
}

/// What a target receives: see `transform`.
fn render(
    input: Input,
    event: &Value,
    rule: &crate::rules::Rule,
    now: f64,
) -> std::result::Result<String, String> {
    let ingestion_time = iso_time(now);
    let info = crate::transform::RuleInfo {
        rule_arn: &rule.arn,
        rule_name: &rule.name,
        ingestion_time: &ingestion_time,
    };
    crate::transform::render_input(input, event, &info)
}

#[cfg(test)]
mod tests {
    use super::iso_time;

    #[test]
    fn iso_time_matches_chrono() {
        let mut t: i64 = -86_400 * 800;
        while t < 7_000_000_000 {
            let expected = chrono::DateTime::from_timestamp(t, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            assert_eq!(iso_time(t as f64 + 0.999), expected);
            t += 86_400 * 37 + 3_661;
        }
        assert_eq!(iso_time(951_782_400.0), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(f64::NAN), "1970-01-01T00:00:00Z");
    }
}
