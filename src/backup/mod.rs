//! Taking a backup: connect and check, stream the dump into the store, record the manifest.
//! Used by `prisma-guard backup`, by restore (the safety backup) and by the guard.

pub mod db;
pub mod git_facts;
pub mod health;
pub mod remote;
pub mod store;

use std::path::Path;
use std::time::{Instant, SystemTime};

use anyhow::Result;

use crate::backup::db::{CheckOutcome, Database};
use crate::backup::store::manifest::{Manifest, Trigger, FORMAT_VERSION};
use crate::backup::store::{unix_now, write, Store};
use crate::config::settings::Settings;

pub struct Request {
    pub label: Option<String>,
    pub trigger: Trigger,
}

/// Take one backup of `db` into the configured store.
pub fn take(settings: &Settings, db: &dyn Database, req: &Request) -> Result<Manifest> {
    let started = Instant::now();
    // Encryption that cannot be applied is an error before anything is written.
    let sealing = settings.sealing()?;
    // So is a remote table that makes no sense; a store that cannot be reached is not: the
    // local backup is taken, and the failed copy is reported.
    remote::prepare_signing(&settings.config.file, &settings.printer)?;
    let remotes = remote::open_configured(&settings.config.file)?;
    let server_version = db.preflight()?;
    let dump_tool = db.dump_tool_version()?;
    let store = Store::create(&settings.backup_dir)?;
    ensure_gitignored(&settings.project_root, store.dir());
    // From choosing the id to saving the manifest, alone in the folder: concurrent runs get
    // distinct ids and never write into each other's files.
    let _lock = store.lock(&settings.printer)?;
    // What runs that were killed left behind goes first (their temporary files, snapshots,
    // reservations and unfinished dumps; scratch databases go when the next one is made).
    let swept = store.sweep_dead_files();
    if !swept.is_empty() {
        settings.printer.status(
            "Removed",
            format!("{} file(s) left in {} by an interrupted backup", swept.len(), store.dir().display()),
        );
    }
    let now = SystemTime::now();
    let hold = store.reserve_new_id(now, req.label.as_deref());
    let id = hold.id.clone();
    let bar = settings.printer.bytes_progress(&format!("backing up {}", db.name()));
    let mut on_progress = |n: u64| bar.set_position(n);
    let format = write::Format { compression: settings.compression, level: settings.level, sealing: sealing.as_ref() };
    let name = write::file_name(&id, db.dump_extension(), &format);
    let mut uploads = Vec::new();
    let mut copies = Vec::new();
    for r in &remotes {
        match r {
            // Ids are per-second timestamps: a prefix shared with another project or machine
            // can already hold this one, and an upload would replace that backup.
            // A store that cannot be reached now (offline, down, stalled) is not waited for:
            // the backup goes on locally, the copy counts as failed (alerts, `status`), and
            // `sync` sends it later.
            Ok(r) => match r.probe(&format!("{id}.json")) {
                Err(e) => copies.push(remote::copy::not_started(
                    &r.name,
                    &r.object_url(&name),
                    &e.context("not uploaded: `prisma-guard sync` sends it once the store answers"),
                )),
                Ok(true) => copies.push(remote::copy::not_started(
                &r.name,
                &r.object_url(&name),
                &crate::error::fail(format!(
                    "remote `{}` already holds a backup {id}: another project or machine writes to this prefix, and this upload would replace its backup",
                    r.name
                ))
                .hint("give each project (and each machine) its own prefix: url = \"s3://bucket/<project>/<host>\"")
                .into(),
                )),
                Ok(false) => match r.start_upload(&name) {
                    Ok(u) => uploads.push(u),
                    Err(e) => copies.push(remote::copy::not_started(&r.name, &r.object_url(&name), &e)),
                },
            },
            Err((spec, e)) => copies.push(remote::copy::not_started(&spec.name, &spec.url, e)),
        }
    }
    let (pending, facts) =
        write::write_dump(&store, &id, db.dump_extension(), &format, &mut uploads, &mut on_progress, |out| {
            db.dump(out, store.dir())
        })?;
    bar.finish_and_clear();
    let mut warnings = facts.warnings;
    // Never the only backup before a destructive command and unrestorable: it is replayed
    // into a scratch database before it counts (PostgreSQL: every row of a backup of up to
    // FULL_CHECK_ROWS rows, else a sample of each table, said so; MySQL: its schema).
    let rows = facts.row_counts.as_ref().map_or(u64::MAX, |c| c.values().sum());
    let file = pending.info.clone();
    // Sealed to a passphrase: this run holds it, and tests with it.
    let opening = match sealing.as_ref().and_then(crate::backup::store::crypt::Sealing::opening) {
        Some(o) => Ok(Some(o)),
        None => settings.opening(),
    };
    let restorable = match (&file.encryption, opening) {
        (None, _) => check_restorable(pending.path(), &file, db, None, rows),
        (Some(_), Ok(Some(opening))) => check_restorable(pending.path(), &file, db, Some(&opening), rows),
        // Sealed to keys this machine does not hold (a backup host, a CI job): the restore
        // test belongs where the identity is.
        (Some(_), _) => Ok(CheckOutcome::NotChecked(
            "not test-restored here: it is encrypted to keys this machine does not hold; run `prisma-guard restore-test` where the identity is".to_string(),
        )),
    };
    let mut restore_check = None;
    match &restorable {
        Ok(CheckOutcome::NotChecked(why)) => warnings.push(why.clone()),
        Ok(CheckOutcome::Checked(check)) => {
            match check.complete() {
                true => settings.printer.status("Checked", format!("restore: {}", check.describe())),
                false => settings.printer.warn(format!(
                    "restore check: {}; `prisma-guard restore-test {id}` replays every row",
                    check.describe(),
                    id = hold.id
                )),
            }
            restore_check = Some(check.clone());
        }
        Ok(CheckOutcome::NoCheck) | Err(_) => {}
    }
    for w in &warnings {
        settings.printer.warn(w);
    }
    // The dump must hold every table the server has: a dump tool that is not what it says
    // (an impostor earlier on PATH) writes a dump that verifies but holds nothing.
    if let (Some(counted), Some(tables)) = (&facts.row_counts, db.table_names()?) {
        let missing: Vec<&String> = tables.iter().filter(|t| !counted.contains_key(*t)).collect();
        if !missing.is_empty() {
            drop(pending);
            let shown: Vec<&str> = missing.iter().take(5).map(|t| t.as_str()).collect();
            return Err(crate::error::fail(format!(
                "the dump holds no data for {} of the database's tables ({}{}), so it is no backup: the dump tool ({dump_tool}) did not dump them",
                missing.len(),
                shown.join(", "),
                if missing.len() > shown.len() { ", ..." } else { "" }
            ))
            .hint("check which pg_dump runs (`command -v pg_dump`), or name the folder of the real tools with `[tools] pg_bin_dir` in prisma-guard.toml")
            .into());
        }
    }
    let (row_counts, source) = match facts.row_counts {
        Some(c) => (c, if db.engine() == crate::backup::db::url::Engine::Sqlite { "snapshot" } else { "dump" }),
        None => (db.row_counts()?, "query"),
    };
    let migrations = match facts.migrations {
        Some(m) => m,
        None => db.applied_migrations()?,
    };
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        id,
        created_at: humantime::format_rfc3339_seconds(now).to_string(),
        created_unix: unix_now(now),
        created_ms: now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_millis()),
        engine: db.engine(),
        server_version,
        dump_tool,
        database_url: db.target().describe_url(),
        database_name: db.name(),
        schema: db.schema(),
        label: req.label.clone(),
        trigger: req.trigger.clone(),
        git: crate::backup::git_facts::info(&settings.project_root),
        migrations,
        row_counts,
        row_counts_source: source.into(),
        large_objects: facts.large_objects,
        file,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        prisma_guard_version: env!("CARGO_PKG_VERSION").into(),
        verified: None,
        restore_tested: None,
        restore_check,
        warnings,
        remotes: Vec::new(),
        dump_missing: false,
        signature: None,
        authenticity: crate::backup::remote::signing::Authenticity::NotChecked,
    };
    if let Err(e) = restorable {
        let mut manifest = manifest;
        manifest.warnings.push(format!("does not restore: {}", format!("{e:#}").lines().next().unwrap_or("")));
        store.finish(pending, &manifest)?;
        return Err(e.context(format!("backup {} was written, but it cannot be restored", manifest.id)));
    }
    store.finish(pending, &manifest)?;
    drop(hold);
    if uploads.is_empty() && copies.is_empty() {
        return Ok(manifest);
    }
    // Off-site: each upload is completed, read back, then its checksum line and manifest
    // follow (and Object Lock), while the local backup is already safe on disk.
    let mut manifest = manifest;
    for upload in uploads {
        let name = upload.remote().name.clone();
        settings.printer.status("Uploading", format!("{} to remote `{name}`", manifest.id));
        copies.push(remote::copy::complete(upload, &manifest));
    }
    for c in &copies {
        match &c.error {
            None => settings.printer.status(
                "Off-site",
                format!(
                    "{} ({}{})",
                    c.url,
                    if c.checked_by.as_deref() == Some("etag") {
                        "size and the store's ETag of the parts match"
                    } else {
                        "size and SHA-256 read back"
                    },
                    c.locked_until.as_ref().map(|u| format!(", locked until {u}")).unwrap_or_default()
                ),
            ),
            Some(e) => settings.printer.warn(format!("the copy to remote `{}` failed: {e}", c.name)),
        }
    }
    manifest.remotes = copies;
    store.save_manifest(&manifest)?;
    Ok(manifest)
}

fn check_restorable(
    path: &Path,
    file: &crate::backup::store::manifest::FileInfo,
    db: &dyn Database,
    opening: Option<&crate::backup::store::crypt::Opening>,
    rows: u64,
) -> Result<CheckOutcome> {
    let opened = std::fs::File::open(path).map_err(anyhow::Error::new).and_then(|f| {
        crate::backup::store::compress::VerifiedReader::new(
            file.compression,
            f,
            &file.sha256,
            file.encryption.is_some(),
            opening,
        )
    });
    match opened {
        Ok(mut reader) => db.check_restorable(&mut reader, rows),
        Err(e) => Err(e.context(format!("could not read {} back", path.display()))),
    }
}

/// Add the backup folder to the project's `.gitignore` when it lies inside a git work tree
/// and is not ignored yet. Best effort: a failure here never fails a backup.
fn ensure_gitignored(project_root: &Path, backup_dir: &Path) {
    let Ok(repo) = git2::Repository::discover(project_root) else {
        return;
    };
    let Some(workdir) = repo.workdir() else {
        return;
    };
    let (Ok(workdir), Ok(dir)) = (workdir.canonicalize(), backup_dir.canonicalize()) else {
        return;
    };
    let Ok(rel) = dir.strip_prefix(&workdir) else {
        return;
    };
    if rel.as_os_str().is_empty() || repo.is_path_ignored(rel).unwrap_or(false) {
        return;
    }
    let Ok(root) = project_root.canonicalize() else {
        return;
    };
    let (gitignore, entry) = match dir.strip_prefix(&root) {
        Ok(r) => (root.join(".gitignore"), format!("/{}/", r.display())),
        Err(_) => (workdir.join(".gitignore"), format!("/{}/", rel.display())),
    };
    let mut text = std::fs::read_to_string(&gitignore).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("# {}\n{entry}\n", crate::install::edits::BACKUPS_WHY));
    let _ = std::fs::write(&gitignore, text);
}
