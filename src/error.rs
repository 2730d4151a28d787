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

pub fn managed_rule(rule: &str) -> Error {
    err(
        MANAGED_RULE,
        format!("{rule} is a managed rule. Set 'force' parameter to true to override."),
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

// Pagination.

pub fn invalid_next_token() -> Error {
    err(VALIDATION, "The NextToken provided is invalid.")
}
