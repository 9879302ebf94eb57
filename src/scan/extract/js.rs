//! JS/TS files that spawn processes: the command strings they hand to `exec`/`spawn`.

use std::sync::OnceLock;

use regex::Regex;

use super::{line_col, re, CommandLine};

/// JS/TS: string literals handed to a process-spawning call (`exec("npx prisma ...")`,
/// `` $`prisma ...` ``, `spawn("npx", ["prisma", ...])`). Only files that spawn processes.
pub(super) fn js(text: &str, production: bool) -> Vec<CommandLine> {
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
    fn js_spawns() {
        let text = "import { execSync, spawn } from 'child_process';\nexecSync(\"npx prisma migrate reset --force\");\nspawn('npx', ['prisma', 'db', 'push', '--accept-data-loss']);\nconsole.log('hello');\n";
        let c = js(text, false);
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert!(texts.contains(&"npx prisma migrate reset --force"), "{texts:?}");
        assert!(texts.contains(&"npx prisma db push --accept-data-loss"), "{texts:?}");
        assert!(js("const s = 'prisma migrate reset';", false).is_empty(), "no spawning: not a command");
    }
}
