//! prisma-guard's own npm package changed by a package manager: `@prisma-guard/cli` removed,
//! unlinked, or installed from anywhere but the registry (a folder, a tarball, a repository, an
//! alias: whatever it holds becomes the `node_modules/.bin/prisma-guard` every hook runs), a
//! `prisma-guard` installed globally (the npm name belongs to an unrelated package), and the
//! settings that keep the postinstall from putting the shim back (`npm pkg` edits of
//! `scripts.postinstall`, `npm config set ignore-scripts`).

use crate::install::invoke::NPM_PACKAGE;

/// Why `argv` (a package manager's command line) changes prisma-guard's own package or the
/// postinstall that keeps the shim in place, if it does.
pub fn changes_own_package(argv: &[String]) -> Option<String> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("");
    if !matches!(name, "npm" | "pnpm" | "yarn" | "bun" | "cnpm") {
        return None;
    }
    let words: Vec<&str> = argv[1..].iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    let line = argv.join(" ");
    let sub = words.first().copied().unwrap_or("");
    let ours = |w: &&str| {
        let w = w.strip_prefix("npm:").unwrap_or(w);
        w.starts_with("@prisma-guard/") || w.contains(&format!("{NPM_PACKAGE}@")) && w.contains(':')
    };
    let removes = matches!(sub, "remove" | "rm" | "r" | "uninstall" | "un" | "unlink" | "link" | "ln");
    if removes && words[1..].iter().any(ours) {
        return Some(format!("`{line}` removes or re-points prisma-guard's own package, which every hook runs"));
    }
    let installs = matches!(sub, "install" | "i" | "add" | "update" | "up" | "upgrade");
    if installs {
        for w in &words[1..] {
            // `@prisma-guard/cli@file:../x`, `@prisma-guard/cli@npm:other`, a git or URL spec.
            if let Some(spec) = w.strip_prefix(NPM_PACKAGE).and_then(|r| r.strip_prefix('@')) {
                if spec.contains(':') || spec.contains('/') {
                    return Some(format!(
                        "`{line}` installs prisma-guard's own package from `{spec}`, not the registry: whatever it holds becomes the prisma-guard every hook runs"
                    ));
                }
            }
            // An alias that installs something else under our name: `@prisma-guard/cli@npm:x`
            // is caught above; `x@npm:@prisma-guard/cli` is harmless.
        }
        let global = argv.iter().any(|a| matches!(a.as_str(), "-g" | "--global" | "--location=global"))
            || name == "yarn" && words.first() == Some(&"global");
        if global && words.iter().any(|w| *w == "prisma-guard" || w.starts_with("prisma-guard@")) {
            return Some(format!(
                "`{line}` installs the npm package `prisma-guard`, an unrelated project, where the hooks look for prisma-guard"
            ));
        }
    }
    // `npm pkg delete scripts.postinstall`, `npm pkg set scripts.postinstall=true`.
    if sub == "pkg" && matches!(words.get(1).copied(), Some("delete" | "set")) {
        if let Some(key) = words[2..].iter().find(|w| {
            let key = w.split('=').next().unwrap_or("");
            key == "scripts.postinstall" || key == "scripts" || key.contains(NPM_PACKAGE)
        }) {
            return Some(format!("`{line}` changes `{key}`, which puts prisma-guard's shim back after every install"));
        }
    }
    // `npm config set ignore-scripts true`: no install runs the postinstall any more.
    if sub == "config" && matches!(words.get(1).copied(), Some("set")) {
        let sets_off = argv.iter().any(|a| a.starts_with("ignore-scripts"))
            && !line.contains("ignore-scripts false")
            && !line.contains("ignore-scripts=false");
        if sets_off {
            return Some(format!(
                "`{line}` stops every install from running the postinstall that puts prisma-guard's shim back"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(line: &str) -> Option<String> {
        changes_own_package(&line.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    /// Review (issue 21, round 2, D3 and D10): prisma-guard's own package replaced, removed or
    /// its postinstall switched off, by one allowed command each.
    #[test]
    fn changing_prisma_guards_own_package_is_switching_it_off() {
        for line in [
            "npm install -D @prisma-guard/cli@file:/tmp/e",
            "npm i -D @prisma-guard/cli@npm:dummy-x",
            "pnpm add -D @prisma-guard/cli@link:../x",
            "yarn add -D @prisma-guard/cli@https://example.com/x.tgz",
            "npm install @prisma-guard/cli@github:evil/cli",
            "npm uninstall @prisma-guard/cli",
            "pnpm remove @prisma-guard/cli",
            "yarn remove @prisma-guard/cli-linux-x64-gnu",
            "npm unlink @prisma-guard/cli",
            "npm link @prisma-guard/cli",
            "npm i -g prisma-guard",
            "pnpm add --global prisma-guard@1",
            "npm pkg delete scripts.postinstall",
            "npm pkg set scripts.postinstall=true",
            "npm pkg delete devDependencies.@prisma-guard/cli",
            "npm config set ignore-scripts true",
            "npm config set ignore-scripts=true",
        ] {
            assert!(why(line).is_some(), "{line}");
            // The whole judge too: no fast path lets it by.
            let report = crate::judge::check(
                line,
                std::path::Path::new("/nonexistent"),
                crate::guard::classify::Options::default(),
            );
            assert_eq!(report.verdict, crate::judge::Verdict::Destructive, "{line}");
        }
        for line in [
            "npm install -D @prisma-guard/cli",
            "npm install -D @prisma-guard/cli@0.2.0",
            "pnpm add -D @prisma-guard/cli@latest",
            "npm install",
            "npm uninstall zod",
            "npm pkg set scripts.test=vitest",
            "npm config set ignore-scripts false",
            "npm i -g typescript",
        ] {
            assert_eq!(why(line), None, "{line}");
        }
    }
}
