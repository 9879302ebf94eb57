//! Configs whose answer can change between two evaluations (prisma-guard's, by Prisma's own
//! loader, and Prisma's a moment later): code that reads how or when it runs, or touches files,
//! processes or the network, in `prisma.config.ts` and the project modules it imports. The
//! guard does not trust its loader's answer for such a config.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex_lite::Regex;

use super::js_text::{code_chars, re, strip_comments};

/// Code that can reach the environment in a way this reading cannot follow: `process` used
/// other than to read one variable (`process.env.X`, `process.env["X"]`), which covers
/// aliases (`const p = process`, `const { env } = process`) and `Reflect.set(process.env, ...)`;
/// and the ways to get at `process` or run code from text (`globalThis`, `eval`, `Function`,
/// `Reflect`, `Proxy`), also inside template literals.
pub(super) fn reaches_the_environment(src: &str) -> Option<String> {
    static WORDS: OnceLock<Regex> = OnceLock::new();
    static READ: OnceLock<Regex> = OnceLock::new();
    let words = re(&WORDS, r"\b(process|globalThis|global|eval|Function|Reflect|Proxy|module|__proto__)\b");
    let read = re(&READ, r#"^process\s*\.\s*env\s*(?:\.\s*[A-Za-z_$][\w$]*|\[\s*(?:"[^"]*"|'[^']*')\s*\])"#);
    let code: Vec<bool> = {
        let mut flags = vec![false; src.len() + 1];
        for (i, c) in code_chars(src) {
            flags[i..i + c.len_utf8()].iter_mut().for_each(|f| *f = true);
        }
        flags
    };
    // Template literal substitutions are code too.
    let in_template = |at: usize| src[..at].rfind("${").is_some_and(|open| !src[open..at].contains('}'));
    for m in words.find_iter(src) {
        if !code[m.start()] && !in_template(m.start()) {
            continue;
        }
        let word = m.as_str();
        // Only a property named so (`x.module`) is harmless.
        if src[..m.start()].trim_end().ends_with('.') && word != "process" {
            continue;
        }
        if word == "process" && read.is_match(&src[m.start()..]) {
            continue;
        }
        if word == "module" && module_exports(&src[m.start()..]) {
            continue;
        }
        return Some(format!("uses `{word}` in a way prisma-guard cannot follow without running it"));
    }
    None
}

/// `module.exports` at the start of `rest`: how a CommonJS config (`prisma.config.cjs`,
/// `.cts`, `.js`) hands its value over, the same in every evaluation (Prisma loads these
/// names as it loads `prisma.config.ts`). `module`'s other fields (`require`, `parent`,
/// `children`, `constructor`) stay refused.
fn module_exports(rest: &str) -> bool {
    static EXPORTS: OnceLock<Regex> = OnceLock::new();
    re(&EXPORTS, r"^module\s*\.\s*exports\b").is_match(rest)
}

/// Code whose value can differ between two evaluations of the config: prisma-guard's (by
/// Prisma's own loader, in a Node process of its own) and Prisma's a moment later. Such a
/// config can name one database to the guard and another to Prisma, so the guard does not
/// trust its loader's answer: `process` used for anything but reading variables, the working
/// folder, the platform or the arguments (`process.execArgv`, `pid`, `hrtime` ...), time and
/// chance (`Date`, `Math.random`, `performance`), stack traces, `require.main`, ways to run
/// text as code, and modules that touch files, processes or the network (a counter file
/// read and written by each evaluation).
pub fn run_dependent(src: &str) -> Option<String> {
    static WORDS: OnceLock<Regex> = OnceLock::new();
    static PROCESS: OnceLock<Regex> = OnceLock::new();
    static MODULES: OnceLock<Regex> = OnceLock::new();
    let src = strip_comments(src);
    let code: Vec<bool> = {
        let mut flags = vec![false; src.len() + 1];
        for (i, c) in code_chars(&src) {
            flags[i..i + c.len_utf8()].iter_mut().for_each(|f| *f = true);
        }
        flags
    };
    let in_template = |at: usize| src[..at].rfind("${").is_some_and(|open| !src[open..at].contains('}'));
    let words = re(
        &WORDS,
        r"\b(process|Date|Math\s*\.\s*random|performance|crypto|stack|require\s*\.\s*main|mainModule|module|globalThis|global|eval|Function|Reflect|Proxy|setTimeout|setInterval|setImmediate|queueMicrotask|fetch|Bun|Deno)\b",
    );
    let fine = re(&PROCESS, r"^process\s*\.\s*(?:env\b|cwd\s*\(\s*\)|platform\b|argv\b)");
    for m in words.find_iter(&src) {
        if !code[m.start()] && !in_template(m.start()) {
            continue;
        }
        if m.as_str() == "process" && fine.is_match(&src[m.start()..]) {
            continue;
        }
        if m.as_str() == "module" && module_exports(&src[m.start()..]) {
            continue;
        }
        if src[..m.start()].trim_end().ends_with('.') && m.as_str() != "stack" {
            continue;
        }
        return Some(format!("uses `{}`", m.as_str().split_whitespace().collect::<String>()));
    }
    // `node:process` imported: only its `env` is the same in both runs (`argv`, `mainModule`,
    // `execArgv`, `pid` ... tell the loader from Prisma).
    static PROCESS_IMPORT: OnceLock<Regex> = OnceLock::new();
    let process_import =
        re(&PROCESS_IMPORT, r#"(?:\bimport\s+([^;]*?)\s+from\s*|\brequire\s*\(\s*)["'`](?:node:)?process["'`]"#);
    for c in process_import.captures_iter(&src) {
        if !c.get(0).is_some_and(|m| code[m.start()]) {
            continue;
        }
        let only_env = c.get(1).is_some_and(|clause| {
            let clause = clause.as_str().trim();
            clause.strip_prefix('{').and_then(|r| r.strip_suffix('}')).is_some_and(|names| {
                names
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .all(|n| n == "env" || n.starts_with("env as "))
            })
        });
        if !only_env {
            return Some("imports `process`".into());
        }
    }
    static COMPUTED: OnceLock<Regex> = OnceLock::new();
    let computed = re(&COMPUTED, r#"\b(?:require|import)\s*\(\s*(?:[^"'`\s)]|`[^`]*\$\{)"#);
    if let Some(m) = computed.find_iter(&src).find(|m| code[m.start()]) {
        let what = if m.as_str().starts_with("require") { "require" } else { "import" };
        return Some(format!("calls `{what}()` with a computed module name"));
    }
    let modules = re(
        &MODULES,
        r#"(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(?\s*)["'`](?:node:)?(fs|fs/promises|child_process|os|net|http|https|http2|dgram|dns|worker_threads|cluster|crypto|vm|v8|perf_hooks|async_hooks|inspector|timers|readline|tty)["'`]"#,
    );
    modules.captures(&src).map(|c| format!("imports `{}`", &c[1]))
}

/// [`run_dependent`] over a config file and every module of the project it imports
/// (`./x`, `../x`, followed through their own imports): a first-run trick can hide in any of
/// them. A relative import that cannot be found or read counts as run-dependent too.
pub fn run_dependent_tree(file: &Path) -> Option<String> {
    static RELATIVE: OnceLock<Regex> = OnceLock::new();
    let relative = re(&RELATIVE, r#"(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(?\s*)["'`](\.{1,2}/[^"'`]*)["'`]"#);
    static BARE: OnceLock<Regex> = OnceLock::new();
    let bare = re(&BARE, r#"(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(?\s*)["'`]([^."'`/\s][^"'`\s]*)["'`]"#);
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![file.to_path_buf()];
    while let Some(f) = stack.pop() {
        if !seen.insert(f.clone()) {
            continue;
        }
        if seen.len() > 200 {
            return Some(format!("{} imports more than 200 modules", file.display()));
        }
        let Ok(text) = std::fs::read_to_string(&f) else {
            return Some(format!("imports {}, which cannot be read", f.display()));
        };
        if let Some(why) = run_dependent(&text) {
            return Some(if f == file { why } else { format!("imports {}, which {why}", f.display()) });
        }
        let dir = f.parent().unwrap_or(Path::new("."));
        let stripped = strip_comments(&text);
        for c in relative.captures_iter(&stripped) {
            match resolve_module(dir, &c[1]) {
                Some(found) => stack.push(found),
                None => return Some(format!("imports `{}`, which prisma-guard cannot find", &c[1])),
            }
        }
        // Packages (from node_modules, workspace packages linked there): their code can
        // change the answer as well as the project's own.
        for c in bare.captures_iter(&stripped) {
            let spec = &c[1];
            if pure_package(spec) {
                continue;
            }
            match resolve_package(dir, spec) {
                Some(found) => stack.push(found),
                None => return Some(format!("imports the package `{spec}`, which prisma-guard cannot find")),
            }
        }
    }
    None
}

/// Packages whose import cannot make the config's answer depend on the run: Node's own
/// modules that touch nothing outside the process (the rest are caught by
/// [`run_dependent`]), dotenv and Prisma's config helpers.
fn pure_package(spec: &str) -> bool {
    const BUILTIN: &[&str] = &[
        "path",
        "path/posix",
        "path/win32",
        "url",
        "util",
        "assert",
        "buffer",
        "events",
        "querystring",
        "string_decoder",
    ];
    const KNOWN: &[&str] = &["dotenv", "dotenv/config", "dotenv-expand", "prisma", "prisma/config", "@prisma/config"];
    let name = spec.strip_prefix("node:").unwrap_or(spec);
    (spec.starts_with("node:") && !name.is_empty()) || BUILTIN.contains(&name) || KNOWN.contains(&spec)
}

/// The file a package import names, as Node finds it: `node_modules/<name>` from `dir` up,
/// through links (a workspace package), then the subpath or the package's entry.
fn resolve_package(dir: &Path, spec: &str) -> Option<PathBuf> {
    let mut parts = spec.splitn(3, '/');
    let first = parts.next()?;
    let (name, rest) = if first.starts_with('@') {
        let second = parts.next()?;
        (format!("{first}/{second}"), parts.next())
    } else {
        let rest = spec.split_once('/').map(|(_, r)| r);
        (first.to_string(), rest)
    };
    let pkg = dir.ancestors().map(|d| d.join("node_modules").join(&name)).find(|p| p.is_dir())?;
    let pkg = pkg.canonicalize().ok()?;
    if let Some(sub) = rest {
        return resolve_module(&pkg, sub);
    }
    let manifest: serde_json::Value =
        std::fs::read_to_string(pkg.join("package.json")).ok().and_then(|t| serde_json::from_str(&t).ok())?;
    let export = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Object(m) => ["import", "require", "default", "node"]
                .iter()
                .find_map(|k| m.get(*k).and_then(|x| x.as_str()).map(str::to_string)),
            _ => None,
        }
    };
    let entry = manifest
        .get("exports")
        .and_then(|e| e.get(".").map_or_else(|| export(e), export))
        .or_else(|| manifest.get("module").and_then(|m| m.as_str()).map(str::to_string))
        .or_else(|| manifest.get("main").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| "index".to_string());
    let entry = entry.trim_start_matches("./");
    resolve_module(&pkg, entry)
}

/// The file a relative import names, as Node and TypeScript find it.
fn resolve_module(dir: &Path, spec: &str) -> Option<PathBuf> {
    const EXTS: [&str; 7] = ["ts", "mts", "cts", "js", "mjs", "cjs", "json"];
    let base = dir.join(spec);
    if base.is_file() {
        return Some(base);
    }
    // TypeScript's ESM convention: `./url.js` is `./url.ts` before compiling.
    if let Some(stem) =
        spec.strip_suffix(".js").or_else(|| spec.strip_suffix(".mjs")).or_else(|| spec.strip_suffix(".cjs"))
    {
        for ext in ["ts", "mts", "cts"] {
            let p = dir.join(format!("{stem}.{ext}"));
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let name = base.file_name()?.to_string_lossy().into_owned();
    EXTS.iter()
        .map(|e| base.with_file_name(format!("{name}.{e}")))
        .chain(EXTS.iter().map(|e| base.join(format!("index.{e}"))))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_that_read_how_they_are_run_are_told_apart() {
        let plain = "import \"dotenv/config\";\nimport path from \"node:path\";\nexport default defineConfig({ schema: path.join(\"prisma\", \"schema.prisma\"), datasource: { url: process.env.DATABASE_URL ?? env(\"DATABASE_URL\") } });\n// process.pid in a comment\nconst s = \"Date\";\n";
        assert_eq!(run_dependent(plain), None);
        assert_eq!(run_dependent("import { env } from \"node:process\";\nconst u = env.DATABASE_URL;"), None);
        for (src, why) in [
            ("const u = process.execArgv.length ? a : b;", "uses `process`"),
            ("const u = process.pid % 2 ? a : b;", "uses `process`"),
            ("const u = Date.now() % 2 ? a : b;", "uses `Date`"),
            ("const u = Math.random() < 0.5 ? a : b;", "uses `Math.random`"),
            ("const u = new Error().stack.includes(\"prisma\") ? a : b;", "uses `stack`"),
            ("const u = require.main === module ? a : b;", "uses `require.main`"),
            ("import { readFileSync, writeFileSync } from \"node:fs\";", "imports `fs`"),
            ("const fs = require('fs');", "imports `fs`"),
            ("const u = `${globalThis.x}`;", "uses `globalThis`"),
            ("const f = require([\"f\", \"s\"].join(\"\"));", "calls `require()` with a computed module name"),
            ("const m = await import(name);", "calls `import()` with a computed module name"),
            ("const m = require(`${a}s`);", "calls `require()` with a computed module name"),
            ("import { mainModule, env as E } from \"node:process\";", "uses `mainModule`"),
            ("import { argv } from \"node:process\";", "imports `process`"),
            ("import p from \"process\";", "imports `process`"),
            ("const p = require(\"node:process\");", "imports `process`"),
            ("const r = module.require(\"fs\");", "uses `module`"),
            ("const u = module.parent ? a : b;", "uses `module`"),
        ] {
            assert_eq!(run_dependent(src).as_deref(), Some(why), "{src}");
        }
    }

    /// Issue 16, review round 15: a CommonJS config (`prisma.config.cjs`) hands its value over
    /// through `module.exports`, which is no reason to distrust it.
    #[test]
    fn commonjs_configs_export_through_module_exports() {
        let cjs = "require(\"dotenv\").config({ path: \".env.local\" });\nconst { defineConfig, env } = require(\"prisma/config\");\nmodule.exports = defineConfig({ datasource: { url: env(\"DATABASE_URL\") } });\n";
        assert_eq!(run_dependent(cjs), None);
        assert_eq!(reaches_the_environment(cjs), None);
        assert_eq!(run_dependent("module . exports.default = defineConfig({});"), None);
        assert!(reaches_the_environment("module.require('fs')").is_some());
    }

    #[test]
    fn imported_project_modules_are_checked_too() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prisma.config.ts");
        std::fs::create_dir_all(dir.path().join("lib")).unwrap();
        std::fs::write(&config, "import { url } from \"./lib/url.js\";\nexport default { datasource: { url } };\n")
            .unwrap();
        std::fs::write(dir.path().join("lib/url.ts"), "export { url } from \"./inner\";\n").unwrap();
        std::fs::write(dir.path().join("lib/inner.ts"), "export const url = process.env.DATABASE_URL;\n").unwrap();
        assert_eq!(run_dependent_tree(&config), None);
        std::fs::write(
            dir.path().join("lib/inner.ts"),
            "import fs from \"fs\";\nexport const url = fs.existsSync(\"/f\") ? a : b;\n",
        )
        .unwrap();
        let why = run_dependent_tree(&config).expect("run-dependent");
        assert!(why.contains("inner.ts") && why.contains("imports `fs`"), "{why}");
        std::fs::write(&config, "import { url } from \"./nowhere\";\n").unwrap();
        assert!(run_dependent_tree(&config).expect("unknown").contains("cannot find"));
    }

    #[test]
    fn imported_packages_are_checked_too() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prisma.config.ts");
        std::fs::create_dir_all(dir.path().join("node_modules/@acme/env/lib")).unwrap();
        std::fs::write(
            &config,
            "import { url } from \"@acme/env\";\nimport \"dotenv/config\";\nimport path from \"node:path\";\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("node_modules/@acme/env/package.json"),
            "{\"exports\": {\".\": {\"import\": \"./lib/index.js\"}}}",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("node_modules/@acme/env/lib/index.js"),
            "export const url = process.env.DATABASE_URL;\n",
        )
        .unwrap();
        assert_eq!(run_dependent_tree(&config), None);
        std::fs::write(
            dir.path().join("node_modules/@acme/env/lib/index.js"),
            "export const url = Date.now() ? a : b;\n",
        )
        .unwrap();
        assert!(run_dependent_tree(&config).expect("run-dependent").contains("uses `Date`"));
        std::fs::write(&config, "import { x } from \"left-pad\";\n").unwrap();
        assert!(run_dependent_tree(&config).expect("unknown").contains("cannot find"));
    }
}
