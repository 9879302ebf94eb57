//! Reading and preparing the files of a scan on several threads, handed over in path order.
//!
//! The analysis of migrations must run in order (each one replays into the schema the next
//! one is judged against), but reading a file and the schema-independent half of its
//! analysis do not. Scoped threads claim files from one shared counter and send each one
//! loaded over a channel; the calling thread hands them over in order and, whenever the next
//! one is not ready yet, reads an unclaimed file itself, waiting on the channel only when
//! every file is claimed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::extract::Kind;
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
/// and could not be read, which the scan reports.
pub type Loaded = std::io::Result<Option<Box<File>>>;

fn finish(kind: Kind, text: std::io::Result<Option<String>>) -> Loaded {
    let Some(text) = text? else { return Ok(None) };
    let prepared = (kind == Kind::Migration).then(|| prepare(&text));
    let directives = suppress::directives_in(&text, kind == Kind::PackageJson);
    Ok(Some(Box::new(File { kind, text, prepared, directives })))
}

/// Fewer files than this are read on the calling thread alone: starting threads for them
/// costs more than reading them.
const FEW: usize = 32;

/// How many threads read, the calling thread included: `threads` when set, else one per
/// core, up to 8.
fn thread_count(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)).max(1)
}

/// Call `each(index, loaded)` for every path (of the kind given), in order, reading on the
/// calling thread and on `threads - 1` scoped threads (see [`thread_count`]).
pub fn in_order(
    source: &Source,
    paths: &[(String, Kind)],
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
    let helpers = thread_count(threads) - 1;
    let read = |(p, kind): &(String, Kind)| finish(*kind, source::read_file_checked(&root.join(p)));
    if helpers == 0 || paths.len() < FEW {
        for (i, path) in paths.iter().enumerate() {
            each(i, read(path));
        }
        return;
    }
    let next = AtomicUsize::new(0);
    // Claim the next unclaimed file and load it; `None` when none is left. A panic while
    // loading is carried to the calling thread.
    let claim = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let path = paths.get(i)?;
        Some((i, std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(path)))))
    };
    let claim = &claim;
    let (done, arrived) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            let done = done.clone();
            scope.spawn(move || {
                while let Some(loaded) = claim() {
                    if done.send(loaded).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        // Files loaded ahead of their turn wait here.
        let mut ready: Vec<Option<std::thread::Result<Loaded>>> = paths.iter().map(|_| None).collect();
        for i in 0..paths.len() {
            while ready[i].is_none() {
                // Read the next unclaimed file here rather than wait; wait only when every
                // file is claimed.
                let Some((j, loaded)) = claim().or_else(|| arrived.recv().ok()) else { break };
                ready[j] = Some(loaded);
            }
            match ready[i].take() {
                Some(Ok(loaded)) => each(i, loaded),
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                // Every reader stopped without handing this file over: not read, so the scan
                // reports it rather than pass it by.
                None => each(i, Err(std::io::Error::other("the reading thread stopped before reading it"))),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A folder of `n` migrations, each naming its number, and the paths to them.
    fn folder(n: usize) -> (tempfile::TempDir, Source, Vec<(String, Kind)>) {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for i in 0..n {
            let rel = format!("prisma/migrations/{i:05}_m/migration.sql");
            let path = dir.path().join(&rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!("-- {i}\nDROP TABLE \"T{i}\";\n")).unwrap();
            paths.push((rel, Kind::Migration));
        }
        let source = Source::WorkTree { root: dir.path().to_path_buf(), dirs: BTreeMap::new() };
        (dir, source, paths)
    }

    /// Every file comes out, prepared, in path order, whatever the number of threads; a file
    /// that is not there comes out as `None` in its place.
    #[test]
    fn files_come_out_whole_and_in_order_on_any_number_of_threads() {
        let (dir, source, mut paths) = folder(300);
        std::fs::remove_file(dir.path().join(&paths[150].0)).unwrap();
        paths.push(("zz/missing.sql".into(), Kind::Migration));
        for threads in [None, Some(1), Some(2), Some(5)] {
            let mut out = Vec::new();
            in_order(&source, &paths, threads, |i, loaded| {
                assert_eq!(i, out.len(), "handed over out of order");
                out.push(loaded.unwrap().map(|f| {
                    assert!(f.prepared.is_some(), "a migration comes prepared");
                    f.text
                }));
            });
            assert_eq!(out.len(), paths.len(), "{threads:?}");
            for (i, text) in out.iter().enumerate() {
                match i {
                    150 | 300 => assert!(text.is_none(), "{i}"),
                    _ => assert_eq!(text.as_deref(), Some(format!("-- {i}\nDROP TABLE \"T{i}\";\n").as_str())),
                }
            }
        }
    }
}
