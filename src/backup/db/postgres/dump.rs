//! Taking a dump: pg_dump's plain SQL through the dump filter into the backup file, with the
//! extensions a schema-limited dump leaves out written first.

use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result};

use super::dump_filter::DumpFilter;
use super::{quote_ident, quote_literal, Postgres};
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
            cmd.arg(format!("--exclude-schema={}", crate::tripwire::install_sql::SCHEMA));
        }
        // Large objects belong to no schema: a dump limited to schemas leaves them out unless
        // asked (`-b`, spelt so by every supported pg_dump; `--large-objects` is 16+ only).
        if !schemas.is_empty() {
            cmd.arg("-b");
        }
        // A dump limited to schemas leaves out CREATE EXTENSION: without it, a column of an
        // extension's type (citext, vector ...) cannot be restored. Put them first.
        if !schemas.is_empty() {
            let header = self.extensions_header()? + &self.dependencies_header(&schemas)?;
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

impl Postgres {
    /// A dump limited to `schemas` leaves out what they use from other schemas. Types (an
    /// enum, a domain, a composite type) are written first, each created only where missing;
    /// anything else (a table, a function) is named in an error that says what to do.
    pub(super) fn dependencies_header(&self, schemas: &[String]) -> Result<String> {
        let list = schemas.iter().map(|s| quote_literal(s)).collect::<Vec<_>>().join(", ");
        let not_extension = |class: &str, oid: &str| {
            format!("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.{class}'::pg_catalog.regclass AND e.objid = {oid} AND e.deptype = 'e')")
        };
        // Types, an array's element type for the array; their definitions with every name
        // qualified (an empty search_path while asking).
        let types = format!(
            "SET search_path = ''; SELECT DISTINCT format('%I.%I', n.nspname, t.typname) || chr(31) || n.nspname || chr(31) || CASE \
               WHEN t.typtype = 'e' THEN format('CREATE TYPE %I.%I AS ENUM (%s)', n.nspname, t.typname, (SELECT string_agg(quote_literal(l.enumlabel), ', ' ORDER BY l.enumsortorder) FROM pg_catalog.pg_enum l WHERE l.enumtypid = t.oid)) \
               WHEN t.typtype = 'd' THEN format('CREATE DOMAIN %I.%I AS %s', n.nspname, t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod)) \
                 || CASE WHEN t.typdefault IS NOT NULL THEN ' DEFAULT ' || t.typdefault ELSE '' END || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END \
                 || COALESCE((SELECT string_agg(' CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_catalog.pg_get_constraintdef(c.oid), '' ORDER BY c.conname) FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '') \
               WHEN t.typtype = 'c' AND (SELECT relkind FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c' THEN format('CREATE TYPE %I.%I AS (%s)', n.nspname, t.typname, (SELECT string_agg(quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)) \
               ELSE '' END \
             FROM pg_catalog.pg_depend d \
             JOIN pg_catalog.pg_type r ON d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND r.oid = d.refobjid \
             JOIN pg_catalog.pg_type t ON t.oid = CASE WHEN r.typcategory = 'A' AND r.typelem <> 0 THEN r.typelem ELSE r.oid END \
             JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace, \
             LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) dep \
             WHERE d.deptype = 'n' AND dep.schema IN ({list}) AND n.nspname NOT IN ({list}) AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'prisma_guard') AND {} ORDER BY 1",
            not_extension("pg_type", "t.oid")
        );
        let mut header = String::new();
        let mut unknown = Vec::new();
        for row in self.query(&types)? {
            let mut fields = row.split('\x1f');
            let (Some(name), Some(schema), Some(create)) = (fields.next(), fields.next(), fields.next()) else {
                continue;
            };
            if create.is_empty() {
                unknown.push(format!("type {name}"));
                continue;
            }
            if header.is_empty() {
                header.push_str("-- prisma-guard: types of other schemas the dumped schemas use (pg_dump --schema leaves them out)\n");
            }
            header.push_str(&format!(
                "CREATE SCHEMA IF NOT EXISTS {};\nDO $pg_guard$ BEGIN IF pg_catalog.to_regtype({}) IS NULL THEN EXECUTE {}; END IF; END $pg_guard$;\n",
                quote_ident(schema),
                quote_literal(name),
                quote_literal(create)
            ));
        }
        // Anything else of another schema they depend on (a table a foreign key points at, a
        // function an index or a column uses): a backup of these schemas alone cannot hold it.
        let others = format!(
            "SELECT DISTINCT ref.type || ' ' || ref.identity || ' (used by ' || dep.type || ' ' || dep.identity || ')' \
             FROM pg_catalog.pg_depend d, \
             LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) dep, \
             LATERAL pg_catalog.pg_identify_object(d.refclassid, d.refobjid, 0) ref \
             WHERE d.deptype = 'n' AND d.refclassid <> 'pg_catalog.pg_type'::pg_catalog.regclass AND dep.schema IN ({list}) \
             AND ref.schema IS NOT NULL AND ref.schema NOT IN ({list}) AND ref.schema NOT IN ('pg_catalog', 'information_schema', 'prisma_guard') \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = d.refclassid AND e.objid = d.refobjid AND e.deptype = 'e') ORDER BY 1"
        );
        unknown.extend(self.query(&others)?);
        if !unknown.is_empty() {
            return Err(crate::error::fail(format!(
                "the schema(s) {} use objects of other schemas that a backup of {} alone cannot restore: {}",
                schemas.join(", "),
                if schemas.len() == 1 { "it" } else { "them" },
                unknown.join("; ")
            ))
            .hint(format!(
                "back up their schemas too: list them in the datasource's `schemas` (schemas = [{}, ...]) or drop `?schema=` from the URL to back up the whole database; or move those objects into {}",
                schemas.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "),
                schemas.join(", ")
            ))
            .into());
        }
        Ok(header)
    }
}

pub(super) fn filter_dump(from: impl Read, to: &mut dyn Write, filter: &mut DumpFilter) -> Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, from);
    let mut buf = vec![0u8; 1 << 20];
    let as_write_error = |e: std::io::Error| {
        match e.kind() {
        // What the filter read in pg_dump's output, not a failed write: no "free space" hint.
        std::io::ErrorKind::InvalidData => anyhow::Error::from(crate::error::fail(format!("{e}; no backup was taken")).hint(
            "prisma-guard could not follow pg_dump's output here (an object with an unusual name?): run `pg_dump --schema-only` to see the statement, and report it",
        )),
        _ => crate::backup::store::write::write_error(e, Path::new("the backup file")),
    }
    };
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
