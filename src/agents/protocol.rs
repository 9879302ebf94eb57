//! Agent hook protocols: read the hook's JSON, answer in the agent's own terms. Which payload
//! and answer format each agent uses is in its row of [`super::AGENTS`]; sources for each
//! protocol are cited in docs/agents.md.
//!
//! An allowed command gets no answer at all (no output, exit 0), so the agent's own
//! permission rules and prompts still apply; prisma-guard never says "allow".

use std::path::PathBuf;

use serde_json::{json, Value};

pub use super::Agent;
use super::{AnswerFormat, Payload};
use crate::judge::Verdict;
use crate::ExitStatus;

/// What the hook asks about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// The shell command line, for shell tools.
    pub command: Option<String>,
    /// A file a file-editing tool is about to write.
    pub file_path: Option<String>,
    /// The files a patch tool is about to change (Codex's `apply_patch`).
    pub patch_files: Vec<String>,
    pub cwd: Option<PathBuf>,
    /// Text a file-edit tool writes (`content`, `new_string`, a patch's added lines) and the
    /// text it replaces (`old_string`, a patch's removed lines).
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// The tool writes `file_path` anew (`content`, `file_text`).
    pub whole_file: bool,
    /// The project folders the payload names besides `cwd` (Cursor's `workspace_roots`).
    pub roots: Vec<PathBuf>,
}

/// The text an edit tool's arguments write and replace (Claude Code's Write/Edit/MultiEdit,
/// Gemini CLI's write_file/replace, Copilot CLI's create/edit): (added, removed, whole file).
fn edit_texts(args: &Value) -> (Vec<String>, Vec<String>, bool) {
    let get = |v: &Value, keys: &[&str]| -> Vec<String> {
        keys.iter().filter_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_string)).collect()
    };
    let mut added = get(args, &["content", "file_text", "new_string", "new_str"]);
    let mut removed = get(args, &["old_string", "old_str"]);
    let whole = args.get("content").or_else(|| args.get("file_text")).is_some_and(Value::is_string);
    for e in args.get("edits").and_then(Value::as_array).into_iter().flatten() {
        added.extend(get(e, &["new_string", "new_str"]));
        removed.extend(get(e, &["old_string", "old_str"]));
    }
    (added, removed, whole)
}

/// A patch's added and removed lines.
fn patch_texts(patch: &str) -> (Vec<String>, Vec<String>) {
    let mut added = String::new();
    let mut removed = String::new();
    for line in patch.lines() {
        if line.starts_with("+++") || line.starts_with("---") {
            continue;
        }
        if let Some(l) = line.strip_prefix('+') {
            added.push_str(l);
            added.push('\n');
        } else if let Some(l) = line.strip_prefix('-') {
            removed.push_str(l);
            removed.push('\n');
        }
    }
    (vec![added], vec![removed])
}

/// Read the hook input. `Err` when it is not the JSON this agent sends.
pub fn parse(agent: Agent, input: &str) -> Result<Request, String> {
    let v: Value = serde_json::from_str(input).map_err(|e| format!("the hook input is not JSON ({e})"))?;
    if !v.is_object() {
        return Err("the hook input is not a JSON object".into());
    }
    let s = |v: &Value| v.as_str().map(str::to_string);
    // A field that is there but not a string is not this protocol: refuse, never skip it.
    let text = |obj: &Value, key: &str| -> Result<Option<String>, String> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(t)) => Ok(Some(t.clone())),
            Some(other) => Err(format!("the hook input's `{key}` is not a string ({other})")),
        }
    };
    let cwd = v.get("cwd").and_then(s).map(PathBuf::from);
    let profile = agent.profile();
    of_this_agent(agent, &v)?;
    let req = match profile.payload {
        // A patch tool's call: the patch is `tool_input.command`, not a shell line.
        Payload::ToolInput { patch_tool: Some(tool) } if v.get("tool_name").and_then(Value::as_str) == Some(tool) => {
            let input = v.get("tool_input").cloned().unwrap_or(Value::Null);
            let patch = match text(&input, "command")? {
                Some(p) => Some(p),
                None => text(&input, "patch")?,
            };
            let Some(patch) = patch else {
                return Err(format!("the hook input is an `{tool}` call without a patch"));
            };
            let patch_files = crate::judge::tamper::patch_paths(&patch);
            let (added, removed) = patch_texts(&patch);
            Request { patch_files, cwd, added, removed, ..Request::default() }
        }
        Payload::ToolInput { .. } => {
            let input = v.get("tool_input").cloned().unwrap_or(Value::Null);
            let file_path = match text(&input, "file_path")? {
                Some(p) => Some(p),
                None => text(&input, "absolute_path")?,
            };
            let command = text(&input, "command")?;
            shell_tool_has_command(v.get("tool_name"), command.as_deref())?;
            // The folder a shell tool runs the line in (Gemini CLI's run_shell_command:
            // `dir_path`, formerly `directory`; Codex: `workdir`), relative to the project.
            let mut dir = None;
            for key in ["dir_path", "directory", "workdir"] {
                if let Some(d) = text(&input, key)?.filter(|d| !d.is_empty()) {
                    dir = Some(d);
                    break;
                }
            }
            let cwd = match dir {
                Some(d) => Some(tool_dir(cwd.as_deref(), &d)?),
                None => cwd,
            };
            let (added, removed, whole_file) = edit_texts(&input);
            Request { command, file_path, cwd, added, removed, whole_file, ..Request::default() }
        }
        Payload::TopLevel => {
            let command = text(&v, "command")?;
            if command.is_none() && v.get("hook_event_name").and_then(Value::as_str) == Some(profile.hook_event) {
                return Err("the hook input is a shell call without a `command`".into());
            }
            Request { command, file_path: text(&v, "file_path")?, cwd, ..Request::default() }
        }
        Payload::ToolArgs => {
            // The CLI sends toolArgs as a JSON string; the SDK as an object. Anything else (a
            // payload of another protocol) is not understood, so refused.
            let args = match v.get("toolArgs") {
                Some(Value::String(t)) => {
                    serde_json::from_str(t).map_err(|e| format!("the hook input's toolArgs is not JSON ({e})"))?
                }
                Some(other @ Value::Object(_)) => other.clone(),
                Some(other) => {
                    return Err(format!("the hook input's toolArgs is neither JSON text nor an object ({other})"))
                }
                None if v.get("toolName").is_some() => Value::Null,
                None => return Err("the hook input is not a Copilot CLI tool call (no toolName or toolArgs)".into()),
            };
            let file_path = match text(&args, "path")? {
                Some(p) => Some(p),
                None => text(&args, "file_path")?,
            };
            let command = text(&args, "command")?;
            shell_tool_has_command(v.get("toolName"), command.as_deref())?;
            let (added, removed, whole_file) = edit_texts(&args);
            Request { command, file_path, cwd, added, removed, whole_file, ..Request::default() }
        }
    };
    let roots = v
        .get("workspace_roots")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(PathBuf::from).collect())
        .unwrap_or_default();
    Ok(Request { roots, ..req })
}

/// The payload carries this agent's own fields: another agent's payload (or `{}`) sent to this
/// hook is not understood, so refused, never read as "nothing to run".
fn of_this_agent(agent: Agent, v: &Value) -> Result<(), String> {
    let profile = agent.profile();
    let not = |what: &str| {
        Err(format!("the hook input is not a {} hook call ({what}); is the hook's --agent right?", profile.name))
    };
    let event = v.get("hook_event_name");
    match profile.payload {
        Payload::ToolInput { .. } => {
            if !v.get("tool_name").is_some_and(Value::is_string) {
                return not("no `tool_name`");
            }
            if v.get("tool_input").is_some_and(|i| !i.is_object() && !i.is_null()) {
                return not("`tool_input` is not an object");
            }
            if event.is_some_and(|e| e.as_str() != Some(profile.hook_event)) {
                return not(&format!("its event is not `{}`", profile.hook_event));
            }
        }
        Payload::TopLevel => {
            if event.and_then(Value::as_str) != Some(profile.hook_event) {
                return not(&format!("its `hook_event_name` is not `{}`", profile.hook_event));
            }
            if v.get("tool_name").is_some() || v.get("tool_input").is_some() {
                return not("it has `tool_name`/`tool_input`");
            }
        }
        Payload::ToolArgs => {
            if !v.get("toolName").is_some_and(Value::is_string) {
                return not("no `toolName`");
            }
        }
    }
    Ok(())
}

/// The folder a tool call names to run in, made absolute against the payload's `cwd`; it must
/// be a folder, or what would run there cannot be judged.
fn tool_dir(cwd: Option<&std::path::Path>, dir: &str) -> Result<PathBuf, String> {
    let path = std::path::Path::new(dir);
    let full = match cwd {
        _ if path.is_absolute() => path.to_path_buf(),
        Some(c) => c.join(path),
        None => return Err(format!("the hook input names the folder `{dir}` to run in but no `cwd`")),
    };
    if !full.is_dir() {
        return Err(format!("the folder the command would run in ({}) is not a folder here", full.display()));
    }
    Ok(full)
}

/// A shell tool's call must say what it runs: one without a command line (missing, `null`)
/// is a payload this hook does not understand, refused rather than let through unread.
fn shell_tool_has_command(tool: Option<&Value>, command: Option<&str>) -> Result<(), String> {
    let tool = tool.and_then(Value::as_str).unwrap_or("");
    let lower = tool.to_ascii_lowercase();
    let shell = ["bash", "shell", "terminal", "powershell", "exec_command"].iter().any(|t| lower.contains(t));
    if shell && command.is_none() {
        return Err(format!("the hook input is a `{tool}` call without a command line"));
    }
    Ok(())
}

/// What to print and how to exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub stdout: String,
    pub stderr: String,
    pub status: ExitStatus,
}

impl Answer {
    fn none() -> Answer {
        Answer { stdout: String::new(), stderr: String::new(), status: ExitStatus::Success }
    }
}

/// The message an agent gets when a command is refused.
pub fn deny_message(command: &str, reason: &str) -> String {
    format!(
        "prisma-guard blocked this command: {reason}. Stop here: do not retry it, rephrase it, set environment \
         variables, or change hooks or settings to get around this. Show the user the exact command below and \
         let them decide and run it themselves in their own terminal, where prisma-guard backs up the database and \
         asks them to confirm:\n\n    {command}"
    )
}

fn ask_message(reason: &str) -> String {
    format!("prisma-guard: this command changes the database schema ({reason}); a backup is taken first")
}

/// The answer for a verdict. `ask` is how a schema change is answered where the agent can ask.
pub fn answer(agent: Agent, verdict: Verdict, reason: &str, command: &str, ask: bool) -> Answer {
    let profile = agent.profile();
    match verdict {
        Verdict::Allow => return Answer::none(),
        // An agent that cannot ask gets nothing: the shim still backs up.
        Verdict::SchemaChange if !ask || !profile.answer.can_ask() => return Answer::none(),
        _ => {}
    }
    let deny = verdict == Verdict::Destructive;
    let (decision, text) = if deny { ("deny", deny_message(command, reason)) } else { ("ask", ask_message(reason)) };
    let out = match profile.answer {
        AnswerFormat::ExitCode2 => {
            return Answer { stdout: String::new(), stderr: text + "\n", status: ExitStatus::Child(2) }
        }
        AnswerFormat::HookSpecificOutput => json!({"hookSpecificOutput": {
            "hookEventName": profile.hook_event,
            "permissionDecision": decision,
            "permissionDecisionReason": text,
        }}),
        AnswerFormat::PermissionMessages => {
            let user = if deny {
                format!("prisma-guard blocked: {reason}. Run it yourself in a terminal if you mean it: {command}")
            } else {
                text.clone()
            };
            json!({"permission": decision, "user_message": user, "agent_message": text})
        }
        AnswerFormat::DecisionReason => json!({"decision": decision, "reason": text}),
        AnswerFormat::PermissionDecision => json!({"permissionDecision": decision, "permissionDecisionReason": text}),
    };
    Answer { stdout: out.to_string() + "\n", stderr: String::new(), status: ExitStatus::Success }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_of_each_agent() {
        let claude = r#"{"session_id":"s","cwd":"/p","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"npx prisma migrate reset","description":"x"}}"#;
        assert_eq!(parse(Agent::Claude, claude).unwrap().command.as_deref(), Some("npx prisma migrate reset"));
        let cursor = r#"{"hook_event_name":"beforeShellExecution","command":"npx prisma db push","cwd":"/p"}"#;
        assert_eq!(parse(Agent::Cursor, cursor).unwrap().command.as_deref(), Some("npx prisma db push"));
        let copilot =
            r#"{"timestamp":1,"cwd":"/p","toolName":"bash","toolArgs":"{\"command\":\"prisma migrate reset\"}"}"#;
        assert_eq!(parse(Agent::Copilot, copilot).unwrap().command.as_deref(), Some("prisma migrate reset"));
        let gemini =
            r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"ls"}}"#;
        assert_eq!(parse(Agent::Gemini, gemini).unwrap().command.as_deref(), Some("ls"));
        assert!(parse(Agent::Claude, "not json").is_err());
        // A file tool's call has no command line, and needs none.
        let write = r#"{"tool_name":"Write","tool_input":{"file_path":"src/a.ts","content":"x"}}"#;
        assert_eq!(parse(Agent::Claude, write).unwrap().file_path.as_deref(), Some("src/a.ts"));
    }

    #[test]
    fn payloads_of_another_shape_are_errors_not_allowed() {
        for (agent, input) in [
            (Agent::Copilot, r#"{"toolName":"bash","toolArgs":"{\"command\": \"prisma migrate reset"}"#),
            (Agent::Copilot, r#"{"toolName":"bash","toolArgs":{"command":["prisma","migrate","reset"]}}"#),
            (Agent::Copilot, r#"{"tool_name":"run_in_terminal","tool_input":{"command":"prisma migrate reset"}}"#),
            (Agent::Claude, r#"{"tool_name":"Bash","tool_input":{"command":["prisma","migrate","reset"]}}"#),
            (Agent::Cursor, r#"{"hook_event_name":"beforeShellExecution","command":{"line":"x"}}"#),
            // Review (issue 22, round 2): a shell call that does not say what it runs.
            (Agent::Copilot, r#"{"toolName":"bash","cwd":"/tmp/m1"}"#),
            (Agent::Claude, r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":null}}"#),
            (Agent::Claude, r#"{"hook_event_name":"PreToolUse","tool_name":"Bash"}"#),
            (Agent::Gemini, r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{}}"#),
            (Agent::Cursor, r#"{"hook_event_name":"beforeShellExecution","cwd":"/p"}"#),
            // Review (issue 22, round 7): `{}`, a bare command, another agent's payload.
            (Agent::Claude, "{}"),
            (Agent::Claude, r#"{"command":"npx prisma migrate reset --force","cwd":"/tmp"}"#),
            (Agent::Cursor, r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"x"}}"#),
            (Agent::Cursor, r#"{"command":"npx prisma migrate reset --force","cwd":"/tmp"}"#),
            (Agent::Gemini, r#"{"hook_event_name":"beforeShellExecution","command":"x","cwd":"/p"}"#),
            (Agent::Gemini, r#"{"toolName":"bash","toolArgs":"{\"command\":\"x\"}"}"#),
            (Agent::Gemini, r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"x"}}"#),
            (
                Agent::Claude,
                r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"x"}}"#,
            ),
            (Agent::Copilot, r#"{"hook_event_name":"beforeShellExecution","command":"x"}"#),
            (Agent::Claude, r#"{"tool_name":"Bash","tool_input":"npx prisma migrate reset"}"#),
        ] {
            assert!(parse(agent, input).is_err(), "{agent:?}: {input}");
        }
    }

    /// Review (issue 22, round 7): Gemini CLI's run_shell_command runs the line in
    /// `dir_path` (formerly `directory`), relative to the project: judged there.
    #[test]
    fn the_folder_a_shell_tool_names_is_where_the_line_is_judged() {
        let root = std::env::temp_dir().join(format!("pg-proto-{}", std::process::id()));
        std::fs::create_dir_all(root.join("packages/database")).unwrap();
        let cwd = root.display().to_string().replace('\\', "/");
        for key in ["dir_path", "directory"] {
            let call = format!(
                r#"{{"hook_event_name":"BeforeTool","cwd":"{cwd}","tool_name":"run_shell_command","tool_input":{{"command":"rm -f dev.db","{key}":"packages/database"}}}}"#
            );
            assert_eq!(parse(Agent::Gemini, &call).unwrap().cwd, Some(root.join("packages/database")), "{key}");
        }
        let missing = format!(
            r#"{{"hook_event_name":"BeforeTool","cwd":"{cwd}","tool_name":"run_shell_command","tool_input":{{"command":"ls","dir_path":"nope"}}}}"#
        );
        assert!(parse(Agent::Gemini, &missing).is_err());
        let _ = std::fs::remove_dir_all(&root);
    }

    /// Review (issue 22, round 5): Codex's `apply_patch` tool call carries the patch in
    /// `tool_input.command`: read as the files it changes, never as a shell line.
    #[test]
    fn codex_apply_patch_calls_are_read_as_the_files_they_change() {
        let call = r#"{"cwd":"/p","hook_event_name":"PreToolUse","tool_name":"apply_patch","tool_input":{"command":"*** Begin Patch\n*** Delete File: .husky/pre-commit\n*** End Patch\n"}}"#;
        let req = parse(Agent::Codex, call).unwrap();
        assert_eq!((req.command, req.patch_files), (None, vec![".husky/pre-commit".to_string()]));
        let empty = r#"{"tool_name":"apply_patch","tool_input":{}}"#;
        assert!(parse(Agent::Codex, empty).is_err());
    }

    #[test]
    fn answers_never_say_allow() {
        for agent in [Agent::Claude, Agent::Cursor, Agent::Codex, Agent::Gemini, Agent::Copilot] {
            assert_eq!(answer(agent, Verdict::Allow, "", "ls", true), Answer::none());
            assert_eq!(answer(agent, Verdict::SchemaChange, "r", "c", false), Answer::none());
            let a = answer(agent, Verdict::Destructive, "drops everything", "npx prisma migrate reset", true);
            assert!(!a.stdout.contains("\"allow\""));
            assert!((a.stdout.clone() + &a.stderr).contains("npx prisma migrate reset"));
        }
        assert_eq!(answer(Agent::Codex, Verdict::Destructive, "r", "c", false).status, ExitStatus::Child(2));
    }
}
