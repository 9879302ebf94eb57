//! Configuration written now and run later by a command that is always allowed: git's keys
//! that name a program (`git config core.fsmonitor "rm -f dev.db"` runs at the next `git
//! status`; `core.editor`, `core.pager`, `diff.external`, `credential.helper "!..."`,
//! `merge.*.driver`, `filter.*.clean`, `gpg.program`, `alias.* "!..."` ...), given for one
//! command (`git -c core.editor=... commit`, `GIT_EDITOR=... git commit`) or stored; npm's
//! `script-shell` and `node-options` (every script runs with them); environment variables
//! that name a program or a file a shell or node reads first (`BASH_ENV`, `NODE_OPTIONS
//! --require`); and the files holding such settings (`.npmrc`, shell start-up files).
//!
//! What such a setting runs is judged as if it ran now; a program that is not there yet (it
//! could be written after the check) is refused, since it cannot be checked.

use crate::shell::{EnvChange, SimpleCommand};

/// A command line a setting makes another program run later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Later {
    /// The setting, as named in findings (`git config core.fsmonitor`).
    pub setting: String,
    /// The command line it runs.
    pub command: String,
}

/// Files whose settings make later commands run a program (for shell writes and agents'
/// file-editing tools): npm's and yarn's settings, shells' start-up files.
pub fn file(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    let last = p.rsplit('/').next().unwrap_or(p);
    match last {
        ".npmrc" | ".yarnrc" | ".yarnrc.yml" | ".pnpmfile.cjs" | ".pnpmfile.mjs" | "bunfig.toml" => {
            Some("package manager settings, which can name the shell or the code every script runs with")
        }
        ".bashrc" | ".bash_profile" | ".bash_login" | ".profile" | ".zshrc" | ".zshenv" | ".zprofile" | ".zlogin"
        | ".kshrc" | ".mkshrc" | ".cshrc" | ".tcshrc" => Some("a shell start-up file, run by every shell that starts"),
        "config.fish" if p.ends_with("fish/config.fish") => {
            Some("a shell start-up file, run by every shell that starts")
        }
        ".envrc" => Some("direnv's script, run by the shell on entering the folder"),
        ".psqlrc" | ".my.cnf" | ".mylogin.cnf" | ".mariadb.cnf" | ".sqliterc" | ".mongoshrc.js" | ".mongorc.js"
        | ".usqlrc" => Some("a database client's start-up file, whose SQL every session of the client runs first"),
        _ if last.starts_with(".psqlrc-") => {
            Some("a database client's start-up file, whose SQL every session of the client runs first")
        }
        _ => None,
    }
}

/// Whether git's configuration key `key` names a program git runs (or a file of settings that
/// may name one).
fn git_program_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let parts: Vec<&str> = key.split('.').collect();
    let (section, name) = match parts.as_slice() {
        [s, n] => (*s, *n),
        [s, .., n] => (*s, *n),
        _ => return false,
    };
    matches!(
        key.as_str(),
        "core.fsmonitor"
            | "core.editor"
            | "core.pager"
            | "core.sshcommand"
            | "core.askpass"
            | "core.gitproxy"
            | "diff.external"
            | "sequence.editor"
            | "gpg.program"
            | "interactive.difffilter"
            | "web.browser"
            | "uploadpack.packobjectshook"
            | "include.path"
            | "credential.helper"
            | "core.alternaterefscommand"
            | "init.templatedir"
    ) || matches!(
        (section, name),
        ("diff", "textconv" | "command")
            | ("difftool" | "mergetool", "cmd")
            | ("merge", "driver")
            | ("filter", "clean" | "smudge" | "process")
            | ("gpg", "program")
            | ("credential", "helper")
            | ("pager", _)
            | ("browser" | "man", "cmd" | "path")
            | ("includeif", "path")
            | ("alias", _)
            // Config-based hooks (git 2.36+), local remotes' programs, submodules' `!cmd`
            // updates, trailer commands, git send-email's commands.
            | ("hook", "command")
            | ("remote", "uploadpack" | "receivepack")
            | ("submodule", "update")
            | ("trailer", "command" | "cmd")
            | ("gpg", "defaultkeycommand")
    ) || (section == "sendemail" && name.ends_with("cmd"))
}

/// The command line git runs for `key` set to `value`, when it runs one.
fn git_value_command(key: &str, value: &str) -> Option<String> {
    let k = key.to_ascii_lowercase();
    let v = value.trim();
    if v.is_empty()
        || matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "0" | "1")
    {
        return None;
    }
    if k.starts_with("alias.") || k.starts_with("submodule.") {
        return v.strip_prefix('!').map(|s| s.trim().to_string());
    }
    if k.starts_with("credential.") {
        // `store`, `cache --timeout=1`, `osxkeychain`: git's own `git credential-NAME`.
        return match v.strip_prefix('!') {
            Some(s) => Some(s.trim().to_string()),
            None if v.contains('/') => Some(v.to_string()),
            None => None,
        };
    }
    if k == "include.path" || k.starts_with("includeif.") || k == "init.templatedir" {
        // Another configuration file: any of the keys above may be in it.
        return Some(format!("{INCLUDE} {}", crate::shell::quote(v)));
    }
    Some(v.strip_prefix('!').unwrap_or(v).to_string())
}

/// The command a setting that includes another configuration file stands for: what that file
/// makes git run is not read here.
pub const INCLUDE: &str = "git-config-include";

/// Why the command `later` stands for cannot be checked, if it cannot: a value only known when
/// the line runs, another configuration file.
pub fn unknowable(later: &Later) -> Option<String> {
    if later.command.starts_with(INCLUDE) {
        return Some(
            "it names another configuration file or template folder, whose settings and hooks are not checked".into(),
        );
    }
    if later.command.contains(['$', '`']) || later.command.contains(crate::shell::parse::SUBSTITUTED) {
        return Some("the value is only known when the line runs".into());
    }
    None
}

/// Environment variables that name a program another one runs.
const PROGRAM_VARIABLES: &[&str] = &[
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PAGER",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_EXTERNAL_DIFF",
    "GIT_PROXY_COMMAND",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "MANPAGER",
    "PROMPT_COMMAND",
    "NPM_CONFIG_SCRIPT_SHELL",
    "npm_config_script_shell",
];

/// The commands settings on `cmd` (run with `env` on the way) make other programs run later.
pub fn commands(cmd: &SimpleCommand, env: &[EnvChange]) -> Vec<Later> {
    let mut out = Vec::new();
    let argv = &cmd.argv;
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    // Variables set for the command, or exported.
    let exported: Vec<(String, String)> = match name {
        "export" | "declare" | "typeset" | "readonly" => {
            argv[1..].iter().filter_map(|a| a.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))).collect()
        }
        _ => Vec::new(),
    };
    let set = env.iter().filter_map(|e| match e {
        EnvChange::Set(k, v) => Some((k.clone(), v.clone())),
        _ => None,
    });
    let vars: Vec<(String, String)> = set.chain(exported).collect();
    for (k, v) in &vars {
        if PROGRAM_VARIABLES.contains(&k.as_str()) && !v.is_empty() {
            out.push(Later { setting: k.clone(), command: v.clone() });
        }
        // A file every shell (`BASH_ENV`, `ENV`) or node process (`--require`) reads first.
        // A start-up file of SQL every psql, or an option folder every mysql, reads first.
        if k == "PSQLRC" && !v.is_empty() {
            out.push(Later { setting: k.clone(), command: format!("psql -f {}", crate::shell::quote(v)) });
        }
        if k == "MYSQL_HOME" && !v.is_empty() {
            let file = crate::shell::quote(&format!("{}/my.cnf", v.trim_end_matches('/')));
            out.push(Later {
                setting: k.clone(),
                command: format!("mysql --defaults-extra-file={file} -e 'SELECT 1'"),
            });
        }
        if matches!(k.as_str(), "BASH_ENV" | "ENV") && !v.is_empty() {
            out.push(Later { setting: k.clone(), command: format!("sh {}", crate::shell::quote(v)) });
        }
        if k.eq_ignore_ascii_case("NODE_OPTIONS") || k.eq_ignore_ascii_case("npm_config_node_options") {
            out.extend(node_preloads(v).into_iter().map(|f| Later { setting: k.clone(), command: f }));
        }
        // `GIT_CONFIG_KEY_0=core.editor GIT_CONFIG_VALUE_0=...`.
        if let Some(n) = k.strip_prefix("GIT_CONFIG_KEY_") {
            let value = vars.iter().find(|(vk, _)| vk.strip_prefix("GIT_CONFIG_VALUE_") == Some(n));
            if let (true, Some((_, value))) = (git_program_key(v), value) {
                out.extend(
                    git_value_command(v, value).map(|c| Later { setting: format!("git config {v}"), command: c }),
                );
            }
        }
    }
    match name {
        "git" => out.extend(git(argv)),
        "npm" | "pnpm" | "yarn" | "bun" => out.extend(package_manager_config(argv)),
        _ => {}
    }
    out
}

/// `node --require F`, `-r F`, `--import F`, `--loader F` in NODE_OPTIONS: `node F`.
fn node_preloads(options: &str) -> Vec<String> {
    let words: Vec<&str> = options.split_whitespace().collect();
    let mut out = Vec::new();
    for (k, w) in words.iter().enumerate() {
        let flags = ["--require", "-r", "--import", "--loader", "--experimental-loader"];
        let file = match w.split_once('=') {
            Some((f, v)) if flags.contains(&f) => Some(v),
            _ if flags.contains(w) => words.get(k + 1).copied(),
            _ => None,
        };
        out.extend(file.map(|f| format!("node {}", crate::shell::quote(f))));
    }
    out
}

/// `git -c KEY=VALUE ...`, `git config [scope] KEY VALUE`, `git config set KEY VALUE`.
fn git(argv: &[String]) -> Vec<Later> {
    let mut out = Vec::new();
    let sub = crate::shell::resolve::git_subcommand_index(argv);
    let globals = &argv[1..sub.unwrap_or(argv.len())];
    for (k, a) in globals.iter().enumerate() {
        if a == "-c" {
            if let Some((key, value)) = globals.get(k + 1).and_then(|kv| kv.split_once('=')) {
                if git_program_key(key) {
                    out.extend(
                        git_value_command(key, value).map(|c| Later { setting: format!("git -c {key}"), command: c }),
                    );
                }
            }
        }
    }
    let Some(i) = sub.filter(|&i| argv[i] == "config") else { return out };
    let args = &argv[i + 1..];
    const SCOPE_VALUES: &[&str] = &["--file", "-f", "--blob", "--type", "--default", "--comment", "--value"];
    let mut words: Vec<&String> = Vec::new();
    let mut reads = false;
    let mut k = 0;
    while let Some(a) = args.get(k) {
        if SCOPE_VALUES.contains(&a.as_str()) {
            k += 2;
            continue;
        }
        if a.starts_with('-') {
            reads |= a.starts_with("--get")
                || a.starts_with("--unset")
                || matches!(a.as_str(), "-l" | "--list" | "-e" | "--edit" | "--remove-section" | "--rename-section");
        } else {
            words.push(a);
        }
        k += 1;
    }
    let words: &[&String] = match words.first().map(|w| w.as_str()) {
        Some("set") => &words[1..],
        Some("get" | "unset" | "list" | "edit" | "rename-section" | "remove-section") => return out,
        _ => &words[..],
    };
    if reads {
        return out;
    }
    if let [key, value, ..] = words {
        if git_program_key(key) {
            out.extend(
                git_value_command(key, value).map(|c| Later { setting: format!("git config {key}"), command: c }),
            );
        }
    }
    out
}

/// npm's keys that name a program or the code every script runs with.
const NPM_PROGRAM_KEYS: &[&str] =
    &["script-shell", "shell", "node-options", "git", "editor", "browser", "viewer", "onload-script"];

/// `npm config set KEY VALUE` (`npm set`, `KEY=VALUE`, pnpm's and yarn's `config set`), and
/// the same keys given as options for one command (`npm test --script-shell ./x`).
fn package_manager_config(argv: &[String]) -> Vec<Later> {
    let runner = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
    let mut flags = Vec::new();
    for (k, a) in argv.iter().enumerate().skip(1) {
        if a == "--" {
            break;
        }
        let (flag, value) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (a.as_str(), argv.get(k + 1).cloned()),
        };
        let Some(value) = value else { continue };
        match flag {
            "--script-shell" if !is_plain_shell(&value) => {
                flags.push(Later { setting: format!("{runner} {flag}"), command: value })
            }
            "--node-options" => flags.extend(
                node_preloads(&value).into_iter().map(|c| Later { setting: format!("{runner} {flag}"), command: c }),
            ),
            _ => {}
        }
    }
    if !flags.is_empty() {
        return flags;
    }
    let words: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let at_set = match words.as_slice() {
        [c, s, ..] if c.as_str() == "config" && s.as_str() == "set" => 1,
        [s, ..] if s.as_str() == "set" => 0,
        _ => return Vec::new(),
    };
    // After `set`: options (`-g`, `--location user`) up to the key; then keys and values,
    // a value as written (`--import ./x.mjs` is one).
    let k = argv.iter().position(|a| std::ptr::eq(a, words[at_set])).unwrap_or(argv.len());
    let mut i = k + 1;
    while argv.get(i).is_some_and(|a| a.starts_with('-')) {
        i += if matches!(argv[i].as_str(), "--location" | "-L") { 2 } else { 1 };
    }
    let rest: Vec<&String> = argv.get(i..).unwrap_or(&[]).iter().collect();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut k = 0;
    while let Some(w) = rest.get(k) {
        match w.split_once('=') {
            Some((key, value)) => pairs.push((key.to_string(), value.to_string())),
            None => {
                if let Some(value) = rest.get(k + 1) {
                    pairs.push((w.to_string(), value.to_string()));
                }
                k += 1;
            }
        }
        k += 1;
    }
    let mut out = Vec::new();
    for (key, value) in pairs {
        let bare = key.trim_start_matches("npm_config_").to_ascii_lowercase().replace('_', "-");
        // yarn berry's `yarnPath`, `injectEnvironmentFiles` are files run or read by it.
        if !NPM_PROGRAM_KEYS.contains(&bare.as_str()) && bare != "yarnpath" {
            continue;
        }
        let setting = format!("{} config {key}", argv[0].rsplit('/').next().unwrap_or(&argv[0]));
        if bare == "node-options" {
            out.extend(node_preloads(&value).into_iter().map(|c| Later { setting: setting.clone(), command: c }));
        } else if bare == "yarnpath" {
            out.push(Later { setting, command: format!("node {}", crate::shell::quote(&value)) });
        } else if !(matches!(bare.as_str(), "script-shell" | "shell") && is_plain_shell(&value)) {
            out.push(Later { setting, command: value });
        }
    }
    out
}

/// A shell by name or path, with nothing else (`bash`, `/bin/zsh`): what npm runs scripts with
/// anyway.
fn is_plain_shell(value: &str) -> bool {
    let v = value.trim();
    !v.contains(char::is_whitespace) && crate::shell::resolve::SHELLS.contains(&v.rsplit('/').next().unwrap_or(v))
}

/// The file a setting's command runs that is not there (relative to `cwd`): it could be
/// written after this check and run unchecked.
pub fn missing_program(command: &str, cwd: &std::path::Path) -> Option<String> {
    let cmds = crate::shell::parse(command).ok()?;
    let argv = &cmds.first()?.argv;
    let first = argv.first()?;
    let name = first.rsplit('/').next().unwrap_or(first);
    let file = if crate::shell::resolve::SHELLS.contains(&name) || matches!(name, "node" | "source" | ".") {
        argv[1..].iter().find(|a| !a.starts_with('-'))?
    } else {
        first
    };
    if !(file.contains('/') || argv.len() > 1 && file != first) || file.starts_with('$') {
        return None;
    }
    // `node dotenv/config`, `--import tsx`: a package, found in node_modules.
    if name == "node" && !file.starts_with(['.', '/']) {
        return None;
    }
    let path = if file.starts_with('/') { std::path::PathBuf::from(file) } else { cwd.join(file) };
    (!path.exists()).then(|| file.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn later(line: &str) -> Vec<String> {
        let cmd = crate::shell::parse(line).unwrap_or_default().remove(0);
        let r = crate::shell::resolve(&cmd);
        commands(&cmd, &r.env).into_iter().map(|l| l.command).collect()
    }

    #[test]
    fn settings_that_run_a_program_later() {
        for (line, runs) in [
            ("git config core.fsmonitor 'rm -f dev.db'", "rm -f dev.db"),
            ("git config --global core.pager ./wipe", "./wipe"),
            ("git config credential.helper '!rm -f dev.db'", "rm -f dev.db"),
            ("git config merge.x.driver 'sh wipe'", "sh wipe"),
            ("git config filter.x.clean 'sh wipe'", "sh wipe"),
            ("git config diff.x.textconv ./wipe", "./wipe"),
            ("git config alias.st '!sh wipe'", "sh wipe"),
            ("git config set core.editor ./wipe", "./wipe"),
            ("git -c core.editor='sh wipe' commit", "sh wipe"),
            ("git -c diff.external=./wipe diff", "./wipe"),
            ("GIT_EDITOR='sh wipe' git commit", "sh wipe"),
            ("BASH_ENV=wipe bash -c true", "sh wipe"),
            ("NODE_OPTIONS='--require ./x.js' npm test", "node ./x.js"),
            ("npm config set script-shell ./wipe", "./wipe"),
            ("npm set script-shell=./wipe", "./wipe"),
            ("pnpm config set node-options '--import ./x.mjs'", "node ./x.mjs"),
            ("git config hook.wipe.command 'rm -f dev.db'", "rm -f dev.db"),
            ("git config remote.origin.uploadpack 'sh wipe'", "sh wipe"),
            ("git config submodule.x.update '!sh wipe'", "sh wipe"),
            ("git config sendemail.tocmd ./wipe", "./wipe"),
            ("npm test --script-shell ./wipe", "./wipe"),
            ("npm run build --script-shell=./wipe", "./wipe"),
        ] {
            assert_eq!(later(line), vec![runs.to_string()], "{line}");
        }
        for line in [
            "git config core.fsmonitor true",
            "git config credential.helper store",
            "git config --get core.editor",
            "git config --unset core.pager",
            "git config user.name me",
            "git config alias.st status",
            "git config submodule.x.update rebase",
            "git config remote.origin.url git@example.com:x.git",
            "npm config set registry https://r.example",
            "npm config get script-shell",
        ] {
            assert!(later(line).is_empty(), "{line}");
        }
    }

    #[test]
    fn values_only_known_when_the_line_runs_and_includes_cannot_be_checked() {
        for line in
            ["git config core.editor \"$(echo x)\"", "git config core.pager \"$P\"", "git config include.path /tmp/x"]
        {
            let cmds = crate::shell::parse(line).unwrap_or_default();
            let found: Vec<Later> = cmds.iter().flat_map(|c| commands(c, &[])).collect();
            assert!(found.iter().any(|l| unknowable(l).is_some()), "{line}: {found:?}");
        }
        assert!(later("npm test --script-shell=bash").is_empty());
        assert!(later("npm config set script-shell /bin/zsh").is_empty());
    }

    #[test]
    fn files_that_name_what_later_commands_run() {
        for p in [
            ".npmrc",
            "/home/u/.npmrc",
            "~/.bashrc",
            ".zshrc",
            "/home/u/.config/fish/config.fish",
            ".yarnrc.yml",
            ".envrc",
        ] {
            assert!(file(p).is_some(), "{p}");
        }
        for p in ["npmrc.md", "src/profile.ts", "config.fish.bak", ".bashrc.d/x/"] {
            assert!(file(p).is_none(), "{p}");
        }
    }
}
