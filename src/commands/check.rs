//! `prisma-guard check -- LINE`: what a command line would do to the database.

use std::path::Path;

use anyhow::Result;

use crate::cli::CheckArgs;
use crate::config::settings::GlobalOptions;
use crate::config::FileConfig;
use crate::guard::classify::Options;
use crate::judge::{self, Verdict};
use crate::ExitStatus;

pub(super) fn options(config: &FileConfig) -> Options {
    Options { seed_is_safe: config.guard.seed == Some(crate::config::SeedClass::Safe) }
}

pub(super) fn load(cwd: &Path, global: &GlobalOptions) -> Result<FileConfig> {
    Ok(crate::config::load(cwd, cwd, global.guard_config.as_deref())?.file)
}

fn status_of(v: Verdict) -> ExitStatus {
    match v {
        Verdict::Allow => ExitStatus::Success,
        Verdict::SchemaChange => ExitStatus::SchemaChange,
        Verdict::Destructive => ExitStatus::Refused,
    }
}

/// `check -- LINE`: the verdict and the reason; exit 0 allow, 5 schema change, 3 destructive.
pub fn run(global: &GlobalOptions, args: &CheckArgs) -> Result<ExitStatus> {
    let cwd = crate::config::settings::working_dir(global)?;
    let line = args.line.join(" ");
    let report = judge::check(&line, &cwd, options(&load(&cwd, global)?));
    use std::fmt::Write as _;
    let mut out = String::new();
    if args.json {
        let v = serde_json::json!({
            "verdict": report.verdict.label(),
            "reasons": report.reasons,
            "classes": report.classes.iter().map(|c| c.label()).collect::<Vec<_>>(),
            "instead": report.class().filter(|_| report.verdict != Verdict::Allow).map(|c| c.instead()),
        });
        let _ = writeln!(out, "{v}");
    } else if report.verdict == Verdict::Allow {
        out.push_str("allow\n");
    } else {
        let _ = writeln!(out, "{}: {}", report.verdict, report.reason());
        if let Some(c) = report.class() {
            let _ = writeln!(out, "  class: {}", c.label());
            let _ = writeln!(out, "  instead: {}", c.instead());
        }
        for r in report.reasons.iter().skip(1) {
            let _ = writeln!(out, "  also: {r}");
        }
    }
    crate::ui::write_stdout(&out)?;
    Ok(status_of(report.verdict))
}
