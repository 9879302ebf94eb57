//! PostgreSQL through `pg_dump` (plain SQL, one consistent snapshot) and `psql`.
//!
//! The password reaches libpq through `PGPASSWORD` in the child's environment only (never
//! argv, never a file left behind if prisma-guard is killed); argv carries a keyword/value
//! connection string without it. Prisma-only URL parameters are stripped.

mod client;
mod dump;
mod dump_filter;
mod restore;
mod scratch;
mod sql_state;
mod tools;

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::Result;

use super::{Database, DumpFacts, Scratch, Target, ToolSettings};
use crate::backup::db::url::Engine;
use crate::process::{Redactor, Tool};
use tools::locate;

pub struct Postgres {
    target: Target,
    conninfo: String,
    dropped_params: Vec<String>,
    password: Option<String>,
    redactor: Redactor,
    tools: ToolSettings,
    psql: Tool,
    server: OnceCell<(String, u32)>,
    pg_dump: OnceCell<(Tool, String)>,
}

impl Postgres {
    pub fn new(target: Target, tools: &ToolSettings) -> Result<Postgres> {
        let (conninfo, dropped_params) = target.url.libpq_conninfo();
        let password = target.url.password().map(str::to_string);
        let redactor = Redactor::new(target.url.password().map(str::to_string));
        let psql = locate(&["psql"], tools)?;
        Ok(Postgres {
            target,
            conninfo,
            dropped_params,
            password,
            redactor,
            tools: tools.clone(),
            psql,
            server: OnceCell::new(),
            pg_dump: OnceCell::new(),
        })
    }

    fn schema_name(&self) -> &str {
        self.target.url.pg_schema().unwrap_or("public")
    }

    /// The server's version text and major number, asked once.
    fn server(&self) -> Result<&(String, u32)> {
        if let Some(info) = self.server.get() {
            return Ok(info);
        }
        let rows =
            self.query("SELECT current_setting('server_version') || chr(31) || current_setting('server_version_num')")?;
        let line = rows.first().cloned().unwrap_or_default();
        let (version, num) = line.split_once('\x1f').unwrap_or((line.as_str(), "0"));
        let major = num.trim().parse::<u32>().unwrap_or(0) / 10000;
        Ok(self.server.get_or_init(|| (version.to_string(), major)))
    }

    /// The schemas Prisma manages: the datasource's `schemas`, else the URL's `schema`;
    /// empty: the whole database.
    fn managed_schemas(&self) -> Vec<String> {
        if !self.target.schemas.is_empty() {
            return self.target.schemas.clone();
        }
        self.target.url.pg_schema().map(|s| vec![s.to_string()]).unwrap_or_default()
    }

    fn table_filter(&self) -> String {
        let schemas = self.managed_schemas();
        match schemas.is_empty() {
            false => format!("table_schema IN ({})", schemas.iter().map(|s| quote_literal(s)).collect::<Vec<_>>().join(", ")),
            true => "table_schema NOT IN ('pg_catalog', 'information_schema', 'prisma_guard') AND table_schema NOT LIKE 'pg_toast%' AND table_schema NOT LIKE 'pg_temp%'".into(),
        }
    }
}

impl Database for Postgres {
    fn engine(&self) -> Engine {
        Engine::Postgresql
    }

    fn name(&self) -> String {
        self.target.url.database.clone()
    }

    fn target(&self) -> &Target {
        &self.target
    }

    fn dump_extension(&self) -> &'static str {
        "sql"
    }

    fn widen(&mut self, names: &std::collections::BTreeSet<String>) -> Result<Vec<String>> {
        let managed = self.managed_schemas();
        if managed.is_empty() {
            return Ok(Vec::new());
        }
        let added: Vec<String> =
            self.user_schemas()?.into_iter().filter(|s| names.contains(s) && !managed.contains(s)).collect();
        if !added.is_empty() {
            self.target.schemas = managed.into_iter().chain(added.iter().cloned()).collect();
        }
        Ok(added)
    }

    fn schema(&self) -> Option<String> {
        let schemas = self.managed_schemas();
        (!schemas.is_empty()).then(|| schemas.join(","))
    }

    fn preflight(&self) -> Result<String> {
        let version = self.server()?.0.clone();
        self.pg_dump()?;
        Ok(format!("PostgreSQL {version}"))
    }

    fn dump_tool_version(&self) -> Result<String> {
        Ok(self.pg_dump()?.1.clone())
    }

    fn dump(&self, out: &mut dyn Write, _workdir: &Path) -> Result<DumpFacts> {
        self.dump_into(out)
    }

    /// Each table's own rows (`ONLY`: a parent's count leaves out its inheritance
    /// children's, as the dump's COPY of it does).
    fn row_counts(&self) -> Result<BTreeMap<String, u64>> {
        let sql = format!(
            "SELECT table_schema || '.' || table_name, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM ONLY %I.%I', table_schema, table_name), false, true, '')))[1]::text FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND NOT EXISTS (SELECT 1 FROM pg_partitioned_table pt WHERE pt.partrelid = format('%I.%I', table_schema, table_name)::regclass) AND {} ORDER BY 1",
            self.table_filter()
        );
        let mut counts = BTreeMap::new();
        for line in self.query(&sql)? {
            if let Some((table, n)) = line.split_once('\x1f') {
                counts.insert(table.to_string(), n.trim().parse().unwrap_or(0));
            }
        }
        Ok(counts)
    }

    fn table_names(&self) -> Result<Option<Vec<String>>> {
        let sql = format!(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND NOT EXISTS (SELECT 1 FROM pg_partitioned_table pt WHERE pt.partrelid = format('%I.%I', table_schema, table_name)::regclass) AND {} ORDER BY 1",
            self.table_filter()
        );
        Ok(Some(self.query(&sql)?))
    }

    fn definitions(&self) -> Result<Vec<String>> {
        let schemas = self.table_filter().replace("table_schema", "n.nspname");
        let not_extension = |class: &str, oid: &str| {
            format!("NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{class}'::regclass AND e.objid = {oid} AND e.deptype = 'e')")
        };
        let sql = format!(
            "SELECT CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'materialized view ' END || format('%I.%I', n.nspname, c.relname) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND {schemas} AND {} \
             UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' ELSE 'function ' END || format('%I.%I', n.nspname, p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')' \
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {schemas} AND {} ORDER BY 1",
            not_extension("pg_class", "c.oid"),
            not_extension("pg_proc", "p.oid"),
        );
        self.query(&sql)
    }

    fn large_object_count(&self) -> Result<Option<u64>> {
        let n = self.query("SELECT count(*) FROM pg_catalog.pg_largeobject_metadata")?;
        Ok(n.first().and_then(|n| n.trim().parse().ok()))
    }

    fn applied_migrations(&self) -> Result<Vec<String>> {
        // One round trip: the inner query only runs when the table exists.
        let table = format!("{}._prisma_migrations", quote_ident(self.schema_name()));
        let inner = format!(
            "SELECT migration_name AS m FROM {table} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY started_at, migration_name"
        );
        self.query(&format!(
            "SELECT unnest(xpath('/table/row/m/text()', query_to_xml({}, false, false, '')))::text WHERE to_regclass({}) IS NOT NULL",
            quote_literal(&inner),
            quote_literal(&table)
        ))
    }

    fn restore(&self, input: &mut dyn Read, clear: bool) -> Result<()> {
        self.restore_from(input, clear)
    }

    fn check_restorable(&self, dump: &mut dyn Read, rows: u64) -> Result<super::CheckOutcome> {
        let scratch = match self.scratch() {
            Ok(s) => s,
            Err(e) => return Ok(super::CheckOutcome::NotChecked(crate::backup::db::restore_not_checked(&e))),
        };
        // Every row when that is affordable; else the first rows of each table, and said so.
        let sample = (rows > super::FULL_CHECK_ROWS).then_some(scratch::SAMPLE_ROWS);
        let checked = scratch.db.replay(dump, sample);
        if let Err(e) = &checked {
            // An extension only a superuser may create cannot be made in a scratch database
            // by this user; a restore into a database that has it works. Not checked, then.
            let text = format!("{e:#}");
            if text.contains("permission denied to create extension") || text.contains("must be superuser") {
                return Ok(super::CheckOutcome::NotChecked(format!(
                    "could not check that the backup restores: this user may not create an extension it needs in a scratch database ({}); run `prisma-guard restore-test` as a user who may",
                    text.lines().find(|l| l.contains("extension") || l.contains("superuser")).unwrap_or("").trim()
                )));
            }
        }
        checked.map(super::CheckOutcome::Checked).map_err(crate::backup::db::unrestorable)
    }

    fn exists(&self) -> Result<bool> {
        match self.server() {
            Ok(_) => Ok(true),
            Err(e) if format!("{e:#}").contains(&format!("database \"{}\" does not exist", self.name())) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn create_if_missing(&self) -> Result<bool> {
        match self.exists()? {
            true => Ok(false),
            false => {
                let url = self.target.url.with_database("postgres");
                let maintenance = Postgres::new(Target { url, sqlite_path: None, schemas: Vec::new() }, &self.tools)?;
                maintenance.query(&format!("CREATE DATABASE {}", quote_ident(&self.name())))?;
                Ok(true)
            }
        }
    }

    fn create_scratch(&self) -> Result<Box<dyn Scratch + '_>> {
        Ok(Box::new(self.scratch()?))
    }
}

pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
