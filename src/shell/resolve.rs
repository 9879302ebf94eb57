//! What one simple command really runs: wrappers (`sudo`, `env`, `command`, `exec`, `time`,
//! `nohup`, `xargs`, `dotenv --`, `cross-env`, ...) are peeled off, package runners (`npx`,
//! `npm exec|x`, `pnpm exec|dlx`, `yarn dlx`, `bunx`, `bun x`) and direct paths
//! (`node_modules/.bin/prisma`, `node .../prisma/build/index.js`) lead to prisma, script
//! runners (`npm run X`, `pnpm X`, `yarn X`, `bun run X`) name a package.json script, and
//! shells (`bash -c`, `sh -c`, `eval`, `bash <<EOF`) hand over a script to parse again.

use super::parse::SimpleCommand;
use super::runner_options::*;

/// Shells: given `-c SCRIPT`, a script file, or their input.
pub const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "ksh93",
    "mksh",
    "oksh",
    "pdksh",
    "ash",
    "yash",
    "posh",
    "fish",
    "csh",
    "tcsh",
    "rc",
    "es",
    "osh",
    "ysh",
    "elvish",
    "nu",
    "xonsh",
    "busybox-sh",
];

/// A change to the environment on the way to the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvChange {
    Set(String, String),
    Unset(String),
    /// `env -i`: everything removed.
    Clear,
}

/// Where a command leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The Prisma CLI with these arguments. `direct`: how the line reaches Prisma past
    /// `node_modules/.bin/prisma`, where prisma-guard's shim stands (its own entry point, the
    /// link the shim keeps aside, a version `npx` downloads, `pnpm dlx`), when it does.
    Prisma { args: Vec<String>, direct: Option<String> },
    /// A package.json script (or, when there is no such script, a package binary), in the
    /// package `at` names. `name` may be an npm-run-all pattern (`db:*`).
    Script { name: String, args: Vec<String>, at: At },
    /// A script file run by a shell or directly (`sh scripts/reset.sh`, `./reset.sh`).
    File { path: String },
    /// A JavaScript or TypeScript file (or a package folder: `node .`) run by node, tsx,
    /// ts-node or bun with `args`: the commands it spawns (`execSync("npx prisma ...")`) are
    /// read from it.
    Code { path: String, args: Vec<String> },
    /// A shell script to parse in turn.
    Shell { script: String },
    /// A shell script run in the folders of the packages `at` names (`pnpm --filter db exec
    /// sh x.sh`, `pnpm -C pkg exec ...`).
    InPackages { at: At, script: String },
    /// A task runner's recipes (`make reset`, `just reset`, `task reset`, `mise run reset`),
    /// read from its recipe file.
    Recipe(super::recipes::Call),
    /// Commands that could not be read (a recipe file that does not parse, a target it lacks):
    /// what runs is not known.
    Unreadable { why: String },
    /// Anything else.
    Other,
}

/// Which package.json a script runner reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum At {
    /// The package of the folder the command runs in.
    #[default]
    Here,
    /// The package of this folder (`npm --prefix D`, `npm -C D`, `pnpm -C D`, `yarn --cwd D`).
    Dir(String),
    /// The workspace root's package (`pnpm -w`).
    Root,
    /// Workspace packages matching these selectors (`npm -w X`, `pnpm --filter X`, `yarn
    /// workspace X`): names or folders; empty: every package (`npm -ws`, `pnpm -r`).
    Workspaces(Vec<String>),
}

/// A resolved command: its target, the wrappers passed through, the environment changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub target: Target,
    /// Wrapper and runner names in order: `["sudo", "npx"]`.
    pub chain: Vec<String>,
    pub env: Vec<EnvChange>,
    /// The command the wrappers run, as its own argv (`psql -c ...` of `sudo -u pg psql -c ...`).
    pub inner: Vec<String>,
}

pub fn resolve(cmd: &SimpleCommand) -> Resolved {
    let mut env: Vec<EnvChange> = cmd.assigns.iter().map(|(k, v)| EnvChange::Set(k.clone(), v.clone())).collect();
    let mut chain = Vec::new();
    let mut inner = Vec::new();
    let mut target = peel(&cmd.argv, cmd.heredoc.as_deref(), &mut env, &mut chain, 0, &mut inner);
    // `BASH_ENV=wipe bash -c true`, `ENV=wipe sh -i`: the shell reads that file first.
    let shell = inner.first().is_some_and(|a| SHELLS.contains(&base(a)));
    let startup = env.iter().rev().find_map(|e| match e {
        EnvChange::Set(k, v) if k == "BASH_ENV" || k == "ENV" => Some(v.clone()),
        _ => None,
    });
    if let (true, Some(file)) = (shell, startup) {
        let rest: Vec<String> = inner.iter().map(|a| super::quote(a)).collect();
        target = Target::Shell { script: format!(". {}\n{}", super::quote(&file), rest.join(" ")) };
    }
    // `printf -v 'a[$(rm f)]' x`, `read "a[...]"`, `test -v`, `declare -i x='a[...]'`: bash
    // evaluates an array subscript in a name as arithmetic, running the substitutions in it.
    if matches!(target, Target::Other) {
        if let Some(script) = evaluated_names(&inner) {
            chain.push(base(&inner[0]).to_string());
            target = Target::Shell { script };
        }
    }
    Resolved { target, chain, env, inner }
}

/// The command lines inline code starts (`execSync('ls')`, `os.system("git status")`,
/// `subprocess.run(["ls", "-l"])`), when every call that starts a program is given its
/// command as plain string literals: `None` when any is built when the code runs.
pub fn literal_spawns(code: &str) -> Option<Vec<String>> {
    use std::sync::LazyLock;
    static CALL: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?:\b(\w+)\s*\.\s*)?\b(execSync|execFileSync|spawnSync|spawn|execFile|execa|execaSync|exec|system|popen|check_output|check_call|call|run|Popen|getoutput|getstatusoutput)\s*\(",
        )
        .ok()
    });
    static LITERAL: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(r#"^\s*(?:'([^'\\]*)'|"([^"\\$`]*)"|\[((?:\s*(?:'[^'\\]*'|"[^"\\$`]*")\s*,?)*)\])\s*[,)]"#)
            .ok()
    });
    let (call, literal) = (CALL.as_ref()?, LITERAL.as_ref()?);
    if code.contains('`') || code.contains("${") {
        return None;
    }
    let mut out = Vec::new();
    for m in call.captures_iter(code) {
        // `db.exec('DROP TABLE x')`, `this.run(...)`: a method of something else, not a
        // program started.
        let receiver = m.get(1).map_or("", |r| r.as_str());
        if !matches!(receiver, "" | "os" | "subprocess" | "child_process" | "cp" | "Bun" | "shutil") {
            return None;
        }
        let Some(whole) = m.get(0) else { continue };
        let rest = &code[whole.end()..];
        let caps = literal.captures(rest)?;
        let text = match (caps.get(1), caps.get(2), caps.get(3)) {
            (Some(t), _, _) | (_, Some(t), _) => t.as_str().to_string(),
            (_, _, Some(list)) => list
                .as_str()
                .split(',')
                .map(|w| super::quote(w.trim().trim_matches(['\'', '"'])))
                .filter(|w| w != "''")
                .collect::<Vec<_>>()
                .join(" "),
            _ => return None,
        };
        out.push(text);
    }
    (!out.is_empty()).then_some(out)
}

/// `node -e "execSync('ls')"`, `python3 -c "os.system('git status')"`: the commands the
/// inline code starts, when they are plain literals, as a script to judge.
fn inline_spawns(name: &str, argv: &[String], chain: &mut Vec<String>) -> Target {
    let code = crate::judge::tamper::inline_code(argv);
    if code.is_empty() {
        return Target::Other;
    }
    let mut lines = Vec::new();
    for c in code {
        match literal_spawns(c) {
            Some(l) => lines.extend(l),
            None => return Target::Other,
        }
    }
    chain.push(name.to_string());
    Target::Shell { script: lines.join("\n") }
}

/// Bash builtins that take variable names or arithmetic, whose subscripts bash evaluates:
/// the substitutions written in their words (quoted, so not run before), as shell text.
fn evaluated_names(argv: &[String]) -> Option<String> {
    let name = argv.first()?;
    let evaluates = matches!(
        name.as_str(),
        "printf"
            | "read"
            | "test"
            | "["
            | "[["
            | "declare"
            | "typeset"
            | "local"
            | "export"
            | "readonly"
            | "let"
            | "unset"
            | "mapfile"
            | "readarray"
            | "wait"
            | "shift"
            | "return"
            | "exit"
    );
    if !evaluates {
        return None;
    }
    let runs = |a: &&String| (a.contains("$(") || a.contains('`')) && !a.contains(super::parse::SUBSTITUTED);
    let words: Vec<&String> = match name.as_str() {
        // Only the variable's name: the format and values are text.
        "printf" => argv.windows(2).filter(|w| w[0] == "-v").map(|w| &w[1]).collect(),
        "let" => argv[1..].iter().collect(),
        _ => argv[1..].iter().filter(|a| a.contains('[')).collect(),
    };
    let found: Vec<String> = words.into_iter().filter(runs).map(|a| format!(": {a}")).collect();
    (!found.is_empty()).then(|| found.join("\n"))
}

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether a command word is the Prisma CLI itself.
pub fn is_prisma_word(word: &str) -> bool {
    let b = base(word);
    b == "prisma" || b.starts_with("prisma@") || word == "@prisma/cli" || word.starts_with("@prisma/cli@")
}

/// Whether a path is the Prisma CLI's own entry point, run without its `.bin` link: the
/// package's JavaScript (`node_modules/prisma/build/index.js`, any `.js` under
/// `node_modules/prisma/` or `@prisma/cli/`), or the original link the project shim keeps
/// aside.
pub fn is_prisma_entry(word: &str) -> bool {
    // Node runs `X`, `X.js` and `X/index.js` alike: the package folder and anything in it.
    let parts: Vec<&str> = word.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    base(word) == crate::install::shim::ORIGINAL_NAME
        || word.ends_with("prisma/build/index.js")
        || parts.windows(2).any(|w| w == ["node_modules", "prisma"])
        || parts.windows(3).any(|w| w == ["node_modules", "@prisma", "cli"])
}

/// prisma-guard's own npm package as a runner names it (`@prisma-guard/cli`, at a version,
/// or `npm:@prisma-guard/cli`): its binary is prisma-guard.
pub fn is_guard_package(spec: &str) -> bool {
    let spec = spec.strip_prefix("npm:").unwrap_or(spec);
    let package = crate::install::invoke::NPM_PACKAGE;
    spec == package || spec.strip_prefix(package).is_some_and(|rest| rest.starts_with('@'))
}

/// The launcher of prisma-guard's npm package, as Node is given it.
fn is_guard_launcher(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    base(path).trim_end_matches(".js") == "prisma-guard"
        || parts.windows(3).any(|w| w == ["node_modules", "@prisma-guard", "cli"])
}

/// `node index.js` after `cd node_modules/prisma/build`: the arguments for prisma, and the
/// entry point, when the script a JavaScript runtime runs is Prisma's own entry point, from
/// one of the folders a `cd` led to.
pub fn prisma_entry_from(argv: &[String], dirs: &[String]) -> Option<(Vec<String>, String)> {
    let first = argv.first()?;
    if !["node", "nodejs", "bun", "tsx", "ts-node", "deno"].contains(&base(first)) {
        return None;
    }
    let i = skip_options(argv, 1, &["-r", "--require", "--import", "--env-file", "-e", "--eval"]);
    let path = argv.get(i)?;
    prisma_entry_under(path, dirs).map(|p| (argv[i + 1..].to_vec(), p))
}

/// The path of Prisma's own entry point that `path` (a file or, as Node reads `node .`, a
/// package folder) is from one of the folders a `cd` led to.
pub fn prisma_entry_under(path: &str, dirs: &[String]) -> Option<String> {
    if path.starts_with('/') {
        return is_prisma_entry(path).then(|| path.to_string());
    }
    let under = dirs.iter().filter(|d| !d.is_empty() && d.as_str() != "*");
    under.map(|d| format!("{d}/{path}")).find(|p| is_prisma_entry(p))
}

/// Skip options of a wrapper: `with_value` take the next word (unless written `--opt=value`).
/// Returns the index of the first operand.
fn skip_options(argv: &[String], mut i: usize, with_value: &[&str]) -> usize {
    while i < argv.len() {
        let a = argv[i].as_str();
        if a == "--" {
            return i + 1;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        if with_value.contains(&a) {
            i += 1;
        }
        i += 1;
    }
    i
}

/// Git's global options that take a value (`git -C dir commit`).
pub const GIT_GLOBAL_VALUES: &[&str] =
    &["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--super-prefix", "--config-env", "--exec-path"];

/// Where the subcommand of a git command line is (`git -C dir --no-pager commit`: 4).
pub fn git_subcommand_index(argv: &[String]) -> Option<usize> {
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if !a.starts_with('-') {
            return Some(i);
        }
        i += if GIT_GLOBAL_VALUES.contains(&a.as_str()) { 2 } else { 1 };
    }
    None
}

/// What `argv` runs, wrappers peeled off one by one (each calls this again with the command
/// it wraps, `n` deep): the innermost command's [`Target`], the environment the wrappers set
/// (`env`), the wrappers passed (`chain`) and the inner command words (`inner`).
pub(super) fn peel(
    argv: &[String],
    heredoc: Option<&str>,
    env: &mut Vec<EnvChange>,
    chain: &mut Vec<String>,
    n: usize,
    inner: &mut Vec<String>,
) -> Target {
    if n > 32 {
        return Target::Other;
    }
    // The innermost command reached so far (each wrapper peeled calls this again).
    *inner = argv.to_vec();
    let Some(first) = argv.first() else { return Target::Other };
    let rest = &argv[1..];
    let mut next = |name: &str, from: usize, env: &mut Vec<EnvChange>| -> Target {
        chain.push(name.to_string());
        peel(argv.get(from..).unwrap_or(&[]), heredoc, env, chain, n + 1, inner)
    };
    let name = base(first);
    match name {
        _ if is_prisma_entry(first) => Target::Prisma { args: rest.to_vec(), direct: Some(first.clone()) },
        _ if is_prisma_word(first) && !first.starts_with('@') || first == "@prisma/cli" => {
            Target::Prisma { args: rest.to_vec(), direct: None }
        }
        "env" => env_command(argv, heredoc, env, chain, n, inner),
        "sudo" | "doas" => {
            let mut i = skip_options(argv, 1, &["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-R"]);
            while let Some((k, v)) = argv.get(i).and_then(|a| a.split_once('=')).filter(|(k, _)| is_name(k)) {
                env.push(EnvChange::Set(k.to_string(), v.to_string()));
                i += 1;
            }
            next(name, i, env)
        }
        "command" => {
            if rest.iter().take_while(|a| a.starts_with('-')).any(|a| a.contains('v') || a.contains('V')) {
                return Target::Other; // `command -v prisma` only looks it up
            }
            next(name, skip_options(argv, 1, &[]), env)
        }
        "exec" => next(name, skip_options(argv, 1, &["-a"]), env),
        "time" | "nohup" | "builtin" | "stdbuf" | "unbuffer" | "caffeinate" | "chronic" => {
            next(name, skip_options(argv, 1, &["-o", "-f", "-i", "-e"]), env)
        }
        "nice" | "ionice" => next(name, skip_options(argv, 1, &["-n", "-c", "-p"]), env),
        // `taskset [-c] MASK CMD`, `chrt [-o|-f|-r|-b|-i|-d] PRIORITY CMD` (`-p`: an existing
        // process, nothing is started).
        "chrt" | "taskset" => {
            if rest
                .iter()
                .take_while(|a| a.starts_with('-'))
                .any(|a| a == "-p" || a == "--pid" || a.starts_with("-a") && a.contains('p'))
            {
                return Target::Other;
            }
            let i = skip_options(argv, 1, &["-T", "-P", "-D", "--sched-runtime", "--sched-period", "--sched-deadline"]);
            next(name, i + 1, env)
        }
        "timeout" => {
            let i = skip_options(argv, 1, &["-k", "-s", "--kill-after", "--signal"]);
            next(name, i + 1, env)
        }
        // Programs that run a command later or elsewhere (`tmux new -d CMD`, `at now`, `xargs rm`
        // fed by text the line shows, `pwsh -c`).
        _ if super::deferred::inner(name, argv, heredoc).is_some() => match super::deferred::inner(name, argv, heredoc)
        {
            Some(super::wrappers::Inner::Argv(k)) => next(name, k, env),
            Some(super::wrappers::Inner::Script(script)) => {
                chain.push(name.into());
                Target::Shell { script }
            }
            None => Target::Other,
        },
        "xargs" => next(name, skip_options(argv, 1, &["-I", "-L", "-n", "-P", "-d", "-E", "-s", "-a", "-i"]), env),
        // `deno run -A npm:prisma ARGS`, `dx npm:prisma ARGS`: Prisma fetched by deno.
        "deno" if argv.get(1).is_some_and(|a| a == "task") => {
            chain.push(name.into());
            super::task_runners::others(name, argv)
        }
        "rushx" | "rush" | "lage" | "moon" => {
            chain.push(name.into());
            super::task_runners::others(name, argv)
        }
        "deno" | "dx" => {
            let from = if name == "deno" {
                match argv.get(1).map(String::as_str) {
                    Some("run" | "x") => 2,
                    _ => return Target::Other,
                }
            } else {
                1
            };
            let i = skip_options(
                argv,
                from,
                &["-c", "--config", "--import-map", "--lock", "--cert", "--location", "--seed"],
            );
            match argv.get(i) {
                Some(spec) if deno_prisma(spec) => {
                    chain.push(name.into());
                    Target::Prisma { args: argv[i + 1..].to_vec(), direct: Some(spec.clone()) }
                }
                Some(path) if is_code_file(path) => {
                    chain.push(name.into());
                    Target::Code { path: path.clone(), args: argv[i + 1..].to_vec() }
                }
                _ => Target::Other,
            }
        }
        // `watch [-n S] CMD ARGS`: the words joined, run by `sh -c` (`-x`: run as they are).
        "watch" => {
            let i = skip_options(argv, 1, &["-n", "--interval", "-q", "--equexit"]);
            if argv[1..i].iter().any(|a| a == "-x" || a == "--exec") {
                return next(name, i, env);
            }
            chain.push(name.into());
            Target::Shell { script: argv.get(i..).unwrap_or(&[]).join(" ") }
        }
        "setsid" | "busybox" | "corepack" | "unshare" | "chroot" | "sg" | "systemd-run" => {
            next(name, skip_options(argv, 1, &["-p", "--uid", "--gid", "-u", "--unit"]), env)
        }
        // `script -qc CMD`, `su [user] -c CMD`, `runuser -u user -- CMD`, `flock FILE -c CMD`.
        // `flock [options] FILE -c CMD` or `flock [options] FILE CMD ARGS`.
        "flock" => {
            let k = skip_options(argv, 1, &["-w", "--timeout", "-E", "--conflict-exit-code"]);
            match argv.get(k + 1).map(String::as_str) {
                Some("-c" | "--command") => {
                    chain.push(name.into());
                    argv.get(k + 2).map_or(Target::Other, |s| Target::Shell { script: s.clone() })
                }
                Some(_) => next(name, k + 1, env),
                None => Target::Other,
            }
        }
        "script" | "su" | "runuser" => {
            match argv.iter().position(|a| {
                a == "-c"
                    || a == "--command"
                    || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('c') && name == "script")
            }) {
                Some(k) => {
                    chain.push(name.into());
                    argv.get(k + 1).map_or(Target::Other, |s| Target::Shell { script: s.clone() })
                }
                None => match argv.iter().position(|a| a == "--") {
                    Some(k) => next(name, k + 1, env),
                    // BSD and macOS `script [-q] FILE CMD ARGS`: CMD with the file as its record.
                    None if name == "script" => {
                        let i = skip_options(argv, 1, &["-t", "-T", "-I", "-O", "-B", "-E", "-m"]);
                        if i + 1 < argv.len() {
                            next(name, i + 1, env)
                        } else {
                            Target::Other
                        }
                    }
                    None => Target::Other,
                },
            }
        }
        // `nodemon --exec 'CMD'`: the command it starts and restarts.
        "nodemon" | "node-dev" | "ts-node-dev" => match argv.iter().position(|a| a == "--exec" || a == "-x") {
            Some(k) => {
                chain.push(name.into());
                argv.get(k + 1).map_or(Target::Other, |s| Target::Shell { script: s.clone() })
            }
            None => Target::Other,
        },
        // `find ... -exec CMD ARGS {} ;`: CMD runs for every file found.
        "find" => match argv.iter().position(|a| matches!(a.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")) {
            Some(k) => {
                let end = argv[k + 1..].iter().position(|a| a == ";" || a == "+").map_or(argv.len(), |e| k + 1 + e);
                chain.push(name.into());
                // `{}` is each file found: a name only known when the line runs.
                let words: Vec<String> =
                    argv[k + 1..end].iter().map(|a| a.replace("{}", super::parse::FOUND)).collect();
                peel(&words, heredoc, env, chain, n + 1, inner)
            }
            None => Target::Other,
        },
        // Environment loaders: `dotenv -e .env.test -- prisma ...`, `cross-env A=1 prisma ...`.
        "dotenv" | "dotenv-cli" | "env-cmd" | "dotenvx" | "infisical" | "doppler" | "op" | "with-env"
            if super::wrappers::inner(name, argv).is_none() =>
        {
            match argv.iter().position(|a| a == "--") {
                Some(p) => next(name, p + 1, env),
                None => {
                    let i = skip_options(argv, 1, &["-e", "-f", "-c", "-v", "--file", "--environment", "-p"]);
                    // `dotenvx run prisma ...`, `infisical run prisma ...`
                    let i = if argv.get(i).is_some_and(|a| a == "run") { i + 1 } else { i };
                    next(name, i, env)
                }
            }
        }
        "cross-env" | "cross-env-shell" => {
            let mut i = 1;
            while let Some((k, v)) = argv.get(i).and_then(|a| a.split_once('=')).filter(|(k, _)| is_name(k)) {
                env.push(EnvChange::Set(k.to_string(), v.to_string()));
                i += 1;
            }
            if name == "cross-env-shell" {
                chain.push(name.into());
                return Target::Shell { script: argv.get(i..).unwrap_or(&[]).join(" ") };
            }
            next(name, i, env)
        }
        _ if SHELLS.contains(&name) => {
            chain.push(name.into());
            let mut i = 1;
            while let Some(a) = argv.get(i) {
                if a == "-c" || (a.starts_with('-') && !a.starts_with("--") && a.contains('c')) {
                    return argv.get(i + 1).map_or(Target::Other, |s| Target::Shell { script: s.clone() });
                }
                // `bash -s [--] ARGS`: the script is the input; what follows are its arguments.
                if a == "-s" || (a.starts_with('-') && !a.starts_with("--") && a.contains('s')) {
                    return heredoc.map_or(Target::Other, |b| Target::Shell { script: b.to_string() });
                }
                if !a.starts_with('-') && !a.starts_with('+') {
                    break;
                }
                // `-o OPTION`, `-O SHOPT` (bash), `--rcfile FILE`: an option with its value.
                i += if matches!(a.as_str(), "-o" | "+o" | "-O" | "+O" | "--rcfile" | "--init-file") { 2 } else { 1 };
            }
            match (argv.get(i), heredoc) {
                (None, Some(body)) => Target::Shell { script: body.to_string() },
                // `bash /dev/stdin <<< TEXT`, `bash - <<E`: the input the line shows.
                (Some(a), Some(body)) if matches!(a.as_str(), "/dev/stdin" | "-" | "/dev/fd/0") => {
                    Target::Shell { script: body.to_string() }
                }
                (Some(a), _) if a == "-s" => heredoc.map_or(Target::Other, |b| Target::Shell { script: b.to_string() }),
                (Some(a), _) if a == "--" => {
                    argv.get(i + 1).map_or(Target::Other, |p| Target::File { path: p.clone() })
                }
                (Some(path), _) => Target::File { path: path.clone() },
                _ => Target::Other,
            }
        }
        "eval" => {
            chain.push(name.into());
            Target::Shell { script: rest.join(" ") }
        }
        "npx" | "pnpx" | "bunx" => super::package_managers::runner_exec(name, argv, 1, env, chain, heredoc, n, inner),
        "npm" => super::package_managers::npm(argv, heredoc, env, chain, n, inner),
        "pnpm" => super::package_managers::pnpm(argv, heredoc, env, chain, n, inner),
        "yarn" => super::package_managers::yarn(argv, heredoc, env, chain, n, inner),
        "bun" => super::package_managers::bun(argv, heredoc, env, chain, n, inner),
        // `turbo run reset`, `turbo reset --filter=@acme/db`: the script of each task's name in
        // the workspace packages the filters pick.
        "turbo" => {
            chain.push(name.into());
            turbo(argv)
        }
        "nx" => {
            chain.push(name.into());
            super::task_runners::nx(argv)
        }
        "lerna" => {
            chain.push(name.into());
            super::task_runners::lerna(argv)
        }
        // `ultra -r SCRIPT` (ultra-runner): the script in every workspace package (`--filter`).
        "ultra" => {
            chain.push(name.into());
            super::task_runners::ultra(argv)
        }
        // Recipe runners: the recipe file's commands.
        "make" | "gmake" | "just" | "task" | "go-task" | "mise" => {
            chain.push(name.into());
            match name {
                "make" | "gmake" => super::recipes::args::make(argv, heredoc),
                "just" => super::recipes::args::just(argv),
                "mise" => super::recipes::args::mise(argv),
                _ => super::recipes::args::task(argv),
            }
        }
        // `run-s a b "db:*"`, `run-p`, `npm-run-all -s a b`: each name (or pattern) is a script.
        "run-s" | "run-p" | "npm-run-all" | "npm-run-all2" => {
            chain.push(name.into());
            let mut names = Vec::new();
            let mut i = 1;
            while let Some(a) = argv.get(i) {
                match a.as_str() {
                    "--" => break,
                    "--npm-path" | "--max-parallel" => i += 1,
                    _ if a.starts_with('-') => {}
                    _ => names.push(format!("npm run {}", crate::shell::quote(a))),
                }
                i += 1;
            }
            Target::Shell { script: names.join("\n") }
        }
        // `concurrently "npm:db:reset" "prisma migrate dev"`: each argument is a command.
        "concurrently" => {
            chain.push(name.into());
            let mut commands = Vec::new();
            let mut i = 1;
            while let Some(a) = argv.get(i) {
                match a.as_str() {
                    "-n"
                    | "--names"
                    | "-c"
                    | "--prefix-colors"
                    | "-p"
                    | "--prefix"
                    | "-s"
                    | "--success"
                    | "--restart-tries"
                    | "--restart-after"
                    | "-m"
                    | "--max-processes"
                    | "--name-separator"
                    | "-t"
                    | "--timestamp-format"
                    | "--default-input-target"
                    | "--handle-input" => i += 1,
                    _ if a.starts_with('-') => {}
                    _ => commands.push(match a.split_once(':') {
                        Some((runner @ ("npm" | "pnpm" | "yarn" | "bun"), script)) => {
                            format!("{runner} run {}", crate::shell::quote(script))
                        }
                        _ => a.clone(),
                    }),
                }
                i += 1;
            }
            Target::Shell { script: commands.join("\n") }
        }
        "source" | "." => {
            chain.push(name.into());
            match (rest.first(), heredoc) {
                // `source /dev/stdin <<< TEXT`: the input the line shows.
                (Some(p), Some(body)) if matches!(p.as_str(), "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0") => {
                    Target::Shell { script: body.to_string() }
                }
                (p, _) => p.map_or(Target::Other, |p| Target::File { path: p.clone() }),
            }
        }
        // `coproc CMD`, `coproc NAME { CMD; }` (the group is parsed as commands).
        "coproc" => next(name, 1, env),
        // `trap 'CMD' EXIT`: CMD runs when the signal comes.
        "trap" => {
            let i = skip_options(argv, 1, &[]);
            match argv.get(i) {
                Some(body) if argv.len() > i + 1 && body != "-" && !body.is_empty() => {
                    chain.push(name.into());
                    Target::Shell { script: body.clone() }
                }
                _ => Target::Other,
            }
        }
        // `mapfile -C CALLBACK`: CALLBACK is run as a command.
        "mapfile" | "readarray" if argv.iter().any(|a| a == "-C") => {
            let k = argv.iter().position(|a| a == "-C").unwrap_or(0);
            chain.push(name.into());
            argv.get(k + 1).map_or(Target::Other, |s| Target::Shell { script: s.clone() })
        }
        // `node --run NAME`: the package.json script (Node 22).
        "node" | "nodejs" if argv.iter().any(|a| a == "--run" || a.starts_with("--run=")) => {
            let k = argv.iter().position(|a| a == "--run" || a.starts_with("--run=")).unwrap_or(0);
            let script = argv[k].strip_prefix("--run=").map(str::to_string).or_else(|| argv.get(k + 1).cloned());
            chain.push(name.into());
            match script {
                Some(name) => Target::Script { name, args: Vec::new(), at: At::Here },
                None => Target::Other,
            }
        }
        "node" | "nodejs" | "tsx" | "ts-node" => {
            let i = skip_options(argv, 1, &["-r", "--require", "--import", "--env-file", "-e", "--eval"]);
            match argv.get(i) {
                // Node runs a file itself, never the `.bin` link's shim (a shell script).
                Some(path) if is_prisma_entry(path) || is_prisma_word(path) => {
                    chain.push(name.into());
                    Target::Prisma { args: argv[i + 1..].to_vec(), direct: Some(path.clone()) }
                }
                // prisma-guard's npm launcher (`node node_modules/@prisma-guard/cli/bin/prisma-guard.js
                // uninstall`): prisma-guard with those arguments.
                Some(path) if is_guard_launcher(path) => {
                    chain.push(name.into());
                    let mut words = vec!["prisma-guard".to_string()];
                    words.extend(argv[i + 1..].iter().cloned());
                    peel(&words, heredoc, env, chain, n + 1, inner)
                }
                // `node scripts/reset.js`: what the file spawns is read from it.
                Some(path) if !argv[1..i].iter().any(|a| matches!(a.as_str(), "-e" | "--eval" | "-p" | "--print")) => {
                    chain.push(name.into());
                    Target::Code { path: path.clone(), args: argv[i + 1..].to_vec() }
                }
                _ => inline_spawns(name, argv, chain),
            }
        }
        _ if (name.starts_with("python") || matches!(name, "ruby" | "perl" | "php"))
            && !crate::judge::tamper::inline_code(argv).is_empty() =>
        {
            inline_spawns(name, argv, chain)
        }
        // `git submodule foreach [--recursive] CMD`: git runs CMD in a shell in each submodule.
        "git" if git_foreach(argv).is_some() => {
            chain.push("git submodule foreach".into());
            Target::Shell { script: super::git_runs::in_submodules(&git_foreach(argv).unwrap_or_default()) }
        }
        // `git rebase --exec CMD`, `git difftool -x CMD`, `git bisect run CMD`, filter-branch.
        "git" if super::git_runs::script(argv).is_some() => {
            chain.push("git".into());
            Target::Shell { script: super::git_runs::script(argv).unwrap_or_default() }
        }
        // Secret runners, remote and container shells: what they run.
        _ if super::wrappers::inner(name, argv).is_some() => match super::wrappers::inner(name, argv) {
            Some(super::wrappers::Inner::Argv(k)) => next(name, k, env),
            Some(super::wrappers::Inner::Script(script)) => {
                chain.push(name.into());
                Target::Shell { script }
            }
            None => Target::Other,
        },
        // `./scripts/reset.sh`, `scripts/reset`: a file of the project run directly.
        // `./tool npx prisma ...`: the file, and what its words or strings would run.
        _ if (first.contains('/') && !first.starts_with('/') && !first.starts_with('~')) || first.ends_with(".sh") => {
            match super::unknown::around_file(name, argv, heredoc) {
                Some(script) => {
                    chain.push(first.clone());
                    Target::Shell { script }
                }
                None => Target::File { path: first.clone() },
            }
        }
        // Any other tool given `-- CMD ARGS`.
        _ => match super::wrappers::generic(name, argv, heredoc) {
            Some(super::wrappers::Inner::Argv(k)) => next(name, k, env),
            Some(super::wrappers::Inner::Script(script)) => {
                chain.push(name.into());
                Target::Shell { script }
            }
            None => Target::Other,
        },
    }
}

/// GNU and BSD `env`: options (clustered or not) until `--` or the first operand, then
/// `NAME=VALUE` assignments (also after `--`), then the command; `-u`/`-i` change the
/// environment, `-S` splits a string, `-C` runs the command in a folder.
fn env_command(
    argv: &[String],
    heredoc: Option<&str>,
    env: &mut Vec<EnvChange>,
    chain: &mut Vec<String>,
    n: usize,
    inner: &mut Vec<String>,
) -> Target {
    // GNU and BSD env: options (clustered or not) until `--` or the first operand,
    // then NAME=VALUE assignments (also after `--`), then the command.
    let mut i = 1;
    let mut options = true;
    while let Some(a) = argv.get(i).map(String::as_str) {
        if options && a == "--" {
            options = false;
            i += 1;
            continue;
        }
        if a == "-" {
            env.push(EnvChange::Clear);
            i += 1;
            continue;
        }
        if options && a.starts_with("--") {
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) => (f, Some(v.to_string())),
                None => (a, None),
            };
            let mut value = || {
                inline.clone().or_else(|| {
                    i += 1;
                    argv.get(i).cloned()
                })
            };
            match flag {
                "--ignore-environment" => env.push(EnvChange::Clear),
                "--unset" => env.extend(value().map(EnvChange::Unset)),
                "--chdir" => {
                    let dir = value().unwrap_or_default();
                    return env_chdir(&dir, &argv[i + 1..], chain);
                }
                "--split-string" => return env_split(value().unwrap_or_default(), &argv[i + 1..], chain),
                _ => {}
            }
            i += 1;
            continue;
        }
        if options && a.starts_with('-') {
            // A cluster: `-iu NAME`, `-vu NAME`, `-uNAME`, `-S 'string'`.
            let cluster = &a[1..];
            for (k, c) in cluster.char_indices() {
                let rest = &cluster[k + c.len_utf8()..];
                let mut value = || {
                    if rest.is_empty() {
                        i += 1;
                        argv.get(i).cloned()
                    } else {
                        Some(rest.to_string())
                    }
                };
                match c {
                    'i' => env.push(EnvChange::Clear),
                    'u' => {
                        env.extend(value().map(EnvChange::Unset));
                        break;
                    }
                    'C' => {
                        // `env -C DIR CMD`: CMD runs in DIR.
                        let dir = value().unwrap_or_default();
                        return env_chdir(&dir, &argv[i + 1..], chain);
                    }
                    'P' => {
                        value();
                        break;
                    }
                    'S' => return env_split(value().unwrap_or_default(), &argv[i + 1..], chain),
                    _ => {}
                }
            }
            i += 1;
            continue;
        }
        match a.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                env.push(EnvChange::Set(k.to_string(), v.to_string()));
                options = false;
            }
            _ => break,
        }
        i += 1;
    }
    chain.push("env".into());
    peel(argv.get(i..).unwrap_or(&[]), heredoc, env, chain, n + 1, inner)
}

/// The command `git submodule foreach` runs (its words joined, as git hands them to `sh -c`).
fn git_foreach(argv: &[String]) -> Option<String> {
    let k = git_subcommand_index(argv)?;
    if argv[k] != "submodule" {
        return None;
    }
    let mut i = k + 1;
    while argv.get(i).is_some_and(|a| a.starts_with('-')) {
        i += 1;
    }
    if argv.get(i)? != "foreach" {
        return None;
    }
    i += 1;
    while argv.get(i).is_some_and(|a| a == "--recursive" || a == "-q" || a == "--quiet") {
        i += 1;
    }
    let rest = argv.get(i..).filter(|r| !r.is_empty())?;
    Some(rest.join(" "))
}

/// `npm:prisma`, `npm:prisma@7`, `npm:@prisma/cli`: deno's name for the Prisma package.
fn deno_prisma(spec: &str) -> bool {
    let Some(pkg) = spec.strip_prefix("npm:").or_else(|| spec.strip_prefix("jsr:")) else { return false };
    let name = match pkg.strip_prefix('@') {
        Some(scoped) => format!("@{}", scoped.split('@').next().unwrap_or("")),
        None => pkg.split('@').next().unwrap_or("").to_string(),
    };
    let name = name.split('/').take(if name.starts_with('@') { 2 } else { 1 }).collect::<Vec<_>>().join("/");
    name == "prisma" || name == "@prisma/cli"
}

/// Whether a word names a JavaScript or TypeScript file.
pub(super) fn is_code_file(word: &str) -> bool {
    [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".jsx", ".tsx"].iter().any(|e| word.ends_with(e))
}

/// `env -S 'STRING' ARGS...`: the string is split into arguments of env itself (options,
/// assignments, the command), followed by the remaining arguments.
fn env_split(string: String, rest: &[String], chain: &mut Vec<String>) -> Target {
    chain.push("env".into());
    let rest: Vec<String> = rest.iter().map(|a| crate::shell::quote(a)).collect();
    Target::Shell { script: format!("env {string} {}", rest.join(" ")) }
}

/// `env -C DIR ARGS...`: `cd DIR && env ARGS...` (the rest of env's options, assignments and
/// the command, read again).
fn env_chdir(dir: &str, rest: &[String], chain: &mut Vec<String>) -> Target {
    chain.push("env".into());
    let rest: Vec<String> = rest.iter().map(|a| crate::shell::quote(a)).collect();
    Target::Shell { script: format!("cd {} && env {}", crate::shell::quote(dir), rest.join(" ")) }
}

fn is_name(k: &str) -> bool {
    let mut c = k.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_') && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::parse::parse;

    fn target(line: &str) -> Target {
        resolve(&parse(line).unwrap()[0]).target
    }

    fn prisma(args: &str) -> Target {
        Target::Prisma { args: args.split_whitespace().map(str::to_string).collect(), direct: None }
    }

    /// The Prisma a line starts, shimmed or not.
    fn reaches(line: &str) -> Option<(Vec<String>, Option<String>)> {
        match target(line) {
            Target::Prisma { args, direct } => Some((args, direct)),
            _ => None,
        }
    }

    #[test]
    fn runners_lead_to_prisma() {
        for line in [
            "prisma migrate reset",
            "npx prisma migrate reset",
            "npx --yes prisma@7.10.1 migrate reset",
            "npx -y -p prisma prisma migrate reset",
            "npm exec prisma -- migrate reset",
            "npm exec -- prisma migrate reset",
            "npm x prisma migrate reset",
            "pnpm exec prisma migrate reset",
            "pnpm dlx prisma migrate reset",
            "yarn dlx prisma migrate reset",
            "bunx prisma migrate reset",
            "bun x prisma migrate reset",
            "node_modules/.bin/prisma migrate reset",
            "./node_modules/.bin/prisma migrate reset",
            "node node_modules/prisma/build/index.js migrate reset",
            "node_modules/prisma/build/index.js migrate reset",
            "node ./node_modules/prisma/build/cli.js migrate reset",
            "node_modules/.bin/.prisma-guard-original-prisma migrate reset",
            "env -u CLAUDECODE node_modules/.bin/.prisma-guard-original-prisma migrate reset",
            "env -- CLAUDECODE= node node_modules/prisma/build/index.js migrate reset",
            "env -iu CLAUDECODE npx prisma migrate reset",
            "env -vu CLAUDECODE npx prisma migrate reset",
            "env -uCLAUDECODE npx prisma migrate reset",
            "bun node_modules/prisma/build/index.js migrate reset",
            "node node_modules/prisma/build/index migrate reset",
            "node node_modules/prisma/ migrate reset",
            "node ./node_modules/prisma migrate reset",
            "tsx node_modules/prisma/build/index.js migrate reset",
            "setsid npx prisma migrate reset",
            "corepack pnpm exec prisma migrate reset",
            "busybox env prisma migrate reset",
            "sudo -u app npx prisma migrate reset",
            "env -u CLAUDECODE npx prisma migrate reset",
            "env -i PATH=/usr/bin prisma migrate reset",
            "command prisma migrate reset",
            "exec prisma migrate reset",
            "time prisma migrate reset",
            "nohup prisma migrate reset",
            "xargs -n1 prisma migrate reset",
            "dotenv -e .env.test -- prisma migrate reset",
            "cross-env NODE_ENV=test prisma migrate reset",
            "timeout 60 npx prisma migrate reset",
        ] {
            assert_eq!(reaches(line).map(|r| r.0.join(" ")).as_deref(), Some("migrate reset"), "{line}");
        }
        // `env --chdir DIR CMD`: CMD in DIR, read again as `cd DIR && env CMD`.
        let cmd =
            crate::shell::parse("env --unset=CLAUDECODE --chdir=/tmp npx prisma migrate reset").unwrap().remove(0);
        let r = resolve(&cmd);
        assert_eq!(r.target, Target::Shell { script: "cd /tmp && env npx prisma migrate reset".into() });
        assert!(r.env.contains(&EnvChange::Unset("CLAUDECODE".into())));
    }

    /// Review (issue 22, round 4): lines that reach Prisma past `node_modules/.bin/prisma`,
    /// where the shim backs up, say so; the usual runners do not.
    #[test]
    fn lines_past_the_shim_are_told_apart() {
        for line in [
            "node node_modules/prisma/build/index.js migrate deploy",
            "node_modules/.bin/.prisma-guard-original-prisma migrate deploy",
            "npx prisma@7.10.1 migrate deploy",
            "npx -p prisma@7 prisma migrate deploy",
            "pnpm dlx prisma db push",
            "yarn dlx prisma db push",
            "yarn node node_modules/prisma/build/index.js migrate deploy",
            "bun node_modules/prisma/build/index.js migrate deploy",
        ] {
            assert!(reaches(line).is_some_and(|r| r.1.is_some()), "{line}");
        }
        for line in [
            "npx prisma migrate deploy",
            "pnpm exec prisma migrate deploy",
            "yarn exec prisma migrate deploy",
            "node_modules/.bin/prisma migrate deploy",
            "prisma migrate deploy",
        ] {
            assert!(reaches(line).is_some_and(|r| r.1.is_none()), "{line}");
        }
    }

    #[test]
    fn script_runners_name_scripts() {
        let s = |n: &str| Target::Script { name: n.into(), args: vec![], at: At::Here };
        let at = |n: &str, at: At| Target::Script { name: n.into(), args: vec![], at };
        let ws = |w: &[&str]| At::Workspaces(w.iter().map(|x| x.to_string()).collect());
        assert_eq!(target("npm run db:reset"), s("db:reset"));
        assert_eq!(target("npm run-script db:reset"), s("db:reset"));
        assert_eq!(target("npm run --silent db:reset"), s("db:reset"));
        assert_eq!(target("npm run -s db:reset"), s("db:reset"));
        assert_eq!(target("pnpm db:reset"), s("db:reset"));
        assert_eq!(target("pnpm run db:reset"), s("db:reset"));
        assert_eq!(target("yarn db:reset"), s("db:reset"));
        assert_eq!(target("bun run db:reset"), s("db:reset"));
        assert_eq!(target("npm test"), s("test"));
        assert_eq!(target("pnpm add zod"), Target::Other);
        // An install runs the lifecycle scripts (issue 22, round 4).
        assert_eq!(
            target("pnpm install"),
            Target::Shell {
                script: "npm run install\nnpm run prepare\nnpm run install --workspaces\nnpm run prepare --workspaces"
                    .into()
            }
        );
        assert_eq!(target("pnpm install --ignore-scripts"), Target::Other);
        assert_eq!(target("pnpm --filter api db:reset"), at("db:reset", ws(&["api"])));
        assert_eq!(target("pnpm -F api run db:reset"), at("db:reset", ws(&["api"])));
        assert_eq!(target("pnpm -r db:reset"), at("db:reset", ws(&[])));
        assert_eq!(target("pnpm -C packages/db db:reset"), at("db:reset", At::Dir("packages/db".into())));
        assert_eq!(target("pnpm -w db:reset"), at("db:reset", At::Root));
        assert_eq!(target("npm --prefix packages/db run db:reset"), at("db:reset", At::Dir("packages/db".into())));
        assert_eq!(target("npm -C packages/db run db:reset"), at("db:reset", At::Dir("packages/db".into())));
        assert_eq!(target("npm run db:reset -w @acme/db"), at("db:reset", ws(&["@acme/db"])));
        assert_eq!(target("npm run db:reset --workspace=@acme/db"), at("db:reset", ws(&["@acme/db"])));
        assert_eq!(target("npm run db:reset -ws"), at("db:reset", ws(&[])));
        assert_eq!(target("yarn workspace @acme/db db:reset"), at("db:reset", ws(&["@acme/db"])));
        // Review (issue 22, second round): more ways to name a package's script.
        assert_eq!(target("yarn workspace @acme/db run db:reset"), at("db:reset", ws(&["@acme/db"])));
        assert_eq!(target("yarn workspace @acme/db exec prisma migrate reset"), prisma("migrate reset"));
        assert_eq!(target("pnpm recursive run db:reset"), at("db:reset", ws(&[])));
        assert_eq!(target("pnpm m db:reset"), at("db:reset", ws(&[])));
        assert_eq!(target("node scripts/reset.js"), Target::Code { path: "scripts/reset.js".into(), args: vec![] });
        assert_eq!(
            target("tsx --env-file .env scripts/reset.ts"),
            Target::Code { path: "scripts/reset.ts".into(), args: vec![] }
        );
        assert_eq!(target("bun run scripts/reset.ts"), Target::Code { path: "scripts/reset.ts".into(), args: vec![] });
        assert_eq!(target("yarn workspaces foreach -A run db:reset"), at("db:reset", ws(&[])));
        assert_eq!(target("yarn --cwd packages/db db:reset"), at("db:reset", At::Dir("packages/db".into())));
        assert_eq!(target("bun run --cwd packages/db db:reset"), at("db:reset", At::Dir("packages/db".into())));
        // pnpm passes what follows the script name to it.
        assert_eq!(
            target("pnpm prisma --schema x migrate reset"),
            Target::Script {
                name: "prisma".into(),
                args: "--schema x migrate reset".split(' ').map(String::from).collect(),
                at: At::Here
            }
        );
        assert_eq!(target("sh scripts/reset.sh"), Target::File { path: "scripts/reset.sh".into() });
        assert_eq!(target("./scripts/reset.sh --force"), Target::File { path: "./scripts/reset.sh".into() });
        assert_eq!(target("source scripts/env.sh"), Target::File { path: "scripts/env.sh".into() });
        assert_eq!(target("run-s build db:*"), Target::Shell { script: "npm run build\nnpm run 'db:*'".into() });
        assert_eq!(
            target("concurrently -n a,b \"npm:db:reset\" \"prisma db push\""),
            Target::Shell { script: "npm run db:reset\nprisma db push".into() }
        );
    }

    #[test]
    fn shells_hand_over_scripts() {
        assert_eq!(target("bash -c 'prisma db push'"), Target::Shell { script: "prisma db push".into() });
        assert_eq!(target("sh -ec 'prisma db push'"), Target::Shell { script: "prisma db push".into() });
        assert_eq!(target("eval prisma db push"), Target::Shell { script: "prisma db push".into() });
        assert_eq!(target("npx -c 'prisma db push'"), Target::Shell { script: "prisma db push".into() });
        assert_eq!(target("bash <<EOF\nprisma db push\nEOF"), Target::Shell { script: "prisma db push\n".into() });
    }

    #[test]
    fn env_changes_are_recorded() {
        let r = resolve(
            &parse("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=1 env -u CLAUDECODE npx prisma db push").unwrap()[0],
        );
        assert_eq!(
            r.env,
            vec![
                EnvChange::Set("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION".into(), "1".into()),
                EnvChange::Unset("CLAUDECODE".into())
            ]
        );
        assert_eq!(r.chain, vec!["env".to_string(), "npx".to_string()]);
    }

    #[test]
    fn data_and_lookups_are_not_prisma() {
        for line in
            ["echo prisma migrate reset", "grep -r 'db push' .", "command -v prisma", "git commit -m x", "cat prisma"]
        {
            assert_eq!(target(line), Target::Other, "{line}");
        }
    }
}
