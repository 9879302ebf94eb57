//! `.env` files, read the way the `dotenv` package reads them (16 to 18: the same line
//! grammar), and, for Prisma 6 projects, with Prisma 6's `dotenv-expand` on top.
//!
//! dotenv's grammar, from its `LINE` regex: `[export ]KEY=value` or `KEY: value`; values
//! single-, double- or backtick-quoted (quotes may span lines; `\n` and `\r` are escapes in
//! double quotes only), or unquoted up to a `#` or the end of the line, trimmed. A UTF-8 BOM
//! at the start is whitespace (JavaScript's `\s` includes U+FEFF). Later keys win.

use std::collections::HashMap;
use std::sync::OnceLock;

/// dotenv's `LINE` regex (lib/main.js), with JavaScript's ASCII `\w` spelled out, for the
/// full `regex` engine, whose `\s` is Unicode's White_Space.
#[cfg(test)]
const LINE: &str = r#"(?m)^\s*(?:export\s+)?([A-Za-z0-9_.\-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$"#;

/// [`LINE`] for `regex-lite`, whose `\s` is ASCII only: Unicode's White_Space spelled out
/// (`W`), so both read every file alike (the test `lite_and_full_engines_agree`). Compiling
/// it with `regex-lite` costs a tenth of the full engine, in front of every agent-hook
/// decision that resolves a project.
fn line_lite() -> String {
    const W: &str = r"[\t\n\x0B\x0C\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]";
    format!(
        r#"(?m)^{W}*(?:export{W}+)?([A-Za-z0-9_.\-]+)(?:{W}*={W}*?|:{W}+?)({W}*'(?:\\'|[^'])*'|{W}*"(?:\\"|[^"])*"|{W}*`(?:\\`|[^`])*`|[^#\r\n]+)?{W}*(?:#.*)?$"#
    )
}

/// Parse `.env` text exactly as `dotenv.parse` does (no variable expansion).
pub fn parse(text: &str) -> Vec<(String, String)> {
    static RE: OnceLock<regex_lite::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| regex_lite::Regex::new(&line_lite()).expect("static regex"));
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<(String, String)> = Vec::new();
    for c in re.captures_iter(&text) {
        let key = c[1].to_string();
        let raw = c.get(2).map_or("", |m| m.as_str()).trim();
        let quote = raw.chars().next();
        let value = match quote {
            Some(q @ ('\'' | '"' | '`')) if raw.len() >= 2 && raw.ends_with(q) => {
                let inner = &raw[1..raw.len() - 1];
                if q == '"' {
                    inner.replace("\\n", "\n").replace("\\r", "\r")
                } else {
                    inner.to_string()
                }
            }
            _ => raw.to_string(),
        };
        out.retain(|(k, _)| *k != key);
        out.push((key, value));
    }
    out
}

/// Parse, then expand `${VAR}`/`$VAR` as Prisma 6 (dotenv-expand) does: from the real
/// environment (`outer`) first, then earlier keys of the file.
pub fn parse_expanded(text: &str, outer: &dyn Fn(&str) -> Option<String>) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = HashMap::new();
    for (k, v) in parse(text) {
        let v = expand(&v, &vars, outer);
        vars.insert(k, v);
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

    fn map(text: &str) -> HashMap<String, String> {
        parse(text).into_iter().collect()
    }

    #[test]
    fn lite_and_full_engines_agree() {
        let full = regex::Regex::new(LINE).unwrap();
        let lite = regex_lite::Regex::new(&line_lite()).unwrap();
        let texts = [
            "A=1\nB = two words # c\nexport C='lit $A'\nD=\"line\\nbreak\"\n",
            "\u{a0}K=\u{3000}v\u{2028}\nL:\u{85}x\n  M =\t`back`\n",
            "N=\"multi\nline\"\nO='unterminated\nP=after\n",
            "Q=#only comment\nR=a#b\n#S=commented\nT.U-V=dots\n\u{feff}W=bom-mid\n",
            "X=\"esc \\\" quote\"\nY='it\\'s'\nZ:no-space\nexport  AA=\u{200a}sp\u{205f}\n",
            "",
            "=novalue\nBB=\nCC\nDD==x\n",
        ];
        for t in texts {
            let a: Vec<(String, Option<String>)> =
                full.captures_iter(t).map(|c| (c[1].to_string(), c.get(2).map(|m| m.as_str().to_string()))).collect();
            let b: Vec<(String, Option<String>)> =
                lite.captures_iter(t).map(|c| (c[1].to_string(), c.get(2).map(|m| m.as_str().to_string()))).collect();
            assert_eq!(a, b, "{t:?}");
            assert!(!a.is_empty() || t.is_empty() || t.starts_with('='), "{t:?}");
        }
    }

    #[test]
    fn parses_the_usual_forms_as_dotenv_does() {
        let env = map(
            "# comment\nDATABASE_URL=\"postgresql://u:p@h:5432/d?schema=public\"\nexport A=1\nB = two words # trailing\nC='lit $A'\nD=\"line\\nbreak\"\nE=${A}x\nG=\"a\nb\"\nH=abc#def\nI=`back`\n",
        );
        assert_eq!(env["DATABASE_URL"], "postgresql://u:p@h:5432/d?schema=public");
        assert_eq!(env["A"], "1");
        assert_eq!(env["B"], "two words");
        assert_eq!(env["C"], "lit $A");
        assert_eq!(env["D"], "line\nbreak");
        assert_eq!(env["E"], "${A}x", "dotenv itself does not expand");
        assert_eq!(env["G"], "a\nb");
        assert_eq!(env["H"], "abc", "an unquoted value ends at #, as in dotenv");
        assert_eq!(env["I"], "back");
    }

    #[test]
    fn bom_colon_form_and_crlf() {
        let env = map("\u{feff}DATABASE_URL: postgresql://u@h/d\r\nOTHER=x\r\n");
        assert_eq!(env["DATABASE_URL"], "postgresql://u@h/d");
        assert_eq!(env["OTHER"], "x");
    }

    #[test]
    fn later_keys_win_within_a_file() {
        assert_eq!(map("A=1\nA=2\n")["A"], "2");
    }

    #[test]
    fn prisma6_expansion_uses_the_real_environment_first() {
        let outer = |k: &str| (k == "HOST").then(|| "db.internal".to_string());
        let env = parse_expanded("A=1\nURL=postgresql://u@${HOST}/d\nF=$A/x\n", &outer);
        assert_eq!(env["URL"], "postgresql://u@db.internal/d");
        assert_eq!(env["F"], "1/x");
    }
}
