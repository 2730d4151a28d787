//! `Limit` and `NextToken` for every list operation. A token is opaque to the caller: it
//! encodes the sort key of the first item of the next page, so a page stays correct when
//! items are added or removed between calls.

use crate::error::{self, Result};
use crate::request::{int_of, str_of, Obj, Out};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

/// AWS's page size when a call gives no `Limit`.
pub const DEFAULT_LIMIT: usize = 100;
const TOKEN_PREFIX: &str = "ebm1:";

pub fn encode_token(next_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{TOKEN_PREFIX}{next_key}"))
}

pub fn decode_token(token: &str) -> Result<String> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix(TOKEN_PREFIX).map(str::to_owned))
        .ok_or_else(error::invalid_next_token)
}

/// One page of `items`, which must be sorted by `key`.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> &str,
    limit: Option<i64>,
    token: Option<&str>,
) -> Result<(Vec<T>, Option<String>)> {
    let start = match token {
        Some(t) => decode_token(t)?,
        None => String::new(),
    };
    let limit = limit.map_or(DEFAULT_LIMIT, |l| l.max(1) as usize);
    let mut rest = items.into_iter().filter(|i| key(i) >= start.as_str());
    let page: Vec<T> = rest.by_ref().take(limit).collect();
    let next = rest.next().map(|i| encode_token(key(&i)));
    Ok((page, next))
}

/// A list operation's response: one page of `items` (sorted by `key`) under `member`, with
/// `NextToken` when more remain. `limit_member` is the request's page-size member (`Limit`,
/// or `MaxResults` for the newer operations).
pub fn list_response<T>(
    input: &Value,
    limit_member: &str,
    member: &'static str,
    items: Vec<T>,
    key: impl Fn(&T) -> &str,
    to_out: impl Fn(&T) -> Out,
) -> Result<Out> {
    let (page, next) = page(
        items,
        key,
        int_of(input, limit_member),
        str_of(input, "NextToken"),
    )?;
    Ok(Obj::new()
        .put(member, page.iter().map(to_out).collect::<Vec<Out>>())
        .opt("NextToken", next)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_through_sorted_items() {
        let items: Vec<String> = (0..5).map(|i| format!("r{i}")).collect();
        let (p1, t1) = page(items.clone(), |s| s, Some(2), None).unwrap();
        assert_eq!(p1, vec!["r0", "r1"]);
        let (p2, t2) = page(items.clone(), |s| s, Some(2), t1.as_deref()).unwrap();
        assert_eq!(p2, vec!["r2", "r3"]);
        let (p3, t3) = page(items, |s| s, Some(2), t2.as_deref()).unwrap();
        assert_eq!(p3, vec!["r4"]);
        assert_eq!(t3, None);
    }

    #[test]
    fn malformed_tokens_are_rejected() {
        for bad in ["", "not-a-token", "!!!", &URL_SAFE_NO_PAD.encode("other:x")] {
            assert_eq!(
                decode_token(bad).unwrap_err().code,
                error::VALIDATION,
                "{bad}"
            );
        }
    }
}
