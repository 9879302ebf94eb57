//! Issue 21: the GitHub Action's scan step (`scripts/github-action.sh`, run by `action.yml`),
//! run as GitHub runs it: in a checkout of a pull request's branch (full and shallow), with
//! the variables GitHub sets, against a real `origin`.

use std::process::{Command, Stdio};

use crate::support::*;

const OLD_DROP: &str = "DROP TABLE \"Legacy\";\n";
const NEW_DROP: &str = "DROP TABLE \"Post\";\n";

/// `origin` (bare) whose main has a migration with an old finding, and a clone on branch
/// `feature` adding `migration` (pushed to origin too).
fn pull_request(migration: &str) -> (TestContext, std::path::PathBuf) {
    let ctx = TestContext::new();
    let origin = ctx.path("origin.git");
    ctx.git(&["init", "-q", "--bare", "-b", "main", origin.to_str().unwrap()]);
    let work = "work";
    std::fs::create_dir_all(ctx.path(work)).unwrap();
    let git = |args: &[&str]| {
        let run = ctx.git_in(work, args);
        assert_eq!(run.code, 0, "git {args:?}: {}", run.all());
    };
    git(&["init", "-q", "-b", "main"]);
    ctx.write(&format!("{work}/prisma/schema.prisma"), "datasource db {\n  provider = \"postgresql\"\n}\n");
    ctx.write(&format!("{work}/prisma/migrations/migration_lock.toml"), "provider = \"postgresql\"\n");
    ctx.write(
        &format!("{work}/prisma/migrations/20260101000000_init/migration.sql"),
        "CREATE TABLE \"Post\" (\"id\" INTEGER PRIMARY KEY);\nCREATE TABLE \"Legacy\" (\"id\" INTEGER);\n",
    );
    ctx.write(&format!("{work}/prisma/migrations/20260102000000_old/migration.sql"), OLD_DROP);
    git(&["add", "-A"]);
    git(&["commit", "-q", "--no-verify", "-m", "main"]);
    git(&["remote", "add", "origin", origin.to_str().unwrap()]);
    git(&["push", "-q", "--no-verify", "origin", "main"]);
    git(&["checkout", "-q", "-b", "feature"]);
    ctx.write(&format!("{work}/prisma/migrations/20260201000000_change/migration.sql"), migration);
    git(&["add", "-A"]);
    git(&["commit", "-q", "--no-verify", "-m", "feature"]);
    git(&["push", "-q", "--no-verify", "origin", "feature"]);
    let dir = ctx.path(work);
    (ctx, dir)
}

/// The action's scan step in `dir`, with prisma-guard on PATH and GitHub's variables.
fn scan_step(ctx: &TestContext, dir: &std::path::Path, vars: &[(&str, &str)]) -> Run {
    let shim = ctx.path("bin");
    std::fs::create_dir_all(&shim).unwrap();
    let _ = std::os::unix::fs::symlink(bin(), shim.join("prisma-guard"));
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/github-action.sh");
    let mut cmd = Command::new(script);
    cmd.current_dir(dir)
        .env_clear()
        .envs(ctx.env.iter().map(|(k, v)| (k, v)))
        .env("PATH", format!("{}:{}", shim.display(), ctx.env_var("PATH")))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PG_SARIF", "prisma-guard.sarif")
        .stdin(Stdio::null());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    Run::from(cmd.output().unwrap())
}

fn sarif_results(dir: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("prisma-guard.sarif")).expect("the SARIF file");
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_pull_request_adding_a_destructive_migration_fails_with_annotations_and_sarif() {
    let (ctx, dir) = pull_request(NEW_DROP);
    let run = scan_step(&ctx, &dir, &[("GITHUB_BASE_REF", "main")]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("::error file=prisma/migrations/20260201000000_change/migration.sql"), "{}", run.all());
    assert!(!run.stdout.contains("20260102000000_old"), "the base branch's finding is not the PR's: {}", run.all());
    let results = sarif_results(&dir);
    assert!(results.iter().any(|u| u.contains("20260201000000_change")), "{results:?}");
    assert!(!results.iter().any(|u| u.contains("20260102000000_old")), "{results:?}");
}

#[test]
fn a_shallow_checkout_fetches_the_base_branch() {
    let (ctx, _) = pull_request(NEW_DROP);
    let origin = format!("file://{}", ctx.path("origin.git").display());
    let run = ctx.git_in(".", &["clone", "-q", "--depth", "1", "--branch", "feature", &origin, "shallow"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let dir = ctx.path("shallow");
    let run = scan_step(&ctx, &dir, &[("GITHUB_BASE_REF", "main")]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("20260201000000_change"), "{}", run.all());
    assert!(!run.stdout.contains("20260102000000_old"), "{}", run.all());
}

#[test]
fn a_harmless_pull_request_and_a_push_pass_or_fail_on_their_own_changes() {
    let (ctx, dir) = pull_request("ALTER TABLE \"Post\" ADD COLUMN \"title\" TEXT;\n");
    let run = scan_step(&ctx, &dir, &[("GITHUB_BASE_REF", "main")]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(sarif_results(&dir).is_empty());
    // A push: what it adds to the previous commit.
    let (ctx, dir) = pull_request(NEW_DROP);
    let before = ctx.git_in("work", &["rev-parse", "main"]).stdout.trim().to_string();
    let run = scan_step(&ctx, &dir, &[("BEFORE", before.as_str())]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(!run.stdout.contains("20260102000000_old"), "{}", run.all());
    // No range at all (a first push): the whole repository, the old finding included.
    let run = scan_step(&ctx, &dir, &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("20260102000000_old"), "{}", run.all());
}

#[test]
fn the_action_runs_the_tested_script_with_its_inputs() {
    let action = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    assert!(action.contains("using: composite"));
    assert!(action.contains("\"$GITHUB_ACTION_PATH/scripts/github-action.sh\""));
    for var in ["PG_SINCE", "PG_PATHS", "PG_FORMAT", "PG_SARIF", "PG_DIRECTORY"] {
        assert!(action.contains(&format!("{var}: ${{{{ inputs.")), "action.yml passes {var}");
    }
    assert!(action.contains("github/codeql-action/upload-sarif"));
}
