//! Issue 19, review round 1, findings 1 and 14: task runners (`make`, `just`, `task`, `mise`)
//! are followed into their recipe files and judged like package scripts, failing closed when a
//! recipe cannot be read; and `scan` reports what `check` refuses.

use serde_json::Value;

use crate::support::TestContext;

const MAKEFILE: &str = concat!(
    "PRISMA := npx prisma\n",
    "RESET = $(PRISMA) migrate reset\n",
    ".PHONY: all build reset fresh recurse hidden rmdb clean\n",
    "all: build\n",
    "build:\n",
    "\t@echo building\n",
    "\tnode build.js\n",
    "reset:\n",
    "\t-$(RESET) --force\n",
    "fresh: clean reset\n",
    "\techo fresh\n",
    "recurse:\n",
    "\t+$(MAKE) reset\n",
    "hidden:\n",
    "\t$(UNSET_TOOL) migrate reset --force\n",
    "rmdb:\n",
    "\t@$(RM) prisma/dev.db\n",
    "clean:\n",
    "\trm -rf dist\n",
    "test: ; echo testing\n",
);

const JUSTFILE: &str = concat!(
    "prisma := \"npx prisma\"\n",
    "alias r := reset\n",
    "\n",
    "test:\n",
    "    echo testing\n",
    "\n",
    "# Start over.\n",
    "reset force='--force': test\n",
    "    @{{prisma}} migrate reset {{force}}\n",
    "\n",
    "wipe:\n",
    "    rm -f prisma/dev.db\n",
    "[no-cd]\n",
    "here:\n",
    "    rm -f dev.db\n",
    "there:\n",
    "    rm -f dev.db\n",
);

const TASKFILE: &str = concat!(
    "version: '3'\n",
    "vars:\n",
    "  DB: prisma/dev.db\n",
    "tasks:\n",
    "  default:\n",
    "    cmds:\n",
    "      - task: build\n",
    "  build:\n",
    "    cmds:\n",
    "      - echo building\n",
    "  reset:\n",
    "    cmds:\n",
    "      - npx prisma migrate reset --force\n",
    "  fresh:\n",
    "    deps: [build]\n",
    "    cmds:\n",
    "      - task: reset\n",
    "  wipe: rm -f {{.DB}}\n",
    "  check:\n",
    "    preconditions:\n",
    "      - sh: rm -f prisma/dev.db\n",
    "    cmds: [echo checked]\n",
);

const MISE: &str = concat!(
    "[tasks.reset]\n",
    "run = \"npx prisma migrate reset --force\"\n",
    "\n",
    "[tasks.wipe]\n",
    "run = [\"echo wiping\", \"rm -f prisma/dev.db\"]\n",
    "\n",
    "[tasks.build]\n",
    "run = \"echo building\"\n",
    "depends = [\"lint\"]\n",
    "\n",
    "[tasks.lint]\n",
    "run = \"echo lint\"\n",
);

/// A SQLite Prisma 7 project with one recipe file of each runner, and folders with a makefile
/// whose first target resets and a Taskfile that does not parse.
fn project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write(
        "prisma.config.ts",
        "import 'dotenv/config'\nimport { defineConfig, env } from 'prisma/config'\nexport default defineConfig({ schema: 'prisma/schema.prisma', datasource: { url: env('DATABASE_URL') } })\n",
    );
    ctx.write(".env", "DATABASE_URL=\"file:./prisma/dev.db\"\n");
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"sqlite\"\n}\nmodel User {\n  id Int @id\n}\n");
    ctx.write("Makefile", MAKEFILE);
    ctx.write("justfile", JUSTFILE);
    ctx.write("Taskfile.yml", TASKFILE);
    ctx.write("mise.toml", MISE);
    ctx.write("sub/Makefile", "wipe:\n\tnpx prisma db push --force-reset\nbuild:\n\techo ok\n");
    ctx.write("broken/Taskfile.yml", "tasks:\n  reset: [unclosed\n");
    ctx.write("mise-tasks/db/drop", "#!/bin/sh\nrm -f prisma/dev.db\n");
    ctx.write("alt/.mise.toml", "[tasks]\npurge = \"rm -f ../prisma/dev.db\"\n");
    ctx.write("alt/Taskfile.yaml", "version: '3'\ntasks:\n  purge:\n    dir: ..\n    cmds: [rm -f prisma/dev.db]\n");
    let db = rusqlite::Connection::open(ctx.path("prisma/dev.db")).expect("open the database");
    db.execute_batch("CREATE TABLE User (id INTEGER PRIMARY KEY); INSERT INTO User VALUES (1);").expect("rows");
    drop(db);
    ctx.git_init();
    ctx
}

/// `check`'s verdict on `line`: "allow", "schema" or "destructive", and its output.
fn check(ctx: &TestContext, line: &str) -> (&'static str, String) {
    let run = ctx.run(&["check", "--", line]);
    let verdict = match run.code {
        0 => "allow",
        5 => "schema",
        3 => "destructive",
        c => panic!("check exit {c} for {line:?}: {}", run.all()),
    };
    (verdict, run.stdout)
}

#[test]
fn make_recipes_are_followed_with_prerequisites_variables_and_recursion() {
    let ctx = project();
    let mut failures = Vec::new();
    for (line, want) in [
        ("make reset", "destructive"),
        ("make -f Makefile reset", "destructive"),
        ("make --file=Makefile reset", "destructive"),
        ("make -C sub wipe", "destructive"),
        ("make -C sub", "destructive"), // the first target
        ("cd sub && make", "destructive"),
        ("make fresh", "destructive"),   // a prerequisite resets
        ("make recurse", "destructive"), // $(MAKE) reset
        ("make rmdb", "destructive"),    // $(RM) is make's `rm -f`
        ("make -j 4 reset", "destructive"),
        ("make -sk reset", "destructive"),
        ("make -n recurse", "destructive"), // `+` lines run under -n
        ("sudo make reset", "destructive"),
        ("make build", "allow"),
        ("make", "allow"), // `all: build`
        ("make clean test", "allow"),
        ("make -n reset", "allow"),
        ("make -C sub build", "allow"),
        ("make --version", "allow"),
    ] {
        let (got, out) = check(&ctx, line);
        if got != want {
            failures.push(format!("{line:?}: want {want}, got {got}: {out}"));
        }
        // Refused for what the recipe does, not because it could not be read.
        if want == "destructive"
            && !line.contains("nosuch")
            && !line.contains("broken")
            && out.contains("cannot be checked")
        {
            failures.push(format!("{line:?}: refused as unreadable: {out}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The way there is named.
    let (_, out) = check(&ctx, "make fresh");
    assert!(out.contains("`Makefile` target `reset`"), "{out}");
}

#[test]
fn make_fails_closed_on_what_it_cannot_read() {
    let ctx = project();
    // Review (issue 19, round 2): a target the Makefile lacks runs nothing (make stops with
    // "No rule to make target"): no refusal.
    let (got, out) = check(&ctx, "make nosuchtarget");
    assert_eq!(got, "allow", "{out}");
    let (got, out) = check(&ctx, "make hidden");
    assert_eq!(got, "destructive", "{out}");
    assert!(out.contains("$(UNSET_TOOL)") && out.contains("cannot be checked"), "{out}");
    // A recipe line the shell grammar does not read.
    ctx.write("odd/Makefile", "go:\n\techo 'unclosed\n");
    let (got, out) = check(&ctx, "make -C odd go");
    assert_eq!(got, "destructive", "{out}");
    assert!(out.contains("could not be parsed"), "{out}");
    // No makefile at all: make stops before running anything.
    std::fs::create_dir_all(ctx.path("empty")).unwrap();
    assert_eq!(check(&ctx, "make -C empty reset").0, "allow");
}

#[test]
fn just_task_and_mise_recipes_are_followed() {
    let ctx = project();
    let mut failures = Vec::new();
    for (line, want) in [
        ("just reset", "destructive"),
        ("just r", "destructive"),
        ("just --justfile justfile reset --force", "destructive"),
        ("just wipe", "destructive"),
        ("just nosuch", "allow"),                  // just stops: no such recipe
        ("cd prisma && just here", "destructive"), // [no-cd]: in prisma/
        ("cd prisma && just there", "allow"),      // in the justfile's folder: no dev.db there
        ("just test", "allow"),
        ("just", "allow"), // the first recipe
        ("just --list", "allow"),
        ("task reset", "destructive"),
        ("task fresh", "destructive"), // `- task: reset`
        ("task wipe", "destructive"),  // {{.DB}} from vars
        ("task -t Taskfile.yml reset", "destructive"),
        ("task nosuch", "allow"), // task stops: no such task
        ("task -d broken reset", "destructive"),
        ("task check", "destructive"), // a precondition runs too
        ("task build", "allow"),
        ("task", "allow"), // default: task build
        ("task --list", "allow"),
        ("mise run reset", "destructive"),
        ("mise r reset", "destructive"),
        ("mise reset", "destructive"),
        ("mise run wipe", "destructive"),
        ("mise run nosuch", "allow"), // mise stops: no such task
        ("mise tasks", "allow"),      // its own listing
        ("mise run build", "allow"),
        ("mise ls", "allow"),
        // Found upward from a folder, under every file name the tools read.
        ("cd sub && just reset", "destructive"),
        ("cd sub && task reset", "destructive"),
        ("mise run db:drop", "destructive"), // a file task: mise-tasks/db/drop
        ("cd alt && mise run purge", "destructive"), // alt/.mise.toml
        ("cd alt && task purge", "destructive"), // alt/Taskfile.yaml
        ("cd alt && mise run reset", "destructive"), // mise.toml above
        ("cd alt && task build", "allow"),   // alt/Taskfile.yaml has none: task stops
    ] {
        let (got, out) = check(&ctx, line);
        if got != want {
            failures.push(format!("{line:?}: want {want}, got {got}: {out}"));
        }
        // Refused for what the recipe does, not because it could not be read.
        if want == "destructive"
            && !line.contains("nosuch")
            && !line.contains("broken")
            && out.contains("cannot be checked")
        {
            failures.push(format!("{line:?}: refused as unreadable: {out}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (_, out) = check(&ctx, "task -d broken reset");
    assert!(out.contains("could not be read"), "{out}");
}

fn scan(ctx: &TestContext) -> (i32, Value) {
    let run = ctx.run(&["scan", "--format", "json"]);
    (run.code, serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all())))
}

fn findings(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{} {}", f["path"].as_str().unwrap(), f["line"], f["rule"].as_str().unwrap()))
        .collect()
}

#[test]
fn scan_reports_what_check_refuses_in_scripts_and_ci() {
    let ctx = project();
    std::fs::remove_file(ctx.path("Makefile")).unwrap();
    std::fs::remove_file(ctx.path("justfile")).unwrap();
    std::fs::remove_file(ctx.path("mise.toml")).unwrap();
    std::fs::remove_file(ctx.path("sub/Makefile")).unwrap();
    std::fs::remove_file(ctx.path("broken/Taskfile.yml")).unwrap();
    std::fs::remove_file(ctx.path("alt/Taskfile.yaml")).unwrap();
    ctx.write(
        "scripts/wipe.sh",
        "#!/bin/sh\nset -e\necho 'npx prisma migrate reset --force' | bash\ntask reset\nrm -f prisma/dev.db\necho done\n",
    );
    ctx.write("scripts/hello.sh", "#!/bin/sh\necho \"hello $USER\"\nls -la\n");
    ctx.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: rm -f prisma/dev.db\n      - run: npm test\n",
    );
    let (code, v) = scan(&ctx);
    assert_eq!(code, 1, "{v}");
    let found = findings(&v);
    assert_eq!(
        found,
        vec![
            ".github/workflows/ci.yml:6 destructive-command",
            // Taskfiles are scanned as CI YAML is (issue 22, round 7).
            "Taskfile.yml:13 prisma-migrate-reset",
            "Taskfile.yml:21 destructive-command",
            // mise tasks are scanned as a developer's commands (issue 22, round 8).
            "alt/.mise.toml:2 destructive-command",
            // Found by the shell walk into the pipe: its own rule.
            "scripts/wipe.sh:3 prisma-migrate-reset",
            "scripts/wipe.sh:4 destructive-command",
            "scripts/wipe.sh:5 destructive-command",
        ],
        "{v}"
    );
    let messages: Vec<&str> = v["findings"].as_array().unwrap().iter().filter_map(|f| f["message"].as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("`Taskfile.yml` task `reset`")), "{messages:?}");
    std::fs::remove_file(ctx.path("Taskfile.yml")).unwrap();
    std::fs::remove_file(ctx.path("alt/.mise.toml")).unwrap();

    // Suppressed with a reason, like every rule; the baseline knows it.
    ctx.write(
        "scripts/wipe.sh",
        "#!/bin/sh\n# prisma-guard-ignore destructive-command: a throwaway database in CI\nrm -f prisma/dev.db\n",
    );
    ctx.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n",
    );
    let (code, v) = scan(&ctx);
    assert_eq!((code, findings(&v)), (0, Vec::<String>::new()), "{v}");
    ctx.write("scripts/wipe.sh", "#!/bin/sh\nrm -f prisma/dev.db\n");
    assert_eq!(scan(&ctx).0, 1);
    ctx.run(&["scan", "--baseline", "write"]).ok();
    ctx.git(&["add", "-A"]).ok();
    ctx.git(&["commit", "-qm", "baseline"]).ok();
    let (code, v) = scan(&ctx);
    assert_eq!((code, findings(&v)), (0, Vec::<String>::new()), "{v}");
}

#[test]
fn scan_of_harmless_scripts_and_recipes_stays_clean() {
    let ctx = project();
    std::fs::remove_file(ctx.path("broken/Taskfile.yml")).unwrap();
    // Taskfiles are scanned as CI YAML is (issue 22, round 7): harmless ones here.
    std::fs::remove_file(ctx.path("alt/Taskfile.yaml")).unwrap();
    // mise tasks are scanned too (issue 22, round 8): the fixture's purge task is not harmless.
    std::fs::remove_file(ctx.path("alt/.mise.toml")).unwrap();
    ctx.write("Taskfile.yml", "version: '3'\ntasks:\n  build:\n    cmds: [echo building]\n");
    ctx.write("Makefile", "build:\n\tnode build.js\ntest: build\n\tnpm test\n");
    ctx.write("sub/Makefile", "build:\n\techo ok\n");
    ctx.write("justfile", "test:\n    echo testing\n");
    ctx.write("mise.toml", "[tasks.build]\nrun = \"echo building\"\n");
    ctx.write("scripts/ci.sh", "#!/bin/sh\nset -e\nmake build\njust test\ntask build\nmise run build\nrm -rf dist\n");
    let (code, v) = scan(&ctx);
    assert_eq!((code, findings(&v)), (0, Vec::<String>::new()), "{v}");
}

/// A Makefile recipe that calls another target, and a package script that runs `make`, are
/// judged in their file's folder: the target they reach resets.
#[test]
fn scan_follows_make_from_recipes_and_package_scripts() {
    let ctx = project();
    for f in [
        "justfile",
        "mise.toml",
        "alt/.mise.toml",
        "Taskfile.yml",
        "sub/Makefile",
        "broken/Taskfile.yml",
        "alt/Taskfile.yaml",
    ] {
        std::fs::remove_file(ctx.path(f)).unwrap();
    }
    ctx.write(
        "Makefile",
        "reset:\n\tnpx prisma migrate reset --force\nfresh:\n\t$(MAKE) reset\nbuild:\n\tnode build.js\n",
    );
    ctx.write("package.json", "{\"scripts\": {\"fresh\": \"make fresh\", \"build\": \"make build\"}}\n");
    let (code, v) = scan(&ctx);
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        findings(&v),
        vec!["Makefile:2 prisma-migrate-reset", "Makefile:4 destructive-command", "package.json:1 destructive-command"],
        "{v}"
    );
}

/// In a monorepo, a package's script is judged in its own folder against the data of every
/// project of the repository (read once for the scan).
#[test]
fn scan_judges_package_scripts_in_their_folder_of_a_monorepo() {
    let ctx = TestContext::new();
    ctx.write("package.json", r#"{"name": "mono", "private": true, "workspaces": ["packages/*"]}"#);
    ctx.write(
        "packages/db/package.json",
        r#"{"name": "@mono/db", "scripts": {"db:wipe": "rm -f prisma/dev.db", "clean": "rm -rf dist"}}"#,
    );
    ctx.write("packages/db/.env", "DATABASE_URL=\"file:./dev.db\"\n");
    ctx.write(
        "packages/db/prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    ctx.write("packages/db/prisma/dev.db", "");
    ctx.write(
        "packages/web/package.json",
        r#"{"name": "web", "scripts": {"clean": "rm -rf dist", "wipe": "rm -f prisma/dev.db"}}"#,
    );
    ctx.git_init();
    let (code, v) = scan(&ctx);
    assert_eq!(code, 1, "{v}");
    // `prisma/dev.db` of packages/web is no database; of packages/db it is.
    assert_eq!(findings(&v), vec!["packages/db/package.json:1 destructive-command"], "{v}");
}
