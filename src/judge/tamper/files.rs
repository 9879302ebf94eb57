//! Which files and folders switch a guard off when changed (hook scripts, hook managers'
//! configs, agent settings, prisma-guard.toml), and the commands that delete them by pattern
//! (`find -delete`, removing the node_modules a hook needs).

use super::*;

/// Files and folders whose change switches a guard off, and what they are.
pub(super) const PROTECTED: &[(&str, &str)] = &[
    (".git/hooks", "git hooks"),
    (".husky", "husky hooks"),
    (".githooks", "the repository's git hooks"),
    ("lefthook.yml", "lefthook hooks"),
    ("lefthook.yaml", "lefthook hooks"),
    ("lefthook.json", "lefthook hooks"),
    ("lefthook.toml", "lefthook hooks"),
    ("lefthook-local", "lefthook's local settings, which can skip hooks"),
    (".lefthook.yml", "lefthook hooks"),
    (".config/lefthook.yml", "lefthook hooks"),
    (".pre-commit-config.yaml", "pre-commit hooks"),
    (".claude/settings", "Claude Code hook settings"),
    (".cursor/hooks.json", "Cursor hook settings"),
    (".codex/hooks.json", "Codex hook settings"),
    (".codex/config.toml", "Codex settings"),
    (".gemini/settings.json", "Gemini CLI hook settings"),
    // Where `init` put `prisma-guard mcp` in place of `prisma mcp` (Codex's and Gemini's are above).
    (".mcp.json", "Claude Code's MCP servers (the guarded prisma-guard mcp)"),
    (".cursor/mcp.json", "Cursor's MCP servers (the guarded prisma-guard mcp)"),
    (".github/hooks", "Copilot CLI hook settings"),
    (".github/workflows", "CI workflows (the CI scan)"),
    ("node_modules/.bin/prisma", "the prisma shim in node_modules"),
    // npx and pnpm's wrappers start Prisma with a `node` there first: a wrapper can hand
    // Prisma another database than the guard checked.
    ("node_modules/.bin/node", "the `node` Prisma runs with"),
    ("prisma-guard.toml", "prisma-guard's settings"),
    (".prisma-guard-baseline.json", "prisma-guard's scan baseline"),
    ("prisma-guard/bin", "the PATH shim"),
    // Git's configuration names the hooks folder (core.hooksPath) and can include other
    // files that do: the repository's, the user's and the system's.
    (".git/config", "git's configuration, which says where the hooks are"),
    (".gitconfig", "git's configuration, which says where the hooks are"),
    (".config/git/config", "git's configuration, which says where the hooks are"),
    // husky's hook runner sources these before its own `HUSKY=0` check: an `exit 0` there
    // ends every hook.
    (".config/husky", "husky's init script, run before every hook"),
    (".huskyrc", "husky's init script, run before every hook"),
];

/// Folders that hold protected files: removing or replacing one of them removes those.
pub(super) const PROTECTED_FOLDERS: &[&str] =
    &[".git", ".claude", ".cursor", ".codex", ".gemini", ".github", ".husky", ".githooks"];

/// The hooks folder `core.hooksPath` names for the repository holding `cwd`, as written in
/// the config (relative to the working tree, or absolute): protected like `.githooks`.
pub fn hooks_folder(cwd: &std::path::Path) -> Option<String> {
    let repo = git2::Repository::discover(cwd).ok()?;
    let value = repo.config().ok()?.get_string("core.hooksPath").ok()?;
    let value = value.trim().trim_start_matches("./").trim_end_matches('/').to_string();
    (!value.is_empty()).then_some(value)
}

/// `protected`, and also paths in the configured hooks folder (`hooks`).
pub fn protected_with(path: &str, hooks: Option<&str>) -> Option<&'static str> {
    if let Some(what) = protected(path) {
        return Some(what);
    }
    let p = path.trim_start_matches("./").trim_end_matches('/');
    let h = hooks?;
    let inside =
        p == h || p.starts_with(&format!("{h}/")) || p.contains(&format!("/{h}/")) || p.ends_with(&format!("/{h}"));
    inside.then_some("the git hooks folder core.hooksPath names")
}

/// What a file or folder is, when changing it switches a guard off (shell writes and agents'
/// file-editing tools alike).
pub fn protected(path: &str) -> Option<&'static str> {
    let p = path.trim_start_matches("./").trim_end_matches('/');
    if let Some((_, what)) = PROTECTED.iter().find(|(needle, _)| p.contains(needle)) {
        return Some(what);
    }
    let last = p.rsplit('/').next().unwrap_or(p);
    // The installed binary (`/usr/local/bin/prisma-guard`, `~/.cargo/bin/prisma-guard`) and
    // the original prisma the shim keeps aside: every hook and shim goes through them.
    if last == "prisma-guard" || last == crate::install::shim::ORIGINAL_NAME {
        return Some("prisma-guard itself, which every agent hook and shim runs");
    }
    if last == "backups" || p.starts_with("backups/") || p.contains("/backups/") {
        return Some("prisma-guard's backups");
    }
    if PROTECTED_FOLDERS.contains(&last) || matches!(p, "." | ".*") {
        return Some("a folder holding git hooks or agent hook settings");
    }
    super::run_later::file(p)
}

/// Commands that write or remove the files they name.
pub(super) const WRITERS: &[&str] = &[
    "rm", "mv", "cp", "unlink", "truncate", "tee", "sed", "perl", "ln", "chmod", "install", "shred", "dd", "jq",
    "rmdir",
];

/// Names a shell pattern (`.hus*`, `.git/h*`) is checked against.
pub(super) const PROTECTED_NAMES: &[&str] = &[
    ".husky",
    ".husky/pre-commit",
    ".husky/pre-push",
    ".githooks",
    ".git",
    ".git/hooks",
    ".git/hooks/pre-commit",
    ".git/hooks/pre-push",
    ".claude",
    ".claude/settings.json",
    ".cursor",
    ".codex",
    ".gemini",
    ".github",
    "backups",
    "prisma-guard.toml",
    "lefthook.yml",
    ".pre-commit-config.yaml",
    "node_modules/.bin/prisma",
    "node_modules/.bin/node",
];

/// Names backup files have, one of each kind.
const BACKUP_SAMPLES: &[&str] = &[
    "20260101T000000Z-a1b2c3.sql.zst",
    "20260101T000000Z-a1b2c3.sql.gz",
    "20260101T000000Z-a1b2c3.sql.zst.age",
    "20260101T000000Z-a1b2c3.db.zst",
    "20260101T000000Z-a1b2c3.db.gz.age",
    "20260101T000000Z-a1b2c3.json",
    // Their checksums.
    "20260101T000000Z-a1b2c3.sql.zst.sha256",
    "20260101T000000Z-a1b2c3.sql.zst.age.sha256",
];

/// Whether a shell pattern matches one of [`PROTECTED_NAMES`].
pub(super) fn pattern_hits_protected(pattern: &str) -> bool {
    if !pattern.contains(['*', '?', '[']) {
        return false;
    }
    let p = pattern.trim_start_matches("./").trim_end_matches('/');
    glob_regex(p, false, false).is_some_and(|r| PROTECTED_NAMES.iter().any(|n| r.is_match(n)))
}

/// `rm -rf node_modules` where git's hooks run only while node_modules holds their runner
/// (lefthook found there and nowhere else): without it they let every commit through.
pub(super) fn removes_node_hooks(name: &str, args: &[String], ctx: &Context, dirs: &[String]) -> Option<String> {
    if !matches!(name, "rm" | "mv" | "rmdir" | "unlink" | "shred" | "rimraf") {
        return None;
    }
    let targets: Vec<&String> = args.iter().filter(|a| !a.starts_with('-') && a.contains("node_modules")).collect();
    if targets.is_empty() {
        return None;
    }
    let (modules, runner) = ctx.node_hooks()?;
    let cwd = ctx.cwd.canonicalize().unwrap_or_else(|_| ctx.cwd.clone());
    for t in targets {
        for d in dirs.iter().filter(|d| d.as_str() != "*") {
            let p = crate::config::lexical_normalize(&cwd.join(d).join(t));
            let inside = p.strip_prefix(modules).ok().and_then(|r| r.components().next()).is_some_and(|c| {
                let c = c.as_os_str().to_string_lossy();
                c.starts_with("lefthook") || c == "@evilmartians"
            });
            if modules.starts_with(&p) || inside {
                return Some(format!(
                    "`{name} {t}` removes {}, where git's hooks find {runner}: without it they let every commit through unchecked (`npm ci` or `npm install` reinstalls it instead)",
                    modules.display()
                ));
            }
        }
    }
    None
}

/// The names of files and folders that hold hooks or settings, as `find -name` sees them.
pub(super) const PROTECTED_BASENAMES: &[&str] = &[
    "pre-commit",
    "pre-push",
    ".husky",
    "_",
    "h",
    "husky.sh",
    ".githooks",
    ".git",
    "hooks",
    "config",
    ".gitconfig",
    ".claude",
    "settings.json",
    "settings.local.json",
    ".cursor",
    "hooks.json",
    ".codex",
    "config.toml",
    ".gemini",
    ".github",
    "workflows",
    "lefthook.yml",
    "lefthook.yaml",
    "lefthook.json",
    "lefthook.toml",
    ".lefthook.yml",
    "lefthook-local.yml",
    ".pre-commit-config.yaml",
    "prisma-guard.toml",
    ".prisma-guard-baseline.json",
    "prisma",
    ".prisma-guard-original-prisma",
    "backups",
    ".huskyrc",
];

/// A shell glob as a regex over a whole name; `slash`: whether `*` crosses `/` (find's
/// `-path`).
pub(crate) fn glob_regex(glob: &str, slash: bool, fold: bool) -> Option<regex::Regex> {
    let (any, one) = if slash { (".*", ".") } else { ("[^/]*", "[^/]") };
    let mut re = String::from(if fold { "(?i)^" } else { "^" });
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Extended patterns (`!(x)`, `@(a|b)`, `*(x)`, `+(x)`, `?(x)` under `shopt -s
            // extglob`): any name (`!(package.json)` matches nearly everything), fail closed.
            '!' | '@' | '*' | '+' | '?' if chars.peek() == Some(&'(') => {
                let mut depth = 0;
                for d in chars.by_ref() {
                    match d {
                        '(' => depth += 1,
                        ')' if depth <= 1 => break,
                        ')' => depth -= 1,
                        _ => {}
                    }
                }
                re.push_str(any);
            }
            // `**` (globstar: `shopt -s globstar`, `bash -O globstar`) crosses folders.
            '*' if chars.peek() == Some(&'*') => {
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                if chars.peek() == Some(&'/') {
                    chars.next();
                    re.push_str("(?:.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str(any),
            '?' => re.push_str(one),
            '[' => {
                // A bracket expression as the shell reads it: ranges (`[a-z]`), negation
                // (`[!x]`, `[^x]`), a `]` first is literal; never a `/`. Unclosed: a `[`.
                let mut body: Vec<char> = Vec::new();
                let mut closed = false;
                for d in chars.by_ref() {
                    let first = body.is_empty() || (body.len() == 1 && matches!(body[0], '!' | '^'));
                    if d == ']' && !first {
                        closed = true;
                        break;
                    }
                    body.push(d);
                }
                if !closed {
                    re.push_str(r"\[");
                    re.push_str(&regex::escape(&body.iter().collect::<String>()));
                    continue;
                }
                let negated = matches!(body.first(), Some('!' | '^'));
                re.push('[');
                re.push_str(if negated { "^/" } else { "" });
                for (i, d) in body.iter().enumerate().skip(usize::from(negated)) {
                    let edge = i == usize::from(negated) || i + 1 == body.len();
                    match d {
                        '-' if !edge => re.push('-'),
                        '\\' | '[' | ']' | '^' | '&' | '~' | '-' => {
                            re.push('\\');
                            re.push(*d);
                        }
                        d => re.push(*d),
                    }
                }
                re.push(']');
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

/// `find ROOTS ... -name PATTERN -delete` (or `-exec rm`): whether its name tests could match
/// a hook or settings file below its roots.
pub(super) fn find_deletes_protected(argv: &[String], hooks: Option<&str>) -> Option<String> {
    let exec_removes = argv.windows(2).any(|w| {
        matches!(w[0].as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")
            && WRITERS.contains(&w[1].rsplit('/').next().unwrap_or(&w[1]))
    });
    if !argv.iter().any(|a| a == "-delete") && !exec_removes {
        return None;
    }
    let roots: Vec<&String> = argv[1..].iter().take_while(|a| !a.starts_with('-') && *a != "(" && *a != "!").collect();
    // Roots below which no hook or settings file lives (`find dist ...`) remove none.
    let wide = roots.is_empty()
        || roots.iter().any(|r| {
            let r = r.trim_start_matches("./").trim_end_matches('/');
            r.is_empty()
                || r == "."
                || r.starts_with("..")
                || r.starts_with(['/', '~'])
                || dynamic(r)
                || r.contains(['*', '?', '['])
                || protected_with(r, hooks).is_some()
                || hooks.is_some_and(|h| h.starts_with(&format!("{r}/")))
                || r == ".config"
        });
    if !wide {
        return None;
    }
    let mut names: Vec<String> = PROTECTED_BASENAMES.iter().map(|n| (*n).to_string()).collect();
    let mut paths: Vec<String> = PROTECTED_NAMES.iter().map(|n| format!("./{n}")).collect();
    // What backup files are named (`<id>.<ext>.<zst|gz>[.age]`, `<id>.json`): a name test
    // matching them deletes backups.
    names.extend(BACKUP_SAMPLES.iter().map(|n| (*n).to_string()));
    paths.extend(BACKUP_SAMPLES.iter().map(|n| format!("./backups/{n}")));
    if let Some(h) = hooks {
        names.extend(h.rsplit('/').next().map(str::to_string));
        paths.push(format!("./{h}"));
        paths.push(format!("./{h}/pre-commit"));
    }
    let mut k = 1;
    while let Some(a) = argv.get(k) {
        let value = argv.get(k + 1);
        let hit = match (a.as_str(), value) {
            ("-name" | "-iname", Some(v)) => {
                let re = glob_regex(v, false, a == "-iname");
                Some(re.is_none_or(|re| names.iter().any(|n| re.is_match(n))))
            }
            ("-path" | "-ipath" | "-wholename" | "-iwholename", Some(v)) => {
                let re = glob_regex(v, true, a.starts_with("-i"));
                Some(re.is_none_or(|re| paths.iter().any(|p| re.is_match(p) || re.is_match(&p[2..]))))
            }
            ("-regex" | "-iregex", Some(v)) => {
                let fold = if a == "-iregex" { "(?i)" } else { "" };
                let re = regex::Regex::new(&format!("{fold}^(?:{v})$")).ok();
                Some(re.is_none_or(|re| paths.iter().any(|p| re.is_match(p))))
            }
            // A negated test matches what the pattern does not: anything, as far as this can tell.
            ("!" | "-not", _) => Some(true),
            _ => None,
        };
        match hit {
            Some(true) => {
                // Whether the test matches a backup's name rather than a hook's.
                let backups = value.is_some_and(|v| {
                    glob_regex(v, a.contains("path"), false).is_some_and(|re| {
                        BACKUP_SAMPLES.iter().any(|n| re.is_match(n) || re.is_match(&format!("./backups/{n}")))
                    })
                });
                let what = if backups { "prisma-guard's backups" } else { "git hooks or hook settings" };
                return Some(format!(
                    "`find` removes what its tests match below {}, which can be {what} (`{a}{}`)",
                    if roots.is_empty() {
                        ".".to_string()
                    } else {
                        roots.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ")
                    },
                    value.map(|v| format!(" {v}")).unwrap_or_default()
                ));
            }
            Some(false) => k += 2,
            None => k += 1,
        }
    }
    // Without a name test, what it removes is its roots (judged above).
    None
}

#[cfg(test)]
mod tests {
    use super::glob_regex;

    /// Issue 19 review round 3: `rm dev.d[a-z]` matched nothing (the range was read as the
    /// three characters a, -, z).
    #[test]
    fn bracket_expressions_are_read_as_the_shell_reads_them() {
        let m = |g: &str, s: &str| glob_regex(g, false, false).is_some_and(|r| r.is_match(s));
        assert!(m("dev.d[a-z]", "dev.db"));
        assert!(m("dev.d[b]", "dev.db"));
        assert!(!m("dev.d[!b]", "dev.db"));
        assert!(m("dev.d[!x]", "dev.db"));
        assert!(m("dev.d[^x]", "dev.db"));
        assert!(!m("a[!x]b", "a/b"), "a class never matches a slash");
        assert!(m("x[]]", "x]"));
        assert!(m("x[a-]", "x-"));
        assert!(m("x[", "x["), "an unclosed bracket is a bracket");
        assert!(!m("dev.d[a-c]x", "dev.db"));
    }
}
