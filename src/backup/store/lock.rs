//! One writer at a time per backup folder: backups, restores' safety backups and prune take
//! an advisory lock on `.lock` in the folder (flock; released when the process ends, however
//! it ends). A second run says it is waiting, then goes on.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;

use anyhow::{Context, Result};

use super::Store;
use crate::ui::Printer;

/// Held while a run writes to the folder; dropping it lets the next one in.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

impl Store {
    /// Wait for the folder's lock, saying so when another run holds it.
    pub fn lock(&self, printer: &Printer) -> Result<StoreLock> {
        let path = self.dir().join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("could not open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                printer.status(
                    "Waiting",
                    format!(
                        "another prisma-guard is writing to {} (a backup, restore or prune): busy, waiting for it",
                        self.dir().display()
                    ),
                );
                file.lock().with_context(|| format!("could not lock {}", path.display()))?;
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("could not lock {}", path.display()));
            }
        }
        Ok(StoreLock { _file: file })
    }
}
