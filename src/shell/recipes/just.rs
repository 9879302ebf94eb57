//! justfiles (casey/just): the nearest `justfile` upward (any case, or `.justfile`), its
//! recipes (`name params: deps`, indented bodies, `@`/`-` prefixes, shebang bodies),
//! `alias a := b`, `name := "value"` assignments and `{{name}}` interpolation, `import`.
//! Recipes run in the justfile's folder.

use std::collections::HashMap;
use std::path::Path;

use super::{looks_like_data, missing, read, unknown_text, Call, Recipe, Refused};

#[derive(Debug, Default)]
struct Def {
    params: Vec<(String, Option<String>)>,
    variadic: bool,
    /// `[no-cd]`: it runs where just was started, not in the justfile's folder.
    no_cd: bool,
    deps: Vec<String>,
    body: Vec<String>,
}

#[derive(Debug, Default)]
struct Justfile {
    order: Vec<String>,
    recipes: HashMap<String, Def>,
    aliases: HashMap<String, String>,
    vars: HashMap<String, String>,
    modules: Vec<String>,
    imports: Vec<String>,
}

fn unquote(v: &str) -> Option<String> {
    let v = v.trim();
    ['"', '\''].iter().find_map(|q| v.strip_prefix(*q)?.strip_suffix(*q).map(str::to_string))
}

/// The `:` ending a recipe header (outside quotes, not `:=`).
fn header_colon(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut quote = None;
    for (i, &c) in b.iter().enumerate() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b':') if b.get(i + 1) != Some(&b'=') => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse(text: &str) -> Justfile {
    let mut jf = Justfile::default();
    let mut current: Option<String> = None;
    let mut no_cd = false;
    for line in text.lines() {
        let indented = line.starts_with([' ', '\t']);
        if indented {
            if let Some(def) = current.as_ref().and_then(|c| jf.recipes.get_mut(c)) {
                def.body.push(line.trim().to_string());
            }
            continue;
        }
        let t = line.trim();
        if t.starts_with('[') {
            no_cd |= t.contains("no-cd");
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        current = None;
        let words: Vec<&str> = t.split_whitespace().collect();
        match words.first().copied() {
            Some("set") => continue,
            Some("alias") => {
                if let Some((a, b)) = t["alias".len()..].split_once(":=") {
                    jf.aliases.insert(a.trim().to_string(), b.trim().to_string());
                }
                continue;
            }
            Some("mod" | "mod?") => {
                jf.modules.extend(words.get(1).map(|w| w.to_string()));
                continue;
            }
            Some("import" | "import?") => {
                jf.imports.extend(words.get(1).and_then(|w| unquote(w)));
                continue;
            }
            _ => {}
        }
        let t = t.strip_prefix("export ").unwrap_or(t);
        if let Some((name, value)) = t.split_once(":=").filter(|(n, _)| !n.contains(':')) {
            // A backticked command or an expression: known only when just runs.
            let value = unquote(value).unwrap_or_else(|| format!("{{{{{}}}}}", value.trim()));
            jf.vars.insert(name.trim().to_string(), value);
            continue;
        }
        let Some(colon) = header_colon(t) else { continue };
        let head: Vec<&str> = t[..colon].split_whitespace().collect();
        let Some(name) = head.first().map(|n| n.trim_start_matches('@').to_string()) else { continue };
        let mut def = Def { no_cd: std::mem::take(&mut no_cd), ..Def::default() };
        for p in &head[1..] {
            def.variadic |= p.starts_with(['+', '*']);
            let p = p.trim_start_matches(['+', '*', '$']);
            let (n, d) = match p.split_once('=') {
                Some((n, d)) => (n, Some(unquote(d).unwrap_or_else(|| d.to_string()))),
                None => (p, None),
            };
            def.params.push((n.to_string(), d));
        }
        // `a (b "x") && c`: each dependency's name.
        let deps = t[colon + 1..].replace("&&", " ");
        let mut in_paren = false;
        for w in deps.split_whitespace() {
            let starts = w.starts_with('(');
            let name = w.trim_start_matches('(').trim_end_matches(')');
            if (!in_paren || starts) && !name.is_empty() && !name.starts_with(['"', '\'']) {
                def.deps.push(name.to_string());
            }
            in_paren = (in_paren || starts) && !w.ends_with(')');
        }
        jf.order.push(name.clone());
        jf.recipes.insert(name.clone(), def);
        current = Some(name);
    }
    jf
}

pub(super) fn lookup(base: &Path, call: &Call) -> Result<Vec<Recipe>, Refused> {
    let path = match call.files.first() {
        Some(f) => base.join(f),
        None => {
            let found = base.ancestors().find_map(|d| {
                let entries = std::fs::read_dir(d).ok()?;
                entries.flatten().map(|e| e.path()).find(|p| {
                    let n = p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
                    (n == "justfile" || n == ".justfile") && p.is_file()
                })
            });
            let Some(found) = found else { return Ok(Vec::new()) };
            found
        }
    };
    let Some(text) = read(&path)? else { return Ok(Vec::new()) };
    let dir = path.parent().unwrap_or(base).to_path_buf();
    let file = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let mut jf = parse(&text);
    for imp in std::mem::take(&mut jf.imports) {
        if let Some(t) = read(&dir.join(&imp))? {
            let other = parse(&t);
            jf.order.extend(other.order);
            jf.recipes.extend(other.recipes);
            jf.aliases.extend(other.aliases);
            jf.vars.extend(other.vars);
        }
    }
    // `just a x b`: recipe `a` with its arguments, then recipe `b`.
    let mut calls: Vec<(String, Vec<String>)> = Vec::new();
    let words = &call.targets;
    let mut i = 0;
    if words.is_empty() {
        calls.extend(jf.order.first().map(|r| (r.clone(), Vec::new())));
    }
    while let Some(w) = words.get(i) {
        // `just --choose`: whichever recipe the person picks.
        if w == "*" {
            calls.extend(jf.order.iter().map(|r| (r.clone(), Vec::new())));
            i += 1;
            continue;
        }
        let name = jf.aliases.get(w).cloned().unwrap_or_else(|| w.clone());
        let Some(def) = jf.recipes.get(&name) else {
            let why = if w.contains("::") || jf.modules.contains(w) {
                "is in a module, which is not read"
            } else {
                "is not there"
            };
            return Err(missing(format!("recipe `{w}` of {file} {why}, so what `just {w}` runs cannot be checked")));
        };
        let n = if def.variadic { words.len() - i - 1 } else { def.params.len().min(words.len() - i - 1) };
        calls.push((name, words[i + 1..i + 1 + n].to_vec()));
        i += 1 + n;
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let dirs = Dirs { justfile: &dir, started: base };
    for (name, args) in calls {
        recipe(&jf, &dirs, &file, &name, &args, &mut seen, &mut out)?;
    }
    Ok(out)
}

/// Where recipes run: the justfile's folder, or (`[no-cd]`) where just was started.
struct Dirs<'a> {
    justfile: &'a Path,
    started: &'a Path,
}

fn recipe(
    jf: &Justfile,
    dirs: &Dirs<'_>,
    file: &str,
    name: &str,
    args: &[String],
    seen: &mut Vec<String>,
    out: &mut Vec<Recipe>,
) -> Result<(), Refused> {
    let name = jf.aliases.get(name).map_or(name, String::as_str);
    if seen.iter().any(|s| s == name) {
        return Ok(());
    }
    seen.push(name.to_string());
    let Some(def) = jf.recipes.get(name) else {
        return Err(missing(format!("{file} has no recipe `{name}`, so what it runs cannot be checked")));
    };
    for d in &def.deps {
        recipe(jf, dirs, file, d, &[], seen, out)?;
    }
    let mut vars = jf.vars.clone();
    for (k, (p, default)) in def.params.iter().enumerate() {
        let value = match def.variadic && k + 1 == def.params.len() {
            true => Some(args.get(k..).unwrap_or(&[]).join(" ")).filter(|v| !v.is_empty()).or_else(|| default.clone()),
            false => args.get(k).cloned().or_else(|| default.clone()),
        };
        vars.insert(p.clone(), value.unwrap_or_else(|| format!("{{{{{p}}}}}")));
    }
    let mut body = Vec::new();
    let shebang = def.body.first().and_then(|l| l.strip_prefix("#!")).map(str::to_string);
    for line in def.body.iter().skip(usize::from(shebang.is_some())) {
        let mut unknown = Vec::new();
        let text = interpolate(line, &vars, &mut unknown);
        if !unknown.is_empty() && looks_like_data(&text) {
            return Err(unknown_text(file, name, &text, &unknown).into());
        }
        body.push(text.trim_start_matches(['@', '-']).to_string());
    }
    if let Some(interpreter) = shebang {
        let shell =
            ["sh", "bash", "zsh", "dash"].iter().any(|s| interpreter.split_whitespace().any(|w| w.ends_with(s)));
        if !shell && looks_like_data(&body.join("\n")) {
            return Err(format!(
                "recipe `{name}` of {file} is a `{}` script about prisma or a database, which cannot be checked",
                interpreter.trim()
            )
            .into());
        }
        if !shell {
            return Ok(());
        }
    }
    if !body.is_empty() {
        let dir = if def.no_cd { dirs.started } else { dirs.justfile };
        out.push(Recipe { dir: dir.to_path_buf(), label: format!("`{file}` recipe `{name}`"), body: body.join("\n") });
    }
    Ok(())
}

/// `{{name}}` replaced by its value; other expressions are left and reported as unknown.
fn interpolate(line: &str, vars: &HashMap<String, String>, unknown: &mut Vec<String>) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        if rest[i..].starts_with("{{{{") {
            out.push_str("{{");
            rest = &rest[i + 4..];
            continue;
        }
        let Some(end) = rest[i..].find("}}") else { break };
        let expr = rest[i + 2..i + end].trim();
        match vars.get(expr).filter(|v| !v.contains("{{")) {
            Some(v) => out.push_str(v),
            None => {
                unknown.push(format!("{{{{{expr}}}}}"));
                out.push_str(&rest[i..i + end + 2]);
            }
        }
        rest = &rest[i + end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipes_aliases_and_interpolation() {
        let jf = parse(
            "prisma := \"npx prisma\"\nalias r := reset\n\n# Reset\n[confirm]\nreset env='dev': clean (seed \"x\") && after\n    @{{prisma}} migrate reset --force\n    -echo {{env}}\nclean:\n  rm -rf dist\nseed x:\n  node seed.js\nafter:\n  echo done\n",
        );
        assert_eq!(jf.order, vec!["reset", "clean", "seed", "after"]);
        let reset = &jf.recipes["reset"];
        assert_eq!(reset.deps, vec!["clean", "seed", "after"]);
        assert_eq!(reset.params, vec![("env".to_string(), Some("dev".to_string()))]);
        assert_eq!(jf.aliases["r"], "reset");
        assert!(!reset.no_cd);
        assert!(parse("[no-cd]\nhere:\n  ls\nthere:\n  ls\n").recipes.iter().all(|(n, d)| d.no_cd == (n == "here")));
        let mut unknown = Vec::new();
        assert_eq!(interpolate("{{prisma}} x {{ nope() }}", &jf.vars, &mut unknown), "npx prisma x {{ nope() }}");
        assert_eq!(unknown, vec!["{{nope()}}"]);
    }
}
