//! Scanning one `migration.sql`: the earlier migrations of its folder replayed for the
//! schema (only when a rule needs history), the SQL read as every engine reads it, and
//! ignore comments applied per statement.

use std::collections::BTreeMap;

use super::suppress::Directive;
use super::{extract, finding, meta_findings, Finding, Options, Source};
use crate::sql::{analyze, Schema};

/// Earlier migrations of one folder, replayed in order up to the one being scanned.
pub(super) struct Replay<'s> {
    names: std::borrow::Cow<'s, [String]>,
    next: usize,
    schema: Schema,
}

pub(super) fn scan_migration<'s>(
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
