//! PostgreSQL through `pg_dump` (plain SQL, one consistent snapshot) and `psql`.
//!
//! The password reaches libpq through `PGPASSWORD` in the child's environment only (never
//! argv, never a file left behind if prisma-guard is killed); argv carries a keyword/value
//! connection string without it. Prisma-only URL parameters are stripped.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use super::{Database, DumpFacts, Scratch, Target, Temporary, ToolSettings};
use crate::backup::db::url::Engine;
use crate::error::fail;
use crate::process::{Redactor, Running, Tool};

const INSTALL_HINT: &str = "install the PostgreSQL client tools (Debian/Ubuntu: `apt-get install postgresql-client`; macOS: `brew install libpq`), or point `[tools] pg_bin_dir` in prisma-guard.toml at the folder holding pg_dump and psql";

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

    fn env(&self, cmd: &mut Command) {
        if let Some(pw) = &self.password {
            // The URL's password, for this child only.
            cmd.env("PGPASSWORD", pw).env_remove("PGPASSFILE");
        }
        if std::env::var_os("PGCONNECT_TIMEOUT").is_none() {
            cmd.env("PGCONNECT_TIMEOUT", "15");
        }
        cmd.env("PGAPPNAME", "prisma-guard");
        // The connection is the URL's alone: none of libpq's variables may point the client
        // at another server, database or user than Prisma's (a service file, an address).
        for var in [
            "PGHOST",
            "PGHOSTADDR",
            "PGPORT",
            "PGDATABASE",
            "PGUSER",
            "PGSERVICE",
            "PGSERVICEFILE",
            "PGOPTIONS",
            "PGTARGETSESSIONATTRS",
            "PGLOADBALANCEHOSTS",
        ] {
            cmd.env_remove(var);
        }
    }

    fn psql_command(&self) -> Command {
        let mut cmd = self.psql.command();
        // Never a password prompt: without the password the URL gives, it fails.
        cmd.arg("--no-password");
        self.env(&mut cmd);
        cmd.args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-F", "\x1f"]).arg(format!("--dbname={}", self.conninfo));
        cmd
    }

    /// Run one SQL text, return stdout lines.
    pub(crate) fn query(&self, sql: &str) -> Result<Vec<String>> {
        let mut cmd = self.psql_command();
        cmd.arg("-c").arg(sql);
        let out = self.psql.output(cmd, &self.redactor).map_err(|e| self.explain(e))?;
        Ok(out.lines().map(str::to_string).collect())
    }

    /// Add a precise hint to a connection or version error.
    fn explain(&self, err: anyhow::Error) -> anyhow::Error {
        let text = format!("{err:#}");
        let where_ = self.target.url.redacted();
        let hint = if text.contains("password authentication failed") {
            format!("the server rejected the password for {where_}: fix DATABASE_URL (or the URL prisma-guard uses) and try again")
        } else if text.contains("Connection refused")
            || text.contains("could not connect")
            || text.contains("No such file or directory")
            || text.contains("timeout expired")
            || text.contains("could not translate host name")
        {
            format!("the PostgreSQL server at {where_} is not reachable: start it, or check host and port in the URL")
        } else if text.contains("does not exist") && text.contains("database") {
            format!("the database in {where_} does not exist: check the URL, or create the database first")
        } else if text.contains("row-level security") {
            format!("a table of {where_} has FORCE ROW LEVEL SECURITY, so pg_dump would see only some rows and refuses: back up as a role that bypasses it (`ALTER ROLE <backup user> BYPASSRLS;`), or as a superuser")
        } else if text.contains("server version mismatch") {
            format!("pg_dump is older than the server: {INSTALL_HINT}")
        } else {
            return err;
        };
        err.context(fail(format!("cannot use the PostgreSQL database {where_}")).hint(hint))
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

    /// A pg_dump that can dump this server, and its version line, chosen once.
    fn pg_dump(&self) -> Result<&(Tool, String)> {
        if let Some(found) = self.pg_dump.get() {
            return Ok(found);
        }
        let server_major = self.server()?.1;
        let tool = locate(&["pg_dump"], &self.tools)?;
        let version = tool.version()?;
        let tool_major = major_version(&version).unwrap_or(u32::MAX);
        let chosen = if tool_major >= server_major {
            (tool, version)
        } else if let Some(dir) = self.tools.pg_bin_dir.is_none().then(|| newest_debian_bin_dir(server_major)).flatten()
        {
            // Debian and Ubuntu install every major version side by side.
            let newer = Tool::locate(&["pg_dump"], Some(&dir), INSTALL_HINT)?;
            let v = newer.version()?;
            (newer, v)
        } else {
            return Err(fail(format!(
                "{} is version {tool_major}, older than the PostgreSQL {server_major} server; pg_dump refuses to dump a newer server",
                tool.path.display()
            ))
            .hint(format!("install pg_dump {server_major} or newer (Debian/Ubuntu: `apt-get install postgresql-client-{server_major}`), or set `[tools] pg_bin_dir` in prisma-guard.toml to its folder"))
            .into());
        };
        Ok(self.pg_dump.get_or_init(|| chosen))
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

    /// A new empty database on the same server, dropped when the value is dropped.
    fn scratch(&self) -> Result<Temporary<'_, Postgres>> {
        let name = super::scratch_name();
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

    /// The roles this user may make owners of objects (itself and the roles it belongs to; all
    /// of them for a superuser).
    fn roles_to_own(&self) -> Result<Vec<String>> {
        self.query("SELECT rolname FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")
    }

    /// psql reading a script on its stdin (no `-1`: callers open and commit or roll back the
    /// transaction themselves), stopping at the first error.
    fn psql_script(&self) -> Result<(Running, std::process::ChildStdin)> {
        let mut cmd = self.psql.command();
        // Never a password prompt: without the password the URL gives, it fails.
        cmd.arg("--no-password");
        self.env(&mut cmd);
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"])
            .arg(format!("--dbname={}", self.conninfo))
            .stdin(Stdio::piped())
            .stdout(Stdio::null());
        let mut running = Running::spawn(&self.psql, cmd)?;
        let stdin = running.child.stdin.take().context("psql has no stdin")?;
        Ok((running, stdin))
    }

    /// Run a script (which opens and commits its own transaction) on psql's stdin, stopping
    /// at the first error. The text never reaches argv.
    pub(crate) fn run_script(&self, sql: &str) -> Result<()> {
        let (running, mut stdin) = self.psql_script()?;
        let fed = stdin.write_all(sql.as_bytes());
        drop(stdin);
        let finished = running.finish(&self.redactor).map_err(|e| self.explain(e));
        match (fed, finished) {
            (_, Err(e)) => Err(e),
            (Err(e), Ok(_)) => Err(anyhow::Error::new(e).context("could not feed the SQL to psql")),
            (Ok(()), Ok(_)) => Ok(()),
        }
    }

    /// A psql session that runs each statement written to its stdin as it arrives and prints
    /// the results (unaligned, tuples only) on its stdout; it ends when its stdin closes.
    pub(crate) fn session(&self) -> Result<(Running, std::process::ChildStdin, std::process::ChildStdout)> {
        let mut cmd = self.psql.command();
        cmd.arg("--no-password");
        self.env(&mut cmd);
        cmd.args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-f", "-"])
            .arg(format!("--dbname={}", self.conninfo))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut running = Running::spawn(&self.psql, cmd)?;
        let stdin = running.child.stdin.take().context("psql has no stdin")?;
        let stdout = running.child.stdout.take().context("psql has no stdout")?;
        Ok((running, stdin, stdout))
    }

    /// What hides this connection's password in text shown to people.
    pub(crate) fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Feed the dump up to its first `COPY` (the types, tables and functions it creates) to
    /// psql in a transaction that is rolled back.
    fn replay_schema_part(&self, dump: &mut dyn Read) -> Result<()> {
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

    /// Objects outside `schemas` that depend on something inside them (and so would go with
    /// a `DROP SCHEMA ... CASCADE`), described; extensions' own members aside, and objects
    /// owned by a schema of the list (a schema's `ALTER DEFAULT PRIVILEGES`, which the dump
    /// holds).
    fn dependents_outside(&self, schemas: &[String]) -> Result<Vec<String>> {
        let list = schemas.iter().map(|s| quote_literal(s)).collect::<Vec<_>>().join(", ");
        self.query(&format!(
            "SELECT DISTINCT dep.type || ' ' || dep.identity FROM pg_depend d, \
             LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) dep, \
             LATERAL pg_identify_object(d.refclassid, d.refobjid, d.refobjsubid) ref \
             WHERE d.deptype IN ('n', 'a') \
             AND (ref.schema IN ({list}) OR (ref.type = 'schema' AND ref.identity IN ({list}))) \
             AND dep.type NOT IN ('extension', 'cast', 'function of access method', 'operator of access method', 'publication relation', 'publication namespace') \
             AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = d.classid AND e.objid = d.objid AND e.deptype = 'e') \
             AND (dep.schema NOT IN ({list}) OR (dep.schema IS NULL AND NOT EXISTS ( \
                 SELECT 1 FROM pg_depend o, LATERAL pg_identify_object(o.refclassid, o.refobjid, 0) own \
                 WHERE o.classid = d.classid AND o.objid = d.objid AND o.deptype IN ('a', 'i') \
                 AND (own.schema IN ({list}) OR (own.type = 'schema' AND own.identity IN ({list})))))) \
             ORDER BY 1"
        ))
    }

    /// `CREATE EXTENSION IF NOT EXISTS` for every extension of the database (plpgsql aside),
    /// in its schema.
    fn extensions_header(&self) -> Result<String> {
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

    /// `public` as a new database has it: owned by the database owner, usable by everyone
    /// (PostgreSQL 15 and later; before: everyone may also create in it).
    fn fresh_public_schema(&self) -> Result<String> {
        let mut sql = String::from("CREATE SCHEMA IF NOT EXISTS \"public\";\n");
        let major = self.server()?.1;
        if major >= 15 {
            let may_own = self.query("SELECT pg_has_role('pg_database_owner', 'MEMBER')")?;
            sql.push_str("GRANT USAGE ON SCHEMA \"public\" TO PUBLIC;\n");
            sql.push_str("COMMENT ON SCHEMA \"public\" IS 'standard public schema';\n");
            if may_own.first().is_some_and(|v| v == "t") {
                sql.push_str("ALTER SCHEMA \"public\" OWNER TO pg_database_owner;\n");
            }
        } else {
            sql.push_str("GRANT ALL ON SCHEMA \"public\" TO PUBLIC;\nCOMMENT ON SCHEMA \"public\" IS 'standard public schema';\n");
        }
        Ok(sql)
    }

    /// Extensions this user could not create again (not trusted, or no superuser here), with
    /// their schemas: a restore in place keeps them rather than dropping them with their
    /// schema.
    fn extensions_kept(&self) -> Result<Vec<(String, String)>> {
        let trusted = match self.server()?.1 >= 13 {
            true => "COALESCE((SELECT v.trusted FROM pg_available_extension_versions v WHERE v.name = e.extname AND v.version = e.extversion), false)",
            false => "false",
        };
        let rows = self.query(&format!(
            "SELECT e.extname || chr(31) || n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
             WHERE e.extname <> 'plpgsql' AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AND NOT {trusted} ORDER BY 1"
        ))?;
        Ok(rows.iter().filter_map(|r| r.split_once('\x1f')).map(|(e, s)| (e.to_string(), s.to_string())).collect())
    }

    /// `DROP ... CASCADE` for everything in `schema` a dump creates (tables, views, sequences
    /// of their own, functions, types) except the members of extensions: empties a schema that
    /// must stay because it holds an extension.
    fn empty_schema_sql(&self, schema: &str) -> Result<String> {
        let not_member = |catalog: &str, oid: &str| {
            format!("NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass AND d.objid = {oid} AND d.deptype = 'e')")
        };
        let s = quote_literal(schema);
        let rows = self.query(&format!(
            "SELECT stmt FROM ( \
             SELECT CASE c.relkind WHEN 'v' THEN 2 WHEN 'm' THEN 2 WHEN 'S' THEN 3 WHEN 'c' THEN 4 ELSE 1 END AS ord, \
               format('DROP %s IF EXISTS %I.%I CASCADE;', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END, n.nspname, c.relname) AS stmt \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = {s} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND NOT c.relispartition AND {} \
               AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend o WHERE o.classid = 'pg_class'::regclass AND o.objid = c.oid AND o.deptype IN ('a', 'i'))) \
             UNION ALL \
             SELECT 5, format('DROP %s IF EXISTS %I.%I(%s) CASCADE;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) \
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = {s} AND {} \
             UNION ALL \
             SELECT 6, format('DROP %s IF EXISTS %I.%I CASCADE;', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname) \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = {s} AND t.typtype IN ('b', 'd', 'e', 'r') AND t.typcategory <> 'A' AND {} \
             ) x ORDER BY ord, stmt",
            not_member("pg_class", "c.oid"),
            not_member("pg_proc", "p.oid"),
            not_member("pg_type", "t.oid"),
        ))?;
        let mut sql = String::new();
        for row in rows {
            sql.push_str(&row);
            sql.push('\n');
        }
        Ok(sql)
    }

    /// `DROP PUBLICATION` and `DROP EVENT TRIGGER` for those of the database: objects of no
    /// schema, which a whole-database dump creates again (the tripwire's aside: it stays).
    fn drop_database_objects_sql(&self) -> Result<String> {
        let rows = self.query(
            "SELECT format('DROP PUBLICATION IF EXISTS %I;', pubname) FROM pg_publication \
             UNION ALL SELECT format('DROP EVENT TRIGGER IF EXISTS %I;', evtname) FROM pg_event_trigger WHERE evtname NOT LIKE 'prisma\\_guard\\_%'",
        )?;
        Ok(rows.iter().map(|r| format!("{r}\n")).collect())
    }

    /// Schemas a publication publishes whole (`FOR TABLES IN SCHEMA`, PostgreSQL 15 and later).
    fn published_schemas(&self) -> Result<Vec<String>> {
        match self.server()?.1 >= 15 {
            true => self.query(
                "SELECT DISTINCT n.nspname FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid",
            ),
            false => Ok(Vec::new()),
        }
    }

    /// Statements that put the tables of `schemas` back into the publications they are in now
    /// (a `--schema` dump does not hold memberships, and dropping a schema drops them); each
    /// only when the restored backup has that table, and a failure is a warning.
    fn publication_members_sql(&self, schemas: &[String]) -> Result<String> {
        let major = self.server()?.1;
        let list = schemas.iter().map(|s| quote_literal(s)).collect::<Vec<_>>().join(", ");
        let (columns, filter) = match major >= 15 {
            true => (
                "CASE WHEN pr.prattrs IS NULL THEN '' ELSE ' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = pr.prrelid AND a.attnum = ANY(pr.prattrs)) || ')' END",
                "CASE WHEN pr.prqual IS NULL THEN '' ELSE ' WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || ')' END",
            ),
            false => ("''", "''"),
        };
        let query = format!(
            "SELECT format('%I.%I', n.nspname, c.relname) || chr(31) || format('ALTER PUBLICATION %I ADD TABLE ONLY %I.%I', p.pubname, n.nspname, c.relname) || {columns} || {filter} \
             FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid JOIN pg_class c ON c.oid = pr.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname IN ({list})"
        );
        let mut sql = String::new();
        for row in self.query(&(query + " ORDER BY 1"))? {
            let Some((table, stmt)) = row.split_once('\x1f') else { continue };
            sql.push_str(&format!(
                "DO {tag} BEGIN IF to_regclass({}) IS NOT NULL THEN EXECUTE {}; END IF; \
                 EXCEPTION WHEN others THEN RAISE WARNING 'prisma-guard: could not put back publication membership (%): %', {}, SQLERRM; END {tag};\n",
                quote_literal(table),
                quote_literal(stmt),
                quote_literal(stmt),
                tag = "$prisma_guard$",
            ));
        }
        Ok(sql)
    }

    fn user_schemas(&self) -> Result<Vec<String>> {
        self.query("SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'prisma_guard') AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%' ORDER BY 1")
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

    fn row_counts(&self) -> Result<BTreeMap<String, u64>> {
        let sql = format!(
            "SELECT table_schema || '.' || table_name, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND NOT EXISTS (SELECT 1 FROM pg_partitioned_table pt WHERE pt.partrelid = format('%I.%I', table_schema, table_name)::regclass) AND {} ORDER BY 1",
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
        let mut preamble = String::from("SET client_min_messages = warning;\n");
        let mut epilogue = String::new();
        let mut kept = Vec::new();
        if clear {
            let managed = self.managed_schemas();
            if !managed.is_empty() {
                // DROP SCHEMA ... CASCADE would also drop what other schemas build on these
                // (views, foreign keys, columns of their types, triggers): refuse, never
                // drop what the backup cannot put back.
                let outside = self.dependents_outside(&managed)?;
                if !outside.is_empty() {
                    return Err(fail(format!(
                        "restoring would drop objects outside the schemas this backup holds ({}): {}",
                        managed.join(", "),
                        outside.join("; ")
                    ))
                    .hint("drop or move those objects first, or restore into another database with --to <url>")
                    .into());
                }
            }
            let schemas = if managed.is_empty() { self.user_schemas()? } else { managed.clone() };
            if managed.is_empty() {
                preamble.push_str(&self.drop_database_objects_sql()?);
            } else {
                epilogue.push_str(&self.publication_members_sql(&managed)?);
            }
            kept = self.extensions_kept()?;
            // A schema that holds an extension this user cannot create again, or that a
            // publication publishes as a whole (only a superuser may add it back), is
            // emptied rather than dropped.
            let published = self.published_schemas()?;
            for s in &schemas {
                match kept.iter().any(|(_, in_schema)| in_schema == s) || published.contains(s) {
                    true => preamble.push_str(&self.empty_schema_sql(s)?),
                    false => preamble.push_str(&format!("DROP SCHEMA IF EXISTS {} CASCADE;\n", quote_ident(s))),
                }
            }
            if managed.is_empty() {
                // A whole-database dump does not create `public` (it always exists) and states
                // its privileges relative to a new database's: put it back as initdb makes it.
                preamble.push_str(&self.fresh_public_schema()?);
                // Large objects live outside every schema: the dump creates them again.
                preamble.push_str("SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata;\n");
            }
        }
        let owners = self.roles_to_own()?;
        // One transaction, opened here and committed only by the `COMMIT` written after the
        // whole dump has been read and its checksum verified (the reader fails at the end
        // otherwise). Not psql's `-1`: that commits at end of input, so a prisma-guard killed
        // mid-stream (SIGKILL, a closed terminal) would commit half a restore. Without the
        // COMMIT, psql's end of input closes the session and the server rolls back.
        let (mut running, mut stdin) = self.psql_script()?;
        let fed = stdin
            .write_all(b"BEGIN;\n")
            .and_then(|()| stdin.write_all(preamble.as_bytes()))
            .and_then(|()| copy_into_transaction(input, &mut stdin, owners, kept))
            .and_then(|()| stdin.write_all(b"\n"))
            .and_then(|()| stdin.write_all(epilogue.as_bytes()))
            .and_then(|()| stdin.write_all(b"COMMIT;\n"));
        if fed.is_err() {
            // No COMMIT was sent; make sure psql stops without one.
            let _ = running.child.kill();
        }
        drop(stdin);
        let finished = running.finish(&self.redactor).map_err(|e| self.explain(e));
        match (fed, finished) {
            // psql stopped reading: its own error says why, not the pipe.
            (Err(e), Err(child)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                Err(child.context("the restore failed and was rolled back; the database is unchanged"))
            }
            (Err(e), _) => Err(anyhow::Error::new(e)
                .context("could not read the whole backup; the restore was rolled back and the database is unchanged")),
            (_, Err(e)) => Err(e.context("the restore failed and was rolled back; the database is unchanged")),
            (Ok(()), Ok(stderr)) => {
                for line in stderr.lines() {
                    if let Some((_, warning)) = line.split_once("prisma-guard: ") {
                        crate::ui::Printer::default().warn(warning);
                    }
                }
                Ok(())
            }
        }
    }

    fn check_restorable(&self, dump: &mut dyn Read) -> Result<Option<String>> {
        let scratch = match self.scratch() {
            Ok(s) => s,
            Err(e) => return Ok(Some(super::restore_not_checked(&e))),
        };
        let checked = scratch.db.replay_schema_part(dump);
        if let Err(e) = &checked {
            // An extension only a superuser may create cannot be made in a scratch database
            // by this user; a restore into a database that has it works. Not checked, then.
            let text = format!("{e:#}");
            if text.contains("permission denied to create extension") || text.contains("must be superuser") {
                return Ok(Some(format!(
                    "could not check that the backup restores: this user may not create an extension it needs in a scratch database ({}); run `prisma-guard restore-test` as a user who may",
                    text.lines().find(|l| l.contains("extension") || l.contains("superuser")).unwrap_or("").trim()
                )));
            }
        }
        checked.map(|()| None).map_err(super::unrestorable)
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

/// Filters a plain pg_dump stream on its way to the backup file: counts the data lines of
/// each `COPY ... FROM stdin;` block (row counts from the same snapshot as the data), and
/// turns `CREATE SCHEMA "x";` into `CREATE SCHEMA IF NOT EXISTS "x";` so a one-schema dump
/// (`?schema=public`) also restores into a new database with plain `psql`.
#[derive(Default)]
pub struct DumpFilter {
    pub counts: BTreeMap<String, u64>,
    /// `SELECT pg_catalog.lo_create('N');` statements: the large objects the dump creates.
    pub large_objects: u64,
    /// On the way into psql: drop the dump's own `BEGIN;`/`COMMIT;` lines (pg_dump wraps
    /// large objects in them), whose COMMIT would end the restore's one transaction early.
    pub strip_transactions: bool,
    /// On the way into psql: the roles this user may give objects to (`ALTER ... OWNER TO`
    /// lines naming another role are left out: the objects stay the restoring user's).
    pub owners: Option<Vec<String>>,
    /// On the way into psql: extensions left in place (not this user's to comment on).
    pub kept_extensions: Vec<String>,
    /// The `OWNER TO` lines kept, written at the end (after the GRANTs that may let the new
    /// owner hold objects in their schema).
    deferred: Vec<u8>,
    /// Where the SQL text outside COPY data is: in a string, a comment, a dollar quote.
    sql: SqlState,
    /// The table whose COPY data is streaming, and its rows so far.
    current: Option<(String, u64)>,
    /// The current line outside COPY data; inside COPY, its first bytes only.
    line: Vec<u8>,
    /// Inside a statement of the tripwire's, left out up to its end.
    skipping: bool,
}

impl DumpFilter {
    pub fn feed(&mut self, mut chunk: &[u8], out: &mut dyn Write) -> std::io::Result<()> {
        while !chunk.is_empty() {
            if self.current.is_some() {
                // COPY data passes through untouched; only whole lines are inspected.
                let mut rest = chunk;
                let mut offset = 0;
                let mut ended = false;
                while let Some(i) = memchr::memchr(b'\n', rest) {
                    self.push_prefix(&rest[..i]);
                    let is_end = self.line == b"\\.";
                    self.line.clear();
                    offset += i + 1;
                    rest = &chunk[offset..];
                    if is_end {
                        if let Some((table, rows)) = self.current.take() {
                            self.counts.insert(table, rows);
                        }
                        ended = true;
                        break;
                    }
                    if let Some((_, rows)) = &mut self.current {
                        *rows += 1;
                    }
                }
                if ended {
                    out.write_all(&chunk[..offset])?;
                    chunk = &chunk[offset..];
                    continue;
                }
                self.push_prefix(rest);
                out.write_all(chunk)?;
                return Ok(());
            }
            match memchr::memchr(b'\n', chunk) {
                Some(i) => {
                    self.line.extend_from_slice(&chunk[..=i]);
                    self.end_statement_line(out)?;
                    chunk = &chunk[i + 1..];
                }
                None => {
                    self.line.extend_from_slice(chunk);
                    chunk = &[];
                }
            }
        }
        Ok(())
    }

    /// Write whatever is still buffered (a last line without a newline).
    pub fn finish(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.current.is_none() && !self.line.is_empty() {
            out.write_all(&self.line)?;
            self.line.clear();
        }
        if !self.deferred.is_empty() {
            out.write_all(b"\n")?;
            for line in std::mem::take(&mut self.deferred).split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                out.write_all(&owner_change_or_warning(line))?;
            }
        }
        Ok(())
    }

    /// Whether `line` is `COMMENT ON EXTENSION "x" IS ...;` for an extension left in place.
    fn comments_kept_extension(&self, line: &[u8]) -> bool {
        let Some(rest) = line.strip_prefix(b"COMMENT ON EXTENSION ") else { return false };
        let text = String::from_utf8_lossy(rest);
        let name = text.split(" IS ").next().unwrap_or("").trim();
        let name = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')).unwrap_or(name);
        self.kept_extensions.iter().any(|k| k == name)
    }

    fn push_prefix(&mut self, part: &[u8]) {
        let room = 3usize.saturating_sub(self.line.len());
        self.line.extend_from_slice(&part[..part.len().min(room)]);
    }

    fn end_statement_line(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let line = std::mem::take(&mut self.line);
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        // Only a line that is whole statements of its own is pg_dump's: a line inside a
        // multi-line string, comment or function body (which anyone who may write a comment
        // controls) passes through untouched.
        let starts_clean = self.sql.at_boundary();
        self.sql.scan(&line);
        if let Some(meta) = self.sql.meta.take() {
            return Err(std::io::Error::other(format!(
                "the dump holds a psql command outside any statement (`{meta}`): pg_dump never writes one, so this file was altered; refused"
            )));
        }
        if self.skipping {
            self.skipping = !self.sql.at_boundary();
            return Ok(());
        }
        if starts_clean && is_tripwire_statement(body) {
            self.skipping = !self.sql.at_boundary();
            return Ok(());
        }
        if !(starts_clean && self.sql.at_boundary()) {
            return out.write_all(&line);
        }
        if body.starts_with(b"COPY ") && body.ends_with(b" FROM stdin;") {
            let text = String::from_utf8_lossy(&body[5..]);
            let name = copy_table_name(&text);
            self.current = Some((name, 0));
            out.write_all(&line)
        } else if body.starts_with(b"SELECT pg_catalog.lo_create('") && body.ends_with(b"');") {
            self.large_objects += 1;
            if !self.strip_transactions {
                return out.write_all(&line);
            }
            // On the way into psql: a large object of that number still there (a restore in
            // place of a backup limited to schemas, which keeps other large objects) is
            // replaced, not a failed restore.
            let oid = &body[b"SELECT pg_catalog.lo_create('".len()..body.len() - 3];
            if !oid.iter().all(u8::is_ascii_digit) {
                return out.write_all(&line);
            }
            let oid = String::from_utf8_lossy(oid);
            out.write_all(
                format!("SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '{oid}'::oid;\n")
                    .as_bytes(),
            )?;
            out.write_all(&line)
        } else if (self.strip_transactions && (body == b"BEGIN;" || body == b"COMMIT;"))
            || self.comments_kept_extension(body)
        {
            Ok(())
        } else if let Some(roles) = &self.owners {
            if is_owner_line(body) {
                if !owner_not_allowed(body, roles) {
                    self.deferred.extend_from_slice(&line);
                }
                Ok(())
            } else {
                out.write_all(&line)
            }
        } else if let Some(rest) = body.strip_prefix(b"CREATE SCHEMA ").filter(|r| !r.starts_with(b"IF NOT EXISTS")) {
            out.write_all(b"CREATE SCHEMA IF NOT EXISTS ")?;
            out.write_all(rest)?;
            out.write_all(b"\n")
        } else {
            out.write_all(&line)
        }
    }
}

/// The tripwire's triggers (prisma-guard protect), which pg_dump writes with the tables and
/// among the event triggers: left out of backups and restores (they would need its schema,
/// which is not dumped, and a superuser). A restored table gets its trigger from the tripwire
/// of the database it lands in.
fn is_tripwire_statement(line: &[u8]) -> bool {
    let refers = |needle: &[u8]| memchr::memmem::find(line, needle).is_some();
    (line.starts_with(b"CREATE TRIGGER ") && refers(b"EXECUTE FUNCTION \"prisma_guard\"."))
        || line.starts_with(b"CREATE EVENT TRIGGER \"prisma_guard_")
        || line.starts_with(b"ALTER EVENT TRIGGER \"prisma_guard_")
        || line.starts_with(b"COMMENT ON EVENT TRIGGER \"prisma_guard_")
        || (line.starts_with(b"ALTER TABLE ") && refers(b" TRIGGER \"prisma_guard_no_truncate\""))
}

/// `schema.table` of `"public"."Odd ""Name"" ; --" ("id") FROM stdin;` (quotes taken off,
/// doubled quotes made single), as the row-count query names it.
fn copy_table_name(text: &str) -> String {
    let mut name = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                name.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ' ' | '(' if !quoted => break,
            c => name.push(c),
        }
    }
    name
}

/// Where a stream of SQL text is, line after line: inside a string, quoted name, dollar
/// quote or block comment, and whether a statement has begun since the last `;`.
#[derive(Default)]
pub struct SqlState {
    mode: Mode,
    pending: bool,
    /// A backslash outside every quote and comment: a psql meta-command (`\!`, `\o`, `\copy
    /// ... program`), which pg_dump never writes but psql would run.
    pub meta: Option<String>,
}

#[derive(Default, PartialEq, Eq)]
enum Mode {
    #[default]
    Normal,
    /// `'...'`; `E'...'` takes backslash escapes.
    Single {
        escapes: bool,
    },
    Double,
    Dollar(Vec<u8>),
    Block(u32),
}

impl SqlState {
    /// Between statements, outside every quote and comment.
    pub fn at_boundary(&self) -> bool {
        self.mode == Mode::Normal && !self.pending
    }

    pub fn scan(&mut self, line: &[u8]) {
        // A psql meta-command between statements is a line of its own: pg_dump writes only
        // `\restrict KEY` and `\unrestrict KEY` (the guard against commands smuggled into a
        // dump); anything else would run in psql.
        let trimmed = line.trim_ascii_start();
        if self.at_boundary() && trimmed.starts_with(b"\\") {
            if !(trimmed.starts_with(b"\\restrict ") || trimmed.starts_with(b"\\unrestrict ")) {
                self.meta = Some(String::from_utf8_lossy(trimmed).chars().take(40).collect());
            }
            return;
        }
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        let mut i = 0;
        while i < line.len() {
            let c = line[i];
            let next = line.get(i + 1).copied();
            match &mut self.mode {
                Mode::Normal => match c {
                    b'\\' => {
                        self.meta = Some(String::from_utf8_lossy(&line[i..]).trim_end().chars().take(40).collect());
                        i += 1;
                        continue;
                    }
                    b'\'' => {
                        let e = i > 0 && line[i - 1].eq_ignore_ascii_case(&b'e') && (i < 2 || !ident(line[i - 2]));
                        self.mode = Mode::Single { escapes: e };
                        self.pending = true;
                    }
                    b'"' => {
                        self.mode = Mode::Double;
                        self.pending = true;
                    }
                    b'-' if next == Some(b'-') => return,
                    b'/' if next == Some(b'*') => {
                        self.mode = Mode::Block(1);
                        i += 1;
                    }
                    b'$' if i == 0 || !ident(line[i - 1]) => {
                        let len = line[i + 1..].iter().take_while(|b| ident(**b)).count();
                        let tag_ok =
                            line.get(i + 1 + len) == Some(&b'$') && !line.get(i + 1).is_some_and(u8::is_ascii_digit);
                        if tag_ok {
                            self.mode = Mode::Dollar(line[i..i + len + 2].to_vec());
                            i += len + 1;
                        }
                        self.pending = true;
                    }
                    b';' => self.pending = false,
                    c if !c.is_ascii_whitespace() => self.pending = true,
                    _ => {}
                },
                Mode::Single { escapes } => {
                    if *escapes && c == b'\\' {
                        i += 1;
                    } else if c == b'\'' {
                        if next == Some(b'\'') {
                            i += 1;
                        } else {
                            self.mode = Mode::Normal;
                        }
                    }
                }
                Mode::Double => {
                    if c == b'"' {
                        if next == Some(b'"') {
                            i += 1;
                        } else {
                            self.mode = Mode::Normal;
                        }
                    }
                }
                Mode::Dollar(tag) => {
                    if line[i..].starts_with(tag) {
                        i += tag.len();
                        self.mode = Mode::Normal;
                        continue;
                    }
                }
                Mode::Block(depth) => {
                    if c == b'*' && next == Some(b'/') {
                        *depth -= 1;
                        i += 1;
                        if *depth == 0 {
                            self.mode = Mode::Normal;
                        }
                    } else if c == b'/' && next == Some(b'*') {
                        *depth += 1;
                        i += 1;
                    }
                }
            }
            i += 1;
        }
    }
}

/// An `ALTER ... OWNER TO role;` that cannot fail the restore: a role this user belongs to may
/// still lack a privilege the new owner needs (CREATE on the schema, since PostgreSQL 15 not
/// granted on `public`); then the object stays the restoring user's and psql shows a warning,
/// instead of the whole restore rolling back over an owner.
fn owner_change_or_warning(line: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(line);
    let stmt = text.trim_end().trim_end_matches(';');
    if stmt.contains("$pg_guard$") || stmt.contains("$pg_guard_sql$") {
        return format!("{}\n", text.trim_end()).into_bytes();
    }
    format!(
        "DO $pg_guard$ BEGIN EXECUTE $pg_guard_sql${stmt}$pg_guard_sql$; EXCEPTION WHEN insufficient_privilege THEN RAISE WARNING 'prisma-guard: the owner could not be restored (%): %', $pg_guard_sql${stmt}$pg_guard_sql$, SQLERRM; END $pg_guard$;\n"
    )
    .into_bytes()
}

/// Whether `line` is an `ALTER ... OWNER TO ...;`.
fn is_owner_line(line: &[u8]) -> bool {
    line.starts_with(b"ALTER ") && memchr::memmem::find(line, b" OWNER TO ").is_some()
}

/// Whether `line` is an `ALTER ... OWNER TO "role";` naming a role not in `roles`.
fn owner_not_allowed(line: &[u8], roles: &[String]) -> bool {
    let text = String::from_utf8_lossy(line);
    let Some(role) = text.strip_prefix("ALTER ").and_then(|r| r.rsplit_once(" OWNER TO ")).map(|(_, role)| role) else {
        return false;
    };
    let role = role.trim_end_matches(';').trim();
    let role = role
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .map_or_else(|| role.to_string(), |r| r.replace("\"\"", "\""));
    !roles.contains(&role)
}

/// The dump into psql inside the restore's transaction, its own BEGIN/COMMIT lines left out,
/// and owners given only where this user may.
fn copy_into_transaction(
    input: &mut dyn Read,
    out: &mut dyn Write,
    owners: Vec<String>,
    kept: Vec<(String, String)>,
) -> std::io::Result<()> {
    let kept_extensions = kept.into_iter().map(|(name, _)| name).collect();
    let mut filter =
        DumpFilter { strip_transactions: true, owners: Some(owners), kept_extensions, ..DumpFilter::default() };
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return filter.finish(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        filter.feed(&buf[..n], out)?;
    }
}

fn filter_dump(from: impl Read, to: &mut dyn Write, filter: &mut DumpFilter) -> Result<()> {
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

/// Find a PostgreSQL client tool. Debian's `/usr/bin/psql` is a Perl wrapper that costs
/// ~50 ms a call; when PATH leads to it, use the newest real binary it would pick.
fn locate(names: &[&'static str], tools: &ToolSettings) -> Result<Tool> {
    let tool = Tool::locate(names, tools.pg_bin_dir.as_deref(), INSTALL_HINT)?;
    let is_wrapper = std::fs::canonicalize(&tool.path).is_ok_and(|p| p.ends_with("pg_wrapper"));
    if tools.pg_bin_dir.is_none() && is_wrapper {
        if let Some(dir) = newest_debian_bin_dir(0) {
            if let Ok(real) = Tool::locate(names, Some(&dir), INSTALL_HINT) {
                return Ok(real);
            }
        }
    }
    Ok(tool)
}

/// `pg_dump (PostgreSQL) 15.18 (Debian ...)` -> 15.
pub fn major_version(version_line: &str) -> Option<u32> {
    version_line.split_whitespace().find_map(|w| {
        w.split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .filter(|_| w.contains('.') || w.chars().all(|c| c.is_ascii_digit()))
    })
}

fn newest_debian_bin_dir(min_major: u32) -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let major: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            (major >= min_major && bin.join("pg_dump").is_file()).then_some((major, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_filter_counts_rows_and_passes_data_through_at_any_chunk_boundary() {
        let dump: &[u8] = b"SET x;\nCREATE SCHEMA \"public\";\nCOPY \"public\".\"User\" (\"id\", \"name\") FROM stdin;\n1\tann\n2\tCREATE SCHEMA x;\\nline\n\\.\n\nCOPY \"public\".\"Empty\" (\"id\") FROM stdin;\n\\.\nCOPY \"app\".\"Post\" (\"id\") FROM stdin;\n7\n\\.\n-- end";
        let expected = String::from_utf8_lossy(dump)
            .replace("CREATE SCHEMA \"public\";", "CREATE SCHEMA IF NOT EXISTS \"public\";");
        for split in 1..dump.len() {
            for split2 in [split, (split + 7).min(dump.len())] {
                let mut f = DumpFilter::default();
                let mut out = Vec::new();
                f.feed(&dump[..split], &mut out).unwrap();
                f.feed(&dump[split..split2], &mut out).unwrap();
                f.feed(&dump[split2..], &mut out).unwrap();
                f.finish(&mut out).unwrap();
                assert_eq!(String::from_utf8_lossy(&out), expected, "split {split}/{split2}");
                assert_eq!(f.counts.get("public.User"), Some(&2), "split {split}");
                assert_eq!(f.counts.get("public.Empty"), Some(&0));
                assert_eq!(f.counts.get("app.Post"), Some(&1));
            }
        }
    }

    #[test]
    fn copy_lines_name_their_table_as_the_count_query_does() {
        assert_eq!(
            copy_table_name("\"public\".\"Odd \"\"Name\"\" ; --\" (\"id\") FROM stdin;"),
            "public.Odd \"Name\" ; --"
        );
        assert_eq!(copy_table_name("\"public\".\"User\" (\"id\", \"email\") FROM stdin;"), "public.User");
    }

    #[test]
    fn only_whole_statements_of_pg_dump_are_touched() {
        // A comment whose text holds lines that look like pg_dump's (a privilege escalation
        // and a lost COMMIT before the fix), a function body with COMMIT; on its own line.
        let dump = "\\restrict k\nCOMMENT ON TABLE \"public\".\"mine\" IS 'notes\nALTER DATABASE \"t1\" OWNER TO \"mallory\";\nBEGIN;\n';\nCREATE PROCEDURE p() LANGUAGE plpgsql AS $$\nBEGIN\nCOMMIT;\nEND\n$$;\nALTER TABLE \"public\".\"mine\" OWNER TO \"mallory\";\nBEGIN;\nSELECT 1;\nCOMMIT;\n";
        let mut f = DumpFilter { strip_transactions: true, owners: Some(vec!["app".into()]), ..DumpFilter::default() };
        let mut out = Vec::new();
        f.feed(dump.as_bytes(), &mut out).unwrap();
        f.finish(&mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("IS 'notes\nALTER DATABASE \"t1\" OWNER TO \"mallory\";\nBEGIN;\n';"), "{out}");
        assert!(out.contains("$$\nBEGIN\nCOMMIT;\nEND\n$$;"), "the body keeps its COMMIT: {out}");
        assert!(!out.contains("ALTER TABLE \"public\".\"mine\" OWNER TO"), "mallory may not be given the table: {out}");
        assert!(!out.contains("\nBEGIN;\nSELECT 1;\nCOMMIT;\n"), "pg_dump's own BEGIN/COMMIT go: {out}");
        assert!(out.contains("SELECT 1;"), "{out}");
    }

    #[test]
    fn the_tripwire_is_left_out_of_dumps_whole_statements_only() {
        let dump = "CREATE TABLE \"public\".\"a\" (\"id\" integer);\n\
CREATE TRIGGER \"prisma_guard_no_truncate\" BEFORE TRUNCATE ON \"public\".\"a\" FOR EACH STATEMENT EXECUTE FUNCTION \"prisma_guard\".\"refuse_truncate\"();\n\
CREATE EVENT TRIGGER \"prisma_guard_ddl_end\" ON \"ddl_command_end\"\n         WHEN TAG IN ('CREATE TABLE')\n   EXECUTE FUNCTION \"prisma_guard\".\"on_ddl_end\"();\n\
ALTER EVENT TRIGGER \"prisma_guard_ddl_end\" OWNER TO \"postgres\";\n\
CREATE EVENT TRIGGER \"audit\" ON \"sql_drop\"\n   EXECUTE FUNCTION \"public\".\"audit\"();\n\
CREATE FUNCTION \"public\".\"f\"() RETURNS text AS $$\nCREATE TRIGGER x EXECUTE FUNCTION \"prisma_guard\".y();\n$$ LANGUAGE sql;\n";
        let mut filter = DumpFilter::default();
        let mut out = Vec::new();
        filter.feed(dump.as_bytes(), &mut out).unwrap();
        filter.finish(&mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("prisma_guard_no_truncate") && !out.contains("prisma_guard_ddl_end"), "{out}");
        assert!(out.contains("CREATE TABLE \"public\".\"a\""));
        assert!(
            out.contains("CREATE EVENT TRIGGER \"audit\" ON \"sql_drop\"\n   EXECUTE FUNCTION \"public\".\"audit\"();")
        );
        // Text inside a function body is not a statement of pg_dump's.
        assert!(out.contains("CREATE TRIGGER x EXECUTE FUNCTION \"prisma_guard\".y();"));
    }

    #[test]
    fn versions() {
        assert_eq!(major_version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"), Some(15));
        assert_eq!(major_version("pg_dump (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(major_version("nonsense"), None);
    }

    #[test]
    fn psql_commands_smuggled_into_a_dump_are_refused() {
        let run = |dump: &str| {
            let mut f = DumpFilter::default();
            let mut out = Vec::new();
            f.feed(dump.as_bytes(), &mut out)
                .and_then(|()| f.finish(&mut out))
                .map(|()| String::from_utf8_lossy(&out).into_owned())
        };
        for bad in [
            "SELECT 1;\n\\! touch /tmp/x\n",
            "SELECT 1; \\! touch /tmp/x\n",
            "\\o /tmp/x\nSELECT 1;\n",
            "SELECT 1 \\g |sh\n",
        ] {
            let err = run(bad).expect_err(bad);
            assert!(err.to_string().contains("pg_dump never writes one"), "{bad}: {err}");
        }
        let good = "\\restrict abc\nSELECT E'a\\\\b', 'c\\d';\nCOPY public.t (a) FROM stdin;\nx\\ty\n\\.\nCREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '\\!' $$;\n-- \\! in a comment\n\\unrestrict abc\n";
        run(good).expect(good);
    }
}
