//! SQLite: real files in WAL mode, a concurrent writer, Prisma 6 and 7 layouts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rusqlite::Connection;

use crate::support::*;

/// A Prisma-like SQLite database with unicode, NULLs, blobs, JSON text and migrations.
pub fn seed_sqlite(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL;
         CREATE TABLE \"User\" (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT, avatar BLOB, prefs TEXT);
         CREATE TABLE \"Post\" (id INTEGER PRIMARY KEY AUTOINCREMENT, authorId TEXT REFERENCES \"User\"(id), title TEXT NOT NULL, body TEXT);
         CREATE TABLE \"_prisma_migrations\" (id TEXT PRIMARY KEY, checksum TEXT NOT NULL, finished_at DATETIME, migration_name TEXT NOT NULL, logs TEXT, rolled_back_at DATETIME, started_at DATETIME NOT NULL DEFAULT current_timestamp, applied_steps_count INTEGER NOT NULL DEFAULT 0);
         INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at) VALUES
           ('1', 'a', '2026-01-01', '20260101000000_init', '2026-01-01'),
           ('2', 'b', '2026-01-02', '20260102000000_posts', '2026-01-02');
         INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at, started_at) VALUES
           ('3', 'c', NULL, '20260103000000_broken', '2026-01-03', '2026-01-03');",
    )
    .unwrap();
    for i in 0..50 {
        conn.execute(
            "INSERT INTO \"User\" VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                format!("cuid{i:04}"),
                format!("user{i}@example.com"),
                if i % 3 == 0 { None } else { Some(format!("Zoë {i} 🦀 日本")) },
                vec![0u8, 255, i as u8, 10, 13],
                format!("{{\"theme\":\"dark\",\"n\":{i}}}")
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO \"Post\" (authorId, title, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![format!("cuid{i:04}"), format!("post {i}"), "x".repeat(5000)],
        )
        .unwrap();
    }
}

/// Rows of every table, in order, as text: equal fingerprints mean equal content.
pub fn sqlite_fingerprint(path: &std::path::Path) -> String {
    let conn = Connection::open(path).unwrap();
    let mut out = String::new();
    for table in ["User", "Post", "_prisma_migrations"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                out.push_str(&format!("{:?}|", row.get_ref(i).unwrap()));
            }
            out.push('\n');
        }
    }
    out
}

fn sqlite_project() -> TestContext {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    ctx
}

#[test]
fn sqlite_backup_writes_dump_checksum_and_manifest() {
    let ctx = sqlite_project();
    let run = ctx.run(&["backup", "--label", "first"]);
    run.ok();
    let files = ctx.backup_files();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.iter().any(|f| f.ends_with("-first.sqlite.zst")));
    assert!(files.iter().any(|f| f.ends_with(".sqlite.zst.sha256")));
    let m = &ctx.manifests()[0];
    assert_eq!(m["engine"], "sqlite");
    assert_eq!(m["row_counts"]["User"], 50);
    assert_eq!(m["row_counts"]["Post"], 50);
    assert_eq!(m["migrations"], serde_json::json!(["20260101000000_init", "20260102000000_posts"]));
    assert_eq!(m["trigger"]["kind"], "manual");
    assert_eq!(m["label"], "first");
    // sha256sum -c accepts the checksum file.
    let check = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg(files.iter().find(|f| f.ends_with(".sha256")).unwrap())
        .current_dir(ctx.path("backups"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    // Private files in a private folder.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(ctx.path("backups")).unwrap().permissions().mode() & 0o777, 0o700);
    for f in &files {
        assert_eq!(std::fs::metadata(ctx.path("backups").join(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
    }
}

#[test]
fn sqlite_backup_restores_with_standard_tools() {
    let ctx = sqlite_project();
    let before = sqlite_fingerprint(&ctx.path("dev.db"));
    ctx.run(&["backup", "--compression", "gzip"]).ok();
    let gz = ctx.backup_files().into_iter().find(|f| f.ends_with(".sqlite.gz")).expect("a gzip backup");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("gunzip -c backups/{gz} > by-hand.db"))
        .current_dir(ctx.root())
        .status()
        .unwrap();
    assert!(out.success());
    assert_eq!(sqlite_fingerprint(&ctx.path("by-hand.db")), before);
    ctx.run(&["backup"]).ok();
    let zst = ctx.backup_files().into_iter().find(|f| f.ends_with(".sqlite.zst")).expect("a zstd backup");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("zstd -q -dc backups/{zst} > by-hand2.db"))
        .current_dir(ctx.root())
        .status()
        .unwrap();
    assert!(out.success());
    assert_eq!(sqlite_fingerprint(&ctx.path("by-hand2.db")), before);
}

#[test]
fn sqlite_round_trip_restores_a_dropped_table() {
    let ctx = sqlite_project();
    let db = ctx.path("dev.db");
    let before = sqlite_fingerprint(&db);
    ctx.run(&["backup"]).ok();
    Connection::open(&db)
        .unwrap()
        .execute_batch("DROP TABLE \"Post\"; DELETE FROM \"User\" WHERE id < 'cuid0010';")
        .unwrap();
    assert_ne!(sqlite_fingerprint_safe(&db), before);
    // The database still holds data: a human must type its name on the terminal.
    let run = ctx.run_with_tty(&["restore", "latest"], "dev.db\n");
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    assert_eq!(sqlite_fingerprint(&db), before);
    // A safety backup of the damaged state was taken first.
    let manifests = ctx.manifests();
    assert_eq!(manifests.len(), 2);
    assert_eq!(manifests[0]["trigger"]["kind"], "safety");
    assert!(manifests[0]["row_counts"].get("Post").is_none());
}

fn sqlite_fingerprint_safe(path: &std::path::Path) -> String {
    std::panic::catch_unwind(|| sqlite_fingerprint(path)).unwrap_or_else(|_| "broken".into())
}

#[test]
fn sqlite_restore_over_data_without_a_terminal_is_refused() {
    let ctx = sqlite_project();
    ctx.run(&["backup"]).ok();
    Connection::open(ctx.path("dev.db")).unwrap().execute("DELETE FROM \"Post\" WHERE id > 10", []).unwrap();
    let after_delete = sqlite_fingerprint(&ctx.path("dev.db"));
    // `yes dev.db |` on stdin must not count as a confirmation.
    let run = run_with_stdin(ctx.cmd(&["restore"]), b"dev.db\ndev.db\n");
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("no terminal"), "{}", run.stderr);
    assert_eq!(sqlite_fingerprint(&ctx.path("dev.db")), after_delete, "nothing may change");
    assert_eq!(ctx.manifests().len(), 1, "no safety backup either");
}

#[test]
fn sqlite_restore_with_the_wrong_name_typed_is_cancelled() {
    let ctx = sqlite_project();
    ctx.run(&["backup"]).ok();
    Connection::open(ctx.path("dev.db")).unwrap().execute("DELETE FROM \"Post\"", []).unwrap();
    let run = ctx.run_with_tty(&["restore"], "yes\n");
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.all().contains("cancelled"), "{}", run.all());
    let n: i64 = Connection::open(ctx.path("dev.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM \"Post\"", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn sqlite_restore_is_refused_for_an_ai_agent_even_with_a_terminal() {
    let mut ctx = sqlite_project();
    ctx.run(&["backup"]).ok();
    ctx.set_env("CLAUDECODE", "1");
    ctx.set_env("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION", "yes");
    let run = ctx.run_with_tty(&["restore"], "dev.db\n");
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.all().contains("AI agent"), "{}", run.all());
}

#[test]
fn sqlite_restore_into_a_new_file_needs_no_confirmation() {
    let ctx = sqlite_project();
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["restore", "latest", "--to", "file:./copy.db"]);
    run.ok();
    assert_eq!(sqlite_fingerprint(&ctx.path("copy.db")), sqlite_fingerprint(&ctx.path("dev.db")));
}

#[test]
fn sqlite_restore_test_passes_and_detects_a_lying_manifest() {
    let ctx = sqlite_project();
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["restore-test"]);
    run.ok();
    assert!(run.stderr.contains("row counts match"), "{}", run.stderr);
    // A manifest whose counts do not match its dump must fail the test.
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    let mpath = ctx.path(&format!("backups/{id}.json"));
    let text = std::fs::read_to_string(&mpath).unwrap().replace("\"User\": 50", "\"User\": 51");
    std::fs::write(&mpath, text).unwrap();
    let run = ctx.run(&["restore-test", &id]);
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.stdout.contains("User: expected 51 rows, found 50"), "{}", run.stdout);
}

#[test]
fn sqlite_backup_in_wal_mode_under_a_concurrent_writer_is_consistent() {
    let ctx = sqlite_project();
    let db = ctx.path("dev.db");
    Connection::open(&db).unwrap().execute_batch("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL); CREATE TABLE total (n INTEGER NOT NULL); INSERT INTO total VALUES (0);").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let db = db.clone();
        std::thread::spawn(move || {
            let mut conn = Connection::open(&db).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            let mut written = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let tx = conn.transaction().unwrap();
                for _ in 0..50 {
                    tx.execute("INSERT INTO ledger (amount) VALUES (1)", []).unwrap();
                }
                tx.execute("UPDATE total SET n = n + 50", []).unwrap();
                tx.commit().unwrap();
                written += 1;
            }
            written
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    for _ in 0..3 {
        ctx.run(&["backup"]).ok();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(writer.join().unwrap() > 0);
    for m in ctx.manifests() {
        let ledger = m["row_counts"]["ledger"].as_u64().unwrap();
        assert_eq!(ledger % 50, 0, "a half-applied transaction was captured");
        let file = m["file"]["name"].as_str().unwrap();
        let out = ctx.path("snap.db");
        let st = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("zstd -q -f -dc backups/{file} > snap.db"))
            .current_dir(ctx.root())
            .status()
            .unwrap();
        assert!(st.success());
        let conn = Connection::open(&out).unwrap();
        let (count, total): (i64, i64) = conn
            .query_row("SELECT (SELECT count(*) FROM ledger), (SELECT n FROM total)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(count, total, "snapshot is not consistent");
        assert_eq!(count as u64, ledger);
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
        drop(conn);
        std::fs::remove_file(&out).unwrap();
    }
}

#[test]
fn prisma6_relative_sqlite_path_resolves_against_the_schema_folder() {
    let ctx = TestContext::new();
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    ctx.write(".env", "DATABASE_URL=file:./dev.db\n");
    seed_sqlite(&ctx.path("prisma/dev.db"));
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.stderr.contains("prisma/dev.db"), "{}", run.stderr);
    assert_eq!(ctx.manifests()[0]["row_counts"]["User"], 50);
}

#[test]
fn the_real_environment_wins_over_dotenv() {
    let mut ctx = sqlite_project();
    seed_sqlite(&ctx.path("other.db"));
    Connection::open(ctx.path("other.db")).unwrap().execute("DELETE FROM \"Post\"", []).unwrap();
    ctx.set_env("DATABASE_URL", "file:./other.db");
    ctx.run(&["backup"]).ok();
    assert_eq!(ctx.manifests()[0]["row_counts"]["Post"], 0);
}

#[test]
fn backups_lists_newest_first_and_prune_keeps_the_newest_verified() {
    let ctx = sqlite_project();
    for label in ["a", "b", "c", "d"] {
        ctx.run(&["backup", "--label", label]).ok();
    }
    // Make them old: 40, 39, 38 and 37 days.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let ms = ctx.manifests();
    for (i, m) in ms.iter().enumerate() {
        let id = m["id"].as_str().unwrap();
        let path = ctx.path(&format!("backups/{id}.json"));
        let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        v["created_unix"] = serde_json::json!(now - (37 + i as u64) * 86_400);
        std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    }
    // Verify the second newest ("c"): it becomes the newest verified backup.
    let c = ms[1]["id"].as_str().unwrap().to_string();
    assert!(c.ends_with("-c"));
    ctx.run(&["verify", &c]).ok();
    let list = ctx.run(&["backups"]);
    list.ok();
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert!(lines[0].starts_with("ID"));
    assert!(
        lines[1].contains("-d ") && lines[2].contains("-c ") && lines[3].contains("-b ") && lines[4].contains("-a "),
        "{}",
        list.stdout
    );
    assert!(lines[2].contains("yes"), "verified column: {}", lines[2]);
    // Without --yes, the table only: each backup, kept or to delete, and why.
    let table = ctx.run(&["prune"]);
    table.ok();
    let line = |suffix: &str| {
        table
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next().is_some_and(|id| id.ends_with(suffix)))
            .unwrap_or("")
            .to_string()
    };
    assert!(line("-a").contains("DELETE") && line("-a").contains("older than 30 days"), "{}", table.stdout);
    assert!(line("-b").contains("DELETE"), "{}", table.stdout);
    assert!(line("-c").contains("keep") && line("-c").contains("the newest verified backup"), "{}", table.stdout);
    assert!(line("-d").contains("keep"), "{}", table.stdout);
    assert!(table.stderr.contains("prune --yes"), "{}", table.stderr);
    assert_eq!(ctx.manifests().len(), 4, "the table deletes nothing");
    assert_eq!(ctx.run(&["prune", "--dry-run"]).code, 0);
    assert_eq!(ctx.manifests().len(), 4, "nor does --dry-run");
    ctx.run(&["prune", "--yes"]).ok();
    let left: Vec<String> = ctx.manifests().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left[0].ends_with("-d") && left[1].ends_with("-c"));
    assert_eq!(ctx.backup_files().len(), 6, "dump, checksum and manifest of each survivor only");
    // Count-based retention.
    // Fewer than the project keeps: typed on the terminal (the number that goes).
    let run = ctx.run_with_tty(&["prune", "--yes", "--keep", "1", "--max-age-days", "0"], "delete 0\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(ctx.manifests().len(), 2, "the newest and the newest verified always stay");
}

/// Issue 16 review 13, finding 6: `prune --yes --keep 1` with no terminal deleted 14 of 16
/// backups. Flags that delete more than the project's retention need the typed confirmation on
/// a terminal; `--yes` never stands in for it. Flags that delete less, and the project's own
/// (committed) retention, need no question.
#[test]
fn prune_flags_looser_than_the_projects_retention_need_a_person_on_the_terminal() {
    let ctx = sqlite_project();
    for label in ["a", "b", "c", "d"] {
        ctx.run(&["backup", "--label", label]).ok();
    }
    for args in [&["prune", "--yes", "--keep", "1"][..], &["prune", "--yes", "--max-age-days", "1", "--keep", "0"][..]]
    {
        let run = ctx.run(args);
        assert_eq!(run.code, 3, "{args:?}: {}", run.all());
        assert!(
            run.stderr.contains("no terminal")
                && run.stderr.contains("deletes more backups than the project's retention"),
            "{}",
            run.stderr
        );
        assert_eq!(ctx.manifests().len(), 4, "nothing deleted");
    }
    // A wrong answer cancels.
    let run = ctx.run_with_tty(&["prune", "--yes", "--keep", "2"], "yes\n");
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(
        run.all().contains("keeps fewer backups than the project (keep = 100)")
            && run.all().contains("Type `delete 2`"),
        "{}",
        run.all()
    );
    assert_eq!(ctx.manifests().len(), 4);
    // Not looser: no question.
    ctx.run(&["prune", "--yes", "--keep", "200", "--max-age-days", "0"]).ok();
    assert_eq!(ctx.manifests().len(), 4);
    let run = ctx.run_with_tty(&["prune", "--yes", "--keep", "2"], "delete 2\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(ctx.manifests().len(), 2);
    // The project's own retention, committed: its rule, no question.
    ctx.write_own_config("[retention]\nkeep = 1\n");
    ctx.run(&["prune", "--yes"]).ok();
    assert_eq!(ctx.manifests().len(), 1);
}

/// Review (issue 18, round 2, defect 4): a backup dated in the future (a wrong clock, or a
/// planted one) is flagged, never fresh, never `latest`, never the newest for retention.
#[test]
fn a_backup_dated_in_the_future_is_flagged_and_never_latest() {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    ctx.run(&["backup"]).ok();
    let mut m = ctx.manifests()[0].clone();
    let real = m["id"].as_str().unwrap().to_string();
    let real_name = m["file"]["name"].as_str().unwrap().to_string();
    let future = "20281207T114039Z";
    let name = real_name.replace(&real, future);
    m["id"] = future.into();
    m["created_at"] = "2028-12-07T11:40:39Z".into();
    m["created_unix"] = 1_859_802_039u64.into();
    m["file"]["name"] = name.clone().into();
    let dir = ctx.path("backups");
    std::fs::copy(dir.join(&real_name), dir.join(&name)).unwrap();
    std::fs::write(dir.join(format!("{name}.sha256")), format!("{}  {name}\n", m["file"]["sha256"].as_str().unwrap()))
        .unwrap();
    std::fs::write(dir.join(format!("{future}.json")), m.to_string()).unwrap();
    let run = ctx.run(&["status", "--max-age", "1h"]);
    assert_eq!(run.code, 1, "flagged: {}", run.all());
    assert!(run.stdout.contains("in the future"), "{}", run.stdout);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let run = ctx.run(&["status", "--max-age", "1s"]);
    assert!(run.stdout.contains(&format!("({real}), more than 1s")), "stale: {}", run.stdout);
    let run = ctx.run(&["restore-test", "latest"]);
    run.ok();
    assert!(run.all().contains(&real) && !run.all().contains(&format!("restore of {future}")), "{}", run.all());
    ctx.write("prisma-guard.toml", "[retention]\nkeep_last = 1\n");
    ctx.git_init();
    ctx.commit_files(&["prisma-guard.toml"]);
    let run = ctx.run(&["prune"]);
    assert!(run.stdout.contains(&real), "{}", run.stdout);
    let keep_line = run.stdout.lines().find(|l| l.contains(&real)).unwrap_or_default().to_string();
    assert!(keep_line.contains("the newest backup"), "the real one is the newest: {}", run.stdout);
    // Its age is unknown: never deleted as old or beyond the count, and it takes no slot.
    let future_line = run.stdout.lines().find(|l| l.contains(future)).unwrap_or_default().to_string();
    assert!(future_line.contains("keep") && future_line.contains("dated in the future"), "{}", run.stdout);
    ctx.run(&["prune", "--yes"]).ok();
    let ids: Vec<String> = ctx.manifests().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    assert!(ids.iter().any(|i| i == future) && ids.contains(&real), "{ids:?}");
}

/// Issue 16 review 13, finding 5: a SQLite backup killed with SIGKILL while it snapshots leaves
/// its snapshot folder (a full uncompressed copy of the data) private, and the next backup
/// removes it; `prune` lists and removes such leftovers too.
#[test]
fn sqlite_backup_killed_during_its_snapshot_is_cleaned_up_by_the_next_run() {
    let ctx = sqlite_project();
    {
        let conn = Connection::open(ctx.path("dev.db")).unwrap();
        conn.execute_batch("CREATE TABLE big (id INTEGER PRIMARY KEY, v BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) INSERT INTO big SELECT i, randomblob(1000) FROM n;").unwrap();
    }
    let mut child =
        ctx.cmd(&["backup"]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let start = std::time::Instant::now();
    let snapshot = loop {
        if let Some(s) = ctx.backup_files().into_iter().find(|f| f.starts_with(".sqlite-snapshot-")) {
            break s;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the backup ended before its snapshot could be interrupted: {status:?}");
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "the snapshot never started");
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    std::process::Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap();
    let _ = child.wait();
    assert!(snapshot.contains(&format!("-{}-", child.id())), "the snapshot folder names its run: {snapshot}");
    let dir = ctx.path("backups").join(&snapshot);
    assert!(dir.is_dir(), "{:?}", ctx.backup_files());
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let mode = e.metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o077, 0, "{:?} is {mode:o}", e.path());
        }
    }
    let run = ctx.run(&["prune"]);
    run.ok();
    assert!(run.stdout.contains(&snapshot) && run.stdout.contains("would delete"), "{}", run.stdout);
    ctx.run(&["backup"]).ok();
    let files = ctx.backup_files();
    assert!(
        !files.iter().any(|f| f.starts_with(".sqlite-snapshot-") || f.ends_with(".reserved") || f.ends_with(".tmp")),
        "{files:?}"
    );
    assert_eq!(ctx.manifests().len(), 1);
}
