//! `init`, `uninstall` and `doctor` on real project folders and git repositories.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::TestContext;

/// Every file under `root` (except .git internals other than hooks) with its content.
fn tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if rel == "home" || (rel.starts_with(".git/") && !rel.starts_with(".git/hooks")) {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                if rel == ".git" {
                    stack.push(p.join("hooks"));
                } else {
                    stack.push(p);
                }
            } else {
                out.insert(rel, std::fs::read_to_string(&p).unwrap_or_else(|_| "<binary>".into()));
            }
        }
    }
    out
}

fn bare_project() -> TestContext {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    ctx.write("package.json", "{\n  \"name\": \"app\",\n  \"scripts\": {\n    \"dev\": \"next dev\"\n  }\n}\n");
    ctx
}

#[test]
fn init_on_a_bare_project_then_again_changes_nothing_then_uninstall_restores() {
    let ctx = bare_project();
    let before = tree(ctx.root());
    let dry = ctx.run(&["init", "--dry-run", "--agent", "claude"]);
    dry.ok();
    assert!(dry.stdout.contains("would update package.json"), "{}", dry.stdout);
    assert_eq!(tree(ctx.root()), before, "--dry-run writes nothing");

    let run = ctx.run(&["init", "--agent", "claude"]);
    run.ok();
    for want in
        ["prisma-guard.toml", ".gitignore", "package.json", ".claude/settings.json", "pre-commit", "postinstall"]
    {
        assert!(run.stdout.contains(want), "summary mentions {want}: {}", run.stdout);
    }
    let pkg: Value = serde_json::from_str(&std::fs::read_to_string(ctx.path("package.json")).unwrap()).unwrap();
    assert_eq!(pkg["scripts"]["db:backup"], "prisma-guard backup");
    assert_eq!(pkg["scripts"]["db:backup-test"], "prisma-guard restore-test");
    assert_eq!(pkg["scripts"]["dev"], "next dev");
    assert!(pkg["scripts"]["postinstall"].as_str().unwrap().contains("prisma-guard shim install"));
    let gitignore = std::fs::read_to_string(ctx.path(".gitignore")).unwrap();
    assert!(gitignore.contains("/backups/") && gitignore.contains(".prisma-guard-restore-*"), "{gitignore}");
    // Review round 6, defect 12: each line under its own comment, the dumps' comment once.
    assert_eq!(gitignore.matches("never commit them").count(), 1, "{gitignore}");
    assert!(!gitignore.contains("never commit them)\n.prisma-guard-restore-*"), "{gitignore}");
    assert!(ctx.path(".git/hooks/pre-commit").is_file());
    let claude: Value =
        serde_json::from_str(&std::fs::read_to_string(ctx.path(".claude/settings.json")).unwrap()).unwrap();
    let hook = claude["hooks"]["PreToolUse"][0]["hooks"][0]["command"].as_str().unwrap();
    assert!(hook.starts_with("PATH=\"$CLAUDE_PROJECT_DIR\"/node_modules/.bin:\"$PATH\"; "), "{hook}");
    // prisma-guard's own answer, or a refusal when it does not answer (exit 127 and the like).
    assert!(hook.contains("; prisma-guard agent-hook --agent claude || { s=$?; [ $s -eq 2 ] && exit 2; "), "{hook}");
    assert!(hook.ends_with(">&2; exit 2; }"), "{hook}");
    // Issue 16: the note for Claude Code is written even where no CLAUDE.md existed.
    let note = std::fs::read_to_string(ctx.path("CLAUDE.md")).unwrap();
    assert!(note.contains("prisma-guard"), "{note}");
    assert!(!ctx.path("AGENTS.md").exists(), "only the chosen agent's file");

    let after = tree(ctx.root());
    let again = ctx.run(&["init", "--agent", "claude"]);
    again.ok();
    assert!(again.stdout.contains("nothing to change"), "{}", again.stdout);
    assert_eq!(tree(ctx.root()), after, "the second run changes nothing");

    let run = ctx.run(&["uninstall"]);
    run.ok();
    let mut restored = tree(ctx.root());
    // The backup folder's .gitignore entry stays (it protects data); nothing else remains.
    assert!(restored.remove(".gitignore").unwrap().contains("/backups/"));
    assert_eq!(restored, before, "uninstall takes out everything init put in");
}

#[test]
fn init_merges_into_husky_claude_settings_and_agents_md() {
    let ctx = bare_project();
    ctx.write(".husky/pre-commit", "npm test\n");
    ctx.git(&["config", "core.hooksPath", ".husky/_"]);
    let claude = r#"{
  "permissions": {
    "allow": ["Bash(npm test)"]
  },
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "./scripts/guard-rm.sh"}]}
    ],
    "Stop": [
      {"hooks": [{"type": "command", "command": "say done"}]}
    ]
  }
}
"#;
    ctx.write(".claude/settings.json", claude);
    ctx.write("AGENTS.md", "# Agents\n\nRun `npm test` before you commit.\n");
    let before = tree(ctx.root());
    let run = ctx.run(&["init"]);
    run.ok();
    assert!(run.stdout.contains("husky manages the hooks"), "{}", run.stdout);
    // Review (issue 22, round 2): AGENTS.md is read by many agents, so it is no Codex trace.
    assert!(!run.stdout.contains("Codex CLI hook"), "AGENTS.md is not Codex's trace: {}", run.stdout);
    assert!(!ctx.path(".codex").exists(), "no settings for an agent the project does not use");
    let husky = std::fs::read_to_string(ctx.path(".husky/pre-commit")).unwrap();
    assert!(husky.ends_with("exec prisma-guard scan --staged) || exit $? # prisma-guard\nnpm test\n"), "{husky}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(ctx.path(".claude/settings.json")).unwrap()).unwrap();
    let pre = v["hooks"]["PreToolUse"].as_array().unwrap();
    assert_eq!(pre.len(), 3);
    assert_eq!(pre[0]["hooks"][0]["command"], "./scripts/guard-rm.sh", "the other hook is kept, first");
    assert_eq!(v["hooks"]["Stop"][0]["hooks"][0]["command"], "say done");
    assert_eq!(v["permissions"]["allow"][0], "Bash(npm test)");
    let agents = std::fs::read_to_string(ctx.path("AGENTS.md")).unwrap();
    assert!(agents.starts_with("# Agents\n\nRun `npm test` before you commit.\n"), "{agents}");
    assert!(agents.contains("## Database safety (prisma-guard)"));
    assert!(agents.contains("never set\n`PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION`"));

    let after = tree(ctx.root());
    ctx.run(&["init"]).ok();
    assert_eq!(tree(ctx.root()), after, "the second run changes nothing");

    ctx.run(&["uninstall"]).ok();
    let mut restored = tree(ctx.root());
    restored.remove(".gitignore");
    let mut before = before;
    before.remove(".gitignore");
    let got: Value = serde_json::from_str(&restored.remove(".claude/settings.json").unwrap()).unwrap();
    let want: Value = serde_json::from_str(&before.remove(".claude/settings.json").unwrap()).unwrap();
    assert_eq!(got, want, "the user's Claude settings are back as they were");
    assert_eq!(restored, before);
}

#[test]
fn init_refuses_to_touch_broken_json() {
    let ctx = bare_project();
    ctx.write(".claude/settings.json", "{ \"hooks\": ");
    let run = ctx.run(&["init"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains(".claude/settings.json is not valid JSON"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(ctx.path(".claude/settings.json")).unwrap(), "{ \"hooks\": ");
}

#[test]
fn doctor_reports_each_gap_with_its_fix() {
    let ctx = bare_project();
    let db = rusqlite::Connection::open(ctx.path("dev.db")).unwrap();
    db.execute_batch("CREATE TABLE \"User\" (id INTEGER PRIMARY KEY); INSERT INTO \"User\" VALUES (1);").unwrap();
    drop(db);
    ctx.write(".cursor/rules.md", "x");
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.all());
    let out = &run.stdout;
    for (gap, fix) in [
        ("git pre-commit hook", "prisma-guard hooks install"),
        ("Cursor hook", "prisma-guard init --agent cursor"),
        ("newest backup", "prisma-guard backup"),
        ("backup folder permissions", "prisma-guard backup"),
    ] {
        let line = out.lines().find(|l| l.contains(gap)).unwrap_or_else(|| panic!("no row {gap}: {out}"));
        assert!(line.starts_with("GAP"), "{line}");
        assert!(out.contains(&format!("fix: {fix}")), "{gap}: {out}");
    }
    let dump = out.lines().find(|l| l.contains("dump tools")).unwrap();
    assert!(dump.starts_with("ok "), "SQLite needs no external tool: {dump}");
    if which_prisma().is_none() {
        let line = out.lines().find(|l| l.contains("prisma on PATH")).unwrap();
        assert!(line.starts_with("ok "), "no global prisma is no gap: {line}");
    }

    // Fix the gaps that can be fixed here; the rest stay reported.
    ctx.run(&["init", "--agent", "cursor"]).ok();
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    let out = &run.stdout;
    for fixed in
        ["git pre-commit hook", "git pre-push hook", "Cursor hook", "newest backup", "backup folder permissions"]
    {
        let line = out.lines().find(|l| l.contains(fixed)).unwrap();
        assert!(line.starts_with("ok "), "{line}\n{out}");
    }
    // A stale backup and loose permissions are gaps again.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(ctx.path("backups"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap(), "--max-backup-age-hours", "0"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("GAP") && l.contains("backup folder permissions") && l.contains("755")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("fix: chmod 700"), "{}", run.stdout);
    // A removed git hook is a gap.
    std::fs::remove_file(ctx.path(".git/hooks/pre-push")).unwrap();
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    assert!(run.stdout.lines().any(|l| l.starts_with("GAP") && l.contains("git pre-push hook")), "{}", run.stdout);
    // An agent hook whose matcher no longer covers the shell tool is a gap, though the
    // command is still in the file.
    ctx.run(&["init", "--agent", "claude"]).ok();
    let cursor = std::fs::read_to_string(ctx.path(".cursor/hooks.json")).unwrap();
    ctx.write(".cursor/hooks.json", &cursor.replace("beforeShellExecution", "afterFileEdit"));
    let claude = std::fs::read_to_string(ctx.path(".claude/settings.json")).unwrap();
    ctx.write(".claude/settings.json", &claude.replace("\"Bash\"", "\"Read\""));
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    for (agent, why) in
        [("Claude Code hook", "no longer covers the `Bash` tool"), ("Cursor hook", "no prisma-guard hook under")]
    {
        let line = run.stdout.lines().find(|l| l.contains(agent)).unwrap_or_else(|| panic!("{agent}: {}", run.stdout));
        assert!(line.starts_with("GAP") && line.contains(why), "{line}");
    }
}

/// doctor right after `init` on a SQLite project whose file does not exist yet: no client tool
/// to install, nothing missing; a global core.hooksPath gets a fix that works.
#[test]
fn doctor_after_init_on_a_new_sqlite_project_and_a_global_hooks_path() {
    let ctx = bare_project();
    ctx.run(&["init"]).ok();
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    let dump = run.stdout.lines().find(|l| l.contains("dump tools")).unwrap();
    assert!(dump.starts_with("ok ") && dump.contains("does not exist yet"), "{dump}");
    let newest = run.stdout.lines().find(|l| l.contains("newest backup")).unwrap();
    assert!(newest.starts_with("ok "), "nothing to back up yet is no gap: {newest}");
    assert!(!run.stdout.contains("postgresql-client"), "{}", run.stdout);
    let global = tempfile::tempdir().unwrap();
    ctx.git(&["config", "core.hooksPath", global.path().to_str().unwrap()]);
    let run = ctx.run(&["hooks", "status"]);
    assert_eq!(run.code, 1);
    let shared = ctx.root().canonicalize().unwrap().join(".git/hooks");
    assert!(
        run.stdout.contains(&format!(
            "fix: git config --local core.hooksPath {} && prisma-guard hooks install",
            shared.display()
        )),
        "{}",
        run.stdout
    );
    ctx.git(&["config", "core.hooksPath", ".git/hooks"]);
    ctx.run(&["hooks", "install"]).ok();
    ctx.run(&["hooks", "status"]).ok();
}

/// Review (issue 22, round 3): the fix for a global core.hooksPath points this repository at
/// its own hooks folder, which hides the user's global hooks: prisma-guard's hooks there call
/// them, say so, and uninstall leaves no trace.
#[test]
fn a_local_hooks_path_keeps_the_users_global_hooks_running() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("README.md", "x\n");
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-qm", "init"]);
    let outside = tempfile::tempdir().unwrap();
    let global = outside.path().join("globalhooks");
    std::fs::create_dir_all(&global).unwrap();
    std::fs::write(global.join("pre-commit"), "#!/bin/sh\necho global-hook-ran\n").unwrap();
    std::process::Command::new("chmod").arg("+x").arg(global.join("pre-commit")).status().unwrap();
    ctx.git(&["config", "--global", "core.hooksPath", global.to_str().unwrap()]);
    assert_eq!(ctx.run(&["hooks", "install"]).code, 2, "the global folder is refused");
    ctx.git(&["config", "--local", "core.hooksPath", ".git/hooks"]);
    let run = ctx.run(&["hooks", "install"]);
    run.ok();
    assert!(run.stdout.contains("global pre-commit hook") && run.stdout.contains("calls it"), "{}", run.stdout);
    ctx.write("notes.md", "x\n");
    ctx.git(&["add", "notes.md"]);
    let run = ctx.git(&["commit", "-qm", "notes"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("global-hook-ran"), "{}", run.all());
    ctx.run(&["hooks", "uninstall"]).ok();
    let left: Vec<String> = std::fs::read_dir(ctx.path(".git/hooks"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".sample"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn which_prisma() -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| std::path::Path::new(d).join("prisma")).find(|p| p.is_file())
}

#[test]
fn doctor_finds_an_old_pg_dump_for_a_newer_server() {
    let pg = crate::support::postgres();
    let ctx = TestContext::new();
    let url = pg.url(&pg.create_db("doctor_tools"));
    ctx.prisma7_project("postgresql", &url);
    ctx.write("tools/pg_dump", "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(ctx.path("tools/pg_dump"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::copy(
        std::fs::read_dir("/usr/lib/postgresql").unwrap().flatten().next().unwrap().path().join("bin/psql"),
        ctx.path("tools/psql"),
    )
    .unwrap();
    ctx.write_own_config(&format!("[tools]\npg_bin_dir = \"{}\"\n", ctx.path("tools").display()));
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    assert_eq!(run.code, 1);
    let line = run.stdout.lines().find(|l| l.contains("dump tools")).unwrap();
    assert!(line.starts_with("GAP") && line.contains("older than the PostgreSQL"), "{}", run.stdout);
    run.no_secret();
}

#[test]
fn init_installs_the_project_shim_and_uninstall_puts_the_npm_link_back() {
    let ctx = bare_project();
    crate::guard::install_fake_prisma(&ctx, ctx.root());
    let link = std::fs::read_link(ctx.path("node_modules/.bin/prisma")).unwrap();
    let run = ctx.run(&["init", "--agent", "claude"]);
    run.ok();
    assert!(run.stdout.contains("node_modules/.bin/prisma"), "{}", run.stdout);
    let shim = std::fs::read_to_string(ctx.path("node_modules/.bin/prisma")).unwrap();
    assert!(shim.contains("prisma-guard"), "the project shim is in place: {shim}");
    // The doctor agrees for the project entry points.
    let doc = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    for entry in ["node_modules/.bin/prisma", "package.json postinstall", "Claude Code hook"] {
        assert!(doc.stdout.lines().any(|l| l.starts_with("ok ") && l.contains(entry)), "{entry}: {}", doc.stdout);
    }
    ctx.run(&["uninstall"]).ok();
    assert_eq!(std::fs::read_link(ctx.path("node_modules/.bin/prisma")).unwrap(), link, "the npm link is back");
}

/// An npm workspace: Prisma hoisted to the root's node_modules, the Prisma project in
/// packages/db.
fn npm_workspace() -> TestContext {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(
        "package.json",
        "{\n  \"name\": \"mono\",\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
    );
    ctx.write(
        "packages/db/package.json",
        "{\n  \"name\": \"@mono/db\",\n  \"scripts\": {\n    \"build\": \"tsc\"\n  }\n}\n",
    );
    ctx.write("packages/web/package.json", "{\n  \"name\": \"web\"\n}\n");
    crate::guard::install_fake_prisma(&ctx, ctx.root());
    let db = ctx.path("packages/db");
    ctx.write(
        "packages/db/prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url = \"file:./dev.db\"\n}\n",
    );
    let _ = db;
    ctx
}

/// Issue 22: with Prisma hoisted to the workspace root, `init` in the Prisma package guards
/// the `node_modules/.bin/prisma` npx will run (the root's) and re-installs it from both
/// package.json files; an agent's `npx prisma migrate reset --force` from the package is
/// refused. `init` at the root sets up the package below it; in a folder without any Prisma
/// project it stops with a hint.
#[test]
fn init_in_an_npm_workspace_guards_the_hoisted_prisma() {
    let ctx = npm_workspace();
    let link = std::fs::read_link(ctx.path("node_modules/.bin/prisma")).unwrap();
    let run = ctx.run(&["-C", "packages/db", "init"]);
    run.ok();
    assert!(run.stdout.contains("hoisted by the workspace"), "{}", run.stdout);
    assert!(!run.all().contains("not installed"), "{}", run.all());
    let shim = std::fs::read_to_string(ctx.path("node_modules/.bin/prisma")).unwrap();
    assert!(shim.contains("prisma-guard"), "{shim}");
    for pkg in ["package.json", "packages/db/package.json"] {
        let text = std::fs::read_to_string(ctx.path(pkg)).unwrap();
        assert!(text.contains("prisma-guard shim install"), "{pkg}: {text}");
    }
    // What `npx prisma` runs from the package: the root's .bin/prisma.
    ctx.write("packages/db/dev.db", "");
    let out = std::process::Command::new(ctx.path("node_modules/.bin/prisma"))
        .args(["migrate", "reset", "--force"])
        .current_dir(ctx.path("packages/db"))
        .env("CLAUDECODE", "1")
        .env("PATH", std::env::var("PATH").unwrap())
        .env("HOME", ctx.path("home"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(crate::guard::prisma_calls(&ctx).is_empty(), "the real prisma did not run");
    // Uninstall from the package puts the root's link back and both postinstalls away.
    ctx.run(&["-C", "packages/db", "uninstall"]).ok();
    assert_eq!(std::fs::read_link(ctx.path("node_modules/.bin/prisma")).unwrap(), link);
    assert!(!std::fs::read_to_string(ctx.path("package.json")).unwrap().contains("prisma-guard"));

    // At the root: the Prisma packages below are found and set up (a Prisma 6 one too, named
    // by `prisma.schema` in its package.json).
    ctx.write(
        "packages/legacy/package.json",
        "{\n  \"name\": \"legacy\",\n  \"prisma\": {\"schema\": \"src/db/schema.prisma\"}\n}\n",
    );
    ctx.write(
        "packages/legacy/src/db/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url = \"file:./l.db\"\n}\n",
    );
    let run = ctx.run(&["init"]);
    run.ok();
    assert!(run.stdout.contains("packages/db"), "{}", run.stdout);
    assert!(ctx.path("packages/db/prisma-guard.toml").is_file());
    assert!(ctx.path("packages/legacy/prisma-guard.toml").is_file(), "{}", run.stdout);
    assert!(!ctx.path("packages/web/prisma-guard.toml").exists());
    let db_pkg = std::fs::read_to_string(ctx.path("packages/db/package.json")).unwrap();
    assert!(db_pkg.contains("db:backup"), "{db_pkg}");

    // No Prisma project anywhere: stop, say where it looked and what to do.
    let empty = TestContext::new();
    empty.write("package.json", "{\"name\": \"x\"}\n");
    let run = empty.run(&["init"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("no Prisma project") && run.stderr.contains("hint:"), "{}", run.stderr);
    assert!(!empty.path("prisma-guard.toml").exists());
}

/// Issue 22: `init` then `uninstall` give back package.json and agent settings byte for byte
/// (tabs, 4-space indents, CRLF, compact objects, no final newline), and a JSONC settings file
/// (Gemini CLI reads comments) is edited with its comments kept.
#[test]
fn init_and_uninstall_leave_the_users_files_byte_for_byte() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    let files = [
        ("package.json", "{\r\n\t\"name\": \"app\",\r\n\t\"scripts\": {\"dev\": \"next dev\", \"build\": \"next build\"},\r\n\t\"private\": true\r\n}"),
        (".claude/settings.json", "{\n    \"permissions\": {\n        \"allow\": [\"Bash(ls:*)\"]\n    }\n}\n"),
        (".cursor/hooks.json", "{\"version\":1,\"hooks\":{\"afterFileEdit\":[{\"command\":\"./fmt.sh\"}]}}"),
        (
            ".gemini/settings.json",
            "{\n  // my theme\n  \"theme\": \"GitHub\",\n  /* the hooks */\n  \"hooks\": {\n    \"AfterTool\": [{\"matcher\": \"x\", \"hooks\": []}], // keep\n  },\n}\n",
        ),
    ];
    for (path, text) in files {
        ctx.write(path, text);
    }
    // A second project whose agent settings already hold empty hook sections, and a JSONC
    // comment init can edit but uninstall's own edit cannot take apart: both come back whole.
    let team = TestContext::new();
    team.git_init();
    team.prisma7_project("sqlite", "file:./dev.db");
    let team_files = [
        (".cursor/hooks.json", "{\"version\": 1, \"hooks\": {}}\r\n"),
        (".codex/hooks.json", "{\"hooks\":{}}"),
        (".claude/settings.json", "{\n\t\"hooks\": {}\n}\n"),
        (".gemini/settings.json", "{\n  \"theme\": \"Dracula\", /* inline */ \"hooks\": {\"BeforeTool\": []}\n}\n"),
        ("AGENTS.md", "# Agents\r\n\r\nBe careful.\r\n"),
    ];
    for (path, text) in team_files {
        team.write(path, text);
    }
    team.run(&["init", "--agent", "claude", "--agent", "cursor", "--agent", "gemini", "--agent", "codex"]).ok();
    let agents_md = std::fs::read_to_string(team.path("AGENTS.md")).unwrap();
    assert!(!agents_md.replace("\r\n", "").contains('\n'), "CRLF kept: {agents_md:?}");
    team.run(&["uninstall"]).ok();
    for (path, text) in team_files {
        assert_eq!(std::fs::read_to_string(team.path(path)).unwrap(), text, "{path} is back byte for byte");
    }
    let run = ctx.run(&["init", "--agent", "claude", "--agent", "cursor", "--agent", "gemini"]);
    run.ok();
    // Our entries are in, the user's bytes around them are as they were.
    let pkg = std::fs::read_to_string(ctx.path("package.json")).unwrap();
    assert!(pkg.contains("\"build\": \"next build\"") && pkg.contains("\r\n\t\"private\": true\r\n}"), "{pkg:?}");
    assert!(pkg.contains("db:backup"), "{pkg}");
    let gemini = std::fs::read_to_string(ctx.path(".gemini/settings.json")).unwrap();
    assert!(
        gemini.contains("// my theme") && gemini.contains("/* the hooks */") && gemini.contains("agent-hook"),
        "{gemini}"
    );
    let cursor = std::fs::read_to_string(ctx.path(".cursor/hooks.json")).unwrap();
    assert!(!cursor.contains('\n') && cursor.contains("agent-hook"), "a one-line file stays one line: {cursor}");
    let claude = std::fs::read_to_string(ctx.path(".claude/settings.json")).unwrap();
    assert!(
        claude.contains("\n        \"allow\"") && claude.contains("\n    \"hooks\": {\n        \"PreToolUse\""),
        "{claude}"
    );
    ctx.run(&["uninstall"]).ok();
    for (path, text) in files {
        assert_eq!(std::fs::read_to_string(ctx.path(path)).unwrap(), text, "{path} is back byte for byte");
    }
}

/// Review (issue 22, second round): `doctor` at a monorepo root without a Prisma project of
/// its own checks the Prisma packages below it, as `init` sets them up, instead of failing
/// to find a database; the shared rows (PATH, git hooks, agents) come once.
#[test]
fn doctor_at_a_monorepo_root_checks_the_packages_below() {
    let ctx = npm_workspace();
    let db = rusqlite::Connection::open(ctx.path("packages/db/prisma/dev.db")).unwrap();
    db.execute_batch("CREATE TABLE \"User\" (id INTEGER PRIMARY KEY);").unwrap();
    drop(db);
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    assert!(!run.all().contains("cannot find the database"), "{}", run.all());
    let line = |entry: &str| run.stdout.lines().find(|l| l.contains(entry)).map(str::to_string);
    let dump = line("packages/db: dump tools").unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(dump.starts_with("ok "), "{dump}");
    assert!(line("packages/db: newest backup").is_some_and(|l| l.starts_with("GAP")), "{}", run.stdout);
    assert_eq!(run.stdout.matches("git pre-commit hook").count(), 1, "{}", run.stdout);
    ctx.run(&["init"]).ok();
    ctx.run(&["-C", "packages/db", "backup"]).ok();
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    let backup = run.stdout.lines().find(|l| l.contains("packages/db: newest backup")).unwrap_or_default();
    assert!(backup.starts_with("ok "), "{}", run.stdout);
}

/// Review (issue 22, round 3): `"disableAllHooks": true` in any of Claude Code's settings
/// files switches every hook off: doctor reports it with the fix, and an agent may not set it.
#[test]
fn doctor_reports_claude_hooks_switched_off_by_disable_all_hooks() {
    let ctx = bare_project();
    ctx.run(&["init", "--agent", "claude"]).ok();
    let row = |run: &crate::support::Run| {
        run.stdout.lines().find(|l| l.contains("Claude Code hook")).unwrap_or_default().to_string()
    };
    let run = ctx.run(&["doctor"]);
    assert!(row(&run).starts_with("ok "), "{}", run.stdout);
    let settings = std::fs::read_to_string(ctx.path(".claude/settings.json")).unwrap();
    for (file, text) in [
        (".claude/settings.local.json", "{\"disableAllHooks\": true}\n".to_string()),
        (".claude/settings.json", settings.replacen('{', "{\n  \"disableAllHooks\": true,", 1)),
        ("home/.claude/settings.json", "{\"disableAllHooks\": true}\n".to_string()),
    ] {
        ctx.write(file, &text);
        let run = ctx.run(&["doctor"]);
        assert_eq!(run.code, 1, "{file}: {}", run.all());
        assert!(row(&run).starts_with("GAP") && row(&run).contains("disableAllHooks"), "{file}: {}", run.stdout);
        assert!(run.stdout.contains("fix: take `\"disableAllHooks\": true` out of"), "{}", run.stdout);
        // What an agent may not do.
        let line = format!("echo '{{\"disableAllHooks\": true}}' > {file}");
        assert_eq!(ctx.run(&["check", "--", &line]).code, 3, "{line}");
        if file == ".claude/settings.json" {
            ctx.write(file, &settings);
        } else {
            std::fs::remove_file(ctx.path(file)).unwrap();
        }
    }
    let run = ctx.run(&["doctor"]);
    assert!(row(&run).starts_with("ok "), "{}", run.stdout);
}

/// Review (issue 22, round 4): `uninstall` at a monorepo root undoes what `init` at the root
/// did in the Prisma packages below it (scripts, postinstall, prisma-guard.toml, the hoisted
/// shim) and at the root (agent settings, notes): every file comes back byte for byte.
#[test]
fn uninstall_at_a_monorepo_root_undoes_init_there() {
    let ctx = npm_workspace();
    ctx.write(".claude/settings.json", "{\n\t\"permissions\": {\"allow\": []}\n}");
    ctx.write("AGENTS.md", "# Agents\r\n\r\nBe careful.\r\n");
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-qm", "init"]);
    let link = std::fs::read_link(ctx.path("node_modules/.bin/prisma")).unwrap();
    let before = tree(ctx.root());
    let run = ctx.run(&["init", "--agent", "claude"]);
    run.ok();
    assert!(std::fs::read_to_string(ctx.path("packages/db/package.json")).unwrap().contains("db:backup"));
    let run = ctx.run(&["uninstall"]);
    run.ok();
    assert_eq!(std::fs::read_link(ctx.path("node_modules/.bin/prisma")).unwrap(), link);
    let after = tree(ctx.root());
    // Kept on purpose, as after `uninstall` in one project: the .gitignore entry for backups.
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k) && !k.ends_with(".gitignore"))
        .collect();
    assert!(changed.is_empty(), "changed by init + uninstall at the root: {changed:?}\n{}", run.all());
}

/// Review (issue 22, round 5): every `init` writes prisma-guard.toml with the default
/// `backup.dir`; neither init nor doctor warns that this uncommitted file's "loosening keys
/// do not count": the default folder loosens nothing.
#[test]
fn init_does_not_warn_about_the_settings_file_it_just_wrote() {
    let ctx = bare_project();
    let run = ctx.run(&["init"]);
    run.ok();
    assert!(std::fs::read_to_string(ctx.path("prisma-guard.toml")).unwrap().contains("backups"));
    assert!(!run.all().contains("not committed"), "{}", run.all());
    let run = ctx.run(&["doctor", "--shim-dir", ctx.path("shim").to_str().unwrap()]);
    assert!(!run.all().contains("not committed"), "{}", run.all());
    // A folder outside the project still loosens (backups kept elsewhere): warned about.
    ctx.write("prisma-guard.toml", "[backup]\ndir = \"/tmp/elsewhere\"\n");
    let run = ctx.run(&["backups"]);
    assert!(run.all().contains("not committed"), "{}", run.all());
}

/// Review (issue 22, round 5): husky in a sub-folder, as husky documents it (`"prepare": "cd
/// .. && husky app/.husky"`): `init` in that package wires app/.husky/pre-commit from the
/// start, before husky's first install, and the hook runs once husky has set core.hooksPath.
#[test]
fn init_in_a_package_with_its_own_husky_folder_wires_that_folder() {
    let deps = crate::guard::node_deps();
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(".gitignore", "node_modules/\n");
    ctx.write("app/.husky/pre-commit", "npm test\n");
    ctx.write(
        "app/package.json",
        "{\n  \"name\": \"app\",\n  \"scripts\": {\n    \"prepare\": \"cd .. && husky app/.husky\"\n  },\n  \"devDependencies\": {\n    \"husky\": \"9.1.7\"\n  }\n}\n",
    );
    ctx.write(
        "app/prisma.config.ts",
        "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({ schema: \"prisma/schema.prisma\", migrations: { path: \"prisma/migrations\" }, datasource: { url: \"file:./dev.db\" } });\n",
    );
    ctx.write("app/prisma/schema.prisma", "datasource db {\n  provider = \"sqlite\"\n}\n");
    let mut cmd = ctx.cmd(&["init"]);
    cmd.current_dir(ctx.path("app"));
    let run = crate::support::Run::from(cmd.output().unwrap());
    run.ok();
    assert!(!ctx.path(".git/hooks/pre-commit").exists(), "not .git/hooks: {}", run.all());
    let hook = std::fs::read_to_string(ctx.path("app/.husky/pre-commit")).unwrap();
    assert!(hook.contains("prisma-guard scan --staged") && hook.contains("npm test"), "{hook}");
    // husky's own install, as `prepare` runs it.
    let husky = std::process::Command::new("node")
        .args([deps.join("husky/bin.js").to_str().unwrap(), "app/.husky"])
        .current_dir(ctx.root())
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(husky.status.success(), "{}", String::from_utf8_lossy(&husky.stderr));
    assert_eq!(ctx.git(&["config", "core.hooksPath"]).stdout.trim(), "app/.husky/_");
    let mut cmd = ctx.cmd(&["hooks", "status"]);
    cmd.current_dir(ctx.path("app"));
    let status = crate::support::Run::from(cmd.output().unwrap());
    assert!(!status.stdout.contains("missing"), "{}", status.all());
}

/// Issue 19: doctor lists the paths past every shim (a downloaded prisma, Prisma's entry file,
/// yarn PnP, bun, the CI scan), each covered or not, with the fix.
#[test]
fn doctor_lists_the_paths_past_the_shims_and_what_covers_them() {
    let ctx = bare_project();
    ctx.run(&["init"]).ok();
    let shim = ctx.path("shim");
    let doctor = || ctx.run(&["doctor", "--shim-dir", shim.to_str().unwrap()]);
    let line = |out: &str, entry: &str| out.lines().find(|l| l.contains(entry)).map(str::to_string).unwrap_or_default();
    // No agent in the project: shown, not counted.
    let run = doctor();
    let npx = line(&run.stdout, "npx -y prisma@latest");
    assert!(npx.starts_with("-  ") && npx.contains("nothing here catches it"), "{}", run.stdout);
    assert!(line(&run.stdout, "node node_modules/prisma/build/index.js").starts_with("-  "), "{}", run.stdout);
    assert!(line(&run.stdout, "CI scan").starts_with("-  "), "{}", run.stdout);
    // With Claude Code's hooks installed, they catch both.
    std::fs::create_dir_all(ctx.path(".claude")).unwrap();
    ctx.run(&["init", "--agent", "claude"]).ok();
    let run = doctor();
    let npx = line(&run.stdout, "npx -y prisma@latest");
    assert!(npx.starts_with("ok ") && npx.contains("Claude Code"), "{}", run.stdout);
    // A CI configuration that does not scan is a gap; yarn PnP leaves no place for a shim.
    ctx.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n",
    );
    ctx.write(".pnp.cjs", "// yarn pnp\n");
    let run = doctor();
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        line(&run.stdout, "CI scan").starts_with("GAP") && run.stdout.contains("templates/ci/github-actions.yml"),
        "{}",
        run.stdout
    );
    assert!(
        line(&run.stdout, "yarn Plug'n'Play").starts_with("GAP") && run.stdout.contains("nodeLinker: node-modules"),
        "{}",
        run.stdout
    );
    ctx.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: prisma-guard scan\n",
    );
    let run = doctor();
    assert!(line(&run.stdout, "CI scan").starts_with("ok "), "{}", run.stdout);
}

/// Review round 6, defect 8: one agent's settings file that cannot be edited safely (invalid
/// JSONC) is left as it is with a note saying what to fix; everything else is set up, and the
/// exit status (1) says the set-up is not complete. `init --agent claude` does not read
/// Gemini's file at all.
#[test]
fn a_broken_agent_settings_file_is_skipped_and_the_rest_set_up() {
    let ctx = bare_project();
    std::fs::create_dir_all(ctx.path(".claude")).unwrap();
    let broken = "{\n  // the theme\n  \"theme\": \"Dracula\",, oops\n}\n";
    ctx.write(".gemini/settings.json", broken);
    let run = ctx.run(&["init"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains(".gemini/settings.json") && run.stderr.contains("Gemini"), "{}", run.stderr);
    assert!(run.stderr.contains("everything else is set up"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(ctx.path(".gemini/settings.json")).unwrap(), broken);
    let claude = std::fs::read_to_string(ctx.path(".claude/settings.json")).unwrap_or_default();
    assert!(claude.contains("prisma-guard agent-hook"), "{}", run.all());
    assert!(std::fs::read_to_string(ctx.path("package.json")).unwrap().contains("db:backup"), "{}", run.all());
    assert!(ctx.path(".git/hooks/pre-commit").is_file(), "{}", run.all());
    assert!(ctx.path("prisma-guard.toml").is_file());

    let run = ctx.run(&["init", "--agent", "claude"]);
    assert_eq!(run.code, 0, "gemini's file is not read: {}", run.all());
    assert!(!run.all().contains("gemini"), "{}", run.all());
    assert_eq!(std::fs::read_to_string(ctx.path(".gemini/settings.json")).unwrap(), broken);
}

/// Review (issue 22, round 7): under Yarn Plug'n'Play `init` promised that the postinstall
/// would install the shim at the next install, which never happens (no node_modules/.bin);
/// doctor told to set DATABASE_URL when the schema reads another variable.
#[test]
fn yarn_pnp_is_said_and_doctor_names_the_variable_the_schema_reads() {
    let ctx = bare_project();
    ctx.write(".pnp.cjs", "// yarn pnp\n");
    let run = ctx.run(&["init", "--dry-run"]);
    assert!(
        run.all().contains("Plug'n'Play") && !run.all().contains("installs the shim at the next npm install"),
        "{}",
        run.all()
    );

    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = env(\"API_DATABASE_URL\")\n}\n",
    );
    ctx.write("package.json", "{\"name\": \"api\"}\n");
    let run = ctx.run(&["doctor"]);
    assert!(run.stdout.contains("fix: set API_DATABASE_URL"), "{}", run.all());
}
