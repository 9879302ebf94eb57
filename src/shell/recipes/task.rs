//! Taskfiles (go-task `task`): the nearest Taskfile upward, its `tasks:` with `cmds:` (strings,
//! `{cmd: ...}`, `{task: other}`, `{defer: ...}`), `cmd:`, `deps:`, `dir:`, `aliases:`, the
//! short forms (a task that is a string or a list), and `{{.VAR}}` from `vars:`. Tasks run in
//! the Taskfile's folder, or the `dir:` they name.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::{find, looks_like_data, missing, read, unknown_text, Call, Recipe, Refused};

const NAMES: &[&str] = &[
    "Taskfile.yml",
    "taskfile.yml",
    "Taskfile.yaml",
    "taskfile.yaml",
    "Taskfile.dist.yml",
    "taskfile.dist.yml",
    "Taskfile.dist.yaml",
    "taskfile.dist.yaml",
];

struct File<'a> {
    tasks: &'a serde_json::Map<String, Value>,
    vars: HashMap<String, String>,
    dir: &'a Path,
    name: String,
    args: String,
    /// Whether it includes other Taskfiles (`includes:`).
    included: bool,
}

pub(super) fn lookup(base: &Path, call: &Call) -> Result<Vec<Recipe>, Refused> {
    let path = match call.files.first() {
        Some(f) => Some(base.join(f)),
        None => find(base, NAMES, true),
    };
    let Some(path) = path else { return Ok(Vec::new()) };
    let Some(text) = read(&path)? else { return Ok(Vec::new()) };
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let json = crate::scan::extract::yaml_to_json(&text)
        .map_err(|e| format!("{name} could not be read ({e}), so what `task` runs cannot be checked"))?;
    let empty = serde_json::Map::new();
    let tasks = json.get("tasks").and_then(Value::as_object).unwrap_or(&empty);
    let dir = path.parent().unwrap_or(base);
    let mut vars = strings(json.get("vars"));
    vars.extend(call.vars.iter().cloned());
    let included = json.get("includes").is_some_and(|i| !i.is_null());
    let file = File { tasks, vars, dir, name, args: call.args.join(" "), included };
    let goals = if call.targets.is_empty() { vec!["default".to_string()] } else { call.targets.clone() };
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for g in &goals {
        task(&file, g, &mut seen, &mut out)?;
    }
    Ok(out)
}

/// The plain string values of a `vars:` map (`{sh: ...}` values are known only when task runs).
fn strings(vars: Option<&Value>) -> HashMap<String, String> {
    let Some(map) = vars.and_then(Value::as_object) else { return HashMap::new() };
    map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()
}

/// A task by name or alias.
fn named<'a>(f: &'a File<'_>, name: &str) -> Option<(&'a String, &'a Value)> {
    f.tasks.get_key_value(name).or_else(|| {
        f.tasks.iter().find(|(_, t)| {
            t.get("aliases").and_then(Value::as_array).is_some_and(|a| a.iter().any(|x| x.as_str() == Some(name)))
        })
    })
}

fn task(f: &File<'_>, name: &str, seen: &mut Vec<String>, out: &mut Vec<Recipe>) -> Result<(), Refused> {
    let Some((key, def)) = named(f, name) else {
        // `task db:reset` with `includes:`: a task of another Taskfile, which is not read.
        let included = if name.contains(':') && f.included {
            " (it may be in an included Taskfile, which is not read)"
        } else {
            ""
        };
        let why = format!("{} has no task `{name}`{included}, so what `task {name}` runs cannot be checked", f.name);
        // A task that is nowhere: task stops with an error and runs nothing.
        return Err(if included.is_empty() { missing(why) } else { Refused::from(why) });
    };
    if seen.iter().any(|s| s == key) {
        return Ok(());
    }
    seen.push(key.clone());
    let mut vars = f.vars.clone();
    vars.extend(strings(def.get("vars")));
    vars.insert("TASK".into(), key.clone());
    vars.insert("CLI_ARGS".into(), f.args.clone());
    for k in ["ROOT_DIR", "TASKFILE_DIR", "USER_WORKING_DIR"] {
        vars.insert(k.into(), f.dir.display().to_string());
    }
    let items: Vec<&Value> = match def {
        Value::String(_) => vec![def],
        Value::Array(list) => list.iter().collect(),
        _ => {
            for d in def.get("deps").and_then(Value::as_array).into_iter().flatten() {
                let dep = d.as_str().or_else(|| d.get("task").and_then(Value::as_str));
                if let Some(dep) = dep {
                    task(f, dep, seen, out)?;
                }
            }
            // `status:` and `preconditions:` commands run too, before the task's own.
            let checks = ["status", "preconditions"].into_iter().filter_map(|k| def.get(k).and_then(Value::as_array));
            checks
                .flatten()
                .chain(def.get("cmds").and_then(Value::as_array).into_iter().flatten())
                .chain(def.get("cmd"))
                .collect()
        }
    };
    let mut lines = Vec::new();
    for item in items {
        let cmd = item.as_str().or_else(|| item.get("cmd").or_else(|| item.get("sh")).and_then(Value::as_str));
        let cmd = cmd.or_else(|| item.get("defer").and_then(|d| d.as_str().or_else(|| d.get("cmd")?.as_str())));
        if let Some(other) = item.get("task").and_then(Value::as_str) {
            task(f, other, seen, out)?;
        }
        let Some(cmd) = cmd else { continue };
        let mut unknown = Vec::new();
        let text = template(cmd, &vars, &mut unknown);
        if !unknown.is_empty() && looks_like_data(&text) {
            return Err(unknown_text(&f.name, key, &text, &unknown).into());
        }
        lines.push(text);
    }
    let dir = match def.get("dir").and_then(Value::as_str) {
        Some(d) => crate::config::lexical_normalize(&f.dir.join(template(d, &vars, &mut Vec::new()))),
        None => f.dir.to_path_buf(),
    };
    if !lines.is_empty() {
        out.push(Recipe { dir, label: format!("`{}` task `{key}`", f.name), body: lines.join("\n") });
    }
    Ok(())
}

/// `{{.NAME}}` replaced by its value; other template text is left and reported as unknown.
fn template(text: &str, vars: &HashMap<String, String>, unknown: &mut Vec<String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find("}}") else { break };
        let expr = rest[i + 2..i + end].trim();
        match expr.strip_prefix('.').and_then(|n| vars.get(n)) {
            Some(v) => out.push_str(v),
            None => {
                unknown.push(rest[i..i + end + 2].to_string());
                out.push_str(&rest[i..i + end + 2]);
            }
        }
        rest = &rest[i + end + 2..];
    }
    out.push_str(rest);
    out
}
