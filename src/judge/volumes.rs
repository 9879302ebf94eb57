//! Docker and Podman commands that delete the volume holding the project's database: the
//! database services of the compose file (an image of PostgreSQL, MySQL, MariaDB, MongoDB
//! and the like), their named volumes (`<project>_<volume>`) and the anonymous volumes their
//! images declare. `docker compose down -v`, `docker compose rm -v`, `docker volume rm|prune`,
//! `docker system prune --volumes`, `docker rm -v CONTAINER`. Without a compose file naming a
//! database service nothing is known to be lost (`docker compose down` keeps volumes).

use std::path::{Path, PathBuf};

use crate::shell::SimpleCommand;

/// Compose file names, in the order `docker compose` looks for them.
const COMPOSE_FILES: &[&str] = &["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

/// Image names of database servers.
const DB_IMAGES: &[&str] = &[
    "postgres",
    "postgis",
    "timescale",
    "pgvector",
    "mysql",
    "mariadb",
    "percona",
    "mongo",
    "cockroach",
    "yugabyte",
    "supabase/postgres",
    "bitnami/postgresql",
    "bitnami/mysql",
    "bitnami/mariadb",
    "bitnami/mongodb",
    "neon",
    "edgedb",
    "sqlserver",
    "mssql",
];

/// A database service of a compose file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbService {
    pub service: String,
    /// Names the container may have: `container_name`, `<project>-<service>-1`, `<project>_<service>_1`.
    pub containers: Vec<String>,
    /// The Docker names of its named volumes (`<project>_<volume>`, or the volume's `name:`).
    pub volumes: Vec<String>,
}

/// The database services of the compose files a command in `dir` would use (`-f FILE`, or
/// the first compose file in `dir` or above), with the project name (`-p`, the file's
/// `name:`, or its folder's name).
pub fn db_services(dir: &Path, files: &[String], project: Option<&str>) -> Vec<DbService> {
    let paths: Vec<PathBuf> = if files.is_empty() {
        dir.ancestors()
            .find_map(|d| COMPOSE_FILES.iter().map(|n| d.join(n)).find(|p| p.is_file()))
            .into_iter()
            .collect()
    } else {
        files.iter().map(|f| dir.join(f)).collect()
    };
    let mut out = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let folder =
            path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        out.extend(db_services_in(&text, &folder, project));
    }
    out
}

/// The database services of one compose file's text, the file being in folder `folder`.
pub fn db_services_in(text: &str, folder: &str, project: Option<&str>) -> Vec<DbService> {
    let mut out = Vec::new();
    let Ok(doc) = crate::scan::extract::yaml_to_json(text) else { return out };
    let project = project
        .map(str::to_string)
        .or_else(|| doc.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .unwrap_or_else(|| normalize_project(folder));
    let declared = doc.get("volumes").and_then(|v| v.as_object());
    let Some(services) = doc.get("services").and_then(|s| s.as_object()) else { return out };
    for (name, svc) in services {
        let image = svc.get("image").and_then(|i| i.as_str()).unwrap_or("").to_ascii_lowercase();
        if !DB_IMAGES.iter().any(|d| image.contains(d)) {
            continue;
        }
        let mut volumes = Vec::new();
        for v in svc.get("volumes").and_then(|v| v.as_array()).into_iter().flatten() {
            let source = match v {
                serde_json::Value::String(s) => s.split(':').next().filter(|_| s.contains(':')).map(str::to_string),
                serde_json::Value::Object(o)
                    if o.get("type").and_then(|t| t.as_str()).unwrap_or("volume") == "volume" =>
                {
                    o.get("source").and_then(|s| s.as_str()).map(str::to_string)
                }
                _ => None,
            };
            let Some(source) = source.filter(|s| !s.starts_with(['.', '/', '~', '$'])) else { continue };
            let declared = declared.and_then(|d| d.get(&source));
            let explicit = declared.and_then(|d| d.get("name")).and_then(|n| n.as_str());
            let external = declared.and_then(|d| d.get("external")).is_some_and(|e| e == true);
            volumes.push(match (explicit, external) {
                (Some(n), _) => n.to_string(),
                (None, true) => source.clone(),
                (None, false) => format!("{project}_{source}"),
            });
        }
        let mut containers = vec![format!("{project}-{name}-1"), format!("{project}_{name}_1")];
        containers.extend(svc.get("container_name").and_then(|c| c.as_str()).map(str::to_string));
        out.push(DbService { service: name.clone(), containers, volumes });
    }
    out
}

/// Compose's project name from a folder name: lowercase letters, digits, `_` and `-`.
fn normalize_project(folder: &str) -> String {
    folder.to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect()
}

/// Why `cmd` (run in `dir`) deletes a volume holding the project's database, if it does.
pub fn loses_volume(cmd: &SimpleCommand, dir: &Path) -> Option<String> {
    loses_volume_with(cmd, &|files, project| db_services(dir, files, project))
}

/// The compose files' database services, given the `-f` files and the `-p` project.
pub type Services<'a> = &'a dyn Fn(&[String], Option<&str>) -> Vec<DbService>;

/// As [`loses_volume`], with the compose files read by `services`.
pub fn loses_volume_with(cmd: &SimpleCommand, services: Services<'_>) -> Option<String> {
    let argv = &cmd.argv;
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    let (words, files, project) = match name {
        "docker" | "podman" | "nerdctl" => {
            let w = global_skipped(argv, 1, &["-H", "--host", "-c", "--context", "--config", "-l", "--log-level"]);
            match w.first().map(String::as_str) {
                Some("compose") => compose_args(&w[1..]),
                _ => (w, Vec::new(), None),
            }
        }
        "docker-compose" | "podman-compose" => compose_args(&argv[1..]),
        _ => return None,
    };
    let compose = name.ends_with("compose") || argv.iter().any(|a| a == "compose");
    let sub = words.first().map(String::as_str)?;
    let flags = &words[1..];
    let flag = |short: char, long: &str| {
        flags.iter().any(|a| a == long || (a.starts_with('-') && !a.starts_with("--") && a.contains(short)))
    };
    let dbs = || services(&files, project.as_deref());
    let volumes_of = |dbs: &[DbService]| dbs.iter().flat_map(|d| d.volumes.clone()).collect::<Vec<_>>().join(", ");
    let services_of = |dbs: &[DbService]| dbs.iter().map(|d| d.service.clone()).collect::<Vec<_>>().join(", ");
    let dynamic = |a: &str| a.contains('$') || a.contains(crate::shell::parse::SUBSTITUTED);
    match (compose, sub) {
        (true, "down") if flag('v', "--volumes") => {
            let dbs = dbs();
            (!dbs.is_empty()).then(|| {
                format!(
                    "`{name} compose down -v` deletes the volumes of the database service {} with every row in them",
                    services_of(&dbs)
                )
            })
        }
        (true, "rm") if flag('v', "--volumes") => {
            let dbs = dbs();
            let named: Vec<&String> = flags.iter().filter(|a| !a.starts_with('-')).collect();
            let hit: Vec<DbService> =
                dbs.into_iter().filter(|d| named.is_empty() || named.iter().any(|n| **n == d.service)).collect();
            (!hit.is_empty()).then(|| {
                format!("`compose rm -v` deletes the anonymous volumes of the database service {}", services_of(&hit))
            })
        }
        (false, "volume") => {
            let verb = flags.first().map(String::as_str)?;
            let dbs = dbs();
            if dbs.is_empty() {
                return None;
            }
            match verb {
                "rm" | "remove" => {
                    let targets: Vec<&String> = flags[1..].iter().filter(|a| !a.starts_with('-')).collect();
                    let all: Vec<String> = dbs.iter().flat_map(|d| d.volumes.clone()).collect();
                    // No word left: the names come from a substitution (`$(docker volume ls -q)`).
                    if targets.is_empty() {
                        return Some(format!("`{name} volume rm` of volumes named when the line runs may delete the database's ({})", volumes_of(&dbs)));
                    }
                    let hit = targets.iter().find(|t| dynamic(t) || all.iter().any(|v| v == **t || v.ends_with(&format!("_{t}"))));
                    hit.map(|t| format!("`{name} volume rm {t}` deletes a volume of the database service {} ({})", services_of(&dbs), volumes_of(&dbs)))
                }
                "prune" => Some(format!(
                    "`{name} volume prune` deletes unused volumes, the database's among them when its container is stopped ({})",
                    services_of(&dbs)
                )),
                _ => None,
            }
        }
        (false, "system") if flags.first().is_some_and(|a| a == "prune") && flags.iter().any(|a| a == "--volumes") => {
            let dbs = dbs();
            (!dbs.is_empty()).then(|| {
                format!(
                    "`{name} system prune --volumes` deletes unused volumes, the database's among them ({})",
                    services_of(&dbs)
                )
            })
        }
        (false, "rm" | "container") if flag('v', "--volumes") => {
            let dbs = dbs();
            let targets: Vec<&String> = flags.iter().filter(|a| !a.starts_with('-') && *a != "rm").collect();
            if targets.is_empty() && !dbs.is_empty() {
                return Some(format!(
                    "`{name} rm -v` of containers named when the line runs may delete the database container's volumes"
                ));
            }
            let hit = targets
                .iter()
                .find(|t| dynamic(t) || dbs.iter().any(|d| d.containers.contains(t) || d.service == ***t));
            hit.map(|t| format!("`{name} rm -v {t}` deletes the database container's anonymous volumes"))
        }
        _ => None,
    }
}

/// argv from `from` with global options (and their values) before the subcommand skipped.
fn global_skipped(argv: &[String], from: usize, values: &[&str]) -> Vec<String> {
    let mut i = from;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-')) {
        i += if values.contains(&a.as_str()) { 2 } else { 1 };
    }
    argv.get(i..).unwrap_or(&[]).to_vec()
}

/// `compose` arguments: the subcommand's words, the `-f` files and the `-p` project.
fn compose_args(args: &[String]) -> (Vec<String>, Vec<String>, Option<String>) {
    let mut files = Vec::new();
    let mut project = std::env::var("COMPOSE_PROJECT_NAME").ok().filter(|p| !p.is_empty());
    let mut i = 0;
    while let Some(a) = args.get(i).filter(|a| a.starts_with('-')) {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let takes = crate::shell::wrappers::COMPOSE_VALUES.contains(&flag);
        let value = inline.or_else(|| takes.then(|| args.get(i + 1).cloned()).flatten());
        match flag {
            "-f" | "--file" => files.extend(value.clone()),
            "-p" | "--project-name" => project = value.clone(),
            _ => {}
        }
        i += if takes && !a.contains('=') { 2 } else { 1 };
    }
    (args.get(i..).unwrap_or(&[]).to_vec(), files, project)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::parse::parse;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::Builder::new().prefix("shop").tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("docker-compose.yml"),
            "name: shop\nservices:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n  web:\n    image: node:22\nvolumes:\n  pgdata:\n",
        )
        .expect("write");
        dir
    }

    fn judged(line: &str, dir: &Path) -> Option<String> {
        loses_volume(parse(line).expect("parse").last().expect("a command"), dir)
    }

    #[test]
    fn commands_that_delete_the_database_volume() {
        let p = project();
        for line in [
            "docker compose down -v",
            "docker compose down --volumes --remove-orphans",
            "docker-compose down -v",
            "docker compose -f docker-compose.yml down -v",
            "podman compose down -v",
            "docker volume rm shop_pgdata",
            "docker volume rm pgdata",
            "docker volume rm $(docker volume ls -q)",
            "docker volume prune -a -f",
            "docker system prune --volumes -f",
            "docker rm -v shop-db-1",
            "docker compose rm -sfv db",
        ] {
            assert!(judged(line, p.path()).is_some(), "{line}");
        }
        for line in [
            "docker compose down",
            "docker compose up -d",
            "docker volume ls",
            "docker volume rm other_cache",
            "docker rm -v shop-web-1",
            "docker system prune -f",
            "docker compose rm -v web",
        ] {
            assert_eq!(judged(line, p.path()), None, "{line}");
        }
        // No compose file with a database: nothing known to be lost.
        let empty = tempfile::tempdir().expect("tempdir");
        assert_eq!(judged("docker compose down -v", empty.path()), None);
    }
}
