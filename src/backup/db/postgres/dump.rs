//! Taking a dump: pg_dump's plain SQL through the dump filter into the backup file, with the
//! extensions a schema-limited dump leaves out written first.

use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result};

use super::dump_filter::DumpFilter;
use super::{quote_ident, Postgres};
use crate::backup::db::DumpFacts;
use crate::process::Running;

impl Postgres {
    pub(super) fn dump_into(&self, out: &mut dyn Write) -> Result<DumpFacts> {
        let tool = &self.pg_dump()?.0;
        let mut cmd = tool.command();
        cmd.arg("--no-password");
        self.env(&mut cmd);
        // Privileges (GRANT/REVOKE) and owners are kept: a restore gives roles back what they
        // had (owners where the restoring user may give objects to them).
        cmd.args(["--format=plain", "--quote-all-identifiers"]);
        let schemas = self.managed_schemas();
        for schema in &schemas {
            cmd.arg(format!("--schema={schema}"));
        }
        if schemas.is_empty() {
            // The tripwire (prisma-guard protect) belongs to the server it guards, not to the
            // data: a restore elsewhere would need a superuser to create it.
            cmd.arg(format!("--exclude-schema={}", crate::tripwire::sql::SCHEMA));
        }
        // Large objects belong to no schema: a dump limited to schemas leaves them out unless
        // asked (`-b`, spelt so by every supported pg_dump; `--large-objects` is 16+ only).
        if !schemas.is_empty() {
            cmd.arg("-b");
        }
        // A dump limited to schemas leaves out CREATE EXTENSION: without it, a column of an
        // extension's type (citext, vector ...) cannot be restored. Put them first.
        if !schemas.is_empty() {
            let header = self.extensions_header()?;
            out.write_all(header.as_bytes())
                .map_err(|e| crate::backup::store::write::write_error(e, Path::new("the backup file")))?;
        }
        cmd.arg(format!("--dbname={}", self.conninfo));
        cmd.stdin(Stdio::null()).stdout(Stdio::piped());
        let mut running = Running::spawn(tool, cmd)?;
        let stdout = running.child.stdout.take().context("pg_dump has no stdout")?;
        let mut filter = DumpFilter::default();
        let copied = filter_dump(stdout, out, &mut filter);
        if let Err(e) = copied {
            let _ = running.child.kill();
            let _ = running.finish(&self.redactor);
            return Err(e);
        }
        running.finish(&self.redactor).map_err(|e| self.explain(e))?;
        let mut warnings = Vec::new();
        if !self.dropped_params.is_empty() {
            warnings.push(format!("ignored URL parameters pg_dump does not know: {}", self.dropped_params.join(", ")));
        }
        Ok(DumpFacts {
            row_counts: Some(filter.counts),
            large_objects: Some(filter.large_objects),
            migrations: None,
            warnings,
        })
    }

    /// `CREATE EXTENSION IF NOT EXISTS` for every extension of the database (plpgsql aside),
    /// in its schema.
    pub(super) fn extensions_header(&self) -> Result<String> {
        let rows = self.query(
            "SELECT e.extname || chr(31) || n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY e.oid",
        )?;
        let mut header = String::new();
        for row in rows {
            if let Some((ext, schema)) = row.split_once('\x1f') {
                if header.is_empty() {
                    header.push_str("-- prisma-guard: the extensions the dumped schemas may use (pg_dump --schema leaves them out)\n");
                }
                header.push_str(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {schema};\nCREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {schema};\n",
                    quote_ident(ext),
                    schema = quote_ident(schema)
                ));
            }
        }
        Ok(header)
    }
}

pub(super) fn filter_dump(from: impl Read, to: &mut dyn Write, filter: &mut DumpFilter) -> Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, from);
    let mut buf = vec![0u8; 1 << 20];
    let as_write_error = |e: std::io::Error| crate::backup::store::write::write_error(e, Path::new("the backup file"));
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return filter.finish(to).map_err(as_write_error),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("could not read pg_dump's output"),
        };
        filter.feed(&buf[..n], to).map_err(as_write_error)?;
    }
}
