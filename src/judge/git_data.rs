//! git over the project's data, beyond the porcelain [`super::data`] reads: pathspec magic
//! (`:(glob)**/*.db`, `:(icase)DEV.DB`, `:(literal)dev.db`, `:/dev.db`, an exclusion alone
//! such as `':!seed.sql'` meaning everything else), the plumbing that writes the working tree
//! (`git read-tree -u --reset`, `git checkout-index -f`), and `git add -f` (or `-A`) of an
//! ignored or untracked database or of the backups followed on the same line by a command
//! that discards what the index holds (`git reset --hard`, `git stash`, `git checkout -f`):
//! the files git just learnt about are deleted.

use std::path::{Path, PathBuf};

use crate::config::lexical_normalize as normalize;
use crate::shell::SimpleCommand;

use super::context::Context;
use super::data::{git_state, GitState};

/// One pathspec as git reads it: its magic and its path.
struct Spec<'a> {
    path: &'a str,
    top: bool,
    literal: bool,
    glob: bool,
    icase: bool,
    exclude: bool,
}

fn parse(spec: &str) -> Spec<'_> {
    let mut s = Spec { path: spec, top: false, literal: false, glob: false, icase: false, exclude: false };
    if let Some(rest) = spec.strip_prefix(":(") {
        if let Some((magic, path)) = rest.split_once(')') {
            for m in magic.split(',').map(|m| m.trim().to_ascii_lowercase()) {
                match m.as_str() {
                    "top" => s.top = true,
                    "literal" => s.literal = true,
                    "glob" => s.glob = true,
                    "icase" => s.icase = true,
                    "exclude" => s.exclude = true,
                    _ => {}
                }
            }
            s.path = path;
        }
    } else if let Some(rest) = spec.strip_prefix(':') {
        // Short magic: `:/` top, `:!` and `:^` exclude, in any order, up to an optional `:`.
        let n = rest.chars().take_while(|c| matches!(c, '/' | '!' | '^')).count();
        s.top = rest[..n].contains('/');
        s.exclude = rest[..n].contains(['!', '^']);
        s.path = rest[n..].strip_prefix(':').unwrap_or(&rest[n..]);
    }
    s
}

/// A `:(glob)` pattern as a regex: `**/` any folders, `/**` anything below, `*` within a name.
fn glob_magic_regex(glob: &str, fold: bool) -> Option<regex::Regex> {
    let mut re = String::from(if fold { "(?i)^" } else { "^" });
    let mut rest = glob;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("**/") {
            re.push_str("(?:.*/)?");
            rest = r;
        } else if rest == "/**" {
            re.push_str("/.*");
            rest = "";
        } else {
            let c = rest.chars().next()?;
            match c {
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                '[' | ']' => re.push(c),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

/// Whether `spec` (its exclusion aside) covers `file`, relative to `base`.
fn covers(spec: &Spec<'_>, file: &Path, base: &Path) -> bool {
    let path = spec.path.trim_start_matches("./");
    let Ok(rel) = file.strip_prefix(base) else {
        // `../dev.db`: a path out of the folder, literal.
        return !path.contains(['*', '?', '[']) && {
            let p = normalize(&base.join(path));
            file == p || file.starts_with(&p)
        };
    };
    let rel = rel.to_string_lossy();
    let path = path.trim_end_matches('/');
    if path.is_empty() || path == "." {
        return true;
    }
    let wild = !spec.literal && path.contains(['*', '?', '[']);
    if !wild {
        let p = normalize(&base.join(path));
        return if spec.icase {
            let (f, p) = (file.to_string_lossy().to_lowercase(), p.to_string_lossy().to_lowercase());
            f == p || f.starts_with(&format!("{p}/"))
        } else {
            file == p || file.starts_with(&p)
        };
    }
    let re = if spec.glob {
        glob_magic_regex(path, spec.icase)
    } else {
        // Without `glob` magic git matches wildcards across `/` (`*.db` is `prisma/dev.db`).
        super::tamper::glob_regex(path, true, spec.icase)
    };
    re.is_some_and(|re| re.is_match(&rel))
}

/// The pathspecs of a git command's arguments: after `--` when there is one, else every
/// operand (revisions among them match nothing).
fn pathspecs(args: &[String]) -> Vec<&str> {
    match args.iter().position(|a| a == "--") {
        Some(k) => args[k + 1..].iter().map(String::as_str).collect(),
        None => args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect(),
    }
}

/// Whether the pathspecs in `args` (run from one of `dirs` under `cwd`) cover one of `files`:
/// a spec that covers it, or exclusions alone (which stand for everything else).
pub fn pathspecs_cover(args: &[String], files: &[PathBuf], cwd: &Path, dirs: &[String]) -> bool {
    let specs: Vec<Spec<'_>> = pathspecs(args).into_iter().map(parse).collect();
    if specs.is_empty() || files.is_empty() {
        return false;
    }
    let top = || {
        git2::Repository::discover(cwd)
            .ok()
            .and_then(|r| r.workdir().map(|w| w.canonicalize().unwrap_or(w.to_path_buf())))
    };
    let only_excludes = specs.iter().all(|s| s.exclude);
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    for d in dirs.iter().filter(|d| d.as_str() != "*") {
        let here = normalize(&cwd.join(d));
        for f in files {
            let f = f.canonicalize().unwrap_or_else(|_| f.clone());
            let base = |s: &Spec<'_>| if s.top { top().unwrap_or_else(|| here.clone()) } else { here.clone() };
            let excluded = specs.iter().filter(|s| s.exclude).any(|s| covers(s, &f, &base(s)));
            let included = if only_excludes {
                f.starts_with(&here)
            } else {
                specs.iter().filter(|s| !s.exclude).any(|s| covers(s, &f, &base(s)))
            };
            if included && !excluded {
                return true;
            }
        }
    }
    false
}

/// Whether any pathspec in `args` uses magic (`:(...)`, `:!`, `:/`) or a wildcard, which the
/// plain path check does not read.
pub fn has_magic(args: &[String]) -> bool {
    pathspecs(args).iter().any(|s| s.starts_with(':') || s.contains(['*', '?', '[']))
}

/// git's plumbing that writes the working tree over the database: `read-tree -u --reset`,
/// `checkout-index -f -a` (or naming it). `sub`: the subcommand, `args` what follows it.
pub fn plumbing(sub: &str, args: &[String], ctx: &Context, dirs: &[String], db: &str) -> Option<String> {
    let flag = |c: char| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
    let long = |l: &str| args.iter().any(|a| a == l);
    let writes = match sub {
        "read-tree" => (flag('u')) && (long("--reset") || flag('m')),
        "checkout-index" => {
            (flag('f') || long("--force"))
                && (flag('a') || long("--all") || pathspecs_cover(args, ctx.data_files(), &ctx.cwd, dirs))
        }
        _ => false,
    };
    (writes && ctx.data_git_state() == GitState::Tracked).then(|| {
        format!("`git {sub}` writes the committed {db} over the project's SQLite database, and the rows written since are lost")
    })
}

/// `git add -f`/`-A` on a line, and a later command on the same line that discards the index
/// and working tree changes.
#[derive(Debug, Default)]
pub struct Adds {
    /// The arguments of each `git add` seen so far, and the folders it ran in: judged only
    /// when a discarding command follows (reading the project costs more than a line does).
    pending: Vec<(Vec<String>, Vec<String>)>,
    /// What `git rm --cached` took out of the index (the database untracked, for a later
    /// `git clean` to delete).
    untracked: Option<String>,
}

impl Adds {
    /// Judge `cmd`, one command of a line in order.
    pub fn see(&mut self, cmd: &SimpleCommand, ctx: &Context, dirs: &[String]) -> Option<String> {
        let argv = &cmd.argv;
        if argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)) != Some("git") {
            return None;
        }
        let k = crate::shell::resolve::git_subcommand_index(argv)?;
        let sub = argv[k].as_str();
        let args = &argv[k + 1..];
        let short = |c: char| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
        let long = |l: &str| args.iter().any(|a| a == l);
        // `git rm --cached dev.db && git clean -fd`: the database made untracked, then removed.
        if sub == "rm" && long("--cached") && !(short('n') || long("--dry-run")) {
            let files = ctx.data_files();
            let named = args.iter().filter(|a| !a.starts_with('-')).find(|p| {
                super::data::hit(p, files, &ctx.cwd, dirs).is_some()
                    || pathspecs_cover(&[(*p).clone()], files, &ctx.cwd, dirs)
            });
            if let Some(p) = named {
                self.untracked = Some(p.clone());
            }
            return None;
        }
        if sub == "clean" && !(short('n') || long("--dry-run")) {
            if let Some(p) = &self.untracked {
                return Some(format!(
                    "`git rm --cached {p}` leaves the project's database untracked, and `git clean` on the same line then deletes it"
                ));
            }
        }
        if sub == "add" || sub == "stage" {
            if !(short('n') || long("--dry-run")) {
                self.pending.push((args.to_vec(), dirs.to_vec()));
            }
            return None;
        }
        if self.pending.is_empty() {
            return None;
        }
        let discards = match sub {
            "reset" => long("--hard") || long("--merge") || long("--keep"),
            "stash" => {
                matches!(args.iter().find(|a| !a.starts_with('-')).map(String::as_str), None | Some("push" | "save"))
            }
            "checkout" | "switch" => short('f') || long("--force") || long("--discard-changes"),
            "restore" => (long("--staged") || short('S')) && (long("--worktree") || short('W')),
            "read-tree" => short('u') && (long("--reset") || short('m')),
            _ => false,
        };
        if !discards {
            return None;
        }
        let added = self.pending.iter().find_map(|(args, dirs)| added_by(args, dirs, ctx))?;
        Some(format!(
            "`git add` puts {added} in the index, and `git {sub}` on the same line then takes it out of the working tree: it is deleted"
        ))
    }
}

/// What `git add ARGS` (run in one of `dirs`) puts in the index that git did not track: an
/// untracked database, or with `-f` an ignored one or the ignored backups.
fn added_by(args: &[String], dirs: &[String], ctx: &Context) -> Option<String> {
    let short = |c: char| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
    let forced = short('f') || args.iter().any(|a| a == "--force");
    let all = short('A') || args.iter().any(|a| a == "--all");
    let specs = pathspecs(args);
    let covered = |f: &Path| {
        (specs.is_empty() && all) || {
            let spec_args: Vec<String> = specs.iter().map(|s| (*s).to_string()).collect();
            pathspecs_cover(&spec_args, &[f.to_path_buf()], &ctx.cwd, dirs)
        }
    };
    let adds = |state: GitState| match state {
        GitState::Untracked => true,
        GitState::Ignored => forced,
        GitState::Tracked | GitState::Outside => false,
    };
    // The databases (each followed by its sidecars in the list), then the backups.
    for f in ctx.data_files().iter().step_by(super::data::SIDECARS.len() + 1) {
        if f.exists() && covered(f) && adds(git_state(f)) {
            return Some(f.strip_prefix(&ctx.cwd).unwrap_or(f).display().to_string());
        }
    }
    let backups = ctx.cwd.join("backups");
    (backups.is_dir() && covered(&backups.join("x")) && adds(git_state(&backups)))
        .then(|| "backups/ (prisma-guard's backups)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cover(args: &[&str]) -> bool {
        let files = vec![PathBuf::from("/p/prisma/dev.db")];
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        pathspecs_cover(&args, &files, Path::new("/p"), &[String::new()])
    }

    /// Review round 2 (issue 19), finding 9: pathspec magic over the database.
    #[test]
    fn pathspec_magic_that_reaches_the_database() {
        for args in [
            &["--", ":(glob)**/*.db"][..],
            &["--", ":!seed.sql"],
            &["--", ":^seed.sql"],
            &["--", ":(icase)PRISMA/DEV.DB"],
            &["--", ":(exclude)seed.sql"],
            &["HEAD", "--", ":(literal)prisma/dev.db"],
            &["--", "*.db"],
            &["--", ":(top)prisma"],
            &["--", "prisma"],
            &["--", "."],
        ] {
            assert!(cover(args), "{args:?}");
        }
        for args in [
            &["--", ":(glob)*.db"][..],
            &["--", ":!prisma/dev.db"],
            &["--", ":(exclude)prisma"],
            &["--", ":(literal)*.db"],
            &["--", "src"],
            &["main"],
        ] {
            assert!(!cover(args), "{args:?}");
        }
    }

    /// A project whose SQLite database is `prisma/dev.db`; `ignored`: git ignores it (and the
    /// backups), else git tracks it.
    fn project(ignored: bool) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let write = |p: &str, text: &str| {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        write("prisma/schema.prisma", "datasource db {\n  provider = \"sqlite\"\n  url = \"file:./dev.db\"\n}\n");
        write("prisma/dev.db", "SQLite format 3\0");
        write("backups/20260101T000000Z-a1b2c3.db.zst", "backup");
        write(".gitignore", if ignored { "backups/\n*.db\n" } else { "backups/\n" });
        let repo = git2::Repository::init(root).expect("git init");
        if !ignored {
            let mut index = repo.index().expect("index");
            index.add_path(Path::new("prisma/dev.db")).expect("add");
            index.write().expect("write index");
        }
        dir
    }

    fn verdict(line: &str, dir: &Path) -> crate::judge::Verdict {
        crate::judge::check(line, dir, crate::guard::classify::Options::default()).verdict
    }

    /// Review round 2 (issue 19), finding 9: `git add -f` of what git ignores, then a command
    /// that discards the index; the plumbing that writes the working tree.
    #[test]
    fn forced_adds_then_discards_and_plumbing_lose_the_database() {
        use crate::judge::Verdict::{Allow, Destructive};
        let ignored = project(true);
        for line in [
            "git add -Af && git reset --hard",
            "git add -f prisma/dev.db && git stash",
            "git add -A -f . && git checkout -f",
            "git add -f backups && git reset --hard",
            "git add -f ':(glob)**/*.db' && git stash push",
        ] {
            assert_eq!(verdict(line, ignored.path()), Destructive, "{line}");
        }
        for line in ["git add -A && git reset --hard", "git add -Af && git commit -m x", "git add -f src && git stash"]
        {
            assert_eq!(verdict(line, ignored.path()), Allow, "{line}");
        }
        let tracked = project(false);
        for line in ["git read-tree -u --reset HEAD", "git checkout-index -f -a", "git checkout-index -f prisma/dev.db"]
        {
            assert_eq!(verdict(line, tracked.path()), Destructive, "{line}");
        }
        for line in ["git read-tree HEAD", "git checkout-index -a", "git checkout -- src"] {
            assert_eq!(verdict(line, tracked.path()), Allow, "{line}");
        }
    }
}
