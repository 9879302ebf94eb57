//! Typed confirmation on the controlling terminal. Reads `/dev/tty`, never stdin, so
//! `yes |` or a name piped into stdin cannot confirm. AI agents cannot confirm at all.
//!
//! Why not `dialoguer` (on the design card): its prompts read through `console::Term`, whose
//! terminal is the process's stdin/stdout. A command run by an agent can have stdin fed
//! (`echo mydb | npx prisma migrate reset`), and stdin is what must never answer. A
//! `Term::read_write_pair` over `/dev/tty` is not a terminal to `console` (`is_term` is false
//! for it), and dialoguer then refuses to prompt. Typing a name needs no line editing, so a
//! plain read of one line from `/dev/tty` is all there is to it.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};

use anyhow::Result;

use crate::error::fail;
use crate::ExitStatus;

/// Ask the human to type `expected`. Errors (exit status `Refused`) when there is no
/// terminal, an agent is detected, or the answer differs.
pub fn typed(summary: &str, expected: &str, action: &str, rerun: &str) -> Result<()> {
    typed_as(summary, expected, &format!("the database name `{expected}`"), action, rerun)
}

/// [`typed`], for an answer that is not a database name (`what`: how the prompt names it).
pub fn typed_as(summary: &str, expected: &str, what: &str, action: &str, rerun: &str) -> Result<()> {
    let mut tty = terminal(action, rerun)?;
    let prompt = format!("{summary}\nType {what} to continue (anything else cancels): ");
    tty.write_all(prompt.as_bytes())?;
    tty.flush()?;
    let mut answer = String::new();
    BufReader::new(&tty).read_line(&mut answer)?;
    if answer.trim() != expected {
        return Err(fail(format!("cancelled: the answer did not match `{expected}`; nothing was changed"))
            .status(ExitStatus::Refused)
            .into());
    }
    Ok(())
}

/// Refuse at once, with the error [`typed`] would give, when no person can confirm: an AI
/// agent runs the command, or there is no terminal. Asked before anything that takes time
/// or can fail for other reasons (reaching the database), so the answer an agent gets is
/// "a human must run this", not a server's state.
pub fn person_can_confirm(action: &str, rerun: &str) -> Result<()> {
    terminal(action, rerun).map(drop)
}

/// The controlling terminal, when a person may answer on it.
fn terminal(action: &str, rerun: &str) -> Result<std::fs::File> {
    if let Some(marker) = crate::agents::markers::detect_current() {
        return Err(fail(format!(
            "refused: {action} needs a human, and an AI agent is running this command ({marker} is set)"
        ))
        .hint(format!(
            "AI agent: stop here and show the user this exact command; the user runs it in their own terminal: {rerun}"
        ))
        .status(ExitStatus::Refused)
        .into());
    }
    OpenOptions::new().read(true).write(true).open("/dev/tty").map_err(|_| {
        fail(format!("refused: {action} needs a typed confirmation, and there is no terminal to ask on"))
            .hint(format!(
                "run it yourself in a terminal: {rerun}\n      AI agent: stop here, show the user this exact command, and let the user run it in their own terminal"
            ))
            .status(ExitStatus::Refused)
            .into()
    })
}
