//! Makefiles as GNU make reads them, as far as the commands go: rules (`a b: deps ; cmd`,
//! `::` rules, pattern rules), tab-indented recipe lines with their `@`, `-`, `+` prefixes,
//! simple variables (`=`, `:=`, `::=`, `?=`, `+=`, `define`), `include`, the default goal.
//! Conditionals are not evaluated: every branch counts.

use std::collections::HashMap;

/// One recipe line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line and column (in bytes, after the tab and prefixes) in the file.
    pub line: usize,
    pub col: usize,
    /// The command, prefixes removed, variables not yet expanded.
    pub text: String,
    /// Whether `+` marked it (it runs even under `make -n`).
    pub always: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Rule {
    pub targets: Vec<String>,
    pub prereqs: Vec<String>,
    pub recipe: Vec<Line>,
}

#[derive(Debug, Default)]
pub struct Makefile {
    pub rules: Vec<Rule>,
    /// Variables as written (recursive ones expand when used).
    pub vars: HashMap<String, String>,
    /// The files `include` names, as written.
    pub includes: Vec<String>,
}

/// Lines joined at trailing backslashes, with the line each starts on.
pub fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let (start, mut acc) = cur.take().unwrap_or((i + 1, String::new()));
        if let Some(stripped) = line.strip_suffix('\\') {
            acc.push_str(stripped);
            acc.push(' ');
            cur = Some((start, acc));
        } else {
            acc.push_str(line);
            out.push((start, acc));
        }
    }
    out.extend(cur);
    out
}

/// Text before an unescaped `#` (make's comments, outside recipes).
fn uncomment(line: &str) -> &str {
    let b = line.as_bytes();
    (0..b.len()).find(|&i| b[i] == b'#' && (i == 0 || b[i - 1] != b'\\')).map_or(line, |i| &line[..i])
}

/// The first top-level (outside `$(...)`) `:` or `=` of a line; the `=` of `:=` and `::=`.
fn separator(line: &str) -> Option<(usize, u8)> {
    let b = line.as_bytes();
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth = depth.saturating_sub(1),
            b':' if depth == 0 && b.get(i + 1) == Some(&b'=') => return Some((i + 1, b'=')),
            b':' if depth == 0 && b.get(i + 1) == Some(&b':') && b.get(i + 2) == Some(&b'=') => {
                return Some((i + 2, b'='))
            }
            b':' | b'=' if depth == 0 => return Some((i, c)),
            _ => {}
        }
    }
    None
}

pub fn parse(text: &str) -> Makefile {
    let mut mf = Makefile::default();
    let mut current: Option<usize> = None;
    let mut define: Option<(String, Vec<String>)> = None;
    for (line, l) in logical_lines(text) {
        if let Some((name, body)) = define.as_mut() {
            if l.trim() == "endef" {
                mf.vars.insert(std::mem::take(name), body.join("\n"));
                define = None;
            } else {
                body.push(l);
            }
            continue;
        }
        if let Some(recipe) = l.strip_prefix('\t') {
            let Some(k) = current else { continue };
            let prefixes = recipe.len() - recipe.trim_start_matches(['@', '-', '+', ' ', '\t']).len();
            let always = recipe[..prefixes].contains('+');
            let cmd = &recipe[prefixes..];
            if cmd.trim().is_empty() || cmd.trim_start().starts_with('#') {
                continue;
            }
            let col = 1 + l.len() - cmd.len();
            mf.rules[k].recipe.push(Line { line, col, text: cmd.to_string(), always });
            continue;
        }
        let code = uncomment(&l).trim_end();
        let word = code.split_whitespace().next().unwrap_or("");
        match word {
            "" => continue,
            "ifeq" | "ifneq" | "ifdef" | "ifndef" | "else" | "endif" => continue,
            "include" | "-include" | "sinclude" => {
                mf.includes.extend(code.split_whitespace().skip(1).map(String::from));
                continue;
            }
            "define" => {
                let name = code.split_whitespace().nth(1).unwrap_or("").to_string();
                define = Some((name, Vec::new()));
                continue;
            }
            _ => {}
        }
        let code =
            ["export ", "override ", "private "].iter().fold(code.trim_start(), |c, p| c.strip_prefix(p).unwrap_or(c));
        match separator(code) {
            Some((i, b'=')) => {
                let (op, name) = match code[..i].trim_end() {
                    n if n.ends_with("::") => ("::=", &n[..n.len() - 2]),
                    n if n.ends_with([':', '?', '+', '!']) => (&n[n.len() - 1..], &n[..n.len() - 1]),
                    n => ("=", n),
                };
                let name = name.trim().to_string();
                let value = code[i + 1..].trim().to_string();
                match op {
                    "?" if mf.vars.contains_key(&name) => {}
                    "+" => {
                        let v = mf.vars.entry(name).or_default();
                        if !v.is_empty() {
                            v.push(' ');
                        }
                        v.push_str(&value);
                    }
                    // A shell's output: known only when make runs.
                    "!" => {
                        mf.vars.insert(name, "$(shell)".to_string());
                    }
                    _ => {
                        mf.vars.insert(name, value);
                    }
                }
                current = None;
            }
            Some((i, _)) => {
                let targets: Vec<String> = code[..i].split_whitespace().map(String::from).collect();
                let rest = code[i + 1..].strip_prefix(':').unwrap_or(&code[i + 1..]);
                let (deps, inline) = match rest.split_once(';') {
                    Some((d, r)) => (d, Some(r)),
                    None => (rest, None),
                };
                // `target: VAR = value`: a variable for that target; the rule stays as it was.
                if separator(deps).is_some_and(|(_, c)| c == b'=') {
                    continue;
                }
                let prereqs = deps.split_whitespace().filter(|d| *d != "|").map(String::from).collect();
                let mut rule = Rule { targets, prereqs, recipe: Vec::new() };
                if let Some(cmd) = inline.map(str::trim).filter(|c| !c.is_empty()) {
                    let col = 1 + l.find(cmd).unwrap_or(0);
                    let always = cmd.starts_with('+');
                    let text = cmd.trim_start_matches(['@', '-', '+', ' ']).to_string();
                    rule.recipe.push(Line { line, col, text, always });
                }
                mf.rules.push(rule);
                current = Some(mf.rules.len() - 1);
            }
            None => current = None,
        }
    }
    mf
}

impl Makefile {
    /// Add an included makefile's rules and variables.
    pub fn merge(&mut self, other: Makefile) {
        self.rules.extend(other.rules);
        self.vars.extend(other.vars);
    }

    /// The goal `make` with no target builds: `.DEFAULT_GOAL`, else the first rule's first
    /// target that is not special (`.PHONY`) nor a pattern.
    pub fn default_goal(&self) -> Option<String> {
        if let Some(g) = self.vars.get(".DEFAULT_GOAL").filter(|g| !g.trim().is_empty()) {
            return Some(g.trim().to_string());
        }
        self.rules.iter().flat_map(|r| &r.targets).find(|t| !t.starts_with('.') && !t.contains('%')).cloned()
    }

    /// The rules for `target`: explicit ones, or else the pattern rules it matches with their
    /// stem (`%.o: %.c` and `reset` -> none; `%: ` and `reset` -> stem `reset`).
    pub fn rules_for(&self, target: &str) -> Vec<(&Rule, Option<String>)> {
        let explicit: Vec<(&Rule, Option<String>)> =
            self.rules.iter().filter(|r| r.targets.iter().any(|t| t == target)).map(|r| (r, None)).collect();
        if !explicit.is_empty() {
            return explicit;
        }
        self.rules
            .iter()
            .filter_map(|r| {
                r.targets.iter().find_map(|t| {
                    let (pre, post) = t.split_once('%')?;
                    let stem = target.strip_prefix(pre)?.strip_suffix(post)?;
                    (!r.recipe.is_empty()).then(|| (r, Some(stem.to_string())))
                })
            })
            .collect()
    }
}

/// Variables make defines itself, that recipes use.
const BUILTIN: &[(&str, &str)] = &[
    ("MAKE", "make"),
    ("RM", "rm -f"),
    ("SHELL", "/bin/sh"),
    ("CC", "cc"),
    ("CXX", "g++"),
    ("CPP", "cc -E"),
    ("AR", "ar"),
    ("LD", "ld"),
    ("AS", "as"),
    ("INSTALL", "install"),
    ("MAKEFLAGS", ""),
    ("MFLAGS", ""),
    ("MAKECMDGOALS", ""),
];

/// A recipe line with make's variables expanded: the text, and the references that could not
/// be (variables the file does not set, functions such as `$(shell ...)`), left as written.
pub fn expand(
    text: &str,
    vars: &HashMap<String, String>,
    auto: &HashMap<&str, String>,
    unknown: &mut Vec<String>,
) -> String {
    expand_at(text, vars, auto, unknown, 0)
}

fn expand_at(
    text: &str,
    vars: &HashMap<String, String>,
    auto: &HashMap<&str, String>,
    unknown: &mut Vec<String>,
    depth: usize,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(c) = after.chars().next() else {
            out.push('$');
            rest = "";
            break;
        };
        let (name, len) = match c {
            '$' => {
                out.push('$');
                rest = &after[1..];
                continue;
            }
            '(' | '{' => {
                let close = if c == '(' { ')' } else { '}' };
                let mut depth_p = 0usize;
                let end = after.char_indices().find(|&(_, ch)| {
                    if ch == c {
                        depth_p += 1;
                    } else if ch == close {
                        depth_p -= 1;
                    }
                    depth_p == 0
                });
                match end {
                    Some((e, _)) => (after[1..e].to_string(), e + 1),
                    None => (after[1..].to_string(), after.len()),
                }
            }
            ch => (ch.to_string(), ch.len_utf8()),
        };
        let written = &rest[i..i + 1 + len];
        let value = auto
            .get(name.as_str())
            .cloned()
            .or_else(|| vars.get(&name).cloned())
            .or_else(|| BUILTIN.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()));
        match value {
            Some(v) if depth < 16 => out.push_str(&expand_at(&v, vars, auto, unknown, depth + 1)),
            _ => {
                unknown.push(written.to_string());
                out.push_str(written);
            }
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_variables_and_goals() {
        let mf = parse(
            "PRISMA := npx prisma\nX = $(PRISMA) migrate\n.PHONY: all reset\nall: build\nbuild:\n\t@echo hi\nreset: clean ; -$(X) reset --force\n\t+$(MAKE) seed\nclean:\n\trm -rf dist # tidy\nseed::\n\tnode seed.js\n%.o: %.c\n\t$(CC) -c $< -o $@\nV ?= 1\ninclude other.mk\n",
        );
        assert_eq!(mf.default_goal().as_deref(), Some("all"));
        let reset = mf.rules_for("reset");
        assert_eq!(reset.len(), 1);
        assert_eq!(reset[0].0.prereqs, vec!["clean"]);
        let lines: Vec<&str> = reset[0].0.recipe.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(lines, vec!["$(X) reset --force", "$(MAKE) seed"]);
        assert!(reset[0].0.recipe[1].always);
        let mut unknown = Vec::new();
        let auto = HashMap::from([("@", "reset".to_string())]);
        assert_eq!(
            expand("$(X) reset $$HOME $@", &mf.vars, &auto, &mut unknown),
            "npx prisma migrate reset $HOME reset"
        );
        assert!(unknown.is_empty());
        assert_eq!(expand("$(DB) x $(shell ls)", &mf.vars, &auto, &mut unknown), "$(DB) x $(shell ls)");
        assert_eq!(unknown, vec!["$(DB)", "$(shell ls)"]);
        assert_eq!(mf.includes, vec!["other.mk"]);
        assert_eq!(mf.rules_for("x.o").len(), 1);
        assert!(mf.rules_for("nothing").is_empty());
    }
}
