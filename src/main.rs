use std::process::ExitCode;

/// mimalloc instead of the C library's allocator: musl's (the release build's libc on x86_64
/// Linux) makes a scan of 850 migrations take twice as long (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use prisma_guard::{cli::Cli, error};

fn main() -> ExitCode {
    let cli = Cli::from_env();
    let status = match prisma_guard::run(cli) {
        Ok(status) => status,
        Err(err) => error::report(&err),
    };
    ExitCode::from(status.code())
}
