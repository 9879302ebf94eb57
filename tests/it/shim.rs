//! Entry points: `npx prisma`, `npm exec prisma` and npm scripts run node_modules/.bin/prisma
//! without consulting PATH; `shim install --project` covers them and survives npm install.

use crate::guard::{guarded_project, prisma_calls, rows};
use crate::support::*;

const PACKAGE_JSON: &str = r#"{
  "name": "app",
  "version": "1.0.0",
  "private": true,
  "scripts": {
    "db:reset": "prisma migrate reset --force",
    "db:deploy": "prisma migrate deploy",
    "postinstall": "echo installed"
  },
  "devDependencies": {
    "prisma": "7.10.1"
  }
}
"#;

fn npm_project() -> TestContext {
    let mut ctx = guarded_project();
    ctx.write("package.json", PACKAGE_JSON);
    // Only prisma-guard itself on PATH under its own name (for the postinstall entry); the
    // PATH `prisma` shim is removed so that only node_modules/.bin is in play.
    std::fs::remove_file(ctx.path("shim/prisma")).unwrap();
    std::os::unix::fs::symlink(bin(), ctx.path("shim/prisma-guard")).unwrap();
    ctx.set_env("npm_config_offline", "true");
    ctx.set_env("npm_config_update_notifier", "false");
    ctx.set_env("npm_config_fund", "false");
    ctx.set_env("npm_config_audit", "false");
    ctx
}

#[test]
fn without_the_project_shim_npx_bypasses_the_guard() {
    // The fact this whole feature rests on: npx runs node_modules/.bin/prisma, not PATH.
    let ctx = npm_project();
    let run = ctx.sh("npx prisma migrate deploy");
    run.ok();
    assert!(ctx.backup_files().is_empty(), "no guard, no backup");
}

#[test]
fn project_shim_guards_npx_npm_exec_and_npm_scripts() {
    let ctx = npm_project();
    let run = ctx.run(&["shim", "install", "--project", "--dir", ctx.path("pathshim").to_str().unwrap()]);
    run.ok();
    let before = prisma_calls(&ctx).len();

    for line in ["npx prisma migrate reset --force", "npm exec prisma -- db push --force-reset", "npm run db:reset"] {
        let run = ctx.sh(line);
        assert_ne!(run.code, 0, "{line}: {}", run.all());
        assert!(run.all().contains("refused"), "{line}: {}", run.all());
    }
    assert_eq!(prisma_calls(&ctx).len(), before, "prisma never ran");
    assert_eq!(rows(&ctx, "Post"), 3);

    ctx.sh("npm run db:deploy").ok();
    assert_eq!(ctx.manifests().len(), 1, "a backup before migrate deploy");
    ctx.sh("npx prisma generate").ok();
    let calls = prisma_calls(&ctx);
    assert_eq!(calls.last().unwrap()["argv"], serde_json::json!(["generate"]));
}

#[test]
fn install_is_idempotent_and_keeps_package_json_intact() {
    let ctx = npm_project();
    let dir = ctx.path("pathshim");
    ctx.run(&["shim", "install", "--project", "--dir", dir.to_str().unwrap()]).ok();
    let once = std::fs::read_to_string(ctx.path("package.json")).unwrap();
    ctx.run(&["shim", "install", "--project", "--dir", dir.to_str().unwrap()]).ok();
    let twice = std::fs::read_to_string(ctx.path("package.json")).unwrap();
    assert_eq!(once, twice);
    let json: serde_json::Value = serde_json::from_str(&once).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["name", "version", "private", "scripts", "devDependencies"], "key order kept");
    let post = json["scripts"]["postinstall"].as_str().unwrap();
    assert!(post.ends_with("; echo installed") && post.contains("prisma-guard shim install --project"), "{post}");
    assert_eq!(json["scripts"]["db:reset"], "prisma migrate reset --force");
    assert!(std::fs::read_link(dir.join("prisma")).is_ok());
}

#[test]
fn postinstall_puts_the_shim_back_after_npm_restores_its_link() {
    let ctx = npm_project();
    ctx.run(&["shim", "install", "--project", "--dir", ctx.path("pathshim").to_str().unwrap()]).ok();
    // What `npm install` does: the link to the CLI comes back.
    let bin = ctx.path("node_modules/.bin/prisma");
    std::fs::remove_file(&bin).unwrap();
    std::os::unix::fs::symlink("../prisma/build/index.js", &bin).unwrap();
    assert!(ctx.sh("npx prisma migrate reset --force").code == 0, "unguarded again after npm install");
    crate::guard::install_fake_prisma(&ctx, ctx.root());
    let run = ctx.sh("npm run --silent postinstall");
    run.ok();
    // Issue 22: quiet on every install (no PATH warning each time).
    assert!(!run.stderr.contains("PATH"), "{}", run.stderr);
    let run = ctx.sh("npx prisma migrate reset --force");
    assert_eq!(run.code, 3, "{}", run.all());
}

#[test]
fn status_reports_gaps_and_uninstall_restores_everything() {
    let mut ctx = npm_project();
    let dir = ctx.path("pathshim");
    let run = ctx.run(&["shim", "status"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("GAP") && run.stdout.contains("prisma-guard shim install --project"), "{}", run.stdout);

    ctx.run(&["shim", "install", "--project", "--dir", dir.to_str().unwrap()]).ok();
    let path = format!("{}:{}", dir.display(), ctx.env.iter().find(|(k, _)| k == "PATH").unwrap().1);
    ctx.set_env("PATH", &path);
    let run = ctx.run(&["shim", "status"]);
    run.ok();
    assert!(!run.stdout.contains("GAP"), "{}", run.stdout);

    ctx.run(&["shim", "uninstall", "--project", "--dir", dir.to_str().unwrap()]).ok();
    let bin = ctx.path("node_modules/.bin/prisma");
    assert_eq!(
        std::fs::read_link(&bin).unwrap(),
        std::path::Path::new("../prisma/build/index.js"),
        "npm's link is back"
    );
    assert!(!dir.join("prisma").exists());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ctx.path("package.json")).unwrap()).unwrap();
    assert_eq!(json["scripts"]["postinstall"], "echo installed");
}

#[test]
fn pnpm_style_wrapper_scripts_are_moved_aside_and_restored() {
    let ctx = npm_project();
    let bin = ctx.path("node_modules/.bin/prisma");
    std::fs::remove_file(&bin).unwrap();
    let pnpm_wrapper = "#!/bin/sh\nbasedir=$(dirname \"$(echo \"$0\" | sed -e 's,\\\\,/,g')\")\nexec node \"$basedir/../prisma/build/index.js\" \"$@\"\n";
    std::fs::write(&bin, pnpm_wrapper).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    ctx.run(&["shim", "install", "--project", "--dir", ctx.path("pathshim").to_str().unwrap()]).ok();
    assert_eq!(ctx.sh("node_modules/.bin/prisma migrate reset --force").code, 3);
    // The real pnpm (scripts/test.sh installs it): `pnpm exec` and `pnpm <script>` are guarded too.
    assert!(which_exists("pnpm"), "the tests need pnpm: run scripts/test.sh (it installs it)");
    let run = ctx.sh("pnpm exec prisma migrate reset --force");
    assert_eq!(run.code, 3, "{}", run.all());
    let run = ctx.sh("pnpm run db:reset");
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("refused"), "{}", run.all());
    assert_eq!(rows(&ctx, "Post"), 3);
    ctx.run(&["shim", "uninstall", "--project", "--dir", ctx.path("pathshim").to_str().unwrap()]).ok();
    assert_eq!(std::fs::read_to_string(&bin).unwrap(), pnpm_wrapper);
}

fn which_exists(name: &str) -> bool {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Issue 22: our postinstall entry never changes what the user's script does or how it fails:
/// a failing postinstall still fails `npm install`, and one ending in a comment still runs ours.
#[test]
fn the_postinstall_merge_keeps_the_users_script_and_its_failures() {
    for (script, fails) in [("exit 3", true), ("echo ok # keep this comment", false)] {
        let ctx = npm_project();
        let pkg = PACKAGE_JSON.replace(
            "\"postinstall\": \"echo installed\"",
            &format!("\"postinstall\": {}", serde_json::Value::String(script.into())),
        );
        assert_ne!(pkg, PACKAGE_JSON, "the fixture has a postinstall to replace");
        ctx.write("package.json", &pkg);
        ctx.run(&["shim", "install", "--project", "--dir", ctx.path("pathshim").to_str().unwrap()]).ok();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(ctx.path("package.json")).unwrap()).unwrap();
        assert!(json["scripts"]["postinstall"].as_str().unwrap().ends_with(script), "{json}");
        // npm restores its link; the postinstall puts the shim back, then runs the user's script.
        let bin = ctx.path("node_modules/.bin/prisma");
        std::fs::remove_file(&bin).unwrap();
        std::os::unix::fs::symlink("../prisma/build/index.js", &bin).unwrap();
        let run = ctx.sh("npm run --silent postinstall");
        assert_eq!(run.code != 0, fails, "{script}: {}", run.all());
        let run = ctx.sh("npx prisma migrate reset --force");
        assert_eq!(run.code, 3, "{script}: the shim is back: {}", run.all());
        ctx.run(&["shim", "uninstall", "--project", "--dir", ctx.path("pathshim").to_str().unwrap()]).ok();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(ctx.path("package.json")).unwrap()).unwrap();
        assert_eq!(json["scripts"]["postinstall"], script, "uninstall gives the script back as it was");
    }
}

/// Issue 22 review: a PATH shim left pointing at a prisma-guard that was moved or removed is
/// replaced; a foreign `prisma` in the PATH shim's folder does not stop `shim install
/// --project` (what the postinstall runs) from guarding node_modules/.bin/prisma.
#[test]
fn a_stale_or_foreign_path_shim_does_not_block_the_project_shim() {
    let ctx = npm_project();
    let dir = ctx.path("pathshim");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(ctx.path("gone/bin/prisma-guard"), dir.join("prisma")).unwrap();
    ctx.run(&["shim", "install", "--dir", dir.to_str().unwrap()]).ok();
    assert_eq!(std::fs::canonicalize(dir.join("prisma")).unwrap(), std::fs::canonicalize(bin()).unwrap());
    std::fs::remove_file(dir.join("prisma")).unwrap();
    std::fs::write(dir.join("prisma"), "#!/bin/sh\necho someone else's prisma\n").unwrap();
    let run = ctx.run(&["shim", "install", "--project", "--quiet", "--dir", dir.to_str().unwrap()]);
    run.ok();
    assert!(run.stderr.contains("is not prisma-guard's"), "{}", run.stderr);
    let shim = std::fs::read_to_string(ctx.path("node_modules/.bin/prisma")).unwrap();
    assert!(shim.contains("prisma-guard"), "{shim}");
}

/// The doctor row of node_modules/.bin/prisma.
fn bin_row(doctor: &str) -> String {
    doctor.lines().find(|l| l.contains("node_modules/.bin/prisma")).unwrap_or_default().to_string()
}

/// Review finding 4: a folder with node_modules/.bin/prisma but no package.json. npx runs
/// that link all the same: init installs the shim there, and doctor reports the link as a gap
/// until it is the shim (it used to skip the row and say "covered").
#[test]
fn a_folder_without_package_json_gets_the_shim_and_doctor_sees_the_gap() {
    let ctx = guarded_project();
    assert!(!ctx.path("package.json").exists());
    ctx.git_init();
    let run = ctx.run(&["doctor"]);
    let row = bin_row(&run.stdout);
    assert!(row.starts_with("GAP") && row.contains("the real prisma"), "{}", run.stdout);
    assert!(run.stdout.contains("fix: prisma-guard shim install --project"), "{}", run.stdout);
    assert!(!run.stdout.contains("package.json postinstall"), "no package.json to add it to: {}", run.stdout);

    let run = ctx.run(&["init"]);
    assert!(run.stdout.contains("installed node_modules/.bin/prisma"), "{}", run.all());
    let run = ctx.sh("npx prisma migrate reset --force");
    assert_eq!(run.code, 3, "{}", run.all());
    assert_eq!(rows(&ctx, "Post"), 3);
    let run = ctx.run(&["doctor"]);
    assert!(bin_row(&run.stdout).starts_with("ok"), "{}", run.stdout);
}
