//! One `sync` or `prune` at a time per remote: a small lock object (`.prisma-guard.lock`
//! under the prefix) says who holds it (pid, host, start, heartbeat, renewed every minute by
//! the remote's worker threads). A holder silent for `STALE` is taken over with a message;
//! a run never waits longer than the lock wait (`PRISMA_GUARD_LOCK_WAIT`, default 1 hour).
//! New backups do not take it: each writes keys no other run writes.

use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;

use super::Remote;
use crate::backup::store::lock::{hostname, Holder, STALE};
use crate::backup::store::unix_now;
use crate::error::fail;
use crate::ui::Printer;

const NAME: &str = ".prisma-guard.lock";

/// Held while a run changes the remote; dropping it removes the lock object.
pub struct RemoteLock<'a> {
    remote: &'a Remote,
    beat: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for RemoteLock<'_> {
    fn drop(&mut self) {
        if let Some(b) = self.beat.take() {
            b.abort();
        }
        let _ = self.remote.delete(NAME);
    }
}

fn read(remote: &Remote) -> Option<Holder> {
    let bytes = remote.get_small(NAME).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A heartbeat dated beyond the clock-skew allowance into the future: no live run writes
/// one (a wrong clock, or a lock planted to block sync and prune for good).
fn future(h: &Holder, now: u64) -> bool {
    h.heartbeat > now.saturating_add(crate::backup::store::manifest::FUTURE_SKEW_SECONDS)
}

/// Held by a run on this host whose process is gone (killed): taken over at once, as the
/// local lock is, instead of after its heartbeat goes stale.
fn dead_here(h: &Holder) -> bool {
    h.host == hostname() && h.pid != std::process::id() && !crate::process::pid_alive(h.pid)
}

impl Remote {
    /// Who holds this remote's `sync`/`prune` lock, if anyone (for `status`).
    pub fn lock_holder(&self) -> Option<Holder> {
        read(self)
    }

    pub fn lock(&self, printer: &Printer, wait: Duration) -> Result<RemoteLock<'_>> {
        let started = Instant::now();
        let now_s = || unix_now(SystemTime::now());
        let me = Holder { pid: std::process::id(), host: hostname(), started: now_s(), heartbeat: now_s() };
        let mut said = false;
        loop {
            match read(self) {
                Some(h)
                    if h != me
                        && !future(&h, now_s())
                        && !dead_here(&h)
                        && now_s().saturating_sub(h.heartbeat) <= STALE.as_secs() =>
                {
                    let who = format!("pid {} on {}", h.pid, h.host);
                    if !said {
                        printer.status("Waiting", format!("remote `{}` is busy (a sync or prune by {who})", self.name));
                        said = true;
                    }
                    if started.elapsed() >= wait {
                        return Err(fail(format!(
                            "busy: remote `{}` is locked by {who}, and it did not finish within {}",
                            self.name,
                            humantime::format_duration(wait)
                        ))
                        .hint("let that run finish, then run this command again")
                        .into());
                    }
                    std::thread::sleep(Duration::from_secs(2));
                    continue;
                }
                Some(h) if h != me && future(&h, now_s()) => printer.warn(format!(
                    "the lock on remote `{}` is held by pid {} on {} with a heartbeat dated in the future (a wrong clock, or a planted lock): taking it over",
                    self.name, h.pid, h.host
                )),
                Some(h) if h != me && dead_here(&h) => printer.warn(format!(
                    "the lock on remote `{}` is held by pid {} on this host ({}), which is no longer running (a killed run): taking it over",
                    self.name, h.pid, h.host
                )),
                Some(h) if h != me => printer.warn(format!(
                    "the lock on remote `{}` is held by pid {} on {}, silent for over {} minutes: taking it over",
                    self.name,
                    h.pid,
                    h.host,
                    STALE.as_secs() / 60
                )),
                _ => {}
            }
            self.put_small(NAME, serde_json::to_vec(&me)?)?;
            // Last writer wins on a store without conditional writes: read it back.
            std::thread::sleep(Duration::from_millis(300));
            if read(self).as_ref() == Some(&me) {
                break;
            }
        }
        let store = self.store.clone();
        let key = self.key(NAME);
        let beat = self.runtime.spawn(async move {
            let mut me = me;
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                me.heartbeat = unix_now(SystemTime::now());
                if let Ok(body) = serde_json::to_vec(&me) {
                    let _ =
                        object_store::ObjectStoreExt::put(store.as_ref(), &key, bytes::Bytes::from(body).into()).await;
                }
            }
        });
        Ok(RemoteLock { remote: self, beat: Some(beat) })
    }
}
