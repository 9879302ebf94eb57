//! mise tasks (`mise run X`): the `[tasks]` of every mise config from the folder upward
//! (`mise.toml`, `.mise.toml`, `mise.local.toml`, `.config/mise.toml`, `mise/config.toml`,
//! ...; the nearest wins), with `run` (a string or a list, `{ task = "x" }` items), `depends`,
//! `depends_post`, `dir`, `alias`, `file`; and file tasks (`mise-tasks/X`, `.mise/tasks/X`,
//! `db:reset` as `db/reset`). Tasks run in the config's folder, or the `dir` they name.

use std::path::{Path, PathBuf};

use toml::Value;

use super::{looks_like_data, missing, read, unknown_text, Call, Recipe, Refused};

const CONFIGS: &[&str] = &[
    "mise.local.toml",
    ".mise.local.toml",
    "mise.toml",
    ".mise.toml",
    "mise/config.toml",
    ".mise/config.toml",
    ".config/mise.toml",
    ".config/mise/config.toml",
];
const TASK_DIRS: &[&str] = &["mise-tasks", ".mise-tasks", "mise/tasks", ".mise/tasks", ".config/mise/tasks"];

/// One task as a config declares it, with the folder of that config.
struct Found {
    def: Value,
    root: PathBuf,
    file: String,
}

/// The task `name` (or an alias) in the configs at or above `base`, nearest first.
fn find_task(base: &Path, name: &str) -> Result<Option<Found>, String> {
    for dir in base.ancestors() {
        for c in CONFIGS {
            let path = dir.join(c);
            let Some(text) = read(&path)? else { continue };
            let doc: toml::Table = text.parse().map_err(|e| {
                format!("{} could not be read ({e}), so what `mise run` runs cannot be checked", path.display())
            })?;
            let Some(tasks) = doc.get("tasks").and_then(Value::as_table) else { continue };
            let hit = tasks.get(name).or_else(|| {
                tasks.values().find(|t| match t.get("alias") {
                    Some(Value::String(a)) => a == name,
                    Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(name)),
                    _ => false,
                })
            });
            if let Some(def) = hit {
                return Ok(Some(Found { def: def.clone(), root: dir.to_path_buf(), file: c.to_string() }));
            }
        }
        for t in TASK_DIRS {
            let path = dir.join(t).join(name.replace(':', "/"));
            if let Some(text) = read(&path)? {
                let file = format!("{t}/{name}");
                return Ok(Some(Found { def: Value::String(format!("file:{text}")), root: dir.to_path_buf(), file }));
            }
        }
    }
    Ok(None)
}

pub(super) fn lookup(base: &Path, call: &Call) -> Result<Vec<Recipe>, Refused> {
    let goals = if call.targets.is_empty() { vec!["default".to_string()] } else { call.targets.clone() };
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for g in &goals {
        match task(base, g, &mut seen, &mut out) {
            Err(e) if call.targets.is_empty() && e.missing => {} // mise asks which one
            r => r?,
        }
    }
    Ok(out)
}

fn names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => s.split_whitespace().map(String::from).collect(),
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

fn task(base: &Path, name: &str, seen: &mut Vec<String>, out: &mut Vec<Recipe>) -> Result<(), Refused> {
    if seen.iter().any(|s| s == name) {
        return Ok(());
    }
    seen.push(name.to_string());
    let Some(found) = find_task(base, name)? else {
        return Err(missing(format!(
            "mise has no task `{name}` here, so what `mise run {name}` runs cannot be checked"
        )));
    };
    let def = &found.def;
    for d in names(def.get("depends")).iter().chain(&names(def.get("wait_for"))) {
        task(base, d, seen, out)?;
    }
    let mut lines: Vec<String> = Vec::new();
    let mut runs: Vec<&Value> = match def {
        Value::String(_) | Value::Array(_) => vec![def],
        _ => def.get("run").into_iter().collect(),
    };
    if let Some(Value::Array(list)) = runs.first().copied() {
        runs = list.iter().collect();
    }
    for r in runs {
        match r {
            Value::String(s) => lines.push(s.strip_prefix("file:").unwrap_or(s).to_string()),
            Value::Table(t) => {
                for other in names(t.get("task")).iter().chain(&names(t.get("tasks"))) {
                    task(base, other, seen, out)?;
                }
            }
            _ => {}
        }
    }
    if let Some(file) = def.get("file").and_then(Value::as_str) {
        let path = found.root.join(file);
        match read(&path)? {
            Some(text) => lines.push(text),
            None => return Err(format!("task `{name}` of {} runs {file}, which is not there", found.file).into()),
        }
    }
    let root = found.root.display().to_string();
    let mut checked = Vec::new();
    for line in lines {
        let text = line.replace("{{config_root}}", &root).replace("{{ config_root }}", &root);
        if text.contains("{{") && looks_like_data(&text) {
            return Err(unknown_text(&found.file, name, &text, &["a template".to_string()]).into());
        }
        checked.push(text);
    }
    let dir = match def.get("dir").and_then(Value::as_str) {
        Some(d) => crate::config::lexical_normalize(&found.root.join(d.replace("{{config_root}}", &root))),
        None => found.root.clone(),
    };
    if !checked.is_empty() {
        out.push(Recipe { dir, label: format!("`{}` task `{name}`", found.file), body: checked.join("\n") });
    }
    for d in names(def.get("depends_post")) {
        task(base, &d, seen, out)?;
    }
    Ok(())
}
