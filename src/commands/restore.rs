//! `prisma-guard restore` and `prisma-guard restore-test`.

use std::fs::File;

use anyhow::{Context, Result};

use crate::backup::db::url::DbUrl;
use crate::backup::db::{self, compare_counts, Database, Target};
use crate::backup::store::compress::VerifiedReader;
use crate::backup::store::manifest::{Manifest, Trigger};
use crate::backup::store::verify::{self, Depth};
use crate::backup::store::Store;
use crate::backup::{self, Request};
use crate::cli::RestoreArgs;
use crate::config::settings::Settings;
use crate::error::fail;
use crate::ExitStatus;

pub fn run(settings: &Settings, args: &RestoreArgs) -> Result<ExitStatus> {
    let store = Store::open(&settings.backup_dir);
    let target = match &args.to {
        Some(url) => url_target(settings, url)?,
        None => settings.target()?,
    };
    let db = db::open(target, &settings.tools)?;
    // `latest` over the project's database: the newest backup of that database (a backup of
    // another one, taken with --url, is not what "put it back" means).
    // PostgreSQL restores from a remote stream: the download feeds the restore (and a local
    // copy) in one pass; the checksum at the end decides whether the transaction commits.
    let streaming = match (&args.from, db.engine()) {
        (Some(name), crate::backup::db::url::Engine::Postgresql) => Some(name.as_str()),
        _ => None,
    };
    let remotes = match streaming {
        Some(name) => crate::backup::remote::open_all(&settings.config.file, Some(name))?,
        None => Vec::new(),
    };
    // `latest` over the project's own database: the newest backup of that database.
    let ours = if args.to.is_none() { Some(db.as_ref()) } else { None };
    let manifest = match (streaming, remotes.first()) {
        (Some(_), Some(r)) => {
            let m = remote_backup(r, &args.id, ours, &settings.printer)?;
            check_key_on_remote(settings, r, &m)?;
            m
        }
        _ => {
            let id = match (args.id.as_str(), &args.to, &args.from) {
                (id, _, _) if args.before.is_some() => {
                    crate::pitr::before::chosen(settings, &store, ours, id, args.before.as_deref().unwrap_or_default())?
                }
                (_, _, Some(name)) => {
                    fetch_from(settings, name, &args.id, ours, &Store::create(&settings.backup_dir)?)?
                }
                ("latest", None, None) => latest_of(&store, db.as_ref())?,
                _ => args.id.clone(),
            };
            verified(settings, &store, &id)?
        }
    };
    same_engine(&manifest, db.as_ref())?;
    if db.create_if_missing()? {
        settings.printer.status("Created", format!("database {}", db.name()));
    }
    // PostgreSQL: the restore writes the schemas the backup holds (a whole-database backup:
    // the whole database), whatever the URL's `schema` names; whether the database holds data
    // is asked of those and of the URL's and the project's schemas.
    let (db, checked) = match restore_targets(db.target(), &manifest) {
        Some((write, check)) => (db::open(write, &settings.tools)?, Some(db::open(check, &settings.tools)?)),
        None => (db, None),
    };
    let checked: &dyn Database = checked.as_deref().unwrap_or(db.as_ref());
    if let Some(why) = manifest.restore_failure() {
        settings.printer.warn(format!("backup {} is known not to restore: {why}", manifest.id));
    }
    let current = checked.row_counts()?;
    let rows: u64 = current.values().sum();
    // Large objects are data outside every table (PostgreSQL): the restore replaces them too.
    let large_objects = checked.large_object_count()?.unwrap_or(0);
    // Views, materialized views, routines and events are the database's too: a
    // database holding only these (tables empty) is not empty.
    let definitions = checked.definitions()?;
    let holds_something = !current.is_empty() || !definitions.is_empty();
    if rows > 0 || large_objects > 0 || !definitions.is_empty() {
        let mut summary = format!(
            "Restoring backup {} ({}) over {}.\nThe database holds data that will be replaced:\n",
            manifest.id,
            manifest.created_at,
            db.target().describe()
        );
        for (table, n) in current.iter().filter(|(_, n)| **n > 0) {
            summary.push_str(&format!("  {table}: {n} rows\n"));
        }
        if large_objects > 0 {
            summary.push_str(&format!("  {large_objects} large object(s)\n"));
        }
        for d in definitions.iter().take(20) {
            summary.push_str(&format!("  {d}\n"));
        }
        if definitions.len() > 20 {
            summary.push_str(&format!("  ... and {} more definitions\n", definitions.len() - 20));
        }
        if manifest.database_name != db.name() {
            summary.push_str(&format!(
                "The backup is of another database: `{}` (this one is `{}`).\n",
                manifest.database_name,
                db.name()
            ));
        }
        let kind = if manifest.is_safety_copy() { "a safety copy a restore took" } else { "taken" };
        summary.push_str(&format!(
            "The backup ({kind} {}{}) holds:\n",
            manifest.created_at,
            manifest.label.as_deref().map(|l| format!(", {l}")).unwrap_or_default()
        ));
        let with_rows: Vec<_> = manifest.row_counts.iter().filter(|(_, n)| **n > 0).collect();
        if with_rows.is_empty() {
            summary.push_str("  no rows\n");
        }
        for (table, n) in with_rows {
            summary.push_str(&format!("  {table}: {n} rows\n"));
        }
        if let Some(why) = manifest.restore_failure() {
            summary.push_str(&format!("WARNING: this backup is known not to restore: {why}\n"));
        }
        summary.push_str(
            "A safety backup of the current state is taken first (`prisma-guard restore latest-safety` puts it back).",
        );
        // The command as typed: a backup held on a remote is found there again with `--from`.
        let rerun = format!(
            "prisma-guard restore{} {}{}",
            args.from.as_ref().map(|n| format!(" --from {n}")).unwrap_or_default(),
            manifest.id,
            args.to.as_ref().map(|_| " --to <url>").unwrap_or("")
        );
        crate::guard::confirm::typed(&summary, &db.name(), "restoring over a database that holds data", &rerun)?;
        let safety = backup::take(
            settings,
            checked,
            &Request {
                label: Some("before-restore".into()),
                trigger: Trigger { kind: "safety".into(), argv: vec![format!("restore {}", manifest.id)] },
            },
        )
        .context("the safety backup failed, so nothing was restored")?;
        settings.printer.status("Safety", format!("backup {} taken of the current state", safety.id));
    }
    // The tripwire (prisma-guard protect) lets the restore's drops through while it runs.
    let approval =
        crate::tripwire::approve(db.target(), &settings.tools, &format!("prisma-guard restore {}", manifest.id))
            .context("the tripwire's approval window could not be opened, so nothing was restored")?;
    settings.printer.status("Restoring", format!("{} into {}", manifest.id, db.target().describe()));
    match remotes.first() {
        Some(r) => {
            replay_remote(settings, r, &Store::create(&settings.backup_dir)?, &manifest, db.as_ref(), holds_something)?
        }
        None => replay(settings, &store, &manifest, db.as_ref(), holds_something)?,
    }
    if let Some(a) = approval {
        a.close()?;
    }
    report_counts(settings, &manifest, db.as_ref(), "restore", false)
}

/// A backup on a remote by id, prefix or `latest`; `latest` for the project's own database
/// (`ours`) is the newest backup of that database, as locally.
/// Only a backup signed by a key the project trusts is used ([`Remote::vouch`]).
fn remote_backup(
    r: &crate::backup::remote::Remote,
    selector: &str,
    ours: Option<&dyn Database>,
    printer: &crate::ui::Printer,
) -> Result<Manifest> {
    let Some(db) = ours.filter(|_| selector == "latest") else {
        let m = r.resolve(selector)?;
        r.vouch(&m, printer)?;
        return Ok(m);
    };
    let (all, _) = r.list()?;
    let mine = |m: &&Manifest| m.engine == db.engine() && m.database_name == db.name();
    let usable = |m: &&Manifest| mine(m) && r.trust.allows(m.authenticity);
    let m = all
        .iter()
        .filter(|m| !m.is_safety_copy())
        .find(usable)
        .or_else(|| all.iter().find(usable))
        .or_else(|| all.iter().find(mine))
        .cloned()
        .ok_or_else(|| {
            fail(format!("remote `{}` has no backup of database `{}` ({} backups of others)", r.name, db.name(), all.len()))
                .hint(format!("list them with `prisma-guard backups --remote {}`, and name one (with --to <url> for another database)", r.name))
        })?;
    r.vouch(&m, printer)?;
    r.warn_newer_refused(&all, &m, printer);
    Ok(m)
}

/// An encrypted backup on a remote: the identity is tried on the object's first bytes before
/// anything is asked or changed.
fn check_key_on_remote(settings: &Settings, r: &crate::backup::remote::Remote, m: &Manifest) -> Result<()> {
    if m.file.encryption.is_none() {
        return Ok(());
    }
    identity_for(settings, m)?.open(r.reader(&m.file.name)?)?;
    Ok(())
}

/// What opens an encrypted backup, or the usage error that says how to give it (before
/// anything is asked or changed).
fn identity_for(settings: &Settings, m: &Manifest) -> Result<crate::backup::store::crypt::Opening> {
    let opening = settings.opening()?.ok_or_else(|| {
        fail(format!("backup {} is encrypted (age), and no identity was given to open it", m.id))
            .hint(format!(
                "set {} to your age identity file (or pass --identity FILE), or {} for a passphrase",
                crate::backup::store::crypt::IDENTITY_VAR,
                crate::backup::store::crypt::PASSPHRASE_VAR
            ))
            .status(ExitStatus::Usage)
    })?;
    if let Some(sealed) = &m.file.encryption {
        opening.fits(sealed)?;
    }
    Ok(opening)
}

/// Stream a remote backup into the database and, through a tee, into the local folder: the
/// local copy is kept only when the whole stream checked out.
fn replay_remote(
    settings: &Settings,
    r: &crate::backup::remote::Remote,
    store: &Store,
    manifest: &Manifest,
    db: &dyn Database,
    clear: bool,
) -> Result<()> {
    let dest = store.dump_path(manifest);
    let mut copy = crate::backup::store::io::AtomicFile::create(&dest)?;
    let copied = std::rc::Rc::new(std::cell::Cell::new(true));
    let result = {
        let tee = TeeReader {
            inner: r.reader(&manifest.file.name)?,
            copy: std::io::BufWriter::new(copy.file()),
            ok: copied.clone(),
        };
        let bar = settings.printer.bytes_progress("downloading and restoring");
        let sealed = manifest.file.encryption.is_some();
        let opening = if sealed { settings.opening()? } else { None };
        let mut decoder = VerifiedReader::new(
            manifest.file.compression,
            bar.wrap_read(tee),
            &manifest.file.sha256,
            sealed,
            opening.as_ref(),
        )?;
        let result = db.restore(&mut decoder, clear);
        bar.finish_and_clear();
        result
    };
    if let Err(e) = result {
        if format!("{e:#}").contains("checksum mismatch") {
            return Err(damaged(&manifest.id, &format!("{e:#} (the copy on remote `{}`)", r.name)).into());
        }
        return Err(e);
    }
    let whole = copy.file().metadata().is_ok_and(|m| m.len() == manifest.file.compressed_bytes);
    if !copied.get() || !whole {
        settings.printer.warn(format!(
            "the restore is done, but the local copy of {} could not be written (disk full?): not kept",
            manifest.id
        ));
        return Ok(());
    }
    store.keep(copy, manifest)
}

/// Passes what it reads on, and writes the same bytes to `copy`; a copy that fails (a full
/// disk) stops being written and says so in `ok`, and never fails the read.
struct TeeReader<R, W: std::io::Write> {
    inner: R,
    copy: W,
    ok: std::rc::Rc<std::cell::Cell<bool>>,
}

impl<R: std::io::Read, W: std::io::Write> std::io::Read for TeeReader<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.ok.get() {
            let wrote = self.copy.write_all(&buf[..n]).and_then(|()| if n == 0 { self.copy.flush() } else { Ok(()) });
            if wrote.is_err() {
                self.ok.set(false);
            }
        }
        Ok(n)
    }
}

/// Bring backup `selector` of remote `name` into `store` (unless the same file is there
/// already), checked against its manifest on the way; its id.
pub(super) fn fetch_from(
    settings: &Settings,
    name: &str,
    selector: &str,
    ours: Option<&dyn Database>,
    store: &Store,
) -> Result<String> {
    let remotes = crate::backup::remote::open_all(&settings.config.file, Some(name))?;
    let Some(r) = remotes.first() else { return Err(fail(format!("no remote `{name}`")).into()) };
    let m = remote_backup(r, selector, ours, &settings.printer)?;
    let local = store.resolve(&m.id).ok().filter(|l| l.file.sha256 == m.file.sha256 && store.dump_path(l).is_file());
    if local.is_none() {
        settings.printer.status("Fetching", format!("{} from remote `{name}` ({})", m.id, r.object_url(&m.file.name)));
        crate::backup::remote::copy::fetch(r, &m, store)?;
    }
    Ok(m.id)
}

/// The id of the newest backup (safety copies aside) of the database `db` names.
fn latest_of(store: &Store, db: &dyn Database) -> Result<String> {
    let (all, _) = store.list()?;
    let mine = |m: &&crate::backup::store::manifest::Manifest| m.engine == db.engine() && m.database_name == db.name();
    // Backups known not to restore are kept but never `latest`.
    let usable =
        |m: &&crate::backup::store::manifest::Manifest| mine(m) && m.restore_failure().is_none() && !m.dump_missing;
    if let Some(m) = all.iter().filter(|m| !m.is_safety_copy()).find(usable).or_else(|| all.iter().find(usable)) {
        return Ok(m.id.clone());
    }
    // Backups of this database that are not usable: say why, and how to use one anyway.
    if let Some(m) = all.iter().find(mine) {
        let why = match m.restore_failure() {
            Some(f) => format!("it is known not to restore ({f})"),
            None => "its dump is missing".to_string(),
        };
        return Err(fail(format!(
            "no backup of database `{}` in {} can be restored as `latest`: the newest, {}, is skipped because {why}",
            db.name(),
            store.dir().display(),
            m.id
        ))
        .hint(format!(
            "to try it anyway, name it: `prisma-guard restore {} --to <a scratch database url>` first, to see whether it restores",
            m.id
        ))
        .into());
    }
    match all.first() {
        Some(newest) => Err(fail(format!(
            "there is no backup of database `{}` in {} (the newest, {}, is of `{}`)",
            db.name(),
            store.dir().display(),
            newest.id,
            newest.database_name
        ))
        .hint("name the backup to restore (`prisma-guard backups` lists them), or restore it elsewhere with --to <url>")
        .into()),
        None => Err(fail(format!("there are no backups in {}", store.dir().display()))
            .hint("take one with `prisma-guard backup`")
            .into()),
    }
}

/// Resolve the backup and refuse unless its checksum and compression check out.
/// MySQL cannot roll back a half-applied dump, so its backups are checked in full first
/// (checksum and decompression); SQLite files are small, their checksum is checked first.
/// PostgreSQL dumps can be large and restore in one transaction: their checksum is checked
/// while the dump streams in, and a mismatch at the end rolls the restore back.
pub(crate) fn verified(settings: &Settings, store: &Store, id: &str) -> Result<Manifest> {
    let manifest = store.resolve(id)?;
    // A sealed backup with nothing to open it is refused before anything is asked or changed.
    let opening = match manifest.file.encryption {
        Some(_) => Some(identity_for(settings, &manifest)?),
        None => None,
    };
    // The key is tried on the file's header now: a wrong one is said before anything is asked.
    if let Some(o) = &opening {
        let path = store.dump_path(&manifest);
        let file = File::open(&path).with_context(|| format!("could not open {}", path.display()))?;
        o.open(file)?;
    }
    let depth = match manifest.engine {
        crate::backup::db::url::Engine::Mysql => Depth::Full,
        crate::backup::db::url::Engine::Sqlite => Depth::Checksum,
        crate::backup::db::url::Engine::Postgresql => Depth::Files,
    };
    let problems = verify::verify(store, &manifest, depth, opening.as_ref())?;
    if !problems.is_empty() {
        let list = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        return Err(damaged(&manifest.id, &list).into());
    }
    Ok(manifest)
}

/// The refusal for a backup whose file does not match its manifest.
fn damaged(id: &str, detail: &str) -> crate::error::Failure {
    fail(format!("refused: backup {id} is damaged: {detail}"))
        .hint("choose another backup (`prisma-guard backups`, then `prisma-guard verify --all`)")
        .status(ExitStatus::Mismatch)
}

/// For a PostgreSQL backup: the target as the restore writes it (the backup's schemas, or the
/// whole database for a whole-database backup) and as checked for data first (those, the
/// URL's `schema` and the project's schemas; the whole database for a whole-database backup).
fn restore_targets(target: &Target, manifest: &Manifest) -> Option<(Target, Target)> {
    if manifest.engine != crate::backup::db::url::Engine::Postgresql {
        return None;
    }
    let held: Vec<String> = manifest
        .schema
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let mut write = target.clone();
    if held.is_empty() {
        write.url.params.retain(|(k, _)| k != "schema");
        write.schemas.clear();
        return Some((write.clone(), write));
    }
    let mut check = target.clone();
    let mut all = held.clone();
    for s in target.url.pg_schema().into_iter().chain(target.schemas.iter().map(String::as_str)) {
        if !all.iter().any(|a| a == s) {
            all.push(s.to_string());
        }
    }
    write.schemas = held;
    check.schemas = all;
    Some((write, check))
}

fn url_target(settings: &Settings, raw: &str) -> Result<Target> {
    let url = DbUrl::parse(raw).map_err(|e| fail(format!("{e} (in --to)")))?;
    let sqlite_path =
        (url.engine == crate::backup::db::url::Engine::Sqlite).then(|| settings.cwd.join(url.sqlite_path()));
    Ok(Target { url, sqlite_path, schemas: Vec::new() })
}

pub(crate) fn same_engine(manifest: &Manifest, db: &dyn Database) -> Result<()> {
    if manifest.engine != db.engine() {
        return Err(fail(format!(
            "backup {} is a {} dump; the target is a {} database",
            manifest.id,
            manifest.engine,
            db.engine()
        ))
        .hint("restore it into a database of the same kind with --to <url>")
        .into());
    }
    Ok(())
}

/// Stream the dump file through the decompressor into the database.
pub(crate) fn replay(
    settings: &Settings,
    store: &Store,
    manifest: &Manifest,
    db: &dyn Database,
    clear: bool,
) -> Result<()> {
    let path = store.dump_path(manifest);
    let file = File::open(&path).with_context(|| format!("could not open {}", path.display()))?;
    let bar = settings.printer.bytes_progress("restoring");
    let reader = bar.wrap_read(file);
    let sealed = manifest.file.encryption.is_some();
    let opening = if sealed { settings.opening()? } else { None };
    let mut decoder =
        VerifiedReader::new(manifest.file.compression, reader, &manifest.file.sha256, sealed, opening.as_ref())?;
    let result = db.restore(&mut decoder, clear);
    bar.finish_and_clear();
    result.map_err(|e| {
        if format!("{e:#}").contains("checksum mismatch") {
            return anyhow::Error::new(damaged(&manifest.id, &format!("{e:#}")));
        }
        e
    })
}

pub(super) fn report_counts(
    settings: &Settings,
    manifest: &Manifest,
    db: &dyn Database,
    what: &str,
    scratch: bool,
) -> Result<ExitStatus> {
    let actual = db.row_counts()?;
    let mut diffs = compare_counts(&manifest.row_counts, &actual);
    // Large objects (PostgreSQL) belong to no table: counted on their own.
    let objects = match manifest.large_objects {
        Some(want) => match db.large_object_count()? {
            // In place, large objects made since the backup are still there (a backup limited
            // to schemas replaces the ones it holds and leaves the others).
            Some(got) if got == want || (!scratch && got > want) => {
                format!(", {want} large object{}", if want == 1 { "" } else { "s" })
            }
            Some(got) => {
                diffs.push(format!("large objects: expected {want}, found {got}"));
                String::new()
            }
            None => String::new(),
        },
        None => String::new(),
    };
    if diffs.is_empty() {
        settings.printer.status(
            "Verified",
            format!(
                "{what}: {} tables, {} rows{objects}, row counts match the manifest",
                actual.len(),
                actual.values().sum::<u64>()
            ),
        );
        return Ok(ExitStatus::Success);
    }
    for d in &diffs {
        println!("  {d}");
    }
    Err(fail(format!("{what}: counts differ from the manifest in {} place(s)", diffs.len()))
        .hint("do not trust this backup; take a new one and run `prisma-guard restore-test` on it")
        .status(ExitStatus::Mismatch)
        .into())
}
