//! The EventBridge service model, read once from botocore's `service-2.json`.
//!
//! The model is never copied into this repository: the Python package hands the JSON text of
//! the installed botocore's model to `Model::parse`, and everything that validates input or
//! shapes output walks these shapes.

use fancy_regex::Regex;
use serde_json::Value;
use std::collections::HashMap;

pub type ShapeId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeType {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Boolean,
    Timestamp,
    Blob,
    Double,
    Float,
}

impl ShapeType {
    fn parse(name: &str) -> Option<ShapeType> {
        Some(match name {
            "structure" => ShapeType::Structure,
            "list" => ShapeType::List,
            "map" => ShapeType::Map,
            "string" => ShapeType::String,
            "integer" => ShapeType::Integer,
            "long" => ShapeType::Long,
            "boolean" => ShapeType::Boolean,
            "timestamp" => ShapeType::Timestamp,
            "blob" => ShapeType::Blob,
            "double" => ShapeType::Double,
            "float" => ShapeType::Float,
            _ => return None,
        })
    }
}

#[derive(Debug)]
pub struct Member {
    pub name: String,
    pub shape: ShapeId,
}

#[derive(Debug)]
pub struct Shape {
    pub name: String,
    pub kind: ShapeType,
    pub members: Vec<Member>,
    pub required: Vec<String>,
    /// List member, or map key and value.
    pub member: Option<ShapeId>,
    pub key: Option<ShapeId>,
    pub value: Option<ShapeId>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The pattern as written in the model (for messages) and compiled to match whole values.
    pub pattern: Option<(String, Regex)>,
    pub enum_values: Option<Vec<String>>,
    /// True when this shape or anything under it is a timestamp: output conversion needs a
    /// shape-aware walk only there.
    pub has_timestamp: bool,
    /// True when this shape or anything under it has a constraint the service checks
    /// (maximum, pattern, enum), so server-side validation can skip the rest.
    pub constrained: bool,
    /// `constrained`, or a required member or minimum: what the service checks on a request
    /// that no client validated (see `validate::wire_side`).
    pub wire_constrained: bool,
    /// The model marks the value secret (a password, an API key): AWS never echoes it.
    pub sensitive: bool,
}

impl Shape {
    pub fn member(&self, name: &str) -> Option<ShapeId> {
        self.members
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.shape)
    }
}

#[derive(Debug)]
pub struct Operation {
    pub name: String,
    pub input: Option<ShapeId>,
    pub output: Option<ShapeId>,
}

#[derive(Debug)]
pub struct Model {
    pub shapes: Vec<Shape>,
    pub operations: HashMap<String, Operation>,
    /// The JSON protocol's `X-Amz-Target` prefix (`AWSEvents`), from the model's metadata.
    pub target_prefix: String,
}

impl Model {
    pub fn shape(&self, id: ShapeId) -> &Shape {
        &self.shapes[id]
    }

    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    /// Parses botocore's `service-2.json` text.
    pub fn parse(json: &str) -> Result<Model, String> {
        let doc: Value = serde_json::from_str(json).map_err(|e| format!("model: {e}"))?;
        let raw = doc
            .get("shapes")
            .and_then(Value::as_object)
            .ok_or("model: no shapes")?;
        let ids: HashMap<&str, ShapeId> = raw
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let lookup = |v: &Value| -> Result<ShapeId, String> {
            let name = v
                .get("shape")
                .and_then(Value::as_str)
                .ok_or("model: reference without shape")?;
            ids.get(name)
                .copied()
                .ok_or_else(|| format!("model: unknown shape {name}"))
        };
        let mut shapes = Vec::with_capacity(raw.len());
        for (name, s) in raw {
            let type_name = s.get("type").and_then(Value::as_str).unwrap_or("");
            let kind = ShapeType::parse(type_name)
                .ok_or_else(|| format!("model: shape {name} has unknown type {type_name}"))?;
            let mut members = Vec::new();
            if let Some(ms) = s.get("members").and_then(Value::as_object) {
                for (mname, mref) in ms {
                    members.push(Member {
                        name: mname.clone(),
                        shape: lookup(mref)?,
                    });
                }
            }
            let required = s
                .get("required")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let pattern = match s.get("pattern").and_then(Value::as_str) {
                Some(p) => {
                    // The model's patterns are Java regular expressions that must match the
                    // whole value.
                    let re = Regex::new(&format!("^(?:{p})$"))
                        .map_err(|e| format!("model: pattern of {name}: {e}"))?;
                    Some((p.to_owned(), re))
                }
                None => None,
            };
            shapes.push(Shape {
                name: name.clone(),
                kind,
                members,
                required,
                member: s.get("member").map(&lookup).transpose()?,
                key: s.get("key").map(&lookup).transpose()?,
                value: s.get("value").map(&lookup).transpose()?,
                min: s.get("min").and_then(Value::as_f64),
                max: s.get("max").and_then(Value::as_f64),
                pattern,
                enum_values: s.get("enum").and_then(Value::as_array).map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                }),
                has_timestamp: kind == ShapeType::Timestamp,
                constrained: false,
                wire_constrained: false,
                sensitive: s.get("sensitive").and_then(Value::as_bool) == Some(true),
            });
            let last = shapes.len() - 1;
            let sh = &mut shapes[last];
            sh.constrained = sh.max.is_some() || sh.pattern.is_some() || sh.enum_values.is_some();
            sh.wire_constrained = sh.constrained || sh.min.is_some() || !sh.required.is_empty();
        }
        propagate(&mut shapes, |s| &mut s.has_timestamp);
        propagate(&mut shapes, |s| &mut s.constrained);
        propagate(&mut shapes, |s| &mut s.wire_constrained);
        let mut operations = HashMap::new();
        if let Some(ops) = doc.get("operations").and_then(Value::as_object) {
            for (name, op) in ops {
                operations.insert(
                    name.clone(),
                    Operation {
                        name: name.clone(),
                        input: op.get("input").map(&lookup).transpose()?,
                        output: op.get("output").map(&lookup).transpose()?,
                    },
                );
            }
        }
        let target_prefix = doc
            .pointer("/metadata/targetPrefix")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Ok(Model {
            shapes,
            operations,
            target_prefix,
        })
    }
}

/// Marks every container shape whose descendants carry `flag` (to a fixed point, as shapes
/// may refer to each other in any order).
fn propagate(shapes: &mut [Shape], flag: fn(&mut Shape) -> &mut bool) {
    loop {
        let mut changed = false;
        for i in 0..shapes.len() {
            if *flag(&mut shapes[i]) {
                continue;
            }
            let s = &shapes[i];
            let children: Vec<ShapeId> = s
                .members
                .iter()
                .map(|m| m.shape)
                .chain(s.member)
                .chain(s.key)
                .chain(s.value)
                .collect();
            if children.into_iter().any(|c| *flag(&mut shapes[c])) {
                *flag(&mut shapes[i]) = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small model in botocore's format, for tests that must not depend on botocore.
    pub const TEST_MODEL: &str = r#"{
      "metadata": {"targetPrefix": "Things"},
      "operations": {
        "PutThing": {"input": {"shape": "PutThingRequest"}, "output": {"shape": "PutThingResponse"}}
      },
      "shapes": {
        "PutThingRequest": {"type": "structure", "required": ["Name"], "members": {
          "Name": {"shape": "Name"}, "State": {"shape": "State"}, "Limit": {"shape": "Limit"},
          "Tags": {"shape": "TagList"}, "Enabled": {"shape": "Boolean"}, "When": {"shape": "Timestamp"},
          "Attrs": {"shape": "AttrMap"}}},
        "PutThingResponse": {"type": "structure", "members": {"When": {"shape": "Timestamp"}, "Name": {"shape": "Name"}}},
        "Name": {"type": "string", "min": 1, "max": 8, "pattern": "[a-z]+"},
        "State": {"type": "string", "enum": ["ENABLED", "DISABLED"]},
        "Limit": {"type": "integer", "min": 1, "max": 100},
        "TagList": {"type": "list", "member": {"shape": "Tag"}, "max": 2},
        "Tag": {"type": "structure", "required": ["Key", "Value"], "members": {"Key": {"shape": "Name"}, "Value": {"shape": "String"}}},
        "AttrMap": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "String"}},
        "String": {"type": "string"},
        "Boolean": {"type": "boolean"},
        "Timestamp": {"type": "timestamp"}
      }
    }"#;

    pub fn test_model() -> Model {
        Model::parse(TEST_MODEL).unwrap()
    }

    #[test]
    fn parses_shapes_and_operations() {
        let m = test_model();
        let op = m.operation("PutThing").unwrap();
        let input = m.shape(op.input.unwrap());
        assert_eq!(input.kind, ShapeType::Structure);
        assert_eq!(input.required, vec!["Name".to_string()]);
        let name = m.shape(input.member("Name").unwrap());
        assert_eq!(name.max, Some(8.0));
        assert!(name.pattern.as_ref().unwrap().1.is_match("abc").unwrap());
        assert!(!name.pattern.as_ref().unwrap().1.is_match("abc1").unwrap());
        assert!(input.has_timestamp);
        assert!(!m.shape(input.member("Tags").unwrap()).has_timestamp);
    }

    #[test]
    fn rejects_unknown_references() {
        let err = Model::parse(r#"{"shapes": {"A": {"type": "list", "member": {"shape": "B"}}}}"#)
            .unwrap_err();
        assert_eq!(err, "model: unknown shape B");
    }
}
