//! Commands that delete or overwrite the project's data itself rather than through a client:
//! the SQLite database file Prisma uses (and its `-wal`, `-shm`, `-journal`) removed, moved
//! away, truncated, shredded or written over (`rm`, `mv`, `cp` onto it, `truncate`, `>`,
//! `find -delete`), or put back by git (`git clean` of an untracked or ignored database,
//! `git checkout`/`restore`/`reset --hard`/`stash -u` over it). Copying the database
//! somewhere else (a backup) changes nothing and is allowed.

use std::path::{Path, PathBuf};

use crate::config::lexical_normalize as normalize;
use crate::shell::SimpleCommand;

use super::context::Context;

/// Suffixes of the files SQLite keeps beside a database.
pub const SIDECARS: &[&str] = &["-wal", "-shm", "-journal"];

/// What one path of a command line is to the project's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// The database file or one of its sidecars.
    File,
    /// A folder holding it.
    Folder,
    /// A shell pattern matching it.
    Pattern,
}

impl Hit {
    fn describe(self, db: &str) -> String {
        match self {
            Hit::File => format!("the project's SQLite database ({db})"),
            Hit::Folder => format!("a folder holding the project's SQLite database ({db})"),
            Hit::Pattern => format!("a pattern matching the project's SQLite database ({db})"),
        }
    }
}

/// The project's data files, absolute: the database first, then its sidecars.
pub fn files_of(db: &Path) -> Vec<PathBuf> {
    let mut out = vec![db.to_path_buf()];
    out.extend(SIDECARS.iter().map(|s| PathBuf::from(format!("{}{s}", db.display()))));
    out
}

/// What `path` (as written, run from one of `dirs` under `cwd`) is to the data `files`.
pub fn hit(path: &str, files: &[PathBuf], cwd: &Path, dirs: &[String]) -> Option<Hit> {
    if files.is_empty() || path.is_empty() || path.starts_with('-') {
        return None;
    }
    // `{dev,x}.db`: the shell makes one word of each alternative.
    if let Some(words) = brace_words(path) {
        return words.iter().find_map(|w| hit(w, files, cwd, dirs));
    }
    // `$PWD/dev.db`, `${PWD}/dev.db`: where the command runs.
    for pwd in ["$PWD/", "${PWD}/"] {
        if let Some(rest) = path.strip_prefix(pwd) {
            return hit(if rest.is_empty() { "." } else { rest }, files, cwd, dirs);
        }
    }
    // `$(pwd)/dev.db` or any other substitution before the name: the folder is unknown, the
    // same file name is enough.
    let unknown_dir = dirs.iter().any(|d| d == "*") || path.starts_with(crate::shell::parse::SUBSTITUTED);
    let bases: Vec<PathBuf> = if path.starts_with('/') {
        vec![normalize(Path::new(path))]
    } else if path.starts_with("~/") {
        std::env::var_os("HOME").map(|h| normalize(&PathBuf::from(h).join(&path[2..]))).into_iter().collect()
    } else {
        dirs.iter().filter(|d| d.as_str() != "*").map(|d| normalize(&cwd.join(d).join(path))).collect()
    };
    let pattern = path.contains(['*', '?', '[']);
    for base in &bases {
        for f in files {
            if pattern {
                if super::tamper::glob_regex(&base.display().to_string(), false, false).is_some_and(|re| re.is_match(&f.display().to_string())) {
                    return Some(Hit::Pattern);
                }
            } else if base == f {
                return Some(Hit::File);
            } else if f.starts_with(base) && base.parent().is_some() {
                return Some(Hit::Folder);
            }
        }
    }
    // After a `cd` to somewhere unknown, the same file name is enough.
    let name = path.rsplit('/').next().unwrap_or(path);
    (unknown_dir && files.iter().any(|f| f.file_name().is_some_and(|n| n == name))).then_some(Hit::File)
}

/// The words a brace expansion (`a{b,c}d`, the first one in the word) makes, when there is one.
fn brace_words(path: &str) -> Option<Vec<String>> {
    let open = path.find('{')?;
    let close = open + path[open..].find('}')?;
    let inner = &path[open + 1..close];
    if !inner.contains(',') || inner.contains('{') {
        return None;
    }
    let (head, tail) = (&path[..open], &path[close + 1..]);
    Some(inner.split(',').map(|alt| format!("{head}{alt}{tail}")).collect())
}


/// Commands that remove every file they name.
pub(crate) const REMOVERS: &[&str] =
    &["rm", "unlink", "shred", "truncate", "srm", "trash", "trash-put", "rimraf", "del", "del-cli", "gio"];
/// Commands whose last operand (or `-t DIR`) is what they write.
const COPIERS: &[&str] = &["cp", "install", "rsync", "ln", "scp", "ditto"];

/// Why `cmd` deletes or overwrites the project's data files, if it does.
pub fn loses_data(cmd: &SimpleCommand, ctx: &Context, dirs: &[String]) -> Option<String> {
    // Reading the project (its config, .env and schema) costs more than the rest of a check:
    // only for commands that can write or remove a file.
    if !may_touch_files(cmd) {
        return None;
    }
    let files = ctx.data_files();
    if files.is_empty() {
        return None;
    }
    let db = ctx.data_label();
    let hit = |p: &str| hit(p, files, &ctx.cwd, dirs);
    for w in &cmd.writes {
        if let Some(h) = hit(w) {
            return Some(format!("the redirection writes over {w}, {}", h.describe(&db)));
        }
    }
    let argv = &cmd.argv;
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    // `python3 -c "os.remove('prisma/dev.db')"`: code that names the database may change it.
    if let Some((p, h)) = super::tamper::inline_code(argv)
        .iter()
        .flat_map(|code| super::tamper::code_paths(code))
        .find_map(|p| hit(p).filter(|h| *h == Hit::File).map(|h| (p.to_string(), h)))
    {
        return Some(format!(
            "`{name}` runs inline code that names {p}, {}, which it may delete or change",
            h.describe(&db)
        ));
    }
    let operands: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let first_hit = |list: &[&String]| list.iter().find_map(|a| hit(a).map(|h| (a.to_string(), h)));
    match name {
        _ if REMOVERS.contains(&name) => {
            first_hit(&operands).map(|(p, h)| format!("`{name}` removes or empties {p}, {}", h.describe(&db)))
        }
        // The last operand receives: a folder there only gains a file; the database file
        // there is written over.
        "mv" => {
            let (sources, dest) = operands.split_at(operands.len().saturating_sub(1));
            let sources = if operands.len() < 2 { &operands[..] } else { sources };
            first_hit(sources)
                .or_else(|| dest.iter().find_map(|a| hit(a).filter(|h| *h == Hit::File).map(|h| (a.to_string(), h))))
                .map(|(p, h)| format!("`mv` moves {p} away or over it, {}", h.describe(&db)))
        }
        _ if COPIERS.contains(&name) => {
            let target = option_value(argv, &["-t", "--target-directory"])
                .map(String::as_str)
                .or(operands.last().map(|s| s.as_str()));
            // A folder as the destination only receives files.
            let (p, h) = target.and_then(|t| hit(t).filter(|h| *h != Hit::Folder).map(|h| (t.to_string(), h)))?;
            // `cp prisma/dev.db backup.db` copies from it; onto it is what loses data.
            (operands.len() >= 2 || option_value(argv, &["-t", "--target-directory"]).is_some())
                .then(|| format!("`{name}` writes over {p}, {}", h.describe(&db)))
        }
        "dd" => argv[1..]
            .iter()
            .find_map(|a| a.strip_prefix("of=").and_then(|p| hit(p).map(|h| (p.to_string(), h))))
            .map(|(p, h)| format!("`dd` writes over {p}, {}", h.describe(&db))),
        "tee" | "sponge" => first_hit(&operands).map(|(p, h)| format!("`{name}` writes over {p}, {}", h.describe(&db))),
        "sed" | "perl"
            if argv.iter().any(|a| {
                a == "-i"
                    || a.starts_with("--in-place")
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains('i'))
            }) =>
        {
            first_hit(&operands).map(|(p, h)| format!("`{name} -i` rewrites {p}, {}", h.describe(&db)))
        }
        "find" => find_deletes(argv, files, ctx, dirs)
            .map(|p| format!("`find` deletes {p}, the project's SQLite database ({db})")),
        "git" => git(argv, ctx, dirs, &db),
        // `tar -xf a.tar dev.db`, `unzip -o a.zip`: an archive unpacked over the folder holding
        // the database (or naming it) may write over it.
        "tar" | "unzip" | "bsdtar" => {
            let extracts = name == "unzip"
                || argv.get(1).is_some_and(|a| !a.starts_with("--") && a.trim_start_matches('-').contains('x'))
                || argv.iter().any(|a| a == "--extract" || a == "--get");
            let overwrite = name != "unzip" || argv.iter().any(|a| a == "-o");
            if !extracts || !overwrite {
                return None;
            }
            let into = option_value(argv, &["-C", "--directory", "-d"]).map_or(".", String::as_str);
            let members = operands.iter().skip(1).find_map(|a| hit(a).map(|h| (a.to_string(), h)));
            members.or_else(|| hit(into).map(|h| (into.to_string(), h))).map(|(p, h)| {
                format!("`{name}` unpacks an archive over {p}, {}, writing over what is there", h.describe(&db))
            })
        }
        _ => None,
    }
}

/// Whether `cmd` is a command that can remove or write a file it names: a redirection, a
/// remover, a copier, `mv`, `dd`, `tee`, in-place editors, `find`, the git commands that
/// put files back or remove them, inline interpreter code.
fn may_touch_files(cmd: &SimpleCommand) -> bool {
    if !cmd.writes.is_empty() {
        return true;
    }
    let argv = &cmd.argv;
    let Some(name) = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)) else { return false };
    if REMOVERS.contains(&name)
        || COPIERS.contains(&name)
        || matches!(name, "mv" | "dd" | "tee" | "sponge" | "sed" | "perl" | "find" | "tar" | "unzip" | "bsdtar")
        || !super::tamper::inline_code(argv).is_empty()
    {
        return true;
    }
    name == "git"
        && crate::shell::resolve::git_subcommand_index(argv).is_some_and(|k| {
            matches!(
                argv[k].as_str(),
                "clean" | "checkout" | "restore" | "reset" | "stash" | "switch" | "rm" | "mv" | "read-tree" | "checkout-index"
            )
        })
}

fn option_value<'a>(argv: &'a [String], names: &[&str]) -> Option<&'a String> {
    let k = argv.iter().position(|a| names.contains(&a.as_str()))?;
    argv.get(k + 1)
}

/// `find ROOTS ... -delete` (or `-exec rm`): the data file it would delete, when one is under
/// a root and matches the name tests.
fn find_deletes(argv: &[String], files: &[PathBuf], ctx: &Context, dirs: &[String]) -> Option<String> {
    let exec_removes = argv.windows(2).any(|w| {
        matches!(w[0].as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")
            && REMOVERS.contains(&w[1].rsplit('/').next().unwrap_or(&w[1]))
    });
    if !argv.iter().any(|a| a == "-delete") && !exec_removes {
        return None;
    }
    let roots: Vec<&String> = argv[1..].iter().take_while(|a| !a.starts_with('-') && *a != "(" && *a != "!").collect();
    let roots: Vec<&str> = if roots.is_empty() { vec!["."] } else { roots.iter().map(|s| s.as_str()).collect() };
    let names: Vec<regex::Regex> = argv
        .windows(2)
        .filter(|w| w[0] == "-name" || w[0] == "-iname")
        .filter_map(|w| super::tamper::glob_regex(&w[1], false, w[0] == "-iname"))
        .collect();
    for f in files {
        let under = roots
            .iter()
            .any(|r| matches!(hit(r, std::slice::from_ref(f), &ctx.cwd, dirs), Some(Hit::Folder | Hit::File)));
        let name = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        // Several -name tests are usually alternatives (`-o`): any match counts.
        if under && (names.is_empty() || names.iter().any(|re| re.is_match(&name))) {
            return Some(f.display().to_string());
        }
    }
    None
}

/// git commands that put files back or remove untracked ones, over the database.
fn git(argv: &[String], ctx: &Context, dirs: &[String], db: &str) -> Option<String> {
    let k = crate::shell::resolve::git_subcommand_index(argv)?;
    let sub = argv[k].as_str();
    let args = &argv[k + 1..];
    let short = |c: char| args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
    let long = |l: &str| args.iter().any(|a| a == l);
    let state = ctx.data_git_state();
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let named = |list: &[&String]| {
        list.iter().any(|p| hit(p, ctx.data_files(), &ctx.cwd, dirs).is_some())
            || (super::git_data::has_magic(args) && super::git_data::pathspecs_cover(args, ctx.data_files(), &ctx.cwd, dirs))
    };
    match sub {
        "clean" if short('n') || long("--dry-run") => None,
        "clean" => {
            let ignored = short('x') || short('X');
            let removes = match state {
                GitState::Ignored => ignored,
                GitState::Untracked => !short('X'),
                GitState::Tracked | GitState::Outside => false,
            };
            let scoped = paths.is_empty() || named(&paths);
            (removes && scoped)
                .then(|| format!("`git clean` removes {db}, the project's SQLite database (git does not track it)"))
        }
        "checkout" | "restore" | "reset" | "stash" | "switch" => {
            let over = match sub {
                "reset" => long("--hard") || long("--merge") || long("--keep"),
                "stash" => match state {
                    // Only rows written since the last commit are stashed away.
                    GitState::Tracked => {
                        !matches!(
                            args.first().map(String::as_str),
                            Some("list" | "show" | "apply" | "pop" | "drop" | "branch")
                        ) && ctx.data_files().first().is_some_and(|f| changed_since_commit(f))
                    }
                    GitState::Untracked => short('u') || long("--include-untracked") || short('a') || long("--all"),
                    GitState::Ignored => short('a') || long("--all"),
                    GitState::Outside => false,
                },
                "switch" => short('f') || long("--force") || long("--discard-changes"),
                // `git checkout -- db`, `git checkout .`, `git restore db`, `-f`.
                _ => {
                    named(&paths)
                        || paths.iter().any(|p| p.as_str() == "." || p.as_str() == ":/")
                        || short('f')
                        || long("--force")
                }
            };
            (over && (state == GitState::Tracked || sub == "stash"))
                .then(|| format!("`git {sub}` puts back or stashes away {db}, the project's SQLite database, and the rows written since"))
        }
        "rm" if named(&paths) && !long("--cached") => {
            Some(format!("`git rm` deletes {db}, the project's SQLite database"))
        }
        "mv" if named(&paths) => Some(format!("`git mv` moves {db}, the project's SQLite database, away")),
        _ => super::git_data::plumbing(sub, args, ctx, dirs, db),
    }
}

/// How git sees the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitState {
    Tracked,
    Untracked,
    Ignored,
    /// Not in a repository (or not inside its working tree).
    Outside,
}

/// How git sees `file`.
/// Whether a tracked `file` differs from the last commit (in the index or the working tree).
pub fn changed_since_commit(file: &Path) -> bool {
    let Some(dir) = file.parent() else { return false };
    let Ok(repo) = git2::Repository::discover(dir) else { return false };
    let Some(work) = repo.workdir() else { return false };
    let work = std::fs::canonicalize(work).unwrap_or_else(|_| work.to_path_buf());
    let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let Ok(rel) = file.strip_prefix(&work) else { return false };
    repo.status_file(rel).map_or(true, |s| !s.is_empty())
}

pub fn git_state(file: &Path) -> GitState {
    let Some(dir) = file.parent() else { return GitState::Outside };
    let Ok(repo) = git2::Repository::discover(dir) else { return GitState::Outside };
    let Some(work) = repo.workdir() else { return GitState::Outside };
    let work = std::fs::canonicalize(work).unwrap_or_else(|_| work.to_path_buf());
    let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let Ok(rel) = file.strip_prefix(&work) else { return GitState::Outside };
    match repo.status_file(rel) {
        Ok(s) if s.is_ignored() => GitState::Ignored,
        Ok(s) if s.is_wt_new() => GitState::Untracked,
        Ok(_) => GitState::Tracked,
        Err(_) => match repo.is_path_ignored(rel) {
            Ok(true) => GitState::Ignored,
            _ => GitState::Untracked,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_reach_the_database() {
        let files = files_of(Path::new("/p/prisma/dev.db"));
        let here = [String::new()];
        let h = |p: &str| hit(p, &files, Path::new("/p"), &here);
        assert_eq!(h("prisma/dev.db"), Some(Hit::File));
        assert_eq!(h("./prisma/dev.db-wal"), Some(Hit::File));
        assert_eq!(h("/p/prisma/dev.db"), Some(Hit::File));
        assert_eq!(h("prisma"), Some(Hit::Folder));
        assert_eq!(h("prisma/"), Some(Hit::Folder));
        assert_eq!(h("prisma/*.db"), Some(Hit::Pattern));
        assert_eq!(h("prisma/*"), Some(Hit::Pattern));
        assert_eq!(h("prisma/dev.db.bak"), None);
        assert_eq!(h("node_modules"), None);
        assert_eq!(h("prisma/migrations"), None);
        let from_sub = [String::from("prisma")];
        assert_eq!(hit("dev.db", &files, Path::new("/p"), &from_sub), Some(Hit::File));
        let unknown = [String::new(), String::from("*")];
        assert_eq!(hit("dev.db", &files, Path::new("/p"), &unknown), Some(Hit::File));
    }
}
