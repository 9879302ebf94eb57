//! The allow-list for throwaway databases (`[[guard.allow]]` in prisma-guard.toml): there,
//! destructive commands run without a typed confirmation. Only the config file can allow
//! it; no environment variable can.

use serde::Deserialize;

use crate::backup::db::url::Engine;
use crate::backup::db::Target;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    /// Host glob (`localhost`, `127.0.0.1`, `*.internal`). Required for server databases.
    pub host: Option<String>,
    /// Database name glob (`*_test`); for SQLite, the file name (`test.db`).
    pub database: Option<String>,
    /// Engine: `postgresql`, `mysql` or `sqlite` (any when absent).
    pub engine: Option<Engine>,
    /// Take the backup anyway (default true).
    #[serde(default = "yes")]
    pub backup: bool,
    /// Why this database is throwaway (shown in the audit log).
    pub reason: Option<String>,
}

fn yes() -> bool {
    true
}

impl AllowEntry {
    /// Whether this entry covers the target. An entry must name something to match.
    pub fn matches(&self, target: &Target) -> bool {
        if self.host.is_none() && self.database.is_none() {
            return false;
        }
        if self.engine.is_some_and(|e| e != target.url.engine) {
            return false;
        }
        let (host, name) = match &target.sqlite_path {
            Some(p) => (String::new(), p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()),
            None => (target.url.pg_host(), target.url.database.clone()),
        };
        let host_ok = match &self.host {
            Some(g) => target.sqlite_path.is_none() && glob(g, &host),
            None => true,
        };
        let db_ok = self.database.as_ref().is_none_or(|g| glob(g, &name));
        host_ok && db_ok
    }
}

/// The first entry that covers the target.
pub fn find<'a>(entries: &'a [AllowEntry], target: &Target) -> Option<&'a AllowEntry> {
    entries.iter().find(|e| e.matches(target))
}

/// `*` matches any run of characters, `?` one character; case-sensitive.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::db::url::DbUrl;

    fn target(url: &str) -> Target {
        let url = DbUrl::parse(url).unwrap();
        let sqlite_path = (url.engine == Engine::Sqlite).then(|| url.sqlite_path());
        Target { url, sqlite_path, schemas: Vec::new() }
    }

    fn entry(host: Option<&str>, database: Option<&str>) -> AllowEntry {
        AllowEntry {
            host: host.map(Into::into),
            database: database.map(Into::into),
            engine: None,
            backup: true,
            reason: None,
        }
    }

    #[test]
    fn globs() {
        assert!(glob("*_test", "shop_test"));
        assert!(!glob("*_test", "shop_test_prod"));
        assert!(glob("db-?", "db-1"));
        assert!(glob("*", ""));
        assert!(!glob("localhost", "localhost.evil.com"));
    }

    #[test]
    fn matching() {
        let e = entry(Some("localhost"), Some("*_test"));
        assert!(e.matches(&target("postgresql://u:p@localhost:5432/shop_test?schema=public")));
        assert!(!e.matches(&target("postgresql://u:p@db.prod:5432/shop_test")));
        assert!(!e.matches(&target("postgresql://u:p@localhost:5432/shop")));
        assert!(!entry(None, None).matches(&target("postgresql://u@localhost/x")), "an empty entry allows nothing");
        assert!(entry(None, Some("test.db")).matches(&target("file:./test.db")));
        assert!(!entry(Some("localhost"), None).matches(&target("file:./test.db")));
    }
}
