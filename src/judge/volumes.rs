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
    /// Host folders bind-mounted into it (`./pgdata:/var/lib/postgresql/data`), as written
    /// (relative to the compose file's folder); absolute once [`db_services`] read the file.
    pub binds: Vec<PathBuf>,
}

/// The database services of the compose files a command in `dir` would use (`-f FILE`, or
/// the first compose file in `dir` or above), with the project name (`-p`, the file's
/// `name:`, or its folder's name).
/// Without `-f`, every compose file of the repository counts too (`docker/compose.yml`): a
/// volume or a data folder is lost whichever file made it.
pub fn db_services(dir: &Path, files: &[String], project: Option<&str>) -> Vec<DbService> {
    let paths: Vec<PathBuf> = if files.is_empty() {
        let mut paths: Vec<PathBuf> = dir
            .ancestors()
            .find_map(|d| COMPOSE_FILES.iter().map(|n| d.join(n)).find(|p| p.is_file()))
            .into_iter()
            .collect();
        for p in repository_compose_files(dir) {
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
        paths
    } else {
        files.iter().map(|f| dir.join(f)).collect()
    };
    let mut out = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let folder =
            path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let base = path.parent().unwrap_or(dir);
        // Compose reads COMPOSE_PROJECT_NAME from the `.env` beside the file too.
        let from_env = std::fs::read_to_string(base.join(".env")).ok().and_then(|t| {
            crate::project::dotenv::parse(&t).into_iter().find(|(k, _)| k == "COMPOSE_PROJECT_NAME").map(|(_, v)| v)
        });
        let project = project.map(str::to_string).or(from_env);
        out.extend(db_services_at(&text, &folder, project.as_deref(), Some(base)).into_iter().map(|mut s| {
            s.binds = s.binds.iter().map(|b| crate::config::lexical_normalize(&base.join(b))).collect();
            s
        }));
    }
    out
}

/// Compose files (`compose.yaml`, `docker-compose.dev.yml`, ...) in the repository around
/// `dir` and below `dir`, two folders deep, and in `.devcontainer`.
fn repository_compose_files(dir: &Path) -> Vec<PathBuf> {
    let root = dir.ancestors().find(|d| d.join(".git").exists());
    let mut out = Vec::new();
    for base in root.into_iter().chain(std::iter::once(dir)) {
        let mut folders = crate::judge::context::subfolders(base, 2);
        folders.push(base.join(".devcontainer"));
        for folder in folders {
            let Ok(entries) = std::fs::read_dir(&folder) else { continue };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                let compose = (name.starts_with("compose.") || name.starts_with("docker-compose."))
                    && (name.ends_with(".yml") || name.ends_with(".yaml"));
                if compose && !out.contains(&e.path()) {
                    out.push(e.path());
                }
            }
        }
    }
    out.sort();
    out
}

/// The database services of one compose file's text, the file being in folder `folder`.
pub fn db_services_in(text: &str, folder: &str, project: Option<&str>) -> Vec<DbService> {
    db_services_at(text, folder, project, None)
}

/// Whether a service built from `base` (`build: ./db`) is a database server: its Dockerfile
/// starts from a database image.
fn built_database(svc: &serde_json::Value, base: Option<&Path>) -> bool {
    let Some(build) = svc.get("build") else { return false };
    let (context, dockerfile) = match build {
        serde_json::Value::String(c) => (c.clone(), "Dockerfile".to_string()),
        serde_json::Value::Object(o) => (
            o.get("context").and_then(|c| c.as_str()).unwrap_or(".").to_string(),
            o.get("dockerfile").and_then(|c| c.as_str()).unwrap_or("Dockerfile").to_string(),
        ),
        _ => return false,
    };
    let Some(base) = base else { return true }; // not readable here: fail closed
    match std::fs::read_to_string(base.join(&context).join(&dockerfile)) {
        Ok(text) => text.lines().any(|l| {
            let l = l.trim().to_ascii_lowercase();
            l.starts_with("from ") && DB_IMAGES.iter().any(|d| l.contains(d))
        }),
        Err(_) => false,
    }
}

/// As [`db_services_in`], with the compose file's folder `base` to read the Dockerfiles of
/// services it builds.
fn db_services_at(text: &str, folder: &str, project: Option<&str>, base: Option<&Path>) -> Vec<DbService> {
    let mut out = Vec::new();
    let Ok(doc) = crate::scan::extract::yaml_to_json(text) else { return out };
    // Every name the project may have (`-p` or COMPOSE_PROJECT_NAME, the file's `name:`, its
    // folder): a volume of any of them may be the database's.
    let mut projects: Vec<String> = Vec::new();
    for p in [project.map(str::to_string), doc.get("name").and_then(|n| n.as_str()).map(str::to_string)]
        .into_iter()
        .flatten()
        .chain([normalize_project(folder)])
    {
        if !projects.contains(&p) {
            projects.push(p);
        }
    }
    let declared = doc.get("volumes").and_then(|v| v.as_object());
    let Some(services) = doc.get("services").and_then(|s| s.as_object()) else { return out };
    for (name, svc) in services {
        let image = svc.get("image").and_then(|i| i.as_str()).unwrap_or("").to_ascii_lowercase();
        // A database image, a build from one, or a volume at a database server's data folder.
        let data_mount = svc.get("volumes").and_then(|v| v.as_array()).into_iter().flatten().any(|v| {
            let target = match v {
                serde_json::Value::String(s) => s.split(':').nth(1).map(str::to_string),
                serde_json::Value::Object(o) => o.get("target").and_then(|t| t.as_str()).map(str::to_string),
                _ => None,
            };
            target.is_some_and(|t| server_data(&t).is_some())
        });
        if !(DB_IMAGES.iter().any(|d| image.contains(d)) || data_mount || built_database(svc, base)) {
            continue;
        }
        let mut volumes = Vec::new();
        let mut binds = Vec::new();
        for v in svc.get("volumes").and_then(|v| v.as_array()).into_iter().flatten() {
            let bind = match v {
                serde_json::Value::String(s) => s.split(':').next().filter(|_| s.contains(':')).map(str::to_string),
                serde_json::Value::Object(o) if o.get("type").and_then(|t| t.as_str()) == Some("bind") => {
                    o.get("source").and_then(|s| s.as_str()).map(str::to_string)
                }
                _ => None,
            };
            if let Some(b) = bind.filter(|s| s.starts_with(['.', '/'])) {
                binds.push(PathBuf::from(b));
            }
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
            match (explicit, external) {
                (Some(n), _) => volumes.push(n.to_string()),
                (None, true) => volumes.push(source.clone()),
                (None, false) => volumes.extend(projects.iter().map(|p| format!("{p}_{source}"))),
            }
        }
        let mut containers: Vec<String> =
            projects.iter().flat_map(|p| [format!("{p}-{name}-1"), format!("{p}_{name}_1")]).collect();
        containers.extend(svc.get("container_name").and_then(|c| c.as_str()).map(str::to_string));
        out.push(DbService { service: name.clone(), containers, volumes, binds });
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
    // `docker compose -f - down -v < compose.yml`, `cat compose.yml | docker compose -f - ...`:
    // the compose file is the input; unknown input fails closed.
    let stdin = files.iter().any(|f| f == "-" || f == "/dev/stdin");
    let files: Vec<String> = match (&cmd.input_file, stdin) {
        (Some(input), true) => {
            files.iter().map(|f| if f == "-" || f == "/dev/stdin" { input.clone() } else { f.clone() }).collect()
        }
        _ => files,
    };
    if stdin
        && cmd.input_file.is_none()
        && compose
        && matches!(sub, "down" | "rm")
        && words[1..].iter().any(|a| {
            a == "--volumes"
                || a.starts_with("--volumes=") && !a.ends_with("false")
                || (a.starts_with('-') && !a.starts_with("--") && a.contains('v'))
        })
    {
        return Some(format!(
            "`{name} compose {sub} -v` reads its compose file from its input, which cannot be checked: it may delete the database's volumes"
        ));
    }
    let flags = &words[1..];
    // `-v`, `--volumes`, `--volumes=true` (not `--volumes=false`).
    let flag = |short: char, long: &str| {
        flags.iter().any(|a| {
            a == long
                || a.strip_prefix(long).and_then(|v| v.strip_prefix('=')).is_some_and(|v| !matches!(v, "false" | "0"))
                || (a.starts_with('-') && !a.starts_with("--") && a.contains(short))
        })
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
        // `up -V`: the anonymous volumes, where a database without a named volume or a bind
        // mount keeps its data, are made anew.
        (true, "up" | "create") if flag('V', "--renew-anon-volumes") => {
            let dbs: Vec<DbService> =
                dbs().into_iter().filter(|d| d.volumes.is_empty() && d.binds.is_empty()).collect();
            (!dbs.is_empty()).then(|| {
                format!(
                    "`{name} compose {sub} --renew-anon-volumes` makes the anonymous volumes of the database service {} anew, empty",
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
        (false, "system") if flags.first().is_some_and(|a| a == "prune") && flag('\0', "--volumes") => {
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

/// Commands that remove, move away or empty what they name: the data files' removers, and
/// `rmdir` and `mv` for a folder.
fn removes(name: &str) -> bool {
    super::data::REMOVERS.contains(&name) || matches!(name, "rmdir" | "mv")
}

/// The data folders of database servers: in their images (`/var/lib/postgresql/data`) and
/// where Homebrew and Linux packages keep them.
const SERVER_DATA: &[&str] = &[
    "/var/lib/postgresql",
    "/var/lib/pgsql",
    "/var/lib/mysql",
    "/var/lib/mariadb",
    "/var/lib/mongodb",
    "/data/db",
    "/bitnami/postgresql",
    "/bitnami/mysql",
    "/bitnami/mariadb",
    "/bitnami/mongodb",
    "/var/opt/mssql",
    "/usr/local/var/postgres",
    "/usr/local/var/mysql",
    "/opt/homebrew/var/postgres",
    "/opt/homebrew/var/postgresql",
    "/usr/local/var/postgresql",
    "/opt/homebrew/var/mysql",
    "/cockroach/cockroach-data",
    "$PGDATA",
    "${PGDATA}",
];

/// Whether `path` is or holds a database server's data folder (or is in one).
fn server_data(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches(['/', '*']);
    SERVER_DATA.iter().copied().find(|d| {
        path == *d
            || path.starts_with(&format!("{d}/"))
            || path.starts_with(&format!("{d}@")) // Homebrew's versioned folders: postgresql@16
            || (d.starts_with(&format!("{path}/")) && path.matches('/').count() >= 2)
    })
}

/// Why `cmd`, run in `dir` (the line's folder joined with `dirs`' last known one), removes
/// the data of a database server: a host folder bind-mounted as a database service's data
/// (`rm -rf ./pgdata`), a server's data folder (`rm -rf /var/lib/postgresql/data/*` here or in
/// its container), or a volume of the database handed to a container that removes files in
/// it (`docker run -v shop_pgdata:/d alpine rm -rf /d/base`).
pub fn loses_server_data(cmd: &SimpleCommand, dir: &Path) -> Option<String> {
    let argv = &cmd.argv;
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    if matches!(name, "docker" | "podman" | "nerdctl" | "docker-compose" | "podman-compose") {
        return container_removes(argv, dir);
    }
    let operands: Vec<&String> = match name {
        _ if removes(name) => {
            let ops: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
            // `mv` removes its sources; its destination only receives.
            if name == "mv" && ops.len() >= 2 {
                ops[..ops.len() - 1].to_vec()
            } else {
                ops
            }
        }
        "find" if argv.iter().any(|a| a == "-delete") || argv.windows(2).any(|w| w[0] == "-exec" && w[1] == "rm") => {
            argv[1..].iter().take_while(|a| !a.starts_with('-')).collect()
        }
        "rsync" if argv.iter().any(|a| a.starts_with("--delete")) => {
            argv[1..].iter().rfind(|a| !a.starts_with('-')).into_iter().collect()
        }
        _ => return None,
    };
    if let Some((p, d)) = operands.iter().find_map(|p| server_data(p).map(|d| (p, d))) {
        return Some(format!("`{name}` removes {p}, where a database server keeps its data ({d})"));
    }
    let services = db_services(dir, &[], None);
    // `find . -name 'pgdata*' -exec rm -rf {} +`: what the name tests match below the roots.
    let names: Vec<regex::Regex> = if name == "find" {
        argv.windows(2)
            .filter(|w| w[0] == "-name" || w[0] == "-iname")
            .filter_map(|w| crate::judge::tamper::glob_regex(&w[1], false, w[0] == "-iname"))
            .collect()
    } else {
        Vec::new()
    };
    let operands: Vec<String> = operands.iter().map(|p| here_path(p)).collect();
    for svc in &services {
        for bind in &svc.binds {
            for p in &operands {
                // `pg*`, `pgdata?`: a pattern matching the folder or one holding it.
                // `pgdata2/*`: what is in the folder (the pattern's folder is it or inside it).
                if p.contains(['*', '?', '[']) && name != "find" {
                    let pattern = crate::config::lexical_normalize(&dir.join(p.as_str())).display().to_string();
                    let literal = p.split(['*', '?', '[']).next().unwrap_or(p);
                    let folder = crate::config::lexical_normalize(
                        &dir.join(&literal[..literal.rfind('/').map_or(0, |k| k + 1)]),
                    );
                    // The pattern matches the folder, one holding it, or goes into it (`*/base`).
                    let parts: Vec<&str> = pattern.split('/').collect();
                    let bind_text = bind.display().to_string();
                    let matches = crate::judge::tamper::glob_regex(&pattern, false, false)
                        .is_some_and(|re| bind.ancestors().any(|a| re.is_match(&a.display().to_string())))
                        || (2..parts.len()).any(|k| {
                            crate::judge::tamper::glob_regex(&parts[..k].join("/"), false, false)
                                .is_some_and(|re| re.is_match(&bind_text))
                        })
                        || folder.starts_with(bind);
                    if !matches {
                        continue;
                    }
                    {
                        let shown = bind.strip_prefix(dir).unwrap_or(bind).display().to_string();
                        return Some(format!(
                            "`{name}` removes {p}: {shown} holds the data of the database service {} (a bind mount in the compose file)",
                            svc.service
                        ));
                    }
                }
                if !names.is_empty() {
                    let root = crate::config::lexical_normalize(&dir.join(p.as_str()));
                    let below = bind.strip_prefix(&root).ok();
                    let named = below.is_some_and(|b| {
                        b.components().any(|c| names.iter().any(|re| re.is_match(&c.as_os_str().to_string_lossy())))
                    });
                    if named {
                        let shown = bind.strip_prefix(dir).unwrap_or(bind).display().to_string();
                        return Some(format!(
                            "`find` deletes what its names match below {p}: {shown} holds the data of the database service {} (a bind mount in the compose file)",
                            svc.service
                        ));
                    }
                }
                // Up to the first pattern character: `pgdata/*` removes what is in pgdata.
                let literal = p.split(['*', '?', '[']).next().unwrap_or(p);
                let abs = crate::config::lexical_normalize(&dir.join(literal));
                // `find . -name '*.log' -delete` removes what matches below `.`, not `.`.
                let filtered = name == "find"
                    && argv.iter().any(|a| {
                        a.starts_with("-name") || a.starts_with("-path") || a.starts_with("-regex") || a == "-iname"
                    });
                let holds = bind.starts_with(&abs) && abs.parent().is_some() && !filtered;
                let hits = abs == *bind || abs.starts_with(bind) || holds;
                if hits && !literal.is_empty() {
                    let shown = bind.strip_prefix(dir).unwrap_or(bind).display().to_string();
                    return Some(format!(
                        "`{name}` removes {p}: {shown} holds the data of the database service {} (a bind mount in the compose file)",
                        svc.service
                    ));
                }
            }
        }
    }
    None
}

/// A path as written, with where the line runs (`$PWD/x`, `${PWD}/x`, `$PWD`) made `./x`.
fn here_path(p: &str) -> String {
    for pwd in ["$PWD", "${PWD}"] {
        if let Some(rest) = p.strip_prefix(pwd).filter(|r| r.is_empty() || r.starts_with(['/', ':'])) {
            return format!(".{rest}");
        }
    }
    p.to_string()
}

/// `docker run -v VOLUME:/d IMAGE rm -rf /d/...`, `docker compose exec db rm -rf
/// /var/lib/postgresql/data`: a container that removes the database's files.
fn container_removes(argv: &[String], dir: &Path) -> Option<String> {
    let name = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
    let k = match crate::shell::wrappers::inner(name, argv)? {
        crate::shell::wrappers::Inner::Argv(k) => k,
        crate::shell::wrappers::Inner::Script(_) => return None,
    };
    let inner = argv[k..].join(" ");
    let removes = inner
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '\'' | '"' | '('))
        .any(|w| removes(w.rsplit('/').next().unwrap_or(w)) || w == "-delete");
    if !removes {
        return None;
    }
    if let Some(d) = inner.split(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ';')).find_map(server_data) {
        return Some(format!(
            "`{name}` runs `{inner}` in a container, removing files where the database server keeps its data ({d})"
        ));
    }
    // Mounts of the database's volumes or data folders, and where they are in the container.
    let services = db_services(dir, &[], None);
    let mut mounts: Vec<(String, String)> = Vec::new();
    for w in argv[..k].windows(2) {
        let spec = match w[0].as_str() {
            "-v" | "--volume" => w[1].clone(),
            "--mount" => {
                let field =
                    |f: &str| w[1].split(',').find_map(|kv| kv.strip_prefix(&format!("{f}=")).map(str::to_string));
                match (
                    field("source").or_else(|| field("src")),
                    field("target").or_else(|| field("dst")).or_else(|| field("destination")),
                ) {
                    (Some(s), Some(t)) => format!("{s}:{t}"),
                    _ => continue,
                }
            }
            _ => continue,
        };
        let spec = here_path(&spec);
        let mut parts = spec.split(':');
        let (Some(source), Some(target)) = (parts.next(), parts.next()) else { continue };
        let is_db = services.iter().any(|s| {
            s.volumes.iter().any(|v| v == source || v.ends_with(&format!("_{source}")))
                || (source.starts_with(['.', '/'])
                    && s.binds.iter().any(|b| *b == crate::config::lexical_normalize(&dir.join(source))))
        });
        if is_db {
            mounts.push((source.to_string(), target.trim_end_matches('/').to_string()));
        } else if source.starts_with(['.', '/']) {
            // `-v "$PWD":/w`, `-v .:/w`: a folder holding a data folder of the compose file;
            // the data folder at its place in the container, and the mount itself.
            let at = crate::config::lexical_normalize(&dir.join(source));
            let target = target.trim_end_matches('/');
            for b in services.iter().flat_map(|s| s.binds.iter()) {
                if let Ok(rel) = b.strip_prefix(&at) {
                    mounts
                        .push((format!("{source} (holding {})", rel.display()), format!("{target}/{}", rel.display())));
                    let whole = inner.split_whitespace().any(|w| {
                        let w = w.trim_matches(|c| c == '\'' || c == '"');
                        w == target || w == format!("{target}/") || w == format!("{target}/*")
                    });
                    if whole {
                        mounts.push((format!("{source} (holding {})", rel.display()), target.to_string()));
                    }
                }
            }
        }
    }
    mounts.into_iter().find(|(_, target)| inner.contains(target.as_str())).map(|(source, target)| {
        format!(
            "`{name}` gives a container the database's {source} (at {target}) and runs `{inner}`, removing files in it"
        )
    })
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
    let mut project = crate::config::env::compose_project_name();
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

    #[test]
    fn volume_flags_written_with_a_value() {
        let p = project();
        assert!(judged("docker compose down --volumes=true", p.path()).is_some());
        assert!(judged("docker system prune -a --volumes=true", p.path()).is_some());
        assert_eq!(judged("docker compose down --volumes=false", p.path()), None);
    }

    #[test]
    fn server_data_removed_here_in_a_container_or_through_a_mount() {
        let p = project();
        std::fs::create_dir_all(p.path().join("docker")).expect("mkdir");
        std::fs::write(
            p.path().join("docker/compose.yml"),
            "services:\n  pg:\n    image: postgres:16\n    volumes:\n      - ./pgbind:/var/lib/postgresql/data\n      - dbdata:/backup\nvolumes:\n  dbdata:\n",
        )
        .expect("write");
        let judge = |line: &str, dir: &Path| loses_server_data(parse(line).expect("parse").last().expect("cmd"), dir);
        for line in [
            "rm -rf docker/pgbind",
            "rm -rf docker/pgbind/base",
            "rm -rf docker/pgbind/*",
            "rm -rf /var/lib/postgresql/data",
            "docker compose exec db rm -rf /var/lib/postgresql/data/base",
            "docker run --rm -v shop_pgdata:/d alpine rm -rf /d/base",
            "docker run --rm -v docker_dbdata:/x alpine find /x -delete",
            "docker run --rm --mount source=shop_pgdata,target=/d alpine rm -rf /d",
        ] {
            assert!(judge(line, p.path()).is_some(), "{line}");
        }
        for line in [
            "rm -rf dist",
            "rm -rf docker/other",
            "mv notes.txt docker/pgbind",
            "docker run --rm -v shop_pgdata:/d alpine ls /d",
            "docker run --rm -v cache:/d alpine rm -rf /d/x",
        ] {
            assert_eq!(judge(line, p.path()), None, "{line}");
        }
        // A volume of a compose file in a subfolder is the database's too.
        assert!(judged("docker volume rm docker_dbdata", p.path()).is_some());
    }
}
