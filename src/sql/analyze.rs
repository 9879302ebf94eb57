//! Migration analysis: which statements lose data or may fail, read the way Prisma writes
//! migrations, for PostgreSQL, MySQL and SQLite.
//!
//! Prisma-aware:
//! - SQLite `RedefineTables` (`CREATE TABLE "new_X"`, `INSERT INTO "new_X" (...) SELECT ...
//!   FROM "X"`, `DROP TABLE "X"`, `ALTER TABLE "new_X" RENAME TO "X"`) preserves data; only the
//!   columns it does not copy are reported (from the earlier schema or Prisma's warnings).
//! - PostgreSQL enum recreation (`CREATE TYPE "E_new"`, `ALTER COLUMN ... TYPE "E_new"`,
//!   `ALTER TYPE "E" RENAME TO "E_old"`, `DROP TYPE "E_old"`) is one `drop-enum-value` finding
//!   naming the values removed.
//! - The `Warnings:` block is tied to the statements it warns about.
//! - A backfill (`UPDATE t SET c = ...` of a column added in the same migration), a re-added
//!   constraint, and columns of tables created in the same migration are not reported.

use crate::rules::RuleId;
use std::collections::BTreeMap;

use super::lex::{lex, Lexed, Piece};
use super::schema::{key, mysql_enum_values, widens, Column, Schema, Table};
use super::tokens::{matching_paren, name_at, split_commas, Tk, Tok};
use super::warnings::{self, About, Warning};

/// One finding in a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFinding {
    pub rule: RuleId,
    /// Byte offset in the file of what the finding points at.
    pub offset: usize,
    /// Index of the statement in [`Analysis::statements`] (`None`: the warnings block).
    pub statement: Option<usize>,
    pub message: String,
    /// Prisma's own warning about this statement, when it wrote one.
    pub prisma_warning: Option<String>,
    subject: Subject,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Subject {
    table: Option<String>,
    column: Option<String>,
    enum_name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Where the statements are in the migration.
    pub statements: Vec<Piece>,
    pub findings: Vec<SqlFinding>,
    /// A rule needed a table, column or enum the schema given did not know: the result may
    /// change with the earlier migrations replayed.
    pub needs_history: bool,
}

/// Analyse one migration against `schema` (what earlier migrations built), updating it.
pub fn analyze(sql: &str, schema: &mut Schema) -> Analysis {
    analyze_prepared(prepare(sql), sql, schema)
}

/// The schema-independent half of the work (statements, tokens, Prisma's warnings): it can
/// run in parallel over many files, while [`analyze_prepared`] runs in migration order.
pub struct Prepared {
    lexed: Lexed,
    warnings: Vec<Warning>,
}

pub fn prepare(sql: &str) -> Prepared {
    let warnings = warnings::read(sql);
    // Statements no rule reads (indexes, comments, grants...) are not tokenized, unless a
    // Prisma warning may need to be tied to one of them.
    let lexed = lex(sql, !warnings.is_empty());
    Prepared { lexed, warnings }
}

/// Whether `sql` reads differently with and without backslash escapes in strings (it has a
/// `\'`): PostgreSQL takes `'\'` as a whole string, MySQL as an unclosed one, and a
/// statement can hide behind the difference.
pub fn backslash_sensitive(sql: &str) -> bool {
    sql.contains("\\'")
}

/// [`analyze`] with PostgreSQL's standard strings (a backslash is an ordinary character).
pub fn analyze_standard_strings(sql: &str, schema: &mut Schema) -> Analysis {
    let warnings = warnings::read(sql);
    let lexed = crate::sql::lex::lex_with(sql, !warnings.is_empty(), false);
    analyze_prepared(Prepared { lexed, warnings }, sql, schema)
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

/// Findings of `b` that `a` does not have (same rule at the same place), added to `a`.
pub fn merge_findings(a: &mut Analysis, b: Analysis) {
    for f in b.findings {
        if !a.findings.iter().any(|x| x.rule == f.rule && x.offset == f.offset) {
            a.findings.push(f);
        }
    }
    a.findings.sort_by_key(|f| f.offset);
}

/// Judge a migration prepared from `sql` against `schema`, updating it.
pub fn analyze_prepared(prepared: Prepared, sql: &str, schema: &mut Schema) -> Analysis {
    let Prepared { lexed, warnings } = prepared;
    let toks = lexed.toks(sql);
    let statements = &lexed.statements;
    let mut a = Analyzer { schema, missed: false, state: State::default(), findings: Vec::new() };
    for (i, s) in statements.iter().enumerate() {
        a.statement(i, s.offset, &toks[s.toks()], s.text(sql));
    }
    a.finish();
    let needs_history = a.missed;
    let mut findings = a.findings;
    tie_warnings(warnings, statements, &toks, &mut findings);
    findings.sort_by_key(|f| f.offset);
    drop(toks);
    Analysis { statements: lexed.statements, findings, needs_history }
}

struct Redefined {
    statement: usize,
    offset: usize,
    /// Columns before, when the schema knows them.
    before: Option<Vec<String>>,
    table: String,
}

struct NewEnum {
    display: String,
    values: Vec<String>,
    statement: usize,
    offset: usize,
    before: Option<Vec<String>>,
}

/// Names met in one migration, compared as SQL compares unquoted names (ASCII case
/// ignored). A migration names a few tables: a list searched in order, not a tree whose
/// every insert allocates a node and a lower-cased copy of the name.
#[derive(Default)]
struct Names(Vec<String>);

impl Names {
    fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Kept lower-cased (the form findings name them in).
    fn insert(&mut self, name: &str) {
        if !self.contains(name) {
            self.0.push(key(name));
        }
    }

    fn remove(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|n| !n.eq_ignore_ascii_case(name));
        self.0.len() != before
    }
}

/// (table, column) pairs met in one migration, compared as [`Names`] are.
#[derive(Default)]
struct Pairs(Vec<(String, String)>);

impl Pairs {
    fn contains(&self, table: &str, column: &str) -> bool {
        self.0.iter().any(|(t, c)| t.eq_ignore_ascii_case(table) && c.eq_ignore_ascii_case(column))
    }

    fn insert(&mut self, table: &str, column: &str) {
        if !self.contains(table, column) {
            self.0.push((key(table), key(column)));
        }
    }
}

/// Facts gathered while reading one migration.
#[derive(Default)]
struct State {
    created: Names,
    added: Pairs,
    backfilled: Pairs,
    /// `new_X` -> columns copied into it (from the INSERT), and the statement.
    copies: BTreeMap<String, Vec<String>>,
    /// Enum name -> (new values, statement index, offset, values before) for `CREATE TYPE "E_new"`.
    new_enums: BTreeMap<String, NewEnum>,
    /// Enums renamed to `E_old` (recreated).
    renamed_old: Names,
    /// Constraint names added in this migration.
    added_constraints: Names,
    /// Tables gaining a primary key in this migration.
    added_pk: Names,
    /// Dropped constraints: (name or "PRIMARY KEY", table, statement, offset).
    dropped_constraints: Vec<(String, String, usize, usize)>,
    dropped_tables: Names,
    /// Tables redefined (`DROP TABLE "X"` with a `new_X` copy): X -> (statement, offset, columns before).
    redefined: BTreeMap<String, Redefined>,
    /// Functions and procedures this migration creates (their bodies judged there).
    functions: Names,
    /// Columns added here and filled in every row from other columns: (table, new, the
    /// columns its values came from).
    filled_from: Vec<(String, String, Vec<String>)>,
    /// Columns dropped here.
    dropped_columns: Pairs,
}

struct Analyzer<'s> {
    schema: &'s mut Schema,
    /// A rule looked up a table, column or enum the schema does not know.
    missed: bool,
    state: State,
    findings: Vec<SqlFinding>,
}

const COLUMN_STOP: &[&str] = &[
    "NOT",
    "NULL",
    "DEFAULT",
    "PRIMARY",
    "REFERENCES",
    "UNIQUE",
    "CHECK",
    "CONSTRAINT",
    "GENERATED",
    "AUTO_INCREMENT",
    "AUTOINCREMENT",
    "COLLATE",
    "ON",
    "COMMENT",
    "USING",
    "FIRST",
    "AFTER",
    "CHARACTER",
    "CHARSET",
];
const CONSTRAINT_WORDS: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "UNIQUE",
    "FOREIGN",
    "CHECK",
    "INDEX",
    "KEY",
    "FULLTEXT",
    "SPATIAL",
    "PARTITION",
    "EXCLUDE",
];

/// A column definition: name, type and flags, from tokens `name type ...`.
struct ColumnDef {
    name: String,
    ty: String,
    not_null: bool,
    has_default: bool,
    auto: bool,
}

fn column_def(toks: &[Tok]) -> Option<ColumnDef> {
    let first = toks.first()?;
    if !first.is_name() || (first.kind == Tk::Word && CONSTRAINT_WORDS.iter().any(|w| first.is(w))) {
        return None;
    }
    let mut ty = String::new();
    let mut k = 1;
    while let Some(t) = toks.get(k) {
        if t.kind == Tk::Word && COLUMN_STOP.iter().any(|w| t.is(w)) {
            break;
        }
        match t.kind {
            Tk::Word => ty.extend(t.value.chars().map(|c| c.to_ascii_uppercase())),
            Tk::Str => {
                ty.push('\'');
                ty.push_str(t.value);
                ty.push('\'');
            }
            _ => ty.push_str(t.value),
        }
        k += 1;
    }
    // The constraints after the type, in one pass.
    let (mut not_null, mut has_default, mut auto) = (false, false, false);
    for (j, t) in toks.iter().enumerate().skip(k) {
        if t.is("NOT") && toks.get(j + 1).is_some_and(|n| n.is("NULL")) || t.is("PRIMARY") {
            not_null = true;
        } else if t.is("DEFAULT") {
            has_default = true;
        } else if t.is("AUTO_INCREMENT") || t.is("AUTOINCREMENT") || t.is("GENERATED") {
            auto = true;
        }
    }
    let t = ty.as_bytes();
    auto |= t.windows(6).any(|w| w.eq_ignore_ascii_case(b"SERIAL"))
        || t.get(..14).is_some_and(|p| p.eq_ignore_ascii_case(b"INTEGERPRIMARY"));
    Some(ColumnDef { name: first.value.to_string(), ty, not_null, has_default, auto })
}

fn starts(toks: &[Tok], words: &[&str]) -> bool {
    words.len() <= toks.len() && words.iter().zip(toks).all(|(w, t)| t.is(w))
}

/// `i + 1` when the word at `i` is the optional keyword `kw`, else `i`.
fn opt(toks: &[Tok], i: usize, kw: &str) -> usize {
    if toks.get(i).is_some_and(|x| x.is(kw)) {
        i + 1
    } else {
        i
    }
}

/// Skip `IF EXISTS` / `IF NOT EXISTS` at `i`.
fn skip_if(toks: &[Tok], i: usize) -> usize {
    if starts(&toks[i.min(toks.len())..], &["IF", "NOT", "EXISTS"]) {
        i + 3
    } else if starts(&toks[i.min(toks.len())..], &["IF", "EXISTS"]) {
        i + 2
    } else {
        i
    }
}

/// Whether a DELETE or UPDATE (tokens `t`, from its first word to the end of its own
/// statement) reaches every row: no WHERE at its own level, or a WHERE that is always true
/// (`WHERE true`, `WHERE 1=1`, `WHERE 'a'='a'`, `... OR true`). The reason, when it does.
fn every_row(t: &[Tok]) -> Option<&'static str> {
    let mut depth = 0i32;
    let mut where_at = None;
    for (k, x) in t.iter().enumerate() {
        if x.is_punct('(') {
            depth += 1;
        } else if x.is_punct(')') {
            depth -= 1;
        } else if depth == 0 && x.is("WHERE") {
            where_at = Some(k);
            break;
        }
    }
    let Some(w) = where_at else { return Some("no WHERE clause") };
    // The clause runs to RETURNING / ORDER / LIMIT at its level, or the end.
    let mut end = t.len();
    let mut depth = 0i32;
    for (k, x) in t.iter().enumerate().skip(w + 1) {
        if x.is_punct('(') {
            depth += 1;
        } else if x.is_punct(')') {
            depth -= 1;
        } else if depth == 0 && (x.is("RETURNING") || x.is("ORDER") || x.is("LIMIT")) {
            end = k;
            break;
        }
    }
    if self_join_on_itself(t, w, end) {
        return Some("it joins the table to itself on its own columns, which matches every row");
    }
    if t[w + 1..end].split(|x| x.is("OR")).any(unconditioned_subquery_branch) {
        return Some("its WHERE clause matches every row a subquery with no condition returns");
    }
    let clause: Vec<&Tok> = t[w + 1..end].iter().filter(|x| !x.is_punct('(') && !x.is_punct(')')).collect();
    let branches = clause.split(|x| x.is("OR"));
    let always = |b: &[&Tok]| -> bool {
        let literal = |x: &Tok| {
            x.kind == Tk::Str || (x.kind == Tk::Word && x.value.bytes().all(|c| c.is_ascii_digit() || c == b'.'))
        };
        let same = |a: &Tok, b: &Tok| a.is_name() && b.is_name() && a.value.eq_ignore_ascii_case(b.value);
        let matches_all = |op: &Tok, pattern: &Tok| {
            pattern.kind == Tk::Str
                && ((op.is("LIKE") || op.is("ILIKE")) && pattern.value.chars().all(|c| c == '%')
                    || op.is("GLOB") && pattern.value.chars().all(|c| c == '*'))
        };
        match b {
            [x] => {
                x.is("TRUE")
                    || (literal(x) && x.kind == Tk::Word && x.value.bytes().any(|c| c != b'0' && c != b'.'))
                    // `WHERE id`, `WHERE rowid`: true for every row whose key is not 0 (MySQL, SQLite).
                    || (x.is_name() && {
                        let v = x.value.to_ascii_lowercase();
                        v == "id" || v == "rowid" || v.ends_with("_id") || v.ends_with("id") && x.value.ends_with("Id")
                    })
            }
            [n, f] => n.is("NOT") && f.is("FALSE"),
            // `id IS id` (SQLite), `email LIKE '%'`, `name GLOB '*'`.
            [a, is, b] if is.is("IS") => same(a, b),
            [_, op, p] if matches_all(op, p) => true,
            // `id == id` (SQLite), `id IS NOT DISTINCT FROM id`.
            [a, e1, e2, b] if e1.is_punct('=') && e2.is_punct('=') => same(a, b),
            [a, is, not, dist, from, b] if is.is("IS") && not.is("NOT") && dist.is("DISTINCT") && from.is("FROM") => {
                same(a, b)
            }
            // `1 = 1`, `'a' = 'a'`, and a column compared with itself (`id = id`).
            [a, eq, b] => {
                eq.is_punct('=')
                    && a.kind == b.kind
                    && (a.value == b.value || (a.kind == Tk::Word && a.value.eq_ignore_ascii_case(b.value)))
                    && (literal(a) || a.is_name())
            }
            // `u.id = u.id`, `"User".id = "User".id`: the same column of the same name.
            [q1, d1, c1, eq, q2, d2, c2] => {
                d1.is_punct('.')
                    && d2.is_punct('.')
                    && eq.is_punct('=')
                    && q1.is_name()
                    && c1.is_name()
                    && q1.value.eq_ignore_ascii_case(q2.value)
                    && c1.value.eq_ignore_ascii_case(c2.value)
            }
            _ => false,
        }
    };
    // `x IS NULL OR x IS NOT NULL`.
    let null_checks: Vec<(&str, bool)> = clause
        .split(|x| x.is("OR"))
        .filter_map(|b| match b {
            [x, is, null] if is.is("IS") && null.is("NULL") && x.is_name() => Some((x.value, true)),
            [x, is, not, null] if is.is("IS") && not.is("NOT") && null.is("NULL") && x.is_name() => {
                Some((x.value, false))
            }
            _ => None,
        })
        .collect();
    if null_checks.iter().any(|(x, is_null)| null_checks.iter().any(|(y, other)| x == y && is_null != other)) {
        return Some("its WHERE clause is always true");
    }
    if branches.into_iter().any(always) {
        return Some("its WHERE clause is always true");
    }
    // A clause that names no column has one value for every row (or a random pick of them):
    // all or nothing. Function names (`random()`, `length('')`), cast types (`::int`) and
    // literal prefixes (`x'1'`, `E'a'`) are not columns.
    let whole = &t[w + 1..end];
    let constant = !clause.is_empty()
        && whole.iter().enumerate().all(|(k, x)| match x.kind {
            Tk::Str | Tk::Punct => true,
            Tk::Ident => false,
            Tk::Word => {
                let v = x.value;
                v.bytes().all(|c| c.is_ascii_digit() || c == b'.')
                    || (v.len() > 2
                        && v[..2].eq_ignore_ascii_case("0x")
                        && v[2..].bytes().all(|c| c.is_ascii_hexdigit()))
                    || CONSTANT_WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
                    || whole.get(k + 1).is_some_and(|n| n.is_punct('('))
                    || (k >= 2 && whole[k - 1].is_punct(':') && whole[k - 2].is_punct(':'))
                    || (v.len() == 1 && whole.get(k + 1).is_some_and(|n| n.kind == Tk::Str && n.pos == x.pos + 1))
            }
        });
    if !constant || never(&clause) {
        return None;
    }
    Some("its WHERE clause names no column: the same for every row")
}

/// Whether a DELETE ... USING or UPDATE ... FROM (tokens `t`, WHERE at `w`, clause to `end`)
/// joins its table to itself with a clause of `a.c = b.c` equalities only: every row matches
/// itself.
fn self_join_on_itself(t: &[Tok], w: usize, end: usize) -> bool {
    let target_at = if t[0].is("DELETE") { opt(t, opt(t, 1, "FROM"), "ONLY") } else { opt(t, 1, "ONLY") };
    let Some((target, _)) = name_at(t, target_at) else { return false };
    let joined = if t[0].is("DELETE") { "USING" } else { "FROM" };
    let Some(k) = t[..w].iter().position(|x| x.is(joined)) else { return false };
    let Some((source, _)) = name_at(t, opt(t, k + 1, "ONLY")) else { return false };
    if !source.eq_ignore_ascii_case(target) {
        return false;
    }
    same_column_equalities(&t[w + 1..end])
}

/// Whether a condition is only `a.c = b.c` (the same column of two names), joined by AND.
fn same_column_equalities(clause: &[Tok]) -> bool {
    let parts: Vec<&[Tok]> = clause.split(|x| x.is("AND")).collect();
    !clause.is_empty()
        && parts.iter().all(|p| {
            let p: Vec<&Tok> = p.iter().filter(|x| !x.is_punct('(') && !x.is_punct(')')).collect();
            matches!(p.as_slice(), [q1, d1, c1, eq, q2, d2, c2]
                if d1.is_punct('.') && d2.is_punct('.') && eq.is_punct('=')
                    && c1.value.eq_ignore_ascii_case(c2.value) && !q1.value.eq_ignore_ascii_case(q2.value))
        })
}

/// Whether one OR-branch of a WHERE clause is `x IN (SELECT ...)`, `x = ANY (SELECT ...)` or
/// `EXISTS (SELECT ...)` whose subquery has no condition of its own (no WHERE, LIMIT, JOIN
/// ...), and nothing else narrows it (no AND outside the subquery): every row, or for
/// `EXISTS`, every row or none.
fn unconditioned_subquery_branch(branch: &[Tok]) -> bool {
    let Some(open) = branch.iter().position(|x| x.is_punct('(')) else { return false };
    if !branch.get(open + 1).is_some_and(|x| x.is("SELECT")) || branch[..open].iter().any(|x| x.is("NOT")) {
        return false;
    }
    let Some(close) = matching_paren(branch, open) else { return false };
    let before = &branch[..open];
    let membership = match before {
        [.., x] if x.is("IN") || x.is("EXISTS") => true,
        [.., eq, any] if eq.is_punct('=') && (any.is("ANY") || any.is("SOME")) => true,
        _ => false,
    };
    let narrowed = before.iter().chain(&branch[close + 1..]).any(|x| x.is("AND"));
    if !membership || narrowed || branch[close + 1..].iter().any(|x| !x.is_punct(')')) {
        return false;
    }
    let inner = &branch[open + 1..close];
    const CONDITIONS: &[&str] =
        &["WHERE", "LIMIT", "FETCH", "OFFSET", "JOIN", "HAVING", "TABLESAMPLE", "INTERSECT", "EXCEPT", "GROUP"];
    if inner.iter().any(|x| CONDITIONS.iter().any(|c| x.is(c))) {
        return false;
    }
    // `FROM a, b` is a join too.
    let from = inner.iter().position(|x| x.is("FROM"));
    from.is_some_and(|f| split_commas(inner, f + 1, inner.len()).len() <= 1)
}

/// The functions a statement calls (`name(`, `schema.name(`), with their schema when given;
/// type modifiers (`varchar(10)`), table column lists (`INTO t (a, b)`) and keywords that take
/// parentheses (`IN (`, `VALUES (`) aside.
fn calls<'a>(t: &[Tok<'a>]) -> Vec<(Option<&'a str>, &'a str)> {
    const NOT_CALLS: &[&str] = &[
        "IN",
        "VALUES",
        "EXISTS",
        "ANY",
        "ALL",
        "SOME",
        "AS",
        "ON",
        "AND",
        "OR",
        "NOT",
        "WHERE",
        "SELECT",
        "FROM",
        "USING",
        "SET",
        "RETURNING",
        "WITH",
        "INTO",
        "ONLY",
        "OVER",
        "FILTER",
        "WITHIN",
        "ROW",
        "ARRAY",
        "LATERAL",
        "JOIN",
        "BY",
        "WHEN",
        "THEN",
        "ELSE",
        "CASE",
        "IS",
        "LIKE",
        "ILIKE",
        "BETWEEN",
        "CUBE",
        "ROLLUP",
        "GROUPING",
        "SETS",
        "UNION",
        "INTERSECT",
        "EXCEPT",
        "LIMIT",
        "OFFSET",
        "DISTINCT",
        "MATERIALIZED",
        "RECURSIVE",
        "CONFLICT",
        "UPDATE",
        "DELETE",
        "INSERT",
        "DO",
        "NOTHING",
        "KEY",
        "INTERVAL",
        "TIMESTAMP",
        "TIME",
        "VARCHAR",
        "CHAR",
        "CHARACTER",
        "NUMERIC",
        "DECIMAL",
        "FLOAT",
        "BIT",
        "VARBIT",
        "VARYING",
        "PRECISION",
        "TABLE",
        "DEFAULT",
        "HAVING",
        "ORDER",
        "GROUP",
        "PARTITION",
        "RANGE",
        "ROWS",
        "OF",
        "TO",
        "FOR",
        "SEARCH",
        "CYCLE",
        "DATETIME",
        "BINARY",
        "VARBINARY",
    ];
    let mut found = Vec::new();
    for k in 0..t.len().saturating_sub(1) {
        let x = &t[k];
        if !x.is_name() || !t[k + 1].is_punct('(') || (x.kind == Tk::Word && NOT_CALLS.iter().any(|w| x.is(w))) {
            continue;
        }
        let qualified = k >= 2 && t[k - 1].is_punct('.') && t[k - 2].is_name();
        let before = if qualified { k.checked_sub(3) } else { k.checked_sub(1) };
        let prev = before.map(|b| &t[b]);
        // `INSERT INTO t (`, `UPDATE t`, `x::numeric(10, 2)`, `CAST(x AS varchar(3))`, `AS alias (`.
        if prev.is_some_and(|p| p.is("INTO") || p.is("TABLE") || p.is("AS") || p.is_punct(':') || p.is("UPDATE")) {
            continue;
        }
        // `WITH name (a, b) AS (...)`: a CTE's column list.
        let after = matching_paren(t, k + 1).map(|close| &t[close + 1..]);
        if after.is_some_and(|a| {
            a.first().is_some_and(|x| x.is("AS"))
                && a.get(1).is_some_and(|y| y.is_punct('(') || y.is("MATERIALIZED") || y.is("NOT"))
        }) {
            continue;
        }
        found.push((qualified.then(|| t[k - 2].value), x.value));
    }
    found
}

/// Built-in functions of PostgreSQL, MySQL and SQLite that change no data, and anything in
/// `pg_catalog`.
fn known_function(schema: Option<&str>, name: &str) -> bool {
    const KNOWN: &[&str] = &[
        "abs",
        "age",
        "array_agg",
        "array_append",
        "array_cat",
        "array_length",
        "array_position",
        "array_remove",
        "array_to_string",
        "avg",
        "bit_and",
        "bit_or",
        "bool_and",
        "bool_or",
        "btrim",
        "cardinality",
        "cast",
        "ceil",
        "ceiling",
        "char_length",
        "character_length",
        "chr",
        "clock_timestamp",
        "coalesce",
        "concat",
        "concat_ws",
        "convert",
        "count",
        "current_date",
        "current_setting",
        "current_time",
        "current_timestamp",
        "currval",
        "date",
        "date_add",
        "date_format",
        "date_part",
        "date_sub",
        "date_trunc",
        "datetime",
        "dense_rank",
        "encode",
        "decode",
        "every",
        "exp",
        "extract",
        "first_value",
        "floor",
        "format",
        "gen_random_uuid",
        "generate_series",
        "greatest",
        "group_concat",
        "hex",
        "ifnull",
        "iif",
        "initcap",
        "instr",
        "isnull",
        "json_agg",
        "json_array",
        "json_build_array",
        "json_build_object",
        "json_extract",
        "json_object",
        "jsonb_agg",
        "jsonb_build_array",
        "jsonb_build_object",
        "jsonb_set",
        "julianday",
        "lag",
        "last_insert_id",
        "last_value",
        "lead",
        "least",
        "left",
        "length",
        "ln",
        "localtime",
        "localtimestamp",
        "log",
        "lower",
        "lpad",
        "ltrim",
        "make_date",
        "make_interval",
        "max",
        "md5",
        "min",
        "mod",
        "now",
        "nextval",
        "nullif",
        "ntile",
        "octet_length",
        "overlay",
        "percentile_cont",
        "pg_advisory_lock",
        "pg_advisory_unlock",
        "pg_advisory_xact_lock",
        "pg_sleep",
        "pg_try_advisory_lock",
        "position",
        "power",
        "printf",
        "quote_ident",
        "quote_literal",
        "random",
        "rank",
        "regexp_replace",
        "regexp_matches",
        "repeat",
        "replace",
        "reverse",
        "right",
        "round",
        "row_number",
        "rpad",
        "rtrim",
        "set_config",
        "setval",
        "sha256",
        "sign",
        "split_part",
        "sqrt",
        "statement_timestamp",
        "strftime",
        "string_agg",
        "string_to_array",
        "strpos",
        "substr",
        "substring",
        "sum",
        "timezone",
        "to_char",
        "to_date",
        "to_json",
        "to_jsonb",
        "to_number",
        "to_timestamp",
        "transaction_timestamp",
        "translate",
        "trim",
        "trunc",
        "typeof",
        "unnest",
        "upper",
        "uuid",
        "uuid_generate_v4",
        "version",
        "unixepoch",
        "utc_timestamp",
        "from_unixtime",
        "unix_timestamp",
        "char",
        "varchar",
        "numeric",
        "decimal",
        "float",
        "int",
        "integer",
        "bigint",
        "text",
        "timestamp",
        "timestamptz",
        "interval",
        "bool",
        "boolean",
        "jsonb",
        "json",
        "point",
        "st_makepoint",
        // MySQL and SQLite.
        "bin_to_uuid",
        "uuid_to_bin",
        "uuid_short",
        "rand",
        "conv",
        "curdate",
        "curtime",
        "sysdate",
        "str_to_date",
        "timestampdiff",
        "timestampadd",
        "datediff",
        "lcase",
        "ucase",
        "locate",
        "mid",
        "find_in_set",
        "field",
        "elt",
        "sha1",
        "sha2",
        "crc32",
        "unhex",
        "to_base64",
        "from_base64",
        "convert_tz",
        "week",
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "dayofweek",
        "quarter",
        "last_day",
        "total",
        "zeroblob",
        "randomblob",
        "quote",
        "likelihood",
        "char_length",
        "regexp_like",
        "regexp_substr",
        "any_value",
        "bit_count",
    ];
    // PostgreSQL's own functions are named `pg_...` (pg_get_serial_sequence, pg_sleep ...);
    // `lo_unlink` over a query and `dblink_exec` are judged before this.
    let lower = name.to_ascii_lowercase();
    schema.is_some_and(|s| s.eq_ignore_ascii_case("pg_catalog"))
        || (lower.starts_with("pg_") && !lower.contains("drop") && !lower.contains("delete"))
        || lower.starts_with("json")
        || KNOWN.contains(&lower.as_str())
}

/// A constant clause that is plainly false (`false`, `NOT true`, `1 = 0`, `2 < 1`): no row.
fn never(clause: &[&Tok]) -> bool {
    let num = |x: &Tok| (x.kind == Tk::Word).then(|| x.value.parse::<f64>().ok()).flatten();
    match clause {
        [x] => x.is("FALSE") || num(x) == Some(0.0),
        [n, t] => n.is("NOT") && t.is("TRUE"),
        [a, op, b] => match (num(a), num(b)) {
            (Some(a), Some(b)) => match op.value {
                "=" => a != b,
                "<" => a >= b,
                ">" => a <= b,
                _ => false,
            },
            _ => false,
        },
        _ => false,
    }
}

/// `ALTER [ONLINE|OFFLINE] [IGNORE] TABLE`: the index of `TABLE`.
fn alter_table_at(t: &[Tok]) -> Option<usize> {
    if !t.first()?.is("ALTER") {
        return None;
    }
    let k = (1..4).find(|&k| t.get(k).is_some_and(|x| !(x.is("ONLINE") || x.is("OFFLINE") || x.is("IGNORE"))))?;
    t[k].is("TABLE").then_some(k)
}

/// Words of a WHERE clause that refer to no column: keywords, type names of casts, the `E`
/// of escape strings.
const CONSTANT_WORDS: &[&str] = &[
    "TRUE",
    "FALSE",
    "NULL",
    "NOT",
    "AND",
    "OR",
    "IS",
    "IN",
    "BETWEEN",
    "LIKE",
    "ILIKE",
    "DISTINCT",
    "FROM",
    "UNKNOWN",
    "E",
    "N",
    "BOOLEAN",
    "BOOL",
    "INT",
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "TEXT",
    "VARCHAR",
    "NUMERIC",
    "CHAR",
    "CAST",
    "AS",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "COALESCE",
    "NULLIF",
    "EXISTS",
    "SELECT",
    "ALL",
    "ANY",
    "SOME",
    "ARRAY",
    "ESCAPE",
    "SIMILAR",
    "TO",
    "INTERVAL",
    "DATE",
    "TIMESTAMP",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "LOCALTIME",
    "LOCALTIMESTAMP",
];

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE ...`: a body that runs later.
fn is_routine(t: &[Tok]) -> bool {
    starts(t, &["CREATE"]) && {
        let k = if starts(&t[1..], &["OR", "REPLACE"]) { 3 } else { 1 };
        t.get(k).is_some_and(|x| x.is("FUNCTION") || x.is("PROCEDURE"))
    }
}

/// The bodies of dollar-quoted blocks in `text` (`$$ ... $$`, `$tag$ ... $tag$`).
fn dollar_bodies(text: &str) -> Vec<&str> {
    static TAG: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let tag = TAG.get_or_init(|| regex::Regex::new(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$").expect("static regex"));
    let mut bodies = Vec::new();
    let mut from = 0;
    while let Some(open) = tag.find_at(text, from) {
        let close_tag = open.as_str();
        let Some(len) = text[open.end()..].find(close_tag) else { break };
        bodies.push(&text[open.end()..open.end() + len]);
        from = open.end() + len + close_tag.len();
    }
    bodies
}

/// Whether a PL/pgSQL body has an `EXECUTE` of anything but one written-out string
/// (`EXECUTE 'DR' || 'OP ...'`, `EXECUTE format(...)`, `EXECUTE v_sql`, `chr(...)`): SQL whose
/// text exists only at run time.
fn built_at_run_time(body: &str) -> bool {
    static EXECUTE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let execute = EXECUTE.get_or_init(|| regex::Regex::new(r"(?i)\bEXECUTE\b").expect("static regex"));
    let b = body.as_bytes();
    execute.find_iter(body).any(|m| {
        let mut i = m.end();
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        // One literal: `'...'` (with `''`) or `$tag$...$tag$`.
        let end = match b.get(i) {
            Some(b'\'') => {
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        Some(b'\'') if b.get(j + 1) == Some(&b'\'') => j += 2,
                        Some(b'\'') => break Some(j + 1),
                        Some(_) => j += 1,
                        None => break None,
                    }
                }
            }
            Some(b'$') => {
                let tag_len = b[i + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
                let tag = &body[i..(i + tag_len + 2).min(body.len())];
                (tag.ends_with('$') && tag.len() >= 2)
                    .then(|| body[i + tag.len()..].find(tag).map(|k| i + tag.len() + k + tag.len()))
                    .flatten()
            }
            _ => None,
        };
        let Some(mut j) = end else { return true };
        while b.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        let rest = body[j..].trim_start();
        let upper = rest.get(..5).unwrap_or(rest).to_ascii_uppercase();
        !(rest.is_empty() || rest.starts_with(';') || upper.starts_with("USING") || upper.starts_with("INTO"))
    })
}

/// Whether SQL text mentions a word that drops or deletes data.
fn mentions_data_loss(text: &str) -> bool {
    static WORDS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| regex::Regex::new(r"(?i)\b(DROP|TRUNCATE|DELETE)\b").expect("static regex")).is_match(text)
}

fn redefine_base(name: &str) -> Option<&str> {
    name.strip_prefix("new_")
}

impl Analyzer<'_> {
    fn report(&mut self, rule: RuleId, stmt: usize, offset: usize, message: String, subject: Subject) {
        self.findings.push(SqlFinding { rule, offset, statement: Some(stmt), message, prisma_warning: None, subject });
    }

    fn statement(&mut self, i: usize, base: usize, t: &[Tok], text: &str) {
        let at = |k: usize| t.get(k).map_or(base, |x| x.pos);
        if t.is_empty() {
            return;
        }
        // Data changes nested in the statement (`WITH d AS (DELETE ...)`, `INSERT ... SELECT`
        // from a data-modifying CTE).
        if !starts(t, &["DELETE"]) && !starts(t, &["UPDATE"]) {
            self.nested_changes(i, t);
        }
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
                    let inner = analyze(body.trim_matches(|c| c == '(' || c == ')'), &mut Schema::default());
                    for f in inner.findings {
                        if f.rule.severity() == crate::rules::Severity::Error {
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
            return;
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
            return;
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
            return;
        }
        if t.iter().any(|x| x.value.eq_ignore_ascii_case("lo_unlink")) && t.iter().any(|x| x.is("FROM")) {
            self.report(
                RuleId::DynamicSql,
                i,
                at(0),
                "deletes large objects (lo_unlink over a query)".to_string(),
                Subject::default(),
            );
            return;
        }
        if starts(t, &["DO"]) || is_routine(t) {
            if is_routine(t) {
                let k = if starts(&t[1..], &["OR", "REPLACE"]) { 4 } else { 2 };
                if let Some((name, _)) = name_at(t, k) {
                    self.state.functions.insert(name);
                }
            }
            self.routine_bodies(i, at(0), t, text);
            return;
        }
        if ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].iter().any(|w| t[0].is(w)) {
            let unknown: Vec<&str> = calls(t)
                .into_iter()
                .filter(|(schema, name)| !known_function(*schema, name) && !self.state.functions.contains(name))
                .map(|(_, name)| name)
                .collect();
            if let Some(first) = unknown.first() {
                self.report(
                    RuleId::UnknownFunction,
                    i,
                    at(0),
                    format!("calls function `{first}`, whose body prisma-guard cannot see here"),
                    Subject::default(),
                );
            }
        }
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
            return;
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
            return;
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
            return;
        }
        if starts(t, &["EXECUTE"]) {
            self.dynamic_strings(i, at(0), t);
            return;
        }
        // SQLite: with the schema writable, a DELETE or UPDATE of sqlite_master removes tables.
        if starts(t, &["PRAGMA"]) && t.iter().any(|x| x.value.eq_ignore_ascii_case("writable_schema")) {
            self.report(RuleId::DynamicSql, i, at(0), "makes SQLite's schema writable (PRAGMA writable_schema), which can delete tables by editing sqlite_master".to_string(), Subject::default());
            return;
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
            return;
        }
        // MySQL: `LOAD DATA ... REPLACE INTO TABLE t` replaces the rows the file names.
        if starts(t, &["LOAD", "DATA"]) && t.iter().any(|x| x.is("REPLACE")) {
            self.report(
                RuleId::UpdateWithoutWhere,
                i,
                at(0),
                "replaces existing rows with a file's (LOAD DATA ... REPLACE)".to_string(),
                Subject::default(),
            );
            return;
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
            return;
        }
        if starts(t, &["DROP", "OWNED"]) {
            let role = name_at(t, 3).map(|n| n.0).unwrap_or_default();
            self.report(
                RuleId::DropOwned,
                i,
                at(0),
                format!("drops every table and object role `{role}` owns"),
                Subject::default(),
            );
            return;
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
            return;
        }
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
            return;
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
        } else if starts(t, &["TRUNCATE"]) {
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
            if let Some(why) = every_row(t) {
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
        }
    }

    /// An upsert that rewrites every row of its table: `INSERT INTO t SELECT ... FROM t ON
    /// CONFLICT ... DO UPDATE` (or `ON DUPLICATE KEY UPDATE`), `REPLACE INTO t SELECT ... FROM
    /// t`, `INSERT OR REPLACE INTO t SELECT ... FROM t`, with no condition on the SELECT.
    fn upsert(&mut self, i: usize, offset: usize, t: &[Tok]) {
        let into = t.iter().position(|x| x.is("INTO")).unwrap_or(0);
        let Some((table, _)) = name_at(t, into + 1) else { return };
        let replaces = t[0].is("REPLACE") || starts(t, &["INSERT", "OR", "REPLACE"]);
        let updates = t.windows(3).any(|w| w[0].is("DO") && w[1].is("UPDATE") && w[2].is("SET"))
            || t.windows(3).any(|w| w[0].is("DUPLICATE") && w[1].is("KEY") && w[2].is("UPDATE"));
        if !(replaces || updates) {
            return;
        }
        let Some(sel) = t.iter().position(|x| x.is("SELECT")) else { return };
        let end = t.iter().position(|x| x.is("ON")).filter(|&k| k > sel).unwrap_or(t.len());
        let select = &t[sel..end];
        let Some(from) = select.iter().position(|x| x.is("FROM")) else { return };
        let same = name_at(select, from + 1).is_some_and(|(n, _)| n.eq_ignore_ascii_case(table));
        let narrowed =
            select.iter().any(|x| ["WHERE", "LIMIT", "JOIN", "FETCH", "OFFSET", "HAVING"].iter().any(|w| x.is(w)));
        if same && !narrowed && !self.state.created.contains(table) {
            self.report(
                RuleId::UpdateWithoutWhere,
                i,
                offset,
                format!("overwrites every row of `{table}` (an upsert of all of its own rows)"),
                Subject { table: Some(table.to_string()), ..Subject::default() },
            );
        }
    }

    /// A DO block or a function body: its statements judged as if run here, and dynamic SQL
    /// (`EXECUTE` of text that mentions DROP/TRUNCATE/DELETE, whose content cannot be known)
    /// taken as destructive.
    fn routine_bodies(&mut self, i: usize, offset: usize, t: &[Tok], text: &str) {
        let what = if starts(t, &["DO"]) { "a DO block" } else { "a function body" };
        let mut bodies: Vec<String> = dollar_bodies(text).into_iter().map(str::to_string).collect();
        if bodies.is_empty() {
            if starts(t, &["DO"]) {
                // `DO 'body'`, `DO LANGUAGE plpgsql 'body'`.
                bodies.extend(t.iter().filter(|x| x.kind == Tk::Str).map(|x| x.value.to_string()));
            } else if let Some(k) = t.windows(2).position(|w| w[0].is("BEGIN") && w[1].is("ATOMIC")) {
                // `BEGIN ATOMIC stmt; stmt; END`: the first statement is in this piece (the
                // others, split at `;`, are judged as statements of their own).
                bodies.push(text[t[k + 1].pos - t[0].pos + "ATOMIC".len()..].to_string());
            } else if let Some(k) = t.iter().position(|x| x.is("AS")) {
                // `AS 'body'` in single quotes.
                bodies.extend(t[k + 1..].iter().filter(|x| x.kind == Tk::Str).map(|x| x.value.to_string()));
            }
        }
        static EXECUTE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        static CONTROL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let execute = EXECUTE.get_or_init(|| regex::Regex::new(r"(?i)\bEXECUTE\b").expect("static regex"));
        let control = CONTROL.get_or_init(|| {
            regex::Regex::new(r"(?i)\b(BEGIN|THEN|ELSE|LOOP|DECLARE|EXCEPTION)\b").expect("static regex")
        });
        for body in bodies {
            if built_at_run_time(&body) {
                self.report(
                    RuleId::DynamicSql,
                    i,
                    offset,
                    format!("{what} runs SQL built at run time (EXECUTE of an expression, not a written-out string), which prisma-guard cannot read"),
                    Subject::default(),
                );
                continue;
            }
            if execute.is_match(&body) && mentions_data_loss(&body) {
                self.report(
                    RuleId::DynamicSql,
                    i,
                    offset,
                    format!("{what} runs dynamic SQL (EXECUTE) that mentions DROP, TRUNCATE or DELETE"),
                    Subject::default(),
                );
                continue;
            }
            // PL/pgSQL blocks: the statements between its control words are SQL statements.
            let body = control.replace_all(&body, ";");
            let inner = analyze(&body, &mut Schema::default());
            let mut seen = Vec::new();
            for f in inner.findings {
                if f.rule.severity() == crate::rules::Severity::Error && !seen.contains(&f.message) {
                    self.report(RuleId::DynamicSql, i, offset, format!("{what} {}", f.message), Subject::default());
                    seen.push(f.message);
                }
            }
        }
    }

    /// `EXECUTE 'DROP TABLE ...'` (inside a body) or `EXECUTE name` (a prepared statement,
    /// judged at its PREPARE).
    fn dynamic_strings(&mut self, i: usize, offset: usize, t: &[Tok]) {
        if t.iter().any(|x| x.kind == Tk::Str && mentions_data_loss(x.value)) {
            self.report(
                RuleId::DynamicSql,
                i,
                offset,
                "runs dynamic SQL (EXECUTE) that mentions DROP, TRUNCATE or DELETE".to_string(),
                Subject::default(),
            );
        }
    }

    /// A DELETE or UPDATE inside parentheses (a data-modifying CTE, `INSERT ... SELECT` from
    /// one): judged as a statement of its own.
    fn nested_changes(&mut self, i: usize, t: &[Tok]) {
        let mut depth = 0i32;
        for (k, x) in t.iter().enumerate().skip(1) {
            if x.is_punct('(') {
                depth += 1;
            } else if x.is_punct(')') {
                depth -= 1;
            }
            if !(x.is("DELETE") || x.is("UPDATE")) {
                continue;
            }
            // In parentheses (a CTE), or the main statement after `WITH ...`.
            let inner = if t[k - 1].is_punct('(') {
                let Some(close) = matching_paren(t, k - 1) else { continue };
                &t[k..close]
            } else if depth == 0 && starts(t, &["WITH"]) && !t[k - 1].is("ON") {
                &t[k..]
            } else {
                continue;
            };
            if x.is("DELETE") {
                let name = name_at(inner, opt(inner, 1, "FROM")).map(|n| n.0).unwrap_or_default();
                if let Some(why) = every_row(inner) {
                    self.report(
                        RuleId::DeleteWithoutWhere,
                        i,
                        x.pos,
                        format!("deletes every row of `{name}` ({why}, in a WITH clause)"),
                        Subject { table: Some(name.to_string()), ..Subject::default() },
                    );
                }
            } else {
                self.update(i, x.pos, inner);
            }
        }
    }

    fn create_table(&mut self, t: &[Tok], k: usize) {
        let Some((name, k)) = name_at(t, k) else { return };
        self.state.created.insert(name);
        let mut table = Table::default();
        if let Some(close) = t.get(k).filter(|x| x.is_punct('(')).and_then(|_| matching_paren(t, k)) {
            for (from, to) in split_commas(t, k + 1, close) {
                if let Some(c) = column_def(&t[from..to]) {
                    table.columns.push(Column {
                        name: c.name,
                        ty: c.ty,
                        nullable: !c.not_null,
                        has_default: c.has_default || c.auto,
                    });
                }
            }
        }
        self.schema.tables.insert(key(name), table);
    }

    fn create_type(&mut self, i: usize, offset: usize, t: &[Tok], k: usize) {
        let Some((name, k)) = name_at(t, k) else { return };
        if !starts(&t[k.min(t.len())..], &["AS", "ENUM"]) {
            return;
        }
        let values: Vec<String> = t[k..].iter().filter(|x| x.kind == Tk::Str).map(|x| x.value.to_string()).collect();
        if let Some(base) = name.strip_suffix("_new") {
            let before = self.schema.enums.get(&key(base)).cloned();
            self.missed |= before.is_none();
            let e = NewEnum { display: base.to_string(), values: values.clone(), statement: i, offset, before };
            self.state.new_enums.insert(key(base), e);
        }
        self.schema.enums.insert(key(name), values);
    }

    fn alter_type(&mut self, t: &[Tok]) {
        let Some((name, k)) = name_at(t, 2) else { return };
        if starts(&t[k.min(t.len())..], &["ADD", "VALUE"]) {
            let value = t[k..].iter().find(|x| x.kind == Tk::Str).map(|x| x.value.to_string());
            if let (Some(v), Some(values)) = (value, self.schema.enums.get_mut(&key(name))) {
                values.push(v);
            }
        } else if starts(&t[k.min(t.len())..], &["RENAME", "TO"]) {
            if let Some((to, _)) = name_at(t, k + 2) {
                if to.strip_suffix("_old").is_some_and(|b| b.eq_ignore_ascii_case(name)) {
                    self.state.renamed_old.insert(name);
                }
                if let Some(v) = self.schema.enums.remove(&key(name)) {
                    self.schema.enums.insert(key(to), v);
                }
            }
        }
    }

    fn rename_table(&mut self, i: usize, offset: usize, from: &str, to: &str) {
        let redefine = redefine_base(from).is_some_and(|b| b.eq_ignore_ascii_case(to));
        if !redefine && !self.state.created.contains(from) {
            self.report(
                RuleId::RenameTable,
                i,
                offset,
                format!("renames table `{from}` to `{to}`"),
                Subject { table: Some(from.to_string()), ..Subject::default() },
            );
        }
        if let Some(table) = self.schema.tables.remove(&key(from)) {
            self.schema.tables.insert(key(to), table);
        }
        if self.state.created.remove(from) {
            self.state.created.insert(to);
        }
    }

    fn drop_table(&mut self, i: usize, offset: usize, name: &str) {
        let k = key(name);
        let new_name = format!("new_{k}");
        if self.state.created.contains(&new_name) && !self.state.created.contains(&k) {
            // SQLite RedefineTables: data is copied into new_X first; judged in finish().
            let before: Option<Vec<String>> =
                self.schema.table(name).map(|t| t.columns.iter().map(|c| c.name.clone()).collect());
            self.missed |= before.is_none();
            let r = Redefined { statement: i, offset, before, table: name.to_string() };
            self.state.redefined.insert(k.clone(), r);
        } else if !self.state.created.contains(&k) {
            self.report(
                RuleId::DropTable,
                i,
                offset,
                format!("drops table `{name}` and every row in it"),
                Subject { table: Some(name.to_string()), ..Subject::default() },
            );
        }
        self.state.dropped_tables.insert(&k);
        self.schema.tables.remove(&k);
    }

    fn update(&mut self, i: usize, offset: usize, t: &[Tok]) {
        let Some((table, _)) = name_at(t, opt(t, 1, "ONLY")) else { return };
        let Some(set) = t.iter().position(|x| x.is("SET")) else { return };
        let end = t.iter().position(|x| x.is("WHERE") || x.is("FROM")).unwrap_or(t.len()).max(set + 1);
        let columns: Vec<String> = split_commas(t, set + 1, end)
            .into_iter()
            .filter_map(|(from, _)| name_at(t, from).map(|n| n.0.to_string()))
            .collect();
        let backfill = !columns.is_empty() && columns.iter().all(|c| self.state.added.contains(table, c))
            || self.state.created.contains(table);
        for c in &columns {
            self.state.backfilled.insert(table, c);
        }
        // `SET "email_new" = "email"` over every row, into a column added here: where its
        // values came from (for a temporary column that takes the old one's name).
        if every_row(t).is_some() {
            for (from, to) in split_commas(t, set + 1, end) {
                let part = &t[from..to];
                let Some(eq) = part.iter().position(|x| x.is_punct('=')) else { continue };
                let Some((target, _)) = name_at(part, 0) else { continue };
                if !self.state.added.contains(table, target) {
                    continue;
                }
                let sources: Vec<String> =
                    part[eq + 1..].iter().filter(|x| x.is_name()).map(|x| key(x.value)).collect();
                self.state.filled_from.push((key(table), key(target), sources));
            }
        }
        if let (Some(why), false) = (every_row(t), backfill) {
            self.report(
                RuleId::UpdateWithoutWhere,
                i,
                offset,
                format!("overwrites {} in every row of `{table}` ({why})", list(&columns)),
                Subject { table: Some(table.to_string()), column: columns.first().cloned(), ..Subject::default() },
            );
        }
    }

    fn insert(&mut self, i: usize, offset: usize, t: &[Tok]) {
        let Some((table, k)) = name_at(t, 2) else { return };
        if redefine_base(table).is_none() || !self.state.created.contains(table) {
            return;
        }
        let mut cols = Vec::new();
        if let Some(close) = t.get(k).filter(|x| x.is_punct('(')).and_then(|_| matching_paren(t, k)) {
            cols = split_commas(t, k + 1, close)
                .into_iter()
                .filter_map(|(f, _)| name_at(t, f).map(|n| n.0.to_string()))
                .collect();
        }
        // A required column without a default that the copy does not fill: fails on rows.
        if let Some(new_table) = self.schema.table(table) {
            let missing: Vec<String> = new_table
                .columns
                .iter()
                .filter(|c| !c.nullable && !c.has_default && !cols.iter().any(|x| x.eq_ignore_ascii_case(&c.name)))
                .map(|c| c.name.clone())
                .collect();
            let base = redefine_base(table).unwrap_or(table).to_string();
            for column in missing {
                self.report(
                    RuleId::AddRequiredColumn,
                    i,
                    offset,
                    format!(
                        "adds required column `{column}` to `{base}` without a default; copying existing rows fails"
                    ),
                    Subject { table: Some(base.clone()), column: Some(column), ..Subject::default() },
                );
            }
        }
        self.state.copies.insert(key(table), cols);
    }

    fn alter_table(&mut self, i: usize, base: usize, t: &[Tok], table: &str, k: usize) {
        for (from, to) in split_commas(t, k, t.len()) {
            let a = &t[from..to];
            let at = a.first().map_or(base, |x| x.pos);
            if a.is_empty() {
                continue;
            }
            let subject =
                |column: Option<String>| Subject { table: Some(table.to_string()), column, ..Subject::default() };
            if a[0].is("ADD") {
                let j = 1;
                if a.get(j).is_some_and(|x| x.is("CONSTRAINT")) {
                    if let Some((name, _)) = name_at(a, j + 1) {
                        self.state.added_constraints.insert(name);
                    }
                    if a.iter().any(|x| x.is("PRIMARY")) {
                        self.state.added_pk.insert(table);
                    }
                    continue;
                }
                if a.get(j).is_some_and(|x| CONSTRAINT_WORDS.iter().any(|w| x.is(w))) {
                    if a.get(j).is_some_and(|x| x.is("PRIMARY")) {
                        self.state.added_pk.insert(table);
                    }
                    continue;
                }
                let j = skip_if(a, opt(a, j, "COLUMN"));
                let Some(def) = column_def(&a[j..]) else { continue };
                self.state.added.insert(table, &def.name);
                if def.not_null && !def.has_default && !def.auto && !self.state.created.contains(table) {
                    self.report(
                        RuleId::AddRequiredColumn,
                        i,
                        at,
                        format!(
                            "adds required column `{}` to `{table}` without a default; fails when the table has rows",
                            def.name
                        ),
                        subject(Some(def.name.clone())),
                    );
                }
                if let Some(tab) = self.schema.table_mut(table) {
                    tab.columns.push(Column {
                        name: def.name,
                        ty: def.ty,
                        nullable: !def.not_null,
                        has_default: def.has_default || def.auto,
                    });
                }
            } else if a[0].is("DROP") {
                let mut j = 1;
                let word = a.get(j);
                if word.is_some_and(|x| x.is("CONSTRAINT") || x.is("FOREIGN") || x.is("CHECK")) {
                    j += if word.is_some_and(|x| x.is("FOREIGN")) { 2 } else { 1 };
                    let name = name_at(a, skip_if(a, j)).map(|n| n.0).unwrap_or_default();
                    // As written (messages show it); compared ignoring case.
                    self.state.dropped_constraints.push((name.to_string(), table.to_string(), i, at));
                    continue;
                }
                if word.is_some_and(|x| x.is("PRIMARY")) {
                    self.state.dropped_constraints.push(("PRIMARY KEY".into(), table.to_string(), i, at));
                    continue;
                }
                if word.is_some_and(|x| {
                    x.kind == Tk::Word
                        && ["INDEX", "KEY", "DEFAULT", "NOT", "PARTITION", "IDENTITY"].iter().any(|w| x.is(w))
                }) {
                    continue;
                }
                if word.is_some_and(|x| x.is("COLUMN")) {
                    j += 1;
                }
                j = skip_if(a, j);
                let Some((column, _)) = name_at(a, j) else { continue };
                self.state.dropped_columns.insert(table, column);
                if !self.state.created.contains(table) {
                    self.report(
                        RuleId::DropColumn,
                        i,
                        at,
                        format!("drops column `{column}` of `{table}` and the data in it"),
                        subject(Some(column.to_string())),
                    );
                }
                if let Some(tab) = self.schema.table_mut(table) {
                    tab.remove(column);
                }
            } else if a[0].is("ALTER") {
                let Some((column, j)) = name_at(a, opt(a, 1, "COLUMN")) else { continue };
                let rest = &a[j.min(a.len())..];
                if starts(rest, &["TYPE"]) || starts(rest, &["SET", "DATA", "TYPE"]) {
                    // `USING <expression>` that never reads the column: every value replaced.
                    if let Some(u) = rest.iter().position(|x| x.is("USING")) {
                        let reads = rest[u + 1..].iter().any(|x| x.is_name() && x.value.eq_ignore_ascii_case(column));
                        if !reads && !self.state.created.contains(table) {
                            self.report(
                                RuleId::AlterColumnType,
                                i,
                                at,
                                format!("sets every value of `{table}`.`{column}` to an expression that does not read it (USING)"),
                                subject(Some(column.to_string())),
                            );
                        }
                    }
                    let skip = if starts(rest, &["TYPE"]) { 1 } else { 3 };
                    let ty = column_def(&std::iter::once(a[0]).chain(rest[skip..].iter().copied()).collect::<Vec<_>>())
                        .map(|d| d.ty)
                        .unwrap_or_default();
                    self.change_type(i, at, table, column, &ty);
                } else if starts(rest, &["SET", "NOT", "NULL"]) {
                    self.set_not_null(i, at, table, column);
                } else if starts(rest, &["DROP", "DEFAULT"]) && !self.state.created.contains(table) {
                    self.report(
                        RuleId::DropDefault,
                        i,
                        at,
                        format!("drops the default of `{table}`.`{column}`"),
                        subject(Some(column.to_string())),
                    );
                } else if starts(rest, &["DROP", "NOT", "NULL"]) {
                    if let Some(c) = self.schema.table_mut(table).and_then(|t| t.column_mut(column)) {
                        c.nullable = true;
                    }
                }
            } else if a[0].is("MODIFY") || a[0].is("CHANGE") {
                let j = opt(a, 1, "COLUMN");
                let Some((old, j2)) = name_at(a, j) else { continue };
                let (new, def_start) =
                    if a[0].is("CHANGE") { (name_at(a, j2).map_or(old, |n| n.0), j2) } else { (old, j) };
                if !new.eq_ignore_ascii_case(old) {
                    self.report(
                        RuleId::RenameColumn,
                        i,
                        at,
                        format!("renames column `{old}` of `{table}` to `{new}`"),
                        subject(Some(old.to_string())),
                    );
                }
                let Some(def) = column_def(&a[def_start.min(a.len())..]) else { continue };
                self.mysql_modify(i, at, table, old, &def);
            } else if a[0].is("RENAME") {
                let j = opt(a, 1, "COLUMN");
                if a.get(1).is_some_and(|x| x.is("INDEX") || x.is("KEY") || x.is("CONSTRAINT")) {
                    continue;
                }
                if a.get(1).is_some_and(|x| x.is("TO") || x.is("AS")) {
                    let to = name_at(a, 2).map(|n| n.0).unwrap_or_default();
                    self.rename_table(i, at, table, to);
                    continue;
                }
                let Some((from, j)) = name_at(a, j) else { continue };
                let to = name_at(a, j + 1).map(|n| n.0).unwrap_or_default();
                // A column added here, filled from the old one in every row, which was then
                // dropped, takes the old one's name: the data moved, nothing is lost.
                let replaces = self.state.dropped_columns.contains(table, to)
                    && self.state.filled_from.iter().any(|(t, c, sources)| {
                        t.eq_ignore_ascii_case(table)
                            && c.eq_ignore_ascii_case(from)
                            && sources.iter().any(|s| s.eq_ignore_ascii_case(to))
                    });
                if replaces {
                    self.findings.retain(|f| {
                        !(f.rule == RuleId::DropColumn
                            && f.subject.table.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(table))
                            && f.subject.column.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(to)))
                    });
                }
                if !self.state.created.contains(table) && !replaces {
                    self.report(
                        RuleId::RenameColumn,
                        i,
                        at,
                        format!("renames column `{from}` of `{table}` to `{to}`"),
                        subject(Some(from.to_string())),
                    );
                }
                if let Some(c) = self.schema.table_mut(table).and_then(|t| t.column_mut(from)) {
                    c.name = to.to_string();
                }
            }
        }
    }

    fn change_type(&mut self, i: usize, at: usize, table: &str, column: &str, ty: &str) {
        let subject =
            Subject { table: Some(table.to_string()), column: Some(column.to_string()), ..Subject::default() };
        let old = self.schema.column(table, column).map(|c| c.ty.clone());
        self.missed |= old.is_none();
        let enum_recreation = ty.strip_suffix("_new").is_some_and(|b| {
            let b = b.rsplit('.').next().unwrap_or(b);
            self.state.new_enums.contains_key(&key(b))
        });
        if !enum_recreation && !self.state.created.contains(table) && !widens(old.as_deref(), ty) {
            let from = old.as_deref().map(|o| format!(" from {o}")).unwrap_or_default();
            self.report(
                RuleId::AlterColumnType,
                i,
                at,
                format!("changes the type of `{table}`.`{column}`{from} to {ty}; values that do not convert are lost or fail"),
                subject,
            );
        }
        if let Some(c) = self.schema.table_mut(table).and_then(|t| t.column_mut(column)) {
            c.ty = ty.strip_suffix("_new").unwrap_or(ty).to_string();
        }
    }

    fn set_not_null(&mut self, i: usize, at: usize, table: &str, column: &str) {
        let state = &self.state;
        if !state.created.contains(table)
            && !state.added.contains(table, column)
            && !state.backfilled.contains(table, column)
        {
            self.report(
                RuleId::SetNotNull,
                i,
                at,
                format!("makes `{table}`.`{column}` required; fails if a row holds NULL"),
                Subject { table: Some(table.to_string()), column: Some(column.to_string()), ..Subject::default() },
            );
        }
        if let Some(c) = self.schema.table_mut(table).and_then(|t| t.column_mut(column)) {
            c.nullable = false;
        }
    }

    /// MySQL `MODIFY`/`CHANGE`: a type change, an enum change, or only a nullability change.
    fn mysql_modify(&mut self, i: usize, at: usize, table: &str, column: &str, def: &ColumnDef) {
        let old = self.schema.column(table, column).cloned();
        self.missed |= old.is_none();
        let subject =
            Subject { table: Some(table.to_string()), column: Some(column.to_string()), ..Subject::default() };
        let created = self.state.created.contains(table);
        match old {
            Some(old) if !created => {
                let (oe, ne) = (mysql_enum_values(&old.ty), mysql_enum_values(&def.ty));
                if let (Some(oe), Some(ne)) = (&oe, &ne) {
                    let removed: Vec<String> = oe.iter().filter(|v| !ne.contains(v)).cloned().collect();
                    if !removed.is_empty() {
                        self.report(
                            RuleId::DropEnumValue,
                            i,
                            at,
                            format!("removes {} from the enum of `{table}`.`{column}`", list(&removed)),
                            Subject { enum_name: Some(format!("{table}_{column}")), ..subject.clone() },
                        );
                    }
                } else if !widens(Some(&old.ty), &def.ty) {
                    self.report(
                        RuleId::AlterColumnType,
                        i,
                        at,
                        format!(
                            "changes the type of `{table}`.`{column}` from {} to {}; values that do not convert are lost or fail",
                            old.ty, def.ty
                        ),
                        subject.clone(),
                    );
                }
                if old.nullable && def.not_null {
                    self.set_not_null(i, at, table, column);
                }
            }
            None if !created => {
                self.report(
                    RuleId::AlterColumnType,
                    i,
                    at,
                    format!("redefines `{table}`.`{column}` as {} (its earlier type is unknown)", def.ty),
                    subject,
                );
            }
            _ => {}
        }
        if let Some(tab) = self.schema.table_mut(table) {
            tab.remove(column);
            tab.columns.push(Column {
                name: def.name.clone(),
                ty: def.ty.clone(),
                nullable: !def.not_null,
                has_default: def.has_default || def.auto,
            });
        }
    }

    /// Judgements that need the whole migration.
    fn finish(&mut self) {
        // Enum recreations: one finding naming the removed values.
        for (name, e) in std::mem::take(&mut self.state.new_enums) {
            if !self.state.renamed_old.contains(&name) {
                continue;
            }
            let NewEnum { display, values, statement: i, offset, before } = e;
            let subject = Subject { enum_name: Some(display.clone()), ..Subject::default() };
            match before {
                Some(before) => {
                    let removed: Vec<String> = before.iter().filter(|v| !values.contains(v)).cloned().collect();
                    if !removed.is_empty() {
                        self.report(
                            RuleId::DropEnumValue,
                            i,
                            offset,
                            format!("recreates enum `{display}` without {}", list(&removed)),
                            subject,
                        );
                    }
                }
                None => self.report(
                    RuleId::DropEnumValue,
                    i,
                    offset,
                    format!(
                        "recreates enum `{display}` with only {}; values not in that list are removed",
                        list(&values)
                    ),
                    subject,
                ),
            }
        }
        // RedefineTables: the columns not copied into new_X.
        for (k, r) in std::mem::take(&mut self.state.redefined) {
            let Redefined { statement: i, offset, before, table } = r;
            let copied = self.state.copies.get(&format!("new_{k}")).cloned().unwrap_or_default();
            let lost: Vec<String> = before
                .unwrap_or_default()
                .into_iter()
                .filter(|c| !copied.iter().any(|x| x.eq_ignore_ascii_case(c)))
                .collect();
            for column in lost {
                self.report(
                    RuleId::DropColumn,
                    i,
                    offset,
                    format!("redefines table `{table}` without column `{column}`; its data is lost"),
                    Subject { table: Some(table.clone()), column: Some(column), ..Subject::default() },
                );
            }
        }
        // Dropped constraints that are not added back.
        for (name, table, i, offset) in std::mem::take(&mut self.state.dropped_constraints) {
            let readded = if name == "PRIMARY KEY" {
                self.state.added_pk.contains(&table)
            } else {
                self.state.added_constraints.contains(&name)
            };
            if readded || self.state.dropped_tables.contains(&table) || self.state.created.contains(&table) {
                continue;
            }
            let what =
                if name == "PRIMARY KEY" { "the primary key".to_string() } else { format!("constraint `{name}`") };
            self.report(
                RuleId::DropConstraint,
                i,
                offset,
                format!("drops {what} of `{table}`"),
                Subject { table: Some(table), ..Subject::default() },
            );
        }
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => "columns".to_string(),
        [one] => format!("`{one}`"),
        _ => items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
    }
}

/// Attach each Prisma warning to the finding it describes; warnings with no finding become
/// `prisma-warning` findings on the statement they name (or on the warning itself).
fn tie_warnings(warnings: Vec<Warning>, statements: &[Piece], toks: &[Tok], findings: &mut Vec<SqlFinding>) {
    for w in warnings {
        if let Some(f) = findings.iter_mut().find(|f| f.prisma_warning.is_none() && matches(&w, f)) {
            f.prisma_warning = Some(w.text.clone());
            continue;
        }
        // Data loss Prisma announced for a redefined table whose earlier columns we did not
        // know: report it on the redefinition.
        if let About::DropColumn { table, column } = &w.about {
            if let Some((i, s)) = statements.iter().enumerate().find(|(_, s)| {
                let t = &toks[s.toks()];
                starts(t, &["DROP", "TABLE"])
                    && name_at(t, skip_if(t, 2)).is_some_and(|n| n.0.eq_ignore_ascii_case(table))
            }) {
                findings.push(SqlFinding {
                    rule: RuleId::DropColumn,
                    offset: s.offset,
                    statement: Some(i),
                    message: format!("redefines table `{table}` without column `{column}`; its data is lost"),
                    prisma_warning: Some(w.text.clone()),
                    subject: Subject { table: Some(table.clone()), column: Some(column.clone()), ..Subject::default() },
                });
                continue;
            }
        }
        let names = names_of(&w.about);
        let stmt = statements.iter().enumerate().find(|(_, s)| mentions_all(&toks[s.toks()], &names));
        findings.push(SqlFinding {
            rule: RuleId::PrismaWarning,
            offset: stmt.map_or(w.offset, |(_, s)| s.offset),
            statement: stmt.map(|(i, _)| i),
            message: format!("Prisma warned: {}", w.text),
            prisma_warning: Some(w.text.clone()),
            subject: Subject::default(),
        });
    }
}

fn eq(a: &Option<String>, b: &str) -> bool {
    a.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(b))
}

fn matches(w: &Warning, f: &SqlFinding) -> bool {
    let s = &f.subject;
    match &w.about {
        About::DropColumn { table, column } => {
            f.rule == RuleId::DropColumn && eq(&s.table, table) && eq(&s.column, column)
        }
        About::DropTable { table } => f.rule == RuleId::DropTable && eq(&s.table, table),
        About::AddRequiredColumn { table, column } => {
            f.rule == RuleId::AddRequiredColumn && eq(&s.table, table) && eq(&s.column, column)
        }
        About::MadeRequired { table, column } => {
            f.rule == RuleId::SetNotNull && eq(&s.table, table) && eq(&s.column, column)
        }
        About::AlterColumn { table, column } => {
            f.rule == RuleId::AlterColumnType && eq(&s.table, table) && eq(&s.column, column)
        }
        About::EnumValues { name, .. } => f.rule == RuleId::DropEnumValue && eq(&s.enum_name, name),
        About::Other { .. } => false,
    }
}

fn names_of(about: &About) -> Vec<String> {
    match about {
        About::DropColumn { table, column }
        | About::AddRequiredColumn { table, column }
        | About::MadeRequired { table, column }
        | About::AlterColumn { table, column } => vec![table.clone(), column.clone()],
        About::DropTable { table } => vec![table.clone()],
        About::EnumValues { name, .. } => vec![name.clone()],
        About::Other { names } => names
            .iter()
            .flat_map(|n| n.trim_matches(|c| c == '[' || c == ']').split(',').map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect(),
    }
}

fn mentions_all(toks: &[Tok], names: &[String]) -> bool {
    !names.is_empty()
        && !toks.is_empty()
        && names.iter().all(|n| toks.iter().any(|t| t.is_name() && t.value.eq_ignore_ascii_case(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_column_that_takes_the_old_ones_name_loses_nothing() {
        let rules = |sql: &str| {
            analyze(sql, &mut Schema::default()).findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>()
        };
        let moved = "ALTER TABLE \"User\" ADD COLUMN \"email_new\" TEXT;\nUPDATE \"User\" SET \"email_new\" = \"email\";\nALTER TABLE \"User\" DROP COLUMN \"email\";\nALTER TABLE \"User\" RENAME COLUMN \"email_new\" TO \"email\";\n";
        assert_eq!(rules(moved), Vec::<&str>::new());
        let cast = moved.replace("= \"email\"", "= CAST(\"email\" AS VARCHAR(320))");
        assert_eq!(rules(&cast), Vec::<&str>::new());
        // Filled from something else, or only some rows: the old column's data is lost.
        let other = moved.replace("= \"email\"", "= \"name\"");
        assert!(rules(&other).contains(&"drop-column"), "{:?}", rules(&other));
        let some = moved.replace("= \"email\";", "= \"email\" WHERE id < 10;");
        assert!(rules(&some).contains(&"drop-column"), "{:?}", rules(&some));
    }

    /// Findings as `line rule: message [prisma: warning]`, one per line: a snapshot.
    fn snapshot(sql: &str, schema: &mut Schema) -> String {
        let a = analyze(sql, schema);
        a.findings
            .iter()
            .map(|f| {
                let line = 1 + sql[..f.offset].matches('\n').count();
                let w = f
                    .prisma_warning
                    .as_ref()
                    .map(|w| format!(" [prisma: {}]", &w[..w.len().min(40)]))
                    .unwrap_or_default();
                format!("{line} {}: {}{w}", f.rule, f.message)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn fresh(sql: &str) -> String {
        snapshot(sql, &mut Schema::default())
    }

    #[test]
    fn postgres_drops_with_prisma_warnings() {
        let sql = r#"/*
  Warnings:

  - You are about to drop the column `bio` on the `User` table. All the data in the column will be lost.
  - You are about to drop the `Post` table. If the table is not empty, all the data it contains will be lost.
  - A unique constraint covering the columns `[email]` on the table `User` will be added. If there are existing duplicate values, this will fail.

*/
-- DropForeignKey
ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";

-- AlterTable
ALTER TABLE "User" DROP COLUMN "bio",
ADD COLUMN     "nickname" TEXT;

-- DropTable
DROP TABLE "Post";

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
"#;
        assert_eq!(
            fresh(sql),
            "13 drop-column: drops column `bio` of `User` and the data in it [prisma: You are about to drop the column `bio` o]
17 drop-table: drops table `Post` and every row in it [prisma: You are about to drop the `Post` table. ]
20 prisma-warning: Prisma warned: A unique constraint covering the columns `[email]` on the table `User` will be added. If there are existing duplicate values, this will fail. [prisma: A unique constraint covering the columns]"
        );
    }

    #[test]
    fn sqlite_redefine_tables_reports_only_lost_columns() {
        let mut schema = Schema::default();
        let init = r#"CREATE TABLE "notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "from_user" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "is_read" BOOLEAN NOT NULL DEFAULT false
);"#;
        assert_eq!(snapshot(init, &mut schema), "");
        let before = schema.clone();
        let redefine = r#"-- RedefineTables
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "message" TEXT NOT NULL,
    "is_read" BOOLEAN NOT NULL DEFAULT false,
    "url_path" TEXT
);
INSERT INTO "new_notification" ("id", "is_read", "message") SELECT "id", "is_read", "message" FROM "notification";
DROP TABLE "notification";
ALTER TABLE "new_notification" RENAME TO "notification";
PRAGMA foreign_key_check;
PRAGMA foreign_keys=ON;
"#;
        assert_eq!(
            snapshot(redefine, &mut schema),
            "10 drop-column: redefines table `notification` without column `from_user`; its data is lost"
        );
        assert_eq!(
            schema.table("notification").map(|t| t.columns.len()),
            Some(4),
            "the schema follows the redefinition"
        );
        // A redefinition that keeps every column is silent.
        let keep = redefine.replace(
            "(\"id\", \"is_read\", \"message\") SELECT \"id\", \"is_read\", \"message\"",
            "(\"id\", \"from_user\", \"is_read\", \"message\") SELECT \"id\", \"from_user\", \"is_read\", \"message\"",
        );
        assert_ne!(keep, redefine);
        let mut schema2 = before;
        assert_eq!(snapshot(&keep, &mut schema2), "");
    }

    #[test]
    fn sqlite_redefine_without_history_uses_prisma_warnings() {
        let sql = r#"/*
  Warnings:

  - You are about to drop the column `to_user` on the `notification` table. All the data in the column will be lost.
  - Added the required column `order` to the `notification` table without a default value. This is not possible if the table is not empty.

*/
-- RedefineTables
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_notification" ("id" TEXT NOT NULL PRIMARY KEY, "order" REAL NOT NULL);
INSERT INTO "new_notification" ("id") SELECT "id" FROM "notification";
DROP TABLE "notification";
ALTER TABLE "new_notification" RENAME TO "notification";
PRAGMA foreign_keys=ON;
"#;
        assert_eq!(
            fresh(sql),
            "11 add-required-column: adds required column `order` to `notification` without a default; copying existing rows fails [prisma: Added the required column `order` to the]
12 drop-column: redefines table `notification` without column `to_user`; its data is lost [prisma: You are about to drop the column `to_use]"
        );
    }

    #[test]
    fn postgres_enum_recreation_is_one_finding() {
        let mut schema = Schema::default();
        snapshot(r#"CREATE TYPE "Type" AS ENUM ('BUY', 'ITEM', 'SELL');"#, &mut schema);
        let sql = r#"-- AlterEnum
BEGIN;
CREATE TYPE "public"."Type_new" AS ENUM ('BUY', 'SELL');
ALTER TABLE "public"."Order" ALTER COLUMN "type" TYPE "public"."Type_new" USING ("type"::text::"public"."Type_new");
ALTER TYPE "public"."Type" RENAME TO "Type_old";
ALTER TYPE "public"."Type_new" RENAME TO "Type";
DROP TYPE "public"."Type_old";
COMMIT;"#;
        assert_eq!(snapshot(sql, &mut schema), "3 drop-enum-value: recreates enum `Type` without `ITEM`");
        assert_eq!(schema.enums.get("type"), Some(&vec!["BUY".to_string(), "SELL".to_string()]));
        assert_eq!(
            fresh(sql),
            "3 drop-enum-value: recreates enum `Type` with only `BUY`, `SELL`; values not in that list are removed"
        );
        // Adding a value is harmless.
        assert_eq!(fresh("ALTER TYPE \"Type\" ADD VALUE 'FEE';"), "");
    }

    #[test]
    fn backfill_then_not_null_is_the_safe_pattern() {
        let sql = r#"ALTER TABLE "collaborator" ADD COLUMN "resource_id" TEXT;
UPDATE "collaborator" SET "resource_id" = "space_id";
ALTER TABLE "collaborator" ALTER COLUMN "resource_id" SET NOT NULL;"#;
        assert_eq!(fresh(sql), "");
        assert_eq!(
            fresh("ALTER TABLE \"User\" ALTER COLUMN \"name\" SET NOT NULL;\nUPDATE \"User\" SET \"role\" = 'USER';"),
            "1 set-not-null: makes `User`.`name` required; fails if a row holds NULL
2 update-without-where: overwrites `role` in every row of `User` (no WHERE clause)"
        );
    }

    #[test]
    fn required_columns_types_renames_defaults() {
        let sql = r#"ALTER TABLE "User" ADD COLUMN "slug" TEXT NOT NULL,
ADD COLUMN "score" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "n" SERIAL NOT NULL;
ALTER TABLE "User" ALTER COLUMN "age" SET DATA TYPE SMALLINT;
ALTER TABLE "User" ALTER COLUMN "bio" SET DATA TYPE TEXT;
ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
ALTER TABLE "Account" RENAME TO "Wallet";
ALTER TABLE "User" ALTER COLUMN "createdAt" DROP DEFAULT;
ALTER INDEX "a" RENAME TO "b";"#;
        assert_eq!(
            fresh(sql),
            "1 add-required-column: adds required column `slug` to `User` without a default; fails when the table has rows
4 alter-column-type: changes the type of `User`.`age` to SMALLINT; values that do not convert are lost or fail
6 rename-column: renames column `name` of `User` to `fullName`
7 rename-table: renames table `Account` to `Wallet`
8 drop-default: drops the default of `User`.`createdAt`"
        );
    }

    #[test]
    fn constraints_dropped_and_readded_are_silent() {
        let sql = r#"ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE;
ALTER TABLE "Tag" DROP CONSTRAINT "Tag_pkey";"#;
        assert_eq!(fresh(sql), "3 drop-constraint: drops constraint `Tag_pkey` of `Tag`", "names as written");
    }

    #[test]
    fn mysql_modify_judged_against_history() {
        let mut schema = Schema::default();
        snapshot(
            "CREATE TABLE `User` (`id` INTEGER NOT NULL AUTO_INCREMENT, `name` VARCHAR(191) NULL, `role` ENUM('USER', 'ADMIN', 'GUEST') NOT NULL, `code` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4;",
            &mut schema,
        );
        let sql = "ALTER TABLE `User` MODIFY `name` VARCHAR(191) NOT NULL,\n    MODIFY `role` ENUM('USER', 'ADMIN') NOT NULL,\n    MODIFY `code` VARCHAR(50) NOT NULL,\n    DROP COLUMN `x`;";
        assert_eq!(
            snapshot(sql, &mut schema),
            "1 set-not-null: makes `User`.`name` required; fails if a row holds NULL
2 drop-enum-value: removes `GUEST` from the enum of `User`.`role`
3 alter-column-type: changes the type of `User`.`code` from VARCHAR(191) to VARCHAR(50); values that do not convert are lost or fail
4 drop-column: drops column `x` of `User` and the data in it"
        );
        assert_eq!(
            fresh("ALTER TABLE `User` CHANGE `name` `fullName` VARCHAR(191) NULL;"),
            "1 rename-column: renames column `name` of `User` to `fullName`
1 alter-column-type: redefines `User`.`name` as VARCHAR(191) (its earlier type is unknown)"
        );
    }

    #[test]
    fn tables_created_in_the_same_migration_are_free() {
        let sql = r#"CREATE TABLE "tmp" ("id" INT);
INSERT INTO "tmp" SELECT 1;
DELETE FROM "tmp";
ALTER TABLE "tmp" DROP COLUMN "id";
DROP TABLE "tmp";"#;
        assert_eq!(fresh(sql), "");
    }

    #[test]
    fn truncate_delete_schema_database() {
        assert_eq!(
            fresh(
                "TRUNCATE TABLE \"Session\";\nDELETE FROM \"Log\";\nDROP SCHEMA \"old\" CASCADE;\nDROP DATABASE app;"
            ),
            "1 truncate: deletes every row of `Session`
2 delete-without-where: deletes every row of `Log` (no WHERE clause)
3 drop-schema: drops a schema and everything in it (`old`)
4 drop-database: drops a whole database (`app`)"
        );
    }
}
