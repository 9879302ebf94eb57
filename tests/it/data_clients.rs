//! Issue 19, review round 1, findings 5, 12 and 13: database clients whose spelling hides the
//! SQL (psql's attached values, long-option prefixes, variables, `\gexec`), SQL and commands
//! that switch off the PostgreSQL tripwire, other clients (`usql`, `duckdb`) and migration
//! tools other than Prisma (drizzle-kit, dbmate, atlas, flyway, liquibase, sequelize, typeorm,
//! knex, mikro-orm), run through `prisma-guard check`, every agent's hook and `scan`.

use crate::agents::V;
use crate::support::TestContext;

use V::{Allow as A, Destructive as D};

const TABLE: &[(&str, V)] = &[
    // Finding 5: psql spellings that hide the SQL.
    ("psql -c'DROP SCHEMA public CASCADE' <<< 'select 1'", D),
    ("psql -c\"TRUNCATE users\"", D),
    ("psql -Xqc 'DROP TABLE users'", D),
    ("psql --comm='DROP SCHEMA public CASCADE' <<< 'select 1'", D),
    ("psql --co 'DELETE FROM users'", D),
    ("psql --command='DROP TABLE users'", D),
    ("psql -fdrop.sql <<< 'select 1'", D),
    ("psql --fil=drop.sql <<< 'select 1'", D),
    ("psql -Xqf drop.sql", D),
    ("psql -h db -U me app --fi=drop.sql", D), // ambiguous for psql; nothing else to read: its input
    ("psql -c 'select 1' <<< 'DROP TABLE users'", D),
    ("psql <<'X'\n\\set q 'DROP SCHEMA public CASCADE'\n:q;\nX", D),
    ("psql <<'X'\n\\set q 'DROP SCHEMA public CASCADE'\nSELECT 1; :q\nX", D),
    ("psql -v q='DROP SCHEMA public CASCADE' <<< ':q;'", D),
    ("psql --set=q='TRUNCATE users' -f - <<< ':q;'", D),
    ("psql <<'X'\nSELECT 'DROP TABLE users' AS q \\gset\n:q;\nX", D),
    (
        "psql <<'X'\nSELECT format('DROP TABLE %I CASCADE', tablename) FROM pg_tables WHERE schemaname = 'public'\n\\gexec\nX",
        D,
    ),
    ("psql <<< \"SELECT 'DROP SCHEMA public CASCADE' \\gexec\"", D),
    ("psql <<< 'SELECT 1; \\! rm -rf prisma'", D),
    ("psql <<< 'SELECT 1 \\g |sh'", D),
    ("psql <<< '\\i drop.sql'", D),
    ("psql <<'X'\n\\set f drop.sql\n\\i :f\nX", D),
    ("psql -c '\\set x `rm -f prisma/dev.db`'", D),
    ("psql -f sql/main.sql", D), // `\ir inner-drop.sql`, beside it (finding 5: `\ir` is relative)
    ("psql -f sql/safe-main.sql", A), // `\ir inner-safe.sql`, found beside it
    ("mysql --exe='DROP DATABASE app'", D),
    ("mariadb --execu 'TRUNCATE users'", D),
    ("mariadb -vvve 'DROP TABLE users'", D),
    ("mysql --init-command='DROP TABLE users' app", D),
    ("psql -c \"$SQL\"", D),
    ("mysql -e \"$(cat drop.sql)\"", D),
    ("psql -c 'DO $$ BEGIN PERFORM 1; END $$'", A),
    // Issue 19 review round 3, false positive: the tripwire's own status, as docs/tripwire.md says.
    ("psql -c \"SELECT prisma_guard.status()\"", A),
    ("psql -At -c 'SELECT * FROM prisma_guard.status()'", A),
    ("psql -c 'SELECT prisma_guard.close_approval()'", D),
    ("psql -c 'select 1'", A),
    ("psql -c'SELECT count(*) FROM users'", A),
    ("psql --comm='SELECT 1'", A),
    ("psql -fsafe.sql", A),
    ("psql <<< 'SELECT 1 \\; DROP TABLE users'", D),
    ("psql <<< '\\o prisma/dev.db\nSELECT 1;'", D),
    ("psql -o prisma/dev.db -c 'SELECT 1'", D),
    ("psql -o out.txt -c 'SELECT 1'", A),
    ("PAGER='rm -f prisma/dev.db' psql -c '\\dt'", D),
    ("psql <<< \"\\setenv PAGER 'rm -f prisma/dev.db'\"", D),
    ("psql -c \"COPY (SELECT 1) TO 'prisma/dev.db'\"", D),
    ("psql <<< '\\lo_export 1234 prisma/dev.db'", D),
    ("PAGER=less psql -c '\\dt'", A),
    ("psql -c 'COPY users TO STDOUT'", A),
    ("psql -h localhost -U me -d app -c 'SELECT 1'", A),
    ("psql --vers", A),
    ("psql <<'X'\n\\set t users\nSELECT count(*) FROM :\"t\" WHERE id = 1;\nX", A),
    ("psql <<< \"SELECT 'not \\gexec here'\"", A),
    ("mysql --exe='SHOW TABLES'", A),
    // Finding 12: switching the tripwire off.
    ("psql -c \"DROP EVENT TRIGGER prisma_guard_sql_drop\"", D),
    ("psql -c \"ALTER EVENT TRIGGER prisma_guard_sql_drop DISABLE\"", D),
    ("psql -c 'DROP SCHEMA prisma_guard CASCADE'", D),
    ("psql -c 'DROP FUNCTION prisma_guard.approved()'", D),
    ("psql -c 'ALTER TABLE \"User\" DISABLE TRIGGER prisma_guard_no_truncate'", D),
    ("psql -c 'ALTER TABLE \"User\" DISABLE TRIGGER ALL'", D),
    ("psql -c 'SET session_replication_role = replica'", D),
    ("PGOPTIONS='-c session_replication_role=replica' psql -c 'SELECT 1'", D),
    ("npx prisma db execute --file off.sql", D),
    ("export PGOPTIONS='-c session_replication_role=replica' && node seed.js", D),
    (
        "psql <<'X'\nDO $$ DECLARE t record; BEGIN FOR t IN SELECT evtname FROM pg_event_trigger LOOP EXECUTE format('ALTER EVENT TRIGGER %I DISABLE', t.evtname); END LOOP; END $$;\nX",
        D,
    ),
    ("psql -c 'UPDATE pg_event_trigger SET evtenabled = $$D$$'", D),
    ("export PGOPTIONS='-c statement_timeout=0' && node seed.js", A),
    ("psql -c 'ALTER TABLE users DISABLE TRIGGER audit_users'", A),
    ("cat ~/.local/share/prisma-guard/tripwire/*.key", D),
    ("cp -r ~/.local/share/prisma-guard/tripwire /tmp/k", D),
    ("cd ~/.local/share/prisma-guard/tripwire && cat *.key", D),
    ("cat ~/.local/share/*/tripwire/*.key", D),
    ("find ~/.local/share -path '*tripwire*' -name '*.key' -exec cat {} +", D),
    ("npx prisma db execute --stdin <<< 'DROP EVENT TRIGGER prisma_guard_sql_drop'", D),
    ("ls ~/.local/share/prisma-guard/tripwire", A),
    ("psql -c 'SHOW session_replication_role'", A),
    ("psql -c 'SELECT evtname FROM pg_event_trigger'", A),
    // Finding 13: other clients.
    ("usql \"$DATABASE_URL\" -c 'DROP SCHEMA public CASCADE'", D),
    ("usql pg://localhost/app -f drop.sql", D),
    ("usql pg://localhost/app -c 'SELECT 1'", A),
    ("duckdb -c \"ATTACH 'postgres:dbname=app' AS p (TYPE postgres); DROP TABLE p.users\"", D),
    ("duckdb -c \"ATTACH 'prisma/dev.db' AS d (TYPE sqlite); DELETE FROM d.User\"", D),
    ("duckdb -c \"ATTACH 'postgres:dbname=app' AS p (TYPE postgres); CALL postgres_execute('p', 'DROP TABLE users')\"", D),
    ("duckdb prisma/dev.db 'DROP TABLE User'", D),
    ("duckdb -c \"COPY (SELECT 1) TO 'prisma/dev.db'\"", D),
    ("duckdb -c 'SELECT 42'", A),
    ("duckdb scratch.duckdb -c 'DROP TABLE t'", A),
    ("duckdb -c \"ATTACH 'postgres:dbname=app' AS p (TYPE postgres); SELECT count(*) FROM p.users\"", A),
    // Finding 13: migration tools, however they are started.
    ("npx drizzle-kit push --force", D),
    ("pnpm exec drizzle-kit push --force", D),
    ("yarn drizzle-kit push --force", D),
    ("bunx drizzle-kit push --force", D),
    ("npx drizzle-kit drop", D),
    ("dbmate drop", D),
    ("npx dbmate drop", D),
    ("atlas schema clean --auto-approve -u \"$DATABASE_URL\"", D),
    ("flyway clean", D),
    ("flyway -cleanDisabled=false clean", D),
    ("liquibase dropAll", D),
    ("liquibase DROPALL", D),
    ("npx sequelize-cli db:drop", D),
    ("npx sequelize db:migrate:undo:all", D),
    ("npx typeorm schema:drop -d src/data-source.ts", D),
    ("npx typeorm-ts-node-commonjs schema:drop -d src/data-source.ts", D),
    ("npx knex migrate:rollback --all", D),
    ("npx mikro-orm schema:drop --run", D),
    ("npx mikro-orm schema:fresh --run", D),
    ("npx mikro-orm schema:update --run", D),
    ("npx typeorm schema:sync -d src/data-source.ts", D),
    ("npm run db:clean", D),
    ("npm run db:push -- --force", D),
    ("pnpm db:push --force", D),
    ("npm run db:push", A),
    ("pnpm run orm:wipe", D),
    ("sudo -u app npx knex migrate:rollback --all", D),
    ("bash -c 'npx drizzle-kit push --force'", D),
    ("yarn workspace @acme/db drizzle-kit push --force", D),
    ("node node_modules/knex/bin/cli.js migrate:rollback --all", D),
    ("docker run --rm flyway/flyway:10 -url=jdbc:postgresql://db/app clean", D),
    ("docker compose run --rm dbmate drop", D),
    ("docker run --rm flyway/flyway:10 -url=jdbc:postgresql://db/app migrate", A),
    ("npx drizzle-kit push", A),
    ("npx drizzle-kit generate", A),
    ("flyway migrate", A),
    ("knex migrate:latest", A),
    ("dbmate up", A),
    ("npx sequelize-cli db:migrate", A),
    ("npx typeorm migration:run -d src/data-source.ts", A),
    ("npx mikro-orm schema:update --run --safe", A),
    ("liquibase update", A),
    ("atlas migrate apply -u \"$DATABASE_URL\"", A),
    ("npm run db:migrate", A),
];

/// A SQLite project with rows, package scripts that run migration tools, and SQL files.
fn project() -> TestContext {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        r#"{"name": "shop", "private": true, "scripts": {
  "db:clean": "sequelize db:drop",
  "orm:wipe": "typeorm schema:drop -d src/data-source.ts",
  "db:migrate": "knex migrate:latest",
  "db:push": "drizzle-kit push"
}}"#,
    );
    ctx.write(
        "prisma.config.ts",
        "import 'dotenv/config'\nimport { defineConfig, env } from 'prisma/config'\nexport default defineConfig({ schema: 'prisma/schema.prisma', datasource: { url: env('DATABASE_URL') } })\n",
    );
    ctx.write(".env", "DATABASE_URL=\"file:./prisma/dev.db\"\n");
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"sqlite\"\n}\nmodel User {\n  id Int @id\n}\n");
    ctx.write("drop.sql", "-- cleanup\nDROP TABLE \"User\";\n");
    ctx.write("safe.sql", "SELECT 1;\n");
    ctx.write("sql/main.sql", "SELECT 1;\n\\ir inner-drop.sql\n");
    ctx.write("sql/inner-drop.sql", "DROP TABLE \"User\";\n");
    ctx.write("sql/safe-main.sql", "SELECT 1;\n\\ir inner-safe.sql\n");
    ctx.write("sql/inner-safe.sql", "SELECT 2;\n");
    ctx.write("off.sql", "DROP EVENT TRIGGER IF EXISTS prisma_guard_sql_drop;\n");
    let db = rusqlite::Connection::open(ctx.path("prisma/dev.db")).expect("open the database");
    db.execute_batch("CREATE TABLE User (id INTEGER PRIMARY KEY); INSERT INTO User VALUES (1), (2);").expect("rows");
    drop(db);
    ctx
}

#[test]
fn clients_tools_and_the_tripwire_through_check_and_every_agent() {
    let ctx = project();
    let failures = crate::agents::allow_deny_failures(&ctx, TABLE);
    let db = rusqlite::Connection::open(ctx.path("prisma/dev.db")).expect("open");
    let rows: i64 = db.query_row("SELECT count(*) FROM User", [], |r| r.get(0)).expect("count");
    assert_eq!(rows, 2);
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Switching the tripwire off is switching a guard off; migration tools have their own class,
/// whose alternative names the tool's safe command.
#[test]
fn the_tripwire_and_migration_tools_have_their_own_classes() {
    let ctx = project();
    for line in [
        "psql -c \"DROP EVENT TRIGGER prisma_guard_sql_drop\"",
        "psql -c 'SET session_replication_role = replica'",
        "npx prisma db execute --file off.sql",
        "cat ~/.local/share/prisma-guard/tripwire/ab12.key",
    ] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
        assert!(run.stdout.contains("class: switching a guard off"), "{line}: {}", run.stdout);
    }
    let run = ctx.run(&["check", "--", "npx drizzle-kit push --force"]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stdout.contains("class: a migration tool dropping or resetting the database"), "{}", run.stdout);
    assert!(run.stdout.contains("without --force asks before data loss"), "{}", run.stdout);
    let run = ctx.run(&["check", "--", "psql <<< \"SELECT 'DROP SCHEMA public CASCADE' \\gexec\""]);
    assert!(run.stdout.contains("\\gexec"), "the finding names \\gexec: {}", run.stdout);
}

/// `scan` reports migration tools in package scripts and CI, and SQL that switches the
/// tripwire off in migrations and client commands.
#[test]
fn scan_reports_migration_tools_and_the_tripwire_switched_off() {
    let ctx = TestContext::new();
    ctx.write(
        "package.json",
        r#"{"scripts": {
  "db:clean": "sequelize db:drop",
  "db:push": "drizzle-kit push --force",
  "db:migrate": "knex migrate:latest",
  "db:gen": "drizzle-kit generate"
}}"#,
    );
    ctx.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx flyway clean\n      - run: flyway migrate\n      - run: psql -c 'DROP EVENT TRIGGER prisma_guard_sql_drop'\n",
    );
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
    ctx.write("prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
    ctx.write(
        "prisma/migrations/20260101000000_off/migration.sql",
        "CREATE TABLE \"A\" (id int);\nALTER EVENT TRIGGER prisma_guard_sql_drop DISABLE;\n",
    );
    let run = ctx.run(&["scan", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
    let found: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{} {}", f["path"].as_str().unwrap(), f["line"], f["rule"].as_str().unwrap()))
        .collect();
    let count = |rule: &str| found.iter().filter(|r| r.ends_with(rule)).count();
    assert_eq!(count("migration-tool-data-loss"), 3, "sequelize, drizzle-kit, flyway clean: {found:?}");
    assert_eq!(count("tripwire-off"), 2, "the migration and psql in CI: {found:?}");
    assert_eq!(found.len(), 5, "no look-alike is reported: {found:?}");
    assert_eq!(run.code, 1, "{}", run.all());
}
