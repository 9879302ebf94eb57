//! `duckdb`: harmless on its own database, judged when its SQL reaches another one.

use super::{judge_pieces, read_sql, stdin_sql, Dialect, Reader, Sql};
use crate::shell::SimpleCommand;

/// `duckdb [FILE] [-c SQL | -cmd SQL | -s SQL | SQL ...]`: harmless on its own database or in
/// memory; judged when the file is the project's SQLite database, when the SQL reaches
/// another database (`ATTACH 'postgres:...'`, `postgres_execute(...)`, `sqlite_scan`), or
/// when it cannot be read.
pub(super) fn judge(
    cmd: &SimpleCommand,
    read: Reader<'_>,
    is_project_file: &dyn Fn(&str) -> Option<bool>,
) -> Option<String> {
    let argv = &cmd.argv;
    let mut pieces: Vec<Option<Result<Sql, String>>> = Vec::new();
    let mut operands: Vec<&String> = Vec::new();
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        let flag = a.strip_prefix('-').map(|f| format!("-{}", f.trim_start_matches('-')));
        match flag.as_deref() {
            Some("-version" | "-help") => return None,
            Some(f @ ("-c" | "-cmd" | "-s")) => {
                pieces.push(argv.get(i + 1).map(|t| super::arg_sql(t.clone(), f)));
                i += 1;
            }
            Some("-init") => {
                pieces.push(Some(argv.get(i + 1).map_or(Err("-init".into()), |p| read_sql(read, p))));
                i += 1;
            }
            Some("-separator" | "-nullvalue" | "-newline") => i += 1,
            Some(_) => {}
            None => operands.push(a),
        }
        i += 1;
    }
    for sql in operands.iter().skip(1) {
        pieces.push(Some(Ok(Sql { text: (*sql).clone(), from: "the command line".into() })));
    }
    pieces.extend(stdin_sql(cmd, read).map(Some));
    let mut project = operands.first().is_some_and(|f| is_project_file(f) == Some(true));
    // The project's database named in the SQL: written over by `COPY ... TO` / `EXPORT`, or
    // reached (`ATTACH`, `sqlite_scan`), so the SQL is judged.
    for sql in pieces.iter().flatten().flatten() {
        if let Some(p) = crate::judge::tamper::code_paths(&sql.text).find(|p| is_project_file(p) == Some(true)) {
            let lower = sql.text.to_ascii_lowercase();
            if lower.contains("copy") || lower.contains("export") {
                return Some(format!("writes over {p}, the project's database, with COPY or EXPORT ({})", sql.from));
            }
            project = true;
        }
    }
    let texts: Vec<String> = pieces.iter().flatten().flatten().map(|s| s.text.to_ascii_lowercase()).collect();
    let reaches = texts.iter().any(|t| {
        ["attach", "_execute", "_query", "_scan", "postgres:", "mysql:", "sqlite:"].iter().any(|w| t.contains(w))
    });
    let unreadable = pieces.iter().flatten().any(Result::is_err);
    if !project && !reaches && !unreadable {
        return None;
    }
    // The SQL handed to another database as a string (`postgres_execute('db', 'DROP ...')`).
    let mut strings = Vec::new();
    for sql in pieces.iter().flatten().flatten() {
        for quoted in sql.text.split('\'').skip(1).step_by(2) {
            strings.push(Some(Ok(Sql { text: quoted.to_string(), from: sql.from.clone() })));
        }
    }
    pieces.extend(strings);
    judge_pieces(pieces, read, Dialect::Sqlite)
}
