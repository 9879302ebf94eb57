//! Compression formats. Both restore with standard tools: `zstd -dc f | psql`,
//! `gunzip -c f | psql`.

use std::cell::RefCell;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum, Default)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// zstd, multi-threaded (default): fast enough to keep up with pg_dump.
    #[default]
    Zstd,
    /// gzip via flate2: slower, but readable everywhere.
    Gzip,
}

impl Compression {
    pub fn extension(self) -> &'static str {
        match self {
            Compression::Zstd => "zst",
            Compression::Gzip => "gz",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Compression> {
        match ext {
            "zst" => Some(Compression::Zstd),
            "gz" => Some(Compression::Gzip),
            _ => None,
        }
    }

    /// The default level for each format when the config does not set one.
    pub fn default_level(self) -> i32 {
        match self {
            Compression::Zstd => 1,
            Compression::Gzip => 6,
        }
    }

    /// Wrap `inner` in an encoder. `finish` must be called to flush the trailer.
    pub fn encoder<'a, W: Write + 'a>(self, inner: W, level: i32) -> io::Result<Encoder<'a, W>> {
        Ok(match self {
            Compression::Zstd => {
                let mut enc = zstd::Encoder::new(inner, level)?;
                // Up to 4 workers: pg_dump is single-threaded, and the database server needs CPU too.
                let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4) as u32);
                if threads > 1 {
                    enc.multithread(threads)?;
                }
                Encoder::Zstd(enc)
            }
            Compression::Gzip => {
                let level = flate2::Compression::new(level.clamp(0, 9) as u32);
                Encoder::Gzip(flate2::write::GzEncoder::new(inner, level))
            }
        })
    }

    /// Wrap `inner` in a streaming decoder.
    pub fn decoder<'a, R: Read + 'a>(self, inner: R) -> io::Result<Box<dyn Read + 'a>> {
        Ok(match self {
            Compression::Zstd => Box::new(zstd::Decoder::new(inner)?),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, inner))),
        })
    }
}

/// Decompresses a backup file (opening it first when it is sealed with age) and checks its
/// SHA-256 in the same pass: at the end of the stream, a mismatch is a read error, so a
/// consumer never sees a clean end of a damaged file (PostgreSQL's restore then rolls back
/// instead of committing).
pub struct VerifiedReader<'a> {
    decoder: Box<dyn Read + 'a>,
    /// What the decoder reads from (the file, or its plaintext), to drain at the end.
    source: Rc<RefCell<Box<dyn Read + 'a>>>,
    /// The SHA-256 of every stored byte read so far.
    digest: Rc<RefCell<sha2::Sha256>>,
    /// The stored bytes, to hash to their end when decoding fails: damage is reported as a
    /// checksum mismatch, not as what it did to the decryption or decompression.
    raw: Rc<RefCell<Box<dyn Read + 'a>>>,
    expected: String,
    checked: bool,
}

/// Hashes what passes through into a digest the reader keeps a handle to.
struct Tap<R> {
    inner: R,
    digest: Rc<RefCell<sha2::Sha256>>,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        sha2::Digest::update(&mut *self.digest.borrow_mut(), &buf[..n]);
        Ok(n)
    }
}

/// A reader shared between the decoder and the end-of-stream check.
struct Shared<'a>(Rc<RefCell<Box<dyn Read + 'a>>>);

impl Read for Shared<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

impl<'a> VerifiedReader<'a> {
    /// `sealed`: the file is an age file, opened with `opening` (an error without one).
    pub fn new<R: Read + 'a>(
        compression: Compression,
        inner: R,
        expected_sha256: &str,
        sealed: bool,
        opening: Option<&super::crypt::Opening>,
    ) -> anyhow::Result<Self> {
        let digest = Rc::new(RefCell::new(<sha2::Sha256 as sha2::Digest>::new()));
        let raw: Rc<RefCell<Box<dyn Read + 'a>>> = Rc::new(RefCell::new(Box::new(inner)));
        let tap = Tap { inner: Shared(raw.clone()), digest: digest.clone() };
        let plain: Box<dyn Read + 'a> = match (sealed, opening) {
            (false, _) => Box::new(tap),
            (true, Some(o)) => o.open(tap)?,
            (true, None) => {
                return Err(crate::error::fail("the backup is encrypted (age), and no identity was given to open it")
                    .hint(format!(
                        "set {} to your age identity file (or pass --identity FILE), or {} for a passphrase",
                        super::crypt::IDENTITY_VAR,
                        super::crypt::PASSPHRASE_VAR
                    ))
                    .status(crate::ExitStatus::Usage)
                    .into())
            }
        };
        let source = Rc::new(RefCell::new(plain));
        let buffered = BufReader::with_capacity(1 << 20, Shared(source.clone()));
        let decoder: Box<dyn Read + 'a> = match compression {
            Compression::Zstd => Box::new(zstd::Decoder::with_buffer(buffered)?),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(buffered)),
        };
        Ok(VerifiedReader { decoder, source, digest, raw, expected: expected_sha256.to_string(), checked: false })
    }

    /// After a decoding error: hash the rest of the stored bytes; a mismatch is the error to
    /// report (the store or the disk damaged the file), else `err` stands.
    fn damaged_or(&mut self, err: io::Error) -> io::Error {
        if self.checked {
            return err;
        }
        self.checked = true;
        let mut rest = Tap { inner: Shared(self.raw.clone()), digest: self.digest.clone() };
        if drain(&mut rest).is_err() {
            return err;
        }
        let actual = super::io::hex(&sha2::Digest::finalize(self.digest.borrow().clone()));
        if actual == self.expected {
            return err;
        }
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("checksum mismatch: the backup file has sha256 {actual}, the manifest says {}", self.expected),
        )
    }

    fn check(&mut self) -> io::Result<()> {
        // Whatever the decoder left unread still counts (and an age stream is authenticated
        // to its end).
        drain(&mut *self.source.borrow_mut())?;
        let actual = super::io::hex(&sha2::Digest::finalize(self.digest.borrow().clone()));
        if actual != self.expected {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("checksum mismatch: the backup file has sha256 {actual}, the manifest says {}", self.expected),
            ));
        }
        Ok(())
    }
}

impl Read for VerifiedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.decoder.read(buf) {
            Ok(n) => n,
            Err(e) => return Err(self.damaged_or(e)),
        };
        if n == 0 && !buf.is_empty() && !self.checked {
            self.checked = true;
            if let Err(e) = self.check() {
                // A decryption error found while draining the rest: damage, said as such.
                if e.to_string().starts_with("checksum mismatch") {
                    return Err(e);
                }
                self.checked = false;
                return Err(self.damaged_or(e));
            }
        }
        Ok(n)
    }
}

/// An encoder of either format.
pub enum Encoder<'a, W: Write> {
    Zstd(zstd::Encoder<'a, W>),
    Gzip(flate2::write::GzEncoder<W>),
}

impl<W: Write> Encoder<'_, W> {
    pub fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Zstd(e) => e.finish(),
            Encoder::Gzip(e) => e.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Zstd(e) => e.write(buf),
            Encoder::Gzip(e) => e.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Encoder::Zstd(e) => e.write_all(buf),
            Encoder::Gzip(e) => e.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Zstd(e) => e.flush(),
            Encoder::Gzip(e) => e.flush(),
        }
    }
}

/// Read `reader` to the end, discarding the data; returns the byte count.
pub fn drain(reader: &mut dyn Read) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut total = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(total);
        }
        let n = buf.len();
        total += n as u64;
        reader.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_both_formats() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for c in [Compression::Zstd, Compression::Gzip] {
            let mut enc = c.encoder(Vec::new(), c.default_level()).unwrap();
            enc.write_all(&data).unwrap();
            let packed = enc.finish().unwrap();
            let mut out = Vec::new();
            c.decoder(&packed[..]).unwrap().read_to_end(&mut out).unwrap();
            assert_eq!(out, data, "{c:?}");
        }
    }

    #[test]
    fn verified_reader_fails_at_the_end_on_a_wrong_checksum() {
        use sha2::Digest;
        for c in [Compression::Zstd, Compression::Gzip] {
            let mut enc = c.encoder(Vec::new(), 3).unwrap();
            enc.write_all(&vec![5u8; 300_000]).unwrap();
            let packed = enc.finish().unwrap();
            let good = super::super::io::hex(&sha2::Sha256::digest(&packed));
            let mut out = Vec::new();
            VerifiedReader::new(c, &packed[..], &good, false, None).unwrap().read_to_end(&mut out).unwrap();
            assert_eq!(out.len(), 300_000);
            let err = VerifiedReader::new(c, &packed[..], "00", false, None)
                .unwrap()
                .read_to_end(&mut Vec::new())
                .unwrap_err();
            assert!(err.to_string().contains("checksum mismatch"), "{c:?}: {err}");
            // Trailing garbage after a valid stream is caught by the checksum too.
            let mut padded = packed.clone();
            padded.extend_from_slice(b"junk");
            assert!(VerifiedReader::new(c, &padded[..], &good, false, None)
                .unwrap()
                .read_to_end(&mut Vec::new())
                .is_err());
        }
    }

    #[test]
    fn truncated_input_is_an_error() {
        for c in [Compression::Zstd, Compression::Gzip] {
            let mut enc = c.encoder(Vec::new(), 3).unwrap();
            enc.write_all(&vec![7u8; 100_000]).unwrap();
            let packed = enc.finish().unwrap();
            let cut = &packed[..packed.len() / 2];
            let mut dec = c.decoder(cut).unwrap();
            assert!(drain(&mut dec).is_err(), "{c:?}");
        }
    }
}
