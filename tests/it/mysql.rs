//! MySQL/MariaDB: a real MariaDB server.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

const SEED: &str = "
CREATE TABLE `User` (id VARCHAR(191) PRIMARY KEY, email VARCHAR(191) NOT NULL UNIQUE, name VARCHAR(191) NULL, avatar LONGBLOB NULL, prefs JSON NULL, bio LONGTEXT NULL) DEFAULT CHARSET utf8mb4;
CREATE TABLE `Post` (id INT AUTO_INCREMENT PRIMARY KEY, authorId VARCHAR(191) NULL, title VARCHAR(191) NOT NULL, CONSTRAINT fk FOREIGN KEY (authorId) REFERENCES `User`(id) ON DELETE CASCADE) DEFAULT CHARSET utf8mb4;
CREATE TABLE `_prisma_migrations` (id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, finished_at DATETIME(3) NULL, migration_name VARCHAR(255) NOT NULL, logs TEXT NULL, rolled_back_at DATETIME(3) NULL, started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), applied_steps_count INT UNSIGNED NOT NULL DEFAULT 0);
INSERT INTO `_prisma_migrations` (id, checksum, finished_at, migration_name, started_at) VALUES ('1', 'a', '2026-01-01', '20260101000000_init', '2026-01-01'), ('2', 'b', '2026-01-02', '20260102000000_posts', '2026-01-02');
INSERT INTO `_prisma_migrations` (id, checksum, finished_at, migration_name, rolled_back_at, started_at) VALUES ('3', 'c', NULL, '20260103000000_broken', '2026-01-03', '2026-01-03');
INSERT INTO `User` VALUES ('u1', 'a@example.com', 'Zoë 🦀 日本語', X'00FF0A0D27', '{\"theme\": \"dark\", \"n\": [1, null]}', REPEAT('large ', 50000));
INSERT INTO `User` VALUES ('u2', 'b@example.com', NULL, NULL, NULL, 'it''s \\\\ quoted\\nline');
INSERT INTO `User` VALUES ('u3', 'c@example.com', 'x', X'', '[]', '');
INSERT INTO `Post` (authorId, title) VALUES ('u1', 'one'), ('u1', 'two'), ('u2', 'three'), (NULL, 'orphan');
";

fn fingerprint(db: &str) -> String {
    let my = mariadb();
    ["User", "Post", "_prisma_migrations"]
        .iter()
        .map(|t| {
            let cols = columns(db, t);
            if cols == "'missing'" {
                return "missing".to_string();
            }
            my.sql(
                db,
                &format!("SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', {cols}) ORDER BY 1 SEPARATOR '\\n')) FROM `{t}`"),
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn columns(db: &str, table: &str) -> String {
    // A missing table fingerprints as a constant.
    let cols = mariadb().root(&format!("SELECT GROUP_CONCAT(CONCAT('IFNULL(HEX(`', column_name, '`), ''<null>'')') ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '{db}' AND table_name = '{table}'"));
    if cols == "NULL" {
        "'missing'".to_string()
    } else {
        cols
    }
}

fn seeded(name: &str) -> (TestContext, String) {
    let my = mariadb();
    let db = my.create_db(name);
    my.sql(&db, SEED);
    let ctx = TestContext::new();
    ctx.prisma7_project("mysql", &my.url(&db));
    (ctx, db)
}

#[test]
fn mysql_round_trip_restores_rows_and_content() {
    let (ctx, db) = seeded("my_roundtrip");
    let before = fingerprint(&db);
    ctx.run(&["backup"]).ok().no_secret();
    let m = &ctx.manifests()[0];
    assert_eq!(m["engine"], "mysql");
    assert_eq!(m["row_counts"]["User"], 3);
    assert_eq!(m["row_counts"]["Post"], 4);
    assert_eq!(m["migrations"], serde_json::json!(["20260101000000_init", "20260102000000_posts"]));
    assert!(m["server_version"].as_str().unwrap().starts_with("MariaDB"));
    assert!(m["database_url"].as_str().unwrap().contains("app:****@localhost"));
    mariadb().sql(&db, "DROP TABLE `Post`; DELETE FROM `User` WHERE id = 'u3'; CREATE TABLE `Later` (id INT);");
    assert_ne!(fingerprint(&db), before);
    let run = ctx.run_with_tty(&["restore"], &format!("{db}\n"));
    run.ok().no_secret();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    assert_eq!(fingerprint(&db), before);
    assert_eq!(
        mariadb().root(&format!(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{db}' AND table_name = 'Later'"
        )),
        "0"
    );
    assert_eq!(ctx.manifests()[0]["trigger"]["kind"], "safety");
}

#[test]
fn mysql_restore_test_creates_and_drops_a_scratch_database() {
    let (ctx, _db) = seeded("my_scratch");
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["restore-test"]);
    run.ok().no_secret();
    assert!(run.stderr.contains("row counts match"), "{}", run.stderr);
    // This run's scratch database (other tests' backups check theirs meanwhile).
    let at = run.stderr.find("prisma_guard_scratch_").unwrap();
    let name: String = run.stderr[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    assert_eq!(
        mariadb().root(&format!("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '{name}'")),
        "0",
        "{name} left behind"
    );
    // Restore into a database that does not exist yet: created, no confirmation needed.
    let fresh = "my_scratch_new";
    mariadb().root(&format!("DROP DATABASE IF EXISTS `{fresh}`"));
    let run = ctx.run(&["restore", "latest", "--to", &mariadb().url(fresh)]);
    run.ok().no_secret();
    assert!(run.stderr.contains("Created"), "{}", run.stderr);
    assert_eq!(fingerprint(fresh), fingerprint("my_scratch"));
}

#[test]
fn mysql_password_never_appears_in_child_argv() {
    let (ctx, db) = seeded("my_argv");
    mariadb().sql(&db, "CREATE TABLE big (id INT PRIMARY KEY, v TEXT); INSERT INTO big SELECT seq, REPEAT(MD5(seq), 12) FROM seq_1_to_200000;");
    let mut child = ctx.cmd(&["backup"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut seen = Vec::new();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60) {
        for (_, name, cmdline) in processes() {
            if (name.contains("dump") || name == "mariadb" || name == "mysql") && cmdline.contains("my_argv") {
                seen.push(cmdline);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(child.wait().unwrap().success());
    assert!(seen.iter().any(|c| c.contains("dump")), "never saw the dump tool running");
    for c in &seen {
        assert!(!c.contains(SECRET), "password in argv: {c}");
        assert!(c.contains("--defaults-file="), "{c}");
    }
}

#[test]
fn mysql_wrong_password_and_unreachable_server_are_clear_errors() {
    let my = mariadb();
    let db = my.create_db("my_wrong_pw");
    let ctx = TestContext::new();
    ctx.prisma7_project("mysql", &format!("mysql://app:nope{SECRET}@127.0.0.1:{}/{db}", my.port));
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(!run.all().contains(SECRET), "{}", run.all());
    assert!(run.stderr.contains("rejected the user or password"), "{}", run.stderr);

    let port = free_port();
    ctx.write(".env", &format!("DATABASE_URL=mysql://app:{SECRET}@127.0.0.1:{port}/{db}\n"));
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    run.no_secret();
    assert!(run.stderr.contains("is not reachable"), "{}", run.stderr);
    assert!(ctx.backup_files().is_empty());
}

/// Issue 16, point 3: stored routines and events are in the backup and come back; a user
/// who may not read them still gets a backup, and the manifest says what is missing.
#[test]
fn mysql_backups_include_routines_and_events_or_say_why_not() {
    let (ctx, db) = seeded("my_routines");
    let my = mariadb();
    my.sql(&db, "CREATE PROCEDURE add_user(IN e VARCHAR(191)) INSERT INTO `User` (id, email) VALUES (UUID(), e); CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2; CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM `Post` WHERE title = 'never'");
    ctx.run(&["backup"]).ok().no_secret();
    let m = &ctx.manifests()[0];
    assert!(m.get("warnings").is_none(), "{m}");
    my.sql(&db, "DROP PROCEDURE add_user; DROP FUNCTION twice; DROP EVENT nightly");
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    let names = my.root(&format!("SELECT GROUP_CONCAT(routine_name ORDER BY routine_name) FROM information_schema.routines WHERE routine_schema = '{db}'"));
    assert_eq!(names, "add_user,twice");
    assert_eq!(
        my.root(&format!("SELECT event_name FROM information_schema.events WHERE event_schema = '{db}'")),
        "nightly"
    );

    // A user with only what a dump of the tables needs.
    my.root(&format!("DROP USER IF EXISTS 'limited'@'%'; CREATE USER 'limited'@'%' IDENTIFIED BY '{SECRET}'; GRANT SELECT, LOCK TABLES, SHOW VIEW, TRIGGER ON `{db}`.* TO 'limited'@'%'"));
    let limited = my.url(&db).replace("app:", "limited:");
    let run = ctx.run(&["backup", "--url", &limited]);
    run.ok().no_secret();
    let manifests = ctx.manifests();
    let m = &manifests[0];
    assert_eq!(m["trigger"]["kind"], "manual", "the newest is the limited user's backup: {m}");
    let warnings = m["warnings"].to_string();
    assert!(warnings.contains("events not included"), "{m}");
    assert!(warnings.contains("stored routines this user cannot see may be missing"), "{m}");
    assert!(run.stderr.contains("events not included"), "{}", run.stderr);
}

/// Issue 16, point 4: a MySQL restore killed (SIGTERM, SIGHUP, SIGKILL) while the dump
/// streams in leaves the database as it was (the dump goes into a staging database, swapped
/// in only when complete); the next restore sweeps the staging database and completes, with
/// views and triggers back.
#[test]
fn mysql_killed_restore_changes_nothing_and_the_next_one_completes() {
    let (ctx, db) = seeded("my_killed");
    let my = mariadb();
    my.sql(&db, "CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(200)); INSERT INTO big SELECT seq, REPEAT(MD5(seq), 4) FROM seq_1_to_300000; CREATE VIEW user_emails AS SELECT email FROM `User`; CREATE TRIGGER post_title BEFORE INSERT ON `Post` FOR EACH ROW SET NEW.title = TRIM(NEW.title)");
    ctx.run(&["backup"]).ok();
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    // The database as it is now: its tables emptied, its view dropped (no rows, no views: no
    // prompt before the restore).
    my.sql(&db, "DELETE FROM big; DELETE FROM `Post`; DELETE FROM `User`; DELETE FROM `_prisma_migrations`; DROP VIEW user_emails; CREATE TABLE marker (id INT)");
    let state = || {
        my.sql(&db, "SELECT CONCAT((SELECT COUNT(*) FROM big), ' ', (SELECT COUNT(*) FROM `Post`), ' ', (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'marker'))")
    };
    let before = state();
    assert_eq!(before, "0 0 1");
    // A run's staging databases carry its pid (other tests restore meanwhile).
    let staging = |pid: u32| my.root(&format!("SHOW DATABASES LIKE 'prisma_guard_restore_{pid}\\_%'"));
    let mut killed = Vec::new();
    for signal in ["TERM", "HUP", "KILL"] {
        let mut child = ctx
            .cmd(&["restore", &id, "--to", &my.url(&db)])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        killed.push(child.id());
        loop {
            let s = staging(child.id());
            if !s.is_empty()
                && my.root(&format!(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{}' AND table_name = 'big'",
                    s.lines().next().unwrap()
                )) != "0"
            {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the restore ended before it could be killed: {status:?}");
            }
            assert!(start.elapsed() < Duration::from_secs(60), "the restore never started loading");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::process::Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success());
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(state(), before, "SIG{signal}: the database changed");
    }
    ctx.run(&["restore", &id, "--to", &my.url(&db)]).ok().no_secret();
    for pid in killed {
        assert!(staging(pid).is_empty(), "the killed run's staging database is swept: {}", staging(pid));
    }
    assert_eq!(state(), "300000 4 0");
    assert_eq!(my.sql(&db, "SELECT COUNT(*) FROM user_emails"), "3");
    my.sql(&db, "INSERT INTO `Post` (title) VALUES ('  padded  ')");
    assert_eq!(my.sql(&db, "SELECT COUNT(*) FROM `Post` WHERE title = 'padded'"), "1", "the trigger is back");
}

/// Third review round: a foreign key in another database referencing a table of this one would
/// follow the old table into the trash database; such a restore is refused, nothing changed.
#[test]
fn mysql_restore_refuses_when_another_database_references_its_tables() {
    let (ctx, db) = seeded("my_xref");
    let my = mariadb();
    ctx.run(&["backup"]).ok();
    my.root("DROP DATABASE IF EXISTS my_xref_other; CREATE DATABASE my_xref_other CHARACTER SET utf8mb4");
    my.root(&format!("CREATE TABLE my_xref_other.o (id INT PRIMARY KEY, uid VARCHAR(191), FOREIGN KEY (uid) REFERENCES `{db}`.`User`(id)) ENGINE=InnoDB"));
    let run = ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n"));
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.all().contains("foreign keys of other databases") && run.all().contains("my_xref_other.o"),
        "{}",
        run.all()
    );
    let fk = my.root("SELECT unique_constraint_schema FROM information_schema.referential_constraints WHERE constraint_schema = 'my_xref_other'");
    assert_eq!(fk, db, "the foreign key still points at the database");
}

/// Third review round: Ctrl-C (SIGINT to prisma-guard's whole process group) while the swap
/// waits for a table lock held by another session: the client, in its own group, finishes the
/// swap, so the triggers are there afterwards and the data is whole.
#[test]
fn mysql_ctrl_c_during_a_locked_swap_loses_no_trigger() {
    let (ctx, db) = seeded("my_ctrlc");
    let my = mariadb();
    my.sql(&db, "CREATE TRIGGER post_title BEFORE INSERT ON `Post` FOR EACH ROW SET NEW.title = TRIM(NEW.title)");
    ctx.run(&["backup"]).ok();
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    my.sql(&db, "DELETE FROM `Post`; DELETE FROM `User`; DELETE FROM `_prisma_migrations`");
    // Another session holds the table open for a while: the swap's DROP TRIGGER must wait.
    let mut holder = std::process::Command::new("mariadb")
        .arg("--no-defaults")
        .arg(format!("--socket={}", my.socket.display()))
        .args(["-u", "root", &db, "-e", "START TRANSACTION; SELECT COUNT(*) FROM `Post`; SELECT SLEEP(12); COMMIT;"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut child =
        ctx.cmd(&["restore", &id, "--to", &my.url(&db)]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    // This restore's swap (other tests restore meanwhile): its DROP TRIGGER, waiting.
    let waiting = format!(
        "SELECT COUNT(*) FROM information_schema.processlist WHERE state LIKE 'Waiting for table metadata lock' AND info LIKE 'DROP TRIGGER `{db}`%'"
    );
    while my.root(&waiting) == "0" {
        assert!(start.elapsed() < Duration::from_secs(11), "the swap never waited for the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    // setsid made prisma-guard the leader of its own group: a terminal's Ctrl-C.
    std::process::Command::new("kill").args(["-INT", "--", &format!("-{}", child.id())]).status().unwrap();
    let _ = child.wait();
    holder.wait().unwrap();
    let deadline = Instant::now();
    while my.root(&format!("SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = '{db}'")) != "1" {
        assert!(deadline.elapsed() < Duration::from_secs(20), "the trigger is gone");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(my.sql(&db, "SELECT COUNT(*) FROM `Post`"), "4", "the swap finished: the backup's rows");
}

/// Review finding (eighth round): the user's ~/.my.cnf (`[mysqldump] where=1=0`, `[client]
/// port=...`) is not read by the guard's clients: the backup holds every row.
#[test]
fn the_users_option_files_cannot_empty_or_redirect_a_backup() {
    let (ctx, _db) = seeded("my_mycnf");
    ctx.write("home/.my.cnf", "[mysqldump]\nwhere=1=0\n[client]\nport=1\n");
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["User"], 3, "{m}");
    ctx.run(&["restore-test"]).ok();
}

/// Issue 16 review 13, finding 5: a backup killed with SIGKILL during its restore check
/// (the dump written, a scratch database on the server) leaves no dump that looks valid (it
/// is still under its temporary name), a 0600 id reservation naming the run, and the scratch
/// database; the next backup removes all of them.
#[test]
fn mysql_backup_killed_during_its_restore_check_is_cleaned_up_by_the_next_run() {
    let (ctx, db) = seeded("my_killed_backup");
    let my = mariadb();
    my.sql(&db, "CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(200)); INSERT INTO big SELECT seq, REPEAT(MD5(seq), 4) FROM seq_1_to_600000");
    let mut child = ctx.cmd(&["backup"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let pid = child.id();
    let scratch = || my.root(&format!("SHOW DATABASES LIKE 'prisma\\_guard\\_scratch\\_{pid}\\_%'"));
    let start = Instant::now();
    while scratch().is_empty() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the backup ended before its restore check could be interrupted: {status:?}");
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the restore check never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    let _ = child.wait();
    let files = ctx.backup_files();
    assert!(
        !files.iter().any(|f| !f.starts_with('.')),
        "nothing that looks like a backup is visible without a manifest: {files:?}"
    );
    let reserved = files.iter().find(|f| f.ends_with(".reserved")).expect("the id reservation is left");
    let mode = |name: &str| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(ctx.path("backups").join(name)).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(mode(reserved), 0o600, "{reserved}");
    assert!(files.iter().any(|f| f.ends_with(".tmp")), "the dump was under its temporary name: {files:?}");
    for f in &files {
        assert_eq!(mode(f) & 0o077, 0, "{f} is private");
    }
    assert!(!scratch().is_empty());
    // `backups` shows nothing; the next backup sweeps the leftovers and the scratch database.
    assert!(ctx.manifests().is_empty());
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.stderr.contains("left in") && run.stderr.contains("interrupted backup"), "{}", run.stderr);
    assert!(scratch().is_empty(), "the killed run's scratch database is dropped: {}", scratch());
    let files = ctx.backup_files();
    assert!(!files.iter().any(|f| f.ends_with(".reserved") || f.ends_with(".tmp")), "{files:?}");
    assert_eq!(ctx.manifests().len(), 1);
    assert_eq!(files.iter().filter(|f| !f.starts_with('.')).count(), 3, "dump, checksum, manifest: {files:?}");
}
