//! The restore check: a scratch database on the same server, and the dump (its schema and
//! every row, or for a big backup a sample of each table's rows) replayed into it in a
//! transaction that is rolled back.

use std::io::{Read, Write};

use anyhow::Result;

use super::dump_filter::DumpFilter;
use super::{quote_ident, Postgres};
use crate::backup::db::{Target, Temporary};
use crate::backup::store::manifest::RestoreCheck;
use crate::error::fail;

/// The rows of each table the restore check of a big backup replays.
pub(crate) const SAMPLE_ROWS: u64 = 10_000;

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

    /// Replay the dump as a restore would (schema, data, indexes, constraints, owners) in a
    /// transaction that is rolled back, with every row or at most `sample` rows of each
    /// table: index expressions, CHECK constraints and defaults run over real rows, in the
    /// dump's order (a function that reads another table, or calls another without its
    /// schema, fails here as it would in a restore). Foreign keys over sampled tables go
    /// unchecked. Returns what was replayed.
    pub(super) fn replay(&self, dump: &mut dyn Read, sample: Option<u64>) -> Result<RestoreCheck> {
        let owners = self.roles_to_own()?;
        let (running, mut stdin) = self.psql_script()?;
        let mut filter = DumpFilter::checking(owners, sample);
        let mut buf = vec![0u8; 1 << 20];
        let mut fed = stdin.write_all(b"BEGIN;\nSET client_min_messages = warning;\n");
        while fed.is_ok() {
            match dump.read(&mut buf) {
                Ok(0) => {
                    fed = filter.finish(&mut stdin);
                    break;
                }
                Ok(n) => fed = filter.feed(&buf[..n], &mut stdin),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => fed = Err(e),
            }
        }
        let fed = fed.and_then(|()| stdin.write_all(b"\nROLLBACK;\n"));
        drop(stdin);
        let finished = running.finish(&self.redactor);
        match (fed, finished) {
            (_, Err(e)) => Err(e),
            (Err(e), Ok(_)) => Err(anyhow::Error::new(e).context("could not read the new backup back")),
            (Ok(()), Ok(_)) => {
                let (rows_replayed, tables_partly_replayed) = filter.replayed();
                let scope = if tables_partly_replayed.is_empty() { "every row" } else { "sample" };
                Ok(RestoreCheck { scope: scope.into(), rows_replayed, tables_partly_replayed })
            }
        }
    }
}
