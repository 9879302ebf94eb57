//! Reading what we need from `prisma.config.ts` and `schema.prisma` without running them.
//!
//! prisma.config.ts is TypeScript; we read the common shapes (`schema: "..."`,
//! `datasource: { url: env("X") }`, `process.env.X`, string literals). Anything else is
//! reported, never guessed: the caller fails closed and asks for `--url`.

use std::sync::OnceLock;

use regex_lite::Regex;

/// Where a datasource URL comes from, as written in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlExpr {
    Env(String),
    Literal(String),
    /// An expression we cannot evaluate, kept for the error message.
    Unknown(String),
}

pub use super::js_text::strip_comments;
use super::js_text::{at_top_level, balanced_args, code_chars, re, split_top_level};
use super::run_dependent::reaches_the_environment;
pub use super::run_dependent::run_dependent_tree;

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
    /// `migrations: { path: "..." }`, as written (relative to the config's folder).
    pub migrations_path: Option<String>,
    /// `migrations: { path: <an expression> }` this reading cannot evaluate, as written.
    pub migrations_path_unknown: Option<String>,
    pub datasource_url: Option<UrlExpr>,
    /// The `.env` files it loads through dotenv, in the order they run.
    pub env_loads: Vec<EnvLoad>,
    /// Something in the file that may change the environment in a way this reader does not
    /// follow (another loader, an import of a local module, an assignment to `process.env`).
    pub unknown_env: Option<String>,
}

/// One dotenv call: `import "dotenv/config"` (`paths` empty: `DOTENV_CONFIG_PATH`, else
/// `.env` in the working directory) or `config({ path, override })`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EnvLoad {
    pub paths: Vec<String>,
    pub override_: Option<bool>,
    /// `import "dotenv/config"` (reads DOTENV_CONFIG_PATH in every dotenv version), not a call.
    pub side_effect_import: bool,
}

/// Modules a config may import without changing the environment behind our back.
const KNOWN_MODULES: &[&str] = &[
    "prisma/config",
    "@prisma/config",
    "dotenv",
    "dotenv/config",
    "dotenv/config.js",
    "path",
    "node:path",
    "url",
    "node:url",
    "process",
    "node:process",
    "fs",
    "node:fs",
];

pub fn parse_config_ts(src: &str) -> ConfigTs {
    static SCHEMA: OnceLock<Regex> = OnceLock::new();
    static JOIN: OnceLock<Regex> = OnceLock::new();
    static DS: OnceLock<Regex> = OnceLock::new();
    static URL: OnceLock<Regex> = OnceLock::new();
    // Quoted and computed keys are the same keys: `"path": ...`, `'migrations': {...}`,
    // `['path']: ...`.
    static QUOTED_KEY: OnceLock<Regex> = OnceLock::new();
    let src = strip_comments(src);
    // Regex searches cost more than a look for the words they need: each runs only when its
    // words are there (the agent hook reads this file on every line that may touch a file).
    let quoted_key = ["migrations", "path", "schema"]
        .iter()
        .any(|k| ['"', '\'', '`'].iter().any(|q| src.contains(&format!("{q}{k}{q}"))));
    let src = if quoted_key {
        re(&QUOTED_KEY, r#"(?:\[\s*)?["'`](migrations|path|schema)["'`](?:\s*\])?\s*:"#)
            .replace_all(&src, "$1:")
            .into_owned()
    } else {
        src
    };
    let mut out = ConfigTs::default();
    if let Some(c) = re(&SCHEMA, r#"(?m)\bschema\s*:\s*["'`]([^"'`]+)["'`]"#).captures(&src) {
        out.schema = Some(c[1].to_string());
    } else if let Some(c) = (src.contains("path.join") || src.contains("path.resolve"))
        .then(|| {
            re(&JOIN, r#"\bschema\s*:\s*path\.(?:join|resolve)\(\s*((?:(?:__dirname|["'`][^"'`]*["'`])\s*,?\s*)+)\)"#)
                .captures(&src)
        })
        .flatten()
    {
        let parts: Vec<String> = c[1]
            .split(',')
            .map(|p| p.trim().trim_matches(|ch| ch == '"' || ch == '\'' || ch == '`').to_string())
            .filter(|p| !p.is_empty() && p != "__dirname")
            .collect();
        out.schema = Some(parts.join("/"));
    }
    static MIGRATIONS: OnceLock<Regex> = OnceLock::new();
    static JOINED: OnceLock<Regex> = OnceLock::new();
    static OBJECT: OnceLock<Regex> = OnceLock::new();
    static MENTION: OnceLock<Regex> = OnceLock::new();
    // `migrations: { path }`, or the object a shorthand `migrations` names (`const migrations
    // = { path: ... }; defineConfig({ migrations })`).
    let names_migrations = src.contains("migrations");
    if let Some(c) =
        names_migrations.then(|| re(&MIGRATIONS, r"\bmigrations\s*[:=]\s*\{[^}]*?\bpath\s*:\s*").find(&src)).flatten()
    {
        let rest = &src[c.end()..];
        // The expression: to the `,` or `}` that ends it at its own level.
        let mut depth = 0i32;
        let mut end = rest.len();
        for (i, ch) in code_chars(rest) {
            match ch {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth > 0 => depth -= 1,
                ',' | '}' | '\n' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let expr = rest[..end].trim();
        let literal = |t: &str| {
            let t = t.trim();
            let q = t.chars().next().filter(|q| matches!(q, '"' | '\'' | '`'))?;
            let inner = t.strip_prefix(q)?.strip_suffix(q)?;
            let interpolated = q == '`' && inner.contains("${");
            (!inner.contains(q) && !interpolated).then(|| inner.to_string())
        };
        let joined = re(&JOINED, r"^path\.(?:join|resolve)\((.*)\)$").captures(expr).and_then(|c| {
            let parts: Option<Vec<String>> = c[1]
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty() && *p != "__dirname" && *p != "import.meta.dirname")
                .map(literal)
                .collect();
            parts.map(|p| p.join("/"))
        });
        match literal(expr).or(joined) {
            Some(path) => out.migrations_path = Some(path),
            None => out.migrations_path_unknown = Some(expr.to_string()),
        }
    } else if names_migrations && re(&MENTION, r"(?:^|[\s,{(])migrations\s*[:,}=]").is_match(&src) {
        // `migrations` given some other way (a variable, a spread, a call): where its path
        // points cannot be read without running the config, so fail closed.
        let object = re(&OBJECT, r"\bmigrations\s*[:=]\s*\{([^}]*)\}").captures(&src);
        let plain_object = object.is_some_and(|c| !c[1].contains("..."));
        if !plain_object {
            out.migrations_path_unknown = Some("migrations".to_string());
        }
    }
    let mut url_at = None;
    if let Some(ds) = re(&DS, r"\bdatasource\s*:\s*\{").find(&src) {
        let body = &src[ds.end()..];
        if let Some(c) = re(&URL, r#"\burl\s*:\s*([^,}\n]+)"#).captures(body) {
            out.datasource_url = Some(parse_url_expr(&c[1]));
            url_at = Some(ds.start());
        }
    }
    read_env_loads(&src, url_at, &mut out);
    out
}

/// The dotenv loads and anything else that may touch the environment. ES imports run before
/// the module body, so `import "dotenv/config"` comes before every `config()` call.
///
/// `url_at`: where the datasource URL is read. A `config({ override: true })` after it sets a
/// value the URL never saw; prisma-guard hands Prisma the final values, and the override
/// would then change what the URL reads in Prisma's run: not followed.
fn read_env_loads(src: &str, url_at: Option<usize>, out: &mut ConfigTs) {
    static IMPORT: OnceLock<Regex> = OnceLock::new();
    static CALL: OnceLock<Regex> = OnceLock::new();
    static ASSIGN: OnceLock<Regex> = OnceLock::new();
    let mut unknown = Vec::new();
    let imports = re(
        &IMPORT,
        r#"(?:\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?|\brequire\s*\(\s*|\bimport\s*\(\s*)["'`]([^"'`]+)["'`]"#,
    );
    for c in imports.captures_iter(src) {
        let module = &c[1];
        if module.starts_with("dotenv/config") {
            out.env_loads.push(EnvLoad { side_effect_import: true, ..EnvLoad::default() });
        } else if !KNOWN_MODULES.contains(&module) {
            unknown.push(format!("imports `{module}`"));
        }
    }
    let calls = re(&CALL, r"(?:\b(?:dotenv|\))\s*\.\s*|\b)(config|configDotenv)\s*\(");
    // `config(`, `config (`, `configDotenv(`: only then is there a call to look at.
    let calls_config = src.match_indices("config").any(|(i, w)| {
        let rest = src[i + w.len()..].trim_start_matches("Dotenv");
        rest.trim_start().starts_with('(')
    });
    for m in calls_config.then(|| calls.captures_iter(src)).into_iter().flatten() {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        let word_start = m.get(1).map_or(whole.start, |g| g.start());
        if !at_top_level(src, word_start) {
            unknown.push("calls dotenv's config() conditionally or inside a function".into());
            continue;
        }
        let args_start = whole.end;
        let Some(args) = balanced_args(&src[args_start..]) else {
            unknown.push("calls dotenv's config() with arguments it cannot read".into());
            continue;
        };
        match parse_config_args(args) {
            Some(load) if load.override_ == Some(true) && url_at.is_some_and(|at| word_start > at) => {
                unknown.push("calls dotenv's config() with `override` after the datasource URL is read".into());
                out.env_loads.push(load);
            }
            Some(load) => out.env_loads.push(load),
            None => unknown.push(format!("calls config({}) with options prisma-guard cannot evaluate", args.trim())),
        }
    }
    if (src.contains("process") || src.contains("assign") || src.contains("delete")) && re(&ASSIGN, r#"process\.env(?:\.\w+|\[[^\]]+\])\s*(?:=[^=]|\?\?=|\|\|=)|Object\.assign\(\s*process\.env|\bdelete\s+process\.env"#)
        .is_match(src)
    {
        unknown.push("changes process.env itself".into());
    }
    if let Some(why) = reaches_the_environment(src) {
        unknown.push(why);
    }
    if !unknown.is_empty() {
        out.unknown_env = Some(unknown.join("; "));
    }
}

/// `{ path: "a" }`, `{ path: ["a", "b"], override: true, quiet: true }`, or nothing.
fn parse_config_args(args: &str) -> Option<EnvLoad> {
    static STRING: OnceLock<Regex> = OnceLock::new();
    let args = args.trim();
    let mut load = EnvLoad::default();
    if args.is_empty() {
        return Some(load);
    }
    let body = args.strip_prefix('{')?.trim_end().strip_suffix('}')?;
    let string = re(&STRING, r#"^\s*(?:"([^"\\]*)"|'([^'\\]*)'|`([^`\\$]*)`)\s*$"#);
    let lit = |v: &str| -> Option<String> {
        let c = string.captures(v)?;
        c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)).map(|m| m.as_str().to_string())
    };
    for part in split_top_level(body) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (key, value) = part.split_once(':')?;
        let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
        let value = value.trim();
        match key {
            "path" => {
                if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                    for item in split_top_level(list) {
                        if !item.trim().is_empty() {
                            load.paths.push(lit(item)?);
                        }
                    }
                } else {
                    load.paths.push(lit(value)?);
                }
            }
            "override" => load.override_ = Some(parse_bool(value)?),
            "quiet" | "debug" => {}
            "encoding"
                if lit(value).is_some_and(|e| e.eq_ignore_ascii_case("utf8") || e.eq_ignore_ascii_case("utf-8")) => {}
            _ => return None,
        }
    }
    Some(load)
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// What a schema.prisma datasource block says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Datasource {
    pub provider: Option<String>,
    pub url: Option<UrlExpr>,
    /// `schemas = ["app", "audit"]`: the PostgreSQL schemas Prisma manages (multiSchema).
    pub schemas: Vec<String>,
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
    static SCHEMAS: OnceLock<Regex> = OnceLock::new();
    static ITEM: OnceLock<Regex> = OnceLock::new();
    let schemas = re(&SCHEMAS, r"(?m)^\s*schemas\s*=\s*\[([^\]]*)\]")
        .captures(body)
        .map(|c| re(&ITEM, r#""([^"]+)""#).captures_iter(&c[1]).map(|i| i[1].to_string()).collect())
        .unwrap_or_default();
    Some(Datasource { provider, url, schemas })
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
        assert_eq!(c.migrations_path.as_deref(), Some("prisma/migrations"));
        let joined = parse_config_ts(
            "export default defineConfig({ migrations: { seed: 'x', path: path.join(__dirname, 'db', 'migration') } })",
        );
        assert_eq!(joined.migrations_path.as_deref(), Some("db/migration"));
        assert_eq!(c.datasource_url, Some(UrlExpr::Env("DATABASE_URL".into())));
        assert_eq!(c.env_loads, vec![EnvLoad { side_effect_import: true, ..EnvLoad::default() }]);
        assert_eq!(c.unknown_env, None);
    }

    /// Review (issue 22, second round): quoted and computed keys, and a shorthand
    /// `migrations` naming an object, are read; a `migrations` this reading cannot follow is
    /// unknown, never "no path".
    #[test]
    fn migrations_path_in_every_spelling_of_the_key() {
        for src in [
            r#"export default defineConfig({ migrations: { "path": "prisma/hist" } })"#,
            r#"export default defineConfig({ 'migrations': { path: 'prisma/hist' } })"#,
            r#"export default defineConfig({ migrations: { ['path']: "prisma/hist" } })"#,
            r#"export default defineConfig({ "migrations": { "path": `prisma/hist` } })"#,
            "const migrations = {path:'prisma/hist'};\nexport default { schema: 'prisma/schema.prisma', migrations };",
        ] {
            let c = parse_config_ts(src);
            assert_eq!(c.migrations_path.as_deref(), Some("prisma/hist"), "{src}");
        }
        for src in [
            "import m from './m';\nexport default defineConfig({ migrations: m })",
            "const base = { path: 'x' };\nexport default defineConfig({ migrations: { ...base } })",
            "export default defineConfig({ migrations: makeMigrations() })",
        ] {
            let c = parse_config_ts(src);
            assert!(c.migrations_path.is_none() && c.migrations_path_unknown.is_some(), "{src}: {c:?}");
        }
        let seed_only = parse_config_ts("export default defineConfig({ migrations: { seed: 'tsx seed.ts' } })");
        assert_eq!((seed_only.migrations_path, seed_only.migrations_path_unknown), (None, None));
        let in_a_string = parse_config_ts("export default defineConfig({ schema: 'db/migrations/schema.prisma' })");
        assert_eq!(in_a_string.migrations_path_unknown, None);
    }

    #[test]
    fn dotenv_calls_are_read_and_anything_else_is_unknown() {
        let c = parse_config_ts(
            "import { config } from 'dotenv';\nimport { defineConfig, env } from 'prisma/config';\nconfig({ path: ['.env.local', \".env\"], quiet: true });\nexport default defineConfig({ datasource: { url: env('DATABASE_URL') } });\n",
        );
        assert_eq!(
            c.env_loads,
            vec![EnvLoad { paths: vec![".env.local".into(), ".env".into()], ..EnvLoad::default() }]
        );
        assert_eq!(c.unknown_env, None);
        let c =
            parse_config_ts("import dotenv from 'dotenv';\ndotenv.config({ path: '.env.test', override: true });\n");
        assert_eq!(
            c.env_loads,
            vec![EnvLoad { paths: vec![".env.test".into()], override_: Some(true), side_effect_import: false }]
        );
        let c = parse_config_ts("require('dotenv').config();\n");
        assert_eq!(c.env_loads, vec![EnvLoad::default()]);
        for src in [
            "import { config } from 'dotenv';\nif (process.env.CI) config({ path: '.env.ci' });\n",
            "import { config } from 'dotenv';\nif (process.env.CI) {\n  config({ path: '.env.ci' });\n}\n",
            "import { config } from 'dotenv';\nconst local = false;\nlocal && config({ path: '.env.local' });\n",
            "import { config } from 'dotenv';\nfunction load() { config({ path: '.env.x' }); }\n",
            "import { config } from 'dotenv';\nconfig({ path: process.env.ENV_FILE });\n",
            "import './load-env';\n",
            "import { loadEnvConfig } from '@next/env';\n",
            "process.env.DATABASE_URL = 'postgresql://x/y';\n",
            "import 'dotenv-flow/config';\n",
            "const { env: E } = process; E.DATABASE_URL = 'postgresql://x/real';\n",
            "const pr = process; pr.env.DATABASE_URL = 'x';\n",
            "Reflect.set(process.env, 'DATABASE_URL', 'x');\n",
            "new Function('p', 'p.env.DATABASE_URL = 1')(process);\n",
            "globalThis.process.env.DATABASE_URL = 'x';\n",
            "const u = `${(process.env.DATABASE_URL = 'x')}`;\n",
            "eval('1');\n",
        ] {
            assert!(parse_config_ts(src).unknown_env.is_some(), "{src}");
        }
        assert_eq!(parse_config_ts("export default defineConfig({ datasource: { url: env('X') } })").unknown_env, None);
        // Reading one variable is fine, as are words in strings and comments.
        let reads = "import 'dotenv/config';\nconst shadow = process.env.SHADOW_URL;\nconst x = process.env['X'];\nconst note = 'process';\nexport default defineConfig({ datasource: { url: env('X') } });\n";
        assert_eq!(parse_config_ts(reads).unknown_env, None);
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
        let multi =
            parse_datasource("datasource db {\n  provider = \"postgresql\"\n  schemas  = [\"app\", \"audit\"]\n}\n")
                .unwrap();
        assert_eq!(multi.schemas, vec!["app".to_string(), "audit".to_string()]);
        assert_eq!(parse_datasource("model A { id Int @id }"), None);
    }
}
