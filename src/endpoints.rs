//! Global endpoints: CreateEndpoint, DescribeEndpoint, ListEndpoints, UpdateEndpoint,
//! DeleteEndpoint, and the routing of PutEvents calls made with an EndpointId.
//!
//! An endpoint lives in the region it was created in (its home region) and names two
//! event buses of the same name in two regions; `RoutingConfig` names the secondary region,
//! so the other bus is the primary one. Facts and guesses:
//! docs/aws-facts-partners-endpoints.md.

use crate::arn;
use crate::error::{self, Result};
use crate::paging;
use crate::request::{list_of, str_of, Obj, Out};
use crate::state::{Backend, Ctx, Region};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub routing_config: Value,
    pub replication_config: Value,
    pub event_buses: Value,
    pub role_arn: Option<String>,
    pub endpoint_id: String,
    pub endpoint_url: String,
    pub state: &'static str,
    pub creation_time: f64,
    pub last_modified_time: f64,
}

impl Endpoint {
    fn secondary_region(&self) -> &str {
        self.routing_config
            .pointer("/FailoverConfig/Secondary/Route")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    fn replication_enabled(&self) -> bool {
        replication_enabled(&self.replication_config)
    }

    /// The regions of the endpoint's two buses (account, region), primary first.
    fn bus_regions(&self) -> Vec<Ctx> {
        let mut out: Vec<Ctx> = bus_arns(&self.event_buses)
            .filter_map(arn::parse)
            .map(|a| Ctx::new(a.account, a.region))
            .collect();
        let secondary = self.secondary_region().to_owned();
        out.sort_by_key(|c| c.region == secondary);
        out
    }

    fn to_out(&self) -> Out {
        Obj::new()
            .put("Name", self.name.as_str())
            .opt("Description", self.description.as_deref())
            .put("Arn", self.arn.as_str())
            .put("RoutingConfig", &self.routing_config)
            .put("ReplicationConfig", &self.replication_config)
            .put("EventBuses", &self.event_buses)
            .opt("RoleArn", self.role_arn.as_deref())
            .put("EndpointId", self.endpoint_id.as_str())
            .put("EndpointUrl", self.endpoint_url.as_str())
            .put("State", self.state)
            .time("CreationTime", self.creation_time)
            .time("LastModifiedTime", self.last_modified_time)
            .build()
    }
}

fn bus_arns(buses: &Value) -> impl Iterator<Item = &str> {
    buses
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter_map(|b| str_of(b, "EventBusArn"))
}

/// Replication is ENABLED unless the config says DISABLED.
fn replication_enabled(config: &Value) -> bool {
    str_of(config, "State") != Some("DISABLED")
}

/// `abcde12345.veo`: ten lowercase letters or digits, a dot, and a suffix AWS always showed
/// as `veo` (docs/aws-facts-partners-endpoints.md).
fn new_endpoint_id() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("{}.veo", &hex[..10])
}

/// AWS's checks on an endpoint's buses, routing and replication.
fn check(
    ctx: &Ctx,
    routing: &Value,
    buses: &Value,
    replication: &Value,
    role: Option<&str>,
) -> Result<()> {
    let parsed: Vec<arn::Arn> = bus_arns(buses).filter_map(arn::parse).collect();
    if let [a, b] = parsed.as_slice() {
        if a.region == b.region {
            return Err(error::endpoint_buses_same_region());
        }
        if a.path != b.path {
            return Err(error::endpoint_buses_different_names());
        }
        if a.account != ctx.account || b.account != ctx.account {
            return Err(error::endpoint_buses_other_account());
        }
        let route = routing
            .pointer("/FailoverConfig/Secondary/Route")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if route != a.region && route != b.region {
            return Err(error::endpoint_route_not_a_bus_region(route));
        }
    }
    if replication_enabled(replication) && role.is_none() {
        return Err(error::endpoint_replication_needs_role());
    }
    Ok(())
}

fn default_replication(input: &Value) -> Value {
    match input.get("ReplicationConfig") {
        Some(Value::Object(m)) if m.contains_key("State") => Value::Object(m.clone()),
        _ => json!({"State": "ENABLED"}),
    }
}

pub fn create_endpoint(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    if region.endpoints.contains_key(name) {
        return Err(error::endpoint_exists(name));
    }
    let routing = input.get("RoutingConfig").cloned().unwrap_or(Value::Null);
    let buses = Value::Array(list_of(input, "EventBuses").to_vec());
    let replication = default_replication(input);
    let role = str_of(input, "RoleArn");
    check(&region.ctx, &routing, &buses, &replication, role)?;
    let endpoint_id = new_endpoint_id();
    let e = Endpoint {
        name: name.to_owned(),
        arn: region.ctx.arn(&format!("endpoint/{name}")),
        description: str_of(input, "Description").map(str::to_owned),
        routing_config: routing,
        replication_config: replication,
        event_buses: buses,
        role_arn: role.map(str::to_owned),
        endpoint_url: format!("https://{endpoint_id}.endpoint.events.amazonaws.com"),
        endpoint_id,
        // AWS answers CREATING and becomes ACTIVE later; the mock is ACTIVE at once.
        state: "ACTIVE",
        creation_time: now,
        last_modified_time: now,
    };
    let out = Obj::new()
        .put("Name", e.name.as_str())
        .put("Arn", e.arn.as_str())
        .put("RoutingConfig", &e.routing_config)
        .put("ReplicationConfig", &e.replication_config)
        .put("EventBuses", &e.event_buses)
        .opt("RoleArn", e.role_arn.as_deref())
        .put("State", "CREATING")
        .build();
    region.endpoints.insert(name.to_owned(), e);
    Ok(out)
}

pub fn update_endpoint(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    let ctx = region.ctx.clone();
    let e = region
        .endpoints
        .get_mut(name)
        .ok_or_else(|| error::endpoint_not_found(name))?;
    let mut next = e.clone();
    if let Some(d) = str_of(input, "Description") {
        next.description = Some(d.to_owned());
    }
    if let Some(r) = input.get("RoutingConfig") {
        next.routing_config = r.clone();
    }
    if input.get("ReplicationConfig").is_some() {
        next.replication_config = default_replication(input);
    }
    if input.get("EventBuses").is_some() {
        next.event_buses = Value::Array(list_of(input, "EventBuses").to_vec());
    }
    if let Some(r) = str_of(input, "RoleArn") {
        next.role_arn = Some(r.to_owned());
    }
    check(
        &ctx,
        &next.routing_config,
        &next.event_buses,
        &next.replication_config,
        next.role_arn.as_deref(),
    )?;
    next.last_modified_time = now;
    *e = next;
    Ok(Obj::new()
        .put("Name", e.name.as_str())
        .put("Arn", e.arn.as_str())
        .put("RoutingConfig", &e.routing_config)
        .put("ReplicationConfig", &e.replication_config)
        .put("EventBuses", &e.event_buses)
        .opt("RoleArn", e.role_arn.as_deref())
        .put("EndpointId", e.endpoint_id.as_str())
        .put("EndpointUrl", e.endpoint_url.as_str())
        .put("State", e.state)
        .build())
}

pub fn delete_endpoint(region: &mut Region, input: &Value) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    region
        .endpoints
        .remove(name)
        .ok_or_else(|| error::endpoint_not_found(name))?;
    Ok(Obj::new().build())
}

/// The region an endpoint call reads: `HomeRegion` when given, else the caller's.
fn home(ctx: &Ctx, input: &Value) -> Ctx {
    match str_of(input, "HomeRegion") {
        Some(r) => Ctx::new(&ctx.account, r),
        None => ctx.clone(),
    }
}

pub fn describe_endpoint(backend: &Backend, ctx: &Ctx, input: &Value) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    let region = backend.region(&home(ctx, input));
    let r = region.lock();
    r.endpoints
        .get(name)
        .map(Endpoint::to_out)
        .ok_or_else(|| error::endpoint_not_found(name))
}

pub fn list_endpoints(backend: &Backend, ctx: &Ctx, input: &Value) -> Result<Out> {
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let region = backend.region(&home(ctx, input));
    let r = region.lock();
    let endpoints: Vec<&Endpoint> = r
        .endpoints
        .values()
        .filter(|e| e.name.starts_with(prefix))
        .collect();
    paging::list_response(
        input,
        "MaxResults",
        "Endpoints",
        endpoints,
        |e| &e.name,
        |e| e.to_out(),
    )
}

/// Where PutEvents with `EndpointId` sends its events: the primary bus's account and
/// region, then the secondary's while replication is on. The endpoint is looked for in every
/// region of the caller's account, one lock at a time.
pub fn routing_regions(backend: &Backend, ctx: &Ctx, endpoint_id: &str) -> Result<Vec<Ctx>> {
    for region in backend.regions_of(&ctx.account) {
        let r = region.lock();
        if let Some(e) = r.endpoints.values().find(|e| e.endpoint_id == endpoint_id) {
            let mut regions = e.bus_regions();
            if !e.replication_enabled() {
                regions.truncate(1);
            }
            return Ok(regions);
        }
    }
    Err(error::endpoint_id_not_found(endpoint_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buses(a: &str, b: &str) -> Value {
        json!([{"EventBusArn": a}, {"EventBusArn": b}])
    }

    fn routing(route: &str) -> Value {
        json!({"FailoverConfig": {"Primary": {"HealthCheck": "hc"}, "Secondary": {"Route": route}}})
    }

    #[test]
    fn endpoint_ids_look_like_aws() {
        let id = new_endpoint_id();
        let (head, tail) = id.split_once('.').unwrap();
        assert_eq!(tail, "veo");
        assert_eq!(head.len(), 10);
        assert!(head
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
    }

    #[test]
    fn checks_buses_routing_and_replication() {
        let ctx = Ctx::new("123456789012", "us-east-1");
        let east = "arn:aws:events:us-east-1:123456789012:event-bus/b";
        let west = "arn:aws:events:us-west-2:123456789012:event-bus/b";
        let off = json!({"State": "DISABLED"});
        let on = json!({"State": "ENABLED"});
        let ok = check(&ctx, &routing("us-west-2"), &buses(east, west), &off, None);
        assert!(ok.is_ok());
        let same = check(&ctx, &routing("us-west-2"), &buses(east, east), &off, None);
        assert_eq!(same.unwrap_err(), error::endpoint_buses_same_region());
        let route = check(&ctx, &routing("eu-west-1"), &buses(east, west), &off, None);
        assert_eq!(
            route.unwrap_err(),
            error::endpoint_route_not_a_bus_region("eu-west-1")
        );
        let role = check(&ctx, &routing("us-west-2"), &buses(east, west), &on, None);
        assert_eq!(role.unwrap_err(), error::endpoint_replication_needs_role());
    }
}
