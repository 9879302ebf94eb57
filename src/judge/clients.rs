//! Database clients run by a command line: `psql`, `pgcli`, `mysql`, `mariadb`, `mycli`,
//! `sqlite3`, `litecli`, `mongosh`, `wrangler d1 execute`, `turso db shell`, and the tools
//! that drop or reset a database outright (`dropdb`, `mysqladmin drop`, `supabase db reset`,
//! `pg_restore --clean`). The SQL they would run is read from the line (`-c`, `-e`, the
//! trailing SQL of sqlite3, a heredoc or here-string, `echo ... |`) or from the files it
//! names (`-f`, `< file`, `\i`, `source`, `.read`), and judged by the same analysis as
//! migrations. SQL that cannot be read is unknown: refused, since the client may reach the
//! project's database.

mod duckdb;
mod psql;
mod psql_script;

use std::path::Path;

use crate::shell::SimpleCommand;

/// Largest SQL file read.
const MAX_SQL: u64 = 8 << 20;

/// Why a client command loses data or cannot be checked, if it may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFinding {
    pub client: String,
    pub why: String,
}

impl ClientFinding {
    /// Whether the loss is read from the line (SQL that drops, a tool that drops a database),
    /// rather than SQL that could not be read (refused all the same by `check`; the scanner
    /// reports only what it can show).
    pub fn certain(&self) -> bool {
        !self.why.contains("cannot be checked") && !self.why.contains("is not followed")
    }

    /// Whether the SQL switches off prisma-guard's PostgreSQL tripwire (a guard switched
    /// off, rather than data lost).
    pub fn guard_off(&self) -> bool {
        self.why.contains(crate::sql::tripwire_tamper::MARK)
    }
}

/// The client names this module knows, for the fast path's triggers.
pub const CLIENTS: &[&str] = &[
    "psql",
    "pgcli",
    "mysql",
    "mariadb",
    "mycli",
    "sqlite3",
    "sqlite",
    "litecli",
    "mongosh",
    "mongo",
    "dropdb",
    "mysqladmin",
    "mariadb-admin",
    "supabase",
    "pg_restore",
    "wrangler",
    "turso",
    "usql",
    "duckdb",
    // Migration tools (`super::tools`): a line naming one is about the database too.
    "drizzle-kit",
    "dbmate",
    "flyway",
    "liquibase",
    "sequelize",
    "typeorm",
    "knex",
    "mikro-orm",
    "mysqlsh",
    "goose",
    "sqitch",
    "pg_resetwal",
    "node-pg-migrate",
    "db-migrate",
    "kysely",
    "pgbench",
    "sqlcmd",
    "cockroach",
];

/// Where the SQL read from the line comes from, for messages.
struct Sql {
    text: String,
    from: String,
}

/// Reads a file the line names (a path as written): its text, or why it cannot be read.
pub type Reader<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// A reader of files on disk, as a command run from one of `dirs` under `cwd` finds them.
pub fn disk_reader<'a>(cwd: &'a Path, dirs: &'a [String]) -> impl Fn(&str) -> Result<String, String> + 'a {
    move |path: &str| {
        let candidates: Vec<std::path::PathBuf> = if path.starts_with('/') {
            vec![Path::new(path).to_path_buf()]
        } else {
            dirs.iter().filter(|d| d.as_str() != "*").map(|d| cwd.join(d).join(path)).collect()
        };
        for file in candidates {
            if let Ok(meta) = std::fs::metadata(&file) {
                if !meta.is_file() || meta.len() > MAX_SQL {
                    return Err(format!("{path} (not a readable SQL file)"));
                }
                return std::fs::read_to_string(&file).map_err(|e| format!("{path} ({e})"));
            }
        }
        Err(format!("{path} (not found)"))
    }
}

/// What a client on this command line does, when it is one. `read`: the files the line names
/// (`-f`, `< file`, `\i`). `is_project_file`: whether a SQLite file is the project's database
/// (`None` when that is not known).
pub fn judge(
    cmd: &SimpleCommand,
    read: Reader<'_>,
    is_project_file: &dyn Fn(&str) -> Option<bool>,
) -> Option<ClientFinding> {
    let argv = &cmd.argv;
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    let found = |why: String| Some(ClientFinding { client: name.to_string(), why });
    // Only help and version print and exit: `-h` is the host and `-l` no listing for these
    // clients (`mariadb -h 127.0.0.1 -e 'DROP DATABASE shop'` drops it).
    let info_only = argv[1..].iter().any(|a| matches!(a.as_str(), "--version" | "-V" | "--help" | "-?"));
    let read_file = |path: &str| read_sql(read, path);
    match name {
        "psql" | "pgcli" | "usql" => psql::judge(cmd, read, is_project_file).and_then(found),
        "duckdb" => duckdb::judge(cmd, read, is_project_file).and_then(found),
        "mysql" | "mariadb" | "mycli" | "mysqlsh" => {
            if info_only {
                return None;
            }
            let mut pieces = Vec::new();
            let mut i = 1;
            while let Some(a) = argv.get(i) {
                let (flag, inline) = split_flag(a);
                // MariaDB (and MySQL before 5.7) take any unambiguous prefix of a long option.
                let long = |full: &str| flag.len() >= 4 && flag.starts_with("--") && full.starts_with(&flag[2..]);
                if flag == "-e" || long("execute") || long("init-command") || long("init-command-add") {
                    let v = inline.or_else(|| argv.get(i + 1).cloned().inspect(|_| i += 1));
                    pieces.push(v.map(|t| arg_sql(t, flag)));
                } else if let Some((_, t)) = mysql_short_e(a) {
                    match t {
                        "" => pieces.push(argv.get(i + 1).cloned().inspect(|_| i += 1).map(|t| arg_sql(t, "-e"))),
                        t => pieces.push(Some(arg_sql(t.to_string(), "-e"))),
                    }
                }
                i += 1;
            }
            // `--defaults-extra-file=F`, `--defaults-file=F`: an option file whose `init-command`
            // runs before the line's own SQL.
            for (k, a) in argv.iter().enumerate().skip(1) {
                let (flag, inline) = split_flag(a);
                if matches!(flag, "--defaults-file" | "--defaults-extra-file") {
                    match inline.or_else(|| argv.get(k + 1).cloned()) {
                        Some(path) => pieces.push(Some(option_file_sql(read, &path))),
                        None => pieces.push(Some(Err(flag.to_string()))),
                    }
                }
            }
            if !pieces.iter().flatten().any(|p| p.as_ref().is_ok_and(|s| s.from != "an option file")) {
                pieces.push(stdin_sql(cmd, read).or(Some(Err("its input".into()))));
            }
            judge_pieces(pieces, read, Dialect::Mysql).and_then(found)
        }
        "sqlite3" | "sqlite" | "litecli" => sqlite(cmd, read, is_project_file).and_then(found),
        "mongosh" | "mongo" => {
            if info_only {
                return None;
            }
            let k = argv.iter().position(|a| a == "--eval" || a.starts_with("--eval="));
            let code = match k {
                Some(k) => argv[k].strip_prefix("--eval=").map(str::to_string).or_else(|| argv.get(k + 1).cloned()),
                None => cmd.heredoc.clone(),
            };
            match code {
                Some(code) if mongo_destroys(&code) => {
                    found(format!("runs `{}`, which deletes documents or collections", first_line(&code)))
                }
                Some(_) => None,
                None if argv[1..].iter().any(|a| a.ends_with(".js")) => {
                    found("runs a script file that cannot be checked here".into())
                }
                None => found("reads commands from its input, which cannot be checked".into()),
            }
        }
        "dropdb" if !info_only => found("drops a whole database".into()),
        // Its commands are read in any case (`mariadb-admin -f DROP db`).
        "mysqladmin" | "mariadb-admin" if argv[1..].iter().any(|a| a.eq_ignore_ascii_case("drop")) => {
            found("drops a whole database".into())
        }
        // Global flags may come first (`supabase --debug db reset`).
        "supabase" if argv.windows(2).any(|w| w[0] == "db" && w[1] == "reset") => {
            found("resets the database: every table and row is dropped and the migrations re-applied".into())
        }
        "pg_restore" if pg_restore_cleans(argv) => {
            found("`--clean` drops the database objects before restoring them".into())
        }
        "pgbench" if !info_only => pgbench(cmd, read).and_then(found),
        // SQL Server's `sqlcmd -Q/-q SQL`, `-i FILE`; CockroachDB's `cockroach sql -e SQL`,
        // `-f FILE`; else SQL on their input.
        "sqlcmd" | "cockroach" if !info_only && (name == "sqlcmd" || argv.get(1).is_some_and(|a| a == "sql")) => {
            let (inline, files): (&[&str], &[&str]) =
                if name == "sqlcmd" { (&["-Q", "-q"], &["-i"]) } else { (&["-e", "--execute"], &["-f", "--file"]) };
            let mut pieces = Vec::new();
            let mut i = 1;
            while let Some(a) = argv.get(i) {
                let (flag, value) = split_flag(a);
                let value = || value.clone().or_else(|| argv.get(i + 1).cloned());
                if inline.contains(&flag) {
                    pieces.push(value().map(|t| arg_sql(t, flag)));
                } else if files.contains(&flag) {
                    pieces.push(Some(value().map_or(Err(flag.to_string()), |p| read_file(&p))));
                }
                i += 1;
            }
            if pieces.is_empty() {
                pieces.push(stdin_sql(cmd, read).or(Some(Err("its input".into()))));
            }
            judge_pieces(pieces, read, Dialect::Mysql).and_then(found)
        }
        // `sqlite-utils query DB SQL`.
        "sqlite-utils" if argv.get(1).is_some_and(|a| a == "query" || a == "bulk") => {
            let operands: Vec<&String> = argv[2..].iter().filter(|a| !a.starts_with('-')).collect();
            let piece = operands.get(1).map(|sql| Ok(Sql { text: (*sql).clone(), from: "the command line".into() }));
            judge_pieces(vec![piece], read, Dialect::Sqlite).and_then(found)
        }
        // `wrangler d1 execute DB --command SQL | --file F` (Cloudflare D1, SQLite).
        "wrangler" if argv.get(1).is_some_and(|a| a == "d1") && argv.get(2).is_some_and(|a| a == "execute") => {
            let mut pieces = Vec::new();
            let mut i = 3;
            while let Some(a) = argv.get(i) {
                let (flag, inline) = split_flag(a);
                let v = || inline.clone().or_else(|| argv.get(i + 1).cloned());
                match flag {
                    "--command" => pieces.push(v().map(|t| arg_sql(t, "--command"))),
                    "--file" => pieces.push(Some(v().map_or(Err("--file".into()), |p| read_file(&p)))),
                    _ => {}
                }
                i += 1;
            }
            judge_pieces(pieces, read, Dialect::Sqlite).and_then(found)
        }
        // `turso db shell DB "SQL"`, or SQL on its input.
        "turso" if argv.get(1).is_some_and(|a| a == "db") && argv.get(2).is_some_and(|a| a == "shell") => {
            let operands: Vec<&String> = argv[3..].iter().filter(|a| !a.starts_with('-')).collect();
            let piece = match operands.get(1) {
                Some(sql) => Some(Ok(Sql { text: (*sql).clone(), from: "the command line".into() })),
                None => stdin_sql(cmd, read).or(Some(Err("its input".into()))),
            };
            judge_pieces(vec![piece], read, Dialect::Sqlite).and_then(found)
        }
        _ => None,
    }
}

/// `pg_restore --clean`, however spelt: a prefix of `--clean` (`--cl`, getopt_long takes
/// any unambiguous one) or `c` in a cluster of short flags before one that takes a value
/// (`-Fc` is the custom format). Listing the archive (`-l`) restores nothing.
fn pg_restore_cleans(argv: &[String]) -> bool {
    const VALUED: &str = "dfFIjLnNPStThpUe";
    let mut clean = false;
    let mut list = false;
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if let Some(long) = a.strip_prefix("--") {
            let long = long.split('=').next().unwrap_or(long);
            clean |= long.len() >= 2 && "clean".starts_with(long);
            list |= long.len() >= 2 && "list".starts_with(long);
        } else if let Some(short) = a.strip_prefix('-') {
            for (k, c) in short.char_indices() {
                match c {
                    'c' => clean = true,
                    'l' => list = true,
                    c if VALUED.contains(c) => {
                        if k + c.len_utf8() == short.len() {
                            i += 1; // the value is the next word
                        }
                        break;
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    clean && !list
}

/// `pgbench -f FILE` (also `FILE@WEIGHT`, `--file=`) runs the file's SQL as a client would;
/// `-i` initialises its tables in the target database, dropping them first.
fn pgbench(cmd: &SimpleCommand, read: Reader<'_>) -> Option<String> {
    let argv = &cmd.argv;
    let mut pieces = Vec::new();
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        let (flag, inline) = split_flag(a);
        let long = |full: &str| flag.len() >= 4 && flag.starts_with("--") && full.starts_with(&flag[2..]);
        if flag == "-i"
            || long("initialize")
            || (flag.starts_with('-') && !flag.starts_with("--") && flag.contains('i') && flag.len() <= 4)
        {
            return Some("`-i` drops and recreates pgbench's tables in the target database".into());
        }
        let file = if flag == "-f" || long("file") {
            inline.or_else(|| argv.get(i + 1).cloned().inspect(|_| i += 1))
        } else {
            a.strip_prefix("-f").filter(|v| !v.is_empty() && !a.starts_with("--")).map(str::to_string)
        };
        if let Some(f) = file {
            let f = f
                .rsplit_once('@')
                .filter(|(_, w)| w.chars().all(|c| c.is_ascii_digit()))
                .map_or(f.as_str(), |(p, _)| p);
            pieces.push(Some(read_sql(read, f)));
        }
        i += 1;
    }
    for piece in &pieces {
        if let Some(Ok(sql)) = piece {
            if let Some(line) = sql.text.lines().find(|l| {
                let t = l.trim_start();
                t.starts_with("\\shell") || t.starts_with("\\setshell")
            }) {
                return Some(format!(
                    "runs a shell command from {} ({}), which is not checked",
                    sql.from,
                    first_line(line)
                ));
            }
        }
    }
    judge_pieces(pieces, read, Dialect::Mysql)
}

/// The `init-command` of a MySQL option file, as SQL run before the line's own.
fn option_file_sql(read: Reader<'_>, path: &str) -> Result<Sql, String> {
    let text = read_sql(read, path)?.text;
    let mut sql = String::new();
    for line in text.lines() {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        let k = k.trim().replace('_', "-").to_ascii_lowercase();
        if matches!(k.as_str(), "init-command" | "init-command-add") {
            sql.push_str(v.trim().trim_matches(|c| c == '"' || c == '\''));
            sql.push_str(";\n");
        }
    }
    Ok(Sql { text: sql, from: "an option file".into() })
}

/// `--flag=value` split; a short flag's attached value is not split (`-cSQL` is rare).
fn split_flag(a: &str) -> (&str, Option<String>) {
    match a.split_once('=') {
        Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
        _ => (a, None),
    }
}

#[derive(Clone, Copy)]
enum Dialect {
    Mysql,
    Sqlite,
}

/// The SQL on the client's input, when the line shows it (heredoc, here-string, `echo |`) or
/// names it (`< file`).
fn stdin_sql(cmd: &SimpleCommand, read: Reader<'_>) -> Option<Result<Sql, String>> {
    if let Some(body) = &cmd.heredoc {
        return Some(Ok(Sql { text: body.clone(), from: "its input".into() }));
    }
    cmd.input_file.as_deref().map(|f| read_sql(read, f))
}

fn read_sql(read: Reader<'_>, path: &str) -> Result<Sql, String> {
    // `< <(echo "DELETE ...")`: what a process substitution prints is made when the line runs.
    if path.contains(crate::shell::parse::PROCESS_INPUT) {
        return Err(format!("{path} (a process substitution, made when the line runs)"));
    }
    if path.contains('$') || path.contains(crate::shell::parse::SUBSTITUTED) {
        return Err(format!("{path} (a path only known when the line runs)"));
    }
    read(path).map(|text| Sql { text, from: path.to_string() })
}

/// The verdict on SQL pieces: `None` (harmless), or why not. A piece `None` is a flag with
/// no value; `Some(Err)` SQL that cannot be read.
fn judge_pieces(pieces: Vec<Option<Result<Sql, String>>>, read: Reader<'_>, dialect: Dialect) -> Option<String> {
    for piece in pieces.into_iter().flatten() {
        let sql = match piece {
            Ok(sql) => sql,
            Err(what) => return Some(format!("runs SQL from {what}, which cannot be checked")),
        };
        if let Some(why) = judge_text(&sql, read, dialect, 0) {
            return Some(why);
        }
    }
    None
}

fn judge_text(sql: &Sql, read: Reader<'_>, dialect: Dialect, depth: usize) -> Option<String> {
    if depth > 8 {
        return Some(format!("includes SQL files {depth} deep from {}, which is not followed", sql.from));
    }
    // Client commands inside the SQL: files it includes, shell commands it runs.
    let mut plain = String::with_capacity(sql.text.len());
    for line in sql.text.lines() {
        let t = line.trim_start();
        let (cmd, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
        let rest = rest.trim().trim_end_matches(';').trim().trim_matches(|c| c == '\'' || c == '"');
        let include = match dialect {
            Dialect::Mysql => matches!(cmd.to_ascii_lowercase().as_str(), "source" | "\\."),
            Dialect::Sqlite => cmd == ".read",
        };
        if include {
            let inner = match read_sql(read, rest) {
                Ok(s) => s,
                Err(what) => return Some(format!("includes SQL from {what}, which cannot be checked")),
            };
            if let Some(why) = judge_text(&inner, read, dialect, depth + 1) {
                return Some(why);
            }
            continue;
        }
        let shell = match dialect {
            Dialect::Mysql => matches!(cmd.to_ascii_lowercase().as_str(), "system" | "\\!"),
            Dialect::Sqlite => matches!(cmd, ".shell" | ".system"),
        };
        if shell {
            return Some(format!("runs a shell command from its SQL ({}), which is not checked", first_line(t)));
        }
        if matches!(dialect, Dialect::Sqlite) && matches!(cmd, ".restore" | ".clone" | ".recover") {
            return Some(format!("`{cmd}` in {} overwrites or rebuilds the database", sql.from));
        }
        if matches!(dialect, Dialect::Sqlite) && t.starts_with('.') {
            continue; // other dot-commands: output settings, .tables, .schema
        }
        plain.push_str(line);
        plain.push('\n');
    }
    sql_verdict(&plain, &sql.from)
}

/// The verdict on SQL sent to the server as it is: the statement that switches off
/// prisma-guard's tripwire first (a class of its own), else the first that loses data.
fn sql_verdict(plain: &str, from: &str) -> Option<String> {
    let found = crate::sql::dangers(plain);
    let d = found.iter().find(|d| d.rule == crate::rules::RuleId::TripwireOff).or(found.first())?;
    Some(format!("runs SQL that {} ({} line {}: {})", d.message, from, d.line, first_line(&d.statement)))
}

fn cannot(what: &str) -> String {
    format!("runs SQL from {what}, which cannot be checked")
}

/// SQL given on the command line (`-c`, `-e`, `--command`): unknown when it holds text the
/// shell fills in when the line runs (`psql -c "$SQL"`).
fn arg_sql(text: String, from: &str) -> Result<Sql, String> {
    if shell_text(&text) {
        return Err(format!("{from} `{}`", first_line(&text)));
    }
    Ok(Sql { text, from: from.to_string() })
}

/// Whether SQL from the command line holds a shell variable (`$SQL`, `${X}`) or a command
/// substitution. PostgreSQL's own dollars are not: `$1`, `$$`, `$tag$ ... $tag$`.
fn shell_text(text: &str) -> bool {
    if text.contains(crate::shell::parse::SUBSTITUTED) || text.contains('`') {
        return true;
    }
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        if c != b'$' || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'$')) {
            return false;
        }
        match b.get(i + 1) {
            Some(b'{') => true,
            Some(&n) if n.is_ascii_alphabetic() || n == b'_' => {
                let name = b[i + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
                let end = i + 1 + name;
                b.get(end) != Some(&b'$')
            }
            _ => false,
        }
    })
}

/// Whether a word holds text only known when the line runs.
fn dynamic(word: &str) -> bool {
    word.contains('$') || word.contains('`') || word.contains(crate::shell::parse::SUBSTITUTED)
}

/// `-vvveSQL`, `-Be SQL`: mysql's short options clustered before `-e`, and the SQL attached
/// (empty: the next word). Options that take a value (`-p`, `-u`, `-D` ...) end a cluster.
fn mysql_short_e(a: &str) -> Option<(&str, &str)> {
    const NO_VALUE: &str = "ABCEfGHiLnNqrsStTvVwXxz1";
    let short = a.strip_prefix('-').filter(|s| !s.starts_with('-'))?;
    let k = short.find(|c: char| !NO_VALUE.contains(c))?;
    short[k..].starts_with('e').then(|| (&short[..k], &short[k + 1..]))
}

/// `sqlite3 [OPTIONS] FILE [SQL...]`.
fn sqlite(cmd: &SimpleCommand, read: Reader<'_>, is_project_file: &dyn Fn(&str) -> Option<bool>) -> Option<String> {
    let argv = &cmd.argv;
    const VALUES: &[&str] = &[
        "-separator",
        "-nullvalue",
        "-newline",
        "-vfs",
        "-mmap",
        "-pagecache",
        "-heap",
        "-maxsize",
        "-lookaside",
        "-escape",
    ];
    let mut pieces: Vec<Option<Result<Sql, String>>> = Vec::new();
    let mut operands: Vec<&String> = Vec::new();
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        let flag = a.strip_prefix('-').map(|f| format!("-{}", f.trim_start_matches('-')));
        match flag.as_deref() {
            Some("-version" | "-help") => return None,
            Some("-cmd") => {
                pieces.push(argv.get(i + 1).map(|t| Ok(Sql { text: t.clone(), from: "-cmd".into() })));
                i += 1;
            }
            Some("-init") => {
                pieces.push(Some(argv.get(i + 1).map_or(Err("-init".into()), |p| read_sql(read, p))));
                i += 1;
            }
            Some("-lookaside" | "-pagecache") => i += 2,
            Some(f) if VALUES.contains(&f) => i += 1,
            Some(_) => {}
            None => operands.push(a),
        }
        i += 1;
    }
    // `ATTACH 'dev.db'`, `.open dev.db`, `.backup dev.db`, `.save`, `.once`, `.output`: the
    // project's database reached or written over through a name other than the first file,
    // in the arguments or on the input (`sqlite3 :memory: <<< "ATTACH 'dev.db' ..."`).
    let input = if operands.len() < 2 { stdin_sql(cmd, read) } else { None };
    let texts = operands
        .iter()
        .skip(1)
        .map(|s| s.as_str())
        .chain(pieces.iter().flatten().flatten().map(|s| s.text.as_str()))
        .chain(input.iter().flatten().map(|s| s.text.as_str()));
    for t in texts.collect::<Vec<_>>() {
        if let Some(expr) = attach_expression(t) {
            return Some(format!(
                "attaches a database named by the expression `{expr}`, which may be the project's database and cannot be checked"
            ));
        }
        let lower = t.to_lowercase();
        let switches =
            ["attach", ".open", ".backup", ".save", ".once", ".output", ".clone"].iter().any(|k| lower.contains(k));
        if switches {
            if let Some(p) = crate::judge::tamper::code_paths(t).find(|p| is_project_file(p) == Some(true)) {
                return Some(format!(
                    "opens, attaches or writes over {p}, the project's database, through a dot-command or ATTACH"
                ));
            }
        }
    }
    // `file:dev.db?mode=rw`, `file:///abs/dev.db`: a URI names the file as a path does.
    let file = operands.first().map(|s| sqlite_uri_path(s));
    // Not the project's database: an in-memory one, or a file known to be another.
    match file.as_deref() {
        None | Some(":memory:" | "") => return None,
        Some(f) if is_project_file(f) == Some(false) => return None,
        _ => {}
    }
    for sql in operands.iter().skip(1) {
        pieces.push(Some(if sql.contains(crate::shell::parse::PROCESS_INPUT) {
            Err(format!("{sql} (a process substitution, made when the line runs)"))
        } else {
            Ok(Sql { text: (*sql).clone(), from: "the command line".into() })
        }));
    }
    if operands.len() < 2 {
        if let Some(input) = input {
            pieces.push(Some(input));
        } else if pieces.is_empty() {
            return Some("reads SQL from its input, which cannot be checked".into());
        }
    }
    judge_pieces(pieces, read, Dialect::Sqlite)
}

/// The database name of an `ATTACH` that is not a plain literal (`'de'||'v.db'`, `?1`,
/// `char(100,...)`): SQLite takes any expression there.
fn attach_expression(sql: &str) -> Option<String> {
    let lower = sql.to_ascii_lowercase();
    for (k, _) in lower.match_indices("attach") {
        if lower[..k].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let mut rest = lower[k + 6..].trim_start();
        if let Some(r) = rest.strip_prefix("database") {
            rest = r.trim_start();
        }
        let original = &sql[sql.len() - rest.len()..];
        // The name up to `AS`: one quoted literal or one bare word is plain.
        let end = rest.find(" as ").or_else(|| rest.find("\nas ")).unwrap_or(rest.len());
        let name = original[..end].trim();
        let quoted = |q: char| {
            name.len() >= 2 && name.starts_with(q) && name.ends_with(q) && !name[1..name.len() - 1].contains(q)
        };
        let bare = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || "._-/:~".contains(c));
        if !(quoted('\'') || quoted('"') || bare) {
            return Some(first_line(name));
        }
    }
    None
}

/// The file a SQLite filename names: a `file:` URI as its path (`file:dev.db?mode=rw` is
/// `dev.db`, `file:///p/dev.db` is `/p/dev.db`, percent-escapes decoded), an in-memory URI
/// as `:memory:`, any other name as it is.
fn sqlite_uri_path(name: &str) -> String {
    let Some(rest) = name.strip_prefix("file:") else { return name.to_string() };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = path.split('#').next().unwrap_or(path);
    if query.split('&').any(|kv| kv == "mode=memory") || path == ":memory:" {
        return ":memory:".into();
    }
    // `file://HOST/path`: an authority (empty or `localhost`) before an absolute path.
    let path = match path.strip_prefix("//") {
        Some(after) => after.find('/').map_or("", |k| &after[k..]),
        None => path,
    };
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |k: usize| bytes.get(k).and_then(|b| (*b as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// MongoDB shell code that deletes: `dropDatabase()`, `.drop()`, `deleteMany(`, `remove(`.
fn mongo_destroys(code: &str) -> bool {
    // Blanks do not change the code (`db.User.drop ()`); commands spelt as documents
    // (`db.runCommand({drop: "User"})`, `{delete: "User", deletes: [...]}`) delete too.
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let code = code.as_str();
    ["{drop:", "{\"drop\":", "{'drop':", "{delete:", "{\"delete\":", "{'delete':", "dropDatabase:"]
        .iter()
        .any(|w| code.contains(w))
        || [
            "dropDatabase",
            ".drop(",
            "deleteMany",
            ".remove(",
            "dropCollection",
            "dropIndexes",
            "findOneAndDelete",
            "deleteOne",
        ]
        .iter()
        .any(|w| code.contains(w))
}

fn first_line(s: &str) -> String {
    let line = s.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    let mut out: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::parse::parse;

    fn judged(line: &str) -> Option<String> {
        let cmd = parse(line).unwrap().pop().unwrap();
        let here = [String::new()];
        let read = disk_reader(Path::new("/nonexistent"), &here);
        judge(&cmd, &read, &|_| None).map(|f| f.why)
    }

    #[test]
    fn destructive_sql_through_clients() {
        for line in [
            "psql \"$DATABASE_URL\" -c 'DROP SCHEMA public CASCADE'",
            "psql -c 'SELECT 1' -c 'TRUNCATE \"User\"'",
            "psql --command='DELETE FROM \"User\"'",
            "psql <<'X'\nDROP TABLE \"User\";\nX",
            "echo 'DROP TABLE a;' | psql",
            "psql <<< 'UPDATE \"User\" SET email = null'",
            "pgcli -c 'DROP SCHEMA public CASCADE'",
            "mysql -e 'DROP DATABASE app'",
            "mysqlsh --sql -e 'DROP DATABASE shop'",
            "mysqlsh --uri root@localhost --sql --execute='TRUNCATE users'",
            "mysql -u root -p app --execute='DELETE FROM users'",
            "mariadb -eDROP\\ TABLE\\ users",
            "mysql <<< 'TRUNCATE users'",
            "sqlite3 prisma/dev.db 'DELETE FROM User'",
            "echo 'DROP TABLE User;' | sqlite3 prisma/dev.db",
            "sqlite3 dev.db -cmd 'DROP TABLE User' .quit",
            "sqlite3 dev.db '.restore /tmp/other.db'",
            "sqlite3 dev.db '.shell rm -rf /'",
            "dropdb app",
            "mysqladmin -u root -f drop app",
            "supabase db reset",
            "pg_restore --clean -d app dump.custom",
            "mongosh app --eval 'db.dropDatabase()'",
            "wrangler d1 execute app --command 'DROP TABLE User'",
            "turso db shell app 'DELETE FROM User'",
            // SQL that cannot be read.
            "psql -f missing.sql",
            "psql -f \"$FILE\"",
            "cat drop.sql | psql",
            "psql app",
            "sqlite3 prisma/dev.db '.read missing.sql'",
            "psql -c '\\! npx prisma migrate reset --force'",
            "psql -c \"$SQL\"",
            "mysql -e \"$(cat x.sql)\"",
            "psql -c \"DELETE FROM users WHERE id = ${ID}\"",
        ] {
            assert!(judged(line).is_some(), "{line}");
        }
    }

    #[test]
    fn harmless_client_lines() {
        for line in [
            "psql -c 'SELECT 1'",
            "psql \"$DATABASE_URL\" -c 'SELECT count(*) FROM \"User\"'",
            "psql -l",
            "psql --version",
            "psql -c '\\dt'",
            "mysql -e 'SHOW TABLES'",
            "mysql --version",
            "mysqlsh --sql -e 'SHOW TABLES'",
            "sqlite3 prisma/dev.db 'SELECT * FROM User'",
            "sqlite3 prisma/dev.db .tables",
            "sqlite3 :memory: 'DROP TABLE x'",
            "sqlite3",
            "mysqladmin status",
            "supabase db push",
            "pg_restore --list dump.custom",
            "mongosh app --eval 'db.users.find()'",
            "psql -c 'DELETE FROM \"Session\" WHERE expires < now()'",
            "psql -c 'DO $$ BEGIN PERFORM 1; END $$'",
            "psql -c 'DO $body$ BEGIN PERFORM 1; END $body$'",
            "psql -c 'PREPARE q AS SELECT $1'",
        ] {
            assert_eq!(judged(line), None, "{line}");
        }
    }

    /// Review round 2 (issue 19), finding 11: a `file:` URI names the project's database.
    #[test]
    fn sqlite_uris_name_the_database_file() {
        let ours = |f: &str| Some(f == "dev.db" || f == "/p/dev.db");
        let here = [String::new()];
        let read = disk_reader(Path::new("/"), &here);
        let judged = |line: &str| judge(&parse(line).unwrap().pop().unwrap(), &read, &ours);
        for line in [
            "sqlite3 file:dev.db 'DROP TABLE User'",
            "sqlite3 'file:dev.db?mode=rw' 'DROP TABLE User'",
            "sqlite3 file:///p/dev.db 'DELETE FROM User'",
            "sqlite3 file://localhost/p/dev.db 'DELETE FROM User'",
            "sqlite3 file:dev%2Edb 'DELETE FROM User'",
            "sqlite3 dev.db 'CREATE TRIGGER t AFTER INSERT ON Post BEGIN DELETE FROM User; END'",
        ] {
            assert!(judged(line).is_some(), "{line}");
        }
        for line in [
            "sqlite3 'file:x?mode=memory' 'DROP TABLE User'",
            "sqlite3 file::memory: 'DROP TABLE User'",
            "sqlite3 file:other.db 'DROP TABLE User'",
            "sqlite3 'file:dev.db?mode=ro' 'SELECT * FROM User'",
        ] {
            assert_eq!(judged(line), None, "{line}");
        }
    }

    #[test]
    fn sqlite_files_that_are_not_the_project_database() {
        let cmd = parse("sqlite3 /tmp/scratch.db 'DROP TABLE x'").unwrap().pop().unwrap();
        let other = |_: &str| Some(false);
        let here = [String::new()];
        let read = disk_reader(Path::new("/"), &here);
        assert_eq!(judge(&cmd, &read, &other), None);
        let ours = |_: &str| Some(true);
        assert!(judge(&cmd, &read, &ours).is_some());
    }
}
