//! Shell-command analysis for agents: what a command line would do to the database.
//!
//! The line is parsed as a shell would ([`crate::shell`]), npm scripts are expanded through
//! the project's package.json, every prisma invocation is classified by the same classifier
//! the shim uses ([`crate::guard::classify`]), and attempts to switch the guards off count as
//! destructive: setting `PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION`, hiding the agent
//! (`env -u CLAUDECODE`, `CLAUDECODE=`) in front of prisma, removing prisma-guard's hooks or
//! shims, editing agent hook settings, skipping git hooks with `--no-verify`. A line that
//! cannot be parsed but mentions prisma is destructive (fail closed).

pub mod class;
pub mod clients;
pub mod context;
pub mod data;
mod editors;
mod fast;
mod git_data;
mod globs;
mod hidden;
mod inline_sql;
mod links;
mod offsite;
mod pitr;
pub mod tamper;
pub mod tools;
pub mod volumes;
mod written_run;

use std::fmt;
use std::path::Path;

use crate::guard::classify::{classify, Invocation, Options, Risk};
use crate::shell::{self, EnvChange, Scripts, Target};

pub use class::Class;
pub use fast::fast_allow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Allow,
    SchemaChange,
    Destructive,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::SchemaChange => "schema change",
            Verdict::Destructive => "destructive",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The verdict on a line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub verdict: Verdict,
    /// One reason per finding, worst first.
    pub reasons: Vec<String>,
    /// The class of each finding, in the same order.
    pub classes: Vec<Class>,
    /// How the line was read, for `explain`.
    pub steps: Vec<String>,
    /// Whether the fast path decided without parsing.
    pub fast: bool,
}

impl Report {
    pub fn reason(&self) -> String {
        self.reasons.first().cloned().unwrap_or_else(|| "no prisma command and no change to prisma-guard".into())
    }

    /// The class of the worst finding.
    pub fn class(&self) -> Option<Class> {
        self.classes.first().copied()
    }

    /// The worst finding with its class and the safe alternative, as agents are told.
    pub fn explained(&self) -> String {
        match self.class() {
            Some(c) if self.verdict != Verdict::Allow => {
                format!("{} ({}). Instead: {}", self.reason(), c.label(), c.instead())
            }
            _ => self.reason(),
        }
    }
}

/// Whether a line names prisma or a database client: text in it that is only known when it
/// runs may reach the database.
pub(crate) fn mentions_database(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.contains("prisma")
        || clients::CLIENTS.iter().any(|c| {
            lower.match_indices(c).any(|(i, _)| {
                let before = lower[..i].chars().next_back();
                let after = lower[i + c.len()..].chars().next();
                let edge = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_' && c != '-');
                edge(before) && edge(after)
            })
        })
}

/// Judge one command line, run in `cwd` (for package.json scripts and `db execute --file`).
pub fn check(line: &str, cwd: &Path, opts: Options) -> Report {
    let scripts = shell::package_scripts::Packages::new(cwd);
    if fast_allow(line) {
        // Decided before any context is read: none is.
        return check_in(line, cwd, opts, &scripts, &context::Context::default());
    }
    check_in(line, cwd, opts, &scripts, &context::Context::new(cwd))
}

/// [`check`] with the packages and repository context of `cwd` read already (the scanner
/// judges many lines of one folder: it reads them once).
pub fn check_in(
    line: &str,
    cwd: &Path,
    opts: Options,
    scripts: &shell::package_scripts::Packages,
    repo: &context::Context,
) -> Report {
    if fast_allow(line) {
        return Report {
            verdict: Verdict::Allow,
            reasons: Vec::new(),
            classes: Vec::new(),
            steps: vec!["fast path: nothing to check".into()],
            fast: true,
        };
    }
    let mut worst = Verdict::Allow;
    let mut reasons: Vec<(Verdict, Class, String)> = Vec::new();
    let mut steps = Vec::new();
    let mentions_prisma = mentions_database(line);
    let mut new_worktree = false;
    let mut written: Vec<String> = Vec::new();
    let mut lookups = tamper::Lookups::default();
    let mut git_adds = git_data::Adds::default();
    let mut links = links::Links::default();
    let visited = shell::visit(line, scripts as &dyn Scripts, &mut |v| {
        let via = if v.via.is_empty() { String::new() } else { format!(" via {}", v.via.join(" > ")) };
        steps.push(format!("command `{}`{via}", v.command.argv.join(" ")));
        let name = v.command.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
        // A recipe file that is there but cannot be read for what it runs.
        if let Target::Unreadable { why } = v.target {
            reasons.push((Verdict::Destructive, Class::Hidden, why.clone()));
        }
        if let Some(why) = hidden::dynamic_command(v, mentions_prisma) {
            reasons.push((Verdict::Destructive, Class::Hidden, format!("{why}: it cannot be checked")));
        }
        let protects_files = || !repo.data_files().is_empty() || repo.cwd.join("backups").is_dir();
        let touches = |p: &str| {
            data::hit(p, repo.data_files(), cwd, v.dirs).is_some()
                || crate::judge::tamper::protected(p) == Some("prisma-guard's backups")
        };
        if let Some(why) = hidden::hidden_text(v, mentions_prisma, &protects_files, &written, &touches) {
            reasons.push((Verdict::Destructive, Class::Hidden, why));
        }
        if let Some(why) = hidden::script_file(v, scripts, &protects_files, &touches) {
            reasons.push((Verdict::Destructive, Class::Hidden, why));
        }
        // Issue 19, round 3: files the line wrote that this command runs, links to the data
        // the line made, text tools running commands, driver code and off-site deletions.
        if let Some(why) =
            [v.command.argv.as_slice(), v.inner].iter().find_map(|a| written_run::runs_written(a, &written))
        {
            reasons.push((Verdict::Destructive, Class::Hidden, why));
        }
        if let Some(why) = links.see(v.command, &touches) {
            reasons.push((Verdict::Destructive, Class::DatabaseFiles, why));
        }
        written.extend(hidden::written_by(v.command));
        // What the wrappers run (`sudo rm x`, `env A=1 psql ...`, `docker exec db psql ...`).
        // The command as written and, when wrappers run another (`sudo rm x`, `env A=1 psql
        // ...`, `docker exec db psql ...`), that one: each is judged, the first finding counts.
        let inner = v.effective();
        let forms: Vec<&shell::SimpleCommand> = match &inner {
            std::borrow::Cow::Owned(c) => vec![v.command, c],
            std::borrow::Cow::Borrowed(c) => vec![*c],
        };
        let first = |f: &dyn Fn(&shell::SimpleCommand) -> Option<String>| forms.iter().find_map(|c| f(c));
        // `cp /bin/true "$(command -v prisma-guard)"`: prisma-guard replaced at its looked-up path.
        if let Some(why) = forms.iter().find_map(|c| lookups.see(c, line)) {
            reasons.push((Verdict::Destructive, Class::GuardOff, why));
        }
        if let Some(why) = first(&|c| crate::judge::tamper::tamper(c, v.env, repo, v.dirs)) {
            let class = if why.contains("backups") { Class::Backups } else { Class::GuardOff };
            reasons.push((Verdict::Destructive, class, why));
        }
        if let Some(why) = tamper::marker::hides_agent(v.inner, v.env, v.via) {
            reasons.push((Verdict::Destructive, Class::GuardOff, why));
        }
        // Settings that make a later command run a program (`git config core.fsmonitor ...`,
        // `GIT_EDITOR=...`, `npm config set script-shell ...`): that program, judged now.
        for later in forms.iter().flat_map(|c| tamper::run_later::commands(c, v.env)) {
            let why = match tamper::run_later::unknowable(&later) {
                Some(why) => why,
                None => {
                    let judged = check_in(&later.command, cwd, opts, scripts, repo);
                    match (judged.verdict, tamper::run_later::missing_program(&later.command, cwd)) {
                        (Verdict::Allow, None) => continue,
                        (Verdict::Allow, Some(file)) => {
                            format!("{file} is not there, so what it will run cannot be checked")
                        }
                        (_, _) => judged.reason(),
                    }
                }
            };
            reasons.push((
                Verdict::Destructive,
                Class::GuardOff,
                match later.command.strip_prefix(tamper::run_later::INCLUDE) {
                    Some(file) => format!("{} names {}: {why}", later.setting, file.trim()),
                    None => format!("{} makes a later command run `{}`: {why}", later.setting, later.command),
                },
            ));
        }
        for c in &forms {
            for runs in editors::runs(c) {
                let name = c.argv.first().cloned().unwrap_or_default();
                let class = if matches!(runs, editors::Runs::Made(_)) { Class::Hidden } else { Class::DatabaseFiles };
                let why = match runs {
                    editors::Runs::Shell(text) => {
                        let judged = check_in(&text, cwd, opts, scripts, repo);
                        (judged.verdict != Verdict::Allow).then(|| format!("`{name}` runs `{text}`: {}", judged.reason()))
                    }
                    editors::Runs::Unknown(why) => (protects_files() || mentions_prisma).then(|| {
                        format!("{why}, in a project whose database or backups are files: what it touches cannot be checked")
                    }),
                    editors::Runs::Writes(p) => touches(&p).then(|| format!("`{name}` writes {p}, which holds the project's data")),
                    editors::Runs::Made(why) => Some(format!("{why}: what they do cannot be checked")),
                };
                if let Some(why) = why {
                    reasons.push((Verdict::Destructive, class, why));
                }
            }
            if let Some(why) = crate::judge::tamper::inline_code(&c.argv).into_iter().find_map(inline_sql::judge) {
                let name = c.argv.first().cloned().unwrap_or_default();
                reasons.push((Verdict::Destructive, Class::DatabaseClient, format!("`{name}` {why}")));
            }
            if let Some(why) = offsite::deletes_offsite(&c.argv, &repo.cwd) {
                reasons.push((Verdict::Destructive, Class::Backups, why));
            }
            if let Some(why) = pitr::deletes_pitr(&c.argv) {
                reasons.push((Verdict::Destructive, Class::Backups, why));
            }
        }
        // Database clients: the SQL they would run.
        let project_file = |f: &str| {
            let files = repo.data_files();
            (!files.is_empty()).then(|| data::hit(f, files, cwd, v.dirs).is_some())
        };
        let read = clients::disk_reader(cwd, v.dirs);
        let client = |c: &shell::SimpleCommand| clients::judge(c, &read, &project_file);
        if let Some(found) = forms.iter().find_map(|c| client(c)) {
            let class = if found.guard_off() { Class::GuardOff } else { Class::DatabaseClient };
            reasons.push((Verdict::Destructive, class, format!("`{}` {}", found.client, found.why)));
        }
        // Other migration tools (drizzle-kit, flyway ...); the tripwire switched off past SQL.
        if let Some(why) = first(&|c| tools::judge(&c.argv)) {
            reasons.push((Verdict::Destructive, Class::MigrationTool, why));
        }
        if let Some(why) = first(&|c| tamper::tripwire::switches_off(c, v.dirs)) {
            reasons.push((Verdict::Destructive, Class::GuardOff, why));
        }
        // `f=$(ls -d ~/.local/share/prisma-guard/tripwire/*); cat $f`: a line about the key's
        // folder reading a name made when it runs.
        if let Some(why) = forms.iter().find_map(|c| tamper::tripwire::reads_made_name(c, line)) {
            reasons.push((Verdict::Destructive, Class::GuardOff, why));
        }
        // The database files themselves, and the volumes holding them.
        if let Some(why) = first(&|c| data::loses_data(c, repo, v.dirs)) {
            reasons.push((Verdict::Destructive, Class::DatabaseFiles, why));
        }
        if let Some(why) = forms.iter().find_map(|c| git_adds.see(c, repo, v.dirs)) {
            let class = if why.contains("prisma-guard's backups") { Class::Backups } else { Class::DatabaseFiles };
            reasons.push((Verdict::Destructive, class, why));
        }
        let here = v.dirs.iter().rev().find(|d| d.as_str() != "*").map_or(cwd.to_path_buf(), |d| cwd.join(d));
        if let Some(why) = first(&|c| volumes::loses_volume(c, &here)) {
            reasons.push((Verdict::Destructive, Class::DatabaseVolume, why));
        }
        if let Some(why) = first(&|c| volumes::loses_server_data(c, &here)) {
            reasons.push((Verdict::Destructive, Class::DatabaseFiles, why));
        }
        // A commit or push where git would run no hooks (a worktree without husky's `_`).
        if name == "git" {
            match crate::judge::tamper::git_subcommand(&v.command.argv) {
                Some("worktree") if v.command.argv.iter().any(|a| a == "add") => new_worktree = true,
                Some(sub) if crate::judge::tamper::runs_hooks(sub) => {
                    if let Some(why) = crate::judge::tamper::no_hooks_there(cwd, v.dirs, new_worktree) {
                        reasons.push((Verdict::Destructive, Class::GuardOff, why));
                    }
                }
                _ => {}
            }
        }
        if let Target::Prisma { args, direct } = v.target {
            let inv = Invocation::parse(args);
            // `--stdin` fed by text the line shows (a heredoc, a here-string, `echo ... |`) or
            // by a file (`< q.sql`): that is the SQL, as `--file` names it.
            let read = |f: &String| std::fs::read_to_string(cwd.join(f)).map_err(|e| format!("{f}: {e}"));
            let stdin = inv.has("--stdin").then(|| match (&v.command.heredoc, &v.command.input_file) {
                (Some(body), _) => Some(Ok(body.clone())),
                (None, Some(f)) => Some(read(f)),
                (None, None) => None,
            });
            let sql = stdin.flatten().or_else(|| inv.file.as_ref().map(read));
            let risk = classify(&inv, sql.as_ref().map(|r| r.as_deref().map_err(Clone::clone)), opts);
            if v.via.iter().any(|w| w == "xargs") {
                reasons.push((
                    Verdict::Destructive,
                    Class::Hidden,
                    "prisma gets arguments from xargs' input, which cannot be checked".into(),
                ));
            }
            steps.push(format!("  prisma {} -> {risk}", args.join(" ")));
            if let Some(word) = hidden::dynamic_prisma_argument(args) {
                reasons.push((
                    Verdict::Destructive,
                    Class::Hidden,
                    format!("prisma's argument `{word}` is only known when the line runs, so what it does cannot be checked"),
                ));
            }
            // Another PATH for prisma is another pg_dump and psql for the guard in front of
            // it: a backup with an impostor's tools holds nothing.
            let sets_path = v.env.iter().any(|e| matches!(e, EnvChange::Set(k, _) if k == "PATH"))
                || line
                    .match_indices("PATH=")
                    .any(|(i, _)| !line[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
            if sets_path {
                reasons.push((
                    Verdict::Destructive,
                    Class::GuardOff,
                    "sets PATH in a line that runs prisma, which changes the tools prisma-guard backs up with".into(),
                ));
            }
            for e in v.env {
                // An agent marker unset or emptied is refused for every command
                // (`tamper::marker`); here what hides the agent from prisma alone.
                let hidden = match e {
                    EnvChange::Clear => Some("clears the environment (env -i)".to_string()),
                    _ => None,
                };
                if let Some(h) = hidden {
                    reasons.push((
                        Verdict::Destructive,
                        Class::GuardOff,
                        format!("{h} in front of prisma, hiding the AI agent from Prisma's own check"),
                    ));
                }
            }
            // Where a script or script file led there: say which (a monorepo has several).
            let from = v.via.iter().rev().find(|s| s.starts_with("script ") || s.starts_with("file "));
            let from = from.map(|s| format!(" (run by {s})")).unwrap_or_default();
            // `migrate deploy`/`migrate dev` apply the migrations the agent wrote: one that
            // loses data makes the command destructive (issue 19 review round 5, finding 12).
            let applies = args.iter().any(|a| a == "migrate") && args.iter().any(|a| a == "deploy" || a == "dev");
            let risk = match risk {
                Risk::SchemaChange { .. } if applies => match context::uncommitted_migration_loss(cwd) {
                    Some(why) => Risk::Destructive { why: format!("`prisma {}`: {why}", args.join(" ")) },
                    None => risk,
                },
                other => other,
            };
            match (risk, direct) {
                (Risk::Destructive { why }, _) => {
                    let off = why.contains(crate::sql::tripwire_tamper::MARK);
                    let class = if off { Class::GuardOff } else { Class::PrismaCommand };
                    reasons.push((Verdict::Destructive, class, format!("{why}{from}")))
                }
                // The "no decision" for a schema change counts on the shim's backup: past
                // the shim there is none.
                (Risk::SchemaChange { what }, Some(way)) => reasons.push((
                    Verdict::Destructive,
                    Class::PastTheShim,
                    format!(
                        "{what}{from}, run past prisma-guard's shim ({way}), so no backup would be taken first: run it as `npx prisma {}`",
                        args.join(" ")
                    ),
                )),
                (Risk::SchemaChange { what }, None) => {
                    reasons.push((Verdict::SchemaChange, Class::SchemaChange, format!("{what}{from}")))
                }
                (Risk::Safe, _) => {}
            }
        }
    });
    if let Err(e) = visited {
        if mentions_database(line) {
            reasons.push((
                Verdict::Destructive,
                Class::Hidden,
                format!(
                    "the command mentions prisma or a database but could not be parsed ({e}), so it cannot be checked"
                ),
            ));
        } else {
            steps.push(format!("could not parse ({e}); it does not mention prisma"));
        }
    }
    reasons.sort_by_key(|r| std::cmp::Reverse(r.0));
    // A script reached twice (`npm install` reads the root package as itself and as the
    // workspace outside a workspace) is one finding.
    let mut seen = std::collections::HashSet::new();
    reasons.retain(|r| seen.insert(r.2.clone()));
    if let Some((v, _, _)) = reasons.first() {
        worst = *v;
    }
    let classes = reasons.iter().map(|r| r.1).collect();
    Report { verdict: worst, reasons: reasons.into_iter().map(|r| r.2).collect(), classes, steps, fast: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(line: &str) -> Verdict {
        check(line, Path::new("/nonexistent"), Options::default()).verdict
    }

    #[test]
    fn prismas_own_entry_point_by_any_path_is_prisma() {
        for line in [
            "node node_modules/prisma/build/index migrate reset --force",
            "node node_modules/prisma/ migrate reset --force",
            "cd node_modules/prisma/build && node index.js migrate reset --force",
            "ln -s node_modules/prisma/build/index.js p.js && ./p.js migrate reset --force",
            "cp node_modules/.bin/.prisma-guard-original-prisma /tmp/p",
        ] {
            assert_eq!(verdict(line), Verdict::Destructive, "{line}");
        }
        for line in [
            "cat node_modules/prisma/package.json",
            "ls node_modules/prisma",
            "node node_modules/prisma/build/index.js --version",
        ] {
            assert_eq!(verdict(line), Verdict::Allow, "{line}");
        }
    }

    /// Review (issue 22, round 4): `node .` (a package folder, as Node reads it) after a `cd`
    /// into Prisma's package, behind wrappers that hide the agent; schema changes that never
    /// reach the shim (which is what takes the backup).
    #[test]
    fn entry_points_behind_wrappers_and_schema_changes_past_the_shim() {
        for line in [
            "cd node_modules/prisma/build && env -u CLAUDECODE DATABASE_URL=file:/abs/dev.db node . migrate reset --force --config ../../../prisma.config.ts",
            "cd node_modules/prisma && env -u CLAUDECODE node . migrate reset --force",
            "cd node_modules/prisma && env -u CLAUDECODE node . migrate status",
            "env -u CLAUDECODE yarn node node_modules/prisma/build/index.js migrate reset --force",
            "env -u CLAUDECODE yarn node node_modules/prisma/build/index.js migrate status",
            "node node_modules/prisma/build/index.js migrate deploy",
            "node_modules/.bin/.prisma-guard-original-prisma migrate deploy",
            "npx prisma@7.10.1 migrate deploy",
            "pnpm dlx prisma db push",
            "cd node_modules/prisma/build && node . db push",
        ] {
            assert_eq!(verdict(line), Verdict::Destructive, "{line}");
        }
        assert_eq!(verdict("npx prisma migrate deploy"), Verdict::SchemaChange);
        // `git submodule foreach CMD`: CMD is judged.
        assert_eq!(verdict("git submodule foreach git commit -nm x"), Verdict::Destructive);
        assert_eq!(verdict("git submodule foreach --recursive 'git commit --no-verify -m x'"), Verdict::Destructive);
        assert_eq!(verdict("git submodule foreach git pull"), Verdict::Allow);
        assert_eq!(verdict("cd node_modules/prisma && node . migrate status"), Verdict::Allow);
    }

    #[test]
    fn fast_path_skips_ordinary_commands() {
        assert!(fast_allow("ls -la && cargo test"));
        assert!(!fast_allow("npx prisma migrate reset"));
        assert!(!fast_allow("NPM run x"));
        // Review (issue 17): the spelling of a word is not the word the shell runs.
        for line in [
            "rm\t-rf data",
            "mv\tdata /tmp/x",
            "rm\n-rf data",
            "'rm' -rf data",
            "\"rm\" -rf data",
            "r''m -rf data",
            "\\rm -rf data",
            "{rm,-rf,data}",
            "$X -rf data",
            "r${X}m -rf data",
        ] {
            assert!(!fast_allow(line), "{line:?}");
        }
        assert_eq!(verdict("ls -la"), Verdict::Allow);
    }

    #[test]
    fn guard_off_attempts() {
        assert_eq!(verdict("export PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=yes"), Verdict::Destructive);
        assert_eq!(verdict("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=1 npx prisma generate"), Verdict::Destructive);
        assert_eq!(verdict("env -u CLAUDECODE npx prisma migrate status"), Verdict::Destructive);
        assert_eq!(verdict("CLAUDECODE= npx prisma db push"), Verdict::Destructive);
        assert_eq!(verdict("rm .git/hooks/pre-commit"), Verdict::Destructive);
        assert_eq!(verdict("echo '{}' > .claude/settings.json"), Verdict::Destructive);
        assert_eq!(verdict("sed -i 's/x//' .claude/settings.local.json"), Verdict::Destructive);
        assert_eq!(verdict("git commit --no-verify -m wip"), Verdict::Destructive);
        assert_eq!(verdict("prisma-guard hooks uninstall"), Verdict::Destructive);
        assert_eq!(verdict("prisma-guard prune --yes --keep 1"), Verdict::Destructive);
        assert_eq!(verdict("prisma-guard prune -y"), Verdict::Destructive);
        assert_eq!(verdict("prisma-guard prune --keep 1"), Verdict::Allow, "only shows the table");
        assert_eq!(verdict("prisma-guard prune --dry-run"), Verdict::Allow);
        assert_eq!(verdict("cat .claude/settings.json"), Verdict::Allow);
        assert_eq!(verdict("sed -n 1p .claude/settings.json"), Verdict::Allow);
    }
}

/// Issue 19: wrappers and pipes composed at random around a destructive command never hide
/// it, and around a harmless one never make it destructive.
#[cfg(test)]
mod compositions {
    use proptest::prelude::*;

    use super::*;

    /// A command line `{}` stands for, wrapped once.
    fn wrapper() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            Just("env FOO=1 {}"),
            Just("sudo -u app {}"),
            Just("nohup {}"),
            Just("timeout 60 {}"),
            Just("dotenv -e .env.prod -- {}"),
            Just("dotenv-flow -c production -- {}"),
            Just("varlock run -- {}"),
            Just("infisical run --env=prod -- {}"),
            Just("doppler run -- {}"),
            Just("railway run {}"),
            Just("heroku run -a shop {}"),
            Just("kubectl exec -it api-0 -- {}"),
            Just("docker exec app {}"),
            Just("docker compose exec -T app {}"),
            Just("mytool --verbose -- {}"),
            Just("flock /tmp/lock {}"),
            Just("watchexec -- {}"),
            Just("bash -c {q}"),
            Just("sh -c {q}"),
            Just("eval {q}"),
            Just("echo {q} | bash"),
            Just("printf '%s\\n' {q} | sh"),
            Just("ssh prod {q}"),
            Just("true && {}"),
            Just("( {} )"),
            Just("{ {}; }"),
        ]
    }

    fn destructive_core() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            Just("npx prisma migrate reset --force"),
            Just("prisma db push --force-reset"),
            Just("npx prisma db update --no-interactive --confirm app"),
            Just("psql -c 'DROP SCHEMA public CASCADE'"),
            Just("mysql -e 'TRUNCATE users'"),
            Just("dropdb app"),
        ]
    }

    fn harmless_core() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            Just("npx prisma migrate status"),
            Just("npx prisma generate"),
            Just("psql -c 'SELECT 1'"),
            Just("ls -la"),
            Just("echo done"),
        ]
    }

    /// `core` wrapped by each wrapper in turn, innermost first. A wrapper that runs one simple
    /// command (`env`, `sudo`, `docker exec` ...) gets a compound line as `bash -c '...'`, as a
    /// person would write it.
    fn wrap(core: &str, wrappers: &[&str]) -> String {
        wrappers.iter().fold(core.to_string(), |line, w| {
            if w.contains("{q}") {
                return w.replace("{q}", &crate::shell::quote(&line));
            }
            let prefix = !w.starts_with(['(', '{']) && !w.starts_with("true");
            let compound = line.contains(['|', ';', '&', '(', ')', '{', '}', '\n']);
            let line = if prefix && compound { format!("bash -c {}", crate::shell::quote(&line)) } else { line };
            w.replace("{}", &line)
        })
    }

    fn judged(line: &str) -> Verdict {
        check(line, Path::new("/nonexistent"), Options::default()).verdict
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn wrapped_destructive_commands_stay_destructive(
            core in destructive_core(),
            wrappers in proptest::collection::vec(wrapper(), 0..4),
        ) {
            let line = wrap(core, &wrappers);
            prop_assert_eq!(judged(&line), Verdict::Destructive, "{}", line);
        }

        #[test]
        fn wrapped_harmless_commands_are_not_refused(
            core in harmless_core(),
            wrappers in proptest::collection::vec(wrapper(), 0..4),
        ) {
            // Quoting inside quoting puts backslashes in an `echo` that `dash` would read as
            // escapes: refused as unknown text, by design. One level of quoting here.
            let line = wrap(core, &wrappers);
            prop_assume!(!(line.contains('\\') && (line.contains("echo") || line.contains("printf"))));
            prop_assert_ne!(judged(&line), Verdict::Destructive, "{}", line);
        }
    }
}
