//! git commands that hand shell text to `sh -c`: `git rebase --exec CMD` (`-x`), `git difftool
//! -x CMD` (`--extcmd`), `git mergetool --tool-cmd`... , `git bisect run CMD`, `git submodule
//! foreach CMD` and `git filter-branch --tree-filter CMD` (and its other filters). The text is
//! read as the line's own commands; where git runs it in another folder (a submodule,
//! filter-branch's scratch tree) that folder is unknown to the check, so it is read after a
//! `cd` to an unknown place (a file name alone then reaches the database).

use super::resolve::git_subcommand_index;

/// Options of `git filter-branch` whose value is shell text.
const FILTERS: &[&str] = &[
    "--env-filter",
    "--tree-filter",
    "--index-filter",
    "--parent-filter",
    "--msg-filter",
    "--commit-filter",
    "--tag-name-filter",
];

/// Where git runs the text: the worktree the line runs in, or a folder the check cannot know.
const SOMEWHERE: &str = "cd \"$GIT_RUNS_IN\" && ";

/// The shell text `argv` (a git command) runs, when it runs any.
pub(super) fn script(argv: &[String]) -> Option<String> {
    let k = git_subcommand_index(argv)?;
    let args = &argv[k + 1..];
    let values = |short: &[&str], long: &[&str]| -> Vec<String> {
        let mut out = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if short.contains(&a.as_str()) || long.contains(&a.as_str()) {
                out.extend(args.get(i + 1).cloned());
            } else if let Some(v) = long.iter().find_map(|l| a.strip_prefix(&format!("{l}="))) {
                out.push(v.to_string());
            } else if let Some(v) = short.iter().find_map(|s| a.strip_prefix(s).filter(|v| !v.is_empty())) {
                // `-x"rm dev.db"`: a short option's value attached.
                out.push(v.to_string());
            }
        }
        out
    };
    let texts: Vec<String> = match argv[k].as_str() {
        "rebase" => values(&["-x"], &["--exec"]),
        "difftool" | "mergetool" => values(&["-x"], &["--extcmd", "--tool-cmd"]),
        "bisect" => {
            let at = args.iter().position(|a| a == "run")?;
            let rest = args.get(at + 1..).filter(|r| !r.is_empty())?;
            vec![rest.iter().map(|a| super::quote(a)).collect::<Vec<_>>().join(" ")]
        }
        "filter-branch" => values(&[], FILTERS).into_iter().map(|t| format!("{SOMEWHERE}{t}")).collect(),
        _ => Vec::new(),
    };
    (!texts.is_empty()).then(|| texts.join("\n"))
}

/// `git submodule foreach CMD`'s text as run in each submodule (a folder the check cannot know).
pub(super) fn in_submodules(text: &str) -> String {
    format!("{SOMEWHERE}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> Option<String> {
        script(&line.split(' ').map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn git_commands_that_run_shell_text() {
        assert_eq!(run("git rebase --exec rm HEAD~1").as_deref(), Some("rm"));
        assert_eq!(run("git rebase -x rm HEAD~1").as_deref(), Some("rm"));
        assert_eq!(run("git rebase --exec=rm HEAD~1").as_deref(), Some("rm"));
        assert_eq!(run("git difftool -y -x rm").as_deref(), Some("rm"));
        assert_eq!(run("git -C x difftool --extcmd=rm").as_deref(), Some("rm"));
        assert_eq!(run("git bisect run rm dev.db").as_deref(), Some("rm dev.db"));
        assert!(run("git filter-branch --tree-filter rm HEAD").is_some_and(|s| s.ends_with("rm")));
        for harmless in ["git rebase -i HEAD~3", "git difftool -y", "git bisect start", "git status"] {
            assert_eq!(run(harmless), None, "{harmless}");
        }
    }
}
