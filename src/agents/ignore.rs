//! `prisma-guard-ignore` comments written by an agent. A comment silences a finding, as a
//! baseline entry does, so, like edits of the baseline, an agent is refused adding one: with a
//! file-edit tool (the text it writes has more of them than the text it replaces), a patch
//! (its added lines) or a shell line that writes files and carries the comment.

use std::path::Path;

use crate::scan::suppress::WORD;
use crate::shell::NoScripts;

/// The ignore comments (`-- `, `#` or `//` then the word) in `text`: prose that only names
/// the word (a README) is no comment.
fn count(text: &str) -> usize {
    crate::scan::suppress::directives_in(text, false).len()
}

/// Why a file-edit tool's call adds an ignore comment, if it does. `added`/`removed`: the text
/// it writes and the text it replaces; `whole_file`: it writes `file` anew (the file's own
/// comments count as replaced).
pub fn edit_adds(added: &[String], removed: &[String], file: Option<&Path>, whole_file: bool) -> Option<String> {
    let new: usize = added.iter().map(|t| count(t)).sum();
    if new == 0 {
        return None;
    }
    let mut old: usize = removed.iter().map(|t| count(t)).sum();
    if whole_file {
        old += file.and_then(|f| std::fs::read_to_string(f).ok()).map_or(0, |t| count(&t));
    }
    (new > old).then(|| ignore_reason("this edit"))
}

/// Why a shell line writes an ignore comment into a file, if it does: it carries the comment
/// and something in it writes a file (a redirection, or a command that edits files).
pub fn shell_adds(line: &str) -> Option<String> {
    if !line.contains(WORD) {
        return None;
    }
    const READERS: &[&str] = &[
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "ag",
        "git",
        "cat",
        "less",
        "head",
        "tail",
        "wc",
        "ls",
        "prisma-guard",
        "echo",
        "printf",
    ];
    let mut writes = false;
    let parsed = crate::shell::visit(line, &NoScripts, &mut |v| {
        let cmd = v.command;
        let name = cmd.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
        if !cmd.writes.is_empty() || (!name.is_empty() && !READERS.contains(&name)) {
            writes = true;
        }
    });
    // A line that cannot be parsed and carries the comment is refused too.
    (parsed.is_err() || writes).then(|| ignore_reason("this line"))
}

fn ignore_reason(what: &str) -> String {
    format!(
        "{what} adds a `{WORD}` comment, which silences prisma-guard's findings; like the baseline, ignore comments are the user's to write, with their reason"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_an_ignore_comment_is_refused_keeping_one_is_not() {
        let c = |s: &str| vec![s.to_string()];
        let drop = "-- prisma-guard-ignore drop-column: cleanup\nALTER TABLE \"User\" DROP COLUMN \"name\";\n";
        assert!(edit_adds(&c(drop), &[], None, true).is_some());
        assert!(edit_adds(&c(drop), &c(drop), None, false).is_none(), "an edit that keeps it");
        assert!(edit_adds(&c("x"), &c(drop), None, false).is_none(), "an edit that takes it out");
        assert!(edit_adds(&c("SELECT 1;"), &[], None, true).is_none());
        assert!(edit_adds(&c("Use a `prisma-guard-ignore` comment."), &[], None, true).is_none(), "prose");
        for line in [
            "echo '-- prisma-guard-ignore drop-column: x' >> prisma/migrations/1/migration.sql",
            "sed -i '1i -- prisma-guard-ignore drop-column: x' m.sql",
            "printf '%s' '# prisma-guard-ignore' | tee -a scripts/reset.sh",
        ] {
            assert!(shell_adds(line).is_some(), "{line}");
        }
        for line in
            ["grep -rn prisma-guard-ignore .", "git log -S prisma-guard-ignore", "npm test", "echo prisma-guard-ignore"]
        {
            assert!(shell_adds(line).is_none(), "{line}");
        }
    }
}
