//! `restore --before TIME` (dump-only point in time) and `drill` (a timed restore test whose
//! result `status` shows).

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use rusqlite::Connection;

use crate::support::*;

/// A Prisma 6 SQLite project (no node needed) with 50 users in prisma/dev.db.
fn project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    ctx.write(".env", "DATABASE_URL=file:./dev.db\n");
    crate::sqlite::seed_sqlite(&ctx.path("prisma/dev.db"));
    ctx
}

fn users(path: &std::path::Path) -> i64 {
    Connection::open(path).unwrap().query_row("SELECT count(*) FROM \"User\"", [], |r| r.get(0)).unwrap()
}

fn add_user(ctx: &TestContext, n: usize) {
    Connection::open(ctx.path("prisma/dev.db"))
        .unwrap()
        .execute(
            "INSERT INTO \"User\" (id, email) VALUES (?1, ?2)",
            rusqlite::params![format!("new{n}"), format!("new{n}@x")],
        )
        .unwrap();
}

#[test]
fn restore_before_a_time_restores_the_newest_verified_backup_taken_before_it() {
    let mut ctx = project();
    ctx.run(&["backup", "--label", "a"]).ok();
    std::thread::sleep(Duration::from_millis(1100));
    let between = Utc::now();
    std::thread::sleep(Duration::from_millis(1100));
    add_user(&ctx, 1);
    ctx.run(&["backup", "--label", "b"]).ok();

    // RFC 3339, UTC: backup a (50 users), not b (51).
    let t = between.to_rfc3339_opts(SecondsFormat::Millis, true);
    let run = ctx.run(&["restore", "--before", &t, "--to", "file:./at-t.db"]);
    run.ok();
    assert!(run.stderr.contains("-a") && run.stderr.contains("newest verified backup before"), "{}", run.stderr);
    assert_eq!(users(&ctx.path("at-t.db")), 50);

    // A time without a zone is this machine's local time (TZ): the same instant in New York
    // (UTC-5 in December, UTC-4 in summer).
    ctx.set_env("TZ", "America/New_York");
    let local = between.with_timezone(&chrono_tz_new_york(between));
    let naive = local.format("%Y-%m-%d %H:%M:%S%.3f").to_string();
    ctx.run(&["restore", "--before", &naive, "--to", "file:./at-local.db"]).ok();
    assert_eq!(users(&ctx.path("at-local.db")), 50);
    // Read as UTC (`... UTC`), the same digits are 4 or 5 hours earlier: before every backup.
    let run = ctx.run(&["restore", "--before", &format!("{naive} UTC"), "--to", "file:./none.db"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("no verified backup in") && run.stderr.contains("the oldest is"), "{}", run.stderr);
    assert!(!ctx.path("none.db").exists());

    // A damaged newest backup is passed over, said, and the one before it restored.
    let dump = ctx.backup_files().into_iter().find(|f| f.ends_with("-b.sqlite.zst")).unwrap();
    let mut bytes = std::fs::read(ctx.path("backups").join(&dump)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(ctx.path("backups").join(&dump), bytes).unwrap();
    let now = Utc::now().to_rfc3339();
    let run = ctx.run(&["restore", "--before", &now, "--to", "file:./skipped.db"]);
    run.ok();
    assert!(run.stderr.contains("-b skipped: damaged"), "{}", run.stderr);
    assert_eq!(users(&ctx.path("skipped.db")), 50);

    // Not a time, or a backup named too: usage errors.
    let run = ctx.run(&["restore", "--before", "yesterday-ish"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("2026-12-01 14:03:00 UTC"), "{}", run.stderr);
    let run = ctx.run(&["restore", "latest-a", "--before", &now]);
    assert_eq!(run.code, 2, "{}", run.all());
}

/// New York's offset at `t` (no tz database in the tests: DST from the second Sunday of
/// March to the first Sunday of November, near enough for a test run today).
fn chrono_tz_new_york(t: chrono::DateTime<Utc>) -> chrono::FixedOffset {
    use chrono::Datelike;
    let summer = (4..=10).contains(&t.month()) || (t.month() == 3 && t.day() > 14) || (t.month() == 11 && t.day() < 2);
    chrono::FixedOffset::west_opt(if summer { 4 * 3600 } else { 5 * 3600 }).unwrap()
}

#[test]
fn drill_times_a_restore_test_and_status_shows_it_and_warns_when_overdue_or_failed() {
    let ctx = project();
    let run = ctx.run(&["status"]);
    assert!(run.stdout.contains("drill    never run"), "{}", run.stdout);
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["drill"]);
    run.ok();
    assert!(run.stderr.contains("Drilled") && run.stderr.contains("measured recovery time"), "{}", run.stderr);

    let run = ctx.run(&["status", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &report["last_drill"];
    assert_eq!(d["ok"], true, "{d}");
    assert_eq!(d["source"], "local");
    assert!(d["duration_ms"].as_u64().unwrap() > 0);
    assert!(d["bytes_per_second"].as_u64().unwrap() > 0);
    assert!(d["backup"].as_str().is_some());
    let run = ctx.run(&["status"]);
    assert!(run.stdout.contains("drill    last") && run.stdout.contains(": ok in"), "{}", run.stdout);
    assert!(!run.stdout.contains("restore drill"), "{}", run.stdout);

    // Older than `[drill] max_age_days`: a warning, status not healthy.
    ctx.write_own_config("[drill]\nmax_age_days = 7\n");
    let record = ctx.path("backups/.last-drill.json");
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    v["at_unix"] = serde_json::json!(v["at_unix"].as_u64().unwrap() - 10 * 86_400);
    std::fs::write(&record, v.to_string()).unwrap();
    let run = ctx.run(&["status"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("no restore drill in 10 days"), "{}", run.stdout);
    let run = ctx.run(&["status", "--format", "prometheus"]);
    assert!(run.stdout.contains("prisma_guard_drill_success 1"), "{}", run.stdout);

    // A drill that fails is recorded, and status says so, critical.
    let dump = ctx.backup_files().into_iter().find(|f| f.ends_with(".sqlite.zst")).unwrap();
    std::fs::write(ctx.path("backups").join(&dump), b"not a backup").unwrap();
    let run = ctx.run(&["drill"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("the drill FAILED"), "{}", run.stderr);
    let run = ctx.run(&["status"]);
    assert!(run.stdout.contains("CRITICAL the last restore drill") && run.stdout.contains("FAILED"), "{}", run.stdout);
}

/// With a `[[remote]]`, the drill restores the remote's copy (what a lost server restores
/// from), with no local backup left at all.
#[test]
fn drill_restores_from_the_first_remote_when_one_is_configured() {
    let b = crate::remote::bucket("pg-drill", false);
    let mut ctx = project();
    ctx.write_own_config(&format!(
        "[[remote]]\nname = \"offsite\"\nurl = \"s3://{b}/app\"\nendpoint = \"http://127.0.0.1:{}\"\npath_style = true\n",
        crate::remote::moto().port
    ));
    ctx.set_env("AWS_ACCESS_KEY_ID", "AKIADRILLTEST");
    ctx.set_env("AWS_SECRET_ACCESS_KEY", "drill-secret-key-never-shown-0123");
    ctx.run(&["backup"]).ok();
    std::fs::remove_dir_all(ctx.path("backups")).unwrap();
    let run = ctx.run(&["drill"]);
    run.ok();
    assert!(run.stderr.contains("from remote `offsite`"), "{}", run.stderr);
    assert!(!run.all().contains("drill-secret-key-never-shown"), "{}", run.all());
    let run = ctx.run(&["status", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["last_drill"]["source"], "offsite", "{}", report["last_drill"]);
    assert_eq!(report["last_drill"]["ok"], true);
    // --local asks for the local folder, which has nothing: a failed drill, said so.
    let run = ctx.run(&["drill", "--local"]);
    assert_ne!(run.code, 0, "{}", run.all());
}
