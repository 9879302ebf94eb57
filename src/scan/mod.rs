//! `prisma-guard scan`: destructive Prisma commands in scripts and CI files, destructive SQL
//! in `prisma/migrations/*/migration.sql`.
//!
//! Data flow: a [`Source`] (working tree, git index, pushed commit) and a list of
//! repository-relative paths -> [`extract::kind`] picks the reader -> migrations go through
//! [`crate::sql::analyze()`] (replaying earlier migrations of the same folder for the schema),
//! command lines through [`crate::shell::find_prisma`] and the guard's classifier -> ignore
//! comments and config filter -> sorted [`Finding`]s -> [`report`].

pub mod baseline;
mod config_follow;
pub mod extract;
mod listdir;
mod load;
pub mod prisma_dirs;
pub mod report;
pub mod source;
pub mod suppress;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::guard::classify::Invocation;
use crate::rules::{RuleId, Severity};
use crate::sql::{analyze, Schema};
use extract::{CommandLine, Kind};
use listdir::EntryKind;
pub use source::Source;
use suppress::Directive;

/// One finding, located in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    /// Repository-relative, `/`-separated.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    pub message: String,
    pub help: &'static str,
    /// Prisma's own warning from the migration's `Warnings:` block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prisma_warning: Option<String>,
    /// The source line, for display.
    pub source: String,
    /// What the finding is about when that is not its line: a package.json script's name
    /// and command (a compact package.json holds every script on one line). The baseline's
    /// fingerprint reads it.
    #[serde(skip)]
    pub subject: Option<String>,
}

/// What to scan and what to leave out (from `[scan]` in prisma-guard.toml).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub disable: Vec<RuleId>,
    pub exclude: Vec<String>,
    pub start_after: Option<String>,
    pub production_scripts: Vec<String>,
    /// Threads reading files, the calling thread included (`None`: one per core, up to 8).
    pub threads: Option<usize>,
    /// Migration folders a Prisma config names (`migrations.path`) that are not called
    /// `migrations` (repository-relative, no trailing `/`).
    pub migration_dirs: Vec<String>,
}

impl Options {
    /// The kind of `rel`, migrations in the config-named folders included.
    pub fn kind(&self, rel: &str) -> Option<Kind> {
        extract::kind(rel).or_else(|| {
            let dir = rel.strip_suffix("/migration.sql")?;
            let (parent, _) = extract::split_last(dir)?;
            self.migration_dirs.iter().any(|d| d == parent).then_some(Kind::Migration)
        })
    }

    pub fn excluded(&self, rel: &str) -> bool {
        self.exclude.iter().any(|p| {
            let p = p.trim_end_matches('/');
            rel == p || rel.starts_with(&format!("{p}/")) || crate::guard::allow::glob(p, rel)
        })
    }
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct Scanned {
    /// Sorted.
    pub findings: Vec<Finding>,
    /// How many files were read.
    pub files: usize,
    /// Files that are there but could not be read (and so were not checked).
    pub unreadable: Vec<(String, std::io::Error)>,
    /// Files asked for that are not there (a migration folder without its file, say).
    pub missing: Vec<String>,
}

impl Scanned {
    /// Add another scan's results (pre-push scans one source per pushed ref).
    pub fn add(&mut self, other: Scanned) {
        self.findings.extend(other.findings);
        sort(&mut self.findings);
        self.files += other.files;
        self.unreadable.extend(other.unreadable);
        self.missing.extend(other.missing);
    }
}

/// The stable report order (path, line, column, rule), without duplicates.
fn sort(findings: &mut Vec<Finding>) {
    fn key(f: &Finding) -> (&str, usize, usize, &str) {
        (&f.path, f.line, f.col, f.rule.as_str())
    }
    // Usually in order already (files are scanned in path order, each one's findings by
    // position): then there is no sort, and no scratch buffer for it (half the findings, over
    // 64 KiB for a large scan: mapped and unmapped again, a TLB flush on every core).
    if !findings.is_sorted_by(|a, b| key(a) <= key(b)) {
        findings.sort_by(|a, b| key(a).cmp(&key(b)));
    }
    findings.dedup();
}

/// Scan `paths` of `source`. Paths that are not scanned kinds are skipped.
pub fn scan(source: &Source, paths: Vec<String>, opts: &Options) -> Scanned {
    let mut sorted: Vec<(String, Kind)> = paths
        .into_iter()
        .filter(|p| !opts.excluded(p))
        .filter_map(|p| {
            let kind = opts.kind(&p)?;
            Some((p, kind))
        })
        .collect();
    // A path has one kind: ordering and de-duplicating by path is enough. A walk's paths
    // come sorted.
    if !sorted.is_sorted_by(|a, b| a.0 <= b.0) {
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
    }
    sorted.dedup_by(|a, b| a.0 == b.0);
    let mut replays: BTreeMap<String, Replay> = BTreeMap::new();
    // Most migrations of a scan hold a finding or two: room for that many up front, not
    // grown by doubling (each step a copy, and the old block left unused).
    let mut out = Vec::with_capacity(sorted.len());
    let mut read = 0;
    let mut unreadable = Vec::new();
    let mut missing = Vec::new();
    load::in_order(source, &sorted, opts.threads, |i, file| {
        let rel = sorted[i].0.as_str();
        let file = match file {
            Ok(Some(file)) => file,
            Ok(None) => return missing.push(rel.to_string()),
            Err(e) => return unreadable.push((rel.to_string(), e)),
        };
        read += 1;
        let load::File { kind, text, prepared, directives } = *file;
        // A file that does not parse was not checked: an error, never "no findings".
        let found = match (kind, prepared) {
            (Kind::Migration, Some(p)) => scan_migration(source, rel, &text, p, &directives, opts, &mut replays),
            _ => match scan_commands(source, kind, rel, &text, &directives, opts) {
                Ok(found) => found,
                Err(e) => {
                    return unreadable.push((rel.to_string(), std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
                }
            },
        };
        out.extend(found.into_iter().filter(|f| !opts.disable.contains(&f.rule)));
    });
    sort(&mut out);
    Scanned { findings: out, files: read, unreadable, missing }
}

/// Earlier migrations of one folder, replayed in order up to the one being scanned.
struct Replay<'s> {
    names: std::borrow::Cow<'s, [String]>,
    next: usize,
    schema: Schema,
}

fn scan_migration<'s>(
    source: &'s Source,
    rel: &str,
    text: &str,
    prepared: crate::sql::analyze::Prepared,
    directives: &[Directive],
    opts: &Options,
    replays: &mut BTreeMap<String, Replay<'s>>,
) -> Vec<Finding> {
    // rel: <folder>/migrations/<name>/migration.sql
    let Some((dir, _)) = extract::split_last(rel) else { return Vec::new() };
    let (folder, name) = extract::split_last(dir).unwrap_or(("", dir));
    if !replays.contains_key(folder) {
        let replay = Replay { names: source.subdirs(folder), next: 0, schema: Schema::default() };
        replays.insert(folder.to_string(), replay);
    }
    let Some(replay) = replays.get_mut(folder) else { return Vec::new() };
    if replay.names.get(replay.next).is_some_and(|n| n.as_str() > name) {
        // Out of order (should not happen with sorted paths): start over.
        replay.next = 0;
        replay.schema = Schema::default();
    }
    // `names` is sorted: an unread earlier migration, if any, is the next one.
    let behind = replay.names.get(replay.next).is_some_and(|n| n.as_str() < name);
    let (analysis, advanced) = if behind {
        // Earlier migrations not read yet (a hook scanning one staged file): most migrations
        // need no history, so try without it and replay only when a rule asks.
        let mut guess = replay.schema.clone();
        let quick = crate::sql::analyze::analyze_prepared(prepared, text, &mut guess);
        if quick.needs_history {
            catch_up(source, folder, name, replay);
            (analyze(text, &mut replay.schema), true)
        } else {
            (quick, false)
        }
    } else {
        (crate::sql::analyze::analyze_prepared(prepared, text, &mut replay.schema), true)
    };
    // Strings read both ways when backslashes change where they end (PostgreSQL vs MySQL).
    let mut analysis = analysis;
    if crate::sql::analyze::backslash_sensitive(text) {
        let standard = crate::sql::analyze::analyze_standard_strings(text, &mut replay.schema.clone());
        crate::sql::analyze::merge_findings(&mut analysis, standard);
    }
    // As SQLite reads it too: block comments do not nest, `[name]` is a name.
    if crate::sql::analyze::lite_sensitive(text) {
        let lite = analyze(&crate::sql::analyze::lite_reading(text), &mut replay.schema.clone());
        crate::sql::analyze::merge_findings(&mut analysis, lite);
    }
    // With comments running past a lone carriage return (MySQL, SQLite).
    if crate::sql::analyze::cr_sensitive(text) {
        let cr = analyze(&crate::sql::analyze::cr_reading(text), &mut replay.schema.clone());
        crate::sql::analyze::merge_findings(&mut analysis, cr);
    }
    // As MySQL reads it too: executable comments run, `--` without a blank is no comment.
    if crate::sql::analyze::mysql_sensitive(text) {
        let mysql = analyze(&crate::sql::analyze::mysql_reading(text, false), &mut replay.schema.clone());
        crate::sql::analyze::merge_findings(&mut analysis, mysql);
    }
    if advanced && replay.names.get(replay.next).is_some_and(|n| n == name) {
        replay.next += 1;
    }
    if opts.start_after.as_deref().is_some_and(|s| name <= s) {
        return Vec::new();
    }
    // Each directive covers the first statement after it.
    let covered: Vec<Option<usize>> =
        directives.iter().map(|d| analysis.statements.iter().position(|s| s.offset > d.offset)).collect();
    let mut out = meta_findings(rel, text, directives);
    for f in analysis.findings {
        let suppressed = directives.iter().zip(&covered).any(|(d, stmt)| {
            d.reason.is_some()
                && f.statement.is_some()
                && *stmt == f.statement
                && d.rules.iter().any(|r| r == f.rule.as_str())
        });
        if suppressed {
            continue;
        }
        let (line, col) = extract::line_col(text, f.offset);
        out.push(finding(f.rule, rel, text, line, col, f.message, f.prisma_warning));
    }
    out
}

/// Replay the migrations of `folder` before `name` into the schema.
fn catch_up(source: &Source, folder: &str, name: &str, replay: &mut Replay) {
    while let Some(earlier) = replay.names.get(replay.next).filter(|n| n.as_str() < name) {
        if let Some(sql) = source.read(&format!("{folder}/{earlier}/migration.sql")) {
            analyze(&sql, &mut replay.schema);
        }
        replay.next += 1;
    }
}

fn finding(
    rule: RuleId,
    rel: &str,
    text: &str,
    line: usize,
    col: usize,
    message: String,
    prisma_warning: Option<String>,
) -> Finding {
    let r = rule.rule();
    Finding {
        rule,
        severity: r.severity,
        path: rel.to_string(),
        line,
        col,
        message,
        help: r.help,
        prisma_warning,
        source: extract::line_text(text, line).to_string(),
        subject: None,
    }
}

/// Directives without a reason, or naming unknown rules.
fn meta_findings(rel: &str, text: &str, directives: &[Directive]) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in directives {
        let mut problems: Vec<(RuleId, String)> = Vec::new();
        if d.reason.is_none() {
            let msg = format!("`{}` without a reason suppresses nothing; add `: <why this is safe>`", suppress::WORD);
            problems.push((RuleId::IgnoreWithoutReason, msg));
        }
        for r in d.rules.iter().filter(|r| RuleId::parse(r).is_none()) {
            problems.push((
                RuleId::IgnoreUnknownRule,
                format!("there is no rule `{r}`; this comment suppresses nothing for it"),
            ));
        }
        if d.rules.is_empty() {
            let msg = format!("`{}` names no rule; write the rule id it suppresses", suppress::WORD);
            problems.push((RuleId::IgnoreUnknownRule, msg));
        }
        out.extend(problems.into_iter().map(|(rule, msg)| finding(rule, rel, text, d.line, d.col, msg, None)));
    }
    out
}

fn scan_commands(
    source: &Source,
    kind: Kind,
    rel: &str,
    text: &str,
    directives: &[Directive],
    opts: &Options,
) -> Result<Vec<Finding>, String> {
    // npm refuses a package.json that does not parse, whatever it holds: so does the scan.
    if !extract::mentions_data_command(text) && kind != Kind::PackageJson {
        return Ok(Vec::new());
    }
    let mut lines = extract::commands(kind, rel, text, &opts.production_scripts)?;
    // A shell file that does not parse as a whole is read line by line.
    if kind == Kind::Shell && lines.len() == 1 && crate::shell::parse(text).is_err() {
        lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("prisma"))
            .map(|(i, l)| CommandLine {
                line: i + 1,
                col: 1,
                text: l.to_string(),
                verbatim: true,
                production: lines[0].production,
                context: String::new(),
            })
            .collect();
    }
    let mut out = meta_findings(rel, text, directives);
    for cl in lines.iter().filter(|c| extract::mentions_data_command(&c.text)) {
        // `db execute --file f.sql`: the file, relative to this file's folder or the root.
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        let read_sql = |f: &str| {
            let f = f.trim_start_matches("./");
            let near = if dir.is_empty() { f.to_string() } else { format!("{dir}/{f}") };
            source.read(&near).or_else(|| source.read(f))
        };
        // The compose files a `docker compose` in this file would read: beside it, else at the root.
        let services = |files: &[String], project: Option<&str>| {
            let folder = dir.rsplit('/').next().unwrap_or("");
            let read = |name: &str| {
                let near = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
                source.read(&near).or_else(|| source.read(name))
            };
            let names: Vec<String> = if files.is_empty() {
                ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"].map(String::from).to_vec()
            } else {
                files.to_vec()
            };
            names
                .iter()
                .find_map(|n| read(n))
                .map(|text| crate::judge::volumes::db_services_in(&text, folder, project))
                .unwrap_or_default()
        };
        let found = command_findings(cl, &read_sql).into_iter().chain(data_findings(cl, &read_sql, &services));
        for (rule, offset, message) in found {
            let (line, col) = if cl.verbatim {
                let (l, c) = extract::line_col(&cl.text, offset);
                if l == 1 {
                    (cl.line, cl.col + c - 1)
                } else {
                    (cl.line + l - 1, c)
                }
            } else {
                (cl.line, cl.col)
            };
            let suppressed = directives.iter().any(|d| {
                d.reason.is_some()
                    && (d.line == line || d.line + 1 == line)
                    && d.rules.iter().any(|r| r == rule.as_str())
            });
            if !suppressed {
                let mut f = finding(rule, rel, text, line, col, message, None);
                if kind == Kind::PackageJson {
                    f.subject = Some(format!("{}\n{}", cl.context, cl.text));
                }
                out.push(f);
            }
        }
    }
    Ok(out)
}

/// Rules broken by database clients and Docker volume commands in one command line, as
/// `check` judges them (only what the line shows: SQL that cannot be read is not reported).
fn data_findings(
    cl: &CommandLine,
    read_sql: &dyn Fn(&str) -> Option<String>,
    services: crate::judge::volumes::Services<'_>,
) -> Vec<(RuleId, usize, String)> {
    let place = if cl.context.is_empty() { String::new() } else { format!(" in {}", cl.context) };
    let read = |f: &str| read_sql(f).ok_or_else(|| format!("{f} (not found)"));
    let mut out = Vec::new();
    let _ = crate::shell::visit(&cl.text, &crate::shell::NoScripts, &mut |v| {
        // The command as written, and what its wrappers run (`sudo -u postgres psql ...`).
        let inner = v.effective();
        let forms = [v.command, inner.as_ref()];
        let forms = if forms[0] == forms[1] { &forms[..1] } else { &forms[..] };
        let client =
            forms.iter().find_map(|c| crate::judge::clients::judge(c, &read, &|_| None).filter(|f| f.certain()));
        if let Some(f) = client {
            out.push((RuleId::DatabaseClientDataLoss, v.offset, format!("`{}`{place} {}", f.client, f.why)));
        }
        if let Some(why) = forms.iter().find_map(|c| crate::judge::volumes::loses_volume_with(c, services)) {
            out.push((RuleId::DatabaseVolumeDeleted, v.offset, format!("{why}{place}")));
        }
    });
    out
}

/// Rules broken by the prisma commands in one command line: (rule, byte offset, message).
fn command_findings(cl: &CommandLine, read_sql: &dyn Fn(&str) -> Option<String>) -> Vec<(RuleId, usize, String)> {
    let found = match crate::shell::find_prisma(&cl.text, &crate::shell::NoScripts) {
        Ok(f) => f,
        Err(e) => {
            return vec![(
                RuleId::UnparsedCommand,
                0,
                format!("could not parse this command ({}), so it was not checked", e.message),
            )]
        }
    };
    let place = if cl.context.is_empty() { String::new() } else { format!(" in {}", cl.context) };
    let mut out = Vec::new();
    for (f, inv) in found.iter().flat_map(|f| Invocation::readings(&f.args).into_iter().map(move |inv| (f, inv))) {
        if inv.has("--help") {
            continue;
        }
        let shown = format!("prisma {}", f.args.join(" "));
        let mut push = |rule: RuleId, what: &str| {
            out.push((rule, f.offset, format!("`{}`{place}: {what}", shown.trim())));
        };
        if inv.is("migrate", "reset") {
            push(RuleId::PrismaMigrateReset, "drops the database and every row in it");
        }
        if inv.is("db", "update") && inv.has("--force-reset") {
            push(RuleId::PrismaForceReset, "(Prisma 8) drops every table and row before updating");
        }
        if inv.is("db", "update") && (inv.has("--accept-data-loss") || inv.has("--confirm")) {
            push(
                RuleId::PrismaAcceptDataLoss,
                "(Prisma 8) answers the data-loss prompt in advance: columns and tables holding data can be dropped",
            );
        }
        if cl.production && inv.is("db", "update") && !inv.has("--force-reset") {
            push(
                RuleId::PrismaDbPushInProduction,
                "(Prisma 8) changes the production schema without migrations; use `prisma migrate deploy`",
            );
        }
        if inv.is("db", "push") && inv.has("--force-reset") {
            push(RuleId::PrismaForceReset, "drops every table and row before pushing");
        }
        if inv.is("db", "push") && inv.has("--accept-data-loss") {
            push(RuleId::PrismaAcceptDataLoss, "applies changes that drop columns and tables holding data");
        }
        if cl.production && inv.is("migrate", "dev") {
            push(
                RuleId::PrismaMigrateDevInProduction,
                "a development command in a build or deploy step; use `prisma migrate deploy`",
            );
        }
        if inv.is("db", "execute") {
            if let Some(sql) = inv.file.as_deref().and_then(read_sql) {
                if let Some(d) = crate::sql::dangers(&sql).first() {
                    let what =
                        format!("runs SQL that {} ({} line {})", d.message, inv.file.as_deref().unwrap_or(""), d.line);
                    push(RuleId::PrismaDbExecuteDataLoss, &what);
                }
            }
        }
        if cl.production && inv.is("db", "push") && !inv.has("--force-reset") && !inv.has("--accept-data-loss") {
            push(
                RuleId::PrismaDbPushInProduction,
                "changes the production schema without migrations; use `prisma migrate deploy`",
            );
        }
    }
    out
}

/// Directories never walked into.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "dist",
    ".next",
    ".nuxt",
    ".turbo",
    ".vercel",
    ".output",
    "coverage",
    "vendor",
    ".cache",
    ".pnpm-store",
    ".yarn",
    "backups",
];

/// The scannable files under `start` (repository-relative, sorted), and the folders of each
/// Prisma migrations folder met on the way (so the replay need not list them again).
#[derive(Debug, Default)]
pub struct Walked {
    pub paths: Vec<String>,
    pub migration_dirs: BTreeMap<String, Vec<String>>,
    /// Migration folders named by the configs the walk found (see [`prisma_dirs`]).
    pub config_dirs: Vec<String>,
    /// A config whose migrations folder cannot be read without running it.
    pub config_error: Option<String>,
}

/// Every scannable file under the folder `start` (repository-relative to `root`), skipping
/// dependency and build folders, git-ignored folders, and excluded paths.
pub fn walk(root: &Path, start: &Path, repo: Option<&git2::Repository>, opts: &Options) -> Walked {
    let mut out = Walked::default();
    let Some(start_rel) = rel_path(root, start) else { return out };
    let mut stack = vec![(start.to_path_buf(), start_rel)];
    while let Some((dir, dir_rel)) = stack.pop() {
        let Ok(mut entries) = listdir::list(&dir) else { continue };
        // Names sorted here, folder by folder, leave the final sort next to nothing to do
        // (sorting 800 long paths with a common prefix is not free).
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // The folders of a Prisma migrations folder hold one migration.sql each: take it
        // without listing every folder (hundreds of directory reads saved), and without
        // asking git about each one (the migrations folder itself was asked).
        let migrations = extract::split_last(&dir_rel).map_or(dir_rel.as_str(), |(_, n)| n) == "migrations"
            || opts.migration_dirs.contains(&dir_rel);
        let mut listed = Vec::new();
        let mut subdirs = Vec::new();
        for (name, ft) in entries {
            // Room for "/migration.sql" too: the common case appends it without growing.
            let mut rel = String::with_capacity(dir_rel.len() + name.len() + 16);
            if !dir_rel.is_empty() {
                rel.push_str(&dir_rel);
                rel.push('/');
            }
            rel.push_str(&name);
            if ft == EntryKind::Dir {
                let hidden_ok = matches!(name.as_str(), ".github" | ".husky" | ".circleci" | ".gitlab");
                if name == ".config" && !migrations {
                    // Not walked, but Prisma finds its config there (`.config/prisma.ts`),
                    // in every package of a workspace.
                    for n in crate::project::CONFIG_NAMES.iter().filter(|n| n.starts_with(".config/")) {
                        if dir.join(n).is_file() {
                            let found = format!("{}{n}", rel.strip_suffix(".config").unwrap_or(""));
                            if !opts.excluded(&found) {
                                out.paths.push(found);
                            }
                        }
                    }
                    continue;
                }
                if SKIP_DIRS.contains(&name.as_str()) || (name.starts_with('.') && !hidden_ok) {
                    continue;
                }
                if migrations {
                    // Excluded migrations are not reported, but still replayed for history.
                    if !opts.excluded(&rel) {
                        out.paths.push(rel + "/migration.sql");
                    }
                    listed.push(name);
                    continue;
                }
            }
            if opts.excluded(&rel) {
                continue;
            }
            if ft == EntryKind::Dir {
                if repo.is_some_and(|r| r.is_path_ignored(Path::new(&rel)).unwrap_or(false)) {
                    continue;
                }
                subdirs.push((dir.join(&name), rel));
            } else if ft == EntryKind::File && opts.kind(&rel).is_some() {
                out.paths.push(rel);
            }
        }
        stack.extend(subdirs.into_iter().rev());
        if migrations {
            out.migration_dirs.insert(dir_rel, listed);
        }
    }
    // Migration folders the walked Prisma configs name (`migrations.path`), wherever they are
    // in the walked folder: their migrations, listed as a `migrations` folder's are.
    let read = |p: &str| std::fs::read_to_string(root.join(p)).ok();
    let mut configs: Vec<(String, String)> =
        out.paths.iter().filter(|p| prisma_dirs::is_config(p)).filter_map(|p| Some((p.clone(), read(p)?))).collect();
    // And those a package script names with `--config`.
    let packages = out.paths.iter().filter(|p| prisma_dirs::is_package(p)).filter_map(|p| Some((p.clone(), read(p)?)));
    prisma_dirs::with_script_configs(&mut configs, packages, &read);
    let start_rel = rel_path(root, start).unwrap_or_default();
    let named = prisma_dirs::dirs_named(configs, &read).unwrap_or_else(|e| {
        out.config_error = Some(e);
        Vec::new()
    });
    for dir in named {
        let inside = start_rel.is_empty() || dir == start_rel || dir.starts_with(&format!("{start_rel}/"));
        if !inside || out.migration_dirs.contains_key(&dir) {
            continue;
        }
        let mut listed = Vec::new();
        if let Ok(entries) = std::fs::read_dir(root.join(&dir)) {
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let rel = format!("{dir}/{name}");
                    if !opts.excluded(&rel) {
                        out.paths.push(rel + "/migration.sql");
                    }
                    listed.push(name);
                }
            }
        }
        listed.sort();
        out.migration_dirs.insert(dir.clone(), listed);
        out.config_dirs.push(dir);
    }
    // Often sorted already: a folder of migrations holds nothing but folders of migrations.
    if !out.paths.is_sorted() {
        out.paths.sort();
    }
    out
}

fn rel_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str, line: usize, rule: &'static str) -> Finding {
        Finding {
            rule: RuleId::parse(rule).expect("a catalogued rule"),
            severity: Severity::Error,
            path: path.to_string(),
            line,
            col: 1,
            message: String::new(),
            help: "",
            prisma_warning: None,
            source: String::new(),
            subject: None,
        }
    }

    #[test]
    fn findings_come_out_in_report_order_without_duplicates_whatever_order_they_came_in() {
        let want = vec![at("a.sql", 1, "truncate"), at("a.sql", 2, "drop-table"), at("b.sql", 1, "drop-column")];
        let mut sorted = want.clone();
        sort(&mut sorted);
        assert_eq!(sorted, want, "already in order: unchanged");
        let mut shuffled = vec![want[2].clone(), want[0].clone(), want[1].clone(), want[0].clone()];
        sort(&mut shuffled);
        assert_eq!(shuffled, want, "sorted, and the duplicate gone");
        let mut dup_in_order = vec![want[0].clone(), want[0].clone(), want[1].clone()];
        sort(&mut dup_in_order);
        assert_eq!(dup_in_order, want[..2]);
    }
}
