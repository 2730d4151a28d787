//! Archives and replays: CreateArchive, DescribeArchive, ListArchives, UpdateArchive,
//! DeleteArchive; StartReplay, DescribeReplay, ListReplays, CancelReplay.
//!
//! An archive keeps every event that enters its bus through routing (`events::route` calls
//! `Archives::record`) and matches its pattern, replayed events excepted. A replay sends the
//! archived events of a time window back into the archive's bus, with `replay-name` in the
//! envelope. Replays run to completion inside StartReplay (docs/decisions.md).

use crate::arn;
use crate::error::{self, Result};
use crate::events::{self, Pending};
use crate::paging;
use crate::pattern::Pattern;
use crate::request::{int_of, list_of, str_of, Obj, Out};
use crate::rules::compile_pattern;
use crate::state::{Backend, Region};
use parking_lot::Mutex;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, VecDeque};

/// AWS's quota of replays in STARTING or RUNNING per account and region.
pub const MAX_ACTIVE_REPLAYS: usize = 10;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// One event kept by an archive.
#[derive(Debug, Clone)]
pub struct ArchivedEvent {
    /// The envelope as it entered the bus.
    pub event: Value,
    /// The event's `time`, epoch seconds.
    pub time: f64,
    /// When it was archived (the backend clock), for retention.
    pub archived_at: f64,
    /// Its share of the archive's `SizeBytes` (see `event_size`).
    pub size: usize,
}

#[derive(Debug)]
pub struct Archive {
    pub name: String,
    pub arn: String,
    /// The name of the bus it archives, and that bus's ARN (its `EventSourceArn`).
    pub bus: String,
    pub bus_arn: String,
    pub description: Option<String>,
    pub pattern: Option<Pattern>,
    pub kms_key_identifier: Option<String>,
    /// 0: kept indefinitely.
    pub retention_days: i64,
    pub state: &'static str,
    pub creation_time: f64,
    /// Oldest first.
    pub events: Vec<ArchivedEvent>,
}

impl Archive {
    /// Whether an event entering bus `bus` belongs in this archive.
    pub fn accepts(&self, bus: &str, event: &Value) -> bool {
        self.bus == bus
            && self.state == "ENABLED"
            && event.get("replay-name").is_none()
            && self.pattern.as_ref().is_none_or(|p| p.matches_value(event))
    }

    /// Drops the events older than the retention period.
    pub fn prune(&mut self, now: f64) {
        if self.retention_days > 0 {
            let keep = self.retention_days as f64 * SECONDS_PER_DAY;
            self.events.retain(|e| now - e.archived_at <= keep);
        }
    }

    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    pub fn size_bytes(&self) -> usize {
        self.events.iter().map(|e| e.size).sum()
    }

    fn summary(&self) -> Obj {
        Obj::new()
            .put("ArchiveName", self.name.as_str())
            .put("EventSourceArn", self.bus_arn.as_str())
            .put("State", self.state)
            .put("RetentionDays", self.retention_days)
            .put("SizeBytes", self.size_bytes())
            .put("EventCount", self.event_count())
            .time("CreationTime", self.creation_time)
    }
}

#[derive(Debug)]
pub struct Replay {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    /// The archive's ARN.
    pub event_source_arn: String,
    /// As given.
    pub destination: Value,
    pub event_start_time: f64,
    pub event_end_time: f64,
    pub state: &'static str,
    pub replay_start_time: f64,
    pub replay_end_time: Option<f64>,
    /// The `time` of the last event replayed; none when the window held no event.
    pub event_last_replayed_time: Option<f64>,
}

impl Replay {
    fn summary(&self) -> Obj {
        Obj::new()
            .put("ReplayName", self.name.as_str())
            .put("EventSourceArn", self.event_source_arn.as_str())
            .put("State", self.state)
            .time("EventStartTime", self.event_start_time)
            .time("EventEndTime", self.event_end_time)
            .opt(
                "EventLastReplayedTime",
                self.event_last_replayed_time.map(Out::Time),
            )
            .time("ReplayStartTime", self.replay_start_time)
            .opt("ReplayEndTime", self.replay_end_time.map(Out::Time))
    }
}

/// The archives and replays of one account and region, by name.
#[derive(Debug, Default)]
pub struct Archives {
    pub archives: BTreeMap<String, Archive>,
    pub replays: BTreeMap<String, Replay>,
}

impl Archives {
    /// Stores an event that entered bus `bus` in every archive of that bus it belongs in.
    pub fn record(&mut self, bus: &str, event: &Value, now: f64) {
        for archive in self.archives.values_mut() {
            if archive.accepts(bus, event) {
                archive.events.push(ArchivedEvent {
                    event: event.clone(),
                    time: event_time(event),
                    archived_at: now,
                    size: event_size(event),
                });
            }
        }
    }

    fn prune(&mut self, now: f64) {
        for a in self.archives.values_mut() {
            a.prune(now);
        }
    }

    fn archive(&self, name: &str) -> Result<&Archive> {
        self.archives
            .get(name)
            .ok_or_else(|| error::archive_not_found(name))
    }

    fn replay(&self, name: &str) -> Result<&Replay> {
        self.replays
            .get(name)
            .ok_or_else(|| error::replay_not_found(name))
    }
}

/// An archived event's size: PutEvents' entry size of the event (docs/decisions.md): 14
/// bytes for its time, then the UTF-8 bytes of source, detail-type, the detail as compact
/// JSON and each resource.
pub fn event_size(event: &Value) -> usize {
    let text = |k: &str| str_of(event, k).map_or(0, str::len);
    let detail = event.get("detail").map_or(0, |d| d.to_string().len());
    let resources: usize = list_of(event, "resources")
        .iter()
        .filter_map(Value::as_str)
        .map(str::len)
        .sum();
    14 + text("source") + text("detail-type") + detail + resources
}

/// The envelope's `time`, epoch seconds.
fn event_time(event: &Value) -> f64 {
    str_of(event, "time")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(0.0, |t| t.timestamp() as f64)
}

/// The envelope of a replayed event: `replay-name` goes between `region` and `resources`.
pub fn with_replay_name(event: &Value, replay: &str) -> Value {
    let Some(fields) = event.as_object() else {
        return event.clone();
    };
    let mut out = Map::new();
    for (k, v) in fields {
        out.insert(k.clone(), v.clone());
        if k == "region" {
            out.insert("replay-name".into(), replay.into());
        }
    }
    if !out.contains_key("replay-name") {
        out.insert("replay-name".into(), replay.into());
    }
    Value::Object(out)
}

/// The bus an `EventSourceArn` names in the caller's account and region.
fn source_bus<'r>(region: &'r Region, source_arn: &str) -> Result<&'r crate::buses::EventBus> {
    let name = arn::parse(source_arn).map_or(source_arn, |a| a.path);
    arn::parse(source_arn)
        .filter(|a| {
            a.kind == "event-bus"
                && a.account == region.ctx.account
                && a.region == region.ctx.region
        })
        .and_then(|a| region.buses.get(a.path))
        .ok_or_else(|| error::bus_not_found(name))
}

/// ListArchives and ListReplays take at most one of their filters.
fn one_filter(input: &Value, operation: &str) -> Result<()> {
    let given = ["NamePrefix", "EventSourceArn", "State"]
        .iter()
        .filter(|k| input.get(**k).is_some())
        .count();
    if given > 1 {
        return Err(error::too_many_list_filters(operation));
    }
    Ok(())
}

pub fn create_archive(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "ArchiveName").unwrap_or_default();
    let bus = source_bus(region, str_of(input, "EventSourceArn").unwrap_or_default())?;
    let (bus_name, bus_arn) = (bus.name.clone(), bus.arn.clone());
    if region.archives.archives.contains_key(name) {
        return Err(error::archive_exists(name));
    }
    let pattern = compile_pattern(str_of(input, "EventPattern"))?;
    let archive = Archive {
        name: name.to_owned(),
        arn: region.ctx.arn(&format!("archive/{name}")),
        bus: bus_name,
        bus_arn,
        description: str_of(input, "Description").map(str::to_owned),
        pattern,
        kms_key_identifier: str_of(input, "KmsKeyIdentifier").map(str::to_owned),
        retention_days: int_of(input, "RetentionDays").unwrap_or(0),
        state: "ENABLED",
        creation_time: now,
        events: Vec::new(),
    };
    let out = Obj::new()
        .put("ArchiveArn", archive.arn.as_str())
        .put("State", archive.state)
        .time("CreationTime", archive.creation_time)
        .build();
    region.archives.archives.insert(name.to_owned(), archive);
    Ok(out)
}

pub fn describe_archive(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    region.archives.prune(now);
    let a = region
        .archives
        .archive(str_of(input, "ArchiveName").unwrap_or_default())?;
    Ok(Obj::new()
        .put("ArchiveArn", a.arn.as_str())
        .put("ArchiveName", a.name.as_str())
        .put("EventSourceArn", a.bus_arn.as_str())
        .opt("Description", a.description.as_deref())
        .opt("EventPattern", a.pattern.as_ref().map(Pattern::source))
        .put("State", a.state)
        .opt("KmsKeyIdentifier", a.kms_key_identifier.as_deref())
        .put("RetentionDays", a.retention_days)
        .put("SizeBytes", a.size_bytes())
        .put("EventCount", a.event_count())
        .time("CreationTime", a.creation_time)
        .build())
}

pub fn list_archives(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    one_filter(input, "ListArchives")?;
    let source = match str_of(input, "EventSourceArn") {
        Some(s) => Some(source_bus(region, s)?.arn.clone()),
        None => None,
    };
    region.archives.prune(now);
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let state = str_of(input, "State");
    let archives: Vec<&Archive> = region
        .archives
        .archives
        .values()
        .filter(|a| a.name.starts_with(prefix))
        .filter(|a| source.as_ref().is_none_or(|s| *s == a.bus_arn))
        .filter(|a| state.is_none_or(|s| s == a.state))
        .collect();
    paging::list_response(
        input,
        "Limit",
        "Archives",
        archives,
        |a| &a.name,
        |a| a.summary().build(),
    )
}

pub fn update_archive(region: &mut Region, input: &Value) -> Result<Out> {
    let name = str_of(input, "ArchiveName").unwrap_or_default();
    region.archives.archive(name)?;
    let pattern = compile_pattern(str_of(input, "EventPattern"))?;
    let a = region
        .archives
        .archives
        .get_mut(name)
        .ok_or_else(|| error::archive_not_found(name))?;
    if let Some(d) = str_of(input, "Description") {
        a.description = Some(d.to_owned());
    }
    if pattern.is_some() {
        a.pattern = pattern;
    }
    if let Some(k) = str_of(input, "KmsKeyIdentifier") {
        a.kms_key_identifier = Some(k.to_owned());
    }
    if let Some(days) = int_of(input, "RetentionDays") {
        a.retention_days = days;
    }
    Ok(Obj::new()
        .put("ArchiveArn", a.arn.as_str())
        .put("State", a.state)
        .time("CreationTime", a.creation_time)
        .build())
}

pub fn delete_archive(region: &mut Region, input: &Value) -> Result<Out> {
    let name = str_of(input, "ArchiveName").unwrap_or_default();
    region
        .archives
        .archives
        .remove(name)
        .ok_or_else(|| error::archive_not_found(name))?;
    Ok(Obj::new().build())
}

/// StartReplay: checks, records the replay, sends its events through routing without
/// holding the region's lock, then marks it completed. The response says `STARTING`, as
/// AWS's does.
pub fn start_replay(
    backend: &Backend,
    region: &Mutex<Region>,
    input: &Value,
    now: f64,
) -> Result<Out> {
    let name = str_of(input, "ReplayName").unwrap_or_default();
    let (ctx, bus, events, arn) = {
        let mut r = region.lock();
        let (bus, events) = check_replay(&mut r, input, now)?;
        let arn = r.ctx.arn(&format!("replay/{name}"));
        r.archives.replays.insert(
            name.to_owned(),
            Replay {
                name: name.to_owned(),
                arn: arn.clone(),
                description: str_of(input, "Description").map(str::to_owned),
                event_source_arn: str_of(input, "EventSourceArn")
                    .unwrap_or_default()
                    .to_owned(),
                destination: input.get("Destination").cloned().unwrap_or(Value::Null),
                event_start_time: time_of(input, "EventStartTime"),
                event_end_time: time_of(input, "EventEndTime"),
                state: "STARTING",
                replay_start_time: now,
                replay_end_time: None,
                event_last_replayed_time: None,
            },
        );
        (r.ctx.clone(), bus, events, arn)
    };
    let filter: Option<Vec<String>> = input
        .get("Destination")
        .and_then(|d| d.get("FilterArns"))
        .and_then(Value::as_array)
        .map(|arns| {
            arns.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        });
    let last = events.last().map(|e| e.time);
    let queue: VecDeque<Pending> = events
        .iter()
        .map(|e| Pending::replayed(&ctx, &bus, with_replay_name(&e.event, name), filter.clone()))
        .collect();
    events::route(backend, queue, now);
    if let Some(replay) = region.lock().archives.replays.get_mut(name) {
        replay.state = "COMPLETED";
        replay.replay_end_time = Some(now);
        replay.event_last_replayed_time = last;
    }
    Ok(Obj::new()
        .put("ReplayArn", arn)
        .put("State", "STARTING")
        .time("ReplayStartTime", now)
        .build())
}

fn time_of(input: &Value, key: &str) -> f64 {
    input.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

/// StartReplay's checks, in the order AWS makes them (docs/aws-facts-events.md §6.2); the
/// destination bus's name and the archived events of the window, oldest first.
fn check_replay(
    region: &mut Region,
    input: &Value,
    now: f64,
) -> Result<(String, Vec<ArchivedEvent>)> {
    let name = str_of(input, "ReplayName").unwrap_or_default();
    let source = str_of(input, "EventSourceArn").unwrap_or_default();
    let archive_name = arn::parse(source).map_or(source, |a| a.path);
    let archive = arn::parse(source)
        .filter(|a| {
            a.kind == "archive" && a.account == region.ctx.account && a.region == region.ctx.region
        })
        .and_then(|a| region.archives.archives.get(a.path))
        .ok_or_else(|| error::replay_archive_not_found(archive_name))?;
    let destination = input
        .get("Destination")
        .and_then(|d| str_of(d, "Arn"))
        .unwrap_or_default();
    let dest = arn::parse(destination)
        .filter(|a| a.kind == "event-bus" && !a.path.is_empty())
        .ok_or_else(error::replay_destination_not_a_bus)?;
    let local = dest.account == region.ctx.account && dest.region == region.ctx.region;
    if local && !region.buses.contains_key(dest.path) {
        return Err(error::bus_not_found(dest.path));
    }
    if !local || destination != archive.bus_arn {
        return Err(error::cross_bus_replay());
    }
    let (start, end) = (
        time_of(input, "EventStartTime"),
        time_of(input, "EventEndTime"),
    );
    if start >= end {
        return Err(error::replay_end_not_after_start());
    }
    if region.archives.replays.contains_key(name) {
        return Err(error::replay_exists(name));
    }
    let active = region
        .archives
        .replays
        .values()
        .filter(|r| matches!(r.state, "STARTING" | "RUNNING"))
        .count();
    if active >= MAX_ACTIVE_REPLAYS {
        return Err(error::too_many_active_replays());
    }
    let bus = archive.bus.clone();
    let archive_key = archive.name.clone();
    let archive = region
        .archives
        .archives
        .get_mut(&archive_key)
        .ok_or_else(|| error::replay_archive_not_found(archive_name))?;
    archive.prune(now);
    let mut events: Vec<ArchivedEvent> = archive
        .events
        .iter()
        .filter(|e| start <= e.time && e.time < end)
        .cloned()
        .collect();
    events.sort_by(|a, b| a.time.total_cmp(&b.time));
    Ok((bus, events))
}

pub fn describe_replay(region: &Region, input: &Value) -> Result<Out> {
    let r = region
        .archives
        .replay(str_of(input, "ReplayName").unwrap_or_default())?;
    let mut out = Obj::new()
        .put("ReplayName", r.name.as_str())
        .put("ReplayArn", r.arn.as_str())
        .opt("Description", r.description.as_deref())
        .put("State", r.state)
        .put("EventSourceArn", r.event_source_arn.as_str())
        .put("Destination", &r.destination)
        .time("EventStartTime", r.event_start_time)
        .time("EventEndTime", r.event_end_time);
    if let Some(t) = r.event_last_replayed_time {
        out = out.time("EventLastReplayedTime", t);
    }
    out = out.time("ReplayStartTime", r.replay_start_time);
    if let Some(t) = r.replay_end_time {
        out = out.time("ReplayEndTime", t);
    }
    Ok(out.build())
}

pub fn list_replays(region: &Region, input: &Value) -> Result<Out> {
    one_filter(input, "ListReplays")?;
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let state = str_of(input, "State");
    let source = str_of(input, "EventSourceArn");
    let replays: Vec<&Replay> = region
        .archives
        .replays
        .values()
        .filter(|r| r.name.starts_with(prefix))
        .filter(|r| state.is_none_or(|s| s == r.state))
        .filter(|r| source.is_none_or(|s| s == r.event_source_arn))
        .collect();
    paging::list_response(
        input,
        "Limit",
        "Replays",
        replays,
        |r| &r.name,
        |r| r.summary().build(),
    )
}

pub fn cancel_replay(region: &mut Region, input: &Value) -> Result<Out> {
    let name = str_of(input, "ReplayName").unwrap_or_default();
    let r = region
        .archives
        .replays
        .get_mut(name)
        .ok_or_else(|| error::replay_not_found(name))?;
    if !matches!(r.state, "STARTING" | "RUNNING") {
        return Err(error::replay_not_cancellable(name));
    }
    r.state = "CANCELLING";
    Ok(Obj::new()
        .put("ReplayArn", r.arn.as_str())
        .put("State", r.state)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(time: &str) -> Value {
        json!({
            "version": "0", "id": "i", "detail-type": "Order", "source": "shop",
            "account": "123456789012", "time": time, "region": "us-east-1",
            "resources": ["r1"], "detail": {"a": 1}
        })
    }

    fn archive(pattern: Option<&str>, retention_days: i64) -> Archive {
        Archive {
            name: "a".into(),
            arn: "arn:aws:events:us-east-1:123456789012:archive/a".into(),
            bus: "default".into(),
            bus_arn: "arn:aws:events:us-east-1:123456789012:event-bus/default".into(),
            description: None,
            pattern: pattern.map(|p| Pattern::parse(p).unwrap()),
            kms_key_identifier: None,
            retention_days,
            state: "ENABLED",
            creation_time: 0.0,
            events: Vec::new(),
        }
    }

    #[test]
    fn archive_size_counts_like_a_put_events_entry() {
        // 14 (time) + "shop" + "Order" + `{"a":1}` + "r1"
        assert_eq!(
            event_size(&event("2024-01-01T00:00:00Z")),
            14 + 4 + 5 + 7 + 2
        );
    }

    #[test]
    fn archive_keeps_matching_events_but_not_replayed_ones() {
        let mut all = Archives::default();
        all.archives
            .insert("a".into(), archive(Some(r#"{"source":["shop"]}"#), 0));
        let e = event("2024-01-01T00:00:00Z");
        all.record("default", &e, 10.0);
        all.record("other", &e, 10.0);
        all.record("default", &with_replay_name(&e, "r"), 10.0);
        let mut other = e.clone();
        other["source"] = "elsewhere".into();
        all.record("default", &other, 10.0);
        let a = &all.archives["a"];
        assert_eq!(a.event_count(), 1);
        assert_eq!(a.events[0].time, 1704067200.0);
        assert_eq!(a.size_bytes(), event_size(&e));
    }

    #[test]
    fn archive_retention_drops_old_events_when_read() {
        let mut a = archive(None, 1);
        for (at, e) in [
            (0.0, "2024-01-01T00:00:00Z"),
            (50_000.0, "2024-01-02T00:00:00Z"),
        ] {
            let ev = event(e);
            a.events.push(ArchivedEvent {
                time: event_time(&ev),
                size: event_size(&ev),
                event: ev,
                archived_at: at,
            });
        }
        a.prune(SECONDS_PER_DAY);
        assert_eq!(a.event_count(), 2);
        a.prune(SECONDS_PER_DAY + 1.0);
        assert_eq!(a.event_count(), 1);
        // Retention 0 keeps events forever.
        let mut forever = archive(None, 0);
        forever.events = a.events.clone();
        forever.prune(1e12);
        assert_eq!(forever.event_count(), 1);
    }

    #[test]
    fn replay_name_sits_between_region_and_resources() {
        let e = with_replay_name(&event("2024-01-01T00:00:00Z"), "r");
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "version",
                "id",
                "detail-type",
                "source",
                "account",
                "time",
                "region",
                "replay-name",
                "resources",
                "detail"
            ]
        );
    }
}
