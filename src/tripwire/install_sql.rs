//! The SQL text of the tripwire: the install script (`install.sql`, with its placeholders
//! filled in), the removal, and the cheap probe the guard runs before a prisma command.

use crate::backup::db::postgres::quote_literal;

/// The tripwire's version: `protect` on an older one upgrades it in place.
pub const VERSION: u32 = 2;
/// The tripwire's schema.
pub const SCHEMA: &str = "prisma_guard";
/// The event triggers, in the order they are made.
pub const EVENT_TRIGGERS: [&str; 2] = ["prisma_guard_sql_drop", "prisma_guard_ddl_end"];
/// The name of the BEFORE TRUNCATE trigger on each table (pg_dump leaves it out of backups).
pub const TRUNCATE_TRIGGER: &str = "prisma_guard_no_truncate";
/// What `open_approval` answers when the window is open.
pub const OPEN_MARK: &str = "prisma-guard-approval-open";
/// The first words of the schema's comment; the install id follows.
const COMMENT_PREFIX: &str = "prisma-guard tripwire v";

const INSTALL_TEMPLATE: &str = include_str!("install.sql");

/// The whole installation (or upgrade) in one transaction, checked before it commits.
pub fn install_script(install_id: &str, key_hash: &str) -> String {
    let body = INSTALL_TEMPLATE
        .replace(":install_id", &quote_literal(install_id))
        .replace(":key_hash", &quote_literal(key_hash))
        .replace(":version", &VERSION.to_string())
        .replace(":comment", &quote_literal(&format!("{COMMENT_PREFIX}{VERSION} {install_id}")));
    format!("BEGIN;\n{body}\n{VERIFY}\nCOMMIT;\n")
}

/// Raised inside the install transaction when what it made is not all there: nothing commits.
const VERIFY: &str = "DO $verify$
DECLARE s json := prisma_guard.status();
BEGIN
    IF (s->>'event_triggers_on')::int <> 2 OR json_array_length(s->'unarmed_tables') <> 0
       OR (s->>'keys')::int < 1 OR NOT (s->>'owner_is_superuser')::boolean THEN
        RAISE EXCEPTION 'prisma-guard tripwire: the installation is incomplete (%), rolled back', s;
    END IF;
END
$verify$;";

/// Everything the tripwire made, gone in one transaction: the event triggers first (so they
/// do not fire), then the schema with its functions, whose dependents are the TRUNCATE
/// triggers on the tables.
pub fn uninstall_script() -> String {
    let mut sql = String::from("BEGIN;\nSET LOCAL client_min_messages = warning;\n");
    for name in EVENT_TRIGGERS {
        sql.push_str(&format!("DROP EVENT TRIGGER IF EXISTS {name};\n"));
    }
    sql.push_str(&format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE;\n"));
    sql.push_str(&format!(
        "DO $check$ BEGIN IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{TRUNCATE_TRIGGER}') \
         OR EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname LIKE 'prisma\\_guard\\_%') THEN \
         RAISE EXCEPTION 'prisma-guard tripwire: objects are left after the removal, rolled back'; END IF; END $check$;\n"
    ));
    sql.push_str("COMMIT;\n");
    sql
}

/// One cheap query any role may run, whatever is installed: the schema's comment (the
/// version and install id), and how many of the tripwire's event triggers are switched on.
pub const PROBE: &str =
    "SELECT coalesce(obj_description(to_regnamespace('prisma_guard'), 'pg_namespace'), '') || chr(31) \
     || (to_regnamespace('prisma_guard') IS NOT NULL)::text || chr(31) \
     || (SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'prisma\\_guard\\_%' AND evtenabled <> 'D')";

/// The tripwire's own report (a JSON object); only when the schema has `status()`.
pub const STATUS: &str = "SELECT prisma_guard.status()";

/// Who connects, and to what: whether the role may install the tripwire, and the facts that
/// tell two connections to the same database apart from two to different ones.
pub const IDENTITY: &str = "SELECT current_user || chr(31) || (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)::text \
     || chr(31) || current_database() || chr(31) || (SELECT oid FROM pg_database WHERE datname = current_database())::text \
     || chr(31) || pg_postmaster_start_time()::text || chr(31) || current_setting('server_version_num')";

/// The statement that opens an approval window in the session that runs it.
pub fn open_approval(key: &str, command: &str) -> String {
    format!("SELECT prisma_guard.open_approval({}, {});\n", quote_literal(key), quote_literal(command))
}

pub const CLOSE_APPROVAL: &str = "SELECT prisma_guard.close_approval();\n";

/// What the probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The schema exists.
    pub schema: bool,
    /// Version and install id from the schema's comment (the install committed whole).
    pub installed: Option<(u32, String)>,
    /// The tripwire's event triggers that are switched on.
    pub event_triggers_on: u32,
}

impl Probe {
    pub fn parse(line: &str) -> Probe {
        let mut parts = line.split('\x1f');
        let comment = parts.next().unwrap_or("");
        let schema = parts.next() == Some("true");
        let event_triggers_on = parts.next().and_then(|n| n.trim().parse().ok()).unwrap_or(0);
        let installed = comment.strip_prefix(COMMENT_PREFIX).and_then(|rest| {
            let (version, id) = rest.split_once(' ')?;
            let id = id.trim();
            let valid = !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit());
            Some((version.parse().ok()?, id.to_string())).filter(|_| valid)
        });
        Probe { schema, installed, event_triggers_on }
    }

    /// Anything of the tripwire is in the database.
    pub fn any(&self) -> bool {
        self.schema || self.installed.is_some() || self.event_triggers_on > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_install_script_is_one_transaction_with_every_placeholder_filled() {
        let sql = install_script("0123abcd", "deadbeef");
        assert!(sql.starts_with("BEGIN;\n") && sql.ends_with("COMMIT;\n"));
        assert_eq!(sql.matches("COMMIT;").count(), 1, "one transaction");
        assert_eq!(sql.matches("BEGIN;").count(), 1);
        for placeholder in [":install_id", ":key_hash", ":version", ":comment"] {
            assert!(!sql.contains(placeholder), "{placeholder} left in the script");
        }
        assert!(sql.contains("VALUES ('0123abcd', 2)"));
        assert!(sql.contains("INSERT INTO prisma_guard.key (hash) VALUES ('deadbeef')"));
        assert!(sql.contains("COMMENT ON SCHEMA prisma_guard IS 'prisma-guard tripwire v2 0123abcd';"));
        // The event triggers are dropped before anything else and made again last, after the
        // tables are armed; the check runs before the COMMIT.
        let drop = sql.find("DROP EVENT TRIGGER IF EXISTS prisma_guard_sql_drop").unwrap();
        let schema = sql.find("CREATE SCHEMA IF NOT EXISTS prisma_guard").unwrap();
        let arm = sql.find("SELECT prisma_guard.arm(c.oid)").unwrap();
        let create = sql.find("CREATE EVENT TRIGGER prisma_guard_sql_drop").unwrap();
        let verify = sql.find("DO $verify$").unwrap();
        assert!(drop < schema && schema < arm && arm < create && create < verify);
        for name in EVENT_TRIGGERS {
            assert!(sql.contains(&format!("CREATE EVENT TRIGGER {name} ")), "{name}");
        }
        assert!(sql.contains(TRUNCATE_TRIGGER));
        assert!(sql.contains(OPEN_MARK));
    }

    #[test]
    fn no_one_but_the_installer_may_write_the_tripwire_tables() {
        let sql = install_script("00", "00");
        assert!(sql.contains("REVOKE ALL ON SCHEMA prisma_guard FROM PUBLIC;"));
        assert!(sql.contains("REVOKE ALL ON ALL TABLES IN SCHEMA prisma_guard FROM PUBLIC;"));
        assert!(sql.contains("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA prisma_guard FROM PUBLIC;"));
        // Functions that change rows run as their owner, with a fixed search_path.
        for f in ["approved()", "open_approval(", "close_approval()", "arm(", "status()"] {
            let at = sql.find(&format!("FUNCTION prisma_guard.{f}")).unwrap();
            let head = &sql[at..at + 300];
            assert!(head.contains("SECURITY DEFINER SET search_path = pg_catalog, pg_temp"), "{f}: {head}");
        }
        assert!(!sql.contains("GRANT INSERT") && !sql.contains("GRANT ALL"));
    }

    #[test]
    fn literals_are_quoted_so_a_key_or_command_cannot_end_the_statement() {
        assert_eq!(
            open_approval("k'ey", "prisma db execute --file 'x.sql'"),
            "SELECT prisma_guard.open_approval('k''ey', 'prisma db execute --file ''x.sql''');\n"
        );
        let sql = install_script("a'b", "c");
        assert!(sql.contains("'a''b'"));
    }

    #[test]
    fn the_removal_drops_the_event_triggers_before_the_schema_and_checks_in_the_same_transaction() {
        let sql = uninstall_script();
        assert!(sql.starts_with("BEGIN;\n") && sql.ends_with("COMMIT;\n"));
        let triggers = sql.find("DROP EVENT TRIGGER IF EXISTS prisma_guard_sql_drop;").unwrap();
        let schema = sql.find("DROP SCHEMA IF EXISTS prisma_guard CASCADE;").unwrap();
        let check = sql.find("DO $check$").unwrap();
        assert!(triggers < schema && schema < check);
    }

    #[test]
    fn the_probe_reads_the_comment_the_install_leaves() {
        let p = Probe::parse("prisma-guard tripwire v1 0a1b\x1ftrue\x1f2");
        assert_eq!(p, Probe { schema: true, installed: Some((1, "0a1b".into())), event_triggers_on: 2 });
        let none = Probe::parse("\x1ffalse\x1f0");
        assert!(!none.any());
        // A comment someone else wrote is not an installation; a path in it is refused.
        assert_eq!(Probe::parse("hello\x1ftrue\x1f0").installed, None);
        assert_eq!(Probe::parse("prisma-guard tripwire v1 ../../x\x1ftrue\x1f2").installed, None);
        assert!(Probe::parse("\x1ffalse\x1f1").any());
    }
}
