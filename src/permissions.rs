//! The resource policy of an event bus: PutPermission and RemovePermission.
//! DescribeEventBus returns the document as AWS builds it (docs/aws-facts.md §6).

use crate::error::{self, Result};
use crate::request::{bool_of, str_of, Obj, Out};
use crate::state::{partition, Region};
use serde_json::{json, Value};

fn statements(policy: &mut Option<Value>) -> &mut Vec<Value> {
    let doc = policy.get_or_insert_with(|| json!({"Version": "2012-10-17", "Statement": []}));
    if !doc.get("Statement").is_some_and(Value::is_array) {
        doc["Statement"] = Value::Array(Vec::new());
    }
    match doc.get_mut("Statement") {
        Some(Value::Array(a)) => a,
        _ => unreachable!("Statement was just made an array"),
    }
}

/// The statement PutPermission adds for one principal.
fn statement(input: &Value, resource: &str, region: &str) -> Result<Value> {
    let member =
        |name: &str| str_of(input, name).ok_or_else(|| error::permission_member_missing(name));
    let action = member("Action")?;
    let principal = member("Principal")?;
    let sid = member("StatementId")?;
    if action != "events:PutEvents" {
        return Err(error::invalid_action());
    }
    let principal_value = if principal == "*" {
        json!("*")
    } else {
        json!({"AWS": format!("arn:{}:iam::{principal}:root", partition(region))})
    };
    let mut st = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal_value,
        "Action": action,
        "Resource": resource,
    });
    if let Some(cond) = input.get("Condition") {
        if principal != "*" {
            return Err(error::condition_needs_any_principal());
        }
        let (t, k) = (str_of(cond, "Type"), str_of(cond, "Key"));
        if t != Some("StringEquals") || k != Some("aws:PrincipalOrgID") {
            return Err(error::invalid_condition());
        }
        st["Condition"] = json!({"StringEquals": {"aws:PrincipalOrgID": str_of(cond, "Value").unwrap_or_default()}});
    }
    Ok(st)
}

pub fn put_permission(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let region_name = region.ctx.region.clone();
    let bus = region.bus_mut(str_of(input, "EventBusName"))?;
    if let Some(text) = str_of(input, "Policy") {
        // A whole policy replaces every statement; AWS does not restrict its contents.
        let doc: Value = serde_json::from_str(text).map_err(|_| error::invalid_policy())?;
        if !doc.is_object() {
            return Err(error::invalid_policy());
        }
        bus.policy = Some(doc);
    } else {
        let st = statement(input, &bus.arn, &region_name)?;
        let list = statements(&mut bus.policy);
        // A statement with the same Sid is replaced in place.
        match list.iter_mut().find(|s| s.get("Sid") == st.get("Sid")) {
            Some(slot) => *slot = st,
            None => list.push(st),
        }
    }
    bus.last_modified_time = now;
    Ok(Obj::new().build())
}

pub fn remove_permission(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let bus = region.bus_mut(str_of(input, "EventBusName"))?;
    if bool_of(input, "RemoveAllPermissions") {
        if bus.policy.take().is_none() {
            return Err(error::no_policy());
        }
    } else {
        let sid = str_of(input, "StatementId").ok_or_else(error::statement_not_found)?;
        let list = match bus.policy.as_mut().and_then(|p| p.get_mut("Statement")) {
            Some(Value::Array(a)) => a,
            _ => return Err(error::statement_not_found()),
        };
        let before = list.len();
        list.retain(|s| s.get("Sid").and_then(Value::as_str) != Some(sid));
        if list.len() == before {
            return Err(error::statement_not_found());
        }
        if list.is_empty() {
            bus.policy = None;
        }
    }
    bus.last_modified_time = now;
    Ok(Obj::new().build())
}
