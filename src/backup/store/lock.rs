//! One writer at a time per backup folder: backups, restores' safety backups, `sync` and
//! `prune --yes` take an advisory lock on `.lock` in the folder (flock: released when the
//! process ends, however it ends) and write who holds it into the file: pid, host, start time
//! and a heartbeat renewed every 15 seconds.
//!
//! A second run says who it waits for. It never waits forever: after `wait` it stops with a
//! clear "busy" error, and a holder whose heartbeat is older than `STALE` (a frozen process,
//! or a run on another machine sharing the folder over a network file system whose locks do
//! not reach here) is taken over, with a message. Taking over is safe for the files: every
//! backup reserves its id with an exclusive create and writes under temporary names.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{unix_now, Store};
use crate::error::fail;
use crate::ui::Printer;

/// A holder whose heartbeat is older than this is gone (frozen, or on a machine whose lock
/// this one cannot see).
pub const STALE: Duration = Duration::from_secs(10 * 60);
const BEAT: Duration = Duration::from_secs(15);

/// Who holds the lock, as written in the lock file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    /// Unix seconds.
    pub started: u64,
    pub heartbeat: u64,
}

impl Holder {
    fn me() -> Holder {
        let now = unix_now(SystemTime::now());
        Holder { pid: std::process::id(), host: hostname(), started: now, heartbeat: now }
    }

    fn describe(&self, now: u64) -> String {
        format!(
            "pid {} on {} since {} (heartbeat {}s ago)",
            self.pid,
            self.host,
            humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + Duration::from_secs(self.started)),
            now.saturating_sub(self.heartbeat)
        )
    }
}

/// This machine's name.
pub fn hostname() -> String {
    rustix::system::uname().nodename().to_string_lossy().into_owned()
}

/// Held while a run writes to the folder; dropping it stops the heartbeat and lets the next
/// run in.
#[derive(Debug)]
pub struct StoreLock {
    _file: Option<File>,
    stop: Arc<AtomicBool>,
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Store {
    /// Take the folder's lock, waiting up to `wait` for another run (saying whom it waits for).
    pub fn lock(&self, printer: &Printer) -> Result<StoreLock> {
        self.lock_waiting(printer, wait_limit()?)
    }

    pub fn lock_waiting(&self, printer: &Printer, wait: Duration) -> Result<StoreLock> {
        let path = self.dir().join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("could not open the lock file {}", path.display()))?;
        let started = Instant::now();
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(hold(file)),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("could not lock {}", path.display()));
                }
            }
            let now = unix_now(SystemTime::now());
            let holder = read_holder(&path);
            if let Some(h) = holder.as_ref().filter(|h| now.saturating_sub(h.heartbeat) > STALE.as_secs()) {
                printer.warn(format!(
                    "the lock on {} is held by {}: no heartbeat for over {} minutes, so that run is frozen or on another machine; taking it over",
                    self.dir().display(),
                    h.describe(now),
                    STALE.as_secs() / 60
                ));
                return Ok(take_over(&path));
            }
            let who = holder.map_or("another prisma-guard".to_string(), |h| h.describe(now));
            if !said {
                printer.status(
                    "Waiting",
                    format!(
                        "{} is busy (a backup, restore, sync or prune by {who}): waiting for it",
                        self.dir().display()
                    ),
                );
                said = true;
            }
            if started.elapsed() >= wait {
                return Err(fail(format!(
                    "busy: {} is locked by {who}, and it did not finish within {}",
                    self.dir().display(),
                    humantime::format_duration(wait)
                ))
                .hint("let that run finish (or stop it), then run this command again; PRISMA_GUARD_LOCK_WAIT=2h waits longer")
                .into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// How long to wait for a busy folder: see [`crate::config::env::lock_wait`].
pub fn wait_limit() -> Result<Duration> {
    crate::config::env::lock_wait()
}

fn read_holder(path: &std::path::Path) -> Option<Holder> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    serde_json::from_str(text.trim()).ok()
}

fn write_holder(file: &mut File, holder: &Holder) {
    let Ok(json) = serde_json::to_string(holder) else { return };
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = file.write_all(json.as_bytes());
    let _ = file.flush();
}

/// We hold the flock: say so in the file, and keep the heartbeat going.
fn hold(mut file: File) -> StoreLock {
    let me = Holder::me();
    write_holder(&mut file, &me);
    let stop = Arc::new(AtomicBool::new(false));
    if let Ok(mut beat) = file.try_clone() {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut me = me;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(250));
                let now = unix_now(SystemTime::now());
                if now.saturating_sub(me.heartbeat) >= BEAT.as_secs() {
                    me.heartbeat = now;
                    write_holder(&mut beat, &me);
                }
            }
        });
    }
    StoreLock { _file: Some(file), stop }
}

/// A stale holder still has the flock (frozen) or it is another machine's: write ourselves
/// in as the holder and go on without it.
fn take_over(path: &std::path::Path) -> StoreLock {
    match OpenOptions::new().write(true).open(path) {
        Ok(file) => {
            let mut lock = hold(file);
            lock._file = None;
            lock
        }
        Err(_) => StoreLock { _file: None, stop: Arc::new(AtomicBool::new(true)) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_folder_says_who_holds_it_and_stops_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path()).unwrap();
        let printer = Printer { quiet: true };
        let held = store.lock(&printer).unwrap();
        let holder = read_holder(&dir.path().join(".lock")).expect("the holder is written down");
        assert_eq!(holder.pid, std::process::id());
        assert_eq!(holder.host, hostname());
        // Another open file description: flock conflicts even within one process.
        let err = store.lock_waiting(&printer, Duration::from_millis(300)).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.starts_with("busy:") && text.contains(&format!("pid {}", std::process::id())), "{text}");
        drop(held);
        store.lock_waiting(&printer, Duration::from_millis(300)).expect("free again");
    }

    #[test]
    fn a_holder_without_a_heartbeat_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path()).unwrap();
        let printer = Printer { quiet: true };
        let held = store.lock(&printer).unwrap();
        held.stop.store(true, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(300));
        let old = Holder { pid: 1, host: "elsewhere".into(), started: 1_000, heartbeat: 1_000 };
        let mut f = OpenOptions::new().write(true).open(dir.path().join(".lock")).unwrap();
        write_holder(&mut f, &old);
        let _taken = store.lock_waiting(&printer, Duration::from_secs(5)).expect("taken over");
        let now = read_holder(&dir.path().join(".lock")).unwrap();
        assert_eq!(now.pid, std::process::id(), "we are the holder now");
    }
}
