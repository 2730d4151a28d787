//! Targets: PutTargets, ListTargetsByRule, RemoveTargets, ListRuleNamesByTarget.

use crate::error::{self, Result};
use crate::paging;
use crate::request::{bool_of, list_of, str_of, Obj, Out};
use crate::state::Region;
use serde_json::Value;

/// AWS's quota of targets per rule.
pub const MAX_TARGETS_PER_RULE: usize = 5;

fn id_of(target: &Value) -> &str {
    str_of(target, "Id").unwrap_or_default()
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, the general shape AWS requires of a
/// target's Arn.
fn is_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && !parts[2].is_empty()
        && !parts[5].is_empty()
}

/// `arn:PARTITION:events:REGION:::`, the archive service's target on an archive's managed
/// rule, which AWS refuses from PutTargets.
fn is_archive_target(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 7 && parts[0] == "arn" && parts[2] == "events" && parts[4..] == ["", "", ""]
}

/// An SQS FIFO queue: its name ends with `.fifo`.
fn is_fifo_queue(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6 && parts[2] == "sqs" && parts[5].ends_with(".fifo")
}

fn result(failed: Vec<Out>) -> Out {
    Obj::new()
        .put("FailedEntryCount", failed.len())
        .put("FailedEntries", failed)
        .build()
}

pub fn put_targets(region: &mut Region, input: &Value) -> Result<Out> {
    let new = list_of(input, "Targets");
    for (i, t) in new.iter().enumerate() {
        let arn = str_of(t, "Arn").unwrap_or_default();
        if is_archive_target(arn) {
            return Err(error::unknown_target_service(arn));
        }
        if !is_arn(arn) {
            return Err(error::invalid_target_arn(arn));
        }
        if is_fifo_queue(arn) && t.get("SqsParameters").is_none_or(Value::is_null) {
            return Err(error::fifo_target_needs_sqs_parameters(id_of(t)));
        }
        crate::transform::validate_target_at(t, i + 1)
            .map_err(|(code, message)| error::from_parts(&code, message))?;
    }
    let rule = region.rule_mut(
        str_of(input, "EventBusName"),
        str_of(input, "Rule").unwrap_or_default(),
    )?;
    rule.check_managed(None)?;
    let mut targets = rule.targets.clone();
    for t in new {
        // A target Id already on the rule (or earlier in this call) is updated in place.
        match targets.iter_mut().find(|old| id_of(old) == id_of(t)) {
            Some(slot) => *slot = t.clone(),
            None => targets.push(t.clone()),
        }
    }
    if targets.len() > MAX_TARGETS_PER_RULE {
        return Err(error::too_many_targets());
    }
    rule.targets = targets;
    Ok(result(Vec::new()))
}

pub fn remove_targets(region: &mut Region, input: &Value) -> Result<Out> {
    let rule = region.rule_mut(
        str_of(input, "EventBusName"),
        str_of(input, "Rule").unwrap_or_default(),
    )?;
    rule.check_managed(Some(bool_of(input, "Force")))?;
    let ids = list_of(input, "Ids");
    // Ids the rule does not have are ignored, as AWS ignores them.
    rule.targets
        .retain(|t| !ids.iter().any(|id| id.as_str() == Some(id_of(t))));
    if rule.managed_by.is_some() {
        // An archive whose rule lost its target stops archiving.
        let bus = rule.bus.clone();
        crate::archives::check_rules(region, &bus);
    }
    Ok(result(Vec::new()))
}

pub fn list_targets_by_rule(region: &Region, input: &Value) -> Result<Out> {
    let rule = region.rule(
        str_of(input, "EventBusName"),
        str_of(input, "Rule").unwrap_or_default(),
    )?;
    let mut targets: Vec<&Value> = rule.targets.iter().collect();
    targets.sort_by(|a, b| id_of(a).cmp(id_of(b)));
    paging::list_response(
        input,
        "Limit",
        "Targets",
        targets,
        |t| id_of(t),
        |t| Out::from(*t),
    )
}

pub fn list_rule_names_by_target(region: &Region, input: &Value) -> Result<Out> {
    let bus = region.bus(str_of(input, "EventBusName"))?;
    let arn = str_of(input, "TargetArn").unwrap_or_default();
    let names: Vec<&str> = bus
        .rules
        .values()
        .filter(|r| r.targets.iter().any(|t| str_of(t, "Arn") == Some(arn)))
        .map(|r| r.name.as_str())
        .collect();
    paging::list_response(input, "Limit", "RuleNames", names, |n| n, |n| Out::from(*n))
}

#[cfg(test)]
mod tests {
    use super::{is_archive_target, is_arn, is_fifo_queue};

    #[test]
    fn recognises_archive_targets_and_fifo_queues() {
        assert!(is_archive_target("arn:aws:events:us-east-1:::"));
        assert!(!is_archive_target(
            "arn:aws:events:us-east-1:123456789012:event-bus/b"
        ));
        assert!(is_fifo_queue("arn:aws:sqs:us-east-1:123456789012:q.fifo"));
        assert!(!is_fifo_queue("arn:aws:sqs:us-east-1:123456789012:q"));
        assert!(!is_fifo_queue("arn:aws:sns:us-east-1:123456789012:t.fifo"));
    }

    #[test]
    fn recognises_arns() {
        assert!(is_arn("arn:aws:sqs:us-east-1:123456789012:q"));
        assert!(is_arn("arn:aws:lambda:us-east-1:123456789012:function:f"));
        assert!(is_arn("arn:aws:s3:::bucket"));
        assert!(!is_arn("not-an-arn"));
        assert!(!is_arn("arn:aws:sqs"));
    }
}
