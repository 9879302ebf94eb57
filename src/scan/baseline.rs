//! The scan baseline: the findings a repository already had when the team adopted
//! prisma-guard, recorded in a committed file (`scan --baseline write`), so that later scans,
//! hooks and CI report only new ones.
//!
//! A finding is known by its rule, its file and a fingerprint of what it is about (its
//! message and its line's text, blanks and a trailing comma aside; a package.json script's
//! name and command rather than the line): moving it to another line keeps it known,
//! changing it makes it new. Identical findings in one file are counted, so a second
//! copy of a known line is new. Like the project's prisma-guard.toml, the baseline hides
//! findings, so it counts only as committed (an AI agent could write one).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Finding;

pub const FILE_NAME: &str = ".prisma-guard-baseline.json";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    /// What the file is, for someone who finds it in the repository.
    about: String,
    findings: Vec<Entry>,
}

pub fn fingerprint(f: &Finding) -> String {
    // The message names what the finding is about (the table and column, the script and its
    // command); the line's text, blanks collapsed and a trailing comma or semicolon left out,
    // tells a changed line (`DATABASE_URL=prod ... prisma migrate reset`) from a moved one.
    // A package.json script is known by its name and command instead: one line of a compact
    // package.json holds every script, and adding one is no change to the others.
    let text = f.subject.as_deref().unwrap_or(&f.source);
    let source = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let source = source.trim_end_matches([',', ';']);
    let mut h = Sha256::new();
    for part in [f.rule.as_str(), f.path.as_str(), source, f.message.as_str()] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

pub fn entry(f: &Finding) -> Entry {
    Entry { path: f.path.clone(), rule: f.rule.as_str().to_string(), fingerprint: fingerprint(f) }
}

/// Write the baseline of `findings` into `root`; returns its path.
pub fn write(root: &Path, findings: &[Finding]) -> Result<PathBuf> {
    let mut entries: Vec<Entry> = findings.iter().map(entry).collect();
    entries.sort();
    let file = File {
        version: 1,
        about: "Findings of `prisma-guard scan` this repository already had (`prisma-guard scan --baseline write`); scans report only new ones. Commit this file; it counts only as committed.".into(),
        findings: entries,
    };
    let path = root.join(FILE_NAME);
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    crate::backup::store::io::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// The baseline in `root`, if there is one: its entries, or why it does not count.
pub fn load(root: &Path) -> Result<Option<std::result::Result<Vec<Entry>, String>>> {
    let path = root.join(FILE_NAME);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))?;
    let file: File = serde_json::from_str(&text).map_err(|e| {
        crate::error::Failure::usage(format!("{} is not a prisma-guard baseline: {e}", path.display()))
            .hint("write it again with `prisma-guard scan --baseline write`, or delete it")
    })?;
    if let Some(why) = crate::config::distrust(&path, root) {
        return Ok(Some(Err(format!("{FILE_NAME} {why}, so the findings it lists are shown"))));
    }
    Ok(Some(Ok(file.findings)))
}

/// The entries of a baseline file's text as `source` holds it (none when it has no file, or
/// one that does not parse: nothing it lists is known).
pub fn in_source(source: &super::Source) -> Vec<Entry> {
    source.read(FILE_NAME).and_then(|t| serde_json::from_str::<File>(&t).ok()).map(|f| f.findings).unwrap_or_default()
}

/// `entries` split into those `base` had (kept) and those added since.
pub fn split_known(entries: &[Entry], base: &[Entry]) -> (Vec<Entry>, Vec<Entry>) {
    let added = without(entries, base);
    (without(entries, &added), added)
}

/// `findings` without those a base version already had (`before`: the findings of the same
/// files at HEAD, at the remote's tip, at `--since`): what is judged is what a commit, a push
/// or a range adds. Returns the rest and the entries hidden (which a baseline must not hide a
/// second time: a second copy of a known line is new).
pub fn drop_old(findings: Vec<Finding>, before: &[Entry]) -> (Vec<Finding>, Vec<Entry>) {
    let mut left: BTreeMap<&Entry, usize> = BTreeMap::new();
    for e in before {
        *left.entry(e).or_default() += 1;
    }
    let mut hidden = Vec::new();
    let kept = findings
        .into_iter()
        .filter(|f| {
            let e = entry(f);
            match left.get_mut(&e) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    hidden.push(e);
                    false
                }
                _ => true,
            }
        })
        .collect();
    (kept, hidden)
}

/// The entries of several base versions (a merge pushed has more than one parent outside
/// the push): each entry as many times as the base that has it most.
pub fn most_of(bases: Vec<Vec<Entry>>) -> Vec<Entry> {
    let mut most: BTreeMap<Entry, usize> = BTreeMap::new();
    for base in bases {
        let mut counts: BTreeMap<Entry, usize> = BTreeMap::new();
        for e in base {
            *counts.entry(e).or_default() += 1;
        }
        for (e, n) in counts {
            let m = most.entry(e).or_default();
            *m = (*m).max(n);
        }
    }
    most.into_iter().flat_map(|(e, n)| std::iter::repeat_n(e, n)).collect()
}

/// `baseline` without the entries `used` (each used entry takes one away).
pub fn without(baseline: &[Entry], used: &[Entry]) -> Vec<Entry> {
    let mut taken: BTreeMap<&Entry, usize> = BTreeMap::new();
    for e in used {
        *taken.entry(e).or_default() += 1;
    }
    baseline
        .iter()
        .filter(|e| match taken.get_mut(e) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

/// `findings` without those the baseline knows (each entry hides one finding). Returns the
/// rest and how many were hidden.
pub fn filter(findings: Vec<Finding>, baseline: &[Entry]) -> (Vec<Finding>, usize) {
    let mut left: BTreeMap<&Entry, usize> = BTreeMap::new();
    for e in baseline {
        *left.entry(e).or_default() += 1;
    }
    let mut hidden = 0;
    let kept = findings
        .into_iter()
        .filter(|f| {
            let e = entry(f);
            match left.get_mut(&e) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    hidden += 1;
                    false
                }
                _ => true,
            }
        })
        .collect();
    (kept, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;

    fn finding(path: &str, line: usize, source: &str) -> Finding {
        Finding {
            rule: crate::rules::RuleId::DropColumn,
            severity: Severity::Error,
            path: path.into(),
            line,
            col: 1,
            message: "drops column `bio`".into(),
            help: "",
            prisma_warning: None,
            source: source.into(),
            subject: None,
        }
    }

    #[test]
    fn known_findings_are_hidden_wherever_they_moved_and_copies_are_new() {
        let old = [finding("m.sql", 3, "ALTER TABLE \"User\" DROP COLUMN \"bio\";")];
        let baseline: Vec<Entry> = old.iter().map(entry).collect();
        let moved = vec![finding("m.sql", 9, "ALTER TABLE  \"User\"   DROP COLUMN \"bio\";")];
        assert_eq!(filter(moved, &baseline).1, 1, "a moved line is still known");
        let twice = vec![
            finding("m.sql", 3, "ALTER TABLE \"User\" DROP COLUMN \"bio\";"),
            finding("m.sql", 7, "ALTER TABLE \"User\" DROP COLUMN \"bio\";"),
        ];
        let (kept, hidden) = filter(twice, &baseline);
        assert_eq!((kept.len(), hidden), (1, 1), "a second copy is new");
        let other_file = vec![finding("n.sql", 3, "ALTER TABLE \"User\" DROP COLUMN \"bio\";")];
        assert_eq!(filter(other_file, &baseline).1, 0);
    }

    /// Review (issue 22, round 3): a compact package.json holds every script on one line;
    /// a script is known by its name and command, whatever else that line holds.
    #[test]
    fn a_script_is_known_by_its_name_and_command_not_its_line() {
        let script = |line: &str, name: &str, command: &str| {
            let mut f = finding("package.json", 1, line);
            f.subject = Some(format!("script \"{name}\"\n{command}"));
            f
        };
        let reset = "prisma migrate reset --force";
        let old = [script(r#"{"scripts":{"db:reset":"prisma migrate reset --force"}}"#, "db:reset", reset)];
        let baseline: Vec<Entry> = old.iter().map(entry).collect();
        let grown = script(r#"{"scripts":{"db:reset":"prisma migrate reset --force","x":"y"}}"#, "db:reset", reset);
        assert_eq!(filter(vec![grown], &baseline).1, 1, "another script on the line");
        let changed = script(r#"{"scripts":{"db:reset":"prisma migrate reset --force && seed"}}"#, "db:reset", "x");
        assert_eq!(filter(vec![changed], &baseline).1, 0, "a changed command is new");
        let renamed = script(r#"{"scripts":{"db:wipe":"prisma migrate reset --force"}}"#, "db:wipe", reset);
        assert_eq!(filter(vec![renamed], &baseline).1, 0, "another script is new");
    }
}
