//! Data-loss lines through globs, links and copies, which `check` and the agent hooks refuse,
//! in three projects: SQLite (database committed, backups, an off-site remote),
//! PostgreSQL (compose with a named volume and a `./pgdata` bind), and an npm-workspaces
//! monorepo whose database is in `packages/db`, linked as `node_modules/@acme/db`. Each class:
//! patterns after `--`, globstar and extglob; links made then used; copies of folders over the
//! database; text tools and editors running commands; git running shell text; written then
//! run; SQL through process substitution, tautologies, driver code; workspace links; bind
//! mounts of the project folder; off-site deletions past the stores' tools. With everyday
//! look-alikes that stay allowed.

use crate::agents::{decision, hook, payload, V};
use crate::support::TestContext;

use V::{Allow as A, Destructive as D};

const SQLITE: &[(&str, V)] = &[
    // Patterns: after `--`, one folder down into the backups, globstar, extglob.
    ("rm -- */*.zst", D),
    ("bash -O globstar -c \"rm **/*.zst\"", D),
    ("bash -O extglob -c \"rm -f !(package.json)\"", D),
    ("rm -- *.log", A),
    ("rm -rf dist/*", A),
    // The database untracked, then cleaned away.
    ("git rm --cached dev.db && git clean -fd", D),
    ("git rm --cached dev.db", A),
    ("git clean -fd", A),
    // Links made to the data, then used.
    ("ln -s . here && rm here/dev.db", D),
    ("ln -sfn \"$PWD\" /tmp/pp && rm /tmp/pp/dev.db", D),
    ("ln dev.db /tmp/h.db && sqlite3 /tmp/h.db \"DELETE FROM User\"", D),
    ("ln -s \"$PWD/dev.db\" /tmp/s.db && sqlite3 /tmp/s.db \"DROP TABLE User\"", D),
    ("ln -s ../shared shared && ls shared", A),
    // A folder copied over the one holding the database.
    ("rsync -a other/ ./", D),
    ("cp -a other/. .", D),
    ("rsync -a src/ dist/", A),
    ("rsync -a other/ dist/", A),
    // Text tools and editors that run commands.
    ("sed -n \"1e rm dev.db\" package.json", D),
    ("sed -n '1p' package.json", A),
    ("sed -i 's/a/b/' package.json", A),
    ("vi -c ':call delete(\"dev.db\")' -c q", D),
    ("vim -c 'set nu' -c q package.json", A),
    ("emacs --batch --eval '(delete-file \"dev.db\")'", D),
    ("emacs --batch --eval '(message \"hi\")'", A),
    // git running shell text.
    ("git rebase --exec \"rm dev.db\" HEAD~1", D),
    ("git difftool -y -x \"rm dev.db\"", D),
    ("git bisect run rm dev.db", D),
    ("git submodule foreach rm -f ../dev.db", D),
    ("git filter-branch --tree-filter \"rm -f dev.db\" HEAD", D),
    ("git rebase -i HEAD~3", A),
    ("git rebase --exec \"npm run build\" HEAD~1", A),
    ("git difftool -y", A),
    ("git bisect start", A),
    // Written, then run by a later command of the line.
    ("printf \"#!/bin/sh\\nrm -f dev.db\\n\" > node_modules/.bin/vitest && chmod +x node_modules/.bin/vitest && npm test", D),
    ("ln -sf /bin/rm node_modules/.bin/vitest && npx vitest dev.db", D),
    ("printf \"all:\\n\\trm dev.db\\n\" > Makefile && make", D),
    ("echo 'module.exports={}' > .mocharc.js && npx mocha", D),
    ("echo 'export default {}' > vitest.config.ts && npx vitest run", D),
    ("npm run build > build.log && npm test", A),
    ("make build", A),
    // SQL: process substitution, tautologies, driver code.
    ("sqlite3 dev.db < <(echo \"DELETE FROM User\")", D),
    ("sqlite3 dev.db \"DELETE FROM User WHERE rowid IS NOT NULL\"", D),
    ("sqlite3 dev.db \"DELETE FROM User WHERE id NOT IN (SELECT -1)\"", D),
    ("sqlite3 dev.db \"DELETE FROM User WHERE id = id + 0\"", D),
    ("sqlite3 dev.db \"DELETE FROM User WHERE typeof(id)='integer'\"", D),
    ("sqlite3 dev.db \"DELETE FROM User WHERE id BETWEEN -1e18 AND 1e18\"", D),
    ("sqlite3 dev.db \"DELETE FROM User WHERE coalesce(name,1)=coalesce(name,1)\"", D),
    ("sqlite3 dev.db \"DELETE FROM User WHERE id = 5\"", A),
    ("sqlite3 dev.db \"DELETE FROM User WHERE name = 'x' AND id IS NOT NULL\"", A),
    ("sqlite3 dev.db \"SELECT * FROM User WHERE rowid IS NOT NULL\"", A),
    ("npx tsx -e \"const {PrismaClient}=require('@prisma/client');new PrismaClient().user.deleteMany()\"", D),
    ("node -e \"console.log(1)\"", A),
    // Off-site.
    ("python3 -c \"import boto3; boto3.resource('s3').Bucket('acme-backups').objects.all().delete()\"", D),
    ("curl -X DELETE https://acme-backups.s3.amazonaws.com/app/x.zst", D),
    ("rclone backend cleanup-hidden s3:acme-backups", D),
    ("curl -X DELETE https://api.example.com/x", A),
    ("python3 -c \"import boto3; print(boto3.__version__)\"", A),
    ("rclone backend features s3:acme-backups", A),
];

const POSTGRES: &[(&str, V)] = &[
    ("psql -c 'DELETE FROM \"User\" WHERE ctid IS NOT NULL'", D),
    ("psql -c 'DELETE FROM \"User\" WHERE id IS DISTINCT FROM NULL'", D),
    ("node -e \"const {Pool}=require('pg');new Pool().query('DELETE FROM \\\"User\\\"')\"", D),
    (
        "python3 -c \"import psycopg2;c=psycopg2.connect('');c.cursor().execute('DELETE FROM \\\"User\\\"');c.commit()\"",
        D,
    ),
    ("psql -c 'DELETE FROM \"User\" WHERE id = 3'", A),
    ("psql -c 'UPDATE \"User\" SET name = s.name FROM \"Staff\" s WHERE \"User\".id = s.id'", A),
    ("docker run --rm -v \"$PWD\":/w busybox rm -rf /w/pgdata", D),
    ("docker run --rm -v .:/w alpine rm -rf /w/pgdata/base", D),
    ("docker run -v \"$PWD\":/w node npm test", A),
    ("docker run --rm -v \"$PWD\":/w busybox rm -rf /w/node_modules", A),
];

const MONOREPO: &[(&str, V)] = &[
    ("npm explore @acme/db -- rm -f dev.db", D),
    ("npm explore @acme/db -- npm run db:wipe", D),
    ("rm node_modules/@acme/db/dev.db", D),
    ("cd node_modules/@acme/db && rm dev.db", D),
    ("rm -rf node_modules/@acme/db/", D),
    ("sqlite3 node_modules/@acme/db/dev.db \"DELETE FROM User\"", D),
    ("yarn workspace @acme/db exec rm dev.db", D),
    ("ultra -r db:wipe", D),
    ("rm -rf node_modules", A),
    ("rm -rf node_modules/@acme/db", A),
    ("ls node_modules/@acme/db/", A),
    ("npm explore @acme/db -- ls", A),
    ("yarn workspace @acme/db exec ls", A),
    ("ultra -r build", A),
    ("turbo run build", A),
    ("npm install", A),
];

fn sqlite_project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        r#"{"name":"app","private":true,"scripts":{"build":"tsc","test":"vitest","dev":"next dev"}}"#,
    );
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url = \"file:../dev.db\"\n}\nmodel User {\n  id Int @id\n  name String\n}\n",
    );
    ctx.write("prisma-guard.toml", "[[remote]]\nname = \"offsite\"\nurl = \"s3://acme-backups/app\"\n");
    ctx.write(".gitignore", "node_modules\n/backups/\n");
    ctx.write("backups/20261207T150938Z.sqlite.zst", "backup");
    ctx.write("other/dev.db", "another project's database");
    ctx.write("src/index.ts", "");
    let db = rusqlite::Connection::open(ctx.path("dev.db")).expect("open the database");
    db.execute_batch("CREATE TABLE User (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO User VALUES (1, 'a');")
        .expect("rows");
    drop(db);
    ctx.git_init();
    ctx.git(&["add", "-A"]).ok();
    ctx.git(&["commit", "-qm", "app"]).ok();
    ctx
}

fn postgres_project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write("package.json", r#"{"name":"app","private":true,"scripts":{"test":"vitest"}}"#);
    ctx.write(".env", "DATABASE_URL=\"postgresql://app:pw@127.0.0.1:1/app_dev?schema=public\"\n");
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\nmodel User {\n  id Int @id\n  name String\n}\n",
    );
    ctx.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    volumes:\n      - ./pgdata:/var/lib/postgresql/data\n",
    );
    ctx.write("pgdata/PG_VERSION", "16");
    ctx
}

fn monorepo() -> TestContext {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        r#"{"name":"mono","private":true,"workspaces":["packages/*"],"scripts":{"build":"turbo run build"}}"#,
    );
    ctx.write("turbo.json", r#"{"tasks":{"build":{"dependsOn":["^build"]}}}"#);
    ctx.write(
        "packages/db/package.json",
        r#"{"name":"@acme/db","scripts":{"build":"prisma generate","db:wipe":"rm -f dev.db"}}"#,
    );
    ctx.write("packages/db/.env", "DATABASE_URL=\"file:./dev.db\"\n");
    ctx.write(
        "packages/db/prisma.config.ts",
        "import \"dotenv/config\";\nimport { defineConfig, env } from \"prisma/config\";\nexport default defineConfig({ schema: \"prisma/schema.prisma\", datasource: { url: env(\"DATABASE_URL\") } });\n",
    );
    ctx.write(
        "packages/db/prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n}\nmodel User {\n  id Int @id\n}\n",
    );
    ctx.write("packages/db/dev.db", "");
    std::fs::create_dir_all(ctx.path("node_modules/@acme")).expect("node_modules");
    std::os::unix::fs::symlink("../../packages/db", ctx.path("node_modules/@acme/db")).expect("workspace link");
    ctx
}

fn judge_table(ctx: &TestContext, table: &[(&str, V)]) {
    let cwd = ctx.root().to_str().expect("utf-8 path").to_string();
    let mut failures = Vec::new();
    for (line, want) in table {
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
        for agent in ["claude", "codex"] {
            let out = hook(ctx, agent, &payload(agent, line, &cwd).to_string());
            let expected = (*want == D).then(|| "deny".to_string());
            if decision(agent, &out) != expected {
                failures.push(format!("{agent} {line:?}: want {expected:?}: {}", out.all()));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn round_three_sqlite_lines_through_check_and_agents() {
    judge_table(&sqlite_project(), SQLITE);
}

#[test]
fn round_three_postgres_lines_through_check_and_agents() {
    judge_table(&postgres_project(), POSTGRES);
}

#[test]
fn round_three_monorepo_lines_through_check_and_agents() {
    judge_table(&monorepo(), MONOREPO);
}

/// `shopt -s extglob` on one line, the pattern on the next (as bash reads a script).
#[test]
fn extglob_switched_on_a_line_before() {
    judge_table(&sqlite_project(), &[("shopt -s extglob\nrm -f !(package.json)", D)]);
}
