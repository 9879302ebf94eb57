//! How psql reads a script (a file, its input, a `-c` that starts with a backslash), as far
//! as it decides which SQL runs: psql variables (`-v q=...`, `\set q '...'`) interpolated into
//! later SQL as `:q`, `:'q'`, `:"q"`; meta-commands anywhere on a line (`SELECT ... \gexec`,
//! `\i`, `\!`, `\o |cmd`, backquotes).

use std::collections::BTreeMap;

/// psql variables known so far: a value, or `None` when it is only known when psql runs
/// (`\gset`, `\prompt`, `\getenv`, a value from the environment).
#[derive(Debug, Default)]
pub(super) struct Session {
    vars: BTreeMap<String, Option<String>>,
    /// After `\gset`, any name may hold a value from the database.
    any_unknown: bool,
}

impl Session {
    pub fn set(&mut self, name: &str, value: Option<String>) {
        self.vars.insert(name.to_string(), value);
    }

    /// `Some(Some(v))`: known; `Some(None)`: set, value unknown; `None`: not set (psql sends
    /// `:name` as it is).
    fn get(&self, name: &str) -> Option<Option<&str>> {
        match self.vars.get(name) {
            Some(v) => Some(v.as_deref()),
            None if self.any_unknown => Some(None),
            None => None,
        }
    }
}

/// What a script holds, once read: the SQL sent to the server (variables substituted), and
/// the files it includes, in order; or why it cannot be checked.
#[derive(Debug, Default)]
pub(super) struct Script {
    pub sql: String,
    /// Included files, and whether each is relative to the including file (`\\ir`).
    pub includes: Vec<(String, bool)>,
    /// Files the script writes (`\\o FILE`, `\\w FILE`, `\\g FILE`, `\\copy ... TO 'FILE'`).
    pub writes: Vec<String>,
}

/// Environment variables naming programs psql runs (a pager, an editor).
pub(super) const PROGRAMS: &[&str] = &["PAGER", "PSQL_PAGER", "PSQL_WATCH_PAGER", "EDITOR", "PSQL_EDITOR", "VISUAL"];

/// Most variable substitutions in one script (`\set a :a` loops are stopped by psql too).
const MAX_EXPANSIONS: usize = 1000;

/// Read a psql script (a file, the input, or a `-c` that starts with a backslash), as psql's
/// lexer does: strings, quoted names, dollar quotes and comments are passed over; a
/// backslash outside them starts a meta-command that runs to the end of the line (or `\\`).
pub(super) fn read_script(text: &str, s: &mut Session) -> Result<Script, String> {
    let mut buf: Vec<char> = text.chars().collect();
    let mut out = Script::default();
    let mut expansions = 0;
    let mut i = 0;
    while i < buf.len() {
        let c = buf[i];
        let next = buf.get(i + 1).copied();
        match c {
            '-' if next == Some('-') => {
                let end = buf[i..].iter().position(|&c| c == '\n').map_or(buf.len(), |k| i + k);
                out.sql.extend(&buf[i..end]);
                i = end;
            }
            '/' if next == Some('*') => {
                let mut depth = 0;
                let start = i;
                while i < buf.len() {
                    if buf[i] == '/' && buf.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if buf[i] == '*' && buf.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                out.sql.extend(&buf[start..i.min(buf.len())]);
            }
            '\'' | '"' => {
                // `E'...'` strings take backslash escapes.
                let escapes = c == '\'' && i > 0 && matches!(buf[i - 1], 'e' | 'E');
                let start = i;
                i += 1;
                while i < buf.len() {
                    if escapes && buf[i] == '\\' {
                        i += 2;
                        continue;
                    }
                    if buf[i] == c {
                        if buf.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                out.sql.extend(&buf[start..i.min(buf.len())]);
            }
            '$' if dollar_tag(&buf, i).is_some() => {
                let tag = dollar_tag(&buf, i).unwrap_or_default();
                let start = i;
                i += tag.len();
                let close: Vec<char> = tag.chars().collect();
                while i < buf.len() && !buf[i..].starts_with(&close) {
                    i += 1;
                }
                i = (i + close.len()).min(buf.len());
                out.sql.extend(&buf[start..i]);
            }
            ':' if next == Some(':') => {
                out.sql.push_str("::");
                i += 2;
            }
            ':' => {
                let Some((name, quote, end)) = variable_at(&buf, i) else {
                    out.sql.push(c);
                    i += 1;
                    continue;
                };
                match s.get(&name) {
                    None => {
                        out.sql.extend(&buf[i..end]);
                        i = end;
                    }
                    Some(None) if quote.is_none() => {
                        return Err(format!("uses the psql variable :{name}, whose value is only known when it runs"));
                    }
                    Some(value) => {
                        expansions += 1;
                        if expansions > MAX_EXPANSIONS {
                            return Err(format!("expands psql variables more than {MAX_EXPANSIONS} times"));
                        }
                        let value = value.unwrap_or("?");
                        let text = match quote {
                            Some('\'') => format!("'{}'", value.replace('\'', "''")),
                            Some(_) => format!("\"{}\"", value.replace('"', "\"\"")),
                            // Read again: the value may hold SQL or meta-commands.
                            None => value.to_string(),
                        };
                        buf.splice(i..end, text.chars());
                        if quote.is_some() {
                            let n = text.chars().count();
                            out.sql.extend(&buf[i..i + n]);
                            i += n;
                        }
                    }
                }
            }
            // `\;`: a semicolon in the SQL (it does not send the query yet).
            '\\' if next == Some(';') => {
                out.sql.push(';');
                i += 2;
            }
            // `\\` ends a meta-command's arguments: SQL again.
            '\\' if next == Some('\\') => {
                out.sql.push('\n');
                i += 2;
            }
            '\\' => {
                // Arguments run to the end of the line or the next unquoted backslash.
                let mut end = i + 1;
                let mut quoted = false;
                while end < buf.len() && buf[end] != '\n' && (quoted || buf[end] != '\\') {
                    if buf[end] == '\'' {
                        quoted = !quoted;
                    }
                    end += 1;
                }
                let meta: String = buf[i + 1..end].iter().collect();
                meta_command(&meta, s, &mut out)?;
                out.sql.push('\n');
                i = end;
            }
            _ => {
                out.sql.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// `$tag$` at `i` (the opening of a dollar-quoted string), if it is one.
fn dollar_tag(buf: &[char], i: usize) -> Option<String> {
    if i > 0 && (buf[i - 1].is_alphanumeric() || buf[i - 1] == '_') {
        return None; // `a$1`: part of a name
    }
    let mut k = i + 1;
    while k < buf.len() && (buf[k].is_alphanumeric() || buf[k] == '_') {
        k += 1;
    }
    let tag: String = buf[i..=k.min(buf.len() - 1)].iter().collect();
    let digits = buf[i + 1..k].first().is_some_and(char::is_ascii_digit);
    (buf.get(k) == Some(&'$') && !digits).then_some(tag)
}

/// `:name`, `:'name'`, `:"name"` at `i`: the name, its quote and the index after it.
fn variable_at(buf: &[char], i: usize) -> Option<(String, Option<char>, usize)> {
    let quote = buf.get(i + 1).copied().filter(|c| *c == '\'' || *c == '"');
    let start = i + 1 + usize::from(quote.is_some());
    let mut k = start;
    while k < buf.len() && (buf[k].is_alphanumeric() || buf[k] == '_') {
        k += 1;
    }
    if k == start {
        return None;
    }
    let name: String = buf[start..k].iter().collect();
    match quote {
        Some(q) if buf.get(k) == Some(&q) => Some((name, Some(q), k + 1)),
        Some(_) => None,
        None => Some((name, None, k)),
    }
}

/// The words of a meta-command's arguments, as psql reads them: `'quoted'` (with `''`), plain
/// words; `None` for a word whose value is only known when it runs.
fn meta_words(args: &str, s: &Session) -> Result<Vec<Option<String>>, String> {
    if args.contains('`') {
        return Err(format!("runs a shell command in backquotes (`{}`), which is not checked", args.trim()));
    }
    let mut words = Vec::new();
    let chars: Vec<char> = args.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut word = String::new();
        let mut known = true;
        while i < chars.len() && !chars[i].is_whitespace() {
            match chars[i] {
                '\'' => {
                    i += 1;
                    while i < chars.len() {
                        if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                            word.push('\'');
                            i += 2;
                        } else if chars[i] == '\'' {
                            i += 1;
                            break;
                        } else {
                            word.push(chars[i]);
                            i += 1;
                        }
                    }
                }
                ':' => match variable_at(&chars, i) {
                    Some((name, _, end)) => {
                        match s.get(&name) {
                            Some(Some(v)) => word.push_str(v),
                            Some(None) => known = false,
                            None => word.extend(&chars[i..end]),
                        }
                        i = end;
                    }
                    None => {
                        word.push(':');
                        i += 1;
                    }
                },
                c => {
                    word.push(c);
                    i += 1;
                }
            }
        }
        let word = known.then_some(word);
        words.push(word);
    }
    Ok(words)
}

/// One meta-command (the text after its backslash): what it does to the session, the files
/// it includes, or why it cannot be checked.
fn meta_command(meta: &str, s: &mut Session, out: &mut Script) -> Result<(), String> {
    let name_len = meta.find(|c: char| !c.is_alphanumeric() && c != '_').unwrap_or(meta.len());
    // A name of letters (`gexec`), or one other character (`!`).
    let first_char = meta.chars().next().map_or(0, char::len_utf8);
    let (name, args) = meta.split_at(if name_len == 0 { first_char } else { name_len });
    let shown = format!("\\{}", meta.trim());
    match name {
        "!" => return Err(format!("runs a shell command from its SQL ({shown}), which is not checked")),
        "gexec" => {
            return Err("runs each value its query returns as SQL (`\\gexec`), which cannot be checked".into());
        }
        "e" | "edit" | "ef" | "ev" => {
            return Err(format!("runs what an editor writes ({shown}), which cannot be checked"));
        }
        // A program psql starts later (`\setenv PAGER 'rm dev.db'` then `\dt`).
        "setenv" if PROGRAMS.iter().any(|p| args.trim_start().starts_with(p)) => {
            return Err(format!("sets a program psql runs ({shown}), which is not checked"));
        }
        _ => {}
    }
    let words = meta_words(args, s)?;
    match name {
        "g" | "gx" | "o" | "out" | "w" | "write" if args.trim_start().starts_with('|') => {
            Err(format!("pipes output into a shell command ({shown}), which is not checked"))
        }
        "copy" if words.iter().flatten().any(|w| w.eq_ignore_ascii_case("program")) => {
            Err(format!("runs a program through \\copy ({shown}), which is not checked"))
        }
        "g" | "gx" | "o" | "out" | "w" | "write" => {
            out.writes.extend(words.iter().flatten().filter(|w| !w.starts_with('(')).cloned());
            Ok(())
        }
        "lo_export" => {
            out.writes.extend(words.iter().flatten().nth(1).cloned());
            Ok(())
        }
        "copy" => {
            let to = words.iter().flatten().position(|w| w.eq_ignore_ascii_case("to"));
            out.writes.extend(to.and_then(|k| words.iter().flatten().nth(k + 1)).cloned());
            Ok(())
        }
        "set" => {
            if let Some(Some(var)) = words.first() {
                let value: Option<String> = words[1..].iter().cloned().collect::<Option<Vec<_>>>().map(|v| v.concat());
                s.set(var, value);
            }
            Ok(())
        }
        "unset" => {
            if let Some(Some(var)) = words.first() {
                s.vars.remove(var);
            }
            Ok(())
        }
        "gset" => {
            s.any_unknown = true;
            Ok(())
        }
        "prompt" => {
            if let Some(Some(var)) = words.last() {
                s.set(var, None);
            }
            Ok(())
        }
        "getenv" => {
            if let Some(Some(var)) = words.first() {
                s.set(var, None);
            }
            Ok(())
        }
        "i" | "ir" | "include" | "include_relative" => match words.first() {
            Some(Some(path)) => {
                out.includes.push((path.clone(), matches!(name, "ir" | "include_relative")));
                Ok(())
            }
            Some(None) => Err(format!("includes a file named by a psql variable only known when it runs ({shown})")),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_substituted_and_meta_commands_found_anywhere() {
        let read = |text: &str| read_script(text, &mut Session::default());
        let sql = read("\\set q 'DROP SCHEMA public CASCADE'\n:q;\n").unwrap().sql;
        assert!(sql.contains("DROP SCHEMA public CASCADE"), "{sql}");
        let sql = read("\\set t users\nSELECT :'t', :\"t\", 1::int, '(:t)';\n").unwrap().sql;
        assert!(sql.contains("SELECT 'users', \"users\", 1::int, '(:t)'"), "{sql}");
        assert!(read("SELECT 'DROP SCHEMA public CASCADE' \\gexec\n").is_err());
        assert!(read("SELECT format('DROP TABLE %I', tablename) FROM pg_tables\n\\gexec\n").is_err());
        assert!(read("SELECT 1 \\g |sh\n").is_err());
        assert!(read("SELECT 1; \\! rm -rf dev.db\n").is_err());
        assert!(read("\\set x `cat /tmp/q.sql`\n").is_err());
        assert!(read("SELECT 'DROP TABLE a' AS q \\gset\n:q;\n").is_err());
        assert!(read("\\prompt 'sql? ' q\n:q;\n").is_err());
        assert!(read("\\setenv PAGER 'rm -f dev.db'\n\\dt\n").is_err());
        assert!(read("\\setenv TZ UTC\n").is_ok());
        assert_eq!(read("\\lo_export 1234 dev.db\n").unwrap().writes, ["dev.db"]);
        assert_eq!(read("\\set f /tmp/x.sql\n\\i :f\n").unwrap().includes, vec![("/tmp/x.sql".to_string(), false)]);
        // Backslashes inside strings, dollar quotes and comments are not meta-commands.
        let ok = read("SELECT 'a\\gexec';\nDO $$ BEGIN RAISE NOTICE '\\!'; END $$;\n-- \\gexec\n").unwrap();
        assert!(ok.includes.is_empty());
        assert!(read("SELECT 1 \\\\ \\gexec\n").is_err(), "`\\\\` ends one meta-command, not the line");
        let sql = read("SELECT 1 \\; DROP TABLE users;\n").unwrap().sql;
        assert!(sql.contains("; DROP TABLE users"), "`\\;` is a semicolon: {sql}");
        let writes = read("\\o out.txt\nSELECT 1 \\g dev.db\n\\copy users TO 'x.csv' csv\n").unwrap().writes;
        assert_eq!(writes, ["out.txt", "dev.db", "x.csv"]);
    }
}
