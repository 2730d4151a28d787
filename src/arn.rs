//! ARNs of EventBridge resources, and names given as "a name or an ARN".

use crate::state::Ctx;

pub fn bus_arn(ctx: &Ctx, bus: &str) -> String {
    ctx.arn(&format!("event-bus/{bus}"))
}

/// Rules on the default bus have no bus segment: `rule/NAME`; others `rule/BUS/NAME`.
pub fn rule_arn(ctx: &Ctx, bus: &str, rule: &str) -> String {
    if bus == "default" {
        ctx.arn(&format!("rule/{rule}"))
    } else {
        ctx.arn(&format!("rule/{bus}/{rule}"))
    }
}

/// The parts of an EventBridge ARN: `arn:PARTITION:events:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    /// `event-bus`, `rule`, ...
    pub kind: &'a str,
    /// What follows `kind/`.
    pub path: &'a str,
}

pub fn parse(arn: &str) -> Option<Arn<'_>> {
    let mut parts = arn.splitn(6, ':');
    let (prefix, _partition, service) = (parts.next()?, parts.next()?, parts.next()?);
    let (region, account, resource) = (parts.next()?, parts.next()?, parts.next()?);
    if prefix != "arn" || service != "events" {
        return None;
    }
    let (kind, path) = resource.split_once('/')?;
    Some(Arn {
        region,
        account,
        kind,
        path,
    })
}

/// What a resource ARN names in the caller's account and region.
#[derive(Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    Bus(&'a str),
    Rule { bus: &'a str, rule: &'a str },
}

pub fn resource<'a>(ctx: &Ctx, arn: &'a str) -> Option<Resource<'a>> {
    let a = parse(arn)?;
    if a.region != ctx.region || a.account != ctx.account {
        return None;
    }
    match a.kind {
        "event-bus" if !a.path.is_empty() => Some(Resource::Bus(a.path)),
        "rule" => match a.path.rsplit_once('/') {
            Some((bus, rule)) if !bus.is_empty() && !rule.is_empty() => {
                Some(Resource::Rule { bus, rule })
            }
            Some(_) => None,
            None if !a.path.is_empty() => Some(Resource::Rule {
                bus: "default",
                rule: a.path,
            }),
            None => None,
        },
        _ => None,
    }
}

/// An `EventBusName` member: a name, or the ARN of a bus. `None` means the default bus.
pub fn bus_name(name_or_arn: Option<&str>) -> &str {
    match name_or_arn {
        None => "default",
        Some(s) => match parse(s) {
            Some(a) if a.kind == "event-bus" => a.path,
            _ => s,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_aws_arns() {
        let ctx = Ctx::new("123456789012", "eu-west-1");
        assert_eq!(
            rule_arn(&ctx, "default", "r"),
            "arn:aws:events:eu-west-1:123456789012:rule/r"
        );
        assert_eq!(
            rule_arn(&ctx, "orders", "r"),
            "arn:aws:events:eu-west-1:123456789012:rule/orders/r"
        );
        assert_eq!(
            bus_arn(&Ctx::new("123456789012", "cn-north-1"), "b"),
            "arn:aws-cn:events:cn-north-1:123456789012:event-bus/b"
        );
    }

    #[test]
    fn resolves_resources_in_the_callers_account() {
        let ctx = Ctx::new("123456789012", "us-east-1");
        assert_eq!(
            resource(&ctx, "arn:aws:events:us-east-1:123456789012:rule/orders/r"),
            Some(Resource::Rule {
                bus: "orders",
                rule: "r"
            })
        );
        assert_eq!(
            resource(&ctx, "arn:aws:events:us-east-1:123456789012:rule/r"),
            Some(Resource::Rule {
                bus: "default",
                rule: "r"
            })
        );
        assert_eq!(
            resource(&ctx, "arn:aws:events:us-east-1:123456789012:event-bus/b"),
            Some(Resource::Bus("b"))
        );
        assert_eq!(
            resource(&ctx, "arn:aws:events:us-west-2:123456789012:event-bus/b"),
            None
        );
        assert_eq!(resource(&ctx, "nonsense"), None);
        assert_eq!(
            bus_name(Some("arn:aws:events:us-east-1:1:event-bus/x")),
            "x"
        );
        assert_eq!(bus_name(Some("x")), "x");
        assert_eq!(bus_name(None), "default");
    }
}
