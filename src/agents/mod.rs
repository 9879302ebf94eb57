//! AI coding agents: what prisma-guard knows about each one ([`Profile`], one row per agent),
//! how to tell one is running ([`env`]) and how each one's hook asks and is answered
//! ([`protocol`]).

pub mod env;
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

/// What prisma-guard knows about one agent.
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
    },
    Profile {
        agent: Agent::Cursor,
        id: "cursor",
        name: "Cursor",
        settings_file: ".cursor/hooks.json",
        traces: &[".cursor", ".cursorrules"],
        notes_file: "AGENTS.md",
        mcp_settings: Some(".cursor/mcp.json"),
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
    },
    Profile {
        agent: Agent::Gemini,
        id: "gemini",
        name: "Gemini CLI",
        settings_file: ".gemini/settings.json",
        traces: &[".gemini", "GEMINI.md"],
        notes_file: "AGENTS.md",
        mcp_settings: Some(".gemini/settings.json"),
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
