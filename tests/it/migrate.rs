//! `prisma-guard migrate rehearse`: pending migrations applied to a scratch copy of a backup
//! with prisma's own `migrate deploy` (the fake prisma, which loads the config with the real
//! @prisma/config), against a real SQLite file and a real PostgreSQL server.

use crate::guard::{guarded_project, install_fake_prisma, prisma_calls, rows};
use crate::support::*;

fn rehearse(ctx: &TestContext, extra: &[&str]) -> Run {
    let mut args = vec!["migrate", "rehearse"];
    args.extend_from_slice(extra);
    ctx.run(&args)
}

fn columns(ctx: &TestContext, table: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(ctx.path("dev.db")).unwrap();
    let mut st = conn.prepare(&format!("PRAGMA table_info(\"{table}\")")).unwrap();
    st.query_map([], |r| r.get::<_, String>(1)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn rehearse_applies_each_pending_migration_to_a_copy_and_never_touches_the_project_database() {
    let ctx = guarded_project();
    ctx.run(&["backup"]).ok();
    ctx.write(
        "prisma/migrations/20260103000000_age/migration.sql",
        "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\n",
    );
    ctx.write(
        "prisma/migrations/20260104000000_idx/migration.sql",
        "CREATE INDEX \"Post_title_idx\" ON \"Post\"(\"title\");\n",
    );
    let r = rehearse(&ctx, &["--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let steps = report["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["migration"].as_str().unwrap()).collect();
    assert_eq!(names, ["20260103000000_age", "20260104000000_idx"]);
    assert!(steps.iter().all(|s| s["ok"] == true && s["seconds"].as_f64().unwrap() > 0.0));
    let user = steps[0]["tables"].as_array().unwrap().iter().find(|t| t["table"] == "User").unwrap();
    assert_eq!((user["before"].as_u64(), user["after"].as_u64()), (Some(2), Some(2)));
    assert_eq!(report["applied_before"], 2);
    // Each migration applied on its own, through the project's prisma, with a written config.
    let deploys: Vec<_> = prisma_calls(&ctx).into_iter().filter(|c| c["argv"][1] == "deploy").collect();
    assert!(deploys.len() >= 2, "{deploys:?}");
    // The project's own database: unchanged, nothing applied.
    assert!(!columns(&ctx, "User").contains(&"age".to_string()));
    assert_eq!(rows(&ctx, "Post"), 3);
    // The written config is gone; no scratch copy left in the backups folder.
    let left: Vec<_> = std::fs::read_dir(ctx.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!left.iter().any(|n| n.starts_with(".prisma-guard-")), "{left:?}");
}

#[test]
fn rehearse_fails_on_rows_lost_that_no_finding_announced() {
    let ctx = guarded_project();
    ctx.run(&["backup"]).ok();
    // A DELETE with a WHERE is no finding of the scanner: the rows it loses are unannounced.
    ctx.write(
        "prisma/migrations/20260103000000_cleanup/migration.sql",
        "DELETE FROM \"Post\" WHERE \"authorId\" = 'u1';\n",
    );
    let r = rehearse(&ctx, &[]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("Post lost rows, and no finding of this migration announced it"), "{}", r.all());
    assert!(r.stdout.contains("3 -> 1"), "{}", r.all());
    assert_eq!(rows(&ctx, "Post"), 3, "the project's database is never touched");
}

#[test]
fn rehearse_passes_a_loss_its_findings_announce() {
    let ctx = guarded_project();
    ctx.run(&["backup"]).ok();
    ctx.write("prisma/migrations/20260103000000_drop_posts/migration.sql", "DROP TABLE \"Post\";\n");
    let r = rehearse(&ctx, &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("error [drop-table]"), "{}", r.all());
    assert!(r.stdout.contains("The rehearsal passed"), "{}", r.all());
    assert_eq!(rows(&ctx, "Post"), 3);
}

#[test]
fn rehearse_reports_prisma_s_message_when_a_migration_fails_and_stops_there() {
    let ctx = guarded_project();
    ctx.run(&["backup"]).ok();
    ctx.write("prisma/migrations/20260103000000_bad/migration.sql", "ALTER TABLE \"Nope\" ADD COLUMN \"x\" INTEGER;\n");
    ctx.write(
        "prisma/migrations/20260104000000_after/migration.sql",
        "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\n",
    );
    let r = rehearse(&ctx, &["--json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "stops at the failed migration: {steps:?}");
    assert_eq!(steps[0]["ok"], false);
    assert!(steps[0]["error"].as_str().unwrap().contains("no such table: Nope"), "{steps:?}");
}

#[test]
fn rehearse_without_a_backup_says_how_to_take_one() {
    let ctx = guarded_project();
    ctx.write(
        "prisma/migrations/20260103000000_age/migration.sql",
        "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\n",
    );
    let r = rehearse(&ctx, &[]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("prisma-guard backup"), "{}", r.all());
}

#[test]
fn rehearse_on_postgresql_uses_a_scratch_database_it_drops_and_never_shows_the_password() {
    let pg = postgres();
    let db = pg.create_db("rehearse_pg");
    pg.app_sql(&db, "CREATE TABLE \"User\" (id text PRIMARY KEY, email text NOT NULL); INSERT INTO \"User\" SELECT 'u' || i, i || '@x' FROM generate_series(1, 50) i;");
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    install_fake_prisma(&ctx, ctx.root());
    ctx.write("prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
    ctx.run(&["backup"]).ok();
    ctx.write(
        "prisma/migrations/20260103000000_trim/migration.sql",
        "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\nDELETE FROM \"User\" WHERE id > 'u3';\n",
    );
    let r = rehearse(&ctx, &[]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("public.User") && r.stdout.contains("50 -> "), "{}", r.all());
    r.no_secret();
    // The real database: no new column, every row; no scratch database left behind.
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "50");
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'age'"), "0");
    let all = r.all();
    let at = all.find("prisma_guard_scratch_").expect("the scratch database is named");
    let name: String = all[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    assert_eq!(pg.admin(&format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'")), "0");
}

/// Review round 5, finding 5: a finding about a dropped column announced the rows a DELETE
/// in the same migration lost from that table.
#[test]
fn a_dropped_column_does_not_announce_deleted_rows() {
    let ctx = guarded_project();
    ctx.run(&["backup"]).ok();
    ctx.write(
        "prisma/migrations/20260103000000_cleanup/migration.sql",
        "ALTER TABLE \"Post\" DROP COLUMN \"title\";\nDELETE FROM \"Post\" WHERE \"authorId\" = 'u1';\n",
    );
    let r = rehearse(&ctx, &[]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("error [drop-column]"), "{}", r.all());
    assert!(r.stdout.contains("Post lost rows, and no finding of this migration announced it"), "{}", r.all());
}

/// Review round 5, findings 10 and 11: SIGTERM (CI cancelling a job, `timeout`) killed the
/// rehearsal outright and left the written config (and, on PostgreSQL, the scratch copy of
/// the data); Ctrl-C reported the migration as FAILED.
#[test]
fn sigterm_during_a_rehearsal_cleans_up_and_reports_it_interrupted() {
    use std::os::unix::process::CommandExt;
    let mut ctx = guarded_project();
    ctx.run(&["backup"]).ok();
    ctx.write(
        "prisma/migrations/20260103000000_age/migration.sql",
        "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\n",
    );
    let before = prisma_calls(&ctx).len();
    ctx.set_env("FAKE_PRISMA_SLEEP_MS", "20000");
    let child = std::process::Command::new(bin())
        .args(["migrate", "rehearse"])
        .current_dir(ctx.root())
        .env_clear()
        .envs(ctx.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !prisma_calls(&ctx)[before..].iter().any(|c| c["argv"][1] == "deploy") {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "the deploy never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // As `timeout` and CI runners do: SIGTERM to prisma-guard alone.
    std::process::Command::new("kill").args(["-s", "TERM", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(130), "{all}");
    assert!(all.contains("interrupted") && !all.contains("FAILED"), "{all}");
    let left: Vec<String> = std::fs::read_dir(ctx.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".prisma-guard-"))
        .collect();
    assert!(left.is_empty(), "written configs left: {left:?}; {all}");
    assert!(!columns(&ctx, "User").contains(&"age".to_string()));
}
