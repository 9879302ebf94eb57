//! Agent hooks and `check`: a table of command lines, blocked and allowed, through
//! `prisma-guard check` and every agent's real hook payload shape.

use std::process::Stdio;

use serde_json::{json, Value};

use crate::support::{bin, run_with_stdin, TestContext};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum V {
    Allow,
    Schema,
    Destructive,
}

const TABLE: &[(&str, V)] = &[
    // Destructive prisma commands, every way of starting prisma.
    ("npx prisma migrate reset", V::Destructive),
    ("npx prisma migrate reset --force", V::Destructive),
    ("prisma migrate reset -f --skip-seed", V::Destructive),
    ("npx prisma db push --force-reset", V::Destructive),
    ("npx prisma db push --accept-data-loss", V::Destructive),
    ("npx prisma db push --skip-generate --accept-data-loss", V::Destructive),
    ("npx prisma \"db\" 'push' --force-reset", V::Destructive),
    ("npx --yes prisma@7.10.1 migrate reset", V::Destructive),
    ("npx -y -p prisma prisma migrate reset", V::Destructive),
    ("npm exec prisma -- migrate reset", V::Destructive),
    ("npm exec -- prisma db push --force-reset", V::Destructive),
    ("npm x prisma migrate reset", V::Destructive),
    ("pnpm exec prisma migrate reset", V::Destructive),
    ("pnpm dlx prisma migrate reset", V::Destructive),
    ("pnpm prisma migrate reset", V::Destructive),
    ("yarn prisma migrate reset", V::Destructive),
    ("yarn dlx prisma migrate reset", V::Destructive),
    ("bunx prisma migrate reset", V::Destructive),
    ("bun x prisma migrate reset", V::Destructive),
    ("node_modules/.bin/prisma migrate reset", V::Destructive),
    ("./node_modules/.bin/prisma db push --accept-data-loss", V::Destructive),
    ("node node_modules/prisma/build/index.js migrate reset", V::Destructive),
    // Shell structure.
    ("cd app && npx prisma migrate reset", V::Destructive),
    ("npm run build; npx prisma migrate reset", V::Destructive),
    ("false || npx prisma migrate reset", V::Destructive),
    ("yes | npx prisma migrate reset", V::Destructive),
    ("(cd api && npx prisma migrate reset)", V::Destructive),
    ("echo $(npx prisma migrate reset --force)", V::Destructive),
    ("echo `prisma migrate reset`", V::Destructive),
    ("ls\nnpx prisma migrate reset", V::Destructive),
    ("bash -c 'npx prisma migrate reset --force'", V::Destructive),
    ("sh -c \"bash -c 'prisma db push --force-reset'\"", V::Destructive),
    ("bash <<'EOF'\nnpx prisma migrate reset --force\nEOF", V::Destructive),
    ("eval npx prisma migrate reset", V::Destructive),
    // Prefixes and wrappers.
    ("FOO=1 npx prisma migrate reset", V::Destructive),
    ("sudo npx prisma migrate reset", V::Destructive),
    ("sudo -u app env NODE_ENV=test npx prisma migrate reset", V::Destructive),
    ("command npx prisma migrate reset", V::Destructive),
    ("exec npx prisma migrate reset", V::Destructive),
    ("time npx prisma migrate reset", V::Destructive),
    ("nohup npx prisma migrate reset &", V::Destructive),
    ("echo x | xargs npx prisma migrate reset", V::Destructive),
    ("dotenv -e .env.test -- npx prisma migrate reset", V::Destructive),
    ("timeout 60 npx prisma db push --force-reset", V::Destructive),
    // npm scripts, recursively, with a cycle.
    ("npm run db:reset", V::Destructive),
    ("pnpm db:reset", V::Destructive),
    ("yarn db:reset", V::Destructive),
    ("bun run db:reset", V::Destructive),
    ("npm run fresh", V::Destructive),
    ("npm run loop-a", V::Destructive),
    ("npm run db:drop-sql", V::Destructive),
    // SQL through db execute.
    ("npx prisma db execute --file drop.sql", V::Destructive),
    ("npx prisma db execute --stdin < drop.sql", V::Destructive),
    // Switching the guards off.
    ("env -u CLAUDECODE npx prisma migrate status", V::Destructive),
    ("env -i PATH=/usr/bin npx prisma migrate status", V::Destructive),
    ("CLAUDECODE= npx prisma db push", V::Destructive),
    ("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=yes npx prisma generate", V::Destructive),
    ("export PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=1", V::Destructive),
    ("unset CLAUDECODE; npx prisma migrate status", V::Destructive),
    ("rm .git/hooks/pre-commit", V::Destructive),
    ("rm -f node_modules/.bin/prisma", V::Destructive),
    ("echo '{}' > .claude/settings.json", V::Destructive),
    ("sed -i '/prisma-guard/d' .claude/settings.local.json", V::Destructive),
    ("git commit --no-verify -m wip", V::Destructive),
    ("git -c core.hooksPath=/dev/null commit -m wip", V::Destructive),
    ("prisma-guard hooks uninstall", V::Destructive),
    ("prisma-guard uninstall", V::Destructive),
    // Unparseable but mentions prisma: fail closed.
    ("npx prisma migrate reset 'unterminated", V::Destructive),
    ("npx prisma db push $(", V::Destructive),
    // Schema changes: allowed through (the shim backs up first).
    ("npx prisma migrate dev", V::Schema),
    ("npx prisma migrate deploy", V::Schema),
    ("npx prisma db push", V::Schema),
    ("pnpm prisma migrate dev --name init", V::Schema),
    ("npm run migrate", V::Schema),
    ("npx prisma db seed", V::Schema),
    ("npx prisma migrate resolve --applied 20240101000000_init", V::Schema),
    ("npx prisma db execute --file safe.sql", V::Schema),
    // Harmless.
    ("npx prisma generate", V::Allow),
    ("npx prisma migrate status", V::Allow),
    ("npx prisma --version", V::Allow),
    ("npx prisma migrate reset --help", V::Allow),
    ("npx prisma studio", V::Allow),
    ("npx prisma format", V::Allow),
    ("npx prisma validate", V::Allow),
    ("npx prisma db pull", V::Allow),
    ("echo \"prisma migrate reset\"", V::Allow),
    ("grep -r \"db push\" .", V::Allow),
    ("git commit -m \"fix prisma migrate reset docs\"", V::Allow),
    ("git log --grep='prisma migrate reset'", V::Allow),
    ("printf '%s\\n' 'npx prisma migrate reset'", V::Allow),
    ("cat prisma/schema.prisma", V::Allow),
    ("cat .claude/settings.json", V::Allow),
    ("command -v prisma", V::Allow),
    ("ls -la", V::Allow),
    ("npm install", V::Allow),
    ("npm run dev", V::Allow),
    ("cargo test && echo done", V::Allow),
];

fn project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        r#"{"scripts": {
  "dev": "next dev",
  "db:reset": "prisma migrate reset -f",
  "fresh": "npm run db:reset && npm run seed",
  "seed": "node seed.js",
  "loop-a": "npm run loop-b",
  "loop-b": "npm run loop-a && prisma db push --force-reset",
  "migrate": "prisma migrate deploy",
  "db:drop-sql": "prisma db execute --file drop.sql"
}}"#,
    );
    ctx.write("drop.sql", "-- cleanup\nDROP TABLE \"Session\";\n");
    ctx.write("safe.sql", "CREATE INDEX \"a\" ON \"User\"(\"email\");\n");
    ctx
}

pub(crate) fn payload(agent: &str, line: &str, cwd: &str) -> Value {
    match agent {
        "claude" => json!({
            "session_id": "abc123", "transcript_path": "/tmp/t.jsonl", "cwd": cwd, "permission_mode": "default",
            "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": line, "description": "Run it"}, "tool_use_id": "toolu_01"
        }),
        "codex" => json!({
            "session_id": "s1", "transcript_path": null, "cwd": cwd, "hook_event_name": "PreToolUse", "model": "gpt-5",
            "tool_name": "Bash", "tool_input": {"command": line}, "tool_use_id": "call_1"
        }),
        "cursor" => json!({
            "conversation_id": "c1", "generation_id": "g1", "hook_event_name": "beforeShellExecution",
            "command": line, "cwd": cwd, "workspace_roots": [cwd]
        }),
        "gemini" => json!({
            "session_id": "s1", "transcript_path": "/tmp/g.json", "cwd": cwd, "hook_event_name": "BeforeTool",
            "timestamp": "2026-11-23T10:00:00Z", "tool_name": "run_shell_command",
            "tool_input": {"command": line, "description": "Run it"}
        }),
        "copilot" => json!({
            "timestamp": 1_763_892_000_000_u64, "cwd": cwd, "toolName": "bash",
            "toolArgs": json!({"command": line, "description": "Run it"}).to_string()
        }),
        other => panic!("{other}"),
    }
}

pub(crate) fn hook(ctx: &TestContext, agent: &str, input: &str) -> crate::support::Run {
    let mut cmd = ctx.cmd(&["agent-hook", "--agent", agent]);
    cmd.stdin(Stdio::piped());
    run_with_stdin(cmd, input.as_bytes())
}

/// The verdict an agent's answer carries: None for "no decision".
pub(crate) fn decision(agent: &str, run: &crate::support::Run) -> Option<String> {
    if agent == "codex" {
        return match run.code {
            0 => {
                assert_eq!(run.stdout, "", "codex: no output fields at all");
                None
            }
            2 => Some("deny".into()),
            c => panic!("codex hook exit {c}: {}", run.all()),
        };
    }
    assert_eq!(run.code, 0, "{agent}: {}", run.all());
    if run.stdout.trim().is_empty() {
        return None;
    }
    let v: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{agent} {e}: {}", run.stdout));
    let d = match agent {
        "claude" => {
            assert_eq!(v["hookSpecificOutput"]["hookEventName"], "PreToolUse");
            assert!(v["hookSpecificOutput"]["permissionDecisionReason"].is_string());
            &v["hookSpecificOutput"]["permissionDecision"]
        }
        "cursor" => {
            assert!(v["user_message"].is_string() && v["agent_message"].is_string(), "{v}");
            &v["permission"]
        }
        "gemini" => {
            assert!(v["reason"].is_string());
            &v["decision"]
        }
        "copilot" => {
            assert!(v["permissionDecisionReason"].is_string());
            &v["permissionDecision"]
        }
        _ => unreachable!(),
    };
    Some(d.as_str().unwrap().to_string())
}

#[test]
fn command_table_through_check_and_every_agent() {
    assert!(TABLE.len() >= 80, "{} lines", TABLE.len());
    let ctx = project();
    let cwd = ctx.root().to_str().unwrap().to_string();
    let mut failures = Vec::new();
    for (line, want) in TABLE {
        let run = ctx.run(&["check", "--", line]);
        let got = match run.code {
            0 => V::Allow,
            5 => V::Schema,
            3 => V::Destructive,
            c => panic!("check exit {c} for {line:?}: {}", run.all()),
        };
        if got != *want {
            failures.push(format!("check {line:?}: want {want:?}, got {got:?}: {}", run.stdout.trim()));
            continue;
        }
        for agent in ["claude", "codex", "cursor", "gemini", "copilot"] {
            let out = hook(&ctx, agent, &payload(agent, line, &cwd).to_string());
            let d = decision(agent, &out);
            let expected = if *want == V::Destructive { Some("deny".to_string()) } else { None };
            if d != expected {
                failures.push(format!("{agent} {line:?}: want {expected:?}, got {d:?}: {}", out.all()));
            }
            if d.as_deref() == Some("deny") {
                let text = out.all();
                assert!(text.contains("Stop here"), "{agent}: the agent is told to stop: {text}");
                let first_line = line.lines().next().unwrap();
                let shown = serde_json::to_string(first_line).unwrap();
                assert!(
                    text.contains(first_line) || text.contains(&shown[1..shown.len() - 1]),
                    "{agent}: the exact command is shown: {text}"
                );
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Review (issue 21, round 2, D2): after `init`, the package's postinstall runs
/// `prisma-guard shim install`; an install that runs it was refused as "a terminal `script
/// `postinstall`` gives the agent" (the walk's label of the script taken for util-linux
/// `script`). Installs are what put the shim back: allowed, by `check` and every agent.
#[test]
fn installs_that_run_inits_postinstall_are_allowed() {
    let ctx = TestContext::new();
    let pkg = serde_json::json!({
        "name": "app",
        "private": true,
        "scripts": {
            "postinstall": "(command -v prisma-guard >/dev/null && prisma-guard shim install --project --quiet) || true",
            "db:restore": "prisma-guard restore latest"
        }
    });
    ctx.write("package.json", &pkg.to_string());
    let cwd = ctx.root().to_str().unwrap().to_string();
    for line in ["npm install", "npm ci", "pnpm install", "yarn", "npm install --no-optional"] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
        for agent in ["claude", "codex", "cursor", "gemini", "copilot"] {
            let out = hook(&ctx, agent, &payload(agent, line, &cwd).to_string());
            assert_eq!(decision(agent, &out), None, "{agent} {line}: {}", out.all());
        }
    }
    // A terminal really given to the agent is still refused.
    let run = ctx.run(&["check", "--", "script -qec 'prisma-guard restore latest' /dev/null"]);
    assert_eq!(run.code, 3, "{}", run.all());
}

#[test]
fn schema_changes_can_ask_where_the_agent_can() {
    let ctx = project();
    ctx.write("prisma-guard.toml", "[agents]\nschema_change = \"ask\"\n");
    let cwd = ctx.root().to_str().unwrap().to_string();
    for (agent, want) in [
        ("claude", Some("ask")),
        ("cursor", Some("ask")),
        ("gemini", Some("ask")),
        ("copilot", Some("ask")),
        ("codex", None),
    ] {
        let out = hook(&ctx, agent, &payload(agent, "npx prisma migrate dev", &cwd).to_string());
        assert_eq!(decision(agent, &out).as_deref(), want, "{agent}: {}", out.all());
    }
}

#[test]
fn unreadable_input_fails_closed_and_file_edits_of_hook_settings_are_refused() {
    let ctx = project();
    for agent in ["claude", "codex", "cursor", "gemini", "copilot"] {
        let out = hook(&ctx, agent, "this is not json");
        assert_eq!(decision(agent, &out).as_deref(), Some("deny"), "{agent}: {}", out.all());
    }
    let edit = json!({"hook_event_name": "PreToolUse", "tool_name": "Edit", "cwd": ctx.root(),
        "tool_input": {"file_path": ctx.path(".claude/settings.json"), "old_string": "prisma-guard", "new_string": ""}});
    assert_eq!(decision("claude", &hook(&ctx, "claude", &edit.to_string())).as_deref(), Some("deny"));
    let edit = json!({"tool_name": "Write", "tool_input": {"file_path": ctx.path("src/app.ts"), "content": "x"}});
    assert_eq!(decision("claude", &hook(&ctx, "claude", &edit.to_string())), None);
    // A non-shell tool without a command gets no decision.
    let read = json!({"tool_name": "Read", "tool_input": {"file_path": "/etc/hosts"}});
    assert_eq!(decision("claude", &hook(&ctx, "claude", &read.to_string())), None);
}

#[test]
fn explain_shows_the_parse() {
    let ctx = project();
    let run = ctx.run(&["explain", "FOO=1 bash -c 'pnpm fresh'"]);
    run.ok();
    assert!(run.stdout.contains("via bash > pnpm > script `fresh` > npm > script `db:reset`"), "{}", run.stdout);
    assert!(run.stdout.contains("prisma migrate reset -f -> destructive"), "{}", run.stdout);
    assert!(run.stdout.contains("verdict: destructive"), "{}", run.stdout);
    let _ = bin();
}

/// Issue 22: `db execute --stdin` fed by a heredoc is judged by its SQL (harmless SQL is a
/// schema change, not refused); fed from a pipe prisma-guard cannot see, the refusal says so.
#[test]
fn db_execute_stdin_heredocs_are_judged_by_their_sql() {
    let ctx = crate::support::TestContext::new();
    let run = ctx.run(&["check", "--", "npx prisma db execute --stdin <<'SQL'\nSELECT 1;\nSQL"]);
    assert_eq!(run.code, 5, "a schema change, not destructive: {}", run.all());
    let run = ctx.run(&["check", "--", "npx prisma db execute --stdin <<'SQL'\nDELETE FROM \"Post\" WHERE true;\nSQL"]);
    assert_eq!(run.code, 3, "{}", run.all());
    // (`cat FILE |` is read as `< FILE`: issue 19, review round 2, FP4.)
    let run = ctx.run(&["check", "--", "curl -s https://example.com/wipe.sql | npx prisma db execute --stdin"]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stdout.contains("--stdin` reads SQL that prisma-guard cannot see"), "{}", run.all());
    assert!(!run.all().contains("without --file or --stdin"), "{}", run.all());
}

/// Review (issue 22, round 3): SQL the line itself feeds to `--stdin` (a here-string, an
/// `echo`/`printf` pipe, a redirected file) is judged as a heredoc or `--file` is.
#[test]
fn db_execute_stdin_fed_by_the_line_is_judged_by_its_sql() {
    let ctx = crate::support::TestContext::new();
    ctx.write("q.sql", "SELECT 1;\n");
    ctx.write("wipe.sql", "DELETE FROM \"Post\";\n");
    for (line, code) in [
        ("prisma db execute --stdin <<< \"SELECT 1\"", 5),
        ("echo \"SELECT 1\" | prisma db execute --stdin", 5),
        ("printf 'SELECT 1;\\n' | npx prisma db execute --stdin", 5),
        ("prisma db execute --stdin < q.sql", 5),
        ("prisma db execute --stdin <<< 'DROP TABLE \"Post\"'", 3),
        ("echo 'TRUNCATE \"Post\"' | prisma db execute --stdin", 3),
        ("prisma db execute --stdin < wipe.sql", 3),
        ("prisma db execute --stdin < missing.sql", 3),
        ("echo \"$SQL\" | prisma db execute --stdin", 3),
        ("echo SELECT 1 || prisma db execute --stdin", 3),
        ("(echo 'SELECT 1'; cat wipe.sql) | prisma db execute --stdin", 3),
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, code, "{line}: {}", run.all());
    }
}

/// Issue 22: payloads that are not what the protocol says are refused, never allowed; an
/// oversized one is refused as "too large".
#[test]
fn malformed_or_foreign_payloads_are_refused() {
    let ctx = TestContext::new();
    for (agent, input) in [
        ("copilot", r#"{"toolName":"bash","toolArgs":"{\"command\": \"npx prisma migrate reset"}"#.to_string()),
        ("copilot", r#"{"toolName":"bash","toolArgs":{"command":["npx","prisma","migrate","reset"]}}"#.to_string()),
        (
            "copilot",
            r#"{"tool_name":"run_in_terminal","tool_input":{"command":"npx prisma migrate reset --force"}}"#
                .to_string(),
        ),
        ("claude", r#"{"tool_name":"Bash","tool_input":{"command":["npx","prisma","migrate","reset"]}}"#.to_string()),
        // Review (issue 22, second round): a shell call that does not say what it runs.
        ("copilot", r#"{"toolName":"bash","cwd":"/tmp/m1"}"#.to_string()),
        ("claude", r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":null}}"#.to_string()),
    ] {
        let run = hook(&ctx, agent, &input);
        assert_eq!(decision(agent, &run).as_deref(), Some("deny"), "{agent}: {input}\n{}", run.all());
    }
    let big = format!(r#"{{"tool_name":"Bash","tool_input":{{"command":"echo {}"}}}}"#, "x".repeat(5 << 20));
    let run = hook(&ctx, "claude", &big);
    assert_eq!(decision("claude", &run).as_deref(), Some("deny"), "{}", &run.all()[..300.min(run.all().len())]);
    assert!(run.all().contains("too large"), "{}", &run.all()[..300.min(run.all().len())]);
}

/// Issue 22: lines that run a package's scripts from elsewhere are judged by what the package
/// manager would run there: `cd`, `--prefix`/`-C`, workspaces (`-w`, `--filter`, `-r`, `yarn
/// workspace`), root scripts forwarding with `-w`, pre/post scripts, `--silent`, run-s/run-p,
/// npm-run-all, concurrently, and script files.
#[test]
fn scripts_run_from_elsewhere_are_resolved_as_the_package_manager_does() {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        r#"{"name": "acme", "private": true, "workspaces": ["packages/*", "apps/*"], "scripts": {
  "reset": "npm run db:reset -w @acme/db",
  "pretest": "npm run db:reset --workspace=packages/db",
  "test": "vitest",
  "build": "turbo build",
  "all": "run-s build reset"
}}"#,
    );
    ctx.write(
        "packages/db/package.json",
        r#"{"name": "@acme/db", "scripts": {"db:reset": "prisma migrate reset --force", "build": "tsc", "db:push": "prisma db push", "postdb:seed": "prisma db push --accept-data-loss", "db:seed": "tsx seed.ts"}}"#,
    );
    ctx.write("apps/web/package.json", r#"{"name": "web", "scripts": {"dev": "next dev"}}"#);
    ctx.write("pnpm-workspace.yaml", "packages:\n  - 'packages/*'\n  - apps/*\n");
    ctx.write("scripts/reset.sh", "#!/bin/sh\nset -e\ncd packages/db\nnpx prisma migrate reset --force\n");
    ctx.write("scripts/wipe.sh", "#!/bin/sh\nnpm run reset\n");
    let destructive = [
        "cd packages/db && npm run db:reset",
        "(cd packages/db; pnpm db:reset)",
        "cd packages/db; npm run -s db:reset",
        "npm --prefix packages/db run db:reset",
        "npm -C packages/db run db:reset",
        "npm -w @acme/db run db:reset",
        "npm run db:reset --workspace=packages/db",
        "npm run db:reset -ws",
        "pnpm --filter @acme/db db:reset",
        "pnpm -F './packages/**' run db:reset",
        "pnpm -C packages/db db:reset",
        "pnpm -r db:reset",
        "yarn workspace @acme/db db:reset",
        "yarn workspaces foreach -A run db:reset",
        "npm run reset",
        "npm run --silent reset",
        "npm test",
        "npm run all",
        "npx run-p reset",
        "cd packages/db && npm-run-all --parallel 'db:*'",
        "concurrently -n x \"npm:reset\"",
        "sh scripts/reset.sh",
        "bash scripts/wipe.sh",
        "./scripts/reset.sh",
        "cd $PKG && npm run db:reset",
        "cd packages/db && npm run db:seed",
    ];
    let mut failures = Vec::new();
    for line in destructive {
        let run = ctx.run(&["check", "--", line]);
        if run.code != 3 {
            failures.push(format!("{line:?}: exit {} {}", run.code, run.all()));
        }
    }
    for line in [
        "cd packages/db && npm run build",
        "npm run build -w @acme/db",
        "cd apps/web && npm run dev",
        "sh scripts/missing.sh",
    ] {
        let run = ctx.run(&["check", "--", line]);
        if run.code != 0 {
            failures.push(format!("{line:?} should be allowed: exit {} {}", run.code, run.all()));
        }
    }
    let run = ctx.run(&["check", "--", "cd packages/db && npm run db:push"]);
    if run.code != 5 {
        failures.push(format!("db:push is a schema change: exit {} {}", run.code, run.all()));
    }
    // The reason names the script and its package.
    let run = ctx.run(&["check", "--", "npm -w @acme/db run db:reset"]);
    assert!(run.all().contains("packages/db"), "{}", run.all());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Issue 22: lines that switch the guard or the hooks off are refused through `check` and an
/// agent's hook: hiding the agent in front of a direct prisma entry point (the package's
/// JavaScript, the original link the shim keeps aside), git's option spellings of
/// --no-verify, `-c core.hooksPath`, GIT_CONFIG_* variables, hook managers' off switches, and
/// removing or restoring hook files (also with the agents' file-edit tools).
#[test]
fn every_way_to_switch_the_guard_or_the_hooks_off_is_refused() {
    let ctx = project();
    let cwd = ctx.root().to_str().unwrap().to_string();
    let lines = [
        "env -u CLAUDECODE node_modules/prisma/build/index.js migrate reset --force",
        "CLAUDECODE= node node_modules/prisma/build/index.js db push --force-reset",
        "env -i PATH=/usr/bin node_modules/.bin/.prisma-guard-original-prisma migrate status",
        "node_modules/.bin/.prisma-guard-original-prisma migrate reset --force",
        "git commit -nm wip",
        "git commit -anm wip",
        "git commit --no-veri -m wip",
        "git -C . --no-pager commit -n -m wip",
        "git -c core.hooksPath=/dev/null commit -m wip",
        "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/dev/null git commit -m wip",
        "HUSKY=0 git commit -m wip",
        "LEFTHOOK=0 git push",
        "LEFTHOOK_EXCLUDE=prisma-guard git commit -m wip",
        "SKIP=prisma-guard-scan git commit -m wip",
        "lefthook uninstall",
        "rm -rf .husky",
        "git rm -r .githooks",
        "git checkout HEAD -- .husky/pre-commit",
        ": > .githooks/pre-commit",
        "rm -rf .claude",
    ];
    let mut failures = Vec::new();
    for line in lines {
        let run = ctx.run(&["check", "--", line]);
        if run.code != 3 {
            failures.push(format!("check {line:?}: exit {} {}", run.code, run.all()));
        }
        let out = hook(&ctx, "claude", &payload("claude", line, &cwd).to_string());
        if decision("claude", &out).as_deref() != Some("deny") {
            failures.push(format!("claude {line:?}: {}", out.all()));
        }
    }
    for path in [".husky/pre-commit", ".githooks/pre-commit", "lefthook.yml", ".pre-commit-config.yaml"] {
        let edit = json!({"hook_event_name": "PreToolUse", "tool_name": "Write", "cwd": ctx.root(),
            "tool_input": {"file_path": ctx.path(path), "content": ""}});
        if decision("claude", &hook(&ctx, "claude", &edit.to_string())).as_deref() != Some("deny") {
            failures.push(format!("Write {path} was not refused"));
        }
    }
    for line in ["git commit -m 'fix n things'", "git push -n", "rm -rf node_modules dist", "HUSKY=1 git commit -m x"] {
        let run = ctx.run(&["check", "--", line]);
        if run.code != 0 {
            failures.push(format!("{line:?} should be allowed: exit {} {}", run.code, run.all()));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Issue 22: whatever folder core.hooksPath names is protected like `.githooks`, from shell
/// lines and from the agents' file-edit tools.
#[test]
fn the_folder_core_hooks_path_names_is_protected() {
    let ctx = project();
    ctx.git_init();
    ctx.git(&["config", "core.hooksPath", "tools/git-hooks"]);
    for line in
        ["rm tools/git-hooks/pre-commit", ": > tools/git-hooks/pre-push", "git checkout HEAD -- tools/git-hooks"]
    {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    let edit = json!({"hook_event_name": "PreToolUse", "tool_name": "Write", "cwd": ctx.root(),
        "tool_input": {"file_path": ctx.path("tools/git-hooks/pre-commit"), "content": ""}});
    assert_eq!(decision("claude", &hook(&ctx, "claude", &edit.to_string())).as_deref(), Some("deny"));
    assert_eq!(ctx.run(&["check", "--", "rm tools/other/file"]).code, 0);
}

/// Review findings (issue 16, fifth round): what an agent could run to get past the hook:
/// reinstalling without install scripts (the shim goes), shell text made at run time, a shell
/// reading its script from a pipe, inline interpreter code, xargs and find -exec, and deleting
/// the backups (rm, find -delete, git clean -x).
#[test]
fn hidden_and_shim_removing_lines_are_refused() {
    let ctx = project();
    for line in [
        "npm ci --ignore-scripts",
        "npm install --ignore-scripts",
        "npm_config_ignore_scripts=true npm ci",
        "sh -c \"$(printf 'PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION=yes npx prisma migrate reset --force')\"",
        "eval \"$(echo npx prisma migrate reset --force)\"",
        "echo 'npx prisma migrate reset --force' | base64 | base64 -d | sh",
        "python3 -c \"import os; os.system('npx prisma migrate reset --force')\"",
        "node -e \"require('child_process').execSync('npx prisma db push --force-reset')\"",
        "echo migrate reset --force | xargs npx prisma",
        "find . -maxdepth 0 -exec npx prisma migrate reset --force \\;",
        "rm -rf backups",
        "find backups -delete",
        "git clean -fdX",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    for line in
        ["npm ci", "sh -c 'npx prisma migrate status'", "python3 -c 'print(1)'", "git clean -fd", "echo $HOME | cat"]
    {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Issue 22 review: more spellings of hiding the agent, removing hooks, and running prisma
/// through other runners, each refused.
#[test]
fn more_spellings_of_switching_off_and_running_prisma_are_refused() {
    let ctx = project();
    ctx.write(".husky/pre-commit", "npm test\n");
    for line in [
        "env -- CLAUDECODE= node node_modules/prisma/build/index.js migrate reset --force",
        "env -iu CLAUDECODE npx prisma migrate reset --force",
        "env -vu CLAUDECODE npx prisma migrate status",
        "env -S \"-u CLAUDECODE npx prisma migrate dev\"",
        "export CLAUDECODE=",
        "export -n CLAUDECODE; npx prisma migrate dev",
        "npx lefthook uninstall",
        "pnpm exec lefthook uninstall",
        "python3 -m pre_commit uninstall",
        "cd .husky && rm pre-commit",
        "cd .git && rm -rf hooks",
        "pushd .claude && rm settings.json",
        "rm -rf .hus*",
        "rm -r .git/h*",
        "find .git/hooks -delete",
        "perl -pi -e 's/.*//' .git/hooks/pre-commit",
        "git config alias.ci 'commit --no-verify' && git ci -m x",
        "git -c alias.c='commit --no-verify' c -m x",
        "rm $(which prisma-guard)",
        "npm exec -c 'prisma migrate reset --force'",
        "bash <<< 'npx prisma migrate reset --force'",
        "setsid npx prisma migrate reset --force",
        "script -qc 'npx prisma migrate reset --force' /dev/null",
        "su app -c 'npx prisma migrate reset --force'",
        "busybox sh -c 'npx prisma migrate reset --force'",
        "corepack pnpm exec prisma migrate reset --force",
        "node --run db:reset",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    for line in ["git commit -m -n", "git commit -m \"-n\"", "rm $(mktemp)", "setsid npx prisma migrate status"] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Issue 22 review: pnpm reads scripts from package.yaml too.
#[test]
fn scripts_in_a_pnpm_package_yaml_are_judged() {
    let ctx = TestContext::new();
    ctx.write("package.yaml", "name: app\nscripts:\n  reset: prisma migrate reset --force\n  dev: 'next dev'\n");
    assert_eq!(ctx.run(&["check", "--", "pnpm reset"]).code, 3);
    assert_eq!(ctx.run(&["check", "--", "pnpm dev"]).code, 0);
}

/// Review (issue 22, second round): husky pointed elsewhere or re-initialised, git's
/// configuration and husky's init script written directly (also with the agents' file-edit
/// tools), and git or prisma-guard arguments only known when the line runs, each refused;
/// what husky would re-install as it is, and a message that reads `--no-verify`, pass.
#[test]
fn husky_git_config_and_run_time_arguments_cannot_switch_the_hooks_off() {
    let ctx = project();
    ctx.git_init();
    ctx.write(".husky/pre-commit", "npm test\n");
    ctx.write("package.json", r#"{"scripts": {"prepare": "husky", "prepare-other": "husky other"}}"#);
    let cwd = ctx.root().to_str().unwrap().to_string();
    let mut failures = Vec::new();
    for line in [
        "npx husky init",
        "npx husky other",
        "npm exec husky -- x",
        "node node_modules/husky/bin.js x",
        "npm run prepare-other",
        "printf '[core]\\n\\thooksPath = /tmp\\n' >> .git/config",
        "cp /tmp/evil.cfg .git/config",
        "git config --global include.path /tmp/evil.cfg",
        "git -c include.path=/tmp/evil.cfg commit -m x",
        "echo '[core] hooksPath=/tmp' >> ~/.gitconfig",
        "mkdir -p ~/.config/husky && echo 'exit 0' > ~/.config/husky/init.sh",
        "python3 -c \"open('.husky/pre-commit','w').write('')\"",
        "node -e \"require('fs').writeFileSync('.husky/pre-commit','')\"",
        "rsync -a --delete /tmp/empty/ .husky/",
        "X=--no-verify; git commit $X -qam bypass",
        "git commit $NV -m x",
        "git -c core.hooks$(echo)Path=/x commit -m x",
        "prisma-guard scan --baseline $(echo write)",
        "prisma-guard scan --baseline \"$M\"",
    ] {
        let run = ctx.run(&["check", "--", line]);
        if run.code != 3 {
            failures.push(format!("check {line:?}: exit {} {}", run.code, run.all()));
        }
        let out = hook(&ctx, "claude", &payload("claude", line, &cwd).to_string());
        if decision("claude", &out).as_deref() != Some("deny") {
            failures.push(format!("claude {line:?}: {}", out.all()));
        }
    }
    let home = ctx.env_var("HOME");
    for path in [
        ctx.path(".git/config").display().to_string(),
        format!("{home}/.gitconfig"),
        format!("{home}/.config/husky/init.sh"),
        "/root/.gitconfig".to_string(),
    ] {
        let edit = json!({"hook_event_name": "PreToolUse", "tool_name": "Write", "cwd": ctx.root(),
            "tool_input": {"file_path": path, "content": "[core]\n\thooksPath = /tmp\n"}});
        if decision("claude", &hook(&ctx, "claude", &edit.to_string())).as_deref() != Some("deny") {
            failures.push(format!("Write {path} was not refused"));
        }
    }
    for line in [
        "npx husky",
        "npm run prepare",
        "git commit -m --no-verify",
        "git commit -m \"$(cat <<'EOF'\nfix: the thing\nEOF\n)\"",
        "git config user.name \"$NAME\"",
        "cat .git/config",
    ] {
        let run = ctx.run(&["check", "--", line]);
        if run.code != 0 {
            failures.push(format!("{line:?} should be allowed: exit {} {}", run.code, run.all()));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Review (issue 22, round 7): with prisma-guard's hooks in `.git/hooks`, `npx husky` points
/// core.hooksPath at `.husky/_` and the next commit passes unscanned; lefthook told to read
/// another config skips its scan the same way. Both refused as the other off switches are.
#[test]
fn husky_moving_the_hooks_and_lefthook_config_are_off_switches() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.run(&["hooks", "install"]).ok();
    ctx.write("package.json", r#"{"scripts": {"prepare": "husky"}}"#);
    for line in [
        "npx husky",
        "npx husky install",
        "npm run prepare",
        "LEFTHOOK_CONFIG=/tmp/empty.yml git commit -m d",
        "export LEFTHOOK_CONFIG=/tmp/empty.yml",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    for line in ["git status", "npm test", "LEFTHOOK_VERBOSE=1 git commit -m x", "npx husky add x"] {
        assert_eq!(ctx.run(&["check", "--", line]).code, 0, "{line}");
    }
    // Where husky's folder already runs the hooks, re-installing it changes nothing.
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.run(&["hooks", "install"]).ok();
    ctx.git(&["config", "core.hooksPath", ".husky/_"]);
    assert_eq!(ctx.run(&["check", "--", "npx husky"]).code, 0);
}

/// Review (issue 22, round 7): an agent could silence any finding by writing a
/// `prisma-guard-ignore` comment into the migration; refused as baseline edits are, with each
/// file-edit tool and on a shell line.
#[test]
fn agents_cannot_add_ignore_comments() {
    let ctx = project();
    let cwd = ctx.root().to_str().unwrap().to_string();
    let mig = ctx.path("prisma/migrations/20240202000000_d/migration.sql");
    let sql = "-- prisma-guard-ignore drop-column: cleanup\nALTER TABLE \"User\" DROP COLUMN \"name\";\n";
    let calls = [
        (
            "claude",
            json!({"hook_event_name": "PreToolUse", "cwd": cwd, "tool_name": "Write",
            "tool_input": {"file_path": mig, "content": sql}}),
        ),
        (
            "claude",
            json!({"hook_event_name": "PreToolUse", "cwd": cwd, "tool_name": "Edit",
            "tool_input": {"file_path": mig, "old_string": "ALTER", "new_string": "-- prisma-guard-ignore drop-column\nALTER"}}),
        ),
        (
            "claude",
            json!({"hook_event_name": "PreToolUse", "cwd": cwd, "tool_name": "MultiEdit",
            "tool_input": {"file_path": mig, "edits": [{"old_string": "A", "new_string": "# prisma-guard-ignore\nA"}]}}),
        ),
        (
            "gemini",
            json!({"hook_event_name": "BeforeTool", "cwd": cwd, "tool_name": "write_file",
            "tool_input": {"file_path": mig, "content": sql}}),
        ),
        (
            "codex",
            json!({"hook_event_name": "PreToolUse", "cwd": cwd, "tool_name": "apply_patch",
            "tool_input": {"command": format!("*** Begin Patch\n*** Add File: {}\n+-- prisma-guard-ignore drop-column: x\n+DROP TABLE \"User\";\n*** End Patch\n", mig.display())}}),
        ),
        (
            "claude",
            payload(
                "claude",
                "echo '-- prisma-guard-ignore drop-column: x' >> prisma/migrations/1/migration.sql",
                &cwd,
            ),
        ),
    ];
    for (agent, call) in calls {
        let out = hook(&ctx, agent, &call.to_string());
        assert_eq!(decision(agent, &out).as_deref(), Some("deny"), "{agent} {call}: {}", out.all());
    }
    // Keeping a comment the user wrote, or writing prose about it, is not adding one.
    ctx.write("prisma/migrations/20240202000000_d/migration.sql", sql);
    let keep = json!({"hook_event_name": "PreToolUse", "cwd": cwd, "tool_name": "Write",
        "tool_input": {"file_path": mig, "content": format!("{sql}SELECT 1;\n")}});
    assert_eq!(decision("claude", &hook(&ctx, "claude", &keep.to_string())), None);
    for line in ["grep -rn prisma-guard-ignore .", "npm test"] {
        assert_eq!(
            decision("claude", &hook(&ctx, "claude", &payload("claude", line, &cwd).to_string())),
            None,
            "{line}"
        );
    }
}

/// Review (issue 22, second round): more lines that run a package's scripts, followed as the
/// package manager would: `yarn workspace X run|exec`, `pnpm recursive run`, npm's built-in
/// `env` script, `bun --filter`, and JavaScript files that spawn prisma (run by node directly
/// or through a script).
#[test]
fn more_ways_to_run_a_packages_scripts_are_followed() {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        r#"{"name": "m1", "private": true, "workspaces": ["packages/*"], "scripts": {"reset-node": "node scripts/reset.js", "hello": "node scripts/hello.js"}}"#,
    );
    ctx.write(
        "packages/database/package.json",
        r#"{"name": "@m1/database", "scripts": {"db:reset": "prisma migrate reset --force"}}"#,
    );
    ctx.write(
        "scripts/reset.js",
        "const { execSync } = require(\"child_process\");\nexecSync(\"npx prisma migrate reset --force\", { stdio: \"inherit\" });\n",
    );
    ctx.write("scripts/hello.js", "console.log('hello');\n");
    let mut failures = Vec::new();
    for line in [
        "yarn workspace @m1/database run db:reset",
        "yarn workspace @m1/database exec prisma migrate reset --force",
        "yarn workspace @m1/database run prisma migrate reset --force",
        "pnpm recursive run db:reset",
        "npm run env -- prisma migrate reset --force",
        "bun --filter '*' run db:reset",
        "node scripts/reset.js",
        "npm run reset-node",
    ] {
        let run = ctx.run(&["check", "--", line]);
        if run.code != 3 {
            failures.push(format!("check {line:?}: exit {} {}", run.code, run.all()));
        }
    }
    for line in ["node scripts/hello.js", "npm run hello", "npm run env", "yarn workspace @m1/database run build"] {
        let run = ctx.run(&["check", "--", line]);
        if run.code != 0 {
            failures.push(format!("{line:?} should be allowed: exit {} {}", run.code, run.all()));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Review (issue 22, round 10, D3): moving the working tree to a commit from before the hooks
/// were committed takes them away as `git reset --hard` to it does: `git switch`, `git
/// checkout` (with or without a new branch), `git rebase --onto`, `git read-tree -u -m`.
/// Switching between commits that hold the same hooks stays allowed.
#[test]
fn moving_to_a_commit_without_the_hooks_is_refused() {
    let ctx = crate::support::TestContext::new();
    ctx.git_init();
    ctx.write("src/app.ts", "x\n");
    ctx.commit_files(&["src/app.ts"]);
    let before = ctx.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    ctx.write(".husky/pre-commit", "prisma-guard scan --staged # prisma-guard\n");
    ctx.commit_files(&[".husky/pre-commit"]);
    ctx.git(&["branch", "feature"]);
    for line in [
        format!("git switch -c x {before}"),
        format!("git switch --detach {before}"),
        format!("git checkout {before}"),
        format!("git checkout -b x {before}"),
        format!("git rebase --onto {before} HEAD"),
        format!("git read-tree -u -m {before}"),
        format!("git reset --hard {before}"),
    ] {
        let run = ctx.run(&["check", "--", &line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
        assert!(run.all().contains(".husky"), "{line}: {}", run.all());
    }
    for line in [
        "git switch feature",
        "git checkout -b y",
        "git switch -c z HEAD",
        "git checkout feature",
        "git checkout src/app.ts",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Review (issue 22, round 3): lines that switch the hooks off through the repository's own
/// state: a git alias for commit (the user's or the repository's; `!` aliases are shell), a
/// `git reset --hard` or `git stash` that takes back uncommitted hook edits, and removing the
/// node_modules lefthook's hook needs.
#[test]
fn aliases_uncommitted_hook_edits_and_node_modules_are_judged_from_the_repository() {
    let ctx = crate::support::TestContext::new();
    ctx.git_init();
    ctx.write(".husky/pre-commit", "npm test\n");
    ctx.write("src/app.ts", "x\n");
    ctx.write(".gitignore", "home/\n");
    ctx.commit_files(&[".husky/pre-commit", "src/app.ts", ".gitignore"]);
    let code = |line: &str| ctx.run(&["check", "--", line]).code;
    // Aliases.
    ctx.git(&["config", "--global", "alias.ci", "commit"]);
    ctx.git(&["config", "alias.cm", "commit -m"]);
    ctx.git(&["config", "alias.yolo", "!git commit --no-verify"]);
    ctx.git(&["config", "alias.st", "status"]);
    for line in ["git ci --no-verify -m x", "git ci -nm x", "git cm x -n", "git -C . ci -n -m x", "git yolo -m x"] {
        assert_eq!(code(line), 3, "{line}");
    }
    for line in ["git ci -m x", "git cm x", "git st", "git yolo-not-an-alias -n"] {
        assert_eq!(code(line), 0, "{line}");
    }
    // Uncommitted hook edits: only then do reset --hard and stash switch the hook off.
    for line in ["git reset --hard", "git stash", "git stash push", "git stash -u", "git checkout -f main"] {
        assert_eq!(code(line), 0, "nothing to take back: {line}");
    }
    ctx.write("src/app.ts", "y\n");
    assert_eq!(code("git reset --hard"), 0, "only app code changed");
    ctx.write(".husky/pre-commit", "npm test\nprisma-guard scan --staged # prisma-guard\n");
    for line in [
        "git reset --hard",
        "git reset --hard HEAD",
        "git stash",
        "git stash push",
        "git stash -u",
        "git stash push -m wip",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
        assert!(run.all().contains(".husky/pre-commit"), "{}", run.all());
    }
    for line in ["git stash list", "git stash push -- src", "git reset --soft HEAD~1", "git clean -fd"] {
        assert_eq!(code(line), 0, "{line}");
    }
    ctx.git(&["checkout", "--", ".husky/pre-commit"]);
    ctx.write(".husky/pre-push", "prisma-guard scan --pre-push # prisma-guard\n");
    assert_eq!(code("git stash"), 0, "an untracked file stays");
    assert_eq!(code("git stash -u"), 3);
    assert_eq!(code("git clean -fd"), 3);
    assert_eq!(code("git clean -n"), 0);

    // node_modules holding the lefthook its hook runs.
    let deps = crate::guard::node_deps();
    let ctx = crate::support::TestContext::new();
    ctx.git_init();
    ctx.write("lefthook.yml", "pre-commit:\n  commands:\n    prisma-guard:\n      run: prisma-guard scan --staged\n");
    std::os::unix::fs::symlink(&deps, ctx.path("node_modules")).unwrap();
    let code = |line: &str| ctx.run(&["check", "--", line]).code;
    assert_eq!(code("rm -rf node_modules"), 0, "lefthook has not installed a hook yet");
    let lefthook = std::process::Command::new(deps.join(".bin/lefthook"))
        .arg("install")
        .current_dir(ctx.root())
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(lefthook.status.success(), "{}", String::from_utf8_lossy(&lefthook.stderr));
    for line in [
        "rm -rf node_modules",
        "rm -rf ./node_modules/",
        "npx rimraf node_modules",
        "mv node_modules /tmp/x",
        "rm -rf node_modules/lefthook-linux-x64",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    for line in ["npm ci", "npm install", "rm -rf node_modules/.cache", "rm -rf dist"] {
        assert_eq!(code(line), 0, "{line}");
    }
    // Elsewhere (a husky project): node_modules is not where the hooks run from.
    let ctx = crate::support::TestContext::new();
    ctx.git_init();
    ctx.write(".husky/pre-commit", "npm test\n");
    assert_eq!(ctx.run(&["check", "--", "rm -rf node_modules"]).code, 0);
}

/// Review (issue 22, round 3): turbo runs each task as the package script of that name in
/// the workspace packages its filters pick; a root script that calls turbo is followed there.
/// Review (issue 22, round 7): turbo runs what turbo.json's `dependsOn` and `with` name
/// before or beside a task (`^build`, `db:reset`, `pkg#task`, a package's own turbo.json):
/// `turbo run build` ran `db:reset` and was allowed.
#[test]
fn turbo_json_depends_on_and_with_are_followed() {
    let ctx = TestContext::new();
    ctx.write("package.json", r#"{"name": "acme", "private": true, "workspaces": ["packages/*", "apps/*"]}"#);
    ctx.write(
        "packages/db/package.json",
        r#"{"name": "@acme/db", "scripts": {"db:reset": "prisma migrate reset --force", "build": "tsc", "wipe": "prisma db push --force-reset"}}"#,
    );
    ctx.write(
        "apps/web/package.json",
        r#"{"name": "web", "scripts": {"build": "next build", "dev": "next dev", "lint": "eslint ."}}"#,
    );
    let cases = [
        r#"{"tasks": {"build": {"dependsOn": ["^build", "db:reset"]}}}"#,
        r#"{"tasks": {"build": {"dependsOn": ["@acme/db#wipe"]}}}"#,
        r#"{"tasks": {"dev": {"with": ["@acme/db#db:reset"]}, "build": {}}}"#,
        r#"{"pipeline": {"web#build": {"dependsOn": ["^build", "@acme/db#db:reset"]}}}"#,
    ];
    for (i, turbo) in cases.iter().enumerate() {
        ctx.write("turbo.json", turbo);
        let line = if i == 2 { "turbo run dev" } else { "turbo run build" };
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{turbo}: {}", run.all());
    }
    // A package's own turbo.json (`extends: ["//"]`).
    ctx.write("turbo.json", r#"{"tasks": {"build": {"dependsOn": ["^build"]}, "lint": {}}}"#);
    assert_eq!(ctx.run(&["check", "--", "turbo run lint"]).code, 0);
    assert_eq!(ctx.run(&["check", "--", "turbo run build --filter=web"]).code, 0);
    ctx.write("apps/web/turbo.json", r#"{"extends": ["//"], "tasks": {"lint": {"dependsOn": ["@acme/db#wipe"]}}}"#);
    let run = ctx.run(&["check", "--", "turbo run lint --filter=web"]);
    assert_eq!(run.code, 3, "{}", run.all());
    // Dependencies that only build pass.
    std::fs::remove_file(ctx.path("apps/web/turbo.json")).unwrap();
    for line in ["turbo run build --filter=web", "turbo run lint", "npx turbo build --filter=web"] {
        assert_eq!(ctx.run(&["check", "--", line]).code, 0, "{line}");
    }
}

#[test]
fn turbo_tasks_are_judged_by_the_workspace_scripts_they_run() {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        r#"{"name": "acme", "private": true, "workspaces": ["packages/*", "apps/*"], "scripts": {"clean": "turbo run reset", "build": "turbo build", "lint": "turbo lint --filter=web"}}"#,
    );
    ctx.write(
        "packages/db/package.json",
        r#"{"name": "@acme/db", "scripts": {"reset": "prisma migrate reset --force", "build": "tsc"}}"#,
    );
    ctx.write("apps/web/package.json", r#"{"name": "web", "scripts": {"reset": "rm -rf .next", "lint": "eslint ."}}"#);
    for line in [
        "npm run clean",
        "turbo run reset",
        "turbo reset",
        "npx turbo reset --filter=@acme/db",
        "pnpm turbo run reset -F @acme/db",
        "turbo run build reset",
        "turbo run reset --filter=./packages/db",
        "turbo run reset --filter=@acme/db...",
        "turbo run @acme/db#reset",
        "turbo run reset --filter='[HEAD^1]'",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    for line in ["npm run build", "turbo build", "npm run lint", "turbo run reset --filter=web", "turbo prune @acme/db"]
    {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Review (issue 22, round 4): Prisma's own entry point reached by `cd` and `node .` behind
/// `env -u CLAUDECODE`, or through `yarn node`, is refused; so is a schema change on a line
/// that never reaches the shim (which is what takes the backup): the agent gets "deny", not
/// "no decision".
#[test]
fn direct_entry_points_and_schema_changes_past_the_shim_are_refused() {
    let ctx = project();
    ctx.write("node_modules/prisma/package.json", r#"{"name": "prisma", "main": "build/index.js"}"#);
    ctx.write("node_modules/prisma/build/index.js", "// the Prisma CLI\n");
    let cwd = ctx.root().to_str().unwrap().to_string();
    for line in [
        "cd node_modules/prisma/build && env -u CLAUDECODE DATABASE_URL=file:/abs/dev.db node . migrate reset --force --config ../../../prisma.config.ts",
        "cd node_modules/prisma && env -u CLAUDECODE node . migrate reset --force",
        "env -u CLAUDECODE yarn node node_modules/prisma/build/index.js migrate reset --force",
        "node node_modules/prisma/build/index.js migrate deploy",
        "node_modules/.bin/.prisma-guard-original-prisma migrate deploy",
        "npx prisma@7.10.1 migrate deploy",
        "pnpm dlx prisma db push",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
        let out = hook(&ctx, "claude", &payload("claude", line, &cwd).to_string());
        assert_eq!(decision("claude", &out).as_deref(), Some("deny"), "{line}: {}", out.all());
    }
    let run = ctx.run(&["check", "--", "node node_modules/prisma/build/index.js migrate deploy"]);
    assert!(run.stdout.contains("no backup"), "{}", run.all());
    // Through the shim, a schema change is still left to it.
    assert_eq!(ctx.run(&["check", "--", "npx prisma migrate deploy"]).code, 5);
}

/// Review (issue 22, round 4): an install runs the package's lifecycle scripts (preinstall,
/// install, postinstall, prepare, with their pre and post scripts), and at a workspace root
/// the workspace packages' too: a destructive one makes the install destructive.
#[test]
fn installs_are_judged_by_the_lifecycle_scripts_they_run() {
    let ctx = TestContext::new();
    for (script, body) in
        [("postinstall", "prisma db push --accept-data-loss"), ("prepare", "prisma migrate reset --force")]
    {
        ctx.write("package.json", &format!("{{\"name\": \"app\", \"scripts\": {{\"{script}\": \"{body}\"}}}}"));
        for line in
            ["npm install", "npm i", "npm ci", "pnpm install", "yarn", "yarn install", "npm rebuild", "bun install"]
        {
            let run = ctx.run(&["check", "--", line]);
            assert_eq!(run.code, 3, "{script} {line}: {}", run.all());
            assert!(run.stdout.contains(script), "{line}: {}", run.all());
        }
    }
    // A workspace package's lifecycle script runs in an install at the root.
    ctx.write("package.json", r#"{"name": "mono", "private": true, "workspaces": ["packages/*"]}"#);
    ctx.write(
        "packages/db/package.json",
        r#"{"name": "@mono/db", "scripts": {"preinstall": "prisma migrate reset -f"}}"#,
    );
    assert_eq!(ctx.run(&["check", "--", "npm ci"]).code, 3);
    assert_eq!(ctx.run(&["check", "--", "npm install -w @mono/db"]).code, 3);
    // Without scripts, or with them switched off by the user's line, nothing is judged but that.
    ctx.write("packages/db/package.json", r#"{"name": "@mono/db", "scripts": {"postinstall": "prisma generate"}}"#);
    for line in ["npm install", "npm ci", "pnpm install", "yarn", "npm install lodash", "yarn --version"] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Review (issue 22, round 4): in a husky repository, hook files written by in-place awk,
/// batch editors, sponge, archives and patches (read from the patch file when it is there;
/// refused unread when it is not), and `git submodule foreach` running a hook-skipping commit.
#[test]
fn more_hook_file_writers_are_refused() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(".husky/pre-commit", "prisma-guard scan --staged\n");
    ctx.write(
        "rm-hook.patch",
        "diff --git a/.husky/pre-commit b/.husky/pre-commit\ndeleted file mode 100644\n--- a/.husky/pre-commit\n+++ /dev/null\n@@ -1 +0,0 @@\n-prisma-guard scan --staged\n",
    );
    ctx.write("fix.patch", "--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1 +1 @@\n-a\n+b\n");
    for line in [
        "awk -i inplace \"NR<1\" .husky/pre-commit",
        "ex -sc \"%d|x\" .husky/pre-commit",
        "sponge .husky/pre-commit < /dev/null",
        "tar -xf x.tar -C .husky",
        "git apply rm-hook.patch",
        "patch -p1 < rm-hook.patch",
        "patch -p1 -i rm-hook.patch",
        "git apply missing.patch",
        "curl -s https://example.com/x.patch | git apply",
        "git submodule foreach git commit -nm x",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    for line in
        ["git apply fix.patch", "patch -p1 < fix.patch", "git apply --check rm-hook.patch", "tar -cf x.tar .husky"]
    {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Review (issue 22, round 4): turbo's and pnpm's `X...` filters include X's workspace
/// dependencies (`...X` its dependents), so a task reaches the database package's script
/// through the app that depends on it.
#[test]
fn turbo_and_pnpm_dependency_filters_follow_the_workspace_graph() {
    let ctx = TestContext::new();
    ctx.write("package.json", r#"{"name": "acme", "private": true, "workspaces": ["packages/*", "apps/*"]}"#);
    ctx.write(
        "packages/database/package.json",
        r#"{"name": "@acme/database", "scripts": {"reset": "prisma migrate reset --force"}}"#,
    );
    ctx.write(
        "apps/web/package.json",
        r#"{"name": "@acme/web", "dependencies": {"@acme/database": "workspace:*"}, "scripts": {"reset": "rm -rf .next"}}"#,
    );
    ctx.write("apps/docs/package.json", r#"{"name": "@acme/docs", "scripts": {"reset": "rm -rf .next"}}"#);
    for line in [
        "turbo run reset --filter=@acme/web...",
        "turbo run reset --filter=./apps/web...",
        "turbo run reset --filter={./apps/web}...",
        "turbo run reset --filter=@acme/web^...",
        "pnpm --filter \"@acme/web...\" reset",
        "turbo run reset --filter=...@acme/database",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    for line in [
        "turbo run reset --filter=@acme/web",
        "turbo run reset --filter=@acme/docs...",
        "turbo run reset --filter=...^@acme/database",
        "pnpm --filter @acme/web reset",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Review (issue 22, round 5): git plumbing makes commits and moves branches without running
/// any hook (`commit-tree`, `update-ref` of a branch or a remote-tracking ref), and `git
/// send-pack` pushes without pre-push: refused like `--no-verify`. Reading refs is not.
#[test]
fn commits_and_pushes_through_git_plumbing_are_refused() {
    let ctx = TestContext::new();
    ctx.git_init();
    for line in [
        "git commit-tree $(git write-tree) -p HEAD -m drop",
        "C=$(git commit-tree $(git write-tree) -p HEAD -m drop); git update-ref refs/heads/main $C",
        "git update-ref refs/heads/main HEAD~0",
        "git update-ref refs/remotes/origin/x HEAD",
        "git -C . update-ref --stdin < refs.txt",
        "git send-pack /tmp/remote.git main",
        "git send-pack --all origin",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    for line in ["git write-tree", "git show-ref", "git rev-parse HEAD", "git update-ref refs/tags/v1 HEAD"] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Review (issue 22, round 5): lefthook's generated hook runs "$LEFTHOOK_BIN", so
/// `LEFTHOOK_BIN=/bin/true git commit` skips its hooks; `yq -i` edits lefthook.yml in place
/// as `sed -i` does. Both refused; `yq` reading the file is not.
#[test]
fn lefthook_bin_and_in_place_yq_are_refused() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write("lefthook.yml", "pre-commit:\n  commands:\n    prisma-guard:\n      run: prisma-guard scan --staged\n");
    for line in [
        "LEFTHOOK_BIN=/bin/true git commit -m x",
        "export LEFTHOOK_BIN=true",
        "yq -i 'del(.pre-commit)' lefthook.yml",
        "yq --inplace 'del(.pre-commit)' lefthook.yml",
        "yq e -i 'del(.pre-commit)' .pre-commit-config.yaml",
        "dasel put -f lefthook.yml -r yaml -t string -v x 'pre-commit.commands.prisma-guard.run'",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
    }
    for line in ["yq '.pre-commit' lefthook.yml", "yq -i '.a = 1' config.yml"] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.all());
    }
}

/// Review (issue 22, round 5): Codex edits files with `apply_patch` (its own tool call, or a
/// shell line feeding it a patch): a patch that deletes, rewrites, adds or moves onto a hook
/// file is refused like the other agents' edit tools; one that edits source is not.
#[test]
fn codex_apply_patch_of_a_hook_file_is_refused() {
    let ctx = TestContext::new();
    ctx.git_init();
    ctx.write(".husky/pre-commit", "prisma-guard scan --staged\n");
    let cwd = ctx.root().display().to_string();
    let patches = [
        "*** Begin Patch\n*** Delete File: .husky/pre-commit\n*** End Patch\n",
        "*** Begin Patch\n*** Update File: .husky/pre-commit\n@@\n-prisma-guard scan --staged\n+true\n*** End Patch\n",
        "*** Begin Patch\n*** Add File: .git/hooks/pre-push\n+exit 0\n*** End Patch\n",
        "*** Begin Patch\n*** Update File: notes.txt\n*** Move to: .claude/settings.json\n@@\n-a\n+{}\n*** End Patch\n",
    ];
    for patch in patches {
        let line = format!("apply_patch <<'EOF'\n{patch}EOF");
        let out = hook(&ctx, "codex", &payload("codex", &line, &cwd).to_string());
        assert_eq!(decision("codex", &out).as_deref(), Some("deny"), "shell {patch}: {}", out.all());
        let run = ctx.run(&["check", "--", &line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
        let tool = json!({"session_id": "s1", "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "apply_patch",
            "tool_input": {"command": patch}, "tool_use_id": "call_2"});
        let out = hook(&ctx, "codex", &tool.to_string());
        assert_eq!(decision("codex", &out).as_deref(), Some("deny"), "tool {patch}: {}", out.all());
    }
    let fine = "*** Begin Patch\n*** Update File: src/app.ts\n@@\n-a\n+b\n*** End Patch\n";
    let out = hook(&ctx, "codex", &payload("codex", &format!("apply_patch <<'EOF'\n{fine}EOF"), &cwd).to_string());
    assert_eq!(decision("codex", &out), None, "{}", out.all());
    let tool = json!({"cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "apply_patch", "tool_input": {"command": fine}});
    assert_eq!(decision("codex", &hook(&ctx, "codex", &tool.to_string())), None);
}

/// Each line of `table` through `check` (its verdict, and a class and a safe alternative for a
/// refusal) and through every agent's hook (deny exactly where `check` refuses): what differs.
pub(crate) fn allow_deny_failures(ctx: &TestContext, table: &[(&str, V)]) -> Vec<String> {
    let cwd = ctx.root().to_str().expect("utf-8 path").to_string();
    let mut failures = Vec::new();
    for (line, want) in table {
        let run = ctx.run(&["check", "--", line]);
        let got = match run.code {
            0 => V::Allow,
            3 => V::Destructive,
            c => panic!("check exit {c} for {line:?}: {}", run.all()),
        };
        if got != *want {
            failures.push(format!("check {line:?}: want {want:?}, got {got:?}: {}", run.stdout.trim()));
            continue;
        }
        if got != V::Allow && !(run.stdout.contains("  class: ") && run.stdout.contains("  instead: ")) {
            failures.push(format!("check {line:?}: no class or alternative: {}", run.stdout));
        }
        for agent in ["claude", "codex", "cursor", "gemini", "copilot"] {
            let out = hook(ctx, agent, &payload(agent, line, &cwd).to_string());
            let d = decision(agent, &out);
            let expected = (*want == V::Destructive).then(|| "deny".to_string());
            if d != expected {
                failures.push(format!("{agent} {line:?}: want {expected:?}, got {d:?}: {}", out.all()));
            }
        }
    }
    failures
}
