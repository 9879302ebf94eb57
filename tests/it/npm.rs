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
