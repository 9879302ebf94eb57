//! The off-site copies deleted past the stores' own command-line tools (those are read by
//! `tamper::remote`): an HTTP `DELETE` against the configured bucket's endpoint (`curl -X DELETE
//! https://acme-backups.s3.amazonaws.com/app/x.zst`), rclone's backend commands that delete
//! (`rclone backend cleanup-hidden s3:acme-backups`), inline code with an S3 SDK that deletes
//! objects (`python3 -c "import boto3; ...objects.all().delete()"`).

use std::path::Path;

/// SDK names in inline code that reach object stores.
const SDKS: &[&str] = &[
    "boto3",
    "botocore",
    "aws-sdk",
    "@aws-sdk",
    "s3client",
    "minio",
    "google.cloud",
    "@google-cloud",
    "aioboto",
    "s3fs",
];
/// Calls in such code that delete objects, versions or buckets.
const DELETES: &[&str] = &["delete", "remove_object", "removeobject", "purge", "rmtree", "rm("];

/// Why `argv` deletes objects where prisma-guard's off-site backups are, if it does.
pub fn deletes_offsite(argv: &[String], cwd: &Path) -> Option<String> {
    let name = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    let code = super::tamper::inline_code(argv);
    let candidate = matches!(name, "curl" | "wget" | "http" | "https" | "xh" | "xhs" | "rclone")
        || code.iter().any(|c| {
            let lower = c.to_ascii_lowercase();
            SDKS.iter().any(|s| lower.contains(s)) && DELETES.iter().any(|d| lower.contains(d))
        });
    if !candidate {
        return None;
    }
    let remotes = super::tamper::configured_buckets(cwd);
    if remotes.is_empty() {
        return None;
    }
    if !code.is_empty() {
        return Some(format!(
            "`{name}` runs inline code that deletes objects with an object-store SDK, in a project whose off-site backups are in {}: which bucket it empties cannot be checked",
            remotes.iter().map(|(b, _)| b.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let names_bucket = |a: &str| remotes.iter().find(|(b, _)| in_bucket(a, b)).map(|(b, _)| b.clone());
    match name {
        "rclone" => {
            let k = argv.iter().position(|a| a == "backend")?;
            let cmd = argv.get(k + 1)?;
            let deletes =
                matches!(cmd.as_str(), "cleanup" | "cleanup-hidden" | "purge" | "delete" | "versioning" | "set");
            let bucket = argv[k + 2..].iter().find_map(|a| names_bucket(a))?;
            deletes.then(|| {
                format!("`rclone backend {cmd}` deletes objects in {bucket}, where prisma-guard's off-site backups are")
            })
        }
        _ => {
            let method = http_method(name, argv)?;
            let urls = argv[1..].iter().filter(|a| a.contains("://") || a.contains(".amazonaws.com"));
            let (url, bucket) = urls.clone().find_map(|u| names_bucket(u).map(|b| (u.clone(), b)))?;
            let deletes = method == "DELETE" || (method == "POST" && url.contains("?delete"));
            deletes.then(|| {
                format!("`{name}` sends {method} to {url}, in {bucket} where prisma-guard's off-site backups are")
            })
        }
    }
}

/// The HTTP method a command line sends, upper-cased.
fn http_method(name: &str, argv: &[String]) -> Option<String> {
    let up = |s: &str| s.to_ascii_uppercase();
    match name {
        "curl" => argv.iter().enumerate().find_map(|(i, a)| match a.as_str() {
            "-X" | "--request" => argv.get(i + 1).map(|m| up(m)),
            _ if a.starts_with("--request=") => Some(up(&a["--request=".len()..])),
            _ if a.starts_with("-X") && a.len() > 2 => Some(up(&a[2..])),
            _ => None,
        }),
        "wget" => argv.iter().find_map(|a| a.strip_prefix("--method=").map(up)),
        // `http DELETE url`, `xh delete url`.
        _ => argv[1..].iter().find(|a| !a.starts_with('-')).map(|m| up(m)),
    }
}

/// Whether a URL or rclone path names `bucket`: `https://B.s3.amazonaws.com/k`,
/// `https://s3.REGION.amazonaws.com/B/k`, `http://endpoint/B/k`, `remote:B/k`, `s3://B/k`.
fn in_bucket(a: &str, bucket: &str) -> bool {
    let rest = a.split_once("://").map_or(a, |(_, r)| r);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.rsplit('@').next().unwrap_or(host);
    if host == bucket || host.starts_with(&format!("{bucket}.")) {
        return true;
    }
    // `remote:bucket/key` (rclone).
    if !a.contains("://") {
        if let Some((_, r)) = a.split_once(':') {
            return r.trim_start_matches('/').split('/').next() == Some(bucket);
        }
    }
    path.split(['/', '?']).next() == Some(bucket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths_that_name_a_bucket() {
        assert!(in_bucket("https://acme-backups.s3.amazonaws.com/app/x.zst", "acme-backups"));
        assert!(in_bucket("https://s3.us-east-1.amazonaws.com/acme-backups/app/x", "acme-backups"));
        assert!(in_bucket("http://localhost:9000/acme-backups/app", "acme-backups"));
        assert!(in_bucket("s3:acme-backups", "acme-backups"));
        assert!(!in_bucket("https://api.example.com/x", "acme-backups"));
        assert!(!in_bucket("s3:other", "acme-backups"));
    }
}
