//! Finding the PostgreSQL client tools: psql, and a pg_dump new enough for the server.

use std::path::PathBuf;

use anyhow::Result;

use super::Postgres;
use crate::backup::db::ToolSettings;
use crate::error::fail;
use crate::process::Tool;

pub(super) const INSTALL_HINT: &str = "install the PostgreSQL client tools (Debian/Ubuntu: `apt-get install postgresql-client`; macOS: `brew install libpq`), or point `[tools] pg_bin_dir` in prisma-guard.toml at the folder holding pg_dump and psql";

impl Postgres {
    /// A pg_dump that can dump this server, and its version line, chosen once.
    pub(super) fn pg_dump(&self) -> Result<&(Tool, String)> {
        if let Some(found) = self.pg_dump.get() {
            return Ok(found);
        }
        let server_major = self.server()?.1;
        let tool = locate(&["pg_dump"], &self.tools)?;
        let version = tool.version()?;
        let tool_major = major_version(&version).unwrap_or(u32::MAX);
        let chosen = if tool_major >= server_major {
            (tool, version)
        } else if let Some(dir) = self.tools.pg_bin_dir.is_none().then(|| newest_debian_bin_dir(server_major)).flatten()
        {
            // Debian and Ubuntu install every major version side by side.
            let newer = Tool::locate(&["pg_dump"], Some(&dir), INSTALL_HINT)?;
            let v = newer.version()?;
            (newer, v)
        } else {
            return Err(fail(format!(
                "{} is version {tool_major}, older than the PostgreSQL {server_major} server; pg_dump refuses to dump a newer server",
                tool.path.display()
            ))
            .hint(format!("install pg_dump {server_major} or newer (Debian/Ubuntu: `apt-get install postgresql-client-{server_major}`), or set `[tools] pg_bin_dir` in prisma-guard.toml to its folder"))
            .into());
        };
        Ok(self.pg_dump.get_or_init(|| chosen))
    }
}

/// Find a PostgreSQL client tool. Debian's `/usr/bin/psql` is a Perl wrapper that costs
/// ~50 ms a call; when PATH leads to it, use the newest real binary it would pick.
pub(super) fn locate(names: &[&'static str], tools: &ToolSettings) -> Result<Tool> {
    let tool = Tool::locate(names, tools.pg_bin_dir.as_deref(), INSTALL_HINT)?;
    let is_wrapper = std::fs::canonicalize(&tool.path).is_ok_and(|p| p.ends_with("pg_wrapper"));
    if tools.pg_bin_dir.is_none() && is_wrapper {
        if let Some(dir) = newest_debian_bin_dir(0) {
            if let Ok(real) = Tool::locate(names, Some(&dir), INSTALL_HINT) {
                return Ok(real);
            }
        }
    }
    Ok(tool)
}

/// `pg_dump (PostgreSQL) 15.18 (Debian ...)` -> 15.
pub fn major_version(version_line: &str) -> Option<u32> {
    version_line.split_whitespace().find_map(|w| {
        w.split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .filter(|_| w.contains('.') || w.chars().all(|c| c.is_ascii_digit()))
    })
}

pub(super) fn newest_debian_bin_dir(min_major: u32) -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let major: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            (major >= min_major && bin.join("pg_dump").is_file()).then_some((major, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(major_version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"), Some(15));
        assert_eq!(major_version("pg_dump (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(major_version("nonsense"), None);
    }
}
