//! The guard's steps around the backup: the summary and typed confirmation, the schemas the
//! SQL names, a database named with prisma-guard's own --url backed up too, and the schema
//! file kept before `db pull`.

use anyhow::Result;

use super::audit;
use super::classify::Risk;
use super::sequence::Guard;
use crate::backup::db::{self, Database};
use crate::backup::store::manifest::Trigger;
use crate::backup::{self, Request};
use crate::error::fail;

impl Guard<'_> {
    /// Back up a database named with prisma-guard's own --url too (when it is another one
    /// and it exists).
    pub(super) fn protect_also(&self, raw: &str, main: &db::Target) -> Result<()> {
        let url = crate::backup::db::url::DbUrl::parse(raw)
            .map_err(|e| fail(format!("{e} (in --url/PRISMA_GUARD_DATABASE_URL)")))?;
        let sqlite_path =
            (url.engine == crate::backup::db::url::Engine::Sqlite).then(|| self.settings.cwd.join(url.sqlite_path()));
        let target = db::Target { url, sqlite_path, schemas: Vec::new() };
        if target.describe() == main.describe() {
            return Ok(());
        }
        let db = db::open(target, &self.settings.tools)?;
        if !db.exists()? {
            return Ok(());
        }
        self.settings.printer.status(
            "Backing up",
            format!("{} too (named with --url/PRISMA_GUARD_DATABASE_URL)", db.target().describe()),
        );
        let trigger = Trigger { kind: "prisma".into(), argv: audit::redact_argv(&self.inv.args) };
        let m = backup::take(self.settings, db.as_ref(), &Request { label: Some("also-protected".into()), trigger })?;
        self.settings.printer.status("Saved", format!("backup {} ({} rows)", m.id, m.total_rows()));
        Ok(())
    }

    /// Show what will be lost and ask for the database name on the terminal.
    pub(super) fn confirm(&self, db: &dyn Database, cmd: &str, no_backup: bool, exists: bool) -> Result<()> {
        let counts = if exists { db.row_counts().unwrap_or_default() } else { Default::default() };
        let mut summary = String::new();
        summary.push_str(&format!("\n  {cmd}\n\n"));
        match self.risk {
            Risk::Destructive { why } => summary.push_str(&format!("This is destructive: {why}.\n")),
            Risk::SchemaChange { what } => summary.push_str(&format!("{what}.\n")),
            Risk::Safe => {}
        }
        summary.push_str(&format!("Database: {}\n", db.target().describe()));
        if !exists {
            summary.push_str("prisma-guard finds no such database, so there is nothing it can back up. Check the database Prisma names (its `Datasource` line) before you go on.\n");
        }
        let with_rows: Vec<_> = counts.iter().filter(|(_, n)| **n > 0).collect();
        if !exists {
            // Nothing to count and nothing to back up: said once, and no backup is promised.
        } else if with_rows.is_empty() {
            summary.push_str("It holds no rows.\n");
        } else {
            summary.push_str("Rows at risk:\n");
            for (table, n) in with_rows {
                summary.push_str(&format!("  {table}: {n}\n"));
            }
        }
        if !exists {
            summary.push_str("No backup is taken: there is no database to back up.\n");
        } else if no_backup {
            summary.push_str("NO backup will be taken (--no-backup).\n");
        } else {
            summary.push_str(&format!(
                "A backup is taken first, into {}; its id is printed, and `prisma-guard restore <id>` puts it back.\n",
                self.settings.backup_dir.display()
            ));
        }
        let action = match self.risk {
            Risk::Destructive { why } => format!("`{cmd}` is destructive ({why}) and"),
            _ if !exists => format!(
                "`{cmd}` on a database prisma-guard does not find (the Prisma config is more than it can read without running it, so Prisma may use another one)"
            ),
            _ => format!("`{cmd}` without a backup"),
        };
        crate::guard::confirm::typed(&summary, &db.name(), &action, cmd)
    }

    /// Schema names in the SQL the command will run: `db execute`'s, or the project's
    /// migrations for the commands that apply them.
    pub(super) fn named_schemas(&self) -> std::collections::BTreeSet<String> {
        if let Some(sql) = self.sql {
            return crate::sql::named_schemas(sql);
        }
        let applies = ["deploy", "dev", "resolve"].iter().any(|w| self.inv.is("migrate", w));
        let dir = self.settings.project.migrations_dir().filter(|_| applies);
        let mut names = std::collections::BTreeSet::new();
        for entry in dir.and_then(|d| std::fs::read_dir(d).ok()).into_iter().flatten().flatten() {
            if let Ok(sql) = std::fs::read_to_string(entry.path().join("migration.sql")) {
                names.extend(crate::sql::named_schemas(&sql));
            }
        }
        names
    }
    /// `db pull` overwrites the schema file: keep a copy in the backup folder first.
    pub(super) fn keep_schema_copy(&self) {
        let Some(schema) = self.settings.project.schema.as_ref().filter(|s| s.is_file()) else { return };
        let Ok(store) = crate::backup::store::Store::create(&self.settings.backup_dir) else { return };
        let stamp = store.new_id(std::time::SystemTime::now(), Some("schema-before-db-pull"));
        let dest = store.dir().join(format!("{stamp}.prisma"));
        if let Ok(text) = std::fs::read(schema) {
            if crate::backup::store::io::write_atomic(&dest, &text).is_ok() {
                self.settings.printer.status("Saved", format!("a copy of {} as {}", schema.display(), dest.display()));
            }
        }
    }
}
