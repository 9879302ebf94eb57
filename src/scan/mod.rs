//! `prisma-guard scan`: destructive Prisma commands in scripts and CI files, destructive SQL
//! in `prisma/migrations/*/migration.sql`.
//!
//! Data flow: a [`Source`] (working tree, git index, pushed commit) and a list of
//! repository-relative paths -> [`extract::kind`] picks the reader -> migrations go through
//! [`crate::sql::analyze()`] (replaying earlier migrations of the same folder for the schema),
//! command lines through [`crate::shell::find_prisma`] and the guard's classifier -> ignore
//! comments and config filter -> sorted [`Finding`]s -> [`report`].

pub mod baseline;
mod command_lines;
mod config_follow;
pub mod extract;
pub mod given;
mod judged;
mod load;
mod migration;
pub mod pre_push;
pub mod prisma_dirs;
pub mod related;
pub mod report;
pub mod source;
pub mod staged;
pub mod suppress;
mod walk;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::rules::{RuleId, Severity};
use command_lines::scan_commands;
use extract::Kind;
use migration::{scan_migration, Replay};
pub use source::Source;
use suppress::Directive;
pub use walk::walk;

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
    /// Files whose name says nothing but whose `#!` line does (extensionless scripts), with
    /// the kind that line gives.
    pub shebang: Vec<(String, Kind)>,
}

impl Options {
    /// The kind of `rel`, migrations in the config-named folders included.
    pub fn kind(&self, rel: &str) -> Option<Kind> {
        extract::kind(rel).or_else(|| {
            if let Some((_, k)) = self.shebang.iter().find(|(p, _)| p == rel) {
                return Some(*k);
            }
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
    /// Findings left out because the base version (HEAD, the remote's tip, `--since`) had
    /// them already: a baseline does not hide them a second time.
    pub already_there: Vec<baseline::Entry>,
    /// The baseline of the base version (HEAD, the remote's tip, `--since`): entries the
    /// checked range adds to the baseline hide none of its findings. `None`: no base.
    pub base_baseline: Option<Vec<baseline::Entry>>,
}

impl Scanned {
    /// Add another scan's results (pre-push scans one source per pushed ref).
    pub fn add(&mut self, other: Scanned) {
        self.findings.extend(other.findings);
        sort(&mut self.findings);
        self.files += other.files;
        self.unreadable.extend(other.unreadable);
        self.missing.extend(other.missing);
        self.already_there.extend(other.already_there);
        self.base_baseline = match (self.base_baseline.take(), other.base_baseline) {
            (Some(a), Some(b)) => Some(baseline::most_of(vec![a, b])),
            (a, b) => a.or(b),
        };
    }

    /// Leave out the findings the base version had (`before`), keeping what was hidden.
    pub fn drop_old(&mut self, before: &[baseline::Entry]) {
        let (kept, hidden) = baseline::drop_old(std::mem::take(&mut self.findings), before);
        self.findings = kept;
        self.already_there.extend(hidden);
    }
}

/// The stable report order (path, line, column, rule), without duplicates.
fn sort(findings: &mut Vec<Finding>) {
    fn key(f: &Finding) -> (&str, usize, usize, &str) {
        (&f.path, f.line, f.col, f.rule.as_str())
    }
    findings.sort_by(|a, b| key(a).cmp(&key(b)));
    findings.dedup();
}

/// Scan `paths` of `source`. Paths that are not scanned kinds are skipped.
pub fn scan(source: &Source, paths: Vec<String>, opts: &Options) -> Scanned {
    let mut sorted: Vec<(String, Kind)> = paths
        .into_iter()
        .filter(|p| !opts.excluded(p))
        .filter_map(|p| {
            // An extensionless script in a scripts folder: its `#!` line says what it is
            // (staged or pushed ones too, read from git).
            let kind = opts.kind(&p).or_else(|| {
                walk::script_dir_file(&p).then(|| source.read(&p)).flatten().and_then(|t| extract::shebang_kind(&t))
            })?;
            Some((p, kind))
        })
        .collect();
    // A path has one kind: ordering and de-duplicating by path is enough.
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.dedup_by(|a, b| a.0 == b.0);
    let mut replays: BTreeMap<String, Replay> = BTreeMap::new();
    let mut out = Vec::new();
    let mut read = 0;
    let mut unreadable = Vec::new();
    let mut missing = Vec::new();
    let judges = judged::Judges::new(source);
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
            _ => match scan_commands(source, kind, rel, &text, &directives, opts, &judges) {
                Ok(found) => found,
                Err(e) => {
                    return unreadable.push((rel.to_string(), std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
                }
            },
        };
        out.extend(found.into_iter().filter(|f| !opts.disable.contains(&f.rule)));
    });
    sort(&mut out);
    Scanned { findings: out, files: read, unreadable, missing, already_there: Vec::new(), base_baseline: None }
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
