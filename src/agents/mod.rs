//! AI coding agents: what prisma-guard knows about each one ([`Profile`], one row per agent:
//! files, hook registration, payload and answer formats),
//! how to tell one is running ([`env`]) and how each one's hook asks and is answered
//! ([`protocol`]).

pub mod ignore;
pub mod markers;
pub mod protocol;

/// An AI coding agent prisma-guard installs hooks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Agent {
    Claude,
    Cursor,
    Codex,
    Gemini,
    Copilot,
}

/// What prisma-guard knows about one agent: its files, how `init` registers the hook, how the
/// hook's input is read and how it is answered. Code reads these fields; nothing else matches
/// on the agent.
#[derive(Debug)]
pub struct Profile {
    pub agent: Agent,
    /// The `--agent` value.
    pub id: &'static str,
    /// The name users know it by.
    pub name: &'static str,
    /// Where its hook settings live, relative to the project root.
    pub settings_file: &'static str,
    /// Files or folders whose presence shows the project uses it.
    pub traces: &'static [&'static str],
    /// The instructions file it reads, where `init` puts the note for agents.
    pub notes_file: &'static str,
    /// Its project MCP server settings, where `init` puts `prisma-guard mcp` in place of
    /// `prisma mcp` (`crate::mcp::agent_files`).
    pub mcp_settings: Option<&'static str>,
    /// The hook event prisma-guard is registered under (`hooks.<event>` in the settings file);
    /// also the event named in its answers and payloads where the protocol has one.
    pub hook_event: &'static str,
    /// The shape of the entries `init` adds under the event.
    pub entry: Entry,
    /// Whether its settings file needs a top-level `"version": 1`.
    pub settings_version: bool,
    /// How its hook input is read.
    pub payload: Payload,
    /// How a refusal, or a schema change's question, is answered.
    pub answer: AnswerFormat,
    /// A settings key that switches every hook of the agent off, and where it counts.
    pub hooks_switch: Option<HooksSwitch>,
    /// The environment variable holding the project's folder in the hook's environment; the
    /// hook command finds `node_modules/.bin` from it (else from the repository's top).
    pub project_dir_var: Option<&'static str>,
}

/// The hook entries `init` writes into an agent's settings.
#[derive(Debug)]
pub enum Entry {
    /// One `{"matcher": M, "hooks": [{"type": "command", "command": CMD}]}` per matcher: the
    /// agent's tool names, `|`-separated.
    Matchers(&'static [&'static str]),
    /// `{"command": CMD}`.
    Command,
    /// `{"type": "command", "bash": CMD, "timeoutSec": N}`.
    Bash { timeout_sec: u32 },
}

/// How an agent's hook input (JSON on stdin) names what it is about to do.
#[derive(Debug)]
pub enum Payload {
    /// `tool_name` and `tool_input` (`command`, `file_path` or `absolute_path`). Calls of
    /// `patch_tool` carry a patch in `tool_input.command` (or `.patch`), read as the files it
    /// changes, never as a shell line.
    ToolInput { patch_tool: Option<&'static str> },
    /// `command` and `file_path` at the top level; a call of the hook event without a
    /// `command` is not understood.
    TopLevel,
    /// `toolName` and `toolArgs` (JSON text, or an object).
    ToolArgs,
}

/// How an agent is answered when a command is refused (or, where it can ask, questioned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerFormat {
    /// Exit code 2 with the reason on stderr. It cannot ask: a schema change is let through
    /// (the shim still backs it up).
    ExitCode2,
    /// `{"hookSpecificOutput": {"hookEventName": <hook event>, "permissionDecision": ...,
    /// "permissionDecisionReason": ...}}`.
    HookSpecificOutput,
    /// `{"permission": ..., "user_message": ..., "agent_message": ...}`.
    PermissionMessages,
    /// `{"decision": ..., "reason": ...}`.
    DecisionReason,
    /// `{"permissionDecision": ..., "permissionDecisionReason": ...}`.
    PermissionDecision,
}

impl AnswerFormat {
    /// Whether a hook that exits 2 blocks the tool call (the reason on stderr). Where it does
    /// not, a refusal is the JSON answer.
    pub fn blocks_on_exit_2(self) -> bool {
        matches!(self, AnswerFormat::ExitCode2 | AnswerFormat::HookSpecificOutput | AnswerFormat::DecisionReason)
    }

    /// Whether the agent can put a question to the user.
    pub fn can_ask(self) -> bool {
        self != AnswerFormat::ExitCode2
    }
}

/// A settings key that switches all of an agent's hooks off when `true`.
#[derive(Debug)]
pub struct HooksSwitch {
    pub key: &'static str,
    /// The project's files (relative to its root) where it counts.
    pub project_files: &'static [&'static str],
    /// The user's file (relative to HOME) where it counts.
    pub home_file: Option<&'static str>,
}

/// Every agent, in [`Agent`] order (`AGENTS[agent as usize]`). Sources for each agent's
/// files and protocol are cited in docs/agents.md.
pub const AGENTS: &[Profile] = &[
    Profile {
        agent: Agent::Claude,
        id: "claude",
        name: "Claude Code",
        settings_file: ".claude/settings.json",
        traces: &[".claude", "CLAUDE.md"],
        notes_file: "CLAUDE.md",
        mcp_settings: Some(".mcp.json"),
        hook_event: "PreToolUse",
        entry: Entry::Matchers(&["Bash", "Edit|MultiEdit|Write"]),
        settings_version: false,
        payload: Payload::ToolInput { patch_tool: None },
        answer: AnswerFormat::HookSpecificOutput,
        hooks_switch: Some(HooksSwitch {
            key: "disableAllHooks",
            project_files: &[".claude/settings.json", ".claude/settings.local.json"],
            home_file: Some(".claude/settings.json"),
        }),
        project_dir_var: Some("CLAUDE_PROJECT_DIR"),
    },
    Profile {
        agent: Agent::Cursor,
        id: "cursor",
        name: "Cursor",
        settings_file: ".cursor/hooks.json",
        traces: &[".cursor", ".cursorrules"],
        notes_file: "AGENTS.md",
        mcp_settings: Some(".cursor/mcp.json"),
        hook_event: "beforeShellExecution",
        entry: Entry::Command,
        settings_version: true,
        payload: Payload::TopLevel,
        answer: AnswerFormat::PermissionMessages,
        hooks_switch: None,
        project_dir_var: None,
    },
    Profile {
        agent: Agent::Codex,
        id: "codex",
        name: "Codex CLI",
        settings_file: ".codex/hooks.json",
        // Not AGENTS.md: Cursor, Gemini CLI, Copilot and others read it too, so it does not
        // show that Codex is used; only its own folder does.
        traces: &[".codex"],
        notes_file: "AGENTS.md",
        mcp_settings: Some(".codex/config.toml"),
        hook_event: "PreToolUse",
        // Codex edits files with its `apply_patch` tool (the patch in `tool_input.command`).
        entry: Entry::Matchers(&["Bash", "apply_patch"]),
        settings_version: false,
        payload: Payload::ToolInput { patch_tool: Some("apply_patch") },
        answer: AnswerFormat::ExitCode2,
        hooks_switch: None,
        project_dir_var: None,
    },
    Profile {
        agent: Agent::Gemini,
        id: "gemini",
        name: "Gemini CLI",
        settings_file: ".gemini/settings.json",
        traces: &[".gemini", "GEMINI.md"],
        notes_file: "AGENTS.md",
        mcp_settings: Some(".gemini/settings.json"),
        hook_event: "BeforeTool",
        entry: Entry::Matchers(&["run_shell_command|write_file|replace"]),
        settings_version: false,
        payload: Payload::ToolInput { patch_tool: None },
        answer: AnswerFormat::DecisionReason,
        hooks_switch: None,
        project_dir_var: Some("GEMINI_PROJECT_DIR"),
    },
    Profile {
        agent: Agent::Copilot,
        id: "copilot",
        name: "Copilot CLI",
        settings_file: ".github/hooks/prisma-guard.json",
        traces: &[".github/hooks", ".github/copilot-instructions.md"],
        notes_file: "AGENTS.md",
        // Copilot CLI keeps MCP servers in the user's ~/.copilot/mcp-config.json only.
        mcp_settings: None,
        hook_event: "preToolUse",
        entry: Entry::Bash { timeout_sec: 10 },
        settings_version: true,
        payload: Payload::ToolArgs,
        answer: AnswerFormat::PermissionDecision,
        hooks_switch: None,
        project_dir_var: None,
    },
];

impl Agent {
    pub fn profile(self) -> &'static Profile {
        &AGENTS[self as usize]
    }

    pub fn id(self) -> &'static str {
        self.profile().id
    }

    pub fn name(self) -> &'static str {
        self.profile().name
    }

    pub fn settings_file(self) -> &'static str {
        self.profile().settings_file
    }

    /// Every agent.
    pub fn all() -> impl Iterator<Item = Agent> {
        AGENTS.iter().map(|p| p.agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn the_table_is_in_enum_order_and_ids_are_the_cli_values() {
        for (i, p) in AGENTS.iter().enumerate() {
            assert_eq!(p.agent as usize, i);
            let value = p.agent.to_possible_value().expect("a CLI value");
            assert_eq!(value.get_name(), p.id, "--agent {} names {}", p.id, p.name);
        }
        assert_eq!(AGENTS.len(), Agent::value_variants().len());
    }

    #[test]
    fn every_agent_settings_file_is_protected_from_agents() {
        for p in AGENTS {
            assert!(crate::judge::tamper::protected(p.settings_file).is_some(), "{} is not protected", p.settings_file);
        }
    }
}
