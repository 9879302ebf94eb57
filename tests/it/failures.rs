//! Bad input gets a clear error and nothing is lost: each failure has a named test.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::sqlite::{seed_sqlite, sqlite_fingerprint};
use crate::support::*;

fn sqlite_project() -> TestContext {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    ctx
}

fn only_backup(ctx: &TestContext) -> (String, std::path::PathBuf) {
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    let id = m["id"].as_str().unwrap().to_string();
    let dump = ctx.path("backups").join(m["file"]["name"].as_str().unwrap());
    (id, dump)
}

/// Two backups a second apart, labelled `older` and `newer`: the newer one's dump file.
fn older_and_newer_backups(ctx: &TestContext) -> std::path::PathBuf {
    ctx.run(&["backup", "--label", "older"]).ok();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ctx.run(&["backup", "--label", "newer"]).ok();
    let newer = ctx
        .backup_files()
        .into_iter()
        .find(|f| f.contains("-newer.") && !f.ends_with(".json") && !f.ends_with(".sha256"))
        .unwrap();
    ctx.path(&format!("backups/{newer}"))
}

#[test]
fn flipped_byte_fails_verify_and_restore_refuses() {
    let ctx = sqlite_project();
    let (id, dump) = only_backup(&ctx);
    let mut bytes = std::fs::read(&dump).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&dump, bytes).unwrap();
    let run = ctx.run(&["verify", &id]);
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.stdout.contains("FAILED") && run.stdout.contains("checksum mismatch"), "{}", run.stdout);
    assert!(ctx.run(&["backups"]).stdout.contains("FAILED"), "the list shows the failed verification");
    rusqlite::Connection::open(ctx.path("dev.db")).unwrap().execute("DELETE FROM \"Post\"", []).unwrap();
    let before = sqlite_fingerprint(&ctx.path("dev.db"));
    let run = ctx.run_with_tty(&["restore", &id], "dev.db\n");
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.all().contains("is damaged"), "{}", run.all());
    assert_eq!(sqlite_fingerprint(&ctx.path("dev.db")), before, "nothing may change");
}

/// Review of issue 18, round 3, finding 2: `verify --all` failed on the newest backup, and
/// `status` reported the last verify as ok (an older backup's, checked in the same second).
#[test]
fn status_reports_a_failed_verify_all_even_when_older_backups_passed() {
    let ctx = sqlite_project();
    let path = older_and_newer_backups(&ctx);
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(ctx.run(&["verify", "--all"]).code, 4);
    let status = ctx.run(&["status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.all().contains("-newer"), "the failed verify is the one reported: {}", status.all());
}

#[test]
fn truncated_backup_fails_verify_and_restore_test() {
    let ctx = sqlite_project();
    let (id, dump) = only_backup(&ctx);
    let bytes = std::fs::read(&dump).unwrap();
    std::fs::write(&dump, &bytes[..bytes.len() / 2]).unwrap();
    let run = ctx.run(&["verify"]);
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.stdout.contains(&id));
    assert!(run.stdout.contains("checksum mismatch") && run.stdout.contains("does not decompress"), "{}", run.stdout);
    let run = ctx.run(&["restore-test"]);
    assert_eq!(run.code, 4, "{}", run.all());
}

#[test]
fn missing_dump_file_is_reported() {
    let ctx = sqlite_project();
    let (_id, dump) = only_backup(&ctx);
    std::fs::remove_file(&dump).unwrap();
    let run = ctx.run(&["verify", "--all"]);
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.stdout.contains("the dump file is missing"), "{}", run.stdout);
}

/// Review of issue 18, round 3, findings 3 and 4: the newest backup's dump deleted, `status`
/// said healthy and `prune --keep 1` kept it as "the newest", deleting the whole ones.
#[test]
fn a_backup_whose_dump_is_gone_is_critical_and_never_kept_in_place_of_a_whole_one() {
    let ctx = sqlite_project();
    std::fs::remove_file(older_and_newer_backups(&ctx)).unwrap();
    let status = ctx.run(&["status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.all().contains("has its manifest but not its dump"), "{}", status.all());
    // `latest` is the whole one.
    let test = ctx.run(&["restore-test", "latest"]);
    assert_eq!(test.code, 0, "{}", test.all());
    assert!(test.all().contains("-older"), "{}", test.all());
    // The project's own retention keeps one: the whole backup stays.
    ctx.write_own_config("[retention]\nkeep = 1\nmax_age_days = 0\n");
    let prune = ctx.run(&["prune", "--yes"]);
    assert_eq!(prune.code, 0, "{}", prune.all());
    let left = ctx.backup_files();
    assert!(left.iter().any(|f| f.contains("-older.") && !f.ends_with(".json")), "{left:?}");
}

/// Issue 16 review 14, finding 7: `restore latest` said "there is no backup of database X
/// (the newest is of X)" when the newest could not be used.
#[test]
fn restore_latest_says_why_the_newest_backup_is_skipped() {
    let ctx = sqlite_project();
    let (id, dump) = only_backup(&ctx);
    std::fs::remove_file(&dump).unwrap();
    let run = ctx.run_with_tty(&["restore", "latest"], "dev.db\n");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains(&format!("the newest, {id}, is skipped because its dump is missing")), "{}", run.all());
    assert!(!run.all().contains("there is no backup of database"), "{}", run.all());
}

#[test]
fn missing_manifest_is_explained_with_the_manual_way_out() {
    let ctx = sqlite_project();
    let (id, _dump) = only_backup(&ctx);
    std::fs::remove_file(ctx.path(&format!("backups/{id}.json"))).unwrap();
    let run = ctx.run(&["restore", &id]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("has no manifest"), "{}", run.stderr);
    assert!(run.stderr.contains("restore-by-hand"), "{}", run.stderr);
    let list = ctx.run(&["backups"]);
    list.ok();
    assert!(list.stderr.contains("without a manifest"), "{}", list.stderr);
}

#[test]
fn corrupt_manifest_is_skipped_with_a_warning() {
    let ctx = sqlite_project();
    let (id, _dump) = only_backup(&ctx);
    ctx.run(&["backup", "--label", "good"]).ok();
    std::fs::write(ctx.path(&format!("backups/{id}.json")), "{ not json").unwrap();
    let list = ctx.run(&["backups"]);
    list.ok();
    assert!(list.stderr.contains("not a prisma-guard manifest"), "{}", list.stderr);
    assert!(list.stdout.contains("-good"));
}

#[test]
fn disk_full_fails_the_backup_and_leaves_no_partial_file() {
    let ctx = sqlite_project();
    // Enough incompressible data that the compressed dump exceeds the limit.
    let conn = rusqlite::Connection::open(ctx.path("dev.db")).unwrap();
    conn.execute_batch("CREATE TABLE noise (b BLOB); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400) INSERT INTO noise SELECT randomblob(4096) FROM c;").unwrap();
    drop(conn);
    let run = ctx.run_with_file_limit(600_000, bin(), &["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("file-size limit") || run.stderr.contains("is full"), "{}", run.stderr);
    assert!(run.stderr.contains("partial backup was removed"), "{}", run.stderr);
    assert!(ctx.backup_files().is_empty(), "{:?}", ctx.backup_files());
}

#[test]
fn disk_full_while_streaming_a_pg_dump_fails_cleanly() {
    let pg = postgres();
    let db = pg.create_db("fail_disk_full");
    pg.app_sql(&db, "CREATE TABLE noise AS SELECT g AS id, md5(random()::text) || md5(random()::text) AS v FROM generate_series(1, 100000) g;");
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    let run = ctx.run_with_file_limit(300_000, bin(), &["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("file-size limit"), "{}", run.stderr);
    assert!(run.stderr.contains("partial backup was removed"), "{}", run.stderr);
    run.no_secret();
    assert!(ctx.backup_files().is_empty(), "{:?}", ctx.backup_files());
}

#[test]
fn killed_backup_never_leaves_a_backup_that_looks_valid() {
    let pg = postgres();
    let db = pg.create_db("fail_killed_guard");
    pg.app_sql(
        &db,
        "CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('y', 400) AS v FROM generate_series(1, 300000) g;",
    );
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    let mut child = ctx.cmd(&["backup"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    // Wait until the dump is being written, then kill prisma-guard itself.
    while !ctx.backup_files().iter().any(|f| f.ends_with(".tmp")) {
        assert!(start.elapsed() < Duration::from_secs(30), "the backup never started writing");
        std::thread::sleep(Duration::from_millis(5));
    }
    let pid = child.id();
    // `setsid -w` is the direct child; kill the whole session's prisma-guard.
    let _ = std::process::Command::new("pkill").args(["-9", "-s", &pid.to_string(), "prisma-guard"]).status();
    let _ = child.wait();
    let run = ctx.run(&["backups", "--json"]);
    run.ok();
    assert_eq!(run.stdout.trim(), "[]", "a killed backup must not be listed");
    let run = ctx.run(&["restore-test"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no backups"), "{}", run.stderr);
    // The next backup works, and prune clears the dead temporary file.
    ctx.run(&["backup"]).ok();
    ctx.run(&["prune", "--yes"]).ok();
    assert!(!ctx.backup_files().iter().any(|f| f.ends_with(".tmp")), "{:?}", ctx.backup_files());
    assert_eq!(ctx.manifests().len(), 1);
}

#[test]
fn unsupported_providers_are_refused_clearly() {
    for (provider, url, name) in [
        ("sqlserver", "sqlserver://localhost:1433;database=app;user=sa;password=x", "sqlserver"),
        ("mongodb", "mongodb://localhost:27017/app", "mongodb"),
        ("cockroachdb", "postgresql://root@localhost:26257/app", "cockroachdb"),
        ("postgresql", "prisma+postgres://accelerate.prisma-data.net/?api_key=abc", "prisma+postgres"),
    ] {
        let ctx = TestContext::new();
        ctx.prisma7_project(provider, url);
        let run = ctx.run(&["backup"]);
        assert_eq!(run.code, 1, "{provider}: {}", run.all());
        assert!(
            run.stderr.contains("cannot back up this provider yet") && run.stderr.contains(name),
            "{provider}: {}",
            run.stderr
        );
        assert!(ctx.backup_files().is_empty());
    }
}

#[test]
fn malformed_url_is_a_clear_error_without_the_password() {
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &format!("postgresql://app:{SECRET}@localhost:54x2/app"));
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    run.no_secret();
    assert!(run.stderr.contains("malformed") && run.stderr.contains("port"), "{}", run.stderr);
    assert!(run.stderr.contains("DATABASE_URL"), "says where the URL came from: {}", run.stderr);
}

#[test]
fn missing_database_url_names_the_variable_and_the_fix() {
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", "unused");
    std::fs::remove_file(ctx.path(".env")).unwrap();
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("DATABASE_URL is not set"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
}

#[test]
fn unevaluable_config_expression_fails_closed() {
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", "unused");
    ctx.write("prisma.config.ts", "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({\n  datasource: { url: buildUrl() },\n});\n");
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("cannot evaluate `buildUrl()`"), "{}", run.stderr);
    assert!(run.stderr.contains("url_env"), "{}", run.stderr);
}

#[test]
fn invalid_guard_config_is_a_usage_error() {
    let ctx = sqlite_project();
    ctx.write("prisma-guard.toml", "[backup]\ncompresion = \"zstd\"\n");
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("compresion"), "{}", run.stderr);
}

#[test]
fn missing_sqlite_file_is_a_clear_error() {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./nothing-here.db");
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("nothing-here.db does not exist"), "{}", run.stderr);
    assert!(!ctx.path("nothing-here.db").exists(), "a backup must not create the database");
}

/// Issue 18, locks: a folder held by another run gives a clear "busy" error after the wait
/// limit (nothing written), and a holder without a heartbeat for 10 minutes is taken over.
#[test]
fn a_busy_backup_folder_is_a_clear_error_and_a_stale_lock_is_taken_over() {
    let mut ctx = sqlite_project();
    ctx.run(&["backup"]).ok();
    let lock = ctx.path("backups/.lock");
    // util-linux flock holds the lock like a running prisma-guard would.
    let mut holder = std::process::Command::new("flock").arg(&lock).args(["sleep", "30"]).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::fs::write(&lock, format!("{{\"pid\":{},\"host\":\"ci\",\"started\":1,\"heartbeat\":{}}}", holder.id(), now()))
        .unwrap();
    ctx.set_env("PRISMA_GUARD_LOCK_WAIT", "1s");
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("busy: ") && run.stderr.contains(&format!("pid {} on ci", holder.id())),
        "{}",
        run.stderr
    );
    assert_eq!(ctx.manifests().len(), 1, "nothing written");
    // The same holder, silent for an hour: taken over, with a warning.
    std::fs::write(
        &lock,
        format!("{{\"pid\":{},\"host\":\"ci\",\"started\":1,\"heartbeat\":{}}}", holder.id(), now() - 3600),
    )
    .unwrap();
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.stderr.contains("taking it over"), "{}", run.stderr);
    assert_eq!(ctx.manifests().len(), 2);
    let _ = holder.kill();
    let _ = holder.wait();
    ctx.run(&["verify", "--all"]).ok();
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// A report read by `head -1` (or any reader that stops early) ends quietly, as Unix tools
/// do: no panic about a broken pipe on stderr, and `check` still exits with its verdict.
#[test]
fn a_reader_that_stops_early_gets_no_panic() {
    let ctx = TestContext::new();
    for (args, code) in [
        ("explain 'npx prisma migrate reset --force; rm -rf x'", "0"),
        ("check -- 'npx prisma migrate reset --force'", "3"),
        ("backups", "0"),
    ] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("'{}' {args} | (exec true); echo \"${{PIPESTATUS[0]}}\"", crate::support::bin()))
            .current_dir(ctx.root())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args}: {stderr}");
        let status = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if args != "backups" {
            assert_eq!(status, code, "{args}: {stderr}");
        }
    }
}

/// Issue 16 review 13, finding 5 (PostgreSQL): a scratch database left by a killed run on this
/// host (its pid gone) is dropped when the next restore check makes one; another host's, or a
/// live run's, stays.
#[test]
fn scratch_databases_of_killed_runs_are_dropped_by_the_next_check() {
    let pg = postgres();
    let db = pg.create_db("fail_scratch_sweep");
    pg.app_sql(&db, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
    let host = std::process::Command::new("sh")
        .args(["-c", "printf %s \"$(uname -n)\" | sha256sum | cut -c1-8"])
        .output()
        .unwrap();
    let tag = String::from_utf8(host.stdout).unwrap().trim().to_string();
    assert_eq!(tag.len(), 8);
    // A pid above the kernel's limit: no process has it.
    let dead = format!("prisma_guard_scratch_4194999_{tag}_1a2b");
    let other_host = "prisma_guard_scratch_4194999_00000000_1a2b".to_string();
    let live = format!("prisma_guard_scratch_{}_{tag}_1a2b", std::process::id());
    for name in [&dead, &other_host, &live] {
        pg.admin(&format!("DROP DATABASE IF EXISTS {name}"));
        // Made by the application's role, as prisma-guard makes them.
        pg.app_sql(&db, &format!("CREATE DATABASE {name}"));
    }
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    ctx.run(&["backup"]).ok();
    let exists = |name: &str| pg.admin(&format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'")) == "1";
    assert!(!exists(&dead), "the killed run's scratch database is dropped");
    assert!(exists(&other_host) && exists(&live));
    for name in [&other_host, &live] {
        pg.admin(&format!("DROP DATABASE IF EXISTS {name}"));
    }
}
