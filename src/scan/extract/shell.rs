//! Shell-like files: Makefile recipes, Dockerfile RUN/CMD/ENTRYPOINT and Procfile entries
//! (shell scripts and husky hooks are read whole).

use std::sync::OnceLock;

use regex::Regex;

use super::{is_production_script, re, split_last, CommandLine};
use crate::shell::recipes::make::logical_lines;

/// Recipe lines, read as make reads them ([`crate::shell::recipes::make`]): prefixes
/// stripped, the file's own variables expanded (others left as written).
pub(super) fn makefile(text: &str) -> Vec<CommandLine> {
    use crate::shell::recipes::make;
    let mf = make::parse(text);
    let mut out = Vec::new();
    for rule in &mf.rules {
        let target = rule.targets.first().map_or("", String::as_str);
        let auto = std::collections::HashMap::from([
            ("@", target.to_string()),
            ("<", rule.prereqs.first().cloned().unwrap_or_default()),
            ("^", rule.prereqs.join(" ")),
        ]);
        for l in &rule.recipe {
            out.push(CommandLine {
                line: l.line,
                col: l.col,
                text: make::expand(&l.text, &mf.vars, &auto, &mut Vec::new()),
                verbatim: false,
                production: is_production_script(target, &[]),
                context: format!("target {target}"),
            });
        }
    }
    out.sort_by_key(|c| c.line);
    out
}

/// JSON exec form `["npx", "prisma", "migrate", "deploy"]` -> a shell line.
pub(super) fn exec_form(s: &str) -> Option<String> {
    let v: Vec<String> = serde_json::from_str(s.trim()).ok()?;
    Some(v.iter().map(|w| crate::shell::quote(w)).collect::<Vec<_>>().join(" "))
}

pub(super) fn dockerfile(text: &str, rel: &str) -> Vec<CommandLine> {
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

pub(super) fn procfile(text: &str) -> Vec<CommandLine> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        // The file's own variables are expanded; others are left as written.
        let m = makefile("P := npx prisma\nR = $(P) migrate\nreset: ; $(R) reset\nx:\n\t$(UNSET) db push $$HOME\n");
        let texts: Vec<&str> = m.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["npx prisma migrate reset", "$(UNSET) db push $HOME"]);
    }
}
