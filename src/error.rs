//! Errors that say what went wrong and what to do next.
//!
//! Commands return `anyhow::Error`; the root cause may be a [`Failure`], which carries
//! the exit status and a hint with the exact next step. `report` prints
//! `error: ...`, the cause chain, then `hint: ...`.

use std::fmt;

use crate::ExitStatus;

/// A failure the user can act on.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
    pub status: ExitStatus,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure { message: message.into(), hint: None, status: ExitStatus::Failure }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn status(mut self, status: ExitStatus) -> Self {
        self.status = status;
        self
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(message).status(ExitStatus::Usage)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Shorthand: `return Err(fail("...").hint("...").into())`.
pub fn fail(message: impl Into<String>) -> Failure {
    Failure::new(message)
}

/// Whether `err` is a usage error (exit 2: a wrong key, a bad command line), which says
/// nothing about a backup.
pub fn is_usage(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|e| e.downcast_ref::<Failure>()).any(|f| f.status == ExitStatus::Usage)
}

/// An error in one line with its hint, for records that outlive the run (manifests).
pub fn one_line(err: &anyhow::Error) -> String {
    let hint = err.chain().find_map(|e| e.downcast_ref::<Failure>()).and_then(|f| f.hint.as_deref());
    match hint {
        Some(h) => format!("{err:#} ({h})"),
        None => format!("{err:#}"),
    }
}

/// Print an error with its causes and hint on stderr; return the exit status it maps to.
pub fn report(err: &anyhow::Error) -> ExitStatus {
    let red = console::Style::new().red().bold().for_stderr();
    let cyan = console::Style::new().cyan().bold().for_stderr();
    let mut chain = err.chain();
    if let Some(top) = chain.next() {
        eprintln!("{} {top}", red.apply_to("error:"));
    }
    for cause in chain {
        eprintln!("  caused by: {cause}");
    }
    let failure = err.downcast_ref::<Failure>();
    if let Some(hint) = failure.and_then(|f| f.hint.as_deref()) {
        eprintln!("{} {hint}", cyan.apply_to("hint:"));
    }
    failure.map_or(ExitStatus::Failure, |f| f.status)
}
