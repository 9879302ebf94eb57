//! Reading and preparing the files of a scan on every core, handed over in path order.
//!
//! The analysis of migrations must run in order (each one replays into the schema the next
//! one is judged against), but reading a file and the schema-independent half of its
//! analysis do not. Worker threads ([`Readers`]) and the calling thread claim files from a
//! shared counter; the calling thread consumes them in order and, whenever the next one is
//! not ready yet, reads one itself instead of waiting. On two cores that keeps both busy.
//!
//! The workers are started before the files are known (see [`Readers::start`]): on a busy
//! VM a new thread can wait milliseconds before it first runs, and the command line, the
//! config and the walk hide that wait.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::files::Kind;
use super::source::{self, Source};
use super::suppress::{self, Directive};
use crate::sql::analyze::{prepare, Prepared};

/// A file ready for the in-order part.
pub struct File {
    pub kind: Kind,
    pub text: String,
    /// The schema-independent half of a migration's analysis.
    pub prepared: Option<Prepared>,
    /// Its ignore comments.
    pub directives: Vec<Directive>,
}

/// `Ok(None)`: not there (a migration folder without its file). An error: the file is there
/// and could not be read, which the scan reports. Boxed: a batch holds a slot for every
/// file, all written before the first is read, and a slot this small keeps that to a few
/// pages.
pub type Loaded = std::io::Result<Option<Box<File>>>;

fn finish(kind: Kind, text: std::io::Result<Option<String>>) -> Loaded {
    let Some(text) = text? else { return Ok(None) };
    let prepared = (kind == Kind::Migration).then(|| prepare(&text));
    let directives = suppress::directives(&text);
    Ok(Some(Box::new(File { kind, text, prepared, directives })))
}

/// Fewer files than this are read on the calling thread alone: handing them over costs
/// more than reading them.
const FEW: usize = 32;

/// How many threads read, the calling thread included: `threads` when set, else one per
/// core this process may run on, up to 8. More threads than cores only take turns: with
/// each worker started on another core than the calling thread (see `placement`), 2
/// threads on 2 cores scan 850 migrations ~15% faster than 3.
fn thread_count(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| placement::cores().min(8)).max(1)
}

/// One batch of files to read, shared by the workers and the calling thread.
struct Job {
    root: PathBuf,
    paths: Arc<Vec<(String, Kind)>>,
    next: AtomicUsize,
    /// `None`: not loaded yet. A panic while loading is carried to the calling thread.
    slots: Vec<Mutex<Option<std::thread::Result<Loaded>>>>,
}

impl Job {
    /// Claim the next unclaimed file and load it; false when none is left.
    fn claim(&self, reader: &mut source::Reader) -> bool {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let Some((p, kind)) = self.paths.get(i) else { return false };
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| finish(*kind, reader.read(p))));
        // Nothing panics while a slot is locked; a poisoned lock still holds a valid slot.
        *self.slots[i].lock().unwrap_or_else(PoisonError::into_inner) = Some(loaded);
        true
    }
}

#[derive(Default)]
struct Mailbox {
    job: Option<Arc<Job>>,
    /// Counts the jobs posted, so a worker takes each one once.
    posted: u64,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    mailbox: Mutex<Mailbox>,
    bell: Condvar,
}

/// Worker threads waiting for files to read. Dropping it stops them.
pub struct Readers {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl Readers {
    /// No workers: `in_order` starts its own when it has many files.
    pub fn none() -> Readers {
        Readers { shared: Arc::default(), workers: Vec::new() }
    }

    /// Start the workers for `threads` reading threads (see `thread_count`; the calling
    /// thread is one of them). A worker that cannot be started is done without.
    pub fn start(threads: Option<usize>) -> Readers {
        let mut readers = Readers::none();
        let wanted = thread_count(threads) - 1;
        let placement = placement::Away::new(wanted);
        for _ in 0..wanted {
            let shared = Arc::clone(&readers.shared);
            let restore = placement.clone();
            let spawned =
                std::thread::Builder::new().name("prisma-guard-read".into()).spawn(move || work(&shared, &restore));
            let Ok(handle) = spawned else { break };
            placement.steer(&handle);
            readers.workers.push(handle);
        }
        readers
    }

    fn post(&self, job: &Arc<Job>) {
        let mut mailbox = self.shared.mailbox.lock().unwrap_or_else(PoisonError::into_inner);
        mailbox.job = Some(Arc::clone(job));
        mailbox.posted += 1;
        self.shared.bell.notify_all();
    }

    fn clear(&self) {
        self.shared.mailbox.lock().unwrap_or_else(PoisonError::into_inner).job = None;
    }

    /// Tell the workers to stop, without waiting for them. Reading after this is done on the
    /// calling thread alone.
    pub fn close(&self) {
        self.shared.mailbox.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
        self.shared.bell.notify_all();
    }
}

impl Drop for Readers {
    /// Stop the workers without waiting for them: a worker holds nothing but its share of
    /// the mailbox and of the last job, and returns as soon as it sees the mailbox closed (a
    /// panic while reading was carried to the calling thread with its file already). Waiting
    /// for a thread's exit (its stack unmapped, its descriptor table freed) cost 0.1-0.4 ms
    /// at the end of a scan; the process's exit ends a worker that is still on its way out.
    fn drop(&mut self) {
        self.close();
        self.workers.clear();
    }
}

/// A worker: take each job posted, claim files until none is left, wait for the next.
fn work(shared: &Shared, placement: &placement::Away) {
    private_fd_table();
    let mut taken = 0;
    loop {
        let job = {
            let mut mailbox = shared.mailbox.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if mailbox.closed {
                    return;
                }
                if mailbox.posted != taken {
                    taken = mailbox.posted;
                    if let Some(job) = &mailbox.job {
                        break Arc::clone(job);
                    }
                }
                mailbox = shared.bell.wait(mailbox).unwrap_or_else(PoisonError::into_inner);
            }
        };
        placement.restore();
        let mut reader = source::Reader::new(&job.root);
        while job.claim(&mut reader) {}
    }
}

/// Give the calling worker a file descriptor table of its own (Linux's
/// `unshare(CLONE_FILES)`): threads share one, and every `open` and `close` takes its lock
/// and writes its cache lines, so two threads opening hundreds of files contend for it (2%
/// of a scan of 850 migrations). A worker opens, reads and closes its files itself, and is
/// handed no descriptor, so nothing it needs is lost; the descriptors open at this point are
/// kept open until it exits as well, which the scan's own (config, git) do not mind. A
/// refusal (a seccomp filter, say) leaves the shared table, which works as before.
fn private_fd_table() {
    #[cfg(target_os = "linux")]
    // SAFETY: `unshare(CLONE_FILES)` copies this thread's descriptor table; it touches no memory.
    unsafe {
        libc::unshare(libc::CLONE_FILES);
    }
}

/// Call `each(index, loaded)` for every path (of the kind given), in order, reading on the
/// calling thread and the `readers` (started here when there are none and the files are
/// many, `threads` as in [`thread_count`]).
pub fn in_order(
    source: &Source,
    paths: &Arc<Vec<(String, Kind)>>,
    readers: &Readers,
    threads: Option<usize>,
    mut each: impl FnMut(usize, Loaded),
) {
    let Source::WorkTree { root, .. } = source else {
        // Git objects are not Sync: read one by one.
        for (i, (p, kind)) in paths.iter().enumerate() {
            each(i, finish(*kind, source.read_checked(p)));
        }
        return;
    };
    let own;
    let readers = if readers.workers.is_empty() && paths.len() >= FEW {
        own = Readers::start(threads);
        &own
    } else {
        readers
    };
    if readers.workers.is_empty() || paths.len() < FEW {
        let mut reader = source::Reader::new(root);
        for (i, (p, kind)) in paths.iter().enumerate() {
            each(i, finish(*kind, reader.read(p)));
        }
        return;
    }
    let job = Arc::new(Job {
        root: root.clone(),
        paths: Arc::clone(paths),
        next: AtomicUsize::new(0),
        slots: paths.iter().map(|_| Mutex::new(None)).collect(),
    });
    readers.post(&job);
    let mut reader = source::Reader::new(root);
    for (i, slot) in job.slots.iter().enumerate() {
        let loaded = loop {
            match slot.lock().unwrap_or_else(PoisonError::into_inner).take() {
                Some(Ok(l)) => break l,
                Some(Err(panic)) => {
                    readers.clear();
                    std::panic::resume_unwind(panic)
                }
                None => {}
            }
            if !job.claim(&mut reader) {
                // Claimed by a worker that is still reading it.
                std::thread::yield_now();
            }
        };
        each(i, loaded);
    }
    readers.clear();
}

/// Where a new worker first runs. A new thread is queued on the core that made it when the
/// scheduler sees no better place, and with the kernel's tick at 4 ms it can wait that long
/// while the calling thread runs on. So each worker is first allowed only on the other
/// cores, and given all of them back when it takes its first job.
#[cfg(target_os = "linux")]
mod placement {
    use std::thread::JoinHandle;

    #[derive(Clone)]
    pub struct Away {
        /// The cores this process may use, and the same without the calling thread's.
        allowed: Option<(libc::cpu_set_t, libc::cpu_set_t)>,
    }

    const SIZE: usize = std::mem::size_of::<libc::cpu_set_t>();

    /// The cores this thread may run on.
    fn allowed() -> Option<libc::cpu_set_t> {
        // SAFETY: `sched_getaffinity` fills the zeroed set it is given, of the size given.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            (libc::sched_getaffinity(0, SIZE, &mut set) == 0).then_some(set)
        }
    }

    /// How many cores this process may run on. Not `available_parallelism`, which also reads
    /// the cgroup's CPU quota (five files in /proc and /sys, a tenth of a millisecond before
    /// a scan starts): under a quota the extra threads only take turns.
    pub fn cores() -> usize {
        // SAFETY: `CPU_COUNT` only reads the set.
        let count = allowed().map_or(0, |set| unsafe { libc::CPU_COUNT(&set) });
        usize::try_from(count).ok().filter(|&n| n > 0).unwrap_or(1)
    }

    impl Away {
        pub fn new(workers: usize) -> Away {
            if workers == 0 {
                return Away { allowed: None };
            }
            // SAFETY: `sched_getcpu` has no arguments; the CPU_* helpers only read and write the
            // set they are given.
            let here = unsafe { libc::sched_getcpu() };
            let allowed = allowed().filter(|_| here >= 0).and_then(|all| {
                let mut away = all;
                // SAFETY: as above.
                unsafe { libc::CPU_CLR(here as usize, &mut away) };
                (unsafe { libc::CPU_COUNT(&away) } > 0).then_some((all, away))
            });
            Away { allowed }
        }

        /// Keep a new worker off the calling thread's core.
        pub fn steer(&self, worker: &JoinHandle<()>) {
            use std::os::unix::thread::JoinHandleExt;
            if let Some((_, away)) = &self.allowed {
                // An integer in glibc, a pointer in musl.
                #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
                let thread = worker.as_pthread_t() as libc::pthread_t;
                // SAFETY: the thread is alive (its handle is held); the set is of the size given.
                // A failure leaves the thread where the scheduler put it.
                unsafe { libc::pthread_setaffinity_np(thread, SIZE, away) };
            }
        }

        /// On the worker, when it takes a job (well after [`Away::steer`]): allow every core again.
        pub fn restore(&self) {
            if let Some((all, _)) = &self.allowed {
                // SAFETY: the set is of the size given; 0 is the calling thread.
                unsafe { libc::sched_setaffinity(0, SIZE, all) };
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod placement {
    use std::thread::JoinHandle;

    #[derive(Clone)]
    pub struct Away;

    pub fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    impl Away {
        pub fn new(_workers: usize) -> Away {
            Away
        }
        pub fn steer(&self, _worker: &JoinHandle<()>) {}
        pub fn restore(&self) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A folder of `n` migrations, each naming its number, and the paths to them.
    fn folder(n: usize) -> (tempfile::TempDir, Source, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for i in 0..n {
            let rel = format!("prisma/migrations/{i:05}_m/migration.sql");
            let path = dir.path().join(&rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!("-- {i}\nDROP TABLE \"T{i}\";\n")).unwrap();
            paths.push(rel);
        }
        let source = Source::WorkTree { root: dir.path().to_path_buf(), dirs: BTreeMap::new() };
        (dir, source, paths)
    }

    /// The texts handed to `each`, checking they come in path order.
    fn texts(source: &Source, paths: &[String], readers: &Readers, threads: Option<usize>) -> Vec<String> {
        let listed = Arc::new(paths.iter().map(|p| (p.clone(), Kind::Migration)).collect());
        let mut out = Vec::new();
        in_order(source, &listed, readers, threads, |i, loaded| {
            assert_eq!(i, out.len(), "handed over out of order");
            let file = loaded.unwrap().unwrap();
            assert!(file.prepared.is_some(), "a migration comes prepared");
            out.push(file.text);
        });
        out
    }

    fn expected(paths: &[String]) -> Vec<String> {
        (0..paths.len()).map(|i| format!("-- {i}\nDROP TABLE \"T{i}\";\n")).collect()
    }

    /// Workers started before the files are known serve one batch after another, and each
    /// batch comes out whole and in order: a worker that took a batch twice, or missed the
    /// second, would leave a slot empty (the calling thread would then read it, so the check
    /// is on the result) or hang.
    #[test]
    fn started_readers_serve_several_batches_in_order() {
        let (_dir, source, paths) = folder(200);
        let readers = Readers::start(Some(3));
        assert_eq!(readers.workers.len(), 2);
        for _ in 0..3 {
            assert_eq!(texts(&source, &paths, &readers, Some(3)), expected(&paths));
        }
        // A small batch is read on the calling thread, the workers left idle.
        assert_eq!(texts(&source, &paths[..5], &readers, Some(3)), expected(&paths[..5]));
        assert_eq!(texts(&source, &paths, &readers, Some(3)), expected(&paths));
    }

    /// Closed, workers stop by themselves, without being waited for; a batch given after that
    /// is read whole by the calling thread.
    #[test]
    fn closed_readers_stop_and_later_batches_are_read_by_the_caller() {
        let (_dir, source, paths) = folder(100);
        let readers = Readers::start(Some(3));
        assert_eq!(texts(&source, &paths, &readers, Some(3)), expected(&paths));
        readers.close();
        for w in &readers.workers {
            let mut waited = 0;
            while !w.is_finished() && waited < 1000 {
                std::thread::sleep(std::time::Duration::from_millis(5));
                waited += 1;
            }
            assert!(w.is_finished(), "a closed worker stops by itself");
        }
        assert_eq!(texts(&source, &paths, &readers, Some(3)), expected(&paths));
        drop(readers);
    }

    /// Workers that never got a batch stop when dropped (the drop joins them, so a worker
    /// that missed the close would hang the test).
    #[test]
    fn readers_without_work_stop_when_dropped() {
        for threads in [1, 2, 5] {
            let readers = Readers::start(Some(threads));
            assert_eq!(readers.workers.len(), threads - 1);
            drop(readers);
        }
    }

    /// Without started workers a large batch starts its own, a small one does not need them;
    /// one thread reads everything itself.
    #[test]
    fn batches_without_started_readers_read_the_same() {
        let (_dir, source, paths) = folder(100);
        for threads in [None, Some(1), Some(2), Some(4)] {
            assert_eq!(texts(&source, &paths, &Readers::none(), threads), expected(&paths), "{threads:?}");
        }
    }

    #[cfg(target_os = "linux")]
    fn allowed(thread: libc::pthread_t) -> usize {
        // SAFETY: the set is zeroed and of the size given; the thread is alive (handle held).
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            assert_eq!(libc::pthread_getaffinity_np(thread, std::mem::size_of_val(&set), &mut set), 0);
            libc::CPU_COUNT(&set) as usize
        }
    }

    /// A new worker may first run only on the other cores, and gets them all back once it
    /// takes its first batch. With one core allowed, workers are not steered (there is no
    /// other core) and still read.
    #[cfg(target_os = "linux")]
    #[test]
    fn workers_start_away_from_the_calling_core_and_get_every_core_back() {
        use std::os::unix::thread::JoinHandleExt;
        // On a thread of its own: pinning it must not pin the other tests.
        std::thread::spawn(|| {
            let (dir, source, paths) = folder(300);
            // SAFETY: the sets are zeroed and of the size given; 0 is this thread.
            let (all, here) = unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                assert_eq!(libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set), 0);
                (libc::CPU_COUNT(&set) as usize, set)
            };
            if all >= 2 {
                let readers = Readers::start(Some(2));
                let worker = readers.workers[0].as_pthread_t();
                assert_eq!(allowed(worker), all - 1, "kept off the calling thread's core until it has work");
                // A batch left posted until the worker has surely taken it.
                let job = Arc::new(Job {
                    root: dir.path().to_path_buf(),
                    paths: Arc::new(paths.iter().map(|p| (p.clone(), Kind::Migration)).collect()),
                    next: AtomicUsize::new(0),
                    slots: paths.iter().map(|_| Mutex::new(None)).collect(),
                });
                readers.post(&job);
                let done = || job.slots.iter().all(|s| s.lock().unwrap().is_some());
                let mut waited = 0;
                while !done() && waited < 1000 {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    waited += 1;
                }
                readers.clear();
                assert!(done(), "the worker read the batch alone");
                assert_eq!(allowed(worker), all, "every core back once it took work");
                assert_eq!(texts(&source, &paths, &readers, Some(2)), expected(&paths));
            }
            // Pinned to one core: nowhere to steer to.
            // SAFETY: a set of one core out of the allowed ones, of the size given.
            unsafe {
                let mut one: libc::cpu_set_t = std::mem::zeroed();
                let first = (0..libc::CPU_SETSIZE as usize).find(|&c| libc::CPU_ISSET(c, &here)).unwrap();
                libc::CPU_SET(first, &mut one);
                assert_eq!(libc::sched_setaffinity(0, std::mem::size_of_val(&one), &one), 0);
            }
            let readers = Readers::start(Some(2));
            assert_eq!(allowed(readers.workers[0].as_pthread_t()), 1);
            assert_eq!(texts(&source, &paths, &readers, Some(2)), expected(&paths));
        })
        .join()
        .unwrap();
    }
}
