//! Reading what we need from `prisma.config.ts` and `schema.prisma` without running them.
//!
//! prisma.config.ts is TypeScript; we read the common shapes (`schema: "..."`,
//! `datasource: { url: env("X") }`, `process.env.X`, string literals). Anything else is
//! reported, never guessed: the caller fails closed and asks for `--url`.

use std::sync::OnceLock;

use regex::Regex;

/// Where a datasource URL comes from, as written in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlExpr {
    Env(String),
    Literal(String),
    /// An expression we cannot evaluate, kept for the error message.
    Unknown(String),
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

/// Remove `//` and `/* */` comments outside string literals.
pub fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => {
                quote = Some(c);
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Parse a URL expression: `env("X")`, `process.env.X`, `"literal"`.
pub fn parse_url_expr(expr: &str) -> UrlExpr {
    static ENV: OnceLock<Regex> = OnceLock::new();
    static PROCESS: OnceLock<Regex> = OnceLock::new();
    static LIT: OnceLock<Regex> = OnceLock::new();
    let expr = expr.trim().trim_end_matches(',').trim();
    if let Some(c) = re(&ENV, r#"^env\s*(?:<[^>]*>)?\(\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\)$"#).captures(expr) {
        return UrlExpr::Env(c[1].to_string());
    }
    if let Some(c) = re(&PROCESS, r#"^process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\])\s*(?:!|\?\?\s*["'`]{2}|as\s+string)?$"#).captures(expr) {
        let name = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        return UrlExpr::Env(name.to_string());
    }
    if let Some(c) = re(&LIT, r#"^"([^"]*)"$|^'([^']*)'$"#).captures(expr) {
        let v = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        return UrlExpr::Literal(v.to_string());
    }
    UrlExpr::Unknown(expr.to_string())
}

/// What prisma.config.ts says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConfigTs {
    pub schema: Option<String>,
    pub datasource_url: Option<UrlExpr>,
    /// True when the file imports `dotenv/config` (or calls dotenv's `config()`).
    pub loads_dotenv: bool,
}

pub fn parse_config_ts(src: &str) -> ConfigTs {
    static SCHEMA: OnceLock<Regex> = OnceLock::new();
    static JOIN: OnceLock<Regex> = OnceLock::new();
    static DS: OnceLock<Regex> = OnceLock::new();
    static URL: OnceLock<Regex> = OnceLock::new();
    let src = strip_comments(src);
    let mut out = ConfigTs { loads_dotenv: src.contains("dotenv"), ..ConfigTs::default() };
    if let Some(c) = re(&SCHEMA, r#"(?m)\bschema\s*:\s*["'`]([^"'`]+)["'`]"#).captures(&src) {
        out.schema = Some(c[1].to_string());
    } else if let Some(c) =
        re(&JOIN, r#"\bschema\s*:\s*path\.(?:join|resolve)\(\s*((?:(?:__dirname|["'`][^"'`]*["'`])\s*,?\s*)+)\)"#)
            .captures(&src)
    {
        let parts: Vec<String> = c[1]
            .split(',')
            .map(|p| p.trim().trim_matches(|ch| ch == '"' || ch == '\'' || ch == '`').to_string())
            .filter(|p| !p.is_empty() && p != "__dirname")
            .collect();
        out.schema = Some(parts.join("/"));
    }
    if let Some(ds) = re(&DS, r"\bdatasource\s*:\s*\{").find(&src) {
        let body = &src[ds.end()..];
        if let Some(c) = re(&URL, r#"\burl\s*:\s*([^,}\n]+)"#).captures(body) {
            out.datasource_url = Some(parse_url_expr(&c[1]));
        }
    }
    out
}

/// What a schema.prisma datasource block says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Datasource {
    pub provider: Option<String>,
    pub url: Option<UrlExpr>,
}

/// Find the `datasource` block in schema text.
pub fn parse_datasource(src: &str) -> Option<Datasource> {
    static BLOCK: OnceLock<Regex> = OnceLock::new();
    static PROVIDER: OnceLock<Regex> = OnceLock::new();
    static URL: OnceLock<Regex> = OnceLock::new();
    let src = strip_comments(src);
    let block = re(&BLOCK, r"(?s)\bdatasource\s+\w+\s*\{(.*?)\}").captures(&src)?;
    let body = &block[1];
    let provider = re(&PROVIDER, r#"(?m)^\s*provider\s*=\s*"([^"]+)""#).captures(body).map(|c| c[1].to_string());
    let url = re(&URL, r"(?m)^\s*url\s*=\s*(.+?)\s*$").captures(body).map(|c| parse_url_expr(&c[1]));
    Some(Datasource { provider, url })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prisma7_config() {
        let src = r#"
import "dotenv/config";
import { defineConfig, env } from "prisma/config";
// schema: "wrong.prisma",
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
  datasource: {
    url: env("DATABASE_URL"),
  },
});
"#;
        let c = parse_config_ts(src);
        assert_eq!(c.schema.as_deref(), Some("prisma/schema.prisma"));
        assert_eq!(c.datasource_url, Some(UrlExpr::Env("DATABASE_URL".into())));
        assert!(c.loads_dotenv);
    }

    #[test]
    fn url_expressions() {
        assert_eq!(parse_url_expr("env('DB')"), UrlExpr::Env("DB".into()));
        assert_eq!(parse_url_expr("env<Env>(\"DB\")"), UrlExpr::Env("DB".into()));
        assert_eq!(parse_url_expr("process.env.DIRECT_URL!"), UrlExpr::Env("DIRECT_URL".into()));
        assert_eq!(parse_url_expr("process.env[\"X\"] ?? \"\""), UrlExpr::Env("X".into()));
        assert_eq!(parse_url_expr("\"file:./dev.db\""), UrlExpr::Literal("file:./dev.db".into()));
        assert!(matches!(parse_url_expr("getUrl()"), UrlExpr::Unknown(_)));
    }

    #[test]
    fn path_join_schema() {
        let c = parse_config_ts("export default { schema: path.join(__dirname, 'prisma', 'schema') }");
        assert_eq!(c.schema.as_deref(), Some("prisma/schema"));
    }

    #[test]
    fn schema_datasource() {
        let src = "generator client {\n provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"postgresql\" // pg\n  url      = env(\"DATABASE_URL\")\n  directUrl = env(\"DIRECT_URL\")\n}\n";
        let d = parse_datasource(src).unwrap();
        assert_eq!(d.provider.as_deref(), Some("postgresql"));
        assert_eq!(d.url, Some(UrlExpr::Env("DATABASE_URL".into())));
        let p7 = parse_datasource("datasource db {\n  provider = \"sqlite\"\n}\n").unwrap();
        assert_eq!(p7.url, None);
        assert_eq!(parse_datasource("model A { id Int @id }"), None);
    }
}
