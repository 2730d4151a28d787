//! AWS's JSON 1.1 protocol, as EventBridge speaks it over HTTP: the operation named by
//! `X-Amz-Target`, the caller read from the SigV4 `Authorization` header, the input read
//! against the model, and the bytes of the answer. It knows no transport, so `server` stays a
//! thin shell around it. Facts and sources: docs/aws-facts.md §8; choices: docs/decisions.md.

use crate::error::{self, Error, Result};
use crate::model::{Model, ShapeId, ShapeType};
use crate::request::Out;
use crate::state::{Backend, Ctx};
use crate::{ops, validate};
use serde_json::{Map, Number, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// Called with the delivery count before a call whose deliveries must be forwarded to their
/// targets' services (the Python binding's forwarding).
pub type Forward = Arc<dyn Fn(usize) + Send + Sync>;

/// What the HTTP layer read from one request.
pub struct Request<'a> {
    pub target: Option<&'a [u8]>,
    pub authorization: Option<&'a [u8]>,
    pub body: &'a [u8],
}

/// One answer: the HTTP status and body; the transport adds the headers.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The JSON protocol in front of one backend.
pub struct Service {
    pub model: &'static Model,
    pub backend: Arc<Backend>,
    /// The account and region of a request whose Authorization header names neither.
    pub default: Ctx,
    pub forward: Option<Forward>,
}

impl Service {
    pub fn respond(&self, req: &Request) -> Reply {
        // Whatever a request holds, it gets an answer and the server goes on.
        let answer = catch_unwind(AssertUnwindSafe(|| self.answer(req)))
            .unwrap_or_else(|_| Err(error::internal("the engine failed")));
        match answer {
            Ok(out) => Reply {
                status: 200,
                body: serde_json::to_vec(&out).unwrap_or_else(|_| b"{}".to_vec()),
            },
            Err(e) => error_reply(&e),
        }
    }

    /// Whether a call may enter Python (to forward), so the caller runs it where blocking is
    /// allowed.
    pub fn forwards(&self) -> bool {
        self.forward.is_some()
    }

    fn answer(&self, req: &Request) -> Result<Out> {
        let model = self.model;
        let op = req
            .target
            .and_then(|t| std::str::from_utf8(t).ok())
            .and_then(|t| t.strip_prefix(model.target_prefix.as_str()))
            .and_then(|t| t.strip_prefix('.'))
            .and_then(|name| model.operation(name))
            .ok_or_else(error::unknown_operation)?;
        let input = match op.input {
            Some(shape) => {
                let input = read_body(model, shape, req.body)?;
                validate::wire_side(model, shape, &input).map_err(error::validation)?;
                input
            }
            None => Value::Object(Map::new()),
        };
        let ctx = caller(req.authorization, &self.default);
        let backend = &self.backend;
        // Python's clock is out of reach here: the host's is the next best (a frozen mock
        // clock still wins).
        backend.clock.observe_host(host_now());
        let region = backend.region(&ctx);
        let start = self.forward.as_ref().map(|_| backend.delivery_count());
        let result = catch_unwind(AssertUnwindSafe(|| {
            ops::run(backend, &region, &op.name, &input)
        }))
        .unwrap_or_else(|_| Err(error::internal("the engine failed")));
        if let (Some(forward), Some(start)) = (&self.forward, start) {
            if backend.delivery_count() > start {
                forward(start);
            }
        }
        result.map_err(|e| match e.code {
            ops::NOT_IMPLEMENTED => Error {
                code: error::UNKNOWN_OPERATION,
                message: e.message,
            },
            _ => e,
        })
    }
}

fn host_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The caller's account and region: from the credential scope of a SigV4 Authorization
/// header (`Credential=KEY/DATE/REGION/events/aws4_request`), where a 12-digit access key
/// id is taken as the account, as other emulators take it; `default` for the rest.
pub fn caller(authorization: Option<&[u8]>, default: &Ctx) -> Ctx {
    let scope = authorization
        .and_then(|a| std::str::from_utf8(a).ok())
        .and_then(|a| a.split_once("Credential="))
        .map_or("", |(_, rest)| rest.split([',', ' ']).next().unwrap_or(""));
    let mut parts = scope.split('/');
    let key = parts.next().unwrap_or("");
    let region = parts.nth(1).unwrap_or("");
    let account = if key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit()) {
        key
    } else {
        &default.account
    };
    let region_ok = (1..=32).contains(&region.len())
        && region.starts_with(|c: char| c.is_ascii_lowercase())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    Ctx::new(account, if region_ok { region } else { &default.region })
}

/// The request body as the engine's input: JSON checked against the input shape as AWS's
/// deserializer checks it. An empty body or `null` is an empty input.
pub fn read_body(model: &Model, shape: ShapeId, body: &[u8]) -> Result<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice(body).map_err(|_| error::malformed_json())? {
        Value::Null => Ok(Value::Object(Map::new())),
        v => read(model, shape, v),
    }
}

/// `v` as a value of shape `id`. Members the model does not have are dropped, and so are
/// nulls, which mean "absent" in the protocol.
fn read(model: &Model, id: ShapeId, v: Value) -> Result<Value> {
    let shape = model.shape(id);
    match (shape.kind, v) {
        (ShapeType::Structure, Value::Object(o)) => {
            let mut out = Map::new();
            for (k, child) in o {
                if let (Some(m), false) = (shape.member(&k), child.is_null()) {
                    let child = read(model, m, child)?;
                    out.insert(k, child);
                }
            }
            Ok(Value::Object(out))
        }
        (ShapeType::Map, Value::Object(o)) => {
            let mut out = Map::new();
            for (k, child) in o {
                if let (Some(vs), false) = (shape.value, child.is_null()) {
                    let child = read(model, vs, child)?;
                    out.insert(k, child);
                }
            }
            Ok(Value::Object(out))
        }
        (ShapeType::List, Value::Array(items)) => {
            let member = shape.member;
            items
                .into_iter()
                .filter(|item| !item.is_null())
                .map(|item| match member {
                    Some(m) => read(model, m, item),
                    None => Ok(item),
                })
                .collect::<Result<Vec<_>>>()
                .map(Value::Array)
        }
        (ShapeType::String | ShapeType::Blob, v @ Value::String(_))
        | (ShapeType::Boolean, v @ Value::Bool(_))
        | (ShapeType::Double | ShapeType::Float | ShapeType::Timestamp, v @ Value::Number(_)) => {
            Ok(v)
        }
        (kind @ (ShapeType::Integer | ShapeType::Long), Value::Number(n)) => integer(kind, &n),
        (_, Value::Object(_)) => Err(error::unexpected_structure()),
        (_, Value::Array(_)) => Err(error::unexpected_list()),
        (ShapeType::Structure | ShapeType::Map | ShapeType::List, _) => {
            Err(error::expected_container())
        }
        (kind, v) => Err(error::cannot_convert(token(&v), java_type(kind))),
    }
}

/// An integer member: a fraction is truncated; a value out of the type's range is refused.
fn integer(kind: ShapeType, n: &Number) -> Result<Value> {
    let whole = n.as_i64().or_else(|| {
        n.as_f64()
            .map(f64::trunc)
            .filter(|t| *t >= i64::MIN as f64 && *t < i64::MAX as f64)
            .map(|t| t as i64)
    });
    match whole {
        Some(i) if kind != ShapeType::Integer || i32::try_from(i).is_ok() => Ok(Value::from(i)),
        _ => Err(error::cannot_convert("NUMBER_VALUE", java_type(kind))),
    }
}

/// The name AWS's messages give a JSON scalar.
fn token(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "STRING_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::Bool(_) => "BOOLEAN_VALUE",
        _ => "NULL_VALUE",
    }
}

/// The Java type AWS's messages name for a model type.
fn java_type(kind: ShapeType) -> &'static str {
    match kind {
        ShapeType::String => "String",
        ShapeType::Integer => "Integer",
        ShapeType::Long => "Long",
        ShapeType::Boolean => "Boolean",
        ShapeType::Timestamp => "Date",
        ShapeType::Blob => "ByteBuffer",
        ShapeType::Double => "Double",
        ShapeType::Float => "Float",
        ShapeType::Structure => "Structure",
        ShapeType::List => "List",
        ShapeType::Map => "Map",
    }
}

/// An error as AWS's JSON protocol sends it: `{"__type": CODE, "message": TEXT}`, 400 for
/// the caller's errors and 500 for the service's own. Framework errors spell the member
/// `Message`, and AWS leaves it out when there is no text.
pub fn error_reply(e: &Error) -> Reply {
    let status = if e.code == error::INTERNAL { 500 } else { 400 };
    let mut body = Map::new();
    body.insert("__type".into(), Value::from(e.code));
    if !e.message.is_empty() {
        let key = if e.code == error::SERIALIZATION {
            "Message"
        } else {
            "message"
        };
        body.insert(key.into(), Value::from(e.message.as_str()));
    }
    Reply {
        status,
        body: serde_json::to_vec(&body).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::test_model;

    fn service() -> Service {
        Service {
            model: Box::leak(Box::new(test_model())),
            backend: Arc::new(Backend::new()),
            default: Ctx::new("123456789012", "us-east-1"),
            forward: None,
        }
    }

    fn reply(target: &str, body: &str) -> (u16, String) {
        let r = service().respond(&Request {
            target: Some(target.as_bytes()),
            authorization: None,
            body: body.as_bytes(),
        });
        (r.status, String::from_utf8(r.body).unwrap())
    }

    #[test]
    fn unknown_targets_get_unknown_operation_without_a_message() {
        for target in ["Things.Nope", "PutThing", "Other.PutThing", "Things.", ""] {
            assert_eq!(
                reply(target, "{}"),
                (400, r#"{"__type":"UnknownOperationException"}"#.into()),
                "{target}"
            );
        }
    }

    #[test]
    fn malformed_json_gets_a_serialization_exception_without_a_message() {
        for body in ["{", "{\"Name\": }", "nul", "\u{0}", "[1,]"] {
            assert_eq!(
                reply("Things.PutThing", body),
                (400, r#"{"__type":"SerializationException"}"#.into()),
                "{body}"
            );
        }
    }

    #[test]
    fn wrong_member_types_get_aws_messages() {
        let m = test_model();
        let shape = m.operation("PutThing").unwrap().input.unwrap();
        let msg = |body: &str| read_body(&m, shape, body.as_bytes()).map_err(|e| e.to_string());
        let err = |s: &str| Err(format!("SerializationException: {s}"));
        assert_eq!(
            msg(r#"{"Name": 5}"#),
            err("NUMBER_VALUE can not be converted to an String")
        );
        assert_eq!(
            msg(r#"{"Name": "a", "Limit": "5"}"#),
            err("STRING_VALUE can not be converted to an Integer")
        );
        assert_eq!(
            msg(r#"{"Name": "a", "Enabled": 1}"#),
            err("NUMBER_VALUE can not be converted to an Boolean")
        );
        assert_eq!(
            msg(r#"{"Name": {"a": 1}}"#),
            err("Start of structure or map found where not expected.")
        );
        assert_eq!(
            msg(r#"{"Name": ["a"]}"#),
            err("Start of list found where not expected.")
        );
        assert_eq!(msg(r#"{"Tags": "a"}"#), err("Expected null"));
        assert_eq!(msg("[]"), err("Start of list found where not expected."));
        assert_eq!(
            msg(r#"{"Name": "a", "Limit": 3000000000}"#),
            err("NUMBER_VALUE can not be converted to an Integer")
        );
        assert_eq!(
            msg(r#"{"Name": "a", "When": "2026-01-01"}"#),
            err("STRING_VALUE can not be converted to an Date")
        );
    }

    #[test]
    fn input_keeps_known_members_and_drops_nulls() {
        let m = test_model();
        let shape = m.operation("PutThing").unwrap().input.unwrap();
        let read = |body: &str| read_body(&m, shape, body.as_bytes()).unwrap();
        assert_eq!(
            read(
                r#"{"Name": "a", "Extra": 1, "State": null, "Limit": 7.9, "Tags": [null, {"Key": "k", "Value": "v", "X": 1}], "Attrs": {"k": "v", "n": null}, "When": 1767225600.5}"#
            ),
            serde_json::json!({"Name": "a", "Limit": 7, "Tags": [{"Key": "k", "Value": "v"}], "Attrs": {"k": "v"}, "When": 1767225600.5})
        );
        assert_eq!(read(""), serde_json::json!({}));
        assert_eq!(read(" null "), serde_json::json!({}));
    }

    #[test]
    fn missing_and_short_members_are_validation_errors() {
        assert_eq!(
            reply("Things.PutThing", "{}"),
            (
                400,
                r#"{"__type":"ValidationException","message":"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"}"#.into()
            )
        );
    }

    #[test]
    fn the_caller_comes_from_the_credential_scope() {
        let default = Ctx::new("123456789012", "us-east-1");
        let auth = |a: &str| caller(Some(a.as_bytes()), &default);
        assert_eq!(
            auth("AWS4-HMAC-SHA256 Credential=210987654321/20260101/eu-west-1/events/aws4_request, SignedHeaders=host, Signature=abc"),
            Ctx::new("210987654321", "eu-west-1")
        );
        assert_eq!(
            auth("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/ap-south-2/events/aws4_request"),
            Ctx::new("123456789012", "ap-south-2")
        );
        assert_eq!(
            auth("AWS4-HMAC-SHA256 Credential=1234/20260101/Not A Region/events/aws4_request"),
            default
        );
        assert_eq!(caller(None, &default), default);
        assert_eq!(auth("garbage"), default);
    }

    proptest::proptest! {
        #[test]
        fn any_request_gets_a_json_answer(
            target in proptest::sample::select(vec!["Things.PutThing", "Things.Nope", "", "Things"]),
            members in proptest::collection::vec(
                (proptest::sample::select(vec!["Name", "State", "Limit", "Tags", "Enabled",
                    "When", "Attrs", "Key", "Value", "Other"]),
                 proptest::sample::select(vec![r#""abc""#, r#""""#, "1", "-5", "2.5", "1e400",
                    "true", "null", "[]", r#"[{"Key":"k"}]"#, "[null, 1]", "{}",
                    r#"{"Key":"k","Value":7}"#, r#""\ud800""#, "[[[[[[]]]]]]"])),
                0..8),
            raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            let json: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let service = service();
            for body in [format!("{{{}}}", json.join(",")).into_bytes(), raw.clone()] {
                let reply = service.respond(&Request {
                    target: Some(target.as_bytes()),
                    authorization: Some(&raw),
                    body: &body,
                });
                proptest::prop_assert!(reply.status == 400 || reply.status == 500, "{}", reply.status);
                let answer: Value = serde_json::from_slice(&reply.body).unwrap();
                proptest::prop_assert!(answer["__type"].is_string());
            }
        }
    }

    #[test]
    fn errors_are_aws_json() {
        let e = error::rule_not_found("r", "default");
        assert_eq!(
            error_reply(&e),
            Reply {
                status: 400,
                body: br#"{"__type":"ResourceNotFoundException","message":"Rule r does not exist on EventBus default."}"#.to_vec()
            }
        );
        assert_eq!(error_reply(&error::internal("x")).status, 500);
        assert_eq!(
            error_reply(&error::cannot_convert("STRING_VALUE", "Integer")).body,
            br#"{"__type":"SerializationException","Message":"STRING_VALUE can not be converted to an Integer"}"#.to_vec()
        );
    }
}
