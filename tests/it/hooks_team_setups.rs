//! Team set-ups: a commit that moves the migrations folder, lefthook's pre-push
//! arguments, Nx targets in package.json and project.json, a CTE the DELETE reads, the
//! pre-commit framework's entry, uninstall under core.hooksPath, and the messages.

use crate::support::{run_with_stdin, Run, TestContext};

const INIT: &str = "CREATE TABLE \"U\"(\"id\" int,\"a\" int);\n";
const DROP: &str = "ALTER TABLE \"U\" DROP COLUMN \"a\";\n";

fn config(path: &str) -> String {
    format!("import {{ defineConfig }} from \"prisma/config\";\n\nexport default defineConfig({{\n  schema: \"prisma/schema.prisma\",\n  migrations: {{ path: \"{path}\" }},\n}});\n")
}

/// A repository whose prisma.config.ts keeps migrations in `db/old`, committed, with
/// prisma-guard on PATH and its hooks installed.
fn moved_repo() -> TestContext {
    let mut ctx = TestContext::new();
    ctx.git_init();
    with_guard_on_path(&mut ctx);
    ctx.write(".gitignore", "tools/\n");
    ctx.write("prisma.config.ts", &config("db/old"));
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
    ctx.write("db/old/20240101000000_i/migration.sql", INIT);
    ctx.write("db/old/migration_lock.toml", "provider = \"postgresql\"\n");
    commit(&ctx, "init");
    ctx.run(&["hooks", "install"]).ok();
    ctx
}

fn commit(ctx: &TestContext, msg: &str) {
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", msg]);
}

fn head(ctx: &TestContext) -> String {
    ctx.git(&["rev-parse", "HEAD"]).stdout.trim().to_string()
}

fn with_guard_on_path(ctx: &mut TestContext) {
    let dir = ctx.path("tools");
    std::fs::create_dir_all(&dir).unwrap();
    let _ = std::os::unix::fs::symlink(crate::support::bin(), dir.join("prisma-guard"));
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    ctx.set_env("PATH", &path);
}

/// `scan --pre-push` for pushing HEAD over `remote_sha` on main.
fn pre_push(ctx: &TestContext, remote_sha: &str) -> Run {
    let line = format!("refs/heads/main {} refs/heads/main {remote_sha}\n", head(ctx));
    run_with_stdin(ctx.cmd(&["scan", "--pre-push"]), line.as_bytes())
}

/// Item 1 (high): a commit that changes `migrations.path` and adds a destructive migration
/// in the new folder: the staged config decides, in every way a commit is made (`git add`
/// then commit, `git commit -a`, `git commit <paths>`), and the push is judged the same.
#[test]
fn a_commit_moving_the_migrations_folder_scans_the_new_one() {
    for form in ["add", "all", "paths", "mv"] {
        let ctx = moved_repo();
        let base = head(&ctx);
        if form == "mv" {
            ctx.git(&["mv", "db/old", "db/new"]);
        }
        ctx.write("prisma.config.ts", &config("db/new"));
        ctx.write("db/new/20240202000000_d/migration.sql", DROP);
        let run = match form {
            "add" | "mv" => {
                ctx.git(&["add", "-A"]);
                ctx.git_in(".", &["commit", "-qm", "move"])
            }
            "all" => {
                ctx.git(&["add", "db/new"]);
                ctx.git_in(".", &["commit", "-qam", "move"])
            }
            _ => {
                ctx.git(&["add", "-N", "db/new"]);
                ctx.git_in(".", &["commit", "-qm", "move", "prisma.config.ts", "db/new"])
            }
        };
        assert_ne!(run.code, 0, "{form}: {}", run.all());
        assert!(run.all().contains("drop-column"), "{form}: {}", run.all());
        ctx.git(&["add", "-A"]);
        ctx.git(&["commit", "-q", "--no-verify", "-m", "move"]);
        let run = pre_push(&ctx, &base);
        assert_eq!(run.code, 1, "{form} pre-push: {}", run.all());
        assert!(run.stdout.contains("drop-column"), "{form}: {}", run.all());
        let run = ctx.run(&["scan", "--since", &base]);
        assert_eq!(run.code, 1, "{form} --since: {}", run.all());
    }
}

/// Item 1: the staged config does not name the folder (the config change is left unstaged, or
/// the folder moved without it): a staged migration.sql in a folder laid out as Prisma lays
/// out migrations (a migration_lock.toml beside it, or a timestamped folder) is scanned.
#[test]
fn a_staged_migration_no_staged_config_names_is_scanned_when_it_looks_like_one() {
    let ctx = moved_repo();
    let base = head(&ctx);
    ctx.write("prisma.config.ts", &config("db/new"));
    ctx.write("db/new/20240202000000_d/migration.sql", DROP);
    ctx.git(&["add", "db/new"]);
    let run = ctx.git_in(".", &["commit", "-qm", "new folder only"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("drop-column"), "{}", run.all());
    ctx.git(&["commit", "-q", "--no-verify", "-m", "new folder only"]);
    let run = pre_push(&ctx, &base);
    assert_eq!(run.code, 1, "pre-push: {}", run.all());
    // The staged config names the old folder, the working tree's the new one, whose
    // migration (named as no Prisma migration is) is staged: scanned.
    ctx.git(&["checkout", "-q", "HEAD~1", "--", "prisma.config.ts"]);
    ctx.write("prisma.config.ts", &config("db/new"));
    ctx.write("db/new/wipe/migration.sql", "TRUNCATE \"U\";\n");
    ctx.git(&["add", "db/new"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("truncate"), "{}", run.all());
    ctx.git(&["reset", "-q"]);
    std::fs::remove_dir_all(ctx.path("db/new/wipe")).unwrap();
    // A lock file beside an unnamed folder: the same.
    ctx.write("sql/migration_lock.toml", "provider = \"postgresql\"\n");
    ctx.write("sql/init/migration.sql", "DROP TABLE \"U\";\n");
    ctx.git(&["add", "sql"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("drop-table"), "{}", run.all());
}

/// Item 3: Nx targets defined in a project's package.json (`"nx": {"targets": ...}`, the
/// project named by `nx.name` or the package name) and in project.json, in a workspace that
/// nx.json alone declares, are resolved for `nx run P:X`, `nx X P` and `nx run-many -t X`
/// by `check` and the agents' hooks; a target that only depends on a reset one runs it too.
#[test]
fn nx_targets_in_package_json_and_project_json_are_judged() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("nx.json", "{\"targetDefaults\": {\"deploy\": {\"dependsOn\": [\"drop\"]}}}\n");
    // npm workspaces that name other folders than Nx's projects: Nx finds those anyway.
    ctx.write("package.json", "{\"name\": \"mono\", \"private\": true, \"workspaces\": [\"packages/*\"]}\n");
    ctx.write("packages/web/package.json", "{\"name\": \"web\", \"scripts\": {\"build\": \"next build\"}}\n");
    ctx.write(
        "libs/db/package.json",
        r#"{"name": "@acme/db", "nx": {"name": "db", "targets": {"db-reset": {"executor": "nx:run-commands", "options": {"command": "prisma migrate reset --force", "cwd": "libs/db"}}, "lint": {"command": "eslint ."}}}}"#,
    );
    ctx.write(
        "libs/store/package.json",
        r#"{"name": "@acme/store", "nx": {"targets": {"wipe": {"command": "prisma db push --force-reset"}}}}"#,
    );
    ctx.write(
        "apps/api/project.json",
        r#"{"name": "api", "targets": {"drop": {"executor": "nx:run-commands", "options": {"commands": [{"command": "prisma migrate reset --force"}]}}, "fresh": {"dependsOn": ["drop"]}, "build": {"command": "tsc", "dependsOn": ["^build", "lint"]}, "lint": {"command": "eslint ."}, "deploy": {"command": "echo deploy"}}}"#,
    );
    let refused = [
        "npx nx run db:db-reset",
        "nx run @acme/db:db-reset",
        "nx db-reset db",
        "nx run-many -t db-reset",
        "nx run-many --targets=db-reset --projects=db",
        "nx affected -t db-reset",
        "pnpm nx run db:db-reset",
        "nx run @acme/store:wipe",
        "nx wipe @acme/store",
        "nx run-many -t wipe",
        "nx run api:drop",
        "nx drop api",
        "nx run-many -t drop -p api",
        "nx run api:fresh",
        // nx.json's targetDefaults give `deploy` a dependsOn on `drop`.
        "nx run api:deploy",
        "nx deploy api",
    ];
    for line in refused {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
        let input = crate::agents::payload("claude", line, ctx.root().to_str().unwrap()).to_string();
        let answer = crate::agents::hook(&ctx, "claude", &input);
        assert_eq!(crate::agents::decision("claude", &answer).as_deref(), Some("deny"), "{line}: {}", answer.all());
    }
    // In a project's folder, `nx TARGET` runs that project's.
    let run = crate::support::run_with_stdin(
        {
            let mut cmd = ctx.cmd(&["check", "--", "nx drop"]);
            cmd.current_dir(ctx.path("apps/api"));
            cmd
        },
        b"",
    );
    assert_eq!(run.code, 3, "nx drop in apps/api: {}", run.all());
    // The scanner reads the targets of package.json's `nx` key as it reads project.json's.
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 1, "{}", run.all());
    for (file, rule) in [
        ("libs/db/package.json", "prisma-migrate-reset"),
        ("libs/store/package.json", "prisma-force-reset"),
        ("apps/api/project.json", "prisma-migrate-reset"),
    ] {
        assert!(run.stdout.lines().any(|l| l.starts_with(file) && l.contains(rule)), "{file}: {}", run.stdout);
    }
    for line in ["nx run db:lint", "nx run api:build", "nx run-many -t build", "nx build api"] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Every file under `dir` (relative name, bytes, permission bits), sorted.
fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
                out.push((rel, std::fs::read(&p).unwrap(), mode));
            }
        }
    }
    out.sort();
    out
}

/// Item 6: with core.hooksPath set (husky 9's `.husky/_`, husky 8's `.husky`, a committed
/// `.githooks`), `hooks install` then `hooks uninstall` (or `uninstall`) leaves
/// core.hooksPath and every hook file as it was, byte for byte and mode for mode: a team
/// script of a shebang only, one without a final newline, an untracked one.
#[test]
fn uninstall_under_core_hooks_path_gives_every_hook_file_back() {
    let deps = crate::guard::node_deps();
    let v8_header = "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n";
    for layout in ["husky9", "husky8", "githooks"] {
        for command in [&["hooks", "uninstall"][..], &["uninstall"][..]] {
            let mut ctx = TestContext::new();
            ctx.git_init();
            with_guard_on_path(&mut ctx);
            ctx.write(".gitignore", "tools/\nnode_modules/\n");
            let dir = match layout {
                "husky9" => {
                    ctx.write(
                        "package.json",
                        "{\"devDependencies\": {\"husky\": \"9.1.7\"}, \"scripts\": {\"prepare\": \"husky\"}}\n",
                    );
                    ctx.write(".husky/pre-commit", "npm test");
                    std::fs::create_dir_all(ctx.path("node_modules")).unwrap();
                    std::os::unix::fs::symlink(deps.join("husky"), ctx.path("node_modules/husky")).unwrap();
                    let out = std::process::Command::new("node")
                        .arg(deps.join("husky/bin.js"))
                        .current_dir(ctx.root())
                        .env("PATH", std::env::var("PATH").unwrap())
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                    ".husky"
                }
                "husky8" => {
                    ctx.write(".husky/_/husky.sh", "#!/usr/bin/env sh\n# husky 8\n");
                    ctx.write(".husky/pre-commit", &format!("{v8_header}\nnpx lint-staged\n"));
                    ctx.write(".husky/pre-push", v8_header);
                    ctx.git(&["config", "core.hooksPath", ".husky"]);
                    ".husky"
                }
                _ => {
                    ctx.write(".githooks/pre-commit", "#!/bin/sh");
                    ctx.write(".githooks/commit-msg", "#!/bin/sh\nexit 0\n");
                    ctx.git(&["config", "core.hooksPath", ".githooks"]);
                    ".githooks"
                }
            };
            commit(&ctx, "team hooks");
            // An untracked team script of a shebang only.
            if layout == "githooks" {
                ctx.write(".githooks/pre-push", "#!/bin/sh\n");
            }
            let hooks_path = ctx.git(&["config", "core.hooksPath"]).stdout;
            let before = files(&ctx.path(dir));
            let run = ctx.run(&["hooks", "install"]);
            assert_eq!(run.code, 0, "{layout}: {}", run.all());
            assert!(
                std::fs::read_to_string(ctx.path(&format!("{dir}/pre-commit"))).unwrap().contains("prisma-guard scan"),
                "{layout}"
            );
            let run = ctx.run(command);
            assert_eq!(run.code, 0, "{layout} {command:?}: {}", run.all());
            assert_eq!(ctx.git(&["config", "core.hooksPath"]).stdout, hooks_path, "{layout} {command:?}");
            let after = files(&ctx.path(dir));
            assert_eq!(
                after
                    .iter()
                    .map(|(p, b, m)| (p.clone(), String::from_utf8_lossy(b).into_owned(), *m))
                    .collect::<Vec<_>>(),
                before
                    .iter()
                    .map(|(p, b, m)| (p.clone(), String::from_utf8_lossy(b).into_owned(), *m))
                    .collect::<Vec<_>>(),
                "{layout} {command:?}"
            );
        }
    }
}

/// A bare repository at `name` in the project folder (git-ignored), added as that remote.
fn bare_remote(ctx: &TestContext, name: &str) {
    ctx.git_in(".", &["init", "-q", "--bare", &format!("{name}.git")]);
    ctx.git(&["remote", "add", name, ctx.path(&format!("{name}.git")).to_str().unwrap()]);
}

/// Item 2: with real lefthook, the pre-push command gets the remote git names (lefthook's
/// `{1}`) and the ref lines on stdin: a push of a destructive migration is blocked, an
/// ordinary one goes through; `hooks status` says so; a command of the older form (no
/// `{1}`) is out of date and `hooks install` puts it right; a hand-written `{0}` (git's two
/// arguments as paths) is read as the remote, not as paths that would leave every file out.
#[test]
fn lefthook_pre_push_gets_the_remote_and_blocks_a_destructive_push() {
    let deps = crate::guard::node_deps();
    let mut ctx = TestContext::new();
    ctx.git_init();
    with_guard_on_path(&mut ctx);
    let path = format!("{}:{}", deps.join(".bin").display(), ctx.env_var("PATH"));
    ctx.set_env("PATH", &path);
    ctx.write(".gitignore", "tools/\n*.git/\n");
    ctx.write("prisma/migrations/20240101000000_i/migration.sql", INIT);
    ctx.write("lefthook.yml", "pre-push:\n  commands:\n    lint:\n      run: echo lint-ran\n");
    commit(&ctx, "init");
    bare_remote(&ctx, "origin");
    ctx.git(&["push", "-q", "origin", "main"]);
    ctx.run(&["hooks", "install"]).ok();
    let config = std::fs::read_to_string(ctx.path("lefthook.yml")).unwrap();
    assert!(config.contains("prisma-guard scan --pre-push --remote {1}"), "{config}");
    let lefthook = |args: &[&str]| {
        let out = std::process::Command::new(deps.join(".bin/lefthook"))
            .args(args)
            .current_dir(ctx.root())
            .env("PATH", ctx.env_var("PATH"))
            .env("HOME", ctx.path("home"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    lefthook(&["install"]);
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 0, "{}", status.all());
    ctx.write("notes.md", "x\n");
    commit(&ctx, "notes");
    let run = ctx.git_in(".", &["push", "-q", "origin", "main"]);
    assert_eq!(run.code, 0, "an ordinary push: {}", run.all());
    ctx.write("prisma/migrations/20240202000000_d/migration.sql", DROP);
    commit(&ctx, "drop");
    let run = ctx.git_in(".", &["push", "-q", "origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("drop-column"), "{}", run.all());
    // To a new remote, a new branch: the same.
    bare_remote(&ctx, "mirror");
    let run = ctx.git_in(".", &["push", "-q", "mirror", "main:feature"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("drop-column"), "{}", run.all());

    // lefthook run by hand passes no arguments and leaves `{1}` as it is: no remote.
    let line = format!("refs/heads/main {} refs/heads/main {}\n", head(&ctx), "0".repeat(40));
    let run = run_with_stdin(ctx.cmd(&["scan", "--pre-push", "--remote", "{1}"]), line.as_bytes());
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("drop-column"), "{}", run.all());

    // The form an older version wrote: out of date, then put right.
    let older = config.replace(" --remote {1}", "");
    ctx.write("lefthook.yml", &older);
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 1, "{}", status.all());
    assert!(
        status.stdout.contains("--remote {1}") && status.stdout.contains("fix: prisma-guard hooks install"),
        "{}",
        status.all()
    );
    ctx.run(&["hooks", "install"]).ok();
    assert_eq!(std::fs::read_to_string(ctx.path("lefthook.yml")).unwrap(), config);

    // A hand-written command passing git's arguments on (`{0}`: the remote and its URL).
    ctx.write(
        "lefthook.yml",
        "pre-commit:\n  commands:\n    prisma-guard:\n      run: prisma-guard scan --staged\npre-push:\n  commands:\n    prisma-guard:\n      run: prisma-guard scan --pre-push {0}\n      use_stdin: true\n",
    );
    lefthook(&["install"]);
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 0, "{}", status.all());
    let run = ctx.git_in(".", &["push", "-q", "origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("drop-column"), "{}", run.all());
}

/// Item 5: the pre-commit framework with prisma-guard's own `.pre-commit-hooks.yaml` (the
/// installed-binary ids, from a clone of this repository): the commit's staged content is
/// judged, not the working tree's, and only what it adds (a package.json script it always
/// had does not block a commit touching package.json); a destructive migration staged by
/// `git commit -a` or named by nothing but its folder is blocked; at pre-push, the pushed
/// commits are judged.
#[test]
fn pre_commit_framework_entry_scans_exactly_what_is_staged_and_pushed() {
    let pre_commit = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join("pre-commit")).find(|p| p.is_file()))
        .expect("the pre-commit framework is not installed: run ./scripts/test.sh (pip install pre-commit)");
    let mut ctx = TestContext::new();
    with_guard_on_path(&mut ctx);
    // The hooks repository: this repository's .pre-commit-hooks.yaml, committed.
    let hooks_repo = ctx.path("hooks-repo");
    std::fs::create_dir_all(&hooks_repo).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/.pre-commit-hooks.yaml"),
        hooks_repo.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    ctx.git_in("hooks-repo", &["init", "-q", "-b", "main"]);
    ctx.git_in("hooks-repo", &["add", "-A"]);
    ctx.git_in("hooks-repo", &["commit", "-qm", "hooks"]);
    let rev = ctx.git_in("hooks-repo", &["rev-parse", "HEAD"]).stdout.trim().to_string();
    ctx.git_init();
    ctx.write(".gitignore", "tools/\nhooks-repo/\n*.git/\n");
    ctx.write("package.json", "{\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\"\n  }\n}\n");
    ctx.write("prisma/migrations/20240101000000_i/migration.sql", INIT);
    ctx.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: prisma-guard-scan-system\n      - id: prisma-guard-scan-push-system\n      - id: prisma-guard-scan-all\n",
            hooks_repo.display()
        ),
    );
    commit(&ctx, "init");
    bare_remote(&ctx, "origin");
    ctx.git(&["push", "-q", "origin", "main"]);
    let pc = |args: &[&str]| {
        let out = std::process::Command::new(&pre_commit)
            .args(args)
            .current_dir(ctx.root())
            .env("HOME", ctx.path("home"))
            .env("PATH", ctx.env_var("PATH"))
            .output()
            .unwrap();
        assert!(out.status.success(), "pre-commit {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    pc(&["install", "--hook-type", "pre-commit", "--hook-type", "pre-push"]);
    let status = ctx.run(&["hooks", "status"]);
    assert_eq!(status.code, 0, "{}", status.all());
    assert!(status.stdout.contains("prisma-guard-scan-push"), "{}", status.all());
    // A commit touching package.json: its old script is not new.
    ctx.write(
        "package.json",
        "{\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\",\n    \"dev\": \"next dev\"\n  }\n}\n",
    );
    ctx.git(&["add", "package.json"]);
    let run = ctx.git_in(".", &["commit", "-qm", "dev script"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // Staged harmless, destructive only in the working tree: the commit goes through.
    ctx.write("prisma/migrations/20240202000000_d/migration.sql", "SELECT 1;\n");
    ctx.git(&["add", "-A"]);
    ctx.write("prisma/migrations/20240202000000_d/migration.sql", DROP);
    let run = ctx.git_in(".", &["commit", "-qm", "harmless"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // `git commit -a` stages the destructive change: blocked.
    let run = ctx.git_in(".", &["commit", "-qam", "drop"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("drop-column"), "{}", run.all());
    // A migration in a folder no config names, laid out as Prisma lays them out.
    ctx.git(&["checkout", "--", "."]);
    ctx.write("db/migration/20240303000000_t/migration.sql", "DROP TABLE \"U\";\n");
    ctx.git(&["add", "-A"]);
    let run = ctx.git_in(".", &["commit", "-qm", "drop table"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("drop-table"), "{}", run.all());
    // Committed past the hook: the push is judged.
    ctx.git(&["commit", "-q", "--no-verify", "-m", "drop table"]);
    let run = ctx.git_in(".", &["push", "-q", "origin", "main"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("drop-table"), "{}", run.all());
    // In CI, the manual id scans the whole repository.
    let out = std::process::Command::new(&pre_commit)
        .args(["run", "--hook-stage", "manual", "prisma-guard-scan-all"])
        .current_dir(ctx.root())
        .env("HOME", ctx.path("home"))
        .env("PATH", ctx.env_var("PATH"))
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success() && shown.contains("prisma-migrate-reset"), "{shown}");
}

/// Item 7: each message the trial found wrong says what it should: doctor right after
/// `init` on a SQLite project (no client to install, no global prisma counted as a gap),
/// `scan --since` a ref this clone lacks (how to fetch it), drop-constraint naming the quoted
/// identifier as written, `uninstall --help` (nothing about adding hooks), the safety note in
/// AGENTS.md (no `.claude/settings.json` in it), GitHub annotations for `prisma-warning`
/// (the text once), doctor after the Claude hook's `Bash` entry was removed (a gap; an empty
/// matcher, which Claude Code reads as every tool, is not).
#[test]
fn the_messages_found_wrong_stay_right() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    ctx.write("package.json", "{\n  \"name\": \"app\",\n  \"scripts\": {\n    \"dev\": \"next dev\"\n  }\n}\n");
    ctx.write("AGENTS.md", "# Agents\n");
    ctx.run(&["init", "--agent", "claude", "--agent", "codex"]).ok();
    let shim = ctx.path("shim");
    let doctor = || ctx.run(&["doctor", "--shim-dir", shim.to_str().unwrap()]).stdout;
    let out = doctor();
    assert!(!out.contains("postgresql-client"), "{out}");
    let dump = out.lines().find(|l| l.contains("dump tools")).unwrap();
    assert!(dump.starts_with("ok ") && dump.contains("does not exist yet"), "{dump}");
    assert!(!out.lines().any(|l| l.starts_with("GAP") && l.contains("prisma on PATH")), "{out}");
    let claude = |out: &str| out.lines().find(|l| l.contains("Claude Code hook")).unwrap().to_string();
    assert!(claude(&out).starts_with("ok "), "{out}");

    // The safety note.
    let agents = std::fs::read_to_string(ctx.path("AGENTS.md")).unwrap();
    assert!(agents.contains("Database safety (prisma-guard)") && !agents.contains(".claude/settings.json"), "{agents}");

    // doctor after the Claude hook's Bash entry was taken out, and with an empty matcher.
    let settings = ctx.path(".claude/settings.json");
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    let entries = v["hooks"]["PreToolUse"].as_array_mut().unwrap();
    entries.retain(|e| e["matcher"] != "Bash");
    std::fs::write(&settings, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let line = claude(&doctor());
    assert!(line.starts_with("GAP") && line.contains("no longer covers the `Bash` tool"), "{line}");
    for e in v["hooks"]["PreToolUse"].as_array_mut().unwrap() {
        e["matcher"] = serde_json::json!("");
    }
    std::fs::write(&settings, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    assert!(claude(&doctor()).starts_with("ok "), "an empty matcher is every tool");

    // uninstall --help.
    let help = ctx.run(&["uninstall", "--help"]).stdout;
    assert!(!help.contains("Add this agent") && !help.contains("Set up this agent"), "{help}");

    // scan --since a ref this clone lacks.
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-q", "--no-verify", "-m", "init"]);
    let run = ctx.run(&["scan", "--since", "origin/main"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("git fetch origin") && run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);

    // drop-constraint keeps the identifier's case; a prisma-warning annotation says its text once.
    ctx.write(
        "prisma/migrations/1_a/migration.sql",
        "CREATE TABLE \"WorkflowRun\" (\"id\" int, \"triggerId\" int, CONSTRAINT \"WorkflowRun_triggerId_fkey\" FOREIGN KEY (\"triggerId\") REFERENCES \"WorkflowRun\"(\"id\"));\n",
    );
    ctx.write(
        "prisma/migrations/2_b/migration.sql",
        "/*\n  Warnings:\n\n  - Added the required column `name` to the `WorkflowRun` table without a default value. This is not possible if the table is not empty.\n\n*/\nALTER TABLE \"WorkflowRun\" DROP CONSTRAINT \"WorkflowRun_triggerId_fkey\";\nALTER TABLE \"WorkflowRun\" ADD COLUMN \"name\" TEXT NOT NULL;\n",
    );
    ctx.write(
        "prisma/migrations/3_c/migration.sql",
        "/*\n  Warnings:\n\n  - A unique constraint covering the columns `[name]` on the table `WorkflowRun` will be added. If there are existing duplicate values, this will fail.\n\n*/\nSELECT 1;\n",
    );
    let run = ctx.run(&["scan", "prisma/migrations"]);
    assert!(
        run.stdout.contains("`WorkflowRun_triggerId_fkey`") && !run.stdout.contains("workflowrun_triggerid_fkey"),
        "{}",
        run.stdout
    );
    let run = ctx.run(&["scan", "--format", "github", "prisma/migrations"]);
    let annotation =
        run.stdout.lines().find(|l| l.contains("prisma-warning")).unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(annotation.matches("A unique constraint covering").count(), 1, "{annotation}");
    let tied =
        run.stdout.lines().find(|l| l.contains("add-required-column")).unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(tied.matches("Added the required column").count(), 1, "{tied}");
}
