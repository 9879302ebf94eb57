//! git command lines that skip or move hooks (`--no-verify` in every spelling, `-c
//! core.hooksPath=`, config edits), or take back uncommitted hook edits.

use super::*;

/// The subcommand of a git command line (`git -C dir --no-pager commit` -> `commit`).
pub fn git_subcommand(argv: &[String]) -> Option<&str> {
    crate::shell::resolve::git_subcommand_index(argv).map(|i| argv[i].as_str())
}

/// Whether a git subcommand runs the commit or push hooks.
pub fn runs_hooks(sub: &str) -> bool {
    matches!(sub, "commit" | "push" | "merge" | "am" | "rebase" | "cherry-pick" | "revert" | "pull")
}

/// Why a git command that runs hooks would run none, in one of `dirs` (relative to `cwd`):
/// a working tree where core.hooksPath names a missing folder (husky's git-ignored `.husky/_`
/// in a new worktree), or a folder that does not exist yet after `git worktree add` on the
/// same line, when the repository keeps its hooks in such a folder.
pub fn no_hooks_there(cwd: &std::path::Path, dirs: &[String], new_worktree: bool) -> Option<String> {
    for d in dirs {
        let at = if d == "*" { cwd.to_path_buf() } else { cwd.join(d) };
        if !at.exists() {
            let relative = hooks_folder(cwd).is_some_and(|h| !h.starts_with('/'));
            if new_worktree && relative {
                return Some(format!(
                    "a new worktree has no {} (husky makes it on install, it is not committed), so git would run no hooks there: create the worktree, run `npx husky` in it, then commit in a separate command",
                    hooks_folder(cwd).unwrap_or_default()
                ));
            }
            continue;
        }
        let Ok(repo) = git2::Repository::discover(&at) else { continue };
        let Some(workdir) = repo.workdir() else { continue };
        if let Some(why) = crate::install::git_hooks::husky_missing_here(workdir) {
            return Some(format!("git would run no hooks in {}: {why}", workdir.display()));
        }
    }
    None
}

use crate::shell::resolve::GIT_GLOBAL_VALUES;

/// Why a git command line skips or moves the hooks, if it does.
pub(super) fn git(argv: &[String], hooks: Option<&str>) -> Option<String> {
    // Global options first: `git -C dir --no-pager -c k=v commit ...`.
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if dynamic(a) {
            return Some(format!(
                "`git` gets an option only known when the line runs ({a}), which may move or skip the hooks: write it out"
            ));
        }
        if !a.starts_with('-') {
            break;
        }
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (a.as_str(), None),
        };
        let value = if GIT_GLOBAL_VALUES.contains(&flag) && inline.is_none() {
            i += 1;
            argv.get(i).map(String::as_str)
        } else if let Some(v) = a.strip_prefix("-c").filter(|v| !v.is_empty()) {
            Some(v)
        } else {
            inline
        };
        let config = matches!(flag, "-c" | "--config-env") || a.starts_with("-c");
        if let Some(v) = value.filter(|v| dynamic(v)) {
            return Some(format!(
                "`git` gets an option only known when the line runs ({v}), which may move or skip the hooks: write it out"
            ));
        }
        if config && value.is_some_and(moves_hooks) {
            return Some(format!(
                "`git -c {}` moves git's hooks away from prisma-guard's",
                value.unwrap_or_default().split('=').next().unwrap_or_default()
            ));
        }
        i += 1;
    }
    let sub = argv.get(i).map(String::as_str).unwrap_or("");
    let args = argv.get(i + 1..).unwrap_or(&[]);
    let runs_hooks = runs_hooks(sub);
    // The options as git reads them: the value of `-m`/`--message` is no option, even
    // when it reads `--no-verify`.
    let options = option_words(sub, args);
    if runs_hooks {
        if let Some(a) = options.iter().find(|a| dynamic(a)) {
            return Some(format!(
                "`git {sub}` gets an argument only known when the line runs ({a}), which may be --no-verify: write it out"
            ));
        }
    }
    let no_verify = options.iter().any(|a| a.len() >= 6 && "--no-verify".starts_with(a.as_str()));
    if no_verify && runs_hooks {
        return Some(format!("`git {sub} --no-verify` skips prisma-guard's git hooks"));
    }
    if sub == "commit" && commit_has_n(args) {
        return Some("`git commit -n` (--no-verify) skips prisma-guard's git hooks".into());
    }
    if let Some(why) = plumbing(sub, args) {
        return Some(why);
    }
    // An alias that commits without hooks: `git config alias.ci "commit --no-verify"`,
    // `git -c alias.c="commit -n" c`.
    let alias_skips = |v: &str| {
        let v = v.to_ascii_lowercase();
        v.contains("--no-v")
            || (v.contains("commit")
                && v.split_whitespace().any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('n')))
    };
    if argv.iter().any(|a| a.to_ascii_lowercase().contains("alias.") && alias_skips(a))
        || (sub == "config"
            && args.iter().any(|a| a.to_ascii_lowercase().starts_with("alias."))
            && args.iter().any(|a| alias_skips(a)))
    {
        return Some("a git alias that commits without running the hooks".into());
    }
    if sub == "config" {
        // The key only known when the line runs: it may be core.hooksPath.
        let verbs = ["set", "unset", "get", "list", "edit", "rename-section", "remove-section"];
        let key = args.iter().find(|a| (!a.starts_with('-') || dynamic(a)) && !verbs.contains(&a.as_str()));
        if let Some(a) = key.filter(|a| dynamic(a)) {
            if !args.iter().any(|a| a.starts_with('-') && !dynamic(a) && a.contains("get")) {
                return Some(format!(
                    "`git config` gets a key only known when the line runs ({a}), which may move the hooks: write it out"
                ));
            }
        }
        // `--remove-section core`, `--rename-section core x`: core.hooksPath goes with it.
        let sections = ["--remove-section", "--rename-section", "remove-section", "rename-section"];
        if let Some(k) = args.iter().position(|a| sections.contains(&a.as_str())) {
            if let Some(section) = args.get(k + 1).filter(|s| {
                let s = s.to_ascii_lowercase();
                s == "core" || s.starts_with("include")
            }) {
                return Some(format!(
                    "`git config {} {section}` takes core.hooksPath (or an include that sets it) with it, which moves git's hooks away from prisma-guard's",
                    args[k]
                ));
            }
        }
        let touches = args.iter().any(|a| moves_hooks(a));
        let reads_only = args.iter().any(|a| matches!(a.as_str(), "--get" | "--get-all" | "-l" | "--list" | "get"));
        if touches && !reads_only && (args.len() >= 2 || args.iter().any(|a| a.contains('='))) {
            return Some("changes core.hooksPath or includes another config file, which can move git's hooks away from prisma-guard's".into());
        }
    }
    // `git clean -x/-X` removes git-ignored files: prisma-guard's backups among them.
    let ignored_too = |a: &String| a.starts_with('-') && !a.starts_with("--") && (a.contains('x') || a.contains('X'));
    let dry_run =
        args.iter().any(|a| a == "--dry-run" || (a.starts_with('-') && !a.starts_with("--") && a.contains('n')));
    // Paths given limit it (`git clean -fdx node_modules`): only those that hold the backups
    // count (`.`, `backups`, a folder above them, a pattern).
    let paths = operands(sub, args);
    let reaches_backups = paths.is_empty()
        || paths.iter().any(|p| {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            p.is_empty()
                || p == "."
                || p == "backups"
                || p.starts_with("backups/")
                || p.starts_with("..")
                || p.starts_with(':')
                || p.contains(['*', '?', '['])
                || p.starts_with('/')
        });
    if sub == "clean" && args.iter().any(ignored_too) && !dry_run && reaches_backups {
        return Some("`git clean -x` removes git-ignored files, prisma-guard's backups among them".into());
    }
    // The project's settings loosen the guard once committed: an agent may not commit them.
    if matches!(sub, "add" | "commit" | "stage" | "update-index")
        && args.iter().any(|a| a.ends_with("prisma-guard.toml") || a.ends_with(".prisma-guard-baseline.json"))
    {
        return Some(format!(
            "`git {sub}` of prisma-guard's settings or baseline: they loosen the guard once committed"
        ));
    }
    // Putting back, removing or replacing hook files with git itself (not `restore --staged`
    // or `rm --cached`, which change only the index: the files stay as they are).
    let short = |c: char| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
    let index_only = match sub {
        "restore" => {
            (args.iter().any(|a| a == "--staged") || short('S'))
                && !args.iter().any(|a| a == "--worktree")
                && !short('W')
        }
        "rm" => args.iter().any(|a| a == "--cached"),
        _ => false,
    };
    if matches!(sub, "rm" | "restore" | "checkout" | "mv" | "update-index" | "clean") && !index_only {
        if let Some((path, what)) =
            args.iter().filter(|a| !a.starts_with('-')).find_map(|a| pathspec_hits(a, hooks).map(|w| (a, w)))
        {
            return Some(format!("`git {sub}` changes {path} ({what})"));
        }
    }
    None
}

/// What a git pathspec covers among the protected files: pathspec magic (`:/`, `:(top)`,
/// `:(glob,icase)`; `:!x` excludes and covers nothing) and wildcards, which in git match
/// across `/` (`*pre-commit` is `.husky/pre-commit`).
pub(super) fn pathspec_hits(spec: &str, hooks: Option<&str>) -> Option<&'static str> {
    let (magic, path) = if let Some(rest) = spec.strip_prefix(":(") {
        let (m, p) = rest.split_once(')')?;
        (m.to_ascii_lowercase(), p)
    } else if let Some(rest) = spec.strip_prefix(':') {
        match rest.chars().next() {
            Some('!' | '^') => return None,
            Some('/') => ("top".to_string(), &rest[1..]),
            _ => (String::new(), rest),
        }
    } else {
        (String::new(), spec)
    };
    if magic.split(',').any(|m| m == "exclude") {
        return None;
    }
    let path = path.trim_start_matches("./");
    if path.is_empty() || path == "." {
        return protected_with(".", hooks).or(Some("the whole working tree, git hooks among it"));
    }
    let literal = magic.split(',').any(|m| m == "literal");
    if !literal && path.contains(['*', '?', '[']) {
        let icase = magic.split(',').any(|m| m == "icase");
        let re = glob_regex(path, true, icase)?;
        let mut candidates: Vec<String> = PROTECTED_NAMES.iter().map(|n| (*n).to_string()).collect();
        if let Some(h) = hooks {
            candidates.push(h.to_string());
            candidates.push(format!("{h}/pre-commit"));
        }
        return candidates.iter().find(|c| re.is_match(c)).and_then(|c| protected_with(c, hooks));
    }
    protected_with(path, hooks)
}

/// `git reset --hard REV`, `git revert COMMIT`: history moved back over the hook files (a
/// commit that added prisma-guard's hooks undone), judged by comparing the trees.
pub(super) fn rewinds_hooks(argv: &[String], ctx: &Context) -> Option<String> {
    let i = crate::shell::resolve::git_subcommand_index(argv)?;
    let sub = argv[i].as_str();
    let args = &argv[i + 1..];
    let operands: Vec<&String> = args.iter().take_while(|a| *a != "--").filter(|a| !a.starts_with('-')).collect();
    let pairs: Vec<(String, String)> = match sub {
        "reset" if args.iter().any(|a| matches!(a.as_str(), "--hard" | "--keep" | "--merge")) => {
            operands.first().map(|rev| ("HEAD".to_string(), (*rev).clone())).into_iter().collect()
        }
        "revert" if !args.iter().any(|a| matches!(a.as_str(), "--abort" | "--quit" | "--skip" | "--continue")) => {
            operands.iter().map(|c| (c.to_string(), format!("{c}^"))).collect()
        }
        // Moving the working tree to another commit: `git switch [-c NEW] REV`, `git checkout
        // [-b NEW] REV` (a path after `--` is `git_reverts_changes`' case), `git rebase --onto
        // REV`, `git read-tree -u -m REV`. A commit from before `init` has no hooks.
        "switch" | "checkout" if !args.iter().any(|a| a == "--") => {
            let creates =
                args.iter().any(|a| matches!(a.as_str(), "-c" | "-C" | "-b" | "-B" | "--create" | "--force-create"));
            let rev = if creates { operands.get(1) } else { operands.first() };
            match rev {
                // Only a revision counts here: a name git cannot resolve is a path or a new branch.
                Some(rev) if git2::Repository::discover(&ctx.cwd).is_ok_and(|r| r.revparse_single(rev).is_ok()) => {
                    vec![("HEAD".to_string(), (*rev).clone())]
                }
                _ => return None,
            }
        }
        "rebase" => match args.iter().position(|a| a == "--onto") {
            Some(k) => args.get(k + 1).map(|rev| ("HEAD".to_string(), rev.clone())).into_iter().collect(),
            None => return None,
        },
        "read-tree" if args.iter().any(|a| a == "-u") => {
            operands.last().map(|rev| ("HEAD".to_string(), (*rev).clone())).into_iter().collect()
        }
        _ => return None,
    };
    if pairs.is_empty() {
        return None;
    }
    let repo = git2::Repository::discover(&ctx.cwd).ok()?;
    // `ROOT^` of a root commit: the empty tree (reverting it removes what it added).
    let empty = || repo.treebuilder(None).ok().and_then(|b| b.write().ok()).and_then(|id| repo.find_tree(id).ok());
    let tree = |rev: &str| {
        repo.revparse_single(rev).ok().and_then(|o| o.peel_to_tree().ok()).or_else(|| {
            let base = rev.strip_suffix('^')?;
            let commit = repo.revparse_single(base).ok()?.peel_to_commit().ok()?;
            (commit.parent_count() == 0).then(empty).flatten()
        })
    };
    let mut paths: Vec<String> = PROTECTED_NAMES.iter().map(|n| (*n).to_string()).collect();
    if let Some(h) = ctx.hooks() {
        paths.push(h.to_string());
    }
    for (from, to) in pairs {
        let (Some(a), Some(b)) = (tree(&from), tree(&to)) else {
            let rev = if sub == "revert" { &from } else { &to };
            return Some(format!(
                "`git {sub} {rev}`: prisma-guard cannot tell what it changes (an unknown revision), and it may undo the hooks"
            ));
        };
        let id = |t: &git2::Tree<'_>, p: &str| t.get_path(std::path::Path::new(p)).ok().map(|e| e.id());
        if let Some(p) = paths.iter().find(|p| id(&a, p) != id(&b, p)) {
            let what = protected(p).unwrap_or("git hooks");
            return Some(format!(
                "`git {sub}` puts {p} ({what}) back as it was before, which can undo prisma-guard's hooks"
            ));
        }
    }
    None
}

/// Git's plumbing that commits, moves a branch or pushes without running any hook:
/// `commit-tree` (a commit no pre-commit saw), `update-ref` of a branch, of HEAD or of a
/// remote-tracking ref (pre-push counts what those hold as pushed), `send-pack` (a push
/// without pre-push).
pub(super) fn plumbing(sub: &str, args: &[String]) -> Option<String> {
    match sub {
        "commit-tree" => Some("`git commit-tree` makes a commit without running the commit hooks".into()),
        "send-pack" => Some("`git send-pack` pushes without running the pre-push hook (like --no-verify)".into()),
        "update-ref" => {
            if args.iter().any(|a| a == "--stdin") {
                return Some("`git update-ref --stdin` moves refs read from its input, which may be branches, without running the hooks".into());
            }
            let deletes = args.iter().any(|a| a == "-d" || a == "--delete");
            // The ref is the first operand (`-m` takes a value).
            let mut k = 0;
            let mut operand = None;
            while let Some(a) = args.get(k) {
                if a == "-m" {
                    k += 2;
                    continue;
                }
                if !a.starts_with('-') || a == "--" {
                    operand = if a == "--" { args.get(k + 1) } else { Some(a) };
                    break;
                }
                k += 1;
            }
            let r = operand?;
            let branch =
                r.starts_with("refs/heads/") || r.starts_with("refs/remotes/") || !r.starts_with("refs/") || dynamic(r);
            (branch && !deletes).then(|| {
                format!(
                    "`git update-ref {r}` moves a branch (or what pre-push counts as pushed) without running the hooks"
                )
            })
        }
        _ => None,
    }
}

/// Whether a git config key (or `key=value`) says where the hooks are: core.hooksPath, or
/// an include of another config file, which may set it.
pub(super) fn moves_hooks(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("core.hookspath") || k.starts_with("include.") || k.starts_with("includeif.")
}

/// A subcommand's option words, up to `--`, without the values of the options that take one
/// (`git commit -m --no-verify` holds no option `--no-verify`).
pub(super) fn option_words<'a>(sub: &str, args: &'a [String]) -> Vec<&'a String> {
    split_words(sub, args).0
}

/// A subcommand's operands (paths, pathspecs, revisions): the words that are neither options
/// nor the values of options that take one (`git clean -e PATTERN`, `git checkout -b NAME`,
/// `git commit -m MSG`), and every word after `--`.
pub(crate) fn operands<'a>(sub: &str, args: &'a [String]) -> Vec<&'a String> {
    split_words(sub, args).1
}

/// (option words: every word up to `--` but options' values; operands), as git reads them.
fn split_words<'a>(sub: &str, args: &'a [String]) -> (Vec<&'a String>, Vec<&'a String>) {
    let (short, long): (&[char], &[&str]) = match sub {
        "commit" => (&['m', 'F', 'C', 'c', 't'], COMMIT_LONG_VALUES),
        "merge" | "pull" => {
            (&['m', 'F', 's', 'X'], &["--message", "--file", "--strategy", "--strategy-option", "--into-name"])
        }
        "push" => (&['o'], &["--push-option", "--repo", "--receive-pack", "--exec"]),
        "cherry-pick" | "revert" => (&['m', 'X'], &["--mainline", "--strategy", "--strategy-option"]),
        "rebase" => (&['s', 'X', 'x'], &["--strategy", "--strategy-option", "--exec", "--onto"]),
        "clean" => (&['e'], &["--exclude"]),
        "checkout" => (&['b', 'B'], &["--orphan", "--conflict"]),
        "switch" => (&['c', 'C'], &["--create", "--force-create", "--orphan", "--conflict"]),
        "restore" => (&['s'], &["--source", "--conflict"]),
        _ => (&[], &[]),
    };
    let (mut options, mut operands) = (Vec::new(), Vec::new());
    let mut k = 0;
    while let Some(a) = args.get(k) {
        if a == "--" {
            operands.extend(&args[k + 1..]);
            break;
        }
        // Every word up to `--` but option values is an option word (an unknown `$X` may be
        // one); those that are not options are operands too.
        options.push(a);
        if !a.starts_with('-') || a == "-" {
            operands.push(a);
            k += 1;
            continue;
        }
        if long.contains(&a.as_str()) {
            k += 2;
            continue;
        }
        if let Some(cluster) = a.strip_prefix('-').filter(|c| !c.is_empty() && !c.starts_with('-')) {
            // The first option of the cluster that takes a value ends it; its value is the
            // rest of the word, or the next word.
            if let Some(at) = cluster.find(|c: char| short.contains(&c)) {
                if cluster[at + 1..].is_empty() {
                    k += 1;
                }
            }
        }
        k += 1;
    }
    (options, operands)
}

/// Long options of `git commit` that take a value.
pub(super) const COMMIT_LONG_VALUES: &[&str] = &[
    "--message",
    "--file",
    "--author",
    "--date",
    "--template",
    "--reuse-message",
    "--reedit-message",
    "--fixup",
    "--squash",
    "--trailer",
    "--cleanup",
    "--pathspec-from-file",
];

/// Whether `git commit`'s options hold `-n`, read as git reads them: the value of an option
/// that takes one (`-m -n`, `--message -n`, `-mn`) is not an option.
pub(super) fn commit_has_n(args: &[String]) -> bool {
    const LONG_VALUES: &[&str] = COMMIT_LONG_VALUES;
    let mut k = 0;
    while let Some(a) = args.get(k) {
        if a == "--" {
            break;
        }
        if a.starts_with("--") {
            k += if LONG_VALUES.contains(&a.as_str()) { 2 } else { 1 };
            continue;
        }
        if let Some(cluster) = a.strip_prefix('-').filter(|c| !c.is_empty()) {
            for (i, c) in cluster.char_indices() {
                match c {
                    'n' => return true,
                    // Options whose value is the rest of the word, or the next word.
                    'm' | 'F' | 'C' | 'c' | 't' => {
                        if cluster[i + 1..].is_empty() {
                            k += 1;
                        }
                        break;
                    }
                    // Optional values: only attached.
                    'S' | 'u' => break,
                    _ => {}
                }
            }
        }
        k += 1;
    }
    false
}

/// `git reset --hard`, `git stash`, `git checkout -f`, `git clean -f`: they take back changes
/// not committed yet; to hook or settings files (the line `init` added to a committed
/// `.husky/pre-commit`, say) that switches the guard off, as `git checkout -- .` does.
pub(super) fn git_reverts_changes(argv: &[String], ctx: &Context) -> Option<String> {
    let i = crate::shell::resolve::git_subcommand_index(argv)?;
    let sub = argv[i].as_str();
    let args = &argv[i + 1..];
    let short = |c: char| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
    let long = |l: &str| args.iter().any(|a| a == l);
    // (tracked changes, untracked files) it takes back, and the paths it is limited to.
    let (tracked, untracked) = match sub {
        "reset" if long("--hard") || long("--merge") => (true, false),
        "stash" => {
            let action = args.iter().find(|a| !a.starts_with('-')).map(String::as_str);
            if !matches!(action, None | Some("push" | "save")) {
                return None;
            }
            (true, short('u') || short('a') || long("--include-untracked") || long("--all"))
        }
        "checkout" | "switch" if short('f') || long("--force") || long("--discard-changes") => (true, false),
        "clean" if (short('f') || long("--force")) && !short('n') && !long("--dry-run") => (false, true),
        _ => return None,
    };
    let pathspec: Vec<&str> = match sub {
        "stash" | "clean" => match args.iter().position(|a| a == "--") {
            Some(k) => args[k + 1..].iter().map(String::as_str).collect(),
            None if sub == "clean" => args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect(),
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut files = ctx.changed_protected(untracked);
    if !tracked {
        let known = ctx.changed_protected(false);
        files.retain(|f| !known.contains(f));
    }
    let limited = |f: &String| {
        pathspec.is_empty()
            || pathspec.iter().any(|p| {
                let p = p.trim_start_matches("./").trim_end_matches('/');
                p.is_empty() || p == "." || f == p || f.starts_with(&format!("{p}/"))
            })
    };
    let files: Vec<String> = files.into_iter().filter(limited).collect();
    let first = files.first()?;
    let what = protected(first).unwrap_or("a git hook");
    Some(format!(
        "`git {sub}` takes back uncommitted changes to {} ({what}), which can switch prisma-guard's hooks off: commit them first, or leave them out",
        files.join(", ")
    ))
}

/// Names whose committed version loosens the guard: an agent may not commit changes to them,
/// by name or by staging everything (`git commit -a`, `git add -A`, `git add .`).
const SETTINGS: &[&str] = &["prisma-guard.toml", ".prisma-guard-baseline.json"];

/// `git add -A`/`.`/`-u`, `git commit -a` (or a commit of what is staged) that would put a
/// changed prisma-guard.toml or baseline into a commit.
pub(super) fn stages_settings(argv: &[String], ctx: &Context) -> Option<String> {
    let k = crate::shell::resolve::git_subcommand_index(argv)?;
    let (sub, args) = (argv[k].as_str(), &argv[k + 1..]);
    let short = |c: char| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
    let long = |l: &str| args.iter().any(|a| a == l);
    let broad = |a: &String| {
        let p = a.trim_start_matches("./");
        p.is_empty() || p == "." || p == ":/" || p.starts_with(':') || p.contains(['*', '?', '['])
    };
    let paths = operands(sub, args);
    // Which changes the command takes in: the working tree's (`true`) or only the index's.
    let takes_worktree = match sub {
        "add" | "stage" => {
            short('A') || long("--all") || short('u') || long("--update") || paths.iter().any(|p| broad(p))
        }
        "commit" => short('a') || long("--all") || paths.iter().any(|p| broad(p)),
        _ => return None,
    };
    let repo = git2::Repository::discover(&ctx.cwd).ok()?;
    let root = repo.workdir()?.to_path_buf();
    // The settings files where prisma-guard looks for them: the folders from here up to the
    // repository's top (one file status each, not a walk of the whole tree).
    let staged = git2::Status::INDEX_NEW | git2::Status::INDEX_MODIFIED | git2::Status::INDEX_DELETED;
    let worktree = git2::Status::WT_NEW | git2::Status::WT_MODIFIED | git2::Status::WT_DELETED;
    let cwd = ctx.cwd.canonicalize().unwrap_or_else(|_| ctx.cwd.clone());
    let root = root.canonicalize().unwrap_or(root);
    let path = cwd
        .ancestors()
        .take_while(|d| d.starts_with(&root))
        .flat_map(|d| SETTINGS.iter().map(move |n| d.join(n)))
        .filter_map(|p| p.strip_prefix(&root).ok().map(std::path::Path::to_path_buf))
        .find(|rel| {
            repo.status_file(rel).is_ok_and(|st| {
                (sub == "commit" && st.intersects(staged)) || (takes_worktree && st.intersects(worktree | staged))
            })
        })?;
    let path = path.display().to_string();
    Some(format!(
        "`git {sub}` would commit the changed {path}: prisma-guard's settings loosen the guard once committed (ask the user to review and commit it)"
    ))
}
