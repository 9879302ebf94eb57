//! What the repository a line runs in tells about that line, read once per line and only
//! when a command asks: the hooks folder core.hooksPath names, hook and settings files with
//! changes not committed yet (what `git stash` or `git reset --hard` would take back), and
//! whether git's hooks need node_modules to run at all.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use crate::install::git_hooks;

#[derive(Debug, Default)]
pub struct Context {
    /// Where the line runs.
    pub cwd: PathBuf,
    /// The folder core.hooksPath names, read when a command asks ([`Context::hooks`]).
    hooks: OnceCell<Option<String>>,
    changed: OnceCell<Changed>,
    node_hooks: OnceCell<Option<(PathBuf, String)>>,
    /// The project's SQLite database and its sidecar files, absolute (empty: none known).
    data: OnceCell<Vec<PathBuf>>,
    data_git: OnceCell<crate::judge::data::GitState>,
}

/// Protected files (hooks, hook managers' and agents' settings, prisma-guard's own) that differ
/// from the last commit, by kind of change.
#[derive(Debug, Default)]
struct Changed {
    /// Tracked files changed in the index or the working tree.
    tracked: Vec<String>,
    /// Files git does not track yet (and does not ignore).
    untracked: Vec<String>,
}

impl Context {
    pub fn new(cwd: &Path) -> Context {
        Context { cwd: cwd.to_path_buf(), ..Context::default() }
    }

    /// The folder core.hooksPath names, as written (relative to the working tree, or
    /// absolute). Opening the repository costs more than judging most lines, so only the
    /// commands that touch files or git ask.
    pub fn hooks(&self) -> Option<&str> {
        self.hooks.get_or_init(|| super::tamper::hooks_folder(&self.cwd)).as_deref()
    }

    /// Context for tests: a hooks folder, nothing changed, no node_modules needed.
    #[cfg(test)]
    pub fn with_hooks(hooks: &str) -> Context {
        let ctx = Context::default();
        let _ = ctx.hooks.set(Some(hooks.to_string()));
        let _ = ctx.changed.set(Changed::default());
        let _ = ctx.node_hooks.set(None);
        ctx
    }

    /// The project's SQLite database and its `-wal`, `-shm`, `-journal` files, absolute, as
    /// prisma-guard reads the project without running anything (empty when the project uses
    /// another database, or none is found).
    pub fn data_files(&self) -> &[PathBuf] {
        self.data.get_or_init(|| {
            project_databases(&self.cwd).iter().flat_map(|db| crate::judge::data::files_of(db)).collect()
        })
    }

    /// The database file as named in findings: relative to where the line runs when inside it.
    pub fn data_label(&self) -> String {
        match self.data_files().first() {
            Some(db) => db.strip_prefix(&self.cwd).unwrap_or(db).display().to_string(),
            None => String::new(),
        }
    }

    /// How git sees the project's SQLite database (tracked, untracked, ignored).
    pub fn data_git_state(&self) -> crate::judge::data::GitState {
        *self.data_git.get_or_init(|| match self.data_files().first() {
            Some(db) => crate::judge::data::git_state(db),
            None => crate::judge::data::GitState::Outside,
        })
    }

    /// Protected files with uncommitted changes: tracked ones, and with `untracked` also new
    /// ones.
    pub fn changed_protected(&self, untracked: bool) -> Vec<String> {
        let c = self.changed.get_or_init(|| changed(&self.cwd, self.hooks()));
        let mut out = c.tracked.clone();
        if untracked {
            out.extend(c.untracked.iter().cloned());
        }
        out
    }

    /// When the git hooks of this repository run only while node_modules holds their runner
    /// (lefthook's hook looks for lefthook there and, not finding it, lets the commit through):
    /// that node_modules folder, and the runner.
    pub fn node_hooks(&self) -> Option<&(PathBuf, String)> {
        self.node_hooks.get_or_init(|| git_hooks::hooks_need_node_modules(&self.cwd)).as_ref()
    }
}

/// The SQLite files of every Prisma project a line run in `cwd` can reach by a path: the
/// project around `cwd` first, then those of every package of the workspace (or repository)
/// around it, then those in the folders below `cwd` (a line run above a project names its
/// files as `sq/dev.db`).
fn project_databases(cwd: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = project_sqlite(cwd);
    let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::from([cwd.to_path_buf()]);
    let mut push = |dir: &Path, out: &mut Vec<PathBuf>| {
        // Each folder is read once (the repository's root is often where the line runs).
        // A project's own `prisma/` folder (its schema) is that project, not another one.
        let schema_folder = dir.file_name().is_some_and(|n| n == "prisma") && dir.parent().is_some_and(is_prisma_dir);
        if seen.insert(dir.to_path_buf()) && !schema_folder && is_prisma_dir(dir) {
            for db in project_sqlite(dir) {
                if !out.contains(&db) {
                    out.push(db);
                }
            }
        }
    };
    let workspace = cwd.ancestors().find_map(crate::shell::package_scripts::workspace_package_dirs);
    for dir in workspace.unwrap_or_default() {
        push(&dir, &mut out);
    }
    // The repository's own folders, and the ones below `cwd`, two levels deep.
    let repo_root = cwd.ancestors().find(|d| d.join(".git").exists());
    for root in repo_root.into_iter().chain(std::iter::once(cwd)) {
        for dir in subfolders(root, 2) {
            push(&dir, &mut out);
        }
    }
    out
}

/// Whether `dir` holds a Prisma project of its own (a schema or a Prisma config).
fn is_prisma_dir(dir: &Path) -> bool {
    ["prisma/schema.prisma", "schema.prisma", "prisma.config.ts", "prisma.config.js", "prisma.config.mjs", "prisma"]
        .iter()
        .any(|f| dir.join(f).exists())
}

/// `root` and its folders down to `depth` levels, node_modules and hidden folders aside.
pub(crate) fn subfolders(root: &Path, depth: usize) -> Vec<PathBuf> {
    let mut out = vec![root.to_path_buf()];
    let mut level = vec![root.to_path_buf()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for dir in &level {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for e in entries.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') || name == "node_modules" || !e.file_type().is_ok_and(|t| t.is_dir()) {
                    continue;
                }
                next.push(e.path());
            }
        }
        next.sort();
        out.extend(next.iter().cloned());
        level = next;
    }
    out
}

/// The SQLite files of the Prisma project around `cwd`, read statically (no Node): the one
/// its URL names first, then, when its datasource is SQLite, every SQLite database beside
/// its schema and at its root. Those hold the project's data whatever the URL says now: a
/// `.env` repointed by the agent (`sed -i s/dev.db/x.db/ .env`), or a `DATABASE_URL` in the
/// agent's environment, does not make `dev.db` someone else's.
fn project_sqlite(cwd: &Path) -> Vec<PathBuf> {
    let opts = crate::project::Options { cwd: cwd.to_path_buf(), ..crate::project::Options::default() };
    let Ok(project) = crate::project::Project::discover(&opts) else { return Vec::new() };
    let mut out: Vec<PathBuf> = project
        .target(&opts)
        .ok()
        .and_then(|t| t.sqlite_path)
        .map(|p| crate::config::lexical_normalize(&p))
        .into_iter()
        .collect();
    let sqlite = project.datasource.as_ref().and_then(|(_, d)| d.provider.as_deref()) == Some("sqlite");
    if sqlite {
        let schema_dir = project.schema.as_ref().map(|s| if s.is_dir() { s.clone() } else { s.with_file_name("") });
        let dirs = [Some(project.root.clone()), Some(project.root.join("prisma")), schema_dir];
        let mut found: Vec<PathBuf> = dirs
            .iter()
            .flatten()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flat_map(|entries| entries.flatten().map(|e| e.path()))
            .filter(|p| is_sqlite_file(p))
            .map(|p| crate::config::lexical_normalize(&p))
            .collect();
        found.sort();
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// Whether `path` is a SQLite database: a file that starts with SQLite's header.
fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if name.ends_with("-wal") || name.ends_with("-shm") || name.ends_with("-journal") {
        return false;
    }
    let mut head = [0u8; 15];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"SQLite format 3"
}

fn changed(cwd: &Path, hooks: Option<&str>) -> Changed {
    let mut out = Changed::default();
    let Ok(repo) = git2::Repository::discover(cwd) else { return out };
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false);
    let Ok(statuses) = repo.statuses(Some(&mut opts)) else { return out };
    for e in statuses.iter() {
        let Some(path) = e.path() else { continue };
        if super::tamper::protected_with(path, hooks).is_none() {
            continue;
        }
        let s = e.status();
        if s.is_wt_new() && !s.is_index_new() {
            out.untracked.push(path.to_string());
        } else if !s.is_empty() && !s.is_ignored() {
            out.tracked.push(path.to_string());
        }
    }
    out
}

/// Migrations not committed yet (new or changed in the working tree, as an agent writes them)
/// whose SQL loses data: the first, and what it does. `migrate deploy` and `migrate dev` apply
/// them, so running either is as destructive as the SQL.
pub fn uncommitted_migration_loss(cwd: &Path) -> Option<String> {
    let opts = crate::project::Options { cwd: cwd.to_path_buf(), ..crate::project::Options::default() };
    let project = crate::project::Project::discover(&opts).ok()?;
    let dir = crate::config::lexical_normalize(&project.migrations_dir()?);
    let repo = git2::Repository::discover(&dir).ok()?;
    let workdir = repo.workdir()?.to_path_buf();
    let workdir = std::fs::canonicalize(&workdir).unwrap_or(workdir);
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    let rel = dir.strip_prefix(&workdir).ok()?.to_string_lossy().into_owned();
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true).include_ignored(true).pathspec(&rel);
    let statuses = repo.statuses(Some(&mut opts)).ok()?;
    let mut files: Vec<String> = statuses
        .iter()
        .filter(|e| !e.status().is_empty())
        .filter_map(|e| e.path().map(str::to_string))
        .filter(|p| p.ends_with("migration.sql"))
        .collect();
    files.sort();
    for f in files {
        let Ok(text) = std::fs::read_to_string(workdir.join(&f)) else { continue };
        if let Some(d) = crate::sql::dangers(&text).into_iter().next() {
            return Some(format!(
                "it applies {f}, a migration not committed yet, which {} (line {}: {})",
                d.message,
                d.line,
                d.statement.lines().next().unwrap_or("").trim()
            ));
        }
    }
    None
}
