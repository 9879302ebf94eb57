//! `prisma-guard-ignore <rule>[, <rule>]: <reason>` comments (`--`, `#` or `//`).

use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// 1-based line of the comment.
    pub line: usize,
    /// 1-based column of `prisma-guard-ignore`.
    pub col: usize,
    /// Byte offset of the comment in the file.
    pub offset: usize,
    pub rules: Vec<String>,
    pub reason: Option<String>,
}

pub const WORD: &str = "prisma-guard-ignore";

/// Every directive in `text`; `json`: the comments are inside JSON strings (package.json
/// scripts), so a reason ends at its string's closing quote, never takes the `"}` after it.
pub fn directives_in(text: &str, json: bool) -> Vec<Directive> {
    static FINDER: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    if FINDER.get_or_init(|| memchr::memmem::Finder::new(WORD)).find(text.as_bytes()).is_none() {
        return Vec::new();
    }
    // Compiled only for a file that has a directive (most have none).
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"(?:--|#|//)\s*prisma-guard-ignore(?:\s+([A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*))?\s*(?::([^\n]*))?",
        )
        .expect("static regex")
    });
    let mut out = Vec::new();
    for c in re.captures_iter(text) {
        let Some(whole) = c.get(0) else { continue };
        let word_at = whole.start() + whole.as_str().find(WORD).unwrap_or(0);
        let (line, col) = super::extract::line_col(text, word_at);
        let rules = c
            .get(1)
            .map(|m| m.as_str().split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect())
            .unwrap_or_default();
        let reason = c
            .get(2)
            .map(|m| if json { json_string_rest(m.as_str()) } else { m.as_str() })
            .map(|m| m.trim().trim_end_matches(['"', '\'', '`', ',']).trim().to_string())
            .filter(|r| !r.is_empty() && !r.starts_with("*/"));
        out.push(Directive { line, col, offset: whole.start(), rules, reason });
    }
    out
}

/// The part of `rest` (text inside a JSON string) before the string's closing quote.
fn json_string_rest(rest: &str) -> &str {
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            '"' if !escaped => return &rest[..i],
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_and_reasons() {
        let d = directives_in("-- prisma-guard-ignore drop-column, drop-table: moved to archive\nDROP TABLE x;\n# prisma-guard-ignore prisma-migrate-reset\n", false);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].rules, vec!["drop-column", "drop-table"]);
        assert_eq!(d[0].reason.as_deref(), Some("moved to archive"));
        assert_eq!((d[1].line, d[1].reason.as_deref()), (3, None));
        let d =
            directives_in("\"x\": \"prisma migrate reset # prisma-guard-ignore prisma-migrate-reset: test db\",", true);
        assert_eq!(d[0].reason.as_deref(), Some("test db"));
        // In a package.json script, the reason ends with the string: `"}}` after an empty
        // reason is no reason; an escaped quote inside one is part of it.
        let text = "{\"scripts\":{\"u\":\"prisma db push --accept-data-loss # prisma-guard-ignore prisma-accept-data-loss:\"}}";
        assert_eq!(directives_in(text, true)[0].reason, None);
        let text = "{\"scripts\":{\"u\":\"prisma db push # prisma-guard-ignore x: the \\\"test\\\" db\"}}";
        assert_eq!(directives_in(text, true)[0].reason.as_deref(), Some("the \\\"test\\\" db"));
    }
}
