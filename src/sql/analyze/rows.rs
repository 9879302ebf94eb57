//! Statements that change rows: which DELETE/UPDATE reach every row (no WHERE, or one that
//! is always true or names no column, a self-join, an unconditioned subquery), and
//! INSERT/UPDATE/upserts judged against what the migration added.

use super::*;

/// Whether a DELETE or UPDATE (tokens `t`, from its first word to the end of its own
/// statement) reaches every row: no WHERE at its own level, or a WHERE that is always true
/// (`WHERE true`, `WHERE 1=1`, `WHERE 'a'='a'`, `... OR true`). The reason, when it does.
pub(super) fn every_row(t: &[Tok]) -> Option<&'static str> {
    every_row_with(t, &|_: &str| false)
}

/// [`every_row`], also taking `c IS NOT NULL` as always true for a column named `id` (a
/// primary key: never NULL) or one `not_null` says is declared NOT NULL.
pub(super) fn every_row_with(t: &[Tok], not_null: &dyn Fn(&str) -> bool) -> Option<&'static str> {
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
    let target_at = if t[0].is("DELETE") { opt(t, opt(t, 1, "FROM"), "ONLY") } else { opt(t, 1, "ONLY") };
    let target = name_at(t, target_at).map(|n| n.0);
    if t[w + 1..end].split(|x| x.is("OR")).any(|b| unconditioned_subquery_branch(b, target)) {
        return Some("its WHERE clause matches every row a subquery with no condition returns");
    }
    let clause: Vec<&Tok> = t[w + 1..end].iter().filter(|x| !x.is_punct('(') && !x.is_punct(')')).collect();
    let branches = clause.split(|x| x.is("OR"));
    let never_null = |x: &Tok| x.is_name() && (x.value.eq_ignore_ascii_case("id") || not_null(x.value));
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
            // `id NOTNULL`, `id NOT NULL` (SQLite's spellings of IS NOT NULL).
            [x, nn] if nn.is("NOTNULL") => never_null(x),
            [x, not, null] if not.is("NOT") && null.is("NULL") => never_null(x),
            [n, f] => n.is("NOT") && f.is("FALSE"),
            // `id IS NOT NULL`, `u.id IS NOT NULL`: a key (or a NOT NULL column) is never NULL.
            [x, is, not, null] if is.is("IS") && not.is("NOT") && null.is("NULL") => never_null(x),
            [q, dot, x, is, not, null]
                if q.is_name() && dot.is_punct('.') && is.is("IS") && not.is("NOT") && null.is("NULL") =>
            {
                never_null(x)
            }
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
    // A clause that names no column has one value for every row (or a random pick of them):
    // all or nothing. Function names (`random()`, `length('')`, `now()`), the session's
    // values (`current_user`, `session_user`), cast types (`::int`) and literal prefixes
    // (`x'1'`, `E'a'`) are not columns.
    let whole = &t[w + 1..end];
    let columns: std::collections::HashSet<usize> =
        whole.iter().enumerate().filter(|(k, _)| !names_no_column(whole, *k)).map(|(_, x)| x.pos).collect();
    let constant = !clause.is_empty() && columns.is_empty();
    // So has a condition among others (`id = 5 OR current_user IS NOT NULL`): one that is
    // true holds for every row.
    let row_free = |c: &[&Tok]| !c.is_empty() && !constant && c.iter().all(|x| !columns.contains(&x.pos)) && !never(c);
    let older = |b: &[&Tok]| always(b) || key_compared_always(b);
    let conjunct = |c: &[&Tok]| older(c) || row_free(c);
    if branches.into_iter().any(|b| older(b) || super::tautology::branch_always(b, &conjunct, &never_null)) {
        return Some("its WHERE clause is always true");
    }
    if !constant || never(&clause) {
        return None;
    }
    Some("its WHERE clause names no column: the same for every row")
}

/// Whether the token at `k` of a WHERE clause `whole` (parentheses kept) refers to no column:
/// a string, punctuation, a number, a keyword or session value, a function's name, a cast's
/// type, a literal's prefix.
fn names_no_column(whole: &[Tok], k: usize) -> bool {
    let x = &whole[k];
    match x.kind {
        Tk::Str | Tk::Punct => true,
        Tk::Ident => false,
        Tk::Word => {
            let v = x.value;
            v.bytes().all(|c| c.is_ascii_digit() || c == b'.')
                || (v.len() > 2 && v[..2].eq_ignore_ascii_case("0x") && v[2..].bytes().all(|c| c.is_ascii_hexdigit()))
                || CONSTANT_WORDS.iter().any(|w| v.eq_ignore_ascii_case(w))
                || whole.get(k + 1).is_some_and(|n| n.is_punct('('))
                || (k >= 2 && whole[k - 1].is_punct(':') && whole[k - 2].is_punct(':'))
                || (v.len() == 1 && whole.get(k + 1).is_some_and(|n| n.kind == Tk::Str && n.pos == x.pos + 1))
        }
    }
}

/// Whether a DELETE ... USING or UPDATE ... FROM (tokens `t`, WHERE at `w`, clause to `end`)
/// joins its table to itself with a clause of `a.c = b.c` equalities only: every row matches
/// itself.
pub(super) fn self_join_on_itself(t: &[Tok], w: usize, end: usize) -> bool {
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
pub(super) fn same_column_equalities(clause: &[Tok]) -> bool {
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
/// A subquery of the `target` table itself whose WHERE is always true counts as one with none.
pub(super) fn unconditioned_subquery_branch(branch: &[Tok], target: Option<&str>) -> bool {
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
        &["LIMIT", "FETCH", "OFFSET", "JOIN", "HAVING", "TABLESAMPLE", "INTERSECT", "EXCEPT", "GROUP"];
    if inner.iter().any(|x| CONDITIONS.iter().any(|c| x.is(c))) {
        return false;
    }
    // A WHERE of its own that is always true, over the same table (`DELETE FROM t WHERE id IN
    // (SELECT id FROM t WHERE 1=1)`), is none.
    if inner.iter().any(|x| x.is("WHERE")) {
        let from = inner.iter().position(|x| x.is("FROM"));
        let same =
            from.and_then(|f| name_at(inner, f + 1)).zip(target).is_some_and(|((s, _), t)| s.eq_ignore_ascii_case(t));
        if !same || every_row(inner).is_none() {
            return false;
        }
    }
    // `FROM a, b` is a join too.
    let from = inner.iter().position(|x| x.is("FROM"));
    from.is_some_and(|f| split_commas(inner, f + 1, inner.len()).len() <= 1)
}

/// The statement after a `WITH` list (`t[main..]`) with each subquery's `FROM x` / `JOIN x`
/// of a CTE `x` replaced by `(its query) x`: `DELETE FROM t WHERE id IN (SELECT id FROM x)`
/// reaches only the rows the CTE's own conditions select.
pub(super) fn inline_ctes<'a>(t: &[Tok<'a>], main: usize) -> Vec<Tok<'a>> {
    let mut ctes: Vec<(&str, &[Tok<'a>])> = Vec::new();
    let mut k = if t.get(1).is_some_and(|x| x.is("RECURSIVE")) { 2 } else { 1 };
    while k < main {
        let Some(name) = t.get(k).filter(|x| x.is_name()) else { break };
        k += 1;
        if t.get(k).is_some_and(|x| x.is_punct('(')) {
            let Some(close) = matching_paren(t, k) else { break };
            k = close + 1;
        }
        if !t.get(k).is_some_and(|x| x.is("AS")) {
            break;
        }
        k += 1;
        while t.get(k).is_some_and(|x| x.is("NOT") || x.is("MATERIALIZED")) {
            k += 1;
        }
        if !t.get(k).is_some_and(|x| x.is_punct('(')) {
            break;
        }
        let Some(close) = matching_paren(t, k) else { break };
        ctes.push((name.value, &t[k + 1..close]));
        k = close + 1;
        if !t.get(k).is_some_and(|x| x.is_punct(',')) {
            break;
        }
        k += 1;
    }
    let mut out = Vec::with_capacity(t.len().saturating_sub(main));
    let mut depth = 0i32;
    for (n, x) in t.iter().enumerate().skip(main) {
        if x.is_punct('(') {
            depth += 1;
        } else if x.is_punct(')') {
            depth -= 1;
        }
        let read = depth > 0 && n > main && (t[n - 1].is("FROM") || t[n - 1].is("JOIN"));
        let cte = read.then(|| ctes.iter().find(|(c, _)| x.is_name() && c.eq_ignore_ascii_case(x.value))).flatten();
        if let Some((_, body)) = cte {
            out.push(Tok { kind: Tk::Punct, value: "(", pos: x.pos });
            out.extend_from_slice(body);
            out.push(Tok { kind: Tk::Punct, value: ")", pos: x.pos });
        }
        out.push(*x);
    }
    out
}

/// Whether one OR-branch (parentheses left out) compares the table's key with a number
/// every key passes: `id > -1`, `id >= 0`, `id <> -1`, `-1 < id`, `coalesce(id, 0) >= 0`,
/// `u.id != 0`. Keys start at 1 (autoincrement), and SQLite sorts any text key above every
/// number.
pub(super) fn key_compared_always(b: &[&Tok]) -> bool {
    let is_op = |x: &Tok| x.is_punct('<') || x.is_punct('>') || x.is_punct('=') || x.is_punct('!');
    // `id NOT IN (-1, 0)`: no key is among numbers below 1.
    if let Some(n) = b.windows(2).position(|w| w[0].is("NOT") && w[1].is("IN")) {
        let list: Vec<&[&Tok]> = b[n + 2..].split(|x| x.is_punct(',')).collect();
        let below_one = |v: &[&Tok]| match v {
            [x] => x.kind == Tk::Word && x.value.parse::<f64>().is_ok_and(|v| v < 1.0),
            [m, x] => m.is_punct('-') && x.kind == Tk::Word && x.value.parse::<f64>().is_ok(),
            _ => false,
        };
        return n > 0 && key_name(&b[..n]) && !list.is_empty() && list.iter().all(|v| below_one(v));
    }
    let Some(k) = b.iter().position(|x| is_op(x)) else { return false };
    let width = b[k..].iter().take(2).take_while(|x| is_op(x)).count();
    let op: String = b[k..k + width].iter().map(|x| x.value).collect();
    let (left, right) = (&b[..k], &b[k + width..]);
    let number = |side: &[&Tok]| -> Option<f64> {
        match side {
            [n] if n.kind == Tk::Word => n.value.parse().ok(),
            [m, n] if m.is_punct('-') && n.kind == Tk::Word => n.value.parse::<f64>().ok().map(|v| -v),
            _ => None,
        }
    };
    let (n, op) = match (number(right), number(left)) {
        (Some(n), _) if key_name(left) => (n, op.as_str()),
        (_, Some(n)) if key_name(right) => (
            n,
            match op.as_str() {
                "<" => ">",
                "<=" => ">=",
                other => other,
            },
        ),
        _ => return false,
    };
    match op {
        ">" => n < 1.0,
        ">=" => n <= 1.0,
        "<>" | "!=" => n <= 0.0,
        _ => false,
    }
}

/// Whether a side of a comparison is the table's key (`id`, `u.id`, `rowid`), or a function
/// of it that is never NULL (`coalesce(id, 0)`, `abs(id)`, `length(id)`).
fn key_name(side: &[&Tok]) -> bool {
    let named =
        |x: &Tok| x.is_name() && ["id", "rowid", "_rowid_", "oid"].iter().any(|k| x.value.eq_ignore_ascii_case(k));
    match side {
        [x] => named(x),
        [q, dot, x] => q.is_name() && dot.is_punct('.') && named(x),
        // `coalesce(id, 0)`, `ifnull(id, -1)`, `abs(id)`: the key, never NULL.
        [f, rest @ ..]
            if ["coalesce", "ifnull", "nvl", "abs", "length", "char_length", "octet_length", "len"]
                .iter()
                .any(|n| f.is(n)) =>
        {
            let arg = rest.iter().position(|x| x.is_punct(',')).map_or(rest, |c| &rest[..c]);
            key_name(arg)
        }
        _ => false,
    }
}

/// A constant clause that is plainly false (`false`, `NOT true`, `1 = 0`, `2 < 1`): no row.
pub(super) fn never(clause: &[&Tok]) -> bool {
    let num = |x: &Tok| (x.kind == Tk::Word).then(|| x.value.parse::<f64>().ok()).flatten();
    match clause {
        [x] => x.is("FALSE") || x.is("NULL") || num(x) == Some(0.0),
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

/// Words of a WHERE clause that refer to no column: keywords, type names of casts, the `E`
/// of escape strings.
pub(super) const CONSTANT_WORDS: &[&str] = &[
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
    // The session's values, written without parentheses (PostgreSQL; `user` is left out: a
    // MySQL column may be called that).
    "CURRENT_USER",
    "SESSION_USER",
    "CURRENT_ROLE",
    "CURRENT_SCHEMA",
    "CURRENT_CATALOG",
    "SYSTEM_USER",
];

impl Analyzer<'_> {
    /// An upsert that rewrites every row of its table: `INSERT INTO t SELECT ... FROM t ON
    /// CONFLICT ... DO UPDATE` (or `ON DUPLICATE KEY UPDATE`), `REPLACE INTO t SELECT ... FROM
    /// t`, `INSERT OR REPLACE INTO t SELECT ... FROM t`, with no condition on the SELECT.
    pub(super) fn upsert(&mut self, i: usize, offset: usize, t: &[Tok]) {
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

    /// [`every_row`] for a DELETE or UPDATE of `table`, knowing which of its columns the
    /// schema declares NOT NULL.
    pub(super) fn every_row_of(&self, table: &str, t: &[Tok]) -> Option<&'static str> {
        let schema = &*self.schema;
        every_row_with(t, &|column: &str| schema.column(table, column).is_some_and(|c| !c.nullable))
    }

    pub(super) fn update(&mut self, i: usize, offset: usize, t: &[Tok]) {
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
        // A later write of a column filled from another overwrites what was moved into it
        // (`SET "age_tmp" = 0`), unless it fills only the rows still NULL.
        for c in &columns {
            if !only_nulls(t, c) {
                self.state.filled_from.retain(|(tb, col, _)| !(*tb == key(table) && *col == key(c)));
            }
        }
        // `SET "email_new" = "email"` over every row, into a column added here: where its
        // values came from (for a temporary column that takes the old one's name). MySQL's
        // `UPDATE ... LIMIT n` fills only n rows.
        let every = self.every_row_of(table, t);
        let limited = top_level_limit(t);
        if every.is_some() && !limited {
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
        if let (Some(why), false) = (every, backfill) {
            self.report(
                RuleId::UpdateWithoutWhere,
                i,
                offset,
                format!("overwrites {} in every row of `{table}` ({why})", list(&columns)),
                Subject { table: Some(table.to_string()), column: columns.first().cloned(), ..Subject::default() },
            );
        }
    }

    pub(super) fn insert(&mut self, i: usize, offset: usize, t: &[Tok]) {
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
}
/// Whether an UPDATE's WHERE clause keeps to rows where `column` IS NULL.
fn only_nulls(t: &[Tok], column: &str) -> bool {
    let Some(w) = t.iter().position(|x| x.is("WHERE")) else { return false };
    t[w..].windows(3).any(|x| x[0].is_name() && key(x[0].value) == key(column) && x[1].is("IS") && x[2].is("NULL"))
}

/// Whether a statement has a LIMIT outside parentheses (MySQL's `UPDATE ... LIMIT n`).
fn top_level_limit(t: &[Tok]) -> bool {
    let mut depth = 0i32;
    t.iter().any(|x| {
        if x.is_punct('(') {
            depth += 1;
        } else if x.is_punct(')') {
            depth -= 1;
        }
        depth == 0 && x.is("LIMIT")
    })
}
