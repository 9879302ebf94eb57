//! `.env` files, read the way dotenv (and Prisma 6's dotenv-expand) read them.

use std::collections::HashMap;

/// Parse `.env` text. Later keys win. `${VAR}`/`$VAR` expand in unquoted and
/// double-quoted values from earlier keys or `outer` (the real environment).
pub fn parse(text: &str, outer: &dyn Fn(&str) -> Option<String>) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, rest)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-') {
            continue;
        }
        let rest = rest.trim_start();
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'' | '`')) => {
                let mut body = rest[1..].to_string();
                // Multi-line quoted values.
                while !body.contains(q) {
                    match lines.next() {
                        Some(next) => {
                            body.push('\n');
                            body.push_str(next);
                        }
                        None => break,
                    }
                }
                let inner = body.split(q).next().unwrap_or("").to_string();
                match q {
                    '"' => expand(&inner.replace("\\n", "\n"), &vars, outer),
                    _ => inner,
                }
            }
            _ => {
                let raw = match rest.find(" #") {
                    Some(i) => &rest[..i],
                    None => rest,
                };
                expand(raw.trim(), &vars, outer)
            }
        };
        vars.insert(key.to_string(), value);
    }
    vars
}

fn expand(value: &str, vars: &HashMap<String, String>, outer: &dyn Fn(&str) -> Option<String>) -> String {
    let lookup = |name: &str| outer(name).or_else(|| vars.get(name).cloned()).unwrap_or_default();
    let mut out = String::with_capacity(value.len());
    let mut chars = value.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' && value[i + 1..].starts_with('$') {
            out.push('$');
            chars.next();
        } else if c == '$' {
            let rest = &value[i + 1..];
            if let Some(body) = rest.strip_prefix('{') {
                if let Some(end) = body.find('}') {
                    let name = &body[..end];
                    let name = name.split(":-").next().unwrap_or(name);
                    out.push_str(&lookup(name));
                    for _ in 0..end + 2 {
                        chars.next();
                    }
                    continue;
                }
            }
            let len = rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')).unwrap_or(rest.len());
            if len == 0 {
                out.push('$');
            } else {
                out.push_str(&lookup(&rest[..len]));
                for _ in 0..len {
                    chars.next();
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn parses_the_usual_forms() {
        let env = parse(
            "# comment\nDATABASE_URL=\"postgresql://u:p@h:5432/d?schema=public\"\nexport A=1\nB = two words # trailing\nC='lit $A'\nD=\"line\\nbreak\"\nE=${A}x\nF=$A/$B\nG=\"a\nb\"\n",
            &none,
        );
        assert_eq!(env["DATABASE_URL"], "postgresql://u:p@h:5432/d?schema=public");
        assert_eq!(env["A"], "1");
        assert_eq!(env["B"], "two words");
        assert_eq!(env["C"], "lit $A");
        assert_eq!(env["D"], "line\nbreak");
        assert_eq!(env["E"], "1x");
        assert_eq!(env["F"], "1/two words");
        assert_eq!(env["G"], "a\nb");
    }

    #[test]
    fn real_environment_feeds_expansion() {
        let outer = |k: &str| (k == "HOST").then(|| "db.internal".to_string());
        let env = parse("URL=postgresql://u@${HOST}/d\n", &outer);
        assert_eq!(env["URL"], "postgresql://u@db.internal/d");
    }
}
