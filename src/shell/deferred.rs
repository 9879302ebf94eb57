//! Programs that run a command later or somewhere else: terminal multiplexers (`tmux new -d
//! CMD`, `tmux send-keys 'CMD' Enter`, `screen -dm CMD`, `screen -X stuff 'CMD^M'`),
//! schedulers (`at`, `batch`), `expect` (`spawn`, `exec`, `send`), GNU `parallel CMD :::
//! ARGS`, `xargs CMD` fed by text the line shows, and PowerShell (`pwsh -c`, `-EncodedCommand`).
//! What they run is judged as if it ran here and now: the database is lost all the same.

use super::quote;
use super::wrappers::Inner;

/// What `name ARGV` (fed `input` when the line shows it) runs, when it is one of these.
pub(super) fn inner(name: &str, argv: &[String], input: Option<&str>) -> Option<Inner> {
    match name {
        "tmux" => tmux(argv),
        "screen" => screen(argv),
        "at" | "batch" => at(argv, input),
        "expect" => expect(argv),
        "parallel" => parallel(argv, input),
        "xargs" => xargs(argv, input),
        "pwsh" | "powershell" | "pwsh.exe" | "powershell.exe" => powershell(argv),
        "sqlite3" | "sqlite" | "litecli" | "psql" | "pgcli" | "mysql" | "mariadb" | "mycli" | "duckdb" => {
            client_shell_escapes(name, argv, input)
        }
        _ => None,
    }
}

/// The shell commands a database client's own commands start (`sqlite3 DB '.shell CMD'`,
/// `.system CMD`, psql's and mysql's `\! CMD`, mysql's `system CMD`), in its arguments or its
/// input: run whatever database it opens, so judged whatever the target.
fn client_shell_escapes(name: &str, argv: &[String], input: Option<&str>) -> Option<Inner> {
    let prefixes: &[&str] = match name {
        "sqlite3" | "sqlite" | "litecli" | "duckdb" => &[".shell ", ".system ", ".sh "],
        "psql" | "pgcli" => &["\\! "],
        _ => &["\\! ", "system "],
    };
    let mut out = Vec::new();
    let texts = argv[1..].iter().map(String::as_str).chain(input);
    for text in texts {
        for statement in text.split(['\n', ';']) {
            let t = statement.trim_start();
            if let Some(cmd) = prefixes.iter().find_map(|p| t.strip_prefix(p)) {
                out.push(cmd.trim().to_string());
            }
        }
    }
    (!out.is_empty()).then(|| Inner::Script(out.join("\n")))
}

/// A script that reads its commands from an input nobody can see: judged as unknown text.
const UNKNOWN_INPUT: &str = "sh /dev/stdin";

/// tmux commands (and their aliases) that start a shell command, with the options that take a
/// value.
const TMUX_STARTS: &[(&[&str], &str)] = &[
    (&["new-session", "new"], "cefnstxyF"),
    (&["new-window", "neww"], "censtF"),
    (&["split-window", "splitw"], "celtF"),
    (&["respawn-pane", "respawnp"], "cet"),
    (&["respawn-window", "respawnw"], "cet"),
    (&["run-shell", "run"], "ct"),
    (&["display-popup", "popup"], "bcdehsStTwxy"),
];

/// `tmux [-L s] [-S p] [-f f] CMD [; CMD ...]`: each command that starts a shell command, and
/// the keys `send-keys` types into a pane (`Enter` ends a line).
fn tmux(argv: &[String]) -> Option<Inner> {
    let mut i = 1;
    let mut out: Vec<String> = Vec::new();
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-')) {
        if a == "-c" {
            // `tmux -c CMD`: tmux as a login shell runs CMD.
            out.extend(argv.get(i + 1).cloned());
            i += 2;
            continue;
        }
        i += if matches!(a.as_str(), "-L" | "-S" | "-f" | "-T") { 2 } else { 1 };
    }
    // Commands are separated by `;` words (`\;` on the command line).
    for command in argv.get(i..).unwrap_or(&[]).split(|w| w == ";") {
        let Some(sub) = command.first() else { continue };
        if matches!(sub.as_str(), "send-keys" | "send") {
            out.push(typed_keys(&command[1..]));
            continue;
        }
        let Some((_, values)) = TMUX_STARTS.iter().find(|(names, _)| names.contains(&sub.as_str())) else { continue };
        let k = skip_cluster_options(command, 1, values);
        if k < command.len() {
            out.push(command[k..].join(" "));
        }
    }
    (!out.is_empty()).then(|| Inner::Script(out.join("\n")))
}

/// The text `tmux send-keys [-t T] [-N n] [-l] KEYS...` types: keys concatenated, `Enter`,
/// `C-m` and `KPEnter` end a line, `Space` is a blank.
fn typed_keys(args: &[String]) -> String {
    let k = skip_cluster_options(args, 0, "tNc");
    let mut text = String::new();
    for key in &args[k..] {
        match key.as_str() {
            "Enter" | "C-m" | "KPEnter" | "C-j" => text.push('\n'),
            "Space" => text.push(' '),
            "Tab" => text.push('\t'),
            "C-c" | "C-d" | "C-u" | "Escape" | "Up" | "Down" | "Left" | "Right" => {}
            other => text.push_str(other),
        }
    }
    text
}

/// Index of the first operand after clustered short options (`-dmS name`): the letters in
/// `values` take a value (the rest of the cluster, or the next word).
fn skip_cluster_options(argv: &[String], mut i: usize, values: &str) -> usize {
    while let Some(a) = argv.get(i) {
        if a == "--" {
            return i + 1;
        }
        if !a.starts_with('-') || a.len() < 2 {
            break;
        }
        let cluster = &a[1..];
        let mut takes_next = false;
        for (k, c) in cluster.char_indices() {
            if values.contains(c) {
                takes_next = k + c.len_utf8() == cluster.len();
                break;
            }
        }
        i += if takes_next { 2 } else { 1 };
    }
    i
}

/// `screen [-dmS name] CMD ARGS`, and `screen -X stuff TEXT` / `-X exec CMD` (typed into or
/// run in a session).
fn screen(argv: &[String]) -> Option<Inner> {
    let mut i = 1;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-') && a.len() > 1) {
        let cluster = &a[1..];
        if cluster.contains('X') {
            // `-X` ends the options: the rest is a screen command.
            let cmd = argv.get(i + 1..).unwrap_or(&[]);
            return match cmd.first().map(String::as_str) {
                Some("stuff") => {
                    let text = cmd[1..].join(" ").replace("^M", "\n").replace("\\r", "\n").replace("\\n", "\n");
                    Some(Inner::Script(text))
                }
                Some("exec" | "screen") => {
                    let k = skip_cluster_options(cmd, 1, "");
                    let words: Vec<String> = cmd[k..].iter().map(|w| quote(w)).collect();
                    (!words.is_empty()).then(|| Inner::Script(words.join(" ")))
                }
                _ => None,
            };
        }
        let takes_value = cluster.chars().last().is_some_and(|c| "SceHhpTtsL".contains(c));
        i += if takes_value && !a.starts_with("--") { 2 } else { 1 };
    }
    (i < argv.len()).then_some(Inner::Argv(i))
}

/// `at [-f FILE] [-q Q] TIME`, `batch`: the commands come from the file or the input.
fn at(argv: &[String], input: Option<&str>) -> Option<Inner> {
    // `at -l`, `at -r N`, `at -c N`: listing, removing, showing jobs.
    if argv[1..].iter().any(|a| matches!(a.as_str(), "-l" | "-r" | "-d" | "-c")) {
        return None;
    }
    if let Some(k) = argv.iter().position(|a| a == "-f") {
        return argv.get(k + 1).map(|f| Inner::Script(format!("sh {}", quote(f))));
    }
    Some(Inner::Script(input.map_or_else(|| UNKNOWN_INPUT.to_string(), str::to_string)))
}

/// `expect -c SCRIPT` or `expect FILE`: the programs it spawns or execs, and the text it sends
/// to them.
fn expect(argv: &[String]) -> Option<Inner> {
    let script = match argv.iter().position(|a| a == "-c") {
        Some(k) => argv.get(k + 1)?.clone(),
        None => {
            let k = skip_cluster_options(argv, 1, "f");
            let file = argv.get(k).or_else(|| argv.iter().position(|a| a == "-f").and_then(|k| argv.get(k + 1)))?;
            return Some(Inner::Script(format!("sh {}", quote(file))));
        }
    };
    let mut out = Vec::new();
    for statement in script.split([';', '\n']) {
        // Tcl braces quote as single quotes do.
        let statement = statement.trim().replace(['{', '}'], "'");
        let mut words = statement.splitn(2, char::is_whitespace);
        let (Some(cmd), Some(rest)) = (words.next(), words.next()) else { continue };
        match cmd {
            "spawn" | "exec" => {
                let rest = rest.trim_start();
                let rest = rest.strip_prefix("-noecho").unwrap_or(rest).trim_start();
                out.push(rest.to_string());
            }
            "send" => {
                let text = rest.trim().trim_matches('"').replace("\\r", "\n").replace("\\n", "\n");
                out.push(text);
            }
            _ => {}
        }
    }
    (!out.is_empty()).then(|| Inner::Script(out.join("\n")))
}

/// GNU parallel options that take a value.
const PARALLEL_VALUES: &[&str] = &[
    "-j",
    "--jobs",
    "-S",
    "--sshlogin",
    "-I",
    "--delay",
    "--timeout",
    "--joblog",
    "--results",
    "-d",
    "--delimiter",
    "-n",
    "--max-args",
    "-N",
    "--colsep",
    "-C",
    "--tagstring",
    "--workdir",
    "--wd",
    "--tmpdir",
    "--retries",
    "-a",
    "--arg-file",
];

/// `parallel [opts] CMD ::: ARGS`: CMD once per argument (each argument is a command when no
/// CMD is given); without `:::`, the arguments come from the input.
fn parallel(argv: &[String], input: Option<&str>) -> Option<Inner> {
    let mut i = 1;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-')) {
        if a == "--" {
            i += 1;
            break;
        }
        i += if PARALLEL_VALUES.contains(&a.as_str()) { 2 } else { 1 };
    }
    let rest = argv.get(i..).unwrap_or(&[]);
    let sep = rest.iter().position(|w| w.starts_with(":::"));
    let (cmd, args): (&[String], Vec<String>) = match sep {
        Some(s) if rest[s].starts_with("::::") => (&rest[..s], vec![]), // arguments from files
        Some(s) => (&rest[..s], rest[s + 1..].iter().filter(|w| !w.starts_with(":::")).cloned().collect()),
        None => match input {
            Some(text) => (rest, text.lines().map(str::to_string).collect()),
            None => (rest, vec![]),
        },
    };
    let known = match sep {
        Some(s) => !rest[s].starts_with("::::"),
        None => input.is_some(),
    };
    if !known {
        // Arguments nobody can see: the command alone is judged (`rm` of unknown files).
        return (!cmd.is_empty()).then_some(Inner::Argv(i)).or(Some(Inner::Script(UNKNOWN_INPUT.into())));
    }
    Some(Inner::Script(per_argument(cmd, &args, "{}")))
}

/// `xargs [opts] CMD` fed by text the line shows: CMD with those words (`-I R`: once per
/// line, R replaced).
fn xargs(argv: &[String], input: Option<&str>) -> Option<Inner> {
    let values = ["-I", "-L", "-n", "-P", "-d", "-E", "-s", "-a", "--max-args", "--max-procs", "--delimiter"];
    let mut i = 1;
    let mut replace: Option<String> = None;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-')) {
        if a == "--" {
            i += 1;
            break;
        }
        if a == "-I" {
            replace = argv.get(i + 1).cloned();
        } else if let Some(r) = a.strip_prefix("-I").or_else(|| a.strip_prefix("--replace=")) {
            replace = Some(r.to_string());
        } else if a == "-i" {
            replace = Some("{}".into());
        }
        if a == "-a" || a.starts_with("--arg-file") {
            // Arguments from a file: the command alone is judged, unless it is a shell given
            // each line as its script (`xargs -a F -I{} sh -c {}`): that runs the file.
            let file = a.strip_prefix("--arg-file=").map(str::to_string).or_else(|| argv.get(i + 1).cloned())?;
            let k = skip_cluster_options(argv, if a == "-a" || a == "--arg-file" { i + 2 } else { i + 1 }, "ILnPdEs");
            let cmd = argv.get(k..).unwrap_or(&[]);
            let shell =
                cmd.first().is_some_and(|c| super::resolve::SHELLS.contains(&c.rsplit('/').next().unwrap_or(c)));
            if shell
                && cmd.iter().any(|w| w == "-c" || (w.starts_with('-') && !w.starts_with("--") && w.ends_with('c')))
            {
                return Some(Inner::Script(format!("sh {}", quote(&file))));
            }
            return None;
        }
        i += if values.contains(&a.as_str()) { 2 } else { 1 };
    }
    let input = input?;
    let cmd = argv.get(i..).unwrap_or(&[]);
    let cmd: Vec<String> = if cmd.is_empty() { vec!["echo".into()] } else { cmd.to_vec() };
    let args: Vec<String> = match &replace {
        Some(_) => input.lines().map(str::to_string).collect(),
        None => input.split_whitespace().map(str::to_string).collect(),
    };
    Some(Inner::Script(match replace {
        Some(r) => per_argument(&cmd, &args, &r),
        None => {
            let words: Vec<String> = cmd.iter().chain(args.iter()).map(|w| quote(w)).collect();
            words.join(" ")
        }
    }))
}

/// One command line per argument: `cmd` with `placeholder` replaced (or the argument
/// appended); each argument is a command line when `cmd` is empty.
fn per_argument(cmd: &[String], args: &[String], placeholder: &str) -> String {
    let lines: Vec<String> = args
        .iter()
        .map(|arg| {
            if cmd.is_empty() {
                return arg.clone();
            }
            if cmd.iter().any(|w| w.contains(placeholder)) {
                let words: Vec<String> = cmd.iter().map(|w| quote(&w.replace(placeholder, arg))).collect();
                words.join(" ")
            } else {
                format!("{} {}", join(cmd), quote(arg))
            }
        })
        .collect();
    lines.join("\n")
}

fn join(words: &[String]) -> String {
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

/// `pwsh -c 'SCRIPT'`, `-Command`, `-EncodedCommand BASE64` (UTF-16LE), `-File F`: the script,
/// with the cmdlets that remove, move, copy, write or run things spelled as the POSIX tools.
fn powershell(argv: &[String]) -> Option<Inner> {
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        let lower = a.to_ascii_lowercase();
        let flag = lower.trim_start_matches(['-', '/']);
        if !(a.starts_with('-') || a.starts_with('/')) {
            // A first operand is a file to run (or, for Windows PowerShell, a command).
            return Some(Inner::Script(translate_powershell(&argv[i..].join(" "))));
        }
        if !flag.is_empty() && "command".starts_with(flag) {
            return Some(Inner::Script(translate_powershell(&argv.get(i + 1..).unwrap_or(&[]).join(" "))));
        }
        if flag.len() >= 2 && "encodedcommand".starts_with(flag) || flag == "ec" {
            let text = argv.get(i + 1).and_then(|b| decode_utf16_base64(b));
            return Some(Inner::Script(text.map_or_else(|| UNKNOWN_INPUT.to_string(), |t| translate_powershell(&t))));
        }
        if !flag.is_empty() && "file".starts_with(flag) {
            return argv.get(i + 1).map(|f| Inner::Script(format!("sh {}", quote(f))));
        }
        let takes_value = matches!(
            flag,
            "executionpolicy"
                | "ex"
                | "ep"
                | "workingdirectory"
                | "wd"
                | "wo"
                | "configurationname"
                | "inputformat"
                | "outputformat"
                | "of"
                | "if"
                | "settingsfile"
                | "windowstyle"
                | "w"
                | "custompipename"
        );
        i += if takes_value { 2 } else { 1 };
    }
    None
}

fn decode_utf16_base64(text: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()?;
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    String::from_utf16(&units).ok()
}

/// PowerShell statements as POSIX command lines: `Remove-Item -Recurse -Force -Path x` is
/// `rm -rf x`; parameter names are dropped, their values kept.
fn translate_powershell(script: &str) -> String {
    let mut out = Vec::new();
    for statement in script.split([';', '\n', '|']) {
        let words: Vec<&str> = statement.split_whitespace().collect();
        let Some(first) = words.first() else { continue };
        let lower = first.to_ascii_lowercase();
        let mapped = match lower.as_str() {
            "remove-item" | "ri" | "rm" | "del" | "erase" | "rd" | "rmdir" => "rm -rf",
            "move-item" | "mi" | "mv" | "move" => "mv",
            "copy-item" | "cpi" | "cp" | "copy" => "cp",
            "clear-content" | "clc" | "set-content" | "sc" | "out-file" => "truncate -s 0",
            "invoke-expression" | "iex" => "eval",
            "start-process" | "saps" | "start" | "&" => "",
            _ => {
                out.push(statement.trim().to_string());
                continue;
            }
        };
        let mut line = mapped.to_string();
        let mut skip_next = false;
        for w in &words[1..] {
            if skip_next {
                skip_next = false;
                continue;
            }
            if w.starts_with('-') {
                // `-Path x` / `-Destination x` keep their value; `-Filter x` and the like are
                // dropped with it; switches are dropped.
                let p = w.trim_start_matches('-').to_ascii_lowercase();
                let drops = ["filter", "include", "exclude", "value", "encoding", "erroraction", "workingdirectory"];
                if drops.iter().any(|d| d.starts_with(&p) && !p.is_empty()) {
                    skip_next = true;
                }
                continue;
            }
            line.push(' ');
            line.push_str(w.trim_end_matches(','));
        }
        out.push(line.trim().to_string());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(line: &str) -> Vec<String> {
        crate::shell::parse(line).map(|c| c[0].argv.clone()).unwrap_or_default()
    }

    fn script(line: &str, input: Option<&str>) -> Option<String> {
        let argv = w(line);
        match inner(&argv[0].clone(), &argv, input)? {
            Inner::Script(s) => Some(s),
            Inner::Argv(k) => Some(argv[k..].join(" ")),
        }
    }

    #[test]
    fn multiplexers_run_their_command() {
        let reset = "npx prisma migrate reset --force";
        assert_eq!(script("tmux new -d 'npx prisma migrate reset --force'", None).as_deref(), Some(reset));
        assert_eq!(
            script("tmux new-session -d -s x -c /tmp 'npx prisma migrate reset --force'", None).as_deref(),
            Some(reset)
        );
        assert_eq!(
            script("tmux send-keys -t x 'npx prisma migrate reset --force' Enter", None).as_deref(),
            Some("npx prisma migrate reset --force\n")
        );
        assert_eq!(script("tmux new -d \\; send-keys 'rm dev.db' C-m", None).as_deref(), Some("rm dev.db\n"));
        assert_eq!(script("tmux ls", None), None);
        assert_eq!(script("screen -dmS x npx prisma migrate reset --force", None).as_deref(), Some(reset));
        assert_eq!(script("screen -S x -X stuff 'rm dev.db^M'", None).as_deref(), Some("rm dev.db\n"));
        assert_eq!(script("screen -ls", None), None);
    }

    #[test]
    fn schedulers_and_expect() {
        assert_eq!(script("at now", Some("rm dev.db\n")).as_deref(), Some("rm dev.db\n"));
        assert_eq!(script("at now", None).as_deref(), Some(UNKNOWN_INPUT));
        assert_eq!(script("at -f job.sh now", None).as_deref(), Some("sh job.sh"));
        assert_eq!(script("at -l", None), None);
        assert_eq!(
            script("expect -c 'spawn npx prisma migrate reset; expect eof'", None).as_deref(),
            Some("npx prisma migrate reset")
        );
        assert_eq!(script("expect -c 'spawn bash; send \"rm dev.db\\r\"'", None).as_deref(), Some("bash\nrm dev.db\n"));
    }

    #[test]
    fn argument_feeders() {
        assert_eq!(script("parallel rm ::: dev.db x", None).as_deref(), Some("rm dev.db\nrm x"));
        assert_eq!(script("parallel ::: 'rm dev.db'", None).as_deref(), Some("rm dev.db"));
        assert_eq!(script("parallel rm {} ::: dev.db", None).as_deref(), Some("rm dev.db"));
        assert_eq!(script("parallel rm", None).as_deref(), Some("rm"));
        assert_eq!(script("parallel", None).as_deref(), Some(UNKNOWN_INPUT));
        assert_eq!(script("xargs rm", Some("dev.db\n")).as_deref(), Some("rm dev.db"));
        assert_eq!(script("xargs -I F mv F /tmp", Some("dev.db\n")).as_deref(), Some("mv dev.db /tmp"));
        assert_eq!(script("xargs rm", None), None);
        // Review of issue 19, round 2, finding 3: each line of the file a shell's script.
        assert_eq!(script("xargs -a wipe -I{} sh -c {}", None).as_deref(), Some("sh wipe"));
        assert_eq!(script("xargs --arg-file wipe -I {} bash -c {}", None).as_deref(), Some("sh wipe"));
        assert_eq!(script("xargs -a files.txt rm", None), None);
        // Database clients' shell escapes, whatever database they open.
        assert_eq!(script("sqlite3 :memory: '.shell rm -f dev.db'", None).as_deref(), Some("rm -f dev.db"));
        assert_eq!(script("psql -c '\\! rm -f dev.db'", None).as_deref(), Some("rm -f dev.db"));
        assert_eq!(script("sqlite3 x.db", Some(".system rm -f dev.db\n")).as_deref(), Some("rm -f dev.db"));
        assert_eq!(script("sqlite3 dev.db .tables", None), None);
    }

    #[test]
    fn powershell_spelled_as_posix() {
        assert_eq!(script("pwsh -c 'Remove-Item dev.db'", None).as_deref(), Some("rm -rf dev.db"));
        assert_eq!(
            script("pwsh -NoProfile -Command 'Remove-Item -Recurse -Force -Path prisma'", None).as_deref(),
            Some("rm -rf prisma")
        );
        // `rm dev.db` as UTF-16LE base64.
        assert_eq!(script("pwsh -enc cgBtACAAZABlAHYALgBkAGIA", None).as_deref(), Some("rm -rf dev.db"));
        assert_eq!(
            script("pwsh -c 'npx prisma migrate reset --force'", None).as_deref(),
            Some("npx prisma migrate reset --force")
        );
        assert_eq!(script("pwsh -File x.ps1", None).as_deref(), Some("sh x.ps1"));
    }
}
