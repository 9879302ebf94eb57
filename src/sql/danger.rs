//! Statements that lose data, for the guard's check of `prisma db execute`: the
//! error-level findings of [`super::analyze()`].

use super::analyze::analyze;
use super::schema::Schema;
use crate::rules::{RuleId, Severity};

/// One data-losing statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Danger {
    /// Stable rule id (see [`crate::rules`]): `drop-table`, `truncate`, `drop-column`, ...
    pub rule: RuleId,
    /// What it does, for people.
    pub message: String,
    pub line: usize,
    pub statement: String,
}

/// Every error-level finding in `sql` (the same analysis the scanner runs on migrations),
/// in order. No earlier schema is known, so only what the text itself shows counts.
pub fn dangers(sql: &str) -> Vec<Danger> {
    let mut analysis = analyze(sql, &mut Schema::default());
    // Read both ways when backslashes change where strings end (PostgreSQL vs MySQL).
    if super::analyze::backslash_sensitive(sql) {
        let standard = super::analyze::analyze_standard_strings(sql, &mut Schema::default());
        super::analyze::merge_findings(&mut analysis, standard);
    }
    // As SQLite reads it: block comments that do not nest, `[name]` a name.
    if super::analyze::lite_sensitive(sql) {
        let mut lite = analyze(&super::analyze::lite_reading(sql), &mut Schema::default());
        for f in &mut lite.findings {
            f.statement = None;
        }
        super::analyze::merge_findings(&mut analysis, lite);
    }
    // With comments running past a lone carriage return, as MySQL and SQLite read them.
    if super::analyze::cr_sensitive(sql) {
        let mut cr = analyze(&super::analyze::cr_reading(sql), &mut Schema::default());
        for f in &mut cr.findings {
            f.statement = None;
        }
        super::analyze::merge_findings(&mut analysis, cr);
    }
    // And as MySQL reads it (executable comments, `--` without a blank).
    if super::analyze::mysql_sensitive(sql) {
        let mut mysql = analyze(&super::analyze::mysql_reading(sql, true), &mut Schema::default());
        for f in &mut mysql.findings {
            f.statement = None;
        }
        super::analyze::merge_findings(&mut analysis, mysql);
    }
    analysis
        .findings
        .into_iter()
        // `db execute` runs now: a function whose body is unknown may delete anything.
        .filter(|f| f.rule.severity() == Severity::Error || f.rule == RuleId::UnknownFunction)
        .map(|f| {
            let stmt = f.statement.and_then(|i| analysis.statements.get(i));
            Danger {
                rule: f.rule,
                message: f.message,
                line: 1 + sql.as_bytes()[..f.offset.min(sql.len())].iter().filter(|&&b| b == b'\n').count(),
                statement: stmt.map(|s| s.text(sql).to_string()).unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(sql: &str) -> Vec<&'static str> {
        dangers(sql).into_iter().map(|d| d.rule.as_str()).collect()
    }

    #[test]
    fn finds_each_kind() {
        assert_eq!(rules("DROP TABLE \"User\";"), vec!["drop-table"]);
        assert_eq!(rules("drop schema app cascade"), vec!["drop-schema"]);
        assert_eq!(rules("DROP DATABASE shop"), vec!["drop-database"]);
        assert_eq!(rules("TRUNCATE \"Post\" CASCADE"), vec!["truncate"]);
        assert_eq!(rules("DELETE FROM \"Session\""), vec!["delete-without-where"]);
        assert_eq!(rules("UPDATE \"User\" SET role = 'USER'"), vec!["update-without-where"]);
        assert_eq!(rules("ALTER TABLE \"User\" DROP COLUMN \"nickname\""), vec!["drop-column"]);
        assert_eq!(rules("ALTER TABLE `User` DROP `nickname`"), vec!["drop-column"]);
    }

    #[test]
    fn a_carriage_return_ends_a_comment_as_postgresql_reads_it() {
        assert_eq!(rules("SELECT 1; -- cleanup\rDELETE FROM \"User\";\n"), vec!["delete-without-where"]);
        // Read to the newline (MySQL, SQLite), the string that starts after the CR is no string.
        assert_eq!(rules("SELECT 1; -- a\r'\nDROP TABLE t; -- '\n"), vec!["drop-table"]);
        assert!(rules("SELECT 1; -- fine\r\nSELECT 2;").is_empty());
    }

    /// Issue 16, point 6: each of these lost data through `db execute` with no confirmation.
    #[test]
    fn finds_data_loss_hidden_in_other_statements() {
        for (sql, rule) in [
            ("DROP OWNED BY app", "drop-owned"),
            ("DROP TYPE \"Role\" CASCADE", "drop-cascade"),
            ("DROP EXTENSION citext CASCADE", "drop-cascade"),
            ("DROP MATERIALIZED VIEW \"Stats\"", "drop-materialized-view"),
            ("DO $$ BEGIN EXECUTE 'DROP TABLE ' || quote_ident('User'); END $$", "dynamic-sql"),
            ("DO $body$ BEGIN DELETE FROM \"Post\"; END $body$", "dynamic-sql"),
            ("DO $$ BEGIN EXECUTE format('TRUNCATE %I', 'Post'); END $$", "dynamic-sql"),
            ("CREATE OR REPLACE FUNCTION wipe() RETURNS void AS $$ TRUNCATE \"Post\" $$ LANGUAGE sql", "dynamic-sql"),
            ("WITH d AS (DELETE FROM \"Post\" RETURNING *) SELECT count(*) FROM d", "delete-without-where"),
            ("WITH u AS (UPDATE \"User\" SET name = NULL RETURNING id) SELECT 1", "update-without-where"),
            ("WITH old AS (SELECT 1) DELETE FROM \"Post\"", "delete-without-where"),
            // Through a CTE with no condition of its own, the subquery still reaches every row.
            ("WITH x AS (SELECT id FROM \"Post\") DELETE FROM \"Post\" WHERE id IN (SELECT id FROM x)", "delete-without-where"),
            ("WITH d AS (DELETE FROM \"Post\" RETURNING id) SELECT count(*) FROM d", "delete-without-where"),
            ("MERGE INTO \"Post\" p USING src s ON p.id = s.id WHEN MATCHED THEN DELETE", "merge-delete"),
            ("DELETE FROM \"Post\" WHERE true", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE 1=1", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE 'a'='a'", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE (1 = 1)", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE id = 3 OR true", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE NOT false", "delete-without-where"),
            ("PREPARE p AS DELETE FROM \"Post\"", "delete-without-where"),
            ("UPDATE \"User\" SET name = s.name FROM src s WHERE true", "update-without-where"),
            ("DO 'BEGIN DELETE FROM \"User\"; END'", "dynamic-sql"),
            ("CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM \"User\"", "dynamic-sql"),
            ("CREATE RULE r AS ON INSERT TO log DO ALSO DELETE FROM \"User\"", "dynamic-sql"),
            ("DELETE FROM \"User\" WHERE TRUE AND TRUE", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE 2 > 1", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE NULL IS NULL", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE 1 IN (1)", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE true::boolean", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE E'a' = E'a'", "delete-without-where"),
            ("DELETE FROM ONLY \"User\"", "delete-without-where"),
            ("ALTER TABLE IF EXISTS ONLY \"User\" DROP COLUMN \"name\"", "drop-column"),
            ("DROP FUNCTION f() CASCADE", "drop-cascade"),
            ("DROP COLLATION c CASCADE", "drop-cascade"),
            ("COPY (SELECT 1) TO PROGRAM 'rm -rf /var/lib/postgresql'", "dynamic-sql"),
            ("SELECT dblink_exec('dbname=x', 'DROP TABLE t')", "dynamic-sql"),
            ("DELETE FROM \"Post\" WHERE id = id", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE \"id\" = \"id\"", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE title IS NULL OR title IS NOT NULL", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE EXISTS (SELECT 1)", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE (SELECT true)", "delete-without-where"),
            ("SELECT lo_unlink(oid) FROM pg_largeobject_metadata", "dynamic-sql"),
            ("CALL wipe()", "dynamic-sql"),
            ("SELECT purge_everything()", "unknown-function"),
            ("EXPLAIN ANALYZE DELETE FROM \"User\"", "delete-without-where"),
            ("EXPLAIN (ANALYZE, BUFFERS) DELETE FROM \"User\"", "delete-without-where"),
            ("ALTER TABLE \"User\" ALTER COLUMN email SET DATA TYPE text USING NULL", "alter-column-type"),
            ("DELETE FROM \"User\" u WHERE u.id = u.id", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE \"User\".id = \"User\".id", "delete-without-where"),
            ("CREATE RULE r AS ON INSERT TO \"User\" DO INSTEAD NOTHING", "dynamic-sql"),
            ("ALTER IGNORE TABLE User ADD UNIQUE (name)", "delete-without-where"),
            ("ALTER ONLINE IGNORE TABLE User ADD PRIMARY KEY (id)", "delete-without-where"),
            ("ALTER IGNORE TABLE User ADD CONSTRAINT u UNIQUE KEY (name)", "delete-without-where"),
            ("ALTER TABLE User ENGINE=MERGE", "drop-table"),
            ("ALTER TABLE User ENGINE=MRG_MyISAM", "drop-table"),
            ("ALTER TABLE User ENGINE='MEMORY'", "drop-table"),
            ("ALTER TABLE User ENGINE=\"BLACKHOLE\"", "drop-table"),
            ("ALTER TABLE User ENGINE=`MEMORY`", "drop-table"),
            ("DELETE FROM \"User\" WHERE random() >= 0", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE length('') = 0", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE 1 = ALL('{1}')", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE x'1' = x'1'", "delete-without-where"),
            ("UPDATE \"User\" SET name = NULL WHERE now() > '2000-01-01'::date", "update-without-where"),
            ("/*!50000 DROP TABLE Post */", "drop-table"),
            ("/*!DROP TABLE Post*/", "drop-table"),
            ("/*M!100000 DROP TABLE Post */", "drop-table"),
            ("CREATE OR REPLACE TABLE Post (id int)", "drop-table"),
            ("PREPARE s FROM 'DROP TABLE Post'", "dynamic-sql"),
            ("PREPARE s FROM @q", "dynamic-sql"),
            ("SELECT 1--1; DROP TABLE Post;", "drop-table"),
            ("SELECT 1 AS [a']; DROP TABLE \"Post\"; SELECT 1 AS [b'];", "drop-table"),
            ("/* /* */ DROP TABLE \"User\"; /* */", "drop-table"),
            ("EXECUTE IMMEDIATE CONCAT('TRUNC','ATE User')", "dynamic-sql"),
            ("DELETE FROM User WHERE id", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE rowid", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE id IS NOT DISTINCT FROM id", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE id == id", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE id IS id", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE email LIKE '%'", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE email GLOB '*'", "delete-without-where"),
            ("ALTER TABLE User DISCARD TABLESPACE", "drop-table"),
            ("ALTER TABLE User ENGINE=BLACKHOLE", "drop-table"),
            ("ALTER TABLE User TRUNCATE PARTITION p0", "truncate"),
            ("PRAGMA writable_schema=ON", "dynamic-sql"),
            ("CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO TRUNCATE User", "dynamic-sql"),
            ("LOAD DATA INFILE 'x.csv' REPLACE INTO TABLE User", "update-without-where"),
            ("MERGE INTO \"User\" u USING (SELECT 1) s ON true WHEN MATCHED THEN UPDATE SET name = 'x'", "update-without-where"),
            ("INSERT INTO \"User\"(id, name) SELECT id, 'gone' FROM \"User\" ON CONFLICT (id) DO UPDATE SET name = excluded.name", "update-without-where"),
            ("REPLACE INTO User SELECT id, 'gone' FROM User", "update-without-where"),
            ("INSERT OR REPLACE INTO User SELECT id, 'gone' FROM User", "update-without-where"),
            ("INSERT INTO User SELECT * FROM User ON DUPLICATE KEY UPDATE name = 'x'", "update-without-where"),
            ("DELETE FROM \"User\" u USING \"User\" v WHERE u.id = v.id", "delete-without-where"),
            ("UPDATE \"User\" u SET name = '' FROM \"User\" v WHERE u.id = v.id", "update-without-where"),
            (
                "MERGE INTO \"User\" u USING \"User\" s ON u.id = s.id WHEN MATCHED THEN UPDATE SET name = ''",
                "update-without-where",
            ),
            ("DO $$ BEGIN EXECUTE 'DR' || 'OP TABLE \"User\"'; END $$", "dynamic-sql"),
            ("DO $$ BEGIN EXECUTE chr(68) || chr(82) || 'OP TABLE x'; END $$", "dynamic-sql"),
            ("DO $$ DECLARE q text := 'x'; BEGIN EXECUTE q; END $$", "dynamic-sql"),
            ("DO $$ BEGIN EXECUTE convert_from('\\x44524f50', 'UTF8'); END $$", "dynamic-sql"),
            ("SELECT app.purge(1), now()", "unknown-function"),
            ("UPDATE \"User\" SET name = scrub(name) WHERE id = 1", "unknown-function"),
            ("DELETE FROM \"Post\" WHERE id = ANY(SELECT id FROM \"Post\")", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE id IN (SELECT id FROM \"Post\")", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE \"authorId\" IN (SELECT id FROM \"User\") OR id = 1", "delete-without-where"),
            ("DELETE FROM \"Post\" WHERE EXISTS (SELECT 1 FROM \"User\")", "delete-without-where"),
            ("UPDATE \"Post\" SET title = '' WHERE id = ANY (SELECT id FROM \"Post\")", "update-without-where"),
            // PostgreSQL: '\' is a whole string, so the DELETE runs.
            ("SELECT '\\'; DELETE FROM \"User\"; -- '", "delete-without-where"),
        ] {
            assert_eq!(rules(sql), vec![rule], "{sql}");
        }
        // Two statements: only the PREPARE is judged.
        assert_eq!(rules("PREPARE p AS DELETE FROM \"Post\" WHERE true; EXECUTE p;"), vec!["delete-without-where"]);
    }

    /// Review round 12, finding 3: a function whose body is unknown (or changes data) runs
    /// wherever it is called, not only in SELECT/INSERT/UPDATE/DELETE; and `IS NOT NULL` on a
    /// key is no condition.
    #[test]
    fn calls_that_run_unknown_code_anywhere_are_found() {
        for sql in [
            "CREATE MATERIALIZED VIEW mv AS SELECT g()",
            "CREATE VIEW v AS SELECT g(); SELECT * FROM v;",
            "CREATE OR REPLACE VIEW v (n) WITH (security_barrier) AS SELECT app.g() AS n",
            "CREATE TABLE t AS SELECT g()",
            "VALUES (g())",
            "COPY (SELECT g()) TO STDOUT",
            "DECLARE c CURSOR FOR SELECT g(); FETCH c;",
            "CREATE TRIGGER t AFTER INSERT ON \"User\" FOR EACH ROW EXECUTE FUNCTION g()",
            "CREATE CONSTRAINT TRIGGER t AFTER UPDATE ON x EXECUTE PROCEDURE g()",
            "ALTER TABLE \"User\" ADD CONSTRAINT c CHECK (g() IS NULL)",
            "CREATE TABLE t (id int CHECK (g(id) > 0))",
            "ALTER TABLE t ADD COLUMN c int DEFAULT g()",
            "ALTER TABLE t ALTER COLUMN c TYPE int USING g(c)",
            "CREATE RULE r AS ON INSERT TO log DO ALSO SELECT g()",
            "DO cnt()",
            "SET @n = cnt()",
            // Created here with a body that deletes: calling it deletes, whatever its WHERE.
            "CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $$BEGIN DELETE FROM \"User\" WHERE email = ''; RETURN 1; END$$; SELECT g();",
            "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ UPDATE \"User\" SET name = NULL WHERE id > 3 RETURNING 1 $$; CREATE MATERIALIZED VIEW mv AS SELECT g();",
        ] {
            assert!(rules(sql).contains(&"unknown-function"), "{sql}: {:?}", rules(sql));
        }
        for sql in [
            "DELETE FROM \"User\" WHERE id IS NOT NULL",
            "DELETE FROM \"User\" u WHERE u.id IS NOT NULL",
            "UPDATE \"User\" SET name = NULL WHERE \"id\" IS NOT NULL",
        ] {
            assert_eq!(
                rules(sql),
                vec![if sql.starts_with("UPDATE") { "update-without-where" } else { "delete-without-where" }],
                "{sql}"
            );
        }
        // In a function body: the body deletes every row.
        assert_eq!(
            rules("CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $$BEGIN DELETE FROM \"User\" WHERE id IS NOT NULL; RETURN 1; END$$"),
            vec!["dynamic-sql"]
        );
    }

    /// A column the earlier migrations declared NOT NULL: `IS NOT NULL` is true of every row.
    #[test]
    fn is_not_null_on_a_not_null_column_of_the_schema_matches_every_row() {
        let mut schema = Schema::default();
        analyze("CREATE TABLE \"Post\" (\"slug\" TEXT NOT NULL, \"note\" TEXT);", &mut schema);
        let found = |sql: &str| {
            analyze(sql, &mut schema.clone()).findings.into_iter().map(|f| f.rule.as_str()).collect::<Vec<_>>()
        };
        assert_eq!(found("DELETE FROM \"Post\" WHERE \"slug\" IS NOT NULL;"), vec!["delete-without-where"]);
        assert!(found("DELETE FROM \"Post\" WHERE \"note\" IS NOT NULL;").is_empty());
    }

    #[test]
    fn harmless_statements_pass() {
        for sql in [
            "DELETE FROM \"Session\" WHERE \"expires\" < now()",
            "UPDATE \"User\"\nSET a = 1\nWHERE id = 2",
            "ALTER TABLE \"User\" DROP CONSTRAINT \"User_pkey\"",
            "ALTER TABLE \"User\" ALTER COLUMN \"x\" DROP DEFAULT",
            "ALTER TABLE \"User\" ALTER COLUMN \"x\" DROP NOT NULL",
            "ALTER TABLE `User` DROP INDEX `User_email_key`",
            "ALTER TABLE `User` DROP FOREIGN KEY `fk`",
            "DROP INDEX \"User_email_key\"",
            "SELECT 'DROP TABLE x'",
            "-- DROP TABLE x\nSELECT 1",
            "CREATE TABLE t (id int)",
            "INSERT INTO t SELECT * FROM u",
            "DROP TYPE \"Role\"",
            "DROP EXTENSION IF EXISTS citext",
            "DELETE FROM \"Post\" WHERE id = 1",
            "DELETE FROM \"Post\" WHERE 1 = 0",
            "DELETE FROM \"Post\" WHERE id IN (SELECT id FROM x WHERE true)",
            "WITH d AS (DELETE FROM \"Session\" WHERE expires < now() RETURNING *) SELECT count(*) FROM d",
            // A WHERE on the DELETE after the WITH list, through a CTE that narrows (issue 22).
            "WITH x AS (SELECT id FROM \"Post\" WHERE draft) DELETE FROM \"Post\" WHERE id IN (SELECT id FROM x)",
            "WITH x AS (SELECT id FROM \"Post\" WHERE draft) UPDATE \"Post\" SET a = 1 WHERE id IN (SELECT id FROM x)",
            "WITH RECURSIVE x(id) AS MATERIALIZED (SELECT id FROM \"Post\" WHERE draft), y AS (SELECT 1) DELETE FROM \"Post\" WHERE id IN (SELECT id FROM x)",
            "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET x = s.x",
            "MERGE INTO t USING t s ON t.id = s.id WHEN MATCHED AND s.x IS NULL THEN UPDATE SET x = 1",
            "DELETE FROM \"User\" u USING \"User\" v WHERE u.id = v.parent AND v.gone",
            "DELETE FROM \"Post\" p USING \"User\" u WHERE p.id = u.id",
            "DO $$ BEGIN RAISE NOTICE 'hello'; END $$",
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN EXECUTE 'CREATE INDEX i ON t (a)'; END IF; END $$",
            "DO $x$ BEGIN EXECUTE $q$ALTER TABLE t ADD COLUMN c int$q$; END $x$",
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'SELECT $1' INTO a USING a; RETURN a; END $$",
            "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN DELETE FROM \"Session\" WHERE \"userId\" = OLD.id; RETURN OLD; END $$ LANGUAGE plpgsql",
            "PREPARE q AS SELECT 1",
            "DELETE FROM \"User\" WHERE id > 2",
            "DELETE FROM \"User\" WHERE \"expires\" < now()",
            "DROP INDEX \"x\"",
            "SELECT count(*) FROM \"User\"",
            "EXPLAIN DELETE FROM \"User\"",
            "INSERT INTO \"User\"(id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            "INSERT INTO \"User\"(id, name) SELECT id, name FROM \"Staging\" ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            "INSERT INTO \"User\"(id, name) SELECT id, 'x' FROM \"User\" WHERE id = 1 ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            "ALTER TABLE \"User\" ALTER COLUMN age SET DATA TYPE text USING age::text",
            "DELETE FROM \"User\" u WHERE u.id = v.id",
            "/* ordinary comment: DROP TABLE x */ SELECT 1",
            "DELETE FROM \"Post\" WHERE id IN (SELECT id FROM \"Post\" WHERE draft)",
            "DELETE FROM \"Post\" WHERE id IN (SELECT id FROM \"Post\" LIMIT 10)",
            "DELETE FROM \"Post\" WHERE id IN (SELECT p.id FROM \"Post\" p JOIN \"User\" u ON u.id = p.a)",
            "DELETE FROM \"Post\" WHERE id NOT IN (SELECT id FROM \"Keep\")",
            "DELETE FROM \"Post\" WHERE id IN (SELECT id FROM \"Old\") AND draft",
            "SELECT setval(pg_get_serial_sequence('\"User\"', 'id'), coalesce(max(id), 1)) FROM \"User\"",
            "SELECT pg_catalog.set_config('search_path', '', false)",
            "INSERT INTO \"User\" (id, name) VALUES (gen_random_uuid(), lower('A'))",
            "UPDATE \"User\" SET n = CAST(x AS varchar(10)), m = y::numeric(10, 2) WHERE id = 1",
            "CREATE FUNCTION tidy() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$; SELECT tidy()",
            "WITH recent (id) AS (SELECT id FROM \"Post\") SELECT count(*) AS n FROM recent",
            "SELECT date_trunc('day', now()) AS d, count(*) FILTER (WHERE x) OVER (PARTITION BY y)",
            "DELETE FROM \"User\" WHERE lower(email) = 'x'",
            "ALTER TABLE User ADD UNIQUE (name)",
            "ALTER TABLE User ENGINE=InnoDB",
            "DELETE FROM \"Session\" WHERE expires < now() - interval '30 days'",
            "DELETE FROM \"User\" WHERE id = ANY('{1,2}'::int[])",
            // Prisma's DDL: column lists, references and built-in defaults are no calls.
            "CREATE TABLE \"Post\" (\"id\" TEXT NOT NULL DEFAULT gen_random_uuid(), \"at\" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, \"n\" INTEGER NOT NULL DEFAULT nextval('s'::regclass), CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\"), CHECK (char_length(\"id\") > 0))",
            "ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_a_fkey\" FOREIGN KEY (\"a\") REFERENCES \"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE",
            "CREATE VIEW v AS SELECT lower(email) FROM \"User\"",
            "COPY \"User\" (\"id\", \"email\") FROM stdin",
            "SET search_path TO public",
            "DECLARE c CURSOR FOR SELECT id FROM \"User\"",
            "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'UPDATE' THEN NEW.at = now(); END IF; RETURN NEW; END $$; CREATE TRIGGER t BEFORE UPDATE ON \"User\" FOR EACH ROW EXECUTE FUNCTION stamp()",
            "DELETE FROM \"Post\" WHERE \"authorId\" IS NOT NULL",
            "DELETE FROM \"Post\" WHERE id IS NOT NULL AND draft",
        ] {
            assert!(rules(sql).is_empty(), "{sql}: {:?}", rules(sql));
        }
    }

    /// Review round 2 (issue 19), findings 11 and 19: a WHERE every key passes, a subquery
    /// of the same table whose WHERE is always true, a trigger whose body deletes later.
    #[test]
    fn tautologies_on_the_key_and_triggers_that_delete_later() {
        for (sql, rule) in [
            ("DELETE FROM \"User\" WHERE id IN (SELECT id FROM \"User\" WHERE 1=1)", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE id IN (SELECT id FROM \"User\" WHERE id > -1)", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE id <> -1", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE id != 0", "delete-without-where"),
            ("DELETE FROM \"User\" WHERE coalesce(id,0) >= 0", "delete-without-where"),
            ("DELETE FROM User WHERE id > -1", "delete-without-where"),
            ("DELETE FROM User WHERE id > 0", "delete-without-where"),
            ("DELETE FROM User WHERE -1 < id", "delete-without-where"),
            ("DELETE FROM User u WHERE u.id >= 0", "delete-without-where"),
            ("UPDATE \"User\" SET name = NULL WHERE ifnull(id, -1) <> -5", "update-without-where"),
            ("DELETE FROM User WHERE id NOT IN (-1, 0)", "delete-without-where"),
            ("DELETE FROM User WHERE length(id) > 0", "delete-without-where"),
            ("DELETE FROM User WHERE id NOTNULL", "delete-without-where"),
            ("DELETE FROM User WHERE id NOT NULL", "delete-without-where"),
            ("CREATE TRIGGER t AFTER INSERT ON Post BEGIN DELETE FROM User; END", "dynamic-sql"),
            (
                "CREATE TRIGGER IF NOT EXISTS t AFTER INSERT ON Post BEGIN UPDATE User SET name = NULL; END;",
                "dynamic-sql",
            ),
            ("CREATE TEMP TRIGGER t BEFORE DELETE ON Post BEGIN DROP TABLE User; END", "dynamic-sql"),
            ("CREATE TRIGGER t AFTER INSERT ON Post FOR EACH ROW DELETE FROM User", "dynamic-sql"),
        ] {
            assert_eq!(rules(sql), vec![rule], "{sql}");
        }
        for sql in [
            "DELETE FROM User WHERE id > 5",
            "DELETE FROM User WHERE id = -1",
            "DELETE FROM User WHERE id <> 3",
            "DELETE FROM User WHERE id > -1 AND draft",
            "DELETE FROM User WHERE id IN (SELECT id FROM User WHERE draft)",
            "DELETE FROM User WHERE age > -1",
            "DELETE FROM User WHERE id NOT IN (1, 2)",
            "DELETE FROM User WHERE length(name) > 0",
            "DELETE FROM User WHERE name NOT NULL",
            "CREATE TRIGGER t AFTER DELETE ON User BEGIN DELETE FROM Post WHERE authorId = OLD.id; END",
            "CREATE TRIGGER t AFTER UPDATE ON User FOR EACH ROW UPDATE Post SET at = now() WHERE authorId = NEW.id",
        ] {
            assert!(rules(sql).is_empty(), "{sql}: {:?}", rules(sql));
        }
    }

    #[test]
    fn where_inside_a_string_does_not_count() {
        assert_eq!(rules("DELETE FROM t -- WHERE id = 1"), vec!["delete-without-where"]);
        assert_eq!(rules("UPDATE t SET note = 'WHERE'"), vec!["update-without-where"]);
    }

    #[test]
    fn reports_lines() {
        let d = dangers("SELECT 1;\n\nDROP TABLE a;");
        assert_eq!(d[0].line, 3);
        assert_eq!(d[0].statement, "DROP TABLE a");
    }
}
