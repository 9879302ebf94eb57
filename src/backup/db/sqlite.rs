//! SQLite through the online backup API: a consistent snapshot even in WAL mode with a
//! writer running (a file copy is not: it can catch a half-applied transaction).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::{backup::Backup, Connection, OpenFlags};

use super::{Database, DumpFacts, Scratch, Target, Temporary};
use crate::backup::db::url::Engine;
use crate::error::fail;

pub struct Sqlite {
    target: Target,
    path: PathBuf,
}

impl Sqlite {
    pub fn new(target: Target) -> Result<Sqlite> {
        let path = target.sqlite_path.clone().unwrap_or_else(|| target.url.sqlite_path());
        Ok(Sqlite { target, path })
    }

    fn open_existing(&self) -> Result<Connection> {
        if !self.path.is_file() {
            return Err(fail(format!("the SQLite database {} does not exist", self.path.display()))
                .hint("check the `file:` URL (relative paths resolve against the folder of prisma.config.ts, or of schema.prisma for Prisma 6), or create the database with `prisma migrate dev`")
                .into());
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("could not open the SQLite database {}", self.path.display()))?;
        conn.busy_timeout(Duration::from_secs(30))?;
        Ok(conn)
    }
}

/// Row counts of every user table of a connection.
fn counts(conn: &Connection) -> Result<BTreeMap<String, u64>> {
    let mut stmt =
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?;
    let names: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut out = BTreeMap::new();
    for name in names {
        let n: i64 =
            conn.query_row(&format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")), [], |r| r.get(0))?;
        out.insert(name, u64::try_from(n).unwrap_or(0));
    }
    Ok(out)
}

fn migrations(conn: &Connection) -> Result<Vec<String>> {
    let exists: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'",
        [],
        |r| r.get(0),
    )?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY started_at, migration_name")?;
    let names = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// Copy `src` into `dst` in one step: the read lock is held for the whole copy, so the
/// result is one consistent snapshot, and a writer cannot force restarts.
fn copy_all(src: &Connection, dst: &mut Connection) -> Result<()> {
    use rusqlite::backup::StepResult;
    let backup = Backup::new(src, dst)?;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => {
                return Err(fail("the SQLite database stayed locked for 60 seconds")
                    .hint("stop whatever holds a write lock on it (a long transaction) and try again")
                    .into())
            }
        }
    }
}

/// Name a full disk or file-size limit hit while writing the snapshot.
fn snapshot_error(err: anyhow::Error, source: &Path) -> anyhow::Error {
    let code = err.downcast_ref::<rusqlite::Error>().and_then(rusqlite::Error::sqlite_error_code);
    if matches!(code, Some(rusqlite::ErrorCode::DiskFull | rusqlite::ErrorCode::SystemIoFailure)) {
        return crate::backup::store::write::write_error(
            std::io::Error::from_raw_os_error(libc::ENOSPC),
            Path::new("the backup directory"),
        );
    }
    err.context(format!("could not snapshot {}", source.display()))
}

impl Database for Sqlite {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn name(&self) -> String {
        self.path.file_name().map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into_owned())
    }

    fn target(&self) -> &Target {
        &self.target
    }

    fn dump_extension(&self) -> &'static str {
        "sqlite"
    }

    fn preflight(&self) -> Result<String> {
        let conn = self.open_existing()?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .with_context(|| format!("{} is not a readable SQLite database", self.path.display()))?;
        Ok(format!("SQLite {}", rusqlite::version()))
    }

    fn dump_tool_version(&self) -> Result<String> {
        Ok(format!("SQLite {} online backup API (prisma-guard)", rusqlite::version()))
    }

    fn dump(&self, out: &mut dyn Write, workdir: &Path) -> Result<DumpFacts> {
        let src = self.open_existing()?;
        if let Some(dir) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            sweep_staged(dir);
        }
        // A private folder, so the snapshot's -journal/-wal files go when it goes; named after
        // this run, so that the next one removes it when this one is killed.
        let tmpdir = tempfile::Builder::new()
            .prefix(&format!("{}{}-", crate::backup::store::SNAPSHOT_PREFIX, std::process::id()))
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir_in(workdir)
            .context("could not create a temporary snapshot folder in the backup directory")?;
        let snapshot = tmpdir.path().join("snapshot.db");
        // 0600 before SQLite opens it (its journal files take the database file's mode).
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&snapshot)
            .context("could not create the snapshot file in the backup directory")?;
        {
            let mut dst = Connection::open(&snapshot)?;
            copy_all(&src, &mut dst).map_err(|e| snapshot_error(e, &self.path))?;
            // A standalone file: no -wal/-shm beside it, restorable with a plain copy.
            dst.pragma_update(None, "journal_mode", "DELETE").map_err(|e| snapshot_error(e.into(), &self.path))?;
        }
        let conn = Connection::open_with_flags(&snapshot, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let facts = DumpFacts {
            row_counts: Some(counts(&conn)?),
            large_objects: None,
            migrations: Some(migrations(&conn)?),
            warnings: Vec::new(),
        };
        drop(conn);
        let mut reader = BufReader::with_capacity(1 << 20, File::open(&snapshot)?);
        std::io::copy(&mut reader, out)
            .map_err(|e| crate::backup::store::write::write_error(e, Path::new("the backup file")))?;
        Ok(facts)
    }

    fn row_counts(&self) -> Result<BTreeMap<String, u64>> {
        if !self.path.exists() {
            return Ok(BTreeMap::new());
        }
        counts(&self.open_existing()?)
    }

    fn applied_migrations(&self) -> Result<Vec<String>> {
        migrations(&self.open_existing()?)
    }

    fn restore(&self, input: &mut dyn Read, _clear: bool) -> Result<()> {
        let dir = self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
        sweep_staged(dir);
        let mut staged = tempfile::Builder::new()
            .prefix(STAGED_PREFIX)
            .tempfile_in(dir)
            .with_context(|| format!("could not create a temporary file in {}", dir.display()))?;
        // Held while the restore runs: a later run removes the file only once no one holds it
        // (this run was killed, even with SIGKILL).
        staged.as_file().lock().context("could not lock the restore's temporary file")?;
        std::io::copy(input, staged.as_file_mut()).context("could not unpack the backup")?;
        staged.as_file().sync_all()?;
        let src = Connection::open_with_flags(staged.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let check: String = src
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .context("the backup does not contain a valid SQLite database")?;
        if check != "ok" {
            return Err(fail(format!("the backup's SQLite database fails its integrity check: {check}")).into());
        }
        // Through the backup API, not a rename: correct with WAL files and open connections.
        let mut dst =
            Connection::open(&self.path).with_context(|| format!("could not open {}", self.path.display()))?;
        dst.busy_timeout(Duration::from_secs(30))?;
        copy_all(&src, &mut dst)
            .with_context(|| format!("could not write the restored data into {}", self.path.display()))?;
        Ok(())
    }

    fn exists(&self) -> Result<bool> {
        Ok(self.path.is_file())
    }

    fn create_scratch(&self) -> Result<Box<dyn Scratch + '_>> {
        let dir = tempfile::Builder::new()
            .prefix("prisma-guard-scratch-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()?;
        let path = dir.path().join("scratch.db");
        let target = Target { url: self.target.url.clone(), sqlite_path: Some(path.clone()), schemas: Vec::new() };
        Ok(Box::new(Temporary {
            db: Sqlite { target, path },
            cleanup: Box::new(move || {
                let _ = std::fs::remove_dir_all(dir.path());
            }),
        }))
    }
}

/// The unpacked backup a restore stages beside the database.
const STAGED_PREFIX: &str = ".prisma-guard-restore-";

/// Remove the staged copies that killed restores left beside the database (full copies of
/// data, in the project's folder): those no running restore holds locked.
fn sweep_staged(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(STAGED_PREFIX) {
            continue;
        }
        let unused = std::fs::File::open(e.path()).is_ok_and(|f| f.try_lock().is_ok());
        if unused {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
