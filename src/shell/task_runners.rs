//! Monorepo task runners besides turbo: Nx (`nx run P:T`, `nx run-many -t T`, `nx affected
//! -t T`, `nx T P`, `nx P:T`) and Lerna (`lerna run T --scope P`). A task is the package
//! script of that name, or the Nx target of that name in project.json (the package lookup
//! in [`super::package_scripts`] reads both), in the projects selected (every one when none is).

use super::quote;
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

/// `RUNNER exec [options] [--] CMD ARGS` (`lerna exec`, `nx exec`): CMD in the folder of each
/// package `selectors` pick (every package when none does). Options in `values` take a value.
fn in_packages(argv: &[String], from: usize, selectors: &[&str], values: &[&str]) -> Target {
    let mut picked: Vec<String> = Vec::new();
    let mut i = from;
    while let Some(a) = argv.get(i) {
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') {
            break;
        }
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let takes = selectors.contains(&flag) || values.contains(&flag);
        let value = match inline {
            Some(v) => Some(v),
            None if takes => {
                i += 1;
                argv.get(i).cloned()
            }
            None => None,
        };
        if selectors.contains(&flag) {
            picked.extend(
                value.iter().flat_map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from)),
            );
        }
        i += 1;
    }
    let cmd: Vec<String> = argv.get(i..).unwrap_or(&[]).iter().map(|a| quote(a)).collect();
    if cmd.is_empty() {
        return Target::Other;
    }
    Target::InPackages { at: At::Workspaces(picked), script: cmd.join(" ") }
}

/// What `nx ARGS` runs.
pub(super) fn nx(argv: &[String]) -> Target {
    // `nx exec [--projects P] -- CMD`: CMD in each project's folder.
    if argv.get(1).map(String::as_str) == Some("exec") {
        return in_packages(
            argv,
            2,
            &["-p", "--projects", "--project"],
            &["--exclude", "-c", "--configuration", "--output-style", "--parallel"],
        );
    }
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

/// What `lerna run T [--scope P]...` runs, and `lerna exec [--scope P] -- CMD`: CMD in each
/// package selected.
pub(super) fn lerna(argv: &[String]) -> Target {
    if argv.get(1).map(String::as_str) == Some("exec") {
        return in_packages(argv, 2, &["--scope"], &["--ignore", "--concurrency", "--since", "--profile-location"]);
    }
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

/// What turbo runs before or alongside `task` in the packages `at` selects: the `dependsOn`
/// and `with` of the task in turbo.json (`tasks`, or turbo 1's `pipeline`; keyed by the task
/// or `pkg#task`), the workspace root's and the selected packages' own. One `turbo run` line
/// each, read again: `^dep` is `dep` in every package (their dependencies, at most), `pkg#dep`
/// that package's, `dep` the same packages'. `None`: no turbo.json names any.
pub(super) fn turbo_depends(scripts: &dyn super::Scripts, dirs: &[String], task: &str, at: &At) -> Option<String> {
    let (task, selectors) = match task.split_once('#') {
        Some((pkg, t)) => (t, vec![pkg.to_string()]),
        None => (task, if let At::Workspaces(s) = at { s.clone() } else { Vec::new() }),
    };
    let mut texts: Vec<String> = Vec::new();
    let mut places: Vec<String> = dirs.to_vec();
    places.extend(scripts.package_dirs(dirs, &At::Root));
    places.extend(scripts.package_dirs(dirs, at));
    for place in &places {
        if let Some((_, t)) = scripts.file(std::slice::from_ref(place), "turbo.json") {
            if !texts.contains(&t) {
                texts.push(t);
            }
        }
    }
    let filters: String = selectors.iter().map(|s| format!(" --filter={}", quote(s))).collect();
    let mut lines: Vec<String> = Vec::new();
    for text in &texts {
        let Some(v) = crate::install::jsonedit::Doc::new(text).ok().and_then(|d| d.value().ok()) else { continue };
        let Some(tasks) = v.get("tasks").or_else(|| v.get("pipeline")).and_then(|t| t.as_object()) else { continue };
        let entries = tasks.iter().filter(|(k, _)| *k == task || k.rsplit_once('#').is_some_and(|(_, t)| t == task));
        for (_, entry) in entries {
            let deps = ["dependsOn", "with"].into_iter().filter_map(|k| entry.get(k)?.as_array()).flatten();
            for dep in deps.filter_map(|d| d.as_str()) {
                let line = if let Some(d) = dep.strip_prefix('^') {
                    format!("turbo run {}", quote(d))
                } else if dep.starts_with('$') || dep.starts_with("//#") {
                    continue;
                } else if dep.contains('#') {
                    format!("turbo run {}", quote(dep))
                } else {
                    format!("turbo run {}{filters}", quote(dep))
                };
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
        }
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// `ultra [-r] [--filter P] SCRIPT ARGS` (ultra-runner): the package script, in every
/// workspace package with `-r` (those `--filter` names), else here.
pub(super) fn ultra(argv: &[String]) -> Target {
    let mut filters = Vec::new();
    let mut recursive = false;
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-r" | "--recursive" => recursive = true,
            "--filter" => {
                filters.extend(argv.get(i + 1).cloned());
                i += 1;
            }
            "--concurrency" => i += 1,
            _ if a.starts_with("--filter=") => filters.push(a["--filter=".len()..].to_string()),
            _ if a.starts_with('-') => {}
            _ => {
                let at = if recursive || !filters.is_empty() { At::Workspaces(filters) } else { At::Here };
                return Target::Script { name: a.clone(), args: argv[i + 1..].to_vec(), at };
            }
        }
        i += 1;
    }
    Target::Other
}

/// `deno task T` (Deno 2 runs package.json scripts), `rushx T` (the script of the package
/// here), `rush T`, `lage T`, `moon run [P]:T` (the script of that name in the workspace
/// packages; Rush's and moon's own commands run none).
pub(super) fn others(name: &str, argv: &[String]) -> Target {
    const RUSH_COMMANDS: &[&str] = &[
        "add",
        "change",
        "check",
        "deploy",
        "init",
        "init-autoinstaller",
        "install",
        "link",
        "list",
        "publish",
        "purge",
        "remove",
        "scan",
        "setup",
        "unlink",
        "update",
        "update-autoinstaller",
        "version",
        "update-cloud-credentials",
        "upgrade-interactive",
        "init-deploy",
        "init-subspace",
        "alert",
        "bridge-package",
        "link-package",
    ];
    let operands: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let args = |task: &str| -> Vec<String> {
        argv.iter().position(|a| a == task).map(|k| argv[k + 1..].to_vec()).unwrap_or_default()
    };
    match name {
        "deno" => match operands.as_slice() {
            [t, task, ..] if *t == "task" => Target::Script { name: task.to_string(), args: args(task), at: At::Here },
            _ => Target::Other,
        },
        "rushx" => match operands.first() {
            Some(task) => Target::Script { name: task.to_string(), args: args(task), at: At::Here },
            None => Target::Other,
        },
        "rush" | "lage" => match operands.first() {
            Some(task) if name == "rush" && RUSH_COMMANDS.contains(&task.as_str()) => Target::Other,
            Some(task) if name == "lage" && matches!(task.as_str(), "info" | "init" | "cache") => Target::Other,
            // `rush build` runs each project's `build` script, a custom command its script.
            Some(task) => Target::Script { name: task.to_string(), args: Vec::new(), at: At::Workspaces(Vec::new()) },
            None => Target::Other,
        },
        "moon" => match operands.as_slice() {
            [run, target, ..] if matches!(run.as_str(), "run" | "r") => {
                let (project, task) = target.split_once(':').unwrap_or(("", target));
                let at = if project.is_empty() || project == "*" { Vec::new() } else { vec![project.to_string()] };
                Target::Script { name: task.to_string(), args: Vec::new(), at: At::Workspaces(at) }
            }
            [target, ..] if target.contains(':') => {
                let (project, task) = target.split_once(':').unwrap_or(("", target));
                let at = if project.is_empty() || project == "*" { Vec::new() } else { vec![project.to_string()] };
                Target::Script { name: task.to_string(), args: Vec::new(), at: At::Workspaces(at) }
            }
            _ => Target::Other,
        },
        _ => Target::Other,
    }
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

    /// Review of issue 19, round 2, finding 5: `lerna exec` and `nx exec` run their command in
    /// each package's folder, as `pnpm -r exec` does.
    #[test]
    fn lerna_exec_and_nx_exec_run_their_command_in_the_packages() {
        let cmd = |at: &[&str], s: &str| Target::InPackages {
            at: At::Workspaces(at.iter().map(|p| p.to_string()).collect()),
            script: s.into(),
        };
        assert_eq!(
            lerna(&words("lerna exec -- npx prisma migrate reset --force")),
            cmd(&[], "npx prisma migrate reset --force")
        );
        assert_eq!(lerna(&words("lerna exec --scope @mono/db -- rm -f dev.db")), cmd(&["@mono/db"], "rm -f dev.db"));
        assert_eq!(nx(&words("nx exec -- rm -f dev.db")), cmd(&[], "rm -f dev.db"));
        assert_eq!(nx(&words("nx exec --projects=db,api -- rm -f dev.db")), cmd(&["db", "api"], "rm -f dev.db"));
        assert_eq!(lerna(&words("lerna exec")), Target::Other);
        for line in [
            "lerna exec -- npx prisma migrate reset --force",
            "lerna exec --scope @mono/db -- prisma migrate reset --force",
            "nx exec -- npx prisma migrate reset --force",
            "npm exec --ws -- npx prisma migrate reset --force",
            "npm exec -w db -- prisma migrate reset --force",
            "yarn workspaces foreach -A exec prisma migrate reset --force",
            "pnpm -r exec prisma migrate reset --force",
        ] {
            assert_eq!(judged(line), crate::judge::Verdict::Destructive, "{line}");
        }
        for line in
            ["lerna exec -- ls", "nx exec -- tsc", "npm exec --ws -- tsc", "yarn workspaces foreach -A exec echo hi"]
        {
            assert_eq!(judged(line), crate::judge::Verdict::Allow, "{line}");
        }
    }

    fn judged(line: &str) -> crate::judge::Verdict {
        crate::judge::check(line, std::path::Path::new("/nonexistent"), crate::guard::classify::Options::default())
            .verdict
    }

    #[test]
    fn lerna_forms() {
        assert_eq!(lerna(&words("lerna run db:reset")), script("db:reset", &[]));
        assert_eq!(lerna(&words("lerna run db:reset --scope @acme/db")), script("db:reset", &["@acme/db"]));
        assert_eq!(lerna(&words("lerna list")), Target::Other);
    }
}
