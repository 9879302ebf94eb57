//! Files a line writes (or links) that a later command of the same line runs without naming
//! them: a program in `node_modules/.bin` (`npm test` runs `vitest` from there), a package's
//! code, a Makefile or justfile (`make`, `just`), a tool's config file that is code
//! (`vitest.config.ts`, `.mocharc.js`, `jest.config.js` ...), the package managers' settings.
//! What they will hold when run cannot be checked: refused (fail closed).

/// Programs that run such files: package managers and their runners, task runners, test
/// runners and node itself.
const RUNNERS: &[&str] = &[
    "npm",
    "npx",
    "pnpm",
    "pnpx",
    "yarn",
    "bun",
    "bunx",
    "corepack",
    "make",
    "gmake",
    "just",
    "task",
    "node",
    "nodejs",
    "tsx",
    "ts-node",
    "deno",
    "turbo",
    "nx",
    "lerna",
    "vitest",
    "jest",
    "mocha",
    "playwright",
    "vite",
    "next",
    "eslint",
    "prettier",
    "tsc",
    "direnv",
    "ultra",
    "wireit",
    "nps",
    "mise",
];

/// Whether `path` (as written) is a file such runners run without being told its name.
fn run_implicitly(path: &str) -> bool {
    let p = path.trim_start_matches("./");
    let base = p.rsplit('/').next().unwrap_or(p);
    let lower = base.to_ascii_lowercase();
    let code_ext = [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".json", ".yml", ".yaml", ".jsonc"];
    p.starts_with("node_modules/")
        || p.contains("/node_modules/")
        || matches!(
            lower.as_str(),
            "makefile" | "gnumakefile" | "justfile" | ".justfile" | "taskfile.yml" | "taskfile.yaml"
        )
        || lower.ends_with(".mk")
        || lower.ends_with(".just")
        || matches!(
            lower.as_str(),
            ".npmrc" | ".yarnrc" | ".yarnrc.yml" | "bunfig.toml" | ".envrc" | "mise.toml" | ".mise.toml"
        )
        || (lower.contains(".config.") && code_ext.iter().any(|e| lower.ends_with(e)))
        || (lower.starts_with(".mocharc") || lower.starts_with(".babelrc") || lower.starts_with("babel.config"))
        || (lower.starts_with(".eslintrc") && code_ext.iter().any(|e| lower.ends_with(e)))
        || (lower.starts_with("jest.") || lower.starts_with("vitest.") || lower.starts_with("setuptests"))
        || matches!(lower.as_str(), "turbo.json" | "nx.json" | "project.json" | "lerna.json" | "pnpm-workspace.yaml")
}

/// Why `argv` (run after the line wrote `written`) is refused, if it is.
pub fn runs_written(argv: &[String], written: &[String]) -> Option<String> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    let file = written.iter().find(|w| run_implicitly(w))?;
    let bin = |w: &String| w.contains(".bin/") && w.rsplit('/').next() == Some(name);
    if RUNNERS.contains(&name) || written.iter().any(bin) {
        return Some(format!(
            "`{}` runs after this line writes {file}, which it may run: what that will hold cannot be checked",
            argv.join(" ")
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(argv: &str, written: &[&str]) -> bool {
        let argv: Vec<String> = argv.split(' ').map(String::from).collect();
        let written: Vec<String> = written.iter().map(|s| s.to_string()).collect();
        runs_written(&argv, &written).is_some()
    }

    #[test]
    fn files_written_then_run_by_a_later_command() {
        assert!(judged("npm test", &["node_modules/.bin/vitest"]));
        assert!(judged("npx vitest dev.db", &["node_modules/.bin/vitest"]));
        assert!(judged("make", &["Makefile"]));
        assert!(judged("just x", &["justfile"]));
        assert!(judged("npx mocha", &[".mocharc.js"]));
        assert!(judged("npx vitest run", &["vitest.config.ts"]));
        assert!(!judged("npm test", &["build.log"]));
        assert!(!judged("cat Makefile", &["Makefile"]));
        assert!(!judged("make build", &["src/index.ts"]));
    }
}
