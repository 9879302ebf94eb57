//! The ways a destructive command can reach the database past the project's shims, for
//! `doctor`: a Prisma that `npx prisma@latest` downloads, Prisma's own entry file run by node,
//! yarn Plug'n'Play (no node_modules/.bin for a shim to stand in), bun, and the CI scan. Only
//! the agent hooks and the PostgreSQL tripwire see the first two: each row says which covers
//! it here, and how to cover it when nothing does.

use std::path::Path;

use super::Row;
use crate::install::edits;

/// What covers the paths no shim stands on.
pub(super) struct Cover {
    /// Agents whose hooks are installed and sound.
    pub agents: Vec<String>,
    /// Agents found in the project without working hooks.
    pub agents_missing: Vec<String>,
    /// The PostgreSQL tripwire is installed and sound.
    pub tripwire: bool,
    /// node_modules/.bin/prisma is the shim.
    pub bin_shim: bool,
    /// The database is PostgreSQL (the tripwire can be installed).
    pub postgres: bool,
}

impl Cover {
    pub(super) fn read(root: &Path, tripwire: bool, bin_shim: bool, postgres: bool) -> Cover {
        let mut agents = Vec::new();
        let mut agents_missing = Vec::new();
        let npm = crate::install::invoke::NpmBin::find(root, root);
        for agent in edits::detect_agents(root) {
            let text = std::fs::read_to_string(root.join(agent.settings_file())).unwrap_or_default();
            match edits::check_agent(agent, &text, npm.as_ref()) {
                Ok(()) => agents.push(agent.name().to_string()),
                Err(_) => agents_missing.push(agent.name().to_string()),
            }
        }
        Cover { agents, agents_missing, tripwire, bin_shim, postgres }
    }

    /// Who catches a command that runs past every shim.
    fn past_the_shims(&self) -> (bool, String) {
        let mut by = Vec::new();
        if !self.agents.is_empty() {
            by.push(format!("the {} hooks", self.agents.join(", ")));
        }
        if self.tripwire {
            by.push("the PostgreSQL tripwire".to_string());
        }
        match by.is_empty() {
            true => (false, "nothing here catches it: only agent hooks and the PostgreSQL tripwire can".into()),
            false => (self.agents_missing.is_empty(), format!("caught by {}", by.join(" and "))),
        }
    }
}

/// One row per path past the shims. Rows whose gap only an agent could use are optional
/// when the project has no agent: shown, not counted.
pub(super) fn rows(root: &Path, cover: &Cover) -> Vec<Row> {
    let (ok, detail) = cover.past_the_shims();
    let no_agents = cover.agents.is_empty() && cover.agents_missing.is_empty();
    let protect = if cover.postgres { ", or prisma-guard protect (the tripwire in PostgreSQL)" } else { "" };
    let fix = match (no_agents, cover.agents_missing.first()) {
        (_, Some(_)) => format!("prisma-guard init (agent hooks){protect}"),
        (true, None) => format!("prisma-guard init --agent <agent> for each AI agent used{protect}"),
        (false, None) => String::new(),
    };
    let mut out = vec![
        Row {
            entry: "npx prisma@<version>, npx -y prisma@latest".into(),
            ok,
            detail: format!("a downloaded prisma runs past every local shim; {detail}"),
            fix: fix.clone(),
            optional: no_agents,
        },
        Row {
            entry: "node node_modules/prisma/build/index.js".into(),
            ok,
            detail: format!("Prisma's entry file run directly skips node_modules/.bin; {detail}"),
            fix: fix.clone(),
            optional: no_agents,
        },
    ];
    if root.join(".pnp.cjs").is_file() {
        out.push(Row {
            entry: "yarn Plug'n'Play".into(),
            ok: false,
            detail: "no node_modules/.bin for the shim: `yarn prisma` runs Prisma from the zip cache unguarded".into(),
            fix: "set `nodeLinker: node-modules` in .yarnrc.yml, run yarn, then prisma-guard init".into(),
            optional: false,
        });
    }
    if root.join("bun.lockb").is_file() || root.join("bun.lock").is_file() {
        out.push(Row {
            entry: "bun (bunx prisma, bun run)".into(),
            ok: cover.bin_shim,
            detail: match cover.bin_shim {
                true => "bun runs node_modules/.bin/prisma, the shim".into(),
                false => "bun runs node_modules/.bin/prisma, which is not the shim".into(),
            },
            fix: "prisma-guard init".into(),
            optional: false,
        });
    }
    out.push(ci_row(root));
    out
}

/// Whether the project's CI runs the scan.
fn ci_row(root: &Path) -> Row {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root.join(".github/workflows"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.extend([".gitlab-ci.yml", "bitbucket-pipelines.yml", ".circleci/config.yml"].map(|f| root.join(f)));
    let present: Vec<_> = files.into_iter().filter(|f| f.is_file()).collect();
    let scanning = present.iter().find(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("prisma-guard")));
    let rel = |f: &Path| f.strip_prefix(root).unwrap_or(f).display().to_string();
    match (present.is_empty(), scanning) {
        (_, Some(f)) => Row { entry: "CI scan".into(), ok: true, detail: rel(f), fix: String::new(), optional: false },
        (true, None) => Row {
            entry: "CI scan".into(),
            ok: false,
            detail: "no CI configuration: a destructive migration merged without the hooks is not caught".into(),
            fix: "copy templates/ci/github-actions.yml (or gitlab-ci.yml) into the repository's CI".into(),
            optional: true,
        },
        (false, None) => Row {
            entry: "CI scan".into(),
            ok: false,
            detail: format!(
                "{} does not run prisma-guard scan",
                present.iter().map(|f| rel(f)).collect::<Vec<_>>().join(", ")
            ),
            fix: "add the step from templates/ci/github-actions.yml (or gitlab-ci.yml)".into(),
            optional: false,
        },
    }
}
