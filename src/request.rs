//! Reading validated requests (JSON) and building responses (`Out`).

use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A string member of a request (absent, or not a string: None).
pub fn str_of<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

pub fn bool_of(input: &Value, key: &str) -> bool {
    input.get(key).and_then(Value::as_bool).unwrap_or(false)
}

pub fn int_of(input: &Value, key: &str) -> Option<i64> {
    input.get(key).and_then(Value::as_i64)
}

pub fn list_of<'a>(input: &'a Value, key: &str) -> &'a [Value] {
    input
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A response. Cheaper to build, convert and drop than a JSON map, which matters on the
/// per-call path; timestamps are typed, so the binding needs no shape to find them.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Bool(bool),
    Int(i64),
    /// Epoch seconds; AWS sends them as JSON numbers, botocore returns datetimes.
    Time(f64),
    Str(String),
    List(Vec<Out>),
    Obj(Vec<(&'static str, Out)>),
    /// A structure the caller gave and gets back as given (a Target, a DeadLetterConfig).
    Json(Value),
    /// A flat object that many responses share until its source changes (a rule's entry in
    /// ListRules): measured once, and converted once by the binding.
    Shared(Arc<Shared>),
    /// A shared object with more members after its own (DescribeRule: the rule's ListRules
    /// entry and `CreatedBy`).
    Extended(Arc<Shared>, Vec<(&'static str, Out)>),
}

/// A flat object (strings, numbers, booleans, times: nothing a caller could change inside
/// it) shared by responses.
#[derive(Debug)]
pub struct Shared {
    /// Unique in the process, never reused: the binding keeps its conversion by this id.
    pub id: u64,
    pub out: Out,
    pub json_len: usize,
}

impl Shared {
    pub fn new(out: Out) -> Arc<Shared> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Arc::new(Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            json_len: out.json_len(),
            out,
        })
    }
}

impl PartialEq for Shared {
    fn eq(&self, other: &Shared) -> bool {
        self.out == other.out
    }
}

impl From<bool> for Out {
    fn from(b: bool) -> Out {
        Out::Bool(b)
    }
}

impl From<usize> for Out {
    fn from(n: usize) -> Out {
        Out::Int(n as i64)
    }
}

impl From<i64> for Out {
    fn from(n: i64) -> Out {
        Out::Int(n)
    }
}

impl From<&str> for Out {
    fn from(s: &str) -> Out {
        Out::Str(s.to_owned())
    }
}

impl From<String> for Out {
    fn from(s: String) -> Out {
        Out::Str(s)
    }
}

impl From<&String> for Out {
    fn from(s: &String) -> Out {
        Out::Str(s.clone())
    }
}

impl From<Value> for Out {
    fn from(v: Value) -> Out {
        Out::Json(v)
    }
}

impl From<&Value> for Out {
    fn from(v: &Value) -> Out {
        Out::Json(v.clone())
    }
}

impl<T: Into<Out>> From<Vec<T>> for Out {
    fn from(items: Vec<T>) -> Out {
        Out::List(items.into_iter().map(Into::into).collect())
    }
}

impl Out {
    /// The response as AWS's JSON body.
    pub fn to_json(&self) -> Value {
        match self {
            Out::Bool(b) => Value::Bool(*b),
            Out::Int(n) => Value::from(*n),
            Out::Time(t) => serde_json::Number::from_f64(*t).map_or(Value::Null, Value::Number),
            Out::Str(s) => Value::String(s.clone()),
            Out::List(items) => Value::Array(items.iter().map(Out::to_json).collect()),
            Out::Obj(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.to_json()))
                    .collect(),
            ),
            Out::Json(v) => v.clone(),
            Out::Shared(shared) => shared.out.to_json(),
            Out::Extended(shared, more) => {
                let mut v = shared.out.to_json();
                if let Value::Object(members) = &mut v {
                    members.extend(more.iter().map(|(k, v)| ((*k).to_owned(), v.to_json())));
                }
                v
            }
        }
    }

    /// The length of the JSON body (the response's Content-Length), without building it.
    pub fn json_len(&self) -> usize {
        match self {
            Out::Bool(true) => 4,
            Out::Bool(false) => 5,
            Out::Int(n) => itoa::Buffer::new().format(*n).len(),
            Out::Time(t) => ryu::Buffer::new().format(*t).len(),
            Out::Str(s) => json_str_len(s),
            Out::List(items) => {
                2 + items.iter().map(Out::json_len).sum::<usize>() + items.len().saturating_sub(1)
            }
            Out::Obj(members) => {
                2 + members
                    .iter()
                    .map(|(k, v)| json_str_len(k) + 1 + v.json_len())
                    .sum::<usize>()
                    + members.len().saturating_sub(1)
            }
            Out::Json(v) => {
                let mut c = Count(0);
                let _ = serde_json::to_writer(&mut c, v);
                c.0
            }
            Out::Shared(shared) => shared.json_len,
            Out::Extended(shared, more) => {
                let empty = shared.json_len <= 2;
                shared.json_len
                    + more
                        .iter()
                        .map(|(k, v)| json_str_len(k) + 1 + v.json_len())
                        .sum::<usize>()
                    + more.len()
                    - usize::from(empty && !more.is_empty())
            }
        }
    }
}

/// The response body AWS sends, written without building a JSON tree first.
impl serde::Serialize for Out {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Out::Bool(b) => s.serialize_bool(*b),
            Out::Int(n) => s.serialize_i64(*n),
            Out::Time(t) => s.serialize_f64(*t),
            Out::Str(text) => s.serialize_str(text),
            Out::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Out::Obj(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Out::Json(v) => v.serialize(s),
            Out::Shared(shared) => shared.out.serialize(s),
            Out::Extended(shared, more) => {
                let own = match &shared.out {
                    Out::Obj(members) => members.as_slice(),
                    _ => &[],
                };
                let mut map = s.serialize_map(Some(own.len() + more.len()))?;
                for (k, v) in own.iter().chain(more) {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Length of a string as a JSON string literal, with serde_json's escapes: `\\"`, `\\\\`,
/// the two-character escapes of \\b \\t \\n \\f \\r, and `\\u00XX` for other control bytes.
/// Eight bytes at a time: most strings have nothing to escape.
fn json_str_len(s: &str) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOWS: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // 0x80 in exactly the bytes of `x` that are zero.
    let zeros = |x: u64| !(((x & LOWS).wrapping_add(LOWS)) | x | LOWS);
    let bytes = s.as_bytes();
    let mut extra = 0usize;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // A byte below 0x20 has its top three bits clear.
        if zeros(x & (0xE0 * ONES)) != 0 {
            extra += chunk.iter().map(|&b| escape_extra(b)).sum::<usize>();
        } else {
            // Quotes and backslashes (pattern text is full of quotes) add one byte each.
            let quotes = zeros(x ^ (u64::from(b'"') * ONES));
            let backslashes = zeros(x ^ (u64::from(b'\\') * ONES));
            // One bit per such byte, summed by a multiply (no popcount on baseline x86_64).
            let marks = (quotes | backslashes) >> 7;
            extra += (marks.wrapping_mul(ONES) >> 56) as usize;
        }
    }
    extra += chunks
        .remainder()
        .iter()
        .map(|&b| escape_extra(b))
        .sum::<usize>();
    2 + bytes.len() + extra
}

/// How many bytes serde_json adds to escape `b`.
fn escape_extra(b: u8) -> usize {
    match b {
        b'"' | b'\\' | 0x08 | b'\t' | b'\n' | 0x0c | b'\r' => 1,
        0..=0x1f => 5,
        _ => 0,
    }
}

/// A response object whose absent members are left out, as AWS leaves them out.
#[derive(Default)]
pub struct Obj(Vec<(&'static str, Out)>);

impl Obj {
    pub fn new() -> Obj {
        Obj::default()
    }

    pub fn put(mut self, key: &'static str, value: impl Into<Out>) -> Obj {
        self.0.push((key, value.into()));
        self
    }

    pub fn opt<V: Into<Out>>(self, key: &'static str, value: Option<V>) -> Obj {
        match value {
            Some(v) => self.put(key, v),
            None => self,
        }
    }

    pub fn time(mut self, key: &'static str, epoch_seconds: f64) -> Obj {
        self.0.push((key, Out::Time(epoch_seconds)));
        self
    }

    pub fn build(self) -> Out {
        Out::Obj(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_str_len_agrees_with_serde_on_every_byte() {
        for b in 0u8..0x80 {
            for len in [1usize, 7, 8, 9, 17] {
                let mut text = "a".repeat(len);
                text.insert(len / 2, b as char);
                let expected = serde_json::to_string(&text).unwrap().len();
                assert_eq!(json_str_len(&text), expected, "byte {b:#x} in {len}");
            }
        }
    }

    #[test]
    fn json_str_len_counts_many_quotes_and_backslashes() {
        for text in [
            r#"{"source":["com.shop"],"detail":{"a\\b":[{"prefix":"x\"y"}]}}"#.repeat(3),
            "\"\"\"\"\"\"\"\"\\\\\\".to_string(),
            "é\"ü\\€\"".repeat(5),
        ] {
            assert_eq!(
                json_str_len(&text),
                serde_json::to_string(&text).unwrap().len(),
                "{text}"
            );
        }
    }

    #[test]
    fn shared_and_extended_objects_measure_as_serialized() {
        let shared = Shared::new(
            Obj::new()
                .put("Name", "r \"1\"")
                .put("State", "ENABLED")
                .build(),
        );
        let empty = Shared::new(Obj::new().build());
        for out in [
            Out::Shared(shared.clone()),
            Out::Extended(shared.clone(), vec![("CreatedBy", "123".into())]),
            Out::Extended(shared, vec![]),
            Out::Extended(
                empty.clone(),
                vec![("A", 1usize.into()), ("B", true.into())],
            ),
            Out::Shared(empty),
        ] {
            assert_eq!(
                out.json_len(),
                serde_json::to_vec(&out.to_json()).unwrap().len(),
                "{out:?}"
            );
        }
    }

    #[test]
    fn json_len_matches_serialized_length() {
        let out = Obj::new()
            .put("Name", "a \"quoted\"\n\u{1} é")
            .put("Count", 42usize)
            .put("Ok", false)
            .time("When", 1764160000.123)
            .put("Items", vec!["x", "y"])
            .put("Empty", Vec::<Out>::new())
            .put(
                "Given",
                json!({"Arn": "arn:aws:sqs:us-east-1:1:q", "N": [1, 2.5]}),
            )
            .build();
        assert_eq!(
            out.json_len(),
            serde_json::to_vec(&out.to_json()).unwrap().len()
        );
        assert_eq!(
            serde_json::to_vec(&out).unwrap(),
            serde_json::to_vec(&out.to_json()).unwrap()
        );
    }
}
