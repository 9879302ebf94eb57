//! Statements that change rows: `LOAD DATA ... REPLACE`, `MERGE`, `TRUNCATE`, `DELETE`,
//! `UPDATE`, `INSERT` and `REPLACE` (the row-level judgements are in `rows`).

use super::rows::*;
use super::{opt, starts, Analyzer, Subject};
use crate::rules::RuleId;
use crate::sql::tokens::{name_at, Tk, Tok};

impl Analyzer<'_> {
    /// A statement that changes rows; true when it is one.
    pub(super) fn changes_rows(&mut self, i: usize, base: usize, t: &[Tok]) -> bool {
        let at = |k: usize| t.get(k).map_or(base, |x| x.pos);
        // MySQL: `LOAD DATA ... REPLACE INTO TABLE t` replaces the rows the file names.
        if starts(t, &["LOAD", "DATA"]) && t.iter().any(|x| x.is("REPLACE")) {
            self.report(
                RuleId::UpdateWithoutWhere,
                i,
                at(0),
                "replaces existing rows with a file's (LOAD DATA ... REPLACE)".to_string(),
                Subject::default(),
            );
            return true;
        }
        if starts(t, &["MERGE"]) {
            // `MERGE INTO t USING t s ON t.id = s.id WHEN MATCHED THEN UPDATE`: every row.
            let target = name_at(t, opt(t, 1, "INTO")).map(|n| n.0).unwrap_or_default();
            let using = t.iter().position(|x| x.is("USING")).and_then(|k| name_at(t, opt(t, k + 1, "ONLY")));
            let on = t.iter().position(|x| x.is("ON"));
            let when = t.iter().position(|x| x.is("WHEN"));
            let unconditioned_update = t.windows(4).any(|w| w[0].is("MATCHED") && w[1].is("THEN") && w[2].is("UPDATE"));
            if let (Some(on), Some(when), true) = (on, when, unconditioned_update) {
                // `ON true`, `ON 1 = 1`: every target row matches, whatever the source; or the
                // table joined to itself on its own columns.
                let mut on_clause = vec![Tok { kind: Tk::Word, value: "WHERE", pos: t[on].pos }];
                on_clause.extend_from_slice(&t[on + 1..when.max(on + 1)]);
                let always = on < when && every_row(&on_clause).is_some();
                let itself = using.is_some_and(|(source, _)| source.eq_ignore_ascii_case(target))
                    && on < when
                    && same_column_equalities(&t[on + 1..when]);
                if always || itself {
                    let why = if always { "its ON condition matches every row" } else { "the table joined to itself" };
                    self.report(
                        RuleId::UpdateWithoutWhere,
                        i,
                        at(0),
                        format!("MERGE ... THEN UPDATE overwrites every row of `{target}` ({why})"),
                        Subject { table: Some(target.to_string()), ..Subject::default() },
                    );
                }
            }
            if t.windows(2).any(|w| w[0].is("THEN") && w[1].is("DELETE")) {
                let name = name_at(t, opt(t, 1, "INTO")).map(|n| n.0).unwrap_or_default();
                self.report(
                    RuleId::MergeDelete,
                    i,
                    at(0),
                    format!("MERGE ... THEN DELETE deletes the matched rows of `{name}`"),
                    Subject { table: Some(name.to_string()), ..Subject::default() },
                );
            }
            return true;
        }
        if starts(t, &["TRUNCATE"]) {
            let name = name_at(t, opt(t, opt(t, 1, "TABLE"), "ONLY")).map(|n| n.0).unwrap_or_default();
            self.report(
                RuleId::Truncate,
                i,
                at(0),
                format!("deletes every row of `{name}`"),
                Subject { table: Some(name.to_string()), ..Subject::default() },
            );
        } else if starts(t, &["DELETE"]) {
            let name = name_at(t, opt(t, opt(t, 1, "FROM"), "ONLY")).map(|n| n.0).unwrap_or_default();
            if let Some(why) = self.every_row_of(name, t) {
                if !self.state.created.contains(name) {
                    self.report(
                        RuleId::DeleteWithoutWhere,
                        i,
                        at(0),
                        format!("deletes every row of `{name}` ({why})"),
                        Subject { table: Some(name.to_string()), ..Subject::default() },
                    );
                }
            }
        } else if starts(t, &["UPDATE"]) {
            self.update(i, at(0), t);
        } else if starts(t, &["INSERT", "INTO"]) {
            self.upsert(i, at(0), t);
            self.insert(i, at(0), t);
        } else if starts(t, &["REPLACE"]) || starts(t, &["INSERT", "OR", "REPLACE"]) {
            self.upsert(i, at(0), t);
        } else {
            return false;
        }
        true
    }
}
