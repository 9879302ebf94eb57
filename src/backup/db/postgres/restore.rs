//! Restoring a dump with psql in one transaction: what is cleared first (schemas, database
//! objects, large objects), what is kept (extensions this user could not create again,
//! schemas a publication publishes) and what is put back after (publication memberships).

use std::io::{Read, Write};

use anyhow::Result;

use super::dump_filter::copy_into_transaction;
use super::{quote_ident, quote_literal, Postgres};
use crate::error::fail;

impl Postgres {
    pub(super) fn restore_from(&self, input: &mut dyn Read, clear: bool) -> Result<()> {
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

    /// The roles this user may make owners of objects (itself and the roles it belongs to; all
    /// of them for a superuser).
    pub(super) fn roles_to_own(&self) -> Result<Vec<String>> {
        self.query("SELECT rolname FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")
    }

    /// Objects outside `schemas` that depend on something inside them (and so would go with
    /// a `DROP SCHEMA ... CASCADE`), described; extensions' own members aside, and objects
    /// owned by a schema of the list (a schema's `ALTER DEFAULT PRIVILEGES`, which the dump
    /// holds).
    pub(super) fn dependents_outside(&self, schemas: &[String]) -> Result<Vec<String>> {
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

    /// `public` as a new database has it: owned by the database owner, usable by everyone
    /// (PostgreSQL 15 and later; before: everyone may also create in it).
    pub(super) fn fresh_public_schema(&self) -> Result<String> {
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
    pub(super) fn extensions_kept(&self) -> Result<Vec<(String, String)>> {
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
    pub(super) fn empty_schema_sql(&self, schema: &str) -> Result<String> {
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
    pub(super) fn drop_database_objects_sql(&self) -> Result<String> {
        let rows = self.query(
            "SELECT format('DROP PUBLICATION IF EXISTS %I;', pubname) FROM pg_publication \
             UNION ALL SELECT format('DROP EVENT TRIGGER IF EXISTS %I;', evtname) FROM pg_event_trigger WHERE evtname NOT LIKE 'prisma\\_guard\\_%'",
        )?;
        Ok(rows.iter().map(|r| format!("{r}\n")).collect())
    }

    /// Schemas a publication publishes whole (`FOR TABLES IN SCHEMA`, PostgreSQL 15 and later).
    pub(super) fn published_schemas(&self) -> Result<Vec<String>> {
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
    pub(super) fn publication_members_sql(&self, schemas: &[String]) -> Result<String> {
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

    pub(super) fn user_schemas(&self) -> Result<Vec<String>> {
        self.query("SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'prisma_guard') AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%' ORDER BY 1")
    }
}
