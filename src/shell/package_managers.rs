//! Package managers' command lines as the shell walk follows them: npm, pnpm, yarn and bun
//! (scripts, `exec`/`dlx`/`x`, installs and their lifecycle scripts, workspaces), and the
//! `npx`-style runners that fetch and start a package binary.

use super::resolve::{is_code_file, is_prisma_entry, is_prisma_word, peel, At, EnvChange, Target};
use super::runner_options::*;

/// `npm run X`, `npm exec|x`, `npm test|start|stop`, installs and their lifecycle scripts,
/// `npm pack|publish|version`, `npm explore PKG -- CMD`, `npm it|cit`, `npm restart`.
pub(super) fn npm(
    argv: &[String],
    heredoc: Option<&str>,
    env: &mut Vec<EnvChange>,
    chain: &mut Vec<String>,
    n: usize,
    inner: &mut Vec<String>,
) -> Target {
    let name = "npm";
    let o = RunnerOptions::read(argv, NPM_VALUES, true);
    match o.words.first().map(String::as_str) {
        // `npm exec --workspaces -- CMD`, `npm exec -w db -- CMD`: CMD in those packages.
        Some("exec" | "x") if o.workspaces.is_some() => {
            chain.push("npm exec".into());
            let words: Vec<String> = argv[o.index_of(0) + 1..].iter().map(|a| crate::shell::quote(a)).collect();
            let words = if words.first().is_some_and(|w| w == "--") { &words[1..] } else { &words[..] };
            Target::InPackages { at: o.at(), script: words.join(" ") }
        }
        Some("exec" | "x") => runner_exec("npm exec", argv, o.index_of(0) + 1, env, chain, heredoc, n, inner),
        Some("run" | "run-script" | "rum" | "urn" | "rr") => o.script(name, 1, chain),
        // `npm it`/`install-test`/`cit`/`clean-install-test`: an install, then `npm test`.
        Some("it" | "install-test" | "cit" | "clean-install-test" | "sit") => {
            chain.push("npm".into());
            let at = o.dir.as_ref().map(|d| format!(" --prefix {}", crate::shell::quote(d))).unwrap_or_default();
            Target::Shell { script: format!("npm{at} install\nnpm{at} test") }
        }
        // `npm restart`: the restart script, or stop then start, with their pre/post.
        // `npm restart -w db`: in those packages.
        Some("restart") if o.workspaces.is_some() => {
            chain.push("npm".into());
            Target::InPackages { at: o.at(), script: "npm run restart\nnpm stop\nnpm start".into() }
        }
        Some("restart") => {
            chain.push("npm".into());
            let at = o.dir.as_ref().map(|d| format!(" --prefix {}", crate::shell::quote(d))).unwrap_or_default();
            Target::Shell { script: format!("npm{at} run restart\nnpm{at} stop\nnpm{at} start") }
        }
        Some(s @ ("start" | "test" | "t" | "tst" | "stop")) => {
            let s = match s {
                "t" | "tst" => "test",
                other => other,
            };
            chain.push("npm".into());
            Target::Script { name: s.to_string(), args: o.words[1..].to_vec(), at: o.at() }
        }
        Some("install" | "i" | "isntall") if o.words.len() == 1 => lifecycle("npm", &o, env, chain),
        Some("ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean" | "rebuild" | "rb") => {
            lifecycle("npm", &o, env, chain)
        }
        // Packing, publishing and versioning run their lifecycle scripts (also with
        // --dry-run).
        Some("pack") => lifecycle_of("npm pack", &o, env, chain, &["prepack", "prepare", "postpack"]),
        Some("publish") => lifecycle_of(
            "npm publish",
            &o,
            env,
            chain,
            &["prepublishOnly", "prepack", "prepare", "postpack", "publish", "postpublish"],
        ),
        Some("version") if o.words.len() > 1 => {
            lifecycle_of("npm version", &o, env, chain, &["preversion", "version", "postversion"])
        }
        // `npm explore PKG -- CMD`: CMD in that package's folder.
        Some("explore") => match (argv.iter().position(|a| a == "--"), o.words.get(1)) {
            (Some(k), Some(pkg)) => {
                chain.push("npm explore".into());
                let cmd: Vec<String> = argv[k + 1..].iter().map(|a| crate::shell::quote(a)).collect();
                Target::Shell {
                    script: format!("cd {} && {}", crate::shell::quote(&format!("node_modules/{pkg}")), cmd.join(" ")),
                }
            }
            _ => Target::Other,
        },
        _ => Target::Other,
    }
}

/// `pnpm X` (a script or a binary), `pnpm run|exec|dlx`, `pnpm -r|--filter|-C`, installs.
pub(super) fn pnpm(
    argv: &[String],
    heredoc: Option<&str>,
    env: &mut Vec<EnvChange>,
    chain: &mut Vec<String>,
    n: usize,
    inner: &mut Vec<String>,
) -> Target {
    let name = "pnpm";
    let o = RunnerOptions::read(argv, PNPM_VALUES, false);
    // `pnpm recursive|multi|m CMD`: `pnpm -r CMD`.
    let (o, k) = match o.words.first().map(String::as_str) {
        Some("recursive" | "multi" | "m") => {
            let mut o = o;
            o.workspaces.get_or_insert_with(Vec::new);
            (o, 1)
        }
        _ => (o, 0),
    };
    match o.words.get(k).map(String::as_str) {
        // `pnpm -C pkg exec CMD`, `pnpm --filter db exec CMD`: CMD in those packages.
        Some("exec") if !matches!(o.at(), At::Here | At::Root) => {
            chain.push("pnpm exec".into());
            let words: Vec<String> = argv[o.index_of(k) + 1..].iter().map(|a| crate::shell::quote(a)).collect();
            let words = if words.first().is_some_and(|w| w == "--") { &words[1..] } else { &words[..] };
            Target::InPackages { at: o.at(), script: words.join(" ") }
        }
        Some(w @ ("exec" | "dlx")) => {
            runner_exec(&format!("pnpm {w}"), argv, o.index_of(k) + 1, env, chain, heredoc, n, inner)
        }
        Some("run" | "run-script") => o.script(name, k + 1, chain),
        Some("install" | "i") if o.words.len() == k + 1 => lifecycle("pnpm", &o, env, chain),
        Some("rebuild" | "rb") => lifecycle("pnpm", &o, env, chain),
        Some(w) if PNPM_BUILTINS.contains(&w) => Target::Other,
        Some(_) => o.script(name, k, chain),
        None => Target::Other,
    }
}

/// `yarn X`, `yarn run|dlx|exec|node`, `yarn workspace NAME X`, `yarn workspaces foreach`, installs.
pub(super) fn yarn(
    argv: &[String],
    heredoc: Option<&str>,
    env: &mut Vec<EnvChange>,
    chain: &mut Vec<String>,
    n: usize,
    inner: &mut Vec<String>,
) -> Target {
    let name = "yarn";
    let o = RunnerOptions::read(argv, YARN_VALUES, false);
    match o.words.first().map(String::as_str) {
        Some(w @ ("dlx" | "exec")) => {
            runner_exec(&format!("yarn {w}"), argv, o.index_of(0) + 1, env, chain, heredoc, n, inner)
        }
        // `yarn node FILE`: node, with the project's environment.
        Some("node") => {
            chain.push("yarn".into());
            peel(argv.get(o.index_of(0)..).unwrap_or(&[]), heredoc, env, chain, n + 1, inner)
        }
        Some("run") => o.script(name, 1, chain),
        // `yarn workspace NAME [run] script`, `yarn workspace NAME exec|dlx CMD`.
        Some("workspace") => {
            let mut o = o;
            let selector = o.words.get(1).cloned().unwrap_or_default();
            o.workspaces = Some(vec![selector]);
            match o.words.get(2).map(String::as_str) {
                // `yarn workspace NAME exec CMD`: CMD in that package's folder.
                Some("exec") if !argv.get(o.index_of(2) + 1).is_some_and(|w| is_prisma_word(w)) => {
                    chain.push("yarn workspace exec".into());
                    let words: Vec<String> = argv[o.index_of(2) + 1..].iter().map(|a| crate::shell::quote(a)).collect();
                    let words = if words.first().is_some_and(|w| w == "--") { &words[1..] } else { &words[..] };
                    Target::InPackages { at: o.at(), script: words.join(" ") }
                }
                Some(w @ ("exec" | "dlx")) => {
                    runner_exec(&format!("yarn workspace {w}"), argv, o.index_of(2) + 1, env, chain, heredoc, n, inner)
                }
                Some("run") => o.script(name, 3, chain),
                _ => o.script(name, 2, chain),
            }
        }
        // `yarn workspaces foreach [-A] exec CMD`: CMD in each package's folder.
        Some("workspaces") if o.words.iter().any(|w| w == "exec") => {
            chain.push("yarn workspaces foreach exec".into());
            let k = o.words.iter().position(|w| w == "exec").unwrap_or(0);
            let include: Vec<String> = argv
                .windows(2)
                .filter(|w| w[0] == "--include")
                .map(|w| w[1].clone())
                .chain(argv.iter().filter_map(|a| a.strip_prefix("--include=").map(String::from)))
                .collect();
            let words: Vec<String> = argv[o.index_of(k) + 1..].iter().map(|a| crate::shell::quote(a)).collect();
            let words = if words.first().is_some_and(|w| w == "--") { &words[1..] } else { &words[..] };
            Target::InPackages { at: At::Workspaces(include), script: words.join(" ") }
        }
        // `yarn workspaces foreach [-A] run X` (berry), `yarn workspaces run X` (v1).
        Some("workspaces") => match o.words.iter().position(|w| w == "run") {
            Some(k) => {
                let mut o = o;
                o.workspaces = Some(Vec::new());
                o.script(name, k + 1, chain)
            }
            None => Target::Other,
        },
        Some("install") if o.words.len() == 1 => lifecycle("yarn", &o, env, chain),
        Some(w) if YARN_BUILTINS.contains(&w) => Target::Other,
        Some(_) => o.script(name, 0, chain),
        // A bare `yarn` installs.
        None if !argv[1..].iter().any(|a| matches!(a.as_str(), "-v" | "--version" | "-h" | "--help")) => {
            lifecycle("yarn", &o, env, chain)
        }
        None => Target::Other,
    }
}

/// `bun run X`, `bun x`, `bun FILE.ts`, installs.
pub(super) fn bun(
    argv: &[String],
    heredoc: Option<&str>,
    env: &mut Vec<EnvChange>,
    chain: &mut Vec<String>,
    n: usize,
    inner: &mut Vec<String>,
) -> Target {
    let name = "bun";
    let o = RunnerOptions::read(argv, BUN_VALUES, false);
    match o.words.first().map(String::as_str) {
        Some("x") => runner_exec("bun x", argv, o.index_of(0) + 1, env, chain, heredoc, n, inner),
        Some("install" | "i") if o.words.len() == 1 => lifecycle("bun", &o, env, chain),
        Some(path) if is_prisma_entry(path) => {
            chain.push(name.into());
            Target::Prisma { args: o.words[1..].to_vec(), direct: Some(path.to_string()) }
        }
        // `bun run FILE.ts`, `bun FILE.js`: bun runs the file.
        Some("run") if o.words.get(1).is_some_and(|w| is_code_file(w)) => {
            chain.push(name.into());
            Target::Code { path: o.words[1].clone(), args: o.words[2..].to_vec() }
        }
        Some(w) if is_code_file(w) => {
            chain.push(name.into());
            Target::Code { path: w.to_string(), args: o.words[1..].to_vec() }
        }
        Some("run") => o.script(name, 1, chain),
        Some(w) if !BUN_BUILTINS.contains(&w) => o.script(name, 0, chain),
        _ => Target::Other,
    }
}

/// `npx [opts] cmd args`: options such as `--yes`, `-p pkg`, `--package=pkg`, `-c 'script'`.
#[allow(clippy::too_many_arguments)]
pub(super) fn runner_exec(
    runner: &str,
    argv: &[String],
    mut i: usize,
    env: &mut Vec<EnvChange>,
    chain: &mut Vec<String>,
    heredoc: Option<&str>,
    n: usize,
    inner: &mut Vec<String>,
) -> Target {
    chain.push(runner.to_string());
    // `-p prisma@7`: the packages it installs for the command.
    let mut packages = Vec::new();
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "--" => {
                i += 1;
                break;
            }
            "-c" | "--call" => {
                return argv.get(i + 1).map_or(Target::Other, |s| Target::Shell { script: s.clone() });
            }
            s if s.starts_with("--call=") => return Target::Shell { script: s["--call=".len()..].to_string() },
            "-p" | "--package" => {
                packages.extend(argv.get(i + 1).cloned());
                i += 2
            }
            "--prefix" | "-w" | "--workspace" | "--cache" | "--userconfig" | "--registry" => i += 2,
            s if s.starts_with("--package=") => {
                packages.push(s["--package=".len()..].to_string());
                i += 1
            }
            s if s.starts_with('-') => i += 1,
            _ => break,
        }
    }
    match argv.get(i) {
        // `npx prisma`, and Prisma fetched by another name: `npx npm:prisma`, a tarball URL.
        Some(cmd) if is_prisma_word(cmd) || is_prisma_spec(cmd) => {
            // `npm exec prisma -- migrate reset`: npm drops the first `--`.
            let mut args = argv[i + 1..].to_vec();
            if args.first().is_some_and(|a| a == "--") {
                args.remove(0);
            }
            let direct = match is_prisma_spec(cmd) {
                true => Some(format!("`{runner} {cmd}` fetches its own prisma")),
                false => downloads_prisma(runner, cmd, &packages),
            };
            Target::Prisma { args, direct }
        }
        // A package fetched from a URL, a tarball or a repository, given Prisma's commands: what
        // it is cannot be known here, and it runs past the shim.
        Some(cmd)
            if is_fetched_spec(cmd) && argv.get(i + 1).is_some_and(|a| matches!(a.as_str(), "migrate" | "db")) =>
        {
            Target::Prisma {
                args: argv[i + 1..].to_vec(),
                direct: Some(format!("`{runner} {cmd}` fetches a package not checked here")),
            }
        }
        // `npx @prisma-guard/cli uninstall`: the package's binary is prisma-guard.
        Some(cmd) if super::resolve::is_guard_package(cmd) => {
            let mut words = vec!["prisma-guard".to_string()];
            let from = if argv.get(i + 1).is_some_and(|a| a == "--") { i + 2 } else { i + 1 };
            words.extend(argv[from..].iter().cloned());
            peel(&words, heredoc, env, chain, n + 1, inner)
        }
        // `npx pnpm@9 ...`, `npx turbo@2 run x`: the package at a version is the same tool.
        Some(cmd) if !cmd.starts_with('@') && cmd.contains('@') && !cmd.contains('/') => {
            let mut words = vec![cmd.split('@').next().unwrap_or(cmd).to_string()];
            let from = if argv.get(i + 1).is_some_and(|a| a == "--") { i + 2 } else { i + 1 };
            words.extend(argv[from..].iter().cloned());
            peel(&words, heredoc, env, chain, n + 1, inner)
        }
        // `npm exec CMD -- ARGS`: the runner drops the `--` after the command, whatever it is.
        Some(_) if argv.get(i + 1).is_some_and(|a| a == "--") => {
            let mut words = vec![argv[i].clone()];
            words.extend(argv[i + 2..].iter().cloned());
            peel(&words, heredoc, env, chain, n + 1, inner)
        }
        Some(_) => peel(&argv[i..], heredoc, env, chain, n + 1, inner),
        None => Target::Other,
    }
}

/// A package spec fetched from a URL, a tarball or a repository rather than by name.
fn is_fetched_spec(spec: &str) -> bool {
    spec.contains("://")
        || [".tgz", ".tar.gz"].iter().any(|e| spec.ends_with(e))
        || ["github:", "gitlab:", "bitbucket:", "git+", "file:"].iter().any(|p| spec.starts_with(p))
}

/// A package spec that names the Prisma CLI without the plain name `prisma`: an npm alias
/// (`npm:prisma@7`, `npm:@prisma/cli`), a registry tarball (`https://registry.npmjs.org/prisma/
/// -/prisma-7.10.1.tgz`, a local `prisma-7.10.1.tgz`), or Prisma's repository
/// (`github:prisma/prisma`, `git+https://github.com/prisma/prisma.git`).
pub(super) fn is_prisma_spec(spec: &str) -> bool {
    let lower = spec.to_ascii_lowercase();
    if let Some(pkg) = lower.strip_prefix("npm:") {
        let name = match pkg.strip_prefix('@') {
            Some(scoped) => format!("@{}", scoped.split('@').next().unwrap_or("")),
            None => pkg.split('@').next().unwrap_or("").to_string(),
        };
        return name == "prisma" || name == "@prisma/cli";
    }
    let file = lower.rsplit('/').next().unwrap_or(&lower);
    let tarball = [".tgz", ".tar.gz", ".tar"].iter().any(|e| file.ends_with(e))
        && (file.strip_prefix("prisma-").is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
            || file.strip_prefix("cli-").is_some_and(|_| lower.contains("/@prisma/cli/")));
    let repo = lower.split('#').next().unwrap_or(&lower).trim_end_matches('/').trim_end_matches(".git");
    tarball
        || lower.contains("/prisma/-/")
        || lower.contains("/@prisma/cli/-/")
        || matches!(repo, "prisma/prisma" | "github:prisma/prisma")
        || repo.ends_with("github.com/prisma/prisma")
        || repo.ends_with("github.com:prisma/prisma")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review of issue 19, round 2, finding 17: Prisma fetched by an alias, a tarball or its
    /// repository is Prisma, past the shim.
    #[test]
    fn prisma_by_another_spec_is_prisma() {
        for spec in [
            "npm:prisma",
            "npm:prisma@7.10.1",
            "npm:@prisma/cli",
            "https://registry.npmjs.org/prisma/-/prisma-7.10.1.tgz",
            "./prisma-7.10.1.tgz",
            "github:prisma/prisma",
            "prisma/prisma",
            "git+https://github.com/prisma/prisma.git",
        ] {
            assert!(is_prisma_spec(spec), "{spec}");
        }
        for spec in
            ["npm:zod", "prisma-client.tgz", "https://example.com/x.tgz", "github:acme/prisma-tools", "@prisma/client"]
        {
            assert!(!is_prisma_spec(spec), "{spec}");
        }
        let judged = |line: &str| {
            crate::judge::check(line, std::path::Path::new("/nonexistent"), crate::guard::classify::Options::default())
                .verdict
        };
        for line in [
            "npx https://registry.npmjs.org/prisma/-/prisma-7.10.1.tgz migrate reset --force",
            "npx npm:prisma migrate reset --force",
            "npx -y npm:prisma@7 db push --force-reset",
            "npx -p https://registry.npmjs.org/prisma/-/prisma-7.10.1.tgz prisma migrate deploy",
        ] {
            assert_eq!(judged(line), crate::judge::Verdict::Destructive, "{line}");
        }
        assert_eq!(judged("npx npm:prisma generate"), crate::judge::Verdict::Allow);
    }

    /// Review (issue 21, round 2, D11): prisma-guard run by its npm package's name (the form
    /// the README uses) or through its Node launcher is prisma-guard: switching it off is
    /// refused as `prisma-guard uninstall` is, and what only reads stays allowed.
    #[test]
    fn the_npm_package_and_its_launcher_are_prisma_guard() {
        let judged = |line: &str| {
            crate::judge::check(line, std::path::Path::new("/nonexistent"), crate::guard::classify::Options::default())
                .verdict
        };
        for line in [
            "npx @prisma-guard/cli uninstall",
            "npx -y @prisma-guard/cli@0.1.0 hooks uninstall",
            "pnpm dlx @prisma-guard/cli unprotect",
            "npm exec @prisma-guard/cli -- prune --yes",
            "npm x @prisma-guard/cli uninstall",
            "bunx @prisma-guard/cli uninstall",
            "yarn dlx @prisma-guard/cli uninstall",
            "npx npm:@prisma-guard/cli uninstall",
            "node node_modules/@prisma-guard/cli/bin/prisma-guard.js uninstall",
            "node ./node_modules/.bin/prisma-guard.js hooks uninstall",
        ] {
            assert_eq!(judged(line), crate::judge::Verdict::Destructive, "{line}");
        }
        for line in ["npx @prisma-guard/cli doctor", "npx @prisma-guard/cli --version", "npx @prisma-guard/cli status"]
        {
            assert_eq!(judged(line), crate::judge::Verdict::Allow, "{line}");
        }
    }
}
