//! Commands that run another command: secret and environment runners (`dotenv-flow`,
//! `varlock run`, `railway run`, `vercel env run`, `infisical run --command`), remote and
//! container shells (`ssh host CMD`, `fly ssh console -C`, `heroku run`, `kubectl exec`,
//! `docker exec`, `docker compose exec|run`), and, for any other tool, the form
//! `tool [options] -- CMD ARGS`. What they run is judged as if it ran here: a production
//! database reached through `heroku run` is lost all the same.

/// What a wrapper runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Inner {
    /// The command starting at this index of argv.
    Argv(usize),
    /// A shell script (`ssh host 'CMD'`, `fly ssh console -C 'CMD'`).
    Script(String),
}

/// Tools whose words after `--` are paths, patterns or arguments, never a command.
const DASHDASH_IS_DATA: &[&str] = &[
    "git",
    "rm",
    "rg",
    "grep",
    "egrep",
    "fgrep",
    "ls",
    "cat",
    "cp",
    "mv",
    "ln",
    "touch",
    "chmod",
    "chown",
    "mkdir",
    "rmdir",
    "echo",
    "printf",
    "diff",
    "head",
    "tail",
    "find",
    "sed",
    "awk",
    "tar",
    "kill",
    "set",
    "test",
    "[",
    "wc",
    "sort",
    "cargo",
    "prisma-guard",
    "less",
    "more",
    "stat",
    "file",
    "du",
    "realpath",
    "basename",
    "dirname",
    "readlink",
    "getopt",
    "jq",
    "code",
    "open",
    "xdg-open",
    "unlink",
    "truncate",
    "shred",
    "install",
    "patch",
];

/// The command a wrapper `name` (argv[0], base name) runs, when it runs one.
pub(crate) fn inner(name: &str, argv: &[String]) -> Option<Inner> {
    let sub = |k: usize| argv.get(k).map(String::as_str);
    match name {
        "docker" | "podman" | "nerdctl" => docker(argv, 1),
        "docker-compose" | "podman-compose" => compose(argv, 1),
        // `kubectl exec POD [-c C] -- CMD` (and the old `kubectl exec POD CMD`).
        "kubectl" | "oc" => match sub(1) {
            Some("exec") => after_dashdash(argv)
                .or_else(|| operand_after(argv, 2, &["-c", "--container", "-n", "--namespace", "-f", "--filename"], 1)),
            Some("debug" | "run") => after_dashdash(argv),
            _ => None,
        },
        "railway" => match sub(1) {
            Some("run") => operand_after(argv, 2, &["-s", "--service", "-e", "--environment"], 0),
            Some("ssh") => after_dashdash(argv).or_else(|| operand_after(argv, 2, &["-s", "--service"], 0)),
            _ => None,
        },
        "heroku" if sub(1) == Some("local") => {
            let file = argv.iter().position(|a| a == "-f" || a == "--procfile").and_then(|k| argv.get(k + 1));
            Some(super::launchers::procfile_script(file.map(String::as_str)))
        }
        "heroku" => match sub(1) {
            Some("run" | "run:detached" | "run:inside") => operand_after(
                argv,
                2,
                &["-a", "--app", "-r", "--remote", "-s", "--size", "-e", "--env", "--type", "--listen"],
                0,
            ),
            _ => None,
        },
        "vercel" | "vc" => (sub(1) == Some("env") && sub(2) == Some("run"))
            .then(|| after_dashdash(argv).or_else(|| operand_after(argv, 3, &["-e", "--environment"], 0)))
            .flatten(),
        "fly" | "flyctl" => {
            let k = argv.iter().position(|a| a == "-C" || a == "--command")?;
            argv.get(k + 1).map(|s| Inner::Script(s.clone()))
        }
        // `ssh [options] HOST CMD...`: the remote shell runs the words joined.
        "ssh" => {
            let values =
                ["-p", "-i", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-E", "-b", "-c", "-e", "-m", "-O", "-Q"];
            let mut i = 1;
            while let Some(a) = argv.get(i) {
                if !a.starts_with('-') {
                    break;
                }
                i += if values.contains(&a.as_str()) { 2 } else { 1 };
            }
            let rest = argv.get(i + 1..).filter(|r| !r.is_empty())?;
            Some(Inner::Script(rest.join(" ")))
        }
        // `infisical run --command "CMD"`, `doppler run --command "CMD"`.
        "infisical" | "doppler" if argv.iter().any(|a| a == "--command" || a.starts_with("--command=")) => {
            let k = argv.iter().position(|a| a == "--command" || a.starts_with("--command="))?;
            match argv[k].strip_prefix("--command=") {
                Some(s) => Some(Inner::Script(s.to_string())),
                None => argv.get(k + 1).map(|s| Inner::Script(s.clone())),
            }
        }
        // `sops exec-env FILE 'CMD'`, `sops exec-file FILE 'CMD {}'`: CMD in a shell.
        "sops" if matches!(sub(1), Some("exec-env" | "exec-file")) => {
            let k = operand_after(argv, 2, &["--output-type", "--input-type", "--filename"], 1)?;
            match k {
                Inner::Argv(k) => argv.get(k).map(|s| Inner::Script(s.clone())),
                other @ Inner::Script(_) => Some(other),
            }
        }
        "varlock" | "dotenv-flow" | "dotenv-flow-cli" | "senv" | "teller" | "chamber" | "aws-vault" | "summon"
        | "sops" | "envchain" => after_dashdash(argv).or_else(|| match name {
            // `aws-vault exec PROFILE CMD`, `chamber exec SVC -- CMD`, `envchain NS CMD`.
            "aws-vault" | "chamber" if sub(1) == Some("exec") => operand_after(argv, 2, &[], 1),
            "envchain" => operand_after(argv, 1, &[], 1),
            _ => None,
        }),
        _ => super::launchers::inner(name, argv),
    }
}

/// Any other tool: a command among its words (`sem --fg npx prisma ...`, `bwrap --bind / /
/// rm ...`) or in a string it is given (`pm2 start "npx prisma ..."`, `awk 'BEGIN{system("rm
/// ...")}'`, `gdb -ex 'shell ...'`, its input), judged as if run; otherwise `tool [options] --
/// CMD ARGS`, unless its `--` ends options before data.
pub(super) fn generic(name: &str, argv: &[String], input: Option<&str>) -> Option<Inner> {
    if let Some(found) = super::unknown::unknown(name, argv, input) {
        return Some(found);
    }
    if DASHDASH_IS_DATA.contains(&name) {
        return None;
    }
    let k = argv.iter().skip(1).position(|a| a == "--")? + 1;
    let next = argv.get(k + 1)?;
    (!next.starts_with('-')).then_some(Inner::Argv(k + 1))
}

/// The words after the first `--`.
pub(super) fn after_dashdash(argv: &[String]) -> Option<Inner> {
    let k = argv.iter().position(|a| a == "--")?;
    (k + 1 < argv.len()).then_some(Inner::Argv(k + 1))
}

/// The command after options (those in `values` take the next word) and `skip` operands,
/// from index `from`.
pub(super) fn operand_after(argv: &[String], from: usize, values: &[&str], skip: usize) -> Option<Inner> {
    let mut i = from;
    let mut skipped = 0;
    while let Some(a) = argv.get(i) {
        if a == "--" {
            i += 1;
            if skipped >= skip {
                break;
            }
            continue;
        }
        if a.starts_with('-') && a.len() > 1 {
            i += if values.contains(&a.as_str()) { 2 } else { 1 };
            continue;
        }
        if skipped < skip {
            skipped += 1;
            i += 1;
            continue;
        }
        break;
    }
    (i < argv.len()).then_some(Inner::Argv(i))
}

/// `docker exec [opts] CONTAINER CMD`, `docker run [opts] IMAGE CMD`, `docker compose ...`.
fn docker(argv: &[String], from: usize) -> Option<Inner> {
    // Global options before the subcommand (`docker -H host exec ...`, `--context X`).
    let mut i = from;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-')) {
        i += if matches!(a.as_str(), "-H" | "--host" | "-c" | "--context" | "--config" | "-l" | "--log-level") {
            2
        } else {
            1
        };
    }
    match argv.get(i).map(String::as_str)? {
        "compose" => compose(argv, i + 1),
        "exec" => operand_after(
            argv,
            i + 1,
            &["-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys"],
            1,
        ),
        "run" | "container" => {
            let i = if argv[i] == "container" {
                if !matches!(argv.get(i + 1).map(String::as_str), Some("run" | "exec")) {
                    return None;
                }
                i + 1
            } else {
                i
            };
            operand_after(argv, i + 1, DOCKER_RUN_VALUES, 1)
        }
        _ => None,
    }
}

/// `docker compose` options before the subcommand that take the next word as their value.
pub(crate) const COMPOSE_VALUES: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--profile",
    "--env-file",
    "--project-directory",
    "--parallel",
    "--ansi",
    "--progress",
];

/// `docker compose [global] exec|run [opts] SERVICE CMD`.
fn compose(argv: &[String], from: usize) -> Option<Inner> {
    let mut i = from;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-')) {
        i += if COMPOSE_VALUES.contains(&a.as_str()) { 2 } else { 1 };
    }
    match argv.get(i).map(String::as_str)? {
        "exec" => operand_after(argv, i + 1, &["-e", "--env", "-u", "--user", "-w", "--workdir", "--index"], 1),
        "run" => operand_after(argv, i + 1, DOCKER_RUN_VALUES, 1),
        _ => None,
    }
}

/// `docker run` and `docker compose run` options that take a value.
const DOCKER_RUN_VALUES: &[&str] = &[
    "-e",
    "--env",
    "--env-file",
    "--env-from-file",
    "-u",
    "--user",
    "-w",
    "--workdir",
    "--name",
    "--entrypoint",
    "-p",
    "--publish",
    "-v",
    "--volume",
    "-l",
    "--label",
    "--cap-add",
    "--cap-drop",
    "--network",
    "--net",
    "-m",
    "--memory",
    "--mount",
    "--platform",
    "--pull",
    "--restart",
    "-h",
    "--hostname",
    "--add-host",
    "--cpus",
    "--device",
    "--dns",
    "--label-file",
    "--link",
    "--log-driver",
    "--log-opt",
    "--ulimit",
    "--volumes-from",
    "--tmpfs",
    "--gpus",
    "--security-opt",
    "--stop-signal",
    "--stop-timeout",
    "--shm-size",
    "--pid",
    "--ipc",
    "--cidfile",
    "--expose",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    fn runs(line: &str) -> Option<String> {
        let argv = words(line);
        let name = argv[0].clone();
        match inner(&name, &argv).or_else(|| generic(&name, &argv, None))? {
            Inner::Argv(k) => Some(argv[k..].join(" ")),
            Inner::Script(s) => Some(s),
        }
    }

    #[test]
    fn wrappers_lead_to_their_command() {
        let cmd = "npx prisma migrate reset";
        for line in [
            "docker exec -it -e A=1 app npx prisma migrate reset",
            "docker -H tcp://x exec app npx prisma migrate reset",
            "docker compose exec -T app npx prisma migrate reset",
            "docker compose -f dev.yml run --rm -e X=1 app npx prisma migrate reset",
            "docker-compose run app npx prisma migrate reset",
            "docker run --rm -v x:/y node:22 npx prisma migrate reset",
            "docker container exec app npx prisma migrate reset",
            "podman exec app npx prisma migrate reset",
            "kubectl exec -it pod -c api -- npx prisma migrate reset",
            "kubectl exec pod npx prisma migrate reset",
            "railway run npx prisma migrate reset",
            "railway run -s api npx prisma migrate reset",
            "heroku run -a app npx prisma migrate reset",
            "vercel env run -e production -- npx prisma migrate reset",
            "varlock run -- npx prisma migrate reset",
            "dotenv-flow -c production -- npx prisma migrate reset",
            "aws-vault exec prod npx prisma migrate reset",
            "mytool --verbose -o x -- npx prisma migrate reset",
        ] {
            assert_eq!(runs(line).as_deref(), Some(cmd), "{line}");
        }
        assert_eq!(runs("ssh -p 22 host npx prisma migrate reset").as_deref(), Some(cmd));
        let argv = vec!["fly".to_string(), "ssh".into(), "console".into(), "-C".into(), cmd.into()];
        assert_eq!(inner("fly", &argv), Some(Inner::Script(cmd.into())));
        let argv = vec!["infisical".to_string(), "run".into(), "--command".into(), cmd.into()];
        assert_eq!(inner("infisical", &argv), Some(Inner::Script(cmd.into())));
    }

    #[test]
    fn data_after_dashdash_is_not_a_command() {
        for line in [
            "git checkout -- prisma",
            "rm -- prisma",
            "grep -r -- prisma .",
            "cargo test -- --nocapture",
            "docker ps",
            "docker compose up -d",
            "kubectl get pods",
            "heroku logs -a app",
        ] {
            assert_eq!(runs(line), None, "{line}");
        }
    }
}
