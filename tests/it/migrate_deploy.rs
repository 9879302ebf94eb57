//! `migrate deploy` (and the shim's `prisma migrate deploy`), `migrate down-script` and
//! `migrate rollback`, with the fake prisma (its `migrate diff`, `migrate status`, `migrate
//! resolve` and `db execute` imitate Prisma 7.10.1, see its header) against a real SQLite file
//! and a real PostgreSQL server.

use rusqlite::Connection;

use crate::guard::{guarded_project, install_fake_prisma, prisma, rows};
use crate::notify::Listener;
use crate::support::*;

const AGE: &str = "prisma/migrations/20260103000000_age/migration.sql";
const AGE_SQL: &str = "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\n";
const IDX: &str = "prisma/migrations/20260104000000_idx/migration.sql";
const IDX_SQL: &str = "CREATE INDEX \"Post_title_idx\" ON \"Post\"(\"title\");\n";

fn columns(ctx: &TestContext, table: &str) -> Vec<String> {
    let conn = Connection::open(ctx.path("dev.db")).unwrap();
    let mut st = conn.prepare(&format!("PRAGMA table_info(\"{table}\")")).unwrap();
    st.query_map([], |r| r.get::<_, String>(1)).unwrap().map(Result::unwrap).collect()
}

fn sql(ctx: &TestContext, text: &str) {
    Connection::open(ctx.path("dev.db")).unwrap().execute_batch(text).unwrap();
}

fn query(ctx: &TestContext, text: &str) -> String {
    Connection::open(ctx.path("dev.db"))
        .unwrap()
        .query_row(text, [], |r| r.get::<_, Option<String>>(0))
        .unwrap()
        .unwrap_or_default()
}

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.all()))
}

#[test]
fn migrate_deploy_plans_backs_up_applies_and_validates() {
    let ctx = guarded_project();
    ctx.write(AGE, AGE_SQL);
    let r = ctx.run(&["migrate", "deploy", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let report = json(&r);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["plan"]["pending"][0]["migration"], "20260103000000_age");
    assert_eq!(report["plan"]["drift"]["state"], "none", "{report}");
    assert_eq!(report["applied"], serde_json::json!(["20260103000000_age"]));
    assert_eq!(report["validation"]["status_clean"], true);
    assert_eq!(report["validation"]["integrity"], "ok");
    let id = report["backup"].as_str().unwrap();
    assert!(ctx.manifests().iter().any(|m| m["id"] == id && !m["migrations"].to_string().contains("_age")));
    // prisma's own output went to stderr; the column is there.
    assert!(r.stderr.contains("have been applied"), "{}", r.all());
    assert!(columns(&ctx, "User").contains(&"age".to_string()));
    // The shadow database of the drift check is gone; so is the written config.
    let left: Vec<String> = std::fs::read_dir(ctx.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!left.iter().any(|n| n.starts_with(".prisma-guard-")), "{left:?}");
}

#[test]
fn the_shim_s_prisma_migrate_deploy_reports_rows_lost_outside_the_migrations_with_the_restore_command() {
    let web = Listener::start();
    let ctx = guarded_project();
    ctx.write(
        "prisma-guard.toml",
        &format!("[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{}/hook\"\n", web.port),
    );
    // A trigger the migrations do not know: inserting a user empties Post, a table the
    // migration never names.
    sql(&ctx, "CREATE TRIGGER wipe AFTER INSERT ON \"User\" BEGIN DELETE FROM \"Post\"; END;");
    ctx.write(
        "prisma/migrations/20260103000000_seed/migration.sql",
        "INSERT INTO \"User\" VALUES ('u9', 'z@example.com', NULL);\n",
    );
    let r = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("Deploy plan: 1 pending migration(s)"), "{}", r.all());
    assert!(r.stderr.contains("Post lost rows (3 -> 0), and no pending migration names it"), "{}", r.all());
    let id = ctx.manifests().iter().map(|m| m["id"].as_str().unwrap().to_string()).next().unwrap();
    assert!(r.stderr.contains(&format!("to put it back: prisma-guard restore {id}")), "{}", r.all());
    assert!(r.stderr.contains("Nothing was restored"), "{}", r.all());
    assert_eq!(rows(&ctx, "Post"), 0, "never restored without a person");
    let sent: Vec<serde_json::Value> = web.at("/hook").iter().map(|h| serde_json::from_str(&h.body).unwrap()).collect();
    assert!(sent.iter().any(|m| m["event"] == "migration-failed"), "{sent:?}");
}

#[test]
fn migrate_deploy_refuses_a_database_that_drifted_from_its_migrations() {
    let ctx = guarded_project();
    sql(&ctx, "ALTER TABLE \"User\" ADD COLUMN \"hotfix\" TEXT;");
    ctx.write(AGE, AGE_SQL);
    let r = ctx.run(&["migrate", "deploy"]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("drift") && r.stderr.contains("Added column `hotfix`"), "{}", r.all());
    assert!(r.stderr.contains("--allow-drift"), "{}", r.all());
    assert!(!columns(&ctx, "User").contains(&"age".to_string()), "not deployed");
    let r = ctx.run(&["migrate", "deploy", "--allow-drift"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(columns(&ctx, "User").contains(&"age".to_string()));
    // The shim's `prisma migrate deploy` reports drift and deploys (it adds no policy to prisma).
    ctx.write(IDX, IDX_SQL);
    let r = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("drift: the database differs from its applied migrations"), "{}", r.all());
    assert!(r.stderr.contains("Added column `hotfix`"), "{}", r.all());
}

#[test]
fn a_failed_deploy_prints_prisma_s_error_the_restore_command_and_the_down_script() {
    let ctx = guarded_project();
    ctx.write(AGE, AGE_SQL);
    ctx.run(&["migrate", "down-script", "20260103000000_age"]).ok();
    ctx.write("prisma/migrations/20260105000000_bad/migration.sql", "ALTER TABLE \"Nope\" ADD COLUMN \"x\" INTEGER;\n");
    let r = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("P3018") && r.stderr.contains("no such table: Nope"), "{}", r.all());
    assert!(r.stderr.contains("prisma migrate deploy exited with code 1"), "{}", r.all());
    assert!(r.stderr.contains("prisma-guard restore "), "{}", r.all());
    assert!(
        r.stderr.contains("Down script of 20260103000000_age: prisma/migrations/20260103000000_age/down.sql"),
        "{}",
        r.all()
    );
}

#[test]
fn down_script_writes_down_sql_beside_the_migration_and_flags_a_dropped_column() {
    let ctx = guarded_project();
    ctx.write(AGE, AGE_SQL);
    ctx.run(&["migrate", "deploy"]).ok();
    let r = ctx.run(&["migrate", "down-script", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let d = json(&r);
    assert_eq!(d["migration"], "20260103000000_age");
    assert_eq!(d["destructive"], true, "{d}");
    assert!(d["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "drop-column"), "{d}");
    let down = std::fs::read_to_string(ctx.path("prisma/migrations/20260103000000_age/down.sql")).unwrap();
    assert!(down.contains("ALTER TABLE \"User\" DROP COLUMN \"age\";"), "{down}");
    // Generated with the real-prisma path: `migrate diff` between two histories, a shadow db.
    let calls = crate::guard::prisma_calls(&ctx);
    let diff = calls
        .iter()
        .find(|c| c["argv"][1] == "diff" && c["argv"].to_string().contains("--script"))
        .expect("prisma migrate diff ran");
    let argv = diff["argv"].to_string();
    assert!(
        argv.contains("--from-migrations") && argv.contains("--to-migrations") && argv.contains("--script"),
        "{argv}"
    );
    // An index: nothing lost, no error finding.
    ctx.write(IDX, IDX_SQL);
    let r = ctx.run(&["migrate", "down-script", "idx"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("DROP INDEX \"Post_title_idx\";"), "{}", r.all());
    assert!(!r.stdout.contains("DROPS DATA"), "{}", r.all());
}

#[test]
fn rollback_of_a_destructive_down_script_needs_the_typed_name_then_undoes_and_marks_it() {
    let ctx = guarded_project();
    ctx.write(AGE, AGE_SQL);
    ctx.run(&["migrate", "deploy"]).ok();
    sql(&ctx, "UPDATE \"User\" SET \"age\" = 40;");
    ctx.run(&["migrate", "down-script"]).ok();
    // No terminal: refused, nothing changed.
    let r = ctx.run(&["migrate", "rollback"]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.stderr.contains("DROP COLUMN \"age\""), "the script is shown: {}", r.all());
    assert!(columns(&ctx, "User").contains(&"age".to_string()));
    let backups = ctx.manifests().len();
    // A person types the database's name.
    let r = ctx.run_with_tty(&["migrate", "rollback"], "dev.db\n");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("Rolled back 20260103000000_age"), "{}", r.all());
    assert!(!columns(&ctx, "User").contains(&"age".to_string()));
    assert_eq!(rows(&ctx, "User"), 2);
    assert_eq!(ctx.manifests().len(), backups + 1, "a backup first");
    assert!(ctx.manifests().iter().any(|m| m["label"].as_str().unwrap_or_default().starts_with("before-rollback")));
    // Marked rolled back by prisma migrate resolve: Prisma sees it pending again.
    assert_ne!(
        query(&ctx, "SELECT rolled_back_at FROM _prisma_migrations WHERE migration_name = '20260103000000_age'"),
        ""
    );
    let calls = crate::guard::prisma_calls(&ctx);
    assert!(calls.iter().any(|c| c["argv"][1] == "resolve" && c["argv"][3] == "20260103000000_age"), "{calls:?}");
    let status = prisma(&ctx, &["migrate", "status"]);
    assert!(status.stdout.contains("20260103000000_age"), "{}", status.all());
}

/// Review of issue 20, finding 1: ignore comments in a down script quiet the report, never the
/// question: an agent's rollback of a script that drops a column and deletes rows is refused.
#[test]
fn ignore_comments_in_a_down_script_do_not_waive_the_typed_confirmation() {
    let ctx = guarded_project();
    ctx.write(AGE, AGE_SQL);
    ctx.run(&["migrate", "deploy"]).ok();
    sql(&ctx, "UPDATE \"User\" SET \"age\" = 40;");
    ctx.write(
        "prisma/migrations/20260103000000_age/down.sql",
        "-- prisma-guard-ignore drop-column: intended\nALTER TABLE \"User\" DROP COLUMN \"age\";\n-- prisma-guard-ignore delete-without-where: intended\nDELETE FROM \"Post\";\n",
    );
    let mut agent = ctx;
    agent.set_env("CLAUDECODE", "1");
    let r = agent.run(&["migrate", "rollback"]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(columns(&agent, "User").contains(&"age".to_string()), "the column is still there");
    assert_eq!(rows(&agent, "Post"), 3, "no row deleted");
}

/// Review of issue 20, finding 2: Ctrl-C while the drift check's `prisma migrate diff` runs
/// stops the deploy (it went on to back up and deploy) and leaves no written config behind.
#[test]
fn ctrl_c_during_the_drift_check_stops_the_deploy_and_cleans_up() {
    use std::os::unix::process::CommandExt;
    let mut ctx = guarded_project();
    ctx.write(AGE, AGE_SQL);
    ctx.set_env("FAKE_PRISMA_SLEEP_MS", "20000");
    let before = crate::guard::prisma_calls(&ctx).len();
    let child = std::process::Command::new(bin())
        .args(["migrate", "deploy"])
        .current_dir(ctx.root())
        .env_clear()
        .envs(ctx.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !crate::guard::prisma_calls(&ctx)[before..].iter().any(|c| c["argv"][1] == "diff") {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "the drift check never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // As a terminal's Ctrl-C: SIGINT to the whole process group.
    std::process::Command::new("kill").args(["-s", "INT", "--", &format!("-{}", child.id())]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    let calls = crate::guard::prisma_calls(&ctx);
    assert!(!calls[before..].iter().any(|c| c["argv"][1] == "deploy"), "nothing deployed: {calls:?}");
    assert!(!columns(&ctx, "User").contains(&"age".to_string()));
    let left: Vec<String> = std::fs::read_dir(ctx.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".prisma-guard-") && n.ends_with(".config.ts"))
        .collect();
    assert!(left.is_empty(), "written configs left: {left:?}; {stderr}");
}

#[test]
fn rollback_of_an_index_runs_without_a_question_in_one_transaction() {
    let ctx = guarded_project();
    ctx.write(IDX, IDX_SQL);
    ctx.run(&["migrate", "deploy"]).ok();
    ctx.run(&["migrate", "down-script"]).ok();
    let r = ctx.run(&["migrate", "rollback", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let rep = json(&r);
    assert_eq!(rep["ok"], true);
    assert_eq!(rep["transaction"], true);
    assert_eq!(rep["drift_after"]["state"], "none", "{rep}");
    assert_eq!(query(&ctx, "SELECT count(*) || '' FROM sqlite_master WHERE name = 'Post_title_idx'"), "0");
    // The executed script: the down SQL and the bookkeeping between BEGIN and COMMIT.
    let calls = crate::guard::prisma_calls(&ctx);
    let exec = calls.iter().rev().find(|c| c["argv"][1] == "execute").unwrap();
    let stdin = exec["stdin"].as_str().unwrap();
    assert!(stdin.starts_with("BEGIN;") && stdin.trim_end().ends_with("COMMIT;"), "{stdin}");
}

#[test]
fn a_down_script_that_fails_changes_nothing_and_says_how_to_restore() {
    let ctx = guarded_project();
    ctx.write(IDX, IDX_SQL);
    ctx.run(&["migrate", "deploy"]).ok();
    ctx.write(
        "prisma/migrations/20260104000000_idx/down.sql",
        "DROP INDEX \"Post_title_idx\";\nDROP INDEX \"nope\";\n",
    );
    let r = ctx.run(&["migrate", "rollback"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("the down script failed (its transaction was not committed"), "{}", r.all());
    assert!(r.stderr.contains("prisma-guard restore "), "{}", r.all());
    assert_eq!(query(&ctx, "SELECT count(*) || '' FROM sqlite_master WHERE name = 'Post_title_idx'"), "1");
    assert_eq!(query(&ctx, "SELECT count(*) || '' FROM _prisma_migrations WHERE finished_at IS NULL"), "0");
}

#[test]
fn rollback_without_a_down_script_offers_the_backup_taken_before_the_migration() {
    let ctx = guarded_project();
    ctx.write(AGE, AGE_SQL);
    let r = ctx.run(&["migrate", "deploy", "--json"]);
    let before = json(&r)["backup"].as_str().unwrap().to_string();
    let r = ctx.run(&["migrate", "rollback"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("prisma-guard migrate down-script 20260103000000_age"), "{}", r.all());
    assert!(r.stderr.contains(&format!("prisma-guard restore {before}")), "{}", r.all());
    assert!(columns(&ctx, "User").contains(&"age".to_string()), "nothing changed");
}

#[test]
fn deploy_down_script_and_rollback_on_postgresql_with_a_shadow_database_it_drops() {
    let pg = postgres();
    let db = pg.create_db("deploy_pg");
    let mut ctx = TestContext::new();
    let log = ctx.path("prisma-calls.jsonl").display().to_string();
    ctx.set_env("FAKE_PRISMA_LOG", &log);
    ctx.prisma7_project("postgresql", &pg.url(&db));
    install_fake_prisma(&ctx, ctx.root());
    ctx.write("prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
    ctx.write(
        "prisma/migrations/20260101000000_init/migration.sql",
        "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL, \"email\" TEXT NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\nCREATE TABLE \"Post\" (\"id\" SERIAL NOT NULL, \"title\" TEXT NOT NULL, CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\"));\n",
    );
    let r = ctx.run(&["migrate", "deploy"]);
    assert_eq!(r.code, 0, "{}", r.all());
    pg.app_sql(&db, "INSERT INTO \"User\" SELECT 'u' || i, i || '@x' FROM generate_series(1, 20) i; INSERT INTO \"Post\" (title) SELECT 't' || i FROM generate_series(1, 5) i;");
    ctx.write(
        "prisma/migrations/20260102000000_age/migration.sql",
        "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;\nCREATE INDEX \"Post_title_idx\" ON \"Post\"(\"title\");\n",
    );
    let r = ctx.run(&["migrate", "deploy", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let report = json(&r);
    assert_eq!(report["plan"]["drift"]["state"], "none", "{report}");
    assert_eq!(report["validation"]["status_clean"], true, "{report}");
    r.no_secret();
    let r = ctx.run(&["migrate", "down-script"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("DROP COLUMN \"age\"") && r.stdout.contains("DROP INDEX \"Post_title_idx\""),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains("error [drop-column]"), "{}", r.all());
    r.no_secret();
    pg.app_sql(&db, "UPDATE \"User\" SET age = 30;");
    let r = ctx.run_with_tty(&["migrate", "rollback"], &format!("{db}\n"));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'age'"), "0");
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "20");
    assert_eq!(
        pg.app_sql(&db, "SELECT count(*) FROM _prisma_migrations WHERE migration_name = '20260102000000_age' AND rolled_back_at IS NOT NULL"),
        "1"
    );
    // Deployed again, as Prisma deploys a migration marked rolled back.
    let r = ctx.run(&["migrate", "deploy"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'age'"), "1");
    // Every shadow database prisma was given was dropped.
    let shadows: Vec<String> = crate::guard::prisma_calls(&ctx)
        .iter()
        .filter_map(|c| c["env"]["PRISMA_GUARD_SHADOW_URL"].as_str().map(str::to_string))
        .collect();
    assert!(shadows.len() >= 3, "{shadows:?}");
    for url in shadows {
        let name = url.rsplit('/').next().unwrap().split('?').next().unwrap().to_string();
        assert_eq!(pg.admin(&format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'")), "0", "{name}");
    }
}

/// Review round 5, finding 3: an applied migration whose folder is missing may be the last
/// applied one; rollback ran the down script of an older migration and committed it.
#[test]
fn rollback_refuses_when_an_applied_migration_s_folder_is_missing() {
    let ctx = guarded_project();
    ctx.write(AGE, AGE_SQL);
    ctx.write(IDX, IDX_SQL);
    ctx.run(&["migrate", "deploy"]).ok();
    ctx.run(&["migrate", "down-script", "20260103000000_age"]).ok();
    std::fs::remove_dir_all(ctx.path("prisma/migrations/20260104000000_idx")).unwrap();
    let r = ctx.run(&["migrate", "rollback"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("not in the migrations folder (20260104000000_idx)"), "{}", r.all());
    assert!(r.stderr.contains("nothing was changed"), "{}", r.all());
    assert!(columns(&ctx, "User").contains(&"age".to_string()), "nothing changed");
    assert_eq!(query(&ctx, "SELECT count(*) || '' FROM _prisma_migrations WHERE rolled_back_at IS NOT NULL"), "0");
}

/// Review round 5, findings 6 and 9: Litestream's own tables (`litestream replicate` creates
/// `_litestream_seq` and `_litestream_lock` in the database; made here as it makes them) are
/// no drift; drift there before a rollback is not the rollback's failure.
#[test]
fn litestream_tables_are_no_drift_and_drift_before_a_rollback_is_not_its_failure() {
    let ctx = guarded_project();
    sql(&ctx, "CREATE TABLE _litestream_seq (id INTEGER PRIMARY KEY, seq INTEGER); CREATE TABLE _litestream_lock (id INTEGER); INSERT INTO _litestream_seq VALUES (1, 1);");
    ctx.write(AGE, AGE_SQL);
    let r = ctx.run(&["migrate", "deploy", "--json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(json(&r)["plan"]["drift"]["state"], "none", "{}", r.all());
    // A hand-made table: drift before the rollback, and the same after it.
    sql(&ctx, "CREATE TABLE \"Log\" (id INTEGER PRIMARY KEY);");
    ctx.write(IDX, IDX_SQL);
    ctx.run(&["migrate", "deploy", "--allow-drift"]).ok();
    ctx.run(&["migrate", "down-script"]).ok();
    let r = ctx.run(&["migrate", "rollback"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("differed from its migrations before the rollback already") && r.stderr.contains("Log"),
        "{}",
        r.all()
    );
    assert!(!r.stderr.contains("_litestream"), "{}", r.all());
    assert_eq!(query(&ctx, "SELECT count(*) || '' FROM sqlite_master WHERE name = 'Post_title_idx'"), "0");
}
