//! Deleting the off-site copies: the buckets of the project's `[[remote]]` sections emptied
//! or removed with the stores' own tools (`aws s3 rm --recursive`, `aws s3 rb --force`,
//! `aws s3api delete-objects`, `rclone purge`, `mc rm --recursive`, `s3cmd del`, a sync with
//! `--delete` into the bucket). The backups that survive the machine are lost all the same.

use std::path::Path;

/// The buckets and key prefixes the project's prisma-guard.toml sends backups to (`url =
/// "s3://BUCKET/PREFIX"`), read from its text without parsing the rest (a broken file names
/// none).
pub(crate) fn configured_buckets(cwd: &Path) -> Vec<(String, String)> {
    let Some(path) = crate::config::find_upward(cwd, |d| {
        let p = d.join(crate::config::FILE_NAME);
        p.is_file().then_some(p)
    }) else {
        return Vec::new();
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.match_indices("s3://")
        .filter_map(|(i, _)| {
            let rest = &text[i + 5..];
            let bucket: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')).collect();
            let prefix: String = rest[bucket.len()..]
                .strip_prefix('/')
                .unwrap_or("")
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | ' ' | '\n' | '?' | '#'))
                .collect();
            (!bucket.is_empty()).then(|| (bucket, prefix.trim_end_matches('/').to_string()))
        })
        .collect()
}

/// Options of the aws CLI (global ones, and those commonly put between the service and its
/// command) that take a value.
const AWS_VALUES: &[&str] = &[
    "--profile",
    "--region",
    "--output",
    "--endpoint-url",
    "--query",
    "--color",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--cli-binary-format",
];

/// The words of `argv` that are no options, and no values of the options in `values`.
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

/// What a command does to the objects it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Removes (or moves away) objects in any bucket it names.
    Deletes,
    /// Writes its destination (the last operand, or `--bucket`): an object there is replaced.
    Writes,
}

/// What `argv` does to a store's objects, and the verb that does it.
fn effect(argv: &[String]) -> Option<(Effect, String)> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    let has = |f: &str| argv.iter().any(|a| a == f);
    let pos = positionals(
        argv,
        if name == "aws" {
            AWS_VALUES
        } else {
            &["--config", "-c", "--endpoint-url", "--profile", "--credentials-file"]
        },
    );
    // The first word that is one of the tool's verbs (options with values before it aside).
    let verb = |verbs: &[&str]| pos.iter().position(|w| verbs.contains(w)).map(|k| (pos[k], k));
    use Effect::{Deletes, Writes};
    let found = match name {
        "aws" => {
            let service = pos.iter().position(|w| matches!(*w, "s3" | "s3api"))?;
            let sub = *pos.get(service + 1)?;
            let e = match (pos[service], sub) {
                ("s3", "rm" | "rb" | "mv") => Some(Deletes),
                ("s3", "sync") if has("--delete") => Some(Deletes),
                ("s3", "cp" | "sync") => Some(Writes),
                ("s3api", s) if s.starts_with("delete-") || s == "put-bucket-lifecycle-configuration" => Some(Deletes),
                // Object Lock shortened or lifted (`put-object-retention` to an earlier date):
                // the copies become deletable.
                ("s3api", _) if has("--bypass-governance-retention") => Some(Deletes),
                ("s3api", "put-object" | "copy-object" | "upload-part" | "complete-multipart-upload") => Some(Writes),
                _ => None,
            };
            e.map(|e| (e, format!("aws {} {sub}", pos[service])))
        }
        "rclone" => {
            let (v, k) = verb(&[
                "purge",
                "delete",
                "deletefile",
                "rmdir",
                "rmdirs",
                "move",
                "moveto",
                "cleanup",
                "sync",
                "bisync",
                "copy",
                "copyto",
                "rcat",
                "copyurl",
            ])?;
            let e = match v {
                "sync" | "bisync" if pos.len() > k + 2 => Deletes,
                "sync" | "bisync" | "copy" | "copyto" | "rcat" | "copyurl" => Writes,
                _ => Deletes,
            };
            Some((e, format!("rclone {v}")))
        }
        "mc" | "mcli" => {
            let (v, _) = verb(&["rm", "rb", "mv", "mirror", "ilm", "retention", "cp", "pipe", "put"])?;
            let e = match v {
                "mirror" if has("--remove") || has("--overwrite") => Deletes,
                "mirror" | "cp" | "pipe" | "put" => Writes,
                _ => Deletes,
            };
            Some((e, format!("{name} {v}")))
        }
        "s3cmd" => {
            let (v, _) = verb(&["del", "rm", "rb", "mv", "expire", "sync", "put", "cp", "modify"])?;
            let e = match v {
                "sync" if has("--delete-removed") => Deletes,
                "sync" | "put" | "cp" | "modify" => Writes,
                _ => Deletes,
            };
            Some((e, format!("s3cmd {v}")))
        }
        "s5cmd" => {
            let (v, _) = verb(&["rm", "rb", "mv", "sync", "cp", "pipe", "run"])?;
            let e = match v {
                "sync" if has("--delete") => Deletes,
                "sync" | "cp" | "pipe" => Writes,
                _ => Deletes,
            };
            Some((e, format!("s5cmd {v}")))
        }
        "s4cmd" => {
            let (v, _) = verb(&["del", "rm", "mv", "sync", "put", "cp", "dsync"])?;
            let e = match v {
                "sync" | "dsync" if has("--delete-removed") => Deletes,
                "sync" | "dsync" | "put" | "cp" => Writes,
                _ => Deletes,
            };
            Some((e, format!("s4cmd {v}")))
        }
        "gsutil" => {
            let (v, _) = verb(&["rm", "rb", "mv", "cp", "rsync"])?;
            let e = match v {
                "rsync" if has("-d") => Deletes,
                "cp" | "rsync" => Writes,
                _ => Deletes,
            };
            Some((e, format!("gsutil {v}")))
        }
        "gcloud" => {
            let storage = pos.iter().position(|w| *w == "storage")?;
            match pos.get(storage + 1).copied()? {
                v @ ("rm" | "buckets" | "mv") => Some((Deletes, format!("gcloud storage {v}"))),
                v @ ("cp" | "rsync") => Some((Writes, format!("gcloud storage {v}"))),
                _ => None,
            }
        }
        "b2" => {
            let v = *pos.first()?;
            if v.starts_with("delete") || matches!(v, "rm" | "hide-file") {
                Some((Deletes, format!("b2 {v}")))
            } else if v.starts_with("upload") || v == "file" || v == "sync" {
                Some((Writes, format!("b2 {v}")))
            } else {
                None
            }
        }
        "wrangler" => {
            (pos.first() == Some(&"r2") && pos.contains(&"delete")).then(|| (Deletes, "wrangler r2 delete".into()))
        }
        _ => None,
    };
    found
}

/// Why `argv` deletes or replaces objects where prisma-guard's off-site backups are (`remotes`:
/// each `[[remote]]`'s bucket and prefix), if it does.
pub(super) fn deletes_remote(argv: &[String], remotes: &[(String, String)]) -> Option<String> {
    if remotes.is_empty() {
        return None;
    }
    let (effect, verb) = effect(argv)?;
    // The bucket (and key) named as `s3://B/K`, `remote:B/K`, `alias/B/K`, `--bucket B`.
    let key_in = |a: &str, b: &str| -> Option<String> {
        let a = a.trim_end_matches('/');
        if a == b {
            return Some(String::new());
        }
        let url = a.strip_prefix("s3://").or_else(|| a.strip_prefix("gs://")).or_else(|| a.strip_prefix("b2://"));
        let rest = url.or_else(|| a.split_once(':').map(|(_, r)| r.trim_start_matches('/'))).filter(|r| !r.is_empty());
        if let Some(r) = rest {
            if r == b {
                return Some(String::new());
            }
            if let Some(k) = r.strip_prefix(&format!("{b}/")) {
                return Some(k.to_string());
            }
        }
        // `mc`'s `alias/bucket/key`.
        let mut parts = a.splitn(3, '/');
        let (_, bucket, key) = (parts.next(), parts.next(), parts.next());
        (url.is_none() && bucket == Some(b)).then(|| key.unwrap_or("").to_string())
    };
    let bucket_flag = |b: &str| {
        argv.windows(2).any(|w| w[0] == "--bucket" && w[1] == b)
            || argv.iter().any(|a| a.strip_prefix("--bucket=") == Some(b))
    };
    let key_flag = || {
        argv.windows(2)
            .find(|w| w[0] == "--key")
            .map(|w| w[1].clone())
            .or_else(|| argv.iter().find_map(|a| a.strip_prefix("--key=").map(str::to_string)))
    };
    let operands: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
    for (bucket, prefix) in remotes {
        let hit = match effect {
            Effect::Deletes => argv[1..].iter().any(|a| key_in(a, bucket).is_some()) || bucket_flag(bucket),
            Effect::Writes => {
                // The destination: the last operand (`mc pipe TARGET` has one), or `--bucket`/`--key`.
                let key = operands
                    .last()
                    .and_then(|a| key_in(a, bucket))
                    .or_else(|| bucket_flag(bucket).then(|| key_flag().unwrap_or_default()));
                key.is_some_and(|k| {
                    let k = k.trim_start_matches('/');
                    prefix.is_empty() || k.is_empty() || k.starts_with(prefix.as_str()) || prefix.starts_with(k)
                })
            }
        };
        if hit {
            let what = match effect {
                Effect::Deletes => "deletes objects in",
                Effect::Writes => "writes over objects in",
            };
            return Some(format!(
                "`{verb}` {what} {bucket}/{prefix}, where prisma-guard's off-site backups are: `prisma-guard prune` and `prisma-guard sync` manage them"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(line: &str) -> Vec<String> {
        crate::shell::parse(line).expect("parse").remove(0).argv
    }

    #[test]
    fn deleting_the_off_site_bucket() {
        let b = vec![("acme-backups".to_string(), String::new())];
        for line in [
            "aws s3 rm s3://acme-backups --recursive",
            "aws s3 rm s3://acme-backups/prisma-guard/x.sql.zst",
            "aws s3 rb s3://acme-backups --force",
            "aws s3api delete-objects --bucket acme-backups --delete file://x.json",
            "aws s3api delete-bucket --bucket=acme-backups",
            "aws s3api put-object-retention --bucket acme-backups --key x.sql.zst --retention Mode=GOVERNANCE,RetainUntilDate=2020-01-01 --bypass-governance-retention",
            "aws s3 sync --delete empty/ s3://acme-backups/",
            "rclone purge r2:acme-backups",
            "rclone delete r2:acme-backups/prisma-guard",
            "mc rm --recursive --force local/acme-backups",
            "s3cmd del --recursive s3://acme-backups",
        ] {
            assert!(deletes_remote(&v(line), &b).is_some(), "{line}");
        }
        for line in [
            "aws s3 ls s3://acme-backups",
            "aws s3api get-object-retention --bucket acme-backups --key x.sql.zst",
            "aws s3 cp s3://acme-backups/x.sql.zst .",
            "aws s3 rm s3://other-bucket --recursive",
            "rclone copy r2:acme-backups /tmp/x",
            "mc ls local/acme-backups",
        ] {
            assert_eq!(deletes_remote(&v(line), &b), None, "{line}");
        }
        assert_eq!(deletes_remote(&v("aws s3 rm s3://acme-backups --recursive"), &[]), None);
    }

    /// Review round 2 (issue 19), finding 10: global options before the service, more
    /// tools, and backups written over rather than deleted.
    #[test]
    fn options_first_other_tools_and_overwrites() {
        let b = vec![("some-bucket".to_string(), "prefix".to_string())];
        for line in [
            "aws --profile backup s3 rm --recursive s3://some-bucket/prefix",
            "aws --region eu-west-1 s3 rm --recursive s3://some-bucket/prefix",
            "aws --no-cli-pager --debug s3 rm --recursive s3://some-bucket/prefix",
            "aws s3 --region x rm --recursive s3://some-bucket/prefix",
            "aws --output json s3api delete-object --bucket some-bucket --key prefix/x",
            "aws --profile=backup s3 rb --force s3://some-bucket",
            "s5cmd rm \"s3://some-bucket/prefix/*\"",
            "s5cmd --endpoint-url https://x rm \"s3://some-bucket/prefix/*\"",
            "s4cmd del -r s3://some-bucket/prefix",
            "aws s3 cp /dev/null s3://some-bucket/prefix/20260101T000000Z-a1b2c3.sql.zst",
            "aws s3api put-object --bucket some-bucket --key prefix/x --body /dev/null",
            "rclone copyto /dev/null remote:some-bucket/prefix/x",
            "rclone moveto remote:some-bucket/prefix/x /tmp/x",
            "rclone -v --config /x purge r2:some-bucket",
            "mc cp /dev/null local/some-bucket/prefix/x",
            "mc pipe local/some-bucket/prefix/x",
            "s5cmd cp /dev/null s3://some-bucket/prefix/x",
            "gsutil cp /dev/null gs://some-bucket/prefix/x",
        ] {
            assert!(deletes_remote(&v(line), &b).is_some(), "{line}");
        }
        for line in [
            "aws --profile backup s3 ls s3://some-bucket/prefix",
            "aws s3 cp s3://some-bucket/prefix/x.sql.zst /tmp/x",
            "aws s3 cp build.zip s3://some-bucket/releases/build.zip",
            "aws --region x s3 cp /dev/null s3://other/prefix/x",
            "rclone copy remote:some-bucket/prefix /tmp/restore",
            "mc cat local/some-bucket/prefix/x",
            "s5cmd ls s3://some-bucket/prefix/",
        ] {
            assert_eq!(deletes_remote(&v(line), &b), None, "{line}");
        }
    }
}
