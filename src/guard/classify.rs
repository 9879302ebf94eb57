//! Prisma argv -> what it does to the database.
//!
//! Table-driven over the commands of Prisma 7.10.1 (`../shared/prisma-cli/`). Flags may come
//! in any order, as `--flag value` or `--flag=value`; global flags (`--schema`, `--config`,
//! `--url`) may precede the command. Unknown subcommands of `db` and `migrate` count as
//! schema changes: when in doubt, back up.

use std::fmt;

/// What a prisma command does to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Risk {
    /// Reads or generates only: runs straight through.
    Safe,
    /// Changes the schema or data in ways Prisma means to keep: backup first.
    SchemaChange { what: String },
    /// Loses data: a human types a confirmation, and a backup is taken first.
    Destructive { why: String },
}

impl Risk {
    pub fn label(&self) -> &'static str {
        match self {
            Risk::Safe => "safe",
            Risk::SchemaChange { .. } => "schema-change",
            Risk::Destructive { .. } => "destructive",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Risk::Safe => f.write_str("safe"),
            Risk::SchemaChange { what } => write!(f, "schema change: {what}"),
            Risk::Destructive { why } => write!(f, "destructive: {why}"),
        }
    }
}

/// Flags that take a value (so the value is not mistaken for a command word).
const VALUE_FLAGS: &[&str] = &[
    "--schema",
    "--config",
    "--url",
    "--name",
    "-n",
    "--file",
    "--applied",
    "--rolled-back",
    "--from-migrations",
    "--to-migrations",
    "--from-schema",
    "--to-schema",
    "--from-url",
    "--to-url",
    "--shadow-database-url",
    "--output",
    "-o",
    "--generator",
    "--generator-provider",
    "--port",
    "-p",
    "--browser",
    "-b",
    "--api-key",
    "--database",
    "--template",
    "--schemas",
    "--composite-type-depth",
    "--shadow-db-port",
    "--db-port",
    // Global, undocumented in --help: the CLI reads a string after it.
    "--telemetry-information",
    "--confirm",
];

/// Flags that take no value (Prisma 7.10.1's help texts, and Prisma 8's `--no-interactive`).
/// A flag in neither list may take a value or not: both readings are judged.
const BOOL_FLAGS: &[&str] = &[
    "--force",
    "--help",
    "--version",
    "--create-only",
    "--skip-seed",
    "--skip-generate",
    "--accept-data-loss",
    "--force-reset",
    "--stdin",
    "--exit-code",
    "--script",
    "--preview-feature",
    "--print",
    "--no-hints",
    "--watch",
    "--json",
    "--sql",
    "--from-empty",
    "--to-empty",
    "--from-config-datasource",
    "--to-config-datasource",
    "--no-engine",
    "--data-proxy",
    "--accelerate",
    "--allow-no-models",
    "--require-models",
    "--debug",
    "--detach",
    "-d",
    "--db",
    "--with-model",
    "--no-skills",
    "--local-d1",
    "--early-access",
    "--no-interactive",
    "--check",
];

/// A parsed prisma command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    /// The arguments exactly as given (forwarded unchanged).
    pub args: Vec<String>,
    /// Command words: `["migrate", "dev"]`, `["db", "push"]`, `["generate"]`.
    pub words: Vec<String>,
    /// Flags present, long form, without values: `--force`, `--create-only`.
    pub flags: Vec<String>,
    pub schema: Option<String>,
    pub config: Option<String>,
    pub url: Option<String>,
    pub file: Option<String>,
    /// A flag prisma-guard does not know was met: it may take the next word as its value.
    pub unknown_flag: bool,
}

impl Invocation {
    pub fn parse(args: &[String]) -> Invocation {
        Invocation::parse_reading(args, false)
    }

    /// Every way the line may be read: one, or two when a flag prisma-guard does not know
    /// may or may not take the next word as its value.
    pub fn readings(args: &[String]) -> Vec<Invocation> {
        let first = Invocation::parse(args);
        if first.unknown_flag {
            vec![first, Invocation::parse_reading(args, true)]
        } else {
            vec![first]
        }
    }

    /// `unknown_takes_value`: read a flag in neither list as taking the next word.
    fn parse_reading(args: &[String], unknown_takes_value: bool) -> Invocation {
        let mut inv = Invocation { args: args.to_vec(), ..Invocation::default() };
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            if arg == "--" {
                break;
            }
            if let Some(flag) = arg.strip_prefix("--").map(|_| arg.as_str()).or_else(|| short(arg)) {
                let (name, inline) = match flag.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (flag.to_string(), None),
                };
                let name = expand_short(&name);
                let known = VALUE_FLAGS.contains(&name.as_str()) || BOOL_FLAGS.contains(&name.as_str());
                inv.unknown_flag |= !known;
                let takes = VALUE_FLAGS.contains(&name.as_str()) || (!known && unknown_takes_value);
                let value = if inline.is_some() {
                    inline
                } else if takes && i + 1 < args.len() {
                    i += 1;
                    Some(args[i].clone())
                } else {
                    None
                };
                match name.as_str() {
                    "--schema" => inv.schema = value,
                    "--config" => inv.config = value,
                    "--url" => inv.url = value,
                    "--file" => inv.file = value,
                    _ => {}
                }
                inv.flags.push(name);
            } else if inv.words.len() < 2 {
                inv.words.push(arg.clone());
            }
            i += 1;
        }
        inv
    }

    pub fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    fn word(&self, i: usize) -> &str {
        self.words.get(i).map_or("", String::as_str)
    }

    /// Whether the command words are `first second` (`second` "" matches any).
    pub fn is(&self, first: &str, second: &str) -> bool {
        self.word(0) == first && (second.is_empty() || self.word(1) == second)
    }
}

fn short(arg: &str) -> Option<&str> {
    (arg.starts_with('-') && arg.len() >= 2 && !arg.starts_with("--")).then_some(arg)
}

fn expand_short(name: &str) -> String {
    match name {
        "-f" => "--force",
        "-h" => "--help",
        "-v" => "--version",
        other => other,
    }
    .to_string()
}

/// Settings that change classification.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Treat `db seed` as safe (default: a schema change, seeds write data).
    pub seed_is_safe: bool,
}

/// What the command does. `sql` is the SQL `db execute` would run, when it could be read;
/// `Some(Err)` means it could not be read (fail closed: destructive).
pub fn classify(inv: &Invocation, sql: Option<Result<&str, String>>, opts: Options) -> Risk {
    // A flag prisma-guard does not know may take the next word as its value, or not: the
    // riskier of the two readings counts (`--some-flag version migrate reset` must not pass).
    if inv.unknown_flag {
        let other = Invocation::parse_reading(&inv.args, true);
        let a = classify_one(inv, sql.clone(), opts);
        let b = classify_one(&other, sql, opts);
        return if rank(&b) > rank(&a) { b } else { a };
    }
    classify_one(inv, sql, opts)
}

fn rank(r: &Risk) -> u8 {
    match r {
        Risk::Safe => 0,
        Risk::SchemaChange { .. } => 1,
        Risk::Destructive { .. } => 2,
    }
}

fn classify_one(inv: &Invocation, sql: Option<Result<&str, String>>, opts: Options) -> Risk {
    let schema_change = |what: &str| Risk::SchemaChange { what: what.to_string() };
    let destructive = |why: &str| Risk::Destructive { why: why.to_string() };
    if inv.has("--help") {
        return Risk::Safe;
    }
    // Prisma 8's `--confirm <database>` answers its typed confirmation in advance.
    if inv.has("--confirm") && matches!(inv.word(0), "migrate" | "db") && inv.word(1) != "update" {
        return destructive(
            "`--confirm` (Prisma 8) answers Prisma's typed confirmation in advance: it is never a person's consent",
        );
    }
    match (inv.word(0), inv.word(1)) {
        ("", _) | ("version", _) => Risk::Safe,
        ("migrate", "reset") => destructive("`migrate reset` drops every table and row in the schemas Prisma manages"),
        ("migrate", "dev") => schema_change(
            "`migrate dev` creates and applies migrations (even --create-only can reset a drifted database)",
        ),
        ("migrate", "deploy") => schema_change("`migrate deploy` applies pending migrations"),
        ("migrate", "resolve") => schema_change("`migrate resolve` rewrites the migration history"),
        ("migrate", "status" | "diff") => Risk::Safe,
        ("migrate", _) => schema_change("an unknown `migrate` subcommand (treated as a schema change)"),
        ("db", "push") if inv.has("--force-reset") => destructive("`db push --force-reset` drops every table and row"),
        ("db", "push") if inv.has("--accept-data-loss") => {
            destructive("`db push --accept-data-loss` applies changes that drop columns or tables with data")
        }
        ("db", "push") => schema_change("`db push` changes the schema"),
        // Prisma 8: `db update` replaces `db push`; it asks a human to type the database's name
        // before losing data, unless `--confirm <database>` answers for them (a flag an agent
        // can pass: never consent).
        ("db", "update") if inv.has("--force-reset") => {
            destructive("`db update --force-reset` (Prisma 8) drops every table and row")
        }
        ("db", "update") if inv.has("--accept-data-loss") => {
            destructive("`db update --accept-data-loss` (Prisma 8) applies changes that drop columns or tables with data")
        }
        ("db", "update") if inv.has("--confirm") => destructive(
            "`db update --confirm` (Prisma 8) answers Prisma's typed data-loss prompt in advance, so columns and tables with data can be dropped unasked",
        ),
        ("db", "update") => schema_change("`db update` (Prisma 8) changes the schema"),
        ("db", "reset" | "drop" | "wipe" | "clear") => {
            destructive("an unknown `db` subcommand that by its name resets the database")
        }

        ("db", "execute") => match sql {
            Some(Ok(text)) => {
                let found = crate::sql::dangers(text);
                match found.first() {
                    Some(d) => destructive(&format!(
                        "`db execute` runs SQL that {} (line {}: {})",
                        d.message,
                        d.line,
                        first_line(&d.statement)
                    )),
                    None => schema_change("`db execute` runs SQL"),
                }
            }
            Some(Err(e)) => destructive(&format!("`db execute` SQL could not be read ({e}), so it cannot be checked")),
            None if inv.has("--stdin") => {
                destructive("`db execute --stdin` reads SQL that prisma-guard cannot see here, so it cannot be checked")
            }
            None => destructive("`db execute` without --file or --stdin cannot be checked"),
        },
        ("db", "seed") if opts.seed_is_safe => Risk::Safe,
        ("db", "seed") => schema_change("`db seed` writes data"),
        ("db", "pull") => Risk::Safe,
        ("db", _) => schema_change("an unknown `db` subcommand (treated as a schema change)"),
        ("bootstrap", _) => schema_change("`bootstrap` sets up a database"),
        ("mcp", _) => schema_change("`mcp` starts Prisma's MCP server, whose migrate-dev tool bypasses every shim"),
        _ => Risk::Safe,
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().find(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--")).unwrap_or("");
    let mut out: String = line.trim().chars().take(80).collect();
    if line.trim().chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    /// Subagent finding (issue 16): `--telemetry-information` takes a value in the real CLI, so
    /// `prisma --telemetry-information version migrate reset --force` resets; and any flag
    /// prisma-guard does not know is read both ways.
    #[test]
    fn value_flags_and_unknown_flags_do_not_hide_the_command() {
        let risk = |line: &str| {
            let args: Vec<String> = line.split_whitespace().map(String::from).collect();
            super::classify(&super::Invocation::parse(&args), None, super::Options::default()).label()
        };
        for line in [
            "--telemetry-information version migrate reset --force",
            "migrate --telemetry-information status reset --force",
            "db --telemetry-information pull push --force-reset",
            "--some-new-flag version migrate reset --force",
            "migrate --new-flag status reset",
        ] {
            assert_eq!(risk(line), "destructive", "{line}");
        }
        assert_eq!(risk("--some-new-flag generate"), "safe");
        assert_eq!(risk("migrate dev --new-flag"), "schema-change");
    }

    use super::*;

    fn risk(line: &str) -> &'static str {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        classify(&Invocation::parse(&args), None, Options::default()).label()
    }

    #[test]
    fn table() {
        let cases = [
            ("--version", "safe"),
            ("-v", "safe"),
            ("version", "safe"),
            ("", "safe"),
            ("--help", "safe"),
            ("migrate reset --help", "safe"),
            ("generate", "safe"),
            ("generate --schema prisma/schema.prisma", "safe"),
            ("format", "safe"),
            ("validate", "safe"),
            ("studio -p 5555", "safe"),
            ("init --datasource-provider sqlite", "safe"),
            ("debug", "safe"),
            ("dev", "safe"),
            ("platform status", "safe"),
            ("postgres link", "safe"),
            ("complete", "safe"),
            ("migrate status", "safe"),
            ("migrate diff --from-empty --to-schema prisma/schema.prisma --script", "safe"),
            ("db pull", "safe"),
            ("migrate dev", "schema-change"),
            ("migrate dev --name add_users", "schema-change"),
            ("migrate dev --create-only", "schema-change"),
            ("migrate deploy", "schema-change"),
            ("migrate resolve --applied 20260101_init", "schema-change"),
            ("db push", "schema-change"),
            ("db push --skip-generate", "schema-change"),
            ("db seed", "schema-change"),
            ("bootstrap", "schema-change"),
            ("mcp", "schema-change"),
            ("migrate frobnicate", "schema-change"),
            ("db frobnicate", "schema-change"),
            ("migrate reset", "destructive"),
            ("migrate reset --force", "destructive"),
            ("migrate reset -f", "destructive"),
            ("migrate reset --skip-seed --force", "destructive"),
            ("--schema prisma/x.prisma migrate reset", "destructive"),
            ("--schema=prisma/x.prisma migrate reset", "destructive"),
            ("db push --force-reset", "destructive"),
            ("db --force-reset push", "destructive"),
            ("db push --accept-data-loss", "destructive"),
            ("db push --accept-data-loss --skip-generate", "destructive"),
            ("--config prisma.config.ts db push --force-reset", "destructive"),
            ("db execute --stdin", "destructive"),
            // Prisma 8.
            ("db update", "schema-change"),
            ("db update --no-interactive", "schema-change"),
            ("db update --no-interactive --confirm app", "destructive"),
            ("db update --confirm=app", "destructive"),
            ("db update --force-reset", "destructive"),
            ("db update --accept-data-loss", "destructive"),
            ("migrate dev --confirm app", "destructive"),
            ("db reset", "destructive"),
        ];
        for (line, want) in cases {
            assert_eq!(risk(line), want, "prisma {line}");
        }
    }

    #[test]
    fn db_execute_depends_on_its_sql() {
        let inv = Invocation::parse(&["db".into(), "execute".into(), "--file".into(), "x.sql".into()]);
        assert_eq!(inv.file.as_deref(), Some("x.sql"));
        let opts = Options::default();
        assert_eq!(classify(&inv, Some(Ok("CREATE TABLE a (id int);")), opts).label(), "schema-change");
        let r = classify(&inv, Some(Ok("SELECT 1;\nDROP TABLE \"User\";")), opts);
        assert_eq!(r.label(), "destructive");
        assert!(r.to_string().contains("line 2: DROP TABLE \"User\""), "{r}");
        assert_eq!(classify(&inv, Some(Err("no such file".into())), opts).label(), "destructive");
    }

    #[test]
    fn global_flags_are_captured_in_any_position() {
        let args: Vec<String> = ["--url=postgresql://x", "db", "push", "--schema", "s.prisma", "--config", "c.ts"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let inv = Invocation::parse(&args);
        assert_eq!(inv.words, vec!["db", "push"]);
        assert_eq!(inv.url.as_deref(), Some("postgresql://x"));
        assert_eq!(inv.schema.as_deref(), Some("s.prisma"));
        assert_eq!(inv.config.as_deref(), Some("c.ts"));
        assert_eq!(inv.args, args);
    }

    #[test]
    fn seed_can_be_configured_safe() {
        let inv = Invocation::parse(&["db".into(), "seed".into()]);
        assert_eq!(classify(&inv, None, Options { seed_is_safe: true }), Risk::Safe);
    }
}
