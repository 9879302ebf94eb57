//! `prisma-guard agent-hook --agent X`: the AI agent's hook JSON on stdin, the verdict out in
//! that agent's own protocol.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Result;

use super::check::{load, options};
use crate::agents::protocol;
use crate::cli::AgentHookArgs;
use crate::config::settings::GlobalOptions;
use crate::config::SchemaChangeAnswer;
use crate::judge::{self, Verdict};
use crate::ExitStatus;

/// `agent-hook --agent X`: the agent's hook JSON on stdin, its protocol's answer out.
pub fn run(global: &GlobalOptions, args: &AgentHookArgs) -> Result<ExitStatus> {
    const MAX_INPUT: u64 = 4 << 20;
    let mut bytes = Vec::new();
    let read = std::io::stdin().take(MAX_INPUT + 1).read_to_end(&mut bytes).map_err(|e| e.to_string()).and_then(|n| {
        if n as u64 > MAX_INPUT {
            return Err(format!("the hook input is too large (over {} MiB)", MAX_INPUT >> 20));
        }
        String::from_utf8(std::mem::take(&mut bytes)).map_err(|_| "the hook input is not UTF-8 text".to_string())
    });
    let request = match read.and_then(|input| protocol::parse(args.agent, &input)) {
        Ok(r) => r,
        Err(e) => {
            // Fail closed: a hook that cannot tell what will run refuses it.
            let reason = format!("{e}; prisma-guard cannot tell what this tool call would run");
            return emit(protocol::answer(args.agent, Verdict::Destructive, &reason, "(unknown)", false));
        }
    };
    let started_in = crate::config::settings::working_dir(global).unwrap_or_else(|_| PathBuf::from("."));
    let cwd = match &request.cwd {
        Some(c) if c.is_dir() => c.clone(),
        _ => started_in.clone(),
    };
    // The project shim put back where a package manager replaced it since (`npm install -D
    // X`, `pnpm add X`: no postinstall runs then), before the command is judged: this line is
    // judged by its words either way, the shim covers the user's own `npx prisma` later.
    if request.command.is_some() {
        let _ = crate::install::shim::repair_project(&cwd);
    }
    // The projects the hook belongs to, besides where the line runs: the agent's project
    // folder and the folder the hook was started in. A line run elsewhere (`cd /tmp` earlier)
    // reaches them by absolute or relative paths all the same.
    let mut roots: Vec<PathBuf> = Vec::new();
    for r in request.roots.iter().cloned().chain(crate::config::env::agent_project_dirs()).chain([started_in]) {
        let r = std::fs::canonicalize(&r).unwrap_or(r);
        if r.is_dir() && !cwd.starts_with(&r) && !roots.contains(&r) {
            roots.push(r);
        }
    }
    // A file tool's file, and every file a patch tool changes (Codex's apply_patch). The git
    // hooks folder is looked up only then: a shell command does not pay for opening the
    // repository and reading git's config.
    let files: Vec<&String> = request.file_path.iter().chain(&request.patch_files).collect();
    let hooks = if files.is_empty() { None } else { crate::judge::tamper::hooks_folder(&cwd) };
    for path in files {
        if let Some(what) = crate::judge::tamper::protected_with(path, hooks.as_deref()) {
            let reason = format!("editing {path} ({what}) switches prisma-guard off");
            return emit(protocol::answer(args.agent, Verdict::Destructive, &reason, &format!("edit {path}"), false));
        }
        // Writing over the project's SQLite database with a file-editing tool.
        let writes_data = std::iter::once(&cwd).chain(&roots).any(|dir| {
            let ctx = judge::context::Context::new(dir);
            judge::data::hit(path, ctx.data_files(), &cwd, &[String::new()]).is_some()
        });
        if writes_data {
            let class = judge::Class::DatabaseFiles;
            let reason = format!(
                "editing {path} writes over the project's SQLite database ({}). Instead: {}",
                class.label(),
                class.instead()
            );
            return emit(protocol::answer(args.agent, Verdict::Destructive, &reason, &format!("edit {path}"), false));
        }
    }
    // An ignore comment silences a finding: the user's to write, as the baseline is.
    let file = request.file_path.as_ref().map(|f| cwd.join(f));
    let adds = crate::agents::ignore::edit_adds(&request.added, &request.removed, file.as_deref(), request.whole_file)
        .or_else(|| request.command.as_deref().and_then(crate::agents::ignore::shell_adds));
    if let Some(reason) = adds {
        let what = request.command.clone().or_else(|| request.file_path.as_ref().map(|f| format!("edit {f}")));
        let what = what.unwrap_or_else(|| "edit".into());
        return emit(protocol::answer(args.agent, Verdict::Destructive, &reason, &what, false));
    }
    let Some(command) = request.command else { return Ok(ExitStatus::Success) };
    if judge::fast_allow(&command) {
        return Ok(ExitStatus::Success);
    }
    // An unreadable prisma-guard.toml must not open the gate: the defaults still refuse.
    let config = load(&cwd, global).unwrap_or_default();
    let mut report = judge::check(&command, &cwd, options(&config));
    // The same line judged in each project the hook belongs to, run from `cwd` as it will be.
    for root in &roots {
        if report.verdict == Verdict::Destructive {
            break;
        }
        let Some(here) = cwd.to_str() else { break };
        let line = format!("cd {} && {command}", crate::shell::quote(here));
        let there = judge::check(&line, root, options(&load(root, global).unwrap_or_default()));
        if there.verdict > report.verdict {
            report = there;
        }
    }
    let ask = report.verdict == Verdict::SchemaChange && config.agents.schema_change == Some(SchemaChangeAnswer::Ask);
    emit(protocol::answer(args.agent, report.verdict, &report.explained(), &command, ask))
}

fn emit(a: protocol::Answer) -> Result<ExitStatus> {
    if !a.stdout.is_empty() {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(a.stdout.as_bytes());
        let _ = out.flush();
    }
    if !a.stderr.is_empty() {
        eprint!("{}", a.stderr);
    }
    Ok(a.status)
}
