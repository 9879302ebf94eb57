//! Streaming a dump to a remote while it is written: the bytes that go to the local file are
//! cut into parts and uploaded by the remote's worker threads (a few parts in flight, so
//! memory stays bounded by `part_size * (MAX_IN_FLIGHT + 1)`). Nothing exists under the key
//! until the multipart upload is completed; an upload that fails or is dropped is aborted,
//! so an interrupted upload never leaves an object that looks complete.

use anyhow::Result;
use md5::Digest as _;

use crate::backup::store::io::hex;
use object_store::path::Path as ObjectPath;
use object_store::{PutMultipartOptions, WriteMultipart};

use super::Remote;

/// Parts being uploaded at once, per remote.
const MAX_IN_FLIGHT: usize = 4;

pub struct Upload<'a> {
    remote: &'a Remote,
    key: ObjectPath,
    writer: Option<WriteMultipart>,
    /// Bytes handed over since the last wait for capacity.
    pending: usize,
    pub bytes: u64,
    /// The first error; later writes are dropped (the local backup goes on).
    pub failed: Option<String>,
    /// MD5 of the part being filled, and of each part sent: S3 computes a multipart upload's
    /// ETag as the MD5 of the parts' MD5s, from the bytes it stored.
    part_md5: md5::Md5,
    part_len: usize,
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
            writer: Some(WriteMultipart::new_with_chunk_size(upload, remote.part_size)),
            pending: 0,
            bytes: 0,
            failed: None,
            part_md5: md5::Md5::new(),
            part_len: 0,
            part_md5s: Vec::new(),
        })
    }

    pub fn remote(&self) -> &'a Remote {
        self.remote
    }

    /// Hand bytes over. Waits only when `MAX_IN_FLIGHT` parts are on their way.
    pub fn write(&mut self, buf: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        let Some(w) = self.writer.as_mut() else { return };
        let _inside = self.remote.runtime.enter();
        w.write(buf);
        // The parts are cut at multiples of the part size (WriteMultipart's chunk size).
        let mut rest = buf;
        while !rest.is_empty() {
            let take = rest.len().min(self.remote.part_size - self.part_len);
            self.part_md5.update(&rest[..take]);
            self.part_len += take;
            rest = &rest[take..];
            if self.part_len == self.remote.part_size {
                self.part_md5s.extend_from_slice(&self.part_md5.finalize_reset());
                self.part_len = 0;
            }
        }
        self.bytes += buf.len() as u64;
        self.pending += buf.len();
        if self.pending >= self.remote.part_size {
            self.pending = 0;
            if let Err(e) = self.remote.block_on(w.wait_for_capacity(MAX_IN_FLIGHT)) {
                self.fail(format!("{e}"));
            }
        }
    }

    fn fail(&mut self, why: String) {
        self.failed = Some(why);
        if let Some(w) = self.writer.take() {
            let _ = self.remote.block_on(w.abort());
        }
    }

    /// Complete the upload: the object appears whole, or not at all.
    pub fn finish(mut self) -> Result<Stored> {
        if let Some(why) = self.failed.take() {
            return Err(crate::error::fail(format!(
                "remote `{}`: uploading {} failed: {why}",
                self.remote.name, self.key
            ))
            .hint("the local backup is saved; `prisma-guard sync` uploads it when the store is reachable")
            .into());
        }
        let Some(w) = self.writer.take() else { anyhow::bail!("the upload of {} was already finished", self.key) };
        let remote = self.remote;
        let done = remote
            .block_on(w.finish())
            .map_err(|e| remote.error(e, &format!("could not complete the upload of {}", self.key)))?;
        if self.part_len > 0 || self.part_md5s.is_empty() {
            let last = self.part_md5.finalize_reset();
            self.part_md5s.extend_from_slice(&last);
        }
        let expected = format!("{}-{}", hex(&md5::Md5::digest(&self.part_md5s)), self.part_md5s.len() / 16);
        let etag = done.e_tag.unwrap_or_default();
        Ok(if etag.trim_matches('"').eq_ignore_ascii_case(&expected) { Stored::EtagMatches } else { Stored::Unknown })
    }
}

impl Drop for Upload<'_> {
    /// Not finished (the dump failed, or a panic): abort, so no part lingers as an object.
    fn drop(&mut self) {
        if let Some(w) = self.writer.take() {
            let _ = self.remote.block_on(w.abort());
        }
    }
}
