//! Scanning the command lines of scripts, CI and package files: prisma commands that lose
//! data, database clients whose SQL does, and Docker volume deletions; then whatever else
//! `prisma-guard check` refuses ([`super::judged`]), so a line an agent may not run is not
//! clean in a scan either.

use super::extract::{self, CommandLine, Kind};
use super::judged::{judged_findings, Judges};
use super::suppress::Directive;
use super::{finding, meta_findings, Finding, Options, Source};
use crate::guard::classify::Invocation;
use crate::rules::RuleId;

pub(super) fn scan_commands(
    source: &Source,
    kind: Kind,
    rel: &str,
    text: &str,
    directives: &[Directive],
    opts: &Options,
    judges: &Judges,
) -> Result<Vec<Finding>, String> {
    // npm refuses a package.json that does not parse, whatever it holds: so does the scan.
    // Other files are read when a line in them may reach the data (the judge's fast path).
    if !extract::mentions_data_command(text) && kind != Kind::PackageJson && text.lines().all(crate::judge::fast_allow)
    {
        return Ok(Vec::new());
    }
    let mut lines = extract::commands(kind, rel, text, &opts.production_scripts)?;
    // A shell file that does not parse as a whole is read line by line.
    if kind == Kind::Shell && lines.len() == 1 && crate::shell::parse(text).is_err() {
        lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("prisma"))
            .map(|(i, l)| CommandLine {
                line: i + 1,
                col: 1,
                text: l.to_string(),
                verbatim: true,
                production: lines[0].production,
                context: String::new(),
            })
            .collect();
    }
    let mut out = meta_findings(rel, text, directives);
    for cl in &lines {
        // `db execute --file f.sql`: the file, relative to this file's folder or the root.
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        // Where the lines run: a Makefile's and a package.json's folder; a CI job at the
        // repository's root; a script or a Dockerfile wherever it is started from, so in its
        // folder or at the root.
        let runs_in: Vec<&str> = match kind {
            Kind::Makefile | Kind::PackageJson => vec![dir],
            Kind::CiYaml => vec![""],
            _ if dir.is_empty() => vec![""],
            _ => vec![dir, ""],
        };
        let read_sql = |f: &str| {
            let f = f.trim_start_matches("./");
            let near = if dir.is_empty() { f.to_string() } else { format!("{dir}/{f}") };
            source.read(&near).or_else(|| source.read(f))
        };
        // The compose files a `docker compose` in this file would read: beside it, else at the root.
        let services = |files: &[String], project: Option<&str>| {
            let folder = dir.rsplit('/').next().unwrap_or("");
            let read = |name: &str| {
                let near = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
                source.read(&near).or_else(|| source.read(name))
            };
            let names: Vec<String> = if files.is_empty() {
                ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"].map(String::from).to_vec()
            } else {
                files.to_vec()
            };
            names
                .iter()
                .find_map(|n| read(n))
                .map(|text| crate::judge::volumes::db_services_in(&text, folder, project))
                .unwrap_or_default()
        };
        let mut found: Vec<(RuleId, usize, String)> = Vec::new();
        if extract::mentions_data_command(&cl.text) {
            found.extend(command_findings(cl, &read_sql));
            found.extend(data_findings(cl, &read_sql, &services));
        }
        let judged = judged_findings(cl, &runs_in, judges, &found);
        found.extend(judged);
        for (rule, offset, message) in found {
            let (line, col) = if cl.verbatim {
                let (l, c) = extract::line_col(&cl.text, offset);
                if l == 1 {
                    (cl.line, cl.col + c - 1)
                } else {
                    (cl.line + l - 1, c)
                }
            } else {
                (cl.line, cl.col)
            };
            let suppressed = directives.iter().any(|d| {
                d.reason.is_some()
                    && (d.line == line || d.line + 1 == line)
                    && d.rules.iter().any(|r| r == rule.as_str())
            });
            if !suppressed {
                let mut f = finding(rule, rel, text, line, col, message, None);
                if kind == Kind::PackageJson {
                    f.subject = Some(format!("{}\n{}", cl.context, cl.text));
                }
                out.push(f);
            }
        }
    }
    Ok(out)
}

/// Rules broken by database clients, migration tools and Docker volume commands in one
/// command line, as `check` judges them (only what the line shows: SQL that cannot be read is not reported).
fn data_findings(
    cl: &CommandLine,
    read_sql: &dyn Fn(&str) -> Option<String>,
    services: crate::judge::volumes::Services<'_>,
) -> Vec<(RuleId, usize, String)> {
    let place = if cl.context.is_empty() { String::new() } else { format!(" in {}", cl.context) };
    let read = |f: &str| read_sql(f).ok_or_else(|| format!("{f} (not found)"));
    let mut out = Vec::new();
    let _ = crate::shell::visit(&cl.text, &crate::shell::NoScripts, &mut |v| {
        // The command as written, and what its wrappers run (`sudo -u postgres psql ...`).
        let inner = v.effective();
        let forms = [v.command, inner.as_ref()];
        let forms = if forms[0] == forms[1] { &forms[..1] } else { &forms[..] };
        let client =
            forms.iter().find_map(|c| crate::judge::clients::judge(c, &read, &|_| None).filter(|f| f.certain()));
        if let Some(f) = client {
            let rule = if f.guard_off() { RuleId::TripwireOff } else { RuleId::DatabaseClientDataLoss };
            out.push((rule, v.offset, format!("`{}`{place} {}", f.client, f.why)));
        }
        if let Some(why) = forms.iter().find_map(|c| crate::judge::tools::judge(&c.argv)) {
            out.push((RuleId::MigrationToolDataLoss, v.offset, format!("{why}{place}")));
        }
        if let Some(why) = forms.iter().find_map(|c| crate::judge::volumes::loses_volume_with(c, services)) {
            out.push((RuleId::DatabaseVolumeDeleted, v.offset, format!("{why}{place}")));
        }
    });
    out
}

/// Rules broken by the prisma commands in one command line: (rule, byte offset, message).
fn command_findings(cl: &CommandLine, read_sql: &dyn Fn(&str) -> Option<String>) -> Vec<(RuleId, usize, String)> {
    let found = match crate::shell::find_prisma(&cl.text, &crate::shell::NoScripts) {
        Ok(f) => f,
        Err(e) => {
            return vec![(
                RuleId::UnparsedCommand,
                0,
                format!("could not parse this command ({}), so it was not checked", e.message),
            )]
        }
    };
    let place = if cl.context.is_empty() { String::new() } else { format!(" in {}", cl.context) };
    let mut out = Vec::new();
    for (f, inv) in found.iter().flat_map(|f| Invocation::readings(&f.args).into_iter().map(move |inv| (f, inv))) {
        if inv.has("--help") {
            continue;
        }
        let shown = format!("prisma {}", f.args.join(" "));
        let mut push = |rule: RuleId, what: &str| {
            out.push((rule, f.offset, format!("`{}`{place}: {what}", shown.trim())));
        };
        if inv.is("migrate", "reset") {
            push(RuleId::PrismaMigrateReset, "drops the database and every row in it");
        }
        if inv.is("db", "update") && inv.has("--force-reset") {
            push(RuleId::PrismaForceReset, "(Prisma 8) drops every table and row before updating");
        }
        if inv.is("db", "update") && (inv.has("--accept-data-loss") || inv.has("--confirm")) {
            push(
                RuleId::PrismaAcceptDataLoss,
                "(Prisma 8) answers the data-loss prompt in advance: columns and tables holding data can be dropped",
            );
        }
        if cl.production && inv.is("db", "update") && !inv.has("--force-reset") {
            push(
                RuleId::PrismaDbPushInProduction,
                "(Prisma 8) changes the production schema without migrations; use `prisma migrate deploy`",
            );
        }
        if inv.is("db", "push") && inv.has("--force-reset") {
            push(RuleId::PrismaForceReset, "drops every table and row before pushing");
        }
        if inv.is("db", "push") && inv.has("--accept-data-loss") {
            push(RuleId::PrismaAcceptDataLoss, "applies changes that drop columns and tables holding data");
        }
        if cl.production && inv.is("migrate", "dev") {
            push(
                RuleId::PrismaMigrateDevInProduction,
                "a development command in a build or deploy step; use `prisma migrate deploy`",
            );
        }
        if inv.is("db", "execute") {
            if let Some(sql) = inv.file.as_deref().and_then(read_sql) {
                if let Some(d) = crate::sql::dangers(&sql).first() {
                    let what =
                        format!("runs SQL that {} ({} line {})", d.message, inv.file.as_deref().unwrap_or(""), d.line);
                    push(RuleId::PrismaDbExecuteDataLoss, &what);
                }
            }
        }
        if cl.production && inv.is("db", "push") && !inv.has("--force-reset") && !inv.has("--accept-data-loss") {
            push(
                RuleId::PrismaDbPushInProduction,
                "changes the production schema without migrations; use `prisma migrate deploy`",
            );
        }
    }
    out
}
