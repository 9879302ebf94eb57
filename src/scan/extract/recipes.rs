//! Task files read as the shell lines they run: justfile recipes (their indented body lines)
//! and Jenkinsfile `sh`/`bat`/`powershell` steps (the quoted script, single, double or
//! triple quotes).

use super::{is_production_script, CommandLine};

/// The body lines of a justfile's recipes.
pub(super) fn justfile(text: &str) -> Vec<CommandLine> {
    let mut out = Vec::new();
    let mut recipe: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') && !body.starts_with("#!") {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some(name) = &recipe else { continue };
            // `@` (quiet) and `-` (ignore errors) lead a line without being part of it.
            let lead = line.len() - body.len();
            let cmd = body.trim_start_matches(['@', '-']);
            let col = lead + (body.len() - cmd.len()) + 1;
            out.push(CommandLine {
                line: i + 1,
                col,
                text: cmd.to_string(),
                verbatim: true,
                production: is_production_script(name, &[]),
                context: format!("recipe {name}"),
            });
            continue;
        }
        // A recipe header: `name args: deps` (not `x := value`, `set ...`, `alias ...`).
        recipe = match line.split_once(':') {
            Some((head, rest)) if !rest.starts_with('=') && !head.contains(":=") => {
                let name = head.split_whitespace().next().unwrap_or("").trim_start_matches('@');
                (!matches!(name, "set" | "alias" | "export" | "import" | "mod" | "")).then(|| name.to_string())
            }
            _ => None,
        };
    }
    out
}

/// The scripts of a Jenkinsfile's `sh`, `bat`, `powershell` and `pwsh` steps.
pub(super) fn jenkinsfile(text: &str) -> Vec<CommandLine> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let Some(at) = ["sh", "bat", "powershell", "pwsh"]
            .iter()
            .filter_map(|w| find_word(text, i, w).map(|p| (p, w.len())))
            .min_by_key(|(p, _)| *p)
        else {
            break;
        };
        let (start, len) = at;
        let mut j = start + len;
        let skip_ws = |j: &mut usize| {
            while *j < bytes.len() && bytes[*j].is_ascii_whitespace() {
                *j += 1;
            }
        };
        skip_ws(&mut j);
        if bytes.get(j) == Some(&b'(') {
            j += 1;
            skip_ws(&mut j);
            if text[j..].starts_with("script") {
                j += "script".len();
                skip_ws(&mut j);
                if bytes.get(j) == Some(&b':') {
                    j += 1;
                    skip_ws(&mut j);
                }
            }
        }
        let quote = ["'''", "\"\"\"", "'", "\""].into_iter().find(|q| text[j..].starts_with(q));
        let Some(q) = quote else {
            i = start + len;
            continue;
        };
        let body_start = j + q.len();
        let Some(end) = text[body_start..].find(q) else { break };
        let body = &text[body_start..body_start + end];
        let (line, col) = super::line_col(text, body_start);
        // A triple-quoted script: one command line per source line.
        for (k, l) in body.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            let lead = if k == 0 { 0 } else { l.len() - l.trim_start().len() };
            out.push(CommandLine {
                line: line + k,
                col: if k == 0 { col } else { lead + 1 },
                text: l.trim().to_string(),
                verbatim: q == "'" || k > 0,
                production: false,
                context: "step".to_string(),
            });
        }
        i = body_start + end + q.len();
    }
    out
}

/// The next `word` at or after `from` that stands alone (not part of a longer name).
fn find_word(text: &str, from: usize, word: &str) -> Option<usize> {
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.';
    text[from..]
        .match_indices(word)
        .map(|(p, _)| from + p)
        .find(|&p| (p == 0 || !ident(b[p - 1])) && b.get(p + word.len()).is_none_or(|&c| !ident(c) || c == b'('))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn justfile_recipe_lines() {
        let text = "set shell := [\"bash\", \"-c\"]\nurl := \"x\"\n\n# reset\nreset env='dev': build\n    @npx prisma migrate reset --force\n\t-echo done\n";
        let got: Vec<(usize, usize, String)> = justfile(text).into_iter().map(|c| (c.line, c.col, c.text)).collect();
        assert_eq!(got, [(6, 6, "npx prisma migrate reset --force".to_string()), (7, 3, "echo done".to_string())]);
    }

    #[test]
    fn jenkinsfile_steps() {
        let text = "pipeline {\n  stages { stage('db') { steps {\n    sh 'npx prisma migrate reset --force'\n    sh(script: \"npm test\")\n    sh '''\n      npm ci\n      npx prisma db push --accept-data-loss\n    '''\n    bash 'x'\n  } } }\n}\n";
        let got: Vec<(usize, String)> = jenkinsfile(text).into_iter().map(|c| (c.line, c.text)).collect();
        assert_eq!(
            got,
            [
                (3, "npx prisma migrate reset --force".to_string()),
                (4, "npm test".to_string()),
                (6, "npm ci".to_string()),
                (7, "npx prisma db push --accept-data-loss".to_string()),
            ]
        );
    }
}
