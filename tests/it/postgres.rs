//! PostgreSQL: a real server, rich data, round trips, secrets, failures.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

const SEED: &str = r#"
CREATE TABLE "User" (id text PRIMARY KEY, email text NOT NULL UNIQUE, name text, bio text, avatar bytea, prefs jsonb, "createdAt" timestamptz NOT NULL DEFAULT now());
CREATE TABLE "Post" (id serial PRIMARY KEY, "authorId" text REFERENCES "User"(id) ON DELETE CASCADE, title text NOT NULL, tags text[], body text);
CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at) VALUES
  ('1', 'a', '2026-01-01', '20260101000000_init', '2026-01-01'),
  ('2', 'b', '2026-01-02', '20260102000000_posts', '2026-01-02');
INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, rolled_back_at, started_at) VALUES
  ('3', 'c', NULL, '20260103000000_broken', '2026-01-03', '2026-01-03');
INSERT INTO "User" (id, email, name, bio, avatar, prefs)
  SELECT 'c' || md5(i::text), 'user' || i || '@example.com',
         CASE WHEN i % 3 = 0 THEN NULL ELSE 'Zoë ' || i || ' 🦀 日本語 "quoted" \t tab' END,
         CASE WHEN i = 7 THEN repeat('large text ', 100000) ELSE E'line1\nline2\\back' END,
         decode('00ff' || lpad(to_hex(i), 4, '0') || '0a0d', 'hex'),
         jsonb_build_object('theme', 'dark', 'n', i, 'nested', jsonb_build_array(1, 'two', null))
  FROM generate_series(1, 200) i;
INSERT INTO "Post" ("authorId", title, tags, body)
  SELECT 'c' || md5((i % 200 + 1)::text), 'post ' || i, ARRAY['a', 'b,c', NULL], NULL FROM generate_series(1, 500) i;
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TABLE "Account" (id bigserial PRIMARY KEY, role "Role" NOT NULL DEFAULT 'USER', balance numeric(20, 4));
INSERT INTO "Account" (role, balance) VALUES ('ADMIN', 12345.6789), ('USER', NULL);
"#;

/// Twenty more small tables, as real schemas have many.
fn many_tables() -> String {
    (1..=20)
        .map(|i| {
            format!("CREATE TABLE \"T{i}\" (id int PRIMARY KEY, v text); INSERT INTO \"T{i}\" VALUES ({i}, 'v{i}');")
        })
        .collect()
}

fn seeded(name: &str) -> (TestContext, String) {
    let pg = postgres();
    let db = pg.create_db(name);
    pg.app_sql(&db, SEED);
    pg.app_sql(&db, &many_tables());
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    (ctx, db)
}

/// Content fingerprint: every table's rows, sorted, hashed.
fn fingerprint(db: &str) -> String {
    postgres().app_sql(
        db,
        "SELECT string_agg(t || ':' || h, ',' ORDER BY t) FROM (SELECT c.relname AS t, (xpath('/row/h/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(x::text, ''|'' ORDER BY x::text), '''')) AS h FROM %I.%I x', n.nspname, c.relname), false, true, '')))[1]::text AS h FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public') s",
    )
}

#[test]
fn pg_round_trip_restores_rows_and_content() {
    let (ctx, db) = seeded("rt_roundtrip");
    let before = fingerprint(&db);
    let run = ctx.run(&["backup"]);
    run.ok().no_secret();
    let m = &ctx.manifests()[0];
    assert_eq!(m["engine"], "postgresql");
    assert_eq!(m["row_counts"]["public.User"], 200);
    assert_eq!(m["row_counts"]["public.Post"], 500);
    assert_eq!(m["row_counts"]["public.T20"], 1);
    assert_eq!(m["row_counts_source"], "dump");
    assert_eq!(m["schema"], "public");
    assert_eq!(m["migrations"], serde_json::json!(["20260101000000_init", "20260102000000_posts"]));
    assert!(m["server_version"].as_str().unwrap().starts_with("PostgreSQL 1"));
    assert!(m["dump_tool"].as_str().unwrap().contains("pg_dump"));
    assert!(m["database_url"].as_str().unwrap().contains("app:****@127.0.0.1"));
    for f in ctx.backup_files() {
        let bytes = std::fs::read(ctx.path("backups").join(&f)).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(SECRET), "{f} holds the password");
    }

    postgres()
        .app_sql(&db, "DROP TABLE \"Post\"; DELETE FROM \"User\" WHERE name IS NULL; CREATE TABLE \"Later\" (id int);");
    assert_ne!(fingerprint(&db), before);
    let run = ctx.run_with_tty(&["restore"], &format!("{db}\n"));
    run.ok().no_secret();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    assert_eq!(fingerprint(&db), before, "content differs after restore");
    let later = postgres().app_sql(&db, "SELECT to_regclass('public.\"Later\"') IS NULL");
    assert_eq!(later, "t", "a table created after the backup must be gone");
    let ms = ctx.manifests();
    assert_eq!(ms[0]["trigger"]["kind"], "safety");
    assert!(ms[0]["row_counts"].get("public.Later").is_some());
}

/// Review finding (ninth round): `ALTER DEFAULT PRIVILEGES IN SCHEMA public` (Supabase sets
/// them) belongs to the schema: an in-place restore goes through and keeps them.
#[test]
fn pg_restore_in_place_keeps_a_schemas_default_privileges() {
    let (ctx, db) = seeded("rt_defacl");
    let pg = postgres();
    // Created once per server (an error when another run made it first).
    let _ = pg.try_sql("postgres", "CREATE ROLE it_reader");
    pg.app_sql(&db, "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO it_reader");
    ctx.run(&["backup"]).ok();
    pg.app_sql(&db, "DELETE FROM \"Post\"");
    let run = ctx.run_with_tty(&["restore"], &format!("{db}\n"));
    run.ok().no_secret();
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"Post\""), "500");
    let acl = pg.app_sql(&db, "SELECT count(*) FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace WHERE n.nspname = 'public'");
    assert_eq!(acl, "1", "the default privileges are back");
}

#[test]
fn pg_restore_test_uses_a_scratch_database_and_drops_it() {
    let (ctx, db) = seeded("rt_scratch");
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["restore-test"]);
    run.ok().no_secret();
    assert!(run.stderr.contains("prisma_guard_scratch_"), "{}", run.stderr);
    assert!(run.stderr.contains("row counts match"), "{}", run.stderr);
    // This run's scratch database (other tests' backups make their own meanwhile).
    let at = run.stderr.find("prisma_guard_scratch_").unwrap();
    let name: String = run.stderr[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let left = postgres().admin(&format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'"));
    assert_eq!(left, "0", "scratch database {name} left behind");
    // The source database was not touched.
    assert_eq!(postgres().app_sql(&db, "SELECT count(*) FROM \"Post\""), "500");
}

#[test]
fn pg_restore_to_an_empty_database_needs_no_confirmation() {
    let (ctx, _db) = seeded("rt_to_src");
    let pg = postgres();
    let empty = pg.create_db("rt_to_dst");
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["restore", "latest", "--to", &pg.url(&empty)]);
    run.ok().no_secret();
    assert_eq!(fingerprint(&empty), fingerprint("rt_to_src"));
}

/// Issue 16 review 14, finding 3: a database whose data are large objects (no table rows)
/// was taken for empty: an agent restored over it, with no question and no safety backup.
#[test]
fn pg_restore_over_large_objects_needs_a_human() {
    let (mut ctx, _db) = seeded("rt_lo_src");
    let pg = postgres();
    let target = pg.create_db("rt_lo_dst");
    pg.app_sql(&target, "SELECT lo_from_bytea(0, 'precious blob')");
    ctx.run(&["backup"]).ok();
    ctx.set_env("CLAUDECODE", "1");
    let run = ctx.run(&["restore", "latest", "--to", &pg.url(&target)]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.all().contains("restoring over a database that holds data needs a human"), "{}", run.all());
    assert_eq!(pg.app_sql(&target, "SELECT count(*) FROM pg_largeobject_metadata"), "1", "nothing replaced");
}

#[test]
fn pg_standard_tools_restore_the_dump_by_hand() {
    let (ctx, db) = seeded("rt_by_hand");
    let pg = postgres();
    let empty = pg.create_db("rt_by_hand_dst");
    ctx.run(&["backup"]).ok();
    let f = ctx.backup_files().into_iter().find(|f| f.ends_with(".sql.zst")).unwrap();
    let line = format!("zstd -q -dc backups/{f} | PGPASSWORD='{SECRET}' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p {} -U app -d {empty}", pg.port);
    let st = std::process::Command::new("sh").arg("-c").arg(line).current_dir(ctx.root()).status().unwrap();
    assert!(st.success());
    assert_eq!(fingerprint(&empty), fingerprint(&db));
}

#[test]
fn pg_password_never_appears_in_child_argv() {
    let (mut ctx, db) = seeded("rt_argv");
    let tmp = ctx.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    ctx.set_env("TMPDIR", &tmp.display().to_string());
    // Enough data that pg_dump runs for a while.
    postgres().app_sql(
        &db,
        "CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('y', 400) AS v FROM generate_series(1, 300000) g;",
    );
    let mut child = ctx.cmd(&["backup"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut seen = Vec::new();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60) {
        for (_, name, cmdline) in processes() {
            if (name == "pg_dump" || name == "psql") && cmdline.contains("rt_argv") {
                seen.push(cmdline);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(child.wait().unwrap().success());
    assert!(seen.iter().any(|c| c.contains("pg_dump")), "never saw pg_dump running");
    for c in &seen {
        assert!(!c.contains(SECRET), "password in argv: {c}");
        assert!(!c.contains("?schema=") && !c.contains("connection_limit"), "Prisma-only params reached libpq: {c}");
    }
    assert!(seen.iter().any(|c| c.contains("--schema=public")), "?schema=public must become --schema");
    // The temporary password file was private and is gone afterwards.
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "temporary files left in TMPDIR");
}

#[test]
fn pg_dump_killed_midway_fails_the_backup_and_leaves_nothing() {
    let (ctx, db) = seeded("rt_killed");
    postgres().app_sql(
        &db,
        "CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('y', 400) AS v FROM generate_series(1, 300000) g;",
    );
    let child = ctx.cmd(&["backup"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let start = Instant::now();
    let mut killed = false;
    while !killed && start.elapsed() < Duration::from_secs(30) {
        for (pid, comm, cmdline) in processes() {
            if comm == "pg_dump" && cmdline.contains(&db) {
                std::thread::sleep(Duration::from_millis(100));
                let _ = std::process::Command::new("kill").args(["-9", &pid]).status();
                killed = true;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(killed, "never saw pg_dump");
    let run = Run::from(child.wait_with_output().unwrap());
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("killed by signal 9"), "{}", run.stderr);
    assert!(ctx.backup_files().is_empty(), "left files: {:?}", ctx.backup_files());
}

#[test]
fn pg_dump_older_than_the_server_is_refused_with_the_fix() {
    let (ctx, _db) = seeded("rt_old_dump");
    let real = which_tool("pg_dump");
    fake_pg_dump(&ctx, Some("pg_dump (PostgreSQL) 13.4"), &format!("exec {real} \"$@\""));
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("older than the PostgreSQL"), "{}", run.stderr);
    assert!(run.stderr.contains("postgresql-client-1"), "{}", run.stderr);
    assert!(ctx.backup_files().is_empty());
}

fn which_tool(name: &str) -> String {
    let out = std::process::Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn pg_dump_missing_is_a_clear_error() {
    let (mut ctx, _db) = seeded("rt_missing_tool");
    let bin = ctx.path("onlypsql");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(which_tool("psql"), bin.join("psql")).unwrap();
    ctx.set_env("PATH", &bin.display().to_string());
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("`pg_dump` was not found"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: install the PostgreSQL client tools"), "{}", run.stderr);
}

#[test]
fn pg_unreachable_server_is_a_clear_error() {
    let ctx = TestContext::new();
    let port = free_port();
    ctx.prisma7_project("postgresql", &format!("postgresql://app:{SECRET}@127.0.0.1:{port}/nope?schema=public"));
    let run = ctx.run(&["backup"]);
    run.no_secret();
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("is not reachable"), "{}", run.stderr);
    assert!(ctx.backup_files().is_empty());
}

#[test]
fn pg_wrong_password_is_a_clear_error() {
    let pg = postgres();
    let db = pg.create_db("rt_wrong_pw");
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &format!("postgresql://app:not-{SECRET}@127.0.0.1:{}/{db}", pg.port));
    let run = ctx.run(&["backup"]);
    assert!(!run.all().contains(&format!("not-{SECRET}")), "{}", run.all());
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("rejected the password"), "{}", run.stderr);
}

#[test]
fn pg_gzip_backup_verifies_and_restores() {
    let (ctx, db) = seeded("rt_gzip");
    ctx.write("prisma-guard.toml", "[backup]\ncompression = \"gzip\"\n");
    ctx.run(&["backup"]).ok();
    assert!(ctx.backup_files().iter().any(|f| f.ends_with(".sql.gz")));
    ctx.run(&["verify", "--all"]).ok();
    ctx.run(&["restore-test"]).ok();
    let pg = postgres();
    let empty = pg.create_db("rt_gzip_dst");
    let f = ctx.backup_files().into_iter().find(|f| f.ends_with(".sql.gz")).unwrap();
    let line = format!("gunzip -c backups/{f} | PGPASSWORD='{SECRET}' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p {} -U app -d {empty}", pg.port);
    assert!(std::process::Command::new("sh").arg("-c").arg(line).current_dir(ctx.root()).status().unwrap().success());
    assert_eq!(fingerprint(&empty), fingerprint(&db));
}

/// A pg_bin_dir whose pg_dump runs `body` (a sh snippet); `--version` prints `version`, or
/// the real pg_dump's version when None.
fn fake_pg_dump(ctx: &TestContext, version: Option<&str>, body: &str) {
    let tools = ctx.path("faketools");
    std::fs::create_dir_all(&tools).unwrap();
    let real = which_tool("pg_dump");
    let answer = version.map_or(format!("exec {real} --version"), |v| format!("echo '{v}'; exit 0"));
    let script = format!("#!/bin/sh\nif [ \"$1\" = --version ]; then {answer}; fi\n{body}\n");
    std::fs::write(tools.join("pg_dump"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(tools.join("pg_dump"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink(which_tool("psql"), tools.join("psql")).unwrap();
    ctx.write_own_config(&format!("[tools]\npg_bin_dir = \"{}\"\n", tools.display()));
}

#[test]
fn pg_dump_that_writes_nothing_is_a_failed_backup() {
    let (ctx, _db) = seeded("rt_empty_dump");
    fake_pg_dump(&ctx, None, "exit 0");
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("produced no output"), "{}", run.stderr);
    assert!(ctx.backup_files().is_empty(), "{:?}", ctx.backup_files());
}

#[test]
fn pg_dump_failure_shows_its_stderr() {
    let (ctx, _db) = seeded("rt_failing_dump");
    fake_pg_dump(
        &ctx,
        None,
        "echo 'SET x;'; echo 'pg_dump: error: query failed: permission denied for table secrets' >&2; exit 1",
    );
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("exit code 1") && run.stderr.contains("permission denied for table secrets"),
        "{}",
        run.stderr
    );
    assert!(ctx.backup_files().is_empty(), "{:?}", ctx.backup_files());
}

#[test]
fn progress_is_shown_on_a_terminal_and_not_in_pipes() {
    let (ctx, db) = seeded("rt_progress");
    postgres().app_sql(
        &db,
        "CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('y', 400) AS v FROM generate_series(1, 300000) g;",
    );
    let run = ctx.run_with_tty(&["backup"], "");
    run.ok();
    assert!(run.stdout.contains("backing up rt_progress"), "no progress bar on the terminal: {}", run.stdout);
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(!run.stderr.contains("backing up rt_progress"), "a progress bar in a pipe: {}", run.stderr);
}

#[test]
fn pg_damaged_backup_is_rolled_back_mid_restore() {
    let (ctx, _db) = seeded("rt_damaged");
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    let dump = ctx.path("backups").join(m["file"]["name"].as_str().unwrap());
    // Append a valid extra zstd frame: the stream still decodes cleanly, only the checksum
    // (checked as the dump streams into psql) can tell.
    let extra = std::process::Command::new("sh")
        .arg("-c")
        .arg("printf 'DROP TABLE \"User\" CASCADE;\\n' | zstd -q -c")
        .output()
        .unwrap()
        .stdout;
    let mut bytes = std::fs::read(&dump).unwrap();
    bytes.extend_from_slice(&extra);
    std::fs::write(&dump, bytes).unwrap();
    let pg = postgres();
    let empty = pg.create_db("rt_damaged_dst");
    let run = ctx.run(&["restore", "latest", "--to", &pg.url(&empty)]);
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.stderr.contains("is damaged") && run.stderr.contains("checksum mismatch"), "{}", run.stderr);
    assert_eq!(
        pg.app_sql(&empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "0",
        "nothing was committed"
    );
}
