//! Rules: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule.

use crate::arn;
use crate::error::{self, Result};
use crate::paging;
use crate::pattern::Pattern;
use crate::request::{bool_of, int_of, list_of, str_of, Obj, Out};
use crate::schedule::Schedule;
use crate::state::Region;
use crate::tags::Tags;
use serde_json::Value;

/// AWS's default quota of rules per event bus.
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

    /// A managed rule may only be changed with `Force`.
    pub fn check_managed(&self, force: bool) -> Result<()> {
        match &self.managed_by {
            Some(_) if !force => Err(error::managed_rule(&self.name)),
            _ => Ok(()),
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
        bus.rules
            .get_mut(name)
            .ok_or_else(|| error::rule_not_found(name, &bus_name))
    }
}

/// Compiles an EventPattern member, with AWS's error for an invalid one.
pub fn compile_pattern(text: Option<&str>) -> Result<Option<Pattern>> {
    text.map(|t| Pattern::parse(t).map_err(|e| error::invalid_pattern(e.message())))
        .transpose()
}

/// TestEventPattern: the pattern is checked first, then the event.
pub fn test_event_pattern(input: &Value) -> Result<Out> {
    let pattern = compile_pattern(str_of(input, "EventPattern"))?;
    let event = crate::pattern::validate_test_event(str_of(input, "Event").unwrap_or_default())
        .map_err(error::validation)?;
    let result = pattern.is_some_and(|p| p.matches_value(&event));
    Ok(Obj::new().put("Result", result).build())
}

pub fn put_rule(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    let pattern = compile_pattern(str_of(input, "EventPattern"))?;
    let schedule = str_of(input, "ScheduleExpression");
    if pattern.is_none() && schedule.is_none() {
        return Err(error::rule_needs_pattern_or_schedule());
    }
    let parsed = schedule
        .map(|expr| Schedule::parse(expr).map_err(|e| error::validation(e.message())))
        .transpose()?;
    let ctx = region.ctx.clone();
    let bus = region.bus_mut(str_of(input, "EventBusName"))?;
    if schedule.is_some() && bus.name != "default" {
        return Err(error::schedule_on_custom_bus());
    }
    if let Some(old) = bus.rules.get(name) {
        old.check_managed(false)?;
    } else if bus.rules.len() >= MAX_RULES_PER_BUS {
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
    Ok(rule
        .summary()
        .put("CreatedBy", rule.created_by.as_str())
        .build())
}

pub fn list_rules(region: &Region, input: &Value) -> Result<Out> {
    let bus = region.bus(str_of(input, "EventBusName"))?;
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let rules: Vec<&Rule> = bus
        .rules
        .values()
        .filter(|r| r.name.starts_with(prefix))
        .collect();
    let (page, next) = paging::page(
        rules,
        |r| &r.name,
        int_of(input, "Limit"),
        str_of(input, "NextToken"),
    )?;
    let items: Vec<Out> = page.iter().map(|r| r.summary().build()).collect();
    Ok(Obj::new()
        .put("Rules", items)
        .opt("NextToken", next)
        .build())
}

pub fn delete_rule(region: &mut Region, input: &Value) -> Result<Out> {
    let bus = region.bus_mut(str_of(input, "EventBusName"))?;
    let name = str_of(input, "Name").unwrap_or_default();
    // Deleting a rule that does not exist succeeds, as in AWS.
    if let Some(rule) = bus.rules.get(name) {
        rule.check_managed(bool_of(input, "Force"))?;
        if !rule.targets.is_empty() {
            return Err(error::rule_has_targets());
        }
        bus.rules.remove(name);
        bus.sync_rule(name);
    }
    Ok(Obj::new().build())
}

fn set_state(region: &mut Region, input: &Value, state: &str) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    let rule = region.rule_mut(str_of(input, "EventBusName"), name)?;
    rule.check_managed(false)?;
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
