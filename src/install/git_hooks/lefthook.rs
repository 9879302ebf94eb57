//! lefthook: its config files (yml, json, toml, `.config/`), the prisma-guard command added
//! and taken out with comments kept, whether its git hook can start lefthook, and the
//! `lefthook-local` overrides that would skip the scan.

use super::*;

/// lefthook's config files, in the order lefthook reads them.
pub(super) const LEFTHOOK_CONFIGS: &[&str] = &[
    "lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yml",
    ".lefthook.yaml",
    ".config/lefthook.yml",
    ".config/lefthook.yaml",
    "lefthook.json",
    ".lefthook.json",
    "lefthook.toml",
    ".lefthook.toml",
];

/// The command lefthook runs for `hook`: pre-push gets git's first argument, the remote's
/// name, through lefthook's `{1}` (git's ref lines come on stdin, `use_stdin: true`).
pub(super) fn lefthook_command(hook: &str, command: &str) -> String {
    match hook {
        "pre-push" => format!("{command} --remote {{1}}"),
        _ => command.to_string(),
    }
}

/// Whether lefthook's pre-push runs our scan without passing the remote on: a command of an
/// older form, or one written by hand without `{1}`.
pub(super) fn remote_not_passed(text: &str, command: &str) -> bool {
    text.lines().filter(|l| l.contains(command)).any(|l| !l.contains("{1}") && !l.contains("{0}"))
}

/// Whether a lefthook config holds our commands in the form an earlier version wrote:
/// prisma-guard from PATH only, which a project that installs it from npm does not have. (A
/// command the team wrote by hand is theirs: not of an earlier form.)
pub(super) fn lefthook_earlier_form(text: &str) -> bool {
    let earlier_check = guarded_earlier("");
    let earlier_check = earlier_check.split(" ||").next().unwrap_or_default();
    HOOKS.iter().any(|(_, _, c)| text.contains(c)) && text.contains(earlier_check) && !text.contains(NODE_MODULES_MARK)
}

pub(super) fn lefthook_status(repo: &Repo, config: &Path, name: &'static str, command: &str) -> HookStatus {
    let text = std::fs::read_to_string(config).unwrap_or_default();
    let configured = text.contains(command);
    if configured && lefthook_earlier_form(&text) {
        return HookStatus {
            hook: name,
            ok: false,
            detail: format!(
                "{} (lefthook): prisma-guard's command is of an earlier form, which looks for prisma-guard on PATH only (installed from npm, it is in node_modules/.bin)",
                config.display()
            ),
            fix: "prisma-guard hooks install".into(),
        };
    }
    if configured && name == "pre-push" && remote_not_passed(&text, command) {
        return HookStatus {
            hook: name,
            ok: false,
            detail: format!(
                "{} (lefthook): its pre-push command runs `{command}` without the remote git names (`--remote {{1}}`)",
                config.display()
            ),
            fix: "prisma-guard hooks install".into(),
        };
    }
    // lefthook runs nothing until `lefthook install` wrote git's hook, and that hook runs
    // nothing when it cannot find lefthook.
    let installed = installed_by(&repo.workdir, name, "lefthook");
    let skipped = lefthook_skips(&repo.workdir, config, name);
    let found = lefthook_binary(&repo.workdir);
    let shown = config.display();
    let (ok, state, fix) = match (configured, installed, skipped, found) {
        (true, _, Some((why, fix)), _) => (false, format!("configured, but {why}"), fix),
        (true, true, None, Some(_)) => (true, "runs prisma-guard".into(), String::new()),
        (true, true, None, None) => (
            false,
            format!(
                "configured, but lefthook's git hook cannot find lefthook in this working tree (not on PATH, not in {}/node_modules, no LEFTHOOK_BIN), so it runs nothing",
                repo.workdir.display()
            ),
            "npm install (in this working tree), or put lefthook on PATH".into(),
        ),
        (true, false, None, _) => (
            false,
            "configured, but lefthook has not installed the git hook (run `lefthook install`)".into(),
            install_hint(repo),
        ),
        _ => (false, "missing".into(), install_hint(repo)),
    };
    HookStatus { hook: name, ok, detail: format!("{shown} (lefthook): {state}"), fix }
}

/// The lefthook that lefthook's generated git hook would run here, looked for as that hook
/// looks for it (its `call_lefthook`): `$LEFTHOOK_BIN`, `lefthook` on PATH, then the npm
/// packages in the working tree's node_modules.
pub(super) fn lefthook_binary(workdir: &Path) -> Option<PathBuf> {
    // The hook reads LEFTHOOK_BIN from the environment git runs it in: this one.
    if let Some(bin) = crate::config::env::lefthook_bin() {
        return Some(bin);
    }
    if let Ok(p) = which::which("lefthook") {
        return Some(p);
    }
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        os => os,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        a => a,
    };
    let modules = workdir.join("node_modules");
    [
        format!("lefthook-{os}-{arch}/bin/lefthook"),
        format!("@evilmartians/lefthook/bin/lefthook-{os}-{arch}/lefthook"),
        "@evilmartians/lefthook-installer/bin/lefthook".into(),
        "lefthook/bin/index.js".into(),
    ]
    .iter()
    .map(|rel| modules.join(rel))
    .find(|p| p.is_file())
}

/// When this repository's git hooks run only while node_modules holds their runner: lefthook's
/// hook, finding no lefthook on PATH, looks in the working tree's node_modules, and without
/// it lets every commit through. That folder, and the runner.
pub fn hooks_need_node_modules(cwd: &Path) -> Option<(PathBuf, String)> {
    let repo = locate(cwd).ok()?;
    let Manager::Lefthook { .. } = repo.manager else { return None };
    if !HOOKS.iter().any(|(name, _, _)| installed_by(&repo.workdir, name, "lefthook")) {
        return None;
    }
    let modules = repo.workdir.join("node_modules");
    lefthook_binary(&repo.workdir).filter(|b| b.starts_with(&modules)).map(|_| (modules, "lefthook".to_string()))
}

/// lefthook's local config files (merged over the main one, usually git-ignored).
pub(super) const LEFTHOOK_LOCAL_CONFIGS: &[&str] = &[
    "lefthook-local.yml",
    "lefthook-local.yaml",
    ".lefthook-local.yml",
    ".lefthook-local.yaml",
    ".config/lefthook-local.yml",
    ".config/lefthook-local.yaml",
    "lefthook-local.json",
    ".lefthook-local.json",
    "lefthook-local.toml",
    ".lefthook-local.toml",
];

/// Why lefthook would not run prisma-guard's command in `hook`, when a setting in the main or
/// a local config skips it: `skip` (any value but false: conditional skips skip too),
/// `only`, `exclude_tags` or `exclude` on the hook or our command, or a local entry for our
/// command (it overrides what `hooks install` wrote). A config that cannot be read says so.
pub(super) fn lefthook_skips(workdir: &Path, config: &Path, hook: &str) -> Option<(String, String)> {
    let files = std::iter::once(config.to_path_buf()).chain(LEFTHOOK_LOCAL_CONFIGS.iter().map(|n| workdir.join(n)));
    for (k, path) in files.enumerate() {
        let local = k > 0;
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let parsed = if name.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&text).map_err(|e| e.to_string())
        } else if name.ends_with(".toml") {
            toml::from_str::<toml::Value>(&text)
                .map_err(|e| e.to_string())
                .and_then(|v| serde_json::to_value(v).map_err(|e| e.to_string()))
        } else {
            crate::scan::extract::yaml_to_json(&text)
        };
        let shown = path.strip_prefix(workdir).unwrap_or(&path).display().to_string();
        let v = match parsed {
            Ok(v) => v,
            Err(e) => {
                return Some((
                    format!("{shown} cannot be read ({e}), so whether it skips prisma-guard cannot be told"),
                    format!("correct {shown} so that lefthook can read it"),
                ))
            }
        };
        let h = &v[hook];
        let set = |v: &serde_json::Value| match v {
            serde_json::Value::Null | serde_json::Value::Bool(false) => false,
            serde_json::Value::String(s) => !s.is_empty() && s != "false",
            _ => true,
        };
        for key in ["skip", "only", "exclude_tags", "exclude"] {
            if set(&h[key]) {
                return Some((
                    format!("{shown} sets `{key}` on {hook}, so lefthook may skip it (take it out)"),
                    format!("take `{key}` out of `{hook}:` in {shown}"),
                ));
            }
        }
        let ours = &h["commands"]["prisma-guard"];
        for key in ["skip", "only", "exclude_tags", "exclude", "glob", "files"] {
            if set(&ours[key]) {
                return Some((
                    format!("{shown} sets `{key}` on prisma-guard's command, so lefthook may skip it (take it out)"),
                    format!("take `{key}` out of `{hook}: commands: prisma-guard:` in {shown}"),
                ));
            }
        }
        if local && !ours.is_null() {
            return Some((
                format!("{shown} overrides prisma-guard's command for {hook} (take that entry out)"),
                format!("take `{hook}: commands: prisma-guard:` out of {shown}"),
            ));
        }
    }
    None
}

/// A lefthook config with our commands added (`add`) or taken out, in its own format.
pub(super) fn lefthook_edit(config: &Path, text: &str, add: bool) -> Result<String> {
    let name = config.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if name.ends_with(".json") {
        let bad = |e: String| Failure::new(format!("could not edit {}: {e}", config.display()));
        let mut doc = crate::install::jsonedit::Doc::new(text).map_err(bad)?;
        for (hook, _, command) in HOOKS {
            let path = [*hook, "commands"];
            let run = guarded(&lefthook_command(hook, command));
            if add {
                // Ours, of an older form (pre-push without `{1}`): put right.
                let older = *hook == "pre-push" && remote_not_passed(text, command);
                if !text.contains(command) || older {
                    let entry = match *hook {
                        "pre-push" => serde_json::json!({"run": run, "use_stdin": true}),
                        _ => serde_json::json!({"run": run}),
                    };
                    doc.set(&path, "prisma-guard", &entry).map_err(bad)?;
                }
            } else if doc.remove(&path, "prisma-guard").map_err(bad)? {
                // Take out what only held our command.
                if doc.keys(&path).is_empty() {
                    doc.remove(&[*hook], "commands").map_err(bad)?;
                    if doc.keys(&[*hook]).is_empty() {
                        doc.remove(&[], hook).map_err(bad)?;
                    }
                }
            }
        }
        return Ok(doc.into_text());
    }
    if name.ends_with(".toml") {
        let mut out = text.to_string();
        for (hook, _, command) in HOOKS {
            let stdin = if *hook == "pre-push" { "use_stdin = true\n" } else { "" };
            let block = |run: String| format!("\n[{hook}.commands.prisma-guard]\nrun = '{run}'\n{stdin}");
            let current = block(guarded(&lefthook_command(hook, command)));
            // The blocks older versions wrote (prisma-guard from PATH only; pre-push without
            // `{1}`) give way to this one.
            let older = [block(guarded_earlier(command)), block(guarded(command))];
            if let Some(older) = older.iter().find(|o| **o != current && out.contains(o.as_str())) {
                out = out.replace(older.as_str(), if add { &current } else { "" });
                continue;
            }
            if add && !out.contains(command) {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&current);
            } else if !add {
                out = out.replace(&current, "");
            }
        }
        return Ok(out);
    }
    Ok(if add { lefthook_add(text) } else { lefthook_remove(text) })
}

/// Add prisma-guard commands under `pre-commit:` and `pre-push:` of a lefthook config,
/// without disturbing what is there.
pub fn lefthook_add(text: &str) -> String {
    // Our commands of an older form (pre-push without `{1}`): taken out, then added anew.
    let ours_older = HOOKS.iter().any(|(hook, _, command)| {
        *hook == "pre-push"
            && [guarded_earlier(command), guarded(command)].iter().any(|o| text.contains(&format!("run: {o}\n")))
    });
    if ours_older {
        let taken_out = lefthook_remove(text);
        if taken_out != text {
            return lefthook_add(&taken_out);
        }
    }
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (hook, _, command) in HOOKS {
        if text.contains(command) {
            continue;
        }
        let stdin = if *hook == "pre-push" { "\n      use_stdin: true" } else { "" };
        let entry = format!("    prisma-guard:\n      run: {}{stdin}", guarded(&lefthook_command(hook, command)));
        match lines.iter().position(|l| l.trim_end() == format!("{hook}:")) {
            None => {
                if lines.last().is_some_and(|l| !l.trim().is_empty()) {
                    lines.push(String::new());
                }
                lines.push(format!("{hook}:"));
                lines.push("  commands:".into());
                lines.extend(entry.lines().map(str::to_string));
            }
            Some(at) => {
                // The hook's block: following lines that are indented or blank.
                let end = lines[at + 1..]
                    .iter()
                    .position(|l| !l.trim().is_empty() && !l.starts_with(' '))
                    .map_or(lines.len(), |n| at + 1 + n);
                match (at + 1..end).find(|&i| lines[i].trim_end() == "  commands:") {
                    Some(c) => {
                        for (k, l) in entry.lines().enumerate() {
                            lines.insert(c + 1 + k, l.to_string());
                        }
                    }
                    None => {
                        lines.insert(at + 1, "  commands:".into());
                        for (k, l) in entry.lines().enumerate() {
                            lines.insert(at + 2 + k, l.to_string());
                        }
                    }
                }
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

pub fn lefthook_remove(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() == "    prisma-guard:" {
            i += 1;
            while i < lines.len() && lines[i].starts_with("      ") {
                i += 1;
            }
            continue;
        }
        out.push(lines[i]);
        i += 1;
    }
    // Drop `commands:` / hook keys we left empty.
    let mut cleaned: Vec<&str> = Vec::new();
    for (k, l) in out.iter().enumerate() {
        let next = out.get(k + 1).copied().unwrap_or("");
        let next_indent = next.len() - next.trim_start().len();
        if l.trim_end() == "  commands:" && (next.trim().is_empty() || next_indent <= 2) {
            continue;
        }
        cleaned.push(l);
    }
    let mut result: Vec<&str> = Vec::new();
    for (k, l) in cleaned.iter().enumerate() {
        let next = cleaned.get(k + 1).copied().unwrap_or("");
        let is_hook_key = HOOKS.iter().any(|(h, _, _)| l.trim_end() == format!("{h}:"));
        if is_hook_key && (next.trim().is_empty() || !next.starts_with(' ')) {
            continue;
        }
        result.push(l);
    }
    while result.last().is_some_and(|l| l.trim().is_empty()) {
        result.pop();
    }
    let mut s = result.join("\n");
    s.push('\n');
    s
}
