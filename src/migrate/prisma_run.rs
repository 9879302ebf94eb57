//! Running the real `prisma migrate deploy` against a database other than the project's own
//! (a scratch copy), with nothing but the project's own Prisma set-up.
//!
//! Prisma 7 reads the datasource URL from prisma.config.ts only (`migrate deploy` has no
//! `--url`). So a config file is written beside the project's own, importing it and
//! replacing two things: the datasource URL (read from this process's environment, never
//! argv) and the migrations folder (a folder of links holding the migrations applied so
//! far, so that each migration is applied and measured on its own). Written beside the
//! original, relative imports and paths in it resolve as before. Prisma 6 projects without a
//! config file are not rehearsed (their URL could come from anywhere the schema says).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::error::fail;
use crate::guard::forward::RealPrisma;

/// Where the scratch URL travels to Prisma: the environment only.
pub const URL_VAR: &str = "PRISMA_GUARD_REHEARSE_URL";
pub const MIGRATIONS_VAR: &str = "PRISMA_GUARD_REHEARSE_MIGRATIONS";
/// The shadow database `migrate diff --from/--to-migrations` replays migrations into.
pub const SHADOW_VAR: &str = "PRISMA_GUARD_SHADOW_URL";

/// How prisma is pointed at the scratch database.
pub struct Deployer {
    prisma: RealPrisma,
    /// The written config (removed on drop).
    config: WrittenConfig,
    /// The variable the project's config reads the URL from: its `env()` throws when it is
    /// unset, so it is set to the scratch URL too (the written config replaces it anyway).
    url_var: Option<String>,
    /// Folder of links to the migrations applied so far (removed on drop).
    folder: tempfile::TempDir,
    cwd: PathBuf,
}

/// What one `migrate deploy` run did.
pub struct Deployed {
    pub ok: bool,
    pub took: Duration,
    /// Prisma's output (stdout and stderr), for a failure's message.
    pub output: String,
}

impl Deployer {
    /// `config_file`: the project's prisma.config.* (Prisma 7: the only place its
    /// `migrate deploy` takes the URL from).
    pub fn new(
        prisma: RealPrisma,
        cwd: &Path,
        config_file: Option<&Path>,
        url_var: Option<String>,
    ) -> Result<Deployer> {
        if config_file.is_none() {
            return Err(fail("cannot point prisma at the scratch database: the project has no prisma.config.ts")
                .hint("rehearsals need a Prisma 7 project (prisma.config.ts with datasource.url)")
                .into());
        }
        let folder = tempfile::Builder::new().prefix("prisma-guard-rehearse-").tempdir()?;
        let config = WrittenConfig::beside(config_file)?;
        Ok(Deployer { prisma, config, url_var, folder, cwd: cwd.to_path_buf() })
    }

    /// Add a migration folder (and the lock file beside it) to what the next deploy applies.
    pub fn add(&self, migration_dir: &Path) -> Result<()> {
        let name = migration_dir.file_name().context("a migration folder without a name")?;
        link_or_copy(migration_dir, &self.folder.path().join(name))?;
        if let Some(lock) = migration_dir.parent().map(|p| p.join("migration_lock.toml")) {
            let dest = self.folder.path().join("migration_lock.toml");
            if lock.is_file() && !dest.exists() {
                std::fs::copy(&lock, &dest)?;
            }
        }
        Ok(())
    }

    /// `prisma migrate deploy` against `url` (with its password: it goes into the child's
    /// environment only).
    pub fn deploy(&self, url: &str) -> Result<Deployed> {
        let args = [
            "migrate".to_string(),
            "deploy".to_string(),
            "--config".to_string(),
            self.config.path().display().to_string(),
        ];
        let mut cmd = self.prisma.command(&args);
        cmd.current_dir(&self.cwd);
        cmd.env_remove(SHADOW_VAR);
        cmd.env(URL_VAR, url);
        cmd.env(MIGRATIONS_VAR, self.folder.path());
        if let Some(var) = &self.url_var {
            // The project's config may read it with env(), which throws when it is unset;
            // the written config replaces the URL either way.
            cmd.env(var, url);
        }
        cmd.stdin(std::process::Stdio::null());
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let start = Instant::now();
        // Review round 5, findings 10 and 11: SIGTERM/SIGHUP (CI cancelling, `timeout`) go to
        // prisma as Ctrl-C does, and prisma-guard lives on to remove the scratch database
        // and the written config; an interrupted deploy is no verdict on the migration.
        let forwarding = crate::sys::Forwarding::install();
        let child = cmd.spawn().with_context(|| format!("could not run {}", self.prisma.describe()))?;
        forwarding.child(child.id());
        let out = child.wait_with_output().with_context(|| format!("could not run {}", self.prisma.describe()));
        drop(forwarding);
        let out = out?;
        let took = start.elapsed();
        match out.status.code() {
            None => return Err(Interrupted("killed by a signal".into()).into()),
            Some(c @ (130 | 143)) => return Err(Interrupted(format!("exit {c}")).into()),
            Some(_) => {}
        }
        let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stderr));
        // Whatever prisma printed, the scratch URL's password never goes further.
        let password = crate::backup::db::url::DbUrl::parse(url).ok().and_then(|u| u.password().map(str::to_string));
        let output = crate::process::Redactor::new(password).apply(&output);
        Ok(Deployed { ok: out.status.success(), took, output })
    }
}

/// The config written beside the project's own: the same settings, with the datasource URL,
/// the migrations folder and the shadow database URL replaced by those this process puts in
/// prisma's environment (each only when set).
fn write_config(original: &Path) -> Result<PathBuf> {
    let dir = original.parent().context("a config file without a folder")?;
    let name = original.file_name().and_then(|n| n.to_str()).context("a config file name that is not UTF-8")?;
    let path = dir.join(format!(".prisma-guard-{}-{}.config.ts", std::process::id(), unique()));
    let text = format!(
        "// Written by prisma-guard and removed when it ends: the project's own config, with the\n\
         // database URL, migrations folder or shadow database given in the environment.\n\
         import base from \"./{name}\";\n\
         const b: any = base ?? {{}};\n\
         const e = process.env;\n\
         export default {{\n  ...b,\n  ...(e.{MIGRATIONS_VAR} ? {{ migrations: {{ ...(b.migrations ?? {{}}), path: e.{MIGRATIONS_VAR} }} }} : {{}}),\n  datasource: {{\n    ...(b.datasource ?? {{}}),\n    ...(e.{URL_VAR} ? {{ url: e.{URL_VAR} }} : {{}}),\n    ...(e.{SHADOW_VAR} ? {{ shadowDatabaseUrl: e.{SHADOW_VAR} }} : {{}}),\n  }},\n}};\n"
    );
    std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?;
    Ok(path)
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A config written beside the project's own (see [`write_config`]), removed on drop.
pub struct WrittenConfig {
    path: PathBuf,
}

impl WrittenConfig {
    pub fn beside(config_file: Option<&Path>) -> Result<WrittenConfig> {
        let Some(config_file) = config_file else {
            return Err(fail(
                "cannot point prisma at another database or migrations folder: the project has no prisma.config.ts",
            )
            .hint("this needs a Prisma 7 project (prisma.config.ts with datasource.url)")
            .into());
        };
        Ok(WrittenConfig { path: write_config(config_file)? })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WrittenConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Prisma was stopped by a signal (Ctrl-C, SIGTERM): what called it stops too, whatever it
/// would do after a plain failure.
#[derive(Debug, thiserror::Error)]
#[error("prisma was interrupted ({0}): stopped here, nothing after it ran")]
pub struct Interrupted(pub String);

/// What one prisma run printed.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn ok(&self) -> bool {
        self.code == 0
    }

    /// Both streams, for a message.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr).trim().to_string()
    }
}

/// One prisma call: `args` (with `--config <written>` added when given), extra environment
/// (the guard's pinned values, URLs), stdin (or none); the output captured, with every
/// secret in `secrets` redacted.
pub struct Call<'a> {
    pub prisma: &'a RealPrisma,
    pub cwd: &'a Path,
    pub config: Option<&'a WrittenConfig>,
    pub env: Vec<(String, String)>,
    pub secrets: Vec<String>,
}

impl Call<'_> {
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Output> {
        let mut argv: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
        if let Some(c) = self.config {
            argv.push("--config".into());
            argv.push(c.path().display().to_string());
        }
        let mut cmd = self.prisma.command(&argv);
        cmd.current_dir(self.cwd);
        // Only what this call sets reaches the written config: never values inherited.
        for v in [URL_VAR, MIGRATIONS_VAR, SHADOW_VAR] {
            cmd.env_remove(v);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.stdin(if stdin.is_some() { std::process::Stdio::piped() } else { std::process::Stdio::null() });
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        // Ctrl-C and SIGTERM go to prisma, and prisma-guard lives on to see it stop (then it
        // stops too, cleaning up its written config and shadow database: see `Interrupted`).
        let forwarding = crate::sys::Forwarding::install();
        let mut child = cmd.spawn().with_context(|| format!("could not run {}", self.prisma.describe()))?;
        forwarding.child(child.id());
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            use std::io::Write;
            pipe.write_all(input).context("could not write to prisma's stdin")?;
        }
        let out = child.wait_with_output().with_context(|| format!("could not run {}", self.prisma.describe()));
        drop(forwarding);
        let out = out?;
        let redact = |text: &[u8]| {
            let mut t = String::from_utf8_lossy(text).into_owned();
            for s in &self.secrets {
                t = crate::process::Redactor::new(Some(s.clone())).apply(&t);
            }
            t
        };
        let stdout = redact(&out.stdout);
        let stderr = redact(&out.stderr);
        // 130 and 143: Node's exit after SIGINT/SIGTERM handlers (as Prisma's CLI and the fake
        // exit); no code at all: killed by a signal.
        match out.status.code() {
            None => return Err(Interrupted("killed by a signal".into()).into()),
            Some(c @ (130 | 143)) => return Err(Interrupted(format!("exit {c}")).into()),
            Some(_) => {}
        }
        Ok(Output { code: out.status.code().unwrap_or(1), stdout, stderr })
    }
}

/// The password of a database URL, to redact it from prisma's output.
pub fn password_of(url: &str) -> Option<String> {
    crate::backup::db::url::DbUrl::parse(url).ok().and_then(|u| u.password().map(str::to_string))
}

pub fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(from, to).with_context(|| format!("could not link {}", to.display()))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            std::fs::copy(e.path(), to.join(e.file_name()))?;
        }
        Ok(())
    }
}
