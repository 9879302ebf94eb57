//! The kinds of finding `check` and the agent hooks report, each with the safe way to get
//! what the command wanted: an agent told "no" should also be told what to do instead.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A destructive Prisma command (reset, force-reset, accept-data-loss, data-losing SQL).
    PrismaCommand,
    /// A schema change Prisma makes (migrate dev/deploy, db push): backed up first.
    SchemaChange,
    /// Prisma reached past the shim that backs up (`npx prisma@8`, its entry file).
    PastTheShim,
    /// Destructive SQL through a database client (psql, mysql, sqlite3 ...).
    DatabaseClient,
    /// The SQLite database file removed or overwritten.
    DatabaseFiles,
    /// The Docker volume holding the database deleted.
    DatabaseVolume,
    /// prisma-guard's backups deleted.
    Backups,
    /// Text only known when the line runs, in a line about prisma or a database.
    Hidden,
    /// prisma-guard, its hooks or Prisma's own agent check switched off.
    GuardOff,
    /// Another migration tool dropping or resetting the database (drizzle-kit, flyway ...).
    MigrationTool,
}

impl Class {
    /// What kind of finding it is, for people.
    pub fn label(self) -> &'static str {
        match self {
            Class::PrismaCommand => "destructive Prisma command",
            Class::SchemaChange => "schema change",
            Class::PastTheShim => "Prisma run past prisma-guard's shim",
            Class::DatabaseClient => "destructive SQL through a database client",
            Class::DatabaseFiles => "deleting or overwriting the database file",
            Class::DatabaseVolume => "deleting the database's Docker volume",
            Class::Backups => "deleting backups",
            Class::Hidden => "a command only known when the line runs",
            Class::GuardOff => "switching a guard off",
            Class::MigrationTool => "a migration tool dropping or resetting the database",
        }
    }

    /// The safe way to get what the command wanted.
    pub fn instead(self) -> &'static str {
        match self {
            Class::PrismaCommand => {
                "ask the user to run it in their own terminal, where prisma-guard backs up the database and asks them to type its name"
            }
            Class::SchemaChange => "run it through the project's prisma (`npx prisma ...`): prisma-guard backs up first",
            Class::PastTheShim => "run it as `npx prisma ...` with the project's own prisma, so prisma-guard backs up first",
            Class::DatabaseClient => {
                "take `prisma-guard backup` first, then ask the user to run it; put schema changes in a migration (`npx prisma migrate dev --create-only`)"
            }
            Class::DatabaseFiles => {
                "take `prisma-guard backup` first and ask the user; to keep a copy, `cp` the database somewhere else"
            }
            Class::DatabaseVolume => "`docker compose down` without `-v` stops the database and keeps its data",
            Class::Backups => "`prisma-guard prune` deletes backups by the retention policy, keeping the ones it must",
            Class::Hidden => "write the command out in full, with no variables or substitutions, so it can be checked",
            Class::GuardOff => "ask the user to make this change themselves",
            Class::MigrationTool => {
                "take `prisma-guard backup` first, then ask the user to run it in their own terminal; to change the schema, apply the tool's reviewed migrations"
            }
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
