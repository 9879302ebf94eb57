//! An atomic restore for MySQL/MariaDB, which cannot roll DDL back: the dump is loaded into
//! a staging database, and only once the whole stream has been read and its checksum
//! verified are its tables moved in with one `RENAME TABLE` (atomic), the database's tables
//! moving to a trash database in the same statement. Views, triggers, routines and events (no rows) are then
//! recreated from the staging copies, in the same client run. A restore killed before the
//! swap leaves the database as it was, and a staging database that the next restore drops.

use std::io::{BufRead, Read, Write};
use std::process::Stdio;

use anyhow::{Context, Result};

use super::mysql::{quote_ident, Mysql};
use super::Target;
use crate::error::fail;
use crate::process::Running;

const STAGING_PREFIX: &str = "prisma_guard_restore_";

/// A database on the same server, dropped when this is dropped.
struct Temp<'a> {
    server: &'a Mysql,
    db: Mysql,
    name: String,
}

impl Drop for Temp<'_> {
    fn drop(&mut self) {
        let _ = self.server.query(&format!("DROP DATABASE IF EXISTS {}", quote_ident(&self.name)));
    }
}

fn temp_database<'a>(server: &'a Mysql, what: &str) -> Result<Temp<'a>> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let name = format!("{STAGING_PREFIX}{}_{what}_{nanos:x}", std::process::id());
    server.query(&format!("CREATE DATABASE {} CHARACTER SET utf8mb4", quote_ident(&name))).map_err(|e| {
        e.context(fail("could not create a staging database for the restore").hint(
            "MySQL cannot roll a half-done restore back, so prisma-guard restores into a staging database and swaps it in: the user needs CREATE and DROP on new databases (`GRANT ALL ON `prisma_guard_%`.* TO <user>`)",
        ))
    })?;
    let target = Target { url: server.target_url().with_database(&name), sqlite_path: None, schemas: Vec::new() };
    let db = Mysql::new(target, server.tools())?;
    Ok(Temp { server, db, name })
}

/// The lock a run's client sessions hold (its staging and trash databases are in use).
fn run_lock(pid: u32) -> String {
    format!("{STAGING_PREFIX}{pid}")
}

/// Staging databases of restores whose process is gone.
fn sweep(server: &Mysql) {
    let Ok(names) = server.query(&format!("SHOW DATABASES LIKE '{STAGING_PREFIX}%'")) else { return };
    for name in names {
        let pid =
            name.strip_prefix(STAGING_PREFIX).and_then(|r| r.split('_').next()).and_then(|p| p.parse::<u32>().ok());
        // A client may still be running a killed run's swap (it finishes on its own): its
        // session holds a lock named after the staging database.
        let Some(pid) = pid else { continue };
        let in_use = server
            .query(&format!("SELECT IS_USED_LOCK('{}') IS NOT NULL", run_lock(pid)))
            .map_or(true, |r| r.first().is_some_and(|v| v == "1"));
        if pid != std::process::id() && !crate::process::pid_alive(pid) && !in_use {
            let _ = server.query(&format!("DROP DATABASE IF EXISTS {}", quote_ident(&name)));
        }
    }
}

/// Restore `input` into `target`, all or nothing for its tables.
pub fn restore(target: &Mysql, input: &mut dyn Read) -> Result<()> {
    sweep(target);
    // A foreign key in another database that references these tables would follow them into
    // the trash database: refuse, as nothing could put it back.
    let outside = target.query(&format!(
        "SELECT CONCAT(constraint_schema, '.', table_name, ' (', constraint_name, ')') FROM information_schema.referential_constraints WHERE unique_constraint_schema = DATABASE() AND constraint_schema <> DATABASE() AND constraint_schema NOT LIKE '{}%' ORDER BY 1",
        STAGING_PREFIX.replace('_', "\\_")
    ))?;
    if !outside.is_empty() {
        return Err(fail(format!(
            "restoring would leave foreign keys of other databases pointing at the replaced tables: {}",
            outside.join(", ")
        ))
        .hint(
            "drop those foreign keys first (and add them back after), or restore into another database with --to <url>",
        )
        .into());
    }
    let staging = temp_database(target, "s")?;
    load(&staging.db, input)?;
    swap(target, &staging)
}

/// Stream the dump into `db`; any error leaves only the staging database touched.
fn load(db: &Mysql, input: &mut dyn Read) -> Result<()> {
    let (mut cmd, _options) = db.client_command()?;
    cmd.args(["--batch", "--binary-mode", "--default-character-set=utf8mb4"])
        .arg(db.name_str())
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    let mut running = Running::spawn(db.client(), cmd)?;
    let mut stdin = running.child.stdin.take().context("mysql has no stdin")?;
    let fed = stdin
        .write_all(
            format!("SELECT GET_LOCK('{}', 30);\nSET FOREIGN_KEY_CHECKS=0;\n", run_lock(std::process::id())).as_bytes(),
        )
        .and_then(|()| copy_unqualified(input, &mut stdin))
        .and_then(|()| stdin.write_all(b"\nSET FOREIGN_KEY_CHECKS=1;\n"));
    if fed.is_err() {
        let _ = running.child.kill();
    }
    drop(stdin);
    let finished = running.finish(db.redactor());
    match (fed, finished) {
        (Err(e), Err(child)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Err(child.context("the restore failed; the database is unchanged"))
        }
        (Err(e), _) => Err(anyhow::Error::new(e).context("could not read the whole backup; the database is unchanged")),
        (_, Err(e)) => Err(e.context("the restore failed; the database is unchanged")),
        (Ok(()), Ok(_)) => Ok(()),
    }
}

/// Copy the dump, with the database name taken out of the triggers that were created with
/// it (`CREATE TRIGGER db.t ... ON db.User`, which mariadb-dump writes as typed): restored
/// as written, they would land in the database the backup came from (or fail where it does
/// not exist), not in the one restored into. The source is the dump header's `Database:`.
fn copy_unqualified(input: &mut dyn Read, out: &mut dyn Write) -> std::io::Result<()> {
    let mut reader = std::io::BufReader::with_capacity(1 << 20, input);
    // Whole writes to the client's pipe, not one per line.
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    let mut source: Option<String> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return out.flush();
        }
        if source.is_none() && line.starts_with(b"-- Host: ") {
            let text = String::from_utf8_lossy(&line);
            source = text.split_once("Database: ").map(|(_, db)| db.trim_end_matches(['\r', '\n']).to_string());
        }
        let rewritten = match &source {
            Some(db) if line.starts_with(b"/*!50003 CREATE*/") => {
                std::str::from_utf8(&line).ok().and_then(|l| unqualified_trigger(l, db))
            }
            _ => None,
        };
        match rewritten {
            Some(l) => out.write_all(l.as_bytes())?,
            None => out.write_all(&line)?,
        }
    }
}

/// `... TRIGGER `db`.`t` BEFORE UPDATE ON db.`User` ...` without the `db` qualifiers (quoted
/// or bare); `None` when the line is no trigger of `db`'s.
fn unqualified_trigger(line: &str, db: &str) -> Option<String> {
    let quoted = format!("`{}`.", db.replace('`', "``"));
    let bare = format!("{db}.");
    let strip = |rest: &str| -> Option<usize> {
        [&quoted, &bare].into_iter().find(|q| rest.starts_with(q.as_str())).map(|q| q.len())
    };
    let at = line.find("*/ /*!50003 TRIGGER ")? + "*/ /*!50003 TRIGGER ".len();
    let mut out = line[..at].to_string();
    let mut rest = &line[at..];
    if let Some(n) = strip(rest) {
        rest = &rest[n..];
    }
    // The table follows ` ON ` after the trigger's name, time and event.
    let on = rest.find(" ON ")? + " ON ".len();
    out.push_str(&rest[..on]);
    rest = &rest[on..];
    if let Some(n) = strip(rest) {
        rest = &rest[n..];
    }
    out.push_str(rest);
    (out != line).then_some(out)
}

/// The `CREATE` statements of `db`'s views, triggers, routines and events, with `db`'s own
/// name taken out of them (they are recreated in another database).
fn definitions(db: &Mysql) -> Result<(Vec<String>, Vec<String>)> {
    let own = format!("{}.", quote_ident(db.name_str()));
    let clean = |s: &str| s.replace(&own, "");
    let mut creates = Vec::new();
    let mut triggers = Vec::new();
    // (kind, names, column of the definition, columns after it, column of sql_mode)
    for (kind, list, column, after, mode) in [
        ("VIEW", "SELECT table_name FROM information_schema.views WHERE table_schema = DATABASE() ORDER BY table_name", 1, 2, None),
        ("TRIGGER", "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE() ORDER BY trigger_name", 2, 4, Some(1)),
        ("PROCEDURE", "SELECT routine_name FROM information_schema.routines WHERE routine_schema = DATABASE() AND routine_type = 'PROCEDURE'", 2, 3, Some(1)),
        ("FUNCTION", "SELECT routine_name FROM information_schema.routines WHERE routine_schema = DATABASE() AND routine_type = 'FUNCTION'", 2, 3, Some(1)),
        ("EVENT", "SELECT event_name FROM information_schema.events WHERE event_schema = DATABASE()", 3, 3, Some(1)),
    ] {
        for name in db.query(list)? {
            let text = db.query_whole(&format!("SHOW CREATE {kind} {}", quote_ident(&name)))?;
            let fields: Vec<&str> = text.split('\t').collect();
            // A definition may hold tabs: it is everything between the fixed columns.
            let Some(body) = fields.get(column..fields.len().saturating_sub(after)).filter(|f| !f.is_empty()) else {
                return Err(fail(format!("SHOW CREATE {kind} {name} gave no definition")).into());
            };
            let mut create = String::new();
            if let Some(m) = mode.and_then(|m| fields.get(m)) {
                // Recreated under the sql_mode it was created with.
                create.push_str(&format!("SET SESSION sql_mode = '{}'\n$prisma_guard$\n", m.replace('\'', "''")));
            }
            create.push_str(&clean(&body.join("\t")));
            if kind == "TRIGGER" {
                triggers.push(name.clone());
            }
            creates.push(create);
        }
    }
    Ok((creates, triggers))
}

/// `DELIMITER` script of `CREATE` statements run in `db`.
fn creates_script(db: &str, creates: &[String]) -> String {
    let mut script = format!("USE {db};\nDELIMITER $prisma_guard$\n");
    for c in creates {
        script.push_str(c);
        script.push_str("\n$prisma_guard$\n");
    }
    script.push_str("DELIMITER ;\n");
    script
}

/// The swap as one script for one client (which runs it to the end even if prisma-guard is
/// killed meanwhile): triggers dropped (a table with triggers cannot move to another
/// database; the staging ones are recreated below, and the database's own are put back if the
/// RENAME fails); one `RENAME TABLE` (atomic) moving the current tables to a trash database
/// and the restored ones in; then views, routines and events dropped and the restored ones
/// created. Interrupted before the RENAME, the data is unchanged; after it, the data is the
/// backup's.
fn swap(target: &Mysql, staging: &Temp) -> Result<()> {
    let trash = temp_database(target, "t")?;
    let (creates, staging_triggers) = definitions(&staging.db)?;
    let (target_creates, target_triggers) = definitions(target)?;
    let db = quote_ident(target.name_str());
    let st = quote_ident(&staging.name);
    let tr = quote_ident(&trash.name);
    let old = target.tables()?;
    let new = staging.db.tables()?;
    // Held for the client's session: a sweep by another run leaves this staging database alone
    // while the script runs, even if prisma-guard itself is gone.
    let mut swap = format!("SELECT GET_LOCK('{}', 30);\nSET FOREIGN_KEY_CHECKS=0;\n", run_lock(std::process::id()));
    for t in &staging_triggers {
        swap.push_str(&format!("DROP TRIGGER {st}.{};\n", quote_ident(t)));
    }
    for t in &target_triggers {
        swap.push_str(&format!("DROP TRIGGER {db}.{};\n", quote_ident(t)));
    }
    let mut renames: Vec<String> = old.iter().map(|t| format!("{db}.{q} TO {tr}.{q}", q = quote_ident(t))).collect();
    renames.extend(new.iter().map(|t| format!("{st}.{q} TO {db}.{q}", q = quote_ident(t))));
    if !renames.is_empty() {
        swap.push_str(&format!("RENAME TABLE {};\n", renames.join(", ")));
    }
    for v in target.views()? {
        swap.push_str(&format!("DROP VIEW IF EXISTS {db}.{};\n", quote_ident(&v)));
    }
    for (kind, sql) in [
        ("PROCEDURE", "SELECT routine_name FROM information_schema.routines WHERE routine_schema = DATABASE() AND routine_type = 'PROCEDURE'"),
        ("FUNCTION", "SELECT routine_name FROM information_schema.routines WHERE routine_schema = DATABASE() AND routine_type = 'FUNCTION'"),
        ("EVENT", "SELECT event_name FROM information_schema.events WHERE event_schema = DATABASE()"),
    ] {
        for name in target.query(sql)? {
            swap.push_str(&format!("DROP {kind} IF EXISTS {db}.{};\n", quote_ident(&name)));
        }
    }
    swap.push_str(&creates_script(&db, &creates));
    swap.push_str("SET FOREIGN_KEY_CHECKS=1;\n");
    let done = target.run_script(&swap);
    if let Err(e) = done {
        let moved = new.is_empty() || !target.tables()?.is_empty() && staging.db.tables()?.is_empty();
        if !moved {
            // The RENAME did not happen: put the database's triggers back as they were.
            let triggers: Vec<String> =
                target_creates.iter().filter(|c| c.to_ascii_uppercase().contains(" TRIGGER ")).cloned().collect();
            let _ = target.run_script(&creates_script(&db, &triggers));
            return Err(e.context("the restore could not swap the restored tables in; the database is unchanged"));
        }
        return Err(e.context("the tables were restored, but recreating views, triggers, routines or events failed; run the restore again, or recreate them from the backup's dump (docs/restore-by-hand.md)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn triggers_lose_their_database_name() {
        let t = |l: &str| super::unqualified_trigger(l, "src");
        let head = "/*!50003 CREATE*/ /*!50017 DEFINER=`app`@`%`*/ /*!50003 TRIGGER ";
        assert_eq!(
            t(&format!("{head}`src`.`bump` BEFORE UPDATE ON `src`.`User` FOR EACH ROW SET NEW.seen = 1\n")).as_deref(),
            Some(format!("{head}`bump` BEFORE UPDATE ON `User` FOR EACH ROW SET NEW.seen = 1\n").as_str())
        );
        assert_eq!(
            t(&format!("{head}`src`.b3 AFTER INSERT ON src.`User` FOR EACH ROW SET @x = 1\n")).as_deref(),
            Some(format!("{head}b3 AFTER INSERT ON `User` FOR EACH ROW SET @x = 1\n").as_str())
        );
        assert_eq!(t(&format!("{head}b2 BEFORE INSERT ON User FOR EACH ROW SET NEW.seen = 5\n")), None);
        // Another database's name stays.
        assert_eq!(t(&format!("{head}`other`.b BEFORE INSERT ON `other`.`User` FOR EACH ROW SET @x = 1\n")), None);
    }
}
