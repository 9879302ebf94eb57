//! The restore test: a scratch database on the same server, and the schema part of a dump
//! replayed into it in a transaction that is rolled back.

use std::io::{BufReader, Read, Write};

use anyhow::Result;

use super::dump_filter::is_owner_line;
use super::sql_state::SqlState;
use super::{quote_ident, Postgres};
use crate::backup::db::{Target, Temporary};
use crate::error::fail;

impl Postgres {
    /// A new empty database on the same server, dropped when the value is dropped.
    pub(super) fn scratch(&self) -> Result<Temporary<'_, Postgres>> {
        // Those of killed runs go first (best effort: a failure here is not this run's).
        let like =
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{}'", crate::backup::db::scratch_like());
        if let Ok(names) = self.query(&like) {
            for stale in crate::backup::db::stale_scratch(&names) {
                let _ = self.query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(stale)));
            }
        }
        let name = crate::backup::db::scratch_name();
        self.query(&format!("CREATE DATABASE {}", quote_ident(&name))).map_err(|e| {
            e.context(fail("could not create a scratch database for the restore test").hint(
                "the database user needs the CREATEDB privilege (`ALTER ROLE <user> CREATEDB;`), or test by hand: `prisma-guard restore <id> --to <url of an empty database>`",
            ))
        })?;
        let target = Target {
            url: self.target.url.with_database(&name),
            sqlite_path: None,
            schemas: self.target.schemas.clone(),
        };
        let drop_sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&name));
        let db = match Postgres::new(target, &self.tools) {
            Ok(db) => db,
            Err(e) => {
                let _ = self.query(&drop_sql);
                return Err(e);
            }
        };
        Ok(Temporary {
            db,
            cleanup: Box::new(move || {
                let _ = self.query(&drop_sql);
            }),
        })
    }

    /// Feed the dump up to its first `COPY` (the types, tables and functions it creates) to
    /// psql in a transaction that is rolled back.
    pub(super) fn replay_schema_part(&self, dump: &mut dyn Read) -> Result<()> {
        let (running, mut stdin) = self.psql_script()?;
        let mut reader = BufReader::new(dump);
        let mut fed = stdin.write_all(b"BEGIN;\n");
        let mut line = Vec::new();
        let mut sql = SqlState::default();
        while fed.is_ok() {
            line.clear();
            let read = std::io::BufRead::read_until(&mut reader, b'\n', &mut line);
            // Only whole statements of pg_dump's own count (not lines inside strings).
            let clean = sql.at_boundary();
            sql.scan(&line);
            let whole = clean && sql.at_boundary();
            match read {
                Ok(0) => break,
                Ok(_) if whole && line.starts_with(b"COPY ") => break,
                // Owners are given at the end of a restore, after the GRANTs: not checked here.
                Ok(_) if whole && is_owner_line(line.trim_ascii_end()) => {}
                Ok(_) => fed = stdin.write_all(&line),
                Err(e) => fed = Err(e),
            }
        }
        let fed = fed.and_then(|()| stdin.write_all(b"\nROLLBACK;\n"));
        drop(stdin);
        let finished = running.finish(&self.redactor);
        match (fed, finished) {
            (_, Err(e)) => Err(e),
            (Err(e), Ok(_)) => Err(anyhow::Error::new(e).context("could not read the new backup back")),
            (Ok(()), Ok(_)) => Ok(()),
        }
    }
}
