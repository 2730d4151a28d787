//! Partner event sources, both sides.
//!
//! A SaaS partner (one account) creates a source for a customer (another account) in one
//! region: CreatePartnerEventSource, DescribePartnerEventSource, ListPartnerEventSources,
//! ListPartnerEventSourceAccounts, DeletePartnerEventSource, PutPartnerEvents. The customer
//! sees it with DescribeEventSource and ListEventSources, receives its events on a partner
//! event bus of the same name (CreateEventBus with EventSourceName), and can pause them with
//! DeactivateEventSource / ActivateEventSource.
//!
//! The partner's region keeps which customer each source was created for; the customer's
//! region keeps the source's state. Operations that span both lock one region at a time.
//! Facts and guesses: docs/aws-facts-partners-endpoints.md.

use crate::error::{self, Error, Result};
use crate::events;
use crate::paging;
use crate::request::{list_of, str_of, Obj, Out};
use crate::state::{partition, Backend, Ctx, Region};
use serde_json::Value;

/// How long a source offered to a customer stays PENDING before it expires (a guess; see
/// docs/decisions.md).
pub const PENDING_EXPIRY_SECONDS: f64 = 14.0 * 24.0 * 3600.0;

/// A source as its partner sees it.
#[derive(Debug, Clone)]
pub struct PartnerSource {
    pub name: String,
    pub arn: String,
    /// The customer account it was created for.
    pub account: String,
    pub creation_time: f64,
}

/// A source as the customer it was offered to sees it.
#[derive(Debug, Clone)]
pub struct EventSource {
    pub name: String,
    pub arn: String,
    pub created_by: String,
    pub partner_account: String,
    pub creation_time: f64,
    /// Set by DeactivateEventSource, cleared by ActivateEventSource.
    pub deactivated: bool,
    /// The partner deleted the source while its bus still existed.
    pub deleted: bool,
}

impl EventSource {
    /// PENDING, ACTIVE or DELETED, as AWS reports it.
    pub fn state(&self, region: &Region) -> &'static str {
        if self.deleted {
            "DELETED"
        } else if region.buses.contains_key(&self.name) && !self.deactivated {
            "ACTIVE"
        } else {
            "PENDING"
        }
    }

    fn expiration(&self, state: &str) -> Option<f64> {
        (state == "PENDING").then_some(self.creation_time + PENDING_EXPIRY_SECONDS)
    }

    fn to_out(&self, region: &Region) -> Out {
        let state = self.state(region);
        let mut o = Obj::new()
            .put("Arn", self.arn.as_str())
            .put("CreatedBy", self.created_by.as_str())
            .time("CreationTime", self.creation_time);
        if let Some(t) = self.expiration(state) {
            o = o.time("ExpirationTime", t);
        }
        o.put("Name", self.name.as_str())
            .put("State", state)
            .build()
    }
}

/// `arn:aws:events:REGION::event-source/NAME`: a partner event source's ARN has no account.
pub fn source_arn(region: &str, name: &str) -> String {
    format!(
        "arn:{}:events:{region}::event-source/{name}",
        partition(region)
    )
}

/// The partner's name in `aws.partner/PARTNER/...`.
fn partner_name(source: &str) -> &str {
    source
        .strip_prefix("aws.partner/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(source)
}

fn name_of(input: &Value) -> &str {
    str_of(input, "Name").unwrap_or_default()
}

// The partner's side.

pub fn create_partner_event_source(
    backend: &Backend,
    ctx: &Ctx,
    input: &Value,
    now: f64,
) -> Result<Out> {
    let name = name_of(input);
    let account = str_of(input, "Account").unwrap_or_default();
    let partner = backend.region(ctx);
    if partner.lock().partner_sources.contains_key(name) {
        return Err(error::partner_source_exists(name));
    }
    let arn = source_arn(&ctx.region, name);
    {
        let customer = backend.region(&Ctx::new(account, &ctx.region));
        let mut c = customer.lock();
        match c.event_sources.get_mut(name) {
            // Recreating a source the partner deleted revives it and its bus.
            Some(s) if s.deleted && s.partner_account == ctx.account => {
                s.deleted = false;
                s.deactivated = false;
                s.creation_time = now;
            }
            Some(_) => return Err(error::partner_source_exists(name)),
            None => {
                c.event_sources.insert(
                    name.to_owned(),
                    EventSource {
                        name: name.to_owned(),
                        arn: arn.clone(),
                        created_by: partner_name(name).to_owned(),
                        partner_account: ctx.account.clone(),
                        creation_time: now,
                        deactivated: false,
                        deleted: false,
                    },
                );
            }
        }
    }
    partner.lock().partner_sources.insert(
        name.to_owned(),
        PartnerSource {
            name: name.to_owned(),
            arn: arn.clone(),
            account: account.to_owned(),
            creation_time: now,
        },
    );
    Ok(Obj::new().put("EventSourceArn", arn).build())
}

pub fn describe_partner_event_source(region: &Region, input: &Value) -> Result<Out> {
    let name = name_of(input);
    let s = region
        .partner_sources
        .get(name)
        .ok_or_else(|| error::event_source_not_found(name))?;
    Ok(Obj::new()
        .put("Arn", s.arn.as_str())
        .put("Name", s.name.as_str())
        .build())
}

pub fn list_partner_event_sources(region: &Region, input: &Value) -> Result<Out> {
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let sources: Vec<&PartnerSource> = region
        .partner_sources
        .values()
        .filter(|s| s.name.starts_with(prefix))
        .collect();
    paging::list_response(
        input,
        "Limit",
        "PartnerEventSources",
        sources,
        |s| &s.name,
        |s| {
            Obj::new()
                .put("Arn", s.arn.as_str())
                .put("Name", s.name.as_str())
                .build()
        },
    )
}

pub fn list_partner_event_source_accounts(
    backend: &Backend,
    ctx: &Ctx,
    input: &Value,
) -> Result<Out> {
    let name = str_of(input, "EventSourceName").unwrap_or_default();
    let source = backend
        .region(ctx)
        .lock()
        .partner_sources
        .get(name)
        .cloned()
        .ok_or_else(|| error::event_source_not_found(name))?;
    let customer = backend.region(&Ctx::new(&source.account, &ctx.region));
    let item = {
        let c = customer.lock();
        let (state, expiration) = match c.event_sources.get(name) {
            Some(s) => {
                let state = s.state(&c);
                (state, s.expiration(state))
            }
            None => (
                "PENDING",
                Some(source.creation_time + PENDING_EXPIRY_SECONDS),
            ),
        };
        let mut o = Obj::new()
            .put("Account", source.account.as_str())
            .time("CreationTime", source.creation_time);
        if let Some(t) = expiration {
            o = o.time("ExpirationTime", t);
        }
        (source.account.clone(), o.put("State", state).build())
    };
    paging::list_response(
        input,
        "Limit",
        "PartnerEventSourceAccounts",
        vec![item],
        |(account, _)| account,
        |(_, o)| o.clone(),
    )
}

pub fn delete_partner_event_source(backend: &Backend, ctx: &Ctx, input: &Value) -> Result<Out> {
    let name = name_of(input);
    let account = str_of(input, "Account").unwrap_or_default();
    {
        let partner = backend.region(ctx);
        let mut p = partner.lock();
        // Deleting a source that does not exist (for that account) succeeds.
        if p.partner_sources.get(name).map(|s| s.account.as_str()) != Some(account) {
            return Ok(Obj::new().build());
        }
        p.partner_sources.remove(name);
    }
    let customer = backend.region(&Ctx::new(account, &ctx.region));
    let mut c = customer.lock();
    let has_bus = c.buses.contains_key(name);
    match c.event_sources.get_mut(name) {
        Some(s) if s.partner_account == ctx.account && has_bus => s.deleted = true,
        Some(s) if s.partner_account == ctx.account => {
            c.event_sources.remove(name);
        }
        _ => {}
    }
    Ok(Obj::new().build())
}

/// PutPartnerEvents: each entry goes to the partner event bus named by its Source in the
/// account the source was created for, while that source is ACTIVE. Events for a PENDING
/// source are accepted and dropped, as AWS does.
pub fn put_partner_events(backend: &Backend, ctx: &Ctx, input: &Value, now: f64) -> Result<Out> {
    let entries = list_of(input, "Entries");
    let total: usize = entries.iter().map(events::entry_size).sum();
    if total > events::MAX_REQUEST_ENTRY_BYTES {
        return Err(error::put_events_too_large());
    }
    let owned: Vec<(String, String)> = {
        let p = backend.region(ctx);
        let p = p.lock();
        p.partner_sources
            .values()
            .map(|s| (s.name.clone(), s.account.clone()))
            .collect()
    };
    let mut results = Vec::new();
    let mut failed = 0usize;
    let mut deliveries = Vec::new();
    for entry in entries {
        match check_entry(entry, &owned) {
            Err(e) => {
                failed += 1;
                results.push(
                    Obj::new()
                        .put("ErrorCode", e.code)
                        .put("ErrorMessage", e.message)
                        .build(),
                );
            }
            Ok((detail, account)) => {
                let id = uuid::Uuid::new_v4().to_string();
                let source = str_of(entry, "Source").unwrap_or_default();
                let customer = Ctx::new(account, &ctx.region);
                let active = {
                    let c = backend.region(&customer);
                    let c = c.lock();
                    c.event_sources.get(source).is_some_and(|s| {
                        s.partner_account == ctx.account && s.state(&c) == "ACTIVE"
                    })
                };
                if active {
                    let event = events::envelope(&customer, &id, entry, detail, now);
                    deliveries.push((customer, source.to_owned(), event));
                }
                results.push(Obj::new().put("EventId", id).build());
            }
        }
    }
    events::deliver(backend, deliveries, now);
    Ok(Obj::new()
        .put("FailedEntryCount", failed)
        .put("Entries", results)
        .build())
}

/// An entry's checks, in PutEvents' order; Ok gives the parsed Detail and the customer.
fn check_entry<'a>(
    entry: &Value,
    owned: &'a [(String, String)],
) -> std::result::Result<(Value, &'a str), Error> {
    let given = |member: &str| str_of(entry, member).filter(|s| !s.is_empty());
    let source = given("Source").ok_or_else(|| error::entry_member_missing("Source"))?;
    given("DetailType").ok_or_else(|| error::entry_member_missing("DetailType"))?;
    let detail = given("Detail").ok_or_else(|| error::entry_member_missing("Detail"))?;
    let account = owned
        .iter()
        .find(|(name, _)| name == source)
        .map(|(_, account)| account.as_str())
        .ok_or_else(error::entry_not_authorized_for_source)?;
    match crate::json::parse(detail) {
        Ok(v @ Value::Object(_)) => Ok((v, account)),
        _ => Err(error::entry_malformed_detail()),
    }
}

// The customer's side.

pub fn describe_event_source(region: &Region, input: &Value) -> Result<Out> {
    let name = name_of(input);
    let s = region
        .event_sources
        .get(name)
        .ok_or_else(|| error::event_source_not_found(name))?;
    Ok(s.to_out(region))
}

pub fn list_event_sources(region: &Region, input: &Value) -> Result<Out> {
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let sources: Vec<&EventSource> = region
        .event_sources
        .values()
        .filter(|s| s.name.starts_with(prefix))
        .collect();
    paging::list_response(
        input,
        "Limit",
        "EventSources",
        sources,
        |s| &s.name,
        |s| s.to_out(region),
    )
}

fn source_with_bus<'r>(region: &'r mut Region, name: &str) -> Result<&'r mut EventSource> {
    if !region.buses.contains_key(name) {
        return Err(error::source_or_bus_not_found(name));
    }
    let s = region
        .event_sources
        .get_mut(name)
        .ok_or_else(|| error::source_or_bus_not_found(name))?;
    if s.deleted {
        return Err(error::event_source_deleted(name));
    }
    Ok(s)
}

pub fn activate_event_source(region: &mut Region, input: &Value) -> Result<Out> {
    source_with_bus(region, name_of(input))?.deactivated = false;
    Ok(Obj::new().build())
}

pub fn deactivate_event_source(region: &mut Region, input: &Value) -> Result<Out> {
    source_with_bus(region, name_of(input))?.deactivated = true;
    Ok(Obj::new().build())
}

// Hooks of CreateEventBus and DeleteEventBus.

/// CreateEventBus with EventSourceName: the source must be offered to this account and the
/// bus must carry its name.
pub fn check_partner_bus(region: &Region, bus: &str, source: &str) -> Result<()> {
    match region.event_sources.get(source) {
        Some(s) if !s.deleted => {}
        _ => return Err(error::event_source_not_found(source)),
    }
    if bus != source {
        return Err(error::partner_bus_name_mismatch());
    }
    Ok(())
}

/// A new partner event bus makes its source ACTIVE.
pub fn bus_created(region: &mut Region, bus: &str) {
    if let Some(s) = region.event_sources.get_mut(bus) {
        s.deactivated = false;
    }
}

/// Deleting a partner event bus sends its source back to PENDING; a source the partner
/// already deleted goes away with its bus.
pub fn bus_deleted(region: &mut Region, bus: &str) {
    if region.event_sources.get(bus).is_some_and(|s| s.deleted) {
        region.event_sources.remove(bus);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_arns_and_partners() {
        assert_eq!(
            source_arn("eu-west-1", "aws.partner/example.com/t/orders"),
            "arn:aws:events:eu-west-1::event-source/aws.partner/example.com/t/orders"
        );
        assert_eq!(
            source_arn("cn-north-1", "aws.partner/x/y"),
            "arn:aws-cn:events:cn-north-1::event-source/aws.partner/x/y"
        );
        assert_eq!(
            partner_name("aws.partner/example.com/t/orders"),
            "example.com"
        );
    }

    #[test]
    fn state_follows_the_bus_and_the_partner() {
        let backend = Backend::new();
        let region = backend.region(&Ctx::new("123456789012", "us-east-1"));
        let mut r = region.lock();
        let name = "aws.partner/example.com/t/orders";
        let mut s = EventSource {
            name: name.into(),
            arn: source_arn("us-east-1", name),
            created_by: "example.com".into(),
            partner_account: "111111111111".into(),
            creation_time: 0.0,
            deactivated: false,
            deleted: false,
        };
        assert_eq!(s.state(&r), "PENDING");
        assert_eq!(s.expiration("PENDING"), Some(PENDING_EXPIRY_SECONDS));
        let bus = crate::buses::EventBus::new(&r.ctx.clone(), name, 0.0);
        r.buses.insert(name.into(), bus);
        assert_eq!(s.state(&r), "ACTIVE");
        s.deactivated = true;
        assert_eq!(s.state(&r), "PENDING");
        s.deleted = true;
        assert_eq!(s.state(&r), "DELETED");
    }
}
