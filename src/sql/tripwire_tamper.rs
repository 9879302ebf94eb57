//! SQL that switches off prisma-guard's PostgreSQL tripwire ([`crate::tripwire`]): anything
//! that changes, drops or calls into its `prisma_guard` schema, its event triggers
//! (`prisma_guard_*`) or the TRUNCATE trigger on each table, `DISABLE TRIGGER ALL|USER`
//! (which takes the TRUNCATE trigger with it), and `session_replication_role = replica`
//! (under which neither kind of trigger fires). Switching the tripwire off is switching a
//! guard off, from any client, `prisma db execute` or a migration.
//!
//! Reading it is fine: `SELECT prisma_guard.status()`, a query of `pg_event_trigger`.

use super::lex::lex;
use super::tokens::{Tk, Tok};

/// Words every message of this module holds, so callers can tell the class apart.
pub const MARK: &str = "prisma-guard's tripwire";

/// The tripwire's functions any role may call that change nothing.
const READ_ONLY: &[&str] = &["status", "approved", "watched"];

/// Whether a text (a statement, an option, `PGOPTIONS`) sets session_replication_role to
/// replica, under which no trigger fires.
pub fn sets_replica(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("session_replication_role") && lower.replace("session_replication_role", "").contains("replica")
}

/// Whether a text (a statement, an option, `PGOPTIONS`) sets PostgreSQL 17's
/// `event_triggers` to anything but on (no event trigger fires then).
pub fn event_triggers_off(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let Some(k) = lower.find("event_triggers") else { return false };
    let value: String = lower[k + "event_triggers".len()..]
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '=' | '\'' | '"' | ','))
        .trim_start_matches("to ")
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '\'' | '"'))
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let set = lower.contains("set")
        || lower.contains("-c")
        || lower.contains("--event_triggers")
        || lower.contains("set_config");
    set && !matches!(value.as_str(), "on" | "true" | "yes" | "1" | "default" | "")
}

/// Whether `sql` may hold such a statement (a cheap test before lexing it all again).
fn may_touch(sql: &str) -> bool {
    // One pass over the text, comparing only where a word's first letter is (every scanned
    // migration comes here: a comparison at every byte for each word was 15% of a scan).
    let b = sql.as_bytes();
    b.iter().enumerate().any(|(i, c)| {
        let words: &[&[u8]] = match c.to_ascii_lowercase() {
            b'p' => &[b"prisma_guard", b"pg_"],
            b'r' => &[b"replication_role"],
            b't' => &[b"trigger"],
            b's' => &[b"superuser"],
            _ => return false,
        };
        words.iter().any(|w| b.get(i..i + w.len()).is_some_and(|s| s.eq_ignore_ascii_case(w)))
    })
}

/// Every statement of `sql` that switches the tripwire off: (byte offset, what it does).
pub fn switches_off(sql: &str) -> Vec<(usize, String)> {
    if !may_touch(sql) {
        return Vec::new();
    }
    let lexed = lex(sql, true);
    let all = lexed.toks(sql);
    let mut out = Vec::new();
    for piece in &lexed.statements {
        let toks = all.get(piece.toks()).unwrap_or_default();
        if let Some(what) = statement(toks, &piece.text(sql).to_ascii_lowercase()) {
            out.push((piece.offset, format!("{what}, switching off {MARK} (the guard inside PostgreSQL)")));
        }
    }
    out
}

/// The system catalogue a statement writes (`DELETE FROM pg_catalog.pg_class`, `UPDATE
/// pg_trigger`, `INSERT INTO pg_catalog.x`, `TRUNCATE pg_authid`), if it writes one.
fn writes_catalog(toks: &[Tok<'_>]) -> Option<String> {
    for (i, t) in toks.iter().enumerate() {
        if !(t.is("DELETE") || t.is("UPDATE") || t.is("INTO") || t.is("TRUNCATE")) {
            continue;
        }
        let mut k = i + 1;
        while toks.get(k).is_some_and(|x| x.is("FROM") || x.is("ONLY") || x.is("TABLE")) {
            k += 1;
        }
        let Some(first) = toks.get(k).filter(|x| x.is_name()) else { continue };
        let qualified = toks.get(k + 1).is_some_and(|x| x.is_punct('.'));
        let name = if qualified { toks.get(k + 2).map_or("", |x| x.value) } else { first.value };
        let catalog = if qualified {
            first.value.eq_ignore_ascii_case("pg_catalog")
        } else {
            name.to_ascii_lowercase().starts_with("pg_")
        };
        if catalog {
            return Some(if qualified { format!("{}.{name}", first.value) } else { name.to_string() });
        }
    }
    None
}

fn lower(t: &Tok<'_>) -> String {
    t.value.to_ascii_lowercase()
}

/// What one statement does to the tripwire, if anything. `text`: the statement lower-cased,
/// for what the tokens do not show (dollar-quoted bodies are not tokenized).
fn statement(toks: &[Tok<'_>], text: &str) -> Option<String> {
    let first = toks.first()?;
    let has = |w: &str| toks.iter().any(|t| t.is(w));
    // PostgreSQL 17: `event_triggers = off` (SET, ALTER DATABASE/ROLE/SYSTEM SET, set_config).
    if !first.is("SHOW") && event_triggers_off(text) {
        return Some("sets event_triggers off, under which no event trigger fires".into());
    }
    // A role made superuser can switch any trigger and setting off.
    if (first.is("ALTER") || first.is("CREATE"))
        && toks.get(1).is_some_and(|t| t.is("ROLE") || t.is("USER"))
        && toks.iter().any(|t| t.is("SUPERUSER"))
    {
        return Some("makes a role superuser, which can switch every trigger and setting off".into());
    }
    // The system catalogues written directly (`DELETE FROM pg_catalog.pg_class ...`).
    if let Some(table) = writes_catalog(toks) {
        return Some(format!(
            "writes the system catalogue {table} directly, which can drop tables or switch triggers off"
        ));
    }
    // `SET session_replication_role = replica`, `set_config('session_replication_role', ...)`,
    // `ALTER ROLE ... SET session_replication_role TO replica`.
    if sets_replica(text) && !first.is("SHOW") {
        return Some("sets session_replication_role to replica, under which no trigger fires".into());
    }
    // Set to a value the text does not show (`set_config('session_replication_role', 'rep' ||
    // 'lica', false)`): only origin, local and the default keep the triggers on.
    let sets = first.is("SET") || first.is("ALTER") || text.contains("set_config");
    let keeps = ["origin", "local", "default"].iter().any(|v| text.contains(v));
    if sets && text.contains("session_replication_role") && !keeps {
        return Some("sets session_replication_role to a value the SQL does not show".into());
    }
    // Event triggers switched off by any name (`format('ALTER EVENT TRIGGER %I DISABLE', ...)`
    // in a DO block), and the trigger catalogues written directly.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let direct = first.is("DROP") || first.is("ALTER") || first.is("SELECT");
    if !direct && flat.contains("event trigger") && (flat.contains("disable") || flat.contains("drop ")) {
        return Some("drops or disables event triggers, the tripwire's among them".into());
    }
    let writes = ["update", "delete", "insert"].iter().any(|w| flat.contains(w));
    if writes && (flat.contains("pg_event_trigger") || flat.contains("pg_trigger")) {
        return Some("writes the trigger catalogues, which can switch any trigger off".into());
    }
    if flat.contains("disable trigger all") || flat.contains("disable trigger user") {
        return Some("disables every trigger of a table, the tripwire's TRUNCATE trigger among them".into());
    }
    // `ALTER TABLE t DISABLE TRIGGER ALL | USER`.
    if let Some(i) = toks.iter().position(|t| t.is("DISABLE")) {
        if toks.get(i + 1).is_some_and(|t| t.is("TRIGGER"))
            && toks.get(i + 2).is_some_and(|t| t.is("ALL") || t.is("USER"))
        {
            return Some("disables every trigger of a table, the tripwire's TRUNCATE trigger among them".into());
        }
    }
    let ours = |t: &Tok<'_>| lower(t).contains("prisma_guard");
    if !text.contains("prisma_guard") {
        return None;
    }
    // A query that reads the tripwire, or calls only its read-only functions.
    let reads = (first.is("SELECT") || first.is("SHOW") || first.is("TABLE") || first.is("WITH"))
        && !["INSERT", "UPDATE", "DELETE", "DROP", "ALTER", "TRUNCATE", "CREATE", "INTO", "EXECUTE", "MERGE"]
            .iter()
            .any(|w| has(w))
        && !toks.iter().filter(|t| t.kind == Tk::Str).any(ours)
        && toks.iter().enumerate().all(|(i, t)| {
            // `prisma_guard.f(`: f must be read-only.
            let call = t.is_name()
                && lower(t) == "prisma_guard"
                && toks.get(i + 1).is_some_and(|d| d.is_punct('.'))
                && toks.get(i + 3).is_some_and(|p| p.is_punct('('));
            !call || toks.get(i + 2).is_some_and(|f| READ_ONLY.contains(&lower(f).as_str()))
        });
    if reads {
        return None;
    }
    let shown: Vec<&str> = toks.iter().take(4).map(|t| t.value).collect();
    Some(format!("`{} ...` changes or calls into the tripwire's schema, functions or triggers", shown.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_letter_filter_finds_each_word_in_any_case_and_at_the_very_end() {
        assert!(may_touch("ALTER TABLE x DISABLE TRIGGER"));
        assert!(may_touch("select Prisma_Guard_x"));
        assert!(may_touch("SET session_REPLICATION_ROLE = replica"));
        assert!(may_touch("ALTER ROLE app SUPERUSER") && may_touch("DELETE FROM PG_class"));
        assert!(!may_touch("ALTER TABLE trig DROP COLUMN prisma_guar"));
        assert!(!may_touch(""));
    }

    fn off(sql: &str) -> bool {
        !switches_off(sql).is_empty()
    }

    #[test]
    fn statements_that_switch_the_tripwire_off() {
        for sql in [
            "DROP EVENT TRIGGER prisma_guard_sql_drop",
            "ALTER EVENT TRIGGER prisma_guard_sql_drop DISABLE;",
            "alter event trigger PRISMA_GUARD_DDL_END disable",
            "DROP SCHEMA prisma_guard CASCADE",
            "DROP FUNCTION prisma_guard.approved()",
            "CREATE OR REPLACE FUNCTION prisma_guard.approved() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$",
            "ALTER TABLE \"User\" DISABLE TRIGGER prisma_guard_no_truncate",
            "ALTER TABLE \"User\" DISABLE TRIGGER ALL",
            "alter table users disable trigger user",
            "DROP TRIGGER prisma_guard_no_truncate ON \"User\"",
            "SET session_replication_role = replica",
            "SET LOCAL session_replication_role TO 'replica'",
            "SELECT set_config('session_replication_role', 'replica', false)",
            "DELETE FROM prisma_guard.key",
            "INSERT INTO prisma_guard.approval VALUES (1, now(), 'x', 'y')",
            "SELECT prisma_guard.open_approval('k', 'c')",
            "DO $$ BEGIN EXECUTE 'DROP EVENT TRIGGER prisma_guard_sql_drop'; END $$",
            "ALTER SCHEMA \"prisma_guard\" RENAME TO x",
            "SELECT 1; DROP EVENT TRIGGER IF EXISTS prisma_guard_ddl_end;",
            "DO $$ DECLARE t record; BEGIN FOR t IN SELECT evtname FROM pg_event_trigger LOOP EXECUTE format('ALTER EVENT TRIGGER %I DISABLE', t.evtname); END LOOP; END $$",
            "DO $$ BEGIN EXECUTE format('ALTER TABLE %I DISABLE TRIGGER ALL', 'User'); END $$",
            "UPDATE pg_event_trigger SET evtenabled = 'D'",
            "ALTER DATABASE app SET session_replication_role = replica",
            "SELECT set_config('session_replication_role', 'rep' || 'lica', false)",
            "SET session_replication_role = :mode",
            // Review round 2 (issue 19), finding 15.
            "ALTER DATABASE shop SET event_triggers = off",
            "ALTER ROLE app SET event_triggers TO off",
            "ALTER SYSTEM SET event_triggers = off",
            "SET event_triggers = off",
            "SET event_triggers TO 'false'",
            "SELECT set_config('event_triggers', 'off', false)",
            "ALTER ROLE app SUPERUSER",
            "ALTER USER app WITH SUPERUSER",
            "CREATE ROLE x LOGIN SUPERUSER",
            "DELETE FROM pg_catalog.pg_class WHERE relname = $$User$$",
            "UPDATE pg_class SET relname = 'x' WHERE relname = 'User'",
            "DELETE FROM pg_trigger WHERE tgname LIKE 'prisma_guard%'",
        ] {
            assert!(off(sql), "{sql}");
        }
    }

    #[test]
    fn reading_the_tripwire_is_not_switching_it_off() {
        for sql in [
            "SELECT prisma_guard.status()",
            "SELECT * FROM pg_event_trigger",
            "SELECT evtname FROM pg_event_trigger WHERE evtenabled <> 'D'",
            "SHOW session_replication_role",
            "SET session_replication_role = origin",
            "SET session_replication_role TO DEFAULT",
            "SELECT current_setting('session_replication_role')",
            "SELECT * FROM prisma_guard.installation",
            "ALTER TABLE users ENABLE TRIGGER ALL",
            "ALTER TABLE users DISABLE TRIGGER audit_users",
            "DROP EVENT TRIGGER IF EXISTS my_audit",
            "CREATE TRIGGER audit AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION audit()",
            "-- DROP EVENT TRIGGER prisma_guard_sql_drop\nSELECT 1",
            "SELECT 1",
            "SHOW event_triggers",
            "SET event_triggers = on",
            "ALTER ROLE app NOSUPERUSER",
            "ALTER TABLE user ADD COLUMN superuser boolean",
            "SELECT * FROM pg_catalog.pg_class",
            "DELETE FROM \"Session\" WHERE expires < now()",
            "INSERT INTO pgx_log VALUES (1)",
        ] {
            assert!(!off(sql), "{sql}");
        }
    }
}
