//! Git hooks in real repositories: `git commit` and `git push` run them.

use crate::support::{Run, TestContext};

const BAD: &str = "ALTER TABLE \"User\" DROP COLUMN \"bio\";\n";
const GOOD: &str = "ALTER TABLE \"User\" ADD COLUMN \"nickname\" TEXT;\n";
const MIG: &str = "prisma/migrations/20240201000000_change/migration.sql";

fn repo() -> TestContext {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("README.md", "app\n");
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-qm", "init"]);
    ctx
}

fn commit(ctx: &TestContext, dir: &str, msg: &str) -> crate::support::Run {
    ctx.git_in(dir, &["add", "-A"]);
    ctx.git_in(dir, &["commit", "-qm", msg])
}

#[test]
fn pre_commit_blocks_allows_and_honours_ignore_comments() {
    let ctx = repo();
    let run = ctx.run(&["hooks", "install"]);
    run.ok();
    assert!(run.stdout.contains("installed") && run.stdout.contains("pre-commit"), "{}", run.stdout);
    let again = ctx.run(&["hooks", "install"]);
    again.ok();
    assert_eq!(again.stdout, "git hooks already installed; nothing changed\n", "idempotent");
    ctx.run(&["hooks", "status"]).ok();

    ctx.write(MIG, BAD);
    let run = commit(&ctx, ".", "drop bio");
    assert_ne!(run.code, 0, "the commit must be blocked:\n{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    assert!(run.all().contains("prisma-guard: blocked"), "{}", run.all());
    assert_eq!(ctx.git(&["rev-list", "--count", "HEAD"]).stdout.trim(), "1", "nothing was committed");

    ctx.write(MIG, &format!("-- prisma-guard-ignore drop-column: bio was copied to Profile.bio in 20240115\n{BAD}"));
    commit(&ctx, ".", "drop bio, knowingly").ok();

    ctx.write("prisma/migrations/20240301000000_add/migration.sql", GOOD);
    commit(&ctx, ".", "harmless").ok();
    assert_eq!(ctx.git(&["rev-list", "--count", "HEAD"]).stdout.trim(), "3");
}

#[test]
fn pre_commit_reads_staged_content_not_the_working_tree() {
    let ctx = repo();
    ctx.run(&["hooks", "install"]).ok();
    // Staged: the bad version. Working tree: fixed but not staged.
    ctx.write(MIG, BAD);
    ctx.git(&["add", MIG]);
    ctx.write(MIG, GOOD);
    let run = ctx.git_in(".", &["commit", "-qm", "x"]);
    assert_ne!(run.code, 0, "the staged blob drops a column:\n{}", run.all());
    // Staged: good. Working tree: bad, not staged. Unstaged files are not scanned either.
    ctx.git(&["add", MIG]);
    ctx.write(MIG, BAD);
    ctx.write("scripts/reset.sh", "prisma migrate reset --force\n");
    ctx.git_in(".", &["commit", "-qm", "x"]).ok();
}

#[test]
fn a_foreign_hook_is_chained_and_restored() {
    let ctx = repo();
    let hook = ctx.path(".git/hooks/pre-commit");
    let original = "#!/bin/sh\necho ran >> \"$(git rev-parse --show-toplevel)/.git/foreign-ran\"\nexit 0\n";
    std::fs::write(&hook, original).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    let run = ctx.run(&["hooks", "install"]);
    run.ok();
    assert!(run.stdout.contains("moved the existing pre-commit hook"), "{}", run.stdout);
    assert!(ctx.run(&["hooks", "status"]).stdout.contains("chains the previous hook"));

    ctx.write("a.txt", "a\n");
    commit(&ctx, ".", "a").ok();
    assert_eq!(std::fs::read_to_string(ctx.path(".git/foreign-ran")).unwrap(), "ran\n", "the foreign hook still ran");

    // A failing foreign hook still stops the commit.
    std::fs::write(ctx.path(".git/hooks/pre-commit.prisma-guard-chained"), "#!/bin/sh\nexit 7\n").unwrap();
    ctx.write("b.txt", "b\n");
    assert_ne!(commit(&ctx, ".", "b").code, 0);
    std::fs::write(ctx.path(".git/hooks/pre-commit.prisma-guard-chained"), original).unwrap();

    let run = ctx.run(&["hooks", "uninstall"]);
    run.ok();
    assert!(run.stdout.contains("restored the original pre-commit hook"), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), original);
    assert!(!ctx.path(".git/hooks/pre-push").exists());
    assert!(!ctx.path(".git/hooks/pre-commit.prisma-guard-chained").exists());
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.stdout.contains("fix: prisma-guard hooks install"), "{}", status.stdout);
    // After uninstall, a bad migration commits (nothing scans it).
    ctx.write(MIG, BAD);
    commit(&ctx, ".", "bad").ok();
}

#[test]
fn hooks_in_a_linked_worktree_live_in_the_common_dir() {
    let ctx = repo();
    ctx.git(&["worktree", "add", "-q", "-b", "feature", "wt"]);
    let run = ctx.run(&["-C", "wt", "hooks", "install"]);
    run.ok();
    assert!(ctx.path(".git/hooks/pre-commit").is_file(), "{}", run.stdout);
    assert!(!ctx.path(".git/worktrees/wt/hooks").exists());
    ctx.write(&format!("wt/{MIG}"), BAD);
    ctx.git_in("wt", &["add", "-A"]);
    let run = ctx.git_in("wt", &["commit", "-qm", "bad"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
}

#[test]
fn core_hooks_path_inside_is_used_outside_is_refused() {
    let ctx = repo();
    ctx.git(&["config", "core.hooksPath", ".githooks"]);
    ctx.run(&["hooks", "install"]).ok();
    assert!(ctx.path(".githooks/pre-commit").is_file());
    assert!(!ctx.path(".git/hooks/pre-commit").exists());
    ctx.write(MIG, BAD);
    assert_ne!(commit(&ctx, ".", "bad").code, 0);
    ctx.git(&["reset", "-q"]);
    std::fs::remove_file(ctx.path(MIG)).unwrap();

    let outside = tempfile::tempdir().unwrap();
    ctx.git(&["config", "core.hooksPath", outside.path().to_str().unwrap()]);
    let run = ctx.run(&["hooks", "install"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("points outside this repository"), "{}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert!(!outside.path().join("pre-commit").exists());
    ctx.run(&["hooks", "install", "--force"]).ok();
    assert!(outside.path().join("pre-commit").is_file());
}

#[test]
fn husky_and_lefthook_configs_get_the_scan() {
    let ctx = repo();
    ctx.write(".husky/pre-commit", "npm test\n");
    ctx.git(&["config", "core.hooksPath", ".husky/_"]);
    let run = ctx.run(&["hooks", "install"]);
    run.ok();
    assert!(run.stdout.contains("husky manages the hooks"), "{}", run.stdout);
    let pre_commit = std::fs::read_to_string(ctx.path(".husky/pre-commit")).unwrap();
    // Review finding 1 (issue 21): the project's node_modules/.bin first (installed from npm,
    // prisma-guard is on no PATH), in a subshell so the team's lines keep their PATH.
    assert!(pre_commit.starts_with("(PATH=\"$PWD/node_modules/.bin:$PATH\"; command -v prisma-guard "), "{pre_commit}");
    assert!(
        pre_commit.ends_with("; exec prisma-guard scan --staged) || exit $? # prisma-guard\nnpm test\n"),
        "{pre_commit}"
    );
    let pre_push = std::fs::read_to_string(ctx.path(".husky/pre-push")).unwrap();
    assert!(pre_push.ends_with("rm -f \"$pg_in\" # prisma-guard\n"), "{pre_push}");
    assert!(pre_push.contains("exec prisma-guard scan --pre-push --remote \"$1\" <\"$pg_in\")"), "{pre_push}");
    assert!(!ctx.path(".husky/_/pre-commit").exists(), "husky's own folder is left to husky");
    ctx.run(&["hooks", "install"]).ok();
    assert_eq!(std::fs::read_to_string(ctx.path(".husky/pre-commit")).unwrap().matches("prisma-guard scan").count(), 1);
    // core.hooksPath names .husky/_, which husky's install has not made: git runs no hook.
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.all().contains("npx husky"), "{}", status.all());
    std::fs::create_dir_all(ctx.path(".husky/_")).unwrap();
    ctx.run(&["hooks", "status"]).ok();
    ctx.run(&["hooks", "uninstall"]).ok();
    assert_eq!(std::fs::read_to_string(ctx.path(".husky/pre-commit")).unwrap(), "npm test\n");
    assert!(!ctx.path(".husky/pre-push").exists());

    let ctx = repo();
    ctx.write("lefthook.yml", "pre-commit:\n  commands:\n    lint:\n      run: npm run lint\n");
    let run = ctx.run(&["hooks", "install"]);
    run.ok();
    assert!(run.stdout.contains("lefthook manages the hooks"), "{}", run.stdout);
    let text = std::fs::read_to_string(ctx.path("lefthook.yml")).unwrap();
    assert!(
        text.contains("    prisma-guard:\n      run: PATH=\"$PWD/node_modules/.bin:$PATH\"; command -v prisma-guard "),
        "{text}"
    );
    assert!(text.contains("; prisma-guard scan --staged\n    lint:"), "{text}");
    assert!(
        text.contains("; prisma-guard scan --pre-push --remote {1}\n      use_stdin: true")
            && text.contains("pre-push:\n  commands:\n    prisma-guard:\n      run: PATH=\"$PWD/node_modules/.bin:$PATH\"; command -v prisma-guard "),
        "{text}"
    );
    ctx.run(&["hooks", "uninstall"]).ok();
    assert_eq!(
        std::fs::read_to_string(ctx.path("lefthook.yml")).unwrap(),
        "pre-commit:\n  commands:\n    lint:\n      run: npm run lint\n"
    );
}

#[test]
fn pre_push_scans_the_pushed_commits_of_a_new_branch() {
    let ctx = repo();
    ctx.git_in(".", &["init", "-q", "--bare", "remote.git"]).ok();
    ctx.write(".gitignore", "remote.git/\n");
    commit(&ctx, ".", "ignore").ok();
    ctx.git(&["remote", "add", "origin", ctx.path("remote.git").to_str().unwrap()]);
    // History already on the remote has a destructive migration: pushing new, clean work
    // must not be blocked by it.
    ctx.write("prisma/migrations/20230101000000_old/migration.sql", "DROP TABLE \"Legacy\";\n");
    commit(&ctx, ".", "old").ok();
    ctx.git(&["push", "-q", "origin", "main"]);
    ctx.run(&["hooks", "install"]).ok();

    // A new branch whose commits add a destructive migration is blocked (committed with
    // --no-verify, as someone without the hook would).
    ctx.git(&["checkout", "-q", "-b", "feature"]);
    ctx.write(MIG, BAD);
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "bad"]);
    let run = ctx.git_in(".", &["push", "-q", "origin", "feature"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    assert!(!run.all().contains("20230101000000_old"), "already-pushed history is not rescanned: {}", run.all());
    assert!(
        ctx.git_in(".", &["ls-remote", "--heads", "origin", "feature"]).stdout.is_empty(),
        "nothing reached the remote"
    );

    // Fixed in a later commit: the files of the range are read as they are at the pushed
    // tip (what a deploy of the branch applies), so the push goes through.
    ctx.write(MIG, GOOD);
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "fix"]);
    ctx.git_in(".", &["push", "-q", "origin", "feature"]).ok();
    assert!(!ctx.git_in(".", &["ls-remote", "--heads", "origin", "feature"]).stdout.is_empty());

    // An existing branch: only the new commits count.
    ctx.write("scripts/reset.sh", "npx prisma migrate reset --force\n");
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "reset script"]);
    let run = ctx.git_in(".", &["push", "-q", "origin", "feature"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("scripts/reset.sh:1:1: error[prisma-migrate-reset]"), "{}", run.all());
    assert!(!run.all().contains("migration.sql"), "earlier pushed commits are not rescanned: {}", run.all());

    // Deleting a remote branch scans nothing.
    ctx.git_in(".", &["push", "-q", "origin", "--delete", "feature"]).ok();
}

#[test]
fn pre_push_of_an_annotated_tag_scans_the_commit_it_names() {
    let ctx = repo();
    ctx.git_in(".", &["init", "-q", "--bare", "remote.git"]).ok();
    ctx.write(".gitignore", "remote.git/\n");
    commit(&ctx, ".", "ignore").ok();
    ctx.git(&["remote", "add", "origin", ctx.path("remote.git").to_str().unwrap()]);
    ctx.git(&["push", "-q", "origin", "main"]);
    ctx.run(&["hooks", "install"]).ok();
    ctx.git(&["checkout", "-q", "-b", "local"]);
    ctx.write(MIG, BAD);
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "bad"]);
    // git gives the hook the tag object's id, not the commit's.
    ctx.git(&["tag", "-a", "v2", "-m", "v2"]);
    let run = ctx.git_in(".", &["push", "-q", "origin", "v2"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    assert!(ctx.git_in(".", &["ls-remote", "--tags", "origin", "v2"]).stdout.is_empty(), "nothing reached the remote");
    // A tag of a tag is followed as deep as it goes.
    ctx.git(&["tag", "-a", "v3", "-m", "v3", "v2"]);
    let run = ctx.git_in(".", &["push", "-q", "origin", "v3"]);
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
}

/// Review (issue 22, round 7): a teammate's clone has no `.git/hooks` of ours, and the
/// committed postinstall re-installed only the shim. Run by a real `npm install` in a real
/// clone, it installs the git hooks too; a foreign hook there is left alone, with a warning.
#[test]
fn npm_install_in_a_teammates_clone_installs_the_git_hooks() {
    let ctx = repo();
    let pkg = format!(
        r#"{{"name": "app", "version": "1.0.0", "private": true, "scripts": {{"postinstall": {}}}}}"#,
        // What `init` writes (src/install/shim.rs POSTINSTALL).
        serde_json::Value::from(
            "(command -v prisma-guard >/dev/null && prisma-guard shim install --project --quiet) || true"
        )
    );
    ctx.write("package.json", &pkg);
    commit(&ctx, ".", "postinstall").ok();
    let bin_dir = std::path::Path::new(crate::support::bin()).parent().unwrap().display().to_string();
    let npm_install = |dir: &str| {
        let out = std::process::Command::new("npm")
            .args(["install", "--offline", "--no-audit", "--no-fund", "--foreground-scripts"])
            .current_dir(ctx.path(dir))
            .env_clear()
            .envs(ctx.env.iter().map(|(k, v)| (k.clone(), v.clone())))
            .env("PATH", format!("{bin_dir}:{}", ctx.env_var("PATH")))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        crate::support::Run::from(out)
    };
    ctx.git_in(".", &["clone", "-q", ".", "teammate"]).ok();
    assert!(!ctx.path("teammate/.git/hooks/pre-commit").exists());
    let run = npm_install("teammate");
    assert_eq!(run.code, 0, "{}", run.all());
    let hook = std::fs::read_to_string(ctx.path("teammate/.git/hooks/pre-commit")).unwrap_or_default();
    assert!(hook.contains("prisma-guard"), "no pre-commit hook after npm install: {}", run.all());
    assert!(ctx.path("teammate/.git/hooks/pre-push").exists());
    // The hook runs: a destructive migration committed in the clone is blocked.
    ctx.write(&format!("teammate/{MIG}"), BAD);
    let blocked = commit(&ctx, "teammate", "bad");
    assert_ne!(blocked.code, 0, "{}", blocked.all());
    assert!(blocked.all().contains("error[drop-column]"), "{}", blocked.all());
    // A second install changes nothing; a teammate's own hook is not replaced, but said.
    assert!(!npm_install("teammate").all().contains("Git hooks"));
    ctx.git_in(".", &["clone", "-q", ".", "other"]).ok();
    ctx.write("other/.git/hooks/pre-commit", "#!/bin/sh\nnpm test\n");
    let run = npm_install("other");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(std::fs::read_to_string(ctx.path("other/.git/hooks/pre-commit")).unwrap(), "#!/bin/sh\nnpm test\n");
    assert!(run.all().contains("git does not run prisma-guard's scan in this clone"), "{}", run.all());
}

/// Review (issue 22, round 7): on an old repository, a commit that only adds a script passed
/// (judged by what it adds) but the push of it was blocked by the `db:reset` script the
/// remote always had, and so was `scan --since HEAD~1`; with a baseline, a second copy of a
/// known workflow line passed the pre-commit hook. All three judge by what is added.
#[test]
fn pushes_and_since_scans_judge_by_what_the_commits_add() {
    let ctx = repo();
    ctx.git_in(".", &["init", "-q", "--bare", "remote.git"]).ok();
    ctx.write(".gitignore", "remote.git/\n");
    let old = "{\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\"\n  }\n}\n";
    ctx.write("package.json", old);
    commit(&ctx, ".", "old").ok();
    ctx.git(&["remote", "add", "origin", ctx.path("remote.git").to_str().unwrap()]);
    ctx.git(&["push", "-q", "origin", "main"]);
    ctx.run(&["hooks", "install"]).ok();
    let lint = "{\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\",\n    \"lint\": \"eslint .\"\n  }\n}\n";
    ctx.write("package.json", lint);
    commit(&ctx, ".", "lint").ok();
    let run = ctx.run(&["scan", "--since", "HEAD~1"]);
    assert_eq!(run.code, 0, "--since: {}", run.all());
    let run = ctx.git_in(".", &["push", "-q", "origin", "main"]);
    assert_eq!(run.code, 0, "push: {}", run.all());
    // A new branch grown from main: the same.
    ctx.git(&["checkout", "-q", "-b", "feature"]);
    ctx.write("package.json", &lint.replace("eslint .", "eslint . --fix"));
    commit(&ctx, ".", "fix").ok();
    ctx.git_in(".", &["push", "-q", "origin", "feature"]).ok();
    // What the commits add still counts, for each of them.
    ctx.write("package.json", &lint.replace("\"lint\"", "\"wipe\": \"prisma db push --force-reset\",\n    \"lint\""));
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "wipe"]);
    assert_eq!(ctx.run(&["scan", "--since", "HEAD~1"]).code, 1);
    let run = ctx.git_in(".", &["push", "-q", "origin", "feature"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("prisma-db-push-force-reset") || run.all().contains("force-reset"), "{}", run.all());
    ctx.git(&["reset", "-q", "--hard", "HEAD~1"]);

    // A baseline knows one copy of a workflow line: a second copy committed is new.
    let step = "      - run: npx prisma db push --accept-data-loss\n";
    let wf = format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n{step}");
    ctx.write(".github/workflows/db.yml", &wf);
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "wf"]);
    ctx.run(&["scan", "--baseline", "write"]).ok();
    commit(&ctx, ".", "baseline").ok();
    ctx.write(".github/workflows/db.yml", &format!("{wf}{step}"));
    let run = commit(&ctx, ".", "copy");
    assert_ne!(run.code, 0, "a second copy of a baselined line is new: {}", run.all());
}

#[test]
fn a_missing_binary_stops_the_commit_with_a_message() {
    let ctx = repo();
    ctx.run(&["hooks", "install"]).ok();
    let hook = ctx.path(".git/hooks/pre-commit");
    let text = std::fs::read_to_string(&hook).unwrap();
    let exe = crate::support::bin();
    let canonical = std::fs::canonicalize(exe).unwrap();
    assert!(text.contains(canonical.to_str().unwrap()), "the hook names the installing binary");
    std::fs::write(&hook, text.replace(canonical.to_str().unwrap(), "/nonexistent/prisma-guard")).unwrap();
    ctx.write("a.txt", "a\n");
    let run = commit(&ctx, ".", "a");
    assert_ne!(run.code, 0);
    assert!(run.all().contains("prisma-guard: not installed"), "{}", run.all());
}

#[test]
fn a_staged_migration_is_judged_against_the_committed_history() {
    let ctx = repo();
    ctx.write(
        "prisma/migrations/20240101000000_init/migration.sql",
        "CREATE TABLE \"Note\" (\"id\" TEXT NOT NULL PRIMARY KEY, \"body\" TEXT NOT NULL, \"legacy\" TEXT);\n",
    );
    commit(&ctx, ".", "init").ok();
    ctx.run(&["hooks", "install"]).ok();
    // A hand-written SQLite redefinition (no Warnings block) that leaves `legacy` out: only
    // the earlier migration says the column existed.
    ctx.write(
        "prisma/migrations/20240201000000_redefine/migration.sql",
        "-- RedefineTables\nPRAGMA foreign_keys=OFF;\nCREATE TABLE \"new_Note\" (\"id\" TEXT NOT NULL PRIMARY KEY, \"body\" TEXT NOT NULL);\nINSERT INTO \"new_Note\" (\"body\", \"id\") SELECT \"body\", \"id\" FROM \"Note\";\nDROP TABLE \"Note\";\nALTER TABLE \"new_Note\" RENAME TO \"Note\";\nPRAGMA foreign_keys=ON;\n",
    );
    let run = commit(&ctx, ".", "redefine");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]: redefines table `Note` without column `legacy`"), "{}", run.all());
}

/// Issue 22: `git commit -a`, `-am` and `git commit <path>` make git build a temporary index
/// (`GIT_INDEX_FILE`); the pre-commit scan reads that one, so these forms are blocked too.
#[test]
fn commit_all_and_commit_path_forms_are_scanned() {
    let ctx = repo();
    ctx.run(&["hooks", "install"]).ok();
    ctx.write(MIG, GOOD);
    commit(&ctx, ".", "add nickname").ok();
    for args in
        [&["commit", "-qam", "drop bio"][..], &["commit", "-qa", "-m", "drop bio"], &["commit", "-qm", "drop bio", MIG]]
    {
        ctx.write(MIG, BAD);
        let run = ctx.git_in(".", args);
        assert_ne!(run.code, 0, "{args:?} must be blocked:\n{}", run.all());
        assert!(run.all().contains("error[drop-column]"), "{args:?}: {}", run.all());
        assert_eq!(ctx.git(&["rev-list", "--count", "HEAD"]).stdout.trim(), "2", "{args:?}: nothing was committed");
    }
    // After a `git mv` of the migration's folder too.
    ctx.git(&["checkout", "--", MIG]);
    ctx.git(&["mv", "prisma/migrations/20240201000000_change", "prisma/migrations/20240202000000_change"]);
    ctx.write("prisma/migrations/20240202000000_change/migration.sql", BAD);
    let run = ctx.git_in(".", &["commit", "-qam", "rename and drop"]);
    assert_ne!(run.code, 0, "{}", run.all());
}

/// prisma-guard on PATH (as a teammate who installed it has it), for hooks that call it by name.
fn with_guard_on_path(ctx: &mut TestContext) {
    let dir = ctx.path("tools");
    std::fs::create_dir_all(&dir).unwrap();
    let _ = std::os::unix::fs::symlink(crate::support::bin(), dir.join("prisma-guard"));
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    ctx.set_env("PATH", &path);
}

/// Issue 22: husky found from package.json before its first install (wired into `.husky/`,
/// where its `prepare` will point git), husky v8 (`core.hooksPath=.husky`) and a committed
/// `.githooks/` folder: the team's hooks stay in place, ours is a line in them that names no
/// path of this machine, blocks a destructive migration, tells a teammate without prisma-guard
/// what to do, and goes away on uninstall leaving the files as they were.
#[test]
fn team_hook_setups_keep_their_hooks_and_work_for_every_teammate() {
    // husky in package.json, not installed yet.
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    ctx.write(
        "package.json",
        "{\"devDependencies\": {\"husky\": \"^9.1.0\"}, \"scripts\": {\"prepare\": \"husky\"}}\n",
    );
    let run = ctx.run(&["hooks", "install"]);
    run.ok();
    assert!(run.stdout.contains("husky manages the hooks"), "{}", run.stdout);
    assert!(ctx.path(".husky/pre-commit").is_file());
    assert!(!ctx.path(".git/hooks/pre-commit").exists(), "not into .git/hooks, which husky's prepare bypasses");
    // What husky v9's install does: core.hooksPath=.husky/_, whose scripts run .husky/<hook>.
    ctx.write(".husky/_/pre-commit", "#!/bin/sh\nexec sh \"$(dirname \"$0\")/../pre-commit\" \"$@\"\n");
    std::process::Command::new("chmod")
        .args(["+x", ctx.path(".husky/_/pre-commit").to_str().unwrap()])
        .status()
        .unwrap();
    ctx.git(&["config", "core.hooksPath", ".husky/_"]);
    ctx.write(MIG, BAD);
    let run = commit(&ctx, ".", "drop bio");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());

    // A committed .githooks folder with the team's own hook.
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    // A team hook that ends in `exit 0`, without `set -e`: a failed scan must still stop.
    let team = "#!/bin/sh\necho team-check-ran\nexit 0\n";
    ctx.write(".githooks/pre-commit", team);
    std::process::Command::new("chmod")
        .args(["+x", ctx.path(".githooks/pre-commit").to_str().unwrap()])
        .status()
        .unwrap();
    commit(&ctx, ".", "team hooks").ok();
    ctx.git(&["config", "core.hooksPath", ".githooks"]);
    let run = ctx.run(&["hooks", "install"]);
    run.ok();
    let hook = std::fs::read_to_string(ctx.path(".githooks/pre-commit")).unwrap();
    assert!(
        hook.starts_with("#!/bin/sh\n") && hook.ends_with("\necho team-check-ran\nexit 0\n"),
        "the team's hook stays in place, after our line: {hook}"
    );
    let exe = std::fs::canonicalize(crate::support::bin()).unwrap();
    assert!(!hook.contains(exe.to_str().unwrap()), "no path of this machine in a committed hook: {hook}");
    let status = ctx.git(&["status", "--porcelain"]).stdout;
    assert!(!status.contains("chained"), "nothing moved aside: {status}");
    // The team's hook still runs (after the scan) on a clean commit.
    ctx.write("notes.txt", "x\n");
    let run = commit(&ctx, ".", "notes");
    run.ok();
    assert!(run.all().contains("team-check-ran"), "{}", run.all());
    ctx.write(MIG, BAD);
    let run = commit(&ctx, ".", "drop bio");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    // A teammate without prisma-guard is told what to do, and the commit waits.
    let out = std::process::Command::new("git")
        .args(["commit", "-qam", "x"])
        .current_dir(ctx.root())
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", ctx.path("home"))
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@e")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@e")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("prisma-guard is not installed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ctx.run(&["hooks", "uninstall"]).ok();
    assert_eq!(std::fs::read_to_string(ctx.path(".githooks/pre-commit")).unwrap(), team);
    assert!(!ctx.path(".githooks/pre-push").exists());

    // husky v8: core.hooksPath=.husky, scripts source its helper.
    let ctx = repo();
    let v8 = "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\nnpx lint-staged\n";
    ctx.write(".husky/pre-commit", v8);
    ctx.write(".husky/_/husky.sh", "#!/usr/bin/env sh\n");
    ctx.git(&["config", "core.hooksPath", ".husky"]);
    ctx.run(&["hooks", "install"]).ok();
    let hook = std::fs::read_to_string(ctx.path(".husky/pre-commit")).unwrap();
    let header = "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\n";
    assert!(hook.starts_with(header) && hook.ends_with("\nnpx lint-staged\n"), "{hook}");
    assert!(hook.contains("prisma-guard scan --staged"), "{hook}");
    assert!(std::fs::read_to_string(ctx.path(".husky/pre-push")).unwrap().contains("_/husky.sh"));
    assert!(!ctx.path(".husky/pre-commit.prisma-guard-chained").exists());
    ctx.run(&["hooks", "uninstall"]).ok();
    assert_eq!(std::fs::read_to_string(ctx.path(".husky/pre-commit")).unwrap(), v8);
    assert!(!ctx.path(".husky/pre-push").exists());
}

/// Issue 22: lefthook's other config names and formats get the commands (and give them back
/// byte for byte); `hooks status` is not "ok" until lefthook has installed git's hooks. With
/// the pre-commit framework, our hook is an entry of its config, never a script it would move
/// into "migration mode".
#[test]
fn lefthook_variants_and_the_pre_commit_framework_coexist() {
    let json =
        "{\n  \"pre-commit\": {\n    \"commands\": {\n      \"lint\": {\"run\": \"npm run lint\"}\n    }\n  }\n}\n";
    let toml = "[pre-commit.commands.lint]\nrun = \"npm run lint\"\n";
    let yml = "pre-commit:\n  commands:\n    lint:\n      run: npm run lint\n";
    for (file, text) in [("lefthook.json", json), ("lefthook.toml", toml), (".config/lefthook.yml", yml)] {
        let ctx = repo();
        ctx.write(file, text);
        ctx.run(&["hooks", "install"]).ok();
        let edited = std::fs::read_to_string(ctx.path(file)).unwrap();
        assert!(
            edited.contains("prisma-guard scan --staged") && edited.contains("prisma-guard scan --pre-push"),
            "{file}: {edited}"
        );
        assert!(edited.contains("npm run lint"), "{file}: {edited}");
        let run = ctx.run(&["hooks", "status"]);
        assert_eq!(run.code, 1, "{file}: not installed by lefthook yet: {}", run.all());
        assert!(run.stdout.contains("fix: lefthook install"), "{}", run.stdout);
        for hook in ["pre-commit", "pre-push"] {
            ctx.write(&format!(".git/hooks/{hook}"), "#!/bin/sh\n# lefthook\nexec lefthook run \"$0\" \"$@\"\n");
        }
        // Where lefthook's hook finds it (npm's lefthook package).
        ctx.write("node_modules/lefthook/bin/index.js", "#!/usr/bin/env node\n");
        ctx.run(&["hooks", "status"]).ok();
        ctx.run(&["hooks", "uninstall"]).ok();
        assert_eq!(std::fs::read_to_string(ctx.path(file)).unwrap(), text, "{file}");
    }

    let ctx = repo();
    let config = "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n      - id: trailing-whitespace\n";
    ctx.write(".pre-commit-config.yaml", config);
    let run = ctx.run(&["hooks", "install"]);
    run.ok();
    assert!(run.stdout.contains("pre-commit framework"), "{}", run.stdout);
    assert!(!ctx.path(".git/hooks/pre-commit").exists(), "no script of ours for pre-commit to move aside");
    let edited = std::fs::read_to_string(ctx.path(".pre-commit-config.yaml")).unwrap();
    assert!(
        edited.starts_with(config) && edited.contains("  - repo: local\n    hooks:\n      - id: prisma-guard\n"),
        "{edited}"
    );
    let run = ctx.run(&["hooks", "status"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("pre-commit install"), "{}", run.stdout);
    ctx.write(".git/hooks/pre-commit", "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n");
    ctx.run(&["hooks", "status"]).ok();
    ctx.run(&["hooks", "uninstall"]).ok();
    assert_eq!(std::fs::read_to_string(ctx.path(".pre-commit-config.yaml")).unwrap(), config);
}

/// Issue 22, adoption on an old repository: `scan --baseline write` records today's findings;
/// later scans report only new ones (a moved line stays known, a new copy does not); the
/// baseline counts only as committed; the first commit after `init` is not blocked by a
/// package.json script the repository always had; the first push to a new remote compares
/// with what a remote already has instead of scanning all history.
#[test]
fn an_old_repository_adopts_prisma_guard_with_a_baseline() {
    let ctx = repo();
    ctx.write("package.json", "{\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\"\n  }\n}\n");
    ctx.write("prisma/migrations/20230101000000_old/migration.sql", "DROP TABLE \"Legacy\";\n");
    commit(&ctx, ".", "old history").ok();
    assert_eq!(ctx.run(&["scan"]).code, 1, "the old findings are there");

    // A first push to a new remote: only what is new since what a remote has (the old
    // history is on `origin`, the repository it came from).
    ctx.git_in(".", &["init", "-q", "--bare", "remote.git"]).ok();
    ctx.git_in(".", &["init", "-q", "--bare", "mirror.git"]).ok();
    ctx.write(".gitignore", "remote.git/\nmirror.git/\n");
    commit(&ctx, ".", "ignore").ok();
    ctx.git(&["remote", "add", "origin", ctx.path("remote.git").to_str().unwrap()]);
    ctx.git(&["push", "-q", "origin", "main"]);
    ctx.git(&["remote", "add", "mirror", ctx.path("mirror.git").to_str().unwrap()]);
    ctx.run(&["hooks", "install"]).ok();
    ctx.git(&["checkout", "-q", "-b", "feature"]);
    ctx.write("notes.md", "x\n");
    commit(&ctx, ".", "notes").ok();
    let run = ctx.git_in(".", &["push", "-q", "mirror", "feature"]);
    assert_eq!(run.code, 0, "the old history is not scanned on a first push: {}", run.all());
    let run = ctx.git_in(".", &["push", "-q", "mirror", "main"]);
    assert_eq!(run.code, 0, "nor when pushing the default branch itself: {}", run.all());
    ctx.git(&["checkout", "-q", "main"]);

    // The first commit that touches package.json (init adds scripts) is not blocked by the
    // script it always had; a new destructive script is.
    ctx.write("package.json", "{\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\",\n    \"db:backup\": \"prisma-guard backup\"\n  }\n}\n");
    commit(&ctx, ".", "scripts").ok();
    ctx.write("package.json", "{\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\",\n    \"db:backup\": \"prisma-guard backup\",\n    \"db:wipe\": \"prisma db push --force-reset\"\n  }\n}\n");
    let run = commit(&ctx, ".", "wipe");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("package.json:5") && !run.all().contains("package.json:3:"), "{}", run.all());
    ctx.git(&["checkout", "HEAD", "--", "package.json"]);

    // The baseline.
    let run = ctx.run(&["scan", "--baseline", "write"]);
    run.ok();
    assert!(run.stdout.contains("recorded 2 known findings"), "{}", run.stdout);
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 1, "not committed yet, so it does not count: {}", run.all());
    assert!(run.stderr.contains("is not committed"), "{}", run.stderr);
    commit(&ctx, ".", "baseline").ok();
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("2 known findings"), "{}", run.stderr);
    // Moved: still known. A second copy and a new migration: new.
    ctx.write("package.json", "{\n  \"name\": \"app\",\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\",\n    \"db:backup\": \"prisma-guard backup\"\n  }\n}\n");
    assert_eq!(ctx.run(&["scan"]).code, 0);
    // The known script pointed at production: a changed line is new.
    ctx.write("package.json", "{\n  \"name\": \"app\",\n  \"scripts\": {\n    \"db:reset\": \"DATABASE_URL=postgresql://prod.example.com/app prisma migrate reset --force\",\n    \"db:backup\": \"prisma-guard backup\"\n  }\n}\n");
    assert_eq!(ctx.run(&["scan"]).code, 1);
    ctx.git(&["checkout", "HEAD", "--", "package.json"]);
    ctx.write("prisma/migrations/20240101000000_new/migration.sql", "DROP TABLE \"Legacy\";\n");
    let run = ctx.run(&["scan", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("20240101000000_new") && !run.stdout.contains("20230101000000_old"), "{}", run.stdout);
    let run = ctx.run(&["scan", "--baseline", "ignore", "--format", "json"]);
    assert!(run.stdout.contains("20230101000000_old"), "{}", run.stdout);
    // An agent may not write or change it.
    assert_eq!(ctx.run(&["check", "--", "prisma-guard scan --baseline write"]).code, 3);
}

/// The real hook managers (husky and lefthook from npm, the pre-commit framework from PyPI,
/// installed by scripts/test.sh): prisma-guard's hooks installed alongside them block a
/// destructive migration, and leave ordinary commits alone.
#[test]
fn real_husky_lefthook_and_pre_commit_run_the_scan() {
    let deps = crate::guard::node_deps();
    let pre_commit = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("pre-commit")).find(|p| p.is_file()));
    let pre_commit =
        pre_commit.expect("the pre-commit framework is not installed: run ./scripts/test.sh (pip install pre-commit)");

    // husky: set up from package.json before husky's own install (its `prepare`).
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    ctx.write(".gitignore", "node_modules/\n");
    ctx.write("package.json", "{\"devDependencies\": {\"husky\": \"9.1.7\"}, \"scripts\": {\"prepare\": \"husky\"}}\n");
    std::fs::create_dir_all(ctx.path("node_modules/.bin")).unwrap();
    std::os::unix::fs::symlink(deps.join("husky"), ctx.path("node_modules/husky")).unwrap();
    ctx.run(&["hooks", "install"]).ok();
    let husky = std::process::Command::new("node")
        .arg(deps.join("husky/bin.js"))
        .current_dir(ctx.root())
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(husky.status.success(), "{}", String::from_utf8_lossy(&husky.stderr));
    assert_eq!(ctx.git(&["config", "core.hooksPath"]).stdout.trim(), ".husky/_");
    ctx.write(MIG, BAD);
    let run = commit(&ctx, ".", "drop bio");
    assert_ne!(run.code, 0, "husky ran the scan: {}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    ctx.write(MIG, GOOD);
    commit(&ctx, ".", "add nickname").ok();

    // lefthook: configured, then installed by lefthook itself (its git hook finds lefthook
    // on PATH, as for a team that installed it).
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    let path = format!("{}:{}", deps.join(".bin").display(), ctx.env_var("PATH"));
    ctx.set_env("PATH", &path);
    ctx.write("lefthook.yml", "pre-commit:\n  commands:\n    hello:\n      run: echo lefthook-ran\n");
    commit(&ctx, ".", "lefthook").ok();
    ctx.run(&["hooks", "install"]).ok();
    assert_eq!(ctx.run(&["hooks", "status"]).code, 1, "not installed by lefthook yet");
    let lefthook = std::process::Command::new(deps.join(".bin/lefthook"))
        .arg("install")
        .current_dir(ctx.root())
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(lefthook.status.success(), "{}", String::from_utf8_lossy(&lefthook.stderr));
    ctx.run(&["hooks", "status"]).ok();
    ctx.write(MIG, BAD);
    let run = commit(&ctx, ".", "drop bio");
    assert_ne!(run.code, 0, "lefthook ran the scan: {}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    ctx.write(MIG, GOOD);
    commit(&ctx, ".", "add nickname").ok();

    // The pre-commit framework: `pre-commit install; prisma-guard hooks install; pre-commit
    // install` leaves commits working, and the scan blocks the destructive one.
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    ctx.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n    hooks:\n      - id: hello\n        name: hello\n        entry: echo pre-commit-ran\n        language: system\n        pass_filenames: false\n",
    );
    commit(&ctx, ".", "pre-commit config").ok();
    let pc = |args: &[&str]| {
        let out = std::process::Command::new(&pre_commit)
            .args(args)
            .current_dir(ctx.root())
            .env("HOME", ctx.path("home"))
            .env("PATH", std::env::var("PATH").unwrap())
            .output()
            .unwrap();
        assert!(out.status.success(), "pre-commit {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    pc(&["install"]);
    ctx.run(&["hooks", "install"]).ok();
    pc(&["install"]);
    ctx.run(&["hooks", "status"]).ok();
    ctx.write("notes.md", "x\n");
    let run = commit(&ctx, ".", "notes");
    assert_eq!(run.code, 0, "an ordinary commit works: {}", run.all());
    ctx.write(MIG, BAD);
    let run = commit(&ctx, ".", "drop bio");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
}

/// Issue 22: the GitHub Actions template's scan step, run as the workflow runs it: on a push it
/// checks what the push changed (`github.event.before`), so the first push after adopting the
/// template is not failed by findings the repository already had; a new destructive migration
/// still fails it.
#[test]
fn the_ci_template_checks_what_a_push_changes() {
    let template = include_str!("../../templates/ci/github-actions.yml");
    let start = template.find("- name: Scan (annotations)").unwrap();
    let block = &template[start..];
    let run_at = block.find("run: |").unwrap() + "run: |".len();
    let script: String = block[run_at..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("          ") || l.trim().is_empty())
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    ctx.write("prisma/migrations/20230101000000_old/migration.sql", "DROP TABLE \"Legacy\";\n");
    commit(&ctx, ".", "old").ok();
    let before = ctx.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    ctx.write(".github/workflows/prisma-guard.yml", template);
    commit(&ctx, ".", "add the workflow").ok();
    let step = |before: &str| {
        std::process::Command::new("bash")
            .args(["-e", "-c", &script])
            .current_dir(ctx.root())
            .env("PATH", ctx.env_var("PATH"))
            .env("HOME", ctx.path("home"))
            .env("BEFORE", before)
            .env("GITHUB_BASE_REF", "")
            .output()
            .unwrap()
    };
    let out = step(&before);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    ctx.write(MIG, BAD);
    commit(&ctx, ".", "drop bio").ok();
    let out = step(&before);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("drop-column"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("20230101000000_old"));
}

/// Review finding: an AI agent cannot make its own allow-list count by committing it (`git
/// commit -a`, `git add -A`): the pre-commit hook refuses a commit by an agent that holds
/// prisma-guard.toml or the scan baseline; a person's commit of the same file goes through.
#[test]
fn an_agent_may_not_commit_the_guards_settings() {
    let mut ctx = repo();
    ctx.run(&["hooks", "install"]).ok();
    ctx.write("prisma-guard.toml", "[scan]\n");
    commit(&ctx, ".", "settings").ok();
    ctx.write("prisma-guard.toml", "[[guard.allow]]\ndatabase = \"*\"\nbackup = false\n");
    ctx.set_env("CLAUDECODE", "1");
    for args in [&["commit", "-qam", "wip"][..], &["commit", "-qm", "wip", "--", "."]] {
        let run = ctx.git_in(".", args);
        assert_ne!(run.code, 0, "{args:?}: {}", run.all());
        assert!(run.all().contains("may not commit prisma-guard.toml"), "{}", run.all());
    }
    ctx.git(&["add", "-A"]);
    assert_ne!(ctx.git_in(".", &["commit", "-qm", "wip"]).code, 0);
    assert_eq!(ctx.git(&["rev-list", "--count", "HEAD"]).stdout.trim(), "2", "nothing was committed");
    ctx.set_env("CLAUDECODE", "");
    commit(&ctx, ".", "a person commits it").ok();
}

/// Review (issue 22, second round): a migration.sql committed as a symbolic link is read
/// where it leads in the staged content (as the checkout Prisma reads would), not as the
/// link's text; a link that leads nowhere in the commit stops the commit with the reason.
#[test]
fn a_symlinked_migration_is_read_where_it_leads() {
    let ctx = repo();
    ctx.run(&["hooks", "install"]).ok();
    ctx.write("sql/drop.txt", BAD);
    std::fs::create_dir_all(ctx.path("prisma/migrations/20240105000000_e")).unwrap();
    std::os::unix::fs::symlink("../../../sql/drop.txt", ctx.path("prisma/migrations/20240105000000_e/migration.sql"))
        .unwrap();
    ctx.git(&["add", "-A"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("error[drop-column]"), "{}", run.all());
    let run = ctx.git_in(".", &["commit", "-qm", "linked drop"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    // The link's target left out of the commit: it leads nowhere there.
    ctx.git(&["rm", "-q", "--cached", "sql/drop.txt"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("symbolic link to sql/drop.txt"), "{}", run.all());
    assert_ne!(ctx.git_in(".", &["commit", "-qm", "dangling"]).code, 0);
    assert_eq!(ctx.git(&["rev-list", "--count", "HEAD"]).stdout.trim(), "1", "nothing was committed");
}

/// Review (issue 22, second round): a team's committed pre-push that reads git's input (a
/// `while read` loop, as `git lfs pre-push` does) still lets prisma-guard see the pushed refs:
/// our line runs first with its own copy, and the team's loop gets the same lines. A hook
/// whose earlier code swallowed the input is not a clean scan.
#[test]
fn pre_push_scans_even_when_the_team_hook_reads_stdin() {
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    ctx.git_in(".", &["init", "-q", "--bare", "remote.git"]).ok();
    ctx.write(".gitignore", "remote.git/\ntools/\n");
    let team =
        "#!/bin/sh\nset -e\necho team-pre-push\nwhile read lref lsha rref rsha; do echo \"checking $lref\"; done\n";
    ctx.write(".githooks/pre-push", team);
    let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(ctx.path(".githooks/pre-push"), mode).unwrap();
    ctx.git(&["config", "core.hooksPath", ".githooks"]);
    commit(&ctx, ".", "team hooks").ok();
    ctx.git(&["remote", "add", "origin", ctx.path("remote.git").to_str().unwrap()]);
    ctx.git(&["push", "-q", "origin", "main"]);
    ctx.run(&["hooks", "install"]).ok();
    ctx.run(&["hooks", "status"]).ok();
    let hook = std::fs::read_to_string(ctx.path(".githooks/pre-push")).unwrap();
    assert!(
        hook.ends_with(
            "set -e\necho team-pre-push\nwhile read lref lsha rref rsha; do echo \"checking $lref\"; done\n"
        ),
        "{hook}"
    );

    ctx.write(MIG, BAD);
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "bad"]);
    let run = ctx.git_in(".", &["push", "origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    ctx.write(MIG, GOOD);
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "fix"]);
    let run = ctx.git_in(".", &["push", "origin", "main"]);
    run.ok();
    assert!(run.all().contains("checking refs/heads/main"), "the team's loop got the refs too: {}", run.all());
    // Nothing to push: git gives no refs, and that is fine.
    ctx.git_in(".", &["push", "origin", "main"]).ok();

    // An old install, our line after the team's loop: status says so, install puts it first.
    let old = format!("{team}command -v prisma-guard >/dev/null 2>&1 || exit 1; prisma-guard scan --pre-push || exit $? # prisma-guard\n");
    ctx.write(".githooks/pre-push", &old);
    let status = ctx.run(&["hooks", "status"]);
    assert_ne!(status.code, 0, "{}", status.all());
    assert!(status.all().contains("not first"), "{}", status.all());
    ctx.write("prisma/migrations/20240301000000_x/migration.sql", BAD);
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "bad again"]);
    let run = ctx.git_in(".", &["push", "origin", "main"]);
    assert_ne!(run.code, 0, "the loop read the refs first; no clean pass: {}", run.all());
    assert!(run.all().contains("no pushed refs"), "{}", run.all());
    ctx.run(&["hooks", "install"]).ok();
    ctx.run(&["hooks", "status"]).ok();
    let run = ctx.git_in(".", &["push", "origin", "main"]);
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
}

/// Review (issue 22, second round): a `skip` in lefthook's local config makes the real
/// lefthook skip prisma-guard's command; `hooks status` says so instead of "ok".
#[test]
fn a_lefthook_local_skip_is_reported_by_status() {
    let deps = crate::guard::node_deps();
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    let path = format!("{}:{}", deps.join(".bin").display(), ctx.env_var("PATH"));
    ctx.set_env("PATH", &path);
    ctx.write(".gitignore", "tools/\nlefthook-local.yml\n");
    ctx.write("lefthook.yml", "pre-commit:\n  commands:\n    hello:\n      run: echo lefthook-ran\n");
    commit(&ctx, ".", "lefthook").ok();
    ctx.run(&["hooks", "install"]).ok();
    let lefthook = std::process::Command::new(deps.join(".bin/lefthook"))
        .arg("install")
        .current_dir(ctx.root())
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(lefthook.status.success(), "{}", String::from_utf8_lossy(&lefthook.stderr));
    ctx.run(&["hooks", "status"]).ok();
    for local in [
        "pre-commit:\n  commands:\n    prisma-guard:\n      skip: true\n",
        "pre-commit:\n  skip:\n    - merge\n    - rebase\n    - ref: main\n",
        "pre-commit:\n  commands:\n    prisma-guard:\n      run: \"true\"\n",
    ] {
        ctx.write("lefthook-local.yml", local);
        let status = ctx.run(&["hooks", "status"]);
        assert_eq!(status.code, 1, "{local}: {}", status.all());
        assert!(status.all().contains("lefthook-local.yml"), "{}", status.all());
    }
    // The first one really does make lefthook skip the scan.
    ctx.write("lefthook-local.yml", "pre-commit:\n  commands:\n    prisma-guard:\n      skip: true\n");
    ctx.write(MIG, BAD);
    commit(&ctx, ".", "drop bio").ok();
    std::fs::remove_file(ctx.path("lefthook-local.yml")).unwrap();
    ctx.run(&["hooks", "status"]).ok();
    assert_eq!(ctx.run(&["check", "--", "echo 'pre-commit: {skip: true}' > lefthook-local.yaml"]).code, 3);
}

/// Review (issue 22, second round): husky 9's hooks folder `.husky/_` is git-ignored, so a new
/// linked worktree has none and git runs no hook there. `hooks status` says so (with `npx
/// husky` as the fix), an agent's commit there (or after `git worktree add` on the same line)
/// is refused, and once husky ran in the worktree the scan blocks again. Hooks written after
/// husky 9's install carry none of the lines husky 9 deprecates.
#[test]
fn husky_in_a_new_worktree_is_reported_and_agents_cannot_commit_there() {
    let deps = crate::guard::node_deps();
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    ctx.write(".gitignore", "node_modules/\ntools/\nwt/\n");
    ctx.write("package.json", "{\"devDependencies\": {\"husky\": \"9.1.7\"}, \"scripts\": {\"prepare\": \"husky\"}}\n");
    std::fs::create_dir_all(ctx.path("node_modules")).unwrap();
    std::os::unix::fs::symlink(deps.join("husky"), ctx.path("node_modules/husky")).unwrap();
    let husky = |dir: &std::path::Path| {
        let out = std::process::Command::new("node")
            .arg(deps.join("husky/bin.js"))
            .current_dir(dir)
            .env("PATH", std::env::var("PATH").unwrap())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    husky(ctx.root());
    ctx.run(&["hooks", "install"]).ok();
    let pre_push = std::fs::read_to_string(ctx.path(".husky/pre-push")).unwrap();
    assert!(!pre_push.contains("husky.sh"), "husky 9 format: {pre_push}");
    commit(&ctx, ".", "husky").ok();
    ctx.write(MIG, GOOD);
    let run = commit(&ctx, ".", "good");
    run.ok();
    assert!(!run.all().contains("DEPRECATED"), "{}", run.all());

    ctx.git(&["worktree", "add", "-q", "-b", "feat3", "wt"]);
    let in_wt = |args: &[&str]| ctx.run(&[&["-C", "wt"][..], args].concat());
    let status = in_wt(&["hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.all().contains("git runs no pre-commit hook"), "{}", status.all());
    let doctor = in_wt(&["doctor"]);
    assert!(doctor.all().contains("npx husky"), "{}", doctor.all());
    let run = in_wt(&["check", "--", "git commit -am x"]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert_eq!(in_wt(&["check", "--", "git push"]).code, 3);
    let run = ctx.run(&["check", "--", "git worktree add ../wt2 && cd ../wt2 && git commit -am x"]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.all().contains("npx husky"), "{}", run.all());
    assert_eq!(ctx.run(&["check", "--", "git commit -am x"]).code, 0, "the main worktree has husky's folder");
    // husky run in the worktree: its hooks run there too.
    husky(&ctx.path("wt"));
    in_wt(&["hooks", "status"]).ok();
    ctx.write(&format!("wt/{MIG}"), BAD);
    let run = commit(&ctx, "wt", "drop");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
}

/// Review (issue 22, round 3): in a one-line package.json every script shares a line; after
/// a baseline, `init` adding its scripts to that line leaves the known script known (scan and
/// the pre-commit hook alike), while a new destructive script on it is still new.
#[test]
fn a_compact_package_json_keeps_its_baselined_scripts_known_after_init() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(
        "package.json",
        "{\"name\":\"gf\",\"private\":true,\"scripts\":{\"db:reset\":\"prisma migrate reset --force\"}}\n",
    );
    ctx.prisma7_project("sqlite", "file:./dev.db");
    commit(&ctx, ".", "old").ok();
    ctx.run(&["scan", "--baseline", "write"]).ok();
    commit(&ctx, ".", "baseline").ok();
    ctx.run(&["init"]).ok();
    assert!(std::fs::read_to_string(ctx.path("package.json")).unwrap().contains("prisma-guard"));
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = commit(&ctx, ".", "init");
    assert_eq!(run.code, 0, "the init commit is not blocked: {}", run.all());
    let text = std::fs::read_to_string(ctx.path("package.json")).unwrap();
    ctx.write(
        "package.json",
        &text.replacen("\"scripts\":{", "\"scripts\":{\"db:wipe\":\"prisma db push --force-reset\",", 1),
    );
    let run = commit(&ctx, ".", "wipe");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("prisma-force-reset") && !run.all().contains("prisma-migrate-reset"), "{}", run.all());
}

/// Review (issue 22, round 3): husky's hook runs only when git runs husky's folder: a fresh
/// clone before `npm install` (core.hooksPath unset) or a config without core.hooksPath runs
/// none, and status and doctor say so, with the fix, instead of "runs prisma-guard".
#[test]
fn husky_status_checks_that_git_runs_husky() {
    let ctx = repo();
    ctx.write("package.json", "{\"devDependencies\": {\"husky\": \"9.1.7\"}, \"scripts\": {\"prepare\": \"husky\"}}\n");
    ctx.run(&["hooks", "install"]).ok();
    commit(&ctx, ".", "husky hooks").ok();
    // As in a fresh clone: the hooks are committed, husky has not been installed.
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(
        status.stdout.contains("git runs no pre-commit hook") && status.stdout.contains("fix: npm install"),
        "{}",
        status.all()
    );
    let doctor = ctx.run(&["doctor"]);
    assert!(doctor.all().contains("git runs no pre-push hook"), "{}", doctor.all());
    // What husky's install does.
    std::fs::create_dir_all(ctx.path(".husky/_")).unwrap();
    ctx.git(&["config", "core.hooksPath", ".husky/_"]);
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 0, "{}", status.all());
    assert!(status.stdout.contains("(husky): runs prisma-guard"), "{}", status.all());
    ctx.git(&["config", "--remove-section", "core"]);
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.stdout.contains("core.hooksPath is not set"), "{}", status.all());
}

/// Review (issue 22, round 3): lefthook's git hook runs nothing when it cannot find lefthook
/// ("Can't find lefthook in PATH", and the commit passes): in a linked worktree without
/// node_modules, or after node_modules moved away. Status looks for lefthook as that hook does.
#[test]
fn lefthook_status_checks_that_its_hook_can_find_lefthook() {
    let deps = crate::guard::node_deps();
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    ctx.write(".gitignore", "node_modules\ntools/\n");
    ctx.write("lefthook.yml", "pre-commit:\n  commands:\n    hello:\n      run: echo lefthook-ran\n");
    std::os::unix::fs::symlink(&deps, ctx.path("node_modules")).unwrap();
    ctx.run(&["hooks", "install"]).ok();
    commit(&ctx, ".", "lefthook").ok();
    let lefthook = std::process::Command::new(deps.join(".bin/lefthook"))
        .arg("install")
        .current_dir(ctx.root())
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(lefthook.status.success(), "{}", String::from_utf8_lossy(&lefthook.stderr));
    // Found in the working tree's node_modules, as the hook finds it.
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 0, "{}", status.all());
    // A linked worktree has no node_modules: the hook prints "Can't find lefthook in PATH".
    ctx.git(&["worktree", "add", "-q", "wt"]);
    let mut wt = ctx.cmd(&["hooks", "status"]);
    let status = crate::support::Run::from(wt.current_dir(ctx.path("wt")).output().unwrap());
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.stdout.contains("cannot find lefthook"), "{}", status.all());
    assert!(status.stdout.contains("fix: npm install"), "{}", status.all());
    // The main working tree with node_modules moved away.
    std::fs::rename(ctx.path("node_modules"), ctx.path("elsewhere")).unwrap();
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(status.stdout.contains("cannot find lefthook"), "{}", status.all());
    // On PATH, as a team that installed it globally has it.
    let path = format!("{}:{}", deps.join(".bin").display(), ctx.env_var("PATH"));
    ctx.set_env("PATH", &path);
    ctx.run(&["hooks", "status"]).ok();
}

/// Review (issue 22, round 3): a lefthook-local override of prisma-guard's command is fixed
/// by taking it out of that file, not by `lefthook install`: the fix line names file and key.
#[test]
fn lefthook_local_overrides_are_fixed_in_the_local_file() {
    let ctx = repo();
    ctx.write("lefthook.yml", "pre-commit:\n  commands:\n    lint:\n      run: npm run lint\n");
    ctx.run(&["hooks", "install"]).ok();
    for hook in ["pre-commit", "pre-push"] {
        ctx.write(&format!(".git/hooks/{hook}"), "#!/bin/sh\n# lefthook\nexec lefthook run \"$0\" \"$@\"\n");
    }
    for (local, file, fix) in [
        (
            "lefthook-local.yml",
            "pre-commit:\n  commands:\n    prisma-guard:\n      run: \"true\"\n",
            "fix: take `pre-commit: commands: prisma-guard:` out of lefthook-local.yml",
        ),
        (
            "lefthook-local.toml",
            "[pre-commit.commands.prisma-guard]\nskip = true\n",
            "fix: take `skip` out of `pre-commit: commands: prisma-guard:` in lefthook-local.toml",
        ),
        (
            "lefthook-local.yml",
            "pre-push:\n  exclude_tags: [db]\n",
            "fix: take `exclude_tags` out of `pre-push:` in lefthook-local.yml",
        ),
    ] {
        ctx.write(local, file);
        let status = ctx.run(&["hooks", "status"]);
        assert_eq!(status.code, 1, "{file}: {}", status.all());
        assert!(
            status.stdout.contains(fix) && !status.stdout.contains("fix: lefthook install"),
            "{file}: {}",
            status.all()
        );
        std::fs::remove_file(ctx.path(local)).unwrap();
    }
}

/// Review (issue 22, round 3): a committed hook script keeps the mode the team gave it:
/// husky 9 runs `.husky/pre-commit` with `sh`, so a 100644 script stays 100644; a committed
/// folder's script must be executable for git to run it, and uninstall gives back the mode
/// that was committed. After uninstall, git sees no change at all.
#[test]
fn install_and_uninstall_keep_the_committed_mode_of_hook_scripts() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |ctx: &TestContext, rel: &str| std::fs::metadata(ctx.path(rel)).unwrap().permissions().mode() & 0o777;
    let ctx = repo();
    ctx.write("package.json", "{\"devDependencies\": {\"husky\": \"9.1.7\"}, \"scripts\": {\"prepare\": \"husky\"}}\n");
    ctx.write(".husky/pre-commit", "npm test\n");
    std::fs::set_permissions(ctx.path(".husky/pre-commit"), std::fs::Permissions::from_mode(0o644)).unwrap();
    ctx.write(".gitignore", ".husky/_\n");
    commit(&ctx, ".", "husky").ok();
    std::fs::create_dir_all(ctx.path(".husky/_")).unwrap();
    ctx.git(&["config", "core.hooksPath", ".husky/_"]);
    ctx.run(&["hooks", "install"]).ok();
    assert_eq!(mode(&ctx, ".husky/pre-commit"), 0o644, "husky 9 needs no +x");
    ctx.run(&["hooks", "uninstall"]).ok();
    assert_eq!(ctx.git(&["status", "--porcelain"]).stdout, "", "as committed");

    let ctx = repo();
    ctx.write(".githooks/pre-commit", "#!/bin/sh\necho team\n");
    std::fs::set_permissions(ctx.path(".githooks/pre-commit"), std::fs::Permissions::from_mode(0o644)).unwrap();
    commit(&ctx, ".", "team hooks").ok();
    ctx.git(&["config", "core.hooksPath", ".githooks"]);
    ctx.run(&["hooks", "install"]).ok();
    assert_eq!(mode(&ctx, ".githooks/pre-commit") & 0o111, 0o111, "git runs only executable hooks");
    ctx.run(&["hooks", "uninstall"]).ok();
    assert_eq!(ctx.git(&["status", "--porcelain"]).stdout, "", "as committed");
}

/// Review (issue 22, round 3): the lefthook and pre-commit framework entries are committed
/// for the whole team; a teammate without prisma-guard is told how to get it, and the commit
/// stops (not "prisma-guard: not found", not a pass).
#[test]
fn lefthook_and_pre_commit_entries_tell_a_teammate_without_prisma_guard_what_to_do() {
    let deps = crate::guard::node_deps();
    // lefthook, found on PATH as a team that installed it has it; no prisma-guard there.
    let mut ctx = repo();
    let path = format!("{}:{}", deps.join(".bin").display(), ctx.env_var("PATH"));
    ctx.set_env("PATH", &path);
    ctx.write("lefthook.yml", "pre-commit:\n  commands:\n    hello:\n      run: echo lefthook-ran\n");
    ctx.run(&["hooks", "install"]).ok();
    let lefthook = std::process::Command::new(deps.join(".bin/lefthook"))
        .arg("install")
        .current_dir(ctx.root())
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(lefthook.status.success(), "{}", String::from_utf8_lossy(&lefthook.stderr));
    ctx.write("notes.md", "x\n");
    let run = commit(&ctx, ".", "notes");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("prisma-guard is not installed") && run.all().contains("lefthook-ran"), "{}", run.all());

    // The pre-commit framework.
    let pre_commit = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("pre-commit")).find(|p| p.is_file()))
        .expect("the pre-commit framework is not installed: run ./scripts/test.sh (pip install pre-commit)");
    let ctx = repo();
    ctx.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n    hooks:\n      - id: hello\n        name: hello\n        entry: echo pre-commit-ran\n        language: system\n        pass_filenames: false\n",
    );
    ctx.run(&["hooks", "install"]).ok();
    let out = std::process::Command::new(&pre_commit)
        .arg("install")
        .current_dir(ctx.root())
        .env("HOME", ctx.path("home"))
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    ctx.write("notes.md", "x\n");
    let run = commit(&ctx, ".", "notes");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("prisma-guard is not installed"), "{}", run.all());
    // With prisma-guard, the same entry scans.
    let mut ctx = ctx;
    with_guard_on_path(&mut ctx);
    ctx.write(".gitignore", "tools/\n");
    let run = commit(&ctx, ".", "notes");
    assert_eq!(run.code, 0, "{}", run.all());
}

/// Review (issue 22, round 4): a team pre-commit whose code ends the hook in a branch or a
/// function (`exec` inside `if`, `exit 0` in a function) never reached a line appended after
/// it. Our line goes first, where it always runs, and `hooks status` checks that it is first.
#[test]
fn the_scan_runs_first_whatever_the_team_hook_does_after_it() {
    for team in [
        "if [ -x node_modules/.bin/lint-staged ]; then\n  exec node_modules/.bin/lint-staged\nelse\n  echo skip; exit 0\nfi\n",
        "#!/bin/sh\ncheck() {\n  echo team-check\n  exit 0\n}\ncheck\n",
    ] {
        for (folder, config) in [(".husky", ".husky/_"), (".githooks", ".githooks")] {
            let mut ctx = repo();
            with_guard_on_path(&mut ctx);
            let hook = format!("{folder}/pre-commit");
            ctx.write(&hook, team);
            std::process::Command::new("chmod").args(["+x", ctx.path(&hook).to_str().unwrap()]).status().unwrap();
            if folder == ".husky" {
                // husky 9's runner: `.husky/_/pre-commit` runs `.husky/pre-commit` with sh.
                ctx.write(".husky/_/h", "#!/usr/bin/env sh\n");
                ctx.write(".husky/_/pre-commit", "#!/bin/sh\nexec sh \"$(dirname \"$0\")/../pre-commit\" \"$@\"\n");
                std::process::Command::new("chmod")
                    .args(["+x", ctx.path(".husky/_/pre-commit").to_str().unwrap()])
                    .status()
                    .unwrap();
            }
            commit(&ctx, ".", "team hooks").ok();
            ctx.git(&["config", "core.hooksPath", config]);
            ctx.run(&["hooks", "install"]).ok();
            let status = ctx.run(&["hooks", "status"]);
            assert!(status.stdout.contains("runs prisma-guard"), "{folder}: {}", status.all());
            ctx.write(MIG, BAD);
            let run = commit(&ctx, ".", "drop bio");
            assert_ne!(run.code, 0, "{folder} {team:?}: the scan ran: {}", run.all());
            assert!(run.all().contains("error[drop-column]"), "{}", run.all());
            // A line left after the team's code (an older install) is not "ok".
            let text = std::fs::read_to_string(ctx.path(&hook)).unwrap();
            let ours: String = text.lines().filter(|l| l.contains("# prisma-guard")).map(|l| format!("{l}\n")).collect();
            let rest: String = text.lines().filter(|l| !l.contains("# prisma-guard")).map(|l| format!("{l}\n")).collect();
            ctx.write(&hook, &format!("{rest}{ours}"));
            let status = ctx.run(&["hooks", "status"]);
            assert!(status.stdout.contains("not first"), "{folder}: {}", status.all());
        }
    }
}

/// Review (issue 22, round 4): a committed hook in another language (git runs it by its
/// shebang) is never edited: `hooks install` refuses with what to add, the file stays as
/// the team wrote it, commits keep working, and `hooks status` says what is missing.
#[test]
fn a_committed_hook_in_another_language_is_not_edited() {
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    let team = "#!/usr/bin/env python3\nimport sys\nprint(\"ok\")\nsys.exit(0)\n";
    ctx.write(".githooks/pre-commit", team);
    std::process::Command::new("chmod")
        .args(["+x", ctx.path(".githooks/pre-commit").to_str().unwrap()])
        .status()
        .unwrap();
    commit(&ctx, ".", "team hooks").ok();
    ctx.git(&["config", "core.hooksPath", ".githooks"]);
    let run = ctx.run(&["hooks", "install"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("python3 script") && run.all().contains("prisma-guard scan --staged"), "{}", run.all());
    assert_eq!(std::fs::read_to_string(ctx.path(".githooks/pre-commit")).unwrap(), team);
    assert!(!ctx.path(".githooks/pre-push").exists(), "nothing changed");
    ctx.write("notes.txt", "x\n");
    commit(&ctx, ".", "still commits").ok();
    let status = ctx.run(&["hooks", "status"]);
    assert!(status.stdout.contains("python3 script"), "{}", status.all());
    assert_ne!(status.code, 0);
    // `init` sets up the rest and says why the hooks are not there.
    ctx.prisma7_project("sqlite", "file:./dev.db");
    let run = ctx.run(&["init"]);
    run.ok();
    assert!(run.stdout.contains("git hooks not installed") && run.stdout.contains("python3"), "{}", run.all());
    assert_eq!(std::fs::read_to_string(ctx.path(".githooks/pre-commit")).unwrap(), team);
}

/// Review (issue 22, round 4): a force-push over a commit this clone never fetched (the
/// remote's tip is unknown here) scans what the remote-tracking refs do not have, not all
/// history.
#[test]
fn a_force_push_over_an_unfetched_commit_does_not_rescan_history() {
    let ctx = repo();
    ctx.git_in(".", &["init", "-q", "--bare", "remote.git"]).ok();
    ctx.write(".gitignore", "remote.git/\nb/\n");
    // An old repository: history with a destructive migration, no baseline.
    ctx.write("prisma/migrations/20230101000000_old/migration.sql", "DROP TABLE \"Legacy\";\n");
    commit(&ctx, ".", "old").ok();
    ctx.git(&["remote", "add", "origin", ctx.path("remote.git").to_str().unwrap()]);
    ctx.git(&["push", "-q", "-u", "origin", "main"]).ok();
    // A teammate's clone pushes a commit this clone never fetches.
    ctx.git_in(".", &["clone", "-q", "-b", "main", ctx.path("remote.git").to_str().unwrap(), "b"]).ok();
    ctx.write("b/theirs.txt", "x\n");
    commit(&ctx, "b", "theirs").ok();
    ctx.git_in("b", &["push", "-q", "origin", "main"]).ok();
    ctx.run(&["hooks", "install"]).ok();
    ctx.write("notes.txt", "x\n");
    commit(&ctx, ".", "notes").ok();
    let run = ctx.git_in(".", &["push", "-q", "--force", "origin", "main"]);
    run.ok();
    assert!(!run.all().contains("20230101000000_old"), "history is not rescanned: {}", run.all());
    // A destructive migration in the force-pushed commits is still found.
    ctx.write(MIG, BAD);
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "bad"]);
    ctx.git_in("b", &["commit", "-q", "--allow-empty", "-m", "again"]).ok();
    ctx.git_in("b", &["push", "-q", "--force", "origin", "main"]).ok();
    let run = ctx.git_in(".", &["push", "-q", "--force", "origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]") && !run.all().contains("20230101000000_old"), "{}", run.all());
}

/// Review (issue 22, round 4): `pre-commit install -c other.yaml` writes a git hook that
/// reads another config, where prisma-guard's entry is not: agents are refused it, and
/// `hooks status` reads which config the installed hook runs, with a fix that works.
#[test]
fn status_reads_the_config_the_pre_commit_hook_runs() {
    if which::which("pre-commit").is_err() {
        panic!("the pre-commit framework is not installed: pip install pre-commit");
    }
    let ctx = repo();
    let config = "repos:\n  - repo: local\n    hooks:\n      - id: noop\n        name: noop\n        entry: 'true'\n        language: system\n";
    ctx.write(".pre-commit-config.yaml", config);
    ctx.write("other.yaml", "repos: []\n");
    ctx.run(&["hooks", "install"]).ok();
    let pc = |args: &[&str]| {
        let out = std::process::Command::new("pre-commit").args(args).current_dir(ctx.root()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    pc(&["install"]);
    ctx.run(&["hooks", "status"]).ok();
    let line = "pre-commit install -c other.yaml --overwrite";
    let run = ctx.run(&["check", "--", line]);
    assert_eq!(run.code, 3, "{}", run.all());
    pc(&["install", "-c", "other.yaml", "--overwrite"]);
    let run = ctx.run(&["hooks", "status"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("with other.yaml") && run.stdout.contains("fix: pre-commit install"), "{}", run.all());
    // The fix it gives works.
    pc(&["install"]);
    ctx.run(&["hooks", "status"]).ok();
}

/// A prisma.config.ts naming `dir` as the migrations folder.
fn config_naming(dir: &str) -> String {
    format!(
        "import {{ defineConfig }} from \"prisma/config\";\nexport default defineConfig({{\n  schema: \"prisma/schema.prisma\",\n  migrations: {{ path: \"{dir}\" }},\n}});\n"
    )
}

/// Review (issue 22, round 5): `git commit -am` and `git commit <paths>` with a
/// prisma.config.ts whose `migrations.path` changes in the same commit (the change left
/// unstaged): the config is read from the index git gives the hook, as the migrations are,
/// so the DROP in the newly named folder is found.
#[test]
fn commit_all_with_a_moved_migrations_folder_scans_the_new_folder() {
    let ctx = repo();
    ctx.write("prisma.config.ts", &config_naming("prisma/migrations"));
    commit(&ctx, ".", "config").ok();
    ctx.run(&["hooks", "install"]).ok();
    let moved = "db/migration/20250101000000_drop/migration.sql";
    for args in
        [&["commit", "-qam", "move and drop"][..], &["commit", "-qm", "move and drop", "prisma.config.ts", moved]]
    {
        ctx.write("prisma.config.ts", &config_naming("db/migration"));
        ctx.write(moved, BAD);
        ctx.git(&["add", moved]);
        let run = ctx.git_in(".", args);
        assert_ne!(run.code, 0, "{args:?} must be blocked:\n{}", run.all());
        assert!(run.all().contains("error[drop-column]") && run.all().contains(moved), "{args:?}: {}", run.all());
        assert_eq!(ctx.git(&["rev-list", "--count", "HEAD"]).stdout.trim(), "2", "{args:?}: nothing was committed");
        ctx.git(&["reset", "-q"]);
        ctx.git(&["checkout", "--", "prisma.config.ts"]);
    }
}

/// Review (issue 22, round 5): pre-push reads prisma.config.ts from the pushed commit, not
/// the working tree: a branch that moves the migrations folder and drops a table there is
/// blocked though the checked-out branch's config names another folder.
#[test]
fn pre_push_reads_the_migrations_folder_from_the_pushed_config() {
    let ctx = repo();
    ctx.git_in(".", &["init", "-q", "--bare", "remote.git"]).ok();
    ctx.write(".gitignore", "remote.git/\n");
    ctx.write("prisma.config.ts", &config_naming("prisma/migrations"));
    commit(&ctx, ".", "config").ok();
    ctx.git(&["remote", "add", "origin", ctx.path("remote.git").to_str().unwrap()]);
    ctx.git(&["push", "-q", "origin", "main"]);
    ctx.run(&["hooks", "install"]).ok();
    ctx.git(&["checkout", "-q", "-b", "feature"]);
    ctx.write("prisma.config.ts", &config_naming("migration"));
    ctx.write("migration/20250101000000_drop/migration.sql", "DROP TABLE \"User\";\n");
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "move and drop"]);
    ctx.git(&["checkout", "-q", "main"]);
    let run = ctx.git_in(".", &["push", "-q", "origin", "feature"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("migration/20250101000000_drop/migration.sql"), "{}", run.all());
    assert!(ctx.git_in(".", &["ls-remote", "--heads", "origin", "feature"]).stdout.is_empty());
}

/// Review (issue 22, round 5): a branch fetched from a fork and pushed to origin as a new
/// branch: its commits are on no branch of origin, so they are scanned (the fork's
/// remote-tracking refs do not count as already pushed).
#[test]
fn pushing_a_branch_from_a_fork_to_origin_scans_its_commits() {
    let ctx = repo();
    ctx.write(".gitignore", "remote.git/\nfork.git/\nfork/\n");
    commit(&ctx, ".", "ignore").ok();
    for bare in ["remote.git", "fork.git"] {
        ctx.git_in(".", &["init", "-q", "--bare", bare]).ok();
    }
    ctx.git(&["remote", "add", "origin", ctx.path("remote.git").to_str().unwrap()]);
    ctx.git(&["push", "-q", "origin", "main"]);
    ctx.git(&["remote", "add", "fork", ctx.path("fork.git").to_str().unwrap()]);
    ctx.git(&["push", "-q", "fork", "main"]);
    // A contributor's branch on the fork, with a destructive migration.
    ctx.git_in(".", &["clone", "-q", ctx.path("fork.git").to_str().unwrap(), "fork"]).ok();
    ctx.git_in("fork", &["checkout", "-q", "-b", "contrib"]).ok();
    ctx.write(&format!("fork/{MIG}"), BAD);
    commit(&ctx, "fork", "contrib").ok();
    ctx.git_in("fork", &["push", "-q", "origin", "contrib"]).ok();
    ctx.git(&["fetch", "-q", "fork"]);
    ctx.run(&["hooks", "install"]).ok();
    let run = ctx.git_in(".", &["push", "-q", "origin", "fork/contrib:refs/heads/contrib"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    assert!(ctx.git_in(".", &["ls-remote", "--heads", "origin", "contrib"]).stdout.is_empty());
}

/// Review round 6, defect 5: a destructive migration committed with --no-verify on `main` and
/// never pushed is on no remote: a branch made from it and pushed to a new remote carries it,
/// and the pre-push scan finds it (with another remote's history known, and with none).
#[test]
fn a_new_remote_gets_no_unpushed_commit_of_the_default_branch_unchecked() {
    for with_origin in [true, false] {
        let ctx = repo();
        ctx.write(".gitignore", "remote.git/\nbare.git/\n");
        commit(&ctx, ".", "ignore").ok();
        ctx.git_in(".", &["init", "-q", "--bare", "bare.git"]).ok();
        if with_origin {
            ctx.git_in(".", &["init", "-q", "--bare", "remote.git"]).ok();
            ctx.git(&["remote", "add", "origin", ctx.path("remote.git").to_str().unwrap()]);
            ctx.git(&["push", "-q", "origin", "main"]);
        }
        ctx.git(&["remote", "add", "bare", ctx.path("bare.git").to_str().unwrap()]);
        ctx.run(&["hooks", "install"]).ok();
        ctx.write(MIG, BAD);
        ctx.git(&["add", "-A"]);
        ctx.git(&["commit", "-q", "--no-verify", "-m", "drop bio"]);
        let run = ctx.git_in(".", &["push", "-q", "bare", "main"]);
        assert_ne!(run.code, 0, "origin: {with_origin}: {}", run.all());
        ctx.git(&["checkout", "-q", "-b", "feat"]);
        ctx.write("notes.md", "x\n");
        commit(&ctx, ".", "notes").ok();
        let run = ctx.git_in(".", &["push", "-q", "bare", "feat"]);
        assert_ne!(run.code, 0, "origin: {with_origin}: the drop on main was never pushed: {}", run.all());
        assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    }
}

/// Review round 6, defect 6: with a global core.hooksPath, the fix `hooks status` suggests
/// works in every working tree (the shared hooks folder, absolute), hooks then run in a linked
/// worktree and call the global hook; a repository that followed the old advice
/// (`core.hooksPath .git/hooks`, which a linked worktree cannot reach: `.git` is a file there)
/// is told so, and `hooks install` run there installs instead of failing.
#[test]
fn a_global_hooks_path_fix_works_in_linked_worktrees() {
    let mut ctx = repo();
    with_guard_on_path(&mut ctx);
    ctx.write(".gitignore", "linked/\ntools/\n");
    commit(&ctx, ".", "ignore").ok();
    let global = tempfile::tempdir().unwrap();
    let ran = ctx.path("global-ran");
    std::fs::write(global.path().join("pre-commit"), format!("#!/bin/sh\necho yes >> '{}'\n", ran.display())).unwrap();
    std::process::Command::new("chmod")
        .args(["+x", global.path().join("pre-commit").to_str().unwrap()])
        .status()
        .unwrap();
    ctx.git(&["config", "--global", "core.hooksPath", global.path().to_str().unwrap()]);
    ctx.git(&["worktree", "add", "-q", "linked", "-b", "side"]);

    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    let fix = status.stdout.lines().find_map(|l| l.strip_prefix("fix: ")).unwrap_or_default().to_string();
    assert!(
        fix.contains("git config --local core.hooksPath /") && !fix.contains("core.hooksPath .git"),
        "{}",
        status.stdout
    );
    // Run the suggested fix as written (up to its explanation) in the linked worktree.
    let command = fix.split(" (").next().unwrap_or_default();
    let out = std::process::Command::new("sh")
        .args(["-c", command])
        .current_dir(ctx.path("linked"))
        .env_clear()
        .envs(ctx.env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
    for dir in [".", "linked"] {
        let run = Run::from(ctx.cmd(&["hooks", "status"]).current_dir(ctx.path(dir)).output().unwrap());
        assert_eq!(run.code, 0, "{dir}: {}", run.all());
    }
    ctx.write(&format!("linked/{MIG}"), BAD);
    let run = commit(&ctx, "linked", "drop bio");
    assert_ne!(run.code, 0, "the hook runs in the linked worktree: {}", run.all());
    assert!(run.all().contains("error[drop-column]"), "{}", run.all());
    assert!(std::fs::read_to_string(&ran).is_ok_and(|t| t.contains("yes")), "the global hook ran first");
    ctx.git_in("linked", &["reset", "-q"]);
    std::fs::remove_file(ctx.path(&format!("linked/{MIG}"))).unwrap();

    // The old advice: `.git/hooks`, relative to each working tree.
    ctx.run(&["hooks", "uninstall"]).ok();
    ctx.git(&["config", "--local", "core.hooksPath", ".git/hooks"]);
    let run = Run::from(ctx.cmd(&["hooks", "install"]).current_dir(ctx.path("linked")).output().unwrap());
    assert!(!run.all().contains("Not a directory"), "{}", run.all());
    assert!(ctx.path(".git/hooks/pre-commit").is_file(), "installed in the shared folder: {}", run.all());
    assert!(run.stderr.contains("git config --local core.hooksPath /"), "{}", run.all());
    let run = Run::from(ctx.cmd(&["hooks", "status"]).current_dir(ctx.path("linked")).output().unwrap());
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("git runs no pre-commit hook in this working tree"), "{}", run.stdout);
    assert!(run.stdout.contains("fix: git config --local core.hooksPath /"), "{}", run.stdout);
}

/// Review round 6, defect 9: the pre-commit framework's own `sample-config` layout
/// (`-   repo:`) and a config with top-level keys after `repos:` get our entry in the file's own
/// layout (pre-commit itself accepts the result), every other byte kept, and uninstall gives
/// the file back byte for byte. A layout that cannot be edited line by line gets "add this
/// entry by hand" from `hooks status`, never the command that refuses.
#[test]
fn pre_commit_framework_layouts_get_the_entry_in_their_own_style() {
    let pre_commit = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("pre-commit")).find(|p| p.is_file()))
        .expect("the pre-commit framework is not installed: run ./scripts/test.sh (pip install pre-commit)");
    let sample = std::process::Command::new(&pre_commit).arg("sample-config").output().unwrap();
    assert!(sample.status.success());
    let sample = String::from_utf8(sample.stdout).unwrap();
    assert!(sample.contains("\n-   repo:"), "pre-commit's sample layout: {sample}");
    let with_exclude = "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n\n# vendored code is not ours\nexclude: '^vendor/'\nfail_fast: true\n";
    for config in [sample.as_str(), with_exclude] {
        let ctx = repo();
        ctx.write(".pre-commit-config.yaml", config);
        let run = ctx.run(&["hooks", "install"]);
        run.ok();
        let edited = std::fs::read_to_string(ctx.path(".pre-commit-config.yaml")).unwrap();
        assert!(edited.contains("id: prisma-guard"), "{edited}");
        let valid = std::process::Command::new(&pre_commit)
            .args(["validate-config", ".pre-commit-config.yaml"])
            .current_dir(ctx.root())
            .env("HOME", ctx.path("home"))
            .output()
            .unwrap();
        assert!(
            valid.status.success(),
            "{edited}\n{}{}",
            String::from_utf8_lossy(&valid.stdout),
            String::from_utf8_lossy(&valid.stderr)
        );
        let run = ctx.run(&["hooks", "status"]);
        assert!(run.stdout.contains("fix: pre-commit install"), "{}", run.stdout);
        ctx.run(&["hooks", "uninstall"]).ok();
        assert_eq!(std::fs::read_to_string(ctx.path(".pre-commit-config.yaml")).unwrap(), config);
    }

    // Flow style: no line-by-line edit; the fix is the entry by hand, in a form that pastes.
    let ctx = repo();
    let flow = "repos: [{repo: meta, hooks: [{id: identity}]}]\n";
    ctx.write(".pre-commit-config.yaml", flow);
    let run = ctx.run(&["hooks", "install"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("add this entry by hand"), "{}", run.stderr);
    let run = ctx.run(&["hooks", "status"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("fix: add this entry by hand"), "{}", run.stdout);
    assert!(!run.stdout.contains("fix: prisma-guard hooks install"), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(ctx.path(".pre-commit-config.yaml")).unwrap(), flow);
    // The snippet is a flow item: pasted into the list, pre-commit accepts the file.
    let snippet =
        run.stdout.lines().find(|l| l.starts_with("{repo: local")).unwrap_or_else(|| panic!("{}", run.stdout));
    ctx.write(".pre-commit-config.yaml", &flow.replace("}]}]", &format!("}}]}}, {snippet}]")));
    let valid = std::process::Command::new(&pre_commit)
        .args(["validate-config", ".pre-commit-config.yaml"])
        .current_dir(ctx.root())
        .env("HOME", ctx.path("home"))
        .output()
        .unwrap();
    assert!(valid.status.success(), "{}", String::from_utf8_lossy(&valid.stdout));
    let run = ctx.run(&["hooks", "status"]);
    assert!(run.stdout.contains("fix: pre-commit install"), "the pasted entry counts: {}", run.stdout);
}

/// Review (issue 22, round 7): a migration stored through a clean filter (here one that
/// keeps a pointer, as Git LFS does) was "no findings (1 file scanned)": what git holds is
/// not the file's text, so the scan cannot read it (exit 2). A real LFS pointer likewise.
#[test]
fn staged_content_through_a_clean_filter_or_an_lfs_pointer_cannot_be_read() {
    let ctx = repo();
    ctx.write(".gitattributes", "*.sql filter=fakelfs\n");
    ctx.git(&["config", "filter.fakelfs.clean", "echo pointer-only"]);
    ctx.git(&["config", "filter.fakelfs.smudge", "cat"]);
    ctx.write(MIG, BAD);
    ctx.git(&["add", "-A"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.all().contains("clean filter") && !run.all().contains("no findings"), "{}", run.all());

    let ctx = repo();
    ctx.write(MIG, "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n");
    ctx.git(&["add", "-A"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.all().contains("Git LFS pointer"), "{}", run.all());
    // A filter attribute with no filter configured changes nothing: read as usual.
    let ctx = repo();
    ctx.write(".gitattributes", "*.sql filter=lfs\n");
    ctx.write(MIG, BAD);
    ctx.git(&["add", "-A"]);
    assert_eq!(ctx.run(&["scan", "--staged"]).code, 1);
}
