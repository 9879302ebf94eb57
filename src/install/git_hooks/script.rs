//! Hook scripts as text: the prisma-guard line (first, after the shebang and comments), a
//! team hook in another language, and taking the line out again.

use super::*;

/// The line our hooks add to a husky or committed hook script: prisma-guard from the
/// project's node_modules/.bin (installed from npm, it is on no one's PATH; git runs hooks at
/// the top of the working tree) or else from PATH, in a subshell so that the team's own
/// lines keep their PATH; for a teammate without it, what to do; a failed scan ends the hook
/// (a script without `set -e` would go on to its own `exit 0`); marked for uninstall.
///
/// pre-push: git's ref lines arrive on stdin once, and a team's own pre-push (`while read
/// ...`, `git lfs pre-push "$@"`) reads them too. Our line runs first and keeps a copy: the
/// input goes to a temporary file, the rest of the script reads it from there (`exec <`),
/// and the scan reads its own copy.
pub(super) fn hook_line(command: &str) -> String {
    let find = format!(
        "{NODE_MODULES_FIRST}; command -v prisma-guard >/dev/null 2>&1 || {{ echo \"{NOT_INSTALLED}\" >&2; exit 1; }}"
    );
    if command.ends_with("--pre-push") {
        return format!(
            "pg_in=$(mktemp) || exit 1; cat >\"$pg_in\"; exec <\"$pg_in\"; ({find}; exec {command} --remote \"$1\" <\"$pg_in\") || {{ pg_status=$?; rm -f \"$pg_in\"; exit $pg_status; }}; rm -f \"$pg_in\" {HUSKY_LINE_MARK}"
        );
    }
    format!("({find}; exec {command}) || exit $? {HUSKY_LINE_MARK}")
}

/// Whether a line of a hook script only sets it up: shebang, comment, blank, husky 8's
/// helper.
pub(super) fn is_header(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || t.contains("_/husky.sh")
}

/// The hook script with our line added first, after the header (a shebang, comments,
/// husky 8's helper), so that no `exit`, `exec` or branch of the team's code can end the hook
/// before it; a new file gets a shebang. `None` when it is there already as it should be. A
/// line of an older form, or in the wrong place, is put right.
pub(super) fn add_line(existing: Option<&str>, dir: &Path, command: &str) -> Option<String> {
    let line = hook_line(command);
    match existing {
        Some(text) if text.contains(HUSKY_LINE_MARK) => {
            if first_command(text).map(unmarked) == Some(line.as_str()) {
                return None;
            }
            match remove_line(text, false).flatten() {
                None => add_line(None, dir, command),
                Some(kept) => add_line(Some(&kept), dir, command),
            }
        }
        Some(text) => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            let at = lines.iter().position(|l| !is_header(l)).unwrap_or(lines.len());
            let mut out = lines[..at].concat();
            // A team file of header lines only (a shebang, or nothing): marked as the team's,
            // so that uninstall gives it back rather than removing it; without a final
            // newline, the newline our line needs is marked too, and taken out again.
            let line = if at < lines.len() {
                line
            } else if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
                format!("{line}{TEAM_FILE_NO_NEWLINE}")
            } else {
                format!("{line}{TEAM_FILE}")
            };
            out.push_str(&line);
            out.push('\n');
            out.push_str(&lines[at..].concat());
            Some(out)
        }
        None => {
            // husky v8 scripts source its helper; v9 and plain folders need a shebang only.
            // husky 9 also writes a `_/husky.sh`, but one that prints a deprecation warning on
            // every commit (and fails in v10): its own runner `_/h` tells v9 from v8.
            let header = if dir.join("_/husky.sh").is_file() && !dir.join("_/h").is_file() {
                "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\n"
            } else {
                "#!/bin/sh\n"
            };
            Some(format!("{header}{CREATED_LINE}\n{line}\n"))
        }
    }
}

/// The interpreter of a hook script git runs by its shebang, when that is not a POSIX shell
/// (`#!/usr/bin/env python3`): prisma-guard's shell line cannot go into it. husky 9 runs
/// its scripts with `sh`, whatever their first line says.
pub(super) fn foreign_language(repo: &Repo, path: &Path) -> Option<String> {
    let direct = matches!(repo.manager, Manager::Committed { .. }) || husky_runs_scripts_directly(repo);
    if !direct {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    interpreter(&text).filter(|i| !matches!(i.as_str(), "sh" | "bash" | "dash" | "zsh" | "ksh" | "mksh" | "ash"))
}

/// The program a script's shebang names (`env`'s operand for `#!/usr/bin/env X`); `None`
/// without a shebang (git runs such a script with `sh`).
pub(super) fn interpreter(text: &str) -> Option<String> {
    let line = text.lines().next()?.strip_prefix("#!")?;
    let mut words = line.split_whitespace();
    let program = words.next()?.rsplit('/').next().unwrap_or_default();
    let program = match program {
        "env" => words.find(|w| !w.starts_with('-') && !w.contains('='))?,
        p => p,
    };
    Some(program.to_string())
}

/// What `hooks install` and `hooks status` say about a hook in another language.
pub(super) fn foreign_language_advice(path: &Path, interpreter: &str, command: &str) -> (String, String) {
    (
        format!(
            "{} is a {interpreter} script: prisma-guard adds a shell line to hooks and does not edit one in another language",
            path.display()
        ),
        format!(
            "make it run `{command}` first and stop with its exit code when that fails (or turn it into a shell script that calls your {interpreter} code), then run `prisma-guard hooks status`"
        ),
    )
}

/// The first line of a hook script that runs something: the one that always runs.
pub(super) fn first_command(text: &str) -> Option<&str> {
    text.lines().find(|l| !is_header(l))
}

/// The comment line of a hook script `hooks install` created (there was none): uninstall
/// removes the file when nothing else was added to it. A team's script that was there is
/// given back byte for byte, even one that holds only a shebang.
const CREATED_LINE: &str = "# prisma-guard: created by `prisma-guard hooks install`";

/// The end of our line in a team's script of header lines only: the file was there (and
/// stays on uninstall); the second, also that it had no final newline.
const TEAM_FILE: &str = " (in the team's script)";
const TEAM_FILE_NO_NEWLINE: &str = " (in the team's script, which had no final newline)";

/// The end of our line in a team's script that was not executable (git ran it only once
/// install made it so): uninstall makes it so again.
const NOT_EXECUTABLE: &str = " (the team's script was not executable)";

/// Our line without the marks above.
fn unmarked(mut line: &str) -> &str {
    while let Some(l) = [TEAM_FILE, TEAM_FILE_NO_NEWLINE, NOT_EXECUTABLE].iter().find_map(|m| line.strip_suffix(m)) {
        line = l;
    }
    line
}

/// `text` with our line for `command` marked: the team's script was not executable.
pub(super) fn mark_not_executable(text: &str, command: &str) -> String {
    let line = hook_line(command);
    text.split_inclusive('\n')
        .map(|l| {
            let body = l.trim_end_matches('\n');
            match unmarked(body) == line && !body.ends_with(NOT_EXECUTABLE) {
                true => format!("{body}{NOT_EXECUTABLE}{}", &l[body.len()..]),
                false => l.to_string(),
            }
        })
        .collect()
}

/// Whether our line in `text` says the team's script was not executable.
pub(super) fn was_not_executable(text: &str) -> bool {
    text.lines().any(|l| l.contains(HUSKY_LINE_MARK) && l.contains(NOT_EXECUTABLE))
}

/// The hook script without our line; `Some(None)` when the file is one we created and
/// nothing of the user's is in it (to remove); `None` when our line is not there. `tracked`: whether git tracks
/// the file (a team's script, never one an older version of ours made).
pub(super) fn remove_line(text: &str, tracked: bool) -> Option<Option<String>> {
    if !text.contains(HUSKY_LINE_MARK) {
        return None;
    }
    let ours = |l: &str| l.contains(HUSKY_LINE_MARK) && !l.starts_with("#!");
    let mut kept: String = text.split_inclusive('\n').filter(|l| !ours(l)).collect();
    if text.lines().any(|l| ours(l) && l.contains(TEAM_FILE_NO_NEWLINE)) && kept.ends_with('\n') {
        kept.pop();
    }
    let only_header = kept.lines().all(|l| l.trim().is_empty() || l.starts_with("#!") || l.contains("_/husky.sh"));
    // Ours: made by this version (its comment line), or by an older one, which marked neither
    // the files it made nor the team's (untracked, nothing but the header it wrote).
    let team = text.lines().any(|l| ours(l) && unmarked(l) != l);
    let older = !tracked
        && !team
        && ["#!/bin/sh\n", "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\n"].contains(&kept.as_str());
    let created = text.lines().any(|l| l == CREATED_LINE) || older;
    Some((!(only_header && created)).then_some(kept))
}

/// What a teammate without prisma-guard reads when a hook runs (no `'`, `: ` or ` #`, so it
/// sits in YAML and `sh -c '...'` as is).
pub(super) const NOT_INSTALLED: &str =
    "prisma-guard is not installed, so this hook cannot check your change; install it (npm install when package.json lists @prisma-guard/cli, else see the prisma-guard README), then try again";

/// The project's node_modules/.bin first on PATH (hooks run at the top of the working tree):
/// where npm, pnpm, yarn and bun put prisma-guard when the project installs it.
pub(super) const NODE_MODULES_FIRST: &str = "PATH=\"$PWD/node_modules/.bin:$PATH\"";
/// The part of [`NODE_MODULES_FIRST`] every config format keeps as it is (JSON escapes quotes).
pub(super) const NODE_MODULES_MARK: &str = "$PWD/node_modules/.bin:$PATH";

/// `command` for a shell of its own (a lefthook or pre-commit entry), after making sure
/// prisma-guard is there, in the project's node_modules/.bin or on PATH: without it, the
/// message and a failure (a scan that cannot run is no pass), not `prisma-guard: not found`.
pub fn guarded(command: &str) -> String {
    format!("{NODE_MODULES_FIRST}; command -v prisma-guard >/dev/null 2>&1 || {{ echo \"{NOT_INSTALLED}\" >&2; exit 1; }}; {command}")
}

/// What [`guarded`] wrote before it looked in node_modules/.bin (for taking such an entry out
/// and writing it again).
pub(super) fn guarded_earlier(command: &str) -> String {
    format!("command -v prisma-guard >/dev/null 2>&1 || {{ echo \"prisma-guard is not installed, so this hook cannot check your change; install it (see the prisma-guard README), then try again\" >&2; exit 1; }}; {command}")
}
