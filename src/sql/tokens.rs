//! Tokens of one statement, read from its `code` (comments and string bodies blanked, byte
//! offsets unchanged) with string values taken from the original text at the same offsets.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tk {
    /// A bare word: keyword, identifier or number.
    Word,
    /// A quoted identifier: `"x"`, `` `x` ``, `[x]`.
    Ident,
    /// A string literal.
    Str,
    /// Any other single character.
    Punct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok<'a> {
    pub kind: Tk,
    /// Identifier or string value without quotes; the word or character otherwise.
    /// Borrowed from the statement, or from its [`Spans`] when unquoting changed it.
    pub value: &'a str,
    /// Byte offset in the statement.
    pub pos: usize,
}

impl Tok<'_> {
    /// Whether this is the bare word `kw` (case-insensitive). Inlined: the analysis makes
    /// ~100,000 of these checks in a scan of 800 migrations, against literal keywords.
    #[inline]
    pub fn is(&self, kw: &str) -> bool {
        let v = self.value.as_bytes();
        self.kind == Tk::Word
            && v.len() == kw.len()
            && v.iter().zip(kw.as_bytes()).all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    #[inline]
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Tk::Punct && self.value.len() == c.len_utf8() && self.value.starts_with(c)
    }

    /// A name: a quoted identifier or a bare word.
    pub fn is_name(&self) -> bool {
        matches!(self.kind, Tk::Word | Tk::Ident)
    }
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

/// A possibly qualified name at `i` (`"public"."User"`, `` `db`.`t` ``, `t`): its last part
/// and the index after it.
pub fn name_at<'a>(toks: &[Tok<'a>], mut i: usize) -> Option<(&'a str, usize)> {
    let mut last = None;
    loop {
        let t = toks.get(i)?;
        if !t.is_name() {
            return last.map(|l| (l, i));
        }
        last = Some(t.value);
        i += 1;
        if toks.get(i).is_some_and(|t| t.is_punct('.')) {
            i += 1;
        } else {
            return last.map(|l| (l, i));
        }
    }
}

/// Split `toks[from..to]` at commas outside parentheses.
pub fn split_commas(toks: &[Tok], from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = from;
    for (k, t) in toks.iter().enumerate().take(to).skip(from) {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth -= 1;
        } else if t.is_punct(',') && depth == 0 {
            parts.push((start, k));
            start = k + 1;
        }
    }
    if start < to {
        parts.push((start, to));
    }
    parts
}

/// Index of the `)` matching the `(` at `open`.
pub fn matching_paren(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (k, t) in toks.iter().enumerate().skip(open) {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenize<'a>(spans: &'a mut Spans, code: &'a str, text: &'a str) -> Vec<Tok<'a>> {
        *spans = super::spans(code, text);
        toks(spans, code, text)
    }

    #[test]
    fn tokens_and_names() {
        let text = "ALTER TABLE \"public\".\"Order\" ADD `x` 'it''s'";
        let code = "ALTER TABLE \"public\".\"Order\" ADD `x` '     '";
        let mut sp = Spans::default();
        let t = tokenize(&mut sp, code, text);
        assert!(t[0].is("alter"));
        assert_eq!(name_at(&t, 2), Some(("Order", 5)));
        assert_eq!(t[6].kind, Tk::Ident);
        assert_eq!(t[7].value, "it's");
    }
}
