//! What a commit, a push or `--since` changes without changing a
//! scanned file (a SQL file a script runs, a linked migration's target, a linked migrations
//! folder), baselines a range writes itself, submodules, and the hooks' set-ups.

use std::os::unix::fs::symlink;

use crate::support::{run_with_stdin, Run, TestContext};

const INIT: &str = "CREATE TABLE \"U\"(\"id\" int,\"a\" int);\n";

/// A repository with a first migration, committed.
fn repo() -> TestContext {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("prisma/migrations/1_i/migration.sql", INIT);
    ctx.write("prisma/migration_lock.toml", "provider = \"postgresql\"\n");
    ctx
}

fn commit(ctx: &TestContext, msg: &str) {
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", msg]);
}

fn head(ctx: &TestContext) -> String {
    ctx.git(&["rev-parse", "HEAD"]).stdout.trim().to_string()
}

/// `scan --pre-push` for pushing HEAD over `remote_sha` on main.
fn pre_push(ctx: &TestContext, remote_sha: &str) -> Run {
    let line = format!("refs/heads/main {} refs/heads/main {remote_sha}\n", head(ctx));
    run_with_stdin(ctx.cmd(&["scan", "--pre-push"]), line.as_bytes())
}

/// Item 1: a SQL file a package.json script runs (`prisma db execute --file`, `psql -f`),
/// changed alone, is judged by the pre-commit scan, `--since` and pre-push.
#[test]
fn a_sql_file_a_script_runs_changed_alone_is_judged_at_commit_and_push() {
    for (script, file) in [
        ("prisma db execute --file sql/cleanup.sql", "sql/cleanup.sql"),
        ("psql \\\"$DATABASE_URL\\\" -f sql/wipe.sql", "sql/wipe.sql"),
    ] {
        let ctx = repo();
        ctx.write("package.json", &format!("{{\"name\":\"a\",\"scripts\":{{\"db:x\":\"{script}\"}}}}\n"));
        ctx.write(file, "SELECT 1;\n");
        commit(&ctx, "init");
        let base = head(&ctx);
        ctx.write(file, "DROP TABLE \"U\";\n");
        ctx.git(&["add", "-A"]);
        let run = ctx.run(&["scan", "--staged"]);
        assert_eq!(run.code, 1, "{script} staged: {}", run.all());
        assert!(run.stdout.contains("package.json"), "{}", run.all());
        ctx.git(&["commit", "-q", "--no-verify", "-m", "drop"]);
        let run = ctx.run(&["scan", "--since", "HEAD~1"]);
        assert_eq!(run.code, 1, "{script} --since: {}", run.all());
        let run = pre_push(&ctx, &base);
        assert_eq!(run.code, 1, "{script} pre-push: {}", run.all());
        // A change that stays harmless is no finding: the script was there before.
        ctx.write(file, "SELECT 2;\n");
        ctx.git(&["add", "-A"]);
        ctx.git(&["commit", "-q", "--no-verify", "-m", "back"]);
        ctx.write(file, "SELECT 3;\n");
        ctx.git(&["add", "-A"]);
        assert_eq!(ctx.run(&["scan", "--staged"]).code, 0, "{script}");
    }
}

/// Item 1: a migration.sql that is a symbolic link: a change of the file it points at is a
/// change of the migration.
#[test]
fn a_linked_migration_whose_target_changes_is_judged_at_commit_and_push() {
    let ctx = repo();
    ctx.write("sql/x.sql", "CREATE TABLE \"V\"(\"id\" int);\n");
    std::fs::create_dir_all(ctx.path("prisma/migrations/2_d")).unwrap();
    symlink("../../../sql/x.sql", ctx.path("prisma/migrations/2_d/migration.sql")).unwrap();
    commit(&ctx, "init");
    let base = head(&ctx);
    ctx.write("sql/x.sql", "ALTER TABLE \"U\" DROP COLUMN \"a\";\n");
    ctx.git(&["add", "-A"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 1, "staged: {}", run.all());
    assert!(run.stdout.contains("drop-column"), "{}", run.all());
    ctx.git(&["commit", "-q", "--no-verify", "-m", "drop"]);
    let run = ctx.run(&["scan", "--since", "HEAD~1"]);
    assert_eq!(run.code, 1, "--since: {}", run.all());
    let run = pre_push(&ctx, &base);
    assert_eq!(run.code, 1, "pre-push: {}", run.all());
}

/// Item 2: a migrations folder that is a symbolic link is followed (Prisma follows it), in
/// the working tree and in what is committed.
#[test]
fn a_migrations_folder_that_is_a_link_is_scanned() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("shared/db/1_i/migration.sql", INIT);
    ctx.write("shared/db/2_d/migration.sql", "ALTER TABLE \"U\" DROP COLUMN \"a\";\n");
    ctx.write("packages/api/prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
    symlink("../../../shared/db", ctx.path("packages/api/prisma/migrations")).unwrap();
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("drop-column"), "{}", run.all());
    ctx.write("shared/db/2_d/migration.sql", "SELECT 1;\n");
    commit(&ctx, "init");
    ctx.write("shared/db/3_t/migration.sql", "DROP TABLE \"U\";\n");
    ctx.git(&["add", "-A"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 1, "staged: {}", run.all());
    assert!(run.stdout.contains("drop-table"), "{}", run.all());
}

/// Item 2: nothing scanned beside a schema is said, never a silent "clean".
#[test]
fn zero_files_scanned_beside_a_schema_is_flagged() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
    let run = ctx.run(&["scan"]);
    assert!(run.stderr.contains("0 files scanned, but prisma/schema.prisma"), "{}", run.all());
}

/// Item 4: a baseline entry the checked commit, push or range adds hides none of its
/// findings, and the growth is said.
#[test]
fn baseline_entries_a_range_adds_hide_none_of_its_findings() {
    let ctx = repo();
    commit(&ctx, "init");
    let base = head(&ctx);
    ctx.write("prisma/migrations/2_d/migration.sql", "DROP TABLE \"U\";\n");
    ctx.run(&["scan", "--baseline", "write"]).ok();
    ctx.git(&["add", "-A"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 1, "staged: {}", run.all());
    ctx.git(&["commit", "-q", "--no-verify", "-m", "drop"]);
    let run = ctx.run(&["scan", "--since", "HEAD~1"]);
    assert_eq!(run.code, 1, "--since: {}", run.all());
    assert!(run.stderr.contains("grew by 1 entries"), "{}", run.all());
    assert_eq!(pre_push(&ctx, &base).code, 1);
    // Once on the base, the baseline counts: an unrelated later change passes, and the
    // whole-tree scan honours it.
    ctx.write("README.md", "x\n");
    commit(&ctx, "readme");
    assert_eq!(ctx.run(&["scan", "--since", "HEAD~1"]).code, 0);
    assert_eq!(ctx.run(&["scan"]).code, 0);
}

/// Item 7: the first push to a new remote compares with the default branch of the remote
/// cloned from, also when it is not main/master and `origin/HEAD` is not recorded.
#[test]
fn first_push_to_a_new_remote_compares_with_a_develop_default_branch() {
    let ctx = repo();
    ctx.git(&["checkout", "-q", "-b", "develop"]);
    ctx.write("prisma/migrations/2_d/migration.sql", "ALTER TABLE \"U\" DROP COLUMN \"a\";\n");
    commit(&ctx, "old drop, published long ago");
    for bare in ["origin.git", "fork.git"] {
        std::fs::create_dir_all(ctx.path(bare)).unwrap();
        ctx.git_in(bare, &["init", "-q", "--bare"]).ok();
    }
    let origin = ctx.path("origin.git").display().to_string();
    let fork = ctx.path("fork.git").display().to_string();
    ctx.git(&["remote", "add", "origin", &origin]);
    ctx.git(&["push", "-q", "--no-verify", "-u", "origin", "develop"]);
    assert!(ctx.git_in(".", &["rev-parse", "--verify", "-q", "refs/remotes/origin/HEAD"]).code != 0);
    ctx.git(&["checkout", "-q", "-b", "feature"]);
    ctx.write("README.md", "x\n");
    ctx.write(".gitignore", "*.git/\n");
    commit(&ctx, "feature");
    ctx.git(&["remote", "add", "fork", &fork]);
    let line = format!("refs/heads/feature {} refs/heads/feature {}\n", head(&ctx), "0".repeat(40));
    let run = run_with_stdin(ctx.cmd(&["scan", "--pre-push", "--remote", "fork"]), line.as_bytes());
    assert_eq!(run.code, 0, "{}", run.all());
}

/// Item 5: husky's sub-folder layout (`"prepare": "cd .. && husky backend/.husky"`) found
/// from the repository root before husky's first install: the hook goes where husky's
/// `prepare` points git, and a destructive commit is blocked once it has run.
#[test]
fn husky_in_a_sub_folder_is_wired_before_its_first_install() {
    let deps = crate::guard::node_deps();
    let mut ctx = repo();
    let tools = ctx.path("tools");
    std::fs::create_dir_all(&tools).unwrap();
    symlink(crate::support::bin(), tools.join("prisma-guard")).unwrap();
    let path = format!("{}:{}", tools.display(), std::env::var("PATH").unwrap_or_default());
    ctx.set_env("PATH", &path);
    ctx.write(".gitignore", "node_modules/\ntools/\n");
    ctx.write(
        "backend/package.json",
        "{\"devDependencies\": {\"husky\": \"9.1.7\"}, \"scripts\": {\"prepare\": \"cd .. && husky backend/.husky\"}}\n",
    );
    commit(&ctx, "init");
    ctx.run(&["hooks", "install"]).ok();
    let hook = std::fs::read_to_string(ctx.path("backend/.husky/pre-commit")).unwrap_or_default();
    assert!(hook.contains("prisma-guard"), "the hook is in husky's folder: {hook:?}");
    assert!(!std::fs::read_to_string(ctx.path(".git/hooks/pre-commit")).unwrap_or_default().contains("prisma-guard"));
    // What `npm install` then does: husky, from the root.
    let out = std::process::Command::new("node")
        .arg(deps.join("husky/bin.js"))
        .arg("backend/.husky")
        .current_dir(ctx.root())
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    ctx.run(&["hooks", "status"]).ok();
    ctx.write("prisma/migrations/2_d/migration.sql", "ALTER TABLE \"U\" DROP COLUMN \"a\";\n");
    ctx.git(&["add", "-A"]);
    let run = ctx.git_in(".", &["commit", "-qm", "drop"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("drop-column"), "{}", run.all());
}

/// Item 6: the pre-commit framework's entries leave nothing out by name: they pass no file
/// names and always run (round 9: the scan reads what is staged, whatever its name), and a
/// SQL file passed alone to `scan` is judged by the scripts that run it.
#[test]
fn pre_commit_framework_files_pattern_passes_every_scanned_file_and_sql() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.pre-commit-hooks.yaml")).unwrap();
    assert!(!text.contains("files:"), "{text}");
    assert_eq!(text.matches("pass_filenames: false").count(), 5, "{text}");
    assert_eq!(text.matches("always_run: true").count(), 5, "{text}");
    let ctx = repo();
    ctx.write("package.json", "{\"scripts\":{\"db:cleanup\":\"prisma db execute --file sql/cleanup.sql\"}}\n");
    ctx.write("sql/cleanup.sql", "SELECT 1;\n");
    ctx.write("sql/other.sql", "SELECT 1;\n");
    commit(&ctx, "init");
    ctx.write("sql/cleanup.sql", "DROP TABLE \"U\";\n");
    let run = ctx.run(&["scan", "sql/cleanup.sql"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(ctx.run(&["scan", "sql/other.sql"]).code, 0, "a SQL file no script runs");
}

/// Item 11: the pre-commit framework installed after prisma-guard's own hooks keeps ours as
/// `pre-commit.legacy` and runs it (its migration mode): status says the scan runs, and it
/// does.
#[test]
fn pre_commit_framework_migration_mode_keeps_the_scan_and_status_says_so() {
    let pre_commit = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("pre-commit")).find(|p| p.is_file()))
        .expect("the pre-commit framework is not installed: run ./scripts/test.sh (pip install pre-commit)");
    let ctx = repo();
    commit(&ctx, "init");
    ctx.run(&["hooks", "install"]).ok();
    ctx.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n    hooks:\n      - id: no-op\n        name: no-op\n        entry: \"true\"\n        language: system\n",
    );
    commit(&ctx, "pre-commit config");
    let out = std::process::Command::new(&pre_commit)
        .arg("install")
        .current_dir(ctx.root())
        .env("HOME", ctx.path("home"))
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(ctx.path(".git/hooks/pre-commit.legacy").is_file(), "migration mode");
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 0, "{}", status.all());
    assert!(status.stdout.contains("migration mode"), "{}", status.all());
    ctx.write("prisma/migrations/2_d/migration.sql", "ALTER TABLE \"U\" DROP COLUMN \"a\";\n");
    ctx.git(&["add", "-A"]);
    let run = ctx.git_in(".", &["commit", "-qm", "drop"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("drop-column"), "{}", run.all());
}

/// Item 11: husky's fix names `npx husky` and the missing `prepare` script when there is
/// none, not "npm install (its prepare script runs husky)".
#[test]
fn husky_fix_without_a_prepare_script_says_to_add_one() {
    let ctx = repo();
    ctx.write("package.json", "{\"devDependencies\": {\"husky\": \"9.1.7\"}}\n");
    std::fs::create_dir_all(ctx.path(".husky")).unwrap();
    commit(&ctx, "init");
    ctx.run(&["hooks", "install"]).ok();
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.stdout.contains("\"prepare\": \"husky\""), "{}", status.all());
    assert!(!status.stdout.contains("its `prepare` script runs husky"), "{}", status.all());
}

/// Item 3: a submodule bump (the migrations folder is a submodule) that brings a destructive
/// migration is judged at commit, `--since` and push, from the submodule's new commit.
#[test]
fn a_submodule_bump_bringing_a_destructive_migration_is_judged() {
    let ctx = TestContext::new();
    std::fs::create_dir_all(ctx.path("dbrepo")).unwrap();
    ctx.git_in("dbrepo", &["init", "-q", "-b", "main"]).ok();
    ctx.write("dbrepo/1_i/migration.sql", INIT);
    ctx.git_in("dbrepo", &["add", "-A"]).ok();
    ctx.git_in("dbrepo", &["commit", "-qm", "init"]).ok();
    std::fs::create_dir_all(ctx.path("app")).unwrap();
    ctx.git_in("app", &["init", "-q", "-b", "main"]).ok();
    let url = ctx.path("dbrepo").display().to_string();
    ctx.git_in("app", &["-c", "protocol.file.allow=always", "submodule", "add", "-q", &url, "prisma/migrations"]).ok();
    ctx.git_in("app", &["commit", "-qm", "with the migrations"]).ok();
    let base = ctx.git_in("app", &["rev-parse", "HEAD"]).stdout.trim().to_string();
    ctx.write("app/prisma/migrations/2_d/migration.sql", "ALTER TABLE \"U\" DROP COLUMN \"a\";\n");
    ctx.git_in("app/prisma/migrations", &["add", "-A"]).ok();
    ctx.git_in("app/prisma/migrations", &["commit", "-qm", "drop"]).ok();
    ctx.git_in("app", &["add", "prisma/migrations"]).ok();
    let in_app = |args: &[&str]| ctx.run(&[&["-C", "app"][..], args].concat());
    let run = in_app(&["scan", "--staged"]);
    assert_eq!(run.code, 1, "staged: {}", run.all());
    assert!(run.stdout.contains("drop-column"), "{}", run.all());
    ctx.git_in("app", &["commit", "-q", "--no-verify", "-m", "bump"]).ok();
    let run = in_app(&["scan", "--since", "HEAD~1"]);
    assert_eq!(run.code, 1, "--since: {}", run.all());
    let tip = ctx.git_in("app", &["rev-parse", "HEAD"]).stdout.trim().to_string();
    let line = format!("refs/heads/main {tip} refs/heads/main {base}\n");
    let run = run_with_stdin(ctx.cmd(&["-C", "app", "scan", "--pre-push"]), line.as_bytes());
    assert_eq!(run.code, 1, "pre-push: {}", run.all());
    // A bump whose commit this clone does not have cannot be checked: an error, not clean.
    ctx.git_in("app/prisma/migrations", &["commit", "-q", "--allow-empty", "-m", "later"]).ok();
    ctx.git_in("app", &["add", "prisma/migrations"]).ok();
    let later = ctx.git_in("app/prisma/migrations", &["rev-parse", "HEAD"]).stdout.trim().to_string();
    ctx.git_in("app/prisma/migrations", &["reset", "-q", "--hard", "HEAD~1"]).ok();
    let _ = std::fs::remove_file(ctx.path("app/.git/modules/prisma/migrations/ORIG_HEAD"));
    ctx.git_in("app/prisma/migrations", &["reflog", "expire", "--expire=now", "--all"]).ok();
    ctx.git_in("app/prisma/migrations", &["gc", "-q", "--prune=now"]).ok();
    assert!(ctx.git_in("app/prisma/migrations", &["cat-file", "-e", &later]).code != 0);
    let run = in_app(&["scan", "--staged"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.all().contains("submodule"), "{}", run.all());
}

/// Item 8: `hooks install` where git runs none of husky's hooks (a linked worktree has no
/// `.husky/_`, which husky's install makes and git ignores) says so and how to fix it.
#[test]
fn husky_hooks_install_in_a_worktree_without_husky_folder_warns() {
    let ctx = repo();
    ctx.write("package.json", "{\"devDependencies\": {\"husky\": \"9.1.7\"}, \"scripts\": {\"prepare\": \"husky\"}}\n");
    ctx.write(".gitignore", "_\n");
    std::fs::create_dir_all(ctx.path(".husky/_")).unwrap();
    ctx.git(&["config", "core.hooksPath", ".husky/_"]);
    ctx.run(&["hooks", "install"]).ok();
    commit(&ctx, "husky");
    ctx.git(&["worktree", "add", "-q", "-b", "wt", "wt"]);
    let run = ctx.run(&["-C", "wt", "hooks", "install"]);
    assert!(run.all().contains("git runs none of husky's hooks in this working tree"), "{}", run.all());
    assert!(run.all().contains("npx husky"), "{}", run.all());
    let status = ctx.run(&["-C", "wt", "hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.stdout.contains("git runs no pre-push hook"), "{}", status.all());
}

/// Item 6: mise's tasks are scanned (a developer's commands: a `prisma db push` there is not
/// a production step).
#[test]
fn mise_tasks_are_scanned_as_a_developers_commands() {
    let ctx = repo();
    ctx.write(
        "mise.toml",
        "[tasks.db-reset]\nrun = \"prisma migrate reset --force\"\n\n[tasks.push]\nrun = \"prisma db push\"\n",
    );
    let run = ctx.run(&["scan", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("prisma-migrate-reset"), "{}", run.all());
    assert!(!run.stdout.contains("db-push-in-production"), "{}", run.all());
}
