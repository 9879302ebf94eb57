//! Where a stream of SQL text is, line by line (strings, quoted names, dollar quotes,
//! comments): a line is pg_dump's own only when it starts and ends between statements.

/// Where a stream of SQL text is, line after line: inside a string, quoted name, dollar
/// quote or block comment, and whether a statement has begun since the last `;`.
#[derive(Default)]
pub struct SqlState {
    mode: Mode,
    pending: bool,
    /// A backslash outside every quote and comment: a psql meta-command (`\!`, `\o`, `\copy
    /// ... program`), which pg_dump never writes but psql would run.
    pub meta: Option<String>,
}

#[derive(Default, PartialEq, Eq)]
enum Mode {
    #[default]
    Normal,
    /// `'...'`; `E'...'` takes backslash escapes.
    Single {
        escapes: bool,
    },
    Double,
    Dollar(Vec<u8>),
    Block(u32),
}

impl SqlState {
    /// Between statements, outside every quote and comment.
    pub fn at_boundary(&self) -> bool {
        self.mode == Mode::Normal && !self.pending
    }

    pub fn scan(&mut self, line: &[u8]) {
        // A psql meta-command between statements is a line of its own: pg_dump writes only
        // `\restrict KEY` and `\unrestrict KEY` (the guard against commands smuggled into a
        // dump); anything else would run in psql.
        let trimmed = line.trim_ascii_start();
        if self.at_boundary() && trimmed.starts_with(b"\\") {
            if !(trimmed.starts_with(b"\\restrict ") || trimmed.starts_with(b"\\unrestrict ")) {
                self.meta = Some(String::from_utf8_lossy(trimmed).chars().take(40).collect());
            }
            return;
        }
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        let mut i = 0;
        while i < line.len() {
            let c = line[i];
            let next = line.get(i + 1).copied();
            match &mut self.mode {
                Mode::Normal => match c {
                    b'\\' => {
                        self.meta = Some(String::from_utf8_lossy(&line[i..]).trim_end().chars().take(40).collect());
                        i += 1;
                        continue;
                    }
                    b'\'' => {
                        let e = i > 0 && line[i - 1].eq_ignore_ascii_case(&b'e') && (i < 2 || !ident(line[i - 2]));
                        self.mode = Mode::Single { escapes: e };
                        self.pending = true;
                    }
                    b'"' => {
                        self.mode = Mode::Double;
                        self.pending = true;
                    }
                    b'-' if next == Some(b'-') => return,
                    b'/' if next == Some(b'*') => {
                        self.mode = Mode::Block(1);
                        i += 1;
                    }
                    b'$' if i == 0 || !ident(line[i - 1]) => {
                        let len = line[i + 1..].iter().take_while(|b| ident(**b)).count();
                        let tag_ok =
                            line.get(i + 1 + len) == Some(&b'$') && !line.get(i + 1).is_some_and(u8::is_ascii_digit);
                        if tag_ok {
                            self.mode = Mode::Dollar(line[i..i + len + 2].to_vec());
                            i += len + 1;
                        }
                        self.pending = true;
                    }
                    b';' => self.pending = false,
                    c if !c.is_ascii_whitespace() => self.pending = true,
                    _ => {}
                },
                Mode::Single { escapes } => {
                    if *escapes && c == b'\\' {
                        i += 1;
                    } else if c == b'\'' {
                        if next == Some(b'\'') {
                            i += 1;
                        } else {
                            self.mode = Mode::Normal;
                        }
                    }
                }
                Mode::Double => {
                    if c == b'"' {
                        if next == Some(b'"') {
                            i += 1;
                        } else {
                            self.mode = Mode::Normal;
                        }
                    }
                }
                Mode::Dollar(tag) => {
                    if line[i..].starts_with(tag) {
                        i += tag.len();
                        self.mode = Mode::Normal;
                        continue;
                    }
                }
                Mode::Block(depth) => {
                    if c == b'*' && next == Some(b'/') {
                        *depth -= 1;
                        i += 1;
                        if *depth == 0 {
                            self.mode = Mode::Normal;
                        }
                    } else if c == b'/' && next == Some(b'*') {
                        *depth += 1;
                        i += 1;
                    }
                }
            }
            i += 1;
        }
    }
}
