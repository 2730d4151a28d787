//! Archives: CreateArchive, DescribeArchive, ListArchives, UpdateArchive, DeleteArchive, and
//! the managed rule AWS attaches to an archive's bus.
//!
//! An archive keeps every event that enters its bus through routing (`events::route` calls
//! `Archives::record`) and matches its pattern, replayed events excepted. Its managed rule
//! (`Events-Archive-<name>`) is what ListRules, DescribeRule and ListTargetsByRule show of it;
//! routing does not run that rule (docs/decisions.md). Replays are in `replays`.

use crate::arn;
use crate::buses::EventBus;
use crate::error::{self, Result};
use crate::paging;
use crate::pattern::Pattern;
use crate::replays::Replay;
use crate::request::{int_of, list_of, str_of, Obj, Out};
use crate::rules::{compile_pattern, Rule};
use crate::state::{partition, Ctx, Region};
use crate::tags::Tags;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// The `ManagedBy` of an archive's rule (docs/aws-facts-events.md §5.3).
pub const RULE_MANAGER: &str = "prod.vhs.events.aws.internal";
const RULE_PREFIX: &str = "Events-Archive-";
/// An archive whose rule or its target was removed with `Force` stops archiving.
const RULE_REMOVED: &str = "Managed rule for the archive was forcefully deleted.";

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
    /// Which incarnation of the name this is: AWS writes it after the ARN in the managed
    /// rule's target, so a recreated archive has a new one.
    pub incarnation: String,
    /// The name of the bus it archives, and that bus's ARN (its `EventSourceArn`).
    pub bus: String,
    pub bus_arn: String,
    pub description: Option<String>,
    pub pattern: Option<Pattern>,
    pub kms_key_identifier: Option<String>,
    /// 0: kept indefinitely.
    pub retention_days: i64,
    pub state: &'static str,
    pub state_reason: Option<&'static str>,
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
            .opt("StateReason", self.state_reason)
            .put("RetentionDays", self.retention_days)
            .put("SizeBytes", self.size_bytes())
            .put("EventCount", self.event_count())
            .time("CreationTime", self.creation_time)
    }

    fn rule_name(&self) -> String {
        format!("{RULE_PREFIX}{}", self.name)
    }

    /// The managed rule's pattern: the archive's (or every event), but never a replayed
    /// event; `replay-name` first, compact, as AWS shows it (docs/aws-facts-events.md §5.3).
    fn rule_pattern(&self) -> Pattern {
        let mut members = Map::new();
        members.insert("replay-name".into(), json!([{"exists": false}]));
        let own = self
            .pattern
            .as_ref()
            .and_then(|p| serde_json::from_str::<Value>(p.source()).ok());
        if let Some(Value::Object(own)) = own {
            for (k, v) in own {
                if k != "replay-name" {
                    members.insert(k, v);
                }
            }
        }
        let text = Value::Object(members).to_string();
        // The archive's pattern compiled; with one more `exists` field it still does.
        Pattern::parse(&text).unwrap_or_else(|_| {
            Pattern::parse(r#"{"replay-name":[{"exists":false}]}"#).expect("a valid pattern")
        })
    }

    /// The one target of the managed rule: the archive service, told which archive.
    fn rule_target(&self) -> Value {
        let region = self.arn.split(':').nth(3).unwrap_or_default();
        let template = format!(
            "{{\"archive-arn\": \"{}:{}\",\"event\": <aws.events.event.json>,\"ingestion-time\": <aws.events.event.ingestion-time>}}",
            self.arn, self.incarnation
        );
        json!({
            "Id": self.rule_name(),
            "Arn": format!("arn:{}:events:{region}:::", partition(region)),
            "InputTransformer": {"InputPathsMap": {}, "InputTemplate": template},
        })
    }

    /// The managed rule, with its target, as CreateArchive puts it on the archive's bus.
    fn rule(&self, ctx: &Ctx) -> Rule {
        let name = self.rule_name();
        Rule {
            arn: arn::rule_arn(ctx, &self.bus, &name),
            name,
            bus: self.bus.clone(),
            event_pattern: Some(self.rule_pattern()),
            schedule_expression: None,
            schedule: None,
            state: "ENABLED".into(),
            description: None,
            role_arn: None,
            managed_by: Some(RULE_MANAGER.into()),
            created_by: ctx.account.clone(),
            tags: Tags::default(),
            targets: vec![self.rule_target()],
            listing: Default::default(),
        }
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
pub fn event_time(event: &Value) -> f64 {
    str_of(event, "time")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(0.0, |t| t.timestamp() as f64)
}

/// The bus an `EventSourceArn` names in the caller's account and region (ListArchives).
fn source_bus<'r>(region: &'r Region, source_arn: &str) -> Result<&'r EventBus> {
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

/// CreateArchive's checks of its `EventSourceArn`, in the order AWS reports them: a bus ARN
/// of the caller's partition, region and account, then a bus that exists.
fn own_source_bus<'r>(region: &'r Region, source_arn: &str) -> Result<&'r EventBus> {
    let a = arn::parse(source_arn)
        .filter(|a| a.kind == "event-bus" && !a.account.is_empty() && !a.path.is_empty())
        .ok_or_else(error::archive_source_not_a_bus)?;
    let arn_partition = source_arn.split(':').nth(1).unwrap_or_default();
    if arn_partition != partition(&region.ctx.region) {
        return Err(error::cross_scope_archive("partition"));
    }
    if a.region != region.ctx.region {
        return Err(error::cross_scope_archive("region"));
    }
    if a.account != region.ctx.account {
        return Err(error::cross_scope_archive("account"));
    }
    region
        .buses
        .get(a.path)
        .ok_or_else(|| error::bus_not_found(a.path))
}

/// ListArchives and ListReplays take at most one of their filters.
pub fn one_filter(input: &Value, operation: &str) -> Result<()> {
    let given = ["NamePrefix", "EventSourceArn", "State"]
        .iter()
        .filter(|k| input.get(**k).is_some())
        .count();
    if given > 1 {
        return Err(error::too_many_list_filters(operation));
    }
    Ok(())
}

/// A string member, an empty one counting as absent (AWS treats `""` so at create).
fn text_of<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    str_of(input, key).filter(|s| !s.is_empty())
}

pub fn create_archive(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "ArchiveName").unwrap_or_default();
    let bus = own_source_bus(region, str_of(input, "EventSourceArn").unwrap_or_default())?;
    let (bus_name, bus_arn) = (bus.name.clone(), bus.arn.clone());
    if region.archives.archives.contains_key(name) {
        return Err(error::archive_exists(name));
    }
    let pattern = compile_pattern(text_of(input, "EventPattern"))?;
    let archive = Archive {
        name: name.to_owned(),
        arn: region.ctx.arn(&format!("archive/{name}")),
        incarnation: uuid::Uuid::new_v4().to_string(),
        bus: bus_name.clone(),
        bus_arn,
        description: text_of(input, "Description").map(str::to_owned),
        pattern,
        kms_key_identifier: text_of(input, "KmsKeyIdentifier").map(str::to_owned),
        retention_days: int_of(input, "RetentionDays").unwrap_or(0),
        state: "ENABLED",
        state_reason: None,
        creation_time: now,
        events: Vec::new(),
    };
    let rule = archive.rule(&region.ctx);
    let bus = region.bus_mut(Some(&bus_name))?;
    if bus.rules.contains_key(&rule.name) {
        return Err(error::archive_rule_taken(&rule.name));
    }
    let rule_name = rule.name.clone();
    bus.rules.insert(rule_name.clone(), rule);
    bus.sync_rule(&rule_name);
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
        .opt("StateReason", a.state_reason)
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

/// Whether the archive's managed rule is on its bus with the archive's target.
fn rule_intact(region: &Region, archive: &Archive) -> bool {
    let name = archive.rule_name();
    region
        .buses
        .get(&archive.bus)
        .and_then(|b| b.rules.get(&name))
        .is_some_and(|r| {
            r.managed_by.is_some()
                && r.targets
                    .iter()
                    .any(|t| str_of(t, "Id") == Some(name.as_str()))
        })
}

/// After a managed rule or its target went away (forced RemoveTargets or DeleteRule, or its
/// bus deleted), the archives on `bus` that lost theirs stop archiving, as in AWS.
pub fn check_rules(region: &mut Region, bus: &str) {
    let broken: Vec<String> = region
        .archives
        .archives
        .values()
        .filter(|a| a.bus == bus && a.state == "ENABLED" && !rule_intact(region, a))
        .map(|a| a.name.clone())
        .collect();
    for name in broken {
        if let Some(a) = region.archives.archives.get_mut(&name) {
            a.state = "DISABLED";
            a.state_reason = Some(RULE_REMOVED);
        }
    }
}

pub fn update_archive(region: &mut Region, input: &Value) -> Result<Out> {
    // AWS checks for something to change before it looks the archive up.
    let members = [
        "EventPattern",
        "RetentionDays",
        "Description",
        "KmsKeyIdentifier",
    ];
    if !members.iter().any(|k| input.get(*k).is_some()) {
        return Err(error::archive_update_needs_a_member());
    }
    let name = str_of(input, "ArchiveName").unwrap_or_default();
    let archive = region.archives.archive(name)?;
    let pattern = compile_pattern(text_of(input, "EventPattern"))?;
    // A DISABLED archive lost its rule: the update puts it back, if its bus still exists.
    let repair = !rule_intact(region, archive);
    let rule_name = archive.rule_name();
    match region.buses.get(&archive.bus) {
        None if repair => return Err(error::archive_rule_missing(name)),
        Some(bus)
            if bus
                .rules
                .get(&rule_name)
                .is_some_and(|r| r.managed_by.is_none()) =>
        {
            return Err(error::archive_rule_taken(&rule_name))
        }
        _ => {}
    }
    let a = region
        .archives
        .archives
        .get_mut(name)
        .ok_or_else(|| error::archive_not_found(name))?;
    // An empty string clears a member (recorded for all three).
    if let Some(d) = str_of(input, "Description") {
        a.description = Some(d.to_owned()).filter(|d| !d.is_empty());
    }
    if input.get("EventPattern").is_some() {
        a.pattern = pattern;
    }
    if let Some(k) = str_of(input, "KmsKeyIdentifier") {
        a.kms_key_identifier = Some(k.to_owned()).filter(|k| !k.is_empty());
    }
    if let Some(days) = int_of(input, "RetentionDays") {
        a.retention_days = days;
    }
    // The managed rule is kept in step with the archive (and put back when it was lost).
    if let Some(bus) = region.buses.get_mut(&a.bus) {
        bus.rules.insert(rule_name.clone(), a.rule(&region.ctx));
        bus.sync_rule(&rule_name);
    }
    if repair {
        a.state = "ENABLED";
        a.state_reason = None;
    }
    Ok(Obj::new()
        .put("ArchiveArn", a.arn.as_str())
        .put("State", a.state)
        .time("CreationTime", a.creation_time)
        .build())
}

pub fn delete_archive(region: &mut Region, input: &Value) -> Result<Out> {
    let name = str_of(input, "ArchiveName").unwrap_or_default();
    let archive = region
        .archives
        .archives
        .remove(name)
        .ok_or_else(|| error::archive_not_found(name))?;
    // Its managed rule goes with it (an ordinary rule of that name stays).
    let rule = archive.rule_name();
    if let Some(bus) = region.buses.get_mut(&archive.bus) {
        if bus.rules.get(&rule).is_some_and(|r| r.managed_by.is_some()) {
            bus.rules.remove(&rule);
            bus.sync_rule(&rule);
        }
    }
    Ok(Obj::new().build())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An event of the default bus at `time` (replays' tests use it too).
    pub(crate) fn event(time: &str) -> Value {
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
            incarnation: "0f0e0d0c-0000-4000-8000-000000000000".into(),
            bus: "default".into(),
            bus_arn: "arn:aws:events:us-east-1:123456789012:event-bus/default".into(),
            description: None,
            pattern: pattern.map(|p| Pattern::parse(p).unwrap()),
            kms_key_identifier: None,
            retention_days,
            state: "ENABLED",
            state_reason: None,
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
        let mut replayed = e.clone();
        replayed["replay-name"] = "r".into();
        all.record("default", &replayed, 10.0);
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
    fn managed_rule_pattern_puts_replay_name_first_and_overrides_it() {
        let p = |text: Option<&str>| archive(text, 0).rule_pattern().source().to_owned();
        assert_eq!(p(None), r#"{"replay-name":[{"exists":false}]}"#);
        assert_eq!(
            p(Some(r#"{ "source" : [ "control.updated" ] }"#)),
            r#"{"replay-name":[{"exists":false}],"source":["control.updated"]}"#
        );
        assert_eq!(
            p(Some(
                r#"{"replay-name":[{"exists":true}],"source":["probe"]}"#
            )),
            r#"{"replay-name":[{"exists":false}],"source":["probe"]}"#
        );
    }

    #[test]
    fn managed_rule_target_names_the_archive_incarnation() {
        assert_eq!(
            archive(None, 0).rule_target(),
            json!({
                "Id": "Events-Archive-a",
                "Arn": "arn:aws:events:us-east-1:::",
                "InputTransformer": {
                    "InputPathsMap": {},
                    "InputTemplate": "{\"archive-arn\": \"arn:aws:events:us-east-1:123456789012:archive/a:0f0e0d0c-0000-4000-8000-000000000000\",\"event\": <aws.events.event.json>,\"ingestion-time\": <aws.events.event.ingestion-time>}"
                }
            })
        );
    }
}
