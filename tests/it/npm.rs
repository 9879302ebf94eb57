//! Issue 21: the npm packages. `scripts/npm-pack.sh` packs the binary under test into the main
//! package (@prisma-guard/cli, a Node launcher) and this machine's platform package; npm and
//! pnpm install them from the tarballs, offline, into a Prisma project where prisma-guard is
//! nowhere else on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::guard::{install_fake_prisma, rows};
use crate::support::*;

/// The two tarballs (main, platform), packed once per test run from the binary under test.
fn tarballs() -> &'static (PathBuf, PathBuf) {
    static PACKED: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    let (_, main, platform) = PACKED.get_or_init(|| {
        let out = tempfile::Builder::new().prefix("pg-npm-").tempdir().unwrap();
        let run = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/npm-pack.sh"))
            .env("PRISMA_GUARD_BIN", bin())
            .env("NPM_OUT", out.path())
            .env("npm_config_update_notifier", "false")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
        assert!(run.status.success(), "npm-pack.sh failed: {stdout}{}", String::from_utf8_lossy(&run.stderr));
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "two tarballs: {stdout}");
        let (main, platform) = (PathBuf::from(lines[0]), PathBuf::from(lines[1]));
        assert!(main.is_file() && platform.is_file(), "{stdout}");
        (out, main, platform)
    });
    // A 'static pair of paths borrowed from the cell.
    static PAIR: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    PAIR.get_or_init(|| (main.clone(), platform.clone()))
}

fn version() -> String {
    let cargo = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let line = cargo.lines().find(|l| l.starts_with("version = ")).unwrap();
    line.trim_start_matches("version = ").trim_matches('"').to_string()
}

/// The package.json inside a tarball.
fn packed_json(tarball: &Path) -> serde_json::Value {
    let out = Command::new("tar").args(["-xzOf"]).arg(tarball).arg("package/package.json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A Prisma 7 project (SQLite with rows) in a git repository, with a PATH that holds node and
/// the system's tools but no prisma-guard. The fake prisma goes into node_modules after
/// `npm install` (which removes packages its package.json does not name).
fn project() -> TestContext {
    let mut ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    ctx.write(
        "prisma/migrations/20260101000000_init/migration.sql",
        "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL);\n",
    );
    ctx.write("prisma/migrations/migration_lock.toml", "provider = \"sqlite\"\n");
    ctx.write(
        "package.json",
        "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\"\n  }\n}\n",
    );
    let conn = rusqlite::Connection::open(ctx.path("dev.db")).unwrap();
    conn.execute_batch("CREATE TABLE \"User\" (\"id\" TEXT NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL); INSERT INTO \"User\" VALUES ('u1', 'a@example.com'), ('u2', 'b@example.com');").unwrap();
    let node = which::which("node").unwrap();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", node.parent().unwrap().display());
    ctx.set_env("PATH", &path);
    ctx.set_env("FAKE_PRISMA_LOG", &ctx.path("prisma-calls.jsonl").display().to_string());
    for (k, v) in [
        ("npm_config_offline", "true"),
        ("npm_config_update_notifier", "false"),
        ("npm_config_fund", "false"),
        ("npm_config_audit", "false"),
    ] {
        ctx.set_env(k, v);
    }
    ctx.git_init();
    ctx
}

fn npm_install(ctx: &TestContext) {
    let (main, platform) = tarballs();
    let run = ctx.sh(&format!("npm install -D --no-audit --no-fund {} {}", main.display(), platform.display()));
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn the_packages_pick_their_platform_and_need_no_install_script() {
    let (main, platform) = tarballs();
    let main = packed_json(main);
    let platform = packed_json(platform);
    assert_eq!(main["name"], "@prisma-guard/cli");
    assert_eq!(main["version"], version().as_str());
    assert_eq!(main["bin"]["prisma-guard"], "bin/prisma-guard.js");
    let optional = main["optionalDependencies"].as_object().unwrap();
    let keys: Vec<&str> = optional.keys().map(String::as_str).collect();
    for key in ["linux-x64-gnu", "linux-x64-musl", "linux-arm64-gnu", "darwin-x64", "darwin-arm64"] {
        let name = format!("@prisma-guard/cli-{key}");
        assert_eq!(optional.get(&name).and_then(|v| v.as_str()), Some(version().as_str()), "{keys:?}");
    }
    let name = platform["name"].as_str().unwrap();
    assert!(name.starts_with("@prisma-guard/cli-"), "{platform}");
    assert!(platform["os"].as_array().is_some_and(|a| a.len() == 1), "{platform}");
    assert!(platform["cpu"].as_array().is_some_and(|a| a.len() == 1), "{platform}");
    if name.starts_with("@prisma-guard/cli-linux") {
        assert!(platform["libc"].as_array().is_some_and(|a| a.len() == 1), "{platform}");
    }
    // Each tarball carries the licence (issue 21 review, round 2).
    for tarball in [&tarballs().0, &tarballs().1] {
        let out = Command::new("tar").args(["-tzf"]).arg(tarball).output().unwrap();
        let listing = String::from_utf8_lossy(&out.stdout);
        assert!(listing.lines().any(|l| l == "package/LICENSE"), "{}: {listing}", tarball.display());
    }
    for pkg in [&main, &platform] {
        let scripts = pkg.get("scripts").and_then(|s| s.as_object()).cloned().unwrap_or_default();
        for hook in ["preinstall", "install", "postinstall", "prepare"] {
            assert!(!scripts.contains_key(hook), "{} runs an install script: {pkg}", pkg["name"]);
        }
    }
}

#[test]
fn npm_installs_it_and_npx_runs_the_native_binary() {
    let ctx = project();
    assert_ne!(ctx.sh("command -v prisma-guard").code, 0, "no prisma-guard on PATH before the install");
    npm_install(&ctx);
    let run = ctx.sh("npx prisma-guard --version");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stdout.trim(), format!("prisma-guard {}", version()));
    let run = ctx.sh("npx @prisma-guard/cli --version");
    assert_eq!(run.stdout.trim(), format!("prisma-guard {}", version()), "{}", run.all());
    // Exit codes come back through the launcher: 3 is a refusal.
    let run = ctx.sh("npx prisma-guard check -- npx prisma migrate reset --force");
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stdout.contains("destructive"), "{}", run.all());
}

#[test]
fn npx_init_guards_npx_prisma_without_a_terminal() {
    let ctx = project();
    npm_install(&ctx);
    install_fake_prisma(&ctx, ctx.root());
    let run = ctx.sh("npx @prisma-guard/cli init");
    assert_eq!(run.code, 0, "{}", run.all());
    for line in ["npx prisma migrate reset --force", "npm run db:reset"] {
        let run = ctx.sh(line);
        assert_ne!(run.code, 0, "{line}: {}", run.all());
        assert!(run.all().contains("refused"), "{line}: {}", run.all());
    }
    assert_eq!(rows(&ctx, "User"), 2, "the database kept its rows");
    // The project shim's install pointed npm's .bin/prisma-guard (the Node launcher) at the
    // native binary: it runs with no node on PATH, as the hooks need it to.
    let target = std::fs::read_link(ctx.path("node_modules/.bin/prisma-guard")).unwrap();
    assert!(target.to_string_lossy().contains("@prisma-guard/cli-"), "{}", target.display());
    let run = Command::new(ctx.path("node_modules/.bin/prisma-guard"))
        .arg("--version")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&run.stdout).starts_with("prisma-guard "), "{run:?}");
    // Taken out again by uninstall: npm's link to the launcher is back.
    let run = ctx.sh("npx prisma-guard shim uninstall --project");
    assert_eq!(run.code, 0, "{}", run.all());
    let target = std::fs::read_link(ctx.path("node_modules/.bin/prisma-guard")).unwrap();
    assert!(target.to_string_lossy().ends_with("@prisma-guard/cli/bin/prisma-guard.js"), "{}", target.display());
}

#[test]
fn a_missing_platform_package_is_a_clear_error() {
    let ctx = project();
    npm_install(&ctx);
    let platform = std::fs::read_dir(ctx.path("node_modules/@prisma-guard"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("cli-"))
        .unwrap()
        .path();
    std::fs::remove_dir_all(platform).unwrap();
    let run = ctx.sh("npx prisma-guard --version");
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("is not installed") && run.stderr.contains("hint:"), "{}", run.all());
}

#[test]
fn pnpm_installs_it_too() {
    let ctx = project();
    let (main, platform) = tarballs();
    let run = ctx.sh(&format!("pnpm add -D --offline {} {}", main.display(), platform.display()));
    assert_eq!(run.code, 0, "{}", run.all());
    let run = ctx.sh("pnpm exec prisma-guard --version");
    assert_eq!(run.stdout.trim(), format!("prisma-guard {}", version()), "{}", run.all());
}

/// The stand-in prisma packed as a tarball, so that npm keeps it as a devDependency through
/// later installs (a folder put into node_modules by hand is pruned by the next install).
fn prisma_tarball() -> &'static PathBuf {
    static PACKED: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, tgz) = PACKED.get_or_init(|| {
        let out = tempfile::Builder::new().prefix("pg-npm-prisma-").tempdir().unwrap();
        let run = Command::new("npm")
            .args(["pack", "--silent", "--pack-destination"])
            .arg(out.path())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake-prisma"))
            .env("npm_config_update_notifier", "false")
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let name = String::from_utf8_lossy(&run.stdout).trim().to_string();
        let tgz = out.path().join(name);
        (out, tgz)
    });
    tgz
}

/// The agent hook's command for `agent` as init wrote it into the agent's settings.
fn hook_command(ctx: &TestContext, agent: &str) -> String {
    let (file, pointer) = match agent {
        "claude" => (".claude/settings.json", "/hooks/PreToolUse/0/hooks/0/command"),
        "codex" => (".codex/hooks.json", "/hooks/PreToolUse/0/hooks/0/command"),
        "cursor" => (".cursor/hooks.json", "/hooks/beforeShellExecution/0/command"),
        other => panic!("{other}"),
    };
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(ctx.path(file)).unwrap()).unwrap();
    v.pointer(pointer).and_then(|c| c.as_str()).unwrap_or_else(|| panic!("{file}: {v}")).to_string()
}

/// Run a hook command as the agent does: `sh -c COMMAND` in `dir`, the payload on stdin, the
/// agent's own variables set, a PATH with node and the system's tools and no prisma-guard.
fn run_hook(ctx: &TestContext, command: &str, dir: &Path, agent: &str, line: &str) -> std::process::Output {
    use std::io::Write;
    let payload = crate::agents::payload(agent, line, &dir.display().to_string());
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env_clear()
        .envs(ctx.env.iter().map(|(k, v)| (k, v)))
        .env("CLAUDE_PROJECT_DIR", ctx.root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A hook that refuses without reading its input closes the pipe first.
    let _ = child.stdin.take().unwrap().write_all(payload.to_string().as_bytes());
    child.wait_with_output().unwrap()
}

fn refused(agent: &str, out: &std::process::Output) -> bool {
    let stdout = String::from_utf8_lossy(&out.stdout);
    match agent {
        // Claude Code and Codex: exit 2 blocks (the refusal of a missing prisma-guard); Claude
        // Code's JSON deny (prisma-guard's own refusal).
        "claude" => out.status.code() == Some(2) || stdout.contains("\"permissionDecision\":\"deny\""),
        "codex" => out.status.code() == Some(2) && stdout.is_empty(),
        "cursor" => out.status.code() == Some(0) && stdout.contains("\"permission\":\"deny\""),
        other => panic!("{other}"),
    }
}

/// Review finding 1: installed from npm, prisma-guard is on no one's PATH. The agent hooks
/// init writes find it in the project's node_modules/.bin by a path that is the same on every
/// machine ("$CLAUDE_PROJECT_DIR", the repository's top), from any folder the agent is in;
/// with node_modules gone (a fresh clone, before `npm install`) they refuse, in the agent's
/// own terms, with the hint to install, instead of failing to start (which agents read as
/// "allow"). The MCP server and git hooks call the same link.
#[test]
fn npm_installed_hooks_call_node_modules_and_refuse_when_it_is_missing() {
    let ctx = project();
    npm_install(&ctx);
    install_fake_prisma(&ctx, ctx.root());
    ctx.write(
        ".mcp.json",
        "{\"mcpServers\": {\"prisma\": {\"command\": \"npx\", \"args\": [\"-y\", \"prisma\", \"mcp\"]}}}\n",
    );
    let run = ctx.sh("npx @prisma-guard/cli init --agent claude --agent codex --agent cursor");
    assert_eq!(run.code, 0, "{}", run.all());
    let root = ctx.root().display().to_string();
    for agent in ["claude", "codex", "cursor"] {
        let cmd = hook_command(&ctx, agent);
        assert!(!cmd.contains(&root), "no path of this machine in {agent}'s hook: {cmd}");
        for dir in [ctx.root().to_path_buf(), ctx.path("prisma")] {
            let out = run_hook(&ctx, &cmd, &dir, agent, "npx prisma migrate reset --force");
            assert!(refused(agent, &out), "{agent} in {}: {out:?}", dir.display());
            let out = run_hook(&ctx, &cmd, &dir, agent, "ls -la");
            assert_eq!(out.status.code(), Some(0), "{agent}: {out:?}");
            assert!(out.stdout.is_empty(), "{agent} allows an everyday line: {out:?}");
        }
    }
    let mcp: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ctx.path(".mcp.json")).unwrap()).unwrap();
    assert_eq!(mcp["mcpServers"]["prisma"]["command"], "node_modules/.bin/prisma-guard", "{mcp}");
    let hook = std::fs::read_to_string(ctx.path(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("pg=node_modules/.bin/prisma-guard") && !hook.contains(&root), "{hook}");
    let doctor = ctx.sh("npx prisma-guard doctor");
    assert!(doctor.stdout.contains("prisma-guard in node_modules/.bin"), "{}", doctor.all());
    for agent in ["Claude Code", "Codex CLI", "Cursor"] {
        let row = doctor.stdout.lines().find(|l| l.contains(&format!("{agent} hook"))).unwrap_or_default();
        assert!(row.starts_with("ok"), "{}", doctor.stdout);
    }

    // Review (round 2, D1): node_modules/.bin/prisma-guard that cannot answer (npm's Node
    // launcher with no node on the hook's PATH: 127; a missing platform package: 2 and nothing
    // on stdout; a crash) is a refusal in the agent's terms, never a hook error the agent
    // goes past.
    let link = ctx.path("node_modules/.bin/prisma-guard");
    std::fs::remove_file(&link).unwrap();
    for code in [127, 2, 1] {
        std::fs::write(&link, format!("#!/bin/sh\ncat >/dev/null\nexit {code}\n")).unwrap();
        std::fs::set_permissions(&link, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        for agent in ["claude", "codex", "cursor"] {
            let out = run_hook(&ctx, &hook_command(&ctx, agent), ctx.root(), agent, "ls -la");
            assert!(refused(agent, &out), "{agent}, exit {code}: {out:?}");
            let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(code == 2 && agent != "cursor" || said.contains("did not answer"), "{agent}: {said}");
        }
    }

    // A teammate's fresh clone before `npm install`: no node_modules at all.
    std::fs::remove_dir_all(ctx.path("node_modules")).unwrap();
    for agent in ["claude", "codex", "cursor"] {
        let out = run_hook(&ctx, &hook_command(&ctx, agent), ctx.root(), agent, "npx prisma migrate reset --force");
        assert!(refused(agent, &out), "{agent}: {out:?}");
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(said.contains("not installed") && said.contains("npm install"), "{agent}: {said}");
        // Everything is refused until it is installed: the hook cannot tell safe from not.
        let out = run_hook(&ctx, &hook_command(&ctx, agent), ctx.root(), agent, "ls -la");
        assert!(refused(agent, &out), "{agent}: {out:?}");
    }
    // The git hook: the commit is stopped, with the hint.
    ctx.write("notes.txt", "x\n");
    let run = ctx.sh("git add notes.txt && git -c user.name=t -c user.email=t@example.com commit -qm x");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("npm install"), "{}", run.all());
}

/// Review finding 2: `pnpm add X` re-creates node_modules/.bin/prisma over the shim (every
/// `.bin` entry is written again), and no postinstall puts it back when install scripts are
/// blocked. What protects the user then: the agent hook judges the words of the line (the
/// shim plays no part in it), doctor names the gap and the exact command, and the agent
/// hook's next run (or the git hook's) puts the shim back, so the terminal's `npx prisma
/// migrate reset` is refused again. (npm 11 keeps the shim through `npm install -D X` of an
/// unrelated package; it re-creates the link when it reinstalls prisma.)
#[test]
fn after_pnpm_add_of_another_package_the_hooks_put_the_shim_back() {
    let ctx = project();
    let (main, platform) = tarballs();
    let run = ctx.sh(&format!(
        "pnpm add -D --offline {} {} {}",
        main.display(),
        platform.display(),
        prisma_tarball().display()
    ));
    assert_eq!(run.code, 0, "{}", run.all());
    crate::guard::link_node_deps(ctx.root());
    let run = ctx.sh("pnpm exec prisma-guard init --agent claude");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(ctx.sh("npx prisma migrate reset --force").code, 3, "guarded after init");
    let bin = ctx.path("node_modules/.bin/prisma");
    let is_shim = || std::fs::read_to_string(&bin).is_ok_and(|t| t.contains("prisma-guard"));
    assert!(is_shim());

    // Another package, installed with scripts blocked.
    ctx.write("x/package.json", "{\"name\": \"x\", \"version\": \"1.0.0\"}\n");
    let run = ctx.sh("pnpm add -D --offline --ignore-scripts ./x");
    assert_eq!(run.code, 0, "{}", run.all());
    crate::guard::link_node_deps(ctx.root());
    assert!(!is_shim(), "pnpm wrote its own .bin/prisma over the shim");

    // doctor names the gap and the exact fix (through npx: prisma-guard is on no PATH).
    let doctor = ctx.sh("npx prisma-guard doctor");
    assert_eq!(doctor.code, 1, "{}", doctor.all());
    assert!(doctor.stdout.contains("re-created its link over the shim"), "{}", doctor.stdout);
    assert!(doctor.stdout.contains("fix: npx @prisma-guard/cli shim install --project"), "{}", doctor.stdout);

    // The agent's line is refused by its words, and the hook put the shim back.
    let cmd = hook_command(&ctx, "claude");
    let out = run_hook(&ctx, &cmd, ctx.root(), "claude", "npx prisma migrate reset --force");
    assert!(refused("claude", &out), "{out:?}");
    assert!(is_shim(), "the agent hook put the shim back");
    let run = ctx.sh("npx prisma migrate reset --force");
    assert_eq!(run.code, 3, "{}", run.all());
    assert_eq!(rows(&ctx, "User"), 2, "the database kept its rows");
    let doctor = ctx.sh("npx prisma-guard doctor");
    let row = doctor.stdout.lines().find(|l| l.contains("node_modules/.bin/prisma (")).unwrap_or_default();
    assert!(row.starts_with("ok"), "{}", doctor.stdout);

    // And the git hook does the same at the next commit.
    ctx.write("y/package.json", "{\"name\": \"y\", \"version\": \"1.0.0\"}\n");
    let run = ctx.sh("pnpm add -D --offline --ignore-scripts ./y");
    assert_eq!(run.code, 0, "{}", run.all());
    crate::guard::link_node_deps(ctx.root());
    assert!(!is_shim(), "pnpm wrote its own .bin/prisma over the shim again");
    ctx.write("notes.txt", "x\n");
    let run = ctx.sh("git add notes.txt && git -c user.name=t -c user.email=t@example.com commit -qm x");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("the prisma-guard shim is back"), "{}", run.all());
    assert!(is_shim());
}

/// Review finding 3: with pnpm the binary sits in pnpm's store layout
/// (node_modules/.pnpm/@prisma-guard+cli-<platform>@<version>/...) and .bin holds sh wrappers.
/// init links .bin/prisma-guard to it by a relative path and the shim names no absolute path:
/// the checkout works moved to another folder (another machine's clone layout).
#[test]
fn pnpm_links_are_relative_and_work_from_a_moved_checkout() {
    let ctx = project();
    let (main, platform) = tarballs();
    let run = ctx.sh(&format!("pnpm add -D --offline {} {}", main.display(), platform.display()));
    assert_eq!(run.code, 0, "{}", run.all());
    install_fake_prisma(&ctx, ctx.root());
    let run = ctx.sh("pnpm exec prisma-guard init");
    assert_eq!(run.code, 0, "{}", run.all());
    let target = std::fs::read_link(ctx.path("node_modules/.bin/prisma-guard")).unwrap();
    assert!(target.is_relative(), "{}", target.display());
    assert!(target.to_string_lossy().contains(".pnpm/@prisma-guard+cli-"), "{}", target.display());
    let shim = std::fs::read_to_string(ctx.path("node_modules/.bin/prisma")).unwrap();
    assert!(!shim.contains(&ctx.root().display().to_string()), "{shim}");

    // The checkout moved: the old folder is gone, the copy works from its own links.
    let moved = tempfile::Builder::new().prefix("pg-moved-").tempdir().unwrap();
    let copy = moved.path().join("app");
    let cp = Command::new("cp").arg("-a").arg(ctx.root()).arg(&copy).status().unwrap();
    assert!(cp.success());
    // node and the system's tools, no prisma-guard.
    let path = ctx.env.iter().find(|(k, _)| k == "PATH").map(|(_, v)| v.clone()).unwrap_or_default();
    let away = ctx.root().with_extension("away");
    std::fs::rename(ctx.root(), &away).unwrap();
    let result = std::panic::catch_unwind(|| {
        let run = Command::new(copy.join("node_modules/.bin/prisma-guard"))
            .arg("--version")
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&run.stdout).starts_with("prisma-guard "), "{run:?}");
        let run = Command::new(copy.join("node_modules/.bin/prisma"))
            .args(["migrate", "reset", "--force"])
            .current_dir(&copy)
            .env_clear()
            .env("PATH", &path)
            .env("HOME", copy.join("home"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(3), "{run:?}");
        let said = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert!(said.contains("refused"), "{said}");
    });
    std::fs::rename(&away, ctx.root()).unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// Review finding 1, lefthook: lefthook runs its commands with a PATH that may lack
/// node_modules/.bin. The command init writes finds prisma-guard there from the repository's
/// top, and with node_modules gone stops the commit with the hint to run npm install.
#[test]
fn npm_installed_lefthook_commands_find_node_modules_and_stop_without_it() {
    let ctx = project();
    ctx.write("lefthook.yml", "pre-commit:\n  commands:\n    lint:\n      run: echo lint\n");
    npm_install(&ctx);
    install_fake_prisma(&ctx, ctx.root());
    let run = ctx.sh("npx @prisma-guard/cli init");
    assert_eq!(run.code, 0, "{}", run.all());
    let text = std::fs::read_to_string(ctx.path("lefthook.yml")).unwrap();
    let line = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("run: "))
        .find(|l| l.ends_with("prisma-guard scan --staged"))
        .unwrap_or_else(|| panic!("{text}"))
        .to_string();
    ctx.write("notes.txt", "x\n");
    ctx.git(&["add", "notes.txt"]);
    // As lefthook runs it: `sh -c`, at the top of the working tree, PATH without prisma-guard.
    let run_line = || {
        Command::new("sh")
            .arg("-c")
            .arg(&line)
            .current_dir(ctx.root())
            .env_clear()
            .envs(ctx.env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap()
    };
    let out = run_line();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    std::fs::remove_dir_all(ctx.path("node_modules")).unwrap();
    let out = run_line();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("npm install"), "{out:?}");
}
