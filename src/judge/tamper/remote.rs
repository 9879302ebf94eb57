//! Deleting the off-site copies: the buckets of the project's `[[remote]]` sections emptied
//! or removed with the stores' own tools (`aws s3 rm --recursive`, `aws s3 rb --force`,
//! `aws s3api delete-objects`, `rclone purge`, `mc rm --recursive`, `s3cmd del`, a sync with
//! `--delete` into the bucket). The backups that survive the machine are lost all the same.

use std::path::Path;

/// The buckets the project's prisma-guard.toml sends backups to (`url = "s3://BUCKET/..."`),
/// read from its text without parsing the rest (a broken file names none).
pub(super) fn configured_buckets(cwd: &Path) -> Vec<String> {
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
            let bucket: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')).collect();
            (!bucket.is_empty()).then_some(bucket)
        })
        .collect()
}

/// Why `argv` deletes objects in one of `buckets`, if it does.
pub(super) fn deletes_remote(argv: &[String], buckets: &[String]) -> Option<String> {
    if buckets.is_empty() {
        return None;
    }
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    let word = |k: usize| argv.get(k).map(String::as_str).unwrap_or("");
    let operands: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let deletes = match name {
        "aws" => match (word(1), word(2)) {
            ("s3", "rm" | "rb" | "mv") => true,
            ("s3", "sync") => argv.iter().any(|a| a == "--delete"),
            ("s3api", sub) => sub.starts_with("delete-") || sub == "put-bucket-lifecycle-configuration",
            _ => false,
        },
        "rclone" => matches!(word(1), "purge" | "delete" | "deletefile" | "rmdir" | "rmdirs" | "move" | "cleanup")
            || (matches!(word(1), "sync" | "bisync") && operands.len() >= 3),
        "mc" | "mcli" => matches!(word(1), "rm" | "rb" | "mv")
            || (word(1) == "mirror" && argv.iter().any(|a| a == "--remove" || a == "--overwrite"))
            || (word(1) == "ilm" || word(1) == "retention"),
        "s3cmd" => matches!(word(1), "del" | "rm" | "rb" | "mv" | "expire")
            || (word(1) == "sync" && argv.iter().any(|a| a == "--delete-removed")),
        "gsutil" => matches!(word(1), "rm" | "rb" | "mv"),
        "gcloud" => word(1) == "storage" && matches!(word(2), "rm" | "buckets"),
        "b2" => word(1).starts_with("delete") || matches!(word(1), "rm" | "hide-file"),
        "wrangler" => word(1) == "r2" && argv.iter().any(|a| a == "delete"),
        _ => false,
    };
    if !deletes {
        return None;
    }
    // The bucket named as `s3://B`, `remote:B`, `alias/B`, `--bucket B`, or on its own.
    let names = |a: &str, b: &str| {
        let a = a.trim_end_matches('/');
        a == b
            || a.strip_prefix("s3://").or_else(|| a.strip_prefix("gs://")).or_else(|| a.strip_prefix("b2://")).is_some_and(|r| {
                r == b || r.starts_with(&format!("{b}/"))
            })
            || a.split_once(':').is_some_and(|(_, r)| r.trim_start_matches('/') == b || r.trim_start_matches('/').starts_with(&format!("{b}/")))
            || a.split('/').nth(1).is_some_and(|seg| seg == b)
    };
    let hit = buckets.iter().find(|b| argv[1..].iter().any(|a| names(a, b) || a.strip_prefix("--bucket=").is_some_and(|v| v == b.as_str())))?;
    Some(format!("`{}` deletes objects in {hit}, the bucket prisma-guard's off-site backups go to", argv.iter().take(3).cloned().collect::<Vec<_>>().join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(line: &str) -> Vec<String> {
        crate::shell::parse(line).expect("parse").remove(0).argv
    }

    #[test]
    fn deleting_the_off_site_bucket() {
        let b = vec!["acme-backups".to_string()];
        for line in [
            "aws s3 rm s3://acme-backups --recursive",
            "aws s3 rm s3://acme-backups/prisma-guard/x.sql.zst",
            "aws s3 rb s3://acme-backups --force",
            "aws s3api delete-objects --bucket acme-backups --delete file://x.json",
            "aws s3api delete-bucket --bucket=acme-backups",
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
            "aws s3 cp s3://acme-backups/x.sql.zst .",
            "aws s3 rm s3://other-bucket --recursive",
            "rclone copy r2:acme-backups /tmp/x",
            "mc ls local/acme-backups",
        ] {
            assert_eq!(deletes_remote(&v(line), &b), None, "{line}");
        }
        assert_eq!(deletes_remote(&v("aws s3 rm s3://acme-backups --recursive"), &[]), None);
    }
}
