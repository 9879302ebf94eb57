//! Which files hold commands, and the command lines in each: package.json scripts, shell
//! scripts and husky hooks, Makefile recipes, Dockerfile RUN/CMD/ENTRYPOINT, compose
//! `command:`, Procfile entries, CI YAML steps, vercel.json/netlify.toml build commands, and
//! strings that JS/TS files hand to `exec`/`spawn`.

use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Migration,
    PackageJson,
    Shell,
    Makefile,
    Dockerfile,
    Compose,
    Procfile,
    CiYaml,
    VercelJson,
    NetlifyToml,
    Script,
}

/// What kind of file `rel` (repository-relative, `/`-separated) is, if it is scanned at all.
pub fn kind(rel: &str) -> Option<Kind> {
    if let Some(dir) = rel.strip_suffix("migration.sql").filter(|d| d.is_empty() || d.ends_with('/')) {
        // `<...>/migrations/<name>/migration.sql`: the common case, checked bytewise first; the
        // substring search (any `migrations/` higher up) runs only when that fails (callgrind:
        // 0.46 million instructions more in a scan of 850 migrations without the first check).
        let dir = dir.trim_end_matches('/');
        let parent = split_last(dir).map_or("", |(p, _)| p);
        let in_migrations = parent.strip_suffix("migrations").is_some_and(|p| p.is_empty() || p.ends_with('/'));
        if in_migrations || rel.contains("migrations/") {
            return Some(Kind::Migration);
        }
    }
    let name = split_last(rel).map_or(rel, |(_, n)| n);
    let lower = name.to_ascii_lowercase();
    let in_dir = |d: &str| rel.match_indices(d).any(|(i, _)| i == 0 || rel.as_bytes()[i - 1] == b'/');
    if name == "package.json" {
        return Some(Kind::PackageJson);
    }
    if in_dir(".husky/") && !rel.contains(".husky/_/") && !name.contains('.') {
        return Some(Kind::Shell);
    }
    if lower.ends_with(".sh") || lower.ends_with(".bash") || lower.ends_with(".zsh") {
        return Some(Kind::Shell);
    }
    if lower == "makefile" || lower == "gnumakefile" || lower.ends_with(".mk") {
        return Some(Kind::Makefile);
    }
    if lower == "dockerfile" || lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
        return Some(Kind::Dockerfile);
    }
    if (lower.starts_with("docker-compose") || lower.starts_with("compose"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
    {
        return Some(Kind::Compose);
    }
    if lower == "procfile" || lower.starts_with("procfile.") {
        return Some(Kind::Procfile);
    }
    if (in_dir(".github/workflows/") && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
        || lower == ".gitlab-ci.yml"
        || lower == "bitbucket-pipelines.yml"
        || (in_dir(".circleci/") && lower.ends_with(".yml"))
        || lower == "azure-pipelines.yml"
        || lower == "render.yaml"
        || lower == "fly.toml"
        || lower == "app.json"
        || lower == "railway.json"
        || lower == "railway.toml"
        || lower == "nixpacks.toml"
    {
        return Some(Kind::CiYaml);
    }
    if lower == "vercel.json" {
        return Some(Kind::VercelJson);
    }
    if lower == "netlify.toml" {
        return Some(Kind::NetlifyToml);
    }
    let script_ext = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"];
    if script_ext.iter().any(|e| lower.ends_with(e)) && !lower.ends_with(".d.ts") && !lower.contains(".min.") {
        return Some(Kind::Script);
    }
    None
}

/// A command line found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// 1-based line and column (in characters) where the command text starts.
    pub line: usize,
    pub col: usize,
    pub text: String,
    /// Whether the text is copied unchanged from the file (offsets inside map to columns).
    pub verbatim: bool,
    /// Runs in a production build, start or deploy step.
    pub production: bool,
    /// Where it is, for messages: `script "build"`, `RUN`, `job deploy`.
    pub context: String,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

/// Script names that run in production builds and deploys.
pub fn is_production_script(name: &str, extra: &[String]) -> bool {
    static PROD: OnceLock<Regex> = OnceLock::new();
    extra.iter().any(|e| e == name)
        || re(
            &PROD,
            r"(?i)^(pre|post)?(build|start|install|deploy|release|heroku-postbuild|heroku-prebuild|vercel-build|now-build|render-build|railway-build|netlify-build|migrate:deploy|db:deploy)$|prod|deploy|release",
        )
        .is_match(name)
}

fn path_is_production(rel: &str) -> bool {
    static PROD: OnceLock<Regex> = OnceLock::new();
    static DEV: OnceLock<Regex> = OnceLock::new();
    let name = split_last(rel).map_or(rel, |(_, n)| n);
    re(&PROD, r"(?i)deploy|release|prod|entrypoint|start|build|boot").is_match(name)
        && !re(&DEV, r"(?i)dev|test|local|seed").is_match(name)
}

/// 1-based line and character column of byte offset `off` in `text`.
pub fn line_col(text: &str, off: usize) -> (usize, usize) {
    let off = off.min(text.len());
    let before = text.get(..off).unwrap_or("");
    let line = 1 + memchr::memchr_iter(b'\n', before.as_bytes()).count();
    let line_start = memchr::memrchr(b'\n', before.as_bytes()).map_or(0, |n| n + 1);
    let col = 1 + text.get(line_start..off).map_or(0, |s| s.chars().count());
    (line, col)
}

/// The text of 1-based line `line` (without its line break; empty past the end).
pub fn line_text(text: &str, line: usize) -> &str {
    let start = match line.checked_sub(2) {
        None => 0,
        Some(n) => match memchr::memchr_iter(b'\n', text.as_bytes()).nth(n) {
            Some(i) => i + 1,
            None => return "",
        },
    };
    let rest = &text[start..];
    let line = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest, |n| &rest[..n]);
    line.strip_suffix('\r').unwrap_or(line)
}

/// `path` split at its last `/` (std's `rsplit_once('/')`, with a vectorised search: it runs
/// several times per file of a scan).
pub fn split_last(path: &str) -> Option<(&str, &str)> {
    memchr::memrchr(b'/', path.as_bytes()).map(|i| (&path[..i], &path[i + 1..]))
}

/// Every command line in a file of kind `kind`.
pub fn commands(kind: Kind, rel: &str, text: &str, prod_scripts: &[String]) -> Vec<CommandLine> {
    match kind {
        Kind::Migration => Vec::new(),
        Kind::PackageJson => package_json(text, prod_scripts),
        Kind::Shell => vec![CommandLine {
            line: 1,
            col: 1,
            text: text.to_string(),
            verbatim: true,
            production: path_is_production(rel),
            context: String::new(),
        }],
        Kind::Makefile => makefile(text),
        Kind::Dockerfile => dockerfile(text, rel),
        Kind::Compose | Kind::CiYaml => yaml(text, kind == Kind::Compose && path_is_production(rel), kind),
        Kind::Procfile => procfile(text),
        Kind::VercelJson => vercel(text),
        Kind::NetlifyToml => netlify(text),
        Kind::Script => js(text, path_is_production(rel)),
    }
}

/// The text without a leading UTF-8 byte order mark (npm reads package.json with one).
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn package_json(text: &str, prod_scripts: &[String]) -> Vec<CommandLine> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(strip_bom(text)) else { return Vec::new() };
    let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else { return Vec::new() };
    let scripts_at = text.find("\"scripts\"").unwrap_or(0);
    let mut out = Vec::new();
    for (name, cmd) in scripts {
        let Some(cmd) = cmd.as_str() else { continue };
        // Find `"name":` after "scripts", allowing blanks before the colon.
        let quoted = serde_json::Value::String(name.clone()).to_string();
        let mut at = scripts_at;
        let mut found = None;
        while let Some(p) = text.get(at..).and_then(|t| t.find(&quoted)) {
            let after = at + p + quoted.len();
            if text.get(after..).is_some_and(|t| t.trim_start().starts_with(':')) {
                let value_at = text[after..].find('"').map_or(after, |n| after + n + 1);
                found = Some(value_at);
                break;
            }
            at = after;
        }
        let (line, col) = line_col(text, found.unwrap_or(scripts_at));
        out.push(CommandLine {
            line,
            col,
            text: cmd.to_string(),
            verbatim: false,
            production: is_production_script(name, prod_scripts),
            context: format!("script \"{name}\""),
        });
    }
    out
}

/// Logical lines (joined at trailing backslashes) with the line they start on.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let (start, mut acc) = cur.take().unwrap_or((i + 1, String::new()));
        if let Some(stripped) = line.strip_suffix('\\') {
            acc.push_str(stripped);
            acc.push(' ');
            cur = Some((start, acc));
        } else {
            acc.push_str(line);
            out.push((start, acc));
        }
    }
    if let Some(c) = cur {
        out.push(c);
    }
    out
}

fn makefile(text: &str) -> Vec<CommandLine> {
    static TARGET: OnceLock<Regex> = OnceLock::new();
    let mut target = String::new();
    let mut out = Vec::new();
    for (line, l) in logical_lines(text) {
        if let Some(recipe) = l.strip_prefix('\t') {
            let cmd = recipe.trim_start_matches(['@', '-', '+', ' ']);
            let col = 1 + l.len() - cmd.len();
            out.push(CommandLine {
                line,
                col,
                text: cmd.replace("$$", "$"),
                verbatim: false,
                production: is_production_script(&target, &[]),
                context: format!("target {target}"),
            });
        } else if let Some(c) = re(&TARGET, r"^([A-Za-z0-9_.:/%-]+)\s*:([^=]|$)").captures(&l) {
            target = c[1].to_string();
        }
    }
    out
}

/// JSON exec form `["npx", "prisma", "migrate", "deploy"]` -> a shell line.
fn exec_form(s: &str) -> Option<String> {
    let v: Vec<String> = serde_json::from_str(s.trim()).ok()?;
    Some(v.iter().map(|w| crate::shell::quote(w)).collect::<Vec<_>>().join(" "))
}

fn dockerfile(text: &str, rel: &str) -> Vec<CommandLine> {
    static INSTR: OnceLock<Regex> = OnceLock::new();
    static DEV: OnceLock<Regex> = OnceLock::new();
    let production = !re(&DEV, r"(?i)dev|test|local").is_match(split_last(rel).map_or(rel, |(_, n)| n));
    let mut out = Vec::new();
    for (line, l) in logical_lines(text) {
        let Some(c) = re(&INSTR, r"(?i)^\s*(RUN|CMD|ENTRYPOINT)\s+(.*)$").captures(&l) else { continue };
        let body = c.get(2).map_or("", |m| m.as_str());
        let col = 1 + c.get(2).map_or(0, |m| m.start());
        // `RUN --mount=... cmd`: skip RUN flags.
        let body = body.trim_start();
        let body = if c[1].eq_ignore_ascii_case("RUN") {
            let mut b = body;
            while b.starts_with("--") {
                b = b.split_once(' ').map_or("", |(_, r)| r.trim_start());
            }
            b
        } else {
            body
        };
        let (text, verbatim) = match exec_form(body) {
            Some(t) => (t, false),
            None => (body.to_string(), true),
        };
        out.push(CommandLine { line, col, text, verbatim, production, context: c[1].to_ascii_uppercase() });
    }
    out
}

fn procfile(text: &str) -> Vec<CommandLine> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let (name, cmd) = l.split_once(':')?;
            if name.trim().is_empty() || name.trim().starts_with('#') {
                return None;
            }
            let col = 1 + l.len() - cmd.trim_start().len();
            Some(CommandLine {
                line: i + 1,
                col,
                text: cmd.trim().to_string(),
                verbatim: true,
                production: !name.contains("dev") && !name.contains("test"),
                context: format!("process {}", name.trim()),
            })
        })
        .collect()
}

fn unquote_scalar(v: &str) -> (String, bool) {
    let v = v.trim();
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        if let Ok(s) = serde_json::from_str::<String>(v) {
            return (s, false);
        }
    }
    if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        return (v[1..v.len() - 1].replace("''", "'"), false);
    }
    (v.to_string(), true)
}

/// YAML: every line that mentions prisma, read as a command (keys like `run:`, `script:`,
/// `command:` and list dashes stripped). Production when an enclosing key or the step's
/// name says deploy/release/prod, or when the whole file is production.
fn yaml(text: &str, file_production: bool, kind: Kind) -> Vec<CommandLine> {
    static KEY: OnceLock<Regex> = OnceLock::new();
    static PROD: OnceLock<Regex> = OnceLock::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.contains("prisma") || l.trim_start().starts_with('#') {
            continue;
        }
        let Some(c) =
            re(&KEY, r"^(\s*(?:-\s+)?(?:[A-Za-z_][\w-]*\s*:\s+|[A-Za-z_][\w-]*\s*=\s*)?(?:-\s+)?)(.*)$").captures(l)
        else {
            continue;
        };
        let prefix = c.get(1).map_or("", |m| m.as_str());
        let value = c.get(2).map_or("", |m| m.as_str());
        if value.starts_with('|') || value.starts_with('>') {
            continue;
        }
        let value = value.split(" #").next().unwrap_or(value);
        let (cmd, verbatim) = if let Some(t) = exec_form(value) { (t, false) } else { unquote_scalar(value) };
        let indent = l.len() - l.trim_start().len();
        // Enclosing keys: each earlier line with less indentation, and the step's own keys.
        let mut production = file_production;
        let mut min_indent = indent;
        let mut context = String::new();
        for prev in lines[..i].iter().rev() {
            if prev.trim().is_empty() || prev.trim_start().starts_with('#') {
                continue;
            }
            let pi = prev.len() - prev.trim_start().len();
            let dash_item = prev.trim_start().starts_with("- ") && pi <= indent;
            if pi < min_indent || (dash_item && pi <= min_indent) {
                if re(&PROD, r"(?i)deploy|release|prod|publish|ship").is_match(prev) {
                    production = true;
                }
                if context.is_empty() && prev.contains("name:") {
                    context = prev.trim().trim_start_matches("- ").to_string();
                }
                min_indent = pi.min(min_indent);
                if pi == 0 {
                    break;
                }
            } else if pi == indent && prev.trim_start().starts_with("name:") {
                if re(&PROD, r"(?i)deploy|release|prod|publish|ship").is_match(prev) {
                    production = true;
                }
                if context.is_empty() {
                    context = prev.trim().to_string();
                }
            }
        }
        if kind == Kind::Compose && context.is_empty() {
            context = "compose".into();
        }
        out.push(CommandLine {
            line: i + 1,
            col: 1 + prefix.chars().count(),
            text: cmd,
            verbatim,
            production,
            context,
        });
    }
    out
}

fn vercel(text: &str) -> Vec<CommandLine> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(strip_bom(text)) else { return Vec::new() };
    let mut out = Vec::new();
    for key in ["buildCommand", "installCommand", "devCommand"] {
        let Some(cmd) = json.get(key).and_then(|v| v.as_str()) else { continue };
        let at = text.find(&format!("\"{key}\"")).unwrap_or(0);
        let (line, col) = line_col(text, at);
        out.push(CommandLine {
            line,
            col,
            text: cmd.to_string(),
            verbatim: false,
            production: key != "devCommand",
            context: key.to_string(),
        });
    }
    out
}

fn netlify(text: &str) -> Vec<CommandLine> {
    static CMD: OnceLock<Regex> = OnceLock::new();
    let mut section = String::new();
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            section = t.to_string();
            continue;
        }
        let Some(c) = re(&CMD, r#"^\s*command\s*=\s*(".*"|'.*')\s*$"#).captures(l) else { continue };
        let raw = &c[1];
        let (cmd, _) = unquote_scalar(raw);
        out.push(CommandLine {
            line: i + 1,
            col: 1 + c.get(1).map_or(0, |m| m.start()),
            text: cmd,
            verbatim: false,
            production: !section.contains("dev"),
            context: if section.is_empty() { "command".into() } else { format!("{section} command") },
        });
    }
    out
}

/// JS/TS: string literals handed to a process-spawning call (`exec("npx prisma ...")`,
/// `` $`prisma ...` ``, `spawn("npx", ["prisma", ...])`). Only files that spawn processes.
fn js(text: &str, production: bool) -> Vec<CommandLine> {
    static SPAWNS: OnceLock<Regex> = OnceLock::new();
    static STRING: OnceLock<Regex> = OnceLock::new();
    static ARRAY: OnceLock<Regex> = OnceLock::new();
    if !text.contains("prisma")
        || !re(&SPAWNS, r"\b(exec|execSync|execFile|execFileSync|spawn|spawnSync|execa|execaSync|execaCommand|fork|\$)\s*(\(|`)|Bun\.spawn|Deno\.Command|child_process").is_match(text)
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    // spawn("npx", ["prisma", "migrate", "reset"]) / execa("prisma", ["db", "push"])
    for c in re(
        &ARRAY,
        r#"(?s)\b(?:spawn|spawnSync|execFile|execFileSync|execa|execaSync|fork)\s*\(\s*(["'`])([^"'`]+)["'`]\s*,\s*\[([^\]]*)\]"#,
    )
    .captures_iter(text)
    {
        let args: Vec<String> = re(&STRING, r#""((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|`([^`]*)`"#)
            .captures_iter(&c[3])
            .filter_map(|a| a.get(1).or(a.get(2)).or(a.get(3)).map(|m| m.as_str().to_string()))
            .collect();
        let line_text = std::iter::once(c[2].to_string()).chain(args).map(|w| crate::shell::quote(&w)).collect::<Vec<_>>();
        let start = c.get(0).map_or(0, |m| m.start());
        let (line, col) = line_col(text, start);
        out.push(CommandLine {
            line,
            col,
            text: line_text.join(" "),
            verbatim: false,
            production,
            context: "spawn".into(),
        });
    }
    for c in re(&STRING, r#""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`([^`]*)`"#).captures_iter(text) {
        let Some(m) = c.get(1).or(c.get(2)).or(c.get(3)) else { continue };
        if !m.as_str().contains("prisma ") {
            continue;
        }
        let (line, col) = line_col(text, m.start());
        out.push(CommandLine {
            line,
            col,
            text: m.as_str().replace("\\\"", "\"").replace("\\'", "'"),
            verbatim: true,
            production,
            context: "string".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_text_matches_str_lines() {
        for text in ["", "a", "a\n", "a\r\nb\r\n", "one\ntwo\n\nfour", "\n\n"] {
            for line in 0..6 {
                let want = text.lines().nth(line.max(1) - 1).unwrap_or("");
                assert_eq!(line_text(text, line), want, "{text:?} line {line}");
            }
        }
    }

    #[test]
    fn kinds() {
        assert_eq!(kind("prisma/migrations/20240101_init/migration.sql"), Some(Kind::Migration));
        assert_eq!(kind("apps/api/package.json"), Some(Kind::PackageJson));
        assert_eq!(kind(".husky/pre-commit"), Some(Kind::Shell));
        assert_eq!(kind(".husky/_/h"), None);
        assert_eq!(kind("scripts/reset.sh"), Some(Kind::Shell));
        assert_eq!(kind("Makefile"), Some(Kind::Makefile));
        assert_eq!(kind("docker/Dockerfile.prod"), Some(Kind::Dockerfile));
        assert_eq!(kind("docker-compose.yml"), Some(Kind::Compose));
        assert_eq!(kind("Procfile"), Some(Kind::Procfile));
        assert_eq!(kind(".github/workflows/ci.yml"), Some(Kind::CiYaml));
        assert_eq!(kind(".gitlab-ci.yml"), Some(Kind::CiYaml));
        assert_eq!(kind("vercel.json"), Some(Kind::VercelJson));
        assert_eq!(kind("netlify.toml"), Some(Kind::NetlifyToml));
        assert_eq!(kind("scripts/setup.ts"), Some(Kind::Script));
        assert_eq!(kind("types/x.d.ts"), None);
        assert_eq!(kind("README.md"), None);
    }

    #[test]
    fn package_json_lines_and_production() {
        let text = "{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"dev\": \"next dev\",\n    \"build\" : \"prisma migrate dev && next build\"\n  }\n}\n";
        let c = package_json(text, &[]);
        assert_eq!(c.len(), 2);
        assert_eq!((c[1].line, c[1].production, c[1].context.as_str()), (5, true, "script \"build\""));
        assert!(!c[0].production);
    }

    #[test]
    fn yaml_steps_and_deploy_jobs() {
        let text = "jobs:\n  test:\n    steps:\n      - run: npx prisma migrate reset --force\n  deploy:\n    steps:\n      - name: Migrate\n        run: |\n          npx prisma db push\n      - run: \"npx prisma migrate dev\"\n";
        let c = yaml(text, false, Kind::CiYaml);
        let got: Vec<(usize, &str, bool)> = c.iter().map(|c| (c.line, c.text.as_str(), c.production)).collect();
        assert_eq!(
            got,
            vec![
                (4, "npx prisma migrate reset --force", false),
                (9, "npx prisma db push", true),
                (10, "npx prisma migrate dev", true)
            ]
        );
        assert_eq!(c[0].col, 14);
    }

    #[test]
    fn dockerfile_and_makefile() {
        let d = dockerfile(
            "FROM node\nRUN npm ci && \\\n    npx prisma generate\nCMD [\"npx\", \"prisma\", \"migrate\", \"dev\"]\n",
            "Dockerfile",
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].line, 2);
        assert_eq!(d[1].text, "npx prisma migrate dev");
        assert!(d[1].production);
        let m = makefile("deploy:\n\t@npx prisma migrate dev\nreset:\n\t-prisma migrate reset\n");
        assert_eq!((m[0].production, m[0].col, m[1].production), (true, 3, false));
    }

    #[test]
    fn js_spawns() {
        let text = "import { execSync, spawn } from 'child_process';\nexecSync(\"npx prisma migrate reset --force\");\nspawn('npx', ['prisma', 'db', 'push', '--accept-data-loss']);\nconsole.log('hello');\n";
        let c = js(text, false);
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert!(texts.contains(&"npx prisma migrate reset --force"), "{texts:?}");
        assert!(texts.contains(&"npx prisma db push --accept-data-loss"), "{texts:?}");
        assert!(js("const s = 'prisma migrate reset';", false).is_empty(), "no spawning: not a command");
    }
}
