//! Statements that lose data: DROP TABLE/SCHEMA/DATABASE, TRUNCATE, DELETE or UPDATE
//! without WHERE, ALTER TABLE ... DROP COLUMN.

use std::sync::OnceLock;

use regex::Regex;

use super::split::{split, Statement};

/// One data-losing statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Danger {
    /// Stable id: `drop-table`, `drop-schema`, `drop-database`, `truncate`,
    /// `delete-without-where`, `update-without-where`, `drop-column`.
    pub rule: &'static str,
    /// What it does, for people.
    pub message: String,
    pub line: usize,
    pub statement: String,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

/// Words after `DROP` in `ALTER TABLE` that do not remove a column.
const NOT_A_COLUMN: &[&str] = &[
    "CONSTRAINT",
    "INDEX",
    "KEY",
    "PRIMARY",
    "FOREIGN",
    "DEFAULT",
    "NOT",
    "CHECK",
    "PARTITION",
    "IDENTITY",
    "EXPRESSION",
];

/// The rule a statement's code (comments and strings blanked) breaks, if any.
fn classify(code: &str) -> Option<(&'static str, &'static str)> {
    static DROP: OnceLock<Regex> = OnceLock::new();
    static TRUNCATE: OnceLock<Regex> = OnceLock::new();
    static DELETE: OnceLock<Regex> = OnceLock::new();
    static UPDATE: OnceLock<Regex> = OnceLock::new();
    static WHERE: OnceLock<Regex> = OnceLock::new();
    static ALTER: OnceLock<Regex> = OnceLock::new();
    static ALTER_DROP: OnceLock<Regex> = OnceLock::new();
    if let Some(c) = re(&DROP, r"(?i)^\s*DROP\s+(TABLE|SCHEMA|DATABASE)\b").captures(code) {
        return Some(match c[1].to_ascii_uppercase().as_str() {
            "TABLE" => ("drop-table", "drops a table and all its rows"),
            "SCHEMA" => ("drop-schema", "drops a schema and everything in it"),
            _ => ("drop-database", "drops a whole database"),
        });
    }
    if re(&TRUNCATE, r"(?i)^\s*TRUNCATE\b").is_match(code) {
        return Some(("truncate", "deletes every row of a table"));
    }
    let has_where = || re(&WHERE, r"(?i)\bWHERE\b").is_match(code);
    if re(&DELETE, r"(?i)^\s*DELETE\s+FROM\b").is_match(code) && !has_where() {
        return Some(("delete-without-where", "deletes every row (no WHERE clause)"));
    }
    if re(&UPDATE, r"(?i)^\s*UPDATE\b").is_match(code) && !has_where() {
        return Some(("update-without-where", "overwrites a column in every row (no WHERE clause)"));
    }
    if re(&ALTER, r"(?i)^\s*ALTER\s+TABLE\b").is_match(code) {
        let drops_column = re(&ALTER_DROP, r#"(?i)\bDROP\s+([`"]?)(\w+)"#).captures_iter(code).any(|c| {
            let word = c[2].to_ascii_uppercase();
            word == "COLUMN" || !c[1].is_empty() || !NOT_A_COLUMN.contains(&word.as_str())
        });
        if drops_column {
            return Some(("drop-column", "drops a column and its data"));
        }
    }
    None
}

/// Every data-losing statement in `sql`, in order.
pub fn dangers(sql: &str) -> Vec<Danger> {
    split(sql).iter().filter_map(statement_danger).collect()
}

fn statement_danger(stmt: &Statement) -> Option<Danger> {
    let (rule, message) = classify(&stmt.code)?;
    Some(Danger { rule, message: message.to_string(), line: stmt.line, statement: stmt.text.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(sql: &str) -> Vec<&'static str> {
        dangers(sql).into_iter().map(|d| d.rule).collect()
    }

    #[test]
    fn finds_each_kind() {
        assert_eq!(rules("DROP TABLE \"User\";"), vec!["drop-table"]);
        assert_eq!(rules("drop schema app cascade"), vec!["drop-schema"]);
        assert_eq!(rules("DROP DATABASE shop"), vec!["drop-database"]);
        assert_eq!(rules("TRUNCATE \"Post\" CASCADE"), vec!["truncate"]);
        assert_eq!(rules("DELETE FROM \"Session\""), vec!["delete-without-where"]);
        assert_eq!(rules("UPDATE \"User\" SET role = 'USER'"), vec!["update-without-where"]);
        assert_eq!(rules("ALTER TABLE \"User\" DROP COLUMN \"nickname\""), vec!["drop-column"]);
        assert_eq!(rules("ALTER TABLE `User` DROP `nickname`"), vec!["drop-column"]);
    }

    #[test]
    fn harmless_statements_pass() {
        for sql in [
            "DELETE FROM \"Session\" WHERE \"expires\" < now()",
            "UPDATE \"User\"\nSET a = 1\nWHERE id = 2",
            "ALTER TABLE \"User\" DROP CONSTRAINT \"User_pkey\"",
            "ALTER TABLE \"User\" ALTER COLUMN \"x\" DROP DEFAULT",
            "ALTER TABLE \"User\" ALTER COLUMN \"x\" DROP NOT NULL",
            "ALTER TABLE `User` DROP INDEX `User_email_key`",
            "ALTER TABLE `User` DROP FOREIGN KEY `fk`",
            "DROP INDEX \"User_email_key\"",
            "SELECT 'DROP TABLE x'",
            "-- DROP TABLE x\nSELECT 1",
            "CREATE TABLE t (id int)",
            "INSERT INTO t SELECT * FROM u",
        ] {
            assert!(rules(sql).is_empty(), "{sql}: {:?}", rules(sql));
        }
    }

    #[test]
    fn where_inside_a_string_does_not_count() {
        assert_eq!(rules("DELETE FROM t -- WHERE id = 1"), vec!["delete-without-where"]);
        assert_eq!(rules("UPDATE t SET note = 'WHERE'"), vec!["update-without-where"]);
    }

    #[test]
    fn reports_lines() {
        let d = dangers("SELECT 1;\n\nDROP TABLE a;");
        assert_eq!(d[0].line, 3);
        assert_eq!(d[0].statement, "DROP TABLE a");
    }
}
