//! Which files hold commands, and the command lines in each: package.json scripts, shell
//! scripts and husky hooks, Makefile recipes, Dockerfile RUN/CMD/ENTRYPOINT, Procfile entries
//! ([`shell`]), compose and CI YAML ([`yaml`], read with a YAML parser), deploy settings in
//! TOML and JSON ([`deploy`]), and strings that JS/TS files hand to `exec`/`spawn` ([`js`]).

mod deploy;
mod js;
mod package_json;
mod recipes;
mod shell;
mod yaml;

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
    /// CI and deploy YAML: GitHub Actions, GitLab, Bitbucket, CircleCI, Azure, render.yaml.
    CiYaml,
    /// Deploy settings in TOML: netlify.toml, fly.toml, railway.toml, nixpacks.toml.
    DeployToml,
    /// Deploy settings in JSON: vercel.json, app.json (Heroku), railway.json.
    DeployJson,
    Script,
    /// justfile recipes.
    Justfile,
    /// Jenkinsfile `sh`/`bat` steps.
    Jenkinsfile,
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
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if lower == "justfile" || lower == ".justfile" || lower.ends_with(".just") {
        return Some(Kind::Justfile);
    }
    if lower == "jenkinsfile" || lower.starts_with("jenkinsfile.") || lower.ends_with(".jenkinsfile") {
        return Some(Kind::Jenkinsfile);
    }
    // Composite actions, Gitea/Forgejo workflows, Buildkite pipelines, Taskfiles, pnpm's
    // package.yaml: YAML whose strings are commands, read as CI YAML is.
    if yaml
        && ((in_dir(".github/") && (lower == "action.yml" || lower == "action.yaml"))
            || in_dir(".gitea/workflows/")
            || in_dir(".forgejo/workflows/")
            || in_dir(".buildkite/")
            || lower.starts_with("taskfile.")
            || lower == "package.yaml"
            || lower == "package.yml")
    {
        return Some(Kind::CiYaml);
    }
    if (in_dir(".github/workflows/") && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
        || lower == ".gitlab-ci.yml"
        || lower == "bitbucket-pipelines.yml"
        || (in_dir(".circleci/") && lower.ends_with(".yml"))
        || lower == "azure-pipelines.yml"
        || lower == "render.yaml"
    {
        return Some(Kind::CiYaml);
    }
    if matches!(lower.as_str(), "netlify.toml" | "fly.toml" | "railway.toml" | "nixpacks.toml") || is_mise(&lower) {
        return Some(Kind::DeployToml);
    }
    // Nx targets (`project.json`) and Deno tasks (`deno.json`) as deploy JSON: every string
    // naming prisma or a database client.
    if matches!(
        lower.as_str(),
        "vercel.json" | "app.json" | "railway.json" | "project.json" | "deno.json" | "deno.jsonc"
    ) {
        return Some(Kind::DeployJson);
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

pub(super) fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
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

pub(super) fn path_is_production(rel: &str) -> bool {
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

/// mise's config files (their `[tasks]` run commands), by lower-cased name.
fn is_mise(lower: &str) -> bool {
    matches!(lower, "mise.toml" | ".mise.toml" | "mise.local.toml" | ".mise.local.toml")
}

/// `path` split at its last `/` (std's `rsplit_once('/')`, with a vectorised search: it runs
/// several times per file of a scan).
pub fn split_last(path: &str) -> Option<(&str, &str)> {
    memchr::memrchr(b'/', path.as_bytes()).map(|i| (&path[..i], &path[i + 1..]))
}

/// Every command line in a file of kind `kind`. `Err` when a structured file (JSON, YAML,
/// TOML) does not parse: it was not checked, which is never "no findings".
pub fn commands(kind: Kind, rel: &str, text: &str, prod_scripts: &[String]) -> Result<Vec<CommandLine>, String> {
    Ok(match kind {
        Kind::Migration => Vec::new(),
        Kind::PackageJson => package_json::package_json(text, prod_scripts)?,
        Kind::Shell => vec![CommandLine {
            line: 1,
            col: 1,
            text: text.to_string(),
            verbatim: true,
            production: path_is_production(rel),
            context: String::new(),
        }],
        Kind::Makefile => shell::makefile(text),
        Kind::Dockerfile => shell::dockerfile(text, rel),
        Kind::Compose => yaml::commands(text, path_is_production(rel), true)?,
        Kind::CiYaml => yaml::commands(text, false, false)?,
        Kind::Procfile => shell::procfile(text),
        Kind::DeployToml => {
            let mut lines = deploy::toml(text)?;
            // mise's tasks are a developer's commands, not a deploy's.
            if is_mise(&split_last(rel).map_or(rel, |(_, n)| n).to_ascii_lowercase()) {
                for l in &mut lines {
                    l.production = false;
                }
            }
            lines
        }
        Kind::DeployJson => deploy::json(text)?,
        Kind::Script => js::js(text, path_is_production(rel)),
        Kind::Justfile => recipes::justfile(text),
        Kind::Jenkinsfile => recipes::jenkinsfile(text),
    })
}

/// The text without a leading UTF-8 byte order mark (npm reads package.json with one).
/// The command lines a JavaScript or TypeScript file spawns (for the agent hooks, which
/// follow `node scripts/reset.js` into the file).
pub fn spawned_commands(text: &str) -> Vec<String> {
    js::js(text, false).into_iter().map(|c| c.text).collect()
}

pub use yaml::to_json as yaml_to_json;

/// Whether text may hold a command that reaches the data: prisma, a database client, Docker.
pub fn mentions_data_command(text: &str) -> bool {
    text.contains("prisma")
        || text.contains("docker")
        || text.contains("podman")
        || crate::judge::clients::CLIENTS.iter().any(|c| text.contains(c))
}

/// What a file without a name the scanner knows is, from its `#!` line: a shell script, or a
/// JavaScript/TypeScript one (node, deno, bun, tsx, ts-node). `None`: no such line.
pub fn shebang_kind(text: &str) -> Option<Kind> {
    let first = strip_bom(text).lines().next()?.strip_prefix("#!")?;
    let mut words = first.split_whitespace();
    let mut prog = words.next()?.rsplit('/').next()?;
    if prog == "env" {
        prog = words.find(|w| !w.starts_with('-') && !w.contains('='))?;
    }
    match prog {
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh" | "yash" => Some(Kind::Shell),
        "node" | "deno" | "bun" | "tsx" | "ts-node" | "zx" => Some(Kind::Script),
        _ => None,
    }
}

pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
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
        assert_eq!(kind("vercel.json"), Some(Kind::DeployJson));
        assert_eq!(kind("app.json"), Some(Kind::DeployJson));
        assert_eq!(kind("netlify.toml"), Some(Kind::DeployToml));
        assert_eq!(kind("fly.toml"), Some(Kind::DeployToml));
        assert_eq!(kind("scripts/setup.ts"), Some(Kind::Script));
        assert_eq!(kind("types/x.d.ts"), None);
        assert_eq!(kind("README.md"), None);
    }
}
