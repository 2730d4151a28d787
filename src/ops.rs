//! One entry point for every operation: the service's own validation, then the operation.

use crate::error::{self, Error, Result};
use crate::model::Model;
use crate::request::Out;
use crate::state::{Backend, Ctx, Region};
use crate::{
    api_destinations, archives, buses, connections, endpoints, events, partners, permissions,
    replays, rules, scheduler, tags, targets, validate,
};
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
    run(backend, region, operation, input)
}

/// Runs `operation` on an input that has passed the service's checks already
/// (`validate::server_side`, or `validate::wire_side` for a request over HTTP).
pub fn run(
    backend: &Backend,
    region: &Mutex<Region>,
    operation: &str,
    input: &Value,
) -> Result<Out> {
    let now = backend.clock.now();
    // Time has moved since the last call: scheduled rules due meanwhile fire first.
    scheduler::advance(backend, now);
    // Replays started earlier run now; CancelReplay is the one call that can still find
    // them STARTING (docs/decisions.md).
    if operation != "CancelReplay" {
        replays::run_pending(backend, now);
    }
    if operation == "PutRule" && input.get("ScheduleExpression").is_some() {
        backend.note_schedule();
    }
    // PutEvents routes across buses, regions and accounts: it takes locks itself.
    if operation == "PutEvents" {
        let ctx = region.lock().ctx.clone();
        return events::put_events(backend, &ctx, input, now);
    }
    if operation == "StartReplay" {
        let out = replays::start_replay(&mut region.lock(), input, now)?;
        backend.note_pending_replay();
        return Ok(out);
    }
    // Partner event sources and global endpoints reach into other accounts and regions.
    let global: Option<GlobalOp> = match operation {
        "CreatePartnerEventSource" => Some(partners::create_partner_event_source),
        "DeletePartnerEventSource" => {
            Some(|b, c, i, _| partners::delete_partner_event_source(b, c, i))
        }
        "ListPartnerEventSourceAccounts" => {
            Some(|b, c, i, _| partners::list_partner_event_source_accounts(b, c, i))
        }
        "PutPartnerEvents" => Some(partners::put_partner_events),
        "DescribeEndpoint" => Some(|b, c, i, _| endpoints::describe_endpoint(b, c, i)),
        "ListEndpoints" => Some(|b, c, i, _| endpoints::list_endpoints(b, c, i)),
        _ => None,
    };
    if let Some(f) = global {
        let ctx = region.lock().ctx.clone();
        return f(backend, &ctx, input, now);
    }
    let mut r = region.lock();
    match operation {
        "DescribePartnerEventSource" => partners::describe_partner_event_source(&r, input),
        "ListPartnerEventSources" => partners::list_partner_event_sources(&r, input),
        "DescribeEventSource" => partners::describe_event_source(&r, input),
        "ListEventSources" => partners::list_event_sources(&r, input),
        "ActivateEventSource" => partners::activate_event_source(&mut r, input),
        "DeactivateEventSource" => partners::deactivate_event_source(&mut r, input),
        "CreateEndpoint" => endpoints::create_endpoint(&mut r, input, now),
        "UpdateEndpoint" => endpoints::update_endpoint(&mut r, input, now),
        "DeleteEndpoint" => endpoints::delete_endpoint(&mut r, input),
        "UpdateEventBus" => buses::update_event_bus(&mut r, input, now),
        "CreateEventBus" => buses::create_event_bus(&mut r, input, now),
        "DescribeEventBus" => buses::describe_event_bus(&r, input),
        "ListEventBuses" => buses::list_event_buses(&r, input),
        "DeleteEventBus" => buses::delete_event_bus(&mut r, input),
        "PutRule" => rules::put_rule(&mut r, input, now, backend.quotas.rules_per_bus()),
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
        "CreateArchive" => archives::create_archive(&mut r, input, now),
        "DescribeArchive" => archives::describe_archive(&mut r, input, now),
        "ListArchives" => archives::list_archives(&mut r, input, now),
        "UpdateArchive" => archives::update_archive(&mut r, input),
        "DeleteArchive" => archives::delete_archive(&mut r, input),
        "DescribeReplay" => replays::describe_replay(&r, input),
        "ListReplays" => replays::list_replays(&r, input),
        "CancelReplay" => replays::cancel_replay(&mut r, input),
        "CreateConnection" => connections::create_connection(&mut r, input, now),
        "DescribeConnection" => connections::describe_connection(&r, input),
        "ListConnections" => connections::list_connections(&r, input),
        "UpdateConnection" => connections::update_connection(&mut r, input, now),
        "DeleteConnection" => connections::delete_connection(&mut r, input, now),
        "DeauthorizeConnection" => connections::deauthorize_connection(&mut r, input, now),
        "CreateApiDestination" => api_destinations::create_api_destination(&mut r, input, now),
        "DescribeApiDestination" => api_destinations::describe_api_destination(&r, input),
        "ListApiDestinations" => api_destinations::list_api_destinations(&r, input),
        "UpdateApiDestination" => api_destinations::update_api_destination(&mut r, input, now),
        "DeleteApiDestination" => api_destinations::delete_api_destination(&mut r, input),
        other => Err(not_implemented(other)),
    }
}

/// An operation that takes the locks it needs itself (see `call_in`).
type GlobalOp = fn(&Backend, &Ctx, &Value, f64) -> Result<Out>;

/// The code the binding turns into Python's NotImplementedError.
pub const NOT_IMPLEMENTED: &str = "NotImplemented";

fn not_implemented(operation: &str) -> Error {
    Error {
        code: NOT_IMPLEMENTED,
        message: format!("{operation} is not implemented by eventbridge-mock yet"),
    }
}
