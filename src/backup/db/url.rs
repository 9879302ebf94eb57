//! Prisma database URLs: parsing, redaction, and translation for the dump tools.
//!
//! Prisma's URLs are a superset of what libpq and the MySQL client accept: parameters such
//! as `?schema=public` or `connection_limit=5` make `pg_dump` fail with "invalid URI query
//! parameter". This module parses the URL once and hands each engine what it understands.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

/// The database engines prisma-guard can back up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Postgresql,
    Mysql,
    Sqlite,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Engine::Postgresql => "postgresql",
            Engine::Mysql => "mysql",
            Engine::Sqlite => "sqlite",
        })
    }
}

impl Engine {
    /// Map a Prisma `provider` name to an engine.
    pub fn from_provider(provider: &str) -> Result<Engine, UrlError> {
        match provider {
            "postgresql" | "postgres" => Ok(Engine::Postgresql),
            "mysql" => Ok(Engine::Mysql),
            "sqlite" => Ok(Engine::Sqlite),
            other => Err(UrlError::Unsupported(other.to_string())),
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("the database URL is empty")]
    Empty,
    #[error("cannot back up this provider yet: {0} (supported: postgresql, mysql, sqlite)")]
    Unsupported(String),
    #[error("the database URL is malformed: {0}")]
    Malformed(String),
}

/// A parsed database URL. The password is kept out of `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl {
    pub engine: Engine,
    scheme: String,
    pub user: Option<String>,
    password: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    /// Database name (server engines) or the path after `file:` (SQLite), decoded.
    pub database: String,
    /// Query parameters, decoded, in their original order.
    pub params: Vec<(String, String)>,
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({})", self.redacted())
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Parameters Prisma understands that libpq does not; they are dropped for `pg_dump`/`psql`.
const PRISMA_ONLY_PG: &[&str] = &[
    "schema",
    "connection_limit",
    "pool_timeout",
    "pgbouncer",
    "socket_timeout",
    "statement_cache_size",
    "sslaccept",
    "sslidentity",
    "sslpassword",
    "sslcert",
    "max_connection_lifetime",
    "max_idle_connection_lifetime",
    "single_use_connections",
];

/// libpq connection keywords that may appear in a URL query and are passed on unchanged.
/// Taken from the URL's query: only settings that do not change which server, database or
/// user the client reaches, except `host` (Prisma's own way to name a socket folder). Prisma
/// reads the rest from the URL itself and ignores them in the query (`?dbname=decoy` must not
/// send the backup elsewhere).
const LIBPQ_KEYWORDS: &[&str] = &[
    "host",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "requiressl",
    "sslcompression",
    "sslkey",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "target_session_attrs",
    "load_balance_hosts",
];

impl DbUrl {
    /// Parse a Prisma datasource URL.
    pub fn parse(raw: &str) -> Result<DbUrl, UrlError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(UrlError::Empty);
        }
        if let Some(rest) = raw.strip_prefix("file:") {
            return Ok(parse_sqlite(rest));
        }
        let Some((scheme, rest)) = raw.split_once("://") else {
            return Err(UrlError::Malformed("expected `postgresql://...`, `mysql://...` or `file:...`".into()));
        };
        let engine = match scheme.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" => Engine::Postgresql,
            "mysql" | "mariadb" => Engine::Mysql,
            other => return Err(UrlError::Unsupported(other.to_string())),
        };
        let (before_query, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match before_query.split_once('/') {
            Some((a, p)) => (a, p),
            None => (before_query, ""),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (u, p) = match info.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (info, None),
                };
                let user = decode(u).map_err(UrlError::Malformed)?;
                let password = p.map(decode).transpose().map_err(UrlError::Malformed)?;
                (Some(user).filter(|u| !u.is_empty()), password)
            }
        };
        let (host, port) = parse_hostport(hostport)?;
        let database = decode(path.trim_end_matches('/')).map_err(UrlError::Malformed)?;
        let params = parse_query(query.unwrap_or(""))?;
        Ok(DbUrl { engine, scheme: scheme.to_string(), user, password, host, port, database, params })
    }

    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The value of a query parameter (the last one wins, as in Prisma).
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The PostgreSQL schema Prisma uses (`?schema=`), if the URL names one.
    pub fn pg_schema(&self) -> Option<&str> {
        self.param("schema").filter(|s| !s.is_empty())
    }

    /// The URL with the password replaced by `****`: safe for logs, manifests and errors.
    pub fn redacted(&self) -> String {
        self.rebuild(false)
    }

    /// The URL with its password, for a child that must connect (Prisma, through its
    /// environment only: never argv, logs or messages).
    pub fn with_password(&self) -> String {
        self.rebuild(true)
    }

    /// The full URL with a different database name (for scratch databases).
    pub fn with_database(&self, database: &str) -> DbUrl {
        DbUrl { database: database.to_string(), ..self.clone() }
    }

    fn rebuild(&self, password: bool) -> String {
        if self.engine == Engine::Sqlite {
            let mut out = format!("file:{}", self.database);
            append_query(&mut out, &self.params);
            return out;
        }
        let mut out = format!("{}://", self.scheme);
        if let Some(user) = &self.user {
            out.push_str(&encode(user));
            match &self.password {
                Some(p) if password => out.push_str(&format!(":{}", encode(p).replace('/', "%2F"))),
                Some(_) => out.push_str(":****"),
                None => {}
            }
            out.push('@');
        }
        if let Some(host) = &self.host {
            if host.contains(':') {
                out.push_str(&format!("[{host}]"));
            } else {
                out.push_str(host);
            }
        }
        if let Some(port) = self.port {
            out.push_str(&format!(":{port}"));
        }
        out.push('/');
        out.push_str(&encode(&self.database));
        append_query(&mut out, &self.params);
        out
    }

    /// A libpq keyword/value connection string without the password, for `--dbname=`.
    ///
    /// Prisma-only parameters are dropped; Prisma's `sslcert` (the server CA) becomes
    /// libpq's `sslrootcert`; `sslaccept=accept_invalid_certs` becomes `sslmode=require`
    /// when no `sslmode` is given. Unknown parameters are returned so the caller can warn.
    pub fn libpq_conninfo(&self) -> (String, Vec<String>) {
        let mut parts: Vec<(String, String)> = Vec::new();
        let mut dropped = Vec::new();
        // Host, port and database always written out, with Prisma's defaults (localhost,
        // 5432, postgres): left out, libpq would take PGHOST/PGPORT/PGDATABASE from the
        // environment, and the guard would back up another server than the one Prisma
        // changes.
        parts.push(("host".into(), self.host.clone().unwrap_or_else(|| "localhost".into())));
        parts.push(("port".into(), self.port.unwrap_or(5432).to_string()));
        let database = if self.database.is_empty() { "postgres" } else { self.database.as_str() };
        parts.push(("dbname".into(), database.to_string()));
        if let Some(user) = &self.user {
            parts.push(("user".into(), user.clone()));
        }
        for (key, value) in &self.params {
            if LIBPQ_KEYWORDS.contains(&key.as_str()) {
                parts.retain(|(k, _)| k != key);
                parts.push((key.clone(), value.clone()));
            } else if key == "sslcert" && self.param("sslrootcert").is_none() {
                parts.push(("sslrootcert".into(), value.clone()));
            } else if key == "sslaccept" {
                if value == "accept_invalid_certs" && self.param("sslmode").is_none() {
                    parts.push(("sslmode".into(), "require".into()));
                }
            } else if !PRISMA_ONLY_PG.contains(&key.as_str()) {
                dropped.push(key.clone());
            }
        }
        let conninfo = parts.iter().map(|(k, v)| format!("{k}={}", quote_conninfo(v))).collect::<Vec<_>>().join(" ");
        (conninfo, dropped)
    }

    /// The host libpq will connect to, for the `.pgpass` line (a socket dir counts as host).
    pub fn pg_host(&self) -> String {
        self.param("host").map(str::to_string).or_else(|| self.host.clone()).unwrap_or_else(|| "localhost".into())
    }
}

fn parse_sqlite(rest: &str) -> DbUrl {
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q),
        None => (rest, ""),
    };
    // Prisma's engine strips `file:` and nothing else: `file://tmp/x.db` is
    // the absolute path `//tmp/x.db`, which POSIX systems read as `/tmp/x.db`.
    let path = if path.starts_with("//") { &path[path.len() - path.trim_start_matches('/').len() - 1..] } else { path };
    let params = parse_query(query).unwrap_or_default();
    DbUrl {
        engine: Engine::Sqlite,
        scheme: "file".into(),
        user: None,
        password: None,
        host: None,
        port: None,
        database: path.to_string(),
        params,
    }
}

impl DbUrl {
    /// The SQLite file path as written in the URL (relative paths not yet resolved).
    pub fn sqlite_path(&self) -> PathBuf {
        PathBuf::from(&self.database)
    }
}

fn parse_hostport(hostport: &str) -> Result<(Option<String>, Option<u16>), UrlError> {
    if hostport.is_empty() {
        return Ok((None, None));
    }
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let Some((h, after)) = rest.split_once(']') else {
            return Err(UrlError::Malformed("unclosed `[` in an IPv6 host".into()));
        };
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (hostport.to_string(), None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(p) => Some(
            p.parse::<u16>()
                .map_err(|_| UrlError::Malformed(format!("the port `{p}` is not a number from 1 to 65535")))?,
        ),
    };
    let host = decode(&host).map_err(UrlError::Malformed)?;
    Ok((Some(host).filter(|h| !h.is_empty()), port))
}

fn parse_query(query: &str) -> Result<Vec<(String, String)>, UrlError> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k).map_err(UrlError::Malformed)?, decode(v).map_err(UrlError::Malformed)?))
        })
        .collect()
}

/// The query, with the value of any parameter that may hold a secret (`?password=`,
/// `sslpassword`, `token` ...) written `****`: this builds the redacted URL only.
fn append_query(out: &mut String, params: &[(String, String)]) {
    for (i, (k, v)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&encode(k));
        out.push('=');
        out.push_str(&if is_secret_key(k) { "****".to_string() } else { encode(v) });
    }
}

/// Whether a URL query parameter may hold a secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["password", "passwd", "pass", "pwd", "secret", "token", "apikey", "api_key", "key"]
        .iter()
        .any(|s| k == *s || k.ends_with(s) || k.ends_with(&format!("_{s}")))
}

/// Percent-decode a URL component.
fn decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    "a `%` is not followed by two hex digits (percent-encode special characters in the password as %XX)"
                        .to_string()
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "a percent-encoded part is not valid UTF-8".to_string())
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn quote_conninfo(v: &str) -> String {
    if !v.is_empty() && !v.contains(|c: char| c.is_whitespace() || c == '\'' || c == '\\') {
        return v.to_string();
    }
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A URL as text for a message: redacted when it parses, else only its scheme (it may hold
/// a password prisma-guard cannot find).
pub fn describe_raw(raw: &str) -> String {
    match DbUrl::parse(raw) {
        Ok(u) => format!("`{}`", u.redacted()),
        Err(_) => format!("a {} URL", raw.split(':').next().unwrap_or("database")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(url: &str) -> DbUrl {
        DbUrl::parse(url).unwrap()
    }

    #[test]
    fn the_url_with_its_password_parses_back_to_the_same_password() {
        let u = pg("postgresql://app:p%2Fa%40s%3As@db:5432/shop_scratch?schema=public");
        let full = u.with_password();
        assert_eq!(DbUrl::parse(&full).unwrap().password(), Some("p/a@s:s"));
        assert!(!u.redacted().contains("p%2F"));
    }

    #[test]
    fn parses_a_typical_prisma_postgres_url() {
        let u = pg("postgresql://app:s3cr%40t@db.example.com:5433/shop?schema=public");
        assert_eq!(u.engine, Engine::Postgresql);
        assert_eq!(u.user.as_deref(), Some("app"));
        assert_eq!(u.password(), Some("s3cr@t"));
        assert_eq!(u.host.as_deref(), Some("db.example.com"));
        assert_eq!(u.port, Some(5433));
        assert_eq!(u.database, "shop");
        assert_eq!(u.pg_schema(), Some("public"));
    }

    #[test]
    fn query_secrets_are_hidden_in_the_redacted_url() {
        let u = DbUrl::parse("postgresql://app@h:5432/d?password=s3cret&sslpassword=k3y&schema=public").unwrap();
        let r = u.redacted();
        assert!(!r.contains("s3cret") && !r.contains("k3y"), "{r}");
        assert!(r.contains("schema=public"), "{r}");
    }

    #[test]
    fn redaction_hides_the_password_everywhere() {
        let u = pg("postgres://app:hunter2@localhost/db?sslmode=require");
        assert_eq!(u.redacted(), "postgres://app:****@localhost/db?sslmode=require");
        assert!(!format!("{u:?}").contains("hunter2"));
        assert!(!format!("{u}").contains("hunter2"));
        assert!(!u.libpq_conninfo().0.contains("hunter2"));
    }

    #[test]
    fn schema_param_is_stripped_for_libpq() {
        let (c, dropped) = pg("postgresql://u@h:5432/d?schema=public").libpq_conninfo();
        assert_eq!(c, "host=h port=5432 dbname=d user=u");
        assert!(dropped.is_empty());
    }

    #[test]
    fn each_prisma_only_param_is_stripped() {
        for p in [
            "connection_limit=5",
            "pool_timeout=10",
            "pgbouncer=true",
            "socket_timeout=3",
            "statement_cache_size=0",
            "sslidentity=id.p12",
            "sslpassword=x",
            "schema=app",
        ] {
            let (c, dropped) = pg(&format!("postgresql://u@h/d?{p}")).libpq_conninfo();
            assert_eq!(c, "host=h port=5432 dbname=d user=u", "param {p}");
            assert!(dropped.is_empty(), "param {p}");
        }
    }

    #[test]
    fn libpq_params_are_kept() {
        let (c, _) = pg("postgresql://u@h/d?sslmode=verify-full&sslrootcert=/ca.pem&application_name=x&connect_timeout=5&options=-c%20search_path%3Dapp&target_session_attrs=read-write").libpq_conninfo();
        assert_eq!(
            c,
            "host=h port=5432 dbname=d user=u sslmode=verify-full sslrootcert=/ca.pem application_name=x connect_timeout=5 options='-c search_path=app' target_session_attrs=read-write"
        );
    }

    #[test]
    fn prisma_sslcert_becomes_sslrootcert_and_sslaccept_maps_to_sslmode() {
        let (c, _) = pg("postgresql://u@h/d?sslcert=ca.pem&sslaccept=accept_invalid_certs").libpq_conninfo();
        assert_eq!(c, "host=h port=5432 dbname=d user=u sslrootcert=ca.pem sslmode=require");
        let (c, _) = pg("postgresql://u@h/d?sslmode=verify-ca&sslaccept=accept_invalid_certs").libpq_conninfo();
        assert_eq!(c, "host=h port=5432 dbname=d user=u sslmode=verify-ca");
    }

    #[test]
    fn unknown_params_are_dropped_and_reported() {
        let (c, dropped) = pg("postgresql://u@h/d?frobnicate=1").libpq_conninfo();
        assert_eq!(c, "host=h port=5432 dbname=d user=u");
        assert_eq!(dropped, vec!["frobnicate".to_string()]);
    }

    #[test]
    fn host_param_for_unix_sockets_overrides() {
        let u = pg("postgresql://u:p@localhost/d?host=/var/run/postgresql");
        let (c, _) = u.libpq_conninfo();
        assert_eq!(c, "port=5432 dbname=d user=u host=/var/run/postgresql");
        assert_eq!(u.pg_host(), "/var/run/postgresql");
    }

    #[test]
    fn ipv6_hosts_and_missing_parts() {
        let u = pg("postgresql://[::1]:5432/d");
        assert_eq!(u.host.as_deref(), Some("::1"));
        assert_eq!(u.redacted(), "postgresql://[::1]:5432/d");
        let u = pg("postgresql:///d");
        assert_eq!(u.host, None);
        assert_eq!(u.database, "d");
    }

    #[test]
    fn conninfo_values_are_quoted() {
        let u = pg("postgresql://u@h/my%20db");
        assert_eq!(u.libpq_conninfo().0, "host=h port=5432 dbname='my db' user=u");
    }

    #[test]
    fn malformed_urls_get_clear_errors() {
        assert_eq!(DbUrl::parse("  "), Err(UrlError::Empty));
        assert!(matches!(DbUrl::parse("localhost:5432/db"), Err(UrlError::Malformed(_))));
        assert!(matches!(DbUrl::parse("postgresql://u@h:99999/d"), Err(UrlError::Malformed(m)) if m.contains("99999")));
        assert!(
            matches!(DbUrl::parse("postgresql://u:p%zz@h/d"), Err(UrlError::Malformed(m)) if m.contains("percent"))
        );
        assert!(matches!(DbUrl::parse("postgresql://u@[::1/d"), Err(UrlError::Malformed(_))));
    }

    #[test]
    fn malformed_password_error_does_not_echo_the_password() {
        let err = DbUrl::parse("postgresql://u:topsecret%zz@h/d").unwrap_err();
        assert!(!err.to_string().contains("topsecret"));
    }

    #[test]
    fn unsupported_providers_are_named() {
        for (url, name) in [
            ("sqlserver://localhost:1433;database=x", "sqlserver"),
            ("mongodb+srv://u:p@cluster/db", "mongodb+srv"),
            ("prisma+postgres://accelerate.prisma-data.net/?api_key=x", "prisma+postgres"),
            ("mongodb://localhost/db", "mongodb"),
        ] {
            assert_eq!(DbUrl::parse(url), Err(UrlError::Unsupported(name.into())), "{url}");
        }
        assert_eq!(Engine::from_provider("cockroachdb"), Err(UrlError::Unsupported("cockroachdb".into())));
        let msg = UrlError::Unsupported("sqlserver".into()).to_string();
        assert!(msg.contains("cannot back up this provider yet"));
    }

    #[test]
    fn sqlite_urls() {
        let u = DbUrl::parse("file:./dev.db?connection_limit=1").unwrap();
        assert_eq!(u.engine, Engine::Sqlite);
        assert_eq!(u.sqlite_path(), PathBuf::from("./dev.db"));
        let u = DbUrl::parse("file://tmp/x.db").unwrap();
        assert_eq!(u.sqlite_path(), PathBuf::from("/tmp/x.db"), "file://tmp is absolute, as Prisma reads it");
        let u = DbUrl::parse("file:///tmp/x.db").unwrap();
        assert_eq!(u.sqlite_path(), PathBuf::from("/tmp/x.db"));
        let u = DbUrl::parse("file:/var/data/app.db").unwrap();
        assert_eq!(u.sqlite_path(), PathBuf::from("/var/data/app.db"));
    }

    #[test]
    fn mysql_urls() {
        let u = DbUrl::parse("mysql://root:pw@127.0.0.1:3306/shop?connection_limit=5&socket=/run/mysqld.sock").unwrap();
        assert_eq!(u.engine, Engine::Mysql);
        assert_eq!(u.param("socket"), Some("/run/mysqld.sock"));
        assert_eq!(u.redacted(), "mysql://root:****@127.0.0.1:3306/shop?connection_limit=5&socket=/run/mysqld.sock");
    }
}
