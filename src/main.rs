use std::process::ExitCode;

/// The system allocator, plus an arena `scan` switches on (see `arena`).
#[global_allocator]
static ALLOC: prisma_guard::arena::Alloc = prisma_guard::arena::Alloc;

use prisma_guard::{cli::Cli, error};

fn main() -> ExitCode {
    let cli = Cli::from_env();
    let status = match prisma_guard::run(cli) {
        Ok(status) => status,
        Err(err) => error::report(&err),
    };
    ExitCode::from(status.code())
}
