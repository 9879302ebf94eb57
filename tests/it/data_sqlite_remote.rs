//! Data-loss lines that `check` and the agent hooks refuse in a SQLite project whose database and
//! backups git ignores, with an off-site `[[remote]]`: the guard's own binary replaced at a
//! looked-up path, `git add -f` then a discard, pathspec magic, other object-store spellings,
//! sqlite `file:` URIs, triggers, other migration tools, the tripwire switched off, WHERE clauses
//! every row passes.

use crate::agents::{decision, hook, payload, V};
use crate::support::TestContext;

use V::{Allow as A, Destructive as D};

const TABLE: &[(&str, V)] = &[
    // Finding 1: prisma-guard replaced at the path a lookup gives.
    ("cp /bin/true \"$(command -v prisma-guard)\"", D),
    ("cp /bin/true $(which prisma-guard)", D),
    ("install -m755 /bin/true \"$(command -v prisma-guard)\"", D),
    ("cp \"$(command -v prisma-guard)\" /tmp/pg-copy", A),
    // Finding 9: git over the ignored database and backups.
    ("git add -Af && git reset --hard", D),
    ("git add -f prisma/dev.db && git stash", D),
    ("git add -f backups && git reset --hard", D),
    ("git add -A && git commit -m wip", A),
    // Finding 10: the off-site copies.
    ("aws --profile backup s3 rm --recursive s3://some-bucket/prefix", D),
    ("aws s3 --region x rm --recursive s3://some-bucket/prefix", D),
    ("s5cmd rm \"s3://some-bucket/prefix/*\"", D),
    ("s4cmd del -r s3://some-bucket/prefix", D),
    ("aws s3 cp /dev/null s3://some-bucket/prefix/20260101T000000Z-a1b2c3.db.zst", D),
    ("rclone copyto /dev/null remote:some-bucket/prefix/x", D),
    ("mc pipe local/some-bucket/prefix/x", D),
    ("aws --profile backup s3 ls s3://some-bucket/prefix/", A),
    // Finding 11: sqlite URIs and triggers.
    ("sqlite3 file:prisma/dev.db 'DROP TABLE User'", D),
    ("sqlite3 'file:prisma/dev.db?mode=rw' 'DROP TABLE User'", D),
    ("sqlite3 prisma/dev.db 'CREATE TRIGGER t AFTER INSERT ON Post BEGIN DELETE FROM User; END'", D),
    ("sqlite3 file:prisma/dev.db 'SELECT count(*) FROM User'", A),
    // Finding 15: the tripwire switched off, its key read broadly.
    ("psql -c 'ALTER DATABASE shop SET event_triggers = off'", D),
    ("PGOPTIONS='-c event_triggers=off' node app.js", D),
    ("psql -c 'ALTER ROLE app SUPERUSER'", D),
    ("psql -c 'DELETE FROM pg_catalog.pg_class WHERE relname = $$User$$'", D),
    ("grep -r . ~/.local", D),
    ("tar czf /tmp/k.tgz ~/.local", D),
    ("cat ~/.local/share/p*/t*/*", D),
    ("ls ~/.local/share", A),
    // Finding 16: other migration tools and clients.
    ("mysqlsh --sql -e 'DROP DATABASE shop'", D),
    ("migrate -database postgres://x -path db drop -f", D),
    ("goose reset", D),
    ("npx node-pg-migrate down 999", D),
    ("npx db-migrate reset", D),
    ("sqitch revert -y", D),
    ("pg_resetwal -f pgdata2", D),
    ("turso db destroy mydb --yes", D),
    ("goose up", A),
    // Finding 19: WHERE clauses every row passes.
    ("sqlite3 prisma/dev.db 'DELETE FROM User WHERE id > -1'", D),
    ("sqlite3 prisma/dev.db 'DELETE FROM User WHERE id IN (SELECT id FROM User WHERE 1=1)'", D),
    ("psql -c 'DELETE FROM \"User\" WHERE coalesce(id, 0) >= 0'", D),
    ("sqlite3 prisma/dev.db 'DELETE FROM User WHERE id = 3'", A),
];

/// The project: SQLite database and backups ignored by git, an off-site remote.
fn project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write("package.json", r#"{"name": "shop", "private": true}"#);
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url = \"file:./dev.db\"\n}\nmodel User {\n  id Int @id\n}\n",
    );
    ctx.write("prisma-guard.toml", "[[remote]]\nname = \"offsite\"\nurl = \"s3://some-bucket/prefix\"\n");
    ctx.write(".gitignore", "backups/\nnode_modules/\n*.db\n");
    ctx.write("backups/20260101T000000Z-a1b2c3.db.zst", "backup");
    let db = rusqlite::Connection::open(ctx.path("prisma/dev.db")).expect("open the database");
    db.execute_batch("CREATE TABLE User (id INTEGER PRIMARY KEY); INSERT INTO User VALUES (1), (2);").expect("rows");
    drop(db);
    ctx.git_init();
    ctx.git(&["add", "-A"]).ok();
    ctx.git(&["commit", "-qm", "shop"]).ok();
    ctx
}

#[test]
fn review_round_two_lines_through_check_and_every_agent() {
    let ctx = project();
    let cwd = ctx.root().to_str().expect("utf-8 path").to_string();
    let mut failures = Vec::new();
    for (line, want) in TABLE {
        let run = ctx.run(&["check", "--", line]);
        let got = match run.code {
            0 => A,
            3 => D,
            c => panic!("check exit {c} for {line:?}: {}", run.all()),
        };
        if got != *want {
            failures.push(format!("check {line:?}: want {want:?}, got {got:?}: {}", run.stdout.trim()));
            continue;
        }
        for agent in ["claude", "codex", "cursor", "gemini", "copilot"] {
            let out = hook(&ctx, agent, &payload(agent, line, &cwd).to_string());
            let expected = (*want == D).then(|| "deny".to_string());
            if decision(agent, &out) != expected {
                failures.push(format!("{agent} {line:?}: want {expected:?}: {}", out.all()));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Finding 1: an agent's file tool writing the installed binary or the kept-aside original.
#[test]
fn file_tools_writing_prisma_guard_itself_are_refused() {
    let ctx = project();
    let cwd = ctx.root().to_str().expect("utf-8 path").to_string();
    for path in ["/usr/local/bin/prisma-guard", &format!("{cwd}/node_modules/.bin/.prisma-guard-original-prisma")] {
        let input = serde_json::json!({
            "session_id": "s", "transcript_path": "/tmp/t.jsonl", "cwd": cwd, "hook_event_name": "PreToolUse",
            "tool_name": "Write", "tool_input": {"file_path": path, "content": ""}
        });
        let out = hook(&ctx, "claude", &input.to_string());
        assert_eq!(decision("claude", &out).as_deref(), Some("deny"), "{path}: {}", out.all());
    }
}
