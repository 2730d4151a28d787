//! Replays: StartReplay, DescribeReplay, ListReplays, CancelReplay, and running them.
//!
//! StartReplay answers `STARTING` and leaves the replay pending, as AWS does. Pending replays
//! run at the start of the next call to the backend other than CancelReplay, and when the
//! mock's clock is moved (`run_pending`): the archived events of the window go back into the
//! archive's bus, each with a new id and `replay-name` in its envelope. A replay cancelled
//! before it ran sends nothing. The model and its sources: docs/decisions.md.

use crate::archives::{one_filter, Archive};
use crate::arn;
use crate::error::{self, Result};
use crate::events::{self, Pending};
use crate::paging;
use crate::request::{str_of, Obj, Out};
use crate::state::{Backend, Ctx, Region};
use serde_json::{Map, Value};
use std::collections::VecDeque;

/// AWS's quota of replays in STARTING or RUNNING per account and region.
pub const MAX_ACTIVE_REPLAYS: usize = 10;

/// AWS's reason for a replay whose archive was deleted before it ran (recorded).
const ARCHIVE_GONE: &str = "Archive resource not found.";

#[derive(Debug)]
pub struct Replay {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    /// The archive's ARN, and its name.
    pub event_source_arn: String,
    archive: String,
    /// The bus the events go back into (the archive's).
    bus: String,
    /// As AWS shows it: given, without an empty `FilterArns`.
    pub destination: Value,
    /// Only the rules with these ARNs get the events; None: every rule.
    filter: Option<Vec<String>>,
    pub event_start_time: f64,
    pub event_end_time: f64,
    pub state: &'static str,
    pub state_reason: Option<&'static str>,
    pub replay_start_time: f64,
    pub replay_end_time: Option<f64>,
    /// See `last_replayed_time`.
    pub event_last_replayed_time: Option<f64>,
}

impl Replay {
    fn summary(&self) -> Obj {
        Obj::new()
            .put("ReplayName", self.name.as_str())
            .put("EventSourceArn", self.event_source_arn.as_str())
            .put("State", self.state)
            .opt("StateReason", self.state_reason)
            .time("EventStartTime", self.event_start_time)
            .time("EventEndTime", self.event_end_time)
            .opt(
                "EventLastReplayedTime",
                self.event_last_replayed_time.map(Out::Time),
            )
            .time("ReplayStartTime", self.replay_start_time)
            .opt("ReplayEndTime", self.replay_end_time.map(Out::Time))
    }

    fn finish(&mut self, state: &'static str, now: f64) {
        self.state = state;
        self.replay_end_time = Some(now);
    }
}

/// The envelope of a replayed event: a new id (every replay gives its events new ones), and
/// `replay-name` between `region` and `resources`.
pub fn replayed(event: &Value, replay: &str) -> Value {
    let Some(fields) = event.as_object() else {
        return event.clone();
    };
    let mut out = Map::new();
    for (k, v) in fields {
        if k == "id" {
            out.insert(k.clone(), uuid::Uuid::new_v4().to_string().into());
        } else {
            out.insert(k.clone(), v.clone());
        }
        if k == "region" {
            out.insert("replay-name".into(), replay.into());
        }
    }
    if !out.contains_key("replay-name") {
        out.insert("replay-name".into(), replay.into());
    }
    Value::Object(out)
}

/// `EventLastReplayedTime`: AWS replays in one-minute slices, and reports the start of the
/// minute of the latest archived event in the slices the window touches (even when the
/// window itself, which decides what is sent, holds no event); none when those slices are
/// empty. Inferred from recorded replays (docs/aws-facts-events.md §6.1).
fn last_replayed_time(archive: &Archive, start: f64, end: f64) -> Option<f64> {
    let (from, to) = ((start / 60.0).floor() * 60.0, (end / 60.0).ceil() * 60.0);
    archive
        .events
        .iter()
        .map(|e| e.time)
        .filter(|t| from <= *t && *t < to)
        .max_by(f64::total_cmp)
        .map(|t| (t / 60.0).floor() * 60.0)
}

fn time_of(input: &Value, key: &str) -> f64 {
    input.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

/// StartReplay: checks, and records the replay as STARTING; `run_pending` runs it.
pub fn start_replay(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "ReplayName").unwrap_or_default();
    let (archive, bus) = check_replay(region, input)?;
    let arn = region.ctx.arn(&format!("replay/{name}"));
    let mut destination = input.get("Destination").cloned().unwrap_or(Value::Null);
    let filter: Option<Vec<String>> = destination
        .get("FilterArns")
        .and_then(Value::as_array)
        .map(|arns| {
            arns.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .filter(|arns: &Vec<String>| !arns.is_empty());
    if filter.is_none() {
        // An empty FilterArns means every rule, and AWS does not show it back.
        if let Some(d) = destination.as_object_mut() {
            d.remove("FilterArns");
        }
    }
    region.archives.replays.insert(
        name.to_owned(),
        Replay {
            name: name.to_owned(),
            arn: arn.clone(),
            description: str_of(input, "Description").map(str::to_owned),
            event_source_arn: str_of(input, "EventSourceArn")
                .unwrap_or_default()
                .to_owned(),
            archive,
            bus,
            destination,
            filter,
            event_start_time: time_of(input, "EventStartTime"),
            event_end_time: time_of(input, "EventEndTime"),
            state: "STARTING",
            state_reason: None,
            replay_start_time: now,
            replay_end_time: None,
            event_last_replayed_time: None,
        },
    );
    Ok(Obj::new()
        .put("ReplayArn", arn)
        .put("State", "STARTING")
        .time("ReplayStartTime", now)
        .build())
}

/// StartReplay's checks, in the order AWS makes them (docs/aws-facts-events.md §6.2); the
/// archive's name and its bus.
fn check_replay(region: &Region, input: &Value) -> Result<(String, String)> {
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
    if time_of(input, "EventStartTime") >= time_of(input, "EventEndTime") {
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
    Ok((archive.name.clone(), archive.bus.clone()))
}

/// Runs every pending replay of every account and region, oldest first: a STARTING one
/// sends its events and is COMPLETED (FAILED if its archive is gone), a CANCELLING one is
/// CANCELLED having sent nothing.
pub fn run_pending(backend: &Backend, now: f64) {
    if !backend.take_pending_replays() {
        return;
    }
    let mut due = Vec::new();
    for region in backend.regions() {
        let r = region.lock();
        for replay in r.archives.replays.values() {
            if matches!(replay.state, "STARTING" | "CANCELLING") {
                due.push((replay.replay_start_time, r.ctx.clone(), replay.name.clone()));
            }
        }
    }
    due.sort_by(|a, b| {
        (a.0, &a.1.account, &a.1.region, &a.2)
            .partial_cmp(&(b.0, &b.1.account, &b.1.region, &b.2))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for (_, ctx, name) in due {
        run(backend, &ctx, &name, now);
    }
}

fn run(backend: &Backend, ctx: &Ctx, name: &str, now: f64) {
    let region = backend.region(ctx);
    let (queue, last) = {
        let mut guard = region.lock();
        let r = &mut *guard;
        let Some(replay) = r.archives.replays.get_mut(name) else {
            return;
        };
        match replay.state {
            "CANCELLING" => return replay.finish("CANCELLED", now),
            "STARTING" => {}
            _ => return,
        }
        let Some(archive) = r.archives.archives.get_mut(&replay.archive) else {
            replay.state_reason = Some(ARCHIVE_GONE);
            return replay.finish("FAILED", now);
        };
        archive.prune(now);
        let (start, end) = (replay.event_start_time, replay.event_end_time);
        let mut events: Vec<(f64, &Value)> = archive
            .events
            .iter()
            .filter(|e| start <= e.time && e.time < end)
            .map(|e| (e.time, &e.event))
            .collect();
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        let queue: VecDeque<Pending> = events
            .into_iter()
            .map(|(_, e)| {
                Pending::replayed(ctx, &replay.bus, replayed(e, name), replay.filter.clone())
            })
            .collect();
        let last = last_replayed_time(archive, start, end);
        replay.state = "RUNNING";
        (queue, last)
    };
    // Routing takes the locks it needs, one region at a time.
    events::route(backend, queue, now);
    let mut r = region.lock();
    if let Some(replay) = r.archives.replays.get_mut(name) {
        replay.event_last_replayed_time = last;
        replay.finish("COMPLETED", now);
    }
}

pub fn describe_replay(region: &Region, input: &Value) -> Result<Out> {
    let name = str_of(input, "ReplayName").unwrap_or_default();
    let r = region
        .archives
        .replays
        .get(name)
        .ok_or_else(|| error::replay_not_found(name))?;
    // ListReplays' entry, and what only DescribeReplay tells.
    Ok(r.summary()
        .put("ReplayArn", r.arn.as_str())
        .opt("Description", r.description.as_deref())
        .put("Destination", &r.destination)
        .build())
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

/// CancelReplay: a replay that has not run yet is CANCELLING until the next run, then
/// CANCELLED; any other state refuses (AWS's text, recorded for COMPLETED and CANCELLED).
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
    use crate::archives::tests::event;
    use crate::archives::ArchivedEvent;

    #[test]
    fn replayed_envelope_has_a_new_id_and_replay_name_after_region() {
        let original = event("2024-01-01T00:00:00Z");
        let e = replayed(&original, "r");
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
        assert_ne!(e["id"], original["id"]);
        assert_eq!(e["id"].as_str().map(str::len), Some(36));
        let mut rest = e.clone();
        rest["id"] = "i".into();
        rest.as_object_mut().unwrap().remove("replay-name");
        assert_eq!(rest, original);
    }

    #[test]
    fn a_replay_whose_archive_is_gone_fails_with_aws_reason() {
        // Through the API the archive cannot go first (DeleteArchive runs pending replays),
        // but the state is handled as AWS reports it.
        let backend = Backend::new();
        let ctx = Ctx::new("123456789012", "us-east-1");
        let region = backend.region(&ctx);
        region.lock().archives.replays.insert(
            "r".into(),
            Replay {
                name: "r".into(),
                arn: "arn:aws:events:us-east-1:123456789012:replay/r".into(),
                description: None,
                event_source_arn: "arn:aws:events:us-east-1:123456789012:archive/gone".into(),
                archive: "gone".into(),
                bus: "default".into(),
                destination: Value::Null,
                filter: None,
                event_start_time: 0.0,
                event_end_time: 60.0,
                state: "STARTING",
                state_reason: None,
                replay_start_time: 100.0,
                replay_end_time: None,
                event_last_replayed_time: None,
            },
        );
        backend.note_pending_replay();
        run_pending(&backend, 160.0);
        let r = region.lock();
        let replay = &r.archives.replays["r"];
        assert_eq!(
            (replay.state, replay.state_reason, replay.replay_end_time),
            ("FAILED", Some(ARCHIVE_GONE), Some(160.0))
        );
        assert!(!backend.take_pending_replays());
    }

    #[test]
    fn last_replayed_time_is_the_minute_of_the_latest_event_in_the_touched_slices() {
        // The recorded archive (replays.json): events at 23:59:26, 00:00:26 and 00:01:26.
        let base = 1_789_516_766.0; // 2026-09-15T23:59:26Z
        let mut archive = Archive {
            name: "a".into(),
            arn: "arn:aws:events:us-east-1:123456789012:archive/a".into(),
            incarnation: String::new(),
            bus: "default".into(),
            bus_arn: "arn:aws:events:us-east-1:123456789012:event-bus/default".into(),
            description: None,
            pattern: None,
            kms_key_identifier: None,
            retention_days: 0,
            state: "ENABLED",
            state_reason: None,
            creation_time: 0.0,
            events: Vec::new(),
        };
        for t in [base, base + 60.0, base + 120.0] {
            archive.events.push(ArchivedEvent {
                event: Value::Null,
                time: t,
                archived_at: 0.0,
                size: 0,
            });
        }
        let minute = |t: f64| (t / 60.0).floor() * 60.0;
        // Window 23:59:25 .. 00:01:27: the newest event's minute.
        assert_eq!(
            last_replayed_time(&archive, base - 1.0, base + 121.0),
            Some(minute(base + 120.0))
        );
        // 23:59:27 .. 00:00:25 holds no event, but its slices do: 00:00.
        assert_eq!(
            last_replayed_time(&archive, base + 1.0, base + 59.0),
            Some(minute(base + 60.0))
        );
        // 23:59:25 .. 23:59:26 (end excluded) still touches the 23:59 slice.
        assert_eq!(
            last_replayed_time(&archive, base - 1.0, base),
            Some(minute(base))
        );
        // A window in slices without events has none.
        assert_eq!(
            last_replayed_time(&archive, base + 600.0, base + 660.0),
            None
        );
    }
}
