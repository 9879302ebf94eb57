//! Off-site copies in S3-compatible object storage (AWS S3, R2, B2, MinIO, Supabase ...).
//!
//! A remote holds the same files as the local folder under its prefix: the dump, its
//! `.sha256` line and the manifest, uploaded last, so that a listing only ever shows backups
//! whose dump arrived whole. Requests go through `object_store` (SigV4 signing, retries with
//! backoff on 5xx, timeouts and dropped connections, multipart uploads) with no checksum
//! headers by default, which every S3-compatible store accepts. Object Lock retention, which
//! `object_store` does not speak, is set with a few signed requests of our own (`object_lock.rs`).
//!
//! prisma-guard is synchronous; each remote owns a small Tokio runtime whose worker thread
//! carries the uploads while the dump is being written.

pub mod copy;
pub mod creds;
pub mod object_lock;
pub mod reader;
pub mod run_lock;
pub mod signing;
pub mod upload;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use futures::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::client::HttpConnector as _;
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, Attributes, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions, RetryConfig};

use crate::backup::store::Manifest;
use crate::config::{FileConfig, RemoteSection};
use crate::error::fail;
use crate::ExitStatus;

/// A remote's backups, newest first, and the manifests it could not read (`(name, why)`).
pub type Listing = (Vec<Manifest>, Vec<(String, String)>);

/// Object Lock settings of a remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockPolicy {
    /// `GOVERNANCE` or `COMPLIANCE`.
    pub mode: String,
    pub days: u32,
}

/// A configured remote, ready for requests.
/// How long the look before a backup may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Remote {
    pub name: String,
    /// `s3://bucket/prefix`, for messages.
    pub url: String,
    bucket: String,
    /// Without slashes at either end; empty for the bucket's root.
    prefix: String,
    /// The URL the bucket's objects live under (`https://bucket.host` or `https://host/bucket`).
    base: String,
    region: String,
    store: Arc<AmazonS3>,
    /// The same store with short timeouts and quick retries (`probe`).
    probe: Arc<AmazonS3>,
    runtime: tokio::runtime::Runtime,
    pub lock: Option<LockPolicy>,
    pub part_size: usize,
    storage_class: Option<String>,
    http: object_store::client::HttpClient,
    pub retention: Option<crate::backup::store::retention::Policy>,
    /// Read every upload back (size and SHA-256; the default), else (`verify_upload = "etag"`)
    /// trust a multipart ETag that matches the parts sent.
    pub read_back: bool,
    /// This machine's signing key: manifests it uploads are signed with it.
    pub signer: Option<Arc<signing::Key>>,
    /// Whose signatures a restore from here accepts.
    pub trust: signing::Trust,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Remote({} at {})", self.name, self.url)
    }
}

fn usage(msg: String, hint: &str) -> anyhow::Error {
    fail(msg).hint(hint).status(ExitStatus::Usage).into()
}

impl Remote {
    /// Check a `[[remote]]` table and build its client. Nothing is sent yet.
    pub fn open(
        spec: &RemoteSection,
        env: &dyn Fn(&str) -> Option<String>,
        home: Option<&std::path::Path>,
    ) -> Result<Remote> {
        // One TLS provider for the process (ring); a second install is a no-op. rustls
        // deprecates it for lacking post-quantum key exchange, which S3 endpoints do not need;
        // ring keeps the build free of aws-lc's C toolchain.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let name = &spec.name;
        let rest = spec.url.strip_prefix("s3://").ok_or_else(|| {
            usage(
                format!("remote `{name}`: url = \"{}\" is not an s3:// URL", spec.url),
                "write it as url = \"s3://bucket/prefix\"",
            )
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() || !bucket.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_') {
            return Err(usage(
                format!("remote `{name}`: `{bucket}` is not a bucket name"),
                "write it as url = \"s3://bucket/prefix\"",
            ));
        }
        let prefix = prefix.trim_matches('/').to_string();
        let region = spec.region.clone().unwrap_or_else(|| "us-east-1".into());
        let path_style = spec.path_style.unwrap_or(false);
        let base = match &spec.endpoint {
            Some(ep) => {
                let ep = ep.trim_end_matches('/');
                let Some((scheme, host)) = ep.split_once("://") else {
                    return Err(usage(
                        format!("remote `{name}`: endpoint = \"{ep}\" has no scheme"),
                        "write it as endpoint = \"https://host\"",
                    ));
                };
                if scheme != "https" && scheme != "http" {
                    return Err(usage(
                        format!("remote `{name}`: endpoint scheme `{scheme}` is not http(s)"),
                        "use https://",
                    ));
                }
                if path_style {
                    format!("{ep}/{bucket}")
                } else {
                    format!("{scheme}://{bucket}.{host}")
                }
            }
            None if path_style => format!("https://s3.{region}.amazonaws.com/{bucket}"),
            None => format!("https://{bucket}.s3.{region}.amazonaws.com"),
        };
        let timeout = match &spec.timeout {
            None => Duration::from_secs(60),
            Some(t) => humantime::parse_duration(t).map_err(|e| {
                usage(format!("remote `{name}`: timeout = \"{t}\" is not a duration: {e}"), "write it like \"60s\"")
            })?,
        };
        let lock = match (&spec.object_lock_mode, spec.object_lock_days) {
            (None, None) => None,
            (Some(mode), Some(days)) if days > 0 => {
                let mode = mode.to_ascii_uppercase();
                if mode != "GOVERNANCE" && mode != "COMPLIANCE" {
                    return Err(usage(
                        format!("remote `{name}`: object_lock_mode = \"{mode}\" is neither GOVERNANCE nor COMPLIANCE"),
                        "GOVERNANCE lets holders of s3:BypassGovernanceRetention delete early; COMPLIANCE lets nobody",
                    ));
                }
                Some(LockPolicy { mode, days })
            }
            _ => {
                return Err(usage(
                    format!("remote `{name}`: Object Lock needs both object_lock_mode and object_lock_days (> 0)"),
                    "for example object_lock_mode = \"GOVERNANCE\" and object_lock_days = 30",
                ))
            }
        };
        let part_size = spec.part_size_mib.unwrap_or(16);
        if !(5..=1024).contains(&part_size) {
            return Err(usage(
                format!("remote `{name}`: part_size_mib = {part_size} is outside 5..1024"),
                "S3 parts are 5 MiB to 5 GiB; 16 is a good size",
            ));
        }
        // By default every upload is read back: the size and SHA-256 of what the store holds.
        let read_back = match spec.verify_upload.as_deref() {
            None | Some("read") => true,
            Some("etag") => false,
            Some(other) => {
                return Err(usage(
                    format!("remote `{name}`: verify_upload = \"{other}\" is neither \"read\" nor \"etag\""),
                    "\"read\" (default) reads every upload back (size and SHA-256); \"etag\" trusts a matching multipart ETag (MD5s of the parts) and saves the read",
                ))
            }
        };
        let retention = match &spec.retention {
            Some(r) => Some(crate::config::settings::policy(r, &format!("[remote.retention] of `{name}`"))?),
            None => None,
        };
        // Archive classes cannot be read back until restored (hours): every upload's check,
        // every verify and every restore would fail.
        if let Some(class) = spec.storage_class.as_deref() {
            let upper = class.trim().to_ascii_uppercase();
            if matches!(upper.as_str(), "GLACIER" | "DEEP_ARCHIVE" | "GLACIER_FLEXIBLE_RETRIEVAL") {
                return Err(usage(
                    format!("remote `{name}`: storage_class = \"{class}\" is an archive class: its objects cannot be read until restored (hours), so no upload could be checked and no backup restored from it"),
                    "use STANDARD, STANDARD_IA or GLACIER_IR (instant retrieval); move old backups to archive with a lifecycle rule on the bucket instead",
                ));
            }
        }
        let options = ClientOptions::new()
            .with_timeout(timeout)
            .with_connect_timeout(Duration::from_secs(10))
            .with_allow_http(base.starts_with("http://"));
        let retry = RetryConfig {
            max_retries: spec.retries.unwrap_or(5),
            retry_timeout: Duration::from_secs(15 * 60),
            // 1 s, then up to 3x the wait before (at most 30 s): `retries = 2` rides out a few
            // seconds of 500s, 5 (the default) a minute or so.
            backoff: object_store::BackoffConfig {
                init_backoff: Duration::from_secs(1),
                max_backoff: Duration::from_secs(30),
                base: 3.0,
            },
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(&region)
            .with_endpoint(&base)
            .with_virtual_hosted_style_request(true)
            .with_client_options(options.clone())
            .with_retry(retry);
        match creds::resolve(spec, env, home)? {
            creds::Source::Keys(k) => {
                builder = builder.with_access_key_id(&k.key_id).with_secret_access_key(&k.secret);
                if let Some(t) = &k.token {
                    builder = builder.with_token(t);
                }
            }
            creds::Source::Provider(pairs) => {
                for (key, value) in pairs {
                    if let Ok(k) = key.parse::<AmazonS3ConfigKey>() {
                        builder = builder.with_config(k, value);
                    }
                }
            }
        }
        // The look before a backup (does the store already hold this id?) runs while a
        // guarded prisma command waits: short, so that a store that is down, or stalls, costs
        // seconds, not minutes of retries (the copy is then left to `sync`).
        let probe = builder
            .clone()
            .with_client_options(
                options.clone().with_timeout(PROBE_TIMEOUT).with_connect_timeout(Duration::from_secs(3)),
            )
            // A store that answers 5xx is asked again quickly; one that does not answer is not
            // (no retry starts after PROBE_TIMEOUT).
            .with_retry(RetryConfig {
                max_retries: 2,
                retry_timeout: PROBE_TIMEOUT,
                backoff: object_store::BackoffConfig {
                    init_backoff: Duration::from_millis(200),
                    max_backoff: Duration::from_secs(1),
                    base: 2.0,
                },
            })
            .build()
            .map_err(|e| usage(format!("remote `{name}`: {e}"), "check its [[remote]] table in prisma-guard.toml"))?;
        let store = builder
            .build()
            .map_err(|e| usage(format!("remote `{name}`: {e}"), "check its [[remote]] table in prisma-guard.toml"))?;
        let http = object_store::client::ReqwestConnector::default()
            .connect(&options)
            .map_err(|e| anyhow::anyhow!("remote `{name}`: could not build an HTTP client: {e}"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("prisma-guard-upload")
            .enable_all()
            .build()
            .context("could not start the upload threads")?;
        Ok(Remote {
            name: name.clone(),
            url: spec.url.clone(),
            bucket: bucket.to_string(),
            prefix,
            base,
            region,
            store: Arc::new(store),
            probe: Arc::new(probe),
            runtime,
            lock,
            part_size: part_size << 20,
            storage_class: spec.storage_class.clone(),
            http,
            retention,
            read_back,
            signer: None,
            trust: signing::Trust::default(),
        })
    }

    /// Open with the project's `[signing]` trust and this machine's key.
    fn open_signed(
        spec: &RemoteSection,
        file: &FileConfig,
        env: &dyn Fn(&str) -> Option<String>,
        home: Option<&std::path::Path>,
    ) -> Result<Remote> {
        let mut r = Remote::open(spec, env, home)?;
        let key = signing::load(env, home)?;
        r.trust = signing::Trust::new(file.signing.as_ref(), key.as_ref())?;
        r.signer = key.map(Arc::new);
        Ok(r)
    }

    /// Say which newer backups of the same database `latest` passed over because a restore may
    /// not use them (a forged `latest`, or a machine whose key is not listed).
    pub fn warn_newer_refused(&self, all: &[Manifest], chosen: &Manifest, printer: &crate::ui::Printer) {
        for n in all.iter().filter(|n| {
            !self.trust.allows(n.authenticity)
                && n.database_name == chosen.database_name
                && (n.created_unix, n.created_ms) > (chosen.created_unix, chosen.created_ms)
        }) {
            printer.warn(format!(
                "passed over the newer backup {} on remote `{}`: it is {}, and restores refuse it (someone with the bucket's keys, or a machine whose key is not in [signing] public_keys)",
                n.id,
                self.name,
                n.authenticity.describe()
            ));
        }
    }

    /// A backup of this remote a restore may use: signed by a trusted key, or accepted unsigned
    /// by `[signing] accept_unsigned` (said). Else refused: anyone holding the bucket's write
    /// keys can upload a backup (docs/operations.md).
    pub fn vouch(&self, m: &Manifest, printer: &crate::ui::Printer) -> Result<()> {
        use signing::Authenticity as A;
        match m.authenticity {
            A::Signed | A::NotChecked => Ok(()),
            a if self.trust.allows(a) => {
                printer.warn(format!(
                    "backup {} on remote `{}` is {}: used because prisma-guard.toml sets [signing] accept_unsigned = true",
                    m.id,
                    self.name,
                    a.describe()
                ));
                Ok(())
            }
            a => {
                let trusted = if self.trust.keys.is_empty() {
                    "none (no [signing] public_keys, and no signing key on this machine)".to_string()
                } else {
                    self.trust.keys.join(", ")
                };
                let by = m.signature.as_ref().map(|s| format!(" (its key: {})", s.key)).unwrap_or_default();
                Err(fail(format!(
                    "refused: backup {} on remote `{}` is {}{by}: it may not be this project's backup (whoever holds the bucket's write keys can upload one); trusted keys: {trusted}",
                    m.id,
                    self.name,
                    a.describe()
                ))
                .hint("if it is yours (taken before backups were signed, or on a machine whose key is not listed), add that machine's key to [signing] public_keys in prisma-guard.toml, or set [signing] accept_unsigned = true there (docs/operations.md)")
                .status(ExitStatus::Refused)
                .into())
            }
        }
    }

    /// The object key of a file of the backup folder.
    pub fn key(&self, file_name: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(file_name)
        } else {
            ObjectPath::from(format!("{}/{file_name}", self.prefix))
        }
    }

    /// `s3://bucket/key`, for manifests and messages.
    pub fn object_url(&self, file_name: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.key(file_name))
    }

    fn attributes(&self) -> Attributes {
        let mut attrs = Attributes::new();
        if let Some(class) = &self.storage_class {
            attrs.insert(Attribute::StorageClass, class.clone().into());
        }
        attrs
    }

    /// Run a request to completion on this remote's runtime.
    pub(crate) fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// Upload a small file in one request.
    pub fn put_small(&self, file_name: &str, data: Vec<u8>) -> Result<()> {
        let opts = PutOptions { attributes: self.attributes(), ..PutOptions::default() };
        let key = self.key(file_name);
        self.block_on(self.store.put_opts(&key, Bytes::from(data).into(), opts))
            .map_err(|e| self.error(e, &format!("could not upload {key}")))?;
        Ok(())
    }

    /// The whole of a small object.
    pub fn get_small(&self, file_name: &str) -> Result<Vec<u8>> {
        let key = self.key(file_name);
        self.block_on(async { self.store.get(&key).await?.bytes().await })
            .map(|b| b.to_vec())
            .map_err(|e| self.error(e, &format!("could not read {key}")))
    }

    /// Size of an object, `None` when it does not exist.
    pub fn size_of(&self, file_name: &str) -> Result<Option<u64>> {
        Ok(self.head(file_name)?.map(|(size, _)| size))
    }

    /// Whether the store holds this object, asked with a short timeout and quick retries
    /// within it: for the look before a backup. An error means the store cannot be reached now.
    pub fn probe(&self, file_name: &str) -> Result<bool> {
        let key = self.key(file_name);
        match self.block_on(self.probe.head(&key)) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.error(
                e,
                &format!("could not reach the store to look at {key} (within {}s)", PROBE_TIMEOUT.as_secs()),
            )),
        }
    }

    /// The object's size and the store's ETag (`None`: no such object).
    pub fn head(&self, file_name: &str) -> Result<Option<(u64, Option<String>)>> {
        let key = self.key(file_name);
        match self.block_on(self.store.head(&key)) {
            Ok(meta) => Ok(Some((meta.size, meta.e_tag))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(e, &format!("could not look at {key}"))),
        }
    }

    pub fn delete(&self, file_name: &str) -> Result<()> {
        let key = self.key(file_name);
        match self.block_on(self.store.delete(&key)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error(e, &format!("could not delete {key}"))),
        }
    }

    /// Every backup whose manifest is on the remote, newest first, and the manifests that
    /// could not be read (`(name, why)`).
    pub fn list(&self) -> Result<Listing> {
        let prefix = (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()));
        let listing = self
            .block_on(self.store.list_with_delimiter(prefix.as_ref()))
            .map_err(|e| self.error(e, &format!("could not list {}", self.url)))?;
        let mut manifests = Vec::new();
        let mut bad = Vec::new();
        // What the store holds, by name: a manifest whose dump is gone (deleted with a stolen
        // key, never finished) is no backup.
        let held: std::collections::HashMap<String, u64> =
            listing.objects.iter().filter_map(|o| Some((o.location.filename()?.to_string(), o.size))).collect();
        for meta in listing.objects {
            let Some(name) = meta.location.filename().map(str::to_string) else { continue };
            if name.starts_with('.') || !name.ends_with(".json") {
                continue;
            }
            let parsed = self.get_small(&name).and_then(|b| {
                serde_json::from_slice::<Manifest>(&b).map_err(|e| anyhow::anyhow!("not a manifest: {e}"))
            });
            // Anyone with the bucket's keys can write here: a manifest whose names are not
            // plain backup names is not used.
            match parsed.and_then(|m| m.check_names().map(|()| m).map_err(|why| anyhow::anyhow!("not used: {why}"))) {
                Ok(mut m) if name == format!("{}.json", m.id) => {
                    m.dump_missing = held.get(&m.file.name) != Some(&m.file.compressed_bytes);
                    m.authenticity = self.trust.judge(&m);
                    manifests.push(m)
                }
                Ok(m) => bad.push((name, format!("not used: it names backup {} but is not {}.json", m.id, m.id))),
                Err(e) => bad.push((name, format!("{e:#}"))),
            }
        }
        Manifest::sort_newest_first(&mut manifests, crate::backup::store::unix_now(std::time::SystemTime::now()));
        Ok((manifests, bad))
    }

    /// Find a backup on the remote by id, unique prefix or `latest`.
    pub fn resolve(&self, selector: &str) -> Result<Manifest> {
        let (all, _) = self.list()?;
        let found: Vec<&Manifest> = if selector == "latest" {
            // Backups a restore may not use (not signed by a trusted key) are never `latest`
            // while one it may use is there.
            let usable = |m: &&Manifest| self.trust.allows(m.authenticity);
            all.iter()
                .filter(usable)
                .find(|m| !m.is_safety_copy())
                .or_else(|| all.iter().find(usable))
                .or_else(|| all.first())
                .into_iter()
                .collect()
        } else if let Some(m) = all.iter().find(|m| m.id == selector) {
            vec![m]
        } else {
            all.iter().filter(|m| m.id.starts_with(selector)).collect()
        };
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(fail(format!("no backup `{selector}` on remote `{}` ({})", self.name, self.url))
                .hint(format!("list them with `prisma-guard backups --remote {}`", self.name))
                .into()),
            many => Err(fail(format!("`{selector}` matches {} backups on remote `{}`", many.len(), self.name))
                .hint("give more of the id")
                .into()),
        }
    }

    /// A streaming reader of an object.
    pub fn reader(&self, file_name: &str) -> Result<reader::RemoteReader<'_>> {
        let key = self.key(file_name);
        let stream = self
            .block_on(async { self.store.get(&key).await.map(|r| r.into_stream().boxed()) })
            .map_err(|e| self.error(e, &format!("could not read {key}")))?;
        Ok(reader::RemoteReader::new(self, stream))
    }

    /// Start a multipart upload of a new backup's `file_name` (see [`upload::Upload`]).
    /// Never over a dump the prefix holds (its manifest is looked for by the caller): the id
    /// taken by another writer (a second machine or project on the prefix) is refused.
    pub fn start_upload(&self, file_name: &str) -> Result<upload::Upload<'_>> {
        if self.head(file_name)?.is_some() {
            return Err(fail(format!(
                "remote `{}` already holds {file_name} ({}): another writer took this backup's id; not uploaded over it",
                self.name, self.url
            ))
            .hint("give each project (and each machine) its own prefix: url = \"s3://bucket/<project>/<host>\"")
            .into());
        }
        upload::Upload::start(self, file_name)
    }

    /// A store error in words, with the next step for the common ones.
    pub fn error(&self, e: object_store::Error, what: &str) -> anyhow::Error {
        let text = e.to_string();
        let hint = if text.contains("403") || text.contains("AccessDenied") || text.contains("SignatureDoesNotMatch") {
            "check the remote's credentials and that they may read and write the bucket"
        } else if text.contains("NoSuchBucket") {
            "create the bucket, or fix url in its [[remote]] table"
        } else {
            "check the endpoint and the network; `prisma-guard sync` uploads what is missing later"
        };
        fail(format!("remote `{}`: {what}: {}", self.name, redact(&text))).hint(hint).into()
    }
}

/// Signed query strings in an error's URL would be credentials: cut them off.
fn redact(text: &str) -> String {
    let re = regex::Regex::new(r"(X-Amz-(Credential|Signature|Security-Token)=)[^&\s]+").expect("a valid pattern");
    re.replace_all(text, "${1}****").into_owned()
}

/// The remotes a backup goes to: a table that makes no sense is an error now (before anything
/// is written), a remote that cannot be used (no credentials) is a failed copy later.
pub type Opened = Vec<std::result::Result<Remote, (RemoteSection, anyhow::Error)>>;

pub fn open_configured(file: &FileConfig) -> Result<Opened> {
    let specs = &file.remotes;
    check_names(specs)?;
    let env = crate::config::env::var;
    let home = crate::config::env::home();
    let mut out = Vec::new();
    for spec in specs {
        match Remote::open_signed(spec, file, &env, home.as_deref()) {
            Ok(r) => out.push(Ok(r)),
            Err(e) if e.downcast_ref::<crate::error::Failure>().is_some_and(|f| f.status == ExitStatus::Usage) => {
                return Err(e)
            }
            Err(e) => out.push(Err((spec.clone(), e))),
        }
    }
    Ok(out)
}

fn check_names(specs: &[RemoteSection]) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for s in specs {
        if s.name.is_empty() || !seen.insert(s.name.as_str()) {
            return Err(usage(
                format!("two [[remote]] tables are named `{}` (or one has no name)", s.name),
                "give each remote its own name",
            ));
        }
    }
    Ok(())
}

/// Every configured remote, opened; `only` narrows to one name (an error when unknown).
pub fn open_all(file: &FileConfig, only: Option<&str>) -> Result<Vec<Remote>> {
    let specs = &file.remotes;
    let env = crate::config::env::var;
    let home = crate::config::env::home();
    check_names(specs)?;
    if let Some(name) = only {
        let Some(spec) = specs.iter().find(|s| s.name == name) else {
            let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
            return Err(usage(
                format!("there is no remote `{name}` in prisma-guard.toml"),
                &if names.is_empty() {
                    "add a [[remote]] table to the project's prisma-guard.toml (see docs/operations.md)".to_string()
                } else {
                    format!("configured remotes: {}", names.join(", "))
                },
            ));
        };
        return Ok(vec![Remote::open_signed(spec, file, &env, home.as_deref())?]);
    }
    specs.iter().map(|s| Remote::open_signed(s, file, &env, home.as_deref())).collect()
}

/// The signing key `PRISMA_GUARD_SIGNING_KEY` names, when it is set (a key file made for a CI
/// job: `schedule` prints its public half). Never the machine's default key.
pub fn named_signing_key() -> Result<Option<signing::Key>> {
    let env = crate::config::env::var;
    if env(signing::KEY_VAR).is_none_or(|v| v.trim().is_empty()) {
        return Ok(None);
    }
    signing::load(&env, None)
}

/// Before a run that uploads: this machine's signing key, created on first use (said, with
/// the line that makes other machines trust it); a key not in `[signing] public_keys` is
/// said too. Nothing here stops a backup: an unsigned one is still a backup.
pub fn prepare_signing(file: &FileConfig, printer: &crate::ui::Printer) -> Result<()> {
    if file.remotes.is_empty() {
        return Ok(());
    }
    let env = crate::config::env::var;
    let home = crate::config::env::home();
    let listed =
        file.signing.as_ref().map(|s| s.public_keys.iter().map(|k| k.trim().to_ascii_lowercase()).collect::<Vec<_>>());
    match signing::load_or_create(&env, home.as_deref()) {
        Ok((key, created)) => {
            if created {
                printer.status(
                    "Created",
                    format!(
                        "backup signing key {} (0600): uploads from here are signed with it; restores on other machines trust them once prisma-guard.toml has\n[signing]\npublic_keys = [\"{}\"]",
                        key.path.display(),
                        key.public
                    ),
                );
            } else if listed.as_ref().is_some_and(|l| !l.is_empty() && !l.contains(&key.public)) {
                printer.warn(format!(
                    "this machine's backup signing key {} is not in [signing] public_keys: restores on other machines will refuse its uploads until it is added",
                    key.public
                ));
            }
            Ok(())
        }
        Err(e) if crate::error::is_usage(&e) => Err(e),
        Err(e) => {
            printer.warn(format!("uploads will not be signed: {}", crate::error::one_line(&e)));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(url: &str) -> RemoteSection {
        RemoteSection {
            name: "r".into(),
            url: url.into(),
            access_key_id_env: Some("K".into()),
            secret_access_key_env: Some("S".into()),
            ..RemoteSection::default()
        }
    }

    fn env(k: &str) -> Option<String> {
        matches!(k, "K" | "S").then(|| "x".into())
    }

    #[test]
    fn urls_endpoints_and_addressing() {
        let r = Remote::open(&spec("s3://bkt/a/b/"), &env, None).unwrap();
        assert_eq!(r.base, "https://bkt.s3.us-east-1.amazonaws.com");
        assert_eq!(r.key("x.json").as_ref(), "a/b/x.json");
        assert_eq!(r.object_url("x.json"), "s3://bkt/a/b/x.json");
        let mut s = spec("s3://bkt");
        s.endpoint = Some("http://127.0.0.1:9000/".into());
        s.path_style = Some(true);
        let r = Remote::open(&s, &env, None).unwrap();
        assert_eq!(r.base, "http://127.0.0.1:9000/bkt");
        assert_eq!(r.key("x.json").as_ref(), "x.json");
        s.path_style = Some(false);
        s.endpoint = Some("https://acct.r2.cloudflarestorage.com".into());
        assert_eq!(Remote::open(&s, &env, None).unwrap().base, "https://bkt.acct.r2.cloudflarestorage.com");
    }

    #[test]
    fn bad_tables_are_usage_errors() {
        for (url, lock, days, part) in [
            ("bkt/x", None, None, None),
            ("s3:///x", None, None, None),
            ("s3://b", Some("forever"), Some(3), None),
            ("s3://b", Some("GOVERNANCE"), None, None),
            ("s3://b", None, None, Some(2)),
        ] {
            let mut s = spec(url);
            s.object_lock_mode = lock.map(str::to_string);
            s.object_lock_days = days;
            s.part_size_mib = part;
            let err = Remote::open(&s, &env, None).unwrap_err();
            let f = err.downcast_ref::<crate::error::Failure>().expect("a Failure");
            assert_eq!(f.status, ExitStatus::Usage, "{url}: {err:#}");
        }
    }

    #[test]
    fn signatures_never_reach_a_message() {
        let t = "GET http://h/k?X-Amz-Credential=AKIA/x&X-Amz-Signature=abc123 failed";
        assert_eq!(redact(t), "GET http://h/k?X-Amz-Credential=****&X-Amz-Signature=**** failed");
    }
}
