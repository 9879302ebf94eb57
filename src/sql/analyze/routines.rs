//! Statements whose effect is code: `CREATE RULE` actions, `COPY ... PROGRAM`, dblink_exec,
//! `CALL`, lo_unlink over a query, functions, procedures and `DO` blocks.

use super::functions::*;
use super::{analyze, starts, Analyzer, Subject};
use crate::rules::RuleId;
use crate::sql::schema::Schema;
use crate::sql::tokens::{name_at, Tk, Tok};

impl Analyzer<'_> {
    /// A statement that runs code on the server or later; true when it was judged here.
    pub(super) fn runs_code(&mut self, i: usize, base: usize, t: &[Tok], text: &str) -> bool {
        let at = |k: usize| t.get(k).map_or(base, |x| x.pos);
        if starts(t, &["CREATE"]) && t.iter().take(4).any(|x| x.is("RULE")) {
            // `CREATE RULE r AS ON DELETE TO t DO [ALSO|INSTEAD] <action>`: the action runs on
            // every matching statement.
            if let Some(k) = t.iter().position(|x| x.is("DO")) {
                // `DO INSTEAD NOTHING` on INSERT/UPDATE/DELETE: every later write is thrown away.
                let instead_nothing =
                    t.get(k + 1).is_some_and(|x| x.is("INSTEAD")) && t.get(k + 2).is_some_and(|x| x.is("NOTHING"));
                if instead_nothing && t[..k].iter().any(|x| x.is("INSERT") || x.is("UPDATE") || x.is("DELETE")) {
                    self.report(
                        RuleId::DynamicSql,
                        i,
                        at(0),
                        "a rule that does nothing instead of INSERT/UPDATE/DELETE throws every later write to the table away".into(),
                        Subject::default(),
                    );
                }
                let k = if t.get(k + 1).is_some_and(|x| x.is("ALSO") || x.is("INSTEAD")) { k + 2 } else { k + 1 };
                if let Some(start) = t.get(k) {
                    let body = &text[start.pos - t[0].pos..];
                    // `DO ALSO (a; b)`: the parentheses around the actions, not a call's.
                    let body = body.trim();
                    let body = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')).unwrap_or(body);
                    let inner = analyze(body, &mut Schema::default());
                    for f in inner.findings {
                        if f.rule == RuleId::UnknownFunction {
                            self.report(f.rule, i, at(0), format!("a rule's action {}", f.message), Subject::default());
                        } else if f.rule.severity() == crate::rules::Severity::Error {
                            self.report(
                                RuleId::DynamicSql,
                                i,
                                at(0),
                                format!("a rule's action {}", f.message),
                                Subject::default(),
                            );
                        }
                    }
                }
            }
            return true;
        }
        if starts(t, &["CREATE"]) && t.iter().take(8).any(|x| x.is("TRIGGER")) && self.trigger_body(i, t, text) {
            return true;
        }
        if (starts(t, &["COPY"]) && t.iter().any(|x| x.is("PROGRAM")))
            || (t.iter().any(|x| x.value.eq_ignore_ascii_case("dblink_exec"))
                && t.iter().any(|x| x.kind == Tk::Str && mentions_data_loss(x.value)))
        {
            self.report(
                RuleId::DynamicSql,
                i,
                at(0),
                "runs a program on the server or SQL in another database (COPY ... PROGRAM, dblink_exec)".to_string(),
                Subject::default(),
            );
            return true;
        }
        if starts(t, &["CALL"]) {
            let name = name_at(t, 1).map(|n| n.0).unwrap_or_default();
            self.report(
                RuleId::DynamicSql,
                i,
                at(0),
                format!("calls procedure `{name}`, whose body prisma-guard cannot see here"),
                Subject::default(),
            );
            return true;
        }
        if t.iter().any(|x| x.value.eq_ignore_ascii_case("lo_unlink")) && t.iter().any(|x| x.is("FROM")) {
            self.report(
                RuleId::DynamicSql,
                i,
                at(0),
                "deletes large objects (lo_unlink over a query)".to_string(),
                Subject::default(),
            );
            return true;
        }
        if starts(t, &["DO"]) || is_routine(t) {
            if is_routine(t) {
                let k = if starts(&t[1..], &["OR", "REPLACE"]) { 4 } else { 2 };
                if let Some((name, _)) = name_at(t, k) {
                    self.state.functions.insert(name);
                    // Calling it later in the same SQL runs what its body changes.
                    if changes_data(text) {
                        self.state.changing_functions.insert(name);
                    }
                }
            } else {
                // MySQL: `DO f()` evaluates its expressions now.
                self.unknown_calls(i, at(0), t);
            }
            self.routine_bodies(i, at(0), t, text);
            return true;
        }
        false
    }

    /// `CREATE TRIGGER ... BEGIN <statements> END` (SQLite, MySQL) or `... FOR EACH ROW
    /// <statement>` (MySQL): the body runs each time the trigger fires, later, so what it
    /// loses is lost then. PostgreSQL's `EXECUTE FUNCTION f()` is judged as a call. True when
    /// judged here.
    fn trigger_body(&mut self, i: usize, t: &[Tok], text: &str) -> bool {
        if t.iter().any(|x| x.is("EXECUTE")) {
            return false;
        }
        let start = match t.iter().position(|x| x.is("BEGIN")) {
            Some(k) => k + 1,
            None => match t.windows(3).position(|w| w[0].is("FOR") && w[1].is("EACH")) {
                Some(k) => k + 3,
                None => return false,
            },
        };
        let Some(first) = t.get(start) else { return true };
        let end = match t.last() {
            Some(last) if last.is("END") && t.len() > start + 1 => last.pos - t[0].pos,
            _ => text.len(),
        };
        let body = text.get(first.pos - t[0].pos..end).unwrap_or("");
        for f in analyze(body, &mut Schema::default()).findings {
            if f.rule == RuleId::UnknownFunction || f.rule.severity() == crate::rules::Severity::Error {
                self.report(
                    RuleId::DynamicSql,
                    i,
                    t[0].pos,
                    format!("creates a trigger whose body {}, each time it fires", f.message),
                    Subject::default(),
                );
            }
        }
        true
    }
}
