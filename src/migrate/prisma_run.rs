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
const MIGRATIONS_VAR: &str = "PRISMA_GUARD_REHEARSE_MIGRATIONS";

/// How prisma is pointed at the scratch database.
pub struct Deployer {
    prisma: RealPrisma,
    /// The written config (removed on drop).
    config: PathBuf,
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
        let Some(config_file) = config_file else {
            return Err(fail("cannot point prisma at the scratch database: the project has no prisma.config.ts")
                .hint("rehearsals need a Prisma 7 project (prisma.config.ts with datasource.url)")
                .into());
        };
        let folder = tempfile::Builder::new().prefix("prisma-guard-rehearse-").tempdir()?;
        let config = write_config(config_file)?;
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
        let args =
            ["migrate".to_string(), "deploy".to_string(), "--config".to_string(), self.config.display().to_string()];
        let mut cmd = self.prisma.command(&args);
        cmd.current_dir(&self.cwd);
        cmd.env(URL_VAR, url);
        cmd.env(MIGRATIONS_VAR, self.folder.path());
        if let Some(var) = &self.url_var {
            // The project's config may read it with env(), which throws when it is unset;
            // the written config replaces the URL either way.
            cmd.env(var, url);
        }
        cmd.stdin(std::process::Stdio::null());
        let start = Instant::now();
        let out = cmd.output().with_context(|| format!("could not run {}", self.prisma.describe()))?;
        let took = start.elapsed();
        let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stderr));
        // Whatever prisma printed, the scratch URL's password never goes further.
        let password = crate::backup::db::url::DbUrl::parse(url).ok().and_then(|u| u.password().map(str::to_string));
        let output = crate::process::Redactor::new(password).apply(&output);
        Ok(Deployed { ok: out.status.success(), took, output })
    }
}

impl Drop for Deployer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.config);
    }
}

/// The config written beside the project's own: the same settings, another URL and
/// migrations folder, both from this process's environment.
fn write_config(original: &Path) -> Result<PathBuf> {
    let dir = original.parent().context("a config file without a folder")?;
    let name = original.file_name().and_then(|n| n.to_str()).context("a config file name that is not UTF-8")?;
    let path = dir.join(format!(".prisma-guard-rehearse-{}.config.ts", std::process::id()));
    let text = format!(
        "// Written by `prisma-guard migrate rehearse` and removed when it ends: the project's\n\
         // own config, pointed at a scratch copy of the database.\n\
         import base from \"./{name}\";\n\
         const b: any = base ?? {{}};\n\
         export default {{\n  ...b,\n  migrations: {{ ...(b.migrations ?? {{}}), path: process.env.{MIGRATIONS_VAR} }},\n  datasource: {{ ...(b.datasource ?? {{}}), url: process.env.{URL_VAR} }},\n}};\n"
    );
    std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?;
    Ok(path)
}

fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
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
