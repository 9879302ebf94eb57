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
    /// A name only known when the line runs (`"$f"`, `$(ls *.db)`, `$OLDPWD`): it may be.
    Unknown,
    /// prisma-guard's backups folder or a file in it.
    Backups,
}

impl Hit {
    fn describe(self, db: &str) -> String {
        match self {
            Hit::File => format!("the project's SQLite database ({db})"),
            Hit::Folder => format!("a folder holding the project's SQLite database ({db})"),
            Hit::Pattern => format!("a pattern matching the project's SQLite database ({db})"),
            Hit::Backups => "prisma-guard's backups (only `prisma-guard prune` deletes backups)".into(),
            Hit::Unknown if db.is_empty() => {
                "a path only known when the line runs, which may be prisma-guard's backups".into()
            }
            Hit::Unknown => format!(
                "a path only known when the line runs, which may be the project's SQLite database ({db}) or its backups"
            ),
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
    // `$PWD/dev.db`, `${PWD}/dev.db`, `$PWD` (`~+`, `$(pwd)`): where the command runs.
    for pwd in ["$PWD", "${PWD}"] {
        if let Some(rest) = path.strip_prefix(pwd).filter(|r| r.is_empty() || r.starts_with('/')) {
            let rest = rest.trim_start_matches('/');
            return hit(if rest.is_empty() { "." } else { rest }, files, cwd, dirs);
        }
    }
    // `$(git rev-parse --show-toplevel)/x`: the repository's top folder.
    if let Some(rest) = path.strip_prefix(crate::shell::parse::TOPLEVEL) {
        let top = cwd.ancestors().find(|d| d.join(".git").exists()).unwrap_or(cwd);
        return hit(&format!("{}{rest}", top.display()), files, cwd, dirs);
    }
    // `$(ls -d x)/dev.db`, `$D/dev.db` or any other unknown text before the name: the folder
    // is unknown, the same file name is enough.
    let unknown_dir = dirs.iter().any(|d| d == "*")
        || (path.starts_with('$') && !temporary(path))
        || path.starts_with(crate::shell::parse::SUBSTITUTED);
    let bases: Vec<PathBuf> = if path.starts_with('/') {
        vec![normalize(Path::new(path))]
    } else if path.starts_with("~/") {
        crate::config::env::home().map(|h| normalize(&h.join(&path[2..]))).into_iter().collect()
    } else {
        dirs.iter().filter(|d| d.as_str() != "*").map(|d| normalize(&cwd.join(d).join(path))).collect()
    };
    let pattern = path.contains(['*', '?', '[']) || super::globs::extended(path);
    for base in &bases {
        for f in files {
            if pattern {
                if super::globs::reaches(&base.display().to_string(), f) {
                    return Some(Hit::Pattern);
                }
            } else if base == f {
                return Some(Hit::File);
            } else if f.starts_with(base) && base.parent().is_some() {
                return Some(Hit::Folder);
            }
        }
    }
    // `node_modules/@acme/db/dev.db`, `cd node_modules/@acme/db && rm dev.db`: a path through
    // a link (a workspace package's, one made before) names what the link points to.
    if !pattern {
        if let Some(h) = bases.iter().find_map(|b| super::globs::through_links(b, path.ends_with('/'), files)) {
            return Some(h);
        }
    }
    // After a `cd` to somewhere unknown, the same file name is enough.
    let name = path.rsplit('/').next().unwrap_or(path);
    (unknown_dir && files.iter().any(|f| f.file_name().is_some_and(|n| n == name))).then_some(Hit::File)
}

/// A word naming the temporary folder, or a file made there (`$(mktemp)`, `$TMPDIR/x`).
fn temporary(path: &str) -> bool {
    path.starts_with(crate::shell::parse::MKTEMP)
        || ["$TMPDIR", "${TMPDIR", "$TMP/", "${TMP}", "$TEMP/", "$RUNNER_TEMP", "${RUNNER_TEMP"]
            .iter()
            .any(|t| path.starts_with(t))
}

/// Whether the file or folder `path` names is only known when the line runs (its last part
/// is a variable the line does not set, a substitution, `$OLDPWD`): it may be the data.
pub fn unknown(path: &str) -> bool {
    // `find ... -exec rm {} +`: what find matches is judged with find.
    if path.starts_with('-') || temporary(path) || path.contains(crate::shell::parse::FOUND) {
        return false;
    }
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
    let dynamic = |w: &str| w.contains('$') || w.contains('`') || w.contains(crate::shell::parse::SUBSTITUTED);
    dynamic(last)
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
    &["rm", "unlink", "shred", "truncate", "srm", "trash", "trash-put", "rimraf", "del", "del-cli", "gio", "wipe"];
/// Commands whose last operand (or `-t DIR`) is what they write.
const COPIERS: &[&str] = &["cp", "install", "rsync", "ln", "scp", "ditto"];
/// Editors: a file they open may be written (`vim -c ':%d|wq' dev.db`, `ed -s dev.db`).
const EDITORS: &[&str] = &[
    "vi",
    "vim",
    "nvim",
    "ex",
    "ed",
    "red",
    "emacs",
    "emacsclient",
    "nano",
    "pico",
    "micro",
    "joe",
    "kak",
    "hx",
    "mg",
];
/// Compressors that replace a file by its compressed copy (the file is gone) unless told to
/// keep it, and those that keep it unless told `--rm`.
const COMPRESSORS: &[&str] = &["gzip", "xz", "bzip2", "lzma", "lzip", "pigz", "pbzip2", "compress", "unxz", "gunzip"];
const COMPRESSORS_KEEPING: &[&str] = &["zstd", "pzstd", "lz4", "brotli"];
/// awk and the interpreters whose inline code may name a file it writes or removes.
const AWKS: &[&str] = &["awk", "gawk", "mawk", "nawk", "busybox-awk"];

/// The table of programs that write over or remove files they name: which of `argv`'s words
/// (run as `name`) such a program loses, besides the removers, copiers and `mv`, which are
/// read on their own. `None`: it loses none of them.
pub(crate) fn lost_operands(name: &str, argv: &[String]) -> Option<Vec<String>> {
    // Made only for the programs of the table (every command of a line comes here).
    let operands = || -> Vec<String> {
        argv[1..].iter().filter(|a| !a.starts_with('-') && !a.starts_with('+')).cloned().collect()
    };
    let has = |flags: &[&str]| argv[1..].iter().any(|a| flags.contains(&a.as_str()));
    let short = |c: char| argv[1..].iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
    let values = |flags: &[&str]| -> Vec<String> {
        let mut out: Vec<String> =
            argv.windows(2).filter(|w| flags.contains(&w[0].as_str())).map(|w| w[1].clone()).collect();
        for f in flags.iter().filter(|f| f.starts_with("--")) {
            out.extend(argv.iter().filter_map(|a| a.strip_prefix(&format!("{f}=")).map(str::to_string)));
        }
        out
    };
    // A short option's value also after grouped flags (`curl -sSfo FILE`) or attached
    // (`curl -oFILE`).
    let short_values = |c: char| -> Vec<String> {
        let mut out = Vec::new();
        for (k, a) in argv.iter().enumerate().skip(1) {
            let Some(flags) = a.strip_prefix('-').filter(|f| !f.starts_with('-') && f.len() > 1) else { continue };
            if flags.ends_with(c) {
                out.extend(argv.get(k + 1).cloned());
            } else if let Some(v) = flags.strip_prefix(c) {
                out.push(v.to_string());
            }
        }
        out
    };
    let with_short = |mut v: Vec<String>, c: char| {
        v.extend(short_values(c));
        Some(v).filter(|v| !v.is_empty())
    };
    match name {
        // Punching, collapsing or zeroing ranges changes the bytes there.
        "fallocate"
            if has(&["-p", "--punch-hole", "-c", "--collapse-range", "-z", "--zero-range", "-i", "--insert-range"]) =>
        {
            Some(operands())
        }
        "sort" => with_short(values(&["-o", "--output"]), 'o'),
        "uniq" => operands().get(1).map(|o| vec![o.clone()]),
        "curl" => with_short(values(&["-o", "--output"]), 'o'),
        "wget" => with_short(values(&["-O", "--output-document"]), 'O'),
        "openssl" => Some(values(&["-out"])).filter(|v| !v.is_empty()),
        "xxd" if short('r') => {
            Some(operands()).filter(|o| o.len() >= 2).and_then(|o| o.last().map(|l| vec![l.clone()]))
        }
        // `docker cp CONTAINER:/x dev.db`: the local destination.
        "docker" | "podman" if argv.get(1).is_some_and(|a| a == "cp") => {
            let o = operands();
            o.last().filter(|l| !l.contains(':') && o.len() >= 3).map(|l| vec![l.clone()])
        }
        _ if EDITORS.contains(&name) => Some(operands()),
        _ if COMPRESSORS.contains(&name) => {
            let keeps = has(&["-c", "-k", "--keep", "--stdout", "--to-stdout", "-t", "--test", "-l", "--list"])
                || short('c')
                || short('k');
            (!keeps).then(operands)
        }
        _ if COMPRESSORS_KEEPING.contains(&name) => has(&["--rm", "-j"]).then(operands),
        // `tar cf x.tar --remove-files f`, `zip -m x.zip f`, `7z a -sdel x.7z f`.
        "tar" | "bsdtar" if has(&["--remove-files"]) => Some(operands()),
        "zip" if has(&["-m", "--move"]) => Some(operands()),
        "7z" | "7za" | "7zr" if has(&["-sdel"]) => Some(operands()),
        // `rename EXPR|FROM TO FILES`: the files are renamed away.
        "rename" | "prename" | "file-rename" => Some(operands().into_iter().skip(1).collect()),
        // `gawk -i inplace '{...}' f`: the files are rewritten.
        _ if AWKS.contains(&name) && argv.windows(2).any(|w| w[0] == "-i" && w[1].contains("inplace")) => {
            Some(operands().into_iter().skip(1).collect())
        }
        _ => None,
    }
}

/// Inline code of awk, Lua, R, Julia and Tcl (`lua -e 'os.remove("dev.db")'`, `awk
/// 'BEGIN{printf "" > "dev.db"}'`) that writes or removes a file: the code.
fn other_inline_code(name: &str, argv: &[String]) -> Option<String> {
    let code: Vec<&str> = if AWKS.contains(&name) {
        let i = argv[1..].iter().position(|a| !a.starts_with('-')).map(|k| k + 1)?;
        // `-f prog.awk` names a file: no inline program.
        if argv[1..i].iter().any(|a| a == "-f") {
            return None;
        }
        vec![argv[i].as_str()]
    } else if matches!(name, "lua" | "luajit" | "Rscript" | "julia" | "tclsh" | "wish") {
        argv.windows(2).filter(|w| w[0] == "-e").map(|w| w[1].as_str()).collect()
    } else {
        return None;
    };
    let code = code.join("\n");
    let lower = code.to_ascii_lowercase();
    let acts = [
        ">",
        "remove",
        "unlink",
        "rename",
        "truncate",
        "file.delete",
        "open(",
        "io.open",
        "writelines",
        "file delete",
        "rm(",
    ]
    .iter()
    .any(|w| lower.contains(w));
    acts.then_some(code)
}

/// Why `cmd` deletes or overwrites the project's data files, if it does.
pub fn loses_data(cmd: &SimpleCommand, ctx: &Context, dirs: &[String]) -> Option<String> {
    // Reading the project (its config, .env and schema) costs more than the rest of a check:
    // only for commands that can write or remove a file.
    if !may_touch_files(cmd) {
        return None;
    }
    let files = ctx.data_files();
    let backups = files.is_empty() && ctx.cwd.join("backups").is_dir();
    if files.is_empty() && !backups {
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
    let other = other_inline_code(name, argv);
    if let Some((p, h)) = super::tamper::inline_code(argv)
        .into_iter()
        .chain(other.as_deref())
        .flat_map(super::tamper::code_paths)
        .find_map(|p| hit(p).filter(|h| *h == Hit::File).map(|h| (p.to_string(), h)))
    {
        return Some(format!(
            "`{name}` runs inline code that names {p}, {}, which it may delete or change",
            h.describe(&db)
        ));
    }
    let operands: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let first_hit = |list: &[&String]| list.iter().find_map(|a| hit(a).map(|h| (a.to_string(), h)));
    // `php -r 'unlink($argv[1]);' dev.db`, `lua -e 'os.remove(arg[1])' dev.db`: inline code
    // that acts on the files given as its arguments, one of them the database.
    let code: Vec<&str> = super::tamper::inline_code(argv).into_iter().chain(other.as_deref()).collect();
    let by_argument =
        |c: &&str| ["argv", "arg[", "args", "commandargs"].iter().any(|w| c.to_ascii_lowercase().contains(w));
    if code.iter().any(by_argument) {
        if let Some((p, h)) = first_hit(&operands) {
            return Some(format!("`{name}` runs inline code on its arguments, among them {p}, {}", h.describe(&db)));
        }
    }
    // The backups folder, or a name only known when the line runs, which may be the data or
    // its backups (fail closed).
    let backups_dir = [ctx.cwd.join("backups")];
    let backup = |p: &str| {
        super::tamper::protected(p) == Some("prisma-guard's backups")
            || (backups_dir[0].is_dir() && self::hit(p, &backups_dir, &ctx.cwd, dirs).is_some())
    };
    let or_unknown = |list: &[&String]| {
        first_hit(list)
            .or_else(|| list.iter().find(|a| backup(a)).map(|a| (a.to_string(), Hit::Backups)))
            .or_else(|| list.iter().find(|a| unknown(a)).map(|a| (a.to_string(), Hit::Unknown)))
    };
    if let Some(lost) = lost_operands(name, argv) {
        let lost: Vec<&String> = lost.iter().collect();
        return or_unknown(&lost).map(|(p, h)| format!("`{name}` writes over or removes {p}, {}", h.describe(&db)));
    }
    match name {
        _ if REMOVERS.contains(&name) => {
            or_unknown(&operands).map(|(p, h)| format!("`{name}` removes or empties {p}, {}", h.describe(&db)))
        }
        // The last operand receives: a folder there gains a file (written over when it holds
        // one of that name); the database file there is written over.
        "mv" => {
            let target = target_directory(argv);
            let (sources, dest) = match target {
                Some(_) => (&operands[..], &[][..]),
                None => operands.split_at(operands.len().saturating_sub(1)),
            };
            let sources = if operands.len() < 2 && target.is_none() { &operands[..] } else { sources };
            or_unknown(sources)
                .or_else(|| dest.iter().find_map(|a| hit(a).filter(|h| *h == Hit::File).map(|h| (a.to_string(), h))))
                .or_else(|| into_folder(target.or(dest.first().map(|d| d.as_str())), sources, &hit))
                .map(|(p, h)| format!("`mv` moves {p} away or over it, {}", h.describe(&db)))
        }
        _ if COPIERS.contains(&name) => {
            let explicit = target_directory(argv);
            let target = explicit.or(operands.last().map(|s| s.as_str()));
            let sources: &[&String] = match explicit {
                Some(_) => &operands[..],
                None => &operands[..operands.len().saturating_sub(1)],
            };
            if operands.len() < 2 && explicit.is_none() {
                return None;
            }
            // `rsync -a --delete empty/ ./`: what the source lacks is deleted there.
            let deletes = name == "rsync" && argv.iter().any(|a| a.starts_with("--delete") || a == "--del");
            // A folder as the destination only receives files, unless one of them has the
            // database's name there (`cp /tmp/x/dev.db ./`).
            let (p, h) = target
                .and_then(|t| hit(t).filter(|h| *h != Hit::Folder || deletes).map(|h| (t.to_string(), h)))
                .or_else(|| into_folder(target, sources, &hit))
                .or_else(|| folder_over(name, target, sources, files, &ctx.cwd, dirs))?;
            Some(format!("`{name}` writes over {p}, {}", h.describe(&db)))
        }
        "dd" => {
            let of: Vec<String> = argv[1..].iter().filter_map(|a| a.strip_prefix("of=").map(str::to_string)).collect();
            let of: Vec<&String> = of.iter().collect();
            or_unknown(&of).map(|(p, h)| format!("`dd` writes over {p}, {}", h.describe(&db)))
        }
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

/// The folder `-t DIR`, `--target-directory DIR` or `--target-directory=DIR` names.
fn target_directory(argv: &[String]) -> Option<&str> {
    option_value(argv, &["-t", "--target-directory"])
        .map(String::as_str)
        .or_else(|| argv.iter().find_map(|a| a.strip_prefix("--target-directory=")))
}

/// A copy or move into folder `target` of a file named as a data file there (`cp
/// /tmp/x/dev.db ./`): that data file, written over.
fn into_folder(target: Option<&str>, sources: &[&String], hit: &dyn Fn(&str) -> Option<Hit>) -> Option<(String, Hit)> {
    let target = target?;
    if hit(target) != Some(Hit::Folder) {
        return None;
    }
    sources.iter().find_map(|s| {
        let base = s.trim_end_matches('/').rsplit('/').next().unwrap_or(s);
        let there = format!("{}/{base}", target.trim_end_matches('/'));
        hit(&there).filter(|h| *h == Hit::File).map(|h| (there, h))
    })
}

/// A folder copied into `target`, a folder holding the database (`rsync -a other/ ./`, `cp -a
/// other/. .`, `cp -r x/prisma .`): the data file there is written over when the source has a
/// file at the same place, or when what the source holds cannot be seen (another host).
fn folder_over(
    name: &str,
    target: Option<&str>,
    sources: &[&String],
    files: &[PathBuf],
    cwd: &Path,
    dirs: &[String],
) -> Option<(String, Hit)> {
    let target = target?;
    if hit(target, files, cwd, dirs) != Some(Hit::Folder) {
        return None;
    }
    let dir = dirs.iter().rev().find(|d| d.as_str() != "*").map_or(cwd.to_path_buf(), |d| cwd.join(d));
    let at = |p: &str| normalize(&if p.starts_with('/') { PathBuf::from(p) } else { dir.join(p) });
    let target_abs = at(target);
    for s in sources {
        // `host:dir/`: what another host holds is not seen.
        let remote = s.split('/').next().is_some_and(|head| head.contains(':'));
        if remote || unknown(s) {
            return Some((target.to_string(), Hit::Unknown));
        }
        // rsync's `dir/`, cp's `dir/.` and `dir/*`: the folder's contents land in the target.
        let contents = (name == "rsync" && s.ends_with('/')) || s.ends_with("/.") || s.ends_with("/*") || *s == ".";
        let src = at(s.trim_end_matches('*').trim_end_matches('.').trim_end_matches('/'));
        if !src.is_dir() {
            continue;
        }
        let dest = if contents { target_abs.clone() } else { target_abs.join(src.file_name()?) };
        for f in files {
            if let Ok(rel) = f.strip_prefix(&dest) {
                if src.join(rel).exists() {
                    return Some((format!("{target} (from {s})"), Hit::File));
                }
            }
        }
    }
    None
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
        || other_inline_code(name, argv).is_some()
        || lost_operands(name, argv).is_some()
    {
        return true;
    }
    name == "git"
        && crate::shell::resolve::git_subcommand_index(argv).is_some_and(|k| {
            matches!(
                argv[k].as_str(),
                "clean"
                    | "checkout"
                    | "restore"
                    | "reset"
                    | "stash"
                    | "switch"
                    | "rm"
                    | "mv"
                    | "read-tree"
                    | "checkout-index"
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
    let paths = super::tamper::git_operands(sub, args);
    let named = |list: &[&String]| {
        list.iter().any(|p| hit(p, ctx.data_files(), &ctx.cwd, dirs).is_some())
            || (super::git_data::has_magic(args)
                && super::git_data::pathspecs_cover(args, ctx.data_files(), &ctx.cwd, dirs))
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
                // `restore --staged` (without `--worktree`) changes only the index.
                "restore" if (long("--staged") || short('S')) && !(long("--worktree") || short('W')) => false,
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
        // Review (issue 19, round 2, item 6): where the line runs, by any name.
        assert_eq!(h("$PWD"), Some(Hit::Folder));
        assert_eq!(h("${PWD}/prisma"), Some(Hit::Folder));
        assert_eq!(h("$DIR/dev.db"), Some(Hit::File));
        assert_eq!(h("$TMPDIR/dev.db"), None);
    }

    /// Review (issue 19, round 2, item 7): names only known when the line runs.
    #[test]
    fn names_only_known_when_the_line_runs() {
        for p in ["$f", "$1", "$(…)", "dir/$name", "$OLDPWD", "${x}"] {
            assert!(unknown(p), "{p}");
        }
        for p in ["$TMPDIR/x", "$(mktemp)", "$HOME/.cache/x", "build", "-rf", "$(…){}"] {
            assert!(!unknown(p), "{p}");
        }
    }

    /// Review (issue 19, round 2, item 12): one table of programs that lose their operands.
    #[test]
    fn programs_that_write_over_or_remove_their_operands() {
        let lost = |line: &str| {
            let argv: Vec<String> = line.split(' ').map(String::from).collect();
            let name = argv[0].clone();
            lost_operands(&name, &argv)
        };
        assert_eq!(lost("sort -o dev.db x"), Some(vec!["dev.db".to_string()]));
        assert_eq!(lost("sort --output=dev.db x"), Some(vec!["dev.db".to_string()]));
        assert_eq!(lost("uniq in out"), Some(vec!["out".to_string()]));
        assert_eq!(lost("curl -o f https://x"), Some(vec!["f".to_string()]));
        assert_eq!(lost("gzip dev.db"), Some(vec!["dev.db".to_string()]));
        assert_eq!(lost("zstd --rm dev.db"), Some(vec!["dev.db".to_string()]));
        for keeps in
            ["gzip -k dev.db", "gzip -c dev.db", "zstd dev.db", "sort x", "curl https://x", "tar cf x.tar dev.db"]
        {
            assert_eq!(lost(keeps), None, "{keeps}");
        }
    }
}
