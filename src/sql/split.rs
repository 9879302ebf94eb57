//! Split SQL text into statements at top-level `;`, respecting single-quoted strings
//! (with `''` and, for MySQL, backslash escapes), double-quoted and backtick identifiers,
//! `--`/`#` line comments, `/* */` block comments (nested, as PostgreSQL allows) and
//! PostgreSQL dollar quoting (`$$ ... $$`, `$tag$ ... $tag$`).

/// One statement: its text with comments blanked out (same byte offsets), and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's source text, trimmed.
    pub text: String,
    /// The same text with comments and string contents replaced by spaces, for matching.
    pub code: String,
    /// Byte offset of the statement's first non-blank character in the input.
    pub offset: usize,
    /// 1-based line of that character.
    pub line: usize,
}

/// Where one statement is in its file: the file's text and its `code` (comments and string
/// bodies blanked, same offsets) from [`split_pieces`]. The scan keeps these instead of a
/// copy of each statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Byte offset of the statement's first non-blank character.
    pub offset: usize,
    /// End of the statement's text, trimmed.
    pub text_end: usize,
    /// End of the statement's code, trimmed (trailing comments are blank in the code).
    pub code_end: usize,
    /// 1-based line of the first character.
    pub line: usize,
}

impl Piece {
    /// The statement's source text, trimmed; `sql` is the file split.
    pub fn text<'a>(&self, sql: &'a str) -> &'a str {
        sql.get(self.offset..self.text_end).unwrap_or("")
    }

    /// The statement with comments and string contents blanked; `code` is from the same split.
    pub fn code<'a>(&self, code: &'a str) -> &'a str {
        code.get(self.offset..self.code_end).unwrap_or("")
    }
}

/// Bytes that may start a string, identifier, comment, dollar quote or end a statement.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    let bytes = b"'\"`-#/$;";
    while k < bytes.len() {
        t[bytes[k] as usize] = true;
        k += 1;
    }
    t
};

pub fn split(sql: &str) -> Vec<Statement> {
    let (code, pieces) = split_pieces(sql);
    pieces
        .iter()
        .map(|p| Statement {
            text: p.text(sql).to_string(),
            code: p.code(&code).to_string(),
            offset: p.offset,
            line: p.line,
        })
        .collect()
}

/// The statements of `sql` as [`Piece`]s, and its code: `sql` with comments and string
/// bodies blanked, byte for byte.
pub fn split_pieces(sql: &str) -> (String, Vec<Piece>) {
    let bytes = sql.as_bytes();
    // `code` mirrors `sql` byte for byte: comments and string bodies become spaces.
    let mut code = bytes.to_vec();
    let mut bounds = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let blank = |code: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut code[from..to] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    loop {
        // Most bytes are plain SQL: skip them without the dispatch below.
        while i < bytes.len() && !SPECIAL[bytes[i] as usize] {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        match bytes[i] {
            b'\'' => {
                let end = skip_quoted(bytes, i, b'\'', true);
                blank(&mut code, i + 1, end.saturating_sub(1).max(i + 1));
                i = end;
            }
            b'"' | b'`' => i = skip_quoted(bytes, i, bytes[i], false),
            // `--`, or MySQL's `#` (in PostgreSQL an operator, rare in migrations): to the line end.
            b'-' | b'#' if bytes[i] == b'#' || bytes.get(i + 1) == Some(&b'-') => {
                let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                code[i..end].fill(b' ');
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = skip_block_comment(bytes, i);
                blank(&mut code, i, end);
                i = end;
            }
            b'$' => match dollar_tag(bytes, i) {
                Some(tag) => {
                    let body_start = i + tag.len();
                    let end = find(bytes, body_start, tag).map_or(bytes.len(), |n| n + tag.len());
                    blank(&mut code, body_start, end.saturating_sub(tag.len()).max(body_start));
                    i = end;
                }
                None => i += 1,
            },
            b';' => {
                bounds.push((start, i));
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    bounds.push((start, bytes.len()));
    // Blanking replaces whole characters between ASCII delimiters, so `code` stays UTF-8.
    let code = String::from_utf8(code).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let mut line = 1;
    let mut counted = 0;
    let pieces = bounds
        .into_iter()
        .filter_map(|(from, to)| {
            let piece = code.get(from..to)?;
            // ASCII first (blanked comments are spaces), then any Unicode blank left.
            let trimmed = piece.trim_ascii_start().trim_start();
            let code_len = trimmed.trim_ascii_end().trim_end().len();
            if code_len == 0 {
                return None;
            }
            let offset = from + (piece.len() - trimmed.len());
            // Lines counted incrementally: linear in the file, not per statement.
            line += memchr::memchr_iter(b'\n', &bytes[counted..offset]).count();
            counted = offset;
            let text_len = sql.get(offset..to).unwrap_or("").trim_ascii_end().trim_end().len();
            Some(Piece { offset, text_end: offset + text_len, code_end: offset + code_len, line })
        })
        .collect();
    (code, pieces)
}

/// Index just past the closing quote (or the end of input when unclosed).
fn skip_quoted(bytes: &[u8], open: usize, quote: u8, backslash: bool) -> usize {
    let mut i = open + 1;
    loop {
        let next =
            if backslash { memchr::memchr2(quote, b'\\', &bytes[i..]) } else { memchr::memchr(quote, &bytes[i..]) };
        let Some(n) = next else { return bytes.len() };
        i += n;
        // A backslash escape, or a doubled quote: both skip two bytes.
        if bytes[i] != b'\\' && bytes.get(i + 1) != Some(&quote) {
            return i + 1;
        }
        i += 2;
        if i >= bytes.len() {
            return bytes.len();
        }
    }
}

fn skip_block_comment(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0;
    let mut i = open;
    while i + 1 < bytes.len() {
        // Only `/` and `*` matter inside a comment.
        let Some(n) = memchr::memchr2(b'/', b'*', &bytes[i..]) else { return bytes.len() };
        i += n;
        if i + 1 >= bytes.len() {
            break;
        }
        if bytes[i] == b'/' && bytes[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// `$tag$` at `i` (tag: letters, digits, underscores, not starting with a digit), if any.
fn dollar_tag(bytes: &[u8], i: usize) -> Option<&[u8]> {
    // `$1` is a parameter, not a quote.
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return None;
    }
    let mut j = i + 1;
    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
        j += 1;
    }
    if j < bytes.len() && bytes[j] == b'$' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        Some(&bytes[i..=j])
    } else {
        None
    }
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The splitter before it skipped plain bytes in bulk and searched quotes with memchr
    /// (kept to hold the faster one to the same answers).
    fn reference_split(sql: &str) -> Vec<Statement> {
        let bytes = sql.as_bytes();
        // `code` mirrors `sql` byte for byte: comments and string bodies become spaces.
        let mut code = bytes.to_vec();
        let mut bounds = Vec::new();
        let mut start = 0;
        let mut i = 0;
        let blank = |code: &mut Vec<u8>, from: usize, to: usize| {
            for b in &mut code[from..to] {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
        };
        while i < bytes.len() {
            match bytes[i] {
                b'\'' => {
                    let end = reference_skip_quoted(bytes, i, b'\'', true);
                    blank(&mut code, i + 1, end.saturating_sub(1).max(i + 1));
                    i = end;
                }
                b'"' | b'`' => i = reference_skip_quoted(bytes, i, bytes[i], false),
                b'-' if bytes.get(i + 1) == Some(&b'-') => {
                    let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                    blank(&mut code, i, end);
                    i = end;
                }
                b'#' => {
                    // MySQL line comment; in PostgreSQL `#` is an operator, rare in migrations.
                    let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                    blank(&mut code, i, end);
                    i = end;
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    let end = reference_skip_block_comment(bytes, i);
                    blank(&mut code, i, end);
                    i = end;
                }
                b'$' => match dollar_tag(bytes, i) {
                    Some(tag) => {
                        let body_start = i + tag.len();
                        let end = find(bytes, body_start, tag).map_or(bytes.len(), |n| n + tag.len());
                        blank(&mut code, body_start, end.saturating_sub(tag.len()).max(body_start));
                        i = end;
                    }
                    None => i += 1,
                },
                b';' => {
                    bounds.push((start, i));
                    i += 1;
                    start = i;
                }
                _ => i += 1,
            }
        }
        bounds.push((start, bytes.len()));
        // Blanking replaces whole characters between ASCII delimiters, so `code` stays UTF-8.
        let code = String::from_utf8(code).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let mut line = 1;
        let mut counted = 0;
        bounds
            .into_iter()
            .filter_map(|(from, to)| {
                let piece = code.get(from..to)?;
                let trimmed = piece.trim_start();
                if trimmed.trim_end().is_empty() {
                    return None;
                }
                let offset = from + (piece.len() - trimmed.len());
                // Lines counted incrementally: linear in the file, not per statement.
                line += bytes[counted..offset].iter().filter(|&&b| b == b'\n').count();
                counted = offset;
                Some(Statement {
                    text: sql.get(offset..to).unwrap_or("").trim_end().to_string(),
                    code: trimmed.trim_end().to_string(),
                    offset,
                    line,
                })
            })
            .collect()
    }

    fn reference_skip_quoted(bytes: &[u8], open: usize, quote: u8, backslash: bool) -> usize {
        let mut i = open + 1;
        while i < bytes.len() {
            let b = bytes[i];
            if backslash && b == b'\\' {
                i += 2;
                continue;
            }
            if b == quote {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i += 1;
        }
        bytes.len()
    }

    fn reference_skip_block_comment(bytes: &[u8], open: usize) -> usize {
        let mut depth = 0;
        let mut i = open;
        while i + 1 < bytes.len() {
            if bytes[i] == b'/' && bytes[i + 1] == b'*' {
                depth += 1;
                i += 2;
            } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            } else {
                i += 1;
            }
        }
        bytes.len()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]
        #[test]
        fn same_statements_as_the_reference(sql in "[a;'\"`#/*$\\\n -é]{0,80}") {
            proptest::prop_assert_eq!(split(&sql), reference_split(&sql));
        }
    }

    fn texts(sql: &str) -> Vec<String> {
        split(sql).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let sql = "INSERT INTO t VALUES ('a;b', 'it''s;');\nUPDATE \"we;ird\" SET x = 1; -- c;omment\n/* block; */ DELETE FROM `my;t` WHERE id = 1;";
        assert_eq!(
            texts(sql),
            vec![
                "INSERT INTO t VALUES ('a;b', 'it''s;')",
                "UPDATE \"we;ird\" SET x = 1",
                "DELETE FROM `my;t` WHERE id = 1"
            ]
        );
    }

    #[test]
    fn dollar_quoted_bodies_are_one_statement() {
        let sql = "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM t; END; $$ LANGUAGE plpgsql;\nDO $body$ BEGIN DROP TABLE x; END $body$;\nSELECT $1;";
        let s = split(sql);
        assert_eq!(s.len(), 3);
        assert!(s[0].text.ends_with("LANGUAGE plpgsql"));
        assert!(!s[0].code.contains("DELETE"), "dollar body is blanked in code: {}", s[0].code);
        assert_eq!(s[2].line, 3);
    }

    #[test]
    fn comments_and_strings_are_blanked_in_code() {
        let s = split("-- DROP TABLE a;\nSELECT 'DROP TABLE b' /* TRUNCATE c */;");
        assert_eq!(s.len(), 1);
        assert!(!s[0].code.contains("DROP") && !s[0].code.contains("TRUNCATE"), "{}", s[0].code);
        assert_eq!(s[0].line, 2, "a statement starts at its code, after leading comments");
        assert_eq!(s[0].text, "SELECT 'DROP TABLE b' /* TRUNCATE c */");
    }

    #[test]
    fn mysql_backslash_escapes_in_strings() {
        assert_eq!(
            texts("INSERT INTO t VALUES ('a\\';b'); DELETE FROM t"),
            vec!["INSERT INTO t VALUES ('a\\';b')", "DELETE FROM t"]
        );
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for sql in ["'open", "\"open", "/* open", "$$ open", "$tag$ x $ta", "--", "$", "a$b$c"] {
            let _ = split(sql);
        }
    }
}
