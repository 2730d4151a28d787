//! Tags on rules and event buses: TagResource, UntagResource, ListTagsForResource.

use crate::arn::{self, Resource};
use crate::error::{self, Result};
use crate::request::{list_of, str_of, Obj, Out};
use crate::state::Region;
use serde_json::Value;

/// AWS's limit of tags per resource.
pub const MAX_TAGS: usize = 50;

/// Tags in the order they were first set.
#[derive(Debug, Default, Clone)]
pub struct Tags(Vec<(String, String)>);

impl Tags {
    /// Sets each `{"Key", "Value"}` of `list`, replacing the value of a key already present.
    pub fn merge(&mut self, list: &[Value]) -> Result<()> {
        let mut next = self.0.clone();
        for tag in list {
            let key = str_of(tag, "Key").unwrap_or_default();
            let value = str_of(tag, "Value").unwrap_or_default().to_owned();
            match next.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => next.push((key.to_owned(), value)),
            }
        }
        if next.len() > MAX_TAGS {
            return Err(error::too_many_tags());
        }
        self.0 = next;
        Ok(())
    }

    pub fn remove(&mut self, keys: &[Value]) {
        self.0
            .retain(|(k, _)| !keys.iter().any(|r| r.as_str() == Some(k)));
    }

    pub fn to_out(&self) -> Out {
        Out::List(
            self.0
                .iter()
                .map(|(k, v)| Obj::new().put("Key", k).put("Value", v).build())
                .collect(),
        )
    }
}

/// The tags of the resource `arn` names; `change` for Tag/UntagResource, which a managed
/// rule refuses (it has no tags to list either).
fn tags_of<'r>(region: &'r mut Region, arn: &str, change: bool) -> Result<&'r mut Tags> {
    let ctx = region.ctx.clone();
    match arn::resource(&ctx, arn) {
        Some(Resource::Bus(bus)) => Ok(&mut region.bus_mut(Some(bus))?.tags),
        Some(Resource::Rule { bus, rule }) => {
            let rule = region.rule_mut(Some(bus), rule)?;
            if change && rule.managed_by.is_some() {
                return Err(error::managed_rule_tags(&rule.name));
            }
            Ok(&mut rule.tags)
        }
        None => Err(error::resource_arn_not_found(arn)),
    }
}

pub fn tag_resource(region: &mut Region, input: &Value) -> Result<Out> {
    let tags = tags_of(
        region,
        str_of(input, "ResourceARN").unwrap_or_default(),
        true,
    )?;
    tags.merge(list_of(input, "Tags"))?;
    Ok(Obj::new().build())
}

pub fn untag_resource(region: &mut Region, input: &Value) -> Result<Out> {
    let tags = tags_of(
        region,
        str_of(input, "ResourceARN").unwrap_or_default(),
        true,
    )?;
    tags.remove(list_of(input, "TagKeys"));
    Ok(Obj::new().build())
}

pub fn list_tags_for_resource(region: &mut Region, input: &Value) -> Result<Out> {
    let tags = tags_of(
        region,
        str_of(input, "ResourceARN").unwrap_or_default(),
        false,
    )?;
    Ok(Obj::new().put("Tags", tags.to_out()).build())
}
