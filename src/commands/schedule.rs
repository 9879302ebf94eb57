//! `prisma-guard schedule`: a ready schedule for this project, from `templates/schedule/`.

use anyhow::Result;

use crate::cli::ScheduleArgs;
use crate::config::settings::Settings;
use crate::error::Failure;
use crate::ExitStatus;

const CRON: &str = include_str!("../../templates/schedule/crontab.txt");
const SYSTEMD: &str = include_str!("../../templates/schedule/systemd.txt");
const GITHUB: &str = include_str!("../../templates/schedule/github-actions.yml");
const GITLAB: &str = include_str!("../../templates/schedule/gitlab-ci.yml");

pub fn run(settings: &Settings, args: &ScheduleArgs) -> Result<ExitStatus> {
    let Some((hour, minute)) = parse_time(&args.at) else {
        return Err(Failure::usage(format!("--at {}: not a time of day", args.at))
            .hint("write it as HH:MM, e.g. 03:15")
            .into());
    };
    humantime::parse_duration(&args.max_age)
        .map_err(|e| Failure::usage(format!("--max-age {}: {e}", args.max_age)).hint("write it like 25h"))?;
    let template = match (args.cron, args.systemd, args.github_actions) {
        (true, _, _) => CRON,
        (_, true, _) => SYSTEMD,
        (_, _, true) => GITHUB,
        _ => GITLAB,
    };
    let bin = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "prisma-guard".into());
    let project = settings.project_root.display().to_string();
    for (what, value) in [("project folder", &project), ("prisma-guard path", &bin)] {
        if value.contains('\'') || value.contains('\n') {
            return Err(Failure::usage(format!(
                "the {what} ({value}) holds a quote or newline: not written into a schedule"
            ))
            .hint("move it to a plain path")
            .into());
        }
    }
    // Backups sealed to keys this machine does not hold cannot be restore-tested here: the
    // step is left out (and said so) rather than failing every night.
    // A passphrase is in the job's environment anyway (backups are sealed with it).
    let sealed_elsewhere = settings.config.file.encryption.as_ref().is_some_and(|e| e.passphrase_env.is_none())
        && settings.opening().ok().flatten().is_none();
    let logdir = settings.backup_dir.display().to_string();
    let (chain, systemd, github, gitlab) = if sealed_elsewhere {
        (
            String::new(),
            "# restore-test left out: backups are encrypted to keys this machine does not hold; run it where the identity is".to_string(),
            "      # restore-test left out: backups are encrypted to keys this runner does not hold".to_string(),
            "    # restore-test left out: backups are encrypted to keys this runner does not hold".to_string(),
        )
    } else {
        (
            format!(" && '{bin}' restore-test"),
            format!("ExecStart='{bin}' restore-test"),
            "      - name: Restore test (into a scratch database; needs CREATEDB)\n        run: prisma-guard restore-test".to_string(),
            "    - prisma-guard restore-test".to_string(),
        )
    };
    if logdir.contains('\'') || logdir.contains('\n') {
        return Err(Failure::usage(format!(
            "the backup folder ({logdir}) holds a quote or newline: not written into a schedule"
        ))
        .into());
    }
    let names = env_names(settings);
    let env_github: Vec<String> = names.iter().map(|n| format!("  {n}: ${{{{ secrets.{n} }}}}")).collect();
    let text = template
        .replace("{{ENV_GITHUB}}", &env_github.join("\n"))
        .replace("{{ENV_NAMES}}", &names.join(", "))
        .replace("{{CLIENT_SETUP_GITHUB}}", &client_setup(settings, "sudo ", ""))
        .replace("{{CLIENT_SETUP_GITLAB}}", &client_setup(settings, "", "git "))
        .replace("{{STATUS_MINUTE}}", &((minute + 30) % 60).to_string())
        .replace("{{RESTORE_TEST_CHAIN}}", &chain)
        .replace("{{RESTORE_TEST_SYSTEMD}}", &systemd)
        .replace("{{RESTORE_TEST_GITHUB}}", &github)
        .replace("{{RESTORE_TEST_GITLAB}}", &gitlab)
        .replace("{{LOGDIR}}", &logdir)
        .replace("{{PROJECT}}", &project)
        .replace("{{BIN}}", &bin)
        .replace("{{HH}}", &format!("{hour:02}"))
        .replace("{{MM}}", &format!("{minute:02}"))
        .replace("{{HOUR}}", &hour.to_string())
        .replace("{{MINUTE}}", &minute.to_string())
        .replace("{{MAX_AGE}}", &args.max_age);
    print!("{text}");
    Ok(ExitStatus::Success)
}

/// The environment variables a job needs, by the names this project's configuration reads:
/// the database URL's (prisma-guard.toml `[database] url_env`, else the Prisma config's or
/// schema's `env("...")`), each remote's keys, the encryption passphrase, and what each
/// `[[notify]]` reads.
fn env_names(settings: &Settings) -> Vec<String> {
    let file = &settings.config.file;
    let mut names = vec![file.database.url_env.clone().unwrap_or_else(|| database_var(settings))];
    for r in &file.remotes {
        if r.credentials.as_deref() == Some("instance") {
            continue;
        }
        names.push(r.access_key_id_env.clone().unwrap_or_else(|| "AWS_ACCESS_KEY_ID".into()));
        names.push(r.secret_access_key_env.clone().unwrap_or_else(|| "AWS_SECRET_ACCESS_KEY".into()));
        names.extend(r.session_token_env.clone());
    }
    if let Some(e) = &file.encryption {
        names.extend(e.passphrase_env.clone());
    }
    for n in &file.notify {
        names.extend([n.url_env.clone(), n.token_env.clone(), n.password_env.clone()].into_iter().flatten());
    }
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// The variable the Prisma config (or the schema) reads the URL from.
fn database_var(settings: &Settings) -> String {
    use crate::project::prisma_files::UrlExpr;
    if let Some((_, ds)) = &settings.project.datasource {
        if let Some(UrlExpr::Env(name)) = &ds.url {
            return name.clone();
        }
    }
    let text = settings.project.config_file.as_ref().and_then(|f| std::fs::read_to_string(f).ok()).unwrap_or_default();
    for marker in ["env(\"", "env('", "process.env."] {
        if let Some(rest) = text.split(marker).nth(1) {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                return name;
            }
        }
    }
    "DATABASE_URL".into()
}

/// The Debian packages of the dump and client tools for the project's database.
fn client_packages(settings: &Settings) -> &'static str {
    let provider = settings.project.datasource.as_ref().and_then(|(_, ds)| ds.provider.clone()).unwrap_or_default();
    match provider.as_str() {
        "mysql" => "mariadb-client zstd",
        "sqlite" => "zstd",
        _ => "postgresql-client zstd",
    }
}

/// The commands that install them on a Debian or Ubuntu runner. PostgreSQL's come from the
/// PostgreSQL project's own apt repository (PGDG), newest version: `pg_dump` must be at least
/// the server's major version, and the distribution's client is often older than the server.
fn client_setup(settings: &Settings, sudo: &str, extra: &str) -> String {
    let packages = client_packages(settings);
    if packages.starts_with("postgresql-client") {
        format!(
            "{sudo}apt-get update -q && {sudo}apt-get install -y -q {extra}postgresql-common zstd && {sudo}/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y && {sudo}apt-get install -y -q postgresql-client"
        )
    } else {
        format!("{sudo}apt-get update -q && {sudo}apt-get install -y -q {extra}{packages}")
    }
}

fn parse_time(at: &str) -> Option<(u8, u8)> {
    let (h, m) = at.split_once(':')?;
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_of_day() {
        assert_eq!(super::parse_time("03:15"), Some((3, 15)));
        assert_eq!(super::parse_time("24:00"), None);
        assert_eq!(super::parse_time("3"), None);
    }
}
