//! Hook managers' settings that move git's hooks away from prisma-guard's: lefthook's
//! environment (`LEFTHOOK_CONFIG` names another config, without prisma-guard's commands), and
//! husky re-pointing `core.hooksPath` at its own folder where prisma-guard's hooks are elsewhere.

use std::path::PathBuf;

use super::super::context::Context;

/// lefthook's environment variables that only change its output.
const LEFTHOOK_HARMLESS: &[&str] = &["VERBOSE", "QUIET", "OUTPUT", "NO_COLOR", "COLORS", "FORCE_COLOR"];

/// A `LEFTHOOK_*` variable (set, not empty) that changes which hooks lefthook runs or how:
/// `LEFTHOOK_CONFIG` (another config file), and any other but those that change its output.
pub(super) fn lefthook_env(k: &str, v: &str) -> Option<String> {
    let rest = k.strip_prefix("LEFTHOOK_")?;
    if v.is_empty() || LEFTHOOK_HARMLESS.contains(&rest) {
        return None;
    }
    Some(match rest {
        "CONFIG" => format!("{k}={v} makes lefthook read another config, without prisma-guard's scan"),
        _ => format!("{k} changes which lefthook hooks run (and prisma-guard's scan with them)"),
    })
}

/// `husky` or `husky install` with no other folder: husky points core.hooksPath at `.husky/_`
/// (husky 8: `.husky`). Where prisma-guard's hooks are in another folder git runs now
/// (`.git/hooks`, a committed hooks folder), that leaves them unrun.
pub(super) fn husky_moves_hooks(run: &[String], ctx: &Context) -> Option<String> {
    let args: Vec<&str> =
        run[1..].iter().map(String::as_str).filter(|a| *a != "--").map(|a| a.trim_end_matches('/')).collect();
    let to_husky =
        matches!(args.as_slice(), [] | ["install"] | [".husky" | "./.husky"] | ["install", ".husky" | "./.husky"]);
    let hooks = ctx.hooks();
    if !to_husky || hooks.is_some_and(|h| h.trim_start_matches("./").starts_with(".husky")) {
        return None;
    }
    let repo = git2::Repository::discover(&ctx.cwd).ok()?;
    let folder = match hooks {
        Some(h) if std::path::Path::new(h).is_absolute() => PathBuf::from(h),
        Some(h) => repo.workdir()?.join(h),
        None => repo.commondir().join("hooks"),
    };
    let ours = ["pre-commit", "pre-push"]
        .iter()
        .any(|n| std::fs::read_to_string(folder.join(n)).is_ok_and(|t| t.contains("prisma-guard")));
    ours.then(|| {
        format!(
            "points git's hooks at husky's folder (core.hooksPath), away from prisma-guard's hooks in {}; to move to husky, the user runs it and then `prisma-guard hooks install` in a terminal",
            folder.display()
        )
    })
}
