//! Migration analysis: which statements lose data or may fail, read the way Prisma writes
//! migrations, for PostgreSQL, MySQL and SQLite.
//!
//! Prisma-aware:
//! - SQLite `RedefineTables` (`CREATE TABLE "new_X"`, `INSERT INTO "new_X" (...) SELECT ...
//!   FROM "X"`, `DROP TABLE "X"`, `ALTER TABLE "new_X" RENAME TO "X"`) preserves data; only the
//!   columns it does not copy are reported (from the earlier schema or Prisma's warnings).
//! - PostgreSQL enum recreation (`CREATE TYPE "E_new"`, `ALTER COLUMN ... TYPE "E_new"`,
//!   `ALTER TYPE "E" RENAME TO "E_old"`, `DROP TYPE "E_old"`) is one `drop-enum-value` finding
//!   naming the values removed.
//! - The `Warnings:` block is tied to the statements it warns about.
//! - A backfill (`UPDATE t SET c = ...` of a column added in the same migration), a re-added
//!   constraint, and columns of tables created in the same migration are not reported.

mod ddl;
mod dml;
mod dynamic;
mod functions;
mod readings;
mod routines;
mod rows;
mod tables;
mod tautology;
mod tie;

use crate::rules::RuleId;
use std::collections::BTreeMap;

pub use readings::{
    backslash_sensitive, cr_reading, cr_sensitive, lite_reading, lite_sensitive, mysql_reading, mysql_sensitive,
};
use rows::*;
use tables::*;
use tie::*;

use super::lex::{lex, Lexed, Piece};
use super::schema::{key, mysql_enum_values, widens, Column, Schema, Table};
use super::tokens::{matching_paren, name_at, split_commas, Tk, Tok};
use super::warnings::{self, About, Warning};

/// One finding in a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFinding {
    pub rule: RuleId,
    /// Byte offset in the file of what the finding points at.
    pub offset: usize,
    /// Index of the statement in [`Analysis::statements`] (`None`: the warnings block).
    pub statement: Option<usize>,
    pub message: String,
    /// Prisma's own warning about this statement, when it wrote one.
    pub prisma_warning: Option<String>,
    subject: Subject,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Subject {
    table: Option<String>,
    column: Option<String>,
    enum_name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Where the statements are in the migration.
    pub statements: Vec<Piece>,
    pub findings: Vec<SqlFinding>,
    /// A rule needed a table, column or enum the schema given did not know: the result may
    /// change with the earlier migrations replayed.
    pub needs_history: bool,
}

/// Analyse one migration against `schema` (what earlier migrations built), updating it.
pub fn analyze(sql: &str, schema: &mut Schema) -> Analysis {
    analyze_prepared(prepare(sql), sql, schema)
}

/// The schema-independent half of the work (statements, tokens, Prisma's warnings): it can
/// run in parallel over many files, while [`analyze_prepared`] runs in migration order.
pub struct Prepared {
    lexed: Lexed,
    warnings: Vec<Warning>,
}

pub fn prepare(sql: &str) -> Prepared {
    let warnings = warnings::read(sql);
    // Statements no rule reads (indexes, comments, grants...) are not tokenized, unless a
    // Prisma warning may need to be tied to one of them.
    let lexed = lex(sql, !warnings.is_empty());
    Prepared { lexed, warnings }
}

/// [`analyze`] with PostgreSQL's standard strings (a backslash is an ordinary character).
pub fn analyze_standard_strings(sql: &str, schema: &mut Schema) -> Analysis {
    let warnings = warnings::read(sql);
    let lexed = crate::sql::lex::lex_with(sql, !warnings.is_empty(), false);
    analyze_prepared(Prepared { lexed, warnings }, sql, schema)
}

/// Findings of `b` that `a` does not have (same rule at the same place), added to `a`.
pub fn merge_findings(a: &mut Analysis, b: Analysis) {
    for f in b.findings {
        if !a.findings.iter().any(|x| x.rule == f.rule && x.offset == f.offset) {
            a.findings.push(f);
        }
    }
    a.findings.sort_by_key(|f| f.offset);
}

/// Judge a migration prepared from `sql` against `schema`, updating it.
pub fn analyze_prepared(prepared: Prepared, sql: &str, schema: &mut Schema) -> Analysis {
    let Prepared { lexed, warnings } = prepared;
    let toks = lexed.toks(sql);
    let statements = &lexed.statements;
    let mut a = Analyzer { schema, missed: false, state: State::default(), findings: Vec::new() };
    for (i, s) in statements.iter().enumerate() {
        a.statement(i, s.offset, &toks[s.toks()], s.text(sql));
    }
    a.finish();
    let needs_history = a.missed;
    let mut findings = a.findings;
    // Statements that switch off prisma-guard's own tripwire.
    for (offset, message) in super::tripwire_tamper::switches_off(sql) {
        let statement = statements.iter().position(|s| s.offset == offset);
        let subject = Subject::default();
        findings.push(SqlFinding {
            rule: RuleId::TripwireOff,
            offset,
            statement,
            message,
            prisma_warning: None,
            subject,
        });
    }
    tie_warnings(warnings, statements, &toks, &mut findings);
    findings.sort_by_key(|f| f.offset);
    drop(toks);
    Analysis { statements: lexed.statements, findings, needs_history }
}

struct Redefined {
    statement: usize,
    offset: usize,
    /// Columns before, when the schema knows them.
    before: Option<Vec<String>>,
    table: String,
}

struct NewEnum {
    display: String,
    values: Vec<String>,
    statement: usize,
    offset: usize,
    before: Option<Vec<String>>,
}

/// Names met in one migration, compared as SQL compares unquoted names (ASCII case
/// ignored). A migration names a few tables: a list searched in order, not a tree whose
/// every insert allocates a node and a lower-cased copy of the name.
#[derive(Default)]
struct Names(Vec<String>);

impl Names {
    fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Kept lower-cased (the form findings name them in).
    fn insert(&mut self, name: &str) {
        if !self.contains(name) {
            self.0.push(key(name));
        }
    }

    fn remove(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|n| !n.eq_ignore_ascii_case(name));
        self.0.len() != before
    }
}

/// (table, column) pairs met in one migration, compared as [`Names`] are.
#[derive(Default)]
struct Pairs(Vec<(String, String)>);

impl Pairs {
    fn contains(&self, table: &str, column: &str) -> bool {
        self.0.iter().any(|(t, c)| t.eq_ignore_ascii_case(table) && c.eq_ignore_ascii_case(column))
    }

    fn insert(&mut self, table: &str, column: &str) {
        if !self.contains(table, column) {
            self.0.push((key(table), key(column)));
        }
    }
}

/// Facts gathered while reading one migration.
#[derive(Default)]
struct State {
    created: Names,
    added: Pairs,
    backfilled: Pairs,
    /// `new_X` -> columns copied into it (from the INSERT), and the statement.
    copies: BTreeMap<String, Vec<String>>,
    /// Enum name -> (new values, statement index, offset, values before) for `CREATE TYPE "E_new"`.
    new_enums: BTreeMap<String, NewEnum>,
    /// Enums renamed to `E_old` (recreated).
    renamed_old: Names,
    /// Constraint names added in this migration.
    added_constraints: Names,
    /// Tables gaining a primary key in this migration.
    added_pk: Names,
    /// Dropped constraints: (name or "PRIMARY KEY", table, statement, offset).
    dropped_constraints: Vec<(String, String, usize, usize)>,
    dropped_tables: Names,
    /// Tables redefined (`DROP TABLE "X"` with a `new_X` copy): X -> (statement, offset, columns before).
    redefined: BTreeMap<String, Redefined>,
    /// Functions and procedures this migration creates (their bodies judged there).
    functions: Names,
    /// Of those, the ones whose bodies delete, drop, truncate or update: a call of one runs
    /// that, whatever condition the body gives it.
    changing_functions: Names,
    /// Columns added here and filled in every row from other columns: (table, new, the
    /// columns its values came from).
    filled_from: Vec<(String, String, Vec<String>)>,
    /// Columns dropped here.
    dropped_columns: Pairs,
    /// Defaults dropped: (table, column, statement, offset); and columns given one again.
    dropped_defaults: Vec<(String, String, usize, usize)>,
    set_defaults: Pairs,
}

struct Analyzer<'s> {
    schema: &'s mut Schema,
    /// A rule looked up a table, column or enum the schema does not know.
    missed: bool,
    state: State,
    findings: Vec<SqlFinding>,
}

fn starts(toks: &[Tok], words: &[&str]) -> bool {
    words.len() <= toks.len() && words.iter().zip(toks).all(|(w, t)| t.is(w))
}

/// `i + 1` when the word at `i` is the optional keyword `kw`, else `i`.
fn opt(toks: &[Tok], i: usize, kw: &str) -> usize {
    if toks.get(i).is_some_and(|x| x.is(kw)) {
        i + 1
    } else {
        i
    }
}

/// Skip `IF EXISTS` / `IF NOT EXISTS` at `i`.
fn skip_if(toks: &[Tok], i: usize) -> usize {
    if starts(&toks[i.min(toks.len())..], &["IF", "NOT", "EXISTS"]) {
        i + 3
    } else if starts(&toks[i.min(toks.len())..], &["IF", "EXISTS"]) {
        i + 2
    } else {
        i
    }
}

impl Analyzer<'_> {
    fn report(&mut self, rule: RuleId, stmt: usize, offset: usize, message: String, subject: Subject) {
        self.findings.push(SqlFinding { rule, offset, statement: Some(stmt), message, prisma_warning: None, subject });
    }

    fn statement(&mut self, i: usize, base: usize, t: &[Tok], text: &str) {
        let at = |k: usize| t.get(k).map_or(base, |x| x.pos);
        if t.is_empty() {
            // Not tokenized (no rule reads it), but a unique index it creates puts one
            // back that the migration dropped.
            if let Some(name) = ddl::unique_index_created(text) {
                self.state.added_constraints.insert(&name);
            }
            return;
        }
        // Data changes nested in the statement (`WITH d AS (DELETE ...)`, `INSERT ... SELECT`
        // from a data-modifying CTE).
        if !starts(t, &["DELETE"]) && !starts(t, &["UPDATE"]) {
            self.nested_changes(i, t);
        }
        if self.runs_code(i, base, t, text) {
            return;
        }
        self.unknown_calls(i, at(0), t);
        if self.runs_other_sql(i, base, t, text) || self.changes_rows(i, base, t) {
            return;
        }
        self.changes_schema(i, base, t);
    }

    /// Judgements that need the whole migration.
    fn finish(&mut self) {
        // Enum recreations: one finding naming the removed values.
        for (name, e) in std::mem::take(&mut self.state.new_enums) {
            if !self.state.renamed_old.contains(&name) {
                continue;
            }
            let NewEnum { display, values, statement: i, offset, before } = e;
            let subject = Subject { enum_name: Some(display.clone()), ..Subject::default() };
            match before {
                Some(before) => {
                    let removed: Vec<String> = before.iter().filter(|v| !values.contains(v)).cloned().collect();
                    if !removed.is_empty() {
                        self.report(
                            RuleId::DropEnumValue,
                            i,
                            offset,
                            format!("recreates enum `{display}` without {}", list(&removed)),
                            subject,
                        );
                    }
                }
                None => self.report(
                    RuleId::DropEnumValue,
                    i,
                    offset,
                    format!(
                        "recreates enum `{display}` with only {}; values not in that list are removed",
                        list(&values)
                    ),
                    subject,
                ),
            }
        }
        // RedefineTables: the columns not copied into new_X.
        for (k, r) in std::mem::take(&mut self.state.redefined) {
            let Redefined { statement: i, offset, before, table } = r;
            let copied = self.state.copies.get(&format!("new_{k}")).cloned().unwrap_or_default();
            let lost: Vec<String> = before
                .unwrap_or_default()
                .into_iter()
                .filter(|c| !copied.iter().any(|x| x.eq_ignore_ascii_case(c)))
                .collect();
            for column in lost {
                self.report(
                    RuleId::DropColumn,
                    i,
                    offset,
                    format!("redefines table `{table}` without column `{column}`; its data is lost"),
                    Subject { table: Some(table.clone()), column: Some(column), ..Subject::default() },
                );
            }
        }
        // Dropped defaults that are not set again (Prisma's enum recreation drops a column's
        // default, changes its type and sets it back).
        for (table, column, i, offset) in std::mem::take(&mut self.state.dropped_defaults) {
            if !self.state.set_defaults.contains(&table, &column) {
                self.report(
                    RuleId::DropDefault,
                    i,
                    offset,
                    format!("drops the default of `{table}`.`{column}`"),
                    Subject { table: Some(table), column: Some(column), ..Subject::default() },
                );
            }
        }
        // Dropped constraints that are not added back.
        for (name, table, i, offset) in std::mem::take(&mut self.state.dropped_constraints) {
            let readded = if name == "PRIMARY KEY" {
                self.state.added_pk.contains(&table)
            } else {
                self.state.added_constraints.contains(&name)
            };
            if readded || self.state.dropped_tables.contains(&table) || self.state.created.contains(&table) {
                continue;
            }
            let what =
                if name == "PRIMARY KEY" { "the primary key".to_string() } else { format!("constraint `{name}`") };
            self.report(
                RuleId::DropConstraint,
                i,
                offset,
                format!("drops {what} of `{table}`"),
                Subject { table: Some(table), ..Subject::default() },
            );
        }
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => "columns".to_string(),
        [one] => format!("`{one}`"),
        _ => items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enum_recreation_that_sets_the_default_again_drops_no_default() {
        let rules = |sql: &str| {
            let mut schema = Schema::default();
            analyze("CREATE TABLE \"User\" (\"id\" INT, \"role\" TEXT DEFAULT 'USER', \"email\" TEXT);\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");", &mut schema);
            analyze(sql, &mut schema).findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>()
        };
        let recreated = "ALTER TABLE \"User\" ALTER COLUMN \"role\" DROP DEFAULT;\nALTER TABLE \"User\" ALTER COLUMN \"role\" TYPE TEXT USING (\"role\"::text);\nALTER TABLE \"User\" ALTER COLUMN \"role\" SET DEFAULT 'USER';\n";
        assert_eq!(rules(recreated), Vec::<&str>::new());
        assert_eq!(rules("ALTER TABLE \"User\" ALTER COLUMN \"role\" DROP DEFAULT;"), vec!["drop-default"]);
        // Removing @unique: Prisma drops the unique index, as drop-constraint warns.
        assert_eq!(rules("-- DropIndex\nDROP INDEX \"User_email_key\";"), vec!["drop-constraint"]);
        assert_eq!(rules("DROP INDEX \"User_email_key\";\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\", \"id\");"), Vec::<&str>::new());
        assert_eq!(rules("DROP INDEX \"User_email_idx\";"), Vec::<&str>::new());
    }

    #[test]
    fn a_temporary_column_that_takes_the_old_ones_name_loses_nothing() {
        let rules = |sql: &str| {
            analyze(sql, &mut Schema::default()).findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>()
        };
        let moved = "ALTER TABLE \"User\" ADD COLUMN \"email_new\" TEXT;\nUPDATE \"User\" SET \"email_new\" = \"email\";\nALTER TABLE \"User\" DROP COLUMN \"email\";\nALTER TABLE \"User\" RENAME COLUMN \"email_new\" TO \"email\";\n";
        assert_eq!(rules(moved), Vec::<&str>::new());
        let cast = moved.replace("= \"email\"", "= CAST(\"email\" AS VARCHAR(320))");
        assert_eq!(rules(&cast), Vec::<&str>::new());
        // Filled from something else, or only some rows: the old column's data is lost.
        let other = moved.replace("= \"email\"", "= \"name\"");
        assert!(rules(&other).contains(&"drop-column"), "{:?}", rules(&other));
        let some = moved.replace("= \"email\";", "= \"email\" WHERE id < 10;");
        assert!(rules(&some).contains(&"drop-column"), "{:?}", rules(&some));
        // Review (issue 22, round 7): overwritten after the backfill, or MySQL's LIMIT.
        let overwritten = moved.replace("= \"email\";", "= \"email\";\nUPDATE \"User\" SET \"email_new\" = 'x';");
        assert!(rules(&overwritten).contains(&"drop-column"), "{:?}", rules(&overwritten));
        let limited = moved.replace("= \"email\";", "= \"email\" LIMIT 5;");
        assert!(rules(&limited).contains(&"drop-column"), "{:?}", rules(&limited));
        let nulls = moved.replace(
            "= \"email\";",
            "= \"email\";\nUPDATE \"User\" SET \"email_new\" = '' WHERE \"email_new\" IS NULL;",
        );
        assert_eq!(rules(&nulls), Vec::<&str>::new(), "filling the rows still NULL loses nothing");
    }

    /// Findings as `line rule: message [prisma: warning]`, one per line: a snapshot.
    fn snapshot(sql: &str, schema: &mut Schema) -> String {
        let a = analyze(sql, schema);
        a.findings
            .iter()
            .map(|f| {
                let line = 1 + sql[..f.offset].matches('\n').count();
                let w = f
                    .prisma_warning
                    .as_ref()
                    .map(|w| format!(" [prisma: {}]", &w[..w.len().min(40)]))
                    .unwrap_or_default();
                format!("{line} {}: {}{w}", f.rule, f.message)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn fresh(sql: &str) -> String {
        snapshot(sql, &mut Schema::default())
    }

    #[test]
    fn postgres_drops_with_prisma_warnings() {
        let sql = r#"/*
  Warnings:

  - You are about to drop the column `bio` on the `User` table. All the data in the column will be lost.
  - You are about to drop the `Post` table. If the table is not empty, all the data it contains will be lost.
  - A unique constraint covering the columns `[email]` on the table `User` will be added. If there are existing duplicate values, this will fail.

*/
-- DropForeignKey
ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";

-- AlterTable
ALTER TABLE "User" DROP COLUMN "bio",
ADD COLUMN     "nickname" TEXT;

-- DropTable
DROP TABLE "Post";

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
"#;
        assert_eq!(
            fresh(sql),
            "13 drop-column: drops column `bio` of `User` and the data in it [prisma: You are about to drop the column `bio` o]
17 drop-table: drops table `Post` and every row in it [prisma: You are about to drop the `Post` table. ]
20 prisma-warning: Prisma warned: A unique constraint covering the columns `[email]` on the table `User` will be added. If there are existing duplicate values, this will fail. [prisma: A unique constraint covering the columns]"
        );
    }

    #[test]
    fn sqlite_redefine_tables_reports_only_lost_columns() {
        let mut schema = Schema::default();
        let init = r#"CREATE TABLE "notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "from_user" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "is_read" BOOLEAN NOT NULL DEFAULT false
);"#;
        assert_eq!(snapshot(init, &mut schema), "");
        let before = schema.clone();
        let redefine = r#"-- RedefineTables
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "message" TEXT NOT NULL,
    "is_read" BOOLEAN NOT NULL DEFAULT false,
    "url_path" TEXT
);
INSERT INTO "new_notification" ("id", "is_read", "message") SELECT "id", "is_read", "message" FROM "notification";
DROP TABLE "notification";
ALTER TABLE "new_notification" RENAME TO "notification";
PRAGMA foreign_key_check;
PRAGMA foreign_keys=ON;
"#;
        assert_eq!(
            snapshot(redefine, &mut schema),
            "10 drop-column: redefines table `notification` without column `from_user`; its data is lost"
        );
        assert_eq!(
            schema.table("notification").map(|t| t.columns.len()),
            Some(4),
            "the schema follows the redefinition"
        );
        // A redefinition that keeps every column is silent.
        let keep = redefine.replace(
            "(\"id\", \"is_read\", \"message\") SELECT \"id\", \"is_read\", \"message\"",
            "(\"id\", \"from_user\", \"is_read\", \"message\") SELECT \"id\", \"from_user\", \"is_read\", \"message\"",
        );
        assert_ne!(keep, redefine);
        let mut schema2 = before;
        assert_eq!(snapshot(&keep, &mut schema2), "");
    }

    #[test]
    fn sqlite_redefine_without_history_uses_prisma_warnings() {
        let sql = r#"/*
  Warnings:

  - You are about to drop the column `to_user` on the `notification` table. All the data in the column will be lost.
  - Added the required column `order` to the `notification` table without a default value. This is not possible if the table is not empty.

*/
-- RedefineTables
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_notification" ("id" TEXT NOT NULL PRIMARY KEY, "order" REAL NOT NULL);
INSERT INTO "new_notification" ("id") SELECT "id" FROM "notification";
DROP TABLE "notification";
ALTER TABLE "new_notification" RENAME TO "notification";
PRAGMA foreign_keys=ON;
"#;
        assert_eq!(
            fresh(sql),
            "11 add-required-column: adds required column `order` to `notification` without a default; copying existing rows fails [prisma: Added the required column `order` to the]
12 drop-column: redefines table `notification` without column `to_user`; its data is lost [prisma: You are about to drop the column `to_use]"
        );
    }

    #[test]
    fn postgres_enum_recreation_is_one_finding() {
        let mut schema = Schema::default();
        snapshot(r#"CREATE TYPE "Type" AS ENUM ('BUY', 'ITEM', 'SELL');"#, &mut schema);
        let sql = r#"-- AlterEnum
BEGIN;
CREATE TYPE "public"."Type_new" AS ENUM ('BUY', 'SELL');
ALTER TABLE "public"."Order" ALTER COLUMN "type" TYPE "public"."Type_new" USING ("type"::text::"public"."Type_new");
ALTER TYPE "public"."Type" RENAME TO "Type_old";
ALTER TYPE "public"."Type_new" RENAME TO "Type";
DROP TYPE "public"."Type_old";
COMMIT;"#;
        assert_eq!(snapshot(sql, &mut schema), "3 drop-enum-value: recreates enum `Type` without `ITEM`");
        assert_eq!(schema.enums.get("type"), Some(&vec!["BUY".to_string(), "SELL".to_string()]));
        assert_eq!(
            fresh(sql),
            "3 drop-enum-value: recreates enum `Type` with only `BUY`, `SELL`; values not in that list are removed"
        );
        // Adding a value is harmless.
        assert_eq!(fresh("ALTER TYPE \"Type\" ADD VALUE 'FEE';"), "");
    }

    #[test]
    fn backfill_then_not_null_is_the_safe_pattern() {
        let sql = r#"ALTER TABLE "collaborator" ADD COLUMN "resource_id" TEXT;
UPDATE "collaborator" SET "resource_id" = "space_id";
ALTER TABLE "collaborator" ALTER COLUMN "resource_id" SET NOT NULL;"#;
        assert_eq!(fresh(sql), "");
        assert_eq!(
            fresh("ALTER TABLE \"User\" ALTER COLUMN \"name\" SET NOT NULL;\nUPDATE \"User\" SET \"role\" = 'USER';"),
            "1 set-not-null: makes `User`.`name` required; fails if a row holds NULL
2 update-without-where: overwrites `role` in every row of `User` (no WHERE clause)"
        );
    }

    #[test]
    fn required_columns_types_renames_defaults() {
        let sql = r#"ALTER TABLE "User" ADD COLUMN "slug" TEXT NOT NULL,
ADD COLUMN "score" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "n" SERIAL NOT NULL;
ALTER TABLE "User" ALTER COLUMN "age" SET DATA TYPE SMALLINT;
ALTER TABLE "User" ALTER COLUMN "bio" SET DATA TYPE TEXT;
ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
ALTER TABLE "Account" RENAME TO "Wallet";
ALTER TABLE "User" ALTER COLUMN "createdAt" DROP DEFAULT;
ALTER INDEX "a" RENAME TO "b";"#;
        assert_eq!(
            fresh(sql),
            "1 add-required-column: adds required column `slug` to `User` without a default; fails when the table has rows
4 alter-column-type: changes the type of `User`.`age` to SMALLINT; values that do not convert are lost or fail
6 rename-column: renames column `name` of `User` to `fullName`
7 rename-table: renames table `Account` to `Wallet`
8 drop-default: drops the default of `User`.`createdAt`"
        );
    }

    #[test]
    fn constraints_dropped_and_readded_are_silent() {
        let sql = r#"ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE;
ALTER TABLE "Tag" DROP CONSTRAINT "Tag_pkey";"#;
        assert_eq!(fresh(sql), "3 drop-constraint: drops constraint `Tag_pkey` of `Tag`", "names as written");
    }

    #[test]
    fn mysql_modify_judged_against_history() {
        let mut schema = Schema::default();
        snapshot(
            "CREATE TABLE `User` (`id` INTEGER NOT NULL AUTO_INCREMENT, `name` VARCHAR(191) NULL, `role` ENUM('USER', 'ADMIN', 'GUEST') NOT NULL, `code` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4;",
            &mut schema,
        );
        let sql = "ALTER TABLE `User` MODIFY `name` VARCHAR(191) NOT NULL,\n    MODIFY `role` ENUM('USER', 'ADMIN') NOT NULL,\n    MODIFY `code` VARCHAR(50) NOT NULL,\n    DROP COLUMN `x`;";
        assert_eq!(
            snapshot(sql, &mut schema),
            "1 set-not-null: makes `User`.`name` required; fails if a row holds NULL
2 drop-enum-value: removes `GUEST` from the enum of `User`.`role`
3 alter-column-type: changes the type of `User`.`code` from VARCHAR(191) to VARCHAR(50); values that do not convert are lost or fail
4 drop-column: drops column `x` of `User` and the data in it"
        );
        assert_eq!(
            fresh("ALTER TABLE `User` CHANGE `name` `fullName` VARCHAR(191) NULL;"),
            "1 rename-column: renames column `name` of `User` to `fullName`
1 alter-column-type: redefines `User`.`name` as VARCHAR(191) (its earlier type is unknown)"
        );
    }

    #[test]
    fn tables_created_in_the_same_migration_are_free() {
        let sql = r#"CREATE TABLE "tmp" ("id" INT);
INSERT INTO "tmp" SELECT 1;
DELETE FROM "tmp";
ALTER TABLE "tmp" DROP COLUMN "id";
DROP TABLE "tmp";"#;
        assert_eq!(fresh(sql), "");
    }

    #[test]
    fn truncate_delete_schema_database() {
        assert_eq!(
            fresh(
                "TRUNCATE TABLE \"Session\";\nDELETE FROM \"Log\";\nDROP SCHEMA \"old\" CASCADE;\nDROP DATABASE app;"
            ),
            "1 truncate: deletes every row of `Session`
2 delete-without-where: deletes every row of `Log` (no WHERE clause)
3 drop-schema: drops a schema and everything in it (`old`)
4 drop-database: drops a whole database (`app`)"
        );
    }
}
