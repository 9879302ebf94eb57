//! Task runners' recipe files, read the way each tool reads them: Makefiles (`make`), justfiles
//! (`just`), Taskfiles (`task`, go-task) and mise's tasks (`mise run`). A call names a tool, its
//! recipe file or folder, and the targets; [`lookup`] returns the command lines each target
//! runs (its prerequisites' first), with the folder they run in, for the shell walk to judge as
//! it judges package scripts. What cannot be read (a file that does not parse, a target it
//! lacks, a variable it does not set in a line about prisma or a database) is an error, which
//! the judge refuses: the recipe file is there, so something runs, and what is not known.

pub(crate) mod args;
mod just;
pub mod make;
mod mise;
mod task;

use std::path::{Path, PathBuf};

use crate::config::lexical_normalize as normalize;

/// Recipe files larger than this are not read.
const MAX_FILE: u64 = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Make,
    Just,
    Task,
    Mise,
}

/// A task runner's command line, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub tool: Tool,
    /// Recipe files named (`make -f F`, `just --justfile F`, `task -t F`).
    pub files: Vec<String>,
    /// The folder it changes to first (`make -C D`, `task -d D`, `mise -C D`).
    pub dir: Option<String>,
    /// The targets named (and, for `just`, their arguments); empty: the default one.
    pub targets: Vec<String>,
    /// Variables set on the command line (`make X=1`, `task X=1`).
    pub vars: Vec<(String, String)>,
    /// Arguments after `--` (`task x -- a b`).
    pub args: Vec<String>,
    /// Recipes are printed, not run (`make -n`): only lines marked to run anyway count.
    pub dry_run: bool,
}

impl Call {
    pub fn new(tool: Tool) -> Call {
        Call {
            tool,
            files: Vec::new(),
            dir: None,
            targets: Vec::new(),
            vars: Vec::new(),
            args: Vec::new(),
            dry_run: false,
        }
    }
}

/// Why what a call runs is not known: a target the recipe file lacks (`missing`), or a file
/// or line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub why: String,
    pub missing: bool,
}

impl From<String> for Refused {
    fn from(why: String) -> Refused {
        Refused { why, missing: false }
    }
}

/// A target the recipe file does not have.
fn missing(why: String) -> Refused {
    Refused { why, missing: true }
}

/// One target's command lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    /// Where they run (the recipe file's folder, or the one the recipe names).
    pub dir: PathBuf,
    /// ``` `Makefile` target `reset` ```, for the way a finding was reached.
    pub label: String,
    pub body: String,
}

/// The recipes `call`, run in `base`, would run.
pub fn lookup(base: &Path, call: &Call) -> Result<Vec<Recipe>, Refused> {
    let base = match &call.dir {
        Some(d) => normalize(&base.join(d)),
        None => base.to_path_buf(),
    };
    match call.tool {
        Tool::Make => make_lookup(&base, call),
        Tool::Just => just::lookup(&base, call),
        Tool::Task => task::lookup(&base, call),
        Tool::Mise => mise::lookup(&base, call),
    }
}

/// A recipe file's text; `Ok(None)` when it is not there.
fn read(path: &Path) -> Result<Option<String>, String> {
    let Ok(meta) = std::fs::metadata(path) else { return Ok(None) };
    if !meta.is_file() {
        return Ok(None);
    }
    if meta.len() > MAX_FILE {
        return Err(format!("{} is larger than {MAX_FILE} bytes and was not read", path.display()));
    }
    std::fs::read_to_string(path).map(Some).map_err(|e| format!("{} could not be read ({e})", path.display()))
}

/// The first of `names` in `dir` or, with `upward`, in the nearest folder above holding one.
fn find(dir: &Path, names: &[&str], upward: bool) -> Option<PathBuf> {
    let mut dirs = dir.ancestors();
    loop {
        let d = dirs.next()?;
        if let Some(p) = names.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
            return Some(p);
        }
        if !upward {
            return None;
        }
    }
}

/// Whether a line whose text is not fully known may reach prisma or a database: then what it
/// runs must be known, or the line is refused.
pub fn looks_like_data(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["prisma", "migrate", "reset", "drop", "truncate", "database", "db", "sql", "docker", "podman", "volume"]
        .iter()
        .chain(crate::judge::clients::CLIENTS)
        .any(|w| lower.contains(w))
}

/// Why a recipe line with unknown text is refused.
fn unknown_text(file: &str, target: &str, line: &str, unknown: &[String]) -> String {
    format!(
        "{file} (`{target}`) runs `{}` with {}, which {file} does not set: what it runs cannot be checked",
        line.trim(),
        unknown.join(", ")
    )
}

fn make_lookup(base: &Path, call: &Call) -> Result<Vec<Recipe>, Refused> {
    let files: Vec<PathBuf> = match call.files.is_empty() {
        true => find(base, &["GNUmakefile", "makefile", "Makefile"], false).into_iter().collect(),
        false => call.files.iter().map(|f| normalize(&base.join(f))).collect(),
    };
    let mut mf = make::Makefile::default();
    let mut label = String::new();
    for f in &files {
        let Some(text) = read(f)? else { continue };
        let name = f.strip_prefix(base).unwrap_or(f).display().to_string();
        label = if label.is_empty() { name } else { format!("{label}, {name}") };
        let mut parsed = make::parse(&text);
        for inc in std::mem::take(&mut parsed.includes) {
            for path in inc.split_whitespace().filter(|p| !p.contains('$') && !p.contains('*')) {
                if let Some(t) = read(&base.join(path))? {
                    parsed.merge(make::parse(&t));
                }
            }
        }
        mf.merge(parsed);
    }
    if label.is_empty() {
        return Ok(Vec::new()); // no makefile: make stops before running anything
    }
    for (k, v) in &call.vars {
        mf.vars.insert(k.clone(), v.clone());
    }
    mf.vars.insert("CURDIR".into(), base.display().to_string());
    let goals: Vec<String> = match call.targets.is_empty() {
        true => mf.default_goal().into_iter().collect(),
        false => call.targets.clone(),
    };
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for goal in &goals {
        make_target(&mf, base, &label, goal, call.dry_run, &mut seen, &mut out, 0)?;
    }
    Ok(out)
}

/// `target`'s prerequisites (those with rules), then its own recipe, once each.
#[allow(clippy::too_many_arguments)]
fn make_target(
    mf: &make::Makefile,
    base: &Path,
    file: &str,
    target: &str,
    dry_run: bool,
    seen: &mut Vec<String>,
    out: &mut Vec<Recipe>,
    depth: usize,
) -> Result<(), Refused> {
    if seen.iter().any(|s| s == target) || depth > 32 {
        return Ok(());
    }
    seen.push(target.to_string());
    let rules = mf.rules_for(target);
    if rules.is_empty() {
        if depth > 0 || base.join(target).exists() {
            return Ok(()); // a file: nothing to run for it
        }
        return Err(missing(format!(
            "{file} has no target `{target}`, so what `make {target}` runs cannot be checked"
        )));
    }
    for (rule, _) in &rules {
        for p in &rule.prereqs {
            make_target(mf, base, file, p, dry_run, seen, out, depth + 1)?;
        }
    }
    let mut lines = Vec::new();
    for (rule, stem) in &rules {
        let auto: std::collections::HashMap<&str, String> = [
            ("@", target.to_string()),
            ("<", rule.prereqs.first().cloned().unwrap_or_default()),
            ("^", rule.prereqs.join(" ")),
            ("+", rule.prereqs.join(" ")),
            ("?", rule.prereqs.join(" ")),
            ("*", stem.clone().unwrap_or_default()),
        ]
        .into_iter()
        .collect();
        for line in &rule.recipe {
            let recursive = line.text.contains("$(MAKE)") || line.text.contains("${MAKE}");
            if dry_run && !line.always && !recursive {
                continue;
            }
            let mut unknown = Vec::new();
            let text = make::expand(&line.text, &mf.vars, &auto, &mut unknown);
            if !unknown.is_empty() && looks_like_data(&text) {
                return Err(unknown_text(file, target, &text, &unknown).into());
            }
            lines.push(text);
        }
    }
    if !lines.is_empty() {
        out.push(Recipe {
            dir: base.to_path_buf(),
            label: format!("`{file}` target `{target}`"),
            body: lines.join("\n"),
        });
    }
    Ok(())
}
