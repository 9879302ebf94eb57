//! Compose and CI YAML, read with a YAML parser (`saphyr-parser`) that keeps each scalar's
//! position: a step's `run: |` block is a script whose lines are found on their own source
//! lines (with `\`-continued lines joined), a `>`-folded or multi-line plain scalar is the one
//! command YAML makes of it, quoted strings are unescaped, and `command:`/`entrypoint:` lists
//! (compose, Kubernetes) are one argv.
//!
//! A command runs in production when a key on its path, or the `name`, `stage` or
//! `environment` of a mapping around it, says deploy/release/prod/publish/ship (a GitHub job
//! `deploy`, a GitLab `stage: deploy`, a step `name: Release`), or the whole file is.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;
use saphyr_parser::{Event, Parser, ScalarStyle};

use super::{re, CommandLine};

/// A parsed YAML node, with where scalars start (1-based line, 0-based character column).
enum Node<'a> {
    Scalar { value: Cow<'a, str>, style: ScalarStyle, line: usize, col: usize, end_line: usize },
    Map(Vec<(Node<'a>, Node<'a>)>),
    Seq(Vec<Node<'a>>),
    Alias,
}

impl Node<'_> {
    fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// Every document of the stream, as trees.
fn parse(text: &str) -> Result<Vec<Node<'_>>, String> {
    enum Open<'a> {
        Map(Vec<(Node<'a>, Node<'a>)>, Option<Node<'a>>),
        Seq(Vec<Node<'a>>),
    }
    fn attach<'a>(stack: &mut [Open<'a>], docs: &mut Vec<Node<'a>>, node: Node<'a>) {
        match stack.last_mut() {
            Some(Open::Seq(items)) => items.push(node),
            Some(Open::Map(pairs, key)) => match key.take() {
                Some(k) => pairs.push((k, node)),
                None => *key = Some(node),
            },
            None => docs.push(node),
        }
    }
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| format!("not valid YAML: {e}"))?;
        match event {
            Event::Scalar(value, style, _, _) => {
                let node = Node::Scalar {
                    value,
                    style,
                    line: span.start.line(),
                    col: span.start.col(),
                    end_line: span.end.line(),
                };
                attach(&mut stack, &mut docs, node);
            }
            Event::Alias(_) => attach(&mut stack, &mut docs, Node::Alias),
            Event::MappingStart(..) => stack.push(Open::Map(Vec::new(), None)),
            Event::SequenceStart(..) => stack.push(Open::Seq(Vec::new())),
            Event::MappingEnd | Event::SequenceEnd => {
                let node = match stack.pop() {
                    Some(Open::Map(pairs, _)) => Node::Map(pairs),
                    Some(Open::Seq(items)) => Node::Seq(items),
                    None => return Err("not valid YAML: an end without a start".into()),
                };
                attach(&mut stack, &mut docs, node);
            }
            _ => {}
        }
    }
    Ok(docs)
}

/// A YAML document as JSON (scalars as strings, aliases as null), for settings files read
/// by key (lefthook's local config). `Value::Null` for an empty file.
pub fn to_json(text: &str) -> Result<serde_json::Value, String> {
    fn json(node: &Node) -> serde_json::Value {
        match node {
            Node::Scalar { value, .. } => serde_json::Value::String(value.to_string()),
            Node::Map(pairs) => serde_json::Value::Object(
                pairs.iter().filter_map(|(k, v)| Some((k.text()?.to_string(), json(v)))).collect(),
            ),
            Node::Seq(items) => serde_json::Value::Array(items.iter().map(json).collect()),
            Node::Alias => serde_json::Value::Null,
        }
    }
    Ok(parse(text)?.first().map(json).unwrap_or(serde_json::Value::Null))
}

/// Where a node sits: the keys above it, whether that is a production step, and the name of
/// the nearest step or job that has one.
#[derive(Clone, Default)]
struct Place {
    path: Vec<String>,
    production: bool,
    name: Option<String>,
}

impl Place {
    fn context(&self, compose: bool) -> String {
        match &self.name {
            Some(name) => format!("step \"{name}\""),
            None if self.path.is_empty() && compose => "compose".into(),
            None => self.path.join("."),
        }
    }
}

fn says_production(s: &str) -> bool {
    static PROD: OnceLock<Regex> = OnceLock::new();
    re(&PROD, r"(?i)deploy|release|prod|publish|ship").is_match(s)
}

/// The command lines of a compose (`compose`) or CI YAML file; `file_production` when the
/// file's name says production.
pub(super) fn commands(text: &str, file_production: bool, compose: bool) -> Result<Vec<CommandLine>, String> {
    let docs = parse(text)?;
    let mut out = Vec::new();
    let root = Place { production: file_production, ..Place::default() };
    for doc in &docs {
        walk(doc, &root, compose, &mut out);
    }
    Ok(out)
}

fn walk(node: &Node, place: &Place, compose: bool, out: &mut Vec<CommandLine>) {
    match node {
        Node::Map(pairs) => {
            let field = |k: &str| pairs.iter().find(|(key, _)| key.text() == Some(k)).and_then(|(_, v)| v.text());
            let mut here = place.clone();
            if ["name", "stage", "environment"].iter().filter_map(|k| field(k)).any(says_production) {
                here.production = true;
            }
            if let Some(name) = field("name") {
                here.name = Some(name.to_string());
            }
            for (key, value) in pairs {
                let key = key.text().unwrap_or("");
                let mut inner = here.clone();
                inner.path.push(key.to_string());
                inner.production |= says_production(key);
                match value {
                    Node::Seq(items) if matches!(key, "command" | "entrypoint") => argv(items, &inner, compose, out),
                    _ => walk(value, &inner, compose, out),
                }
            }
        }
        Node::Seq(items) => items.iter().for_each(|item| walk(item, place, compose, out)),
        Node::Scalar { value, style, line, col, end_line } if super::mentions_data_command(value) => {
            scalar(value, *style, (*line, *col, *end_line), place, compose, out)
        }
        Node::Scalar { .. } | Node::Alias => {}
    }
}

/// A `command: ["npx", "prisma", ...]` list: one command line of quoted words.
fn argv(items: &[Node], place: &Place, compose: bool, out: &mut Vec<CommandLine>) {
    let words: Option<Vec<&str>> = items.iter().map(Node::text).collect();
    let (Some(words), Some(Node::Scalar { line, col, .. })) = (words, items.first()) else {
        return items.iter().for_each(|item| walk(item, place, compose, out));
    };
    if !words.iter().any(|w| super::mentions_data_command(w)) {
        return;
    }
    out.push(CommandLine {
        line: *line,
        col: col + 1,
        text: words.iter().map(|w| crate::shell::quote(w)).collect::<Vec<_>>().join(" "),
        verbatim: false,
        production: place.production,
        context: place.context(compose),
    });
}

/// The command lines in one string value.
fn scalar(
    value: &str,
    style: ScalarStyle,
    (line, col, end_line): (usize, usize, usize),
    place: &Place,
    compose: bool,
    out: &mut Vec<CommandLine>,
) {
    let push = |out: &mut Vec<CommandLine>, line: usize, col: usize, text: String, verbatim: bool| {
        out.push(CommandLine {
            line,
            col,
            text,
            verbatim,
            production: place.production,
            context: place.context(compose),
        })
    };
    match style {
        // A script: one source line per value line, from the block's first content line.
        ScalarStyle::Literal => {
            for (first, text, joined) in logical_lines(value) {
                if super::mentions_data_command(&text) {
                    push(out, line + first, col + 1, text, !joined);
                }
            }
        }
        // Folded by YAML into lines of its own making: each is a command, found at the start.
        ScalarStyle::Folded => {
            for text in value.lines().filter(|l| l.contains("prisma")) {
                push(out, line, col + 1, text.trim().to_string(), false);
            }
        }
        // Quotes take one column; escapes make the text differ from the source.
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => push(out, line, col + 2, value.to_string(), false),
        ScalarStyle::Plain => push(out, line, col + 1, value.to_string(), end_line == line),
    }
}

/// A script's lines, joined at trailing backslashes: (index of the first line, text, joined).
fn logical_lines(script: &str) -> Vec<(usize, String, bool)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, l) in script.lines().enumerate() {
        let (first, mut acc) = cur.take().unwrap_or((i, String::new()));
        match l.strip_suffix('\\') {
            Some(part) => {
                acc.push_str(part);
                acc.push(' ');
                cur = Some((first, acc));
            }
            None => {
                let joined = first != i;
                acc.push_str(l);
                out.push((first, acc, joined));
            }
        }
    }
    if let Some((first, acc)) = cur {
        out.push((first, acc, true));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(usize, usize, String, bool)> {
        commands(text, false, false).unwrap().into_iter().map(|c| (c.line, c.col, c.text, c.production)).collect()
    }

    #[test]
    fn steps_and_deploy_jobs() {
        let text = "jobs:\n  test:\n    steps:\n      - run: npx prisma migrate reset --force\n  deploy:\n    steps:\n      - name: Migrate\n        run: |\n          npx prisma db push\n      - run: \"npx prisma migrate dev\"\n";
        let c = commands(text, false, false).unwrap();
        let got: Vec<(usize, &str, bool)> = c.iter().map(|c| (c.line, c.text.as_str(), c.production)).collect();
        assert_eq!(
            got,
            vec![
                (4, "npx prisma migrate reset --force", false),
                (9, "npx prisma db push", true),
                (10, "npx prisma migrate dev", true)
            ]
        );
        assert_eq!(c[0].col, 14);
        assert_eq!(c[1].context, "step \"Migrate\"");
    }

    #[test]
    fn continued_and_folded_commands_are_found_whole_on_their_line() {
        let text = "jobs:\n  ci:\n    steps:\n      - run: |\n          cd db\n          npx prisma migrate \\\n            reset --force\n      - run: >\n          npx prisma\n          db push --force-reset\n      - run: npx prisma\n          migrate reset\n";
        assert_eq!(
            found(text),
            vec![
                (6, 11, "npx prisma migrate    reset --force".to_string(), false),
                (9, 11, "npx prisma db push --force-reset".to_string(), false),
                (11, 14, "npx prisma migrate reset".to_string(), false),
            ]
        );
    }

    #[test]
    fn gitlab_stages_compose_argv_and_names_in_text() {
        let text = "migrate:\n  stage: deploy\n  script:\n    - npx prisma migrate dev\nlint:\n  script:\n    - \"echo 'name: prisma db push'\"\n";
        let got = found(text);
        assert_eq!(got[0], (4, 7, "npx prisma migrate dev".to_string(), true));
        assert_eq!(got[1].2, "echo 'name: prisma db push'", "a value is the whole command, quotes and all");
        let compose = "services:\n  web:\n    command: [\"npx\", \"prisma\", \"migrate\", \"reset\"]\n";
        let c = commands(compose, false, true).unwrap();
        assert_eq!(
            (c[0].line, c[0].text.as_str(), c[0].context.as_str()),
            (3, "npx prisma migrate reset", "services.web.command")
        );
    }

    #[test]
    fn anchors_keys_and_comments_are_not_commands() {
        let text = "# npx prisma migrate reset\n.base: &base\n  script: [npx prisma migrate deploy]\njob:\n  <<: *base\n  prisma-notes: hello\n";
        let got = found(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].2, "npx prisma migrate deploy");
    }

    #[test]
    fn yaml_that_does_not_parse_is_an_error() {
        let err = commands("jobs:\n  a: [unclosed\n", false, false).unwrap_err();
        assert!(err.starts_with("not valid YAML"), "{err}");
    }
}
