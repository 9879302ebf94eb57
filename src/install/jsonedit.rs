//! Editing JSON and JSONC files in place: `init` adds its members and `uninstall` takes them
//! out, and every other byte (indentation, tabs, CRLF, compact objects, comments, the final
//! newline) stays as the user wrote it, so that `uninstall` gives back the file byte for byte.
//!
//! The text is read into spans (where each value, member and item starts and ends); an edit
//! splices new text in, written in the file's own style (its indent unit, line ending and,
//! for a one-line object, the one-line form), or cuts a member or item out together with its
//! separator.

use serde_json::Value;

/// A value's place in the text.
#[derive(Debug, Clone)]
enum Node {
    Object { start: usize, end: usize, members: Vec<Member> },
    Array { start: usize, end: usize, items: Vec<Node> },
    Scalar { start: usize, end: usize },
}

#[derive(Debug, Clone)]
struct Member {
    key: String,
    /// Where the key's opening quote is.
    start: usize,
    value: Node,
}

impl Node {
    fn span(&self) -> (usize, usize) {
        match self {
            Node::Object { start, end, .. } | Node::Array { start, end, .. } | Node::Scalar { start, end } => {
                (*start, *end)
            }
        }
    }
}

/// A JSON (or JSONC: comments, trailing commas) document being edited.
pub struct Doc {
    text: String,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    /// Skip blanks and comments.
    fn blank(&mut self) -> Result<(), String> {
        loop {
            while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\r' | b'\n') {
                self.i += 1;
            }
            if self.s[self.i..].starts_with(b"//") {
                while self.i < self.s.len() && self.s[self.i] != b'\n' {
                    self.i += 1;
                }
            } else if self.s[self.i..].starts_with(b"/*") {
                let close = self.s[self.i + 2..].windows(2).position(|w| w == b"*/").ok_or("unclosed comment")?;
                self.i += close + 4;
            } else {
                return Ok(());
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, String> {
        if depth > 64 {
            return Err("nested too deeply".into());
        }
        self.blank()?;
        let start = self.i;
        match self.s.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                loop {
                    self.blank()?;
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Ok(Node::Object { start, end: self.i, members });
                    }
                    let key_start = self.i;
                    let key_end = self.string()?;
                    let key: String = serde_json::from_slice(&self.s[key_start..key_end]).map_err(|e| e.to_string())?;
                    self.blank()?;
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(format!("expected `:` at byte {}", self.i));
                    }
                    self.i += 1;
                    let value = self.value(depth + 1)?;
                    members.push(Member { key, start: key_start, value });
                    self.blank()?;
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {}
                        _ => return Err(format!("expected `,` or `}}` at byte {}", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.blank()?;
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Node::Array { start, end: self.i, items });
                    }
                    items.push(self.value(depth + 1)?);
                    self.blank()?;
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {}
                        _ => return Err(format!("expected `,` or `]` at byte {}", self.i)),
                    }
                }
            }
            Some(b'"') => {
                let end = self.string()?;
                Ok(Node::Scalar { start, end })
            }
            Some(_) => {
                while self.i < self.s.len() && !b",}] \t\r\n/".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                if self.i == start {
                    return Err(format!("unexpected character at byte {start}"));
                }
                Ok(Node::Scalar { start, end: self.i })
            }
            None => Err("unexpected end".into()),
        }
    }

    /// A string at `i`; returns the index after its closing quote.
    fn string(&mut self) -> Result<usize, String> {
        if self.s.get(self.i) != Some(&b'"') {
            return Err(format!("expected a string at byte {}", self.i));
        }
        self.i += 1;
        while let Some(&c) = self.s.get(self.i) {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'"' => return Ok(self.i),
                _ => {}
            }
        }
        Err("unclosed string".into())
    }
}

fn parse(text: &str) -> Result<Node, String> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    // A UTF-8 byte order mark stays where it is.
    if text.starts_with('\u{feff}') {
        p.i = 3;
    }
    let node = p.value(0)?;
    p.blank()?;
    if p.i != text.len() {
        return Err(format!("unexpected text after the value at byte {}", p.i));
    }
    Ok(node)
}

impl Doc {
    /// An empty text is an empty object, written out over lines as it fills.
    pub fn new(text: &str) -> Result<Doc, String> {
        let text = if text.trim().is_empty() { "{\n}\n".to_string() } else { text.to_string() };
        parse(&text)?;
        Ok(Doc { text })
    }

    #[cfg(test)]
    fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// The document's value (comments and trailing commas left out).
    pub fn value(&self) -> Result<Value, String> {
        let root = parse(&self.text)?;
        Ok(to_value(&self.text, &root))
    }

    fn root(&self) -> Node {
        // Checked in `new` and after every edit.
        parse(&self.text).unwrap_or(Node::Object { start: 0, end: 0, members: Vec::new() })
    }

    fn find(&self, path: &[&str]) -> Option<Node> {
        let mut node = self.root();
        for key in path {
            let Node::Object { members, .. } = node else { return None };
            node = members.into_iter().rev().find(|m| m.key == *key)?.value;
        }
        Some(node)
    }

    fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The file's indent unit: a tab, or the smallest indentation of a line (2 spaces when the
    /// file has none).
    fn unit(&self) -> String {
        let mut smallest: Option<usize> = None;
        for line in self.text.lines() {
            if line.starts_with('\t') {
                return "\t".into();
            }
            let n = line.len() - line.trim_start_matches(' ').len();
            if n > 0 && line.trim_start().len() < line.len() {
                smallest = Some(smallest.map_or(n, |s| s.min(n)));
            }
        }
        " ".repeat(smallest.unwrap_or(2))
    }

    /// The whitespace at the start of the line holding byte `at`.
    fn line_indent(&self, at: usize) -> String {
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        self.text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect()
    }

    fn splice(&mut self, from: usize, to: usize, with: &str) -> Result<(), String> {
        let mut text = String::with_capacity(self.text.len() + with.len());
        text.push_str(&self.text[..from]);
        text.push_str(with);
        text.push_str(&self.text[to..]);
        parse(&text)?;
        self.text = text;
        Ok(())
    }

    /// `value` written in the file's style, its later lines indented by `indent`; on one line
    /// when `inline`.
    fn render(&self, value: &Value, indent: &str, inline: bool) -> String {
        if inline {
            return serde_json::to_string(value).unwrap_or_default();
        }
        let unit = self.unit();
        let mut buf = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
        let _ = serde::Serialize::serialize(value, &mut ser);
        let text = String::from_utf8(buf).unwrap_or_default();
        text.replace('\n', &format!("{}{indent}", self.newline()))
    }

    /// Insert an entry as the last of the object or array spanning `start..end` whose entries
    /// are `entries` (start, end of each): `multi` on a line of its own, or `inline` in a
    /// one-line object.
    fn insert_last(
        &mut self,
        start: usize,
        end: usize,
        entries: &[(usize, usize)],
        multi: &str,
        inline: &str,
    ) -> Result<(), String> {
        let multiline = self.text[start + 1..end - 1].contains('\n');
        let nl = self.newline();
        match entries.last() {
            Some(&(_, last_end)) => {
                let first_start = entries[0].0;
                let text = if multiline {
                    format!(",{nl}{}{multi}", self.line_indent(first_start))
                } else {
                    let spaced = self.text[start + 1..first_start].starts_with(' ')
                        || (entries.len() > 1 && self.text[entries[0].1..entries[1].0].contains(", "));
                    format!("{}{inline}", if spaced { ", " } else { "," })
                };
                self.splice(last_end, last_end, &text)
            }
            // Empty: one line when the document is one line, else on lines of their own.
            None if !self.text.trim_end().contains('\n') => self.splice(start + 1, end - 1, inline),
            None => {
                let outer = self.line_indent(start);
                let text = format!("{nl}{}{multi}{nl}{outer}", self.entry_indent(start, entries));
                self.splice(start + 1, end - 1, &text)
            }
        }
    }

    /// Cut the entry `k` of `entries` (and its separator) out of the object or array that
    /// spans `start..end`.
    fn cut(&mut self, start: usize, end: usize, entries: &[(usize, usize)], k: usize) -> Result<(), String> {
        let (from, to) = match (k, entries.len()) {
            (_, 1) => {
                // The only entry: what was inside goes; `{}` is left.
                return self.splice(start + 1, end - 1, "");
            }
            (0, _) => (entries[0].0, entries[1].0),
            (k, _) => {
                let gap = &self.text[entries[k - 1].1..entries[k].0];
                if gap.contains("//") || gap.contains("/*") {
                    // A comment belongs to the entry before: take only the comma and the
                    // entry's own line.
                    let comma = entries[k - 1].1 + gap.find(',').unwrap_or(0);
                    self.splice(comma, comma + 1, "")?;
                    let at = entries[k].0 - 1;
                    let line_start = self.text.as_bytes()[..at].iter().rposition(|b| *b == b'\n').unwrap_or(at);
                    return self.splice(line_start, entries[k].1 - 1, "");
                }
                (entries[k - 1].1, entries[k].1)
            }
        };
        self.splice(from, to, "")
    }

    /// Set `key` of the object at `path` to `value` (objects on the way are made); a
    /// member already there gets its value replaced in place.
    pub fn set(&mut self, path: &[&str], key: &str, value: &Value) -> Result<(), String> {
        // The deepest object of the path that exists, and what to build below it.
        let mut depth = path.len();
        while depth > 0 && self.find(&path[..depth]).is_none() {
            depth -= 1;
        }
        let Some(Node::Object { start, end, members }) = self.find(&path[..depth]) else {
            return Err(format!("`{}` is not an object", path[..depth].join(".")));
        };
        let mut built = value.clone();
        let mut name = key.to_string();
        for k in path[depth..].iter().rev() {
            built = Value::Object(std::iter::once((name, built)).collect());
            name = (*k).to_string();
        }
        if let Some(m) = members.iter().rev().find(|m| m.key == name) {
            let (s, e) = m.value.span();
            let indent = self.line_indent(m.start);
            // A value written on one line (a scalar, `["-y", "prisma", "mcp"]`) stays on one.
            let one_line = !self.text[s..e].contains('\n');
            let empty = matches!(&m.value, Node::Object { members, .. } if members.is_empty())
                || matches!(&m.value, Node::Array { items, .. } if items.is_empty());
            let inline = one_line && !empty;
            let text = self.render(&built, &indent, inline);
            return self.splice(s, e, &text);
        }
        let entries: Vec<(usize, usize)> = members.iter().map(|m| (m.start, m.value.span().1)).collect();
        let key_json = serde_json::to_string(&name).unwrap_or_default();
        let colon = self.colon(&members);
        let indent = self.entry_indent(start, &entries);
        let multi = format!("{key_json}{colon}{}", self.render(&built, &indent, false));
        let inline = format!("{key_json}{colon}{}", self.render(&built, "", true));
        self.insert_last(start, end, &entries, &multi, &inline)
    }

    /// The indentation of the entries of the object or array at `start`.
    fn entry_indent(&self, start: usize, entries: &[(usize, usize)]) -> String {
        match entries.first() {
            Some(&(first, _)) => self.line_indent(first),
            None => format!("{}{}", self.line_indent(start), self.unit()),
        }
    }

    /// `": "` or `":"`, as the object's members are written.
    fn colon(&self, members: &[Member]) -> &'static str {
        match members.first() {
            Some(m) => {
                let (s, _) = m.value.span();
                if self.text[m.start..s].contains(": ") {
                    ": "
                } else {
                    ":"
                }
            }
            None => ": ",
        }
    }

    /// Remove `key` from the object at `path`. Returns whether it was there.
    pub fn remove(&mut self, path: &[&str], key: &str) -> Result<bool, String> {
        let Some(Node::Object { start, end, members }) = self.find(path) else { return Ok(false) };
        let Some(k) = members.iter().rposition(|m| m.key == key) else { return Ok(false) };
        let entries: Vec<(usize, usize)> = members.iter().map(|m| (m.start, m.value.span().1)).collect();
        self.cut(start, end, &entries, k)?;
        Ok(true)
    }

    /// Append `items` to the array at `path` (made when missing).
    pub fn push(&mut self, path: &[&str], items: &[Value]) -> Result<(), String> {
        if self.find(path).is_none() {
            let (key, parent) = path.split_last().ok_or("empty path")?;
            return self.set(parent, key, &Value::Array(items.to_vec()));
        }
        for item in items {
            let Some(Node::Array { start, end, items: have }) = self.find(path) else {
                return Err(format!("`{}` is not a list", path.join(".")));
            };
            let entries: Vec<(usize, usize)> = have.iter().map(Node::span).collect();
            let indent = self.entry_indent(start, &entries);
            let multi = self.render(item, &indent, false);
            let inline = self.render(item, "", true);
            self.insert_last(start, end, &entries, &multi, &inline)?;
        }
        Ok(())
    }

    /// Remove the items of the array at `path` for which `drop` says so. Returns how many.
    pub fn retain(&mut self, path: &[&str], drop: &dyn Fn(&Value) -> bool) -> Result<usize, String> {
        let mut removed = 0;
        loop {
            let Some(Node::Array { start, end, items }) = self.find(path) else { return Ok(removed) };
            let entries: Vec<(usize, usize)> = items.iter().map(Node::span).collect();
            let Some(k) = items.iter().position(|n| drop(&to_value(&self.text, n))) else { return Ok(removed) };
            self.cut(start, end, &entries, k)?;
            removed += 1;
        }
    }

    /// The keys of the object at `path`.
    pub fn keys(&self, path: &[&str]) -> Vec<String> {
        match self.find(path) {
            Some(Node::Object { members, .. }) => members.into_iter().map(|m| m.key).collect(),
            _ => Vec::new(),
        }
    }

    /// Each member of the object at `path` with where its value starts in the text (for a
    /// string, its opening quote), in the file's order; a key written twice is there twice.
    pub fn value_starts(&self, path: &[&str]) -> Vec<(String, usize)> {
        match self.find(path) {
            Some(Node::Object { members, .. }) => members.into_iter().map(|m| (m.key, m.value.span().0)).collect(),
            _ => Vec::new(),
        }
    }

    /// The value at `path`.
    pub fn get(&self, path: &[&str]) -> Option<Value> {
        self.find(path).map(|n| to_value(&self.text, &n))
    }
}

/// The value of a node (comments and trailing commas left out).
fn to_value(text: &str, node: &Node) -> Value {
    match node {
        Node::Object { members, .. } => {
            Value::Object(members.iter().map(|m| (m.key.clone(), to_value(text, &m.value))).collect())
        }
        Node::Array { items, .. } => Value::Array(items.iter().map(|n| to_value(text, n)).collect()),
        Node::Scalar { start, end } => serde_json::from_str(&text[*start..*end]).unwrap_or(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn round_trip(original: &str, path: &[&str], key: &str, value: Value) -> String {
        let mut doc = Doc::new(original).unwrap();
        doc.set(path, key, &value).unwrap();
        let added = doc.text().to_string();
        assert!(doc.remove(path, key).unwrap());
        assert_eq!(doc.text(), original, "removing what was added gives the file back");
        added
    }

    #[test]
    fn members_are_added_in_the_files_style_and_removed_exactly() {
        let tabs = "{\n\t\"name\": \"x\",\n\t\"scripts\": {\n\t\t\"dev\": \"next\"\n\t}\n}\n";
        let added = round_trip(tabs, &["scripts"], "db:backup", json!("prisma-guard backup"));
        assert_eq!(added, "{\n\t\"name\": \"x\",\n\t\"scripts\": {\n\t\t\"dev\": \"next\",\n\t\t\"db:backup\": \"prisma-guard backup\"\n\t}\n}\n");
        let crlf = "{\r\n    \"scripts\": {\r\n        \"dev\": \"next\"\r\n    }\r\n}";
        let added = round_trip(crlf, &["scripts"], "x", json!("y"));
        assert!(added.contains("\"next\",\r\n        \"x\": \"y\"\r\n"), "{added:?}");
        let compact = "{\"name\":\"x\",\"scripts\":{\"dev\":\"next\"}}";
        let added = round_trip(compact, &["scripts"], "x", json!("y"));
        assert_eq!(added, "{\"name\":\"x\",\"scripts\":{\"dev\":\"next\",\"x\":\"y\"}}");
        let inline = "{\n  \"scripts\": {\"dev\": \"next\", \"build\": \"tsc\"}\n}\n";
        let added = round_trip(inline, &["scripts"], "x", json!("y"));
        assert!(added.contains("\"tsc\", \"x\":\"y\"}") || added.contains("\"tsc\", \"x\": \"y\"}"), "{added}");
    }

    #[test]
    fn jsonc_comments_and_trailing_commas_stay() {
        let jsonc = "{\n  // my settings\n  \"theme\": \"dark\", /* keep */\n  \"hooks\": {\n    \"BeforeTool\": [\n      {\"matcher\": \"x\"}, // theirs\n    ],\n  },\n}\n";
        let mut doc = Doc::new(jsonc).unwrap();
        doc.push(&["hooks", "BeforeTool"], &[json!({"matcher": "ours"})]).unwrap();
        assert!(doc.text().contains("// my settings") && doc.text().contains("// theirs"), "{}", doc.text());
        assert_eq!(doc.get(&["hooks", "BeforeTool"]).unwrap().as_array().unwrap().len(), 2);
        doc.retain(&["hooks", "BeforeTool"], &|v| v["matcher"] == "ours").unwrap();
        assert_eq!(doc.text(), jsonc);
    }

    #[test]
    fn missing_objects_are_made_and_nothing_else_moves() {
        let mut doc = Doc::new("{\n  \"name\": \"x\"\n}").unwrap();
        doc.push(&["hooks", "PreToolUse"], &[json!({"matcher": "Bash"})]).unwrap();
        assert_eq!(doc.value().unwrap(), json!({"name": "x", "hooks": {"PreToolUse": [{"matcher": "Bash"}]}}));
        assert!(doc.text().ends_with('}'), "no final newline added");
        doc.remove(&[], "hooks").unwrap();
        assert_eq!(doc.text(), "{\n  \"name\": \"x\"\n}");
        assert!(Doc::new("{\"a\": }").is_err());
    }
}
