//! Programs not otherwise known: a command among their words (`tool --opt x npx prisma
//! ...`, `--exec=rm ...`) or at the start of a string they are given (`pm2 start "npx prisma
//! ..."`, `hyperfine '...'`, `awk 'BEGIN{system("...")}'`, `vim -es '+!...'`, `gdb -ex 'shell
//! ...'`, their input) is judged as if it ran, since it may; programs whose arguments are
//! text or names (`echo`, `git commit -m`, `apt install psql`) are not read so. Also: a
//! command found in a project folder the line puts on PATH (`PATH=bin wipe`).

use super::launchers::{words, LAUNCHERS, SPECIAL};
use super::quote;
use super::resolve::is_prisma_word;
use super::wrappers::Inner;

/// Commands a line can be about: a word among a program's arguments, or a string it is given,
/// that starts with one of these is read as a command that program may run.
const COMMANDS: &[&str] = &[
    "prisma",
    "prisma-guard",
    "npx",
    "pnpx",
    "bunx",
    "npm",
    "pnpm",
    "yarn",
    "bun",
    "deno",
    "node",
    "tsx",
    "ts-node",
    "corepack",
    "rm",
    "rmdir",
    "unlink",
    "shred",
    "truncate",
    "mv",
    "cp",
    "dd",
    "srm",
    "find",
    "xargs",
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "fish",
    "eval",
    "exec",
    "env",
    "sudo",
    "doas",
    "psql",
    "pgcli",
    "mysql",
    "mariadb",
    "mycli",
    "sqlite3",
    "litecli",
    "mongo",
    "mongosh",
    "dropdb",
    "mysqladmin",
    "supabase",
    "turso",
    "wrangler",
    "docker",
    "docker-compose",
    "podman",
    "kubectl",
    "make",
    "gmake",
    "just",
    "task",
    "mise",
    "turbo",
    "nx",
    "lerna",
    "git",
    "drizzle-kit",
    "knex",
    "sequelize",
    "typeorm",
    "dbmate",
    "atlas",
    "flyway",
    "liquibase",
    "aws",
    "rclone",
    "s3cmd",
    "gsutil",
    "mc",
];

/// Programs whose arguments are text, names or patterns, never a command they run (or whose
/// commands are judged on their own).
const TEXT_ARGUMENTS: &[&str] = &[
    "echo",
    "printf",
    "git",
    "gh",
    "glab",
    "hub",
    "tea",
    "curl",
    "wget",
    "http",
    "https",
    "xh",
    "notify-send",
    "say",
    "logger",
    "wall",
    "mail",
    "mailx",
    "sendmail",
    "man",
    "tldr",
    "info",
    "apropos",
    "whatis",
    "which",
    "whereis",
    "type",
    "help",
    "test",
    "[",
    "[[",
    "true",
    "false",
    ":",
    "export",
    "declare",
    "local",
    "readonly",
    "typeset",
    "set",
    "unset",
    "alias",
    "read",
    "mapfile",
    "readarray",
    "printenv",
    "code",
    "cursor",
    "subl",
    "open",
    "xdg-open",
    "touch",
    "mkdir",
    "ls",
    "tree",
    "stat",
    "file",
    "du",
    "df",
    "realpath",
    "basename",
    "dirname",
    "readlink",
    "pwd",
    "date",
    "sleep",
    "cowsay",
    "figlet",
    "jq",
    "yq",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ack",
    "sed",
    "sort",
    "uniq",
    "wc",
    "cut",
    "tr",
    "column",
    "diff",
    "cmp",
    "comm",
    "head",
    "tail",
    "cat",
    "tac",
    "less",
    "more",
    "bat",
    "tee",
    "base64",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "xxd",
    "od",
    "hexdump",
    "strings",
    "pbcopy",
    "xclip",
    "xsel",
    "wl-copy",
    "prettier",
    "eslint",
    "tsc",
    "jest",
    "vitest",
    "mocha",
    "playwright",
    "cypress",
    "cargo",
    "rustc",
    "go",
    "kill",
    "pkill",
    "killall",
    "ps",
    "pgrep",
    "chmod",
    "chown",
    "ln",
    "install",
    "tar",
    "zip",
    "unzip",
    "gzip",
    "gunzip",
    "ssh",
    "scp",
    "sftp",
    "rsync",
    "history",
    "fc",
    "command",
    "builtin",
    "hash",
    "getopt",
    "getopts",
    "shift",
    "return",
    "exit",
    "break",
    "continue",
    "wait",
    "trap",
    "let",
    "expr",
    "bc",
    "seq",
    "yes",
    "nl",
    "fold",
    "fmt",
    "paste",
    "join",
    "split",
    "csplit",
    "iconv",
    "envsubst",
    "gettext",
    "column",
    // Shell builtins about names, jobs and completion.
    "complete",
    "compgen",
    "bind",
    "disown",
    "jobs",
    "fg",
    "bg",
    "ulimit",
    "umask",
    "shopt",
    "dirs",
    "popd",
    "pushd",
    "cd",
    "times",
    "enable",
    "caller",
    // Package installers: their arguments are package names (`apt install psql mysql`).
    "apt",
    "apt-get",
    "aptitude",
    "apt-cache",
    "dpkg",
    "brew",
    "port",
    "pip",
    "pip3",
    "pipx",
    "gem",
    "choco",
    "winget",
    "scoop",
    "snap",
    "dnf",
    "yum",
    "apk",
    "pacman",
    "yay",
    "zypper",
    "emerge",
    "nix-env",
    "nix-channel",
    "pkg",
    "cpan",
    "cpanm",
    "composer",
    "luarocks",
    "opam",
    "stack",
    "cabal",
    "dotnet",
    "nuget",
    "sdk",
    "rustup",
    // Process and file lookups by name.
    "lsof",
    "fuser",
    "pidof",
    "top",
    "htop",
    "pstree",
    "journalctl",
    "systemctl",
    "service",
    "launchctl",
];

/// For a program not otherwise known: the commands among its words or in the strings it is
/// given (and its input), as a script; the command its words run, when that is all.
pub(super) fn unknown(name: &str, argv: &[String], input: Option<&str>) -> Option<Inner> {
    // Text tools, the commands themselves (judged as they are), and launchers not launching
    // (`conda install psql`, `volta install node`).
    if TEXT_ARGUMENTS.contains(&name)
        || known_command(name)
        || is_prisma_word(name)
        || LAUNCHERS.iter().any(|(n, ..)| *n == name)
        || SPECIAL.contains(&name)
    {
        return None;
    }
    // A command word alone at the end (`lsof -c psql`) names something; it runs nothing.
    let head = argv.iter().skip(1).position(|a| is_command_word(a)).map(|k| k + 1).filter(|&k| k + 1 < argv.len());
    // `--exec=rm -f x`: an option whose value is a command word, the words after it its own.
    let in_option = argv.iter().enumerate().skip(1).find_map(|(k, a)| {
        let (flag, value) = a.split_once('=')?;
        (flag.starts_with('-') && is_command_word(value))
            .then(|| format!("{} {}", quote(value), words(&argv[k + 1..])).trim_end().to_string())
    });
    let mut pieces: Vec<String> = in_option.into_iter().collect();
    // Strings before the command its words run (`pm2 start "..."`); those after it are that
    // command's own arguments, judged with it (re-reading them alone loses their quoting).
    let strings = &argv[1..head.unwrap_or(argv.len())];
    pieces.extend(strings.iter().filter(|a| a.contains(char::is_whitespace)).flat_map(|a| commands_in(a)));
    pieces.extend(input.map(commands_in).unwrap_or_default());
    match (head, pieces.is_empty()) {
        (None, true) => None,
        (Some(k), true) => Some(Inner::Argv(k)),
        (head, false) => {
            if let Some(k) = head {
                pieces.insert(0, words(&argv[k..]));
            }
            Some(Inner::Script(pieces.join("\n")))
        }
    }
}

fn is_command_word(w: &str) -> bool {
    known_command(w) || is_prisma_word(w) || super::resolve::is_prisma_entry(w)
}

/// One of [`COMMANDS`], or a database client or migration tool the judge knows (from their
/// own lists: a name added there is read here too).
fn known_command(w: &str) -> bool {
    COMMANDS.contains(&w) || crate::judge::clients::CLIENTS.contains(&w) || crate::judge::tools::names().any(|n| n == w)
}

/// The command lines in `text` that start with one of [`COMMANDS`] at the start of a line, after
/// a blank or an opening quote, bracket or `!` (`system("rm ...")`, `+!npx ...`, `shell rm
/// ...`): each up to its closing quote, or to the end of the line. Only those that parse.
fn commands_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut from = 0;
        while let Some((start, opener)) = next_command(line, from) {
            let rest = &line[start..];
            let end = match opener {
                Some(q @ ('"' | '\'' | '`')) => rest.find(q).unwrap_or(rest.len()),
                _ => rest.len(),
            };
            let piece = rest[..end].trim();
            if crate::shell::parse(piece).is_ok_and(|c| !c.is_empty()) {
                out.push(piece.to_string());
            }
            from = start + end.max(1);
        }
    }
    out
}

/// Where the next command word in `line` at or after byte `from` starts, and the character
/// before it.
fn next_command(line: &str, from: usize) -> Option<(usize, Option<char>)> {
    let mut before: Option<char> = line[..from].chars().next_back();
    for (k, c) in line[from..].char_indices().map(|(k, c)| (k + from, c)) {
        // `EXEC:cmd` (socat), `--exec=cmd` as well.
        let starts = before.is_none_or(|b| b.is_whitespace() || "\"'`!({[;|&:=".contains(b));
        if starts && !c.is_whitespace() {
            let rest = &line[k..];
            let end = rest.find(char::is_whitespace);
            // A command word followed by its arguments: `rm -f x`, `./node_modules/.bin/prisma ...`.
            if let Some(end) = end.filter(|&e| is_command_word(&rest[..e])) {
                if rest[end..].trim_start().chars().next().is_some_and(|n| !matches!(n, '"' | '\'' | '`' | ')')) {
                    return Some((k, before));
                }
            }
        }
        before = Some(c);
    }
    None
}

/// Commands a program given by path (`./tool npx prisma ...`) runs among its words or in its
/// strings, as a script after the program itself.
pub(super) fn around_file(name: &str, argv: &[String], input: Option<&str>) -> Option<String> {
    let found = match unknown(name, argv, input)? {
        Inner::Argv(k) => words(&argv[k..]),
        Inner::Script(s) => s,
    };
    Some(format!("{}\n{found}", quote(&argv[0])))
}

/// The script `argv` runs when its command is a name found in a relative folder the line puts
/// on PATH (`PATH=bin:/usr/bin wipe`, `env PATH=.:$PATH wipe`): its path from where the line
/// runs.
pub(super) fn on_path(
    argv: &[String],
    env: &[super::EnvChange],
    dirs: &[String],
    scripts: &dyn super::Scripts,
) -> Option<String> {
    let name = argv.first().filter(|n| !n.contains('/') && !n.is_empty())?;
    let path = env.iter().rev().find_map(|e| match e {
        super::EnvChange::Set(k, v) if k == "PATH" => Some(v.as_str()),
        _ => None,
    })?;
    // The system's folders hold no project file; `$PWD/bin` is `./bin`.
    const SYSTEM: &[&str] = &["/usr/", "/bin", "/sbin", "/lib", "/opt/homebrew", "/nix/", "/snap/", "/etc/"];
    path.split(':')
        .map(|d| {
            ["$PWD", "${PWD}", "$(pwd)"]
                .iter()
                .find_map(|p| d.strip_prefix(p))
                .map_or(d.to_string(), |r| format!(".{r}"))
        })
        .filter(|d| !d.starts_with(['$', '~']) && !SYSTEM.iter().any(|s| d.starts_with(s)))
        .map(
            |d| {
                if d.is_empty() || d == "." {
                    format!("./{name}")
                } else {
                    format!("{}/{name}", d.trim_end_matches('/'))
                }
            },
        )
        .find(|p| scripts.file(dirs, p).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(line: &str) -> Option<String> {
        let cmd = crate::shell::parse(line).ok()?.remove(0);
        let name = cmd.argv[0].rsplit('/').next().unwrap_or(&cmd.argv[0]).to_string();
        match super::super::launchers::inner(&name, &cmd.argv)
            .or_else(|| unknown(&name, &cmd.argv, cmd.heredoc.as_deref()))?
        {
            Inner::Argv(k) => Some(cmd.argv[k..].join(" ")),
            Inner::Script(s) => Some(s),
        }
    }

    fn judged(line: &str) -> crate::judge::Verdict {
        crate::judge::check(line, std::path::Path::new("/nonexistent"), crate::guard::classify::Options::default())
            .verdict
    }

    /// A program given by path is read too; a path is a command word in a string.
    #[test]
    fn programs_by_path_and_commands_by_path() {
        let argv: Vec<String> = "./bin/tool npx prisma migrate reset --force".split(' ').map(String::from).collect();
        assert_eq!(around_file("tool", &argv, None).as_deref(), Some("./bin/tool\nnpx prisma migrate reset --force"));
        let argv: Vec<String> = vec!["./bin/tool".into(), "--verbose".into()];
        assert_eq!(around_file("tool", &argv, None), None);
        assert_eq!(
            runs("pm2 start './node_modules/.bin/prisma migrate reset --force'").as_deref(),
            Some("./node_modules/.bin/prisma migrate reset --force")
        );
        assert_eq!(judged("./bin/tool npx prisma migrate reset --force"), crate::judge::Verdict::Destructive);
    }

    #[test]
    fn text_and_launchers_without_a_command_run_nothing() {
        for line in [
            "echo npx prisma migrate reset --force",
            "git commit -m 'npx prisma migrate reset --force'",
            "gh pr create --body 'rm -f dev.db'",
            "strace -p 42",
            "vim prisma/schema.prisma",
            "pm2 logs",
            "nvm use 20",
            "some-tool --list",
            "blitz dev",
            "apt install -y psql mysql",
            "pip install pgcli",
            "lsof -c psql",
            "complete -F _psql psql",
            "conda install psql",
            "unknown-tool psql",
        ] {
            assert_eq!(runs(line), None, "{line}");
        }
    }
}
