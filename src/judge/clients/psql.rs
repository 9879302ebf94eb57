//! How `psql` (and `pgcli`, `usql`) reads its arguments, and the verdict on what it would
//! run: getopt_long with attached values (`-cSQL`, `-f/tmp/x.sql`) and any unambiguous prefix
//! of a long option (`--comm=`, `--fil=`); `-c`, `-f` and the input in psql's order, sharing
//! the variables of `-v` and `\set`. Scripts are read by [`super::psql_script`].

use super::psql_script::{read_script, Session};
use super::{cannot, dynamic, first_line, read_sql, shell_text, sql_verdict, stdin_sql, Reader, Sql};
use crate::shell::SimpleCommand;

/// psql's long options: (name, short letter, takes a value).
const LONG: &[(&str, char, bool)] = &[
    ("echo-all", 'a', false),
    ("no-align", 'A', false),
    ("command", 'c', true),
    ("dbname", 'd', true),
    ("echo-queries", 'e', false),
    ("echo-errors", 'b', false),
    ("echo-hidden", 'E', false),
    ("file", 'f', true),
    ("field-separator", 'F', true),
    ("field-separator-zero", 'z', false),
    ("host", 'h', true),
    ("html", 'H', false),
    ("list", 'l', false),
    ("log-file", 'L', true),
    ("no-readline", 'n', false),
    ("single-transaction", '1', false),
    ("output", 'o', true),
    ("port", 'p', true),
    ("pset", 'P', true),
    ("quiet", 'q', false),
    ("record-separator", 'R', true),
    ("record-separator-zero", '0', false),
    ("single-step", 's', false),
    ("single-line", 'S', false),
    ("tuples-only", 't', false),
    ("table-attr", 'T', true),
    ("username", 'U', true),
    ("set", 'v', true),
    ("variable", 'v', true),
    ("version", 'V', false),
    ("no-password", 'w', false),
    ("password", 'W', false),
    ("expanded", 'x', false),
    ("no-psqlrc", 'X', false),
    ("help", '?', false),
    ("csv", 'C', false),
];

/// Short options that take a value (attached, `-cSQL`, or the next word).
const SHORT_VALUES: &str = "cdfFhLopPRTUv";

/// What psql is told to do by its arguments, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Action {
    Command(String),
    File(String),
}

#[derive(Debug, Default)]
pub(super) struct Args {
    pub actions: Vec<Action>,
    /// `-v NAME=VALUE`, in order.
    pub vars: Vec<(String, String)>,
    /// `--version`, `--help`, `--list`: no SQL runs.
    pub info_only: bool,
    /// `-c` or `-f` without its value (the line ends).
    pub missing_value: bool,
    /// Files psql writes its output or log to (`-o`, `-L`).
    pub writes: Vec<String>,
}

/// The long option `name` (the text after `--`, before any `=`) names, as getopt_long reads
/// it: an exact name, else the only option it is a prefix of.
fn long_option(name: &str) -> Option<(char, bool)> {
    if let Some(&(_, c, v)) = LONG.iter().find(|(n, _, _)| *n == name) {
        return Some((c, v));
    }
    let mut found = LONG.iter().filter(|(n, _, _)| !name.is_empty() && n.starts_with(name));
    let first = found.next()?;
    // `--set`/`--variable` share a letter; any other second match is ambiguous.
    found.all(|o| o.1 == first.1).then_some((first.1, first.2))
}

/// Read psql's argv (without the program name) as getopt_long does, operands anywhere.
pub(super) fn args(argv: &[String]) -> Args {
    let mut out = Args::default();
    let apply = |out: &mut Args, letter: char, value: Option<String>| match (letter, value) {
        ('c', Some(v)) => out.actions.push(Action::Command(v)),
        ('f', Some(v)) => out.actions.push(Action::File(v)),
        ('v', Some(v)) => {
            let (k, val) = v.split_once('=').unwrap_or((&v, ""));
            out.vars.push((k.to_string(), val.to_string()));
        }
        ('o' | 'L', Some(v)) => out.writes.push(v),
        ('c' | 'f', None) => out.missing_value = true,
        ('V' | '?' | 'l', _) => out.info_only = true,
        _ => {}
    };
    let mut i = 0;
    while let Some(a) = argv.get(i) {
        i += 1;
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some((letter, takes)) = long_option(name) else { continue };
            let value = if takes { inline.or_else(|| argv.get(i).cloned().inspect(|_| i += 1)) } else { None };
            apply(&mut out, letter, value);
            continue;
        }
        let Some(short) = a.strip_prefix('-').filter(|s| !s.is_empty()) else { continue };
        // A cluster: `-Xqc SQL`, `-cSQL`, `-f/tmp/x.sql`.
        for (k, letter) in short.char_indices() {
            if SHORT_VALUES.contains(letter) {
                let rest = &short[k + letter.len_utf8()..];
                let value = if rest.is_empty() { argv.get(i).cloned().inspect(|_| i += 1) } else { Some(rest.into()) };
                apply(&mut out, letter, value);
                break;
            }
            apply(&mut out, letter, None);
        }
    }
    out
}

/// `psql`, `pgcli`, `usql`: the SQL of each `-c` and `-f` in order, then of the input when the
/// line shows it (psql reads it only without `-c`/`-f`, but it is judged whenever shown), with
/// psql's variables (`-v`, `\set`) shared between them.
pub(super) fn judge(
    cmd: &SimpleCommand,
    read: Reader<'_>,
    is_project_file: &dyn Fn(&str) -> Option<bool>,
) -> Option<String> {
    let argv = &cmd.argv;
    // `PGOPTIONS='-c session_replication_role=replica'`, `options=...` in a connection string.
    let words = cmd.assigns.iter().map(|(k, v)| format!("{k}={v}")).chain(argv.iter().cloned());
    if let Some(w) = words.into_iter().find(|w| crate::sql::tripwire_tamper::sets_replica(w)) {
        return Some(format!(
            "connects with session_replication_role = replica (`{w}`), under which no trigger fires, switching off {}",
            crate::sql::tripwire_tamper::MARK
        ));
    }
    let args = args(&argv[1..]);
    if args.info_only {
        return None;
    }
    // A pager or editor given on the line: a program psql runs.
    if let Some((k, v)) = cmd.assigns.iter().find(|(k, _)| super::psql_script::PROGRAMS.contains(&k.as_str())) {
        if !matches!(v.as_str(), "" | "cat" | "less" | "more" | "less -S") {
            return Some(format!("runs {k}=`{v}` as a program, which is not checked"));
        }
    }
    let over = |files: &[String]| {
        let p = files.iter().find(|f| is_project_file(f) == Some(true))?;
        Some(format!("writes its output over {p}, the project's database"))
    };
    if let Some(why) = over(&args.writes) {
        return Some(why);
    }
    let mut session = Session::default();
    for (k, v) in &args.vars {
        let known = !dynamic(v);
        session.set(k, known.then(|| v.clone()));
    }
    let stdin = stdin_sql(cmd, read);
    for action in &args.actions {
        let why = match action {
            Action::Command(t) if shell_text(t) => Some(cannot(&format!("-c `{}`", first_line(t)))),
            Action::Command(t) if t.trim_start().starts_with('\\') => {
                script_verdict(&Sql { text: t.clone(), from: "-c".into() }, read, is_project_file, &mut session, 0)
            }
            // Sent to the server as it is: no variables, no meta-commands.
            Action::Command(t) => server_writes(t, is_project_file).or_else(|| sql_verdict(t, "-c")),
            Action::File(p) if p == "-" => match &stdin {
                Some(Ok(sql)) => script_verdict(sql, read, is_project_file, &mut session, 0),
                Some(Err(what)) => Some(cannot(what)),
                None => Some(cannot("its input")),
            },
            Action::File(p) => match read_sql(read, p) {
                Ok(sql) => script_verdict(&sql, read, is_project_file, &mut session, 0),
                Err(what) => Some(cannot(&what)),
            },
        };
        if why.is_some() {
            return why;
        }
    }
    let ran = !args.actions.is_empty();
    match stdin {
        Some(Ok(sql)) => script_verdict(&sql, read, is_project_file, &mut session, 0),
        Some(Err(what)) if !ran => Some(cannot(&what)),
        None if !ran => Some(cannot("its input")),
        _ => None,
    }
}

/// A psql script (a file, the input, a `-c` meta-command): its meta-commands, variables and
/// included files, then the SQL it sends.
fn script_verdict(
    sql: &Sql,
    read: Reader<'_>,
    is_project_file: &dyn Fn(&str) -> Option<bool>,
    session: &mut Session,
    depth: usize,
) -> Option<String> {
    if depth > 8 {
        return Some(format!("includes SQL files {depth} deep from {}, which is not followed", sql.from));
    }
    let script = match read_script(&sql.text, session) {
        Ok(script) => script,
        Err(why) => return Some(format!("{why} (in {})", sql.from)),
    };
    if let Some(p) = script.writes.iter().find(|f| is_project_file(f) == Some(true)) {
        return Some(format!("writes its output over {p}, the project's database ({})", sql.from));
    }
    if let Some(why) = server_writes(&script.sql, is_project_file) {
        return Some(format!("{why} ({})", sql.from));
    }
    for (path, relative) in &script.includes {
        // `\\ir`: relative to the including file's folder.
        let folder = sql.from.rsplit_once('/').map(|(d, _)| d).filter(|_| *relative && !path.starts_with('/'));
        let path = folder.map_or(path.clone(), |d| format!("{d}/{path}"));
        let inner = match read_sql(read, &path) {
            Ok(s) => s,
            Err(what) => return Some(format!("includes SQL from {what}, which cannot be checked")),
        };
        if let Some(why) = script_verdict(&inner, read, is_project_file, session, depth + 1) {
            return Some(why);
        }
    }
    sql_verdict(&script.sql, &sql.from)
}

/// SQL that has the server write a file the project's SQLite database is (`COPY ... TO
/// 'prisma/dev.db'`, `lo_export`, `pg_file_write`), when the server runs on this machine.
fn server_writes(sql: &str, is_project_file: &dyn Fn(&str) -> Option<bool>) -> Option<String> {
    let lower = sql.to_ascii_lowercase();
    if !["copy", "lo_export", "pg_file_write"].iter().any(|w| lower.contains(w)) {
        return None;
    }
    let p = crate::judge::tamper::code_paths(sql).find(|p| is_project_file(p) == Some(true))?;
    Some(format!("has the server write over {p}, the project's database"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        crate::shell::parse::parse(line).unwrap().pop().unwrap().argv[1..].to_vec()
    }

    #[test]
    fn getopt_long_spellings() {
        let cmd = |line: &str| args(&argv(line)).actions;
        let c = |s: &str| vec![Action::Command(s.into())];
        let f = |s: &str| vec![Action::File(s.into())];
        assert_eq!(cmd("psql -c'DROP SCHEMA public CASCADE'"), c("DROP SCHEMA public CASCADE"));
        assert_eq!(cmd("psql -cSQL"), c("SQL"));
        assert_eq!(cmd("psql -Xqc 'DROP TABLE a'"), c("DROP TABLE a"));
        assert_eq!(cmd("psql --comm='DROP TABLE a'"), c("DROP TABLE a"));
        assert_eq!(cmd("psql --co 'DROP TABLE a'"), c("DROP TABLE a"));
        assert_eq!(cmd("psql -f/tmp/drop.sql"), f("/tmp/drop.sql"));
        assert_eq!(cmd("psql --fil=/tmp/drop.sql"), f("/tmp/drop.sql"));
        assert_eq!(cmd("psql --file /tmp/drop.sql app"), f("/tmp/drop.sql"));
        assert_eq!(cmd("psql -d app -U me -h db -p 5432"), vec![]);
        assert_eq!(cmd("psql -h db app -c x"), c("x"), "options after operands");
        // `--fi` is ambiguous (file, field-separator): psql refuses it.
        assert_eq!(cmd("psql --fi=/tmp/x.sql"), vec![]);
        let a = args(&argv("psql -v q='DROP TABLE a' --set=r=1"));
        assert_eq!(a.vars, vec![("q".into(), "DROP TABLE a".into()), ("r".into(), "1".into())]);
        assert!(args(&argv("psql --vers")).info_only);
        assert!(!args(&argv("psql -h localhost")).info_only);
        assert_eq!(args(&argv("psql -o dev.db -L log.txt")).writes, ["dev.db", "log.txt"]);
    }
}
