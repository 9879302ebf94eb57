//! The point-in-time recovery history deleted or stopped with its engines' own commands:
//! `pgbackrest stanza-delete` (every backup and archived WAL of the stanza), `pgbackrest
//! expire --set=...` or with a retention given on the line (backups the configured retention
//! keeps), `pgbackrest stop` (archiving refused from then on, the step before a
//! stanza-delete); `litestream reset` (local changes not yet replicated), `litestream stop` and
//! `unregister` (replication ended). They lose the recovery points as `rm -rf` of the
//! repository would.

/// pgBackRest's options that take their value as the next word.
const PGBACKREST_VALUES: &[&str] = &["--stanza", "--config", "--set", "--type", "--log-level-console", "--repo"];

/// Why `argv` deletes or stops the point-in-time recovery history, if it does.
pub fn deletes_pitr(argv: &[String]) -> Option<String> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    let words =
        positionals(argv, if name == "pgbackrest" { PGBACKREST_VALUES } else { &["-config", "-socket", "-timeout"] });
    let has = |f: &str| argv.iter().any(|a| a == f || a.starts_with(&format!("{f}=")));
    match name {
        "pgbackrest" => {
            let cmd = *words.first()?;
            let retention_given = argv.iter().any(|a| a.starts_with("--repo") && a.contains("-retention"));
            let why = match cmd {
                "stanza-delete" => "deletes every backup and archived WAL of the stanza",
                "stop" => {
                    "stops archiving (every WAL segment from then on is refused), the step before a stanza-delete"
                }
                "expire" if has("--set") => "deletes the backup set it names and the WAL only it needed",
                "expire" if retention_given => {
                    "deletes the backups and WAL past the retention given on the line, not the configured one"
                }
                _ => return None,
            };
            Some(format!(
                "`pgbackrest {cmd}` {why}: the point-in-time recovery history is lost (`prisma-guard pitr status` shows it)"
            ))
        }
        "litestream" => {
            let cmd = *words.first()?;
            if has("-dry-run") || has("--dry-run") {
                return None;
            }
            let why = match cmd {
                "reset" => "deletes the local changes Litestream has not replicated yet",
                "stop" | "unregister" => "ends replication: no recovery point is kept from then on",
                _ => return None,
            };
            Some(format!(
                "`litestream {cmd}` {why}: the point-in-time recovery history is lost (`prisma-guard pitr status` shows it)"
            ))
        }
        _ => None,
    }
}

/// The words of `argv` after its name that are no options, and no values of the options in
/// `values`.
fn positionals<'a>(argv: &'a [String], values: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut k = 1;
    while let Some(a) = argv.get(k) {
        if a.starts_with('-') {
            if values.contains(&a.as_str()) {
                k += 1;
            }
        } else {
            out.push(a.as_str());
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(line: &str) -> Vec<String> {
        crate::shell::parse(line).expect("parse").remove(0).argv
    }

    /// Issue 20 review round 5, finding 1: an agent deleted the whole pgBackRest repository
    /// with pgBackRest's own commands.
    #[test]
    fn pitr_engines_deleting_their_history() {
        for line in [
            "pgbackrest --config=/p/backups/pitr/pgbackrest.conf --stanza=prisma-guard stanza-delete --force",
            "pgbackrest --stanza prisma-guard stanza-delete",
            "pgbackrest --config=/p/pgbackrest.conf --stanza=prisma-guard stop",
            "/usr/bin/pgbackrest --stanza=prisma-guard expire --set=20261207-215545F",
            "pgbackrest --stanza=prisma-guard --repo1-retention-full=1 expire",
            "litestream reset /p/dev.db",
            "litestream stop /p/dev.db",
            "litestream unregister -socket /tmp/l.sock /p/dev.db",
        ] {
            assert!(deletes_pitr(&v(line)).is_some(), "{line}");
        }
        for line in [
            "pgbackrest --stanza=prisma-guard info",
            "pgbackrest --stanza=prisma-guard check",
            "pgbackrest --stanza=prisma-guard expire",
            "pgbackrest --stanza=prisma-guard --type=full backup",
            "pgbackrest --stanza=prisma-guard start",
            "litestream replicate -config backups/pitr/litestream.yml",
            "litestream reset -dry-run /p/dev.db",
            "litestream restore -o /tmp/x.db /p/dev.db",
        ] {
            assert_eq!(deletes_pitr(&v(line)), None, "{line}");
        }
    }
}
