//! The file edits of `prisma-guard init` and `uninstall` (package.json scripts, .gitignore,
//! agent hook settings, the agents' note), and the ledger of originals that lets `uninstall`
//! give files back byte for byte. Every file change is computed first (so `--dry-run` shows exactly what
//! would change) and merged into what is there: other hooks, scripts and settings stay.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::{json, Map, Value};

use crate::agents::{Agent, Entry};
use crate::install::invoke::{NpmBin, DID_NOT_ANSWER, NOT_INSTALLED};
use crate::install::jsonedit::Doc;
use crate::install::package_json::PackageJson;

const HOOK_MARK: &str = "prisma-guard agent-hook";
const MD_START: &str = "<!-- prisma-guard:start -->";
const MD_END: &str = "<!-- prisma-guard:end -->";
const SECTION: &str = "## Database safety (prisma-guard)

This project is guarded by prisma-guard. Never run `prisma migrate reset`, `prisma db push
--force-reset` or `prisma db push --accept-data-loss`, never set
`PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION`, and never edit or remove prisma-guard's hooks
(your agent's settings hooks, the git hooks, `node_modules/.bin/prisma`): they destroy data or
switch the guard off. When a task seems to need one of them, stop, show the user the exact command, and
let them run it in their own terminal. Schema changes (`prisma migrate dev`, `migrate deploy`,
`db push`) are backed up automatically first. To undo a bad change: `prisma-guard restore latest`.";

/// package.json scripts `init` adds.
pub const SCRIPTS: &[(&str, &str)] = &[
    ("db:backup", "prisma-guard backup"),
    ("db:restore", "prisma-guard restore"),
    ("db:backup-test", "prisma-guard restore-test"),
    ("db:verify", "prisma-guard verify --all"),
];

/// One file change: new content, or `None` to delete the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub path: PathBuf,
    pub content: Option<String>,
    pub what: String,
}

/// Agents whose traces are in the project.
pub fn detect_agents(root: &Path) -> Vec<Agent> {
    crate::agents::AGENTS.iter().filter(|p| p.traces.iter().any(|t| root.join(t).exists())).map(|p| p.agent).collect()
}

/// The hook command `init` writes for `agent`: prisma-guard from the project's
/// `node_modules/.bin` (installed from npm, it is on no one's PATH) or else from PATH, found
/// from the agent's project folder (its variable) or the repository's top, never an absolute
/// path of one machine. Where neither has it, a refusal in the agent's own terms: agents run
/// a tool whose hook cannot start (exit 127), which would let every command through.
/// `npm`: where the project's package.json installs prisma-guard, when not at the top.
pub fn command(agent: Agent, npm: Option<&NpmBin>) -> String {
    let profile = agent.profile();
    let bin_dir = |rel: Option<&String>| {
        rel.and_then(|r| r.strip_suffix("/prisma-guard")).unwrap_or("node_modules/.bin").to_string()
    };
    let (dir, rel) = match profile.project_dir_var {
        Some(var) => (format!("\"${var}\""), bin_dir(npm.map(|n| &n.from_root))),
        None => {
            ("\"$(git rev-parse --show-toplevel 2>/dev/null || pwd)\"".to_string(), bin_dir(npm.map(|n| &n.from_top)))
        }
    };
    let refuse = |why: &str| {
        if profile.answer.blocks_on_exit_2() {
            format!("echo '{why}' >&2; exit 2")
        } else {
            let answer =
                crate::agents::protocol::answer(agent, crate::judge::Verdict::Destructive, why, "npm install", false);
            format!("printf '%s\\n' '{}'; exit 0", answer.stdout.trim().replace('\'', ""))
        }
    };
    // prisma-guard's own answer: exit 0 (with the agent's JSON where it reads JSON), or exit 2
    // where that blocks. Any other end (126/127: the npm launcher with no node; a crash) is
    // refused too: agents treat a hook that fails as "go ahead".
    let answered = if profile.answer.blocks_on_exit_2() { "[ $s -eq 2 ] && exit 2; " } else { "" };
    format!(
        "PATH={dir}/{}:\"$PATH\"; command -v prisma-guard >/dev/null 2>&1 || {{ {}; }}; {HOOK_MARK} --agent {} || {{ s=$?; {answered}{}; }}",
        crate::shell::quote(&rel),
        refuse(NOT_INSTALLED),
        agent.id(),
        refuse(DID_NOT_ANSWER),
    )
}

/// Whether a hook line is one `init` wrote (any version), as opposed to one a user made.
fn written_by_init(line: &str) -> bool {
    line.starts_with(HOOK_MARK) || line.contains("command -v prisma-guard >/dev/null 2>&1 || {")
}

fn mentions_us(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(HOOK_MARK),
        Value::Array(a) => a.iter().any(mentions_us),
        Value::Object(o) => o.values().any(mentions_us),
        _ => false,
    }
}

/// The hook entries to add for an agent, in the shape its row of [`crate::agents::AGENTS`]
/// gives: (event key, entries).
fn entries(agent: Agent, cmd: &str) -> (&'static str, Vec<Value>) {
    let profile = agent.profile();
    let entries = match profile.entry {
        Entry::Matchers(matchers) => {
            matchers.iter().map(|m| json!({"matcher": m, "hooks": [{"type": "command", "command": cmd}]})).collect()
        }
        Entry::Command => vec![json!({"command": cmd})],
        Entry::Bash { timeout_sec } => vec![json!({"type": "command", "bash": cmd, "timeoutSec": timeout_sec})],
    };
    (profile.hook_event, entries)
}

/// The file as an editable document (JSON, or JSONC with comments), with its value; only an
/// object is edited.
fn open_json(path: &Path, text: &str) -> Result<(Doc, Value)> {
    let not_json = |e: String| {
        crate::error::fail(format!("{} is not valid JSON ({e}); not touching it", path.display()))
            .hint("fix the file, then run `prisma-guard init` again")
    };
    let doc = Doc::new(text).map_err(not_json)?;
    let v = doc.value().map_err(not_json)?;
    if !v.is_object() {
        return Err(crate::error::fail(format!("{} is not a JSON object; not touching it", path.display())).into());
    }
    Ok((doc, v))
}

fn edit_error(path: &Path) -> impl Fn(String) -> anyhow::Error + '_ {
    move |e| crate::error::fail(format!("could not edit {}: {e}", path.display())).into()
}

/// The agent settings with our hooks merged in, or `None` when they are there already. Only
/// our entries are added: every other byte of the file stays.
pub fn merge_agent(agent: Agent, current: &str, path: &Path, npm: Option<&NpmBin>) -> Result<Option<String>> {
    let (mut doc, v) = open_json(path, current)?;
    let cmd = command(agent, npm);
    let (event, new) = entries(agent, &cmd);
    if v.get("hooks").is_some_and(|h| !h.is_object()) {
        return Err(
            crate::error::fail(format!("`hooks` in {} is not an object; not touching it", path.display())).into()
        );
    }
    // Our entries that run the hook for another agent (`--agent cursor` in Claude's settings)
    // read no payload right: replaced by this agent's. So are those an earlier init wrote
    // in another form (by name alone, which fails open where prisma-guard is missing).
    let wrong = |e: &Value| {
        let mut lines = Vec::new();
        strings_with_mark(e, &mut lines);
        mentions_us(e)
            && lines.iter().any(|l| {
                hook_agent(l) != Some(agent.id()) || (written_by_init(l) && l.replace("--agent=", "--agent ") != cmd)
            })
    };
    let mut v = v;
    let list = v.get("hooks").and_then(|h| h.get(event)).and_then(Value::as_array);
    if list.is_some_and(|l| l.iter().any(wrong)) {
        doc.retain(&["hooks", event], &wrong).map_err(edit_error(path))?;
        v = doc.value().map_err(edit_error(path))?;
    }
    let new: Vec<Value> = match v.get("hooks").and_then(|h| h.get(event)) {
        Some(list) if !list.is_array() => {
            return Err(crate::error::fail(format!("`hooks.{event}` in {} is not a list", path.display())).into());
        }
        // Ours are there: add only the entries whose tools they no longer (or never did)
        // cover, such as Codex's apply_patch after an older init.
        Some(list) if mentions_us(list) => {
            let ours: Vec<&Value> =
                list.as_array().map(|l| l.iter().filter(|e| mentions_us(e)).collect()).unwrap_or_default();
            new.into_iter().filter(|w| uncovered_tool(&ours, w).is_some()).collect()
        }
        _ => new,
    };
    if new.is_empty() {
        return Ok(None);
    }
    if agent.profile().settings_version && v.get("version").is_none() {
        doc.set(&[], "version", &json!(1)).map_err(edit_error(path))?;
    }
    doc.push(&["hooks", event], &new).map_err(edit_error(path))?;
    Ok(Some(doc.into_text()))
}

/// The agent settings without our hooks; `Some(None)` when nothing else is left (delete).
pub fn unmerge_agent(current: &str, path: &Path) -> Result<Option<Option<String>>> {
    let (mut doc, v) = open_json(path, current)?;
    if !mentions_us(&v) {
        return Ok(None);
    }
    for event in doc.keys(&["hooks"]) {
        let list = ["hooks", event.as_str()];
        if doc.get(&list).is_some_and(|l| l.is_array()) {
            doc.retain(&list, &mentions_us).map_err(edit_error(path))?;
            if doc.get(&list).is_some_and(|l| l.as_array().is_some_and(Vec::is_empty)) {
                doc.remove(&["hooks"], &event).map_err(edit_error(path))?;
            }
        }
    }
    if doc.get(&["hooks"]).is_some_and(|h| h.as_object().is_some_and(Map::is_empty)) {
        doc.remove(&[], "hooks").map_err(edit_error(path))?;
    }
    let keys = doc.keys(&[]);
    let only_version = keys.len() == 1 && keys[0] == "version";
    Ok(Some(if keys.is_empty() || only_version { None } else { Some(doc.into_text()) }))
}

/// Whether an agent's settings still send its shell commands (and, where it has them, file
/// edits) through our hook: the entry under the right event, with a matcher that covers the
/// tools. `Err`: what is wrong, in words.
pub fn check_agent(agent: Agent, text: &str, npm: Option<&NpmBin>) -> std::result::Result<(), String> {
    let doc = Doc::new(text).map_err(|e| format!("cannot be read ({e})"))?;
    let v = doc.value().map_err(|e| format!("cannot be read ({e})"))?;
    let cmd = command(agent, npm);
    let (event, wanted) = entries(agent, &cmd);
    let list = v.get("hooks").and_then(|h| h.get(event)).and_then(Value::as_array);
    let ours: Vec<&Value> = list.map(|l| l.iter().filter(|e| mentions_us(e)).collect()).unwrap_or_default();
    if ours.is_empty() {
        return Err(format!("no prisma-guard hook under `hooks.{event}`"));
    }
    // Each of ours must read this agent's payload: `--agent cursor` in Claude's settings
    // refuses (or, before, misread) every call.
    let mut lines = Vec::new();
    for e in &ours {
        strings_with_mark(e, &mut lines);
    }
    for line in lines {
        let named = hook_agent(line);
        if named != Some(agent.id()) {
            return Err(format!(
                "its prisma-guard hook runs `{line}`, which reads {} payloads, not {}'s",
                named.map_or("no agent's".to_string(), |a| format!("`--agent {a}`")),
                agent.name()
            ));
        }
        if written_by_init(line) && line.replace("--agent=", "--agent ") != cmd {
            return Err(format!(
                "its prisma-guard hook is of an earlier form (`{line}`): where prisma-guard is not on PATH (installed from npm, or a teammate without it) the hook cannot start and the agent runs the command anyway"
            ));
        }
    }
    // The tools each wanted entry's matcher names must still be matched by one of ours.
    match wanted.iter().find_map(|w| uncovered_tool(&ours, w)) {
        Some(tool) => Err(format!("the prisma-guard hook's matcher no longer covers the `{tool}` tool")),
        None => Ok(()),
    }
}

fn strings_with_mark<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::String(s) if s.contains(HOOK_MARK) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings_with_mark(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings_with_mark(x, out)),
        _ => {}
    }
}

/// The agent a hook command line names (`--agent X` or `--agent=X`).
fn hook_agent(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace();
    while let Some(w) = words.next() {
        if w == "--agent" {
            return words.next().map(|a| a.trim_matches(['"', '\'']));
        }
        if let Some(a) = w.strip_prefix("--agent=") {
            return Some(a.trim_matches(['"', '\'']));
        }
    }
    None
}

/// A tool the matcher of the wanted entry names that none of our entries matches.
fn uncovered_tool<'w>(ours: &[&Value], wanted: &'w Value) -> Option<&'w str> {
    let needed = wanted.get("matcher").and_then(Value::as_str)?;
    needed.split('|').find(|tool| {
        !ours.iter().any(|e| match e.get("matcher").and_then(Value::as_str) {
            None | Some("") | Some("*") => true,
            Some(m) => regex::Regex::new(&format!("^(?:{m})$")).is_ok_and(|r| r.is_match(tool)),
        })
    })
}

/// A settings file that switches every hook of `agent` off, and the key that does (its
/// row's `hooks_switch`): Claude Code runs no hook at all while `"disableAllHooks": true` is
/// set in the project's `.claude/settings.json`, its `.claude/settings.local.json` or the
/// user's `~/.claude/settings.json`.
pub fn hooks_disabled(agent: Agent, root: &Path, home: Option<&Path>) -> Option<(PathBuf, &'static str)> {
    let switch = agent.profile().hooks_switch.as_ref()?;
    let files =
        switch.project_files.iter().map(|f| root.join(f)).chain(home.zip(switch.home_file).map(|(h, f)| h.join(f)));
    files.into_iter().find_map(|path| {
        let text = std::fs::read_to_string(&path).ok()?;
        let v = Doc::new(&text).ok()?.value().ok()?;
        (v.get(switch.key).and_then(Value::as_bool) == Some(true)).then_some((path, switch.key))
    })
}

/// CLAUDE.md / AGENTS.md with the safety section (added or refreshed).
pub fn merge_markdown(current: &str) -> Option<String> {
    let block = format!("{MD_START}\n{SECTION}\n{MD_END}\n");
    // In the file's own line endings.
    if current.contains("\r\n") {
        let updated = merge_markdown(&current.replace("\r\n", "\n"))?;
        return Some(updated.replace('\n', "\r\n"));
    }
    if let (Some(s), Some(e)) = (current.find(MD_START), current.find(MD_END)) {
        let end = e + MD_END.len();
        let end = if current[end..].starts_with('\n') { end + 1 } else { end };
        let updated = format!("{}{block}{}", &current[..s], &current[end..]);
        return (updated != current).then_some(updated);
    }
    let mut out = current.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&block);
    Some(out)
}

pub fn unmerge_markdown(current: &str) -> Option<String> {
    let (s, e) = (current.find(MD_START)?, current.find(MD_END)?);
    let end = e + MD_END.len();
    let end = if current[end..].starts_with('\n') { end + 1 } else { end };
    let before = current[..s].trim_end_matches('\n');
    let after = &current[end..];
    let mut out = before.to_string();
    if !out.is_empty() {
        out.push('\n');
    }
    if !after.trim().is_empty() {
        out.push('\n');
        out.push_str(after.trim_start_matches('\n'));
    }
    Some(out)
}

/// package.json with the `db:*` scripts added (existing scripts of the same name are kept).
pub fn merge_scripts(current: &str, path: &Path) -> Result<(Option<String>, Vec<String>)> {
    let mut pkg = PackageJson::parse(path, current)?;
    if !pkg.is_object() {
        return Err(crate::error::fail(format!("{} is not a JSON object; not touching it", path.display())).into());
    }
    if !pkg.scripts_editable() {
        return Ok((None, Vec::new()));
    }
    let mut kept = Vec::new();
    let mut changed = false;
    for (name, cmd) in SCRIPTS {
        match pkg.script(name) {
            Some(existing) if existing == *cmd => {}
            Some(existing) => kept.push(format!("kept your own `{name}` script (`{existing}`)")),
            None => {
                pkg.set_script(name, cmd)?;
                changed = true;
            }
        }
    }
    Ok((changed.then(|| pkg.into_text()), kept))
}

/// package.json without the `db:*` scripts `init` added (and without `scripts` when that
/// leaves it empty).
pub fn unmerge_scripts(current: &str, path: &Path) -> Result<Option<String>> {
    let mut pkg = PackageJson::parse(path, current)?;
    if !pkg.is_object() {
        return Err(crate::error::fail(format!("{} is not a JSON object; not touching it", path.display())).into());
    }
    let mut changed = false;
    for (name, cmd) in SCRIPTS {
        if pkg.script(name) == Some(cmd) {
            changed |= pkg.remove_script(name)?;
        }
    }
    if !changed {
        return Ok(None);
    }
    pkg.drop_empty_scripts()?;
    Ok(Some(pkg.into_text()))
}

/// The comment above the backup folder's line in `.gitignore`.
pub const BACKUPS_WHY: &str = "prisma-guard backups (database dumps: never commit them)";
/// The comment above the line for a SQLite restore's staged copy.
pub const STAGED_WHY: &str =
    "prisma-guard: the copy a SQLite restore stages beside the database (a killed restore leaves it)";

/// `.gitignore` with `entry` ignored under the comment `# <why>`, if it is not yet.
pub fn merge_gitignore(current: &str, entry: &str, why: &str) -> Option<String> {
    let bare = entry.trim_matches('/');
    let covered = current.lines().any(|l| {
        let l = l.trim();
        l.trim_matches('/') == bare || l == format!("{bare}/*") || l == format!("/{bare}/*")
    });
    if covered {
        return None;
    }
    let mut out = current.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("# {why}\n{entry}\n"));
    Some(out)
}

/// What `init` found in each file it changed, so that `uninstall` gives back the very bytes
/// (or removes a file init created) when the file is as init left it. Kept in the project's
/// backup folder (git-ignored, this clone's own); a file changed since goes through the
/// structural removal instead.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    #[serde(skip)]
    path: PathBuf,
    files: std::collections::BTreeMap<String, LedgerEntry>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct LedgerEntry {
    /// The file as it was before `init` first changed it; `None`: it did not exist.
    original: Option<String>,
    /// SHA-256 of what `init` last wrote.
    written: String,
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl Ledger {
    pub const FILE_NAME: &'static str = ".init-ledger.json";

    pub fn load(dir: &Path) -> Ledger {
        let path = dir.join(Self::FILE_NAME);
        let mut ledger: Ledger =
            std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        ledger.path = path;
        ledger
    }

    fn save(&self) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            // The backup folder, private as the backups it will hold.
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self)?;
        crate::backup::store::io::write_atomic(&self.path, text.as_bytes())?;
        Ok(())
    }

    fn key(path: &Path) -> String {
        path.display().to_string()
    }

    /// Apply `init`'s edits, remembering each file's first original and what was written.
    pub fn apply(&mut self, edits: &[Edit]) -> Result<()> {
        for e in edits {
            let key = Self::key(&e.path);
            if !self.files.contains_key(&key) {
                let original = std::fs::read_to_string(&e.path).ok();
                self.files.insert(key.clone(), LedgerEntry { original, written: String::new() });
            }
            apply(std::slice::from_ref(e))?;
            if let (Some(entry), Some(text)) = (self.files.get_mut(&key), &e.content) {
                entry.written = sha256_hex(text);
            }
        }
        if !edits.is_empty() {
            self.save()?;
        }
        Ok(())
    }

    /// For `uninstall`: each edit of a file that is exactly as `init` left it becomes the
    /// file's original (or its removal, when init created it).
    pub fn restore_originals(&mut self, edits: &mut [Edit]) {
        for e in edits.iter_mut() {
            let key = Self::key(&e.path);
            let Some(entry) = self.files.get(&key) else { continue };
            let current = std::fs::read_to_string(&e.path).ok();
            if current.as_deref().map(sha256_hex).as_deref() == Some(entry.written.as_str()) {
                e.content = entry.original.clone();
            }
        }
    }

    /// After `uninstall`: the ledger goes (and the backup folder with it, when that held
    /// nothing else: no backup was ever taken).
    pub fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Apply edits (create folders, atomic writes, deletes).
pub fn apply(edits: &[Edit]) -> Result<()> {
    for e in edits {
        match &e.content {
            Some(text) => {
                if let Some(parent) = e.path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("could not create {}", parent.display()))?;
                }
                crate::install::write_keeping_mode(&e.path, text)?;
            }
            None => {
                std::fs::remove_file(&e.path).with_context(|| format!("could not remove {}", e.path.display()))?;
                if let Some(parent) = e.path.parent() {
                    let _ = std::fs::remove_dir(parent); // only when empty
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review (issue 22, round 2): AGENTS.md, which many agents read, is no sign of Codex;
    /// only a .codex folder is.
    #[test]
    fn only_an_agents_own_files_show_it_is_used() {
        let dir = tempfile::tempdir().unwrap();
        for d in [".claude", ".gemini", ".cursor"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
        }
        std::fs::write(dir.path().join("AGENTS.md"), "# Agents\n").unwrap();
        assert_eq!(detect_agents(dir.path()), vec![Agent::Claude, Agent::Cursor, Agent::Gemini]);
        std::fs::create_dir(dir.path().join(".codex")).unwrap();
        assert!(detect_agents(dir.path()).contains(&Agent::Codex));
    }

    /// Review (issue 22, round 7): doctor said the Claude hook was ok when its command was
    /// `agent-hook --agent cursor` (which reads another agent's payloads).
    #[test]
    fn a_hook_naming_another_agent_is_not_ok() {
        let p = Path::new(".claude/settings.json");
        let fresh = merge_agent(Agent::Claude, "", p, None).unwrap().unwrap();
        check_agent(Agent::Claude, &fresh, None).unwrap();
        let wrong = fresh.replace("--agent claude", "--agent cursor");
        assert!(check_agent(Agent::Claude, &wrong, None).unwrap_err().contains("--agent cursor"), "{wrong}");
        let none = fresh.replace(" --agent claude", "");
        assert!(check_agent(Agent::Claude, &none, None).is_err());
        // `init` puts it right.
        let fixed = merge_agent(Agent::Claude, &wrong, p, None).unwrap().unwrap();
        check_agent(Agent::Claude, &fixed, None).unwrap();
        assert!(!fixed.contains("--agent cursor"), "{fixed}");
        check_agent(Agent::Claude, &fresh.replace("--agent claude", "--agent=claude"), None).unwrap();
    }

    /// Review (issue 22, round 5): Codex's hook covers its `apply_patch` tool too; an older
    /// install with only the `Bash` entry gets the missing one added, once.
    #[test]
    fn codex_settings_cover_apply_patch_and_an_older_install_is_completed() {
        let p = Path::new(".codex/hooks.json");
        let fresh = merge_agent(Agent::Codex, "", p, None).unwrap().unwrap();
        assert!(fresh.contains("\"apply_patch\""), "{fresh}");
        check_agent(Agent::Codex, &fresh, None).unwrap();
        let older = format!(
            r#"{{"hooks": {{"PreToolUse": [{{"matcher": "Bash", "hooks": [{{"type": "command", "command": {}}}]}}]}}}}"#,
            json!(command(Agent::Codex, None))
        );
        let older = older.as_str();
        assert!(check_agent(Agent::Codex, older, None).unwrap_err().contains("apply_patch"));
        let completed = merge_agent(Agent::Codex, older, p, None).unwrap().unwrap();
        let v: Value = serde_json::from_str(&completed).unwrap();
        let matchers: Vec<&str> =
            v["hooks"]["PreToolUse"].as_array().unwrap().iter().filter_map(|e| e["matcher"].as_str()).collect();
        assert_eq!(matchers, ["Bash", "apply_patch"]);
        check_agent(Agent::Codex, &completed, None).unwrap();
        assert_eq!(merge_agent(Agent::Codex, &completed, p, None).unwrap(), None, "idempotent");
    }

    /// Review finding 1 (issue 21): the hook command finds prisma-guard in the project's
    /// node_modules/.bin by a path that is the same on every machine, and refuses in the
    /// agent's own terms when it is missing; the form earlier versions wrote (by name alone,
    /// failing open) is reported by doctor and replaced by init.
    #[test]
    fn hook_commands_find_node_modules_and_refuse_when_prisma_guard_is_missing() {
        for agent in Agent::all() {
            let cmd = command(agent, None);
            assert!(cmd.contains(HOOK_MARK) && hook_agent(&cmd) == Some(agent.id()), "{cmd}");
            assert!(cmd.contains("/node_modules/.bin:\"$PATH\""), "{cmd}");
            assert!(!cmd.contains("/tmp") && !cmd.contains("/home"), "no machine's path: {cmd}");
            let refusal = if agent.profile().answer.blocks_on_exit_2() { "exit 2" } else { "\"deny\"" };
            assert!(cmd.contains(refusal), "{cmd}");
        }
        assert!(command(Agent::Claude, None).starts_with("PATH=\"$CLAUDE_PROJECT_DIR\"/node_modules/.bin:"));
        assert!(command(Agent::Codex, None).contains("git rev-parse --show-toplevel"));
        let npm = NpmBin {
            from_root: "packages/db/node_modules/.bin/prisma-guard".into(),
            from_top: "x/node_modules/.bin/prisma-guard".into(),
        };
        assert!(command(Agent::Claude, Some(&npm)).contains("\"$CLAUDE_PROJECT_DIR\"/packages/db/node_modules/.bin:"));
        assert!(command(Agent::Cursor, Some(&npm)).contains("\"/x/node_modules/.bin:"));
        let p = Path::new(".claude/settings.json");
        let older = r#"{"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "prisma-guard agent-hook --agent claude"}]}, {"matcher": "Edit|MultiEdit|Write", "hooks": [{"type": "command", "command": "prisma-guard agent-hook --agent claude"}]}]}}"#;
        assert!(check_agent(Agent::Claude, older, None).unwrap_err().contains("earlier form"));
        let updated = merge_agent(Agent::Claude, older, p, None).unwrap().unwrap();
        check_agent(Agent::Claude, &updated, None).unwrap();
        assert!(!updated.contains("\"prisma-guard agent-hook --agent claude\""), "{updated}");
    }

    #[test]
    fn claude_settings_merge_keeps_other_hooks_and_round_trips() {
        let original = r#"{
  "permissions": {"allow": ["Bash(npm test)"]},
  "hooks": {
    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint.sh"}]}],
    "PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier"}]}]
  }
}
"#;
        let p = Path::new(".claude/settings.json");
        let merged = merge_agent(Agent::Claude, original, p, None).unwrap().unwrap();
        let v: Value = serde_json::from_str(&merged).unwrap();
        assert_eq!(v["hooks"]["PreToolUse"].as_array().unwrap().len(), 3);
        assert_eq!(v["hooks"]["PreToolUse"][0]["hooks"][0]["command"], "./lint.sh");
        assert_eq!(v["hooks"]["PreToolUse"][1]["hooks"][0]["command"], command(Agent::Claude, None));
        assert_eq!(v["permissions"]["allow"][0], "Bash(npm test)");
        assert_eq!(merge_agent(Agent::Claude, &merged, p, None).unwrap(), None, "idempotent");
        let back: Value = serde_json::from_str(&unmerge_agent(&merged, p).unwrap().unwrap().unwrap()).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(original).unwrap());
        // A file that held only our hooks is deleted.
        let ours = merge_agent(Agent::Cursor, "", p, None).unwrap().unwrap();
        assert_eq!(unmerge_agent(&ours, p).unwrap(), Some(None));
        assert!(merge_agent(Agent::Claude, "{oops", p, None).is_err());
    }

    #[test]
    fn markdown_section_round_trips() {
        let md = "# Agents\n\nUse pnpm.\n";
        let merged = merge_markdown(md).unwrap();
        assert!(merged.starts_with(md) && merged.contains(MD_START));
        assert_eq!(merge_markdown(&merged), None);
        assert_eq!(unmerge_markdown(&merged).unwrap(), md);
    }

    #[test]
    fn scripts_merge_keeps_user_scripts() {
        let pkg = "{\n  \"scripts\": {\"db:backup\": \"./my-backup.sh\"}\n}\n";
        let (out, kept) = merge_scripts(pkg, Path::new("package.json")).unwrap();
        let out = out.unwrap();
        assert!(out.contains("./my-backup.sh") && out.contains("prisma-guard restore-test"));
        assert_eq!(kept.len(), 1);
        assert_eq!(merge_scripts(&out, Path::new("package.json")).unwrap().0, None);
        let back = unmerge_scripts(&out, Path::new("package.json")).unwrap().unwrap();
        assert!(!back.contains("prisma-guard") && back.contains("./my-backup.sh"));
    }

    #[test]
    fn gitignore() {
        assert_eq!(merge_gitignore("node_modules/\nbackups/\n", "/backups/", BACKUPS_WHY), None);
        assert!(merge_gitignore("node_modules", "/backups/", BACKUPS_WHY).unwrap().ends_with("\n/backups/\n"));
        // Each entry under its own comment: the staged copies are not "database dumps".
        let both = merge_gitignore("", "/backups/", BACKUPS_WHY).unwrap();
        let both = merge_gitignore(&both, ".prisma-guard-restore-*", STAGED_WHY).unwrap();
        assert_eq!(both.matches(BACKUPS_WHY).count(), 1, "{both}");
        assert!(both.ends_with(&format!("# {STAGED_WHY}\n.prisma-guard-restore-*\n")), "{both}");
    }
}
