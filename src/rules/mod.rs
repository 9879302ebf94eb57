//! The rule catalog: stable ids, severities, and the words shown with each finding.
//! `docs/rules.md` has one section per rule; a unit test keeps the two in step.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Found in migration SQL.
    Sql,
    /// Found in scripts, CI files, Dockerfiles.
    Command,
    /// About prisma-guard's own comments.
    Meta,
}

impl Kind {
    /// The tag SARIF viewers show (`sql`, `command`, `meta`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Sql => "sql",
            Kind::Command => "command",
            Kind::Meta => "meta",
        }
    }
}

/// What the catalogue says about one rule.
#[derive(Debug)]
pub struct Rule {
    pub id: RuleId,
    pub severity: Severity,
    pub kind: Kind,
    /// Whether a finding means rows or values are lost (the scanner's recall is measured on these).
    pub data_loss: bool,
    /// One line: what was found.
    pub summary: &'static str,
    /// One line: what to do instead (docs/rules.md spells it out).
    pub help: &'static str,
}

/// Writes the [`RuleId`] enum and the [`RULES`] table from one list, so an id cannot exist
/// without its catalogue entry (and the table is in the enum's order: `RULES[id as usize]`).
macro_rules! catalogue {
    ($($variant:ident = $id:literal, $severity:ident, $kind:ident, $data_loss:literal, $summary:literal, $help:literal;)+) => {
        /// A rule's identity. Its stable kebab-case spelling (`drop-column`) is [`RuleId::as_str`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $($variant,)+
        }

        /// Every rule, in [`RuleId`] order.
        pub const RULES: &[Rule] = &[
            $(Rule {
                id: RuleId::$variant,
                severity: Severity::$severity,
                kind: Kind::$kind,
                data_loss: $data_loss,
                summary: $summary,
                help: $help,
            },)+
        ];

        impl RuleId {
            /// The id as users write it (reports, `prisma-guard-ignore` comments, `disable`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)+
                }
            }
        }
    };
}

catalogue! {
    DropTable = "drop-table", Error, Sql, true,
        "drops a table and every row in it",
        "Stop reading the table in the app first, back it up, then drop it in a later migration; rename it instead if you may need it back.";
    DropColumn = "drop-column", Error, Sql, true,
        "drops a column and the data in it",
        "Expand/contract: stop writing the column, deploy, copy its data where it belongs, deploy, then drop it in a later migration.";
    DropSchema = "drop-schema", Error, Sql, true,
        "drops a schema and everything in it",
        "Drop the tables you mean to one by one, after a backup; never drop a schema from a migration.";
    DropDatabase = "drop-database", Error, Sql, true,
        "drops a whole database",
        "Databases are created and dropped by operators, not migrations.";
    Truncate = "truncate", Error, Sql, true,
        "deletes every row of a table",
        "Delete the rows you mean with a WHERE clause, in batches, after a backup.";
    DeleteWithoutWhere = "delete-without-where", Error, Sql, true,
        "deletes every row of a table (no WHERE clause)",
        "Add a WHERE clause naming the rows to delete.";
    UpdateWithoutWhere = "update-without-where", Error, Sql, true,
        "overwrites a column in every row (no WHERE clause)",
        "Add a WHERE clause; a backfill of a column added in the same migration is fine and not reported.";
    DropOwned = "drop-owned", Error, Sql, true,
        "drops every table and object a role owns",
        "Drop the objects you mean one by one, after a backup; `REASSIGN OWNED` moves them instead.";
    DropCascade = "drop-cascade", Error, Sql, true,
        "drops a type, domain or extension with CASCADE, and every column that uses it",
        "Drop or convert the columns that use it first, in a reviewed migration; then drop it without CASCADE.";
    DropMaterializedView = "drop-materialized-view", Error, Sql, true,
        "drops a materialized view and the rows it holds",
        "Make sure its query can rebuild it (and how long that takes) before dropping it; back it up if it cannot.";
    DynamicSql = "dynamic-sql", Error, Sql, true,
        "a DO block, function body or EXECUTE drops or deletes data, or runs SQL text that mentions DROP/TRUNCATE/DELETE",
        "Write the statements out in the migration, with WHERE clauses, where a reviewer and the scanner can read them.";
    UnknownFunction = "unknown-function", Warning, Sql, false,
        "calls a function whose body is not in the SQL (it may change or delete data); `prisma db execute` asks a human first",
        "Put the function's statements in the migration, or define the function in it, so a reviewer and the scanner can read what it does.";
    MergeDelete = "merge-delete", Error, Sql, true,
        "MERGE ... WHEN MATCHED THEN DELETE deletes every matched row",
        "Delete the rows you mean with a DELETE ... WHERE that names them, after a backup.";
    AlterColumnType = "alter-column-type", Error, Sql, true,
        "changes a column's type; values that do not convert are lost or the migration fails",
        "Add a column of the new type, backfill it, switch the app over, then drop the old column.";
    DropEnumValue = "drop-enum-value", Error, Sql, true,
        "removes enum values; rows holding them make the migration fail or lose the value",
        "Update the rows that hold the value first (UPDATE ... WHERE col = 'OLD'), then remove the value.";
    SetNotNull = "set-not-null", Warning, Sql, false,
        "makes an existing column required; fails when a row holds NULL",
        "Backfill the NULLs in the same migration (UPDATE ... WHERE col IS NULL) before SET NOT NULL.";
    AddRequiredColumn = "add-required-column", Warning, Sql, false,
        "adds a required column without a default to an existing table; fails when the table has rows",
        "Add the column with a DEFAULT, or nullable, backfill it, then make it required.";
    RenameTable = "rename-table", Warning, Sql, false,
        "renames a table; the running app still uses the old name",
        "Create the new table (or a view), copy, switch the app, then drop the old one.";
    RenameColumn = "rename-column", Warning, Sql, false,
        "renames a column; the running app still uses the old name",
        "Add the new column, write both, backfill, switch reads, then drop the old column.";
    DropConstraint = "drop-constraint", Warning, Sql, false,
        "drops a constraint (foreign key, unique, check or primary key)",
        "Make sure nothing relies on it; re-adding it later can fail on rows written meanwhile.";
    DropDefault = "drop-default", Warning, Sql, false,
        "drops a column default; inserts that relied on it start failing",
        "Deploy app code that sets the value itself before dropping the default.";
    PrismaWarning = "prisma-warning", Warning, Sql, false,
        "Prisma warned about this statement when it generated the migration",
        "Read Prisma's warning at the top of migration.sql and make sure it cannot happen in production.";
    PrismaMigrateReset = "prisma-migrate-reset", Error, Command, true,
        "`prisma migrate reset` drops the database and every row in it",
        "Use it only against a throwaway database, by hand; scripts and CI should run `prisma migrate deploy`.";
    PrismaForceReset = "prisma-force-reset", Error, Command, true,
        "`prisma db push --force-reset` drops every table and row",
        "Use `prisma migrate dev` to create a migration and `prisma migrate deploy` to apply it.";
    PrismaAcceptDataLoss = "prisma-accept-data-loss", Error, Command, true,
        "`prisma db push --accept-data-loss` drops columns and tables that hold data",
        "Create a migration with `prisma migrate dev --create-only`, read it, and apply it with `migrate deploy`.";
    PrismaDbExecuteDataLoss = "prisma-db-execute-data-loss", Error, Command, true,
        "`prisma db execute --file` runs SQL that loses data",
        "Put schema changes in a migration (`prisma migrate dev --create-only`), and data deletes behind a WHERE clause, reviewed.";
    PrismaMigrateDevInProduction = "prisma-migrate-dev-in-production", Error, Command, false,
        "`prisma migrate dev` in a build or deploy step can reset the database",
        "Production builds and deploys run `prisma migrate deploy`.";
    PrismaDbPushInProduction = "prisma-db-push-in-production", Error, Command, false,
        "`prisma db push` in a build or deploy step changes the schema with no migration history",
        "Production builds and deploys run `prisma migrate deploy` with committed migrations.";
    DatabaseClientDataLoss = "database-client-data-loss", Error, Command, true,
        "a database client runs SQL that loses data, or drops a whole database",
        "Put schema changes in a migration and data deletes behind a reviewed WHERE clause; take `prisma-guard backup` before a reset.";
    DatabaseVolumeDeleted = "database-volume-deleted", Error, Command, true,
        "deletes the Docker volume that holds the project's database",
        "`docker compose down` without `-v` stops the database and keeps its data.";
    DestructiveCommand = "destructive-command", Error, Command, true,
        "a command that `prisma-guard check` refuses: it deletes or overwrites the data, or runs something that may and that cannot be checked",
        "Run it by hand after `prisma-guard backup`, or write out what it runs (no recipe variables or text fed to a shell) so it can be checked.";
    UnparsedCommand = "unparsed-command", Warning, Command, false,
        "a command that mentions prisma could not be parsed",
        "Fix the shell syntax (unbalanced quotes or parentheses) so it can be checked.";
    IgnoreWithoutReason = "ignore-without-reason", Error, Meta, false,
        "a prisma-guard-ignore comment without a reason",
        "Write why after a colon: `-- prisma-guard-ignore drop-column: column unused since v2.3`.";
    IgnoreUnknownRule = "ignore-unknown-rule", Warning, Meta, false,
        "a prisma-guard-ignore comment names a rule that does not exist",
        "Use a rule id from docs/rules.md.";
    TripwireOff = "tripwire-off", Error, Sql, false,
        "drops, disables or changes prisma-guard's PostgreSQL tripwire (its schema, functions or triggers), or sets session_replication_role = replica",
        "Remove the tripwire with `prisma-guard unprotect`, run by a person, never from SQL an agent or a migration runs.";
    MigrationToolDataLoss = "migration-tool-data-loss", Error, Command, true,
        "a migration tool drops the database or every table, reverts every migration, or approves data loss unasked",
        "Run the tool's reviewed forward migrations; take `prisma-guard backup` first and let a person run a drop or reset by hand.";
}

impl RuleId {
    /// The rule a user names, if there is one.
    pub fn parse(id: &str) -> Option<RuleId> {
        RULES.iter().map(|r| r.id).find(|r| r.as_str() == id)
    }

    /// The rule's catalogue entry.
    pub fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }

    pub fn severity(self) -> Severity {
        self.rule().severity
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_enum_order_and_ids_parse_back() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.id as usize, i);
            assert_eq!(RuleId::parse(r.id.as_str()), Some(r.id));
        }
        assert_eq!(RuleId::parse("drop-colum"), None);
        assert_eq!(RuleId::DropColumn.to_string(), "drop-column");
    }

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let docs = include_str!("../../docs/rules.md");
        let kebab = regex::Regex::new("^[a-z][a-z0-9]*(-[a-z0-9]+)*$").expect("regex");
        for (i, r) in RULES.iter().enumerate() {
            let id = r.id.as_str();
            assert!(kebab.is_match(id), "{id} is not kebab-case");
            assert!(RULES[..i].iter().all(|o| o.id.as_str() != id), "duplicate id {id}");
            assert!(docs.contains(&format!("## `{id}`")), "docs/rules.md has no section for {id}");
        }
    }
}
