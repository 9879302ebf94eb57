//! Code that runs later or elsewhere: function and procedure bodies, DO blocks, dynamic
//! SQL strings, calls of functions whose bodies are not in the SQL, and data-modifying
//! statements nested in others.

use super::*;

/// The functions a statement calls (`name(`, `schema.name(`), with their schema when given;
/// type modifiers (`varchar(10)`), table column lists (`INTO t (a, b)`) and keywords that take
/// parentheses (`IN (`, `VALUES (`) aside.
pub(super) fn calls<'a>(t: &[Tok<'a>]) -> Vec<(Option<&'a str>, &'a str)> {
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
pub(super) fn known_function(schema: Option<&str>, name: &str) -> bool {
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
        // Session and server information (issue 19 review, round 2).
        "current_database",
        "current_schema",
        "current_schemas",
        "current_user",
        "current_role",
        "current_catalog",
        "session_user",
        "txid_current",
        "txid_current_if_assigned",
        "inet_server_addr",
        "inet_server_port",
        "inet_client_addr",
        "inet_client_port",
        "has_table_privilege",
        "has_schema_privilege",
        "has_database_privilege",
        "has_column_privilege",
        "has_function_privilege",
        "has_sequence_privilege",
        "obj_description",
        "col_description",
        "format_type",
        "to_regclass",
        "version",
        "sqlite_version",
        "sqlite_source_id",
        "changes",
        "total_changes",
        "last_insert_rowid",
        "pragma_table_info",
        "pragma_table_xinfo",
        "pragma_index_list",
        "pragma_index_info",
        "pragma_foreign_key_list",
        "pragma_database_list",
        "database",
        "schema",
        "connection_id",
    ];
    // PostgreSQL's own functions are named `pg_...` (pg_get_serial_sequence, pg_sleep ...);
    // `lo_unlink` over a query and `dblink_exec` are judged before this.
    let lower = name.to_ascii_lowercase();
    // The tripwire's read-only views of itself (docs/tripwire.md tells users to run them).
    let tripwire_reads = schema.is_some_and(|s| s.eq_ignore_ascii_case("prisma_guard"))
        && matches!(lower.as_str(), "status" | "approved" | "watched");
    tripwire_reads
        || schema.is_some_and(|s| s.eq_ignore_ascii_case("pg_catalog"))
        || (lower.starts_with("pg_") && !lower.contains("drop") && !lower.contains("delete"))
        || lower.starts_with("json")
        || KNOWN.contains(&lower.as_str())
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE ...`: a body that runs later.
pub(super) fn is_routine(t: &[Tok]) -> bool {
    starts(t, &["CREATE"]) && {
        let k = if starts(&t[1..], &["OR", "REPLACE"]) { 3 } else { 1 };
        t.get(k).is_some_and(|x| x.is("FUNCTION") || x.is("PROCEDURE"))
    }
}

/// The bodies of dollar-quoted blocks in `text` (`$$ ... $$`, `$tag$ ... $tag$`).
pub(super) fn dollar_bodies(text: &str) -> Vec<&str> {
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
pub(super) fn built_at_run_time(body: &str) -> bool {
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
pub(super) fn mentions_data_loss(text: &str) -> bool {
    static WORDS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| regex::Regex::new(r"(?i)\b(DROP|TRUNCATE|DELETE)\b").expect("static regex")).is_match(text)
}

/// Whether a routine's text deletes, drops, truncates or updates rows.
pub(super) fn changes_data(text: &str) -> bool {
    static WORDS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    WORDS
        .get_or_init(|| {
            regex::Regex::new(r"(?i)\b(DROP|TRUNCATE|DELETE)\b|\bUPDATE\b[^;]*\bSET\b").expect("static regex")
        })
        .is_match(text)
}

/// The parts of a statement whose expressions run: now (a query, `VALUES`, `SET`, MySQL's
/// `DO`, the query of a cursor, of `COPY (...)`, of a materialized view or `CREATE TABLE ...
/// AS`; a CHECK constraint checked against every row; a column DEFAULT filled into every row;
/// `ALTER ... TYPE ... USING`) or later, on reads and writes (a view's query, a trigger's
/// function). Column lists, types and `REFERENCES t(c)` are not calls and are left out.
pub(super) fn evaluated_parts(t: &[Tok]) -> Vec<std::ops::Range<usize>> {
    let Some(first) = t.first() else { return Vec::new() };
    if ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "SET", "DO"].iter().any(|w| first.is(w)) {
        return one(0..t.len());
    }
    if first.is("COPY") {
        return match t.get(1).filter(|x| x.is_punct('(')).and_then(|_| matching_paren(t, 1)) {
            Some(close) => one(2..close),
            None => Vec::new(),
        };
    }
    if first.is("DECLARE") {
        // `DECLARE c [BINARY] [SCROLL] CURSOR [WITH HOLD] FOR <query>`.
        return t.iter().position(|x| x.is("FOR")).map(|k| one(k + 1..t.len())).unwrap_or_default();
    }
    if first.is("CREATE") {
        let head_end = t.iter().position(|x| x.is_punct('(') || x.is("AS")).unwrap_or(t.len());
        let head = &t[..head_end];
        if head.iter().any(|x| x.is("TRIGGER")) {
            return one(0..t.len());
        }
        let mut parts = Vec::new();
        if head.iter().any(|x| x.is("VIEW") || x.is("TABLE")) {
            // The query after the AS at the statement's own level (a view, CREATE TABLE AS).
            let mut depth = 0i32;
            for (k, x) in t.iter().enumerate() {
                if x.is_punct('(') {
                    depth += 1;
                } else if x.is_punct(')') {
                    depth -= 1;
                } else if depth == 0 && x.is("AS") {
                    parts.push(k + 1..t.len());
                    break;
                }
            }
        }
        if head.iter().any(|x| x.is("TABLE") || x.is("DOMAIN")) {
            parts.extend(checks_and_defaults(t));
        }
        return parts;
    }
    if alter_table_at(t).is_some() {
        let mut parts = checks_and_defaults(t);
        // `ALTER COLUMN c TYPE x USING <expression>`: run for every row.
        for (from, to) in split_commas(t, 0, t.len()) {
            let part = &t[from..to];
            if let (Some(ty), Some(using)) =
                (part.iter().position(|x| x.is("TYPE")), part.iter().position(|x| x.is("USING")))
            {
                if ty < using {
                    parts.push(from + using + 1..to);
                }
            }
        }
        return parts;
    }
    Vec::new()
}

fn one(range: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    std::iter::once(range).collect()
}

/// The expressions of `CHECK (...)` and of `DEFAULT <call>` / `DEFAULT (...)` in a statement.
fn checks_and_defaults(t: &[Tok]) -> Vec<std::ops::Range<usize>> {
    let mut parts = Vec::new();
    for k in 0..t.len() {
        let open = if t[k].is("CHECK") && t.get(k + 1).is_some_and(|x| x.is_punct('(')) {
            k + 1
        } else if t[k].is("DEFAULT") {
            match t.get(k + 1) {
                Some(x) if x.is_punct('(') => k + 1,
                Some(x) if x.is_name() => {
                    // `DEFAULT f(...)`, `DEFAULT s.f(...)`: the call itself.
                    let Some((_, after)) = name_at(t, k + 1) else { continue };
                    if !t.get(after).is_some_and(|x| x.is_punct('(')) {
                        continue;
                    }
                    if let Some(close) = matching_paren(t, after) {
                        parts.push(k + 1..close + 1);
                    }
                    continue;
                }
                _ => continue,
            }
        } else {
            continue;
        };
        if let Some(close) = matching_paren(t, open) {
            parts.push(open + 1..close);
        }
    }
    parts
}

impl Analyzer<'_> {
    /// A call, anywhere an expression runs ([`evaluated_parts`]), of a function whose body is
    /// not in the SQL, or of one created above whose body changes data: it may delete anything.
    pub(super) fn unknown_calls(&mut self, i: usize, offset: usize, t: &[Tok]) {
        let mut found = None;
        for range in evaluated_parts(t) {
            let hit = calls(&t[range]).into_iter().find_map(|(schema, name)| {
                if self.state.changing_functions.contains(name) {
                    Some(format!("calls function `{name}`, whose body above changes data"))
                } else if !known_function(schema, name) && !self.state.functions.contains(name) {
                    Some(format!("calls function `{name}`, whose body prisma-guard cannot see here"))
                } else {
                    None
                }
            });
            if hit.is_some() {
                found = hit;
                break;
            }
        }
        if let Some(message) = found {
            self.report(RuleId::UnknownFunction, i, offset, message, Subject::default());
        }
    }

    /// A DO block or a function body: its statements judged as if run here, and dynamic SQL
    /// (`EXECUTE` of text that mentions DROP/TRUNCATE/DELETE, whose content cannot be known)
    /// taken as destructive.
    pub(super) fn routine_bodies(&mut self, i: usize, offset: usize, t: &[Tok], text: &str) {
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
    pub(super) fn dynamic_strings(&mut self, i: usize, offset: usize, t: &[Tok]) {
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
    pub(super) fn nested_changes(&mut self, i: usize, t: &[Tok]) {
        let mut depth = 0i32;
        let mut inlined;
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
                // Its subqueries that read a CTE (`WHERE id IN (SELECT id FROM x)`) read
                // the CTE's own query, with its conditions.
                inlined = inline_ctes(t, k);
                &inlined
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
}
