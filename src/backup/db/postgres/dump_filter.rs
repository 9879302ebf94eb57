//! The filter a plain pg_dump stream passes through, into the backup file and into psql:
//! row counts of each COPY block, large objects, the tripwire left out, owners given only
//! where the restoring user may, and psql meta-commands refused.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use super::sql_state::SqlState;

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
    /// A statement of pg_dump's that began between statements and spans lines, held whole
    /// until it ends: a `COPY` header (a quoted column or table name may hold a newline) and,
    /// when sampling, an `ALTER TABLE` (a foreign key).
    held: Vec<u8>,
    /// The restore check: the rows of each COPY block kept (the rest are counted, not
    /// written), enough to run index expressions and CHECK constraints over real rows.
    pub sample: Option<u64>,
    /// Some COPY block had more rows than the sample: foreign keys are then added `NOT VALID`
    /// (the rows they point at may not have been kept).
    sampled: bool,
}

/// The longest statement held whole (a COPY header or an `ALTER TABLE` is far shorter).
const HOLD_MAX: usize = 1 << 20;

impl DumpFilter {
    /// The filter of the restore check: as into a restore, with every row, or with `sample`
    /// rows of each table.
    pub(super) fn checking(owners: Vec<String>, sample: Option<u64>) -> DumpFilter {
        DumpFilter { strip_transactions: true, owners: Some(owners), sample, ..DumpFilter::default() }
    }

    /// The rows written on (all of them unless sampling), and the tables some of whose rows
    /// were left out by the sample.
    pub(super) fn replayed(&self) -> (u64, Vec<String>) {
        let limit = self.sample.unwrap_or(u64::MAX);
        let rows = self.counts.values().map(|n| (*n).min(limit)).sum();
        let partly = self.counts.iter().filter(|(_, n)| **n > limit).map(|(t, _)| t.clone()).collect();
        (rows, partly)
    }

    pub fn feed(&mut self, mut chunk: &[u8], out: &mut dyn Write) -> std::io::Result<()> {
        while !chunk.is_empty() {
            if self.current.is_some() && self.sample.is_some() {
                chunk = self.feed_sampled_rows(chunk, out)?;
                continue;
            }
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

    /// COPY data when sampling, line by line: the first rows of the block are written, the
    /// rest counted only (the `\.` that ends the block always written). Returns what follows
    /// the block, or nothing when the chunk ends inside it.
    fn feed_sampled_rows<'c>(&mut self, chunk: &'c [u8], out: &mut dyn Write) -> std::io::Result<&'c [u8]> {
        let limit = self.sample.unwrap_or(u64::MAX);
        let mut offset = 0;
        while let Some(i) = memchr::memchr(b'\n', &chunk[offset..]) {
            let end = offset + i + 1;
            self.push_prefix(&chunk[offset..end - 1]);
            let is_end = self.line == b"\\.";
            self.line.clear();
            let rows = self.current.as_ref().map_or(0, |(_, r)| *r);
            if is_end {
                // A kept line was written as it came (its start may be in the last chunk).
                match rows < limit {
                    true => out.write_all(&chunk[offset..end])?,
                    false => out.write_all(b"\\.\n")?,
                }
                if let Some((table, rows)) = self.current.take() {
                    self.counts.insert(table, rows);
                }
                return Ok(&chunk[end..]);
            }
            if rows < limit {
                out.write_all(&chunk[offset..end])?;
            } else {
                self.sampled = true;
            }
            if let Some((_, rows)) = &mut self.current {
                *rows += 1;
            }
            offset = end;
        }
        // A line that goes on in the next chunk: written as it comes when its row is kept (the
        // row count only grows at a newline, so every part of a line gets the same answer).
        let rest = &chunk[offset..];
        let rows = self.current.as_ref().map_or(0, |(_, r)| *r);
        self.push_prefix(rest);
        if rows < limit {
            out.write_all(rest)?;
        }
        Ok(&[])
    }

    /// Write whatever is still buffered (a last line without a newline).
    pub fn finish(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        if !self.held.is_empty() {
            out.write_all(&std::mem::take(&mut self.held))?;
        }
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
            // InvalidData: the dump's text, not the disk (no "free space" hint).
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the dump holds a psql command outside any statement (`{meta}`), which pg_dump never writes and psql would run; refused"),
            ));
        }
        if self.skipping {
            self.skipping = !self.sql.at_boundary();
            return Ok(());
        }
        if !self.held.is_empty() {
            self.held.extend_from_slice(&line);
            if self.sql.at_boundary() {
                let statement = std::mem::take(&mut self.held);
                return self.whole_statement(statement, out);
            }
            if self.held.len() > HOLD_MAX {
                return out.write_all(&std::mem::take(&mut self.held));
            }
            return Ok(());
        }
        if starts_clean && is_tripwire_statement(body) {
            self.skipping = !self.sql.at_boundary();
            return Ok(());
        }
        // A statement of pg_dump's over several lines, held until it ends: a COPY header
        // whose quoted names hold a newline; a foreign key when sampling.
        let holds = body.starts_with(b"COPY ") || (self.sample.is_some() && body.starts_with(b"ALTER TABLE "));
        if starts_clean && !self.sql.at_boundary() && holds {
            self.held = line;
            return Ok(());
        }
        if !(starts_clean && self.sql.at_boundary()) {
            return out.write_all(&line);
        }
        self.whole_statement(line, out)
    }

    /// One or more whole statements of pg_dump's, ending with a newline.
    fn whole_statement(&mut self, line: Vec<u8>, out: &mut dyn Write) -> std::io::Result<()> {
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        if self.sample.is_some() && body.starts_with(b"ALTER TABLE ") && is_foreign_key(body) {
            // Sampled rows may lack the rows a foreign key points at: not checked then
            // (`NOT VALID`; a partitioned table's cannot be, and is left out).
            return match (self.sampled, body.starts_with(b"ALTER TABLE ONLY ")) {
                (false, _) => out.write_all(&line),
                (true, true) => {
                    let stmt = body.strip_suffix(b";").unwrap_or(body);
                    out.write_all(stmt)?;
                    out.write_all(b" NOT VALID;\n")
                }
                (true, false) => Ok(()),
            };
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

/// Whether an `ALTER TABLE` adds a foreign key (pg_dump writes one per statement).
fn is_foreign_key(statement: &[u8]) -> bool {
    // Only outside quotes: a constraint or column may be named "FOREIGN KEY".
    let text = String::from_utf8_lossy(statement);
    let mut plain = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if !quoted => plain.push(c),
            _ => {}
        }
    }
    plain.contains(" ADD CONSTRAINT ") && plain.contains(" FOREIGN KEY ")
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

/// An `ALTER ... OWNER TO role;` that cannot fail the restore: a role this user belongs to may
/// still lack a privilege the new owner needs (CREATE on the schema, since PostgreSQL 15 not
/// granted on `public`); then the object stays the restoring user's and psql shows a warning,
/// instead of the whole restore rolling back over an owner.
pub(super) fn owner_change_or_warning(line: &[u8]) -> Vec<u8> {
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
pub(super) fn is_owner_line(line: &[u8]) -> bool {
    line.starts_with(b"ALTER ") && memchr::memmem::find(line, b" OWNER TO ").is_some()
}

/// Whether `line` is an `ALTER ... OWNER TO "role";` naming a role not in `roles`.
pub(super) fn owner_not_allowed(line: &[u8], roles: &[String]) -> bool {
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
pub(super) fn copy_into_transaction(
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
    fn copy_headers_with_a_newline_in_a_quoted_name_start_their_data_block() {
        let dump: &[u8] = b"CREATE TABLE \"public\".\"Odd\" (\"id\" integer, \"col\nnl\" text);\nCOPY \"public\".\"Odd\" (\"id\", \"col\nnl\") FROM stdin;\n1\ta\n2\t\\\\.\n\\.\nSELECT 1;\n";
        for split in 1..dump.len() {
            let mut f = DumpFilter::default();
            let mut out = Vec::new();
            f.feed(&dump[..split], &mut out).unwrap();
            f.feed(&dump[split..], &mut out).unwrap();
            f.finish(&mut out).unwrap();
            assert_eq!(out, dump, "split {split}");
            assert_eq!(f.counts.get("public.Odd"), Some(&2), "split {split}");
        }
    }

    #[test]
    fn sampling_keeps_the_first_rows_and_relaxes_foreign_keys() {
        let dump: &[u8] = b"COPY \"public\".\"A\" (\"id\") FROM stdin;\n1\n2\n3\n\\.\nCOPY \"public\".\"B\" (\"id\") FROM stdin;\n9\n\\.\nALTER TABLE ONLY \"public\".\"B\"\n    ADD CONSTRAINT \"B_fkey\" FOREIGN KEY (\"id\") REFERENCES \"public\".\"A\"(\"id\");\nALTER TABLE \"public\".\"P\"\n    ADD CONSTRAINT \"P_fkey\" FOREIGN KEY (\"id\") REFERENCES \"public\".\"A\"(\"id\");\nALTER TABLE ONLY \"public\".\"B\"\n    ADD CONSTRAINT \"B_pkey\" PRIMARY KEY (\"id\");\n";
        let expected = "COPY \"public\".\"A\" (\"id\") FROM stdin;\n1\n2\n\\.\nCOPY \"public\".\"B\" (\"id\") FROM stdin;\n9\n\\.\nALTER TABLE ONLY \"public\".\"B\"\n    ADD CONSTRAINT \"B_fkey\" FOREIGN KEY (\"id\") REFERENCES \"public\".\"A\"(\"id\") NOT VALID;\nALTER TABLE ONLY \"public\".\"B\"\n    ADD CONSTRAINT \"B_pkey\" PRIMARY KEY (\"id\");\n";
        for split in 1..dump.len() {
            let mut f = DumpFilter { sample: Some(2), ..DumpFilter::default() };
            let mut out = Vec::new();
            f.feed(&dump[..split], &mut out).unwrap();
            f.feed(&dump[split..], &mut out).unwrap();
            f.finish(&mut out).unwrap();
            assert_eq!(String::from_utf8_lossy(&out), expected, "split {split}");
            assert_eq!(f.counts.get("public.A"), Some(&3), "split {split}");
        }
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
            assert!(err.to_string().contains("pg_dump never writes"), "{bad}: {err}");
        }
        let good = "\\restrict abc\nSELECT E'a\\\\b', 'c\\d';\nCOPY public.t (a) FROM stdin;\nx\\ty\n\\.\nCREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '\\!' $$;\n-- \\! in a comment\n\\unrestrict abc\n";
        run(good).expect(good);
    }
}
