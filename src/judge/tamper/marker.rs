//! Hiding the agent from the guards: removing or emptying the variables that mark an AI agent
//! (`env -u CLAUDECODE ...`, `CLAUDECODE= ...`) in front of any command, clearing the
//! environment (`env -i`) in front of prisma-guard, and running one of prisma-guard's commands
//! that ask a person to confirm in a terminal the agent controls (`script -qec "prisma-guard
//! restore latest" /dev/null`, `unbuffer`, `expect`), where it could type the answer itself.

use crate::shell::EnvChange;

/// prisma-guard's commands that only read or report: they ask nobody anything.
const READS: &[&str] = &[
    "check",
    "explain",
    "backups",
    "verify",
    "doctor",
    "backup",
    "restore-test",
    "status",
    "scan",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

/// Programs that give the command they run a terminal of their own, which the caller can type
/// into.
const TERMINALS: &[&str] =
    &["script", "unbuffer", "expect", "socat", "empty", "pty", "ptyrun", "faketty", "tmux", "screen", "zpty", "ssh"];

/// Why running `argv` (the command the wrappers run) with `env` on the way, through `via`,
/// hides the agent from prisma-guard or Prisma, if it does.
pub fn hides_agent(argv: &[String], env: &[EnvChange], via: &[String]) -> Option<String> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    let guard = name == "prisma-guard";
    for e in env {
        match e {
            EnvChange::Unset(k) if crate::agents::markers::is_marker(k) => {
                return Some(format!("unsets {k}, hiding the AI agent from prisma-guard's and Prisma's checks"));
            }
            EnvChange::Set(k, v) if v.is_empty() && crate::agents::markers::is_marker(k) => {
                return Some(format!("empties {k}, hiding the AI agent from prisma-guard's and Prisma's checks"));
            }
            EnvChange::Clear if guard => {
                return Some(
                    "clears the environment (env -i) in front of prisma-guard, hiding the AI agent from it".into(),
                );
            }
            _ => {}
        }
    }
    if !guard {
        return None;
    }
    let sub = argv[1..].iter().find(|a| !a.starts_with('-')).map(String::as_str).unwrap_or("");
    if READS.contains(&sub) {
        return None;
    }
    // A program's name, not a label of the walk (`script `postinstall``: a package script).
    let program = |w: &&String| {
        let mut words = w.split_whitespace();
        let first = words.next().unwrap_or("");
        TERMINALS.contains(&first) && !words.next().is_some_and(|second| second.starts_with('`'))
    };
    let terminal = via.iter().find(program)?;
    Some(format!(
        "runs `prisma-guard {sub}` in a terminal `{terminal}` gives the agent, where it could type the confirmation meant for a person"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review (issue 21, round 2, D2): the walk's label of a package script (`script
    /// `postinstall``) is no `script` program: `npm install` running init's postinstall
    /// (`prisma-guard shim install`) was refused as a terminal given to the agent.
    #[test]
    fn a_package_script_is_no_terminal_program() {
        let argv: Vec<String> = ["prisma-guard", "shim", "install", "--project"].map(String::from).to_vec();
        assert_eq!(hides_agent(&argv, &[], &["script `postinstall`".to_string()]), None);
        assert_eq!(hides_agent(&argv, &[], &["script `db:restore` of packages/db".to_string()]), None);
        assert!(hides_agent(&argv, &[], &["script".to_string()]).is_some());
        assert!(hides_agent(&argv, &[], &["script -qec".to_string()]).is_some());
    }

    fn why(line: &str) -> Option<String> {
        let mut out = None;
        crate::shell::visit(line, &crate::shell::NoScripts, &mut |v| {
            if out.is_none() {
                out = hides_agent(v.inner, v.env, v.via);
            }
        })
        .ok()?;
        out
    }

    /// Review of issue 19, round 2, finding 18.
    #[test]
    fn hiding_the_agent_or_faking_a_terminal_for_a_confirmation() {
        for line in [
            "env -u CLAUDECODE prisma-guard restore latest",
            "env -u CLAUDECODE script -qec 'prisma-guard restore latest' /dev/null",
            "script -qec 'prisma-guard restore latest' /dev/null",
            "unbuffer prisma-guard restore latest",
            "CLAUDECODE= npm test",
            "env -i PATH=/usr/bin prisma-guard restore latest",
            "env --unset=CODEX_SANDBOX ls",
        ] {
            assert!(why(line).is_some(), "{line}");
        }
        for line in [
            "prisma-guard restore latest",
            "script -qec 'prisma-guard status' /dev/null",
            "env -i PATH=/usr/bin ls",
            "env FOO=1 prisma-guard restore latest",
        ] {
            assert_eq!(why(line), None, "{line}");
        }
    }
}
