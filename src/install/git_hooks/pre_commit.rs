//! The pre-commit framework: our `repo: local` entry in `.pre-commit-config.yaml`, added and
//! taken out, and the config the installed git hook really runs.

use super::*;

/// The config file the pre-commit framework's git hook reads (`--config=X` in the script
/// `pre-commit install -c X` wrote), relative to the working tree.
pub(super) fn pre_commit_hook_config(workdir: &Path, hook: &str) -> Option<String> {
    let text = std::fs::read_to_string(git_hooks_dir(workdir)?.join(hook)).ok()?;
    let at = text.find("--config=")? + "--config=".len();
    let value: String =
        text[at..].chars().take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '"' | '\'')).collect();
    (!value.is_empty()).then_some(value)
}

/// Our entries for the pre-commit framework (`@I@`: the list's indent); `@E@`: the entry.
pub(super) const PRE_COMMIT_ENTRY: &str = "@I@- repo: local\n@I@  hooks:\n@I@    - id: prisma-guard\n@I@      name: prisma-guard scan (staged)\n@I@      entry: @E@\n@I@      language: system\n@I@      pass_filenames: false\n@I@      always_run: true\n@I@      stages: [pre-commit]\n";

/// The pre-commit framework's entry: it runs the entry's words without a shell.
pub(super) fn pre_commit_entry(indent: &str) -> String {
    let entry = format!("sh -c '{}'", guarded(&format!("exec {}", HOOKS[0].2)));
    PRE_COMMIT_ENTRY.replace("@I@", indent).replace("@E@", &entry)
}

/// `.pre-commit-config.yaml` with our local hooks appended to `repos:` when that list is the
/// file's last top-level key (the safe place to add to); `None` when it is not.
pub(super) fn pre_commit_add(text: &str) -> Option<String> {
    if text.contains("prisma-guard scan") {
        return Some(text.to_string());
    }
    let top: Vec<(usize, &str)> =
        text.lines().enumerate().filter(|(_, l)| !l.is_empty() && !l.starts_with([' ', '#', '-'])).collect();
    let (_, last) = top.last()?;
    if last.trim_end() != "repos:" {
        return None;
    }
    // The list's indent, as its first item has it.
    let item =
        text.lines().skip_while(|l| l.trim_end() != "repos:").skip(1).find(|l| l.trim_start().starts_with("- "))?;
    let indent = &item[..item.len() - item.trim_start().len()];
    let mut out = text.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&pre_commit_entry(indent));
    Some(out)
}

pub(super) fn pre_commit_remove(text: &str) -> String {
    for indent in ["", "  ", "    "] {
        let entry = pre_commit_entry(indent);
        if let Some(at) = text.find(&entry) {
            return format!("{}{}", &text[..at], &text[at + entry.len()..]);
        }
    }
    text.to_string()
}
