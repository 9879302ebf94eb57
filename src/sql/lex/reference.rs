//! The splitter and tokenizer before [`super::lex`] read a migration in one pass: a copy of
//! the text with comments and string bodies blanked, split at `;`, then each statement
//! tokenized from that copy. Kept to hold the one-pass lexer to the same statements and
//! tokens.

#![allow(dead_code)]

use super::{dollar_tag, IN_WORD, SPECIAL};
use crate::sql::tokens::{Tk, Tok};

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
                let end = memchr::memchr2(b'\n', b'\r', &bytes[i..]).map_or(bytes.len(), |n| i + n);
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

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// Where the tokens of a statement are: what [`spans`] finds, made into [`Tok`]s by [`toks`]
/// without reading the statement again. Spans borrow nothing, so they can be found on
/// another thread than the one that reads them (see [`crate::sql::analyze::prepare`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spans {
    spans: Vec<Span>,
    /// Values changed by unquoting (`''` -> `'`, `""` -> `"`), in token order.
    unquoted: Vec<String>,
}

/// 16 bytes a token: a scan of 800 migrations finds ~200,000 of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    kind: Tk,
    /// The value is the next of [`Spans::unquoted`].
    unquoted: bool,
    pos: u32,
    /// The value's bytes: in `text` for strings, in `code` otherwise.
    start: u32,
    end: u32,
}

/// The tokens of a statement, from [`spans`] of the same `code` and `text`.
pub fn toks<'a>(spans: &'a Spans, code: &'a str, text: &'a str) -> Vec<Tok<'a>> {
    let mut unquoted = spans.unquoted.iter();
    spans
        .spans
        .iter()
        .map(|s| {
            let value = match s.unquoted.then(|| unquoted.next()).flatten() {
                Some(v) => v.as_str(),
                None => {
                    let from = if s.kind == Tk::Str { text } else { code };
                    from.get(s.start as usize..s.end as usize).unwrap_or("")
                }
            };
            Tok { kind: s.kind, value, pos: s.pos as usize }
        })
        .collect()
}

/// Token positions in `code`; `text` is the same statement with strings intact. A statement
/// is far below 4 GiB (files are read whole); offsets past that would only misplace tokens.
pub fn spans(code: &str, text: &str) -> Spans {
    let b = code.as_bytes();
    let mut out = Spans { spans: Vec::with_capacity(b.len() / 4), unquoted: Vec::new() };
    let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let push = |out: &mut Spans, kind: Tk, pos: usize, start: usize, end: usize, unquoted: Option<String>| {
        out.spans.push(Span { kind, unquoted: unquoted.is_some(), pos: at(pos), start: at(start), end: at(end) });
        out.unquoted.extend(unquoted);
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        match c {
            b'\'' => {
                // The body is blanked in `code`: the next quote closes it.
                let end = memchr::memchr(b'\'', &b[i + 1..]).map_or(b.len(), |n| i + 1 + n);
                let raw = text.get(i + 1..end).unwrap_or("");
                let unquoted = raw.contains("''").then(|| raw.replace("''", "'"));
                push(&mut out, Tk::Str, start, i + 1, end, unquoted);
                i = end + 1;
            }
            b'"' | b'`' | b'[' => {
                let close = if c == b'[' { b']' } else { c };
                let mut j = i + 1;
                let mut doubled = false;
                while j < b.len() {
                    if b[j] == close {
                        if b.get(j + 1) == Some(&close) && close != b']' {
                            doubled = true;
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                let end = j.min(b.len());
                let unquoted = doubled.then(|| {
                    let q = (close as char).to_string();
                    code.get(i + 1..end).unwrap_or("").replace(&q.repeat(2), &q)
                });
                push(&mut out, Tk::Ident, start, i + 1, end, unquoted);
                i = j + 1;
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                while i < b.len() && IN_WORD[b[i] as usize] {
                    i += 1;
                }
                push(&mut out, Tk::Word, start, start, i, None);
            }
            _ => {
                // ASCII here (every byte >= 0x80 starts or continues a word).
                push(&mut out, Tk::Punct, start, i, i + 1, None);
                i += 1;
            }
        }
    }
    out
}
