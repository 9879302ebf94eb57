//! Commands that switch a guard off rather than run prisma: skipping git hooks (`--no-verify`
//! in every spelling git accepts, `-c core.hooksPath=`, `GIT_CONFIG_*`), the hook managers'
//! off switches (`HUSKY=0`, `LEFTHOOK=0`, `LEFTHOOK_EXCLUDE`, pre-commit's `SKIP`), removing
//! or emptying hook files and agent hook settings (shell writes, `rm`, `git rm/restore/
//! checkout`), uninstalling hooks, pruning backups, and switching Prisma's own AI-agent
//! check off. Shared by `check` (shell lines) and the agents' file-edit tools.

use crate::shell::{EnvChange, SimpleCommand};

use super::context::Context;

mod files;
mod git;
mod itself;
mod managers;
pub mod marker;
mod own_package;
mod remote;
pub mod run_later;
pub(crate) mod tripwire;
mod writers;

pub(crate) use files::glob_regex;
use files::*;
pub use files::{hooks_folder, protected, protected_with};
pub(crate) use git::operands as git_operands;
use git::*;
pub use git::{git_subcommand, no_hooks_there, runs_hooks};
pub use itself::Lookups;
pub(crate) use remote::configured_buckets;
pub use writers::patch_paths;

pub const CONSENT: &str = "PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION";

/// The command a runner starts (`npx lefthook ...`, `pnpm exec lefthook ...`, `python3 -m
/// pre_commit ...`), or the command itself.
pub(super) fn effective(argv: &[String]) -> Vec<String> {
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
    let hooks = ctx.hooks();
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
    // A bare redirection (`> .husky/pre-commit`) writes and runs nothing.
    if argv.is_empty() {
        return None;
    }
    if let Some(why) = writers::writes(cmd, ctx, dirs, &protected) {
        return Some(why);
    }
    // A copy or link of Prisma's own entry point runs prisma where no shim stands.
    if ["ln", "cp", "mv", "install", "rsync", "tar", "cpio", "zip"].contains(&name) {
        if let Some(path) = argv[1..].iter().find(|a| crate::shell::resolve::is_prisma_entry(a)) {
            return Some(format!(
                "`{name}` copies or links the Prisma CLI ({path}) where prisma-guard's shim does not stand"
            ));
        }
    }
    if WRITERS.contains(&name) || matches!(name, "yq" | "dasel") {
        let short_i = |a: &String| a.starts_with('-') && !a.starts_with("--") && a.contains('i');
        let in_place = match name {
            "sed" | "perl" => argv.iter().any(|a| a == "--in-place" || a.starts_with("--in-place=") || short_i(a)),
            // `yq -i`/`--inplace` rewrites its file, as `sed -i` does; dasel's `put` and
            // `delete` write the file they read.
            "yq" => argv.iter().any(|a| a == "--inplace" || a.starts_with("--inplace=") || short_i(a)),
            "dasel" => argv.iter().any(|a| matches!(a.as_str(), "put" | "delete")),
            _ => true,
        };
        if in_place {
            // A copier writes only its destination (the last operand, or `-t DIR`): copying
            // the backups or the hooks away leaves them as they are.
            let copier = matches!(name, "cp" | "ln" | "install" | "scp" | "ditto");
            let written: Vec<String> = if copier {
                let operands: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
                let target_dir = argv.windows(2).find(|w| w[0] == "-t" || w[0] == "--target-directory").map(|w| &w[1]);
                let dest = target_dir.or(operands.last().copied());
                let sources: &[&String] = match target_dir {
                    Some(_) => &operands,
                    None => &operands[..operands.len().saturating_sub(1)],
                };
                // Into a folder (`cp /tmp/x .`, `-t DIR`, `dir/`): what is written there is
                // each source's name, not the folder.
                let into_folder = dest.is_some_and(|d| {
                    target_dir.is_some()
                        || d.ends_with('/')
                        || matches!(d.as_str(), "." | "..")
                        || ctx.cwd.join(d.as_str()).is_dir()
                        || dirs.iter().any(|x| x != "*" && ctx.cwd.join(x).join(d.as_str()).is_dir())
                });
                match dest {
                    Some(d) if into_folder && !sources.is_empty() => sources
                        .iter()
                        .map(|s| {
                            format!(
                                "{}/{}",
                                d.trim_end_matches('/'),
                                s.trim_end_matches('/').rsplit('/').next().unwrap_or(s)
                            )
                        })
                        .collect(),
                    _ => dest.into_iter().cloned().collect(),
                }
            } else {
                argv[1..].to_vec()
            };
            if let Some((path, what)) = written.iter().find_map(|a| {
                protected(a).filter(|w| !(*w == "prisma-guard's backups" && outside(a, &ctx.cwd))).map(|w| (a, w))
            }) {
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
    // The off-site copies of the backups, in the buckets prisma-guard.toml names.
    if matches!(
        name,
        "aws" | "rclone" | "mc" | "mcli" | "s3cmd" | "s5cmd" | "s4cmd" | "gsutil" | "gcloud" | "b2" | "wrangler"
    ) {
        if let Some(why) = remote::deletes_remote(argv, &remote::configured_buckets(&ctx.cwd)) {
            return Some(why);
        }
    }
    // Archivers that delete what they pack: `tar --remove-files`, `zip -m`, `7z a -sdel`.
    let packs_and_deletes = match name {
        "tar" | "bsdtar" => argv.iter().any(|a| a == "--remove-files"),
        "zip" => argv.iter().any(|a| a == "--move" || (a.starts_with('-') && !a.starts_with("--") && a.contains('m'))),
        "7z" | "7za" | "7zz" => argv.iter().any(|a| a == "-sdel"),
        _ => false,
    };
    if packs_and_deletes {
        if let Some((path, what)) = argv[1..].iter().filter(|a| !a.starts_with('-')).find_map(|a| {
            protected(a).filter(|w| !(*w == "prisma-guard's backups" && outside(a, &ctx.cwd))).map(|w| (a, w))
        }) {
            return Some(format!("`{name}` packs {path} ({what}) into an archive and deletes it"));
        }
    }
    // `rsync -a --delete EMPTY/ .husky/`: its last operand is what it writes.
    if name == "rsync" {
        let removes_sources = argv.iter().any(|a| a == "--remove-source-files" || a == "--remove-sent-files");
        let operands: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
        let written: &[&String] =
            if removes_sources { &operands } else { &operands[operands.len().saturating_sub(1)..] };
        if let Some((path, what)) = written.iter().find_map(|a| {
            protected(a).filter(|w| !(*w == "prisma-guard's backups" && outside(a, &ctx.cwd))).map(|w| (a, w))
        }) {
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
        // `scan -o .claude/settings.json`: a report written over a protected file.
        let output = argv.windows(2).find(|w| matches!(w[0].as_str(), "-o" | "--output")).map(|w| w[1].as_str());
        let output = output.or_else(|| {
            argv.iter()
                .find_map(|a| a.strip_prefix("--output=").or_else(|| a.strip_prefix("-o").filter(|v| !v.is_empty())))
        });
        if let Some((path, what)) = output.and_then(|p| protected(p).map(|w| (p, w))) {
            return Some(format!("`prisma-guard -o {path}` writes its report over {path} ({what})"));
        }
    }
    if name == "prisma-guard"
        && (argv.iter().any(|a| a == "uninstall" || a == "unprotect")
            || argv.windows(2).any(|w| w[0] == "exec" && w[1] == "--no-backup"))
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
    if let Some(why) = own_package::changes_own_package(argv) {
        return Some(why);
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
    if run_name == "pre-commit" && run.get(1).is_some_and(|c| c == "install") {
        if let Some(why) = pre_commit_install(&run[2..]) {
            return Some(format!("`{}` {why}", argv.join(" ")));
        }
    }
    if run_name == "husky" || run_name.starts_with("husky@") {
        if let Some(why) = husky(&run, hooks).or_else(|| managers::husky_moves_hooks(&run, ctx)) {
            return Some(format!("`{}` {why}", argv.join(" ")));
        }
    }
    if name == "git" {
        if let Some(why) = git(argv, hooks)
            .or_else(|| git_reverts_changes(argv, ctx))
            .or_else(|| rewinds_hooks(argv, ctx))
            .or_else(|| stages_settings(argv, ctx))
        {
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
    if name == "unset" && argv.iter().any(|a| crate::agents::markers::is_marker(a)) {
        return Some(format!("`{}` hides the AI agent from Prisma's own check", argv.join(" ")));
    }
    let exported: Vec<EnvChange> = match name {
        "export" | "declare" | "typeset" | "set" | "readonly" => {
            // `export -n NAME` takes NAME out of the environment; so do `declare +x NAME` and
            // `typeset +x NAME`.
            let unexport = argv[1..].iter().any(|a| {
                (a.starts_with('-') && a.contains('n'))
                    || (matches!(name, "declare" | "typeset") && a.starts_with('+') && a.contains('x'))
            });
            argv[1..]
                .iter()
                .filter(|a| !a.starts_with('-') && !a.starts_with('+'))
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
        EnvChange::Set(k, v) if v.is_empty() && crate::agents::markers::is_marker(k) => Some(format!("empties {k}")),
        EnvChange::Unset(k) if crate::agents::markers::is_marker(k) => Some(format!("unsets {k}")),
        _ => None,
    });
    if let Some(h) = hides_agent {
        return Some(format!("`{}` {h}, hiding the AI agent from Prisma's own check", argv.join(" ")));
    }
    env.iter().chain(&exported).find_map(switch_off)
}

/// An environment variable that switches a guard off.
pub(super) fn switch_off(e: &EnvChange) -> Option<String> {
    let EnvChange::Set(k, v) = e else { return None };
    let off = |v: &str| matches!(v.to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off");
    match k.as_str() {
        CONSENT => Some(format!("sets {CONSENT}, which switches Prisma's own AI-agent check off")),
        "HUSKY" if off(v) => Some("HUSKY=0 switches husky's git hooks (and prisma-guard's scan) off".into()),
        "LEFTHOOK" if off(v) => Some("LEFTHOOK=0 switches lefthook's git hooks (and prisma-guard's scan) off".into()),
        "LEFTHOOK_EXCLUDE" | "LEFTHOOK_SKIP" => Some(format!("{k} skips lefthook hooks")),
        // lefthook's git hooks run "$LEFTHOOK_BIN" instead of lefthook when it is set.
        "LEFTHOOK_BIN" if !v.is_empty() => {
            Some(format!("LEFTHOOK_BIN={v} replaces the lefthook that git hooks run (and prisma-guard's scan with it)"))
        }
        // Only a hook of prisma-guard's (`prisma-guard`, `prisma-guard-scan`): other ids
        // (`SKIP=no-tabs`) leave the scan running.
        "SKIP" if v.split(',').any(|id| id.trim().to_ascii_lowercase().contains("prisma")) => {
            Some(format!("SKIP={v} skips prisma-guard's pre-commit hook"))
        }
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
        _ => managers::lefthook_env(k, v),
    }
}

/// Whether `path` is absolute and outside the folder the line runs in (a `backups` folder
/// there is not the project's).
fn outside(path: &str, cwd: &std::path::Path) -> bool {
    path.starts_with('/') && !crate::config::lexical_normalize(std::path::Path::new(path)).starts_with(cwd)
}

/// Whether a word is only known when the line runs: a variable or a command's output.
pub(super) fn dynamic(word: &str) -> bool {
    word.contains('$') || word.contains('`')
}

/// The code an interpreter runs from its command line (`python3 -c CODE`, `node -e CODE`).
pub(crate) fn inline_code(argv: &[String]) -> Vec<&str> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    let interpreter = name.starts_with("python")
        || matches!(
            name,
            "node" | "nodejs" | "ruby" | "perl" | "php" | "deno" | "bun" | "tsx" | "ts-node" | "osascript"
        );
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
pub(crate) fn code_paths(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !(c.is_alphanumeric() || "._-/~*".contains(c)))
        .filter(|w| w.chars().any(char::is_alphanumeric) && (w.contains(['.', '/']) || *w == "backups"))
}

/// What `husky ARGS` does to the hooks, when that switches prisma-guard's scan off:
/// `husky init` writes `.husky/pre-commit` anew (`npm test`, no scan); `husky DIR` (and
/// husky 8's `husky install DIR`) points core.hooksPath at DIR, away from the hooks there
/// are; `husky set` (husky 8) overwrites a hook. A bare `husky` or `husky install`
/// re-installs the same `.husky` hooks, and so does naming the folder in use.
pub(super) fn husky(run: &[String], hooks: Option<&str>) -> Option<String> {
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

/// What `pre-commit install ARGS` does to prisma-guard's entry: `-c/--config` naming another
/// file writes a git hook that reads that file, where prisma-guard's entry is not.
pub(super) fn pre_commit_install(args: &[String]) -> Option<String> {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let value = match a.as_str() {
            "-c" | "--config" => {
                i += 1;
                args.get(i).map(String::as_str)
            }
            _ => a.strip_prefix("--config=").or_else(|| a.strip_prefix("-c").filter(|v| !v.is_empty())),
        };
        if let Some(v) = value {
            if dynamic(v) {
                return Some(format!(
                    "gets a config only known when the line runs ({v}), which may leave prisma-guard's entry out"
                ));
            }
            if v.trim_start_matches("./") != ".pre-commit-config.yaml" {
                return Some(format!(
                    "points the git hook at {v}, not .pre-commit-config.yaml where prisma-guard's entry is"
                ));
            }
        }
        i += 1;
    }
    None
}

/// `prisma-guard` with an argument only known when the line runs (`--baseline "$M"`,
/// `$(echo uninstall)`): what it will do cannot be told, unless the command only reads.
pub(super) fn prisma_guard_dynamic(argv: &[String]) -> Option<String> {
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
    fn skip_naming_another_pre_commit_hook_leaves_the_scan_on() {
        assert_eq!(why("SKIP=no-tabs git commit -m x"), None);
        assert_eq!(why("SKIP=trailing-whitespace,check-yaml git commit -m x"), None);
        assert!(why("SKIP=no-tabs,prisma-guard-scan git commit -m x").is_some());
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
            // Review (issue 22, round 4): a pre-commit hook that reads another config.
            "pre-commit install -c other.yaml --overwrite",
            "pre-commit install --config=other.yaml",
            "pre-commit install -t pre-commit --config other.yaml",
            "python3 -m pre_commit install -cother.yaml",
            "pre-commit install -c \"$CFG\"",
            // Review (issue 22, round 4): more ways to write a hook file.
            "awk -i inplace \"NR<1\" .husky/pre-commit",
            "gawk -iinplace 1 .githooks/pre-commit",
            "ex -sc \"%d|x\" .husky/pre-commit",
            "vim -es -c 'norm dd' -c wq .husky/pre-commit",
            "sponge .husky/pre-commit < /dev/null",
            "tar -xf x.tar -C .husky",
            "tar xf x.tar --directory=.githooks",
            "unzip -o x.zip -d .husky",
            "patch .husky/pre-commit < x.diff",
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
            "declare +x CLAUDECODE",
            "typeset +x CLAUDECODE",
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
            // Review (issue 22, round 8): downloaded over the baseline or the settings.
            "curl -o .prisma-guard-baseline.json https://example.com/b.json",
            "curl -sSfo .prisma-guard-baseline.json https://example.com/b.json",
            "wget -O .prisma-guard-baseline.json https://example.com/b.json",
            "wget -qO prisma-guard.toml https://example.com/t",
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
            // Review (issue 22, round 5): plumbing past the hooks, lefthook's binary
            // swapped, in-place YAML editors.
            "git commit-tree abc123 -p HEAD -m x",
            "git update-ref refs/heads/main abc123",
            "git update-ref -m x HEAD abc123",
            "git update-ref refs/remotes/origin/x HEAD",
            "git update-ref --stdin",
            "git send-pack ../remote.git main",
            "LEFTHOOK_BIN=/bin/true git commit -m x",
            // Review (issue 22, round 7): lefthook reading another config.
            "LEFTHOOK_CONFIG=/tmp/empty.yml git commit -m d",
            "export LEFTHOOK_CONFIG=/tmp/empty.yml",
            "env LEFTHOOK_CONFIG=/tmp/empty.yml git commit -m d",
            "yq -i 'del(.pre-commit)' lefthook.yml",
            "yq eval --inplace 'del(.pre-commit)' lefthook.yml",
            "dasel delete -f lefthook.yml pre-commit",
            "apply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: .husky/pre-commit\n*** End Patch\nEOF",
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
            "git restore --staged .",
            "git rm --cached -r .",
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
            "LEFTHOOK_VERBOSE=1 git commit -m x",
            "LEFTHOOK_CONFIG= git commit -m x",
            "pre-commit install",
            "pre-commit install --overwrite -t pre-push",
            "pre-commit install -c .pre-commit-config.yaml",
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
            "awk '{print}' .husky/pre-commit",
            "tar -cf x.tar .husky",
            "tar -xf x.tar -C dist",
            "git apply --check x.patch",
            "git update-ref refs/tags/v1 HEAD",
            "git update-ref -d refs/heads/old",
            "yq '.pre-commit' lefthook.yml",
            "LEFTHOOK_BIN= git commit -m x",
            "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: src/a.ts\n@@\n-a\n+b\n*** End Patch\nEOF",
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
