//! Shell command lines -> the Prisma commands they would run. Used by the scanner (scripts,
//! CI files, Dockerfiles) and by the agent hooks (`check`, `agent-hook`).

mod deferred;
mod defs;
mod git_runs;
mod launchers;
mod package_managers;
pub mod package_scripts;
pub mod parse;
pub mod recipes;
pub mod resolve;
mod runner_options;
pub(crate) mod stdin_code;
mod task_runners;
mod unknown;
pub(crate) mod wrappers;

pub use parse::{parse, ParseError, SimpleCommand};
pub use resolve::{resolve, At, EnvChange, Target};

/// A package.json script a runner would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptDef {
    /// The package's folder, relative to where the line runs (or absolute).
    pub dir: String,
    pub name: String,
    pub body: String,
}

/// package.json scripts and script files, for expanding `npm run X` and `sh reset.sh`.
pub trait Scripts {
    /// The scripts a runner started in one of `dirs` (folders relative to where the line
    /// runs; `*` when a `cd` went somewhere unknown) would run for `name` (a name or an
    /// npm-run-all pattern such as `db:*`) in the packages `at` names.
    fn scripts(&self, dirs: &[String], at: &At, name: &str) -> Vec<ScriptDef>;
    /// A script file run from one of `dirs`: its folder and its text.
    fn file(&self, dirs: &[String], path: &str) -> Option<(String, String)>;
    /// The folders (relative to where the line runs, or absolute) of the packages a runner
    /// started in one of `dirs` selects with `at`.
    fn package_dirs(&self, _dirs: &[String], _at: &At) -> Vec<String> {
        Vec::new()
    }
    /// What git's alias `name` stands for (`alias.ci = commit`), from the git configuration
    /// where the line runs (the repository's, the user's, the system's).
    fn git_alias(&self, _name: &str) -> Option<String> {
        None
    }
    /// The recipes a task runner started in one of `dirs` would run: their folders (relative
    /// to where the line runs, or absolute), labels and command lines. `Err`: a recipe file is
    /// there but what it runs cannot be known.
    fn recipes(&self, _dirs: &[String], _call: &recipes::Call) -> Result<Vec<ScriptDef>, String> {
        Ok(Vec::new())
    }
}

/// No scripts known: `npm run X` leads nowhere (except `pnpm prisma ...`, a binary).
pub struct NoScripts;

impl Scripts for NoScripts {
    fn scripts(&self, _: &[String], _: &At, _: &str) -> Vec<ScriptDef> {
        Vec::new()
    }
    fn file(&self, _: &[String], _: &str) -> Option<(String, String)> {
        None
    }
}

/// One package's scripts (tests, and the scripts of a package.json being scanned).
impl Scripts for std::collections::BTreeMap<String, String> {
    fn scripts(&self, _: &[String], _: &At, name: &str) -> Vec<ScriptDef> {
        self.iter()
            .filter(|(k, _)| script_matches(name, k))
            .map(|(k, v)| ScriptDef { dir: String::new(), name: k.clone(), body: v.clone() })
            .collect()
    }
    fn file(&self, _: &[String], _: &str) -> Option<(String, String)> {
        None
    }
}

/// Whether script `name` matches `pattern`: the same name, or npm-run-all's globs (`db:*`
/// within one `:` segment, `db:**` across them).
pub fn script_matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let regex = pattern
        .split("**")
        .map(|part| part.split('*').map(regex::escape).collect::<Vec<_>>().join("[^:]*"))
        .collect::<Vec<_>>()
        .join(".*");
    regex::Regex::new(&format!("^{regex}$")).is_ok_and(|r| r.is_match(name))
}

/// One Prisma invocation a command line leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Prisma's arguments.
    pub args: Vec<String>,
    /// How the line got there: wrappers, runners and script names, outermost first.
    pub via: Vec<String>,
    /// Environment changes on the way, outermost first.
    pub env: Vec<EnvChange>,
    /// Byte offset, in the line given, of the top-level command that leads here.
    pub offset: usize,
}

/// One command a line runs, as [`visit`] sees it.
pub struct Visit<'a> {
    pub command: &'a SimpleCommand,
    pub target: &'a Target,
    /// Wrappers, runners and script names on the way, outermost first.
    pub via: &'a [String],
    /// Environment changes on the way, outermost first.
    pub env: &'a [EnvChange],
    /// Byte offset, in the line given, of the top-level command that leads here.
    pub offset: usize,
    /// The folders the command may run in, relative to where the line runs (`cd` moves
    /// them; `""` is there, `*` somewhere unknown).
    pub dirs: &'a [String],
    /// The command the wrappers run (`rm x` of `sudo rm x`); the command itself without any.
    pub inner: &'a [String],
}

impl Visit<'_> {
    /// The command the wrappers run, with the line's redirections and input: what a judge of
    /// `rm`, `psql` or `docker` looks at whatever runs it (`sudo`, `env`, `timeout`, `docker
    /// exec`, `tool --`).
    pub fn effective(&self) -> std::borrow::Cow<'_, SimpleCommand> {
        if self.inner == self.command.argv.as_slice() || self.inner.is_empty() {
            std::borrow::Cow::Borrowed(self.command)
        } else {
            std::borrow::Cow::Owned(SimpleCommand { argv: self.inner.to_vec(), ..self.command.clone() })
        }
    }
}

/// Call `f` for every command `line` runs, expanding shells (`bash -c`, `eval`, heredocs)
/// and, through `scripts`, npm scripts with their pre/post scripts and script files
/// (recursively; a cycle stops). `cd` moves where later scripts are looked up.
pub fn visit(line: &str, scripts: &dyn Scripts, f: &mut dyn FnMut(&Visit<'_>)) -> Result<(), ParseError> {
    let mut stack = Vec::new();
    let defs = defs::Defs::default();
    let ctx = Walk { depth: 0, top_offset: None, via: &[], env: &[], dirs: &[String::new()], defs: &defs };
    walk(line, scripts, &ctx, &mut stack, f)
}

/// Every prisma invocation in `line`, expanding shells and (through `scripts`) npm scripts.
pub fn find_prisma(line: &str, scripts: &dyn Scripts) -> Result<Vec<Found>, ParseError> {
    let mut out = Vec::new();
    visit(line, scripts, &mut |v| {
        if let Target::Prisma { args, .. } = v.target {
            out.push(Found { args: args.clone(), via: v.via.to_vec(), env: v.env.to_vec(), offset: v.offset });
        }
    })?;
    Ok(out)
}

/// Where a walk is: nesting, the top-level command's offset, the way there, the folders.
struct Walk<'a> {
    depth: usize,
    top_offset: Option<usize>,
    via: &'a [String],
    env: &'a [EnvChange],
    dirs: &'a [String],
    /// Variables and aliases defined before, in this line or the one that ran it.
    defs: &'a defs::Defs,
}

fn walk(
    line: &str,
    scripts: &dyn Scripts,
    ctx: &Walk<'_>,
    stack: &mut Vec<String>,
    f: &mut dyn FnMut(&Visit<'_>),
) -> Result<(), ParseError> {
    if ctx.depth > parse::MAX_DEPTH {
        return Err(ParseError { message: "nested too deeply".into(), offset: ctx.top_offset.unwrap_or(0) });
    }
    let mut dirs: Vec<String> = ctx.dirs.to_vec();
    let mut defs = ctx.defs.clone();
    for cmd in parse::parse_at_depth(line, ctx.depth)? {
        let offset = ctx.top_offset.unwrap_or(cmd.offset);
        let cmd = defs.expand(&cmd).unwrap_or(cmd);
        // `python3 - <<'EOF'`, `node <<< CODE`: the program read from the input, as inline code.
        let cmd = stdin_code::inline(cmd);
        defs.learn(&cmd);
        // `alias p='npx prisma'; p migrate reset`: the alias's text, read again.
        if let Some((alias, script)) = defs.alias(&cmd) {
            let mut via = ctx.via.to_vec();
            via.push(format!("alias `{alias}`"));
            let inner = Walk {
                depth: ctx.depth + 1,
                top_offset: Some(offset),
                via: &via,
                env: ctx.env,
                dirs: &dirs,
                defs: &defs,
            };
            walk_once(&format!("shell-alias:{alias}"), &script, scripts, &inner, stack, f)?;
            continue;
        }
        let r = resolve(&cmd);
        let mut via: Vec<String> = ctx.via.iter().cloned().chain(r.chain.iter().cloned()).collect();
        let env: Vec<EnvChange> = ctx.env.iter().cloned().chain(r.env.iter().cloned()).collect();
        // A script name that is no script but the prisma binary (`pnpm prisma ...`), or npm's
        // built-in `env` script, which runs its arguments (`npm run env -- prisma ...`).
        // `PATH=bin wipe`: a command found in a project folder the line puts on PATH.
        // (`PATH=bin; wipe`: the shell looks commands up in the PATH the line set before.)
        let path_env: Vec<EnvChange> = defs
            .var("PATH")
            .map(|p| EnvChange::Set("PATH".into(), p.to_string()))
            .into_iter()
            .chain(env.iter().cloned())
            .collect();
        let on_path =
            matches!(r.target, Target::Other).then(|| unknown::on_path(&r.inner, &path_env, &dirs, scripts)).flatten();
        let target = match &r.target {
            Target::Other if on_path.is_some() => Target::File { path: on_path.clone().unwrap_or_default() },
            Target::Script { name, args, at }
                if resolve::is_prisma_word(name) && scripts.scripts(&dirs, at, name).is_empty() =>
            {
                Target::Prisma { args: args.clone(), direct: None }
            }
            Target::Script { name, args, at }
                if name == "env" && !args.is_empty() && scripts.scripts(&dirs, at, name).is_empty() =>
            {
                Target::Shell { script: format!("env {}", args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")) }
            }
            // `yarn rw prisma ...`, `pnpm blitz prisma ...`: no script of that name, so the
            // runner starts the package binary with the arguments.
            Target::Script { name, args, at }
                if !args.is_empty() && !name.contains('*') && scripts.scripts(&dirs, at, name).is_empty() =>
            {
                Target::Shell {
                    script: std::iter::once(name).chain(args).map(|a| quote(a)).collect::<Vec<_>>().join(" "),
                }
            }
            // `git ci -n` with `alias.ci = commit`: what git runs instead.
            Target::Other if git_alias(&cmd.argv, scripts).is_some() => {
                let (alias, script) = git_alias(&cmd.argv, scripts).unwrap_or_default();
                let key = format!("alias:{alias}");
                if stack.contains(&key) {
                    continue; // an alias that leads back to itself: git refuses it
                }
                via.push(format!("git alias `{alias}`"));
                let inner = Walk {
                    depth: ctx.depth + 1,
                    top_offset: Some(offset),
                    via: &via,
                    env: &env,
                    dirs: &dirs,
                    defs: &defs,
                };
                let r = walk_once(&key, &script, scripts, &inner, stack, f);
                f(&Visit {
                    command: &cmd,
                    target: &Target::Other,
                    via: &via,
                    env: &env,
                    offset,
                    dirs: &dirs,
                    inner: &cmd.argv,
                });
                r?;
                continue;
            }
            // `pnpm turbo run reset`, `yarn run-s a b`: a package binary that runs scripts.
            Target::Script { name, args, at }
                if matches!(
                    name.as_str(),
                    "turbo" | "nx" | "lerna" | "run-s" | "run-p" | "npm-run-all" | "concurrently"
                ) && scripts.scripts(&dirs, at, name).is_empty() =>
            {
                let args: Vec<String> = args.iter().map(|a| quote(a)).collect();
                Target::Shell { script: format!("{name} {}", args.join(" ")) }
            }
            // `cd node_modules/prisma/build && env -u X node . ...`: Prisma's own entry point,
            // from a folder a `cd` led to.
            Target::Code { path, args } if resolve::prisma_entry_under(path, &dirs).is_some() => {
                Target::Prisma { args: args.clone(), direct: resolve::prisma_entry_under(path, &dirs) }
            }
            Target::Other | Target::File { .. } if resolve::prisma_entry_from(&cmd.argv, &dirs).is_some() => {
                let (args, path) = resolve::prisma_entry_from(&cmd.argv, &dirs).unwrap_or_default();
                Target::Prisma { args, direct: Some(path) }
            }
            t => t.clone(),
        };
        f(&Visit { command: &cmd, target: &target, via: &via, env: &env, offset, dirs: &dirs, inner: &r.inner });
        if let Some(to) = change_dir(&cmd) {
            // Subshells and `&&` chains are not told apart: the folders before stay in the
            // lookup too, so a script is judged wherever it may be found.
            let moved: Vec<String> = match to {
                Some(to) if to.starts_with('/') => vec![to],
                Some(to) => dirs
                    .iter()
                    .map(|d| if d.is_empty() || d == "*" { to.clone() } else { format!("{d}/{to}") })
                    .collect(),
                None => vec!["*".to_string()],
            };
            for d in moved {
                if !dirs.contains(&d) {
                    dirs.push(d);
                }
            }
            continue;
        }
        let inner = |via: &'_ [String], dirs: &'_ [String], w: &mut dyn FnMut(&Walk<'_>) -> Result<(), ParseError>| {
            w(&Walk { depth: ctx.depth + 1, top_offset: Some(offset), via, env: &env, dirs, defs: &defs })
        };
        match target {
            Target::Shell { script } => inner(&via, &dirs, &mut |c| walk(&script, scripts, c, stack, f))?,
            Target::Script { name, args, at } => {
                // turbo runs the tasks turbo.json says the task depends on first.
                if r.chain.last().is_some_and(|c| c == "turbo") {
                    if let Some(deps) = task_runners::turbo_depends(scripts, &dirs, &name, &at) {
                        let key = format!("turbo-deps:{deps}");
                        if !stack.contains(&key) {
                            stack.push(key);
                            let res = inner(&via, &dirs, &mut |c| walk(&deps, scripts, c, stack, f));
                            stack.pop();
                            res?;
                        }
                    }
                }
                // npm runs `preX` and `postX` around `X`.
                let plain = !name.contains('*');
                let names =
                    [plain.then(|| format!("pre{name}")), Some(name.clone()), plain.then(|| format!("post{name}"))];
                for (k, wanted) in names.iter().enumerate() {
                    let Some(wanted) = wanted else { continue };
                    for def in scripts.scripts(&dirs, &at, wanted) {
                        let key = format!("{}:{}", def.dir, def.name);
                        if stack.contains(&key) {
                            continue; // a cycle: already being expanded
                        }
                        let full = if k != 1 || args.is_empty() {
                            def.body.clone()
                        } else {
                            format!("{} {}", def.body, args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "))
                        };
                        let mut v = via.clone();
                        v.push(match def.dir.is_empty() {
                            true => format!("script `{}`", def.name),
                            false => format!("script `{}` of {}", def.name, def.dir),
                        });
                        stack.push(key);
                        let r = inner(&v, std::slice::from_ref(&def.dir), &mut |c| walk(&full, scripts, c, stack, f));
                        stack.pop();
                        r?;
                    }
                }
            }
            Target::File { path } => {
                if let Some((dir, text)) = scripts.file(&dirs, &path) {
                    let text = own_folder_put_in(&text, &path);
                    let key = format!("file:{dir}:{path}");
                    if !stack.contains(&key) {
                        via.push(format!("file `{path}`"));
                        stack.push(key);
                        let r = inner(&via, std::slice::from_ref(&dir), &mut |c| walk(&text, scripts, c, stack, f));
                        stack.pop();
                        r?;
                    }
                }
            }
            Target::Code { path, .. } => {
                if let Some((dir, text)) = scripts.file(&dirs, &path) {
                    let key = format!("file:{dir}:{path}");
                    if !stack.contains(&key) {
                        via.push(format!("file `{path}`"));
                        stack.push(key);
                        let lines = crate::scan::extract::spawned_commands(&text).join("\n");
                        let r = inner(&via, std::slice::from_ref(&dir), &mut |c| walk(&lines, scripts, c, stack, f));
                        stack.pop();
                        r?;
                    }
                }
            }
            Target::InPackages { at, script } => {
                // No package known (no workspaces, a package not found): the command still
                // runs somewhere, judged here.
                let mut packages = scripts.package_dirs(&dirs, &at);
                if packages.is_empty() {
                    packages.push(String::new());
                }
                for dir in packages {
                    if dir.is_empty() {
                        inner(&via, &dirs, &mut |c| walk(&script, scripts, c, stack, f))?;
                        continue;
                    }
                    let mut v = via.clone();
                    v.push(format!("package {dir}"));
                    inner(&v, std::slice::from_ref(&dir), &mut |c| {
                        walk(&format!("cd {} && {script}", quote(&dir)), scripts, c, stack, f)
                    })?;
                }
            }
            Target::Recipe(call) => match scripts.recipes(&dirs, &call) {
                Ok(defs) => {
                    for def in defs {
                        let key = format!("recipe:{}:{}", def.dir, def.name);
                        if stack.contains(&key) {
                            continue; // a recipe that runs itself (`$(MAKE) reset` in reset)
                        }
                        let mut v = via.clone();
                        // `file ...`: named in findings as script files are.
                        v.push(match def.dir.is_empty() {
                            true => format!("file {}", def.name),
                            false => format!("file {} in {}", def.name, def.dir),
                        });
                        stack.push(key);
                        let r =
                            inner(&v, std::slice::from_ref(&def.dir), &mut |c| walk(&def.body, scripts, c, stack, f));
                        stack.pop();
                        // A recipe the shell grammar here does not read: what it runs is unknown.
                        if let Err(e) = r {
                            let why = format!(
                                "{} could not be parsed ({}), so what it runs cannot be checked",
                                def.name, e.message
                            );
                            f(&Visit {
                                command: &cmd,
                                target: &Target::Unreadable { why },
                                via: &v,
                                env: &env,
                                offset,
                                dirs: &dirs,
                                inner: &cmd.argv,
                            });
                        }
                    }
                }
                Err(why) => {
                    f(&Visit {
                        command: &cmd,
                        target: &Target::Unreadable { why },
                        via: &via,
                        env: &env,
                        offset,
                        dirs: &dirs,
                        inner: &cmd.argv,
                    });
                }
            },
            Target::Prisma { .. } | Target::Other | Target::Unreadable { .. } => {}
        }
    }
    Ok(())
}

/// A script file's text with the ways it names its own folder (`$(dirname "$0")`, `${0%/*}`,
/// `$(cd "$(dirname "$0")" && pwd)`, `BASH_SOURCE`) replaced by that folder, as `path`
/// names it from where it runs.
fn own_folder_put_in(text: &str, path: &str) -> String {
    let folder = match path.rsplit_once('/') {
        Some((d, _)) if !d.is_empty() => d.to_string(),
        Some(_) => "/".to_string(),
        None => ".".to_string(),
    };
    let mut out = text.to_string();
    for form in [
        "\"$(cd \"$(dirname \"$0\")\" && pwd)\"",
        "$(cd \"$(dirname \"$0\")\" && pwd)",
        "\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"",
        "$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)",
        "\"$(dirname \"$0\")\"",
        "$(dirname \"$0\")",
        "$(dirname $0)",
        "\"$(dirname \"${BASH_SOURCE[0]}\")\"",
        "$(dirname \"${BASH_SOURCE[0]}\")",
        "$(dirname ${BASH_SOURCE[0]})",
        "\"${0%/*}\"",
        "${0%/*}",
        "`dirname $0`",
    ] {
        out = out.replace(form, &quote(&folder));
    }
    out
}

/// Walk `script` once under `key`: nothing when `key` is already being expanded (a cycle).
fn walk_once(
    key: &str,
    script: &str,
    scripts: &dyn Scripts,
    ctx: &Walk<'_>,
    stack: &mut Vec<String>,
    f: &mut dyn FnMut(&Visit<'_>),
) -> Result<(), ParseError> {
    if stack.iter().any(|k| k == key) {
        return Ok(());
    }
    stack.push(key.to_string());
    let r = walk(script, scripts, ctx, stack, f);
    stack.pop();
    r
}

/// Git's own commands: git runs them, never an alias of the same name.
const GIT_COMMANDS: &[&str] = &[
    "add",
    "am",
    "apply",
    "bisect",
    "blame",
    "branch",
    "checkout",
    "cherry-pick",
    "clean",
    "clone",
    "commit",
    "config",
    "diff",
    "fetch",
    "grep",
    "init",
    "log",
    "merge",
    "mv",
    "notes",
    "pull",
    "push",
    "rebase",
    "reflog",
    "remote",
    "reset",
    "restore",
    "revert",
    "rm",
    "show",
    "stash",
    "status",
    "submodule",
    "switch",
    "tag",
    "update-index",
    "worktree",
    "help",
    "version",
    "gc",
    "archive",
    "describe",
    "format-patch",
    "hook",
];

/// `git [global options] ALIAS ARGS` where ALIAS is one of git's aliases: the alias, and the
/// line git runs for it (`!cmd` aliases run `cmd ARGS` in a shell).
fn git_alias(argv: &[String], scripts: &dyn Scripts) -> Option<(String, String)> {
    if argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)) != Some("git") {
        return None;
    }
    let i = resolve::git_subcommand_index(argv)?;
    let name = &argv[i];
    if GIT_COMMANDS.contains(&name.as_str()) {
        return None;
    }
    let value = scripts.git_alias(name)?;
    let args: Vec<String> = argv[i + 1..].iter().map(|a| quote(a)).collect();
    let script = match value.strip_prefix('!') {
        Some(shell) => format!("{shell} {}", args.join(" ")),
        None => {
            let global: Vec<String> = argv[1..i].iter().map(|a| quote(a)).collect();
            format!("git {} {value} {}", global.join(" "), args.join(" "))
        }
    };
    Some((name.clone(), script))
}

/// `cd DIR`, `pushd DIR`: `Some(Some(DIR))`; `Some(None)` when where it goes is not known
/// here (`cd $X`, `cd ~`, `cd -`, `cd`); `None` for any other command.
fn change_dir(cmd: &SimpleCommand) -> Option<Option<String>> {
    let name = cmd.argv.first()?;
    if name != "cd" && name != "pushd" {
        return None;
    }
    let to = cmd.argv[1..].iter().find(|a| !a.starts_with('-') || a.as_str() == "-");
    Some(
        to.filter(|t| !t.contains('$') && !t.starts_with('~') && t.as_str() != "-")
            .map(|t| t.trim_end_matches('/').to_string()),
    )
}

/// Single-quote a word for re-parsing.
pub fn quote(word: &str) -> String {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./=:@,+%".contains(&b)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn args(line: &str, scripts: &dyn Scripts) -> Vec<String> {
        find_prisma(line, scripts).unwrap().into_iter().map(|f| f.args.join(" ")).collect()
    }

    #[test]
    fn scripts_expand_recursively_and_cycles_stop() {
        let mut s = BTreeMap::new();
        s.insert("db:reset".to_string(), "prisma migrate reset --force".to_string());
        s.insert("fresh".to_string(), "npm run db:reset && npm run seed".to_string());
        s.insert("seed".to_string(), "node seed.js".to_string());
        s.insert("a".to_string(), "npm run b".to_string());
        s.insert("b".to_string(), "npm run a && prisma db push".to_string());
        assert_eq!(args("pnpm fresh", &s), vec!["migrate reset --force"]);
        assert_eq!(args("npm run a", &s), vec!["db push"]);
        let found = &find_prisma("yarn fresh", &s).unwrap()[0];
        assert_eq!(found.via, vec!["yarn", "script `fresh`", "npm", "script `db:reset`"]);
    }

    #[test]
    fn nested_shells() {
        assert_eq!(
            args("bash -c \"sh -c 'npx prisma db push --force-reset'\"", &NoScripts),
            vec!["db push --force-reset"]
        );
        assert_eq!(args("echo $(bash -c 'prisma migrate reset')", &NoScripts), vec!["migrate reset"]);
        assert_eq!(args("pnpm prisma migrate dev", &NoScripts), vec!["migrate dev"]);
    }

    #[test]
    fn quoting_round_trips() {
        for w in ["plain", "with space", "it's", "", "$HOME", "a;b"] {
            assert_eq!(parse(&format!("x {}", quote(w))).unwrap()[0].argv[1], w);
        }
    }
}

/// Fuzzing the parser: arbitrary and hostile input never panics and finishes in bounded time.
#[cfg(test)]
mod fuzz {
    use std::time::{Duration, Instant};

    use proptest::prelude::*;

    use super::*;

    /// Shell-ish fragments, so random strings reach deep into the grammar.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("prisma".to_string()),
            Just(" migrate reset ".to_string()),
            Just("npx ".to_string()),
            Just("npm run x ".to_string()),
            Just("bash -c '".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("$(".to_string()),
            Just(")".to_string()),
            Just("(".to_string()),
            Just("`".to_string()),
            Just("<<EOF\n".to_string()),
            Just("\nEOF\n".to_string()),
            Just("\\".to_string()),
            Just(" && ".to_string()),
            Just(" | ".to_string()),
            Just(";".to_string()),
            Just("${".to_string()),
            Just("}".to_string()),
            Just("$((".to_string()),
            Just("env -u CLAUDECODE ".to_string()),
            Just("FOO=1 ".to_string()),
            Just("# c\n".to_string()),
            Just("> f ".to_string()),
            "[ -~]{0,12}",
            any::<char>().prop_map(|c| c.to_string()),
        ]
    }

    fn bounded<T>(what: &str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        assert!(start.elapsed() < Duration::from_secs(2), "{what} took {:?}", start.elapsed());
        out
    }

    struct Loop;
    impl Scripts for Loop {
        fn scripts(&self, _: &[String], _: &At, name: &str) -> Vec<ScriptDef> {
            vec![ScriptDef {
                dir: String::new(),
                name: name.into(),
                body: format!("npm run {name}x && npm run {name}"),
            }]
        }
        fn file(&self, _: &[String], path: &str) -> Option<(String, String)> {
            Some((String::new(), format!("sh {path}x; . {path}")))
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn random_fragments_never_panic(parts in proptest::collection::vec(fragment(), 0..40)) {
            let line: String = parts.concat();
            let _ = bounded("parse", || parse(&line));
            let _ = bounded("find_prisma", || find_prisma(&line, &NoScripts));
        }

        #[test]
        fn arbitrary_bytes_never_panic(line in "\\PC{0,200}") {
            let _ = parse(&line);
            let _ = find_prisma(&line, &NoScripts);
        }
    }

    #[test]
    fn hostile_input_is_bounded() {
        let cases = [
            "$(".repeat(50_000),
            "(".repeat(50_000),
            "`".repeat(50_000),
            "bash -c \"".repeat(2_000),
            "echo a && ".repeat(50_000),
            format!("npx prisma {}", "x".repeat(900_000)),
            "'".repeat(100_001),
            "<<EOF\n".repeat(10_000),
            "\\\n".repeat(100_000),
            "x".repeat(2 << 20),
        ];
        for line in &cases {
            let _ = bounded("hostile parse", || parse(line));
            let _ = bounded("hostile find", || find_prisma(line, &NoScripts));
        }
        // Scripts that expand forever: stopped by the cycle check and the depth limit.
        let r = bounded("script loop", || find_prisma("npm run a", &Loop));
        assert!(r.is_err() || r.is_ok_and(|f| f.is_empty()));
    }
}
