//! `prisma-guard scan`: find destructive commands and migrations. Exit 0 clean, 1 when an
//! error-level finding remains, 2 on a usage or I/O error.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::ScanArgs;
use crate::config::settings::GlobalOptions;
use crate::error::Failure;
use crate::scan::given::{named_file, resolve};
use crate::scan::report::{self, Format};
use crate::scan::{self, source, Options, Scanned, Source};
use crate::ExitStatus;

pub fn run(global: &GlobalOptions, args: &ScanArgs) -> Result<ExitStatus> {
    match scan_all(global, args) {
        Ok(status) => Ok(status),
        Err(e) if e.downcast_ref::<Failure>().is_some() => Err(e),
        // Every other error is I/O: exit 2, never mistaken for "findings".
        Err(e) => Err(Failure::usage(format!("{e:#}")).into()),
    }
}

fn scan_all(global: &GlobalOptions, args: &ScanArgs) -> Result<ExitStatus> {
    let threads = crate::config::env::scan_threads();
    let cwd = crate::config::settings::working_dir(global)?;
    let pushed_to;
    let args = match push_arguments(&cwd, args) {
        Some(a) => {
            pushed_to = a;
            &pushed_to
        }
        None => args,
    };
    let config = crate::config::load(&cwd, &cwd, global.guard_config.as_deref())?;
    config.warn_ignored(&crate::ui::Printer { quiet: false });
    let section = &config.file.scan;
    let mut disable = Vec::new();
    for id in section.disable.iter().chain(&args.disable) {
        let Some(rule) = crate::rules::RuleId::parse(id) else {
            return Err(Failure::usage(format!("there is no rule `{id}` to disable"))
                .hint("rule ids are listed in docs/rules.md")
                .into());
        };
        disable.push(rule);
    }
    let mut opts = Options {
        disable,
        exclude: section.exclude.clone(),
        start_after: args.start_after.clone().or_else(|| section.start_after.clone()),
        production_scripts: section.production_scripts.clone(),
        threads,
        migration_dirs: Vec::new(),
        shebang: Vec::new(),
    };
    let repo = source::open_repo(&cwd);
    let root = repo.as_ref().and_then(source::workdir).unwrap_or_else(|| cwd.clone());
    let root = root.canonicalize().unwrap_or(root);
    let cwd_abs = cwd.canonicalize().unwrap_or_else(|_| cwd.clone());
    let near: Vec<PathBuf> = args.paths.iter().map(|p| cwd_abs.join(p)).collect();
    let unreadable_config = |e: String| {
        Failure::usage(e).hint(
            "write it as Prisma reads it without running code: `migrations: { path: \"prisma/migrations\" }` (a string, or path.join of strings)",
        )
    };
    opts.migration_dirs =
        scan::prisma_dirs::config_migration_dirs(&root, repo.as_ref(), None, &near).map_err(unreadable_config)?;
    // Files named in a migrations folder that is a symbolic link (the pre-commit framework
    // passes them by their own path): migrations. A walk follows the link itself.
    if !args.paths.is_empty() {
        if let Some(index) = repo.as_ref().and_then(|r| r.index().ok()) {
            let tree = Source::WorkTree { root: root.clone(), dirs: Default::default() };
            let linked =
                scan::related::linked_migration_dirs(&scan::related::list(&tree, Some(&root), Some(&index)), &opts);
            opts.migration_dirs.extend(linked);
        }
    }
    // Files of a scanned kind given by name are not looked at first: reading them tells
    // whether they are there (except where git, not the working tree, is read).
    let worktree = !(args.staged || args.pre_push || args.since.is_some());
    let given = resolve(&args.paths, &cwd_abs, &root, |rel| worktree && named_file(rel, &opts))?;
    let under = |rel: &str| {
        given.is_empty()
            || given.iter().any(|g| {
                let f = &g.rel;
                f.is_empty() || rel == f || rel.strip_prefix(f.as_str()).is_some_and(|r| r.starts_with('/'))
            })
    };

    let need_repo = || {
        Failure::usage(format!("{} is not inside a git repository", cwd.display()))
            .hint("--staged, --pre-push and --since read git history; run plain `prisma-guard scan` here")
    };
    if args.staged || args.pre_push {
        // A git hook: the project shim put back where a package manager replaced it since
        // (`npm install -D X`, `pnpm add X`), so that the terminal's `npx prisma` is guarded again.
        if let Some(dir) = crate::install::shim::repair_project(&cwd_abs) {
            crate::ui::Printer::default().warn(format!(
                "{}/prisma was the package manager's link again (an install re-created it): the prisma-guard shim is back",
                dir.display()
            ));
        }
    }
    let scanned = if args.staged {
        let repo = repo.ok_or_else(need_repo)?;
        scan::staged::staged(repo, &root, &near, &mut opts, &under, &unreadable_config)?
    } else if args.pre_push {
        let repo = repo.ok_or_else(need_repo)?;
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input).context("could not read the pushed refs on stdin")?;
        // Under the pre-commit framework's pre-push stage, which reads git's lines itself:
        // the ref it names, as git's line would give it.
        if input.trim().is_empty() {
            if let Some(line) = crate::config::env::pre_commit_push().and_then(|p| pre_commit_push_line(&repo, &p)) {
                input = line;
            }
        }
        // `{1}` as is: lefthook run by hand, with no arguments from git, leaves its placeholder.
        let placeholder = |r: &str| r.starts_with('{') && r.ends_with('}');
        let remote = args
            .remote
            .clone()
            .filter(|r| !placeholder(r))
            .or_else(crate::config::env::pre_commit_remote)
            .filter(|r| !r.is_empty());
        scan::pre_push::pre_push(repo, &input, remote.as_deref(), &opts, &under, &unreadable_config)?
    } else if let Some(rev) = &args.since {
        let repo = repo.as_ref().ok_or_else(need_repo)?;
        let mut paths: Vec<String> = source::changed_since(repo, rev)?;
        let tree = Source::WorkTree { root: root.clone(), dirs: Default::default() };
        scan::prisma_dirs::looks_like_migrations(&tree, &paths, &mut opts.migration_dirs);
        // With the files that run what changed (a SQL file a script runs, a linked
        // migration.sql's target) and the migrations folders that are links.
        let mut unreadable = Vec::new();
        if let Ok(index) = repo.index() {
            let listing = scan::related::list(&tree, Some(&root), Some(&index));
            unreadable = scan::related::widen(&tree, &listing, &mut paths, &mut opts);
        }
        let paths: Vec<String> = paths.into_iter().filter(|p| under(p) && !opts.excluded(p)).collect();
        let mut scanned = scan::scan(&tree, paths.clone(), &opts);
        scanned.unreadable.extend(unreadable);
        // Judged by what changed since `rev`: what the files had there is not new (as the
        // hooks judge a commit or a push).
        if let (Some(commit), Some(git_dir)) = (source::commit_of(repo, rev), Some(repo.path())) {
            let base = Source::Tree { repo: git2::Repository::open(git_dir)?, commit };
            let base_baseline = Some(scan::baseline::in_source(&base));
            let mut base_opts = opts.clone();
            if let Ok(dirs) = scan::prisma_dirs::source_migration_dirs(&base) {
                base_opts.migration_dirs = dirs;
            }
            let before = scan::scan(&base, paths, &base_opts);
            scanned.drop_old(&before.findings.iter().map(scan::baseline::entry).collect::<Vec<_>>());
            scanned.base_baseline = base_baseline;
        }
        scanned
    } else {
        scan::given::scan_worktree(&root, repo.as_ref(), &args.paths, &cwd_abs, given, &opts, &unreadable_config)?
    };
    let Scanned { mut findings, files, unreadable, already_there, base_baseline, .. } = scanned;
    match args.baseline {
        Some(crate::cli::BaselineMode::Write) => {
            if args.staged || args.pre_push || args.since.is_some() || !args.paths.is_empty() {
                return Err(Failure::usage("`--baseline write` records the findings of the whole repository")
                    .hint("run `prisma-guard scan --baseline write` at the repository root, without paths, --staged, --pre-push or --since")
                    .into());
            }
            if !unreadable.is_empty() {
                return Err(Failure::usage("some files could not be read, so no baseline was written").into());
            }
            let path = scan::baseline::write(&root, &findings)?;
            if !global.quiet {
                println!(
                    "recorded {} known findings in {}: commit it; later scans, hooks and CI report only new findings",
                    findings.len(),
                    path.display()
                );
            }
            return Ok(ExitStatus::Success);
        }
        Some(crate::cli::BaselineMode::Ignore) => {}
        None => match scan::baseline::load(&root)? {
            Some(Ok(entries)) => {
                // Entries the checked commit, push or range adds hide none of its findings:
                // a baseline counts once it is on the base (said, for CI's log).
                let entries = match &base_baseline {
                    Some(base) => {
                        let (known, added) = scan::baseline::split_known(&entries, base);
                        if !added.is_empty() && !global.quiet {
                            let list: Vec<String> = added.iter().map(|e| format!("{} {}", e.path, e.rule)).collect();
                            eprintln!(
                                "prisma-guard scan: {} grew by {} entries in what is checked ({}); they hide none of its findings (a baseline counts once it is on the base branch)",
                                scan::baseline::FILE_NAME,
                                added.len(),
                                list.join(", ")
                            );
                        }
                        known
                    }
                    None => entries,
                };
                // What the base version's copy already took is not hidden again: a second
                // copy of a baselined line is new.
                let entries = scan::baseline::without(&entries, &already_there);
                let (kept, hidden) = scan::baseline::filter(std::mem::take(&mut findings), &entries);
                findings = kept;
                if hidden > 0 && !global.quiet {
                    eprintln!(
                        "prisma-guard scan: {hidden} known findings in {} not shown (`--baseline ignore` shows them)",
                        scan::baseline::FILE_NAME
                    );
                }
            }
            Some(Err(why)) => crate::ui::Printer::default().warn(why),
            None => {}
        },
    }

    // A scan that could not read a file is no "no findings": the report then holds only
    // what was found (the error below says what was not checked).
    if unreadable.is_empty() || !findings.is_empty() {
        write_report(args.format, args.output.as_deref(), &findings, files)?;
    }
    if args.format == Format::Github || args.output.is_some() {
        // Annotations and files are for machines; say the outcome for people too.
        if !global.quiet {
            eprintln!("prisma-guard scan: {}", report::summary_line(&findings, files));
        }
    }
    if !unreadable.is_empty() {
        // Fail closed: a file that could not be read was not checked.
        let list: Vec<String> = unreadable.iter().map(|(p, e)| format!("{p} ({e})")).collect();
        return Err(Failure::usage(format!(
            "could not read {} so {} not checked: {}",
            if list.len() == 1 { "a file".to_string() } else { format!("{} files", list.len()) },
            if list.len() == 1 { "it was" } else { "they were" },
            list.join(", ")
        ))
        .hint("make them readable, or leave them out with `exclude` under [scan] in prisma-guard.toml")
        .into());
    }
    let errors = findings.iter().any(|f| f.severity == crate::rules::Severity::Error);
    if errors && (args.staged || args.pre_push) && args.format == Format::Text {
        eprintln!(
            "prisma-guard: blocked. Fix the findings, or add `-- prisma-guard-ignore <rule>: <reason>` above the statement \
             (`# prisma-guard-ignore <rule>: <reason>` in scripts) when the data loss is intended."
        );
    }
    Ok(if errors { ExitStatus::Failure } else { ExitStatus::Success })
}

/// The report in `format`, to the file `path` (written atomically) or stdout.
fn write_report(format: Format, path: Option<&Path>, findings: &[scan::Finding], files: usize) -> Result<()> {
    if format == Format::Json && path.is_none() {
        // Written as it is built: the report of a large scan is hundreds of KiB.
        let mut stdout = std::io::stdout().lock();
        let written = report::json_to(findings, files, &mut |piece| stdout.write_all(piece.as_bytes()))
            .and_then(|()| stdout.flush());
        return stdout_result(written);
    }
    let out = match format {
        Format::Text => report::text(findings, files),
        Format::Json => report::json(findings, files),
        Format::Sarif => report::sarif(findings),
        Format::Github => report::github(findings),
    };
    write_output(path, &out)
}

fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .map_err(anyhow::Error::from)
            .and_then(|()| crate::backup::store::io::write_atomic(p, text.as_bytes()))
            .map(|_| ())
            .with_context(|| format!("could not write {}", p.display())),
        None => crate::ui::write_stdout(text),
    }
}

/// A reader that stopped reading (`| head`) is not an error.
fn stdout_result(written: std::io::Result<()>) -> Result<()> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("could not write to stdout"),
    }
}

/// The pre-push line git would have given for what the pre-commit framework names: its local
/// branch and the commit pushed (`TO_REF`, else the branch's tip), the remote branch, and
/// where the push starts (`FROM_REF`; none when it pushes whole history).
fn pre_commit_push_line(repo: &git2::Repository, p: &crate::config::env::PreCommitPush) -> Option<String> {
    let to = match (&p.to_ref, &p.local_branch) {
        (Some(to), _) => repo.revparse_single(to).ok()?.id(),
        (None, Some(branch)) => repo.revparse_single(branch).ok()?.id(),
        (None, None) => return None,
    };
    let from = match &p.from_ref {
        Some(from) => repo.revparse_single(from).ok()?.id().to_string(),
        None => "0".repeat(40),
    };
    let local = p.local_branch.clone().unwrap_or_else(|| "HEAD".into());
    let remote = p.remote_branch.clone().unwrap_or_else(|| local.clone());
    Some(format!("{local} {to} {remote} {from}\n"))
}

/// `scan --pre-push REMOTE [URL]`: git's own two arguments to a pre-push hook, passed on as
/// they come (lefthook's `{1}`/`{0}`, a hand-written `"$@"`), are the remote, not paths to
/// scan (which would leave every pushed file out). The first must name one of the
/// repository's remotes, or be a URL that is not a path here; the second, a URL.
fn push_arguments(cwd: &Path, args: &ScanArgs) -> Option<ScanArgs> {
    if !args.pre_push || args.paths.is_empty() || args.paths.len() > 2 {
        return None;
    }
    let repo = source::open_repo(cwd)?;
    let first = args.paths[0].to_str()?;
    let second = args.paths.get(1).map(|p| p.to_string_lossy().into_owned());
    let url = |s: &str| s.contains("://") || (s.contains(':') && !s.starts_with('/') && !s.starts_with('.'));
    let taken = match repo.find_remote(first) {
        // A remote's name, then (from git) its URL.
        Ok(r) => second
            .as_deref()
            .is_none_or(|s| r.url() == Some(s) || r.pushurl() == Some(s) || url(s) || !cwd.join(s).exists()),
        // `git push URL`: git gives the URL twice.
        Err(_) => url(first) && !cwd.join(first).exists() && second.as_deref().is_none_or(|s| s == first),
    };
    if !taken {
        return None;
    }
    let mut out = args.clone();
    out.remote = out.remote.clone().or_else(|| Some(first.to_string()));
    out.paths.clear();
    Some(out)
}
