//! Interpreters that read their program from their input (`python3 - <<'EOF'`,
//! `node <<< "..."`, `echo ... | perl`, `node /dev/stdin`, `deno run -A -`): the program is
//! on the line, so it is judged as the same code given with `-c`/`-e` is. A program read
//! from a file (`python3 < x.py`) is judged as that file run as a script; one whose text the
//! line does not show is left for the judge to refuse ([`reads_program`]).

use super::SimpleCommand;

/// Programs that start the next word as a command (`sudo python3 -`), skipped to find the
/// interpreter.
const WRAPPERS: &[&str] = &["sudo", "env", "nice", "nohup", "time", "exec", "command", "doas", "stdbuf"];

/// Where an interpreter in `argv` reads its program from its input: the index of the
/// interpreter and of the word that names the input (`-`, `/dev/stdin`), or `None` for the
/// index when no word does (no script operand at all).
pub(crate) fn reads_program(argv: &[String]) -> Option<(usize, Option<usize>)> {
    let base = |a: &String| a.rsplit('/').next().unwrap_or(a).to_string();
    let k = argv.iter().position(|a| {
        let n = base(a);
        interpreter(&n).is_some() || !(WRAPPERS.contains(&n.as_str()) || a.starts_with('-') || a.contains('='))
    })?;
    let name = base(&argv[k]);
    let kind = interpreter(&name)?;
    let mut i = k + 1;
    // deno and bun run a program only through `run` (or `deno` alone: its REPL reads the input).
    if matches!(kind, Kind::Deno | Kind::Bun) {
        match argv.get(i).map(String::as_str) {
            Some("run") => i += 1,
            None if kind == Kind::Deno => return Some((k, None)),
            Some("-") => return Some((k, Some(i))),
            _ => return None,
        }
    }
    while let Some(a) = argv.get(i) {
        if stdin_name(a) {
            return Some((k, Some(i)));
        }
        if a == "--" {
            return match argv.get(i + 1) {
                Some(a) if stdin_name(a) => Some((k, Some(i + 1))),
                Some(_) => None,
                None => Some((k, None)),
            };
        }
        if !a.starts_with('-') {
            return None; // a script file or a module
        }
        // The program given another way: inline, a module, a REPL that reads no program.
        let inline = matches!(a.as_str(), "-c" | "-e" | "-E" | "-p" | "-r" | "-m" | "--eval" | "--print")
            || a.starts_with("--eval=")
            || a.starts_with("--print=")
            || (a.len() <= 4 && !a.starts_with("--") && (a.ends_with('c') || a.ends_with('e') || a.ends_with('m')));
        // Node's test runner and script runner find their own files (`node --test` is what
        // many `npm test` scripts run).
        let own_files = a.starts_with("--test") || a == "--run" || a.starts_with("--run=");
        if inline || own_files || matches!(a.as_str(), "--version" | "-V" | "--help" | "-h" | "-v") {
            return None;
        }
        // Options that take a value.
        if VALUED.contains(&a.as_str()) {
            i += 1;
        }
        i += 1;
    }
    Some((k, None))
}

const VALUED: &[&str] = &["-W", "-X", "-r", "--require", "--import", "--env-file", "-I", "-M", "-d", "--config", "-c"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Python,
    Other,
    Deno,
    Bun,
}

fn interpreter(name: &str) -> Option<Kind> {
    if name.starts_with("python") || name == "pypy" || name == "pypy3" {
        return Some(Kind::Python);
    }
    match name {
        "deno" => Some(Kind::Deno),
        "bun" => Some(Kind::Bun),
        "node" | "nodejs" | "ruby" | "perl" | "php" | "lua" | "luajit" | "tsx" | "ts-node" | "julia" | "Rscript"
        | "osascript" => Some(Kind::Other),
        _ => None,
    }
}

fn stdin_name(a: &str) -> bool {
    matches!(a, "-" | "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
}

/// `cmd` with a program read from its input written as the interpreter's inline code
/// (`python3 -c BODY`, `node -e BODY`, `deno eval BODY`), or as a script operand when the
/// input is a file; unchanged otherwise.
pub(crate) fn inline(cmd: SimpleCommand) -> SimpleCommand {
    let Some((k, at)) = reads_program(&cmd.argv) else { return cmd };
    let name = cmd.argv[k].rsplit('/').next().unwrap_or(&cmd.argv[k]).to_string();
    let program: Vec<String> = match (&cmd.heredoc, &cmd.input_file) {
        (Some(body), _) => {
            let flag = match interpreter(&name) {
                Some(Kind::Python) => "-c",
                Some(Kind::Deno) => "eval",
                _ => "-e",
            };
            vec![flag.to_string(), body.clone()]
        }
        (None, Some(file)) => vec![file.clone()],
        (None, None) => return cmd,
    };
    let mut argv: Vec<String> = cmd.argv[..=k].to_vec();
    if matches!(interpreter(&name), Some(Kind::Deno)) && program[0] == "eval" {
        argv.extend(program);
    } else {
        let rest = &cmd.argv[k + 1..];
        match at {
            Some(j) => {
                argv.extend(cmd.argv[k + 1..j].iter().filter(|a| *a != "run" || name != "bun").cloned());
                argv.extend(program);
                argv.extend(cmd.argv[j + 1..].iter().cloned());
            }
            None => {
                argv.extend(rest.iter().filter(|a| *a != "--").cloned());
                argv.extend(program);
            }
        }
    }
    SimpleCommand { argv, ..cmd }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        inline(crate::shell::parse(line).unwrap().pop().unwrap()).argv
    }

    #[test]
    fn programs_on_the_input_become_inline_code() {
        assert_eq!(argv("python3 - <<'E'\nimport os\nE"), ["python3", "-c", "import os\n"]);
        assert_eq!(argv("python3 <<< 'print(1)'"), ["python3", "-c", "print(1)\n"]);
        assert_eq!(argv("echo 'x()' | node"), ["node", "-e", "x()\n"]);
        assert_eq!(argv("node /dev/stdin <<< 'x()'"), ["node", "-e", "x()\n"]);
        assert_eq!(argv("perl <<< 'unlink 1'"), ["perl", "-e", "unlink 1\n"]);
        assert_eq!(argv("deno run -A - <<< 'x()'"), ["deno", "eval", "x()\n"]);
        assert_eq!(argv("bun run - <<< 'x()'"), ["bun", "-e", "x()\n"]);
        assert_eq!(argv("sudo python3 <<< 'x'"), ["sudo", "python3", "-c", "x\n"]);
        assert_eq!(argv("python3 < t.py"), ["python3", "t.py"]);
        for same in [
            "python3 script.py",
            "python3 -c 'print(1)' <<< 'x'",
            "python3 -m json.tool <<< '{}'",
            "node x.js",
            "node --test",
            "node --test --test-reporter=spec",
            "node --run build",
        ] {
            assert_eq!(argv(same), crate::shell::parse(same).unwrap().pop().unwrap().argv, "{same}");
        }
        assert_eq!(reads_program(&["cat".into()]), None);
        // Node's test and script runners read no program from their input.
        for line in ["node --test", "node --test --test-reporter=spec", "node --run build", "node --test-only"] {
            let words: Vec<String> = line.split(' ').map(String::from).collect();
            assert_eq!(reads_program(&words), None, "{line}");
        }
        assert!(reads_program(&["node".to_string()]).is_some(), "a bare node reads its input");
    }
}
