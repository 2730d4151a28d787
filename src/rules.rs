//! Rules: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule.

use crate::arn;
use crate::error::{self, Result};
use crate::paging;
use crate::pattern::Pattern;
use crate::request::{bool_of, list_of, str_of, Obj, Out, Shared};
use crate::schedule::Schedule;
use crate::state::Region;
use crate::tags::Tags;
use serde_json::Value;
use std::sync::Arc;

/// AWS's default quota of rules per event bus (adjustable: `Quotas`).
pub const MAX_RULES_PER_BUS: usize = 300;

#[derive(Debug)]
pub struct Rule {
    pub name: String,
    pub arn: String,
    pub bus: String,
    /// The pattern as given, compiled once for matching.
    pub event_pattern: Option<Pattern>,
    pub schedule_expression: Option<String>,
    /// The parsed schedule and when it was set (a rate schedule counts from then).
    pub schedule: Option<(Schedule, f64)>,
    pub state: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub managed_by: Option<String>,
    pub created_by: String,
    pub tags: Tags,
    /// The targets as given (AWS's Target structure), in the order they were first put.
    pub targets: Vec<Value>,
    /// The rule's ListRules entry, made on first use; `Region::rule_mut` forgets it, so
    /// change a rule only through that.
    pub listing: std::sync::OnceLock<Arc<Shared>>,
}

impl Rule {
    /// The members ListRules and DescribeRule share.
    fn summary(&self) -> Obj {
        Obj::new()
            .put("Name", self.name.as_str())
            .put("Arn", self.arn.as_str())
            .opt(
                "EventPattern",
                self.event_pattern.as_ref().map(Pattern::source),
            )
            .opt("ScheduleExpression", self.schedule_expression.as_deref())
            .put("State", self.state.as_str())
            .opt("Description", self.description.as_deref())
            .opt("RoleArn", self.role_arn.as_deref())
            .opt("ManagedBy", self.managed_by.as_deref())
            .put("EventBusName", self.bus.as_str())
    }

    /// The rule's entry in ListRules: one shared object until the rule changes.
    fn listed(&self) -> Out {
        Out::Shared(self.listing().clone())
    }

    /// The ListRules entry and more members after it.
    fn listed_with(&self, more: Vec<(&'static str, Out)>) -> Out {
        Out::Extended(self.listing().clone(), more)
    }

    fn listing(&self) -> &Arc<Shared> {
        self.listing
            .get_or_init(|| Shared::new(self.summary().build()))
    }

    /// A managed rule may only be changed with `Force`, by the operations that take it
    /// (`force` is None for those that do not: they can never change it).
    pub fn check_managed(&self, force: Option<bool>) -> Result<()> {
        match (&self.managed_by, force) {
            (None, _) | (Some(_), Some(true)) => Ok(()),
            (Some(_), _) => Err(error::managed_rule(&self.name, force.is_some())),
        }
    }
}

impl Region {
    /// A rule on the bus named by an `EventBusName` member (name or ARN; absent: default).
    pub fn rule(&self, bus: Option<&str>, name: &str) -> Result<&Rule> {
        let bus = self.bus(bus)?;
        bus.rules
            .get(name)
            .ok_or_else(|| error::rule_not_found(name, &bus.name))
    }

    pub fn rule_mut(&mut self, bus: Option<&str>, name: &str) -> Result<&mut Rule> {
        let bus = self.bus_mut(bus)?;
        let bus_name = bus.name.clone();
        let rule = bus
            .rules
            .get_mut(name)
            .ok_or_else(|| error::rule_not_found(name, &bus_name))?;
        // The caller may change it: its ListRules entry is made again when next needed.
        rule.listing = Default::default();
        Ok(rule)
    }
}

/// Compiles an EventPattern member, with AWS's error for an invalid one. Compiled patterns
/// are kept by text (a test suite sends the same few patterns over and over).
pub fn compile_pattern(text: Option<&str>) -> Result<Option<Pattern>> {
    use parking_lot::Mutex;
    // FxHash: the texts come from the test's own calls, and SipHash costs more than the
    // lookup saves on a long pattern.
    use rustc_hash::FxHashMap as HashMap;
    const CACHE_SIZE: usize = 1024;
    static CACHE: Mutex<Option<HashMap<String, Pattern>>> = Mutex::new(None);
    let Some(text) = text else {
        return Ok(None);
    };
    if let Some(p) = CACHE.lock().as_ref().and_then(|c| c.get(text)) {
        return Ok(Some(p.clone()));
    }
    let p = Pattern::parse(text).map_err(|e| error::invalid_pattern(e.message()))?;
    let mut cache = CACHE.lock();
    let cache = cache.get_or_insert_with(HashMap::default);
    if cache.len() >= CACHE_SIZE {
        cache.clear();
    }
    cache.insert(text.to_owned(), p.clone());
    Ok(Some(p))
}

/// TestEventPattern: the pattern is checked first, then the event.
pub fn test_event_pattern(input: &Value) -> Result<Out> {
    let pattern = compile_pattern(str_of(input, "EventPattern"))?;
    let event = str_of(input, "Event").unwrap_or_default();
    // Matching reads (and so validates) the whole text, so the envelope's checks only need
    // its top level: usually the reader has gone through the top-level members (patterns
    // look inside) and their ranges serve without another pass.
    let read = pattern.map(|p| {
        p.matches_json_top(event, |matched, top| {
            (matched, top.and_then(|t| test_event::from_fields(event, t)))
        })
    });
    let verdict = match read {
        Some(Ok((matched, Some(v)))) => v.map(|()| matched),
        Some(Ok((matched, None))) => test_event::top_level(event)
            .unwrap_or_else(|| test_event::check(event))
            .map(|()| matched),
        Some(Err(_)) => Err(test_event::Refusal::Invalid),
        None => test_event::check(event).map(|()| false),
    };
    let result = verdict.map_err(|r| error::validation(r.message()))?;
    Ok(Obj::new().put("Result", result).build())
}

mod test_event;

pub fn put_rule(region: &mut Region, input: &Value, now: f64, max_rules: usize) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    // AWS takes an empty EventPattern as none; an empty ScheduleExpression beside a pattern is
    // accepted on the default bus and shown back, scheduling nothing (recorded: docs/aws-facts.md).
    let pattern = compile_pattern(str_of(input, "EventPattern").filter(|p| !p.is_empty()))?;
    let schedule = str_of(input, "ScheduleExpression");
    if pattern.is_none() && schedule.is_none_or(str::is_empty) {
        return Err(error::rule_needs_pattern_or_schedule());
    }
    let ctx = region.ctx.clone();
    let bus = region.bus_mut(str_of(input, "EventBusName"))?;
    // The bus is checked before the expression is read (an empty one included).
    if schedule.is_some() && bus.name != "default" {
        return Err(error::schedule_on_custom_bus());
    }
    let parsed = schedule
        .filter(|expr| !expr.is_empty())
        .map(|expr| Schedule::parse(expr).map_err(|e| error::validation(e.message())))
        .transpose()?;
    if let Some(old) = bus.rules.get(name) {
        old.check_managed(None)?;
    } else if bus.rules.len() >= max_rules {
        return Err(error::too_many_rules());
    }
    let rule_arn = arn::rule_arn(&ctx, &bus.name, name);
    let old = bus.rules.remove(name);
    // A schedule keeps counting from when it was set, unless this call changes it.
    let schedule_set = match &old {
        Some(o) if o.schedule_expression.as_deref() == schedule => {
            o.schedule.as_ref().map_or(now, |(_, at)| *at)
        }
        _ => now,
    };
    let (tags, targets) = match old {
        // Replacing a rule resets every field it omits, but keeps its tags and targets.
        Some(old) => (old.tags, old.targets),
        None => {
            let mut tags = Tags::default();
            tags.merge(list_of(input, "Tags"))?;
            (tags, Vec::new())
        }
    };
    bus.rules.insert(
        name.to_owned(),
        Rule {
            name: name.to_owned(),
            arn: rule_arn.clone(),
            bus: bus.name.clone(),
            event_pattern: pattern,
            schedule_expression: schedule.map(str::to_owned),
            schedule: parsed.map(|p| (p, schedule_set)),
            state: str_of(input, "State").unwrap_or("ENABLED").to_owned(),
            description: str_of(input, "Description").map(str::to_owned),
            role_arn: str_of(input, "RoleArn").map(str::to_owned),
            managed_by: None,
            created_by: ctx.account.clone(),
            tags,
            targets,
            listing: Default::default(),
        },
    );
    bus.sync_rule(name);
    Ok(Obj::new().put("RuleArn", rule_arn).build())
}

pub fn describe_rule(region: &Region, input: &Value) -> Result<Out> {
    let rule = region.rule(
        str_of(input, "EventBusName"),
        str_of(input, "Name").unwrap_or_default(),
    )?;
    Ok(rule.listed_with(vec![("CreatedBy", rule.created_by.as_str().into())]))
}

pub fn list_rules(region: &Region, input: &Value) -> Result<Out> {
    let bus = region.bus(str_of(input, "EventBusName"))?;
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let rules: Vec<&Rule> = bus
        .rules
        .values()
        .filter(|r| r.name.starts_with(prefix))
        .collect();
    paging::list_response(input, "Limit", "Rules", rules, |r| &r.name, |r| r.listed())
}

pub fn delete_rule(region: &mut Region, input: &Value) -> Result<Out> {
    let bus = region.bus_mut(str_of(input, "EventBusName"))?;
    let name = str_of(input, "Name").unwrap_or_default();
    // Deleting a rule that does not exist succeeds, as in AWS.
    if let Some(rule) = bus.rules.get(name) {
        rule.check_managed(Some(bool_of(input, "Force")))?;
        if !rule.targets.is_empty() {
            return Err(error::rule_has_targets());
        }
        let managed = rule.managed_by.is_some();
        let bus_name = bus.name.clone();
        bus.rules.remove(name);
        bus.sync_rule(name);
        if managed {
            crate::archives::check_rules(region, &bus_name);
        }
    }
    Ok(Obj::new().build())
}

fn set_state(region: &mut Region, input: &Value, state: &str) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    let rule = region.rule_mut(str_of(input, "EventBusName"), name)?;
    rule.check_managed(None)?;
    rule.state = state.to_owned();
    region
        .bus_mut(str_of(input, "EventBusName"))?
        .sync_rule(name);
    Ok(Obj::new().build())
}

pub fn enable_rule(region: &mut Region, input: &Value) -> Result<Out> {
    set_state(region, input, "ENABLED")
}

pub fn disable_rule(region: &mut Region, input: &Value) -> Result<Out> {
    set_state(region, input, "DISABLED")
}
