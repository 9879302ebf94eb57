//! S3 Object Lock: after an upload is verified, each of its objects gets a retention date
//! (`PutObjectRetention`), read back to make sure the store applied it. Until then, nobody
//! holding the remote's keys can delete or overwrite that version: a leaked CI token or an
//! agent cannot take the recent backups with the database.
//!
//! `object_store` has no call for these, so they are signed here with its own SigV4
//! signer. The bucket must have been created with Object Lock enabled.

use std::time::{Duration, SystemTime};

use anyhow::Result;
use base64::Engine as _;
use md5::Digest as _;
use object_store::aws::AwsAuthorizer;
use object_store::client::{HttpRequest, HttpRequestBody};

use super::{LockPolicy, Remote};
use crate::error::fail;

/// Lock `file_name` until now + the policy's days; returns the date the store reports.
pub fn apply(remote: &Remote, file_name: &str, policy: &LockPolicy, now: SystemTime) -> Result<String> {
    let until = now + Duration::from_secs(u64::from(policy.days) * 86_400);
    let until = humantime::format_rfc3339_seconds(until).to_string();
    let body = format!(
        "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>{}</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>",
        policy.mode
    );
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body.as_bytes()));
    let (status, _, text) = request(remote, "PUT", file_name, "retention", Some((body, md5)))?;
    if !(200..300).contains(&status) {
        let hint = if text.contains("InvalidRequest") || text.contains("ObjectLockConfiguration") {
            "the bucket must be created with Object Lock enabled (`aws s3api create-bucket --object-lock-enabled-for-bucket`); see docs/operations.md"
        } else {
            "the remote's keys need s3:PutObjectRetention on the bucket"
        };
        return Err(fail(format!(
            "remote `{}`: could not set Object Lock on {file_name} ({}, {} days): HTTP {status}: {}",
            remote.name,
            policy.mode,
            policy.days,
            first_line(&text)
        ))
        .hint(hint)
        .into());
    }
    match retained_until(remote, file_name)? {
        Some((mode, date)) if mode == policy.mode => Ok(date),
        other => Err(fail(format!(
            "remote `{}`: {file_name} was to be locked ({} until {until}), but the store reports {}",
            remote.name,
            policy.mode,
            other.map_or("no retention".to_string(), |(m, d)| format!("{m} until {d}"))
        ))
        .hint("check that the store supports S3 Object Lock")
        .into()),
    }
}

/// The object's retention, as the store reports it on a HEAD: `(mode, until)`.
pub fn retained_until(remote: &Remote, file_name: &str) -> Result<Option<(String, String)>> {
    let (status, headers, _) = request(remote, "HEAD", file_name, "", None)?;
    if !(200..300).contains(&status) {
        return Ok(None);
    }
    let get = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    Ok(get("x-amz-object-lock-mode").zip(get("x-amz-object-lock-retain-until-date")))
}

/// What a request answered: status, headers, body.
type Answer = (u16, Vec<(String, String)>, String);

/// One signed request to an object (`?{sub}` when given).
fn request(
    remote: &Remote,
    method: &str,
    file_name: &str,
    sub: &str,
    body: Option<(String, String)>,
) -> Result<Answer> {
    let key = remote.key(file_name);
    let query = if sub.is_empty() { String::new() } else { format!("?{sub}") };
    let url = format!("{}/{}{query}", remote.base, encode_key(key.as_ref()));
    remote.block_on(async {
        let credential = remote
            .store
            .credentials()
            .get_credential()
            .await
            .map_err(|e| remote.error(e, "could not get credentials"))?;
        let mut builder = http::Request::builder().method(method).uri(&url);
        let payload = match &body {
            Some((xml, md5)) => {
                builder = builder.header("content-md5", md5.as_str()).header("content-type", "application/xml");
                HttpRequestBody::from(xml.clone())
            }
            None => HttpRequestBody::empty(),
        };
        let mut req: HttpRequest = builder.body(payload)?;
        AwsAuthorizer::new(&credential, "s3", &remote.region)
            .try_authorize(&mut req, None)
            .map_err(|e| remote.error(e, "could not sign a request"))?;
        let response = remote
            .http
            .execute(req)
            .await
            .map_err(|e| anyhow::anyhow!("remote `{}`: {method} {sub} of {key}: {e}", remote.name))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let bytes = response.into_body().bytes().await.unwrap_or_default();
        Ok((status, headers, String::from_utf8_lossy(&bytes).into_owned()))
    })
}

/// Percent-encode an object key for a URL path (slashes kept), as SigV4 expects.
fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn first_line(text: &str) -> String {
    let code = text.find("<Code>").and_then(|s| {
        let rest = &text[s + 6..];
        rest.find('<').map(|e| rest[..e].to_string())
    });
    code.unwrap_or_else(|| text.lines().next().unwrap_or("").chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_encoded_for_signing() {
        assert_eq!(super::encode_key("a b/20261207T000000Z.sql.zst"), "a%20b/20261207T000000Z.sql.zst");
    }
}
