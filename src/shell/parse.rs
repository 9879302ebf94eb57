//! A POSIX-shell command-line parser, enough to find every command a line would run:
//! `;`, `&&`, `||`, `|`, `&`, newlines, `( )` subshells, `{ }` groups, `$( )` and backtick
//! substitutions (parsed recursively), single/double quotes and backslashes, comments,
//! redirections, heredocs (their bodies kept, for `bash <<EOF`), leading `NAME=value`
//! assignments and reserved words (`if`, `then`, `do`, ...).
//!
//! It does not expand variables or globs: a word keeps `$VAR` as written. Nesting depth and
//! input size are bounded, so hostile input fails with an error instead of exhausting the stack.

use std::fmt;

/// Deepest nesting of `( )`, `$( )`, backticks and `bash -c` accepted.
pub const MAX_DEPTH: usize = 32;
/// Longest input accepted, in bytes.
pub const MAX_LEN: usize = 1 << 20;

/// One simple command: `FOO=1 npx prisma migrate reset`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Leading `NAME=value` assignments.
    pub assigns: Vec<(String, String)>,
    /// The words after them, quotes removed.
    pub argv: Vec<String>,
    /// The text fed to this command's input when the line shows it: a heredoc's body
    /// (`bash <<EOF ... EOF`), a here-string (`<<< "SELECT 1"`), or what a plain `echo` or
    /// `printf` before a pipe prints.
    pub heredoc: Option<String>,
    /// The file an input redirection (`< q.sql`) feeds to this command.
    pub input_file: Option<String>,
    /// Files written by output redirections (`> f`, `>> f`, `&> f`).
    pub writes: Vec<String>,
    /// Byte offset of the command's first character in the text that was parsed.
    pub offset: usize,
    /// Nesting depth it was found at (0: top level).
    pub depth: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}

/// Every simple command in `src`, in source order (a substitution's commands come before
/// the command that contains them, as the shell runs them).
/// What a command substitution (`$(...)`, backquotes) leaves in a word: its output is only
/// known when the line runs (its commands are parsed and judged on their own).
pub const SUBSTITUTED: &str = "$(…)";
/// The word a process substitution `<(CMD)` leaves: a file (`/dev/fd/N`) holding CMD's output.
pub const PROCESS_INPUT: &str = "<(…)";
/// The word `>(CMD)` leaves: a file whose writes CMD reads.
pub const PROCESS_OUTPUT: &str = ">(…)";

pub fn parse(src: &str) -> Result<Vec<SimpleCommand>, ParseError> {
    parse_at_depth(src, 0)
}

pub(crate) fn parse_at_depth(src: &str, depth: usize) -> Result<Vec<SimpleCommand>, ParseError> {
    if src.len() > MAX_LEN {
        return Err(ParseError { message: format!("command line longer than {MAX_LEN} bytes"), offset: 0 });
    }
    let mut p = Parser {
        s: src.as_bytes(),
        src,
        i: 0,
        depth,
        closer: None,
        out: Vec::new(),
        pending_heredocs: Vec::new(),
        last_end: usize::MAX,
        prints: None,
        piped: None,
        prints_file: None,
        piped_file: None,
        arm: false,
    };
    p.sequence(None)?;
    Ok(p.out)
}

const RESERVED: &[&str] = &["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "{", "}", "!", "in"];

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    depth: usize,
    /// What closes the innermost construct being parsed (`)` or a backtick).
    closer: Option<u8>,
    out: Vec<SimpleCommand>,
    /// Heredocs whose bodies start at the next newline: (delimiter, strip tabs, index in `out`).
    pending_heredocs: Vec<(String, bool, usize)>,
    /// Where the last simple command ended, and what it prints when that is known from the
    /// line (a plain `echo` or `printf`): the input of a command it pipes into.
    last_end: usize,
    prints: Option<String>,
    /// Text piped into the next simple command.
    piped: Option<String>,
    /// The file a plain `cat FILE` before a pipe prints, and the file piped into the next
    /// simple command (`cat seed.sql | sqlite3 dev.db` reads it as `< seed.sql` would).
    prints_file: Option<String>,
    piped_file: Option<String>,
    /// Inside a `case` arm: `;;`, `;&`, `;;&` and `esac` end the commands.
    arm: bool,
}

impl Parser<'_> {
    fn err<T>(&self, message: &str) -> Result<T, ParseError> {
        Err(ParseError { message: message.to_string(), offset: self.i })
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    /// Commands until end of input or `close` (`)` or a backtick).
    fn sequence(&mut self, close: Option<u8>) -> Result<(), ParseError> {
        let outer = std::mem::replace(&mut self.closer, close);
        let arm = std::mem::replace(&mut self.arm, false);
        let r = self.sequence_inner(close);
        self.closer = outer;
        self.arm = arm;
        r
    }

    fn sequence_inner(&mut self, close: Option<u8>) -> Result<(), ParseError> {
        loop {
            self.skip_blanks();
            match self.peek() {
                None => {
                    return match close {
                        Some(c) => self.err(&format!("missing closing `{}`", c as char)),
                        None => Ok(()),
                    };
                }
                Some(c) if Some(c) == close => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b')') => return self.err("unexpected `)`"),
                Some(b'\n') => {
                    self.i += 1;
                    self.read_heredoc_bodies();
                }
                Some(b'|') => {
                    // `echo "SELECT 1" | cmd`: what echo prints is cmd's input (`||` is no pipe).
                    let pipe = self.last_end == self.i && self.at(1) != Some(b'|');
                    self.piped = if pipe { self.prints.take() } else { None };
                    self.piped_file = if pipe { self.prints_file.take() } else { None };
                    self.i += if self.at(1) == Some(b'|') { 2 } else { 1 };
                }
                // `;;`, `;&`, `;;&`: the end of a `case` arm.
                Some(b';') if self.arm && matches!(self.at(1), Some(b';' | b'&')) => {
                    self.i += if self.at(1) == Some(b';') && self.at(2) == Some(b'&') { 3 } else { 2 };
                    return Ok(());
                }
                Some(_) if self.arm && self.at_word("esac") => return Ok(()),
                Some(b';' | b'&') => {
                    self.piped = None;
                    self.piped_file = None;
                    self.i += 1;
                }
                Some(b'#') => self.skip_comment(),
                Some(b'(') => {
                    self.i += 1;
                    if self.peek() == Some(b'(') {
                        // `(( arithmetic ))`: nothing runs.
                        self.skip_arithmetic()?;
                        continue;
                    }
                    self.nested(|p| p.sequence(Some(b')')))?;
                }
                Some(_) => self.simple_command(close)?,
            }
        }
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self) -> Result<(), ParseError>) -> Result<(), ParseError> {
        if self.depth >= MAX_DEPTH {
            return self.err("nested too deeply");
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn skip_blanks(&mut self) {
        while let Some(c) = self.peek() {
            if c == b' ' || c == b'\t' || c == b'\r' {
                self.i += 1;
            } else if c == b'\\' && self.at(1) == Some(b'\n') {
                self.i += 2;
            } else {
                break;
            }
        }
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == b'\n' {
                break;
            }
            self.i += 1;
        }
    }

    fn skip_arithmetic(&mut self) -> Result<(), ParseError> {
        // At the second `(` of `((`; skip to the matching `))`. Substitutions in it run
        // (`$((`rm x`))`, `$(( $(rm x) ))`): they are parsed as commands.
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            if c == b'`' {
                self.i += 1;
                self.nested(|p| p.sequence(Some(b'`')))?;
                continue;
            }
            if c == b'$' && self.at(1) == Some(b'(') && self.at(2) != Some(b'(') {
                self.i += 2;
                self.nested(|p| p.sequence(Some(b')')))?;
                continue;
            }
            if c == b'$' && self.at(1) == Some(b'{') {
                let mut sink = Vec::new();
                self.dollar(&mut sink)?;
                continue;
            }
            self.i += 1;
            match c {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        if self.peek() == Some(b')') {
                            self.i += 1;
                        }
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        self.err("missing closing `))`")
    }

    /// Whether the text at the cursor is the reserved word `word` (followed by a delimiter).
    fn at_word(&self, word: &str) -> bool {
        self.s[self.i..].starts_with(word.as_bytes())
            && self
                .s
                .get(self.i + word.len())
                .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')'))
    }

    /// The arms of `case WORD in ... esac` (the header read): each `PATTERN)` and the
    /// commands up to `;;`, `;&`, `;;&` or `esac`.
    fn case_body(&mut self) -> Result<(), ParseError> {
        loop {
            self.skip_blanks();
            match self.peek() {
                None => return self.err("missing `esac`"),
                Some(b'\n') => {
                    self.i += 1;
                    self.read_heredoc_bodies();
                    continue;
                }
                Some(b'#') => {
                    self.skip_comment();
                    continue;
                }
                Some(b';') => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            if self.at_word("esac") {
                self.i += 4;
                return Ok(());
            }
            if self.peek() == Some(b'(') {
                self.i += 1;
            }
            // The pattern: words and `|` up to `)`.
            loop {
                self.skip_blanks();
                match self.peek() {
                    None => return self.err("missing `)` in a case pattern"),
                    Some(b')') => {
                        self.i += 1;
                        break;
                    }
                    Some(b'|' | b'\n') => self.i += 1,
                    Some(_) => {
                        let at = self.i;
                        self.word()?;
                        if self.i == at {
                            return self.err("unexpected character in a case pattern");
                        }
                    }
                }
            }
            let outer = self.closer.take();
            let arm = std::mem::replace(&mut self.arm, true);
            let r = self.sequence_inner(None);
            self.closer = outer;
            self.arm = arm;
            r?;
        }
    }

    fn is_operator_start(c: u8) -> bool {
        matches!(c, b';' | b'&' | b'|' | b'\n' | b'(' | b')')
    }

    fn simple_command(&mut self, close: Option<u8>) -> Result<(), ParseError> {
        let start = self.i;
        let mut cmd = SimpleCommand { offset: start, depth: self.depth, ..SimpleCommand::default() };
        let mut heredoc: Option<(String, bool)> = None;
        loop {
            self.skip_blanks();
            let Some(c) = self.peek() else { break };
            if Self::is_operator_start(c) || Some(c) == close {
                break;
            }
            if c == b'#' {
                self.skip_comment();
                break;
            }
            // `<(CMD)`, `>(CMD)`: process substitution, a file name made when the line runs.
            if matches!(c, b'<' | b'>') && self.at(1) == Some(b'(') {
                self.i += 2;
                self.nested(|p| p.sequence(Some(b')')))?;
                cmd.argv.push(if c == b'<' { PROCESS_INPUT } else { PROCESS_OUTPUT }.to_string());
                continue;
            }
            if let Some(kind) = self.redirection() {
                let target = self.word()?;
                match kind {
                    Redirect::Heredoc | Redirect::HeredocStrip => {
                        heredoc = Some((target.0, kind == Redirect::HeredocStrip));
                    }
                    Redirect::HereString => cmd.heredoc = Some(format!("{}\n", target.0)),
                    Redirect::Input => cmd.input_file = Some(target.0),
                    Redirect::Write => cmd.writes.push(target.0),
                    Redirect::Other => {}
                }
                continue;
            }
            let word_start = self.i;
            let (word, quoted) = self.word()?;
            if cmd.argv.is_empty() {
                if starts_with_name_eq(&self.s[word_start..]) {
                    if let Some((name, value)) = word.split_once('=') {
                        cmd.assigns.push((name.to_string(), value.to_string()));
                        continue;
                    }
                }
                if !quoted && RESERVED.contains(&word.as_str()) && cmd.assigns.is_empty() {
                    continue;
                }
            }
            if word.is_empty() && !quoted {
                continue; // only a substitution: expands to no word
            }
            cmd.argv.push(word);
            // `case WORD in`: the arms are commands.
            if cmd.argv.len() == 3 && cmd.argv[0] == "case" && cmd.argv[2] == "in" && !quoted {
                return self.case_body();
            }
            // `function NAME { BODY; }`: the header ends at the name; the body is commands.
            if cmd.argv.len() == 2 && cmd.argv[0] == "function" {
                break;
            }
        }
        if matches!(cmd.argv.first().map(String::as_str), Some("for" | "select" | "case" | "function")) {
            // Loop headers name variables and words, not commands; their bodies are parsed
            // as the commands that follow. `for f in *.db`: the variable holds those words
            // (as an assignment, so a later `rm "$f"` is read as `rm *.db`).
            if let [kw, name, in_, words @ ..] = cmd.argv.as_slice() {
                if matches!(kw.as_str(), "for" | "select") && in_ == "in" && !words.is_empty() {
                    let value = words.join(" ");
                    let assign = SimpleCommand { assigns: vec![(name.clone(), value)], ..cmd.clone() };
                    self.out.push(SimpleCommand { argv: Vec::new(), ..assign });
                }
            }
            return Ok(());
        }
        let piped = self.piped.take();
        let piped_file = self.piped_file.take();
        if cmd.heredoc.is_none() && heredoc.is_none() && cmd.input_file.is_none() {
            cmd.heredoc = piped;
            if cmd.heredoc.is_none() {
                cmd.input_file = piped_file;
            }
        }
        self.prints = printed(&cmd.argv, cmd.heredoc.as_deref());
        // `cat FILE | cmd`: cmd reads FILE.
        self.prints_file = match cmd.argv.as_slice() {
            [cat, file]
                if cat == "cat"
                    && cmd.heredoc.is_none()
                    && !file.starts_with('-')
                    && !file.contains(['$', '`', '*', '?'])
                    && !file.contains(SUBSTITUTED) =>
            {
                Some(file.clone())
            }
            _ => None,
        };
        self.last_end = self.i;
        if !cmd.argv.is_empty() || !cmd.assigns.is_empty() || !cmd.writes.is_empty() {
            let index = self.out.len();
            self.out.push(cmd);
            if let Some((delim, strip)) = heredoc {
                self.pending_heredocs.push((delim, strip, index));
            }
        }
        Ok(())
    }

    /// A redirection operator at the cursor (with an optional fd number), consumed.
    fn redirection(&mut self) -> Option<Redirect> {
        let mut j = self.i;
        while self.s.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if self.s.get(j) == Some(&b'&') && self.s.get(j + 1) == Some(&b'>') {
            j += 1;
        }
        let rest = &self.s[j.min(self.s.len())..];
        let (len, kind) = if rest.starts_with(b"<<<") {
            (3, Redirect::HereString)
        } else if rest.starts_with(b"<<-") {
            (3, Redirect::HeredocStrip)
        } else if rest.starts_with(b"<<") {
            (2, Redirect::Heredoc)
        } else if rest.starts_with(b">&") || rest.starts_with(b"<&") {
            (2, Redirect::Other)
        } else if rest.starts_with(b">>") || rest.starts_with(b"<>") || rest.starts_with(b">|") {
            (2, Redirect::Write)
        } else if rest.starts_with(b">") {
            (1, Redirect::Write)
        } else if rest.starts_with(b"<") {
            (1, Redirect::Input)
        } else {
            return None;
        };
        self.i = j + len;
        self.skip_blanks();
        Some(kind)
    }

    /// One word, quotes removed; `quoted` when any part was quoted or escaped.
    fn word(&mut self) -> Result<(String, bool), ParseError> {
        let mut out = Vec::new();
        let mut quoted = false;
        while let Some(c) = self.peek() {
            match c {
                // An extended pattern (`!(x)`, `@(a|b)`, `*(x)`, `+(x)`, `?(x)`, bash's extglob):
                // part of the word.
                b'(' if matches!(out.last(), Some(b'!' | b'@' | b'*' | b'+' | b'?')) => {
                    let mut depth = 0usize;
                    while let Some(d) = self.peek() {
                        out.push(d);
                        self.i += 1;
                        match d {
                            b'(' => depth += 1,
                            b')' if depth <= 1 => break,
                            b')' => depth -= 1,
                            _ => {}
                        }
                    }
                }
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => break,
                b'`' => {
                    if self.closer == Some(b'`') {
                        break;
                    }
                    self.backquoted(&mut out)?;
                }
                // `~+` is where the command runs, `~-` where it ran before (`$PWD`, `$OLDPWD`).
                b'~' if out.is_empty()
                    && !quoted
                    && matches!(self.at(1), Some(b'+' | b'-'))
                    && self
                        .at(2)
                        .is_none_or(|c| matches!(c, b'/' | b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b')')) =>
                {
                    out.extend_from_slice(if self.at(1) == Some(b'+') { b"$PWD" } else { b"$OLDPWD" });
                    self.i += 2;
                }
                b'\'' => {
                    quoted = true;
                    self.i += 1;
                    let Some(n) = memchr::memchr(b'\'', &self.s[self.i..]) else {
                        return self.err("unterminated single quote");
                    };
                    out.extend_from_slice(&self.s[self.i..self.i + n]);
                    self.i += n + 1;
                }
                b'"' => {
                    quoted = true;
                    self.i += 1;
                    self.double_quoted(&mut out)?;
                }
                b'\\' => {
                    quoted = true;
                    match self.at(1) {
                        Some(b'\n') => self.i += 2,
                        Some(n) => {
                            out.push(n);
                            self.i += 2;
                        }
                        None => self.i += 1,
                    }
                }
                b'$' => self.dollar(&mut out)?,
                _ => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        Ok((String::from_utf8_lossy(&out).into_owned(), quoted))
    }

    fn double_quoted(&mut self, out: &mut Vec<u8>) -> Result<(), ParseError> {
        loop {
            let Some(c) = self.peek() else { return self.err("unterminated double quote") };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(());
                }
                b'\\' => {
                    match self.at(1) {
                        Some(n @ (b'$' | b'`' | b'"' | b'\\')) => out.push(n),
                        Some(b'\n') => {}
                        Some(n) => {
                            out.push(b'\\');
                            out.push(n);
                        }
                        None => return self.err("unterminated double quote"),
                    }
                    self.i += 2;
                }
                b'$' => self.dollar(out)?,
                b'`' => self.backquoted(out)?,
                _ => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// A backquoted substitution at the cursor, parsed; what it leaves in the word.
    fn backquoted(&mut self, out: &mut Vec<u8>) -> Result<(), ParseError> {
        self.i += 1;
        let start = self.i;
        self.nested(|p| p.sequence(Some(b'`')))?;
        let text = self.src.get(start..self.i.saturating_sub(1)).unwrap_or("");
        out.extend_from_slice(substitution_word(text).as_bytes());
        Ok(())
    }

    /// `${...}` at the cursor, kept as written, with the substitutions in it parsed as the
    /// commands they run (`${x:=$(rm f)}`, `${x:-`cmd`}`).
    fn braced(&mut self, out: &mut Vec<u8>) -> Result<(), ParseError> {
        out.extend_from_slice(b"${");
        self.i += 2;
        loop {
            let Some(c) = self.peek() else { return self.err("unterminated `${`") };
            match c {
                b'}' => {
                    out.push(c);
                    self.i += 1;
                    return Ok(());
                }
                b'$' => self.dollar(out)?,
                b'`' => self.backquoted(out)?,
                b'\'' => {
                    self.i += 1;
                    let Some(n) = memchr::memchr(b'\'', &self.s[self.i..]) else {
                        return self.err("unterminated single quote");
                    };
                    out.extend_from_slice(&self.s[self.i..self.i + n]);
                    self.i += n + 1;
                }
                b'"' => {
                    self.i += 1;
                    self.double_quoted(out)?;
                }
                b'\\' => {
                    if let Some(n) = self.at(1) {
                        out.push(n);
                    }
                    self.i += 2;
                }
                _ => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// `$( ... )` (parsed), `$(( ... ))` (skipped), `${...}`, `$NAME` (kept as written).
    fn dollar(&mut self, out: &mut Vec<u8>) -> Result<(), ParseError> {
        match self.at(1) {
            Some(b'(') if self.at(2) == Some(b'(') => {
                self.i += 2;
                self.skip_arithmetic()
            }
            Some(b'(') => {
                self.i += 2;
                let start = self.i;
                self.nested(|p| p.sequence(Some(b')')))?;
                let text = self.src.get(start..self.i.saturating_sub(1)).unwrap_or("");
                out.extend_from_slice(substitution_word(text).as_bytes());
                Ok(())
            }
            Some(b'{') => self.braced(out),
            Some(b'\'') => {
                // `$'...'`: ANSI-C quoting, decoded as bash does (`$'\x72\x6d'` is `rm`).
                self.i += 2;
                while let Some(c) = self.peek() {
                    self.i += 1;
                    match c {
                        b'\'' => return Ok(()),
                        b'\\' => self.ansi_c_escape(out),
                        _ => out.push(c),
                    }
                }
                self.err("unterminated $'")
            }
            _ => {
                out.push(b'$');
                self.i += 1;
                Ok(())
            }
        }
    }

    /// One backslash escape of `$'...'` (the backslash consumed): `\n`, `\e`, `\0NNN`/`\NNN`
    /// (octal), `\xHH`, `\uHHHH`, `\UHHHHHHHH`, `\cX` (control), `\\`, `\'`, `\"`, `\?`.
    fn ansi_c_escape(&mut self, out: &mut Vec<u8>) {
        let Some(n) = self.peek() else { return };
        self.i += 1;
        let digits = |p: &mut Self, max: usize, radix: u32| -> Option<u32> {
            let mut value: Option<u32> = None;
            for _ in 0..max {
                let Some(d) = p.peek().and_then(|c| (c as char).to_digit(radix)) else { break };
                value = Some(value.unwrap_or(0) * radix + d);
                p.i += 1;
            }
            value
        };
        let push_char = |out: &mut Vec<u8>, v: u32| {
            let c = char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        };
        match n {
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'e' | b'E' => out.push(0x1b),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                self.i -= 1;
                let max = if n == b'0' { 4 } else { 3 };
                let v = digits(self, max, 8).unwrap_or(0);
                out.push((v & 0xff) as u8);
            }
            b'x' => match digits(self, 2, 16) {
                Some(v) => out.push((v & 0xff) as u8),
                None => out.extend_from_slice(b"\\x"),
            },
            b'u' => match digits(self, 4, 16) {
                Some(v) => push_char(out, v),
                None => out.extend_from_slice(b"\\u"),
            },
            b'U' => match digits(self, 8, 16) {
                Some(v) => push_char(out, v),
                None => out.extend_from_slice(b"\\U"),
            },
            b'c' => {
                if let Some(c) = self.peek() {
                    self.i += 1;
                    out.push(c & 0x1f);
                }
            }
            b'\\' | b'\'' | b'"' | b'?' => out.push(n),
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }

    /// After a newline: the bodies of heredocs started on the previous line.
    fn read_heredoc_bodies(&mut self) {
        for (delim, strip, index) in std::mem::take(&mut self.pending_heredocs) {
            let mut body = String::new();
            while self.i < self.s.len() {
                let end = memchr::memchr(b'\n', &self.s[self.i..]).map_or(self.s.len(), |n| self.i + n);
                let line = self.src.get(self.i..end).unwrap_or("");
                self.i = (end + 1).min(self.s.len());
                let cmp = if strip { line.trim_start_matches('\t') } else { line };
                if cmp == delim {
                    break;
                }
                body.push_str(cmp);
                body.push('\n');
            }
            if let Some(cmd) = self.out.get_mut(index) {
                cmd.heredoc = Some(body);
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Redirect {
    Heredoc,
    HeredocStrip,
    /// Output to a file.
    Write,
    /// `<<< word`.
    HereString,
    /// `< file`.
    Input,
    Other,
}

/// What `echo WORDS` or `printf TEXT` prints, when the words alone tell (no variables,
/// substitutions, escapes or formats); what `cat` and `base64 -d` print of an input the line
/// shows (`base64 -d <<< TEXT | bash` runs the decoded text).
fn printed(argv: &[String], input: Option<&str>) -> Option<String> {
    let (name, args) = argv.split_first()?;
    match (name.as_str(), input) {
        ("cat", Some(text)) if args.iter().all(|a| a == "-") => return Some(text.to_string()),
        ("base64", Some(text)) if args.iter().any(|a| matches!(a.as_str(), "-d" | "--decode" | "-D")) => {
            use base64::Engine as _;
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD.decode(compact).ok()?;
            return String::from_utf8(bytes).ok();
        }
        _ => {}
    }
    let literal = |a: &String| !a.contains(['$', '`', '\\']) && !a.contains(SUBSTITUTED);
    match name.as_str() {
        "echo" => {
            let (newline, args) = match args.first() {
                Some(a) if a == "-n" => ("", &args[1..]),
                _ => ("\n", args),
            };
            if args.iter().any(|a| a.starts_with('-') || !literal(a)) {
                return None;
            }
            Some(format!("{}{newline}", args.join(" ")))
        }
        "printf" => match args {
            [text] if !text.starts_with('-') && !text.contains(['%', '$', '`']) && !text.contains(SUBSTITUTED) => {
                let text = text.replace("\\n", "\n");
                (!text.contains('\\')).then_some(text)
            }
            // `printf '%s\n' WORDS...`: the format, once per group of arguments.
            [format, words @ ..] if !format.starts_with('-') && words.iter().all(literal) && literal_format(format) => {
                let slots = format.matches("%s").count();
                let format = format.replace("\\n", "\n").replace("\\t", "\t").replace("%%", "%");
                if slots == 0 {
                    return Some(format);
                }
                let mut out = String::new();
                for group in words.chunks(slots) {
                    let mut piece = format.clone();
                    for k in 0..slots {
                        piece = piece.replacen("%s", group.get(k).map_or("", String::as_str), 1);
                    }
                    out.push_str(&piece);
                }
                Some(out)
            }
            _ => None,
        },
        _ => None,
    }
}

/// A printf format made of text, `%s`, `%%`, `\n` and `\t` only.
fn literal_format(format: &str) -> bool {
    let rest = format.replace("%s", "").replace("%%", "").replace("\\n", "").replace("\\t", "");
    !rest.contains(['%', '\\', '$', '`']) && !format.contains(SUBSTITUTED)
}

/// The word `$(pwd)` and `$(git rev-parse --show-toplevel)` leave: where the line runs, the
/// repository's top folder.
pub const TOPLEVEL: &str = "$(git rev-parse --show-toplevel)";
/// What `find ... -exec CMD {} +` gives CMD for `{}`: each file found, a name only known
/// when the line runs (it holds [`SUBSTITUTED`]); which files those are is `find`'s to tell.
pub const FOUND: &str = "$(…){}";
/// The word `$(mktemp ...)` leaves: a new file or folder under the temporary folder.
pub const MKTEMP: &str = "$(mktemp)";

/// What a command substitution with this text leaves in a word: `$PWD` for `pwd`, the
/// repository's top folder, a new temporary file, or output only known when it runs.
fn substitution_word(text: &str) -> &'static str {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["pwd"] | ["pwd", "-P" | "-L"] | ["/bin/pwd"] => "$PWD",
        ["git", "rev-parse", "--show-toplevel"] => TOPLEVEL,
        ["mktemp", rest @ ..] if rest.iter().all(|w| !w.contains(['$', '`', '/', '('])) => MKTEMP,
        _ => SUBSTITUTED,
    }
}

/// Whether raw source text starts with an unquoted `NAME=`.
fn starts_with_name_eq(raw: &[u8]) -> bool {
    let Some(&first) = raw.first() else { return false };
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return false;
    }
    let n = raw.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
    raw.get(n) == Some(&b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(src: &str) -> Vec<Vec<String>> {
        parse(src).unwrap().into_iter().map(|c| c.argv).collect()
    }

    fn v(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn operators_split_commands() {
        assert_eq!(
            argvs("a 1; b 2 && c || d | e & f\ng"),
            vec![v(&["a", "1"]), v(&["b", "2"]), v(&["c"]), v(&["d"]), v(&["e"]), v(&["f"]), v(&["g"])]
        );
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(argvs(r#"echo 'a b' "c \"d\" $x" e\ f"#), vec![v(&["echo", "a b", "c \"d\" $x", "e f"])]);
        assert_eq!(argvs("echo \"a;b\" 'c&&d'"), vec![v(&["echo", "a;b", "c&&d"])]);
    }

    #[test]
    fn substitutions_are_parsed() {
        assert_eq!(
            argvs("echo $(npx prisma migrate reset)"),
            vec![v(&["npx", "prisma", "migrate", "reset"]), v(&["echo", SUBSTITUTED])]
        );
        assert_eq!(argvs("echo `prisma db push`"), vec![v(&["prisma", "db", "push"]), v(&["echo", SUBSTITUTED])]);
        assert_eq!(argvs("x=\"$(prisma -v)\""), vec![v(&["prisma", "-v"]), vec![]]);
        assert_eq!(argvs("echo $((1 + (2)))"), vec![v(&["echo"])]);
    }

    #[test]
    fn subshells_groups_and_reserved_words() {
        assert_eq!(argvs("(cd x && prisma db push)"), vec![v(&["cd", "x"]), v(&["prisma", "db", "push"])]);
        assert_eq!(argvs("{ a; b; }"), vec![v(&["a"]), v(&["b"])]);
        assert_eq!(
            argvs("if true; then prisma migrate reset; fi"),
            vec![v(&["true"]), v(&["prisma", "migrate", "reset"])]
        );
        assert_eq!(argvs("for i in 1 2; do echo $i; done"), vec![vec![], v(&["echo", "$i"])]);
        assert_eq!(parse("for f in *.db; do rm $f; done").unwrap()[0].assigns, vec![("f".into(), "*.db".into())]);
    }

    #[test]
    fn assignments_redirections_comments() {
        let c = &parse("FOO=1 BAR='x y' prisma db push > out.log 2>&1 # trailing").unwrap()[0];
        assert_eq!(c.assigns, vec![("FOO".into(), "1".into()), ("BAR".into(), "x y".into())]);
        assert_eq!(c.argv, v(&["prisma", "db", "push"]));
        assert_eq!(c.writes, v(&["out.log"]));
        assert_eq!(parse("echo x >> .claude/settings.json").unwrap()[0].writes, v(&[".claude/settings.json"]));
        assert_eq!(argvs("# prisma migrate reset\necho hi"), vec![v(&["echo", "hi"])]);
        assert_eq!(argvs("echo a#b"), vec![v(&["echo", "a#b"])]);
    }

    /// Review (issue 22, round 3): input the line shows.
    #[test]
    fn input_the_line_shows() {
        let input = |line: &str| {
            let cmds = parse(line).unwrap();
            let last = cmds.last().unwrap();
            (last.heredoc.clone(), last.input_file.clone())
        };
        assert_eq!(input("p <<< 'SELECT 1'"), (Some("SELECT 1\n".into()), None));
        assert_eq!(input("echo SELECT  1 | p"), (Some("SELECT 1\n".into()), None));
        assert_eq!(input("echo -n 'SELECT 1' | p"), (Some("SELECT 1".into()), None));
        assert_eq!(input("printf 'a\\nb' | p"), (Some("a\nb".into()), None));
        assert_eq!(input("p < q.sql"), (None, Some("q.sql".into())));
        // `cat FILE | p` reads as `p < FILE`.
        assert_eq!(input("cat seed.sql | p"), (None, Some("seed.sql".into())));
        for unknown in [
            "echo $X | p",
            "echo -e 'a\\x41' | p",
            "printf '%d' a | p",
            "echo a || p",
            "echo a; p",
            "(echo a) | p",
            "cat -n f | p",
        ] {
            assert_eq!(input(unknown), (None, None), "{unknown}");
        }
    }

    /// Review (issue 19, round 2, item 7): commands the shell runs inside `${...}`,
    /// arithmetic and `case` arms are commands; `~+`, `$(pwd)` are where the line runs.
    #[test]
    fn commands_inside_expansions_arithmetic_and_case_arms() {
        for line in [
            "echo ${x:=$(rm -f dev.db)}",
            "echo ${x:-`rm -f dev.db`}",
            "echo $((`rm -f dev.db`))",
            "echo $(( $(rm -f dev.db) + 1 ))",
            "(( x = `rm -f dev.db` ))",
            "case x in x) rm -f dev.db;; esac",
            "case $a in\n  (a|b) echo a ;;\n  *) rm -f dev.db ;&\nesac",
        ] {
            assert!(argvs(line).contains(&v(&["rm", "-f", "dev.db"])), "{line}: {:?}", argvs(line));
        }
        assert_eq!(
            argvs("case x in a) echo a;; b) echo b;; esac; ls"),
            vec![v(&["echo", "a"]), v(&["echo", "b"]), v(&["ls"])]
        );
        assert_eq!(argvs("rm -rf ~+ ~+/x ~-/y ~/z"), vec![v(&["rm", "-rf", "$PWD", "$PWD/x", "$OLDPWD/y", "~/z"])]);
        assert_eq!(
            argvs("rm -rf \"$(pwd)\" `pwd`/x"),
            vec![v(&["pwd"]), v(&["pwd"]), v(&["rm", "-rf", "$PWD", "$PWD/x"])]
        );
        assert_eq!(argvs("rm -rf $(git rev-parse --show-toplevel)").last().unwrap(), &v(&["rm", "-rf", TOPLEVEL]));
    }

    #[test]
    fn heredoc_bodies() {
        let cmds = parse("bash <<'EOF'\nprisma migrate reset --force\nEOF\necho done").unwrap();
        assert_eq!(cmds[0].argv, v(&["bash"]));
        assert_eq!(cmds[0].heredoc.as_deref(), Some("prisma migrate reset --force\n"));
        assert_eq!(cmds[1].argv, v(&["echo", "done"]));
        let cmds = parse("cat <<-END > f\n\tline\n\tEND\n").unwrap();
        assert_eq!(cmds[0].heredoc.as_deref(), Some("line\n"));
    }

    #[test]
    fn errors_are_reported_not_panics() {
        for bad in ["echo 'open", "echo \"open", "(a", "a)", "$(a", "echo `a", "${x", "$((1"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "( ".repeat(10_000) + &")".repeat(10_000);
        assert!(parse(&deep).is_err());
        let deep = "$(".repeat(10_000);
        assert!(parse(&deep).is_err());
    }
}
