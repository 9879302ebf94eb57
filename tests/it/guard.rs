//! The guard: `prisma ...` through the PATH shim and `prisma-guard exec`, with a fake prisma
//! that imitates Prisma 7 (tests/fixtures/fake-prisma) against real databases.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::support::*;

const INIT_SQL: &str = "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL, \"name\" TEXT);\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n";
const POSTS_SQL: &str = "CREATE TABLE \"Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"title\" TEXT NOT NULL, \"authorId\" TEXT NOT NULL);\n";

/// A Prisma 7 SQLite project with two applied migrations, rows, the fake prisma installed in
/// node_modules (as npm would), and a PATH shim: `prisma` on PATH is prisma-guard.
pub fn guarded_project() -> TestContext {
    let mut ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    ctx.write("prisma/migrations/20260101000000_init/migration.sql", INIT_SQL);
    ctx.write("prisma/migrations/20260102000000_posts/migration.sql", POSTS_SQL);
    ctx.write("prisma/migrations/migration_lock.toml", "provider = \"sqlite\"\n");
    install_fake_prisma(&ctx, ctx.root());
    guard_on_path(&mut ctx);
    // Apply the migrations and add rows, through the fake prisma directly.
    let out = std::process::Command::new("node")
        .args(["node_modules/prisma/build/index.js", "migrate", "deploy"])
        .current_dir(ctx.root())
        .env("DATABASE_URL", "file:./dev.db")
        .env("FAKE_PRISMA_LOG", ctx.path("prisma-calls.jsonl"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let conn = Connection::open(ctx.path("dev.db")).unwrap();
    conn.execute_batch("INSERT INTO \"User\" VALUES ('u1', 'a@example.com', 'Ann'), ('u2', 'b@example.com', NULL); INSERT INTO \"Post\" (title, authorId) VALUES ('hello', 'u1'), ('again', 'u1'), ('x', 'u2');").unwrap();
    ctx
}

/// `prisma` on PATH is prisma-guard (a `shim/prisma` link first on PATH), and the fake prisma
/// records its calls in `prisma-calls.jsonl`.
pub fn guard_on_path(ctx: &mut TestContext) {
    let shim = ctx.path("shim");
    std::fs::create_dir_all(&shim).unwrap();
    std::os::unix::fs::symlink(bin(), shim.join("prisma")).unwrap();
    let path = format!("{}:{}", shim.display(), std::env::var("PATH").unwrap_or_default());
    ctx.set_env("PATH", &path);
    ctx.set_env("FAKE_PRISMA_LOG", &ctx.path("prisma-calls.jsonl").display().to_string());
}

/// Copy the fake prisma package into `dir/node_modules/prisma`, link `.bin/prisma` to it, and
/// link the real `@prisma/config` and `dotenv` beside it, as `npm install prisma dotenv` lays
/// them out.
pub fn install_fake_prisma(ctx: &TestContext, dir: &Path) {
    install_fake_prisma_only(dir);
    link_node_deps(dir);
    let _ = ctx;
}

/// The fake prisma alone: no `@prisma/config` beside it (Prisma's own loader unavailable).
pub fn install_fake_prisma_only(dir: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake-prisma");
    let dest = dir.join("node_modules/prisma");
    std::fs::create_dir_all(dest.join("build")).unwrap();
    std::fs::copy(src.join("package.json"), dest.join("package.json")).unwrap();
    std::fs::copy(src.join("config.js"), dest.join("config.js")).unwrap();
    std::fs::copy(src.join("build/index.js"), dest.join("build/index.js")).unwrap();
    std::fs::create_dir_all(dir.join("node_modules/.bin")).unwrap();
    let link = dir.join("node_modules/.bin/prisma");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink("../prisma/build/index.js", link).unwrap();
}

/// The real `@prisma/config` and `dotenv` (tests/fixtures/node-deps, installed by
/// scripts/test.sh), linked into `dir/node_modules`.
pub fn link_node_deps(dir: &Path) {
    let deps = node_deps();
    std::fs::create_dir_all(dir.join("node_modules/@prisma")).unwrap();
    for name in ["@prisma/config", "dotenv"] {
        let link = dir.join("node_modules").join(name);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(deps.join(name), link).unwrap();
    }
}

/// tests/fixtures/node-deps/node_modules; a test that needs it fails when it is missing.
pub fn node_deps() -> std::path::PathBuf {
    let deps = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/node-deps/node_modules");
    assert!(
        deps.join("@prisma/config/package.json").is_file() && deps.join("dotenv/package.json").is_file(),
        "the real @prisma/config is not installed: run ./scripts/test.sh, or `npm ci --prefix tests/fixtures/node-deps`"
    );
    deps
}

/// The fake prisma's recorded calls.
pub fn prisma_calls(ctx: &TestContext) -> Vec<serde_json::Value> {
    std::fs::read_to_string(ctx.path("prisma-calls.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn rows(ctx: &TestContext, table: &str) -> i64 {
    Connection::open(ctx.path("dev.db"))
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| r.get(0))
        .unwrap_or(-1)
}

/// `prisma <args>` as the user types it: through PATH, without a terminal.
pub fn prisma_command(ctx: &TestContext, args: &[&str]) -> std::process::Command {
    // `setsid -w prisma ...` finds the shim on PATH, as a shell would.
    let mut cmd = std::process::Command::new("/usr/bin/setsid");
    cmd.args(["-w", "prisma"]).args(args);
    cmd.current_dir(ctx.root()).env_clear().envs(ctx.env.iter().map(|(k, v)| (k, v))).stdin(Stdio::null());
    cmd
}

/// Run `prisma <args>` as the user types it: through PATH, no terminal.
pub fn prisma(ctx: &TestContext, args: &[&str]) -> Run {
    Run::from(prisma_command(ctx, args).output().unwrap())
}

/// `prisma <args>` with a terminal whose keyboard types `typed`.
pub fn prisma_tty(ctx: &TestContext, args: &[&str], typed: &str) -> Run {
    let line =
        std::iter::once("prisma".to_string()).chain(args.iter().map(|a| shell_quote(a))).collect::<Vec<_>>().join(" ");
    ctx.run_script_with_tty(&line, typed)
}

#[test]
fn safe_commands_pass_straight_through() {
    let ctx = guarded_project();
    for args in
        [&["generate"][..], &["--version"], &["migrate", "status"], &["validate", "--schema", "prisma/schema.prisma"]]
    {
        let run = prisma(&ctx, args);
        run.ok();
    }
    let calls = prisma_calls(&ctx);
    assert_eq!(calls.len(), 5, "one setup call and four forwarded");
    assert_eq!(calls[1]["argv"], serde_json::json!(["generate"]));
    assert_eq!(calls[4]["argv"], serde_json::json!(["validate", "--schema", "prisma/schema.prisma"]));
    assert_eq!(calls[1]["cwd"], ctx.root().display().to_string());
    assert!(ctx.backup_files().is_empty(), "no backup for safe commands: {:?}", ctx.backup_files());
}

#[test]
fn prismas_exit_code_comes_back_unchanged() {
    let mut ctx = guarded_project();
    ctx.set_env("FAKE_PRISMA_EXIT", "7");
    assert_eq!(prisma(&ctx, &["validate"]).code, 7);
    assert_eq!(prisma(&ctx, &["migrate", "deploy"]).code, 7);
}

#[test]
fn schema_changes_are_backed_up_first() {
    let ctx = guarded_project();
    ctx.write(
        "prisma/migrations/20260103000000_tags/migration.sql",
        "CREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY);\n",
    );
    let run = prisma(&ctx, &["migrate", "dev", "--name", "tags"]);
    run.ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["trigger"]["kind"], "prisma");
    assert_eq!(m["trigger"]["argv"], serde_json::json!(["migrate", "dev", "--name", "tags"]));
    assert_eq!(m["row_counts"]["Post"], 3);
    assert!(m["row_counts"].get("Tag").is_none(), "the backup is of the state before the migration");
    assert_eq!(m["migrations"], serde_json::json!(["20260101000000_init", "20260102000000_posts"]));
    assert_eq!(rows(&ctx, "Tag"), 0, "the migration ran after the backup");
    let calls = prisma_calls(&ctx);
    assert_eq!(calls.last().unwrap()["argv"], serde_json::json!(["migrate", "dev", "--name", "tags"]));
}

#[test]
fn destructive_commands_without_a_terminal_are_refused_and_prisma_never_runs() {
    let ctx = guarded_project();
    for args in [
        &["migrate", "reset", "--force"][..],
        &["db", "push", "--force-reset"],
        &["db", "push", "--accept-data-loss"],
        &["migrate", "reset", "-f"],
    ] {
        let run = prisma(&ctx, args);
        assert_eq!(run.code, 3, "{args:?}: {}", run.all());
        assert!(run.stderr.contains("no terminal"), "{}", run.stderr);
        assert!(run.stderr.contains("run it yourself in a terminal"), "{}", run.stderr);
    }
    assert_eq!(prisma_calls(&ctx).len(), 1, "only the setup call: prisma never ran");
    assert_eq!(rows(&ctx, "Post"), 3);
}

#[test]
fn piped_stdin_cannot_confirm() {
    let ctx = guarded_project();
    let run = run_with_stdin(prisma_command(&ctx, &["migrate", "reset", "--force"]), b"dev.db\ny\nyes\n");
    assert_eq!(run.code, 3, "{}", run.all());
    assert_eq!(prisma_calls(&ctx).len(), 1);
    assert_eq!(rows(&ctx, "Post"), 3);
}

#[test]
fn typed_confirmation_backs_up_then_resets_and_restore_brings_it_back() {
    let ctx = guarded_project();
    let run = prisma_tty(&ctx, &["migrate", "reset", "--force"], "dev.db\n");
    run.ok();
    assert!(run.stdout.contains("Rows at risk") && run.stdout.contains("Post: 3"), "{}", run.stdout);
    assert!(run.stdout.contains("Database reset successful"), "{}", run.stdout);
    assert_eq!(rows(&ctx, "Post"), 0, "the fake prisma really reset the database");
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["Post"], 3);
    let calls = prisma_calls(&ctx);
    assert_eq!(calls.last().unwrap()["argv"], serde_json::json!(["migrate", "reset", "--force"]));
    let run = ctx.run_with_tty(&["restore", m["id"].as_str().unwrap()], "dev.db\n");
    run.ok();
    assert_eq!(rows(&ctx, "Post"), 3);
}

#[test]
fn wrong_name_typed_cancels() {
    let ctx = guarded_project();
    let run = prisma_tty(&ctx, &["db", "push", "--force-reset"], "yes\n");
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.all().contains("cancelled"), "{}", run.all());
    assert_eq!(prisma_calls(&ctx).len(), 1);
    assert_eq!(rows(&ctx, "Post"), 3);
}

#[test]
fn ai_agents_are_refused_even_with_a_terminal_and_prismas_consent_variable() {
    let mut ctx = guarded_project();
    ctx.set_env("CLAUDECODE", "1");
    ctx.set_env("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION", "the user said yes");
    let run = prisma_tty(&ctx, &["migrate", "reset", "--force"], "dev.db\n");
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.all().contains("AI agent") && run.all().contains("show the user this exact command"), "{}", run.all());
    assert!(run.all().contains("prisma migrate reset --force"), "{}", run.all());
    assert_eq!(prisma_calls(&ctx).len(), 1);
    assert_eq!(rows(&ctx, "Post"), 3);
    // Schema changes still run for agents, after the backup.
    prisma(&ctx, &["migrate", "deploy"]).ok();
    assert_eq!(ctx.manifests().len(), 1);
}

#[test]
fn db_execute_sql_decides_and_stdin_is_passed_on_unchanged() {
    let ctx = guarded_project();
    let harmless = "INSERT INTO \"User\" VALUES ('u3', 'c@example.com', 'Cy');\n";
    let run = run_with_stdin(prisma_command(&ctx, &["db", "execute", "--stdin"]), harmless.as_bytes());
    run.ok();
    assert_eq!(prisma_calls(&ctx).last().unwrap()["stdin"], harmless);
    assert_eq!(rows(&ctx, "User"), 3);
    assert_eq!(ctx.manifests().len(), 1, "a backup before the SQL ran");

    ctx.write("drop.sql", "-- clean up\nDROP TABLE \"Post\";\n");
    let run = prisma(&ctx, &["db", "execute", "--file", "drop.sql"]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("drops table `Post`"), "{}", run.stderr);
    assert_eq!(rows(&ctx, "Post"), 3);
}

#[test]
fn allow_listed_throwaway_database_runs_without_confirmation_but_with_a_backup() {
    let ctx = guarded_project();
    ctx.write_own_config("[[guard.allow]]\ndatabase = \"dev.db\"\nreason = \"local scratch database\"\n");
    let run = prisma(&ctx, &["migrate", "reset", "--force"]);
    run.ok();
    assert_eq!(rows(&ctx, "Post"), 0);
    assert_eq!(ctx.manifests()[0]["row_counts"]["Post"], 3);
    // An environment variable alone never allows it.
    let mut ctx2 = guarded_project();
    ctx2.set_env("PRISMA_GUARD_ALLOW", "dev.db");
    assert_eq!(prisma(&ctx2, &["migrate", "reset", "--force"]).code, 3);
}

#[test]
fn backup_failure_means_prisma_does_not_run() {
    let ctx = guarded_project();
    ctx.write_own_config("[backup]\ndir = \"prisma-guard.toml/not-a-dir\"\n");
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("was NOT run"), "{}", run.stderr);
    assert_eq!(prisma_calls(&ctx).len(), 1);
}

#[test]
fn failed_prisma_command_prints_the_restore_command() {
    let mut ctx = guarded_project();
    ctx.set_env("FAKE_PRISMA_EXIT", "1");
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(run.code, 1);
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    assert!(run.stderr.contains(&format!("prisma-guard restore {id}")), "{}", run.stderr);
}

#[test]
fn audit_log_records_each_decision() {
    let ctx = guarded_project();
    prisma(&ctx, &["migrate", "deploy"]).ok();
    let _ = prisma(&ctx, &["migrate", "reset", "--force"]);
    let log = std::fs::read_to_string(ctx.path("backups/audit.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert_eq!(lines[0]["class"], "schema-change");
    assert_eq!(lines[0]["decision"], "allowed");
    assert_eq!(lines[0]["exit_code"], 0);
    assert!(lines[0]["backup_id"].is_string());
    assert_eq!(lines[1]["class"], "destructive");
    assert_eq!(lines[1]["decision"], "refused");
    assert_eq!(lines[1]["argv"], serde_json::json!(["migrate", "reset", "--force"]));
    assert!(lines[1].get("backup_id").is_none());
}

#[test]
fn sigterm_reaches_prisma_and_the_guard_waits_for_it() {
    let mut ctx = guarded_project();
    ctx.set_env("FAKE_PRISMA_SLEEP_MS", "20000");
    let mut child = std::process::Command::new(bin())
        .args(["exec", "--", "migrate", "deploy"])
        .current_dir(ctx.root())
        .env_clear()
        .envs(ctx.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while prisma_calls(&ctx).len() < 2 {
        assert!(start.elapsed() < Duration::from_secs(20), "prisma never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The fake prisma records its call, then sets its own SIGTERM handler a few statements
    // later: a moment for that (prisma-guard's forwarding is in place before prisma starts).
    std::thread::sleep(Duration::from_millis(50));
    std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(start.elapsed() < Duration::from_secs(15), "the guard did not pass the signal on");
    let calls = prisma_calls(&ctx);
    assert_eq!(calls.last().unwrap()["signal"], "SIGTERM", "prisma got the signal");
    assert_eq!(status.code(), Some(130), "prisma's exit code comes back");
}

#[test]
fn a_shim_loop_is_stopped() {
    let mut ctx = guarded_project();
    ctx.write_own_config(&format!("[guard]\nreal_prisma = \"{}\"\n", ctx.path("shim/prisma").display()));
    let run = prisma(&ctx, &["generate"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("is prisma-guard itself"), "{}", run.stderr);
    std::fs::remove_file(ctx.path("prisma-guard.toml")).unwrap();
    ctx.set_env("PRISMA_GUARD_DEPTH", "3");
    let run = prisma(&ctx, &["generate"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("loop"), "{}", run.stderr);
}

#[test]
fn missing_database_for_a_schema_change_is_not_a_reason_to_skip_prisma() {
    let ctx = guarded_project();
    std::fs::remove_file(ctx.path("dev.db")).unwrap();
    let run = prisma(&ctx, &["migrate", "dev", "--name", "init"]);
    run.ok();
    assert!(run.stderr.contains("does not exist yet"), "{}", run.stderr);
    assert_eq!(rows(&ctx, "Post"), 0, "prisma created it");
}

#[test]
fn no_database_url_fails_closed() {
    let ctx = guarded_project();
    std::fs::remove_file(ctx.path(".env")).unwrap();
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("prisma was NOT run") && run.stderr.contains("DATABASE_URL"), "{}", run.stderr);
    assert_eq!(prisma_calls(&ctx).len(), 1);
}

#[test]
fn db_pull_keeps_a_copy_of_the_schema_first() {
    let ctx = guarded_project();
    let schema = std::fs::read_to_string(ctx.path("prisma/schema.prisma")).unwrap();
    prisma(&ctx, &["db", "pull"]).ok();
    let copies: Vec<String> = ctx.backup_files().into_iter().filter(|f| f.ends_with(".prisma")).collect();
    assert_eq!(copies.len(), 1, "{:?}", ctx.backup_files());
    assert_eq!(std::fs::read_to_string(ctx.path("backups").join(&copies[0])).unwrap(), schema);
    assert_eq!(prisma_calls(&ctx).last().unwrap()["argv"], serde_json::json!(["db", "pull"]));
}

#[test]
fn mcp_takes_a_backup_and_warns_about_the_gap() {
    let ctx = guarded_project();
    let run = prisma(&ctx, &["mcp"]);
    run.ok();
    assert!(run.stderr.contains("bypassing prisma-guard"), "{}", run.stderr);
    assert!(run.stderr.contains("`prisma-guard mcp` offers the same tools"), "{}", run.stderr);
    assert_eq!(ctx.manifests().len(), 1);
}

#[test]
fn no_backup_needs_the_typed_confirmation() {
    let ctx = guarded_project();
    let run = ctx.run(&["exec", "--no-backup", "--", "migrate", "deploy"]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("without a backup"), "{}", run.stderr);
    assert_eq!(prisma_calls(&ctx).len(), 1);
    let run = ctx.run_with_tty(&["exec", "--no-backup", "--", "migrate", "deploy"], "dev.db\n");
    run.ok();
    assert!(ctx.manifests().is_empty(), "confirmed: no backup taken");
    assert_eq!(prisma_calls(&ctx).len(), 2);
}

/// The fault matrix on PostgreSQL: in every case the database is intact and prisma never ran.
#[test]
fn fault_matrix_on_postgres_leaves_the_database_intact() {
    let pg = postgres();
    let db = pg.create_db("guard_faults");
    pg.app_sql(&db, "CREATE TABLE \"User\" (id text PRIMARY KEY, email text); INSERT INTO \"User\" VALUES ('u1', 'a@example.com'), ('u2', 'b@example.com');");
    let base = |url: &str| {
        let mut ctx = TestContext::new();
        ctx.prisma7_project("postgresql", url);
        install_fake_prisma(&ctx, ctx.root());
        let shim = ctx.path("shim");
        std::fs::create_dir_all(&shim).unwrap();
        std::os::unix::fs::symlink(bin(), shim.join("prisma")).unwrap();
        ctx.set_env("PATH", &format!("{}:{}", shim.display(), std::env::var("PATH").unwrap_or_default()));
        ctx.set_env("FAKE_PRISMA_LOG", &ctx.path("prisma-calls.jsonl").display().to_string());
        ctx
    };
    let intact = || assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "2");

    // 1. The backup tool is missing.
    let mut ctx = base(&pg.url(&db));
    let tools = ctx.path("tools");
    std::fs::create_dir_all(&tools).unwrap();
    for tool in ["node", "psql"] {
        let out = std::process::Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().unwrap();
        std::os::unix::fs::symlink(String::from_utf8_lossy(&out.stdout).trim(), tools.join(tool)).unwrap();
    }
    ctx.set_env("PATH", &format!("{}:{}", ctx.path("shim").display(), tools.display()));
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(run.code, 1, "tool missing: {}", run.all());
    assert!(run.stderr.contains("pg_dump") && run.stderr.contains("NOT run"), "{}", run.stderr);
    assert!(prisma_calls(&ctx).is_empty());
    intact();

    // 2. The server is down.
    let closed = free_port();
    let ctx = base(&format!("postgresql://app:{SECRET}@127.0.0.1:{closed}/{db}?schema=public"));
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(run.code, 1, "server down: {}", run.all());
    run.no_secret();
    assert!(run.stderr.contains("not reachable") && run.stderr.contains("NOT run"), "{}", run.stderr);
    assert!(prisma_calls(&ctx).is_empty());

    // 3. The disk is full (a file-size limit on the whole command).
    let ctx = base(&pg.url(&db));
    pg.app_sql(&db, "CREATE TABLE IF NOT EXISTS noise AS SELECT g, md5(random()::text) || md5(random()::text) AS v FROM generate_series(1, 50000) g;");
    let run = ctx.run_with_file_limit(100_000, "prisma", &["migrate", "deploy"]);
    assert_eq!(run.code, 1, "disk full: {}", run.all());
    assert!(run.stderr.contains("file-size limit") && run.stderr.contains("NOT run"), "{}", run.stderr);
    assert!(prisma_calls(&ctx).is_empty());
    assert!(!ctx.backup_files().iter().any(|f| f.contains(".sql")), "{:?}", ctx.backup_files());
    intact();

    // 4. No terminal for a destructive command.
    let ctx = base(&pg.url(&db));
    assert_eq!(prisma(&ctx, &["migrate", "reset", "--force"]).code, 3);
    assert!(prisma_calls(&ctx).is_empty());
    intact();

    // 5. An AI agent, with a terminal.
    let mut ctx = base(&pg.url(&db));
    ctx.set_env("CURSOR_AGENT", "1");
    let run = prisma_tty(&ctx, &["db", "push", "--force-reset"], &format!("{db}\n"));
    assert_eq!(run.code, 3, "agent: {}", run.all());
    assert!(prisma_calls(&ctx).is_empty());
    intact();
}

/// Review round 6, defect 10: an AI agent's destructive command is refused as needing a human
/// (exit 3) before the database is reached: against a server that is down, the agent is not
/// told to start it, and a command with no terminal to ask on is refused the same way.
#[test]
fn an_agent_is_refused_before_the_database_is_reached() {
    let mut ctx = TestContext::new();
    let closed = free_port();
    ctx.prisma7_project("postgresql", &format!("postgresql://app:{SECRET}@127.0.0.1:{closed}/app?schema=public"));
    install_fake_prisma(&ctx, ctx.root());
    guard_on_path(&mut ctx);
    let run = prisma(&ctx, &["migrate", "reset", "--force"]);
    assert_eq!(run.code, 3, "no terminal: {}", run.all());
    assert!(run.stderr.contains("no terminal") && !run.stderr.contains("not reachable"), "{}", run.stderr);
    ctx.set_env("CLAUDECODE", "1");
    let run = prisma(&ctx, &["migrate", "reset", "--force"]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("needs a human") && run.stderr.contains("AI agent"), "{}", run.stderr);
    assert!(!run.stderr.contains("not reachable") && !run.stderr.contains("start it"), "{}", run.stderr);
    run.no_secret();
    assert!(prisma_calls(&ctx).is_empty());
    // A schema change is not refused for an agent: there, the server's state is the answer.
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("not reachable"), "{}", run.stderr);
}
