//! The database shape known from earlier migrations: tables with their columns, and
//! PostgreSQL enums. Replaying a migrations folder in order fills it, so a later migration
//! can be judged against what it changes (which columns a SQLite table redefinition keeps,
//! which enum values a recreation removes, whether a type change widens).

use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// Type as written, upper-cased, blanks removed: `VARCHAR(191)`, `ENUM('A','B')`.
    pub ty: String,
    pub nullable: bool,
    /// Has a default or an automatic value (autoincrement, serial, generated).
    pub has_default: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn remove(&mut self, name: &str) {
        self.columns.retain(|c| !c.name.eq_ignore_ascii_case(name));
    }
}

/// Keys are lower-cased names. Tables are shared between copies until one is changed: a
/// migration that SQLite or MySQL would read differently is judged again on a copy of the
/// schema, and copying every table's columns was a fifth of a large scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub tables: BTreeMap<String, Arc<Table>>,
    pub enums: BTreeMap<String, Vec<String>>,
}

pub fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// `f` of the key of `name`, lower-cased on the stack when short (a lookup per statement
/// need not allocate).
fn with_key<T>(name: &str, f: impl FnOnce(&str) -> T) -> T {
    let mut buf = [0u8; 64];
    match buf.get_mut(..name.len()) {
        Some(b) => {
            b.copy_from_slice(name.as_bytes());
            b.make_ascii_lowercase();
            // Lower-casing ASCII letters keeps UTF-8 valid: the `Err` arm is not taken.
            match std::str::from_utf8(b) {
                Ok(k) => f(k),
                Err(_) => f(&key(name)),
            }
        }
        None => f(&key(name)),
    }
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        with_key(name, |k| self.tables.get(k).map(|t| &**t))
    }

    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        with_key(name, |k| self.tables.get_mut(k).map(Arc::make_mut))
    }

    pub fn column(&self, table: &str, column: &str) -> Option<&Column> {
        self.table(table)?.column(column)
    }
}

/// Whether changing a column from `old` to `new` keeps every value (a widening).
/// `old` is `None` when the earlier type is unknown.
pub fn widens(old: Option<&str>, new: &str) -> bool {
    let new = new.to_ascii_uppercase();
    if matches!(new.as_str(), "TEXT" | "LONGTEXT" | "MEDIUMTEXT" | "CITEXT") {
        return true;
    }
    let Some(old) = old.map(str::to_ascii_uppercase) else { return false };
    if old == new {
        return true;
    }
    let (ob, oa) = split_args(&old);
    let (nb, na) = split_args(&new);
    let int_rank = |t: &str| match t {
        "SMALLINT" | "INT2" | "TINYINT" => Some(1),
        "MEDIUMINT" => Some(2),
        "INT" | "INTEGER" | "INT4" | "SERIAL" => Some(3),
        "BIGINT" | "INT8" | "BIGSERIAL" => Some(4),
        _ => None,
    };
    let text_like = |t: &str| matches!(t, "VARCHAR" | "CHAR" | "CHARACTERVARYING" | "CHARACTER" | "NVARCHAR");
    match (ob, nb) {
        (o, n) if int_rank(o).is_some() && int_rank(n).is_some() => int_rank(n) >= int_rank(o),
        (o, "DOUBLEPRECISION" | "DOUBLE" | "FLOAT8") => {
            int_rank(o).is_some_and(|r| r <= 3) || matches!(o, "REAL" | "FLOAT" | "FLOAT4")
        }
        (o, n) if text_like(o) && text_like(n) => match (oa.first(), na.first()) {
            (Some(a), Some(b)) => b >= a,
            (_, None) => true,
            (None, Some(_)) => false,
        },
        ("DECIMAL" | "NUMERIC", "DECIMAL" | "NUMERIC") => match (oa.as_slice(), na.as_slice()) {
            ([p1, s1], [p2, s2]) => s2 >= s1 && p2 - s2 >= p1 - s1,
            _ => false,
        },
        ("TIMESTAMP" | "DATETIME", "TIMESTAMPTZ" | "TIMESTAMP" | "DATETIME") | ("TIMESTAMPTZ", "TIMESTAMPTZ") => {
            na.first().unwrap_or(&6) >= oa.first().unwrap_or(&6)
        }
        ("JSON", "JSONB") => true,
        _ => false,
    }
}

/// `VARCHAR(191)` -> ("VARCHAR", [191]).
fn split_args(ty: &str) -> (&str, Vec<i64>) {
    match ty.split_once('(') {
        Some((base, rest)) => {
            (base, rest.trim_end_matches(')').split(',').filter_map(|n| n.trim().parse().ok()).collect())
        }
        None => (ty, Vec::new()),
    }
}

/// Values of `ENUM('A','B')` (MySQL column types).
pub fn mysql_enum_values(ty: &str) -> Option<Vec<String>> {
    let inner = ty.strip_prefix("ENUM(")?.strip_suffix(')')?;
    Some(inner.split(',').map(|v| v.trim().trim_matches('\'').to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_found_case_insensitively_whatever_the_name_length() {
        let mut s = Schema::default();
        let long = format!("Audit{}", "X".repeat(80));
        for name in ["User", "Ünïcode_Tåble", long.as_str()] {
            s.tables.insert(key(name), Arc::default());
            let upper = name.to_ascii_uppercase();
            assert!(s.table(&upper).is_some(), "{name}");
            assert!(s.table_mut(&name.to_ascii_lowercase()).is_some(), "{name}");
        }
        assert!(s.table("Users").is_none());
    }

    #[test]
    fn widening() {
        assert!(widens(None, "TEXT"));
        assert!(!widens(None, "VARCHAR(10)"));
        assert!(widens(Some("VARCHAR(191)"), "VARCHAR(255)"));
        assert!(!widens(Some("VARCHAR(255)"), "VARCHAR(191)"));
        assert!(widens(Some("INTEGER"), "BIGINT"));
        assert!(!widens(Some("BIGINT"), "INTEGER"));
        assert!(widens(Some("DECIMAL(10,2)"), "DECIMAL(12,2)"));
        assert!(!widens(Some("DECIMAL(10,2)"), "DECIMAL(10,0)"));
        assert!(widens(Some("TIMESTAMP(3)"), "TIMESTAMPTZ(3)"));
        assert!(!widens(Some("TEXT"), "INTEGER"));
    }
}
