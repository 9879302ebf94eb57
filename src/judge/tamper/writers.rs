//! Commands that change files without naming them as plain writers do: in-place `awk`,
//! editors run in batch mode (`ex -sc`, `vim -es`), `sponge`, archives extracted into a
//! folder (`tar -x -C`, `unzip -d`), and patches (`git apply`, `git am`, `patch`), whose
//! files are read from the patch itself.

use std::path::Path;

use crate::shell::SimpleCommand;

use super::dynamic;
use crate::judge::context::Context;

/// What a path is when changing it switches a guard off (see [`super::protected_with`]).
pub(super) type Protected<'a> = &'a dyn Fn(&str) -> Option<&'static str>;

/// Editors that also run from a script or a command line (`ex -sc '%d|x' FILE`).
const EDITORS: &[&str] = &["ex", "ed", "red", "vi", "vim", "nvim", "nano", "emacs"];

/// Patches larger than this are not read (they are refused when hooks are committed).
const MAX_PATCH: u64 = 4 << 20;

/// Why `cmd` changes a protected file in one of these ways, if it does.
pub(super) fn writes(cmd: &SimpleCommand, ctx: &Context, dirs: &[String], protected: Protected<'_>) -> Option<String> {
    let argv = &cmd.argv;
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    let operand = || argv[1..].iter().find_map(|a| protected(a).map(|w| (a, w)));
    match name {
        "awk" | "gawk" if in_place_awk(argv) => {
            operand().map(|(p, w)| format!("`{name} -i inplace` rewrites {p} ({w})"))
        }
        "sponge" => operand().map(|(p, w)| format!("`sponge` writes {p} ({w})")),
        _ if EDITORS.contains(&name) => operand().map(|(p, w)| format!("the editor `{name}` can change {p} ({w})")),
        "tar" | "bsdtar" | "gtar" if tar_extracts(argv) => {
            let into = value_of(argv, &["-C", "--directory"]);
            into.iter()
                .copied()
                .chain(argv[1..].iter().filter(|a| !a.starts_with('-')).map(String::as_str))
                .find_map(|p| protected(p).map(|w| (p, w)))
                .map(|(p, w)| format!("`{name}` extracts into {p} ({w})"))
        }
        "unzip" => value_of(argv, &["-d"])
            .and_then(|d| protected(d).map(|w| (d, w)))
            .map(|(p, w)| format!("`unzip` extracts into {p} ({w})")),
        "patch" => {
            if let Some((p, w)) =
                argv[1..].iter().filter(|a| !a.starts_with('-')).find_map(|a| protected(a).map(|w| (a, w)))
            {
                return Some(format!("`patch` changes {p} ({w})"));
            }
            let file = value_of(argv, &["-i", "--input"]).or(cmd.input_file.as_deref());
            patch_touches("patch", cmd, file, ctx, dirs, protected)
        }
        // Codex's patch tool, as a command: the patch as its argument or on its input.
        "apply_patch" | "applypatch" => match argv.get(1).filter(|a| a.contains("*** ")) {
            Some(text) => patch_paths(text)
                .into_iter()
                .find_map(|p| protected(&p).map(|w| (p, w)))
                .map(|(p, w)| format!("`{name}` applies a patch that changes {p} ({w})")),
            None => patch_touches(name, cmd, cmd.input_file.as_deref(), ctx, dirs, protected),
        },
        "git" => {
            let k = crate::shell::resolve::git_subcommand_index(argv)?;
            if !matches!(argv[k].as_str(), "apply" | "am") {
                return None;
            }
            // `git apply --check`/`--stat` only read.
            let reads_only =
                argv[k + 1..].iter().any(|a| matches!(a.as_str(), "--check" | "--stat" | "--numstat" | "--summary"))
                    && !argv[k + 1..].iter().any(|a| a == "--apply");
            if reads_only {
                return None;
            }
            let files: Vec<&String> = argv[k + 1..].iter().filter(|a| !a.starts_with('-')).collect();
            let label = format!("git {}", argv[k]);
            match files.as_slice() {
                [] => patch_touches(&label, cmd, cmd.input_file.as_deref(), ctx, dirs, protected),
                many => many.iter().find_map(|f| patch_touches(&label, cmd, Some(f), ctx, dirs, protected)),
            }
        }
        // The programs that write over or remove the files they name, as for the database
        // (`curl -o`, `wget -O`, `sort -o`, compressors ...): one table, in `data`.
        _ => crate::judge::data::lost_operands(name, argv)?
            .into_iter()
            .find_map(|p| protected(&p).map(|w| (p, w)))
            .map(|(p, w)| format!("`{name}` writes over {p} ({w})")),
    }
}

/// gawk's in-place edit: `-i inplace`, `-iinplace`, `--include=inplace`, `--include inplace`.
fn in_place_awk(argv: &[String]) -> bool {
    argv.windows(2).any(|w| matches!(w[0].as_str(), "-i" | "--include") && w[1].starts_with("inplace"))
        || argv.iter().any(|a| a.starts_with("-iinplace") || a.starts_with("--include=inplace"))
}

/// Whether a tar command line extracts (`-x`, `xf`, `--extract`, `--get`).
fn tar_extracts(argv: &[String]) -> bool {
    let first = argv.get(1).map(String::as_str).unwrap_or("");
    let cluster = |a: &str| a.starts_with('-') && !a.starts_with("--") && a.contains('x');
    argv.iter().any(|a| a == "--extract" || a == "--get" || cluster(a))
        || (!first.starts_with('-') && first.contains('x'))
}

/// The value of the first of `options` on the line (`-C DIR`, `--directory=DIR`, `-CDIR`).
fn value_of<'a>(argv: &'a [String], options: &[&str]) -> Option<&'a str> {
    for (k, a) in argv.iter().enumerate() {
        for o in options {
            if a == o {
                return argv.get(k + 1).map(String::as_str);
            }
            if let Some(v) = a.strip_prefix(&format!("{o}=")) {
                return Some(v);
            }
            if o.len() == 2 && !o.starts_with("--") {
                if let Some(v) = a.strip_prefix(o).filter(|v| !v.is_empty()) {
                    return Some(v);
                }
            }
        }
    }
    None
}

/// Why applying the patch in `file` (or the text the line feeds) changes a protected file:
/// the files it names, when it can be read; when it cannot (a pipe, a missing file, a name
/// only known when the line runs) and this repository commits its hooks, it may.
fn patch_touches(
    label: &str,
    cmd: &SimpleCommand,
    file: Option<&str>,
    ctx: &Context,
    dirs: &[String],
    protected: Protected<'_>,
) -> Option<String> {
    let text = match (file, &cmd.heredoc) {
        (_, Some(body)) => Some(body.clone()),
        (Some(f), None) if !dynamic(f) => read_patch(&ctx.cwd, dirs, f),
        _ => None,
    };
    match text {
        Some(text) => patch_paths(&text)
            .into_iter()
            .find_map(|p| protected(&p).map(|w| (p, w)))
            .map(|(p, w)| format!("`{label}` applies a patch that changes {p} ({w})")),
        None if hooks_committed(ctx) => Some(format!(
            "`{label}` applies a patch that cannot be read here ({}), and this repository commits its git hooks: it may change them",
            file.unwrap_or("its input")
        )),
        None => None,
    }
}

fn read_patch(cwd: &Path, dirs: &[String], file: &str) -> Option<String> {
    let candidates = std::iter::once(cwd.join(file))
        .chain(dirs.iter().filter(|d| !d.is_empty() && d.as_str() != "*").map(|d| cwd.join(d).join(file)));
    candidates.into_iter().find_map(|p| {
        let meta = std::fs::metadata(&p).ok()?;
        (meta.is_file() && meta.len() <= MAX_PATCH).then(|| std::fs::read_to_string(&p).ok()).flatten()
    })
}

/// The files a unified or git diff names (`--- a/x`, `+++ b/x`, `diff --git a/x b/x`,
/// renames), without their `a/` `b/` prefixes, and those of a Codex `apply_patch` patch
/// (`*** Add File:`, `*** Delete File:`, `*** Update File:`, `*** Move to:`).
pub fn patch_paths(text: &str) -> Vec<String> {
    let strip = |p: &str| {
        let p = p.split('\t').next().unwrap_or(p).trim().trim_matches('"');
        p.strip_prefix("a/").or_else(|| p.strip_prefix("b/")).unwrap_or(p).to_string()
    };
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("--- ").or_else(|| line.strip_prefix("+++ ")) {
            if rest.trim() != "/dev/null" {
                out.push(strip(rest));
            }
        } else if let Some(rest) = ["*** Add File:", "*** Delete File:", "*** Update File:", "*** Move to:"]
            .iter()
            .find_map(|h| line.strip_prefix(h))
        {
            out.push(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("diff --git ") {
            out.extend(rest.split_whitespace().map(strip));
        } else if let Some(rest) = line
            .strip_prefix("rename from ")
            .or_else(|| line.strip_prefix("rename to "))
            .or_else(|| line.strip_prefix("Index: "))
        {
            out.push(strip(rest));
        }
    }
    out
}

/// Whether this repository keeps git hooks in a folder it commits (`.husky`, or the
/// working-tree folder core.hooksPath names).
fn hooks_committed(ctx: &Context) -> bool {
    let inside = ctx.hooks().is_some_and(|h| !h.starts_with('/') && !h.starts_with(".git/"));
    inside || ctx.cwd.join(".husky").is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_name_their_files() {
        let git = "diff --git a/.husky/pre-commit b/.husky/pre-commit\ndeleted file mode 100755\n--- a/.husky/pre-commit\n+++ /dev/null\n@@ -1 +0,0 @@\n-npm test\n";
        assert_eq!(patch_paths(git), vec![".husky/pre-commit", ".husky/pre-commit", ".husky/pre-commit"]);
        let plain = "--- src/a.ts\t2024-01-01\n+++ src/a.ts\t2024-01-02\n";
        assert_eq!(patch_paths(plain), vec!["src/a.ts", "src/a.ts"]);
        let codex = "*** Begin Patch\n*** Delete File: .husky/pre-commit\n*** Add File: a.ts\n+x\n*** Update File: b.ts\n*** Move to: .githooks/pre-push\n@@\n-a\n+b\n*** End Patch\n";
        assert_eq!(patch_paths(codex), vec![".husky/pre-commit", "a.ts", "b.ts", ".githooks/pre-push"]);
    }
}
