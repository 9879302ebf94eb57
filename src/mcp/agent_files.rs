//! The agents' MCP settings (`.mcp.json`, `.cursor/mcp.json`, `.gemini/settings.json`: an
//! `mcpServers` object; Codex's `.codex/config.toml`: `[mcp_servers.NAME]` tables): finding
//! servers that run `prisma mcp` (past every shim), putting `prisma-guard mcp` in their
//! place, and taking it out again. Every other byte of the file stays.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::{json, Value};

use crate::agents::Agent;
use crate::install::edits::Edit;
use crate::install::invoke::NpmBin;
use crate::install::jsonedit::Doc;

/// The command `init` writes: by name, so it works for every teammate with prisma-guard on
/// PATH; in a project that installs prisma-guard from npm (on no one's PATH), its
/// `node_modules/.bin/prisma-guard` relative to the project folder the agent starts the server
/// in ([`command`]). A server that cannot start leaves the agent without Prisma's tools, not
/// with unguarded ones.
pub const COMMAND: &str = "prisma-guard";

/// The command for a project in which `npm` says where npm installed prisma-guard.
pub fn command(npm: Option<&NpmBin>) -> &str {
    npm.map_or(COMMAND, |n| n.from_root.as_str())
}
pub const ARGS: &[&str] = &["mcp"];
/// The name of a server entry `init` adds (one it replaces keeps its own name).
pub const ADDED_NAME: &str = "prisma-guard";

/// One server entry: its name, command and arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub name: String,
    pub command: String,
    pub args: Vec<String>,
}

impl Server {
    fn words(&self) -> Vec<String> {
        let mut words = vec![self.command.clone()];
        words.extend(self.args.iter().cloned());
        // `sh -c "npx prisma mcp"`: the words of the script.
        let shell = ["sh", "bash", "zsh", "dash"].contains(&base(&self.command));
        if let (true, Some(i)) = (shell, self.args.iter().position(|a| a == "-c")) {
            if let Some(script) = self.args.get(i + 1) {
                words.extend(script.split_whitespace().map(str::to_string));
            }
        }
        words
    }

    /// Whether it starts Prisma's own MCP server: `prisma mcp`, `npx -y prisma@latest mcp`,
    /// `node node_modules/prisma/build/index.js mcp`, `pnpm dlx prisma mcp`, ...
    pub fn runs_prisma_mcp(&self) -> bool {
        let words = self.words();
        words.iter().enumerate().any(|(i, w)| {
            let w = w.trim_matches(['"', '\'']);
            let prisma = base(w) == "prisma"
                || base(w).starts_with("prisma@")
                || w.ends_with("prisma/build/index.js")
                || w.ends_with("prisma/build/index");
            prisma
                && words[i + 1..]
                    .iter()
                    .find(|a| !a.starts_with('-'))
                    .is_some_and(|a| a.trim_matches(['"', '\'']) == "mcp")
        })
    }

    /// Whether it is ours: `prisma-guard mcp`.
    pub fn is_guarded(&self) -> bool {
        base(&self.command) == COMMAND && self.args.iter().find(|a| !a.starts_with('-')).is_some_and(|a| a == "mcp")
    }
}

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// The servers in a settings file's text.
pub fn servers(path: &Path, text: &str) -> Result<Vec<Server>, String> {
    if is_toml(path) {
        return super::agent_files_toml::servers(text);
    }
    let v = Doc::new(text)?.value()?;
    let Some(map) = v.get("mcpServers").and_then(Value::as_object) else { return Ok(Vec::new()) };
    Ok(map
        .iter()
        .map(|(name, e)| Server {
            name: name.clone(),
            command: e.get("command").and_then(Value::as_str).unwrap_or_default().to_string(),
            args: e
                .get("args")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default(),
        })
        .collect())
}

fn is_toml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

/// Whether the file holds a table of MCP servers (the project uses them with this agent).
fn has_server_table(path: &Path, text: &str) -> bool {
    if is_toml(path) {
        return super::agent_files_toml::has_server_table(text);
    }
    Doc::new(text).and_then(|d| d.value()).is_ok_and(|v| v.get("mcpServers").is_some_and(Value::is_object))
}

/// The settings file with each `prisma mcp` server replaced by `prisma-guard mcp` (its name
/// and other keys kept), and, when `add` and no server of ours is there, one added to a
/// table of servers the file already has. `None`: nothing to change. Also the names replaced.
pub fn merge(path: &Path, text: &str, add: bool, command: &str) -> Result<Option<(String, Vec<String>)>> {
    let bad = |e: String| crate::error::fail(format!("{}: {e}; not touching it", path.display()));
    let found = servers(path, text).map_err(bad)?;
    let replace: Vec<String> = found.iter().filter(|s| s.runs_prisma_mcp()).map(|s| s.name.clone()).collect();
    let add = add && replace.is_empty() && !found.iter().any(Server::is_guarded) && has_server_table(path, text);
    // Ours, written for another install (by name, or from node_modules): the command is
    // brought up to date.
    let ours_elsewhere = found.iter().filter(|s| {
        s.is_guarded()
            && s.command != command
            && (s.command == COMMAND || s.command.ends_with(crate::install::invoke::NPM_BIN))
    });
    let restate: Vec<String> = ours_elsewhere.map(|s| s.name.clone()).collect();
    if replace.is_empty() && restate.is_empty() && !add {
        return Ok(None);
    }
    let mut out = text.to_string();
    for name in replace.iter().chain(&restate) {
        out = set_command(path, &out, name, command, ARGS).map_err(bad)?;
    }
    if add {
        out = if is_toml(path) {
            super::agent_files_toml::add(&out, ADDED_NAME, command, ARGS).map_err(bad)?
        } else {
            let mut doc = Doc::new(&out).map_err(bad)?;
            doc.set(&["mcpServers"], ADDED_NAME, &json!({"command": command, "args": ARGS})).map_err(bad)?;
            doc.into_text()
        };
    }
    Ok(Some((out, replace)))
}

/// The settings file without `prisma-guard mcp`: an entry `init` added goes, one that
/// replaced `prisma mcp` runs `npx prisma mcp` again. `None`: nothing of ours in it.
pub fn unmerge(path: &Path, text: &str) -> Result<Option<String>> {
    let bad = |e: String| crate::error::fail(format!("{}: {e}; not touching it", path.display()));
    let found = servers(path, text).map_err(bad)?;
    let ours: Vec<&Server> = found.iter().filter(|s| s.is_guarded()).collect();
    if ours.is_empty() {
        return Ok(None);
    }
    let mut out = text.to_string();
    for s in ours {
        out = if s.name != ADDED_NAME {
            set_command(path, &out, &s.name, "npx", &["prisma", "mcp"]).map_err(bad)?
        } else if is_toml(path) {
            super::agent_files_toml::remove(&out, &s.name).map_err(bad)?
        } else {
            let mut doc = Doc::new(&out).map_err(bad)?;
            doc.remove(&["mcpServers"], &s.name).map_err(bad)?;
            doc.into_text()
        };
    }
    Ok(Some(out))
}

fn set_command(path: &Path, text: &str, name: &str, command: &str, args: &[&str]) -> Result<String, String> {
    if is_toml(path) {
        return super::agent_files_toml::set_command(text, name, command, args);
    }
    let mut doc = Doc::new(text)?;
    doc.set(&["mcpServers", name], "command", &json!(command))?;
    doc.set(&["mcpServers", name], "args", &json!(args))?;
    Ok(doc.into_text())
}

/// The text a file has once the edits so far are made: a pending edit's, else the file's
/// (`None`: there is none, or it is being deleted).
fn pending_text(edits: &[Edit], path: &Path) -> Option<String> {
    match edits.iter().rev().find(|e| e.path == path) {
        Some(e) => e.content.clone(),
        None => std::fs::read_to_string(path).ok(),
    }
}

/// Fold a change of `path` into `edits`: a file already being edited (Gemini's
/// settings.json also holds its hooks) gets one edit.
fn fold(edits: &mut Vec<Edit>, path: PathBuf, content: String, what: String) {
    match edits.iter_mut().rev().find(|e| e.path == path) {
        Some(e) => {
            e.content = Some(content);
            e.what = format!("{}; {what}", e.what);
        }
        None => edits.push(Edit { path, content: Some(content), what }),
    }
}

/// `init`'s edits of the agents' MCP settings in `root`: every `prisma mcp` server replaced,
/// and for the `agents` set up, a `prisma-guard` server added where the file already has a
/// table of servers. `only_these`: the user named the agents (`init --agent`), so no other
/// agent's file is read. Returns what could not be edited, for a warning.
pub fn init_edits(
    root: &Path,
    agents: &[Agent],
    only_these: bool,
    npm: Option<&NpmBin>,
    edits: &mut Vec<Edit>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for agent in Agent::all() {
        if only_these && !agents.contains(&agent) {
            continue;
        }
        let Some(file) = agent.profile().mcp_settings else { continue };
        let path = root.join(file);
        let Some(text) = pending_text(edits, &path) else { continue };
        match merge(&path, &text, agents.contains(&agent), command(npm)) {
            Ok(Some((new, replaced))) => {
                let what = if replaced.is_empty() {
                    format!("{} MCP server `{ADDED_NAME}` (Prisma tools through the guard)", agent.name())
                } else {
                    format!(
                        "{} MCP server `{}`: `prisma mcp` -> `prisma-guard mcp`",
                        agent.name(),
                        replaced.join("`, `")
                    )
                };
                fold(edits, path, new, what);
            }
            Ok(None) => {}
            Err(e) => problems.push(crate::error::one_line(&e)),
        }
    }
    problems
}

/// `uninstall`'s edits of the agents' MCP settings in `root`. Returns what could not be
/// edited.
pub fn uninstall_edits(root: &Path, edits: &mut Vec<Edit>) -> Vec<String> {
    let mut problems = Vec::new();
    for agent in Agent::all() {
        let Some(file) = agent.profile().mcp_settings else { continue };
        let path = root.join(file);
        let Some(text) = pending_text(edits, &path) else { continue };
        match unmerge(&path, &text) {
            Ok(Some(new)) => fold(edits, path, new, format!("{} MCP server: prisma-guard mcp taken out", agent.name())),
            Ok(None) => {}
            Err(e) => problems.push(crate::error::one_line(&e)),
        }
    }
    problems
}

/// What `doctor` says of one agent's MCP settings.
pub struct Finding {
    pub entry: String,
    pub ok: bool,
    pub detail: String,
    pub fix: String,
}

/// For `doctor`: each agent MCP settings file of `root` that starts Prisma's own MCP server
/// (a gap: its tools run the Prisma CLI file past every shim) or ours.
pub fn findings(root: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    for agent in Agent::all() {
        let Some(file) = agent.profile().mcp_settings else { continue };
        let Ok(text) = std::fs::read_to_string(root.join(file)) else { continue };
        let found = servers(Path::new(file), &text).unwrap_or_default();
        let names = |f: fn(&Server) -> bool| {
            found.iter().filter(|s| f(s)).map(|s| s.name.as_str()).collect::<Vec<_>>().join("`, `")
        };
        let (unguarded, guarded) = (names(Server::runs_prisma_mcp), names(Server::is_guarded));
        let entry = format!("{} MCP server", agent.name());
        if !unguarded.is_empty() {
            out.push(Finding {
                entry,
                ok: false,
                detail: format!("{file}: `{unguarded}` runs `prisma mcp`, whose migrate tools run the Prisma CLI past every shim, with no backup"),
                fix: "prisma-guard init (puts `prisma-guard mcp` in its place)".into(),
            });
        } else if !guarded.is_empty() {
            out.push(Finding {
                entry,
                ok: true,
                detail: format!("{file}: `{guarded}` is prisma-guard mcp"),
                fix: String::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(command: &str, args: &[&str]) -> Server {
        Server { name: "x".into(), command: command.into(), args: args.iter().map(|s| (*s).to_string()).collect() }
    }

    #[test]
    fn prisma_mcp_is_recognised_however_it_is_started() {
        for (c, a) in [
            ("npx", &["prisma", "mcp"][..]),
            ("npx", &["-y", "prisma", "mcp"]),
            ("npx", &["-y", "prisma@latest", "mcp", "--early-access"]),
            ("prisma", &["mcp"]),
            ("/usr/local/bin/prisma", &["mcp"]),
            ("pnpm", &["dlx", "prisma", "mcp"]),
            ("bunx", &["prisma@7.10.1", "mcp"]),
            ("node", &["node_modules/prisma/build/index.js", "mcp"]),
            ("npx", &["--package", "prisma", "prisma", "mcp"]),
            ("sh", &["-c", "npx prisma mcp"]),
        ] {
            assert!(server(c, a).runs_prisma_mcp(), "{c} {a:?}");
        }
        for (c, a) in [
            ("npx", &["prisma", "migrate", "status"][..]),
            ("npx", &["-y", "@prisma/mcp-server"]),
            ("npx", &["-y", "mcp-remote", "https://mcp.prisma.io/mcp"]),
            ("prisma-guard", &["mcp"]),
            ("npx", &["some-mcp"]),
        ] {
            assert!(!server(c, a).runs_prisma_mcp(), "{c} {a:?}");
        }
        assert!(server("prisma-guard", &["mcp"]).is_guarded());
        assert!(server("/home/u/.local/bin/prisma-guard", &["mcp"]).is_guarded());
    }

    const CLAUDE: &str = "{\n  \"mcpServers\": {\n    \"prisma\": {\n      \"command\": \"npx\",\n      \"args\": [\"-y\", \"prisma\", \"mcp\"],\n      \"env\": {\"DEBUG\": \"1\"}\n    },\n    \"github\": {\"command\": \"gh-mcp\"}\n  }\n}\n";

    #[test]
    fn json_settings_get_the_guarded_server_in_place_and_back() {
        let p = Path::new(".mcp.json");
        let (merged, names) = merge(p, CLAUDE, true, COMMAND).unwrap().unwrap();
        assert_eq!(names, ["prisma"]);
        let v: Value = serde_json::from_str(&merged).unwrap();
        assert_eq!(v["mcpServers"]["prisma"]["command"], "prisma-guard");
        assert_eq!(v["mcpServers"]["prisma"]["args"], json!(["mcp"]));
        assert_eq!(v["mcpServers"]["prisma"]["env"]["DEBUG"], "1", "other keys stay");
        assert_eq!(v["mcpServers"]["github"]["command"], "gh-mcp");
        assert!(v["mcpServers"].get("prisma-guard").is_none(), "a replacement, not one more server");
        assert!(merged.contains("\"github\": {\"command\": \"gh-mcp\"}"), "other bytes stay: {merged}");
        assert_eq!(merge(p, &merged, true, COMMAND).unwrap(), None, "idempotent");
        assert!(unguarded_in(p, CLAUDE) && !unguarded_in(p, &merged));
        // Taken out structurally (the file changed since), prisma's own server comes back.
        let back: Value = serde_json::from_str(&unmerge(p, &merged).unwrap().unwrap()).unwrap();
        assert_eq!(back["mcpServers"]["prisma"]["command"], "npx");
        assert_eq!(back["mcpServers"]["prisma"]["args"], json!(["prisma", "mcp"]));
    }

    fn unguarded_in(p: &Path, text: &str) -> bool {
        servers(p, text).unwrap().iter().any(Server::runs_prisma_mcp)
    }

    #[test]
    fn a_server_is_added_only_to_a_table_of_servers_already_there() {
        let p = Path::new(".cursor/mcp.json");
        let with_table = "{\n  \"mcpServers\": {\n    \"github\": {\"command\": \"gh-mcp\"}\n  }\n}\n";
        let (added, names) = merge(p, with_table, true, COMMAND).unwrap().unwrap();
        assert!(names.is_empty());
        assert_eq!(
            serde_json::from_str::<Value>(&added).unwrap()["mcpServers"]["prisma-guard"]["command"],
            "prisma-guard"
        );
        assert_eq!(unmerge(p, &added).unwrap().unwrap(), with_table, "the added server goes, byte for byte");
        assert_eq!(merge(p, with_table, false, COMMAND).unwrap(), None, "only for the agents init sets up");
        assert_eq!(
            merge(p, "{\n  \"theme\": \"dark\"\n}\n", true, COMMAND).unwrap(),
            None,
            "no table: no MCP set-up to join"
        );
        assert!(merge(p, "{oops", true, COMMAND).is_err());
    }

    /// Review finding 1 (issue 21): in a project that installs prisma-guard from npm, the
    /// server runs node_modules/.bin/prisma-guard, and one written by name is brought up to date.
    #[test]
    fn a_guarded_server_follows_how_the_project_installs_prisma_guard() {
        let p = Path::new(".mcp.json");
        let npm = "node_modules/.bin/prisma-guard";
        let by_name = r#"{"mcpServers": {"prisma": {"command": "prisma-guard", "args": ["mcp"]}}}"#;
        let (updated, names) = merge(p, by_name, true, npm).unwrap().unwrap();
        assert_eq!(names, Vec::<String>::new());
        let v: Value = serde_json::from_str(&updated).unwrap();
        assert_eq!(v["mcpServers"]["prisma"]["command"], npm, "{updated}");
        assert_eq!(merge(p, &updated, true, npm).unwrap(), None, "idempotent");
        assert!(servers(p, &updated).unwrap()[0].is_guarded());
        let custom = r#"{"mcpServers": {"prisma": {"command": "/opt/pg/prisma-guard", "args": ["mcp"]}}}"#;
        assert_eq!(merge(p, custom, true, npm).unwrap(), None, "a path the user chose stays");
    }

    #[test]
    fn gemini_settings_jsonc_keeps_comments() {
        let p = Path::new(".gemini/settings.json");
        let text = "{\n  // servers\n  \"mcpServers\": {\n    \"db\": {\"command\": \"npx\", \"args\": [\"prisma\", \"mcp\"], \"trust\": false}, // prisma\n  },\n}\n";
        let (merged, _) = merge(p, text, false, COMMAND).unwrap().unwrap();
        assert!(merged.contains("// servers") && merged.contains("// prisma"), "{merged}");
        assert!(merged.contains("\"command\": \"prisma-guard\", \"args\": [\"mcp\"], \"trust\": false"), "{merged}");
    }
}
