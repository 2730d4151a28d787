//! Engine errors: an AWS error code and AWS's message. Every message text the engine returns
//! is written here, so wording can be checked against AWS in one place (sources in
//! docs/aws-facts.md).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error {
        code,
        message: message.into(),
    }
}

pub const VALIDATION: &str = "ValidationException";
pub const NOT_FOUND: &str = "ResourceNotFoundException";
pub const ALREADY_EXISTS: &str = "ResourceAlreadyExistsException";
pub const LIMIT_EXCEEDED: &str = "LimitExceededException";
pub const INVALID_PATTERN: &str = "InvalidEventPatternException";
pub const MANAGED_RULE: &str = "ManagedRuleException";
pub const INTERNAL: &str = "InternalException";

/// An error whose code was chosen elsewhere (a module's own AWS error); unknown codes are
/// reported as validation errors.
pub fn from_parts(code: &str, message: String) -> Error {
    let code = match code {
        NOT_FOUND => NOT_FOUND,
        ALREADY_EXISTS => ALREADY_EXISTS,
        LIMIT_EXCEEDED => LIMIT_EXCEEDED,
        INVALID_PATTERN => INVALID_PATTERN,
        MANAGED_RULE => MANAGED_RULE,
        INTERNAL => INTERNAL,
        _ => VALIDATION,
    };
    err(code, message)
}

/// A complete server-side validation message (see `validate::server_side`).
pub fn validation(message: impl Into<String>) -> Error {
    err(VALIDATION, message)
}

pub fn internal(detail: &str) -> Error {
    err(INTERNAL, format!("Internal error: {detail}"))
}

// Event buses.

pub fn bus_not_found(bus: &str) -> Error {
    err(NOT_FOUND, format!("Event bus {bus} does not exist."))
}

pub fn bus_exists(bus: &str) -> Error {
    err(ALREADY_EXISTS, format!("Event bus {bus} already exists."))
}

pub fn cannot_delete_default_bus() -> Error {
    err(VALIDATION, "Cannot delete event bus default.")
}

pub fn bus_name_reserved_prefix() -> Error {
    err(
        VALIDATION,
        "EventBus name starting with 'aws.' is not valid.",
    )
}

pub fn bus_name_with_slash() -> Error {
    err(VALIDATION, "Event bus name must not contain '/'.")
}

pub fn event_source_not_found(source: &str) -> Error {
    err(NOT_FOUND, format!("Event source {source} does not exist."))
}

pub fn too_many_buses() -> Error {
    err(
        LIMIT_EXCEEDED,
        "The requested resource exceeds the maximum number allowed.",
    )
}

// Rules.

pub fn rule_not_found(rule: &str, bus: &str) -> Error {
    err(
        NOT_FOUND,
        format!("Rule {rule} does not exist on EventBus {bus}."),
    )
}

pub fn rule_needs_pattern_or_schedule() -> Error {
    err(
        VALIDATION,
        "Parameter(s) EventPattern or ScheduleExpression must be specified.",
    )
}

pub fn schedule_on_custom_bus() -> Error {
    err(
        VALIDATION,
        "ScheduleExpression is supported only on the default event bus.",
    )
}

pub fn rule_has_targets() -> Error {
    err(VALIDATION, "Rule can't be deleted since it has targets.")
}

/// A managed rule touched by its owner's customer; operations that take `Force` say so.
pub fn managed_rule(rule: &str, takes_force: bool) -> Error {
    let hint = if takes_force {
        " Set 'force' parameter to true to override."
    } else {
        ""
    };
    err(MANAGED_RULE, format!("{rule} is a managed rule.{hint}"))
}

pub fn managed_rule_tags(rule: &str) -> Error {
    err(
        MANAGED_RULE,
        format!("Tag related operations on the managed rule {rule} is not allowed."),
    )
}

/// A target ARN of a service EventBridge has no target configuration for (an archive's own
/// `arn:aws:events:REGION:::` target put by a customer).
pub fn unknown_target_service(arn: &str) -> Error {
    err(
        VALIDATION,
        format!(
            "Parameter {arn} is not valid. Reason: Service as target config for ARN: {arn} not \
             found. The API call hasn't been recognized as managed rules call"
        ),
    )
}

pub fn fifo_target_needs_sqs_parameters(target_id: &str) -> Error {
    err(
        VALIDATION,
        format!("Parameter(s) SqsParameters must be specified for target: {target_id}."),
    )
}

pub fn too_many_rules() -> Error {
    err(
        LIMIT_EXCEEDED,
        "The requested resource exceeds the maximum number allowed.",
    )
}

pub fn invalid_pattern(message: String) -> Error {
    err(INVALID_PATTERN, message)
}

// Targets.

pub fn too_many_targets() -> Error {
    err(
        LIMIT_EXCEEDED,
        "The requested resource exceeds the maximum number allowed.",
    )
}

// Tags.

pub fn too_many_tags() -> Error {
    err(
        LIMIT_EXCEEDED,
        "The requested resource exceeds the maximum number allowed.",
    )
}

/// A TagResource-style ARN that names no rule or bus of the caller.
pub fn resource_arn_not_found(arn: &str) -> Error {
    err(NOT_FOUND, format!("Resource {arn} does not exist."))
}

pub fn invalid_target_arn(arn: &str) -> Error {
    err(
        VALIDATION,
        format!("Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."),
    )
}

// Permissions.

pub fn statement_not_found() -> Error {
    err(NOT_FOUND, "Statement with the provided id does not exist.")
}

pub fn no_policy() -> Error {
    err(NOT_FOUND, "EventBus does not have a policy.")
}

/// PutPermission without a Policy needs these members.
pub fn permission_member_missing(member: &str) -> Error {
    err(VALIDATION, format!("Parameter {member} must be specified."))
}

pub fn invalid_policy() -> Error {
    err(VALIDATION, "This policy contains invalid Json")
}

pub fn condition_needs_any_principal() -> Error {
    err(
        VALIDATION,
        "Value of the parameter 'principal' must be '*' when the parameter 'condition' is set.",
    )
}

pub fn invalid_condition() -> Error {
    err(
        VALIDATION,
        "Condition is not valid. Only Type StringEquals with Key aws:PrincipalOrgID is supported.",
    )
}

pub fn invalid_action() -> Error {
    err(
        VALIDATION,
        "Provided value in parameter 'action' is not supported.",
    )
}

// Events.

pub fn put_events_too_large() -> Error {
    err(
        VALIDATION,
        "Total size of the entries in the request is over the limit.",
    )
}

// Partner event sources (docs/aws-facts-partners-endpoints.md).

pub const INVALID_STATE: &str = "InvalidStateException";

pub fn partner_source_exists(name: &str) -> Error {
    err(
        ALREADY_EXISTS,
        format!("Event source {name} already exists."),
    )
}

/// ActivateEventSource / DeactivateEventSource without a source or its bus.
pub fn source_or_bus_not_found(name: &str) -> Error {
    err(
        NOT_FOUND,
        format!("Event source {name} or event bus {name} does not exist."),
    )
}

pub fn event_source_deleted(name: &str) -> Error {
    err(
        INVALID_STATE,
        format!("Event source {name} is in state DELETED."),
    )
}

pub fn partner_bus_name_mismatch() -> Error {
    err(
        VALIDATION,
        "Event bus name must be the same as the event source name.",
    )
}

/// A PutPartnerEvents entry error (code, message), as in PutEvents.
pub fn entry_member_missing(member: &str) -> Error {
    err(
        "InvalidArgument",
        format!("Parameter {member} is not valid. Reason: {member} is a required argument."),
    )
}

pub fn entry_malformed_detail() -> Error {
    err("MalformedDetail", "Detail is malformed.")
}

pub fn entry_not_authorized_for_source() -> Error {
    err(
        "NotAuthorizedForSourceException",
        "Not authorized for the source.",
    )
}

// Global endpoints.

pub fn endpoint_exists(name: &str) -> Error {
    err(ALREADY_EXISTS, format!("Endpoint {name} already exists."))
}

pub fn endpoint_not_found(name: &str) -> Error {
    err(NOT_FOUND, format!("Endpoint {name} does not exist."))
}

pub fn endpoint_id_not_found(id: &str) -> Error {
    err(NOT_FOUND, format!("Endpoint with id {id} does not exist."))
}

pub fn endpoint_buses_same_region() -> Error {
    err(
        VALIDATION,
        "Parameter EventBuses is not valid. Reason: Event buses must be in different Regions.",
    )
}

pub fn endpoint_buses_different_names() -> Error {
    err(
        VALIDATION,
        "Parameter EventBuses is not valid. Reason: Event bus names must be identical in each Region.",
    )
}

pub fn endpoint_buses_other_account() -> Error {
    err(
        VALIDATION,
        "Parameter EventBuses is not valid. Reason: Event buses must belong to the caller's account.",
    )
}

pub fn endpoint_route_not_a_bus_region(route: &str) -> Error {
    err(
        VALIDATION,
        format!(
            "Parameter RoutingConfig.FailoverConfig.Secondary.Route is not valid. Reason: Region {route} is not the Region of one of the event buses."
        ),
    )
}

pub fn endpoint_replication_needs_role() -> Error {
    err(
        VALIDATION,
        "Parameter RoleArn is not valid. Reason: RoleArn is required when event replication is enabled.",
    )
}

// Archives and replays (docs/aws-facts-events.md §5–6).

pub const ILLEGAL_STATUS: &str = "IllegalStatusException";

pub fn archive_exists(archive: &str) -> Error {
    err(ALREADY_EXISTS, format!("Archive {archive} already exists."))
}

pub fn archive_not_found(archive: &str) -> Error {
    err(NOT_FOUND, format!("Archive {archive} does not exist."))
}

pub fn archive_source_not_a_bus() -> Error {
    err(
        VALIDATION,
        "Parameter EventSourceArn is not valid. Reason: Must contain an event bus ARN.",
    )
}

/// CreateArchive on a bus of another `scope`: `partition`, `region` or `account`.
pub fn cross_scope_archive(scope: &str) -> Error {
    err(
        VALIDATION,
        format!(
            "Parameter EventSourceArn is not valid. Reason: Creating cross-{scope} archive is not permitted."
        ),
    )
}

/// CreateArchive when the bus already has a rule with the name of the archive's rule.
pub fn archive_rule_taken(rule: &str) -> Error {
    err(
        ALREADY_EXISTS,
        format!(
            "A rule with the pattern '{rule}' already exists. Please choose a different archive \
             name or delete your rule, then, try again."
        ),
    )
}

/// UpdateArchive of an archive whose managed rule cannot be restored (its bus is gone).
pub fn archive_rule_missing(archive: &str) -> Error {
    err(
        NOT_FOUND,
        format!("Archive {archive} managed rule does not exist."),
    )
}

pub fn archive_update_needs_a_member() -> Error {
    err(
        VALIDATION,
        "At least one of EventPattern, RetentionDays or Description must be provided.",
    )
}

/// ListArchives and ListReplays with more than one of their filters.
pub fn too_many_list_filters(operation: &str) -> Error {
    err(
        VALIDATION,
        format!(
            "At most one filter is allowed for {operation}. \
             Use either : State, EventSourceArn, or NamePrefix."
        ),
    )
}

pub fn replay_archive_not_found(archive: &str) -> Error {
    err(
        VALIDATION,
        format!("Parameter EventSourceArn is not valid. Reason: Archive {archive} does not exist."),
    )
}

pub fn replay_destination_not_a_bus() -> Error {
    err(
        VALIDATION,
        "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.",
    )
}

pub fn cross_bus_replay() -> Error {
    err(
        VALIDATION,
        "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    )
}

pub fn replay_end_not_after_start() -> Error {
    err(
        VALIDATION,
        "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    )
}

pub fn replay_exists(replay: &str) -> Error {
    err(ALREADY_EXISTS, format!("Replay {replay} already exists."))
}

pub fn replay_not_found(replay: &str) -> Error {
    err(NOT_FOUND, format!("Replay {replay} does not exist."))
}

pub fn replay_not_cancellable(replay: &str) -> Error {
    err(
        ILLEGAL_STATUS,
        format!("Replay {replay} is not in a valid state for this operation."),
    )
}

pub fn too_many_active_replays() -> Error {
    err(
        LIMIT_EXCEEDED,
        "The requested resource exceeds the maximum number allowed.",
    )
}

// Connections (docs/aws-facts-connections.md; guessed texts in docs/decisions.md).

pub fn connection_not_found(name: &str) -> Error {
    err(
        NOT_FOUND,
        format!("Failed to describe the connection(s). Connection '{name}' does not exist."),
    )
}

pub fn connection_exists(name: &str) -> Error {
    err(
        ALREADY_EXISTS,
        format!("Failed to create the connection(s). Connection '{name}' already exists."),
    )
}

/// AuthParameters with more than one of its three authorization blocks.
pub fn connection_auth_blocks(verb: &str) -> Error {
    err(
        VALIDATION,
        format!(
            "Failed to {verb} the connection(s). Only one of BasicAuthParameters, \
             OAuthParameters or ApiKeyAuthParameters may be specified."
        ),
    )
}

/// AuthParameters without the block its AuthorizationType needs, or with another one.
pub fn connection_auth_mismatch(verb: &str, block: &str, authorization_type: &str) -> Error {
    err(
        VALIDATION,
        format!(
            "Failed to {verb} the connection(s). Parameter {block} must be specified for \
             AuthorizationType {authorization_type}."
        ),
    )
}

/// An authorization block that lacks members once an update is applied.
pub fn connection_auth_incomplete(verb: &str, missing: &[String]) -> Error {
    err(
        VALIDATION,
        format!(
            "Failed to {verb} the connection(s). Parameter(s) {} must be specified.",
            missing.join(", ")
        ),
    )
}

// API destinations.

pub fn api_destination_not_found(verb: &str, name: &str) -> Error {
    err(
        NOT_FOUND,
        format!(
            "Failed to {verb} the api-destination(s). An api-destination '{name}' does not exist."
        ),
    )
}

pub fn api_destination_exists(name: &str) -> Error {
    err(
        ALREADY_EXISTS,
        format!(
            "Failed to create the api-destination(s). An api-destination '{name}' already exists."
        ),
    )
}

pub fn api_destination_connection_not_found(verb: &str, connection_arn: &str) -> Error {
    err(
        NOT_FOUND,
        format!(
            "Failed to {verb} the api-destination(s). Connection '{connection_arn}' does not exist."
        ),
    )
}

// The JSON protocol (docs/aws-facts.md §8.1): requests that never reach an operation.

pub const SERIALIZATION: &str = "SerializationException";
pub const UNKNOWN_OPERATION: &str = "UnknownOperationException";

/// A body that is not JSON: AWS answers without a message.
pub fn malformed_json() -> Error {
    err(SERIALIZATION, "")
}

/// A scalar of the wrong kind, e.g. `STRING_VALUE can not be converted to an Integer`.
pub fn cannot_convert(token: &str, java_type: &str) -> Error {
    err(
        SERIALIZATION,
        format!("{token} can not be converted to an {java_type}"),
    )
}

/// A JSON object where the model has a scalar or a list.
pub fn unexpected_structure() -> Error {
    err(
        SERIALIZATION,
        "Start of structure or map found where not expected.",
    )
}

/// A JSON array where the model has a scalar or a structure.
pub fn unexpected_list() -> Error {
    err(SERIALIZATION, "Start of list found where not expected.")
}

/// A scalar where the model has a structure, a map or a list.
pub fn expected_container() -> Error {
    err(SERIALIZATION, "Expected null")
}

/// An `X-Amz-Target` naming no operation: AWS answers without a message.
pub fn unknown_operation() -> Error {
    err(UNKNOWN_OPERATION, "")
}

// Pagination.

pub fn invalid_next_token() -> Error {
    err(VALIDATION, "The NextToken provided is invalid.")
}
