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
    let sealed_elsewhere = settings.config.file.encryption.is_some() && settings.opening().ok().flatten().is_none();
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
    let text = template
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
