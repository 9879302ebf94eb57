//! MySQL and MariaDB through `mysqldump --single-transaction` and the `mysql` client.
//!
//! Credentials go into a 0600 option file passed as `--defaults-file` (the only one read) (it must be
//! the first argument), written for each client run and removed when it ends (so a Ctrl-C
//! at a prompt leaves none; one left by a killed run is swept at the next start). Without a `socket` parameter the connection is forced to TCP,
//! as Prisma connects: the client would otherwise use a local socket for `localhost`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use super::{Database, DumpFacts, Scratch, Target, Temporary, ToolSettings};
use crate::backup::db::url::Engine;
use crate::error::fail;
use crate::process::{Redactor, Running, SecretFile, Tool};

/// The `information_schema.tables.table_type` values of tables that hold rows.
pub(super) const ROW_TABLE_TYPES: &str = "'BASE TABLE', 'SYSTEM VERSIONED', 'SEQUENCE'";

const INSTALL_HINT: &str = "install the MySQL or MariaDB client (Debian/Ubuntu: `apt-get install mariadb-client` or `default-mysql-client`; macOS: `brew install mysql-client`), or set `[tools] mysql_bin_dir` in prisma-guard.toml";

pub struct Mysql {
    target: Target,
    /// The option file's text (user, password, host or socket).
    options: String,
    redactor: Redactor,
    tools: ToolSettings,
    client: Tool,
}

impl Mysql {
    pub fn new(target: Target, tools: &ToolSettings) -> Result<Mysql> {
        let url = &target.url;
        let mut cnf = String::from("[client]\n");
        if let Some(user) = &url.user {
            cnf.push_str(&format!("user=\"{}\"\n", escape_option(user)));
        }
        if let Some(pw) = url.password() {
            cnf.push_str(&format!("password=\"{}\"\n", escape_option(pw)));
        }
        match url.param("socket") {
            Some(socket) => cnf.push_str(&format!("socket=\"{}\"\nprotocol=SOCKET\n", escape_option(socket))),
            None => {
                cnf.push_str(&format!("host=\"{}\"\n", escape_option(url.host.as_deref().unwrap_or("localhost"))));
                cnf.push_str(&format!("port={}\nprotocol=TCP\n", url.port.unwrap_or(3306)));
            }
        }
        let options = cnf;
        let redactor = Redactor::new(url.password().map(str::to_string));
        let client = Tool::locate(&["mariadb", "mysql"], tools.mysql_bin_dir.as_deref(), INSTALL_HINT)?;
        Ok(Mysql { target, options, redactor, tools: tools.clone(), client })
    }

    pub(super) fn target_url(&self) -> &crate::backup::db::url::DbUrl {
        &self.target.url
    }

    pub(super) fn tools(&self) -> &ToolSettings {
        &self.tools
    }

    pub(super) fn name_str(&self) -> &str {
        &self.target.url.database
    }

    pub(super) fn client(&self) -> &Tool {
        &self.client
    }

    pub(super) fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The client, ready to take options and a database.
    pub(super) fn client_command(&self) -> Result<(Command, SecretFile)> {
        self.base(&self.client)
    }

    /// One query's whole output, newlines inside values kept (`SHOW CREATE ...`).
    pub(super) fn query_whole(&self, sql: &str) -> Result<String> {
        let (mut cmd, _options) = self.base(&self.client)?;
        cmd.args(["--batch", "--skip-column-names", "--raw", "--default-character-set=utf8mb4", "-e", sql])
            .arg(&self.target.url.database);
        let out = self.client.output(cmd, &self.redactor).map_err(|e| self.explain(e))?;
        Ok(out.trim_end_matches('\n').to_string())
    }

    /// A script (with `DELIMITER` lines) through the client's stdin.
    pub(super) fn run_script(&self, script: &str) -> Result<()> {
        let (mut cmd, _options) = self.base(&self.client)?;
        cmd.args(["--batch", "--binary-mode", "--default-character-set=utf8mb4"])
            .arg(&self.target.url.database)
            .stdin(Stdio::piped())
            .stdout(Stdio::null());
        let mut running = Running::spawn(&self.client, cmd)?;
        let mut stdin = running.child.stdin.take().context("mysql has no stdin")?;
        let fed = stdin.write_all(script.as_bytes());
        drop(stdin);
        let finished = running.finish(&self.redactor).map_err(|e| self.explain(e));
        finished?;
        fed.context("could not feed mysql")
    }

    /// A client command and its option file, which must outlive the child.
    fn base(&self, tool: &Tool) -> Result<(Command, SecretFile)> {
        let options = SecretFile::new(&self.options)?;
        let mut cmd = tool.command();
        // Only this file: with --defaults-extra-file the user's ~/.my.cnf is read after it,
        // and its [mysqldump] `where=1=0` or [client] host/port would empty or redirect the
        // backup.
        cmd.arg(format!("--defaults-file={}", options.path().display()));
        if self.target.url.password().is_some() {
            cmd.env_remove("MYSQL_PWD");
        }
        Ok((cmd, options))
    }

    pub(super) fn query(&self, sql: &str) -> Result<Vec<String>> {
        let (mut cmd, _options) = self.base(&self.client)?;
        cmd.args(["--batch", "--skip-column-names", "--raw", "--default-character-set=utf8mb4", "-e", sql]);
        if !self.target.url.database.is_empty() {
            cmd.arg(&self.target.url.database);
        }
        let out = self.client.output(cmd, &self.redactor).map_err(|e| self.explain(e))?;
        Ok(out.lines().map(str::to_string).collect())
    }

    fn explain(&self, err: anyhow::Error) -> anyhow::Error {
        let text = format!("{err:#}");
        let where_ = self.target.url.redacted();
        let hint = if text.contains("Access denied") {
            format!("the server rejected the user or password for {where_}: fix DATABASE_URL and try again")
        } else if text.contains("Can't connect")
            || text.contains("Unknown MySQL server host")
            || text.contains("Lost connection")
        {
            format!("the MySQL server at {where_} is not reachable: start it, or check host and port in the URL")
        } else if text.contains("Unknown database") {
            format!("the database in {where_} does not exist: check the URL, or create it first")
        } else {
            return err;
        };
        err.context(fail(format!("cannot use the MySQL database {where_}")).hint(hint))
    }

    fn dump_tool(&self) -> Result<Tool> {
        Tool::locate(&["mariadb-dump", "mysqldump"], self.tools.mysql_bin_dir.as_deref(), INSTALL_HINT)
    }

    /// Every table that holds rows: base tables, and MariaDB's system-versioned tables and
    /// sequences (each its own `table_type`; a sequence is a table of one row, its state).
    /// Row counts, the restore's swap and the restore test all go by this list, so none of
    /// them is left out of a count or left behind by a restore.
    pub(super) fn tables(&self) -> Result<Vec<String>> {
        self.names(&format!(
            "SELECT HEX(table_name) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type IN ({ROW_TABLE_TYPES}) ORDER BY table_name"
        ))
    }

    /// Names a query returns in hex (`SELECT HEX(name) ...`): a name may hold a newline or a
    /// tab, which the client's output would split.
    fn names(&self, sql: &str) -> Result<Vec<String>> {
        Ok(self.query(sql)?.iter().map(|h| unhex(h.trim())).collect())
    }

    /// `--routines` and `--events` when this user may read them; what it may not, said.
    fn routines_and_events(&self) -> (Vec<&'static str>, Vec<String>) {
        let mut flags = Vec::new();
        let mut warnings = Vec::new();
        let mut unreadable = Vec::new();
        for kind in ["PROCEDURE", "FUNCTION"] {
            let names = self
                .query(&format!("SHOW {kind} STATUS WHERE Db = DATABASE()"))
                .map(|rows| rows.iter().filter_map(|r| r.split('\t').nth(1).map(str::to_string)).collect::<Vec<_>>());
            match names {
                Ok(names) => {
                    for name in names {
                        // The body column is NULL (or the query fails) without the privilege.
                        let readable =
                            self.query(&format!("SHOW CREATE {kind} {}", quote_ident(&name))).is_ok_and(|rows| {
                                rows.first().and_then(|r| r.split('\t').nth(2)).is_some_and(|b| b != "NULL")
                            });
                        if !readable {
                            unreadable.push(format!("{} {name}", kind.to_lowercase()));
                        }
                    }
                }
                Err(_) => unreadable.push(format!("the {}s", kind.to_lowercase())),
            }
        }
        // What the user sees is not all there is: only a user who may read every routine
        // (SELECT on mysql.proc on MariaDB, SHOW_ROUTINE or global SELECT on MySQL) can
        // tell that none is missing.
        let sees_all = match self.query("SELECT COUNT(*) FROM mysql.proc WHERE db = DATABASE()") {
            Ok(rows) => {
                let all: usize = rows.first().and_then(|n| n.trim().parse().ok()).unwrap_or(0);
                let seen = ["PROCEDURE", "FUNCTION"]
                    .iter()
                    .filter_map(|k| self.query(&format!("SHOW {k} STATUS WHERE Db = DATABASE()")).ok())
                    .map(|rows| rows.len())
                    .sum::<usize>();
                if all > seen {
                    unreadable.push(format!("{} routine(s) it cannot see", all - seen));
                }
                true
            }
            Err(_) => self.query("SHOW GRANTS").is_ok_and(|grants| {
                grants.iter().any(|g| {
                    let g = g.to_ascii_uppercase();
                    g.contains("SHOW_ROUTINE")
                        || (g.contains(" ON *.*") && (g.contains("ALL PRIVILEGES") || g.contains("SELECT")))
                })
            }),
        };
        if unreadable.is_empty() {
            flags.push("--routines");
            if !sees_all {
                warnings.push("stored routines this user cannot see may be missing: it may not read them all (grant SHOW_ROUTINE, or SELECT on mysql.proc on MariaDB before 11.3)".into());
            }
        } else {
            warnings.push(format!(
                "stored routines not included: this user may not read {} (grant SHOW_ROUTINE, or SELECT on mysql.proc on MariaDB before 11.3)",
                unreadable.join(", ")
            ));
        }
        match self.query("SHOW EVENTS") {
            Ok(_) => flags.push("--events"),
            Err(_) => warnings.push("events not included: this user lacks the EVENT privilege".into()),
        }
        (flags, warnings)
    }

    /// `--dump-history` when the database has system-versioned tables (MariaDB) and the dump
    /// tool can write their history; what it cannot, said (the history is then not in the
    /// backup, and a restore loses it).
    fn history(&self, tool: &Tool) -> Result<(Vec<&'static str>, Vec<String>)> {
        // Each versioned table, and whether its history is kept by timestamps (the only kind
        // mariadb-dump can write) or by transaction ids.
        let rows = self.query(
            "SELECT t.table_name, COALESCE(MAX(c.data_type), '') FROM information_schema.tables t \
             LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.generation_expression = 'ROW START' \
             WHERE t.table_schema = DATABASE() AND t.table_type = 'SYSTEM VERSIONED' GROUP BY t.table_name ORDER BY t.table_name",
        )?;
        if rows.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut warnings = Vec::new();
        let by_transaction: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.split_once('\t'))
            .filter(|(_, ty)| ty.eq_ignore_ascii_case("bigint"))
            .map(|(t, _)| t)
            .collect();
        if !tool.knows_option("--dump-history") {
            warnings.push(format!(
                "the history of system-versioned tables is not in this backup (a restore brings back their current rows only): {} cannot dump it (MariaDB's mariadb-dump 10.11 or later can)",
                tool.path.display()
            ));
            return Ok((Vec::new(), warnings));
        }
        // The history goes back in through `system_versioning_insert_history` (MariaDB 10.11+).
        if self.query("SELECT @@session.system_versioning_insert_history").is_err() {
            warnings.push(
                "the history of system-versioned tables is not in this backup (a restore brings back their current rows only): this server (before MariaDB 10.11) cannot take history rows back in".into(),
            );
            return Ok((Vec::new(), warnings));
        }
        // mariadb-dump --dump-history fails on a table versioned by transaction id, and the
        // option is all tables or none.
        if !by_transaction.is_empty() {
            let all: Vec<&str> = rows.iter().map(|r| r.split('\t').next().unwrap_or(r)).collect();
            warnings.push(format!(
                "the history of the system-versioned tables {} is not in this backup (a restore brings back their current rows only): {} versioned by transaction id, whose history mariadb-dump cannot dump",
                all.join(", "),
                by_transaction.join(", ")
            ));
            return Ok((Vec::new(), warnings));
        }
        Ok((vec!["--dump-history"], warnings))
    }

    pub(super) fn views(&self) -> Result<Vec<String>> {
        self.names("SELECT HEX(table_name) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'VIEW' ORDER BY table_name")
    }
}

impl Database for Mysql {
    fn engine(&self) -> Engine {
        Engine::Mysql
    }

    fn name(&self) -> String {
        self.target.url.database.clone()
    }

    fn target(&self) -> &Target {
        &self.target
    }

    fn dump_extension(&self) -> &'static str {
        "sql"
    }

    fn preflight(&self) -> Result<String> {
        if self.target.url.database.is_empty() {
            return Err(fail(format!("the MySQL URL {} names no database", self.target.url.redacted()))
                .hint("add the database name after the host: mysql://user:password@host:3306/<database>")
                .into());
        }
        self.dump_tool()?;
        let v = self.query("SELECT VERSION()")?;
        let version = v.first().cloned().unwrap_or_default();
        let flavour = if version.to_ascii_lowercase().contains("mariadb") { "MariaDB" } else { "MySQL" };
        Ok(format!("{flavour} {version}"))
    }

    fn dump_tool_version(&self) -> Result<String> {
        self.dump_tool()?.version()
    }

    fn dump(&self, out: &mut dyn Write, _workdir: &Path) -> Result<DumpFacts> {
        let tool = self.dump_tool()?;
        let (mut extra, mut warnings) = self.routines_and_events();
        let (history, history_warnings) = self.history(&tool)?;
        extra.extend(history);
        warnings.extend(history_warnings);
        let (mut cmd, _options) = self.base(&tool)?;
        cmd.args([
            "--single-transaction",
            "--quick",
            "--hex-blob",
            "--triggers",
            "--no-tablespaces",
            "--default-character-set=utf8mb4",
            "--skip-dump-date",
        ])
        .args(&extra)
        .arg(&self.target.url.database)
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
        let mut running = Running::spawn(&tool, cmd)?;
        let mut stdout = running.child.stdout.take().context("mysqldump has no stdout")?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match stdout.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e).context("could not read mysqldump's output"),
            };
            if let Err(e) = out.write_all(&buf[..n]) {
                let _ = running.child.kill();
                let _ = running.finish(&self.redactor);
                return Err(crate::backup::store::write::write_error(e, Path::new("the backup file")));
            }
        }
        running.finish(&self.redactor).map_err(|e| self.explain(e))?;
        Ok(DumpFacts { warnings, ..DumpFacts::default() })
    }

    fn row_counts(&self) -> Result<BTreeMap<String, u64>> {
        let tables = self.tables()?;
        let mut counts = BTreeMap::new();
        if tables.is_empty() {
            return Ok(counts);
        }
        let sql = tables
            .iter()
            .map(|t| format!("SELECT HEX({}), COUNT(*) FROM {}", quote_literal(t), quote_ident(t)))
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        for line in self.query(&sql)? {
            if let Some((t, n)) = line.rsplit_once('\t') {
                counts.insert(unhex(t), n.trim().parse().unwrap_or(0));
            }
        }
        Ok(counts)
    }

    fn definitions(&self) -> Result<Vec<String>> {
        self.query(
            "SELECT CONCAT('view ', table_name) FROM information_schema.views WHERE table_schema = DATABASE() \
             UNION ALL SELECT CONCAT(LOWER(routine_type), ' ', routine_name) FROM information_schema.routines WHERE routine_schema = DATABASE() \
             UNION ALL SELECT CONCAT('event ', event_name) FROM information_schema.events WHERE event_schema = DATABASE() ORDER BY 1",
        )
    }

    fn applied_migrations(&self) -> Result<Vec<String>> {
        if !self.tables()?.iter().any(|t| t == "_prisma_migrations") {
            return Ok(Vec::new());
        }
        self.query("SELECT migration_name FROM `_prisma_migrations` WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY started_at, migration_name")
    }

    /// All or nothing for the tables (see [`super::mysql_swap`]): MySQL cannot roll DDL back.
    fn restore(&self, input: &mut dyn Read, _clear: bool) -> Result<()> {
        super::mysql_swap::restore(self, input)
    }

    /// The dump without its rows (`INSERT` lines) restored into a scratch database: the
    /// tables, views, triggers and routines must all be created.
    fn check_restorable(&self, dump: &mut dyn Read, _rows: u64) -> Result<super::CheckOutcome> {
        let scratch = match self.create_scratch() {
            Ok(s) => s,
            Err(e) => return Ok(super::CheckOutcome::NotChecked(super::restore_not_checked(&e))),
        };
        let mut schema_only = WithoutRows {
            inner: std::io::BufReader::new(dump),
            pending: Vec::new(),
            at: 0,
            in_insert: false,
            in_body: false,
        };
        let schema = crate::backup::store::manifest::RestoreCheck {
            scope: "schema".into(),
            rows_replayed: 0,
            tables_partly_replayed: Vec::new(),
        };
        scratch
            .database()
            .restore(&mut schema_only, false)
            .map(|()| super::CheckOutcome::Checked(schema))
            .map_err(super::unrestorable)
    }

    fn exists(&self) -> Result<bool> {
        match self.query("SELECT 1") {
            Ok(_) => Ok(true),
            Err(e) if format!("{e:#}").contains("Unknown database") => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn create_if_missing(&self) -> Result<bool> {
        match self.exists()? {
            true => Ok(false),
            false => {
                let server = Mysql::new(
                    Target { url: self.target.url.with_database(""), sqlite_path: None, schemas: Vec::new() },
                    &self.tools,
                )?;
                server.query(&format!("CREATE DATABASE {} CHARACTER SET utf8mb4", quote_ident(&self.name())))?;
                Ok(true)
            }
        }
    }

    fn create_scratch(&self) -> Result<Box<dyn Scratch + '_>> {
        // Those of killed runs go first (best effort: a failure here is not this run's).
        if let Ok(names) = self.query(&format!("SHOW DATABASES LIKE '{}'", super::scratch_like())) {
            for stale in super::stale_scratch(&names) {
                let _ = self.query(&format!("DROP DATABASE IF EXISTS {}", quote_ident(stale)));
            }
        }
        let name = super::scratch_name();
        self.query(&format!("CREATE DATABASE {} CHARACTER SET utf8mb4", quote_ident(&name))).map_err(|e| {
            e.context(fail("could not create a scratch database for the restore test").hint(
                "the database user needs the CREATE and DROP privileges on new databases (`GRANT ALL ON `prisma_guard_scratch_%`.* TO <user>`)",
            ))
        })?;
        let target = Target { url: self.target.url.with_database(&name), sqlite_path: None, schemas: Vec::new() };
        let db = Mysql::new(target, &self.tools)?;
        let drop_sql = format!("DROP DATABASE IF EXISTS {}", quote_ident(&name));
        Ok(Box::new(Temporary {
            db,
            cleanup: Box::new(move || {
                let _ = self.query(&drop_sql);
            }),
        }))
    }
}

/// The text of `HEX()`'s output (invalid UTF-8 shown as U+FFFD).
fn unhex(h: &str) -> String {
    let bytes: Vec<u8> = (0..h.len() / 2)
        .filter_map(|i| h.get(2 * i..2 * i + 2))
        .filter_map(|b| u8::from_str_radix(b, 16).ok())
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn escape_option(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub(super) fn quote_ident(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

/// A dump read line by line with its `INSERT INTO` statements (the rows) left out. A statement
/// may span lines (MariaDB's dump puts each row on its own); it ends at a line ending in `;`
/// (values never hold a raw newline: the dump escapes them).
struct WithoutRows<R> {
    inner: R,
    pending: Vec<u8>,
    at: usize,
    in_insert: bool,
    /// Inside a `DELIMITER ;;` section (routine and trigger bodies): nothing is left out.
    in_body: bool,
}

impl<R: std::io::BufRead> Read for WithoutRows<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.pending.len() {
            self.pending.clear();
            self.at = 0;
            if self.inner.read_until(b'\n', &mut self.pending)? == 0 {
                return Ok(0);
            }
            if let Some(d) = self.pending.strip_prefix(b"DELIMITER ") {
                self.in_body = d.trim_ascii() != b";";
            }
            if !self.in_body && (self.in_insert || self.pending.starts_with(b"INSERT INTO ")) {
                self.in_insert = !self.pending.trim_ascii_end().ends_with(b";");
                self.pending.clear();
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod without_rows_tests {
    use std::io::Read;

    #[test]
    fn hex_names_keep_newlines() {
        assert_eq!(super::unhex("4F64640A4E616D65"), "Odd\nName");
        assert_eq!(super::unhex(""), "");
    }

    #[test]
    fn rows_go_routine_bodies_stay() {
        let dump = "CREATE TABLE `t` (id int);\nINSERT INTO `t` VALUES\n(1),\n(2);\nINSERT INTO `t` VALUES (3);\nDELIMITER ;;\nCREATE PROCEDURE p() INSERT INTO `t` (id) VALUES (4) ;;\nDELIMITER ;\nCREATE VIEW v AS SELECT 1;\n";
        let mut r = super::WithoutRows {
            inner: std::io::BufReader::new(dump.as_bytes()),
            pending: Vec::new(),
            at: 0,
            in_insert: false,
            in_body: false,
        };
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "CREATE TABLE `t` (id int);\nDELIMITER ;;\nCREATE PROCEDURE p() INSERT INTO `t` (id) VALUES (4) ;;\nDELIMITER ;\nCREATE VIEW v AS SELECT 1;\n");
    }
}
