//! Streaming a dump to a remote while it is written: the bytes that go to the local file are
//! cut into parts and uploaded by the remote's worker threads (a few parts in flight, so
//! memory stays bounded by `part_size * (MAX_IN_FLIGHT + 1)`). Nothing exists under the key
//! until the multipart upload is completed; an upload that fails or is dropped is aborted,
//! so an interrupted upload never leaves an object that looks complete.

use anyhow::Result;
use bytes::Bytes;
use md5::Digest as _;

use crate::backup::store::io::hex;
use object_store::path::Path as ObjectPath;
use object_store::{MultipartUpload, PutMultipartOptions};

use super::Remote;

/// Parts being uploaded at once, per remote.
const MAX_IN_FLIGHT: usize = 4;

pub struct Upload<'a> {
    remote: &'a Remote,
    key: ObjectPath,
    /// The store's multipart upload (its parts retried by `object_store`); `None` once
    /// completed or aborted.
    upload: Option<Box<dyn MultipartUpload>>,
    /// The part being filled.
    buffer: Vec<u8>,
    /// Parts on their way.
    tasks: tokio::task::JoinSet<object_store::Result<()>>,
    parts: usize,
    pub bytes: u64,
    /// The first error (a part's own: a 500 after its retries, a timeout); later writes are
    /// dropped (the local backup goes on).
    pub failed: Option<anyhow::Error>,
    /// MD5 of each part sent: S3 computes a multipart upload's ETag as the MD5 of the parts'
    /// MD5s, from the bytes it stored.
    part_md5s: Vec<u8>,
}

/// What the store says it holds after the upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The store's ETag is the MD5 of the MD5s of the parts that were sent: it holds those
    /// bytes.
    EtagMatches,
    /// The ETag says nothing checkable (server-side encryption with KMS, a store that makes
    /// ETags otherwise): read the object back to know.
    Unknown,
}

impl<'a> Upload<'a> {
    pub(super) fn start(remote: &'a Remote, file_name: &str) -> Result<Upload<'a>> {
        let key = remote.key(file_name);
        let opts = PutMultipartOptions { attributes: remote.attributes(), ..PutMultipartOptions::default() };
        let upload = remote
            .block_on(object_store::ObjectStore::put_multipart_opts(remote.store.as_ref(), &key, opts))
            .map_err(|e| remote.error(e, &format!("could not start uploading {key}")))?;
        Ok(Upload {
            remote,
            key,
            upload: Some(upload),
            buffer: Vec::with_capacity(remote.part_size),
            tasks: tokio::task::JoinSet::new(),
            parts: 0,
            bytes: 0,
            failed: None,
            part_md5s: Vec::new(),
        })
    }

    pub fn remote(&self) -> &'a Remote {
        self.remote
    }

    /// Hand bytes over. Waits only when `MAX_IN_FLIGHT` parts are on their way.
    pub fn write(&mut self, mut buf: &[u8]) {
        self.bytes += buf.len() as u64;
        while !buf.is_empty() && self.failed.is_none() {
            let take = buf.len().min(self.remote.part_size - self.buffer.len());
            self.buffer.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
            if self.buffer.len() == self.remote.part_size {
                self.send_part();
                if let Err(e) = self.wait(MAX_IN_FLIGHT - 1) {
                    self.fail(e);
                }
            }
        }
    }

    /// Start uploading the buffer as the next part.
    fn send_part(&mut self) {
        let Some(upload) = self.upload.as_mut() else { return };
        let data = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(self.remote.part_size)));
        self.part_md5s.extend_from_slice(&md5::Md5::digest(&data));
        self.parts += 1;
        let part = upload.put_part(data.into());
        let _inside = self.remote.runtime.enter();
        self.tasks.spawn(part);
    }

    /// Until at most `max` parts are on their way; the first part that failed is the error.
    fn wait(&mut self, max: usize) -> Result<()> {
        while self.tasks.len() > max {
            match self.remote.block_on(self.tasks.join_next()) {
                Some(Ok(Ok(()))) | None => {}
                Some(Ok(Err(e))) => {
                    return Err(self.remote.error(e, &format!("could not upload a part of {}", self.key)))
                }
                Some(Err(e)) => anyhow::bail!("an upload thread of {} stopped: {e}", self.key),
            }
        }
        Ok(())
    }

    fn fail(&mut self, why: anyhow::Error) {
        self.failed.get_or_insert(why);
        self.abort();
    }

    /// Stop the parts and abort the upload, so that no part lingers; what the abort says is
    /// not the error (it fails too while the store is down).
    fn abort(&mut self) {
        let tasks = std::mem::take(&mut self.tasks);
        let upload = self.upload.take();
        self.remote.block_on(async move {
            let mut tasks = tasks;
            tasks.shutdown().await;
            if let Some(mut u) = upload {
                let _ = u.abort().await;
            }
        });
    }

    /// Complete the upload: the object appears whole, or not at all.
    pub fn finish(mut self) -> Result<Stored> {
        if let Some(why) = self.failed.take() {
            return Err(crate::error::fail(format!(
                "remote `{}`: uploading {} failed: {}",
                self.remote.name,
                self.key,
                crate::error::one_line(&why)
            ))
            .hint("the local backup is saved; `prisma-guard sync` uploads it when the store is reachable")
            .into());
        }
        if self.upload.is_none() {
            anyhow::bail!("the upload of {} was already finished", self.key);
        }
        // The last part (a whole upload needs one, even empty).
        if !self.buffer.is_empty() || self.parts == 0 {
            self.send_part();
        }
        if let Err(e) = self.wait(0) {
            self.abort();
            return Err(e);
        }
        let remote = self.remote;
        let Some(mut upload) = self.upload.take() else { anyhow::bail!("the upload of {} was aborted", self.key) };
        let done = match remote.block_on(upload.complete()) {
            Ok(done) => done,
            Err(e) => {
                let original = remote.error(e, &format!("could not complete the upload of {}", self.key));
                let _ = remote.block_on(upload.abort());
                return Err(original);
            }
        };
        let expected = format!("{}-{}", hex(&md5::Md5::digest(&self.part_md5s)), self.part_md5s.len() / 16);
        let etag = done.e_tag.unwrap_or_default();
        Ok(if etag.trim_matches('"').eq_ignore_ascii_case(&expected) { Stored::EtagMatches } else { Stored::Unknown })
    }
}

impl Drop for Upload<'_> {
    /// Not finished (the dump failed, or a panic): abort, so no part lingers as an object.
    fn drop(&mut self) {
        if self.upload.is_some() {
            self.abort();
        }
    }
}
