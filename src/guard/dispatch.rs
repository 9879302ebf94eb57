//! The guard in front of one prisma command line: classify it, pass a safe one straight to
//! the real prisma, and hand anything that changes the schema or loses data to
//! [`Guard::run`](super::sequence::Guard::run).

use std::io::Read;
use std::os::unix::process::CommandExt;

use anyhow::{Context, Result};

use super::audit;
use super::classify::{self, Invocation, Risk};
use super::forward;
use super::sequence::Guard;
use crate::config::settings::GlobalOptions;
use crate::config::settings::{self, Settings};
use crate::config::{self, SeedClass};
use crate::error::fail;
use crate::ui::Printer;
use crate::ExitStatus;

/// Guard `prisma <inv>` (`global` already holds prisma's own --config, --schema and --url).
pub fn prisma(
    global: &GlobalOptions,
    inv: &Invocation,
    also_protect: Option<String>,
    no_backup: bool,
) -> Result<ExitStatus> {
    prisma_with(global, inv, also_protect, no_backup, &crate::migrate::deploy::Options::default())
}

/// [`prisma`], with the options `prisma-guard migrate deploy` gives a `migrate deploy`.
pub fn prisma_with(
    global: &GlobalOptions,
    inv: &Invocation,
    also_protect: Option<String>,
    no_backup: bool,
    deploy: &crate::migrate::deploy::Options,
) -> Result<ExitStatus> {
    // Only what a safe command needs: it must pass through almost for free.
    let cwd = settings::working_dir(global)?;
    // A broken prisma-guard.toml must not block `prisma --version`; guarded commands fail
    // closed on it below.
    let start = crate::project::config_search_start(&cwd, global.config.as_deref());
    let (config, config_error) = match config::load(&start, &cwd, global.guard_config.as_deref()) {
        Ok(c) => (c, None),
        Err(e) => (config::Config::default(), Some(e)),
    };
    if crate::config::env::real_prisma_is_set() {
        Printer::default().warn(format!(
            "{} is ignored: only `[guard] real_prisma` in the project's prisma-guard.toml can choose another prisma",
            forward::REAL_PRISMA_VAR
        ));
    }
    let override_path = config.file.guard.real_prisma.as_ref().map(|p| config.resolve_path(p, &cwd));
    let real = forward::find(&cwd, override_path.as_deref(), crate::config::env::path())?.run_in(&cwd);

    let is_execute = inv.is("db", "execute");
    let stdin_sql = if is_execute && inv.has("--stdin") { Some(read_stdin()?) } else { None };
    let sql = if !is_execute {
        None
    } else if let Some(text) = &stdin_sql {
        Some(Ok(String::from_utf8_lossy(text).into_owned()))
    } else {
        inv.file.as_ref().map(|f| {
            let path = cwd.join(f);
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
        })
    };
    let options = classify::Options { seed_is_safe: config.file.guard.seed == Some(SeedClass::Safe) };
    let risk = classify::classify(inv, sql.as_ref().map(|r| r.as_deref().map_err(Clone::clone)), options);
    let is_pull = inv.is("db", "pull");
    if risk == Risk::Safe && !is_pull {
        if let Some(e) = &config_error {
            Printer::default().warn(format!("{e:#} (ignored for a command that changes nothing)"));
        }
        return Err(exec(&real, &inv.args));
    }
    if let Some(e) = config_error {
        return Err(e.context(
            fail(format!(
                "prisma-guard.toml cannot be read, so `prisma {}` was NOT run",
                audit::redact_argv(&inv.args).join(" ")
            ))
            .status(ExitStatus::Usage),
        ));
    }

    // `db execute --file F`: prisma gets the very SQL that was judged, on its stdin; the file
    // could change between the check and prisma reading it.
    let (prisma_args, stdin_sql) = match (&sql, &inv.file, stdin_sql) {
        (Some(Ok(text)), Some(_), None) if is_execute => (without_file(&inv.args), Some(text.clone().into_bytes())),
        (_, _, stdin) => (inv.args.clone(), stdin),
    };
    let settings = Settings::for_prisma(global, cwd, config, real.cli_file(), &inv.args)?;
    let guard = Guard {
        settings: &settings,
        inv,
        prisma_args: &prisma_args,
        risk: &risk,
        sql: sql.as_ref().and_then(|r| r.as_deref().ok()),
        also_protect: also_protect.as_deref(),
        deploy,
    };
    match &risk {
        Risk::Safe => {
            guard.keep_schema_copy();
            Err(exec(&real, &inv.args))
        }
        Risk::SchemaChange { .. } | Risk::Destructive { .. } => guard.run(&real, no_backup, stdin_sql),
    }
}

/// Replace this process with the real prisma; returns only on failure.
fn exec(real: &forward::RealPrisma, args: &[String]) -> anyhow::Error {
    let err = real.command(args).exec();
    anyhow::Error::new(err).context(format!("could not start the real prisma ({})", real.describe()))
}

fn read_stdin() -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    std::io::stdin().read_to_end(&mut buf).context("could not read the SQL from stdin")?;
    Ok(buf)
}

/// prisma's arguments with `--file F` (or `--file=F`) taken out and `--stdin` added.
fn without_file(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        if a == "--file" {
            skip = true;
            continue;
        }
        if a.starts_with("--file=") {
            continue;
        }
        out.push(a.clone());
    }
    out.push("--stdin".into());
    out
}
