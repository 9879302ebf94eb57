//! The fast path: a line with none of the words that could lead to prisma, a database, its
//! files, its backups or a guard is allowed without parsing. This is what most agent
//! commands are (`ls`, `cargo test`, `git status`), and what keeps the hook's decision within
//! its budget.

/// Words that send a line down the full path. Without any of them, a line can neither run
/// prisma (directly or through a script runner) nor touch prisma-guard's hooks.
const TRIGGERS: &[&str] = &[
    "prisma",
    "npm",
    "pnpm",
    "yarn",
    "bun",
    "npx",
    "hooks",
    ".claude",
    ".cursor",
    ".codex",
    ".gemini",
    ".husky",
    "lefthook",
    "no-verify",
    "claudecode",
    "git",
    // Recipe runners (make, just, task, mise): what they run is read from their files.
    "make",
    "just",
    "task",
    "mise",
    "eval",
    "source",
    // Script runners, shells and script files: what they run is read from disk.
    "run-s",
    "run-p",
    "turbo",
    "run-all",
    "concurrently",
    ".sh",
    "./",
    "bash",
    "zsh",
    "cd ",
    // Hook managers' switches and files.
    "pre-commit",
    "skip",
    "hook",
    ".config",
    "node_modules",
    // JavaScript run from a file: what it spawns is read from the file.
    "node",
    "tsx",
    // Interpreters given inline code, which may name a protected file.
    "python",
    "perl",
    "ruby",
    // Copy tools that write a folder.
    "rsync",
    "rm ",
    "backup",
    "-delete",
    "ignore-scripts",
    "pre_commit",
    "uninstall",
    "alias.",
    "--run",
    // Writers that name no file as plain writers do: patches, archives, in-place awk.
    "patch",
    "sponge",
    "inplace",
    "tar ",
    "unzip",
    // Database clients (see `clients::CLIENTS`) and their files.
    "psql",
    "pgcli",
    "mysql",
    "mariadb",
    "mycli",
    "sqlite",
    "litecli",
    "mongo",
    "dropdb",
    "supabase",
    "pg_restore",
    "wrangler",
    "turso",
    "usql",
    "duckdb",
    // Other migration tools (also every name in `tools::names()`) and the tripwire's key
    // folder.
    "drizzle",
    "dbmate",
    "atlas",
    "flyway",
    "liquibase",
    "sequelize",
    "typeorm",
    "knex",
    "mikro-orm",
    "tripwire",
    ".db",
    // Writers that can remove or overwrite the database file.
    "mv ",
    "cp ",
    "truncate",
    "shred",
    "unlink",
    "dd ",
    "tee ",
    "install ",
    "ln ",
    "trash",
    "rimraf",
    "del-cli",
    "wipe ",
    ">",
    // Containers, volumes, remote shells and wrappers that run another command.
    "docker",
    "podman",
    "nerdctl",
    "volume",
    "kubectl",
    "ssh",
    "heroku",
    "railway",
    "vercel",
    "fly",
    "varlock",
    "dotenv",
    "aws-vault",
    "chamber",
    "envchain",
    " -- ",
    // Monorepo task runners.
    "nx ",
    "lerna",
    // A PATH that finds project files first (`PATH=bin wipe`).
    "path=",
    // Procfile runners: what they run is read from the Procfile.
    "foreman",
    "honcho",
    "overmind",
    "hivemind",
    // Text decoded into a shell; names the line defines.
    "base64",
    "alias",
    "export",
    "ifs",
    "function",
    // Programs that run a command later or elsewhere, or feed it arguments.
    "tmux",
    "screen",
    "expect",
    "parallel",
    "xargs",
    "pwsh",
    "powershell",
    "deno",
    "dx ",
    "taskset",
    "chrt",
    // Removers of data folders and archivers that delete what they pack.
    "rmdir",
    "/var/lib",
    "homebrew/var",
    "zip",
    "7z",
    // Object stores holding the off-site backups.
    "aws",
    "rclone",
    "mc ",
    "mcli",
    "s3cmd",
    "s4cmd",
    "s5cmd",
    // More migration tools (`tools::TABLE`); the tripwire's setting and key folder.
    "migrate",
    "goose",
    "sqitch",
    "kysely",
    "pg_resetwal",
    "event_trigger",
    "superuser",
    ".local",
    "gsutil",
    "gcloud",
    "b2 ",
    // Issue 19, round 3: text tools and editors that run commands (`sed e`, `vi -c`,
    // `emacs --eval`), HTTP clients (a DELETE to the bucket), links and mounts, ultra.
    "sed",
    "vi ",
    "vim",
    "emacs",
    "curl",
    "wget",
    "http",
    "xh ",
    "mount",
    "link ",
    "ultra",
    // Issue 20, round 5: the point-in-time recovery engines' commands that delete or stop
    // their history (`pgbackrest` is caught by "backup").
    "litestream",
    // Issue 19, round 5: interpreters given their program on the input (a heredoc, a
    // here-string), SQL benchmark and script runners, more monorepo task runners.
    "<<",
    "php",
    "lua",
    "julia",
    "rscript",
    "osascript",
    "pgbench",
    "rush",
    "moon ",
    "lage",
    "cockroach",
    "sqlcmd",
];

/// Whether `line` can be allowed without parsing.
pub fn fast_allow(line: &str) -> bool {
    // Text the shell turns into other words (quotes, escapes, expansions, braces, globs) is
    // never judged by its spelling: `'rm' -rf data`, `r''m`, `\rm`, `{rm,-rf,data}`, `$X`.
    if line.contains(['\'', '"', '\\', '$', '`', '{', '}', '*', '?', '[']) {
        return false;
    }
    // Any blank separates words as a space does (`rm<TAB>-rf data`).
    let lower: String = line.chars().map(|c| if c.is_whitespace() { ' ' } else { c.to_ascii_lowercase() }).collect();
    // `sh file`, `. file`: a shell reading a file.
    // Any word naming a shell (also behind a wrapper or a keyword: `nice sh wipe`, `if true;
    // then sh wipe; fi`), `.` and `source`, or a command given by path.
    let runs_file = lower.split([';', '&', '|', '(', '\n']).any(|part| {
        let first = part.split_whitespace().next().unwrap_or("");
        first.contains('/')
            || part.split_whitespace().any(|w| {
                // ni's script runners (`nr db:reset`) name no other trigger word.
                matches!(w, "." | "at" | "batch" | "nr" | "nlx" | "na" | "nf")
                    || crate::shell::resolve::SHELLS.contains(&w)
            })
    });
    let has = |t: &str| memchr::memmem::find(lower.as_bytes(), t.as_bytes()).is_some();
    // The database clients and migration tools the judge knows, from their own lists (a name
    // added there is never skipped here).
    !runs_file
        && !TRIGGERS.iter().any(|t| has(t))
        && !super::clients::CLIENTS.iter().any(|t| has(t))
        && !super::tools::names().any(has)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17 review: `pg_resetxlog` was in the tools table but no trigger, so the fast
    /// path allowed it. Every client and tool the judge knows takes the full path.
    #[test]
    fn every_known_client_and_tool_takes_the_full_path() {
        let names = super::super::clients::CLIENTS.iter().copied().chain(super::super::tools::names());
        for name in names {
            assert!(!fast_allow(&format!("{name} -f pgdata2")), "{name}");
        }
        assert!(!fast_allow("pg_resetxlog -f pgdata2"));
        // The line is lower-cased before the search: the names must be too.
        assert!(super::super::tools::names().all(|n| n == n.to_ascii_lowercase()));
        assert!(super::super::clients::CLIENTS.iter().all(|n| *n == n.to_ascii_lowercase()));
    }

    /// Review of issue 19, round 2, findings 3 and 4: lines the fast path let through.
    #[test]
    fn a_path_of_project_folders_and_ni_runners_take_the_full_path() {
        for line in [
            "env PATH=bin wipe",
            "PATH=bin:/usr/bin wipe; git status",
            "nr db:reset",
            "volta run nr db:reset",
            "foreman start",
        ] {
            assert!(!fast_allow(line), "{line}");
        }
        for line in ["echo banana split", "ls -la", "cargo build"] {
            assert!(fast_allow(line), "{line}");
        }
    }
}
