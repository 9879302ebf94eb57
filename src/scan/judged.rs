//! What `prisma-guard check` refuses in a scanned command line, where no rule of the scanner
//! says so already: the finding `destructive-command`, with the judge's reason.
//!
//! The judge's repository context (the project's SQLite files, git's view of them, the hooks
//! folder) costs milliseconds to read in a monorepo (every package's Prisma files): a scan
//! reads it once, when a line first needs it, and judges each folder's lines with it, the
//! folder as the context's working folder. Packages are read per folder, and cached.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::extract::CommandLine;
use super::Source;
use crate::judge::context::Context;
use crate::rules::RuleId;
use crate::shell::package_scripts::Packages;

/// The judge of `prisma-guard check`, with the repository read once per scan.
pub(super) struct Judges {
    /// The working tree lines run in (none for a bare repository: nothing is judged).
    root: Option<PathBuf>,
    packages: RefCell<HashMap<PathBuf, Rc<Packages>>>,
    /// Made on the first line that needs it.
    context: RefCell<Option<Context>>,
}

impl Judges {
    pub(super) fn new(source: &Source) -> Judges {
        let root = match source {
            Source::WorkTree { root, .. } => Some(root.clone()),
            Source::Index { repo, .. } | Source::Tree { repo, .. } => repo.workdir().map(Path::to_path_buf),
        };
        Judges { root, packages: RefCell::new(HashMap::new()), context: RefCell::new(None) }
    }

    /// The judge's reason when it refuses `line` run in one of `dirs` (repository-relative)
    /// for a reason about the data (not an agent's way past the shim or the hooks, which a
    /// script or CI file does not take).
    fn refuses(&self, line: &str, dirs: &[&str]) -> Option<String> {
        if crate::judge::fast_allow(line) {
            return None;
        }
        dirs.iter().find_map(|d| self.refuses_in(line, d))
    }

    fn refuses_in(&self, line: &str, dir: &str) -> Option<String> {
        use crate::judge::{Class, Verdict};
        let root = self.root.as_ref()?;
        let cwd = crate::config::lexical_normalize(&root.join(dir));
        let packages =
            Rc::clone(self.packages.borrow_mut().entry(cwd.clone()).or_insert_with(|| Rc::new(Packages::new(&cwd))));
        {
            let mut context = self.context.borrow_mut();
            // Its data files are read when a line first needs them, from that line's folder:
            // the workspace's projects and the repository's (down to two levels), which a line
            // anywhere in it may reach, and those below that folder.
            let context = context.get_or_insert_with(|| Context::new(root));
            // Paths in the line are the folder's.
            context.cwd.clone_from(&cwd);
        }
        let context = self.context.borrow();
        let context = context.as_ref()?;
        let report = crate::judge::check_in(line, &cwd, crate::guard::classify::Options::default(), &packages, context);
        if report.verdict != Verdict::Destructive {
            return None;
        }
        let data = |c: &Class| !matches!(c, Class::PastTheShim | Class::GuardOff | Class::SchemaChange);
        report.classes.iter().zip(&report.reasons).find(|(c, _)| data(c)).map(|(_, r)| r.clone())
    }
}

/// What the judge refuses in `cl` that no rule in `found` reports: one finding per refused
/// line of a multi-line text (a shell script), else one for the whole text.
pub(super) fn judged_findings(
    cl: &CommandLine,
    dirs: &[&str],
    judges: &Judges,
    found: &[(RuleId, usize, String)],
) -> Vec<(RuleId, usize, String)> {
    let place = if cl.context.is_empty() { String::new() } else { format!(" in {}", cl.context) };
    let Some(why) = judges.refuses(&cl.text, dirs) else { return Vec::new() };
    let mut out = Vec::new();
    if cl.verbatim && cl.text.contains('\n') {
        for (start, end, line) in logical_lines(&cl.text) {
            if found.iter().any(|f| (start..end).contains(&f.1)) {
                continue;
            }
            if let Some(why) = judges.refuses(line.trim(), dirs) {
                let at = start + (line.len() - line.trim_start().len());
                out.push((RuleId::DestructiveCommand, at, format!("{why}{place}")));
            }
        }
    }
    if out.is_empty() && found.is_empty() {
        out.push((RuleId::DestructiveCommand, 0, format!("{why}{place}")));
    }
    out
}

/// The lines of `text` joined at trailing backslashes, blank and comment lines aside: (start
/// and end byte offsets, text).
fn logical_lines(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let (start, mut acc) = cur.take().unwrap_or((at, String::new()));
        at += raw.len();
        match line.strip_suffix('\\') {
            Some(part) => {
                acc.push_str(part);
                acc.push(' ');
                cur = Some((start, acc));
            }
            None => {
                acc.push_str(line);
                let t = acc.trim();
                if !t.is_empty() && !t.starts_with('#') {
                    out.push((start, at, acc));
                }
            }
        }
    }
    out.extend(cur.map(|(start, acc)| (start, at, acc)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_lines_join_continuations_and_skip_comments() {
        let text = "# c\nrm -f a \\\n  b\n\necho x";
        let lines = logical_lines(text);
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].0, lines[0].1), (4, 18));
        assert_eq!(lines[0].2, "rm -f a    b");
        assert_eq!(&text[lines[1].0..lines[1].1], "echo x");
    }
}
