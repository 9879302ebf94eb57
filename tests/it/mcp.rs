//! `prisma-guard mcp`: a real MCP client conversation over stdio with the built binary, on a
//! SQLite project with the fake Prisma 7; and `init`/`uninstall`/`doctor` on the agents' MCP
//! settings.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value};

use crate::guard::{guarded_project, prisma_calls, rows};
use crate::support::*;

/// An MCP client speaking to `prisma-guard mcp` on its stdin and stdout.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
}

impl Client {
    fn start(ctx: &TestContext) -> Client {
        let mut child = Command::new("/usr/bin/setsid")
            .arg("-w")
            .arg(bin())
            .arg("mcp")
            .current_dir(ctx.root())
            .env_clear()
            .envs(ctx.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Client { child, stdin, stdout, next_id: 0 }
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// The next message the server writes: one line, one JSON object.
    fn read(&mut self) -> Value {
        let mut line = String::new();
        assert!(self.stdout.read_line(&mut line).unwrap() > 0, "the server closed its stdout");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line on stdout ({e}): {line:?}"))
    }

    /// A request; its response (checked to answer it).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send_line(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string());
        let answer = self.read();
        assert_eq!(answer["jsonrpc"], "2.0");
        assert_eq!(answer["id"], id, "{answer}");
        answer
    }

    fn notify(&mut self, method: &str) {
        self.send_line(&json!({"jsonrpc": "2.0", "method": method}).to_string());
    }

    /// `tools/call`: (isError, the text).
    fn call(&mut self, tool: &str, arguments: Value) -> (bool, String) {
        let answer = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        let result = &answer["result"];
        assert_eq!(result["content"][0]["type"], "text", "{answer}");
        (result["isError"].as_bool().unwrap(), result["content"][0]["text"].as_str().unwrap().to_string())
    }

    /// Close stdin: the server ends with success, and had written nothing more.
    fn finish(mut self) {
        drop(self.stdin.take());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).unwrap();
        assert_eq!(rest, "", "nothing but answers on stdout");
        assert!(self.child.wait().unwrap().success());
    }
}

#[test]
fn mcp_conversation_over_stdio_guards_every_tool() {
    let ctx = guarded_project();
    let mut c = Client::start(&ctx);

    let init = c.request(
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "it", "version": "1"}}),
    );
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(init["result"]["serverInfo"]["name"], "prisma-guard");
    assert!(init["result"]["capabilities"]["tools"].is_object(), "{init}");
    c.notify("notifications/initialized");
    assert_eq!(c.request("ping", json!({}))["result"], json!({}), "no answer to the notification came first");

    let list = c.request("tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "migrate-status",
            "migrate-dev",
            "migrate-reset",
            "Prisma-Studio",
            "backup",
            "backups",
            "restore-test",
            "status"
        ]
    );
    let dev = &tools[1]["inputSchema"];
    assert_eq!(dev["required"], json!(["name"]));
    assert_eq!(dev["properties"]["name"]["type"], "string");
    assert_eq!(dev["properties"]["projectCWD"]["type"], "string");
    assert_eq!(dev["additionalProperties"], false);

    // migrate-status: through the guard to prisma, which ran without a terminal.
    let (err, text) = c.call("migrate-status", json!({"projectCWD": ctx.root().display().to_string()}));
    assert!(!err, "{text}");
    assert!(text.contains("prisma migrate status") && text.contains("succeeded"), "{text}");
    let calls = prisma_calls(&ctx);
    assert_eq!(calls.last().unwrap()["argv"], json!(["migrate", "status"]));
    assert_eq!(calls.last().unwrap()["tty"], false);

    // migrate-dev: a backup of the database as it was, then the migration.
    ctx.write(
        "prisma/migrations/20260103000000_tags/migration.sql",
        "CREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY);\n",
    );
    assert!(ctx.manifests().is_empty());
    let (err, text) = c.call("migrate-dev", json!({"name": "add tags"}));
    assert!(!err, "{text}");
    let manifests = ctx.manifests();
    assert_eq!(manifests.len(), 1, "one backup, before the migration: {text}");
    let m = &manifests[0];
    assert_eq!(m["trigger"]["argv"], json!(["migrate", "dev", "--name", "add tags"]));
    assert_eq!(m["row_counts"]["Post"], 3);
    assert!(m["row_counts"].get("Tag").is_none(), "the backup is of the state before the migration");
    assert_eq!(rows(&ctx, "Tag"), 0, "the migration ran after the backup");
    assert!(text.contains(m["id"].as_str().unwrap()), "the agent is told the backup: {text}");
    assert_eq!(prisma_calls(&ctx).last().unwrap()["argv"], json!(["migrate", "dev", "--name", "add tags"]));

    // migrate-reset: refused, with the command for the user; prisma never ran.
    let before = prisma_calls(&ctx).len();
    let (err, text) = c.call("migrate-reset", json!({}));
    assert!(err, "{text}");
    assert!(text.contains("refused") && text.contains("npx prisma migrate reset"), "{text}");
    assert_eq!(rows(&ctx, "Post"), 3, "the rows are still there");
    assert_eq!(rows(&ctx, "User"), 2);

    // Review of issue 19, round 5, finding 12: a migration the agent wrote (not committed)
    // that drops data is refused with the instructions for the user; prisma never ran.
    ctx.git_init();
    ctx.git(&["add", "-A"]).ok();
    ctx.git(&["commit", "-qm", "project"]).ok();
    ctx.write("prisma/migrations/20260104000000_cleanup/migration.sql", "DROP TABLE \"Post\";\n");
    let calls_before = prisma_calls(&ctx).len();
    let (err, text) = c.call("migrate-dev", json!({"name": "cleanup"}));
    assert!(err, "{text}");
    assert!(text.contains("refused") && text.contains("20260104000000_cleanup"), "{text}");
    assert!(text.contains("npx prisma migrate dev") && text.contains("prisma-guard backup"), "{text}");
    assert_eq!(prisma_calls(&ctx).len(), calls_before, "prisma never ran");
    assert_eq!(rows(&ctx, "Post"), 3, "the rows are still there");
    std::fs::remove_dir_all(ctx.path("prisma/migrations/20260104000000_cleanup")).unwrap();

    // Nothing in the arguments loosens the guard, and no argument but the documented ones.
    for (tool, args) in [
        ("migrate-dev", json!({"name": "x", "acceptDataLoss": true})),
        ("migrate-dev", json!({"name": "x", "args": ["--accept-data-loss"]})),
        ("migrate-dev", json!({"name": "--accept-data-loss"})),
        ("migrate-dev", json!({"name": "x", "projectCWD": "/"})),
        ("migrate-dev", json!({})),
        ("migrate-reset", json!({"force": true})),
        ("migrate-status", json!({"url": "file:./other.db"})),
    ] {
        let (err, text) = c.call(tool, args.clone());
        assert!(err && text.starts_with("refused"), "{tool} {args}: {text}");
    }
    assert_eq!(prisma_calls(&ctx).len(), before, "prisma never ran for a refused call");

    // Studio: refused, with the way to open it.
    let (err, text) = c.call("Prisma-Studio", json!({}));
    assert!(err && text.contains("npx prisma studio"), "{text}");

    // prisma-guard's own tools.
    let (err, text) = c.call("backup", json!({"label": "from-mcp"}));
    assert!(!err, "{text}");
    let manifests = ctx.manifests();
    assert_eq!(manifests.len(), 2);
    assert!(manifests[0]["id"].as_str().unwrap().contains("from-mcp"), "{}", manifests[0]);
    let (err, text) = c.call("backups", json!({}));
    assert!(!err && text.contains(manifests[0]["id"].as_str().unwrap()), "{text}");
    let (err, text) = c.call("restore-test", json!({"backup": "latest"}));
    assert!(!err, "{text}");
    let (err, text) = c.call("status", json!({}));
    assert!(!err && text.contains(manifests[0]["id"].as_str().unwrap()), "{text}");

    // Protocol errors: an unknown tool, an unknown method, bad JSON; the server goes on.
    let unknown = c.request("tools/call", json!({"name": "db-push", "arguments": {}}));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    assert_eq!(c.request("resources/list", json!({}))["error"]["code"], -32601);
    c.send_line("{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ");
    let bad = c.read();
    assert_eq!(bad["error"]["code"], -32700, "{bad}");
    assert_eq!(bad["id"], Value::Null);
    c.send_line("[1, 2]");
    assert_eq!(c.read()["error"]["code"], -32600);
    assert_eq!(c.request("ping", json!({}))["result"], json!({}), "still serving");
    c.finish();
}

#[test]
fn mcp_stateless_revision_needs_no_handshake() {
    let ctx = TestContext::new();
    let mut c = Client::start(&ctx);
    let meta = json!({"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }});
    let found = c.request("server/discover", meta.clone());
    assert_eq!(found["result"]["resultType"], "complete");
    assert_eq!(found["result"]["supportedVersions"][0], "2026-07-28");
    assert!(found["result"]["supportedVersions"].as_array().unwrap().contains(&json!("2025-11-25")));
    let list = c.request("tools/list", meta);
    assert_eq!(list["result"]["resultType"], "complete");
    assert!(list["result"]["ttlMs"].is_number() && list["result"]["tools"].as_array().unwrap().len() == 8);
    let old = c.request("tools/list", json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2023-01-01"}}));
    assert_eq!(old["error"]["code"], -32022);
    // A client on a version this server does not know gets the newest handshake.
    let init = c.request("initialize", json!({"protocolVersion": "2099-01-01", "capabilities": {}}));
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    c.finish();
}

const CLAUDE_MCP: &str = "{\n  \"mcpServers\": {\n    \"prisma\": {\n      \"command\": \"npx\",\n      \"args\": [\"-y\", \"prisma\", \"mcp\"]\n    },\n    \"github\": {\"command\": \"gh-mcp\"}\n  }\n}\n";
const CURSOR_MCP: &str = "{\"mcpServers\":{\"Prisma-Local\":{\"command\":\"npx\",\"args\":[\"prisma\",\"mcp\"]}}}";
const CODEX_CONFIG: &str =
    "model = \"o4\"\n\n[mcp_servers.prisma]\ncommand = \"npx\"\nargs = [\"-y\", \"prisma@latest\", \"mcp\"]\n";
const GEMINI_SETTINGS: &str =
    "{\n  // mine\n  \"mcpServers\": {\n    \"prisma\": {\"command\": \"prisma\", \"args\": [\"mcp\"]}\n  }\n}\n";

#[test]
fn init_puts_the_guarded_server_in_place_of_prisma_mcp_and_uninstall_gives_the_files_back() {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    let files = [
        (".mcp.json", CLAUDE_MCP),
        (".cursor/mcp.json", CURSOR_MCP),
        (".codex/config.toml", CODEX_CONFIG),
        (".gemini/settings.json", GEMINI_SETTINGS),
    ];
    for (path, text) in files {
        ctx.write(path, text);
    }
    let doctor = ctx.run(&["doctor"]);
    for agent in ["Claude Code", "Cursor", "Codex CLI", "Gemini CLI"] {
        let row = doctor.stdout.lines().find(|l| l.contains(&format!("{agent} MCP server"))).unwrap_or_default();
        assert!(row.starts_with("GAP") && row.contains("prisma mcp"), "{agent}: {}", doctor.stdout);
    }
    assert!(doctor.stdout.contains("fix: prisma-guard init"), "{}", doctor.stdout);

    let init = ctx.run(&["init"]);
    init.ok();
    assert!(init.stdout.contains("`prisma mcp` -> `prisma-guard mcp`"), "{}", init.stdout);
    let claude: Value = serde_json::from_str(&std::fs::read_to_string(ctx.path(".mcp.json")).unwrap()).unwrap();
    assert_eq!(claude["mcpServers"]["prisma"], json!({"command": "prisma-guard", "args": ["mcp"]}));
    assert_eq!(claude["mcpServers"]["github"]["command"], "gh-mcp");
    let cursor: Value = serde_json::from_str(&std::fs::read_to_string(ctx.path(".cursor/mcp.json")).unwrap()).unwrap();
    assert_eq!(cursor["mcpServers"]["Prisma-Local"]["command"], "prisma-guard");
    let codex = std::fs::read_to_string(ctx.path(".codex/config.toml")).unwrap();
    assert!(codex.contains("[mcp_servers.prisma]\ncommand = \"prisma-guard\"\nargs = [\"mcp\"]\n"), "{codex}");
    let gemini = std::fs::read_to_string(ctx.path(".gemini/settings.json")).unwrap();
    assert!(gemini.contains("// mine") && gemini.contains("\"command\": \"prisma-guard\""), "{gemini}");
    assert!(gemini.contains("prisma-guard agent-hook --agent gemini"), "the hook and the server in one file: {gemini}");

    let doctor = ctx.run(&["doctor"]);
    let row = doctor.stdout.lines().find(|l| l.contains("Claude Code MCP server")).unwrap_or_default();
    assert!(row.starts_with("ok"), "{}", doctor.stdout);
    assert!(!doctor.stdout.lines().any(|l| l.starts_with("GAP") && l.contains("MCP server")), "{}", doctor.stdout);
    let again = ctx.run(&["init"]);
    assert!(!again.stdout.contains("MCP server"), "idempotent: {}", again.stdout);

    ctx.run(&["uninstall"]).ok();
    for (path, text) in files {
        assert_eq!(std::fs::read_to_string(ctx.path(path)).unwrap(), text, "{path} given back byte for byte");
    }
}

#[test]
fn mcp_tool_results_never_show_the_database_password() {
    let pg = postgres();
    let db = pg.create_db("mcp_secret");
    let mut ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    crate::guard::install_fake_prisma(&ctx, ctx.root());
    crate::guard::guard_on_path(&mut ctx);
    pg.app_sql(&db, "CREATE TABLE \"User\" (id int PRIMARY KEY); INSERT INTO \"User\" VALUES (1), (2);");
    // A migration whose error message holds the URL, password and all, as a driver's might.
    ctx.write(
        "prisma/migrations/20260101000000_fails/migration.sql",
        &format!("DO $$ BEGIN RAISE EXCEPTION 'cannot reach {}'; END $$;\n", pg.url(&db)),
    );
    let mut c = Client::start(&ctx);
    c.request("initialize", json!({"protocolVersion": "2025-06-18", "capabilities": {}}));
    let mut texts = Vec::new();
    let (err, text) = c.call("migrate-dev", json!({"name": "fails"}));
    assert!(err, "the migration failed: {text}");
    assert!(text.contains("cannot reach postgresql://app:****@"), "prisma's error is there, redacted: {text}");
    texts.push(text);
    assert_eq!(ctx.manifests().len(), 1, "backed up before the migration");
    for tool in ["migrate-status", "backups", "status", "restore-test"] {
        texts.push(c.call(tool, json!({})).1);
    }
    for t in &texts {
        assert!(!t.contains(SECRET), "the password leaked:\n{t}");
    }
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "2");
    c.finish();
}
