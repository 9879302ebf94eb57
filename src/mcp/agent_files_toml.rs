//! Codex's `.codex/config.toml`: its `[mcp_servers.NAME]` tables, read with `toml` and
//! edited in the text (the value of one key spliced, a table appended or cut), so that
//! comments, order and spacing stay. Every edit is read back and checked.

use super::agent_files::Server;

fn parse(text: &str) -> Result<toml::Table, String> {
    toml::from_str::<toml::Table>(text).map_err(|e| format!("not valid TOML ({})", e.message()))
}

pub fn servers(text: &str) -> Result<Vec<Server>, String> {
    let table = parse(text)?;
    let Some(servers) = table.get("mcp_servers").and_then(toml::Value::as_table) else { return Ok(Vec::new()) };
    Ok(servers
        .iter()
        .filter_map(|(name, v)| {
            let t = v.as_table()?;
            Some(Server {
                name: name.clone(),
                command: t.get("command").and_then(toml::Value::as_str).unwrap_or_default().to_string(),
                args: t
                    .get("args")
                    .and_then(toml::Value::as_array)
                    .map(|a| a.iter().filter_map(toml::Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })
        .collect())
}

pub fn has_server_table(text: &str) -> bool {
    parse(text).is_ok_and(|t| t.get("mcp_servers").is_some_and(toml::Value::is_table))
}

/// A `[table]` header's key path.
fn header_path(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('[')?.split('#').next()?.trim_end().strip_suffix(']')?;
    if inner.starts_with('[') {
        return None; // [[array of tables]]
    }
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in inner.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, '.') => parts.push(std::mem::take(&mut cur).trim().to_string()),
            (None, c) => cur.push(c),
        }
    }
    parts.push(cur.trim().to_string());
    Some(parts)
}

/// The byte span of table `[mcp_servers.NAME]`: from its header line to the next header.
fn section(text: &str, name: &str) -> Result<(usize, usize, usize), String> {
    let mut at = 0;
    let mut found: Option<(usize, usize)> = None;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = &text[at..end];
        if line.trim_start().starts_with('[') {
            if let Some((start, body)) = found {
                return Ok((start, body, at));
            }
            if header_path(line).is_some_and(|p| p == ["mcp_servers", name]) {
                found = Some((at, end));
            }
        } else if found.is_some() {
            // Skip a value that spans lines (an array), so a line inside it that starts with
            // `[` is not taken for a header.
            if let Some(eq) = key_eq(line) {
                let value_end = value_end(text, at + eq + 1)?;
                if value_end > end {
                    at = text[value_end..].find('\n').map_or(text.len(), |i| value_end + i + 1);
                    continue;
                }
            }
        }
        at = end;
    }
    found.map(|(s, b)| (s, b, text.len())).ok_or_else(|| {
        format!("`mcp_servers.{name}` is not written as a `[mcp_servers.{name}]` table; change it by hand")
    })
}

/// In a `key = value` line, where the `=` is.
fn key_eq(line: &str) -> Option<usize> {
    let t = line.trim_start();
    if t.is_empty() || t.starts_with('#') || t.starts_with('[') {
        return None;
    }
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '=') => return Some(i),
            _ => {}
        }
    }
    None
}

fn key_name(line: &str, eq: usize) -> String {
    line[..eq].trim().trim_matches(['"', '\'']).to_string()
}

/// Where the value starting after `from` (blanks first) ends.
fn value_end(text: &str, from: usize) -> Result<usize, String> {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    let mut depth = 0usize;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'"' | b'\'' => {
                let q = b[j];
                let triple = b[j..].starts_with(&[q, q, q]);
                if triple {
                    let close =
                        text[j + 3..].find(if q == b'"' { "\"\"\"" } else { "'''" }).ok_or("unclosed string")?;
                    j += 3 + close + 3;
                } else {
                    j += 1;
                    while j < b.len() && b[j] != q && b[j] != b'\n' {
                        j += if q == b'"' && b[j] == b'\\' { 2 } else { 1 };
                    }
                    j += 1;
                }
                if depth == 0 {
                    return Ok(j.min(b.len()));
                }
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1).ok_or("unbalanced brackets")?;
                if depth == 0 {
                    return Ok(j + 1);
                }
            }
            b'#' if depth > 0 => {
                while j < b.len() && b[j] != b'\n' {
                    j += 1;
                }
                continue;
            }
            b'\n' | b'#' if depth == 0 => return Ok(text[..j].trim_end().len().max(i)),
            _ => {}
        }
        j += 1;
    }
    Ok(j)
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn toml_array(items: &[&str]) -> String {
    format!("[{}]", items.iter().map(|s| toml_string(s)).collect::<Vec<_>>().join(", "))
}

/// Set the command and args of `[mcp_servers.NAME]`.
pub fn set_command(text: &str, name: &str, command: &str, args: &[&str]) -> Result<String, String> {
    let (_, body, end) = section(text, name)?;
    // The value spans of `command` and `args`, and where the command line ends.
    let mut spans: Vec<(String, usize, usize)> = Vec::new();
    let mut at = body;
    while at < end {
        let line_end = text[at..end].find('\n').map_or(end, |i| at + i + 1);
        let line = &text[at..line_end];
        let Some(eq) = key_eq(line) else {
            at = line_end;
            continue;
        };
        let from = at + eq + 1;
        let start = from + (text[from..].len() - text[from..].trim_start_matches([' ', '\t']).len());
        let stop = value_end(text, from)?;
        spans.push((key_name(line, eq), start, stop));
        at = text[stop..].find('\n').map_or(text.len(), |i| stop + i + 1);
    }
    let find = |k: &str| spans.iter().find(|(n, _, _)| n == k).map(|(_, s, e)| (*s, *e));
    let Some((cs, ce)) = find("command") else { return Err(format!("`mcp_servers.{name}` has no `command`")) };
    let mut out = text.to_string();
    // The later span first, so the earlier one's offsets hold.
    match find("args") {
        Some((a_s, a_e)) if a_s > cs => {
            out.replace_range(a_s..a_e, &toml_array(args));
            out.replace_range(cs..ce, &toml_string(command));
        }
        Some((a_s, a_e)) => {
            out.replace_range(cs..ce, &toml_string(command));
            out.replace_range(a_s..a_e, &toml_array(args));
        }
        None => {
            let line_end = text[ce..].find('\n').map_or(text.len(), |i| ce + i);
            out.insert_str(line_end, &format!("\nargs = {}", toml_array(args)));
            out.replace_range(cs..ce, &toml_string(command));
        }
    }
    check(&out, name, Some((command, args)))?;
    Ok(out)
}

/// Append a `[mcp_servers.NAME]` table.
pub fn add(text: &str, name: &str, command: &str, args: &[&str]) -> Result<String, String> {
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&format!("[mcp_servers.{name}]\ncommand = {}\nargs = {}\n", toml_string(command), toml_array(args)));
    check(&out, name, Some((command, args)))?;
    Ok(out)
}

/// Cut the `[mcp_servers.NAME]` table out (with the blank line `add` put before it).
pub fn remove(text: &str, name: &str) -> Result<String, String> {
    let (start, _, end) = section(text, name)?;
    let mut from = start;
    if end == text.len() && text[..start].ends_with("\n\n") {
        from -= 1;
    }
    let mut out = text.to_string();
    out.replace_range(from..end, "");
    check(&out, name, None)?;
    Ok(out)
}

/// The edited text parses, and the server is as meant (or gone).
fn check(text: &str, name: &str, want: Option<(&str, &[&str])>) -> Result<(), String> {
    let found = servers(text).map_err(|e| format!("the edit would leave the file {e}"))?;
    let s = found.iter().find(|s| s.name == name);
    let ok = match (want, s) {
        (None, None) => true,
        (Some((c, a)), Some(s)) => s.command == c && s.args == a,
        _ => false,
    };
    ok.then_some(()).ok_or_else(|| format!("could not edit `mcp_servers.{name}` safely; change it by hand"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CODEX: &str = "# my Codex settings\nmodel = \"o4\"\n\n[mcp_servers.prisma]\ncommand = \"npx\"  # Prisma's server\nargs = [\n  \"-y\",\n  \"prisma\", # the CLI\n  \"mcp\",\n]\nenv = { DEBUG = \"1\" }\n\n[mcp_servers.docs]\ncommand = \"docs-mcp\"\n";

    #[test]
    fn codex_tables_are_edited_in_the_text() {
        let p = Path::new(".codex/config.toml");
        let (merged, names) =
            super::super::agent_files::merge(p, CODEX, true, "prisma-guard").expect("merge").expect("changed");
        assert_eq!(names, ["prisma"]);
        assert!(merged.starts_with("# my Codex settings\nmodel = \"o4\"\n\n[mcp_servers.prisma]\ncommand = \"prisma-guard\"  # Prisma's server\nargs = [\"mcp\"]\nenv = { DEBUG = \"1\" }\n"), "{merged}");
        assert!(merged.ends_with("[mcp_servers.docs]\ncommand = \"docs-mcp\"\n"), "{merged}");
        assert_eq!(
            super::super::agent_files::merge(p, &merged, true, "prisma-guard").expect("merge"),
            None,
            "idempotent"
        );
        let back = super::super::agent_files::unmerge(p, &merged).expect("unmerge").expect("changed");
        let s = servers(&back).expect("parses");
        let prisma = s.iter().find(|s| s.name == "prisma").expect("still there");
        assert_eq!(
            (prisma.command.as_str(), prisma.args.clone()),
            ("npx", vec!["prisma".to_string(), "mcp".to_string()])
        );
    }

    #[test]
    fn a_table_is_added_after_the_others_and_removed_byte_for_byte() {
        let text = "[mcp_servers.docs]\ncommand = \"docs-mcp\"\nargs = []\n";
        let added = add(text, "prisma-guard", "prisma-guard", &["mcp"]).expect("add");
        assert!(added.ends_with("\n\n[mcp_servers.prisma-guard]\ncommand = \"prisma-guard\"\nargs = [\"mcp\"]\n"));
        assert_eq!(remove(&added, "prisma-guard").expect("remove"), text);
        // An inline table is not edited: said, not guessed.
        let inline = "[mcp_servers]\nprisma = { command = \"npx\", args = [\"prisma\", \"mcp\"] }\n";
        assert!(set_command(inline, "prisma", "prisma-guard", &["mcp"]).is_err());
        assert!(set_command("command = [", "x", "y", &[]).is_err());
    }

    #[test]
    fn a_missing_args_key_is_added_under_the_command() {
        let text = "[mcp_servers.prisma]\ncommand = \"prisma\"\n";
        // `prisma` with no args is no `prisma mcp`; but a table can be edited to any command.
        let out = set_command(text, "prisma", "prisma-guard", &["mcp"]).expect("set");
        assert_eq!(out, "[mcp_servers.prisma]\ncommand = \"prisma-guard\"\nargs = [\"mcp\"]\n");
    }
}
