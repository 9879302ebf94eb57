//! The few calls into the operating system that need `unsafe`: signal dispositions for the
//! guard's child (forwarding supervisor signals, ignoring SIGXFSZ). Everything else goes
//! through std or rustix's safe wrappers. Each block says why it is sound.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicI32, Ordering};

/// The signals a guarded child receives when they are sent to prisma-guard.
pub const FORWARDED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// Make a file-size limit (`ulimit -f`) surface as an `EFBIG` write error instead of a
/// `SIGXFSZ` that kills the process mid-write.
pub fn ignore_file_size_signal() {
    // SAFETY: setting a signal to SIG_IGN installs no handler, so nothing can race with it.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// End quietly, as Unix tools do, when the reader of the output goes away (`prisma-guard
/// check ... | head -1`), instead of a panic on the failed write. Only for commands that
/// only report: one that runs a child or writes a backup keeps ignoring SIGPIPE and sees the
/// error instead.
pub fn default_pipe_signal() {
    // SAFETY: restoring the default disposition installs no handler, so nothing can race with it.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

static CHILD_PID: AtomicI32 = AtomicI32::new(0);
/// A forwarded signal that came while the child was being started (no pid yet): sent to it
/// as soon as its pid is known.
static PENDING: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward_signal(sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid (or null) siginfo pointer to an SA_SIGINFO handler.
    let code = unsafe { info.as_ref().map_or(0, |i| i.si_code) };
    // A terminal's Ctrl-C already reaches the child (same process group): only forward
    // signals sent with kill() (si_code <= 0), such as SIGTERM from a supervisor.
    if code > 0 {
        return;
    }
    // Recorded first, then the pid read: either this handler sees the pid, or
    // `Forwarding::child` sees the record (both orders are sequentially consistent).
    PENDING.store(sig, Ordering::SeqCst);
    let pid = CHILD_PID.load(Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe and takes plain integers.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Signal handlers that forward [`FORWARDED`] signals to `child`, restored when dropped.
pub struct Forwarding {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

impl Forwarding {
    /// Installed before the child is started, so that no signal sent while it starts kills
    /// prisma-guard and leaves the child running alone; [`Forwarding::child`] names it.
    pub fn install() -> Forwarding {
        CHILD_PID.store(0, Ordering::SeqCst);
        PENDING.store(0, Ordering::SeqCst);
        let mut previous = Vec::new();
        for sig in FORWARDED {
            // SAFETY: `sigaction` is plain data for which all-zero is a valid value; the
            // handler only loads an atomic and calls async-signal-safe `kill`.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = forward_signal as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &action, &mut old) == 0 {
                    previous.push((sig, old));
                }
            }
        }
        Forwarding { previous }
    }

    /// The child is started: signals go to it from now on, and one that came while it was
    /// starting is sent now.
    pub fn child(&self, child: u32) {
        let pid = i32::try_from(child).unwrap_or(0);
        CHILD_PID.store(pid, Ordering::SeqCst);
        let pending = PENDING.swap(0, Ordering::SeqCst);
        if pid > 0 && pending != 0 {
            // SAFETY: kill takes plain integers; `pid` is the child just started.
            unsafe {
                libc::kill(pid, pending);
            }
        }
    }
}

impl Drop for Forwarding {
    fn drop(&mut self) {
        for (sig, old) in &self.previous {
            // SAFETY: restores a disposition `sigaction` returned for this very signal.
            unsafe {
                libc::sigaction(*sig, old, std::ptr::null_mut());
            }
        }
        CHILD_PID.store(0, Ordering::SeqCst);
    }
}
