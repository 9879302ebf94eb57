//! Text tools and editors that run commands or code they are given: GNU sed's `e` command
//! (`sed -n '1e rm dev.db'`) and `s///e` flag, its `w FILE` writes; vim's `-c`/`--cmd`/`+`
//! commands (`:call delete("dev.db")`, `:!rm dev.db`) and sourced files; emacs's `--eval`
//! (`(delete-file "dev.db")`), `-l`/`--load`/`--script` and `-f`.

use crate::shell::SimpleCommand;

/// What such a command runs or writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runs {
    /// Shell text, as written (judged as the line's own).
    Shell(String),
    /// Code or commands that cannot be checked, and why.
    Unknown(String),
    /// A file it writes.
    Writes(String),
    /// Commands made when it runs (awk's `system($0)`): refused wherever it runs.
    Made(String),
}

/// What `cmd` runs or writes besides the files it edits.
pub fn runs(cmd: &SimpleCommand) -> Vec<Runs> {
    let argv = &cmd.argv;
    let Some(name) = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)) else { return Vec::new() };
    match name {
        "sed" | "gsed" => sed_scripts(argv).iter().flat_map(|s| sed(s)).collect(),
        "vi" | "vim" | "nvim" | "ex" | "view" | "gvim" | "vimdiff" | "rvim" => vim(argv),
        "emacs" | "emacsclient" | "xemacs" => emacs(argv),
        "awk" | "gawk" | "mawk" | "nawk" | "busybox-awk" => awk(argv),
        _ => Vec::new(),
    }
}

/// awk's program starting commands: `system(CMD)`, `print | CMD`, `CMD | getline`. A plain
/// string literal is the command; anything else (`system($0)`, the input's lines) is made
/// when it runs.
fn awk(argv: &[String]) -> Vec<Runs> {
    let mut i = 1;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-')) {
        i += if matches!(a.as_str(), "-F" | "-v" | "-f" | "--file" | "--assign" | "--field-separator") { 2 } else { 1 };
    }
    if i >= argv.len() {
        return Vec::new();
    }
    if argv[1..i].iter().any(|a| a == "-f" || a.starts_with("--file")) {
        // `awk -f prog.awk`: the program's text is in a file.
        return vec![Runs::Made("`awk -f` runs a program file whose commands cannot be checked".into())];
    }
    let code = &argv[i];
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(k) = rest.find("system") {
        let after = rest[k + 6..].trim_start();
        rest = &rest[k + 6..];
        let Some(arg) = after.strip_prefix('(') else { continue };
        let arg = arg.trim_start();
        match arg.strip_prefix('"').and_then(|a| a.split_once('"')) {
            Some((cmd, tail)) if tail.trim_start().starts_with(')') && !cmd.contains('\\') => {
                out.push(Runs::Shell(cmd.to_string()));
            }
            _ => out.push(Runs::Made(format!("`awk` runs commands made when it runs (`system({})`)", first(arg)))),
        }
    }
    // Output piped to a command, or a command's output read (`print | "sh"`, `cmd | getline`).
    let piped = code.contains("| \"") || code.contains("|\"") || code.contains("|&") || code.contains("getline");
    if piped && code.contains('|') {
        out.push(Runs::Made("`awk` pipes text to or from a command".into()));
    }
    out
}

fn first(s: &str) -> String {
    s.chars().take_while(|c| *c != ')').take(40).collect()
}

/// The scripts of a sed command line: `-e`/`--expression` values, or the first operand.
fn sed_scripts(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut first = None;
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-e" | "--expression" => out.extend(argv.get(i + 1).cloned()),
            "-f" | "--file" | "-l" | "--line-length" => {}
            "--" => {
                if first.is_none() {
                    first = argv.get(i + 1).cloned();
                }
                break;
            }
            _ if a.starts_with("--expression=") => out.push(a["--expression=".len()..].to_string()),
            _ if a.starts_with("-e") && a.len() > 2 => out.push(a[2..].to_string()),
            _ if a.starts_with('-') => {
                i += 1;
                continue;
            }
            _ => {
                if first.is_none() {
                    first = Some(a.clone());
                }
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    if out.is_empty() {
        out.extend(first);
    }
    out
}

/// What one sed script runs (`e CMD`, `e`, `s/x/y/e`) or writes (`w FILE`, `s/x/y/w FILE`).
fn sed(script: &str) -> Vec<Runs> {
    let chars: Vec<char> = script.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let rest_of_line = |i: &mut usize| -> String {
        let start = *i;
        while *i < chars.len() && chars[*i] != '\n' {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>().trim().to_string()
    };
    // A delimited part (`/re/`, the parts of `s`), from the delimiter on; the index after it.
    let delimited = |mut i: usize, delim: char| -> usize {
        while i < chars.len() && chars[i] != delim {
            if chars[i] == '\\' {
                i += 1;
            }
            i += 1;
        }
        i + 1
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || matches!(c, ';' | '{' | '}' | '!' | ',' | '$' | '~' | '+') || c.is_ascii_digit() {
            i += 1;
            continue;
        }
        match c {
            '/' => i = delimited(i + 1, '/'),
            '\\' if i + 1 < chars.len() => i = delimited(i + 2, chars[i + 1]),
            'e' => {
                i += 1;
                let text = rest_of_line(&mut i);
                out.push(if text.is_empty() {
                    Runs::Unknown("sed's `e` command runs the text it reads as a command".into())
                } else {
                    Runs::Shell(text)
                });
            }
            'w' | 'W' => {
                i += 1;
                out.push(Runs::Writes(rest_of_line(&mut i)));
            }
            's' | 'y' if i + 1 < chars.len() => {
                let delim = chars[i + 1];
                i = delimited(i + 2, delim);
                i = delimited(i, delim);
                if c == 'y' {
                    continue;
                }
                // Flags: `g`, `p`, numbers, `i`, `m`, `e`, `w FILE`.
                while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                    match chars[i] {
                        'e' => out.push(Runs::Unknown("sed's `s///e` runs the text it makes as a command".into())),
                        'w' => {
                            i += 1;
                            out.push(Runs::Writes(rest_of_line(&mut i)));
                            break;
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            // Text and file names run to the end of the line; labels to a `;` as well.
            'a' | 'i' | 'c' | 'r' | 'R' => {
                i += 1;
                rest_of_line(&mut i);
            }
            'b' | 't' | 'T' | ':' => {
                while i < chars.len() && !matches!(chars[i], ';' | '\n') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Vim commands given on its command line that are harmless: options, quitting, moving.
fn harmless_vim(cmd: &str) -> bool {
    cmd.split('|').all(|part| {
        let part = part.trim().trim_start_matches(':').trim();
        let word: String = part.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let bang = part.contains('!');
        part.is_empty()
            || part.chars().all(|c| c.is_ascii_digit())
            || (matches!(
                word.as_str(),
                "set" | "se" | "setlocal" | "setl" | "syntax" | "sy" | "filetype" | "colorscheme" | "colo" | "noh"
            ) && !bang)
            || (matches!(word.as_str(), "q" | "qa" | "qall" | "quit" | "wq" | "x" | "xa" | "wqa" | "w" | "wa")
                && part.len() <= word.len() + 1)
            || part.starts_with('/')
    })
}

fn vim(argv: &[String]) -> Vec<Runs> {
    let mut out = Vec::new();
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        let cmd = match a.as_str() {
            "-c" | "--cmd" => {
                i += 1;
                argv.get(i).cloned()
            }
            "-S" | "-s" | "-u" => {
                i += 1;
                out.push(Runs::Unknown(format!("`{a}` makes vim run the commands of a file")));
                None
            }
            _ if a.starts_with('+') && a.len() > 1 => Some(a[1..].to_string()),
            _ => None,
        };
        // `+!CMD`: a shell command, judged as the line's own.
        let shell = cmd.as_deref().and_then(|c| c.trim_start().trim_start_matches(':').trim_start().strip_prefix('!'));
        if let Some(text) = shell.filter(|t| !t.contains('|')) {
            out.push(Runs::Shell(text.trim().to_string()));
        } else if let Some(cmd) = cmd.filter(|c| !harmless_vim(c)) {
            out.push(Runs::Unknown(format!("vim runs the command `{cmd}`, which may delete or write files")));
        }
        i += 1;
    }
    out
}

/// Emacs functions that are harmless as `-f`.
const EMACS_FUNCS: &[&str] = &[
    "batch-byte-compile",
    "batch-native-compile",
    "package-initialize",
    "toggle-debug-on-error",
    "ert-run-tests-batch-and-exit",
    "batch-update-autoloads",
];

fn emacs(argv: &[String]) -> Vec<Runs> {
    let mut out = Vec::new();
    for (i, a) in argv.iter().enumerate() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let value = || inline.clone().or_else(|| argv.get(i + 1).cloned()).unwrap_or_default();
        match flag {
            "--eval" | "-eval" | "--execute" | "-execute" => {
                let code = value();
                // `(shell-command "CMD")`: the command, judged as the line's own.
                let shell = ["(shell-command \"", "(async-shell-command \""]
                    .iter()
                    .find_map(|p| code.trim().strip_prefix(p))
                    .and_then(|r| r.strip_suffix("\")"))
                    .filter(|t| !t.contains(['"', '\\']));
                if let Some(text) = shell {
                    out.push(Runs::Shell(text.to_string()));
                } else if !harmless_elisp(&code) {
                    out.push(Runs::Unknown(format!("emacs evaluates `{code}`, which may delete or write files")));
                }
            }
            "-l" | "--load" | "-load" | "--script" | "-script" | "-x" => {
                out.push(Runs::Unknown(format!("`{flag}` makes emacs run the code of a file")));
            }
            "-f" | "--funcall" | "-funcall" if !EMACS_FUNCS.contains(&value().as_str()) => {
                out.push(Runs::Unknown(format!("emacs calls the function `{}`", value())));
            }
            _ => {}
        }
    }
    out
}

/// Elisp that only prints or sets variables: `(message "hi")`, `(setq x 1)`.
fn harmless_elisp(code: &str) -> bool {
    let lower = code.to_ascii_lowercase();
    let calls: Vec<&str> = lower
        .split('(')
        .skip(1)
        .map(|s| s.split(|c: char| c.is_whitespace() || c == ')').next().unwrap_or(""))
        .collect();
    calls
        .iter()
        .all(|c| matches!(*c, "message" | "princ" | "print" | "setq" | "format" | "emacs-version" | "" | "kill-emacs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(argv: &[&str]) -> SimpleCommand {
        SimpleCommand { argv: argv.iter().map(|s| s.to_string()).collect(), ..SimpleCommand::default() }
    }

    #[test]
    fn sed_commands_that_run_or_write() {
        assert_eq!(runs(&cmd(&["sed", "-n", "1e rm dev.db", "package.json"])), vec![Runs::Shell("rm dev.db".into())]);
        assert!(matches!(runs(&cmd(&["sed", "s/x/rm dev.db/e", "f"]))[..], [Runs::Unknown(_)]));
        assert_eq!(runs(&cmd(&["sed", "-e", "1w dev.db", "f"])), vec![Runs::Writes("dev.db".into())]);
        assert_eq!(runs(&cmd(&["sed", "s/a/b/w out.txt", "f"])), vec![Runs::Writes("out.txt".into())]);
        for harmless in [
            &["sed", "-n", "1p", "package.json"][..],
            &["sed", "-i", "s/foo/bar/g", "x.ts"],
            &["sed", "-E", "s/(e)/\\1/", "x"],
            &["sed", "/^export/d", "x"],
            &["sed", "-n", "/start/,/end/p", "x"],
            &["sed", "1i hello e world", "x"],
        ] {
            assert_eq!(runs(&cmd(harmless)), Vec::new(), "{harmless:?}");
        }
    }

    #[test]
    fn editors_that_run_code() {
        assert!(!runs(&cmd(&["vi", "-c", ":call delete(\"dev.db\")", "-c", "q"])).is_empty());
        assert!(!runs(&cmd(&["vim", "+!rm dev.db"])).is_empty());
        assert!(!runs(&cmd(&["emacs", "--batch", "--eval", "(delete-file \"dev.db\")"])).is_empty());
        assert!(runs(&cmd(&["vim", "-c", "set nu", "README.md"])).is_empty());
        assert!(runs(&cmd(&["vim", "+10", "-c", "wq", "README.md"])).is_empty());
        assert!(runs(&cmd(&["emacs", "--batch", "--eval", "(message \"hi\")"])).is_empty());
    }
}
