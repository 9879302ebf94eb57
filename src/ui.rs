//! Output: results on stdout, progress and status on stderr, colour only on terminals.

use std::io::IsTerminal;

use console::Style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone, Copy, Default)]
pub struct Printer {
    pub quiet: bool,
}

impl Printer {
    /// A status line on stderr (suppressed by `--quiet`).
    pub fn status(&self, verb: &str, msg: impl std::fmt::Display) {
        if !self.quiet {
            let green = Style::new().green().bold().for_stderr();
            eprintln!("{} {msg}", green.apply_to(format!("{verb:>12}")));
        }
    }

    /// A plain line on stderr that `--quiet` keeps: what failed, and what to do next.
    pub fn note(&self, msg: impl std::fmt::Display) {
        eprintln!("{msg}");
    }

    /// A plain line on stderr that `--quiet` hides: what is going on.
    pub fn info(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    /// A report of several lines, rendered already, on stderr as it is (`--quiet` keeps it:
    /// it is what happened).
    pub fn report(&self, text: &str) {
        eprint!("{text}");
    }

    /// A line of a command's result, on stdout.
    pub fn line(&self, msg: impl std::fmt::Display) {
        println!("{msg}");
    }

    pub fn warn(&self, msg: impl std::fmt::Display) {
        let yellow = Style::new().yellow().bold().for_stderr();
        eprintln!("{} {msg}", yellow.apply_to("warning:"));
    }

    /// A byte-count progress bar on stderr, drawn only when stderr is a terminal.
    pub fn bytes_progress(&self, what: &str) -> ProgressBar {
        if self.quiet || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {bytes} ({bytes_per_sec}, {elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(what.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }
}

/// `1.5 MiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// `3m`, `2h`, `5d` ago.
pub fn human_age(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// Write a report to stdout in one go. A reader that stopped reading (`| head -1`) is not an
/// error: the exit code still says what was found.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("could not write to stdout"),
    }
}
