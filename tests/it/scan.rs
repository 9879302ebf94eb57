//! `prisma-guard scan` as a user and a CI job run it: real files, real git repositories.

use std::process::Stdio;

use serde_json::Value;

use crate::support::TestContext;

const DROP_COLUMN: &str = "/*\n  Warnings:\n\n  - You are about to drop the column `bio` on the `User` table. All the data in the column will be lost.\n\n*/\n-- AlterTable\nALTER TABLE \"User\" DROP COLUMN \"bio\";\n";
const INIT: &str = "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n    \"email\" TEXT NOT NULL,\n    \"bio\" TEXT,\n    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n";

fn project() -> TestContext {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(
        "package.json",
        r#"{
  "name": "app",
  "scripts": {
    "dev": "next dev",
    "build": "prisma migrate dev && next build",
    "db:reset": "prisma migrate reset -f",
    "db:sync": "npx prisma db push --accept-data-loss",
    "docs": "echo \"never run prisma migrate reset\"",
    "deploy": "prisma migrate deploy"
  }
}
"#,
    );
    ctx.write("prisma/migrations/20240101000000_init/migration.sql", INIT);
    ctx.write("prisma/migrations/20240201000000_drop_bio/migration.sql", DROP_COLUMN);
    ctx
}

fn json(ctx: &TestContext, args: &[&str]) -> (i32, Value) {
    let mut a = vec!["scan", "--format", "json"];
    a.extend_from_slice(args);
    let run = ctx.run(&a);
    (run.code, serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all())))
}

fn rules_at(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{} {}", f["path"].as_str().unwrap(), f["line"], f["rule"].as_str().unwrap()))
        .collect()
}

#[test]
fn scan_finds_destructive_scripts_and_migrations_and_exits_1() {
    let ctx = project();
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let out = &run.stdout;
    assert!(
        out.contains(
            "package.json:6:18: error[prisma-migrate-reset]: `prisma migrate reset -f` in script \"db:reset\""
        ),
        "{out}"
    );
    assert!(out.contains("error[prisma-accept-data-loss]"), "{out}");
    assert!(out.contains("package.json:5:15: error[prisma-migrate-dev-in-production]"), "{out}");
    assert!(
        out.contains("prisma/migrations/20240201000000_drop_bio/migration.sql:8:20: error[drop-column]: drops column `bio` of `User`"),
        "{out}"
    );
    assert!(out.contains(" 8 | ALTER TABLE \"User\" DROP COLUMN \"bio\";\n   |                    ^\n"), "{out}");
    assert!(out.contains("= prisma: You are about to drop the column `bio`"), "{out}");
    assert!(out.contains("= help: Expand/contract"), "{out}");
    assert!(!out.contains("script \"docs\""), "echo of a prisma command is data, not a command: {out}");
    assert!(!out.contains("\u{1b}["), "no colour when stdout is not a terminal");
    assert!(out.ends_with("4 errors, 0 warnings (3 files scanned)\n"), "{out}");
}

#[test]
fn a_clean_project_exits_0() {
    let ctx = TestContext::new();
    ctx.write("package.json", r#"{"scripts": {"build": "prisma generate && next build", "start": "prisma migrate deploy && node server.js"}}"#);
    ctx.write("prisma/migrations/20240101000000_init/migration.sql", INIT);
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stdout, "no findings (2 files scanned)\n");
}

#[test]
fn ignore_comments_need_a_reason() {
    let ctx = project();
    ctx.write(
        "prisma/migrations/20240201000000_drop_bio/migration.sql",
        &DROP_COLUMN.replace(
            "-- AlterTable\n",
            "-- prisma-guard-ignore drop-column: bio moved to Profile in 20240115_copy_bio\n",
        ),
    );
    ctx.write(
        "package.json",
        r#"{"scripts": {"test:reset": "prisma migrate reset --force # prisma-guard-ignore prisma-migrate-reset: test database only"}}"#,
    );
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(rules_at(&v), Vec::<String>::new());

    // Without a reason: nothing is suppressed, and the comment itself is an error.
    ctx.write(
        "prisma/migrations/20240201000000_drop_bio/migration.sql",
        &DROP_COLUMN.replace("-- AlterTable\n", "-- prisma-guard-ignore drop-column\n"),
    );
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_at(&v),
        vec![
            "prisma/migrations/20240201000000_drop_bio/migration.sql:7 ignore-without-reason",
            "prisma/migrations/20240201000000_drop_bio/migration.sql:8 drop-column"
        ]
    );
    // A typo in the rule id is reported, and suppresses nothing.
    ctx.write(
        "prisma/migrations/20240201000000_drop_bio/migration.sql",
        &DROP_COLUMN.replace("-- AlterTable\n", "-- prisma-guard-ignore drop-colum: typo\n"),
    );
    let (_, v) = json(&ctx, &[]);
    assert_eq!(
        rules_at(&v),
        vec![
            "prisma/migrations/20240201000000_drop_bio/migration.sql:7 ignore-unknown-rule",
            "prisma/migrations/20240201000000_drop_bio/migration.sql:8 drop-column"
        ]
    );
}

#[test]
fn config_disables_rules_excludes_paths_and_starts_after_a_migration() {
    let ctx = project();
    ctx.write("prisma-guard.toml", "[scan]\ndisable = [\"prisma-accept-data-loss\"]\nexclude = [\"package.json\"]\n");
    ctx.commit_files(&["prisma-guard.toml"]);
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1);
    assert_eq!(rules_at(&v), vec!["prisma/migrations/20240201000000_drop_bio/migration.sql:8 drop-column"]);

    ctx.write("prisma-guard.toml", "[scan]\nexclude = [\"package.json\"]\nstart_after = \"20240201000000_drop_bio\"\n");
    // Changed but not committed (an agent may have just written it): its loosening waits.
    let run = ctx.run(&["scan", "--format", "json", "-q"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("differs from its committed version"), "{}", run.stderr);
    ctx.commit_files(&["prisma-guard.toml"]);
    let (code, v) = json(&ctx, &[]);
    assert_eq!((code, rules_at(&v)), (0, vec![]));

    // A later migration is still checked, against the schema the old ones built.
    ctx.write(
        "prisma/migrations/20240301000000_email/migration.sql",
        "ALTER TABLE \"User\" ALTER COLUMN \"email\" SET DATA TYPE VARCHAR(50);\nALTER TABLE \"User\" ALTER COLUMN \"id\" SET DATA TYPE BIGINT;\n",
    );
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "alter-column-type");
    assert_eq!(
        f["message"],
        "changes the type of `User`.`email` from TEXT to VARCHAR(50); values that do not convert are lost or fail"
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "INTEGER to BIGINT widens: {v}");

    let run = ctx.run(&["scan", "--disable", "no-such-rule"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("there is no rule `no-such-rule`"), "{}", run.stderr);
}

/// A config named by `--guard-config` (before or after `scan`) or `PRISMA_GUARD_CONFIG` is
/// read, but it may only add protection: an agent cannot switch rules off or exclude files
/// with it. The project's own prisma-guard.toml can.
#[test]
fn a_config_named_on_the_command_line_or_in_the_environment_cannot_loosen_the_scan() {
    let ctx = project();
    ctx.write("conf/guard.toml", "[scan]\nexclude = [\"package.json\"]\ndisable = [\"drop-column\"]\n");
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1);
    let all = rules_at(&v);
    assert!(all.iter().any(|r| r.ends_with("drop-column")), "{v}");
    for args in [
        &["scan", "--format", "json", "--guard-config", "conf/guard.toml"][..],
        &["--guard-config", "conf/guard.toml", "scan", "--format", "json"],
        &["scan", "--guard-config=conf/guard.toml", "-q", "--format", "json", "."],
    ] {
        let run = ctx.run(args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.all());
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(rules_at(&v), all, "{args:?}: the named file changed nothing");
        assert!(
            run.stderr.contains("scan.disable, which only the project's own prisma-guard.toml may set"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("scan.exclude"), "{}", run.stderr);
    }
    let out = ctx.cmd(&["scan", "--format", "json"]).env("PRISMA_GUARD_CONFIG", "conf/guard.toml").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    // A config that is not there is an error, not a scan without it.
    let run = ctx.run(&["scan", "--guard-config", "conf/none.toml"]);
    assert_eq!(run.code, 2, "{}", run.all());
    // The project's own file may loosen.
    ctx.write("prisma-guard.toml", "[scan]\nexclude = [\"package.json\"]\ndisable = [\"drop-column\"]\n");
    ctx.commit_files(&["prisma-guard.toml"]);
    let (code, v) = json(&ctx, &[]);
    assert_eq!((code, rules_at(&v)), (0, vec![]), "{v}");
}

#[test]
fn since_scans_only_what_changed() {
    let ctx = project();
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-qm", "base"]);
    let (code, v) = json(&ctx, &["--since", "HEAD"]);
    assert_eq!((code, rules_at(&v)), (0, vec![]), "nothing changed since HEAD");
    ctx.write("scripts/reset.sh", "#!/bin/sh\nset -e\ncd \"$(dirname \"$0\")/..\"\nnpx prisma db push --force-reset\n");
    let (code, v) = json(&ctx, &["--since", "HEAD"]);
    assert_eq!(code, 1);
    assert_eq!(rules_at(&v), vec!["scripts/reset.sh:4 prisma-force-reset"]);
    assert_eq!(v["findings"][0]["col"], 1);
    let run = ctx.run(&["scan", "--since", "no-such-ref"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("`--since no-such-ref` is not a git revision"), "{}", run.stderr);
}

#[test]
fn every_kind_of_script_file_is_read() {
    let ctx = TestContext::new();
    ctx.write("Dockerfile", "FROM node:20\nRUN npm ci\nCMD [\"npx\", \"prisma\", \"migrate\", \"dev\"]\n");
    ctx.write("Procfile", "release: npx prisma db push\nweb: node server.js\n");
    ctx.write(
        ".github/workflows/ci.yml",
        "jobs:\n  test:\n    steps:\n      - run: npx prisma migrate reset --force --skip-seed\n  deploy:\n    steps:\n      - run: npx prisma migrate dev\n",
    );
    ctx.write(".gitlab-ci.yml", "deploy_prod:\n  script:\n    - pnpm prisma db push --accept-data-loss\n");
    ctx.write("vercel.json", "{\n  \"buildCommand\": \"prisma db push && next build\"\n}\n");
    ctx.write("netlify.toml", "[build]\n  command = \"npx prisma migrate dev && npm run build\"\n");
    ctx.write("Makefile", "reset:\n\t@bash -c 'prisma migrate reset --force'\n");
    ctx.write(".husky/pre-commit", "npx prisma migrate reset --force\n");
    ctx.write("docker-compose.yml", "services:\n  app:\n    command: sh -c \"npx prisma migrate dev && npm start\"\n");
    ctx.write(
        "scripts/setup.ts",
        "import { execSync, spawn } from \"node:child_process\";\nexecSync(\"npx prisma migrate reset --force\");\nspawn(\"npx\", [\"prisma\", \"db\", \"push\", \"--force-reset\"]);\n",
    );
    ctx.write("node_modules/x/package.json", r#"{"scripts": {"postinstall": "prisma migrate reset -f"}}"#);
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_at(&v),
        vec![
            ".github/workflows/ci.yml:4 prisma-migrate-reset",
            ".github/workflows/ci.yml:7 prisma-migrate-dev-in-production",
            ".gitlab-ci.yml:3 prisma-accept-data-loss",
            ".husky/pre-commit:1 prisma-migrate-reset",
            "Dockerfile:3 prisma-migrate-dev-in-production",
            "Makefile:2 prisma-migrate-reset",
            "Procfile:1 prisma-db-push-in-production",
            "netlify.toml:2 prisma-migrate-dev-in-production",
            "scripts/setup.ts:2 prisma-migrate-reset",
            "scripts/setup.ts:3 prisma-force-reset",
            "vercel.json:2 prisma-db-push-in-production",
        ],
        "node_modules is never scanned; a dev compose file is not production"
    );
}

#[test]
fn sarif_is_valid_for_code_scanning() {
    let ctx = project();
    let run = ctx.run(&["scan", "--format", "sarif", "--output", "out/scan.sarif"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(run.stdout, "", "the report went to the file");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(ctx.path("out/scan.sarif")).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run0 = &v["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "prisma-guard");
    let rules = driver["rules"].as_array().unwrap();
    for r in rules {
        for key in ["id", "shortDescription", "fullDescription", "help", "defaultConfiguration"] {
            assert!(!r[key].is_null(), "rule without {key}: {r}");
        }
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        assert!(["error", "warning"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let mut prints = std::collections::BTreeSet::new();
    for res in results {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"], "ruleIndex points at the rule");
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains("://") && !uri.contains(ctx.root().to_str().unwrap()), "{uri}");
        assert!(ctx.path(uri).is_file(), "uri is repository-relative: {uri}");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
        let fp = res["partialFingerprints"]["primaryLocationLineHash"].as_str().unwrap();
        assert!(prints.insert(fp.to_string()), "fingerprints are unique: {fp}");
    }
    // Fingerprints survive lines moving.
    let text = std::fs::read_to_string(ctx.path("prisma/migrations/20240201000000_drop_bio/migration.sql")).unwrap();
    ctx.write("prisma/migrations/20240201000000_drop_bio/migration.sql", &format!("-- moved\n\n{text}"));
    let again: Value = serde_json::from_str(&ctx.run(&["scan", "--format", "sarif"]).stdout).unwrap();
    let again: std::collections::BTreeSet<String> = again["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["primaryLocationLineHash"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(again, prints);
}

#[test]
fn github_annotations() {
    let ctx = TestContext::new();
    ctx.write("package.json", "{\"scripts\": {\"reset\": \"prisma migrate reset --force\"}}");
    let run = ctx.run(&["scan", "--format", "github"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with(
            "::error file=package.json,line=1,col=24,title=prisma-guard prisma-migrate-reset::`prisma migrate reset --force` in script \"reset\": drops"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("%0Ahelp: "), "newlines escaped: {}", run.stdout);
    assert!(run.stderr.contains("1 error, 0 warnings (1 file scanned)"), "{}", run.stderr);
}

#[test]
fn bad_input_is_exit_2() {
    let ctx = TestContext::new();
    let run = ctx.run(&["scan", "no/such/dir"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("cannot scan no/such/dir"), "{}", run.stderr);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("not inside a git repository"), "{}", run.stderr);
    let run = ctx.run(&["scan", "--format", "xml"]);
    assert_eq!(run.code, 2, "{}", run.all());
    ctx.write("prisma-guard.toml", "[scan]\ndisabled = []\n");
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("disabled"), "{}", run.stderr);
    // Unparseable commands that mention prisma are reported, not skipped silently.
    std::fs::remove_file(ctx.path("prisma-guard.toml")).unwrap();
    ctx.write("package.json", "{\"scripts\": {\"x\": \"prisma migrate reset \\\"oops\"}}");
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 0, "a warning only");
    assert_eq!(rules_at(&v), vec!["package.json:1 unparsed-command"]);
    // Unreadable JSON in package.json is not a crash, and not clean either: it was not checked.
    ctx.write("package.json", "{ not json");
    assert_eq!(ctx.run(&["scan"]).code, 2);
}

#[test]
fn crlf_and_non_utf8_migrations_are_still_checked() {
    let ctx = TestContext::new();
    ctx.write(
        "prisma/migrations/20240101000000_crlf/migration.sql",
        "-- AlterTable\r\nALTER TABLE \"User\" DROP COLUMN \"bio\";\r\n",
    );
    let latin1 = b"-- caf\xe9 column removed\nDROP TABLE \"Legacy\";\n";
    std::fs::create_dir_all(ctx.path("prisma/migrations/20240201000000_latin1")).unwrap();
    std::fs::write(ctx.path("prisma/migrations/20240201000000_latin1/migration.sql"), latin1).unwrap();
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_at(&v),
        vec![
            "prisma/migrations/20240101000000_crlf/migration.sql:2 drop-column",
            "prisma/migrations/20240201000000_latin1/migration.sql:2 drop-table"
        ]
    );
}

#[test]
fn db_execute_in_a_script_is_judged_by_its_sql_file() {
    let ctx = TestContext::new();
    ctx.write(
        "packages/db/package.json",
        r#"{"scripts": {"cleanup": "prisma db execute --file ./sql/cleanup.sql", "index": "prisma db execute --file sql/index.sql"}}"#,
    );
    ctx.write("packages/db/sql/cleanup.sql", "-- nightly\nTRUNCATE \"Session\";\n");
    ctx.write("packages/db/sql/index.sql", "CREATE INDEX \"a\" ON \"User\"(\"email\");\n");
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1);
    assert_eq!(rules_at(&v), vec!["packages/db/package.json:1 prisma-db-execute-data-loss"]);
    let msg = v["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("deletes every row of `Session`") && msg.contains("line 2"), "{msg}");
}

/// 300 migrations (tables, type changes judged against history, Prisma warnings, enum
/// recreation, an ignore comment, a non-UTF-8 byte, CRLF) read by one thread, by several,
/// and as a list of files: the same findings every way. Files are handed to the in-order
/// analysis by whichever thread read them, so an ordering or hand-over bug shows up here.
#[test]
fn large_folders_give_the_same_findings_on_any_number_of_threads() {
    let mut ctx = TestContext::new();
    ctx.git_init();
    let mut files = Vec::new();
    for n in 0..300 {
        let (name, sql) = match n % 6 {
            0 => ("create", format!("-- CreateTable\nCREATE TABLE \"T{n}\" (\"id\" SERIAL NOT NULL, \"v\" TEXT NOT NULL, \"w\" VARCHAR(10));\n")),
            1 => ("alter", format!("-- AlterTable\nALTER TABLE \"T{}\" ALTER COLUMN \"v\" SET DATA TYPE INTEGER;\n", n - 1)),
            2 => ("widen", format!("ALTER TABLE \"T{}\" ALTER COLUMN \"w\" SET DATA TYPE VARCHAR(20);\r\nDELETE FROM \"T{}\" WHERE id = 1;\r\n", n - 2, n - 2)),
            3 => ("drop", format!("/*\n  Warnings:\n\n  - You are about to drop the column `v` on the `T{0}` table. All the data in the column will be lost.\n\n*/\n-- caf\u{e9}\nALTER TABLE \"T{0}\" DROP COLUMN \"v\";\n", n - 3)),
            4 => ("enum", format!("CREATE TYPE \"E{n}\" AS ENUM ('A', 'B');\nCREATE TYPE \"E{n}_new\" AS ENUM ('A');\nALTER TYPE \"E{n}\" RENAME TO \"E{n}_old\";\nALTER TYPE \"E{n}_new\" RENAME TO \"E{n}\";\nDROP TYPE \"E{n}_old\";\n")),
            _ => ("ignored", format!("-- prisma-guard-ignore truncate: fixture table\nTRUNCATE \"T{}\";\nUPDATE \"T{}\" SET \"w\" = 'x';\n", n - 5, n - 5)),
        };
        let rel = format!("prisma/migrations/2024{n:010}_{name}/migration.sql");
        ctx.write(&rel, &sql);
        files.push(rel);
    }
    // A Latin-1 byte in one migration: still read and checked.
    std::fs::write(ctx.path(&files[3]), b"-- caf\xe9\nALTER TABLE \"T0\" DROP COLUMN \"w\";\n").unwrap();

    let mut outputs = Vec::new();
    for threads in ["1", "2", "4", "7"] {
        ctx.set_env("PRISMA_GUARD_SCAN_THREADS", threads);
        let (code, v) = json(&ctx, &[]);
        assert_eq!(code, 1);
        outputs.push((threads, v));
    }
    let listed: Vec<&str> = files.iter().map(String::as_str).collect();
    let (_, by_name) = json(&ctx, &listed);
    let first = &outputs[0].1;
    for (threads, v) in &outputs[1..] {
        assert_eq!(v, first, "{threads} threads differ from 1");
    }
    assert_eq!(&by_name, first, "files given by name differ from the folder scan");

    let found = rules_at(first);
    let count = |rule: &str| found.iter().filter(|f| f.ends_with(&format!(" {rule}"))).count();
    // Each TEXT -> INTEGER change, judged against the table created one migration earlier.
    assert_eq!(count("alter-column-type"), 50, "{found:?}");
    assert_eq!(count("drop-column"), 50, "{found:?}");
    assert_eq!(count("drop-enum-value"), 50, "{found:?}");
    assert_eq!(count("update-without-where"), 50, "{found:?}");
    assert_eq!(count("truncate"), 0, "ignored with a reason: {found:?}");
    assert_eq!(first["summary"]["files_scanned"], 300);
    let msg = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "alter-column-type")
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(msg.contains("from TEXT to INTEGER"), "{msg}");
}

/// A migration that is there but cannot be read is not passed over: exit 2, naming it, on one
/// thread and on several, by folder and by name. As root a chmod 000 file is still readable, so
/// a folder stands where the file should be (folder scan) and a Unix socket (which `open`
/// refuses); a chmod 000 file is tried too when not root.
#[test]
fn unreadable_migrations_fail_the_scan_instead_of_being_skipped() {
    let mut ctx = project();
    for n in 0..40 {
        ctx.write(&format!("prisma/migrations/2024030100{n:04}_fill/migration.sql"), "SELECT 1;\n");
    }
    let odd = "prisma/migrations/20240301009999_odd/migration.sql";
    std::fs::create_dir_all(ctx.path(odd)).unwrap();
    let sock = "prisma/migrations/20240301009998_sock/migration.sql";
    std::fs::create_dir_all(ctx.path(sock).parent().unwrap()).unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(ctx.path(sock)).unwrap();
    for threads in ["1", "2"] {
        ctx.set_env("PRISMA_GUARD_SCAN_THREADS", threads);
        let run = ctx.run(&["scan"]);
        assert_eq!(run.code, 2, "{threads} threads: {}", run.all());
        assert!(run.stderr.contains("could not read 2 files so they were not checked: "), "{}", run.stderr);
        assert!(run.stderr.contains(odd) && run.stderr.contains(sock), "{}", run.stderr);
        assert!(run.stderr.contains("exclude"), "the hint says how to go on: {}", run.stderr);
        let run = ctx.run(&["scan", sock]);
        assert_eq!(run.code, 2, "by name, {threads} threads: {}", run.all());
        assert!(
            run.stderr.contains(&format!("could not read a file so it was not checked: {sock} (")),
            "{}",
            run.stderr
        );
    }
    // Excluded in the config: the scan goes on (and finds what it found before).
    ctx.write(
        "prisma-guard.toml",
        "[scan]\nexclude = [\"prisma/migrations/20240301009999_odd\", \"prisma/migrations/20240301009998_sock\"]\n",
    );
    ctx.commit_files(&["prisma-guard.toml"]);
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1);
    assert!(rules_at(&v).iter().any(|r| r.ends_with("drop-column")), "{:?}", rules_at(&v));
    if !crate::support::is_root() {
        use std::os::unix::fs::PermissionsExt;
        let locked = ctx.path("prisma/migrations/20240201000000_drop_bio/migration.sql");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let run = ctx.run(&["scan"]);
        assert_eq!(run.code, 2, "{}", run.all());
        assert!(run.stderr.contains("20240201000000_drop_bio/migration.sql (Permission denied"), "{}", run.stderr);
    }
}

/// Files given by name, from a sub-folder of the repository, in every spelling: plain
/// relative names (joined as typed), `./`, `..`, a doubled `/`, absolute; each is reported
/// by its repository path. A missing one and one outside the repository are usage errors.
#[test]
fn paths_given_by_name_from_a_subfolder_in_every_spelling() {
    let ctx = project();
    let drop = "prisma/migrations/20240101000000_drop/migration.sql";
    ctx.write(drop, "DROP TABLE \"Post\";\n");
    let run_in = |dir: &str, args: &[&str]| {
        let mut cmd = ctx.cmd(args);
        cmd.current_dir(ctx.path(dir));
        crate::support::Run::from(cmd.output().unwrap())
    };
    let abs = ctx.path(drop).to_string_lossy().into_owned();
    for (dir, given) in [
        ("prisma", "migrations/20240101000000_drop/migration.sql"),
        ("prisma", "./migrations/20240101000000_drop/migration.sql"),
        ("prisma", "migrations//20240101000000_drop/migration.sql"),
        ("prisma/migrations", "../migrations/20240101000000_drop/migration.sql"),
        ("prisma/migrations", "20240101000000_drop/../20240101000000_drop/migration.sql"),
        ("prisma/migrations", abs.as_str()),
        (".", drop),
    ] {
        let run = run_in(dir, &["scan", "--format", "json", given]);
        assert_eq!(run.code, 1, "{dir}: {given}: {}", run.all());
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(rules_at(&v), [format!("{drop}:1 drop-table")], "{dir}: {given}");
    }
    // A folder by a plain name is walked.
    let run = run_in("prisma", &["scan", "--format", "json", "migrations"]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(rules_at(&v).contains(&format!("{drop}:1 drop-table")), "{}", run.all());

    // A folder named like a file the scan reads: walked, not reported as unreadable.
    ctx.write("scripts/deploy.sh/inner.sh", "npx prisma migrate reset --force\n");
    for given in ["scripts/deploy.sh", "deploy.sh"] {
        let dir = if given == "deploy.sh" { "scripts" } else { "." };
        let run = run_in(
            dir,
            &["scan", "--format", "json", given, &format!("{}{drop}", if dir == "." { "" } else { "../" })],
        );
        assert_eq!(run.code, 1, "{given}: {}", run.all());
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        let found = rules_at(&v);
        assert!(found.contains(&"scripts/deploy.sh/inner.sh:1 prisma-migrate-reset".to_string()), "{given}: {found:?}");
        assert!(found.contains(&format!("{drop}:1 drop-table")), "{given}: {found:?}");
    }

    let run = run_in("prisma", &["scan", "migrations/20240101000000_gone/migration.sql"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.contains("cannot scan migrations/20240101000000_gone/migration.sql: no such file or folder"),
        "{}",
        run.stderr
    );
    let run = run_in("prisma", &["scan", "migrations/20240101000000_drop/migration.sql", "../package.json", "nope.sh"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("cannot scan nope.sh: no such file or folder"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no report when a path is wrong: {}", run.stdout);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.sql"), "DROP TABLE a;\n").unwrap();
    let run = run_in("prisma", &["scan", &outside.path().join("x.sql").to_string_lossy()]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("is outside the repository"), "{}", run.stderr);
}

/// A report larger than a pipe holds (hundreds of findings) is written as it is built: it
/// arrives whole and parses, equal to the one written with `-o`; a reader that stops early
/// (`| head -c 100`) gets no error and the exit code still says what was found.
#[test]
fn scan_json_report_larger_than_a_pipe_arrives_whole_and_a_closed_reader_is_no_error() {
    use std::io::Read;
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("prisma/migrations/20240101000000_init/migration.sql", INIT);
    for i in 0..400 {
        ctx.write(
            &format!("prisma/migrations/2024020100{i:04}_drop/migration.sql"),
            &format!("-- DropTable\nDROP TABLE \"Table{i}\";\n"),
        );
    }
    let run = ctx.run(&["scan", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.len() > 128 << 10, "{} bytes", run.stdout.len());
    let v: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(400));
    assert_eq!(v["summary"]["errors"], 400);
    ctx.run(&["scan", "--format", "json", "-o", "report.json"]);
    assert_eq!(std::fs::read_to_string(ctx.path("report.json")).unwrap(), run.stdout);

    let mut child =
        ctx.cmd(&["scan", "--format", "json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here, with most of the report unread.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(std::str::from_utf8(&first).unwrap().starts_with("{\n  \"version\": 1,"));
}

/// Issue 22: a package.json with a UTF-8 BOM (npm reads it) is scanned like any other, and
/// one that does not parse is an error (exit 2), never "no findings".
#[test]
fn package_json_with_a_bom_is_read_and_a_broken_one_is_an_error() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(
        "package.json",
        "\u{feff}{\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\"\n  }\n}\n",
    );
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(rules_at(&v), vec!["package.json:3 prisma-migrate-reset".to_string()]);
    let run = ctx.run(&["check", "--", "npm run db:reset"]);
    assert_eq!(run.code, 3, "the agent check reads it too: {}", run.all());

    ctx.write(
        "packages/api/package.json",
        "{\n  \"scripts\": {\n    \"db:reset\": \"prisma migrate reset --force\",\n  }\n}\n",
    );
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.contains("packages/api/package.json") && run.stderr.contains("not valid JSON"),
        "{}",
        run.stderr
    );
    assert!(!run.all().contains("no findings"), "{}", run.all());
}

/// Issue 22: migrations live where `migrations.path` in a prisma.config.ts says, whatever the
/// folder is called: scanned in the tree, by name, and when staged.
#[test]
fn migrations_in_a_folder_named_by_the_prisma_config_are_scanned() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(
        "packages/database/prisma.config.ts",
        "import { defineConfig, env } from 'prisma/config';\nexport default defineConfig({\n  schema: 'schema.prisma',\n  migrations: { path: 'migration' },\n  datasource: { url: env('DATABASE_URL') },\n});\n",
    );
    ctx.write(
        "packages/database/migration/20240101000000_init/migration.sql",
        "CREATE TABLE \"User\" (\"id\" TEXT, \"bio\" TEXT);\n",
    );
    ctx.write(
        "packages/database/migration/20240201000000_drop/migration.sql",
        "ALTER TABLE \"User\" DROP COLUMN \"bio\";\n",
    );
    let want = vec!["packages/database/migration/20240201000000_drop/migration.sql:1 drop-column".to_string()];
    let (code, v) = json(&ctx, &[]);
    assert_eq!((code, rules_at(&v)), (1, want.clone()), "{v}");
    let (code, v) = json(&ctx, &["packages/database/migration/20240201000000_drop/migration.sql"]);
    assert_eq!((code, rules_at(&v)), (1, want.clone()), "named, as the pre-commit framework passes it: {v}");
    ctx.git(&["add", "-A"]);
    let (code, v) = json(&ctx, &["--staged"]);
    assert_eq!((code, rules_at(&v)), (1, want), "staged: {v}");
}

/// Issue 22: a `--since` ref this clone does not have says how to get it.
#[test]
fn since_a_missing_remote_ref_says_to_fetch_it() {
    let ctx = project();
    ctx.git(&["add", "-A"]);
    ctx.git(&["commit", "-qm", "base"]);
    let run = ctx.run(&["scan", "--since", "origin/main"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("git fetch origin") && run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}

/// Issue 22 review: a migration with a UTF-8 byte order mark is read as sqlite3 and psql read
/// it (its first statement judged); a UTF-16 one is an error (exit 2), never "no findings";
/// in the working tree and staged alike.
#[test]
fn byte_order_marks_and_utf16_migrations() {
    let ctx = TestContext::new();
    ctx.git_init();
    let bom = "prisma/migrations/20240101000000_bom/migration.sql";
    std::fs::create_dir_all(ctx.path(bom).parent().unwrap()).unwrap();
    std::fs::write(ctx.path(bom), b"\xef\xbb\xbfALTER TABLE \"User\" DROP COLUMN \"age\";\n").unwrap();
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("drop-column"), "{}", run.all());
    ctx.git(&["add", "-A"]);
    assert_eq!(ctx.run(&["scan", "--staged"]).code, 1);
    let utf16 = "prisma/migrations/20240102000000_utf16/migration.sql";
    std::fs::create_dir_all(ctx.path(utf16).parent().unwrap()).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for u in "DROP TABLE \"User\";\n".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(ctx.path(utf16), &bytes).unwrap();
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("UTF-16"), "{}", run.stderr);
    ctx.git(&["add", "-A"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 2, "{}", run.all());
}

/// Issue 22 review: an unparseable package.json is exit 2, and stdout does not say "no
/// findings" beside it.
#[test]
fn an_unreadable_file_is_not_reported_as_no_findings() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("package.json", "{ \"scripts\": { \"reset\": \"prisma migrate reset\" ");
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(!run.stdout.contains("no findings"), "{}", run.stdout);
}

/// Issue 22 review: `migrations.path` written as `path.join` of strings is read; one that
/// needs running code to know (a variable, an environment variable) is an error (exit 2),
/// never a clean scan that skipped its migrations.
#[test]
fn computed_migration_paths_are_read_or_refused() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("db/mig/20240101000000_x/migration.sql", "ALTER TABLE \"User\" DROP COLUMN \"age\";\n");
    ctx.write(
        "prisma.config.ts",
        "import path from \"node:path\";\nimport { defineConfig } from \"prisma/config\";\nexport default defineConfig({ schema: \"prisma/schema.prisma\", migrations: { path: path.join(\"db\", \"mig\") } });\n",
    );
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("db/mig/20240101000000_x/migration.sql"), "{}", run.all());
    ctx.write(
        "prisma.config.ts",
        "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({ schema: \"prisma/schema.prisma\", migrations: { path: process.env.MIG_DIR ?? \"db/mig\" } });\n",
    );
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("cannot tell which folder"), "{}", run.stderr);
    ctx.git(&["add", "-A"]);
    assert_eq!(ctx.run(&["scan", "--staged"]).code, 2);
}

/// Review (issue 22, second round): `.config/prisma.ts` names its migrations relative to its
/// own folder (as @prisma/config resolves them), and quoted keys or a shorthand `migrations`
/// are read; a `migrations` given some other way is an error (exit 2), never a clean scan.
#[test]
fn every_config_spelling_of_the_migrations_folder_is_scanned() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("database/history/20240101000000_x/migration.sql", "ALTER TABLE \"User\" DROP COLUMN \"age\";\n");
    ctx.write(
        ".config/prisma.ts",
        "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({ schema: \"../database/schema.prisma\", migrations: { path: \"../database/history\" } });\n",
    );
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("database/history/20240101000000_x/migration.sql"), "{}", run.all());
    std::fs::remove_dir_all(ctx.path(".config")).unwrap();
    ctx.write("prisma/hist/20240101000000_y/migration.sql", "DROP TABLE \"Post\";\n");
    for config in [
        "export default defineConfig({ schema: 'prisma/schema.prisma', migrations: { \"path\": \"prisma/hist\" } });\n",
        "export default defineConfig({ schema: 'prisma/schema.prisma', 'migrations': { path: 'prisma/hist' } });\n",
        "export default defineConfig({ schema: 'prisma/schema.prisma', migrations: { ['path']: 'prisma/hist' } });\n",
        "const migrations = {path:'prisma/hist'};\nexport default { schema: 'prisma/schema.prisma', migrations };\n",
    ] {
        ctx.write("prisma.config.ts", config);
        let run = ctx.run(&["scan"]);
        assert_eq!(run.code, 1, "{config}: {}", run.all());
        assert!(run.all().contains("prisma/hist/20240101000000_y/migration.sql"), "{config}: {}", run.all());
    }
    ctx.write("prisma.config.ts", "import m from './m';\nexport default defineConfig({ migrations: m });\n");
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("cannot tell which folder"), "{}", run.stderr);
}

/// Review (issue 22, round 3): every config name @prisma/config 7 looks for, in a workspace
/// package as at the root, names the migrations folder the full scan reads.
#[test]
fn every_prisma_config_candidate_names_migrations_in_workspace_packages() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("package.json", "{\"workspaces\":[\"packages/*\"]}\n");
    ctx.write(
        "packages/database/.config/prisma.ts",
        "export default { schema: \"../schema.prisma\", migrations: { path: \"../migration\" } }\n",
    );
    ctx.write(
        "packages/database/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    ctx.write("packages/database/migration/20240202000000_d/migration.sql", "ALTER TABLE \"A\" DROP COLUMN \"b\";\n");
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("packages/database/migration/20240202000000_d/migration.sql"), "{}", run.all());
    std::fs::remove_dir_all(ctx.path("packages")).unwrap();
    // At the root, each spelling: the path is relative to the config file's own folder.
    for (config, path) in [
        ("prisma7.config.ts", "db/hist"),
        (".config/prisma.config.ts", "../db/hist"),
        (".config/prisma7.ts", "../db/hist"),
        ("prisma.config/index.ts", "../db/hist"),
        (".config/prisma/index.mts", "../../db/hist"),
    ] {
        ctx.write("db/hist/20240101000000_y/migration.sql", "DROP TABLE \"Post\";\n");
        ctx.write(config, &format!("export default {{ migrations: {{ path: \"{path}\" }} }}\n"));
        let run = ctx.run(&["scan"]);
        assert_eq!(run.code, 1, "{config}: {}", run.all());
        assert!(run.all().contains("db/hist/20240101000000_y/migration.sql"), "{config}: {}", run.all());
        std::fs::remove_file(ctx.path(config)).unwrap();
    }
}

/// Review (issue 22, round 3): a migration that is a symbolic link to nothing cannot be
/// checked: an error naming it, not "no findings".
#[test]
fn a_dangling_migration_link_is_an_error() {
    let ctx = TestContext::new();
    ctx.git_init();
    let mig = "prisma/migrations/1_a/migration.sql";
    std::fs::create_dir_all(ctx.path(mig).parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/nonexistent", ctx.path(mig)).unwrap();
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains(mig) && run.stderr.contains("/nonexistent"), "{}", run.stderr);
}

/// Review (issue 22, round 5): a Prisma config named by `--config` in a package script
/// (`prisma.pg.config.ts`) names a migrations folder too: its migrations are scanned, in the
/// tree and when staged (the pre-commit hook).
#[test]
fn a_config_named_by_a_package_script_names_migrations_that_are_scanned() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(
        "packages/database/package.json",
        "{\"name\": \"db\", \"scripts\": {\"migrate\": \"prisma migrate dev --config prisma.pg.config.ts\"}}\n",
    );
    ctx.write(
        "packages/database/prisma.pg.config.ts",
        "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({ schema: \"schema.prisma\", migrations: { path: \"db/pg\" } });\n",
    );
    let mig = "packages/database/db/pg/20250101000000_drop/migration.sql";
    ctx.write(mig, "ALTER TABLE \"User\" DROP COLUMN \"bio\";\n");
    let want = vec![format!("{mig}:1 drop-column")];
    let (code, v) = json(&ctx, &[]);
    assert_eq!((code, rules_at(&v)), (1, want.clone()), "{v}");
    ctx.git(&["add", "-A"]);
    let (code, v) = json(&ctx, &["--staged"]);
    assert_eq!((code, rules_at(&v)), (1, want), "staged: {v}");
}

/// Review (issue 22, round 5): a config spread from a shared base (`...base`): the base is a
/// project file, read as the config is, so its `migrations.path` counts; a spread that cannot
/// be followed (a package, a call) is "cannot tell" (exit 2), never a clean scan.
#[test]
fn a_config_spread_from_a_shared_base_is_followed_or_refused() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(
        "prisma.config.ts",
        "import base from \"./prisma.base\";\nimport { defineConfig } from \"prisma/config\";\nexport default defineConfig({ ...base, datasource: { url: \"file:./dev.db\" } });\n",
    );
    ctx.write(
        "prisma.base.ts",
        "export default { schema: \"prisma/schema.prisma\", migrations: { path: \"db/pg\" } };\n",
    );
    let mig = "db/pg/20250101000000_drop/migration.sql";
    ctx.write(mig, "DROP TABLE \"User\";\n");
    let (code, v) = json(&ctx, &[]);
    assert_eq!((code, rules_at(&v)), (1, vec![format!("{mig}:1 drop-table")]), "{v}");
    ctx.git(&["add", "-A"]);
    let (code, v) = json(&ctx, &["--staged"]);
    assert_eq!((code, rules_at(&v)), (1, vec![format!("{mig}:1 drop-table")]), "staged: {v}");
    ctx.write(
        "prisma.config.ts",
        "import base from \"@acme/prisma-base\";\nimport { defineConfig } from \"prisma/config\";\nexport default defineConfig({ ...base, datasource: { url: \"file:./dev.db\" } });\n",
    );
    let run = ctx.run(&["scan"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("cannot tell which folder") && run.stderr.contains("...base"), "{}", run.stderr);
}

/// Issue 19: database clients and Docker volume commands in scripts and CI are findings, as
/// destructive prisma commands are; look-alikes are not.
#[test]
fn database_clients_and_volume_deletions_in_scripts_and_ci_are_found() {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        r#"{"scripts": {
  "db:nuke": "docker compose down -v",
  "db:wipe": "psql $DATABASE_URL -c 'DROP SCHEMA public CASCADE'",
  "db:drop": "psql -f scripts/drop.sql",
  "db:peek": "psql -c 'SELECT 1'",
  "db:down": "docker compose down",
  "db:update": "prisma db update --no-interactive --confirm app"
}}"#,
    );
    ctx.write("scripts/drop.sql", "DROP TABLE \"User\";\n");
    ctx.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata:\n",
    );
    ctx.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: mysql -e 'TRUNCATE users'\n      - run: mysql -e 'SHOW TABLES'\n",
    );
    let (code, v) = json(&ctx, &[]);
    assert_eq!(code, 1, "{v}");
    let found = rules_at(&v);
    let count = |rule: &str| found.iter().filter(|r| r.ends_with(rule)).count();
    assert_eq!(count("database-volume-deleted"), 1, "{found:?}");
    assert_eq!(count("database-client-data-loss"), 3, "psql -c, psql -f and mysql -e in CI: {found:?}");
    assert_eq!(count("prisma-accept-data-loss"), 1, "Prisma 8's --confirm: {found:?}");
    assert_eq!(found.len(), 5, "no look-alike is reported: {found:?}");
}

/// Review round 6, defect 11: an ignore comment without a reason in a package.json script is
/// `ignore-without-reason` and suppresses nothing, whatever follows the script's closing quote
/// (compact JSON: `:"}}`).
#[test]
fn an_ignore_comment_without_a_reason_in_a_script_is_reported() {
    for text in [
        "{\"scripts\":{\"u\":\"prisma db push --accept-data-loss # prisma-guard-ignore prisma-accept-data-loss:\"}}\n",
        "{\"scripts\": {\"u\": \"prisma db push --accept-data-loss # prisma-guard-ignore prisma-accept-data-loss:\"},\n \"name\": \"x\"}\n",
        "{\n  \"scripts\": {\n    \"u\": \"prisma db push --accept-data-loss # prisma-guard-ignore prisma-accept-data-loss:\"\n  }\n}\n",
    ] {
        let ctx = TestContext::new();
        ctx.write("package.json", text);
        let run = ctx.run(&["scan"]);
        assert_eq!(run.code, 1, "{text}: {}", run.all());
        assert!(run.stdout.contains("error[ignore-without-reason]"), "{text}: {}", run.stdout);
        assert!(run.stdout.contains("error[prisma-accept-data-loss]"), "{text}: {}", run.stdout);
    }
    // With a reason, it suppresses.
    let ctx = TestContext::new();
    ctx.write("package.json", "{\"scripts\":{\"u\":\"prisma db push --accept-data-loss # prisma-guard-ignore prisma-accept-data-loss: a throwaway CI database\"}}\n");
    assert_eq!(ctx.run(&["scan"]).code, 0);
}

/// Review round 6, defect 12: the summary counts in English ("1 file"), and with a script name
/// written twice the caret points at the value npm runs (the last), which the verdict judges.
#[test]
fn summary_counts_and_duplicate_script_names_point_at_the_value_run() {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        "{\n  \"scripts\": {\n    \"x\": \"echo hi\",\n    \"x\": \"prisma migrate reset --force\"\n  }\n}\n",
    );
    let run = ctx.run(&["scan", "--format", "github"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("1 error, 0 warnings (1 file scanned)"), "{}", run.stderr);
    assert!(run.stdout.contains("file=package.json,line=4,col=11"), "{}", run.stdout);
    let run = ctx.run(&["scan", "--format", "github", "-o", "report.txt"]);
    assert!(run.stderr.contains("(1 file scanned)"), "{}", run.stderr);
}

/// Review (issue 22, round 7): composite actions, extensionless shebang scripts, justfile,
/// Taskfile, Nx project.json, Gitea/Buildkite pipelines, Jenkinsfile, deno.json and pnpm's
/// package.yaml were skipped ("no findings (0 files scanned)", exit 0). Each is read; a file
/// named that the scanner has no reader for is an error, never clean.
#[test]
fn more_file_types_are_scanned_and_a_named_file_without_a_reader_is_an_error() {
    let ctx = TestContext::new();
    ctx.git_init();
    let reset = "npx prisma migrate reset --force";
    let files = [
        (
            ".github/actions/db/action.yml",
            format!("name: db\nruns:\n  using: composite\n  steps:\n    - run: {reset}\n      shell: bash\n"),
        ),
        ("scripts/reset", format!("#!/usr/bin/env bash\nset -e\n{reset}\n")),
        ("justfile", format!("reset:\n    {reset}\n")),
        ("Taskfile.yml", format!("version: '3'\ntasks:\n  reset:\n    cmds:\n      - {reset}\n")),
        (
            "packages/db/project.json",
            format!(
                r#"{{"targets": {{"reset": {{"executor": "nx:run-commands", "options": {{"command": "{reset}"}}}}}}}}"#
            ),
        ),
        (
            ".gitea/workflows/x.yml",
            format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: {reset}\n"),
        ),
        (".buildkite/pipeline.yml", format!("steps:\n  - command: {reset}\n")),
        ("Jenkinsfile", format!("pipeline {{ stages {{ stage('db') {{ steps {{\n  sh '{reset}'\n}} }} }} }}\n")),
        ("deno.json", format!(r#"{{"tasks": {{"reset": "{reset}"}}}}"#)),
        ("package.yaml", format!("name: app\nscripts:\n  reset: {reset}\n")),
    ];
    for (path, text) in &files {
        ctx.write(path, text);
        let run = ctx.run(&["scan", path]);
        assert_eq!(run.code, 1, "{path}: {}", run.all());
        assert!(run.stdout.contains("prisma-migrate-reset"), "{path}: {}", run.all());
    }
    // The whole-repository walk finds them all, the extensionless script by its `#!` line.
    let run = ctx.run(&["scan"]);
    for (path, _) in &files {
        assert!(run.stdout.contains(&format!("{path}:")), "{path} not in the full scan: {}", run.all());
    }
    // Staged, as the pre-commit hook reads it: the extensionless script by its `#!` line too.
    ctx.git(&["add", "scripts/reset"]);
    let run = ctx.run(&["scan", "--staged"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("scripts/reset:3"), "{}", run.all());
    // A file with no reader, named: said, exit 2. An extensionless file without `#!`: same.
    ctx.write("notes.txt", &format!("{reset}\n"));
    ctx.write("scripts/notes", &format!("{reset}\n"));
    for path in ["notes.txt", "scripts/notes"] {
        let run = ctx.run(&["scan", path]);
        assert_eq!(run.code, 2, "{path}: {}", run.all());
        assert!(run.all().contains("not scanned") && !run.all().contains("no findings"), "{}", run.all());
    }
}

/// Review (issue 22, round 7): a config named with `--config` outside package.json (a
/// workflow, a Makefile, a shell script, a Dockerfile) names a migrations folder that was
/// never scanned, by `scan` or by the hooks.
#[test]
fn configs_named_by_workflows_makefiles_scripts_and_dockerfiles_are_followed() {
    let config = "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({\n  schema: \"../prisma/schema.prisma\",\n  migrations: { path: \"../prod-sql\" },\n});\n";
    let drop = "ALTER TABLE \"User\" DROP COLUMN \"name\";\n";
    for (file, text) in [
        (".github/workflows/deploy.yml", "on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n      - run: npx prisma migrate deploy --config packages/database/config/prod.ts\n"),
        ("Makefile", "deploy:\n\tnpx prisma migrate deploy --config=packages/database/config/prod.ts\n"),
        ("scripts/deploy.sh", "#!/bin/sh\nnpx prisma migrate deploy --config packages/database/config/prod.ts\n"),
        ("Dockerfile", "FROM node:20\nCMD [\"npx\", \"prisma\", \"migrate\", \"deploy\", \"--config\", \"packages/database/config/prod.ts\"]\n"),
    ] {
        let ctx = TestContext::new();
        ctx.git_init();
        ctx.write(file, text);
        ctx.write("packages/database/config/prod.ts", config);
        ctx.write("packages/database/prod-sql/20240202000000_d/migration.sql", drop);
        let run = ctx.run(&["scan"]);
        assert_eq!(run.code, 1, "{file}: {}", run.all());
        assert!(run.stdout.contains("prod-sql/20240202000000_d/migration.sql"), "{file}: {}", run.all());
        // Staged, as the pre-commit hook reads it.
        ctx.git(&["add", "-A"]);
        let run = ctx.run(&["scan", "--staged"]);
        assert_eq!(run.code, 1, "{file} staged: {}", run.all());
        assert!(run.stdout.contains("error[drop-column]"), "{file} staged: {}", run.all());
    }
}
