//! Monorepo task runners besides turbo: Nx (`nx run P:T`, `nx run-many -t T`, `nx affected
//! -t T`, `nx T P`, `nx P:T`) and Lerna (`lerna run T --scope P`). A task is the package
//! script of that name, or the Nx target of that name in project.json (the package lookup
//! in [`super::packages`] reads both), in the projects selected (every one when none is).
//! Recipe runners: `make`, `just`, `task` (go-task) and `mise run`, whose recipes
//! [`super::recipes`] reads.

use super::quote;
use super::recipes::{Call, Tool};
use super::resolve::{At, Target};

/// Nx's own commands: anything else names a target (`nx build api`) or `project:target`.
const NX_COMMANDS: &[&str] = &[
    "add",
    "connect",
    "daemon",
    "graph",
    "dep-graph",
    "format",
    "format:check",
    "format:write",
    "generate",
    "g",
    "import",
    "init",
    "list",
    "migrate",
    "release",
    "repair",
    "report",
    "reset",
    "show",
    "sync",
    "sync:check",
    "view-logs",
    "watch",
    "login",
    "logout",
    "mcp",
    "help",
    "exec",
    "print-affected",
    "configure-ai-agents",
];

/// Nx options that take the next word as their value.
const NX_VALUES: &[&str] = &[
    "-t",
    "--target",
    "--targets",
    "-p",
    "--projects",
    "-c",
    "--configuration",
    "--exclude",
    "--base",
    "--head",
    "--files",
    "--output-style",
    "--parallel",
    "--runner",
    "--nxBail",
    "--batch",
];

/// What `nx ARGS` runs.
pub(super) fn nx(argv: &[String]) -> Target {
    let mut words: Vec<String> = Vec::new();
    let mut targets: Vec<String> = Vec::new();
    let mut projects: Vec<String> = Vec::new();
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if a == "--" {
            break;
        }
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with('-') => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        if flag.starts_with('-') {
            let value = match (&inline, NX_VALUES.contains(&flag)) {
                (Some(v), _) => Some(v.clone()),
                (None, true) => {
                    i += 1;
                    argv.get(i).cloned()
                }
                (None, false) => None,
            };
            let list = |v: &str| -> Vec<String> {
                v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
            };
            match (flag, value) {
                ("-t" | "--target" | "--targets", Some(v)) => targets.extend(list(&v)),
                ("-p" | "--projects", Some(v)) => projects.extend(list(&v)),
                _ => {}
            }
        } else {
            words.push(a.clone());
        }
        i += 1;
    }
    let run = |pairs: Vec<(String, String)>| lines(&pairs);
    match words.first().map(String::as_str) {
        Some("run") => words.get(1).map_or(Target::Other, |spec| run(splits(spec))),
        Some("run-many" | "affected") => {
            let projects = if projects.is_empty() { vec!["*".to_string()] } else { projects };
            run(targets.iter().flat_map(|t| projects.iter().map(move |p| (p.clone(), t.clone()))).collect())
        }
        Some(w) if NX_COMMANDS.contains(&w) => Target::Other,
        // `nx api:reset` (a project's target) or `nx reset api` / `nx db:reset` (a target, of
        // one project or of the project where the line runs): every reading.
        Some(spec) => {
            let mut pairs = splits(spec);
            let project = words.get(1).cloned().unwrap_or_else(|| "*".to_string());
            pairs.push((project, spec.to_string()));
            run(pairs)
        }
        None => Target::Other,
    }
}

/// The readings of `project:target[:configuration]`: Nx names may hold colons themselves.
fn splits(spec: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, _) in spec.match_indices(':') {
        let (project, target) = (&spec[..k], &spec[k + 1..]);
        if project.is_empty() || target.is_empty() {
            continue;
        }
        out.push((project.to_string(), target.to_string()));
        // Without a trailing `:configuration`.
        if let Some((t, _)) = target.rsplit_once(':') {
            out.push((project.to_string(), t.to_string()));
        }
    }
    if out.is_empty() {
        out.push(("*".to_string(), spec.to_string()));
    }
    out
}

/// One `nx-task PROJECT TARGET` line per pair, read again by the shell walk.
fn lines(pairs: &[(String, String)]) -> Target {
    match pairs {
        [] => Target::Other,
        [(project, target)] => Target::Script { name: target.clone(), args: Vec::new(), at: at(project) },
        _ => {
            // `run-many` with one target and one project reads as exactly that pair.
            let lines: Vec<String> = pairs
                .iter()
                .map(|(p, t)| match p.as_str() {
                    "*" => format!("nx run-many -t {}", quote(t)),
                    p => format!("nx run-many -t {} -p {}", quote(t), quote(p)),
                })
                .collect();
            Target::Shell { script: lines.join("\n") }
        }
    }
}

fn at(project: &str) -> At {
    match project {
        "*" => At::Workspaces(Vec::new()),
        p => At::Workspaces(vec![p.to_string()]),
    }
}

/// What `lerna run T [--scope P]...` runs (`lerna exec -- CMD` is a plain wrapper).
pub(super) fn lerna(argv: &[String]) -> Target {
    if argv.get(1).map(String::as_str) != Some("run") {
        return Target::Other;
    }
    let mut scopes = Vec::new();
    let mut script = None;
    let mut args = Vec::new();
    let mut i = 2;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "--" => {
                args = argv[i + 1..].to_vec();
                break;
            }
            "--scope" => {
                scopes.extend(argv.get(i + 1).cloned());
                i += 1;
            }
            s if s.starts_with("--scope=") => scopes.push(s["--scope=".len()..].to_string()),
            "--ignore" | "--concurrency" | "--since" | "--npm-client" | "--profile-location" => i += 1,
            s if s.starts_with('-') => {}
            s if script.is_none() => script = Some(s.to_string()),
            _ => {}
        }
        i += 1;
    }
    match script {
        Some(name) => Target::Script { name, args, at: At::Workspaces(scopes) },
        None => Target::Other,
    }
}

/// An option and its value: `-f F`, `-fF`, `--file=F`, `--file F` (for the names in `long`
/// and `short`). Returns the value and how many words it took.
fn valued(argv: &[String], i: usize, short: &[&str], long: &[&str]) -> Option<(String, usize)> {
    let a = argv.get(i)?;
    if let Some((flag, v)) = a.split_once('=').filter(|(f, _)| f.starts_with("--")) {
        return long.contains(&flag).then(|| (v.to_string(), 1));
    }
    if long.contains(&a.as_str()) || short.contains(&a.as_str()) {
        return Some((argv.get(i + 1).cloned().unwrap_or_default(), 2));
    }
    short.iter().find_map(|s| a.strip_prefix(s).filter(|v| !v.is_empty() && !a.starts_with("--")).map(|v| (v.to_string(), 1)))
}

/// `make [options] [VAR=value] [targets]`.
pub(super) fn make(argv: &[String]) -> Target {
    let mut call = Call::new(Tool::Make);
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if let Some((f, n)) = valued(argv, i, &["-f"], &["--file", "--makefile"]) {
            call.files.push(f);
            i += n;
            continue;
        }
        if let Some((d, n)) = valued(argv, i, &["-C"], &["--directory"]) {
            call.dir = Some(match call.dir.take() {
                Some(prev) if !d.starts_with('/') => format!("{prev}/{d}"),
                _ => d,
            });
            i += n;
            continue;
        }
        if let Some((_, n)) = valued(argv, i, &["-I", "-o", "-W", "-l"], &["--include-dir", "--old-file", "--assume-old", "--what-if", "--new-file", "--assume-new", "--load-average", "--eval", "--jobserver-style", "--output-sync"]) {
            i += n;
            continue;
        }
        match a.as_str() {
            "-n" | "--dry-run" | "--just-print" | "--recon" | "-q" | "--question" | "-t" | "--touch" => call.dry_run = true,
            // `-j 4`: a number after `-j` is its value.
            "-j" | "--jobs" if argv.get(i + 1).is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())) => i += 1,
            "-v" | "--version" | "-h" | "--help" => return Target::Other,
            s if s.starts_with('-') => {
                // `-ns`, `-kn`: a cluster of single-letter flags.
                if !s.starts_with("--") && s[1..].contains(['n', 'q', 't']) && s[1..].bytes().all(|b| b.is_ascii_alphabetic()) {
                    call.dry_run = true;
                }
            }
            s => match s.split_once('=') {
                Some((k, v)) => call.vars.push((k.trim_end_matches(':').to_string(), v.to_string())),
                None => call.targets.push(s.to_string()),
            },
        }
        i += 1;
    }
    Target::Recipe(call)
}

/// `just [options] [recipe [args]...]`.
pub(super) fn just(argv: &[String]) -> Target {
    const ONLY_SHOW: &[&str] = &[
        "-l", "--list", "--summary", "--show", "-s", "--dump", "--evaluate", "--edit", "-e", "--init", "--fmt", "--variables",
        "--groups", "--completions", "--changelog", "--man", "--help", "-h", "--version", "-V", "-n", "--dry-run", "--check",
    ];
    let mut call = Call::new(Tool::Just);
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if ONLY_SHOW.contains(&a.as_str()) {
            return Target::Other;
        }
        if let Some((f, n)) = valued(argv, i, &["-f"], &["--justfile"]) {
            call.files.push(f);
            i += n;
            continue;
        }
        if let Some((d, n)) = valued(argv, i, &["-d"], &["--working-directory"]) {
            call.dir = Some(d);
            i += n;
            continue;
        }
        if let Some((v, n)) = valued(argv, i, &[], &["--set"]) {
            call.vars.push((v, argv.get(i + 2).cloned().unwrap_or_default()));
            i += n + 1;
            continue;
        }
        if let Some((_, n)) = valued(argv, i, &[], &["--shell", "--shell-arg", "--dotenv-filename", "--dotenv-path", "--color", "--command-color", "--list-heading", "--list-prefix", "--chooser", "--timestamp-format"]) {
            i += n;
            continue;
        }
        match a.as_str() {
            // `just --choose`: any recipe of the file may run.
            "--choose" => call.targets.push("*".to_string()),
            s if s.starts_with('-') => {}
            s if call.targets.is_empty() && s.contains('=') => {
                if let Some((k, v)) = s.split_once('=') {
                    call.vars.push((k.to_string(), v.to_string()));
                }
            }
            s => call.targets.push(s.to_string()),
        }
        i += 1;
    }
    Target::Recipe(call)
}

/// `task [options] [tasks...] [VAR=value] [-- args]` (go-task).
pub(super) fn task(argv: &[String]) -> Target {
    const ONLY_SHOW: &[&str] = &[
        "-l", "--list", "-a", "--list-all", "--summary", "-i", "--init", "--version", "-h", "--help", "-n", "--dry",
        "--status", "--completion",
    ];
    let mut call = Call::new(Tool::Task);
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if a == "--" {
            call.args = argv[i + 1..].to_vec();
            break;
        }
        if ONLY_SHOW.contains(&a.as_str()) {
            return Target::Other;
        }
        if let Some((f, n)) = valued(argv, i, &["-t"], &["--taskfile"]) {
            call.files.push(f);
            i += n;
            continue;
        }
        if let Some((d, n)) = valued(argv, i, &["-d"], &["--dir"]) {
            call.dir = Some(d);
            i += n;
            continue;
        }
        if let Some((_, n)) = valued(argv, i, &["-o", "-C", "-I"], &["--output", "--concurrency", "--interval", "--sort", "--output-group-begin", "--output-group-end", "--json"]) {
            i += n;
            continue;
        }
        match a.split_once('=') {
            _ if a.starts_with('-') => {}
            Some((k, v)) => call.vars.push((k.to_string(), v.to_string())),
            None => call.targets.push(a.clone()),
        }
        i += 1;
    }
    Target::Recipe(call)
}

/// mise's own commands; any other first word names a task (`mise reset`).
const MISE_COMMANDS: &[&str] = &[
    "activate", "alias", "backends", "bin-paths", "cache", "completion", "config", "cfg", "deactivate", "doctor", "dr",
    "edit", "en", "env", "e", "fmt", "generate", "g", "help", "hook-env", "hook-not-found", "implode", "install", "i",
    "install-into", "latest", "link", "ln", "list", "ls", "ls-remote", "lock", "mcp", "outdated", "plugins", "p",
    "prune", "registry", "reshim", "search", "self-update", "set", "settings", "shell", "sh", "sync", "test-tool",
    "tool", "tool-stub", "trust", "uninstall", "unset", "unuse", "upgrade", "up", "use", "u", "usage", "version",
    "where", "which",
];

/// `mise run X`, `mise r X`, `mise tasks run X`, `mise watch X`, `mise X`; `mise exec -- CMD`.
pub(super) fn mise(argv: &[String]) -> Target {
    let mut call = Call::new(Tool::Mise);
    let mut i = 1;
    // Global options before the subcommand.
    while let Some(a) = argv.get(i) {
        if let Some((d, n)) = valued(argv, i, &["-C"], &["--cd"]) {
            call.dir = Some(d);
            i += n;
            continue;
        }
        if let Some((_, n)) = valued(argv, i, &["-E", "-j", "-o"], &["--env", "--jobs", "--output", "--log-level"]) {
            i += n;
            continue;
        }
        if !a.starts_with('-') {
            break;
        }
        i += 1;
    }
    let sub = argv.get(i).map(String::as_str);
    let from = match sub {
        Some("run" | "r" | "watch" | "w") => i + 1,
        Some("tasks" | "task" | "t") if matches!(argv.get(i + 1).map(String::as_str), Some("run" | "r")) => i + 2,
        Some("exec" | "x") => {
            return match argv[i..].iter().position(|a| a == "--") {
                Some(k) => Target::Shell { script: argv[i + k + 1..].iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ") },
                None => Target::Other,
            };
        }
        Some(w) if !MISE_COMMANDS.contains(&w) && !w.starts_with('-') => i,
        _ => return Target::Other,
    };
    // `mise run a x ::: b`: the first word of each group is a task, the rest its arguments.
    let mut k = from;
    let mut named = false;
    let mut after_dashes = false;
    while let Some(a) = argv.get(k) {
        match a.as_str() {
            ":::" => (named, after_dashes) = (false, false),
            "--" => after_dashes = true,
            _ if after_dashes => call.args.push(a.clone()),
            "-n" | "--dry-run" => return Target::Other,
            "-C" | "--cd" | "-j" | "--jobs" | "-o" | "--output" | "-t" | "--tool" | "--timeout" => k += 1,
            s if s.starts_with('-') => {}
            s if !named => {
                call.targets.push(s.to_string());
                named = true;
            }
            s => call.args.push(s.to_string()),
        }
        k += 1;
    }
    Target::Recipe(call)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    fn script(name: &str, projects: &[&str]) -> Target {
        Target::Script {
            name: name.into(),
            args: vec![],
            at: At::Workspaces(projects.iter().map(|p| p.to_string()).collect()),
        }
    }

    #[test]
    fn nx_forms() {
        assert_eq!(nx(&words("nx run db:reset")), script("reset", &["db"]));
        assert_eq!(nx(&words("nx run-many -t reset")), script("reset", &[]));
        assert_eq!(nx(&words("nx affected --target=reset")), script("reset", &[]));
        assert_eq!(nx(&words("nx run-many -t reset -p db")), script("reset", &["db"]));
        assert_eq!(nx(&words("nx graph")), Target::Other);
        assert_eq!(nx(&words("nx reset")), Target::Other, "nx reset clears Nx's cache");
        // `db:db:reset`: project `db`, target `db:reset` (or `db` with configuration `reset`).
        match nx(&words("nx run db:db:reset")) {
            Target::Shell { script } => assert!(script.contains("nx run-many -t db:reset -p db"), "{script}"),
            t => panic!("{t:?}"),
        }
        assert!(splits("db:db:reset").contains(&("db".into(), "db:reset".into())));
        assert!(splits("api:build:production").contains(&("api".into(), "build".into())));
    }

    fn call(t: Target) -> Call {
        match t {
            Target::Recipe(c) => c,
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn recipe_runner_forms() {
        let c = call(make(&words("make -C a -C b -f x.mk -j 4 -s reset PRISMA=p X:=1")));
        assert_eq!((c.dir.as_deref(), c.files.clone(), c.targets.clone()), (Some("a/b"), vec!["x.mk".to_string()], vec!["reset".to_string()]));
        assert_eq!(c.vars, vec![("PRISMA".to_string(), "p".to_string()), ("X".to_string(), "1".to_string())]);
        assert!(!c.dry_run);
        assert!(call(make(&words("make -ns reset"))).dry_run);
        assert!(call(make(&words("make --directory=sub"))).targets.is_empty());
        assert_eq!(make(&words("make --version")), Target::Other);
        let c = call(just(&words("just --justfile j -d w reset --force")));
        assert_eq!((c.files, c.dir, c.targets), (vec!["j".to_string()], Some("w".to_string()), vec!["reset".to_string()]));
        assert_eq!(just(&words("just --list")), Target::Other);
        let c = call(task(&words("task -t T.yml -d d a b X=1 -- x y")));
        assert_eq!((c.targets, c.vars, c.args), (vec!["a".to_string(), "b".to_string()], vec![("X".to_string(), "1".to_string())], vec!["x".to_string(), "y".to_string()]));
        assert_eq!(task(&words("task --list-all")), Target::Other);
        for line in ["mise run reset", "mise r reset", "mise tasks run reset", "mise reset", "mise -C . run reset x"] {
            assert_eq!(call(mise(&words(line))).targets, vec!["reset".to_string()], "{line}");
        }
        assert_eq!(call(mise(&words("mise run a x ::: b"))).targets, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(mise(&words("mise ls")), Target::Other);
        assert_eq!(mise(&words("mise exec node@22 -- npx prisma migrate reset")), Target::Shell { script: "npx prisma migrate reset".into() });
    }

    #[test]
    fn lerna_forms() {
        assert_eq!(lerna(&words("lerna run db:reset")), script("db:reset", &[]));
        assert_eq!(lerna(&words("lerna run db:reset --scope @acme/db")), script("db:reset", &["@acme/db"]));
        assert_eq!(lerna(&words("lerna list")), Target::Other);
    }
}
