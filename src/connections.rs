//! Connections: CreateConnection, DescribeConnection, ListConnections, UpdateConnection,
//! DeleteConnection, DeauthorizeConnection.
//!
//! A connection keeps the authorization parameters it was given, secrets included, because
//! AWS keeps them (in a Secrets Manager secret). No response ever carries a secret: every
//! output goes through `public_auth`, which copies only the members AWS returns
//! (docs/aws-facts-connections.md). Forwarding reads them through `credentials`, in the
//! layout of the secret AWS writes, to keep that secret in Secrets Manager and to invoke
//! API destinations.

use crate::error::{self, Result};
use crate::paging;
use crate::request::{str_of, Obj, Out};
use crate::state::{partition, Ctx, Region};
use serde_json::{json, Map, Value};

pub const BASIC: &str = "BASIC";
pub const API_KEY: &str = "API_KEY";
pub const OAUTH: &str = "OAUTH_CLIENT_CREDENTIALS";

pub const AUTHORIZED: &str = "AUTHORIZED";
pub const AUTHORIZING: &str = "AUTHORIZING";
pub const DEAUTHORIZED: &str = "DEAUTHORIZED";
pub const DEAUTHORIZING: &str = "DEAUTHORIZING";
pub const DELETING: &str = "DELETING";

/// The three members of AuthParameters that each hold one kind of authorization.
const AUTH_BLOCKS: [&str; 3] = [
    "BasicAuthParameters",
    "OAuthParameters",
    "ApiKeyAuthParameters",
];

#[derive(Debug)]
pub struct Connection {
    pub name: String,
    pub arn: String,
    pub secret_arn: String,
    pub description: Option<String>,
    pub authorization_type: String,
    /// AuthParameters as given, secrets included. Never output as is: see `public_auth`.
    auth: Value,
    pub invocation_connectivity_parameters: Option<Value>,
    pub kms_key_identifier: Option<String>,
    pub state: &'static str,
    pub creation_time: f64,
    pub last_modified_time: f64,
    pub last_authorized_time: f64,
}

impl Connection {
    /// The members ListConnections and DescribeConnection share.
    fn summary(&self) -> Obj {
        Obj::new()
            .put("ConnectionArn", self.arn.as_str())
            .put("Name", self.name.as_str())
            .put("ConnectionState", self.state)
            .put("AuthorizationType", self.authorization_type.as_str())
            .time("CreationTime", self.creation_time)
            .time("LastModifiedTime", self.last_modified_time)
            .time("LastAuthorizedTime", self.last_authorized_time)
    }

    /// What Update-, Delete- and DeauthorizeConnection return, in state `state`.
    fn status(&self, state: &str) -> Out {
        Obj::new()
            .put("ConnectionArn", self.arn.as_str())
            .put("ConnectionState", state)
            .time("CreationTime", self.creation_time)
            .time("LastModifiedTime", self.last_modified_time)
            .time("LastAuthorizedTime", self.last_authorized_time)
            .build()
    }

    /// The AuthParameters a response may show: no password, API key value, client secret,
    /// or value of a parameter marked secret.
    pub fn public_auth(&self) -> Value {
        public_auth(&self.auth)
    }
}

/// The state a connection reaches once authorized with `authorization_type`: OAuth first
/// fetches a token from the authorization endpoint, which a mock never reaches.
fn authorized_state(authorization_type: &str) -> &'static str {
    if authorization_type == OAUTH {
        AUTHORIZING
    } else {
        AUTHORIZED
    }
}

impl Region {
    pub fn connection(&self, name: &str) -> Result<&Connection> {
        self.connections
            .get(name)
            .ok_or_else(|| error::connection_not_found(name))
    }

    fn connection_mut(&mut self, name: &str) -> Result<&mut Connection> {
        self.connections
            .get_mut(name)
            .ok_or_else(|| error::connection_not_found(name))
    }

    /// The connection an ARN names in this account and region, if it still exists (a
    /// connection deleted and created again under the same name has another ARN).
    pub fn connection_by_arn(&self, arn: &str) -> Option<&Connection> {
        let name = arn.split('/').nth(1)?;
        self.connections.get(name).filter(|c| c.arn == arn)
    }
}

pub fn connection_arn(ctx: &Ctx, name: &str) -> String {
    ctx.arn(&format!("connection/{name}/{}", uuid::Uuid::new_v4()))
}

/// The ARN of the secret EventBridge keeps a connection's credentials in: a Secrets Manager
/// secret `events!connection/NAME/UUID`, whose ARN ends with Secrets Manager's `-` and six
/// random characters.
fn secret_arn(ctx: &Ctx, name: &str) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let suffix: String = uuid::Uuid::new_v4().as_bytes()[..6]
        .iter()
        .map(|b| CHARS[*b as usize % CHARS.len()] as char)
        .collect();
    format!(
        "arn:{}:secretsmanager:{}:{}:secret:events!connection/{name}/{}-{suffix}",
        partition(&ctx.region),
        ctx.region,
        ctx.account,
        uuid::Uuid::new_v4()
    )
}

/// The members of each authorization block that must be set, and which of them are secret.
fn required_members(block: &str) -> &'static [&'static str] {
    match block {
        "BasicAuthParameters" => &["Username", "Password"],
        "ApiKeyAuthParameters" => &["ApiKeyName", "ApiKeyValue"],
        _ => &["ClientParameters", "AuthorizationEndpoint", "HttpMethod"],
    }
}

fn block_for(authorization_type: &str) -> &'static str {
    match authorization_type {
        BASIC => "BasicAuthParameters",
        API_KEY => "ApiKeyAuthParameters",
        _ => "OAuthParameters",
    }
}

/// AuthParameters may hold the block of its AuthorizationType only.
fn check_blocks(auth: &Value, authorization_type: &str, verb: &str) -> Result<()> {
    let given: Vec<&str> = AUTH_BLOCKS
        .into_iter()
        .filter(|b| auth.get(*b).is_some())
        .collect();
    let wanted = block_for(authorization_type);
    if given.len() > 1 {
        return Err(error::connection_auth_blocks(verb));
    }
    match given.first() {
        Some(b) if *b != wanted => Err(error::connection_auth_mismatch(
            verb,
            wanted,
            authorization_type,
        )),
        _ => Ok(()),
    }
}

/// After an update, the block of the connection's type must be complete.
fn check_complete(auth: &Value, authorization_type: &str, verb: &str) -> Result<()> {
    let block = block_for(authorization_type);
    let Some(given) = auth.get(block) else {
        return Err(error::connection_auth_mismatch(
            verb,
            block,
            authorization_type,
        ));
    };
    let mut missing: Vec<String> = required_members(block)
        .iter()
        .filter(|m| given.get(**m).is_none())
        .map(|m| format!("{block}.{m}"))
        .collect();
    if let Some(client) = given.get("ClientParameters") {
        for m in ["ClientID", "ClientSecret"] {
            if client.get(m).is_none() {
                missing.push(format!("{block}.ClientParameters.{m}"));
            }
        }
    }
    match missing.is_empty() {
        true => Ok(()),
        false => Err(error::connection_auth_incomplete(verb, &missing)),
    }
}

/// Copies `from` onto `into`, member by member, for structures; anything else is replaced.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                // Lists of HTTP parameters are replaced as a whole.
                match a.get_mut(k) {
                    Some(slot) if v.is_object() => merge(slot, v),
                    _ => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// Copies `members` of `from` that are present.
fn pick(from: &Value, members: &[&str]) -> Value {
    let mut out = Map::new();
    for m in members {
        if let Some(v) = from.get(*m) {
            out.insert((*m).to_owned(), v.clone());
        }
    }
    Value::Object(out)
}

/// An HTTP parameters structure without the values marked secret.
fn public_http(p: &Value) -> Value {
    let mut out = Map::new();
    for list in [
        "HeaderParameters",
        "QueryStringParameters",
        "BodyParameters",
    ] {
        if let Some(items) = p.get(list).and_then(Value::as_array) {
            let items = items
                .iter()
                .map(|item| {
                    let secret = item.get("IsValueSecret").and_then(Value::as_bool) == Some(true);
                    match secret {
                        true => pick(item, &["Key", "IsValueSecret"]),
                        false => pick(item, &["Key", "Value", "IsValueSecret"]),
                    }
                })
                .collect();
            out.insert(list.to_owned(), Value::Array(items));
        }
    }
    Value::Object(out)
}

/// The AuthParameters AWS returns: each block with its secrets left out. Built member by
/// member from what AWS shows, so nothing unknown is ever echoed.
pub fn public_auth(auth: &Value) -> Value {
    let mut out = Map::new();
    if let Some(b) = auth.get("BasicAuthParameters") {
        out.insert("BasicAuthParameters".into(), pick(b, &["Username"]));
    }
    if let Some(k) = auth.get("ApiKeyAuthParameters") {
        out.insert("ApiKeyAuthParameters".into(), pick(k, &["ApiKeyName"]));
    }
    if let Some(o) = auth.get("OAuthParameters") {
        let mut p = Map::new();
        if let Some(c) = o.get("ClientParameters") {
            p.insert("ClientParameters".into(), pick(c, &["ClientID"]));
        }
        for m in ["AuthorizationEndpoint", "HttpMethod"] {
            if let Some(v) = o.get(m) {
                p.insert(m.into(), v.clone());
            }
        }
        if let Some(h) = o.get("OAuthHttpParameters") {
            p.insert("OAuthHttpParameters".into(), public_http(h));
        }
        out.insert("OAuthParameters".into(), Value::Object(p));
    }
    if let Some(h) = auth.get("InvocationHttpParameters") {
        out.insert("InvocationHttpParameters".into(), public_http(h));
    }
    if let Some(c) = auth.get("ConnectivityParameters") {
        if let Some(r) = c.get("ResourceParameters") {
            out.insert(
                "ConnectivityParameters".into(),
                json!({"ResourceParameters": pick(r, &["ResourceConfigurationArn"])}),
            );
        }
    }
    Value::Object(out)
}

/// Forgets every secret of `auth` (DeauthorizeConnection).
fn drop_secrets(auth: &mut Value) {
    let paths: [&[&str]; 3] = [
        &["BasicAuthParameters", "Password"],
        &["ApiKeyAuthParameters", "ApiKeyValue"],
        &["OAuthParameters", "ClientParameters", "ClientSecret"],
    ];
    for path in paths {
        let (last, parents) = path.split_last().expect("non-empty path");
        let mut at = Some(&mut *auth);
        for p in parents {
            at = at.and_then(|v| v.get_mut(*p));
        }
        if let Some(Value::Object(o)) = at {
            o.remove(*last);
        }
    }
    let mut http: Vec<&mut Value> = Vec::new();
    if let Some(Value::Object(o)) = auth.get_mut("OAuthParameters") {
        if let Some(h) = o.get_mut("OAuthHttpParameters") {
            http.push(h);
        }
    }
    for h in http {
        drop_secret_http(h);
    }
    if let Some(h) = auth.get_mut("InvocationHttpParameters") {
        drop_secret_http(h);
    }
}

fn drop_secret_http(p: &mut Value) {
    for list in [
        "HeaderParameters",
        "QueryStringParameters",
        "BodyParameters",
    ] {
        if let Some(Value::Array(items)) = p.get_mut(list) {
            for item in items.iter_mut() {
                let secret = item.get("IsValueSecret").and_then(Value::as_bool) == Some(true);
                if let (true, Value::Object(o)) = (secret, item) {
                    o.remove("Value");
                }
            }
        }
    }
}

/// The Secrets Manager secret AWS keeps a connection's credentials in: the members of its
/// authorization block flat and in snake_case, then its HTTP parameters
/// (docs/aws-facts-connections.md §1.4; the layout of parameter lists: docs/decisions.md).
fn secret_value(auth: &Value) -> Value {
    let mut out = Map::new();
    let mut copy = |from: Option<&Value>, members: &[(&str, &str)]| {
        for (member, key) in members {
            if let Some(v) = from.and_then(|f| f.get(*member)) {
                out.insert((*key).to_owned(), v.clone());
            }
        }
    };
    copy(
        auth.get("BasicAuthParameters"),
        &[("Username", "username"), ("Password", "password")],
    );
    copy(
        auth.get("ApiKeyAuthParameters"),
        &[
            ("ApiKeyName", "api_key_name"),
            ("ApiKeyValue", "api_key_value"),
        ],
    );
    let oauth = auth.get("OAuthParameters");
    copy(
        oauth.and_then(|o| o.get("ClientParameters")),
        &[("ClientID", "client_id"), ("ClientSecret", "client_secret")],
    );
    copy(
        oauth,
        &[
            ("AuthorizationEndpoint", "authorization_endpoint"),
            ("HttpMethod", "http_method"),
        ],
    );
    if let Some(h) = oauth.and_then(|o| o.get("OAuthHttpParameters")) {
        out.insert("oauth_http_parameters".into(), secret_http(h));
    }
    if let Some(h) = auth.get("InvocationHttpParameters") {
        out.insert("invocation_http_parameters".into(), secret_http(h));
    }
    Value::Object(out)
}

/// HTTP parameters as the secret holds them: `{key, value, is_value_secret}` items.
fn secret_http(p: &Value) -> Value {
    let mut out = Map::new();
    for (list, key) in [
        ("HeaderParameters", "header_parameters"),
        ("QueryStringParameters", "query_string_parameters"),
        ("BodyParameters", "body_parameters"),
    ] {
        if let Some(items) = p.get(list).and_then(Value::as_array) {
            let items = items
                .iter()
                .map(|item| {
                    let mut o = Map::new();
                    if let Some(k) = item.get("Key") {
                        o.insert("key".into(), k.clone());
                    }
                    // A deauthorized connection keeps no secret value.
                    if let Some(v) = item.get("Value") {
                        o.insert("value".into(), v.clone());
                    }
                    let secret = item.get("IsValueSecret").and_then(Value::as_bool);
                    o.insert("is_value_secret".into(), Value::Bool(secret == Some(true)));
                    Value::Object(o)
                })
                .collect();
            out.insert(key.to_owned(), Value::Array(items));
        }
    }
    Value::Object(out)
}

/// What forwarding needs of a connection: its ARN, state, type, secret ARN and the value of
/// its secret (`SecretString`). Never the answer to an EventBridge operation.
pub fn credentials(region: &Region, name: &str) -> Option<Value> {
    let c = region.connections.get(name)?;
    Some(json!({
        "Name": c.name,
        "ConnectionArn": c.arn,
        "ConnectionState": c.state,
        "AuthorizationType": c.authorization_type,
        "SecretArn": c.secret_arn,
        "KmsKeyIdentifier": c.kms_key_identifier,
        "SecretString": secret_value(&c.auth).to_string(),
    }))
}

/// Points the connection at the secret that holds its credentials (one made in Secrets
/// Manager). False when the connection `connection_arn` no longer exists.
pub fn set_secret_arn(
    region: &mut Region,
    name: &str,
    connection_arn: &str,
    secret_arn: &str,
) -> bool {
    match region.connections.get_mut(name) {
        Some(c) if c.arn == connection_arn => {
            c.secret_arn = secret_arn.to_owned();
            true
        }
        _ => false,
    }
}

/// The outcome of authorizing with the connection's endpoint (an OAuth token fetched or
/// refused, an endpoint answering 401): AUTHORIZED or DEAUTHORIZED.
pub fn set_authorized(
    region: &mut Region,
    name: &str,
    connection_arn: &str,
    authorized: bool,
    now: f64,
) -> bool {
    match region.connections.get_mut(name) {
        Some(c) if c.arn == connection_arn => {
            if authorized {
                c.state = AUTHORIZED;
                c.last_authorized_time = now;
            } else {
                c.state = DEAUTHORIZED;
            }
            true
        }
        _ => false,
    }
}

pub fn create_connection(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    let authorization_type = str_of(input, "AuthorizationType").unwrap_or_default();
    let auth = input.get("AuthParameters").cloned().unwrap_or(json!({}));
    if region.connections.contains_key(name) {
        return Err(error::connection_exists(name));
    }
    check_blocks(&auth, authorization_type, "create")?;
    check_complete(&auth, authorization_type, "create")?;
    let ctx = region.ctx.clone();
    let connection = Connection {
        name: name.to_owned(),
        arn: connection_arn(&ctx, name),
        secret_arn: secret_arn(&ctx, name),
        description: str_of(input, "Description").map(str::to_owned),
        authorization_type: authorization_type.to_owned(),
        auth,
        invocation_connectivity_parameters: input.get("InvocationConnectivityParameters").cloned(),
        kms_key_identifier: str_of(input, "KmsKeyIdentifier").map(str::to_owned),
        state: authorized_state(authorization_type),
        creation_time: now,
        last_modified_time: now,
        last_authorized_time: now,
    };
    // CreateConnection answers without LastAuthorizedTime.
    let out = Obj::new()
        .put("ConnectionArn", connection.arn.as_str())
        .put("ConnectionState", connection.state)
        .time("CreationTime", now)
        .time("LastModifiedTime", now)
        .build();
    region.connections.insert(name.to_owned(), connection);
    Ok(out)
}

pub fn describe_connection(region: &Region, input: &Value) -> Result<Out> {
    let c = region.connection(str_of(input, "Name").unwrap_or_default())?;
    Ok(c.summary()
        .opt("Description", c.description.as_deref())
        .opt(
            "InvocationConnectivityParameters",
            c.invocation_connectivity_parameters.as_ref(),
        )
        .put("SecretArn", c.secret_arn.as_str())
        .opt("KmsKeyIdentifier", c.kms_key_identifier.as_deref())
        .put("AuthParameters", c.public_auth())
        .build())
}

pub fn list_connections(region: &Region, input: &Value) -> Result<Out> {
    let prefix = str_of(input, "NamePrefix").unwrap_or_default();
    let state = str_of(input, "ConnectionState");
    let connections: Vec<&Connection> = region
        .connections
        .values()
        .filter(|c| c.name.starts_with(prefix) && state.is_none_or(|s| s == c.state))
        .collect();
    paging::list_response(
        input,
        "Limit",
        "Connections",
        connections,
        |c| &c.name,
        |c| c.summary().build(),
    )
}

pub fn update_connection(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let c = region.connection_mut(str_of(input, "Name").unwrap_or_default())?;
    let authorization_type = str_of(input, "AuthorizationType").unwrap_or(&c.authorization_type);
    let given = input.get("AuthParameters");
    let changes_type = authorization_type != c.authorization_type;
    let mut auth = c.auth.clone();
    if let Some(given) = given {
        check_blocks(given, authorization_type, "update")?;
    }
    if changes_type {
        // The old type's block goes; the new one must come whole.
        if let Value::Object(o) = &mut auth {
            for b in AUTH_BLOCKS {
                o.remove(b);
            }
        }
    }
    if let Some(given) = given {
        merge(&mut auth, given);
    }
    let reauthorize = given.is_some() || changes_type;
    if reauthorize {
        check_complete(&auth, authorization_type, "update")?;
    }
    if let Some(d) = str_of(input, "Description") {
        c.description = Some(d.to_owned());
    }
    if let Some(p) = input.get("InvocationConnectivityParameters") {
        c.invocation_connectivity_parameters = Some(p.clone());
    }
    if let Some(k) = str_of(input, "KmsKeyIdentifier") {
        c.kms_key_identifier = Some(k.to_owned());
    }
    c.authorization_type = authorization_type.to_owned();
    c.auth = auth;
    c.last_modified_time = now;
    if reauthorize {
        c.state = authorized_state(&c.authorization_type);
        c.last_authorized_time = now;
    }
    Ok(c.status(c.state))
}

pub fn delete_connection(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let name = str_of(input, "Name").unwrap_or_default();
    region.connection(name)?;
    let mut c = region.connections.remove(name).expect("checked above");
    c.last_modified_time = now;
    Ok(c.status(DELETING))
}

pub fn deauthorize_connection(region: &mut Region, input: &Value, now: f64) -> Result<Out> {
    let c = region.connection_mut(str_of(input, "Name").unwrap_or_default())?;
    drop_secrets(&mut c.auth);
    c.state = DEAUTHORIZED;
    c.last_modified_time = now;
    Ok(c.status(DEAUTHORIZING))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_auth_leaves_out_every_secret() {
        let auth = json!({
            "BasicAuthParameters": {"Username": "u", "Password": "S1"},
            "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "S2"},
            "OAuthParameters": {
                "ClientParameters": {"ClientID": "id", "ClientSecret": "S3"},
                "AuthorizationEndpoint": "https://a.example/t",
                "HttpMethod": "POST",
                "OAuthHttpParameters": {"HeaderParameters": [
                    {"Key": "h", "Value": "S4", "IsValueSecret": true},
                    {"Key": "p", "Value": "public", "IsValueSecret": false}
                ]}
            },
            "InvocationHttpParameters": {"BodyParameters": [{"Key": "b", "Value": "S5", "IsValueSecret": true}]},
            "Unknown": "S6"
        });
        let text = public_auth(&auth).to_string();
        for s in ["S1", "S2", "S3", "S4", "S5", "S6"] {
            assert!(!text.contains(s), "{s} in {text}");
        }
        assert!(text.contains("public"));
    }

    #[test]
    fn secret_arn_has_aws_shape() {
        let arn = secret_arn(&Ctx::new("123456789012", "eu-west-1"), "c");
        let prefix = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:events!connection/c/";
        let rest = arn.strip_prefix(prefix).unwrap();
        let (id, suffix) = rest.rsplit_once('-').unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok());
        assert_eq!(suffix.len(), 6);
        assert!(suffix.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn secret_value_has_aws_layout() {
        let basic = json!({"BasicAuthParameters": {"Username": "u", "Password": "p"}, "InvocationHttpParameters": {}});
        assert_eq!(
            secret_value(&basic).to_string(),
            r#"{"username":"u","password":"p","invocation_http_parameters":{}}"#
        );
        let key = json!({"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}});
        assert_eq!(
            secret_value(&key).to_string(),
            r#"{"api_key_name":"k","api_key_value":"v"}"#
        );
        let oauth = json!({"OAuthParameters": {
            "ClientParameters": {"ClientID": "id", "ClientSecret": "s"},
            "AuthorizationEndpoint": "https://a.example/t",
            "HttpMethod": "POST",
            "OAuthHttpParameters": {"BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}]}
        }});
        assert_eq!(
            secret_value(&oauth),
            json!({
                "client_id": "id", "client_secret": "s",
                "authorization_endpoint": "https://a.example/t", "http_method": "POST",
                "oauth_http_parameters": {"body_parameters": [
                    {"key": "grant_type", "value": "client_credentials", "is_value_secret": false}
                ]}
            })
        );
    }

    #[test]
    fn deauthorizing_forgets_secrets() {
        let mut auth = json!({
            "BasicAuthParameters": {"Username": "u", "Password": "S1"},
            "InvocationHttpParameters": {"HeaderParameters": [{"Key": "h", "Value": "S2", "IsValueSecret": true}]}
        });
        drop_secrets(&mut auth);
        assert_eq!(
            auth,
            json!({
                "BasicAuthParameters": {"Username": "u"},
                "InvocationHttpParameters": {"HeaderParameters": [{"Key": "h", "IsValueSecret": true}]}
            })
        );
    }
}
