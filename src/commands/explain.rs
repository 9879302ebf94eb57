//! `prisma-guard explain LINE`: how a command line was parsed and judged, step by step.

use anyhow::Result;

use super::check::{load, options};
use crate::cli::{CheckArgs, GlobalArgs};
use crate::judge;
use crate::ExitStatus;

/// `explain LINE`: how the line was parsed and judged.
pub fn run(global: &GlobalArgs, args: &CheckArgs) -> Result<ExitStatus> {
    let cwd = crate::config::settings::working_dir(global)?;
    let line = args.line.join(" ");
    let report = judge::check(&line, &cwd, options(&load(&cwd, global)?));
    println!("line: {line}");
    for s in &report.steps {
        println!("  {s}");
    }
    println!("verdict: {}", report.verdict);
    for (r, c) in report.reasons.iter().zip(&report.classes) {
        println!("  because: {r} ({})", c.label());
    }
    if let Some(c) = report.class().filter(|_| report.verdict != judge::Verdict::Allow) {
        println!("instead: {}", c.instead());
    }
    Ok(ExitStatus::Success)
}
