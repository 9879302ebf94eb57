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

/// Whether a `.pre-commit-config.yaml` uses one of the hooks prisma-guard's own
/// `.pre-commit-hooks.yaml` offers for `hook` (`id: prisma-guard-scan`, `-system`; the
/// `-push` ones for pre-push).
pub(super) fn pre_commit_names_ours(text: &str, hook: &str) -> bool {
    let ids: &[&str] = match hook {
        "pre-push" => &["prisma-guard-scan-push", "prisma-guard-scan-push-system"],
        _ => &["prisma-guard-scan", "prisma-guard-scan-system"],
    };
    text.lines().any(|l| {
        let l = l.split(" #").next().unwrap_or("").trim().trim_start_matches('-').trim();
        l.strip_prefix("id:").is_some_and(|id| ids.contains(&id.trim().trim_matches(|c| c == '"' || c == '\'')))
    })
}

/// How a `.pre-commit-config.yaml` lays out its lists, read from its first `repos:` item
/// (pre-commit's own `sample-config` writes `-   repo:`, with the item's keys 4 columns in;
/// many files write `  - repo:`), so that our entry looks like the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Layout {
    /// The `repos:` item's indent, and the blanks between its `-` and its first key.
    item: String,
    item_gap: String,
    /// The `hooks:` item's indent relative to the `hooks:` key, and its gap.
    hook: String,
    hook_gap: String,
}

impl Layout {
    /// The layout most files have (`  - repo:`, `      - id:`): for a file with no item yet.
    fn usual() -> Layout {
        Layout { item: "  ".into(), item_gap: " ".into(), hook: "  ".into(), hook_gap: " ".into() }
    }

    /// The layouts older versions wrote (for uninstall).
    fn older() -> Vec<Layout> {
        ["", "  ", "    "]
            .into_iter()
            .map(|item| Layout { item: item.into(), item_gap: " ".into(), hook: "  ".into(), hook_gap: " ".into() })
            .collect()
    }

    /// Our `repo: local` entry in this layout.
    fn entry(&self) -> String {
        self.entry_of(&guarded(&format!("exec {}", HOOKS[0].2)))
    }

    /// The entry running `script` (what [`guarded`] makes of the scan, now or earlier).
    fn entry_of(&self, script: &str) -> String {
        let command = format!("sh -c '{script}'");
        let key = " ".repeat(self.item.len() + 1 + self.item_gap.len());
        let hook = format!("{key}{}", self.hook);
        let field = " ".repeat(hook.len() + 1 + self.hook_gap.len());
        let (item, item_gap, hook_gap) = (&self.item, &self.item_gap, &self.hook_gap);
        format!(
            "{item}-{item_gap}repo: local\n{key}hooks:\n{hook}-{hook_gap}id: prisma-guard\n{field}name: prisma-guard scan (staged)\n{field}entry: {command}\n{field}language: system\n{field}pass_filenames: false\n{field}always_run: true\n{field}stages: [pre-commit]\n"
        )
    }
}

/// The blanks at the start of `line`.
fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches(' ').len()]
}

/// A top-level key of the file (not a comment, list item, document marker or continuation).
fn is_top_key(line: &str) -> bool {
    !line.trim().is_empty() && !line.starts_with([' ', '\t', '#', '-'])
}

/// The `repos:` block: where its line starts, where the block ends (the next top-level key,
/// less the blank and comment lines just above it, which belong to that key), and its layout
/// (`None` for a block with no item yet). `None` when the file has no block-style `repos:`
/// list that can be added to line by line.
fn repos_block(text: &str) -> Option<(usize, usize, Option<Layout>)> {
    let mut lines = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        lines.push((at, line));
        at += line.len();
    }
    let content = |l: &str| l.split(" #").next().unwrap_or("").trim_end().to_string();
    let start = lines.iter().position(|(_, l)| is_top_key(l) && content(l) == "repos:")?;
    // A second `repos:` (or anything that makes the file ambiguous) is left to the user.
    if lines.iter().filter(|(_, l)| is_top_key(l) && content(l).starts_with("repos:")).count() != 1 {
        return None;
    }
    let next =
        lines.iter().skip(start + 1).position(|(_, l)| is_top_key(l) || l.starts_with("---") || l.starts_with("..."));
    let mut end = next.map_or(lines.len(), |n| start + 1 + n);
    while end > start + 1 && (lines[end - 1].1.trim().is_empty() || lines[end - 1].1.starts_with('#')) {
        end -= 1;
    }
    let body = &lines[start + 1..end];
    if body.iter().any(|(_, l)| l.starts_with('\t') || l.contains("\t-")) {
        return None;
    }
    let offset = |i: usize| lines.get(i).map_or(text.len(), |(o, _)| *o);
    let significant = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let Some((first, item_line)) = body.iter().enumerate().find(|(_, (_, l))| significant(l)) else {
        return Some((offset(start), offset(end), None));
    };
    let item_line = item_line.1;
    let after_dash = item_line.trim_start().strip_prefix('-')?;
    let item_gap = indent_of(after_dash);
    // `- repo: x` (a block mapping item), not a flow item or a nested list.
    if item_gap.is_empty() || !after_dash.trim_start().starts_with("repo:") {
        return None;
    }
    let item = indent_of(item_line).to_string();
    let key_col = item.len() + 1 + item_gap.len();
    // The first `hooks:` of that item, and its first list item.
    let mut hook = "  ".to_string();
    let mut hook_gap = " ".to_string();
    let rest: Vec<&str> = body[first + 1..].iter().map(|(_, l)| *l).filter(|l| significant(l)).collect();
    if let Some(h) = rest.iter().position(|l| indent_of(l).len() == key_col && l.trim_start().starts_with("hooks:")) {
        if let Some(next) = rest.get(h + 1).filter(|l| l.trim_start().starts_with('-')) {
            let col = indent_of(next).len();
            let gap = indent_of(next.trim_start().strip_prefix('-').unwrap_or(""));
            if col >= key_col && !gap.is_empty() {
                hook = " ".repeat(col - key_col);
                hook_gap = gap.to_string();
            }
        }
    }
    Some((offset(start), offset(end), Some(Layout { item, item_gap: item_gap.to_string(), hook, hook_gap })))
}

/// `entry` with the line endings `text` has (CRLF or LF).
fn crlf_as(text: &str, entry: String) -> String {
    if text.contains("\r\n") {
        entry.replace('\n', "\r\n")
    } else {
        entry
    }
}

/// Our entry written in `text`'s own layout (for adding it by hand): a flow-style item for a
/// `repos: [...]` list, else block lines in the list's layout.
pub(super) fn pre_commit_entry_for(text: &str) -> String {
    let flow = text
        .lines()
        .any(|l| is_top_key(l) && l.strip_prefix("repos:").is_some_and(|v| v.trim_start().starts_with('[')));
    if flow && repos_block(text).is_none() {
        // JSON's double-quoted string is YAML's too.
        let command = serde_json::Value::String(format!("sh -c '{}'", guarded(&format!("exec {}", HOOKS[0].2))));
        return format!("{{repo: local, hooks: [{{id: prisma-guard, name: \"prisma-guard scan (staged)\", entry: {command}, language: system, pass_filenames: false, always_run: true, stages: [pre-commit]}}]}}\n");
    }
    repos_block(text).and_then(|(_, _, layout)| layout).unwrap_or_else(Layout::usual).entry()
}

/// `.pre-commit-config.yaml` with our local hooks added at the end of its `repos:` list, in
/// the file's own layout, every other byte as it was; `None` when the file has no list that
/// can be added to safely (flow style `repos: [...]`, no `repos:`, tabs).
pub(super) fn pre_commit_add(text: &str) -> Option<String> {
    if text.contains("prisma-guard scan") || pre_commit_names_ours(text, "pre-commit") {
        return Some(text.to_string());
    }
    let (_, end, layout) = repos_block(text)?;
    let entry = crlf_as(text, layout.unwrap_or_else(Layout::usual).entry());
    let mut out = String::with_capacity(text.len() + entry.len() + 1);
    out.push_str(&text[..end]);
    if end == text.len() && !text.is_empty() && !text.ends_with('\n') {
        // The file's last line has no newline: neither has ours (uninstall gives it back).
        out.push_str(if text.contains("\r\n") { "\r\n" } else { "\n" });
        out.push_str(entry.trim_end_matches(['\r', '\n']));
    } else {
        out.push_str(&entry);
    }
    out.push_str(&text[end..]);
    Some(out)
}

pub(super) fn pre_commit_remove(text: &str) -> String {
    let mut layouts: Vec<Layout> = repos_block(text).and_then(|(_, _, l)| l).into_iter().collect();
    layouts.extend(Layout::older());
    let scan = format!("exec {}", HOOKS[0].2);
    let forms: Vec<String> = layouts.iter().flat_map(|l| [l.entry(), l.entry_of(&guarded_earlier(&scan))]).collect();
    for entry in forms {
        let entry = crlf_as(text, entry);
        if let Some(at) = text.find(&entry) {
            return format!("{}{}", &text[..at], &text[at + entry.len()..]);
        }
        // At the end of a file without a final newline.
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let last = format!("{newline}{}", entry.trim_end_matches(['\r', '\n']));
        if let Some(kept) = text.strip_suffix(&last) {
            return kept.to_string();
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(original: &str) -> String {
        let added = pre_commit_add(original).unwrap_or_else(|| panic!("not added to:\n{original}"));
        assert_eq!(pre_commit_add(&added).as_deref(), Some(added.as_str()), "idempotent");
        assert_eq!(pre_commit_remove(&added), original, "uninstall gives the bytes back");
        added
    }

    #[test]
    fn the_entry_follows_the_files_layout_and_comes_out_byte_for_byte() {
        // pre-commit's own sample-config.
        let sample = "# See https://pre-commit.com for more information\nrepos:\n-   repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v3.2.0\n    hooks:\n    -   id: trailing-whitespace\n    -   id: check-yaml\n";
        let added = round_trip(sample);
        assert!(added.starts_with(sample), "{added}");
        assert!(added.contains("\n-   repo: local\n    hooks:\n    -   id: prisma-guard\n        name: "), "{added}");
        // A top-level key after `repos:` (with its comment) stays after the list.
        let two = "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n\n# vendored code\nexclude: '^vendor/'\n";
        let added = round_trip(two);
        assert!(
            added.contains("      - id: black\n  - repo: local\n    hooks:\n      - id: prisma-guard\n        name: ")
                && added.ends_with("\n\n# vendored code\nexclude: '^vendor/'\n"),
            "{added}"
        );
        // No final newline, CRLF-free edge, an empty list.
        round_trip("repos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n    entry: x\n    language: system");
        let added = round_trip("default_stages: [pre-commit]\nrepos:\n");
        assert!(added.contains("repos:\n  - repo: local\n    hooks:\n      - id: prisma-guard\n"), "{added}");
        // CRLF files get CRLF lines.
        let added = round_trip("repos:\r\n  - repo: x\r\n    hooks:\r\n      - id: y\r\n");
        assert!(!added.replace("\r\n", "").contains('\n'), "{added:?}");
        // Flow style cannot be added to line by line.
        assert_eq!(pre_commit_add("repos: [{repo: meta, hooks: [{id: identity}]}]\n"), None);
        // Entries written by older versions still come out.
        let old = format!("repos:\n  - repo: x\n    hooks:\n      - id: y\n{}", Layout::older()[1].entry());
        assert_eq!(pre_commit_remove(&old), "repos:\n  - repo: x\n    hooks:\n      - id: y\n");
    }
}
