//! Running a tool's command: prisma-guard itself as a child (`exec -- <prisma args>` for
//! Prisma, the subcommand for its own tools), in the project's folder, with no stdin and no
//! terminal to ask on, its output captured, redacted and returned to the agent.

use std::path::Path;
use std::process::{Command, Stdio};

use super::tools::{judge, Outcome};
use crate::guard::audit;
use crate::guard::classify::Risk;
use crate::ui::Printer;

/// Output kept for the agent: the end of it, where errors are.
const MAX_OUTPUT: usize = 60_000;

/// `prisma <args>` through the guard: refused here when destructive, else run as the shim
/// would run it. `ok`: exit codes that are answers rather than failures.
pub fn prisma(printer: &Printer, dir: &Path, args: &[String], ok: &[u8]) -> Outcome {
    let shown = format!("prisma {}", audit::redact_argv(args).join(" "));
    if let Risk::Destructive { why } = judge(args) {
        record_refusal(dir, args, &shown, &why);
        return Outcome { text: destructive_refusal(dir, &shown, &why), is_error: true };
    }
    let mut full = vec!["exec".to_string(), "--".to_string()];
    full.extend_from_slice(args);
    run(printer, dir, &full, &shown, ok)
}

/// `prisma-guard <args>`.
pub fn ours(printer: &Printer, dir: &Path, args: &[String], ok: &[u8]) -> Outcome {
    run(printer, dir, args, &format!("prisma-guard {}", args.join(" ")), ok)
}

fn run(printer: &Printer, dir: &Path, args: &[String], shown: &str, ok: &[u8]) -> Outcome {
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => return Outcome { text: format!("could not find prisma-guard's own binary: {e}"), is_error: true },
    };
    let mut cmd = Command::new(exe);
    cmd.args(args).current_dir(dir).stdin(Stdio::null());
    // No colours in text for an agent; no consent variable reaches Prisma; and the guard
    // knows an agent asked, whatever the client's environment says: a confirmation prompt
    // is refused at once instead of appearing on a terminal the agent's user is not watching.
    cmd.env("NO_COLOR", "1").env_remove("FORCE_COLOR").env_remove("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION");
    if crate::agents::markers::detect_current().is_none() {
        cmd.env("AI_AGENT", "prisma-guard-mcp");
    }
    printer.info(format!("prisma-guard mcp: running `{shown}` in {}", dir.display()));
    let (code, text) = match crate::process::output_merged(cmd) {
        Ok(o) => o,
        Err(e) => return Outcome { text: format!("could not run `{shown}`: {e}"), is_error: true },
    };
    let text = tail(&redact(&text));
    let what = match code {
        0 => "succeeded".to_string(),
        3 => "was refused by prisma-guard (exit code 3): nothing was changed".to_string(),
        c => format!("exited with code {c}"),
    };
    Outcome {
        text: format!("`{shown}` (in {}) {what}.\n\n{}", dir.display(), text.trim_end()),
        is_error: !ok.contains(&code),
    }
}

/// The refusal of a destructive command: what it would do, and the command the user runs.
fn destructive_refusal(dir: &Path, shown: &str, why: &str) -> String {
    let rest = shown.strip_prefix("prisma ").unwrap_or(shown);
    format!(
        "refused: `{shown}` is destructive ({why}). prisma-guard never runs a destructive command for an AI agent; nothing was run and nothing changed.\n\
         AI agent: stop here and show the user this exact command. The user runs it in their own terminal, where prisma-guard shows the rows at risk, asks them to type the database name, and takes a backup first:\n\n\
         \x20   cd {} && npx {shown}\n\n\
         (`npx prisma` goes through prisma-guard once `prisma-guard init` has put its shim in node_modules/.bin; without the shim: `prisma-guard exec -- {rest}`.)",
        crate::shell::quote(&dir.display().to_string()),
    )
}

/// The audit log and `[[notify]]` hear of a refusal, as they do from the guard.
fn record_refusal(dir: &Path, args: &[String], shown: &str, why: &str) {
    let global = crate::config::settings::GlobalOptions { directory: Some(dir.to_path_buf()), ..Default::default() };
    let Ok(settings) = crate::config::settings::Settings::load(&global) else { return };
    let mut entry = audit::Entry::new(dir, args, "destructive", "refused");
    entry.agent = Some(entry.agent.unwrap_or_else(|| "mcp".into()));
    if let Err(e) = audit::append(&settings.audit_dir, &entry) {
        settings.printer.warn(format!("prisma-guard mcp: could not write the audit log: {e:#}"));
    }
    crate::notify::report(
        &settings,
        crate::notify::Event::Refused,
        crate::notify::Severity::Warning,
        format!("`{shown}` was refused (MCP tool call)"),
        format!("refused: it is destructive ({why}) and an AI agent asked through `prisma-guard mcp`"),
    );
}

/// Text with database passwords and keys hidden: a URL's password, `password=` and
/// `api_key=` parameters (Prisma Postgres URLs carry their key so), and the secrets in the
/// server's own environment.
pub fn redact(text: &str) -> String {
    let secrets = crate::config::env::vars().into_iter().filter_map(|(k, v)| {
        let k = k.to_ascii_uppercase();
        (k.contains("PASSWORD") || k.ends_with("_PWD") || k.contains("SECRET") || k.contains("TOKEN")).then_some(v)
    });
    crate::process::Redactor::new(secrets).apply(text)
}

fn tail(text: &str) -> String {
    if text.len() <= MAX_OUTPUT {
        return text.to_string();
    }
    let mut start = text.len() - MAX_OUTPUT;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[... {start} bytes of output left out ...]\n{}", &text[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_secrets_are_hidden() {
        let out = redact(
            "Datasource at postgresql://app:s3cret-pw@db:5432/app?schema=public\n\
             prisma+postgres://accelerate.prisma-data.net/?api_key=eyJhbGciOi.xyz\n\
             mysql://u@h/db?password=hunter22&x=1",
        );
        assert!(!out.contains("s3cret-pw") && !out.contains("eyJhbGciOi") && !out.contains("hunter22"), "{out}");
        assert!(out.contains("postgresql://app:****@db:5432/app") && out.contains("api_key=****"), "{out}");
    }

    #[test]
    fn long_output_keeps_its_end() {
        let long = format!("{}the error", "é".repeat(MAX_OUTPUT));
        let t = tail(&long);
        assert!(t.ends_with("the error") && t.len() < long.len() && t.starts_with("[... "));
    }
}
