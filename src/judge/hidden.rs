//! Text only known when the line runs: commands named by variables or substitutions, shells
//! reading scripts nobody can see (`curl ... | bash`, `bash <(...)`, `source /dev/stdin`),
//! script files the line itself writes and then runs, and inline interpreter code that
//! deletes files or starts programs. None of it can be checked, so it is refused where it
//! can reach the database.

use crate::shell::{self, SimpleCommand, Target};

/// `$P migrate reset`, `npx $P db push`: a command named only when the line runs, with
/// arguments of a Prisma command or in a line about prisma or a database.
pub(super) fn dynamic_command(v: &shell::Visit<'_>, mentions: bool) -> Option<String> {
    // `node $(readlink -f ...) migrate reset`, `find ... -exec node {} ...`: a file to run
    // named only when the line runs (judged as the command the wrappers run).
    let dynamic_code = matches!(v.target, Target::Code { path, .. } if dynamic_word(path));
    let argv = if dynamic_code && !v.inner.is_empty() { v.inner } else { &v.command.argv[..] };
    let pattern = argv.first().is_some_and(|a| a.contains(['*', '?', '[']));
    if !(matches!(v.target, Target::Other) || dynamic_code || pattern) || argv.is_empty() {
        return None;
    }
    let name = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
    let runner = matches!(
        name,
        "npx"
            | "pnpx"
            | "bunx"
            | "npm"
            | "pnpm"
            | "yarn"
            | "bun"
            | "exec"
            | "command"
            | "env"
            | "sudo"
            | "xargs"
            | "nohup"
            | "time"
            | "timeout"
            | "nice"
            | "setsid"
            | "corepack"
            | "node"
    );
    let first_operand = argv[1..].iter().position(|a| !a.starts_with('-') && !a.contains('=')).map(|k| k + 1);
    // `node_modules/.bin/.p* migrate reset`: a command named by a pattern the shell expands.
    let at = if dynamic_word(&argv[0]) || argv[0].contains(['*', '?', '[']) {
        0
    } else {
        first_operand.filter(|k| runner && dynamic_word(&argv[*k]))?
    };
    let prisma_like = argv[at + 1..].iter().any(|a| {
        matches!(a.as_str(), "migrate" | "db" | "reset" | "push" | "update" | "execute" | "drop" | "-c" | "-e")
    });
    (mentions || prisma_like).then(|| format!("`{}` runs a command named only when the line runs", argv.join(" ")))
}

/// Whether a word holds text only known when the line runs: a variable the line does not
/// set, a command substitution, a backquote.
pub(super) fn dynamic_word(word: &str) -> bool {
    word.contains('$') || word.contains('`') || word.contains(shell::parse::SUBSTITUTED)
}

/// A prisma argument whose text is only known when the line runs and that may change what
/// the command does (anything but the value of a flag such as `--name`).
pub(super) fn dynamic_prisma_argument(args: &[String]) -> Option<&String> {
    const HARMLESS_VALUES: &[&str] = &["--name", "-n", "--schema", "--config", "--url", "--file", "--output", "-o"];
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if HARMLESS_VALUES.contains(&a.as_str()) {
            i += 2;
            continue;
        }
        let flag_value =
            a.starts_with("--") && a.contains('=') && HARMLESS_VALUES.iter().any(|f| a.starts_with(&format!("{f}=")));
        if !flag_value && dynamic_word(a) {
            return Some(a);
        }
        i += 1;
    }
    None
}

/// A command that runs text only known when the line runs. `mentions`: the line names prisma
/// or a database client; `protects_files`: the project has files a deletion would lose (a
/// SQLite database, backups); `written`: files earlier commands of the line wrote.
/// `touches`: whether a path names the database's files or the backups.
pub(super) fn hidden_text(
    v: &shell::Visit<'_>,
    mentions: bool,
    protects_files: &dyn Fn() -> bool,
    written: &[String],
    touches: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let argv = &v.command.argv;
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    if argv.is_empty() {
        return None;
    }
    if let Target::Shell { script } = v.target {
        // A file `mktemp` makes is no text.
        let script = script.replace(shell::parse::MKTEMP, "");
        let dynamic = script.contains("$(") || script.contains('`') || script.trim_start().starts_with('$');
        if dynamic {
            return Some(format!("`{name}` runs shell text made when the line runs"));
        }
    }
    // `set -- rm -f dev.db; "$@"`: a command named only when the line runs, in the line
    // itself (not a script file it runs), where a deletion would lose files.
    let from_file = v.via.iter().any(|w| w.starts_with("file ") || w.starts_with("script "));
    if argv[0].starts_with('$') && !from_file && protects_files() {
        return Some(format!(
            "`{}` runs a command named only when the line runs, in a project whose database or backups are files",
            argv.join(" ")
        ));
    }
    let shell = crate::shell::resolve::SHELLS.contains(&name) || matches!(name, "source" | ".");
    if shell && matches!(v.target, Target::Other) && v.command.heredoc.is_none() {
        let operands: Vec<&String> = argv[1..].iter().take_while(|a| *a != "--").collect();
        if name != "source"
            && name != "."
            && (operands.iter().all(|a| a.starts_with('-')) || operands.iter().any(|a| *a == "-s"))
        {
            return Some(format!("`{name}` runs a script read from its input, which cannot be checked"));
        }
    }
    // `npm pkg get scripts.x | xargs sh -c`, `find . -name notes -exec sh {} \;`: a shell or
    // interpreter given its script, or the file holding it, by the program feeding it words.
    let fed = |w: &str| matches!(w.rsplit('/').next().unwrap_or(w), "xargs" | "parallel" | "find" | "fd" | "fdfind");
    if fed(name) || v.via.iter().any(|w| fed(w)) {
        let inner = v.inner;
        let inner_name = inner.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
        // A shell, or an interpreter given inline code (`xargs python3 -c`); an interpreter
        // given files (`find . -name '*.test.js' -exec node {} \;`) runs project files.
        let inline_flag = inner[1..].iter().any(|a| matches!(a.as_str(), "-c" | "-e" | "-r" | "--eval" | "eval"));
        let runs_code = crate::shell::resolve::SHELLS.contains(&inner_name)
            || (shell::stdin_code::reads_program(&[inner_name.to_string()]).is_some() && inline_flag);
        if runs_code {
            let code = crate::judge::tamper::inline_code(inner);
            let script = inner.iter().position(|a| a == "-c").and_then(|k| inner.get(k + 1));
            let literal = match (script.map(String::as_str), code.first()) {
                (Some(s), _) | (None, Some(&s)) => !s.contains("{}"),
                (None, None) => false,
            };
            if !literal {
                return Some(format!(
                    "`{inner_name}` runs a script or program given by `{name}` when the line runs, which cannot be checked"
                ));
            }
        }
    }
    // `curl ... | python3`, `cat notes | node`: an interpreter's program read from an input the
    // line does not show (a program shown on the line is judged as inline code).
    // (Reading the project for its files is the dearest step of a check: only for such a line.)
    if v.command.heredoc.is_none() && v.command.input_file.is_none() {
        if let Some((k, _)) = shell::stdin_code::reads_program(argv).filter(|_| mentions || protects_files()) {
            let name = argv[k].rsplit('/').next().unwrap_or(&argv[k]);
            return Some(format!(
                "`{name}` runs a program read from its input, which cannot be checked, in a project whose database can be reached from it"
            ));
        }
    }
    // `npm pkg set scripts.x=... && npm run x`, a package.json written by the line: the script
    // a runner then runs is only known when the line runs.
    if let Target::Script { name: script, .. } = v.target {
        if let Some(w) = written.iter().find(|w| *w == "package.json" || w.ends_with("/package.json")) {
            return Some(format!(
                "runs the script `{script}` after this line changes {w}: what it will run cannot be checked"
            ));
        }
    }
    if let Target::File { path } = v.target {
        if unseen_file(path) && (v.command.heredoc.is_none() || path.contains('(')) {
            return Some(format!("`{name}` runs a script from {path}, made when the line runs"));
        }
        if let Some(w) = written.iter().find(|w| same_file(w, path)) {
            return Some(format!(
                "`{name}` runs {w}, a file this line writes first: what it will hold cannot be checked"
            ));
        }
    }
    // A program, or an interpreter's script, that the line wrote (`printf ... > x.sh && sh x.sh`,
    // `cat > t.py <<E ... E; python3 t.py`).
    if !written.is_empty() {
        let program = argv.first().into_iter();
        let scripts = argv[1..].iter().filter(|_| is_interpreter(name) || shell);
        if let Some(w) = program.chain(scripts).find_map(|a| written.iter().find(|w| same_file(w, a))) {
            return Some(format!(
                "`{name}` runs {w}, a file this line writes first: what it will hold cannot be checked"
            ));
        }
    }
    // `ls *.db | xargs rm`: a remover given file names nobody can see.
    let feeder = v.via.iter().find(|w| matches!(w.as_str(), "xargs" | "parallel"));
    let inner = v.effective();
    let inner_name = inner.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    if let Some(feeder) = feeder.filter(|_| protects_files()) {
        if super::data::REMOVERS.contains(&inner_name) || matches!(inner_name, "mv" | "cp" | "dd" | "rmdir") {
            return Some(format!(
                "`{inner_name}` gets the files it changes from the input of `{feeder}`, which cannot be checked, in a project whose database or backups are files"
            ));
        }
    }
    if is_interpreter(name) {
        let code = crate::judge::tamper::inline_code(argv);
        if !code.is_empty() {
            // Code that only removes or writes files it names in plain literals, none of them
            // the database or its backups, is judged by those names.
            // Code that only starts programs given as plain literals: those commands are
            // judged as the line's own (`node -e "execSync('ls')"`).
            let plain = |c: &&str| {
                let literal_runs = code_acts(c) == Some(RUNS_PROGRAMS) && shell::resolve::literal_spawns(c).is_some();
                (code_acts(c) != Some(RUNS_PROGRAMS) || literal_runs)
                    && (literal_paths_only(c) || literal_runs && literal_paths_only(&without_spawn_calls(c)))
                    && !crate::judge::tamper::code_paths(c).any(touches)
            };
            if let Some(act) = code.iter().filter(|c| !plain(c)).find_map(|c| code_acts(c)).filter(|_| protects_files())
            {
                return Some(format!(
                    "`{name}` runs inline code that {act}, in a project whose database or backups are files: what it touches cannot be checked"
                ));
            }
            // The code itself names prisma or a client (not a file it reads: `perl -ne ...
            // prisma/schema.prisma`).
            if mentions && code.iter().any(|c| super::mentions_database(c)) {
                return Some(format!(
                    "`{name}` runs inline code that names prisma or a database client, in a line about prisma or a database: what it does cannot be checked"
                ));
            }
        }
    }
    None
}

/// `node x.js`, `npx tsx x.js`, `bun x.js`, `deno run -A x.js`: the script file read as
/// inline code is (its commands are judged on their own): code that removes or writes files
/// by names made when it runs, names the database or the backups, or builds the commands it
/// starts, in a project whose database or backups are files.
pub(super) fn script_file(
    v: &shell::Visit<'_>,
    scripts: &dyn shell::Scripts,
    protects_files: &dyn Fn() -> bool,
    touches: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let Target::Code { path, .. } = v.target else { return None };
    if path.contains("node_modules/") {
        return None;
    }
    let (_, text) = scripts.file(v.dirs, path)?;
    let act = code_acts(&text)?;
    let built =
        if act == RUNS_PROGRAMS { shell::resolve::literal_spawns(&text).is_none() } else { !literal_paths_only(&text) };
    // Reading the project for its data files costs more than the rest: only for code that
    // builds names or may name a database file or the backups.
    let lower = text.to_ascii_lowercase();
    if !built && ![".db", "sqlite", "backup", "-wal", "-journal"].iter().any(|w| lower.contains(w)) {
        return None;
    }
    if !protects_files() {
        return None;
    }
    let names_data = crate::judge::tamper::code_paths(&text).any(touches);
    let name = v.command.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    let how = match (names_data, built) {
        (true, _) => "and names the database or its backups",
        (false, true) => "with names or commands made when it runs",
        (false, false) => return None,
    };
    Some(format!(
        "`{name}` runs {path}, code that {act} {how}, in a project whose database or backups are files: what it touches cannot be checked"
    ))
}

/// Files a command writes, as written: its redirections, `tee`'s files, a copy's destination.
pub(super) fn written_by(cmd: &SimpleCommand) -> Vec<String> {
    let mut out = cmd.writes.clone();
    let name = cmd.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    let operands: Vec<&String> = cmd.argv.iter().skip(1).filter(|a| !a.starts_with('-')).collect();
    match name {
        "tee" => out.extend(operands.into_iter().cloned()),
        "cp" | "mv" | "install" | "ln" | "curl" | "wget" if operands.len() >= 2 || matches!(name, "curl" | "wget") => {
            let to =
                cmd.argv.windows(2).find(|w| matches!(w[0].as_str(), "-o" | "-O" | "--output" | "--output-document"));
            match (name, to) {
                (_, Some(w)) => out.push(w[1].clone()),
                ("curl" | "wget", None) => {}
                _ => out.extend(operands.last().map(|s| (*s).clone())),
            }
        }
        "dd" => out.extend(cmd.argv.iter().filter_map(|a| a.strip_prefix("of=").map(str::to_string))),
        // `npm pkg set scripts.x=...`, `npm set-script x ...`: the package's scripts.
        "npm" | "pnpm" | "yarn" | "bun"
            if cmd.argv.windows(2).any(|w| w[0] == "pkg" && matches!(w[1].as_str(), "set" | "delete"))
                || cmd.argv.iter().any(|a| a == "set-script") =>
        {
            out.push("package.json".into());
        }
        // In-place editors write the files they name.
        "sed" | "perl" | "json" | "jq" | "yq" | "dasel" | "sponge" | "ed" | "ex"
            if name == "sponge"
                || cmd
                    .argv
                    .iter()
                    .any(|a| a == "-I" || a.starts_with("-i") || a.starts_with("--in-place") || a == "put") =>
        {
            out.extend(operands.into_iter().filter(|o| o.contains('.') || o.contains('/')).cloned());
        }
        _ => {}
    }
    out
}

fn is_interpreter(name: &str) -> bool {
    name.starts_with("python")
        || matches!(
            name,
            "node"
                | "nodejs"
                | "ruby"
                | "perl"
                | "php"
                | "deno"
                | "bun"
                | "tsx"
                | "ts-node"
                | "expect"
                | "osascript"
                | "lua"
                | "luajit"
                | "julia"
                | "Rscript"
        )
}

/// A file name whose contents only exist when the line runs: a process substitution, the
/// input, a file descriptor.
fn unseen_file(path: &str) -> bool {
    path == shell::parse::PROCESS_INPUT
        || path == "/dev/stdin"
        || path == "-"
        || path.starts_with("/dev/fd/")
        || path.starts_with("/proc/self/fd/")
}

fn same_file(a: &str, b: &str) -> bool {
    let norm = |p: &str| p.trim_start_matches("./").to_string();
    norm(a) == norm(b)
}

const RUNS_PROGRAMS: &str = "starts other programs";

/// Code without the names of the calls that start programs (`execSync`, `exec`, `join` of a
/// literal list): what is left is read for names made when it runs.
fn without_spawn_calls(code: &str) -> String {
    let mut out = code.to_string();
    for w in ["execFileSync", "execSync", "execFile", "exec", "child_process", "shlex.join"] {
        out = out.replace(w, "");
    }
    out
}

/// Whether code names files only in plain string literals: no globbing, listing, joining,
/// formatting, concatenation, decoding or evaluation that could make another name.
fn literal_paths_only(code: &str) -> bool {
    const MAKES_NAMES: &[&str] = &[
        "glob",
        "listdir",
        "walk",
        "readdir",
        "scandir",
        "iterdir",
        "+",
        "%",
        "f'",
        "f\"",
        "${",
        "format",
        "join",
        "concat",
        "replace",
        "chr(",
        "decode",
        "reverse",
        "[::-1]",
        "eval",
        "exec",
        "getattr",
        "import(",
        "__import__",
        "fromcharcode",
        "atob",
        "buffer.from",
        "unpack",
        "pack(",
        "sprintf",
        "$_",
        "@argv",
        "argv",
        "arg[",
        "args",
        "sys.argv",
        "process.argv",
        "environ",
        "process.env",
        "$env",
        "input(",
        "stdin",
        "readline",
        "\\x",
        "\\u",
        "\\0",
    ];
    let lower = code.to_ascii_lowercase();
    !MAKES_NAMES.iter().any(|m| lower.contains(m))
}

/// What inline code does that may lose files: removes, moves or truncates them, or starts
/// programs.
fn code_acts(code: &str) -> Option<&'static str> {
    const REMOVES: &[&str] = &[
        "remove(",
        "unlink",
        "rmtree",
        "rmsync",
        "rmdir",
        "rm(",
        "rm_rf",
        "rm_r",
        "file.delete",
        "fileutils",
        "rimraf",
        "truncate",
        "rename",
        "shutil.move",
        "os.replace",
        "renamesync",
        "deltree",
        "fs.rm",
        "emptydir",
        "remove_dir",
        "remove_file",
    ];
    const RUNS: &[&str] = &[
        "system(",
        "subprocess",
        "popen",
        "exec(",
        "execsync",
        "execfilesync",
        "spawn",
        "child_process",
        "os.exec",
        "`",
        "qx",
        "deno.command",
        "bun.spawn",
        "bun.$",
        "$`",
        "pty.",
    ];
    const WRITES: &[&str] = &[
        "'w'",
        "\"w\"",
        "'wb'",
        "\"wb\"",
        "'w+'",
        "writefile",
        "write_text",
        "write_bytes",
        "'>'",
        "\">\"",
        "open(my",
        "open my",
        "file.write",
        "file.open",
    ];
    let lower = code.to_ascii_lowercase();
    if REMOVES.iter().any(|w| lower.contains(w)) {
        return Some("removes, moves or truncates files");
    }
    if RUNS.iter().any(|w| lower.contains(w)) {
        return Some(RUNS_PROGRAMS);
    }
    WRITES.iter().any(|w| lower.contains(w)).then_some("writes files")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_that_acts_on_files() {
        for code in [
            "import glob,os; [os.remove(f) for f in glob.glob('*.db')]",
            "unlink glob '*.db'",
            "import shutil; shutil.rmtree('back'+'ups')",
            "require('fs').rmSync('dev.db')",
            "import os; os.system('npx pri'+'sma migrate reset --force')",
            "require('child_process').execSync('x')",
            "open('dev.db','w')",
            "File.delete('dev.db')",
        ] {
            assert!(code_acts(code).is_some(), "{code}");
        }
        assert!(literal_paths_only("import os; os.remove('dist/app.js')"));
        assert!(!literal_paths_only("import os; os.remove('de'+'v.db')"));
        assert!(!literal_paths_only("unlink glob '*.db'"));
        for code in [
            "print(1+1)",
            "console.log(require('./package.json').version)",
            "import json; print(json.load(open('a.json')))",
        ] {
            assert_eq!(code_acts(code), None, "{code}");
        }
    }

    /// Review (issue 19, round 2, FP6): programs started from plain literals are known.
    #[test]
    fn programs_started_from_plain_literals() {
        let spawns = shell::resolve::literal_spawns;
        assert_eq!(spawns("require('child_process').execSync('ls')"), Some(vec!["ls".to_string()]));
        assert_eq!(spawns("import subprocess; subprocess.run(['ls', '-l'])"), Some(vec!["ls -l".to_string()]));
        assert_eq!(spawns("import os; os.system(\"git status\")"), Some(vec!["git status".to_string()]));
        for built in [
            "require('child_process').execSync('npx pri' + 'sma')",
            "require('child_process').execSync(process.argv[1])",
            "execSync(`npx ${p}`)",
            "db.exec('DROP TABLE User')",
            "print(1)",
        ] {
            assert_eq!(spawns(built), None, "{built}");
        }
    }

    #[test]
    fn files_a_command_writes() {
        let cmd = |l: &str| shell::parse(l).unwrap().remove(0);
        assert_eq!(written_by(&cmd("printf x > x.sh")), vec!["x.sh"]);
        assert_eq!(written_by(&cmd("tee -a a.sh b.sh")), vec!["a.sh", "b.sh"]);
        assert_eq!(written_by(&cmd("cp /tmp/evil.sh run.sh")), vec!["run.sh"]);
        assert_eq!(written_by(&cmd("curl -o x.sh https://e")), vec!["x.sh"]);
        assert!(written_by(&cmd("ls -la")).is_empty());
    }
}
