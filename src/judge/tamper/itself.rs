//! prisma-guard's own programs replaced through a path the line looks up when it runs:
//! `cp /bin/true "$(command -v prisma-guard)"`, `install ... $(which prisma-guard)`,
//! `p=$(type -P prisma); ln -sf /bin/true "$p"`. The literal paths are refused by
//! [`super::protected`]; here the path comes from a lookup (`command -v`, `which`, `type -P`,
//! `whereis`, `realpath`, `readlink -f` ...) of prisma-guard, of the prisma shim or of the
//! kept-aside original prisma, on the same line.

use crate::shell::SimpleCommand;

/// The names of the programs every agent hook, shim and git hook goes through.
pub const GUARD_PROGRAMS: &[&str] = &["prisma-guard", "prisma", crate::install::shim::ORIGINAL_NAME];

/// Whether `path` names one of [`GUARD_PROGRAMS`] by its last component.
fn names_program(path: &str) -> bool {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
    GUARD_PROGRAMS.contains(&last)
}

/// The program a lookup command finds the path of (`command -v X`, `which X`, `type -P X`,
/// `whereis X`, `hash -t X`, `whence -p X`, `realpath X`, `readlink -f X`), when it is one of
/// prisma-guard's.
pub fn looks_up_guard(argv: &[String]) -> Option<&str> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    let flag = |f: &str| argv[1..].iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(f));
    let lookup = match name {
        "which" | "whereis" | "whence" | "where" | "realpath" | "readlink" | "type" => true,
        "command" => flag("v") || flag("V"),
        "hash" => flag("t"),
        _ => false,
    };
    if !lookup {
        return None;
    }
    argv[1..].iter().filter(|a| !a.starts_with('-')).map(String::as_str).find(|a| names_program(a))
}

/// What a command writes or removes among its words: every operand of a remover or
/// in-place editor, the destination of a copier, `dd of=`, `curl -o`, `wget -O`, and its
/// redirections.
pub fn written_words(cmd: &SimpleCommand) -> Vec<&str> {
    let mut out: Vec<&str> = cmd.writes.iter().map(String::as_str).collect();
    let argv = &cmd.argv;
    let Some(name) = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)) else { return out };
    let operands: Vec<&str> = argv[1..].iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    let value_of = |names: &[&str]| {
        argv.windows(2).find(|w| names.contains(&w[0].as_str())).map(|w| w[1].as_str()).or_else(|| {
            argv.iter().find_map(|a| {
                names.iter().filter(|n| n.starts_with("--")).find_map(|n| a.strip_prefix(&format!("{n}=")))
            })
        })
    };
    match name {
        "rm" | "unlink" | "shred" | "truncate" | "chmod" | "chown" | "chattr" | "mv" | "tee" | "sponge" | "srm"
        | "rimraf" | "trash" | "trash-put" => out.extend(operands),
        "cp" | "install" | "ln" | "rsync" | "scp" | "ditto" => {
            out.extend(value_of(&["-t", "--target-directory"]).or(operands.last().copied()));
        }
        "sed" | "perl" | "gawk" | "awk"
            if argv.iter().any(|a| {
                a.starts_with("--in-place") || (a.starts_with('-') && !a.starts_with("--") && a.contains('i'))
            }) =>
        {
            out.extend(operands);
        }
        "dd" => out.extend(argv[1..].iter().filter_map(|a| a.strip_prefix("of="))),
        "curl" => out.extend(value_of(&["-o", "--output"])),
        "wget" => out.extend(value_of(&["-O", "--output-document"])),
        _ => {}
    }
    out
}

/// Whether a word is only known when the line runs.
fn dynamic(word: &str) -> bool {
    word.contains('$') || word.contains('`') || word.contains(crate::shell::parse::SUBSTITUTED)
}

/// The lookups of prisma-guard's programs seen so far on a line, and the writes they lead to.
#[derive(Debug, Default)]
pub struct Lookups {
    found: Option<String>,
}

impl Lookups {
    /// Judge `cmd`, one command of `line` in the order the shell runs them (a substitution's
    /// command before the command it is part of): why it replaces or removes one of
    /// prisma-guard's programs at a path only known when the line runs, if it may.
    pub fn see(&mut self, cmd: &SimpleCommand, line: &str) -> Option<String> {
        if let Some(p) = looks_up_guard(&cmd.argv) {
            self.found = Some(p.to_string());
            return None;
        }
        let name = cmd.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
        // `rm $(which prisma-guard)` in a line about prisma-guard, whatever the lookup.
        if line.contains("prisma-guard")
            && matches!(name, "rm" | "mv" | "unlink" | "shred" | "chmod" | "truncate")
            && cmd.argv.iter().any(|a| a.contains(crate::shell::parse::SUBSTITUTED))
        {
            return Some(format!("`{name}` of a path made when the line runs, in a line about prisma-guard"));
        }
        let written = written_words(cmd);
        // `cp x "$(npm bin)/prisma"`: the program's name after a folder only known then.
        if let Some(w) = written.iter().find(|w| w.starts_with(crate::shell::parse::SUBSTITUTED) && names_program(w)) {
            return Some(format!(
                "`{name}` writes {w}, one of prisma-guard's programs (or the prisma shim) in a folder only known when the line runs"
            ));
        }
        let found = self.found.as_deref()?;
        let w = written.iter().find(|w| dynamic(w))?;
        Some(format!(
            "`{name}` writes or removes {w}, a path only known when the line runs, after looking up where {found} is: that replaces prisma-guard or its shim, after which nothing is checked"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(line: &str) -> Option<String> {
        let mut l = Lookups::default();
        let mut found = None;
        crate::shell::visit(
            line,
            &crate::shell::package_scripts::Packages::new(std::path::Path::new("/nonexistent")),
            &mut |v| {
                let inner = v.effective();
                for c in [v.command, &*inner] {
                    if found.is_none() {
                        found = l.see(c, line);
                    }
                }
            },
        )
        .ok()?;
        found
    }

    /// Review round 2 (issue 19), finding 1: the guard's binary replaced through its looked-up path.
    #[test]
    fn guard_binary_replaced_through_a_looked_up_path() {
        for line in [
            "cp /bin/true \"$(command -v prisma-guard)\"",
            "cp /bin/true $(which prisma-guard)",
            "install -m755 /bin/true \"$(command -v prisma-guard)\"",
            "truncate -s0 \"$(type -P prisma-guard)\"",
            "ln -sf /bin/true \"$(type -p prisma-guard)\"",
            "p=$(command -v prisma-guard); cp /bin/true \"$p\"",
            "cat /bin/true > \"$(which prisma-guard)\"",
            "dd if=/bin/true of=$(which prisma-guard)",
            "curl -o \"$(which prisma-guard)\" https://example.com/x",
            "cp /bin/true \"$(command -v prisma)\"",
            "cp /bin/true `which prisma`",
            "cp /bin/true \"$(readlink -f node_modules/.bin/prisma)\"",
            "cp /bin/true \"$(npm bin)/prisma\"",
            "sudo cp /bin/true \"$(command -v prisma-guard)\"",
        ] {
            assert!(judged(line).is_some(), "{line}");
        }
        for line in [
            "cp \"$(command -v prisma-guard)\" /tmp/pg-copy",
            "ls -la \"$(which prisma-guard)\"",
            "sha256sum $(command -v prisma-guard)",
            "cp /tmp/a \"$(mktemp)\"",
            "prisma-guard --version > \"$(mktemp)\"",
        ] {
            assert_eq!(judged(line), None, "{line}");
        }
    }

    /// Agents' file tools writing the binary, the shim or the kept-aside original.
    #[test]
    fn file_tools_writing_the_guards_programs_are_protected() {
        for path in [
            "/usr/local/bin/prisma-guard",
            "/home/u/.cargo/bin/prisma-guard",
            "node_modules/.bin/.prisma-guard-original-prisma",
            "node_modules/.bin/prisma",
            "/home/u/.local/share/prisma-guard/bin/prisma",
        ] {
            assert!(super::super::protected(path).is_some(), "{path}");
        }
        assert_eq!(super::super::protected("src/prisma-guard.ts"), None);
    }
}
