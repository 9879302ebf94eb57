//! package.json scripts on disk, found the way package managers find them: the nearest
//! package.json upward from a folder (`npm run X`, `npm --prefix D run X`), the workspace
//! root and its packages (`npm -w NAME`, `pnpm --filter NAME`, `pnpm -r`, `yarn workspace
//! NAME`), from `workspaces` in package.json or `pnpm-workspace.yaml`. Also the text of
//! script files a command line runs (`sh scripts/reset.sh`).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::config::lexical_normalize as normalize;

use super::{script_matches, At, ScriptDef, Scripts};

/// Script files larger than this are not read (a shell script is a few KiB).
const MAX_FILE: u64 = 1 << 20;

#[derive(Clone)]
struct Package {
    dir: PathBuf,
    name: Option<String>,
    /// The project's name in its project.json, when Nx knows it by another name.
    nx_name: Option<String>,
    scripts: BTreeMap<String, String>,
    /// Workspace patterns, when this package.json declares them.
    workspaces: Option<Vec<String>>,
    /// The names it depends on (dependencies of every kind).
    deps: Vec<String>,
}

/// The packages around `cwd`, read on demand and cached for one command line.
pub struct Packages {
    cwd: PathBuf,
    cache: RefCell<HashMap<PathBuf, Option<Package>>>,
}

impl Packages {
    pub fn new(cwd: &Path) -> Packages {
        Packages { cwd: cwd.to_path_buf(), cache: RefCell::new(HashMap::new()) }
    }

    /// A folder of the walk (`""`: where the line runs; relative to it; or absolute).
    fn resolve(&self, dir: &str) -> PathBuf {
        normalize(&self.cwd.join(dir))
    }

    /// How a package's folder is named in findings: relative to where the line runs.
    fn label(&self, dir: &Path) -> String {
        match dir.strip_prefix(&self.cwd) {
            Ok(rel) => rel.display().to_string(),
            Err(_) => dir.display().to_string(),
        }
    }

    fn package_at(&self, dir: &Path) -> Option<Package> {
        if let Some(p) = self.cache.borrow().get(dir) {
            return p.clone();
        }
        let read = read_package(dir);
        self.cache.borrow_mut().insert(dir.to_path_buf(), read.clone());
        read
    }

    /// The nearest package.json at or above `dir`.
    fn nearest(&self, dir: &Path) -> Option<Package> {
        dir.ancestors().find_map(|d| self.package_at(d))
    }

    /// The workspace root at or above `dir` and its package folders.
    fn workspace(&self, dir: &Path) -> Option<(PathBuf, Vec<PathBuf>)> {
        for d in dir.ancestors() {
            let Some(patterns) = workspace_patterns(d, self.package_at(d)) else { continue };
            return Some((d.to_path_buf(), expand(d, &patterns)));
        }
        None
    }

    /// Workspace packages matching `selectors` (every one when empty, or when none matches:
    /// a selector this reading does not understand must not hide a package).
    fn workspace_packages(&self, from: &Path, selectors: &[String]) -> Vec<Package> {
        let Some((root, dirs)) = self.workspace(from) else {
            return self.nearest(from).into_iter().collect();
        };
        let all: Vec<Package> = dirs.iter().filter_map(|d| self.package_at(d)).collect();
        let mut chosen: Vec<Package> = Vec::new();
        for s in selectors {
            for p in select(&all, &root, s) {
                if !chosen.iter().any(|c| c.dir == p.dir) {
                    chosen.push(p);
                }
            }
        }
        if selectors.is_empty() || chosen.is_empty() {
            all
        } else {
            chosen
        }
    }

    /// The packages a runner started in `dir` reads for `at`.
    fn packages_for(&self, dir: &str, at: &At) -> Vec<Package> {
        if dir == "*" {
            // A `cd` to somewhere unknown: any package of the workspace, and this one.
            let mut all = self.workspace_packages(&self.cwd, &[]);
            all.extend(self.nearest(&self.cwd));
            if let Some((root, _)) = self.workspace(&self.cwd) {
                all.extend(self.package_at(&root));
            }
            return all;
        }
        let base = self.resolve(dir);
        match at {
            At::Here => self.nearest(&base).into_iter().collect(),
            At::Dir(d) => self.nearest(&normalize(&base.join(d))).into_iter().collect(),
            At::Root => {
                let root = self.workspace(&base).map(|(r, _)| r);
                root.and_then(|r| self.package_at(&r)).or_else(|| self.nearest(&base)).into_iter().collect()
            }
            At::Workspaces(selectors) => self.workspace_packages(&base, selectors),
        }
    }
}

impl Scripts for Packages {
    fn scripts(&self, dirs: &[String], at: &At, name: &str) -> Vec<ScriptDef> {
        let mut found: Vec<ScriptDef> = Vec::new();
        for dir in dirs {
            for p in self.packages_for(dir, at) {
                for (k, body) in p.scripts.iter().filter(|(k, _)| script_matches(name, k)) {
                    let def = ScriptDef { dir: self.label(&p.dir), name: k.clone(), body: body.clone() };
                    if !found.contains(&def) {
                        found.push(def);
                    }
                }
            }
        }
        found
    }

    fn file(&self, dirs: &[String], path: &str) -> Option<(String, String)> {
        dirs.iter().filter(|d| d.as_str() != "*").find_map(|d| {
            let file = self.resolve(d).join(path);
            let meta = std::fs::metadata(&file).ok()?;
            if !meta.is_file() || meta.len() > MAX_FILE {
                return None;
            }
            let text = std::fs::read_to_string(&file).ok()?;
            // A script runs where the command runs, not where the file is.
            Some((d.clone(), text))
        })
    }

    fn package_dirs(&self, dirs: &[String], at: &At) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for dir in dirs {
            for p in self.packages_for(dir, at) {
                let label = self.label(&p.dir);
                if !out.contains(&label) {
                    out.push(label);
                }
            }
        }
        out
    }

    fn recipes(&self, dirs: &[String], call: &super::recipes::Call) -> Result<Vec<ScriptDef>, String> {
        // A target no recipe file has is no refusal: the runner stops with an error and runs
        // nothing. Anything else unknown (a file that does not parse) is.
        let mut found: Vec<ScriptDef> = Vec::new();
        for d in dirs.iter().filter(|d| d.as_str() != "*") {
            match super::recipes::lookup(&self.resolve(d), call) {
                Ok(recipes) => {
                    for r in recipes {
                        let def = ScriptDef { dir: self.label(&r.dir), name: r.label, body: r.body };
                        if !found.contains(&def) {
                            found.push(def);
                        }
                    }
                }
                Err(e) if e.missing => {}
                Err(e) => return Err(e.why),
            }
        }
        Ok(found)
    }

    fn git_alias(&self, name: &str) -> Option<String> {
        let repo = git2::Repository::discover(&self.cwd).ok();
        let config = match &repo {
            Some(r) => r.config().ok()?,
            None => git2::Config::open_default().ok()?,
        };
        config.get_string(&format!("alias.{name}")).ok()
    }
}

/// The workspace packages a pnpm/turbo selector picks: a name, a glob, a folder (`./apps/web`,
/// `{apps/web}`), with `X...` adding X's workspace dependencies (`X^...`: only those),
/// `...X` its dependents (`...^X`: only those), transitively.
fn select(all: &[Package], root: &Path, selector: &str) -> Vec<Package> {
    let mut s = selector.trim();
    let dependents = s.starts_with("...");
    s = s.strip_prefix("...").unwrap_or(s);
    let only_dependents = dependents && s.starts_with('^');
    s = s.strip_prefix('^').unwrap_or(s);
    let dependencies = s.ends_with("...");
    s = s.strip_suffix("...").unwrap_or(s);
    let only_dependencies = dependencies && s.ends_with('^');
    s = s.strip_suffix('^').unwrap_or(s);
    let s = s.trim_start_matches('{').trim_end_matches('}').trim_start_matches("./").trim_end_matches('/');
    let named: Vec<usize> = (0..all.len())
        .filter(|&k| {
            let p = &all[k];
            let rel = p.dir.strip_prefix(root).map(|r| r.display().to_string()).unwrap_or_default();
            [&p.name, &p.nx_name].iter().any(|n| n.as_deref().is_some_and(|n| n == s || glob_matches(s, n)))
                || rel == s
                || glob_matches(s, &rel)
        })
        .collect();
    // Follow edges from the named packages: to what they depend on, or to what depends on them.
    let follow = |down: bool| {
        let mut seen: Vec<usize> = named.clone();
        let mut stack = named.clone();
        while let Some(k) = stack.pop() {
            for (j, q) in all.iter().enumerate() {
                let edge = match down {
                    true => q.name.as_ref().is_some_and(|n| all[k].deps.contains(n)),
                    false => all[k].name.as_ref().is_some_and(|n| q.deps.contains(n)),
                };
                if edge && !seen.contains(&j) {
                    seen.push(j);
                    stack.push(j);
                }
            }
        }
        seen.retain(|j| !named.contains(j));
        seen
    };
    let mut picked: Vec<usize> = Vec::new();
    if !(only_dependencies || only_dependents) {
        picked.extend(&named);
    }
    if dependencies {
        picked.extend(follow(true));
    }
    if dependents {
        picked.extend(follow(false));
    }
    picked.sort_unstable();
    picked.dedup();
    picked.into_iter().map(|k| all[k].clone()).collect()
}

/// The package folders of the workspace whose root is `root` (its pnpm-workspace.yaml or the
/// `workspaces` of its package.json); `None` when `root` declares no workspace.
pub fn workspace_package_dirs(root: &Path) -> Option<Vec<PathBuf>> {
    let patterns = workspace_patterns(root, read_package(root))?;
    Some(expand(root, &patterns))
}

/// The package patterns of the workspace rooted at `dir`: pnpm-workspace.yaml, the
/// `workspaces` of package.json, lerna.json's `packages`, and, for an Nx workspace (nx.json),
/// every folder holding a package.json or project.json.
fn workspace_patterns(dir: &Path, package: Option<Package>) -> Option<Vec<String>> {
    let declared = declared_patterns(dir, package);
    // Nx finds a project.json (or a package.json with an `nx` key) in any folder, whatever
    // the package manager's workspaces list: with nx.json, every folder counts too.
    if !dir.join("nx.json").is_file() {
        return declared;
    }
    let mut patterns = declared.unwrap_or_default();
    if !patterns.iter().any(|p| p == "**") {
        patterns.push("**".to_string());
    }
    Some(patterns)
}

/// The package patterns the package manager's (or Lerna's) workspace declares at `dir`.
fn declared_patterns(dir: &Path, package: Option<Package>) -> Option<Vec<String>> {
    let pnpm = dir.join("pnpm-workspace.yaml");
    let declared = package.and_then(|p| p.workspaces);
    if pnpm.is_file() {
        // A pnpm-workspace.yaml this reading gets nothing from (malformed, or not a list)
        // must not hide the packages package.json declares: those, or every folder.
        let listed = std::fs::read_to_string(&pnpm).map(|t| pnpm_patterns(&t)).unwrap_or_default();
        return Some(match (listed.is_empty(), declared) {
            (false, _) => listed,
            (true, Some(w)) if !w.is_empty() => w,
            (true, _) => vec!["**".to_string()],
        });
    }
    if let Some(w) = declared {
        return Some(w);
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("lerna.json")) {
        let json: serde_json::Value = serde_json::from_str(crate::scan::extract::strip_bom(&text)).unwrap_or_default();
        let listed: Vec<String> = json
            .get("packages")
            .and_then(|p| p.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        return Some(if listed.is_empty() { vec!["packages/*".to_string()] } else { listed });
    }
    None
}

/// pnpm's `package.yaml`: its name and the plain `key: value` lines of its `scripts:` block.
fn read_package_yaml(dir: &Path) -> Option<Package> {
    let text = std::fs::read_to_string(dir.join("package.yaml")).ok()?;
    let unquote = |v: &str| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
    let mut name = None;
    let mut scripts = BTreeMap::new();
    let mut in_scripts = false;
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if !indented {
            in_scripts = line.trim_end() == "scripts:";
            if let Some(v) = line.strip_prefix("name:") {
                name = Some(unquote(v));
            }
            continue;
        }
        if in_scripts {
            if let Some((k, v)) = line.trim().split_once(": ") {
                scripts.insert(unquote(k), unquote(v));
            }
        }
    }
    Some(Package { dir: dir.to_path_buf(), name, nx_name: None, scripts, workspaces: None, deps: Vec::new() })
}

/// A package, with the Nx targets of its project.json (and of package.json's `nx` key) as
/// scripts of the same names: a folder with only a project.json is an Nx project.
fn read_package(dir: &Path) -> Option<Package> {
    let package = read_package_json(dir);
    let project = std::fs::read_to_string(dir.join("project.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(crate::scan::extract::strip_bom(&t)).ok());
    let mut package = match (package, &project) {
        (Some(p), _) => p,
        (None, Some(_)) => Package {
            dir: dir.to_path_buf(),
            name: None,
            nx_name: None,
            scripts: BTreeMap::new(),
            workspaces: None,
            deps: Vec::new(),
        },
        (None, None) => return None,
    };
    if let Some(project) = project {
        // Nx knows the project by this name; the package name stays for npm's `-w`.
        package.nx_name = project.get("name").and_then(|n| n.as_str()).map(str::to_string).or(package.nx_name);
        add_nx_targets(&mut package.scripts, project.get("targets"));
    }
    add_target_defaults(&mut package.scripts, dir);
    Some(package)
}

/// Nx targets as scripts: `command`, `options.command`, `options.commands` (strings or
/// `{command}`), and `nx:run-script`'s `options.script` (the package script it runs).
fn add_nx_targets(scripts: &mut BTreeMap<String, String>, targets: Option<&serde_json::Value>) {
    let Some(targets) = targets.and_then(|t| t.as_object()) else { return };
    for (name, t) in targets {
        let options = t.get("options");
        let mut lines: Vec<String> = Vec::new();
        for c in [t.get("command"), options.and_then(|o| o.get("command"))].into_iter().flatten() {
            lines.extend(c.as_str().map(str::to_string));
        }
        if let Some(list) = options.and_then(|o| o.get("commands")).and_then(|c| c.as_array()) {
            for c in list {
                lines.extend(c.as_str().or_else(|| c.get("command").and_then(|x| x.as_str())).map(str::to_string));
            }
        }
        if let Some(script) = options.and_then(|o| o.get("script")).and_then(|s| s.as_str()) {
            lines.push(format!("npm run {}", super::quote(script)));
        }
        lines.extend(depends_on(name, t));
        add_lines(scripts, name, &lines);
    }
}

/// `lines` as what target `name` runs, after what it had (a package script and a target of
/// the same name: both may run).
fn add_lines(scripts: &mut BTreeMap<String, String>, name: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let body = lines.join("\n");
    match scripts.get_mut(name) {
        Some(existing) if !existing.contains(&body) => {
            existing.push('\n');
            existing.push_str(&body);
        }
        Some(_) => {}
        None => {
            scripts.insert(name.to_string(), body);
        }
    }
}

/// What target `name`'s `dependsOn` (in `t`) makes Nx run first: this project's targets
/// (`"x"`, `{"target": "x"}`), or its dependencies' (`"^x"`, `"dependencies": true`; read as
/// every project's).
fn depends_on(name: &str, t: &serde_json::Value) -> Vec<String> {
    let mut lines = Vec::new();
    for dep in t.get("dependsOn").and_then(|d| d.as_array()).into_iter().flatten() {
        let (target, upstream) = match dep {
            serde_json::Value::String(d) => (d.trim_start_matches('^'), d.starts_with('^')),
            d => {
                let Some(target) = d.get("target").and_then(|x| x.as_str()) else { continue };
                let upstream = d.get("dependencies").and_then(serde_json::Value::as_bool) == Some(true)
                    || d.get("projects").is_some_and(|p| p.as_str() != Some("self"));
                (target, upstream)
            }
        };
        if target.is_empty() || target == name {
            continue;
        }
        lines.push(match upstream {
            true => format!("nx run-many -t {}", super::quote(target)),
            false => format!("npm run {}", super::quote(target)),
        });
    }
    lines
}

/// nx.json's `targetDefaults` (of the Nx workspace at or above `dir`) for the targets this
/// project has: the `dependsOn` a target gets without writing it.
fn add_target_defaults(scripts: &mut BTreeMap<String, String>, dir: &Path) {
    let Some(text) = dir.ancestors().find_map(|d| std::fs::read_to_string(d.join("nx.json")).ok()) else { return };
    let Ok(nx) = serde_json::from_str::<serde_json::Value>(crate::scan::extract::strip_bom(&text)) else { return };
    let Some(defaults) = nx.get("targetDefaults").and_then(|t| t.as_object()) else { return };
    for (name, t) in defaults {
        if scripts.contains_key(name) {
            add_lines(scripts, name, &depends_on(name, t));
        }
    }
}

fn read_package_json(dir: &Path) -> Option<Package> {
    let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else { return read_package_yaml(dir) };
    let json: serde_json::Value = serde_json::from_str(crate::scan::extract::strip_bom(&text)).ok()?;
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    let workspaces = json.get("workspaces").map(|w| match w.get("packages") {
        Some(p) => strings(p),
        None => strings(w),
    });
    let mut scripts: BTreeMap<String, String> = json
        .get("scripts")
        .and_then(|s| s.as_object())
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default();
    add_nx_targets(&mut scripts, json.get("nx").and_then(|n| n.get("targets")));
    Some(Package {
        dir: dir.to_path_buf(),
        name: json.get("name").and_then(|n| n.as_str()).map(str::to_string),
        // `"nx": {"name": "db"}`: the name Nx knows the project by.
        nx_name: json.get("nx").and_then(|n| n.get("name")).and_then(|n| n.as_str()).map(str::to_string),
        scripts,
        workspaces,
        deps: ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]
            .iter()
            .filter_map(|k| json.get(*k).and_then(|d| d.as_object()))
            .flat_map(|d| d.keys().cloned())
            .collect(),
    })
}

/// The `packages:` list of a pnpm-workspace.yaml (a block list of plain or quoted strings).
fn pnpm_patterns(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if !line.starts_with([' ', '\t', '-']) && !trimmed.is_empty() {
            inside = trimmed.starts_with("packages:");
            continue;
        }
        if let Some(item) = trimmed.strip_prefix('-').filter(|_| inside) {
            let item = item.split(" #").next().unwrap_or("").trim().trim_matches(|c| c == '\'' || c == '"');
            if !item.is_empty() {
                out.push(item.to_string());
            }
        }
    }
    out
}

/// The folders under `root` matching workspace patterns (`packages/*`, `apps/**`, exact
/// paths; `!x` excludes), that hold a package.json. node_modules and hidden folders aside.
fn expand(root: &Path, patterns: &[String]) -> Vec<PathBuf> {
    let (exclude, include): (Vec<&String>, Vec<&String>) = patterns.iter().partition(|p| p.starts_with('!'));
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name == "node_modules" || name.starts_with('.') || !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let path = e.path();
            let rel = path.strip_prefix(root).map(|r| r.display().to_string()).unwrap_or_default();
            let wanted = include.iter().any(|p| glob_matches(p.trim_start_matches("./").trim_end_matches('/'), &rel))
                && !exclude.iter().any(|p| glob_matches(p[1..].trim_start_matches("./").trim_end_matches('/'), &rel));
            if wanted && (path.join("package.json").is_file() || path.join("project.json").is_file()) {
                out.push(path.clone());
            }
            if depth < 4 {
                stack.push((path, depth + 1));
            }
        }
    }
    out.sort();
    out
}

/// A workspace glob: `*` within one path segment, `**` across segments; `*` alone (a filter
/// such as `--filter '*'`) matches every name, scoped ones too.
fn glob_matches(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == text;
    }
    if pattern == "*" || pattern == "**" {
        return true;
    }
    let regex = pattern
        .split("**")
        .map(|part| part.split('*').map(regex::escape).collect::<Vec<_>>().join("[^/]*"))
        .collect::<Vec<_>>()
        .join(".*");
    regex::Regex::new(&format!("^{regex}$")).is_ok_and(|r| r.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnpm_workspace_lists() {
        let text = "packages:\n  - 'apps/*'\n  - \"packages/**\"\n  - tools # comment\ncatalog:\n  - nope\n";
        assert_eq!(pnpm_patterns(text), vec!["apps/*", "packages/**", "tools"]);
    }

    #[test]
    fn globs() {
        assert!(glob_matches("packages/*", "packages/db"));
        assert!(!glob_matches("packages/*", "packages/db/x"));
        assert!(glob_matches("packages/**", "packages/db/x"));
        assert!(glob_matches("@acme/*", "@acme/db"));
    }
}
