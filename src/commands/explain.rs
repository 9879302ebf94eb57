//! `prisma-guard explain LINE`: how a command line was parsed and judged, step by step.

use anyhow::Result;

use super::check::{load, options};
use crate::cli::CheckArgs;
use crate::config::settings::GlobalOptions;
use crate::judge;
use crate::ExitStatus;

/// `explain LINE`: how the line was parsed and judged.
pub fn run(global: &GlobalOptions, args: &CheckArgs) -> Result<ExitStatus> {
    let cwd = crate::config::settings::working_dir(global)?;
    let line = args.line.join(" ");
    let report = judge::check(&line, &cwd, options(&load(&cwd, global)?));
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "line: {line}");
    for s in &report.steps {
        let _ = writeln!(out, "  {s}");
    }
    let _ = writeln!(out, "verdict: {}", report.verdict);
    for (r, c) in report.reasons.iter().zip(&report.classes) {
        let _ = writeln!(out, "  because: {r} ({})", c.label());
    }
    if let Some(c) = report.class().filter(|_| report.verdict != judge::Verdict::Allow) {
        let _ = writeln!(out, "instead: {}", c.instead());
    }
    crate::ui::write_stdout(&out)?;
    Ok(ExitStatus::Success)
}
