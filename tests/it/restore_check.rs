//! What a backup's restore check covers, and what backups of
//! unusual tables hold, against real PostgreSQL and MariaDB servers.

use crate::support::*;

fn pg_project(name: &str, seed: &str) -> (TestContext, String) {
    let pg = postgres();
    let db = pg.create_db(name);
    pg.app_sql(&db, seed);
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    (ctx, db)
}

/// An index whose function fails for one row only (it calls another function without its
/// schema, and pg_dump restores with an empty search_path): row 10,500, past the first
/// 10,000 rows the check used to replay.
const ODD_ROW: &str = r#"CREATE FUNCTION inner_norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower($1)';
    CREATE FUNCTION norm(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN IF t LIKE 'odd%' THEN RETURN inner_norm(t); END IF; RETURN lower(t); END $$;
    CREATE TABLE "Tag" (id int PRIMARY KEY, name text);
    CREATE INDEX tag_norm ON "Tag" (norm(name));
    INSERT INTO "Tag" SELECT i, CASE WHEN i = 10500 THEN 'odd ' ELSE 'Tag ' END || i FROM generate_series(1, 12000) i;"#;

#[test]
fn pg_restore_check_replays_every_row_and_finds_a_row_past_the_first_ten_thousand() {
    let (ctx, _db) = pg_project("r15_every_row", ODD_ROW);
    let run = ctx.run(&["backup"]);
    assert_ne!(run.code, 0, "a backup one of whose rows does not restore passed its check: {}", run.all());
    assert!(run.all().contains("does not restore"), "{}", run.all());
    assert!(run.all().contains("inner_norm"), "{}", run.all());
    // restore-test replays the whole backup too.
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    let run = ctx.run(&["restore-test", &id]);
    assert_ne!(run.code, 0, "{}", run.all());

    // A backup that restores says that every row was replayed.
    let (ctx, _db) = pg_project(
        "r15_every_ok",
        r#"CREATE TABLE "Tag" (id int PRIMARY KEY, name text); INSERT INTO "Tag" SELECT i, 'Tag ' || i FROM generate_series(1, 12000) i;"#,
    );
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.all().contains("every row (12000) replayed"), "{}", run.all());
    let m = &ctx.manifests()[0];
    assert_eq!(m["restore_check"]["scope"], "every row", "{m}");
    assert_eq!(m["restore_check"]["rows_replayed"], 12000, "{m}");
}

#[test]
fn pg_restore_check_of_a_big_backup_says_it_replayed_a_sample_and_restore_test_replays_all() {
    // Over a million rows: the check replays the first rows of each table and says so.
    let (ctx, _db) = pg_project(
        "r15_sampled",
        &format!("{ODD_ROW}\nCREATE TABLE \"Big\" (id int); INSERT INTO \"Big\" SELECT generate_series(1, 1000001);"),
    );
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.all().contains("only the schema and the first rows of each table"), "{}", run.all());
    assert!(run.all().contains("public.Big, public.Tag were not"), "{}", run.all());
    assert!(run.all().contains("restore-test"), "{}", run.all());
    let m = &ctx.manifests()[0];
    assert_eq!(m["restore_check"]["scope"], "sample", "{m}");
    assert_eq!(m["restore_check"]["tables_partly_replayed"], serde_json::json!(["public.Big", "public.Tag"]), "{m}");
    // The restore test replays every row, and finds the one that does not restore.
    let run = ctx.run(&["restore-test"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("inner_norm"), "{}", run.all());
}

#[test]
fn pg_table_and_schema_names_with_a_newline_are_counted_verified_and_restored() {
    let pg = postgres();
    let db = pg.create_db("r15_newline_names");
    pg.app_sql(
        &db,
        "CREATE TABLE \"Odd\nName\" (id int PRIMARY KEY); INSERT INTO \"Odd\nName\" VALUES (1), (2);\n\
         CREATE SCHEMA \"we\nird\"; CREATE TABLE \"we\nird\".\"T\" (id int); INSERT INTO \"we\nird\".\"T\" VALUES (1), (2), (3);",
    );
    let ctx = TestContext::new();
    // No `schema` in the URL: the whole database, both schemas.
    ctx.prisma7_project("postgresql", &pg.url(&db).replace("schema=public&", ""));
    let run = ctx.run(&["backup"]);
    run.ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["public.Odd\nName"], 2, "{m}");
    assert_eq!(m["row_counts"]["we\nird.T"], 3, "{m}");
    assert_eq!(m["row_counts"].as_object().unwrap().len(), 2, "{m}");
    let run = ctx.run(&["verify"]);
    run.ok();
    let run = ctx.run(&["restore-test"]);
    run.ok();
    assert!(run.stderr.contains("row counts match"), "{}", run.all());
    pg.app_sql(&db, "DELETE FROM \"Odd\nName\"; DELETE FROM \"we\nird\".\"T\" WHERE id > 1");
    let run = ctx.run_with_tty(&["restore"], &format!("{db}\n"));
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"we\nird\".\"T\""), "3");
}

#[test]
fn pg_inheritance_parent_counts_only_its_own_rows() {
    let (ctx, db) = pg_project(
        "r15_inherit",
        r#"CREATE TABLE "Event" (id int, kind text);
           CREATE TABLE "Click" (x int) INHERITS ("Event");
           INSERT INTO "Event" VALUES (1, 'a'), (2, 'b');
           INSERT INTO "Click" VALUES (3, 'c', 1), (4, 'd', 2), (5, 'e', 3);"#,
    );
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["public.Event"], 2, "{m}");
    assert_eq!(m["row_counts"]["public.Click"], 3, "{m}");
    let run = ctx.run(&["restore-test"]);
    run.ok();
    assert!(run.stderr.contains("row counts match"), "{}", run.all());
    // The prompt's rows at risk, and the check after a restore in place.
    postgres().app_sql(&db, "DELETE FROM \"Click\" WHERE x = 3");
    let run = ctx.run_with_tty(&["restore"], &format!("{db}\n"));
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    assert!(!run.all().contains("expected 2 rows, found"), "{}", run.all());
    assert_eq!(postgres().app_sql(&db, "SELECT count(*) FROM ONLY \"Event\""), "2");
    assert_eq!(postgres().app_sql(&db, "SELECT count(*) FROM \"Click\""), "3");
}

#[test]
fn pg_schema_limited_backup_holds_the_large_objects_its_tables_use() {
    let pg = postgres();
    let db = pg.create_db("r15_lo_app");
    pg.app_sql(
        &db,
        "CREATE SCHEMA app; CREATE TABLE app.doc (id int PRIMARY KEY, body oid);
         INSERT INTO app.doc VALUES (1, lo_from_bytea(0, 'large object of app'::bytea));",
    );
    let ctx = TestContext::new();
    let url = pg.url(&db).replace("schema=public", "schema=app");
    ctx.prisma7_project("postgresql", &url);
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["large_objects"], 1, "{m}");
    ctx.run(&["restore-test"]).ok();
    // Into a new database: the object comes back with the table that points at it.
    let fresh = pg.create_db("r15_lo_new");
    ctx.run(&["restore", "latest", "--to", &pg.url(&fresh).replace("schema=public", "schema=app")]).ok();
    assert_eq!(pg.app_sql(&fresh, "SELECT convert_from(lo_get(body), 'UTF8') FROM app.doc"), "large object of app");
    // In place, after the object was unlinked.
    pg.app_sql(&db, "SELECT lo_unlink(body) FROM app.doc; DELETE FROM app.doc");
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    assert_eq!(pg.app_sql(&db, "SELECT convert_from(lo_get(body), 'UTF8') FROM app.doc"), "large object of app");
}

fn mariadb_project(name: &str, seed: &str) -> (TestContext, String) {
    let my = mariadb();
    let db = my.create_db(name);
    my.sql(&db, seed);
    let ctx = TestContext::new();
    ctx.prisma7_project("mysql", &my.url(&db));
    (ctx, db)
}

#[test]
fn mariadb_system_versioned_history_is_backed_up_and_restored() {
    let (ctx, db) = mariadb_project(
        "r15_history",
        "CREATE TABLE `Price` (id INT PRIMARY KEY, amount INT) WITH SYSTEM VERSIONING;
         INSERT INTO `Price` VALUES (1, 10), (2, 20);
         UPDATE `Price` SET amount = 11 WHERE id = 1; UPDATE `Price` SET amount = 12 WHERE id = 1;
         DELETE FROM `Price` WHERE id = 2;",
    );
    let my = mariadb();
    let history = |db: &str| my.sql(db, "SELECT COUNT(*) FROM `Price` FOR SYSTEM_TIME ALL");
    assert_eq!(history(&db), "4");
    let run = ctx.run(&["backup"]);
    run.ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["Price"], 1, "{m}");
    let id = m["id"].as_str().unwrap().to_string();
    // Into a new database: the history comes back with the current rows.
    let fresh = "r15_history_new";
    my.root(&format!("DROP DATABASE IF EXISTS `{fresh}`"));
    ctx.run(&["restore", &id, "--to", &my.url(fresh)]).ok();
    assert_eq!(history(fresh), "4", "the history rows were lost");
    assert_eq!(
        my.sql(fresh, "SELECT amount FROM `Price` FOR SYSTEM_TIME ALL WHERE id = 1 ORDER BY row_start"),
        "10\n11\n12"
    );
    // In place, after the table lost rows and history.
    my.sql(&db, "DELETE HISTORY FROM `Price`; DELETE FROM `Price`;");
    let run = ctx.run_with_tty(&["restore", &id], &format!("{db}\n"));
    run.ok();
    assert_eq!(history(&db), "4", "{}", run.all());

    // History by transaction id, which mariadb-dump cannot dump (it fails the whole dump with
    // --dump-history): the backup is taken, and its manifest says the history is not in it.
    let (ctx, _db) = mariadb_project(
        "r15_history_trx",
        "CREATE TABLE `Price` (id INT PRIMARY KEY, amount INT) WITH SYSTEM VERSIONING;
         CREATE TABLE `Trx` (x INT, s BIGINT UNSIGNED GENERATED ALWAYS AS ROW START, e BIGINT UNSIGNED GENERATED ALWAYS AS ROW END, PERIOD FOR SYSTEM_TIME(s, e)) WITH SYSTEM VERSIONING;
         INSERT INTO `Trx` (x) VALUES (1); UPDATE `Trx` SET x = 2;",
    );
    let run = ctx.run(&["backup"]);
    run.ok();
    let m = &ctx.manifests()[0];
    let warnings = m["warnings"].to_string();
    assert!(warnings.contains("history of the system-versioned tables Price, Trx is not in this backup"), "{m}");
    assert!(warnings.contains("Trx versioned by transaction id"), "{m}");
}

#[test]
fn mariadb_trigger_created_with_its_database_name_restores_into_another_database() {
    let (ctx, db) = mariadb_project(
        "r15_trg",
        "CREATE TABLE `User` (id INT PRIMARY KEY, name VARCHAR(50), seen INT DEFAULT 0);
         INSERT INTO `User` VALUES (1, 'a', 0);",
    );
    let my = mariadb();
    my.sql(
        &db,
        "CREATE TRIGGER `r15_trg`.`bump` BEFORE UPDATE ON `r15_trg`.`User` FOR EACH ROW SET NEW.seen = OLD.seen + 1",
    );
    let run = ctx.run(&["backup"]);
    run.ok();
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    let fresh = "r15_trg_new";
    my.root(&format!("DROP DATABASE IF EXISTS `{fresh}`"));
    let run = ctx.run(&["restore", &id, "--to", &my.url(fresh)]);
    run.ok();
    // The trigger is the new database's, on its own table; the source keeps only its own.
    assert_eq!(
        my.root("SELECT event_object_schema FROM information_schema.triggers WHERE trigger_name = 'bump' ORDER BY 1"),
        format!("{db}\n{fresh}"),
        "{}",
        run.all()
    );
    my.sql(fresh, "UPDATE `User` SET name = 'b' WHERE id = 1");
    assert_eq!(my.sql(fresh, "SELECT seen FROM `User` WHERE id = 1"), "1");
    assert_eq!(my.sql(&db, "SELECT seen FROM `User` WHERE id = 1"), "0");
    // In place too.
    my.sql(&db, "DELETE FROM `User`");
    let run = ctx.run_with_tty(&["restore", &id], &format!("{db}\n"));
    run.ok();
    my.sql(&db, "UPDATE `User` SET name = 'c' WHERE id = 1");
    assert_eq!(my.sql(&db, "SELECT seen FROM `User` WHERE id = 1"), "1");
}

#[test]
fn mariadb_table_name_with_a_newline_is_counted_and_restored() {
    let (ctx, db) = mariadb_project(
        "r15_my_newline",
        "CREATE TABLE `Odd\nName` (id INT PRIMARY KEY); INSERT INTO `Odd\nName` VALUES (1), (2); CREATE TABLE `User` (id INT);",
    );
    let run = ctx.run(&["backup"]);
    run.ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["Odd\nName"], 2, "{m}");
    let run = ctx.run(&["restore-test"]);
    run.ok();
    assert!(run.stderr.contains("row counts match"), "{}", run.all());
    mariadb().sql(&db, "DELETE FROM `Odd\nName`");
    let run = ctx.run_with_tty(&["restore"], &format!("{db}\n"));
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    assert_eq!(mariadb().sql(&db, "SELECT COUNT(*) FROM `Odd\nName`"), "2");
}
