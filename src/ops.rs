//! One entry point for every operation: the service's own validation, then the operation.

use crate::error::{self, Error, Result};
use crate::model::Model;
use crate::request::Out;
use crate::state::{Backend, Ctx, Region};
use crate::{buses, events, permissions, rules, tags, targets, validate};
use parking_lot::Mutex;
use serde_json::Value;

/// Runs `operation` (its name in the model, e.g. `PutRule`) for `ctx` with an input that has
/// already passed botocore's client-side checks.
pub fn call(
    model: &Model,
    backend: &Backend,
    ctx: &Ctx,
    operation: &str,
    input: &Value,
) -> Result<Out> {
    call_in(model, backend, &backend.region(ctx), operation, input)
}

/// `call`, for a caller that keeps its region's handle (see `Backend::region`).
pub fn call_in(
    model: &Model,
    backend: &Backend,
    region: &Mutex<Region>,
    operation: &str,
    input: &Value,
) -> Result<Out> {
    let op = model
        .operation(operation)
        .ok_or_else(|| error::internal(&format!("unknown operation {operation}")))?;
    if let Some(shape) = op.input {
        validate::server_side(model, shape, input).map_err(error::validation)?;
    }
    let now = backend.clock.now();
    // PutEvents routes across buses, regions and accounts: it takes locks itself.
    if operation == "PutEvents" {
        let ctx = region.lock().ctx.clone();
        return events::put_events(backend, &ctx, input, now);
    }
    let mut r = region.lock();
    match operation {
        "CreateEventBus" => buses::create_event_bus(&mut r, input, now),
        "DescribeEventBus" => buses::describe_event_bus(&r, input),
        "ListEventBuses" => buses::list_event_buses(&r, input),
        "DeleteEventBus" => buses::delete_event_bus(&mut r, input),
        "PutRule" => rules::put_rule(&mut r, input),
        "DescribeRule" => rules::describe_rule(&r, input),
        "ListRules" => rules::list_rules(&r, input),
        "DeleteRule" => rules::delete_rule(&mut r, input),
        "EnableRule" => rules::enable_rule(&mut r, input),
        "DisableRule" => rules::disable_rule(&mut r, input),
        "TestEventPattern" => rules::test_event_pattern(input),
        "PutTargets" => targets::put_targets(&mut r, input),
        "RemoveTargets" => targets::remove_targets(&mut r, input),
        "ListTargetsByRule" => targets::list_targets_by_rule(&r, input),
        "ListRuleNamesByTarget" => targets::list_rule_names_by_target(&r, input),
        "TagResource" => tags::tag_resource(&mut r, input),
        "UntagResource" => tags::untag_resource(&mut r, input),
        "ListTagsForResource" => tags::list_tags_for_resource(&mut r, input),
        "PutPermission" => permissions::put_permission(&mut r, input, now),
        "RemovePermission" => permissions::remove_permission(&mut r, input, now),
        other => Err(not_implemented(other)),
    }
}

/// The code the binding turns into Python's NotImplementedError.
pub const NOT_IMPLEMENTED: &str = "NotImplemented";

fn not_implemented(operation: &str) -> Error {
    Error {
        code: NOT_IMPLEMENTED,
        message: format!("{operation} is not implemented by eventbridge-mock yet"),
    }
}
