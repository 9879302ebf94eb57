//! Statements that change the schema: `CREATE`, `ALTER TABLE` (with MySQL's table options
//! that throw rows away), `ALTER TYPE`, `RENAME TABLE` and the `DROP`s (the per-table
//! judgements are in `tables`).

use super::tables::*;
use super::{opt, skip_if, starts, Analyzer, Subject};
use crate::rules::RuleId;
use crate::sql::schema::key;
use crate::sql::tokens::{name_at, split_commas, Tok};

impl Analyzer<'_> {
    /// A statement that changes the schema; true when it is one.
    pub(super) fn changes_schema(&mut self, i: usize, base: usize, t: &[Tok]) -> bool {
        let at = |k: usize| t.get(k).map_or(base, |x| x.pos);
        if starts(t, &["DROP", "OWNED"]) {
            let role = name_at(t, 3).map(|n| n.0).unwrap_or_default();
            self.report(
                RuleId::DropOwned,
                i,
                at(0),
                format!("drops every table and object role `{role}` owns"),
                Subject::default(),
            );
            return true;
        }
        if starts(t, &["DROP", "MATERIALIZED", "VIEW"]) {
            let name = name_at(t, skip_if(t, 3)).map(|n| n.0).unwrap_or_default();
            self.report(
                RuleId::DropMaterializedView,
                i,
                at(0),
                format!("drops materialized view `{name}` and the rows it holds"),
                Subject { table: Some(name.to_string()), ..Subject::default() },
            );
            return true;
        }
        self.unique_index(i, t, at(0));
        let handled_elsewhere = ["TABLE", "SCHEMA", "DATABASE", "OWNED", "MATERIALIZED"];
        if starts(t, &["DROP"])
            && t.get(1).is_some_and(|x| !handled_elsewhere.iter().any(|w| x.is(w)))
            && t.last().is_some_and(|x| x.is("CASCADE"))
        {
            let what = t[1].value.to_ascii_lowercase();
            let name = name_at(t, skip_if(t, 2)).map(|n| n.0).unwrap_or_default();
            if what == "type" {
                self.schema.enums.remove(&key(name));
            }
            self.report(
                RuleId::DropCascade,
                i,
                at(0),
                format!(
                    "drops {what} `{name}` with CASCADE: what uses it goes too (columns of its types, with their data)"
                ),
                Subject::default(),
            );
            return true;
        }
        if starts(t, &["CREATE"]) {
            let mut k = 1;
            while t
                .get(k)
                .is_some_and(|x| x.is("TEMP") || x.is("TEMPORARY") || x.is("UNLOGGED") || x.is("OR") || x.is("REPLACE"))
            {
                k += 1;
            }
            if t.get(k).is_some_and(|x| x.is("TABLE")) {
                // MariaDB's `CREATE OR REPLACE TABLE t` drops the table t was first.
                if starts(&t[1..], &["OR", "REPLACE"]) {
                    if let Some((name, _)) = name_at(t, skip_if(t, k + 1)) {
                        if !self.state.created.contains(name) {
                            self.report(
                                RuleId::DropTable,
                                i,
                                at(0),
                                format!("replaces table `{name}`, dropping it and every row in it (CREATE OR REPLACE TABLE)"),
                                Subject { table: Some(name.to_string()), ..Subject::default() },
                            );
                        }
                    }
                }
                self.create_table(t, skip_if(t, k + 1));
            } else if t.get(k).is_some_and(|x| x.is("TYPE")) {
                self.create_type(i, at(0), t, k + 1);
            }
        } else if let Some(tbl) = alter_table_at(t) {
            // MySQL table options that throw the rows away.
            let name = name_at(t, opt(t, skip_if(t, opt(t, tbl + 1, "ONLY")), "ONLY")).map(|n| n.0).unwrap_or_default();
            // `ENGINE=MEMORY`, `ENGINE 'BLACKHOLE'`, ``ENGINE=`MERGE` ``: quoted or not.
            let rowless = |x: &Tok| {
                ["BLACKHOLE", "MEMORY", "HEAP", "MERGE", "MRG_MYISAM"].iter().any(|e| x.value.eq_ignore_ascii_case(e))
            };
            let engine_loses = t.windows(3).any(|w| w[0].is("ENGINE") && w[1].is_punct('=') && rowless(&w[2]))
                || t.windows(2).any(|w| w[0].is("ENGINE") && rowless(&w[1]));
            // MariaDB's `ALTER IGNORE TABLE ... ADD UNIQUE/PRIMARY KEY` deletes the rows that
            // duplicate the new key.
            let ignore = t[1..tbl].iter().any(|x| x.is("IGNORE"));
            let unique_key = t.windows(2).any(|w| w[0].is("ADD") && (w[1].is("UNIQUE") || w[1].is("PRIMARY")))
                || t.windows(3).any(|w| {
                    w[0].is("ADD") && w[1].is("CONSTRAINT") && t.iter().any(|x| x.is("UNIQUE") || x.is("PRIMARY"))
                });
            let lost = if t.windows(2).any(|w| w[0].is("DISCARD") && w[1].is("TABLESPACE")) {
                Some((RuleId::DropTable, "discards the table's data file (DISCARD TABLESPACE)"))
            } else if engine_loses {
                Some((
                    RuleId::DropTable,
                    "moves the table to an engine that keeps no rows on disk or holds none of its own (BLACKHOLE, MEMORY, MERGE)",
                ))
            } else if ignore && unique_key {
                Some((
                    RuleId::DeleteWithoutWhere,
                    "deletes every row that duplicates the new key (ALTER IGNORE TABLE ... ADD UNIQUE/PRIMARY KEY)",
                ))
            } else if t.windows(2).any(|w| (w[0].is("TRUNCATE") || w[0].is("DROP")) && w[1].is("PARTITION")) {
                Some((RuleId::Truncate, "deletes the rows of partitions (TRUNCATE/DROP PARTITION)"))
            } else if t
                .windows(3)
                .any(|w| w[0].is("CONVERT") && w[1].is("TO") && (w[2].is("CHARACTER") || w[2].is("CHARSET")))
            {
                Some((
                    RuleId::AlterColumnType,
                    "converts every text column to another character set; characters it lacks are lost",
                ))
            } else {
                None
            };
            if let Some((rule, what)) = lost {
                self.report(
                    rule,
                    i,
                    at(0),
                    format!("`{name}`: {what}"),
                    Subject { table: Some(name.to_string()), ..Subject::default() },
                );
            }
            // `ALTER TABLE [ONLY] [IF EXISTS] [ONLY] name`.
            if let Some((table, k)) = name_at(t, opt(t, skip_if(t, opt(t, tbl + 1, "ONLY")), "ONLY")) {
                self.alter_table(i, base, t, table, k);
            }
        } else if starts(t, &["ALTER", "TYPE"]) {
            self.alter_type(t);
        } else if starts(t, &["RENAME", "TABLE"]) {
            if let Some((from, k)) = name_at(t, 2) {
                let to = if t.get(k).is_some_and(|x| x.is("TO")) { name_at(t, k + 1).map(|n| n.0) } else { None };
                let to = to.unwrap_or_default();
                self.rename_table(i, at(0), from, to);
            }
        } else if starts(t, &["DROP", "TABLE"]) {
            let k = skip_if(t, 2);
            for (from, _) in split_commas(t, k, t.len()) {
                if let Some((name, _)) = name_at(t, from) {
                    self.drop_table(i, t[from].pos, name);
                }
            }
        } else if starts(t, &["DROP", "SCHEMA"]) || starts(t, &["DROP", "DATABASE"]) {
            let (rule, what) = if t[1].is("SCHEMA") {
                (RuleId::DropSchema, "drops a schema and everything in it")
            } else {
                (RuleId::DropDatabase, "drops a whole database")
            };
            let name = name_at(t, skip_if(t, 2)).map(|n| n.0).unwrap_or_default();
            self.report(rule, i, at(0), format!("{what} (`{name}`)"), Subject::default());
        } else if starts(t, &["DROP", "TYPE"]) {
            let k = skip_if(t, 2);
            if let Some((name, _)) = name_at(t, k) {
                self.schema.enums.remove(&key(name));
            }
        } else {
            return false;
        }
        true
    }
}

impl Analyzer<'_> {
    /// `CREATE UNIQUE INDEX name` adds a unique constraint Prisma's way; `DROP INDEX name` of
    /// one (Prisma names them `<Table>_<columns>_key`, or this migration's history made it)
    /// drops it, judged as `drop-constraint` is (a unique index added back is no finding).
    fn unique_index(&mut self, i: usize, t: &[Tok], at: usize) {
        let concurrently = |k: usize| if t.get(k).is_some_and(|x| x.is("CONCURRENTLY")) { k + 1 } else { k };
        if starts(t, &["CREATE", "UNIQUE", "INDEX"]) {
            if let Some((name, _)) = name_at(t, skip_if(t, concurrently(3))) {
                self.state.added_constraints.insert(name);
            }
        } else if starts(t, &["DROP", "INDEX"]) {
            let Some((name, k)) = name_at(t, skip_if(t, concurrently(2))) else { return };
            let prisma_unique =
                name.len() > 4 && name.get(name.len() - 4..).is_some_and(|e| e.eq_ignore_ascii_case("_key"));
            if !prisma_unique {
                return;
            }
            // MySQL names the table (`DROP INDEX x ON t`); Prisma's name begins with it.
            let table = match t.get(k) {
                Some(on) if on.is("ON") => name_at(t, k + 1).map(|n| n.0.to_string()),
                _ => None,
            }
            .unwrap_or_else(|| name.split('_').next().unwrap_or(name).to_string());
            self.state.dropped_constraints.push((name.to_string(), table, i, at));
        }
    }
}

/// The name a `CREATE UNIQUE INDEX` statement's text gives its index (comments before it,
/// `CONCURRENTLY` and `IF NOT EXISTS` aside; quotes taken off).
pub(super) fn unique_index_created(text: &str) -> Option<String> {
    let mut rest = text.trim_start();
    while rest.starts_with("--") || rest.starts_with("/*") {
        rest = match rest.strip_prefix("/*") {
            Some(r) => r.split_once("*/")?.1,
            None => rest.split_once('\n').map_or("", |(_, r)| r),
        }
        .trim_start();
    }
    let mut words = rest.split_whitespace();
    let lead: Vec<String> = words.by_ref().take(3).map(str::to_ascii_uppercase).collect();
    if lead != ["CREATE", "UNIQUE", "INDEX"] {
        return None;
    }
    let mut word = words.next()?;
    for skip in ["CONCURRENTLY", "IF", "NOT", "EXISTS"] {
        if word.eq_ignore_ascii_case(skip) {
            word = words.next()?;
        }
    }
    let name = word.split('(').next()?.rsplit('.').next()?.trim_matches(|c| c == '"' || c == '`');
    (!name.is_empty()).then(|| name.to_string())
}
