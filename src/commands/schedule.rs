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
    // Written into shell lines and unit files unquoted: "1h 30m" would split into two words
    // there (and status would exit 2 on every run), so the spaces go.
    let max_age: String = args.max_age.split_whitespace().collect();
    if !max_age.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(
            Failure::usage(format!("--max-age {}: only digits and units, like 25h or 1h30m", args.max_age)).into()
        );
    }
    humantime::parse_duration(&max_age)
        .map_err(|e| Failure::usage(format!("--max-age {}: {e}", args.max_age)).hint("write it like 25h"))?;
    let ci = !args.cron && !args.systemd;
    let template = match (args.cron, args.systemd, args.github_actions) {
        (true, _, _) => CRON,
        (_, true, _) => SYSTEMD,
        (_, _, true) => GITHUB,
        _ => GITLAB,
    };
    let bin = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "prisma-guard".into());
    let project = settings.project_root.display().to_string();
    let logdir = settings.backup_dir.display().to_string();
    let identity = settings.identity_file().map(|p| p.display().to_string());
    let paths = [
        ("project folder", Some(&project)),
        ("prisma-guard path", Some(&bin)),
        ("backup folder", Some(&logdir)),
        ("age identity file", identity.as_ref()),
    ];
    for (what, value) in paths.into_iter().filter_map(|(w, v)| v.map(|v| (w, v))) {
        // cron turns `%` into a newline, systemd reads `%x` as a specifier.
        if value.contains(['\'', '\n', '%']) {
            return Err(Failure::usage(format!(
                "the {what} ({value}) holds a quote, a newline or `%`: not written into a schedule"
            ))
            .hint("move it to a plain path")
            .into());
        }
    }
    // Backups sealed to keys the job does not hold cannot be restore-tested there: the step is
    // left out (and said so) rather than failing every night. A passphrase from the config's
    // `passphrase_env` is in the job's environment anyway (backups are sealed with it). An
    // identity file this shell names is written into the cron/systemd job (a scheduler does
    // not have this shell's variables); a CI runner holds none.
    let sealed = settings.config.file.encryption.as_ref().is_some_and(|e| e.passphrase_env.is_none());
    let job_identity = if sealed && !ci { identity.clone() } else { None };
    let sealed_elsewhere = sealed && (ci || job_identity.is_none());
    let (chain, systemd, github, gitlab) = if sealed_elsewhere {
        let why = if ci {
            "this runner does not hold"
        } else {
            "this machine does not hold (no --identity or PRISMA_GUARD_AGE_IDENTITY file here)"
        };
        (
            String::new(),
            format!("# restore-test left out: backups are encrypted to keys {why}; run it where the identity is"),
            format!("      # restore-test left out: backups are encrypted to keys {why}"),
            format!("    # restore-test left out: backups are encrypted to keys {why}"),
        )
    } else {
        let var = crate::backup::store::crypt::IDENTITY_VAR;
        let (prefix, unit_env) = match &job_identity {
            Some(path) => (format!("{var}='{path}' "), format!("Environment={var}={path}\n")),
            None => (String::new(), String::new()),
        };
        (
            format!(" && {prefix}'{bin}' restore-test"),
            format!("{unit_env}ExecStart='{bin}' restore-test"),
            format!(
                "      - name: Restore test (into a scratch database; needs CREATEDB)\n        env:\n{}\n        run: prisma-guard restore-test",
                env_github(&env_names(settings))
            ),
            "    - prisma-guard restore-test".to_string(),
        )
    };
    if ci {
        signing_note(settings)?;
    }
    let names = env_names(settings);
    let text = template
        .replace("{{ENV_GITHUB}}", &env_github(&names))
        .replace("{{VERSION}}", env!("CARGO_PKG_VERSION"))
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
        .replace("{{MAX_AGE}}", &max_age);
    print!("{text}");
    Ok(ExitStatus::Success)
}

/// A GitHub step's `env:` entries: each secret by its own name, on the steps that run
/// prisma-guard only (never the install).
fn env_github(names: &[String]) -> String {
    names.iter().map(|n| format!("          {n}: ${{{{ secrets.{n} }}}}")).collect::<Vec<_>>().join("\n")
}

/// CI jobs sign their uploads with the key of the secret the template names; restores trust it
/// once its public half is in `[signing] public_keys`. With `PRISMA_GUARD_SIGNING_KEY` naming
/// that key here, say the line to commit (or that it is listed); else say that none is listed.
fn signing_note(settings: &Settings) -> Result<()> {
    let file = &settings.config.file;
    if file.remotes.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = file
        .signing
        .as_ref()
        .map(|s| s.public_keys.iter().map(|k| k.trim().to_ascii_lowercase()).collect())
        .unwrap_or_default();
    match crate::backup::remote::named_signing_key()? {
        Some(key) if listed.contains(&key.public) => settings.printer.status(
            "Signing",
            format!("the key in PRISMA_GUARD_SIGNING_KEY ({}) is in [signing] public_keys", key.public),
        ),
        Some(key) => settings.printer.warn(format!(
            "the key in PRISMA_GUARD_SIGNING_KEY is not trusted yet: commit this in prisma-guard.toml, or restores refuse the job's backups:\n[signing]\npublic_keys = [\"{}\"]",
            key.public
        )),
        None if listed.is_empty() => settings.printer.warn(
            "[signing] public_keys is empty: restores will refuse the job's backups until the public half of its signing key is listed; create the key as the comments at the top say, then run this again with PRISMA_GUARD_SIGNING_KEY=<the key file> to print the line",
        ),
        None => {}
    }
    Ok(())
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
