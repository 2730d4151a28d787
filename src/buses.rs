//! Event buses: CreateEventBus, DescribeEventBus, ListEventBuses, DeleteEventBus.

use crate::arn;
use crate::error::{self, Result};
use crate::paging;
use crate::pattern::RuleSet;
use crate::request::{list_of, str_of, Obj, Out};
use crate::rules::Rule;
use crate::state::{Ctx, Region};
use crate::tags::Tags;
use serde_json::Value;
use std::collections::BTreeMap;

/// AWS's default quota of event buses per account and region (the default bus included).
pub const MAX_BUSES: usize = 100;

#[derive(Debug)]
pub struct EventBus {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub kms_key_identifier: Option<String>,
    pub dead_letter_config: Option<Value>,
    pub log_config: Option<Value>,
    /// The resource policy document built by PutPermission.
    pub policy: Option<Value>,
    pub creation_time: f64,
    pub last_modified_time: f64,
    pub tags: Tags,
    /// By name, so ListRules is in name order.
    pub rules: BTreeMap<String, Rule>,
    /// The patterns of the enabled rules, compiled together for routing.
    pub matcher: RuleSet,
}

impl EventBus {
    pub fn new(ctx: &Ctx, name: &str, now: f64) -> EventBus {
        EventBus {
            name: name.to_owned(),
            arn: arn::bus_arn(ctx, name),
            description: None,
            kms_key_identifier: None,
            dead_letter_config: None,
            log_config: None,
            policy: None,
            creation_time: now,
            last_modified_time: now,
            tags: Tags::default(),
            rules: BTreeMap::new(),
            matcher: RuleSet::new(),
        }
    }

    /// Brings the router up to date with rule `name` after any change to it. Managed rules
    /// deliver to AWS's own services (an archive's rule to the archive, which routing fills
    /// directly): they are never routed to, so the delivery log shows no delivery for them.
    pub fn sync_rule(&mut self, name: &str) {
        match self.rules.get(name) {
            Some(r)
                if r.state != "DISABLED" && r.event_pattern.is_some() && r.managed_by.is_none() =>
            {
                if let Some(p) = &r.event_pattern {
                    self.matcher.insert(name, p);
                }
            }
            _ => self.matcher.remove(name),
        }
    }

    pub fn policy_text(&self) -> Option<String> {
        self.policy.as_ref().map(Value::to_string)
    }
}

impl Region {
    /// The bus named by an `EventBusName` member (a name or an ARN; absent: default).
    pub fn bus(&self, name_or_arn: Option<&str>) -> Result<&EventBus> {
        let name = arn::bus_name(name_or_arn);
        self.buses
            .get(name)
            .ok_or_else(|| error::bus_not_found(name))
    }

    pub fn bus_mut(&mut self, name_or_arn: Option<&str>) -> Result<&mut EventBus> {
        let name = arn::bus_name(name_or_arn);
        self.buses
            .get_mut(name)
            .ok_or_else(|| error::bus_not_found(name))
    }
}

pub fn create_event_bus(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    let source = str_of(input, "EventSourceName");
    if region.buses.contains_key(name) {
        return Err(error::bus_exists(name));
    }
    if let Some(s) = source {
        // A partner event bus, named after a partner event source offered to this account.
        crate::partners::check_partner_bus(region, name, s)?;
    } else if name.starts_with("aws.") {
        return Err(error::bus_name_reserved_prefix());
    } else if name.contains('/') {
        return Err(error::bus_name_with_slash());
    }
    if region.buses.len() >= MAX_BUSES {
        return Err(error::too_many_buses());
    }
    let mut bus = EventBus::new(&region.ctx, name, now);
    bus.description = str_of(input, "Description").map(str::to_owned);
    bus.kms_key_identifier = str_of(input, "KmsKeyIdentifier").map(str::to_owned);
    bus.dead_letter_config = input.get("DeadLetterConfig").cloned();
    bus.log_config = input.get("LogConfig").cloned();
    bus.tags.merge(list_of(input, "Tags"))?;
    let out = Obj::new()
        .put("EventBusArn", bus.arn.as_str())
        .opt("Description", bus.description.as_deref())
        .opt("KmsKeyIdentifier", bus.kms_key_identifier.as_deref())
        .opt("DeadLetterConfig", bus.dead_letter_config.clone())
        .opt("LogConfig", bus.log_config.clone())
        .build();
    region.buses.insert(name.to_owned(), bus);
    if source.is_some() {
        crate::partners::bus_created(region, name);
    }
    Ok(out)
}

pub fn describe_event_bus(region: &Region, input: &Value) -> Result<Out> {
    let bus = region.bus(str_of(input, "Name"))?;
    Ok(Obj::new()
        .put("Name", bus.name.as_str())
        .put("Arn", bus.arn.as_str())
        .opt("Description", bus.description.as_deref())
        .opt("KmsKeyIdentifier", bus.kms_key_identifier.as_deref())
        .opt("DeadLetterConfig", bus.dead_letter_config.clone())
        .opt("Policy", bus.policy_text())
        .opt("LogConfig", bus.log_config.clone())
        .time("CreationTime", bus.creation_time)
        .time("LastModifiedTime", bus.last_modified_time)
        .build())
}

pub fn list_event_buses(region: &Region, input: &Value) -> Result<Out> {
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let buses: Vec<&EventBus> = region
        .buses
        .values()
        .filter(|b| b.name.starts_with(prefix))
        .collect();
    paging::list_response(
        input,
        "Limit",
        "EventBuses",
        buses,
        |b| &b.name,
        |b| {
            Obj::new()
                .put("Name", b.name.as_str())
                .put("Arn", b.arn.as_str())
                .opt("Description", b.description.as_deref())
                .opt("Policy", b.policy_text())
                .time("CreationTime", b.creation_time)
                .time("LastModifiedTime", b.last_modified_time)
                .build()
        },
    )
}

pub fn delete_event_bus(region: &mut Region, input: &Value) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    if name == "default" {
        return Err(error::cannot_delete_default_bus());
    }
    // Deleting a bus that does not exist succeeds, as in AWS.
    region.buses.remove(name);
    crate::partners::bus_deleted(region, name);
    crate::archives::check_rules(region, name);
    Ok(Obj::new().build())
}

/// UpdateEventBus: sets each member given and keeps the others (an empty Description or
/// KmsKeyIdentifier clears it); see docs/decisions.md.
pub fn update_event_bus(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let bus = region.bus_mut(str_of(input, "Name"))?;
    let text = |key: &str| str_of(input, key).map(|s| (!s.is_empty()).then(|| s.to_owned()));
    if let Some(d) = text("Description") {
        bus.description = d;
    }
    if let Some(k) = text("KmsKeyIdentifier") {
        bus.kms_key_identifier = k;
    }
    if let Some(c) = input.get("DeadLetterConfig") {
        bus.dead_letter_config = Some(c.clone()).filter(|c| c.get("Arn").is_some());
    }
    if let Some(c) = input.get("LogConfig") {
        bus.log_config = Some(c.clone());
    }
    bus.last_modified_time = now;
    Ok(Obj::new()
        .put("Arn", bus.arn.as_str())
        .put("Name", bus.name.as_str())
        .opt("KmsKeyIdentifier", bus.kms_key_identifier.as_deref())
        .opt("Description", bus.description.as_deref())
        .opt("DeadLetterConfig", bus.dead_letter_config.clone())
        .opt("LogConfig", bus.log_config.clone())
        .build())
}
