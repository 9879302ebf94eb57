//! One pass over SQL text: its statements (split at top-level `;`) and the tokens of the
//! statements the analysis reads.
//!
//! Respects single-quoted strings (with `''` and, for MySQL, backslash escapes), double-quoted
//! and backtick identifiers, `--`/`#` line comments, `/* */` block comments (nested, as
//! PostgreSQL allows) and PostgreSQL dollar quoting (`$$ ... $$`, `$tag$ ... $tag$`).
//!
//! A migration is read once, byte by byte only where a token starts: no copy of the file with
//! its comments blanked, no second pass to tokenize. A statement no rule reads (an index, a
//! comment, a grant) is recognised by its first words and skipped to its `;` without
//! tokens. Tokens borrow nothing (offsets into the file), so the lexing can run on another
//! thread than the analysis that reads them ([`Lexed::toks`]).

use super::tokens::{Tk, Tok};

/// Where one statement is in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Byte offset of the statement's first character that is not blank or a comment.
    pub offset: usize,
    /// End of the statement's text, trimmed (a trailing comment is part of the text).
    pub text_end: usize,
    /// 1-based line of the first character.
    pub line: usize,
    /// Its tokens in [`Lexed`]: empty when the statement was not tokenized.
    toks: (u32, u32),
}

impl Piece {
    /// The statement's source text, trimmed; `sql` is the text lexed.
    pub fn text<'a>(&self, sql: &'a str) -> &'a str {
        sql.get(self.offset..self.text_end).unwrap_or("")
    }

    /// Where its tokens are in [`Lexed::toks`].
    pub fn toks(&self) -> std::ops::Range<usize> {
        self.toks.0 as usize..self.toks.1 as usize
    }
}

/// The statements of a text and their tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexed {
    pub statements: Vec<Piece>,
    spans: Vec<Span>,
    /// Values changed by unquoting (`''` -> `'`, `""` -> `"`), in token order.
    unquoted: Vec<String>,
    /// A string, quoted identifier, comment or dollar quote runs to the end of the text.
    unterminated: bool,
}

/// 12 bytes a token: a scan of 800 migrations finds ~100,000 of them. Offsets are into the
/// text lexed, which is far below 4 GiB (files are read whole; see [`at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    kind: Tk,
    /// The value is the next of [`Lexed::unquoted`].
    unquoted: bool,
    /// The value's bytes. A string or quoted identifier starts one byte after its quote.
    start: u32,
    end: u32,
}

impl Span {
    /// Where the token starts in the text: its opening quote, for a quoted one.
    fn pos(&self) -> usize {
        self.start as usize - usize::from(matches!(self.kind, Tk::Str | Tk::Ident))
    }
}

impl Lexed {
    /// Every token of the text `sql` lexed (a statement's are at [`Piece::toks`]).
    pub fn toks<'a>(&'a self, sql: &'a str) -> Vec<Tok<'a>> {
        let mut unquoted = self.unquoted.iter();
        self.spans
            .iter()
            .map(|s| {
                let (start, end) = (s.start as usize, s.end as usize);
                let value = match s.unquoted.then(|| unquoted.next()).flatten() {
                    Some(v) => v.as_str(),
                    None => sql.get(start..end).unwrap_or(""),
                };
                Tok { kind: s.kind, value, pos: s.pos() }
            })
            .collect()
    }
}

/// Whether a rule reads a statement, by its first word: CREATE (decided by its second
/// word), ALTER, RENAME, DROP, TRUNCATE, DELETE, UPDATE, INSERT, and the statements that
/// hide data changes (WITH, MERGE, PREPARE, DO, EXECUTE), and those that run functions
/// (VALUES, DECLARE ... CURSOR, SET). `None`: CREATE.
fn first_word_read(word: &[u8]) -> Option<bool> {
    const READ: [&[u8]; 22] = [
        b"VALUES",
        b"DECLARE",
        b"SET",
        b"PRAGMA",
        b"LOAD",
        b"EXPLAIN",
        b"REPLACE",
        b"CALL",
        b"COPY",
        b"SELECT",
        b"ALTER",
        b"RENAME",
        b"DROP",
        b"TRUNCATE",
        b"DELETE",
        b"UPDATE",
        b"INSERT",
        b"WITH",
        b"MERGE",
        b"PREPARE",
        b"DO",
        b"EXECUTE",
    ];
    if word.eq_ignore_ascii_case(b"CREATE") {
        return None;
    }
    Some(READ.iter().any(|kw| word.eq_ignore_ascii_case(kw)))
}

/// Whether a rule reads a CREATE statement, by its second word: not of an index or an
/// extension (a view's query may call a function that deletes).
fn second_word_read(word: &[u8]) -> bool {
    const SKIPPED: [&[u8]; 3] = [b"INDEX", b"UNIQUE", b"EXTENSION"];
    !SKIPPED.iter().any(|kw| word.eq_ignore_ascii_case(kw))
}

/// Byte classes, for the dispatch at a token's start.
const BLANK: u8 = 0;
const WORD: u8 = 1;
const PUNCT: u8 = 2;
/// Anything else that needs a look: quotes, comments, `$`, `[`, `;`.
const OTHER: u8 = 3;

const CLASS: [u8; 256] = {
    let mut t = [PUNCT; 256];
    let mut k = 0;
    while k < 256 {
        let c = k as u8;
        t[k] = if c.is_ascii_whitespace() {
            BLANK
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            WORD
        } else if matches!(c, b'\'' | b'"' | b'`' | b'[' | b'-' | b'#' | b'/' | b'$' | b';') {
            OTHER
        } else {
            PUNCT
        };
        k += 1;
    }
    t
};

/// Bytes that continue a bare word: letters, digits, `_`, `$`, and any non-ASCII byte.
const IN_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    while k < 256 {
        let c = k as u8;
        t[k] = c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
        k += 1;
    }
    t
};

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

/// An offset as stored in a token (files are read whole, far below 4 GiB; past that a token
/// would only be misplaced).
fn at(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The statements of `sql`, with the tokens of those a rule reads; `all`: of every
/// statement (Prisma's warnings are tied to statements by the names they mention).
pub fn lex(sql: &str, all: bool) -> Lexed {
    lex_with(sql, all, true)
}

/// [`lex`], with `backslash`: whether a backslash escapes the next character in a
/// single-quoted string (MySQL's default; PostgreSQL's only in `E'...'`, not read here).
pub fn lex_with(sql: &str, all: bool, backslash: bool) -> Lexed {
    let mut lx = Lexer {
        sql,
        backslash,
        b: sql.as_bytes(),
        out: Lexed { spans: Vec::with_capacity(sql.len() / 8), ..Lexed::default() },
        line: 1,
        counted: 0,
    };
    let mut i = 0;
    loop {
        let end = lx.statement(i, all);
        if end >= lx.b.len() {
            break;
        }
        i = end + 1;
    }
    lx.out
}

struct Lexer<'a> {
    sql: &'a str,
    backslash: bool,
    b: &'a [u8],
    out: Lexed,
    /// The line at byte `counted` (lines are counted once over the file, not per statement).
    line: usize,
    counted: usize,
}

impl Lexer<'_> {
    fn push(&mut self, kind: Tk, start: usize, end: usize, unquoted: Option<String>) {
        self.out.spans.push(Span { kind, unquoted: unquoted.is_some(), start: at(start), end: at(end) });
        self.out.unquoted.extend(unquoted);
    }

    /// Read the statement starting at `from`; the index of its `;` (or the text's end).
    fn statement(&mut self, from: usize, all: bool) -> usize {
        let b = self.b;
        let (first_tok, first_unquoted) = (self.out.spans.len(), self.out.unquoted.len());
        let mut offset = None;
        let mut decided = all;
        let mut i = from;
        let end = loop {
            let Some(&c) = b.get(i) else { break b.len() };
            let class = CLASS[c as usize];
            if class == BLANK {
                i += 1;
                continue;
            }
            if offset.is_none() && c >= 0x80 {
                // Unicode blanks before a statement are not part of it.
                if let Some(ch) = self.sql.get(i..).and_then(|s| s.chars().next()).filter(|ch| ch.is_whitespace()) {
                    i += ch.len_utf8();
                    continue;
                }
            }
            let before = self.out.spans.len();
            match class {
                WORD => {
                    let start = i;
                    i = word_end(b, i + 1);
                    self.push(Tk::Word, start, i, None);
                }
                PUNCT => {
                    self.push(Tk::Punct, i, i + 1, None);
                    i += 1;
                }
                _ => match self.other(i) {
                    Some(next) => i = next,
                    None => break i, // `;`
                },
            }
            if self.out.spans.len() == before {
                continue; // a comment
            }
            offset.get_or_insert(self.out.spans[before].pos());
            if !decided {
                match self.decide(first_tok) {
                    Some(true) => decided = true,
                    Some(false) => {
                        self.out.spans.truncate(first_tok);
                        self.out.unquoted.truncate(first_unquoted);
                        break skip_statement(b, i, &mut self.out.unterminated, self.backslash);
                    }
                    None => {}
                }
            }
        };
        if let Some(offset) = offset {
            let text_end = offset + self.sql.get(offset..end).unwrap_or("").trim_ascii_end().trim_end().len();
            self.line += memchr::memchr_iter(b'\n', &b[self.counted..offset]).count();
            self.counted = offset;
            let toks = (at(first_tok), at(self.out.spans.len()));
            self.out.statements.push(Piece { offset, text_end, line: self.line, toks });
        }
        end
    }

    /// Whether a rule reads the statement whose tokens start at `first`, from its words so
    /// far (`None`: not known yet).
    fn decide(&self, first: usize) -> Option<bool> {
        let word = |k: usize| {
            self.out.spans.get(k).filter(|s| s.kind == Tk::Word).map(|s| &self.b[s.start as usize..s.end as usize])
        };
        let Some(first_word) = word(first) else { return Some(false) };
        if let Some(read) = first_word_read(first_word) {
            return Some(read);
        }
        if self.out.spans.len() - first < 2 {
            return None;
        }
        Some(word(first + 1).is_none_or(second_word_read))
    }

    /// The token, comment or quoted text at `i` (a byte of class `OTHER`): the index after
    /// it, or `None` for the `;` that ends the statement.
    fn other(&mut self, i: usize) -> Option<usize> {
        let b = self.b;
        if let Some(end) = comment_end(b, i, &mut self.out.unterminated) {
            return Some(end);
        }
        Some(match b[i] {
            b';' => return None,
            q @ (b'\'' | b'"' | b'`') => {
                // Backslash escapes only in strings (MySQL); doubled quotes in both.
                let (close, end) = match quoted_end(b, i, q, q == b'\'' && self.backslash) {
                    Some(end) => (end - 1, end),
                    None => {
                        self.out.unterminated = true;
                        (b.len(), b.len())
                    }
                };
                let raw = self.sql.get(i + 1..close).unwrap_or("");
                let doubled = [q, q];
                let unquoted = memchr::memmem::find(raw.as_bytes(), &doubled).map(|_| {
                    let q = (q as char).to_string();
                    raw.replace(&q.repeat(2), &q)
                });
                self.push(if q == b'\'' { Tk::Str } else { Tk::Ident }, i + 1, close, unquoted);
                end
            }
            b'[' => match bracket_end(b, i) {
                // `[name]` (SQL Server), `TEXT[]`: an identifier.
                Some(close) => {
                    self.push(Tk::Ident, i + 1, close, None);
                    close + 1
                }
                None => {
                    self.push(Tk::Punct, i, i + 1, None);
                    i + 1
                }
            },
            b'$' => match dollar_tag(b, i) {
                Some(tag) => self.dollar_quote(i, tag.len()),
                None => {
                    self.push(Tk::Punct, i, i + 1, None);
                    i + 1
                }
            },
            _ => {
                self.push(Tk::Punct, i, i + 1, None);
                i + 1
            }
        })
    }

    /// A dollar-quoted body: the tags as tokens (`$`, and `tag$` when named, as a bare
    /// word would read them), the body skipped.
    fn dollar_quote(&mut self, i: usize, tag_len: usize) -> usize {
        let b = self.b;
        self.push(Tk::Punct, i, i + 1, None);
        if tag_len == 2 {
            self.push(Tk::Punct, i + 1, i + 2, None);
        } else {
            self.push(Tk::Word, i + 1, i + tag_len, None);
        }
        let body = i + tag_len;
        let Some(close) = find(b, body, &b[i..body]) else {
            self.out.unterminated = true;
            return b.len();
        };
        self.push(Tk::Punct, close, close + 1, None);
        if tag_len == 2 {
            self.push(Tk::Punct, close + 1, close + 2, None);
            return close + 2;
        }
        // The closing tag reads as a word that goes on into what follows it.
        let end = word_end(b, close + 1);
        self.push(Tk::Word, close + 1, end, None);
        end
    }
}

/// From `i` inside a statement no rule reads: the index of its `;` (or the text's end).
fn skip_statement(bytes: &[u8], mut i: usize, unterminated: &mut bool, backslash: bool) -> usize {
    loop {
        // Most bytes are plain SQL: skip them without the dispatch below.
        while i < bytes.len() && !SPECIAL[bytes[i] as usize] {
            i += 1;
        }
        if i >= bytes.len() {
            return bytes.len();
        }
        if let Some(end) = comment_end(bytes, i, unterminated) {
            i = end;
            continue;
        }
        i = match bytes[i] {
            b';' => return i,
            q @ (b'\'' | b'"' | b'`') => quoted_end(bytes, i, q, q == b'\'' && backslash).unwrap_or_else(|| {
                *unterminated = true;
                bytes.len()
            }),
            b'$' => match dollar_tag(bytes, i) {
                Some(tag) => match find(bytes, i + tag.len(), tag) {
                    Some(n) => n + tag.len(),
                    None => {
                        *unterminated = true;
                        bytes.len()
                    }
                },
                None => i + 1,
            },
            _ => i + 1,
        };
    }
}

/// The end of the comment starting at `i`, if one does: a `--` or `#` comment ends at its
/// newline or carriage return (as PostgreSQL's scanner ends it; MySQL and SQLite read on to
/// the newline, see `readings::cr_reading`), a block comment after its `*/`; one that does not end runs to the end
/// of the text (and sets `unterminated`).
fn comment_end(bytes: &[u8], i: usize, unterminated: &mut bool) -> Option<usize> {
    match (bytes[i], bytes.get(i + 1)) {
        (b'#', _) | (b'-', Some(b'-')) => {
            Some(memchr::memchr2(b'\n', b'\r', &bytes[i..]).map_or(bytes.len(), |n| i + n))
        }
        (b'/', Some(b'*')) => Some(block_comment_end(bytes, i).unwrap_or_else(|| {
            *unterminated = true;
            bytes.len()
        })),
        _ => None,
    }
}

/// The end of the bare word whose bytes continue at `i`.
fn word_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && IN_WORD[bytes[i] as usize] {
        i += 1;
    }
    i
}

/// Index just past the quote that closes the one at `open`; `None` when it does not close.
fn quoted_end(bytes: &[u8], open: usize, quote: u8, backslash: bool) -> Option<usize> {
    let mut i = open + 1;
    loop {
        let rest = bytes.get(i..)?;
        let n = if backslash { memchr::memchr2(quote, b'\\', rest) } else { memchr::memchr(quote, rest) }?;
        i += n;
        // A backslash escape, or a doubled quote: both skip two bytes.
        if bytes[i] != b'\\' && bytes.get(i + 1) != Some(&quote) {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// Index just past the end of the (nested) block comment at `open`; `None` when it does
/// not end.
fn block_comment_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = open;
    loop {
        // Only `/` and `*` matter inside a comment.
        i += memchr::memchr2(b'/', b'*', bytes.get(i..)?)?;
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'*')) => depth += 1,
            (b'*', Some(b'/')) => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 2);
                }
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
}

/// The `]` closing the `[` at `open`, when it closes before anything that quotes,
/// comments or ends a statement.
fn bracket_end(bytes: &[u8], open: usize) -> Option<usize> {
    for (j, &c) in bytes.iter().enumerate().skip(open + 1) {
        let next = bytes.get(j + 1).copied();
        match c {
            b']' => return Some(j),
            b'\'' | b'"' | b'`' | b';' | b'#' | b'$' => return None,
            b'-' if next == Some(b'-') => return None,
            b'/' if next == Some(b'*') => return None,
            _ => {}
        }
    }
    None
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
    memchr::memmem::find(hay.get(from..)?, needle).map(|p| p + from)
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(sql: &str) -> Vec<&str> {
        lex(sql, true).statements.iter().map(|s| s.text(sql)).collect()
    }

    /// Each statement's tokens as `kind value` strings.
    fn tokens(sql: &str, all: bool) -> Vec<Vec<String>> {
        let lexed = lex(sql, all);
        let toks = lexed.toks(sql);
        lexed
            .statements
            .iter()
            .map(|s| toks[s.toks()].iter().map(|t| format!("{:?} {}", t.kind, t.value)).collect())
            .collect()
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
    fn dollar_quoted_bodies_are_one_statement_and_not_read() {
        let sql = "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM t; END; $$ LANGUAGE plpgsql;\nDO $body$ BEGIN DROP TABLE x; END $body$;\nSELECT $1;";
        let lexed = lex(sql, true);
        assert_eq!(lexed.statements.len(), 3);
        assert!(lexed.statements[0].text(sql).ends_with("LANGUAGE plpgsql"));
        let toks = tokens(sql, true);
        assert!(!toks[0].iter().any(|t| t.contains("DELETE")), "the body is not read: {:?}", toks[0]);
        assert!(toks[1].contains(&"Word body$".to_string()), "{:?}", toks[1]);
        assert_eq!(lexed.statements[2].line, 3);
    }

    #[test]
    fn comments_and_strings_hold_no_tokens() {
        let sql = "-- DROP TABLE a;\nSELECT 'DROP TABLE b' /* TRUNCATE c */;";
        let lexed = lex(sql, true);
        assert_eq!(lexed.statements.len(), 1);
        assert_eq!(lexed.statements[0].line, 2, "a statement starts at its code, after leading comments");
        assert_eq!(lexed.statements[0].text(sql), "SELECT 'DROP TABLE b' /* TRUNCATE c */");
        assert_eq!(tokens(sql, true), vec![vec!["Word SELECT", "Str DROP TABLE b"]]);
    }

    #[test]
    fn mysql_backslash_escapes_in_strings() {
        assert_eq!(
            texts("INSERT INTO t VALUES ('a\\';b'); DELETE FROM t"),
            vec!["INSERT INTO t VALUES ('a\\';b')", "DELETE FROM t"]
        );
    }

    #[test]
    fn unterminated_input_runs_to_the_end_without_panicking() {
        for sql in ["'open", "\"open", "/* open", "$$ open", "$tag$ x $ta", "--", "$", "a$b$c", "DROP '", "[", "x [a"] {
            let lexed = lex(sql, true);
            assert!(lexed.statements.iter().all(|s| s.text_end <= sql.len()), "{sql}");
        }
        assert!(lex("DROP TABLE 'x", true).unterminated);
        assert!(!lex("DROP TABLE 'x'", true).unterminated);
        // A string closing on the text's last byte is closed.
        assert!(!lex("'x'", true).unterminated);
        assert!(lex("/* a /* b */", false).unterminated, "nested: one level still open");
    }

    /// Statements no rule reads are kept (suppressions and `db execute` point at them) but
    /// not tokenized; with `all`, every statement is.
    #[test]
    fn only_statements_a_rule_reads_are_tokenized() {
        let sql = "CREATE INDEX \"a\" ON \"t\"(\"x\");\nCREATE UNIQUE INDEX b ON t(x);\ncreate table t (id int);\n\
                   COMMENT ON TABLE t IS 'x';\nalter table t drop column x;\n'lit';\nCREATE;\nCREATE (x);";
        let some = tokens(sql, false);
        assert_eq!(some.len(), 8);
        let read: Vec<bool> = some.iter().map(|t| !t.is_empty()).collect();
        assert_eq!(read, [false, false, true, false, true, false, true, true]);
        let all = tokens(sql, true);
        assert!(all.iter().all(|t| !t.is_empty()));
        for (s, a) in some.iter().zip(&all) {
            assert!(s.is_empty() || s == a);
        }
        let (a, b) = (lex(sql, false), lex(sql, true));
        let place = |l: &Lexed| l.statements.iter().map(|s| (s.offset, s.text_end, s.line)).collect::<Vec<_>>();
        assert_eq!(place(&a), place(&b), "the same statements either way");
    }

    #[test]
    fn brackets_quote_names_and_mark_arrays() {
        assert_eq!(
            tokens("ALTER TABLE [dbo].[User] ADD [tags] TEXT[]", true)[0][2..],
            ["Ident dbo", "Punct .", "Ident User", "Word ADD", "Ident tags", "Word TEXT", "Ident "]
        );
        // Not closed before a string: a `[` and what follows, read as usual.
        assert_eq!(
            tokens("SELECT ARRAY['a;b']", true),
            vec![vec!["Word SELECT", "Word ARRAY", "Punct [", "Str a;b", "Punct ]"]]
        );
    }

    #[test]
    fn unicode_blanks_before_a_statement_are_not_part_of_it() {
        let sql = "\u{a0}\u{2003}DROP TABLE x;";
        let lexed = lex(sql, false);
        assert_eq!(lexed.statements[0].offset, sql.find('D').unwrap_or(0));
        assert_eq!(tokens(sql, false)[0][0], "Word DROP");
    }

    /// A statement (offset, end of its text, line) and its tokens (kind, value, position in
    /// the statement).
    type Read = Vec<((usize, usize, usize), Vec<(Tk, String, usize)>)>;

    /// The old splitter and tokenizer on the same text.
    fn by_reference(sql: &str) -> Read {
        let (code, pieces) = reference::split_pieces(sql);
        pieces
            .iter()
            .map(|p| {
                let spans = reference::spans(p.code(&code), p.text(sql));
                let toks = reference::toks(&spans, p.code(&code), p.text(sql));
                ((p.offset, p.text_end, p.line), toks.iter().map(|t| (t.kind, t.value.to_string(), t.pos)).collect())
            })
            .collect()
    }

    fn by_lexer(sql: &str) -> Read {
        let lexed = lex(sql, true);
        let toks = lexed.toks(sql);
        lexed
            .statements
            .iter()
            .map(|s| {
                let t = toks[s.toks()].iter().map(|t| (t.kind, t.value.to_string(), t.pos - s.offset)).collect();
                ((s.offset, s.text_end, s.line), t)
            })
            .collect()
    }

    /// SQL made of the pieces migrations hold, run together or apart: words (keywords,
    /// names, numbers, non-ASCII), strings with `''` and backslash escapes, quoted names with
    /// doubled quotes, the three kinds of comments (nested blocks), dollar quotes with and
    /// without tags, punctuation and `;`. Not brackets: the one-pass lexer reads `[x]` as a
    /// name only when it closes before a quote or comment (`brackets_quote_names...`).
    fn lexeme() -> impl Strategy<Value = String> {
        let body = "[a-z ;'\"`#/*$\\-\n()]{1,8}";
        prop_oneof![
            prop::sample::select(vec![
                "CREATE", "TABLE", "INDEX", "ALTER", "DROP", "create", "unique", "x1", "a$b", "éa", "_n"
            ])
            .prop_map(str::to_string),
            "[a-z ;\"`#/*$\n-]{0,6}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
            "[a-z ;]{0,3}".prop_map(|s| format!("'{s}''{s}\\'x'")),
            "[a-z ;'`#$\n-]{0,6}".prop_map(|s| format!("\"{s}\"\"{s}\"")),
            "[a-z ;'\"#$\n-]{0,6}".prop_map(|s| format!("`{s}`")),
            "[a-z ;'\"`/*$]{0,8}".prop_map(|s| format!("-- {s}\n")),
            "[a-z ;'\"`$-]{0,8}".prop_map(|s| format!("# {s}\n")),
            "[a-z ;'\"`#$\n-]{0,8}".prop_map(|s| format!("/* {s} /* {s} */ */")),
            // Set apart: run into a word or another `$`, a `$` reads differently in the two
            // (the old tokenizer read the copy where the splitter had blanked the body).
            body.prop_filter("closes at its own end", |s| !s.contains('$')).prop_map(|s| format!(" $${s}$$ ")),
            body.prop_filter("closes at its own end", |s| !s.contains('$')).prop_map(|s| format!(" $q1${s}$q1$ ")),
            prop::sample::select(vec!["(", ")", ",", ".", "=", "::", "*", "-", "/", "$1", ";", ";;"])
                .prop_map(str::to_string),
        ]
    }

    fn migration() -> impl Strategy<Value = String> {
        prop::collection::vec((lexeme(), prop::sample::select(vec!["", " ", "\n", "\t", "  \n"])), 0..24)
            .prop_map(|parts| parts.into_iter().map(|(l, sep)| l + sep).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        /// The one-pass lexer finds the statements and tokens the two passes found.
        #[test]
        fn same_statements_and_tokens_as_the_reference(sql in migration()) {
            let lexed = lex(&sql, true);
            prop_assume!(!lexed.unterminated);
            prop_assert_eq!(by_lexer(&sql), by_reference(&sql));
        }

        /// Any text at all: no panic, statements in order, inside the text, on char boundaries.
        #[test]
        fn any_text_lexes_into_ordered_statements(sql in "[a;'\"`#/*$\\\\\n -é\u{a0}\\[\\]]{0,80}", all in any::<bool>()) {
            let lexed = lex(&sql, all);
            let toks = lexed.toks(&sql);
            let mut last = 0;
            for s in &lexed.statements {
                prop_assert!(s.offset >= last && s.offset < s.text_end && s.text_end <= sql.len());
                prop_assert!(sql.is_char_boundary(s.offset) && sql.is_char_boundary(s.text_end));
                prop_assert!(s.toks().end <= toks.len());
                last = s.text_end;
            }
        }
    }
}
