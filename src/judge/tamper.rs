//! Commands that switch a guard off rather than run prisma: skipping git hooks (`--no-verify`
//! in every spelling git accepts, `-c core.hooksPath=`, `GIT_CONFIG_*`), the hook managers'
//! off switches (`HUSKY=0`, `LEFTHOOK=0`, `LEFTHOOK_EXCLUDE`, pre-commit's `SKIP`), removing
//! or emptying hook files and agent hook settings (shell writes, `rm`, `git rm/restore/
//! checkout`), uninstalling hooks, pruning backups, and switching Prisma's own AI-agent
//! check off. Shared by `check` (shell lines) and the agents' file-edit tools.

use crate::shell::{EnvChange, SimpleCommand};

use super::context::Context;

pub const CONSENT: &str = "PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION";

/// Files and folders whose change switches a guard off, and what they are.
const PROTECTED: &[(&str, &str)] = &[
    (".git/hooks", "git hooks"),
    (".husky", "husky hooks"),
    (".githooks", "the repository's git hooks"),
    ("lefthook.yml", "lefthook hooks"),
    ("lefthook.yaml", "lefthook hooks"),
    ("lefthook.json", "lefthook hooks"),
    ("lefthook.toml", "lefthook hooks"),
    ("lefthook-local", "lefthook's local settings, which can skip hooks"),
    (".lefthook.yml", "lefthook hooks"),
    (".config/lefthook.yml", "lefthook hooks"),
    (".pre-commit-config.yaml", "pre-commit hooks"),
    (".claude/settings", "Claude Code hook settings"),
    (".cursor/hooks.json", "Cursor hook settings"),
    (".codex/hooks.json", "Codex hook settings"),
    (".codex/config.toml", "Codex settings"),
    (".gemini/settings.json", "Gemini CLI hook settings"),
    (".github/hooks", "Copilot CLI hook settings"),
    (".github/workflows", "CI workflows (the CI scan)"),
    ("node_modules/.bin/prisma", "the prisma shim in node_modules"),
    ("prisma-guard.toml", "prisma-guard's settings"),
    (".prisma-guard-baseline.json", "prisma-guard's scan baseline"),
    ("prisma-guard/bin", "the PATH shim"),
    // Git's configuration names the hooks folder (core.hooksPath) and can include other
    // files that do: the repository's, the user's and the system's.
    (".git/config", "git's configuration, which says where the hooks are"),
    (".gitconfig", "git's configuration, which says where the hooks are"),
    (".config/git/config", "git's configuration, which says where the hooks are"),
    // husky's hook runner sources these before its own `HUSKY=0` check: an `exit 0` there
    // ends every hook.
    (".config/husky", "husky's init script, run before every hook"),
    (".huskyrc", "husky's init script, run before every hook"),
];

/// Folders that hold protected files: removing or replacing one of them removes those.
const PROTECTED_FOLDERS: &[&str] =
    &[".git", ".claude", ".cursor", ".codex", ".gemini", ".github", ".husky", ".githooks"];

/// The hooks folder `core.hooksPath` names for the repository holding `cwd`, as written in
/// the config (relative to the working tree, or absolute): protected like `.githooks`.
pub fn hooks_folder(cwd: &std::path::Path) -> Option<String> {
    let repo = git2::Repository::discover(cwd).ok()?;
    let value = repo.config().ok()?.get_string("core.hooksPath").ok()?;
    let value = value.trim().trim_start_matches("./").trim_end_matches('/').to_string();
    (!value.is_empty()).then_some(value)
}

/// `protected`, and also paths in the configured hooks folder (`hooks`).
pub fn protected_with(path: &str, hooks: Option<&str>) -> Option<&'static str> {
    if let Some(what) = protected(path) {
        return Some(what);
    }
    let p = path.trim_start_matches("./").trim_end_matches('/');
    let h = hooks?;
    let inside =
        p == h || p.starts_with(&format!("{h}/")) || p.contains(&format!("/{h}/")) || p.ends_with(&format!("/{h}"));
    inside.then_some("the git hooks folder core.hooksPath names")
}

/// What a file or folder is, when changing it switches a guard off (shell writes and agents'
/// file-editing tools alike).
pub fn protected(path: &str) -> Option<&'static str> {
    let p = path.trim_start_matches("./").trim_end_matches('/');
    if let Some((_, what)) = PROTECTED.iter().find(|(needle, _)| p.contains(needle)) {
        return Some(what);
    }
    let last = p.rsplit('/').next().unwrap_or(p);
    if last == "backups" || p.starts_with("backups/") || p.contains("/backups/") {
        return Some("prisma-guard's backups");
    }
    if PROTECTED_FOLDERS.contains(&last) || matches!(p, "." | ".*") {
        return Some("a folder holding git hooks or agent hook settings");
    }
    None
}

/// Commands that write or remove the files they name.
const WRITERS: &[&str] = &[
    "rm", "mv", "cp", "unlink", "truncate", "tee", "sed", "perl", "ln", "chmod", "install", "shred", "dd", "jq",
    "rmdir",
];

/// Names a shell pattern (`.hus*`, `.git/h*`) is checked against.
const PROTECTED_NAMES: &[&str] = &[
    ".husky",
    ".husky/pre-commit",
    ".husky/pre-push",
    ".githooks",
    ".git",
    ".git/hooks",
    ".git/hooks/pre-commit",
    ".git/hooks/pre-push",
    ".claude",
    ".claude/settings.json",
    ".cursor",
    ".codex",
    ".gemini",
    ".github",
    "backups",
    "prisma-guard.toml",
    "lefthook.yml",
    ".pre-commit-config.yaml",
    "node_modules/.bin/prisma",
];

/// Whether a shell pattern matches one of [`PROTECTED_NAMES`].
fn pattern_hits_protected(pattern: &str) -> bool {
    if !pattern.contains(['*', '?', '[']) {
        return false;
    }
    let p = pattern.trim_start_matches("./").trim_end_matches('/');
    let mut re = String::from("^");
    for c in p.chars() {
        match c {
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' | ']' => re.push(c),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).is_ok_and(|r| PROTECTED_NAMES.iter().any(|n| r.is_match(n)))
}

/// The command a runner starts (`npx lefthook ...`, `pnpm exec lefthook ...`, `python3 -m
/// pre_commit ...`), or the command itself.
fn effective(argv: &[String]) -> Vec<String> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    let skip_opts = |from: usize| argv.iter().skip(from).position(|a| !a.starts_with('-')).map(|k| from + k);
    let from = match name {
        "npx" | "pnpx" | "bunx" | "corepack" => skip_opts(1),
        "npm" | "pnpm" | "yarn" | "bun" => match argv.get(1).map(String::as_str) {
            Some("exec" | "x" | "dlx") => skip_opts(2),
            Some(w) if !w.starts_with('-') => Some(1),
            _ => None,
        },
        // `node node_modules/husky/bin.js ARGS`: husky's own entry point.
        "node" | "nodejs" | "tsx" => skip_opts(1),
        _ if argv.first().is_some_and(|a| a.ends_with("husky/bin.js")) => {
            return std::iter::once("husky".to_string()).chain(argv[1..].iter().cloned()).collect();
        }
        "python" | "python3" if argv.get(1).is_some_and(|a| a == "-m") => {
            return argv
                .get(2)
                .map(|m| std::iter::once(m.replace('_', "-")).chain(argv[3..].iter().cloned()).collect())
                .unwrap_or_default();
        }
        _ => None,
    };
    match from {
        Some(k) if k < argv.len() => effective(&argv[k..]),
        _ => argv.to_vec(),
    }
}

/// Why `cmd` (run with `env` on the way, in one of `dirs`) switches a guard off, if it does;
/// `ctx`: what the repository tells (the folder core.hooksPath names, uncommitted hook edits).
pub fn tamper(cmd: &SimpleCommand, env: &[EnvChange], ctx: &Context, dirs: &[String]) -> Option<String> {
    let hooks = ctx.hooks.as_deref();
    // A path as given, and as it is from each folder a `cd` went to; a pattern as the names it may match.
    let protected = |p: &str| {
        protected_with(p, hooks)
            .or_else(|| {
                dirs.iter()
                    .filter(|d| !d.is_empty() && d.as_str() != "*" && !p.starts_with('/'))
                    .find_map(|d| protected_with(&format!("{d}/{p}"), hooks))
            })
            .or_else(|| {
                pattern_hits_protected(p).then_some("a pattern that matches git hooks, agent settings or backups")
            })
    };
    let argv = &cmd.argv;
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    for w in &cmd.writes {
        if let Some(what) = protected(w) {
            return Some(format!("writes {w} ({what})"));
        }
    }
    // A copy or link of Prisma's own entry point runs prisma where no shim stands.
    if ["ln", "cp", "mv", "install", "rsync", "tar", "cpio", "zip"].contains(&name) {
        if let Some(path) = argv[1..].iter().find(|a| crate::shell::resolve::is_prisma_entry(a)) {
            return Some(format!(
                "`{name}` copies or links the Prisma CLI ({path}) where prisma-guard's shim does not stand"
            ));
        }
    }
    if WRITERS.contains(&name) {
        let in_place = name != "sed" && name != "perl"
            || argv.iter().any(|a| {
                a == "--in-place"
                    || a.starts_with("--in-place=")
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains('i'))
            });
        if in_place {
            if let Some((path, what)) = argv[1..].iter().find_map(|a| protected(a).map(|w| (a, w))) {
                return Some(format!("`{name}` changes {path} ({what})"));
            }
            if let Some(why) = removes_node_hooks(name, &argv[1..], ctx, dirs) {
                return Some(why);
            }
            // prisma-guard itself: every agent hook and shim calls it.
            let itself = argv[1..].iter().any(|a| a.rsplit('/').next() == Some("prisma-guard"));
            if itself && matches!(name, "rm" | "mv" | "unlink" | "shred" | "chmod" | "truncate" | "cp" | "ln") {
                return Some(format!("`{name}` changes or removes prisma-guard itself"));
            }
        }
    }
    // `rsync -a --delete EMPTY/ .husky/`: its last operand is what it writes.
    if name == "rsync" {
        if let Some((path, what)) =
            argv[1..].iter().rfind(|a| !a.starts_with('-')).and_then(|a| protected(a).map(|w| (a, w)))
        {
            return Some(format!("`rsync` writes into {path} ({what})"));
        }
    }
    // `python3 -c "open('.husky/pre-commit','w')..."`, `node -e`: code that names a protected
    // file may write it, and what it does with it cannot be told from here.
    if let Some((path, what)) =
        inline_code(argv).iter().flat_map(|code| code_paths(code)).find_map(|p| protected(p).map(|w| (p, w)))
    {
        return Some(format!("`{name}` runs inline code that names {path} ({what}), which it may change"));
    }
    if name == "prisma-guard" {
        if let Some(why) = prisma_guard_dynamic(argv) {
            return Some(why);
        }
    }
    if name == "prisma-guard"
        && (argv.iter().any(|a| a == "uninstall") || argv.windows(2).any(|w| w[0] == "exec" && w[1] == "--no-backup"))
    {
        return Some(format!("`{}` removes or bypasses prisma-guard", argv.join(" ")));
    }
    if name == "prisma-guard"
        && argv.iter().any(|a| a == "--baseline" || a == "--baseline=write")
        && argv.iter().any(|a| a == "write" || a == "--baseline=write")
    {
        return Some("`prisma-guard scan --baseline write` marks today's findings as known, hiding them".into());
    }
    if name == "prisma-guard"
        && argv.iter().any(|a| a == "prune")
        && argv
            .iter()
            .any(|a| a == "--yes" || a == "-y" || (a.starts_with('-') && !a.starts_with("--") && a.contains('y')))
        && !argv.iter().any(|a| a == "--dry-run")
    {
        return Some(format!("`{}` deletes backups", argv.join(" ")));
    }
    // `find PATH ... -delete` removes what it finds.
    if name == "find" && argv.iter().any(|a| a == "-delete") {
        // The current folder with a name filter deletes what matches, not the folder.
        let filtered = argv.iter().any(|a| matches!(a.as_str(), "-name" | "-iname" | "-path" | "-ipath" | "-regex"));
        let paths = argv[1..]
            .iter()
            .take_while(|a| !a.starts_with('-'))
            .filter(|a| !(filtered && matches!(a.as_str(), "." | "./")));
        if let Some((path, what)) = paths.clone().find_map(|a| protected(a).map(|w| (a, w))) {
            return Some(format!("`find ... -delete` removes {path} ({what})"));
        }
    }
    if name == "find" {
        if let Some(why) = find_deletes_protected(argv, hooks) {
            return Some(why);
        }
    }
    // Reinstalling dependencies without their install scripts: npm links prisma's own CLI
    // back into node_modules/.bin, and the postinstall that puts the shim back does not run.
    let installs = matches!(name, "npm" | "pnpm" | "yarn" | "bun")
        && argv.get(1).is_some_and(|c| matches!(c.as_str(), "ci" | "install" | "i" | "add" | "update" | "rebuild"));
    let no_scripts = argv.iter().any(|a| a == "--ignore-scripts" || a == "--ignore-scripts=true")
        || env.iter().any(
            |e| matches!(e, EnvChange::Set(k, v) if k.eq_ignore_ascii_case("npm_config_ignore_scripts") && v != "false"),
        );
    if installs && no_scripts {
        return Some(format!(
            "`{}` reinstalls node_modules without its postinstall, which removes prisma-guard's shim in front of prisma",
            argv.join(" ")
        ));
    }
    let run = effective(argv);
    let run_name = run.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    if matches!(run_name, "rimraf" | "trash" | "del-cli") {
        if let Some(why) = removes_node_hooks("rimraf", &run[1..], ctx, dirs) {
            return Some(why);
        }
    }
    if matches!(run_name, "lefthook" | "husky" | "pre-commit") && run.get(1).is_some_and(|c| c == "uninstall") {
        return Some(format!("`{}` removes the git hooks that run prisma-guard", argv.join(" ")));
    }
    if run_name == "husky" || run_name.starts_with("husky@") {
        if let Some(why) = husky(&run, hooks) {
            return Some(format!("`{}` {why}", argv.join(" ")));
        }
    }
    if name == "git" {
        if let Some(why) = git(argv, hooks).or_else(|| git_reverts_changes(argv, ctx)) {
            return Some(why);
        }
        // Another HOME or XDG_CONFIG_HOME is another ~/.gitconfig (it can move the hooks)
        // and another husky init script (it runs before every husky hook).
        if let Some(k) = env.iter().find_map(|e| match e {
            EnvChange::Set(k, _) | EnvChange::Unset(k) if matches!(k.as_str(), "HOME" | "XDG_CONFIG_HOME") => Some(k),
            _ => None,
        }) {
            return Some(format!(
                "{k} in front of git swaps git's and husky's configuration, which can skip the hooks"
            ));
        }
    }
    if name == "unset" && argv.iter().any(|a| crate::agents::env::is_marker(a)) {
        return Some(format!("`{}` hides the AI agent from Prisma's own check", argv.join(" ")));
    }
    let exported: Vec<EnvChange> = match name {
        "export" | "declare" | "typeset" | "set" | "readonly" => {
            // `export -n NAME` takes NAME out of the environment.
            let unexport = argv[1..].iter().any(|a| a.starts_with('-') && a.contains('n'));
            argv[1..]
                .iter()
                .filter(|a| !a.starts_with('-'))
                .map(|a| match a.split_once('=') {
                    Some((k, v)) => EnvChange::Set(k.to_string(), v.to_string()),
                    None if unexport => EnvChange::Unset(a.clone()),
                    None => EnvChange::Set(String::new(), String::new()),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let hides_agent = exported.iter().find_map(|e| match e {
        EnvChange::Set(k, v) if v.is_empty() && crate::agents::env::is_marker(k) => Some(format!("empties {k}")),
        EnvChange::Unset(k) if crate::agents::env::is_marker(k) => Some(format!("unsets {k}")),
        _ => None,
    });
    if let Some(h) = hides_agent {
        return Some(format!("`{}` {h}, hiding the AI agent from Prisma's own check", argv.join(" ")));
    }
    env.iter().chain(&exported).find_map(switch_off)
}

/// An environment variable that switches a guard off.
fn switch_off(e: &EnvChange) -> Option<String> {
    let EnvChange::Set(k, v) = e else { return None };
    let off = |v: &str| matches!(v.to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off");
    match k.as_str() {
        CONSENT => Some(format!("sets {CONSENT}, which switches Prisma's own AI-agent check off")),
        "HUSKY" if off(v) => Some("HUSKY=0 switches husky's git hooks (and prisma-guard's scan) off".into()),
        "LEFTHOOK" if off(v) => Some("LEFTHOOK=0 switches lefthook's git hooks (and prisma-guard's scan) off".into()),
        "LEFTHOOK_EXCLUDE" | "LEFTHOOK_SKIP" => Some(format!("{k} skips lefthook hooks")),
        "SKIP" if !v.is_empty() => Some(format!("SKIP={v} skips pre-commit hooks")),
        "PRE_COMMIT_ALLOW_NO_CONFIG" => {
            Some("PRE_COMMIT_ALLOW_NO_CONFIG lets commits pass without pre-commit's hooks".into())
        }
        "GIT_CONFIG_PARAMETERS" if v.to_ascii_lowercase().contains("hookspath") => {
            Some("GIT_CONFIG_PARAMETERS moves git's hooks away from prisma-guard's".into())
        }
        _ if k.starts_with("GIT_CONFIG_KEY_") && v.eq_ignore_ascii_case("core.hooksPath") => {
            Some(format!("{k}=core.hooksPath moves git's hooks away from prisma-guard's"))
        }
        "GIT_CONFIG_GLOBAL" | "GIT_CONFIG_SYSTEM" => {
            Some(format!("{k} swaps git's configuration (it can move the hooks)"))
        }
        _ => None,
    }
}

/// Whether a word is only known when the line runs: a variable or a command's output.
fn dynamic(word: &str) -> bool {
    word.contains('$') || word.contains('`')
}

/// The code an interpreter runs from its command line (`python3 -c CODE`, `node -e CODE`).
fn inline_code(argv: &[String]) -> Vec<&str> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    let interpreter = name.starts_with("python")
        || matches!(name, "node" | "nodejs" | "ruby" | "perl" | "php" | "deno" | "bun" | "tsx" | "osascript");
    if !interpreter {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (k, a) in argv.iter().enumerate().skip(1) {
        let flag = matches!(a.as_str(), "-c" | "-e" | "-E" | "-p" | "-r" | "--eval" | "--print" | "eval")
            || (a.starts_with('-') && !a.starts_with("--") && (a.ends_with('e') || a.ends_with('c')) && a.len() <= 4);
        if flag {
            if let Some(code) = argv.get(k + 1) {
                out.push(code.as_str());
            }
        }
        if let Some(code) = a.strip_prefix("--eval=").or_else(|| a.strip_prefix("--print=")) {
            out.push(code);
        }
    }
    out
}

/// The path-like words in a piece of code: runs of characters a path is made of.
fn code_paths(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !(c.is_alphanumeric() || "._-/~*".contains(c)))
        .filter(|w| w.chars().any(char::is_alphanumeric) && (w.contains(['.', '/']) || *w == "backups"))
}

/// What `husky ARGS` does to the hooks, when that switches prisma-guard's scan off:
/// `husky init` writes `.husky/pre-commit` anew (`npm test`, no scan); `husky DIR` (and
/// husky 8's `husky install DIR`) points core.hooksPath at DIR, away from the hooks there
/// are; `husky set` (husky 8) overwrites a hook. A bare `husky` or `husky install`
/// re-installs the same `.husky` hooks, and so does naming the folder in use.
fn husky(run: &[String], hooks: Option<&str>) -> Option<String> {
    let args: Vec<&str> = run[1..].iter().map(String::as_str).filter(|a| *a != "--").collect();
    if let Some(a) = args.iter().find(|a| dynamic(a)) {
        return Some(format!(
            "gets an argument only known when the line runs ({a}), which may point git's hooks elsewhere"
        ));
    }
    let dir = match args.first().copied() {
        None => return None,
        Some("init") => return Some("writes .husky/pre-commit anew, without prisma-guard's scan".into()),
        Some("set") => return Some("overwrites a husky hook, prisma-guard's scan with it".into()),
        Some("add") => return None,
        Some("install") => match args.get(1) {
            Some(d) => *d,
            None => return None,
        },
        Some(d) => d,
    };
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    let same = dir == ".husky" || hooks.is_some_and(|h| h == dir || h == format!("{dir}/_"));
    (!same).then(|| format!("points git's hooks at {dir}, away from the ones that run prisma-guard"))
}

/// `prisma-guard` with an argument only known when the line runs (`--baseline "$M"`,
/// `$(echo uninstall)`): what it will do cannot be told, unless the command only reads.
fn prisma_guard_dynamic(argv: &[String]) -> Option<String> {
    const READS: &[&str] = &["check", "explain", "backups", "verify", "doctor", "backup", "restore-test", "status"];
    let sub = argv[1..].iter().find(|a| !a.starts_with('-'))?;
    let a = argv[1..].iter().find(|a| dynamic(a))?;
    if READS.contains(&sub.as_str()) && !dynamic(sub) {
        return None;
    }
    Some(format!(
        "`prisma-guard` gets an argument only known when the line runs ({a}), so what it would change cannot be told: write the value out"
    ))
}

/// The subcommand of a git command line (`git -C dir --no-pager commit` -> `commit`).
pub fn git_subcommand(argv: &[String]) -> Option<&str> {
    crate::shell::resolve::git_subcommand_index(argv).map(|i| argv[i].as_str())
}

/// Whether a git subcommand runs the commit or push hooks.
pub fn runs_hooks(sub: &str) -> bool {
    matches!(sub, "commit" | "push" | "merge" | "am" | "rebase" | "cherry-pick" | "revert" | "pull")
}

/// Why a git command that runs hooks would run none, in one of `dirs` (relative to `cwd`):
/// a working tree where core.hooksPath names a missing folder (husky's git-ignored `.husky/_`
/// in a new worktree), or a folder that does not exist yet after `git worktree add` on the
/// same line, when the repository keeps its hooks in such a folder.
pub fn no_hooks_there(cwd: &std::path::Path, dirs: &[String], new_worktree: bool) -> Option<String> {
    for d in dirs {
        let at = if d == "*" { cwd.to_path_buf() } else { cwd.join(d) };
        if !at.exists() {
            let relative = hooks_folder(cwd).is_some_and(|h| !h.starts_with('/'));
            if new_worktree && relative {
                return Some(format!(
                    "a new worktree has no {} (husky makes it on install, it is not committed), so git would run no hooks there: create the worktree, run `npx husky` in it, then commit in a separate command",
                    hooks_folder(cwd).unwrap_or_default()
                ));
            }
            continue;
        }
        let Ok(repo) = git2::Repository::discover(&at) else { continue };
        let Some(workdir) = repo.workdir() else { continue };
        if let Some(why) = crate::install::git_hooks::husky_missing_here(workdir) {
            return Some(format!("git would run no hooks in {}: {why}", workdir.display()));
        }
    }
    None
}

use crate::shell::resolve::GIT_GLOBAL_VALUES;

/// Why a git command line skips or moves the hooks, if it does.
fn git(argv: &[String], hooks: Option<&str>) -> Option<String> {
    // Global options first: `git -C dir --no-pager -c k=v commit ...`.
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if dynamic(a) {
            return Some(format!(
                "`git` gets an option only known when the line runs ({a}), which may move or skip the hooks: write it out"
            ));
        }
        if !a.starts_with('-') {
            break;
        }
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (a.as_str(), None),
        };
        let value = if GIT_GLOBAL_VALUES.contains(&flag) && inline.is_none() {
            i += 1;
            argv.get(i).map(String::as_str)
        } else if let Some(v) = a.strip_prefix("-c").filter(|v| !v.is_empty()) {
            Some(v)
        } else {
            inline
        };
        let config = matches!(flag, "-c" | "--config-env") || a.starts_with("-c");
        if let Some(v) = value.filter(|v| dynamic(v)) {
            return Some(format!(
                "`git` gets an option only known when the line runs ({v}), which may move or skip the hooks: write it out"
            ));
        }
        if config && value.is_some_and(moves_hooks) {
            return Some(format!(
                "`git -c {}` moves git's hooks away from prisma-guard's",
                value.unwrap_or_default().split('=').next().unwrap_or_default()
            ));
        }
        i += 1;
    }
    let sub = argv.get(i).map(String::as_str).unwrap_or("");
    let args = argv.get(i + 1..).unwrap_or(&[]);
    let runs_hooks = runs_hooks(sub);
    // The options as git reads them: the value of `-m`/`--message` is no option, even
    // when it reads `--no-verify`.
    let options = option_words(sub, args);
    if runs_hooks {
        if let Some(a) = options.iter().find(|a| dynamic(a)) {
            return Some(format!(
                "`git {sub}` gets an argument only known when the line runs ({a}), which may be --no-verify: write it out"
            ));
        }
    }
    let no_verify = options.iter().any(|a| a.len() >= 6 && "--no-verify".starts_with(a.as_str()));
    if no_verify && runs_hooks {
        return Some(format!("`git {sub} --no-verify` skips prisma-guard's git hooks"));
    }
    if sub == "commit" && commit_has_n(args) {
        return Some("`git commit -n` (--no-verify) skips prisma-guard's git hooks".into());
    }
    // An alias that commits without hooks: `git config alias.ci "commit --no-verify"`,
    // `git -c alias.c="commit -n" c`.
    let alias_skips = |v: &str| {
        let v = v.to_ascii_lowercase();
        v.contains("--no-v")
            || (v.contains("commit")
                && v.split_whitespace().any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('n')))
    };
    if argv.iter().any(|a| a.to_ascii_lowercase().contains("alias.") && alias_skips(a))
        || (sub == "config"
            && args.iter().any(|a| a.to_ascii_lowercase().starts_with("alias."))
            && args.iter().any(|a| alias_skips(a)))
    {
        return Some("a git alias that commits without running the hooks".into());
    }
    if sub == "config" {
        // The key only known when the line runs: it may be core.hooksPath.
        let verbs = ["set", "unset", "get", "list", "edit", "rename-section", "remove-section"];
        let key = args.iter().find(|a| (!a.starts_with('-') || dynamic(a)) && !verbs.contains(&a.as_str()));
        if let Some(a) = key.filter(|a| dynamic(a)) {
            if !args.iter().any(|a| a.starts_with('-') && !dynamic(a) && a.contains("get")) {
                return Some(format!(
                    "`git config` gets a key only known when the line runs ({a}), which may move the hooks: write it out"
                ));
            }
        }
        // `--remove-section core`, `--rename-section core x`: core.hooksPath goes with it.
        let sections = ["--remove-section", "--rename-section", "remove-section", "rename-section"];
        if let Some(k) = args.iter().position(|a| sections.contains(&a.as_str())) {
            if let Some(section) = args.get(k + 1).filter(|s| {
                let s = s.to_ascii_lowercase();
                s == "core" || s.starts_with("include")
            }) {
                return Some(format!(
                    "`git config {} {section}` takes core.hooksPath (or an include that sets it) with it, which moves git's hooks away from prisma-guard's",
                    args[k]
                ));
            }
        }
        let touches = args.iter().any(|a| moves_hooks(a));
        let reads_only = args.iter().any(|a| matches!(a.as_str(), "--get" | "--get-all" | "-l" | "--list" | "get"));
        if touches && !reads_only && (args.len() >= 2 || args.iter().any(|a| a.contains('='))) {
            return Some("changes core.hooksPath or includes another config file, which can move git's hooks away from prisma-guard's".into());
        }
    }
    // `git clean -x/-X` removes git-ignored files: prisma-guard's backups among them.
    let ignored_too = |a: &String| a.starts_with('-') && !a.starts_with("--") && (a.contains('x') || a.contains('X'));
    if sub == "clean" && args.iter().any(ignored_too) {
        return Some("`git clean -x` removes git-ignored files, prisma-guard's backups among them".into());
    }
    // The project's settings loosen the guard once committed: an agent may not commit them.
    if matches!(sub, "add" | "commit" | "stage" | "update-index")
        && args.iter().any(|a| a.ends_with("prisma-guard.toml") || a.ends_with(".prisma-guard-baseline.json"))
    {
        return Some(format!(
            "`git {sub}` of prisma-guard's settings or baseline: they loosen the guard once committed"
        ));
    }
    // Putting back, removing or replacing hook files with git itself.
    if matches!(sub, "rm" | "restore" | "checkout" | "mv" | "update-index" | "clean") {
        if let Some((path, what)) =
            args.iter().filter(|a| !a.starts_with('-')).find_map(|a| protected_with(a, hooks).map(|w| (a, w)))
        {
            return Some(format!("`git {sub}` changes {path} ({what})"));
        }
    }
    None
}

/// Whether a git config key (or `key=value`) says where the hooks are: core.hooksPath, or
/// an include of another config file, which may set it.
fn moves_hooks(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("core.hookspath") || k.starts_with("include.") || k.starts_with("includeif.")
}

/// A subcommand's option words, up to `--`, without the values of the options that take one
/// (`git commit -m --no-verify` holds no option `--no-verify`).
fn option_words<'a>(sub: &str, args: &'a [String]) -> Vec<&'a String> {
    let (short, long): (&[char], &[&str]) = match sub {
        "commit" => (&['m', 'F', 'C', 'c', 't'], COMMIT_LONG_VALUES),
        "merge" | "pull" => {
            (&['m', 'F', 's', 'X'], &["--message", "--file", "--strategy", "--strategy-option", "--into-name"])
        }
        "push" => (&['o'], &["--push-option", "--repo", "--receive-pack", "--exec"]),
        "cherry-pick" | "revert" => (&['m', 'X'], &["--mainline", "--strategy", "--strategy-option"]),
        "rebase" => (&['s', 'X', 'x'], &["--strategy", "--strategy-option", "--exec", "--onto"]),
        _ => (&[], &[]),
    };
    let mut out = Vec::new();
    let mut k = 0;
    while let Some(a) = args.get(k) {
        if a == "--" {
            break;
        }
        out.push(a);
        if long.contains(&a.as_str()) {
            k += 2;
            continue;
        }
        if let Some(cluster) = a.strip_prefix('-').filter(|c| !c.is_empty() && !c.starts_with('-')) {
            // The first option of the cluster that takes a value ends it; its value is the
            // rest of the word, or the next word.
            if let Some(at) = cluster.find(|c: char| short.contains(&c)) {
                if cluster[at + 1..].is_empty() {
                    k += 1;
                }
            }
        }
        k += 1;
    }
    out
}

/// Long options of `git commit` that take a value.
const COMMIT_LONG_VALUES: &[&str] = &[
    "--message",
    "--file",
    "--author",
    "--date",
    "--template",
    "--reuse-message",
    "--reedit-message",
    "--fixup",
    "--squash",
    "--trailer",
    "--cleanup",
    "--pathspec-from-file",
];

/// Whether `git commit`'s options hold `-n`, read as git reads them: the value of an option
/// that takes one (`-m -n`, `--message -n`, `-mn`) is not an option.
fn commit_has_n(args: &[String]) -> bool {
    const LONG_VALUES: &[&str] = COMMIT_LONG_VALUES;
    let mut k = 0;
    while let Some(a) = args.get(k) {
        if a == "--" {
            break;
        }
        if a.starts_with("--") {
            k += if LONG_VALUES.contains(&a.as_str()) { 2 } else { 1 };
            continue;
        }
        if let Some(cluster) = a.strip_prefix('-').filter(|c| !c.is_empty()) {
            for (i, c) in cluster.char_indices() {
                match c {
                    'n' => return true,
                    // Options whose value is the rest of the word, or the next word.
                    'm' | 'F' | 'C' | 'c' | 't' => {
                        if cluster[i + 1..].is_empty() {
                            k += 1;
                        }
                        break;
                    }
                    // Optional values: only attached.
                    'S' | 'u' => break,
                    _ => {}
                }
            }
        }
        k += 1;
    }
    false
}

/// `rm -rf node_modules` where git's hooks run only while node_modules holds their runner
/// (lefthook found there and nowhere else): without it they let every commit through.
fn removes_node_hooks(name: &str, args: &[String], ctx: &Context, dirs: &[String]) -> Option<String> {
    if !matches!(name, "rm" | "mv" | "rmdir" | "unlink" | "shred" | "rimraf") {
        return None;
    }
    let targets: Vec<&String> = args.iter().filter(|a| !a.starts_with('-') && a.contains("node_modules")).collect();
    if targets.is_empty() {
        return None;
    }
    let (modules, runner) = ctx.node_hooks()?;
    let cwd = ctx.cwd.canonicalize().unwrap_or_else(|_| ctx.cwd.clone());
    for t in targets {
        for d in dirs.iter().filter(|d| d.as_str() != "*") {
            let p = crate::config::lexical_normalize(&cwd.join(d).join(t));
            let inside = p.strip_prefix(modules).ok().and_then(|r| r.components().next()).is_some_and(|c| {
                let c = c.as_os_str().to_string_lossy();
                c.starts_with("lefthook") || c == "@evilmartians"
            });
            if modules.starts_with(&p) || inside {
                return Some(format!(
                    "`{name} {t}` removes {}, where git's hooks find {runner}: without it they let every commit through unchecked (`npm ci` or `npm install` reinstalls it instead)",
                    modules.display()
                ));
            }
        }
    }
    None
}

/// The names of files and folders that hold hooks or settings, as `find -name` sees them.
const PROTECTED_BASENAMES: &[&str] = &[
    "pre-commit",
    "pre-push",
    ".husky",
    "_",
    "h",
    "husky.sh",
    ".githooks",
    ".git",
    "hooks",
    "config",
    ".gitconfig",
    ".claude",
    "settings.json",
    "settings.local.json",
    ".cursor",
    "hooks.json",
    ".codex",
    "config.toml",
    ".gemini",
    ".github",
    "workflows",
    "lefthook.yml",
    "lefthook.yaml",
    "lefthook.json",
    "lefthook.toml",
    ".lefthook.yml",
    "lefthook-local.yml",
    ".pre-commit-config.yaml",
    "prisma-guard.toml",
    ".prisma-guard-baseline.json",
    "prisma",
    ".prisma-guard-original-prisma",
    "backups",
    ".huskyrc",
];

/// A shell glob as a regex over a whole name; `slash`: whether `*` crosses `/` (find's
/// `-path`).
fn glob_regex(glob: &str, slash: bool, fold: bool) -> Option<regex::Regex> {
    let any = if slash { ".*" } else { "[^/]*" };
    let mut re = String::from(if fold { "(?i)^" } else { "^" });
    for c in glob.chars() {
        match c {
            '*' => re.push_str(any),
            '?' => re.push('.'),
            '[' | ']' => re.push(c),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

/// `find ROOTS ... -name PATTERN -delete` (or `-exec rm`): whether its name tests could match
/// a hook or settings file below its roots.
fn find_deletes_protected(argv: &[String], hooks: Option<&str>) -> Option<String> {
    let exec_removes = argv.windows(2).any(|w| {
        matches!(w[0].as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")
            && WRITERS.contains(&w[1].rsplit('/').next().unwrap_or(&w[1]))
    });
    if !argv.iter().any(|a| a == "-delete") && !exec_removes {
        return None;
    }
    let roots: Vec<&String> = argv[1..].iter().take_while(|a| !a.starts_with('-') && *a != "(" && *a != "!").collect();
    // Roots below which no hook or settings file lives (`find dist ...`) remove none.
    let wide = roots.is_empty()
        || roots.iter().any(|r| {
            let r = r.trim_start_matches("./").trim_end_matches('/');
            r.is_empty()
                || r == "."
                || r.starts_with("..")
                || r.starts_with(['/', '~'])
                || dynamic(r)
                || r.contains(['*', '?', '['])
                || protected_with(r, hooks).is_some()
                || hooks.is_some_and(|h| h.starts_with(&format!("{r}/")))
                || r == ".config"
        });
    if !wide {
        return None;
    }
    let mut names: Vec<String> = PROTECTED_BASENAMES.iter().map(|n| (*n).to_string()).collect();
    let mut paths: Vec<String> = PROTECTED_NAMES.iter().map(|n| format!("./{n}")).collect();
    if let Some(h) = hooks {
        names.extend(h.rsplit('/').next().map(str::to_string));
        paths.push(format!("./{h}"));
        paths.push(format!("./{h}/pre-commit"));
    }
    let mut k = 1;
    while let Some(a) = argv.get(k) {
        let value = argv.get(k + 1);
        let hit = match (a.as_str(), value) {
            ("-name" | "-iname", Some(v)) => {
                let re = glob_regex(v, false, a == "-iname");
                Some(re.is_none_or(|re| names.iter().any(|n| re.is_match(n))))
            }
            ("-path" | "-ipath" | "-wholename" | "-iwholename", Some(v)) => {
                let re = glob_regex(v, true, a.starts_with("-i"));
                Some(re.is_none_or(|re| paths.iter().any(|p| re.is_match(p) || re.is_match(&p[2..]))))
            }
            ("-regex" | "-iregex", Some(v)) => {
                let fold = if a == "-iregex" { "(?i)" } else { "" };
                let re = regex::Regex::new(&format!("{fold}^(?:{v})$")).ok();
                Some(re.is_none_or(|re| paths.iter().any(|p| re.is_match(p))))
            }
            // A negated test matches what the pattern does not: anything, as far as this can tell.
            ("!" | "-not", _) => Some(true),
            _ => None,
        };
        match hit {
            Some(true) => {
                return Some(format!(
                    "`find` removes what its tests match below {}, which can be git hooks or hook settings (`{a}{}`)",
                    if roots.is_empty() {
                        ".".to_string()
                    } else {
                        roots.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ")
                    },
                    value.map(|v| format!(" {v}")).unwrap_or_default()
                ))
            }
            Some(false) => k += 2,
            None => k += 1,
        }
    }
    // Without a name test, what it removes is its roots (judged above).
    None
}

/// `git reset --hard`, `git stash`, `git checkout -f`, `git clean -f`: they take back changes
/// not committed yet; to hook or settings files (the line `init` added to a committed
/// `.husky/pre-commit`, say) that switches the guard off, as `git checkout -- .` does.
fn git_reverts_changes(argv: &[String], ctx: &Context) -> Option<String> {
    let i = crate::shell::resolve::git_subcommand_index(argv)?;
    let sub = argv[i].as_str();
    let args = &argv[i + 1..];
    let short = |c: char| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
    let long = |l: &str| args.iter().any(|a| a == l);
    // (tracked changes, untracked files) it takes back, and the paths it is limited to.
    let (tracked, untracked) = match sub {
        "reset" if long("--hard") || long("--merge") => (true, false),
        "stash" => {
            let action = args.iter().find(|a| !a.starts_with('-')).map(String::as_str);
            if !matches!(action, None | Some("push" | "save")) {
                return None;
            }
            (true, short('u') || short('a') || long("--include-untracked") || long("--all"))
        }
        "checkout" | "switch" if short('f') || long("--force") || long("--discard-changes") => (true, false),
        "clean" if (short('f') || long("--force")) && !short('n') && !long("--dry-run") => (false, true),
        _ => return None,
    };
    let pathspec: Vec<&str> = match sub {
        "stash" | "clean" => match args.iter().position(|a| a == "--") {
            Some(k) => args[k + 1..].iter().map(String::as_str).collect(),
            None if sub == "clean" => args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect(),
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut files = ctx.changed_protected(untracked);
    if !tracked {
        let known = ctx.changed_protected(false);
        files.retain(|f| !known.contains(f));
    }
    let limited = |f: &String| {
        pathspec.is_empty()
            || pathspec.iter().any(|p| {
                let p = p.trim_start_matches("./").trim_end_matches('/');
                p.is_empty() || p == "." || f == p || f.starts_with(&format!("{p}/"))
            })
    };
    let files: Vec<String> = files.into_iter().filter(limited).collect();
    let first = files.first()?;
    let what = protected(first).unwrap_or("a git hook");
    Some(format!(
        "`git {sub}` takes back uncommitted changes to {} ({what}), which can switch prisma-guard's hooks off: commit them first, or leave them out",
        files.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(line: &str) -> Option<String> {
        let cmds = crate::shell::parse(line).unwrap_or_default();
        cmds.iter().find_map(|c| {
            let r = crate::shell::resolve(c);
            tamper(c, &r.env, &Context::with_hooks("tools/git-hooks"), &[String::new(), ".git".into()])
        })
    }

    #[test]
    fn every_spelling_of_skipping_git_hooks() {
        for line in [
            "git commit --no-verify -m x",
            "git commit --no-veri -m x",
            "git commit --no-v -m x",
            "git commit -nm wip",
            "git commit -anm wip",
            "git commit -a -n -m wip",
            "git -C . commit -n -m x",
            "git --no-pager -C sub commit -nm x",
            "git --git-dir=.git commit -n",
            "git -c core.hooksPath=/dev/null commit -m x",
            "git -ccore.hooksPath=/dev/null commit -m x",
            "git -c core.hookspath=x commit",
            "git push --no-verify",
            "git merge --no-verify main",
            "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/dev/null git commit -m x",
            "HUSKY=0 git commit -m x",
            "LEFTHOOK=0 git commit -m x",
            "LEFTHOOK_EXCLUDE=prisma-guard git commit -m x",
            "SKIP=prisma-guard git commit -m x",
            "export HUSKY=0",
            "git config core.hooksPath /dev/null",
            "git config --unset core.hooksPath",
            "lefthook uninstall",
            "pre-commit uninstall",
            "git rm .husky/pre-commit",
            "git checkout HEAD~1 -- .husky/pre-commit",
            "git restore .githooks/pre-commit",
            "rm -rf .husky",
            "rm -rf .claude",
            "rm -r .githooks/",
            ": > .husky/pre-commit",
            "truncate -s0 .githooks/pre-push",
            "rm -rf .github",
            "rm lefthook.yml",
            "mv .pre-commit-config.yaml x",
            "rm tools/git-hooks/pre-commit",
            "git checkout -- tools/git-hooks",
            "git add prisma-guard.toml",
            "npx lefthook uninstall",
            "pnpm exec lefthook uninstall",
            "yarn lefthook uninstall",
            "python3 -m pre_commit uninstall",
            "rm -rf .hus*",
            "rm -r .git/h*",
            "perl -pi -e 's/.*//' .git/hooks/pre-commit",
            "rm hooks/pre-commit",
            "git config alias.ci 'commit --no-verify'",
            "git -c alias.c='commit -n' c -m x",
            "rm /usr/local/bin/prisma-guard",
            "mv ~/.local/bin/prisma-guard /tmp/x",
            "export CLAUDECODE=",
            "export -n CLAUDECODE",
            "declare -x CLAUDECODE=",
            "rm -rf backups",
            "rm -rf ./backups/",
            "find backups -name '*.zst' -delete",
            "git clean -fdX",
            "git clean -fdx",
            "npm ci --ignore-scripts",
            "pnpm install --ignore-scripts",
            "npm_config_ignore_scripts=true npm ci",
            "prisma-guard scan --baseline write",
            "echo '{}' > .prisma-guard-baseline.json",
            "git commit -m allow prisma-guard.toml",
            // Review (issue 22, round 2): husky pointed elsewhere or re-initialised.
            "npx husky init",
            "npx husky other",
            "npm exec husky -- x",
            "node node_modules/husky/bin.js x",
            "bun node_modules/husky/bin.js x",
            "./node_modules/husky/bin.js init",
            "pnpm exec husky init",
            "yarn husky other",
            "npx husky install other",
            // Git's configuration and husky's init script, written directly.
            "printf '[core]\\n\\thooksPath = /tmp\\n' >> .git/config",
            "cp /tmp/evil.cfg .git/config",
            "git config --global include.path /tmp/evil.cfg",
            "git -c include.path=/tmp/evil.cfg commit -m x",
            "git config includeIf.gitdir:~/.path /tmp/evil.cfg",
            "echo '[core] hooksPath=/tmp' >> ~/.gitconfig",
            "echo 'exit 0' > ~/.config/husky/init.sh",
            "python3 -c \"open('.husky/pre-commit','w').write('')\"",
            "node -e \"require('fs').writeFileSync('.husky/pre-commit', '')\"",
            "rsync -a --delete /tmp/empty/ .husky/",
            "HOME=/tmp/x git commit -m x",
            "XDG_CONFIG_HOME=/tmp/x git commit -m x",
            // Arguments only known when the line runs.
            "git commit $X -qam bypass",
            "git commit $NV -m x",
            "git -c core.hooks$(echo)Path=/x commit -m x",
            "git $(echo commit) -n -m x",
            "git push origin \"$REF\"",
            "git config \"$KEY\" /x",
            "prisma-guard scan --baseline $(echo write)",
            "prisma-guard scan --baseline \"$M\"",
            "prisma-guard $(echo uninstall)",
        ] {
            assert!(why(line).is_some(), "{line}");
        }
    }

    #[test]
    fn ordinary_git_and_file_commands_pass() {
        for line in [
            "git commit -m 'fix n things'",
            "git commit -mn",
            "git commit -m -n",
            "git commit --message -n",
            "git commit -am -n",
            "git commit -m x --verbose",
            "git push -n",
            "git merge -n main",
            "git config --get core.hooksPath",
            "git status",
            "git checkout main",
            "git restore src/app.ts",
            "rm -rf dist",
            "rm -rf node_modules",
            "npm ci",
            "git clean -fd",
            "find . -name '*.log' -delete",
            "rm -rf dist/backups-old",
            "HUSKY=1 git commit -m x",
            "cat .husky/pre-commit",
            // Review (issue 22, round 2): the message is no option; husky re-installing the
            // hooks in use; values git takes as values; read-only prisma-guard commands.
            "git commit -m --no-verify",
            "git commit -m \"$(cat <<'EOF'\nfix: things\nEOF\n)\"",
            "git commit -am \"$MSG\"",
            "git merge -m \"$MSG\" main",
            "git config user.name \"$NAME\"",
            "npx husky",
            "npx husky install",
            "husky .husky",
            "husky tools/git-hooks",
            "prisma-guard check -- \"$LINE\"",
            "python3 -c 'print(1)'",
            "node -e \"console.log(require('./package.json').name)\"",
            "rsync -a .husky/ /tmp/husky-copy/",
            "cat ~/.gitconfig",
            // Review (issue 22, round 3): other sections; find tests that match no hook file,
            // or roots that hold none.
            "git config --remove-section alias",
            "git config --rename-section user me",
            "find . -name '*.orig' -delete",
            "find . -name '*.log' -exec rm {} +",
            "find dist -name pre-commit -delete",
            "find . -path './dist/*' -delete",
        ] {
            assert_eq!(why(line), None, "{line}");
        }
    }

    /// Review (issue 22, round 3): core.hooksPath goes with its section; `find` deletes what
    /// its name tests match, which can be hook files.
    #[test]
    fn config_sections_and_find_name_tests() {
        for line in [
            "git config --remove-section core",
            "git config --local --remove-section core",
            "git config --rename-section core old",
            "git config --unset-all core.hooksPath",
            "git config --unset core.hooksPath",
            "git config --global --remove-section core",
            "find . -name pre-commit -delete",
            "find -name 'pre-*' -delete",
            "find . -name pre-commit -exec rm {} \\;",
            "find . -iname PRE-PUSH -execdir rm -f {} +",
            "find . -path '*/.husky/*' -delete",
            "find . -regex '.*/pre-commit' -delete",
            "find . -not -name '*.ts' -delete",
            "find . -name settings.json -delete",
            "find tools -name pre-commit -delete",
        ] {
            assert!(why(line).is_some(), "{line}");
        }
    }
}
