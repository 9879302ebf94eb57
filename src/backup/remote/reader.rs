//! A blocking `Read` over an object's byte stream: the restore, verify and fetch code reads
//! a remote dump exactly as it reads a local file.

use std::io::{self, Read};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::StreamExt;

use super::Remote;

pub struct RemoteReader<'a> {
    remote: &'a Remote,
    stream: BoxStream<'static, object_store::Result<Bytes>>,
    chunk: Bytes,
    done: bool,
}

impl<'a> RemoteReader<'a> {
    pub(super) fn new(remote: &'a Remote, stream: BoxStream<'static, object_store::Result<Bytes>>) -> Self {
        RemoteReader { remote, stream, chunk: Bytes::new(), done: false }
    }
}

impl Read for RemoteReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() && !self.done {
            match self.remote.block_on(self.stream.next()) {
                Some(Ok(b)) => self.chunk = b,
                Some(Err(e)) => {
                    return Err(io::Error::other(format!("remote `{}`: the download broke off: {e}", self.remote.name)))
                }
                None => self.done = true,
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        let _ = self.chunk.split_to(n);
        Ok(n)
    }
}
