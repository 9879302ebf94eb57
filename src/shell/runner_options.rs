//! Package managers' and task runners' command lines: npm, pnpm, yarn and bun options (which
//! take a value, which point the script lookup elsewhere), their built-in commands, the
//! lifecycle scripts an install runs, turbo's tasks and filters, and whether a runner starts
//! a Prisma it fetches itself rather than the project's (shimmed) one.

use super::resolve::{At, EnvChange, Target};

/// turbo's own commands (anything else names a task: `turbo build` is `turbo run build`).
pub(super) const TURBO_COMMANDS: &[&str] = &[
    "prune",
    "login",
    "logout",
    "link",
    "unlink",
    "daemon",
    "gen",
    "generate",
    "info",
    "telemetry",
    "bin",
    "completion",
    "ls",
    "query",
    "scan",
    "boundaries",
    "devtools",
    "config",
    "docs",
    "help",
];
/// turbo options that take the next word as their value.
pub(super) const TURBO_VALUES: &[&str] = &[
    "--concurrency",
    "--cache-dir",
    "--output-logs",
    "--log-order",
    "--log-prefix",
    "--graph",
    "--env-mode",
    "--cwd",
    "--heap",
    "--team",
    "--token",
    "--api",
    "--login",
    "--remote-cache-timeout",
    "--cache",
    "--ui",
    "--profile",
    "--anon-profile",
    "--cache-workers",
    "--global-deps",
];

/// `turbo [run|watch] TASK... [--filter SEL]... [-- ARGS]`: each task is the package script of
/// that name in the workspace packages the filters select (every package without one; a
/// filter this cannot follow, such as `!x` or `[HEAD^1]`, selects every package).
pub(super) fn turbo(argv: &[String]) -> Target {
    // `--dry`, `--dry-run[=json]`: turbo prints what it would run and runs nothing.
    if argv
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--dry" || a == "--dry-run" || a.starts_with("--dry=") || a.starts_with("--dry-run="))
    {
        return Target::Other;
    }
    let mut words = Vec::new();
    let mut filters: Vec<String> = Vec::new();
    let mut pass: Vec<String> = Vec::new();
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if a == "--" {
            pass = argv[i + 1..].to_vec();
            break;
        }
        if let Some(v) = a.strip_prefix("--filter=").or_else(|| a.strip_prefix("-F").filter(|v| !v.is_empty())) {
            filters.push(v.to_string());
        } else if a == "--filter" || a == "-F" {
            filters.extend(argv.get(i + 1).cloned());
            i += 1;
        } else if a.starts_with('-') {
            if TURBO_VALUES.contains(&a.as_str()) {
                i += 1;
            }
        } else {
            words.push(a.clone());
        }
        i += 1;
    }
    let tasks = match words.first().map(String::as_str) {
        Some("run" | "watch") => &words[1..],
        Some(w) if TURBO_COMMANDS.contains(&w) => return Target::Other,
        Some(_) => &words[..],
        None => return Target::Other,
    };
    // `@acme/db...`, `...^@acme/db`, `{./packages/db}`: read as pnpm's selectors are, with
    // their dependencies and dependents; `!x` and `[ref]` are not followed (every package).
    let followable = |f: &String| !f.starts_with('!') && !f.contains('[');
    let selectors: Vec<String> = if filters.iter().all(followable) { filters.clone() } else { Vec::new() };
    // A package task `db#reset` names its package.
    let one = |task: &str| match task.split_once('#') {
        Some((pkg, t)) => (t.to_string(), vec![pkg.to_string()]),
        None => (task.to_string(), selectors.clone()),
    };
    match tasks {
        [] => Target::Other,
        [task] => {
            let (name, at) = one(task);
            Target::Script { name, args: pass, at: At::Workspaces(at) }
        }
        // Several tasks: one line each, read again.
        _ => {
            let filters: String = filters.iter().map(|f| format!(" --filter={}", crate::shell::quote(f))).collect();
            let pass: String = pass.iter().map(|a| format!(" {}", crate::shell::quote(a))).collect();
            let sep = if pass.is_empty() { "" } else { " --" };
            let lines: Vec<String> =
                tasks.iter().map(|t| format!("turbo run {}{filters}{sep}{pass}", crate::shell::quote(t))).collect();
            Target::Shell { script: lines.join("\n") }
        }
    }
}

/// Options of each package manager that take a value (the rest are flags).
pub(super) const NPM_VALUES: &[&str] = &[
    "--prefix",
    "-C",
    "-w",
    "--workspace",
    "--loglevel",
    "--userconfig",
    "--cache",
    "--registry",
    "--script-shell",
    "--tag",
    "--access",
    "--otp",
];
pub(super) const PNPM_VALUES: &[&str] =
    &["--filter", "-F", "-C", "--dir", "--workspace-dir", "--reporter", "--filter-prod", "--test-pattern"];
pub(super) const YARN_VALUES: &[&str] =
    &["--cwd", "--mutex", "--network-timeout", "--modules-folder", "--cache-folder"];
pub(super) const BUN_VALUES: &[&str] = &["--cwd", "--filter", "-F", "--shell", "--elide-lines"];

/// Where the script's name is among a runner's words: `run X` (1), `workspace NAME X` (2),
/// `workspaces foreach ... run X`, or the word itself (`pnpm X`, 0).
pub(super) fn script_position(words: &[String]) -> Option<usize> {
    match words.first().map(String::as_str) {
        None => None,
        Some("run" | "run-script" | "rum" | "urn" | "rr" | "exec" | "x" | "dlx") => Some(1),
        Some("workspace") => Some(2),
        Some("workspaces") => words.iter().position(|w| w == "run").map(|k| k + 1),
        Some(_) => Some(0),
    }
}

/// A package manager's command line with its options taken out: the words left (command,
/// script, arguments), and where the options point the script lookup.
pub(super) struct RunnerOptions<'a> {
    pub(super) argv: &'a [String],
    /// Words that are not options, up to `--`; then everything after it.
    pub(super) words: Vec<String>,
    /// Index in argv of each word.
    pub(super) at: Vec<usize>,
    pub(super) dir: Option<String>,
    pub(super) workspaces: Option<Vec<String>>,
    pub(super) root: bool,
}

impl<'a> RunnerOptions<'a> {
    /// `npm`: npm reads options anywhere before `--` (after the script name too); pnpm, yarn
    /// and bun pass everything after the script name on to the script.
    pub(super) fn read(argv: &'a [String], with_value: &[&str], npm: bool) -> Self {
        let mut o = RunnerOptions { argv, words: Vec::new(), at: Vec::new(), dir: None, workspaces: None, root: false };
        let mut i = 1;
        while let Some(a) = argv.get(i) {
            if a == "--" {
                o.words.extend(argv[i + 1..].iter().cloned());
                o.at.extend(i + 1..argv.len());
                break;
            }
            let past_script = !npm && script_position(&o.words).is_some_and(|p| o.words.len() > p);
            if !a.starts_with('-') || a == "-" || past_script {
                o.words.push(a.clone());
                o.at.push(i);
                i += 1;
                continue;
            }
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) => (f, Some(v.to_string())),
                None => (a.as_str(), None),
            };
            let value = match (with_value.contains(&flag), inline) {
                (_, Some(v)) => Some(v),
                (true, None) => {
                    i += 1;
                    argv.get(i).cloned()
                }
                (false, None) => None,
            };
            match flag {
                "--prefix" | "-C" | "--dir" | "--cwd" => o.dir = value,
                // pnpm's `-w` is the workspace root; npm's takes a workspace.
                "-w" if !npm => o.root = true,
                "-w" | "--workspace" | "--filter" | "-F" | "--filter-prod" => {
                    o.workspaces.get_or_insert_with(Vec::new).extend(value)
                }
                "-ws" | "--ws" | "--workspaces" | "-r" | "--recursive" if value.as_deref() != Some("false") => {
                    o.workspaces.get_or_insert_with(Vec::new);
                }
                "--workspace-root" => o.root = true,
                _ => {}
            }
            i += 1;
        }
        o
    }

    /// Index in argv of word `k` (argv's end when there is none).
    pub(super) fn index_of(&self, k: usize) -> usize {
        self.at.get(k).copied().unwrap_or(self.argv.len())
    }

    pub(super) fn at(&self) -> At {
        match (&self.workspaces, &self.dir, self.root) {
            (Some(w), _, _) => At::Workspaces(w.clone()),
            (None, Some(d), _) => At::Dir(d.clone()),
            (None, None, true) => At::Root,
            (None, None, false) => At::Here,
        }
    }

    /// The script named by word `k`, its arguments after it.
    pub(super) fn script(&self, runner: &str, k: usize, chain: &mut Vec<String>) -> Target {
        chain.push(runner.to_string());
        match self.words.get(k) {
            Some(name) => Target::Script { name: name.clone(), args: self.words[k + 1..].to_vec(), at: self.at() },
            None => Target::Other,
        }
    }
}

/// An install (`npm install|ci|rebuild`, `pnpm install`, a bare `yarn`, `bun install`):
/// the lifecycle scripts it runs, `install` and `prepare` with their pre and post scripts,
/// of the package it installs and, at a workspace root, of the workspace packages. Nothing
/// with `--ignore-scripts`.
pub(super) fn lifecycle(runner: &str, o: &RunnerOptions<'_>, env: &[EnvChange], chain: &mut Vec<String>) -> Target {
    lifecycle_of(&format!("{runner} install"), o, env, chain, &["install", "prepare"])
}

/// The lifecycle scripts `scripts` a package manager command runs (with their pre and post
/// scripts), in the packages its options name; nothing with `--ignore-scripts`.
pub(super) fn lifecycle_of(
    label: &str,
    o: &RunnerOptions<'_>,
    env: &[EnvChange],
    chain: &mut Vec<String>,
    scripts: &[&str],
) -> Target {
    let off = |v: &str| !v.is_empty() && v != "false";
    let ignored =
        o.argv.iter().any(|a| a == "--ignore-scripts" || a.strip_prefix("--ignore-scripts=").is_some_and(off))
            || env.iter().any(
                |e| matches!(e, EnvChange::Set(k, v) if k.eq_ignore_ascii_case("npm_config_ignore_scripts") && off(v)),
            );
    if ignored {
        return Target::Other;
    }
    chain.push(label.to_string());
    // Where, in npm's own options (the script walk reads them for every runner).
    let places: Vec<String> = match o.at() {
        // An install at a workspace root runs the workspace packages' scripts too.
        At::Here if scripts.contains(&"install") => vec![String::new(), " --workspaces".into()],
        At::Here => vec![String::new()],
        At::Dir(d) => vec![format!(" --prefix {}", crate::shell::quote(&d))],
        At::Root => vec![" --workspace-root".into()],
        At::Workspaces(w) if w.is_empty() => vec![String::new(), " --workspaces".into()],
        At::Workspaces(w) => w.iter().map(|x| format!(" --workspace {}", crate::shell::quote(x))).collect(),
    };
    let lines: Vec<String> =
        places.iter().flat_map(|p| scripts.iter().map(move |s| format!("npm run {s}{p}"))).collect();
    Target::Shell { script: lines.join("\n") }
}

pub(super) const PNPM_BUILTINS: &[&str] = &[
    "install",
    "i",
    "add",
    "remove",
    "rm",
    "uninstall",
    "un",
    "update",
    "up",
    "upgrade",
    "link",
    "ln",
    "unlink",
    "import",
    "rebuild",
    "rb",
    "prune",
    "fetch",
    "install-test",
    "it",
    "patch",
    "patch-commit",
    "audit",
    "list",
    "ls",
    "outdated",
    "why",
    "publish",
    "pack",
    "store",
    "init",
    "env",
    "setup",
    "config",
    "c",
    "root",
    "bin",
    "server",
    "licenses",
    "deploy",
    "doctor",
    "-v",
    "--version",
];
pub(super) const YARN_BUILTINS: &[&str] = &[
    "install",
    "add",
    "remove",
    "upgrade",
    "up",
    "why",
    "info",
    "init",
    "link",
    "unlink",
    "pack",
    "publish",
    "config",
    "cache",
    "workspaces",
    "set",
    "plugin",
    "npm",
    "constraints",
    "dedupe",
    "-v",
    "--version",
];
pub(super) const BUN_BUILTINS: &[&str] = &[
    "install", "i", "add", "a", "remove", "rm", "update", "link", "unlink", "pm", "build", "init", "create", "upgrade",
];

/// Whether a package runner starts a Prisma it fetches rather than the project's
/// `node_modules/.bin/prisma` (the shim): `pnpm dlx`/`yarn dlx` always fetch, and a version
/// (`npx prisma@7.10.1`, `-p prisma@7`) names a package apart from the project's.
pub(super) fn downloads_prisma(runner: &str, cmd: &str, packages: &[String]) -> Option<String> {
    let versioned = |w: &str| w.starts_with("prisma@") || w.starts_with("@prisma/cli@");
    if runner.ends_with("dlx") {
        return Some(format!("`{runner} {cmd}` fetches its own prisma"));
    }
    if versioned(cmd) {
        return Some(format!(
            "`{runner} {cmd}` runs that version of prisma, not the project's node_modules/.bin/prisma"
        ));
    }
    packages
        .iter()
        .find(|p| versioned(p) || super::package_managers::is_prisma_spec(p))
        .map(|p| format!("`{runner} -p {p}` runs that version of prisma, not the project's node_modules/.bin/prisma"))
}
