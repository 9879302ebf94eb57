//! The command lines of the recipe runners: `make`, `just`, `task` (go-task) and `mise`, read
//! into a [`Call`] (which file, which folder, which targets) for [`super::lookup`].

use super::{Call, Tool};
use crate::shell::quote;
use crate::shell::resolve::Target;

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
    short
        .iter()
        .find_map(|s| a.strip_prefix(s).filter(|v| !v.is_empty() && !a.starts_with("--")).map(|v| (v.to_string(), 1)))
}

/// `make -f - <<EOF`, `make --eval 'TEXT'`: recipes given on the line (or its input) rather
/// than in a file: their command lines, as a script, with `make` and its remaining options
/// after them. A makefile read from an input the line does not show cannot be checked.
fn inline_makefile(argv: &[String], input: Option<&str>) -> Option<Target> {
    let stdin = argv.windows(2).any(|w| w[0] == "-f" && matches!(w[1].as_str(), "-" | "/dev/stdin"))
        || argv.iter().any(|a| matches!(a.as_str(), "-f-" | "--file=-" | "--makefile=-" | "--file=/dev/stdin"));
    let evals: Vec<&str> = argv
        .iter()
        .enumerate()
        .filter_map(|(k, a)| match a.strip_prefix("--eval=") {
            Some(v) => Some(v),
            None => (a == "--eval").then(|| argv.get(k + 1).map(String::as_str)).flatten(),
        })
        .collect();
    if !stdin && evals.is_empty() {
        return None;
    }
    let mut text: Vec<&str> = evals;
    if stdin {
        match input {
            Some(body) => text.push(body),
            None => {
                return Some(Target::Unreadable {
                    why: "`make -f -` reads its makefile from an input not shown, so what it runs cannot be checked"
                        .into(),
                })
            }
        }
    }
    let lines: Vec<String> = text
        .iter()
        .flat_map(|t| t.lines())
        .filter_map(|l| l.strip_prefix('\t'))
        .map(|l| l.trim_start_matches(['@', '-', '+']).replace("$$", "$"))
        .collect();
    Some(Target::Shell { script: lines.join("\n") })
}

/// `make [options] [VAR=value] [targets]` (`input`: what the line feeds it).
pub(crate) fn make(argv: &[String], input: Option<&str>) -> Target {
    if let Some(inline) = inline_makefile(argv, input) {
        return inline;
    }
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
        if let Some((_, n)) = valued(
            argv,
            i,
            &["-I", "-o", "-W", "-l"],
            &[
                "--include-dir",
                "--old-file",
                "--assume-old",
                "--what-if",
                "--new-file",
                "--assume-new",
                "--load-average",
                "--eval",
                "--jobserver-style",
                "--output-sync",
            ],
        ) {
            i += n;
            continue;
        }
        match a.as_str() {
            "-n" | "--dry-run" | "--just-print" | "--recon" | "-q" | "--question" | "-t" | "--touch" => {
                call.dry_run = true
            }
            // `-j 4`: a number after `-j` is its value.
            "-j" | "--jobs" if argv.get(i + 1).is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())) => i += 1,
            "-v" | "--version" | "-h" | "--help" => return Target::Other,
            s if s.starts_with('-') => {
                // `-ns`, `-kn`: a cluster of single-letter flags.
                if !s.starts_with("--")
                    && s[1..].contains(['n', 'q', 't'])
                    && s[1..].bytes().all(|b| b.is_ascii_alphabetic())
                {
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
pub(crate) fn just(argv: &[String]) -> Target {
    const ONLY_SHOW: &[&str] = &[
        "-l",
        "--list",
        "--summary",
        "--show",
        "-s",
        "--dump",
        "--evaluate",
        "--edit",
        "-e",
        "--init",
        "--fmt",
        "--variables",
        "--groups",
        "--completions",
        "--changelog",
        "--man",
        "--help",
        "-h",
        "--version",
        "-V",
        "-n",
        "--dry-run",
        "--check",
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
        if let Some((_, n)) = valued(
            argv,
            i,
            &[],
            &[
                "--shell",
                "--shell-arg",
                "--dotenv-filename",
                "--dotenv-path",
                "--color",
                "--command-color",
                "--list-heading",
                "--list-prefix",
                "--chooser",
                "--timestamp-format",
            ],
        ) {
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
pub(crate) fn task(argv: &[String]) -> Target {
    const ONLY_SHOW: &[&str] = &[
        "-l",
        "--list",
        "-a",
        "--list-all",
        "--summary",
        "-i",
        "--init",
        "--version",
        "-h",
        "--help",
        "-n",
        "--dry",
        "--status",
        "--completion",
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
        if let Some((_, n)) = valued(
            argv,
            i,
            &["-o", "-C", "-I"],
            &[
                "--output",
                "--concurrency",
                "--interval",
                "--sort",
                "--output-group-begin",
                "--output-group-end",
                "--json",
            ],
        ) {
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
    "activate",
    "alias",
    "backends",
    "bin-paths",
    "cache",
    "completion",
    "config",
    "cfg",
    "deactivate",
    "doctor",
    "dr",
    "edit",
    "en",
    "env",
    "e",
    "fmt",
    "generate",
    "g",
    "help",
    "hook-env",
    "hook-not-found",
    "implode",
    "install",
    "i",
    "install-into",
    "latest",
    "link",
    "ln",
    "list",
    "ls",
    "ls-remote",
    "lock",
    "mcp",
    "outdated",
    "plugins",
    "p",
    "prune",
    "registry",
    "reshim",
    "search",
    "self-update",
    "set",
    "settings",
    "shell",
    "sh",
    "sync",
    "test-tool",
    "tool",
    "tool-stub",
    "trust",
    "uninstall",
    "unset",
    "unuse",
    "upgrade",
    "up",
    "use",
    "u",
    "usage",
    "version",
    "where",
    "which",
    "tasks",
    "task",
    "t",
    "plugin",
    "run",
    "r",
    "watch",
    "w",
];

/// `mise run X`, `mise r X`, `mise tasks run X`, `mise watch X`, `mise X`; `mise exec -- CMD`.
pub(crate) fn mise(argv: &[String]) -> Target {
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
                Some(k) => {
                    Target::Shell { script: argv[i + k + 1..].iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ") }
                }
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

    fn call(t: Target) -> Call {
        match t {
            Target::Recipe(c) => c,
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn recipe_runner_forms() {
        let c = call(make(&words("make -C a -C b -f x.mk -j 4 -s reset PRISMA=p X:=1"), None));
        assert_eq!(
            (c.dir.as_deref(), c.files.clone(), c.targets.clone()),
            (Some("a/b"), vec!["x.mk".to_string()], vec!["reset".to_string()])
        );
        assert_eq!(c.vars, vec![("PRISMA".to_string(), "p".to_string()), ("X".to_string(), "1".to_string())]);
        assert!(!c.dry_run);
        assert!(call(make(&words("make -ns reset"), None)).dry_run);
        assert!(call(make(&words("make --directory=sub"), None)).targets.is_empty());
        assert_eq!(make(&words("make --version"), None), Target::Other);
        let c = call(just(&words("just --justfile j -d w reset --force")));
        assert_eq!(
            (c.files, c.dir, c.targets),
            (vec!["j".to_string()], Some("w".to_string()), vec!["reset".to_string()])
        );
        assert_eq!(just(&words("just --list")), Target::Other);
        let c = call(task(&words("task -t T.yml -d d a b X=1 -- x y")));
        assert_eq!(
            (c.targets, c.vars, c.args),
            (
                vec!["a".to_string(), "b".to_string()],
                vec![("X".to_string(), "1".to_string())],
                vec!["x".to_string(), "y".to_string()]
            )
        );
        assert_eq!(task(&words("task --list-all")), Target::Other);
        for line in ["mise run reset", "mise r reset", "mise tasks run reset", "mise reset", "mise -C . run reset x"] {
            assert_eq!(call(mise(&words(line))).targets, vec!["reset".to_string()], "{line}");
        }
        assert_eq!(call(mise(&words("mise run a x ::: b"))).targets, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(mise(&words("mise ls")), Target::Other);
        assert_eq!(
            mise(&words("mise exec node@22 -- npx prisma migrate reset")),
            Target::Shell { script: "npx prisma migrate reset".into() }
        );
    }
}
