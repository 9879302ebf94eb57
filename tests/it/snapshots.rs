//! What users read, as snapshots (`insta`): the scan's text, JSON, SARIF and GitHub reports,
//! `explain`, `init --dry-run` and `doctor`. Paths of the temporary project, versions and
//! times are filtered out. After an intended change of wording: `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test it snapshots`), then read the diff.

use crate::support::TestContext;

/// A project with one finding of each kind: a migration that drops a column, and a script
/// that resets the database in a build.
fn project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        "{\n  \"name\": \"shop\",\n  \"scripts\": {\n    \"build\": \"prisma migrate reset --force && next build\"\n  }\n}\n",
    );
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    ctx.write(
        "prisma/migrations/20240101000000_init/migration.sql",
        "CREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY, \"name\" TEXT);\n",
    );
    ctx.write(
        "prisma/migrations/20240102000000_drop_name/migration.sql",
        "-- AlterTable\nALTER TABLE \"User\" DROP COLUMN \"name\";\n",
    );
    ctx
}

fn settings(ctx: &TestContext) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    let root = ctx.root().display().to_string();
    let real = ctx.root().canonicalize().map(|p| p.display().to_string()).unwrap_or_else(|_| root.clone());
    s.add_filter(&regex::escape(&real), "[PROJECT]");
    s.add_filter(&regex::escape(&root), "[PROJECT]");
    s.add_filter(r"\d+\.\d+\.\d+(-[\w.]+)?", "[VERSION]");
    s.add_filter(r"\d+(\.\d+)? ?(ms|s)\b", "[TIME]");
    s
}

fn out(ctx: &TestContext, args: &[&str]) -> String {
    let run = ctx.run(args);
    format!("exit {}\n--- stdout\n{}--- stderr\n{}", run.code, run.stdout, run.stderr)
}

#[test]
fn scan_reports() {
    let ctx = project();
    settings(&ctx).bind(|| {
        insta::assert_snapshot!("scan_text", out(&ctx, &["scan"]));
        insta::assert_snapshot!("scan_github", out(&ctx, &["scan", "--format", "github"]));
        let json: serde_json::Value = serde_json::from_str(&ctx.run(&["scan", "--format", "json"]).stdout).unwrap();
        insta::assert_json_snapshot!("scan_json", json);
        let sarif: serde_json::Value = serde_json::from_str(&ctx.run(&["scan", "--format", "sarif"]).stdout).unwrap();
        insta::assert_json_snapshot!("scan_sarif", sarif);
    });
}

#[test]
fn explain_and_check() {
    let ctx = project();
    settings(&ctx).bind(|| {
        insta::assert_snapshot!("explain_npm_script", out(&ctx, &["explain", "npm run build"]));
        insta::assert_snapshot!(
            "check_hidden_agent",
            out(&ctx, &["check", "--", "env -u CLAUDECODE npx prisma db push --force-reset"])
        );
    });
}

#[test]
fn init_dry_run() {
    let ctx = project();
    ctx.git_init();
    std::fs::create_dir_all(ctx.path(".claude")).unwrap();
    settings(&ctx).bind(|| {
        insta::assert_snapshot!("init_dry_run", out(&ctx, &["init", "--dry-run"]));
    });
}

#[test]
fn doctor_on_a_new_project() {
    let mut ctx = project();
    // What is on the developer's PATH (a prisma-guard, a global prisma) is not the project's.
    ctx.set_env("PATH", "/usr/bin:/bin");
    ctx.git_init();
    settings(&ctx).bind(|| {
        insta::assert_snapshot!("doctor_new_project", out(&ctx, &["doctor"]));
    });
}
