//! `prisma-guard scan`: find destructive commands and migrations. Exit 0 clean, 1 when an
//! error-level finding remains, 2 on a usage or I/O error.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::{GlobalArgs, ScanArgs};
use crate::error::Failure;
use crate::scan::report::{self, Format};
use crate::scan::{self, source, Options, Scanned, Source};
use crate::ExitStatus;

pub fn run(global: &GlobalArgs, args: &ScanArgs) -> Result<ExitStatus> {
    match scan_all(global, args) {
        Ok(status) => Ok(status),
        Err(e) if e.downcast_ref::<Failure>().is_some() => Err(e),
        // Every other error is I/O: exit 2, never mistaken for "findings".
        Err(e) => Err(Failure::usage(format!("{e:#}")).into()),
    }
}

fn scan_all(global: &GlobalArgs, args: &ScanArgs) -> Result<ExitStatus> {
    let threads = std::env::var("PRISMA_GUARD_SCAN_THREADS").ok().and_then(|v| v.parse().ok());
    let cwd = crate::config::settings::working_dir(global)?;
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
    // Files of a scanned kind given by name are looked at by reading them (a hook or a glob
    // passes hundreds: one `stat` each costs as much as reading it), except where git, not
    // the working tree, is read.
    let worktree = !(args.staged || args.pre_push || args.since.is_some());
    let mut given = resolve(&args.paths, &cwd_abs, &root, |rel| worktree && named_file(rel, &opts))?;
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
    let scanned = if args.staged {
        let repo = repo.ok_or_else(need_repo)?;
        let git_dir = repo.path().to_path_buf();
        let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id());
        let (src, paths) = source::staged(repo)?;
        // The configs as this commit has them: `git commit -a` and `git commit <paths>` stage
        // a changed `migrations.path` in the index git names, not in the default one.
        opts.migration_dirs =
            scan::prisma_dirs::config_migration_dirs(&root, None, Some(&src), &near).map_err(unreadable_config)?;
        // prisma-guard.toml and the scan baseline decide what the guard allows once
        // committed: an AI agent may not commit them (a person does).
        if let Some(agent) = crate::agents::env::detect_current() {
            let settings = [crate::config::FILE_NAME, scan::baseline::FILE_NAME];
            if let Some(p) = paths.iter().find(|p| settings.iter().any(|f| p.rsplit('/').next() == Some(*f))) {
                return Err(Failure::new(format!(
                    "an AI agent ({agent}) may not commit {p}: it decides what prisma-guard allows, so a person commits it"
                ))
                .status(ExitStatus::Refused)
                .hint(format!("leave {p} out of this commit (`git restore --staged {p}`), and ask the user to commit it"))
                .into());
            }
        }
        let paths: Vec<String> = paths.into_iter().filter(|p| under(p)).collect();
        let mut scanned = scan::scan(&src, paths.clone(), &opts);
        // What the committed version of a changed file already had is not new: a commit that
        // touches package.json is not blocked by the db:reset script it always had (the
        // baseline's rule, with HEAD as the baseline).
        if let (Some(commit), Ok(repo)) = (head, git2::Repository::open(&git_dir)) {
            let before = scan::scan(&Source::Tree { repo, commit }, paths, &opts);
            let known: Vec<scan::baseline::Entry> = before.findings.iter().map(scan::baseline::entry).collect();
            scanned.findings = scan::baseline::filter(std::mem::take(&mut scanned.findings), &known).0;
        }
        scanned
    } else if args.pre_push {
        let repo = repo.ok_or_else(need_repo)?;
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input).context("could not read the pushed refs on stdin")?;
        let refs = source::parse_push_lines(&input);
        // git gives a pre-push hook no ref lines when there is nothing to push ("Everything
        // up-to-date"), and also when something earlier in the hook read them first. The
        // second must not pass as clean: with commits no remote-tracking branch holds, say so.
        if refs.is_empty() {
            if let Some(n) = source::unpushed_head(&repo) {
                return Err(Failure::usage(format!(
                    "the pre-push scan got no pushed refs from git on its input, but HEAD has {n} commit(s) no remote-tracking branch holds: something earlier in the hook may have read git's input, so what is pushed cannot be checked"
                ))
                .hint("run `prisma-guard hooks install` (it puts prisma-guard's line first in the hook, with its own copy of the input); if the push really has nothing to send, run `git fetch` so the remote-tracking branches are current")
                .into());
            }
        }
        let mut total = Scanned::default();
        let remote =
            args.remote.clone().or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok()).filter(|r| !r.is_empty());
        for (src, paths) in source::pushed(repo, &refs, remote.as_deref())? {
            let paths: Vec<String> = paths.into_iter().filter(|p| under(p)).collect();
            // The migration folders the pushed commit's configs name, not the working tree's.
            let mut opts = opts.clone();
            opts.migration_dirs = scan::prisma_dirs::source_migration_dirs(&src).map_err(unreadable_config)?;
            total.add(scan::scan(&src, paths, &opts));
        }
        total
    } else if let Some(rev) = &args.since {
        let repo = repo.as_ref().ok_or_else(need_repo)?;
        let paths: Vec<String> =
            source::changed_since(repo, rev)?.into_iter().filter(|p| under(p) && !opts.excluded(p)).collect();
        scan::scan(&Source::WorkTree { root: root.clone(), dirs: Default::default() }, paths, &opts)
    } else {
        let config_error = std::cell::RefCell::new(None);
        let tree = |given: &[Given]| {
            let mut dirs = std::collections::BTreeMap::new();
            let mut all = Vec::new();
            let mut extra = Vec::new();
            let whole = [Given { rel: String::new(), what: What::Folder, typed: 0 }];
            for g in if given.is_empty() { &whole[..] } else { given } {
                if g.what != What::Folder {
                    // A file given by name: no walk.
                    all.push(g.rel.clone());
                    continue;
                }
                let walked = scan::walk(&root, &root.join(&g.rel), repo.as_ref(), &opts);
                if let Some(e) = &walked.config_error {
                    config_error.replace(Some(e.clone()));
                }
                all.extend(walked.paths);
                dirs.extend(walked.migration_dirs);
                extra.extend(walked.config_dirs);
            }
            let mut opts = opts.clone();
            opts.migration_dirs.extend(extra);
            scan::scan(&Source::WorkTree { root: root.clone(), dirs }, all, &opts)
        };
        let mut scanned = tree(&given);
        if let Some(e) = config_error.borrow_mut().take() {
            return Err(unreadable_config(e).into());
        }
        let folder_named = scanned.unreadable.iter().any(|(p, e)| {
            e.kind() == std::io::ErrorKind::IsADirectory && given.iter().any(|g| g.what == What::Named && g.rel == *p)
        });
        if folder_named {
            // A folder named like a file (`deploy.sh/`): look at every path, and walk that one.
            given = resolve(&args.paths, &cwd_abs, &root, |_| false)?;
            scanned = tree(&given);
        }
        if !scanned.missing.is_empty() {
            let missing: std::collections::BTreeSet<&str> = scanned.missing.iter().map(String::as_str).collect();
            if let Some(g) = given.iter().find(|g| g.what == What::Named && missing.contains(g.rel.as_str())) {
                return Err(no_such(&args.paths[g.typed]).into());
            }
        }
        scanned
    };
    let Scanned { mut findings, files, unreadable, .. } = scanned;
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
        let s = report::summary(&findings, files);
        if !global.quiet {
            eprintln!("prisma-guard scan: {} errors, {} warnings ({} files scanned)", s.errors, s.warnings, s.files);
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
        None => {
            let mut out = std::io::stdout().lock();
            stdout_result(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
        }
    }
}

/// A reader that stopped reading (`| head`) is not an error.
fn stdout_result(written: std::io::Result<()>) -> Result<()> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("could not write to stdout"),
    }
}

/// A relative path of plain names: no `.` or `..` parts, no empty ones (`a//b`, a trailing
/// `/`), no backslash.
fn plain_relative(p: &str) -> bool {
    !p.is_empty() && !p.contains('\\') && p.split('/').all(|part| !matches!(part, "" | "." | ".."))
}

/// A path from the command line, repository-relative.
struct Given {
    rel: String,
    what: What,
    /// Its index among the paths given, to name it as typed.
    typed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Folder,
    File,
    /// A file of a scanned kind, not looked at: reading it tells whether it is there.
    Named,
}

fn no_such(typed: &Path) -> Failure {
    Failure::usage(format!("cannot scan {}: no such file or folder", typed.display()))
        .hint("give files or folders that exist")
}

/// Whether `rel` names a file the scan reads (so reading it is the check that it is there).
fn named_file(rel: &str, opts: &Options) -> bool {
    opts.kind(rel).is_some() && !opts.excluded(rel)
}

/// The paths given, repository-relative; each is looked at (`stat`) unless `unlooked` says
/// reading it will do.
fn resolve(paths: &[PathBuf], cwd_abs: &Path, root: &Path, unlooked: impl Fn(&str) -> bool) -> Result<Vec<Given>> {
    // The working folder, repository-relative ("" at the root), when it is inside.
    let cwd_rel = cwd_abs.strip_prefix(root).ok().and_then(Path::to_str).map(|r| r.replace('\\', "/"));
    let look = |abs: &Path, typed: &Path| std::fs::metadata(abs).map_err(|_| no_such(typed));
    paths
        .iter()
        .enumerate()
        .map(|(typed, p)| {
            // A plain relative path (no `.`, `..` or empty parts), the usual form from a hook
            // or a glob, is joined as it is: hundreds of them stay cheap.
            if let (Some(base), Some(plain)) = (&cwd_rel, p.to_str().filter(|s| plain_relative(s))) {
                let rel = if base.is_empty() { plain.to_string() } else { format!("{base}/{plain}") };
                if unlooked(&rel) {
                    return Ok(Given { rel, what: What::Named, typed });
                }
                let what = if look(&cwd_abs.join(plain), p)?.is_dir() { What::Folder } else { What::File };
                return Ok(Given { rel, what, typed });
            }
            // Lexical, not canonicalize: `..` stays within what was typed.
            let abs = crate::config::lexical_normalize(&if p.is_absolute() { p.clone() } else { cwd_abs.join(p) });
            let meta = look(&abs, p)?;
            let rel = abs.strip_prefix(root).map(|r| r.to_string_lossy().replace('\\', "/")).map_err(|_| {
                Failure::usage(format!("{} is outside the repository at {}", p.display(), root.display()))
            })?;
            Ok(Given { rel, what: if meta.is_dir() { What::Folder } else { What::File }, typed })
        })
        .collect()
}
