//! What a backup holds and what a restore replaces, against real
//! PostgreSQL and MariaDB servers.

use crate::support::*;

fn mariadb_project(name: &str, seed: &str) -> (TestContext, String) {
    let my = mariadb();
    let db = my.create_db(name);
    my.sql(&db, seed);
    let ctx = TestContext::new();
    ctx.prisma7_project("mysql", &my.url(&db));
    (ctx, db)
}

fn pg_project(name: &str, seed: &str) -> (TestContext, String) {
    let pg = postgres();
    let db = pg.create_db(name);
    pg.app_sql(&db, seed);
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    (ctx, db)
}

/// An agent's run: no terminal, the agent's marker set.
fn as_agent(ctx: &TestContext, args: &[&str]) -> Run {
    let mut cmd = ctx.cmd(args);
    cmd.env("CLAUDECODE", "1");
    Run::from(cmd.output().unwrap())
}

#[test]
fn mariadb_sequences_and_system_versioned_tables_are_counted_swapped_and_restored() {
    let (ctx, db) = mariadb_project(
        "r14_seq",
        "CREATE TABLE `User` (id INT PRIMARY KEY); INSERT INTO `User` VALUES (1), (2);
         CREATE TABLE `Audit` (id INT PRIMARY KEY, what VARCHAR(50)) WITH SYSTEM VERSIONING;
         INSERT INTO `Audit` VALUES (1, 'a'), (2, 'b'), (3, 'c');
         CREATE SEQUENCE `s1` NOCACHE; SELECT NEXTVAL(`s1`); SELECT NEXTVAL(`s1`); SELECT NEXTVAL(`s1`);",
    );
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["Audit"], 3, "{m}");
    assert_eq!(m["row_counts"]["s1"], 1, "{m}");
    // After the backup: more audit rows, the sequence moved on.
    mariadb().sql(&db, "INSERT INTO `Audit` VALUES (4, 'd'), (5, 'e'); SELECT NEXTVAL(`s1`); SELECT NEXTVAL(`s1`);");
    let run = ctx.run_with_tty(&["restore"], &format!("{db}\n"));
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    assert_eq!(mariadb().sql(&db, "SELECT COUNT(*) FROM `Audit`"), "3");
    assert_eq!(mariadb().sql(&db, "SELECT NEXTVAL(`s1`)"), "4", "the sequence is the backup's");
    assert_eq!(
        mariadb().root(&format!(
            "SELECT table_type FROM information_schema.tables WHERE table_schema = '{db}' AND table_name = 'Audit'"
        )),
        "SYSTEM VERSIONED"
    );
    // Into a new database: both are there.
    let fresh = "r14_seq_new";
    mariadb().root(&format!("DROP DATABASE IF EXISTS `{fresh}`"));
    let id =
        ctx.manifests().iter().find(|m| m["trigger"]["kind"] != "safety").unwrap()["id"].as_str().unwrap().to_string();
    ctx.run(&["restore", &id, "--to", &mariadb().url(fresh)]).ok();
    assert_eq!(mariadb().sql(fresh, "SELECT COUNT(*) FROM `Audit`"), "3");
    assert_eq!(mariadb().sql(fresh, "SELECT NEXTVAL(`s1`)"), "4");
    let run = ctx.run(&["restore-test", &id]);
    run.ok();
    assert!(run.stderr.contains("row counts match"), "{}", run.stderr);
}

#[test]
fn pg_backup_whose_rows_cannot_be_restored_fails_its_restore_check() {
    // An index over a SQL function that calls another without its schema: pg_dump restores
    // with an empty search_path, so building the index over real rows fails.
    let (ctx, _db) = pg_project(
        "r14_norm",
        r#"CREATE FUNCTION inner_norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower($1)';
           CREATE FUNCTION norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT inner_norm($1)';
           CREATE TABLE "Tag" (id int PRIMARY KEY, name text);
           CREATE INDEX tag_norm ON "Tag" (norm(name));
           INSERT INTO "Tag" SELECT i, 'Tag ' || i FROM generate_series(1, 50) i;"#,
    );
    let run = ctx.run(&["backup"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("does not restore"), "{}", run.all());
    assert!(run.all().contains("search_path"), "{}", run.all());

    // A CHECK constraint reading a table whose rows load after the checked table's.
    let (ctx, _db) = pg_project(
        "r14_check",
        r#"CREATE TABLE "User" (id int PRIMARY KEY);
           CREATE FUNCTION user_exists(int) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT EXISTS (SELECT 1 FROM public."User" WHERE id = $1)';
           CREATE TABLE "Order" (id int PRIMARY KEY, uid int CHECK (user_exists(uid)));
           INSERT INTO "User" VALUES (1), (2);
           INSERT INTO "Order" VALUES (1, 1), (2, 2);"#,
    );
    let run = ctx.run(&["backup"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("violates check constraint"), "{}", run.all());
}

#[test]
fn pg_restore_check_samples_big_tables_and_their_foreign_keys_still_pass() {
    let (ctx, _db) = pg_project(
        "r14_sample",
        r#"CREATE TABLE "User" (id int PRIMARY KEY, email text UNIQUE);
           CREATE TABLE "Post" (id int PRIMARY KEY, "authorId" int NOT NULL REFERENCES "User"(id), body text CHECK (length(body) > 0));
           CREATE INDEX post_lower ON "Post" (lower(body));
           INSERT INTO "User" SELECT i, 'u' || i || '@x' FROM generate_series(1, 12000) i;
           INSERT INTO "Post" SELECT i, 12001 - i, 'post ' || i FROM generate_series(1, 12000) i;"#,
    );
    let run = ctx.run(&["backup"]);
    run.ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["public.Post"], 12000, "{m}");
    assert!(m["warnings"].as_array().is_none_or(|w| w.is_empty()), "{m}");
}

#[test]
fn pg_column_name_with_a_newline_is_backed_up_and_restored() {
    let (ctx, db) = pg_project(
        "r14_newline",
        "CREATE TABLE \"Odd\" (id int PRIMARY KEY, \"col\nnl\" text);\nINSERT INTO \"Odd\" VALUES (1, 'a'), (2, E'b\\\\.');",
    );
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(!run.all().contains("altered"), "{}", run.all());
    assert_eq!(ctx.manifests()[0]["row_counts"]["public.Odd"], 2);
    let run = ctx.run(&["restore-test"]);
    run.ok();
    assert!(run.stderr.contains("row counts match"), "{}", run.stderr);
    postgres().app_sql(&db, "DELETE FROM \"Odd\"");
    ctx.run_with_tty(&["restore"], &format!("{db}\n")).ok();
    assert_eq!(postgres().app_sql(&db, "SELECT count(*) FROM \"Odd\""), "2");
}

#[test]
fn agent_restore_over_a_database_holding_only_views_and_routines_is_asked_first() {
    // PostgreSQL: a database whose only content is a materialized view and a function.
    let (ctx, _db) = pg_project("r14_pgsrc", "CREATE TABLE \"T\" (id int PRIMARY KEY); INSERT INTO \"T\" VALUES (1);");
    ctx.run(&["backup"]).ok();
    let pg = postgres();
    let target = pg.create_db("r14_pgview");
    pg.app_sql(
        &target,
        "CREATE MATERIALIZED VIEW keep_mv AS SELECT 42 AS answer; CREATE FUNCTION keepme() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    );
    let run = as_agent(&ctx, &["restore", "latest", "--to", &pg.url(&target)]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("needs a human"), "{}", run.all());
    assert_eq!(pg.app_sql(&target, "SELECT answer FROM keep_mv"), "42");
    // A person who confirms gets a safety backup of it first.
    let run = ctx.run_with_tty(&["restore", "latest", "--to", &pg.url(&target)], &format!("{target}\n"));
    run.ok();
    assert!(run.all().contains("materialized view public.keep_mv"), "{}", run.all());
    assert!(run.all().contains("function public.keepme()"), "{}", run.all());
    assert!(run.all().contains("Safety"), "{}", run.all());

    // MariaDB: an empty table, a view and a procedure.
    let (ctx, _db) = mariadb_project("r14_mysrc", "CREATE TABLE `T` (id INT PRIMARY KEY); INSERT INTO `T` VALUES (1);");
    ctx.run(&["backup"]).ok();
    let my = mariadb();
    let target = my.create_db("r14_myview");
    my.sql(&target, "CREATE TABLE `E` (id INT); CREATE VIEW `v` AS SELECT 1 AS x; CREATE PROCEDURE keepme() SELECT 1;");
    let run = as_agent(&ctx, &["restore", "latest", "--to", &my.url(&target)]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("needs a human"), "{}", run.all());
    assert_eq!(
        my.root(&format!("SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = '{target}' AND routine_name = 'keepme'")),
        "1"
    );
}

#[test]
fn pg_schema_limited_backup_takes_the_enum_of_another_schema_it_uses() {
    let pg = postgres();
    let db = pg.create_db("r14_mood");
    pg.app_sql(
        &db,
        r#"CREATE TYPE public.mood AS ENUM ('happy', 'sad');
           CREATE SCHEMA app;
           CREATE TABLE app."User" (id int PRIMARY KEY, mood public.mood NOT NULL, moods public.mood[]);
           INSERT INTO app."User" VALUES (1, 'happy', '{sad}'), (2, 'sad', NULL);"#,
    );
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db).replace("schema=public", "schema=app"));
    let run = ctx.run(&["backup"]);
    run.ok();
    let fresh = pg.create_db("r14_mood_new");
    ctx.run(&["restore", "latest", "--to", &pg.url(&fresh).replace("schema=public", "schema=app")]).ok();
    assert_eq!(pg.app_sql(&fresh, "SELECT string_agg(mood::text, ',' ORDER BY id) FROM app.\"User\""), "happy,sad");

    // A table of another schema that a foreign key points at: named, with what to do.
    pg.app_sql(
        &db,
        r#"CREATE TABLE public."Team" (id int PRIMARY KEY);
           CREATE TABLE app."Member" (id int PRIMARY KEY, team int REFERENCES public."Team"(id));"#,
    );
    let run = ctx.run(&["backup"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("public.\"Team\""), "{}", run.all());
    assert!(run.all().contains("schemas"), "{}", run.all());
}
