//! API destinations: CreateApiDestination, DescribeApiDestination, ListApiDestinations,
//! UpdateApiDestination, DeleteApiDestination.

use crate::connections::AUTHORIZED;
use crate::error::{self, Result};
use crate::paging;
use crate::request::{int_of, str_of, Obj, Out};
use crate::state::Region;
use serde_json::Value;

/// AWS's rate when a call gives none (and its default quota).
pub const DEFAULT_RATE_PER_SECOND: i64 = 300;

#[derive(Debug)]
pub struct ApiDestination {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub connection_arn: String,
    pub invocation_endpoint: String,
    pub http_method: String,
    pub invocation_rate_limit_per_second: i64,
    pub creation_time: f64,
    pub last_modified_time: f64,
}

impl Region {
    /// ACTIVE while its connection exists and is authorized; INACTIVE otherwise.
    pub fn api_destination_state(&self, d: &ApiDestination) -> &'static str {
        match self.connection_by_arn(&d.connection_arn) {
            Some(c) if c.state == AUTHORIZED => "ACTIVE",
            _ => "INACTIVE",
        }
    }

    fn api_destination(&self, name: &str, verb: &str) -> Result<&ApiDestination> {
        self.api_destinations
            .get(name)
            .ok_or_else(|| error::api_destination_not_found(verb, name))
    }

    /// The ConnectionArn member of a create or update: the connection must exist here.
    fn check_connection(&self, arn: &str, verb: &str) -> Result<()> {
        match self.connection_by_arn(arn) {
            Some(_) => Ok(()),
            None => Err(error::api_destination_connection_not_found(verb, arn)),
        }
    }

    /// The members ListApiDestinations and DescribeApiDestination share.
    fn api_destination_summary(&self, d: &ApiDestination) -> Obj {
        Obj::new()
            .put("ApiDestinationArn", d.arn.as_str())
            .put("Name", d.name.as_str())
            .put("ApiDestinationState", self.api_destination_state(d))
            .put("ConnectionArn", d.connection_arn.as_str())
            .put("InvocationEndpoint", d.invocation_endpoint.as_str())
            .put("HttpMethod", d.http_method.as_str())
            .put(
                "InvocationRateLimitPerSecond",
                d.invocation_rate_limit_per_second,
            )
            .time("CreationTime", d.creation_time)
            .time("LastModifiedTime", d.last_modified_time)
    }

    /// What Create- and UpdateApiDestination return.
    fn api_destination_status(&self, d: &ApiDestination) -> Out {
        Obj::new()
            .put("ApiDestinationArn", d.arn.as_str())
            .put("ApiDestinationState", self.api_destination_state(d))
            .time("CreationTime", d.creation_time)
            .time("LastModifiedTime", d.last_modified_time)
            .build()
    }
}

pub fn create_api_destination(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    let connection_arn = str_of(input, "ConnectionArn").unwrap_or_default();
    if region.api_destinations.contains_key(name) {
        return Err(error::api_destination_exists(name));
    }
    region.check_connection(connection_arn, "create")?;
    let d = ApiDestination {
        name: name.to_owned(),
        arn: region
            .ctx
            .arn(&format!("api-destination/{name}/{}", uuid::Uuid::new_v4())),
        description: str_of(input, "Description").map(str::to_owned),
        connection_arn: connection_arn.to_owned(),
        invocation_endpoint: str_of(input, "InvocationEndpoint")
            .unwrap_or_default()
            .to_owned(),
        http_method: str_of(input, "HttpMethod").unwrap_or_default().to_owned(),
        invocation_rate_limit_per_second: int_of(input, "InvocationRateLimitPerSecond")
            .unwrap_or(DEFAULT_RATE_PER_SECOND),
        creation_time: now,
        last_modified_time: now,
    };
    let out = region.api_destination_status(&d);
    region.api_destinations.insert(name.to_owned(), d);
    Ok(out)
}

pub fn describe_api_destination(region: &Region, input: &Value) -> Result<Out> {
    let d = region.api_destination(str_of(input, "Name").unwrap_or_default(), "describe")?;
    Ok(region
        .api_destination_summary(d)
        .opt("Description", d.description.as_deref())
        .build())
}

pub fn list_api_destinations(region: &Region, input: &Value) -> Result<Out> {
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let connection = str_of(input, "ConnectionArn");
    let all: Vec<&ApiDestination> = region
        .api_destinations
        .values()
        .filter(|d| d.name.starts_with(prefix) && connection.is_none_or(|c| c == d.connection_arn))
        .collect();
    // List items carry no Description (docs/aws-facts-connections.md).
    paging::list_response(
        input,
        "Limit",
        "ApiDestinations",
        all,
        |d| &d.name,
        |d| region.api_destination_summary(d).build(),
    )
}

pub fn update_api_destination(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    region.api_destination(name, "update")?;
    if let Some(arn) = str_of(input, "ConnectionArn") {
        region.check_connection(arn, "update")?;
    }
    let d = region
        .api_destinations
        .get_mut(name)
        .expect("checked above");
    if let Some(v) = str_of(input, "Description") {
        d.description = Some(v.to_owned());
    }
    if let Some(v) = str_of(input, "ConnectionArn") {
        d.connection_arn = v.to_owned();
    }
    if let Some(v) = str_of(input, "InvocationEndpoint") {
        d.invocation_endpoint = v.to_owned();
    }
    if let Some(v) = str_of(input, "HttpMethod") {
        d.http_method = v.to_owned();
    }
    if let Some(v) = int_of(input, "InvocationRateLimitPerSecond") {
        d.invocation_rate_limit_per_second = v;
    }
    d.last_modified_time = now;
    let d = &region.api_destinations[name];
    Ok(region.api_destination_status(d))
}

pub fn delete_api_destination(region: &mut Region, input: &Value) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    region.api_destination(name, "delete")?;
    region.api_destinations.remove(name);
    Ok(Obj::new().build())
}
