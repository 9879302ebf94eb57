//! Migration tools other than Prisma that drop the database, every table or every migration's
//! work, or approve data loss unasked: `drizzle-kit push --force`, `dbmate drop`, `atlas
//! schema clean`, `flyway clean`, `liquibase dropAll`, `sequelize db:drop`, `typeorm
//! schema:drop`, `knex migrate:rollback --all`, `mikro-orm schema:drop` ... One table; a
//! command is found however it is started (`npx`, `pnpm exec`, `yarn`, `bunx`, directly, or
//! from a package script, which the shell walk expands).

/// What a row asks of the words after the tool's name.
enum Needs {
    /// These words in this order, each somewhere after the one before (case ignored).
    Words(&'static [&'static str]),
    /// The words, and one of these flags (`--force`, `--force=true`).
    WordsAndFlag(&'static [&'static str], &'static [&'static str]),
    /// The words and one of the flags, without the last flag (`--safe`).
    WordsAndFlagUnless(&'static [&'static str], &'static [&'static str], &'static str),
    /// The words, without any of these flags (`sqitch revert` without `--to`).
    WordsUnless(&'static [&'static str], &'static [&'static str]),
    /// `WORD N` reverting more than one migration (a count over 1, `Infinity`, `-all`,
    /// `--all`, `--count N`), or `WORD` alone when that reverts every one (`bare_is_all`).
    Down { word: &'static str, bare_is_all: bool },
}

struct Row {
    /// The tool's command names (the binaries its packages install).
    tools: &'static [&'static str],
    needs: Needs,
    why: &'static str,
    instead: &'static str,
}

use Needs::{Down, Words, WordsAndFlag, WordsAndFlagUnless, WordsUnless};

const TABLE: &[Row] = &[
    // Issue 19, review round 5, finding 13.
    Row {
        tools: &["sqlx"],
        needs: Words(&["database", "reset"]),
        why: "`database reset` drops the database, creates it again and runs the migrations",
        instead: "`sqlx migrate run` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["sqlx"],
        needs: Words(&["database", "drop"]),
        why: "`database drop` drops the whole database",
        instead: "`sqlx migrate run` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["diesel"],
        needs: Words(&["database", "reset"]),
        why: "`database reset` drops the database and runs every migration again",
        instead: "`diesel migration run` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["diesel"],
        needs: Words(&["database", "drop"]),
        why: "`database drop` drops the whole database",
        instead: "`diesel migration run` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["graphile-migrate"],
        needs: Words(&["reset"]),
        why: "`reset` drops the database and creates it again from the committed migrations",
        instead: "`graphile-migrate migrate` applies the committed migrations and keeps the data",
    },
    Row {
        tools: &["mongorestore", "mongoimport"],
        needs: WordsAndFlag(&[], &["--drop"]),
        why: "`--drop` drops each collection before restoring or importing into it",
        instead: "restore into a new database and compare, without --drop",
    },
    Row {
        tools: &["mysqlimport"],
        needs: WordsAndFlag(&[], &["--delete", "-d"]),
        why: "`--delete` empties each table before importing into it",
        instead: "import into a new table and compare, without --delete",
    },
    Row {
        tools: &["sqlite-utils"],
        needs: Words(&["drop-table"]),
        why: "`drop-table` drops a table with its rows",
        instead: "take `prisma-guard backup` first, then ask the user to run it",
    },
    Row {
        tools: &["sqlite-utils"],
        needs: Words(&["drop-view"]),
        why: "`drop-view` drops a view",
        instead: "take `prisma-guard backup` first, then ask the user to run it",
    },
    Row {
        tools: &["drizzle-kit"],
        needs: WordsAndFlag(&["push"], &["--force"]),
        why: "`push --force` applies the schema and auto-approves every statement that loses data (dropped tables and columns)",
        instead: "`drizzle-kit push` without --force asks before data loss; or `drizzle-kit generate` and review the migration",
    },
    Row {
        tools: &["drizzle-kit"],
        needs: Words(&["drop"]),
        why: "`drop` deletes migration files and their journal entries",
        instead: "write a new migration that undoes the change",
    },
    Row {
        tools: &["dbmate"],
        needs: Words(&["drop"]),
        why: "`drop` drops the whole database",
        instead: "`dbmate up` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["atlas"],
        needs: Words(&["schema", "clean"]),
        why: "`schema clean` drops every object in the schema",
        instead: "`atlas migrate apply` of reviewed migrations",
    },
    Row {
        tools: &["atlas"],
        needs: WordsAndFlag(&["schema", "apply"], &["--auto-approve"]),
        why: "`schema apply --auto-approve` applies the planned changes, drops included, without showing them",
        instead: "`atlas schema apply` without --auto-approve shows the plan and asks",
    },
    Row {
        tools: &["flyway"],
        needs: Words(&["clean"]),
        why: "`clean` drops every object in the configured schemas",
        instead: "`flyway migrate` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["flyway"],
        needs: WordsAndFlag(&[], &["-cleanOnValidationError"]),
        why: "`-cleanOnValidationError=true` drops every object when a migration does not validate",
        instead: "fix the failing validation; `flyway repair` realigns the history",
    },
    Row {
        tools: &["liquibase"],
        needs: Words(&["dropall"]),
        why: "`dropAll` drops every database object",
        instead: "`liquibase update` applies the changelog and keeps the data",
    },
    Row {
        tools: &["liquibase"],
        needs: Words(&["drop-all"]),
        why: "`drop-all` drops every database object",
        instead: "`liquibase update` applies the changelog and keeps the data",
    },
    Row {
        tools: &["sequelize", "sequelize-cli"],
        needs: Words(&["db:drop"]),
        why: "`db:drop` drops the whole database",
        instead: "`sequelize db:migrate` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["sequelize", "sequelize-cli"],
        needs: Words(&["db:migrate:undo:all"]),
        why: "`db:migrate:undo:all` reverts every migration, dropping what they made",
        instead: "`db:migrate:undo` reverts one reviewed migration",
    },
    Row {
        tools: &["sequelize", "sequelize-cli"],
        needs: Words(&["db:seed:undo:all"]),
        why: "`db:seed:undo:all` deletes the rows every seeder inserted",
        instead: "`db:seed:undo --seed NAME` undoes one seeder",
    },
    Row {
        tools: &["typeorm", "typeorm-ts-node-commonjs", "typeorm-ts-node-esm"],
        needs: Words(&["schema:drop"]),
        why: "`schema:drop` drops every table of the data source",
        instead: "`typeorm migration:run` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["typeorm", "typeorm-ts-node-commonjs", "typeorm-ts-node-esm"],
        needs: Words(&["schema:sync"]),
        why: "`schema:sync` makes the tables match the entities without asking, dropping the columns and tables they no longer have",
        instead: "`typeorm migration:generate`, review the migration, then `migration:run`",
    },
    Row {
        tools: &["knex"],
        needs: WordsAndFlag(&["migrate:rollback"], &["--all"]),
        why: "`migrate:rollback --all` reverts every migration, dropping what they made",
        instead: "`knex migrate:rollback` reverts the last batch only, after a review",
    },
    Row {
        tools: &["mikro-orm", "mikro-orm-esm"],
        needs: Words(&["schema:drop"]),
        why: "`schema:drop` drops every table",
        instead: "`mikro-orm migration:up` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["mikro-orm", "mikro-orm-esm"],
        needs: Words(&["schema:fresh"]),
        why: "`schema:fresh` drops every table and creates them empty",
        instead: "`mikro-orm migration:up` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["mikro-orm", "mikro-orm-esm"],
        needs: WordsAndFlagUnless(&["schema:update"], &["--run", "-r"], "--safe"),
        why: "`schema:update --run` without --safe drops the columns and tables the entities no longer have",
        instead: "`mikro-orm schema:update --run --safe`, or `migration:create`, review it, then `migration:up`",
    },
    Row {
        tools: &["mikro-orm", "mikro-orm-esm"],
        needs: Words(&["migration:fresh"]),
        why: "`migration:fresh` drops every table and runs every migration again on empty tables",
        instead: "`mikro-orm migration:up` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["migrate"],
        needs: Words(&["drop"]),
        why: "`drop` (golang-migrate) drops everything in the database",
        instead: "`migrate up` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["migrate"],
        needs: Down { word: "down", bare_is_all: true },
        why: "`down` without a count, or with `-all` (golang-migrate), reverts every migration, dropping what they made",
        instead: "`migrate down 1` reverts the last migration only, after a review",
    },
    Row {
        tools: &["goose"],
        needs: Words(&["reset"]),
        why: "`reset` rolls back every migration, dropping what they made",
        instead: "`goose down` rolls back the last migration only, after a review",
    },
    Row {
        tools: &["goose"],
        needs: Words(&["down-to", "0"]),
        why: "`down-to 0` rolls back every migration, dropping what they made",
        instead: "`goose down` rolls back the last migration only, after a review",
    },
    Row {
        tools: &["node-pg-migrate"],
        needs: Down { word: "down", bare_is_all: false },
        why: "`down N` reverts several migrations (all of them with a large count), dropping what they made",
        instead: "`node-pg-migrate down` reverts the last migration only, after a review",
    },
    Row {
        tools: &["db-migrate"],
        needs: Words(&["reset"]),
        why: "`reset` reverts every migration, dropping what they made",
        instead: "`db-migrate down` reverts the last migration only, after a review",
    },
    Row {
        tools: &["db-migrate"],
        needs: Words(&["db:drop"]),
        why: "`db:drop` drops the whole database",
        instead: "`db-migrate up` applies the pending migrations and keeps the data",
    },
    Row {
        tools: &["kysely", "kysely-ctl"],
        needs: WordsAndFlag(&["migrate"], &["--all"]),
        why: "`migrate ... --all` reverts every migration, dropping what they made",
        instead: "`kysely migrate down` reverts the last migration only, after a review",
    },
    Row {
        tools: &["kysely", "kysely-ctl"],
        needs: WordsAndFlag(&["migrate:rollback"], &["--all"]),
        why: "`migrate:rollback --all` reverts every migration, dropping what they made",
        instead: "`kysely migrate down` reverts the last migration only, after a review",
    },
    Row {
        tools: &["sqitch"],
        needs: WordsUnless(&["revert"], &["--to", "--to-change"]),
        why: "`revert` without `--to` reverts every deployed change, dropping what they made",
        instead: "`sqitch revert --to @HEAD^` reverts the last change only, after a review",
    },
    Row {
        tools: &["pg_resetwal", "pg_resetxlog"],
        needs: WordsUnless(&[], &["-n", "--dry-run"]),
        why: "resets PostgreSQL's write-ahead log, which loses recent transactions and can corrupt the database",
        instead: "stop here and ask the user: a server that will not start needs a backup restored, not its WAL reset",
    },
    Row {
        tools: &["turso"],
        needs: Words(&["db", "destroy"]),
        why: "`db destroy` deletes the whole database",
        instead: "`turso db shell` to change the rows you mean, after `turso db create --from-db` as a copy",
    },
    Row {
        tools: &["turso"],
        needs: Words(&["group", "destroy"]),
        why: "`group destroy` deletes the group and every database in it",
        instead: "ask the user to run it",
    },
];

/// Package runners and their subcommands, which come before the tool's name.
const RUNNERS: &[&str] =
    &["npx", "pnpx", "bunx", "pnpm", "yarn", "bun", "npm", "corepack", "deno", "node", "nodejs", "tsx", "ts-node"];
const RUNNER_WORDS: &[&str] = &["exec", "dlx", "x", "run", "--"];
/// Runner options that take the next word as their value (`yarn workspace NAME CMD`).
const RUNNER_VALUES: &[&str] =
    &["-p", "--package", "--filter", "-F", "-C", "--dir", "--prefix", "-w", "--workspace", "--cwd", "workspace"];

/// The tool's name in a command word: `node_modules/.bin/drizzle-kit`, `drizzle-kit@0.31`,
/// `@mikro-orm/cli`, a package's own entry file (`node_modules/knex/bin/cli.js`).
/// Every tool name the table knows (the fast path and the unknown-program reader look for
/// them too, so that a tool added here is never skipped there).
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().flat_map(|r| r.tools.iter().copied())
}

fn tool_name(word: &str) -> String {
    if word.contains("@mikro-orm/cli") {
        return "mikro-orm".into();
    }
    if let Some((_, after)) = word.split_once("node_modules/") {
        let after = after.strip_prefix(".bin/").unwrap_or(after);
        return after.split('/').next().unwrap_or(after).to_ascii_lowercase();
    }
    let base = word.rsplit('/').next().unwrap_or(word);
    let base = base.split('@').next().unwrap_or(base);
    base.strip_prefix("npm:").unwrap_or(base).to_ascii_lowercase()
}

/// Where the tool's name is in `argv`, after any package runner in front of it.
fn tool_at(argv: &[String]) -> Option<(usize, String)> {
    let known = |w: &str| TABLE.iter().any(|r| r.tools.contains(&w));
    let first = tool_name(argv.first()?);
    if known(&first) {
        return Some((0, first));
    }
    // `docker run [opts] flyway/flyway clean`, `docker compose run dbmate drop`: an image or
    // service named after the tool (its tag dropped).
    if matches!(first.as_str(), "docker" | "podman") && argv.iter().any(|a| a == "run") {
        return argv.iter().enumerate().skip(2).find_map(|(i, a)| {
            let image = tool_name(a.split(':').next().unwrap_or(a));
            known(&image).then_some((i, image))
        });
    }
    if !RUNNERS.contains(&first.as_str()) {
        return None;
    }
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        let name = tool_name(a.strip_prefix("npm:").unwrap_or(a));
        if known(&name) {
            return Some((i, name));
        }
        if RUNNER_VALUES.contains(&a.as_str()) {
            i += 2;
        } else if a.starts_with('-') || RUNNER_WORDS.contains(&a.as_str()) || RUNNERS.contains(&name.as_str()) {
            i += 1;
        } else {
            return None;
        }
    }
    None
}

/// Whether `flag` is among `args`, switched on (`--force`, `--force=true`, not `=false`).
fn has_flag(args: &[String], flag: &str) -> bool {
    args.iter().any(|a| {
        let (name, value) = a.split_once('=').unwrap_or((a, "true"));
        name.eq_ignore_ascii_case(flag) && !value.eq_ignore_ascii_case("false")
    })
}

/// Whether `words` occur among `args` in order (case ignored).
fn has_words(args: &[String], words: &[&str]) -> bool {
    let mut it = args.iter();
    words.iter().all(|w| it.any(|a| a.eq_ignore_ascii_case(w)))
}

/// Whether `WORD [N]` reverts more than one migration: a count over 1 (or `Infinity`),
/// `-all`/`--all`, `--count N`, or no count at all where that means every one.
fn reverts_several(args: &[String], word: &str, bare_is_all: bool) -> bool {
    let Some(k) = args.iter().position(|a| a.eq_ignore_ascii_case(word)) else { return false };
    let rest = &args[k + 1..];
    if rest.iter().any(|a| matches!(a.as_str(), "-all" | "--all" | "-a")) {
        return true;
    }
    let many = |v: &str| v.eq_ignore_ascii_case("infinity") || v.parse::<u64>().is_ok_and(|n| n > 1);
    let count = rest
        .windows(2)
        .find(|w| matches!(w[0].as_str(), "--count" | "-c"))
        .map(|w| w[1].as_str())
        .or_else(|| rest.iter().find_map(|a| a.strip_prefix("--count=")))
        .or_else(|| rest.iter().find(|a| !a.starts_with('-')).map(String::as_str));
    match count {
        Some(v) if v.parse::<u64>().is_ok() || v.eq_ignore_ascii_case("infinity") => many(v),
        _ => bare_is_all,
    }
}

/// What a migration tool on this command line does that loses data, with the safe way to
/// get what it wanted.
pub fn judge(argv: &[String]) -> Option<String> {
    let (at, name) = tool_at(argv)?;
    let args = &argv[at + 1..];
    if has_flag(args, "--help") || has_flag(args, "-h") {
        return None;
    }
    TABLE.iter().filter(|r| r.tools.contains(&name.as_str())).find_map(|r| {
        let hit = match r.needs {
            Words(words) => has_words(args, words),
            WordsAndFlag(words, flags) => has_words(args, words) && flags.iter().any(|f| has_flag(args, f)),
            WordsAndFlagUnless(words, flags, unless) => {
                has_words(args, words) && flags.iter().any(|f| has_flag(args, f)) && !has_flag(args, unless)
            }
            WordsUnless(words, unless) => has_words(args, words) && !unless.iter().any(|f| has_flag(args, f)),
            Down { word, bare_is_all } => reverts_several(args, word, bare_is_all),
        };
        hit.then(|| format!("`{name}` {}; instead: {}", r.why, r.instead))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(line: &str) -> Option<String> {
        let argv: Vec<String> = line.split_whitespace().map(String::from).collect();
        judge(&argv)
    }

    #[test]
    fn tools_that_drop_or_reset() {
        for line in [
            "drizzle-kit push --force",
            "npx drizzle-kit push --force",
            "npx -y drizzle-kit@latest push --force=true",
            "pnpm exec drizzle-kit push --force",
            "pnpm dlx drizzle-kit push --force",
            "yarn drizzle-kit push --force",
            "bunx drizzle-kit push --force",
            "bun x drizzle-kit push --force",
            "npm exec -- drizzle-kit push --force",
            "node_modules/.bin/drizzle-kit push --force",
            "drizzle-kit drop",
            "dbmate drop",
            "dbmate -e DATABASE_URL drop",
            "atlas schema clean -u postgres://x",
            "atlas schema clean --auto-approve",
            "atlas schema apply --auto-approve -u x --to file://schema.hcl",
            "flyway clean",
            "flyway -url=jdbc:postgresql://x -cleanDisabled=false clean",
            "flyway migrate -cleanOnValidationError=true",
            "liquibase dropAll",
            "liquibase --url jdbc:x DROPALL",
            "liquibase drop-all",
            "npx sequelize-cli db:drop",
            "sequelize db:drop --env production",
            "yarn sequelize db:migrate:undo:all",
            "npx typeorm schema:drop -d src/data-source.ts",
            "npx typeorm-ts-node-commonjs schema:drop -d src/data-source.ts",
            "npx knex migrate:rollback --all",
            "knex --knexfile knexfile.js migrate:rollback --all",
            "npx mikro-orm schema:drop --run",
            "npx mikro-orm schema:fresh --run",
            "npx @mikro-orm/cli migration:fresh",
            "yarn workspace @acme/db drizzle-kit push --force",
            "node node_modules/drizzle-kit/bin.cjs push --force",
            "node ./node_modules/knex/bin/cli.js migrate:rollback --all",
            "docker run --rm -v ./sql:/flyway/sql flyway/flyway:10 -url=jdbc:x clean",
            "docker compose run --rm dbmate drop",
            "npx typeorm schema:sync -d src/data-source.ts",
            "npx mikro-orm schema:update --run",
            // Review round 2 (issue 19), finding 16.
            "migrate -database postgres://x -path db drop -f",
            "migrate -path db -database postgres://x down -all",
            "migrate -path db -database postgres://x down",
            "goose postgres postgres://x reset",
            "goose -dir db down-to 0",
            "npx node-pg-migrate down 999",
            "npx node-pg-migrate down --count Infinity",
            "npx db-migrate reset",
            "npx db-migrate db:drop shop",
            "npx kysely migrate down --all",
            "npx kysely migrate:rollback --all",
            "sqitch revert -y",
            "sqitch revert db:pg:shop",
            "pg_resetwal -f pgdata2",
            "turso db destroy mydb --yes",
        ] {
            let found = judged(line);
            assert!(found.as_deref().is_some_and(|w| w.contains("instead: ")), "{line}: {found:?}");
        }
    }

    /// Every way of starting a tool, around every row's command: found, or kept allowed.
    #[test]
    fn every_runner_spelling_reaches_the_tool() {
        let runners = [
            "",
            "npx ",
            "npx -y ",
            "npx --yes -p pkg ",
            "pnpm exec ",
            "pnpm dlx ",
            "pnpm --filter db exec ",
            "pnpm ",
            "yarn ",
            "yarn dlx ",
            "yarn workspace @acme/db ",
            "bunx ",
            "bun x ",
            "bun run ",
            "npm exec -- ",
            "npm x ",
            "corepack pnpm exec ",
            "node_modules/.bin/",
            "./node_modules/.bin/",
        ];
        let destructive = ["drizzle-kit push --force", "dbmate drop", "flyway clean", "knex migrate:rollback --all"];
        let harmless = ["drizzle-kit push", "dbmate up", "flyway migrate", "knex migrate:rollback"];
        for r in runners {
            for d in destructive {
                assert!(judged(&format!("{r}{d}")).is_some(), "{r}{d}");
            }
            for h in harmless {
                assert_eq!(judged(&format!("{r}{h}")), None, "{r}{h}");
            }
        }
    }

    #[test]
    fn tools_that_keep_the_data() {
        for line in [
            "drizzle-kit push",
            "drizzle-kit push --force=false",
            "drizzle-kit generate",
            "npx drizzle-kit migrate",
            "dbmate up",
            "dbmate new add_users",
            "atlas schema inspect -u x",
            "atlas schema apply -u x --to file://schema.hcl",
            "atlas migrate apply",
            "flyway migrate",
            "flyway info",
            "liquibase update",
            "npx sequelize-cli db:migrate",
            "sequelize db:migrate:undo",
            "npx typeorm migration:run -d src/data-source.ts",
            "knex migrate:latest",
            "knex migrate:rollback",
            "npx mikro-orm migration:up",
            "npx mikro-orm schema:update --run --safe",
            "npx mikro-orm schema:update --dump",
            "flyway clean --help",
            "npm run build",
            "git clean -fd",
            "echo flyway clean",
            "node scripts/clean.js",
            "docker run --rm flyway/flyway migrate",
            "migrate -path db -database postgres://x up",
            "migrate -path db -database postgres://x down 1",
            "goose up",
            "goose down",
            "npx node-pg-migrate down",
            "npx node-pg-migrate down 1",
            "npx node-pg-migrate up",
            "npx db-migrate up",
            "npx kysely migrate down",
            "sqitch revert --to @HEAD^ -y",
            "sqitch deploy",
            "pg_resetwal -n pgdata2",
            "turso db list",
            "npm run migrate",
        ] {
            assert_eq!(judged(line), None, "{line}");
        }
    }
}
