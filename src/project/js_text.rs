//! JavaScript text as the config readers see it, without running it: comments stripped,
//! which characters are code and which are inside string literals, calls at the module's top
//! level, balanced argument lists and top-level commas.

use std::sync::OnceLock;

use regex_lite::Regex;

/// A static regex, compiled on first use.
pub(super) fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

/// Remove `//` and `/* */` comments outside string literals.
pub fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => {
                quote = Some(c);
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The characters of JavaScript text that are code, not inside a string literal (quotes and
/// backslash escapes followed), with their offsets.
pub(super) fn code_chars(src: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    src.char_indices().filter(move |&(_, c)| {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            return false;
        }
        if matches!(c, '"' | '\'' | '`') {
            quote = Some(c);
            return false;
        }
        true
    })
}

/// Whether the call starting at `at` is a statement of its own at the module's top level:
/// outside every block and parenthesis, with nothing before it on its statement but
/// `await`/`void` or the `require("dotenv")` it is called on.
pub(super) fn at_top_level(src: &str, at: usize) -> bool {
    let mut depth = 0i32;
    let mut statement_start = 0;
    for (i, c) in code_chars(&src[..at]) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 && c == '}' {
                    statement_start = i + 1;
                }
            }
            ';' | '\n' if depth == 0 => statement_start = i + 1,
            _ => {}
        }
    }
    if depth != 0 {
        return false;
    }
    let before = src[statement_start..at].trim();
    let before = before.strip_prefix("await").unwrap_or(before).trim();
    let before = before.strip_prefix("void").unwrap_or(before).trim();
    // What the call is made on: `dotenv.config()`, `require("dotenv").config()`.
    let on = before.strip_suffix('.').unwrap_or(before).trim();
    on.is_empty()
        || on == "dotenv"
        || (on.starts_with("require(")
            && on.ends_with(')')
            && on.contains("dotenv")
            && !on[8..on.len() - 1].contains('('))
}

/// The text between a call's parentheses (`rest` starts after the `(`), or `None` when it
/// does not close.
pub(super) fn balanced_args(rest: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in code_chars(rest) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' if depth == 0 => return Some(&rest[..i]),
            ')' | ']' | '}' => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

/// Split on commas that are not inside brackets or strings.
pub(super) fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}
