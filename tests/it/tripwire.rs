//! The tripwire inside PostgreSQL (`prisma-guard protect`): a real server, psql as any client
//! would use it, the fake prisma through the guard.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::guard::{install_fake_prisma, prisma_calls};
use crate::support::*;

const ADMIN_PW: &str = "postgres-admin-pw";
const INIT_SQL: &str =
    "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL, \"name\" TEXT);\n";

/// A Prisma 7 PostgreSQL project whose role `app` owns database `db` (a `User` table with two
/// rows, applied by its one migration), the fake prisma and the PATH shim.
fn project(db: &str) -> TestContext {
    let pg = postgres();
    pg.create_db(db);
    pg.app_sql(db, INIT_SQL);
    pg.app_sql(db, "INSERT INTO \"User\" VALUES ('u1', 'a@example.com', 'Ann'), ('u2', 'b@example.com', NULL)");
    let mut ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(db));
    ctx.write("prisma/migrations/20260101000000_init/migration.sql", INIT_SQL);
    ctx.write("prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
    install_fake_prisma(&ctx, ctx.root());
    crate::guard::guard_on_path(&mut ctx);
    ctx
}

/// The superuser's URL of `db` (for PRISMA_GUARD_PROTECT_URL).
fn admin_url(db: &str) -> String {
    format!("postgresql://postgres:{ADMIN_PW}@127.0.0.1:{}/{db}", postgres().port)
}

/// SQL as `app`, the project's role: Ok(output) or Err(psql's error).
fn app(db: &str, sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"])
        .arg(format!("host=127.0.0.1 port={} dbname={db} user=app", postgres().port))
        .args(["-c", sql])
        .env("PGPASSWORD", SECRET)
        .output()
        .unwrap();
    match out.status.success() {
        true => Ok(String::from_utf8_lossy(&out.stdout).trim().to_string()),
        false => Err(String::from_utf8_lossy(&out.stderr).trim().to_string()),
    }
}

#[track_caller]
fn refused(db: &str, sql: &str) {
    match app(db, sql) {
        Ok(out) => panic!("`{sql}` was allowed ({out})"),
        Err(e) => assert!(e.contains("prisma-guard tripwire") && e.contains("refused"), "`{sql}`: {e}"),
    }
}

/// Nothing of the tripwire in `db`.
#[track_caller]
fn nothing_installed(db: &str) {
    let pg = postgres();
    assert_eq!(pg.sql(db, "SELECT to_regnamespace('prisma_guard') IS NULL"), "t");
    assert_eq!(pg.sql(db, "SELECT count(*) FROM pg_event_trigger"), "0");
    assert_eq!(pg.sql(db, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'prisma_guard%'"), "0");
}

fn status(db: &str) -> serde_json::Value {
    serde_json::from_str(&postgres().sql(db, "SELECT prisma_guard.status()")).unwrap()
}

#[test]
fn tripwire_refuses_what_loses_data_from_any_client_and_lets_the_confirmed_guard_through() {
    let db = "trip_main";
    let mut ctx = project(db);

    // The project's role may not create event triggers: a clear refusal, nothing installed.
    let run = ctx.run(&["protect"]);
    assert_eq!(run.code, 1, "{}", run.all());
    run.no_secret();
    assert!(run.stderr.contains("superuser") && run.stderr.contains("PRISMA_GUARD_PROTECT_URL"), "{}", run.stderr);
    nothing_installed(db);

    // A URL of another database is refused too.
    ctx.set_env("PRISMA_GUARD_PROTECT_URL", &admin_url("postgres"));
    let run = ctx.run(&["protect"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("not the project's"), "{}", run.stderr);
    assert!(!run.all().contains(ADMIN_PW), "{}", run.all());
    nothing_installed(db);

    ctx.set_env("PRISMA_GUARD_PROTECT_URL", &admin_url(db));
    let run = ctx.run(&["protect"]);
    run.ok().no_secret();
    assert!(!run.all().contains(ADMIN_PW), "{}", run.all());
    assert!(run.stderr.contains("Protected"), "{}", run.stderr);

    // Any client, here psql as the project's own role.
    refused(db, "DROP SCHEMA public CASCADE");
    refused(db, "DROP TABLE \"User\"");
    refused(db, "TRUNCATE \"User\"");
    refused(db, "ALTER TABLE \"User\" DROP COLUMN \"name\"");
    refused(db, "ALTER TABLE \"User\" DISABLE TRIGGER ALL");
    refused(db, "DROP TRIGGER prisma_guard_no_truncate ON \"User\"");
    // Review of issue 19, round 5, finding 5: the trigger's function swapped, nothing dropped.
    refused(
        db,
        "CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$; \
         CREATE OR REPLACE TRIGGER prisma_guard_no_truncate BEFORE TRUNCATE ON \"User\" FOR EACH STATEMENT EXECUTE FUNCTION public.noop(); \
         TRUNCATE \"User\"",
    );
    assert_eq!(app(db, "SELECT count(*) FROM \"User\"").unwrap(), "2");
    // Harmless statements pass.
    app(db, "INSERT INTO \"User\" VALUES ('u3', 'c@example.com', 'Cy')").unwrap();
    app(db, "UPDATE \"User\" SET name = 'Ann B' WHERE id = 'u1'").unwrap();
    app(db, "CREATE TABLE \"Later\" (id int); CREATE INDEX later_id ON \"Later\"(id); DROP INDEX later_id").unwrap();
    app(db, "CREATE TEMP TABLE scratch (i int); DROP TABLE scratch").unwrap();
    app(db, "CREATE VIEW v AS SELECT 1 AS one; DROP VIEW v").unwrap();
    // A table made after protect is armed as well.
    refused(db, "TRUNCATE \"Later\"");

    // An agent writing its own approval: no privilege on the table, no key for the function.
    let e = app(db, "INSERT INTO prisma_guard.approval VALUES (pg_backend_pid(), now(), 'app', 'agent')").unwrap_err();
    assert!(e.contains("permission denied"), "{e}");
    let e = app(db, "SELECT prisma_guard.open_approval('0123', 'agent'); DROP TABLE \"Later\"").unwrap_err();
    assert!(e.contains("approval key"), "{e}");
    let e = app(db, "UPDATE prisma_guard.key SET hash = 'x'").unwrap_err();
    assert!(e.contains("permission denied"), "{e}");
    refused(db, "DROP TABLE \"Later\"");

    // status and doctor say so.
    let run = ctx.run(&["status"]);
    assert!(run.stdout.contains("tripwire installed in"), "{}", run.all());
    let json: serde_json::Value = serde_json::from_str(&ctx.run(&["status", "--json"]).stdout).unwrap();
    assert_eq!(json["tripwire"]["installed"], true, "{json}");
    assert_eq!(json["tripwire"]["sound"], true, "{json}");
    let run = ctx.run(&["doctor"]);
    assert!(run.stdout.contains("ok   PostgreSQL tripwire"), "{}", run.stdout);

    // Re-running protect upgrades in place: the same installation, nothing doubled.
    let before = status(db);
    ctx.run(&["protect"]).ok();
    let after = status(db);
    assert_eq!(before["install_id"], after["install_id"]);
    assert_eq!(after["keys"], 1);
    assert_eq!(after["armed_tables"], before["armed_tables"]);

    // A backup leaves the tripwire out, and still restores into a scratch database.
    ctx.run(&["backup"]).ok();
    ctx.run(&["restore-test"]).ok();

    // The guard: a typed confirmation, a backup, and a window for exactly that command.
    let run = ctx.run_with_tty(&["exec", "--", "migrate", "reset", "--force"], &format!("{db}\n"));
    run.ok();
    assert!(run.stdout.contains("Approved") && run.stdout.contains("Database reset successful"), "{}", run.stdout);
    assert_eq!(prisma_calls(&ctx).len(), 1);
    assert_eq!(app(db, "SELECT count(*) FROM \"User\"").unwrap(), "0", "reset ran");
    assert_eq!(app(db, "SELECT to_regclass('\"Later\"') IS NULL").unwrap(), "t", "reset dropped every table");
    // The window is shut, and the table the reset made again is armed.
    let s = status(db);
    assert_eq!(s["open_approvals"], 0, "{s}");
    assert_eq!(s["unarmed_tables"], serde_json::json!([]), "{s}");
    refused(db, "TRUNCATE \"User\"");
    refused(db, "DROP SCHEMA public CASCADE");

    // A restore drops and makes tables too: through the window, and armed again after.
    app(db, "INSERT INTO \"User\" VALUES ('u9', 'z@example.com', NULL)").unwrap();
    let run = ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n"));
    run.ok();
    assert_eq!(app(db, "SELECT count(*) FROM \"User\"").unwrap(), "3", "the backup's rows");
    assert_eq!(status(db)["unarmed_tables"], serde_json::json!([]));
    refused(db, "DROP TABLE \"User\"");

    // unprotect: a superuser too, then everything is gone in one step.
    ctx.set_env("PRISMA_GUARD_PROTECT_URL", "");
    let run = ctx.run(&["unprotect"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("superuser"), "{}", run.stderr);
    ctx.set_env("PRISMA_GUARD_PROTECT_URL", &admin_url(db));
    ctx.run(&["unprotect"]).ok();
    nothing_installed(db);
    assert!(!ctx.path("home/.local/share/prisma-guard/tripwire").read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".key")));
    app(db, "TRUNCATE \"User\"; DROP TABLE \"User\"").unwrap();
    let run = ctx.run(&["status"]);
    assert!(run.stdout.contains("tripwire not installed"), "{}", run.stdout);
}

/// prisma-guard's pid: `setsid` runs it in place, or as its child when it had to fork.
fn guard_pid(child: &std::process::Child) -> u32 {
    let pid = child.id();
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    if comm.trim() != "setsid" {
        return pid;
    }
    processes()
        .into_iter()
        .find(|(p, _, _)| {
            std::fs::read_to_string(format!("/proc/{p}/status"))
                .is_ok_and(|s| s.lines().any(|l| l == format!("PPid:\t{pid}")))
        })
        .and_then(|(p, _, _)| p.parse().ok())
        .unwrap()
}

#[test]
fn tripwire_is_back_on_when_prisma_guard_is_killed_mid_command() {
    let db = "trip_kill";
    let mut ctx = project(db);
    ctx.set_env("PRISMA_GUARD_PROTECT_URL", &admin_url(db));
    ctx.run(&["protect"]).ok();
    ctx.set_env("PRISMA_GUARD_PROTECT_URL", "");
    ctx.set_env("FAKE_PRISMA_SLEEP_MS", "60000");

    // A schema change (backup first, no question): prisma runs, slowly, inside the window.
    let mut child =
        ctx.cmd(&["exec", "--", "migrate", "deploy"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    while app(db, "SELECT prisma_guard.approved()").unwrap() != "t" || prisma_calls(&ctx).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(60), "the window never opened");
        assert!(child.try_wait().unwrap().is_none(), "prisma-guard ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Open: a drop would pass now (checked without doing one).
    let guard = guard_pid(&child);
    assert_eq!(std::fs::read_to_string(format!("/proc/{guard}/comm")).unwrap().trim(), "prisma-guard");
    Command::new("kill").args(["-KILL", &guard.to_string()]).status().unwrap();
    let _ = child.wait();

    // No clean-up by anyone: the window shuts with its session.
    let start = Instant::now();
    while app(db, "SELECT prisma_guard.approved()").unwrap() != "f" {
        assert!(start.elapsed() < Duration::from_secs(10), "the window is still open after SIGKILL");
        std::thread::sleep(Duration::from_millis(50));
    }
    refused(db, "DROP SCHEMA public CASCADE");
    refused(db, "TRUNCATE \"User\"");
    assert_eq!(app(db, "SELECT count(*) FROM \"User\"").unwrap(), "2");

    // The fake prisma, orphaned and still asleep: end it (this test started it).
    let root = ctx.root().display().to_string();
    for (pid, comm, cmdline) in processes() {
        if comm == "node" && cmdline.contains(&root) {
            Command::new("kill").args(["-KILL", &pid]).status().unwrap();
        }
    }
}

#[test]
fn protect_is_for_postgresql_only() {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    let run = ctx.run(&["protect"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("only for PostgreSQL") && run.stderr.contains("SQLite"), "{}", run.stderr);
}

/// Review (issue 19, round 1): an AI agent's schema change (backed up, run without a
/// question) opened the tripwire's window, and another session dropped a table meanwhile.
/// The window opens only for a person: the agent's command runs with the tripwire shut.
#[test]
fn an_agents_schema_change_does_not_open_the_tripwire() {
    let db = "trip_agent";
    let mut ctx = project(db);
    ctx.set_env("PRISMA_GUARD_PROTECT_URL", &admin_url(db));
    ctx.run(&["protect"]).ok();
    ctx.set_env("PRISMA_GUARD_PROTECT_URL", "");
    ctx.set_env("CLAUDECODE", "1");
    ctx.set_env("FAKE_PRISMA_SLEEP_MS", "4000");
    ctx.write("sel.sql", "SELECT 1;\n");
    let mut child = ctx
        .cmd(&["exec", "--", "db", "execute", "--file", "sel.sql"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while prisma_calls(&ctx).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(60), "prisma never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(app(db, "SELECT prisma_guard.approved()").unwrap(), "f", "no window for an agent");
    refused(db, "DROP TABLE \"User\" CASCADE");
    let status = child.wait().unwrap();
    assert!(status.success(), "the agent's harmless SQL still runs");
    assert_eq!(app(db, "SELECT count(*) FROM \"User\"").unwrap(), "2");
}

/// Review of issue 20, round 5, finding 4: a person's confirmed, backed-up rollback of a
/// destructive down script opens the approval window as the guard does for a confirmed
/// command (the tripwire refused its DROP COLUMN: "Run the change through prisma-guard").
#[test]
fn a_confirmed_rollback_opens_the_tripwire_window_while_its_down_script_runs() {
    let pg = postgres();
    let db = pg.create_db("trip_rollback");
    let mut ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    ctx.write("prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
    ctx.write("prisma/migrations/20260101000000_init/migration.sql", INIT_SQL);
    install_fake_prisma(&ctx, ctx.root());
    ctx.run(&["migrate", "deploy"]).ok();
    ctx.set_env("PRISMA_GUARD_PROTECT_URL", &admin_url(&db));
    ctx.run(&["protect"]).ok();
    ctx.set_env("PRISMA_GUARD_PROTECT_URL", "");
    ctx.write(
        "prisma/migrations/20260102000000_age/migration.sql",
        "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\n",
    );
    ctx.run(&["migrate", "deploy"]).ok();
    let r = ctx.run(&["migrate", "down-script"]);
    assert!(r.stdout.contains("DROP COLUMN \"age\""), "{}", r.all());
    let r = ctx.run_with_tty(&["migrate", "rollback"], &format!("{db}\n"));
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("Approved"), "{}", r.all());
    assert_eq!(
        app(&db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'age'")
            .unwrap(),
        "0"
    );
    // The window closed with the rollback.
    refused(&db, "ALTER TABLE \"User\" DROP COLUMN \"name\"");
}
