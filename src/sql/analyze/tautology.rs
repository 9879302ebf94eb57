//! WHERE clauses that select every row (or all but a few) however they are spelled: a branch
//! of ANDed conditions counts as no WHERE when none of its conditions can be shown to narrow
//! the rows. A condition that cannot: an expression compared with itself (`id = id + 0`,
//! `coalesce(name, 1) = coalesce(name, 1)`), a key that is never NULL tested for NULL
//! (`rowid IS NOT NULL`, `ctid IS NOT NULL`, `id IS DISTINCT FROM NULL`, `NOT id IS NULL`),
//! a type test (`typeof(id) = 'integer'`, `pg_typeof(id) = ...`), a key within a range
//! holding every key (`id BETWEEN -1e18 AND 1e18`), a key kept out of numbers no key is
//! (`id NOT IN (SELECT -1)`).

use super::*;

/// Columns every row has a value in: SQLite's rowid aliases, PostgreSQL's system columns.
const SYSTEM_KEYS: &[&str] = &["rowid", "_rowid_", "oid", "ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"];

/// Whether one OR-branch of a WHERE clause (parentheses left out) selects every row, or all
/// but a few: each of its ANDed conditions is one that `always` (the older checks) or this
/// module's cannot show to narrow. `never_null`: a column declared NOT NULL or the key.
pub(super) fn branch_always(b: &[&Tok], always: &dyn Fn(&[&Tok]) -> bool, never_null: &dyn Fn(&Tok) -> bool) -> bool {
    let key = |x: &Tok| x.is_name() && (never_null(x) || SYSTEM_KEYS.iter().any(|k| x.value.eq_ignore_ascii_case(k)));
    let parts = conjuncts(b);
    !parts.is_empty() && parts.iter().all(|c| always(c) || unnarrowing(c, &key))
}

/// The ANDed conditions of a branch (the AND of `BETWEEN a AND b` belongs to it).
fn conjuncts<'t, 'a>(b: &'t [&'t Tok<'a>]) -> Vec<&'t [&'t Tok<'a>]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut between = false;
    for (k, x) in b.iter().enumerate() {
        if x.is("BETWEEN") {
            between = true;
        } else if x.is("AND") {
            if between {
                between = false;
                continue;
            }
            out.push(&b[start..k]);
            start = k + 1;
        }
    }
    out.push(&b[start..]);
    out
}

/// Whether one condition cannot be shown to narrow the rows.
fn unnarrowing(c: &[&Tok], key: &dyn Fn(&Tok) -> bool) -> bool {
    // `t.id` is `id` for the tests on keys (not for comparisons: `a.id = b.id` is a join).
    let full = c;
    let stripped: Vec<&Tok> = strip_qualifiers(c);
    let c = stripped.as_slice();
    let number = |side: &[&Tok]| -> Option<f64> {
        match side {
            [n] if n.kind == Tk::Word => n.value.parse().ok(),
            [m, n] if m.is_punct('-') && n.kind == Tk::Word => n.value.parse::<f64>().ok().map(|v| -v),
            [p, n] if p.is_punct('+') && n.kind == Tk::Word => n.value.parse().ok(),
            _ => None,
        }
    };
    match c {
        // `NOT id IS NULL`, `id IS NOT NULL`, `id IS DISTINCT FROM NULL`, `id NOTNULL`.
        [n, x, is, null] if n.is("NOT") && is.is("IS") && null.is("NULL") => return key(x),
        [x, is, not, null] if is.is("IS") && not.is("NOT") && null.is("NULL") => return key(x),
        [x, nn] if nn.is("NOTNULL") => return key(x),
        [x, is, d, f, null] if is.is("IS") && d.is("DISTINCT") && f.is("FROM") && null.is("NULL") => return key(x),
        // `typeof(id) = 'integer'`, `pg_typeof(id) = 'int'::regtype`.
        [f, ..] if f.is("typeof") || f.is("pg_typeof") => return true,
        _ => {}
    }
    // `id BETWEEN -1e18 AND 1e18`: a range holding every key.
    if let Some(k) = c.iter().position(|x| x.is("BETWEEN")) {
        let Some(a) = c.iter().position(|x| x.is("AND")) else { return false };
        let subject = &c[..k];
        let negated = subject.last().is_some_and(|x| x.is("NOT"));
        let (lo, hi) = (number(&c[k + 1..a]), number(&c[a + 1..]));
        return match (subject, lo, hi) {
            ([x], Some(lo), Some(hi)) if key(x) => lo <= 1.0 && hi >= 2_147_483_647.0,
            // `id NOT BETWEEN -5 AND 0`: no key is there.
            ([x, _], Some(_), Some(hi)) if negated && key(x) => hi < 1.0,
            _ => false,
        };
    }
    // `id NOT IN (SELECT -1)`, `id NOT IN (SELECT 0 UNION SELECT -1)`: no key is among
    // numbers below 1 (keys start at 1), so every row. (`id NOT IN (1, 2)` names the rows kept.)
    if let Some(n) = c.windows(2).position(|w| w[0].is("NOT") && w[1].is("IN")) {
        let list = &c[n + 2..];
        let list = match list.first() {
            Some(s) if s.is("SELECT") => &list[1..],
            _ => list,
        };
        let below_one = |v: &[&Tok]| number(v).is_some_and(|v| v < 1.0);
        let values = list.split(|x| x.is_punct(',') || x.is("UNION") || x.is("ALL") || x.is("SELECT"));
        return n == 1
            && key(c[0])
            && !list.iter().any(|x| x.is("FROM"))
            && values.filter(|v| !v.is_empty()).all(below_one);
    }
    let c = full;
    // A comparison: `a = b`, `a == b`, `a >= b`, `a <= b`, `a IS b`, `a <> b`, `a != b`.
    let Some(k) = c.iter().position(|x| {
        x.is_punct('=')
            || x.is_punct('<')
            || x.is_punct('>')
            || x.is_punct('!')
            || x.is("IS")
            || x.is("LIKE")
            || x.is("GLOB")
    }) else {
        return false;
    };
    let width = c[k..]
        .iter()
        .take_while(|x| {
            x.is_punct('=')
                || x.is_punct('<')
                || x.is_punct('>')
                || x.is_punct('!')
                || x.is("IS")
                || x.is("NOT")
                || x.is("DISTINCT")
                || x.is("FROM")
        })
        .count();
    let op: String = c[k..k + width].iter().map(|x| x.value.to_ascii_uppercase()).collect::<Vec<_>>().join(" ");
    let (left, right) = (&c[..k], &c[k + width..]);
    let named = |side: &[&Tok]| side.iter().any(|x| x.is_name() && number(&[x]).is_none());
    let same = {
        let (l, r) = (identity_free(left), identity_free(right));
        !l.is_empty()
            && l.len() == r.len()
            && l.iter().zip(&r).all(|(a, b)| a.kind == b.kind && a.value.eq_ignore_ascii_case(b.value))
    };
    same && named(left)
        && matches!(op.as_str(), "=" | "= =" | "> =" | "< =" | "IS" | "IS NOT DISTINCT FROM" | "LIKE" | "GLOB")
}

/// Tokens without qualifiers (`t.id` is `id`).
fn strip_qualifiers<'t, 'a>(c: &[&'t Tok<'a>]) -> Vec<&'t Tok<'a>> {
    let mut out: Vec<&Tok> = Vec::new();
    for (k, x) in c.iter().enumerate() {
        if c.get(k + 1).is_some_and(|d| d.is_punct('.')) && x.is_name() && c.get(k + 2).is_some_and(|n| n.is_name()) {
            continue;
        }
        if x.is_punct('.') && k > 0 && c[k - 1].is_name() && c.get(k + 1).is_some_and(|n| n.is_name()) {
            continue;
        }
        out.push(x);
    }
    out
}

/// A side of a comparison without arithmetic that changes nothing (`+ 0`, `- 0`, `* 1`, `/ 1`,
/// `|| ''`).
fn identity_free<'t, 'a>(side: &[&'t Tok<'a>]) -> Vec<&'t Tok<'a>> {
    let mut out: Vec<&Tok> = Vec::new();
    let mut k = 0;
    while k < side.len() {
        let x = side[k];
        let next = side.get(k + 1);
        let zero = next.is_some_and(|n| n.kind == Tk::Word && n.value.parse::<f64>().is_ok_and(|v| v == 0.0));
        let one = next.is_some_and(|n| n.kind == Tk::Word && n.value.parse::<f64>().is_ok_and(|v| v == 1.0));
        if ((x.is_punct('+') || x.is_punct('-')) && zero) || ((x.is_punct('*') || x.is_punct('/')) && one) {
            k += 2;
            continue;
        }
        if x.is_punct('|')
            && next.is_some_and(|n| n.is_punct('|'))
            && side.get(k + 2).is_some_and(|s| s.kind == Tk::Str && s.value.is_empty())
        {
            k += 3;
            continue;
        }
        out.push(x);
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    /// Issue 16, review round 15: WHERE clauses whose value comes from the session, not the
    /// row (the same for every row: all or nothing), are no WHERE; clauses naming a column
    /// beside them still narrow.
    #[test]
    fn where_clauses_of_session_values_select_every_row() {
        let cases: &[(&str, bool)] = &[
            ("DELETE FROM \"Post\" WHERE current_user = current_user", true),
            ("DELETE FROM \"Post\" WHERE current_user IS NOT NULL", true),
            ("DELETE FROM \"Post\" WHERE session_user <> ''", true),
            ("DELETE FROM \"Post\" WHERE now() = now()", true),
            ("DELETE FROM \"Post\" WHERE current_role = 'app'", true),
            ("DELETE FROM \"Post\" WHERE current_schema IS NOT NULL", true),
            ("DELETE FROM \"Post\" WHERE (current_user IS NOT NULL)", true),
            ("UPDATE \"Post\" SET title = 'x' WHERE session_user <> ''", true),
            ("DELETE FROM \"Post\" WHERE id = 5 OR current_user IS NOT NULL", true),
            ("DELETE FROM \"Post\" WHERE id = 5 OR now() > '2000-01-01'", true),
            ("DELETE FROM \"Post\" WHERE \"authorId\" = 3 OR (session_user <> '')", true),
            ("DELETE FROM \"Post\" WHERE id = 5", false),
            ("DELETE FROM \"Post\" WHERE id = 5 AND current_user = 'app'", false),
            ("DELETE FROM \"Post\" WHERE owner = current_user", false),
            ("DELETE FROM \"Post\" WHERE \"createdAt\" < now() - interval '30 days'", false),
            ("DELETE FROM \"Post\" WHERE id = 5 OR NULL", false),
            ("DELETE FROM \"Post\" WHERE id = 5 OR 1 = 0", false),
            ("DELETE FROM \"Post\" WHERE id = $1", false),
        ];
        for (sql, every_row) in cases {
            assert_eq!(!crate::sql::dangers(sql).is_empty(), *every_row, "{sql}");
        }
    }

    /// Review of issue 19, round 3: WHERE clauses that select every row, however spelled.
    #[test]
    fn where_clauses_that_cannot_be_shown_to_narrow() {
        for sql in [
            "DELETE FROM User WHERE rowid IS NOT NULL",
            "DELETE FROM \"User\" WHERE ctid IS NOT NULL",
            "DELETE FROM \"User\" WHERE id IS DISTINCT FROM NULL",
            "DELETE FROM User WHERE NOT id IS NULL",
            "DELETE FROM User WHERE id NOT IN (SELECT -1)",
            "DELETE FROM User WHERE id = id + 0",
            "DELETE FROM User WHERE typeof(id)='integer'",
            "DELETE FROM User WHERE id BETWEEN -1e18 AND 1e18",
            "DELETE FROM User WHERE coalesce(name,1)=coalesce(name,1)",
            "DELETE FROM User WHERE rowid IS NOT NULL AND id = id * 1",
            "UPDATE User SET name = 'x' WHERE ctid IS NOT NULL",
        ] {
            assert!(!crate::sql::dangers(sql).is_empty(), "{sql}");
        }
        for sql in [
            "DELETE FROM User WHERE id = 5",
            "DELETE FROM User WHERE name = 'x' AND id IS NOT NULL",
            "DELETE FROM User WHERE id BETWEEN 5 AND 10",
            "DELETE FROM User WHERE email NOT IN (SELECT email FROM Banned)",
            "DELETE FROM User WHERE status <> 'active'",
            "DELETE FROM User WHERE id <> 5",
            "DELETE FROM User WHERE id NOT IN (1, 2)",
            "UPDATE \"User\" SET name = s.name FROM \"Staff\" s WHERE \"User\".id = s.id",
            "DELETE FROM User WHERE \"createdAt\" < now() - interval '30 days'",
        ] {
            assert!(crate::sql::dangers(sql).is_empty(), "{sql}: {:?}", crate::sql::dangers(sql));
        }
    }
}
