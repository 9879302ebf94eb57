//! The same SQL read the way other engines read it: with standard strings (backslashes are
//! plain), as MySQL reads comments (`/*! ... */` runs, `-- ` needs a space) and as SQLite
//! reads them (block comments do not nest, `[name]` is a name). A statement hidden from one
//! reading is found by another.

/// Whether a carriage return that is not part of a line break could end a `--` comment:
/// PostgreSQL ends it there, MySQL and SQLite read on to the newline.
pub fn cr_sensitive(sql: &str) -> bool {
    let b = sql.as_bytes();
    memchr::memchr_iter(b'\r', b).any(|i| b.get(i + 1) != Some(&b'\n'))
}

/// `sql` with each lone carriage return made a blank (same length): line comments then run
/// to the newline, as MySQL and SQLite read them.
pub fn cr_reading(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = b.to_vec();
    for i in memchr::memchr_iter(b'\r', b) {
        if b.get(i + 1) != Some(&b'\n') {
            out[i] = b' ';
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| sql.to_string())
}

/// Whether `sql` reads differently with and without backslash escapes in strings (it has a
/// `\'`): PostgreSQL takes `'\'` as a whole string, MySQL as an unclosed one, and a
/// statement can hide behind the difference.
pub fn backslash_sensitive(sql: &str) -> bool {
    sql.contains("\\'")
}

/// Whether MySQL reads `sql` differently from PostgreSQL: executable comments
/// (`/*! DROP TABLE t */`, `/*!50000 ...*/`, MariaDB's `/*M!100000 ...*/`) run there, and `--`
/// not followed by a blank is no comment there (`SELECT 1--1; DROP TABLE t`).
pub fn mysql_sensitive(sql: &str) -> bool {
    sql.contains("/*!")
        || sql.contains("/*M!")
        || sql.match_indices("--").any(|(i, _)| sql[i + 2..].starts_with(|c: char| !c.is_whitespace()))
}

/// `sql` as MySQL reads it (same length, so offsets stay): executable comments opened, and
/// `--` without a blank after it made an operator. `every_dash`: also where the `--` starts
/// its line or follows a blank (`--DROP TABLE t` is commented-out code in a PostgreSQL
/// migration; in MySQL it runs): for SQL about to run, not for migrations whose dialect the
/// scanner does not know.
pub fn mysql_reading(sql: &str, every_dash: bool) -> String {
    let mut out = sql.as_bytes().to_vec();
    let b = sql.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'/'
            && b[i + 1] == b'*'
            && (b.get(i + 2) == Some(&b'!') || (b.get(i + 2) == Some(&b'M') && b.get(i + 3) == Some(&b'!')))
        {
            let mut j = i + if b[i + 2] == b'!' { 3 } else { 4 };
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            out[i..j].fill(b' ');
            if let Some(close) = sql[j..].find("*/") {
                out[j + close..j + close + 2].fill(b' ');
                i = j + close + 2;
                continue;
            }
            i = j;
            continue;
        }
        let after_code = i > 0 && !b[i - 1].is_ascii_whitespace();
        if b[i] == b'-'
            && b[i + 1] == b'-'
            && b.get(i + 2).is_some_and(|c| !c.is_ascii_whitespace())
            && (every_dash || after_code)
        {
            out[i + 1] = b' ';
            i += 2;
            continue;
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| sql.to_string())
}

/// Whether SQLite (and MySQL) read `sql` differently from PostgreSQL: their block comments
/// end at the first `*/` (PostgreSQL's nest), and SQLite takes `[name]` as a quoted name.
pub fn lite_sensitive(sql: &str) -> bool {
    sql.contains('[') || sql.find("/*").is_some_and(|i| sql[i + 2..].contains("/*"))
}

/// `sql` as SQLite reads it (same length, so offsets stay): block comments blanked up to
/// their first `*/`, `[name]` made a plain name.
pub fn lite_reading(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' | b'"' | b'`' => quote = Some(c),
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let end = sql[i..].find('\n').map_or(b.len(), |n| i + n);
                i = end;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = sql[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
                for x in &mut out[i..end] {
                    if *x != b'\n' {
                        *x = b' ';
                    }
                }
                i = end;
                continue;
            }
            b'[' => {
                if let Some(n) = sql[i + 1..].find([']', '\n']).filter(|n| b[i + 1 + n] == b']') {
                    let end = i + 1 + n + 1;
                    out[i..end].fill(b'x');
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| sql.to_string())
}
