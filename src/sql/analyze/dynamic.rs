//! SQL that another statement runs: `PREPARE`, `EXPLAIN ANALYZE`, `EXECUTE [IMMEDIATE]`,
//! MySQL events, and SQLite's writable schema.

use super::{analyze, starts, Analyzer, Subject};
use crate::rules::RuleId;
use crate::sql::schema::Schema;
use crate::sql::tokens::{matching_paren, Tk, Tok};

impl Analyzer<'_> {
    /// A statement that runs other SQL text; true when it was judged here.
    pub(super) fn runs_other_sql(&mut self, i: usize, base: usize, t: &[Tok], text: &str) -> bool {
        let at = |k: usize| t.get(k).map_or(base, |x| x.pos);
        if starts(t, &["PREPARE"]) {
            // `PREPARE p [(types)] AS <statement>`: judged here, since EXECUTE only names it.
            if let Some(k) = t.iter().position(|x| x.is("AS")) {
                self.statement(i, base, &t[k + 1..], text);
            } else if let Some(k) = t.iter().position(|x| x.is("FROM")) {
                // MySQL: `PREPARE s FROM 'DROP TABLE t'` (the text judged), or `FROM @q`
                // (text made at run time).
                match t.get(k + 1) {
                    Some(x) if x.kind == Tk::Str && t.len() == k + 2 => {
                        for f in analyze(x.value, &mut Schema::default()).findings {
                            if f.rule.severity() == crate::rules::Severity::Error {
                                self.report(
                                    RuleId::DynamicSql,
                                    i,
                                    at(0),
                                    format!("a prepared statement {}", f.message),
                                    Subject::default(),
                                );
                            }
                        }
                    }
                    _ => self.report(
                        RuleId::DynamicSql,
                        i,
                        at(0),
                        "prepares SQL text made at run time (PREPARE ... FROM a variable)".to_string(),
                        Subject::default(),
                    ),
                }
            }
            return true;
        }
        // `EXPLAIN ANALYZE <statement>` runs the statement.
        if starts(t, &["EXPLAIN"]) {
            let mut k = 1;
            let mut runs = false;
            if t.get(k).is_some_and(|x| x.is_punct('(')) {
                if let Some(close) = matching_paren(t, k) {
                    runs = t[k..close]
                        .windows(2)
                        .any(|w| w[0].is("ANALYZE") && !(w[1].is("FALSE") || w[1].is("OFF") || w[1].value == "0"));
                    k = close + 1;
                }
            }
            while t.get(k).is_some_and(|x| x.is("ANALYZE") || x.is("ANALYSE") || x.is("VERBOSE")) {
                runs |= !t[k].is("VERBOSE");
                k += 1;
            }
            if runs && k < t.len() {
                self.statement(i, base, &t[k..], text);
            }
            return true;
        }
        if starts(t, &["EXECUTE", "IMMEDIATE"]) {
            // MariaDB: `EXECUTE IMMEDIATE <expression>`; one written-out string is judged.
            match t.get(2) {
                Some(x) if x.kind == Tk::Str && t.len() == 3 => {
                    for f in analyze(x.value, &mut Schema::default()).findings {
                        if f.rule.severity() == crate::rules::Severity::Error {
                            self.report(
                                RuleId::DynamicSql,
                                i,
                                at(0),
                                format!("EXECUTE IMMEDIATE {}", f.message),
                                Subject::default(),
                            );
                        }
                    }
                }
                _ => self.report(
                    RuleId::DynamicSql,
                    i,
                    at(0),
                    "runs SQL text made at run time (EXECUTE IMMEDIATE of an expression)".to_string(),
                    Subject::default(),
                ),
            }
            return true;
        }
        if starts(t, &["EXECUTE"]) {
            self.dynamic_strings(i, at(0), t);
            return true;
        }
        // SQLite: with the schema writable, a DELETE or UPDATE of sqlite_master removes tables.
        if starts(t, &["PRAGMA"]) && t.iter().any(|x| x.value.eq_ignore_ascii_case("writable_schema")) {
            self.report(RuleId::DynamicSql, i, at(0), "makes SQLite's schema writable (PRAGMA writable_schema), which can delete tables by editing sqlite_master".to_string(), Subject::default());
            return true;
        }
        // MySQL: an event's body runs later, on its schedule.
        if starts(t, &["CREATE"]) && t.iter().take(6).any(|x| x.is("EVENT")) {
            if let Some(k) = t.iter().position(|x| x.is("DO")) {
                if let Some(start) = t.get(k + 1) {
                    let body = &text[start.pos - t[0].pos..];
                    for f in analyze(body, &mut Schema::default()).findings {
                        if f.rule.severity() == crate::rules::Severity::Error {
                            self.report(
                                RuleId::DynamicSql,
                                i,
                                at(0),
                                format!("an event's body {}", f.message),
                                Subject::default(),
                            );
                        }
                    }
                }
            }
            return true;
        }
        false
    }
}
