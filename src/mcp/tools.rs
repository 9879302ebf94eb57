//! The tools `prisma-guard mcp` offers: the ones `prisma mcp` offers (same names and argument
//! names), each run through the guard, and prisma-guard's own.
//!
//! A tool call is an AI agent asking, so nothing in its arguments can loosen protection:
//! each tool takes a few named string arguments, checked character by character, and
//! anything else is refused (no flags, no URLs, no consent). Prisma commands run as
//! `prisma-guard exec -- <args>`, the very path the shim takes: a schema change is backed
//! up first, and what the classifier calls destructive is refused here before anything runs.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::guard::classify::{self, Invocation, Risk};

/// One tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    MigrateStatus,
    MigrateDev,
    MigrateReset,
    PrismaStudio,
    Backup,
    Backups,
    RestoreTest,
    Status,
}

/// What an argument holds, and so how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A folder at or below the server's own.
    Folder,
    /// A migration name or backup label: letters, digits, `_`, `-`, spaces.
    Name,
    /// A backup id, prefix or `latest`.
    BackupId,
}

struct Arg {
    name: &'static str,
    kind: Kind,
    required: bool,
    about: &'static str,
}

const PROJECT: Arg = Arg {
    name: "projectCWD",
    kind: Kind::Folder,
    required: false,
    about:
        "The Prisma project's folder (default: the folder the server runs in; it must be that folder or one below it).",
};

impl Tool {
    pub const ALL: &'static [Tool] = &[
        Tool::MigrateStatus,
        Tool::MigrateDev,
        Tool::MigrateReset,
        Tool::PrismaStudio,
        Tool::Backup,
        Tool::Backups,
        Tool::RestoreTest,
        Tool::Status,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tool::MigrateStatus => "migrate-status",
            Tool::MigrateDev => "migrate-dev",
            Tool::MigrateReset => "migrate-reset",
            Tool::PrismaStudio => "Prisma-Studio",
            Tool::Backup => "backup",
            Tool::Backups => "backups",
            Tool::RestoreTest => "restore-test",
            Tool::Status => "status",
        }
    }

    pub fn named(name: &str) -> Option<Tool> {
        Tool::ALL.iter().copied().find(|t| t.name() == name)
    }

    fn about(self) -> &'static str {
        match self {
            Tool::MigrateStatus => "`prisma migrate status` through prisma-guard: which migrations in prisma/migrations are applied to the database, pending, or missing locally. Changes nothing.",
            Tool::MigrateDev => "`prisma migrate dev --name <name>` through prisma-guard: the database is backed up first (no backup, no migration), then Prisma creates a migration from the schema changes and applies it. Runs without a terminal, so Prisma itself refuses a migration that would lose data; such a change needs the user.",
            Tool::MigrateReset => "Refused, always: `prisma migrate reset` deletes every row. The result tells the user's exact command to run in their own terminal, where prisma-guard asks them to type the database name and takes a backup first.",
            Tool::PrismaStudio => "Refused: Prisma Studio is an interactive data editor for the user, to open in their own terminal (`npx prisma studio`). The result says how.",
            Tool::Backup => "Take a verified backup of the project's database now (prisma-guard backup).",
            Tool::Backups => "List the project's backups, newest first (prisma-guard backups).",
            Tool::RestoreTest => "Restore a backup into a scratch database and compare row counts with its manifest (prisma-guard restore-test); the project's database is not touched.",
            Tool::Status => "Are the backups healthy: the newest backup's age, the last verify and restore test, disk space (prisma-guard status).",
        }
    }

    fn args(self) -> Vec<Arg> {
        let mut args = vec![PROJECT];
        match self {
            Tool::MigrateDev => args.push(Arg {
                name: "name",
                kind: Kind::Name,
                required: true,
                about: "The migration's name, describing the change (letters, digits, `_`, `-` and spaces; up to 100).",
            }),
            Tool::Backup => args.push(Arg {
                name: "label",
                kind: Kind::Name,
                required: false,
                about: "A short label added to the backup id (letters, digits, `_`, `-` and spaces).",
            }),
            Tool::RestoreTest => args.push(Arg {
                name: "backup",
                kind: Kind::BackupId,
                required: false,
                about: "The backup's id, a unique prefix of it, or `latest` (the default).",
            }),
            _ => {}
        }
        args
    }

    fn read_only(self) -> bool {
        matches!(self, Tool::MigrateStatus | Tool::Backups | Tool::Status | Tool::MigrateReset | Tool::PrismaStudio)
    }
}

/// `tools/list`'s tools.
pub fn definitions() -> Vec<Value> {
    Tool::ALL
        .iter()
        .map(|t| {
            let args = t.args();
            let properties: Map<String, Value> =
                args.iter().map(|a| (a.name.to_string(), json!({"type": "string", "description": a.about}))).collect();
            let required: Vec<&str> = args.iter().filter(|a| a.required).map(|a| a.name).collect();
            json!({
                "name": t.name(),
                "description": t.about(),
                "inputSchema": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false,
                },
                "annotations": {
                    "readOnlyHint": t.read_only(),
                    // A migration changes the schema (backed up first, but the client may
                    // well ask its user): the one tool not to run unasked.
                    "destructiveHint": *t == Tool::MigrateDev,
                    "openWorldHint": false,
                },
            })
        })
        .collect()
}

/// Where the server runs: the folder tools run in by default, and the one they may not leave.
pub struct Context {
    root: PathBuf,
    /// Where the server's own log lines go (stderr; `--quiet` hides them).
    pub printer: crate::ui::Printer,
}

impl Context {
    pub fn new(root: PathBuf, printer: crate::ui::Printer) -> Context {
        let root = root.canonicalize().unwrap_or(root);
        Context { root, printer }
    }
}

/// A tool's answer: text for the agent, and whether it is an error (a refusal, bad
/// arguments, a failed command).
#[derive(Debug)]
pub struct Outcome {
    pub text: String,
    pub is_error: bool,
}

impl Outcome {
    fn error(text: impl Into<String>) -> Outcome {
        Outcome { text: text.into(), is_error: true }
    }

    pub fn to_json(&self) -> Value {
        json!({"content": [{"type": "text", "text": self.text}], "isError": self.is_error})
    }
}

/// Checked arguments.
struct Args {
    values: Map<String, Value>,
}

impl Args {
    fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(Value::as_str)
    }
}

fn check(tool: Tool, given: &Map<String, Value>) -> Result<Args, String> {
    let args = tool.args();
    let names = || args.iter().map(|a| a.name).collect::<Vec<_>>().join(", ");
    let mut values = Map::new();
    for (key, value) in given {
        let Some(arg) = args.iter().find(|a| a.name == key) else {
            return Err(format!(
                "unknown argument `{key}`: `{}` takes only {}; nothing else is accepted (no flags, URLs or consent: an agent cannot loosen prisma-guard)",
                tool.name(),
                names()
            ));
        };
        match value {
            Value::Null if !arg.required => continue,
            Value::String(s) => check_value(arg, s)?,
            _ => return Err(format!("`{key}` must be a string")),
        }
        values.insert(key.clone(), value.clone());
    }
    if let Some(missing) = args.iter().find(|a| a.required && !values.contains_key(a.name)) {
        return Err(format!("`{}` needs the argument `{}`: {}", tool.name(), missing.name, missing.about));
    }
    Ok(Args { values })
}

fn check_value(arg: &Arg, s: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("`{}` {why}", arg.name));
    match arg.kind {
        Kind::Folder if s.is_empty() || s.contains('\0') || s.len() > 4096 => bad("is not a folder path"),
        Kind::Folder => Ok(()),
        Kind::Name => {
            let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' ');
            if s.is_empty() || s.len() > 100 {
                bad("must be 1 to 100 characters")
            } else if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) || !s.chars().all(ok_char) {
                bad("may hold only letters, digits, `_`, `-` and spaces, starting with a letter or digit")
            } else {
                Ok(())
            }
        }
        Kind::BackupId => {
            let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
            if s.is_empty()
                || s.len() > 200
                || !s.starts_with(|c: char| c.is_ascii_alphanumeric())
                || !s.chars().all(ok_char)
            {
                bad("must be a backup id (as `backups` lists them), a prefix of one, or `latest`")
            } else {
                Ok(())
            }
        }
    }
}

/// The folder a tool runs in: `projectCWD` (relative to the server's folder), which must
/// exist and be the server's folder or one below it.
fn folder(ctx: &Context, args: &Args) -> Result<PathBuf, String> {
    let Some(given) = args.get("projectCWD") else { return Ok(ctx.root.clone()) };
    let path = ctx.root.join(given);
    let real = path.canonicalize().map_err(|e| format!("`projectCWD` {}: {e}", path.display()))?;
    if !real.is_dir() {
        return Err(format!("`projectCWD` {} is not a folder", real.display()));
    }
    if !real.starts_with(&ctx.root) {
        return Err(format!(
            "`projectCWD` {} is outside the folder this server guards ({}); the user can start another `prisma-guard mcp` there",
            real.display(),
            ctx.root.display()
        ));
    }
    Ok(real)
}

/// Run `tool` with the arguments an agent gave.
pub fn call(tool: Tool, given: &Map<String, Value>, ctx: &Context) -> Outcome {
    let args = match check(tool, given) {
        Ok(a) => a,
        Err(e) => return Outcome::error(format!("refused: {e}")),
    };
    let dir = match folder(ctx, &args) {
        Ok(d) => d,
        Err(e) => return Outcome::error(format!("refused: {e}")),
    };
    let owned = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<String>>();
    match tool {
        Tool::MigrateStatus => super::run::prisma(&ctx.printer, &dir, &owned(&["migrate", "status"]), &[0, 1]),
        Tool::MigrateDev => {
            let name = args.get("name").unwrap_or_default();
            // A migration the agent wrote that loses data needs the human's typed confirmation.
            if let Some(why) = crate::judge::context::uncommitted_migration_loss(&dir) {
                return Outcome::error(format!(
                    "refused: migrate-dev {why}. Take `prisma-guard backup` first, then ask the user to run `npx prisma migrate dev` in a terminal: prisma-guard asks them to type the confirmation."
                ));
            }
            super::run::prisma(&ctx.printer, &dir, &owned(&["migrate", "dev", "--name", name]), &[0])
        }
        Tool::MigrateReset => super::run::prisma(&ctx.printer, &dir, &owned(&["migrate", "reset"]), &[0]),
        Tool::PrismaStudio => Outcome::error(studio_refusal(&dir)),
        Tool::Backup => {
            let mut a = owned(&["backup"]);
            if let Some(label) = args.get("label") {
                a.extend(owned(&["--label", label]));
            }
            super::run::ours(&ctx.printer, &dir, &a, &[0])
        }
        Tool::Backups => super::run::ours(&ctx.printer, &dir, &owned(&["backups"]), &[0]),
        Tool::RestoreTest => super::run::ours(
            &ctx.printer,
            &dir,
            &owned(&["restore-test", args.get("backup").unwrap_or("latest")]),
            &[0],
        ),
        Tool::Status => super::run::ours(&ctx.printer, &dir, &owned(&["status"]), &[0, 1]),
    }
}

/// What a prisma command does, as the guard judges it.
pub fn judge(args: &[String]) -> Risk {
    classify::classify(&Invocation::parse(args), None, classify::Options::default())
}

fn studio_refusal(dir: &Path) -> String {
    format!(
        "refused: Prisma Studio is not started from an MCP tool. It is a web editor in which any row can be changed or deleted, outside prisma-guard's backups, and it runs until stopped, so the call would never return.\n\
         AI agent: if the user wants to browse the data, tell them to run this in their own terminal:\n\n    cd {} && npx prisma studio\n\n\
         To look at the database's state from here, use migrate-status, backups or status.",
        crate::shell::quote(&dir.display().to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn only_the_documented_arguments_pass() {
        assert!(check(Tool::MigrateDev, &args(json!({"name": "add tags", "projectCWD": "."}))).is_ok());
        for bad in [
            json!({"name": "x", "force": true}),
            json!({"name": "x", "acceptDataLoss": "yes"}),
            json!({"name": "x", "args": ["--accept-data-loss"]}),
            json!({"name": "x", "url": "postgresql://a@b/c"}),
            json!({"name": "--accept-data-loss"}),
            json!({"name": "x; rm -rf /"}),
            json!({"name": "x\n--force"}),
            json!({"name": ""}),
            json!({"name": 3}),
            json!({}),
        ] {
            assert!(check(Tool::MigrateDev, &args(bad.clone())).is_err(), "{bad} passed");
        }
        assert!(check(Tool::RestoreTest, &args(json!({"backup": "20261201T101010Z-before-migrate-dev"}))).is_ok());
        assert!(check(Tool::RestoreTest, &args(json!({"backup": "../../etc"}))).is_err());
        assert!(check(Tool::RestoreTest, &args(json!({"backup": "-x"}))).is_err());
        assert!(check(Tool::MigrateReset, &args(json!({"force": true}))).is_err());
    }

    #[test]
    fn a_folder_outside_the_servers_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("app")).expect("mkdir");
        let ctx = Context::new(dir.path().join("app"), crate::ui::Printer::default());
        let folder_of = |p: &str| folder(&ctx, &check(Tool::Backups, &args(json!({"projectCWD": p}))).expect("args"));
        assert!(folder_of(".").is_ok());
        assert!(folder_of("..").unwrap_err().contains("outside"));
        assert!(folder_of("/").unwrap_err().contains("outside"));
        assert!(folder_of("missing").is_err());
    }

    #[test]
    fn the_classifier_decides_what_is_refused() {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<String>>();
        assert!(matches!(judge(&owned(&["migrate", "reset"])), Risk::Destructive { .. }));
        assert!(matches!(judge(&owned(&["migrate", "dev", "--name", "x"])), Risk::SchemaChange { .. }));
        assert_eq!(judge(&owned(&["migrate", "status"])), Risk::Safe);
    }

    #[test]
    fn every_tool_is_listed_with_a_closed_schema() {
        let defs = definitions();
        let names: Vec<&str> = defs.iter().filter_map(|d| d["name"].as_str()).collect();
        assert_eq!(
            names,
            [
                "migrate-status",
                "migrate-dev",
                "migrate-reset",
                "Prisma-Studio",
                "backup",
                "backups",
                "restore-test",
                "status"
            ]
        );
        for d in &defs {
            assert_eq!(d["inputSchema"]["additionalProperties"], false);
            assert!(d["inputSchema"]["properties"]["projectCWD"].is_object());
        }
        assert_eq!(defs[1]["inputSchema"]["required"], json!(["name"]));
    }
}
