//! Prisma configs the scanner finds other than by their standard names: a config a package
//! script names with `--config` (`prisma migrate dev --config prisma.pg.config.ts`), and the
//! `migrations` a config takes from a shared base it spreads in (`{ ...base, datasource }`),
//! read statically as the config itself is.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

use crate::config::lexical_normalize;
use crate::project::prisma_files::{parse_config_ts, strip_comments};

/// How many spread bases deep a config is followed.
const MAX_DEPTH: usize = 4;

/// The config files the prisma commands of a package.json's scripts name with `--config`
/// (`--config FILE`, `--config=FILE`), repository-relative: relative to the package's folder,
/// where npm runs its scripts. `pkg_rel`: the package.json's repository-relative path.
pub fn script_configs(pkg_rel: &str, text: &str) -> Vec<String> {
    if !text.contains("--config") {
        return Vec::new();
    }
    if !super::prisma_dirs::is_package(pkg_rel) {
        return command_file_configs(pkg_rel, text);
    }
    let Ok(json) = serde_json::from_str::<serde_json::Value>(super::extract::strip_bom(text)) else {
        return Vec::new();
    };
    let dir = Path::new(pkg_rel).parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    let scripts = json.get("scripts").and_then(serde_json::Value::as_object);
    for script in scripts.into_iter().flat_map(|s| s.values()).filter_map(serde_json::Value::as_str) {
        if !script.contains("prisma") {
            continue;
        }
        let words: Vec<&str> = script.split_whitespace().collect();
        for (k, w) in words.iter().enumerate() {
            let value = match w.strip_prefix("--config=") {
                Some(v) => Some(v),
                None if *w == "--config" => words.get(k + 1).copied(),
                None => None,
            };
            let Some(v) = value.map(|v| v.trim_matches(|c| c == '"' || c == '\'')) else { continue };
            if v.is_empty() || v.starts_with('/') || v.contains('$') {
                continue;
            }
            let rel = lexical_normalize(&dir.join(v)).to_string_lossy().replace('\\', "/");
            if !rel.is_empty() && !rel.starts_with("..") && !out.contains(&rel) {
                out.push(rel);
            }
        }
    }
    out
}

/// The configs a command file (a CI workflow, a Makefile, a shell script, a Dockerfile)
/// names with `--config` on a line that runs prisma: relative to the file's folder and to the
/// repository's root (where CI jobs run), whichever of them is there (the caller reads each).
fn command_file_configs(rel: &str, text: &str) -> Vec<String> {
    let dir = Path::new(rel).parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.contains("prisma") && l.contains("--config")) {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
            .filter(|w| !w.is_empty())
            .collect();
        for (k, w) in words.iter().enumerate() {
            let w = w.trim_matches(|c| c == '"' || c == '\'');
            let value = match w.strip_prefix("--config=") {
                Some(v) => Some(v),
                None if w == "--config" => words.get(k + 1).copied(),
                None => None,
            };
            let Some(v) = value.map(|v| v.trim_matches(|c| c == '"' || c == '\'' || c == ';')) else { continue };
            if v.is_empty() || v.starts_with('/') || v.contains('$') || v.starts_with('-') {
                continue;
            }
            for base in [dir, Path::new("")] {
                let rel = lexical_normalize(&base.join(v)).to_string_lossy().replace('\\', "/");
                if !rel.is_empty() && !rel.starts_with("..") && !out.contains(&rel) {
                    out.push(rel);
                }
            }
        }
    }
    out
}

/// The `migrations.path` a config (`rel`, `text`) takes from a base it spreads in or passes
/// whole (`{ ...base }`, `defineConfig(base)`), when the base is a file of the project
/// (`read` reads one, repository-relative): `Ok(None)` when no spread base names one. An
/// error when a spread comes from a package or a file that cannot be read: where its
/// migrations are cannot be told.
pub fn spread_migrations(
    rel: &str,
    text: &str,
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, String> {
    follow(rel, text, read, 0)
}

fn follow(
    rel: &str,
    text: &str,
    read: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Result<Option<String>, String> {
    let src = strip_comments(text);
    let bindings = imports(&src);
    let dir = Path::new(rel).parent().unwrap_or(Path::new(""));
    for (shown, name) in spreads(&src) {
        let Some(module) = bindings.get(&name) else { continue };
        if matches!(module.as_str(), "prisma/config" | "@prisma/config") {
            continue;
        }
        let cannot = |why: &str| format!("`{shown}` from \"{module}\"{why}");
        if !(module.starts_with("./") || module.starts_with("../")) || depth >= MAX_DEPTH {
            return Err(cannot(""));
        }
        let base = lexical_normalize(&dir.join(module)).to_string_lossy().replace('\\', "/");
        let found = ["", ".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", "/index.ts", "/index.js"]
            .iter()
            .find_map(|ext| read(&format!("{base}{ext}")).map(|t| (format!("{base}{ext}"), t)));
        let Some((base_rel, base_text)) = found else {
            return Err(cannot(", which cannot be read"));
        };
        let parsed = parse_config_ts(&base_text);
        if parsed.migrations_path_unknown.is_some() {
            return Err(cannot(", whose `migrations` is not written as `{ path: \"...\" }`"));
        }
        if let Some(path) = parsed.migrations_path {
            return Ok(Some(path));
        }
        if let Some(path) = follow(&base_rel, &base_text, read, depth + 1)? {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

/// Names bound by imports and requires, and the module each comes from.
fn imports(src: &str) -> BTreeMap<String, String> {
    static IMPORT: OnceLock<Regex> = OnceLock::new();
    static REQUIRE: OnceLock<Regex> = OnceLock::new();
    let mut out = BTreeMap::new();
    let mut bind = |clause: &str, module: &str| {
        for part in clause.split([',', '{', '}']) {
            let name = part.split_whitespace().last().unwrap_or("").trim_start_matches('*');
            if !name.is_empty() && name != "type" {
                out.insert(name.to_string(), module.to_string());
            }
        }
    };
    for c in re(&IMPORT, r#"import\s+([\w\s,{}*$]+?)\s+from\s*["']([^"']+)["']"#).captures_iter(src) {
        bind(&c[1], &c[2]);
    }
    let require =
        r#"(?:const|let|var)\s+([\w$]+|\{[^}]*\})\s*=\s*(?:await\s+import|require)\(\s*["']([^"']+)["']\s*\)"#;
    for c in re(&REQUIRE, require).captures_iter(src) {
        bind(&c[1], &c[2]);
    }
    out
}

/// What a config spreads in or passes whole: (as written, the binding it starts with).
/// `...require("./base")` is bound to its own module.
fn spreads(src: &str) -> Vec<(String, String)> {
    static SPREAD: OnceLock<Regex> = OnceLock::new();
    static WHOLE: OnceLock<Regex> = OnceLock::new();
    let mut out: Vec<(String, String)> = re(&SPREAD, r"\.\.\.\s*\(?\s*(?:await\s+)?([\w$]+)")
        .captures_iter(src)
        .map(|c| (c[0].to_string(), c[1].to_string()))
        .collect();
    out.extend(
        re(&WHOLE, r"(?:defineConfig\(\s*|export\s+default\s+)([\w$]+)\s*[,)\n;]")
            .captures_iter(src)
            .map(|c| (c[1].to_string(), c[1].to_string())),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_named_by_scripts_are_relative_to_the_package() {
        let pkg = r#"{"scripts": {"migrate": "prisma migrate dev --config prisma.pg.config.ts", "b": "prisma db push --config=./cfg/b.ts", "c": "echo --config x"}}"#;
        assert_eq!(
            script_configs("packages/db/package.json", pkg),
            vec!["packages/db/prisma.pg.config.ts", "packages/db/cfg/b.ts"]
        );
        assert!(script_configs("package.json", "{\"scripts\": {\"a\": \"prisma migrate dev\"}}").is_empty());
    }

    #[test]
    fn spread_bases_are_followed_or_refused() {
        let files: BTreeMap<&str, &str> = [
            ("db/prisma.base.ts", "export default { migrations: { path: \"db/pg\" } };"),
            ("db/mid.ts", "import base from './prisma.base';\nexport const mid = { ...base };"),
        ]
        .into();
        let read = |p: &str| files.get(p).map(|t| t.to_string());
        let spread = "import base from \"./prisma.base\";\nexport default defineConfig({ ...base, datasource: {} });";
        assert_eq!(spread_migrations("db/prisma.config.ts", spread, &read), Ok(Some("db/pg".into())));
        let chained = "import { mid } from './mid';\nexport default defineConfig(mid);";
        assert_eq!(spread_migrations("db/prisma.config.ts", chained, &read), Ok(Some("db/pg".into())));
        let package = "import base from \"@acme/base\";\nexport default defineConfig({ ...base });";
        assert!(spread_migrations("prisma.config.ts", package, &read).unwrap_err().contains("...base"));
        let missing = "import base from './nope';\nexport default { ...base };";
        assert!(spread_migrations("prisma.config.ts", missing, &read).is_err());
        let local = "const extra = { seed: 'x' };\nexport default defineConfig({ ...extra, schema: 'a' });";
        assert_eq!(spread_migrations("prisma.config.ts", local, &read), Ok(None));
    }
}
