//! Programs that start another program, and what they start: version managers (`volta run`,
//! `fnm exec`, `nvm exec`, `asdf exec`, `pkgx`), environments (`nix develop -c`, `nix-shell
//! --run`, `direnv exec`), users and sandboxes (`run0`, `pkexec`, `gosu`, `su-exec`, `setpriv`,
//! `chpst`, `firejail`, `bwrap`, `proot`, `fakeroot`), tracers and shims (`strace`, `valgrind`,
//! `faketime`, `torsocks`, `proxychains4`, `xvfb-run`, `rlwrap`, `numactl`, `setarch`, `sem`),
//! init shims (`dumb-init`, `tini`, `with-contenv`), remote shells (`vagrant ssh -c`, `gcloud
//! compute ssh --command`), test harnesses (`start-server-and-test`), frameworks that run
//! Prisma (`blitz prisma`, `rw prisma`, `keystone prisma`, `zenstack db push`) and antfu's `ni`
//! runners (`nr`, `nlx`, `na`, `ni`).
//! Any other program is read by [`super::unknown`].

use super::quote;
use super::wrappers::{after_dashdash, operand_after, Inner};

/// Launchers that run `CMD ARGS` after their options (those listed take a value) and a number
/// of operands, behind a subcommand when one is named.
pub(super) const LAUNCHERS: &[(&str, Option<&str>, &[&str], usize)] = &[
    ("volta", Some("run"), &["--node", "--npm", "--pnpm", "--yarn", "--env"], 0),
    // Other languages' environment runners.
    ("poetry", Some("run"), &[], 0),
    ("pipenv", Some("run"), &[], 0),
    ("pdm", Some("run"), &[], 0),
    ("hatch", Some("run"), &["-e", "--env"], 0),
    (
        "uv",
        Some("run"),
        &["--with", "--python", "-p", "--project", "--directory", "--env-file", "--package", "--extra", "--group"],
        0,
    ),
    ("rye", Some("run"), &[], 0),
    ("conda", Some("run"), &["-n", "--name", "-p", "--prefix", "--cwd"], 0),
    ("mamba", Some("run"), &["-n", "--name", "-p", "--prefix", "--cwd"], 0),
    ("micromamba", Some("run"), &["-n", "--name", "-p", "--prefix", "--cwd"], 0),
    ("bundle", Some("exec"), &[], 0),
    ("flatpak", Some("run"), &["--command", "--branch", "--arch"], 1),
    ("asdf", Some("exec"), &[], 0),
    ("fnm", Some("exec"), &["--using"], 0),
    ("direnv", Some("exec"), &[], 1),
    ("toolbox", Some("run"), &["-c", "--container", "-d", "--distro", "-r", "--release"], 0),
    (
        "run0",
        None,
        &[
            "-u",
            "--user",
            "-g",
            "--group",
            "--nice",
            "-D",
            "--chdir",
            "--setenv",
            "--unit",
            "--property",
            "--slice",
            "--description",
            "--machine",
            "--background",
        ],
        0,
    ),
    ("pkexec", None, &["-u", "--user"], 0),
    ("gosu", None, &[], 1),
    ("su-exec", None, &[], 1),
    ("setuidgid", None, &[], 1),
    ("s6-setuidgid", None, &[], 1),
    ("envdir", None, &[], 1),
    ("s6-envdir", None, &[], 1),
    ("lckdo", None, &["-w"], 1),
    ("setlock", None, &[], 1),
    (
        "setpriv",
        None,
        &[
            "--reuid",
            "--regid",
            "--ruid",
            "--euid",
            "--rgid",
            "--egid",
            "--groups",
            "--inh-caps",
            "--ambient-caps",
            "--bounding-set",
            "--securebits",
            "--selinux-label",
            "--apparmor-profile",
            "--pdeathsig",
            "--landlock-access",
            "--landlock-rule",
        ],
        0,
    ),
    (
        "chpst",
        None,
        &["-u", "-U", "-b", "-e", "-/", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c", "-r", "-t"],
        0,
    ),
    ("dumb-init", None, &["-r", "--rewrite"], 0),
    ("tini", None, &["-p", "-e"], 0),
    ("catatonit", None, &[], 0),
    ("with-contenv", None, &[], 0),
    ("strace", None, &["-e", "-o", "-p", "-s", "-u", "-a", "-b", "-E", "-I", "-O", "-P", "-S", "-X", "-U"], 0),
    ("ltrace", None, &["-e", "-o", "-p", "-s", "-u", "-a", "-A", "-D", "-F", "-l", "-n", "-x"], 0),
    ("valgrind", None, &[], 0),
    ("heaptrack", None, &[], 0),
    ("firejail", None, &[], 0),
    (
        "proot",
        None,
        &[
            "-r",
            "-b",
            "-m",
            "-w",
            "-q",
            "-k",
            "-R",
            "-S",
            "--rootfs",
            "--bind",
            "--mount",
            "--cwd",
            "--qemu",
            "--kernel-release",
        ],
        0,
    ),
    ("fakeroot", None, &["-l", "--lib", "--faked", "-s", "-i", "-b"], 0),
    ("fakechroot", None, &["-l", "--lib", "-d", "--elfloader", "-c", "--config-dir", "-e", "--environment"], 0),
    ("setarch", None, &[], 1),
    ("linux32", None, &[], 0),
    ("linux64", None, &[], 0),
    (
        "numactl",
        None,
        &[
            "-C",
            "--physcpubind",
            "-m",
            "--membind",
            "-N",
            "--cpunodebind",
            "-i",
            "--interleave",
            "-p",
            "--preferred",
            "-P",
            "--preferred-many",
        ],
        0,
    ),
    ("faketime", None, &[], 1),
    ("torsocks", None, &["-u", "-p", "-a", "-P", "--user", "--pass", "--address", "--port"], 0),
    ("proxychains4", None, &["-f"], 0),
    ("proxychains", None, &["-f"], 0),
    (
        "xvfb-run",
        None,
        &[
            "-n",
            "-s",
            "-f",
            "-e",
            "-p",
            "-w",
            "--server-num",
            "--server-args",
            "--auth-file",
            "--error-file",
            "--xauth-protocol",
            "--wait",
        ],
        0,
    ),
    (
        "rlwrap",
        None,
        &["-b", "-C", "-D", "-e", "-f", "-F", "-g", "-H", "-l", "-M", "-O", "-P", "-q", "-S", "-t", "-w", "-z"],
        0,
    ),
    ("sem", None, &["-j", "--jobs", "--id", "--semaphorename", "--timeout", "--st", "--semaphoretimeout"], 0),
    ("systemd-inhibit", None, &["--what", "--who", "--why", "--mode"], 0),
    ("dbus-run-session", None, &["--config-file", "--dbus-daemon"], 0),
    ("ssh-agent", None, &["-a", "-E", "-t", "-P", "-O"], 0),
    ("prlimit", None, &["-p", "--pid"], 0),
    ("cgexec", None, &["-g"], 0),
    ("nsenter", None, &["-t", "--target", "-S", "--setuid", "-G", "--setgid"], 0),
    ("flatpak-spawn", None, &["--env", "--directory", "--forward-fd"], 0),
    ("trickle", None, &["-d", "-u", "-w", "-t", "-l", "-n"], 0),
    ("cpulimit", None, &["-l", "--limit", "-p", "--pid", "-e", "--exe"], 0),
    ("sandbox-exec", None, &["-f", "-n", "-p", "-D"], 0),
    ("grc", None, &["-c", "--config"], 0),
    ("eatmydata", None, &[], 0),
    ("nocache", None, &[], 0),
    ("ifne", None, &[], 0),
    ("nq", None, &[], 0),
    ("tsp", None, &["-L", "-D", "-W", "-S"], 0),
    ("timelimit", None, &["-t", "-T", "-s", "-S"], 0),
    ("gksudo", None, &["-u", "--user"], 0),
    ("kdesu", None, &["-u", "-c"], 0),
];

/// Launchers read by their own rules in [`inner`].
pub(super) const SPECIAL: &[&str] = &[
    "zenstack",
    "nr",
    "nlx",
    "na",
    "ni",
    "nci",
    "nvm",
    "pkgx",
    "pkgm",
    "nix",
    "nix-shell",
    "vagrant",
    "gcloud",
    "bwrap",
    "start-server-and-test",
    "server-test",
    "start-test",
    "foreman",
    "nf",
    "honcho",
    "overmind",
    "hivemind",
];

/// Frameworks whose `prisma` subcommand runs the Prisma CLI with the rest of the words.
const PRISMA_FRAMEWORKS: &[&str] = &["blitz", "rw", "redwood", "rwfw", "keystone", "keystone-next", "keystone-6"];

/// What launcher `name` runs, when it is one.
pub(super) fn inner(name: &str, argv: &[String]) -> Option<Inner> {
    let sub = |k: usize| argv.get(k).map(String::as_str);
    if let Some((_, wanted, values, skip)) = LAUNCHERS.iter().find(|(n, ..)| *n == name) {
        let from = match wanted {
            Some(w) if sub(1) == Some(w) => 2,
            Some(_) => return None,
            None => 1,
        };
        return operand_after(argv, from, values, *skip);
    }
    let script = |words: &[String]| Inner::Script(words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "));
    match name {
        _ if PRISMA_FRAMEWORKS.contains(&name) => (sub(1) == Some("prisma")).then_some(Inner::Argv(1)),
        // `zenstack db push`, `zenstack migrate reset`: Prisma's commands behind ZenStack's.
        "zenstack" => match sub(1) {
            Some("db" | "migrate") => Some(Inner::Script(format!("prisma {}", words(&argv[1..])))),
            _ => None,
        },
        // antfu's ni: `nr SCRIPT` runs a script, `nlx` a package binary, `na` the package manager.
        "nr" => (argv.len() > 1).then(|| Inner::Script(format!("npm run {}", words(&argv[1..])))),
        "nlx" => (argv.len() > 1).then(|| Inner::Script(format!("npx {}", words(&argv[1..])))),
        "na" => (argv.len() > 1).then(|| Inner::Script(format!("npm {}", words(&argv[1..])))),
        "ni" | "nci" if argv[1..].iter().all(|a| a.starts_with('-')) => Some(Inner::Script("npm install".into())),
        // `nvm exec [VERSION] CMD`, `nvm run [VERSION] ARGS` (node with ARGS).
        "nvm" => {
            let k = match sub(1)? {
                "exec" | "run" => 2,
                _ => return None,
            };
            let mut i = k;
            while argv.get(i).is_some_and(|a| a.starts_with('-')) {
                i += 1;
            }
            if argv.get(i).is_some_and(|v| node_version(v)) {
                i += 1;
            }
            match sub(1) {
                Some("run") => Some(Inner::Script(format!("node {}", words(argv.get(i..).unwrap_or(&[]))))),
                _ => (i < argv.len()).then_some(Inner::Argv(i)),
            }
        }
        // `pkgx [+PKG]... [OPTIONS] CMD ARGS`.
        "pkgx" | "pkgm" => {
            let i = argv.iter().skip(1).position(|a| !a.starts_with('+') && !a.starts_with('-'))? + 1;
            Some(Inner::Argv(i))
        }
        // `nix develop -c CMD`, `nix shell PKG --command CMD`.
        "nix" if matches!(sub(1), Some("develop" | "shell")) => {
            let k = argv.iter().position(|a| a == "-c" || a == "--command")?;
            (k + 1 < argv.len()).then_some(Inner::Argv(k + 1))
        }
        // `nix-shell --run 'CMD'`, `--command 'CMD'`.
        "nix-shell" => value(argv, &["--run", "--command"]).map(Inner::Script),
        "vagrant" if sub(1) == Some("ssh") => {
            value(argv, &["-c", "--command"]).map(Inner::Script).or_else(|| after_dashdash(argv))
        }
        // `gcloud compute ssh VM --command 'CMD'` (or `-- CMD`).
        "gcloud" if argv.iter().any(|a| a == "ssh") => {
            value(argv, &["--command"]).map(Inner::Script).or_else(|| after_dashdash(argv))
        }
        // `bwrap [OPTIONS] CMD`: options take one, two or three values.
        "bwrap" => {
            let mut i = 1;
            while let Some(a) = argv.get(i).filter(|a| a.starts_with("--")) {
                i += 1 + bwrap_values(a);
            }
            (i < argv.len()).then_some(Inner::Argv(i))
        }
        // `start-server-and-test START URL [START URL]... TEST`: each is a command, or a script
        // name when it is one word.
        "start-server-and-test" | "server-test" | "start-test" => {
            let lines: Vec<String> = argv[1..]
                .iter()
                .filter(|a| !a.starts_with('-') && !is_url(a))
                .map(|a| if a.contains(char::is_whitespace) { a.clone() } else { format!("npm run {}", quote(a)) })
                .collect();
            (!lines.is_empty()).then(|| Inner::Script(lines.join("\n")))
        }
        // Procfile runners: `foreman start` runs each entry of the Procfile (`-f F`), `foreman
        // run CMD` runs CMD.
        "foreman" | "nf" | "honcho" | "overmind" | "hivemind" => {
            let procfile = value(argv, &["-f", "--procfile"]);
            match sub(1) {
                Some("run" | "r") if name != "hivemind" => (argv.len() > 2).then_some(Inner::Argv(2)),
                Some("start" | "s") => Some(procfile_script(procfile.as_deref())),
                _ if name == "hivemind" => {
                    let file = argv[1..].iter().find(|a| !a.starts_with('-')).map(String::as_str);
                    Some(procfile_script(procfile.as_deref().or(file)))
                }
                _ => None,
            }
        }
        // `gdb [options] --args CMD ARGS`.
        "gdb" if argv.iter().any(|a| a == "--args") => {
            let k = argv.iter().position(|a| a == "--args")?;
            (k + 1 < argv.len()).then(|| script(&argv[k + 1..]))
        }
        _ => None,
    }
}

/// A Procfile's entries (`web: npm start`), read as a script: each entry's name is a word in
/// front of its command, which is read as any program's words are.
pub(super) fn procfile_script(file: Option<&str>) -> Inner {
    Inner::Script(format!("sh {}", quote(file.unwrap_or("Procfile"))))
}

/// Words quoted for the shell, joined.
pub(super) fn words(w: &[String]) -> String {
    w.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

/// The value of the first of `options` (`--run CMD`, `--run=CMD`).
fn value(argv: &[String], options: &[&str]) -> Option<String> {
    argv.iter().enumerate().find_map(|(k, a)| {
        options.iter().find_map(|o| {
            if a == o {
                argv.get(k + 1).cloned()
            } else {
                a.strip_prefix(&format!("{o}=")).map(str::to_string)
            }
        })
    })
}

/// A version nvm understands (`20`, `v20.1`, `lts/iron`, `node`, `stable`).
fn node_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    v.starts_with(|c: char| c.is_ascii_digit())
        || v.starts_with("lts")
        || matches!(v, "node" | "stable" | "iojs" | "system" | "default" | "current")
}

fn is_url(a: &str) -> bool {
    a.bytes().all(|b| b.is_ascii_digit())
        || ["http://", "https://", "http-get://", "https-get://", "tcp:", "socket:"].iter().any(|p| a.starts_with(p))
        || a.starts_with("localhost:")
}

/// How many values bubblewrap's option `opt` takes.
fn bwrap_values(opt: &str) -> usize {
    match opt {
        "--overlay" => 3,
        "--bind" | "--ro-bind" | "--dev-bind" | "--bind-try" | "--ro-bind-try" | "--dev-bind-try" | "--symlink"
        | "--setenv" | "--file" | "--bind-data" | "--ro-bind-data" | "--chmod" | "--bind-fd" | "--ro-bind-fd" => 2,
        "--unshare-all"
        | "--unshare-user"
        | "--unshare-user-try"
        | "--unshare-ipc"
        | "--unshare-pid"
        | "--unshare-net"
        | "--unshare-uts"
        | "--unshare-cgroup"
        | "--unshare-cgroup-try"
        | "--share-net"
        | "--die-with-parent"
        | "--as-pid-1"
        | "--new-session"
        | "--clearenv"
        | "--disable-userns"
        | "--assert-userns-disabled"
        | "--level-prefix"
        | "--help"
        | "--version" => 0,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::super::unknown::unknown;
    use super::*;

    fn runs(line: &str) -> Option<String> {
        let cmd = crate::shell::parse(line).ok()?.remove(0);
        let name = cmd.argv[0].rsplit('/').next().unwrap_or(&cmd.argv[0]).to_string();
        match inner(&name, &cmd.argv).or_else(|| unknown(&name, &cmd.argv, cmd.heredoc.as_deref()))? {
            Inner::Argv(k) => Some(cmd.argv[k..].join(" ")),
            Inner::Script(s) => Some(s),
        }
    }

    /// Review of issue 19, round 2, finding 4: launchers before a literal command.
    #[test]
    fn launchers_run_the_command_after_them() {
        let reset = "npx prisma migrate reset --force";
        for line in [
            "volta run npx prisma migrate reset --force",
            "volta run --node 20 npx prisma migrate reset --force",
            "pkgx npx prisma migrate reset --force",
            "pkgx +nodejs.org@20 npx prisma migrate reset --force",
            "asdf exec npx prisma migrate reset --force",
            "fnm exec --using 20 npx prisma migrate reset --force",
            "nvm exec 20 npx prisma migrate reset --force",
            "nvm exec npx prisma migrate reset --force",
            "direnv exec . npx prisma migrate reset --force",
            "nix develop -c npx prisma migrate reset --force",
            "run0 npx prisma migrate reset --force",
            "pkexec npx prisma migrate reset --force",
            "gosu app npx prisma migrate reset --force",
            "su-exec app npx prisma migrate reset --force",
            "setpriv --reuid=1000 npx prisma migrate reset --force",
            "chpst -u app npx prisma migrate reset --force",
            "dumb-init npx prisma migrate reset --force",
            "strace -f npx prisma migrate reset --force",
            "valgrind npx prisma migrate reset --force",
            "firejail --quiet npx prisma migrate reset --force",
            "bwrap --bind / / --dev /dev npx prisma migrate reset --force",
            "proot -w /app npx prisma migrate reset --force",
            "fakeroot npx prisma migrate reset --force",
            "setarch x86_64 -R npx prisma migrate reset --force",
            "numactl -C 0 npx prisma migrate reset --force",
            "faketime now npx prisma migrate reset --force",
            "torsocks npx prisma migrate reset --force",
            "proxychains4 -q npx prisma migrate reset --force",
            "xvfb-run -a npx prisma migrate reset --force",
            "rlwrap npx prisma migrate reset --force",
            "with-contenv npx prisma migrate reset --force",
            "sem --fg npx prisma migrate reset --force",
            "nix-shell -p nodejs --run 'npx prisma migrate reset --force'",
            "vagrant ssh -c 'npx prisma migrate reset --force'",
            "gcloud compute ssh vm --command 'npx prisma migrate reset --force'",
            "pm2 start 'npx prisma migrate reset --force'",
            "hyperfine 'npx prisma migrate reset --force'",
            "some-new-tool --flag value npx prisma migrate reset --force",
            "poetry run npx prisma migrate reset --force",
            "uv run --with x npx prisma migrate reset --force",
            "bundle exec npx prisma migrate reset --force",
        ] {
            assert_eq!(runs(line).as_deref(), Some(reset), "{line}");
        }
        assert_eq!(runs("awk 'BEGIN{system(\"rm -f dev.db\")}'").as_deref(), Some("rm -f dev.db"));
        assert_eq!(runs("vim -es '+!rm -f dev.db'").as_deref(), Some("rm -f dev.db"));
        assert_eq!(runs("gdb -batch -ex 'shell rm -f dev.db'").as_deref(), Some("rm -f dev.db"));
        assert_eq!(runs("emacs --batch --eval '(shell-command \"rm -f dev.db\")'").as_deref(), Some("rm -f dev.db"));
        assert_eq!(runs("julia -e 'run(`rm -f dev.db`)'").as_deref(), Some("rm -f dev.db"));
        assert_eq!(runs("tclsh <<< 'exec rm -f dev.db'").as_deref(), Some("exec rm -f dev.db"));
        assert_eq!(runs("zenstack db push --force-reset").as_deref(), Some("prisma db push --force-reset"));
        assert_eq!(runs("blitz prisma migrate reset").as_deref(), Some("prisma migrate reset"));
        assert_eq!(runs("rw prisma migrate reset").as_deref(), Some("prisma migrate reset"));
        assert_eq!(runs("nr db:reset").as_deref(), Some("npm run db:reset"));
        assert_eq!(
            runs("start-server-and-test 'npm run db:reset' 3000 test").as_deref(),
            Some("npm run db:reset\nnpm run test")
        );
    }

    fn judged(line: &str) -> crate::judge::Verdict {
        crate::judge::check(line, std::path::Path::new("/nonexistent"), crate::guard::classify::Options::default())
            .verdict
    }

    /// Review of issue 19, round 2, finding 4, through `check`: every launcher, program and
    /// framework before (or around) a reset is refused; the same with a harmless command is not.
    #[test]
    fn a_reset_behind_any_launcher_is_refused() {
        let reset = "npx prisma migrate reset --force";
        let forms = [
            "volta run {}",
            "pkgx {}",
            "asdf exec {}",
            "fnm exec --using 20 {}",
            "nvm exec 20 {}",
            "direnv exec . {}",
            "nix develop -c {}",
            "nix-shell -p nodejs --run '{}'",
            "run0 {}",
            "pkexec {}",
            "gosu app {}",
            "su-exec app {}",
            "setpriv {}",
            "chpst -u app {}",
            "dumb-init {}",
            "strace -f {}",
            "valgrind {}",
            "firejail {}",
            "bwrap --bind / / {}",
            "proot {}",
            "fakeroot {}",
            "setarch x86_64 {}",
            "numactl -C 0 {}",
            "faketime now {}",
            "torsocks {}",
            "proxychains4 {}",
            "xvfb-run -a {}",
            "rlwrap {}",
            "with-contenv {}",
            "sops exec-env f '{}'",
            "sem --fg {}",
            "vagrant ssh -c '{}'",
            "gcloud compute ssh vm --command '{}'",
            "script -q /dev/null {}",
            "pm2 start '{}'",
            "hyperfine '{}'",
            "watch -n 5 '{}'",
            "start-server-and-test '{}' 3000 jest",
            "awk 'BEGIN{system(\"{}\")}'",
            "lua -e 'os.execute(\"{}\")'",
            "Rscript -e 'system(\"{}\")'",
            "julia -e 'run(`{}`)'",
            "vim -es '+!{}'",
            "gdb -batch -ex 'shell {}'",
            "emacs --batch --eval '(shell-command \"{}\")'",
            "tclsh <<< 'exec {}'",
            "make -f - <<< $'x:\\n\\t{}'",
            "make --eval=$'x:\\n\\t{}' x",
            "sqlite3 :memory: '.shell {}'",
            "sqlite3 :memory: '.system {}'",
            "unknown-tool --flag value {}",
        ];
        for form in forms {
            let line = form.replace("{}", reset);
            assert_eq!(judged(&line), crate::judge::Verdict::Destructive, "{line}");
            let harmless = form.replace("{}", "npx prisma migrate status");
            assert_eq!(judged(&harmless), crate::judge::Verdict::Allow, "{harmless}");
        }
        for line in [
            "npx blitz prisma migrate reset --force",
            "yarn rw prisma migrate reset --force",
            "npx redwood prisma migrate reset --force",
            "npx keystone prisma migrate reset",
            "npx zenstack db push --force-reset",
        ] {
            assert_eq!(judged(line), crate::judge::Verdict::Destructive, "{line}");
        }
        for line in [
            "npx zenstack generate",
            "yarn rw dev",
            "npx blitz dev",
            "pm2 logs",
            "hyperfine 'sleep 1'",
            "watch -n 1 ls",
        ] {
            assert_eq!(judged(line), crate::judge::Verdict::Allow, "{line}");
        }
    }
}
