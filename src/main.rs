#[cfg(unix)]
use std::process::ExitCode;

/// On Linux, mimalloc instead of the C library's allocator, because it is what keeps the
/// scanner's budget of at least 5x squawk's speed on the same 850 migration files: with
/// glibc's allocator the scan took 16.5 ms (4.3x), with mimalloc 13.2 ms (5.3x), in the same
/// interleaved rounds (docs/benchmarks.md, "The allocator"). It costs ~0.4 ms on every start;
/// the shim pass-through stays within its 2 ms. Not on macOS, where nobody measured it.
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(unix)]
use prisma_guard::{cli::Cli, error};

/// Not unix: the library's `compile_error!` says why this does not build.
#[cfg(not(unix))]
fn main() {}

#[cfg(unix)]
fn main() -> ExitCode {
    let cli = Cli::from_env();
    let status = match prisma_guard::run(cli) {
        Ok(status) => status,
        Err(err) => error::report(&err),
    };
    ExitCode::from(status.code())
}
