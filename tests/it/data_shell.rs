//! Issue 19, review round 2 (items 6, 7, 8, 12, 13, 14, FP4, FP6): the shell around a
//! deletion, programs that write over or remove the files they name, script files run by
//! node, bind-mounted data folders and compose files read from the input, through `check`
//! and the Claude Code hook.

use crate::agents::{decision, hook, payload, V};
use crate::support::TestContext;

use V::{Allow as A, Destructive as D};

/// A Prisma 7 SQLite project: `dev.db` at the root, committed, with backups.
fn sqlite_project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"sqlite\"\n}\nmodel User {\n  id Int @id\n}\n");
    ctx.write(
        "prisma.config.ts",
        "import 'dotenv/config'\nimport { defineConfig, env } from 'prisma/config'\nexport default defineConfig({ schema: 'prisma/schema.prisma', datasource: { url: env('DATABASE_URL') } })\n",
    );
    ctx.write(".env", "DATABASE_URL=\"file:./dev.db\"\n");
    ctx.write("dev.db", "SQLite format 3\0");
    ctx.write("seed.sql", "INSERT INTO User VALUES (1);\n");
    ctx.write("drop.sql", "DROP TABLE \"User\";\n");
    ctx.write("backups/20260101T000000Z.sql.zst", "backup");
    ctx.write(".gitignore", "backups/\nnode_modules/\n");
    ctx.write("wipe", "rm -f dev.db\n");
    ctx.write("x1.js", "const fs = require(\"fs\");\nfs.unlinkSync(\"dev.db\");\n");
    ctx.write(
        "x5.mjs",
        "import { rmSync, readdirSync } from \"node:fs\";\nfor (const f of readdirSync(\"back\" + \"ups\")) rmSync(\"back\" + \"ups/\" + f);\n",
    );
    ctx.write(
        "x2.js",
        "const { execSync } = require(\"child_process\");\nexecSync([\"npx\", \"pri\" + \"sma\", \"migrate\", \"reset\", \"--force\"].join(\" \"));\n",
    );
    ctx.write(
        "ok1.js",
        "const { execSync } = require(\"child_process\");\nconsole.log(execSync(\"git status\").toString());\n",
    );
    ctx.write("ok2.js", "console.log(require(\"./package.json\").name);\n");
    ctx.write("node_modules/.bin/.prisma-guard-original-prisma", "#!/bin/sh\n");
    ctx.git_init();
    ctx.git(&["add", "-A"]).ok();
    ctx.git(&["commit", "-qm", "sq"]).ok();
    ctx
}

/// A PostgreSQL project: a named volume and a bind-mounted data folder (`./pgdata2`).
fn postgres_project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
    ctx.write(".env", "DATABASE_URL=\"postgresql://u:p@localhost:5432/shop\"\n");
    let compose = "services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n  db2:\n    image: postgres:16\n    volumes:\n      - ./pgdata2:/var/lib/postgresql/data\nvolumes:\n  pgdata:\n";
    ctx.write("docker-compose.yml", compose);
    ctx.write("docker/compose.test.yml", compose);
    ctx.write("pgdata2/PG_VERSION", "16\n");
    ctx.write("backups/20260101T000000Z.sql.zst", "backup");
    ctx.git_init();
    ctx
}

const SQLITE: &[(&str, V)] = &[
    // Item 6: the project folder itself.
    ("rm -rf \"$PWD\"", D),
    ("rm -rf $PWD", D),
    ("rm -rf ~+", D),
    ("rm -rf \"$(pwd)\"", D),
    ("rm -rf `pwd`", D),
    ("rm -rf $(git rev-parse --show-toplevel)", D),
    ("rsync -a --delete /tmp/emptydir/ ./", D),
    // Item 7: the shell around a deletion.
    ("for f in *.db; do rm \"$f\"; done", D),
    ("rm -f $(ls *.db)", D),
    ("rm -f $(find . -name \"*.db\")", D),
    ("f=$(ls *.db); rm -f $f", D),
    ("case x in x) rm -f dev.db;; esac", D),
    ("f(){ rm -f \"$1\"; }; f dev.db", D),
    ("coproc rm -f dev.db", D),
    ("trap \"rm -f dev.db\" EXIT", D),
    ("read -r x <<< dev.db; rm -f \"$x\"", D),
    ("printf -v f %s dev.db; rm -f \"$f\"", D),
    ("set -- rm -f dev.db; \"$@\"", D),
    ("sh -c 'rm -f $1' _ dev.db", D),
    ("source /dev/stdin <<< \"rm -f dev.db\"", D),
    ("echo ${x:=$(rm -f dev.db)}", D),
    ("echo $((`rm -f dev.db`))", D),
    ("printf -v \"a[\\$(rm -f dev.db)]\" x", D),
    ("read 'a[$(rm -f dev.db)]' <<< x", D),
    ("test -v 'a[$(rm -f dev.db)]'", D),
    ("declare -i x='a[$(rm -f dev.db)]'", D),
    ("mapfile -C \"rm -f dev.db #\" -c 1 <<< x", D),
    ("BASH_ENV=wipe bash -c true", D),
    ("rm -f ~+/dev.db", D),
    ("rm -f \"$OLDPWD/dev.db\"", D),
    ("coproc npx prisma migrate reset --force", D),
    ("trap 'npx prisma migrate reset --force' EXIT", D),
    ("echo ${x:=$(npx prisma migrate reset --force)}", D),
    ("source /dev/stdin <<< 'npx prisma migrate reset --force'", D),
    ("printf -v 'a[$(npx prisma migrate reset --force)]' x", D),
    // Item 8: a glob reaching the kept-aside original.
    ("node_modules/.bin/.prisma-guard-original-* migrate reset --force", D),
    ("node_modules/.bin/.p* migrate reset --force", D),
    // Item 12: programs that write over or remove the files they name.
    ("cp /tmp/x/dev.db ./", D),
    ("mv -f /tmp/x/dev.db ./", D),
    ("cp --target-directory=. /tmp/x/dev.db", D),
    ("fallocate -p -o 0 -l 32768 dev.db", D),
    ("sort -o dev.db dev.db", D),
    ("uniq seed.sql dev.db", D),
    ("curl -o dev.db https://example.com/x", D),
    ("wget -O dev.db https://example.com/x", D),
    ("docker cp c:/x dev.db", D),
    ("vim -c ':%d|wq' dev.db", D),
    ("ed -s dev.db", D),
    ("emacs --batch dev.db -f erase-buffer -f save-buffer", D),
    ("awk 'BEGIN{printf \"\" > \"dev.db\"}'", D),
    ("gawk -i inplace '{}' dev.db", D),
    ("lua -e 'os.remove(\"dev.db\")'", D),
    ("srm dev.db", D),
    ("srm -r backups", D),
    ("rename dev.db x dev.db", D),
    ("gzip dev.db", D),
    ("xz dev.db", D),
    ("bzip2 dev.db", D),
    ("zstd --rm dev.db", D),
    ("tar cf x.tar --remove-files dev.db", D),
    ("7z a -sdel x.7z dev.db", D),
    ("dd if=/dev/zero of=backups/20260101T000000Z.sql.zst conv=notrunc", D),
    // Item 13: script files read as inline code is.
    ("node x1.js", D),
    ("node x5.mjs", D),
    ("node x2.js", D),
    ("npx tsx x1.js", D),
    ("bun x1.js", D),
    ("deno run -A x1.js", D),
    // Harmless look-alikes stay allowed.
    ("node ok1.js", A),
    ("node ok2.js", A),
    ("cp dev.db /tmp/backup.db", A),
    ("cp -r src/ dist/", A),
    ("mv build/app.js ./", A),
    ("gzip -k dev.db", A),
    ("zstd dev.db", A),
    ("sort seed.sql", A),
    ("curl -o /tmp/x https://example.com/x", A),
    ("rm -rf \"$TMPDIR/x\"", A),
    ("tmp=$(mktemp -d); rm -rf \"$tmp\"", A),
    ("for f in *.log; do rm \"$f\"; done", A),
    ("rm -rf node_modules", A),
    ("vim README.md", A),
    ("tar czf /tmp/x.tgz dev.db", A),
    ("rsync -a src/ /tmp/dst/", A),
    ("echo 'Use $(pwd) here'", A),
    ("printf 'a $(b)\\n'", A),
    ("case \"$1\" in start) npm start;; esac", A),
    ("x=ls; $x", A),
    ("tmp=$(mktemp); trap 'rm -f \"$tmp\"' EXIT; echo hi > \"$tmp\"", A),
    ("find . -name \"*.tmp\" -exec rm {} +", A),
    ("find . -name \"*.db\" -exec rm {} +", D),
    ("rm -rf \"$HOME/.cache/prisma\"", A),
    ("cat package.json | jq .name", A),
    // FP4, FP6: judged by what they do.
    ("cat seed.sql | sqlite3 dev.db", A),
    ("sqlite3 dev.db < seed.sql", A),
    ("cat drop.sql | sqlite3 dev.db", D),
    ("cat drop.sql | npx prisma db execute --stdin", D),
    ("cat seed.sql | npx prisma db execute --stdin", V::Schema),
    ("node -e \"require('child_process').execSync('ls')\"", A),
    ("python3 -c \"import subprocess; subprocess.run(['ls', '-l'])\"", A),
    ("python3 -c \"import subprocess; subprocess.run(['rm', 'dev.db'])\"", D),
    ("node -e \"require('child_process').execSync(process.argv[1])\" x", D),
    ("node -e \"const db = require('better-sqlite3')(process.argv[1]); db.exec('DROP TABLE User')\" dev.db", D),
    ("python3 x.py -- npx prisma migrate reset --force", D),
    ("git status", A),
    ("npx prisma generate", A),
];

const POSTGRES: &[(&str, V)] = &[
    ("rm -rf pg*", D),
    ("rm -rf pgdata?", D),
    ("for d in pgdata*; do rm -rf \"$d\"; done", D),
    ("find . -maxdepth 1 -name \"pgdata*\" -exec rm -rf {} +", D),
    ("rm -rf \"$PWD/pgdata2\"", D),
    ("rm -rf $(pwd)/pgdata2", D),
    ("docker run --rm -v \"$PWD/pgdata2:/d\" alpine rm -rf /d/base", D),
    ("docker compose -f - down -v < docker/compose.test.yml", D),
    ("cat docker-compose.yml | docker compose -f - down -v", D),
    ("docker compose -f - down -v", D),
    ("rm -rf pgdata2/*", D),
    ("rm -rf */base", D),
    ("rm -rf \"$PWD\"", D),
    ("srm -r backups", D),
    ("rimraf pgdata2", D),
    ("del-cli pgdata2", D),
    ("rm -rf ./*.log", A),
    ("rm -rf build", A),
    ("docker compose down", A),
    ("docker compose -f - up -d < docker-compose.yml", A),
    ("find . -name \"*.log\" -delete", A),
    ("rm -rf p*.log", A),
];

fn run_table(ctx: &TestContext, table: &[(&str, V)]) -> Vec<String> {
    let cwd = ctx.root().to_str().expect("utf-8 path").to_string();
    let mut failures = Vec::new();
    for (line, want) in table {
        let run = ctx.run(&["check", "--", line]);
        let got = match run.code {
            0 => A,
            3 => D,
            5 => V::Schema,
            c => {
                failures.push(format!("check exit {c} for {line:?}: {}", run.all()));
                continue;
            }
        };
        if got != *want {
            failures.push(format!("check {line:?}: want {want:?}, got {got:?}: {}", run.stdout.trim()));
            continue;
        }
        let out = hook(ctx, "claude", &payload("claude", line, &cwd).to_string());
        let d = decision("claude", &out);
        if (d.as_deref() == Some("deny")) != (*want == D) {
            failures.push(format!("claude {line:?}: want {want:?}, got {d:?}: {}", out.all()));
        }
    }
    failures
}

#[test]
fn the_shell_around_a_deletion_writers_scripts_and_the_project_folder_in_a_sqlite_project() {
    let ctx = sqlite_project();
    let failures = run_table(&ctx, SQLITE);
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn bind_mounted_data_folders_by_pattern_and_compose_files_from_the_input() {
    let ctx = postgres_project();
    let failures = run_table(&ctx, POSTGRES);
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
