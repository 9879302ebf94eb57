//! The MCP wire protocol over stdio: one JSON-RPC 2.0 message per line, answered in order.
//!
//! Two eras of the protocol are spoken. The stateless revision 2026-07-28 (each request
//! carries its version in `_meta`, `server/discover` tells what the server supports, results
//! carry `resultType`), and the `initialize` handshake of 2025-11-25 back to 2024-11-05,
//! which is what most agents send today. `initialize` is answered with the client's version
//! when it is one of those, else the newest of them (an `initialize` answer never names
//! 2026-07-28: that revision has no handshake).

use serde_json::{json, Map, Value};

use super::tools;

/// The stateless revision.
pub const MODERN: &str = "2026-07-28";
/// Revisions with the `initialize` handshake, newest first.
pub const HANDSHAKE: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;
/// 2026-07-28: the request's protocol version is not one the server speaks.
pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

/// Every version spoken, newest first.
pub fn supported() -> Vec<&'static str> {
    std::iter::once(MODERN).chain(HANDSHAKE.iter().copied()).collect()
}

/// The version to answer an `initialize` asking for `requested` with.
pub fn negotiate(requested: Option<&str>) -> &'static str {
    HANDSHAKE.iter().copied().find(|v| Some(*v) == requested).unwrap_or(HANDSHAKE[0])
}

fn server_info() -> Value {
    json!({"name": "prisma-guard", "title": "prisma-guard (guarded Prisma tools)", "version": env!("CARGO_PKG_VERSION")})
}

const INSTRUCTIONS: &str = "Prisma tools behind prisma-guard. Schema changes (migrate-dev) are backed up first; \
destructive commands (migrate-reset, data-loss migrations) are refused and must be run by the user in their own \
terminal, where prisma-guard asks them to type the database name. When a tool is refused, stop and show the user \
the command it names.";

/// A JSON-RPC error to send back.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError { code, message: message.into(), data: None }
    }
}

/// What the server does for one request: the tools run in `ctx`.
pub struct Request<'a> {
    pub method: &'a str,
    pub params: &'a Map<String, Value>,
}

/// Answer one line of input: `None` when nothing is to be sent (a notification, a response,
/// a blank line).
pub fn handle_line(line: &str, ctx: &tools::Context) -> Option<Value> {
    if line.trim().is_empty() {
        return None;
    }
    let msg: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return Some(error(Value::Null, RpcError::new(PARSE_ERROR, format!("parse error: {e}")))),
    };
    let Value::Object(obj) = msg else {
        let what = if msg.is_array() { "batches are not supported" } else { "a message is a JSON object" };
        return Some(error(Value::Null, RpcError::new(INVALID_REQUEST, format!("invalid request: {what}"))));
    };
    let id = obj.get("id").cloned();
    let id_ok = matches!(id, None | Some(Value::String(_) | Value::Number(_)));
    let reply_id = if id_ok { id.clone().unwrap_or(Value::Null) } else { Value::Null };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") || !id_ok {
        return Some(error(reply_id, RpcError::new(INVALID_REQUEST, "invalid request: not a JSON-RPC 2.0 message")));
    }
    let Some(method) = obj.get("method") else {
        // A response to a request of ours (we send none) or junk with an id: nothing to say
        // to a response; junk is an invalid request.
        let is_response = obj.contains_key("result") || obj.contains_key("error");
        return (!is_response && id.is_some())
            .then(|| error(reply_id, RpcError::new(INVALID_REQUEST, "invalid request: no method")));
    };
    let Some(method) = method.as_str() else {
        return id.map(|_| error(reply_id, RpcError::new(INVALID_REQUEST, "invalid request: method is not a string")));
    };
    // Notifications (no id): `notifications/initialized`, `notifications/cancelled`, ...
    // need no answer, and a request runs to its end before the next line is read.
    id.as_ref()?;
    let empty = Map::new();
    let params = match obj.get("params") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(p)) => p,
        Some(_) => return Some(error(reply_id, RpcError::new(INVALID_PARAMS, "params must be an object"))),
    };
    Some(match respond(&Request { method, params }, ctx) {
        Ok(result) => json!({"jsonrpc": "2.0", "id": reply_id, "result": result}),
        Err(e) => error(reply_id, e),
    })
}

pub fn error(id: Value, e: RpcError) -> Value {
    let mut err = json!({"code": e.code, "message": e.message});
    if let Some(data) = e.data {
        err["data"] = data;
    }
    json!({"jsonrpc": "2.0", "id": id, "error": err})
}

/// The result for one request.
fn respond(req: &Request<'_>, ctx: &tools::Context) -> Result<Value, RpcError> {
    // 2026-07-28: the version travels with every request; such results say they are complete.
    let modern = match req.params.get("_meta").and_then(|m| m.get(META_VERSION)) {
        None => false,
        Some(v) => {
            let requested = v.as_str().unwrap_or_default();
            if !supported().contains(&requested) {
                return Err(RpcError {
                    code: UNSUPPORTED_PROTOCOL_VERSION,
                    message: format!("unsupported protocol version `{requested}`"),
                    data: Some(json!({"supported": supported(), "requested": v})),
                });
            }
            requested == MODERN
        }
    };
    let cacheable = |mut v: Value| {
        if modern {
            v["ttlMs"] = json!(3_600_000);
            v["cacheScope"] = json!("public");
        }
        v
    };
    let mut result = match req.method {
        "initialize" => {
            let requested = req.params.get("protocolVersion").and_then(Value::as_str);
            json!({
                "protocolVersion": negotiate(requested),
                "capabilities": {"tools": {"listChanged": false}},
                "serverInfo": server_info(),
                "instructions": INSTRUCTIONS,
            })
        }
        "server/discover" => cacheable(json!({
            "supportedVersions": supported(),
            "capabilities": {"tools": {"listChanged": false}},
            "serverInfo": server_info(),
            "instructions": INSTRUCTIONS,
        })),
        "ping" => json!({}),
        "tools/list" => cacheable(json!({"tools": tools::definitions()})),
        "tools/call" => {
            let name = req
                .params
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| RpcError::new(INVALID_PARAMS, "tools/call needs the tool's `name`"))?;
            let args = match req.params.get("arguments") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(a)) => a.clone(),
                Some(_) => return Err(RpcError::new(INVALID_PARAMS, "`arguments` must be an object")),
            };
            let Some(tool) = tools::Tool::named(name) else {
                return Err(RpcError {
                    code: INVALID_PARAMS,
                    message: format!("unknown tool `{name}`"),
                    data: Some(json!({"tools": tools::Tool::ALL.iter().map(|t| t.name()).collect::<Vec<_>>()})),
                });
            };
            tools::call(tool, &args, ctx).to_json()
        }
        other => return Err(RpcError::new(METHOD_NOT_FOUND, format!("method not found: {other}"))),
    };
    if modern {
        result["resultType"] = json!("complete");
        result["_meta"] = json!({"io.modelcontextprotocol/serverInfo": server_info()});
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_echoes_a_known_version_and_offers_the_newest_handshake_otherwise() {
        assert_eq!(negotiate(Some("2025-06-18")), "2025-06-18");
        assert_eq!(negotiate(Some("2024-11-05")), "2024-11-05");
        assert_eq!(negotiate(Some("1999-01-01")), "2025-11-25");
        assert_eq!(negotiate(Some(MODERN)), "2025-11-25", "no handshake in the stateless revision");
        assert_eq!(negotiate(None), "2025-11-25");
    }

    fn ctx() -> tools::Context {
        tools::Context::new(std::env::temp_dir(), crate::ui::Printer::default())
    }

    #[test]
    fn framing_errors_have_their_codes_and_notifications_get_no_answer() {
        let c = ctx();
        let code = |line: &str| handle_line(line, &c).map(|v| v["error"]["code"].as_i64().unwrap_or(0));
        assert_eq!(code("{not json"), Some(PARSE_ERROR));
        assert_eq!(code("[]"), Some(INVALID_REQUEST));
        assert_eq!(code("42"), Some(INVALID_REQUEST));
        assert_eq!(code(r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#), Some(INVALID_REQUEST));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#), Some(INVALID_REQUEST));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"resources/list"}"#), Some(METHOD_NOT_FOUND));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#), Some(INVALID_PARAMS));
        assert_eq!(code(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#), None);
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":7,"result":{}}"#), None);
        assert_eq!(code("   "), None);
        let pong = handle_line(r#"{"jsonrpc":"2.0","id":"a","method":"ping"}"#, &c).unwrap_or_default();
        assert_eq!(pong, json!({"jsonrpc": "2.0", "id": "a", "result": {}}));
    }

    #[test]
    fn stateless_requests_carry_their_version() {
        let c = ctx();
        let line = |v: &str| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{{"_meta":{{"{META_VERSION}":"{v}","io.modelcontextprotocol/clientCapabilities":{{}}}}}}}}"#
            )
        };
        let found = handle_line(&line(MODERN), &c).unwrap_or_default();
        assert_eq!(found["result"]["resultType"], "complete");
        assert_eq!(found["result"]["supportedVersions"][0], MODERN);
        assert!(found["result"]["capabilities"]["tools"].is_object());
        let refused = handle_line(&line("2031-01-01"), &c).unwrap_or_default();
        assert_eq!(refused["error"]["code"], UNSUPPORTED_PROTOCOL_VERSION);
        assert_eq!(refused["error"]["data"]["requested"], "2031-01-01");
        // The handshake era's results stay as that era wrote them.
        let old = handle_line(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, &c).unwrap_or_default();
        assert!(old["result"].get("resultType").is_none() && old["result"].get("ttlMs").is_none());
    }
}
